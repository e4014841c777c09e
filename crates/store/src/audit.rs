//! The NEN 7513 access log: append-only, hash-chained, written in the caller's transaction.
//!
//! `append` reads and locks the chain head, stores the record with `prev_hash` and `hash`, and moves
//! the head — all in the transaction of the access it records, so a rolled-back action leaves no
//! log line and a logged action cannot be lost. Call it inside `Store::begin_write`.

use crate::{Backend, Conn, Result, Store, new_id};
use mantelkring_core::audit::{AuditRecord, ChainProblem, verify_chain};
use mantelkring_core::time::now_ms;

/// What the caller knows about the event; the chain fields are added by [`append`].
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub action: &'a str,
    pub outcome: &'a str,
    pub user_id: Option<&'a str>,
    pub user_role: Option<&'a str>,
    pub organisation_id: Option<&'a str>,
    pub on_behalf_of: Option<&'a str>,
    pub purpose: &'a str,
    pub network_address: Option<&'a str>,
    pub source: &'a str,
    pub subject_person_id: Option<&'a str>,
    pub data_category: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub async fn append(
    conn: &mut Conn,
    backend: Backend,
    event: &NewEvent<'_>,
) -> Result<AuditRecord> {
    let (last_seq, last_hash): (i64, String) = sqlx::query_as(backend.audit_head_sql())
        .fetch_one(&mut *conn)
        .await?;
    let record = AuditRecord {
        seq: last_seq + 1,
        event_id: new_id(),
        occurred_at: now_ms(),
        action: event.action.into(),
        outcome: event.outcome.into(),
        user_id: event.user_id.map(Into::into),
        user_role: event.user_role.map(Into::into),
        organisation_id: event.organisation_id.map(Into::into),
        on_behalf_of: event.on_behalf_of.map(Into::into),
        purpose: event.purpose.into(),
        network_address: event.network_address.map(Into::into),
        source: event.source.into(),
        subject_person_id: event.subject_person_id.map(Into::into),
        data_category: event.data_category.map(Into::into),
        detail: event.detail.map(Into::into),
    };
    let hash = record.chain_hash(&last_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, event_id, occurred_at, action, outcome, user_id, user_role, organisation_id, \
         on_behalf_of, purpose, network_address, source, subject_person_id, data_category, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(record.seq)
    .bind(&record.event_id)
    .bind(record.occurred_at)
    .bind(&record.action)
    .bind(&record.outcome)
    .bind(&record.user_id)
    .bind(&record.user_role)
    .bind(&record.organisation_id)
    .bind(&record.on_behalf_of)
    .bind(&record.purpose)
    .bind(&record.network_address)
    .bind(&record.source)
    .bind(&record.subject_person_id)
    .bind(&record.data_category)
    .bind(&record.detail)
    .bind(&last_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1")
        .bind(record.seq)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(record)
}

/// Appends several records at once (a list page that shows many caregivers logs one record per
/// caregiver): the head is read and locked once, the records are chained in order exactly as
/// that many [`append`] calls would chain them, inserted with one multi-row INSERT per chunk, and
/// the head moved once. Returns the records in order.
pub async fn append_many(
    conn: &mut Conn,
    backend: Backend,
    events: &[NewEvent<'_>],
) -> Result<Vec<AuditRecord>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let (last_seq, last_hash): (i64, String) = sqlx::query_as(backend.audit_head_sql())
        .fetch_one(&mut *conn)
        .await?;
    let now = now_ms();
    let mut records = Vec::with_capacity(events.len());
    let mut prev = last_hash;
    for (i, event) in events.iter().enumerate() {
        let record = AuditRecord {
            seq: last_seq + 1 + i as i64,
            event_id: new_id(),
            occurred_at: now,
            action: event.action.into(),
            outcome: event.outcome.into(),
            user_id: event.user_id.map(Into::into),
            user_role: event.user_role.map(Into::into),
            organisation_id: event.organisation_id.map(Into::into),
            on_behalf_of: event.on_behalf_of.map(Into::into),
            purpose: event.purpose.into(),
            network_address: event.network_address.map(Into::into),
            source: event.source.into(),
            subject_person_id: event.subject_person_id.map(Into::into),
            data_category: event.data_category.map(Into::into),
            detail: event.detail.map(Into::into),
        };
        let hash = record.chain_hash(&prev);
        records.push((record, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    // 17 parameters a row: 500 rows are 8,500 parameters, under both backends' limits
    // (SQLite 32,766, PostgreSQL 65,535).
    for chunk in records.chunks(500) {
        let sql = format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES {}",
            backend.values_rows(chunk.len(), 17)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (record, prev_hash, hash) in chunk {
            query = query
                .bind(record.seq)
                .bind(&record.event_id)
                .bind(record.occurred_at)
                .bind(&record.action)
                .bind(&record.outcome)
                .bind(&record.user_id)
                .bind(&record.user_role)
                .bind(&record.organisation_id)
                .bind(&record.on_behalf_of)
                .bind(&record.purpose)
                .bind(&record.network_address)
                .bind(&record.source)
                .bind(&record.subject_person_id)
                .bind(&record.data_category)
                .bind(&record.detail)
                .bind(prev_hash)
                .bind(hash);
        }
        query.execute(&mut *conn).await?;
    }
    let (last, _, hash) = records.last().expect("not empty");
    sqlx::query("UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1")
        .bind(last.seq)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(records.into_iter().map(|(r, _, _)| r).collect())
}

const COLUMNS: &str = "seq, event_id, occurred_at, action, outcome, user_id, user_role, organisation_id, on_behalf_of, \
    purpose, network_address, source, subject_person_id, data_category, detail, prev_hash, hash";

fn from_row(r: sqlx::any::AnyRow) -> Result<(AuditRecord, String, String)> {
    use sqlx::Row;
    Ok((
        AuditRecord {
            seq: r.try_get(0)?,
            event_id: r.try_get(1)?,
            occurred_at: r.try_get(2)?,
            action: r.try_get(3)?,
            outcome: r.try_get(4)?,
            user_id: r.try_get(5)?,
            user_role: r.try_get(6)?,
            organisation_id: r.try_get(7)?,
            on_behalf_of: r.try_get(8)?,
            purpose: r.try_get(9)?,
            network_address: r.try_get(10)?,
            source: r.try_get(11)?,
            subject_person_id: r.try_get(12)?,
            data_category: r.try_get(13)?,
            detail: r.try_get(14)?,
        },
        r.try_get(15)?,
        r.try_get(16)?,
    ))
}

/// The seqs of the records about the subject in parameter `param` (for `seq IN …`): those the
/// batch has indexed (`audit_subjects`) and the log's tail past the batch's mark, which the
/// primary key reaches directly. One statement sees one snapshot of both, so the answer is
/// complete whether or not [`index_subjects`] has run. On PostgreSQL the mark stays at 0 and the
/// whole log is the tail, found through its index by subject (`Backend::batches_audit_subjects`).
pub(crate) fn subject_seqs(param: &str) -> String {
    format!(
        "(SELECT seq FROM audit_subjects WHERE subject_person_id = {param} \
         UNION ALL SELECT seq FROM audit_log \
         WHERE seq > (SELECT indexed_upto FROM audit_subjects_head WHERE id = 1) \
           AND subject_person_id = {param})"
    )
}

/// What one pass of [`index_subjects`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Indexed {
    /// Records passed (with or without a subject).
    pub records: usize,
    /// Index entries written (records with a subject).
    pub entries: usize,
    /// The mark after the pass.
    pub upto: i64,
}

/// Index entries one SQLite write transaction carries (see [`index_subjects`]).
const SQLITE_SLICE: usize = 250;

/// Adds the next records past the mark (at most `max`) to the subject index, in the index's
/// order so each subject's entries land on its page together, and moves the mark. Run it until
/// it passes fewer than `max`.
///
/// Only committed records are passed: seqs are handed out under the chain head's lock and the
/// head moves in the same transaction, so every seq up to the committed head is visible. Entries
/// that are already there (another node's pass) are skipped, and the mark never moves back.
///
/// SQLite has one writer at a time, so the rows are read outside the write lock and written
/// [`SQLITE_SLICE`] entries a transaction, the mark with the last: a request waits for one slice
/// at most (measured with `scripts/bench-calls`: p99 of `/bellen` 18.4–24.4 ms with one
/// transaction a pass, 12.7–16.7 ms in slices). Between slices a record can be both in the index
/// and in the tail; lookups use `seq IN`, so that is harmless.
///
/// On PostgreSQL it does nothing: the log keeps its own index by subject there
/// (`Backend::batches_audit_subjects`).
pub async fn index_subjects(store: &Store, max: i64) -> Result<Indexed> {
    if !store.backend().batches_audit_subjects() {
        return Ok(Indexed::default());
    }
    let (upto, head): (i64, i64) = sqlx::query_as(
        "SELECT s.indexed_upto, h.last_seq FROM audit_subjects_head s, audit_head h \
         WHERE s.id = 1 AND h.id = 1",
    )
    .fetch_one(store.pool())
    .await?;
    let until = head.min(upto.saturating_add(max.max(1)));
    if until <= upto {
        return Ok(Indexed {
            upto,
            ..Indexed::default()
        });
    }
    let mut rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT subject_person_id, seq FROM audit_log \
         WHERE seq > $1 AND seq <= $2 AND subject_person_id IS NOT NULL",
    )
    .bind(upto)
    .bind(until)
    .fetch_all(store.pool())
    .await?;
    rows.sort_unstable();
    let mut entries = 0;
    let slices: Vec<&[(String, i64)]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(SQLITE_SLICE).collect()
    };
    let last = slices.len() - 1;
    for (n, slice) in slices.into_iter().enumerate() {
        let mut tx = store.begin_write().await?;
        if !slice.is_empty() {
            let sql = format!(
                "INSERT INTO audit_subjects (subject_person_id, seq) VALUES {} \
                 ON CONFLICT DO NOTHING",
                store.backend().values_rows(slice.len(), 2)
            );
            let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (subject, seq) in slice {
                insert = insert.bind(subject.as_str()).bind(*seq);
            }
            entries += insert.execute(&mut *tx).await?.rows_affected();
        }
        if n == last {
            sqlx::query(
                "UPDATE audit_subjects_head SET indexed_upto = $1 \
                 WHERE id = 1 AND indexed_upto < $1",
            )
            .bind(until)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(Indexed {
        records: (until - upto) as usize,
        entries: entries as usize,
        upto: until,
    })
}

/// Verifies the whole chain, in batches so memory stays flat. Returns the number of records.
pub async fn verify(store: &Store) -> Result<std::result::Result<i64, ChainProblem>> {
    const BATCH: i64 = 5000;
    let mut tx = store.begin_read().await?;
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let mut after = 0i64;
    let mut prev_hash = mantelkring_core::audit::GENESIS.to_string();
    loop {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
        let batch = rows.into_iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let is_last = (batch.len() as i64) < BATCH;
        // Verify this batch as a continuation of the previous one.
        let mut expected_prev = prev_hash.clone();
        for (expected_seq, (record, prev, hash)) in (after + 1..).zip(batch.iter()) {
            if *prev != expected_prev || record.seq != expected_seq {
                return Ok(Err(ChainProblem::Broken { seq: record.seq }));
            }
            if record.chain_hash(prev) != *hash {
                return Ok(Err(ChainProblem::Altered { seq: record.seq }));
            }
            expected_prev = hash.clone();
        }
        if let Some((record, _, hash)) = batch.last() {
            after = record.seq;
            prev_hash = hash.clone();
        }
        if is_last {
            break;
        }
    }
    tx.commit().await?;
    if head_seq != after || head_hash != prev_hash {
        return Ok(Err(ChainProblem::Truncated { last_seq: after }));
    }
    Ok(Ok(after))
}

/// Convenience for tests and small logs: every record in order.
pub async fn all(store: &Store) -> Result<Vec<AuditRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.pool())
        .await?;
    rows.into_iter()
        .map(|r| from_row(r).map(|(record, _, _)| record))
        .collect()
}

/// Verifies a chain held in memory (used by tests that inspect rows directly).
pub fn verify_records(
    records: &[(AuditRecord, String, String)],
    head: (i64, &str),
) -> std::result::Result<i64, ChainProblem> {
    verify_chain(
        records.iter().map(|(r, p, h)| (r, p.as_str(), h.as_str())),
        head,
    )
}

/// One line of "Wie heeft mijn gegevens bekeken": organisation, role, what and when — never the
/// employee's name.
#[derive(Debug, Clone)]
pub struct AccessByOthers {
    pub occurred_at: i64,
    pub action: String,
    pub user_role: Option<String>,
    pub organisation_name: Option<String>,
    pub data_category: Option<String>,
}

/// Accesses to `person_id`'s data by anyone but the person themselves, newest first.
pub async fn accesses_by_others(
    store: &Store,
    person_id: &str,
    limit: i64,
) -> Result<Vec<AccessByOthers>> {
    type Row = (i64, String, Option<String>, Option<String>, Option<String>);
    let sql = format!(
        "SELECT a.occurred_at, a.action, a.user_role, o.name, a.data_category \
         FROM audit_log a \
         LEFT JOIN organisations o ON o.id = a.organisation_id \
         LEFT JOIN users u ON u.id = a.user_id \
         WHERE a.seq IN {} AND a.outcome = 'success' \
           AND (u.person_id IS NULL OR u.person_id <> $1) \
         ORDER BY a.seq DESC LIMIT $2",
        subject_seqs("$1")
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(occurred_at, action, user_role, organisation_name, data_category)| AccessByOthers {
                occurred_at,
                action,
                user_role,
                organisation_name,
                data_category,
            },
        )
        .collect())
}
