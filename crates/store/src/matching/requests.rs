//! Help requests: created by the caregiver, a member or a professional on their behalf,
//! escalated from an unfilled kring task (one request per task, linked both ways) or made from a
//! help-request marker (which is then handled). Only the PC4 is stored with the request.

use super::{Actor, MatchingError, Result, invalid, move_request, record_event};
use crate::{Conn, new_id};
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::{
    BadRecord, Recurrence, RequestStatus, skills_from, slots_from_json, slots_to_json,
};
use mantelkring_core::matching::{HelpType, Language, Skills, Urgency, WeekSlot};
use mantelkring_core::network::agenda::{Day, Schedule};
use mantelkring_core::time::Millis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// The longest description.
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
/// Distance limits a request may set, in km.
pub const DISTANCE_KM: (f64, f64) = (0.5, 50.0);

/// A request as entered, in domain types; [`RequestDraft::check`] refuses what does not make
/// sense, with a Dutch message.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDraft {
    pub help_type: HelpType,
    pub description: String,
    pub recurrence: Recurrence,
    pub first_on: Day,
    pub windows: Vec<WeekSlot>,
    pub duration_minutes: u16,
    pub pc4: Pc4,
    pub max_distance_km: f64,
    pub needs_car: bool,
    pub needs_vog: bool,
    pub needs_skills: Skills,
    pub language: Option<Language>,
    pub urgency: Urgency,
}

impl RequestDraft {
    pub fn check(&self) -> Result<()> {
        if self.description.chars().count() > DESCRIPTION_MAX_CHARS {
            return invalid("De omschrijving is te lang (hoogstens 2000 tekens).");
        }
        if self.windows.is_empty() || self.windows.iter().any(|w| !w.is_valid()) {
            return invalid("Geef minstens één tijd waarop de hulp kan (dag, van en tot).");
        }
        if self.recurrence == Recurrence::Once
            && self
                .windows
                .iter()
                .any(|w| w.day != self.first_on.weekday())
        {
            return invalid("Een eenmalige hulpvraag heeft alleen tijden op de dag zelf.");
        }
        if self.duration_minutes == 0 || self.duration_minutes > 720 {
            return invalid("De duur is tussen 1 minuut en 12 uur.");
        }
        if !self
            .windows
            .iter()
            .any(|w| w.end_minute - w.start_minute >= self.duration_minutes)
        {
            return invalid("De hulp duurt langer dan elk van de opgegeven tijden.");
        }
        if !(self.max_distance_km >= DISTANCE_KM.0 && self.max_distance_km <= DISTANCE_KM.1) {
            return invalid("De afstand is tussen 0,5 en 50 km.");
        }
        Ok(())
    }
}

/// A stored request.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpRequest {
    pub id: String,
    pub network_id: String,
    pub region_id: Option<String>,
    pub draft: RequestDraft,
    pub status: RequestStatus,
    pub created_by_user_id: String,
    pub on_behalf: bool,
    pub task_id: Option<String>,
    pub marker_id: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

pub(crate) const SELECT: &str = "SELECT r.id, r.network_id, r.region_id, r.help_type, \
     r.description, r.recurrence, r.first_on, r.windows, r.duration_minutes, r.pc4, \
     r.max_distance_km, r.needs_car, r.needs_vog, r.needs_skills, r.language, r.urgency, \
     r.status, r.created_by_user_id, r.on_behalf, r.task_id, r.marker_id, r.created_at, \
     r.updated_at FROM help_requests r";

