#!/usr/bin/env bash
# Installs what building Docket needs beyond the Rust toolchain, gcc and python:
# libclang, which the bundled RocksDB's bindgen step loads at build time.
# Safe to run repeatedly; sourced by the run and test scripts.
set -euo pipefail

have_libclang() {
    compgen -G "/usr/lib/llvm-*/lib/libclang.so*" >/dev/null ||
        compgen -G "/usr/lib/*/libclang*.so*" >/dev/null
}

if ! have_libclang; then
    echo "docket: installing libclang-dev (needed to build the bundled RocksDB)..." >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q libclang-dev >/dev/null
fi

# One target directory outside the clone, so every clone and CI run reuses the
# ~15-minute RocksDB C++ build of the last one.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/docket-target}"
mkdir -p "$CARGO_TARGET_DIR"
