#!/usr/bin/env bash
# refreshstorm vs the vegeta CLI at max rate, in one run, alternating
# rounds, against a stateless target in its own process on loopback (every
# token accepted, a new cookie per answer, nothing remembered), so both
# clients cost the target the same. Both get the same worker bound.
# Reports each round, then the medians: refreshes/s, the ratio, client CPU
# per refresh (/usr/bin/time user+sys) and target CPU per refresh (/proc).
# Then the embedded authserver's own capacity: the vegeta CLI against
# `serve` (accept-rotated, so fixed tokens stay valid), and refreshstorm
# against `serve` strict with real rotating chains.
#   bench/vs-vegeta.sh [seconds=5] [workers=16] [rounds=5] [sessions=64]
# Scratch files go to $OUT (default /tmp/refreshstorm-vs-vegeta).
set -euo pipefail
secs=${1:-5}; workers=${2:-16}; rounds=${3:-5}; sessions=${4:-64}
out=${OUT:-/tmp/refreshstorm-vs-vegeta}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/bin"; rm -f "$out/rounds"
go build -C "$root" -o "$out/bin/refreshstorm" ./cmd/refreshstorm
go build -C "$root" -o "$out/bin/stateless" ./bench/stateless
[ -x "$out/bin/vegeta" ] || GOBIN="$out/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
bin="$out/bin"
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
"$bin/stateless" -addr "127.0.0.1:$port" 2>"$out/stateless.log" &
target=$!; pids+=("$target")
for _ in $(seq 100); do curl -s -o /dev/null "$url/healthz" && break; sleep 0.1; done

# The same sessions for both: refreshstorm imports them, vegeta replays them.
echo "refresh,csrf" >"$out/cookies.csv"; : >"$out/targets.json"
for i in $(seq "$sessions"); do
  tok=$(printf 'bench%038d' "$i")
  echo "$tok,csrf$i" >>"$out/cookies.csv"
  printf '{"method":"POST","url":"%s/api/auth/refresh","header":{"Cookie":["__Host-refresh=%s"],"Content-Type":["application/json"],"X-Csrf-Token":["csrf%s"]}}\n' \
    "$url" "$tok" "$i" >>"$out/targets.json"
done

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime+stime of a process, in clock ticks
hz=$(getconf CLK_TCK)
# Each prints "refreshes/s client-µs/refresh target-µs/refresh".
vegeta_run() { # $1 targets file
  local t0 t1
  t0=$(cpu_ticks "$target")
  /usr/bin/time -f "%U %S" -o "$out/cpu" "$bin/vegeta" attack -format=json -targets="$1" -rate=0 \
    -workers="$workers" -max-workers="$workers" -duration="${secs}s" -output="$out/v.bin" 2>/dev/null
  t1=$(cpu_ticks "$target")
  "$bin/vegeta" report -type=json "$out/v.bin" | python3 -c '
import json, sys
r = json.load(sys.stdin); ok = r["status_codes"].get("200", 0); cpu = sum(map(float, open(sys.argv[1]).read().split()))
secs = (r["duration"] + r["wait"]) / 1e9
print(round(ok / secs), round(cpu * 1e6 / max(ok, 1), 1), round((int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4]) * 1e6 / max(ok, 1), 1))' \
    "$out/cpu" "$t0" "$t1" "$hz"
}
storm_run() { # $1 extra flags
  local t0 t1
  rm -rf "$out/run"
  t0=$(cpu_ticks "$target")
  # shellcheck disable=SC2086
  /usr/bin/time -f "%U %S" -o "$out/cpu" "$bin/refreshstorm" run --headless --target "$url" $1 --sessions "$sessions" \
    --rate 0 --max-workers "$workers" --duration "${secs}s" --out "$out/run" >/dev/null 2>"$out/run.err" || true
  t1=$(cpu_ticks "$target")
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); ok = s["outcomes"]["ok_rotated"]; cpu = sum(map(float, open(sys.argv[2]).read().split()))
print(round(ok / s["elapsed_s"]), round(cpu * 1e6 / max(ok, 1), 1), round((int(sys.argv[4]) - int(sys.argv[3])) / int(sys.argv[5]) * 1e6 / max(ok, 1), 1), s["verdict"])' \
    "$out/run/summary.json" "$out/cpu" "$t0" "$t1" "$hz"
}

echo "stateless target, $workers workers, ${secs}s rounds, $sessions sessions"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) = 1 ]; then v=$(vegeta_run "$out/targets.json"); s=$(storm_run "--cookies $out/cookies.csv"); else s=$(storm_run "--cookies $out/cookies.csv"); v=$(vegeta_run "$out/targets.json"); fi
  read -r vr vc vt <<<"$v"; read -r sr sc st verdict <<<"$s"
  echo "round $round: vegeta ${vr}/s (client ${vc} µs, target ${vt} µs per refresh)  refreshstorm ${sr}/s (client ${sc} µs, target ${st} µs per refresh, verdict $verdict)  ratio $(python3 -c "print(round($sr/$vr,3))")"
  echo "$vr $vc $vt $sr $sc $st" >>"$out/rounds"
done
python3 - "$out/rounds" <<'PY'
import sys, statistics as st
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
m = [st.median(r[i] for r in rows) for i in range(6)]
ratios = [r[3] / r[0] for r in rows]
print("median: vegeta %.0f/s, refreshstorm %.0f/s, ratio of medians %.3f (per-round ratios %s); client CPU per refresh: vegeta %.1f µs, refreshstorm %.1f µs; target CPU per refresh: %.1f vs %.1f µs"
      % (m[0], m[3], m[3] / m[0], " ".join("%.2f" % r for r in ratios), m[1], m[4], m[2], m[5]))
PY
kill "$target"; wait "$target" 2>/dev/null || true

# The embedded authserver's own capacity.
port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
"$bin/refreshstorm" serve --addr "127.0.0.1:$port" --server-policy strict,defect=accept-rotated --demo-users "$sessions" \
  --write-cookies "$out/served.csv" --ready-sessions "$sessions" 2>"$out/serve.log" &
target=$!; pids+=("$target")
for _ in $(seq 100); do [ -s "$out/served.csv" ] && curl -s -o /dev/null "$url/" && break; sleep 0.1; done
: >"$out/served.json"
tail -n +2 "$out/served.csv" | while IFS=, read -r refresh csrf _; do
  printf '{"method":"POST","url":"%s/api/auth/refresh","header":{"Cookie":["__Host-refresh=%s"],"Content-Type":["application/json"],"X-Csrf-Token":["%s"]}}\n' \
    "$url" "$refresh" "$csrf" >>"$out/served.json"
done
read -r vr vc vt <<<"$(vegeta_run "$out/served.json")"
echo "authserver (serve, accept-rotated) driven by the vegeta CLI: ${vr} refreshes/s, server CPU ${vt} µs per refresh"
kill "$target"; wait "$target" 2>/dev/null || true
port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
"$bin/refreshstorm" serve --addr "127.0.0.1:$port" --demo-users "$sessions" \
  --write-cookies "$out/strict.csv" --ready-sessions "$sessions" 2>"$out/serve-strict.log" &
target=$!; pids+=("$target")
for _ in $(seq 100); do [ -s "$out/strict.csv" ] && curl -s -o /dev/null "$url/" && break; sleep 0.1; done
read -r sr sc st verdict <<<"$(storm_run "--cookies $out/strict.csv")"
echo "authserver (serve, strict) driven by refreshstorm with rotating chains: ${sr} rotations/s, server CPU ${st} µs per refresh, client ${sc} µs, verdict ${verdict}"
