#!/usr/bin/env bash
# Installs what building Docket needs beyond the Rust toolchain, gcc and python:
# libclang, which the bundled RocksDB's bindgen step loads at build time.
# Safe to run repeatedly; sourced by the run and test scripts.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/libclang.sh"

# DOCKET_SYSROOT (empty normally) lets tests/tests/setup_script.rs run this script
# against a fake file system layout.
if found="$(find_libclang "${DOCKET_SYSROOT:-}")"; then
    echo "docket: using libclang at $found (for the bundled RocksDB's bindings)" >&2
else
    # LLVM alone (libclang-cpp.so.N) is not enough: bindgen loads libclang itself.
    echo "docket: no libclang found; installing Debian's libclang-dev, which the bundled" \
        "RocksDB's bindgen step loads at build time (about 30 MB)..." >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q libclang-dev >/dev/null
    if ! found="$(find_libclang "${DOCKET_SYSROOT:-}")"; then
        echo "docket: libclang-dev is installed but no libclang.so was found;" \
            "set LIBCLANG_PATH to the directory that holds it" >&2
        exit 1
    fi
    echo "docket: installed libclang at $found" >&2
fi

# Tell bindgen exactly which library was found, so its own search cannot disagree.
if [ -z "${LIBCLANG_PATH:-}" ]; then export LIBCLANG_PATH="${found%/*}"; fi

# One target directory outside the clone, so every clone and CI run reuses the
# ~15-minute RocksDB C++ build of the last one.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/docket-target}"
mkdir -p "$CARGO_TARGET_DIR"
