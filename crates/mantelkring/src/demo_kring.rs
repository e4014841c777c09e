//! The demo content of the care networks (kring): about twenty caregivers in the demo region, each
//! with their naaste, "Mijn situatie" and its older versions, the members of their network,
//! messages and questions, agreements and agenda tasks. The content is a data file beside this
//! crate (`demo/kring.toml`, documented at its top), embedded in the binary.
//!
//! This module only reads and checks the file: [`load`] parses it and [`KringDemo::check`]
//! validates every code with the core's parsers and every reference between people, so the
//! seeding can trust what it gets. Codes stay text in the structs (as written in the file); the
//! accessors (`kind()`, `categories()`, `schedule()` …) give the typed values and may only be
//! called on a checked file.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::directory::model::Weekday;
use mantelkring_core::geo::Pc4;
use mantelkring_core::identity::Email;
use mantelkring_core::network::agenda::{ClockTime, DEFAULT_ANSWER_DAYS, Day, Schedule};
use mantelkring_core::network::situation::{Situation, SituationInput};
use mantelkring_core::network::{
    Field, LONG_TEXT_MAX, MemberKind, MemberStatus, NotifyMode, Relation, SHORT_TEXT_MAX,
    multi_line, one_line,
};

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
    /// the seeding creates a user without password.
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
