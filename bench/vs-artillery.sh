#!/usr/bin/env bash
# refreshstorm vs Artillery 2 (from the npm registry) on a stateful target:
# the embedded authserver (`refreshstorm serve`, strict: real rotation,
# reuse detection) in its own process, over TLS on loopback. Both clients
# sign in the same number of users, one family each, and then rotate as
# fast as they can with the same concurrency: refreshstorm with
# --rate 0 --max-workers N, Artillery with N virtual users, each with its own
# cookie jar and connection, refreshing in a loop (bench/artillery/). The
# __Host- cookies are Secure, so the server speaks HTTPS (a throwaway CA);
# both clients use HTTP/1.1. One server for the whole run, rounds alternate
# (Artillery first in odd rounds). Reports each round, then the medians:
# successful rotations/s and their ratio, client CPU per rotation
# (/usr/bin/time user+sys, start-up and sign-in included; Artillery's also
# inside the refresh window only, from /proc), server CPU per rotation
# (/proc/PID/stat), Artillery's success fraction and refreshstorm's verdict.
#   bench/vs-artillery.sh [seconds=10] [rounds=3] [sessions=64]
# WARMUP (default 12) is how many seconds after Artillery's launch its
# virtual users start refreshing together; they sign in before that.
# Scratch files go to $OUT (default /tmp/refreshstorm-vs-artillery),
# Artillery is installed into $OUT/npm.
set -euo pipefail
for tool in go node npm curl python3 /usr/bin/time timeout; do
  command -v "$tool" >/dev/null || { echo "vs-artillery.sh needs $tool" >&2; exit 3; }
done
secs=${1:-10}; rounds=${2:-3}; sessions=${3:-64}
warm=${WARMUP:-12}
artillery_version=2.0.21 # the newest 2.x whose engines field accepts Node 20
out=${OUT:-/tmp/refreshstorm-vs-artillery}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/bin" "$out/artillery"; rm -f "$out/rounds"
go build -C "$root" -o "$out/bin/refreshstorm" ./cmd/refreshstorm
bin="$out/bin"; art="$out/npm/node_modules/.bin/artillery"
have=$(node -p "require('$out/npm/node_modules/artillery/package.json').version" 2>/dev/null || true)
if [ "$have" != "$artillery_version" ]; then
  # No install scripts: none is needed by the HTTP engine, and one of them
  # would download a browser build.
  npm install --prefix "$out/npm" --ignore-scripts --no-audit --no-fund "artillery@$artillery_version" >"$out/npm.log" 2>&1 ||
    { echo "npm install of artillery@$artillery_version failed: see $out/npm.log" >&2; exit 3; }
fi
cp "$root/bench/artillery/refresh.yml" "$root/bench/artillery/processor.js" "$out/artillery/"
# The server and the client being measured; each is cleared once reaped, so
# the trap never signals a reused process id.
target=; child=
cleanup() { local p; for p in $child $target; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

port=$((20000 + RANDOM % 20000)); url="https://127.0.0.1:$port"
rm -f "$out/artillery/users.csv" "$out/ca.pem"
# A family cap far above what the run creates (each round adds one family
# per user for each client; Artillery's worker threads each read the users
# from the top): nothing is evicted, so a broken chain is a real failure.
"$bin/refreshstorm" serve --addr "127.0.0.1:$port" --server-policy strict --demo-users "$sessions" --family-cap 1000 \
  --write-credentials "$out/artillery/users.csv" --tls-self-signed "$out/ca.pem" 2>"$out/serve.log" &
target=$!
for _ in $(seq 100); do [ -s "$out/artillery/users.csv" ] && curl -s --cacert "$out/ca.pem" -o /dev/null "$url/" && break; sleep 0.1; done

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime+stime of a process, in clock ticks
kids() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 . || true; } # first child of a process
sleep_until() { # $1 epoch ms
  sleep "$(awk -v ms="$(($1 - $(date +%s%3N)))" 'BEGIN { printf "%.3f", (ms > 0 ? ms : 0) / 1000 }')"
}
hz=$(getconf CLK_TCK)
overrides=$(printf '{"config":{"target":"%s","phases":[{"duration":1,"arrivalCount":%d}]}}' "$url" "$sessions")

