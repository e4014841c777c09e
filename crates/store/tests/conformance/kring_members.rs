//! The kring's membership workflow and the regiehouder, on both backends: a proposed member sees
//! nothing until the caregiver approves; removal ends access, consent and a regiehouder term;
//! at most one active regiehouder, and every hand-over is kept.

use crate::identity::user;
use crate::on_every_backend;
use mantelkring_core::access::{Actor, DataCategory};
use mantelkring_core::network::{MemberKind, MemberStatus, NotifyMode, RegieStatus, Relation};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::regie::{self, RegieRefusal};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::{Conn, Store};

fn actor(user_id: &str) -> Actor {
    Actor {
        user_id: user_id.to_string(),
        ..Default::default()
    }
}

fn new_member<'a>(network_id: &'a str, user_id: &'a str, kind: MemberKind) -> NewMember<'a> {
    NewMember {
        network_id,
        user_id,
        organisation_id: None,
        kind,
        field: None,
        role_label: "Buurvrouw",
        categories: &[DataCategory::Agenda],
        notify: NotifyMode::Digest,
        acts_for_caregiver: false,
    }
}

async fn consent(conn: &mut Conn, caregiver_person: &str, by_user: &str) -> String {
    network::record_consent(
        conn,
        caregiver_person,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Online,
        by_user,
    )
    .await
    .unwrap()
}

