//! Signaleren on the web: burden checks, signals and proactive contact.
//!
//! - `signals.rs`: a network's signals with their history and follow-up
//!   (`/kringen/{id}/signaleren/signalen`), the worklist `/signalen`, the evaluation's e-mail.
//! - `meeting.rs`: the signal meeting `/signalen/overleg` (grouped by caregiver or by rule) and
//!   its printable agenda.
//! - `rules.rs`: each region's signal rules for administrators (`/beheer/signaalregels`).

mod meeting;
mod rules;
pub mod signals;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(signals::routes())
        .merge(meeting::routes())
        .merge(rules::routes())
}
