//! Proposals not answered in time move on (job kind `matching_expiry`, `mantelkring jobs
//! matching-expiry`): every waiting proposal whose answer time has passed expires (its request is
//! open again), then each of those requests is ranked again over its region — the volunteer who
//! did not answer now counts as "declined before" in the engine's input, so they are left out —
//! and the best candidate is proposed with the coordinator's own send function
//! (`mantelkring_web::matching::coordinator::send_proposal`: the proposal and its e-mail with the
//! answer links in one transaction), one transaction per request. A request without a candidate
//! stays open for the coordinator. The worker queues the job every [`EVERY`].

use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::matching::{Actor, MatchingError, proposals, requests};
use mantelkring_store::{Store, StoreError};
use mantelkring_web::i18n::I18n;
use mantelkring_web::matching::coordinator::{rank_request, send_proposal};
use std::sync::Arc;
use std::time::Duration;

/// The job kind.
pub const KIND: &str = "matching_expiry";

/// How often the worker queues the job.
pub const EVERY: Duration = Duration::from_secs(15 * 60);

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved {
    /// Proposals that expired.
    pub expired: usize,
    /// Requests proposed to the next candidate.
    pub proposed: usize,
}

/// Runs the pass at `now`: one transaction per overdue proposal, so a request never stays
/// expired without its next proposal when the process stops half-way.
pub async fn run_at(store: &Store, public_url: &str, now: Millis) -> Result<Moved, StoreError> {
    let i18n = Arc::new(I18n::load().map_err(StoreError::Conflict)?);
    let mut done = Moved::default();
    loop {
        let mut tx = store.begin_write().await?;
        let Some(e) = proposals::expire_next_overdue(&mut tx, now)
            .await
            .map_err(MatchingError::into_store_error)?
        else {
            tx.rollback().await?;
            return Ok(done);
        };
        done.expired += 1;
        let region = requests::get(&mut tx, &e.request_id)
            .await
            .map_err(MatchingError::into_store_error)?
            .and_then(|r| r.region_id);
        let best = match region.as_deref() {
            Some(region) => rank_request(&mut tx, region, &e.request_id, 1)
                .await
                .map_err(MatchingError::into_store_error)?
                .and_then(|list| list.into_iter().next()),
            None => None,
        };
        let Some(best) = best else {
            tracing::info!(request = %e.request_id, "matching: no next candidate, request stays open");
            tx.commit().await?;
            continue;
        };
        match send_proposal(
            store,
            &mut tx,
            &i18n,
            public_url,
            &e.request_id,
            &best,
            Actor::job(),
            now,
        )
        .await
        {
            Ok(_) => {
                tx.commit().await?;
                done.proposed += 1;
            }
            Err(MatchingError::Store(s)) => return Err(s),
            Err(other) => {
                // A refused write may have aborted the transaction (PostgreSQL): expire this
                // one again on its own; the request stays open for the coordinator.
                tx.rollback().await?;
                tracing::warn!(request = %e.request_id, error = %other, "matching: next candidate not proposed");
                let mut tx = store.begin_write().await?;
                proposals::expire_next_overdue(&mut tx, now)
                    .await
                    .map_err(MatchingError::into_store_error)?;
                tx.commit().await?;
            }
        }
    }
}

/// Runs the pass now.
pub async fn run(store: &Store, public_url: &str) -> Result<Moved, StoreError> {
    run_at(store, public_url, now_ms()).await
}
