//! Durations for people, the same in every program: "1 hour", "29 days 23 hours",
//! never "0.041666666666666664 days". Times are printed by `docket_core::time` as RFC 3339
//! in UTC, whose trailing `Z` is the zone.

/// A duration in words, the two largest units: "29 days 23 hours", "4 minutes 10
/// seconds", "1 hour", "0 seconds".
pub fn duration_text(millis: u64) -> String {
    let secs = millis / 1000;
    let units = [
        (secs / 86_400, "day"),
        (secs / 3_600 % 24, "hour"),
        (secs / 60 % 60, "minute"),
        (secs % 60, "second"),
    ];
    let Some(first) = units.iter().position(|(n, _)| *n > 0) else {
        return "0 seconds".to_string();
    };
    units[first..]
        .iter()
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}{}", if *n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`duration_text`] for a number of seconds.
pub fn seconds_text(secs: u64) -> String {
    duration_text(secs.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(0), "0 seconds");
        assert_eq!(duration_text(999), "0 seconds");
        assert_eq!(duration_text(1_000), "1 second");
        assert_eq!(duration_text(250_000), "4 minutes 10 seconds");
        assert_eq!(duration_text(2_592_000_000), "30 days");
        assert_eq!(duration_text(2_592_000_000 - 3_600_000), "29 days 23 hours");
        assert_eq!(duration_text(86_400_000 + 60_000), "1 day");
        assert_eq!(seconds_text(3_600), "1 hour");
        assert_eq!(seconds_text(20), "20 seconds");
        assert_eq!(seconds_text(u64::MAX), seconds_text(u64::MAX / 1000));
    }
}
