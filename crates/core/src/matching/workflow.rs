//! The coordinator workflow around the engine (issue 7), pure rules:
//!
//! - the statuses of a help request and of a proposal, and which steps are allowed:
//!   open → voorgesteld → geaccepteerd → uitgevoerd → geëvalueerd; a proposal that is declined,
//!   expires or is withdrawn puts the request back to open (the next candidate can be proposed),
//!   and so does a no-show after acceptance; a request can be cancelled until it is done;
//! - the answer time of a proposal ([`respond_by`], default 48 hours) and VOG validity
//!   ([`vog_valid_until`], default 3 years);
//! - the stored form of slots and code lists, and turning stored requests and profiles into the
//!   engine's [`Request`] and [`Volunteer`], with the proposals' history folded in
//!   ([`fold_history`]);
//! - what a volunteer may see of a request before and after accepting ([`view_for_volunteer`]).

use super::types::{
    HelpType, HelpTypes, Language, Languages, Request, Skills, Urgency, Volunteer, WeekSlot,
};
use crate::directory::model::Weekday;
use crate::geo::Coordinates;
use crate::network::agenda::Day;
use crate::time::Millis;
use std::collections::HashMap;

/// The status of a help request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// Waiting for a (next) volunteer.
    Open,
    /// A volunteer has been asked and has not answered yet (voorgesteld).
    Proposed,
    /// A volunteer said yes (geaccepteerd).
    Accepted,
    /// The help was given (uitgevoerd).
    Done,
    /// Both sides evaluated (geëvalueerd).
    Evaluated,
    /// Withdrawn by the caregiver's side or the coordinator (geannuleerd).
    Cancelled,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 6] = [
        RequestStatus::Open,
        RequestStatus::Proposed,
        RequestStatus::Accepted,
        RequestStatus::Done,
        RequestStatus::Evaluated,
        RequestStatus::Cancelled,
    ];

    /// The code stored in `help_requests.status`.
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Proposed => "proposed",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Done => "done",
            RequestStatus::Evaluated => "evaluated",
            RequestStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Dutch word, for messages.
    pub fn label_nl(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Proposed => "voorgesteld",
            RequestStatus::Accepted => "geaccepteerd",
            RequestStatus::Done => "uitgevoerd",
            RequestStatus::Evaluated => "geëvalueerd",
            RequestStatus::Cancelled => "geannuleerd",
        }
    }

    /// Whether a request in this status may move to `next`.
    pub fn may_become(self, next: RequestStatus) -> bool {
        use RequestStatus::*;
        matches!(
            (self, next),
            (Open, Proposed)
                | (Open, Cancelled)
                | (Proposed, Accepted)
                | (Proposed, Open)
                | (Proposed, Cancelled)
                | (Accepted, Done)
                | (Accepted, Open)
                | (Accepted, Cancelled)
                | (Done, Evaluated)
        )
    }

    /// [`RequestStatus::may_become`] as a result with a Dutch refusal.
    pub fn step(self, next: RequestStatus) -> Result<RequestStatus, StepRefused> {
        if self.may_become(next) {
            Ok(next)
        } else {
            Err(StepRefused {
                from: self.label_nl(),
                to: next.label_nl(),
            })
        }
    }

    /// Still waiting for help: the engine's batch takes only open requests.
    pub fn is_open(self) -> bool {
        self == RequestStatus::Open
    }

    /// Nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, RequestStatus::Evaluated | RequestStatus::Cancelled)
    }
}

