//! The regiehouder: at most one active per network (a unique partial index holds that on both
//! backends). The caregiver appoints one directly; a member (often the regiehouder handing over)
//! proposes one with a note, and the caregiver agrees or declines. Every term is kept.

use super::members::{By, record_event};
use crate::{Conn, Result, new_id};
use mantelkring_core::network::{MemberEvent, RegieStatus};
use mantelkring_core::time::now_ms;

/// One term (or proposal) of a regiehouder.
#[derive(Debug, Clone)]
pub struct Term {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    pub status: RegieStatus,
    pub note: String,
    pub proposed_by: String,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub end_note: Option<String>,
}

type TermRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

const SELECT: &str = "SELECT r.id, r.member_id, u.display_name, r.status, r.note, pu.display_name, \
         r.created_at, r.started_at, r.ended_at, r.end_note \
     FROM network_regie r JOIN network_members m ON m.id = r.member_id \
     JOIN users u ON u.id = m.user_id JOIN users pu ON pu.id = r.proposed_by_user_id";

fn term(
    (
        id,
        member_id,
        member_name,
        status,
        note,
        proposed_by,
        created_at,
        started_at,
        ended_at,
        end_note,
    ): TermRow,
) -> Term {
    Term {
        id,
        member_id,
        member_name,
        status: RegieStatus::parse(&status).unwrap_or(RegieStatus::Ended),
        note,
        proposed_by,
        created_at,
        started_at,
        ended_at,
        end_note,
    }
}

async fn one(conn: &mut Conn, network_id: &str, status: RegieStatus) -> Result<Option<Term>> {
    let row: Option<TermRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.network_id = $1 AND r.status = $2"
    )))
    .bind(network_id)
    .bind(status.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(term))
}

/// The active regiehouder, if any.
pub async fn current(conn: &mut Conn, network_id: &str) -> Result<Option<Term>> {
    one(conn, network_id, RegieStatus::Active).await
}

/// The proposal waiting for the caregiver, if any.
pub async fn pending(conn: &mut Conn, network_id: &str) -> Result<Option<Term>> {
    one(conn, network_id, RegieStatus::Proposed).await
}

/// Every term and proposal, newest first.
pub async fn history(conn: &mut Conn, network_id: &str) -> Result<Vec<Term>> {
    let rows: Vec<TermRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.network_id = $1 ORDER BY r.created_at DESC, r.id DESC"
    )))
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(term).collect())
}

/// Whether the member is active in this network (only active members can be regiehouder).
async fn is_active(conn: &mut Conn, network_id: &str, member_id: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM network_members WHERE id = $1 AND network_id = $2 AND status = 'active'",
    )
    .bind(member_id)
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Ends the active term (if any) with a note.
async fn end_current(conn: &mut Conn, network_id: &str, note: &str, by: By<'_>) -> Result<()> {
    if let Some(active) = current(conn, network_id).await? {
        sqlx::query(
            "UPDATE network_regie SET status = 'ended', ended_at = $2, end_note = $3 WHERE id = $1",
        )
        .bind(&active.id)
        .bind(now_ms())
        .bind(note)
        .execute(&mut *conn)
        .await?;
        record_event(
            conn,
            network_id,
            &active.member_id,
            MemberEvent::RegiehouderEnded,
            Some(note),
            by,
        )
        .await?;
    }
    Ok(())
}

/// Why a regiehouder change was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegieRefusal {
    /// The member is not an active member of this network.
    NotActiveMember,
    /// The member already is the regiehouder.
    AlreadyRegiehouder,
    /// There is no such proposal waiting.
    NoProposal,
}

