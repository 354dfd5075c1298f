#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench.sh -- synfin's performance and agreement benchmark (`make bench`).
#
# Owns: this script and tests/compare_truth.py, plus the work directory it
# creates ($BENCH_DIR, default $TOP/build-bench; ignored by git through /build*/).
# It never writes into ../shared/bench: that directory is copied to
# $BENCH_DIR/src and genpcap / pcapfloor / readfloor are built there.
#
# The yardstick is readfloor (read(2) in 1 MiB pieces, the records walked in
# place: the least any reader of the file does), and pcapfloor (libpcap's
# loop) for continuity.  CPU time is user + system of the whole process (all
# its threads), each figure the median of RUNS paired runs (floor and synfin
# back to back, so that both see the same load); the load average is printed
# before and after, since the machine may be shared.
#
# Not a test: it prints figures and a "targets:" block and exits 0 whatever the
# figures are; it exits non-zero only when something fails to run.
#
# usage: tests/bench.sh [options] [/abs/path/to/synfin]
#   --runs N           timed runs per measurement, best and median reported (default 3; $BENCH_RUNS)
#   --no-1g-agreement  compare against the truth on the 100 MiB capture only ($BENCH_AGREE_1G=0)
#   --no-tls-proxy     skip the TLS-subset proxy measurement ($BENCH_TLS_PROXY=0)
#   --top N            disagreement patterns listed by compare_truth.py (default 10)
# synfin defaults to $SYNFIN, then $TOP/build/src/synfin.
# Times and peak RSS come from wait4(2) through tests/rusage.c (built here with $CC or
# cc), to the microsecond: GNU time truncates CPU seconds to hundredths, which cost
# readfloor's ~0.1 s up to a tenth of its figure.
#
# Captures (genpcap --seed 1): 100 MiB and 1 GiB, each with its truth file.  They
# are regenerated only when genpcap.c, tls-templates.txt or the genpcap arguments
# change (a .params stamp beside each capture records them).
set -euo pipefail

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*"; }

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED="$TOP/../shared/bench"
WORK=${BENCH_DIR:-$TOP/build-bench}
RUNS=${BENCH_RUNS:-3}
AGREE_1G=${BENCH_AGREE_1G:-1}
TLS_PROXY=${BENCH_TLS_PROXY:-1}
TOPN=10
SYNFIN=${SYNFIN:-}

while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --no-1g-agreement) AGREE_1G=0; shift ;;
    --no-tls-proxy) TLS_PROXY=0; shift ;;
    --top) TOPN=${2:?--top needs a number}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (try --help)" ;;
    *) SYNFIN=$1; shift ;;
    esac
done
[ -n "$SYNFIN" ] || SYNFIN="$TOP/build/src/synfin"
case $RUNS in ''|*[!0-9]*|0) die "--runs wants a positive number, not '$RUNS'" ;; esac

if [ ! -d "$SHARED" ]; then
    echo "bench: ../shared/bench not found, skipping"
    exit 0
fi
SHARED=$(cd "$SHARED" && pwd)
[ -x "$SYNFIN" ] || die "synfin binary '$SYNFIN' not found or not executable (build it first)"
command -v python3 >/dev/null || die "python3 is needed for compare_truth.py"

