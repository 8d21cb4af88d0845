//! Test-only loader for `testdata/vectors/` (see its README for schemas), shared by the
//! C2SP format modules' tests.

use serde_json::Value;

/// Reads and parses one vector file, `path` relative to `testdata/vectors/`.
pub(crate) fn load(path: &str) -> Value {
    let full = format!("{}/../testdata/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {full}: {e}"))
}

/// A JSON string field, or a panic naming it.
pub(crate) fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key:?} is not a string in {value}"))
}

/// A JSON unsigned integer field, or a panic naming it.
pub(crate) fn u64_field(value: &Value, key: &str) -> u64 {
    value[key]
        .as_u64()
        .unwrap_or_else(|| panic!("vector field {key:?} is not a u64 in {value}"))
}

/// A JSON array field, or a panic naming it.
pub(crate) fn array_field<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("vector field {key:?} is not an array in {value}"))
}
