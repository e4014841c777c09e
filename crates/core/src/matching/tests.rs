use super::*;
use crate::directory::model::Weekday;
use crate::geo::{Coordinates, EARTH_RADIUS_KM};
use crate::network::agenda::Day;
use proptest::prelude::*;

/// Thursday 8 January 2026.
const THURSDAY: Day = Day(20_461);

fn utrecht() -> Coordinates {
    Coordinates::new(52.0907, 5.1214).unwrap()
}

/// A point `km` due north of `at` (along a meridian the great-circle distance is exact).
fn north_of(at: Coordinates, km: f64) -> Coordinates {
    let degrees = (km / EARTH_RADIUS_KM).to_degrees();
    Coordinates::new(at.latitude() + degrees, at.longitude()).unwrap()
}

fn slot(day: Weekday, from: u16, to: u16) -> WeekSlot {
    WeekSlot::new(day, from, to).unwrap()
}

fn request() -> Request {
    Request {
        id: 1,
        caregiver: 500,
        help_type: HelpType::Boodschappen,
        location: utrecht(),
        max_distance_km: 10.0,
        windows: vec![slot(Weekday::Tuesday, 9 * 60, 12 * 60)],
        duration_minutes: 60,
        needs_car: false,
        needs_vog: false,
        needs_skills: Skills::EMPTY,
        language: None,
        urgency: Urgency::Normal,
        on: THURSDAY,
        declined_by: vec![],
    }
}

fn volunteer() -> Volunteer {
    Volunteer {
        id: 10,
        offers: HelpTypes::EMPTY.with(HelpType::Boodschappen),
        skills: Skills::EMPTY,
        languages: Languages::EMPTY.with(Language::Nl),
        location: north_of(utrecht(), 2.1),
        max_distance_km: 5.0,
        availability: vec![slot(Weekday::Tuesday, 9 * 60, 12 * 60)],
        capacity: 2,
        active_matches: 0,
        has_car: false,
        vog_valid_until: None,
        helped_caregivers: vec![],
        blocked_caregivers: vec![],
    }
}

// ---- codes ---------------------------------------------------------------------------------

#[test]
fn help_type_codes_are_the_issues_taxonomy_and_round_trip() {
    let codes: Vec<&str> = HelpType::ALL.iter().map(|t| t.code()).collect();
    assert_eq!(
        codes,
        [
            "boodschappen",
            "vervoer",
            "gezelschap",
            "klussen",
            "tuin",
            "administratie",
            "maaltijd",
            "digitale_hulp",
            "wandelen",
            "anders"
        ]
    );
    for t in HelpType::ALL {
        assert_eq!(HelpType::from_code(t.code()), Some(*t));
    }
    for s in Skill::ALL {
        assert_eq!(Skill::from_code(s.code()), Some(*s));
    }
    for l in Language::ALL {
        assert_eq!(Language::from_code(l.code()), Some(*l));
    }
    assert_eq!(HelpType::from_code("Boodschappen"), None);
    assert_eq!(Urgency::from_code("dringend"), Some(Urgency::Urgent));
    assert_eq!(Urgency::Soon.code(), "binnenkort");
    assert_eq!(Skill::Dementie.code(), "dementie");
    assert_eq!(DayPart::Morning.code(), "ochtend");
}

#[test]
fn bit_sets() {
    let set = HelpTypes::from_codes(["tuin", "vervoer", "tuin"]).unwrap();
    assert_eq!(set.len(), 2);
    assert!(set.contains(HelpType::Tuin) && !set.contains(HelpType::Klussen));
    assert_eq!(set.codes(), ["vervoer", "tuin"]);
    assert_eq!(HelpTypes::from_codes(["tuin", "zwemmen"]), Err("zwemmen"));
    assert_eq!(HelpTypes::from_bits(u16::MAX).len(), HelpType::ALL.len());
    let mut skills: Skills = [Skill::Ehbo, Skill::Dementie].into_iter().collect();
    assert!(skills.contains_all(Skills::EMPTY.with(Skill::Ehbo)));
    assert!(!skills.contains_all(Skills::EMPTY.with(Skill::Rolstoel)));
    skills.remove(Skill::Ehbo);
    assert_eq!(skills.iter().collect::<Vec<_>>(), [Skill::Dementie]);
    assert_eq!(Languages::from_bits(u16::MAX).len(), Language::ALL.len());
}

#[test]
fn week_slots() {
    assert!(WeekSlot::new(Weekday::Monday, 600, 600).is_none());
    assert!(WeekSlot::new(Weekday::Monday, 600, 1441).is_none());
    assert!(WeekSlot::new(Weekday::Monday, 0, 1440).is_some());
    let a = slot(Weekday::Monday, 540, 720);
    assert_eq!(a.overlap_minutes(slot(Weekday::Monday, 660, 780)), 60);
    assert_eq!(a.overlap_minutes(slot(Weekday::Tuesday, 540, 720)), 0);
    assert_eq!(a.overlap_minutes(slot(Weekday::Monday, 720, 780)), 0);
    assert_eq!(DayPart::of_minute(719), DayPart::Morning);
    assert_eq!(DayPart::of_minute(720), DayPart::Afternoon);
    assert_eq!(DayPart::of_minute(1080), DayPart::Evening);
}

