//! API tokens through HTTP, on the demo region: made on the account page (after the second factor,
//! with CSRF), used as `Authorization: Bearer`, scoped, revocable, stored hashed, and every use in
//! the access log like a user's.

use crate::identity::{Browser, count, demo_app, email_of};
use crate::support::TestApp;
use mantelkring_core::access::DataCategory;
use mantelkring_core::api_token::{ApiScope, looks_like_secret};
use mantelkring_core::base::Role;
use mantelkring_core::identity::token_hash;
use mantelkring_store::api_tokens::{self, NewApiToken};
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::{audit, network};
use reqwest::StatusCode;

const PAGE: &str = "/account/api-sleutels";

async fn user_id(app: &TestApp, role: Role) -> String {
    base::find_user_by_email(&app.store, email_of(role))
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Makes a token on the page and returns (token id, secret).
async fn make_token(
    app: &TestApp,
    b: &Browser<'_>,
    name: &str,
    scopes: &[&str],
) -> (String, String) {
    let mut form = vec![("naam", name), ("dagen", "30")];
    form.extend(scopes.iter().map(|s| ("toegang", *s)));
    let r = b.post(PAGE, &form).await;
    assert_eq!(r.status(), StatusCode::OK, "token made");
    assert_eq!(
        r.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "the page with the secret is not cached"
    );
    let html = r.text().await.unwrap();
    assert!(
        html.contains("U ziet hem maar één keer"),
        "the warning is shown"
    );
    let secret = html
        .split("id=\"sleutel\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .expect("the secret is on the page")
        .to_string();
    assert!(looks_like_secret(&secret), "{secret}");
    let (id,): (String,) = sqlx::query_as("SELECT id FROM api_tokens WHERE token_hash = $1")
        .bind(token_hash(&secret))
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    // The secret is shown once: the list afterwards does not contain it.
    let list = b.get(PAGE).await.text().await.unwrap();
    assert!(list.contains(name) && !list.contains(&secret));
    (id, secret)
}

async fn api_get(app: &TestApp, path: &str, secret: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
}

async fn last_record(app: &TestApp) -> mantelkring_core::audit::AuditRecord {
    audit::all(&app.store).await.unwrap().pop().unwrap()
}

#[tokio::test]
async fn a_log_administrator_makes_a_token_and_searches_the_audit_log_with_it() {
    let (app, ria) = demo_app().await;
    let logbeheer = user_id(&app, Role::LogAdministrator).await;
    let b = Browser::new(&app);
    b.login_as(Role::LogAdministrator).await;

    let account = b.get("/account").await.text().await.unwrap();
    assert!(
        account.contains("href=\"/account/api-sleutels\""),
        "link on the account page"
    );
    let page = b.get(PAGE).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"audit:read\"") && !html.contains("value=\"people:read\""));
    assert!(html.contains("<fieldset") && html.contains("<legend"));

    let (id, secret) = make_token(&app, &b, "SIEM Gemeente Leiden", &["audit:read"]).await;
    // Making it is in the access log, with the token id.
    let made = audit::all(&app.store)
        .await
        .unwrap()
        .into_iter()
        .rfind(|r| r.action == "create")
        .unwrap();
    assert_eq!(
        (
            made.outcome.as_str(),
            made.purpose.as_str(),
            made.user_id.as_deref()
        ),
        ("success", "api_token", Some(logbeheer.as_str()))
    );
    assert_eq!(
        made.detail.as_deref(),
        Some(format!("api_token={id} scopes=audit:read").as_str())
    );

    // The secret is not stored in plain text: only its SHA-256.
    let (stored_hash, scopes, expires): (String, String, Option<i64>) =
        sqlx::query_as("SELECT token_hash, scopes, expires_at FROM api_tokens WHERE id = $1")
            .bind(&id)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(stored_hash, token_hash(&secret));
    assert_ne!(stored_hash, secret);
    assert_eq!(scopes, "audit:read");
    assert!(expires.is_some(), "30 days were asked for");
    let (plain,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR id = $1 OR name = $1 OR scopes = $1",
    )
    .bind(&secret)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(plain, 0);

    // Using it: no cookie at all, only the header.
    let before = count(&app.store, "audit_log").await;
    let r = api_get(&app, "/api/v1/audit-events", &secret).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["limit"], 100);
    let events = body["events"].as_array().unwrap();
    assert_eq!(
        events.len() as i64,
        before + 1,
        "every record, and the search itself"
    );
    // The call left exactly one record: the search, by the token's owner, with the token id.
    assert_eq!(count(&app.store, "audit_log").await, before + 1);
    let search = last_record(&app).await;
    assert_eq!(
        (
            search.action.as_str(),
            search.outcome.as_str(),
            search.purpose.as_str(),
            search.user_id.as_deref(),
            search.user_role.as_deref(),
            search.data_category.as_deref(),
        ),
        (
            "search",
            "success",
            "audit_review",
            Some(logbeheer.as_str()),
            Some("log_administrator"),
            Some("access_log")
        )
    );
    assert_eq!(
        search.detail.as_deref(),
        Some(format!("api_token={id} limit=100").as_str())
    );
    assert!(search.network_address.is_some());
    // Newest first: the search is the first event of its own answer.
    assert_eq!(events[0]["seq"], search.seq);
    assert_eq!(events[0]["action"], "search");
    assert!(
        events
            .windows(2)
            .all(|w| w[0]["seq"].as_i64() > w[1]["seq"].as_i64())
    );

    // Filters.
    let r = api_get(
        &app,
        &format!("/api/v1/audit-events?subject={ria}&action=read&limit=5"),
        &secret,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["subject_person_id"] == ria.as_str() && e["action"] == "read")
    );
    let r = api_get(
        &app,
        &format!("/api/v1/audit-events?user={logbeheer}&action=create&subject="),
        &secret,
    )
    .await;
    let body: serde_json::Value = r.json().await.unwrap();
    let events = body["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{body}");
    assert_eq!(events[0]["detail"], made.detail.clone().unwrap());
    let r = api_get(&app, "/api/v1/audit-events?limit=1", &secret).await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["events"].as_array().unwrap().len(), 1);
    let future = mantelkring_core::time::now_ms() + 3_600_000;
    let r = api_get(
        &app,
        &format!("/api/v1/audit-events?from={future}"),
        &secret,
    )
    .await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["events"].as_array().unwrap().is_empty());

    // Bad parameters: a clear Dutch 400 naming the parameter, and nothing logged.
    let before = count(&app.store, "audit_log").await;
    for (query, needle) in [
        ("limit=0", "limit moet een getal van 1 tot en met 1000 zijn"),
        (
            "limit=1001",
            "limit moet een getal van 1 tot en met 1000 zijn",
        ),
        ("limit=veel", "limit moet"),
        ("from=gisteren", "from moet een tijdstip zijn"),
        ("to=-5", "to moet een tijdstip zijn"),
        ("subject=a%20b", "subject moet een kenmerk zijn"),
        ("action=DROP%20TABLE", "action moet een handeling zijn"),
        (
            "limit=1&limit=2",
            "Gebruik elke parameter hoogstens één keer",
        ),
    ] {
        let r = api_get(&app, &format!("/api/v1/audit-events?{query}"), &secret).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["status"], 400, "{query}");
        assert!(
            body["error"]["detail"].as_str().unwrap().contains(needle),
            "{query}: {body}"
        );
    }
    assert_eq!(count(&app.store, "audit_log").await, before);

    // The page shows when it was last used.
    let token = api_tokens::get(&app.store, &id).await.unwrap().unwrap();
    assert!(token.last_used_at.is_some());
    let list = b.get(PAGE).await.text().await.unwrap();
    assert!(!list.contains("Nog niet gebruikt"));
    assert!(audit::verify(&app.store).await.unwrap().is_ok());
}

