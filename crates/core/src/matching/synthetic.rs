//! Seeded, deterministic volunteers and requests spread like Dutch towns, for tests, the
//! benchmark and demos. Every person is placed at the centroid of a PC4 area drawn uniformly
//! from the given list (so a town with many PC4 areas gets many people), jittered by up to about
//! a kilometre. Availability follows the usual pattern of volunteer work: mostly weekday
//! mornings and afternoons, some evenings and weekends, 1–4 slots a week. The same seed and
//! places give the same instance. No `rand` here: a small SplitMix64 generator is enough.

use super::types::{
    HelpType, HelpTypes, Language, Languages, Request, Skill, Skills, Urgency, Volunteer, WeekSlot,
};
use crate::directory::model::Weekday;
use crate::geo::Coordinates;
use crate::network::agenda::Day;

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift (the bias is negligible here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// An index drawn with the given weights (not all zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub volunteers: usize,
    pub requests: usize,
    pub seed: u64,
    /// "Today": request dates fall in the four weeks from here, VOG validity around it.
    pub today: Day,
    /// Range of the requests' distance limits, km (uniform).
    pub request_km: (f64, f64),
    /// Range of the volunteers' distance limits, km (uniform).
    pub volunteer_km: (f64, f64),
}

impl Default for Config {
    fn default() -> Config {
        Config {
            volunteers: 200_000,
            requests: 20_000,
            seed: 7,
            // Monday 5 January 2026.
            today: Day(20_458),
            request_km: (7.0, 12.0),
            volunteer_km: (5.0, 15.0),
        }
    }
}

/// A generated instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub volunteers: Vec<Volunteer>,
    pub requests: Vec<Request>,
}

/// How often each help type is asked for and offered, in [`HelpType::ALL`] order.
const TYPE_WEIGHTS: [u32; 10] = [20, 14, 20, 8, 6, 8, 5, 8, 8, 3];
/// Monday to Sunday.
const DAY_WEIGHTS: [u32; 7] = [10, 10, 10, 10, 10, 6, 3];
/// Morning, afternoon, evening.
const PART_WEIGHTS: [u32; 3] = [45, 40, 15];
/// Caregivers per PC4 area: a caregiver id is `place * CAREGIVERS_PER_PLACE + k`, so volunteers
/// nearby can have helped (or blocked) the same caregivers.
const CAREGIVERS_PER_PLACE: u64 = 8;

/// Volunteers with ids `1..=config.volunteers` and requests with ids `1..=config.requests`.
///
/// # Panics
/// When `places` is empty.
pub fn instance(places: &[Coordinates], config: &Config) -> Instance {
    assert!(!places.is_empty(), "no places to put people");
    let mut rng = Rng::new(config.seed);
    let mut by_place: Vec<Vec<u64>> = vec![Vec::new(); places.len()];
    let volunteers = (0..config.volunteers)
        .map(|i| {
            let place = rng.below(places.len() as u64) as usize;
            let id = i as u64 + 1;
            by_place[place].push(id);
            volunteer(&mut rng, id, place, places[place], config)
        })
        .collect();
    let requests = (0..config.requests)
        .map(|i| {
            let place = rng.below(places.len() as u64) as usize;
            request(
                &mut rng,
                i as u64 + 1,
                place,
                places[place],
                &by_place[place],
                config,
            )
        })
        .collect();
    Instance {
        volunteers,
        requests,
    }
}

fn jitter(rng: &mut Rng, at: Coordinates) -> Coordinates {
    let lat = (at.latitude() + rng.range(-0.008, 0.008)).clamp(-90.0, 90.0);
    let lon = (at.longitude() + rng.range(-0.012, 0.012)).clamp(-180.0, 180.0);
    Coordinates::new(lat, lon).expect("clamped into range")
}

fn help_type(rng: &mut Rng) -> HelpType {
    HelpType::ALL[rng.weighted(&TYPE_WEIGHTS)]
}

fn weekday(rng: &mut Rng) -> Weekday {
    Weekday::ALL[rng.weighted(&DAY_WEIGHTS)]
}

/// A volunteer's slot in one part of the day: mornings 8:30–10:00 start and 2½–4 hours,
/// afternoons 12:30–14:00 start and 3–4 hours, evenings 18:30 or 19:00 and 2–2½ hours.
fn slot(rng: &mut Rng, day: Weekday, part: usize) -> WeekSlot {
    let half_hours = |rng: &mut Rng, n: u64| 30 * rng.below(n) as u16;
    let (start, length) = match part {
        0 => (510 + half_hours(rng, 4), 150 + half_hours(rng, 4)),
        1 => (750 + half_hours(rng, 4), 180 + half_hours(rng, 3)),
        _ => (1110 + half_hours(rng, 2), 120 + half_hours(rng, 2)),
    };
    WeekSlot {
        day,
        start_minute: start,
        end_minute: (start + length).min(1440),
    }
}

/// A request's window in one part of the day: 9–12, 13–17 or 18:30–21:30.
fn window(day: Weekday, part: usize) -> WeekSlot {
    let (start, end) = [(540, 720), (780, 1020), (1110, 1290)][part];
    WeekSlot {
        day,
        start_minute: start,
        end_minute: end,
    }
}

