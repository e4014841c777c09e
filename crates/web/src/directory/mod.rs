//! The sociale kaart on the web: the public search and detail pages (no login needed), the
//! node's search index, and the editors' pages where organisations keep their own entries
//! (policy `Resource::Organisation`).

pub mod index;
pub mod search;

use axum::Router;
use axum::routing::get;

use crate::AppState;

mod checks;
mod editor;
pub mod freshness;
mod location_form;
pub mod reports;
mod service_form;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kaart", get(search::search))
        .route("/kaart/afdrukken", get(search::print))
        .route("/kaart/diensten/{id}", get(search::service))
        .merge(editor::routes())
        .merge(reports::routes())
        .merge(freshness::routes())
}
