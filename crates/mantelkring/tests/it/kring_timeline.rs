//! The kring's timeline through HTTP on the demo region (Ria's network: Marieke sees everything,
//! her daughter Sanne sees agenda and messages): messages to everyone or to chosen members,
//! questions assigned and answered, overdue questions, the e-mail choice, e-mails at once and
//! the daily digest (file transport), who may NOT see or post, and bad input.

use crate::accounts::wait_for_mail;
use crate::identity::{Browser, count, demo_app};
use crate::support::{TestApp, temp_dir};
use mantelkring::demo;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::Role;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::network::{MemberKind, MemberStatus, NotifyMode};
use mantelkring_core::time::now_ms;
use mantelkring_store::Store;
use mantelkring_store::base::{self, NewPerson};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::timeline::{self, Audience, Kind, NewPost, Viewer};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

const DAY_MS: i64 = 86_400_000;

/// Ria's network and the people in it.
struct Kring {
    network: String,
    ria_person: String,
    ria: String,
    sanne_member: String,
    marieke_member: String,
}

async fn user_id(store: &Store, email: &str) -> String {
    base::find_user_by_email(store, email)
        .await
        .unwrap()
        .expect("demo user")
        .id
}

async fn kring(store: &Store, ria_person: &str) -> Kring {
    let mut conn = store.pool().acquire().await.unwrap();
    let network = network::network_of(&mut conn, ria_person).await.unwrap();
    let active = members::list(&mut conn, &network, Some(MemberStatus::Active))
        .await
        .unwrap();
    let member = |name: &str| {
        active
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name} in Ria's network"))
            .id
            .clone()
    };
    Kring {
        sanne_member: member("Sanne de Vries"),
        marieke_member: member("Marieke Jansen"),
        ria: user_id(store, "ria.devries@demo.mantelkring.nl").await,
        network,
        ria_person: ria_person.to_string(),
    }
}

/// The demo region on every configured backend.
async fn demo_apps() -> Vec<(TestApp, String)> {
    let mut apps = Vec::new();
    for db in TestDatabase::all().await {
        let app = TestApp::on(db).await;
        let seeded = demo::seed(&app.store).await.unwrap();
        crate::support::reset_ria_kring(&app.store, &seeded.caregiver_person_id).await;
        apps.push((app, seeded.caregiver_person_id));
    }
    apps
}

/// Adds `email`'s account to a network with Ria's (or the other caregiver's) consent.
async fn add_member(
    store: &Store,
    network_id: &str,
    caregiver_person: &str,
    caregiver_user: &str,
    email: &str,
    categories: &[DataCategory],
    notify: NotifyMode,
) -> String {
    let user = user_id(store, email).await;
    let mut tx = store.begin_write().await.unwrap();
    let consent = network::record_consent(
        &mut tx,
        caregiver_person,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Online,
        caregiver_user,
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
            notify,
            acts_for_caregiver: false,
        },
        &consent,
        By {
            user_id: caregiver_user,
            on_behalf: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Another caregiver (Gerda, no account) with her own network: (network id, person id).
async fn other_network(store: &Store) -> (String, String) {
    let mut tx = store.begin_write().await.unwrap();
    let person = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: "Gerda",
            family_name: "Smit",
            email: None,
            phone: None,
            postcode: None,
            municipality_id: None,
        },
    )
    .await
    .unwrap();
    let network_id = network::network_of(&mut tx, &person).await.unwrap();
    tx.commit().await.unwrap();
    (network_id, person)
}

/// Joris de Boer, a professional (case manager) at Marieke's organisation, with the demo
/// password and a second factor, in Gerda's network only; logged in.
async fn professional_elsewhere<'a>(
    app: &'a TestApp,
    network_id: &str,
    caregiver_person: &str,
) -> Browser<'a> {
    use mantelkring_core::identity::totp;
    const SECRET: &str = "KRINGTIJDLIJNJORISDEBOERAAAAAAAA";
    let (hash, organisation): (String, String) = sqlx::query_as(
        "SELECT u.password_hash, m.organisation_id FROM users u \
         JOIN memberships m ON m.user_id = u.id WHERE u.email = $1",
    )
    .bind("marieke.jansen@demo.mantelkring.nl")
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let mut tx = app.store.begin_write().await.unwrap();
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
    add_member(
        &app.store,
        network_id,
        caregiver_person,
        &joris,
        "joris.deboer@demo.mantelkring.nl",
        &DataCategory::GRANTABLE,
        NotifyMode::Digest,
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
    b
}

