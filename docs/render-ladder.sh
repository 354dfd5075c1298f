#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# render-ladder.sh SYNFIN OUT.png - draws the README's picture: connection 1 of
# captures/tls/tls12-ecdhe-rsa.pcap as --svg, screenshot by headless Chromium at
# the picture's own size, then reduced to 32 colours (Pillow) to keep it small.
# Run from the top of the source tree: docs/render-ladder.sh build/src/synfin docs/ladder-tls12.png
set -eu
synfin=$1 out=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$synfin" --svg=1 --ca-file captures/tls/certs/ca.pem -r captures/tls/tls12-ecdhe-rsa.pcap >"$tmp/ladder.svg"
size=$(sed -n 's/^<svg [^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$tmp/ladder.svg")
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
    --window-size="$size" --screenshot="$tmp/full.png" "file://$tmp/ladder.svg" >/dev/null 2>&1
/usr/bin/python3 -c '
import sys
from PIL import Image
Image.open(sys.argv[1]).convert("RGB").quantize(colors=32, method=Image.Quantize.FASTOCTREE).save(sys.argv[2], optimize=True)
' "$tmp/full.png" "$out"
