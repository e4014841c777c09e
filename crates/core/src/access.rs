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
    /// A help request (issue 7) of a caregiver's kring, or (Search, with no relationship) the
    /// list of requests of a region.
    HelpRequest {
        /// The actor's standing in the caregiver's network (own, member with categories, none).
        relationship: &'a Relationship,
        /// The actor is a volunteer coordinator in an organisation of the request's region.
        coordinates_region: bool,
        /// The actor's own proposal for this request, if they are a volunteer proposed for it.
        proposal: Option<ProposalStanding>,
    },
    /// A volunteer profile (issue 7).
    VolunteerProfile {
        /// The actor's own profile.
        own: bool,
        /// The actor is a volunteer coordinator in an organisation of the profile's region.
        coordinates_region: bool,
    },
}

/// Where a volunteer's own proposal for a help request stands, for the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProposalStanding {
    /// Asked, not answered yet: the limited view (first name, neighbourhood, task, time).
    Proposed,
    /// Accepted: the full view, with how to reach the caregiver.
    Accepted,
    /// The help was given: the full view, for the evaluation.
    Done,
    /// Declined, expired, withdrawn or no-show: the volunteer no longer sees the request.
    Ended,
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
    /// A volunteer coordinator matching requests and volunteers of their region.
    VolunteerCoordination,
    /// A volunteer proposed for a request, not yet accepted: only the limited view.
    ProposedVolunteer,
    /// A volunteer who accepted the request: the full view.
    MatchedVolunteer,
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
            Purpose::VolunteerCoordination => "volunteer_coordination",
            Purpose::ProposedVolunteer => "proposed_volunteer",
            Purpose::MatchedVolunteer => "matched_volunteer",
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
        Resource::HelpRequest {
            relationship,
            coordinates_region,
            proposal,
        } => help_request(
            actor,
            action,
            relationship,
            *coordinates_region,
            *proposal,
            staff_without_second_factor,
        ),
        Resource::VolunteerProfile {
            own,
            coordinates_region,
        } => {
            if *own {
                // The volunteer's own offer: see it, keep it current, take it along.
                return match action {
                    Create | Read | Update | Print | Export => Allow(Purpose::OwnData),
                    _ => Deny(DenyReason::ActionNotAllowed),
                };
            }
            if !actor.has_role(Role::VolunteerCoordinator) {
                return Deny(DenyReason::RoleMissing);
            }
            if staff_without_second_factor {
                return Deny(DenyReason::SecondFactorRequired);
            }
            if !*coordinates_region {
                return Deny(DenyReason::OtherOrganisation);
            }
            // Registering a volunteer at the centre, the intake, pausing, finding volunteers.
            match action {
                Create | Read | Update | Search | Print => Allow(Purpose::VolunteerCoordination),
                _ => Deny(DenyReason::ActionNotAllowed),
            }
        }
    }
}

