//! The access policy: the one place that decides who may do what with whose data.
//!
//! `may(actor, action, resource)` is pure. The relationship facts it needs (is this the actor's own
//! data; is the actor a consented member of the subject's network, and with which visibility
//! categories) are loaded by the caller from the store and passed in. Deny by default: every
//! combination not allowed below is refused, with a reason.

use crate::base::Role;
use serde::Serialize;

/// What can be done with data. Mirrors the NEN 7513 event actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Read,
    Update,
    Delete,
    Export,
    Print,
    Search,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Create,
        Action::Read,
        Action::Update,
        Action::Delete,
        Action::Export,
        Action::Print,
        Action::Search,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Read => "read",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Export => "export",
            Action::Print => "print",
            Action::Search => "search",
        }
    }
}

/// Kinds of personal data. A caregiver chooses per network member which of these they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Name and the fact of being in the network: every active member sees this.
    Basic,
    /// Address, phone, e-mail.
    Contact,
    /// "Mijn situatie", the shared story.
    Situation,
    /// Agenda and tasks.
    Agenda,
    /// Messages and questions in the network.
    Messages,
    /// Burden checks and signals (health data).
    Checks,
    /// Who accessed this person's data (their own access log).
    AccessLog,
}

impl DataCategory {
    pub const ALL: [DataCategory; 7] = [
        DataCategory::Basic,
        DataCategory::Contact,
        DataCategory::Situation,
        DataCategory::Agenda,
        DataCategory::Messages,
        DataCategory::Checks,
        DataCategory::AccessLog,
    ];
    /// The categories a caregiver can grant to a network member.
    pub const GRANTABLE: [DataCategory; 5] = [
        DataCategory::Contact,
        DataCategory::Situation,
        DataCategory::Agenda,
        DataCategory::Messages,
        DataCategory::Checks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DataCategory::Basic => "basic",
            DataCategory::Contact => "contact",
            DataCategory::Situation => "situation",
            DataCategory::Agenda => "agenda",
            DataCategory::Messages => "messages",
            DataCategory::Checks => "checks",
            DataCategory::AccessLog => "access_log",
        }
    }

    pub fn parse(s: &str) -> Option<DataCategory> {
        DataCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Parses the comma-separated list stored with a network member; unknown names are dropped.
    pub fn parse_list(s: &str) -> Vec<DataCategory> {
        s.split(',')
            .filter_map(|c| DataCategory::parse(c.trim()))
            .collect()
    }

    pub fn join(categories: &[DataCategory]) -> String {
        categories
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Who is acting: a logged-in user with their roles.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: String,
    pub person_id: Option<String>,
    /// Roles held as a private person (caregiver, network member, volunteer).
    pub personal_roles: Vec<Role>,
    /// Roles held through organisations: (organisation id, role).
    pub memberships: Vec<(String, Role)>,
    /// Whether this session passed the second factor.
    pub second_factor: bool,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.personal_roles.contains(&role) || self.memberships.iter().any(|(_, r)| *r == role)
    }

    /// Staff roles must pass the second factor before any personal data of others is shown.
    pub fn needs_second_factor(&self) -> bool {
        self.personal_roles
            .iter()
            .chain(self.memberships.iter().map(|(_, r)| r))
            .any(|r| r.requires_two_factor())
    }

    /// The role shown in the audit log: the most privileged one held.
    pub fn main_role(&self) -> Option<Role> {
        let order = [
            Role::Administrator,
            Role::LogAdministrator,
            Role::NetworkCoordinator,
            Role::Professional,
            Role::VolunteerCoordinator,
            Role::OrganisationEditor,
            Role::Caregiver,
            Role::NetworkMember,
            Role::Volunteer,
        ];
        order.into_iter().find(|r| self.has_role(*r))
    }
}

/// The actor's relationship to the person whose data is asked for, as found in the store.
#[derive(Debug, Clone, Default)]
pub struct Relationship {
    /// The actor is the person.
    pub is_self: bool,
    /// The actor is an active member of the person's network, with the person's consent,
    /// and sees these categories.
    pub network_member: Option<Vec<DataCategory>>,
    /// The caregiver lets this member act on their behalf (a caregiver without e-mail, or who
    /// asks for it): they may do what the caregiver may in the granted categories; every such
    /// act is logged with `on_behalf_of`.
    pub acts_for_caregiver: bool,
    /// The member holds a professional role (a professional or case manager in the network):
    /// they may export the care team as FHIR.
    pub professional: bool,
}

