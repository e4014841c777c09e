//! The demo content of the care networks (kring): about twenty caregivers in the demo region, each
//! with their naaste, "Mijn situatie" and its older versions, the members of their network,
//! messages and questions, agreements and agenda tasks. The content is a data file beside this
//! crate (`demo/kring.toml`, documented at its top), embedded in the binary.
//!
//! [`load`] parses the file and [`KringDemo::check`] validates every code with the core's parsers
//! and every reference between people, so the seeding can trust what it gets. Codes stay text in
//! the structs (as written in the file); the accessors (`kind()`, `categories()`, `schedule()` …)
//! give the typed values and may only be called on a checked file. [`seed`] writes it all into
//! the demo database through the store (called from `demo::seed`).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::directory::model::Weekday;
use mantelkring_core::geo::Pc4;
use mantelkring_core::identity::Email;
use mantelkring_core::network::agenda::{
    AGENDA_DAYS, ClockTime, DEFAULT_ANSWER_DAYS, Day, Schedule,
};
use mantelkring_core::network::situation::{Situation, SituationInput};
use mantelkring_core::network::{
    Field, LONG_TEXT_MAX, MemberEvent, MemberKind, MemberStatus, NotifyMode, Relation,
    SHORT_TEXT_MAX, multi_line, one_line,
};
use mantelkring_core::time::Millis;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::situation as versions;
use mantelkring_store::network::timeline::{self, Audience, Kind, NewPost};
use mantelkring_store::network::{self, ConsentMethod, agenda, regie};
use mantelkring_store::{Conn, StoreError, identity};

const KRING: &str = include_str!("../demo/kring.toml");

/// Every e-mail address in the file is at this (fictional) domain.
pub const EMAIL_DOMAIN: &str = "demo.mantelkring.nl";

/// How a reference names the caregiver of the network.
pub const CAREGIVER: &str = "caregiver";

/// Messages lie at most this many days back.
pub const MESSAGE_DAYS: i64 = 10;

/// On the day the demo starts, messages are at most at this hour, so they lie in the past.
pub const TODAY_LATEST_HOUR: u8 = 8;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KringDemo {
    /// People who appear in networks as themselves (professionals, case managers, volunteers).
    #[serde(default, rename = "person")]
    pub persons: Vec<Person>,
    #[serde(default, rename = "caregiver")]
    pub caregivers: Vec<Caregiver>,
}

/// A professional, case manager or volunteer, usually in several networks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub key: String,
    /// An existing demo account (`demo::ACCOUNTS`), or a new address at [`EMAIL_DOMAIN`] for which
    /// the seeding creates a user with the demo password.
    pub account: Option<String>,
    pub name: String,
    /// `MemberKind` code: professional, case_manager or volunteer.
    pub kind: String,
    /// `Field` code; only for professionals and case managers.
    pub field: Option<String>,
    pub role_label: String,
    /// Exact name of a demo organisation.
    pub organisation: Option<String>,
    pub phone: Option<String>,
    /// ISO 639-1 codes.
    #[serde(default)]
    pub languages: Vec<String>,
}

/// One caregiver with their network.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caregiver {
    pub key: String,
    /// An existing demo account (`demo::ACCOUNTS`, role caregiver).
    pub account: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub birth_year: Option<i32>,
    /// None for a caregiver without e-mail.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// PC6, "2324 KD".
    pub postcode: String,
    /// Name of a demo municipality.
    pub municipality: String,
    /// "online" or "verbal".
    pub consent: String,
    /// For verbal consent: the key of the professional who recorded it.
    pub consent_recorded_by: Option<String>,
    /// Who they are, for developers and for explaining the demo.
    pub story: String,
    #[serde(default)]
    pub naaste: Vec<Naaste>,
    /// The current "Mijn situatie".
    pub situation: SituationFields,
    /// Older versions, oldest first; each lists only what differs from the next version.
    #[serde(default)]
    pub situation_earlier: Vec<SituationFields>,
    #[serde(default, rename = "member")]
    pub members: Vec<Member>,
    #[serde(default, rename = "proposal")]
    pub proposals: Vec<Proposal>,
    #[serde(default, rename = "message")]
    pub messages: Vec<Message>,
    #[serde(default, rename = "agreement")]
    pub agreements: Vec<Agreement>,
    #[serde(default, rename = "task")]
    pub tasks: Vec<Task>,
}

/// The person a caregiver cares for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Naaste {
    pub given_name: String,
    pub family_name: String,
    /// `Relation` code.
    pub relation: String,
    pub birth_year: i32,
    /// A short tag ("dementie (alzheimer), middelste fase").
    pub situation: String,
}

/// "Mijn situatie" as written: a full version, an older version (only what differs) or the
/// changes of a proposal. `days_ago` is when the version was saved (not in a proposal).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SituationFields {
    pub days_ago: Option<i64>,
    pub naaste: Option<String>,
    pub care_tasks: Option<String>,
    pub hours_per_week: Option<u16>,
    pub since: Option<String>,
    pub living_together: Option<bool>,
    pub responsibilities: Option<String>,
    pub going_well: Option<String>,
    pub hard: Option<String>,
    pub wishes: Option<String>,
    pub agreements: Option<String>,
    pub emergency_plan: Option<String>,
    pub other: Option<String>,
}

/// A member of a caregiver's network: a [`Person`] (`person`) or someone written inline (family,
/// friends, neighbours, a local professional or volunteer).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Key of a [`Person`].
    pub person: Option<String>,
    // Inline members only:
    pub name: Option<String>,
    pub account: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `MemberKind` code.
    pub kind: Option<String>,
    /// `Field` code.
    pub field: Option<String>,
    pub role_label: Option<String>,
    pub organisation: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    // Both:
    /// `DataCategory` codes the caregiver grants.
    pub categories: Vec<String>,
    /// `NotifyMode` code; digest when left out.
    pub notify: Option<String>,
    #[serde(default)]
    pub regiehouder: bool,
    /// `MemberStatus` code: active (when left out) or proposed.
    pub status: Option<String>,
    /// Who proposed a proposed member (a reference).
    pub proposed_by: Option<String>,
    #[serde(default)]
    pub acts_for_caregiver: bool,
}

/// An open proposal by a member to change "Mijn situatie".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub by: String,
    pub days_ago: i64,
    pub note: String,
    pub changes: SituationFields,
}

/// A message or question in the network.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub by: String,
    pub days_ago: i64,
    /// Local hour of the day.
    pub hours: u8,
    /// "message" or "question".
    pub kind: String,
    /// Recipients; empty = the whole network.
    #[serde(default)]
    pub to: Vec<String>,
    pub body: String,
    // Questions only:
    pub assigned_to: Option<String>,
    /// Answer-by date, days before today (negative = in the future); asked + 7 when left out.
    pub answer_by_days_ago: Option<i64>,
    #[serde(default)]
    pub answered: bool,
    pub answer: Option<String>,
    /// The assignee when left out.
    pub answered_by: Option<String>,
    pub answered_days_ago: Option<i64>,
}

/// A samenwerkingsafspraak: who does what.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub what: String,
    pub who: String,
    pub from_days_ago: i64,
    /// Negative = the review date has passed.
    pub review_in_days: Option<i64>,
}

/// A task in the care agenda.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub title: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub weekly: bool,
    /// The first date relative to today (moved forward to `weekday` when given).
    pub first_in_days: i64,
    /// "ma" … "zo".
    pub weekday: Option<String>,
    /// The last date of a weekly task, relative to today.
    pub until_in_days: Option<i64>,
    /// "HH:MM".
    pub start: String,
    /// "HH:MM"; before `start` = the next morning.
    pub end: String,
    pub needed: u32,
    pub created_days_ago: i64,
    /// Who put it in the agenda; the caregiver when left out.
    pub by: Option<String>,
    /// Members signed up for the coming occurrences.
    #[serde(default)]
    pub signups: Vec<String>,
}

/// Who a reference names within one network.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    Caregiver,
    Member(&'a Member),
}

/// The embedded file, parsed and checked.
pub fn load() -> Result<KringDemo, String> {
    parse(KRING)
}

/// Parses a file in the format of `demo/kring.toml` and checks it.
pub fn parse(text: &str) -> Result<KringDemo, String> {
    let demo: KringDemo =
        toml::from_str(text).map_err(|e| format!("demo/kring.toml cannot be read: {e}"))?;
    demo.check()?;
    Ok(demo)
}

impl KringDemo {
    /// Checks everything; all problems at once, one per line.
    pub fn check(&self) -> Result<(), String> {
        let mut c = Checker::new(self);
        c.run();
        if c.problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "demo/kring.toml has {} problem(s):\n{}",
                c.problems.len(),
                c.problems.join("\n")
            ))
        }
    }

    pub fn person(&self, key: &str) -> Option<&Person> {
        self.persons.iter().find(|p| p.key == key)
    }

    pub fn caregiver(&self, key: &str) -> Option<&Caregiver> {
        self.caregivers.iter().find(|c| c.key == key)
    }

    /// The person behind a member, if it is a shared one.
    pub fn person_of(&self, member: &Member) -> Option<&Person> {
        member.person.as_deref().and_then(|k| self.person(k))
    }

    /// A member's name (the person's name for shared people).
    pub fn member_name<'a>(&'a self, member: &'a Member) -> &'a str {
        match self.person_of(member) {
            Some(p) => &p.name,
            None => member.name.as_deref().unwrap_or_default(),
        }
    }

    pub fn member_kind(&self, member: &Member) -> MemberKind {
        let code = match self.person_of(member) {
            Some(p) => p.kind.as_str(),
            None => member.kind.as_deref().unwrap_or_default(),
        };
        MemberKind::parse(code).expect(CHECKED)
    }

    pub fn member_field(&self, member: &Member) -> Option<Field> {
        let code = match self.person_of(member) {
            Some(p) => p.field.as_deref(),
            None => member.field.as_deref(),
        };
        code.map(|c| Field::parse(c).expect(CHECKED))
    }

    /// The member's kind, or None when its code does not parse (for the checker).
    fn member_kind_checked(&self, member: &Member) -> Option<MemberKind> {
        let code = match self.person_of(member) {
            Some(p) => p.kind.as_str(),
            None => member.kind.as_deref()?,
        };
        MemberKind::parse(code)
    }

    /// The member's e-mail address (account or e-mail), if any.
    pub fn member_email<'a>(&'a self, member: &'a Member) -> Option<&'a str> {
        match self.person_of(member) {
            Some(p) => p.account.as_deref(),
            None => member.account.as_deref().or(member.email.as_deref()),
        }
    }

    /// The caregivers whose network this person is a member of.
    pub fn networks_of<'a>(&'a self, person_key: &'a str) -> impl Iterator<Item = &'a Caregiver> {
        self.caregivers.iter().filter(move |c| {
            c.members
                .iter()
                .any(|m| m.person.as_deref() == Some(person_key))
        })
    }
}

