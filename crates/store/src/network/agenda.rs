//! Agreements, tasks and sign-ups of a kring: the care agenda.
//!
//! - Agreements: who does what (an active member, or a name as free text), from when, to be
//!   reviewed on; listed while not ended, "to review" from the review date on.
//! - Tasks: one-off or weekly (core [`Schedule`]), with optional times, how many people are
//!   needed and details; cancelled, never deleted.
//! - Sign-ups: an active member signs up for ONE occurrence (a date the schedule really has, not
//!   in the past) and may withdraw it. Only active members' sign-ups count: when a member leaves
//!   the kring, their sign-ups stop filling the task.
//! - The unfilled pass ([`mark_unfilled`]): a task that stays unfilled (core
//!   [`stays_unfilled`]) gets `help_wanted_at` once; it is cleared when the task is filled or
//!   cancelled. [`help_wanted_tasks`] lists them for the matching issue (help requests).
//!
//! Dates are local (Europe/Amsterdam) `YYYY-MM-DD` text, times `HH:MM`, so text order is time order.

use super::members::By;
use crate::{Conn, Result, new_id};
use mantelkring_core::network::agenda::{
    ClockTime, Day, HELP_HORIZON_DAYS, Occurrence, Schedule, is_unfilled, stays_unfilled,
};
use mantelkring_core::time::{Millis, now_ms};
use std::collections::HashMap;

/// Why an agenda change was not made (the web layer turns each into a clear 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaRefusal {
    /// The member named (or signing up) is not an active member of this network.
    NotActiveMember,
    /// There is no such task in this network, or it was cancelled.
    NoSuchTask,
    /// The task does not happen on that day.
    NotOnSchedule,
    /// That day has passed.
    InThePast,
    /// The member already signed up for that day.
    AlreadySignedUp,
    /// Enough people signed up for that day already.
    Full,
    /// The member had not signed up for that day.
    NotSignedUp,
}

// ---- Agreements ------------------------------------------------------------------------------

/// Who an agreement is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who<'a> {
    /// An active member of the network (by member id).
    Member(&'a str),
    /// Anyone else, by name (the caregiver, a neighbour without an account, "de thuiszorg").
    Text(&'a str),
}

/// An agreement to record; the texts are already checked.
#[derive(Debug, Clone)]
pub struct NewAgreement<'a> {
    pub network_id: &'a str,
    pub what: &'a str,
    pub who: Who<'a>,
    pub starts_on: Day,
    pub review_on: Option<Day>,
}

/// An agreement as the agenda page shows it.
#[derive(Debug, Clone)]
pub struct Agreement {
    pub id: String,
    pub what: String,
    pub who_member_id: Option<String>,
    /// The member's name, or the free text.
    pub who: String,
    pub starts_on: Day,
    pub review_on: Option<Day>,
    /// The review date has come (`review_on <= today`).
    pub to_review: bool,
    pub created_by_user_id: String,
    pub created_by: String,
    pub on_behalf: bool,
    pub created_at: Millis,
}

