//! The sociale kaart on the web: the public search and detail pages (no login needed), and the
//! editors' pages where organisations keep their own entries (policy `Resource::Organisation`).

use axum::Router;

use crate::AppState;

mod checks;
mod editor;
pub mod freshness;
mod location_form;
pub mod reports;
mod service_form;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(editor::routes())
        .merge(reports::routes())
        .merge(freshness::routes())
}