const CHECKED: &str = "demo/kring.toml is checked by demo_kring::load";

impl Person {
    pub fn kind(&self) -> MemberKind {
        MemberKind::parse(&self.kind).expect(CHECKED)
    }

    pub fn field(&self) -> Option<Field> {
        self.field
            .as_deref()
            .map(|f| Field::parse(f).expect(CHECKED))
    }
}

impl Caregiver {
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// Whether a professional recorded the caregiver's spoken consent.
    pub fn consent_is_verbal(&self) -> bool {
        self.consent == "verbal"
    }

    /// A member by reference: a person key or an inline name.
    pub fn member(&self, reference: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.reference() == reference)
    }

    /// What a reference names: the caregiver or a member.
    pub fn resolve(&self, reference: &str) -> Option<Who<'_>> {
        if reference == CAREGIVER {
            Some(Who::Caregiver)
        } else {
            self.member(reference).map(Who::Member)
        }
    }

    pub fn active_members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.is_active())
    }

    /// The number of active members (proposed ones do not count yet).
    pub fn size(&self) -> usize {
        self.active_members().count()
    }

    pub fn regiehouder(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.regiehouder)
    }

    /// Every version of "Mijn situatie", oldest first, with the days ago it was saved; the last
    /// is the current one.
    pub fn situation_versions(&self) -> Vec<(i64, Situation)> {
        let mut out = Vec::new();
        let current = self.situation.clone();
        out.push((current.days_ago.unwrap_or(0), current));
        for older in self.situation_earlier.iter().rev() {
            let next = &out.last().expect("the current version").1;
            out.push((older.days_ago.unwrap_or(0), next.overlaid_by(older)));
        }
        out.reverse();
        out.into_iter()
            .map(|(days, fields)| (days, fields.to_situation().expect(CHECKED)))
            .collect()
    }

    /// The current situation with a proposal's changes.
    pub fn proposed_situation(&self, proposal: &Proposal) -> Situation {
        self.situation
            .overlaid_by(&proposal.changes)
            .to_situation()
            .expect(CHECKED)
    }
}

impl SituationFields {
    /// These fields with every field `other` sets replaced.
    pub fn overlaid_by(&self, other: &SituationFields) -> SituationFields {
        fn pick<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
            b.clone().or_else(|| a.clone())
        }
        SituationFields {
            days_ago: pick(&self.days_ago, &other.days_ago),
            naaste: pick(&self.naaste, &other.naaste),
            care_tasks: pick(&self.care_tasks, &other.care_tasks),
            hours_per_week: pick(&self.hours_per_week, &other.hours_per_week),
            since: pick(&self.since, &other.since),
            living_together: pick(&self.living_together, &other.living_together),
            responsibilities: pick(&self.responsibilities, &other.responsibilities),
            going_well: pick(&self.going_well, &other.going_well),
            hard: pick(&self.hard, &other.hard),
            wishes: pick(&self.wishes, &other.wishes),
            agreements: pick(&self.agreements, &other.agreements),
            emergency_plan: pick(&self.emergency_plan, &other.emergency_plan),
            other: pick(&self.other, &other.other),
        }
    }

    /// The form a caregiver would have typed.
    pub fn to_input(&self) -> SituationInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        SituationInput {
            naaste: text(&self.naaste),
            care_tasks: text(&self.care_tasks),
            hours_per_week: self
                .hours_per_week
                .map(|h| h.to_string())
                .unwrap_or_default(),
            since: text(&self.since),
            living_together: match self.living_together {
                Some(true) => "ja".into(),
                Some(false) => "nee".into(),
                None => String::new(),
            },
            responsibilities: text(&self.responsibilities),
            going_well: text(&self.going_well),
            hard: text(&self.hard),
            wishes: text(&self.wishes),
            agreements: text(&self.agreements),
            emergency_plan: text(&self.emergency_plan),
            other: text(&self.other),
        }
    }

    /// Checked by the core's form check.
    pub fn to_situation(&self) -> Result<Situation, String> {
        self.to_input().check().map_err(|problems| {
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// The situation fields that are set (not `days_ago`), by key.
    fn set_fields(&self) -> Vec<&'static str> {
        let flags = [
            ("naaste", self.naaste.is_some()),
            ("care_tasks", self.care_tasks.is_some()),
            ("hours_per_week", self.hours_per_week.is_some()),
            ("since", self.since.is_some()),
            ("living_together", self.living_together.is_some()),
            ("responsibilities", self.responsibilities.is_some()),
            ("going_well", self.going_well.is_some()),
            ("hard", self.hard.is_some()),
            ("wishes", self.wishes.is_some()),
            ("agreements", self.agreements.is_some()),
            ("emergency_plan", self.emergency_plan.is_some()),
            ("other", self.other.is_some()),
        ];
        flags
            .into_iter()
            .filter(|(_, set)| *set)
            .map(|(k, _)| k)
            .collect()
    }
}

impl Naaste {
    pub fn relation(&self) -> Relation {
        Relation::parse(&self.relation).expect(CHECKED)
    }
}

impl Member {
    /// How other entries refer to this member: the person key or the inline name.
    pub fn reference(&self) -> &str {
        self.person
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or_default()
    }

    pub fn categories(&self) -> Vec<DataCategory> {
        self.categories
            .iter()
            .map(|c| DataCategory::parse(c).expect(CHECKED))
            .collect()
    }

    pub fn has(&self, category: DataCategory) -> bool {
        self.categories.iter().any(|c| c == category.as_str())
    }

    pub fn notify(&self) -> NotifyMode {
        self.notify
            .as_deref()
            .map_or(NotifyMode::Digest, |n| NotifyMode::parse(n).expect(CHECKED))
    }

    pub fn status(&self) -> MemberStatus {
        self.status.as_deref().map_or(MemberStatus::Active, |s| {
            MemberStatus::parse(s).expect(CHECKED)
        })
    }

    pub fn is_active(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "active")
    }
}

impl Message {
    pub fn is_question(&self) -> bool {
        self.kind == "question"
    }

    /// The answer-by date of a question, in days before today.
    pub fn answer_by(&self) -> i64 {
        self.answer_by_days_ago
            .unwrap_or(self.days_ago - DEFAULT_ANSWER_DAYS)
    }

    /// Who answered (the assignee when not said).
    pub fn answerer(&self) -> Option<&str> {
        if !self.answered {
            return None;
        }
        self.answered_by.as_deref().or(self.assigned_to.as_deref())
    }

    /// Whether the question is overdue on the day the demo starts.
    pub fn is_overdue(&self) -> bool {
        self.is_question() && !self.answered && self.answer_by() > 0
    }
}

impl Task {
    pub fn start(&self) -> ClockTime {
        ClockTime::parse(&self.start).expect(CHECKED)
    }

    pub fn end(&self) -> ClockTime {
        ClockTime::parse(&self.end).expect(CHECKED)
    }

    pub fn weekday(&self) -> Option<Weekday> {
        self.weekday
            .as_deref()
            .map(|w| Weekday::from_code(w).expect(CHECKED))
    }

    /// The first date: `first_in_days` from today, moved forward to the weekday if given.
    pub fn first_day(&self, today: Day) -> Day {
        let mut day = today.plus(self.first_in_days);
        if let Some(weekday) = self.weekday() {
            while day.weekday() != weekday {
                day = day.plus(1);
            }
        }
        day
    }

    /// When the task happens, for a demo that starts on `today`.
    pub fn schedule(&self, today: Day) -> Schedule {
        let first = self.first_day(today);
        if self.weekly {
            Schedule::Weekly {
                from: first,
                until: self.until_in_days.map(|d| today.plus(d)),
            }
        } else {
            Schedule::Once { on: first }
        }
    }

    /// Whether fewer people signed up than needed.
    pub fn is_unfilled(&self) -> bool {
        (self.signups.len() as u32) < self.needed
    }
}

/// Collects the problems of one file.
struct Checker<'a> {
    demo: &'a KringDemo,
    problems: Vec<String>,
    /// Lower-cased e-mail address → where it is used first.
    emails: HashMap<String, String>,
    /// Organisation names of the demo region.
    organisations: HashSet<String>,
    /// Demo municipality name → the PC4s of the demo map in it.
    pc4s: HashMap<String, HashSet<String>>,
}

