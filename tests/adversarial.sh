#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# adversarial.sh - synfin against hostile captures (written by tests/adversarial.py
# into a temporary directory, deleted afterwards): a 2,000,000-connection SYN
# flood under --memcap, a million out-of-order segments, TLS lengths past the
# limits, 100,000 overlapping retransmissions, a snaplen sweep, pcapng blocks
# and pcap records with absurd lengths, one ladder too big for --memcap, a flood of
# IP fragments that never complete under --memcap 16M, and
# 100,000 SYNs crafted to collide in the old flow hash against 100,000 random
# ones (the CPU time ratio of the two is reported, and must stay small).  Each
# run must exit with the documented status, print no sanitizer report, finish
# under `timeout 300`, stay under its peak-RSS bound (/usr/bin/time -f %M),
# say what it capped, and still report the one normal connection every
# capture holds exactly as constructed.
#
# Peak RSS bounds, and what they were measured at on a 2-core Debian 12 box
# (plain build / the sanitized build of .ci/run, CFLAGS=-O1 -g):
#   base         the same build reading a tiny TLS capture: 12.2 MiB / 32 to 33 MiB (the
#                libraries, the first huge pages of the heap, and the system
#                trust store's index, read at the first TLS connection; ASan
#                adds its shadow and allocator).  The bounds other than the flood's are base +
#                slack, so one bound holds in both builds and still catches a
#                buffered 16 MiB message.
#   syn-flood    the whole process stays under the cap it was given (synfin(1),
#                --memcap: the flow table, the key log and the interface's list
#                count inside it, and a reserve for the program itself): peak
#                RSS < 64 MiB with --memcap 64M (measured 53 MiB), < 1024 MiB
#                with the default 1G (998 MiB), and in the interface, driven on a
#                pseudo-terminal, 57 and 1005 MiB (its VmHWM).  The old code took
#                75 MiB, 1117 MiB and 1410 MiB (the interface under 64M).  A
#                sanitized build gets half the cap plus 150 MiB more (its shadow
#                and redzones grow with the heap: measured 115 MiB under 64M,
#                135 MiB for the interface, 1409 MiB under 1G; the interface
#                under 1G is not run there).  ASan's default 256 MiB
#                quarantine of freed blocks would add its whole size (the flood
#                frees 2 million connections: 505 MiB measured) - a cost of the
#                sanitizer, not of synfin - so ASAN_OPTIONS gets
#                quarantine_size_mb=16 below (use-after-free is still caught
#                within the last 16 MiB freed).
#   ooo-million  base + 32 MiB (the ASan quarantine fills with freed held
#                segments): measured base + 0 / base + 18 MiB.
#   tls-2p24     base + 8 MiB: neither 2^24-1-byte message may be buffered
#                (14 MB of each was sent): measured base + 0.3 / + 0.5 MiB.
#   overlap-100k base + 16 MiB, ladder-memcap base + 16 MiB (measured + 1.4 /
#                + 4.3 MiB: the ladder's layout); snaplen, pcapng and pcap
#                base + 8 MiB (measured + 0.3 / + 0.3).
#   frag-flood   --memcap 16M gives fragments 2 MiB: base + 24 MiB, base + 48 MiB
#                sanitized (ASan's 16 MiB quarantine holds freed fragment
#                buffers, with redzones and shadow): measured base + 0 plain,
#                + 27.5 to + 38 MiB sanitized (70 MiB; the build before this
#                bound measured the same 70 MiB on the same day).  The
#                sanitized bound was base + 24 while the base held a parsed
#                trust store (12 MiB under ASan); trust_index.h took that
#                unsaid slack away.  Without the fragment budget all 60,000
#                unfinished datagrams (about 72 MB) would be held: still far
#                past either bound.
# Time: the flood is read five times (--json and --summary under 64M, --summary
# under 1G, the interface under both); the whole script takes about 2 minutes
# plain, 4 to 5 under ASan (generating the files: ~30 s and 530 MB of disk,
# deleted at the end).
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not found (apt-get install time)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
command -v timeout >/dev/null || { echo "SKIP: timeout not found"; exit 77; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/synfin-adversarial.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"

start=$(date +%s)
python3 "$SRCDIR/tests/adversarial.py" "$dir" || { echo "FAIL: adversarial.py could not write the captures"; exit 1; }
echo "     captures written in $(( $(date +%s) - start )) s ($(du -sm "$dir" | cut -f1) MB)"

python3 - "$SYNFIN" "$dir" "$SRCDIR" <<'PY'
import json, os, re, subprocess, sys, time

synfin, d, srcdir = sys.argv[1], sys.argv[2], sys.argv[3]
E = json.load(open(os.path.join(d, "expect.json")))
MiB = 1024
results = []
SANITIZER = re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: \w*Sanitizer")


def check(ok, msg):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + msg, flush=True)
    return ok


