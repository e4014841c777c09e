//! The entries of the sociale kaart, as one service with everything a reader needs: the
//! organisation, the places, opening hours, who pays, for whom and where. Shaped after
//! Open Referral HSDS 3.0 (every entity has a UUID), so the HSDS API, the export, the search
//! index and the pages all read the same record.

use std::fmt;

use uuid::Uuid;

use crate::geo::{Coordinates, Pc4};

/// HSDS `service.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceStatus {
    Active,
    Inactive,
    Defunct,
    TemporarilyClosed,
}

impl ServiceStatus {
    pub const ALL: [ServiceStatus; 4] = [
        ServiceStatus::Active,
        ServiceStatus::Inactive,
        ServiceStatus::Defunct,
        ServiceStatus::TemporarilyClosed,
    ];

    /// The HSDS value, also what the database keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Active => "active",
            ServiceStatus::Inactive => "inactive",
            ServiceStatus::Defunct => "defunct",
            ServiceStatus::TemporarilyClosed => "temporarily closed",
        }
    }

    pub fn parse(s: &str) -> Option<ServiceStatus> {
        ServiceStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Shown in public search.
    pub fn is_listed(self) -> bool {
        matches!(
            self,
            ServiceStatus::Active | ServiceStatus::TemporarilyClosed
        )
    }
}

/// Who pays: the Dutch funding routes (HSDS `funding.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Funding {
    /// Wet maatschappelijke ondersteuning: through the municipality.
    Wmo,
    /// Wet langdurige zorg: with a CIZ indication.
    Wlz,
    /// Zorgverzekeringswet: the health insurance.
    Zvw,
    /// Free for the caregiver.
    Free,
    /// Paid privately.
    Private,
}

impl Funding {
    pub const ALL: [Funding; 5] = [
        Funding::Wmo,
        Funding::Wlz,
        Funding::Zvw,
        Funding::Free,
        Funding::Private,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Funding::Wmo => "wmo",
            Funding::Wlz => "wlz",
            Funding::Zvw => "zvw",
            Funding::Free => "gratis",
            Funding::Private => "eigen-betaling",
        }
    }

    pub fn parse(s: &str) -> Option<Funding> {
        let s = s.trim().to_lowercase();
        Funding::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Days of the week, Monday first (ISO 8601 numbering 1–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    Monday = 1,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: i64) -> Option<Weekday> {
        Weekday::ALL
            .into_iter()
            .find(|d| i64::from(d.number()) == n)
    }

    /// The iCalendar / HSDS `byday` code.
    pub fn ical(self) -> &'static str {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][self as usize - 1]
    }

    pub fn from_ical(s: &str) -> Option<Weekday> {
        Weekday::ALL
            .into_iter()
            .find(|d| d.ical().eq_ignore_ascii_case(s.trim()))
    }

    /// Message code suffix for labels ("ma", "di", …).
    pub fn code(self) -> &'static str {
        ["ma", "di", "wo", "do", "vr", "za", "zo"][self as usize - 1]
    }

    pub fn from_code(s: &str) -> Option<Weekday> {
        let s = s.trim().to_lowercase();
        Weekday::ALL.into_iter().find(|d| d.code() == s)
    }
}

/// A time of day in minutes after midnight (0..=1440; 1440 means "until midnight").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    pub fn from_minutes(minutes: u16) -> Option<TimeOfDay> {
        (minutes <= 1440).then_some(TimeOfDay(minutes))
    }

    /// "09:00", "9:30", "24:00".
    pub fn parse(s: &str) -> Option<TimeOfDay> {
        let (h, m) = s.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let h: u16 = h.parse().ok()?;
        let m: u16 = m.parse().ok()?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(TimeOfDay(h * 60 + m))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// One weekly opening period (HSDS schedule with `freq=WEEKLY`, `byday`, `opens_at`, `closes_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    pub id: Uuid,
    pub weekday: Weekday,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phone {
    pub id: Uuid,
    pub number: String,
    /// What the number is for ("Algemeen", "Spoed").
    pub description: Option<String>,
}

/// A place where a service is given. The address is its own HSDS entity with its own id.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub address_id: Uuid,
    /// Street and number.
    pub street: String,
    /// As written ("2312 AB").
    pub postcode: String,
    pub city: String,
    pub coordinates: Option<Coordinates>,
    /// Whether the entrance and rooms are accessible in a wheelchair.
    pub wheelchair_accessible: bool,
}

impl Location {
    pub fn pc4(&self) -> Option<Pc4> {
        Pc4::from_postcode(&self.postcode).ok()
    }
}

/// The link between a service and one of its locations (HSDS `service_at_location`).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAtLocation {
    pub id: Uuid,
    pub location: Location,
}

/// A whole municipality a service serves (HSDS `service_area`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceArea {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub cbs_code: String,
    pub name: String,
}

/// A language the service is given in (ISO 639-1 code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language {
    pub id: Uuid,
    pub code: String,
}

/// The organisation as shown with its services.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationSummary {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Milliseconds since the Unix epoch of the last change.
    pub updated_at: i64,
}

/// One service on the sociale kaart with everything around it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRecord {
    pub id: Uuid,
    pub organisation: OrganisationSummary,
    pub name: String,
    pub alternate_name: Option<String>,
    pub description: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub status: ServiceStatus,
    /// How to apply ("Bel of mail de consulent").
    pub application_process: Option<String>,
    pub fees_description: Option<String>,
    /// Who it is for, in words.
    pub eligibility_description: Option<String>,
    pub minimum_age: Option<u16>,
    pub maximum_age: Option<u16>,
    /// Also (or only) given online.
    pub online: bool,
    /// Taxonomy term codes (`directory::taxonomy`), both vocabularies.
    pub categories: Vec<String>,
    pub funding: Vec<Funding>,
    pub languages: Vec<Language>,
    pub phones: Vec<Phone>,
    pub opening_hours: Vec<OpeningHours>,
    /// Free text next to the weekly hours ("elke eerste dinsdag van de maand").
    pub schedule_note: Option<String>,
    pub locations: Vec<ServiceAtLocation>,
    pub areas: Vec<ServiceArea>,
    /// When an editor last confirmed the entry is right (ms since the Unix epoch).
    pub last_reviewed_at: i64,
    /// Last change to the service, its locations or its organisation (ms).
    pub updated_at: i64,
    /// Position in the change sequence of the last change (the index refreshes from this).
    pub change_seq: i64,
}
