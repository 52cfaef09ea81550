#!/usr/bin/env bash
# check-dashboard.sh drives the live dashboard of `refreshstorm run` in a
# real pseudo-terminal (detached tmux sessions on a private socket, all
# started at once) and checks what a user sees and what the keys do:
#
#   S script(1): `refreshstorm version` on a pty that never answers takes
#     under 0.5 s and prints no escape byte (no terminal query).
#   A 100x30, with chaos: frames at ~3 s and ~6 s show p99, rates (/s) and
#     outcome counts and change over time; '+' raises the requested rate by
#     10 %; 'q' ends the run: exit 0, summary.json with a verdict and the
#     rate change; with colour, the frame carries SGR escapes.
#   B 80x24: the same frame checks; no unlabelled block of bar or braille
#     characters; elapsed + left = duration; space pauses (PAUSED, achieved
#     0/s) and resumes; '?' opens the help; ctrl+c interrupts: exit 130,
#     summary.json "interrupted": true.
#   C NO_COLOR=1: capture-pane -e shows no escape sequence at all.
#   D --threshold 'latency.p99<1us': the header turns FAILING, naming the
#     threshold, within 2 s of its first judgement (1 s into the load).
#   E `timeout 60 refreshstorm run` (not in the terminal's foreground
#     process group): progress lines instead of the view, and why.
#   F 200x60: the charts grow to use the rows (few blank lines left).
#
# Prints PASS/FAIL lines; exits 1 on any failure. Loopback only (embedded
# authserver on 127.0.0.1). Bounded: it ends after LIMIT (88) seconds.
#
# Usage: scripts/check-dashboard.sh        (builds into a temp dir)
#        BIN=/path/to/refreshstorm scripts/check-dashboard.sh
#        KEEP=1 ...  keeps the work dir (captures, results) for a look
set -u
# Bar and braille cells are matched by range: grep needs a UTF-8 locale.
export LC_ALL=C.UTF-8

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
	cmd="env -u NO_COLOR -u CI TERM=tmux-256color ${envs[*]} ${WRAP:-} $(printf '%q ' "$BIN" run "$@")"
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

# labelled_blocks FILE: bar cells appear only in the progress bar (the line
# with the clocks) and braille cells only beside a chart's y axis, never as
# an unlabelled block beside another panel.
labelled_blocks() {
	! grep -P '[\x{2581}-\x{2588}]' "$1" | grep -Eqv '[0-9]:[0-9]{2} / ' &&
		! grep -P '[\x{2801}-\x{28FF}]' "$1" | grep -Pqv '[│┤]'
}