class Run:
    pass


def run(name, args, digest=None):
    """synfin ARGS DIR/NAME under timeout and /usr/bin/time; stdout goes through digest(lines) as it comes."""
    r = Run()
    tag = os.path.basename(name) + "." + "-".join(a.strip("-") for a in args if a.startswith("--"))
    rssf, errf = os.path.join(d, tag + ".rss"), os.path.join(d, tag + ".err")
    cmd = ["timeout", "-k", "10", "300", "/usr/bin/time", "-f", "%M %U %S", "-o", rssf, synfin] + args + \
          [os.path.join(d, name)]
    t0 = time.monotonic()
    with open(errf, "wb") as ef:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=ef)
        r.out = digest(p.stdout) if digest else p.stdout.read()
        for _ in p.stdout:  # a digest that stopped early: drain
            pass
        r.rc = p.wait()
    r.secs = time.monotonic() - t0
    r.err = open(errf, encoding="utf-8", errors="replace").read()
    r.rss, r.cpu = 0, 0.0
    try:
        lines = [l for l in open(rssf).read().split("\n") if l.strip()]
        f = lines[-1].split()  # "Command exited with non-zero status N" may come first
        r.rss, r.cpu = int(f[0]), float(f[1]) + float(f[2])
    except (OSError, ValueError, IndexError):
        pass
    r.label = "%s %s" % (os.path.basename(name), " ".join(args))
    return r


def basics(r, want_rc, bound_kib, bound_label):
    """Exit status, no sanitizer report, no timeout, peak RSS."""
    if r.rc == 124 or r.rc == 137:
        check(False, "%s: finished within 300 s (killed by timeout after %.0f s)" % (r.label, r.secs))
    else:
        check(r.rc == want_rc, "%s: exit status %d (expected %d), %.1f s" % (r.label, r.rc, want_rc, r.secs))
    m = SANITIZER.search(r.err)
    check(not m, "%s: no sanitizer report on stderr%s" % (r.label, "" if not m else ": " + r.err[m.start():][:300]))
    check(0 < r.rss < bound_kib, "%s: peak RSS %.1f MiB < %s = %.1f MiB" % (r.label, r.rss / MiB, bound_label,
                                                                          bound_kib / MiB))


def jsonl(stream):
    return [json.loads(l) for l in stream if l.strip()]


def by_client(conns, client):
    found = [c for c in conns if c.get("client") == client]
    return found[0] if len(found) == 1 else None


def normal_ok(r, c, want):
    """The one normal connection, as constructed."""
    if c is None:
        return check(False, "%s: the normal connection %s is reported (once)" % (r.label, want["client"]))
    http = c.get("http") or {}
    got = {"server": c.get("server"), "handshake": c.get("handshake"), "teardown": c.get("teardown"),
           "closed_by": c.get("closed_by"), "app": c.get("app"), "first_request": http.get("first_request"),
           "first_status": http.get("first_status"), "packets": c.get("packets"), "bytes_c2s": c.get("bytes_c2s"),
           "bytes_s2c": c.get("bytes_s2c")}
    bad = {k: (v, want[k]) for k, v in got.items() if v != want[k]}
    return check(not bad, "%s: normal connection %s: complete, four-way, http GET /index.html 200, %d/%d bytes%s" %
                 (r.label, want["client"], want["bytes_c2s"], want["bytes_s2c"],
                  "" if not bad else " -- got (value, expected): %r" % bad))


def summary_row(text, client):
    """The summary row of a client as a list of columns."""
    for line in text.splitlines():
        f = line.split()
        if len(f) > 2 and f[1] == client:
            return f
    return None


def normal_row_ok(r, text, want):
    f = summary_row(text, want["client"])
    # id client server handshake teardown states packets bytes duration app tls tls-hs host
    good = f is not None and len(f) >= 13 and f[3] == "complete" and f[4] == "four-way" and \
        f[6] == str(want["packets"]) and f[7] == str(want["bytes_c2s"] + want["bytes_s2c"]) and f[9] == "http" and \
        f[12] == "normal.test"
    return check(good, "%s: summary row of the normal connection: complete four-way http%s" %
                 (r.label, "" if good else " -- got %r" % (f,)))


def capped_line(text):
    m = re.search(r"^capped: +(\d+) connections evicted \(--memcap\), (\d+) out-of-order bytes not kept "
                  r"\(--reassembly-cap\), (\d+) holes given up, (\d+) ladders cut short$", text, re.M)
    return tuple(int(x) for x in m.groups()) if m else None


# A sanitized build carries the sanitizer's own memory (shadow memory, redzones around every block, the
# quarantine), which grows with the heap: the bounds that say "under the cap" are the cap itself for a
# plain build, half as much again plus 150 MiB for that one (measured: 115 MiB under 64M, 1409 MiB under 1G).
SANITIZED = b"__asan_init" in open(synfin, "rb").read()


