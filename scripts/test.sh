#!/usr/bin/env bash
# Runs Docket's whole test suite (unit, vector, property and end-to-end tests) in the
# project's single build profile (release). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The end-to-end tests start the real binaries of every crate: build them all first.
cargo build --release --workspace --bins
cargo test --release --workspace "$@"
