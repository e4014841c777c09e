//! Mantelkring's HTTP layer. [`router`] builds the whole application: pages (server-rendered,
//! usable without JavaScript), the JSON API under `/api/` with its generated OpenAPI document,
//! static assets compiled into the binary, and the middleware every request passes through.
//!
//! Path of a request, outside in: tracing → security headers → CSRF check → error-page dressing →
//! session loading → panic catcher → time-out → body limit → handler (pages::*, api::*) → store.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod api;
pub mod api_tokens;
mod assets;
pub mod directory;
pub mod errors;
pub mod forms;
pub mod hsds;
pub mod i18n;
pub mod identity;
pub mod log_search;
pub mod matching;
pub mod my_data;
pub mod network;
pub mod pages;
pub mod people;
pub mod register_caregiver;
pub mod screening;
pub mod security;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use i18n::I18n;
use mantelkring_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Settings of the HTTP layer (from the binary's configuration).
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    /// Longest a request may take (408 after it).
    pub request_timeout: Duration,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Names this system in the audit log (NEN 7513 "source").
    pub audit_source: String,
    /// Where people reach this installation; used in links in e-mail.
    pub public_url: String,
    /// Sociale kaart: an entry not checked for this many days is flagged as stale.
    pub directory_stale_after_days: u32,
    /// Signaleren: the burden instruments on offer (built-in and the region's own).
    pub instruments: Arc<mantelkring_core::screening::instrument::Catalogue>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            secure_cookies: false,
            audit_source: "mantelkring".into(),
            public_url: "http://127.0.0.1:8080".into(),
            directory_stale_after_days:
                mantelkring_core::directory::freshness::DEFAULT_STALE_AFTER_DAYS,
            instruments: Arc::new(mantelkring_core::screening::instrument::Catalogue::built_in()),
        }
    }
}

/// Everything a handler may need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    i18n: Arc<I18n>,
    secret_key: Vec<u8>,
    settings: WebSettings,
    openapi_json: String,
    api_reference: api::reference::ApiReference,
    job_wakeup: Arc<Notify>,
    directory: Arc<directory::index::DirectoryIndex>,
}

impl AppState {
    pub fn store(&self) -> &Store {
        &self.0.store
    }
    pub fn i18n(&self) -> Arc<I18n> {
        self.0.i18n.clone()
    }
    pub fn secret_key(&self) -> &[u8] {
        &self.0.secret_key
    }
    pub fn settings(&self) -> &WebSettings {
        &self.0.settings
    }
    /// Wakes this node's job worker after a handler enqueued a job (other nodes poll).
    pub fn job_wakeup(&self) -> &Arc<Notify> {
        &self.0.job_wakeup
    }
    /// This node's search index of the sociale kaart.
    pub fn directory(&self) -> &Arc<directory::index::DirectoryIndex> {
        &self.0.directory
    }
}

/// Builds the application. `secret_key` signs CSRF tokens (and, later, sessions); every node of an
/// installation must use the same one, which is why the binary keeps it in the database.
pub fn router(
    store: Store,
    secret_key: Vec<u8>,
    settings: WebSettings,
    job_wakeup: Arc<Notify>,
    directory: Arc<directory::index::DirectoryIndex>,
) -> Router {
    let (api_routes, openapi) = api::routes().split_for_parts();
    let openapi_json = openapi
        .to_pretty_json()
        .expect("OpenAPI document serialises");
    let state = AppState(Arc::new(Inner {
        store,
        i18n: Arc::new(I18n::load().expect("message files are valid (checked by tests)")),
        secret_key,
        api_reference: api::reference::ApiReference::from_openapi(&openapi),
        settings: settings.clone(),
        openapi_json,
        job_wakeup,
        directory,
    }));

    Router::new()
        .merge(pages::routes())
        .merge(api_tokens::routes())
        .merge(directory::routes())
        .merge(network::routes())
        .merge(screening::routes())
        .merge(matching::routes())
        .merge(hsds::routes())
        .merge(api_routes)
        .merge(api::reference::routes())
        .merge(assets::routes())
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(settings.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(from_fn_with_state(state.clone(), identity::load_session))
        .layer(from_fn_with_state(state.clone(), errors::dress_bare_errors))
        .layer(from_fn_with_state(state.clone(), security::csrf))
        .layer(axum::middleware::from_fn(security::security_headers))
        .layer(
            // Log method, path (never the query: it may hold a postcode or a name; never a
            // single-use link's token), status and latency.
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let path = screening::links::log_path(request.uri().path());
                    let path = matching::answer_log_path(&path).into_owned();
                    tracing::info_span!("request", method = %request.method(), path = %path)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}

/// The OpenAPI document of the JSON API, as served at `/api/openapi.json`.
pub fn openapi_json() -> String {
    let (_, openapi) = api::routes().split_for_parts();
    openapi
        .to_pretty_json()
        .expect("OpenAPI document serialises")
}
