//! Accounts as the login needs them: who a user is (the actor), sessions, login throttling, the
//! second factor (TOTP step replay, recovery codes) and personal roles. State shared by app nodes
//! lives here, in the database.

use crate::{Conn, Result, Store, conflict_as, new_id};
use mantelkring_core::access::Actor;
use mantelkring_core::base::Role;
use mantelkring_core::time::{Millis, now_ms};

/// What the login needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub user_id: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub disabled: bool,
}

pub async fn login_account(store: &Store, email: &str) -> Result<Option<LoginAccount>> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, password_hash, totp_secret, totp_enabled_at, disabled_at FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(
        |(user_id, password_hash, totp_secret, enabled, disabled)| LoginAccount {
            user_id,
            password_hash,
            totp_secret,
            totp_enabled: enabled.is_some(),
            disabled: disabled.is_some(),
        },
    ))
}

/// The user with their roles, as the access policy sees them.
pub async fn load_actor(
    store: &Store,
    user_id: &str,
    second_factor: bool,
) -> Result<Option<Actor>> {
    Ok(load_user(store, user_id, second_factor)
        .await?
        .map(|u| u.actor))
}

/// A logged-in user: the actor and the name to greet them with.
#[derive(Debug, Clone)]
pub struct LoadedUser {
    pub actor: Actor,
    pub display_name: String,
}

/// Loads the actor and display name in two queries (this runs on every logged-in request).
pub async fn load_user(
    store: &Store,
    user_id: &str,
    second_factor: bool,
) -> Result<Option<LoadedUser>> {
    let user: Option<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT id, person_id, display_name FROM users WHERE id = $1 AND disabled_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(store.pool())
    .await?;
    let Some((user_id, person_id, display_name)) = user else {
        return Ok(None);
    };
    // Personal roles (no organisation) and organisation roles, oldest first.
    let roles: Vec<(Option<String>, String, i64)> = sqlx::query_as(
        "SELECT NULL, role, created_at FROM personal_roles WHERE user_id = $1 \
         UNION ALL SELECT organisation_id, role, created_at FROM memberships WHERE user_id = $1 \
         ORDER BY 3",
    )
    .bind(&user_id)
    .fetch_all(store.pool())
    .await?;
    let mut actor = Actor {
        user_id,
        person_id,
        second_factor,
        ..Default::default()
    };
    for (organisation, role, _) in roles {
        let Some(role) = Role::parse(&role) else {
            continue;
        };
        match organisation {
            Some(org) => actor.memberships.push((org, role)),
            None => actor.personal_roles.push(role),
        }
    }
    Ok(Some(LoadedUser {
        actor,
        display_name,
    }))
}

