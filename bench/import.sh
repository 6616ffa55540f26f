#!/usr/bin/env bash
# Bulk import benchmark: write ROWS synthetic feedback rows as CSV
# (examples/import_csv.rs, default 100,000), import them into a fresh
# database with the release build (`redress import feedback`), and print
# the rows a second; then import the same file again (every row skipped by
# its external_ref); then import it into a database that has one record
# (batch by batch, not the first load of an empty table).
# Usage: bench/import.sh [sqlite|postgres|both] [ROWS]
source "$(dirname "$0")/lib.sh"

backends=${1:-sqlite}
rows=${2:-100000}
[ "$backends" = both ] && backends="sqlite postgres"
build_release
(cd "$BENCH_ROOT" && cargo build --release --quiet --example import_csv)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RUST_LOG=warn

"$TARGET_DIR/release/examples/import_csv" "$rows" > "$work/feedback.csv"
echo "== $(wc -l < "$work/feedback.csv") lines, $(du -h "$work/feedback.csv" | cut -f1)"

rate() {
    python3 -c 'import json, sys
r = json.load(sys.stdin)
t = r["report"]
print("%d rows in %.1f s: %.0f rows/s (created %d, skipped %d, rejected %d)" % (
    t["rows_processed"], r["seconds"], r["rows_per_second"],
    t["rows_created"], t["rows_skipped"], t["rows_rejected"]))'
}

for backend in $backends; do
    fresh_database "$backend" "$work"
    "$BIN" migrate
    echo "== $backend: import into an empty database"
    "$BIN" import feedback "$work/feedback.csv" | rate
    echo "== $backend: the same file again (every row skipped)"
    "$BIN" import feedback "$work/feedback.csv" | rate
    drop_database "$backend"
    # Into a table that has a record already: batch by batch, with every
    # index kept (on SQLite the first import into an empty table is loaded
    # in one transaction instead; see src/imports/first_load.rs).
    fresh_database "$backend" "$work"
    "$BIN" migrate
    printf 'external_ref,directorate,kind,received_on\nEARLIER-1,adults,enquiry,2025-01-02\n' > "$work/one.csv"
    "$BIN" import feedback "$work/one.csv" > /dev/null
    echo "== $backend: import into a table that has a record"
    "$BIN" import feedback "$work/feedback.csv" | rate
    drop_database "$backend"
done
