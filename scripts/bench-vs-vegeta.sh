#!/usr/bin/env bash
# Throughput check (README, Performance): refreshstorm at max rate vs the vegeta CLI,
# both against the same reference server running as its own process on
# loopback. The server accepts rotated tokens, so vegeta's fixed targets
# (one token per user) cost the server one rotation per request, as
# refreshstorm's rotating sessions do. Each tool runs twice, alternating.
#   scripts/bench-vs-vegeta.sh [seconds] [workers] [sessions]
set -euo pipefail
secs=${1:-5}; workers=${2:-16}; sessions=${3:-64}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$root"
go build -o "$work/refreshstorm" ./cmd/refreshstorm
GOBIN="$work" go install github.com/tsenart/vegeta/v12@v12.13.0
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port"
"$work/refreshstorm" serve --addr "127.0.0.1:$port" --server-policy strict,defect=accept-rotated \
  --demo-users "$sessions" --write-credentials "$work/users.csv" 2>"$work/serve.log" &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "$url/api/auth/session" && break; sleep 0.1; done

# One signed-in token and CSRF value per user, as vegeta JSON targets.
: >"$work/targets.json"
tail -n +2 "$work/users.csv" | while IFS=, read -r id pw; do
  refresh=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"identifier\":\"$id\",\"password\":\"$pw\"}" "$url/api/auth/sign-in" |
    sed -n 's/^[Ss]et-[Cc]ookie: __Host-refresh=\([^;]*\).*/\1/p')
  csrf=$(curl -s -H "Cookie: __Host-refresh=$refresh" "$url/api/auth/csrf" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
  printf '{"method":"POST","url":"%s/api/auth/refresh","header":{"Cookie":["__Host-refresh=%s"],"Content-Type":["application/json"],"X-Csrf-Token":["%s"]}}\n' \
    "$url" "$refresh" "$csrf" >>"$work/targets.json"
done

# Each function prints "refreshes/s client-CPU-µs-per-refresh".
cpu_of() { # the user+sys seconds of the command
  local TIMEFORMAT='%U %S'
  { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{print $1+$2}'
}
vegeta_run() {
  local cpu
  cpu=$(cpu_of "$work/vegeta" attack -format=json -targets="$work/targets.json" -rate=0 -max-workers="$workers" \
    -duration="${secs}s" -output="$work/v.bin")
  "$work/vegeta" report -type=json "$work/v.bin" | python3 -c '
import json,sys; r=json.load(sys.stdin); ok=r["status_codes"].get("200",0)
print(round(ok/r["duration"]*1e9), round(float(sys.argv[1])*1e6/max(ok,1),1))' "$cpu"
}
storm_run() {
  local cpu
  rm -rf "$work/out"
  cpu=$(cpu_of "$work/refreshstorm" run --headless --target "$url" --credentials "$work/users.csv" --sessions "$sessions" \
    --rate 0 --max-workers "$workers" --duration "${secs}s" --out "$work/out")
  python3 -c '
import json,sys; s=json.load(open(sys.argv[1])); ok=s["outcomes"]["ok_rotated"]
print(round(ok/float(s["config"]["duration"].rstrip("s"))), round(float(sys.argv[2])*1e6/max(ok,1),1))' \
    "$work/out/summary.json" "$cpu"
}
for round in 1 2 3; do
  if [ $((round % 2)) = 1 ]; then v=$(vegeta_run); s=$(storm_run); else s=$(storm_run); v=$(vegeta_run); fi
  echo "round $round  vegeta CLI: ${v% *}/s ${v#* }µs CPU/refresh   refreshstorm: ${s% *}/s ${s#* }µs CPU/refresh"
  echo "$v $s" >>"$work/rounds"
done
python3 - "$work/rounds" <<'PY'
import sys, statistics as st
rows=[list(map(float,l.split())) for l in open(sys.argv[1])]
vr, vc, sr, sc = (st.median(r[i] for r in rows) for i in range(4))
print("median: vegeta %.0f/s, refreshstorm %.0f/s, ratio %.3f; client CPU per refresh: vegeta %.1fµs, refreshstorm %.1fµs" % (vr, sr, sr/vr, vc, sc))
PY