def under_cap(cap_kib):
    return cap_kib + (cap_kib // 2 + 150 * MiB if SANITIZED else 0)


# ---------------------------------------------------------------- base: a tiny capture, same build
# with a TLS connection, so that it loads the system trust store as the TLS cases do
base_run = run(os.path.abspath(os.path.join(srcdir, "captures", "tls", "tls12-ecdhe-rsa.pcap")), ["--json"], jsonl)
base = base_run.rss
print("     base peak RSS of this build: %.1f MiB" % (base / MiB), flush=True)
if not base:
    check(False, "could not measure the base peak RSS (/usr/bin/time -o)")
    base = 64 * MiB

# ---------------------------------------------------------------- 1. SYN flood under --memcap 64M
e = E["syn-flood.pcap"]
N = e["connections"]
normal_needle = ('"client":"%s"' % e["normal"]["client"]).encode()
normal_column = (" %s " % e["normal"]["client"]).encode()


def flood_digest(stream):
    st = {"lines": 0, "evicted": 0, "syn_only": 0, "dup_or_bad_id": 0, "normal": [], "invalid": 0}
    seen = bytearray(N + 1)
    for line in stream:
        st["lines"] += 1
        try:
            i = int(line[6:line.index(b",")]) if line.startswith(b'{"id":') else 0
        except ValueError:
            i = 0
        if 1 <= i <= N and not seen[i]:
            seen[i] = 1
        else:
            st["dup_or_bad_id"] += 1
        if b'"capped":{"evicted":true' in line:
            st["evicted"] += 1
        if b'"handshake":"syn-only"' in line:
            st["syn_only"] += 1
        if normal_needle in line:
            st["normal"].append(json.loads(line))
        elif st["lines"] % 997 == 1:  # spot-check that lines are whole JSON objects
            try:
                json.loads(line)
            except ValueError:
                st["invalid"] += 1
    return st


r = run("syn-flood.pcap", ["--json", "--memcap", "64M"], flood_digest)
basics(r, 0, under_cap(64 * MiB), "--memcap 64 MiB" + (" and the sanitizer's share" if SANITIZED else ""))
st = r.out
print("     syn-flood --json: %d connections in %.1f s = %.0f connections/s, peak RSS %.1f MiB" %
      (st["lines"], r.secs, st["lines"] / r.secs if r.secs else 0, r.rss / MiB), flush=True)
flood_rss = r.rss
check(st["lines"] == N, "%s: %d JSON lines (expected %d)" % (r.label, st["lines"], N))
check(st["dup_or_bad_id"] == 0 and st["invalid"] == 0,
      "%s: ids 1..%d each once, lines are JSON (%d bad ids, %d bad lines)" % (r.label, N, st["dup_or_bad_id"],
                                                                             st["invalid"]))
check(st["syn_only"] == e["syn_only"], "%s: %d connections syn-only (expected %d)" % (r.label, st["syn_only"],
                                                                                      e["syn_only"]))
m = re.search(r"synfin: \S+: note: (\d+) connections finalized early to stay under --memcap", r.err)
noted = int(m.group(1)) if m else -1
check(st["evicted"] > 0 and noted == st["evicted"],
      "%s: evictions reported: %d with capped.evicted, stderr note says %d" % (r.label, st["evicted"], noted))
normal_ok(r, st["normal"][0] if len(st["normal"]) == 1 else None, e["normal"])
flood_evicted = st["evicted"]


def summary_digest(stream):
    st = {"rows": 0, "normal": None, "tail": []}
    for line in stream:
        st["rows"] += 1
        if normal_column in line:
            st["normal"] = line.decode()
        st["tail"].append(line)
        if len(st["tail"]) > 12:
            del st["tail"][0]
    st["tail"] = b"".join(st["tail"]).decode()
    return st


r = run("syn-flood.pcap", ["--summary", "--memcap", "64M"], summary_digest)
basics(r, 0, under_cap(64 * MiB), "--memcap 64 MiB" + (" and the sanitizer's share" if SANITIZED else ""))
st = r.out
check(re.search(r"^%d connections, " % N, st["tail"], re.M),
      "%s: the totals count %d connections" % (r.label, N))
capped = capped_line(st["tail"])
check(capped and capped[0] > 0 and capped[0] == flood_evicted,
      "%s: summary's capped: line gives %s evicted (the JSON run: %d)" % (r.label, capped and capped[0],
                                                                       flood_evicted))
check(re.search(r"^handshake: +complete 1, syn-only %d$" % e["syn_only"], st["tail"], re.M),
      "%s: handshake totals: complete 1, syn-only %d" % (r.label, e["syn_only"]))
normal_row_ok(r, st["normal"] or "", e["normal"])

# ---------------------------------------------------------------- 1b. the whole process under the cap it was given
# The flood with the default cap (1G) too, and in the interface (on a pseudo-terminal, its peak resident
# set read from /proc as it loads the file): the connection table, the list's rows and the program itself
# count inside the cap.


def tui_peak(argv, limit=300):
    """Run the interface on a pseudo-terminal until it says the file is read; (loaded, peak RSS KiB, secs)."""
    import fcntl, pty, select, signal, struct, termios
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    t0, tail, done, hwm = time.monotonic(), b"", False, 0
    while time.monotonic() - t0 < limit and not done:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                b = os.read(fd, 65536)
            except OSError:
                break
            if not b:
                break
            tail = (tail + b)[-4096:]
            done = re.search(rb"read \d+ packets", tail) is not None
        try:
            hwm = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/%d/status" % pid).read()).group(1))
        except (OSError, AttributeError):
            pass
    secs = time.monotonic() - t0
    try:
        os.write(fd, b"q")
    except OSError:
        pass
    time.sleep(0.5)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return done, hwm, secs


e = E["syn-flood.pcap"]
figures = []
r = run("syn-flood.pcap", ["--summary"], summary_digest)
basics(r, 0, under_cap(1024 * MiB), "the default --memcap 1G" + (" and the sanitizer's share" if SANITIZED else ""))
check(re.search(r"^%d connections, " % e["connections"], r.out["tail"], re.M),
      "%s: the totals count %d connections" % (r.label, e["connections"]))
figures.append("plain, default 1G: %.1f MiB" % (r.rss / MiB))
figures.append("plain, --memcap 64M: %.1f MiB" % (flood_rss / MiB))
for cap_args, cap_kib, label in ((["--memcap", "64M"], 64 * MiB, "--memcap 64M"), ([], 1024 * MiB, "default 1G")):
    if SANITIZED and not cap_args:
        print("     interface, default 1G: not run under the sanitizer (its memory and time)", flush=True)
        continue
    done, hwm, secs = tui_peak([synfin] + cap_args + [os.path.join(d, "syn-flood.pcap")])
    check(done and 0 < hwm < under_cap(cap_kib),
          "interface, %s: the flood loaded in %.0f s, peak RSS %.1f MiB < %.0f MiB%s" %
          (label, secs, hwm / MiB, under_cap(cap_kib) / MiB, "" if done else " -- it never said it was done"))
    figures.append("interface, %s: %.1f MiB" % (label, hwm / MiB))
print("     memory of the 2,000,000-connection flood (peak RSS): " + "; ".join(figures), flush=True)

# ---------------------------------------------------------------- 2. a million out-of-order segments
e = E["ooo-million.pcap"]
r = run("ooo-million.pcap", ["--json", "--reassembly-cap", "4K"], jsonl)
basics(r, 0, base + 32 * MiB, "base + 32 MiB")
check(r.secs < 60, "%s: done in %.1f s (< 60 s: no quadratic walk over held segments)" % (r.label, r.secs))
c = by_client(r.out, e["conn"]["client"])
if check(c is not None, "%s: the out-of-order connection is reported" % r.label):
    cp = c["capped"]
    check(cp["holes_given_up"] > 0 and cp["reassembly_bytes"] > 0,
          "%s: capped.holes_given_up %d > 0, capped.reassembly_bytes %d > 0" % (r.label, cp["holes_given_up"],
                                                                             cp["reassembly_bytes"]))
    missing = e["missing_segments"] * e["seglen"]
    check(c["packets"] == e["segments"] + 3 and c["gap_bytes"] >= missing,
          "%s: %d packets (expected %d), gap_bytes %d >= the %d bytes never sent" %
          (r.label, c["packets"], e["segments"] + 3, c["gap_bytes"], missing))
    ooo_holes = cp["holes_given_up"]
else:
    ooo_holes = -1
normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])
r = run("ooo-million.pcap", ["--summary", "--reassembly-cap", "4K"])
basics(r, 0, base + 32 * MiB, "base + 32 MiB")
text = r.out.decode()
capped = capped_line(text)
check(capped and capped[2] == ooo_holes and capped[1] > 0,
      "%s: summary's capped: line gives %s holes given up (JSON: %d) and %s bytes not kept" %
      (r.label, capped and capped[2], ooo_holes, capped and capped[1]))
