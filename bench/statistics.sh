#!/usr/bin/env bash
# Statistics benchmarks (issue 5): seed RECORDS feedback records (default
# 1,000,000) and CASES Ombudsman cases (default 20,000), then time each
# statistics endpoint and the annual report for one year and one
# directorate, against the same aggregate as one hand-tuned SQL query run
# directly against the database (the ratio is printed).
# Usage: bench/statistics.sh [sqlite|postgres|both] [RECORDS] [CASES]
source "$(dirname "$0")/lib.sh"

backends=${1:-both}
records=${2:-1000000}
cases=${3:-20000}
[ "$backends" = both ] && backends="sqlite postgres"
build_release
(cd "$BENCH_ROOT" && cargo build --release --quiet --example seed)
SEED="$TARGET_DIR/release/examples/seed"
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

for backend in $backends; do
    port=$(free_port)
    base="http://127.0.0.1:$port"
    fresh_database "$backend" "$work"
    echo "== $backend: seeding $records records and $cases Ombudsman cases"
    "$SEED" "$records" "$cases"
    export BIND_ADDR="127.0.0.1:$port" BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn
    read -r pid _ < <(spawn_timed "$work/log" "$base/readyz" "$BIN" serve)
    TOKEN=$(token "$base" admin "$BENCH_PASSWORD")
    echo "== $backend: one year (2024-25), one directorate (adults)"
    python3 "$BENCH_ROOT/bench/timing.py" "$base" "$TOKEN" "$DATABASE_URL"
    kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    drop_database "$backend"
done
