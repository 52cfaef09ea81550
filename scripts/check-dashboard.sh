#!/usr/bin/env bash
# check-dashboard.sh drives the live dashboard of `refreshstorm run` in a
# real pseudo-terminal (a detached tmux session on a private socket) and
# checks what a user sees and what the keys do:
#
#   A 100x30, with chaos: frames at ~3 s and ~6 s show p99, rates (/s) and
#     outcome counts and change over time; '+' raises the requested rate by
#     10 %; 'q' ends the run: exit 0, summary.json with a verdict and the
#     rate change; with colour, the frame carries SGR escapes.
#   B 80x24: the same frame checks; space pauses and resumes; '?' opens the
#     help; ctrl+c interrupts: exit 130, summary.json "interrupted": true.
#   C NO_COLOR=1: capture-pane -e shows no escape sequence at all.
#
# Prints PASS/FAIL lines; exits 1 on any failure. Loopback only (embedded
# authserver on 127.0.0.1). Bounded: it ends after LIMIT (88) seconds.
#
# Usage: scripts/check-dashboard.sh        (builds into a temp dir)
#        BIN=/path/to/refreshstorm scripts/check-dashboard.sh
#        KEEP=1 ...  keeps the work dir (captures, results) for a look
set -u

# The whole check runs under timeout(1); TERM from it runs the cleanup.
if [ -z "${CHECK_DASHBOARD_TIMED:-}" ]; then
	CHECK_DASHBOARD_TIMED=1 exec timeout --preserve-status -s TERM "${LIMIT:-88}" "$0" "$@"
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/refreshstorm-dash.XXXXXX)
SOCK="refreshstorm-dash-$$"
LIMIT=${LIMIT:-88}
FAILS=0

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
pass() { echo "PASS $*"; }
fail() {
	echo "FAIL $*"
	FAILS=$((FAILS + 1))
}
check() { # check "description" command...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	if [ "${KEEP:-}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'echo "FAIL interrupted or over the ${LIMIT}s limit"; exit 1' TERM INT

command -v tmux >/dev/null || { echo "FAIL tmux not installed (apt-get install -y tmux)"; exit 1; }

if [ -z "${BIN:-}" ]; then
	BIN=$WORK/refreshstorm
	if (cd "$ROOT" && timeout 60 go build -o "$BIN" ./cmd/refreshstorm); then
		pass "build"
	else
		fail "build"
		exit 1
	fi
fi

# start NAME COLS ROWS ENV... -- ARGS...: runs `refreshstorm run ARGS` in a
# new detached session; its exit code lands in $WORK/NAME.rc. TERM is fixed
# so the colour profile does not depend on tmux's default-terminal.
start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	local envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	local cmd
	cmd="env -u NO_COLOR -u CI TERM=tmux-256color ${envs[*]} $(printf '%q ' "$BIN" run "$@")"
	cmd+="; echo \$? > $WORK/$name.rc; exec sleep 60"
	tm new-session -d -s "$name" -x "$cols" -y "$rows" "$cmd"
}

cap() { tm capture-pane -p -t "$1"; }

# wait_for NAME REGEX SECONDS: polls the screen until REGEX shows.
wait_for() {
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt "$end" ]; do
		cap "$1" 2>/dev/null | grep -Eq -- "$2" && return 0
		sleep 0.2
	done
	return 1
}

# wait_rc NAME SECONDS: waits for the run to exit; prints its code.
wait_rc() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt "$end" ]; do
		if [ -s "$WORK/$1.rc" ]; then
			cat "$WORK/$1.rc"
			return 0
		fi
		sleep 0.2
	done
	echo none
}

first_line_is() { head -1 "$1" | grep -Eq -- "$2"; }
last_line_is() { grep -v '^$' "$1" | tail -1 | grep -Eq -- "$2"; }
differ() { ! cmp -s "$1" "$2"; }
has_esc() { tm capture-pane -p -e -t "$1" | grep -q $'\e\['; }
no_esc_in() { ! grep -q $'\e' "$1"; }
not_on_screen() { ! cap "$1" | grep -Eq -- "$2"; }

# total FILE: the "total" counter of the throughput panel.
total() { sed -nE 's/^total +([0-9,]+).*/\1/p' "$1" | head -1 | tr -d ,; }
requested() { grep -oE 'requested [^ ]+' "$1" | head -1 | awk '{print $2}'; }