/// Whether `member_id` is an active member of `network_id`.
async fn is_active_member(conn: &mut Conn, network_id: &str, member_id: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM network_members WHERE id = $1 AND network_id = $2 AND status = 'active'",
    )
    .bind(member_id)
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Records an agreement. Refused when the member named is not an active member of the network.
pub async fn add_agreement(
    conn: &mut Conn,
    a: &NewAgreement<'_>,
    by: By<'_>,
) -> Result<std::result::Result<String, AgendaRefusal>> {
    let (member, text) = match a.who {
        Who::Member(id) => {
            if !is_active_member(conn, a.network_id, id).await? {
                return Ok(Err(AgendaRefusal::NotActiveMember));
            }
            (Some(id), "")
        }
        Who::Text(text) => (None, text),
    };
    let id = new_id();
    sqlx::query(
        "INSERT INTO network_agreements (id, network_id, what, who_member_id, who_text, starts_on, \
             review_on, created_by_user_id, on_behalf, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(a.network_id)
    .bind(a.what)
    .bind(member)
    .bind(text)
    .bind(a.starts_on.iso())
    .bind(a.review_on.map(Day::iso))
    .bind(by.user_id)
    .bind(i64::from(by.on_behalf))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(Ok(id))
}

type AgreementRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

const AGREEMENT_SELECT: &str = "SELECT a.id, a.what, a.who_member_id, wu.display_name, a.who_text, \
         a.starts_on, a.review_on, a.created_by_user_id, cu.display_name, a.on_behalf, a.created_at \
     FROM network_agreements a \
     LEFT JOIN network_members wm ON wm.id = a.who_member_id \
     LEFT JOIN users wu ON wu.id = wm.user_id \
     JOIN users cu ON cu.id = a.created_by_user_id";

fn agreement_of(row: AgreementRow, today: Day) -> Option<Agreement> {
    let (
        id,
        what,
        who_member_id,
        member_name,
        who_text,
        starts_on,
        review_on,
        created_by_user_id,
        created_by,
        on_behalf,
        created_at,
    ) = row;
    let review_on = match review_on {
        Some(r) => Some(Day::parse(&r)?),
        None => None,
    };
    Some(Agreement {
        id,
        what,
        who_member_id,
        who: member_name.unwrap_or(who_text),
        starts_on: Day::parse(&starts_on)?,
        to_review: review_on.is_some_and(|r| r <= today),
        review_on,
        created_by_user_id,
        created_by,
        on_behalf: on_behalf != 0,
        created_at,
    })
}

/// The agreements in force (not ended), by start date; `to_review` is set from `today`.
pub async fn agreements(conn: &mut Conn, network_id: &str, today: Day) -> Result<Vec<Agreement>> {
    let rows: Vec<AgreementRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{AGREEMENT_SELECT} WHERE a.network_id = $1 AND a.ended_at IS NULL \
         ORDER BY a.starts_on, a.created_at, a.id"
    )))
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| agreement_of(r, today))
        .collect())
}

/// One agreement in force in this network.
pub async fn agreement(
    conn: &mut Conn,
    network_id: &str,
    agreement_id: &str,
    today: Day,
) -> Result<Option<Agreement>> {
    let row: Option<AgreementRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{AGREEMENT_SELECT} WHERE a.id = $1 AND a.network_id = $2 AND a.ended_at IS NULL"
    )))
    .bind(agreement_id)
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|r| agreement_of(r, today)))
}

/// Ends an agreement; `false` when there is no such agreement in force in this network.
pub async fn end_agreement(conn: &mut Conn, network_id: &str, agreement_id: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_agreements SET ended_at = $3 \
         WHERE id = $1 AND network_id = $2 AND ended_at IS NULL",
    )
    .bind(agreement_id)
    .bind(network_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---- Tasks -----------------------------------------------------------------------------------

/// A task to add; the texts and times are already checked.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub network_id: &'a str,
    pub title: &'a str,
    pub details: &'a str,
    pub schedule: Schedule,
    pub start: Option<ClockTime>,
    pub end: Option<ClockTime>,
    pub needed: u32,
}

/// A task that is not cancelled.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub network_id: String,
    pub title: String,
    pub details: String,
    pub schedule: Schedule,
    pub start: Option<ClockTime>,
    pub end: Option<ClockTime>,
    pub needed: u32,
    pub created_by_user_id: String,
    pub created_by: String,
    pub on_behalf: bool,
    pub created_at: Millis,
    pub help_wanted_at: Option<Millis>,
}

impl Task {
    pub fn weekly(&self) -> bool {
        matches!(self.schedule, Schedule::Weekly { .. })
    }
}

