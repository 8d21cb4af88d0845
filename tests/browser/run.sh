#!/usr/bin/env bash
# The explorer's browser test: installs Debian's Chromium and the test's npm packages
# (playwright-core, axe-core) if missing, then drives the demo in headless Chromium.
# Needs the release binaries (scripts/test.sh builds them). Screenshots land in
# tests/browser/screenshots/.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
    export CARGO_TARGET_DIR="$HOME/.cache/docket-target"
fi
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ "${#need_apt[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "browser test: install ${need_apt[*]} (Debian packages) first, or run as root" >&2
        exit 1
    fi
    echo "browser test: installing ${need_apt[*]}..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
node --test --test-concurrency=1 explorer.test.mjs