pub(crate) fn from_row(row: AnyRow) -> Result<HelpRequest> {
    let id: String = row.try_get(0)?;
    let network_id: String = row.try_get(1)?;
    let region_id: Option<String> = row.try_get(2)?;
    let help_type: String = row.try_get(3)?;
    let description: String = row.try_get(4)?;
    let recurrence: String = row.try_get(5)?;
    let first_on: String = row.try_get(6)?;
    let windows: String = row.try_get(7)?;
    let duration_minutes: i64 = row.try_get(8)?;
    let pc4: String = row.try_get(9)?;
    let max_distance_km: f64 = row.try_get(10)?;
    let needs_car: i64 = row.try_get(11)?;
    let needs_vog: i64 = row.try_get(12)?;
    let needs_skills: String = row.try_get(13)?;
    let language: Option<String> = row.try_get(14)?;
    let urgency: String = row.try_get(15)?;
    let status: String = row.try_get(16)?;
    let created_by_user_id: String = row.try_get(17)?;
    let on_behalf: i64 = row.try_get(18)?;
    let task_id: Option<String> = row.try_get(19)?;
    let marker_id: Option<String> = row.try_get(20)?;
    let created_at: i64 = row.try_get(21)?;
    let updated_at: i64 = row.try_get(22)?;
    let bad = |field: &'static str, value: &str| {
        MatchingError::Bad(BadRecord {
            field,
            value: value.to_string(),
        })
    };
    let language = match language.as_deref() {
        None | Some("") => None,
        Some(code) => Some(Language::from_code(code).ok_or_else(|| bad("language", code))?),
    };
    Ok(HelpRequest {
        id,
        network_id,
        region_id,
        draft: RequestDraft {
            help_type: HelpType::from_code(&help_type)
                .ok_or_else(|| bad("help_type", &help_type))?,
            description,
            recurrence: Recurrence::from_code(&recurrence)
                .ok_or_else(|| bad("recurrence", &recurrence))?,
            first_on: Day::parse(&first_on).ok_or_else(|| bad("first_on", &first_on))?,
            windows: slots_from_json(&windows)?,
            duration_minutes: u16::try_from(duration_minutes)
                .map_err(|_| bad("duration_minutes", &duration_minutes.to_string()))?,
            pc4: Pc4::parse(&pc4).map_err(|_| bad("pc4", &pc4))?,
            max_distance_km,
            needs_car: needs_car != 0,
            needs_vog: needs_vog != 0,
            needs_skills: skills_from(&needs_skills)?,
            language,
            urgency: Urgency::from_code(&urgency).ok_or_else(|| bad("urgency", &urgency))?,
        },
        status: RequestStatus::from_code(&status).ok_or_else(|| bad("status", &status))?,
        created_by_user_id,
        on_behalf: on_behalf != 0,
        task_id,
        marker_id,
        created_at,
        updated_at,
    })
}

/// Where the request came from, besides being entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Origin<'a> {
    pub task_id: Option<&'a str>,
    pub marker_id: Option<&'a str>,
}

/// Creates an open request for the kring `network_id`. The region is `region_id`, or else the
/// region of the caregiver's municipality. Returns its id.
pub async fn create(
    conn: &mut Conn,
    network_id: &str,
    region_id: Option<&str>,
    draft: &RequestDraft,
    by: Actor<'_>,
    now: Millis,
) -> Result<String> {
    create_from(
        conn,
        network_id,
        region_id,
        draft,
        by,
        Origin::default(),
        now,
    )
    .await
}