impl Relationship {
    /// The actor's own data.
    pub fn own() -> Relationship {
        Relationship {
            is_self: true,
            ..Relationship::default()
        }
    }
}

/// What the action is about.
#[derive(Debug, Clone)]
pub enum Resource<'a> {
    /// Data of one person, in one category.
    PersonData {
        category: DataCategory,
        relationship: &'a Relationship,
    },
    /// An organisation's own entries (social map): editing is for its editors.
    Organisation { organisation_id: &'a str },
    /// Anonymised figures per municipality or region.
    Insight,
    /// The access log of everyone (for log administrators).
    AuditLog,
    /// Regions, municipalities, organisations, users and roles.
    Administration,
    /// Registering a new caregiver on their behalf, with their recorded consent.
    NewCaregiver,
}

/// Why access was allowed: recorded in the audit log as the purpose of use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    OwnData,
    NetworkMember,
    OrganisationEditor,
    Insight,
    AuditReview,
    Administration,
    DataSubjectRequest,
    Registration,
    /// A network member acting for the caregiver, with their permission.
    OnBehalfOfCaregiver,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::OwnData => "own_data",
            Purpose::NetworkMember => "network_member",
            Purpose::OrganisationEditor => "organisation_editor",
            Purpose::Insight => "insight",
            Purpose::AuditReview => "audit_review",
            Purpose::Administration => "administration",
            Purpose::DataSubjectRequest => "data_subject_request",
            Purpose::Registration => "registration",
            Purpose::OnBehalfOfCaregiver => "on_behalf_of_caregiver",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    NotLoggedIn,
    SecondFactorRequired,
    NoRelationship,
    CategoryNotGranted,
    ActionNotAllowed,
    RoleMissing,
    OtherOrganisation,
}

impl DenyReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DenyReason::NotLoggedIn => "not_logged_in",
            DenyReason::SecondFactorRequired => "second_factor_required",
            DenyReason::NoRelationship => "no_relationship",
            DenyReason::CategoryNotGranted => "category_not_granted",
            DenyReason::ActionNotAllowed => "action_not_allowed",
            DenyReason::RoleMissing => "role_missing",
            DenyReason::OtherOrganisation => "other_organisation",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Allow(Purpose),
    Deny(DenyReason),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

