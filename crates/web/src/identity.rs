//! Logging in and out: sessions in the database (rotated at login, idle and absolute time-outs),
//! throttling shared by all nodes, and the second factor (TOTP or a single-use recovery code).

use crate::AppState;
use crate::access::log_account_event;
use crate::errors::AppError;
use crate::pages::{Page, PageRequest, safe_return_path};
use crate::security::{bearer_token, cookie_value};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use mantelkring_core::access::Actor;
use mantelkring_core::api_token::ApiScope;
use mantelkring_core::identity::{Email, token_hash, totp};
use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::identity;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::OnceLock;

pub const SESSION_COOKIE: &str = "mk_session";
/// Sessions end 12 hours after login, whatever happens.
pub const ABSOLUTE_TIMEOUT_MS: Millis = 12 * 60 * 60 * 1000;
/// Staff sessions end after 30 minutes without a request.
pub const STAFF_IDLE_TIMEOUT_MS: Millis = 30 * 60 * 1000;
/// Longest password we will even hash (a 10 kB "password" is refused before any work).
pub const PASSWORD_MAX_BYTES: usize = 1024;

/// The logged-in user of this request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub actor: Actor,
    pub display_name: String,
    /// SHA-256 of the session token; empty for a request made with an API token.
    pub token_hash: String,
    pub address: Option<String>,
    /// Set when the request was made with an API token (`api::auth`) rather than a session.
    pub api_token: Option<ApiTokenUse>,
}

/// The API token a request was made with: its id (for the audit record) and the scopes it may
/// use now.
#[derive(Debug, Clone)]
pub struct ApiTokenUse {
    pub id: String,
    pub scopes: Vec<ApiScope>,
}

fn client_address(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// Loads the session (if any) and puts `Option<Authenticated>` in the request extensions.
/// An expired or idle session is removed here.
pub async fn load_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let address = client_address(&request);
    // A request with an API token acts only through that token: its session cookie (if any) is
    // ignored, because such requests skip the CSRF check.
    let token = cookie_value(request.headers(), SESSION_COOKIE)
        .filter(|_| bearer_token(request.headers()).is_none())
        .map(str::to_string);
    let mut user = None;
    if let Some(token) = token.filter(|t| t.len() == 64) {
        match authenticate(&state, &token, address).await {
            Ok(found) => user = found,
            Err(e) => tracing::warn!(error = %e, "session lookup failed"),
        }
    }
    request.extensions_mut().insert(user);
    next.run(request).await
}

