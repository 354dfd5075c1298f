#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# capfiles.sh - capture files as users have them, end to end: several files
# and directories merged into one capture, pcapng with several link types,
# sections, interface names, statistics and decryption secrets, damage in
# the middle and at the end, gzip and zstd, standard input, FIFOs and
# process substitutions; and the run's own edges: signals while the output
# is blocked, write errors on -w and on standard output, -w onto an input,
# the tcpdump options.  The files are built by tests/capgen.py from the
# repository's captures.
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
cap="$SRCDIR/captures"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
python3 "$SRCDIR/tests/capgen.py" "$tmp" "$SRCDIR" || { echo "FAIL: capgen.py"; exit 1; }
fail=0 n=0
ok() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $1"; [ -f "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | head -5; }
# run ARGS...: stdout to $tmp/out, stderr to $tmp/err, status in $rc
run() { "$SYNFIN" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
conns() { grep -c '^{"id"' "$tmp/out"; }
json_of() { "$SYNFIN" --json "$@" 2>/dev/null; }

# --- several files as one capture
run --json -r "$tmp/part1.pcap" -r "$tmp/part2.pcap"
json_of -r "$cap/http-keepalive-2req.pcap" >"$tmp/whole"
if [ $rc = 0 ] && cmp -s "$tmp/out" "$tmp/whole"; then ok "-r a -r b: one connection across the two files, as in the whole file"
else bad "-r a -r b (exit $rc)"; diff "$tmp/out" "$tmp/whole" | head -5; fi
run --json -r "$tmp/part2.pcap" -r "$tmp/part1.pcap"
cmp -s "$tmp/out" "$tmp/whole" && ok "-r b -r a: merged by time, not by order" || bad "-r b -r a"
run --json -r "$tmp/rot"
if [ $rc = 0 ] && cmp -s "$tmp/out" "$tmp/whole" && grep -q "1 file in the directory left out: not captures" "$tmp/err"; then
    ok "a directory of rotated files (cap, cap1 ... cap10) and a README"
else bad "directory (exit $rc)"; fi
run --ladder --ascii -r "$tmp/part1.pcap" -r "$tmp/part2.pcap"
grep -qE '^ +[0-9.]+ +\| FIN\+ACK' "$tmp/out" && [ "$(grep -c 'connection 1' "$tmp/out")" = 1 ] &&
    ok "frame numbers and the ladder across files" || bad "ladder across files"

# --- pcapng: link types, names, sections, statistics
run --json -r "$tmp/multi.pcapng"
if [ $rc = 0 ] && [ "$(conns)" = 4 ] && grep -q '"interface":"eth0"' "$tmp/out" && grep -q '"interface":"tun0"' "$tmp/out" &&
    tail -n 1 "$tmp/out" | grep -q '^{"capture":{"received":100,"dropped":3,"if_dropped":2}}$'; then
    ok "pcapng: Ethernet and RAW interfaces, a big-endian section, interface statistics"
else bad "multi.pcapng (exit $rc, $(conns) connections)"; tail -n 2 "$tmp/out"; fi
grep -q '3 dropped by the OS, 2 by the interface' "$tmp/err" && ok "interface statistics noted on stderr" || bad "ISB note"
run --summary -r "$tmp/multi.pcapng"
grep -q '^capture: *100 received, 3 dropped by the kernel, 2 dropped by the interface' "$tmp/out" &&
    ok "interface statistics in the summary" || bad "ISB summary"
run --json -r "$tmp/twoif.pcapng"
grep -q '"interface":"inside","interfaces":\["inside","outside"\]' "$tmp/out" &&
    ok "a connection seen on two interfaces lists both" || bad "interfaces (exit $rc)"
run --json -r "$tmp/spb.pcapng"
[ $rc = 0 ] && [ "$(conns)" = 1 ] && grep -q '"packets":10' "$tmp/out" && ok "Simple Packet Blocks" || bad "SPB"

# --- decryption secrets inside the capture, merged with --keylog
run --json -r "$tmp/dsb.pcapng"
grep -q '"decrypted":true' "$tmp/out" && grep -q '"first_request":"GET /tls13-full"' "$tmp/out" &&
    ok "a Decryption Secrets Block decrypts as --keylog would" || bad "DSB (exit $rc)"
run --json -r "$tmp/dsb.pcapng" -r "$cap/tls/tls12-ecdhe-rsa.pcap" --keylog "$cap/tls/tls12-ecdhe-rsa.keys"
[ "$(grep -c '"decrypted":true' "$tmp/out")" = 2 ] && ok "secrets block and --keylog together" || bad "DSB + --keylog"
run --json --tcp-only -r "$tmp/dsb.pcapng"
[ $rc = 0 ] && ! grep -q '"tls"' "$tmp/out" && ok "--tcp-only leaves the secrets alone" || bad "--tcp-only with a DSB"

# --- reading ahead on a second thread: the same output, secrets and all
for args in "-r $tmp/many.pcap" "-r $tmp/part2.pcap -r $tmp/part1.pcap -r $tmp/multi.pcapng" "-r $tmp/dsb.pcapng" "-r $tmp/bigrec.pcap"; do
    # shellcheck disable=SC2086  # the file arguments
    "$SYNFIN" --json --threads 1 $args >"$tmp/one" 2>"$tmp/one.err"; r1=$?
    # shellcheck disable=SC2086
    "$SYNFIN" --json --threads 2 $args >"$tmp/two" 2>"$tmp/two.err"; r2=$?
    if [ $r1 = $r2 ] && cmp -s "$tmp/one" "$tmp/two" && cmp -s "$tmp/one.err" "$tmp/two.err" && [ -s "$tmp/one" ]; then
        ok "--threads 2 gives what --threads 1 does: ${args//$tmp\//}"
    else bad "--threads 2 differs from --threads 1 (exit $r1/$r2): ${args//$tmp\//}"; fi
done

# --- damage: both sides read, one line, exit 3
for f in bigrec.pcap lenlie.pcap badtrailer.pcapng; do
    run --json -r "$tmp/$f"
    lines=$(wc -l <"$tmp/err")
    if [ $rc = 3 ] && [ "$(conns)" = 2 ] && [ "$lines" = 1 ] && grep -q "$f: damaged: .* bytes skipped to the next plausible record" "$tmp/err"; then
        ok "$f: damage skipped, the connections on both sides, one line, exit 3"
    else bad "$f: exit $rc, $(conns) connections, $lines lines"; fi
done
run --json -r "$tmp/cut.pcap"
[ $rc = 3 ] && [ "$(conns)" = 1 ] && grep -q 'cut.pcap: truncated: the file ends inside a record' "$tmp/err" &&
    ok "a cut file: every whole packet, exit 3" || bad "cut.pcap (exit $rc)"

# --- compressed, streams
run --json -r "$tmp/http.pcap.gz"
cmp -s "$tmp/out" "$tmp/whole" && ok "gzip" || bad "gzip (exit $rc)"
if command -v zstd >/dev/null; then
    zstd -q "$cap/http-keepalive-2req.pcap" -o "$tmp/http.pcap.zst"
    run --json -r "$tmp/http.pcap.zst"
    cmp -s "$tmp/out" "$tmp/whole" && ok "zstd" || bad "zstd (exit $rc)"
fi
"$SYNFIN" --json -r - <"$tmp/http.pcap.gz" >"$tmp/out" 2>"$tmp/err"
cmp -s "$tmp/out" "$tmp/whole" && ok "gzip on standard input" || bad "-r - gzip"
run --json <(gzip -dc "$tmp/http.pcap.gz")
cmp -s "$tmp/out" "$tmp/whole" && ok "a process substitution, opened once" || bad "<(...) (exit $rc)"
mkfifo "$tmp/fifo"
cat "$tmp/http.pcap.gz" >"$tmp/fifo" &
run --json "$tmp/fifo"
cmp -s "$tmp/out" "$tmp/whole" && ok "a FIFO named as the input" || bad "FIFO (exit $rc)"
# the stream keeps flowing: connections are printed before the writer is done
( head -c 50000 "$tmp/many.pcap"; sleep 3 ) | timeout 10 "$SYNFIN" --json -r - >"$tmp/out" 2>"$tmp/err" &
sp=$!
sleep 1.5
[ -s "$tmp/out" ] && ok "a stream's connections are printed as they finish" || bad "stream output waits for the end"
wait $sp

# --- -w: a copy, standard output, an input, an old file, a full disk
run -q -r "$tmp/part1.pcap" -r "$tmp/part2.pcap" -w "$tmp/merged.pcap"
run --json -r "$tmp/merged.pcap"
cmp -s "$tmp/out" "$tmp/whole" && ok "-w of several files: one pcap in time order" || bad "-w merged"
"$SYNFIN" -r "$cap/http-keepalive-2req.pcap" -w - 2>/dev/null | "$SYNFIN" --json -r - >"$tmp/out" 2>&1
cmp -s "$tmp/out" "$tmp/whole" && ok "-w - writes the packets to standard output" || bad "-w -"
cp "$cap/refused.pcap" "$tmp/in.pcap"
run -r "$tmp/in.pcap" -w "$tmp/in.pcap"
[ $rc = 2 ] && cmp -s "$tmp/in.pcap" "$cap/refused.pcap" && grep -q "in.pcap: is also an input" "$tmp/err" &&
    ok "-r X -w X refused before anything is truncated" || bad "-r X -w X (exit $rc)"
ln -s "$tmp/in.pcap" "$tmp/link.pcap"
run -r "$tmp/rot" -r "$tmp/in.pcap" -w "$tmp/link.pcap"
[ $rc = 2 ] && cmp -s "$tmp/in.pcap" "$cap/refused.pcap" && ok "-w onto an input through a symbolic link refused" || bad "-w symlink (exit $rc)"
: >"$tmp/old.pcap" && chmod 644 "$tmp/old.pcap"
run -q -r "$cap/refused.pcap" -w "$tmp/old.pcap"
[ "$(stat -c %a "$tmp/old.pcap")" = 600 ] && ok "an existing -w file gets mode 0600" || bad "old -w file mode $(stat -c %a "$tmp/old.pcap")"
if [ -w /dev/full ]; then
    run --json -r "$cap/http-keepalive-2req.pcap" -w /dev/full
    [ $rc = 4 ] && grep -q "^synfin: /dev/full: cannot write: No space left on device" "$tmp/err" && [ "$(conns)" = 1 ] &&
        ok "-w onto a full disk: exit 4 naming the file, the connections still printed" || bad "-w /dev/full (exit $rc)"
    # standard output full: the run stops at once, though the input would go on for 20 s
    ( cat "$tmp/many.pcap"; sleep 20 ) | timeout 10 "$SYNFIN" --json -r - >/dev/full 2>"$tmp/err"
    rc=$?
    [ $rc = 4 ] && grep -q "error writing the output: No space left on device" "$tmp/err" &&
        ok "standard output full: exit 4 at once" || bad "stdout /dev/full (exit $rc)"
fi

# --- signals: every connection written whole, one line, exit 5 (and the -w file whole)
for sig in INT TERM HUP; do
    threads=$([ $sig = TERM ] && echo 2 || echo 1) # SIGTERM while reading ahead
    python3 - "$SYNFIN" "$tmp/many.pcap" "$sig" "$tmp/sig.pcap" "$threads" >"$tmp/sig.out" 2>&1 <<'PY'
import json, signal, subprocess, sys, time
synfin, path, sig, wfile, threads = sys.argv[1:6]
p = subprocess.Popen([synfin, "--json", "--threads", threads, "--memcap", "1M", "-r", path, "-w", wfile],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(0.7)                       # the pipe is full: synfin waits in write()
p.send_signal(getattr(signal, "SIG" + sig))
out, err = p.communicate(timeout=30)
lines = out.decode().splitlines()
bad = sum(1 for l in lines if not l.startswith("{") or not json.loads(l))
print(p.returncode, len(lines), bad, err.decode().strip().replace("\n", " | "))
PY
    read -r src lines badjson rest <"$tmp/sig.out"
    pk=$(python3 - "$tmp/sig.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read(); pos, n = 24, 0
while pos + 16 <= len(d):
    cl = struct.unpack('<I', d[pos + 8:pos + 12])[0]
    if pos + 16 + cl > len(d): print("cut"); sys.exit()
    pos += 16 + cl; n += 1
print(n if pos == len(d) else "cut")
PY
)
    if [ "$src" = 5 ] && [ "$badjson" = 0 ] && [ "$lines" -gt 0 ] && [ "$lines" -lt 4000 ] &&
        echo "$rest" | grep -q "interrupted by SIG$sig after [0-9]* packets" && [ "$pk" != cut ]; then
        ok "SIG$sig: $lines connections, every line JSON, exit 5, the -w file whole ($pk packets)"
    else bad "SIG$sig: $(cat "$tmp/sig.out"), -w file: $pk"; fi
done

# --- the tcpdump options
run -s 100 -r "$cap/refused.pcap"
[ $rc = 2 ] && grep -q -- "-s sets how a live capture is taken: it needs -i" "$tmp/err" && ok "-s without -i refused" || bad "-s -r"
run --json -w - -r "$cap/refused.pcap"
[ $rc = 2 ] && grep -q -- "-w - and --json cannot be used together" "$tmp/err" && ok "-w - with --json refused" || bad "-w - --json"
printf 'tcp port 8080  # the web server\n' >"$tmp/filter"
run --json -F "$tmp/filter" -r "$cap/http-client-close.pcap"
[ $rc = 0 ] && [ "$(conns)" = 1 ] && ok "-F FILE" || bad "-F (exit $rc)"
run --json -F "$tmp/filter" -r "$cap/http-client-close.pcap" port 9
[ $rc = 2 ] && grep -q -- "-F .* and a filter expression" "$tmp/err" && ok "-F with an expression refused" || bad "-F + expression"
run -D
[ $rc = 0 ] && grep -qE '^[0-9]+\.lo .*Loopback' "$tmp/out" && ok "-D lists the interfaces" || bad "-D (exit $rc)"
# a filter on a capture of two link types: compiled for each
run --json -r "$tmp/multi.pcapng" 'tcp port 80 or tcp port 8080'
[ $rc = 0 ] && [ "$(conns)" -ge 1 ] && ! grep -q "cannot be applied" "$tmp/err" && ok "one filter, two link types" || bad "filter per link type"

echo "$((n - fail))/$n capture file checks pass"
[ $fail = 0 ]
