//! Hulpvraag en aanbod (issue 7) behaves the same on both backends: the workflow end to end
//! (request → propose → decline → expire → next proposal → accept → done → both evaluate),
//! single-use answer links, the unique rules, idempotent escalation linked both ways, the AVG
//! download and erasure, and the engine input agreeing with `check`.

use crate::on_every_backend;
use mantelkring_core::base::CbsCode;
use mantelkring_core::directory::model::Weekday;
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::{
    DEFAULT_ANSWER_HOURS, DEFAULT_VOG_VALID_YEARS, ProposalStatus, Rating, Recurrence,
    RequestStatus, Side,
};
use mantelkring_core::matching::{
    HelpType, HelpTypes, Language, Languages, Refusal, Skills, Urgency, WeekSlot, check,
};
use mantelkring_core::network::agenda::{ClockTime, Day, Schedule};
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::matching::requests::{self, Escalation, RequestDraft};
use mantelkring_store::matching::volunteers::{self, ProfileDraft};
use mantelkring_store::matching::{Actor, MatchingError, engine_input, events, proposals};
use mantelkring_store::network::agenda::{self, NewTask};
use mantelkring_store::network::members::By;
use mantelkring_store::screening::contacts;
use mantelkring_store::{Store, avg, network};

const HOUR: i64 = 3_600_000;
const NOW: i64 = 1_750_000_000_000;

struct World {
    region: String,
    network: String,
    caregiver_user: String,
    coordinator: String,
    volunteers: Vec<String>,
}

