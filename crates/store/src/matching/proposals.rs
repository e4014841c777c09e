//! Proposals: one volunteer asked for one request, with a single-use answer link (only a
//! SHA-256 of its secret is kept, like `screening_links`). The link works while the proposal
//! waits and its answer time has not passed: a used or expired link is refused. A volunteer is
//! proposed once per request, and a request has at most one proposal waiting or accepted (the
//! database holds both rules too).

use super::{Actor, MatchingError, Result, invalid, move_request};
use crate::{Conn, new_id};
use mantelkring_core::access::ProposalStanding;
use mantelkring_core::identity::token_hash;
use mantelkring_core::matching::Reason;
use mantelkring_core::matching::workflow::{
    ProposalStatus, Rating, RequestStatus, Side, respond_by,
};
use mantelkring_core::time::Millis;
use serde_json::{Value, json};

/// The engine's reasons as stored (JSON), for the pages to explain a proposal later.
pub fn reasons_json(reasons: &[Reason]) -> String {
    let list: Vec<Value> = reasons
        .iter()
        .map(|r| match *r {
            Reason::Distance { meters } => json!({"kind": "distance", "meters": meters}),
            Reason::Available { day, part } => {
                json!({"kind": "available", "day": day.code(), "part": part.code()})
            }
            Reason::HelpedBefore => json!({"kind": "helped_before"}),
            Reason::Skill(s) => json!({"kind": "skill", "skill": s.code()}),
            Reason::SpeaksLanguage(l) => json!({"kind": "language", "language": l.code()}),
            Reason::HasCar => json!({"kind": "has_car"}),
            Reason::VogValid => json!({"kind": "vog_valid"}),
            Reason::LowLoad { active, capacity } => {
                json!({"kind": "low_load", "active": active, "capacity": capacity})
            }
        })
        .collect();
    Value::Array(list).to_string()
}

/// A proposal just made: its id and the secret of its answer link (only in the e-mail; the
/// database keeps its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub id: String,
    pub secret: String,
    pub respond_by: Millis,
}

/// What to propose.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal<'a> {
    pub request_id: &'a str,
    pub volunteer_user_id: &'a str,
    pub score: i64,
    pub reasons: &'a [Reason],
    /// Hours to answer (the region's setting; `workflow::DEFAULT_ANSWER_HOURS`).
    pub answer_hours: u32,
}

fn new_secret() -> String {
    rand::random::<[u8; 32]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Proposes a volunteer for an open request: the proposal waits for an answer until
/// `respond_by`, the request becomes voorgesteld. Refused: the request is not open, the
/// volunteer's profile is not active, or they were proposed for this request before.
pub async fn propose(
    conn: &mut Conn,
    new: &NewProposal<'_>,
    by: Actor<'_>,
    now: Millis,
) -> Result<Proposed> {
    let active: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM volunteer_profiles WHERE user_id = $1 AND status = 'active'",
    )
    .bind(new.volunteer_user_id)
    .fetch_optional(&mut *conn)
    .await?;
    if active.is_none() {
        return invalid("Deze vrijwilliger is niet actief.");
    }
    let before: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM match_proposals WHERE request_id = $1 AND volunteer_user_id = $2",
    )
    .bind(new.request_id)
    .bind(new.volunteer_user_id)
    .fetch_optional(&mut *conn)
    .await?;
    if before.is_some() {
        return Err(MatchingError::Conflict(
            "deze vrijwilliger is al eens voorgesteld voor deze hulpvraag",
        ));
    }
    let id = new_id();
    let secret = new_secret();
    let respond_by = respond_by(now, new.answer_hours);
    // A request that is not open refuses here, before any proposal is written.
    super::requests::status(conn, new.request_id)
        .await?
        .ok_or(MatchingError::NotFound("hulpvraag"))?
        .step(RequestStatus::Proposed)?;
    sqlx::query(
        "INSERT INTO match_proposals (id, request_id, volunteer_user_id, score, reasons, status, \
             proposed_by_user_id, proposed_at, respond_by, token_hash) \
         VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(new.request_id)
    .bind(new.volunteer_user_id)
    .bind(new.score)
    .bind(reasons_json(new.reasons))
    .bind(by.user_id)
    .bind(now)
    .bind(respond_by)
    .bind(token_hash(&secret))
    .execute(&mut *conn)
    .await
    .map_err(|e| match crate::conflict_as("voorstel")(e) {
        crate::StoreError::Conflict(_) => {
            MatchingError::Conflict("voor deze hulpvraag loopt al een voorstel")
        }
        other => MatchingError::Store(other),
    })?;
    move_request(
        conn,
        new.request_id,
        RequestStatus::Proposed,
        Some(&id),
        by,
        "",
        now,
    )
    .await?;
    Ok(Proposed {
        id,
        secret,
        respond_by,
    })
}

