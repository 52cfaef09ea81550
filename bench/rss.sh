#!/usr/bin/env bash
# Resident memory per idle session, measured as RSS from /proc (what the
# machine pays), not as live heap. For each size N: the reference server
# (its own process, loopback) signs N families in directly and writes them
# as a cookies file in $OUT; `run --cookies` imports them and runs a slow
# paced load (most sessions stay idle); VmRSS of the run is sampled every
# second and VmHWM read at the end.
#   bench/rss.sh [N...]            default: 1000 100000 1000000
# Env: OUT (default /tmp/refreshstorm-rss), RATE (default 200), SECS (default 15),
# FILL (default 0): seconds of load asked at 20,000/s before the slow part, at each size, to
# fill the chains (the idle queue is first in, first out, so every session
# rotates about as often as the others); RSS is then sampled in the slow part only.
# Per session is reported two ways: RSS/N, and (RSS(N) - RSS(first N)) /
# (N - first N), the marginal cost with the process's fixed cost removed.
# Without FILL, chains stay short (few sessions rotate).
set -euo pipefail
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000 1000000)
out=${OUT:-/tmp/refreshstorm-rss}; rate=${RATE:-200}; secs=${SECS:-15}; fill=${FILL:-0}
load=(--rate "$rate" --duration "${secs}s")
[ "$fill" -gt 0 ] && load=(--stages "${fill}s:20000,${secs}s:${rate}")
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
go build -C "$root" -o "$out/refreshstorm" ./cmd/refreshstorm
bin="$out/refreshstorm"
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null || true' EXIT
echo "sessions,rss_mb,hwm_mb,bootstrap_s,gc_percent,rotations_per_session" >"$out/rss.csv"
for n in "${sizes[@]}"; do
  port=$((20000 + RANDOM % 20000)); url="http://127.0.0.1:$port"
  cookies="$out/cookies-$n.csv"; rm -f "$cookies"
  users=$(( n / 5 + 1 ))
  "$bin" serve --addr "127.0.0.1:$port" --demo-users "$users" --family-cap 5 \
    --write-cookies "$cookies" --ready-sessions "$n" 2>"$out/serve-$n.log" &
  server=$!
  for _ in $(seq 1200); do [ -s "$cookies" ] && grep -q "authserver on" "$out/serve-$n.log" && break; sleep 0.5; done
  rm -rf "$out/run-$n"
  "$bin" run --headless --target "$url" --cookies "$cookies" --sessions "$n" "${load[@]}" \
    --max-workers 64 --out "$out/run-$n" >"$out/run-$n.log" 2>"$out/run-$n.err" &
  run=$!
  peak=0; hwm=0; ready=0
  while kill -0 "$run" 2>/dev/null; do
    if [ "$ready" = 0 ] && grep -q "sessions ready" "$out/run-$n.err" 2>/dev/null; then ready=$(date +%s); fi
    if [ "$ready" != 0 ] && [ "$(date +%s)" -ge $((ready + fill)) ]; then
      r=$(awk '/^VmRSS:/{print $2}' /proc/$run/status 2>/dev/null || echo 0)
      [ "${r:-0}" -gt "$peak" ] && peak=$r
    fi
    h=$(awk '/^VmHWM:/{print $2}' /proc/$run/status 2>/dev/null || echo 0); [ "${h:-0}" -gt 0 ] && hwm=$h
    sleep 1
  done
  wait "$run" || true
  kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; server=""
  read -r bs gc rot < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); b=s["bootstrap"]; print(round(b["seconds"],1), b["gc_percent"], round(s["outcomes"].get("ok_rotated",0)/int(sys.argv[2]),1))' "$out/run-$n/summary.json" "$n")
  echo "$n,$(( peak / 1024 )),$(( hwm / 1024 )),$bs,$gc,$rot" >>"$out/rss.csv"
  echo "N=$n: RSS during the load (max$([ "$fill" -gt 0 ] && echo ", after the fill")) $(( peak / 1024 )) MB, VmHWM $(( hwm / 1024 )) MB, import $bs s, GOGC $gc, $rot rotations per session"
  rm -f "$cookies"
done
python3 - "$out/rss.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
base = rows[0]
print("%10s %9s %9s %14s %16s" % ("sessions", "RSS MB", "HWM MB", "RSS/N bytes", "marginal bytes"))
for r in rows:
    n, rss = int(r["sessions"]), int(r["rss_mb"]) * 2**20
    marg = ""
    if r is not base:
        marg = "%.0f" % ((rss - int(base["rss_mb"]) * 2**20) / (n - int(base["sessions"])))
    print("%10d %9s %9s %14.0f %16s" % (n, r["rss_mb"], r["hwm_mb"], rss / n, marg))
PY
