//! Which navigation items each visitor sees. Pure data: the web layer renders it.
//! Each capability adds its entries here when it lands, so the menu never links to a page that is not there.

use crate::base::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    /// Path of the page.
    pub href: &'static str,
    /// Message key of the label (in the web crate's message files).
    pub label_key: &'static str,
}

const HOME: NavItem = NavItem {
    href: "/",
    label_key: "nav-home",
};
const MAP: NavItem = NavItem {
    href: "/kaart",
    label_key: "nav-map",
};
const KRING: NavItem = NavItem {
    href: "/kring",
    label_key: "nav-kring",
};
/// "Hoe gaat het met u?": the caregiver's own Signaleren page (their checks).
const HOW_ARE_YOU: NavItem = NavItem {
    href: "/hoe-gaat-het",
    label_key: "screening-nav-how-are-you",
};
const ACCESSIBILITY: NavItem = NavItem {
    href: "/toegankelijkheid",
    label_key: "nav-accessibility",
};
const API: NavItem = NavItem {
    href: "/api",
    label_key: "nav-api",
};
const ACCOUNT: NavItem = NavItem {
    href: "/account",
    label_key: "nav-account",
};
const MY_DATA: NavItem = NavItem {
    href: "/mijn-gegevens",
    label_key: "nav-my-data",
};
const ADMINISTRATION: NavItem = NavItem {
    href: "/beheer",
    label_key: "nav-administration",
};
const AUDIT_SEARCH: NavItem = NavItem {
    href: "/logboek",
    label_key: "nav-audit-search",
};
const SIGNALS: NavItem = NavItem {
    href: "/signalen",
    label_key: "screening-sig-nav",
};
const REGISTER_CAREGIVER: NavItem = NavItem {
    href: "/mantelzorger-aanmelden",
    label_key: "nav-register-caregiver",
};

/// Signaleren: "Wie bel ik vandaag?", the call list of professionals and volunteers.
const CALLS: NavItem = NavItem {
    href: "/bellen",
    label_key: "screening-nav-calls",
};

const DIRECTORY_EDITING: NavItem = NavItem {
    href: "/kaart/beheer",
    label_key: "nav-directory-editing",
};
const DIRECTORY_FRESHNESS: NavItem = NavItem {
    href: "/kaart/actualiteit",
    label_key: "nav-directory-freshness",
};

/// Hulpvraag en aanbod: the volunteer's proposals and profile, the coordinator's intake.
const VOLUNTEER_PROPOSALS: NavItem = NavItem {
    href: "/vrijwilliger/voorstellen",
    label_key: "matching-vol-nav-proposals",
};
const VOLUNTEER_PROFILE: NavItem = NavItem {
    href: "/vrijwilliger/profiel",
    label_key: "matching-vol-nav-profile",
};
const HELP_REQUESTS_REGION: NavItem = NavItem {
    href: "/vrijwilligers/hulpvragen",
    label_key: "matching-coord-nav-requests",
};

const VOLUNTEER_INTAKE: NavItem = NavItem {
    href: "/vrijwilligers/intake",
    label_key: "matching-vol-nav-intake",
};

/// Who is looking: not logged in, or logged in with the roles they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitor<'a> {
    Anonymous,
    User(&'a [Role]),
}

