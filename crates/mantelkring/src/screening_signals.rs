//! The signal evaluation (job kind `screening_signals`): once a day, and after each pass of the
//! kring's unfilled tasks, the worker evaluates the signal rules in force (each region's own
//! settings) for every network and raises the new signals — one per cause, so running it again
//! raises nothing twice. Then each recipient (the regiehouder, else the network's professionals)
//! gets ONE e-mail for the run saying how many new signals there are, with the link to
//! `/signalen` — no health details in an e-mail. Run by hand with `mantelkring jobs signals`.
//!
//! Set-based (`store::screening::batch`): a few streaming queries for all networks, the rules in
//! Rust, multi-row INSERTs in a few transactions.

use mantelkring_core::jobs::kind;
use mantelkring_core::screening::instrument::Catalogue;
use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::screening::{self, batch};
use mantelkring_store::{Store, StoreError, jobs};
use mantelkring_web::i18n::I18n;
use mantelkring_web::screening::signals::new_signals_email;
use std::collections::BTreeMap;

/// The job kind.
pub const KIND: &str = "screening_signals";

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluated {
    /// Networks in which a rule holds (new causes or old).
    pub networks: usize,
    /// Signals newly raised.
    pub raised: usize,
    /// E-mails queued (one per recipient).
    pub emails: usize,
    /// How long each phase took, in milliseconds: reading and evaluating, raising, and finding
    /// the recipients and queueing the e-mails.
    pub phases_ms: [u64; 3],
}

/// Runs the evaluation at `now`: reads in one transaction, raises in a few, queues the e-mails
/// in one.
pub async fn run_at(
    store: &Store,
    instruments: &Catalogue,
    public_url: &str,
    now: Millis,
) -> Result<Evaluated, StoreError> {
    let i18n = I18n::load().map_err(StoreError::Conflict)?;
    let started = std::time::Instant::now();
    let mut phases_ms = [0u64; 3];
    let mut tx = store.begin_read().await?;
    let rules = screening::rule_context(&mut tx, instruments).await?;
    let evaluated = batch::evaluate_all(&mut tx, store.backend(), &rules, now).await?;
    tx.commit().await?;
    phases_ms[0] = started.elapsed().as_millis() as u64;
    let raised = batch::raise_new(store, &evaluated, now).await?;
    phases_ms[1] = started.elapsed().as_millis() as u64 - phases_ms[0];

    let mut per_network: BTreeMap<&str, usize> = BTreeMap::new();
    for signal in &raised {
        *per_network.entry(signal.network_id.as_str()).or_default() += 1;
    }
    let networks: Vec<&str> = per_network.keys().copied().collect();
    let mut tx = store.begin_write().await?;
    let recipients = batch::recipients_of(&mut tx, &networks).await?;
    // One e-mail per recipient for the whole run.
    let mut per_user: BTreeMap<String, (screening::signals::Recipient, usize)> = BTreeMap::new();
    for (network, count) in &per_network {
        for r in recipients.get(*network).into_iter().flatten() {
            per_user
                .entry(r.user_id.clone())
                .or_insert_with(|| (r.clone(), 0))
                .1 += count;
        }
    }
    let emails: Vec<_> = per_user
        .values()
        .map(|(r, count)| new_signals_email(&i18n, public_url, r, *count))
        .collect();
    jobs::enqueue_many(&mut tx, kind::EMAIL, &emails, 5).await?;
    tx.commit().await?;
    phases_ms[2] = started.elapsed().as_millis() as u64 - phases_ms[0] - phases_ms[1];
    Ok(Evaluated {
        networks: evaluated.len(),
        raised: raised.len(),
        emails: emails.len(),
        phases_ms,
    })
}

/// Runs the evaluation now.
pub async fn run(
    store: &Store,
    instruments: &Catalogue,
    public_url: &str,
) -> Result<Evaluated, StoreError> {
    run_at(store, instruments, public_url, now_ms()).await
}
