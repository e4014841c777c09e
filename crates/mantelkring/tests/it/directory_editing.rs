//! The sociale kaart's editing and freshness: an editor keeps their organisation's entries up to
//! date (forms, "Klopt nog", versions, error reports), nobody else may (editors of another
//! organisation, other roles, visitors), anyone may report an error, coordinators see the
//! freshness overview, and the daily reminder reaches the right editors once.

use crate::accounts::wait_for_mail;
use crate::identity::{Browser, count, demo_app};
use crate::support::{TestApp, temp_dir};
use mantelkring::demo::DEMO_PASSWORD;
use mantelkring_core::base::{CbsCode, OrganisationKind, Role};
use mantelkring_core::directory::draft::ServiceDraft;
use mantelkring_core::directory::freshness::DAY_MS;
use mantelkring_core::directory::model::ServiceStatus;
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewOrganisation, NewUser};
use mantelkring_store::directory::{self, Editor};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, audit};
use reqwest::StatusCode;
use uuid::Uuid;

const STEUNPUNT: &str = "Steunpunt Mantelzorg Rijnstreek";
const LOTTE: &str = "lotte.hendriks@demo.mantelkring.nl";

async fn organisation_id(app: &TestApp, name: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    id
}

async fn service_id(app: &TestApp, name: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM directory_services WHERE name = $1")
        .bind(name)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    id
}

async fn location_id(app: &TestApp, organisation: &str) -> String {
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM directory_locations WHERE organisation_id = $1 ORDER BY name DESC LIMIT 1",
    )
    .bind(organisation)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    id
}

async fn open_report_id(app: &TestApp) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM directory_reports WHERE resolved_at IS NULL LIMIT 1")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    id
}

async fn lotte(app: &TestApp) -> Browser<'_> {
    let b = Browser::new(app);
    let r = b.login(LOTTE, DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    b
}

/// A complete, valid service form.
fn service_form<'a>(name: &'a str, location: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("naam", name),
        (
            "beschrijving",
            "Praten met andere mantelzorgers, elke maand, met koffie.",
        ),
        ("status", "active"),
        ("categorie", "lotgenotencontact"),
        ("categorie", "doelgroep-dementie"),
        ("financiering", "gratis"),
        ("taal", "nl"),
        ("telefoon", "071 555 0300"),
        ("telefoon_bij", "Algemeen"),
        ("telefoon", ""),
        ("telefoon_bij", ""),
        ("dag", "do"),
        ("open", "19:30"),
        ("dicht", "21:30"),
        ("dag", ""),
        ("open", ""),
        ("dicht", ""),
        ("rooster", "Elke tweede donderdag van de maand."),
        ("locatie", location),
    ]
}

