#!/usr/bin/env bash
# Run every costscope test on this machine, from a fresh machine too:
#   1. installs what the tests need that the machine may lack (tmux for the end-to-end TUI test),
#   2. installs and starts the local S3 (moto), Azure (Azurite) and GCS (fake-gcs-server) servers
#      (scripts/test-servers.sh; cached under ~/.cache/costscope-servers),
#   3. installs Apache Spark (pyspark) and chdb for the Parquet export tests (scripts/engines.sh;
#      cached under ~/.cache/costscope-servers/engines; Spark runs on the machine's Java 17+),
#   4. runs `cargo test --release` with the servers' addresses exported, then stops the servers.
# The build goes to cargo's default target (./target), the same one `cargo run --release -- demo`
# uses, so a newcomer compiles the bundled DuckDB once; .ci/run sets CARGO_TARGET_DIR outside the
# checkout so CI on one machine reuses its build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
    echo "test.sh: installing tmux (end-to-end TUI test)" >&2
    (apt-get update -qq && apt-get install -y -qq tmux >/dev/null) || echo "test.sh: tmux unavailable; the tmux test will say so" >&2
fi

bash scripts/test-servers.sh start
trap 'bash scripts/test-servers.sh stop >/dev/null 2>&1 || true' EXIT
eval "$(bash scripts/test-servers.sh env)"
if ! command -v java >/dev/null 2>&1; then
    echo "test.sh: installing Java 17 (Spark, Parquet export test)" >&2
    (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null) || echo "test.sh: Java unavailable; the Spark test will say so" >&2
fi
bash scripts/engines.sh install
eval "$(bash scripts/engines.sh env)"

# Snapshot files are found from this checkout, not from the directory the test binary was
# compiled in: several checkouts sharing one CARGO_TARGET_DIR reuse each other's binaries.
export INSTA_WORKSPACE_ROOT="$PWD"
cargo test --release "$@"
