//! The care agenda: dates in Dutch local time, one-off and weekly tasks, their occurrences, who
//! is still needed, when a task stays unfilled long enough to be offered to volunteers, and when
//! a question is overdue.

use crate::directory::model::Weekday;
use crate::directory::opening::utc_offset_ms;
use crate::time::{Millis, date, parse_date};
use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;

/// A calendar date (Europe/Amsterdam), as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day(pub i64);

impl Day {
    /// `YYYY-MM-DD`, or `None` for anything else.
    pub fn parse(s: &str) -> Option<Day> {
        parse_date(s.trim()).map(|ms| Day(ms.div_euclid(DAY_MS)))
    }

    /// The local date in Amsterdam at a UTC moment.
    pub fn local(at: Millis) -> Day {
        Day((at + utc_offset_ms(at)).div_euclid(DAY_MS))
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        date(self.0 * DAY_MS)
    }

    pub fn weekday(self) -> Weekday {
        Weekday::from_number((self.0 + 3).rem_euclid(7) + 1).expect("1..=7")
    }

    pub fn plus(self, days: i64) -> Day {
        Day(self.0 + days)
    }

    /// The UTC moment of local midnight at the start of this day.
    pub fn start_ms(self) -> Millis {
        let guess = self.0 * DAY_MS;
        guess - utc_offset_ms(guess - 2 * 3_600_000)
    }
}

/// A time of day, `HH:MM`, as minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClockTime(pub u16);

impl ClockTime {
    /// `H:MM` or `HH:MM` (also `HH.MM`, as many Dutch people write it).
    pub fn parse(s: &str) -> Option<ClockTime> {
        let s = s.trim().replace('.', ":");
        let (h, m) = s.split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(ClockTime(h * 60 + m))
    }

    pub fn hhmm(self) -> String {
        format!("{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// When a task happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    Once {
        on: Day,
    },
    /// Every week on the weekday of `from`, until `until` (inclusive) if given.
    Weekly {
        from: Day,
        until: Option<Day>,
    },
}

impl Schedule {
    pub fn first(self) -> Day {
        match self {
            Schedule::Once { on } => on,
            Schedule::Weekly { from, .. } => from,
        }
    }

    /// The days the task happens on within `[from, to]`, in order.
    pub fn occurrences(self, from: Day, to: Day) -> Vec<Day> {
        match self {
            Schedule::Once { on } => {
                if (from..=to).contains(&on) {
                    vec![on]
                } else {
                    Vec::new()
                }
            }
            Schedule::Weekly { from: start, until } => {
                let end = until.map_or(to, |u| u.min(to));
                // The first occurrence on or after `from`.
                let mut day = if from <= start {
                    start
                } else {
                    start.plus((from.0 - start.0 + 6) / 7 * 7)
                };
                let mut out = Vec::new();
                while day <= end {
                    out.push(day);
                    day = day.plus(7);
                }
                out
            }
        }
    }

    /// Whether the task happens on `day`.
    pub fn happens_on(self, day: Day) -> bool {
        !self.occurrences(day, day).is_empty()
    }
}

/// How many days ahead the agenda shows a task's occurrences.
pub const AGENDA_DAYS: i64 = 28;
/// A task is offered to volunteers when an occurrence within this many days still misses people…
pub const HELP_HORIZON_DAYS: i64 = 7;
/// …and the task has been in the agenda, unfilled, for at least this many days.
pub const UNFILLED_AFTER_DAYS: i64 = 3;

/// One occurrence of a task with the number of people signed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub day: Day,
    pub signed_up: u32,
}

/// Whether an occurrence still needs people.
pub fn is_unfilled(needed: u32, signed_up: u32) -> bool {
    signed_up < needed
}

/// Whether a task "stays unfilled": it has been in the agenda for [`UNFILLED_AFTER_DAYS`] days and
/// an occurrence within [`HELP_HORIZON_DAYS`] from `today` still misses people. Such a task is
/// marked so it can become a help request for volunteers.
pub fn stays_unfilled(created: Day, today: Day, needed: u32, occurrences: &[Occurrence]) -> bool {
    today.0 - created.0 >= UNFILLED_AFTER_DAYS
        && occurrences.iter().any(|o| {
            o.day >= today
                && o.day.0 - today.0 <= HELP_HORIZON_DAYS
                && is_unfilled(needed, o.signed_up)
        })
}

/// Days a question may stay open when the asker sets no date.
pub const DEFAULT_ANSWER_DAYS: i64 = 7;

