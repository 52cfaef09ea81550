#!/usr/bin/env bash
# check-report.sh renders report.html in headless Chromium and checks what
# a reviewer would see:
#   - every chart drew: report.js sets data-charts on <body> and
#     data-drawn/data-points on each chart, and each chart holds a canvas;
#   - no console errors (Chromium logs console messages with
#     --enable-logging=stderr; a CSP violation also lands there);
#   - no network request: every request goes to a recording proxy on a
#     loopback port. Chromium still phones home (update and time checks)
#     whatever the flags, so a run on about:blank records those hosts and
#     only hosts beyond them count. The page's CSP (default-src 'none')
#     also turns any fetch into a console violation, which the console check
#     catches. A canary page with one remote image first proves the proxy
#     sees a page's requests.
# It makes a short run with chaos and a failure (embedded server with the
# non-atomic defect), whose report has 5 charts, and a short capacity run,
# whose report adds the 3 knee charts (8), and, with SCREENSHOT=path, saves
# a screenshot of the first (CAPACITY_SCREENSHOT=path: of the second).
#
# Usage: scripts/check-report.sh [RESULTS_DIR]   (a run's directory: 5 charts)
#        SCREENSHOT=docs/report-screenshot.png scripts/check-report.sh
# Exits 1 on any failed check, 3 when Chromium or python3 is missing.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/refreshstorm-report.XXXXXX)
CHROME=${CHROME:-$(command -v chromium || command -v chromium-browser || true)}
PROXY_PID=
cleanup() { [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null; [ -z "${KEEP:-}" ] && rm -rf "$WORK"; }
trap cleanup EXIT
fails=0
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi; }

[ -n "$CHROME" ] || { echo "chromium not found (apt-get install -y chromium)"; exit 3; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 3; }

DIR=${1:-}
CAPDIR=
if [ -z "$DIR" ]; then
	(cd "$ROOT" && go build -o "$WORK/refreshstorm" ./cmd/refreshstorm) || exit 3
	DIR="$WORK/run"
	timeout 60 "$WORK/refreshstorm" run --headless --duration 8s --rate 200 --sessions 100 \
		--chaos lost-response=0.02,concurrent=0.02:3,replay=0.01:2s,csrf=0.01 \
		--server-policy strict,defect=non-atomic --out "$DIR" >"$WORK/run.txt" 2>&1
	[ -f "$DIR/report.html" ] || { echo "FAIL run wrote no report.html"; cat "$WORK/run.txt"; exit 1; }
	CAPDIR="$WORK/capacity"
	timeout 90 "$WORK/refreshstorm" capacity --sessions 10 --start-rate 50 --factor 2 --precision 0.3 \
		--step-requests 100 --step-min 1500ms --step-max 1500ms --chaos lost-response=0.02 \
		--server-policy strict,workers=2,service=10ms --out "$CAPDIR" >"$WORK/capacity.txt" 2>&1
	[ -f "$CAPDIR/capacity.json" ] || { echo "FAIL capacity wrote no capacity.json"; cat "$WORK/capacity.txt"; exit 1; }
fi

# The recording proxy: logs the first line of every connection.
cat >"$WORK/proxy.py" <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
log = open(sys.argv[1], "a")
while True:
    c, _ = s.accept(); c.settimeout(2)
    try: d = c.recv(300)
    except Exception: d = b""
    log.write(d.split(b"\r\n")[0].decode(errors="replace") + "\n"); log.flush(); c.close()
PY
: >"$WORK/proxy.log"
python3 "$WORK/proxy.py" "$WORK/proxy.log" >"$WORK/proxy.port" &
PROXY_PID=$!
# Python can take seconds to start on a loaded machine; without a port
# every network check below would pass for nothing.
for _ in $(seq 100); do [ -s "$WORK/proxy.port" ] && break; sleep 0.2; done
PORT=$(cat "$WORK/proxy.port")
[ -n "$PORT" ] || { echo "FAIL the recording proxy did not start"; exit 1; }