async fn user(store: &Store, email: &str, name: &str, person: Option<&str>) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let id = base::insert_user(
        &mut tx,
        &NewUser {
            email,
            display_name: name,
            person_id: person,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn tuesday() -> Day {
    // 2025-06-17 is a Tuesday.
    Day::parse("2025-06-17").unwrap()
}

fn profile(pc4: u16) -> ProfileDraft {
    ProfileDraft {
        offers: HelpTypes::EMPTY.with(HelpType::Boodschappen),
        skills: Skills::EMPTY,
        languages: Languages::EMPTY.with(Language::Nl),
        pc4: Pc4::parse(&pc4.to_string()).unwrap(),
        max_distance_km: 10.0,
        municipalities: vec![CbsCode::parse("GM0546").unwrap()],
        availability: vec![WeekSlot::new(Weekday::Tuesday, 8 * 60, 13 * 60).unwrap()],
        capacity: 2,
        has_car: false,
        vog_issued_on: Some(Day::parse("2024-01-10").unwrap()),
        preferences: "Liefst ochtenden".into(),
    }
}

fn draft() -> RequestDraft {
    RequestDraft {
        help_type: HelpType::Boodschappen,
        description: "Boodschappen bij de supermarkt".into(),
        recurrence: Recurrence::Once,
        first_on: tuesday(),
        windows: vec![WeekSlot::new(Weekday::Tuesday, 9 * 60, 12 * 60).unwrap()],
        duration_minutes: 60,
        pc4: Pc4::parse("2312").unwrap(),
        max_distance_km: 10.0,
        needs_car: false,
        needs_vog: true,
        needs_skills: Skills::EMPTY,
        language: None,
        urgency: Urgency::Normal,
    }
}

/// A region with a municipality, a caregiver (with an account) in it and their kring, a
/// coordinator, three active volunteers, and the PC4 centroids.
async fn world(store: &Store) -> World {
    let mut tx = store.begin_write().await.unwrap();
    let region = base::insert_region(&mut tx, "Holland Rijnland")
        .await
        .unwrap();
    let municipality = base::insert_municipality(
        &mut tx,
        Some(&region.id),
        &CbsCode::parse("GM0546").unwrap(),
        "Leiden",
    )
    .await
    .unwrap();
    let person = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: "Ria",
            family_name: "de Vries",
            email: None,
            phone: None,
            postcode: Some("2312 AB"),
            municipality_id: Some(&municipality.id),
        },
    )
    .await
    .unwrap();
    let network = network::network_of(&mut tx, &person).await.unwrap();
    for (pc4, lat, lon) in [
        ("2312", 52.1560, 4.4910),
        ("2313", 52.1600, 4.4800),
        ("2314", 52.1650, 4.5000),
    ] {
        sqlx::query(
            "INSERT INTO postcode_areas (pc4, place, municipality, province, latitude, longitude, \
             imported_at) VALUES ($1, 'Leiden', 'Leiden', 'Zuid-Holland', $2, $3, 0)",
        )
        .bind(pc4)
        .bind(lat)
        .bind(lon)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let caregiver_user = user(store, "ria@example.org", "Ria", Some(&person)).await;
    let coordinator = user(store, "galant@example.org", "Coördinator", None).await;
    let mut volunteers = Vec::new();
    for (i, pc4) in [2313u16, 2314, 2313].into_iter().enumerate() {
        let v = user(
            store,
            &format!("v{i}@example.org"),
            &format!("Vrijwilliger {i}"),
            None,
        )
        .await;
        let mut tx = store.begin_write().await.unwrap();
        volunteers::register(&mut tx, &v, Some(&region.id), &profile(pc4), NOW)
            .await
            .unwrap();
        volunteers::intake(&mut tx, &v, &coordinator, "Kennismaking gehad", NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        volunteers.push(v);
    }
    World {
        region: region.id,
        network,
        caregiver_user,
        coordinator,
        volunteers,
    }
}

async fn request(store: &Store, w: &World) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let id = requests::create(
        &mut tx,
        &w.network,
        None,
        &draft(),
        Actor::user(&w.caregiver_user),
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn propose(
    store: &Store,
    w: &World,
    request_id: &str,
    volunteer: &str,
    at: i64,
) -> Result<proposals::Proposed, MatchingError> {
    let mut tx = store.begin_write().await.unwrap();
    let result = proposals::propose(
        &mut tx,
        &proposals::NewProposal {
            request_id,
            volunteer_user_id: volunteer,
            score: 150,
            reasons: &[],
            answer_hours: DEFAULT_ANSWER_HOURS,
        },
        Actor::user(&w.coordinator),
        at,
    )
    .await;
    if result.is_ok() {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
    result
}

async fn status_of(store: &Store, request_id: &str) -> RequestStatus {
    let mut conn = store.pool().acquire().await.unwrap();
    requests::status(&mut conn, request_id)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn matching_workflow_end_to_end() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let req = request(&store, &w).await;
        // The region came from the caregiver's municipality.
        let mut conn = store.pool().acquire().await.unwrap();
        let stored = requests::get(&mut conn, &req).await.unwrap().unwrap();
        assert_eq!(stored.region_id.as_deref(), Some(w.region.as_str()));
        assert_eq!(stored.draft, draft());
        assert_eq!(stored.status, RequestStatus::Open);
        drop(conn);

        // First volunteer declines (in the app).
        let first = propose(&store, &w, &req, &w.volunteers[0], NOW)
            .await
            .unwrap();
        assert_eq!(first.respond_by, NOW + 48 * HOUR);
        assert_eq!(status_of(&store, &req).await, RequestStatus::Proposed);
        let mut tx = store.begin_write().await.unwrap();
        proposals::answer(&mut tx, &first.id, &w.volunteers[0], false, NOW + HOUR)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(status_of(&store, &req).await, RequestStatus::Open);

        // Second volunteer does not answer: the job expires the proposal.
        let second = propose(&store, &w, &req, &w.volunteers[1], NOW + 2 * HOUR)
            .await
            .unwrap();
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            proposals::expire_overdue(&mut tx, NOW + 49 * HOUR)
                .await
                .unwrap()
                .is_empty()
        );
        // The job's way: the longest overdue one, then nothing more.
        let expired: Vec<_> = proposals::expire_next_overdue(&mut tx, NOW + 51 * HOUR)
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert!(
            proposals::expire_next_overdue(&mut tx, NOW + 51 * HOUR)
                .await
                .unwrap()
                .is_none()
        );
        tx.commit().await.unwrap();
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].proposal_id, second.id);
        assert_eq!(expired[0].request_id, req);
        assert_eq!(status_of(&store, &req).await, RequestStatus::Open);
        // Its link no longer works.
        let mut tx = store.begin_write().await.unwrap();
        assert!(matches!(
            proposals::answer_by_link(&mut tx, &second.secret, true, NOW + 52 * HOUR).await,
            Err(MatchingError::LinkExpired)
        ));
        tx.rollback().await.unwrap();

        // The engine input now refuses both for this request; the third is the candidate.
        let mut conn = store.pool().acquire().await.unwrap();
        let input = engine_input::load(&mut conn, &w.region, DEFAULT_VOG_VALID_YEARS)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(input.request_ids, vec![req.clone()]);
        assert_eq!(input.volunteers.len(), 3);
        assert!(input.skipped.is_empty(), "{:?}", input.skipped);
        let engine_req = &input.requests[0];
        for (i, vol) in input.volunteers.iter().enumerate() {
            let expected = if input.volunteer_ids[i] == w.volunteers[2] {
                Ok(())
            } else {
                Err(Refusal::Declined)
            };
            assert_eq!(
                check(engine_req, vol),
                expected,
                "{}",
                input.volunteer_ids[i]
            );
        }

        // Third volunteer accepts through the e-mail link; the link is then used.
        let third = propose(&store, &w, &req, &w.volunteers[2], NOW + 52 * HOUR)
            .await
            .unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let accepted = proposals::answer_by_link(&mut tx, &third.secret, true, NOW + 53 * HOUR)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(accepted.status, ProposalStatus::Accepted);
        assert_eq!(status_of(&store, &req).await, RequestStatus::Accepted);
        let mut tx = store.begin_write().await.unwrap();
        assert!(matches!(
            proposals::answer_by_link(&mut tx, &third.secret, false, NOW + 54 * HOUR).await,
            Err(MatchingError::LinkUsed)
        ));
        assert!(matches!(
            proposals::answer_by_link(&mut tx, "not-a-secret", true, NOW).await,
            Err(MatchingError::LinkUnknown)
        ));
        // Evaluating before the help was given is refused.
        assert!(matches!(
            proposals::evaluate(
                &mut tx,
                &third.id,
                Side::Volunteer,
                Rating::new(4).unwrap(),
                "",
                &w.volunteers[2],
                NOW
            )
            .await,
            Err(MatchingError::Invalid(_))
        ));
        tx.rollback().await.unwrap();

        // The accepted volunteer carries one active match in the engine input.
        let mut conn = store.pool().acquire().await.unwrap();
        let input = engine_input::load(&mut conn, &w.region, DEFAULT_VOG_VALID_YEARS)
            .await
            .unwrap();
        let at = input
            .volunteer_ids
            .iter()
            .position(|v| *v == w.volunteers[2])
            .unwrap();
        assert_eq!(input.volunteers[at].active_matches, 1);
        assert!(input.requests.is_empty(), "an accepted request is not open");
        let mine = proposals::of_volunteer(&mut conn, &w.volunteers[2])
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].status, ProposalStatus::Accepted);
        let overview = proposals::coordinator_overview(&mut conn, &w.region, 50)
            .await
            .unwrap();
        assert_eq!(overview.len(), 3);
        assert_eq!(overview[0].status, ProposalStatus::Accepted);
        drop(conn);

        // Done, then both sides evaluate: geëvalueerd.
        let mut tx = store.begin_write().await.unwrap();
        proposals::mark_done(
            &mut tx,
            &third.id,
            Actor::user(&w.coordinator),
            NOW + 60 * HOUR,
        )
        .await
        .unwrap();
        let both = proposals::evaluate(
            &mut tx,
            &third.id,
            Side::Volunteer,
            Rating::new(5).unwrap(),
            "Fijne ochtend",
            &w.volunteers[2],
            NOW + 61 * HOUR,
        )
        .await
        .unwrap();
        assert!(!both);
        assert!(matches!(
            proposals::evaluate(
                &mut tx,
                &third.id,
                Side::Volunteer,
                Rating::new(3).unwrap(),
                "",
                &w.volunteers[2],
                NOW + 61 * HOUR
            )
            .await,
            Err(MatchingError::Conflict(_))
        ));
        let both = proposals::evaluate(
            &mut tx,
            &third.id,
            Side::CaregiverSide,
            Rating::new(4).unwrap(),
            "Dank je wel",
            &w.caregiver_user,
            NOW + 62 * HOUR,
        )
        .await
        .unwrap();
        assert!(both);
        tx.commit().await.unwrap();
        assert_eq!(status_of(&store, &req).await, RequestStatus::Evaluated);

        // The history: every status change, in order, with its proposal.
        let mut conn = store.pool().acquire().await.unwrap();
        let history = events(&mut conn, &req).await.unwrap();
        let statuses: Vec<&str> = history.iter().map(|e| e.status.as_str()).collect();
        assert_eq!(
            statuses,
            vec![
                "open",
                "proposed",
                "open",
                "proposed",
                "open",
                "proposed",
                "accepted",
                "done",
                "evaluated"
            ]
        );
        assert_eq!(history[2].proposal_id.as_deref(), Some(first.id.as_str()));
        assert_eq!(history[4].by_user_id, None, "the expiry is the job's");
        // Continuity: the third volunteer helped this kring before.
        let input = engine_input::load(&mut conn, &w.region, DEFAULT_VOG_VALID_YEARS)
            .await
            .unwrap();
        let at = input
            .volunteer_ids
            .iter()
            .position(|v| *v == w.volunteers[2])
            .unwrap();
        assert_eq!(input.volunteers[at].active_matches, 0);
        assert_eq!(input.volunteers[at].helped_caregivers.len(), 1);
        let caregiver = input.volunteers[at].helped_caregivers[0];
        assert_eq!(input.network_ids[caregiver as usize], w.network);
    })
    .await;
}