pub async fn add_task(conn: &mut Conn, t: &NewTask<'_>, by: By<'_>) -> Result<String> {
    let (weekly, first, until) = match t.schedule {
        Schedule::Once { on } => (0_i64, on, None),
        Schedule::Weekly { from, until } => (1, from, until),
    };
    let id = new_id();
    sqlx::query(
        "INSERT INTO network_tasks (id, network_id, title, details, weekly, first_on, until_on, \
             start_time, end_time, needed, created_by_user_id, on_behalf, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(t.network_id)
    .bind(t.title)
    .bind(t.details)
    .bind(weekly)
    .bind(first.iso())
    .bind(until.map(Day::iso))
    .bind(t.start.map(ClockTime::hhmm))
    .bind(t.end.map(ClockTime::hhmm))
    .bind(i64::from(t.needed))
    .bind(by.user_id)
    .bind(i64::from(by.on_behalf))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

type TaskRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    i64,
    i64,
    Option<i64>,
);

const TASK_SELECT: &str = "SELECT t.id, t.network_id, t.title, t.details, t.weekly, t.first_on, \
         t.until_on, t.start_time, t.end_time, t.needed, t.created_by_user_id, u.display_name, \
         t.on_behalf, t.created_at, t.help_wanted_at \
     FROM network_tasks t JOIN users u ON u.id = t.created_by_user_id";

/// A stored task, or `None` when a stored value does not read back (never written by us).
fn task_of(row: TaskRow) -> Option<Task> {
    let (
        id,
        network_id,
        title,
        details,
        weekly,
        first_on,
        until_on,
        start,
        end,
        needed,
        created_by_user_id,
        created_by,
        on_behalf,
        created_at,
        help_wanted_at,
    ) = row;
    let first = Day::parse(&first_on)?;
    let schedule = if weekly != 0 {
        Schedule::Weekly {
            from: first,
            until: match until_on {
                Some(u) => Some(Day::parse(&u)?),
                None => None,
            },
        }
    } else {
        Schedule::Once { on: first }
    };
    let time = |t: Option<String>| match t {
        Some(t) => ClockTime::parse(&t).map(Some),
        None => Some(None),
    };
    Some(Task {
        id,
        network_id,
        title,
        details,
        schedule,
        start: time(start)?,
        end: time(end)?,
        needed: u32::try_from(needed).ok()?,
        created_by_user_id,
        created_by,
        on_behalf: on_behalf != 0,
        created_at,
        help_wanted_at,
    })
}

/// One task of this network that is not cancelled.
pub async fn task(conn: &mut Conn, network_id: &str, task_id: &str) -> Result<Option<Task>> {
    let row: Option<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.id = $1 AND t.network_id = $2 AND t.cancelled_at IS NULL"
    )))
    .bind(task_id)
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(task_of))
}

/// The network's tasks that are not cancelled and still happen on or after `from` (a weekly
/// task without end date always does), by first date and title.
pub async fn tasks(conn: &mut Conn, network_id: &str, from: Day) -> Result<Vec<Task>> {
    let rows: Vec<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.network_id = $1 AND t.cancelled_at IS NULL \
           AND ((t.weekly = 0 AND t.first_on >= $2) \
             OR (t.weekly <> 0 AND (t.until_on IS NULL OR t.until_on >= $2))) \
         ORDER BY t.first_on, t.title, t.id"
    )))
    .bind(network_id)
    .bind(from.iso())
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().filter_map(task_of).collect())
}

/// Cancels a task (its mark for volunteers goes too); `false` when there is no such task in
/// this network, or it was cancelled already.
pub async fn cancel_task(conn: &mut Conn, network_id: &str, task_id: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_tasks SET cancelled_at = $3, help_wanted_at = NULL \
         WHERE id = $1 AND network_id = $2 AND cancelled_at IS NULL",
    )
    .bind(task_id)
    .bind(network_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---- Sign-ups --------------------------------------------------------------------------------

/// The task, locked for this transaction (a no-op update takes the row lock on PostgreSQL; on
/// SQLite the write transaction already serialises), so two sign-ups for the last place cannot
/// both succeed.
async fn lock_task(conn: &mut Conn, network_id: &str, task_id: &str) -> Result<Option<Task>> {
    sqlx::query(
        "UPDATE network_tasks SET needed = needed \
         WHERE id = $1 AND network_id = $2 AND cancelled_at IS NULL",
    )
    .bind(task_id)
    .bind(network_id)
    .execute(&mut *conn)
    .await?;
    task(conn, network_id, task_id).await
}

/// Active members signed up for a task on a day.
async fn signed_up_count(conn: &mut Conn, task_id: &str, day: Day) -> Result<u32> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM network_task_signups s \
         JOIN network_members m ON m.id = s.member_id \
         WHERE s.task_id = $1 AND s.occurs_on = $2 AND s.withdrawn_at IS NULL \
           AND m.status = 'active'",
    )
    .bind(task_id)
    .bind(day.iso())
    .fetch_one(conn)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// An active member signs up for the task's occurrence on `day`. Refused when the task is not