async fn create_from(
    conn: &mut Conn,
    network_id: &str,
    region_id: Option<&str>,
    draft: &RequestDraft,
    by: Actor<'_>,
    origin: Origin<'_>,
    now: Millis,
) -> Result<String> {
    draft.check()?;
    let Some(user_id) = by.user_id else {
        return invalid("Een hulpvraag wordt door iemand gemaakt.");
    };
    let id = new_id();
    let done = sqlx::query(
        "INSERT INTO help_requests (id, network_id, region_id, help_type, description, recurrence, \
             first_on, windows, duration_minutes, pc4, max_distance_km, needs_car, needs_vog, \
             needs_skills, language, urgency, status, created_by_user_id, on_behalf, task_id, \
             marker_id, created_at, updated_at) \
         SELECT $1, n.id, COALESCE($3, (SELECT m.region_id FROM people p \
                 JOIN municipalities m ON m.id = p.municipality_id \
                 WHERE p.id = n.caregiver_person_id)), \
             $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'open', $17, $18, $19, \
             $20, $21, $21 \
         FROM networks n WHERE n.id = $2",
    )
    .bind(&id)
    .bind(network_id)
    .bind(region_id)
    .bind(draft.help_type.code())
    .bind(draft.description.trim())
    .bind(draft.recurrence.code())
    .bind(draft.first_on.iso())
    .bind(slots_to_json(&draft.windows))
    .bind(i64::from(draft.duration_minutes))
    .bind(draft.pc4.to_string())
    .bind(draft.max_distance_km)
    .bind(i64::from(draft.needs_car))
    .bind(i64::from(draft.needs_vog))
    .bind(draft.needs_skills.codes().join(","))
    .bind(draft.language.map(Language::code))
    .bind(draft.urgency.code())
    .bind(user_id)
    .bind(i64::from(by.on_behalf))
    .bind(origin.task_id)
    .bind(origin.marker_id)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|e| match crate::conflict_as("hulpvraag")(e) {
        crate::StoreError::Conflict(_) => {
            MatchingError::Conflict("voor deze taak is al een hulpvraag")
        }
        other => MatchingError::Store(other),
    })?;
    if done.rows_affected() != 1 {
        return Err(MatchingError::NotFound("kring"));
    }
    record_event(conn, &id, RequestStatus::Open, None, by, "", now).await?;
    Ok(id)
}

/// The status of a request.
pub async fn status(conn: &mut Conn, request_id: &str) -> Result<Option<RequestStatus>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT status FROM help_requests WHERE id = $1")
        .bind(request_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.and_then(|(s,)| RequestStatus::from_code(&s)))
}

/// One request.
pub async fn get(conn: &mut Conn, request_id: &str) -> Result<Option<HelpRequest>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1")))
        .bind(request_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(from_row).transpose()
}