pub async fn add_personal_role(conn: &mut Conn, user_id: &str, role: Role) -> Result<()> {
    sqlx::query("INSERT INTO personal_roles (user_id, role, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(user_id)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// A stored session (the token itself is only in the browser).
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
    pub second_factor_at: Option<Millis>,
}

pub async fn create_session(
    conn: &mut Conn,
    token_hash: &str,
    user_id: &str,
    expires_at: Millis,
    address: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, network_address) \
         VALUES ($1, $2, $3, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(address)
    .execute(conn)
    .await
    .map_err(conflict_as("sessie"))?;
    Ok(())
}

pub async fn find_session(store: &Store, token_hash: &str) -> Result<Option<Session>> {
    let row: Option<(String, i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT user_id, created_at, last_seen_at, expires_at, second_factor_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(
        |(user_id, created_at, last_seen_at, expires_at, second_factor_at)| Session {
            user_id,
            created_at,
            last_seen_at,
            expires_at,
            second_factor_at,
        },
    ))
}

pub async fn touch_session(store: &Store, token_hash: &str, now: Millis) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn mark_second_factor(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("UPDATE sessions SET second_factor_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// "Log out everywhere": ends every session of the user. Returns how many there were.
pub async fn delete_user_sessions(conn: &mut Conn, user_id: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Throttling rule: after `free` failures, each further failure locks for `base` doubled per failure, up to `max`.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleRule {
    pub free: i64,
    pub base_ms: i64,
    pub max_ms: i64,
}

pub const ACCOUNT_RULE: ThrottleRule = ThrottleRule {
    free: 5,
    base_ms: 60_000,
    max_ms: 3_600_000,
};
pub const ADDRESS_RULE: ThrottleRule = ThrottleRule {
    free: 20,
    base_ms: 60_000,
    max_ms: 3_600_000,
};

/// Until when `key` is locked, if it is locked now.
pub async fn locked_until(store: &Store, key: &str, now: Millis) -> Result<Option<Millis>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT locked_until FROM login_throttle WHERE throttle_key = $1")
            .bind(key)
            .fetch_optional(store.pool())
            .await?;
    Ok(row.map(|(t,)| t).filter(|t| *t > now))
}

/// Counts a failed attempt for `key`; returns the new lock end (0 = not locked).
pub async fn record_failure(
    conn: &mut Conn,
    key: &str,
    rule: ThrottleRule,
    now: Millis,
) -> Result<Millis> {
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO login_throttle (throttle_key, failures, locked_until, updated_at) VALUES ($1, 1, 0, $2) \
         ON CONFLICT (throttle_key) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = $2 \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let over = failures - rule.free;
    let until = if over > 0 {
        now + (rule.base_ms.saturating_mul(1 << (over - 1).min(20))).min(rule.max_ms)
    } else {
        0
    };
    sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE throttle_key = $1")
        .bind(key)
        .bind(until)
        .execute(&mut *conn)
        .await?;
    Ok(until)
}

pub async fn clear_failures(conn: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that TOTP time step `step` was used; false if it (or a later one) was used already.
pub async fn use_totp_step(conn: &mut Conn, user_id: &str, step: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stores a TOTP secret as enabled (enrolment done).
pub async fn enable_totp(conn: &mut Conn, user_id: &str, secret_base32: &str) -> Result<()> {
    sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = NULL WHERE id = $1")
        .bind(user_id)
        .bind(secret_base32)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the user's recovery codes by these (hashed) ones.
pub async fn replace_recovery_codes(
    conn: &mut Conn,
    user_id: &str,
    code_hashes: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for hash in code_hashes {
        sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(user_id)
            .bind(hash)
            .bind(now_ms())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code once: true if it existed and was unused.
pub async fn use_recovery_code(conn: &mut Conn, user_id: &str, code_hash: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(code_hash)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a single-use account link is for, and how long it stays valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    VerifyEmail,
    Invitation,
    PasswordReset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::VerifyEmail => "verify_email",
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::PasswordReset => "password_reset",
        }
    }

    /// Password reset: 30 minutes. Invitation: 7 days. E-mail verification: 2 days.
    pub fn valid_for_ms(self) -> Millis {
        match self {
            LinkPurpose::PasswordReset => 30 * 60 * 1000,
            LinkPurpose::Invitation => 7 * 24 * 60 * 60 * 1000,
            LinkPurpose::VerifyEmail => 2 * 24 * 60 * 60 * 1000,
        }
    }
}

pub async fn create_link(
    conn: &mut Conn,
    token_hash: &str,
    user_id: &str,
    purpose: LinkPurpose,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(now + purpose.valid_for_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// The user a link belongs to, if it is unused and not expired (without using it).
pub async fn peek_link(
    store: &Store,
    token_hash: &str,
    purposes: &[LinkPurpose],
    now: Millis,
) -> Result<Option<(String, LinkPurpose)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT user_id, purpose FROM account_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.and_then(|(user, purpose)| {
        purposes
            .iter()
            .find(|p| p.as_str() == purpose)
            .map(|p| (user, *p))
    }))
}

/// Uses a link once: returns its user if it was unused, unexpired and for one of `purposes`.
pub async fn consume_link(
    conn: &mut Conn,
    token_hash: &str,
    purposes: &[LinkPurpose],
    now: Millis,
) -> Result<Option<(String, LinkPurpose)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "UPDATE account_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING user_id, purpose",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(|(user, purpose)| {
        purposes
            .iter()
            .find(|p| p.as_str() == purpose)
            .map(|p| (user, *p))
    }))
}

pub async fn set_password(conn: &mut Conn, user_id: &str, password_hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(password_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_email_verified(conn: &mut Conn, user_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL",
    )
    .bind(user_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps a new TOTP secret as pending (not yet enabled) until the person proves their app has it.
pub async fn set_pending_totp(conn: &mut Conn, user_id: &str, secret_base32: &str) -> Result<()> {
    sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled_at = NULL WHERE id = $1")
        .bind(user_id)
        .bind(secret_base32)
        .execute(conn)
        .await?;
    Ok(())
}

/// The TOTP secret and whether it is enabled.
pub async fn totp_state(store: &Store, user_id: &str) -> Result<(Option<String>, bool)> {
    let row: Option<(Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT totp_secret, totp_enabled_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(store.pool())
            .await?;
    Ok(row.map(|(s, e)| (s, e.is_some())).unwrap_or((None, false)))
}
