//! The single `Retry-After` parser.

use std::time::Duration;
use web_time::SystemTime;

/// Parses a `Retry-After` value relative to the caller's wall-clock `now`.
///
/// Delta-seconds (`7`, `1.5`) keep millisecond precision and saturate when huge;
/// HTTP-dates give the whole seconds until that date (0 for a date in the past).
/// Anything else (`-5`, `1e3`, `.5`, `soon`) is absent.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim_matches(|c| c == ' ' || c == '\t');
    if v.is_empty() {
        return None;
    }
    if let Some(d) = parse_delta_seconds(v) {
        return Some(d);
    }
    let date = httpdate::parse_http_date(v).ok()?;
    let wait = match date.duration_since(to_std(now)) {
        Ok(d) => d,
        Err(_) => return Some(Duration::ZERO),
    };
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Some(Duration::from_secs(secs))
}

fn to_std(t: SystemTime) -> std::time::SystemTime {
    match t.duration_since(web_time::UNIX_EPOCH) {
        Ok(d) => std::time::UNIX_EPOCH + d,
        Err(_) => std::time::UNIX_EPOCH,
    }
}

/// Parses `^[0-9]+(\.[0-9]+)?$` as seconds with millisecond precision, saturating.
pub(crate) fn parse_delta_seconds(v: &str) -> Option<Duration> {
    let (int, frac) = match v.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (v, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let secs: u64 = int.parse().unwrap_or(u64::MAX);
    let mut millis: u64 = 0;
    if let Some(f) = frac {
        for (i, b) in f.bytes().take(3).enumerate() {
            millis += u64::from(b - b'0') * 10u64.pow(2 - i as u32);
        }
    }
    Some(
        Duration::from_secs(secs)
            .checked_add(Duration::from_millis(millis))
            .unwrap_or(Duration::MAX),
    )
}

/// Parses a rate-limit number: trimmed `^[0-9]+(\.[0-9]+)?$`, integer part, saturating.
pub(crate) fn parse_rate_number(v: &str) -> Option<u64> {
    let v = v.trim();
    parse_delta_seconds(v)?;
    let int = v.split('.').next().unwrap_or(v);
    Some(int.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        web_time::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn delta_seconds() {
        let now = at(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(" 1.5\t", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("0.2", now),
            Some(Duration::from_millis(200))
        );
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn rejects_garbage() {
        let now = at(1_700_000_000);
        for v in [
            "",
            "  ",
            "-5",
            "+5",
            "1e3",
            "0x10",
            ".5",
            "1.",
            "soon",
            "2023-11-14T22:13:20Z",
        ] {
            assert_eq!(parse_retry_after(v, now), None, "{v:?}");
        }
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        // 1994-11-06T08:49:37Z = 784111777
        let now = at(784_111_777 - 3);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:37 1994", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at(784_111_777 + 100)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn rate_numbers() {
        assert_eq!(parse_rate_number(" 12.7 "), Some(12));
        assert_eq!(parse_rate_number("100"), Some(100));
        assert_eq!(parse_rate_number("abc"), None);
        assert_eq!(parse_rate_number(""), None);
    }
}