/// A kring's requests, newest first.
pub async fn of_network(conn: &mut Conn, network_id: &str) -> Result<Vec<HelpRequest>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.network_id = $1 ORDER BY r.created_at DESC, r.id DESC"
    )))
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// A region's open requests, oldest first (most urgent first within the list is the page's
/// choice), at most `limit`.
pub async fn open_in_region(
    conn: &mut Conn,
    region_id: &str,
    limit: i64,
) -> Result<Vec<HelpRequest>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.region_id = $1 AND r.status = 'open' ORDER BY r.created_at, r.id LIMIT $2"
    )))
    .bind(region_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// Changes an open request (not once a volunteer has been asked).
pub async fn update(
    conn: &mut Conn,
    request_id: &str,
    draft: &RequestDraft,
    now: Millis,
) -> Result<()> {
    draft.check()?;
    let done = sqlx::query(
        "UPDATE help_requests SET help_type = $2, description = $3, recurrence = $4, first_on = $5, \
             windows = $6, duration_minutes = $7, pc4 = $8, max_distance_km = $9, needs_car = $10, \
             needs_vog = $11, needs_skills = $12, language = $13, urgency = $14, updated_at = $15 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(request_id)
    .bind(draft.help_type.code())
    .bind(draft.description.trim())
    .bind(draft.recurrence.code())
    .bind(draft.first_on.iso())
    .bind(slots_to_json(&draft.windows))
    .bind(i64::from(draft.duration_minutes))
    .bind(draft.pc4.to_string())
    .bind(draft.max_distance_km)
    .bind(i64::from(draft.needs_car))
    .bind(i64::from(draft.needs_vog))
    .bind(draft.needs_skills.codes().join(","))
    .bind(draft.language.map(Language::code))
    .bind(draft.urgency.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    match status(conn, request_id).await? {
        None => Err(MatchingError::NotFound("hulpvraag")),
        Some(_) => invalid("Een hulpvraag kan alleen worden gewijzigd zolang ze open staat."),
    }
}

/// Cancels a request (until it is done); a waiting or accepted proposal is withdrawn with it.
pub async fn cancel(
    conn: &mut Conn,
    request_id: &str,
    by: Actor<'_>,
    note: &str,
    now: Millis,
) -> Result<()> {
    let active: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM match_proposals WHERE request_id = $1 AND status IN ('proposed', 'accepted')",
    )
    .bind(request_id)
    .fetch_optional(&mut *conn)
    .await?;
    move_request(
        conn,
        request_id,
        RequestStatus::Cancelled,
        active.as_ref().map(|(id,)| id.as_str()),
        by,
        note,
        now,
    )
    .await?;
    if let Some((proposal_id,)) = active {
        sqlx::query(
            "UPDATE match_proposals SET status = 'withdrawn', responded_at = COALESCE(responded_at, $2) \
             WHERE id = $1",
        )
        .bind(&proposal_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What an escalated task's request gets that the task does not say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Escalation {
    pub help_type: HelpType,
    /// The caregiver's PC4 (the web takes it from the kring's contact data).
    pub pc4: Pc4,
    pub max_distance_km: f64,
    pub urgency: Urgency,
}

/// Escalates an unfilled kring task to the volunteers in one call: a request with the task's
/// title and details, its schedule and times (a task without times: 09:00–17:00), linked both
/// ways (`help_requests.task_id`, `network_tasks.help_request_id`). A second call returns the
/// request made the first time. Returns (request id, made now).
pub async fn escalate_task(
    conn: &mut Conn,
    network_id: &str,
    task_id: &str,
    with: &Escalation,
    by: Actor<'_>,
    now: Millis,
) -> Result<(String, bool)> {
    if let Some(id) = of_task(conn, task_id).await? {
        return Ok((id, false));
    }
    let task = crate::network::agenda::task(conn, network_id, task_id)
        .await?
        .ok_or(MatchingError::NotFound("taak"))?;
    let (recurrence, first_on) = match task.schedule {
        Schedule::Once { on } => (Recurrence::Once, on),
        Schedule::Weekly { from, .. } => (Recurrence::Weekly, from),
    };
    let start = task.start.map_or(9 * 60, |t| t.0);
    let end = task.end.map_or(17 * 60, |t| t.0).max(start + 1).min(1440);
    let window = WeekSlot::new(first_on.weekday(), start, end)
        .ok_or_else(|| MatchingError::Invalid("De tijden van de taak kloppen niet.".into()))?;
    let description = if task.details.trim().is_empty() {
        task.title.clone()
    } else {
        format!("{}\n\n{}", task.title, task.details)
    };
    let draft = RequestDraft {
        help_type: with.help_type,
        description: description.chars().take(DESCRIPTION_MAX_CHARS).collect(),
        recurrence,
        first_on,
        windows: vec![window],
        duration_minutes: (end - start).min(720),
        pc4: with.pc4,
        max_distance_km: with.max_distance_km,
        needs_car: false,
        needs_vog: false,
        needs_skills: Skills::EMPTY,
        language: None,
        urgency: with.urgency,
    };
    let origin = Origin {
        task_id: Some(task_id),
        marker_id: None,
    };
    let id = create_from(conn, network_id, None, &draft, by, origin, now).await?;
    sqlx::query("UPDATE network_tasks SET help_request_id = $2 WHERE id = $1")
        .bind(task_id)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    Ok((id, true))
}

/// The request a task was escalated to, if any.
pub async fn of_task(conn: &mut Conn, task_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM help_requests WHERE task_id = $1")
        .bind(task_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Turns an open help-request marker of the kring into a request and marks it handled (a
/// marker is handled once). Returns the request's id.
pub async fn from_marker(
    conn: &mut Conn,
    network_id: &str,
    marker_id: &str,
    draft: &RequestDraft,
    by: Actor<'_>,
    now: Millis,
) -> Result<String> {
    draft.check()?;
    let handled = sqlx::query(
        "UPDATE help_request_markers SET handled_at = $3 \
         WHERE id = $1 AND network_id = $2 AND handled_at IS NULL",
    )
    .bind(marker_id)
    .bind(network_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if handled.rows_affected() != 1 {
        return Err(MatchingError::Conflict(
            "deze melding is al afgehandeld of hoort niet bij deze kring",
        ));
    }
    let origin = Origin {
        task_id: None,
        marker_id: Some(marker_id),
    };
    create_from(conn, network_id, None, draft, by, origin, now).await
}