normal_row_ok(r, text, e["normal"])

# ---------------------------------------------------------------- 3. TLS lengths past the limits
e = E["tls-2p24.pcap"]
r = run("tls-2p24.pcap", ["--json"], jsonl)
basics(r, 0, base + 8 * MiB, "base + 8 MiB (nothing of the 2^24-1-byte messages buffered)")
k = e["conns"]
c = by_client(r.out, k["client_record_ffff"]["client"])
# synfin(1): a TLS record header is recognised with "a plausible length" only; 0xffff is not
check(c and c["app"] == "unknown" and "tls" not in c and c["bytes_c2s"] == k["client_record_ffff"]["bytes_c2s"],
      "%s: client's first record claims 0xffff bytes: app unknown (no plausible TLS record), all %d bytes counted" %
      (r.label, k["client_record_ffff"]["bytes_c2s"]))


def tls_failed_with_note(name, why, note_test):
    c = by_client(r.out, k[name]["client"])
    t = (c or {}).get("tls") or {}
    note = t.get("note")
    ok = c is not None and c["app"] == "tls" and t.get("handshake") in ("incomplete", "failed") and \
        bool(note) and note_test(note)
    for key in ("bytes_c2s", "bytes_s2c"):
        if key in k[name] and c is not None and c[key] != k[name][key]:
            ok = False
            why += " [%s %d, expected %d]" % (key, c[key], k[name][key])
    check(ok, "%s: %s: app tls, handshake incomplete or failed, with a note (app %s, handshake %s, note %r)" %
          (r.label, why, c and c["app"], t.get("handshake"), note))