# frame_checks NAME COLS ROWS: captures at ~3 s and ~6 s after the first frame.
frame_checks() {
	local name=$1 cols=$2 rows=$3 t0
	if ! wait_for "$name" '─ throughput' 25; then
		fail "$name ${cols}x$rows: no dashboard frame within 25 s"
		cap "$name" | tail -5 | sed 's/^/    | /'
		return 1
	fi
	t0=$SECONDS
	sleep 3
	cap "$name" >"$WORK/$name.cap1"
	[ $((t0 + 6 - SECONDS)) -gt 0 ] && sleep $((t0 + 6 - SECONDS))
	cap "$name" >"$WORK/$name.cap2"
	local c1=$WORK/$name.cap1 c2=$WORK/$name.cap2
	for c in "$c1" "$c2"; do
		local n=${c##*.}
		check "$name ${cols}x$rows $n shows p99" grep -q 'p99' "$c"
		check "$name ${cols}x$rows $n shows a rate (N/s)" grep -Eq '[0-9]/s' "$c"
		check "$name ${cols}x$rows $n shows outcome counts (ok_rotated N)" grep -Eq 'ok_rotated +[0-9]' "$c"
		check "$name ${cols}x$rows $n header on the first line" first_line_is "$c" '^refreshstorm '
		check "$name ${cols}x$rows $n key footer on the last line" last_line_is "$c" '^q stop'
	done
	check "$name ${cols}x$rows frames at ~3 s and ~6 s differ" differ "$c1" "$c2"
	local n1 n2
	n1=$(total "$c1")
	n2=$(total "$c2")
	check "$name ${cols}x$rows total grows (${n1:-?} -> ${n2:-?})" test "${n1:-0}" -gt 0 -a "${n2:-0}" -gt "${n1:-0}"
}

# --- A: 100x30 with chaos, '+', colour, 'q' ------------------------------
start A 100 30 -- --duration 60s --rate 200 \
	--chaos lost-response=0.02,concurrent=0.02:3,replay=0.01:1s,csrf=0.01,stale-cookie=0.005 \
	--out "$WORK/outA"
if frame_checks A 100 30; then
	check "A chaos panel populated" grep -Eq 'lost-response [0-9]+ injected' "$WORK/A.cap2"
	check "A colour on: capture-pane -e has SGR escapes" has_esc A
	before=$(requested "$WORK/A.cap2")
	tm send-keys -t A +
	if wait_for A 'requested 220/s' 3; then
		pass "A '+' raises the requested rate (${before} -> 220/s)"
	else
		fail "A '+' raises the requested rate (${before} -> $(cap A | grep -oE 'requested [^ ]+'))"
	fi
	tm send-keys -t A q
	rc=$(wait_rc A 25)
	check "A 'q' ends the run with exit 0 (got $rc)" test "$rc" = 0
	check "A summary.json has a verdict" grep -q '"verdict": "' "$WORK/outA/summary.json"
	check "A summary.json not interrupted" grep -q '"interrupted": false' "$WORK/outA/summary.json"
	check "A summary.json records the rate change to 220" grep -q '"rate": 220' "$WORK/outA/summary.json"
fi

# --- B: 80x24, pause, help, ctrl+c ---------------------------------------
start B 80 24 -- --duration 60s --rate 100 --chaos concurrent=0.02:3 --out "$WORK/outB"
if frame_checks B 80 24; then
	tm send-keys -t B Space
	check "B space pauses (PAUSED shown)" wait_for B 'PAUSED' 3
	tm send-keys -t B Space
	sleep 0.6
	check "B space again resumes" not_on_screen B PAUSED
	tm send-keys -t B '?'
	check "B '?' opens the help" wait_for B '─ help' 3
	tm send-keys -t B Escape
	check "B esc closes the help" wait_for B '─ throughput' 3
	tm send-keys -t B C-c
	rc=$(wait_rc B 25)
	check "B ctrl+c ends the run with exit 130 (got $rc)" test "$rc" = 130
	check "B summary.json has \"interrupted\": true" grep -q '"interrupted": true' "$WORK/outB/summary.json"
	check "B summary.json has a verdict" grep -q '"verdict": "' "$WORK/outB/summary.json"
fi

# --- C: NO_COLOR ----------------------------------------------------------
start C 100 30 NO_COLOR=1 -- --duration 60s --rate 100 --chaos csrf=0.05 --out "$WORK/outC"
if wait_for C '─ throughput' 25 && sleep 2; then
	tm capture-pane -p -e -t C >"$WORK/C.esc"
	check "C NO_COLOR=1: no escape sequence in capture-pane -e" no_esc_in "$WORK/C.esc"
	check "C NO_COLOR=1: frame still rendered (p99, ok_rotated)" grep -Eq 'ok_rotated +[0-9]' "$WORK/C.esc"
	tm send-keys -t C q
	rc=$(wait_rc C 25)
	check "C 'q' ends the run (exit $rc)" test "$rc" = 0
else
	fail "C NO_COLOR=1: no dashboard frame within 25 s"
fi

echo "---"
if [ "$FAILS" -eq 0 ]; then
	echo "PASS check-dashboard ($SECONDS s)"
	exit 0
fi
echo "FAIL check-dashboard: $FAILS check(s) failed ($SECONDS s)"
exit 1
