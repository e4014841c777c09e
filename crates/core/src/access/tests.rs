//! Table-driven: every role × every action × own data / another caregiver's data (as a consented
//! network member with some categories, and without any relationship), plus the non-person resources.

use super::*;
use Action::*;

const OWN_ORG: &str = "org-own";

fn actor(role: Role, second_factor: bool) -> Actor {
    let mut a = Actor {
        user_id: "u".into(),
        person_id: Some("p".into()),
        second_factor,
        ..Default::default()
    };
    if role.is_organisation_role() {
        a.memberships.push((OWN_ORG.into(), role));
    } else {
        a.personal_roles.push(role);
    }
    a
}

fn own() -> Relationship {
    Relationship {
        is_self: true,
        network_member: None,
        ..Default::default()
    }
}
fn stranger() -> Relationship {
    Relationship::default()
}
fn member() -> Relationship {
    Relationship {
        is_self: false,
        network_member: Some(vec![DataCategory::Situation, DataCategory::Agenda]),
        ..Default::default()
    }
}

fn allowed(role: Role, action: Action, resource: &Resource<'_>) -> bool {
    may(Some(&actor(role, true)), action, resource).is_allowed()
}

#[test]
fn a_visitor_who_is_not_logged_in_is_refused_everything() {
    let rel = own();
    for action in Action::ALL {
        for resource in [
            Resource::PersonData {
                category: DataCategory::Basic,
                relationship: &rel,
            },
            Resource::Organisation {
                organisation_id: OWN_ORG,
            },
            Resource::Insight,
            Resource::AuditLog,
            Resource::Administration,
            Resource::NewCaregiver,
        ] {
            assert_eq!(
                may(None, action, &resource),
                Decision::Deny(DenyReason::NotLoggedIn)
            );
        }
    }
}

#[test]
fn own_data_every_role_and_action() {
    let rel = own();
    for role in Role::ALL {
        for category in DataCategory::ALL {
            for action in Action::ALL {
                let expected = matches!(action, Read | Print | Export | Update | Create);
                let got = allowed(
                    role,
                    action,
                    &Resource::PersonData {
                        category,
                        relationship: &rel,
                    },
                );
                assert_eq!(got, expected, "{role:?} {action:?} own {category:?}");
            }
        }
    }
}

#[test]
fn another_caregivers_data_without_a_relationship_every_role_and_action() {
    let rel = stranger();
    for role in Role::ALL {
        for category in DataCategory::ALL {
            for action in Action::ALL {
                // Only an administrator, carrying out the person's own erasure or export request.
                let expected = role == Role::Administrator
                    && matches!(action, Delete | Export)
                    && category != DataCategory::AccessLog;
                let got = allowed(
                    role,
                    action,
                    &Resource::PersonData {
                        category,
                        relationship: &rel,
                    },
                );
                assert_eq!(got, expected, "{role:?} {action:?} stranger's {category:?}");
            }
        }
    }
}

#[test]
fn another_caregivers_data_as_a_consented_member_only_granted_categories() {
    let rel = member();
    for role in Role::ALL {
        for category in DataCategory::ALL {
            for action in Action::ALL {
                let granted = matches!(
                    category,
                    DataCategory::Basic | DataCategory::Situation | DataCategory::Agenda
                );
                let by_membership = granted
                    && (matches!(action, Read | Print)
                        || (action == Create
                            && matches!(
                                category,
                                DataCategory::Agenda
                                    | DataCategory::Situation
                                    | DataCategory::Basic
                            ))
                        || (action == Update && category == DataCategory::Agenda));
                let by_admin = role == Role::Administrator
                    && matches!(action, Delete | Export)
                    && category != DataCategory::AccessLog;
                let got = allowed(
                    role,
                    action,
                    &Resource::PersonData {
                        category,
                        relationship: &rel,
                    },
                );
                assert_eq!(
                    got,
                    by_membership || by_admin,
                    "{role:?} {action:?} member's {category:?}"
                );
            }
        }
    }
}

#[test]
fn a_member_acting_for_the_caregiver_does_what_the_caregiver_may_in_granted_categories() {
    let rel = Relationship {
        acts_for_caregiver: true,
        ..member()
    };
    for role in [Role::NetworkMember, Role::Professional] {
        for category in DataCategory::ALL {
            for action in Action::ALL {
                let granted = matches!(
                    category,
                    DataCategory::Basic | DataCategory::Situation | DataCategory::Agenda
                );
                let expected = granted
                    && (matches!(action, Read | Print | Create | Update)
                        || (action == Export && category == DataCategory::Basic));
                let decision = may(
                    Some(&actor(role, true)),
                    action,
                    &Resource::PersonData {
                        category,
                        relationship: &rel,
                    },
                );
                assert_eq!(
                    decision.is_allowed(),
                    expected,
                    "{role:?} {action:?} {category:?}"
                );
                if expected {
                    assert_eq!(decision, Decision::Allow(Purpose::OnBehalfOfCaregiver));
                }
            }
        }
    }
    // Still not without the second factor, for staff.
    let decision = may(
        Some(&actor(Role::Professional, false)),
        Update,
        &Resource::PersonData {
            category: DataCategory::Situation,
            relationship: &rel,
        },
    );
    assert_eq!(decision, Decision::Deny(DenyReason::SecondFactorRequired));
}