impl<'a> Checker<'a> {
    fn new(demo: &'a KringDemo) -> Checker<'a> {
        let map = crate::demo_map::load();
        let mut organisations: HashSet<String> = crate::demo::ORGANISATIONS
            .iter()
            .map(|(name, _, _)| name.to_string())
            .collect();
        organisations.extend(map.organisations.iter().map(|o| o.name.clone()));
        let mut pc4s: HashMap<String, HashSet<String>> = crate::demo::MUNICIPALITIES
            .iter()
            .map(|(_, name)| (name.to_string(), HashSet::new()))
            .collect();
        for p in &map.postcodes {
            if let Some(set) = pc4s.get_mut(&p.municipality) {
                set.insert(p.pc4.clone());
            }
        }
        Checker {
            demo,
            problems: Vec::new(),
            emails: HashMap::new(),
            organisations,
            pc4s,
        }
    }

    fn problem(&mut self, at: &str, what: impl std::fmt::Display) {
        self.problems.push(format!("{at}: {what}"));
    }

    fn run(&mut self) {
        let demo = self.demo;
        let mut keys = HashSet::new();
        for person in &demo.persons {
            let at = format!("person '{}'", person.key);
            if !keys.insert(person.key.as_str()) {
                self.problem(&at, "the key is used twice");
            }
            self.person(&at, person);
        }
        let mut keys = HashSet::new();
        for caregiver in &demo.caregivers {
            let at = format!("caregiver '{}'", caregiver.key);
            if !keys.insert(caregiver.key.as_str()) {
                self.problem(&at, "the key is used twice");
            }
            self.caregiver(&at, caregiver);
        }
        for person in &demo.persons {
            if demo.networks_of(&person.key).next().is_none() {
                self.problem(
                    &format!("person '{}'", person.key),
                    "is not a member of any network",
                );
            }
        }
    }

    fn person(&mut self, at: &str, p: &Person) {
        self.slug(at, &p.key);
        self.short(at, "name", &p.name);
        self.short(at, "role_label", &p.role_label);
        match MemberKind::parse(&p.kind) {
            None => self.problem(at, format!("unknown kind '{}'", p.kind)),
            Some(MemberKind::Own) => self.problem(
                at,
                "kind 'own' is for family and friends: write them inline in the network",
            ),
            Some(kind) => {
                self.field(at, kind, p.field.as_deref());
                self.organisation(at, kind, p.organisation.as_deref());
            }
        }
        if let Some(phone) = &p.phone {
            self.phone(at, phone);
        }
        self.languages(at, &p.languages);
        if let Some(account) = &p.account {
            let role = match MemberKind::parse(&p.kind) {
                Some(MemberKind::Volunteer) => Role::Volunteer,
                _ => Role::Professional,
            };
            self.account(at, account, &p.name, role);
        }
    }

    fn caregiver(&mut self, at: &str, c: &Caregiver) {
        self.slug(at, &c.key);
        self.short(at, "given_name", &c.given_name);
        self.short(at, "family_name", &c.family_name);
        self.long(at, "story", &c.story, true);
        if let Some(year) = c.birth_year {
            self.birth_year(at, year);
        }
        if let Some(account) = &c.account {
            self.account(at, account, &c.name(), Role::Caregiver);
            if c.email.as_deref().is_some_and(|e| e != account) {
                self.problem(at, "email and account differ");
            }
        }
        if let Some(email) = &c.email
            && c.account.as_deref() != Some(email.as_str())
        {
            self.email(at, email);
        }
        if let Some(phone) = &c.phone {
            self.phone(at, phone);
        }
        self.postcode(at, &c.postcode, &c.municipality);
        if c.naaste.is_empty() {
            self.problem(at, "names no naaste");
        }
        for (i, n) in c.naaste.iter().enumerate() {
            let at = format!("{at}, naaste {}", i + 1);
            self.short(&at, "given_name", &n.given_name);
            self.short(&at, "family_name", &n.family_name);
            self.short(&at, "situation", &n.situation);
            if Relation::parse(&n.relation).is_none() {
                self.problem(&at, format!("unknown relation '{}'", n.relation));
            }
            self.birth_year(&at, n.birth_year);
        }
        self.situations(at, c);
        self.members(at, c);
        self.consent(at, c);
        self.proposals(at, c);
        self.messages(at, c);
        self.agreements(at, c);
        self.tasks(at, c);
    }

    fn situations(&mut self, at: &str, c: &Caregiver) {
        let current = &c.situation;
        let at_current = format!("{at}, situation");
        let missing: Vec<&str> = mantelkring_core::network::situation::FIELDS
            .into_iter()
            .filter(|f| !current.set_fields().contains(f))
            .collect();
        if !missing.is_empty() {
            self.problem(
                &at_current,
                format!(
                    "the current version needs every field; missing: {}",
                    missing.join(", ")
                ),
            );
        }
        match current.days_ago {
            None => self.problem(&at_current, "days_ago is missing"),
            Some(d) if d < 0 => self.problem(&at_current, "days_ago must not be negative"),
            _ => {}
        }
        match current.to_situation() {
            Err(e) => self.problem(&at_current, e),
            Ok(s) => {
                if s.naaste.is_empty() || s.care_tasks.is_empty() {
                    self.problem(&at_current, "naaste and care_tasks must not be empty");
                }
            }
        }
        // Older versions: oldest first, each older than the next, each different from it.
        let mut next = current.clone();
        let mut next_days = current.days_ago.unwrap_or(0);
        for (i, older) in c.situation_earlier.iter().enumerate().rev() {
            let at = format!("{at}, situation_earlier {}", i + 1);
            match older.days_ago {
                None => self.problem(&at, "days_ago is missing"),
                Some(d) if d <= next_days => self.problem(
                    &at,
                    format!("days_ago {d} must be older than the next version ({next_days})"),
                ),
                Some(d) => next_days = d,
            }
            if older.set_fields().is_empty() {
                self.problem(&at, "changes nothing");
            }
            let version = next.overlaid_by(older);
            match (version.to_situation(), next.to_situation()) {
                (Err(e), _) => self.problem(&at, e),
                (Ok(a), Ok(b)) if a == b => self.problem(&at, "is the same as the next version"),
                _ => {}
            }
            next = version;
        }
    }

    fn members(&mut self, at: &str, c: &Caregiver) {
        let mut references = HashSet::new();
        let person_names: HashSet<&str> =
            self.demo.persons.iter().map(|p| p.name.as_str()).collect();
        for (i, m) in c.members.iter().enumerate() {
            let at = format!("{at}, member {} ({})", i + 1, m.reference());
            match (&m.person, &m.name) {
                (Some(key), None) => {
                    if self.demo.person(key).is_none() {
                        self.problem(&at, format!("no [[person]] with key '{key}'"));
                    }
                    let inline = [
                        ("account", m.account.is_some()),
                        ("email", m.email.is_some()),
                        ("phone", m.phone.is_some()),
                        ("kind", m.kind.is_some()),
                        ("field", m.field.is_some()),
                        ("role_label", m.role_label.is_some()),
                        ("organisation", m.organisation.is_some()),
                        ("languages", !m.languages.is_empty()),
                    ];
                    for (field, set) in inline {
                        if set {
                            self.problem(
                                &at,
                                format!("'{field}' belongs to the [[person]], not the membership"),
                            );
                        }
                    }
                }
                (None, Some(name)) => self.inline_member(&at, c, m, name, &person_names),
                _ => self.problem(&at, "give either person or name"),
            }
            let reference = m.reference();
            if reference == CAREGIVER {
                self.problem(&at, "'caregiver' is reserved for the caregiver");
            }
            if !references.insert(reference) {
                self.problem(&at, "is in this network twice");
            }
            self.categories(&at, &m.categories);
            if let Some(notify) = &m.notify
                && NotifyMode::parse(notify).is_none()
            {
                self.problem(&at, format!("unknown notify '{notify}'"));
            }
            match m.status.as_deref().map(MemberStatus::parse) {
                None | Some(Some(MemberStatus::Active)) => {
                    if m.proposed_by.is_some() {
                        self.problem(&at, "proposed_by is only for status = \"proposed\"");
                    }
                }
                Some(Some(MemberStatus::Proposed)) => {
                    if m.regiehouder || m.acts_for_caregiver {
                        self.problem(
                            &at,
                            "a proposed member cannot be regiehouder or act for the caregiver",
                        );
                    }
                    match &m.proposed_by {
                        None => self.problem(&at, "a proposed member needs proposed_by"),
                        Some(by) => {
                            self.reference(&at, "proposed_by", c, by, None, true);
                        }
                    }
                }
                Some(_) => self.problem(
                    &at,
                    format!(
                        "status '{}': the demo has active and proposed members only",
                        m.status.as_deref().unwrap_or_default()
                    ),
                ),
            }
            if m.acts_for_caregiver && self.demo.member_email(m).is_none() {
                self.problem(
                    &at,
                    "acts for the caregiver, so needs an account or e-mail to log in",
                );
            }
        }
        let regiehouders: Vec<&Member> = c.members.iter().filter(|m| m.regiehouder).collect();
        if regiehouders.len() > 1 {
            self.problem(at, "has more than one regiehouder");
        }
        if let Some(r) = regiehouders.first()
            && !r.has(DataCategory::Messages)
        {
            self.problem(
                at,
                format!(
                    "regiehouder '{}' must read the messages (category messages)",
                    r.reference()
                ),
            );
        }
    }

    fn inline_member(
        &mut self,
        at: &str,
        c: &Caregiver,
        m: &Member,
        name: &str,
        person_names: &HashSet<&str>,
    ) {
        self.short(at, "name", name);
        if self.demo.person(name).is_some() {
            self.problem(at, "the name is also a [[person]] key");
        }
        if person_names.contains(name) {
            self.problem(
                at,
                "this is a [[person]]: write person = \"<key>\" instead of the name",
            );
        }
        if name == c.name() {
            self.problem(at, "has the caregiver's name");
        }
        match &m.role_label {
            None => self.problem(at, "role_label is missing"),
            Some(label) => self.short(at, "role_label", label),
        }
        match m.kind.as_deref().map(|k| (k, MemberKind::parse(k))) {
            None => self.problem(at, "kind is missing"),
            Some((k, None)) => self.problem(at, format!("unknown kind '{k}'")),
            Some((_, Some(kind))) => {
                self.field(at, kind, m.field.as_deref());
                if let Some(org) = &m.organisation {
                    self.organisation_name(at, org);
                }
            }
        }
        if let Some(account) = &m.account {
            self.account(at, account, name, Role::NetworkMember);
            if m.email.as_deref().is_some_and(|e| e != account) {
                self.problem(at, "email and account differ");
            }
        }
        if let Some(email) = &m.email
            && m.account.as_deref() != Some(email.as_str())
        {
            self.email(at, email);
        }
        if let Some(phone) = &m.phone {
            self.phone(at, phone);
        }
        self.languages(at, &m.languages);
    }

    fn consent(&mut self, at: &str, c: &Caregiver) {
        let has_email = c.email.is_some() || c.account.is_some();
        match (c.consent.as_str(), &c.consent_recorded_by) {
            ("online", None) => {
                if !has_email {
                    self.problem(
                        at,
                        "online consent needs an e-mail; without one a professional records verbal consent",
                    );
                }
            }
            ("online", Some(_)) => {
                self.problem(at, "consent_recorded_by is only for verbal consent")
            }
            ("verbal", None) => self.problem(at, "verbal consent needs consent_recorded_by"),
            ("verbal", Some(by)) => match c.member(by) {
                Some(m) if m.person.is_some() && m.is_active() => {
                    let kind = self.demo.member_kind_checked(m);
                    if !matches!(
                        kind,
                        Some(MemberKind::Professional | MemberKind::CaseManager)
                    ) {
                        self.problem(
                            at,
                            format!("consent_recorded_by '{by}' must be a professional"),
                        );
                    }
                }
                _ => self.problem(
                    at,
                    format!(
                        "consent_recorded_by '{by}' must be a [[person]] key of an active member"
                    ),
                ),
            },
            (other, _) => self.problem(at, format!("unknown consent '{other}' (online or verbal)")),
        }
        if !has_email
            && !c
                .members
                .iter()
                .any(|m| m.acts_for_caregiver && m.is_active())
        {
            self.problem(
                at,
                "has no e-mail, so an active member must act for them (acts_for_caregiver)",
            );
        }
    }

    fn proposals(&mut self, at: &str, c: &Caregiver) {
        for (i, p) in c.proposals.iter().enumerate() {
            let at = format!("{at}, proposal {}", i + 1);
            if self
                .reference(&at, "by", c, &p.by, Some(DataCategory::Situation), true)
                .is_some_and(|w| matches!(w, Who::Caregiver))
            {
                self.problem(&at, "the caregiver edits Mijn situatie, a member proposes");
            }
            self.short(&at, "note", &p.note);
            if p.changes.days_ago.is_some() {
                self.problem(&at, "changes has no days_ago: the proposal has it");
            }
            let current = c.situation.days_ago.unwrap_or(0);
            if p.days_ago < 0 || p.days_ago > current {
                self.problem(
                    &at,
                    format!(
                        "days_ago {} must lie between today and the current version ({current})",
                        p.days_ago
                    ),
                );
            }
            let proposed = c.situation.overlaid_by(&p.changes);
            match (proposed.to_situation(), c.situation.to_situation()) {
                (Err(e), _) => self.problem(&at, e),
                (Ok(a), Ok(b)) if a == b => self.problem(&at, "changes nothing"),
                _ => {}
            }
        }
    }

    fn messages(&mut self, at: &str, c: &Caregiver) {
        let messages = Some(DataCategory::Messages);
        for (i, m) in c.messages.iter().enumerate() {
            let at = format!("{at}, message {}", i + 1);
            self.reference(&at, "by", c, &m.by, messages, true);
            if !(0..=MESSAGE_DAYS).contains(&m.days_ago) {
                self.problem(&at, format!("days_ago must be 0 to {MESSAGE_DAYS}"));
            }
            if m.hours > 23 || (m.days_ago == 0 && m.hours > TODAY_LATEST_HOUR) {
                self.problem(
                    &at,
                    format!("hours must be 0 to 23, and at most {TODAY_LATEST_HOUR} today"),
                );
            }
            self.long(&at, "body", &m.body, true);
            let mut to = HashSet::new();
            for r in &m.to {
                self.reference(&at, "to", c, r, messages, true);
                if *r == m.by {
                    self.problem(&at, format!("'{r}' sends the message to themselves"));
                }
                if !to.insert(r.as_str()) {
                    self.problem(&at, format!("'{r}' is in to twice"));
                }
            }
            match m.kind.as_str() {
                "message" => {
                    let question_only = [
                        m.assigned_to.is_some(),
                        m.answer_by_days_ago.is_some(),
                        m.answered,
                        m.answer.is_some(),
                        m.answered_by.is_some(),
                        m.answered_days_ago.is_some(),
                    ];
                    if question_only.into_iter().any(|set| set) {
                        self.problem(&at, "a message has no assignee, answer-by date or answer");
                    }
                }
                "question" => self.question(&at, c, m),
                other => self.problem(&at, format!("unknown kind '{other}' (message or question)")),
            }
        }
    }

    fn question(&mut self, at: &str, c: &Caregiver, m: &Message) {
        let messages = Some(DataCategory::Messages);
        match &m.assigned_to {
            None => self.problem(at, "a question needs assigned_to"),
            Some(a) => {
                self.reference(at, "assigned_to", c, a, messages, true);
                if *a == m.by {
                    self.problem(at, "the asker cannot be the assignee");
                }
                if !m.to.is_empty() && a != CAREGIVER && !m.to.contains(a) {
                    self.problem(at, format!("assignee '{a}' does not receive the question"));
                }
            }
        }
        if m.answer_by() > m.days_ago {
            self.problem(at, "the answer-by date lies before the question was asked");
        }
        if m.answered {
            match &m.answer {
                None => self.problem(at, "an answered question needs answer"),
                Some(answer) => self.long(at, "answer", answer, true),
            }
            match m.answered_days_ago {
                None => self.problem(at, "an answered question needs answered_days_ago"),
                Some(d) if d < 0 || d > m.days_ago => self.problem(
                    at,
                    "answered_days_ago must lie between the question and today",
                ),
                _ => {}
            }
            if let Some(by) = &m.answered_by {
                self.reference(at, "answered_by", c, by, messages, true);
            }
        } else if m.answer.is_some() || m.answered_by.is_some() || m.answered_days_ago.is_some() {
            self.problem(
                at,
                "answer, answered_by and answered_days_ago need answered = true",
            );
        }
    }

    fn agreements(&mut self, at: &str, c: &Caregiver) {
        for (i, a) in c.agreements.iter().enumerate() {
            let at = format!("{at}, agreement {}", i + 1);
            self.short(&at, "what", &a.what);
            self.reference(&at, "who", c, &a.who, None, true);
            if a.from_days_ago < 0 {
                self.problem(&at, "from_days_ago must not be negative");
            }
        }
    }

    fn tasks(&mut self, at: &str, c: &Caregiver) {
        let agenda = Some(DataCategory::Agenda);
        for (i, t) in c.tasks.iter().enumerate() {
            let at = format!("{at}, task {} ({})", i + 1, t.title);
            self.short(&at, "title", &t.title);
            self.long(&at, "details", &t.details, false);
            let start = ClockTime::parse(&t.start);
            let end = ClockTime::parse(&t.end);
            if start.is_none() || end.is_none() {
                self.problem(&at, "start and end are times, HH:MM");
            } else if start == end {
                self.problem(&at, "start and end are the same");
            }
            if let Some(w) = &t.weekday
                && Weekday::from_code(w).is_none()
            {
                self.problem(&at, format!("unknown weekday '{w}' (ma di wo do vr za zo)"));
            }
            if let Some(until) = t.until_in_days {
                if !t.weekly {
                    self.problem(&at, "until_in_days is only for weekly tasks");
                } else if until < t.first_in_days {
                    self.problem(&at, "until_in_days lies before the first date");
                }
            }
            if t.needed == 0 {
                self.problem(&at, "needed must be at least 1");
            }
            if t.signups.len() as u32 > t.needed {
                self.problem(&at, "more signups than needed");
            }
            if t.created_days_ago < 0 || -t.created_days_ago > t.first_in_days {
                self.problem(
                    &at,
                    "created_days_ago must lie in the past and not after the first date",
                );
            }
            if let Some(by) = &t.by {
                self.reference(&at, "by", c, by, agenda, true);
            }
            let mut seen = HashSet::new();
            for s in &t.signups {
                if self
                    .reference(&at, "signups", c, s, agenda, true)
                    .is_some_and(|w| matches!(w, Who::Caregiver))
                {
                    self.problem(&at, "signups are members, not the caregiver");
                }
                if !seen.insert(s.as_str()) {
                    self.problem(&at, format!("'{s}' signed up twice"));
                }
            }
        }
    }

    /// Resolves a reference; it must be the caregiver or a member (active when `active`) with
    /// the category if given. Reports and returns None otherwise.
    fn reference<'c>(
        &mut self,
        at: &str,
        field: &str,
        c: &'c Caregiver,
        reference: &str,
        category: Option<DataCategory>,
        active: bool,
    ) -> Option<Who<'c>> {
        let Some(who) = c.resolve(reference) else {
            self.problem(
                at,
                format!(
                    "{field} '{reference}' is not 'caregiver', a person key or an inline name in this network"
                ),
            );
            return None;
        };
        if let Who::Member(m) = who {
            if active && !m.is_active() {
                self.problem(at, format!("{field} '{reference}' is not an active member"));
            }
            if let Some(cat) = category
                && !m.has(cat)
            {
                self.problem(
                    at,
                    format!(
                        "{field} '{reference}' does not have the category {}",
                        cat.as_str()
                    ),
                );
            }
        }
        Some(who)
    }

    fn categories(&mut self, at: &str, categories: &[String]) {
        if categories.is_empty() {
            self.problem(at, "categories is empty");
        }
        let mut seen = HashSet::new();
        for code in categories {
            match DataCategory::parse(code) {
                Some(c) if DataCategory::GRANTABLE.contains(&c) => {}
                _ => self.problem(
                    at,
                    format!(
                        "category '{code}' cannot be granted (contact, situation, agenda, messages, checks)"
                    ),
                ),
            }
            if !seen.insert(code) {
                self.problem(at, format!("category '{code}' twice"));
            }
        }
    }

    fn field(&mut self, at: &str, kind: MemberKind, field: Option<&str>) {
        let needs = matches!(kind, MemberKind::Professional | MemberKind::CaseManager);
        match field {
            None if needs => self.problem(at, "a professional or case manager needs a field"),
            Some(_) if !needs => {
                self.problem(at, "only professionals and case managers have a field")
            }
            Some(f) if Field::parse(f).is_none() => {
                self.problem(at, format!("unknown field '{f}' (zorg, welzijn, medisch)"))
            }
            _ => {}
        }
    }

    fn organisation(&mut self, at: &str, kind: MemberKind, organisation: Option<&str>) {
        match organisation {
            Some(name) => self.organisation_name(at, name),
            None if matches!(kind, MemberKind::Professional | MemberKind::CaseManager) => {
                self.problem(at, "a professional or case manager needs an organisation")
            }
            None => {}
        }
    }

    fn organisation_name(&mut self, at: &str, name: &str) {
        if !self.organisations.contains(name) {
            self.problem(at, format!("no demo organisation named '{name}'"));
        }
    }

    /// An account: an existing demo account (with the same name and a fitting role) or a new
    /// address at the demo domain.
    fn account(&mut self, at: &str, account: &str, name: &str, role: Role) {
        match crate::demo::ACCOUNTS.iter().find(|a| a.email == account) {
            Some(existing) => {
                if existing.name != name {
                    self.problem(
                        at,
                        format!("account {account} belongs to {}, not {name}", existing.name),
                    );
                }
                if existing.role != role {
                    self.problem(
                        at,
                        format!(
                            "account {account} has the role {:?}, not {role:?}",
                            existing.role
                        ),
                    );
                }
                self.unique_email(at, account);
            }
            None => {
                if role == Role::Caregiver {
                    self.problem(
                        at,
                        "a caregiver's account must be an existing demo account; otherwise use email",
                    );
                }
                self.email(at, account);
            }
        }
    }

    fn email(&mut self, at: &str, email: &str) {
        match Email::parse(email) {
            Err(e) => self.problem(at, format!("'{email}': {e}")),
            Ok(parsed) => {
                if parsed.as_str() != email {
                    self.problem(at, format!("write '{email}' as '{}'", parsed.as_str()));
                }
                if !email.ends_with(&format!("@{EMAIL_DOMAIN}")) {
                    self.problem(at, format!("'{email}' must be at {EMAIL_DOMAIN}"));
                }
            }
        }
        self.unique_email(at, email);
    }

    fn unique_email(&mut self, at: &str, email: &str) {
        let key = email.to_lowercase();
        if let Some(first) = self.emails.get(&key) {
            let first = first.clone();
            self.problem(at, format!("e-mail {email} is already used by {first}"));
        } else {
            self.emails.insert(key, at.to_string());
        }
    }

    /// A Dutch phone number as written: ten digits starting with 0, digits and spaces only.
    fn phone(&mut self, at: &str, phone: &str) {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let ok = phone.chars().all(|c| c.is_ascii_digit() || c == ' ')
            && digits.len() == 10
            && digits.starts_with('0');
        if !ok {
            self.problem(at, format!("phone '{phone}' is not like '071 555 0101'"));
        }
    }

    /// A PC6 as written ("2324 KD"), whose PC4 lies in the demo municipality.
    fn postcode(&mut self, at: &str, postcode: &str, municipality: &str) {
        let Some(pc4s) = self.pc4s.get(municipality) else {
            self.problem(at, format!("'{municipality}' is not a demo municipality"));
            return;
        };
        let bytes = postcode.as_bytes();
        let shape = bytes.len() == 7
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[4] == b' '
            && bytes[5..].iter().all(u8::is_ascii_uppercase);
        // Dutch postcodes never end in SA, SD or SS.
        let letters_ok = shape && !matches!(&postcode[5..], "SA" | "SD" | "SS");
        if !letters_ok || Pc4::from_postcode(postcode).is_err() {
            self.problem(
                at,
                format!("postcode '{postcode}' is not a PC6 like '2324 KD'"),
            );
            return;
        }
        if !pc4s.contains(&postcode[..4]) {
            self.problem(
                at,
                format!(
                    "postcode '{postcode}' does not lie in {municipality} (see the [[postcode]] areas of demo/sociale-kaart.toml)"
                ),
            );
        }
    }

    fn languages(&mut self, at: &str, languages: &[String]) {
        for code in languages {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                self.problem(at, format!("language '{code}' is not an ISO 639-1 code"));
            }
        }
    }

    fn birth_year(&mut self, at: &str, year: i32) {
        if !(1915..=2010).contains(&year) {
            self.problem(at, format!("birth_year {year} is not plausible"));
        }
    }

    fn slug(&mut self, at: &str, key: &str) {
        let ok = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            self.problem(at, "the key must be lower-case letters, digits and '-'");
        }
        if key == CAREGIVER {
            self.problem(at, "'caregiver' is reserved");
        }
    }

    fn short(&mut self, at: &str, field: &str, text: &str) {
        if let Err(e) = one_line(text, SHORT_TEXT_MAX) {
            self.problem(at, format!("{field}: {e}"));
        }
    }

    fn long(&mut self, at: &str, field: &str, text: &str, required: bool) {
        match multi_line(text, LONG_TEXT_MAX) {
            Err(e) => self.problem(at, format!("{field}: {e}")),
            Ok(t) if required && t.is_empty() => self.problem(at, format!("{field} is empty")),
            _ => {}
        }
    }
}

