//! The store conformance suite: every scenario runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set (always in CI). Both backends must behave the same.

mod administration;
mod api_tokens;
mod audit_subjects;
mod base;
mod directory;
mod identity;
mod jobs;
mod kring_agenda;
mod kring_members;
mod kring_situation;
mod kring_timeline;
mod matching;
mod postcodes;
mod schema;
mod screening_signals;

use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, audit};

/// A successful read logged by the suite, about `subject` (if any) with `detail` (if any).
fn read_event<'a>(subject: Option<&'a str>, detail: Option<&'a str>) -> audit::NewEvent<'a> {
    audit::NewEvent {
        action: "read",
        outcome: "success",
        purpose: "test",
        source: "conformance",
        subject_person_id: subject,
        detail,
        ..Default::default()
    }
}

/// Runs `scenario` once per configured backend, each on a fresh, migrated database.
async fn on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        let store = db.store().await;
        eprintln!("scenario on {}", db.backend.name());
        scenario(store.clone()).await;
        store.close().await;
    }
}