/// The status of one proposal (one volunteer for one request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProposalStatus {
    /// Sent, waiting for the volunteer's answer.
    Proposed,
    Accepted,
    /// The volunteer said no (afgewezen).
    Declined,
    /// No answer within the answer time (verlopen).
    Expired,
    /// Taken back by the coordinator, or the request was cancelled (ingetrokken).
    Withdrawn,
    /// The help was given (uitgevoerd).
    Done,
    /// Accepted, but the volunteer did not come (niet verschenen).
    NoShow,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 7] = [
        ProposalStatus::Proposed,
        ProposalStatus::Accepted,
        ProposalStatus::Declined,
        ProposalStatus::Expired,
        ProposalStatus::Withdrawn,
        ProposalStatus::Done,
        ProposalStatus::NoShow,
    ];

    /// The code stored in `match_proposals.status`.
    pub fn code(self) -> &'static str {
        match self {
            ProposalStatus::Proposed => "proposed",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Declined => "declined",
            ProposalStatus::Expired => "expired",
            ProposalStatus::Withdrawn => "withdrawn",
            ProposalStatus::Done => "done",
            ProposalStatus::NoShow => "no_show",
        }
    }

    pub fn from_code(code: &str) -> Option<ProposalStatus> {
        ProposalStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_nl(self) -> &'static str {
        match self {
            ProposalStatus::Proposed => "voorgesteld",
            ProposalStatus::Accepted => "geaccepteerd",
            ProposalStatus::Declined => "afgewezen",
            ProposalStatus::Expired => "verlopen",
            ProposalStatus::Withdrawn => "ingetrokken",
            ProposalStatus::Done => "uitgevoerd",
            ProposalStatus::NoShow => "niet verschenen",
        }
    }

    /// Whether a proposal in this status may move to `next`.
    pub fn may_become(self, next: ProposalStatus) -> bool {
        use ProposalStatus::*;
        matches!(
            (self, next),
            (Proposed, Accepted)
                | (Proposed, Declined)
                | (Proposed, Expired)
                | (Proposed, Withdrawn)
                | (Accepted, Done)
                | (Accepted, NoShow)
                | (Accepted, Withdrawn)
        )
    }

    /// [`ProposalStatus::may_become`] as a result with a Dutch refusal.
    pub fn step(self, next: ProposalStatus) -> Result<ProposalStatus, StepRefused> {
        if self.may_become(next) {
            Ok(next)
        } else {
            Err(StepRefused {
                from: self.label_nl(),
                to: next.label_nl(),
            })
        }
    }

    /// Counts against the volunteer's capacity: waiting for an answer, or accepted.
    pub fn is_active(self) -> bool {
        matches!(self, ProposalStatus::Proposed | ProposalStatus::Accepted)
    }

    /// The volunteer is not asked again for this request: they said no, did not answer, or did
    /// not come (the engine's `declined_by`).
    pub fn counts_as_declined(self) -> bool {
        matches!(
            self,
            ProposalStatus::Declined | ProposalStatus::Expired | ProposalStatus::NoShow
        )
    }

    /// What the request becomes when its proposal moves to this status (`None`: unchanged,
    /// for `Proposed`, which the request takes when the proposal is made).
    pub fn request_after(self) -> Option<RequestStatus> {
        match self {
            ProposalStatus::Proposed => None,
            ProposalStatus::Accepted => Some(RequestStatus::Accepted),
            ProposalStatus::Declined
            | ProposalStatus::Expired
            | ProposalStatus::Withdrawn
            | ProposalStatus::NoShow => Some(RequestStatus::Open),
            ProposalStatus::Done => Some(RequestStatus::Done),
        }
    }
}

/// A step that the workflow does not allow, in Dutch: "van voorgesteld naar uitgevoerd kan niet".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("deze stap kan niet: van {from} naar {to}")]
pub struct StepRefused {
    pub from: &'static str,
    pub to: &'static str,
}

/// One-off help, or the same help every week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recurrence {
    Once,
    Weekly,
}

impl Recurrence {
    pub fn code(self) -> &'static str {
        match self {
            Recurrence::Once => "once",
            Recurrence::Weekly => "weekly",
        }
    }

    pub fn from_code(code: &str) -> Option<Recurrence> {
        match code {
            "once" => Some(Recurrence::Once),
            "weekly" => Some(Recurrence::Weekly),
            _ => None,
        }
    }
}

/// Who evaluates: the caregiver's side (the caregiver or a member for them) or the volunteer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    CaregiverSide,
    Volunteer,
}

impl Side {
    pub fn code(self) -> &'static str {
        match self {
            Side::CaregiverSide => "caregiver_side",
            Side::Volunteer => "volunteer",
        }
    }

    pub fn from_code(code: &str) -> Option<Side> {
        match code {
            "caregiver_side" => Some(Side::CaregiverSide),
            "volunteer" => Some(Side::Volunteer),
            _ => None,
        }
    }
}

/// A rating of 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rating(u8);

