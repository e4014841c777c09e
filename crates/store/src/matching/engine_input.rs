//! A region's matching input for the engine, in four set-based queries (no query per row: the
//! batch loads tens of thousands of requests and hundreds of thousands of volunteers): the open
//! requests with their PC4 centroid, the active volunteers with theirs, the proposals of those
//! volunteers (active matches, declines, continuity) and their blocks. The engine's dense
//! numbers map back to the stored ids through the lists here.

use super::Result;
use crate::Conn;
use mantelkring_core::geo::Coordinates;
use mantelkring_core::matching::workflow::{
    ProposalFact, ProposalStatus, StoredProfile, StoredRequest, engine_request, engine_volunteer,
    fold_history,
};
use mantelkring_core::matching::{Request, Volunteer};
use std::collections::HashMap;

/// The engine's input for one region.
#[derive(Debug, Clone, Default)]
pub struct EngineInput {
    /// Open requests; `requests[i].id == i`.
    pub requests: Vec<Request>,
    /// Active volunteers; `volunteers[i].id == i`.
    pub volunteers: Vec<Volunteer>,
    /// The stored id of request `i`.
    pub request_ids: Vec<String>,
    /// The user id of volunteer `i`.
    pub volunteer_ids: Vec<String>,
    /// The kring (network id) of caregiver number `c`.
    pub network_ids: Vec<String>,
    /// Rows left out, with why: a PC4 without centroid, or a stored value that does not read.
    pub skipped: Vec<(String, String)>,
}

#[derive(Default)]
struct Numbers {
    of: HashMap<String, u64>,
    ids: Vec<String>,
}

impl Numbers {
    fn number(&mut self, id: &str) -> u64 {
        if let Some(&n) = self.of.get(id) {
            return n;
        }
        let n = self.ids.len() as u64;
        self.of.insert(id.to_string(), n);
        self.ids.push(id.to_string());
        n
    }
}

type RequestRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    f64,
    i64,
    i64,
    String,
    Option<String>,
    String,
    Option<f64>,
    Option<f64>,
);

type ProfileRow = (
    String,
    String,
    String,
    String,
    f64,
    String,
    i64,
    i64,
    Option<String>,
    Option<f64>,
    Option<f64>,
);

fn located(lat: Option<f64>, lon: Option<f64>) -> Option<Coordinates> {
    Coordinates::new(lat?, lon?).ok()
}

