//! The soft score of an admissible pair, with its plain explanation.

use super::constraints::{admissible, first_overlap};
use super::types::{Reason, Request, Volunteer, Weights};

/// The score of a pair and the reasons behind it. For an admissible pair (see
/// [`super::check`]) the score is an integer of at least 1:
///
/// ```text
/// 1                                             (so that every admissible pair is worth taking)
/// + distance   × (L − d) / L                    d, L: distance and the request's limit, in metres
/// + continuity                                  when the volunteer helped this caregiver before
/// + skills     × number of skills the request asks for
/// + language                                    when the request asks for a language
/// + load       × (capacity − active) / capacity
/// + urgency    × 0, 1 or 2                      normaal, binnenkort, dringend
/// ```
///
/// Integer division throughout (floors). Skills and language count only when the request asks
/// for them: extras of the volunteer earn nothing, so they do not pull scarce volunteers away
/// from the requests that need them. Urgency does not change the ranking for one request; it
/// makes the batch proposal serve urgent requests first when volunteers are scarce.
///
/// A pair that is not admissible scores 0 and has no reasons.
pub fn score(req: &Request, vol: &Volunteer, w: &Weights) -> (i64, Vec<Reason>) {
    match admissible(req, vol) {
        Ok(km) => {
            let mut reasons = Vec::new();
            let points = points(req, vol, w, km, Some(&mut reasons));
            (points, reasons)
        }
        Err(_) => (0, Vec::new()),
    }
}

/// Metres, rounded; far beyond any real distance it saturates.
pub(crate) fn meters(km: f64) -> u32 {
    (km * 1000.0).round().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// The score of an admissible pair at `km`; the reasons only when asked for (ranking computes
/// them for the top candidates only).
pub(crate) fn points(
    req: &Request,
    vol: &Volunteer,
    w: &Weights,
    km: f64,
    mut reasons: Option<&mut Vec<Reason>>,
) -> i64 {
    let explain = reasons.is_some();
    let mut push = |r: Reason| {
        if let Some(list) = reasons.as_deref_mut() {
            list.push(r);
        }
    };
    let d = i64::from(meters(km));
    let limit = i64::from(meters(req.max_distance_km));
    let mut total = 1i64;
    total += if limit > 0 {
        i64::from(w.distance) * (limit - d).max(0) / limit
    } else {
        i64::from(w.distance)
    };
    push(Reason::Distance { meters: d as u32 });
    // Explanation only: it does not change the score.
    if explain && let Some((day, part)) = first_overlap(req, vol) {
        push(Reason::Available { day, part });
    }
    if vol.helped_caregivers.contains(&req.caregiver) {
        total += i64::from(w.continuity);
        push(Reason::HelpedBefore);
    }
    for skill in req.needs_skills.iter() {
        total += i64::from(w.skills);
        push(Reason::Skill(skill));
    }
    if let Some(language) = req.language {
        total += i64::from(w.language);
        push(Reason::SpeaksLanguage(language));
    }
    if req.needs_car {
        push(Reason::HasCar);
    }
    if req.needs_vog {
        push(Reason::VogValid);
    }
    if vol.capacity > 0 {
        let free = i64::from(vol.remaining());
        total += i64::from(w.load) * free / i64::from(vol.capacity);
        if u32::from(vol.active_matches) * 2 < u32::from(vol.capacity) {
            push(Reason::LowLoad {
                active: vol.active_matches,
                capacity: vol.capacity,
            });
        }
    }
    total += i64::from(w.urgency) * i64::from(req.urgency.level());
    total
}