// ---- hard constraints ----------------------------------------------------------------------

#[test]
fn the_base_pair_is_admissible() {
    assert_eq!(check(&request(), &volunteer()), Ok(()));
}

#[test]
fn refusal_help_type() {
    let mut v = volunteer();
    v.offers = HelpTypes::EMPTY.with(HelpType::Tuin);
    assert_eq!(check(&request(), &v), Err(Refusal::HelpType));
}

#[test]
fn refusal_availability() {
    let (r, mut v) = (request(), volunteer());
    v.availability = vec![slot(Weekday::Wednesday, 9 * 60, 12 * 60)];
    assert_eq!(check(&r, &v), Err(Refusal::Availability));
    // Overlapping, but shorter than the duration.
    v.availability = vec![slot(Weekday::Tuesday, 11 * 60, 13 * 60)];
    let mut long = request();
    long.duration_minutes = 61;
    assert_eq!(check(&long, &v), Err(Refusal::Availability));
    long.duration_minutes = 60;
    assert_eq!(check(&long, &v), Ok(()));
    // Touching is not overlapping, even for a duration of 0.
    v.availability = vec![slot(Weekday::Tuesday, 12 * 60, 13 * 60)];
    long.duration_minutes = 0;
    assert_eq!(check(&long, &v), Err(Refusal::Availability));
    // An invalid slot overlaps nothing.
    v.availability = vec![WeekSlot {
        day: Weekday::Tuesday,
        start_minute: 11 * 60,
        end_minute: 10 * 60,
    }];
    assert_eq!(check(&r, &v), Err(Refusal::Availability));
    v.availability = vec![];
    assert_eq!(check(&r, &v), Err(Refusal::Availability));
}

#[test]
fn refusal_distance_within_both_limits() {
    let (mut r, mut v) = (request(), volunteer());
    v.max_distance_km = 2.0; // the volunteer's own limit
    assert_eq!(check(&r, &v), Err(Refusal::Distance));
    v.max_distance_km = 5.0;
    r.max_distance_km = 2.0; // the request's limit
    assert_eq!(check(&r, &v), Err(Refusal::Distance));
    r.max_distance_km = 2.2;
    assert_eq!(check(&r, &v), Ok(()));
    r.max_distance_km = f64::NAN;
    assert_eq!(check(&r, &v), Err(Refusal::Distance));
    r.max_distance_km = 10.0;
    v.max_distance_km = -1.0;
    assert_eq!(check(&r, &v), Err(Refusal::Distance));
}

#[test]
fn refusal_vog_when_required_and_not_valid_on_the_date() {
    let (mut r, mut v) = (request(), volunteer());
    r.needs_vog = true;
    assert_eq!(check(&r, &v), Err(Refusal::Vog));
    v.vog_valid_until = Some(THURSDAY.plus(-1));
    assert_eq!(check(&r, &v), Err(Refusal::Vog));
    v.vog_valid_until = Some(THURSDAY);
    assert_eq!(check(&r, &v), Ok(()));
    r.needs_vog = false;
    v.vog_valid_until = None;
    assert_eq!(check(&r, &v), Ok(()));
}

#[test]
fn refusal_capacity() {
    let mut v = volunteer();
    v.active_matches = 2;
    assert_eq!(check(&request(), &v), Err(Refusal::Capacity));
    v.active_matches = 5; // more than the capacity (lowered later): none left
    assert_eq!(check(&request(), &v), Err(Refusal::Capacity));
    v.capacity = 0;
    v.active_matches = 0;
    assert_eq!(check(&request(), &v), Err(Refusal::Capacity));
}

#[test]
fn refusal_declined() {
    let mut r = request();
    r.declined_by = vec![3, 10];
    assert_eq!(check(&r, &volunteer()), Err(Refusal::Declined));
}

#[test]
fn refusal_blocked() {
    let mut v = volunteer();
    v.blocked_caregivers = vec![900, 500]; // unsorted input still works
    assert_eq!(check(&request(), &v), Err(Refusal::Blocked));
}

#[test]
fn refusal_car() {
    let (mut r, mut v) = (request(), volunteer());
    r.needs_car = true;
    assert_eq!(check(&r, &v), Err(Refusal::Car));
    v.has_car = true;
    assert_eq!(check(&r, &v), Ok(()));
}

