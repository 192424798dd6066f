#!/usr/bin/env bash
# Bounded load test of `haplomatch serve` on loopback with wrk (Debian's
# wrk 4.1): 10 s each, 2 wrk threads, 16 connections, for
#   1. POST /v1/match   the shipped family (6 donors) for the patient;
#   2. POST /v1/rank    the registry loaded at start: 10,000 synthetic donors
#                       (haplomatch synth --donors 10000), top 10, NCT04835883;
#   3. POST /v1/rank    the same 10,000 donors in the request body (2.3 MB
#                       of JSON, ingested per request; 2 connections).
# Prints requests/s, p50/p99 latency and the count of errors (non-2xx and
# socket errors) per run; the results are kept in bench/service_load.md.
# Not run by CI (it takes a minute). Usage:
#   bench/service_load.sh BUILD_DIR [SECONDS] [CONNECTIONS] [THREADS]
# (apt-get install wrk; the server runs with --threads THREADS, by default
# CONNECTIONS as the httplib server needed: a worker per keep-alive
# connection. The Beast server's workers run handlers only, so fewer do.)
set -euo pipefail
build=${1:?usage: bench/service_load.sh BUILD_DIR [SECONDS] [CONNECTIONS] [THREADS]}
seconds=${2:-10}
conns=${3:-16}
threads=${4:-$conns}
cd "$(dirname "$0")/.."
bin="$build/cli/haplomatch"
command -v wrk >/dev/null || { echo "service_load: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" synth --donors 10000 --seed 1 --out "$tmp/donors.csv"
recipient=$(cat data/examples/patient.txt)

# The family as match donors: id,relationship,birth_date,age,sex,abo,cmv,glstring,kir.
family=$(awk -F, 'NR > 1 {
  printf "%s{\"id\":\"%s\",\"relationship\":\"%s\"", (NR > 2 ? "," : ""), $1, $2
  if ($3 != "") printf ",\"birth_date\":\"%s\"", $3
  if ($4 != "") printf ",\"age\":%s", $4
  printf ",\"sex\":\"%s\",\"abo\":\"%s\",\"cmv\":\"%s\",\"typing\":\"%s\"", $5, $6, $7, $8
  if ($9 != "") printf ",\"kir\":\"%s\"", $9
  printf "}"
}' data/examples/family.csv)
cat >"$tmp/match.json" <<JSON
{"recipient":{"typing":"$recipient","abo":"A+","cmv":"pos","sex":"M","antibodies":"A24:3500,DR13:600,B44:2500"},
 "donors":[$family],"options":{"protocol":"NCT04835883","as_of":"2026-11-26"}}
JSON
cat >"$tmp/rank.json" <<JSON
{"recipient":{"typing":"$recipient","abo":"A+","cmv":"pos","sex":"M"},
 "options":{"protocol":"NCT04835883","as_of":"2026-11-26","top":10}}
JSON
# synth columns: id,family_id,role,other_parent,relationship,birth_date,sex,abo,cmv,population,glstring,...
donors=$(awk -F, 'NR > 1 {
  printf "%s{\"id\":\"%s\",\"relationship\":\"%s\",\"birth_date\":\"%s\",\"sex\":\"%s\",\"abo\":\"%s\",\"cmv\":\"%s\",\"glstring\":\"%s\"}",
         (NR > 2 ? "," : ""), $1, $5, $6, $7, $8, $9, $11
}' "$tmp/donors.csv")
cat >"$tmp/rank_body.json" <<JSON
{"recipient":{"typing":"$recipient","abo":"A+","cmv":"pos","sex":"M"},"donors":[$donors],
 "options":{"protocol":"NCT04835883","as_of":"2026-11-26","top":10}}
JSON

# wrk script: POST the file named by BODY; report one summary line.
cat >"$tmp/post.lua" <<'LUA'
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
      "RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d (non2xx=%d connect=%d read=%d write=%d timeout=%d)\n",
      summary.requests, summary.duration / 1e6,
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000,
      e.status + e.connect + e.read + e.write + e.timeout,
      e.status, e.connect, e.read, e.write, e.timeout))
end
LUA

"$bin" serve --listen 127.0.0.1:0 --donors "$tmp/donors.csv" --threads "$threads" \
    --max-queue 256 --quiet >"$tmp/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "service_load: server did not start" >&2; exit 1; }
head -n 1 "$tmp/log"
echo "server: --threads $threads; wrk: $conns connections"

run() {
  local name=$1 path=$2 body=$3 c=${4:-$conns}
  # One request first: it must succeed, or the load figures mean nothing.
  local code
  code=$(curl -s -o "$tmp/one" -w '%{http_code}' -H 'Content-Type: application/json' \
         --data-binary @"$body" "http://127.0.0.1:$port$path")
  [ "$code" = 200 ] || { echo "service_load: $name: status $code: $(head -c 300 "$tmp/one")" >&2; exit 1; }
  echo "== $name: POST $path, $c connections, body $(stat -c %s "$body") bytes, response $(stat -c %s "$tmp/one") bytes"
  BODY=$body wrk -t2 -c"$c" -d"${seconds}s" --timeout 30s --latency -s "$tmp/post.lua" \
      "http://127.0.0.1:$port$path" | grep -E 'RESULT|Non-2xx|Socket errors' || true
}
run "match (family of 6)" /v1/match "$tmp/match.json"
run "rank (registry of 10,000 loaded at start, top 10)" /v1/rank "$tmp/rank.json"
# About 0.7 s of ingest per request on one core: 2 connections, so that
# the run measures the work rather than queueing.
run "rank (10,000 donors in the body, top 10)" /v1/rank "$tmp/rank_body.json" 2
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
