//! Identity, access and audit through HTTP, on the demo region: login, throttling, session
//! fixation, the second factor, who may NOT see a caregiver's page, and the audit record each
//! route leaves.

use crate::support::TestApp;
use mantelkring::demo::{self, ACCOUNTS, DEMO_PASSWORD};
use mantelkring_core::base::Role;
use mantelkring_core::identity::{token_hash, totp};
use mantelkring_store::{Store, audit, identity};
use reqwest::StatusCode;

pub fn email_of(role: Role) -> &'static str {
    ACCOUNTS.iter().find(|a| a.role == role).unwrap().email
}

fn secret_of(role: Role) -> Vec<u8> {
    totp::decode_secret(
        ACCOUNTS
            .iter()
            .find(|a| a.role == role)
            .unwrap()
            .totp_secret
            .unwrap(),
    )
    .unwrap()
}

/// A browser: its own cookie jar.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub client: reqwest::Client,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser { app, client }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.app.url(path)).send().await.unwrap()
    }

    async fn csrf(&self) -> String {
        let html = self.get("/inloggen").await.text().await.unwrap();
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string()
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &token));
        self.client
            .post(self.app.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post("/inloggen", &[("email", email), ("wachtwoord", password)])
            .await
    }

    /// Logs in with the demo password, and the TOTP code where the role needs one.
    pub async fn login_as(&self, role: Role) {
        let r = self.login(email_of(role), DEMO_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {role:?}");
        if role.requires_two_factor() {
            let code = format!("{:06}", totp::code_at(&secret_of(role), unix_now()));
            let r = self.post("/inloggen/code", &[("code", &code)]).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "code for {role:?}");
        }
    }
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub async fn demo_app() -> (TestApp, String) {
    let app = TestApp::sqlite().await;
    let seeded = demo::seed(&app.store).await.unwrap();
    crate::support::settle_start_up_jobs(&app.store).await;
    (app, seeded.caregiver_person_id)
}

pub async fn count(store: &Store, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(store.pool())
        .await
        .unwrap();
    n
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("mk_session="))
        .map(|c| {
            c.split(';')
                .next()
                .unwrap()
                .trim_start_matches("mk_session=")
                .to_string()
        })
}

