//! docs/formats.md §5.1 is the list of error codes an independent verifier or client must
//! know. Every code docket-core can produce (the `code()` of `RuleViolation`,
//! `DsseError` and `EntryError`, whose `match` has one arm per variant, so a new variant
//! cannot skip this test) must be documented there, and every code the document's tables
//! list must be one that Docket's code produces (the core's, or the log server's own).

use std::collections::BTreeSet;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The string literals returned by the `pub fn code(&self)` function of a source file.
fn codes_of(relative: &str) -> BTreeSet<String> {
    let source = read(relative);
    let start = source
        .find("pub fn code(&self) -> &'static str {")
        .unwrap_or_else(|| panic!("{relative} has no code() function"));
    let body = &source[start..];
    let end = body
        .find("\n    }\n")
        .unwrap_or_else(|| panic!("{relative}: code() does not end"));
    let codes = quoted(&body[..end]);
    assert!(!codes.is_empty(), "{relative}: no codes found");
    codes
}

/// Every `"snake_case"` literal in `text`.
fn quoted(text: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .map(str::to_string)
        .collect()
}

/// The section of docs/formats.md that lists the codes.
fn error_code_section() -> String {
    let doc = read("../docs/formats.md");
    let start = doc
        .find("### 5.1 Error codes")
        .expect("formats.md has §5.1");
    let end = doc[start..]
        .find("\n### 5.2")
        .map_or(doc.len(), |e| start + e);
    doc[start..end].to_string()
}

/// Every `` `code` `` in the first column of a table row of `section`.
fn documented_codes(section: &str) -> BTreeSet<String> {
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(code, _)| code.to_string()))
        .collect()
}

fn core_codes() -> BTreeSet<String> {
    let mut codes = codes_of("src/rules/violation.rs");
    codes.extend(codes_of("src/dsse.rs"));
    codes.extend(codes_of("src/entry.rs"));
    codes
}

#[test]
fn every_code_the_core_emits_is_documented() {
    let section = error_code_section();
    let missing: Vec<String> = core_codes()
        .into_iter()
        .filter(|code| !section.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes produced by docket-core but not in docs/formats.md §5.1: {missing:?}"
    );
    // The rule and entry codes are in a table (the DSSE library's `keyid_mismatch` may be
    // explained in prose: no log or verifier produces it).
    let tabled = documented_codes(&section);
    let mut untabled: Vec<String> = codes_of("src/rules/violation.rs")
        .into_iter()
        .chain(codes_of("src/entry.rs"))
        .filter(|code| !tabled.contains(code))
        .collect();
    untabled.sort();
    assert!(untabled.is_empty(), "not in a §5.1 table: {untabled:?}");
}

#[test]
fn every_documented_code_is_produced() {
    let mut produced = core_codes();
    // The log server's own codes (request size, paths, overload), as its error module
    // names them.
    let server = read("../log-server/src/http/error.rs");
    let consts: String = server
        .lines()
        .filter(|line| line.trim_start().starts_with("pub const") && line.contains("&str"))
        .collect::<Vec<_>>()
        .join("\n");
    produced.extend(quoted(&consts));
    let unknown: Vec<String> = documented_codes(&error_code_section())
        .into_iter()
        .filter(|code| !produced.contains(code))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/formats.md §5.1 lists codes nothing produces: {unknown:?}"
    );
}
