//! Administration and AVG queries behave the same on both backends: user search (with LIKE
//! wildcards taken literally), roles, blocking, consents, the export and the erasure.

use crate::on_every_backend;
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::{CbsCode, OrganisationKind, Role};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_store::base::{self, NewOrganisation, NewPerson, NewUser};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::{Store, admin, avg, identity, jobs, screening};

struct World {
    caregiver: String,
    caregiver_person: String,
    professional: String,
    organisation: String,
}

async fn world(store: &Store) -> World {
    let mut tx = store.begin_write().await.unwrap();
    let region = base::insert_region(&mut tx, "Regio").await.unwrap();
    let leiden = base::insert_municipality(
        &mut tx,
        Some(&region.id),
        &CbsCode::parse("546").unwrap(),
        "Leiden",
    )
    .await
    .unwrap();
    let org = base::insert_organisation(
        &mut tx,
        &NewOrganisation {
            region_id: &region.id,
            name: "Steunpunt 100%_zeker",
            kind: OrganisationKind::Welfare,
            municipality_id: Some(&leiden.id),
            website: None,
        },
    )
    .await
    .unwrap();
    let person = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: "Ria",
            family_name: "de Vries",
            email: Some("ria@example.org"),
            phone: Some("071 555 0101"),
            postcode: Some("2311 AB"),
            municipality_id: Some(&leiden.id),
        },
    )
    .await
    .unwrap();
    let caregiver = base::insert_user(
        &mut tx,
        &NewUser {
            email: "ria@example.org",
            display_name: "Ria de Vries",
            person_id: Some(&person),
            password_hash: Some("hash"),
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    identity::add_personal_role(&mut tx, &caregiver, Role::Caregiver)
        .await
        .unwrap();
    let professional = base::insert_user(
        &mut tx,
        &NewUser {
            email: "marieke@example.org",
            display_name: "Marieke 50% Jansen",
            person_id: None,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    base::add_membership(&mut tx, &professional, &org.id, Role::Professional)
        .await
        .unwrap();
    let network = network::network_of(&mut tx, &person).await.unwrap();
    assert_eq!(
        network::network_of(&mut tx, &person).await.unwrap(),
        network
    );
    let consent = network::record_consent(
        &mut tx,
        &person,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Verbal,
        &professional,
    )
    .await
    .unwrap();
    network::add_member(
        &mut tx,
        &network,
        &professional,
        Some(&org.id),
        &[DataCategory::Contact],
        &consent,
    )
    .await
    .unwrap();
    let mail = EmailJob {
        to: "ria@example.org".into(),
        subject: "s".into(),
        body_text: "b".into(),
    };
    jobs::enqueue(&mut tx, kind::EMAIL, &mail, 5).await.unwrap();
    tx.commit().await.unwrap();
    World {
        caregiver,
        caregiver_person: person,
        professional,
        organisation: org.id,
    }
}

#[tokio::test]
async fn users_are_found_by_name_or_address_with_their_roles() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let all = admin::search_users(&store, "", 10).await.unwrap();
        assert_eq!(all.len(), 2);
        let found = admin::search_users(&store, "MARIEKE", 10).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, w.professional);
        assert!(!found[0].has_password);
        assert_eq!(found[0].roles[0].role, Role::Professional);
        assert_eq!(
            found[0].roles[0].organisation.as_ref().unwrap().1,
            w.organisation
        );
        // '%' and '_' are literal characters, not wildcards.
        let percent = admin::search_users(&store, "50%", 10).await.unwrap();
        assert_eq!(percent.len(), 1);
        assert!(
            admin::search_users(&store, "5_%", 10)
                .await
                .unwrap()
                .is_empty()
        );
        let by_mail = admin::search_users(&store, "ria@", 10).await.unwrap();
        assert_eq!(by_mail[0].roles[0].role, Role::Caregiver);

        let lines = admin::organisations(&store).await.unwrap();
        assert_eq!(lines[0].member_count, 1);
        assert_eq!(lines[0].municipality_name.as_deref(), Some("Leiden"));
        let counts = admin::counts(&store).await.unwrap();
        assert_eq!((counts.users, counts.blocked_users), (2, 0));

        let mut tx = store.begin_write().await.unwrap();
        assert!(
            admin::set_disabled(&mut tx, &w.caregiver, true)
                .await
                .unwrap()
        );
        assert!(
            !admin::set_disabled(&mut tx, &w.caregiver, true)
                .await
                .unwrap()
        );
        assert!(
            admin::remove_personal_role(&mut tx, &w.caregiver, Role::Caregiver)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let ria = admin::user(&store, &w.caregiver).await.unwrap().unwrap();
        assert!(ria.disabled && ria.roles.is_empty());
    })
    .await;
}