/// The policy for help requests (issue 7), deny by default:
/// - the caregiver: create, read, print and change (cancel, evaluate) their own requests;
/// - a consented network member with the Agenda category: create, read and print the network's
///   requests; one acting for the caregiver also changes them;
/// - a volunteer coordinator (second factor passed) of an organisation in the request's region:
///   read, print, search and update (propose, withdraw, mark done or no-show), not create;
/// - a volunteer proposed for the request: read and answer (update) with the limited view until
///   they accept ([`Purpose::ProposedVolunteer`]), the full view after
///   ([`Purpose::MatchedVolunteer`]); after a decline, expiry, withdrawal or no-show nothing;
/// - everyone else: refused.
fn help_request(
    actor: &Actor,
    action: Action,
    relationship: &Relationship,
    coordinates_region: bool,
    proposal: Option<ProposalStanding>,
    staff_without_second_factor: bool,
) -> Decision {
    use Action::*;
    use Decision::{Allow, Deny};
    if relationship.is_self {
        return match action {
            Create | Read | Print | Update => Allow(Purpose::OwnData),
            _ => Deny(DenyReason::ActionNotAllowed),
        };
    }
    if staff_without_second_factor {
        return Deny(DenyReason::SecondFactorRequired);
    }
    if let Some(granted) = &relationship.network_member {
        if !granted.contains(&DataCategory::Agenda) {
            return Deny(DenyReason::CategoryNotGranted);
        }
        return match action {
            Create | Read | Print | Update if relationship.acts_for_caregiver => {
                Allow(Purpose::OnBehalfOfCaregiver)
            }
            Create | Read | Print => Allow(Purpose::NetworkMember),
            _ => Deny(DenyReason::ActionNotAllowed),
        };
    }
    if actor.has_role(Role::VolunteerCoordinator) && coordinates_region {
        return match action {
            Read | Print | Search | Update => Allow(Purpose::VolunteerCoordination),
            _ => Deny(DenyReason::ActionNotAllowed),
        };
    }
    match proposal {
        Some(ProposalStanding::Proposed) if actor.has_role(Role::Volunteer) => match action {
            Read | Update => Allow(Purpose::ProposedVolunteer),
            _ => Deny(DenyReason::ActionNotAllowed),
        },
        Some(ProposalStanding::Accepted | ProposalStanding::Done)
            if actor.has_role(Role::Volunteer) =>
        {
            match action {
                Read | Print | Update => Allow(Purpose::MatchedVolunteer),
                _ => Deny(DenyReason::ActionNotAllowed),
            }
        }
        _ if actor.has_role(Role::VolunteerCoordinator) => Deny(DenyReason::OtherOrganisation),
        _ => Deny(DenyReason::NoRelationship),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod help_request_tests {
    //! Issue 7: who may do what with help requests and volunteer profiles, and who may not.
    use super::*;
    use Action::*;

    fn actor(role: Role, second_factor: bool) -> Actor {
        let mut a = Actor {
            user_id: "u".into(),
            person_id: Some("p".into()),
            second_factor,
            ..Default::default()
        };
        if role.is_organisation_role() {
            a.memberships.push(("org".into(), role));
        } else {
            a.personal_roles.push(role);
        }
        a
    }

    fn decide(
        who: Option<&Actor>,
        action: Action,
        rel: &Relationship,
        coordinates_region: bool,
        proposal: Option<ProposalStanding>,
    ) -> Decision {
        may(
            who,
            action,
            &Resource::HelpRequest {
                relationship: rel,
                coordinates_region,
                proposal,
            },
        )
    }

    fn member(categories: Vec<DataCategory>, acts_for_caregiver: bool) -> Relationship {
        Relationship {
            network_member: Some(categories),
            acts_for_caregiver,
            ..Default::default()
        }
    }

    #[test]
    fn the_caregiver_creates_reads_and_changes_their_own_requests() {
        let own = Relationship::own();
        let caregiver = actor(Role::Caregiver, false);
        for action in Action::ALL {
            let expected = matches!(action, Create | Read | Print | Update);
            assert_eq!(
                decide(Some(&caregiver), action, &own, false, None).is_allowed(),
                expected,
                "{action:?}"
            );
        }
    }

    #[test]
    fn network_members_with_the_agenda_create_and_read_and_without_it_are_refused() {
        let with = member(vec![DataCategory::Agenda], false);
        let without = member(vec![DataCategory::Situation], false);
        let acting = member(vec![DataCategory::Agenda], true);
        let m = actor(Role::NetworkMember, false);
        for action in Action::ALL {
            assert_eq!(
                decide(Some(&m), action, &with, false, None),
                if matches!(action, Create | Read | Print) {
                    Decision::Allow(Purpose::NetworkMember)
                } else {
                    Decision::Deny(DenyReason::ActionNotAllowed)
                },
                "{action:?}"
            );
            assert_eq!(
                decide(Some(&m), action, &without, false, None),
                Decision::Deny(DenyReason::CategoryNotGranted)
            );
            assert_eq!(
                decide(Some(&m), action, &acting, false, None).is_allowed(),
                matches!(action, Create | Read | Print | Update)
            );
        }
        // A professional in the network, on the caregiver's behalf, after the second factor.
        let pro = actor(Role::Professional, true);
        assert_eq!(
            decide(Some(&pro), Create, &acting, false, None),
            Decision::Allow(Purpose::OnBehalfOfCaregiver)
        );
        let pro_without = actor(Role::Professional, false);
        assert_eq!(
            decide(Some(&pro_without), Read, &with, false, None),
            Decision::Deny(DenyReason::SecondFactorRequired)
        );
    }

    #[test]
    fn coordinators_read_and_propose_in_their_region_only() {
        let none = Relationship::default();
        let c = actor(Role::VolunteerCoordinator, true);
        for action in Action::ALL {
            assert_eq!(
                decide(Some(&c), action, &none, true, None).is_allowed(),
                matches!(action, Read | Print | Search | Update),
                "{action:?}"
            );
            assert_eq!(
                decide(Some(&c), action, &none, false, None),
                Decision::Deny(DenyReason::OtherOrganisation),
                "{action:?} outside the region"
            );
        }
        assert_eq!(
            decide(Some(&c), Read, &none, true, None),
            Decision::Allow(Purpose::VolunteerCoordination)
        );
        let c_without = actor(Role::VolunteerCoordinator, false);
        assert_eq!(
            decide(Some(&c_without), Read, &none, true, None),
            Decision::Deny(DenyReason::SecondFactorRequired)
        );
    }

    #[test]
    fn a_volunteer_sees_only_requests_they_were_proposed_for() {
        let none = Relationship::default();
        let v = actor(Role::Volunteer, false);
        // Not proposed: nothing, not even with a search.
        for action in Action::ALL {
            assert_eq!(
                decide(Some(&v), action, &none, false, None),
                Decision::Deny(DenyReason::NoRelationship)
            );
            // After a decline, expiry, withdrawal or no-show: nothing either.
            assert_eq!(
                decide(
                    Some(&v),
                    action,
                    &none,
                    false,
                    Some(ProposalStanding::Ended)
                ),
                Decision::Deny(DenyReason::NoRelationship)
            );
        }
        // Proposed: the limited view, and answering.
        assert_eq!(
            decide(
                Some(&v),
                Read,
                &none,
                false,
                Some(ProposalStanding::Proposed)
            ),
            Decision::Allow(Purpose::ProposedVolunteer)
        );
        assert_eq!(
            decide(
                Some(&v),
                Update,
                &none,
                false,
                Some(ProposalStanding::Proposed)
            ),
            Decision::Allow(Purpose::ProposedVolunteer)
        );
        for action in [Create, Delete, Export, Print, Search] {
            assert!(
                !decide(
                    Some(&v),
                    action,
                    &none,
                    false,
                    Some(ProposalStanding::Proposed)
                )
                .is_allowed()
            );
        }
        // Accepted or done: the full view.
        for standing in [ProposalStanding::Accepted, ProposalStanding::Done] {
            assert_eq!(
                decide(Some(&v), Read, &none, false, Some(standing)),
                Decision::Allow(Purpose::MatchedVolunteer)
            );
            assert!(!decide(Some(&v), Delete, &none, false, Some(standing)).is_allowed());
        }
        // A proposal without the volunteer role (it was taken away): refused.
        let ex = actor(Role::Caregiver, false);
        assert!(
            !decide(
                Some(&ex),
                Read,
                &none,
                false,
                Some(ProposalStanding::Accepted)
            )
            .is_allowed()
        );
    }

    #[test]
    fn everyone_else_is_refused() {
        let none = Relationship::default();
        for role in Role::ALL {
            if role == Role::VolunteerCoordinator {
                continue;
            }
            let a = actor(role, true);
            for action in Action::ALL {
                assert!(
                    !decide(Some(&a), action, &none, false, None).is_allowed(),
                    "{role:?} {action:?} on a request outside their network"
                );
                // The region flag means nothing without the coordinator role.
                assert!(!decide(Some(&a), action, &none, true, None).is_allowed());
            }
        }
        for action in Action::ALL {
            assert_eq!(
                decide(
                    None,
                    action,
                    &Relationship::own(),
                    true,
                    Some(ProposalStanding::Accepted)
                ),
                Decision::Deny(DenyReason::NotLoggedIn)
            );
            assert_eq!(
                may(
                    None,
                    action,
                    &Resource::VolunteerProfile {
                        own: true,
                        coordinates_region: true
                    }
                ),
                Decision::Deny(DenyReason::NotLoggedIn)
            );
        }
    }

    #[test]
    fn volunteer_profiles_for_their_owner_and_the_regions_coordinators() {
        let profile = |own, coordinates_region| Resource::VolunteerProfile {
            own,
            coordinates_region,
        };
        let v = actor(Role::Volunteer, false);
        for action in Action::ALL {
            assert_eq!(
                may(Some(&v), action, &profile(true, false)).is_allowed(),
                matches!(action, Create | Read | Update | Print | Export)
            );
            assert_eq!(
                may(Some(&v), action, &profile(false, false)),
                Decision::Deny(DenyReason::RoleMissing)
            );
        }
        let c = actor(Role::VolunteerCoordinator, true);
        for action in Action::ALL {
            assert_eq!(
                may(Some(&c), action, &profile(false, true)).is_allowed(),
                matches!(action, Create | Read | Update | Search | Print)
            );
            assert_eq!(
                may(Some(&c), action, &profile(false, false)),
                Decision::Deny(DenyReason::OtherOrganisation)
            );
        }
        let c_without = actor(Role::VolunteerCoordinator, false);
        assert_eq!(
            may(Some(&c_without), Read, &profile(false, true)),
            Decision::Deny(DenyReason::SecondFactorRequired)
        );
        for role in [Role::Professional, Role::Caregiver, Role::Administrator] {
            assert!(!may(Some(&actor(role, true)), Read, &profile(false, true)).is_allowed());
        }
    }
}
