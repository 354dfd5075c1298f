#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# run.sh [SECONDS] [TARGETS...] - build the libFuzzer targets and run each
# for SECONDS (default 60; 0 builds and replays the reproducers only).
#
# TARGETS are names like tls or fuzz_tls (default: all fuzz/fuzz_*.c).
# Everything goes into $FUZZ_BUILD (default ./build-fuzz):
#   obj/, libsynfin-fuzz.a  src/**/*.c (but synfin.c and tui/) with ASan, UBSan and coverage
#   fuzz_NAME               the targets
#   seeds/NAME/             made by make-seeds.sh from the repository's captures
#   corpus/NAME/            the growing corpus (kept between runs)
#   artifacts/NAME/         crash-*, leak-*, timeout-*, oom-* inputs
#   logs/NAME.log           libFuzzer's output
# First each target replays fuzz/regress/NAME/* (saved reproducers of bugs
# found before: each must now pass), then it fuzzes.  Prints executions,
# executions per second, coverage (libFuzzer's "cov:") and any crash file;
# exits non-zero when a target crashed or a reproducer still fails.
#
# Environment: CC (default clang), FUZZ_BUILD, FUZZ_SRC (the sources to
# fuzz, default the repository's src/), FUZZ_JOBS (targets run at once,
# default 1), FUZZ_ARGS (more libFuzzer options).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
CC=${CC:-clang}
build=${FUZZ_BUILD:-$PWD/build-fuzz}
mkdir -p "$build" && build=$(cd "$build" && pwd)
src=$(cd "${FUZZ_SRC:-$top/src}" && pwd)
jobs=${FUZZ_JOBS:-1}

