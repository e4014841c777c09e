use crate::on_every_backend;
use mantelkring_core::access::{Actor, DataCategory};
use mantelkring_core::audit::ChainProblem;
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::{Store, audit, identity};

pub(crate) async fn user(store: &Store, email: &str) -> (String, String) {
    let mut tx = store.begin_write().await.unwrap();
    let person = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: "A",
            family_name: "B",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let user = base::insert_user(
        &mut tx,
        &NewUser {
            email,
            display_name: "A B",
            person_id: Some(&person),
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (user, person)
}

async fn append(store: &Store, n: usize) {
    for i in 0..n {
        let mut tx = store.begin_write().await.unwrap();
        let detail = format!("event {i}");
        audit::append(
            &mut tx,
            store.backend(),
            &crate::read_event(None, Some(&detail)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn the_audit_chain_verifies_and_catches_tampering() {
    on_every_backend(|store| async move {
        assert_eq!(audit::verify(&store).await.unwrap(), Ok(0));
        append(&store, 5).await;
        assert_eq!(audit::verify(&store).await.unwrap(), Ok(5));

        // An append in a rolled-back transaction leaves neither a record nor a moved head.
        let mut tx = store.begin_write().await.unwrap();
        audit::append(
            &mut tx,
            store.backend(),
            &audit::NewEvent {
                action: "read",
                outcome: "success",
                purpose: "t",
                source: "t",
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(audit::verify(&store).await.unwrap(), Ok(5));

        sqlx::query("UPDATE audit_log SET detail = 'changed' WHERE seq = 3")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Err(ChainProblem::Altered { seq: 3 })
        );
    })
    .await;
}

#[tokio::test]
async fn removing_an_audit_record_is_caught_in_the_middle_and_at_the_end() {
    on_every_backend(|store| async move {
        append(&store, 4).await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 4")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Err(ChainProblem::Truncated { last_seq: 3 })
        );
        sqlx::query("DELETE FROM audit_log WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Err(ChainProblem::Broken { seq: 3 })
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    on_every_backend(|store| async move {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { append(&store, 10).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(audit::verify(&store).await.unwrap(), Ok(40));
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_lock_an_account_for_a_while() {
    on_every_backend(|store| async move {
        let now = now_ms();
        let key = "account:ria@example.nl";
        for _ in 0..identity::ACCOUNT_RULE.free {
            let mut tx = store.begin_write().await.unwrap();
            assert_eq!(
                identity::record_failure(&mut tx, key, identity::ACCOUNT_RULE, now)
                    .await
                    .unwrap(),
                0
            );
            tx.commit().await.unwrap();
        }
        assert_eq!(
            identity::locked_until(&store, key, now).await.unwrap(),
            None
        );
        let mut tx = store.begin_write().await.unwrap();
        let until = identity::record_failure(&mut tx, key, identity::ACCOUNT_RULE, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(until, now + identity::ACCOUNT_RULE.base_ms);
        assert_eq!(
            identity::locked_until(&store, key, now + 1).await.unwrap(),
            Some(until)
        );
        assert_eq!(
            identity::locked_until(&store, key, until + 1)
                .await
                .unwrap(),
            None,
            "the lock ends"
        );
        let mut tx = store.begin_write().await.unwrap();
        identity::clear_failures(&mut tx, key).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            identity::locked_until(&store, key, now + 1).await.unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_totp_steps_and_recovery_codes() {
    on_every_backend(|store| async move {
        let (user_id, _) = user(&store, "pro@example.nl").await;
        let mut tx = store.begin_write().await.unwrap();
        identity::create_session(&mut tx, "h1", &user_id, now_ms() + 1000, Some("127.0.0.1"))
            .await
            .unwrap();
        identity::create_session(&mut tx, "h2", &user_id, now_ms() + 1000, None)
            .await
            .unwrap();
        identity::mark_second_factor(&mut tx, "h1").await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            identity::find_session(&store, "h1")
                .await
                .unwrap()
                .unwrap()
                .second_factor_at
                .is_some()
        );
        assert!(
            identity::find_session(&store, "h2")
                .await
                .unwrap()
                .unwrap()
                .second_factor_at
                .is_none()
        );

        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(
            identity::delete_user_sessions(&mut tx, &user_id)
                .await
                .unwrap(),
            2
        );
        assert!(
            identity::use_totp_step(&mut tx, &user_id, 100)
                .await
                .unwrap()
        );
        assert!(
            !identity::use_totp_step(&mut tx, &user_id, 100)
                .await
                .unwrap(),
            "same step twice"
        );
        assert!(
            !identity::use_totp_step(&mut tx, &user_id, 99)
                .await
                .unwrap(),
            "an older step"
        );
        identity::replace_recovery_codes(&mut tx, &user_id, &["c1".into(), "c2".into()])
            .await
            .unwrap();
        assert!(
            identity::use_recovery_code(&mut tx, &user_id, "c1")
                .await
                .unwrap()
        );
        assert!(
            !identity::use_recovery_code(&mut tx, &user_id, "c1")
                .await
                .unwrap(),
            "used codes stay used"
        );
        tx.commit().await.unwrap();
        assert!(
            identity::find_session(&store, "h1")
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn a_relationship_needs_active_membership_and_standing_consent() {
    on_every_backend(|store| async move {
        let (caregiver_user, caregiver) = user(&store, "ria@example.nl").await;
        let (pro_user, _) = user(&store, "pro@example.nl").await;
        let pro = Actor {
            user_id: pro_user.clone(),
            ..Default::default()
        };

        assert!(
            network::relationship(&store, &pro, &caregiver)
                .await
                .unwrap()
                .network_member
                .is_none()
        );

        let mut tx = store.begin_write().await.unwrap();
        let net = network::create_network(&mut tx, &caregiver).await.unwrap();
        let consent = network::record_consent(
            &mut tx,
            &caregiver,
            "netwerklid",
            ConsentMethod::Online,
            &caregiver_user,
        )
        .await
        .unwrap();
        let member = network::add_member(
            &mut tx,
            &net,
            &pro_user,
            None,
            &[DataCategory::Situation],
            &consent,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let rel = network::relationship(&store, &pro, &caregiver)
            .await
            .unwrap();
        assert_eq!(rel.network_member, Some(vec![DataCategory::Situation]));

        let mut tx = store.begin_write().await.unwrap();
        network::withdraw_consent(&mut tx, &consent).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            network::relationship(&store, &pro, &caregiver)
                .await
                .unwrap()
                .network_member
                .is_none(),
            "withdrawn consent"
        );

        let mut tx = store.begin_write().await.unwrap();
        let consent = network::record_consent(
            &mut tx,
            &caregiver,
            "netwerklid",
            ConsentMethod::Verbal,
            &pro_user,
        )
        .await
        .unwrap();
        network::remove_member(&mut tx, &member).await.unwrap();
        let _ = consent;
        tx.commit().await.unwrap();
        assert!(
            network::relationship(&store, &pro, &caregiver)
                .await
                .unwrap()
                .network_member
                .is_none(),
            "removed member"
        );

        let me = Actor {
            user_id: caregiver_user,
            person_id: Some(caregiver.clone()),
            ..Default::default()
        };
        assert!(
            network::relationship(&store, &me, &caregiver)
                .await
                .unwrap()
                .is_self
        );
    })
    .await;
}

#[tokio::test]
async fn a_user_is_loaded_with_name_and_both_kinds_of_role() {
    on_every_backend(|store| async move {
        let (user_id, person) = user(&store, "pro@example.nl").await;
        let mut tx = store.begin_write().await.unwrap();
        let region = base::insert_region(&mut tx, "R").await.unwrap();
        let org = base::insert_organisation(
            &mut tx,
            &base::NewOrganisation {
                region_id: &region.id,
                name: "Org",
                kind: mantelkring_core::base::OrganisationKind::Care,
                municipality_id: None,
                website: None,
            },
        )
        .await
        .unwrap();
        identity::add_personal_role(&mut tx, &user_id, mantelkring_core::base::Role::Caregiver)
            .await
            .unwrap();
        base::add_membership(
            &mut tx,
            &user_id,
            &org.id,
            mantelkring_core::base::Role::Professional,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let loaded = identity::load_user(&store, &user_id, true)
            .await
            .unwrap()
            .expect("user");
        assert_eq!(loaded.display_name, "A B");
        assert_eq!(loaded.actor.person_id.as_deref(), Some(person.as_str()));
        assert_eq!(
            loaded.actor.personal_roles,
            vec![mantelkring_core::base::Role::Caregiver]
        );
        assert_eq!(
            loaded.actor.memberships,
            vec![(org.id, mantelkring_core::base::Role::Professional)]
        );
        assert!(loaded.actor.second_factor);
        assert!(
            identity::load_user(&store, "no-such-user", false)
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}
