//! The demo of Hulpvraag en aanbod (demo_matching) as seeded, on SQLite and PostgreSQL: about
//! sixty volunteers (some waiting for intake, some paused), about twenty-five open requests of
//! which some escalated from kring tasks (linked both ways), every proposal status, Youssef with
//! one proposal waiting for his answer and one accepted, and a batch proposal that finds a
//! volunteer for most open requests.

use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::matching::workflow::DEFAULT_VOG_VALID_YEARS;
use mantelkring_core::matching::{VolunteerIndex, Weights, check, propose};
use mantelkring_store::Store;
use mantelkring_store::matching::{engine_input, proposals};
use mantelkring_store::testing::TestDatabase;

async fn scalar(store: &Store, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn the_demo_has_volunteers_open_requests_and_proposals_in_every_status() {
    for db in TestDatabase::all().await {
        let backend = db.backend.name();
        let app = TestApp::on(db).await;
        let seeded = demo::seed(&app.store).await.unwrap();
        let store = &app.store;
        let m = &seeded.matching;

        assert!((55..=70).contains(&m.volunteers), "{backend}: {m:?}");
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM volunteer_profiles").await as usize,
            m.volunteers
        );
        assert!(
            scalar(
                store,
                "SELECT COUNT(*) FROM volunteer_profiles WHERE status = 'intake'"
            )
            .await
                >= 3,
            "{backend}: the intake page has work"
        );
        assert!(
            scalar(
                store,
                "SELECT COUNT(*) FROM volunteer_profiles WHERE status = 'paused'"
            )
            .await
                >= 1
        );
        assert!((20..=32).contains(&m.open_requests), "{backend}: {m:?}");
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM help_requests WHERE status = 'open'"
            )
            .await as usize,
            m.open_requests
        );

        // Escalated from kring tasks, linked both ways.
        assert!(m.escalated >= 5, "{backend}: {m:?}");
        assert_eq!(
            scalar(
                store,
                "SELECT COUNT(*) FROM help_requests r JOIN network_tasks t \
                 ON t.id = r.task_id AND t.help_request_id = r.id"
            )
            .await as usize,
            m.escalated,
            "{backend}"
        );

        // Every request status and the proposal statuses on the way.
        for status in ["open", "proposed", "accepted", "done", "evaluated"] {
            assert!(
                scalar(
                    store,
                    &format!("SELECT COUNT(*) FROM help_requests WHERE status = '{status}'")
                )
                .await
                    >= 1,
                "{backend}: a request {status}"
            );
        }
        assert!(
            scalar(
                store,
                "SELECT COUNT(*) FROM match_proposals WHERE status = 'declined'"
            )
            .await
                >= 1,
            "{backend}: a declined proposal"
        );
        assert_eq!(
            scalar(store, "SELECT COUNT(*) FROM match_evaluations").await,
            2,
            "{backend}: one request evaluated by both sides"
        );

        // Youssef: one proposal waiting (its link answers it), one accepted.
        let youssef: (String,) = sqlx::query_as(
            "SELECT id FROM users WHERE email = 'youssef.amrani@demo.mantelkring.nl'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let waiting = proposals::get(&mut conn, &m.youssef_waiting_proposal)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(waiting.volunteer_user_id, youssef.0);
        assert_eq!(waiting.status.code(), "proposed");
        assert_eq!(m.youssef_answer_secret.len(), 64);
        let of_youssef = proposals::of_volunteer(&mut conn, &youssef.0)
            .await
            .unwrap();
        assert_eq!(of_youssef.len(), 2, "{backend}");

        // The batch proposal over the demo region finds a volunteer for most open requests,
        // every pair admissible.
        let (region,): (String,) = sqlx::query_as("SELECT id FROM regions")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let input = engine_input::load(&mut conn, &region, DEFAULT_VOG_VALID_YEARS)
            .await
            .unwrap();
        assert!(input.skipped.is_empty(), "{backend}: {:?}", input.skipped);
        assert_eq!(input.requests.len(), m.open_requests);
        let index = VolunteerIndex::build(input.volunteers.clone());
        let batch = propose(&index, &input.requests, &Weights::default());
        for &(r, v, _) in &batch.pairs {
            assert!(check(&input.requests[r as usize], &input.volunteers[v as usize]).is_ok());
        }
        assert!(
            batch.pairs.len() * 3 >= input.requests.len() * 2,
            "{backend}: {} of {} requests get a volunteer",
            batch.pairs.len(),
            input.requests.len()
        );
    }
}
