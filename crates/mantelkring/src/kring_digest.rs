//! The kring's daily digest (job kind `kring_digest`, `mantelkring jobs digest`): one e-mail per
//! membership (a member of two networks gets one for each) with the messages of the days before
//! today that this member may see and did not write, for every member who chose the digest.
//!
//! A run covers messages up to local midnight at the start of today (Europe/Amsterdam), so the
//! e-mail holds whole days and running twice on one day sends nothing twice. The worker queues
//! the job for the next morning at [`DIGEST_HOUR`] (unless one is queued), so members get
//! yesterday's messages at the start of their day.

use mantelkring_core::directory::opening::utc_offset_ms;
use mantelkring_core::jobs::kind;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::time::Millis;
use mantelkring_store::network::timeline::{self, DIGEST_MAX};
use mantelkring_store::{Conn, Store, StoreError, jobs};
use mantelkring_web::i18n::I18n;
use mantelkring_web::network::timeline::digest_email;

/// The job kind.
pub const KIND: &str = "kring_digest";

/// The local hour (Amsterdam) at which the daily digest job is queued to run.
pub const DIGEST_HOUR: i64 = 7;

const HOUR_MS: i64 = 3_600_000;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Digested {
    /// E-mails queued (one per membership).
    pub emails: usize,
    /// Messages listed in them, together.
    pub messages: usize,
}

/// The end of what a run at `now` covers: local midnight at the start of today.
pub fn covered_until(now: Millis) -> Millis {
    Day::local(now).start_ms()
}

/// The next moment after `now` that it is [`DIGEST_HOUR`]:00 in Amsterdam.
pub fn next_run(now: Millis) -> Millis {
    let at = |day: Day| {
        let guess = day.start_ms() + DIGEST_HOUR * HOUR_MS;
        // A summer-time change in the night moves the wall clock; correct for it.
        guess + utc_offset_ms(day.start_ms()) - utc_offset_ms(guess)
    };
    let today = Day::local(now);
    let candidate = at(today);
    if candidate > now {
        candidate
    } else {
        at(today.plus(1))
    }
}

/// The digest pass in the caller's transaction: for each member due a digest, queues the e-mail
/// and marks the digest sent, together. A member another run already handled is skipped.
pub async fn queue_digests(
    conn: &mut Conn,
    i18n: &I18n,
    public_url: &str,
    now: Millis,
) -> Result<Digested, StoreError> {
    let until = covered_until(now);
    let mut done = Digested::default();
    for due in timeline::digests_due(conn, until).await? {
        if !timeline::mark_digest_sent(conn, &due.member_id, until).await? {
            continue;
        }
        let mut entries = timeline::digest_messages(conn, &due, until).await?;
        let more = entries.len() > DIGEST_MAX;
        entries.truncate(DIGEST_MAX);
        if entries.is_empty() {
            continue;
        }
        let email = digest_email(i18n, public_url, &due, &entries, more);
        jobs::enqueue(conn, kind::EMAIL, &email, 5).await?;
        done.emails += 1;
        done.messages += entries.len();
    }
    Ok(done)
}

/// One run of the digest job, in one transaction.
pub async fn run(store: &Store, public_url: &str, now: Millis) -> Result<Digested, StoreError> {
    let i18n = I18n::load().map_err(StoreError::Conflict)?;
    let mut tx = store.begin_write().await?;
    let done = queue_digests(&mut tx, &i18n, public_url, now).await?;
    tx.commit().await?;
    Ok(done)
}

/// Queues the next morning's digest job unless one is queued or running; `true` when queued.
pub async fn schedule(store: &Store, now: Millis) -> Result<bool, StoreError> {
    let queued =
        timeline::enqueue_unless_pending_at(store, KIND, &serde_json::json!({}), 3, next_run(now))
            .await?;
    Ok(queued.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mantelkring_core::directory::opening::local_time;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn the_digest_runs_at_seven_in_the_morning_local_time() {
        for d in ["2026-11-24", "2026-07-01", "2026-03-29", "2026-10-25"] {
            let midnight = day(d).start_ms();
            let next = next_run(midnight + 60_000);
            assert_eq!(Day::local(next), day(d), "{d}");
            assert_eq!(local_time(next).1, 7 * 60, "{d}");
            // After seven: the next morning.
            let later = next_run(next);
            assert_eq!(Day::local(later), day(d).plus(1), "{d}");
            assert_eq!(local_time(later).1, 7 * 60, "{d}");
        }
    }

    #[test]
    fn a_run_covers_whole_days_before_today() {
        let noon = day("2026-11-24").start_ms() + 12 * HOUR_MS;
        assert_eq!(covered_until(noon), day("2026-11-24").start_ms());
        assert_eq!(
            covered_until(day("2026-11-25").start_ms()),
            day("2026-11-25").start_ms()
        );
    }
}