/// The policy. `actor` is `None` for a visitor who is not logged in.
pub fn may(actor: Option<&Actor>, action: Action, resource: &Resource<'_>) -> Decision {
    use Action::*;
    use Decision::{Allow, Deny};
    let Some(actor) = actor else {
        return Deny(DenyReason::NotLoggedIn);
    };
    let staff_without_second_factor = actor.needs_second_factor() && !actor.second_factor;

    match resource {
        Resource::PersonData {
            category,
            relationship,
        } => {
            if relationship.is_self {
                // Own data: see, print and take it along (AVG access and portability); correct it and
                // add to it (the caregiver's own network, story and agenda).
                // Erasure goes through an administrator, so it can respect legal retention duties.
                return match action {
                    Read | Print | Export | Update | Create => Allow(Purpose::OwnData),
                    _ => Deny(DenyReason::ActionNotAllowed),
                };
            }
            if staff_without_second_factor {
                return Deny(DenyReason::SecondFactorRequired);
            }
            // An administrator carries out erasure and export requests the person made.
            if actor.has_role(Role::Administrator)
                && matches!(action, Delete | Export)
                && *category != DataCategory::AccessLog
            {
                return Allow(Purpose::DataSubjectRequest);
            }
            let Some(granted) = &relationship.network_member else {
                return Deny(DenyReason::NoRelationship);
            };
            if *category == DataCategory::AccessLog {
                return Deny(DenyReason::CategoryNotGranted);
            }
            if *category != DataCategory::Basic && !granted.contains(category) {
                return Deny(DenyReason::CategoryNotGranted);
            }
            if relationship.acts_for_caregiver {
                // Standing in for the caregiver: what they may do, in what they share.
                return match action {
                    Read | Print | Create | Update => Allow(Purpose::OnBehalfOfCaregiver),
                    Export
                        if *category == DataCategory::Basic
                            || (*category == DataCategory::Checks && relationship.professional) =>
                    {
                        Allow(Purpose::OnBehalfOfCaregiver)
                    }
                    _ => Deny(DenyReason::ActionNotAllowed),
                };
            }
            match action {
                Read | Print => Allow(Purpose::NetworkMember),
                // Members add to the shared agenda and messages (and change their own entries
                // there: a sign-up, an answer); they propose a change to "Mijn situatie" and
                // propose a new member or a regiehouder (Basic). The caregiver decides.
                // Members the caregiver shares checks and signals with fill in a check with the
                // caregiver, log contacts, raise and follow up signals (Create, Update on Checks).
                Create
                    if matches!(
                        category,
                        DataCategory::Agenda
                            | DataCategory::Messages
                            | DataCategory::Situation
                            | DataCategory::Basic
                            | DataCategory::Checks
                    ) =>
                {
                    Allow(Purpose::NetworkMember)
                }
                Update
                    if matches!(
                        category,
                        DataCategory::Agenda | DataCategory::Messages | DataCategory::Checks
                    ) =>
                {
                    Allow(Purpose::NetworkMember)
                }
                // The care team as FHIR, and the checks they are shown as FHIR
                // QuestionnaireResponses, for the professionals in it.
                Export
                    if relationship.professional
                        && matches!(category, DataCategory::Basic | DataCategory::Checks) =>
                {
                    Allow(Purpose::NetworkMember)
                }
                _ => Deny(DenyReason::ActionNotAllowed),
            }
        }
        Resource::Organisation { organisation_id } => {
            if matches!(action, Read | Search) {
                return Allow(Purpose::OrganisationEditor);
            }
            if actor
                .memberships
                .iter()
                .any(|(org, role)| org == organisation_id && *role == Role::OrganisationEditor)
            {
                return match action {
                    Create | Update | Delete => Allow(Purpose::OrganisationEditor),
                    _ => Deny(DenyReason::ActionNotAllowed),
                };
            }
            if actor.has_role(Role::Administrator) {
                return if staff_without_second_factor {
                    Deny(DenyReason::SecondFactorRequired)
                } else {
                    Allow(Purpose::Administration)
                };
            }
            if actor.has_role(Role::OrganisationEditor) {
                Deny(DenyReason::OtherOrganisation)
            } else {
                Deny(DenyReason::RoleMissing)
            }
        }
        Resource::Insight => match (actor.has_role(Role::NetworkCoordinator), action) {
            (false, _) => Deny(DenyReason::RoleMissing),
            (true, _) if staff_without_second_factor => Deny(DenyReason::SecondFactorRequired),
            (true, Read | Print | Export | Search) => Allow(Purpose::Insight),
            (true, _) => Deny(DenyReason::ActionNotAllowed),
        },
        Resource::AuditLog => match (actor.has_role(Role::LogAdministrator), action) {
            (false, _) => Deny(DenyReason::RoleMissing),
            (true, _) if staff_without_second_factor => Deny(DenyReason::SecondFactorRequired),
            (true, Read | Search | Export | Print) => Allow(Purpose::AuditReview),
            (true, _) => Deny(DenyReason::ActionNotAllowed),
        },
        Resource::Administration => match actor.has_role(Role::Administrator) {
            false => Deny(DenyReason::RoleMissing),
            true if staff_without_second_factor => Deny(DenyReason::SecondFactorRequired),
            true => Allow(Purpose::Administration),
        },
        // Professionals register the caregivers they support (with consent, recorded in the same
        // transaction); administrators may too. Only the registering is allowed, nothing more.
        Resource::NewCaregiver => {
            if !(actor.has_role(Role::Professional) || actor.has_role(Role::Administrator)) {
                Deny(DenyReason::RoleMissing)
            } else if staff_without_second_factor {
                Deny(DenyReason::SecondFactorRequired)
            } else if action == Create {
                Allow(Purpose::Registration)
            } else {
                Deny(DenyReason::ActionNotAllowed)
            }
        }
    }
}

#[cfg(test)]
mod tests;
