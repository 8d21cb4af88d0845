//! Unit tests for tile and bundle paths: index groups, strict parsing, round trips.

use proptest::prelude::*;

use super::tile;
use crate::tiles::*;

#[test]
fn index_groups() {
    for (n, text) in [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1000, "x001/000"),
        (999_999, "x999/999"),
        (1_000_000, "x001/x000/000"),
        (u64::MAX, "x018/x446/x744/x073/x709/x551/615"),
    ] {
        assert_eq!(format_tile_index(n), text);
        assert_eq!(parse_tile_index(text), Ok(n));
    }
}

#[test]
fn index_rejects_non_canonical() {
    let bad_group = |g: &str| TileError::BadIndexGroup { group: g.into() };
    for (text, err) in [
        ("", bad_group("")),
        ("0", bad_group("0")),
        ("01", bad_group("01")),
        ("0001", bad_group("0001")),
        ("x001", bad_group("x001")),
        ("001/000", bad_group("001")),
        ("x001/x000", bad_group("x000")),
        ("x01/000", bad_group("x01")),
        ("X001/000", bad_group("X001")),
        ("x001/000/", bad_group("000")),
        ("/000", bad_group("")),
        ("+01", bad_group("+01")),
        ("-01", bad_group("-01")),
        (" 01", bad_group(" 01")),
        ("x001//000", bad_group("")),
        ("x1٣4/000", bad_group("x1٣4")),
        (
            "x000/001",
            TileError::NonCanonicalIndex {
                text: "x000/001".into(),
            },
        ),
        (
            "x018/x446/x744/x073/x709/x551/616",
            TileError::IndexOverflow {
                text: "x018/x446/x744/x073/x709/x551/616".into(),
            },
        ),
        (
            "x001/x000/x000/x000/x000/x000/x000/000",
            TileError::IndexOverflow {
                text: "x001/x000/x000/x000/x000/x000/x000/000".into(),
            },
        ),
    ] {
        assert_eq!(parse_tile_index(text), Err(err), "{text:?}");
    }
}

#[test]
fn path_errors() {
    let cases: Vec<(&str, TileError)> = vec![
        ("", TileError::NotTilePath { path: "".into() }),
        (
            "/tile/0/000",
            TileError::NotTilePath {
                path: "/tile/0/000".into(),
            },
        ),
        (
            "tiles/0/000",
            TileError::NotTilePath {
                path: "tiles/0/000".into(),
            },
        ),
        (
            "Tile/0/000",
            TileError::NotTilePath {
                path: "Tile/0/000".into(),
            },
        ),
        ("tile/", TileError::BadLevel { text: "".into() }),
        ("tile/0", TileError::BadLevel { text: "0".into() }),
        ("tile//000", TileError::BadLevel { text: "".into() }),
        ("tile/00/000", TileError::BadLevel { text: "00".into() }),
        ("tile/01/000", TileError::BadLevel { text: "01".into() }),
        ("tile/+1/000", TileError::BadLevel { text: "+1".into() }),
        (
            "tile/entries",
            TileError::BadLevel {
                text: "entries".into(),
            },
        ),
        (
            "tile/data/000",
            TileError::BadLevel {
                text: "data".into(),
            },
        ),
        ("tile/64/000", TileError::LevelOutOfRange { level: 64 }),
        ("tile/300/000", TileError::LevelOutOfRange { level: 300 }),
        (
            "tile/99999999999999999999999/000",
            TileError::BadLevel {
                text: "99999999999999999999999".into(),
            },
        ),
        (
            "tile/8/000",
            TileError::BeyondMaxTreeSize {
                level: 8,
                index: 0,
                width: 256,
            },
        ),
        (
            "tile/7/000",
            TileError::BeyondMaxTreeSize {
                level: 7,
                index: 0,
                width: 256,
            },
        ),
        ("tile/0/000.p/0", TileError::BadPartialWidth { width: 0 }),
        (
            "tile/0/000.p/256",
            TileError::BadPartialWidth { width: 256 },
        ),
        (
            "tile/0/000.p/1000",
            TileError::BadPartialWidth { width: 1000 },
        ),
        ("tile/0/000.p/08", TileError::BadWidth { text: "08".into() }),
        ("tile/0/000.p/", TileError::BadWidth { text: "".into() }),
        ("tile/0/000.p/8/", TileError::BadWidth { text: "8/".into() }),
        (
            "tile/0/000.p/8.p/9",
            TileError::BadWidth {
                text: "8.p/9".into(),
            },
        ),
        ("tile/0/000.p/ 8", TileError::BadWidth { text: " 8".into() }),
        (
            "tile/0/000.p",
            TileError::BadIndexGroup {
                group: "000.p".into(),
            },
        ),
        (
            "tile/0/000.gz",
            TileError::BadIndexGroup {
                group: "000.gz".into(),
            },
        ),
        (
            "tile/0/000/",
            TileError::BadIndexGroup {
                group: "000".into(),
            },
        ),
        (
            "tile/0/000?x=1",
            TileError::BadIndexGroup {
                group: "000?x=1".into(),
            },
        ),
        (
            "tile/0/x000/001",
            TileError::NonCanonicalIndex {
                text: "x000/001".into(),
            },
        ),
        (
            "tile/entries/00",
            TileError::BadIndexGroup { group: "00".into() },
        ),
        (
            "tile/entries/000.p/256",
            TileError::BadPartialWidth { width: 256 },
        ),
        (
            "tile/entries/x018/x446/x744/x073/x709/x551/615",
            TileError::BeyondMaxTreeSize {
                level: 0,
                index: u64::MAX,
                width: 256,
            },
        ),
        (
            "tile/entries/",
            TileError::BadIndexGroup { group: "".into() },
        ),
        (
            "tile/0/entries/000",
            TileError::BadIndexGroup {
                group: "entries".into(),
            },
        ),
    ];
    for (path, err) in cases {
        assert_eq!(parse_tile_path(path), Err(err), "{path:?}");
    }
}

