//! The Open Referral HSDS 3.0 API under `/hsds/`: the public sociale kaart as JSON for other
//! systems (read only, no login: the map is public).

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