/// A post written straight into the store (for set-ups the web form does not allow).
#[allow(clippy::too_many_arguments)]
async fn store_post(
    store: &Store,
    network_id: &str,
    author: &str,
    kind: Kind,
    body: &str,
    answer_by: Option<Day>,
    now: i64,
) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let id = timeline::post(
        &mut tx,
        &NewPost {
            network_id,
            by: By {
                user_id: author,
                on_behalf: false,
            },
            kind,
            body,
            audience: Audience::All,
            assigned_member_id: None,
            answer_by,
            now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn timeline_path(k: &Kring) -> String {
    format!("/kringen/{}/tijdlijn", k.network)
}

async fn page(b: &Browser<'_>, path: &str) -> String {
    let r = b.get(path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn post_message(b: &Browser<'_>, k: &Kring, fields: &[(&str, &str)]) -> reqwest::Response {
    b.post(&timeline_path(k), fields).await
}

async fn messages(store: &Store) -> i64 {
    count(store, "network_messages").await
}

#[tokio::test]
async fn messages_go_to_everyone_or_to_chosen_members_only() {
    for (app, ria_person) in demo_apps().await {
        let k = kring(&app.store, &ria_person).await;
        let backend = app.store.backend().name();
        let ria = Browser::new(&app);
        ria.login_as(Role::Caregiver).await;
        let html = page(&ria, &timeline_path(&k)).await;
        assert!(html.contains("Iets schrijven"), "{backend}: the form");
        assert!(html.contains("Er zijn nog geen berichten"), "{backend}");

        let r = post_message(
            &ria,
            &k,
            &[
                ("soort", "bericht"),
                ("tekst", "Maandag komt de thuiszorg later."),
                ("aan", "iedereen"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!("{}#bericht-", timeline_path(&k))),
            "{location}"
        );
        let r = post_message(
            &ria,
            &k,
            &[
                ("soort", "bericht"),
                (
                    "tekst",
                    "Alleen voor Marieke: het indicatiebesluit is binnen.",
                ),
                ("aan", "gekozen"),
                ("leden", &k.marieke_member),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");

        // The caregiver sees both, with the recipient named.
        let html = page(&ria, &timeline_path(&k)).await;
        assert!(html.contains("Maandag komt de thuiszorg later."));
        assert!(html.contains("het indicatiebesluit is binnen"));
        assert!(html.contains("Aan: Marieke Jansen"), "{backend}");
        assert!(html.contains("Aan iedereen"));

        // Sanne was not chosen: she sees only the message to everyone.
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let html = page(&sanne, &timeline_path(&k)).await;
        assert!(
            html.contains("Maandag komt de thuiszorg later."),
            "{backend}"
        );
        assert!(
            !html.contains("indicatiebesluit"),
            "{backend}: a message to others stays hidden"
        );
        // Marieke was chosen.
        let marieke = Browser::new(&app);
        marieke.login_as(Role::Professional).await;
        let html = page(&marieke, &timeline_path(&k)).await;
        assert!(html.contains("het indicatiebesluit is binnen"), "{backend}");

        // Sanne writes to Marieke only; Ria sees it, the store agrees on who sees what.
        let r = post_message(
            &sanne,
            &k,
            &[
                ("tekst", "Ik bel u morgen over de dagbesteding."),
                ("aan", "gekozen"),
                ("leden", &k.marieke_member),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert!(
            page(&ria, &timeline_path(&k))
                .await
                .contains("Ik bel u morgen over de dagbesteding.")
        );
        assert!(
            page(&sanne, &timeline_path(&k))
                .await
                .contains("Ik bel u morgen over de dagbesteding."),
            "her own message"
        );
        assert_eq!(messages(&app.store).await, 3, "{backend}");
    }
}

#[tokio::test]
async fn a_member_acting_for_the_caregiver_sees_every_message_and_writes_on_her_behalf() {
    let (app, ria_person) = demo_app().await;
    crate::support::reset_ria_kring(&app.store, &ria_person).await;
    let k = kring(&app.store, &ria_person).await;
    let to_marieke = [k.marieke_member.clone()];
    let mut tx = app.store.begin_write().await.unwrap();
    timeline::post(
        &mut tx,
        &NewPost {
            network_id: &k.network,
            by: By {
                user_id: &k.ria,
                on_behalf: false,
            },
            kind: Kind::Message,
            body: "Vertrouwelijk voor Marieke",
            audience: Audience::Members(&to_marieke),
            assigned_member_id: None,
            answer_by: None,
            now: now_ms(),
        },
    )
    .await
    .unwrap();
    members::set_categories(
        &mut tx,
        &k.network,
        &k.sanne_member,
        &[DataCategory::Agenda, DataCategory::Messages],
        true,
        By {
            user_id: &k.ria,
            on_behalf: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    assert!(
        page(&sanne, &timeline_path(&k))
            .await
            .contains("Vertrouwelijk voor Marieke")
    );
    let r = post_message(
        &sanne,
        &k,
        &[("tekst", "Mama vraagt of iemand woensdag kan.")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&sanne, &timeline_path(&k)).await;
    assert!(html.contains("(namens de mantelzorger)"));
    let (on_behalf,): (i64,) =
        sqlx::query_as("SELECT on_behalf FROM network_messages WHERE body LIKE 'Mama vraagt%'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(on_behalf, 1);
}

#[tokio::test]
async fn a_question_is_assigned_answered_once_and_marked_overdue() {
    for (app, ria_person) in demo_apps().await {
        let k = kring(&app.store, &ria_person).await;
        let backend = app.store.backend().name();
        let today = Day::local(now_ms());
        let ria = Browser::new(&app);
        ria.login_as(Role::Caregiver).await;
        let by = today.plus(2).iso();
        let r = post_message(
            &ria,
            &k,
            &[
                ("soort", "vraag"),
                ("tekst", "Wie kan vrijdag met papa naar de huisarts?"),
                ("aan", "iedereen"),
                ("vraag_aan", &k.sanne_member),
                ("antwoord_voor", &by),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let question: String = {
            let mut conn = app.store.pool().acquire().await.unwrap();
            let open = timeline::open_questions(
                &mut conn,
                &k.network,
                &Viewer {
                    user_id: k.ria.clone(),
                    member_id: None,
                    sees_all: true,
                },
            )
            .await
            .unwrap();
            assert_eq!(open.len(), 1, "{backend}");
            assert_eq!(open[0].assigned_to.as_deref(), Some("Sanne de Vries"));
            assert_eq!(open[0].answer_by, Some(today.plus(2)));
            open[0].id.clone()
        };
        let html = page(&ria, &timeline_path(&k)).await;
        assert!(html.contains("Vraag van"), "{backend}");
        assert!(html.contains("Gevraagd aan"));
        assert!(
            html.contains(&today.plus(2).iso()[8..10]),
            "the date is shown"
        );
        assert!(!html.contains("Te laat"), "{backend}: not overdue yet");

        // Marieke may see the question but it is not hers to answer.
        let marieke = Browser::new(&app);
        marieke.login_as(Role::Professional).await;
        let answer_path = format!("{}/{question}/antwoord", timeline_path(&k));
        let html = page(&marieke, &timeline_path(&k)).await;
        assert!(html.contains("Wie kan vrijdag"));
        assert!(
            !html.contains(&answer_path),
            "{backend}: no answer form for her"
        );
        let r = marieke.post(&answer_path, &[("antwoord", "Ik")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{backend}");
        // The refused answer is in the access log as denied (after the allowed access).
        let last = mantelkring_store::audit::all(&app.store)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(
            (
                last.action.as_str(),
                last.outcome.as_str(),
                last.purpose.as_str()
            ),
            ("update", "denied", "not_assigned"),
            "{backend}"
        );

        // Sanne answers.
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let html = page(&sanne, &timeline_path(&k)).await;
        assert!(
            html.contains(&answer_path),
            "{backend}: the answer form for Sanne"
        );
        let r = sanne
            .post(
                &answer_path,
                &[("antwoord", "Ik ga mee, ik haal hem om 9 uur op.")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let html = page(&ria, &timeline_path(&k)).await;
        assert!(html.contains("Antwoord van Sanne de Vries"), "{backend}");
        assert!(html.contains("Ik ga mee, ik haal hem om 9 uur op."));
        // Answered once.
        let r = ria.post(&answer_path, &[("antwoord", "Toch niet")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{backend}");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Deze vraag is al beantwoord")
        );
        let (answer,): (Option<String>,) =
            sqlx::query_as("SELECT answer FROM network_messages WHERE id = $1")
                .bind(&question)
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        assert_eq!(
            answer.as_deref(),
            Some("Ik ga mee, ik haal hem om 9 uur op.")
        );

        // A question whose date has passed is marked "te laat" (the form refuses such dates, so
        // it is written as if it was asked two weeks ago).
        let rolstoel = store_post(
            &app.store,
            &k.network,
            &k.ria,
            Kind::Question,
            "Is de rolstoel al besteld?",
            Some(today.plus(-3)),
            now_ms() - 14 * DAY_MS,
        )
        .await;
        let html = page(&sanne, &timeline_path(&k)).await;
        assert!(html.contains("Is de rolstoel al besteld?"));
        assert!(html.contains("Te laat"), "{backend}: overdue is shown");
        assert_eq!(html.matches("Te laat").count(), 1, "only the overdue one");
        // Assigned to nobody: any member who sees it may answer, Marieke does.
        let r = marieke
            .post(
                &format!("{}/{rolstoel}/antwoord", timeline_path(&k)),
                &[("antwoord", "Ja, hij komt donderdag.")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let html = page(&sanne, &timeline_path(&k)).await;
        assert!(html.contains("Antwoord van Marieke Jansen"), "{backend}");
        assert!(
            !html.contains("Te laat"),
            "{backend}: answered, so no longer overdue"
        );
    }
}

#[tokio::test]
async fn members_choose_their_email_and_only_immediate_members_get_one_at_once() {
    for (app, ria_person) in demo_apps().await {
        let k = kring(&app.store, &ria_person).await;
        let backend = app.store.backend().name();
        // Youssef is in the network for the agenda only (and would like every e-mail).
        add_member(
            &app.store,
            &k.network,
            &k.ria_person,
            &k.ria,
            "youssef.amrani@demo.mantelkring.nl",
            &[DataCategory::Agenda],
            NotifyMode::Immediate,
        )
        .await;
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        let html = page(&sanne, &timeline_path(&k)).await;
        assert!(
            html.contains("U krijgt één e-mail per dag"),
            "{backend}: the default"
        );
        let r = sanne
            .post(
                &format!("/kringen/{}/meldingen", k.network),
                &[("melding", "immediate")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(
            r.headers()["location"],
            format!("{}#meldingen", timeline_path(&k)).as_str()
        );
        let html = page(&sanne, &timeline_path(&k)).await;
        assert!(
            html.contains("U krijgt een e-mail bij elk nieuw bericht"),
            "{backend}"
        );

        let emails = |store: Store, to: &'static str| async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND payload LIKE $1",
            )
            .bind(format!("%\"to\":\"{to}\"%"))
            .fetch_one(store.pool())
            .await
            .unwrap();
            n
        };
        let ria = Browser::new(&app);
        ria.login_as(Role::Caregiver).await;
        let r = post_message(
            &ria,
            &k,
            &[
                ("tekst", "De apotheek bezorgt voortaan op dinsdag."),
                ("aan", "iedereen"),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let s = app.store.clone();
        assert_eq!(
            emails(s.clone(), "sanne.devries@demo.mantelkring.nl").await,
            1,
            "{backend}"
        );
        assert_eq!(
            emails(s.clone(), "marieke.jansen@demo.mantelkring.nl").await,
            0,
            "digest"
        );
        assert_eq!(
            emails(s.clone(), "youssef.amrani@demo.mantelkring.nl").await,
            0,
            "no Messages"
        );
        assert_eq!(
            emails(s.clone(), "ria.devries@demo.mantelkring.nl").await,
            0,
            "the author"
        );
        let mail = wait_for_mail(
            &app,
            "sanne.devries@demo.mantelkring.nl",
            "De apotheek bezorgt voortaan op dinsdag.",
        )
        .await;
        assert!(mail.contains("Ria de Vries"), "{backend}");
        assert!(
            mail.contains(&timeline_path(&k)),
            "{backend}: a link to the timeline"
        );

        // To Marieke only: not for Sanne. Sanne's own message: not for Sanne.
        post_message(
            &ria,
            &k,
            &[
                ("tekst", "Alleen voor Marieke"),
                ("aan", "gekozen"),
                ("leden", &k.marieke_member),
            ],
        )
        .await;
        post_message(&sanne, &k, &[("tekst", "Ik neem de sleutel mee.")]).await;
        assert_eq!(
            emails(s.clone(), "sanne.devries@demo.mantelkring.nl").await,
            1,
            "{backend}"
        );
        // Switched off: nothing more.
        sanne
            .post(
                &format!("/kringen/{}/meldingen", k.network),
                &[("melding", "off")],
            )
            .await;
        post_message(&ria, &k, &[("tekst", "Nog een bericht")]).await;
        assert_eq!(
            emails(s, "sanne.devries@demo.mantelkring.nl").await,
            1,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_digest_email_holds_the_days_messages_for_that_member_only() {
    for (app, ria_person) in demo_apps().await {
        let k = kring(&app.store, &ria_person).await;
        let backend = app.store.backend().name();
        let peter = user_id(&app.store, "peter.bakker@demo.mantelkring.nl").await;
        // Sanne is also in Gerda's network, where Peter (a coordinator) writes.
        let (gerda_network, gerda_person) = other_network(&app.store).await;
        add_member(
            &app.store,
            &gerda_network,
            &gerda_person,
            &peter,
            "sanne.devries@demo.mantelkring.nl",
            &[DataCategory::Messages],
            NotifyMode::Digest,
        )
        .await;
        let ria = Browser::new(&app);
        ria.login_as(Role::Caregiver).await;
        // Before Sanne's last digest.
        post_message(&ria, &k, &[("tekst", "Oud nieuws van vorige week")]).await;
        let mut conn = app.store.pool().acquire().await.unwrap();
        assert!(
            timeline::mark_digest_sent(&mut conn, &k.sanne_member, now_ms())
                .await
                .unwrap()
        );
        drop(conn);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        // The day's messages.
        post_message(
            &ria,
            &k,
            &[("tekst", "Boodschappen voor maandag: melk en brood")],
        )
        .await;
        post_message(
            &ria,
            &k,
            &[
                ("tekst", "Alleen voor Marieke: het zorgplan"),
                ("aan", "gekozen"),
                ("leden", &k.marieke_member),
            ],
        )
        .await;
        post_message(
            &ria,
            &k,
            &[
                ("soort", "vraag"),
                ("tekst", "Kun jij zaterdag koken?"),
                ("vraag_aan", &k.sanne_member),
            ],
        )
        .await;
        let sanne = Browser::new(&app);
        sanne.login_as(Role::NetworkMember).await;
        post_message(&sanne, &k, &[("tekst", "Sanne schreef dit zelf")]).await;
        store_post(
            &app.store,
            &gerda_network,
            &peter,
            Kind::Message,
            "Bericht uit de kring van Gerda",
            None,
            now_ms(),
        )
        .await;

        // The morning run covers the whole of today (the job takes its clock as an argument).
        let done =
            mantelkring::kring_digest::run(&app.store, &app.config.public_url, now_ms() + DAY_MS)
                .await
                .unwrap();
        // Sanne (two networks) and Marieke (digest by default).
        assert_eq!(done.emails, 3, "{backend}");
        let sanne_to = "sanne.devries@demo.mantelkring.nl";
        let mail = wait_for_mail(&app, sanne_to, "Boodschappen voor maandag").await;
        assert!(
            mail.contains("Subject: Nieuwe berichten in de kring van Ria de Vries"),
            "{backend}"
        );
        assert!(
            mail.contains("Kun jij zaterdag koken?"),
            "{backend}: the question to her"
        );
        assert!(mail.contains("Ria de Vries"), "the author");
        assert!(
            mail.contains(&format!("http://127.0.0.1{}", timeline_path(&k))),
            "{backend}: a link to the timeline"
        );
        let time = mantelkring_web::network::timeline::local_moment(now_ms());
        assert!(mail.contains(&time[..10]), "{backend}: the date and time");
        assert!(
            !mail.contains("het zorgplan"),
            "{backend}: not a message to another member"
        );
        assert!(
            !mail.contains("Sanne schreef dit zelf"),
            "{backend}: not her own"
        );
        assert!(
            !mail.contains("Oud nieuws"),
            "{backend}: nothing from before her last digest"
        );
        assert!(
            !mail.contains("kring van Gerda"),
            "{backend}: not another network's"
        );
        let other = wait_for_mail(&app, sanne_to, "Bericht uit de kring van Gerda").await;
        assert!(other.contains("Nieuwe berichten in de kring van Gerda Smit"));
        assert!(!other.contains("Boodschappen"), "{backend}");
        let marieke =
            wait_for_mail(&app, "marieke.jansen@demo.mantelkring.nl", "het zorgplan").await;
        assert!(marieke.contains("Sanne schreef dit zelf"), "{backend}");
        // A second run on the same day sends nothing again.
        let again =
            mantelkring::kring_digest::run(&app.store, &app.config.public_url, now_ms() + DAY_MS)
                .await
                .unwrap();
        assert_eq!(again.emails, 0, "{backend}");
    }
}

#[tokio::test]
async fn the_digest_job_waits_for_the_morning_and_runs_from_the_command_line() {
    let db = TestDatabase::sqlite();
    let dir = temp_dir("digest");
    let config = crate::support::test_config(&db.url, &dir);
    let store = mantelkring::app::open_store(&config).await.unwrap();
    let seeded = demo::seed(&store).await.unwrap();
    crate::support::reset_ria_kring(&store, &seeded.caregiver_person_id).await;
    let k = kring(&store, &seeded.caregiver_person_id).await;
    // The application queues the digest for the next morning at seven.
    let app = TestApp::start(config.clone(), store.clone(), dir).await;
    let (run_at,): (i64,) =
        sqlx::query_as("SELECT run_at FROM jobs WHERE kind = 'kring_digest' AND status = 'queued'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let expected = mantelkring::kring_digest::next_run(now_ms());
    assert!(
        (run_at - expected).abs() < 60_000,
        "queued for seven in the morning"
    );
    assert!(run_at > now_ms());
    app.stop().await;
    let store = mantelkring::app::open_store(&config).await.unwrap();

    // A message from yesterday, after Sanne's last digest.
    let mut conn = store.pool().acquire().await.unwrap();
    timeline::mark_digest_sent(&mut conn, &k.sanne_member, now_ms() - 2 * DAY_MS)
        .await
        .unwrap();
    drop(conn);
    store_post(
        &store,
        &k.network,
        &k.ria,
        Kind::Message,
        "Gisteren geschreven",
        None,
        now_ms() - DAY_MS,
    )
    .await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mantelkring"))
            .args(["--database-url", &db.url, "jobs", "digest"])
            .env("MANTELKRING_LOG", "warn")
            .env_remove("MANTELKRING_CONFIG")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("1 e-mail(s) met 1 bericht(en)"), "{stdout}");
    let again = run();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 e-mail(s)"),
        "not twice"
    );
    let (queued,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND payload LIKE '%Gisteren geschreven%'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(queued, 1);
}

#[tokio::test]
async fn the_timeline_pages_twenty_at_a_time() {
    let (app, ria_person) = demo_app().await;
    crate::support::reset_ria_kring(&app.store, &ria_person).await;
    let k = kring(&app.store, &ria_person).await;
    let start = now_ms() - 100_000;
    for i in 0..25 {
        store_post(
            &app.store,
            &k.network,
            &k.ria,
            Kind::Message,
            &format!("Bericht nummer {i:02}."),
            None,
            start + i * 1000,
        )
        .await;
    }
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    let html = page(&sanne, &timeline_path(&k)).await;
    assert!(html.contains("Bericht nummer 24.") && html.contains("Bericht nummer 05."));
    assert!(!html.contains("Bericht nummer 04."));
    let older = html
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("?before="))
        .expect("a link to older messages")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&");
    let html = page(&sanne, &older).await;
    assert!(html.contains("Bericht nummer 04.") && html.contains("Bericht nummer 00."));
    assert!(!html.contains("Bericht nummer 05."));
    assert!(html.contains("Nieuwste berichten"));
    assert!(!html.contains("?before="), "no page after the last");
    // A cursor that is not one: 400 with a Dutch message.
    let r = sanne
        .get(&format!("{}?before=gisteren", timeline_path(&k)))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Deze pagina van de tijdlijn bestaat niet")
    );
}

#[tokio::test]
async fn who_may_not_see_or_post_on_the_timeline_is_refused() {
    let (app, ria_person) = demo_app().await;
    crate::support::reset_ria_kring(&app.store, &ria_person).await;
    let k = kring(&app.store, &ria_person).await;
    let question = store_post(
        &app.store,
        &k.network,
        &k.ria,
        Kind::Question,
        "Een vraag voor iedereen",
        None,
        now_ms(),
    )
    .await;
    let tl = timeline_path(&k);
    let answer = format!("{tl}/{question}/antwoord");
    let notify = format!("/kringen/{}/meldingen", k.network);
    let before = messages(&app.store).await;

    // Logged out: to the login page, for reading and for posting.
    let anonymous = Browser::new(&app);
    for r in [
        anonymous.get(&tl).await,
        anonymous.post(&tl, &[("tekst", "Hallo")]).await,
        anonymous.post(&answer, &[("antwoord", "Ja")]).await,
        anonymous.post(&notify, &[("melding", "off")]).await,
    ] {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/inloggen")
        );
    }

    // A member without the Messages category (Youssef: agenda only).
    add_member(
        &app.store,
        &k.network,
        &k.ria_person,
        &k.ria,
        "youssef.amrani@demo.mantelkring.nl",
        &[DataCategory::Agenda],
        NotifyMode::Digest,
    )
    .await;
    let youssef = Browser::new(&app);
    youssef.login_as(Role::Volunteer).await;
    // A professional of another network (Gerda's), with every category there.
    let (gerda_network, gerda_person) = other_network(&app.store).await;
    let joris = professional_elsewhere(&app, &gerda_network, &gerda_person).await;
    assert_eq!(
        joris
            .get(&format!("/kringen/{gerda_network}/tijdlijn"))
            .await
            .status(),
        StatusCode::OK,
        "his own network's timeline"
    );
    // A removed member (Sanne, after Ria removed her).
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    assert_eq!(sanne.get(&tl).await.status(), StatusCode::OK);
    let mut tx = app.store.begin_write().await.unwrap();
    assert!(
        members::remove(
            &mut tx,
            &k.network,
            &k.sanne_member,
            By {
                user_id: &k.ria,
                on_behalf: false
            }
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();

    for (who, b) in [("youssef", &youssef), ("joris", &joris), ("sanne", &sanne)] {
        let html = b.get(&tl).await;
        assert_eq!(html.status(), StatusCode::FORBIDDEN, "{who}: GET");
        assert!(
            !html
                .text()
                .await
                .unwrap()
                .contains("Een vraag voor iedereen")
        );
        for (path, fields) in [
            (&tl, vec![("tekst", "Mag ik dit?"), ("aan", "iedereen")]),
            (&answer, vec![("antwoord", "Ja")]),
            (&notify, vec![("melding", "off")]),
        ] {
            let r = b.post(path, &fields).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}: POST {path}");
        }
    }
    assert_eq!(messages(&app.store).await, before, "nothing written");
    let (answered,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM network_messages WHERE answered_at IS NOT NULL")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(answered, 0);
    // The refusals are in the audit log.
    let (refused,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND data_category = 'messages'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(refused, 12);
    // A network that does not exist.
    let ria = Browser::new(&app);
    ria.login_as(Role::Caregiver).await;
    assert_eq!(
        ria.get("/kringen/bestaat-niet/tijdlijn").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn bad_input_gets_a_dutch_message_and_writes_nothing() {
    let (app, ria_person) = demo_app().await;
    crate::support::reset_ria_kring(&app.store, &ria_person).await;
    let k = kring(&app.store, &ria_person).await;
    let question = store_post(
        &app.store,
        &k.network,
        &k.ria,
        Kind::Question,
        "Wie heeft de sleutel?",
        None,
        now_ms(),
    )
    .await;
    let before = messages(&app.store).await;
    let ria = Browser::new(&app);
    ria.login_as(Role::Caregiver).await;
    let long = "a".repeat(4001);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("tekst", "   ")], "Schrijf eerst uw bericht of vraag."),
        (vec![("tekst", &long)], "Uw tekst is te lang."),
        (
            vec![("tekst", "Hallo\u{7}")],
            "Er staat een teken in uw tekst",
        ),
        (
            vec![("soort", "brief"), ("tekst", "x")],
            "Kies of u een bericht of een vraag schrijft.",
        ),
        (
            vec![("tekst", "x"), ("aan", "buren")],
            "Kies voor wie uw bericht is.",
        ),
        (
            vec![("tekst", "x"), ("aan", "gekozen")],
            "Vink minstens één persoon aan.",
        ),
        (
            vec![
                ("tekst", "x"),
                ("aan", "gekozen"),
                ("leden", "0193-onbekend"),
            ],
            "Deze persoon is niet (meer) in de kring",
        ),
        (
            vec![("soort", "vraag"), ("tekst", "x"), ("vraag_aan", "iemand")],
            "Deze persoon is niet (meer) in de kring",
        ),
        (
            vec![
                ("soort", "vraag"),
                ("tekst", "x"),
                ("antwoord_voor", "2026-02-31"),
            ],
            "De datum klopt niet.",
        ),
        (
            vec![
                ("soort", "vraag"),
                ("tekst", "x"),
                ("antwoord_voor", "2001-01-01"),
            ],
            "Deze datum is al voorbij.",
        ),
        (
            vec![
                ("soort", "vraag"),
                ("tekst", "x"),
                ("antwoord_voor", "2999-01-01"),
            ],
            "Deze datum is te ver weg.",
        ),
    ];
    for (fields, expected) in cases {
        let r = post_message(&ria, &k, &fields).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains(expected), "{fields:?}: {expected}");
        assert!(html.contains("role=\"alert\""));
    }
    // The form keeps what was typed.
    let r = post_message(
        &ria,
        &k,
        &[
            ("soort", "vraag"),
            ("tekst", "Mijn lange vraag"),
            ("antwoord_voor", "morgen"),
        ],
    )
    .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(">Mijn lange vraag</textarea>")
    );

    let answer = format!("{}/{question}/antwoord", timeline_path(&k));
    let r = ria.post(&answer, &[("antwoord", "  ")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Schrijf eerst uw antwoord.")
    );
    let r = ria.post(&answer, &[("antwoord", &"b".repeat(1001))]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Uw antwoord is te lang."));
    let r = ria
        .post(
            &format!("{}/bestaat-niet/antwoord", timeline_path(&k)),
            &[("antwoord", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The caregiver has no membership to choose e-mail for; a member must choose a real option.
    let notify = format!("/kringen/{}/meldingen", k.network);
    let r = ria.post(&notify, &[("melding", "digest")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("U bent de mantelzorger"));
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    let r = sanne.post(&notify, &[("melding", "wekelijks")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Kies hoe u over nieuwe berichten wilt horen.")
    );
    let mut conn = app.store.pool().acquire().await.unwrap();
    assert_eq!(
        timeline::notify_mode(&mut conn, &k.network, &k.sanne_member)
            .await
            .unwrap(),
        Some(NotifyMode::Digest)
    );
    drop(conn);

    assert_eq!(messages(&app.store).await, before, "nothing written");
    let (answered,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM network_messages WHERE answered_at IS NOT NULL")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(answered, 0);
    let (recipients,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM network_message_recipients")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(recipients, 0);
}