tls_failed_with_note("server_record_ffff", "server's first record claims 0xffff bytes",
                     lambda n: "capture starts inside a record" not in n)  # the handshake was captured
tls_failed_with_note("client_hello_2p24", "ClientHello claims 2^24-1 bytes, 10,000 segments follow",
                     lambda n: "16777215" in n)
tls_failed_with_note("certificate_2p24", "Certificate claims 2^24-1 bytes, 10,000 segments follow",
                     lambda n: "16777215" in n)
normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])

# ---------------------------------------------------------------- 4. overlapping retransmissions
e = E["overlap-100k.pcap"]
r = run("overlap-100k.pcap", ["--json"], jsonl)
basics(r, 0, base + 16 * MiB, "base + 16 MiB")
check(r.secs < 60, "%s: done in %.1f s (< 60 s)" % (r.label, r.secs))
c = by_client(r.out, e["conn"]["client"])
if check(c is not None, "%s: the retransmitting connection is reported" % r.label):
    check(c["bytes_c2s"] == e["distinct_bytes"] and c["gap_bytes"] == 0,
          "%s: bytes_c2s %d == the distinct range %d (each byte once), gap_bytes %d" %
          (r.label, c["bytes_c2s"], e["distinct_bytes"], c["gap_bytes"]))
    check(c["analysis"]["retransmissions"] == e["retransmissions"],
          "%s: %d retransmissions counted (expected %d)" % (r.label, c["analysis"]["retransmissions"],
                                                            e["retransmissions"]))
    h = c.get("http") or {}
    check(h.get("first_request") == e["first_request"] and h.get("first_status") == 200 and
          c["bytes_s2c"] == e["bytes_s2c"] and c["teardown"] == "four-way",
          "%s: the first copy wins: first_request %r (expected %r), status %r, four-way" %
          (r.label, h.get("first_request"), e["first_request"], h.get("first_status")))
normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])

# ---------------------------------------------------------------- 5. snaplen sweep
e = E["snaplen-sweep.pcap"]
r = run("snaplen-sweep.pcap", ["--json"], jsonl)
basics(r, 0, base + 8 * MiB, "base + 8 MiB")
trunc = sum(c.get("truncated_packets", 0) for c in r.out)
check(trunc == e["truncated_payload"], "%s: %d packets with a cut payload counted (expected %d)" %
      (r.label, trunc, e["truncated_payload"]))
check(re.search(r"warning: %d packets skipped \(0 malformed headers, %d truncated headers\)" %
                (e["truncated_headers"], e["truncated_headers"]), r.err),
      "%s: stderr says %d packets skipped for truncated headers" % (r.label, e["truncated_headers"]))
normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])
r = run("snaplen-sweep.pcap", ["--summary"])
basics(r, 0, base + 8 * MiB, "base + 8 MiB")
text = r.out.decode()
want = "packets:   %d read, %d TCP, %d skipped (%d truncated headers)" % (e["packets"], e["tcp"],
                                                                       e["truncated_headers"],
                                                                       e["truncated_headers"])
check(want in text, "%s: skips counted: %r" % (r.label, want))
normal_row_ok(r, text, e["normal"])

# ---------------------------------------------------------------- 6. pcapng blocks with absurd lengths
for name in ("pcapng-absurd.pcapng", "pcapng-short.pcapng", "pcapng-odd.pcapng", "pcap-caplen-huge.pcap",
             "pcap-cut-record.pcap"):
    e = E[name]
    r = run(name, ["--json"], jsonl)
    basics(r, 3, base + 8 * MiB, "base + 8 MiB")
    lines = [l for l in r.err.splitlines() if l.strip()]
    path = os.path.join(d, name)
    check(len(lines) == 1 and lines[0].startswith("synfin: ") and path in lines[0],
          "%s: one line on stderr naming the file (%r)" % (r.label, r.err.strip()[:200]))
    normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])