/// A caregiver with a network and two active members; returns (network, caregiver user,
/// caregiver person, member a, member b, user a, user b).
async fn network_with_two(
    store: &Store,
) -> (String, String, String, String, String, String, String) {
    let (cg_user, cg_person) = user(store, "mantelzorger@example.nl").await;
    let (a_user, _) = user(store, "a@example.nl").await;
    let (b_user, _) = user(store, "b@example.nl").await;
    let by = By {
        user_id: &cg_user,
        on_behalf: false,
    };
    let mut tx = store.begin_write().await.unwrap();
    let net = network::network_of(&mut tx, &cg_person).await.unwrap();
    let c = consent(&mut tx, &cg_person, &cg_user).await;
    let a = members::add(&mut tx, &new_member(&net, &a_user, MemberKind::Own), &c, by)
        .await
        .unwrap();
    let c = consent(&mut tx, &cg_person, &cg_user).await;
    let b = members::add(
        &mut tx,
        &new_member(&net, &b_user, MemberKind::Professional),
        &c,
        by,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (net, cg_user, cg_person, a, b, a_user, b_user)
}

#[tokio::test]
async fn a_proposed_member_sees_nothing_until_the_caregiver_approves() {
    on_every_backend(|store| async move {
        let (net, cg_user, cg_person, _a, _b, a_user, _) = network_with_two(&store).await;
        let (c_user, _) = user(&store, "c@example.nl").await;
        let mut tx = store.begin_write().await.unwrap();
        let proposed = members::propose(
            &mut tx,
            &new_member(&net, &c_user, MemberKind::Volunteer),
            "Hij kan op dinsdag helpen",
            By {
                user_id: &a_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap();
        assert!(
            members::is_member_or_proposed(&mut tx, &net, &c_user)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let rel = network::relationship(&store, &actor(&c_user), &cg_person)
            .await
            .unwrap();
        assert!(rel.network_member.is_none(), "proposed: no access yet");

        let by = By {
            user_id: &cg_user,
            on_behalf: false,
        };
        let mut tx = store.begin_write().await.unwrap();
        let c = consent(&mut tx, &cg_person, &cg_user).await;
        let cats = [DataCategory::Agenda, DataCategory::Messages];
        assert!(
            members::approve(&mut tx, &net, &proposed, &c, &cats, by)
                .await
                .unwrap()
        );
        // Not twice.
        assert!(
            !members::approve(&mut tx, &net, &proposed, &c, &cats, by)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let rel = network::relationship(&store, &actor(&c_user), &cg_person)
            .await
            .unwrap();
        assert_eq!(rel.network_member, Some(cats.to_vec()));
        assert!(!rel.professional);

        // A declined proposal gives nothing.
        let (d_user, _) = user(&store, "d@example.nl").await;
        let mut tx = store.begin_write().await.unwrap();
        let p = members::propose(&mut tx, &new_member(&net, &d_user, MemberKind::Own), "", by)
            .await
            .unwrap();
        assert!(members::decline(&mut tx, &net, &p, by).await.unwrap());
        let all = members::list(&mut tx, &net, None).await.unwrap();
        let history = members::history(&mut tx, &net, 50).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            network::relationship(&store, &actor(&d_user), &cg_person)
                .await
                .unwrap()
                .network_member
                .is_none()
        );
        let status = |id: &str| all.iter().find(|m| m.id == id).unwrap().status;
        assert_eq!(status(&proposed), MemberStatus::Active);
        assert_eq!(status(&p), MemberStatus::Declined);
        let events: Vec<&str> = history.iter().map(|h| h.event.as_str()).collect();
        assert!(events.contains(&"proposed") && events.contains(&"approved"));
        assert!(events.contains(&"declined") && events.contains(&"added"));
    })
    .await;
}

#[tokio::test]
async fn one_active_regiehouder_and_every_hand_over_is_kept() {
    on_every_backend(|store| async move {
        let (net, cg_user, cg_person, a, b, a_user, b_user) = network_with_two(&store).await;
        let caregiver = By {
            user_id: &cg_user,
            on_behalf: false,
        };
        let mut tx = store.begin_write().await.unwrap();
        regie::appoint(&mut tx, &net, &a, "Eerste regiehouder", caregiver)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            regie::appoint(&mut tx, &net, &a, "", caregiver)
                .await
                .unwrap(),
            Err(RegieRefusal::AlreadyRegiehouder)
        );
        // The regiehouder proposes a hand-over; it waits for the caregiver.
        regie::propose(
            &mut tx,
            &net,
            &b,
            "Ik ga verhuizen; B neemt het over.",
            By {
                user_id: &a_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            regie::current(&mut tx, &net).await.unwrap().unwrap().member_id,
            a
        );
        regie::accept(&mut tx, &net, caregiver)
            .await
            .unwrap()
            .unwrap();
        let now = regie::current(&mut tx, &net).await.unwrap().unwrap();
        assert_eq!(now.member_id, b);
        let history = regie::history(&mut tx, &net).await.unwrap();
        assert_eq!(history.len(), 2);
        let ended = history.iter().find(|t| t.member_id == a).unwrap();
        assert_eq!(ended.status, RegieStatus::Ended);
        assert_eq!(
            ended.end_note.as_deref(),
            Some("Ik ga verhuizen; B neemt het over.")
        );
        assert_eq!(
            regie::accept(&mut tx, &net, caregiver).await.unwrap(),
            Err(RegieRefusal::NoProposal)
        );
        tx.commit().await.unwrap();

        // The database itself refuses a second active term.
        let mut tx = store.begin_write().await.unwrap();
        let second = sqlx::query(
            "INSERT INTO network_regie (id, network_id, member_id, status, note, proposed_by_user_id, created_at) \
             VALUES ('x', $1, $2, 'active', '', $3, 0)",
        )
        .bind(&net)
        .bind(&a)
        .bind(&cg_user)
        .execute(&mut *tx)
        .await;
        assert!(second.is_err(), "unique partial index");
        drop(tx);

        // Removing the regiehouder ends the term and their access.
        let mut tx = store.begin_write().await.unwrap();
        assert!(members::remove(&mut tx, &net, &b, caregiver).await.unwrap());
        assert!(regie::current(&mut tx, &net).await.unwrap().is_none());
        assert!(!members::remove(&mut tx, &net, &b, caregiver).await.unwrap());
        // Only an active member can be appointed.
        assert_eq!(
            regie::appoint(&mut tx, &net, &b, "", caregiver)
                .await
                .unwrap(),
            Err(RegieRefusal::NotActiveMember)
        );
        tx.commit().await.unwrap();
        assert!(
            network::relationship(&store, &actor(&b_user), &cg_person)
                .await
                .unwrap()
                .network_member
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn categories_acting_for_the_caregiver_and_naasten() {
    on_every_backend(|store| async move {
        let (net, cg_user, cg_person, a, b, a_user, b_user) = network_with_two(&store).await;
        let by = By {
            user_id: &cg_user,
            on_behalf: false,
        };
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            members::set_categories(
                &mut tx,
                &net,
                &a,
                &[DataCategory::Situation, DataCategory::Contact],
                true,
                by
            )
            .await
            .unwrap()
        );
        let naaste = members::add_naaste(
            &mut tx,
            &net,
            "Henk",
            "de Vries",
            Relation::Partner,
            Some(1944),
        )
        .await
        .unwrap();
        let info = network::network(&mut tx, &net).await.unwrap().unwrap();
        let standing = network::standing(&mut tx, &actor(&a_user), &info)
            .await
            .unwrap();
        let b_standing = network::standing(&mut tx, &actor(&b_user), &info)
            .await
            .unwrap();
        assert_eq!(members::naasten(&mut tx, &net).await.unwrap().len(), 1);
        assert!(
            members::remove_naaste(&mut tx, &net, &naaste)
                .await
                .unwrap()
        );
        assert!(members::naasten(&mut tx, &net).await.unwrap().is_empty());
        tx.commit().await.unwrap();
        assert_eq!(info.caregiver_person_id, cg_person);
        assert_eq!(info.caregiver_user_id.as_deref(), Some(cg_user.as_str()));
        assert_eq!(standing.member_id.as_deref(), Some(a.as_str()));
        assert!(standing.relationship.acts_for_caregiver);
        assert_eq!(
            standing.relationship.network_member,
            Some(vec![DataCategory::Situation, DataCategory::Contact])
        );
        assert!(b_standing.relationship.professional);
        assert_eq!(b_standing.member_id.as_deref(), Some(b.as_str()));
        let lines = network::networks_of_user(&store, &actor(&a_user))
            .await
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].network_id, net);
    })
    .await;
}
