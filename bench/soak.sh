#!/usr/bin/env bash
# Soak: one long paced run against the reference server in its own process
# (loopback), sampling the run's resident memory from /proc every 10 s.
# It prints the RSS curve, a linear fit over the second half (flat means
# a slope near 0), and the size of every result file.
#   bench/soak.sh [duration=10m] [rate=1000] [sessions=1000]
# Output goes to $OUT (default /tmp/refreshstorm-soak): rss.csv, run/, logs.
set -euo pipefail
dur=${1:-10m}; rate=${2:-1000}; sessions=${3:-1000}
out=${OUT:-/tmp/refreshstorm-soak}
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"; mkdir -p "$out"
go build -C "$root" -o "$out/refreshstorm" ./cmd/refreshstorm
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port"
"$out/refreshstorm" serve --addr "127.0.0.1:$port" --demo-users "$sessions" \
  --write-credentials "$out/users.csv" 2>"$out/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/users.csv" ] && curl -s -o /dev/null "$url/" && break; sleep 0.1; done

"$out/refreshstorm" run --headless --target "$url" --credentials "$out/users.csv" --sessions "$sessions" \
  --rate "$rate" --duration "$dur" --out "$out/run" >"$out/run.log" 2>"$out/run.err" &
run=$!
echo "elapsed_s,rss_kb,hwm_kb" >"$out/rss.csv"
t0=$(date +%s)
while kill -0 "$run" 2>/dev/null; do
  status=/proc/$run/status
  rss=$(awk '/^VmRSS:/{print $2}' "$status" 2>/dev/null || true)
  hwm=$(awk '/^VmHWM:/{print $2}' "$status" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )),$rss,$hwm" >>"$out/rss.csv"
  sleep 10
done
code=0; wait "$run" || code=$?
echo "run exit $code ($(tail -n 1 "$out/run.log"))"
python3 - "$out" <<'PY'
import csv, os, sys
out = sys.argv[1]
rows = [(int(r["elapsed_s"]), int(r["rss_kb"]), int(r["hwm_kb"])) for r in csv.DictReader(open(out + "/rss.csv"))]
if len(rows) < 4:
    sys.exit("too few RSS samples")
print("RSS curve (MB):", " ".join("%d:%.0f" % (t, r / 1024) for t, r, _ in rows))
# The collector makes a sawtooth: compare peaks, not samples.
peaks = {}
for t, r, _ in rows:
    peaks[t // 60] = max(peaks.get(t // 60, 0), r)
print("peak RSS per minute (MB):", " ".join("%.0f" % (peaks[m] / 1024) for m in sorted(peaks)))
third = max(len(rows) // 3, 1)
mid, last = rows[third:2 * third], rows[2 * third:]
if mid and last:
    print("peak of the middle third %.0f MB, of the last third %.0f MB (ratio %.2f)" % (
        max(r for _, r, _ in mid) / 1024, max(r for _, r, _ in last) / 1024,
        max(r for _, r, _ in last) / max(r for _, r, _ in mid)))
half = rows[len(rows) // 2:]
n = len(half); mx = sum(t for t, _, _ in half) / n; my = sum(r for _, r, _ in half) / n
slope = sum((t - mx) * (r - my) for t, r, _ in half) / max(sum((t - mx) ** 2 for t, _, _ in half), 1)
print("second half: RSS %.0f-%.0f MB, slope %+.2f MB/min (%+.1f MB/hour); peak (VmHWM) %.0f MB" % (
    min(r for _, r, _ in half) / 1024, max(r for _, r, _ in half) / 1024, slope * 60 / 1024, slope * 3600 / 1024,
    rows[-1][2] / 1024))
total = 0
for name in sorted(os.listdir(out + "/run")):
    size = os.path.getsize(os.path.join(out, "run", name)); total += size
    print("  %-16s %8.2f MB" % (name, size / 1e6))
print("result files: %.2f MB" % (total / 1e6))
PY
