//! The administration area, invitations, a professional registering a caregiver with verbal
//! consent, consents and their withdrawal, and the AVG rights (download, erasure) — each with the
//! test of who may NOT do it, and the audit record it leaves.

use crate::accounts::{link_token, wait_for_mail};
use crate::identity::{Browser, count, demo_app, email_of};
use mantelkring_core::base::Role;
use mantelkring_store::{audit, base};
use reqwest::StatusCode;

async fn user_id(app: &crate::support::TestApp, role: Role) -> String {
    base::find_user_by_email(&app.store, email_of(role))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn organisation_id(app: &crate::support::TestApp, name: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    id
}

async fn region_id(app: &crate::support::TestApp) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM regions LIMIT 1")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    id
}

const ADMIN_PAGES: [&str; 5] = [
    "/beheer",
    "/beheer/regios",
    "/beheer/organisaties",
    "/beheer/gebruikers",
    "/beheer/gebruikers/uitnodigen",
];

#[tokio::test]
async fn only_administrators_with_a_second_factor_enter_the_administration() {
    let (app, _) = demo_app().await;
    for path in ADMIN_PAGES {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "logged out: {path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/inloggen")
        );
    }
    for role in Role::ALL.into_iter().filter(|r| *r != Role::Administrator) {
        let b = Browser::new(&app);
        b.login_as(role).await;
        for path in ADMIN_PAGES {
            assert_eq!(
                b.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{role:?} {path}"
            );
        }
        // A refused change writes nothing but its refusal in the log.
        let before = count(&app.store, "users").await;
        let r = b
            .post(
                "/beheer/gebruikers/uitnodigen",
                &[("naam", "Indringer"), ("email", "x@example.org")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
        assert_eq!(count(&app.store, "users").await, before);
        let last = audit::all(&app.store).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.action.as_str(), last.outcome.as_str()),
            ("create", "denied")
        );
    }
    // The administrator without the second factor is sent to it first.
    let b = Browser::new(&app);
    let r = b
        .login(
            email_of(Role::Administrator),
            mantelkring::demo::DEMO_PASSWORD,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = b.get("/beheer").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen/code")
    );
    // With it, every page opens and each view is logged as administration.
    let b = Browser::new(&app);
    b.login_as(Role::Administrator).await;
    for path in ADMIN_PAGES {
        let before = audit::all(&app.store).await.unwrap().len();
        let r = b.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let records = audit::all(&app.store).await.unwrap();
        assert_eq!(records.len(), before + 1, "{path}");
        assert_eq!(records.last().unwrap().purpose, "administration", "{path}");
    }
}

