#!/usr/bin/env bash
# Finds the libclang shared library that bindgen (through clang-sys) loads when it
# builds the bundled RocksDB's bindings. Sourced by scripts/setup.sh and by the
# set-up test (tests/tests/setup_script.rs), which runs it against fake layouts.
#
# clang-sys looks in $LIBCLANG_PATH, then in the usual library directories, for
# `libclang.so`, `libclang-<N>.so`, `libclang.so.<N>` and `libclang-<N>.so.<N>`.
# `libclang-cpp.so.<N>` (the C++ interface, installed with LLVM) is a different
# library that bindgen cannot use: it must not count.

# Prints the first usable libclang under ROOT (default /) and returns 0, or
# returns 1 when there is none.
find_libclang() {
    local root="${1:-}"
    local dirs=()
    if [ -n "${LIBCLANG_PATH:-}" ]; then dirs+=("$root$LIBCLANG_PATH"); fi
    local d
    for d in "$root"/usr/lib/llvm-*/lib "$root"/usr/lib/*-linux-gnu "$root"/usr/lib \
        "$root"/usr/lib64 "$root"/usr/local/lib "$root"/lib/*-linux-gnu; do
        [ -d "$d" ] && dirs+=("$d")
    done
    local f name
    for d in "${dirs[@]}"; do
        for f in "$d"/libclang*.so*; do
            [ -e "$f" ] || continue
            name="${f##*/}"
            if is_bindgen_libclang_name "$name"; then
                echo "$f"
                return 0
            fi
        done
    done
    return 1
}

# True when NAME is a file name clang-sys accepts as libclang.
is_bindgen_libclang_name() {
    case "$1" in
    libclang.so) return 0 ;;
    libclang.so.[0-9]*) return 0 ;;
    libclang-[0-9]*.so) return 0 ;;
    libclang-[0-9]*.so.[0-9]*) return 0 ;;
    *) return 1 ;;
    esac
}