/// A stored proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: String,
    pub request_id: String,
    pub volunteer_user_id: String,
    pub score: i64,
    pub reasons: String,
    pub status: ProposalStatus,
    pub proposed_by_user_id: Option<String>,
    pub proposed_at: Millis,
    pub respond_by: Millis,
    pub responded_at: Option<Millis>,
    pub done_at: Option<Millis>,
}

type Row = (
    String,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
);

const SELECT: &str = "SELECT id, request_id, volunteer_user_id, score, reasons, status, \
     proposed_by_user_id, proposed_at, respond_by, responded_at, done_at FROM match_proposals";

fn from_row(row: Row) -> Result<Proposal> {
    let (
        id,
        request_id,
        volunteer_user_id,
        score,
        reasons,
        status,
        proposed_by_user_id,
        proposed_at,
        respond_by,
        responded_at,
        done_at,
    ) = row;
    Ok(Proposal {
        status: ProposalStatus::from_code(&status).ok_or_else(|| {
            MatchingError::Bad(mantelkring_core::matching::workflow::BadRecord {
                field: "status",
                value: status.clone(),
            })
        })?,
        id,
        request_id,
        volunteer_user_id,
        score,
        reasons,
        proposed_by_user_id,
        proposed_at,
        respond_by,
        responded_at,
        done_at,
    })
}

pub async fn get(conn: &mut Conn, proposal_id: &str) -> Result<Option<Proposal>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(proposal_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(from_row).transpose()
}

/// A request's proposals, oldest first.
pub async fn of_request(conn: &mut Conn, request_id: &str) -> Result<Vec<Proposal>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE request_id = $1 ORDER BY proposed_at, id"
    )))
    .bind(request_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// The volunteer's standing for a request, for the access policy: their latest proposal for it.
pub async fn standing(
    conn: &mut Conn,
    request_id: &str,
    volunteer_user_id: &str,
) -> Result<Option<ProposalStanding>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM match_proposals WHERE request_id = $1 AND volunteer_user_id = $2",
    )
    .bind(request_id)
    .bind(volunteer_user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(s,)| match ProposalStatus::from_code(&s) {
        Some(ProposalStatus::Proposed) => ProposalStanding::Proposed,
        Some(ProposalStatus::Accepted) => ProposalStanding::Accepted,
        Some(ProposalStatus::Done) => ProposalStanding::Done,
        _ => ProposalStanding::Ended,
    }))
}

/// Moves a proposal to `next` (checked against the workflow, guarded by the status read) and
/// its request along (with the event). `extra` is an SQL assignment list for the proposal.
async fn step(
    conn: &mut Conn,
    proposal: &Proposal,
    next: ProposalStatus,
    by: Actor<'_>,
    note: &str,
    now: Millis,
) -> Result<()> {
    proposal.status.step(next)?;
    let stamp = match next {
        ProposalStatus::Done | ProposalStatus::NoShow => "done_at = $4",
        _ => "responded_at = COALESCE(responded_at, $4)",
    };
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE match_proposals SET status = $3, {stamp} WHERE id = $1 AND status = $2"
    )))
    .bind(&proposal.id)
    .bind(proposal.status.code())
    .bind(next.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(MatchingError::Conflict(
            "het voorstel is intussen veranderd; probeer het opnieuw",
        ));
    }
    if let Some(request_status) = next.request_after() {
        move_request(
            conn,
            &proposal.request_id,
            request_status,
            Some(&proposal.id),
            by,
            note,
            now,
        )
        .await?;
    }
    Ok(())
}

/// The proposal of an answer link's secret (only its hash is stored), whatever its status: the
/// link's page shows it without answering (a GET never changes anything).
pub async fn by_link(conn: &mut Conn, secret: &str) -> Result<Option<Proposal>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE token_hash = $1"
    )))
    .bind(token_hash(secret.trim()))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(from_row).transpose()
}

/// The sides that have evaluated a proposal.
pub async fn evaluated_sides(conn: &mut Conn, proposal_id: &str) -> Result<Vec<Side>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT side FROM match_evaluations WHERE proposal_id = $1 ORDER BY side")
            .bind(proposal_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(s,)| Side::from_code(&s))
        .collect())
}

