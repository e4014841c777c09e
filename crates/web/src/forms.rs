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

/// A name as typed (person, region, organisation): trimmed, 2 to 100 characters, no control
/// characters.
pub fn valid_name(input: &str) -> Option<String> {
    let name = input.trim();
    let len = name.chars().count();
    ((2..=100).contains(&len) && !name.chars().any(char::is_control)).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(super::valid_name("  Leiden  ").as_deref(), Some("Leiden"));
        assert_eq!(
            super::valid_name(" Ria de Vries ").as_deref(),
            Some("Ria de Vries")
        );
        assert_eq!(super::valid_name("x"), None);
        assert_eq!(super::valid_name(&"a".repeat(101)), None);
        assert_eq!(super::valid_name("Na\u{0}am"), None);
    }
}
