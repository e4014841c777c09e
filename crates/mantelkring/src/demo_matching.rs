//! Hulpvraag en aanbod in the demo region: about sixty volunteers (a few still waiting for their
//! intake, two paused), Youssef's own profile, and help requests of the demo kringen — most
//! entered by the caregiver or a member, some escalated from kring tasks marked "hulp gezocht".
//! A few requests are already further along (proposed, accepted, done and evaluated, one
//! declined), chosen by the real engine (`core::matching::rank`) over the store's engine input,
//! so the coordinator's pages show every status and about twenty-five requests stay open.
//!
//! Everything is deterministic (no random numbers): the same demo every start. Names are
//! made up; the postcodes are the demo map's PC4 areas.

use mantelkring_core::base::Role;
use mantelkring_core::directory::model::Weekday;
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::{
    DEFAULT_ANSWER_HOURS, DEFAULT_VOG_VALID_YEARS, Rating, Recurrence, Side, help_type_of_task,
};
use mantelkring_core::matching::{
    HelpType, HelpTypes, Language, Languages, Skill, Skills, Urgency, VolunteerIndex, WeekSlot,
    Weights, check, rank, score,
};
use mantelkring_core::network::agenda::Day;
use mantelkring_core::time::Millis;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::matching::proposals::{self, NewProposal};
use mantelkring_store::matching::requests::{self, Escalation, RequestDraft};
use mantelkring_store::matching::volunteers::{self, ProfileDraft};
use mantelkring_store::matching::{Actor, MatchingError, engine_input};
use mantelkring_store::{Conn, StoreError, identity};

const HOUR_MS: Millis = 3_600_000;
const DAY_MS: Millis = 24 * HOUR_MS;

/// Volunteers besides Youssef.
const VOLUNTEERS: usize = 60;
/// The first few wait for their intake, the next two are paused.
const IN_INTAKE: usize = 4;
const PAUSED: usize = 2;
/// Kring tasks marked "hulp gezocht" that the demo escalates to the volunteers.
const ESCALATED: usize = 8;
/// Requests entered directly (by the caregiver, or a member for them).
const ENTERED: usize = 28;

const GIVEN: &[&str] = &[
    "Anna", "Bram", "Chantal", "Daan", "Esra", "Fleur", "Gerard", "Hanneke", "Ilse", "Jan",
    "Karim", "Liesbeth", "Mohammed", "Nienke", "Olga", "Pieter", "Quinten", "Rachida", "Sven",
    "Tineke", "Umut", "Vera", "Willem", "Yara", "Zoë", "Arjen", "Berna", "Cor", "Dewi", "Els",
];
const FAMILY: &[&str] = &[
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Kaya",
    "El Idrissi",
    "Verhoeven",
    "Kok",
    "Jacobs",
    "van Dam",
];
/// The demo map's PC4 areas, Leiden first (it weighs more: listed twice).
const PC4S: &[&str] = &[
    "2311", "2312", "2313", "2314", "2315", "2316", "2317", "2318", "2321", "2322", "2323", "2324",
    "2331", "2332", "2333", "2334", "2341", "2342", "2343", "2351", "2352", "2353", "2381", "2382",
    "2221", "2222", "2223", "2224", "2225", "2231", "2235", "2201", "2202", "2203", "2171", "2172",
    "2215", "2361", "2371", "2375", "2311", "2312", "2313", "2321", "2331", "2333",
];
const PREFERENCES: &[&str] = &[
    "",
    "Liefst in mijn eigen buurt.",
    "Ik houd van wandelen en praten.",
    "Niet op zondag.",
    "Ik heb geduld en ervaring met mijn eigen moeder.",
    "Ik kan goed met computers en telefoons.",
];

