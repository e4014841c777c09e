//! The daily call-list reminder (job kind `screening_call_reminders`, `mantelkring jobs
//! call-reminders`): every caller with contacts due today or overdue gets one e-mail saying how
//! many, with a link to `/bellen` ("Wie bel ik vandaag?"); no names and no health details.
//!
//! At most once a day per caller: `contact_call_reminders` keeps the local day of each caller's
//! last reminder, and a run marks the caller and queues the e-mail in one transaction, so a
//! second run on the same day (by hand, or on another node) sends nothing twice. The worker
//! queues the job for the next morning at seven (Amsterdam), like the kring's digest.

use mantelkring_core::jobs::kind;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::time::Millis;
use mantelkring_store::screening::contacts;
use mantelkring_store::{Conn, Store, StoreError, jobs};
use mantelkring_web::i18n::{I18n, Lang};
use mantelkring_web::screening::calls::reminder_email;

/// The job kind.
pub const KIND: &str = "screening_call_reminders";

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reminded {
    /// E-mails queued (one per caller).
    pub callers: usize,
    /// Contacts due, counted over those e-mails.
    pub contacts: usize,
}

/// The reminders in the caller's transaction: for each caller with contacts due on the local
/// day of `now` who had no reminder that day, marks them and queues the e-mail.
pub async fn queue_reminders(
    conn: &mut Conn,
    i18n: &I18n,
    public_url: &str,
    now: Millis,
) -> Result<Reminded, StoreError> {
    let today = Day::local(now);
    let mut done = Reminded::default();
    for caller in contacts::callers_due(conn, today).await? {
        if !contacts::mark_reminded(conn, &caller.user_id, today, now).await? {
            continue;
        }
        let email = reminder_email(
            i18n,
            Lang::Nl,
            public_url,
            &caller.email,
            &caller.name,
            caller.due,
        );
        jobs::enqueue(conn, kind::EMAIL, &email, 5).await?;
        done.callers += 1;
        done.contacts += caller.due;
    }
    Ok(done)
}

/// One run, in one transaction.
pub async fn run(store: &Store, public_url: &str, now: Millis) -> Result<Reminded, StoreError> {
    let i18n = I18n::load().map_err(StoreError::Conflict)?;
    let mut tx = store.begin_write().await?;
    let done = queue_reminders(&mut tx, &i18n, public_url, now).await?;
    tx.commit().await?;
    Ok(done)
}

/// Queues the next morning's run unless one is queued or running; `true` when queued.
pub async fn schedule(store: &Store, now: Millis) -> Result<bool, StoreError> {
    let queued = mantelkring_store::network::timeline::enqueue_unless_pending_at(
        store,
        KIND,
        &serde_json::json!({}),
        3,
        crate::kring_digest::next_run(now),
    )
    .await?;
    Ok(queued.is_some())
}
