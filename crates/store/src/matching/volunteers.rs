//! Volunteer profiles: registered (status intake), activated by a coordinator's intake, paused,
//! resumed and ended; and blocks (a volunteer never proposed to a kring again).

use super::{MatchingError, Result, invalid};
use crate::{Conn, new_id};
use mantelkring_core::base::CbsCode;
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::{
    BadRecord, help_types_from, languages_from, skills_from, slots_from_json, slots_to_json,
};
use mantelkring_core::matching::{HelpTypes, Languages, Skills, WeekSlot};
use mantelkring_core::network::agenda::Day;
use mantelkring_core::time::Millis;
use sqlx::Row as _;

/// The most matches a volunteer can take at once.
pub const CAPACITY_MAX: u16 = 10;

/// A profile as entered, in domain types; [`ProfileDraft::check`] refuses what does not make
/// sense, with a Dutch message.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileDraft {
    pub offers: HelpTypes,
    pub skills: Skills,
    pub languages: Languages,
    pub pc4: Pc4,
    pub max_distance_km: f64,
    pub municipalities: Vec<CbsCode>,
    pub availability: Vec<WeekSlot>,
    pub capacity: u16,
    pub has_car: bool,
    pub vog_issued_on: Option<Day>,
    pub preferences: String,
}

impl ProfileDraft {
    pub fn check(&self) -> Result<()> {
        if self.offers.is_empty() {
            return invalid("Kies minstens één soort hulp die u wilt bieden.");
        }
        if self.availability.is_empty() || self.availability.iter().any(|s| !s.is_valid()) {
            return invalid("Geef minstens één moment in de week waarop u kunt helpen.");
        }
        if self.capacity == 0 || self.capacity > CAPACITY_MAX {
            return invalid("Het aantal hulpvragen tegelijk is 1 tot en met 10.");
        }
        if !(self.max_distance_km >= 0.5 && self.max_distance_km <= 50.0) {
            return invalid("De afstand is tussen 0,5 en 50 km.");
        }
        if self.preferences.chars().count() > 2000 {
            return invalid("De voorkeuren zijn te lang (hoogstens 2000 tekens).");
        }
        Ok(())
    }
}

/// Where a profile stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileStatus {
    /// Registered, waiting for the coordinator's intake: never proposed.
    Intake,
    Active,
    Paused,
    Ended,
}

