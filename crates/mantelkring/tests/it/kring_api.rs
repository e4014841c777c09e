//! The kring's API with tokens: the same policy as the pages. A professional in the network
//! reads members, "Mijn situatie" and the FHIR care team; a professional of another network, a
//! member without the category, a removed member and a token without the scope are refused.

use crate::identity::{demo_app, email_of};
use crate::kring_members::{member_id, network_of};
use crate::support::TestApp;
use mantelkring_core::access::DataCategory;
use mantelkring_core::api_token::ApiScope;
use mantelkring_core::base::Role;
use mantelkring_core::network::Relation;
use mantelkring_store::api_tokens::{self, NewApiToken};
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::network::members::{self, By};
use reqwest::StatusCode;

async fn token(app: &TestApp, user_id: &str, scopes: &[ApiScope]) -> String {
    let mut tx = app.store.begin_write().await.unwrap();
    let made = api_tokens::create(
        &mut tx,
        &NewApiToken {
            name: "ECD",
            user_id,
            scopes,
            expires_at: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    made.secret
}

async fn get(app: &TestApp, path: &str, secret: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
}

async fn last_record(app: &TestApp) -> mantelkring_core::audit::AuditRecord {
    mantelkring_store::audit::all(&app.store)
        .await
        .unwrap()
        .pop()
        .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    base::find_user_by_email(&app.store, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A professional of another organisation, in no network of Ria's.
async fn outsider(app: &TestApp) -> String {
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
    tx.commit().await.unwrap();
    joost
}

#[tokio::test]
async fn the_api_sees_what_the_token_owner_may_see_and_nothing_more() {
    let (app, ria) = demo_app().await;
    let net = network_of(&app, &ria).await;
    let ria_user = user_id(&app, email_of(Role::Caregiver)).await;
    let mut tx = app.store.begin_write().await.unwrap();
    if members::naasten(&mut tx, &net).await.unwrap().is_empty() {
        members::add_naaste(
            &mut tx,
            &net,
            "Henk",
            "de Vries",
            Relation::Partner,
            Some(1944),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let paths = [
        format!("/api/v1/networks/{net}/members"),
        format!("/api/v1/networks/{net}/situation"),
        format!("/api/v1/networks/{net}/fhir"),
    ];

    let marieke = user_id(&app, email_of(Role::Professional)).await;
    let both = token(
        &app,
        &marieke,
        &[ApiScope::PeopleRead, ApiScope::NetworkRead],
    )
    .await;
    for path in &paths {
        let r = get(&app, path, &both).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let r = get(&app, &paths[0], &both).await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["caregiver"], "Ria de Vries");
    assert!(
        body["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "Sanne de Vries")
    );
    let r = get(&app, &paths[2], &both).await;
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/fhir+json")
    );
    let bundle: serde_json::Value = r.json().await.unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    // What the API serves is valid FHIR R4 (fhir.resources 6.4.0).
    let dir = crate::support::temp_dir("kring-api-fhir");
    let file = crate::kring_fhir::write(&dir, "ria.json", &bundle);
    let out = crate::kring_fhir::validate(&[&file]);
    assert!(out.status.success(), "{}", crate::kring_fhir::report(&out));
    let last = last_record(&app).await;
    assert_eq!(
        (last.action.as_str(), last.outcome.as_str()),
        ("export", "success")
    );

    // A token without network:read may read the members, not the situation or FHIR.
    let people_only = token(&app, &marieke, &[ApiScope::PeopleRead]).await;
    assert_eq!(
        get(&app, &paths[0], &people_only).await.status(),
        StatusCode::OK
    );
    for path in &paths[1..] {
        assert_eq!(
            get(&app, path, &people_only).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // A professional of another network: refused everywhere, and logged.
    let joost = outsider(&app).await;
    let joost_token = token(&app, &joost, &[ApiScope::PeopleRead, ApiScope::NetworkRead]).await;
    for path in &paths {
        let r = get(&app, path, &joost_token).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(!r.text().await.unwrap().contains("Ria"));
        let last = last_record(&app).await;
        assert_eq!(
            (last.outcome.as_str(), last.purpose.as_str()),
            ("denied", "no_relationship")
        );
    }

    // Marieke without the "Mijn situatie" category: the situation is refused, the rest not.
    let marieke_member = member_id(&app, &net, Role::Professional).await.unwrap();
    let by = By {
        user_id: &ria_user,
        on_behalf: false,
    };
    let mut tx = app.store.begin_write().await.unwrap();
    members::set_categories(
        &mut tx,
        &net,
        &marieke_member,
        &[DataCategory::Agenda, DataCategory::Messages],
        false,
        by,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        get(&app, &paths[1], &both).await.status(),
        StatusCode::FORBIDDEN
    );
    let last = last_record(&app).await;
    assert_eq!(last.purpose, "category_not_granted");
    assert_eq!(get(&app, &paths[0], &both).await.status(), StatusCode::OK);

    // Removed from the network: nothing any more.
    let mut tx = app.store.begin_write().await.unwrap();
    members::remove(&mut tx, &net, &marieke_member, by)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for path in &paths {
        assert_eq!(
            get(&app, path, &both).await.status(),
            StatusCode::FORBIDDEN,
            "removed: {path}"
        );
    }
    // No token: 401.
    assert_eq!(app.get(&paths[0]).await.status(), StatusCode::UNAUTHORIZED);
}