#[test]
fn refusal_skills() {
    let (mut r, mut v) = (request(), volunteer());
    r.needs_skills = Skills::EMPTY.with(Skill::Dementie).with(Skill::Rolstoel);
    v.skills = Skills::EMPTY.with(Skill::Dementie);
    assert_eq!(check(&r, &v), Err(Refusal::Skills));
    v.skills.insert(Skill::Rolstoel);
    assert_eq!(check(&r, &v), Ok(()));
}

#[test]
fn refusal_language() {
    let (mut r, mut v) = (request(), volunteer());
    r.language = Some(Language::Tr);
    assert_eq!(check(&r, &v), Err(Refusal::Language));
    v.languages.insert(Language::Tr);
    assert_eq!(check(&r, &v), Ok(()));
}

#[test]
fn the_first_failing_constraint_is_reported() {
    let (mut r, mut v) = (request(), volunteer());
    r.needs_car = true; // Car
    r.declined_by = vec![10]; // Declined, earlier
    assert_eq!(check(&r, &v), Err(Refusal::Declined));
    v.max_distance_km = 1.0; // Distance, earlier still
    assert_eq!(check(&r, &v), Err(Refusal::Distance));
    v.offers = HelpTypes::EMPTY; // HelpType, the first
    assert_eq!(check(&r, &v), Err(Refusal::HelpType));
}

// ---- score and reasons ---------------------------------------------------------------------

#[test]
fn explanation_distance_and_day_part() {
    let (points, reasons) = score(&request(), &volunteer(), &Weights::default());
    assert_eq!(
        reasons,
        [
            Reason::Distance { meters: 2100 },
            Reason::Available {
                day: Weekday::Tuesday,
                part: DayPart::Morning
            },
            Reason::LowLoad {
                active: 0,
                capacity: 2
            },
        ]
    );
    // 1 + 100·(10000 − 2100)/10000 + 20·2/2
    assert_eq!(points, 1 + 79 + 20);
}

#[test]
fn explanation_names_the_nearest_day_from_the_date() {
    let (mut r, mut v) = (request(), volunteer());
    // Needed from Thursday: Friday afternoon comes before next Tuesday morning.
    r.windows = vec![
        slot(Weekday::Tuesday, 9 * 60, 12 * 60),
        slot(Weekday::Friday, 13 * 60, 17 * 60),
        slot(Weekday::Thursday, 19 * 60, 21 * 60),
    ];
    v.availability = vec![
        slot(Weekday::Tuesday, 9 * 60, 12 * 60),
        slot(Weekday::Friday, 14 * 60, 16 * 60),
        slot(Weekday::Thursday, 20 * 60 + 30, 22 * 60),
    ];
    let (_, reasons) = score(&r, &v, &Weights::default());
    assert_eq!(
        reasons[1],
        Reason::Available {
            day: Weekday::Friday,
            part: DayPart::Afternoon
        }
    );
    // On Thursday itself the evening counts, if it is long enough.
    v.availability[2] = slot(Weekday::Thursday, 19 * 60 + 30, 22 * 60);
    let (_, reasons) = score(&r, &v, &Weights::default());
    assert_eq!(
        reasons[1],
        Reason::Available {
            day: Weekday::Thursday,
            part: DayPart::Evening
        }
    );
}

#[test]
fn explanation_and_score_of_every_bonus() {
    let (mut r, mut v) = (request(), volunteer());
    r.help_type = HelpType::Vervoer;
    r.needs_car = true;
    r.needs_vog = true;
    r.needs_skills = Skills::EMPTY.with(Skill::Rolstoel);
    r.language = Some(Language::Ar);
    r.urgency = Urgency::Urgent;
    v.offers.insert(HelpType::Vervoer);
    v.has_car = true;
    v.vog_valid_until = Some(THURSDAY.plus(100));
    v.skills = Skills::EMPTY.with(Skill::Rolstoel).with(Skill::Ehbo);
    v.languages.insert(Language::Ar);
    v.helped_caregivers = vec![100, 500];
    v.capacity = 3;
    v.active_matches = 1;
    let w = Weights::default();
    let (points, reasons) = score(&r, &v, &w);
    assert_eq!(
        reasons,
        [
            Reason::Distance { meters: 2100 },
            Reason::Available {
                day: Weekday::Tuesday,
                part: DayPart::Morning
            },
            Reason::HelpedBefore,
            Reason::Skill(Skill::Rolstoel),
            Reason::SpeaksLanguage(Language::Ar),
            Reason::HasCar,
            Reason::VogValid,
            Reason::LowLoad {
                active: 1,
                capacity: 3
            },
        ]
    );
    // Ehbo is an extra: no points. Load 20·2/3 = 13.
    assert_eq!(points, 1 + 79 + 50 + 25 + 25 + 13 + 2 * 60);
    // Half or more in use: no LowLoad reason.
    v.active_matches = 2;
    let (_, reasons) = score(&r, &v, &w);
    assert!(!reasons.iter().any(|r| matches!(r, Reason::LowLoad { .. })));
}

