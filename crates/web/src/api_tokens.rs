//! `/account/api-sleutels`: a user makes and revokes their own API tokens for integrations.
//!
//! Only users whose roles allow a scope (`api_token::scopes_allowed_for`) see the page, and only
//! after the second factor. A new token's secret is shown once, on the answer to the form, and
//! never stored. Making and revoking are written to the access log.

use crate::AppState;
use crate::access::log_api_token_event;
use crate::errors::AppError;
use crate::identity::{Authenticated, require_user};
use crate::pages::{Page, PageRequest};
use crate::people::format_time;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use mantelkring_core::access::Action;
use mantelkring_core::api_token::{
    ApiScope, TokenInputProblem, check_grant, days_ms, parse_days, parse_name, scopes_allowed_for,
};
use mantelkring_core::time::now_ms;
use mantelkring_store::StoreError;
use mantelkring_store::api_tokens::{self, ApiToken, NewApiToken};
use serde::Deserialize;

const PATH: &str = "/account/api-sleutels";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(list).post(create))
        .route("/account/api-sleutels/{id}/intrekken", post(revoke))
}

/// Whether the user may manage API tokens at all (for the link on the account page).
pub fn may_manage(user: &Authenticated) -> bool {
    !scopes_allowed_for(&user.actor).is_empty()
}

/// The user and the scopes they may grant, if they may use this page now: logged in, with a
/// role that allows a scope (403 otherwise), past the second factor (else sent to it).
fn manager(request: &PageRequest) -> Result<(Authenticated, Vec<ApiScope>), AppError> {
    let user = require_user(request.user.clone(), PATH)?;
    let allowed = scopes_allowed_for(&user.actor);
    if allowed.is_empty() {
        return Err(AppError::Forbidden);
    }
    if !user.actor.second_factor {
        return Err(AppError::SecondFactorRequired {
            back_to: PATH.to_string(),
        });
    }
    Ok((user, allowed))
}

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct TokensPage {
    page: Page,
    created: Option<CreatedView>,
    notice: Option<String>,
    tokens: Vec<TokenLine>,
    message: Option<String>,
    name: String,
    days: String,
    scopes: Vec<ScopeOption>,
    max_days: i64,
}

struct CreatedView {
    label: String,
    secret: String,
}

struct TokenLine {
    id: String,
    name: String,
    status: String,
    active: bool,
    scopes: String,
    created: String,
    expires: String,
    last_used: String,
}

struct ScopeOption {
    value: &'static str,
    label: String,
    hint: String,
    checked: bool,
}

fn scope_key(scope: ApiScope) -> String {
    format!("api-tokens-scope-{}", scope.as_str().replace(':', "-"))
}

/// What the form sent (kept to fill it in again after a mistake).
#[derive(Default)]
struct Entered {
    name: String,
    scopes: Vec<String>,
    days: String,
}

impl Entered {
    /// The form as pairs: `toegang` may come several times (one per ticked box).
    fn from_fields(fields: Vec<(String, String)>) -> Entered {
        let mut entered = Entered::default();
        for (key, value) in fields {
            match key.as_str() {
                "naam" => entered.name = value,
                "toegang" => entered.scopes.push(value),
                "dagen" => entered.days = value,
                _ => {}
            }
        }
        entered
    }
}

/// What the page shows besides the list and the empty form.
#[derive(Default)]
struct Shown<'a> {
    /// The form as sent, to fill it in again after a mistake.
    entered: Option<&'a Entered>,
    /// What was wrong with the form.
    message: Option<String>,
    /// The token just made, with its secret.
    created: Option<CreatedView>,
    /// A confirmation (token revoked).
    notice: Option<String>,
}