/// The volunteer answers their own waiting proposal in the app (before its answer time).
pub async fn answer(
    conn: &mut Conn,
    proposal_id: &str,
    volunteer_user_id: &str,
    accept: bool,
    now: Millis,
) -> Result<Proposal> {
    let proposal = get(conn, proposal_id)
        .await?
        .filter(|p| p.volunteer_user_id == volunteer_user_id)
        .ok_or(MatchingError::NotFound("voorstel"))?;
    if proposal.status == ProposalStatus::Proposed && proposal.respond_by <= now {
        return invalid("De tijd om te antwoorden is voorbij.");
    }
    let next = if accept {
        ProposalStatus::Accepted
    } else {
        ProposalStatus::Declined
    };
    step(
        conn,
        &proposal,
        next,
        Actor::user(volunteer_user_id),
        "",
        now,
    )
    .await?;
    Ok(Proposal {
        status: next,
        ..proposal
    })
}

/// The volunteer answers through the e-mail's link: the secret's hash finds the proposal; a
/// link whose proposal was already answered (or ended) is used, one past its answer time
/// expired.
pub async fn answer_by_link(
    conn: &mut Conn,
    secret: &str,
    accept: bool,
    now: Millis,
) -> Result<Proposal> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE token_hash = $1"
    )))
    .bind(token_hash(secret.trim()))
    .fetch_optional(&mut *conn)
    .await?;
    let proposal = row
        .map(from_row)
        .transpose()?
        .ok_or(MatchingError::LinkUnknown)?;
    if proposal.status == ProposalStatus::Expired {
        return Err(MatchingError::LinkExpired);
    }
    if proposal.status != ProposalStatus::Proposed {
        return Err(MatchingError::LinkUsed);
    }
    if proposal.respond_by <= now {
        return Err(MatchingError::LinkExpired);
    }
    let volunteer = proposal.volunteer_user_id.clone();
    answer(conn, &proposal.id, &volunteer, accept, now).await
}

/// A proposal that expired: the job proposes the next candidate for its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub proposal_id: String,
    pub request_id: String,
    pub volunteer_user_id: String,
}

/// Expires every waiting proposal whose answer time has passed at `now`; their requests are
/// open again. Returns them, by answer time.
pub async fn expire_overdue(conn: &mut Conn, now: Millis) -> Result<Vec<Expired>> {
    expire_overdue_up_to(conn, now, i64::MAX).await
}

/// Expires the one waiting proposal whose answer time passed longest ago, if any, so the job
/// can expire it and propose the next candidate in one transaction.
pub async fn expire_next_overdue(conn: &mut Conn, now: Millis) -> Result<Option<Expired>> {
    Ok(expire_overdue_up_to(conn, now, 1).await?.pop())
}

async fn expire_overdue_up_to(conn: &mut Conn, now: Millis, limit: i64) -> Result<Vec<Expired>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE status = 'proposed' AND respond_by <= $1 ORDER BY respond_by, id LIMIT $2"
    )))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut expired = Vec::with_capacity(rows.len());
    for row in rows {
        let proposal = from_row(row)?;
        step(
            conn,
            &proposal,
            ProposalStatus::Expired,
            Actor::job(),
            "geen antwoord binnen de tijd",
            now,
        )
        .await?;
        expired.push(Expired {
            proposal_id: proposal.id,
            request_id: proposal.request_id,
            volunteer_user_id: proposal.volunteer_user_id,
        });
    }
    Ok(expired)
}

async fn step_by_id(
    conn: &mut Conn,
    proposal_id: &str,
    next: ProposalStatus,
    by: Actor<'_>,
    note: &str,
    now: Millis,
) -> Result<()> {
    let proposal = get(conn, proposal_id)
        .await?
        .ok_or(MatchingError::NotFound("voorstel"))?;
    step(conn, &proposal, next, by, note, now).await
}

/// The help was given: the proposal and its request are done.
pub async fn mark_done(
    conn: &mut Conn,
    proposal_id: &str,
    by: Actor<'_>,
    now: Millis,
) -> Result<()> {
    step_by_id(conn, proposal_id, ProposalStatus::Done, by, "", now).await
}

/// The volunteer did not come: the request is open again and they are not asked for it again.
pub async fn mark_no_show(
    conn: &mut Conn,
    proposal_id: &str,
    by: Actor<'_>,
    note: &str,
    now: Millis,
) -> Result<()> {
    step_by_id(conn, proposal_id, ProposalStatus::NoShow, by, note, now).await
}

/// The coordinator takes a waiting or accepted proposal back: the request is open again.
pub async fn withdraw(
    conn: &mut Conn,
    proposal_id: &str,
    by: Actor<'_>,
    note: &str,
    now: Millis,
) -> Result<()> {
    step_by_id(conn, proposal_id, ProposalStatus::Withdrawn, by, note, now).await
}

