//! The demo of Signaleren (demo_screening) as seeded, on SQLite and PostgreSQL: check histories
//! with rising, falling and stable trends (Ria's CSI rising over the line), contacts of every kind,
//! open signals and two in hand, and a call list for Marieke with caregivers due today and
//! overdue; the same every time.

use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::access::Actor;
use mantelkring_core::base::Role;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::screening::instrument::{Catalogue, decode_answers};
use mantelkring_core::time::now_ms;
use mantelkring_store::Store;
use mantelkring_store::screening::contacts;
use mantelkring_store::testing::TestDatabase;
use std::collections::BTreeMap;

/// Per caregiver and instrument, the scores oldest first.
async fn histories(store: &Store) -> BTreeMap<(String, String), Vec<i64>> {
    let rows: Vec<(String, String, String, i64, String, i64)> = sqlx::query_as(
        "SELECT p.given_name, p.family_name, c.instrument, c.score, c.answers, c.completed_at \
         FROM screening_checks c JOIN networks n ON n.id = c.network_id \
         JOIN people p ON p.id = n.caregiver_person_id WHERE c.status = 'complete' \
         ORDER BY p.given_name, p.family_name, c.instrument, c.completed_at",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let catalogue = Catalogue::built_in();
    let now = now_ms();
    let mut out: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for (given, family, instrument, score, answers, completed_at) in rows {
        // Every score is what the instrument makes of the stored answers, and lies in the
        // past year.
        let i = catalogue.get(&instrument).unwrap();
        let scored = i.score(&decode_answers(&answers, i.items.len())).unwrap();
        assert_eq!(i64::from(scored), score, "{given} {instrument}");
        assert!(completed_at < now && completed_at > now - 366 * 86_400_000);
        out.entry((format!("{given} {family}"), instrument))
            .or_default()
            .push(score);
    }
    out
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn the_demo_has_trends_signals_and_a_call_list() {
    let mut seen: Vec<BTreeMap<(String, String), Vec<i64>>> = Vec::new();
    for db in TestDatabase::all().await {
        let backend = db.backend.name();
        let app = TestApp::on(db).await;
        let seeded = demo::seed(&app.store).await.unwrap();
        let store = &app.store;
        assert!(
            seeded.screening.checks >= 100,
            "{backend}: {seeded:?}",
            seeded = seeded.screening
        );

        let history = histories(store).await;
        let csi: Vec<(&String, &Vec<i64>)> = history
            .iter()
            .filter(|((_, i), _)| i == "csi")
            .map(|((name, _), s)| (name, s))
            .collect();
        assert!(csi.len() >= 15, "{backend}: every caregiver");
        assert!(
            csi.iter().all(|(_, s)| s.len() >= 3),
            "{backend}: a history"
        );
        let rising = csi.iter().filter(|(_, s)| s.last() > s.first()).count();
        let falling = csi.iter().filter(|(_, s)| s.last() < s.first()).count();
        let stable = csi
            .iter()
            .filter(|(_, s)| (s.last().unwrap() - s.first().unwrap()).abs() <= 1)
            .count();
        assert!(
            rising >= 3 && falling >= 3 && stable >= 3,
            "{backend}: {rising}/{falling}/{stable}"
        );
        let ria = &history[&("Ria de Vries".to_string(), "csi".to_string())];
        assert!(ria.last().unwrap() >= &7, "{backend}: {ria:?}");
        assert!(ria.first() < ria.last(), "{backend}: Ria's rises");
        assert!(
            history.keys().filter(|(_, i)| i == "ediz").count() >= 15,
            "{backend}: EDIZ too"
        );

        // Contacts of every kind, one "het gaat niet meer", a help-request marker.
        for kind in ["phone", "home_visit", "front_garden", "no_answer"] {
            let n = scalar(
                store,
                &format!("SELECT COUNT(*) FROM contacts WHERE kind = '{kind}'"),
            )
            .await;
            assert!(n >= 1, "{backend}: {kind}");
        }
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM contacts WHERE cannot_cope = 1").await,
            1
        );
        assert!(scalar(store, "SELECT COUNT(*) FROM help_request_markers").await >= 1);

        // Open signals, one for "het gaat niet meer", two in hand with owner and follow-up.
        assert!(scalar(store, "SELECT COUNT(*) FROM signals WHERE status = 'new'").await >= 5);
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM signals WHERE rule = 'cannot_cope'"
            )
            .await,
            1,
            "{backend}"
        );
        assert!(
            scalar(
                store,
                "SELECT COUNT(*) FROM signals WHERE rule = 'score_high'"
            )
            .await
                >= 3
        );
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM signals WHERE status = 'in_progress' \
                 AND owner_user_id IS NOT NULL AND follow_up_on IS NOT NULL AND note <> ''"
            )
            .await,
            2,
            "{backend}"
        );
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM signal_events WHERE status = 'in_progress'"
            )
            .await,
            2
        );

        // Marieke's call list: caregivers due today, overdue, and in the coming week.
        let (marieke, organisation): (String, String) = sqlx::query_as(
            "SELECT u.id, m.organisation_id FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE u.email = 'marieke.jansen@demo.mantelkring.nl'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let actor = Actor {
            user_id: marieke,
            person_id: None,
            personal_roles: Vec::new(),
            memberships: vec![(organisation, Role::Professional)],
            second_factor: true,
        };
        let today = Day::local(now_ms());
        let mut conn = store.pool().acquire().await.unwrap();
        let list = contacts::call_list(&mut conn, &actor, today.plus(7))
            .await
            .unwrap();
        drop(conn);
        assert!(list.iter().any(|c| c.due == today), "{backend}: due today");
        assert!(list.iter().any(|c| c.due < today), "{backend}: overdue");
        assert!(list.iter().any(|c| c.due > today), "{backend}: this week");
        assert!(
            list.iter().any(|c| c.caregiver_name == "Ria de Vries"),
            "{backend}"
        );
        seen.push(history);
    }
    // A second demo on the same day is the same.
    let app = TestApp::sqlite().await;
    demo::seed(&app.store).await.unwrap();
    let again = histories(&app.store).await;
    for history in &seen {
        assert_eq!(history, &again, "deterministic");
    }
}

/// "Mijn gegevens" as a readable page holds Ria's checks with their scores, the signals and
/// the contacts about her (the JSON download has them too); Sanne's page shows none of Ria's.
#[tokio::test]
async fn my_data_shows_my_checks_signals_and_contacts_and_nobody_elses() {
    let app = TestApp::sqlite().await;
    demo::seed(&app.store).await.unwrap();
    let ria = crate::identity::Browser::new(&app);
    ria.login_as(Role::Caregiver).await;
    let page = ria.get("/mijn-gegevens/overzicht").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in [
        "Mijn checks (belasting)",
        "Signalen over mij",
        "Contact met mij",
        "Mantelzorgtest (Caregiver Strain Index, CSI)",
        ": score ",
        "— Telefoon, ",
    ] {
        assert!(html.contains(expected), "Ria's overview lacks {expected:?}");
    }
    let sanne = crate::identity::Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    let page = sanne.get("/mijn-gegevens/overzicht").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Mijn checks (belasting)"));
    assert!(!html.contains(": score "), "Sanne has no checks of her own");
    assert!(!html.contains("— Telefoon, "), "nor contacts");
}