impl Rating {
    pub fn new(value: i64) -> Result<Rating, &'static str> {
        match value {
            1..=5 => Ok(Rating(value as u8)),
            _ => Err("Geef een cijfer van 1 tot en met 5."),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// The default answer time of a proposal: 48 hours (a region may set another).
pub const DEFAULT_ANSWER_HOURS: u32 = 48;

/// When a proposal made at `proposed_at` must be answered, with `answer_hours` to answer
/// (at least one hour).
pub fn respond_by(proposed_at: Millis, answer_hours: u32) -> Millis {
    proposed_at + i64::from(answer_hours.max(1)) * 3_600_000
}

/// A waiting proposal whose answer time has passed at `now` (it expires; the next candidate
/// can be proposed).
pub fn is_overdue(respond_by: Millis, now: Millis) -> bool {
    respond_by <= now
}

/// How long a VOG counts from the date on it, by default: 3 years. This is a region setting
/// (volunteer centres differ; many ask for a new VOG every 3 years), passed in by the caller.
pub const DEFAULT_VOG_VALID_YEARS: u32 = 3;

/// The last day a VOG issued on `issued` counts, with `years` of validity: the day before the
/// same date `years` later (29 February → 28 February in a year without it).
pub fn vog_valid_until(issued: Day, years: u32) -> Day {
    let iso = issued.iso();
    let (y, rest) = iso.split_at(4);
    let year: i64 = y.parse().unwrap_or(1970) + i64::from(years);
    let anniversary = Day::parse(&format!("{year:04}{rest}"))
        .or_else(|| Day::parse(&format!("{year:04}{}", rest.replace("-02-29", "-02-28"))))
        .unwrap_or_else(|| issued.plus(365 * i64::from(years)));
    anniversary.plus(-1)
}

// ---- Stored forms ------------------------------------------------------------------------------

/// A stored value that does not read back (never written by us): which field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ongeldige opgeslagen waarde in {field}: {value}")]
pub struct BadRecord {
    pub field: &'static str,
    pub value: String,
}

fn bad(field: &'static str, value: impl Into<String>) -> BadRecord {
    BadRecord {
        field,
        value: value.into(),
    }
}

/// `HH:MM` (00:00–24:00) as minutes of the day.
fn minute_of(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h * 60 + m;
    (m < 60 && minute <= 1440).then_some(minute)
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SlotJson {
    day: String,
    start: String,
    end: String,
}

/// Week slots as stored: `[{"day":"di","start":"09:00","end":"12:00"}]`, by day and start.
pub fn slots_to_json(slots: &[WeekSlot]) -> String {
    let mut slots = slots.to_vec();
    slots.sort_by_key(|s| (s.day.number(), s.start_minute, s.end_minute));
    let list: Vec<SlotJson> = slots
        .iter()
        .map(|s| SlotJson {
            day: s.day.code().into(),
            start: hhmm(s.start_minute),
            end: hhmm(s.end_minute),
        })
        .collect();
    serde_json::to_string(&list).expect("slots serialise")
}

/// Week slots from their stored form; a bad day, time or an empty slot is an error.
pub fn slots_from_json(json: &str) -> Result<Vec<WeekSlot>, BadRecord> {
    let list: Vec<SlotJson> = serde_json::from_str(json).map_err(|_| bad("windows", json))?;
    list.into_iter()
        .map(|s| {
            let day = Weekday::from_code(&s.day).ok_or_else(|| bad("day", &s.day))?;
            let start = minute_of(&s.start).ok_or_else(|| bad("start", &s.start))?;
            let end = minute_of(&s.end).ok_or_else(|| bad("end", &s.end))?;
            WeekSlot::new(day, start, end).ok_or_else(|| bad("slot", format!("{start}-{end}")))
        })
        .collect()
}

fn codes(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|c| !c.is_empty())
}

/// Help types from their stored comma-separated codes.
pub fn help_types_from(list: &str) -> Result<HelpTypes, BadRecord> {
    HelpTypes::from_codes(codes(list)).map_err(|c| bad("help_type", c))
}

/// Skills from their stored comma-separated codes.
pub fn skills_from(list: &str) -> Result<Skills, BadRecord> {
    Skills::from_codes(codes(list)).map_err(|c| bad("skills", c))
}

/// Languages from their stored comma-separated codes.
pub fn languages_from(list: &str) -> Result<Languages, BadRecord> {
    Languages::from_codes(codes(list)).map_err(|c| bad("languages", c))
}

/// Codes joined for storage.
pub fn join_codes(codes: &[&str]) -> String {
    codes.join(",")
}

/// A help request as stored (text columns as read), for [`engine_request`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRequest<'a> {
    pub help_type: &'a str,
    pub recurrence: &'a str,
    pub first_on: &'a str,
    pub windows: &'a str,
    pub duration_minutes: i64,
    pub max_distance_km: f64,
    pub needs_car: bool,
    pub needs_vog: bool,
    pub needs_skills: &'a str,
    pub language: Option<&'a str>,
    pub urgency: &'a str,
}

/// The engine's request for a stored one. `id` and `caregiver` are the caller's dense numbers
/// for the request and its kring; `location` is the PC4's centroid. A one-off request keeps only
/// the windows on the weekday of its date. `declined_by` starts empty: [`fold_history`] fills it.
pub fn engine_request(
    id: u64,
    caregiver: u64,
    location: Coordinates,
    stored: &StoredRequest<'_>,
) -> Result<Request, BadRecord> {
    let help_type =
        HelpType::from_code(stored.help_type).ok_or_else(|| bad("help_type", stored.help_type))?;
    let recurrence = Recurrence::from_code(stored.recurrence)
        .ok_or_else(|| bad("recurrence", stored.recurrence))?;
    let on = Day::parse(stored.first_on).ok_or_else(|| bad("first_on", stored.first_on))?;
    let mut windows = slots_from_json(stored.windows)?;
    if recurrence == Recurrence::Once {
        windows.retain(|w| w.day == on.weekday());
    }
    let language = match stored.language {
        None | Some("") => None,
        Some(code) => Some(Language::from_code(code).ok_or_else(|| bad("language", code))?),
    };
    Ok(Request {
        id,
        caregiver,
        help_type,
        location,
        max_distance_km: stored.max_distance_km,
        windows,
        duration_minutes: u16::try_from(stored.duration_minutes.clamp(0, 1440)).unwrap_or(0),
        needs_car: stored.needs_car,
        needs_vog: stored.needs_vog,
        needs_skills: skills_from(stored.needs_skills)?,
        language,
        urgency: Urgency::from_code(stored.urgency)
            .ok_or_else(|| bad("urgency", stored.urgency))?,
        on,
        declined_by: Vec::new(),
    })
}

/// A volunteer profile as stored (text columns as read), for [`engine_volunteer`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProfile<'a> {
    pub offers: &'a str,
    pub skills: &'a str,
    pub languages: &'a str,
    pub max_distance_km: f64,
    pub availability: &'a str,
    pub capacity: i64,
    pub has_car: bool,
    pub vog_issued_on: Option<&'a str>,
}

