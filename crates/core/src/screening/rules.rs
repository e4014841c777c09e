//! Signal rules: when a caregiver's situation should be looked at by the regiehouder. Pure: the
//! facts of one network go in, the causes that should raise a signal come out. Each cause has a
//! key that names it exactly (this check, this question, the gap since that contact), so the
//! store raises one signal per cause however often the rules are evaluated.

use super::{Rule, SignalDetail};
use crate::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// A region's settings of the rules. `None` (or `false`) switches a rule off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSettings {
    /// Raise a signal when the latest score of an instrument is at or over its threshold.
    pub score_at_or_over: bool,
    /// Thresholds per instrument id. An instrument with a "high" band uses that band's lowest
    /// score unless set here; one without (the EDIZ) is not checked until a threshold is set.
    pub thresholds: BTreeMap<String, u32>,
    /// Raise a signal when a score rose by this much or more since the previous check of the
    /// same instrument.
    pub rise_by: Option<u32>,
    /// Raise a signal when there has been no contact for more than this many days while the
    /// last score was high.
    pub no_contact_days: Option<u32>,
    /// Raise a signal when the network has had no regiehouder for this many days.
    pub no_regiehouder_days: Option<u32>,
    /// Raise a signal when a question in the kring has been open this many days.
    pub question_days: Option<u32>,
    /// Raise a signal when a task has stayed unfilled this many days.
    pub task_unfilled_days: Option<u32>,
    /// Raise a signal when the caregiver said "het gaat niet meer" in a contact.
    pub cannot_cope: bool,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            score_at_or_over: true,
            thresholds: BTreeMap::new(),
            rise_by: Some(3),
            no_contact_days: Some(28),
            no_regiehouder_days: Some(14),
            question_days: Some(7),
            task_unfilled_days: Some(7),
            cannot_cope: true,
        }
    }
}

/// Problems in settings a region entered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{0} moet een getal van 1 tot en met 365 zijn")]
    Days(&'static str),
    #[error("de stijging moet een getal van 1 tot en met 100 zijn")]
    Rise,
    #[error("de grens voor {0} is hoger dan de hoogste score ({1})")]
    Threshold(String, u32),
    #[error("er is geen vragenlijst met de naam \"{0}\"")]
    UnknownInstrument(String),
}

impl RuleSettings {
    /// Checks the settings against the instruments there are (`(id, max score)`).
    pub fn check(&self, instruments: &[(&str, u32)]) -> Result<(), SettingsError> {
        for (name, days) in [
            ("het aantal dagen zonder contact", self.no_contact_days),
            (
                "het aantal dagen zonder regiehouder",
                self.no_regiehouder_days,
            ),
            ("het aantal dagen voor een open vraag", self.question_days),
            (
                "het aantal dagen voor een open taak",
                self.task_unfilled_days,
            ),
        ] {
            if days.is_some_and(|d| !(1..=365).contains(&d))
                && !(name.contains("regiehouder") && days == Some(0))
            {
                return Err(SettingsError::Days(name));
            }
        }
        if self.rise_by.is_some_and(|r| !(1..=100).contains(&r)) {
            return Err(SettingsError::Rise);
        }
        for (id, threshold) in &self.thresholds {
            let Some((_, max)) = instruments.iter().find(|(i, _)| i == id) else {
                return Err(SettingsError::UnknownInstrument(id.clone()));
            };
            if threshold > max {
                return Err(SettingsError::Threshold(id.clone(), *max));
            }
        }
        Ok(())
    }
}

/// A complete, scored check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFact {
    pub id: String,
    pub instrument: String,
    pub score: u32,
    pub completed_at: Millis,
}

/// What the rules look at for one network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The complete checks, in any order.
    pub checks: Vec<CheckFact>,
    /// The last contact in which the caregiver was reached (not "no answer"): id and time.
    pub last_contact: Option<(String, Millis)>,
    /// Since when the network has no active regiehouder (`None`: it has one, or it has no
    /// members to take the role).
    pub regie_missing_since: Option<Millis>,
    /// Questions in the kring without an answer: id and when asked.
    pub open_questions: Vec<(String, Millis)>,
    /// Tasks that stay unfilled: id and since when.
    pub unfilled_tasks: Vec<(String, Millis)>,
    /// Contacts in which the caregiver said "het gaat niet meer": id and time.
    pub cannot_cope: Vec<(String, Millis)>,
}

/// A cause that should raise a signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub rule: Rule,
    /// Names the cause exactly; one signal per network and cause.
    pub cause: String,
    pub detail: SignalDetail,
}

/// The threshold of each instrument: the region's own, else the instrument's default.
pub fn thresholds(
    settings: &RuleSettings,
    defaults: impl IntoIterator<Item = (String, Option<u32>)>,
) -> BTreeMap<String, u32> {
    let mut out: BTreeMap<String, u32> = defaults
        .into_iter()
        .filter_map(|(id, t)| t.map(|t| (id, t)))
        .collect();
    for (id, t) in &settings.thresholds {
        out.insert(id.clone(), *t);
    }
    out
}

