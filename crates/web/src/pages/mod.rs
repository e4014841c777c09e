//! Server-rendered pages. Each page is an askama template (compile-checked) that receives a
//! [`Page`] with the visitor's language, the CSRF token for its forms and the navigation.

mod accessibility;
mod home;
mod language;

pub use language::safe_return_path;

use crate::AppState;
use crate::errors::error_response;
use crate::i18n::{I18n, Lang, Tr};
use crate::identity::Authenticated;
use crate::security::{CsrfToken, cookie_value};
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use mantelkring_core::navigation::{Visitor, menu_for};
use std::sync::Arc;

pub const LANG_COOKIE: &str = "mk_lang";

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(crate::admin::routes())
        .route("/", get(home::show))
        .route("/toegankelijkheid", get(accessibility::show))
        .route("/taal", post(language::switch))
        .route(
            "/inloggen",
            get(crate::identity::login_form).post(crate::identity::login),
        )
        .route(
            "/inloggen/code",
            get(crate::identity::code_form).post(crate::identity::code),
        )
        .route(
            "/inloggen/tweestaps-instellen",
            get(crate::accounts::totp_setup_form).post(crate::accounts::totp_setup),
        )
        .route(
            "/wachtwoord-vergeten",
            get(crate::accounts::forgot_form).post(crate::accounts::forgot),
        )
        .route(
            "/wachtwoord-instellen",
            get(crate::accounts::set_password_form).post(crate::accounts::set_password),
        )
        .route(
            "/registreren",
            get(crate::accounts::register_form).post(crate::accounts::register),
        )
        .route(
            "/email-bevestigen",
            get(crate::accounts::confirm_email_form).post(crate::accounts::confirm_email),
        )
        .route("/uitloggen", post(crate::identity::logout))
        .route(
            "/uitloggen/overal",
            post(crate::identity::logout_everywhere),
        )
        .route("/account", get(crate::people::account))
        .route("/logboek", get(crate::log_search::search))
        .route("/mijn-gegevens", get(crate::my_data::hub))
        .route("/mijn-gegevens/overzicht", get(crate::my_data::overview))
        .route("/mijn-gegevens/download", get(crate::my_data::download))
        .route(
            "/mijn-gegevens/toestemmingen",
            get(crate::my_data::consents),
        )
        .route(
            "/mijn-gegevens/toestemmingen/{id}/intrekken",
            post(crate::my_data::withdraw),
        )
        .route(
            "/mantelzorger-aanmelden",
            get(crate::register_caregiver::form).post(crate::register_caregiver::register),
        )
        .route("/mijn-gegevens/inzage", get(crate::people::my_access_log))
        .route("/personen/{id}", get(crate::people::person))
}

/// The visitor's language: the one they chose with the switch, otherwise Dutch.
/// (The browser's Accept-Language is ignored on purpose: this is a Dutch public service.)
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie_value(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::Nl)
}

/// A link in the main navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// What every page template gets.
#[derive(Debug, Clone)]
pub struct Page {
    tr: Tr,
    pub lang: &'static str,
    pub path: String,
    pub csrf: String,
    pub title: String,
    pub nav: Vec<NavLink>,
    /// The language the switch offers, and its label in that language.
    pub other_lang: &'static str,
    /// The logged-in user's name (for the header), if any.
    pub user_name: Option<String>,
}

impl Page {
    pub fn new(
        tr: Tr,
        path: &str,
        csrf: &str,
        title: String,
        user: Option<&Authenticated>,
    ) -> Page {
        let roles: Vec<_> = user
            .map(|u| {
                let a = &u.actor;
                a.personal_roles
                    .iter()
                    .chain(a.memberships.iter().map(|(_, r)| r))
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        let visitor = match user {
            Some(_) => Visitor::User(&roles),
            None => Visitor::Anonymous,
        };
        let nav = menu_for(visitor)
            .into_iter()
            .map(|item| NavLink {
                href: item.href,
                label: tr.t(item.label_key),
                current: item.href == path
                    || (item.href != "/" && path.starts_with(&format!("{}/", item.href))),
            })
            .collect();
        Page {
            lang: tr.lang.code(),
            other_lang: tr.lang.other().code(),
            path: path.to_string(),
            csrf: csrf.to_string(),
            title,
            nav,
            user_name: user.map(|u| u.display_name.clone()),
            tr,
        }
    }

    /// The message `key` in the page's language.
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.tr.t1(key, name, value)
    }

    /// The message `key` with two arguments.
    pub fn t2(&self, key: &str, a: (&str, &str), b: (&str, &str)) -> String {
        self.tr.t2(key, a, b)
    }

    /// The message `key` with one number argument.
    pub fn tn(&self, key: &str, name: &str, n: impl std::borrow::Borrow<i64>) -> String {
        self.tr.tn(key, name, *n.borrow())
    }
}

/// Extractor with what a page handler needs from the request.
pub struct PageRequest {
    pub tr: Tr,
    pub path: String,
    pub csrf: String,
    /// The logged-in user (loaded once per request by `identity::load_session`).
    pub user: Option<Authenticated>,
}

impl PageRequest {
    /// A [`Page`] whose title is the message `title_key`.
    pub fn page(&self, title_key: &str) -> Page {
        Page::new(
            self.tr.clone(),
            &self.path,
            &self.csrf,
            self.tr.t(title_key),
            self.user.as_ref(),
        )
    }
}

impl FromRequestParts<AppState> for PageRequest {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let i18n: Arc<I18n> = state.i18n();
        Ok(PageRequest {
            tr: Tr::new(i18n, lang_of(&parts.headers)),
            path: parts.uri.path().to_string(),
            csrf: parts
                .extensions
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
            user: parts
                .extensions
                .get::<Option<Authenticated>>()
                .cloned()
                .flatten(),
        })
    }
}

/// 404 for every path no route matches.
pub async fn not_found(State(state): State<AppState>, request: PageRequest, uri: Uri) -> Response {
    error_response(
        &state,
        request.tr.lang,
        uri.path(),
        &request.csrf,
        StatusCode::NOT_FOUND,
    )
}
