//! Accounts: registering as a caregiver, confirming an e-mail address, forgotten passwords,
//! invitation links, and setting up the second factor (QR code and recovery codes).
//!
//! Every link is single-use, stored only as a hash, and expires (reset 30 minutes, invitation
//! 7 days, confirmation 2 days). Answers never reveal whether an e-mail address has an account.

use crate::AppState;
use crate::access::log_account_event;
use crate::errors::AppError;
use crate::identity::{Authenticated, require_user};
use crate::pages::{Page, PageRequest, safe_return_path};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use mantelkring_core::base::Role;
use mantelkring_core::identity::{Email, check_new_password, token_hash, totp};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::identity::{self, LinkPurpose};
use mantelkring_store::{Conn, StoreError, Tx, audit, jobs};
use serde::Deserialize;

/// Hashes a password with argon2id (OWASP parameters: 19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt =
            SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| e.to_string())?;
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::Internal)
}

fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Creates a link for `user_id` and queues the e-mail that carries it, in `tx`.
pub async fn send_link(
    state: &AppState,
    conn: &mut Conn,
    user_id: &str,
    to: &str,
    purpose: LinkPurpose,
    subject: String,
    body_before_link: String,
) -> Result<(), AppError> {
    let token = new_token();
    identity::create_link(conn, &token_hash(&token), user_id, purpose, now_ms()).await?;
    let path = match purpose {
        LinkPurpose::VerifyEmail => "/email-bevestigen",
        LinkPurpose::Invitation | LinkPurpose::PasswordReset => "/wachtwoord-instellen",
    };
    let link = format!("{}{path}?token={token}", state.settings().public_url);
    let email = EmailJob {
        to: to.to_string(),
        subject,
        body_text: format!("{body_before_link}\n\n{link}\n"),
    };
    jobs::enqueue(conn, kind::EMAIL, &email, 5).await?;
    Ok(())
}

pub(crate) async fn commit(state: &AppState, tx: Tx) -> Result<(), AppError> {
    tx.commit().await.map_err(StoreError::from)?;
    state.job_wakeup().notify_one();
    Ok(())
}

pub(crate) fn message_page<T: Template>(status: StatusCode, page: T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

// ---- Forgotten password ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    page: Page,
    message: Option<String>,
    sent: bool,
}