/// (help type, description) of the entered requests, in turn.
const ENTERED_REQUESTS: &[(HelpType, &str)] = &[
    (
        HelpType::Boodschappen,
        "Wekelijks boodschappen doen bij de supermarkt om de hoek. De lijst ligt klaar.",
    ),
    (
        HelpType::Vervoer,
        "Rijden naar het ziekenhuis voor controle, en weer terug. Een rolstoel gaat mee.",
    ),
    (
        HelpType::Gezelschap,
        "Een middag bij mijn man zijn, zodat ik even weg kan. Hij heeft dementie en houdt van muziek.",
    ),
    (
        HelpType::Klussen,
        "Een lamp ophangen en een kastje vastzetten in de gang.",
    ),
    (
        HelpType::Tuin,
        "De heg knippen en het gras maaien, één keer in de twee weken.",
    ),
    (
        HelpType::Administratie,
        "Hulp bij het ordenen van post en rekeningen.",
    ),
    (
        HelpType::Maaltijd,
        "Een keer per week een warme maaltijd koken en samen eten.",
    ),
    (
        HelpType::DigitaleHulp,
        "Leren videobellen met de kleinkinderen op de tablet.",
    ),
    (
        HelpType::Wandelen,
        "Samen een rondje wandelen in het park, rustig tempo met rollator.",
    ),
    (
        HelpType::Gezelschap,
        "Koffie drinken en een spelletje doen met mijn moeder.",
    ),
    (
        HelpType::Boodschappen,
        "Boodschappen halen bij de markt op zaterdag.",
    ),
    (HelpType::Vervoer, "Vervoer naar de dagbesteding en terug."),
    (
        HelpType::Anders,
        "De hond uitlaten als ik naar mijn eigen afspraken ga.",
    ),
    (
        HelpType::DigitaleHulp,
        "Hulp bij DigiD en de website van de gemeente.",
    ),
];

/// What the demo's matching part made.
#[derive(Debug, Clone, Default)]
pub struct MatchingSeeded {
    /// Volunteer profiles, Youssef's included.
    pub volunteers: usize,
    pub awaiting_intake: usize,
    /// Requests still open (for the coordinator's batch proposal).
    pub open_requests: usize,
    pub escalated: usize,
    pub proposals: usize,
    /// The secret of the answer link of Youssef's waiting proposal (for `/hulp/antwoord/…`).
    pub youssef_answer_secret: String,
    /// Youssef's waiting proposal.
    pub youssef_waiting_proposal: String,
}

/// Who the demo accounts are that the matching part needs.
pub struct MatchingInput<'a> {
    pub now: Millis,
    pub region_id: &'a str,
    pub password_hash: &'a str,
    pub youssef_user_id: &'a str,
    pub coordinator_user_id: &'a str,
}