// ---- Seeding ---------------------------------------------------------------------------------

/// What the demo region's seeding made before the kring, for [`seed`].
pub struct SeedInput<'a> {
    /// The moment the demo starts; "today" is its local date in Amsterdam.
    pub now: Millis,
    /// The demo password, hashed once (see `demo::seed`).
    pub password_hash: &'a str,
    /// (CBS code, id) of the demo municipalities.
    pub municipalities: &'a [(String, String)],
    /// Organisation name → id, for every organisation of the demo region.
    pub organisations: &'a HashMap<String, String>,
    /// The existing demo accounts (`demo::ACCOUNTS`): e-mail → (user id, person id).
    pub accounts: &'a HashMap<String, (String, String)>,
}

/// What [`seed`] made.
#[derive(Debug, Clone, Default)]
pub struct KringSeeded {
    pub networks: usize,
    /// Active members, over all networks.
    pub members: usize,
    /// New user accounts (the demo accounts are reused).
    pub users: usize,
    pub messages: usize,
    pub tasks: usize,
    /// Tasks marked "hulp gezocht" (they stay unfilled).
    pub help_wanted: usize,
}

/// Writes the kring of every caregiver in the file into the caller's transaction, through the
/// store's own functions: the people and accounts that are not demo accounts yet (all with the
/// demo password; professionals without a second factor, which they set up at their first
/// login), and per caregiver the network with its naasten, members (with the caregiver's
/// consent, online or verbal), regiehouder, "Mijn situatie" with its older versions, open
/// proposals, messages and questions, agreements, tasks with sign-ups. Then the unfilled pass
/// runs once, so "hulp gezocht" shows at once.
///
/// The store stamps what it writes with the current time, and the demo needs a history. So after
/// a write the seeding moves its timestamps into the past with a targeted `UPDATE … WHERE id` in
/// the same transaction. That is for demo seeding only: the application never rewrites history.
/// Every member's digest starts now, so the first digest does not resend the demo's history.
pub async fn seed(tx: &mut Conn, input: &SeedInput<'_>) -> Result<KringSeeded, StoreError> {
    let demo = checked()?;
    let mut seeder = Seeder {
        input,
        demo,
        today: Day::local(input.now),
        municipalities: municipality_ids(input.municipalities),
        person_users: HashMap::new(),
        seeded: KringSeeded::default(),
    };
    for person in &demo.persons {
        let user = seeder.person_account(tx, person).await?;
        seeder.person_users.insert(person.key.clone(), user);
    }
    for caregiver in &demo.caregivers {
        seeder.network(tx, caregiver).await?;
    }
    agenda::mark_unfilled(tx, input.now).await?;
    // A sign-up already evaluates its task, so the pass does not mark every one itself.
    let marked = agenda::help_wanted_tasks(tx, seeder.seeded.tasks as i64).await?;
    seeder.seeded.help_wanted = marked.len();
    Ok(seeder.seeded)
}

