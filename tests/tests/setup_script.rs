//! scripts/setup.sh on machines other than this one: fake library layouts under a
//! temporary root (`DOCKET_SYSROOT`), a fake `apt-get` on the PATH, and an otherwise
//! empty environment. The bug this guards against: a machine with LLVM installed but
//! not libclang (only `libclang-cpp.so.14`) was taken to have libclang, and the
//! RocksDB build then failed in bindgen with "Unable to find libclang".

#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Creates empty files at the given paths under `root`.
fn layout(root: &Path, files: &[&str]) {
    for file in files {
        let path = root.join(file.trim_start_matches('/'));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"").unwrap();
    }
}

/// Runs `find_libclang ROOT` from scripts/lib/libclang.sh; its output, or None.
fn find_libclang(root: &Path, libclang_path: Option<&str>) -> Option<String> {
    let mut command = Command::new("bash");
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .arg("-c")
        .arg("source scripts/lib/libclang.sh && find_libclang \"$1\"")
        .arg("bash")
        .arg(root)
        .current_dir(repo());
    if let Some(dir) = libclang_path {
        command.env("LIBCLANG_PATH", dir);
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let found = stdout
        .trim()
        .strip_prefix(root.to_str().unwrap())
        .map(str::to_owned);
    match out.status.code() {
        Some(0) => Some(found.expect("a path under the fake root")),
        Some(1) => None,
        other => panic!(
            "find_libclang exited {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn llvm_without_libclang_is_not_libclang() {
    let root = tempfile::tempdir().unwrap();
    // Debian 12 with `llvm` installed and `libclang-dev` not.
    layout(
        root.path(),
        &[
            "/usr/lib/llvm-14/lib/libclang-cpp.so.14",
            "/usr/lib/llvm-14/lib/libLLVM-14.so",
            "/usr/lib/llvm-14/lib/libclangAST.a",
            "/usr/lib/x86_64-linux-gnu/libclang-cpp.so.14",
            "/usr/lib/x86_64-linux-gnu/libclang-cpp.so.14.0",
        ],
    );
    assert_eq!(find_libclang(root.path(), None), None);
}

#[test]
fn an_empty_machine_has_no_libclang() {
    let root = tempfile::tempdir().unwrap();
    assert_eq!(find_libclang(root.path(), None), None);
}

#[test]
fn every_name_bindgen_loads_is_found() {
    for file in [
        "/usr/lib/llvm-14/lib/libclang.so",
        "/usr/lib/llvm-16/lib/libclang-16.so",
        "/usr/lib/llvm-14/lib/libclang-14.so.1",
        "/usr/lib/x86_64-linux-gnu/libclang.so.1",
        "/usr/lib/x86_64-linux-gnu/libclang-14.0.6.so",
        "/usr/lib64/libclang.so",
        "/usr/local/lib/libclang.so.18",
    ] {
        let root = tempfile::tempdir().unwrap();
        layout(
            root.path(),
            &["/usr/lib/x86_64-linux-gnu/libclang-cpp.so.14", file],
        );
        assert_eq!(
            find_libclang(root.path(), None).as_deref(),
            Some(file),
            "{file}"
        );
    }
}

#[test]
fn libclang_path_is_searched_first() {
    let root = tempfile::tempdir().unwrap();
    layout(
        root.path(),
        &[
            "/opt/clang/lib/libclang.so",
            "/usr/lib/llvm-14/lib/libclang.so",
        ],
    );
    assert_eq!(
        find_libclang(root.path(), Some("/opt/clang/lib")).as_deref(),
        Some("/opt/clang/lib/libclang.so")
    );
}

/// The whole script in a clean environment: it must install libclang-dev on a machine
/// that has only LLVM, say so, and point bindgen at what it installed.
#[test]
fn setup_installs_libclang_on_a_machine_with_only_llvm() {
    let root = tempfile::tempdir().unwrap();
    layout(root.path(), &["/usr/lib/llvm-14/lib/libclang-cpp.so.14"]);
    let bin = root.path().join("fake-bin");
    fs::create_dir_all(&bin).unwrap();
    let calls = root.path().join("apt-calls");
    // A fake apt-get: records its arguments; `install` lays out what libclang-dev would.
    let apt = format!(
        "#!/bin/sh\necho \"$*\" >> '{calls}'\n\
         case \"$*\" in *install*) mkdir -p '{lib}' && touch '{lib}/libclang-14.so.1' ;; esac\n",
        calls = calls.display(),
        lib = root.path().join("usr/lib/llvm-14/lib").display(),
    );
    for name in ["apt-get", "sudo"] {
        let script = if name == "sudo" {
            "#!/bin/sh\nexec \"$@\"\n".to_owned()
        } else {
            apt.clone()
        };
        fs::write(bin.join(name), script).unwrap();
        fs::set_permissions(bin.join(name), fs::Permissions::from_mode(0o755)).unwrap();
    }
    let home = root.path().join("home");
    let out = Command::new("bash")
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", &home)
        .env("DOCKET_SYSROOT", root.path())
        .arg("-c")
        .arg("source scripts/setup.sh && echo \"LIBCLANG_PATH=$LIBCLANG_PATH\" && echo \"CARGO_TARGET_DIR=$CARGO_TARGET_DIR\"")
        .current_dir(repo())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "setup.sh failed: {stderr}");
    let apt_calls = fs::read_to_string(&calls).unwrap();
    assert!(
        apt_calls.contains("install -y -q libclang-dev"),
        "{apt_calls}"
    );
    assert!(
        stderr.contains("installing Debian's libclang-dev"),
        "{stderr}"
    );
    let lib = root.path().join("usr/lib/llvm-14/lib");
    assert!(
        stdout.contains(&format!("LIBCLANG_PATH={}", lib.display())),
        "{stdout}"
    );
    assert!(stdout.contains(&format!(
        "CARGO_TARGET_DIR={}/.cache/docket-target",
        home.display()
    )));
}

/// On a machine that already has libclang, the script installs nothing.
#[test]
fn setup_installs_nothing_when_libclang_is_there() {
    let root = tempfile::tempdir().unwrap();
    layout(root.path(), &["/usr/lib/llvm-14/lib/libclang.so.1"]);
    let out = Command::new("bash")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", root.path())
        .env("DOCKET_SYSROOT", root.path())
        .arg("-c")
        .arg("source scripts/setup.sh")
        .current_dir(repo())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("using libclang at"), "{stderr}");
}