#[tokio::test]
async fn an_editor_keeps_the_entries_of_her_organisation_up_to_date() {
    let (app, _) = demo_app().await;
    let org = organisation_id(&app, STEUNPUNT).await;
    let peers = service_id(&app, "Dag van de Mantelzorg").await;
    let consultant = service_id(&app, "Mantelzorgconsulent Leiden").await;
    let office = location_id(&app, &org).await;
    let dashboard = format!("/kaart/beheer/organisaties/{org}");
    let b = lotte(&app).await;

    // She edits for one organisation: straight to its dashboard.
    let r = b.get("/kaart/beheer").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"].to_str().unwrap(), dashboard);
    let html = b.get(&dashboard).await.text().await.unwrap();
    assert!(html.contains("Sociale kaart beheren"), "menu item");
    assert!(html.contains("Mantelzorgconsulent"));
    assert!(html.contains("1 dienst is te lang niet gecontroleerd"));
    assert!(html.contains("Te lang niet gecontroleerd"));
    assert!(html.contains("niet op een vrijdag"), "the open report");
    assert!(html.contains("06 12345678"), "the reporter's contact");
    assert!(html.contains("Kaarsenmakerssteeg 12, 2312 BK Leiden"));
    // Stale first.
    assert!(
        html.find("Dag van de Mantelzorg").unwrap()
            < html.find(">Mantelzorgconsulent Leiden<").unwrap()
    );
    let record = audit::all(&app.store).await.unwrap().pop().unwrap();
    assert_eq!(
        (record.action.as_str(), record.purpose.as_str()),
        ("read", "organisation_editor")
    );

    // Bad input: a message per field, 400, nothing written (not even an audit record).
    let edit = format!("/kaart/beheer/diensten/{peers}");
    assert_eq!(b.get(&edit).await.status(), StatusCode::OK);
    let versions = count(&app.store, "directory_versions").await;
    let records = count(&app.store, "audit_log").await;
    let mut bad = service_form("x", &office);
    bad.retain(|(k, _)| *k != "categorie");
    bad.push(("website", "javascript:alert(1)"));
    bad.push(("dag", "ma"));
    bad.push(("open", "17:00"));
    bad.push(("dicht", "09:00"));
    let r = b.post(&edit, &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    for message in [
        "Vul een naam in van 2 tot 200 tekens.",
        "Kies minstens één soort aanbod.",
        "Vul een webadres in dat begint met https://",
        "Bij openingstijd 3 moet de eindtijd later zijn dan de begintijd.",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(html.contains("href=\"#naam\"") && html.contains("aria-invalid=\"true\""));
    assert_eq!(count(&app.store, "directory_versions").await, versions);
    assert_eq!(count(&app.store, "audit_log").await, records);

    // Good input: saved, versioned field by field with readable labels, checked as of now.
    let r = b
        .post(&edit, &service_form("Lotgenotengroep dementie", &office))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{dashboard}?gedaan=opgeslagen")
    );
    let html = b.get(&dashboard).await.text().await.unwrap();
    assert!(
        !html.contains("te lang niet gecontroleerd"),
        "checked by the edit"
    );
    let html = b
        .get(&format!("{edit}/versies"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Door Lotte Hendriks op"));
    assert!(html.contains("Dag van de Mantelzorg"));
    assert!(html.contains("<dt class=\"mk-changes__field\">Naam</dt>"));
    assert!(html.contains("<dt class=\"mk-changes__field\">Openingstijden</dt>"));
    assert!(html.contains("donderdag 19:30–21:30"));
    assert!(
        html.contains("Steunpunt Mantelzorg Rijnstreek, Leiderdorp"),
        "location by name"
    );
    assert!(html.contains("Door demo op"), "the first version");
    let record = audit::all(&app.store).await.unwrap();
    let update = record.iter().rev().find(|r| r.action == "update").unwrap();
    assert_eq!(update.outcome, "success");
    assert!(update.detail.as_deref().unwrap().contains(&peers));

    // "Klopt nog": a version without changed fields.
    let r = b
        .post(
            &format!("/kaart/beheer/diensten/{consultant}/klopt-nog"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = b
        .get(&format!("/kaart/beheer/diensten/{consultant}/versies"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Gecontroleerd: klopt nog"));
    assert!(html.contains("Niets veranderd"));

    // A new location (postcode checked; coordinates optional) and a new service there.
    let new_location = format!("/kaart/beheer/organisaties/{org}/locaties/nieuw");
    assert_eq!(b.get(&new_location).await.status(), StatusCode::OK);
    let location = [
        ("naam", "Ontmoetingscentrum De Linde"),
        ("straat", "Lindenlaan 3"),
        ("postcode", "Leiden"),
        ("plaats", "Leiden"),
    ];
    let locations = count(&app.store, "directory_locations").await;
    let r = b.post(&new_location, &location).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("zoals 2312 AB"));
    assert_eq!(count(&app.store, "directory_locations").await, locations);
    let mut location = location.to_vec();
    location[2] = ("postcode", "2321ab");
    location.push(("rolstoel", "ja"));
    let r = b.post(&new_location, &location).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = b.get(&dashboard).await.text().await.unwrap();
    assert!(html.contains("Lindenlaan 3, 2321 AB Leiden"));
    let new_service = format!("/kaart/beheer/organisaties/{org}/diensten/nieuw");
    assert_eq!(b.get(&new_service).await.status(), StatusCode::OK);
    let r = b
        .post(
            &new_service,
            &service_form("Alzheimer Café Leiden", &office),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        b.get(&dashboard)
            .await
            .text()
            .await
            .unwrap()
            .contains("Alzheimer Café Leiden")
    );

    // The location form and its history.
    let edit_location = format!("/kaart/beheer/locaties/{office}");
    assert_eq!(b.get(&edit_location).await.status(), StatusCode::OK);
    let r = b
        .post(
            &edit_location,
            &[
                ("naam", "Steunpunt Mantelzorg, kantoor Leiden"),
                ("straat", "Breestraat 82"),
                ("postcode", "2311 CS"),
                ("plaats", "Leiden"),
                ("breedtegraad", "52,159"),
                ("lengtegraad", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "one coordinate only");
    let r = b
        .post(
            &edit_location,
            &[
                ("naam", "Steunpunt Mantelzorg, kantoor Leiden"),
                ("straat", "Breestraat 82"),
                ("postcode", "2311 CS"),
                ("plaats", "Leiden"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = b
        .get(&format!("{edit_location}/versies"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Baanderij 8") && html.contains("Breestraat 82"));
    assert!(html.contains("Toegankelijk met een rolstoel"));

    // The organisation's public profile.
    let profile = format!("/kaart/beheer/organisaties/{org}/profiel");
    assert_eq!(b.get(&profile).await.status(), StatusCode::OK);
    let r = b
        .post(&profile, &[("website", "www.steunpunt.example")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = b
        .post(
            &profile,
            &[
                ("beschrijving", "Steun voor mantelzorgers in de Rijnstreek."),
                ("website", "https://steunpunt.example"),
                ("email", "info@steunpunt.example"),
                ("telefoon", "071 555 0200"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut conn = app.store.pool().acquire().await.unwrap();
    let saved = directory::organisation_profile(&mut conn, Uuid::parse_str(&org).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.website.as_deref(), Some("https://steunpunt.example"));
    drop(conn);

    // Closing the report.
    let report = open_report_id(&app).await;
    let r = b
        .post(
            &format!("/kaart/beheer/organisaties/{org}/meldingen/{report}/sluiten"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = b.get(&dashboard).await.text().await.unwrap();
    assert!(html.contains("Er zijn geen open meldingen."));
    let r = b
        .post(
            &format!("/kaart/beheer/organisaties/{org}/meldingen/{report}/sluiten"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "already closed");
}

#[tokio::test]
async fn nobody_but_its_editors_changes_an_organisations_entries() {
    let (app, _) = demo_app().await;
    let org = organisation_id(&app, STEUNPUNT).await;
    let service = service_id(&app, "Mantelzorgconsulent Leiden").await;
    let location = location_id(&app, &org).await;
    let report = open_report_id(&app).await;
    let pages = [
        format!("/kaart/beheer/organisaties/{org}"),
        format!("/kaart/beheer/organisaties/{org}/profiel"),
        format!("/kaart/beheer/organisaties/{org}/diensten/nieuw"),
        format!("/kaart/beheer/organisaties/{org}/locaties/nieuw"),
        format!("/kaart/beheer/diensten/{service}"),
        format!("/kaart/beheer/diensten/{service}/versies"),
        format!("/kaart/beheer/locaties/{location}"),
        format!("/kaart/beheer/locaties/{location}/versies"),
    ];
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/kaart/beheer/organisaties/{org}/profiel"),
            vec![("website", "https://indringer.example")],
        ),
        (
            format!("/kaart/beheer/organisaties/{org}/diensten/nieuw"),
            service_form("Nepdienst", &location),
        ),
        (
            format!("/kaart/beheer/organisaties/{org}/locaties/nieuw"),
            vec![
                ("naam", "Nep"),
                ("straat", "Nepstraat 1"),
                ("postcode", "2311 AA"),
                ("plaats", "Leiden"),
            ],
        ),
        (
            format!("/kaart/beheer/diensten/{service}"),
            service_form("Overgenomen", &location),
        ),
        (
            format!("/kaart/beheer/locaties/{location}"),
            vec![
                ("naam", "Nep"),
                ("straat", "Nepstraat 1"),
                ("postcode", "2311 AA"),
                ("plaats", "Leiden"),
            ],
        ),
        (
            format!("/kaart/beheer/diensten/{service}/klopt-nog"),
            vec![],
        ),
        (
            format!("/kaart/beheer/organisaties/{org}/meldingen/{report}/sluiten"),
            vec![],
        ),
        // Even bad input is refused before it is checked: no validation messages for them.
        (
            format!("/kaart/beheer/diensten/{service}"),
            vec![("naam", "x")],
        ),
    ];
    let written = || async {
        (
            count(&app.store, "directory_versions").await,
            count(&app.store, "directory_services").await,
            count(&app.store, "directory_locations").await,
            count(&app.store, "directory_reports WHERE resolved_at IS NULL").await,
        )
    };
    let before = written().await;

    // Logged out: to the login page.
    for path in &pages {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/inloggen")
        );
    }
    let r = app.get("/kaart/beheer").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The editor of another organisation (Anouk, Welzijn Aan de Rijn): 403 on every page and
    // form of the Steunpunt, each refusal logged with its reason.
    let anouk = Browser::new(&app);
    anouk.login_as(Role::OrganisationEditor).await;
    for path in &pages {
        assert_eq!(
            anouk.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let last = audit::all(&app.store).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.outcome.as_str(), last.purpose.as_str()),
            ("denied", "other_organisation"),
            "{path}"
        );
    }
    for (path, fields) in &forms {
        let r = anouk.post(path, fields).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(
            !r.text().await.unwrap().contains("Vul een naam in"),
            "{path}"
        );
        let last = audit::all(&app.store).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.action.as_str(), last.outcome.as_str()),
            ("update", "denied")
        );
    }
    assert_eq!(written().await, before);
    // Her own organisation is hers to edit.
    let own = organisation_id(&app, "Welzijn Aan de Rijn").await;
    let r = anouk.get("/kaart/beheer").await;
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/kaart/beheer/organisaties/{own}")
    );
    let html = anouk
        .get(&format!("/kaart/beheer/organisaties/{own}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Boodschappendienst Leiderdorp"),
        "her organisation's services"
    );
    assert!(
        !html.contains("Dag van de Mantelzorg"),
        "not another organisation's"
    );

    // Other roles: 403 everywhere, also on /kaart/beheer; nothing written.
    for role in [
        Role::Caregiver,
        Role::NetworkMember,
        Role::Volunteer,
        Role::Professional,
        Role::VolunteerCoordinator,
        Role::NetworkCoordinator,
        Role::LogAdministrator,
    ] {
        let b = Browser::new(&app);
        b.login_as(role).await;
        assert_eq!(
            b.get("/kaart/beheer").await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        for path in &pages {
            assert_eq!(
                b.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{role:?} {path}"
            );
        }
        for (path, fields) in &forms {
            assert_eq!(
                b.post(path, fields).await.status(),
                StatusCode::FORBIDDEN,
                "{role:?} {path}"
            );
        }
    }
    assert_eq!(written().await, before);

    // An administrator may, after the second factor, and chooses from all organisations.
    let admin = Browser::new(&app);
    admin.login_as(Role::Administrator).await;
    let html = admin.get("/kaart/beheer").await.text().await.unwrap();
    assert!(html.contains(STEUNPUNT) && html.contains("Welzijn Aan de Rijn"));
    assert_eq!(admin.get(&pages[0]).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn anyone_reports_an_error_and_the_editors_hear_of_it() {
    let (app, _) = demo_app().await;
    let service = service_id(&app, "Mantelzorgconsulent Leiden").await;
    let path = format!("/kaart/diensten/{service}/melding");
    let visitor = Browser::new(&app);
    let html = visitor.get(&path).await.text().await.unwrap();
    assert!(html.contains("Klopt er iets niet bij Mantelzorgconsulent Leiden?"));
    assert!(html.contains("Steunpunt Mantelzorg Rijnstreek"));

    let reports = count(&app.store, "directory_reports").await;
    // Without the form's CSRF token: refused.
    let r = app
        .client
        .post(app.url(&path))
        .form(&[("bericht", "Het telefoonnummer is veranderd.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Too short: a message, nothing stored.
    let r = visitor.post(&path, &[("bericht", "fout")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Schrijf wat er niet klopt, in 10 tot 2000 tekens.")
    );
    let long = "x".repeat(2001);
    let r = visitor.post(&path, &[("bericht", &long)]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(count(&app.store, "directory_reports").await, reports);

    let r = visitor
        .post(
            &path,
            &[
                ("bericht", "Het telefoonnummer is sinds maart 071 555 0299."),
                ("contact", "p.jansen@example.nl"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let thanks = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        visitor
            .get(&thanks)
            .await
            .text()
            .await
            .unwrap()
            .contains("Uw melding is verstuurd")
    );
    assert_eq!(count(&app.store, "directory_reports").await, reports + 1);
    let mail = wait_for_mail(&app, LOTTE, "Mantelzorgconsulent").await;
    assert!(mail.contains("/kaart/beheer/organisaties/"));
    assert!(
        !mail.contains("p.jansen@example.nl"),
        "the contact stays behind the login"
    );
    let html = lotte(&app)
        .await
        .get(&format!(
            "/kaart/beheer/organisaties/{}",
            organisation_id(&app, STEUNPUNT).await
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("071 555 0299") && html.contains("p.jansen@example.nl"));

    assert_eq!(
        visitor
            .get(&format!("/kaart/diensten/{}/melding", Uuid::now_v7()))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visitor
            .get("/kaart/diensten/geen-id/melding")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_freshness_overview_is_for_coordinators_and_administrators() {
    let (app, _) = demo_app().await;
    let r = app.get("/kaart/actualiteit").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "logged out");
    for role in [Role::NetworkCoordinator, Role::Administrator] {
        let b = Browser::new(&app);
        b.login_as(role).await;
        let r = b.get("/kaart/actualiteit").await;
        assert_eq!(r.status(), StatusCode::OK, "{role:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("Actualiteit sociale kaart"), "menu and title");
        assert!(html.contains(STEUNPUNT));
        assert!(
            html.contains("<span class=\"mk-strong\">1</span>"),
            "one stale service"
        );
        assert_eq!(
            html.contains("href=\"/kaart/beheer/organisaties/"),
            role == Role::Administrator,
            "only administrators get a link to edit"
        );
    }
    for role in [
        Role::OrganisationEditor,
        Role::Caregiver,
        Role::Professional,
        Role::LogAdministrator,
    ] {
        let b = Browser::new(&app);
        b.login_as(role).await;
        assert_eq!(
            b.get("/kaart/actualiteit").await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        let last = audit::all(&app.store).await.unwrap().pop().unwrap();
        assert_eq!(last.outcome, "denied");
    }
    let b = lotte(&app).await;
    assert_eq!(
        b.get("/kaart/actualiteit").await.status(),
        StatusCode::FORBIDDEN
    );
}

// ---- The reminder job -------------------------------------------------------------------------

struct Reminders {
    organisation_a: Uuid,
    stale: Uuid,
}

/// Two organisations, each with editors; A has a stale and a fresh service, B only a fresh one,
/// C (without editors) a stale one.
async fn reminder_world(store: &Store) -> Reminders {
    let mut tx = store.begin_write().await.unwrap();
    let region = base::insert_region(&mut tx, "Regio").await.unwrap();
    let leiden = base::insert_municipality(
        &mut tx,
        Some(&region.id),
        &CbsCode::parse("GM0546").unwrap(),
        "Leiden",
    )
    .await
    .unwrap();
    let mut orgs = Vec::new();
    for name in ["Steunpunt A", "Thuiszorg B", "Buurtkring C"] {
        let o = base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region.id,
                name,
                kind: OrganisationKind::Welfare,
                municipality_id: Some(&leiden.id),
                website: None,
            },
        )
        .await
        .unwrap();
        orgs.push(o.id);
    }
    for (email, org) in [
        ("a1@example.nl", 0),
        ("a2@example.nl", 0),
        ("b1@example.nl", 1),
    ] {
        let user = base::insert_user(
            &mut tx,
            &NewUser {
                email,
                display_name: email,
                person_id: None,
                password_hash: None,
                totp_secret: None,
            },
        )
        .await
        .unwrap();
        base::add_membership(&mut tx, &user, &orgs[org], Role::OrganisationEditor)
            .await
            .unwrap();
    }
    let draft = |org: &str, name: &str| ServiceDraft {
        organisation_id: Uuid::parse_str(org).unwrap(),
        name: name.into(),
        alternate_name: None,
        description: "Een dienst voor mantelzorgers.".into(),
        url: None,
        email: None,
        status: ServiceStatus::Active,
        application_process: None,
        fees_description: None,
        eligibility_description: None,
        minimum_age: None,
        maximum_age: None,
        online: false,
        categories: vec!["lotgenotencontact".into()],
        funding: vec![],
        languages: vec!["nl".into()],
        phones: vec![],
        hours: vec![],
        schedule_note: None,
        location_ids: vec![],
        area_ids: vec![],
    };
    let by = Editor::system("test");
    let old = Some(now_ms() - 200 * DAY_MS);
    let stale = Uuid::now_v7();
    let services = [
        (stale, draft(&orgs[0], "Oude koffie-inloop A"), old),
        (Uuid::now_v7(), draft(&orgs[0], "Verse dienst A"), None),
        (Uuid::now_v7(), draft(&orgs[1], "Verse dienst B"), None),
        (Uuid::now_v7(), draft(&orgs[2], "Oude dienst C"), old),
    ];
    for (id, d, reviewed) in &services {
        directory::create_service(&mut tx, *id, d, &by, *reviewed)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    Reminders {
        organisation_a: Uuid::parse_str(&orgs[0]).unwrap(),
        stale,
    }
}

fn mails(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .map(|raw| {
                    raw.replace("=\r\n", "")
                        .replace("=\n", "")
                        .replace("=3D", "=")
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_stale_entry_reminds_its_own_editors_once_a_month() {
    use mantelkring::worker::{Ran, Worker};
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let world = reminder_world(&store).await;
        let dir = temp_dir("reminders");
        let from: lettre::message::Mailbox = "Mantelkring <noreply@localhost>".parse().unwrap();
        let worker = Worker {
            store: store.clone(),
            mailer: mantelkring::mail::Mailer::new(&mantelkring::mail::MailSettings {
                smtp_url: None,
                mail_dir: dir.join("mail"),
                from: from.clone(),
            })
            .unwrap(),
            mail_from: from,
            retry_base: std::time::Duration::ZERO,
            poll: std::time::Duration::from_millis(20),
            wakeup: std::sync::Arc::new(tokio::sync::Notify::new()),
            public_url: "https://mantelkring.example".into(),
            stale_after_days: 183,
            instruments: std::sync::Arc::new(
                mantelkring_core::screening::instrument::Catalogue::built_in(),
            ),
        };
        let backend = db.backend.name();

        // Scheduled once, however often the scheduler asks while it is queued.
        assert!(worker.schedule_recurring().await.unwrap(), "{backend}");
        assert!(!worker.schedule_recurring().await.unwrap(), "{backend}");
        // The reminder job, then its two e-mails.
        for _ in 0..3 {
            assert!(
                matches!(worker.run_once().await.unwrap(), Ran::Done(_)),
                "{backend}"
            );
        }
        assert_eq!(worker.run_once().await.unwrap(), Ran::Nothing, "{backend}");
        let sent = mails(&dir.join("mail"));
        assert_eq!(sent.len(), 2, "{backend}: one per editor of A");
        for to in ["a1@example.nl", "a2@example.nl"] {
            let mail = sent
                .iter()
                .find(|m| m.contains(&format!("To: {to}")))
                .unwrap_or_else(|| panic!("{backend}: no mail to {to}"));
            assert!(mail.contains("Oude koffie-inloop A"), "{backend}");
            assert!(
                !mail.contains("Verse dienst"),
                "{backend}: fresh entries are not listed"
            );
            assert!(
                mail.contains(&format!(
                    "https://mantelkring.example/kaart/beheer/organisaties/{}",
                    world.organisation_a
                )),
                "{backend}"
            );
        }
        assert!(
            !sent.iter().any(|m| m.contains("b1@example.nl")),
            "{backend}: nothing for another organisation's editors"
        );

        // Not twice within 30 days: the next day's run finds nothing to send.
        assert!(worker.schedule_recurring().await.unwrap(), "{backend}");
        assert!(matches!(worker.run_once().await.unwrap(), Ran::Done(_)));
        assert_eq!(worker.run_once().await.unwrap(), Ran::Nothing, "{backend}");
        assert_eq!(mails(&dir.join("mail")).len(), 2, "{backend}");

        // 31 days later (the pass takes its clock as an argument), A's editors are reminded again;
        // C, which has no editors, is still skipped.
        let i18n = mantelkring_web::i18n::I18n::load().unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let later = mantelkring_web::directory::freshness::queue_reminders(
            &mut tx,
            &i18n,
            "https://mantelkring.example",
            183,
            now_ms() + 31 * DAY_MS,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            (later.organisations, later.emails, later.services),
            (1, 2, 1),
            "{backend}"
        );

        // Checking the entry ("Klopt nog") ends the reminders.
        let mut tx = store.begin_write().await.unwrap();
        directory::mark_reviewed(&mut tx, world.stale, &Editor::system("test"))
            .await
            .unwrap();
        let after = mantelkring_web::directory::freshness::queue_reminders(
            &mut tx,
            &i18n,
            "https://mantelkring.example",
            183,
            now_ms() + 62 * DAY_MS,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.emails, 0, "{backend}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn the_reminder_pass_runs_from_the_command_line() {
    let db = TestDatabase::sqlite();
    let store = db.store().await;
    reminder_world(&store).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mantelkring"))
            .args(["--database-url", &db.url, "jobs", "reminders"])
            .env("MANTELKRING_LOG", "warn")
            .env_remove("MANTELKRING_CONFIG")
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains("2 e-mail(s) aan redacteuren van 1 organisatie(s)"),
        "{stdout}"
    );
    let again = run();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 e-mail(s)"),
        "not twice within 30 days"
    );
    let (queued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = 'email'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(queued, 2);
}