/// The embedded file, read and checked once per process (the tests seed the demo many times).
fn checked() -> Result<&'static KringDemo, StoreError> {
    static CHECKED_FILE: OnceLock<Result<KringDemo, String>> = OnceLock::new();
    CHECKED_FILE
        .get_or_init(load)
        .as_ref()
        .map_err(|e| StoreError::Conflict(e.clone()))
}

/// Municipality name → id, from the (CBS code, id) pairs and `demo::MUNICIPALITIES`.
fn municipality_ids(ids: &[(String, String)]) -> HashMap<String, String> {
    crate::demo::MUNICIPALITIES
        .iter()
        .filter_map(|(code, name)| {
            ids.iter()
                .find(|(c, _)| c == code)
                .map(|(_, id)| (name.to_string(), id.clone()))
        })
        .collect()
}

/// The e-mail address the seeding gives a member whom the file writes without one (a neighbour
/// with only a phone number): `given.family@demo.mantelkring.nl`, letters and digits only.
/// Everyone in a kring has an account with an e-mail address, so in the demo they get one too.
pub fn derived_email(name: &str) -> String {
    let (given, family) = name.split_once(' ').unwrap_or((name, ""));
    let letters = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    };
    format!("{}.{}@{EMAIL_DOMAIN}", letters(given), letters(family))
}

/// Days between the start of a network (its oldest entry) and today.
fn network_age(c: &Caregiver) -> i64 {
    let versions = c.situation_versions().into_iter().map(|(days, _)| days);
    let agreements = c.agreements.iter().map(|a| a.from_days_ago);
    let tasks = c.tasks.iter().map(|t| t.created_days_ago);
    let messages = c.messages.iter().map(|m| m.days_ago);
    let proposals = c.proposals.iter().map(|p| p.days_ago);
    versions
        .chain(agreements)
        .chain(tasks)
        .chain(messages)
        .chain(proposals)
        .chain([PROPOSED_DAYS_AGO])
        .max()
        .unwrap_or(0)
}