#[test]
fn paths_round_trip() {
    let cases = [
        (TilePath::Hashes(tile(0, 0, 256)), "tile/0/000"),
        (TilePath::Hashes(tile(0, 0, 1)), "tile/0/000.p/1"),
        (TilePath::Hashes(tile(0, 0, 255)), "tile/0/000.p/255"),
        (TilePath::Hashes(tile(3, 1000, 17)), "tile/3/x001/000.p/17"),
        (TilePath::Hashes(tile(6, 255, 255)), "tile/6/255.p/255"),
        (TilePath::Hashes(tile(7, 0, 255)), "tile/7/000.p/255"),
        (
            TilePath::Entries(Bundle::new(1_234_067, 256).expect("valid")),
            "tile/entries/x001/x234/067",
        ),
        (
            TilePath::Entries(Bundle::new((1 << 56) - 1, 255).expect("valid")),
            "tile/entries/x072/x057/x594/x037/x927/935.p/255",
        ),
    ];
    for (parsed, path) in cases {
        assert_eq!(parsed.path(), path);
        assert_eq!(parse_tile_path(path), Ok(parsed));
    }
}

/// Strings over the alphabet of tile paths: parsing either fails or returns a value that
/// formats back to the same string.
fn path_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("tile/".to_string()),
            Just("entries/".to_string()),
            Just(".p/".to_string()),
            Just("x".to_string()),
            Just("/".to_string()),
            "[0-9]{1,4}",
        ],
        0..10,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn parse_is_canonical(path in path_like()) {
        if let Ok(parsed) = parse_tile_path(&path) {
            prop_assert_eq!(parsed.path(), path);
        }
    }

    #[test]
    fn valid_paths_round_trip(level in 0u8..=7, index in any::<u64>(), width in 1u16..=256) {
        let index = index >> (8 * u32::from(level) + 8);
        if let Ok(t) = Tile::new(level, index, width) {
            prop_assert_eq!(parse_tile_path(&t.path()), Ok(TilePath::Hashes(t)));
            if let Some(b) = t.bundle() {
                prop_assert_eq!(parse_tile_path(&b.path()), Ok(TilePath::Entries(b)));
            }
        }
        prop_assert_eq!(parse_tile_index(&format_tile_index(index)), Ok(index));
    }

    /// Every single-byte change to a valid path is rejected or names another coordinate
    /// whose canonical path is the changed string.
    #[test]
    fn mangled_paths(level in 0u8..=3, index in 0u64..5_000_000, width in 1u16..=256,
                     at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let t = tile(level, index, width);
        let mut bytes = t.path().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(text) = String::from_utf8(bytes)
            && let Ok(parsed) = parse_tile_path(&text)
        {
            prop_assert_eq!(parsed.path(), text);
        }
    }

}
