//! Turning failures into clear answers: a Dutch (or English) error page for people, a JSON error
//! for the API. Handlers return [`AppError`]; bare error statuses from the framework (a wrong
//! method, a too-large body, a time-out, a panic) are dressed by [`dress_bare_errors`].

use crate::AppState;
use crate::i18n::{Lang, Tr};
use crate::pages::{Page, lang_of};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// An error a handler returns. Internal errors are logged with detail but shown without it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Refused by the access policy (already written to the audit log).
    #[error("forbidden")]
    Forbidden,
    /// Needs a login first: send the visitor to the login page and back.
    #[error("login required")]
    LoginRequired { back_to: String },
    /// A staff member must pass the second factor first.
    #[error("second factor required")]
    SecondFactorRequired { back_to: String },
    #[error("internal: {0}")]
    Internal(String),
}

impl From<mantelkring_store::StoreError> for AppError {
    fn from(e: mantelkring_store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::LoginRequired { back_to } => {
                return redirect_with_return("/inloggen", back_to);
            }
            AppError::SecondFactorRequired { back_to } => {
                return redirect_with_return("/inloggen/code", back_to);
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        // An empty error response; `dress_bare_errors` renders it in the visitor's language.
        status.into_response()
    }
}

/// 303 to `path`, carrying where to come back to.
fn redirect_with_return(path: &str, back_to: &str) -> Response {
    let back = crate::pages::safe_return_path(back_to);
    let encoded: String = back
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let location = format!("{path}?terug={encoded}");
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    status: String,
    title: String,
    text: String,
}

/// The message key stem for a status: statuses without their own text share a generic one.
fn message_stem(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error-400",
        403 => "error-403",
        404 => "error-404",
        405 => "error-405",
        408 => "error-408",
        413 => "error-413",
        415 | 422 => "error-422",
        429 => "error-429",
        503 => "error-503",
        s if s >= 500 => "error-500",
        _ => "error-400",
    }
}

fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path == "/hsds"
        || path.starts_with("/hsds/")
        || path == "/healthz"
        || path == "/readyz"
}

/// The error answer for `status`: JSON under `/api/` and `/hsds/`, an HTML page elsewhere.
pub fn error_response(
    state: &AppState,
    lang: Lang,
    path: &str,
    csrf: &str,
    status: StatusCode,
) -> Response {
    let tr = Tr::new(state.i18n(), lang);
    let stem = message_stem(status);
    let title = tr.t(&format!("{stem}-title"));
    let text = tr.t(&format!("{stem}-text"));
    if is_api_path(path) {
        let body = serde_json::json!({ "error": { "status": status.as_u16(), "message": title, "detail": text } });
        return (status, axum::Json(body)).into_response();
    }
    let page = ErrorPage {
        page: Page::new(tr, path, csrf, title.clone(), None),
        status: status.as_u16().to_string(),
        title,
        text,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, "Er ging iets mis. / Something went wrong.").into_response()
        }
    }
}

/// Replaces error responses that carry no page of their own (plain text or empty) with a
/// proper page or JSON error in the visitor's language.
pub async fn dress_bare_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let lang = lang_of(request.headers());
    let path = request.uri().path().to_string();
    let csrf = request
        .extensions()
        .get::<crate::security::CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("text/html") || content_type.starts_with("application/json") {
        return response;
    }
    let mut dressed = error_response(&state, lang, &path, &csrf, status);
    // Keep headers that matter to the client, such as Allow (405) and Retry-After (429, 503).
    for name in [header::ALLOW, header::RETRY_AFTER, header::SET_COOKIE] {
        for value in response.headers().get_all(&name) {
            dressed.headers_mut().append(name.clone(), value.clone());
        }
    }
    dressed
}

/// The response CatchPanic gives for a panic: empty, so it gets dressed as a 500 page.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<axum::body::Body> {
    tracing::error!("a handler panicked");
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}
