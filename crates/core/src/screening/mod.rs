//! Signaleren: burden checks, signals and proactive contact. Pure types and rules, no I/O.
//!
//! - `instrument.rs`: instruments as data (TOML definitions, checked at start), scoring.
//! - `rules.rs`: the signal rules over one network's facts, each cause named once.
//! - `chart.rs`: the score chart over time as inline SVG; `fhir.rs`: instruments as FHIR R4
//!   Questionnaire, complete checks as QuestionnaireResponse.
//! - `mod.rs`: the stored codes (how a check was filled in, signal status, kinds of contact),
//!   a signal's details, checking a signal's update, and when the next contact is due.

pub mod chart;
pub mod fhir;
pub mod instrument;
pub mod rules;

use crate::network::agenda::Day;
use crate::network::coded;
use serde::{Deserialize, Serialize};

coded! {
    /// How a check was filled in.
    CheckMode {
        /// By the caregiver, logged in.
        Online = "online",
        /// By the caregiver, through a single-use link a professional sent.
        Link = "link",
        /// By a professional (or volunteer) with the caregiver, during a call or visit.
        Conversation = "conversation",
    }
}

coded! {
    /// Where a check stands: saved half-way, or complete (and scored).
    CheckStatus {
        Draft = "draft",
        Complete = "complete",
    }
}

coded! {
    /// The signal rules.
    Rule {
        ScoreHigh = "score_high",
        ScoreRose = "score_rose",
        NoContact = "no_contact",
        NoRegiehouder = "no_regiehouder",
        QuestionUnanswered = "question_unanswered",
        TaskUnfilled = "task_unfilled",
        CannotCope = "cannot_cope",
        /// Raised by hand, from a contact.
        Manual = "manual",
    }
}

coded! {
    /// A signal's status: nieuw, in behandeling, afgerond.
    SignalStatus {
        New = "new",
        InProgress = "in_progress",
        Done = "done",
    }
}

coded! {
    /// How a contact went.
    ContactKind {
        Phone = "phone",
        HomeVisit = "home_visit",
        /// A voortuingesprek: a chat at the front door or in the front garden.
        FrontGarden = "front_garden",
        Online = "online",
        /// Tried, but did not reach the caregiver.
        NoAnswer = "no_answer",
    }
}

impl ContactKind {
    /// Whether the caregiver was reached (a "no answer" attempt is not a contact).
    pub fn reached(self) -> bool {
        self != ContactKind::NoAnswer
    }
}

coded! {
    /// Who keeps a contact plan: a professional or a volunteer of the network.
    CallerKind {
        Professional = "professional",
        Volunteer = "volunteer",
    }
}

/// What a signal is about, for its sentence ("CSI 9, grens 7"); stored as JSON with the signal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignalDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Since when the cause holds (the check, the last contact, the question).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_id: Option<String>,
    /// The question, task or contact the signal is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A signal raised by hand from a contact: what the person wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The longest note on a signal or contact.
pub const NOTE_MAX: usize = 2000;

/// What is wrong with a signal's update; each has a Dutch message for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UpdateProblem {
    #[error("Schrijf op wat er is gedaan voordat u het signaal afrondt.")]
    NoteNeededToClose,
    #[error("De notitie is te lang (hoogstens 2000 tekens).")]
    NoteTooLong,
    #[error("De datum voor opvolging ligt in het verleden.")]
    FollowUpInPast,
}

/// Checks a signal's update: closing needs a note saying what was done; a follow-up date is
/// today or later.
pub fn check_update(
    status: SignalStatus,
    note: &str,
    follow_up: Option<Day>,
    today: Day,
) -> Result<(), UpdateProblem> {
    if note.chars().count() > NOTE_MAX {
        return Err(UpdateProblem::NoteTooLong);
    }
    if status == SignalStatus::Done && note.trim().is_empty() {
        return Err(UpdateProblem::NoteNeededToClose);
    }
    if follow_up.is_some_and(|d| d < today) {
        return Err(UpdateProblem::FollowUpInPast);
    }
    Ok(())
}

/// The day the next contact of a plan is due: `every_days` after the last time the caregiver was
/// reached (or the day the plan began, if never), and after an unanswered attempt on or after
/// that day, the day after the attempt (try again tomorrow).
pub fn next_contact_due(
    every_days: u32,
    plan_start: Day,
    last_reached: Option<Day>,
    last_attempt: Option<Day>,
) -> Day {
    let due = match last_reached {
        Some(day) => day.plus(every_days as i64),
        None => plan_start,
    };
    match last_attempt {
        Some(attempt) if attempt >= due => attempt.plus(1),
        _ => due,
    }
}

/// The kinds of contact-plan frequency a form offers, in days (weekly to quarterly).
pub const PLAN_FREQUENCIES: [u32; 5] = [7, 14, 28, 42, 91];

#[cfg(test)]
mod tests;
