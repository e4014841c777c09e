//! A form extractor that also understands repeated fields (`zien=contact&zien=agenda`), which
//! axum's own `Form` (serde_urlencoded) cannot put into a `Vec`. Bad input is a 400, not a 500.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

pub struct Form<T>(pub T);

impl<S, T> FromRequest<S> for Form<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = StatusCode;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| StatusCode::BAD_REQUEST)?;
        serde_html_form::from_bytes(&bytes)
            .map(Form)
            .map_err(|_| StatusCode::UNPROCESSABLE_ENTITY)
    }
}