# clocks_add_up FILE: "M:SS / M:SS  left M:SS" has elapsed + left = total.
clocks_add_up() {
	local c
	c=$(grep -oE '[0-9]+:[0-9]{2} / [0-9]+:[0-9]{2} +left [0-9]+:[0-9]{2}' "$1" | head -1) || return 1
	[ -n "$c" ] || return 1
	read -r e _ d _ l <<<"$c"
	s() { echo $((10#${1%%:*} * 60 + 10#${1##*:})); }
	[ $(($(s "$e") + $(s "$l"))) -eq "$(s "$d")" ]
}

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

# --- S: no terminal query outside the dashboard ----------------------------
# Before the runs start, best of three: a loaded machine adds start-up time,
# a terminal query adds a 5 s stall.
if command -v script >/dev/null; then
	best=999999
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		script -qec "$BIN version" /dev/null >"$WORK/S.out" 2>&1
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ "$ms" -lt "$best" ] && best=$ms
	done
	check "S version under script(1) in < 500 ms (best of 3: $best ms)" test "$best" -lt 500
	check "S version under script(1) prints no escape byte" no_esc_in "$WORK/S.out"
	check "S version under script(1) prints the version" grep -q '^refreshstorm ' "$WORK/S.out"
else
	echo "SKIP S: script(1) not installed"
fi

# Every run starts now and signs in concurrently; each is checked in turn.
start A 100 30 -- --duration 60s --rate 200 \
	--chaos lost-response=0.02,concurrent=0.02:3,replay=0.01:1s,csrf=0.01,stale-cookie=0.005 \
	--out "$WORK/outA"
start B 80 24 -- --duration 60s --rate 100 --chaos concurrent=0.02:3 --out "$WORK/outB"
start C 100 30 NO_COLOR=1 -- --duration 60s --rate 50 --chaos csrf=0.05 --out "$WORK/outC"
start D 100 30 -- --duration 60s --rate 50 --threshold 'latency.p99<1us' --out "$WORK/outD"
WRAP="timeout 60" start E 120 30 -- --duration 4s --rate 20 --out "$WORK/outE"
start F 200 60 -- --duration 60s --rate 50 --chaos concurrent=0.02:3 --out "$WORK/outF"

# --- D: a lost user threshold turns the header FAILING ---------------------
# The header's clock says how far into the load the verdict changed.
if wait_for D 'FAILING +threshold latency\.p99<1us' 25; then
	cap D >"$WORK/D.cap"
	at=$(head -3 "$WORK/D.cap" | grep -oE '[0-9]+:[0-9]{2} / ' | head -1 | cut -d' ' -f1)
	secs=$((10#${at%%:*} * 60 + 10#${at##*:}))
	check "D FAILING names the lost threshold by ${at} of load (want <= 0:03)" test "$secs" -le 3
	tm send-keys -t D q
else
	fail "D no FAILING header for latency.p99<1us within 25 s"
	cap D | head -3 | sed 's/^/    | /'
fi

# --- A: 100x30 with chaos, '+', colour, 'q' ------------------------------
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
fi

# --- B: 80x24 layout, pause, help, ctrl+c ----------------------------------
if frame_checks B 80 24; then
	check "B 80x24 no unlabelled block of bar or braille cells" labelled_blocks "$WORK/B.cap2"
	check "B elapsed + left = duration ($(grep -oE '[0-9]+:[0-9]{2} / [0-9]+:[0-9]{2} +left [0-9]+:[0-9]{2}' "$WORK/B.cap2"))" clocks_add_up "$WORK/B.cap2"
	tm send-keys -t B Space
	check "B space pauses (PAUSED shown)" wait_for B 'PAUSED' 3
	check "B paused: achieved rate reads 0/s" wait_for B '^now +0/s' 4
	tm send-keys -t B Space
	sleep 0.6
	check "B space again resumes" not_on_screen B PAUSED
	tm send-keys -t B '?'
	check "B '?' opens the help" wait_for B '─ help' 3
	tm send-keys -t B Escape
	check "B esc closes the help" wait_for B '─ throughput' 3
	tm send-keys -t B C-c
fi

# --- C: NO_COLOR ----------------------------------------------------------
if wait_for C '─ throughput' 25; then
	tm capture-pane -p -e -t C >"$WORK/C.esc"
	check "C NO_COLOR=1: no escape sequence in capture-pane -e" no_esc_in "$WORK/C.esc"
	check "C NO_COLOR=1: frame still rendered (ok_rotated)" grep -Eq 'ok_rotated +[0-9]' "$WORK/C.esc"
	tm send-keys -t C q
else
	fail "C NO_COLOR=1: no dashboard frame within 25 s"
fi

# --- E: under timeout(1), progress lines and the reason ---------------------
if wait_for E 'VERDICT' 30; then
	tm capture-pane -p -S -200 -t E >"$WORK/E.cap"
	check "E timeout(1): says why the dashboard is off" grep -q "dashboard off: not in the terminal's foreground process group" "$WORK/E.cap"
	check "E timeout(1): progress lines instead" grep -Eq '^\[ +[0-9]+s .*\] rate ' "$WORK/E.cap"
else
	fail "E timeout(1): the run did not finish within 30 s (stopped by the terminal?)"
	cap E | tail -5 | sed 's/^/    | /'
fi

# --- F: 200x60 uses its rows ----------------------------------------------
if wait_for F 'achieved requests/s, last 60 s' 25; then
	sleep 1
	cap F >"$WORK/F.cap"
	blank=$(grep -c '^ *$' "$WORK/F.cap")
	check "F 200x60 charts shown with braille dots" grep -qP '[\x{2801}-\x{28FF}]' "$WORK/F.cap"
	check "F 200x60 at most 3 blank rows ($blank)" test "$blank" -le 3
	tm send-keys -t F q
else
	fail "F 200x60: no charts within 25 s"
fi

# --- exits and results ----------------------------------------------------
rc=$(wait_rc A 25)
# q exits by the verdict: 0 on pass, 1 on fail (a loaded machine can miss
# the rate and fail rate.shortfall).
want=1
grep -q '"verdict": "pass"' "$WORK/outA/summary.json" 2>/dev/null && want=0
check "A 'q' ends the run with the verdict's exit code $want (got $rc)" test "$rc" = "$want"
check "A summary.json has a verdict" grep -q '"verdict": "' "$WORK/outA/summary.json"
check "A summary.json not interrupted" grep -q '"interrupted": false' "$WORK/outA/summary.json"
check "A summary.json records the rate change to 220" grep -q '"rate": 220' "$WORK/outA/summary.json"
rc=$(wait_rc B 25)
check "B ctrl+c ends the run with exit 130 (got $rc)" test "$rc" = 130
check "B summary.json has \"interrupted\": true" grep -q '"interrupted": true' "$WORK/outB/summary.json"
rc=$(wait_rc C 25)
check "C 'q' ends the run (exit $rc)" test "$rc" = 0 -o "$rc" = 1
rc=$(wait_rc D 25)
check "D 'q' ends a run that lost a threshold with exit 1 (got $rc)" test "$rc" = 1
rc=$(wait_rc E 25)
check "E the run under timeout(1) ends by itself (exit $rc)" test "$rc" = 0

echo "---"
if [ "$FAILS" -eq 0 ]; then
	echo "PASS check-dashboard ($SECONDS s)"
	exit 0
fi
echo "FAIL check-dashboard: $FAILS check(s) failed ($SECONDS s)"
exit 1