/// One side's evaluation of a done proposal (once per side). When both sides have evaluated,
/// the request is geëvalueerd. Returns whether it now is.
pub async fn evaluate(
    conn: &mut Conn,
    proposal_id: &str,
    side: Side,
    rating: Rating,
    note: &str,
    by_user_id: &str,
    now: Millis,
) -> Result<bool> {
    let proposal = get(conn, proposal_id)
        .await?
        .ok_or(MatchingError::NotFound("voorstel"))?;
    if proposal.status != ProposalStatus::Done {
        return invalid("Een beoordeling kan pas als de hulp is gegeven.");
    }
    if note.chars().count() > 2000 {
        return invalid("De toelichting is te lang (hoogstens 2000 tekens).");
    }
    let before: Option<(String,)> =
        sqlx::query_as("SELECT side FROM match_evaluations WHERE proposal_id = $1 AND side = $2")
            .bind(proposal_id)
            .bind(side.code())
            .fetch_optional(&mut *conn)
            .await?;
    if before.is_some() {
        return Err(MatchingError::Conflict("deze kant heeft al beoordeeld"));
    }
    sqlx::query(
        "INSERT INTO match_evaluations (proposal_id, side, rating, note, by_user_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(proposal_id)
    .bind(side.code())
    .bind(i64::from(rating.get()))
    .bind(note.trim())
    .bind(by_user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let (sides,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM match_evaluations WHERE proposal_id = $1")
            .bind(proposal_id)
            .fetch_one(&mut *conn)
            .await?;
    if sides < 2 {
        return Ok(false);
    }
    move_request(
        conn,
        &proposal.request_id,
        RequestStatus::Evaluated,
        Some(proposal_id),
        Actor::user(by_user_id),
        "",
        now,
    )
    .await?;
    Ok(true)
}

/// One line of the coordinator's overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewLine {
    pub proposal_id: String,
    pub request_id: String,
    pub request_status: RequestStatus,
    pub help_type: String,
    pub pc4: String,
    pub first_on: String,
    pub volunteer_user_id: String,
    pub volunteer_name: String,
    pub status: ProposalStatus,
    pub score: i64,
    pub proposed_at: Millis,
    pub respond_by: Millis,
}

type OverviewRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
);

fn overview_of(rows: Vec<OverviewRow>) -> Result<Vec<OverviewLine>> {
    rows.into_iter()
        .map(
            |(
                proposal_id,
                request_id,
                request_status,
                help_type,
                pc4,
                first_on,
                volunteer_user_id,
                volunteer_name,
                status,
                score,
                proposed_at,
                respond_by,
            )| {
                let bad = |field: &'static str, value: &str| {
                    MatchingError::Bad(mantelkring_core::matching::workflow::BadRecord {
                        field,
                        value: value.to_string(),
                    })
                };
                Ok(OverviewLine {
                    request_status: RequestStatus::from_code(&request_status)
                        .ok_or_else(|| bad("status", &request_status))?,
                    status: ProposalStatus::from_code(&status)
                        .ok_or_else(|| bad("status", &status))?,
                    proposal_id,
                    request_id,
                    help_type,
                    pc4,
                    first_on,
                    volunteer_user_id,
                    volunteer_name,
                    score,
                    proposed_at,
                    respond_by,
                })
            },
        )
        .collect()
}

const OVERVIEW: &str = "SELECT p.id, r.id, r.status, r.help_type, r.pc4, r.first_on, \
     p.volunteer_user_id, u.display_name, p.status, p.score, p.proposed_at, p.respond_by \
     FROM match_proposals p JOIN help_requests r ON r.id = p.request_id \
     JOIN users u ON u.id = p.volunteer_user_id";

/// The coordinator's overview of a region: proposals waiting for an answer (soonest answer time
/// first), then accepted ones, then the rest, newest first; at most `limit`.
pub async fn coordinator_overview(
    conn: &mut Conn,
    region_id: &str,
    limit: i64,
) -> Result<Vec<OverviewLine>> {
    let rows: Vec<OverviewRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{OVERVIEW} WHERE r.region_id = $1 \
         ORDER BY CASE p.status WHEN 'proposed' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 END, \
           CASE WHEN p.status = 'proposed' THEN p.respond_by ELSE -p.proposed_at END, p.id \
         LIMIT $2"
    )))
    .bind(region_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    overview_of(rows)
}

/// A volunteer's own proposals, newest first (the page shows each through the policy's view).
pub async fn of_volunteer(conn: &mut Conn, volunteer_user_id: &str) -> Result<Vec<OverviewLine>> {
    let rows: Vec<OverviewRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{OVERVIEW} WHERE p.volunteer_user_id = $1 ORDER BY p.proposed_at DESC, p.id DESC"
    )))
    .bind(volunteer_user_id)
    .fetch_all(&mut *conn)
    .await?;
    overview_of(rows)
}