/// Members waiting for the caregiver's approval were proposed this many days ago.
const PROPOSED_DAYS_AGO: i64 = 2;

/// A refusal the checked file should never cause.
fn refused(caregiver: &str, what: impl std::fmt::Debug) -> StoreError {
    StoreError::Conflict(format!(
        "demo/kring.toml, caregiver '{caregiver}': {what:?}"
    ))
}

/// One line of text as the web forms hand it to the store (the checker accepted it already).
fn line(caregiver: &str, value: &str) -> Result<String, StoreError> {
    one_line(value, SHORT_TEXT_MAX).map_err(|e| refused(caregiver, e))
}

/// A longer text as the web forms hand it to the store.
fn lines(caregiver: &str, value: &str) -> Result<String, StoreError> {
    multi_line(value, LONG_TEXT_MAX).map_err(|e| refused(caregiver, e))
}

/// Moves one timestamp of the row with id `$2` into the past: `sql` sets it to `$1` (demo seeding
/// only, see [`seed`]).
async fn stamp(tx: &mut Conn, sql: &'static str, at: Millis, id: &str) -> Result<(), StoreError> {
    sqlx::query(sql).bind(at).bind(id).execute(&mut *tx).await?;
    Ok(())
}

/// A member as seeded in one network.
#[derive(Debug, Clone)]
struct Seated {
    member_id: String,
    user_id: String,
    acts_for_caregiver: bool,
}

/// One network being seeded: who its references name.
struct Ctx<'a> {
    key: &'a str,
    caregiver_name: String,
    network: &'a str,
    /// Reference → the active member.
    seated: HashMap<String, Seated>,
    /// Who does what the caregiver does: their own account, or the member acting for them
    /// (then on their behalf).
    speaker: (String, bool),
}

impl Ctx<'_> {
    fn seat(&self, reference: &str) -> Result<&Seated, StoreError> {
        self.seated
            .get(reference)
            .ok_or_else(|| refused(self.key, format!("'{reference}' is no active member")))
    }

    /// Who acts when `reference` does something.
    fn by(&self, reference: &str) -> Result<By<'_>, StoreError> {
        if reference == CAREGIVER {
            return Ok(By {
                user_id: &self.speaker.0,
                on_behalf: self.speaker.1,
            });
        }
        let seat = self.seat(reference)?;
        Ok(By {
            user_id: &seat.user_id,
            on_behalf: seat.acts_for_caregiver,
        })
    }

    /// The member id of a reference; `None` for the caregiver, who is no member of their own
    /// network (and reads everything in it).
    fn member_id(&self, reference: &str) -> Result<Option<String>, StoreError> {
        if reference == CAREGIVER {
            return Ok(None);
        }
        Ok(Some(self.seat(reference)?.member_id.clone()))
    }
}

struct Seeder<'a> {
    input: &'a SeedInput<'a>,
    demo: &'a KringDemo,
    today: Day,
    municipalities: HashMap<String, String>,
    /// [[person]] key → user id.
    person_users: HashMap<String, String>,
    seeded: KringSeeded,
}

