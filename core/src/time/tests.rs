use super::*;

fn parse(text: &str) -> Result<u64, TimeError> {
    UnixMillis::parse_rfc3339(text).map(|t| t.0)
}

#[test]
fn known_instants_format_and_parse() {
    let cases = [
        (0, "1970-01-01T00:00:00Z"),
        (1_000, "1970-01-01T00:00:01Z"),
        (1, "1970-01-01T00:00:00.001Z"),
        (951_782_400_000, "2000-02-29T00:00:00Z"),
        (1_780_408_987_250, "2026-06-02T14:03:07.250Z"),
        (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
        (MAX_RFC3339_MILLIS, "9999-12-31T23:59:59.999Z"),
    ];
    for (millis, text) in cases {
        assert_eq!(UnixMillis(millis).to_rfc3339().unwrap(), text, "{millis}");
        assert_eq!(parse(text).unwrap(), millis, "{text}");
    }
    assert_eq!(
        UnixMillis(MAX_RFC3339_MILLIS + 1).to_rfc3339(),
        Err(TimeError::AfterYear9999)
    );
}

#[test]
fn every_day_for_three_centuries_round_trips() {
    // Walks day by day from 1970 to 2270 (crossing 2000 and 2100) and checks the calendar
    // advances by exactly one day each time.
    let mut previous = Date::from_days_since_epoch(0);
    assert_eq!(previous, Date::new(1970, 1, 1).unwrap());
    for days in 1..(300 * 366) {
        let date = Date::from_days_since_epoch(days);
        assert_eq!(date.days_since_epoch(), days as i64);
        let expected_next = if previous.day < days_in_month(previous.year, previous.month) {
            Date {
                day: previous.day + 1,
                ..previous
            }
        } else if previous.month < 12 {
            Date {
                month: previous.month + 1,
                day: 1,
                ..previous
            }
        } else {
            Date {
                year: previous.year + 1,
                month: 1,
                day: 1,
            }
        };
        assert_eq!(date, expected_next);
        previous = date;
    }
}

#[test]
fn offsets_fractions_are_normalised() {
    assert_eq!(
        parse("2026-06-02T16:03:07+02:00").unwrap(),
        parse("2026-06-02T14:03:07Z").unwrap()
    );
    assert_eq!(
        parse("2026-06-02T09:33:07-04:30").unwrap(),
        parse("2026-06-02T14:03:07Z").unwrap()
    );
    assert_eq!(parse("1970-01-01T00:00:00-00:00").unwrap(), 0);
    assert_eq!(parse("2026-06-02T14:03:07.1Z").unwrap() % 1000, 100);
    assert_eq!(parse("2026-06-02T14:03:07.123456789Z").unwrap() % 1000, 123);
}

#[test]
fn malformed_timestamps_are_rejected() {
    let cases = [
        (
            "",
            TimeError::Syntax {
                position: 0,
                expected: "a 4-digit year",
            },
        ),
        (
            "2026-06-02",
            TimeError::Syntax {
                position: 10,
                expected: "'T'",
            },
        ),
        (
            "2026-06-02t14:03:07Z",
            TimeError::Syntax {
                position: 10,
                expected: "'T'",
            },
        ),
        (
            "2026-06-02 14:03:07Z",
            TimeError::Syntax {
                position: 10,
                expected: "'T'",
            },
        ),
        (
            "2026-06-02T14:03:07z",
            TimeError::Syntax {
                position: 19,
                expected: "'Z' or a numeric offset",
            },
        ),
        (
            "2026-06-02T14:03:07",
            TimeError::Syntax {
                position: 19,
                expected: "'Z' or a numeric offset",
            },
        ),
        (
            "2026-06-02T14:03:07.Z",
            TimeError::Syntax {
                position: 20,
                expected: "1 to 9 fraction digits",
            },
        ),
        (
            "2026-06-02T14:03:07.1234567890Z",
            TimeError::Syntax {
                position: 29,
                expected: "1 to 9 fraction digits",
            },
        ),
        (
            "2026-06-02T14:03:07Z ",
            TimeError::Syntax {
                position: 20,
                expected: "the end",
            },
        ),
        (
            "2026-6-02T14:03:07Z",
            TimeError::Syntax {
                position: 6,
                expected: "a 2-digit month",
            },
        ),
        (
            "+2026-06-02T14:03:07Z",
            TimeError::Syntax {
                position: 0,
                expected: "a 4-digit year",
            },
        ),
        (
            "2026-06-02T14:03:07+0200",
            TimeError::Syntax {
                position: 22,
                expected: "':'",
            },
        ),
        (
            "2026-13-02T14:03:07Z",
            TimeError::OutOfRange { component: "month" },
        ),
        (
            "2026-02-29T14:03:07Z",
            TimeError::OutOfRange { component: "day" },
        ),
        (
            "2100-02-29T14:03:07Z",
            TimeError::OutOfRange { component: "day" },
        ),
        (
            "2026-06-02T24:00:00Z",
            TimeError::OutOfRange { component: "hour" },
        ),
        (
            "2026-06-02T14:60:00Z",
            TimeError::OutOfRange {
                component: "minute",
            },
        ),
        (
            "2016-12-31T23:59:60Z",
            TimeError::OutOfRange {
                component: "second",
            },
        ),
        (
            "2026-06-02T14:03:07+24:00",
            TimeError::OutOfRange {
                component: "offset",
            },
        ),
        ("1969-12-31T23:59:59Z", TimeError::BeforeEpoch),
        ("1970-01-01T00:00:00+00:01", TimeError::BeforeEpoch),
        ("9999-12-31T23:59:59-00:01", TimeError::AfterYear9999),
    ];
    for (text, error) in cases {
        assert_eq!(parse(text), Err(error), "{text:?}");
    }
    assert_eq!(parse("2000-02-29T00:00:00Z").unwrap(), 951_782_400_000);
}

#[test]
fn dates_parse_strictly() {
    assert_eq!(
        Date::parse("2026-07-01").unwrap(),
        Date::new(2026, 7, 1).unwrap()
    );
    assert_eq!(Date::parse("2026-07-01").unwrap().to_string(), "2026-07-01");
    assert_eq!(Date::parse("0000-02-29").unwrap().to_string(), "0000-02-29");
    for bad in [
        "2026-7-01",
        "2026-07-1",
        "26-07-01",
        "2026-07-01T00:00:00Z",
        "2026/07/01",
        " 2026-07-01",
    ] {
        assert!(
            matches!(Date::parse(bad), Err(TimeError::Syntax { .. })),
            "{bad}"
        );
    }
    assert_eq!(
        Date::parse("2026-00-10"),
        Err(TimeError::OutOfRange { component: "month" })
    );
    assert_eq!(
        Date::parse("2026-04-31"),
        Err(TimeError::OutOfRange { component: "day" })
    );
    assert_eq!(Date::parse("2024-02-29").unwrap().day(), 29);
    let json: Date = serde_json::from_str("\"2026-07-01\"").unwrap();
    assert_eq!(serde_json::to_string(&json).unwrap(), "\"2026-07-01\"");
}

#[test]
fn unit_conversions() {
    assert_eq!(UnixMillis(1_999).to_seconds(), UnixSeconds(1));
    assert_eq!(UnixSeconds(2).to_millis(), UnixMillis(2_000));
    assert_eq!(UnixSeconds(u64::MAX).to_millis(), UnixMillis(u64::MAX));
    assert_eq!(
        UnixMillis(5).saturating_add_secs(2_592_000),
        UnixMillis(2_592_000_005)
    );
    assert_eq!(
        UnixMillis(u64::MAX - 1).saturating_add_secs(1),
        UnixMillis(u64::MAX)
    );
    assert_eq!(serde_json::to_string(&UnixMillis(17)).unwrap(), "17");
}

proptest::proptest! {
    #[test]
    fn every_instant_round_trips(millis in 0..=MAX_RFC3339_MILLIS) {
        let text = UnixMillis(millis).to_rfc3339().unwrap();
        proptest::prop_assert_eq!(UnixMillis::parse_rfc3339(&text), Ok(UnixMillis(millis)));
        proptest::prop_assert_eq!(text.len(), if millis % 1000 == 0 { 20 } else { 24 });
    }

    #[test]
    fn offsets_shift_by_exactly_their_length(
        secs in 86_400u64..253_402_214_400,
        hours in 0u64..24,
        minutes in 0u64..60,
    ) {
        // The same wall-clock text with offset +HH:MM names the instant HH:MM earlier.
        let utc = UnixMillis(secs * 1000).to_rfc3339().unwrap();
        let local = format!("{}+{hours:02}:{minutes:02}", utc.trim_end_matches('Z'));
        let shifted = UnixMillis::parse_rfc3339(&local).unwrap();
        proptest::prop_assert_eq!(shifted.0 + (hours * 3600 + minutes * 60) * 1000, secs * 1000);
    }
}
