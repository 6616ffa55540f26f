#!/usr/bin/env bash
# Feedback benchmarks (issue 3): seed RECORDS feedback records (default
# 1,000,000), then measure GET /api/v1/feedback/{id}, filtered list pages
# with totals (p99), free-text search, and POST /api/v1/feedback throughput.
# Usage: bench/feedback.sh [sqlite|postgres|both] [RECORDS]
source "$(dirname "$0")/lib.sh"

backends=${1:-both}
export RECORDS=${2:-1000000}
[ "$backends" = both ] && backends="sqlite postgres"
build_release
(cd "$BENCH_ROOT" && cargo build --release --quiet --example seed)
ensure_load_tool
command -v wrk >/dev/null || { echo "these scripts need wrk (Lua scripts)"; exit 1; }
SEED="$TARGET_DIR/release/examples/seed"
WRK="$BENCH_ROOT/bench/wrk"
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

for backend in $backends; do
    port=$(free_port)
    base="http://127.0.0.1:$port"
    fresh_database "$backend" "$work"
    echo "== $backend: seeding $RECORDS records"
    "$SEED" "$RECORDS"
    export BIND_ADDR="127.0.0.1:$port" BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn
    read -r pid _ < <(spawn_timed "$work/log" "$base/readyz" "$BIN" serve)
    TOKEN=$(token "$base" admin "$BENCH_PASSWORD")
    auth="Authorization: Bearer $TOKEN"
    summary() { grep -E 'Requests/sec|  99%|Non-2xx|Socket errors' || true; }

    echo "== $backend: GET /api/v1/feedback/{id}, random ids, 10 s, 16 connections"
    wrk -t1 -c16 -d10s --latency -s "$WRK/get_feedback.lua" -H "$auth" "$base" | summary
    echo "== $backend: filtered list pages with total, 10 s, 4 connections"
    wrk -t1 -c4 -d10s --latency -s "$WRK/list_feedback.lua" -H "$auth" "$base" | summary
    echo "== $backend: free-text search (q), 10 s, 2 connections"
    wrk -t1 -c2 -d10s --latency -s "$WRK/search_feedback.lua" -H "$auth" "$base" | summary
    echo "== $backend: POST /api/v1/feedback, 10 s, 16 connections"
    wrk -t1 -c16 -d10s --latency -s "$WRK/create_feedback.lua" -H "$auth" "$base" | summary
    echo "resident memory: $(rss_mb "$pid") MB"
    kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    drop_database "$backend"
done
