#!/usr/bin/env bash
# Runs Docket: a log server with two witnesses and demo data, all on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "docket: nothing to run yet — the log server is still being built (see README.md)."
