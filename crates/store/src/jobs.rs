//! The background job queue, kept in the database so every app node shares it.
//!
//! A job is enqueued with the same connection (transaction) as the write that causes it, so a
//! rolled-back write never leaves a job behind. Workers claim one due job at a time with a lease;
//! a job whose worker died is claimed again when its lease runs out. A failing job is retried with
//! back-off and, after its last attempt, marked `failed` with the error kept for operators.

use crate::{Conn, Result, Store};
use mantelkring_core::time::{Millis, now_ms};
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> JobStatus {
        match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            _ => JobStatus::Failed,
        }
    }
}

/// A job a worker has claimed and must now run.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// Attempts so far, including this one.
    pub attempts: i64,
    pub max_attempts: i64,
}

/// A job as operators see it (`mantelkring jobs`).
#[derive(Debug, Clone, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub status: JobStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Millis,
    pub last_error: Option<String>,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
}

/// What happened to a job that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    RetryAt(Millis),
    GaveUp,
}

/// Enqueues a job on `conn` — pass the transaction of the write that causes the job.
pub async fn enqueue(
    conn: &mut Conn,
    kind: &str,
    payload: &impl Serialize,
    max_attempts: u32,
) -> Result<i64> {
    let payload =
        serde_json::to_string(payload).map_err(|e| crate::StoreError::Conflict(e.to_string()))?;
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at) \
         VALUES ($1, $2, 'queued', 0, $3, $4, $4) RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(i64::from(max_attempts.max(1)))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Enqueues many jobs of one `kind` at once (multi-row INSERTs; a batch's e-mails); returns how
/// many. Call it inside a write transaction.
pub async fn enqueue_many<P: Serialize>(
    conn: &mut Conn,
    kind: &str,
    payloads: &[P],
    max_attempts: u32,
) -> Result<usize> {
    const ROWS_PER_STATEMENT: usize = 100;
    let now = now_ms();
    for chunk in payloads.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at) \
             VALUES {}",
            (0..chunk.len())
                .map(|i| format!("($1, ${}, 'queued', 0, $2, $3, $3)", i + 4))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind)
            .bind(i64::from(max_attempts.max(1)))
            .bind(now);
        for payload in chunk {
            let payload = serde_json::to_string(payload)
                .map_err(|e| crate::StoreError::Conflict(e.to_string()))?;
            query = query.bind(payload);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(payloads.len())
}

/// Enqueues a job of `kind` unless one is already queued or running (for recurring work such as
/// the daily reminders). Returns the new job's id, or `None` when one was pending. On SQLite the
/// write transaction serialises nodes; on PostgreSQL two nodes starting at the same moment may
/// both enqueue, so such jobs must be harmless to run twice.
pub async fn enqueue_unless_pending(
    store: &Store,
    kind: &str,
    payload: &impl Serialize,
    max_attempts: u32,
) -> Result<Option<i64>> {
    let mut tx = store.begin_write().await?;
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status IN ('queued', 'running')",
    )
    .bind(kind)
    .fetch_one(&mut *tx)
    .await?;
    if pending > 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let id = enqueue(&mut tx, kind, payload, max_attempts).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Claims the next due job, if any, holding it for `lease`.
pub async fn claim(store: &Store, lease: Duration) -> Result<Option<ClaimedJob>> {
    let now = now_ms();
    let mut tx = store.begin_write().await?;
    let row: Option<(i64, String, String, i64, i64)> =
        sqlx::query_as(store.backend().claim_job_sql())
            .bind(now)
            .bind(now + lease.as_millis() as i64)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(
        row.map(|(id, kind, payload, attempts, max_attempts)| ClaimedJob {
            id,
            kind,
            payload,
            attempts,
            max_attempts,
        }),
    )
}

pub async fn complete(store: &Store, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, finished_at = $2 \
         WHERE id = $1 AND status = 'running'",
    )
    .bind(id)
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Records a failed attempt: back to the queue after `retry_delay`, or `failed` after the last
/// attempt. `None` gives up at once (a permanent error, such as an impossible address).
pub async fn fail(
    store: &Store,
    job: &ClaimedJob,
    error: &str,
    retry_delay: Option<Duration>,
) -> Result<FailureOutcome> {
    let now = now_ms();
    let error: String = error.chars().take(2000).collect();
    let Some(retry_delay) = retry_delay.filter(|_| job.attempts < job.max_attempts) else {
        sqlx::query(
            "UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = $2, finished_at = $3 \
             WHERE id = $1 AND status = 'running'",
        )
        .bind(job.id)
        .bind(&error)
        .bind(now)
        .execute(store.pool())
        .await?;
        return Ok(FailureOutcome::GaveUp);
    };
    let at = now + retry_delay.as_millis() as i64;
    sqlx::query(
        "UPDATE jobs SET status = 'queued', locked_until = NULL, last_error = $2, run_at = $3 \
         WHERE id = $1 AND status = 'running'",
    )
    .bind(job.id)
    .bind(&error)
    .bind(at)
    .execute(store.pool())
    .await?;
    Ok(FailureOutcome::RetryAt(at))
}

/// Puts a failed job back in the queue with a fresh set of attempts. Returns false if there was no such failed job.
pub async fn retry_failed(store: &Store, id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $2, finished_at = NULL \
         WHERE id = $1 AND status = 'failed'",
    )
    .bind(id)
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The newest jobs, optionally only those with `status`.
pub async fn list(store: &Store, status: Option<JobStatus>, limit: i64) -> Result<Vec<JobRecord>> {
    type Row = (
        i64,
        String,
        String,
        i64,
        i64,
        i64,
        Option<String>,
        i64,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, status, attempts, max_attempts, run_at, last_error, created_at, finished_at \
         FROM jobs WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(status.map(JobStatus::as_str).unwrap_or(""))
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                kind,
                status,
                attempts,
                max_attempts,
                run_at,
                last_error,
                created_at,
                finished_at,
            )| JobRecord {
                id,
                kind,
                status: JobStatus::parse(&status),
                attempts,
                max_attempts,
                run_at,
                last_error,
                created_at,
                finished_at,
            },
        )
        .collect())
}

/// Number of jobs per status, for health pages and tests.
pub async fn count(store: &Store, status: JobStatus) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE status = $1")
        .bind(status.as_str())
        .fetch_one(store.pool())
        .await?;
    Ok(n)
}
