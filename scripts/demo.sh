#!/usr/bin/env bash
# Runs Docket: a log server with two witnesses and demo data, all on 127.0.0.1, with
# embedded storage under ./demo-data. Run it again to resume; Ctrl-C stops everything.
# Arguments go to docket-demo (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "docket: building (the first build compiles RocksDB from C++: about 15 minutes)..." >&2
cargo build --release --workspace --bins
exec "$CARGO_TARGET_DIR/release/docket-demo" "$@"