# ------------------------------------------------------------ build the tools
mkdir -p "$WORK" || die "cannot create work directory $WORK"
WORK=$(cd "$WORK" && pwd)
case $WORK/ in "$SHARED"/*) die "work directory $WORK is inside $SHARED; refusing to write there" ;; esac
note "work directory $WORK (shared bench: $SHARED)"
rm -rf "$WORK/src"
mkdir -p "$WORK/src" "$WORK/data"
cp -R "$SHARED/." "$WORK/src/"
chmod -R u+w "$WORK/src"
make -s -C "$WORK/src" genpcap pcapfloor readfloor >"$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log" >&2; die "building genpcap/pcapfloor/readfloor failed (needs cc and libpcap-dev)"; }
GENPCAP="$WORK/src/genpcap"
FLOOR="$WORK/src/pcapfloor"
RFLOOR="$WORK/src/readfloor"
GENSUM=$(cat "$WORK/src/genpcap.c" "$WORK/src/tls-templates.txt" | sha256sum | cut -d' ' -f1)

# ------------------------------------------------------------ timing helpers
RUSAGE="$WORK/rusage"
"${CC:-cc}" -O2 -o "$RUSAGE" "$TOP/tests/rusage.c" >>"$WORK/build.log" 2>&1 ||
    { cat "$WORK/build.log" >&2; die "building tests/rusage.c failed (needs a C compiler)"; }

# measure OUTFILE CMD...: runs CMD with stdout to OUTFILE; prints "SECONDS MAXRSS_KB" (wall time)
measure() {
    local out=$1; shift
    local tf rc=0 u sy wall rss
    tf=$(mktemp "$WORK/time.XXXXXX")
    "$RUSAGE" "$tf" "$@" >"$out" 2>"$tf.err" || rc=$?
    if [ "$rc" != 0 ]; then
        echo "bench: command failed (exit $rc): $*" >&2
        sed 's/^/  | /' "$tf.err" >&2
        rm -f "$tf" "$tf.err"
        return 1
    fi
    read -r u sy wall rss <"$tf"
    echo "$(calc "round($wall, 3)") $rss"
    rm -f "$tf" "$tf.err"
}

# repeat LABEL OUTFILE CMD...: RUNS timed runs; sets R_BEST and R_RSS (max RSS over runs)
repeat() {
    local label=$1 out=$2; shift 2
    local i res times=() rss=()
    for ((i = 1; i <= RUNS; i++)); do
        res=$(measure "$out" "$@") || die "$label: run $i failed"
        times+=("${res%% *}")
        rss+=("${res##* }")
    done
    R_BEST=$(printf '%s\n' "${times[@]}" | sort -g | head -n 1)
    R_RSS=$(printf '%s\n' "${rss[@]}" | sort -g | tail -n 1)
}

calc() { python3 -c "import sys; print($1)"; }

# ------------------------------------------------------------ captures
# gen NAME ARGS...: $WORK/data/NAME.pcap and NAME.truth.jsonl, reused when the stamp matches
gen() {
    local name=$1; shift
    local pcap="$WORK/data/$name.pcap" truth="$WORK/data/$name.truth.jsonl" stamp="$WORK/data/$name.params"
    local want="genpcap $* sha256=$GENSUM"
    if [ -s "$pcap" ] && [ -s "$truth" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        note "reusing $pcap ($(du -h "$pcap" | cut -f1))"
        return 0
    fi
    note "generating $pcap: genpcap $* ..."
    rm -f "$pcap" "$truth" "$stamp"
    local t0=$SECONDS
    "$GENPCAP" "$@" --out "$pcap.tmp" --truth "$truth.tmp" --stats 2>"$WORK/data/$name.stats" ||
        { cat "$WORK/data/$name.stats" >&2; die "genpcap $* failed"; }
    mv "$truth.tmp" "$truth"
    mv "$pcap.tmp" "$pcap"
    echo "$want" >"$stamp"
    note "  done in $((SECONDS - t0)) s: $(head -n 1 "$WORK/data/$name.stats")"
}

gen 100M --bytes 100M --seed 1
gen 1G --bytes 1G --seed 1
P100="$WORK/data/100M.pcap"
P1G="$WORK/data/1G.pcap"

# --- TLS-heavy mix (placeholder) -------------------------------------------------
# genpcap's connection mix is fixed (40 % HTTP, 45 % TLS, 15 % oddities) and, as of
# this writing, it has no option to change it.  When it gains one, put its
# arguments in TLS_HEAVY_ARGS (or $BENCH_TLS_HEAVY_ARGS), e.g. "--mix tls=90":
# the capture is then generated as tls-heavy.pcap and measured like the 1 GiB one.
TLS_HEAVY_ARGS=${BENCH_TLS_HEAVY_ARGS:-}
PTLS=
if [ -n "$TLS_HEAVY_ARGS" ]; then
    # shellcheck disable=SC2086  # word splitting of the option list is intended
    gen tls-heavy --bytes 1G --seed 1 $TLS_HEAVY_ARGS
    PTLS="$WORK/data/tls-heavy.pcap"
    TLS_KIND="genpcap TLS-heavy mix ($TLS_HEAVY_ARGS)"
elif [ "$TLS_PROXY" = 1 ] && command -v tcpdump >/dev/null; then
    # proxy until then: the TLS connections (ports 443/8443) cut out of the 1 GiB capture
    PTLS="$WORK/data/1G-tls-subset.pcap"
    want="tcpdump 'tcp port 443 or tcp port 8443' of 1G $(cat "$WORK/data/1G.params")"
    if [ -s "$PTLS" ] && [ "$(cat "$PTLS.params" 2>/dev/null)" = "$want" ]; then
        note "reusing $PTLS"
    else
        note "cutting the TLS connections (ports 443, 8443) out of the 1 GiB capture (proxy for a TLS-heavy mix) ..."
        rm -f "$PTLS" "$PTLS.params"
        # -w - and a redirection: the file belongs to us, not to the user tcpdump drops to
        tcpdump -r "$P1G" -w - 'tcp port 443 or tcp port 8443' >"$PTLS.tmp" 2>"$WORK/tcpdump.log" ||
            { cat "$WORK/tcpdump.log" >&2; die "tcpdump filtering failed"; }
        mv "$PTLS.tmp" "$PTLS"
        echo "$want" >"$PTLS.params"
    fi
    TLS_KIND="PROXY: TLS-port subset of the 1 GiB capture (genpcap has no mix option yet)"
else
    TLS_KIND="skipped (genpcap has no mix option; proxy disabled or tcpdump missing)"
fi
# ---------------------------------------------------------------------------------

# ------------------------------------------------------------ performance
# cpu CMD...: runs CMD (stdout discarded); sets C_CPU (user+sys), C_WALL, C_RSS (KiB)
cpu() {
    local tf rc=0 u sy
    tf=$(mktemp "$WORK/time.XXXXXX")
    "$RUSAGE" "$tf" "$@" >/dev/null 2>"$tf.err" || rc=$?
    [ "$rc" = 0 ] || { sed 's/^/  | /' "$tf.err" >&2; rm -f "$tf" "$tf.err"; die "command failed (exit $rc): $*"; }
    read -r u sy C_WALL C_RSS <"$tf"
    C_CPU=$(calc "round($u + $sy, 4)")
    C_WALL=$(calc "round($C_WALL, 4)")
    rm -f "$tf" "$tf.err"
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
minof() { printf '%s\n' "$@" | sort -g | head -n 1; }
nz() { calc "max($1, 0.005)"; }

# paired LABEL CMD...: RUNS times readfloor, pcapfloor and CMD on the 1 GiB capture, back to back;
# sets P_RATIO (CMD/readfloor CPU, median of the runs' ratios), P_PRATIO (CMD/pcapfloor),
# P_CPU, P_RF, P_PF (median CPU seconds), P_ALL (the runs' ratios), P_RSS (max), and P_BEST
# (CMD's least CPU over readfloor's least: a shared host only ever adds time, so the least of
# each is the figure its neighbours disturbed least; printed beside the verdict, not for it)
paired() {
    local label=$1; shift
    local i rr=() pr=() sc=() rfc=() pc=() rss=()
    for ((i = 1; i <= RUNS; i++)); do
        cpu "$RFLOOR" "$P1G"; local f=$C_CPU
        cpu "$FLOOR" "$P1G"; local pf=$C_CPU
        cpu "$@"; sc+=("$C_CPU"); rss+=("$C_RSS")
        rfc+=("$f"); pc+=("$pf")
        rr+=("$(calc "round($C_CPU / $(nz "$f"), 2)")")
        pr+=("$(calc "round($C_CPU / $(nz "$pf"), 2)")")
    done
    P_RATIO=$(median "${rr[@]}"); P_PRATIO=$(median "${pr[@]}"); P_ALL="${rr[*]}"
    P_CPU=$(median "${sc[@]}"); P_RF=$(median "${rfc[@]}"); P_PF=$(median "${pc[@]}")
    P_RSS=$(maxof "${rss[@]}")
    P_BEST=$(calc "round($(minof "${sc[@]}") / $(nz "$(minof "${rfc[@]}")"), 2)")
    printf '%-34s %sx readfloor, %sx pcapfloor (CPU %s s; readfloor %s s, pcapfloor %s s; ratios %s; least CPU %sx)\n' \
        "$label:" "$P_RATIO" "$P_PRATIO" "$P_CPU" "$P_RF" "$P_PF" "$P_ALL" "$P_BEST"
}

# walls CMD...: the median wall time of RUNS runs (W_WALL), and of CPU (W_CPU)
walls() {
    local i w=() c=()
    for ((i = 1; i <= RUNS; i++)); do cpu "$@"; w+=("$C_WALL"); c+=("$C_CPU"); done
    W_WALL=$(median "${w[@]}"); W_CPU=$(median "${c[@]}")
}

echo
echo "== performance (median of $RUNS paired runs; CPU = user + system of all threads, in s)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
echo "load average before: $LOAD_BEFORE ($(nproc) processors)"
floor_line=$("$RFLOOR" "$P1G") || die "readfloor $P1G failed" # also warms the page cache
read -r PKTS _ BYTES _ TCPPKTS _ _ <<<"$floor_line"
[ "$floor_line" = "$("$FLOOR" "$P1G")" ] || die "readfloor and pcapfloor disagree on $P1G"
printf '%-34s %s packets (%s tcp), %s bytes\n' "1G capture:" "$PKTS" "$TCPPKTS" "$BYTES"
"$SYNFIN" --json "$P1G" >/dev/null || die "synfin --json $P1G failed (exit $?)" # warm-up

# CPU on one thread (reading ahead only adds CPU: the packets cross between the cores' caches)
paired "synfin --json 1G" "$SYNFIN" --threads 1 --json "$P1G"
JSON_RATIO=$P_RATIO; SYN_T=$P_CPU; RSS_1G=$P_RSS; RATIO=$P_PRATIO; JSON_BEST=$P_BEST
paired "synfin --json --tcp-only 1G" "$SYNFIN" --threads 1 --json --tcp-only "$P1G"
TCP_RATIO=$P_RATIO; TCPONLY_T=$P_CPU; TCP_BEST=$P_BEST
paired "synfin --json 1G, reading ahead" "$SYNFIN" --threads 2 --json "$P1G"
JSON2_RATIO=$P_RATIO
HAVE_TASKSET=0
command -v taskset >/dev/null && HAVE_TASKSET=1

# wall time: readfloor, synfin on one core, on every core (it reads ahead on a second one)
walls "$RFLOOR" "$P1G"; RF_WALL=$W_WALL
walls "$SYNFIN" --threads 2 --json "$P1G"; WALL_N=$W_WALL; WALL_N_CPU=$W_CPU
WALL_N_RATIO=$(calc "round($WALL_N / $(nz "$RF_WALL"), 2)")
if [ "$HAVE_TASKSET" = 1 ]; then
    walls taskset -c 0 "$SYNFIN" --json "$P1G"; WALL_1=$W_WALL
    WALL_1_RATIO=$(calc "round($WALL_1 / $(nz "$RF_WALL"), 2)")
    printf '%-34s readfloor %s s; synfin --json one core %s s (%sx), reading ahead on a second %s s (%sx, CPU %s s)\n' \
        "1G wall time:" "$RF_WALL" "$WALL_1" "$WALL_1_RATIO" "$WALL_N" "$WALL_N_RATIO" "$WALL_N_CPU"
else
    WALL_1_RATIO=-
    printf '%-34s readfloor %s s; synfin --json reading ahead %s s (%sx; taskset missing: no one-core figure)\n' \
        "1G wall time:" "$RF_WALL" "$WALL_N" "$WALL_N_RATIO"
fi
PPS=$(calc "'%.0f' % ($PKTS / $(nz "$WALL_N"))")
MBPS=$(calc "'%.0f' % ($BYTES / 1048576 / $(nz "$WALL_N"))")
printf '%-34s %s packets/s, %s MiB/s (wall)\n' "synfin --json throughput:" "$PPS" "$MBPS"
APP_COST=$(calc "round($(nz "$SYN_T") / $(nz "$TCPONLY_T"), 3)")
printf '%-34s --tcp-only %s s, with parsing %s s: x%s\n' "TLS+HTTP parsing cost 1G (CPU):" "$TCPONLY_T" "$SYN_T" "$APP_COST"

# memory: the peak on 100 MiB and 1 GiB
r100=()
for ((i = 1; i <= RUNS; i++)); do cpu "$SYNFIN" --json "$P100"; r100+=("$C_RSS"); done
RSS_100M=$(maxof "${r100[@]}")
RSS_RATIO=$(calc "round($RSS_1G / $RSS_100M, 3)")
printf '%-34s 100M %s KiB, 1G %s KiB, ratio 1G/100M %s\n' "synfin --json peak RSS:" "$RSS_100M" "$RSS_1G" "$RSS_RATIO"

# two processes with --shard 1/2 and 2/2 side by side: their wall time against one process's
# (issue 17); on a machine with under two free cores they gain nothing
walls "$SYNFIN" --threads 1 --json "$P1G"
ONE_WALL=$W_WALL
# shellcheck disable=SC2016  # $1, $2 and $a belong to the inner bash
walls bash -c '"$1" --threads 1 --json --shard 1/2 "$2" >/dev/null & a=$!; "$1" --threads 1 --json --shard 2/2 "$2" >/dev/null || exit 1; wait $a' \
    _ "$SYNFIN" "$P1G"
SHARD_T=$W_WALL
SHARD_X=$(calc "round($(nz "$ONE_WALL") / $(nz "$SHARD_T"), 3)")
printf '%-34s %s s wall, one process %s s: speed-up x%s\n' "2 shards in parallel 1G:" "$SHARD_T" "$ONE_WALL" "$SHARD_X"

# compressed copies of the 1 GiB capture (made once, kept beside it)
zcopy() { # NAME TOOL ARGS...: $P1G.NAME
    local out="$P1G.$1" tool=$2; shift 2
    if [ -s "$out" ] && [ "$out" -nt "$P1G" ]; then return 0; fi
    note "compressing $P1G with $tool $* ..."
    "$tool" "$@" -c "$P1G" >"$out.tmp" && mv "$out.tmp" "$out"
}
for z in "gz gzip -1" "zst zstd -q -1"; do
    read -r ext tool args <<<"$z"
    if ! command -v "$tool" >/dev/null; then
        printf '%-34s %s missing\n' "read .$ext:" "$tool"
        continue
    fi
    # shellcheck disable=SC2086  # the tool's options
    zcopy "$ext" "$tool" $args || die "$tool failed"
    walls "$SYNFIN" --json --tcp-only "$P1G.$ext"
    printf '%-34s %s s wall, %s s CPU: %s MiB/s of capture (%s MiB of .%s: %s MiB/s)\n' \
        "read .$ext (--json --tcp-only):" "$W_WALL" "$W_CPU" \
        "$(calc "'%.0f' % ($BYTES / 1048576 / $(nz "$W_WALL"))")" \
        "$(calc "'%.0f' % ($(stat -c %s "$P1G.$ext") / 1048576)")" "$ext" \
        "$(calc "'%.0f' % ($(stat -c %s "$P1G.$ext") / 1048576 / $(nz "$W_WALL"))")"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
echo "load average after: $LOAD_AFTER"

echo
echo "== TLS-heavy mix: $TLS_KIND"
if [ -n "$PTLS" ]; then
    tls_floor=$("$FLOOR" "$PTLS") || die "pcapfloor $PTLS failed"
    read -r TPKTS _ TBYTES _ _ <<<"$tls_floor"
    "$SYNFIN" --json "$PTLS" >"$WORK/data/tls-subset.synfin.jsonl" || die "synfin --json $PTLS failed"
    TLS_CONNS=$(grep -c '"tls":{' "$WORK/data/tls-subset.synfin.jsonl" || true)
    repeat "pcapfloor TLS" /dev/null "$FLOOR" "$PTLS"
    TF=$R_BEST
    repeat "synfin --json TLS" /dev/null "$SYNFIN" --json "$PTLS"
    TS=$R_BEST; TRSS=$R_RSS
    repeat "synfin --json --tcp-only TLS" /dev/null "$SYNFIN" --json --tcp-only "$PTLS"
    TT=$R_BEST
    TLS_COST=$(calc "round($(nz "$TS") / $(nz "$TT"), 3)")
    printf '%-34s %s packets, %s bytes\n' "capture:" "$TPKTS" "$TBYTES"
    printf '%-34s floor %s, synfin %s (best of %s), ratio %s\n' "seconds:" "$TF" "$TS" "$RUNS" \
        "$(calc "round($(nz "$TF") / $(nz "$TS"), 3)")"
    printf '%-34s %s packets/s, %s MiB/s, peak RSS %s KiB\n' "synfin throughput:" \
        "$(calc "'%.0f' % ($TPKTS / $(nz "$TS"))")" "$(calc "'%.0f' % ($TBYTES / 1048576 / $(nz "$TS"))")" "$TRSS"
    # the same cost in absolute terms: it stays put when the TCP path below it gets faster
    printf '%-34s --tcp-only %s s, with TLS parsing %s s: x%s (%s us more per TLS connection, %s of them)\n' \
        "TLS parsing cost:" "$TT" "$TS" "$TLS_COST" \
        "$(calc "round(($TS - $TT) * 1e6 / max($TLS_CONNS, 1), 1)")" "$TLS_CONNS"
fi

# ------------------------------------------------------------ decryption
# The recorded TLS captures (every cipher synfin decrypts) written again and again into one
# capture with their key logs: the cost of decrypting, against the same file without keys.
echo
echo "== decryption: key-logged TLS capture (captures/tls/ recordings repeated, tests/mkkeyed.py)"
PK="$WORK/data/keyed.pcap"
if [ ! -s "$PK" ] || [ "$PK" -ot "$TOP/tests/mkkeyed.py" ]; then
    python3 "$TOP/tests/mkkeyed.py" "$TOP" "$PK" "$WORK/data/keyed.keys" 100 || die "mkkeyed.py failed"
fi
"$SYNFIN" --json --keylog "$WORK/data/keyed.keys" "$PK" >"$WORK/data/keyed.synfin.jsonl" || die "synfin --keylog failed"
DEC_N=$(grep -c '"decrypted":true' "$WORK/data/keyed.synfin.jsonl" || true)
TLS_N=$(grep -c '"tls":{' "$WORK/data/keyed.synfin.jsonl" || true)
repeat "synfin --json keyed, no keys" /dev/null "$SYNFIN" --json "$PK"
DK0=$R_BEST
repeat "synfin --json keyed, --keylog" /dev/null "$SYNFIN" --json --keylog "$WORK/data/keyed.keys" "$PK"
DK1=$R_BEST; DKRSS=$R_RSS
DEC_RATIO=$(calc "round($(nz "$DK0") / $(nz "$DK1"), 3)")
printf '%-34s %s of %s TLS connections decrypted\n' "decrypted:" "$DEC_N" "$TLS_N"
printf '%-34s without keys %s s, with --keylog %s s: speed x%s (peak RSS %s KiB)\n' "seconds:" "$DK0" "$DK1" \
    "$DEC_RATIO" "$DKRSS"
# short recordings (a few KiB each): the figure is mostly each connection's key setup
printf '%-34s %s us per decrypted connection (%s KiB of capture each)\n' "decryption cost:" \
    "$(calc "round(($DK1 - $DK0) * 1e6 / max($DEC_N, 1), 1)")" \
    "$(calc "round($(stat -c %s "$PK") / 1024 / max($TLS_N, 1), 1)")"

# ------------------------------------------------------------ agreement
agree() { # NAME -> sets AG_PCT
    local name=$1 out="$WORK/data/$1.synfin.jsonl" rc=0
    echo
    "$SYNFIN" --json "$WORK/data/$name.pcap" >"$out" || rc=$?
    [ "$rc" = 0 ] || die "synfin --json $WORK/data/$name.pcap exited $rc"
    python3 "$TOP/tests/compare_truth.py" --top "$TOPN" --label "$name ($WORK/data/$name.pcap)" \
        "$WORK/data/$name.truth.jsonl" "$out" | tee "$WORK/data/$name.compare.txt" ||
        die "compare_truth.py failed on $name"
    AG_PCT=$(awk '$1 == "AGREEMENT" { print $2 }' "$WORK/data/$name.compare.txt")
    [ -n "$AG_PCT" ] || die "compare_truth.py printed no AGREEMENT line for $name"
}
agree 100M
AGREE_100M=$AG_PCT
AGREE_1G_PCT=-
if [ "$AGREE_1G" = 1 ]; then
    agree 1G
    AGREE_1G_PCT=$AG_PCT
fi

# ------------------------------------------------------------ targets
verdict() { if [ "$(calc "1 if $1 else 0")" = 1 ]; then echo PASS; else echo FAIL; fi; }
JSON_V=$(verdict "$JSON_RATIO <= 4")
TCP_V=$(verdict "$TCP_RATIO <= 3")
RSS_V=$(verdict "$RSS_RATIO <= 1.5")
AG_MIN=$AGREE_100M
[ "$AGREE_1G_PCT" = - ] || AG_MIN=$(calc "min($AGREE_100M, $AGREE_1G_PCT)")
AG_V=$(verdict "$AG_MIN >= 99.9")
DEC_V="$(verdict "$DEC_RATIO >= 0.5") (x$DEC_RATIO)"
TLS_V="n/a (no TLS-heavy capture)"
[ -n "${TLS_COST:-}" ] && TLS_V="$(verdict "$TLS_COST <= 1.25") (x$TLS_COST)"

echo
echo "== summary (load average $LOAD_BEFORE before, $LOAD_AFTER after)"
RSS_TXT="RSS 100M ${RSS_100M} KiB, 1G ${RSS_1G} KiB (x${RSS_RATIO})"
if [ "$AGREE_1G_PCT" = - ]; then AG_TXT="1G not run"; else AG_TXT="1G ${AGREE_1G_PCT}%"; fi
echo "CPU (one thread): --json ${JSON_RATIO}x readfloor (${RATIO}x pcapfloor; least CPU ${JSON_BEST}x)," \
    "--tcp-only ${TCP_RATIO}x (least CPU ${TCP_BEST}x);" \
    "reading ahead: --json ${JSON2_RATIO}x; wall --json ${WALL_1_RATIO}x one core," \
    "${WALL_N_RATIO}x reading ahead on a second; 2 shards ${SHARD_T}s (x${SHARD_X}); ${RSS_TXT}; agreement 100M ${AGREE_100M}%, ${AG_TXT}"
echo "targets: --json <= 4x readfloor CPU: $JSON_V ($JSON_RATIO); --tcp-only <= 3x: $TCP_V ($TCP_RATIO);" \
    "RSS 1G <= 1.5x RSS 100M: $RSS_V ($RSS_RATIO); agreement >= 99.9%: $AG_V ($AG_MIN%);" \
    "TLS parsing <= 1.25x --tcp-only: $TLS_V; decrypting >= 0.5x the speed without keys: $DEC_V"
echo "goals beyond: one core --json <= 3x (${JSON_RATIO}x), --tcp-only <= 2x (${TCP_RATIO}x);" \
    "--json wall with two cores <= 2x readfloor's (${WALL_N_RATIO}x)"
exit 0
