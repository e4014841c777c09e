//! Authentication of API calls with an API token: `Authorization: Bearer mk_…`.
//!
//! The caller acts as the token's owner, with the second factor counted as passed (a token can
//! only be made from a session that passed it, or by an operator), and only within the token's
//! scopes that the owner's roles still allow. Each handler then goes through `access::decide`,
//! which applies the policy and the scope and writes the audit record with the token id.

use crate::AppState;
use crate::errors::AppError;
use crate::i18n::Tr;
use crate::identity::{ApiTokenUse, Authenticated};
use crate::pages::lang_of;
use crate::security::bearer_token;
use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mantelkring_core::api_token::{ApiScope, effective_scopes, looks_like_secret};
use mantelkring_core::time::now_ms;
use mantelkring_store::{api_tokens, identity};
use serde::Serialize;
use std::net::SocketAddr;
use utoipa::ToSchema;

/// Write `last_used_at` at most once a minute per token, not on every call.
const TOUCH_EVERY_MS: i64 = 60_000;

/// The caller of an API endpoint, authenticated by an API token.
pub struct ApiCaller {
    pub user: Authenticated,
    pub tr: Tr,
}

impl ApiCaller {
    /// Whether the token may use `scope` (to tell a missing scope from a policy refusal).
    pub fn has_scope(&self, scope: ApiScope) -> bool {
        self.user
            .api_token
            .as_ref()
            .is_some_and(|t| t.scopes.contains(&scope))
    }
}

/// An error answer of the API: JSON `{"error": {"status", "message", "detail"}}`, in the same
/// shape as the error pages' JSON form, in Dutch unless the caller chose English.
#[derive(Debug)]
pub enum ApiError {
    /// A message of our own.
    Message {
        status: StatusCode,
        message: String,
        detail: String,
        /// `WWW-Authenticate` value for 401 answers (RFC 6750).
        challenge: Option<&'static str>,
    },
    /// Anything else a handler returns: dressed as JSON by `errors::dress_bare_errors`.
    App(AppError),
}

impl ApiError {
    pub fn new(status: StatusCode, tr: &Tr, key: &str) -> ApiError {
        ApiError::Message {
            status,
            message: tr.t(&format!("{key}-title")),
            detail: tr.t(&format!("{key}-text")),
            challenge: None,
        }
    }

    /// 400 with a message naming what is wrong.
    pub fn bad_request(tr: &Tr, detail: String) -> ApiError {
        ApiError::Message {
            status: StatusCode::BAD_REQUEST,
            message: tr.t("error-400-title"),
            detail,
            challenge: None,
        }
    }

    /// 401: no token, or one that does not (or no longer) work.
    pub fn unauthorized(tr: &Tr, token_given: bool) -> ApiError {
        ApiError::Message {
            status: StatusCode::UNAUTHORIZED,
            message: tr.t("api-token-error-401-title"),
            detail: tr.t("api-token-error-401-text"),
            challenge: Some(if token_given {
                "Bearer realm=\"mantelkring\", error=\"invalid_token\""
            } else {
                "Bearer realm=\"mantelkring\""
            }),
        }
    }

    /// 403: the token lacks `scope`.
    pub fn scope_missing(tr: &Tr, scope: ApiScope) -> ApiError {
        ApiError::Message {
            status: StatusCode::FORBIDDEN,
            message: tr.t("api-token-error-scope-title"),
            detail: tr.t1("api-token-error-scope-text", "scope", scope.as_str()),
            challenge: Some("Bearer realm=\"mantelkring\", error=\"insufficient_scope\""),
        }
    }

    /// The answer for an error from `access::decide` or the store: a refusal by the policy gets
    /// its own message; a missing scope is told apart by the caller first.
    pub fn from_app(caller: &ApiCaller, scope: ApiScope, error: AppError) -> ApiError {
        match error {
            AppError::Forbidden if !caller.has_scope(scope) => {
                ApiError::scope_missing(&caller.tr, scope)
            }
            AppError::Forbidden | AppError::SecondFactorRequired { .. } => {
                ApiError::new(StatusCode::FORBIDDEN, &caller.tr, "api-token-error-403")
            }
            AppError::LoginRequired { .. } => ApiError::unauthorized(&caller.tr, true),
            other => ApiError::App(other),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::App(e)
    }
}

impl From<mantelkring_store::StoreError> for ApiError {
    fn from(e: mantelkring_store::StoreError) -> Self {
        ApiError::App(AppError::from(e))
    }
}

/// An error answer of the API.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status.
    status: u16,
    /// What went wrong, in a few words (Dutch unless the `mk_lang` cookie says `en`).
    message: String,
    /// What to do about it.
    detail: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Message {
                status,
                message,
                detail,
                challenge,
            } => {
                let body = ErrorBody {
                    error: ErrorDetail {
                        status: status.as_u16(),
                        message,
                        detail,
                    },
                };
                let mut response = (status, Json(body)).into_response();
                if let Some(challenge) = challenge {
                    response.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static(challenge),
                    );
                }
                response
            }
            ApiError::App(error) => error.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let tr = Tr::new(state.i18n(), lang_of(&parts.headers));
        let Some(secret) = bearer_token(&parts.headers) else {
            return Err(ApiError::unauthorized(&tr, false));
        };
        if !looks_like_secret(secret) {
            return Err(ApiError::unauthorized(&tr, true));
        }
        let store = state.store();
        let now = now_ms();
        let Some(token) = api_tokens::find_active(store, secret, now).await? else {
            tracing::info!("API call refused: unknown, revoked or expired token");
            return Err(ApiError::unauthorized(&tr, true));
        };
        // The owner as the policy sees them now (a disabled account has no actor).
        let Some(owner) = identity::load_user(store, &token.user_id, true).await? else {
            tracing::info!(token = %token.id, "API call refused: owner disabled or removed");
            return Err(ApiError::unauthorized(&tr, true));
        };
        if token
            .last_used_at
            .is_none_or(|last| now - last > TOUCH_EVERY_MS)
        {
            api_tokens::touch(store, &token.id, now).await?;
        }
        let scopes = effective_scopes(&token.scopes, &owner.actor);
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string());
        Ok(ApiCaller {
            user: Authenticated {
                actor: owner.actor,
                display_name: owner.display_name,
                token_hash: String::new(),
                address,
                api_token: Some(ApiTokenUse {
                    id: token.id,
                    scopes,
                }),
            },
            tr,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::{I18n, Lang};

    /// The messages are looked up by stem (`…-title`, `…-text`), which the key test cannot see.
    #[test]
    fn every_message_the_api_errors_use_exists_in_both_languages() {
        let i18n = I18n::load().unwrap();
        for stem in [
            "api-token-error-401",
            "api-token-error-scope",
            "api-token-error-403",
            "api-token-error-404",
        ] {
            for suffix in ["title", "text"] {
                for lang in Lang::ALL {
                    let key = format!("{stem}-{suffix}");
                    assert!(i18n.has(lang, &key), "{key} missing for {}", lang.code());
                }
            }
        }
        let text = i18n.message(
            Lang::Nl,
            "api-token-error-scope-text",
            &[("scope", "audit:read")],
        );
        assert!(text.contains("audit:read"), "{text}");
    }
}