#[tokio::test]
async fn an_administrator_builds_the_region_and_invites_a_colleague_who_sets_a_password() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    b.login_as(Role::Administrator).await;
    let region = region_id(&app).await;

    // Bad input: a clear Dutch message, 400, nothing written.
    let municipalities = count(&app.store, "municipalities").await;
    let r = b
        .post(
            "/beheer/gemeenten",
            &[
                ("regio", &region),
                ("code", "GM12345"),
                ("gemeente", "Nergens"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Deze gemeentecode klopt niet")
    );
    let r = b
        .post(
            "/beheer/gemeenten",
            &[
                ("regio", &region),
                ("code", "GM0546"),
                ("gemeente", "Leiden"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "duplicate code");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("al een gemeente met deze code")
    );
    assert_eq!(count(&app.store, "municipalities").await, municipalities);

    // A new municipality and organisation.
    let r = b
        .post(
            "/beheer/gemeenten",
            &[
                ("regio", &region),
                ("code", "626"),
                ("gemeente", "Voorschoten"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        b.get("/beheer/regios")
            .await
            .text()
            .await
            .unwrap()
            .contains("Voorschoten (GM0626)")
    );
    let organisations = count(&app.store, "organisations").await;
    let r = b
        .post(
            "/beheer/organisaties",
            &[
                ("naam", "Wijkteam Voorschoten"),
                ("soort", "welfare"),
                ("regio", &region),
                ("website", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(count(&app.store, "organisations").await, organisations);
    let r = b
        .post(
            "/beheer/organisaties",
            &[
                ("naam", "Wijkteam Voorschoten"),
                ("soort", "welfare"),
                ("regio", &region),
                ("website", "https://wijkteam.example"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let wijkteam = organisation_id(&app, "Wijkteam Voorschoten").await;

    // The invitation: malformed e-mail refused, then sent.
    let users = count(&app.store, "users").await;
    let r = b
        .post(
            "/beheer/gebruikers/uitnodigen",
            &[
                ("naam", "Fatima El Idrissi"),
                ("email", "fatima@@example"),
                ("organisatie", &wijkteam),
                ("rol", "professional"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(count(&app.store, "users").await, users);
    let r = b
        .post(
            "/beheer/gebruikers/uitnodigen",
            &[
                ("naam", "Fatima El Idrissi"),
                ("email", "Fatima@Wijkteam.example"),
                ("organisatie", &wijkteam),
                ("rol", "professional"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let detail = r.headers()["location"].to_str().unwrap().to_string();
    let html = b.get(&detail).await.text().await.unwrap();
    assert!(html.contains("De uitnodiging is verstuurd") && html.contains("Wijkteam Voorschoten"));
    let record = audit::all(&app.store).await.unwrap().pop().unwrap();
    assert_eq!(
        record.action, "read",
        "the detail page view is the last record"
    );

    // The same address again: refused, nothing new.
    let r = b
        .post(
            "/beheer/gebruikers/uitnodigen",
            &[
                ("naam", "Fatima"),
                ("email", "fatima@wijkteam.example"),
                ("organisatie", &wijkteam),
                ("rol", "professional"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(count(&app.store, "users").await, users + 1);

    // Fatima sets her password through the link and logs in; as a professional she must set up
    // the second factor first.
    let mail = wait_for_mail(&app, "fatima@wijkteam.example", "wachtwoord").await;
    let token = link_token(&mail, "/wachtwoord-instellen");
    let fatima = Browser::new(&app);
    let password = "regenboog fietspomp kaasschaaf";
    let r = fatima
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", password),
                ("herhaling", password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = fatima.login("fatima@wijkteam.example", password).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen/tweestaps-instellen")
    );
    // The link works once.
    let r = fatima
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", password),
                ("herhaling", password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn blocking_ends_sessions_and_roles_change_only_through_an_administrator() {
    let (app, _) = demo_app().await;
    let admin = Browser::new(&app);
    admin.login_as(Role::Administrator).await;
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    assert_eq!(sanne.get("/account").await.status(), StatusCode::OK);
    let sanne_id = user_id(&app, Role::NetworkMember).await;
    let page = format!("/beheer/gebruikers/{sanne_id}");

    let r = admin
        .post(&format!("{page}/blokkeren"), &[("blokkeren", "ja")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        sanne.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "session ended"
    );
    let r = sanne
        .login(
            email_of(Role::NetworkMember),
            mantelkring::demo::DEMO_PASSWORD,
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "blocked: refused like a wrong password"
    );
    let r = admin
        .post(&format!("{page}/blokkeren"), &[("blokkeren", "nee")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    sanne.login_as(Role::NetworkMember).await;

    // Add and remove a personal role.
    let r = admin
        .post(&format!("{page}/rol-toevoegen"), &[("rol", "volunteer")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        admin
            .get(&page)
            .await
            .text()
            .await
            .unwrap()
            .contains("vrijwilliger")
    );
    let r = admin
        .post(
            &format!("{page}/rol-verwijderen"),
            &[("rol", "persoonlijk:volunteer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // An organisation role needs an organisation.
    let r = admin
        .post(&format!("{page}/rol-toevoegen"), &[("rol", "professional")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The administrator cannot block themselves or drop their own administration role.
    let me = user_id(&app, Role::Administrator).await;
    let r = admin
        .post(
            &format!("/beheer/gebruikers/{me}/blokkeren"),
            &[("blokkeren", "ja")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (membership,): (String,) =
        sqlx::query_as("SELECT id FROM memberships WHERE user_id = $1 AND role = 'administrator'")
            .bind(&me)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let r = admin
        .post(
            &format!("/beheer/gebruikers/{me}/rol-verwijderen"),
            &[("rol", &membership)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(admin.get("/beheer").await.status().is_success());

    // Nobody else may block.
    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    let r = pro
        .post(&format!("{page}/blokkeren"), &[("blokkeren", "ja")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(sanne.get("/account").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_person_downloads_all_their_data_and_only_their_own() {
    let (app, ria) = demo_app().await;
    // Marieke looks at Ria's page, so Ria's export has an access by others.
    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    assert_eq!(
        pro.get(&format!("/personen/{ria}")).await.status(),
        StatusCode::OK
    );

    for path in [
        "/mijn-gegevens",
        "/mijn-gegevens/overzicht",
        "/mijn-gegevens/download",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::SEE_OTHER,
            "{path}"
        );
    }
    let b = Browser::new(&app);
    b.login_as(Role::Caregiver).await;
    let before = audit::all(&app.store).await.unwrap().len();
    let r = b.get("/mijn-gegevens/download").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"mantelkring-gegevens-")
    );
    let export: serde_json::Value = r.json().await.unwrap();
    assert_eq!(export["format"], "mantelkring-export/1");
    assert_eq!(export["person"]["id"], ria.as_str());
    assert_eq!(
        export["account"]["email"],
        "ria.devries@demo.mantelkring.nl"
    );
    // Ria's kring as the demo file has it: every membership (also the one waiting for her
    // approval), and her consent for each active member.
    let kring = mantelkring::demo_kring::load().unwrap();
    let ria_kring = kring.caregiver("ria").unwrap();
    let members = export["network_members"].as_array().unwrap();
    assert_eq!(members.len(), ria_kring.members.len());
    assert!(members.iter().any(|m| m["name"] == "Marieke Jansen"));
    assert_eq!(
        export["consents"].as_array().unwrap().len(),
        ria_kring.size()
    );
    let accesses = export["accessed_by_others"].as_array().unwrap();
    assert!(
        accesses
            .iter()
            .any(|a| a["organisation"] == "Steunpunt Mantelzorg Rijnstreek")
    );
    assert!(
        !export.to_string().contains("marieke.jansen"),
        "no employee's e-mail"
    );
    assert!(!export.to_string().contains("password"), "no secrets");
    let records = audit::all(&app.store).await.unwrap();
    assert_eq!(records.len(), before + 1);
    let last = records.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.purpose.as_str(),
            last.subject_person_id.as_deref()
        ),
        ("export", "own_data", Some(ria.as_str()))
    );

    let html = b
        .get("/mijn-gegevens/overzicht")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Alle gegevens over mij") && html.contains("Marieke Jansen"));
    assert!(html.contains("Steunpunt Mantelzorg Rijnstreek"));
    assert_eq!(
        audit::all(&app.store).await.unwrap().last().unwrap().action,
        "export"
    );

    // Sanne's download holds Sanne, not Ria's address or phone.
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    let text = sanne
        .get("/mijn-gegevens/download")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("sanne.devries@")
            && !text.contains("ria.devries@")
            && !text.contains("071 555 0101")
    );
}

#[tokio::test]
async fn a_caregiver_withdraws_consent_and_the_member_is_refused_at_once() {
    let (app, ria) = demo_app().await;
    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    let page = format!("/personen/{ria}");
    assert_eq!(pro.get(&page).await.status(), StatusCode::OK);

    assert_eq!(
        app.get("/mijn-gegevens/toestemmingen").await.status(),
        StatusCode::SEE_OTHER
    );
    let b = Browser::new(&app);
    b.login_as(Role::Caregiver).await;
    let html = b
        .get("/mijn-gegevens/toestemmingen")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Marieke Jansen (Steunpunt Mantelzorg Rijnstreek)"));
    assert!(html.contains("door uzelf, online"));
    let pro_id = user_id(&app, Role::Professional).await;
    let (consent,): (String,) =
        sqlx::query_as("SELECT consent_id FROM network_members WHERE user_id = $1")
            .bind(&pro_id)
            .fetch_one(app.store.pool())
            .await
            .unwrap();

    // Someone else cannot withdraw Ria's consent.
    let sanne = Browser::new(&app);
    sanne.login_as(Role::NetworkMember).await;
    let r = sanne
        .post(
            &format!("/mijn-gegevens/toestemmingen/{consent}/intrekken"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(pro.get(&page).await.status(), StatusCode::OK);

    let r = b
        .post(
            &format!("/mijn-gegevens/toestemmingen/{consent}/intrekken"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let last = audit::all(&app.store).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.purpose.as_str()),
        ("update", "own_data")
    );
    assert_eq!(pro.get(&page).await.status(), StatusCode::FORBIDDEN);
    let html = b
        .get("/mijn-gegevens/toestemmingen")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("ingetrokken op"));
    // Twice is not possible.
    let r = b
        .post(
            &format!("/mijn-gegevens/toestemmingen/{consent}/intrekken"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_professional_registers_a_caregiver_with_verbal_consent() {
    let (app, _) = demo_app().await;
    let fields = [
        ("naam", "Henk Smit"),
        ("email", "henk.smit@example.org"),
        ("telefoon", "071 123 45 67"),
        ("postcode", "2311ab"),
        ("zien", "contact"),
        ("zien", "agenda"),
        ("toestemming", "mondeling"),
    ];
    // Who may not.
    assert_eq!(
        app.get("/mantelzorger-aanmelden").await.status(),
        StatusCode::SEE_OTHER
    );
    let people = count(&app.store, "people").await;
    let consents = count(&app.store, "consents").await;
    for role in [Role::Caregiver, Role::Volunteer, Role::NetworkCoordinator] {
        let b = Browser::new(&app);
        b.login_as(role).await;
        assert_eq!(
            b.get("/mantelzorger-aanmelden").await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        assert_eq!(
            b.post("/mantelzorger-aanmelden", &fields).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(count(&app.store, "people").await, people);

    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    // Without the consent box: 400, nothing written.
    let without: Vec<_> = fields
        .iter()
        .filter(|f| f.0 != "toestemming")
        .copied()
        .collect();
    let r = pro.post("/mantelzorger-aanmelden", &without).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("mondeling toestemming"));
    let mut bad_postcode = fields.to_vec();
    bad_postcode[3] = ("postcode", "ABCD 12");
    assert_eq!(
        pro.post("/mantelzorger-aanmelden", &bad_postcode)
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(count(&app.store, "people").await, people);
    assert_eq!(count(&app.store, "consents").await, consents);

    let r = pro.post("/mantelzorger-aanmelden", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let henk_page = r.headers()["location"].to_str().unwrap().to_string();
    let henk = henk_page.trim_start_matches("/personen/").to_string();
    let html = pro.get(&henk_page).await.text().await.unwrap();
    assert!(
        html.contains("Henk Smit") && html.contains("071 123 45 67") && html.contains("2311 AB")
    );
    let record = audit::all(&app.store)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|r| r.action == "create")
        .unwrap();
    assert_eq!(
        (record.purpose.as_str(), record.subject_person_id.as_deref()),
        ("registration", Some(henk.as_str()))
    );
    let (method, recorded_by): (String, String) = sqlx::query_as(
        "SELECT method, recorded_by_user_id FROM consents WHERE subject_person_id = $1",
    )
    .bind(&henk)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(method, "verbal");
    assert_eq!(recorded_by, user_id(&app, Role::Professional).await);

    // Another professional-less member of staff does not see Henk.
    let coordinator = Browser::new(&app);
    coordinator.login_as(Role::VolunteerCoordinator).await;
    assert_eq!(
        coordinator.get(&henk_page).await.status(),
        StatusCode::FORBIDDEN
    );

    // Henk is invited, sets a password, and sees who recorded his consent.
    let mail = wait_for_mail(&app, "henk.smit@example.org", "Marieke Jansen").await;
    let token = link_token(&mail, "/wachtwoord-instellen");
    let b = Browser::new(&app);
    let password = "tuinhek zonnescherm appelboom";
    let r = b
        .post(
            "/wachtwoord-instellen",
            &[
                ("token", &token),
                ("wachtwoord", password),
                ("herhaling", password),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        b.login("henk.smit@example.org", password).await.status(),
        StatusCode::SEE_OTHER
    );
    let html = b
        .get("/mijn-gegevens/toestemmingen")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("mondeling, vastgelegd door Marieke Jansen"),
        "{html}"
    );
}

#[tokio::test]
async fn erasure_on_request_removes_personal_data_and_keeps_the_audit_log() {
    let (app, ria) = demo_app().await;
    let ria_user = user_id(&app, Role::Caregiver).await;
    let ria_browser = Browser::new(&app);
    ria_browser.login_as(Role::Caregiver).await;
    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    assert_eq!(
        pro.get(&format!("/personen/{ria}")).await.status(),
        StatusCode::OK
    );
    let records_before = audit::all(&app.store).await.unwrap();
    assert!(
        records_before
            .iter()
            .any(|r| r.subject_person_id.as_deref() == Some(ria.as_str()))
    );

    // Ria cannot erase herself (it goes through an administrator), nor can a professional.
    let page = format!("/beheer/gebruikers/{ria_user}/wissen");
    assert_eq!(
        ria_browser
            .post(&page, &[("bevestig", "ja")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        pro.post(&page, &[("bevestig", "ja")]).await.status(),
        StatusCode::FORBIDDEN
    );

    let admin = Browser::new(&app);
    admin.login_as(Role::Administrator).await;
    assert!(
        admin
            .get(&page)
            .await
            .text()
            .await
            .unwrap()
            .contains("Ria de Vries")
    );
    // Without the confirmation: nothing happens.
    let r = admin.post(&page, &[]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(ria_browser.get("/account").await.status(), StatusCode::OK);

    let r = admin.post(&page, &[("bevestig", "ja")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let last = audit::all(&app.store).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.purpose.as_str(),
            last.subject_person_id.as_deref()
        ),
        ("delete", "data_subject_request", Some(ria.as_str()))
    );

    // The person's fields are gone; the account is closed; the network no longer opens.
    let (given, email, phone): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT given_name, email, phone FROM people WHERE id = $1")
            .bind(&ria)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!((given.as_str(), email, phone), ("Verwijderd", None, None));
    let (user_email, hash): (String, Option<String>) =
        sqlx::query_as("SELECT email, password_hash FROM users WHERE id = $1")
            .bind(&ria_user)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert!(user_email.ends_with("@verwijderd.invalid") && hash.is_none());
    assert_eq!(
        ria_browser.get("/account").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        pro.get(&format!("/personen/{ria}")).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = Browser::new(&app)
        .login(email_of(Role::Caregiver), mantelkring::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the old login no longer works"
    );

    // Every audit record is still there and the chain verifies.
    let after = audit::all(&app.store).await.unwrap();
    for old in &records_before {
        assert!(
            after
                .iter()
                .any(|r| r.event_id == old.event_id && r.seq == old.seq)
        );
    }
    assert!(audit::verify(&app.store).await.unwrap().is_ok());
    assert!(
        admin
            .get(&format!("/beheer/gebruikers/{ria_user}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("gewist op verzoek")
    );
}

#[tokio::test]
async fn only_the_log_administrator_searches_the_log_and_the_search_is_logged() {
    let (app, ria) = demo_app().await;
    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    assert_eq!(
        pro.get(&format!("/personen/{ria}")).await.status(),
        StatusCode::OK
    );

    let r = app.get("/logboek").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for role in Role::ALL
        .into_iter()
        .filter(|r| *r != Role::LogAdministrator)
    {
        // A TOTP code works once: the professional who is already logged in is reused.
        let fresh = Browser::new(&app);
        let b = if role == Role::Professional {
            &pro
        } else {
            fresh.login_as(role).await;
            &fresh
        };
        let r = b.get(&format!("/logboek?persoon={ria}")).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
        // Bad input does not reveal more to those who may not search.
        let r = b.get("/logboek?van=gisteren").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
        let last = audit::all(&app.store).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.action.as_str(), last.outcome.as_str()),
            ("search", "denied"),
            "{role:?}"
        );
    }

    let b = Browser::new(&app);
    b.login_as(Role::LogAdministrator).await;
    let before = audit::all(&app.store).await.unwrap().len();
    let r = b.get("/logboek?van=31-02-2026").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("Deze datum klopt niet"));
    assert_eq!(audit::all(&app.store).await.unwrap().len(), before);

    let r = b
        .get(&format!(
            "/logboek?persoon={ria}&gebruiker={}&actie=read",
            email_of(Role::Professional)
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Marieke Jansen (marieke.jansen@demo.mantelkring.nl), professional"));
    assert!(html.contains("Steunpunt Mantelzorg Rijnstreek"));
    assert!(
        !html.contains("071 555 0101"),
        "the log shows who, never the data"
    );
    let search = audit::all(&app.store).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            search.action.as_str(),
            search.purpose.as_str(),
            search.subject_person_id.as_deref()
        ),
        ("search", "audit_review", Some(ria.as_str()))
    );
    let pro_id = user_id(&app, Role::Professional).await;
    assert_eq!(
        search.detail.as_deref(),
        Some(format!("page=/logboek subject={ria} user={pro_id} action=read").as_str())
    );
    // An unknown user is a clear message, not an empty list.
    let r = b.get("/logboek?gebruiker=niemand@example.org").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Ria sees that the log administrator searched her data (organisation and role, no name).
    let ria_b = Browser::new(&app);
    ria_b.login_as(Role::Caregiver).await;
    let html = ria_b
        .get("/mijn-gegevens/inzage")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("logbeheerder") && !html.contains("Logbeheerder Mantelkring"));
}
