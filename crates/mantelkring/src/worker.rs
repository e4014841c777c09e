//! The background worker: claims due jobs from the database queue and runs them.
//! Every app node runs one; they share the queue safely (see `mantelkring_store::jobs`).

use crate::mail::{MailError, Mailer};
use lettre::message::Mailbox;
use mantelkring_core::jobs::{EmailJob, kind, retry_delay};
use mantelkring_store::Store;
use mantelkring_store::jobs::{self, ClaimedJob, FailureOutcome};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How long a claimed job stays reserved for the worker that claimed it.
const LEASE: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub mailer: Mailer,
    pub mail_from: Mailbox,
    pub retry_base: Duration,
    pub poll: Duration,
    pub wakeup: Arc<Notify>,
}

/// What one run of the worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    Nothing,
    Done(i64),
    Retrying(i64),
    Failed(i64),
}

impl Worker {
    /// Claims and runs at most one due job.
    pub async fn run_once(&self) -> Result<Ran, mantelkring_store::StoreError> {
        let Some(job) = jobs::claim(&self.store, LEASE).await? else {
            return Ok(Ran::Nothing);
        };
        match self.execute(&job).await {
            Ok(()) => {
                jobs::complete(&self.store, job.id).await?;
                tracing::info!(job = job.id, kind = %job.kind, "job done");
                Ok(Ran::Done(job.id))
            }
            Err(error) => {
                let (message, retry) = match &error {
                    MailError::Permanent(m) => (m.clone(), None),
                    MailError::Transient(m) => (
                        m.clone(),
                        Some(retry_delay(job.attempts as u32, self.retry_base)),
                    ),
                };
                match jobs::fail(&self.store, &job, &message, retry).await? {
                    FailureOutcome::RetryAt(_) => {
                        tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %message, "job failed, will retry");
                        Ok(Ran::Retrying(job.id))
                    }
                    FailureOutcome::GaveUp => {
                        tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %message, "job failed for good");
                        Ok(Ran::Failed(job.id))
                    }
                }
            }
        }
    }

    async fn execute(&self, job: &ClaimedJob) -> Result<(), MailError> {
        match job.kind.as_str() {
            kind::EMAIL => {
                let email: EmailJob = serde_json::from_str(&job.payload)
                    .map_err(|e| MailError::Permanent(format!("onleesbare e-mailopdracht: {e}")))?;
                self.mailer.send(&self.mail_from, &email).await
            }
            other => Err(MailError::Permanent(format!(
                "onbekende soort taak '{other}'"
            ))),
        }
    }

    /// Runs jobs until `shutdown` becomes true; a job in progress is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.run_once().await {
                Ok(Ran::Nothing) => {
                    tokio::select! {
                        _ = self.wakeup.notified() => {}
                        _ = tokio::time::sleep(self.poll) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "job queue unavailable");
                    tokio::select! {
                        _ = tokio::time::sleep(self.poll.max(Duration::from_secs(1))) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }
        }
    }
}