pub async fn forgot_form(request: PageRequest) -> Result<Html<String>, AppError> {
    Ok(Html(
        ForgotPage {
            page: request.page("forgot-title"),
            message: None,
            sent: false,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let Ok(email) = Email::parse(&form.email) else {
        let message = Some(request.tr.t("login-invalid-email"));
        return Ok(message_page(
            StatusCode::BAD_REQUEST,
            ForgotPage {
                page: request.page("forgot-title"),
                message,
                sent: false,
            },
        ));
    };
    if let Some(account) = identity::login_account(state.store(), email.as_str())
        .await?
        .filter(|a| !a.disabled)
    {
        let mut tx = state.store().begin_write().await?;
        let tr = &request.tr;
        send_link(
            &state,
            &mut tx,
            &account.user_id,
            email.as_str(),
            LinkPurpose::PasswordReset,
            tr.t("mail-reset-subject"),
            tr.t("mail-reset-body"),
        )
        .await?;
        commit(&state, tx).await?;
    }
    // The same answer whether or not the address has an account.
    Ok(message_page(
        StatusCode::OK,
        ForgotPage {
            page: request.page("forgot-title"),
            message: None,
            sent: true,
        },
    ))
}

// ---- Setting a password from a link (reset or invitation) -------------------------------------

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    page: Page,
    token: String,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    page: Page,
    heading: String,
    text: String,
    link_href: &'static str,
    link_text: String,
}

fn notice(
    request: &PageRequest,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
    href: &'static str,
    link_key: &str,
) -> Response {
    message_page(
        status,
        NoticePage {
            page: request.page(title_key),
            heading: request.tr.t(title_key),
            text: request.tr.t(text_key),
            link_href: href,
            link_text: request.tr.t(link_key),
        },
    )
}

/// The answer for a link that is expired, used, made up or malformed.
fn link_invalid(request: &PageRequest, action_href: &'static str, action_key: &str) -> Response {
    notice(
        request,
        StatusCode::BAD_REQUEST,
        "link-invalid-title",
        "link-invalid-text",
        action_href,
        action_key,
    )
}

/// Checks a new password against length, strength and the person's own name and e-mail;
/// the error is the message key to show.
fn check_password(password: &str, email: &str, name: &str) -> Result<(), &'static str> {
    use mantelkring_core::identity::PasswordProblem;
    let local = email.split('@').next().unwrap_or_default();
    let mut personal: Vec<&str> = vec![email, local];
    personal.extend(name.split_whitespace());
    check_new_password(password, &personal).map_err(|problem| match problem {
        PasswordProblem::TooShort => "password-too-short",
        PasswordProblem::TooLong => "password-too-long",
        PasswordProblem::TooWeak { .. } => "password-too-weak",
    })
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

const PASSWORD_LINKS: [LinkPurpose; 2] = [LinkPurpose::PasswordReset, LinkPurpose::Invitation];

pub async fn set_password_form(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    if q.token.len() != 64
        || identity::peek_link(
            state.store(),
            &token_hash(&q.token),
            &PASSWORD_LINKS,
            now_ms(),
        )
        .await?
        .is_none()
    {
        return Ok(link_invalid(
            &request,
            "/wachtwoord-vergeten",
            "link-invalid-action",
        ));
    }
    Ok(message_page(
        StatusCode::OK,
        SetPasswordPage {
            page: request.page("set-password-title"),
            token: q.token,
            message: None,
        },
    ))
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    herhaling: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let store = state.store();
    let now = now_ms();
    let hash = token_hash(&form.token);
    let found = if form.token.len() == 64 {
        identity::peek_link(store, &hash, &PASSWORD_LINKS, now).await?
    } else {
        None
    };
    let Some((user_id, _)) = found else {
        return Ok(link_invalid(
            &request,
            "/wachtwoord-vergeten",
            "link-invalid-action",
        ));
    };
    let retry = |key: &str| {
        message_page(
            StatusCode::BAD_REQUEST,
            SetPasswordPage {
                page: request.page("set-password-title"),
                token: form.token.clone(),
                message: Some(request.tr.t(key)),
            },
        )
    };
    if form.wachtwoord != form.herhaling {
        return Ok(retry("set-password-mismatch"));
    }
    let email = base::user_email(store, &user_id).await?.unwrap_or_default();
    let name = base::display_name(store, &user_id)
        .await?
        .unwrap_or_default();
    if let Err(key) = check_password(&form.wachtwoord, &email, &name) {
        return Ok(retry(key));
    }
    let password_hash = hash_password(form.wachtwoord).await?;
    let mut tx = store.begin_write().await?;
    // Consume only now, in the same transaction as the new password: a refused password leaves the link usable.
    let Some((user_id, purpose)) =
        identity::consume_link(&mut tx, &hash, &PASSWORD_LINKS, now).await?
    else {
        return Ok(link_invalid(
            &request,
            "/wachtwoord-vergeten",
            "link-invalid-action",
        ));
    };
    identity::set_password(&mut tx, &user_id, &password_hash).await?;
    // The link came by e-mail, so the address works.
    identity::mark_email_verified(&mut tx, &user_id).await?;
    // A new password ends every session (someone else may have had the old one).
    identity::delete_user_sessions(&mut tx, &user_id).await?;
    let action = if purpose == LinkPurpose::Invitation {
        "invitation_accepted"
    } else {
        "password_reset"
    };
    log_account_event(
        &state,
        &mut tx,
        action,
        "success",
        Some(&user_id),
        "account",
        None,
    )
    .await?;
    commit(&state, tx).await?;
    Ok(notice(
        &request,
        StatusCode::OK,
        "set-password-done-title",
        "set-password-done-text",
        "/inloggen",
        "login",
    ))
}

// ---- Registering as a caregiver, and confirming the e-mail address ----------------------------

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    page: Page,
    name: String,
    email: String,
    message: Option<String>,
}

pub async fn register_form(request: PageRequest) -> Result<Html<String>, AppError> {
    Ok(Html(
        RegisterPage {
            page: request.page("register-title"),
            name: String::new(),
            email: String::new(),
            message: None,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    wachtwoord: String,
}

pub async fn register(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    let name = form.naam.trim().to_string();
    let retry = |key: &str| {
        message_page(
            StatusCode::BAD_REQUEST,
            RegisterPage {
                page: request.page("register-title"),
                name: name.clone(),
                email: form.email.clone(),
                message: Some(request.tr.t(key)),
            },
        )
    };
    if name.is_empty() || name.chars().count() > 100 {
        return Ok(retry("register-name-missing"));
    }
    let Ok(email) = Email::parse(&form.email) else {
        return Ok(retry("login-invalid-email"));
    };
    if let Err(key) = check_password(&form.wachtwoord, email.as_str(), &name) {
        return Ok(retry(key));
    }
    let store = state.store();
    let tr = &request.tr;
    let mut tx = store.begin_write().await?;
    if identity::login_account(store, email.as_str())
        .await?
        .is_some()
    {
        // Do not reveal that the address has an account; tell its owner instead.
        let mail = EmailJob {
            to: email.as_str().into(),
            subject: tr.t("mail-exists-subject"),
            body_text: tr.t("mail-exists-body"),
        };
        jobs::enqueue(&mut tx, kind::EMAIL, &mail, 5).await?;
    } else {
        let password_hash = hash_password(form.wachtwoord).await?;
        let (given, family) = name.split_once(' ').unwrap_or((name.as_str(), ""));
        let person = base::insert_person(
            &mut tx,
            &NewPerson {
                given_name: given,
                family_name: family,
                email: Some(email.as_str()),
                ..Default::default()
            },
        )
        .await?;
        let user_id = base::insert_user(
            &mut tx,
            &NewUser {
                email: email.as_str(),
                display_name: &name,
                person_id: Some(&person),
                password_hash: Some(&password_hash),
                totp_secret: None,
            },
        )
        .await?;
        identity::add_personal_role(&mut tx, &user_id, Role::Caregiver).await?;
        send_link(
            &state,
            &mut tx,
            &user_id,
            email.as_str(),
            LinkPurpose::VerifyEmail,
            tr.t("mail-verify-subject"),
            tr.t("mail-verify-body"),
        )
        .await?;
        audit::append(
            &mut tx,
            store.backend(),
            &audit::NewEvent {
                action: "create",
                outcome: "success",
                user_id: Some(&user_id),
                user_role: Some(Role::Caregiver.as_str()),
                purpose: "own_data",
                source: state.settings().audit_source.as_str(),
                subject_person_id: Some(&person),
                data_category: Some("basic,contact"),
                ..Default::default()
            },
        )
        .await?;
    }
    commit(&state, tx).await?;
    Ok(notice(
        &request,
        StatusCode::OK,
        "register-done-title",
        "register-done-text",
        "/inloggen",
        "login",
    ))
}

#[derive(Template)]
#[template(path = "confirm_email.html")]
struct ConfirmEmailPage {
    page: Page,
    token: String,
}

/// The link in the e-mail shows a button; only the button press confirms (mail scanners that
/// open links do not).
pub async fn confirm_email_form(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    if q.token.len() != 64
        || identity::peek_link(
            state.store(),
            &token_hash(&q.token),
            &[LinkPurpose::VerifyEmail],
            now_ms(),
        )
        .await?
        .is_none()
    {
        return Ok(link_invalid(&request, "/inloggen", "login"));
    }
    Ok(message_page(
        StatusCode::OK,
        ConfirmEmailPage {
            page: request.page("confirm-email-title"),
            token: q.token,
        },
    ))
}

#[derive(Deserialize)]
pub struct ConfirmEmailForm {
    #[serde(default)]
    token: String,
}

pub async fn confirm_email(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<ConfirmEmailForm>,
) -> Result<Response, AppError> {
    let mut tx = state.store().begin_write().await?;
    let Some((user_id, _)) = identity::consume_link(
        &mut tx,
        &token_hash(&form.token),
        &[LinkPurpose::VerifyEmail],
        now_ms(),
    )
    .await?
    else {
        return Ok(link_invalid(&request, "/inloggen", "login"));
    };
    identity::mark_email_verified(&mut tx, &user_id).await?;
    commit(&state, tx).await?;
    Ok(notice(
        &request,
        StatusCode::OK,
        "confirm-email-done-title",
        "confirm-email-done-text",
        "/account",
        "nav-account",
    ))
}

// ---- Setting up the second factor ------------------------------------------------------------

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct TotpSetupPage {
    page: Page,
    qr_svg: String,
    secret: String,
    back_to: String,
    message: Option<String>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    page: Page,
    codes: Vec<String>,
    next: String,
}

/// The QR code of the otpauth URI, drawn here as inline SVG (no image service, no script).
pub fn qr_svg(uri: &str, label: &str) -> Result<String, AppError> {
    let code =
        qrcode::QrCode::new(uri.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    let label = label.replace(['"', '<', '>', '&'], "");
    Ok(svg[start..].replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"mk-qr\""),
        1,
    ))
}

/// Ten recovery codes like `k7mq-3xtp-9wha`, from letters and digits that are hard to confuse.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            let raw: String = (0..12)
                .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12])
        })
        .collect()
}

