#!/usr/bin/env bash
# Login flood (issue 9): CONNECTIONS concurrent logins with unknown usernames
# for SECONDS, each from a new client address (behind a trusted proxy) so
# that every one reaches the password check. Prints the answers by status
# and the server's peak resident memory, which must stay under 100 MB:
# password checks (about 19 MiB each) run a few at a time on their own
# threads, and the rest are told to retry (503) instead of piling up.
# Usage: proof/login_flood.sh [SECONDS] [CONNECTIONS]
source "$(dirname "$0")/../bench/lib.sh"

seconds=${1:-20}
connections=${2:-64}
limit_mb=100
build_release
ensure_wrk || { echo "the login flood needs wrk (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(free_port)
base="http://127.0.0.1:$port"
metrics_token=login-flood-metrics-token
export DATABASE_URL="sqlite://$work/flood.db" BIND_ADDR="127.0.0.1:$port" RUST_LOG=warn \
    BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD TRUSTED_PROXIES=127.0.0.1 METRICS_TOKEN=$metrics_token
read -r pid _ < <(spawn_timed "$work/server.log" "$base/readyz" "$BIN" serve)
before=$(rss_mb "$pid")
echo "== $connections concurrent logins with unknown usernames for $seconds s"
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s -s "$BENCH_ROOT/bench/wrk/login_flood.lua" "$base"
echo "answers by status:"
curl -fsS "$base/metrics" -H "Authorization: Bearer $metrics_token" |
    awk -F'status="' '/^redress_http_requests_total\{method="POST",route="\/api\/v1\/auth\/token"/ {
        split($2, s, "\""); n = $0; sub(/.* /, "", n); printf "  %s: %s\n", s[1], n }'
peak=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
echo "memory (resident): $before MB before, peak $peak MB, $(rss_mb "$pid") MB after (limit $limit_mb MB)"
kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
awk -v p="$peak" -v l="$limit_mb" 'BEGIN { exit !(p < l) }' || { echo "FAILED: peak $peak MB is over $limit_mb MB"; exit 1; }
echo "passed: peak $peak MB < $limit_mb MB"
