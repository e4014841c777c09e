//! API tokens for integrations: created for one user with scopes, stored only as a SHA-256 of the
//! secret, found by the secret a client presents (while not revoked and not expired), listed for
//! their owner, revoked, and marked when used.

use crate::{Conn, Result, Store, conflict_as, new_id};
use mantelkring_core::api_token::{ApiScope, SECRET_BYTES, format_secret};
use mantelkring_core::identity::token_hash;
use mantelkring_core::time::{Millis, now_ms};

/// A stored token (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub scopes: Vec<ApiScope>,
    pub created_at: Millis,
    pub expires_at: Option<Millis>,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

impl ApiToken {
    /// Not revoked and not expired at `now`.
    pub fn is_active(&self, now: Millis) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

/// What a new token is made of.
#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub name: &'a str,
    pub user_id: &'a str,
    pub scopes: &'a [ApiScope],
    /// `None`: does not expire.
    pub expires_at: Option<Millis>,
}

/// A token just made, with its secret: the only moment the secret exists outside the client.
#[derive(Debug, Clone)]
pub struct Created {
    pub token: ApiToken,
    pub secret: String,
}

const COLUMNS: &str = "id, name, user_id, scopes, created_at, expires_at, last_used_at, revoked_at";

type Row = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn from_row(
    (id, name, user_id, scopes, created_at, expires_at, last_used_at, revoked_at): Row,
) -> ApiToken {
    ApiToken {
        id,
        name,
        user_id,
        scopes: ApiScope::from_stored(&scopes),
        created_at,
        expires_at,
        last_used_at,
        revoked_at,
    }
}

/// Makes a token in the caller's transaction and returns it with its secret (shown once).
/// Whether the owner may hold these scopes is the caller's check (`api_token::check_grant`).
pub async fn create(conn: &mut Conn, new: &NewApiToken<'_>) -> Result<Created> {
    let secret = format_secret(&rand::random::<[u8; SECRET_BYTES]>());
    let token = ApiToken {
        id: new_id(),
        name: new.name.to_string(),
        user_id: new.user_id.to_string(),
        scopes: new.scopes.to_vec(),
        created_at: now_ms(),
        expires_at: new.expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    sqlx::query(
        "INSERT INTO api_tokens (id, token_hash, name, user_id, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&token.id)
    .bind(token_hash(&secret))
    .bind(&token.name)
    .bind(&token.user_id)
    .bind(ApiScope::join(&token.scopes))
    .bind(token.created_at)
    .bind(token.expires_at)
    .execute(conn)
    .await
    .map_err(conflict_as("API-sleutel"))?;
    Ok(Created { token, secret })
}

/// The token with this secret, if it is neither revoked nor expired at `now`.
pub async fn find_active(store: &Store, secret: &str, now: Millis) -> Result<Option<ApiToken>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens \
         WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(token_hash(secret))
        .bind(now)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(from_row))
}

/// One token by id (any state).
pub async fn get(store: &Store, id: &str) -> Result<Option<ApiToken>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(from_row))
}

/// A user's tokens, revoked and expired ones included, newest first.
pub async fn list_for_user(store: &Store, user_id: &str) -> Result<Vec<ApiToken>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_all(store.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Revokes `token_id` if it belongs to `user_id` and is not revoked yet. False otherwise, so
/// nobody can revoke (or learn about) another person's token.
pub async fn revoke(conn: &mut Conn, token_id: &str, user_id: &str, now: Millis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(token_id)
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes any user's token (for operators, `mantelkring token revoke`). Returns the owner's
/// user id if the token existed and was not revoked yet.
pub async fn revoke_any(conn: &mut Conn, token_id: &str, now: Millis) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING user_id",
    )
    .bind(token_id)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(user_id,)| user_id))
}

/// Records that the token was used at `now`.
pub async fn touch(store: &Store, token_id: &str, now: Millis) -> Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
        .bind(token_id)
        .bind(now)
        .execute(store.pool())
        .await?;
    Ok(())
}