/// Loads the open requests and active volunteers of `region_id`, with a VOG counting
/// `vog_years` from its date (the region's setting; `workflow::DEFAULT_VOG_VALID_YEARS`).
pub async fn load(conn: &mut Conn, region_id: &str, vog_years: u32) -> Result<EngineInput> {
    let request_rows: Vec<RequestRow> = sqlx::query_as(
        "SELECT r.id, r.network_id, r.help_type, r.recurrence, r.first_on, r.windows, \
             r.duration_minutes, r.max_distance_km, r.needs_car, r.needs_vog, r.needs_skills, \
             r.language, r.urgency, a.latitude, a.longitude \
         FROM help_requests r LEFT JOIN postcode_areas a ON a.pc4 = r.pc4 \
         WHERE r.region_id = $1 AND r.status = 'open' ORDER BY r.created_at, r.id",
    )
    .bind(region_id)
    .fetch_all(&mut *conn)
    .await?;
    let profile_rows: Vec<ProfileRow> = sqlx::query_as(
        "SELECT v.user_id, v.offers, v.skills, v.languages, v.max_distance_km, v.availability, \
             v.capacity, v.has_car, v.vog_issued_on, a.latitude, a.longitude \
         FROM volunteer_profiles v LEFT JOIN postcode_areas a ON a.pc4 = v.pc4 \
         WHERE v.region_id = $1 AND v.status = 'active' ORDER BY v.user_id",
    )
    .bind(region_id)
    .fetch_all(&mut *conn)
    .await?;
    // Every proposal of the region's active volunteers (any request, any region): their load,
    // whom they helped, and what they declined.
    let proposal_rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.request_id, p.volunteer_user_id, r.network_id, p.status \
         FROM match_proposals p JOIN help_requests r ON r.id = p.request_id \
         JOIN volunteer_profiles v ON v.user_id = p.volunteer_user_id \
         WHERE v.region_id = $1 AND v.status = 'active'",
    )
    .bind(region_id)
    .fetch_all(&mut *conn)
    .await?;
    let block_rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT b.volunteer_user_id, b.network_id FROM volunteer_blocks b \
         JOIN volunteer_profiles v ON v.user_id = b.volunteer_user_id \
         WHERE v.region_id = $1 AND v.status = 'active'",
    )
    .bind(region_id)
    .fetch_all(&mut *conn)
    .await?;

    let mut input = EngineInput::default();
    let mut networks = Numbers::default();
    let mut request_number: HashMap<String, u64> = HashMap::new();
    for row in request_rows {
        let (
            id,
            network_id,
            help_type,
            recurrence,
            first_on,
            windows,
            duration_minutes,
            max_distance_km,
            needs_car,
            needs_vog,
            needs_skills,
            language,
            urgency,
            lat,
            lon,
        ) = row;
        let Some(location) = located(lat, lon) else {
            input.skipped.push((id, "postcode zonder ligging".into()));
            continue;
        };
        let stored = StoredRequest {
            help_type: &help_type,
            recurrence: &recurrence,
            first_on: &first_on,
            windows: &windows,
            duration_minutes,
            max_distance_km,
            needs_car: needs_car != 0,
            needs_vog: needs_vog != 0,
            needs_skills: &needs_skills,
            language: language.as_deref(),
            urgency: &urgency,
        };
        let number = input.requests.len() as u64;
        match engine_request(number, networks.number(&network_id), location, &stored) {
            Ok(request) => {
                request_number.insert(id.clone(), number);
                input.requests.push(request);
                input.request_ids.push(id);
            }
            Err(bad) => input.skipped.push((id, bad.to_string())),
        }
    }
    let mut volunteer_number: HashMap<String, u64> = HashMap::new();
    for row in profile_rows {
        let (
            user_id,
            offers,
            skills,
            languages,
            max_distance_km,
            availability,
            capacity,
            has_car,
            vog_issued_on,
            lat,
            lon,
        ) = row;
        let Some(location) = located(lat, lon) else {
            input
                .skipped
                .push((user_id, "postcode zonder ligging".into()));
            continue;
        };
        let stored = StoredProfile {
            offers: &offers,
            skills: &skills,
            languages: &languages,
            max_distance_km,
            availability: &availability,
            capacity,
            has_car: has_car != 0,
            vog_issued_on: vog_issued_on.as_deref(),
        };
        let number = input.volunteers.len() as u64;
        match engine_volunteer(number, location, &stored, vog_years) {
            Ok(volunteer) => {
                volunteer_number.insert(user_id.clone(), number);
                input.volunteers.push(volunteer);
                input.volunteer_ids.push(user_id);
            }
            Err(bad) => input.skipped.push((user_id, bad.to_string())),
        }
    }
    // Requests outside the input get numbers past the input's, so their facts still count for
    // the volunteers (load, continuity) and never touch an input request.
    let mut other_requests = Numbers::default();
    let first_other = input.requests.len() as u64;
    let facts: Vec<ProposalFact> = proposal_rows
        .iter()
        .filter_map(|(request_id, volunteer, network_id, status)| {
            Some(ProposalFact {
                request: match request_number.get(request_id) {
                    Some(&n) => n,
                    None => first_other + other_requests.number(request_id),
                },
                volunteer: *volunteer_number.get(volunteer)?,
                caregiver: networks.number(network_id),
                status: ProposalStatus::from_code(status)?,
            })
        })
        .collect();
    let blocks: Vec<(u64, u64)> = block_rows
        .iter()
        .filter_map(|(volunteer, network_id)| {
            Some((
                *volunteer_number.get(volunteer)?,
                networks.number(network_id),
            ))
        })
        .collect();
    fold_history(&mut input.requests, &mut input.volunteers, &facts, &blocks);
    input.network_ids = networks.ids;
    Ok(input)
}