/// in this network (or cancelled), the task does not happen that day, the day is before `today`,
/// the member is not active here, already signed up, or enough people signed up already.
pub async fn sign_up(
    conn: &mut Conn,
    network_id: &str,
    task_id: &str,
    day: Day,
    member_id: &str,
    today: Day,
) -> Result<std::result::Result<String, AgendaRefusal>> {
    let Some(task) = lock_task(conn, network_id, task_id).await? else {
        return Ok(Err(AgendaRefusal::NoSuchTask));
    };
    if !task.schedule.happens_on(day) {
        return Ok(Err(AgendaRefusal::NotOnSchedule));
    }
    if day < today {
        return Ok(Err(AgendaRefusal::InThePast));
    }
    if !is_active_member(conn, network_id, member_id).await? {
        return Ok(Err(AgendaRefusal::NotActiveMember));
    }
    let already: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM network_task_signups \
         WHERE task_id = $1 AND occurs_on = $2 AND member_id = $3 AND withdrawn_at IS NULL",
    )
    .bind(task_id)
    .bind(day.iso())
    .bind(member_id)
    .fetch_optional(&mut *conn)
    .await?;
    if already.is_some() {
        return Ok(Err(AgendaRefusal::AlreadySignedUp));
    }
    if !is_unfilled(task.needed, signed_up_count(conn, task_id, day).await?) {
        return Ok(Err(AgendaRefusal::Full));
    }
    let id = new_id();
    let done = sqlx::query(
        "INSERT INTO network_task_signups (id, task_id, occurs_on, member_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (task_id, occurs_on, member_id) WHERE withdrawn_at IS NULL DO NOTHING",
    )
    .bind(&id)
    .bind(task_id)
    .bind(day.iso())
    .bind(member_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(Err(AgendaRefusal::AlreadySignedUp));
    }
    evaluate(conn, &task, today, now_ms()).await?;
    Ok(Ok(id))
}

/// The member withdraws their own sign-up for the task on `day`.
pub async fn withdraw(
    conn: &mut Conn,
    network_id: &str,
    task_id: &str,
    day: Day,
    member_id: &str,
    today: Day,
) -> Result<std::result::Result<(), AgendaRefusal>> {
    let Some(task) = lock_task(conn, network_id, task_id).await? else {
        return Ok(Err(AgendaRefusal::NoSuchTask));
    };
    if !task.schedule.happens_on(day) {
        return Ok(Err(AgendaRefusal::NotOnSchedule));
    }
    if day < today {
        return Ok(Err(AgendaRefusal::InThePast));
    }
    let done = sqlx::query(
        "UPDATE network_task_signups SET withdrawn_at = $4 \
         WHERE task_id = $1 AND occurs_on = $2 AND member_id = $3 AND withdrawn_at IS NULL",
    )
    .bind(task_id)
    .bind(day.iso())
    .bind(member_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(Err(AgendaRefusal::NotSignedUp));
    }
    evaluate(conn, &task, today, now_ms()).await?;
    Ok(Ok(()))
}

// ---- The agenda: occurrences -----------------------------------------------------------------

/// One occurrence of a task in the agenda, with who signed up (active members, first come first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOccurrence {
    pub task_id: String,
    pub title: String,
    pub details: String,
    pub day: Day,
    pub start: Option<ClockTime>,
    pub end: Option<ClockTime>,
    pub weekly: bool,
    pub needed: u32,
    /// (member id, name)
    pub signed_up: Vec<(String, String)>,
    /// The task is marked for volunteers (it stayed unfilled) and this occurrence still misses
    /// people.
    pub help_wanted: bool,
}

/// Tasks (not cancelled) of a network that may happen within `[from, to]`.
async fn tasks_between(conn: &mut Conn, network_id: &str, from: Day, to: Day) -> Result<Vec<Task>> {
    let rows: Vec<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.network_id = $1 AND t.cancelled_at IS NULL AND t.first_on <= $3 \
           AND ((t.weekly = 0 AND t.first_on >= $2) \
             OR (t.weekly <> 0 AND (t.until_on IS NULL OR t.until_on >= $2)))"
    )))
    .bind(network_id)
    .bind(from.iso())
    .bind(to.iso())
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().filter_map(task_of).collect())
}

