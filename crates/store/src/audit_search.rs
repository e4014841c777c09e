//! Searching the NEN 7513 access log, for log administrators: by person, user, action and time,
//! newest first, with a bounded number of records.

use crate::{Result, Store};
use mantelkring_core::audit::AuditRecord;
use mantelkring_core::time::Millis;

/// The most records one search returns.
pub const MAX_LIMIT: i64 = 1000;
/// Records returned when the caller names no limit.
pub const DEFAULT_LIMIT: i64 = 100;

/// What to look for. Every condition that is set must hold; `from` ≤ time < `to`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    /// Whose data was accessed (person id).
    pub subject_person_id: Option<&'a str>,
    /// Who acted (user id).
    pub user_id: Option<&'a str>,
    /// What was done (`read`, `search`, `login`, …).
    pub action: Option<&'a str>,
    /// From this moment (milliseconds since the epoch), inclusive.
    pub from: Option<Millis>,
    /// Until this moment, exclusive.
    pub to: Option<Millis>,
    /// At most this many records; clamped to 1..=[`MAX_LIMIT`].
    pub limit: i64,
}

/// The records matching `filter`, newest first.
pub async fn search(store: &Store, filter: &AuditFilter<'_>) -> Result<Vec<AuditRecord>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.subject_person_id.is_some() {
        // Through the subject index and the log's tail (see `audit::subject_seqs`).
        conditions.push(format!("seq IN {}", crate::audit::subject_seqs(&next())));
    }
    if filter.user_id.is_some() {
        conditions.push(format!("user_id = {}", next()));
    }
    if filter.action.is_some() {
        conditions.push(format!("action = {}", next()));
    }
    if filter.from.is_some() {
        conditions.push(format!("occurred_at >= {}", next()));
    }
    if filter.to.is_some() {
        conditions.push(format!("occurred_at < {}", next()));
    }
    let limit_param = next();
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    // Only placeholders are spliced in; every value is bound.
    let sql = format!(
        "SELECT seq, event_id, occurred_at, action, outcome, user_id, user_role, organisation_id, \
         on_behalf_of, purpose, network_address, source, subject_person_id, data_category, detail \
         FROM audit_log {where_clause} ORDER BY seq DESC LIMIT {limit_param}"
    );
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
    for text in [filter.subject_person_id, filter.user_id, filter.action]
        .into_iter()
        .flatten()
    {
        query = query.bind(text);
    }
    for time in [filter.from, filter.to].into_iter().flatten() {
        query = query.bind(time);
    }
    let rows = query
        .bind(filter.limit.clamp(1, MAX_LIMIT))
        .fetch_all(store.pool())
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

type Row = (
    i64,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn from_row(
    (
        seq,
        event_id,
        occurred_at,
        action,
        outcome,
        user_id,
        user_role,
        organisation_id,
        on_behalf_of,
        purpose,
        network_address,
        source,
        subject_person_id,
        data_category,
        detail,
    ): Row,
) -> AuditRecord {
    AuditRecord {
        seq,
        event_id,
        occurred_at,
        action,
        outcome,
        user_id,
        user_role,
        organisation_id,
        on_behalf_of,
        purpose,
        network_address,
        source,
        subject_person_id,
        data_category,
        detail,
    }
}
