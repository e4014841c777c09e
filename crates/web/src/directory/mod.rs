//! The sociale kaart on the web: the public search and detail pages (no login needed), and the
//! editors' pages where organisations keep their own entries (policy `Resource::Organisation`).

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
