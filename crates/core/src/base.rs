//! The base model shared by every capability: regions, municipalities, organisations, roles.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A municipality code as published by CBS: `GM` followed by four digits, for example `GM0546` (Leiden).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CbsCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ongeldige CBS-gemeentecode '{0}': verwacht GM en vier cijfers, bijvoorbeeld GM0546")]
pub struct InvalidCbsCode(pub String);

impl CbsCode {
    /// Accepts `GM0546`, `gm0546` and the bare number `0546` / `546`.
    pub fn parse(input: &str) -> Result<Self, InvalidCbsCode> {
        let trimmed = input.trim();
        let digits = trimmed
            .strip_prefix("GM")
            .or_else(|| trimmed.strip_prefix("gm"))
            .unwrap_or(trimmed);
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidCbsCode(input.to_string()));
        }
        Ok(CbsCode(format!("GM{digits:0>4}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CbsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The roles of PRODUCT.md. Organisation roles are held through a membership of an organisation;
/// caregiver, network member and volunteer are people with accounts of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Caregiver,
    NetworkMember,
    Volunteer,
    Professional,
    VolunteerCoordinator,
    OrganisationEditor,
    NetworkCoordinator,
    Administrator,
    /// May search the access log (NEN 7513); sees who accessed what, not the data itself.
    LogAdministrator,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Caregiver,
        Role::NetworkMember,
        Role::Volunteer,
        Role::Professional,
        Role::VolunteerCoordinator,
        Role::OrganisationEditor,
        Role::NetworkCoordinator,
        Role::Administrator,
        Role::LogAdministrator,
    ];

    /// The stable name stored in the database and used as message key suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Caregiver => "caregiver",
            Role::NetworkMember => "network_member",
            Role::Volunteer => "volunteer",
            Role::Professional => "professional",
            Role::VolunteerCoordinator => "volunteer_coordinator",
            Role::OrganisationEditor => "organisation_editor",
            Role::NetworkCoordinator => "network_coordinator",
            Role::Administrator => "administrator",
            Role::LogAdministrator => "log_administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that may come near health data: they must log in with a second factor (PRODUCT.md, NEN 7510).
    pub fn requires_two_factor(self) -> bool {
        matches!(
            self,
            Role::Professional
                | Role::VolunteerCoordinator
                | Role::NetworkCoordinator
                | Role::Administrator
                | Role::LogAdministrator
        )
    }

    /// Whether the role is held through an organisation membership (rather than as a private person).
    pub fn is_organisation_role(self) -> bool {
        !matches!(
            self,
            Role::Caregiver | Role::NetworkMember | Role::Volunteer
        )
    }
}

/// What kind of organisation this is; drives the colour of professionals in the circles picture later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Care,
    Welfare,
    Medical,
    VolunteerOrganisation,
    CitizenInitiative,
    Municipality,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 6] = [
        OrganisationKind::Care,
        OrganisationKind::Welfare,
        OrganisationKind::Medical,
        OrganisationKind::VolunteerOrganisation,
        OrganisationKind::CitizenInitiative,
        OrganisationKind::Municipality,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Care => "care",
            OrganisationKind::Welfare => "welfare",
            OrganisationKind::Medical => "medical",
            OrganisationKind::VolunteerOrganisation => "volunteer_organisation",
            OrganisationKind::CitizenInitiative => "citizen_initiative",
            OrganisationKind::Municipality => "municipality",
        }
    }

    pub fn parse(s: &str) -> Option<OrganisationKind> {
        OrganisationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cbs_code_accepts_the_usual_spellings() {
        assert_eq!(CbsCode::parse("GM0546").unwrap().as_str(), "GM0546");
        assert_eq!(CbsCode::parse("gm0546").unwrap().as_str(), "GM0546");
        assert_eq!(CbsCode::parse(" 546 ").unwrap().as_str(), "GM0546");
    }

    #[test]
    fn cbs_code_refuses_garbage_with_a_dutch_message() {
        for bad in ["", "GM", "GM12345", "GMabcd", "Leiden", "GM-546"] {
            let err = CbsCode::parse(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("ongeldige CBS-gemeentecode"),
                "{bad}"
            );
        }
    }

    #[test]
    fn roles_round_trip_and_two_factor_is_required_for_staff_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert!(!Role::Caregiver.requires_two_factor());
        assert!(!Role::Volunteer.requires_two_factor());
        assert!(Role::Professional.requires_two_factor());
        assert!(Role::Administrator.requires_two_factor());
    }

    proptest! {
        #[test]
        fn cbs_code_parse_never_panics_and_normalises(s in "\\PC{0,12}") {
            if let Ok(code) = CbsCode::parse(&s) {
                prop_assert!(code.as_str().len() == 6 && code.as_str().starts_with("GM"));
                prop_assert_eq!(CbsCode::parse(code.as_str()).unwrap(), code);
            }
        }
    }
}
