#!/usr/bin/env bash
# Load (issue 6): a realistic mix (70% reads of one record, 20% filtered list
# pages, 10% creates) for SECONDS at the highest rate the machine holds
# (CONNECTIONS keep-alive connections, each sending as fast as it is
# answered), on a database seeded with RECORDS feedback records. Prints
# requests per second, errors, latency percentiles and the server's memory.
# Usage: proof/load.sh [sqlite|postgres|both] [SECONDS] [CONNECTIONS] [RECORDS]
source "$(dirname "$0")/../bench/lib.sh"

backends=${1:-both}
seconds=${2:-60}
connections=${3:-32}
export RECORDS=${4:-250000}
[ "$backends" = both ] && backends="sqlite postgres"
build_release
(cd "$BENCH_ROOT" && cargo build --release --quiet --example seed)
# The mix is a wrk Lua script, so this needs wrk itself.
ensure_wrk || { echo "the load test needs wrk (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
pid=
sampler=
trap 'kill $pid $sampler 2>/dev/null || true; drop_pg_database redress_load; rm -rf "$work"' EXIT

for backend in $backends; do
    if [ "$backend" = postgres ]; then
        export DATABASE_URL=$(fresh_pg_database redress_load)
    else
        export DATABASE_URL="sqlite://$work/load.db"
    fi
    echo "== $backend: seeding $RECORDS records"
    "$BENCH_ROOT/target/release/examples/seed" "$RECORDS" 2000 >/dev/null 2>&1
    port=$(free_port)
    base="http://127.0.0.1:$port"
    export BIND_ADDR="127.0.0.1:$port" BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn
    read -r pid _ < <(spawn_timed "$work/server.log" "$base/readyz" "$BIN" serve)
    TOKEN=$(token "$base" admin "$BENCH_PASSWORD")
    before=$(rss_mb "$pid")
    # Peak resident memory, sampled every 200 ms during the run.
    (peak=0; while kill -0 "$pid" 2>/dev/null; do
        now=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${now:-0}" -gt "$peak" ] && { peak=$now; echo "$peak" >"$work/peak"; }
        sleep 0.2
    done) &
    sampler=$!
    echo "== $backend: mixed load, $seconds s, $connections connections"
    wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "$BENCH_ROOT/bench/wrk/mixed.lua" \
        -H "Authorization: Bearer $TOKEN" "$base" | grep -E '^(requests|errors|latency):'
    kill "$sampler" 2>/dev/null || true
    echo "memory (resident): $before MB before, peak $(awk '{printf "%.1f", $1/1024}' "$work/peak") MB, $(rss_mb "$pid") MB after," \
        "of which $(awk '/RssAnon/ {printf "%.1f", $2/1024}' "/proc/$pid/status") MB private" \
        "(the rest is the database file mapped by the pooled connections: shared page cache)"
    if grep -qE 'panicked|ERROR' "$work/server.log"; then
        echo "the server logged errors:"; grep -E 'panicked|ERROR' "$work/server.log" | head
    fi
    kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    drop_pg_database redress_load
done