/// The menu for a visitor.
pub fn menu_for(visitor: Visitor<'_>) -> Vec<NavItem> {
    let mut items = vec![HOME, MAP];
    if let Visitor::User(roles) = visitor {
        let holds = |role: Role| roles.contains(&role);
        // The care network: caregivers, the people in their networks, and professionals.
        if [
            Role::Caregiver,
            Role::NetworkMember,
            Role::Volunteer,
            Role::Professional,
        ]
        .into_iter()
        .any(holds)
        {
            items.push(KRING);
        }
        if holds(Role::Caregiver) {
            items.push(HOW_ARE_YOU);
        }
        // Signaleren: the signals of the networks they follow up (the meeting view is
        // reached from there), and "wie bel ik vandaag".
        if holds(Role::Professional) || holds(Role::Volunteer) {
            items.push(SIGNALS);
            items.push(CALLS);
        }
        if holds(Role::Professional) {
            items.push(REGISTER_CAREGIVER);
        }
        if holds(Role::Volunteer) {
            items.push(VOLUNTEER_PROPOSALS);
            items.push(VOLUNTEER_PROFILE);
        }
        if holds(Role::VolunteerCoordinator) {
            items.push(HELP_REQUESTS_REGION);
            items.push(VOLUNTEER_INTAKE);
        }
        if holds(Role::OrganisationEditor) {
            items.push(DIRECTORY_EDITING);
        }
        if holds(Role::NetworkCoordinator) || holds(Role::Administrator) {
            items.push(DIRECTORY_FRESHNESS);
        }
        if holds(Role::Administrator) {
            items.push(ADMINISTRATION);
        }
        if holds(Role::LogAdministrator) {
            items.push(AUDIT_SEARCH);
        }
        items.push(MY_DATA);
        items.push(ACCOUNT);
        // Integration partners (organisations, municipalities) read the API page; caregivers do not need it.
        if roles.iter().any(|r| r.is_organisation_role()) {
            items.push(API);
        }
    } else {
        items.push(API);
    }
    items.push(ACCESSIBILITY);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_visitors() -> impl Iterator<Item = Visitor<'static>> {
        std::iter::once(Visitor::Anonymous)
            .chain(std::iter::once(Visitor::User(&[])))
            .chain(
                Role::ALL
                    .iter()
                    .map(std::slice::from_ref)
                    .map(Visitor::User),
            )
    }

    #[test]
    fn everyone_sees_home_the_social_map_and_the_accessibility_statement() {
        for visitor in all_visitors() {
            let menu = menu_for(visitor);
            assert_eq!(menu.first(), Some(&HOME));
            assert_eq!(
                menu.get(1),
                Some(&MAP),
                "the public map comes right after home"
            );
            assert!(menu.contains(&ACCESSIBILITY));
        }
    }

    #[test]
    fn professionals_and_volunteers_see_their_call_list() {
        for role in Role::ALL {
            let shown = menu_for(Visitor::User(&[role])).contains(&CALLS);
            assert_eq!(
                shown,
                matches!(role, Role::Professional | Role::Volunteer),
                "{role:?}"
            );
        }
        assert!(!menu_for(Visitor::Anonymous).contains(&CALLS));
    }

    #[test]
    fn volunteers_see_their_proposals_and_profile_and_coordinators_the_intake() {
        for role in Role::ALL {
            let menu = menu_for(Visitor::User(std::slice::from_ref(&role)));
            let volunteer = role == Role::Volunteer;
            assert_eq!(menu.contains(&VOLUNTEER_PROPOSALS), volunteer, "{role:?}");
            assert_eq!(menu.contains(&VOLUNTEER_PROFILE), volunteer, "{role:?}");
            assert_eq!(
                menu.contains(&VOLUNTEER_INTAKE),
                role == Role::VolunteerCoordinator,
                "{role:?}"
            );
            assert_eq!(
                menu.contains(&HELP_REQUESTS_REGION),
                role == Role::VolunteerCoordinator,
                "{role:?}"
            );
        }
        assert!(!menu_for(Visitor::Anonymous).contains(&VOLUNTEER_PROFILE));
    }

    #[test]
    fn only_logged_in_users_see_their_account_and_access_log() {
        assert!(!menu_for(Visitor::Anonymous).contains(&ACCOUNT));
        assert!(!menu_for(Visitor::Anonymous).contains(&MY_DATA));
        assert!(menu_for(Visitor::User(&[Role::Caregiver])).contains(&MY_DATA));
    }

    #[test]
    fn the_kring_is_third_for_the_people_in_care_networks_only() {
        for role in Role::ALL {
            let menu = menu_for(Visitor::User(std::slice::from_ref(&role)));
            let expected = matches!(
                role,
                Role::Caregiver | Role::NetworkMember | Role::Volunteer | Role::Professional
            );
            assert_eq!(menu.get(2) == Some(&KRING), expected, "{role:?}");
            assert_eq!(menu.contains(&KRING), expected, "{role:?}");
        }
        assert!(!menu_for(Visitor::Anonymous).contains(&KRING));
    }

    #[test]
    fn caregivers_find_their_own_checks_right_after_the_kring() {
        for role in Role::ALL {
            let menu = menu_for(Visitor::User(std::slice::from_ref(&role)));
            let expected = role == Role::Caregiver;
            assert_eq!(menu.contains(&HOW_ARE_YOU), expected, "{role:?}");
            if expected {
                assert_eq!(menu.get(3), Some(&HOW_ARE_YOU));
            }
        }
        assert!(!menu_for(Visitor::Anonymous).contains(&HOW_ARE_YOU));
    }

    #[test]
    fn professionals_and_volunteers_see_their_signals() {
        for role in Role::ALL {
            let menu = menu_for(Visitor::User(std::slice::from_ref(&role)));
            assert_eq!(
                menu.contains(&SIGNALS),
                matches!(role, Role::Professional | Role::Volunteer),
                "{role:?}"
            );
        }
        assert!(!menu_for(Visitor::Anonymous).contains(&SIGNALS));
    }

    #[test]
    fn caregivers_are_not_shown_the_api_page() {
        assert!(!menu_for(Visitor::User(&[Role::Caregiver])).contains(&API));
        assert!(menu_for(Visitor::User(&[Role::Administrator])).contains(&API));
    }

    #[test]
    fn staff_pages_are_shown_only_to_their_role() {
        for role in Role::ALL {
            let menu = menu_for(Visitor::User(std::slice::from_ref(&role)));
            assert_eq!(menu.contains(&ADMINISTRATION), role == Role::Administrator);
            assert_eq!(menu.contains(&AUDIT_SEARCH), role == Role::LogAdministrator);
            assert_eq!(
                menu.contains(&REGISTER_CAREGIVER),
                role == Role::Professional
            );
        }
        let both = [Role::Professional, Role::Administrator];
        let menu = menu_for(Visitor::User(&both));
        assert!(menu.contains(&ADMINISTRATION) && menu.contains(&REGISTER_CAREGIVER));
    }

    #[test]
    fn editors_see_their_map_pages_and_coordinators_the_freshness_overview() {
        for role in Role::ALL {
            let menu = menu_for(Visitor::User(std::slice::from_ref(&role)));
            assert_eq!(
                menu.contains(&DIRECTORY_EDITING),
                role == Role::OrganisationEditor,
                "{role:?}"
            );
            assert_eq!(
                menu.contains(&DIRECTORY_FRESHNESS),
                matches!(role, Role::NetworkCoordinator | Role::Administrator),
                "{role:?}"
            );
        }
        assert!(!menu_for(Visitor::Anonymous).contains(&DIRECTORY_EDITING));
        assert!(!menu_for(Visitor::Anonymous).contains(&DIRECTORY_FRESHNESS));
        assert!(!menu_for(Visitor::User(&[])).contains(&DIRECTORY_EDITING));
    }
}