# ---------------------------------------------------------------- 7. one ladder too big for --memcap
# synfin(1): "a single connection too big for the cap stops keeping its ladder's events": the others
# go on as they are (not evicted, packet after packet, into pieces), and the cut ladder says so.
e = E["ladder-memcap.pcap"]


def ladder_digest(stream):
    st = {"titles": [], "said": []}
    prev, cont = None, False
    for line in stream:
        line = line.decode("utf-8", "replace").rstrip("\n")
        if cont and line.startswith("    ") and line.strip():
            # the header's line broken to the width goes on, indented by four
            t, v = st["titles"][-1]
            st["titles"][-1] = (t, v + " " + line.strip())
            continue
        cont = False
        if prev is not None:
            st["titles"].append((prev, line.strip()))
            prev, cont = None, True
        if line.startswith("connection "):
            prev = line
        elif re.search(r"\bcut\b|not shown|capped", line):
            st["said"].append(line.strip())
    return st


r = run("ladder-memcap.pcap", ["--ladder", "--memcap", "256K"], ladder_digest)
basics(r, 0, base + 16 * MiB, "base + 16 MiB")
titles = r.out["titles"]


def ladder_of(client):
    return [v for t, v in titles if (" client %s," % client) in t]


nl, bl = ladder_of(e["normal"]["client"]), ladder_of(e["big"]["client"])
check(len(titles) == 2 and len(nl) == 1 and len(bl) == 1,
      "%s: one ladder per connection, none cut in pieces by eviction (%r)" % (r.label, [t for t, v in titles]))
check(len(nl) == 1 and nl[0].startswith("handshake complete") and
      nl[0].endswith("teardown four-way (closed by client), %d packets" % e["normal"]["packets"]),
      "%s: normal connection %s: handshake complete, four-way, %d packets (%r)" %
      (r.label, e["normal"]["client"], e["normal"]["packets"], nl))
check(len(bl) == 1 and bl[0].endswith("teardown four-way (closed by client), %d packets" % e["big"]["packets"]),
      "%s: the long connection: four-way, %d packets (%r)" % (r.label, e["big"]["packets"], bl))
said = r.out["said"] + [l for l in r.err.splitlines() if re.search(r"\bcut\b|not shown|capped", l)]
check(said, "%s: the ladder cut short is said on stdout or stderr (%r)" % (r.label, said[:2]))

# ---------------------------------------------------------------- 8. hash flooding of the flow table
# 100,000 SYNs whose 4-tuples all fell in one slot of the old, unkeyed flow hash, against 100,000
# random ones of the same shape: under the keyed hash they cost the same.  CPU time (user + system,
# not wall time: the machine is shared), the best of two runs each, and only a generous factor
# fails: the old code took 30 times longer (17.6 s against 0.59 s), the keyed table 1.0 to 1.2.
HASH_RATIO_MAX = 3.0
if "hash-colliding.pcap" in E and "hash-random.pcap" in E:
    n = E["hash-colliding.pcap"]["connections"]
    best = {}
    for attempt in range(2):
        for name in ("hash-random.pcap", "hash-colliding.pcap"):
            r = run(name, ["--summary"], summary_digest)
            if attempt == 0:
                # 100,000 open connections: about 1 KiB each (the sanitizer doubles that); measured
                # base + 96 MiB.  The base no longer holds a parsed trust store (trust_index.h), the
                # 4 MiB of slack this bound used to have without saying so; it says so now.
                basics(r, 0, base + (192 if SANITIZED else 104) * MiB,
                       "base + %d MiB" % (192 if SANITIZED else 104))
                check(re.search(r"^%d connections, " % n, r.out["tail"], re.M),
                      "%s: the totals count %d connections" % (r.label, n))
                check(re.search(r"^handshake: +syn-only %d$" % n, r.out["tail"], re.M),
                      "%s: handshake totals: syn-only %d" % (r.label, n))
            if r.rc == 0 and r.cpu > 0:
                best[name] = min(best.get(name, r.cpu), r.cpu)
    if check(len(best) == 2, "hash flood: both runs timed"):
        ratio = best["hash-colliding.pcap"] / best["hash-random.pcap"]
        print("     hash flood: %d colliding 4-tuples %.2f s CPU, %d random %.2f s CPU: ratio %.2f" %
              (n, best["hash-colliding.pcap"], n, best["hash-random.pcap"], ratio), flush=True)
        check(ratio < HASH_RATIO_MAX, "hash flood: colliding/random CPU time ratio %.2f < %.1f" %
              (ratio, HASH_RATIO_MAX))