/// The engine's volunteer for a stored profile, with the VOG counting `vog_years` from its date.
/// `active_matches`, `helped_caregivers` and `blocked_caregivers` start empty: [`fold_history`]
/// fills them.
pub fn engine_volunteer(
    id: u64,
    location: Coordinates,
    stored: &StoredProfile<'_>,
    vog_years: u32,
) -> Result<Volunteer, BadRecord> {
    let vog_valid_until = match stored.vog_issued_on {
        None | Some("") => None,
        Some(day) => Some(vog_valid_until(
            Day::parse(day).ok_or_else(|| bad("vog_issued_on", day))?,
            vog_years,
        )),
    };
    Ok(Volunteer {
        id,
        offers: help_types_from(stored.offers)?,
        skills: skills_from(stored.skills)?,
        languages: languages_from(stored.languages)?,
        location,
        max_distance_km: stored.max_distance_km,
        availability: slots_from_json(stored.availability)?,
        capacity: u16::try_from(stored.capacity.clamp(0, i64::from(u16::MAX))).unwrap_or(0),
        active_matches: 0,
        has_car: stored.has_car,
        vog_valid_until,
        helped_caregivers: Vec::new(),
        blocked_caregivers: Vec::new(),
    })
}

/// One proposal of the past or present, in the caller's dense numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposalFact {
    pub request: u64,
    pub volunteer: u64,
    /// The request's kring.
    pub caregiver: u64,
    pub status: ProposalStatus,
}

/// Folds the proposals and blocks into the engine input:
/// - a request's `declined_by`: volunteers whose proposal for it was declined, expired or ended
///   in a no-show;
/// - a volunteer's `active_matches`: their proposals waiting or accepted (for any request,
///   also requests not in `requests`), capped at `u16::MAX`;
/// - a volunteer's `helped_caregivers`: kringen of their done proposals (continuity);
/// - a volunteer's `blocked_caregivers`: from `blocks` as (volunteer, caregiver).
///
/// Facts about requests or volunteers not in the lists are ignored. Lists come out sorted and
/// without duplicates.
pub fn fold_history(
    requests: &mut [Request],
    volunteers: &mut [Volunteer],
    proposals: &[ProposalFact],
    blocks: &[(u64, u64)],
) {
    let request_at: HashMap<u64, usize> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let volunteer_at: HashMap<u64, usize> = volunteers
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id, i))
        .collect();
    for p in proposals {
        if p.status.counts_as_declined()
            && let Some(&r) = request_at.get(&p.request)
        {
            requests[r].declined_by.push(p.volunteer);
        }
        if let Some(&v) = volunteer_at.get(&p.volunteer) {
            let vol = &mut volunteers[v];
            if p.status.is_active() {
                vol.active_matches = vol.active_matches.saturating_add(1);
            }
            if p.status == ProposalStatus::Done {
                vol.helped_caregivers.push(p.caregiver);
            }
        }
    }
    for &(volunteer, caregiver) in blocks {
        if let Some(&v) = volunteer_at.get(&volunteer) {
            volunteers[v].blocked_caregivers.push(caregiver);
        }
    }
    for r in requests.iter_mut() {
        r.declined_by.sort_unstable();
        r.declined_by.dedup();
    }
    for v in volunteers.iter_mut() {
        v.helped_caregivers.sort_unstable();
        v.helped_caregivers.dedup();
        v.blocked_caregivers.sort_unstable();
        v.blocked_caregivers.dedup();
    }
}