fn volunteer(rng: &mut Rng, id: u64, place: usize, at: Coordinates, config: &Config) -> Volunteer {
    let mut offers = HelpTypes::EMPTY;
    for _ in 0..1 + rng.below(4) {
        offers.insert(help_type(rng));
    }
    let mut skills = Skills::EMPTY;
    for (skill, p) in [
        (Skill::Dementie, 0.20),
        (Skill::Ehbo, 0.25),
        (Skill::Rolstoel, 0.12),
        (Skill::Ggz, 0.08),
    ] {
        if rng.chance(p) {
            skills.insert(skill);
        }
    }
    let mut languages = Languages::EMPTY;
    for (language, p) in [
        (Language::Nl, 0.97),
        (Language::En, 0.50),
        (Language::De, 0.10),
        (Language::Fr, 0.05),
        (Language::Es, 0.03),
        (Language::Fy, 0.02),
        (Language::Tr, 0.04),
        (Language::Ar, 0.04),
        (Language::Ber, 0.03),
        (Language::Pl, 0.02),
        (Language::Uk, 0.015),
        (Language::Pap, 0.01),
        (Language::Pt, 0.01),
        (Language::So, 0.005),
        (Language::Ti, 0.005),
    ] {
        if rng.chance(p) {
            languages.insert(language);
        }
    }
    let mut availability: Vec<WeekSlot> = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let day = weekday(rng);
        let part = rng.weighted(&PART_WEIGHTS);
        let s = slot(rng, day, part);
        // One slot per day part: a second draw of the same one adds nothing.
        if !availability
            .iter()
            .any(|o| o.day == day && o.overlap_minutes(s) > 0)
        {
            availability.push(s);
        }
    }
    let vog_valid_until = if rng.chance(0.60) {
        Some(config.today.plus(30 + rng.below(1065) as i64))
    } else if rng.chance(0.10) {
        Some(config.today.plus(-1 - rng.below(365) as i64))
    } else {
        None
    };
    let capacity = 1 + rng.below(3) as u16;
    let active_matches = if rng.chance(0.6) {
        0
    } else {
        rng.below(u64::from(capacity) + 1) as u16
    };
    let caregiver =
        |rng: &mut Rng| place as u64 * CAREGIVERS_PER_PLACE + rng.below(CAREGIVERS_PER_PLACE);
    let mut helped_caregivers = Vec::new();
    if rng.chance(0.15) {
        for _ in 0..1 + rng.below(2) {
            helped_caregivers.push(caregiver(rng));
        }
        helped_caregivers.sort_unstable();
        helped_caregivers.dedup();
    }
    let blocked_caregivers = if rng.chance(0.01) {
        vec![caregiver(rng)]
    } else {
        Vec::new()
    };
    Volunteer {
        id,
        offers,
        skills,
        languages,
        location: jitter(rng, at),
        max_distance_km: rng.range(config.volunteer_km.0, config.volunteer_km.1),
        availability,
        capacity,
        active_matches,
        has_car: rng.chance(0.15),
        vog_valid_until,
        helped_caregivers,
        blocked_caregivers,
    }
}

fn request(
    rng: &mut Rng,
    id: u64,
    place: usize,
    at: Coordinates,
    nearby: &[u64],
    config: &Config,
) -> Request {
    let help_type = help_type(rng);
    let urgency = [Urgency::Normal, Urgency::Soon, Urgency::Urgent][rng.weighted(&[70, 20, 10])];
    let on = match urgency {
        Urgency::Urgent => config.today.plus(rng.below(3) as i64),
        _ => config.today.plus(rng.below(28) as i64),
    };
    // One-off (a window on the date's weekday), weekly (1–2 windows) or flexible (3 days).
    let mut windows = Vec::new();
    let kind = rng.weighted(&[55, 30, 15]);
    let days = match kind {
        0 => vec![on.weekday()],
        1 => (0..1 + rng.below(2)).map(|_| weekday(rng)).collect(),
        _ => (0..3).map(|_| weekday(rng)).collect(),
    };
    let part = rng.weighted(&PART_WEIGHTS);
    for day in days {
        let w = window(day, part);
        if !windows.contains(&w) {
            windows.push(w);
        }
    }
    use HelpType::*;
    let duration_minutes = match help_type {
        Boodschappen | Administratie | Wandelen => [60, 90][rng.below(2) as usize],
        Maaltijd | DigitaleHulp | Anders => 60,
        Vervoer | Gezelschap | Klussen | Tuin => [90, 120][rng.below(2) as usize],
    };
    let needs_car = match help_type {
        Vervoer => rng.chance(0.85),
        Boodschappen => rng.chance(0.10),
        _ => false,
    };
    let needs_vog = match help_type {
        Gezelschap => rng.chance(0.50),
        Wandelen => rng.chance(0.20),
        _ => rng.chance(0.05),
    };
    let mut needs_skills = Skills::EMPTY;
    if help_type == Gezelschap && rng.chance(0.30) {
        needs_skills.insert(Skill::Dementie);
    }
    if help_type == Gezelschap && rng.chance(0.03) {
        needs_skills.insert(Skill::Ggz);
    }
    if matches!(help_type, Wandelen | Vervoer) && rng.chance(0.15) {
        needs_skills.insert(Skill::Rolstoel);
    }
    if rng.chance(0.02) {
        needs_skills.insert(Skill::Ehbo);
    }
    let language = rng.chance(0.07).then(|| {
        use Language::*;
        let options = [Tr, Ar, Ber, Pl, En, Uk, Pap, So];
        options[rng.weighted(&[25, 25, 15, 10, 10, 5, 5, 5])]
    });
    let mut declined_by = Vec::new();
    if !nearby.is_empty() && rng.chance(0.05) {
        for _ in 0..1 + rng.below(2) {
            declined_by.push(nearby[rng.below(nearby.len() as u64) as usize]);
        }
    }
    Request {
        id,
        caregiver: place as u64 * CAREGIVERS_PER_PLACE + rng.below(CAREGIVERS_PER_PLACE),
        help_type,
        location: jitter(rng, at),
        max_distance_km: rng.range(config.request_km.0, config.request_km.1),
        windows,
        duration_minutes,
        needs_car,
        needs_vog,
        needs_skills,
        language,
        urgency,
        on,
        declined_by,
    }
}