/// Whether a question is overdue on `today`: not answered, and its answer-by date has passed.
pub fn is_overdue(answer_by: Day, answered: bool, today: Day) -> bool {
    !answered && today > answer_by
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn dates_and_times_parse() {
        assert_eq!(d("2026-11-24").iso(), "2026-11-24");
        assert_eq!(d("2026-11-24").weekday(), Weekday::Tuesday);
        assert_eq!(Day::parse("2026-02-30"), None);
        assert_eq!(ClockTime::parse("9:30"), Some(ClockTime(570)));
        assert_eq!(ClockTime::parse("09.30").unwrap().hhmm(), "09:30");
        assert_eq!(ClockTime::parse("24:00"), None);
        assert_eq!(ClockTime::parse("9"), None);
    }

    #[test]
    fn local_day_follows_amsterdam() {
        // 23:30 UTC on 24 November is 00:30 on the 25th in Amsterdam (winter time, +1).
        let at = d("2026-11-24").0 * DAY_MS + 23 * 3_600_000 + 30 * 60_000;
        assert_eq!(Day::local(at), d("2026-11-25"));
        // 22:30 UTC on 1 July is 00:30 on the 2nd (summer time, +2).
        let at = d("2026-07-01").0 * DAY_MS + 22 * 3_600_000 + 30 * 60_000;
        assert_eq!(Day::local(at), d("2026-07-02"));
        assert_eq!(Day::local(d("2026-07-02").start_ms()), d("2026-07-02"));
        assert_eq!(Day::local(d("2026-12-02").start_ms()), d("2026-12-02"));
        assert_eq!(Day::local(d("2026-12-02").start_ms() - 1), d("2026-12-01"));
    }

    #[test]
    fn weekly_occurrences() {
        let s = Schedule::Weekly {
            from: d("2026-11-03"),
            until: Some(d("2026-12-01")),
        };
        let days: Vec<String> = s
            .occurrences(d("2026-11-11"), d("2026-12-31"))
            .into_iter()
            .map(Day::iso)
            .collect();
        assert_eq!(days, ["2026-11-17", "2026-11-24", "2026-12-01"]);
        assert!(s.happens_on(d("2026-11-24")));
        assert!(!s.happens_on(d("2026-11-25")));
        let once = Schedule::Once {
            on: d("2026-11-30"),
        };
        assert_eq!(once.occurrences(d("2026-11-24"), d("2026-11-29")), vec![]);
        assert!(once.happens_on(d("2026-11-30")));
    }

    #[test]
    fn a_task_stays_unfilled_only_after_some_days_and_close_by() {
        let today = d("2026-11-24");
        let soon = [Occurrence {
            day: today.plus(2),
            signed_up: 0,
        }];
        assert!(stays_unfilled(today.plus(-3), today, 1, &soon));
        assert!(!stays_unfilled(today.plus(-2), today, 1, &soon));
        let filled = [Occurrence {
            day: today.plus(2),
            signed_up: 1,
        }];
        assert!(!stays_unfilled(today.plus(-10), today, 1, &filled));
        assert!(stays_unfilled(today.plus(-10), today, 2, &filled));
        let far = [Occurrence {
            day: today.plus(8),
            signed_up: 0,
        }];
        assert!(!stays_unfilled(today.plus(-10), today, 1, &far));
    }

    #[test]
    fn overdue_questions() {
        let today = d("2026-11-24");
        assert!(is_overdue(today.plus(-1), false, today));
        assert!(!is_overdue(today, false, today));
        assert!(!is_overdue(today.plus(-1), true, today));
    }

    proptest! {
        #[test]
        fn weekly_occurrences_fall_on_the_weekday_within_range(start in 20000i64..21000, a in 0i64..60, len in 0i64..90) {
            let s = Schedule::Weekly { from: Day(start), until: None };
            let from = Day(start + a - 30);
            let to = from.plus(len);
            let days = s.occurrences(from, to);
            for w in days.windows(2) { prop_assert_eq!(w[1].0 - w[0].0, 7); }
            for day in &days {
                prop_assert!(*day >= from && *day <= to && *day >= Day(start));
                prop_assert_eq!(day.weekday(), Day(start).weekday());
            }
            // Nothing missed: every matching day in range is listed.
            let expected = (from.0..=to.0).filter(|x| *x >= start && (x - start) % 7 == 0).count();
            prop_assert_eq!(days.len(), expected);
        }
    }
}
