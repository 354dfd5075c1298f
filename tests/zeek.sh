#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# zeek.sh - synfin's conn_state, history and community_id against Zeek's own
# test baselines (tests/zeek-baselines.tsv, checked by tests/zeek.py) on the
# traces of ../shared/captures/public that come from Zeek's repository.
# Skipped (77) when that folder or python3 is absent.
: "${SYNFIN:?}" "${SRCDIR:?}"
CORPUS=${SYNFIN_CORPUS:-$SRCDIR/../shared/captures/public}
if [ ! -f "$CORPUS/zeek__pop3.pcap" ]; then
    echo "SKIP: $CORPUS (Zeek's traces) not present"
    exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
exec python3 "$SRCDIR/tests/zeek.py" --synfin "$SYNFIN" --corpus "$CORPUS" \
    --baselines "$SRCDIR/tests/zeek-baselines.tsv" --known "$SRCDIR/tests/zeek-known.tsv"
