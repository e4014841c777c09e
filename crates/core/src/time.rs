//! Time as stored everywhere: milliseconds since the Unix epoch, UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (UTC). Stored as BIGINT on both database backends.
pub type Millis = i64;

pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// (year, month, day) to days since 1970-01-01 (`days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// RFC 3339 in UTC with milliseconds: `2024-05-01T09:30:00.123Z`.
pub fn rfc3339(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// The UTC calendar date, `2024-05-01`.
pub fn date(ms: Millis) -> String {
    let (y, mo, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{mo:02}-{d:02}")
}

fn number(s: &str, digits: usize) -> Option<u32> {
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY-MM-DD` to the start of that day (UTC), in ms. `None` for anything else or a date that
/// does not exist.
pub fn parse_date(s: &str) -> Option<Millis> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (y, m, d) = (i64::from(number(y, 4)?), number(m, 2)?, number(d, 2)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400_000)
}

/// An RFC 3339 date-time (`2024-05-01T09:30:00Z`, `2024-05-01T11:30:00.5+02:00`; `T` or a
/// space, fractions of a second down to the millisecond) in ms since the epoch. A bare date
/// counts as its start in UTC. `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    let s = s.trim();
    if s.len() == 10 {
        return parse_date(s);
    }
    if s.len() < 20 || !s.is_char_boundary(10) || !s.is_char_boundary(11) {
        return None;
    }
    let day = parse_date(&s[..10])?;
    if !matches!(&s[10..11], "T" | "t" | " ") {
        return None;
    }
    let rest = &s[11..];
    if rest.len() < 9 || !rest.is_char_boundary(8) {
        return None;
    }
    let (clock, mut rest) = rest.split_at(8);
    let mut hms = clock.split(':');
    let (h, mi, se) = (
        number(hms.next()?, 2)?,
        number(hms.next()?, 2)?,
        number(hms.next()?, 2)?,
    );
    // 60: a leap second, counted as the last second of the minute.
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut millis = 0i64;
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if end == 0 {
            return None;
        }
        let digits = &fraction[..end];
        let first3: String = digits.chars().chain("000".chars()).take(3).collect();
        millis = first3.parse().ok()?;
        rest = &fraction[end..];
    }
    let offset_minutes: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let (oh, om) = rest.get(1..)?.split_once(':')?;
            let (oh, om) = (number(oh, 2)?, number(om, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * i64::from(oh * 60 + om)
        }
    };
    let seconds = i64::from(h * 3600 + mi * 60 + se.min(59));
    Some(day + seconds * 1000 + millis - offset_minutes * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_and_dates_are_written_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_714_555_800_123), "2024-05-01T09:30:00.123Z");
        assert_eq!(date(1_714_555_800_123), "2024-05-01");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn rfc3339_reads_back_what_it_writes_and_common_variants() {
        for ms in [
            0,
            1,
            999,
            1_714_555_800_123,
            951_782_400_000,
            4_102_444_799_999,
        ] {
            assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms), "{ms}");
        }
        let t = 1_714_555_800_000;
        assert_eq!(parse_rfc3339("2024-05-01T09:30:00Z"), Some(t));
        assert_eq!(parse_rfc3339("2024-05-01t09:30:00z"), Some(t));
        assert_eq!(parse_rfc3339("2024-05-01 11:30:00+02:00"), Some(t));
        assert_eq!(parse_rfc3339("2024-05-01T04:30:00-05:00"), Some(t));
        assert_eq!(parse_rfc3339("2024-05-01T09:30:00.5Z"), Some(t + 500));
        assert_eq!(parse_rfc3339("2024-05-01T09:30:00.123456Z"), Some(t + 123));
        assert_eq!(parse_rfc3339("2024-05-01"), Some(1_714_521_600_000));
    }

    #[test]
    fn bad_date_times_are_refused() {
        for bad in [
            "",
            "gisteren",
            "2024-05-01T09:30:00",
            "2024-05-01T09:30Z",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T09:30:00.Z",
            "2024-05-01T09:30:00+2:00",
            "2024-5-1",
            "20240501",
            "2024-05-01X09:30:00Z",
            "2024-05-01T09:30:00ZZ",
            "2024-05-01T09:30:00é",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800_000));
    }
}
