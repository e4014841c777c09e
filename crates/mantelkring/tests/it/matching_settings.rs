//! A region's matching rules through HTTP (`/beheer/koppelregels`, issue 7): an administrator
//! sets the weights, the answer time and the VOG validity; bad numbers get a Dutch message and a
//! 400 with nothing saved; nobody else may open or change them; and a proposal the coordinator
//! sends afterwards gets the region's answer time. On SQLite and, with `TEST_DATABASE_URL`, on
//! PostgreSQL.

use crate::identity::Browser;
use crate::matching_requests::{demo_region, stored_request, volunteer};
use crate::screening_checks::{demo_on, location, text};
use mantelkring_core::base::Role;
use mantelkring_core::matching::settings::RegionSettings;
use mantelkring_core::matching::{Language, Languages};
use mantelkring_store::matching::settings;
use mantelkring_store::testing::TestDatabase;
use reqwest::StatusCode;

const PAGE: &str = "/beheer/koppelregels";

fn form(region: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = RegionSettings::default()
        .fields()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    for (name, value) in changes {
        if let Some(f) = fields.iter_mut().find(|(n, _)| n == name) {
            f.1 = value.to_string();
        }
    }
    fields.push(("regio".into(), region.into()));
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn an_administrator_sets_the_regions_matching_rules_and_new_proposals_follow_them() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let region = demo_region(&d.app).await;
        let admin = Browser::new(&d.app);
        admin.login_as(Role::Administrator).await;
        let html = text(admin.get(PAGE).await).await;
        assert!(html.contains("Koppelregels"), "{be:?}");
        assert!(
            html.contains("Standaard: 48 uur"),
            "{be:?}: the default shown"
        );

        // Bad numbers: a Dutch message on the form, 400, nothing saved.
        for (field, value, says) in [
            ("antwoordtijd", "1", "moet tussen 4–336 liggen"),
            (
                "taal",
                "veel",
                "Vul bij ‘Gevraagde taal’ een heel getal in.",
            ),
            ("vog_jaren", "0", "VOG geldig (jaren)"),
        ] {
            let fields = form(&region, &[(field, value)]);
            let r = admin.post(PAGE, &pairs(&fields)).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?} {field}");
            let html = text(r).await;
            assert!(html.contains(says), "{be:?} {field}: {html}");
        }
        let zero: Vec<(&str, &str)> = RegionSettings::default()
            .fields()
            .iter()
            .take(6)
            .map(|(n, _)| (*n, "0"))
            .collect();
        let r = admin.post(PAGE, &pairs(&form(&region, &zero))).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{be:?} all weights 0");
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        assert_eq!(
            settings::of_region(&mut conn, &region).await.unwrap(),
            RegionSettings::default(),
            "{be:?}: nothing saved"
        );
        drop(conn);

        // Saved: twelve hours to answer, continuity weighs more.
        let fields = form(
            &region,
            &[("antwoordtijd", "12"), ("eerder_geholpen", "400")],
        );
        let r = admin.post(PAGE, &pairs(&fields)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        assert!(location(&r).contains("opgeslagen=1"));
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        let saved = settings::of_region(&mut conn, &region).await.unwrap();
        drop(conn);
        assert_eq!(saved.answer_hours, 12, "{be:?}");
        assert_eq!(saved.continuity, 400, "{be:?}");
        let html = text(admin.get(PAGE).await).await;
        assert!(html.contains("value=\"12\""), "{be:?}: the form shows it");

        // Peter's next proposal gets twelve hours to answer.
        let v = volunteer(
            &d.app,
            "pap@example.org",
            "Pim Pap",
            "2323",
            Languages::EMPTY.with(Language::Nl).with(Language::Pap),
        )
        .await;
        let id = stored_request(&d).await;
        let peter = d.browser_as(Role::VolunteerCoordinator).await;
        let r = peter
            .post(
                &format!("/hulpvragen/{id}/voorstel"),
                &[("vrijwilliger", &v)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}");
        let (proposed_at, respond_by): (i64, i64) = sqlx::query_as(
            "SELECT proposed_at, respond_by FROM match_proposals WHERE request_id = $1",
        )
        .bind(&id)
        .fetch_one(d.app.store.pool())
        .await
        .unwrap();
        assert_eq!(respond_by - proposed_at, 12 * 3_600_000, "{be:?}");
    }
}

#[tokio::test]
async fn who_may_not_open_or_change_the_matching_rules() {
    for db in TestDatabase::all().await {
        let d = demo_on(db).await;
        let be = d.app.store.backend();
        let region = demo_region(&d.app).await;
        let fields = form(&region, &[("antwoordtijd", "5")]);
        let anonymous = Browser::new(&d.app);
        let r = anonymous.get(PAGE).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{be:?}: to the login");
        for role in [
            Role::VolunteerCoordinator,
            Role::Volunteer,
            Role::Caregiver,
            Role::Professional,
        ] {
            let b = d.browser_as(role).await;
            assert_eq!(
                b.get(PAGE).await.status(),
                StatusCode::FORBIDDEN,
                "{be:?} {role:?} GET"
            );
            assert_eq!(
                b.post(PAGE, &pairs(&fields)).await.status(),
                StatusCode::FORBIDDEN,
                "{be:?} {role:?} POST"
            );
        }
        let mut conn = d.app.store.pool().acquire().await.unwrap();
        assert_eq!(
            settings::of_region(&mut conn, &region).await.unwrap(),
            RegionSettings::default(),
            "{be:?}: nothing saved"
        );
    }
}