# Both run in this shell (their output goes to a file), so the trap sees
# every process they start. artillery_run writes "rotations/s client-µs
# client-µs-in-window server-µs success-fraction refresh-answers late-starts
# chain-problems failed-VUs", storm_run "rotations/s client-µs server-µs
# ok-fraction requests verdict" (µs of CPU per successful rotation).
artillery_run() {
  local t0 t1 start tp node c0=0 c1=0
  rm -f "$out/a.json"
  t0=$(cpu_ticks "$target")
  start=$(($(date +%s%3N) + warm * 1000))
  # timeout runs the command in a process group of its own and passes a
  # TERM on to all of it, so the trap's kill ends node too.
  env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy \
    RS_START_MS="$start" RS_SECS="$secs" ARTILLERY_DISABLE_TELEMETRY=true NODE_EXTRA_CA_CERTS="$out/ca.pem" \
    timeout -k 5 $((warm + secs + 120)) /usr/bin/time -f "%U %S" -o "$out/cpu" \
    "$art" run --overrides "$overrides" --output "$out/a.json" "$out/artillery/refresh.yml" >"$out/artillery.log" 2>&1 &
  tp=$!; child=$tp
  sleep_until "$start"
  node=$(kids "$(kids "$tp")")
  if [ -n "$node" ]; then c0=$(cpu_ticks "$node"); fi
  sleep_until $((start + secs * 1000))
  if [ -n "$node" ]; then c1=$(cpu_ticks "$node" 2>/dev/null || echo "$c0"); fi
  wait "$tp" || echo "artillery failed: see $out/artillery.log" >&2
  child=
  t1=$(cpu_ticks "$target")
  python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["aggregate"]["counters"]; cpu = sum(map(float, open(sys.argv[2]).read().split()))
t0, t1, hz, secs, w0, w1 = map(int, sys.argv[3:9])
ok = c.get("rs.refresh.200", 0); answers = sum(v for k, v in c.items() if k.startswith("rs.refresh."))
problems = c.get("rs.chain.sent_other", 0) + c.get("rs.chain.not_rotated", 0)
print(round(ok / secs), round(cpu * 1e6 / max(ok, 1), 1), round((w1 - w0) / hz * 1e6 / max(ok, 1), 1),
      round((t1 - t0) / hz * 1e6 / max(ok, 1), 1), round(ok / max(answers, 1), 4), answers,
      c.get("rs.late_start", 0), problems, c.get("vusers.failed", 0))' \
    "$out/a.json" "$out/cpu" "$t0" "$t1" "$hz" "$secs" "$c0" "$c1"
}
storm_run() { # $1 rate (0: as fast as it can)
  local t0 t1 tp
  rm -rf "$out/run"
  t0=$(cpu_ticks "$target")
  timeout -k 5 $((secs + 120)) /usr/bin/time -f "%U %S" -o "$out/cpu" "$bin/refreshstorm" run --headless --target "$url" \
    --ca-cert "$out/ca.pem" --http1 --credentials "$out/artillery/users.csv" --sessions "$sessions" \
    --rate "${1:-0}" --max-workers "$sessions" --duration "${secs}s" --out "$out/run" >/dev/null 2>"$out/run.err" &
  tp=$!; child=$tp
  wait "$tp" || true # exit 1 is a failed verdict, printed below
  child=
  t1=$(cpu_ticks "$target")
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); ok = s["outcomes"]["ok_rotated"]; cpu = sum(map(float, open(sys.argv[2]).read().split()))
print(round(ok / s["elapsed_s"]), round(cpu * 1e6 / max(ok, 1), 1), round((int(sys.argv[4]) - int(sys.argv[3])) / int(sys.argv[5]) * 1e6 / max(ok, 1), 1),
      round(ok / max(s["requests"]["total"], 1), 4), s["requests"]["total"], s["verdict"])' \
    "$out/run/summary.json" "$out/cpu" "$t0" "$t1" "$hz"
}

echo "authserver strict over TLS (HTTP/1.1), $sessions sessions = $sessions concurrent requests per client, ${secs}s rounds, Artillery $artillery_version"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) = 1 ]; then artillery_run >"$out/a.row"; storm_run >"$out/s.row"; else storm_run >"$out/s.row"; artillery_run >"$out/a.row"; fi
  read -r ar ac aw at af an al ap av <"$out/a.row"; read -r sr sc st sf sn verdict <"$out/s.row"
  echo "round $round: artillery ${ar}/s (client ${ac} µs, in window ${aw} µs, server ${at} µs per rotation; ${af} of $an refreshes 200, late starts $al, chain problems $ap, failed VUs $av)" \
    " refreshstorm ${sr}/s (client ${sc} µs, server ${st} µs per rotation; ${sf} of $sn ok, verdict $verdict)  ratio $(python3 -c "print(round($sr/max($ar,1),2))")"
  echo "$ar $ac $aw $at $af $sr $sc $st $sf $an $sn $al $ap $av" >>"$out/rounds"
done
python3 - "$out/rounds" <<'PY'
import sys, statistics as st
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
m = [st.median(r[i] for r in rows) for i in range(9)]
ratios = [r[5] / max(r[0], 1) for r in rows]
print("median: artillery %.0f/s, refreshstorm %.0f/s, ratio of medians %.1f (per-round ratios %s)" % (m[0], m[5], m[5] / max(m[0], 1), " ".join("%.1f" % r for r in ratios)))
print("        client CPU per rotation: artillery %.0f µs (%.0f µs inside the window), refreshstorm %.1f µs; server CPU per rotation: %.1f vs %.1f µs"
      % (m[1], m[2], m[6], m[3], m[7]))
print("        success, worst round: artillery %.4f of refreshes 200 (late starts %d, chain problems %d, failed VUs %d in all rounds), refreshstorm %.4f ok_rotated"
      % (min(r[4] for r in rows), sum(r[11] for r in rows), sum(r[12] for r in rows), sum(r[13] for r in rows), min(r[8] for r in rows)))
PY
# A control: refreshstorm paced at Artillery's median rate, to tell the
# server's cost per rotation at that rate from the cost of the client.
pace=$(python3 -c 'import sys, statistics as st; print(round(st.median(float(l.split()[0]) for l in open(sys.argv[1]))))' "$out/rounds")
storm_run "$pace" >"$out/s.row"; read -r sr sc st sf sn verdict <"$out/s.row"
echo "control: refreshstorm paced at ${pace}/s: ${sr}/s, client ${sc} µs, server ${st} µs per rotation, verdict $verdict"
read -r sa ss <<<"$(awk '{a += $10; s += $11} END {print a, s}' "$out/rounds")"
kill "$target"; wait "$target" 2>/dev/null || true; target=
# The server's own count: reuses detected and families revoked must be 0,
# and it must have seen every refresh the clients sent.
grep '^stopping:' "$out/serve.log" | sed 's/^stopping:/server totals:/'
echo "refresh requests the clients sent: $((sa + ss + sn)) (artillery $sa, refreshstorm $((ss + sn)) with the control)"
