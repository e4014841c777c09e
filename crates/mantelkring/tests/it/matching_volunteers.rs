//! Hulpvraag en aanbod, the volunteer's side, through HTTP on the demo region: a volunteer
//! registers (`/vrijwilliger/profiel`), the coordinator does the intake (`/vrijwilligers/intake`)
//! and the profile is active; pausing and resuming; bad input is a 400 with a Dutch message and
//! writes nothing; who may NOT open these pages (a caregiver, a professional, another volunteer,
//! nobody logged in), each refusal logged. On SQLite and, with `TEST_DATABASE_URL`, PostgreSQL.
//! The helpers here are shared with matching_answers.rs.

use crate::identity::{Browser, count};
use crate::screening_checks::{location, text, user_id};
use crate::support::TestApp;
use mantelkring::demo::{self, DEMO_PASSWORD};
use mantelkring_core::base::Role;
use mantelkring_core::directory::model::Weekday;
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::Recurrence;
use mantelkring_core::matching::{HelpType, HelpTypes, Languages, Skills, Urgency, WeekSlot};
use mantelkring_core::network::agenda::Day;
use mantelkring_core::time::now_ms;
use mantelkring_store::matching::Actor;
use mantelkring_store::matching::proposals::{self, NewProposal};
use mantelkring_store::matching::requests::{self, RequestDraft};
use mantelkring_store::matching::volunteers::{self, ProfileDraft, ProfileStatus};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, base, identity};
use reqwest::StatusCode;

pub const PETER: &str = "peter.bakker@demo.mantelkring.nl";
pub const RIA: &str = "ria.devries@demo.mantelkring.nl";
pub const YOUSSEF: &str = "youssef.amrani@demo.mantelkring.nl";
/// Ria's phone number and postcode, set by [`world`]: a volunteer sees them only after accepting.
pub const RIA_PHONE: &str = "071 555 0123";
pub const RIA_POSTCODE: &str = "2312 AB";

/// The demo on one database, with the ids the matching tests need.
pub struct World {
    pub app: TestApp,
    pub ria_user: String,
    pub network: String,
    pub region: String,
    pub peter: String,
}

pub async fn world(db: TestDatabase) -> World {
    let app = TestApp::on(db).await;
    let seeded = demo::seed(&app.store).await.unwrap();
    // Sanne sees the agenda but does not act for Ria; the kring tests' starting point.
    crate::support::reset_ria_kring(&app.store, &seeded.caregiver_person_id).await;
    // The worker's start-up expiry pass would otherwise expire a test's overdue proposal
    // before the test looks at it.
    crate::support::settle_start_up_jobs(&app.store).await;
    let store = &app.store;
    sqlx::query("UPDATE people SET phone = $2, postcode = $3 WHERE id = $1")
        .bind(&seeded.caregiver_person_id)
        .bind(RIA_PHONE)
        .bind(RIA_POSTCODE)
        .execute(store.pool())
        .await
        .unwrap();
    let mut conn = store.pool().acquire().await.unwrap();
    let network = mantelkring_store::network::network_of(&mut conn, &seeded.caregiver_person_id)
        .await
        .unwrap();
    drop(conn);
    let (region,): (String,) = sqlx::query_as(
        "SELECT o.region_id FROM memberships m JOIN organisations o ON o.id = m.organisation_id \
         JOIN users u ON u.id = m.user_id WHERE u.email = $1 AND m.role = 'volunteer_coordinator'",
    )
    .bind(PETER)
    .fetch_one(store.pool())
    .await
    .unwrap();
    World {
        ria_user: user_id(store, RIA).await,
        peter: user_id(store, PETER).await,
        network,
        region,
        app,
    }
}

