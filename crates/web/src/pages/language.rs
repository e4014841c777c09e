//! The language switch: a plain form (works without JavaScript) that stores the choice in a cookie
//! and sends the visitor back to the page they were on.

use super::LANG_COOKIE;
use crate::AppState;
use crate::i18n::Lang;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    terug: String,
}

/// Only a path on this site is a valid place to return to (no `//host` or `https://…`).
pub fn safe_return_path(path: &str) -> &str {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.contains(['\r', '\n']);
    if ok { path } else { "/" }
}

pub async fn switch(State(state): State<AppState>, Form(form): Form<LanguageForm>) -> Response {
    let Some(lang) = Lang::parse(&form.lang) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let secure = if state.settings().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.code()
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(safe_return_path(&form.terug))
            .unwrap_or(HeaderValue::from_static("/")),
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_path("/toegankelijkheid"), "/toegankelijkheid");
        assert_eq!(safe_return_path("//evil.example"), "/");
        assert_eq!(safe_return_path("https://evil.example"), "/");
        assert_eq!(safe_return_path("/\\evil.example"), "/");
        assert_eq!(safe_return_path(""), "/");
    }
}
