use crate::on_every_backend;
use mantelkring_store::jobs::{self, FailureOutcome, JobStatus};
use std::collections::HashSet;
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_job_enqueued_in_a_rolled_back_transaction_is_never_claimed() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        jobs::enqueue(&mut tx, "email", &"x", 3).await.unwrap();
        tx.rollback().await.unwrap();
        assert!(jobs::claim(&store, LEASE).await.unwrap().is_none());
        assert_eq!(jobs::count(&store, JobStatus::Queued).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_claimed_job_is_leased_and_completed_once() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        let id = jobs::enqueue(&mut tx, "email", &serde_json::json!({"to": "a@b.nl"}), 3)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let job = jobs::claim(&store, LEASE).await.unwrap().expect("due job");
        assert_eq!((job.id, job.kind.as_str(), job.attempts), (id, "email", 1));
        assert!(
            jobs::claim(&store, LEASE).await.unwrap().is_none(),
            "leased job is not handed out twice"
        );
        jobs::complete(&store, id).await.unwrap();
        assert_eq!(jobs::count(&store, JobStatus::Done).await.unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_job_whose_lease_ran_out_is_claimed_again() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        jobs::enqueue(&mut tx, "email", &1, 3).await.unwrap();
        tx.commit().await.unwrap();
        let first = jobs::claim(&store, Duration::ZERO)
            .await
            .unwrap()
            .expect("job");
        tokio::time::sleep(Duration::from_millis(5)).await;
        let again = jobs::claim(&store, LEASE)
            .await
            .unwrap()
            .expect("lease expired, so claimable");
        assert_eq!(first.id, again.id);
        assert_eq!(again.attempts, 2);
    })
    .await;
}

#[tokio::test]
async fn a_failing_job_is_retried_with_back_off_then_marked_failed() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        let id = jobs::enqueue(&mut tx, "email", &1, 2).await.unwrap();
        tx.commit().await.unwrap();

        let job = jobs::claim(&store, LEASE).await.unwrap().unwrap();
        let outcome = jobs::fail(&store, &job, "smtp down", Some(Duration::from_secs(3600)))
            .await
            .unwrap();
        assert!(matches!(outcome, FailureOutcome::RetryAt(_)));
        assert!(
            jobs::claim(&store, LEASE).await.unwrap().is_none(),
            "not due before its back-off"
        );

        let job = jobs::claim(&store, LEASE).await.unwrap();
        assert!(job.is_none());
        // Make it due now and fail the last attempt.
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE id = $1")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        let job = jobs::claim(&store, LEASE).await.unwrap().unwrap();
        assert_eq!(job.attempts, 2);
        assert_eq!(
            jobs::fail(&store, &job, "smtp still down", Some(Duration::ZERO))
                .await
                .unwrap(),
            FailureOutcome::GaveUp
        );

        let failed = jobs::list(&store, Some(JobStatus::Failed), 10)
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].last_error.as_deref(), Some("smtp still down"));
        assert!(
            jobs::claim(&store, LEASE).await.unwrap().is_none(),
            "failed jobs stay failed"
        );

        assert!(jobs::retry_failed(&store, id).await.unwrap());
        assert!(
            !jobs::retry_failed(&store, id).await.unwrap(),
            "only failed jobs can be retried"
        );
        assert_eq!(
            jobs::claim(&store, LEASE).await.unwrap().unwrap().attempts,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_workers_claim_each_job_exactly_once() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        for i in 0..40 {
            jobs::enqueue(&mut tx, "email", &i, 3).await.unwrap();
        }
        tx.commit().await.unwrap();

        let workers = (0..4).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(job) = jobs::claim(&store, LEASE).await.unwrap() {
                    jobs::complete(&store, job.id).await.unwrap();
                    mine.push(job.id);
                }
                mine
            })
        });
        let mut seen = HashSet::new();
        for worker in workers {
            for id in worker.await.unwrap() {
                assert!(seen.insert(id), "job {id} was claimed twice");
            }
        }
        assert_eq!(seen.len(), 40);
    })
    .await;
}

#[tokio::test]
async fn a_permanent_error_gives_up_at_once() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        jobs::enqueue(&mut tx, "email", &1, 5).await.unwrap();
        tx.commit().await.unwrap();
        let job = jobs::claim(&store, LEASE).await.unwrap().unwrap();
        assert_eq!(
            jobs::fail(&store, &job, "no such address", None)
                .await
                .unwrap(),
            FailureOutcome::GaveUp
        );
        assert_eq!(jobs::count(&store, JobStatus::Failed).await.unwrap(), 1);
    })
    .await;
}
