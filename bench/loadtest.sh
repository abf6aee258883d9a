#!/bin/sh
# bench/loadtest.sh - a bounded load test of psinet on loopback (make loadtest).
#
# Starts build/psinet on a free port with a fresh database, stores a network
# and a superposition, then drives a mix of reads and writes (bench/mix.lua)
# with wrk for SECONDS (default 60) while sampling the server's resident
# memory once a second. Passes when there were no errors and no 5xx, and
# memory stayed flat: the largest sample of the last third of the run is no
# more than 10% (and 8 MiB) above the largest of the first third.
#
# Then the heavy phase (bench/load_heavy.py) for HEAVY_SECONDS (default
# 30): 8 MB bodies, 16 MB bodies refused from their headers and 300 slow
# clients, while /healthz is timed (p50, p99, max) and resident memory
# sampled. Passes when /healthz never failed, every large request got its
# answer or a 503 with Retry-After, and memory went back to within 64 MiB
# of where it began.
set -eu
SECONDS_TO_RUN=${1:-60}
CONNECTIONS=${LOAD_CONNECTIONS:-32}
BIN=${PSINET_BIN:-build/psinet}
dir=$(mktemp -d)
port=$((20000 + $$ % 20000))
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

"$BIN" --bind 127.0.0.1 --port "$port" --db "$dir/load.db" \
    --max-connections-per-ip 0 2>"$dir/server.log" &
pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

json() { curl -fs "http://127.0.0.1:$port$1" -H 'Content-Type: application/json' -d "$2"; }
id() { sed -e 's/.*"id":"\([a-z0-9_]*\)".*/\1/'; }
net=$(json /v1/networks '{"layers":[{"weights":[[1,2,3,4],[4,3,2,1],[1,0,1,0]],"activation":"relu"},{"weights":[[1,-1,0.5]],"activation":"sigmoid"}]}' | id)
sup=$(json /v1/superpositions '{"amplitudes":[1,2,3,4,5,6,7,8]}' | id)

rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
: >"$dir/rss"
( while kill -0 "$pid" 2>/dev/null; do rss >>"$dir/rss" 2>/dev/null || true; sleep 1; done ) &
sampler=$!

wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_TO_RUN}s" --latency -s bench/mix.lua \
    "http://127.0.0.1:$port" -- "$net" "$sup" | tee "$dir/wrk.out"
kill "$sampler" 2>/dev/null || true

line=$(grep '^mix:' "$dir/wrk.out")
bad=$(echo "$line" | sed 's/.* \([0-9]*\) non-2xx.*/\1/')
fivexx=$(echo "$line" | sed 's/.* \([0-9]*\) 5xx.*/\1/')
sockerr=$(echo "$line" | sed 's/.* \([0-9]*\) socket errors.*/\1/')
n=$(wc -l <"$dir/rss")
third=$((n / 3))
first=$(head -n "$third" "$dir/rss" | sort -n | tail -n 1)
last=$(tail -n "$third" "$dir/rss" | sort -n | tail -n 1)
echo "resident memory (KiB): first third max $first, last third max $last ($n samples)"
status=0
[ "$bad" -eq 0 ] && [ "$fivexx" -eq 0 ] && [ "$sockerr" -eq 0 ] || { echo "FAIL: errors"; status=1; }
if [ "$third" -gt 0 ] && [ "$last" -gt $((first + first / 10)) ] && [ "$last" -gt $((first + 8192)) ]; then
    echo "FAIL: resident memory grew"; status=1
fi
[ $status -eq 0 ] && echo "PASS: no errors, no 5xx, memory flat"
${PYTHON:-python3} bench/load_heavy.py --port "$port" --pid "$pid" \
    --seconds "${HEAVY_SECONDS:-30}" || status=1
kill -TERM "$pid"; wait "$pid" || status=1; pid=""
exit $status
