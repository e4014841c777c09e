//! Opening hours against the clock: weekly periods are kept in Dutch local time
//! (Europe/Amsterdam), times everywhere else are UTC milliseconds. The conversion is written out
//! here (EU summer time) rather than pulled from a time-zone database: the rule has been fixed
//! since 1996, it is a few lines, and it keeps this crate free of I/O and tz data.

use super::model::{OpeningHours, Weekday};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
const DAY_MINUTES: u16 = 24 * 60;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year of a day number (the inverse of [`days_from_civil`], year only).
fn year_of(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

/// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
fn sunday_based_weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

fn weekday_of(days: i64) -> Weekday {
    // ISO: Monday = 1 … Sunday = 7.
    Weekday::from_number((days + 3).rem_euclid(7) + 1).expect("1..=7")
}

/// 01:00 UTC on the last Sunday of a month: when EU summer time starts (March) or ends (October).
fn last_sunday_0100_utc(year: i64, month: i64) -> i64 {
    let last_day = days_from_civil(year, month, 31); // March and October both have 31 days
    let sunday = last_day - sunday_based_weekday(last_day);
    sunday * DAY_MS + HOUR_MS
}

/// Amsterdam's offset from UTC at a moment: +2 h in summer time, +1 h otherwise.
pub fn utc_offset_ms(now_ms: i64) -> i64 {
    let year = year_of(now_ms.div_euclid(DAY_MS));
    let start = last_sunday_0100_utc(year, 3);
    let end = last_sunday_0100_utc(year, 10);
    if (start..end).contains(&now_ms) {
        2 * HOUR_MS
    } else {
        HOUR_MS
    }
}

/// The weekday and the minutes after local midnight in Amsterdam at a UTC moment.
pub fn local_time(now_ms: i64) -> (Weekday, u16) {
    let local = now_ms + utc_offset_ms(now_ms);
    let days = local.div_euclid(DAY_MS);
    let minutes = (local.rem_euclid(DAY_MS) / MINUTE_MS) as u16;
    (weekday_of(days), minutes)
}

fn next_day(day: Weekday) -> Weekday {
    Weekday::from_number(i64::from(day.number()) % 7 + 1).expect("1..=7")
}

/// Whether the weekly periods cover a local weekday and minute. A period that closes at or
/// before it opens runs past midnight (22:00–02:00); `closes == opens` is read as empty.
pub fn is_open_at(hours: &[OpeningHours], day: Weekday, minutes: u16) -> bool {
    hours.iter().any(|p| {
        let (opens, closes) = (p.opens.minutes(), p.closes.minutes());
        if opens < closes {
            p.weekday == day && (opens..closes).contains(&minutes)
        } else if opens > closes {
            (p.weekday == day && minutes >= opens)
                || (next_day(p.weekday) == day && minutes < closes)
        } else {
            false
        }
    })
}

/// Whether a service with these weekly hours is open at a UTC moment. No hours: never open
/// (we do not know, so we do not promise).
pub fn is_open(hours: &[OpeningHours], now_ms: i64) -> bool {
    let (day, minutes) = local_time(now_ms);
    is_open_at(hours, day, minutes)
}

/// The UTC moment of a local wall-clock time (ms since the epoch as if local were UTC). In the
/// spring gap (02:00–03:00 does not exist) the moment after the jump is taken; in the autumn
/// overlap (02:00–03:00 happens twice) the first one.
fn local_to_utc(local_ms: i64) -> i64 {
    let summer = local_ms - 2 * HOUR_MS;
    if utc_offset_ms(summer) == 2 * HOUR_MS {
        return summer;
    }
    local_ms - HOUR_MS
}

/// The first moment (UTC ms) after `now_ms` at which one of the periods opens, within the coming
/// week; `None` without hours. For "opent dinsdag om 09:00" on a service's page.
pub fn next_opening(hours: &[OpeningHours], now_ms: i64) -> Option<i64> {
    let local = now_ms + utc_offset_ms(now_ms);
    let today = local.div_euclid(DAY_MS);
    (0..=7)
        .flat_map(|k| {
            let day = today + k;
            let weekday = weekday_of(day);
            hours
                .iter()
                .filter(move |p| p.weekday == weekday && p.opens != p.closes)
                .map(move |p| {
                    let minutes = i64::from(p.opens.minutes().min(DAY_MINUTES - 1));
                    local_to_utc(day * DAY_MS + minutes * MINUTE_MS)
                })
        })
        .filter(|&at| at > now_ms)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::model::TimeOfDay;
    use uuid::Uuid;

    /// UTC milliseconds of a calendar moment.
    fn utc(year: i64, month: i64, day: i64, hour: i64, minute: i64) -> i64 {
        days_from_civil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS
    }

    fn period(weekday: Weekday, opens: &str, closes: &str) -> OpeningHours {
        OpeningHours {
            id: Uuid::nil(),
            weekday,
            opens: TimeOfDay::parse(opens).unwrap(),
            closes: TimeOfDay::parse(closes).unwrap(),
        }
    }

    #[test]
    fn calendar_arithmetic_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(days_from_civil(2024, 12, 31)), 2024);
        assert_eq!(year_of(days_from_civil(2025, 1, 1)), 2025);
        assert_eq!(year_of(days_from_civil(1969, 12, 31)), 1969);
        assert_eq!(weekday_of(0), Weekday::Thursday);
        assert_eq!(weekday_of(days_from_civil(2025, 3, 30)), Weekday::Sunday);
    }

    #[test]
    fn summer_time_starts_on_the_last_sunday_of_march_at_one_utc() {
        // 2025: Sunday 30 March. 00:59 UTC is still 01:59 winter time, 01:00 UTC is 03:00.
        assert_eq!(
            local_time(utc(2025, 3, 30, 0, 59)),
            (Weekday::Sunday, 60 + 59)
        );
        assert_eq!(local_time(utc(2025, 3, 30, 1, 0)), (Weekday::Sunday, 180));
        // A week earlier nothing changes at that hour.
        assert_eq!(local_time(utc(2025, 3, 23, 1, 0)), (Weekday::Sunday, 120));
        // 2024: Sunday 31 March (the 31st itself is the last Sunday).
        assert_eq!(utc_offset_ms(utc(2024, 3, 31, 0, 59)), HOUR_MS);
        assert_eq!(utc_offset_ms(utc(2024, 3, 31, 1, 0)), 2 * HOUR_MS);
        assert_eq!(utc_offset_ms(utc(2024, 3, 30, 12, 0)), HOUR_MS);
    }

    #[test]
    fn summer_time_ends_on_the_last_sunday_of_october_at_one_utc() {
        // 2025: Sunday 26 October. 00:59 UTC is 02:59 summer time, 01:00 UTC is 02:00 again.
        assert_eq!(
            local_time(utc(2025, 10, 26, 0, 59)),
            (Weekday::Sunday, 2 * 60 + 59)
        );
        assert_eq!(
            local_time(utc(2025, 10, 26, 1, 0)),
            (Weekday::Sunday, 2 * 60)
        );
        assert_eq!(utc_offset_ms(utc(2025, 10, 19, 1, 0)), 2 * HOUR_MS);
        assert_eq!(utc_offset_ms(utc(2025, 10, 27, 1, 0)), HOUR_MS);
        // Winter: +1, also across the new year.
        assert_eq!(
            local_time(utc(2025, 12, 31, 23, 30)),
            (Weekday::Thursday, 30)
        );
    }

    #[test]
    fn open_now_follows_local_time_across_both_switches() {
        let hours = [period(Weekday::Monday, "09:00", "17:00")];
        // Monday 31 March 2025 (summer time): 08:30 UTC is 10:30 local: open.
        assert!(is_open(&hours, utc(2025, 3, 31, 8, 30)));
        // 15:30 UTC is 17:30 local: closed, though it is before 17:00 in UTC.
        assert!(!is_open(&hours, utc(2025, 3, 31, 15, 30)));
        // Monday 24 March 2025 (winter time): 15:30 UTC is 16:30 local: open.
        assert!(is_open(&hours, utc(2025, 3, 24, 15, 30)));
        // Monday 27 October 2025 (winter again): 07:30 UTC is 08:30 local: not yet open.
        assert!(!is_open(&hours, utc(2025, 10, 27, 7, 30)));
        // Monday 20 October 2025 (summer): 07:30 UTC is 09:30 local: open.
        assert!(is_open(&hours, utc(2025, 10, 20, 7, 30)));
        // The closing minute itself is closed.
        assert!(!is_open(&hours, utc(2025, 3, 24, 16, 0)));
        assert!(is_open(&hours, utc(2025, 3, 24, 15, 59)));
    }

    #[test]
    fn no_hours_is_never_open() {
        assert!(!is_open(&[], utc(2025, 3, 24, 12, 0)));
        assert_eq!(next_opening(&[], utc(2025, 3, 24, 12, 0)), None);
    }

    #[test]
    fn a_period_past_midnight_continues_on_the_next_day() {
        let hours = [
            period(Weekday::Sunday, "22:00", "02:00"),
            period(Weekday::Tuesday, "00:00", "24:00"),
        ];
        assert!(is_open_at(&hours, Weekday::Sunday, 23 * 60));
        assert!(is_open_at(&hours, Weekday::Monday, 60));
        assert!(!is_open_at(&hours, Weekday::Monday, 2 * 60));
        assert!(!is_open_at(&hours, Weekday::Sunday, 60));
        assert!(is_open_at(&hours, Weekday::Tuesday, 0));
        assert!(is_open_at(&hours, Weekday::Tuesday, 1439));
        assert!(!is_open_at(&hours, Weekday::Wednesday, 0));
        let empty = [period(Weekday::Monday, "09:00", "09:00")];
        assert!(!is_open_at(&empty, Weekday::Monday, 9 * 60));
    }

    #[test]
    fn next_opening_is_the_first_start_after_now_in_utc() {
        let hours = [
            period(Weekday::Monday, "09:00", "17:00"),
            period(Weekday::Wednesday, "13:00", "16:00"),
        ];
        // Monday 24 March 2025 10:00 UTC (11:00 local, open): next is Wednesday 13:00 local.
        assert_eq!(
            next_opening(&hours, utc(2025, 3, 24, 10, 0)),
            Some(utc(2025, 3, 26, 12, 0))
        );
        // Saturday 29 March (winter) to Monday 31 March 09:00 (summer time): 07:00 UTC.
        assert_eq!(
            next_opening(&hours, utc(2025, 3, 29, 12, 0)),
            Some(utc(2025, 3, 31, 7, 0))
        );
        // Across the October switch: Saturday 25th to Monday 27 October 09:00 winter: 08:00 UTC.
        assert_eq!(
            next_opening(&hours, utc(2025, 10, 25, 12, 0)),
            Some(utc(2025, 10, 27, 8, 0))
        );
        // Monday 08:59 local: in one minute.
        assert_eq!(
            next_opening(&hours, utc(2025, 3, 24, 7, 59)),
            Some(utc(2025, 3, 24, 8, 0))
        );
        // Open now (Monday 09:30 local) with only Mondays: the next start is a week later.
        let only_monday = [period(Weekday::Monday, "09:00", "17:00")];
        assert_eq!(
            next_opening(&only_monday, utc(2025, 3, 17, 8, 30)),
            Some(utc(2025, 3, 24, 8, 0))
        );
    }

    #[test]
    fn local_wall_clock_in_the_gaps_maps_to_one_moment() {
        // 02:30 on 30 March 2025 does not exist: taken as 01:30 UTC (03:30 summer time).
        let spring = days_from_civil(2025, 3, 30) * DAY_MS + 2 * HOUR_MS + 30 * MINUTE_MS;
        assert_eq!(local_to_utc(spring), utc(2025, 3, 30, 1, 30));
        // 02:30 on 26 October 2025 happens twice: the first (summer time, 00:30 UTC).
        let autumn = days_from_civil(2025, 10, 26) * DAY_MS + 2 * HOUR_MS + 30 * MINUTE_MS;
        assert_eq!(local_to_utc(autumn), utc(2025, 10, 26, 0, 30));
    }

    proptest::proptest! {
        /// From 1980 to 2100: a moment shown in local time and read back is the same moment,
        /// except the second pass through the autumn overlap, which reads as the first.
        #[test]
        fn local_time_round_trips(now in 315_532_800_000i64..4_102_444_800_000) {
            let now = now - now.rem_euclid(MINUTE_MS);
            let back = local_to_utc(now + utc_offset_ms(now));
            proptest::prop_assert!(back == now || back == now - HOUR_MS, "{now} {back}");
            if back != now {
                proptest::prop_assert_eq!(utc_offset_ms(now), HOUR_MS);
                proptest::prop_assert_eq!(utc_offset_ms(back), 2 * HOUR_MS);
            }
        }
    }
}
