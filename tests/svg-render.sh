#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# svg-render.sh - --svg drawn by a real browser: headless Chromium takes a
# screenshot of a TLS connection's picture and the PNG (read here with the
# Python standard library) must show the ladder: ink in the client's and the
# server's arrow colours and the states' colour, text and lifelines from the
# top of the picture to its bottom, and a white page around them.  Skipped
# (77), saying so, where Chromium is not installed (apt-get install -y chromium).
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
browser=""
for b in chromium chromium-browser google-chrome; do command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }; done
[ -n "$browser" ] || { echo "SKIP: Chromium is not installed (apt-get install -y chromium): the SVG is not drawn"; exit 77; }
py=/usr/bin/python3; [ -x "$py" ] || py=$(command -v python3) || { echo "SKIP: python3 not found"; exit 77; }
cap="$SRCDIR/captures"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
good() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $1: $2"; }

"$SYNFIN" --svg=1 --ca-file "$cap/tls/certs/ca.pem" -r "$cap/tls/tls12-ecdhe-rsa.pcap" >"$tmp/ladder.svg" || { bad svg "synfin --svg failed"; exit 1; }
read -r w h < <(sed -n 's/^<svg [^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$tmp/ladder.svg")
[ -n "${w:-}" ] || { bad svg-size "no width and height on the <svg> element"; exit 1; }

# the window a little larger than the picture: the page's white margin shows where the picture ends
timeout 90 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$tmp/profile" \
    --window-size="$((w + 40)),$((h + 40))" --screenshot="$tmp/shot.png" "file://$tmp/ladder.svg" >"$tmp/browser.log" 2>&1
if [ ! -s "$tmp/shot.png" ]; then
    bad chromium-screenshot "$browser wrote no screenshot"; sed 's/^/    | /' "$tmp/browser.log" | tail -5
    exit 1
fi
good chromium-screenshot

out=$("$py" - "$tmp/shot.png" "$w" "$h" <<'PY' 2>&1
import struct, sys, zlib

def read_png(path):
    """8-bit RGB or RGBA, not interlaced (what Chromium writes): rows of (r, g, b)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and not interlace, "PNG kind %d/%d/%d" % (depth, ctype, interlace)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows

width, height, rows = read_png(sys.argv[1])
w, h = int(sys.argv[2]), int(sys.argv[3])
near = lambda p, q, d=40: all(abs(a - b) <= d for a, b in zip(p, q))
ink = [(x, y) for y in range(min(h, height)) for x in range(min(w, width)) if rows[y][x] != (255, 255, 255)]
if not ink:
    sys.exit("the picture is blank: not one pixel drawn")
share = len(ink) / float(w * h)
colours = {"client arrows #1a7f37": (0x1a, 0x7f, 0x37), "server arrows #0a6e8a": (0x0a, 0x6e, 0x8a),
           "states #9a6700": (0x9a, 0x67, 0x00), "text #1f2328": (0x1f, 0x23, 0x28)}
seen = {k: sum(1 for x, y in ink if near(rows[y][x], v)) for k, v in colours.items()}
top, bottom = min(y for _, y in ink), max(y for _, y in ink)
outside = sum(1 for y in range(height) for x in range(width) if (x >= w + 5 or y >= h + 5) and rows[y][x] != (255, 255, 255))
problems = []
if not 0.02 <= share <= 0.5:
    problems.append("%.1f%% of the picture is ink" % (100 * share))
problems += ["no %s (%d pixels)" % (k, v) for k, v in seen.items() if v < 200]
if top > 60 or bottom < h - 60:
    problems.append("the ink runs from row %d to %d of %d" % (top, bottom, h))
if outside:
    problems.append("%d pixels drawn outside the picture's size" % outside)
print("; ".join(problems) if problems else "%dx%d, %.1f%% ink, rows %d-%d, %s" % (
    width, height, 100 * share, top, bottom, ", ".join("%s %d" % kv for kv in seen.items())))
sys.exit(1 if problems else 0)
PY
)
if [ $? = 0 ]; then good "svg-drawn ($out)"; else bad svg-drawn "$out"; fi

echo "$((n - fail))/$n SVG rendering checks pass"
[ $fail = 0 ]
