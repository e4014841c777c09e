//! The background worker: claims due jobs from the database queue and runs them.
//! Every app node runs one; they share the queue safely (see `mantelkring_store::jobs`).

use crate::mail::{MailError, Mailer};
use lettre::message::Mailbox;
use mantelkring_core::jobs::{EmailJob, kind, retry_delay};
use mantelkring_core::time::now_ms;
use mantelkring_store::jobs::{self, ClaimedJob, FailureOutcome};
use mantelkring_store::{Store, StoreError};
use mantelkring_web::directory::freshness::{Reminded, queue_reminders};
use mantelkring_web::i18n::I18n;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// How long a claimed job stays reserved for the worker that claimed it.
const LEASE: Duration = Duration::from_secs(300);

/// How often recurring work (the sociale-kaart reminders) is queued.
pub const RECURRING_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub mailer: Mailer,
    pub mail_from: Mailbox,
    pub retry_base: Duration,
    pub poll: Duration,
    pub wakeup: Arc<Notify>,
    /// Where people reach this installation (links in reminder e-mails).
    pub public_url: String,
    /// Sociale kaart: days after which an unchecked entry is stale.
    pub stale_after_days: u32,
    /// Signaleren: the instruments in force (their default thresholds).
    pub instruments: Arc<mantelkring_core::screening::instrument::Catalogue>,
}

/// The sociale-kaart reminder pass (job kind `directory_reminders`, `mantelkring jobs
/// reminders`), in one transaction: the e-mails to the editors of stale entries are queued and
/// those entries marked as reminded together (see `queue_reminders`).
pub async fn directory_reminders(
    store: &Store,
    public_url: &str,
    stale_after_days: u32,
) -> Result<Reminded, StoreError> {
    let i18n = I18n::load().map_err(StoreError::Conflict)?;
    let mut tx = store.begin_write().await?;
    let done = queue_reminders(&mut tx, &i18n, public_url, stale_after_days, now_ms()).await?;
    tx.commit().await?;
    Ok(done)
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
            kind::DIRECTORY_REMINDERS => {
                let done = self
                    .directory_reminders()
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(
                    organisations = done.organisations,
                    emails = done.emails,
                    services = done.services,
                    "sociale kaart: reminders queued"
                );
                Ok(())
            }
            crate::kring_unfilled::KIND => {
                let marked = crate::kring_unfilled::run(&self.store)
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(marked, "kring: unfilled tasks marked for volunteers");
                // Tasks that stay unfilled may raise signals: evaluate after the pass.
                self.schedule_screening_signals().await;
                Ok(())
            }
            crate::screening_signals::KIND => {
                let done =
                    crate::screening_signals::run(&self.store, &self.instruments, &self.public_url)
                        .await
                        .map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(
                    networks = done.networks,
                    raised = done.raised,
                    emails = done.emails,
                    "signaleren: signals evaluated"
                );
                Ok(())
            }
            crate::matching_expiry::KIND => {
                let done = crate::matching_expiry::run(&self.store, &self.public_url)
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(
                    expired = done.expired,
                    proposed = done.proposed,
                    "hulpvragen: unanswered proposals moved on"
                );
                Ok(())
            }
            crate::kring_digest::KIND => {
                let done = crate::kring_digest::run(&self.store, &self.public_url, now_ms())
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(
                    emails = done.emails,
                    messages = done.messages,
                    "kring: digests queued"
                );
                Ok(())
            }
            crate::screening_reminders::KIND => {
                let done = crate::screening_reminders::run(&self.store, &self.public_url, now_ms())
                    .await
                    .map_err(|e| MailError::Transient(e.to_string()))?;
                tracing::info!(
                    callers = done.callers,
                    contacts = done.contacts,
                    "signaleren: call-list reminders queued"
                );
                Ok(())
            }
            other => Err(MailError::Permanent(format!(
                "onbekende soort taak '{other}'"
            ))),
        }
    }

    async fn directory_reminders(&self) -> Result<Reminded, StoreError> {
        directory_reminders(&self.store, &self.public_url, self.stale_after_days).await
    }

    /// Queues the recurring jobs that are not queued yet: the sociale-kaart reminders (to run now),
    /// the kring's digest and the call-list reminders (for the next morning, see `kring_digest`
    /// and `screening_reminders`).
    /// Called at start and then every [`RECURRING_EVERY`] by [`Worker::run`].
    pub async fn schedule_recurring(&self) -> Result<bool, StoreError> {
        let queued = jobs::enqueue_unless_pending(
            &self.store,
            kind::DIRECTORY_REMINDERS,
            &serde_json::json!({}),
            3,
        )
        .await?;
        if queued.is_some() {
            self.wakeup.notify_one();
        }
        let digest = crate::kring_digest::schedule(&self.store, now_ms()).await?;
        let calls = crate::screening_reminders::schedule(&self.store, now_ms()).await?;
        Ok(queued.is_some() || digest || calls)
    }

    /// Queues the kring's daily unfilled pass unless one is waiting (at start and every
    /// [`RECURRING_EVERY`], by [`Worker::run`]); a failure is logged and retried the next time.
    pub async fn schedule_kring_unfilled(&self) {
        let kind = crate::kring_unfilled::KIND;
        match jobs::enqueue_unless_pending(&self.store, kind, &serde_json::json!({}), 3).await {
            Ok(Some(_)) => self.wakeup.notify_one(),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "kring: unfilled pass not queued"),
        }
    }

    /// Queues the signal evaluation unless one is waiting (daily, and after each unfilled pass);
    /// a failure is logged and retried the next time.
    pub async fn schedule_screening_signals(&self) {
        let kind = crate::screening_signals::KIND;
        match jobs::enqueue_unless_pending(&self.store, kind, &serde_json::json!({}), 3).await {
            Ok(Some(_)) => self.wakeup.notify_one(),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "signaleren: evaluation not queued"),
        }
    }

    /// Queues the matching expiry pass unless one is waiting (at start and every
    /// [`crate::matching_expiry::EVERY`]); a failure is logged and retried the next time.
    pub async fn schedule_matching_expiry(&self) {
        let kind = crate::matching_expiry::KIND;
        match jobs::enqueue_unless_pending(&self.store, kind, &serde_json::json!({}), 3).await {
            Ok(Some(_)) => self.wakeup.notify_one(),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "hulpvragen: expiry pass not queued"),
        }
    }

    /// Runs jobs until `shutdown` becomes true; a job in progress is finished first. Every
    /// [`RECURRING_EVERY`] (the first time one period after start, when `Application::build` has
    /// just done it) it queues the recurring jobs.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut next_recurring = Instant::now() + RECURRING_EVERY;
        let mut next_expiry = Instant::now() + crate::matching_expiry::EVERY;
        self.schedule_kring_unfilled().await;
        self.schedule_screening_signals().await;
        self.schedule_matching_expiry().await;
        loop {
            if *shutdown.borrow() {
                return;
            }
            if Instant::now() >= next_expiry {
                next_expiry = Instant::now() + crate::matching_expiry::EVERY;
                self.schedule_matching_expiry().await;
            }
            if Instant::now() >= next_recurring {
                next_recurring = Instant::now() + RECURRING_EVERY;
                self.schedule_kring_unfilled().await;
                self.schedule_screening_signals().await;
                if let Err(e) = self.schedule_recurring().await {
                    tracing::warn!(error = %e, "recurring jobs not queued; trying again later");
                    next_recurring = Instant::now() + self.poll.max(Duration::from_secs(60));
                }
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
