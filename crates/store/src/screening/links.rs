//! Single-use links (`screening_links`) a professional sends so a caregiver without an account can
//! fill in a check: only a SHA-256 of the random secret is kept; a link is valid for 7 days and
//! used once — when its check is completed, in the same transaction (`mark_used`: the UPDATE
//! itself refuses a used or expired link, so two completions cannot both succeed). Saving
//! half-way does not use the link up.

use crate::{Conn, Result, new_id};
use mantelkring_core::time::Millis;

/// How long a link stays valid: 7 days.
pub const VALID_FOR_MS: Millis = 7 * 24 * 60 * 60 * 1000;

/// One link as stored, with the name of who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub network_id: String,
    pub instrument: String,
    /// To whom it was sent (an e-mail address, or a note such as "per post").
    pub sent_to: String,
    pub created_by_user_id: String,
    pub created_by_name: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub used_at: Option<Millis>,
    /// The check filled in through it (a draft until the link is used).
    pub check_id: Option<String>,
}

impl Link {
    /// Where the link stands at `now`.
    pub fn state(&self, now: Millis) -> LinkState {
        if self.used_at.is_some() {
            LinkState::Used
        } else if self.expires_at <= now {
            LinkState::Expired
        } else {
            LinkState::Open
        }
    }
}

/// Where a link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Open,
    Used,
    Expired,
}

/// What a token leads to: a link that can be used, or why not. Unknown, expired and used are
/// told apart, so the page can say which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Usable(Link),
    Used(Link),
    Expired(Link),
    Unknown,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
);

const SELECT: &str = "SELECT l.id, l.network_id, l.instrument, l.sent_to, l.created_by_user_id, \
     u.display_name, l.created_at, l.expires_at, l.used_at, l.check_id \
     FROM screening_links l JOIN users u ON u.id = l.created_by_user_id";

fn from_row(row: Row) -> Link {
    let (
        id,
        network_id,
        instrument,
        sent_to,
        created_by_user_id,
        created_by_name,
        created_at,
        expires_at,
        used_at,
        check_id,
    ) = row;
    Link {
        id,
        network_id,
        instrument,
        sent_to,
        created_by_user_id,
        created_by_name,
        created_at,
        expires_at,
        used_at,
        check_id,
    }
}

/// Stores a new link (the caller made the secret and keeps only its hash here); valid for
/// [`VALID_FOR_MS`] from `now`. Returns its id.
pub async fn create(
    conn: &mut Conn,
    token_hash: &str,
    network_id: &str,
    instrument: &str,
    sent_to: &str,
    by_user_id: &str,
    now: Millis,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO screening_links (id, token_hash, network_id, instrument, sent_to, \
           created_by_user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(token_hash)
    .bind(network_id)
    .bind(instrument)
    .bind(sent_to)
    .bind(by_user_id)
    .bind(now)
    .bind(now + VALID_FOR_MS)
    .execute(&mut *conn)
    .await
    .map_err(crate::conflict_as("link"))?;
    Ok(id)
}

/// The link a token's hash leads to, and whether it can be used at `now`.
pub async fn find(conn: &mut Conn, token_hash: &str, now: Millis) -> Result<Found> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE l.token_hash = $1"
    )))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row.map(from_row) {
        None => Found::Unknown,
        Some(link) => match link.state(now) {
            LinkState::Open => Found::Usable(link),
            LinkState::Used => Found::Used(link),
            LinkState::Expired => Found::Expired(link),
        },
    })
}

/// Ties the check started through an open link to it (once: a link has one check).
pub async fn attach_check(
    conn: &mut Conn,
    link_id: &str,
    check_id: &str,
    now: Millis,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE screening_links SET check_id = $2 \
         WHERE id = $1 AND check_id IS NULL AND used_at IS NULL AND expires_at > $3",
    )
    .bind(link_id)
    .bind(check_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses the link up: only an unused link that has not expired at `now`. Call it in the
/// transaction that completes the check; false means the link can no longer be used (roll back).
pub async fn mark_used(conn: &mut Conn, link_id: &str, now: Millis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE screening_links SET used_at = $2 \
         WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(link_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The links sent for a network, newest first.
pub async fn of_network(conn: &mut Conn, network_id: &str, limit: i64) -> Result<Vec<Link>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE l.network_id = $1 ORDER BY l.created_at DESC, l.id DESC LIMIT $2"
    )))
    .bind(network_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}