impl ProfileStatus {
    pub fn code(self) -> &'static str {
        match self {
            ProfileStatus::Intake => "intake",
            ProfileStatus::Active => "active",
            ProfileStatus::Paused => "paused",
            ProfileStatus::Ended => "ended",
        }
    }

    pub fn from_code(code: &str) -> Option<ProfileStatus> {
        [
            ProfileStatus::Intake,
            ProfileStatus::Active,
            ProfileStatus::Paused,
            ProfileStatus::Ended,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A stored profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub user_id: String,
    pub region_id: Option<String>,
    pub draft: ProfileDraft,
    pub status: ProfileStatus,
    pub intake_by_user_id: Option<String>,
    pub intake_at: Option<Millis>,
    pub intake_note: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

fn codes_of(list: &[&str]) -> String {
    list.join(",")
}

/// Registers the user as a volunteer in `region_id` (status intake). A second profile for the
/// same user is refused.
pub async fn register(
    conn: &mut Conn,
    user_id: &str,
    region_id: Option<&str>,
    draft: &ProfileDraft,
    now: Millis,
) -> Result<()> {
    draft.check()?;
    let exists: Option<(String,)> =
        sqlx::query_as("SELECT user_id FROM volunteer_profiles WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_some() {
        return Err(MatchingError::Conflict("er is al een vrijwilligersprofiel"));
    }
    sqlx::query(
        "INSERT INTO volunteer_profiles (user_id, region_id, offers, skills, languages, pc4, \
             max_distance_km, municipalities, availability, capacity, has_car, vog_issued_on, \
             preferences, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'intake', $14, $14)",
    )
    .bind(user_id)
    .bind(region_id)
    .bind(codes_of(&draft.offers.codes()))
    .bind(codes_of(&draft.skills.codes()))
    .bind(codes_of(&draft.languages.codes()))
    .bind(draft.pc4.to_string())
    .bind(draft.max_distance_km)
    .bind(municipalities(draft))
    .bind(slots_to_json(&draft.availability))
    .bind(i64::from(draft.capacity))
    .bind(i64::from(draft.has_car))
    .bind(draft.vog_issued_on.map(Day::iso))
    .bind(draft.preferences.trim())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn municipalities(draft: &ProfileDraft) -> String {
    draft
        .municipalities
        .iter()
        .map(CbsCode::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// Changes the volunteer's own profile (its status stays).
pub async fn update(
    conn: &mut Conn,
    user_id: &str,
    draft: &ProfileDraft,
    now: Millis,
) -> Result<()> {
    draft.check()?;
    let done = sqlx::query(
        "UPDATE volunteer_profiles SET offers = $2, skills = $3, languages = $4, pc4 = $5, \
             max_distance_km = $6, municipalities = $7, availability = $8, capacity = $9, \
             has_car = $10, vog_issued_on = $11, preferences = $12, updated_at = $13 \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(codes_of(&draft.offers.codes()))
    .bind(codes_of(&draft.skills.codes()))
    .bind(codes_of(&draft.languages.codes()))
    .bind(draft.pc4.to_string())
    .bind(draft.max_distance_km)
    .bind(municipalities(draft))
    .bind(slots_to_json(&draft.availability))
    .bind(i64::from(draft.capacity))
    .bind(i64::from(draft.has_car))
    .bind(draft.vog_issued_on.map(Day::iso))
    .bind(draft.preferences.trim())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(MatchingError::NotFound("vrijwilligersprofiel"))
    }
}

async fn set_status(
    conn: &mut Conn,
    user_id: &str,
    from: &[ProfileStatus],
    to: ProfileStatus,
    now: Millis,
) -> Result<()> {
    let current = get(conn, user_id)
        .await?
        .ok_or(MatchingError::NotFound("vrijwilligersprofiel"))?
        .status;
    if !from.contains(&current) {
        return invalid(match to {
            ProfileStatus::Active => "Dit profiel kan nu niet actief worden.",
            ProfileStatus::Paused => "Alleen een actief profiel kan worden gepauzeerd.",
            _ => "Dit profiel is al beëindigd.",
        });
    }
    sqlx::query("UPDATE volunteer_profiles SET status = $2, updated_at = $3 WHERE user_id = $1")
        .bind(user_id)
        .bind(to.code())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The coordinator's intake: the profile becomes active (from intake), with who did it, when
/// and a note.
pub async fn intake(
    conn: &mut Conn,
    user_id: &str,
    coordinator_user_id: &str,
    note: &str,
    now: Millis,
) -> Result<()> {
    set_status(
        conn,
        user_id,
        &[ProfileStatus::Intake],
        ProfileStatus::Active,
        now,
    )
    .await?;
    sqlx::query(
        "UPDATE volunteer_profiles SET intake_by_user_id = $2, intake_at = $3, intake_note = $4 \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(coordinator_user_id)
    .bind(now)
    .bind(note.trim())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Pauses an active profile: no new proposals (current matches go on).
pub async fn pause(conn: &mut Conn, user_id: &str, now: Millis) -> Result<()> {
    set_status(
        conn,
        user_id,
        &[ProfileStatus::Active],
        ProfileStatus::Paused,
        now,
    )
    .await
}

/// Resumes a paused profile.
pub async fn resume(conn: &mut Conn, user_id: &str, now: Millis) -> Result<()> {
    set_status(
        conn,
        user_id,
        &[ProfileStatus::Paused],
        ProfileStatus::Active,
        now,
    )
    .await
}

/// Ends a profile (the volunteer stops).
pub async fn end(conn: &mut Conn, user_id: &str, now: Millis) -> Result<()> {
    set_status(
        conn,
        user_id,
        &[
            ProfileStatus::Intake,
            ProfileStatus::Active,
            ProfileStatus::Paused,
        ],
        ProfileStatus::Ended,
        now,
    )
    .await
}

/// One profile.
pub async fn get(conn: &mut Conn, user_id: &str) -> Result<Option<Profile>> {
    let row = sqlx::query(
        "SELECT user_id, region_id, offers, skills, languages, pc4, max_distance_km, \
             municipalities, availability, capacity, has_car, vog_issued_on, preferences, status, \
             intake_by_user_id, intake_at, intake_note, created_at, updated_at \
         FROM volunteer_profiles WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let user_id: String = row.try_get(0)?;
    let region_id: Option<String> = row.try_get(1)?;
    let offers: String = row.try_get(2)?;
    let skills: String = row.try_get(3)?;
    let languages: String = row.try_get(4)?;
    let pc4: String = row.try_get(5)?;
    let max_distance_km: f64 = row.try_get(6)?;
    let municipalities: String = row.try_get(7)?;
    let availability: String = row.try_get(8)?;
    let capacity: i64 = row.try_get(9)?;
    let has_car: i64 = row.try_get(10)?;
    let vog_issued_on: Option<String> = row.try_get(11)?;
    let preferences: String = row.try_get(12)?;
    let status: String = row.try_get(13)?;
    let intake_by_user_id: Option<String> = row.try_get(14)?;
    let intake_at: Option<i64> = row.try_get(15)?;
    let intake_note: String = row.try_get(16)?;
    let created_at: i64 = row.try_get(17)?;
    let updated_at: i64 = row.try_get(18)?;
    let bad = |field: &'static str, value: &str| {
        MatchingError::Bad(BadRecord {
            field,
            value: value.to_string(),
        })
    };
    Ok(Some(Profile {
        user_id,
        region_id,
        draft: ProfileDraft {
            offers: help_types_from(&offers)?,
            skills: skills_from(&skills)?,
            languages: languages_from(&languages)?,
            pc4: Pc4::parse(&pc4).map_err(|_| bad("pc4", &pc4))?,
            max_distance_km,
            municipalities: municipalities
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| CbsCode::parse(c).map_err(|_| bad("municipalities", c)))
                .collect::<Result<_>>()?,
            availability: slots_from_json(&availability)?,
            capacity: u16::try_from(capacity)
                .map_err(|_| bad("capacity", &capacity.to_string()))?,
            has_car: has_car != 0,
            vog_issued_on: match vog_issued_on {
                None => None,
                Some(d) => Some(Day::parse(&d).ok_or_else(|| bad("vog_issued_on", &d))?),
            },
            preferences,
        },
        status: ProfileStatus::from_code(&status).ok_or_else(|| bad("status", &status))?,
        intake_by_user_id,
        intake_at,
        intake_note,
        created_at,
        updated_at,
    }))
}

/// The region's profiles waiting for an intake, oldest first: (user id, display name, since).
pub async fn awaiting_intake(
    conn: &mut Conn,
    region_id: &str,
) -> Result<Vec<(String, String, Millis)>> {
    Ok(sqlx::query_as(
        "SELECT v.user_id, u.display_name, v.created_at FROM volunteer_profiles v \
         JOIN users u ON u.id = v.user_id \
         WHERE v.region_id = $1 AND v.status = 'intake' ORDER BY v.created_at, v.user_id",
    )
    .bind(region_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Blocks a volunteer for a kring (either side asked): they are never proposed to it again.
/// Blocking twice keeps the first. Returns whether a block was added.
pub async fn block(
    conn: &mut Conn,
    volunteer_user_id: &str,
    network_id: &str,
    reason: &str,
    by_user_id: &str,
    now: Millis,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO volunteer_blocks (id, volunteer_user_id, network_id, reason, by_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (volunteer_user_id, network_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(volunteer_user_id)
    .bind(network_id)
    .bind(reason.trim())
    .bind(by_user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
