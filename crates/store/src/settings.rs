//! Installation-wide values that every app node must agree on (for example the key that signs
//! CSRF tokens), kept in the database rather than in a node's memory or file system.

use crate::{Result, Store};
use mantelkring_core::time::now_ms;

pub async fn get(store: &Store, key: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.0))
}

/// Returns the value of `key`, storing `init()` first if there is none. Safe when several nodes
/// start at once: the first insert wins and everyone reads that value back.
pub async fn get_or_init(
    store: &Store,
    key: &str,
    init: impl FnOnce() -> String,
) -> Result<String> {
    if let Some(value) = get(store, key).await? {
        return Ok(value);
    }
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(init())
        .bind(now_ms())
        .execute(store.pool())
        .await?;
    let (value,): (String,) = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_one(store.pool())
        .await?;
    Ok(value)
}