// ---- Privacy -----------------------------------------------------------------------------------

/// What the volunteer is asked to do (no personal details beyond what the caregiver wrote in
/// the description for volunteers).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskView {
    pub help_type: HelpType,
    pub description: String,
    pub recurrence: Recurrence,
    pub first_on: Day,
    pub windows: Vec<WeekSlot>,
    pub duration_minutes: u16,
}

/// The caregiver's details as the kring holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaregiverDetails {
    pub given_name: String,
    pub family_name: String,
    /// The PC4 of the request.
    pub pc4: String,
    /// Woonplaats of that PC4.
    pub place: String,
    /// The full postcode and address line, if the kring has them.
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// How to reach the caregiver: only after acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactView {
    pub full_name: String,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A request as a volunteer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct VolunteerRequestView {
    /// The first given name only.
    pub first_name: String,
    /// The neighbourhood: PC4 and woonplaats.
    pub pc4: String,
    pub place: String,
    pub task: TaskView,
    /// `None` until the volunteer accepted.
    pub contact: Option<ContactView>,
}

/// What a volunteer with a proposal in `status` may see of a request: before acceptance the
/// first name, the neighbourhood (PC4 + woonplaats), the task and the time; after acceptance
/// (and once done, for the evaluation) also the full name and how to reach the caregiver.
/// Declined, expired, withdrawn or no-show: nothing.
pub fn view_for_volunteer(
    status: ProposalStatus,
    caregiver: &CaregiverDetails,
    task: &TaskView,
) -> Option<VolunteerRequestView> {
    let contact = match status {
        ProposalStatus::Proposed => None,
        ProposalStatus::Accepted | ProposalStatus::Done => Some(ContactView {
            full_name: full_name(&caregiver.given_name, &caregiver.family_name),
            postcode: caregiver.postcode.clone(),
            phone: caregiver.phone.clone(),
            email: caregiver.email.clone(),
        }),
        _ => return None,
    };
    Some(VolunteerRequestView {
        first_name: caregiver
            .given_name
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string(),
        pc4: caregiver.pc4.clone(),
        place: caregiver.place.clone(),
        task: task.clone(),
        contact,
    })
}