async fn pending_secret(state: &AppState, user: &Authenticated) -> Result<String, AppError> {
    let (secret, enabled) = identity::totp_state(state.store(), &user.actor.user_id).await?;
    match secret {
        Some(s) if !enabled => Ok(s),
        _ => {
            let fresh = totp::encode_secret(&rand::random::<[u8; 20]>());
            let mut tx = state.store().begin_write().await?;
            identity::set_pending_totp(&mut tx, &user.actor.user_id, &fresh).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(fresh)
        }
    }
}

async fn setup_page(
    state: &AppState,
    request: &PageRequest,
    user: &Authenticated,
    back_to: &str,
    message: Option<String>,
) -> Result<TotpSetupPage, AppError> {
    let secret = pending_secret(state, user).await?;
    let email = base::user_email(state.store(), &user.actor.user_id)
        .await?
        .unwrap_or_default();
    let uri = totp::otpauth_uri(&secret, &email, "Mantelkring");
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Ok(TotpSetupPage {
        page: request.page("totp-setup-title"),
        qr_svg: qr_svg(&uri, &request.tr.t("totp-setup-qr-label"))?,
        secret: grouped.join(" "),
        back_to: back_to.to_string(),
        message,
    })
}

#[derive(Deserialize, Default)]
pub struct BackTo {
    #[serde(default)]
    terug: String,
}