#[test]
fn a_refused_pair_scores_zero() {
    let mut v = volunteer();
    v.offers = HelpTypes::EMPTY;
    assert_eq!(score(&request(), &v, &Weights::default()), (0, vec![]));
}

#[test]
fn score_is_at_least_one_with_zero_weights() {
    let zero = Weights {
        distance: 0,
        continuity: 0,
        skills: 0,
        language: 0,
        load: 0,
        urgency: 0,
    };
    let mut v = volunteer();
    v.active_matches = 1;
    assert_eq!(score(&request(), &v, &zero).0, 1);
}

#[test]
fn closer_scores_higher() {
    let w = Weights::default();
    let mut near = volunteer();
    near.location = north_of(utrecht(), 0.5);
    let (a, _) = score(&request(), &near, &w);
    let (b, _) = score(&request(), &volunteer(), &w);
    assert!(a > b, "{a} > {b}");
}

// ---- rank and propose ----------------------------------------------------------------------

#[test]
fn rank_orders_by_score_then_id_and_limits() {
    let mut vols = Vec::new();
    for (id, km) in [(5, 3.0), (4, 1.0), (3, 3.0), (2, 4.9), (1, 6.0)] {
        let mut v = volunteer();
        v.id = id;
        v.location = north_of(utrecht(), km);
        vols.push(v);
    }
    let index = VolunteerIndex::build(vols);
    let w = Weights::default();
    let ranked: Vec<u64> = rank(&index, &request(), &w, 10)
        .iter()
        .map(|c| c.volunteer)
        .collect();
    // 6 km is beyond the volunteers' 5 km; 3 and 5 tie, the lower id first.
    assert_eq!(ranked, [4, 3, 5, 2]);
    let top2 = rank(&index, &request(), &w, 2);
    assert_eq!(top2.len(), 2);
    assert_eq!((top2[0].volunteer, top2[1].volunteer), (4, 3));
    assert_eq!(top2[0].reasons[0], Reason::Distance { meters: 1000 });
    assert!(rank(&index, &request(), &w, 0).is_empty());
}

#[test]
fn an_empty_index_ranks_nobody() {
    let index = VolunteerIndex::build(vec![]);
    assert!(rank(&index, &request(), &Weights::default(), 10).is_empty());
    assert_eq!(
        propose(&index, &[request()], &Weights::default()),
        Assignment::default()
    );
}

#[test]
fn the_urgent_request_wins_the_scarce_volunteer() {
    let mut v = volunteer();
    v.capacity = 1;
    let index = VolunteerIndex::build(vec![v]);
    let normal = request();
    let mut urgent = request();
    urgent.id = 2;
    urgent.urgency = Urgency::Urgent;
    // Even a little farther away.
    urgent.location = north_of(utrecht(), 0.5);
    let a = propose(&index, &[normal, urgent], &Weights::default());
    assert_eq!(a.pairs.len(), 1);
    assert_eq!((a.pairs[0].0, a.pairs[0].1), (2, 10));
    assert_eq!(a.total, a.pairs[0].2);
}

#[test]
fn propose_respects_remaining_capacity_and_reports_scores() {
    let mut v = volunteer();
    v.capacity = 3;
    v.active_matches = 1;
    let index = VolunteerIndex::build(vec![v.clone()]);
    let requests: Vec<Request> = (1..=4)
        .map(|id| Request {
            id,
            caregiver: 500 + id,
            ..request()
        })
        .collect();
    let a = propose(&index, &requests, &Weights::default());
    assert_eq!(a.pairs.len(), 2);
    for &(r, vid, points) in &a.pairs {
        assert_eq!(vid, 10);
        let req = requests.iter().find(|q| q.id == r).unwrap();
        assert_eq!(points, score(req, &v, &Weights::default()).0);
    }
    assert_eq!(a.total, a.pairs.iter().map(|p| p.2).sum::<i64>());
}

// ---- solve ---------------------------------------------------------------------------------

#[test]
fn solve_reroutes_instead_of_taking_the_greedy_choice() {
    // Greedy gives r0 → v0 (10) and leaves r1 without: 10. Optimal: r0 → v1, r1 → v0: 17.
    let (total, pairs) = solve(2, &[1, 1], &[(0, 0, 10), (0, 1, 9), (1, 0, 8)]);
    assert_eq!(total, 17);
    assert_eq!(pairs, [(0, 1), (1, 0)]);
}

#[test]
fn solve_maximises_weight_not_cardinality() {
    // Two pairs are possible (r0 → v1, r1 → v0: 2), but one pair is worth more (r0 → v0: 10).
    let (total, pairs) = solve(2, &[1, 1], &[(0, 0, 10), (0, 1, 1), (1, 0, 1)]);
    assert_eq!(total, 10);
    assert_eq!(pairs, [(0, 0)]);
}

