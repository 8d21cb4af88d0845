#!/usr/bin/env bash
# Runs Docket's whole test suite (unit, vector, property and end-to-end tests) in the
# project's single build profile (release). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo test --release --workspace "$@"