pub async fn totp_setup_form(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<BackTo>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), "/inloggen/tweestaps-instellen")?;
    let (_, enabled) = identity::totp_state(state.store(), &user.actor.user_id).await?;
    if enabled {
        // Replacing a working second factor needs that factor first (not offered here yet).
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/account")]).into_response());
    }
    let page = setup_page(&state, &request, &user, safe_return_path(&q.terug), None).await?;
    Ok(message_page(StatusCode::OK, page))
}

#[derive(Deserialize)]
pub struct TotpSetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    terug: String,
}

pub async fn totp_setup(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<TotpSetupForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), "/inloggen/tweestaps-instellen")?;
    let back_to = safe_return_path(&form.terug).to_string();
    let (secret, enabled) = identity::totp_state(state.store(), &user.actor.user_id).await?;
    let pending = secret
        .filter(|_| !enabled)
        .and_then(|s| totp::decode_secret(&s).map(|bytes| (s, bytes)));
    let Some((secret_b32, secret_bytes)) = pending else {
        return Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, "/inloggen/tweestaps-instellen")],
        )
            .into_response());
    };
    let now = now_ms();
    let Some(step) = totp::verify(&secret_bytes, &form.code, (now / 1000) as u64) else {
        let page = setup_page(
            &state,
            &request,
            &user,
            &back_to,
            Some(request.tr.t("code-failed")),
        )
        .await?;
        return Ok(message_page(StatusCode::BAD_REQUEST, page));
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| token_hash(&crate::identity::normalise_recovery_code(c)))
        .collect();
    let mut tx = state.store().begin_write().await?;
    identity::enable_totp(&mut tx, &user.actor.user_id, &secret_b32).await?;
    identity::use_totp_step(&mut tx, &user.actor.user_id, step as i64).await?;
    identity::replace_recovery_codes(&mut tx, &user.actor.user_id, &hashes).await?;
    identity::mark_second_factor(&mut tx, &user.token_hash).await?;
    let user_id = user.actor.user_id.as_str();
    log_account_event(
        &state,
        &mut tx,
        "second_factor_enrolled",
        "success",
        Some(user_id),
        "account",
        user.address.as_deref(),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let next = if back_to == "/" {
        "/account".to_string()
    } else {
        back_to
    };
    Ok(message_page(
        StatusCode::OK,
        RecoveryCodesPage {
            page: request.page("recovery-title"),
            codes,
            next,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_readable_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(
            codes.iter().collect::<std::collections::HashSet<_>>().len(),
            10
        );
        for c in &codes {
            assert_eq!(c.len(), 14);
            assert!(!c.contains(['0', 'o', '1', 'l', 'i']), "{c}");
        }
    }

    #[test]
    fn the_qr_code_is_inline_svg_with_a_label() {
        let svg = qr_svg("otpauth://totp/Mantelkring:a%40b.nl?secret=ABC", "QR-code").unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"QR-code\""));
        assert!(!svg.contains("<?xml") && !svg.contains("<script"));
    }
}
