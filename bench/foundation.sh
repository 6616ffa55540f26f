#!/usr/bin/env bash
# Foundation benchmarks (issue 2): cold start to /readyz on SQLite, idle
# memory, and GET /api/v1/me throughput. Usage: bench/foundation.sh
source "$(dirname "$0")/lib.sh"

build_release
ensure_load_tool
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(free_port)
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$work/redress.db" BIND_ADDR="127.0.0.1:$port" \
       BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn

# start: run the server, setting $pid and $elapsed (ms from exec to /readyz).
start() {
    read -r pid elapsed < <(spawn_timed "$work/log" "$base/readyz" "$BIN" serve)
}

start
first=$elapsed
kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
start
again=$elapsed
echo "cold start to /readyz, new database (migrations, first admin): ${first} ms"
echo "cold start to /readyz, existing database:                     ${again} ms"

TOKEN=$(token "$base" admin "$BENCH_PASSWORD")
curl -fsS -H "Authorization: Bearer $TOKEN" "$base/api/v1/me" >/dev/null
sleep 1
echo "idle resident memory: $(rss_mb $pid) MB"

for connections in 16 64; do
    echo "GET /api/v1/me, 10 s, $connections connections:"
    load "$base/api/v1/me" 10 "$connections" "Authorization: Bearer $TOKEN" |
        grep -E 'Requests/sec|Latency|99%|Success rate|Non-2xx|Socket errors' || true
done
echo "resident memory after load: $(rss_mb $pid) MB"