#[test]
fn solve_ignores_worthless_arcs_and_empty_volunteers() {
    let (total, pairs) = solve(3, &[0, 2], &[(0, 0, 50), (1, 1, 0), (2, 1, -4), (0, 1, 3)]);
    assert_eq!((total, pairs), (3, vec![(0, 1)]));
    assert_eq!(solve(0, &[], &[]), (0, vec![]));
}

#[test]
#[should_panic(expected = "outside")]
fn solve_refuses_arcs_outside_the_instance() {
    solve(1, &[1], &[(0, 1, 5)]);
}

// ---- synthetic -----------------------------------------------------------------------------

fn places() -> Vec<Coordinates> {
    [
        (52.0907, 5.1214),
        (52.1601, 4.4970),
        (52.3676, 4.9041),
        (51.4416, 5.4697),
        (53.2194, 6.5665),
    ]
    .iter()
    .map(|&(a, b)| Coordinates::new(a, b).unwrap())
    .collect()
}

#[test]
fn synthetic_is_deterministic_and_plausible() {
    let config = synthetic::Config {
        volunteers: 4000,
        requests: 1000,
        ..synthetic::Config::default()
    };
    let a = synthetic::instance(&places(), &config);
    assert_eq!(a, synthetic::instance(&places(), &config));
    let b = synthetic::instance(
        &places(),
        &synthetic::Config {
            seed: 8,
            ..config.clone()
        },
    );
    assert_ne!(a, b);
    assert_eq!(a.volunteers.len(), 4000);
    assert_eq!(a.requests.len(), 1000);
    assert!(
        a.volunteers
            .iter()
            .enumerate()
            .all(|(i, v)| v.id == i as u64 + 1)
    );
    let share = |n: usize| n as f64 / 4000.0;
    let cars = share(a.volunteers.iter().filter(|v| v.has_car).count());
    assert!((0.12..0.18).contains(&cars), "{cars}");
    let vog = share(
        a.volunteers
            .iter()
            .filter(|v| v.vog_valid_until.is_some_and(|d| d > config.today))
            .count(),
    );
    assert!((0.56..0.64).contains(&vog), "{vog}");
    for v in &a.volunteers {
        assert!((1..=4).contains(&v.availability.len()));
        assert!(v.availability.iter().all(|s| s.is_valid()));
        assert!((1..=4).contains(&v.offers.len()));
        assert!((1..=3).contains(&v.capacity) && v.active_matches <= v.capacity);
    }
    for r in &a.requests {
        assert!(!r.windows.is_empty() && r.windows.iter().all(|s| s.is_valid()));
        assert!(r.on >= config.today);
    }
    // Some requests find someone in towns this dense.
    let index = VolunteerIndex::build(a.volunteers.clone());
    let found = a
        .requests
        .iter()
        .filter(|r| !rank(&index, r, &Weights::default(), 1).is_empty())
        .count();
    assert!(found > 500, "{found}");
}

// ---- property tests ------------------------------------------------------------------------

/// Small random instances around Utrecht: a few values per field, so that pairs pass and fail
/// every constraint (about a third of the pairs are admissible).
fn arb_slots(max: usize, hours: std::ops::Range<u16>) -> impl Strategy<Value = Vec<WeekSlot>> {
    prop::collection::vec((0usize..2, 0u16..2, 0u16..2, hours), 1..=max).prop_map(|raw| {
        raw.into_iter()
            .map(|(d, part, late, hours)| {
                let start = [8 * 60, 13 * 60][part as usize] + 30 * late;
                WeekSlot {
                    day: [Weekday::Monday, Weekday::Tuesday][d],
                    start_minute: start,
                    end_minute: start + 60 * hours,
                }
            })
            .collect()
    })
}

fn arb_point() -> impl Strategy<Value = Coordinates> {
    (0.0f64..0.06, 0.0f64..0.09).prop_map(|(a, b)| Coordinates::new(52.05 + a, 5.08 + b).unwrap())
}

fn arb_volunteer() -> impl Strategy<Value = Volunteer> {
    (
        (
            (1u16..8, 1u16..8),
            0u16..4,
            0u16..8,
            arb_point(),
            2.0f64..12.0,
        ),
        (
            arb_slots(4, 2..5),
            prop_oneof![1 => Just(0u16), 4 => 1u16..4],
            0u16..2,
            any::<bool>(),
        ),
        (
            prop::option::of(-3i64..3),
            prop::collection::vec(0u64..4, 0..3),
        ),
        prop::collection::vec(0u64..4, 0..2),
    )
        .prop_map(
            |(
                (offers, skills, langs, at, km),
                (availability, cap, active, car),
                (vog, helped),
                blocked,
            )| {
                Volunteer {
                    id: 0,
                    offers: HelpTypes::from_bits(offers.0 | offers.1),
                    skills: Skills::from_bits(skills),
                    languages: Languages::from_bits(langs),
                    location: at,
                    max_distance_km: km,
                    availability,
                    capacity: cap,
                    active_matches: active,
                    has_car: car,
                    vog_valid_until: vog.map(|d| THURSDAY.plus(d)),
                    helped_caregivers: helped,
                    blocked_caregivers: blocked,
                }
            },
        )
}