/// The caregiver (or someone acting for them) appoints `member_id`: the current term ends with
/// `note` as the hand-over note, a waiting proposal is set aside, the new term starts.
pub async fn appoint(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    note: &str,
    by: By<'_>,
) -> Result<std::result::Result<String, RegieRefusal>> {
    if !is_active(conn, network_id, member_id).await? {
        return Ok(Err(RegieRefusal::NotActiveMember));
    }
    if current(conn, network_id)
        .await?
        .is_some_and(|t| t.member_id == member_id)
    {
        return Ok(Err(RegieRefusal::AlreadyRegiehouder));
    }
    set_aside_pending(conn, network_id, by).await?;
    end_current(conn, network_id, note, by).await?;
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO network_regie (id, network_id, member_id, status, note, proposed_by_user_id, created_at, started_at) \
         VALUES ($1, $2, $3, 'active', $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(network_id)
    .bind(member_id)
    .bind(note)
    .bind(by.user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    record_event(
        conn,
        network_id,
        member_id,
        MemberEvent::RegiehouderStarted,
        Some(note),
        by,
    )
    .await?;
    Ok(Ok(id))
}

async fn set_aside_pending(conn: &mut Conn, network_id: &str, by: By<'_>) -> Result<()> {
    if let Some(p) = pending(conn, network_id).await? {
        sqlx::query("UPDATE network_regie SET status = 'declined', ended_at = $2 WHERE id = $1")
            .bind(&p.id)
            .bind(now_ms())
            .execute(&mut *conn)
            .await?;
        record_event(
            conn,
            network_id,
            &p.member_id,
            MemberEvent::RegiehouderDeclined,
            None,
            by,
        )
        .await?;
    }
    Ok(())
}

/// A member proposes a (new) regiehouder with a note — a hand-over when the regiehouder does it.
/// It waits for the caregiver; an earlier waiting proposal is replaced.
pub async fn propose(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    note: &str,
    by: By<'_>,
) -> Result<std::result::Result<String, RegieRefusal>> {
    if !is_active(conn, network_id, member_id).await? {
        return Ok(Err(RegieRefusal::NotActiveMember));
    }
    if current(conn, network_id)
        .await?
        .is_some_and(|t| t.member_id == member_id)
    {
        return Ok(Err(RegieRefusal::AlreadyRegiehouder));
    }
    set_aside_pending(conn, network_id, by).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO network_regie (id, network_id, member_id, status, note, proposed_by_user_id, created_at) \
         VALUES ($1, $2, $3, 'proposed', $4, $5, $6)",
    )
    .bind(&id)
    .bind(network_id)
    .bind(member_id)
    .bind(note)
    .bind(by.user_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    record_event(
        conn,
        network_id,
        member_id,
        MemberEvent::RegiehouderProposed,
        Some(note),
        by,
    )
    .await?;
    Ok(Ok(id))
}

/// The caregiver agrees to the waiting proposal: the current term ends with the proposal's note
/// as hand-over note and the proposed member starts.
pub async fn accept(
    conn: &mut Conn,
    network_id: &str,
    by: By<'_>,
) -> Result<std::result::Result<String, RegieRefusal>> {
    let Some(p) = pending(conn, network_id).await? else {
        return Ok(Err(RegieRefusal::NoProposal));
    };
    if !is_active(conn, network_id, &p.member_id).await? {
        return Ok(Err(RegieRefusal::NotActiveMember));
    }
    end_current(conn, network_id, &p.note, by).await?;
    sqlx::query("UPDATE network_regie SET status = 'active', started_at = $2 WHERE id = $1")
        .bind(&p.id)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    record_event(
        conn,
        network_id,
        &p.member_id,
        MemberEvent::RegiehouderStarted,
        Some(&p.note),
        by,
    )
    .await?;
    Ok(Ok(p.id))
}

/// The caregiver declines the waiting proposal.
pub async fn decline(
    conn: &mut Conn,
    network_id: &str,
    by: By<'_>,
) -> Result<std::result::Result<(), RegieRefusal>> {
    if pending(conn, network_id).await?.is_none() {
        return Ok(Err(RegieRefusal::NoProposal));
    }
    set_aside_pending(conn, network_id, by).await?;
    Ok(Ok(()))
}

/// The caregiver ends the current term without a successor (the network is then visibly without
/// regiehouder).
pub async fn stop(conn: &mut Conn, network_id: &str, note: &str, by: By<'_>) -> Result<bool> {
    let had = current(conn, network_id).await?.is_some();
    end_current(conn, network_id, note, by).await?;
    Ok(had)
}

/// When a member leaves, their term (or waiting proposal) ends.
pub(crate) async fn end_for_member(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    by: By<'_>,
) -> Result<()> {
    if current(conn, network_id)
        .await?
        .is_some_and(|t| t.member_id == member_id)
    {
        end_current(conn, network_id, "", by).await?;
    }
    if pending(conn, network_id)
        .await?
        .is_some_and(|t| t.member_id == member_id)
    {
        set_aside_pending(conn, network_id, by).await?;
    }
    Ok(())
}
