//! Hulpvraag en aanbod on the web (issue 7): help requests, volunteer profiles, proposals and
//! their answers. The engine is pure (`mantelkring_core::matching`), the data and its status
//! steps live in `mantelkring_store::matching`; these pages only check input, ask the access
//! policy (`crate::access::decide`, which also writes the NEN 7513 record) and render.
//!
//! - `requests.rs`: a kring's help requests (`/kringen/{id}/hulpvragen`), the new-request form,
//!   one-click escalation of an unfilled agenda task, a request's page with its history.
//! - `coordinator.rs`: the volunteer coordinator's work: ranked candidates for one request, the
//!   batch proposal for the region, sending proposals (e-mail with answer links), done/no-show,
//!   and the job's step that moves an unanswered proposal on to the next candidate.
//! - `volunteer.rs`: the volunteer's own profile, the coordinator's intake, the volunteer's
//!   proposals in the app, and the evaluations of both sides.
//! - `settings.rs`: `/beheer/koppelregels`, each region's weights, answer time and VOG validity.
//! - `answer.rs`: `/hulp/antwoord/{token}`: accepting or declining through the e-mail's link.

mod answer;
pub mod coordinator;
mod requests;
mod settings;
mod volunteer;

pub use answer::log_path as answer_log_path;

use crate::AppState;
use axum::Router;

pub use requests::may_create as may_create_request;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(requests::routes())
        .merge(coordinator::routes())
        .merge(volunteer::routes())
        .merge(answer::routes())
        .merge(settings::routes())
}