fn arb_request() -> impl Strategy<Value = Request> {
    (
        (
            0usize..3,
            arb_point(),
            3.0f64..15.0,
            arb_slots(2, 2..9),
            0u16..5,
        ),
        (
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
            prop_oneof![3 => Just(0u16), 1 => 1u16..4],
        ),
        (prop::option::weighted(0.2, 0usize..3), 0usize..3, 0u64..4),
        prop::collection::vec(1u64..12, 0..2),
    )
        .prop_map(
            |(
                (t, at, km, windows, halves),
                (car, vog, skills),
                (lang, urgency, caregiver),
                declined,
            )| {
                Request {
                    id: 0,
                    caregiver,
                    help_type: HelpType::ALL[t],
                    location: at,
                    max_distance_km: km,
                    windows,
                    duration_minutes: 30 * halves,
                    needs_car: car,
                    needs_vog: vog,
                    needs_skills: Skills::from_bits(skills),
                    language: lang.map(|l| Language::ALL[l]),
                    urgency: [Urgency::Normal, Urgency::Soon, Urgency::Urgent][urgency],
                    on: THURSDAY,
                    declined_by: declined,
                }
            },
        )
}

/// Volunteers get ids 1, 2, …; requests 101, 102, ….
fn numbered(mut vols: Vec<Volunteer>, mut reqs: Vec<Request>) -> (Vec<Volunteer>, Vec<Request>) {
    for (i, v) in vols.iter_mut().enumerate() {
        v.id = i as u64 + 1;
    }
    for (i, r) in reqs.iter_mut().enumerate() {
        r.id = i as u64 + 101;
    }
    (vols, reqs)
}

fn arb_weights() -> impl Strategy<Value = Weights> {
    (
        0u32..200,
        0u32..100,
        0u32..50,
        0u32..50,
        0u32..50,
        0u32..100,
    )
        .prop_map(
            |(distance, continuity, skills, language, load, urgency)| Weights {
                distance,
                continuity,
                skills,
                language,
                load,
                urgency,
            },
        )
}

/// The best total by trying every choice for every request (none, or each arc).
fn brute_force(requests: usize, capacities: &[u32], arcs: &[(u32, u32, i64)]) -> i64 {
    fn go(r: usize, n: usize, left: &mut [u32], by_request: &[Vec<(u32, i64)>]) -> i64 {
        if r == n {
            return 0;
        }
        let mut best = go(r + 1, n, left, by_request);
        for &(v, s) in &by_request[r] {
            if left[v as usize] > 0 {
                left[v as usize] -= 1;
                best = best.max(s + go(r + 1, n, left, by_request));
                left[v as usize] += 1;
            }
        }
        best
    }
    let mut by_request = vec![Vec::new(); requests];
    for &(r, v, s) in arcs {
        by_request[r as usize].push((v, s));
    }
    go(0, requests, &mut capacities.to_vec(), &by_request)
}

/// The pairs are along arcs, each request at most once, no volunteer over capacity, and the
/// total is their best arc scores' sum.
fn valid_solution(
    capacities: &[u32],
    arcs: &[(u32, u32, i64)],
    total: i64,
    pairs: &[(u32, u32)],
) -> Result<(), TestCaseError> {
    let mut used = vec![0u32; capacities.len()];
    let mut sum = 0;
    for (k, &(r, v)) in pairs.iter().enumerate() {
        prop_assert!(
            k == 0 || pairs[k - 1].0 < r,
            "requests once, in order: {:?}",
            pairs
        );
        used[v as usize] += 1;
        let best = arcs
            .iter()
            .filter(|a| (a.0, a.1) == (r, v))
            .map(|a| a.2)
            .max();
        prop_assert!(
            best.is_some_and(|s| s > 0),
            "pair ({}, {}) not on a useful arc",
            r,
            v
        );
        sum += best.unwrap();
    }
    for (v, &u) in used.iter().enumerate() {
        prop_assert!(u <= capacities[v], "volunteer {} over capacity", v);
    }
    prop_assert_eq!(sum, total);
    Ok(())
}