# ---------------------------------------------------------------- 9. names from the wire: lists stay lists
if "tls-names.pcap" in E:
    e = E["tls-names.pcap"]
    r = run("tls-names.pcap", ["--json", "--no-verify"], jsonl)
    basics(r, 0, base + 16 * MiB, "base + 16 MiB")
    for key, want in sorted(e["conns"].items()):
        c = by_client(r.out, want["client"])
        t = (c or {}).get("tls") or {}
        got = {"sans": (t.get("certificate") or {}).get("sans"), "certificates": t.get("certificates"),
               "client_alpn": (t.get("client_hello") or {}).get("alpn"), "alpn": t.get("alpn")}
        bad = {k: (got[k], v) for k, v in want.items() if k in got and got[k] != v}
        check(c is not None and not bad, "%s: %s: %s%s" % (r.label, key, ", ".join(
            "%s %r" % (k, v) for k, v in sorted(want.items()) if k in got),
            "" if not bad else " -- got (value, expected): %r" % bad))
    normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])
    r = run("tls-names.pcap", ["--ladder", "--ascii", "--no-verify"])
    basics(r, 0, base + 16 * MiB, "base + 16 MiB")
    check(re.search(rb"\bCertificate \(300\b", r.out), "%s: the 300-certificate chain is labelled Certificate (300)" %
          r.label)

# ---------------------------------------------------------------- 10. a key log past a million client randoms
# no count limit: the newest key of 1,100,001 decrypts; its memory is counted in --memcap (at most half)
if "keylog-1m.keys" in E:
    e = E["keylog-1m.keys"]
    keys = os.path.join(d, "keylog-1m.keys")
    cap = os.path.abspath(os.path.join(srcdir, e["capture"]))
    r = run(cap, ["--json", "--keylog", keys, "--ca-file", os.path.join(srcdir, "captures/tls/certs/ca.pem")], jsonl)
    basics(r, 0, base + 200 * MiB, "base + 200 MiB")
    t = (r.out[0].get("tls") or {}) if len(r.out) == 1 else {}
    check(t.get("decrypted") is True and t.get("decrypted_records", 0) > 0,
          "%s: decrypted with the last of %d secrets (decrypted %r, records %r, note %r)" %
          (r.label, e["secrets"], t.get("decrypted"), t.get("decrypted_records"), t.get("decrypt_note")))
    print("     key log of %d secrets: peak RSS %.1f MiB (base %.1f MiB: %.0f bytes a secret)" %
          (e["secrets"], r.rss / MiB, base / MiB, (r.rss - base) * 1024.0 / e["secrets"]), flush=True)
    r = run(cap, ["--json", "--memcap", "64M", "--keylog", keys], jsonl)
    basics(r, 0, base + 64 * MiB, "base + 64 MiB")
    check(re.search(r"keylog-1m.keys:\d+: the key log's share of --memcap \(\d+ KiB\) is full", r.err),
          "%s: the key log's share of --memcap is full, said on stderr" % r.label)
    check(len(r.out) == 1, "%s: the connection is still reported" % r.label)

# ---------------------------------------------------------------- 11. text from the wire never reaches the terminal raw
RAW = [(b"\x1b]0;", "an OSC window title"), (b"\x1b[31mRED", "SGR red"), (b"\x1b[5mBLINK", "SGR blink"),
       (b"\x1b[2J\x1b[31m", "a screen clear from the wire"), (b"\xe2\x80\xae", "U+202E RLO"),
       (b"\xe2\x80\xac", "U+202C PDF"), (b"\xc2\x9b", "the C1 CSI"), (b"\x07", "BEL"),
       (b"^[", "ESC drawn as ^[ (two columns measured as one)")]


def raw_found(data, skip=()):
    return [what for pat, what in RAW if pat not in skip and pat in data]


def pty_drive(argv, keys, cols=160, rows=48, settle=1.5, step=0.15):
    """Run the interface on a pseudo-terminal (TERM=xterm-256color, C.UTF-8), type keys, return every byte it
    wrote to the terminal."""
    import fcntl, pty, select, signal, struct, termios
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = bytearray()

    def read_for(t):
        end = time.monotonic() + t
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.02)
            if ready:
                try:
                    b = os.read(fd, 65536)
                except OSError:
                    return False
                if not b:
                    return False
                out.extend(b)
        return True

    read_for(settle)
    for k in keys:
        try:
            os.write(fd, k)
        except OSError:
            break
        if not read_for(step):
            break
    read_for(0.5)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return bytes(out)


