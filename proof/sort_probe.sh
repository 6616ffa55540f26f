#!/usr/bin/env bash
# Sort-key probe (issue 9): every list with 5 and with 50 sort keys gets 422
# within 50 ms (a repeated key once took the query builder 30 s and more).
# Usage: proof/sort_probe.sh [sqlite|postgres]
source "$(dirname "$0")/../bench/lib.sh"

backend=${1:-sqlite}
build_release
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; drop_pg_database redress_sort_probe; rm -rf "$work"' EXIT
if [ "$backend" = postgres ]; then
    export DATABASE_URL=$(fresh_pg_database redress_sort_probe)
else
    export DATABASE_URL="sqlite://$work/probe.db"
fi
port=$(free_port)
base="http://127.0.0.1:$port"
export BIND_ADDR="127.0.0.1:$port" BOOTSTRAP_ADMIN_PASSWORD=$BENCH_PASSWORD RUST_LOG=warn
read -r pid _ < <(spawn_timed "$work/server.log" "$base/readyz" "$BIN" serve)
echo "== $backend: every list with 5 and 50 sort keys"
python3 "$BENCH_ROOT/proof/sort_probe.py" "$base" "$(token "$base" admin "$BENCH_PASSWORD")"