#[test]
fn only_professional_members_export_the_care_team() {
    let basic = |rel: &Relationship| {
        allowed(
            Role::Professional,
            Export,
            &Resource::PersonData {
                category: DataCategory::Basic,
                relationship: rel,
            },
        )
    };
    assert!(!basic(&member()));
    assert!(basic(&Relationship {
        professional: true,
        ..member()
    }));
    assert!(!basic(&Relationship {
        professional: true,
        ..stranger()
    }));
}

#[test]
fn only_the_caregiver_and_professional_members_export_checks() {
    let checks = |role: Role, rel: &Relationship, second_factor: bool| {
        may(
            Some(&actor(role, second_factor)),
            Export,
            &Resource::PersonData {
                category: DataCategory::Checks,
                relationship: rel,
            },
        )
    };
    let with_checks = Relationship {
        network_member: Some(vec![DataCategory::Checks]),
        ..Default::default()
    };
    let professional = Relationship {
        professional: true,
        ..with_checks.clone()
    };
    // The caregiver: their own data.
    assert_eq!(
        checks(Role::Caregiver, &own(), false),
        Decision::Allow(Purpose::OwnData)
    );
    // A professional member who sees the checks, also when acting for the caregiver.
    assert_eq!(
        checks(Role::Professional, &professional, true),
        Decision::Allow(Purpose::NetworkMember)
    );
    assert_eq!(
        checks(
            Role::Professional,
            &Relationship {
                acts_for_caregiver: true,
                ..professional.clone()
            },
            true
        ),
        Decision::Allow(Purpose::OnBehalfOfCaregiver)
    );
    // Not without the second factor, not without the category, not outside the network.
    assert_eq!(
        checks(Role::Professional, &professional, false),
        Decision::Deny(DenyReason::SecondFactorRequired)
    );
    assert_eq!(
        checks(
            Role::Professional,
            &Relationship {
                professional: true,
                ..member()
            },
            true
        ),
        Decision::Deny(DenyReason::CategoryNotGranted)
    );
    assert_eq!(
        checks(Role::Professional, &stranger(), true),
        Decision::Deny(DenyReason::NoRelationship)
    );
    // Other members who see the checks (family, volunteers) read them but do not export them,
    // also when they act for the caregiver.
    for role in [Role::NetworkMember, Role::Volunteer] {
        assert_eq!(
            checks(role, &with_checks, true),
            Decision::Deny(DenyReason::ActionNotAllowed),
            "{role:?}"
        );
        assert!(
            !checks(
                role,
                &Relationship {
                    acts_for_caregiver: true,
                    ..with_checks.clone()
                },
                true
            )
            .is_allowed(),
            "{role:?}"
        );
    }
}

#[test]
fn staff_without_a_second_factor_see_no_data_of_others() {
    let rel = member();
    for role in Role::ALL.into_iter().filter(|r| r.requires_two_factor()) {
        let decision = may(
            Some(&actor(role, false)),
            Read,
            &Resource::PersonData {
                category: DataCategory::Situation,
                relationship: &rel,
            },
        );
        assert_eq!(
            decision,
            Decision::Deny(DenyReason::SecondFactorRequired),
            "{role:?}"
        );
        // Their own data stays reachable (to set up the second factor, for instance).
        let own = own();
        assert!(
            may(
                Some(&actor(role, false)),
                Read,
                &Resource::PersonData {
                    category: DataCategory::Basic,
                    relationship: &own
                }
            )
            .is_allowed()
        );
    }
    // People without a staff role do not need one.
    for role in [
        Role::Caregiver,
        Role::NetworkMember,
        Role::Volunteer,
        Role::OrganisationEditor,
    ] {
        assert!(
            may(
                Some(&actor(role, false)),
                Read,
                &Resource::PersonData {
                    category: DataCategory::Situation,
                    relationship: &rel
                }
            )
            .is_allowed(),
            "{role:?}"
        );
    }
}