fn pc4(code: &str) -> Result<Pc4, StoreError> {
    Pc4::parse(code).map_err(|e| StoreError::Conflict(e.to_string()))
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// Morning, afternoon and evening as the demo's volunteers give them.
const DAY_PARTS: [(u16, u16); 3] = [
    (9 * 60, 12 * 60),
    (13 * 60, 17 * 60),
    (18 * 60 + 30, 21 * 60),
];

fn slot(day: usize, part: usize) -> WeekSlot {
    let (start, end) = DAY_PARTS[part % 3];
    WeekSlot::new(WEEKDAYS[day % 7], start, end).expect("demo slots are valid")
}

/// The profile of demo volunteer `i`: a spread of help types, places, times and skills.
fn volunteer_profile(i: usize, today: Day) -> Result<ProfileDraft, StoreError> {
    let all = HelpType::ALL;
    let mut offers = HelpTypes::EMPTY
        .with(all[i % all.len()])
        .with(all[(i * 3 + 1) % all.len()])
        .with(all[(i * 7 + 2) % all.len()]);
    if i.is_multiple_of(2) {
        // Shopping and company are what most volunteers offer.
        offers.insert(all[(i / 2) % 3]);
    }
    let mut skills = Skills::EMPTY;
    if i.is_multiple_of(4) {
        skills.insert(Skill::Dementie);
    }
    if i.is_multiple_of(7) {
        skills.insert(Skill::Ehbo);
    }
    if i.is_multiple_of(9) {
        skills.insert(Skill::Rolstoel);
    }
    let mut languages = Languages::EMPTY.with(Language::Nl);
    for (every, language) in [
        (5, Language::En),
        (11, Language::Ar),
        (13, Language::Tr),
        (17, Language::Pl),
    ] {
        if i.is_multiple_of(every) {
            languages.insert(language);
        }
    }
    let slots = 5 + i % 4;
    let availability = (0..slots).map(|k| slot(i + k * 3, i + k)).collect();
    // Two in three have a VOG, some of them older than its three years.
    let vog_issued_on = (i % 3 != 2).then(|| today.plus(-(((i * 97) % 1300) as i64)));
    Ok(ProfileDraft {
        offers,
        skills,
        languages,
        pc4: pc4(PC4S[i % PC4S.len()])?,
        max_distance_km: [3.0, 5.0, 8.0, 10.0, 15.0][i % 5],
        municipalities: Vec::new(),
        availability,
        capacity: 1 + (i % 3) as u16,
        has_car: i.is_multiple_of(2),
        vog_issued_on,
        preferences: PREFERENCES[i % PREFERENCES.len()].to_string(),
    })
}

/// Youssef: in Leiden, on weekdays, shopping, company, digital help and walks.
fn youssef_profile(today: Day) -> Result<ProfileDraft, StoreError> {
    let availability = (0..5)
        .flat_map(|day| [slot(day, 0), slot(day, 1)])
        .collect();
    Ok(ProfileDraft {
        offers: [
            HelpType::Boodschappen,
            HelpType::Gezelschap,
            HelpType::DigitaleHulp,
            HelpType::Wandelen,
        ]
        .into_iter()
        .collect(),
        skills: Skills::EMPTY.with(Skill::Dementie),
        languages: [Language::Nl, Language::Ar, Language::Ber, Language::En]
            .into_iter()
            .collect(),
        pc4: pc4("2312")?,
        max_distance_km: 10.0,
        municipalities: Vec::new(),
        availability,
        capacity: 3,
        has_car: false,
        vog_issued_on: Some(today.plus(-200)),
        preferences: "Ik help graag met boodschappen en een praatje.".to_string(),
    })
}

/// A kring of the demo: its caregiver's PC4 and who enters a request for it.
struct Kring {
    network_id: String,
    pc4: Pc4,
    /// The caregiver's own account, or else a member's (then on behalf of the caregiver).
    author: String,
    on_behalf: bool,
}

/// (network id, caregiver's postcode, caregiver's user id, first member's user id)
type KringRow = (String, Option<String>, Option<String>, Option<String>);

async fn kringen(tx: &mut Conn) -> Result<Vec<Kring>, StoreError> {
    let rows: Vec<KringRow> = sqlx::query_as(
        "SELECT n.id, p.postcode, \
             (SELECT u.id FROM users u WHERE u.person_id = p.id), \
             (SELECT m.user_id FROM network_members m \
              WHERE m.network_id = n.id AND m.removed_at IS NULL \
              ORDER BY m.joined_at, m.id LIMIT 1) \
         FROM networks n JOIN people p ON p.id = n.caregiver_person_id ORDER BY p.postcode, n.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut out = Vec::new();
    for (network_id, postcode, own, member) in rows {
        let Some(pc4) = postcode.and_then(|p| Pc4::from_postcode(&p).ok()) else {
            continue;
        };
        let (author, on_behalf) = match (own, member) {
            (Some(own), _) => (own, false),
            (None, Some(member)) => (member, true),
            (None, None) => continue,
        };
        out.push(Kring {
            network_id,
            pc4,
            author,
            on_behalf,
        });
    }
    Ok(out)
}

fn entered_request(k: usize, kring: &Kring, today: Day) -> RequestDraft {
    let (help_type, description) = ENTERED_REQUESTS[k % ENTERED_REQUESTS.len()];
    let weekly = k % 3 != 2;
    let first_on = today.plus(1 + (k % 9) as i64);
    let day = first_on.weekday();
    let part = k % 2;
    let (start, end) = DAY_PARTS[part];
    let mut windows = vec![WeekSlot::new(day, start, end).expect("valid")];
    if weekly {
        // A second day that would do as well.
        let other = WEEKDAYS[(WEEKDAYS.iter().position(|d| *d == day).unwrap_or(0) + 2) % 7];
        windows.push(WeekSlot::new(other, start, end).expect("valid"));
    }
    RequestDraft {
        help_type,
        description: description.to_string(),
        recurrence: if weekly {
            Recurrence::Weekly
        } else {
            Recurrence::Once
        },
        first_on,
        windows,
        duration_minutes: [60, 90, 120][k % 3],
        pc4: kring.pc4,
        max_distance_km: [5.0, 8.0, 10.0][k % 3],
        needs_car: help_type == HelpType::Vervoer,
        needs_vog: help_type == HelpType::Gezelschap && k.is_multiple_of(2),
        needs_skills: if k % 5 == 2 {
            Skills::EMPTY.with(Skill::Dementie)
        } else {
            Skills::EMPTY
        },
        language: (k % 11 == 7).then_some(Language::Ar),
        urgency: [
            Urgency::Normal,
            Urgency::Normal,
            Urgency::Soon,
            Urgency::Urgent,
        ][k % 4],
    }
}

/// Volunteer accounts and profiles, requests (entered and escalated) and a few proposals
/// further along, in the caller's transaction.
pub async fn seed(tx: &mut Conn, input: &MatchingInput<'_>) -> Result<MatchingSeeded, StoreError> {
    let now = input.now;
    let today = Day::local(now);
    let mut seeded = MatchingSeeded::default();
    let coordinator = Actor::user(input.coordinator_user_id);

    // Volunteers: an account (role vrijwilliger), a person with their postcode, a profile.
    volunteers::register(
        tx,
        input.youssef_user_id,
        Some(input.region_id),
        &youssef_profile(today)?,
        now - 90 * DAY_MS,
    )
    .await
    .map_err(MatchingError::into_store_error)?;
    volunteers::intake(
        tx,
        input.youssef_user_id,
        input.coordinator_user_id,
        "Kennismaking gehad; VOG gezien.",
        now - 85 * DAY_MS,
    )
    .await
    .map_err(MatchingError::into_store_error)?;
    seeded.volunteers += 1;
    for i in 0..VOLUNTEERS {
        let given = GIVEN[i % GIVEN.len()];
        let family = FAMILY[(i * 7 + i / GIVEN.len()) % FAMILY.len()];
        let name = format!("{given} {family}");
        let email = format!(
            "{}@vrijwilligers.demo.mantelkring.nl",
            crate::demo_kring::derived_email(&name)
                .split('@')
                .next()
                .unwrap_or("vrijwilliger")
        );
        let profile = volunteer_profile(i, today)?;
        let postcode = format!("{} {}", profile.pc4, ["AB", "CD", "EF", "GH"][i % 4]);
        let person = base::insert_person(
            tx,
            &NewPerson {
                given_name: given,
                family_name: family,
                email: Some(&email),
                phone: None,
                postcode: Some(&postcode),
                municipality_id: None,
            },
        )
        .await?;
        let user = base::insert_user(
            tx,
            &NewUser {
                email: &email,
                display_name: &name,
                person_id: Some(&person),
                password_hash: Some(input.password_hash),
                totp_secret: None,
            },
        )
        .await?;
        identity::add_personal_role(tx, &user, Role::Volunteer).await?;
        let registered = now - (20 + i as i64 * 3) * DAY_MS;
        volunteers::register(tx, &user, Some(input.region_id), &profile, registered)
            .await
            .map_err(MatchingError::into_store_error)?;
        seeded.volunteers += 1;
        if i < IN_INTAKE {
            seeded.awaiting_intake += 1;
            continue;
        }
        volunteers::intake(
            tx,
            &user,
            input.coordinator_user_id,
            "Intakegesprek gehad.",
            registered + 5 * DAY_MS,
        )
        .await
        .map_err(MatchingError::into_store_error)?;
        if i < IN_INTAKE + PAUSED {
            volunteers::pause(tx, &user, now - 3 * DAY_MS)
                .await
                .map_err(MatchingError::into_store_error)?;
        }
    }

    // Requests: some kring tasks that nobody took go to the volunteers, then the entered ones.
    let kringen = kringen(tx).await?;
    let wanted =
        mantelkring_store::network::agenda::help_wanted_tasks(tx, ESCALATED as i64).await?;
    for (network_id, task_id, _) in wanted {
        let Some(kring) = kringen.iter().find(|k| k.network_id == network_id) else {
            continue;
        };
        let title: (String,) = sqlx::query_as("SELECT title FROM network_tasks WHERE id = $1")
            .bind(&task_id)
            .fetch_one(&mut *tx)
            .await?;
        let escalation = Escalation {
            help_type: help_type_of_task(&title.0),
            pc4: kring.pc4,
            max_distance_km: 8.0,
            urgency: Urgency::Soon,
        };
        let by = Actor {
            user_id: Some(&kring.author),
            on_behalf: kring.on_behalf,
        };
        requests::escalate_task(tx, &network_id, &task_id, &escalation, by, now - 2 * DAY_MS)
            .await
            .map_err(MatchingError::into_store_error)?;
        seeded.escalated += 1;
    }
    for k in 0..ENTERED {
        let kring = &kringen[(k * 7) % kringen.len()];
        let by = Actor {
            user_id: Some(&kring.author),
            on_behalf: kring.on_behalf,
        };
        let created = now - (10 - (k % 10) as i64) * DAY_MS;
        requests::create(
            tx,
            &kring.network_id,
            Some(input.region_id),
            &entered_request(k, kring, today),
            by,
            created,
        )
        .await
        .map_err(MatchingError::into_store_error)?;
    }

    // A few requests further along, each with the engine's best candidate.
    let engine = engine_input::load(tx, input.region_id, DEFAULT_VOG_VALID_YEARS)
        .await
        .map_err(MatchingError::into_store_error)?;
    let weights = Weights::default();
    let youssef = engine
        .volunteer_ids
        .iter()
        .position(|id| id == input.youssef_user_id);
    let index = VolunteerIndex::build(engine.volunteers.clone());
    let mut youssef_proposals = 0;
    let mut others = 0;
    for (r, request) in engine.requests.iter().enumerate() {
        let request_id = &engine.request_ids[r];
        // Youssef first: two of the requests he can take (one waiting, one accepted).
        let youssef_fits = youssef.is_some_and(|y| {
            youssef_proposals < 2 && check(request, &engine.volunteers[y]).is_ok()
        });
        let (volunteer_id, score, reasons) = if youssef_fits {
            let y = youssef.expect("checked");
            let (score, reasons) = score(request, &engine.volunteers[y], &weights);
            (engine.volunteer_ids[y].clone(), score, reasons)
        } else if others < 8 && r % 3 == 0 {
            let Some(best) = rank(&index, request, &weights, 1).into_iter().next() else {
                continue;
            };
            let id = engine.volunteer_ids[best.volunteer as usize].clone();
            if id == input.youssef_user_id {
                continue;
            }
            (id, best.score, best.reasons)
        } else {
            continue;
        };
        let proposed_at = now - (3 + r as i64 % 20) * HOUR_MS;
        let proposed = proposals::propose(
            tx,
            &NewProposal {
                request_id,
                volunteer_user_id: &volunteer_id,
                score,
                reasons: &reasons,
                answer_hours: DEFAULT_ANSWER_HOURS,
            },
            coordinator,
            proposed_at,
        )
        .await
        .map_err(MatchingError::into_store_error)?;
        seeded.proposals += 1;
        let answered_at = proposed_at + HOUR_MS;
        if youssef_fits {
            if youssef_proposals == 0 {
                seeded.youssef_answer_secret = proposed.secret;
                seeded.youssef_waiting_proposal = proposed.id;
            } else {
                proposals::answer(tx, &proposed.id, &volunteer_id, true, answered_at)
                    .await
                    .map_err(MatchingError::into_store_error)?;
            }
            youssef_proposals += 1;
            continue;
        }
        // The others in turn: waiting, accepted, done, done and evaluated by both, declined.
        match others % 5 {
            0 => {}
            1 => {
                proposals::answer(tx, &proposed.id, &volunteer_id, true, answered_at)
                    .await
                    .map_err(MatchingError::into_store_error)?;
            }
            2 | 3 => {
                proposals::answer(tx, &proposed.id, &volunteer_id, true, answered_at)
                    .await
                    .map_err(MatchingError::into_store_error)?;
                proposals::mark_done(tx, &proposed.id, coordinator, answered_at + HOUR_MS)
                    .await
                    .map_err(MatchingError::into_store_error)?;
                if others % 5 == 3 {
                    let network_id = &engine.network_ids[request.caregiver as usize];
                    let author = kringen
                        .iter()
                        .find(|k| &k.network_id == network_id)
                        .map(|k| k.author.clone())
                        .unwrap_or_default();
                    for (side, by, note) in [
                        (
                            Side::Volunteer,
                            volunteer_id.as_str(),
                            "Fijne ochtend gehad.",
                        ),
                        (
                            Side::CaregiverSide,
                            author.as_str(),
                            "Heel fijn, graag vaker.",
                        ),
                    ] {
                        let rating = Rating::new(5).map_err(|e| StoreError::Conflict(e.into()))?;
                        proposals::evaluate(
                            tx,
                            &proposed.id,
                            side,
                            rating,
                            note,
                            by,
                            answered_at + 2 * HOUR_MS,
                        )
                        .await
                        .map_err(MatchingError::into_store_error)?;
                    }
                }
            }
            _ => {
                proposals::answer(tx, &proposed.id, &volunteer_id, false, answered_at)
                    .await
                    .map_err(MatchingError::into_store_error)?;
            }
        }
        others += 1;
    }
    let open: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM help_requests WHERE region_id = $1 AND status = 'open'",
    )
    .bind(input.region_id)
    .fetch_one(&mut *tx)
    .await?;
    seeded.open_requests = open.0 as usize;
    Ok(seeded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_profile_and_request_passes_the_stores_checks() {
        let today = Day::parse("2026-11-24").expect("a day");
        for i in 0..VOLUNTEERS {
            volunteer_profile(i, today)
                .expect("a profile")
                .check()
                .unwrap_or_else(|e| panic!("volunteer {i}: {e}"));
        }
        youssef_profile(today)
            .expect("a profile")
            .check()
            .expect("Youssef");
        let kring = Kring {
            network_id: String::new(),
            pc4: pc4("2312").expect("pc4"),
            author: String::new(),
            on_behalf: false,
        };
        for k in 0..ENTERED {
            entered_request(k, &kring, today)
                .check()
                .unwrap_or_else(|e| panic!("request {k}: {e}"));
        }
    }
}
