//! Help requests through HTTP (issue 7), on the demo region (Ria's kring: Marieke, professional
//! with every category; Sanne, her daughter, with agenda and messages): the form, bad input
//! refused with a Dutch message and nothing written, one-click escalation of an agenda task
//! (idempotent, linked both ways), and who may NOT see or change a kring's help requests. On
//! SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL. The coordinator's side is in
//! matching_coordinator.rs.

use crate::identity::{Browser, count, email_of};
use crate::screening_checks::{Demo, add_member, demo_on, location, text, user_id};
use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::{CbsCode, Role};
use mantelkring_core::directory::model::Weekday;
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::Recurrence;
use mantelkring_core::matching::{
    HelpType, HelpTypes, Language, Languages, Skills, Urgency, WeekSlot,
};
use mantelkring_core::network::MemberKind;
use mantelkring_core::network::agenda::{ClockTime, Day, Schedule};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewUser};
use mantelkring_store::matching::Actor;
use mantelkring_store::matching::requests::{self, RequestDraft};
use mantelkring_store::matching::volunteers::{self, ProfileDraft};
use mantelkring_store::network::agenda::{self, NewTask};
use mantelkring_store::network::members::By;
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

/// A new account with the demo password (copied from Ria's), without roles.
pub async fn new_user(app: &TestApp, email: &str, name: &str) -> String {
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE email = $1")
        .bind(email_of(Role::Caregiver))
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let mut tx = app.store.begin_write().await.unwrap();
    let id = base::insert_user(
        &mut tx,
        &NewUser {
            email,
            display_name: name,
            person_id: None,
            password_hash: Some(&hash),
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

pub async fn demo_region(app: &TestApp) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM regions WHERE name = $1")
        .bind(demo::REGION)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    id
}

/// An active volunteer of the demo region (intake done by Peter): groceries, every day
/// 08:00–20:00, speaks `languages`, lives in `pc4`.
pub async fn volunteer(
    app: &TestApp,
    email: &str,
    name: &str,
    pc4: &str,
    languages: Languages,
) -> String {
    let id = new_user(app, email, name).await;
    let region = demo_region(app).await;
    let peter = user_id(&app.store, email_of(Role::VolunteerCoordinator)).await;
    let mut tx = app.store.begin_write().await.unwrap();
    mantelkring_store::identity::add_personal_role(&mut tx, &id, Role::Volunteer)
        .await
        .unwrap();
    let draft = ProfileDraft {
        offers: HelpTypes::EMPTY.with(HelpType::Boodschappen),
        skills: Skills::EMPTY,
        languages,
        pc4: Pc4::parse(pc4).unwrap(),
        max_distance_km: 15.0,
        municipalities: vec![CbsCode::parse("GM0546").unwrap()],
        availability: Weekday::ALL
            .iter()
            .map(|d| WeekSlot::new(*d, 8 * 60, 20 * 60).unwrap())
            .collect(),
        capacity: 2,
        has_car: false,
        vog_issued_on: None,
        preferences: String::new(),
    };
    volunteers::register(&mut tx, &id, Some(&region), &draft, now_ms())
        .await
        .unwrap();
    volunteers::intake(&mut tx, &id, &peter, "Kennismaking gehad", now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

pub fn tomorrow() -> Day {
    Day::local(now_ms()).plus(1)
}

/// A request of Ria's kring that only Papiamento speakers fit (so the demo's own volunteers do
/// not get in the way), made through the store.
pub async fn stored_request(d: &Demo) -> String {
    let ria = user_id(&d.app.store, email_of(Role::Caregiver)).await;
    let day = tomorrow();
    let mut tx = d.app.store.begin_write().await.unwrap();
    let id = requests::create(
        &mut tx,
        &d.network,
        None,
        &RequestDraft {
            help_type: HelpType::Boodschappen,
            description: "Boodschappen bij de markt".into(),
            recurrence: Recurrence::Once,
            first_on: day,
            windows: vec![WeekSlot::new(day.weekday(), 9 * 60, 12 * 60).unwrap()],
            duration_minutes: 60,
            pc4: Pc4::parse("2324").unwrap(),
            max_distance_km: 10.0,
            needs_car: false,
            needs_vog: false,
            needs_skills: Skills::EMPTY,
            language: Some(Language::Pap),
            urgency: Urgency::Normal,
        },
        Actor::user(&ria),
        now_ms(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The request form as Ria fills it in: groceries, weekly from tomorrow, 09:00–17:00, an hour,
/// her postcode, Papiamento; `changes` replace fields.
pub fn form<'a>(date: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("soort", "boodschappen"),
        ("omschrijving", "Boodschappen doen bij de supermarkt"),
        ("herhaling", "wekelijks"),
        ("datum", date),
        ("dag1", ""),
        ("van1", "09:00"),
        ("tot1", "17:00"),
        ("duur", "60"),
        ("postcode", "2324 KD"),
        ("afstand", "10"),
        ("taal", "pap"),
        ("urgentie", "normaal"),
    ];
    for (k, v) in changes {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(field) => field.1 = v,
            None => fields.push((k, v)),
        }
    }
    fields
}

fn request_id_of(location: &str) -> String {
    location
        .trim_start_matches("/hulpvragen/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_caregiver_asks_for_a_volunteer_changes_and_cancels_the_request() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let ria = d.browser_as(Role::Caregiver).await;
        let list = format!("/kringen/{}/hulpvragen", d.network);
        // The kring's tabs lead to the list.
        let html = text(ria.get(&format!("/kringen/{}", d.network)).await).await;
        assert!(html.contains(&format!("href=\"{list}\"")), "{be:?}: tab");
        let r = ria.get(&format!("{list}/nieuw")).await;
        assert_eq!(r.status(), StatusCode::OK, "{be:?}");
        let html = text(r).await;
        assert!(html.contains("value=\"2324\""), "her PC4 filled in");
        let date = tomorrow().iso();
        let r = ria.post(&format!("{list}/nieuw"), &form(&date, &[])).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        let to = location(&r);
        assert!(to.ends_with("?klaar=gemaakt"), "{to}");
        let id = request_id_of(&to);
        let html = text(ria.get(&to).await).await;
        assert!(html.contains("Hulpvraag: Boodschappen"), "{be:?}");
        assert!(html.contains("De hulpvraag is verstuurd"));
        assert!(html.contains("Elke week, vanaf"));
        assert!(html.contains("spreekt Papiaments"));
        assert!(html.contains("Geschiedenis"));
        // Stored as typed, in Ria's region, with its first event.
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        let stored = requests::get(&mut conn, &id).await.unwrap().unwrap();
        drop(conn);
        assert_eq!(stored.draft.help_type, HelpType::Boodschappen);
        assert_eq!(stored.draft.recurrence, Recurrence::Weekly);
        assert_eq!(stored.draft.pc4.to_string(), "2324");
        assert_eq!(stored.draft.language, Some(Language::Pap));
        assert_eq!(
            stored.draft.windows,
            vec![WeekSlot::new(tomorrow().weekday(), 9 * 60, 17 * 60).unwrap()]
        );
        assert_eq!(stored.region_id, Some(demo_region(&d.app).await));
        assert!(!stored.on_behalf);
        // Listed in the kring.
        let html = text(ria.get(&list).await).await;
        assert!(html.contains(&format!("/hulpvragen/{id}")), "{be:?}");
        // Changed while open.
        let r = ria
            .post(
                &format!("/hulpvragen/{id}/wijzigen"),
                &form(&date, &[("soort", "wandelen"), ("urgentie", "dringend")]),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        let stored = requests::get(&mut conn, &id).await.unwrap().unwrap();
        drop(conn);
        assert_eq!(stored.draft.help_type, HelpType::Wandelen);
        assert_eq!(stored.draft.urgency, Urgency::Urgent);
        // Sanne (agenda, not acting for Ria) may ask for a volunteer herself, on her own name.
        let sanne = d.browser_as(Role::NetworkMember).await;
        let r = sanne
            .post(&format!("{list}/nieuw"), &form(&date, &[]))
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "{be:?}: member with agenda"
        );
        // Cancelled.
        let r = ria.post(&format!("/hulpvragen/{id}/annuleren"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let html = text(ria.get(&location(&r)).await).await;
        assert!(html.contains("Geannuleerd"), "{be:?}");
        // No longer changeable.
        let r = ria.get(&format!("/hulpvragen/{id}/wijzigen")).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(text(r).await.contains("kan niet meer worden gewijzigd"));
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_a_dutch_message_and_nothing_written() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let ria = d.browser_as(Role::Caregiver).await;
        let path = format!("/kringen/{}/hulpvragen/nieuw", d.network);
        let before = count(&d.app.store, "help_requests").await;
        let events = count(&d.app.store, "help_request_events").await;
        let date = tomorrow().iso();
        let cases: [(&[(&str, &str)], &str); 7] = [
            (&[("soort", "")], "Kies de soort hulp."),
            (&[("soort", "ruimtevaart")], "Kies de soort hulp."),
            (&[("postcode", "12AB")], "Vul een geldige postcode in"),
            (
                &[("van1", "14:00"), ("tot1", "10:00")],
                "De eindtijd moet na de begintijd liggen.",
            ),
            (&[("datum", "2001-01-01")], "De datum ligt in het verleden."),
            (&[("duur", "900")], "Vul de duur in minuten in"),
            (
                &[("afstand", "200")],
                "Vul een afstand in tussen 0,5 en 50 km.",
            ),
        ];
        for (changes, message) in cases {
            let r = ria.post(&path, &form(&date, changes)).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?} {changes:?}");
            let html = text(r).await;
            assert!(html.contains(message), "{be:?} {changes:?}: {message}");
            assert!(
                html.contains("aria-invalid=\"true\""),
                "the field is marked"
            );
        }
        assert_eq!(count(&d.app.store, "help_requests").await, before, "{be:?}");
        assert_eq!(count(&d.app.store, "help_request_events").await, events);
    }
}

#[tokio::test]
async fn an_unfilled_task_is_escalated_once_and_linked_both_ways() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let ria_user = user_id(&d.app.store, email_of(Role::Caregiver)).await;
        let mut tx = d.app.store.begin_write().await.unwrap();
        let task = agenda::add_task(
            &mut tx,
            &NewTask {
                network_id: &d.network,
                title: "Boodschappen halen",
                details: "Bij de Jumbo",
                schedule: Schedule::Once { on: tomorrow() },
                start: ClockTime::parse("10:00"),
                end: ClockTime::parse("11:30"),
                needed: 1,
            },
            By {
                user_id: &ria_user,
                on_behalf: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let ria = d.browser_as(Role::Caregiver).await;
        let agenda_path = format!("/kringen/{}/agenda", d.network);
        let action = format!("/kringen/{}/agenda/taken/{task}/hulpvraag", d.network);
        let html = text(ria.get(&agenda_path).await).await;
        assert!(
            html.contains(&format!("action=\"{action}\"")),
            "{be:?}: button"
        );
        assert!(html.contains("Vraag een vrijwilliger"));
        let before = count(&d.app.store, "help_requests").await;
        let r = ria.post(&action, &[("soort", "boodschappen")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        let first = location(&r);
        assert!(first.ends_with("?klaar=uitgezet"), "{first}");
        let id = request_id_of(&first);
        // A second click leads to the same request.
        let r = ria.post(&action, &[("soort", "boodschappen")]).await;
        assert_eq!(request_id_of(&location(&r)), id, "{be:?}: idempotent");
        assert_eq!(count(&d.app.store, "help_requests").await, before + 1);
        // Linked both ways.
        let (back,): (Option<String>,) =
            sqlx::query_as("SELECT help_request_id FROM network_tasks WHERE id = $1")
                .bind(&task)
                .fetch_one(d.app.store.pool())
                .await
                .unwrap();
        assert_eq!(back.as_deref(), Some(id.as_str()));
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        let stored = requests::get(&mut conn, &id).await.unwrap().unwrap();
        drop(conn);
        assert_eq!(stored.task_id.as_deref(), Some(task.as_str()));
        assert_eq!(stored.draft.pc4.to_string(), "2324");
        assert_eq!(
            stored.draft.windows,
            vec![WeekSlot::new(tomorrow().weekday(), 600, 690).unwrap()]
        );
        // The agenda says so, with a link, and no button any more.
        let html = text(ria.get(&agenda_path).await).await;
        assert!(html.contains("Hulpvraag uitgezet"), "{be:?}");
        assert!(html.contains(&format!("href=\"/hulpvragen/{id}\"")));
        assert!(!html.contains(&format!("action=\"{action}\"")));
        // A member without the agenda is refused the escalation, nothing written.
        new_user(&d.app, "kees@example.org", "Kees Bakker").await;
        add_member(
            &d,
            "kees@example.org",
            MemberKind::Volunteer,
            &[DataCategory::Messages],
        )
        .await;
        let kees = Browser::new(&d.app);
        kees.login("kees@example.org", demo::DEMO_PASSWORD).await;
        let r = kees.post(&action, &[("soort", "boodschappen")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?}");
        assert_eq!(count(&d.app.store, "help_requests").await, before + 1);
    }
}

/// Who may NOT: a volunteer, a member without the agenda, a professional of another kring, on
/// every kring page and form of help requests; a member with the agenda who does not act for the
/// caregiver may not change or cancel. Nothing is written.
#[tokio::test]
async fn who_may_not_see_or_change_a_krings_help_requests() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let id = stored_request(&d).await;
        new_user(&d.app, "kees@example.org", "Kees Bakker").await;
        add_member(
            &d,
            "kees@example.org",
            MemberKind::Volunteer,
            &[DataCategory::Messages],
        )
        .await;
        let kees = Browser::new(&d.app);
        kees.login("kees@example.org", demo::DEMO_PASSWORD).await;
        let youssef = d.browser_as(Role::Volunteer).await;
        let (joris, _) = crate::screening_checks::professional_elsewhere(&d.app).await;
        let list = format!("/kringen/{}/hulpvragen", d.network);
        let date = tomorrow().iso();
        let requests_before = count(&d.app.store, "help_requests").await;
        let events_before = count(&d.app.store, "help_request_events").await;
        for (who, b) in [
            ("volunteer", &youssef),
            ("member without agenda", &kees),
            ("professional elsewhere", &joris),
        ] {
            for path in [
                list.clone(),
                format!("{list}/nieuw"),
                format!("/hulpvragen/{id}"),
                format!("/hulpvragen/{id}/wijzigen"),
            ] {
                let r = b.get(&path).await;
                assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} {who} GET {path}");
            }
            let r = b.post(&format!("{list}/nieuw"), &form(&date, &[])).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} {who} POST new");
            let r = b
                .post(&format!("/hulpvragen/{id}/wijzigen"), &form(&date, &[]))
                .await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} {who} POST edit");
            let r = b.post(&format!("/hulpvragen/{id}/annuleren"), &[]).await;
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{be:?} {who} POST cancel"
            );
        }
        // Sanne reads, but does not change or cancel (she does not act for Ria).
        let sanne = d.browser_as(Role::NetworkMember).await;
        assert_eq!(
            sanne.get(&format!("/hulpvragen/{id}")).await.status(),
            StatusCode::OK
        );
        let r = sanne
            .post(&format!("/hulpvragen/{id}/wijzigen"), &form(&date, &[]))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} Sanne edit");
        let r = sanne
            .post(&format!("/hulpvragen/{id}/annuleren"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{be:?} Sanne cancel");
        assert_eq!(count(&d.app.store, "help_requests").await, requests_before);
        assert_eq!(
            count(&d.app.store, "help_request_events").await,
            events_before
        );
        // Every refusal left a record.
        let (denied,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND data_category = 'help_request'",
        )
        .fetch_one(d.app.store.pool())
        .await
        .unwrap();
        assert!(denied >= 21, "{be:?}: {denied} refusals logged");
    }
}
