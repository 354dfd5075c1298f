#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# states.sh - the TCP model as taught (synfin(1), "TCP MODEL"): events.py checks
# the `--json --events` keys and the tabulated rows of the handshake and each
# kind of close; states.py checks that every state change of every connection
# is a step of RFC 9293's diagram, on captures/ and, when present, on the real
# captures of ../shared/captures (public/ and more/).
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
fail=0
python3 "$SRCDIR/tests/events.py" "$SYNFIN" "$SRCDIR/captures" || fail=1
python3 "$SRCDIR/tests/states.py" "$SYNFIN" "$SRCDIR/captures" || fail=1
shared="$SRCDIR/../shared/captures"
if [ -d "$shared/public" ]; then
    dirs=("$shared/public"); [ -d "$shared/more" ] && dirs+=("$shared/more")
    python3 "$SRCDIR/tests/states.py" "$SYNFIN" "${dirs[@]}" || fail=1
else
    echo "note: $shared not present: the real captures are not checked"
fi
exit $fail
