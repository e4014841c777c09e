//! Signaleren on the web: burden checks, signals and proactive contact. Every page of one
//! caregiver goes through `crate::network::open` with the category `DataCategory::Checks`
//! ("checks en signalen"); the lists over many caregivers log one record per caregiver shown.
//!
//! - contacts.rs: `/kringen/{id}/signaleren/contact`: the contact plan, the contact log and a new
//!   contact with its follow-up actions (help-request marker, signal, question, proposal).
//! - calls.rs: `/bellen`: "Wie bel ik vandaag?" for the logged-in caller, and the text of the
//!   daily reminder e-mail.

pub mod calls;
pub mod contacts;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(contacts::routes())
        .merge(calls::routes())
}
