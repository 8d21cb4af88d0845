//! The repository stands on its own: no source file, script or document points at
//! design notes kept outside it (the design is docs/architecture.md; formats are
//! docs/formats.md; specifications are cited by their c2sp.org / RFC names).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Strings that name something outside the repository.
const OUTSIDE: [&str; 3] = ["DESIGN.md", "C2SP-DIGEST", "../shared/"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        if path.is_dir() {
            files(&path, out);
        } else if [
            "rs", "md", "sh", "toml", "mjs", "js", "html", "conf", "service",
        ]
        .iter()
        .any(|ext| name.ends_with(&format!(".{ext}")))
        {
            out.push(path);
        }
    }
}

#[test]
fn nothing_points_outside_the_repository() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut all = Vec::new();
    files(repo, &mut all);
    assert!(all.len() > 100, "found only {} files", all.len());
    let this = Path::new(file!()).file_name().unwrap();
    let mut found = Vec::new();
    for path in all {
        if path.file_name() == Some(this) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if OUTSIDE.iter().any(|s| line.contains(s)) {
                found.push(format!("{}:{}: {line}", path.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "points outside the repository:\n{}",
        found.join("\n")
    );
}