#[tokio::test]
async fn consents_are_listed_and_withdrawn_only_by_their_subject() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let mut conn = store.pool().acquire().await.unwrap();
        let list = network::consents_of(&mut conn, &w.caregiver_person)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].method, "verbal");
        assert_eq!(list[0].recorded_by, "Marieke 50% Jansen");
        assert_eq!(list[0].categories, vec!["contact".to_string()]);
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            !network::withdraw_own_consent(&mut tx, "someone-else", &list[0].id)
                .await
                .unwrap()
        );
        assert!(
            network::withdraw_own_consent(&mut tx, &w.caregiver_person, &list[0].id)
                .await
                .unwrap()
        );
        assert!(
            !network::withdraw_own_consent(&mut tx, &w.caregiver_person, &list[0].id)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_export_holds_the_person_and_erasure_removes_it() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        let export = avg::export(&mut tx, &w.caregiver).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        let person = export.person.unwrap();
        assert_eq!(person.phone.as_deref(), Some("071 555 0101"));
        assert_eq!(person.municipality.as_deref(), Some("Leiden"));
        assert_eq!(export.network_members[0].name, "Marieke 50% Jansen");
        assert_eq!(export.roles[0].role, "caregiver");
        let mut tx = store.begin_write().await.unwrap();
        let pro = avg::export(&mut tx, &w.professional)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert!(pro.person.is_none());
        assert_eq!(pro.member_of[0].caregiver, "Ria de Vries");

        // What was written in Ria's kring: her story, a naaste, a message.
        let mut tx = store.begin_write().await.unwrap();
        let net = network::network_of(&mut tx, &w.caregiver_person)
            .await
            .unwrap();
        let ria_by = network::members::By {
            user_id: &w.caregiver,
            on_behalf: false,
        };
        let story = mantelkring_core::network::situation::Situation {
            naaste: "Henk heeft dementie".into(),
            ..Default::default()
        };
        network::situation::save(&mut tx, &net, 0, &story, ria_by)
            .await
            .unwrap()
            .unwrap();
        network::members::add_naaste(
            &mut tx,
            &net,
            "Henk",
            "de Vries",
            mantelkring_core::network::Relation::Partner,
            Some(1944),
        )
        .await
        .unwrap();
        network::timeline::post(
            &mut tx,
            &network::timeline::NewPost {
                network_id: &net,
                by: ria_by,
                kind: network::timeline::Kind::Message,
                body: "Henk slaapt slecht",
                audience: network::timeline::Audience::All,
                assigned_member_id: None,
                answer_by: None,
                now: mantelkring_core::time::now_ms(),
            },
        )
        .await
        .unwrap();
        // Signaleren: a complete CSI (all ja: 13), and a contact in which Ria said "het gaat niet
        // meer" (raising signals at once).
        let catalogue = mantelkring_core::screening::instrument::Catalogue::built_in();
        let csi = catalogue.get("csi").unwrap();
        let now = mantelkring_core::time::now_ms();
        let check = screening::checks::start(
            &mut tx,
            &screening::checks::NewCheck {
                network_id: &net,
                instrument: csi,
                mode: mantelkring_core::screening::CheckMode::Online,
                entered_by_user_id: Some(&w.caregiver),
                link_id: None,
            },
            now,
        )
        .await
        .unwrap();
        sqlx::query("UPDATE screening_checks SET answers = $2 WHERE id = $1")
            .bind(&check)
            .bind(vec!["ja"; 13].join(","))
            .execute(&mut *tx)
            .await
            .unwrap();
        assert_eq!(
            screening::checks::complete(&mut tx, &net, &check, csi, now)
                .await
                .unwrap()
                .ok(),
            Some(13)
        );
        screening::contacts::log_contact(
            &mut tx,
            &screening::contacts::NewContact {
                network_id: &net,
                kind: mantelkring_core::screening::ContactKind::Phone,
                happened_at: now,
                note: "Ria huilde aan de telefoon",
                cannot_cope: true,
                by_user_id: &w.professional,
                now,
            },
        )
        .await
        .unwrap();
        let rules = screening::rule_context(&mut tx, &catalogue).await.unwrap();
        let raised = screening::signals::evaluate_network(&mut tx, &rules, &net, now)
            .await
            .unwrap();
        assert!(
            raised.len() >= 2,
            "score and 'het gaat niet meer': {raised:?}"
        );
        let with_checks = avg::export(&mut tx, &w.caregiver).await.unwrap().unwrap();
        assert_eq!(with_checks.checks.len(), 1);
        assert_eq!(with_checks.checks[0].score, Some(13));
        assert_eq!(with_checks.signals.len(), raised.len());
        assert_eq!(with_checks.contacts[0].note, "Ria huilde aan de telefoon");
        assert!(with_checks.contacts[0].cannot_cope);
        tx.commit().await.unwrap();

        let mut tx = store.begin_write().await.unwrap();
        let done = avg::erase(&mut tx, &w.caregiver).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(done.consents_withdrawn, 1);
        assert_eq!(done.memberships_ended, 1, "Marieke leaves Ria's network");
        assert_eq!(done.mails_cancelled, 1);
        let mut tx = store.begin_write().await.unwrap();
        let again = avg::erase(&mut tx, &w.caregiver).await.unwrap().unwrap();
        assert!(avg::erase(&mut tx, "no-such-user").await.unwrap().is_none());
        let after = avg::export(&mut tx, &w.caregiver).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!((again.consents_withdrawn, again.memberships_ended), (0, 0));
        // The kring's content about Ria is gone; no member is left active.
        let (content,): (String,) = sqlx::query_as("SELECT content FROM situation_versions")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(content, "{}");
        let (body,): (String,) = sqlx::query_as("SELECT body FROM network_messages")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(body, "");
        let (naaste,): (String,) = sqlx::query_as("SELECT given_name FROM network_naasten")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(naaste, "-");
        let (active,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM network_members WHERE status = 'active'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(active, 0);
        // Her checks, signals and contacts (health data) are gone entirely.
        for table in ["screening_checks", "signals", "signal_events", "contacts"] {
            let (left,): (i64,) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            assert_eq!(left, 0, "{table}");
        }
        assert!(after.checks.is_empty() && after.signals.is_empty() && after.contacts.is_empty());
        let person = after.person.unwrap();
        assert_eq!(person.given_name, avg::ERASED_NAME);
        assert_eq!(
            (person.email, person.phone, person.postcode),
            (None, None, None)
        );
        assert!(after.account.email.ends_with("@verwijderd.invalid"));
        assert!(after.roles.is_empty());
        let ria = admin::user(&store, &w.caregiver).await.unwrap().unwrap();
        assert!(ria.erased && ria.disabled && !ria.has_password);
        // The address is free for a new account.
        assert!(
            base::find_user_by_email(&store, "ria@example.org")
                .await
                .unwrap()
                .is_none()
        );
    })
    .await;
}
