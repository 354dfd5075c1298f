#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pictures.sh - the ladder as pictures to share and as text that fits:
# --svg (a file per connection, or one on standard output) is one
# self-contained, well-formed SVG document with an arrow per packet, the
# states, phases, TLS messages and times of the text ladder; every capture's
# pictures parse as XML (wire text escaped); --mermaid is a sequenceDiagram
# whose every line is Mermaid's syntax, one message per packet; --width and
# $COLUMNS size the text ladder, header lines fit and a cut value ends with
# "…"; --color=always|never|auto (NO_COLOR, TERM=dumb) for the ladder and the
# summary, in the interface's colours.  (tests/svg-render.sh draws the SVG
# in a browser.)
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
cap="$SRCDIR/captures"
ca="$cap/tls/certs/ca.pem"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
good() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $1: $2"; }
py=/usr/bin/python3; [ -x "$py" ] || py=$(command -v python3) || { echo "SKIP: python3 not found"; exit 77; }
export LANG=C.UTF-8 LC_ALL=
unset COLUMNS NO_COLOR

tls="$cap/tls/tls12-ecdhe-rsa.pcap"
packets_of() { "$SYNFIN" -q --json --ca-file "$ca" -r "$1" | "$py" -c '
import json, sys
print(" ".join(str(json.loads(l)["packets"]) for l in sys.stdin if l.startswith("{\"id\"")))'; }

# ------------------------------------------------------------------ --svg
# svg_check NAME FILE PACKETS WORD...: FILE is one SVG document, self-contained, with PACKETS arrows
# and these words among its texts
cat >"$tmp/svg_check.py" <<'PY'
import sys, xml.etree.ElementTree as ET
path, want, words = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(path).getroot()
assert root.tag == ns + "svg", "the root is %s, not svg" % root.tag
assert float(root.get("width")) > 300 and float(root.get("height")) > 100, "size %sx%s" % (root.get("width"), root.get("height"))
for el in root.iter():
    tag = el.tag.replace(ns, "")
    assert tag not in ("image", "script", "foreignObject", "use", "a"), "a <%s> element: not self-contained" % tag
    for k, v in el.attrib.items():
        assert "href" not in k, "an href: not self-contained"
        assert "url(" not in v or v.startswith("url(#"), "an outside reference: %s" % v
arrows = [l for l in root.iter(ns + "line") if l.get("marker-end")]
assert len(arrows) == want, "%d arrows, the connection has %d packets" % (len(arrows), want)
texts = "\n".join("".join(t.itertext()) for t in root.iter(ns + "text"))
for w in words:
    assert w in texts, "no text says %r" % w
PY
svg_check() {
    local name=$1 file=$2 want=$3 out
    shift 3
    if out=$("$py" "$tmp/svg_check.py" "$file" "$want" "$@" 2>&1); then good "$name"; else bad "$name" "$out"; fi
}
n_tls=$(packets_of "$tls")
"$SYNFIN" --svg=1 --ca-file "$ca" -r "$tls" >"$tmp/tls.svg" 2>"$tmp/err"
svg_check svg-stdout "$tmp/tls.svg" "$n_tls" 'connection 1: client 10.99.1.2:45226' CLOSED LISTEN SYN_SENT SYN_RECV \
    ESTABLISHED FIN_WAIT_1 CLOSE_WAIT LAST_ACK TIME_WAIT 'TCP handshake' 'TLS 1.2 handshake' 'TLS session established' \
    teardown 'ClientHello (SNI www.synfin.test)' 'Certificate (2, ok)' ServerHelloDone 0.000000 0.006100 'time (s)'
# the arrows go both ways, in the directions' colours, and time runs down
if "$py" - "$tmp/tls.svg" <<'PY'; then good svg-arrows-down; else bad svg-arrows-down "arrows not in time order or one direction"; fi
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
arrows = [l for l in ET.parse(sys.argv[1]).getroot().iter(ns + "line") if l.get("marker-end")]
ys = [float(a.get("y1")) for a in arrows]
right = [float(a.get("x2")) > float(a.get("x1")) for a in arrows]
sys.exit(0 if ys == sorted(ys) and len(set(ys)) == len(ys) and right[0] and not right[1] else 1)
PY
# every connection a file in the current directory, named on standard output
mkdir "$tmp/files"
(cd "$tmp/files" && "$SYNFIN" --svg --ca-file "$ca" -r "$cap/tls/tls12-sessionid-resume.pcap" >"$tmp/names" 2>"$tmp/err")
if [ "$(cat "$tmp/names")" = "synfin-connection-1.svg
synfin-connection-2.svg" ] && [ "$(ls "$tmp/files" | tr '\n' ' ')" = "synfin-connection-1.svg synfin-connection-2.svg " ]; then
    good svg-files; else bad svg-files "stdout '$(cat "$tmp/names")', files '$(ls "$tmp/files")'"; fi
read -r p1 p2 <<<"$(packets_of "$cap/tls/tls12-sessionid-resume.pcap")"
svg_check svg-file-1 "$tmp/files/synfin-connection-1.svg" "$p1" 'connection 1:' 'TLS 1.2 handshake'
svg_check svg-file-2 "$tmp/files/synfin-connection-2.svg" "$p2" 'connection 2:' 'TLS 1.2 handshake'
# --svg=ID of a connection that is not there
"$SYNFIN" --svg=9 -r "$tls" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc = 2 ] && grep -q 'no connection 9 (it holds 1)' "$tmp/err" && [ ! -s "$tmp/out" ]; then good svg-no-such-id; else
    bad svg-no-such-id "exit $rc: $(cat "$tmp/err")"; fi
# --width makes the picture wider
"$SYNFIN" --svg=1 --width 140 --ca-file "$ca" -r "$tls" >"$tmp/wide.svg"
# the lifelines' distance: 64 columns at the default (100 columns), 104 at 140
gap() { "$py" -c '
import sys, xml.etree.ElementTree as ET
xs = [float(l.get("x1")) for l in ET.parse(sys.argv[1]).getroot().iter("{http://www.w3.org/2000/svg}line") if l.get("class") == "life"]
print("%.0f" % (max(xs) - min(xs)))' "$1"; }
g100=$(gap "$tmp/tls.svg") g140=$(gap "$tmp/wide.svg")
if [ $((g140 * 64)) -ge $((g100 * 104 - 128)) ] && [ $((g140 * 64)) -le $((g100 * 104 + 128)) ] && [ "$g100" -gt 400 ]; then
    good svg-width; else bad svg-width "lifelines $g100 apart at 100 columns, $g140 at 140"; fi
# every capture's every connection: a document that parses (wire text is escaped), an arrow per packet
mapfile -t files < <(find "$cap" -name '*.pcap' -o -name '*.pcapng' | LC_ALL=C sort)
rargs=()
for f in "${files[@]}"; do rargs+=(-r "$f"); done
mkdir "$tmp/all"
(cd "$tmp/all" && "$SYNFIN" -q --svg --ca-file "$ca" "${rargs[@]}" >/dev/null 2>&1)
"$SYNFIN" -q --json --ca-file "$ca" "${rargs[@]}" 2>/dev/null >"$tmp/all.jsonl"
cat >"$tmp/svg_all.py" <<'PY'
import json, os, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
conns = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"id"')]
bad = []
for c in conns:
    p = os.path.join(sys.argv[1], "synfin-connection-%d.svg" % c["id"])
    try:
        root = ET.parse(p).getroot()
    except Exception as e:
        bad.append("%s: %s" % (p, e)); continue
    arrows = sum(1 for l in root.iter(ns + "line") if l.get("marker-end"))
    # a ladder cut short (too many events for the memory cap) shows fewer arrows, never more
    if arrows > c["packets"] or (arrows < c["packets"] and c["packets"] < 1000):
        bad.append("%s: %d arrows, %d packets" % (p, arrows, c["packets"]))
if bad or not conns:
    print("; ".join(bad[:5]) or "no connections"); sys.exit(1)
print("%d pictures" % len(conns))
PY
if out=$("$py" "$tmp/svg_all.py" "$tmp/all" "$tmp/all.jsonl" 2>&1); then good "svg-every-capture ($out)"; else bad svg-every-capture "$out"; fi

# ------------------------------------------------------------------ --mermaid
# mermaid_check NAME FILE "PACKETS...": every line is Mermaid's, one diagram per connection, one message per packet
cat >"$tmp/mermaid_check.py" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
want = [int(x) for x in sys.argv[2].split()]
syntax = [r"%% synfin: connection [0-9]+", r"sequenceDiagram", r"    participant C as client \S+", r"    participant S as server \S+",
          r"    Note (over C,S|left of C|right of S): [^;#<>%\n]+", r"    (C->>S|S->>C): [^;#<>%\n]+", r""]
msgs, diagrams = [], 0
for i, l in enumerate(lines):
    flat = re.sub(r"#([a-z]+|[0-9]+);", "E", l.replace("<br/>", " "))  # Mermaid's entity codes are text
    if not any(re.fullmatch(s, flat) for s in syntax):
        sys.exit("line %d is not Mermaid's: %r" % (i + 1, l))
    if l == "sequenceDiagram":
        diagrams += 1; msgs.append(0)
        assert lines[i - 1].startswith("%% synfin: connection"), "a diagram without its connection line"
        assert lines[i + 1].startswith("    participant C") and lines[i + 2].startswith("    participant S"), "no participants"
    elif "->>" in l:
        msgs[-1] += 1
assert msgs == want, "messages per diagram %s, packets %s" % (msgs, want)
PY
mermaid_check() {
    local out
    if out=$("$py" "$tmp/mermaid_check.py" "$2" "$3" 2>&1); then good "$1"; else bad "$1" "$out"; fi
}
"$SYNFIN" --mermaid --ca-file "$ca" -r "$tls" >"$tmp/tls.mmd"
mermaid_check mermaid-syntax "$tmp/tls.mmd" "$n_tls"
seq_ok=1
for w in 'participant C as client 10.99.1.2:45226' 'participant S as server 10.99.1.1:443' 'Note left of C: SYN_SENT' \
    'Note right of S: SYN_RECV' 'Note over C,S: TLS 1.2 handshake' 'C->>S: PSH+ACK seq=1 ack=1 len=183 win=64512 (0.000480 s)<br/>ClientHello (SNI www.synfin.test)' \
    'S->>C: PSH+ACK seq=1449 ack=184 len=722 win=65536 (0.002513 s)<br/>Certificate (2, ok), ServerKeyExchange, ServerHelloDone' \
    'Note over C,S: TLS session established' 'Note right of S: TIME_WAIT'; do
    grep -qxF -- "    $w" "$tmp/tls.mmd" || { bad mermaid-content "no line '$w'"; seq_ok=0; break; }
done
[ $seq_ok = 1 ] && good mermaid-content
"$SYNFIN" --mermaid=2 -r "$cap/tls/tls12-sessionid-resume.pcap" >"$tmp/two.mmd"
if [ "$(grep -c '^sequenceDiagram$' "$tmp/two.mmd")" = 1 ] && [ "$(head -1 "$tmp/two.mmd")" = '%% synfin: connection 2' ]; then
    good mermaid-id; else bad mermaid-id "$(head -2 "$tmp/two.mmd")"; fi
"$SYNFIN" -q --mermaid --ca-file "$ca" "${rargs[@]}" >"$tmp/all.mmd" 2>/dev/null
mermaid_check mermaid-every-capture "$tmp/all.mmd" "$("$py" -c '
import json, sys
print(" ".join(str(json.loads(l)["packets"]) for l in open(sys.argv[1]) if l.startswith("{\"id\"")))' "$tmp/all.jsonl")"

# ------------------------------------------------------------------ --width, COLUMNS
# widest FILE: the widest line's columns, SGR escapes left out
widest() { "$py" -c '
import re, sys
print(max(len(re.sub(r"\x1b\[[0-9;]*m", "", l.rstrip("\r\n"))) for l in open(sys.argv[1], encoding="utf-8")))' "$1"; }
gen="$tmp/gen"
"$py" "$SRCDIR/tests/tuicap.py" "$gen" || bad tuicap "tests/tuicap.py failed"
for w in 67 80 100 160; do
    "$SYNFIN" --ladder --width "$w" --ca-file "$cap/tls/certs/ca.pem" -r "$tls" -r "$gen/longuri.pcap" -r "$gen/v6long.pcap" >"$tmp/w$w"
    got=$(widest "$tmp/w$w")
    if [ "$got" = "$w" ]; then good "width-$w"; else bad "width-$w" "the widest line has $got columns"; fi
done
# header lines broken after a comma, indented; a part longer than the width cut with "…"
if grep -qx '    first GET /a-long-path-segment/a-long-path-segment/a-long-path-segment/a-lo…' "$tmp/w80" &&
    grep -qx '  HTTP/1.x: 1 requests, 1 responses,' "$tmp/w80"; then good header-cut-ellipsis; else
    bad header-cut-ellipsis "$(grep -A1 'HTTP/1.x' "$tmp/w80")"; fi
if grep -qx '  handshake complete (rtt 0.031 ms), teardown four-way (closed by server),' "$tmp/w80" &&
    grep -qx '  handshake complete (rtt 0.031 ms), teardown four-way (closed by server), 17 packets' "$tmp/w100"; then
    good header-fits-width; else bad header-fits-width "the TLS connection's header is not broken at 80 nor whole at 100"; fi
COLUMNS=100 "$SYNFIN" --ladder --ca-file "$ca" -r "$tls" >"$tmp/c100"
if cmp -s "$tmp/c100" <("$SYNFIN" --ladder --width 100 --ca-file "$ca" -r "$tls"); then good columns-piped; else
    bad columns-piped "COLUMNS=100 is not --width 100 (widest $(widest "$tmp/c100"))"; fi
COLUMNS=100 "$SYNFIN" --ladder --width 70 --ca-file "$ca" -r "$tls" >"$tmp/c70"
if [ "$(widest "$tmp/c70")" = 70 ]; then good width-beats-columns; else bad width-beats-columns "widest $(widest "$tmp/c70")"; fi
for junk in 12abc 9999 ''; do
    COLUMNS=$junk "$SYNFIN" --ladder --ca-file "$ca" -r "$tls" >"$tmp/cj"
    if [ "$(widest "$tmp/cj")" = 80 ]; then good "columns-ignored-'$junk'"; else bad "columns-ignored-'$junk'" "widest $(widest "$tmp/cj")"; fi
done
# on a terminal (a pseudo-terminal from script(1)) its width
if command -v script >/dev/null 2>&1; then
    script -qec "stty cols 120 rows 40; $(printf %q "$SYNFIN") --ladder -r $(printf %q "$tls") --color=never" /dev/null | tr -d '\r' >"$tmp/tty"
    if [ "$(widest "$tmp/tty")" = 120 ]; then good width-terminal; else bad width-terminal "widest $(widest "$tmp/tty") on a 120-column terminal"; fi
fi

# ------------------------------------------------------------------ --color
sgr() { grep -c $'\e\\[' "$1"; }
"$SYNFIN" --ladder --color=always --ca-file "$ca" -r "$tls" >"$tmp/lc"
# the interface's colours: states yellow, the client's arrows green, the server's cyan, phases blue
colours_ok=1
for want in $'\e[33mSYN_SENT\e[0m' $'\e[33mTIME_WAIT\e[0m' $'\e[34m' $'\e[32m' $'\e[36m' $'\e[1mconnection 1:'; do
    grep -qF -- "$want" "$tmp/lc" || { colours_ok=0; bad color-ladder "no $(printf %q "$want")"; break; }
done
[ $colours_ok = 1 ] && good color-ladder
# with the escapes taken out it is the plain ladder
if cmp -s <(sed 's/\x1b\[[0-9;]*m//g' "$tmp/lc") <("$SYNFIN" --ladder --ca-file "$ca" -r "$tls"); then good color-same-text; else
    bad color-same-text "the coloured ladder's text differs from the plain one"; fi
merged="$tmp/three.pcap"
{ cat "$cap/refused.pcap"; tail -c +25 "$cap/http-client-close.pcap"; tail -c +25 "$cap/syn-unanswered.pcap"; } >"$merged"
"$SYNFIN" --summary --color=always -r "$merged" >"$tmp/sc"
# each row in its outcome's colour: 1 refused (yellow), 2 clean (green), 3 unanswered (yellow)
if grep -qE $'^\e\\[33m +1 10\\.99' "$tmp/sc" && grep -qE $'^\e\\[32m +2 10\\.99' "$tmp/sc" && grep -qE $'^\e\\[33m +3 10\\.99' "$tmp/sc"; then
    good color-summary-rows; else bad color-summary-rows "$(cat -v "$tmp/sc" | head -5)"; fi
"$SYNFIN" --ladder --color=never -r "$merged" >"$tmp/ln"; "$SYNFIN" --summary -r "$merged" >"$tmp/sn"
"$SYNFIN" --ladder -r "$merged" >"$tmp/la"
if [ "$(sgr "$tmp/ln")" = 0 ] && [ "$(sgr "$tmp/sn")" = 0 ] && [ "$(sgr "$tmp/la")" = 0 ]; then good color-never-and-piped; else
    bad color-never-and-piped "escapes in never/auto output written to a file"; fi
if command -v script >/dev/null 2>&1; then
    tty_run() { script -qec "$*" /dev/null | tr -d '\r'; }
    cmd="$(printf %q "$SYNFIN") --summary -r $(printf %q "$merged")"
    tty_run "$cmd" >"$tmp/t1"
    NO_COLOR=1 tty_run "$cmd" >"$tmp/t2"
    TERM=dumb tty_run "$cmd" >"$tmp/t3"
    NO_COLOR=1 tty_run "$cmd --color=always" >"$tmp/t4"
    if [ "$(sgr "$tmp/t1")" -gt 0 ]; then good color-auto-terminal; else bad color-auto-terminal "no colour on a terminal"; fi
    if [ "$(sgr "$tmp/t2")" = 0 ]; then good color-no-color; else bad color-no-color "NO_COLOR=1 still colours"; fi
    if [ "$(sgr "$tmp/t3")" = 0 ]; then good color-term-dumb; else bad color-term-dumb "TERM=dumb still colours"; fi
    if [ "$(sgr "$tmp/t4")" -gt 0 ]; then good color-always-over-no-color; else bad color-always-over-no-color "--color=always lost to NO_COLOR"; fi
else
    echo "skip color-auto: script(1) is not installed (no pseudo-terminal to test on)"
fi

echo "$((n - fail))/$n picture checks pass"
[ $fail = 0 ]
