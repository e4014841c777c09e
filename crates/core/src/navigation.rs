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
const ACCESS_LOG: NavItem = NavItem {
    href: "/mijn-gegevens/inzage",
    label_key: "nav-access-log",
};

/// Who is looking: not logged in, or logged in with (at most) a main role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visitor {
    Anonymous,
    User(Option<Role>),
}

/// The menu for a visitor.
pub fn menu_for(visitor: Visitor) -> Vec<NavItem> {
    let mut items = vec![HOME];
    if let Visitor::User(role) = visitor {
        items.push(ACCOUNT);
        items.push(ACCESS_LOG);
        // Integration partners (organisations, municipalities) read the API page; caregivers do not need it.
        if role.is_some_and(Role::is_organisation_role) {
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

    fn all_visitors() -> impl Iterator<Item = Visitor> {
        std::iter::once(Visitor::Anonymous)
            .chain(std::iter::once(Visitor::User(None)))
            .chain(Role::ALL.into_iter().map(|r| Visitor::User(Some(r))))
    }

    #[test]
    fn everyone_sees_home_and_the_accessibility_statement() {
        for visitor in all_visitors() {
            let menu = menu_for(visitor);
            assert_eq!(menu.first(), Some(&HOME));
            assert!(menu.contains(&ACCESSIBILITY));
        }
    }

    #[test]
    fn only_logged_in_users_see_their_account_and_access_log() {
        assert!(!menu_for(Visitor::Anonymous).contains(&ACCOUNT));
        assert!(!menu_for(Visitor::Anonymous).contains(&ACCESS_LOG));
        assert!(menu_for(Visitor::User(Some(Role::Caregiver))).contains(&ACCESS_LOG));
    }

    #[test]
    fn caregivers_are_not_shown_the_api_page() {
        assert!(!menu_for(Visitor::User(Some(Role::Caregiver))).contains(&API));
        assert!(menu_for(Visitor::User(Some(Role::Administrator))).contains(&API));
    }
}