#[tokio::test]
async fn matching_unique_rules_hold() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let req = request(&store, &w).await;
        let first = propose(&store, &w, &req, &w.volunteers[0], NOW)
            .await
            .unwrap();
        // No second active proposal for the request (the workflow says so first).
        assert!(matches!(
            propose(&store, &w, &req, &w.volunteers[1], NOW).await,
            Err(MatchingError::Step(_))
        ));
        // ... and the database too.
        let mut tx = store.begin_write().await.unwrap();
        let direct = sqlx::query(
            "INSERT INTO match_proposals (id, request_id, volunteer_user_id, score, status, \
             proposed_at, respond_by, token_hash) VALUES ('x', $1, $2, 1, 'proposed', 0, 1, 'h')",
        )
        .bind(&req)
        .bind(&w.volunteers[1])
        .execute(&mut *tx)
        .await;
        assert!(direct.is_err());
        tx.rollback().await.unwrap();

        let mut tx = store.begin_write().await.unwrap();
        proposals::answer(&mut tx, &first.id, &w.volunteers[0], false, NOW + 1)
            .await
            .unwrap();
        // An answer twice is refused.
        assert!(matches!(
            proposals::answer(&mut tx, &first.id, &w.volunteers[0], true, NOW + 2).await,
            Err(MatchingError::Step(_))
        ));
        tx.commit().await.unwrap();
        // The volunteer who declined is never proposed again for this request.
        assert!(matches!(
            propose(&store, &w, &req, &w.volunteers[0], NOW + 3).await,
            Err(MatchingError::Conflict(_))
        ));
        let mut tx = store.begin_write().await.unwrap();
        let direct = sqlx::query(
            "INSERT INTO match_proposals (id, request_id, volunteer_user_id, score, status, \
             proposed_at, respond_by, token_hash) VALUES ('y', $1, $2, 1, 'declined', 0, 1, 'h2')",
        )
        .bind(&req)
        .bind(&w.volunteers[0])
        .execute(&mut *tx)
        .await;
        assert!(direct.is_err());
        tx.rollback().await.unwrap();
        // A paused volunteer is not proposed; a cancelled request takes no proposal.
        let mut tx = store.begin_write().await.unwrap();
        volunteers::pause(&mut tx, &w.volunteers[1], NOW)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(
            propose(&store, &w, &req, &w.volunteers[1], NOW + 4).await,
            Err(MatchingError::Invalid(_))
        ));
        let mut tx = store.begin_write().await.unwrap();
        requests::cancel(
            &mut tx,
            &req,
            Actor::user(&w.caregiver_user),
            "Opgelost",
            NOW + 5,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(
            propose(&store, &w, &req, &w.volunteers[2], NOW + 6).await,
            Err(MatchingError::Step(_))
        ));
        // A block keeps a volunteer away from the kring in the engine input.
        let req2 = request(&store, &w).await;
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            volunteers::block(
                &mut tx,
                &w.volunteers[2],
                &w.network,
                "",
                &w.coordinator,
                NOW
            )
            .await
            .unwrap()
        );
        assert!(
            !volunteers::block(
                &mut tx,
                &w.volunteers[2],
                &w.network,
                "",
                &w.coordinator,
                NOW
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let input = engine_input::load(&mut conn, &w.region, DEFAULT_VOG_VALID_YEARS)
            .await
            .unwrap();
        assert_eq!(input.request_ids, vec![req2]);
        let at = input
            .volunteer_ids
            .iter()
            .position(|v| *v == w.volunteers[2])
            .unwrap();
        assert_eq!(
            check(&input.requests[0], &input.volunteers[at]),
            Err(Refusal::Blocked)
        );
        // Bad input is refused in Dutch, nothing written.
        let mut tx = store.begin_write().await.unwrap();
        let bad = RequestDraft {
            windows: vec![WeekSlot::new(Weekday::Friday, 600, 700).unwrap()],
            ..draft()
        };
        let err = requests::create(
            &mut tx,
            &w.network,
            None,
            &bad,
            Actor::user(&w.caregiver_user),
            NOW,
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Een eenmalige hulpvraag heeft alleen tijden op de dag zelf."
        );
        tx.rollback().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn matching_escalation_is_idempotent_and_linked_both_ways_and_markers_are_handled() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        let task = agenda::add_task(
            &mut tx,
            &NewTask {
                network_id: &w.network,
                title: "Boodschappen doen",
                details: "Lijstje ligt klaar",
                schedule: Schedule::Weekly {
                    from: tuesday(),
                    until: None,
                },
                start: ClockTime::parse("10:00"),
                end: ClockTime::parse("11:30"),
                needed: 1,
            },
            By {
                user_id: &w.caregiver_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap();
        let with = Escalation {
            help_type: HelpType::Boodschappen,
            pc4: Pc4::parse("2312").unwrap(),
            max_distance_km: 10.0,
            urgency: Urgency::Soon,
        };
        let (first, made) = requests::escalate_task(
            &mut tx,
            &w.network,
            &task,
            &with,
            Actor::user(&w.caregiver_user),
            NOW,
        )
        .await
        .unwrap();
        assert!(made);
        let (again, made) = requests::escalate_task(
            &mut tx,
            &w.network,
            &task,
            &with,
            Actor::user(&w.caregiver_user),
            NOW,
        )
        .await
        .unwrap();
        assert!(!made);
        assert_eq!(again, first);
        tx.commit().await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let req = requests::get(&mut conn, &first).await.unwrap().unwrap();
        assert_eq!(req.task_id.as_deref(), Some(task.as_str()));
        assert_eq!(req.draft.recurrence, Recurrence::Weekly);
        assert_eq!(req.draft.duration_minutes, 90);
        assert_eq!(req.draft.windows[0].start_minute, 600);
        assert!(req.draft.description.starts_with("Boodschappen doen"));
        let (back,): (Option<String>,) =
            sqlx::query_as("SELECT help_request_id FROM network_tasks WHERE id = $1")
                .bind(&task)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(back.as_deref(), Some(first.as_str()));
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM help_requests WHERE task_id = $1")
                .bind(&task)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(count, 1);
        drop(conn);

        // A marker becomes a request once.
        let mut tx = store.begin_write().await.unwrap();
        let marker = contacts::add_marker(
            &mut tx,
            &w.network,
            None,
            "Hulp bij de tuin",
            &w.coordinator,
            NOW,
        )
        .await
        .unwrap();
        let from_marker = requests::from_marker(
            &mut tx,
            &w.network,
            &marker,
            &draft(),
            Actor::user(&w.coordinator),
            NOW,
        )
        .await
        .unwrap();
        assert!(matches!(
            requests::from_marker(
                &mut tx,
                &w.network,
                &marker,
                &draft(),
                Actor::user(&w.coordinator),
                NOW
            )
            .await,
            Err(MatchingError::Conflict(_))
        ));
        assert!(
            contacts::open_markers(&mut tx, &w.network)
                .await
                .unwrap()
                .is_empty()
        );
        let req = requests::get(&mut tx, &from_marker).await.unwrap().unwrap();
        assert_eq!(req.marker_id.as_deref(), Some(marker.as_str()));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn matching_avg_download_and_erasure_include_requests_profiles_and_proposals() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let req = request(&store, &w).await;
        let p = propose(&store, &w, &req, &w.volunteers[0], NOW)
            .await
            .unwrap();
        let mut tx = store.begin_write().await.unwrap();
        proposals::answer(&mut tx, &p.id, &w.volunteers[0], true, NOW + 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin_write().await.unwrap();
        let caregiver = avg::export(&mut tx, &w.caregiver_user)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(caregiver.matching.help_requests.len(), 1);
        assert_eq!(
            caregiver.matching.help_requests[0].description,
            "Boodschappen bij de supermarkt"
        );
        let volunteer = avg::export(&mut tx, &w.volunteers[0])
            .await
            .unwrap()
            .unwrap();
        let profile = volunteer.matching.volunteer_profile.clone().unwrap();
        assert_eq!(profile.preferences, "Liefst ochtenden");
        assert_eq!(profile.status, "active");
        assert_eq!(volunteer.matching.proposals.len(), 1);
        assert_eq!(volunteer.matching.proposals[0].status, "accepted");

        // Erasing the volunteer: the profile goes, the accepted proposal is withdrawn and the
        // request is open again for the next candidate.
        avg::erase(&mut tx, &w.volunteers[0])
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(status_of(&store, &req).await, RequestStatus::Open);
        let mut tx = store.begin_write().await.unwrap();
        // The request's history says it is open again, and why.
        let last = events(&mut tx, &req).await.unwrap().pop().unwrap();
        assert_eq!(last.status, "open");
        assert!(last.note.contains("laten wissen"), "{last:?}");
        let after = avg::export(&mut tx, &w.volunteers[0])
            .await
            .unwrap()
            .unwrap();
        assert!(after.matching.volunteer_profile.is_none());
        assert_eq!(after.matching.proposals[0].status, "withdrawn");

        // Erasing the caregiver: the request loses its text and is cancelled.
        let p2 = {
            let r = proposals::propose(
                &mut tx,
                &proposals::NewProposal {
                    request_id: &req,
                    volunteer_user_id: &w.volunteers[1],
                    score: 1,
                    reasons: &[],
                    answer_hours: 24,
                },
                Actor::user(&w.coordinator),
                NOW + 2,
            )
            .await
            .unwrap();
            r.id
        };
        avg::erase(&mut tx, &w.caregiver_user)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(status_of(&store, &req).await, RequestStatus::Cancelled);
        let mut conn = store.pool().acquire().await.unwrap();
        let stored = requests::get(&mut conn, &req).await.unwrap().unwrap();
        assert_eq!(stored.draft.description, "");
        let proposal = proposals::get(&mut conn, &p2).await.unwrap().unwrap();
        assert_eq!(proposal.status, ProposalStatus::Withdrawn);
    })
    .await;
}