#[tokio::test]
async fn a_caregiver_logs_in_and_sees_her_account() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    let r = b
        .login("RIA.devries@demo.mantelkring.nl", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account");
    let html = b.get("/account").await.text().await.unwrap();
    assert!(html.contains("Ria de Vries") && html.contains("ria.devries@demo.mantelkring.nl"));
    assert!(html.contains("Uitloggen"));
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_an_old_one_stops_working() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    let first = session_cookie(&b.login(email_of(Role::Caregiver), DEMO_PASSWORD).await).unwrap();
    let second = session_cookie(&b.login(email_of(Role::Caregiver), DEMO_PASSWORD).await).unwrap();
    assert_ne!(first, second, "a new session id at every login");
    // The first session was ended by the second login from the same browser.
    assert!(
        identity::find_session(&app.store, &token_hash(&first))
            .await
            .unwrap()
            .is_none()
    );
    let r = app
        .client
        .get(app.url("/account"))
        .header("cookie", format!("mk_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "old session id is worthless"
    );
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_even_for_the_right_password() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    let unknown = b
        .login("niemand@demo.mantelkring.nl", "een-verkeerd-wachtwoord")
        .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown_text = unknown.text().await.unwrap();
    for _ in 0..identity::ACCOUNT_RULE.free {
        let r = b
            .login(email_of(Role::Caregiver), "een-verkeerd-wachtwoord")
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let text = r.text().await.unwrap();
        assert!(text.contains("Het e-mailadres of het wachtwoord klopt niet"));
        // The same message as for an unknown account.
        assert!(unknown_text.contains("Het e-mailadres of het wachtwoord klopt niet"));
    }
    let r = b
        .login(email_of(Role::Caregiver), "een-verkeerd-wachtwoord")
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = b.login(email_of(Role::Caregiver), DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "locked, even with the right password"
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Probeer het over 1 minuut opnieuw")
    );
    // Another account from another address is not affected.
    let other = Browser::new(&app);
    let _ = other;
}

#[tokio::test]
async fn bad_login_input_gets_a_dutch_message_and_writes_nothing() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    let before = (
        count(&app.store, "audit_log").await,
        count(&app.store, "login_throttle").await,
        count(&app.store, "sessions").await,
    );
    let r = b.login("geen-adres", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Vul een geldig e-mailadres in")
    );
    let huge = "x".repeat(10 * 1024);
    let r = b.login(email_of(Role::Caregiver), &huge).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Dit wachtwoord is te lang")
    );
    let r = b.login(email_of(Role::Caregiver), "").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let after = (
        count(&app.store, "audit_log").await,
        count(&app.store, "login_throttle").await,
        count(&app.store, "sessions").await,
    );
    assert_eq!(before, after, "nothing written for bad input");
    // A code that is not a code.
    b.login(email_of(Role::Professional), DEMO_PASSWORD).await;
    let r = b
        .post("/inloggen/code", &[("code", &"9".repeat(100))])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_professional_without_the_second_factor_cannot_open_a_caregiver_page() {
    let (app, ria) = demo_app().await;
    let b = Browser::new(&app);
    let r = b.login(email_of(Role::Professional), DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen/code")
    );

    let page = format!("/personen/{ria}");
    let r = b.get(&page).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen/code")
    );
    let last = audit::all(&app.store).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.outcome.as_str(),
            last.purpose.as_str()
        ),
        ("read", "denied", "second_factor_required")
    );

    // A wrong code is refused; the right one lets her in.
    let r = b.post("/inloggen/code", &[("code", "000000")]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let code = format!(
        "{:06}",
        totp::code_at(&secret_of(Role::Professional), unix_now())
    );
    let r = b.post("/inloggen/code", &[("code", &code)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = b.get(&page).await.text().await.unwrap();
    assert!(
        html.contains("Ria de Vries") && html.contains("071 555 0101"),
        "member with the contact category sees it"
    );

    // The same code cannot be used again, not even in another session.
    let other = Browser::new(&app);
    other
        .login(email_of(Role::Professional), DEMO_PASSWORD)
        .await;
    let r = other.post("/inloggen/code", &[("code", &code)]).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a TOTP code works once"
    );
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let (app, _) = demo_app().await;
    let user =
        mantelkring_store::base::find_user_by_email(&app.store, email_of(Role::Professional))
            .await
            .unwrap()
            .unwrap();
    let mut tx = app.store.begin_write().await.unwrap();
    identity::replace_recovery_codes(&mut tx, &user.id, &[token_hash("abcdefghjkmn")])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let b = Browser::new(&app);
    b.login(email_of(Role::Professional), DEMO_PASSWORD).await;
    let r = b
        .post("/inloggen/code", &[("code", "ABCD-EFGH-JKMN")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "a recovery code, written with capitals and dashes"
    );

    let again = Browser::new(&app);
    again
        .login(email_of(Role::Professional), DEMO_PASSWORD)
        .await;
    let r = again
        .post("/inloggen/code", &[("code", "abcd-efgh-jkmn")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a used recovery code cannot be reused"
    );
}

#[tokio::test]
async fn who_may_not_see_a_caregivers_page() {
    let (app, ria) = demo_app().await;
    let page = format!("/personen/{ria}");

    // A visitor who is not logged in is sent to the login page; nothing is shown.
    let r = app.get(&page).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen?terug=/personen/")
    );

    // Staff outside Ria's network, with their second factor done: refused and logged.
    for role in [
        Role::VolunteerCoordinator,
        Role::NetworkCoordinator,
        Role::Administrator,
        Role::LogAdministrator,
    ] {
        let b = Browser::new(&app);
        b.login_as(role).await;
        let r = b.get(&page).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
        assert!(
            !r.text().await.unwrap().contains("Ria de Vries"),
            "{role:?}"
        );
        let last = audit::all(&app.store).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.outcome.as_str(), last.subject_person_id.as_deref()),
            ("denied", Some(ria.as_str())),
            "{role:?}"
        );
    }
    // People without a relationship.
    for role in [Role::Volunteer, Role::OrganisationEditor] {
        let b = Browser::new(&app);
        b.login_as(role).await;
        assert_eq!(
            b.get(&page).await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
    }
    // A member without the contact category sees the page but not the contact details.
    let b = Browser::new(&app);
    b.login_as(Role::NetworkMember).await;
    let r = b.get(&page).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Ria de Vries")
            && !html.contains("071 555 0101")
            && !html.contains("ria.devries@")
    );
    assert!(html.contains("heeft die niet met u gedeeld"));
    // An id that does not exist is refused the same way (no hint whether it exists).
    assert_eq!(
        b.get("/personen/bestaat-niet").await.status(),
        StatusCode::FORBIDDEN
    );
    // The access overview is only one's own.
    assert_eq!(
        app.get("/mijn-gegevens/inzage").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn each_route_with_personal_data_leaves_exactly_the_expected_audit_record() {
    let (app, ria) = demo_app().await;
    let ria_user =
        mantelkring_store::base::find_user_by_email(&app.store, email_of(Role::Caregiver))
            .await
            .unwrap()
            .unwrap();
    let pro_user =
        mantelkring_store::base::find_user_by_email(&app.store, email_of(Role::Professional))
            .await
            .unwrap()
            .unwrap();
    let ria_browser = Browser::new(&app);
    ria_browser.login_as(Role::Caregiver).await;
    let pro_browser = Browser::new(&app);
    pro_browser.login_as(Role::Professional).await;

    let admin_user =
        mantelkring_store::base::find_user_by_email(&app.store, email_of(Role::Administrator))
            .await
            .unwrap()
            .unwrap();
    let admin_browser = Browser::new(&app);
    admin_browser.login_as(Role::Administrator).await;
    let export = "basic,contact,messages,agenda,situation,checks,access_log";

    // (browser, path, acting user, action, categories, purpose, whose data)
    type Case<'a> = (
        &'a Browser<'a>,
        String,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        (
            &ria_browser,
            "/account".into(),
            &ria_user.id,
            "read",
            "basic",
            "own_data",
            Some(ria.as_str()),
        ),
        (
            &ria_browser,
            format!("/personen/{ria}"),
            &ria_user.id,
            "read",
            "basic,contact",
            "own_data",
            Some(ria.as_str()),
        ),
        (
            &pro_browser,
            format!("/personen/{ria}"),
            &pro_user.id,
            "read",
            "basic,contact",
            "network_member",
            Some(ria.as_str()),
        ),
        (
            &ria_browser,
            "/mijn-gegevens/inzage".into(),
            &ria_user.id,
            "read",
            "access_log",
            "own_data",
            Some(ria.as_str()),
        ),
        (
            &ria_browser,
            "/mijn-gegevens/overzicht".into(),
            &ria_user.id,
            "export",
            export,
            "own_data",
            Some(ria.as_str()),
        ),
        (
            &ria_browser,
            "/mijn-gegevens/download".into(),
            &ria_user.id,
            "export",
            export,
            "own_data",
            Some(ria.as_str()),
        ),
        (
            &ria_browser,
            "/mijn-gegevens/toestemmingen".into(),
            &ria_user.id,
            "read",
            "basic",
            "own_data",
            Some(ria.as_str()),
        ),
        (
            &pro_browser,
            "/mijn-gegevens/download".into(),
            &pro_user.id,
            "export",
            export,
            "own_data",
            pro_user.person_id.as_deref(),
        ),
        (
            &admin_browser,
            format!("/beheer/gebruikers/{}", ria_user.id),
            &admin_user.id,
            "read",
            "basic,contact",
            "administration",
            Some(ria.as_str()),
        ),
        (
            &admin_browser,
            format!("/beheer/gebruikers/{}/wissen", ria_user.id),
            &admin_user.id,
            "read",
            "basic,contact",
            "administration",
            Some(ria.as_str()),
        ),
        (
            &admin_browser,
            "/beheer/gebruikers?zoek=ria".into(),
            &admin_user.id,
            "search",
            "basic,contact",
            "administration",
            None,
        ),
        (
            &admin_browser,
            "/beheer/gebruikers".into(),
            &admin_user.id,
            "read",
            "basic,contact",
            "administration",
            None,
        ),
    ];
    for (browser, path, user_id, action, category, purpose, subject) in cases {
        let before = audit::all(&app.store).await.unwrap().len();
        assert_eq!(browser.get(&path).await.status(), StatusCode::OK, "{path}");
        let records = audit::all(&app.store).await.unwrap();
        assert_eq!(records.len(), before + 1, "exactly one record for {path}");
        let r = records.last().unwrap();
        assert_eq!(r.action, action, "{path}");
        assert_eq!(r.outcome, "success", "{path}");
        assert_eq!(r.user_id.as_deref(), Some(user_id), "{path}");
        assert_eq!(r.data_category.as_deref(), Some(category), "{path}");
        assert_eq!(r.purpose, purpose, "{path}");
        assert_eq!(r.subject_person_id.as_deref(), subject, "{path}");
        assert!(r.network_address.is_some(), "{path}");
    }
    assert!(audit::verify(&app.store).await.unwrap().is_ok());
}

#[tokio::test]
async fn the_caregiver_sees_which_organisation_looked_but_not_who() {
    let (app, ria) = demo_app().await;
    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    assert_eq!(
        pro.get(&format!("/personen/{ria}")).await.status(),
        StatusCode::OK
    );

    let b = Browser::new(&app);
    b.login_as(Role::Caregiver).await;
    b.get(&format!("/personen/{ria}")).await; // her own look is not listed
    let html = b.get("/mijn-gegevens/inzage").await.text().await.unwrap();
    assert!(html.contains("Steunpunt Mantelzorg Rijnstreek"));
    assert!(html.contains("professional"));
    assert!(html.contains("bekeken: naam, contactgegevens"));
    assert!(!html.contains("Marieke"), "an employee's name is not shown");
    assert_eq!(
        html.matches("mk-card\"").count(),
        1,
        "only the professional's access is listed"
    );
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session_and_idle_staff_sessions_expire() {
    let (app, _) = demo_app().await;
    let phone = Browser::new(&app);
    let laptop = Browser::new(&app);
    phone.login_as(Role::Caregiver).await;
    laptop.login_as(Role::Caregiver).await;
    assert_eq!(laptop.get("/account").await.status(), StatusCode::OK);
    let r = phone.post("/uitloggen/overal", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "the other device is logged out too"
    );

    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    assert_eq!(pro.get("/account").await.status(), StatusCode::OK);
    let idle = mantelkring_core::time::now_ms() - 31 * 60 * 1000;
    sqlx::query("UPDATE sessions SET last_seen_at = $1")
        .bind(idle)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        pro.get("/account").await.status(),
        StatusCode::SEE_OTHER,
        "30 minutes idle ends a staff session"
    );
}

#[tokio::test]
async fn logins_second_factors_and_logouts_are_in_the_access_log() {
    let (app, _) = demo_app().await;
    let pro = mantelkring_store::base::find_user_by_email(&app.store, email_of(Role::Professional))
        .await
        .unwrap()
        .unwrap();
    let b = Browser::new(&app);
    b.login(email_of(Role::Professional), "een-verkeerd-wachtwoord")
        .await;
    b.login(email_of(Role::Professional), DEMO_PASSWORD).await;
    b.post("/inloggen/code", &[("code", "000000")]).await;
    let code = format!(
        "{:06}",
        totp::code_at(&secret_of(Role::Professional), unix_now())
    );
    b.post("/inloggen/code", &[("code", &code)]).await;
    b.post("/uitloggen", &[]).await;
    let events: Vec<(String, String, String, Option<String>)> = audit::all(&app.store)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.outcome, r.purpose, r.user_id))
        .collect();
    let id = Some(pro.id.clone());
    let expected = vec![
        (
            "login".to_string(),
            "failure".to_string(),
            "login".to_string(),
            id.clone(),
        ),
        ("login".into(), "success".into(), "login".into(), id.clone()),
        (
            "second_factor".into(),
            "failure".into(),
            "totp".into(),
            id.clone(),
        ),
        (
            "second_factor".into(),
            "success".into(),
            "totp".into(),
            id.clone(),
        ),
        ("logout".into(), "success".into(), "logout".into(), id),
    ];
    assert_eq!(events, expected);
    assert!(
        audit::all(&app.store)
            .await
            .unwrap()
            .iter()
            .all(|r| r.source.starts_with("mantelkring ") && r.network_address.is_some())
    );
}
