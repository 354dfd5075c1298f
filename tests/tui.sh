#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tui.sh - the full-screen interface as a user meets it: the real program
# runs in a detached tmux (a private server, 120x40, TERM=xterm-256color,
# LANG=C.UTF-8), keys go in with send-keys and the screen comes back with
# capture-pane.  The list, the ladder (TCP and TLS), search, filter, sort,
# resize, help, the time modes, export, a clean exit, monochrome terminals,
# and (as root) a live capture on lo.  Skipped (77) without tmux.
#
# Every wait polls the screen (50 ms) until it shows what is expected, for
# a few seconds at most, and prints the screen when it never does.  Skipped
# (77), saying why, where tmux cannot start a session (no pseudo-terminal).
# Nothing depends on where the checkout lies: a path of any length is cut in
# its middle on the title bar (checked below with a path of 450 characters).
set -u
: "${SYNFIN:?set SYNFIN to the synfin binary}" "${SRCDIR:?set SRCDIR to the source tree}"
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed (apt-get install -y tmux)"; exit 77; }
unset TMUX TMUX_PANE            # a private server, even when run from inside tmux
cap="$SRCDIR/captures"
tmp=$(mktemp -d)
sock="synfin-test-$$"

# -u: the client writes UTF-8 whatever the locale; -f /dev/null: no user configuration
tm() { tmux -u -L "$sock" -f /dev/null "$@"; }
cleanup() {
    local path
    path=$(tm display -p '#{socket_path}' 2>/dev/null)
    tm kill-server >/dev/null 2>&1
    [ -n "$path" ] && rm -f "$path"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

n=0 fail=0
good() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL $1: $2"; }
skip() { echo "skip $1: $2"; }
dump() { cat -s | sed 's/^/    | /'; } # runs of blank lines squeezed to one

# ------------------------------------------------------------------ the terminal

# One server for the whole run: an idle session keeps it alive between programs.
# where tmux cannot start (no pseudo-terminals in a container, /dev/pts not mounted) the test cannot run
if ! tm new-session -d -s keep -x 120 -y 40 'sleep 600' 2>"$tmp/tmux.err"; then
    echo "SKIP: tmux cannot start a session here (no pseudo-terminal?): $(head -1 "$tmp/tmux.err")"
    exit 77
fi
ses=""
nses=0

# start DIR [VAR=VALUE...] -- ARGS...: synfin in a fresh 120x40 session, run from DIR;
# the pane keeps "EXITED <status>" on screen after the program ends.
start() {
    local dir=$1 envs="" a cmd
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=" $(printf %q "$1")"; shift; done
    shift
    [ -n "$ses" ] && tm kill-session -t "$ses" 2>/dev/null
    nses=$((nses + 1))
    ses="s$nses"
    cmd="cd $(printf %q "$dir") && env TERM=xterm-256color LANG=C.UTF-8 LC_ALL= LANGUAGE=$envs"
    for a in "$SYNFIN" "$@"; do cmd+=" $(printf %q "$a")"; done
    cmd+='; echo EXITED $?; sleep 30'
    tm new-session -d -s "$ses" -x 120 -y 40 "$cmd"
}
screen() { tm capture-pane -p -t "$ses"; }
keys() { tm send-keys -t "$ses" "$@"; }       # named keys: Enter Escape NPage BSpace C-j ...
type_text() { tm send-keys -t "$ses" -l "$1"; } # literal text

# Polling without forks where it can (forks are slow on busy machines): a pipe
# nobody writes to makes read -t a sleep, EPOCHREALTIME a clock (bash 5).
if exec {nap_fd}<> <(:) 2>/dev/null; then nap() { read -r -t 0.05 -u "$nap_fd" _; }; else nap() { sleep 0.05; }; fi
now_ms() {
    if [ -n "${EPOCHREALTIME:-}" ]; then local t=${EPOCHREALTIME//[.,]/}; REPLY=$((10#$t / 1000));
    else REPLY=$(date +%s%3N); fi
}

WAIT=2 # seconds (tenths allowed: 1.5)
# grab: the screen in $scr, its lines in ${lines[@]}
grab() { scr=$(screen); mapfile -t lines <<<"$scr"; }
# wait_until FUNC ARGS...: poll the screen until FUNC ARGS succeeds; 1 after $WAIT seconds.
wait_until() {
    local sec=${WAIT%%.*} tenth=0 deadline
    [[ $WAIT == *.* ]] && tenth=${WAIT#*.} && tenth=${tenth:0:1}
    now_ms; deadline=$((REPLY + (${sec:-0} * 10 + tenth) * 100))
    while :; do
        grab
        "$@" && return 0
        now_ms; [ "$REPLY" -ge "$deadline" ] && return 1
        nap
    done
}
# matches ERE: a line of the screen matches (^ and $ are a line's ends)
matches() { local l; for l in "${lines[@]}"; do [[ $l =~ $1 ]] && return 0; done; return 1; }
lacks() { ! matches "$1"; }
differs() { [ "$scr" != "$1" ]; }
# wait_for REGEX [TIMEOUT]: the screen comes to match REGEX; else the screen is printed and 1 returned.
wait_for() {
    local WAIT=${2:-$WAIT}
    wait_until matches "$1" && return 0
    echo "    screen never matched /$1/ in ${WAIT}s:"
    dump <<<"$scr"
    return 1
}
# wait_gone REGEX [TIMEOUT]: the screen comes to no longer match REGEX.
wait_gone() {
    local WAIT=${2:-$WAIT}
    wait_until lacks "$1" && return 0
    echo "    screen still matches /$1/ after ${WAIT}s:"
    dump <<<"$scr"
    return 1
}
# wait_change OLD [TIMEOUT]: the screen becomes different from OLD (no failure: it may legitimately not).
wait_change() { local WAIT=${2:-1}; wait_until differs "$1"; }

# expect NAME REGEX [TIMEOUT]: a named check that the screen comes to match.
expect() { if wait_for "$2" "${3:-$WAIT}"; then good "$1"; else bad "$1" "screen lacks /$2/"; fi; }
expect_gone() { if wait_gone "$2" "${3:-$WAIT}"; then good "$1"; else bad "$1" "screen still shows /$2/"; fi; }

row_re='^([0-9]+) +[0-9a-f.:]+:[0-9]+ +[0-9a-f.:]+:[0-9]+ '
# The list's rows: their ids, top to bottom, in $REPLY.
row_ids() {
    local l ids=""
    for l in "${lines[@]}"; do [[ $l =~ $row_re ]] && ids+=" ${BASH_REMATCH[1]}"; done
    REPLY=${ids# }
}
rows_are() { row_ids; [ "$REPLY" = "$1" ]; }
# expect_rows NAME "IDS" [TIMEOUT]: the list comes to show exactly these rows, in this order.
expect_rows() {
    local WAIT=${3:-$WAIT}
    if wait_until rows_are "$2"; then good "$1"; else
        row_ids; bad "$1" "rows are '$REPLY', expected '$2'"; dump <<<"$scr"
    fi
}

# in_order NAME FILE PATTERN...: each fixed string occurs in FILE (captures of a ladder,
# top to bottom), and their first occurrences come in this order.
in_order() {
    local name=$1 file=$2 prev=0 prev_p="" p line
    shift 2
    for p in "$@"; do
        line=$(grep -nF -m1 -- "$p" "$file" | cut -d: -f1)
        if [ -z "$line" ]; then
            bad "$name" "\"$p\" is not on the screen"; dump <"$file"; return 1
        fi
        if [ "$line" -le "$prev" ]; then
            bad "$name" "\"$p\" (line $line of the captures) is not below \"$prev_p\" (line $prev)"; dump <"$file"; return 1
        fi
        prev=$line prev_p=$p
    done
    good "$name"
}

# The first phase row on the screen ("TCP handshake", "data", ...), in $REPLY.
phase_re='^ +(│|\|) *(╌|=)+ (.*[^ ]) (╌|=)+(│|\|)$'
first_phase() {
    local l
    REPLY=""
    for l in "${lines[@]}"; do [[ $l =~ $phase_re ]] && { REPLY=${BASH_REMATCH[3]}; return; }; done
}
phase_is() { first_phase; [ "$REPLY" = "$1" ]; }
expect_phase() {
    local WAIT=${3:-$WAIT}
    if wait_until phase_is "$2"; then good "$1"; else
        first_phase; bad "$1" "first phase row is '$REPLY', expected '$2'"; dump <<<"$scr"
    fi
}

# exits NAME [NOALT]: the program ended with status 0 and left no curses screen behind
# (NOALT: a terminal without an alternate screen keeps the last screen; the status only).
exits() {
    if ! wait_for '^EXITED [0-9]+' >/dev/null; then bad "$1" "the program did not exit"; dump <<<"$scr"; return; fi
    if ! matches '^EXITED 0( |$)'; then bad "$1" "exit status: $(grep -oE '^EXITED [0-9]+' <<<"$scr")"; dump <<<"$scr"; return; fi
    if [ -n "${2:-}" ]; then good "$1"; return; fi
    if ! matches '^EXITED 0$'; then bad "$1" "the exit line is drawn over the interface"; dump <<<"$scr"; return; fi
    # the shell's line follows the restored screen: nothing of the interface is left on it
    if matches '^ synfin  |Enter ladder  / search|Up/Down arrow  \]/\[ phase| clean [0-9]+  reset [0-9]+'; then
        bad "$1" "the interface is still on the screen after the exit"; dump <<<"$scr"; return
    fi
    local alt
    alt=$(tm display -p -t "$ses" '#{alternate_on}' 2>/dev/null)
    if [ "$alt" = 1 ]; then bad "$1" "the terminal was left in the alternate screen"; return; fi
    good "$1"
}

# ------------------------------------------------------------------ 1-2: list and ladder of an HTTP connection
work="$tmp/work"; mkdir -p "$work"
start "$work" -- "$cap/http-client-close.pcap"
expect list-row '^1 +10\.99\.0\.2:60228 +10\.99\.0\.1:8080 .*three-way'
# at 120 columns the app column has room for the whole first request (today it is cut to 20
# columns, "HTTP GET /client-clo", while the pkts and bytes columns are shown)
expect list-app-text '10\.99\.0\.1:8080 +HTTP GET /client-close( |$)' 1
expect list-status-clean '^ clean 1  reset 0  refused 0  open 0  tls-failed 0 \| filter: all \| sort: id asc'
expect list-title '^ synfin  .*http-client-close\.pcap  1 connection  10 packets'
expect list-keybar '^ q quit  \? help  Enter ladder  / search'

keys Enter
if wait_for 'SYN_SENT'; then
    screen >"$tmp/lad1"
    keys G
    wait_for 'TIME_WAIT' >/dev/null
    screen >>"$tmp/lad1"
    in_order ladder-tcp-states "$tmp/lad1" ' SYN seq=0' SYN_SENT ESTABLISHED FIN_WAIT_1 TIME_WAIT
    in_order ladder-phases "$tmp/lad1" '╌ TCP handshake ╌' '╌ data ╌' '╌ teardown ╌'
else
    bad ladder-opens "Enter did not open the ladder"
fi
expect ladder-title '^connection 1: client 10\.99\.0\.2:60228, server 10\.99\.0\.1:8080'
expect ladder-keybar '^ q back  \? help  Up/Down arrow  \]/\[ phase'

# ------------------------------------------------------------------ 8: the time column's three modes
keys g
expect time-relative '^  time \(s\) +client +server'
keys t
expect time-delta '^ delta \(s\) +client +server'
keys t
expect time-absolute-header '^ +time +client +server'
expect time-absolute-hms '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{6} +│ SYN seq=0'
keys t
expect time-relative-again '^  time \(s\) +client +server'

# the detail pane (Tab; below the ladder under 130 columns)
keys Tab
expect ladder-detail-on ' detail \(Tab hides, d/u scroll\) '
keys Tab
expect_gone ladder-detail-off ' detail \(Tab hides'

# help over the ladder goes back to the ladder
keys '?'
expect ladder-help 'Help: the ladder'
keys q
expect ladder-help-back '^connection 1: client'
# Esc goes back to the list
keys Escape
expect ladder-esc-back "$row_re"

# ------------------------------------------------------------------ 7: help on the list
keys '?'
if wait_for '^ Help: the connection list'; then
    ok=1
    for want in 'Enter +open the connection.s ladder' '/ +search address, port' 'f / F +next / previous filter' \
        's / S  > / < +sort by the next' 'r  reverse the order' 'Everywhere: \? help, q or Esc back' \
        '^ Up/Down scroll  q Esc back'; do
        matches "$want" || { bad list-help "help lacks /$want/"; ok=0; break; }
    done
    [ $ok = 1 ] && good list-help
else
    bad list-help "? did not show the help"
fi
keys q
if wait_for "$row_re" && lacks 'Help:'; then good list-help-back; else bad list-help-back "q did not return to the list"; fi

# ------------------------------------------------------------------ 10: q exits cleanly
keys q
exits quit-list

# Q quits from the ladder at once
start "$work" -- "$cap/http-client-close.pcap"
wait_for "$row_re" >/dev/null && keys Enter
wait_for SYN_SENT >/dev/null && keys Q
exits quit-Q-from-ladder

# ------------------------------------------------------------------ 3: a TLS 1.2 handshake in the ladder
start "$work" -- --ca-file "$cap/tls/certs/ca.pem" "$cap/tls/tls12-ecdhe-rsa.pcap"
wait_for "$row_re" >/dev/null && keys Enter
if wait_for 'ClientHello'; then
    screen >"$tmp/lad3"
    old=$(cat "$tmp/lad3")
    keys NPage
    wait_change "$old" && screen >>"$tmp/lad3"
    keys G
    wait_for '╌ teardown ╌' >/dev/null
    screen >>"$tmp/lad3"
    # Finished is the last handshake message: the session is established after it
    in_order ladder-tls12 "$tmp/lad3" 'ClientHello (SNI www.synfin.test)' 'ServerHello (TLS 1.2' 'Certificate (2, ok)' \
        ServerKeyExchange ServerHelloDone ClientKeyExchange ChangeCipherSpec 'encrypted handshake' \
        'TLS session established' ApplicationData
else
    bad ladder-tls12 "Enter did not open the TLS ladder"
fi
# ] and [: next and previous phase.  From the last arrow (in the teardown) [ goes to the
# teardown's start, [ again to the phase before it (data)
keys '['
expect_phase ladder-phase-back-1 teardown
keys '['
expect_phase ladder-phase-back-2 data
keys g
wait_for '^connection 1:' >/dev/null
keys ']'
expect_phase ladder-phase-next 'TLS 1.2 handshake'

# Home and End, on a terminal whose terminfo matches the keys tmux sends
if infocmp screen >/dev/null 2>&1; then
    start "$work" TERM=screen -- --ca-file "$cap/tls/certs/ca.pem" "$cap/tls/tls12-ecdhe-rsa.pcap"
    wait_for "$row_re" >/dev/null && keys Enter
    wait_for 'ClientHello' >/dev/null
    keys End
    expect ladder-end-key '╌ teardown ╌'
    keys Home
    expect ladder-home-key '^connection 1: client 10\.99\.1\.2:45226'
else
    skip ladder-end-key "no terminfo entry for 'screen'"
fi

# ------------------------------------------------------------------ 4: search
start "$work" -- "$cap/tls/tls12-sessionid-resume.pcap"
expect_rows search-list '1 2'
keys /
expect search-prompt '^search \(address, port, SNI, state, kind\): ?$'
type_text 38272
wait_for '^search .*: 38272$' >/dev/null
keys Enter # a terminal's Enter is CR (the interface runs in nonl mode): it must end the prompt
if wait_for 'match: row 2' 1.5; then good search-enter-accepts; else
    bad search-enter-accepts "Enter (CR) does not end the search prompt"
    keys C-j # what the prompt does take today, so the rest can be checked
fi
expect search-moves-selection '\| match: row 2'
keys Enter
expect search-opens-match '^connection 2: client 10\.99\.1\.2:38272, server 10\.99\.1\.1:443'
keys q
wait_for "$row_re" >/dev/null
keys g n
expect search-next '\| match: row 2'
# the prompt starts empty (the last search is one Up away), and edits as a shell's line does
keys /
expect prompt-starts-empty '^search \(address, port, SNI, state, kind\): ?$'
keys Up
expect prompt-history-up '^search \(address, port, SNI, state, kind\): 38272$'
keys Down
expect prompt-history-down '^search \(address, port, SNI, state, kind\): ?$'
type_text 'abc def'
keys C-w
expect prompt-ctrl-w '^search .*: abc$' # the space after it stays (tmux trims it from the capture)
keys C-a
type_text X
keys C-e
type_text Y
expect prompt-ctrl-a-e '^search .*: Xabc Y$'
keys Left Left
type_text Z
expect prompt-arrows '^search .*: XabcZ Y$'
keys C-u # what is before the cursor goes
expect prompt-ctrl-u '^search .*:  Y$'
keys C-e C-u
expect prompt-ctrl-u-all '^search .*: ?$'
type_text zz
keys C-j
expect search-no-match 'no match for "zz"'

# ------------------------------------------------------------------ 4-5: filter and sort on three connections
# refused.pcap, http-client-close.pcap and syn-unanswered.pcap end to end (one pcap header):
# 1 refused (server port 8081), 2 clean (8080, the earliest), 3 SYN unanswered (8082)
merged="$tmp/three.pcap"
if cmp -s <(head -c 24 "$cap/refused.pcap") <(head -c 24 "$cap/http-client-close.pcap") &&
    cmp -s <(head -c 24 "$cap/refused.pcap") <(head -c 24 "$cap/syn-unanswered.pcap"); then
    { cat "$cap/refused.pcap"; tail -c +25 "$cap/http-client-close.pcap"; tail -c +25 "$cap/syn-unanswered.pcap"; } >"$merged"
else
    mergecap -a -F pcap -w "$merged" "$cap/refused.pcap" "$cap/http-client-close.pcap" "$cap/syn-unanswered.pcap"
fi
start "$work" -- "$merged"
expect_rows three-rows '1 2 3'
expect three-status '^ clean 1  reset 0  refused 2  open 0  tls-failed 0 \| filter: all'
keys f
expect filter-clean '\| filter: clean \|'
expect_rows filter-clean-rows '2'
keys f
expect filter-reset '\| filter: reset \|'
expect_rows filter-reset-rows ''
expect filter-reset-empty 'no connection passes the filter'
keys f
expect filter-refused '\| filter: refused/unanswered \|'
expect_rows filter-refused-rows '1 3'
keys F F F
expect filter-back-all '\| filter: all \|'
expect_rows filter-all-rows '1 2 3'
# \ narrows the list to rows containing a text
type_text "\\"
expect narrow-prompt '^show only connections containing \(empty: all\): ?$'
type_text 8082
keys C-j
expect_rows narrow-rows '3'
type_text "\\"
wait_for 'containing \(empty: all\): 8082$' >/dev/null
keys BSpace BSpace BSpace BSpace C-j
expect_rows narrow-cleared '1 2 3'

expect sort-default '\| sort: id asc' 
expect sort-header '^id\^ +client'
keys s
expect sort-start '\| sort: start asc'
expect_rows sort-start-rows '2 1 3'
keys s s
expect sort-server '\| sort: server asc'
expect_rows sort-server-rows '2 1 3'
expect sort-server-header '^id +client +server\^'
keys S S S
expect sort-back-id '\| sort: id asc'
expect_rows sort-id-rows '1 2 3'
keys r
expect sort-reverse '\| sort: id desc'
expect sort-reverse-header '^idv +client'
expect_rows sort-reverse-rows '3 2 1'
keys r
expect_rows sort-reverse-again '1 2 3'

# ------------------------------------------------------------------ 6: resize
# the screen fills the new size: title, header, three rows, blanks, status, key bar, nothing else
layout_ok() { # COLS ROWS
    local l nonblank=0
    [ "${#lines[@]}" = "$2" ] || return 1
    [[ ${lines[0]} == " synfin "* ]] || return 1
    [[ ${lines[1]} =~ ^id\^\ +client\ +server\ +app ]] || return 1
    rows_are "1 2 3" || return 1
    [[ ${lines[$2 - 2]} == " clean 1  reset 0  refused 2"* ]] || return 1
    [[ ${lines[$2 - 1]} == " q quit  ? help  Enter ladder"* ]] || return 1
    for l in "${lines[@]}"; do
        [ -n "$l" ] && nonblank=$((nonblank + 1))
        [ "${#l}" -le "$1" ] || return 1
    done
    [ "$nonblank" = 7 ]
}
resize() { tm resize-window -t "$ses" -x "$1" -y "$2" 2>/dev/null || tm resize-pane -t "$ses" -x "$1" -y "$2"; }
resize 80 24
if wait_until layout_ok 80 24; then good resize-80x24; else bad resize-80x24 "the list is not redrawn cleanly"; dump <<<"$scr"; fi
# a value cut ends with "…"
expect resize-80x24-narrow-columns '^2 +10\.99\.0\.2:60228 +10\.99\.0\.1:8080 +HTTP GET /clien… +three-way$'
# the start column is not on screen: sorting by it is said whole on the status line
keys s
expect sort-hidden-column-status '\| sort: start asc \| sorted by start$'
keys S
resize 120 40
if wait_until layout_ok 120 40; then good resize-120x40; else bad resize-120x40 "the list is not redrawn cleanly"; dump <<<"$scr"; fi
expect resize-120x40-wide-columns '^id\^ +client +server +app +handshake +teardown'
keys q
exits quit-after-resize

# ------------------------------------------------------------------ 9: export
exp="$tmp/export"; mkdir -p "$exp"
start "$exp" -- "$cap/http-client-close.pcap"
wait_for "$row_re" >/dev/null && keys Enter
wait_for SYN_SENT >/dev/null
keys e
expect export-offers '^export: t text, s SVG picture, p pcap of its packets'
keys t
expect export-prompt '^export the ladder as text to: synfin-connection-1\.txt$'
keys Enter # CR, as in the search prompt
if wait_for 'ladder written to synfin-connection-1' 1.5; then good export-enter-accepts; else
    bad export-enter-accepts "Enter (CR) does not end the export prompt"
    keys C-j
fi
for _ in $(seq 1 40); do [ -s "$exp/synfin-connection-1.txt" ] && break; sleep 0.05; done
if [ -f "$exp/synfin-connection-1.txt" ]; then
    LANG=C.UTF-8 LC_ALL='' "$SYNFIN" --ladder=1 -r "$cap/http-client-close.pcap" >"$tmp/ladder1.txt" 2>"$tmp/ladder1.err"
    if cmp -s "$tmp/ladder1.txt" "$exp/synfin-connection-1.txt"; then good export-content; else
        bad export-content "the file differs from synfin --ladder=1"
        diff "$tmp/ladder1.txt" "$exp/synfin-connection-1.txt" | head -20 | dump
    fi
else
    bad export-content "no synfin-connection-1.txt in the session's directory"
fi
keys q q
exits quit-after-export

# ------------------------------------------------------------------ 11: no colours, a monochrome terminal, ASCII
for variant in "NO_COLOR=1" "TERM=vt100" "LANG=C"; do
    start "$work" "$variant" -- "$cap/http-client-close.pcap"
    if wait_for '^1 +10\.99\.0\.2:60228 +10\.99\.0\.1:8080 ' >/dev/null; then
        keys Enter
        if [ "$variant" = LANG=C ]; then want='^ +SYN_SENT \+-+>\|'; else want='^ +SYN_SENT ├(─)+▶│'; fi
        if wait_for "$want" >/dev/null; then
            keys q q
            if [ "$variant" = TERM=vt100 ]; then exits "plain-$variant" noalt; else exits "plain-$variant"; fi
        else
            bad "plain-$variant" "the ladder was not drawn"; dump <<<"$scr"
        fi
    else
        bad "plain-$variant" "the list did not show"
    fi
done

# ------------------------------------------------------------------ 13: what the list says of itself
screen_e() { tm capture-pane -p -e -t "$ses"; }     # with the colours (SGR escapes)
gen="$tmp/gen"
havegen=0
if python3 "$SRCDIR/tests/tuicap.py" "$gen" >"$tmp/gen.err" 2>&1; then havegen=1; else
    echo "    tests/tuicap.py failed:"; dump <"$tmp/gen.err"
fi

start "$work" -- "$merged"
expect_rows state-rows '1 2 3'
# the totals are the rows' colours: a legend
legend_ok() {
    local e pair
    e=$(screen_e)
    for pair in "32:clean 1" "31:reset 0" "33:refused 2" "36:open 0" "35:tls-failed 0"; do
        [[ $e == *$'\e['"${pair%%:*}m${pair#*:}"* ]] || return 1
    done
}
if wait_until legend_ok; then good status-legend-colours; else bad status-legend-colours "the totals are not in the rows' colours"; screen_e | cat -v | tail -3 | dump; fi
keys f
expect filter-n-of-m '^ clean 1  reset 0  refused 2  open 0  tls-failed 0 \| 1 of 3 \| filter: clean \|'
keys F
expect_gone filter-all-no-count ' of 3 \| filter'
keys q
exits quit-state

# the BPF filter on the title bar
start "$work" -- "$merged" tcp port 8080
expect title-bpf '^ synfin  .*three\.pcap  bpf: tcp port 8080  1 connection  10 packets'
keys q
exits quit-bpf

# a path of 450 characters (past the 300 bytes the capture keeps of its name for messages): cut in
# its middle, the file's own name and the counts always on the title bar
deep="$tmp"
for _ in 1 2 3 4 5 6 7 8; do deep="$deep/a-long-directory-name-of-fifty-characters-or-so-x"; done
mkdir -p "$deep" && cp "$cap/http-client-close.pcap" "$deep/"
start "$work" -- "$deep/http-client-close.pcap"
expect title-long-path '^ synfin  /.*….*client-close\.pcap  1 connection  10 packets$'
expect title-long-path-fits '^ synfin  .{1,110}packets$'
keys q
exits quit-long-path

# IPv6 endpoints: cut in their middles with the port whole at 120 columns; whole at 250
if [ $havegen = 1 ]; then
    start "$work" -- "$gen/v6long.pcap"
    expect v6-elided '^1 +\[2001:db…:5555:1\]:40000 +\[2001:db…:5555:2\]:443 '
    expect v6-elided-differ '^2 +\[2001:db…:5555:3\]:40001 '
    resize 250 40
    expect v6-whole '^1 +[0-9:.]+ +\[2001:db8:1111:2222:3333:4444:5555:1\]:40000 +\[2001:db8:1111:2222:3333:4444:5555:2\]:443 +HTTP'
    resize 120 40
    keys q
    exits quit-v6
else
    skip v6 "no generated captures"
fi

# totals that are the truth: a finished connection still lingering counts as clean, not open (a FIFO
# keeps the capture waiting after its packets); the end of the input settles them without a key
if [ $havegen = 1 ]; then
    fifo="$tmp/linger.fifo"
    mkfifo "$fifo"
    start "$work" -- "$fifo"
    { cat "$gen/linger.pcap"; sleep 3; } >"$fifo" &
    writer=$!
    expect linger-counted-clean '^ clean 1  reset 0  refused 0  open 1  tls-failed 0 ' 2.5
    wait "$writer"
    expect totals-at-the-end '^ clean 1  reset 0  refused 0  open 1  tls-failed 0 .*\| read 12 packets$' 3
    keys q
    exits quit-linger
fi

# ------------------------------------------------------------------ 14: the filter expression (w, --where)
start "$work" -- "$merged"
expect_rows where-before '1 2 3'
keys w
expect where-prompt '^where \(e\.g\. .*; empty: all\): ?$'
type_text 'teardown == "reset" || handshake == "syn-only"'
keys Enter
expect_rows where-rows '1 3'
expect where-status '\| 2 of 3 \| filter: all \+ where teardown == "reset" \|\| handshake == "syn-only"'
keys w
expect where-preselected '^where .*: teardown == "reset" \|\| handshake == "syn-only"$'
type_text 'server.port >'
keys Enter
expect where-error 'where: .*expected.* \(column 14\)'
expect_rows where-error-keeps '1 3'
keys w BSpace Enter
expect_rows where-cleared '1 2 3'
keys q
exits quit-where
start "$work" -- --where 'port 8080 && analysis.retransmissions == 0' "$merged"
expect_rows where-option-rows '2'
expect where-option-status '\| 1 of 3 \| filter: all \+ where port 8080'
keys q
exits quit-where-option

# ------------------------------------------------------------------ 15: several connections on one diagram
start "$work" -- "$merged"
expect_rows multi-rows '1 2 3'
keys m m
expect multi-marked '\| 2 marked \(M: on one diagram'
expect multi-mark-shown '^\*1 +10\.99\.0\.2:41990'
keys M
expect multi-title '^2 connections: the marked connections'
expect multi-legend '^#2 connection 2: 10\.99\.0\.2:60228 → 10\.99\.0\.1:8080, HTTP GET /client-close'
expect multi-lifelines '^ +time \(s\) +10\.99\.0\.2 +10\.99\.0\.1'
expect multi-ports '│ #2 :60228→:8080 SYN seq=0 len=0'
expect multi-states '├ SYN_SENT ─+▶│'
expect multi-states-head '│◀─+ SYN_RECV ─┤'
expect multi-states-both '├ ESTABLISHED ─+ ESTABLISHED ─▶│'
# each connection's arrows in its own colour
tint_ok() { local e; e=$(screen_e); [[ $e == *$'\e[32m#1 :'* && $e == *$'\e[35m#2 :'* ]]; }
if wait_until tint_ok; then good multi-colours; else bad multi-colours "#1 and #2 are not in their colours"; fi
# in time order: connection 2's SYN (the earliest) comes first
screen >"$tmp/multi"
in_order multi-time-order "$tmp/multi" '#2 :60228→:8080 SYN seq=0' '#1 :41990→:8081 SYN seq=0'
keys '?'
expect multi-help '^ +Left/Right +scroll a diagram wider than the screen'
keys q
expect multi-help-back '^2 connections: the marked connections'
keys q
keys g c
expect multi-client '^3 connections: client 10\.99\.0\.2'
keys q q
exits quit-multi
start "$work" -- --ca-file "$cap/tls/certs/ca.pem" "$cap/tls/tls12-sessionid-resume.pcap"
expect_rows multi-sni-rows '1 2'
keys h
expect multi-sni '^2 connections: SNI www\.synfin\.test'
expect multi-sni-tls '#1 :38260→:443 PSH\+ACK seq=1 ack=1 len=[0-9]+' 
expect multi-sni-message 'ClientHello \(SNI www\.synfin\.test\)'
keys q q
exits quit-multi-sni

# ------------------------------------------------------------------ 16: hand-off to Wireshark and tcpdump
save="$tmp/save"; mkdir -p "$save"
tm set -g set-clipboard on 2>/dev/null
start "$save" -- "$merged"
expect_rows handoff-rows '1 2 3'
keys j y
display='ip.addr==10.99.0.2 && tcp.port==60228 && ip.addr==10.99.0.1 && tcp.port==8080'
bpf='host 10.99.0.2 and host 10.99.0.1 and tcp port 60228 and tcp port 8080'
expect handoff-display "^   ${display//./\\.}\$"
expect handoff-bpf "^   ${bpf//./\\.}\$"
if command -v tshark >/dev/null 2>&1; then
    got=$(tshark -r "$merged" -Y "$display" 2>/dev/null | wc -l)
    if [ "$got" = 10 ]; then good handoff-display-selects; else bad handoff-display-selects "tshark selects $got packets, not 10"; fi
else
    skip handoff-display-selects "tshark is not installed"
fi
if command -v tcpdump >/dev/null 2>&1; then
    got=$(tcpdump -nr "$merged" "$bpf" 2>/dev/null | wc -l)
    if [ "$got" = 10 ]; then good handoff-bpf-selects; else bad handoff-bpf-selects "tcpdump selects $got packets, not 10"; fi
else
    skip handoff-bpf-selects "tcpdump is not installed"
fi
keys d
expect handoff-copied 'the display filter copied to the terminal.s clipboard'
if [ "$(tm show-buffer 2>/dev/null)" = "$display" ]; then good handoff-clipboard; else
    bad handoff-clipboard "tmux's buffer holds '$(tm show-buffer 2>/dev/null)'"
fi
keys '?'
expect handoff-help '^ +d / D +copy the display filter \(D: with the connection.s time\)'
keys q
expect handoff-help-back '^   host 10\.99\.0\.2 and host'
keys q
# save as pcap: the selected, the marked, the listed
keys p
expect pcap-choice '^save as pcap: s the selected connection, m the 0 marked, f the 3 listed'
keys s
expect pcap-prompt '^save the 1 selected connection as pcap to: synfin-connection-2\.pcap$'
keys Enter
expect pcap-saved '10 packets of 1 connection written to synfin-connection-2\.pcap'
check_pcap() { # NAME FILE "PORTS" PACKETS: synfin reads the file back as these connections
    local got
    got=$("$SYNFIN" -q --json -r "$2" 2>&1 | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.startswith("{\"id\"")]
print(" ".join(str(r["server_port"]) for r in rows), sum(r["packets"] for r in rows))')
    if [ "$got" = "$3 $4" ]; then good "$1"; else bad "$1" "$2 holds '$got', expected '$3 $4'"; fi
}
check_pcap pcap-selected-content "$save/synfin-connection-2.pcap" 8080 10
keys g m m p m
expect pcap-marked-prompt '^save the 2 marked connections as pcap to: synfin-marked\.pcap$'
keys Enter
expect pcap-marked-saved '12 packets of 2 connections written to synfin-marked\.pcap'
check_pcap pcap-marked-content "$save/synfin-marked.pcap" "8081 8080" 12
keys f f f p f
expect pcap-listed-prompt '^save the 2 listed connections as pcap to: synfin-listed\.pcap$'
keys Enter
check_pcap pcap-listed-content "$save/synfin-listed.pcap" "8081 8082" 6
keys F F F j p s Enter
expect pcap-not-overwritten 'synfin-connection-2\.pcap: cannot write: the file exists \(not overwritten\)'
keys q
exits quit-handoff

# ------------------------------------------------------------------ 17: the ladder of a long connection
if [ $havegen = 1 ]; then
    start "$exp" -- "$gen/longrun.pcap"
    wait_for "$row_re" >/dev/null && keys Enter
    expect run-summary '⋯ [0-9]+ segments, client→server 0 B, server→client [0-9.]+ KB ⋯'
    keys a
    expect anomaly-next 'anomaly at packet 107 of 312'
    expect anomaly-shown '◀─+ retransmission ─+┤'
    keys a
    expect anomaly-next-2 'anomaly at packet 207 of 312'
    expect anomaly-zero-window '├─+ zero-window ─+▶│'
    keys a
    expect anomaly-none 'no later anomaly'
    keys A
    expect anomaly-previous 'anomaly at packet 107 of 312'
    # the runs break at the anomalies: a summary before the retransmission and one after it
    keys g
    screen >"$tmp/runs"; keys NPage; wait_change "$(cat "$tmp/runs")"; screen >>"$tmp/runs"
    runs=$(grep -c '⋯ [0-9]* segments' "$tmp/runs")
    if [ "$runs" -ge 2 ]; then good runs-break; else bad runs-break "$runs summaries on screen"; dump <"$tmp/runs"; fi
    keys /
    expect ladder-search-prompt '^search the ladder: ?$'
    type_text 'fin+'
    keys Enter
    expect ladder-search-found '"fin\+": line [0-9]+ of [0-9]+'
    expect ladder-search-selected 'FIN\+ACK seq='
    keys f
    expect follow-text '^GET /longrun HTTP/1\.1$'
    expect follow-response '^HTTP/1\.1 200 OK$'
    follow_ok() { local e; e=$(screen_e); [[ $e == *$'\e[32mGET /longrun'* && $e == *$'\e[36mHTTP/1.1 200'* ]]; }
    if wait_until follow_ok; then good follow-colours; else bad follow-colours "the directions are not coloured"; fi
    keys x
    expect follow-hex '^00000000  47 45 54 20 2f 6c 6f 6e 67 72 75 6e 20 48 54 54  GET /longrun HTT$'
    keys '?'
    expect follow-help '^ +x +text / hex'
    keys q
    expect follow-help-back '^00000000  47 45 54'
    keys q
    expect follow-back '^ q back  \? help  Up/Down arrow  \]/\[ phase'
    keys q q
    exits quit-longrun
fi
start "$work" -- "$cap/lost-segment.pcap"
wait_for "$row_re" >/dev/null && keys Enter
wait_for SYN_SENT >/dev/null && keys f
expect follow-gap '^\[(client|server): 100 bytes never seen \(a gap in the capture\)\]$'
keys q q q
exits quit-gap
start "$work" -- --keylog "$cap/tls/tls13-full.keys" --ca-file "$cap/tls/certs/ca.pem" "$cap/tls/tls13-full.pcap"
wait_for "$row_re" >/dev/null && keys Enter
wait_for ClientHello >/dev/null && keys f
expect follow-decrypted '^GET /tls13-full HTTP/1\.1$'
expect follow-decrypted-title 'stream of connection 1: .* \(decrypted\), text'
keys q q
# the detail pane: a decrypted certificate's summary before its bytes (the pane beside the ladder: the
# list redrawn at 200 columns first, else the ladder may open at 120, its pane off)
resize 200 60
list_at() { [ "${#lines[@]}" = "$1" ] && [[ ${lines[$1 - 2]} == " clean "* ]]; }
wait_until list_at 60 || { echo "    the list was not redrawn at 200x60:"; dump <<<"$scr"; }
keys Enter
wait_for ClientHello >/dev/null
keys /
type_text 'Certificate (2'
keys Enter
pane_order() {
    local sub dec
    sub=$(grep -n 'subject  CN=www\.synfin\.test' <<<"$scr" | head -1 | cut -d: -f1)
    dec=$(grep -n 'decrypted, [0-9]* bytes' <<<"$scr" | head -1 | cut -d: -f1)
    [ -n "$sub" ] && [ -n "$dec" ] && [ "$sub" -lt "$dec" ]
}
if wait_until pane_order; then good detail-summary-first; else bad detail-summary-first "the certificate's subject is not above its bytes"; dump <<<"$scr"; fi
resize 120 40
keys q q
exits quit-decrypted

# one segment's messages stand above its one arrow
start "$work" -- --ca-file "$cap/tls/certs/ca.pem" "$cap/tls/tls12-ecdhe-rsa.pcap"
wait_for "$row_re" >/dev/null && keys Enter
wait_for ClientHello >/dev/null && keys NPage
grouped_ok() { grep -A3 -E '│ +Certificate \(2, ok\) │' <<<"$scr" | tr '\n' '@' | grep -qE 'Certificate \(2, ok\) │@[^@]*ServerKeyExchange │@[^@]*ServerHelloDone │@[^@]*│◀─+┤'; }
if wait_until grouped_ok; then good messages-under-one-arrow; else bad messages-under-one-arrow "Certificate, ServerKeyExchange, ServerHelloDone are not above one arrow"; dump <<<"$scr"; fi
keys q q
exits quit-grouped

# ------------------------------------------------------------------ 18: export as SVG and pcap, and its errors
start "$exp" -- "$cap/http-client-close.pcap"
wait_for "$row_re" >/dev/null && keys Enter
wait_for SYN_SENT >/dev/null
keys e s
expect export-svg-prompt '^export the ladder as SVG to: synfin-connection-1\.svg$'
keys Enter
expect export-svg-written 'ladder written to synfin-connection-1\.svg'
if head -c 100 "$exp/synfin-connection-1.svg" | grep -q '^<?xml' && tail -1 "$exp/synfin-connection-1.svg" | grep -q '^</svg>$'; then
    good export-svg-content; else bad export-svg-content "synfin-connection-1.svg is not an SVG document"; fi
keys e p
expect export-pcap-prompt '^save the 1 selected connection as pcap to: synfin-connection-1\.pcap$'
keys Enter
expect export-pcap-written '10 packets of 1 connection written to synfin-connection-1\.pcap'
check_pcap export-pcap-content "$exp/synfin-connection-1.pcap" 8080 10
keys e t BSpace
type_text /nonexistent-synfin-dir/x.txt
keys Enter
expect export-error-errno '/nonexistent-synfin-dir/x\.txt: cannot write: No such file or directory \(synfin runs as [a-z_][a-z0-9_-]*\)'
keys q q
exits quit-export-svg

# ------------------------------------------------------------------ 19: the words, the keys in the help
start "$work" -- "$cap/http-client-close.pcap"
expect keybar-key-log ' K key log$'
keys K
expect keylog-prompt '^load a TLS key log \(a file of SSLKEYLOGFILE lines\):'
keys Escape
keys '?'
if wait_for '^ Help: the connection list'; then
    ok=1
    for want in 'w +filter expression over the JSON keys' 'm Space +mark' 'M +the marked connections on one diagram' \
        'c / h +every connection of this client / with this SNI' 'p +save as pcap' 'y +Wireshark display filter' \
        'Ctrl-U/Ctrl-K cut' 'Up/Down the history'; do
        matches "$want" || { bad help-list-new-keys "help lacks /$want/"; ok=0; break; }
    done
    [ $ok = 1 ] && good help-list-new-keys
else
    bad help-list-new-keys "? did not show the help"
fi
keys q Enter
wait_for SYN_SENT >/dev/null
keys '?'
if wait_for '^ Help: the ladder'; then
    ok=1
    for want in 'a / A +next / previous anomaly' '/ +search the ladder' 'f +follow the stream' 'y +Wireshark display filter' \
        'e +export: text \(as --ladder\), SVG picture, or a pcap'; do
        matches "$want" || { bad help-ladder-new-keys "help lacks /$want/"; ok=0; break; }
    done
    [ $ok = 1 ] && good help-ladder-new-keys
else
    bad help-ladder-new-keys "? did not show the help"
fi
keys q q q
exits quit-words
# --color=never: no colour at all
start "$work" -- --color=never "$cap/refused.pcap"
wait_for "$row_re" >/dev/null
if [[ $(screen_e) == *$'\e[3'[1-7]m* ]]; then bad color-never "colours drawn"; else good color-never; fi
keys q
exits quit-color-never

# ------------------------------------------------------------------ 12: live on lo (root only)
if [ "$(id -u)" != 0 ]; then
    skip live "not root: cannot capture on lo"
elif ! command -v python3 >/dev/null 2>&1; then
    skip live "python3 not found"
else
    port=$((20000 + RANDOM % 20000))
    start "$work" -- -i lo "tcp port $port"
    if wait_for ' synfin  lo  .*live [0-9]+ pkt/s' >/dev/null; then
        # a server and its client on 127.0.0.1 (in the foreground: python may be slow to start)
        py_ok=1
        timeout 10 python3 - "$port" <<'PY' >"$tmp/py.out" 2>&1 || py_ok=0
import socket, sys, threading
socket.setdefaulttimeout(5)
port = int(sys.argv[1])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(1)
def serve():
    c, _ = ls.accept()
    c.recv(1000)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    c.recv(1000)          # the client's FIN
    c.close()
t = threading.Thread(target=serve); t.start()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /tui-live HTTP/1.0\r\n\r\n")
got = b""
while not got.endswith(b"hello"):
    got += s.recv(1000)
s.close(); t.join(); ls.close()
PY
        [ $py_ok = 1 ] || { echo "    the python client/server failed:"; dump <"$tmp/py.out"; }
        expect live-row "^1 +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:$port +HTTP GET /tui-live" 3
        keys Enter
        if wait_for 'FIN_WAIT_1'; then
            screen >"$tmp/live"
            in_order live-ladder "$tmp/live" ' SYN seq=0' SYN_SENT ESTABLISHED 'GET /tui-live HTTP/1.0' FIN_WAIT_1
        else
            bad live-ladder "the live connection's ladder lacks its teardown"
        fi
        keys q q
        exits quit-live
    elif matches '^EXITED [1-9]'; then
        skip live "cannot capture on lo here: $(grep -m1 -v '^$' <<<"$scr")"
    else
        bad live "synfin -i lo did not show its live title"
    fi
fi

# ------------------------------------------------------------------ 20: live, a prompt open while traffic flows
if [ "$(id -u)" != 0 ]; then
    skip live-prompt "not root: cannot capture on lo"
elif ! command -v python3 >/dev/null 2>&1; then
    skip live-prompt "python3 not found"
else
    port2=$((20000 + (RANDOM + 7919) % 20000))
    nconn=200
    start "$work" -- -i lo "tcp port $port2"
    if wait_for ' synfin  lo  .*live [0-9]+ pkt/s' >/dev/null; then
        keys /
        wait_for '^search \(address' >/dev/null
        # 200 connections in about two seconds while the search prompt waits for its answer
        timeout 30 python3 - "$port2" "$nconn" <<'PY' >"$tmp/py2.out" 2>&1 &
import socket, sys, threading, time
socket.setdefaulttimeout(5)
port, n = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port)); ls.listen(64)
def serve():
    for _ in range(n):
        c, _ = ls.accept()
        c.recv(100)
        c.sendall(b"pong")
        c.recv(100)
        c.close()
t = threading.Thread(target=serve); t.start()
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"ping %d" % i)
    s.recv(100)
    s.close()
    time.sleep(0.01)
t.join(); ls.close()
PY
        pyjob=$!
        expect live-under-prompt " synfin  lo  bpf: tcp port $port2  $nconn connections  [0-9]+ packets .*live [0-9]+ pkt/s, 0 dropped" 15
        expect live-prompt-still-open '^search \(address, port, SNI, state, kind\): ?$'
        wait "$pyjob" || { echo "    the python clients failed:"; dump <"$tmp/py2.out"; }
        keys Escape
        # every connection arrived, none was lost, each counted by its verdict once its linger is over
        expect live-every-connection "^ clean $nconn  reset 0  refused 0  open 0  tls-failed 0 " 6
        expect live-nothing-dropped ' 0 dropped$'
        # root was given up: the current directory is not the new user's to write, the export offers one that is
        keys Enter
        wait_for 'SYN_SENT' >/dev/null
        keys e t
        if wait_for '^export the ladder as text to: /[^ ]+/synfin-connection-[0-9]+\.txt$'; then
            good export-writable-default
            grab; def=$(grep -oE '/[^ ]+/synfin-connection-[0-9]+\.txt$' <<<"$scr")
            keys Enter
            expect export-writable-written "ladder written to ${def//./\\.}"
            rm -f "$def"
        else
            bad export-writable-default "the offered file is in a directory the user cannot write"
        fi
        keys e t BSpace
        type_text "$work/denied.txt"
        keys Enter
        expect export-denied-errno 'denied\.txt: cannot write: Permission denied \(synfin runs as (tcpdump|nobody)\)'
        keys q q
        exits quit-live-prompt
    else
        bad live-prompt "synfin -i lo did not show its live title"
    fi
fi

echo "$((n - fail))/$n tui checks pass"
[ $fail = 0 ]
