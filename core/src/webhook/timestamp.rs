//! Timestamp parsing (Unix seconds, Unix milliseconds, RFC 3339) and the tolerance check.
//!
//! Instants are exact integers of nanoseconds since the Unix epoch. Digits finer than a
//! nanosecond are not dropped silently: they set `sticky`, meaning "strictly later than
//! `nanos`", so the tolerance edges stay exact.

use std::time::Duration;
use web_time::{SystemTime, UNIX_EPOCH};

const NANOS_PER_SEC: i128 = 1_000_000_000;
/// Numbers with more significant integer digits than this are simply "very far away".
const MAX_INT_DIGITS: usize = 25;
/// Stand-in for a value too large to represent; still far from any realistic `now`.
const FAR_AWAY: i128 = i128::MAX / 4;

/// A parsed instant: `nanos` since the epoch, strictly later by less than 1 ns if `sticky`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant {
    pub(crate) nanos: i128,
    pub(crate) sticky: bool,
}

/// Converts the caller's `now` to nanoseconds since the epoch (negative before it).
#[inline]
pub(crate) fn system_time_nanos(now: SystemTime) -> i128 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(d) => duration_nanos(d),
        Err(e) => -duration_nanos(e.duration()),
    }
}

/// A duration in nanoseconds, saturating (it cannot actually overflow an `i128`).
pub(crate) fn duration_nanos(d: Duration) -> i128 {
    i128::try_from(d.as_nanos()).unwrap_or(i128::MAX)
}

/// Whether `ts` is within `tolerance` nanoseconds of `now`, in either direction.
#[inline]
pub(crate) fn within_tolerance(ts: Instant, now: i128, tolerance: i128) -> bool {
    if now > ts.nanos {
        // Past: the true distance is at most `now - nanos`.
        now.checked_sub(ts.nanos).is_some_and(|d| d <= tolerance)
    } else {
        // Future (or equal): the true distance exceeds `nanos - now` when sticky.
        ts.nanos
            .checked_sub(now)
            .is_some_and(|d| d < tolerance || (d == tolerance && !ts.sticky))
    }
}

/// Parses the timestamp header text; `None` means `TimestampInvalid`.
#[inline]
pub(crate) fn parse(text: &[u8]) -> Option<Instant> {
    parse_number(text).or_else(|| parse_rfc3339(text))
}

/// Accepts `^[0-9]+(\.[0-9]+)?$`: below 10^12 it is seconds, otherwise milliseconds.
#[inline]
fn parse_number(text: &[u8]) -> Option<Instant> {
    let mut parts = text.splitn(2, |&c| c == b'.');
    let int = parts.next().unwrap_or_default();
    let frac = parts.next();
    if int.is_empty() || !int.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if let Some(frac) = frac {
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    let leading_zeros = int.iter().take_while(|&&c| c == b'0').count();
    let significant = int.get(leading_zeros..).unwrap_or_default();
    if significant.len() > MAX_INT_DIGITS {
        return Some(Instant {
            nanos: FAR_AWAY,
            sticky: false,
        });
    }
    let value = digits_value(significant);
    let (unit, frac_digits) = if value < 1_000_000_000_000 {
        (NANOS_PER_SEC, 9)
    } else {
        (1_000_000, 6)
    };
    let (frac_nanos, sticky) = fraction(frac.unwrap_or(b""), frac_digits);
    Some(Instant {
        nanos: value * unit + frac_nanos,
        sticky,
    })
}

/// The value of at most `MAX_INT_DIGITS` ASCII digits (no overflow possible in `i128`).
#[inline]
fn digits_value(digits: &[u8]) -> i128 {
    // Up to 19 digits fit a `u64`, whose arithmetic is cheaper than `i128`'s.
    if digits.len() <= 19 {
        let value = digits
            .iter()
            .fold(0u64, |acc, &c| acc * 10 + u64::from(c - b'0'));
        return i128::from(value);
    }
    digits
        .iter()
        .fold(0i128, |acc, &c| acc * 10 + i128::from(c - b'0'))
}

/// The first `keep` fraction digits as an integer scaled to `keep` places, and whether any
/// later digit is non-zero.
#[inline]
fn fraction(digits: &[u8], keep: usize) -> (i128, bool) {
    if digits.is_empty() {
        // The common case (whole seconds or milliseconds): nothing to scale.
        return (0, false);
    }
    let mut value = 0i128;
    for i in 0..keep {
        let d = digits.get(i).map_or(0, |&c| i128::from(c - b'0'));
        value = value * 10 + d;
    }
    let sticky = digits.iter().skip(keep).any(|&c| c != b'0');
    (value, sticky)
}

/// Accepts `YYYY-MM-DD(T|t)HH:MM:SS[.fraction](Z|z|(+|-)HH:MM)` (RFC 3339 `date-time`).
fn parse_rfc3339(text: &[u8]) -> Option<Instant> {
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T' | b't', h0, h1, b':', mi0, mi1, b':', s0, s1, rest @ ..] =
        text
    else {
        return None;
    };
    let year = number(&[*y0, *y1, *y2, *y3])?;
    let month = number(&[*mo0, *mo1])?;
    let day = number(&[*d0, *d1])?;
    let hour = number(&[*h0, *h1])?;
    let minute = number(&[*mi0, *mi1])?;
    let second = number(&[*s0, *s1])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = rest;
    let (mut frac_nanos, mut sticky) = (0, false);
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let n = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let (digits, after) = after_dot.split_at(n);
        (frac_nanos, sticky) = fraction(digits, 9);
        rest = after;
    }
    let offset_secs = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh0, oh1, b':', om0, om1] => {
            let oh = number(&[*oh0, *oh1])?;
            let om = number(&[*om0, *om1])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(Instant {
        nanos: secs * NANOS_PER_SEC + frac_nanos,
        sticky,
    })
}