/// The latest and the one before, per instrument (by completion time, then id).
fn latest_two(checks: &[CheckFact]) -> BTreeMap<&str, (&CheckFact, Option<&CheckFact>)> {
    let mut sorted: Vec<&CheckFact> = checks.iter().collect();
    sorted.sort_by(|a, b| (a.completed_at, &a.id).cmp(&(b.completed_at, &b.id)));
    let mut out: BTreeMap<&str, (&CheckFact, Option<&CheckFact>)> = BTreeMap::new();
    for check in sorted {
        let previous = out
            .get(check.instrument.as_str())
            .map(|(latest, _)| *latest);
        out.insert(&check.instrument, (check, previous));
    }
    out
}

fn days_passed(now: Millis, since: Millis, days: u32) -> bool {
    now - since >= days as Millis * DAY_MS
}

/// The causes the facts of one network give at `now`, each once, in a fixed order.
pub fn evaluate(
    settings: &RuleSettings,
    thresholds: &BTreeMap<String, u32>,
    facts: &Facts,
    now: Millis,
) -> Vec<Raised> {
    let mut raised = Vec::new();
    let per_instrument = latest_two(&facts.checks);
    for (instrument, (latest, previous)) in &per_instrument {
        let threshold = thresholds.get(*instrument).copied();
        if settings.score_at_or_over
            && let Some(threshold) = threshold
            && latest.score >= threshold
        {
            raised.push(Raised {
                rule: Rule::ScoreHigh,
                cause: format!("score_high:{}", latest.id),
                detail: SignalDetail {
                    instrument: Some(instrument.to_string()),
                    score: Some(latest.score),
                    threshold: Some(threshold),
                    check_id: Some(latest.id.clone()),
                    since: Some(latest.completed_at),
                    ..SignalDetail::default()
                },
            });
        }
        if let (Some(rise), Some(previous)) = (settings.rise_by, previous)
            && latest.score >= previous.score + rise
        {
            raised.push(Raised {
                rule: Rule::ScoreRose,
                cause: format!("score_rose:{}", latest.id),
                detail: SignalDetail {
                    instrument: Some(instrument.to_string()),
                    score: Some(latest.score),
                    previous: Some(previous.score),
                    check_id: Some(latest.id.clone()),
                    since: Some(latest.completed_at),
                    ..SignalDetail::default()
                },
            });
        }
    }
    // "The last score": the latest complete check of any instrument.
    let last = per_instrument
        .values()
        .map(|(latest, _)| *latest)
        .max_by(|a, b| (a.completed_at, &a.id).cmp(&(b.completed_at, &b.id)));
    if let (Some(days), Some(last)) = (settings.no_contact_days, last)
        && let Some(threshold) = thresholds.get(&last.instrument)
        && last.score >= *threshold
    {
        let since = facts
            .last_contact
            .as_ref()
            .map_or(last.completed_at, |(_, at)| *at);
        if now - since > days as Millis * DAY_MS {
            let contact = facts.last_contact.as_ref().map_or("geen", |(id, _)| id);
            raised.push(Raised {
                rule: Rule::NoContact,
                cause: format!("no_contact:{contact}"),
                detail: SignalDetail {
                    instrument: Some(last.instrument.clone()),
                    score: Some(last.score),
                    threshold: Some(*threshold),
                    days: Some(days),
                    since: Some(since),
                    check_id: Some(last.id.clone()),
                    ..SignalDetail::default()
                },
            });
        }
    }
    if let (Some(days), Some(since)) = (settings.no_regiehouder_days, facts.regie_missing_since)
        && days_passed(now, since, days)
    {
        raised.push(Raised {
            rule: Rule::NoRegiehouder,
            cause: format!("no_regiehouder:{since}"),
            detail: SignalDetail {
                days: Some(days),
                since: Some(since),
                ..SignalDetail::default()
            },
        });
    }
    if let Some(days) = settings.question_days {
        for (id, asked_at) in &facts.open_questions {
            if days_passed(now, *asked_at, days) {
                raised.push(Raised {
                    rule: Rule::QuestionUnanswered,
                    cause: format!("question:{id}"),
                    detail: SignalDetail {
                        days: Some(days),
                        since: Some(*asked_at),
                        reference: Some(id.clone()),
                        ..SignalDetail::default()
                    },
                });
            }
        }
    }
    if let Some(days) = settings.task_unfilled_days {
        for (id, since) in &facts.unfilled_tasks {
            if days_passed(now, *since, days) {
                raised.push(Raised {
                    rule: Rule::TaskUnfilled,
                    cause: format!("task:{id}:{since}"),
                    detail: SignalDetail {
                        days: Some(days),
                        since: Some(*since),
                        reference: Some(id.clone()),
                        ..SignalDetail::default()
                    },
                });
            }
        }
    }
    if settings.cannot_cope {
        for (id, at) in &facts.cannot_cope {
            raised.push(Raised {
                rule: Rule::CannotCope,
                cause: format!("cannot_cope:{id}"),
                detail: SignalDetail {
                    since: Some(*at),
                    reference: Some(id.clone()),
                    ..SignalDetail::default()
                },
            });
        }
    }
    // One cause once, even if the facts list a question or task twice.
    let mut seen = std::collections::BTreeSet::new();
    raised.retain(|r| seen.insert(r.cause.clone()));
    raised
}

#[cfg(test)]
mod tests;