async fn render(
    state: &AppState,
    request: &PageRequest,
    user: &Authenticated,
    allowed: &[ApiScope],
    status: StatusCode,
    shown: Shown<'_>,
) -> Result<Response, AppError> {
    let tr = &request.tr;
    let empty = Entered::default();
    let entered = shown.entered.unwrap_or(&empty);
    let now = now_ms();
    let scope_labels = |scopes: &[ApiScope]| {
        scopes
            .iter()
            .map(|s| format!("{} ({})", tr.t(&scope_key(*s)), s.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let tokens = api_tokens::list_for_user(state.store(), &user.actor.user_id)
        .await?
        .into_iter()
        .map(|t: ApiToken| {
            let status = match (t.revoked_at, t.expires_at) {
                (Some(at), _) => format!(
                    "{} ({})",
                    tr.t("api-tokens-status-revoked"),
                    format_time(at)
                ),
                (None, Some(at)) if at <= now => {
                    format!(
                        "{} ({})",
                        tr.t("api-tokens-status-expired"),
                        format_time(at)
                    )
                }
                _ => tr.t("api-tokens-status-active"),
            };
            TokenLine {
                active: t.is_active(now),
                status,
                scopes: scope_labels(&t.scopes),
                created: format_time(t.created_at),
                expires: t
                    .expires_at
                    .map(format_time)
                    .unwrap_or_else(|| tr.t("api-tokens-expires-never")),
                last_used: t
                    .last_used_at
                    .map(format_time)
                    .unwrap_or_else(|| tr.t("api-tokens-never-used")),
                id: t.id,
                name: t.name,
            }
        })
        .collect();
    let scopes = allowed
        .iter()
        .map(|s| ScopeOption {
            value: s.as_str(),
            label: tr.t(&scope_key(*s)),
            hint: tr.t(&format!("{}-hint", scope_key(*s))),
            checked: entered.scopes.iter().any(|e| e == s.as_str()),
        })
        .collect();
    let shows_secret = shown.created.is_some();
    let page = TokensPage {
        page: request.page("api-tokens-title"),
        created: shown.created,
        notice: shown.notice,
        tokens,
        message: shown.message,
        name: entered.name.clone(),
        days: entered.days.clone(),
        scopes,
        max_days: mantelkring_core::api_token::MAX_DAYS,
    };
    let mut response = (status, Html(page.render()?)).into_response();
    if shows_secret {
        // The secret must not linger in a cache or the browser's back-forward store.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    ingetrokken: Option<String>,
}

/// The user's tokens and the form for a new one.
pub async fn list(
    State(state): State<AppState>,
    request: PageRequest,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (user, allowed) = manager(&request)?;
    let notice = query
        .ok()
        .and_then(|Query(q)| q.ingetrokken)
        .map(|_| request.tr.t("api-tokens-revoked-notice"));
    render(
        &state,
        &request,
        &user,
        &allowed,
        StatusCode::OK,
        Shown {
            notice,
            ..Shown::default()
        },
    )
    .await
}

fn input_problem_key(problem: TokenInputProblem) -> &'static str {
    match problem {
        TokenInputProblem::NameMissing => "api-tokens-name-missing",
        TokenInputProblem::NameTooLong => "api-tokens-name-too-long",
        TokenInputProblem::NameControl => "api-tokens-name-control",
        TokenInputProblem::BadDays => "api-tokens-days-invalid",
    }
}

/// Makes a token and shows its secret once.
pub async fn create(
    State(state): State<AppState>,
    request: PageRequest,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (user, allowed) = manager(&request)?;
    let entered = Entered::from_fields(fields);
    let tr = &request.tr;
    let refuse = |status: StatusCode, message: String| {
        render(
            &state,
            &request,
            &user,
            &allowed,
            status,
            Shown {
                entered: Some(&entered),
                message: Some(message),
                ..Shown::default()
            },
        )
    };
    let name = match parse_name(&entered.name) {
        Ok(name) => name,
        Err(problem) => {
            return refuse(StatusCode::BAD_REQUEST, tr.t(input_problem_key(problem))).await;
        }
    };
    let mut scopes = Vec::new();
    for value in &entered.scopes {
        match ApiScope::parse(value) {
            Ok(scope) => scopes.push(scope),
            Err(_) => {
                return refuse(StatusCode::BAD_REQUEST, tr.t("api-tokens-scope-unknown")).await;
            }
        }
    }
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, tr.t("api-tokens-scope-missing")).await;
    }
    if let Err(scope) = check_grant(&user.actor, &scopes) {
        return refuse(
            StatusCode::FORBIDDEN,
            tr.t1("api-tokens-scope-not-allowed", "scope", scope.as_str()),
        )
        .await;
    }
    let days = match parse_days(&entered.days) {
        Ok(days) => days,
        Err(problem) => {
            return refuse(StatusCode::BAD_REQUEST, tr.t(input_problem_key(problem))).await;
        }
    };

    let mut tx = state.store().begin_write().await?;
    let made = api_tokens::create(
        &mut tx,
        &NewApiToken {
            name: &name,
            user_id: &user.actor.user_id,
            scopes: &scopes,
            expires_at: days.map(|d| now_ms() + days_ms(d)),
        },
    )
    .await?;
    log_api_token_event(
        &state,
        &mut tx,
        &user,
        Action::Create,
        &made.token.id,
        &ApiScope::join(&scopes),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(user = %user.actor.user_id, token = %made.token.id, "API token made");
    let created = CreatedView {
        label: tr.t1("api-tokens-created-label", "name", &name),
        secret: made.secret,
    };
    render(
        &state,
        &request,
        &user,
        &allowed,
        StatusCode::OK,
        Shown {
            created: Some(created),
            ..Shown::default()
        },
    )
    .await
}

/// Revokes one of the user's own tokens. Another user's token, an unknown id or a token already
/// revoked: 404, nothing written.
pub async fn revoke(
    State(state): State<AppState>,
    request: PageRequest,
    Path(token_id): Path<String>,
) -> Result<Response, AppError> {
    let (user, _) = manager(&request)?;
    let token = api_tokens::get(state.store(), &token_id)
        .await?
        .filter(|t| t.user_id == user.actor.user_id && t.revoked_at.is_none())
        .ok_or(AppError::NotFound)?;
    let mut tx = state.store().begin_write().await?;
    if !api_tokens::revoke(&mut tx, &token.id, &user.actor.user_id, now_ms()).await? {
        return Err(AppError::NotFound);
    }
    log_api_token_event(
        &state,
        &mut tx,
        &user,
        Action::Delete,
        &token.id,
        &ApiScope::join(&token.scopes),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(user = %user.actor.user_id, token = %token.id, "API token revoked");
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("{PATH}?ingetrokken=1"))],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::scope_key;
    use crate::i18n::{I18n, Lang};
    use mantelkring_core::api_token::ApiScope;

    /// Scope labels and hints are looked up by a key made from the scope's name.
    #[test]
    fn every_scope_has_a_label_and_a_hint_in_both_languages() {
        let i18n = I18n::load().unwrap();
        for scope in ApiScope::ALL {
            for key in [scope_key(scope), format!("{}-hint", scope_key(scope))] {
                for lang in Lang::ALL {
                    assert!(i18n.has(lang, &key), "{key} missing for {}", lang.code());
                }
            }
        }
    }
}