impl Seeder<'_> {
    /// Local `hour:00` plus `minutes` on the day `days_ago` before today.
    fn at(&self, days_ago: i64, hour: u8, minutes: i64) -> Millis {
        self.today.plus(-days_ago).start_ms() + i64::from(hour) * 3_600_000 + minutes * 60_000
    }

    /// At most a minute before the demo starts: today's entries lie in the past too.
    fn past(&self, at: Millis) -> Millis {
        at.min(self.input.now - 60_000)
    }

    fn organisation(&self, name: Option<&str>) -> Result<Option<String>, StoreError> {
        name.map(|n| {
            self.input
                .organisations
                .get(n)
                .cloned()
                .ok_or_else(|| StoreError::NotFound(format!("demo/kring.toml: organisation '{n}'")))
        })
        .transpose()
    }

    /// A person with their user and role: the demo password, no second factor. Professionals
    /// and case managers work for their organisation (`Role::Professional`); volunteers are
    /// volunteers; family and friends are network members, and so is a local professional from
    /// outside the demo's organisations (a village GP), who has no organisation to hold the
    /// professional role through.
    async fn new_account(
        &mut self,
        tx: &mut Conn,
        name: &str,
        email: &str,
        phone: Option<&str>,
        kind: MemberKind,
        organisation: Option<&str>,
    ) -> Result<String, StoreError> {
        let (given, family) = name.split_once(' ').unwrap_or((name, ""));
        let person = base::insert_person(
            tx,
            &NewPerson {
                given_name: given,
                family_name: family,
                email: Some(email),
                phone,
                ..Default::default()
            },
        )
        .await?;
        let user = base::insert_user(
            tx,
            &NewUser {
                email,
                display_name: name,
                person_id: Some(&person),
                password_hash: Some(self.input.password_hash),
                totp_secret: None,
            },
        )
        .await?;
        match (kind, self.organisation(organisation)?) {
            (MemberKind::Professional | MemberKind::CaseManager, Some(org)) => {
                base::add_membership(tx, &user, &org, Role::Professional).await?
            }
            (MemberKind::Volunteer, _) => {
                identity::add_personal_role(tx, &user, Role::Volunteer).await?
            }
            _ => identity::add_personal_role(tx, &user, Role::NetworkMember).await?,
        }
        self.seeded.users += 1;
        Ok(user)
    }

    /// The user of a [[person]]: their demo account, or a new one.
    async fn person_account(&mut self, tx: &mut Conn, p: &Person) -> Result<String, StoreError> {
        let Some(email) = p.account.as_deref() else {
            return Err(StoreError::NotFound(format!(
                "demo/kring.toml: person '{}' has no account",
                p.key
            )));
        };
        if let Some((user, _)) = self.input.accounts.get(email) {
            return Ok(user.clone());
        }
        self.new_account(
            tx,
            &p.name,
            email,
            p.phone.as_deref(),
            p.kind(),
            p.organisation.as_deref(),
        )
        .await
    }

    /// The user of a member: the [[person]]'s, or a new account for an inline member (with a
    /// [`derived_email`] when the file gives no address).
    async fn member_user(&mut self, tx: &mut Conn, m: &Member) -> Result<String, StoreError> {
        if let Some(key) = &m.person {
            return self
                .person_users
                .get(key)
                .cloned()
                .ok_or_else(|| StoreError::NotFound(format!("demo/kring.toml: person '{key}'")));
        }
        let demo = self.demo;
        let name = demo.member_name(m);
        if let Some((user, _)) = m
            .account
            .as_deref()
            .and_then(|a| self.input.accounts.get(a))
        {
            return Ok(user.clone());
        }
        let email = demo
            .member_email(m)
            .map_or_else(|| derived_email(name), str::to_string);
        self.new_account(
            tx,
            name,
            &email,
            m.phone.as_deref(),
            demo.member_kind(m),
            m.organisation.as_deref(),
        )
        .await
    }

    /// The caregiver's person and user (none without e-mail).
    async fn caregiver_account(
        &mut self,
        tx: &mut Conn,
        c: &Caregiver,
    ) -> Result<(String, Option<String>), StoreError> {
        if let Some(account) = &c.account {
            let (user, person) = self
                .input
                .accounts
                .get(account)
                .ok_or_else(|| StoreError::NotFound(format!("demo account {account}")))?;
            return Ok((person.clone(), Some(user.clone())));
        }
        let person = base::insert_person(
            tx,
            &NewPerson {
                given_name: &c.given_name,
                family_name: &c.family_name,
                email: c.email.as_deref(),
                phone: c.phone.as_deref(),
                postcode: Some(&c.postcode),
                municipality_id: self.municipalities.get(&c.municipality).map(String::as_str),
            },
        )
        .await?;
        let Some(email) = &c.email else {
            return Ok((person, None));
        };
        let user = base::insert_user(
            tx,
            &NewUser {
                email,
                display_name: &c.name(),
                person_id: Some(&person),
                password_hash: Some(self.input.password_hash),
                totp_secret: None,
            },
        )
        .await?;
        identity::add_personal_role(tx, &user, Role::Caregiver).await?;
        self.seeded.users += 1;
        Ok((person, Some(user)))
    }

    /// One caregiver's kring.
    async fn network(&mut self, tx: &mut Conn, c: &Caregiver) -> Result<(), StoreError> {
        let (person, caregiver_user) = self.caregiver_account(tx, c).await?;
        let network = network::network_of(tx, &person).await?;
        let start = self.at(network_age(c), 9, 0);
        stamp(
            tx,
            "UPDATE networks SET created_at = $1 WHERE id = $2",
            start,
            &network,
        )
        .await?;
        for n in &c.naaste {
            let id = members::add_naaste(
                tx,
                &network,
                &n.given_name,
                &n.family_name,
                n.relation(),
                Some(i64::from(n.birth_year)),
            )
            .await?;
            stamp(
                tx,
                "UPDATE network_naasten SET created_at = $1 WHERE id = $2",
                start,
                &id,
            )
            .await?;
        }

        // The caregiver's consent for each membership: given online by the caregiver, or said
        // aloud and written down by the professional named in the file. Who recorded it added
        // the member (as when a professional registers a caregiver without e-mail).
        let verbal = c.consent_is_verbal();
        let recorder = if verbal {
            c.consent_recorded_by
                .as_deref()
                .and_then(|k| self.person_users.get(k))
                .cloned()
        } else {
            caregiver_user.clone()
        }
        .ok_or_else(|| refused(&c.key, "no one to record the consent"))?;
        let method = if verbal {
            ConsentMethod::Verbal
        } else {
            ConsentMethod::Online
        };
        // Active members in the file's order, which is the order they joined in.
        let mut seated = HashMap::new();
        for (i, m) in c.members.iter().enumerate().filter(|(_, m)| m.is_active()) {
            let user = self.member_user(tx, m).await?;
            let joined = start + (i as i64 + 1) * 60_000;
            let consent =
                network::record_consent(tx, &person, network::MEMBERSHIP_SCOPE, method, &recorder)
                    .await?;
            stamp(
                tx,
                "UPDATE consents SET given_at = $1 WHERE id = $2",
                joined,
                &consent,
            )
            .await?;
            let organisation = self.organisation(self.member_organisation(m))?;
            let categories = m.categories();
            let new = NewMember {
                network_id: &network,
                user_id: &user,
                organisation_id: organisation.as_deref(),
                kind: self.demo.member_kind(m),
                field: self.demo.member_field(m),
                role_label: self.member_role_label(m),
                categories: &categories,
                notify: m.notify(),
                acts_for_caregiver: m.acts_for_caregiver,
            };
            let by = By {
                user_id: &recorder,
                on_behalf: false,
            };
            let member_id = members::add(tx, &new, &consent, by).await?;
            sqlx::query(
                "UPDATE network_members SET joined_at = $1, decided_at = $1, digest_sent_until = $2 \
                 WHERE id = $3",
            )
            .bind(joined)
            .bind(self.input.now)
            .bind(&member_id)
            .execute(&mut *tx)
            .await?;
            event_at(tx, &member_id, MemberEvent::Added, joined).await?;
            seated.insert(
                m.reference().to_string(),
                Seated {
                    member_id,
                    user_id: user,
                    acts_for_caregiver: m.acts_for_caregiver,
                },
            );
        }
        let speaker = match &caregiver_user {
            Some(user) => (user.clone(), false),
            None => seated
                .values()
                .find(|s| s.acts_for_caregiver)
                .map(|s| (s.user_id.clone(), true))
                .ok_or_else(|| refused(&c.key, "no one acts for the caregiver"))?,
        };
        let ctx = Ctx {
            key: &c.key,
            caregiver_name: c.name(),
            network: &network,
            seated,
            speaker,
        };

        // Proposed members wait for the caregiver, who chooses what they see when approving
        // (so, as in the web form, the proposal carries no categories).
        for m in c.members.iter().filter(|m| !m.is_active()) {
            let user = self.member_user(tx, m).await?;
            let organisation = self.organisation(self.member_organisation(m))?;
            let new = NewMember {
                network_id: &network,
                user_id: &user,
                organisation_id: organisation.as_deref(),
                kind: self.demo.member_kind(m),
                field: self.demo.member_field(m),
                role_label: self.member_role_label(m),
                categories: &[],
                notify: m.notify(),
                acts_for_caregiver: false,
            };
            let by = ctx.by(m.proposed_by.as_deref().unwrap_or(CAREGIVER))?;
            let id = members::propose(tx, &new, "", by).await?;
            let proposed = self.past(self.at(PROPOSED_DAYS_AGO, 20, 0));
            stamp(
                tx,
                "UPDATE network_members SET joined_at = $1 WHERE id = $2",
                proposed,
                &id,
            )
            .await?;
            event_at(tx, &id, MemberEvent::Proposed, proposed).await?;
        }

        if let Some(r) = c.regiehouder() {
            let member = ctx.seat(r.reference())?.member_id.clone();
            let term = regie::appoint(tx, &network, &member, "", ctx.by(CAREGIVER)?)
                .await?
                .map_err(|e| refused(&c.key, e))?;
            let at = start + 60 * 60_000;
            stamp(
                tx,
                "UPDATE network_regie SET created_at = $1, started_at = $1 WHERE id = $2",
                at,
                &term,
            )
            .await?;
            event_at(tx, &member, MemberEvent::RegiehouderStarted, at).await?;
        }

        self.situation(tx, c, &ctx).await?;
        self.messages(tx, c, &ctx).await?;
        self.agenda(tx, c, &ctx).await?;
        self.seeded.networks += 1;
        self.seeded.members += c.size();
        Ok(())
    }

    fn member_organisation<'m>(&'m self, m: &'m Member) -> Option<&'m str> {
        match self.demo.person_of(m) {
            Some(p) => p.organisation.as_deref(),
            None => m.organisation.as_deref(),
        }
    }

    fn member_role_label<'m>(&'m self, m: &'m Member) -> &'m str {
        match self.demo.person_of(m) {
            Some(p) => &p.role_label,
            None => m.role_label.as_deref().unwrap_or_default(),
        }
    }

    /// "Mijn situatie": every version, saved by the caregiver (or for them), and the open
    /// proposals on the current one.
    async fn situation(
        &mut self,
        tx: &mut Conn,
        c: &Caregiver,
        ctx: &Ctx<'_>,
    ) -> Result<(), StoreError> {
        let mut number = 0;
        for (days_ago, version) in c.situation_versions() {
            number = versions::save(tx, ctx.network, number, &version, ctx.by(CAREGIVER)?)
                .await?
                .map_err(|e| refused(&c.key, e))?;
            sqlx::query(
                "UPDATE situation_versions SET created_at = $1 WHERE network_id = $2 AND version = $3",
            )
            .bind(self.past(self.at(days_ago, 11, 0)))
            .bind(ctx.network)
            .bind(number)
            .execute(&mut *tx)
            .await?;
        }
        for p in &c.proposals {
            let note = line(&c.key, &p.note)?;
            let id = versions::propose(
                tx,
                ctx.network,
                number,
                &c.proposed_situation(p),
                &note,
                ctx.by(&p.by)?.user_id,
            )
            .await?
            .map_err(|e| refused(&c.key, e))?;
            stamp(
                tx,
                "UPDATE situation_proposals SET created_at = $1 WHERE id = $2",
                self.past(self.at(p.days_ago, 14, 0)),
                &id,
            )
            .await?;
        }
        Ok(())
    }

    /// Messages and questions at their local hour (the store takes the moment of posting and
    /// of answering), in the file's order.
    async fn messages(
        &mut self,
        tx: &mut Conn,
        c: &Caregiver,
        ctx: &Ctx<'_>,
    ) -> Result<(), StoreError> {
        let count = c.messages.len() as i64;
        for (i, m) in c.messages.iter().enumerate() {
            // Today's hour may not have come yet: then a minute apart before now, in order.
            let asked = self
                .at(m.days_ago, m.hours, 0)
                .min(self.input.now - (count - i as i64) * 60_000);
            let mut to = Vec::new();
            for r in m.to.iter().filter(|r| *r != CAREGIVER) {
                to.extend(ctx.member_id(r)?);
            }
            let assigned = match &m.assigned_to {
                Some(a) => ctx.member_id(a)?,
                None => None,
            };
            let body = lines(&c.key, &m.body)?;
            let id = timeline::post(
                tx,
                &NewPost {
                    network_id: ctx.network,
                    by: ctx.by(&m.by)?,
                    kind: if m.is_question() {
                        Kind::Question
                    } else {
                        Kind::Message
                    },
                    body: &body,
                    audience: if m.to.is_empty() {
                        Audience::All
                    } else {
                        Audience::Members(&to)
                    },
                    assigned_member_id: assigned.as_deref(),
                    answer_by: m.is_question().then(|| self.today.plus(-m.answer_by())),
                    now: asked,
                },
            )
            .await?;
            if let (Some(answerer), Some(answer)) = (m.answerer(), &m.answer) {
                let days = m.answered_days_ago.unwrap_or(0);
                let answered = self
                    .past(self.at(days, m.hours.saturating_add(2).min(22), 0))
                    .max(asked + 1_000);
                let answer = lines(&c.key, answer)?;
                let by = ctx.by(answerer)?.user_id;
                if !timeline::answer(tx, ctx.network, &id, by, &answer, answered).await? {
                    return Err(refused(&c.key, "a question could not be answered"));
                }
            }
            self.seeded.messages += 1;
        }
        Ok(())
    }

    /// Agreements, and tasks with the sign-ups for their occurrences in the agenda's weeks.
    async fn agenda(
        &mut self,
        tx: &mut Conn,
        c: &Caregiver,
        ctx: &Ctx<'_>,
    ) -> Result<(), StoreError> {
        let today = self.today;
        for a in &c.agreements {
            let what = line(&c.key, &a.what)?;
            let member = ctx.member_id(&a.who)?;
            let who = match &member {
                Some(id) => agenda::Who::Member(id),
                None => agenda::Who::Text(&ctx.caregiver_name),
            };
            let new = agenda::NewAgreement {
                network_id: ctx.network,
                what: &what,
                who,
                starts_on: today.plus(-a.from_days_ago),
                review_on: a.review_in_days.map(|d| today.plus(d)),
            };
            let id = agenda::add_agreement(tx, &new, ctx.by(CAREGIVER)?)
                .await?
                .map_err(|e| refused(&c.key, e))?;
            stamp(
                tx,
                "UPDATE network_agreements SET created_at = $1 WHERE id = $2",
                self.past(self.at(a.from_days_ago, 12, 0)),
                &id,
            )
            .await?;
        }
        for t in &c.tasks {
            let title = line(&c.key, &t.title)?;
            let details = lines(&c.key, &t.details)?;
            let schedule = t.schedule(today);
            let new = agenda::NewTask {
                network_id: ctx.network,
                title: &title,
                details: &details,
                schedule,
                start: Some(t.start()),
                end: Some(t.end()),
                needed: t.needed,
            };
            let by = ctx.by(t.by.as_deref().unwrap_or(CAREGIVER))?;
            let id = agenda::add_task(tx, &new, by).await?;
            // Before the sign-ups: they ask whether the task stays unfilled since its creation.
            stamp(
                tx,
                "UPDATE network_tasks SET created_at = $1 WHERE id = $2",
                self.past(self.at(t.created_days_ago, 13, 0)),
                &id,
            )
            .await?;
            let days = schedule.occurrences(today, today.plus(AGENDA_DAYS));
            for s in &t.signups {
                let member = ctx.seat(s)?.member_id.clone();
                for day in &days {
                    agenda::sign_up(tx, ctx.network, &id, *day, &member, today)
                        .await?
                        .map_err(|e| refused(&c.key, e))?;
                }
            }
            self.seeded.tasks += 1;
        }
        Ok(())
    }
}