/// A run of ASCII digits as a number (`None` if any byte is not a digit).
fn number(digits: &[u8]) -> Option<i128> {
    digits
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| digits_value(digits))
}

fn days_in_month(year: i128, month: i128) -> i128 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: i128) -> Instant {
        Instant {
            nanos: n * NANOS_PER_SEC,
            sticky: false,
        }
    }

    #[test]
    fn seconds_and_milliseconds() {
        assert_eq!(parse(b"1700000000"), Some(secs(1_700_000_000)));
        assert_eq!(parse(b"1700000000000"), Some(secs(1_700_000_000)));
        assert_eq!(parse(b"0"), Some(secs(0)));
        assert_eq!(parse(b"0001700000000"), Some(secs(1_700_000_000)));
        assert_eq!(
            parse(b"1700000000.5"),
            Some(Instant {
                nanos: 1_700_000_000_500_000_000,
                sticky: false
            })
        );
        assert_eq!(
            parse(b"1700000000000.25"),
            Some(Instant {
                nanos: 1_700_000_000_000_250_000,
                sticky: false
            })
        );
        // The seconds/milliseconds boundary is 10^12.
        assert_eq!(parse(b"999999999999"), Some(secs(999_999_999_999)));
        assert_eq!(
            parse(b"999999999999.9"),
            Some(Instant {
                nanos: 999_999_999_999_900_000_000,
                sticky: false
            })
        );
        assert_eq!(parse(b"1000000000000"), Some(secs(1_000_000_000)));
        // Sub-nanosecond digits are kept as "sticky".
        assert_eq!(
            parse(b"1.0000000001"),
            Some(Instant {
                nanos: NANOS_PER_SEC,
                sticky: true
            })
        );
        assert_eq!(parse(b"1.0000000000"), Some(secs(1)));
        // Absurdly long numbers are valid but far away.
        let huge = "9".repeat(400);
        assert_eq!(parse(huge.as_bytes()).map(|i| i.nanos), Some(FAR_AWAY));
    }

    #[test]
    fn digit_runs_of_every_length_have_their_value() {
        let mut text = String::new();
        let mut want = 0i128;
        for n in 1..=MAX_INT_DIGITS {
            let d = (n % 10) as u8;
            text.push(char::from(b'0' + d));
            want = want * 10 + i128::from(d);
            assert_eq!(digits_value(text.as_bytes()), want, "{text}");
            assert_eq!(number(text.as_bytes()), Some(want), "{text}");
        }
        let nines = "9".repeat(19);
        assert_eq!(digits_value(nines.as_bytes()), 9_999_999_999_999_999_999);
        let nines = "9".repeat(20);
        assert_eq!(digits_value(nines.as_bytes()), 99_999_999_999_999_999_999);
        assert_eq!(fraction(b"", 9), (0, false));
        assert_eq!(fraction(b"5", 9), (500_000_000, false));
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse(b"2023-11-14T22:13:20Z"), Some(secs(1_700_000_000)));
        assert_eq!(parse(b"2023-11-14t22:13:20z"), Some(secs(1_700_000_000)));
        assert_eq!(
            parse(b"2023-11-14T22:13:20+00:00"),
            Some(secs(1_700_000_000))
        );
        assert_eq!(
            parse(b"2023-11-14T23:13:20+01:00"),
            Some(secs(1_700_000_000))
        );
        assert_eq!(
            parse(b"2023-11-14T21:43:20-00:30"),
            Some(secs(1_700_000_000))
        );
        assert_eq!(
            parse(b"2023-11-14T22:13:20.123+00:00"),
            Some(Instant {
                nanos: 1_700_000_000_123_000_000,
                sticky: false
            })
        );
        assert_eq!(parse(b"1970-01-01T00:00:00Z"), Some(secs(0)));
        assert_eq!(parse(b"1969-12-31T23:59:59Z"), Some(secs(-1)));
        assert_eq!(parse(b"2000-02-29T00:00:00Z"), Some(secs(951_782_400)));
        assert_eq!(parse(b"0000-01-01T00:00:00Z"), Some(secs(-62_167_219_200)));
        assert_eq!(parse(b"9999-12-31T23:59:59Z"), Some(secs(253_402_300_799)));
    }

    #[test]
    fn invalid() {
        let bad: &[&[u8]] = &[
            b"",
            b" ",
            b"abc",
            b"-1",
            b"+1",
            b"1e9",
            b"1.",
            b".5",
            b"1.2.3",
            b" 1700000000",
            b"1700000000 ",
            b"0x10",
            b"1_000",
            b"\xff",
            "１７".as_bytes(),
            b"2023-11-14T22:13:20",
            b"2023-11-14 22:13:20Z",
            b"2023-11-14T22:13Z",
            b"2023-11-14T22:13:20.Z",
            b"2023-11-14T22:13:20+0000",
            b"2023-11-14T22:13:20+24:00",
            b"2023-11-14T22:13:20+00:60",
            b"2023-13-14T22:13:20Z",
            b"2023-00-14T22:13:20Z",
            b"2023-02-29T22:13:20Z",
            b"1900-02-29T00:00:00Z",
            b"2023-11-31T00:00:00Z",
            b"2023-11-14T24:00:00Z",
            b"2023-11-14T22:60:00Z",
            b"2023-11-14T22:13:61Z",
            b"2023-11-14T22:13:20ZZ",
            b"2023-11-14T22:13:20Z ",
            b"Tue, 14 Nov 2023 22:13:20 GMT",
            b"2023/11/14T22:13:20Z",
            b"+023-11-14T22:13:20Z",
        ];
        for text in bad {
            assert_eq!(parse(text), None, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn tolerance_edges_are_exact() {
        let tol = 300 * NANOS_PER_SEC;
        let now = 1_700_000_000 * NANOS_PER_SEC;
        assert!(within_tolerance(secs(1_700_000_000 + 300), now, tol));
        assert!(within_tolerance(secs(1_700_000_000 - 300), now, tol));
        assert!(!within_tolerance(secs(1_700_000_000 + 301), now, tol));
        assert!(!within_tolerance(secs(1_700_000_000 - 301), now, tol));
        assert!(!within_tolerance(
            Instant {
                nanos: now + tol + 1,
                sticky: false
            },
            now,
            tol
        ));
        assert!(!within_tolerance(
            Instant {
                nanos: now - tol - 1,
                sticky: false
            },
            now,
            tol
        ));
        // Sticky: strictly later than `nanos`.
        assert!(!within_tolerance(
            Instant {
                nanos: now + tol,
                sticky: true
            },
            now,
            tol
        ));
        assert!(within_tolerance(
            Instant {
                nanos: now - tol,
                sticky: true
            },
            now,
            tol
        ));
        // Zero tolerance demands an exact match.
        assert!(within_tolerance(secs(5), 5 * NANOS_PER_SEC, 0));
        assert!(!within_tolerance(
            Instant {
                nanos: 5 * NANOS_PER_SEC,
                sticky: true
            },
            5 * NANOS_PER_SEC,
            0
        ));
        assert!(!within_tolerance(secs(5), 5 * NANOS_PER_SEC + 1, 0));
        // Extremes never overflow.
        assert!(within_tolerance(
            Instant {
                nanos: FAR_AWAY,
                sticky: true
            },
            i128::MIN / 2,
            i128::MAX
        ));
        assert!(!within_tolerance(
            Instant {
                nanos: FAR_AWAY,
                sticky: false
            },
            0,
            300 * NANOS_PER_SEC
        ));
        assert!(!within_tolerance(
            Instant {
                nanos: i128::MIN,
                sticky: false
            },
            i128::MAX,
            0
        ));
    }

    #[test]
    fn now_conversion() {
        assert_eq!(
            system_time_nanos(UNIX_EPOCH + Duration::from_millis(1500)),
            1_500_000_000
        );
        assert_eq!(
            system_time_nanos(UNIX_EPOCH - Duration::from_secs(2)),
            -2 * NANOS_PER_SEC
        );
    }
}