if "hostile-text.pcap" in E:
    e = E["hostile-text.pcap"]
    # JSON keeps the exact values, escaped as JSON requires
    r = run("hostile-text.pcap", ["--json", "--no-verify"], jsonl)
    basics(r, 0, base + 16 * MiB, "base + 16 MiB")
    k = e["conns"]["evil_names"]
    c = by_client(r.out, k["client"])
    t = (c or {}).get("tls") or {}
    cert = t.get("certificate") or {}
    got = {"sni": t.get("sni"), "alpn": t.get("alpn"), "client_alpn": (t.get("client_hello") or {}).get("alpn"),
           "san": (cert.get("sans") or [None])[0]}
    bad = {key: (got[key], k[key]) for key in got if got[key] != k[key]}
    check(not bad and k["subject_has"] in cert.get("subject", "") and k["issuer_has"] in cert.get("issuer", ""),
          "%s: JSON keeps the hostile SNI, ALPN, subject, issuer and SAN exactly%s" %
          (r.label, "" if not bad else " -- got (value, expected): %r" % bad))
    k = e["conns"]["evil_http"]
    h = (by_client(r.out, k["client"]) or {}).get("http") or {}
    check(h.get("first_request") == k["first_request"] and h.get("hosts") == [k["host"]],
          "%s: JSON keeps the hostile HTTP target and Host exactly (%r, %r)" % (r.label, h.get("first_request"),
                                                                             h.get("hosts")))
    normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])
    # the outputs that draw: summary, ladder (box drawing and ASCII)
    for args in (["--summary"], ["--ladder"], ["--ladder", "--ascii"], ["--summary", "--ascii"]):
        r = run("hostile-text.pcap", args + ["--no-verify"])
        basics(r, 0, base + 16 * MiB, "base + 16 MiB")
        found = raw_found(r.out)
        try:
            r.out.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        ascii_only = "--ascii" not in args or all(b < 0x80 for b in r.out)
        check(not found and utf8 and ascii_only and b"\\x1b]0;PWNED-TITLE\\x07" in r.out,
              "%s: wire text drawn escaped (\\x1b]0;PWNED-TITLE\\x07), nothing raw%s%s%s" %
              (r.label, "" if not found else " -- found " + ", ".join(found), "" if utf8 else " -- not UTF-8",
               "" if ascii_only else " -- not ASCII"))
    # the interface on a pseudo-terminal: every connection's ladder, every arrow's detail pane
    keys = []
    for _ in range(4):
        keys += [b"\r"] + [b"j"] * 14 + [b"q", b"j"]
    out = pty_drive([synfin, "--no-verify", os.path.join(d, "hostile-text.pcap")], keys + [b"q"])
    # ncurses itself sends ESC sequences and may clear the screen: only what came from the wire is looked for
    found = raw_found(out, skip=(b"\x07",))
    shown = [w for w in (b"x1b]0;SAN-TITLE", b"u202e", b"subject", b"Host") if w not in out]
    check(len(out) > 5000 and not found and not shown,
          "interface on a terminal: %d bytes written, hostile names shown escaped, nothing raw%s%s" %
          (len(out), "" if not found else " -- found " + ", ".join(found),
           "" if not shown else " -- never shown: %r" % shown))

# ---------------------------------------------------------------- 12. IP fragments that only fill memory
# synfin(1), IP fragments: held fragments are bounded by an eighth of --memcap, oldest given up
# first; overlapping copies keep the first bytes and are counted; what completes is still read.
e = E["frag-flood.pcap"]
r = run("frag-flood.pcap", ["--json", "--memcap", "16M"], jsonl)
# the sanitized build keeps up to 16 MiB of freed fragment buffers in ASan's quarantine (see the top)
FRAG_SLACK = 48 if SANITIZED else 24
basics(r, 0, base + FRAG_SLACK * MiB, "base + %d MiB" % FRAG_SLACK)
check(r.secs < 60, "%s: done in %.1f s (< 60 s: no quadratic walk over the holes)" % (r.label, r.secs))
normal_ok(r, by_client(r.out, e["normal"]["client"]), e["normal"])
last = by_client(r.out, e["last"])
check(last is not None and last["ip"]["reassembled"] == 1 and last["flags"]["syn"] == 1,
      "%s: the datagram completed after the flood is read (%r)" % (r.label, last and last["ip"]))
m = re.search(r"note: (\d+) IP datagrams not reassembled \(([^)]*)\)", r.err)
check(m and int(m.group(1)) == e["firsts"] + 1 and "over the memory budget" in m.group(2),
      "%s: %s datagrams given up, said on stderr (%r)" % (r.label, m and m.group(1), m and m.group(2)))
m = re.search(r"fragment anomalies: (\d+) overlapping", r.err)
check(m and int(m.group(1)) > 0, "%s: overlapping copies counted (%s)" % (r.label, m and m.group(1)))

passed = sum(results)
print("%d/%d adversarial checks pass" % (passed, len(results)))
sys.exit(0 if passed == len(results) else 1)
PY
rc=$?
echo "     adversarial.sh took $(( $(date +%s) - start )) s"
exit $rc