#[test]
fn organisations_are_edited_only_by_their_own_editors_and_administrators() {
    for role in Role::ALL {
        for action in Action::ALL {
            let own = allowed(
                role,
                action,
                &Resource::Organisation {
                    organisation_id: OWN_ORG,
                },
            );
            let other = allowed(
                role,
                action,
                &Resource::Organisation {
                    organisation_id: "org-other",
                },
            );
            let public = matches!(action, Read | Search);
            let own_expected = public
                || (role == Role::OrganisationEditor && matches!(action, Create | Update | Delete))
                || role == Role::Administrator;
            let other_expected = public || role == Role::Administrator;
            assert_eq!(own, own_expected, "{role:?} {action:?} own organisation");
            assert_eq!(
                other, other_expected,
                "{role:?} {action:?} other organisation"
            );
        }
    }
    let editor = actor(Role::OrganisationEditor, true);
    assert_eq!(
        may(
            Some(&editor),
            Update,
            &Resource::Organisation {
                organisation_id: "org-other"
            }
        ),
        Decision::Deny(DenyReason::OtherOrganisation)
    );
}

#[test]
fn insight_audit_log_and_administration_each_need_their_role() {
    for role in Role::ALL {
        for action in Action::ALL {
            let reads = matches!(action, Read | Print | Export | Search);
            assert_eq!(
                allowed(role, action, &Resource::Insight),
                role == Role::NetworkCoordinator && reads,
                "{role:?} {action:?} insight"
            );
            assert_eq!(
                allowed(role, action, &Resource::AuditLog),
                role == Role::LogAdministrator && reads,
                "{role:?} {action:?} audit log"
            );
            assert_eq!(
                allowed(role, action, &Resource::Administration),
                role == Role::Administrator,
                "{role:?} {action:?} administration"
            );
        }
    }
    assert_eq!(
        may(
            Some(&actor(Role::NetworkCoordinator, false)),
            Read,
            &Resource::Insight
        ),
        Decision::Deny(DenyReason::SecondFactorRequired)
    );
}

#[test]
fn category_lists_round_trip_and_ignore_unknown_names() {
    let list = vec![DataCategory::Contact, DataCategory::Checks];
    assert_eq!(DataCategory::parse_list(&DataCategory::join(&list)), list);
    assert_eq!(DataCategory::parse_list("contact, onzin ,checks"), list);
}

#[test]
fn only_professionals_and_administrators_register_a_caregiver_and_only_with_a_second_factor() {
    for role in Role::ALL {
        for action in Action::ALL {
            let expected =
                matches!(role, Role::Professional | Role::Administrator) && action == Create;
            assert_eq!(
                allowed(role, action, &Resource::NewCaregiver),
                expected,
                "{role:?} {action:?}"
            );
        }
    }
    assert_eq!(
        may(
            Some(&actor(Role::Professional, false)),
            Create,
            &Resource::NewCaregiver
        ),
        Decision::Deny(DenyReason::SecondFactorRequired)
    );
}

#[test]
fn checks_and_signals_are_for_members_with_the_category_only() {
    let professional = Actor {
        user_id: "p".into(),
        memberships: vec![("org".into(), Role::Professional)],
        second_factor: true,
        ..Actor::default()
    };
    let with = Relationship {
        network_member: Some(vec![DataCategory::Checks]),
        professional: true,
        ..Relationship::default()
    };
    let without = Relationship {
        network_member: Some(vec![DataCategory::Agenda, DataCategory::Messages]),
        professional: true,
        ..Relationship::default()
    };
    let outside = Relationship::default();
    let on = |action, relationship: &Relationship| {
        may(
            Some(&professional),
            action,
            &Resource::PersonData {
                category: DataCategory::Checks,
                relationship,
            },
        )
    };
    for action in [Action::Read, Action::Create, Action::Update, Action::Print] {
        assert_eq!(
            on(action, &with),
            Decision::Allow(Purpose::NetworkMember),
            "{action:?}"
        );
        assert_eq!(
            on(action, &without),
            Decision::Deny(DenyReason::CategoryNotGranted),
            "{action:?}"
        );
        assert_eq!(
            on(action, &outside),
            Decision::Deny(DenyReason::NoRelationship)
        );
    }
    assert_eq!(
        on(Action::Delete, &with),
        Decision::Deny(DenyReason::ActionNotAllowed)
    );
    // Without the second factor a professional sees no score, even with the category.
    let no_2fa = Actor {
        second_factor: false,
        ..professional.clone()
    };
    assert_eq!(
        may(
            Some(&no_2fa),
            Action::Read,
            &Resource::PersonData {
                category: DataCategory::Checks,
                relationship: &with,
            },
        ),
        Decision::Deny(DenyReason::SecondFactorRequired)
    );
}
