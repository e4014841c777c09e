//! The kring's unfilled pass (job kind `kring_unfilled`): once a day the worker marks the tasks
//! in every care agenda that stay unfilled — in the agenda for a few days, and an occurrence in
//! the coming week still misses people (`core::network::agenda::stays_unfilled`) — so they can
//! become help requests for volunteers, and clears the mark of tasks that are filled again.
//! Queued daily by the worker (`jobs::enqueue_unless_pending`, so at most one waits), and run by
//! hand with `mantelkring jobs unfilled`.

use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::network::agenda;
use mantelkring_store::{Store, StoreError};

/// The job kind.
pub const KIND: &str = "kring_unfilled";

/// Runs the pass at `now` in one transaction; returns how many tasks it newly marked.
pub async fn run_at(store: &Store, now: Millis) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    let marked = agenda::mark_unfilled(&mut tx, now).await?;
    tx.commit().await?;
    Ok(marked)
}

/// Runs the pass now.
pub async fn run(store: &Store) -> Result<u64, StoreError> {
    run_at(store, now_ms()).await
}
