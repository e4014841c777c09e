//! The kring: the care network around one caregiver and the person they care for (the naaste).
//! Pure types and rules, no I/O. The store keeps these as text codes; the web layer labels them.
//!
//! - `mod.rs`: who is in the network (kind of member, field, status), naasten, notification choice,
//!   the regiehouder's states.
//! - `situation.rs`: "Mijn situatie", checked from a form, and the comparison of two versions.
//! - `agenda.rs`: dates, one-off and weekly tasks, their occurrences, when a task is unfilled and
//!   when it stays unfilled long enough to become a help request; overdue questions.
//! - `circles.rs`: the circles picture (SVG) and its list.
//! - `fhir.rs`: the network as a FHIR R4 Bundle.

pub mod agenda;
pub mod circles;
pub mod fhir;
pub mod situation;

use serde::{Deserialize, Serialize};

/// Defines a small enum stored as a text code, with `ALL`, `as_str` and `parse`.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $code)] $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The code as stored and as used in forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}
pub(crate) use coded;

coded! {
    /// Where a member stands around the caregiver: the circle they are drawn in.
    MemberKind {
        /// Family, friends, neighbours: the caregiver's own network (inner circle).
        Own = "own",
        /// A volunteer (second circle).
        Volunteer = "volunteer",
        /// A case manager (second circle, with the volunteers: the steady point of contact).
        CaseManager = "case_manager",
        /// A professional from care, welfare or the medical field (outer circle).
        Professional = "professional",
    }
}

coded! {
    /// The field a professional works in; it colours them in the picture.
    Field {
        Care = "zorg",
        Welfare = "welzijn",
        Medical = "medisch",
    }
}

coded! {
    /// A membership's state. Only `Active` members see anything.
    MemberStatus {
        /// Proposed by another member (or invited); waits for the caregiver's approval.
        Proposed = "proposed",
        Active = "active",
        /// The caregiver said no to the proposal.
        Declined = "declined",
        /// The caregiver removed the member (or the member left).
        Removed = "removed",
    }
}

coded! {
    /// How a member hears of new messages in the network.
    NotifyMode {
        /// One e-mail a day with the day's messages.
        Digest = "digest",
        /// An e-mail for each message.
        Immediate = "immediate",
        /// No e-mail.
        Off = "off",
    }
}

coded! {
    /// How the naaste is related to the caregiver.
    Relation {
        Partner = "partner",
        Parent = "ouder",
        ParentInLaw = "schoonouder",
        Child = "kind",
        Sibling = "broer_zus",
        OtherFamily = "familie",
        Friend = "vriend",
        Neighbour = "buur",
        Other = "anders",
    }
}

coded! {
    /// A regiehouder's term: proposed (waits for the caregiver), active, ended (handed over or
    /// stopped), declined (the caregiver did not agree).
    RegieStatus {
        Proposed = "proposed",
        Active = "active",
        Ended = "ended",
        Declined = "declined",
    }
}

coded! {
    /// What happened to a membership, for its history.
    MemberEvent {
        Proposed = "proposed",
        Added = "added",
        Approved = "approved",
        Declined = "declined",
        Removed = "removed",
        CategoriesChanged = "categories",
        ActsForCaregiver = "acts_for_caregiver",
        RegiehouderProposed = "regie_proposed",
        RegiehouderStarted = "regie_started",
        RegiehouderEnded = "regie_ended",
        RegiehouderDeclined = "regie_declined",
    }
}

impl Field {
    /// The field an organisation's professionals work in, as a default when none is chosen.
    pub fn of_organisation(kind: crate::base::OrganisationKind) -> Field {
        use crate::base::OrganisationKind as K;
        match kind {
            K::Care => Field::Care,
            K::Medical => Field::Medical,
            K::Welfare | K::VolunteerOrganisation | K::CitizenInitiative | K::Municipality => {
                Field::Welfare
            }
        }
    }
}

impl MemberKind {
    /// The circle, counted from the middle: 1 own network, 2 volunteers and case manager,
    /// 3 professionals.
    pub fn circle(self) -> u8 {
        match self {
            MemberKind::Own => 1,
            MemberKind::Volunteer | MemberKind::CaseManager => 2,
            MemberKind::Professional => 3,
        }
    }
}

/// Longest free text in a network field (names, role labels, notes).
pub const SHORT_TEXT_MAX: usize = 200;
/// Longest message or situation field.
pub const LONG_TEXT_MAX: usize = 4000;

/// Why a short text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("vul dit in")]
    Missing,
    #[error("te lang: hoogstens {0} tekens")]
    TooLong(usize),
    #[error("geen regeleinden of stuurtekens, alstublieft")]
    Control,
}

/// Trims and checks a one-line text: required, at most `max` characters, no control characters.
pub fn one_line(input: &str, max: usize) -> Result<String, TextProblem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(TextProblem::Missing);
    }
    if s.chars().count() > max {
        return Err(TextProblem::TooLong(max));
    }
    if s.chars().any(char::is_control) {
        return Err(TextProblem::Control);
    }
    Ok(s.to_string())
}

/// Trims and checks a text that may have several lines: optional (empty gives ""), at most `max`
/// characters, no control characters other than line breaks and tabs. `\r\n` becomes `\n`.
pub fn multi_line(input: &str, max: usize) -> Result<String, TextProblem> {
    let s = input.replace("\r\n", "\n");
    let s = s.trim();
    if s.chars().count() > max {
        return Err(TextProblem::TooLong(max));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(TextProblem::Control);
    }
    Ok(s.to_string())
}

/// The initials shown in the picture for a name: first letters of the first and last word.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = words.first().and_then(|w| w.chars().next());
    let last = if words.len() > 1 {
        words.last().and_then(|w| w.chars().next())
    } else {
        None
    };
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in MemberKind::ALL {
            assert_eq!(MemberKind::parse(k.as_str()), Some(*k));
        }
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Field::parse("medisch"), Some(Field::Medical));
        assert_eq!(NotifyMode::parse("weekly"), None);
    }

    #[test]
    fn circles_from_the_middle() {
        assert_eq!(MemberKind::Own.circle(), 1);
        assert_eq!(MemberKind::CaseManager.circle(), 2);
        assert_eq!(MemberKind::Volunteer.circle(), 2);
        assert_eq!(MemberKind::Professional.circle(), 3);
    }

    #[test]
    fn texts_are_checked() {
        assert_eq!(one_line("  Huisarts ", 20).unwrap(), "Huisarts");
        assert_eq!(one_line("  ", 20), Err(TextProblem::Missing));
        assert_eq!(one_line("abc", 2), Err(TextProblem::TooLong(2)));
        assert_eq!(one_line("a\nb", 20), Err(TextProblem::Control));
        assert_eq!(multi_line("a\r\nb ", 20).unwrap(), "a\nb");
        assert_eq!(multi_line("", 20).unwrap(), "");
        assert_eq!(multi_line("a\u{7}", 20), Err(TextProblem::Control));
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Ria de Vries"), "RV");
        assert_eq!(initials("joost"), "J");
        assert_eq!(initials(""), "");
    }
}
