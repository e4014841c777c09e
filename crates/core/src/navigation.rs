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

/// The menu for a visitor with the given role (`None`: not logged in).
pub fn menu_for(role: Option<Role>) -> Vec<NavItem> {
    let mut items = vec![HOME];
    // Integration partners (organisations, municipalities) read the API page; caregivers do not need it.
    if role.is_none_or(Role::is_organisation_role) {
        items.push(API);
    }
    items.push(ACCESSIBILITY);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_sees_home_and_the_accessibility_statement() {
        for role in std::iter::once(None).chain(Role::ALL.into_iter().map(Some)) {
            let menu = menu_for(role);
            assert_eq!(menu.first(), Some(&HOME));
            assert!(menu.contains(&ACCESSIBILITY));
        }
    }

    #[test]
    fn caregivers_are_not_shown_the_api_page() {
        assert!(!menu_for(Some(Role::Caregiver)).contains(&API));
        assert!(menu_for(Some(Role::Administrator)).contains(&API));
    }
}