chrome() { # chrome URL OUT ERR [extra flags]
	local url=$1 out=$2 err=$3; shift 3
	timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
		--disable-background-networking --disable-component-update --disable-sync --disable-domain-reliability \
		--disable-client-side-phishing-detection --disable-features=OptimizationHints,MediaRouter,Translate \
		--user-data-dir="$WORK/profile" --proxy-server="127.0.0.1:$PORT" --proxy-bypass-list='<-loopback>' \
		--enable-logging=stderr --v=0 --window-size=1400,2600 --virtual-time-budget=5000 "$@" "$url" >"$out" 2>"$err"
}

printf '<html><body><img src="http://canary.invalid/x.png"><script>console.error("canary")</script></body></html>' >"$WORK/canary.html"
# A loaded machine can end the page's virtual time before the image is
# asked for: a second try tells that apart from a proxy that sees nothing.
for _ in 1 2; do
	chrome "file://$WORK/canary.html" "$WORK/canary.dom" "$WORK/canary.err" --dump-dom
	grep -q "canary.invalid" "$WORK/proxy.log" && break
done
check "canary: the proxy sees a page's request" 'grep -q "canary.invalid" "$WORK/proxy.log"'
check "canary: console errors are visible" 'grep -q "CONSOLE.*canary" "$WORK/canary.err"'

: >"$WORK/proxy.log"
chrome "about:blank" "$WORK/blank.dom" "$WORK/blank.err" --dump-dom
hosts() { sed -E 's#^[A-Z]+ (https?://)?([^/: ]+).*#\2#' "$1" | sort -u; }
hosts "$WORK/proxy.log" >"$WORK/browser-hosts"
: >"$WORK/proxy.log"
page() { # page NAME RESULTS_DIR CHARTS
	local name=$1 dir=$2 want=$3
	: >"$WORK/proxy.log"
	cp "$dir/report.html" "$WORK/$name.html"
	chrome "file://$WORK/$name.html" "$WORK/$name.dom" "$WORK/$name.err" --dump-dom
	hosts "$WORK/proxy.log" | grep -vxF -f "$WORK/browser-hosts" | grep -vE "(^|\.)(google|googleapis|gvt1)\.com$" >"$WORK/$name-hosts"
	check "$name: charts drew (body data-charts=$want)" 'grep -q "<body[^>]*data-charts=\"$want\"" "$WORK/$name.dom"'
	n=$(grep -o 'data-drawn="1"' "$WORK/$name.dom" | wc -l)
	check "$name: every chart has drawn ($n of $want)" '[ "$n" -eq "$want" ]'
	c=$(grep -o '<canvas' "$WORK/$name.dom" | wc -l)
	check "$name: canvases with data ($c)" '[ "$c" -ge "$want" ] && ! grep -q "data-points=\"0\"" "$WORK/$name.dom"'
	check "$name: no console messages" '! grep -q "CONSOLE" "$WORK/$name.err"'
	check "$name: no network request" '[ ! -s "$WORK/$name-hosts" ]'
	sed 's/^/  requested host: /' "$WORK/$name-hosts"
	grep "CONSOLE" "$WORK/$name.err" | head -5 | sed 's/^/  console: /'
}
page report "$DIR" 5
[ -z "$CAPDIR" ] || page capacity "$CAPDIR" 8

if [ -n "${SCREENSHOT:-}" ]; then
	chrome "file://$WORK/report.html" /dev/null "$WORK/shot.err" --screenshot="$WORK/shot.png" --hide-scrollbars
	cp "$WORK/shot.png" "$SCREENSHOT" && echo "screenshot: $SCREENSHOT"
fi
if [ -n "${CAPACITY_SCREENSHOT:-}" ] && [ -n "$CAPDIR" ]; then
	chrome "file://$WORK/capacity.html" /dev/null "$WORK/shot.err" --screenshot="$WORK/cap.png" --hide-scrollbars
	cp "$WORK/cap.png" "$CAPACITY_SCREENSHOT" && echo "screenshot: $CAPACITY_SCREENSHOT"
fi
[ "$fails" -eq 0 ] || { echo "check-report: $fails checks failed"; exit 1; }
echo "check-report: all checks passed"