#[tokio::test]
async fn revoked_expired_unknown_and_missing_tokens_get_a_dutch_401() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    b.login_as(Role::LogAdministrator).await;
    let (id, secret) = make_token(&app, &b, "Proef", &["audit:read"]).await;
    assert_eq!(
        api_get(&app, "/api/v1/audit-events", &secret)
            .await
            .status(),
        StatusCode::OK
    );

    // Revoked on the page (with CSRF): audited, and the token stops working at once.
    let r = b.post(&format!("{PAGE}/{id}/intrekken"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/account/api-sleutels?ingetrokken=1"
    );
    let revoked = last_record(&app).await;
    assert_eq!(
        (revoked.action.as_str(), revoked.purpose.as_str()),
        ("delete", "api_token")
    );
    assert_eq!(
        revoked.detail.as_deref(),
        Some(format!("api_token={id} scopes=audit:read").as_str())
    );
    let html = b
        .get(&format!("{PAGE}?ingetrokken=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("De sleutel is ingetrokken") && html.contains("Ingetrokken ("));
    assert!(
        !html.contains(&format!("{id}/intrekken")),
        "no revoke button for a revoked token"
    );
    // Revoking twice: 404, nothing written.
    let before = count(&app.store, "audit_log").await;
    let r = b.post(&format!("{PAGE}/{id}/intrekken"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(count(&app.store, "audit_log").await, before);

    let unknown = format!("mk_{}", "a".repeat(52));
    let (_, expired) = make_token(&app, &b, "Verlopen", &["audit:read"]).await;
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE token_hash = $2")
        .bind(mantelkring_core::time::now_ms() - 1)
        .bind(token_hash(&expired))
        .execute(app.store.pool())
        .await
        .unwrap();
    let before = count(&app.store, "audit_log").await;
    for (what, header) in [
        ("revoked", Some(format!("Bearer {secret}"))),
        ("expired", Some(format!("Bearer {expired}"))),
        ("unknown", Some(format!("Bearer {unknown}"))),
        ("malformed", Some("Bearer geheim".to_string())),
        ("other scheme", Some("Basic bG9nOnB3".to_string())),
        ("missing", None),
    ] {
        let mut request = app.client.get(app.url("/api/v1/audit-events"));
        if let Some(h) = header {
            request = request.header("authorization", h);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert!(
            r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{what}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["status"], 401, "{what}");
        assert_eq!(
            body["error"]["message"], "Geen geldige API-sleutel",
            "{what}"
        );
        assert!(
            body["error"]["detail"]
                .as_str()
                .unwrap()
                .contains("ingetrokken of verlopen"),
            "{what}"
        );
    }
    assert_eq!(
        count(&app.store, "audit_log").await,
        before,
        "nothing logged for calls that are not authenticated"
    );
    // The people endpoint answers the same way.
    let r = api_get(&app, "/api/v1/people/iemand", &secret).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Another user cannot revoke this user's token: 404, and it keeps working.
    let (other_id, other_secret) = make_token(&app, &b, "Blijft", &["audit:read"]).await;
    let pro = Browser::new(&app);
    pro.login_as(Role::Professional).await;
    let r = pro.post(&format!("{PAGE}/{other_id}/intrekken"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        api_get(&app, "/api/v1/audit-events?limit=1", &other_secret)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_professionals_token_reads_her_caregivers_but_not_the_audit_log() {
    let (app, ria) = demo_app().await;
    let marieke = user_id(&app, Role::Professional).await;
    let b = Browser::new(&app);
    b.login_as(Role::Professional).await;
    let html = b.get(PAGE).await.text().await.unwrap();
    assert!(html.contains("value=\"people:read\"") && !html.contains("value=\"audit:read\""));

    // She may not give her token audit:read: refused, nothing written.
    let (tokens, records) = (
        count(&app.store, "api_tokens").await,
        count(&app.store, "audit_log").await,
    );
    let r = b
        .post(PAGE, &[("naam", "Alles"), ("toegang", "audit:read")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("U mag een sleutel niet de toegang audit:read geven")
    );
    // Bad input: a Dutch message, the form kept, nothing written.
    for (form, needle) in [
        (
            vec![("naam", " "), ("toegang", "people:read")],
            "Geef de sleutel een naam",
        ),
        (vec![("naam", "ECD")], "Kies minstens één soort toegang"),
        (
            vec![("naam", "ECD"), ("toegang", "people:write")],
            "Deze soort toegang bestaat niet",
        ),
        (
            vec![
                ("naam", "ECD"),
                ("toegang", "people:read"),
                ("dagen", "400"),
            ],
            "een getal van 1 tot en met 365",
        ),
    ] {
        let r = b.post(PAGE, &form).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{form:?}");
        assert!(r.text().await.unwrap().contains(needle), "{form:?}");
    }
    assert_eq!(
        (
            count(&app.store, "api_tokens").await,
            count(&app.store, "audit_log").await
        ),
        (tokens, records)
    );

    let (id, secret) = make_token(&app, &b, "ECD Steunpunt", &["people:read"]).await;
    // Ria is in her network and shares her contact details with her.
    let r = api_get(&app, &format!("/api/v1/people/{ria}"), &secret).await;
    assert_eq!(r.status(), StatusCode::OK);
    let person: serde_json::Value = r.json().await.unwrap();
    assert_eq!(person["id"], ria.as_str());
    assert_eq!(person["name"], "Ria de Vries");
    assert_eq!(person["municipality"], "Leiden");
    assert_eq!(person["contact"]["phone"], "071 555 0101");
    let read = last_record(&app).await;
    assert_eq!(
        (
            read.action.as_str(),
            read.outcome.as_str(),
            read.purpose.as_str(),
            read.user_id.as_deref(),
            read.subject_person_id.as_deref(),
            read.data_category.as_deref(),
            read.detail.clone(),
        ),
        (
            "read",
            "success",
            "network_member",
            Some(marieke.as_str()),
            Some(ria.as_str()),
            Some("basic,contact"),
            Some(format!("api_token={id}")),
        )
    );
    // Ria sees that Marieke's organisation looked, as for a page view.
    let ria_browser = Browser::new(&app);
    ria_browser.login_as(Role::Caregiver).await;
    let log = ria_browser
        .get("/mijn-gegevens/inzage")
        .await
        .text()
        .await
        .unwrap();
    assert!(log.contains("Steunpunt Mantelzorg Rijnstreek"));

    // Without audit:read: 403 with its own message, and the refusal is logged.
    let r = api_get(&app, "/api/v1/audit-events", &secret).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("insufficient_scope")
    );
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Deze API-sleutel mag dit niet");
    assert!(
        body["error"]["detail"]
            .as_str()
            .unwrap()
            .contains("audit:read")
    );
    let refused = last_record(&app).await;
    assert_eq!(
        (
            refused.action.as_str(),
            refused.outcome.as_str(),
            refused.purpose.as_str(),
            refused.detail.clone()
        ),
        (
            "search",
            "denied",
            "scope_missing",
            Some(format!("api_token={id} limit=100"))
        )
    );

    // When Ria withdraws her consent, the token follows the policy at once.
    let (consent,): (String,) =
        sqlx::query_as("SELECT m.consent_id FROM network_members m WHERE m.user_id = $1")
            .bind(&marieke)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let mut tx = app.store.begin_write().await.unwrap();
    network::withdraw_consent(&mut tx, &consent).await.unwrap();
    tx.commit().await.unwrap();
    let r = api_get(&app, &format!("/api/v1/people/{ria}"), &secret).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        (
            last_record(&app).await.outcome,
            last_record(&app).await.purpose
        ),
        ("denied".to_string(), "no_relationship".to_string())
    );
}

#[tokio::test]
async fn a_professional_outside_the_network_is_refused_and_the_refusal_logged() {
    let (app, ria) = demo_app().await;
    // A second professional, of another organisation, not in Ria's network.
    let mut tx = app.store.begin_write().await.unwrap();
    let person = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: "Joost",
            family_name: "Buiten",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let joost = base::insert_user(
        &mut tx,
        &NewUser {
            email: "joost@thuiszorg.example",
            display_name: "Joost Buiten",
            person_id: Some(&person),
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    let (organisation,): (String,) =
        sqlx::query_as("SELECT id FROM organisations WHERE name = 'Thuiszorg Lindenhof'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    base::add_membership(&mut tx, &joost, &organisation, Role::Professional)
        .await
        .unwrap();
    let made = api_tokens::create(
        &mut tx,
        &NewApiToken {
            name: "ECD Lindenhof",
            user_id: &joost,
            scopes: &[ApiScope::PeopleRead],
            expires_at: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let r = api_get(&app, &format!("/api/v1/people/{ria}"), &made.secret).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let text = r.text().await.unwrap();
    assert!(!text.contains("Ria") && !text.contains("071"), "{text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["message"], "Geen toegang");
    let refused = last_record(&app).await;
    assert_eq!(
        (
            refused.action.as_str(),
            refused.outcome.as_str(),
            refused.purpose.as_str(),
            refused.user_id.as_deref(),
            refused.user_role.as_deref(),
            refused.organisation_id.as_deref(),
            refused.subject_person_id.as_deref(),
            refused.detail.clone(),
        ),
        (
            "read",
            "denied",
            "no_relationship",
            Some(joost.as_str()),
            Some("professional"),
            Some(organisation.as_str()),
            Some(ria.as_str()),
            Some(format!("api_token={}", made.token.id)),
        )
    );
    assert_eq!(
        refused.data_category.as_deref(),
        Some(DataCategory::Basic.as_str())
    );
    // He may read his own basic data with it.
    let r = api_get(&app, &format!("/api/v1/people/{person}"), &made.secret).await;
    assert_eq!(r.status(), StatusCode::OK);

    // When his professional role ends, the token loses people:read with it.
    sqlx::query("DELETE FROM memberships WHERE user_id = $1")
        .bind(&joost)
        .execute(app.store.pool())
        .await
        .unwrap();
    let r = api_get(&app, &format!("/api/v1/people/{person}"), &made.secret).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(last_record(&app).await.purpose, "scope_missing");
}

#[tokio::test]
async fn a_caregiver_cannot_make_an_audit_token() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    b.login_as(Role::Caregiver).await;
    let account = b.get("/account").await.text().await.unwrap();
    assert!(
        !account.contains("/account/api-sleutels"),
        "no link for her"
    );
    assert_eq!(b.get(PAGE).await.status(), StatusCode::FORBIDDEN);
    let before = (
        count(&app.store, "api_tokens").await,
        count(&app.store, "audit_log").await,
    );
    let r = b
        .post(PAGE, &[("naam", "Mijn app"), ("toegang", "audit:read")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .post(PAGE, &[("naam", "Mijn app"), ("toegang", "people:read")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        (
            count(&app.store, "api_tokens").await,
            count(&app.store, "audit_log").await
        ),
        before,
        "nothing written"
    );
}

#[tokio::test]
async fn staff_make_tokens_only_after_the_second_factor() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    b.login(
        email_of(Role::LogAdministrator),
        mantelkring::demo::DEMO_PASSWORD,
    )
    .await;
    for r in [
        b.get(PAGE).await,
        b.post(PAGE, &[("naam", "SIEM"), ("toegang", "audit:read")])
            .await,
    ] {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/inloggen/code?terug=/account/api-sleutels")
        );
    }
    assert_eq!(count(&app.store, "api_tokens").await, 0);
    // Not logged in at all: to the login page.
    let r = app.get(PAGE).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen?terug=/account/api-sleutels")
    );
}

#[tokio::test]
async fn a_bearer_post_skips_csrf_but_a_cookie_post_without_a_token_is_refused() {
    let (app, _) = demo_app().await;
    let b = Browser::new(&app);
    b.login_as(Role::LogAdministrator).await;
    let (_, secret) = make_token(&app, &b, "SIEM", &["audit:read"]).await;
    let tokens = count(&app.store, "api_tokens").await;

    // A cookie-session POST without the CSRF token: refused before any handler runs.
    let r = b
        .client
        .post(app.url(PAGE))
        .form(&[("naam", "Vervalst"), ("toegang", "audit:read")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("het formulier was verlopen")
    );

    // A POST with a Bearer header is not CSRF-refused: it reaches the router (405: the audit
    // search only answers GET) ...
    let r = app
        .client
        .post(app.url("/api/v1/audit-events"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    // ... and it acts only through its token: the session cookie next to it is ignored, so the
    // exemption never lets a session act without CSRF.
    let r = b
        .client
        .post(app.url(PAGE))
        .bearer_auth(&secret)
        .form(&[("naam", "Zonder CSRF"), ("toegang", "audit:read")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/inloggen")
    );
    assert_eq!(
        count(&app.store, "api_tokens").await,
        tokens,
        "nothing made"
    );
    // The session itself still works, with CSRF.
    assert_eq!(b.get(PAGE).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn tokens_work_the_same_on_postgresql() {
    let Some(admin) = mantelkring_store::testing::TestDatabase::postgres_admin_url() else {
        eprintln!("TEST_DATABASE_URL not set: API tokens tested on SQLite only");
        return;
    };
    let db = mantelkring_store::testing::TestDatabase::postgres(&admin).await;
    let app = TestApp::on(db).await;
    mantelkring::demo::seed(&app.store).await.unwrap();
    let b = Browser::new(&app);
    b.login_as(Role::LogAdministrator).await;
    let (id, secret) = make_token(&app, &b, "SIEM", &["audit:read"]).await;
    let r = api_get(&app, "/api/v1/audit-events?action=create&limit=10", &secret).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["events"][0]["detail"],
        format!("api_token={id} scopes=audit:read")
    );
    assert_eq!(
        last_record(&app).await.detail,
        Some(format!("api_token={id} action=create limit=10"))
    );
    let r = b.post(&format!("{PAGE}/{id}/intrekken"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        api_get(&app, "/api/v1/audit-events", &secret)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(audit::verify(&app.store).await.unwrap().is_ok());
}