/// Moves a membership's history event into the past (demo seeding only, see [`seed`]).
async fn event_at(
    tx: &mut Conn,
    member_id: &str,
    event: MemberEvent,
    at: Millis,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE network_member_events SET at = $1 WHERE member_id = $2 AND event = $3")
        .bind(at)
        .bind(member_id)
        .bind(event.as_str())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mantelkring_core::network::agenda::{Occurrence, stays_unfilled};

    fn demo() -> KringDemo {
        load().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A small valid file, to break on purpose.
    const SMALL: &str = r#"
[[person]]
key = "marieke"
account = "marieke.jansen@demo.mantelkring.nl"
name = "Marieke Jansen"
kind = "professional"
field = "welzijn"
role_label = "Mantelzorgconsulent"
organisation = "Steunpunt Mantelzorg Rijnstreek"

[[caregiver]]
key = "test"
given_name = "Test"
family_name = "Persoon"
email = "test.persoon@demo.mantelkring.nl"
postcode = "2311 AB"
municipality = "Leiden"
consent = "online"
story = "Een test."

  [[caregiver.naaste]]
  given_name = "Piet"
  family_name = "Persoon"
  relation = "partner"
  birth_year = 1940
  situation = "test"

  [caregiver.situation]
  days_ago = 3
  naaste = "Piet is ziek."
  care_tasks = "Koken."
  hours_per_week = 10
  since = "sinds kort"
  living_together = true
  responsibilities = ""
  going_well = ""
  hard = ""
  wishes = ""
  agreements = ""
  emergency_plan = ""
  other = ""

  [[caregiver.member]]
  person = "marieke"
  categories = ["messages", "agenda"]
  regiehouder = true

  [[caregiver.member]]
  name = "Joke Persoon"
  kind = "own"
  role_label = "Dochter"
  categories = ["agenda"]

  [[caregiver.message]]
  by = "marieke"
  days_ago = 2
  hours = 10
  kind = "question"
  assigned_to = "caregiver"
  body = "Hoe gaat het?"

  [[caregiver.task]]
  title = "Boodschappen"
  first_in_days = 2
  start = "10:00"
  end = "11:00"
  needed = 1
  created_days_ago = 1
  signups = ["Joke Persoon"]
"#;

    #[test]
    fn the_file_loads_and_checks() {
        let demo = demo();
        assert!(demo.persons.len() >= 10, "{}", demo.persons.len());
        for c in &demo.caregivers {
            let versions = c.situation_versions();
            assert_eq!(versions.len(), c.situation_earlier.len() + 1, "{}", c.key);
            assert!(versions.windows(2).all(|w| w[0].0 > w[1].0), "{}", c.key);
            for p in &c.proposals {
                assert_ne!(c.proposed_situation(p), versions.last().unwrap().1);
            }
        }
    }

    #[test]
    fn about_twenty_caregivers() {
        let n = demo().caregivers.len();
        assert!((18..=24).contains(&n), "{n} caregivers");
    }

    #[test]
    fn ria_is_one_of_them_with_sanne_and_marieke() {
        let demo = demo();
        let ria = demo
            .caregivers
            .iter()
            .find(|c| c.account.as_deref() == Some("ria.devries@demo.mantelkring.nl"))
            .expect("Ria");
        let sanne = ria
            .members
            .iter()
            .find(|m| m.account.as_deref() == Some("sanne.devries@demo.mantelkring.nl"))
            .expect("Sanne");
        assert_eq!(demo.member_kind(sanne), MemberKind::Own);
        assert_eq!(
            sanne.categories(),
            [DataCategory::Agenda, DataCategory::Messages]
        );
        let marieke = ria.member("marieke").expect("Marieke");
        assert_eq!(marieke.categories(), DataCategory::GRANTABLE);
    }

    #[test]
    fn a_caregiver_without_email_is_represented_with_verbal_consent() {
        let demo = demo();
        let found = demo.caregivers.iter().any(|c| {
            c.email.is_none()
                && c.account.is_none()
                && c.consent_is_verbal()
                && c.consent_recorded_by
                    .as_deref()
                    .and_then(|k| demo.person(k))
                    .is_some_and(|p| p.kind() != MemberKind::Volunteer)
                && c.active_members().any(|m| m.acts_for_caregiver)
        });
        assert!(found);
    }

    #[test]
    fn some_networks_have_no_regiehouder() {
        let without = demo()
            .caregivers
            .iter()
            .filter(|c| c.regiehouder().is_none())
            .count();
        assert!(without >= 3, "{without}");
    }

    #[test]
    fn shared_people_appear_in_several_networks() {
        let demo = demo();
        let marieke = demo.networks_of("marieke").count();
        assert!(marieke >= 6, "marieke in {marieke} networks");
        let youssef = demo.networks_of("youssef").count();
        assert!((2..=3).contains(&youssef), "youssef in {youssef} networks");
        let shared = demo
            .persons
            .iter()
            .filter(|p| demo.networks_of(&p.key).count() >= 2)
            .count();
        assert!(shared >= 10, "{shared}");
    }

    #[test]
    fn network_sizes_vary() {
        let sizes: Vec<usize> = demo().caregivers.iter().map(Caregiver::size).collect();
        assert!(*sizes.iter().min().unwrap() <= 2, "{sizes:?}");
        assert!(*sizes.iter().max().unwrap() >= 12, "{sizes:?}");
    }

    #[test]
    fn the_demo_shows_proposals_overdue_questions_and_unfilled_tasks() {
        let demo = demo();
        let all = || demo.caregivers.iter();
        assert!(all().any(|c| !c.proposals.is_empty()));
        assert!(
            all()
                .flat_map(|c| &c.members)
                .any(|m| m.status() == MemberStatus::Proposed)
        );
        assert!(all().flat_map(|c| &c.messages).any(Message::is_overdue));
        assert!(all().flat_map(|c| &c.tasks).any(|t| t.weekly));
        assert!(all().flat_map(|c| &c.tasks).any(Task::is_unfilled));
        // On whatever weekday the demo starts, some task stays unfilled long enough to be offered
        // to volunteers.
        for offset in 0..7 {
            let today = Day(20_000 + offset);
            let offered = all().flat_map(|c| &c.tasks).any(|t| {
                let occurrences: Vec<Occurrence> = t
                    .schedule(today)
                    .occurrences(today, today.plus(14))
                    .into_iter()
                    .map(|day| Occurrence {
                        day,
                        signed_up: t.signups.len() as u32,
                    })
                    .collect();
                stays_unfilled(
                    today.plus(-t.created_days_ago),
                    today,
                    t.needed,
                    &occurrences,
                )
            });
            assert!(offered, "{}", today.iso());
        }
    }

    #[test]
    fn weekly_tasks_fall_on_their_weekday() {
        let today = Day(20_000);
        for t in demo().caregivers.iter().flat_map(|c| &c.tasks) {
            let first = t.first_day(today);
            assert!(first >= today.plus(t.first_in_days));
            if let Some(w) = t.weekday() {
                assert_eq!(first.weekday(), w, "{}", t.title);
            }
        }
    }

    #[test]
    fn the_small_file_is_valid() {
        let demo = parse(SMALL).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(demo.caregivers[0].size(), 2);
        assert!(demo.caregivers[0].messages[0].is_question());
        assert_eq!(demo.caregivers[0].messages[0].answer_by(), -5);
    }

    #[test]
    fn a_broken_reference_is_reported() {
        let broken = SMALL.replace(
            r#"signups = ["Joke Persoon"]"#,
            r#"signups = ["Joke Jansen"]"#,
        );
        let e = parse(&broken).unwrap_err();
        assert!(e.contains("signups 'Joke Jansen'"), "{e}");
        assert!(e.contains("caregiver 'test', task 1"), "{e}");

        let broken = SMALL.replace(r#"person = "marieke""#, r#"person = "mareike""#);
        let e = parse(&broken).unwrap_err();
        assert!(e.contains("no [[person]] with key 'mareike'"), "{e}");
    }

    #[test]
    fn other_mistakes_are_reported() {
        let cases = [
            (
                r#"relation = "partner""#,
                r#"relation = "echtgenoot""#,
                "unknown relation",
            ),
            (
                r#"categories = ["agenda"]"#,
                r#"categories = ["access_log"]"#,
                "cannot be granted",
            ),
            (
                r#"postcode = "2311 AB""#,
                r#"postcode = "2351 AB""#,
                "does not lie in Leiden",
            ),
            (r#"end = "11:00""#, r#"end = "25:00""#, "HH:MM"),
            (
                r#"organisation = "Steunpunt Mantelzorg Rijnstreek""#,
                r#"organisation = "Steunpunt Mantelzorg Leiden""#,
                "no demo organisation",
            ),
            (
                r#"categories = ["messages", "agenda"]"#,
                r#"categories = ["agenda"]"#,
                "must read the messages",
            ),
            (
                r#"kind = "own""#,
                r#"kind = "own"
  regiehouder = true"#,
                "more than one regiehouder",
            ),
            (
                r#"email = "test.persoon@demo.mantelkring.nl""#,
                r#"email = "marieke.jansen@demo.mantelkring.nl""#,
                "already used",
            ),
            (
                r#"email = "test.persoon@demo.mantelkring.nl""#,
                r#"phone = "071 555 0101""#,
                "must act for them",
            ),
            (
                "hours_per_week = 10",
                "hours_per_week = 10\n  colour = \"blauw\"",
                "unknown field",
            ),
        ];
        for (from, to, expect) in cases {
            assert!(SMALL.contains(from), "{from}");
            let e = parse(&SMALL.replacen(from, to, 1)).unwrap_err();
            assert!(e.contains(expect), "{from} -> {to}: {e}");
        }
    }
}
