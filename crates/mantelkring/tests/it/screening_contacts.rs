//! Signaleren, proactive contact, through HTTP on the demo region and on every configured backend:
//! the call list's due days ("Wie bel ik vandaag?"), a contact logged with each follow-up action
//! in one transaction, bad input that writes nothing, "het gaat niet meer" raising its signal at
//! once and only once, the contact plan's form, the daily reminder (at most once a day), and who
//! may NOT see the contact log or call-list entries.

use crate::identity::{Browser, count};
use crate::support::TestApp;
use mantelkring::demo;
use mantelkring_core::access::{Actor, DataCategory};
use mantelkring_core::base::Role;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::network::{MemberKind, NotifyMode};
use mantelkring_core::screening::{CallerKind, ContactKind};
use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::Store;
use mantelkring_store::base::{self, NewPerson};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::screening::contacts::{self, NewContact, NewPlan};
use mantelkring_store::screening::{rule_context, signals};
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

const MARIEKE: &str = "marieke.jansen@demo.mantelkring.nl";

/// The demo region on every configured backend, Ria's kring as the kring tests expect it.
async fn demo_apps() -> Vec<(TestApp, String)> {
    let mut apps = Vec::new();
    for db in TestDatabase::all().await {
        let app = TestApp::on(db).await;
        let seeded = demo::seed(&app.store).await.unwrap();
        crate::support::reset_ria_kring(&app.store, &seeded.caregiver_person_id).await;
        crate::support::settle_start_up_jobs(&app.store).await;
        apps.push((app, seeded.caregiver_person_id));
    }
    apps
}

async fn user_id(store: &Store, email: &str) -> String {
    base::find_user_by_email(store, email)
        .await
        .unwrap()
        .expect("demo user")
        .id
}

async fn ria_network(store: &Store, ria_person: &str) -> String {
    let mut conn = store.pool().acquire().await.unwrap();
    network::network_of(&mut conn, ria_person).await.unwrap()
}

fn contact_page(network: &str) -> String {
    format!("/kringen/{network}/signaleren/contact")
}

