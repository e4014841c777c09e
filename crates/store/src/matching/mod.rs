//! Hulpvraag en aanbod (issue 7): the store under the matching pages.
//!
//! - [`requests`]: help requests (create, update, cancel), escalated from an unfilled kring task
//!   (once per task, linked both ways) or made from a help-request marker;
//! - [`volunteers`]: volunteer profiles (register, update, intake by a coordinator, pause,
//!   resume, end) and blocks;
//! - [`proposals`]: proposing volunteers (with a single-use answer link), accepting and
//!   declining (by id or by the link), expiring overdue proposals, done, no-show, withdrawal,
//!   evaluations by both sides, the coordinator's overview and the volunteer's list;
//! - [`engine_input`]: a region's open requests and active volunteers as the engine's input, in
//!   four set-based queries.
//!
//! Every write takes the caller's transaction; every status change of a request writes a
//! `help_request_events` row in it. The allowed steps are `core::matching::workflow`'s.

pub mod engine_input;
pub mod proposals;
pub mod requests;
pub mod settings;
pub mod volunteers;

use crate::{Conn, StoreError, new_id};
use mantelkring_core::matching::workflow::{BadRecord, RequestStatus, StepRefused};
use mantelkring_core::time::Millis;

/// Why a matching write was not made. The messages are Dutch, for the pages.
#[derive(Debug, thiserror::Error)]
pub enum MatchingError {
    /// Bad input: the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The workflow does not allow this step now.
    #[error(transparent)]
    Step(#[from] StepRefused),
    #[error("niet gevonden: {0}")]
    NotFound(&'static str),
    /// Already done once (a second proposal, a second evaluation, a marker already handled).
    #[error("{0}")]
    Conflict(&'static str),
    #[error("deze link kennen we niet")]
    LinkUnknown,
    #[error("deze link is al gebruikt")]
    LinkUsed,
    #[error("deze link is verlopen")]
    LinkExpired,
    #[error(transparent)]
    Bad(#[from] BadRecord),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MatchingError {
    /// As a store error, for callers without pages (the job, the demo, erasure): a database
    /// error as it was, anything else a conflict with its message.
    pub fn into_store_error(self) -> StoreError {
        match self {
            MatchingError::Store(e) => e,
            other => StoreError::Conflict(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for MatchingError {
    fn from(e: sqlx::Error) -> MatchingError {
        MatchingError::Store(StoreError::Query(e))
    }
}

pub type Result<T, E = MatchingError> = std::result::Result<T, E>;

fn invalid<T>(message: &str) -> Result<T> {
    Err(MatchingError::Invalid(message.to_string()))
}

/// Who acts: a user (and whether for the caregiver), or `None` for the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub user_id: Option<&'a str>,
    pub on_behalf: bool,
}

impl<'a> Actor<'a> {
    pub fn user(user_id: &'a str) -> Actor<'a> {
        Actor {
            user_id: Some(user_id),
            on_behalf: false,
        }
    }

    pub fn job() -> Actor<'static> {
        Actor {
            user_id: None,
            on_behalf: false,
        }
    }
}

/// Writes one history row of a request: the status after the change.
pub(crate) async fn record_event(
    conn: &mut Conn,
    request_id: &str,
    status: RequestStatus,
    proposal_id: Option<&str>,
    by: Actor<'_>,
    note: &str,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO help_request_events (id, request_id, status, proposal_id, by_user_id, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(request_id)
    .bind(status.code())
    .bind(proposal_id)
    .bind(by.user_id)
    .bind(note)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves a request from its current status to `next` (checked against the workflow), guarded by
/// the status read, and writes the event. Returns the status it had.
pub(crate) async fn move_request(
    conn: &mut Conn,
    request_id: &str,
    next: RequestStatus,
    proposal_id: Option<&str>,
    by: Actor<'_>,
    note: &str,
    now: Millis,
) -> Result<RequestStatus> {
    let current = requests::status(conn, request_id)
        .await?
        .ok_or(MatchingError::NotFound("hulpvraag"))?;
    current.step(next)?;
    let done = sqlx::query(
        "UPDATE help_requests SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2",
    )
    .bind(request_id)
    .bind(current.code())
    .bind(next.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(MatchingError::Conflict(
            "de hulpvraag is intussen veranderd; probeer het opnieuw",
        ));
    }
    record_event(conn, request_id, next, proposal_id, by, note, now).await?;
    Ok(current)
}

/// One history row of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub status: String,
    pub proposal_id: Option<String>,
    pub by_user_id: Option<String>,
    pub note: String,
    pub at: Millis,
}

/// A request's history, oldest first.
pub async fn events(conn: &mut Conn, request_id: &str) -> Result<Vec<Event>> {
    type EventRow = (String, Option<String>, Option<String>, String, i64);
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT status, proposal_id, by_user_id, note, at FROM help_request_events \
         WHERE request_id = $1 ORDER BY at, id",
    )
    .bind(request_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(status, proposal_id, by_user_id, note, at)| Event {
            status,
            proposal_id,
            by_user_id,
            note,
            at,
        })
        .collect())
}