async fn authenticate(
    state: &AppState,
    token: &str,
    address: Option<String>,
) -> Result<Option<Authenticated>, mantelkring_store::StoreError> {
    let hash = token_hash(token);
    let store = state.store();
    let Some(session) = identity::find_session(store, &hash).await? else {
        return Ok(None);
    };
    let now = now_ms();
    let Some(identity::LoadedUser {
        actor,
        display_name,
    }) = identity::load_user(store, &session.user_id, session.second_factor_at.is_some()).await?
    else {
        return Ok(None);
    };
    let idle_limit = if actor.needs_second_factor() {
        STAFF_IDLE_TIMEOUT_MS
    } else {
        ABSOLUTE_TIMEOUT_MS
    };
    if now >= session.expires_at || now - session.last_seen_at > idle_limit {
        let mut tx = store.begin_write().await?;
        identity::delete_session(&mut tx, &hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    // Write at most once a minute per session, not on every request.
    if now - session.last_seen_at > 60_000 {
        identity::touch_session(store, &hash, now).await?;
    }
    Ok(Some(Authenticated {
        actor,
        display_name,
        token_hash: hash,
        address,
        api_token: None,
    }))
}

/// The logged-in user, or a redirect to the login page.
pub fn require_user(user: Option<Authenticated>, back_to: &str) -> Result<Authenticated, AppError> {
    user.ok_or_else(|| AppError::LoginRequired {
        back_to: back_to.to_string(),
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    email: String,
    back_to: String,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    page: Page,
    back_to: String,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct BackTo {
    #[serde(default)]
    terug: String,
}

pub async fn login_form(
    request: PageRequest,
    Query(q): Query<BackTo>,
) -> Result<Html<String>, AppError> {
    let page = LoginPage {
        page: request.page("login-title"),
        email: String::new(),
        back_to: q.terug,
        message: None,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    terug: String,
}

fn render_login(
    request: &PageRequest,
    status: StatusCode,
    email: &str,
    back_to: &str,
    message_key: &str,
    minutes: Option<i64>,
) -> Response {
    let message = match minutes {
        Some(m) => request.tr.tn(message_key, "minutes", m),
        None => request.tr.t(message_key),
    };
    let page = LoginPage {
        page: request.page("login-title"),
        email: email.to_string(),
        back_to: back_to.to_string(),
        message: Some(message),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// A hash to verify against when the account does not exist, so both cases take equally long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(&[7u8; 16]).expect("static salt");
        argon2::Argon2::default()
            .hash_password(b"not a real password", &salt)
            .expect("hash")
            .to_string()
    })
}

async fn password_matches(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

fn minutes_until(until: Millis, now: Millis) -> i64 {
    ((until - now) as f64 / 60_000.0).ceil().max(1.0) as i64
}

pub async fn login(
    State(state): State<AppState>,
    request: PageRequest,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let back_to = safe_return_path(&form.terug).to_string();
    // Bad input first: nothing is looked up or written for it.
    let Ok(email) = Email::parse(&form.email) else {
        return Ok(render_login(
            &request,
            StatusCode::BAD_REQUEST,
            &form.email,
            &back_to,
            "login-invalid-email",
            None,
        ));
    };
    if form.wachtwoord.is_empty() {
        return Ok(render_login(
            &request,
            StatusCode::BAD_REQUEST,
            email.as_str(),
            &back_to,
            "login-missing-password",
            None,
        ));
    }
    if form.wachtwoord.len() > PASSWORD_MAX_BYTES {
        return Ok(render_login(
            &request,
            StatusCode::BAD_REQUEST,
            email.as_str(),
            &back_to,
            "login-password-too-long",
            None,
        ));
    }
    let store = state.store();
    let now = now_ms();
    let account_key = format!("account:{}", email.as_str());
    let address = peer.ip().to_string();
    let address_key = format!("address:{address}");
    for key in [&account_key, &address_key] {
        if let Some(until) = identity::locked_until(store, key, now).await? {
            return Ok(render_login(
                &request,
                StatusCode::TOO_MANY_REQUESTS,
                email.as_str(),
                &back_to,
                "login-locked",
                Some(minutes_until(until, now)),
            ));
        }
    }

    let account = identity::login_account(store, email.as_str()).await?;
    let hash = account
        .as_ref()
        .and_then(|a| a.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let ok = password_matches(form.wachtwoord, hash).await
        && account
            .as_ref()
            .is_some_and(|a| a.password_hash.is_some() && !a.disabled);

    let mut tx = store.begin_write().await?;
    let user_id = account.as_ref().map(|a| a.user_id.clone());
    if !ok {
        identity::record_failure(&mut tx, &account_key, identity::ACCOUNT_RULE, now).await?;
        identity::record_failure(&mut tx, &address_key, identity::ADDRESS_RULE, now).await?;
        log_account_event(
            &state,
            &mut tx,
            "login",
            "failure",
            user_id.as_deref(),
            "login",
            Some(&address),
        )
        .await?;
        tx.commit()
            .await
            .map_err(mantelkring_store::StoreError::from)?;
        // The same message whether the account exists or not.
        return Ok(render_login(
            &request,
            StatusCode::UNAUTHORIZED,
            email.as_str(),
            &back_to,
            "login-failed",
            None,
        ));
    }
    let account = account.expect("ok implies an account");
    identity::clear_failures(&mut tx, &account_key).await?;
    // Session fixation: whatever session the browser had ends; the new one gets a new id.
    if let Some(old) = cookie_value(&headers, SESSION_COOKIE) {
        identity::delete_session(&mut tx, &token_hash(old)).await?;
    }
    let token = hex::encode(rand::random::<[u8; 32]>());
    identity::create_session(
        &mut tx,
        &token_hash(&token),
        &account.user_id,
        now + ABSOLUTE_TIMEOUT_MS,
        Some(&address),
    )
    .await?;
    log_account_event(
        &state,
        &mut tx,
        "login",
        "success",
        user_id.as_deref(),
        "login",
        Some(&address),
    )
    .await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;

    let actor = identity::load_actor(store, &account.user_id, false).await?;
    let next = if actor.as_ref().is_some_and(Actor::needs_second_factor) {
        // Staff always pass a second factor; without one enrolled they set it up now.
        let step = if account.totp_enabled {
            "/inloggen/code"
        } else {
            "/inloggen/tweestaps-instellen"
        };
        format!("{step}?terug={}", urlencode(&back_to))
    } else if back_to == "/" {
        "/account".to_string()
    } else {
        back_to
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    set_session_cookie(&state, &mut response, &token);
    Ok(response)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn set_session_cookie(state: &AppState, response: &mut Response, token: &str) {
    let secure = if state.settings().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn clear_session_cookie(response: &mut Response) {
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("mk_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
}

pub async fn code_form(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<BackTo>,
) -> Result<Response, AppError> {
    let Some(user) = &request.user else {
        return Err(AppError::LoginRequired { back_to: q.terug });
    };
    if mantelkring_store::base::totp_secret(state.store(), &user.actor.user_id)
        .await?
        .is_none()
    {
        let to = format!(
            "/inloggen/tweestaps-instellen?terug={}",
            urlencode(safe_return_path(&q.terug))
        );
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response());
    }
    let page = CodePage {
        page: request.page("code-title"),
        back_to: q.terug,
        message: None,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    terug: String,
}

fn render_code(
    request: &PageRequest,
    status: StatusCode,
    back_to: &str,
    message_key: &str,
    minutes: Option<i64>,
) -> Response {
    let message = match minutes {
        Some(m) => request.tr.tn(message_key, "minutes", m),
        None => request.tr.t(message_key),
    };
    let page = CodePage {
        page: request.page("code-title"),
        back_to: back_to.to_string(),
        message: Some(message),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// Recovery codes look like `abcd-efgh-ijkl`; compared case-insensitively without dashes or spaces.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

pub async fn code(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let back_to = safe_return_path(&form.terug).to_string();
    let Some(user) = request.user.clone() else {
        return Err(AppError::LoginRequired { back_to });
    };
    let entered = form.code.trim();
    if entered.is_empty() || entered.len() > 64 {
        return Ok(render_code(
            &request,
            StatusCode::BAD_REQUEST,
            &back_to,
            "code-invalid",
            None,
        ));
    }
    let store = state.store();
    let now = now_ms();
    let key = format!("second-factor:{}", user.actor.user_id);
    if let Some(until) = identity::locked_until(store, &key, now).await? {
        return Ok(render_code(
            &request,
            StatusCode::TOO_MANY_REQUESTS,
            &back_to,
            "login-locked",
            Some(minutes_until(until, now)),
        ));
    }
    let secret: Option<String> =
        mantelkring_store::base::totp_secret(store, &user.actor.user_id).await?;
    let mut tx = store.begin_write().await?;
    let digits_only = entered
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| c.is_ascii_digit());
    let ok = if digits_only {
        match secret.as_deref().and_then(totp::decode_secret) {
            Some(secret) => match totp::verify(&secret, entered, (now / 1000) as u64) {
                Some(step) => {
                    identity::use_totp_step(&mut tx, &user.actor.user_id, step as i64).await?
                }
                None => false,
            },
            None => false,
        }
    } else {
        identity::use_recovery_code(
            &mut tx,
            &user.actor.user_id,
            &token_hash(&normalise_recovery_code(entered)),
        )
        .await?
    };
    let method = if digits_only { "totp" } else { "recovery_code" };
    if !ok {
        identity::record_failure(&mut tx, &key, identity::ACCOUNT_RULE, now).await?;
        log_account_event(
            &state,
            &mut tx,
            "second_factor",
            "failure",
            Some(&user.actor.user_id),
            method,
            user.address.as_deref(),
        )
        .await?;
        tx.commit()
            .await
            .map_err(mantelkring_store::StoreError::from)?;
        return Ok(render_code(
            &request,
            StatusCode::UNAUTHORIZED,
            &back_to,
            "code-failed",
            None,
        ));
    }
    identity::clear_failures(&mut tx, &key).await?;
    identity::mark_second_factor(&mut tx, &user.token_hash).await?;
    log_account_event(
        &state,
        &mut tx,
        "second_factor",
        "success",
        Some(&user.actor.user_id),
        method,
        user.address.as_deref(),
    )
    .await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let next = if back_to == "/" {
        "/account".to_string()
    } else {
        back_to
    };
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response())
}

async fn end_sessions(
    state: &AppState,
    user: &Authenticated,
    everywhere: bool,
) -> Result<(), AppError> {
    let store = state.store();
    let mut tx = store.begin_write().await?;
    if everywhere {
        identity::delete_user_sessions(&mut tx, &user.actor.user_id).await?;
    } else {
        identity::delete_session(&mut tx, &user.token_hash).await?;
    }
    let action = if everywhere {
        "logout_everywhere"
    } else {
        "logout"
    };
    log_account_event(
        state,
        &mut tx,
        action,
        "success",
        Some(&user.actor.user_id),
        "logout",
        user.address.as_deref(),
    )
    .await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    Ok(())
}

pub async fn logout(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Response, AppError> {
    if let Some(user) = &request.user {
        end_sessions(&state, user, false).await?;
    }
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    clear_session_cookie(&mut response);
    Ok(response)
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), "/account")?;
    end_sessions(&state, &user, true).await?;
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/inloggen")]).into_response();
    clear_session_cookie(&mut response);
    Ok(response)
}