/// The residual network of an optimal flow has no negative cycle (Bellman–Ford from every
/// node at once): an optimality certificate independent of brute force.
fn no_negative_cycle(
    requests: usize,
    capacities: &[u32],
    arcs: &[(u32, u32, i64)],
    pairs: &[(u32, u32)],
) -> bool {
    let vols = capacities.len();
    let sink = requests + vols;
    let mut linked = vec![None; requests];
    let mut used = vec![0u32; vols];
    for &(r, v) in pairs {
        linked[r as usize] = Some(v);
        used[v as usize] += 1;
    }
    // Parallel arcs: only the best can carry the request in an optimum (`valid_solution`
    // checks the total against it), and the others are dominated by it.
    let mut best = std::collections::BTreeMap::new();
    for &(r, v, s) in arcs
        .iter()
        .filter(|a| a.2 > 0 && capacities[a.1 as usize] > 0)
    {
        let e = best.entry((r, v)).or_insert(s);
        *e = (*e).max(s);
    }
    let mut edges: Vec<(usize, usize, i64)> = Vec::new();
    for (&(r, v), &s) in &best {
        let (ri, vi) = (r as usize, requests + v as usize);
        if linked[ri] == Some(v) {
            edges.push((vi, ri, s));
        } else {
            edges.push((ri, vi, -s));
        }
    }
    for (r, l) in linked.iter().enumerate() {
        if l.is_some() {
            edges.push((r, sink, 0));
        } else {
            edges.push((sink, r, 0));
        }
    }
    for v in 0..vols {
        if used[v] < capacities[v] {
            edges.push((requests + v, sink, 0));
        }
        if used[v] > 0 {
            edges.push((sink, requests + v, 0));
        }
    }
    let mut dist = vec![0i64; sink + 1];
    for _ in 0..=sink {
        let mut changed = false;
        for &(a, b, c) in &edges {
            if dist[a] + c < dist[b] {
                dist[b] = dist[a] + c;
                changed = true;
            }
        }
        if !changed {
            return true;
        }
    }
    false
}

