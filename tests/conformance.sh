#!/bin/bash
# Conformance against the public capture corpus: compares synfin --json with
# the tshark oracle (../shared/captures/public/tshark-oracle.tsv), and with
# that of ../shared/captures/more for the captures whose cases synfin covers
# (MORE_COVERED: TLS 1.3 drafts, key-logged legacy suites; the others wait
# for the work that decodes them).
# Run by `make check` with SYNFIN (the binary) and SRCDIR (repo top) set.
# Exit 77 (automake SKIP) when the corpus is not beside the repository
# (SYNFIN_CORPUS overrides where it is looked for; extra arguments go to
# conformance.py, e.g. -v to list allowed differences, or capture names).
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
SYNFIN=${SYNFIN:-$SRCDIR/build/src/synfin}
CORPUS=${SYNFIN_CORPUS:-$SRCDIR/../shared/captures/public}

if [ ! -f "$CORPUS/tshark-oracle.tsv" ]; then
	echo "SKIP: ../shared/captures/public not present"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 not found"
	exit 77
fi
MORE=${SYNFIN_CORPUS_MORE:-$SRCDIR/../shared/captures/more}
MORE_COVERED=lekensteyn__tls12-all-ciphers.pcapng,suricata__tls13_draft18.pcap,suricata__tls13_draft28.pcap
MORE_COVERED=$MORE_COVERED,zeek__tls13draft16-chrome55-canary.pcap
more=()
[ -f "$MORE/tshark-oracle.tsv" ] && more=(--corpus "$MORE:$MORE_COVERED")
exec python3 "$SRCDIR/tests/conformance.py" --synfin "$SYNFIN" --corpus "$CORPUS" "${more[@]}" \
	--known "$SRCDIR/tests/conformance-known.tsv" "$@"
