#!/usr/bin/env bash
# CI smoke test of `haplomatch serve`: start the real binary on a free
# loopback port, call it with curl, check status codes and a field of each
# answer, then stop it. Usage: service/smoke.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: service/smoke.sh BUILD_DIR}
cd "$(dirname "$0")/.."
bin="$build/cli/haplomatch"
[ -x "$bin" ] || { echo "smoke: no $bin" >&2; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "smoke: FAIL: $*" >&2; [ -f "$tmp/log" ] && sed 's/^/  server: /' "$tmp/log" >&2; exit 1; }

# Starts the server on a free loopback port (port 0: the kernel picks one;
# the server prints it) with the given flags, then waits for /v1/health.
start() {
  "$bin" serve --listen 127.0.0.1:0 "$@" >"$tmp/log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/log")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "server exited"
    sleep 0.1
  done
  [ -n "$port" ] || fail "server did not start listening within 10 s"
  for _ in $(seq 1 50); do
    if curl -s -o /dev/null ${auth:+-H "Authorization: Bearer $auth"} "http://127.0.0.1:$port/v1/health"; then
      return 0
    fi
    sleep 0.1
  done
  fail "server did not answer /v1/health within 5 s"
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }

# call EXPECTED_STATUS METHOD PATH [BODY]: checks the status, leaves the
# body in $tmp/body.
call() {
  local want=$1 method=$2 path=$3 body=${4-}
  local args=(-s -o "$tmp/body" -w '%{http_code}' -X "$method")
  [ -n "${auth:-}" ] && args+=(-H "Authorization: Bearer $auth")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  local got
  got=$(curl "${args[@]}" "http://127.0.0.1:$port$path")
  [ "$got" = "$want" ] || fail "$method $path: status $got, expected $want: $(cat "$tmp/body")"
}
has() { grep -q -- "$1" "$tmp/body" || fail "body lacks '$1': $(cat "$tmp/body")"; }

recipient='A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02'
auth=""
start --max-body-bytes 4096
call 200 GET /v1/health;  has '"status":"ok"'
call 200 GET /v1/version; has '"imgt_version":"3.58.0"'
call 200 POST /v1/reduce '{"typings":["A*01:01:01:01+A*01:09"],"level":"G"}'
has '"reduced":"A\*01:01:01G+A\*01:09:01G/A\*01:09:02"'
call 200 POST /v1/mac/encode '{"typings":["A*01:01/A*01:02"]}'; has '"mac":"A\*01:AB"'
call 200 POST /v1/validate '{"typings":["A*99:99"]}'; has '"valid":false'
call 200 POST /v1/match "{\"recipient\":{\"typing\":\"$recipient\",\"antibodies\":\"none\"},\"donors\":[{\"id\":\"sib\",\"typing\":\"$recipient\",\"age\":30,\"relationship\":\"sister\"}],\"options\":{\"protocol\":\"NCT04835883\"}}"
has '"verdict":"identical"'; has '"status":"eligible","eligible":true'
# Without the antibody test, the same sister needs review.
call 200 POST /v1/match "{\"recipient\":{\"typing\":\"$recipient\"},\"donors\":[{\"id\":\"sib\",\"typing\":\"$recipient\",\"age\":30,\"relationship\":\"sister\"}],\"options\":{\"protocol\":\"NCT04835883\"}}"
has '"status":"needs-review"'; has 'DSA not tested'
call 200 POST /v1/rank "{\"recipient\":{\"typing\":\"$recipient\"},\"donors\":[{\"id\":\"sib\",\"glstring\":\"$recipient\",\"age\":30}]}"
has '"ranked":1'
call 400 POST /v1/reduce '{"typings":['; has 'malformed JSON at offset'
call 400 POST /v1/match '{"recipient":{"typing":"DRB1*14:"},"donors":[]}'; has 'offset 8'
call 404 GET /v1/nothing
call 405 GET /v1/match
big=$(head -c 8000 /dev/zero | tr '\0' 'A')
call 413 POST /v1/validate "{\"typings\":[\"$big\"]}"; has 'payload_too_large'
# Request headers over 8 KiB: 431 (the server then closes the connection).
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "X-Big: $big$big" "http://127.0.0.1:$port/v1/health")
[ "$got" = 431 ] || fail "big headers: status $got, expected 431: $(cat "$tmp/body")"
has 'header_too_large'
# A form post (curl -d) is not JSON: 415; curl --json is.
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -d '{"typings":["A*01:01"]}' "http://127.0.0.1:$port/v1/validate")
[ "$got" = 415 ] || fail "form post: status $got, expected 415: $(cat "$tmp/body")"
has 'unsupported_media_type'
got=$(curl -s -o "$tmp/body" -w '%{http_code}' --json '{"typings":["A*01:01"]}' "http://127.0.0.1:$port/v1/validate")
[ "$got" = 200 ] || fail "curl --json: status $got, expected 200: $(cat "$tmp/body")"
# Without a token, a Host that is not loopback (DNS rebinding) is refused.
got=$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Host: attacker.example' "http://127.0.0.1:$port/v1/version")
[ "$got" = 403 ] || fail "foreign Host: status $got, expected 403: $(cat "$tmp/body")"
has '"code":"forbidden"'
stop
grep -q 'A\*01:01' "$tmp/log" && fail "the request log shows a typing"

# With a token: 401 without it or with a wrong one, 200 with it; a
# non-loopback address without a token refuses to start (exit 2).
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" >"$tmp/token"
auth=$token
start --token-file "$tmp/token"
auth=""
call 401 GET /v1/health; has '"code":"unauthenticated"'
auth=wrong-token-wrong-token
call 401 GET /v1/version
auth=$token
call 200 GET /v1/version
stop
auth=""
set +e
"$bin" serve --listen 0.0.0.0:0 >"$tmp/refuse" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "non-loopback without a token: exit $rc, expected 2"
grep -q -- '--token-file' "$tmp/refuse" || fail "no hint about --token-file: $(cat "$tmp/refuse")"
echo "smoke: haplomatch serve OK (health, version, reduce, mac encode, validate, match, rank; 400, 401, 403, 404, 405, 413, 415, 431; refused bind)"
