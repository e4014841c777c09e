//! The demo's care networks (demo/kring.toml) as seeded into the database, on SQLite and on
//! PostgreSQL: every caregiver's network with the members, regiehouder, proposals, questions and
//! tasks the file describes, a history in the past, and the demo accounts the other tests rely on.

use crate::identity::{Browser, email_of};
use crate::support::TestApp;
use mantelkring::demo::{self, DEMO_PASSWORD};
use mantelkring::demo_kring;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::network::MemberStatus;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::time::now_ms;
use mantelkring_store::network::timeline::{self, Viewer};
use mantelkring_store::network::{self, agenda, members, regie, situation};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Conn, Store};
use reqwest::StatusCode;
use std::time::Instant;

/// The network of the caregiver with this name (exactly one).
async fn network_named(store: &Store, given: &str, family: &str) -> (String, String) {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT n.id, p.id FROM networks n JOIN people p ON p.id = n.caregiver_person_id \
         WHERE p.given_name = $1 AND p.family_name = $2",
    )
    .bind(given)
    .bind(family)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "one network for {given} {family}");
    rows.into_iter().next().unwrap()
}

async fn user_of(store: &Store, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(store.pool())
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn the_demo_seeds_every_caregivers_kring() {
    let file = demo_kring::load().unwrap();
    for db in TestDatabase::all().await {
        let backend = db.backend.name();
        let app = TestApp::on(db).await;
        let started = Instant::now();
        let seeded = demo::seed(&app.store).await.unwrap();
        eprintln!(
            "demo seeded on {backend} in {} ms ({} networks, {} members, {} new accounts, {} messages, {} tasks, {} help wanted)",
            started.elapsed().as_millis(),
            seeded.kring.networks,
            seeded.kring.members,
            seeded.kring.users,
            seeded.kring.messages,
            seeded.kring.tasks,
            seeded.kring.help_wanted,
        );
        check(&app, &file, &seeded).await;
    }
}

async fn check(app: &TestApp, file: &demo_kring::KringDemo, seeded: &demo::Seeded) {
    let store = &app.store;
    let now = now_ms();
    let today = Day::local(now);
    assert_eq!(seeded.kring.networks, 20);
    assert_eq!(crate::identity::count(store, "networks").await, 20);
    let mut tx = store.begin_write().await.unwrap();
    let conn: &mut Conn = &mut tx;
    let mut without_account = 0;
    let mut open_proposals = 0;
    let mut overdue = 0;
    for c in &file.caregivers {
        let (net, person) = network_named(store, &c.given_name, &c.family_name).await;
        let info = network::network(conn, &net).await.unwrap().unwrap();
        assert_eq!(
            info.caregiver_user_id.is_some(),
            c.email.is_some(),
            "{}",
            c.key
        );
        assert!(info.created_at < now, "{}: the network has a past", c.key);

        // Members as in the file: the active ones, and those waiting for approval.
        let active = members::list(conn, &net, Some(MemberStatus::Active))
            .await
            .unwrap();
        let proposed = members::list(conn, &net, Some(MemberStatus::Proposed))
            .await
            .unwrap();
        assert_eq!(active.len(), c.size(), "{} size", c.key);
        assert_eq!(proposed.len(), c.members.len() - c.size(), "{}", c.key);
        for m in &active {
            assert!(
                m.joined_at < now,
                "{}: {} joined in the past",
                c.key,
                m.name
            );
        }
        assert_eq!(
            members::naasten(conn, &net).await.unwrap().len(),
            c.naaste.len()
        );

        // The regiehouder as in the file, and none where the file names none.
        let current = regie::current(conn, &net).await.unwrap();
        assert_eq!(
            current.map(|t| t.member_name),
            c.regiehouder().map(|r| file.member_name(r).to_string()),
            "{} regiehouder",
            c.key
        );

        // Every consent as the file says: verbal, recorded by a professional, or online.
        let consents = network::consents_of(conn, &person).await.unwrap();
        assert_eq!(consents.len(), c.size(), "{}", c.key);
        let method = if c.consent_is_verbal() {
            "verbal"
        } else {
            "online"
        };
        assert!(consents.iter().all(|l| l.method == method), "{}", c.key);
        if info.caregiver_user_id.is_none() {
            assert!(active.iter().any(|m| m.acts_for_caregiver), "{}", c.key);
            assert_eq!(method, "verbal");
            without_account += 1;
        }

        // "Mijn situatie" with its history, and the open proposals.
        let versions = situation::versions(conn, &net).await.unwrap();
        assert_eq!(versions.len(), c.situation_earlier.len() + 1, "{}", c.key);
        assert!(versions.iter().all(|v| v.created_at < now));
        let oldest = versions.last().unwrap();
        let days = c.situation_versions()[0].0;
        assert_eq!(
            Day::local(oldest.created_at),
            today.plus(-days),
            "{}",
            c.key
        );
        let proposals = situation::proposals(conn, &net, None).await.unwrap();
        assert_eq!(proposals.len(), c.proposals.len(), "{}", c.key);
        open_proposals += proposals.len();

        // Messages in the past, unanswered questions, overdue ones.
        let all = Viewer {
            user_id: String::new(),
            member_id: None,
            sees_all: true,
        };
        let questions = timeline::open_questions(conn, &net, &all).await.unwrap();
        let unanswered = c
            .messages
            .iter()
            .filter(|m| m.is_question() && !m.answered)
            .count();
        assert_eq!(questions.len(), unanswered, "{}", c.key);
        overdue += questions
            .iter()
            .filter(|q| q.answer_by.is_some_and(|by| by < today))
            .count();
        assert_eq!(
            questions
                .iter()
                .filter(|q| q.answer_by.is_some_and(|by| by < today))
                .count(),
            c.messages.iter().filter(|m| m.is_overdue()).count(),
            "{} overdue",
            c.key
        );

        // Tasks, signed up for as the file says.
        let tasks = agenda::tasks(conn, &net, today).await.unwrap();
        assert_eq!(tasks.len(), c.tasks.len(), "{}", c.key);
        for t in &tasks {
            assert!(t.created_at < now);
        }
    }
    assert!(without_account >= 1, "a caregiver without an account");
    assert!(open_proposals >= 1, "open situation proposals");
    assert!(overdue >= 1, "overdue questions");
    let (messages,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM network_messages WHERE created_at >= $1")
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!(messages, 0, "every message lies in the past");
    let help = agenda::help_wanted_tasks(conn, 100).await.unwrap();
    assert!(!help.is_empty(), "tasks marked help wanted");
    assert_eq!(help.len(), seeded.kring.help_wanted);
    // The first digest does not resend the demo's history.
    assert!(timeline::digests_due(conn, now).await.unwrap().is_empty());

    // What the other tests rely on: in Ria's network Marieke sees everything Ria shares and
    // Sanne the agenda and messages; Youssef is not in it; staff are in no network.
    let ria = network_named(store, "Ria", "de Vries").await.0;
    assert_eq!(
        network::network(conn, &ria)
            .await
            .unwrap()
            .unwrap()
            .caregiver_person_id,
        seeded.caregiver_person_id
    );
    let active = members::list(conn, &ria, Some(MemberStatus::Active))
        .await
        .unwrap();
    let of = |role: Role| active.iter().find(|m| m.email == email_of(role));
    assert_eq!(
        of(Role::Professional).unwrap().categories,
        DataCategory::GRANTABLE
    );
    assert_eq!(
        of(Role::NetworkMember).unwrap().categories,
        [DataCategory::Agenda, DataCategory::Messages]
    );
    assert!(of(Role::Volunteer).is_none());
    tx.commit().await.unwrap();
    for role in [
        Role::NetworkCoordinator,
        Role::VolunteerCoordinator,
        Role::Administrator,
        Role::LogAdministrator,
    ] {
        let user = user_of(store, email_of(role)).await;
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM network_members WHERE user_id = $1")
                .bind(&user)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(n, 0, "{role:?} is in no network");
    }

    // A caregiver the file adds logs in with the demo password and opens her kring.
    let gerda = file.caregiver("gerda").unwrap();
    let (net, _) = network_named(store, &gerda.given_name, &gerda.family_name).await;
    let b = Browser::new(app);
    let r = b
        .login(gerda.email.as_deref().unwrap(), DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = b.get(&format!("/kringen/{net}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    for m in gerda.active_members() {
        assert!(
            html.contains(file.member_name(m)),
            "{}",
            file.member_name(m)
        );
    }
}