fn full_name(given: &str, family: &str) -> String {
    match (given.trim(), family.trim()) {
        (g, "") => g.to_string(),
        ("", f) => f.to_string(),
        (g, f) => format!("{g} {f}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{Refusal, check};

    #[test]
    fn every_request_step_allowed_and_refused() {
        use RequestStatus::*;
        let allowed = [
            (Open, Proposed),
            (Open, Cancelled),
            (Proposed, Accepted),
            (Proposed, Open),
            (Proposed, Cancelled),
            (Accepted, Done),
            (Accepted, Open),
            (Accepted, Cancelled),
            (Done, Evaluated),
        ];
        for from in RequestStatus::ALL {
            for to in RequestStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.may_become(to), expected, "{from:?} → {to:?}");
                assert_eq!(from.step(to).is_ok(), expected, "{from:?} → {to:?}");
            }
        }
        let refused = Done.step(Open).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "deze stap kan niet: van uitgevoerd naar open"
        );
        assert!(Evaluated.is_final() && Cancelled.is_final() && !Done.is_final());
    }

    #[test]
    fn every_proposal_step_allowed_and_refused() {
        use ProposalStatus::*;
        let allowed = [
            (Proposed, Accepted),
            (Proposed, Declined),
            (Proposed, Expired),
            (Proposed, Withdrawn),
            (Accepted, Done),
            (Accepted, NoShow),
            (Accepted, Withdrawn),
        ];
        for from in ProposalStatus::ALL {
            for to in ProposalStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.may_become(to), expected, "{from:?} → {to:?}");
                assert_eq!(from.step(to).is_ok(), expected, "{from:?} → {to:?}");
            }
        }
        assert_eq!(
            Proposed.step(Done).unwrap_err().to_string(),
            "deze stap kan niet: van voorgesteld naar uitgevoerd"
        );
    }

    #[test]
    fn each_proposal_step_moves_the_request_along_a_step_it_allows() {
        use ProposalStatus as P;
        use RequestStatus as R;
        // The request's status while its proposal is in `from`.
        let request_while = |p: P| match p {
            P::Proposed => R::Proposed,
            P::Accepted => R::Accepted,
            _ => R::Open,
        };
        for from in P::ALL {
            for to in P::ALL {
                if from.may_become(to) {
                    let next = to.request_after().expect("a step changes the request");
                    assert!(
                        request_while(from).may_become(next),
                        "{from:?} → {to:?} takes the request to {next:?}"
                    );
                }
            }
        }
        // Declined, expired, withdrawn: back to open for the next candidate; no-show too.
        for p in [P::Declined, P::Expired, P::Withdrawn, P::NoShow] {
            assert_eq!(p.request_after(), Some(R::Open));
        }
        assert_eq!(P::Accepted.request_after(), Some(R::Accepted));
        assert_eq!(P::Done.request_after(), Some(R::Done));
        assert_eq!(P::Proposed.request_after(), None);
    }

    #[test]
    fn codes_round_trip() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::from_code(s.code()), Some(s));
        }
        for s in ProposalStatus::ALL {
            assert_eq!(ProposalStatus::from_code(s.code()), Some(s));
        }
        for r in [Recurrence::Once, Recurrence::Weekly] {
            assert_eq!(Recurrence::from_code(r.code()), Some(r));
        }
        for s in [Side::CaregiverSide, Side::Volunteer] {
            assert_eq!(Side::from_code(s.code()), Some(s));
        }
        assert_eq!(RequestStatus::from_code("Open"), None);
        assert_eq!(ProposalStatus::from_code("no-show"), None);
    }

    #[test]
    fn active_and_declined_proposals() {
        use ProposalStatus::*;
        let active: Vec<_> = ProposalStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        assert_eq!(active, vec![Proposed, Accepted]);
        let declined: Vec<_> = ProposalStatus::ALL
            .into_iter()
            .filter(|s| s.counts_as_declined())
            .collect();
        assert_eq!(declined, vec![Declined, Expired, NoShow]);
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert!(Rating::new(0).is_err());
        assert_eq!(Rating::new(1).unwrap().get(), 1);
        assert_eq!(Rating::new(5).unwrap().get(), 5);
        assert_eq!(Rating::new(6), Err("Geef een cijfer van 1 tot en met 5."));
    }

    #[test]
    fn answer_time_defaults_to_48_hours() {
        let at = 1_700_000_000_000;
        assert_eq!(respond_by(at, DEFAULT_ANSWER_HOURS), at + 48 * 3_600_000);
        assert_eq!(respond_by(at, 0), at + 3_600_000);
        let by = respond_by(at, 24);
        assert!(!is_overdue(by, by - 1));
        assert!(is_overdue(by, by));
    }

    #[test]
    fn a_vog_counts_three_years_from_its_date_by_default() {
        let d = |s| Day::parse(s).unwrap();
        assert_eq!(
            vog_valid_until(d("2023-05-10"), DEFAULT_VOG_VALID_YEARS),
            d("2026-05-09")
        );
        assert_eq!(vog_valid_until(d("2024-02-29"), 1), d("2025-02-27"));
        assert_eq!(vog_valid_until(d("2024-01-01"), 1), d("2024-12-31"));
    }

    #[test]
    fn slots_round_trip_and_bad_ones_are_named() {
        let slots = vec![
            WeekSlot::new(Weekday::Thursday, 13 * 60, 17 * 60).unwrap(),
            WeekSlot::new(Weekday::Tuesday, 9 * 60, 12 * 60).unwrap(),
            WeekSlot::new(Weekday::Sunday, 20 * 60, 1440).unwrap(),
        ];
        let json = slots_to_json(&slots);
        assert!(json.starts_with(r#"[{"day":"di","start":"09:00","end":"12:00"}"#));
        assert!(json.contains(r#""end":"24:00""#));
        let back = slots_from_json(&json).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[0], slots[1]);
        assert_eq!(slots_from_json("[]").unwrap(), vec![]);
        assert_eq!(
            slots_from_json(r#"[{"day":"xx","start":"09:00","end":"10:00"}]"#)
                .unwrap_err()
                .field,
            "day"
        );
        assert_eq!(
            slots_from_json(r#"[{"day":"ma","start":"11:00","end":"10:00"}]"#)
                .unwrap_err()
                .field,
            "slot"
        );
        assert_eq!(
            slots_from_json(r#"[{"day":"ma","start":"9","end":"10:00"}]"#)
                .unwrap_err()
                .field,
            "start"
        );
        assert!(slots_from_json("not json").is_err());
    }

    fn here() -> Coordinates {
        Coordinates::new(52.16, 4.49).unwrap()
    }

    fn stored_request() -> StoredRequest<'static> {
        StoredRequest {
            help_type: "boodschappen",
            recurrence: "once",
            // A Tuesday.
            first_on: "2025-06-10",
            windows: r#"[{"day":"di","start":"09:00","end":"12:00"},{"day":"wo","start":"09:00","end":"12:00"}]"#,
            duration_minutes: 60,
            max_distance_km: 5.0,
            needs_car: false,
            needs_vog: true,
            needs_skills: "dementie",
            language: Some("nl"),
            urgency: "binnenkort",
        }
    }

    fn stored_profile() -> StoredProfile<'static> {
        StoredProfile {
            offers: "boodschappen,vervoer",
            skills: "dementie,ehbo",
            languages: "nl,en",
            max_distance_km: 10.0,
            availability: r#"[{"day":"di","start":"08:00","end":"13:00"}]"#,
            capacity: 2,
            has_car: true,
            vog_issued_on: Some("2024-01-15"),
        }
    }

    #[test]
    fn a_stored_request_and_profile_become_engine_input() {
        let req = engine_request(7, 3, here(), &stored_request()).unwrap();
        assert_eq!(req.help_type, HelpType::Boodschappen);
        // A one-off request keeps only the windows on its own weekday.
        assert_eq!(req.windows.len(), 1);
        assert_eq!(req.windows[0].day, Weekday::Tuesday);
        assert_eq!(req.urgency, Urgency::Soon);
        assert_eq!(req.language, Some(Language::Nl));
        let weekly = engine_request(
            7,
            3,
            here(),
            &StoredRequest {
                recurrence: "weekly",
                language: None,
                ..stored_request()
            },
        )
        .unwrap();
        assert_eq!(weekly.windows.len(), 2);
        assert_eq!(weekly.language, None);

        let vol = engine_volunteer(11, here(), &stored_profile(), DEFAULT_VOG_VALID_YEARS).unwrap();
        assert_eq!(vol.vog_valid_until, Day::parse("2027-01-14"));
        assert_eq!(vol.capacity, 2);
        assert_eq!(check(&req, &vol), Ok(()));

        // An expired VOG refuses a request that needs one.
        let old = engine_volunteer(
            11,
            here(),
            &StoredProfile {
                vog_issued_on: Some("2021-01-15"),
                ..stored_profile()
            },
            DEFAULT_VOG_VALID_YEARS,
        )
        .unwrap();
        assert_eq!(check(&req, &old), Err(Refusal::Vog));

        for (bad_request, field) in [
            (
                StoredRequest {
                    help_type: "koken",
                    ..stored_request()
                },
                "help_type",
            ),
            (
                StoredRequest {
                    urgency: "nu",
                    ..stored_request()
                },
                "urgency",
            ),
            (
                StoredRequest {
                    needs_skills: "dementie,vliegen",
                    ..stored_request()
                },
                "skills",
            ),
            (
                StoredRequest {
                    first_on: "10-06-2025",
                    ..stored_request()
                },
                "first_on",
            ),
        ] {
            assert_eq!(
                engine_request(1, 1, here(), &bad_request)
                    .unwrap_err()
                    .field,
                field
            );
        }
    }

    #[test]
    fn history_folds_into_declines_load_continuity_and_blocks() {
        let mut requests = vec![
            engine_request(1, 100, here(), &stored_request()).unwrap(),
            engine_request(2, 200, here(), &stored_request()).unwrap(),
        ];
        let mut volunteers = vec![
            engine_volunteer(10, here(), &stored_profile(), 3).unwrap(),
            engine_volunteer(11, here(), &stored_profile(), 3).unwrap(),
        ];
        let fact = |request, volunteer, caregiver, status| ProposalFact {
            request,
            volunteer,
            caregiver,
            status,
        };
        let facts = [
            fact(1, 10, 100, ProposalStatus::Declined),
            fact(1, 11, 100, ProposalStatus::Expired),
            fact(2, 11, 200, ProposalStatus::NoShow),
            // An older request of caregiver 300, done: continuity for volunteer 10.
            fact(9, 10, 300, ProposalStatus::Done),
            // Waiting and accepted count against capacity, for any request.
            fact(8, 10, 300, ProposalStatus::Proposed),
            fact(7, 10, 300, ProposalStatus::Accepted),
            fact(2, 10, 200, ProposalStatus::Withdrawn),
            // Unknown volunteers are ignored.
            fact(1, 99, 100, ProposalStatus::Accepted),
        ];
        fold_history(
            &mut requests,
            &mut volunteers,
            &facts,
            &[(11, 100), (11, 100)],
        );
        assert_eq!(requests[0].declined_by, vec![10, 11]);
        assert_eq!(requests[1].declined_by, vec![11]);
        assert_eq!(volunteers[0].active_matches, 2);
        assert_eq!(volunteers[0].helped_caregivers, vec![300]);
        assert_eq!(volunteers[1].active_matches, 0);
        assert_eq!(volunteers[1].blocked_caregivers, vec![100]);
        // The engine refuses what the history says.
        assert_eq!(check(&requests[0], &volunteers[0]), Err(Refusal::Capacity));
        assert_eq!(check(&requests[0], &volunteers[1]), Err(Refusal::Declined));
        assert_eq!(check(&requests[1], &volunteers[1]), Err(Refusal::Declined));
    }

    fn details() -> CaregiverDetails {
        CaregiverDetails {
            given_name: "Ria Anna".into(),
            family_name: "de Vries".into(),
            pc4: "2312".into(),
            place: "Leiden".into(),
            postcode: Some("2312 AB, Breestraat 1".into()),
            phone: Some("071 123 4567".into()),
            email: Some("ria@example.org".into()),
        }
    }

    fn task() -> TaskView {
        TaskView {
            help_type: HelpType::Boodschappen,
            description: "Wekelijkse boodschappen".into(),
            recurrence: Recurrence::Weekly,
            first_on: Day::parse("2025-06-10").unwrap(),
            windows: vec![WeekSlot::new(Weekday::Tuesday, 540, 720).unwrap()],
            duration_minutes: 60,
        }
    }

    #[test]
    fn a_volunteer_sees_first_name_and_neighbourhood_until_accepting() {
        let before = view_for_volunteer(ProposalStatus::Proposed, &details(), &task()).unwrap();
        assert_eq!(before.first_name, "Ria");
        assert_eq!(
            (before.pc4.as_str(), before.place.as_str()),
            ("2312", "Leiden")
        );
        assert_eq!(before.task, task());
        assert_eq!(before.contact, None);
        let debug = format!("{before:?}");
        assert!(
            !debug.contains("de Vries") && !debug.contains("Breestraat") && !debug.contains("071")
        );

        for status in [ProposalStatus::Accepted, ProposalStatus::Done] {
            let after = view_for_volunteer(status, &details(), &task()).unwrap();
            let contact = after.contact.unwrap();
            assert_eq!(contact.full_name, "Ria Anna de Vries");
            assert_eq!(contact.postcode.as_deref(), Some("2312 AB, Breestraat 1"));
            assert_eq!(contact.phone.as_deref(), Some("071 123 4567"));
        }
        for status in [
            ProposalStatus::Declined,
            ProposalStatus::Expired,
            ProposalStatus::Withdrawn,
            ProposalStatus::NoShow,
        ] {
            assert_eq!(view_for_volunteer(status, &details(), &task()), None);
        }
    }
}

/// The help type a kring task most likely asks for, by the words of its title ("Boodschappen
/// doen" → boodschappen); `Anders` when no word gives it away. Escalating a task stays one
/// click, and the caregiver can still change the type while the request is open.
pub fn help_type_of_task(title: &str) -> HelpType {
    let title = title.to_lowercase();
    let by_word: &[(&[&str], HelpType)] = &[
        (
            &["boodschap", "supermarkt", "apotheek", "markt"],
            HelpType::Boodschappen,
        ),
        (
            &[
                "rijden",
                "vervoer",
                "ziekenhuis",
                "brengen",
                "ophalen",
                "afspraak",
            ],
            HelpType::Vervoer,
        ),
        (
            &[
                "oppas",
                "gezelschap",
                "koffie",
                "aanwezig",
                "logeren",
                "bezoek",
            ],
            HelpType::Gezelschap,
        ),
        (&["tuin", "gras", "heg", "onkruid"], HelpType::Tuin),
        (&["koken", "maaltijd", "eten"], HelpType::Maaltijd),
        (&["wandel", "lopen", "naar buiten"], HelpType::Wandelen),
        (&["klus", "lamp", "repar", "schilder"], HelpType::Klussen),
        (
            &["post", "administratie", "formulier", "rekening"],
            HelpType::Administratie,
        ),
        (
            &["computer", "tablet", "telefoon", "digid", "internet"],
            HelpType::DigitaleHulp,
        ),
    ];
    by_word
        .iter()
        .find(|(words, _)| words.iter().any(|w| title.contains(w)))
        .map_or(HelpType::Anders, |(_, t)| *t)
}

#[cfg(test)]
mod task_words_tests {
    use super::*;

    #[test]
    fn task_titles_give_their_help_type() {
        assert_eq!(
            help_type_of_task("Boodschappen doen"),
            HelpType::Boodschappen
        );
        assert_eq!(
            help_type_of_task("Rijden naar het ziekenhuis"),
            HelpType::Vervoer
        );
        assert_eq!(help_type_of_task("De TUIN bijhouden"), HelpType::Tuin);
        assert_eq!(help_type_of_task("Oppas bij moeder"), HelpType::Gezelschap);
        assert_eq!(help_type_of_task("Iets heel anders"), HelpType::Anders);
    }
}
