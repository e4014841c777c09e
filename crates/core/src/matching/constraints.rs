//! The hard constraints: a pair that fails one is never ranked or proposed.

use super::types::{DayPart, Refusal, Request, Volunteer, WeekSlot};
use crate::directory::model::Weekday;
use crate::geo::distance_km;

/// All hard constraints, in [`Refusal`]'s order; the first that fails is returned.
pub fn check(req: &Request, vol: &Volunteer) -> Result<(), Refusal> {
    admissible(req, vol).map(|_| ())
}

/// [`check`], returning the distance in km when the pair is admissible (so it is computed once).
pub(crate) fn admissible(req: &Request, vol: &Volunteer) -> Result<f64, Refusal> {
    if !vol.offers.contains(req.help_type) {
        return Err(Refusal::HelpType);
    }
    if !overlaps(req, vol) {
        return Err(Refusal::Availability);
    }
    let km = distance_km(req.location, vol.location);
    // Written so that a NaN limit refuses.
    if !(km <= req.max_distance_km && km <= vol.max_distance_km) {
        return Err(Refusal::Distance);
    }
    if req.needs_vog && vol.vog_valid_until.is_none_or(|until| until < req.on) {
        return Err(Refusal::Vog);
    }
    if vol.remaining() == 0 {
        return Err(Refusal::Capacity);
    }
    if req.declined_by.contains(&vol.id) {
        return Err(Refusal::Declined);
    }
    // Linear scans: these lists are short, and unsorted input must not give wrong answers.
    if vol.blocked_caregivers.contains(&req.caregiver) {
        return Err(Refusal::Blocked);
    }
    if req.needs_car && !vol.has_car {
        return Err(Refusal::Car);
    }
    if !vol.skills.contains_all(req.needs_skills) {
        return Err(Refusal::Skills);
    }
    if let Some(language) = req.language
        && !vol.languages.contains(language)
    {
        return Err(Refusal::Language);
    }
    Ok(km)
}

/// Some window overlaps some slot for the duration needed (at least one minute).
fn overlaps(req: &Request, vol: &Volunteer) -> bool {
    let need = req.duration_minutes.max(1);
    req.windows.iter().any(|w| {
        vol.availability
            .iter()
            .any(|s| WeekSlot::overlap_minutes(*w, *s) >= need)
    })
}

/// The first overlap of a request window with a volunteer slot long enough for the request
/// (at least one minute), counting weekdays from the request's date on (so "kan dinsdagochtend"
/// names the nearest day); within a day the earliest start. Its day and part of the day.
pub(crate) fn first_overlap(req: &Request, vol: &Volunteer) -> Option<(Weekday, DayPart)> {
    let need = req.duration_minutes.max(1);
    let first_day = req.on.weekday().number();
    let mut best: Option<(u8, u16, Weekday)> = None;
    for window in req.windows.iter().filter(|w| w.is_valid()) {
        for slot in vol.availability.iter().filter(|s| s.day == window.day) {
            if WeekSlot::overlap_minutes(*window, *slot) < need {
                continue;
            }
            let start = window.start_minute.max(slot.start_minute);
            let offset = (window.day.number() + 7 - first_day) % 7;
            if best.is_none_or(|(o, s, _)| (offset, start) < (o, s)) {
                best = Some((offset, start, window.day));
            }
        }
    }
    best.map(|(_, start, day)| (day, DayPart::of_minute(start)))
}
