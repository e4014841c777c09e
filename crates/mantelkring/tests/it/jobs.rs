//! The job queue end to end: the worker sends e-mail through lettre, on every backend.

use crate::support::temp_dir;
use lettre::message::Mailbox;
use mantelkring::mail::{MailSettings, Mailer};
use mantelkring::worker::{Ran, Worker};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_store::jobs::{self, JobStatus};
use mantelkring_store::testing::TestDatabase;
use std::sync::Arc;
use std::time::Duration;

fn email(subject: &str) -> EmailJob {
    EmailJob {
        to: "ria@example.nl".into(),
        subject: subject.into(),
        body_text: "Hallo Ria".into(),
    }
}

fn worker(
    store: &mantelkring_store::Store,
    smtp_url: Option<String>,
    mail_dir: std::path::PathBuf,
) -> Worker {
    let from: Mailbox = "Mantelkring <noreply@localhost>".parse().unwrap();
    let mailer = Mailer::new(&MailSettings {
        smtp_url,
        mail_dir,
        from: from.clone(),
    })
    .unwrap();
    Worker {
        store: store.clone(),
        mailer,
        mail_from: from,
        retry_base: Duration::ZERO,
        poll: Duration::from_millis(20),
        wakeup: Arc::new(tokio::sync::Notify::new()),
        public_url: "http://127.0.0.1".into(),
        stale_after_days: 183,
        instruments: std::sync::Arc::new(
            mantelkring_core::screening::instrument::Catalogue::built_in(),
        ),
    }
}

fn eml_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_committed_email_job_is_delivered_to_the_mail_folder() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let dir = temp_dir("mail");
        let worker = worker(&store, None, dir.join("mail"));
        let mut tx = store.begin_write().await.unwrap();
        jobs::enqueue(&mut tx, kind::EMAIL, &email("Uw vraag is beantwoord"), 3)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        assert!(matches!(worker.run_once().await.unwrap(), Ran::Done(_)));
        let files = eml_files(&dir.join("mail"));
        assert_eq!(files.len(), 1, "{}", db.backend.name());
        assert!(files[0].contains("Subject: Uw vraag is beantwoord"));
        assert!(files[0].contains("To: ria@example.nl"));
        assert_eq!(worker.run_once().await.unwrap(), Ran::Nothing);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_is_never_run() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let dir = temp_dir("rollback");
        let worker = worker(&store, None, dir.join("mail"));
        let mut tx = store.begin_write().await.unwrap();
        mantelkring_store::base::insert_region(&mut tx, "Regio die niet doorgaat")
            .await
            .unwrap();
        jobs::enqueue(&mut tx, kind::EMAIL, &email("Mag nooit aankomen"), 3)
            .await
            .unwrap();
        tx.rollback().await.unwrap();

        assert_eq!(
            worker.run_once().await.unwrap(),
            Ran::Nothing,
            "{}",
            db.backend.name()
        );
        assert!(eml_files(&dir.join("mail")).is_empty());
        assert!(jobs::list(&store, None, 10).await.unwrap().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_failing_job_is_retried_then_marked_failed_with_its_error() {
    // A real SMTP client against a port where nothing listens.
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let dir = temp_dir("smtp");
        let worker = worker(
            &store,
            Some(format!("smtp://127.0.0.1:{closed_port}")),
            dir.join("mail"),
        );
        let mut tx = store.begin_write().await.unwrap();
        let id = jobs::enqueue(&mut tx, kind::EMAIL, &email("Komt er niet door"), 3)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        assert_eq!(worker.run_once().await.unwrap(), Ran::Retrying(id));
        assert_eq!(worker.run_once().await.unwrap(), Ran::Retrying(id));
        assert_eq!(worker.run_once().await.unwrap(), Ran::Failed(id));
        assert_eq!(worker.run_once().await.unwrap(), Ran::Nothing);

        let failed = jobs::list(&store, Some(JobStatus::Failed), 10)
            .await
            .unwrap();
        assert_eq!(failed.len(), 1, "{}", db.backend.name());
        assert_eq!(failed[0].attempts, 3);
        assert!(
            failed[0]
                .last_error
                .as_deref()
                .unwrap_or("")
                .to_lowercase()
                .contains("connect"),
            "{:?}",
            failed[0].last_error
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn an_impossible_address_fails_at_once_without_retries() {
    let db = TestDatabase::sqlite();
    let store = db.store().await;
    let dir = temp_dir("badaddr");
    let worker = worker(&store, None, dir.join("mail"));
    let mut tx = store.begin_write().await.unwrap();
    let bad = EmailJob {
        to: "geen adres".into(),
        subject: "x".into(),
        body_text: "y".into(),
    };
    let id = jobs::enqueue(&mut tx, kind::EMAIL, &bad, 5).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(worker.run_once().await.unwrap(), Ran::Failed(id));
    let failed = jobs::list(&store, Some(JobStatus::Failed), 1)
        .await
        .unwrap();
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("ongeldig e-mailadres")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_running_application_delivers_queued_mail_by_itself() {
    let app = crate::support::TestApp::sqlite().await;
    let mut tx = app.store.begin_write().await.unwrap();
    jobs::enqueue(&mut tx, kind::EMAIL, &email("Vanzelf verstuurd"), 3)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mail_dir = app.config.mail_dir.clone();
    let mut delivered = false;
    for _ in 0..100 {
        if eml_files(&mail_dir)
            .iter()
            .any(|m| m.contains("Vanzelf verstuurd"))
        {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        delivered,
        "the worker of the running app did not deliver the mail"
    );
}