/// Every occurrence of the network's tasks within `[from, to]`, ordered by day, start time
/// (tasks without a time first), title.
pub async fn occurrences(
    conn: &mut Conn,
    network_id: &str,
    from: Day,
    to: Day,
) -> Result<Vec<TaskOccurrence>> {
    let tasks = tasks_between(conn, network_id, from, to).await?;
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT s.task_id, s.occurs_on, s.member_id, u.display_name \
         FROM network_task_signups s \
         JOIN network_tasks t ON t.id = s.task_id \
         JOIN network_members m ON m.id = s.member_id \
         JOIN users u ON u.id = m.user_id \
         WHERE t.network_id = $1 AND t.cancelled_at IS NULL AND s.withdrawn_at IS NULL \
           AND m.status = 'active' AND s.occurs_on >= $2 AND s.occurs_on <= $3 \
         ORDER BY s.created_at, s.id",
    )
    .bind(network_id)
    .bind(from.iso())
    .bind(to.iso())
    .fetch_all(conn)
    .await?;
    let mut signups: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    for (task_id, day, member_id, name) in rows {
        signups
            .entry((task_id, day))
            .or_default()
            .push((member_id, name));
    }
    let mut out = Vec::new();
    for task in &tasks {
        for day in task.schedule.occurrences(from, to) {
            let signed_up = signups
                .remove(&(task.id.clone(), day.iso()))
                .unwrap_or_default();
            let filled = u32::try_from(signed_up.len()).unwrap_or(u32::MAX);
            out.push(TaskOccurrence {
                task_id: task.id.clone(),
                title: task.title.clone(),
                details: task.details.clone(),
                day,
                start: task.start,
                end: task.end,
                weekly: task.weekly(),
                needed: task.needed,
                help_wanted: task.help_wanted_at.is_some() && is_unfilled(task.needed, filled),
                signed_up,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.day, a.start, &a.title, &a.task_id).cmp(&(b.day, b.start, &b.title, &b.task_id))
    });
    Ok(out)
}

// ---- Unfilled tasks --------------------------------------------------------------------------

/// Sets or clears the task's mark for volunteers from its sign-ups in the next
/// [`HELP_HORIZON_DAYS`]; `true` when it was newly marked.
async fn evaluate(conn: &mut Conn, task: &Task, today: Day, now: Millis) -> Result<bool> {
    let horizon = today.plus(HELP_HORIZON_DAYS);
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT s.occurs_on, COUNT(*) FROM network_task_signups s \
         JOIN network_members m ON m.id = s.member_id \
         WHERE s.task_id = $1 AND s.withdrawn_at IS NULL AND m.status = 'active' \
           AND s.occurs_on >= $2 AND s.occurs_on <= $3 \
         GROUP BY s.occurs_on",
    )
    .bind(&task.id)
    .bind(today.iso())
    .bind(horizon.iso())
    .fetch_all(&mut *conn)
    .await?;
    let counts: HashMap<String, i64> = rows.into_iter().collect();
    let occurrences: Vec<Occurrence> = task
        .schedule
        .occurrences(today, horizon)
        .into_iter()
        .map(|day| Occurrence {
            day,
            signed_up: counts
                .get(&day.iso())
                .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
        })
        .collect();
    let stays = stays_unfilled(
        Day::local(task.created_at),
        today,
        task.needed,
        &occurrences,
    );
    match (stays, task.help_wanted_at.is_some()) {
        (true, false) => {
            sqlx::query(
                "UPDATE network_tasks SET help_wanted_at = $2 \
                 WHERE id = $1 AND help_wanted_at IS NULL AND cancelled_at IS NULL",
            )
            .bind(&task.id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(true)
        }
        (false, true) => {
            sqlx::query("UPDATE network_tasks SET help_wanted_at = NULL WHERE id = $1")
                .bind(&task.id)
                .execute(&mut *conn)
                .await?;
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// The unfilled pass over every network (job `kring_unfilled`, daily): a task (not cancelled)
/// that stays unfilled on `now`'s local day is marked once (`help_wanted_at = now`); a marked
/// task that is filled again, or has no occurrence left within the horizon, is cleared.
/// Returns how many tasks it newly marked.
pub async fn mark_unfilled(conn: &mut Conn, now: Millis) -> Result<u64> {
    let today = Day::local(now);
    let horizon = today.plus(HELP_HORIZON_DAYS);
    let rows: Vec<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.cancelled_at IS NULL AND (t.help_wanted_at IS NOT NULL \
           OR (t.first_on <= $2 AND ((t.weekly = 0 AND t.first_on >= $1) \
             OR (t.weekly <> 0 AND (t.until_on IS NULL OR t.until_on >= $1))))) \
         ORDER BY t.id"
    )))
    .bind(today.iso())
    .bind(horizon.iso())
    .fetch_all(&mut *conn)
    .await?;
    let mut marked = 0;
    for task in rows.into_iter().filter_map(task_of) {
        if evaluate(conn, &task, today, now).await? {
            marked += 1;
        }
    }
    Ok(marked)
}

/// Tasks marked for volunteers (not cancelled), longest waiting first:
/// (network id, task id, help_wanted_at).
pub async fn help_wanted_tasks(conn: &mut Conn, limit: i64) -> Result<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT network_id, id, help_wanted_at FROM network_tasks \
         WHERE help_wanted_at IS NOT NULL AND cancelled_at IS NULL \
         ORDER BY help_wanted_at, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