/// A caregiver without an account, with Marieke in their network as a professional with
/// `categories` (consent recorded by her): (network id, person id).
async fn caregiver_with_marieke(
    store: &Store,
    given: &str,
    phone: &str,
    categories: &[DataCategory],
) -> (String, String) {
    let marieke = user_id(store, MARIEKE).await;
    let mut tx = store.begin_write().await.unwrap();
    let person = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: given,
            family_name: "Testmans",
            email: None,
            phone: Some(phone),
            postcode: None,
            municipality_id: None,
        },
    )
    .await
    .unwrap();
    let network_id = network::network_of(&mut tx, &person).await.unwrap();
    let consent = network::record_consent(
        &mut tx,
        &person,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Verbal,
        &marieke,
    )
    .await
    .unwrap();
    members::add(
        &mut tx,
        &NewMember {
            network_id: &network_id,
            user_id: &marieke,
            organisation_id: None,
            kind: MemberKind::Professional,
            field: None,
            role_label: "mantelzorgconsulent",
            categories,
            notify: NotifyMode::Off,
            acts_for_caregiver: false,
        },
        &consent,
        By {
            user_id: &marieke,
            on_behalf: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (network_id, person)
}

/// Adds `email`'s account to a network as a volunteer, with the caregiver's consent.
async fn add_volunteer(
    store: &Store,
    network_id: &str,
    caregiver_person: &str,
    email: &str,
    categories: &[DataCategory],
) -> String {
    let user = user_id(store, email).await;
    let mut tx = store.begin_write().await.unwrap();
    let consent = network::record_consent(
        &mut tx,
        caregiver_person,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Verbal,
        &user,
    )
    .await
    .unwrap();
    let id = members::add(
        &mut tx,
        &NewMember {
            network_id,
            user_id: &user,
            organisation_id: None,
            kind: MemberKind::Volunteer,
            field: None,
            role_label: "",
            categories,
            notify: NotifyMode::Off,
            acts_for_caregiver: false,
        },
        &consent,
        By {
            user_id: &user,
            on_behalf: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn plan(store: &Store, network: &str, caller: &str, every: u32, starts_on: Day) {
    let mut tx = store.begin_write().await.unwrap();
    contacts::save_plan(
        &mut tx,
        &NewPlan {
            network_id: network,
            every_days: every,
            caller_user_id: caller,
            caller_kind: CallerKind::Professional,
            starts_on,
            by_user_id: caller,
            now: now_ms(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn contact(store: &Store, network: &str, by: &str, kind: ContactKind, at: Millis) {
    let mut tx = store.begin_write().await.unwrap();
    contacts::log_contact(
        &mut tx,
        &NewContact {
            network_id: network,
            kind,
            happened_at: at,
            note: "",
            cannot_cope: false,
            by_user_id: by,
            now: at,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Midday, `days` before today (local).
fn days_ago(days: i64) -> Millis {
    let today = Day::local(now_ms());
    (today.plus(-days).start_ms() + 12 * 3_600_000).min(now_ms() - 1000)
}

/// Marieke as the policy sees her after her second factor.
async fn marieke_actor(store: &Store) -> Actor {
    let id = user_id(store, MARIEKE).await;
    let (organisation,): (String,) =
        sqlx::query_as("SELECT organisation_id FROM memberships WHERE user_id = $1")
            .bind(&id)
            .fetch_one(store.pool())
            .await
            .unwrap();
    Actor {
        user_id: id,
        person_id: None,
        personal_roles: Vec::new(),
        memberships: vec![(organisation, Role::Professional)],
        second_factor: true,
    }
}

/// What a contact with its follow-ups writes, counted.
async fn written(store: &Store) -> [i64; 6] {
    [
        count(store, "contacts").await,
        count(store, "help_request_markers").await,
        count(store, "signals").await,
        count(store, "network_messages").await,
        count(store, "situation_proposals").await,
        count(store, "contact_plans WHERE ended_at IS NULL").await,
    ]
}

#[tokio::test]
async fn the_call_list_shows_who_is_due_when() {
    for (app, _) in demo_apps().await {
        let backend = app.store.backend().name();
        let store = &app.store;
        let marieke = user_id(store, MARIEKE).await;
        let today = Day::local(now_ms());
        let all = [DataCategory::Contact, DataCategory::Checks];
        // Never reached, plan began three days ago: due since then.
        let (anna, _) = caregiver_with_marieke(store, "Anna", "071 555 9001", &all).await;
        plan(store, &anna, &marieke, 14, today.plus(-3)).await;
        // Reached ten days ago, every fourteen days: due in four days (no phone shown: she
        // does not see Bert's contact details).
        let (bert, _) =
            caregiver_with_marieke(store, "Bert", "071 555 9002", &[DataCategory::Checks]).await;
        plan(store, &bert, &marieke, 14, today.plus(-100)).await;
        contact(store, &bert, &marieke, ContactKind::Phone, days_ago(10)).await;
        // Due today, but nobody answered today: tomorrow.
        let (cees, _) = caregiver_with_marieke(store, "Cees", "071 555 9003", &all).await;
        plan(store, &cees, &marieke, 14, today.plus(-100)).await;
        contact(store, &cees, &marieke, ContactKind::HomeVisit, days_ago(14)).await;
        contact(
            store,
            &cees,
            &marieke,
            ContactKind::NoAnswer,
            now_ms() - 1000,
        )
        .await;
        // Reached two days ago, every four weeks: not this week.
        let (dirk, _) = caregiver_with_marieke(store, "Dirk", "071 555 9004", &all).await;
        plan(store, &dirk, &marieke, 28, today.plus(-100)).await;
        contact(
            store,
            &dirk,
            &marieke,
            ContactKind::FrontGarden,
            days_ago(2),
        )
        .await;
        // Never reached, tried yesterday: due again today.
        let (els, _) = caregiver_with_marieke(store, "Els", "071 555 9005", &all).await;
        plan(store, &els, &marieke, 7, today.plus(-5)).await;
        contact(store, &els, &marieke, ContactKind::NoAnswer, days_ago(1)).await;

        let actor = marieke_actor(store).await;
        let mut conn = store.pool().acquire().await.unwrap();
        let list = contacts::call_list(&mut conn, &actor, today.plus(7))
            .await
            .unwrap();
        drop(conn);
        let due = |network: &str| list.iter().find(|c| c.network_id == network).map(|c| c.due);
        assert_eq!(due(&anna), Some(today.plus(-3)), "{backend}: never reached");
        assert_eq!(due(&bert), Some(today.plus(4)), "{backend}: reached");
        assert_eq!(due(&cees), Some(today.plus(1)), "{backend}: no answer");
        assert_eq!(due(&dirk), None, "{backend}: not this week");
        assert_eq!(due(&els), Some(today), "{backend}: tried yesterday");
        // Most overdue first, then by day.
        let position = |n: &str| list.iter().position(|c| c.network_id == n).unwrap();
        assert!(position(&anna) < position(&els) && position(&els) < position(&cees));
        assert!(position(&cees) < position(&bert));
        assert!(list.windows(2).all(|w| w[0].due <= w[1].due), "{backend}");
        let bert_call = &list[position(&bert)];
        assert_eq!(bert_call.phone, None, "{backend}: no contact category");
        assert_eq!(bert_call.categories, "checks");
        assert_eq!(list[position(&anna)].phone.as_deref(), Some("071 555 9001"));

        // The page: today and overdue first, then the coming week; one record per caregiver.
        let b = Browser::new(&app);
        b.login_as(Role::Professional).await;
        let before = count(store, "audit_log WHERE detail = 'call_list'").await;
        let r = b.get("/bellen").await;
        assert_eq!(r.status(), StatusCode::OK, "{backend}");
        let html = r.text().await.unwrap();
        let coming = html.find("id=\"komende-week\"").expect("coming week");
        let at = |name: &str| {
            html.find(&format!("{name} Testmans"))
                .unwrap_or_else(|| panic!("{backend}: {name} on the list"))
        };
        assert!(at("Anna") < coming && at("Els") < coming, "{backend}");
        assert!(at("Cees") > coming && at("Bert") > coming, "{backend}");
        assert!(!html.contains("Dirk Testmans"), "{backend}");
        assert!(html.contains("href=\"tel:0715559001\""), "{backend}");
        assert!(!html.contains("555 9002"), "{backend}: Bert's phone hidden");
        assert!(html.contains("3 dagen te laat"), "{backend}");
        assert!(
            html.contains("Geen gehoor"),
            "{backend}: the last contact, how"
        );
        assert!(html.contains(&format!("{}#vastleggen", contact_page(&anna))));
        let shown = html.matches("class=\"mk-card mk-call\"").count() as i64;
        assert_eq!(shown as usize, list.len(), "{backend}");
        let after = count(store, "audit_log WHERE detail = 'call_list'").await;
        assert_eq!(after - before, shown, "{backend}: one record per caregiver");
        let (subject_anna,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log a JOIN networks n ON n.caregiver_person_id = a.subject_person_id \
             WHERE a.detail = 'call_list' AND n.id = $1 AND a.data_category = 'checks,contact' \
             AND a.user_id = $2 AND a.outcome = 'success'",
        )
        .bind(&anna)
        .bind(&marieke)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(subject_anna, 1, "{backend}");
        // The menu leads there.
        assert!(html.contains("href=\"/bellen\""), "{backend}");
    }
}

#[tokio::test]
async fn a_contact_and_all_its_follow_ups_are_written_together_and_bad_input_writes_nothing() {
    for (app, ria_person) in demo_apps().await {
        let backend = app.store.backend().name();
        let store = &app.store;
        let network = ria_network(store, &ria_person).await;
        let page = contact_page(&network);
        let marieke = Browser::new(&app);
        marieke.login_as(Role::Professional).await;
        let html = marieke.get(&page).await.text().await.unwrap();
        assert!(html.contains("Contact vastleggen"), "{backend}");
        assert!(html.contains("Vraag aan de kring"), "{backend}");
        assert!(html.contains("Voorstel voor ‘Mijn situatie’"), "{backend}");
        let sanne_member: (String,) = sqlx::query_as(
            "SELECT m.id FROM network_members m JOIN users u ON u.id = m.user_id \
             WHERE m.network_id = $1 AND u.email = 'sanne.devries@demo.mantelkring.nl' \
             AND m.status = 'active' AND m.removed_at IS NULL",
        )
        .bind(&network)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let today = Day::local(now_ms()).iso();

        // Bad input: a clear message, 400, nothing written.
        let before = written(store).await;
        // E-mails to Ria (the worker queues its own recurring jobs meanwhile: not counted).
        let to_ria = "jobs WHERE kind = 'email' AND payload LIKE '%ria.devries@%'";
        let jobs_before = count(store, to_ria).await;
        let long = "x".repeat(2001);
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("soort", "")], "Kies hoe het contact was"),
            (
                vec![("soort", "brief")],
                "Deze soort contact kennen we niet",
            ),
            (
                vec![("soort", "phone"), ("datum", "2999-01-01")],
                "De datum ligt in de toekomst",
            ),
            (
                vec![("soort", "phone"), ("datum", "gisteren")],
                "Vul een datum in",
            ),
            (
                vec![("soort", "no_answer"), ("gaat_niet_meer", "ja")],
                "Bij geen gehoor",
            ),
            (
                vec![("soort", "phone"), ("notitie", &long)],
                "De notitie is te lang",
            ),
            (
                vec![
                    ("soort", "phone"),
                    ("hulp", "Boodschappen"),
                    ("vraag", "Wie rijdt?"),
                    ("vraag_aan", "onbekend-lid"),
                ],
                "Deze persoon zit niet (meer) in de kring",
            ),
            (
                vec![
                    ("soort", "phone"),
                    ("signaal", "Zorgen"),
                    ("situatie_veld", "naaste"),
                    ("situatie_tekst", "Iets"),
                ],
                "Kies een onderdeel van ‘Mijn situatie’",
            ),
        ];
        for (fields, message) in cases {
            let r = marieke.post(&page, &fields).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{backend}: {fields:?}");
            let html = r.text().await.unwrap();
            assert!(html.contains(message), "{backend}: {message}");
            assert!(html.contains("Er is niets opgeslagen"), "{backend}");
        }
        assert_eq!(written(store).await, before, "{backend}: nothing written");
        assert_eq!(count(store, to_ria).await, jobs_before, "{backend}");

        // Every follow-up at once.
        let r = marieke
            .post(
                &page,
                &[
                    ("soort", "home_visit"),
                    ("datum", &today),
                    ("notitie", "Koffie gedronken. De nachten zijn zwaar."),
                    ("hulp", "Iemand die op dinsdag boodschappen doet"),
                    ("signaal", "Zorgen over de nachtrust"),
                    ("vraag", "Wie kan op dinsdag boodschappen doen?"),
                    ("vraag_aan", &sanne_member.0),
                    ("situatie_veld", "hard"),
                    ("situatie_tekst", "De nachten: Henk is vaak onrustig."),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!("{page}?gedaan=signaal#contact-")),
            "{location}"
        );
        let after = written(store).await;
        assert_eq!(after[0], before[0] + 1, "{backend}: the contact");
        assert_eq!(after[1], before[1] + 1, "{backend}: the marker");
        assert!(after[2] > before[2], "{backend}: the signal");
        assert_eq!(after[3], before[3] + 1, "{backend}: the question");
        assert_eq!(after[4], before[4] + 1, "{backend}: the proposal");
        let contact_id = location.rsplit("#contact-").next().unwrap().to_string();
        let (marker_contact, what): (Option<String>, String) = sqlx::query_as(
            "SELECT contact_id, what FROM help_request_markers WHERE network_id = $1 \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(&network)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(marker_contact.as_deref(), Some(contact_id.as_str()));
        assert_eq!(what, "Iemand die op dinsdag boodschappen doet");
        let (rule, detail, raised_by): (String, String, Option<String>) = sqlx::query_as(
            "SELECT rule, detail, raised_by_user_id FROM signals WHERE network_id = $1 \
             AND rule = 'manual'",
        )
        .bind(&network)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(rule, "manual");
        assert!(detail.contains("Zorgen over de nachtrust") && detail.contains(&contact_id));
        assert_eq!(raised_by, Some(user_id(store, MARIEKE).await));
        let (kind, assigned): (String, Option<String>) = sqlx::query_as(
            "SELECT kind, assigned_member_id FROM network_messages WHERE network_id = $1 \
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(&network)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(
            (kind.as_str(), assigned),
            ("question", Some(sanne_member.0.clone()))
        );
        let (content, status): (String, String) =
            sqlx::query_as("SELECT content, status FROM situation_proposals WHERE network_id = $1")
                .bind(&network)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert!(content.contains("Henk is vaak onrustig"), "{backend}");
        assert_eq!(status, "open");
        // The other categories were each decided and logged.
        for category in ["checks", "messages", "situation"] {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND outcome = 'success' \
                 AND data_category = $1 AND subject_person_id = $2",
            )
            .bind(category)
            .bind(&ria_person)
            .fetch_one(store.pool())
            .await
            .unwrap();
            assert!(n >= 1, "{backend}: {category}");
        }
        // Ria hears of the proposal (she has an account).
        assert_eq!(count(store, to_ria).await, jobs_before + 1, "{backend}");

        // The log shows it, newest first.
        let html = marieke
            .get(&format!("{page}?gedaan=signaal"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Er is een signaal gemaakt"), "{backend}");
        assert!(html.contains("Koffie gedronken. De nachten zijn zwaar."));
        assert!(html.contains("Hulp nodig: Iemand die op dinsdag boodschappen doet"));
        assert!(html.contains(&format!("id=\"contact-{contact_id}\"")));

        // A volunteer who sees checks but not messages: a plain contact is fine, a question is
        // refused as a whole (logged), and nothing of that contact is written.
        add_volunteer(
            store,
            &network,
            &ria_person,
            "youssef.amrani@demo.mantelkring.nl",
            &[DataCategory::Checks],
        )
        .await;
        let youssef = Browser::new(&app);
        youssef.login_as(Role::Volunteer).await;
        let html = youssef.get(&page).await.text().await.unwrap();
        assert!(html.contains("Contact vastleggen"), "{backend}");
        assert!(
            !html.contains("Vraag aan de kring"),
            "{backend}: not his to ask"
        );
        let before = written(store).await;
        let r = youssef
            .post(
                &page,
                &[
                    ("soort", "phone"),
                    ("hulp", "Boodschappen"),
                    ("vraag", "Wie rijdt?"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{backend}");
        assert_eq!(written(store).await, before, "{backend}: nothing written");
        let r = youssef
            .post(
                &page,
                &[("soort", "front_garden"), ("notitie", "Bij het hek.")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(written(store).await[0], before[0] + 1, "{backend}");
    }
}

#[tokio::test]
async fn het_gaat_niet_meer_raises_a_signal_at_once_and_only_once() {
    for (app, ria_person) in demo_apps().await {
        let backend = app.store.backend().name();
        let store = &app.store;
        let network = ria_network(store, &ria_person).await;
        let page = contact_page(&network);
        let cannot_cope = || async {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM signals WHERE network_id = $1 AND rule = 'cannot_cope'",
            )
            .bind(&network)
            .fetch_one(store.pool())
            .await
            .unwrap();
            n
        };
        let before = cannot_cope().await;
        let marieke = Browser::new(&app);
        marieke.login_as(Role::Professional).await;
        let r = marieke
            .post(
                &page,
                &[
                    ("soort", "phone"),
                    ("notitie", "Huilde aan de telefoon."),
                    ("gaat_niet_meer", "ja"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.contains("gedaan=signaal"), "{location}");
        let contact_id = location.rsplit("#contact-").next().unwrap().to_string();
        assert_eq!(cannot_cope().await, before + 1, "{backend}: at once");
        let (cause, status): (String, String) = sqlx::query_as(
            "SELECT cause, status FROM signals WHERE network_id = $1 AND rule = 'cannot_cope'",
        )
        .bind(&network)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(cause, format!("cannot_cope:{contact_id}"));
        assert_eq!(status, "new");
        // Evaluated again, and after another contact: still one signal for that cause.
        let mut tx = store.begin_write().await.unwrap();
        let rules = rule_context(
            &mut tx,
            &mantelkring_core::screening::instrument::Catalogue::built_in(),
        )
        .await
        .unwrap();
        let raised = signals::evaluate_network(&mut tx, &rules, &network, now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(raised.is_empty(), "{backend}: nothing new");
        let r = marieke
            .post(
                &page,
                &[("soort", "online"), ("notitie", "Gaat iets beter.")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(cannot_cope().await, before + 1, "{backend}: only once");
        let html = marieke.get(&page).await.text().await.unwrap();
        assert!(html.contains("Zegt: het gaat niet meer"), "{backend}");
    }
}

#[tokio::test]
async fn the_contact_plan_is_made_checked_changed_and_ended() {
    for (app, ria_person) in demo_apps().await {
        let backend = app.store.backend().name();
        let store = &app.store;
        let network = ria_network(store, &ria_person).await;
        let page = contact_page(&network);
        let plan_path = format!("{page}/plan");
        let marieke_member: (String,) = sqlx::query_as(
            "SELECT m.id FROM network_members m JOIN users u ON u.id = m.user_id \
             WHERE m.network_id = $1 AND u.email = $2 AND m.status = 'active' \
             AND m.removed_at IS NULL",
        )
        .bind(&network)
        .bind(MARIEKE)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let stored = || async {
            let mut conn = store.pool().acquire().await.unwrap();
            contacts::plan(&mut conn, &network).await.unwrap()
        };
        let before = stored().await;
        let b = Browser::new(&app);
        b.login_as(Role::Professional).await;
        let html = b.get(&page).await.text().await.unwrap();
        assert!(html.contains("Contactplan"), "{backend}");
        assert!(
            html.contains("Marieke Jansen (professional)"),
            "{backend}: the caller"
        );
        for (fields, message) in [
            (
                vec![("elke", "10"), ("beller", marieke_member.0.as_str())],
                "Kies hoe vaak",
            ),
            (
                vec![("elke", "7"), ("beller", "")],
                "Kies wie het contact houdt",
            ),
            (
                vec![("elke", "7"), ("beller", "iemand-anders")],
                "Deze persoon kan het contact niet houden",
            ),
            (
                vec![
                    ("elke", "7"),
                    ("beller", marieke_member.0.as_str()),
                    ("start", "2999-01-01"),
                ],
                "meer dan een jaar vooruit",
            ),
        ] {
            let r = b.post(&plan_path, &fields).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{backend}: {fields:?}");
            assert!(
                r.text().await.unwrap().contains(message),
                "{backend}: {message}"
            );
        }
        assert_eq!(stored().await, before, "{backend}: nothing changed");

        let today = Day::local(now_ms());
        let r = b
            .post(
                &plan_path,
                &[
                    ("elke", "7"),
                    ("beller", &marieke_member.0),
                    ("start", &today.iso()),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let saved = stored().await.unwrap();
        assert_eq!(saved.every_days, 7);
        assert_eq!(saved.caller_name, "Marieke Jansen");
        assert_eq!(saved.caller_kind, CallerKind::Professional);
        assert_eq!(saved.starts_on, today);
        assert!(saved.is_active());
        let html = b.get("/bellen").await.text().await.unwrap();
        assert!(html.contains("Ria de Vries"), "{backend}: on her list");

        let r = b.post(&format!("{plan_path}/stoppen"), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert!(!stored().await.unwrap().is_active(), "{backend}");
        let html = b
            .get(&format!("{page}?gedaan=plan-gestopt"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Het contactplan is gestopt"), "{backend}");
        let html = b.get("/bellen").await.text().await.unwrap();
        assert!(!html.contains("Ria de Vries"), "{backend}: off her list");
    }
}

#[tokio::test]
async fn callers_get_one_reminder_a_day_without_names() {
    for (app, _) in demo_apps().await {
        let backend = app.store.backend().name();
        let store = &app.store;
        let now = now_ms();
        let first = mantelkring::screening_reminders::run(store, "https://mk.example", now)
            .await
            .unwrap();
        assert!(first.callers >= 1, "{backend}: the demo has contacts due");
        let (payload,): (String,) = sqlx::query_as(
            "SELECT payload FROM jobs WHERE kind = 'email' AND payload LIKE $1 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(format!("%{MARIEKE}%"))
        .fetch_one(store.pool())
        .await
        .unwrap();
        let email: mantelkring_core::jobs::EmailJob = serde_json::from_str(&payload).unwrap();
        assert_eq!(email.to, MARIEKE);
        assert!(
            email.body_text.contains("https://mk.example/bellen"),
            "{backend}"
        );
        assert!(
            email.body_text.contains("Beste Marieke Jansen"),
            "{backend}"
        );
        assert!(email.subject.contains("vandaag"), "{backend}");
        for name in ["Ria", "de Vries", "CSI", "het gaat niet meer"] {
            assert!(!email.body_text.contains(name), "{backend}: {name}");
            assert!(!email.subject.contains(name), "{backend}: {name}");
        }
        // Later the same local day: an hour on, but never past midnight (CI runs at any hour).
        let later_today = (now + 3_600_000).min(Day::local(now).plus(1).start_ms() - 1);
        let again = mantelkring::screening_reminders::run(store, "https://mk.example", later_today)
            .await
            .unwrap();
        assert_eq!(again.callers, 0, "{backend}: at most once a day");
        let tomorrow = mantelkring::screening_reminders::run(
            store,
            "https://mk.example",
            Day::local(now).plus(1).start_ms() + 1,
        )
        .await
        .unwrap();
        assert!(tomorrow.callers >= 1, "{backend}: the next day again");
    }
}

#[tokio::test]
async fn who_may_not_see_the_contact_log_or_call_list_entries_is_refused() {
    let (app, ria_person) = crate::identity::demo_app().await;
    crate::support::reset_ria_kring(&app.store, &ria_person).await;
    let store = &app.store;
    let network = ria_network(store, &ria_person).await;
    let page = contact_page(&network);
    let before = written(store).await;

    // Not logged in: to the login page.
    let anonymous = Browser::new(&app);
    for r in [
        anonymous.get(&page).await,
        anonymous.post(&page, &[("soort", "phone")]).await,
        anonymous.get("/bellen").await,
    ] {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/inloggen"), "{location}");
    }

    // A member without the checks category (Sanne: agenda and messages).
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    assert_eq!(sanne.get(&page).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        sanne.post(&page, &[("soort", "phone")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sanne
            .post(&format!("{page}/plan"), &[("elke", "7")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let html = sanne.get("/bellen").await.text().await.unwrap();
    assert!(!html.contains("Ria de Vries"), "nobody on her list");

    // The caregiver reads her own log, but keeps no contact with herself.
    let ria = Browser::new(&app);
    ria.login_as(Role::Caregiver).await;
    let r = ria.get(&page).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Logboek") && !html.contains("Contact opslaan"));
    assert_eq!(
        ria.post(&page, &[("soort", "phone")]).await.status(),
        StatusCode::FORBIDDEN
    );

    // Marieke before her second factor: to the code step, and her list is not shown.
    let half = Browser::new(&app);
    let r = half.login(MARIEKE, demo::DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for r in [half.get(&page).await, half.get("/bellen").await] {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/inloggen/code"), "{location}");
    }

    // A professional outside the network (in another caregiver's network only).
    let joris = professional_elsewhere(&app).await;
    assert_eq!(joris.get(&page).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        joris.post(&page, &[("soort", "phone")]).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = joris.get("/bellen").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.text().await.unwrap().contains("Ria de Vries"));

    // Marieke is the caller, due today; when Ria takes the checks category away, the entry
    // leaves her list and the page is refused.
    plan(
        store,
        &network,
        &user_id(store, MARIEKE).await,
        7,
        Day::local(now_ms()),
    )
    .await;
    let marieke = Browser::new(&app);
    marieke.login_as(Role::Professional).await;
    let html = marieke.get("/bellen").await.text().await.unwrap();
    assert!(
        html.contains("Ria de Vries"),
        "on her list while she sees checks"
    );
    assert_eq!(marieke.get(&page).await.status(), StatusCode::OK);
    sqlx::query(
        "UPDATE network_members SET categories = 'contact,agenda,messages' WHERE network_id = $1 \
         AND user_id = (SELECT id FROM users WHERE email = $2)",
    )
    .bind(&network)
    .bind(MARIEKE)
    .execute(store.pool())
    .await
    .unwrap();
    let html = marieke.get("/bellen").await.text().await.unwrap();
    assert!(!html.contains("Ria de Vries"), "no longer on her list");
    assert_eq!(marieke.get(&page).await.status(), StatusCode::FORBIDDEN);

    // Nothing was written by any of them; the refusals were logged.
    assert_eq!(written(store).await[..5], before[..5]);
    let (refused,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND data_category LIKE 'checks%'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert!(refused >= 6, "{refused}");
}

/// Joris de Boer, a professional at Marieke's organisation with a second factor, in another
/// caregiver's network only; logged in.
pub async fn professional_elsewhere(app: &TestApp) -> Browser<'_> {
    use mantelkring_core::identity::totp;
    const SECRET: &str = "SIGNALERENJORISDEBOERAAAAAAAAAAA";
    let store = &app.store;
    let (hash, organisation): (String, String) = sqlx::query_as(
        "SELECT u.password_hash, m.organisation_id FROM users u \
         JOIN memberships m ON m.user_id = u.id WHERE u.email = $1",
    )
    .bind(MARIEKE)
    .fetch_one(store.pool())
    .await
    .unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let joris = base::insert_user(
        &mut tx,
        &base::NewUser {
            email: "joris.deboer@demo.mantelkring.nl",
            display_name: "Joris de Boer",
            person_id: None,
            password_hash: Some(&hash),
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    base::add_membership(&mut tx, &joris, &organisation, Role::Professional)
        .await
        .unwrap();
    mantelkring_store::identity::enable_totp(&mut tx, &joris, SECRET)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (elsewhere, gerda) =
        caregiver_with_marieke(store, "Gerrit", "071 555 9100", &[DataCategory::Checks]).await;
    add_volunteer(
        store,
        &elsewhere,
        &gerda,
        "joris.deboer@demo.mantelkring.nl",
        &DataCategory::GRANTABLE,
    )
    .await;
    let b = Browser::new(app);
    let r = b
        .login("joris.deboer@demo.mantelkring.nl", demo::DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let code = format!(
        "{:06}",
        totp::code_at(
            &totp::decode_secret(SECRET).unwrap(),
            crate::identity::unix_now()
        )
    );
    let r = b.post("/inloggen/code", &[("code", &code)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "second factor");
    assert_eq!(
        b.get(&contact_page(&elsewhere)).await.status(),
        StatusCode::OK,
        "his own network's contact page"
    );
    b
}