fn arb_arcs(
    max_requests: usize,
    max_vols: usize,
    max_cap: u32,
) -> impl Strategy<Value = (usize, Vec<u32>, Vec<(u32, u32, i64)>)> {
    (
        1..=max_requests,
        prop::collection::vec(0..=max_cap, 1..=max_vols),
    )
        .prop_flat_map(|(requests, caps)| {
            let v = caps.len() as u32;
            let arcs = prop::collection::vec(
                (0..requests as u32, 0..v, -5i64..40),
                0..=(requests * caps.len() + 2),
            );
            (Just(requests), Just(caps), arcs)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// `solve` reaches the brute-force optimum on small instances, with a valid assignment.
    #[test]
    fn solve_equals_brute_force((requests, caps, arcs) in arb_arcs(6, 4, 2)) {
        let (total, pairs) = solve(requests, &caps, &arcs);
        valid_solution(&caps, &arcs, total, &pairs)?;
        prop_assert_eq!(total, brute_force(requests, &caps, &arcs));
    }

    /// Larger instances: no negative cycle left in the residual network.
    #[test]
    fn solve_leaves_no_negative_cycle((requests, caps, arcs) in arb_arcs(40, 15, 3)) {
        let (total, pairs) = solve(requests, &caps, &arcs);
        valid_solution(&caps, &arcs, total, &pairs)?;
        prop_assert!(no_negative_cycle(requests, &caps, &arcs, &pairs));
    }

    /// One more volunteer (with any arcs) never lowers the optimum.
    #[test]
    fn adding_a_volunteer_never_lowers_the_optimum(
        (requests, caps, arcs) in arb_arcs(12, 6, 2),
        cap in 0u32..3,
        extra in prop::collection::vec((0u32..12, 1i64..40), 0..8),
    ) {
        let (before, _) = solve(requests, &caps, &arcs);
        let mut more_caps = caps.clone();
        more_caps.push(cap);
        let v = caps.len() as u32;
        let mut more_arcs = arcs.clone();
        more_arcs.extend(extra.iter().filter(|e| (e.0 as usize) < requests).map(|&(r, s)| (r, v, s)));
        let (after, pairs) = solve(requests, &more_caps, &more_arcs);
        valid_solution(&more_caps, &more_arcs, after, &pairs)?;
        prop_assert!(after >= before, "{} < {}", after, before);
    }

    /// `rank` returns exactly the admissible volunteers (a linear scan with `check`), best
    /// first, ties by id, with `score`'s points and reasons; a limit keeps the best.
    #[test]
    fn rank_is_the_admissible_volunteers_sorted(
        vols in prop::collection::vec(arb_volunteer(), 0..40),
        reqs in prop::collection::vec(arb_request(), 1..6),
        w in arb_weights(),
        limit in 0usize..6,
    ) {
        let (vols, reqs) = numbered(vols, reqs);
        let index = VolunteerIndex::build(vols.clone());
        for req in &reqs {
            let mut expected: Vec<(i64, u64)> = vols
                .iter()
                .filter(|v| check(req, v).is_ok())
                .map(|v| (score(req, v, &w).0, v.id))
                .collect();
            expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let ranked = rank(&index, req, &w, usize::MAX);
            let got: Vec<(i64, u64)> = ranked.iter().map(|c| (c.score, c.volunteer)).collect();
            prop_assert_eq!(&got, &expected);
            for c in &ranked {
                let v = vols.iter().find(|v| v.id == c.volunteer).unwrap();
                prop_assert!(c.score >= 1);
                prop_assert_eq!(&score(req, v, &w), &(c.score, c.reasons.clone()));
            }
            let top = rank(&index, req, &w, limit);
            prop_assert_eq!(&top[..], &ranked[..limit.min(ranked.len())]);
        }
    }

    /// The same anywhere on earth: large limits, poles and the 180th meridian (the grid and the
    /// chord prefilter must not drop anyone).
    #[test]
    fn rank_is_exact_anywhere(
        points in prop::collection::vec((-90.0f64..=90.0, -180.0f64..=180.0, 0.0f64..4000.0), 1..40),
        near_edge in prop::collection::vec((0usize..4, 0.0f64..2.0, 0.0f64..2.0), 0..10),
        req_at in (-90.0f64..=90.0, -180.0f64..=180.0),
        req_km in 0.0f64..8000.0,
    ) {
        let edges = [(89.0, 0.0), (-89.0, 90.0), (10.0, 179.0), (-10.0, -179.0)];
        let mut vols = Vec::new();
        let mut all: Vec<(f64, f64, f64)> = points;
        for (k, a, b) in near_edge {
            let (lat, lon) = edges[k];
            all.push(((lat + a - 1.0f64).clamp(-90.0, 90.0), (lon + b - 1.0f64).clamp(-180.0, 180.0), 500.0));
        }
        for (i, (lat, lon, km)) in all.into_iter().enumerate() {
            let mut v = volunteer();
            v.id = i as u64 + 1;
            v.location = Coordinates::new(lat, lon).unwrap();
            v.max_distance_km = km;
            vols.push(v);
        }
        let mut req = request();
        req.location = Coordinates::new(req_at.0, req_at.1).unwrap();
        req.max_distance_km = req_km;
        let index = VolunteerIndex::build(vols.clone());
        let mut expected: Vec<u64> = vols.iter().filter(|v| check(&req, v).is_ok()).map(|v| v.id).collect();
        expected.sort_unstable();
        let mut got: Vec<u64> = rank(&index, &req, &Weights::default(), usize::MAX).iter().map(|c| c.volunteer).collect();
        got.sort_unstable();
        prop_assert_eq!(got, expected);
    }

    /// `propose`: only admissible pairs, nobody over remaining capacity, each request at most
    /// once, the scores are `score`'s, and the total is the brute-force optimum.
    #[test]
    fn propose_is_valid_and_optimal(
        vols in prop::collection::vec(arb_volunteer(), 0..5),
        reqs in prop::collection::vec(arb_request(), 0..7),
        w in arb_weights(),
    ) {
        let (vols, reqs) = numbered(vols, reqs);
        let index = VolunteerIndex::build(vols.clone());
        let a = propose(&index, &reqs, &w);
        let mut seen = std::collections::HashSet::new();
        let mut load = std::collections::HashMap::new();
        for &(r, v, s) in &a.pairs {
            prop_assert!(seen.insert(r), "request {} twice", r);
            let req = reqs.iter().find(|q| q.id == r).unwrap();
            let vol = vols.iter().find(|x| x.id == v).unwrap();
            prop_assert_eq!(check(req, vol), Ok(()));
            prop_assert_eq!(s, score(req, vol, &w).0);
            *load.entry(v).or_insert(0u16) += 1;
        }
        for (v, n) in load {
            let vol = vols.iter().find(|x| x.id == v).unwrap();
            prop_assert!(n <= vol.remaining(), "volunteer {} over capacity", v);
        }
        prop_assert_eq!(a.total, a.pairs.iter().map(|p| p.2).sum::<i64>());
        let arcs: Vec<(u32, u32, i64)> = reqs
            .iter()
            .enumerate()
            .flat_map(|(r, req)| {
                vols.iter().enumerate().filter(|(_, v)| check(req, v).is_ok())
                    .map(move |(v, vol)| (r as u32, v as u32, score(req, vol, &w).0))
                    .collect::<Vec<_>>()
            })
            .collect();
        let caps: Vec<u32> = vols.iter().map(|v| u32::from(v.remaining())).collect();
        prop_assert_eq!(a.total, brute_force(reqs.len(), &caps, &arcs));
    }

    /// Adding a volunteer to the index never lowers the proposal's total.
    #[test]
    fn propose_never_worse_with_one_more_volunteer(
        vols in prop::collection::vec(arb_volunteer(), 0..8),
        extra in arb_volunteer(),
        reqs in prop::collection::vec(arb_request(), 0..10),
        w in arb_weights(),
    ) {
        let (vols, reqs) = numbered(vols, reqs);
        let before = propose(&VolunteerIndex::build(vols.clone()), &reqs, &w).total;
        let mut more = vols.clone();
        more.push(Volunteer { id: 99, ..extra });
        let after = propose(&VolunteerIndex::build(more), &reqs, &w).total;
        prop_assert!(after >= before, "{} < {}", after, before);
    }
}
