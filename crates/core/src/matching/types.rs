//! The vocabulary of the matching engine: help types, skills and languages as small bit sets,
//! weekly slots, the request and the volunteer as the engine sees them, weights, refusals,
//! reasons and results. Codes are the stable lowercase strings stored in the database; labels
//! (nl/en) live with the web.

use crate::directory::model::Weekday;
use crate::geo::Coordinates;
use crate::network::agenda::Day;

/// An enum with stable lowercase codes, `ALL` in code order, and a bit per variant (< 16).
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable lowercase code stored in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The variant with this code (exact, lowercase), if any.
            pub fn from_code(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|x| x.code() == code)
            }

            /// Its bit in the set type.
            pub const fn bit(self) -> u16 {
                1 << (self as u16)
            }
        }
    };
}

/// A set of the variants of `$item` as a `u16` bit set.
macro_rules! bit_set {
    ($(#[$meta:meta])* $name:ident of $item:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub u16);

        impl $name {
            pub const EMPTY: $name = $name(0);

            /// Only the bits of known variants are kept.
            pub fn from_bits(bits: u16) -> $name {
                let known = $item::ALL.iter().fold(0u16, |acc, x| acc | x.bit());
                $name(bits & known)
            }

            pub fn bits(self) -> u16 {
                self.0
            }

            pub fn contains(self, item: $item) -> bool {
                self.0 & item.bit() != 0
            }

            /// Every member of `other` is in `self`.
            pub fn contains_all(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            pub fn insert(&mut self, item: $item) {
                self.0 |= item.bit();
            }

            pub fn remove(&mut self, item: $item) {
                self.0 &= !item.bit();
            }

            pub fn with(mut self, item: $item) -> $name {
                self.insert(item);
                self
            }

            pub fn is_empty(self) -> bool {
                self.0 == 0
            }

            pub fn len(self) -> usize {
                self.0.count_ones() as usize
            }

            /// The members in code order.
            pub fn iter(self) -> impl Iterator<Item = $item> {
                $item::ALL.iter().copied().filter(move |x| self.contains(*x))
            }

            /// The members' codes in code order (for storage as text).
            pub fn codes(self) -> Vec<&'static str> {
                self.iter().map($item::code).collect()
            }

            /// From codes; unknown codes are returned as the error.
            pub fn from_codes<'a>(
                codes: impl IntoIterator<Item = &'a str>,
            ) -> Result<$name, &'a str> {
                let mut set = $name::EMPTY;
                for code in codes {
                    set.insert($item::from_code(code).ok_or(code)?);
                }
                Ok(set)
            }
        }

        impl FromIterator<$item> for $name {
            fn from_iter<I: IntoIterator<Item = $item>>(iter: I) -> $name {
                let mut set = $name::EMPTY;
                for x in iter {
                    set.insert(x);
                }
                set
            }
        }
    };
}

coded_enum! {
    /// The help taxonomy of issue 7.
    HelpType {
        Boodschappen = "boodschappen",
        Vervoer = "vervoer",
        Gezelschap = "gezelschap",
        Klussen = "klussen",
        Tuin = "tuin",
        Administratie = "administratie",
        Maaltijd = "maaltijd",
        DigitaleHulp = "digitale_hulp",
        Wandelen = "wandelen",
        Anders = "anders",
    }
}

bit_set! {
    /// The help types a volunteer offers.
    HelpTypes of HelpType
}

coded_enum! {
    /// What a request can require and a volunteer can bring.
    Skill {
        /// Ervaring met dementie.
        Dementie = "dementie",
        /// EHBO-diploma (first aid).
        Ehbo = "ehbo",
        /// Ervaring met een rolstoel (pushing, folding, transfers into a car).
        Rolstoel = "rolstoel",
        /// Ervaring met psychische kwetsbaarheid (ggz).
        Ggz = "ggz",
    }
}

bit_set! {
    /// A set of skills.
    Skills of Skill
}

coded_enum! {
    /// Languages, ISO 639-1 codes where one exists (Tamazight: ISO 639-2 `ber`, Papiamento `pap`).
    Language {
        Nl = "nl",
        Fy = "fy",
        En = "en",
        De = "de",
        Fr = "fr",
        Es = "es",
        Pt = "pt",
        Tr = "tr",
        Ar = "ar",
        Ber = "ber",
        Pl = "pl",
        Uk = "uk",
        Pap = "pap",
        Ti = "ti",
        So = "so",
    }
}

bit_set! {
    /// The languages a volunteer speaks.
    Languages of Language
}

/// A weekly slot: a weekday and the minutes of the local day, `start_minute < end_minute <=
/// 1440`. A slot that breaks this is treated as empty (it overlaps nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekSlot {
    pub day: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl WeekSlot {
    /// `None` unless `start < end <= 1440`.
    pub fn new(day: Weekday, start_minute: u16, end_minute: u16) -> Option<WeekSlot> {
        let slot = WeekSlot {
            day,
            start_minute,
            end_minute,
        };
        slot.is_valid().then_some(slot)
    }

    pub fn is_valid(self) -> bool {
        self.start_minute < self.end_minute && self.end_minute <= 1440
    }

    /// Minutes shared with `other` (0 on another day or when either is invalid).
    pub fn overlap_minutes(self, other: WeekSlot) -> u16 {
        if self.day != other.day || !self.is_valid() || !other.is_valid() {
            return 0;
        }
        let start = self.start_minute.max(other.start_minute);
        let end = self.end_minute.min(other.end_minute);
        end.saturating_sub(start)
    }
}