case $secs in (*[!0-9]*|'') echo "run.sh: SECONDS must be a number, not '$secs'" >&2; exit 2;; esac
command -v "$CC" >/dev/null || { echo "run.sh: $CC not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
pkg-config --exists libpcap gnutls zlib libzstd ||
    { echo "run.sh: pkg-config cannot find libpcap, gnutls, zlib and libzstd" >&2; exit 2; }

# ---------------------------------------------------------------- targets
all=()
for f in "$here"/fuzz_*.c; do n=$(basename "$f" .c); all+=("${n#fuzz_}"); done
targets=()
if [ $# -eq 0 ]; then targets=("${all[@]}"); else
    for t in "$@"; do
        t=${t#fuzz_}; t=${t%.c}
        [ -f "$here/fuzz_$t.c" ] || { echo "run.sh: no target $t (have: ${all[*]})" >&2; exit 2; }
        targets+=("$t")
    done
fi

# ---------------------------------------------------------------- build
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# the library's sources: every folder of src/ but tui/ (curses), without main
lib_dirs=("$src" "$src/capture" "$src/tcp" "$src/proto" "$src/model" "$src/out")
INC=""; for d in "${lib_dirs[@]}"; do INC="$INC -I$d"; done
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter $SAN$INC $(pkg-config --cflags libpcap gnutls zlib libzstd)"
LIBS="$(pkg-config --libs libpcap gnutls zlib libzstd) -pthread"

mkdir -p "$build/obj" "$build/logs"
# objects of another source tree (FUZZ_SRC changed): start over
if [ "$(cat "$build/obj/.src" 2>/dev/null)" != "$src" ]; then
    rm -f "$build"/obj/*.o "$build/libsynfin-fuzz.a"
    echo "$src" > "$build/obj/.src"
fi
lib_sources() { for d in "${lib_dirs[@]}"; do ls "$d"/*.c 2>/dev/null; done | grep -v "/synfin\.c$"; }
newest_h=$(for d in "${lib_dirs[@]}"; do ls "$d"/*.h 2>/dev/null; done | xargs ls -t | head -1)
# Every library source (not main, not tui/) goes into one archive; a target links what it needs.
build_lib() {
    local changed=0 c o
    : > "$build/obj/todo"
    for c in $(lib_sources); do
        o="$build/obj/$(basename "$c" .c).o"
        if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
            echo "$c" >> "$build/obj/todo"
            rm -f "$o"
            changed=1
        fi
    done
    for o in "$build"/obj/*.o; do   # objects of sources that are gone
        [ -e "$o" ] || continue
        lib_sources | grep -q "/$(basename "$o" .o)\.c$" || { rm -f "$o"; changed=1; }
    done
    if [ -s "$build/obj/todo" ]; then
        echo "run.sh: compiling $(wc -l < "$build/obj/todo") source files from $src"
        # shellcheck disable=SC2016
        xargs -P "$(nproc)" -I{} sh -c '"$1" $2 -fsanitize=fuzzer-no-link -c "$3" -o "$4/obj/$(basename "$3" .c).o"' \
            _ "$CC" "$CFLAGS" {} "$build" < "$build/obj/todo" || return 1
    fi
    if [ "$changed" = 1 ] || [ ! -f "$build/libsynfin-fuzz.a" ]; then
        rm -f "$build/libsynfin-fuzz.a"
        ar rcs "$build/libsynfin-fuzz.a" "$build"/obj/*.o || return 1
    fi
}
build_lib || { echo "run.sh: building the sources failed" >&2; exit 1; }

built=()
failed=()
for t in "${targets[@]}"; do
    bin="$build/fuzz_$t"
    if [ ! -f "$bin" ] || [ "$here/fuzz_$t.c" -nt "$bin" ] || [ "$here/fuzz_common.h" -nt "$bin" ] || \
       [ "$build/libsynfin-fuzz.a" -nt "$bin" ]; then
        echo "run.sh: linking fuzz_$t"
        # shellcheck disable=SC2086
        "$CC" $CFLAGS -DFUZZ_SRCDIR="\"$top\"" -fsanitize=fuzzer "$here/fuzz_$t.c" "$build/libsynfin-fuzz.a" $LIBS \
            -o "$bin" || { echo "run.sh: building fuzz_$t failed" >&2; failed+=("$t"); rm -f "$bin"; continue; }
    fi
    built+=("$t")
done

# ---------------------------------------------------------------- seeds
if [ ! -f "$build/seeds/.stamp" ] || [ "$here/make-seeds.sh" -nt "$build/seeds/.stamp" ] || \
   [ "$here/seedgen.py" -nt "$build/seeds/.stamp" ]; then
    echo "run.sh: making seeds"
    "$here/make-seeds.sh" "$build/seeds" && touch "$build/seeds/.stamp" || echo "run.sh: warning: no seeds" >&2
fi

export SYNFIN_CERTS=${SYNFIN_CERTS:-$top/tests/certs}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

max_len() {
    case $1 in
        capture|capfile) echo 65536;; decode) echo 4096;; tcp) echo 8192;; tls) echo 32768;;
        http) echo 16384;; cleartext) echo 8192;; x509) echo 8192;; keylog) echo 16384;; tlsdecrypt) echo 20000;; *) echo 4096;;
    esac
}
dict_of() {
    case $1 in
        tls|capture) echo "$here/tls.dict";; http) echo "$here/http.dict";; *) echo "";;
    esac
}

# one target: regress replay, then fuzzing; the result line goes to $build/logs/NAME.result
run_one() {
    local t=$1 bin="$build/fuzz_$1" log="$build/logs/$1.log" res="$build/logs/$1.result"
    local art="$build/artifacts/$t/" corpus="$build/corpus/$t" seeds="$build/seeds/$t"
    mkdir -p "$art" "$corpus"
    : > "$log"
    local regress_total=0 regress_bad=0 bad_list=""
    if [ -d "$here/regress/$t" ]; then
        for r in "$here/regress/$t"/*; do
            [ -f "$r" ] || continue
            regress_total=$((regress_total + 1))
            if ! "$bin" -runs=1 -timeout=60 "$r" >> "$log.regress" 2>&1; then
                regress_bad=$((regress_bad + 1))
                bad_list="$bad_list $(basename "$r")"
            fi
        done
    fi
    local rc=0 dict
    dict=$(dict_of "$t")
    if [ "$secs" -gt 0 ]; then
        local dirs=("$corpus")
        [ -d "$seeds" ] && dirs+=("$seeds")
        # shellcheck disable=SC2086
        "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$art" -timeout=25 \
            -rss_limit_mb=2560 -max_len="$(max_len "$t")" ${dict:+-dict="$dict"} ${FUZZ_ARGS:-} \
            "${dirs[@]}" > "$log" 2>&1 || rc=$?
    fi
    local execs eps cov ft corp crash
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    corp=$(grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:--}" "${eps:--}" "${cov:--}" "${ft:--}" \
        "${corp:--}" "$rc" "${crash:--}" "$regress_bad/$regress_total" "${bad_list# }" > "$res"
}

if [ "${#built[@]}" -gt 0 ]; then
    if [ "$secs" -gt 0 ]; then
        echo "run.sh: fuzzing ${built[*]} for ${secs}s each, $jobs at a time (logs in $build/logs)"
    fi
    running=0
    for t in "${built[@]}"; do
        rm -f "$build/logs/$t.result" "$build/logs/$t.log.regress"
        run_one "$t" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
    done
    wait
fi

# ---------------------------------------------------------------- report
status=0
printf '\n%-8s %12s %8s %7s %8s %14s  %s\n' target execs exec/s cov ft corpus result
for t in "${built[@]}"; do
    IFS=$'\t' read -r name execs eps cov ft corp rc crash regress bad < "$build/logs/$t.result"
    result=ok
    if [ "$secs" -eq 0 ]; then result="built"; fi
    if [ "$rc" != 0 ]; then
        result="CRASH (exit $rc): ${crash}"
        [ "$crash" = - ] && result="FAILED (exit $rc): see $build/logs/$t.log"
        status=1
    fi
    printf '%-8s %12s %8s %7s %8s %14s  %s\n' "$name" "$execs" "$eps" "$cov" "$ft" "$corp" "$result"
    if [ "${regress%/*}" != 0 ]; then
        printf '%-8s %s of the reproducers in fuzz/regress/%s still fail: %s (output: %s)\n' "" "$regress" "$t" \
            "$bad" "$build/logs/$t.log.regress"
        status=1
    elif [ "${regress#*/}" != 0 ]; then
        printf '%-8s all %s reproducers in fuzz/regress/%s pass\n' "" "${regress#*/}" "$t"
    fi
done
for t in "${failed[@]}"; do printf '%-8s %s\n' "$t" "BUILD FAILED (see above)"; status=1; done
exit $status