impl World {
    pub async fn browser_as(&self, role: Role) -> Browser<'_> {
        let b = Browser::new(&self.app);
        b.login_as(role).await;
        b
    }

    /// A browser logged in with the demo password as `email`.
    pub async fn browser_of(&self, email: &str) -> Browser<'_> {
        let b = Browser::new(&self.app);
        let r = b.login(email, DEMO_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {email}");
        b
    }

    /// A new user with the Volunteer role (no profile yet) and the demo password.
    pub async fn new_volunteer(&self, email: &str, name: &str) -> String {
        let store = &self.app.store;
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE email = $1")
            .bind(YOUSSEF)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let id = base::insert_user(
            &mut tx,
            &base::NewUser {
                email,
                display_name: name,
                person_id: None,
                password_hash: Some(&hash),
                totp_secret: None,
            },
        )
        .await
        .unwrap();
        identity::add_personal_role(&mut tx, &id, Role::Volunteer)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// A new volunteer with an active profile in Peter's region (through the store).
    pub async fn active_volunteer(&self, email: &str, name: &str) -> String {
        let id = self.new_volunteer(email, name).await;
        let mut tx = self.app.store.begin_write().await.unwrap();
        volunteers::register(&mut tx, &id, Some(&self.region), &profile(), now_ms())
            .await
            .unwrap();
        volunteers::intake(&mut tx, &id, &self.peter, "kennismaking", now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// An open help request of Ria's kring (through the store).
    pub async fn open_request(&self) -> String {
        let mut tx = self.app.store.begin_write().await.unwrap();
        let id = requests::create(
            &mut tx,
            &self.network,
            Some(&self.region),
            &request_draft(),
            Actor::user(&self.ria_user),
            now_ms(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// Proposes `volunteer` for `request` at `at`: (proposal id, the answer link's path).
    pub async fn propose_at(&self, request: &str, volunteer: &str, at: i64) -> (String, String) {
        let mut tx = self.app.store.begin_write().await.unwrap();
        let proposed = proposals::propose(
            &mut tx,
            &NewProposal {
                request_id: request,
                volunteer_user_id: volunteer,
                score: 10,
                reasons: &[],
                answer_hours: 48,
            },
            Actor::user(&self.peter),
            at,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        (proposed.id, format!("/hulp/antwoord/{}", proposed.secret))
    }

    pub async fn propose(&self, request: &str, volunteer: &str) -> (String, String) {
        self.propose_at(request, volunteer, now_ms()).await
    }

    pub async fn proposal_status(&self, proposal: &str) -> String {
        let (status,): (String,) =
            sqlx::query_as("SELECT status FROM match_proposals WHERE id = $1")
                .bind(proposal)
                .fetch_one(self.app.store.pool())
                .await
                .unwrap();
        status
    }

    pub async fn profile_status(&self, user: &str) -> Option<ProfileStatus> {
        let mut conn = self.app.store.pool().acquire().await.unwrap();
        volunteers::get(&mut conn, user)
            .await
            .unwrap()
            .map(|p| p.status)
    }
}

pub fn profile() -> ProfileDraft {
    ProfileDraft {
        offers: HelpTypes::EMPTY.with(HelpType::Boodschappen),
        skills: Skills::EMPTY,
        languages: Languages::EMPTY.with(mantelkring_core::matching::Language::Nl),
        pc4: Pc4::parse("2312").unwrap(),
        max_distance_km: 5.0,
        municipalities: Vec::new(),
        availability: Weekday::ALL
            .iter()
            .map(|&d| WeekSlot::new(d, 480, 1320).unwrap())
            .collect(),
        capacity: 2,
        has_car: false,
        vog_issued_on: None,
        preferences: String::new(),
    }
}

pub fn request_draft() -> RequestDraft {
    let first_on = Day::local(now_ms()).plus(3);
    RequestDraft {
        help_type: HelpType::Boodschappen,
        description: "Boodschappen bij de supermarkt om de hoek".into(),
        recurrence: Recurrence::Weekly,
        first_on,
        windows: vec![WeekSlot::new(first_on.weekday(), 9 * 60, 12 * 60).unwrap()],
        duration_minutes: 60,
        pc4: Pc4::parse("2312").unwrap(),
        max_distance_km: 5.0,
        needs_car: false,
        needs_vog: false,
        needs_skills: Skills::EMPTY,
        language: None,
        urgency: Urgency::Normal,
    }
}

/// (outcome, purpose) of the audit records with `category` by `user`, oldest first.
pub async fn records(store: &Store, user: &str, category: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT outcome, purpose FROM audit_log WHERE user_id = $1 AND data_category = $2 \
         ORDER BY seq",
    )
    .bind(user)
    .bind(category)
    .fetch_all(store.pool())
    .await
    .unwrap()
}

fn good_form(region: &str) -> Vec<(&str, &str)> {
    vec![
        ("regio", region),
        ("hulp", "boodschappen"),
        ("hulp", "gezelschap"),
        ("vaardigheden", "dementie"),
        ("talen", "nl"),
        ("talen", "ar"),
        ("postcode", "2312 AB"),
        ("afstand", "3,5"),
        ("beschikbaar", "di-ochtend"),
        ("beschikbaar", "do-middag"),
        ("capaciteit", "2"),
        ("auto", "ja"),
        ("vog", "2025-03-15"),
        ("voorkeuren", "Liever geen katten."),
    ]
}

#[tokio::test]
async fn a_volunteer_registers_the_coordinator_does_the_intake_and_the_profile_is_active() {
    for db in TestDatabase::all().await {
        let w = world(db).await;
        let be = w.app.store.backend();
        let store = &w.app.store;
        let vera = w
            .new_volunteer("vera.vrijwilliger@example.nl", "Vera Visser")
            .await;
        let b = w.browser_of("vera.vrijwilliger@example.nl").await;

        // No profile yet: the registration form.
        let r = b.get("/vrijwilliger/profiel").await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("Aanmelden als vrijwilliger"), "{be:?}");
        assert!(html.contains("name=\"beschikbaar\" type=\"checkbox\" value=\"di-ochtend\""));

        // Bad input: 400, Dutch messages, nothing written.
        let before = count(store, "volunteer_profiles").await;
        let r = b
            .post(
                "/vrijwilliger/profiel",
                &[
                    ("regio", &w.region),
                    ("postcode", "12"),
                    ("afstand", "80"),
                    ("capaciteit", "0"),
                    ("vog", "2999-01-01"),
                    ("hulp", "raket"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?}");
        let html = text(r).await;
        for message in [
            "Kies minstens één soort hulp.",
            "Vul een postcode in, bijvoorbeeld 2312 of 2312 AB.",
            "Vul een afstand in tussen 0,5 en 50 kilometer.",
            "Kies minstens één moment in de week.",
            "Vul een getal in van 1 tot en met 10.",
            "niet in de toekomst ligt",
        ] {
            assert!(html.contains(message), "{be:?}: {message}");
        }
        assert_eq!(count(store, "volunteer_profiles").await, before);

        // Registered: waiting for the intake.
        let r = b.post("/vrijwilliger/profiel", &good_form(&w.region)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert_eq!(location(&r), "/vrijwilliger/profiel?gedaan=aangemeld");
        assert_eq!(w.profile_status(&vera).await, Some(ProfileStatus::Intake));
        let html = text(b.get("/vrijwilliger/profiel?gedaan=aangemeld").await).await;
        assert!(html.contains("Wacht op intake"), "{be:?}");
        assert!(html.contains("value=\"do-middag\" checked"), "{be:?}");
        assert!(html.contains("Liever geen katten."));
        let mut conn = store.pool().acquire().await.unwrap();
        let stored = volunteers::get(&mut conn, &vera).await.unwrap().unwrap();
        drop(conn);
        assert_eq!(stored.region_id.as_deref(), Some(w.region.as_str()));
        assert_eq!(stored.draft.max_distance_km, 3.5);
        assert!(stored.draft.has_car);
        assert_eq!(stored.draft.availability.len(), 2);
        // Pausing is for an active profile only: a clear refusal, not a 500.
        let r = b.post("/vrijwilliger/profiel/pauzeren", &[]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?}");
        assert!(text(r).await.contains("Alleen een actief profiel"));

        // Peter (coordinator, second factor) sees her in the intake list and makes her active.
        let peter = w.browser_as(Role::VolunteerCoordinator).await;
        let r = peter.get("/vrijwilligers/intake").await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        let form = format!("/vrijwilligers/intake/{vera}");
        assert!(
            html.contains("Vera Visser") && html.contains(&form),
            "{be:?}"
        );
        let html = text(peter.get(&form).await).await;
        assert!(html.contains("Intake van Vera Visser"), "{be:?}");
        assert!(html.contains("Boodschappen, Gezelschap"), "{be:?}");
        // VOG seen without a usable date: 400, still waiting.
        let r = peter
            .post(&form, &[("vog_gezien", "ja"), ("vog", "gisteren")])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?}");
        assert_eq!(w.profile_status(&vera).await, Some(ProfileStatus::Intake));
        let r = peter
            .post(
                &form,
                &[
                    ("vog_gezien", "ja"),
                    ("vog", "01-02-2026"),
                    ("notitie", "Fijn gesprek."),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert_eq!(location(&r), "/vrijwilligers/intake?gedaan=actief");
        let mut conn = store.pool().acquire().await.unwrap();
        let stored = volunteers::get(&mut conn, &vera).await.unwrap().unwrap();
        drop(conn);
        assert_eq!(stored.status, ProfileStatus::Active);
        assert_eq!(stored.intake_by_user_id.as_deref(), Some(w.peter.as_str()));
        assert_eq!(
            stored.draft.vog_issued_on.map(Day::iso).as_deref(),
            Some("2026-02-01")
        );
        assert!(stored.intake_note.contains("Fijn gesprek."));
        // A second intake is refused clearly.
        let r = peter.post(&form, &[("notitie", "nog eens")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?}");
        // Her list no longer has her.
        assert!(
            !text(peter.get("/vrijwilligers/intake").await)
                .await
                .contains(&form)
        );
        let logged = records(store, &w.peter, "volunteer_profile").await;
        assert!(
            logged
                .iter()
                .any(|(o, p)| o == "success" && p == "volunteer_coordination"),
            "{logged:?}"
        );

        // Vera: active, then paused and resumed, then she edits her profile.
        let html = text(b.get("/vrijwilliger/profiel").await).await;
        assert!(html.contains(">Actief<"), "{be:?}");
        let r = b.post("/vrijwilliger/profiel/pauzeren", &[]).await;
        assert_eq!(location(&r), "/vrijwilliger/profiel?gedaan=gepauzeerd");
        assert_eq!(w.profile_status(&vera).await, Some(ProfileStatus::Paused));
        let r = b.post("/vrijwilliger/profiel/hervatten", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(w.profile_status(&vera).await, Some(ProfileStatus::Active));
        let mut edited = good_form(&w.region);
        edited.retain(|(k, _)| *k != "auto");
        edited.push(("capaciteit", "3"));
        edited.retain(|(k, v)| !(*k == "capaciteit" && *v == "2"));
        let r = b.post("/vrijwilliger/profiel", &edited).await;
        assert_eq!(location(&r), "/vrijwilliger/profiel?gedaan=opgeslagen");
        let mut conn = store.pool().acquire().await.unwrap();
        let stored = volunteers::get(&mut conn, &vera).await.unwrap().unwrap();
        drop(conn);
        assert_eq!(
            stored.status,
            ProfileStatus::Active,
            "editing keeps the status"
        );
        assert_eq!(stored.draft.capacity, 3);
        assert!(!stored.draft.has_car);
        let r = b.post("/vrijwilliger/profiel/stoppen", &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(w.profile_status(&vera).await, Some(ProfileStatus::Ended));
    }
}

#[tokio::test]
async fn who_may_not_open_the_volunteer_profile_and_the_intake() {
    let w = world(TestDatabase::sqlite()).await;
    let store = &w.app.store;
    let vera = w
        .new_volunteer("vera.vrijwilliger@example.nl", "Vera Visser")
        .await;
    let vera_b = w.browser_of("vera.vrijwilliger@example.nl").await;
    let r = vera_b
        .post("/vrijwilliger/profiel", &good_form(&w.region))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let intake_form = format!("/vrijwilligers/intake/{vera}");

    // Nobody logged in: to the login page.
    let anonymous = Browser::new(&w.app);
    for path in [
        "/vrijwilliger/profiel",
        "/vrijwilligers/intake",
        &intake_form,
    ] {
        let r = anonymous.get(path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&r).starts_with("/inloggen"), "{path}");
    }

    // A caregiver and a professional have no volunteer profile page, and no intake.
    for role in [Role::Caregiver, Role::Professional] {
        let b = w.browser_as(role).await;
        assert_eq!(
            b.get("/vrijwilliger/profiel").await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        let r = b.post("/vrijwilliger/profiel", &good_form(&w.region)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
        assert_eq!(
            b.get("/vrijwilligers/intake").await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        assert_eq!(
            b.get(&intake_form).await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
    }
    // Another volunteer sees only their own profile: not Vera's, not the intake, no intake done.
    let youssef = w.browser_as(Role::Volunteer).await;
    assert_eq!(
        youssef.get("/vrijwilliger/profiel").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        youssef.get("/vrijwilligers/intake").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        youssef.get(&intake_form).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = youssef.post(&intake_form, &[("notitie", "ik")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(w.profile_status(&vera).await, Some(ProfileStatus::Intake));
    // Vera herself cannot do her own intake.
    let r = vera_b.post(&intake_form, &[("notitie", "ik")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(w.profile_status(&vera).await, Some(ProfileStatus::Intake));
    // Every refusal is in the audit log.
    let youssef_id = user_id(store, YOUSSEF).await;
    let refused = records(store, &youssef_id, "volunteer_profile").await;
    assert!(
        refused.iter().filter(|(o, _)| o == "denied").count() >= 3,
        "{refused:?}"
    );
    let ria_refused = records(store, &w.ria_user, "volunteer_profile").await;
    assert!(
        ria_refused
            .iter()
            .any(|(o, p)| o == "denied" && p == "role_missing"),
        "{ria_refused:?}"
    );
}