/// Part of the day, for "kan dinsdagochtend": before 12:00, 12:00–18:00, from 18:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    /// `ochtend`, `middag`, `avond`.
    pub fn code(self) -> &'static str {
        match self {
            DayPart::Morning => "ochtend",
            DayPart::Afternoon => "middag",
            DayPart::Evening => "avond",
        }
    }

    /// The part a minute of the day falls in.
    pub fn of_minute(minute: u16) -> DayPart {
        match minute {
            0..720 => DayPart::Morning,
            720..1080 => DayPart::Afternoon,
            _ => DayPart::Evening,
        }
    }
}

coded_enum! {
    /// How soon help is needed.
    Urgency {
        Normal = "normaal",
        Soon = "binnenkort",
        Urgent = "dringend",
    }
}

impl Urgency {
    /// How many times the urgency weight a request earns: 0, 1, 2.
    pub fn level(self) -> u32 {
        self as u32
    }
}

/// A help request as the engine sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Opaque to the engine (the database key).
    pub id: u64,
    /// For continuity ("heeft eerder geholpen") and blocks.
    pub caregiver: u64,
    pub help_type: HelpType,
    /// The PC4 centroid of the caregiver.
    pub location: Coordinates,
    /// The request's own limit (a region's default, e.g. 10 km).
    pub max_distance_km: f64,
    /// When the help can happen; a one-off date becomes a window on its weekday.
    pub windows: Vec<WeekSlot>,
    /// Overlap needed between a window and one volunteer slot (at least one minute).
    pub duration_minutes: u16,
    pub needs_car: bool,
    pub needs_vog: bool,
    pub needs_skills: Skills,
    /// A required language, if any.
    pub language: Option<Language>,
    pub urgency: Urgency,
    /// The (first) date the help is needed; a required VOG must be valid then.
    pub on: Day,
    /// Volunteers who declined or did not answer this request.
    pub declined_by: Vec<u64>,
}

/// A volunteer profile as the engine sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Volunteer {
    pub id: u64,
    pub offers: HelpTypes,
    pub skills: Skills,
    pub languages: Languages,
    /// The PC4 centroid of the volunteer.
    pub location: Coordinates,
    pub max_distance_km: f64,
    pub availability: Vec<WeekSlot>,
    /// Maximum active matches; what is left is `capacity - active_matches`.
    pub capacity: u16,
    pub active_matches: u16,
    pub has_car: bool,
    /// The VOG's date plus its validity, computed by the caller.
    pub vog_valid_until: Option<Day>,
    /// Caregivers this volunteer helped before (continuity).
    pub helped_caregivers: Vec<u64>,
    /// Caregivers blocked either way.
    pub blocked_caregivers: Vec<u64>,
}

impl Volunteer {
    /// Matches this volunteer can still take.
    pub fn remaining(&self) -> u16 {
        self.capacity.saturating_sub(self.active_matches)
    }
}

/// Soft-score weights, per region. Integers, so objectives compare exactly with other solvers.
/// See [`super::score`] for how each is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Weights {
    /// Points for being at the same spot, falling linearly to 0 at the request's limit.
    pub distance: u32,
    /// Points when the volunteer helped this caregiver before.
    pub continuity: u32,
    /// Points per skill the request asks for (the volunteer has it: it is a hard constraint).
    pub skills: u32,
    /// Points when the request asks for a language (the volunteer speaks it).
    pub language: u32,
    /// Points for a volunteer with nothing active, falling linearly with the share in use.
    pub load: u32,
    /// Points per urgency level (0 normaal, 1 binnenkort, 2 dringend): urgent requests win
    /// scarce volunteers in the batch proposal.
    pub urgency: u32,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            distance: 100,
            continuity: 50,
            skills: 25,
            language: 25,
            load: 20,
            urgency: 60,
        }
    }
}

/// Why a pair is refused: the first hard constraint that fails, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The volunteer does not offer this type of help.
    HelpType,
    /// No slot overlaps a window for the duration needed.
    Availability,
    /// Farther than the request's or the volunteer's limit.
    Distance,
    /// A VOG is required and missing or not valid on the date.
    Vog,
    /// No capacity left.
    Capacity,
    /// Declined (or did not answer) this request before.
    Declined,
    /// Blocked, either way.
    Blocked,
    /// A car is needed and the volunteer has none.
    Car,
    /// A required skill is missing.
    Skills,
    /// The required language is not spoken.
    Language,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::HelpType => "help_type",
            Refusal::Availability => "availability",
            Refusal::Distance => "distance",
            Refusal::Vog => "vog",
            Refusal::Capacity => "capacity",
            Refusal::Declined => "declined",
            Refusal::Blocked => "blocked",
            Refusal::Car => "car",
            Refusal::Skills => "skills",
            Refusal::Language => "language",
        }
    }
}

/// One reason in the plain explanation ("2,1 km · kan dinsdagochtend · heeft eerder
/// geholpen"), rendered by the web; in this order in a [`Candidate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Distance, rounded to metres.
    Distance {
        meters: u32,
    },
    /// The first overlap from the request's date on: its weekday and the part of the day it
    /// starts in.
    Available {
        day: Weekday,
        part: DayPart,
    },
    HelpedBefore,
    /// A skill the request asks for.
    Skill(Skill),
    /// The language the request asks for.
    SpeaksLanguage(Language),
    /// The request needs a car; the volunteer has one.
    HasCar,
    /// The request needs a VOG; the volunteer's is valid on the date.
    VogValid,
    /// Fewer than half of the volunteer's matches in use.
    LowLoad {
        active: u16,
        capacity: u16,
    },
}

/// A ranked candidate for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub volunteer: u64,
    pub score: i64,
    pub reasons: Vec<Reason>,
}

/// A batch proposal: (request id, volunteer id, score) per pair, by request order, and the sum
/// of the scores.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assignment {
    pub pairs: Vec<(u64, u64, i64)>,
    pub total: i64,
}
