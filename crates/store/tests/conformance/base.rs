use crate::on_every_backend;
use mantelkring_core::base::{CbsCode, OrganisationKind, Role};
use mantelkring_store::base::{self, NewOrganisation, NewPerson, NewUser};
use mantelkring_store::{StoreError, settings};

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    on_every_backend(|store| async move {
        store.migrate().await.expect("second migrate is a no-op");
    })
    .await;
}

#[tokio::test]
async fn regions_municipalities_and_organisations_round_trip() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        let region = base::insert_region(&mut tx, "Regio Test").await.unwrap();
        let leiden = base::insert_municipality(
            &mut tx,
            Some(&region.id),
            &CbsCode::parse("GM0546").unwrap(),
            "Leiden",
        )
        .await
        .unwrap();
        base::insert_municipality(
            &mut tx,
            Some(&region.id),
            &CbsCode::parse("547").unwrap(),
            "Leiderdorp",
        )
        .await
        .unwrap();
        base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region.id,
                name: "Steunpunt",
                kind: OrganisationKind::Welfare,
                municipality_id: Some(&leiden.id),
                website: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let overview = base::region_overview(&store).await.unwrap();
        assert_eq!(overview.len(), 1);
        assert_eq!(overview[0].organisation_count, 1);
        let names: Vec<_> = overview[0]
            .municipalities
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, ["Leiden", "Leiderdorp"]);
        assert_eq!(overview[0].municipalities[1].cbs_code, "GM0547");
        let orgs = base::organisations_in_region(&store, &region.id)
            .await
            .unwrap();
        assert_eq!(orgs[0].kind, OrganisationKind::Welfare);

        // The same CBS code twice is a conflict, not a crash.
        let mut tx = store.begin_write().await.unwrap();
        let err = base::insert_municipality(
            &mut tx,
            None,
            &CbsCode::parse("GM0546").unwrap(),
            "Nog eens Leiden",
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        base::insert_region(&mut tx, "Wordt teruggedraaid")
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert!(base::region_overview(&store).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn e_mail_addresses_are_unique_without_regard_to_case() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        let person = base::insert_person(
            &mut tx,
            &NewPerson {
                given_name: "Ria",
                family_name: "de Vries",
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let user = NewUser {
            email: " Ria@Example.NL ",
            display_name: "Ria",
            person_id: Some(&person),
            password_hash: None,
            totp_secret: None,
        };
        base::insert_user(&mut tx, &user).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin_write().await.unwrap();
        let err = base::insert_user(
            &mut tx,
            &NewUser {
                email: "ria@example.nl",
                ..user
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        drop(tx);

        let found = base::find_user_by_email(&store, "RIA@example.nl")
            .await
            .unwrap()
            .expect("found");
        assert_eq!(found.email, "ria@example.nl");
        assert_eq!(found.person_id.as_deref(), Some(person.as_str()));
    })
    .await;
}

#[tokio::test]
async fn memberships_need_an_existing_organisation_and_an_organisation_role() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        let user = base::insert_user(
            &mut tx,
            &NewUser {
                email: "pro@example.nl",
                display_name: "Pro",
                person_id: None,
                password_hash: None,
                totp_secret: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin_write().await.unwrap();
        // Foreign keys are enforced on both backends (SQLite needs a pragma for that).
        let err =
            base::add_membership(&mut tx, &user, "no-such-organisation", Role::Professional).await;
        assert!(matches!(err, Err(StoreError::Query(_))), "{err:?}");
        drop(tx);

        let mut tx = store.begin_write().await.unwrap();
        let region = base::insert_region(&mut tx, "R").await.unwrap();
        let org = base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region.id,
                name: "Org",
                kind: OrganisationKind::Care,
                municipality_id: None,
                website: None,
            },
        )
        .await
        .unwrap();
        assert!(
            base::add_membership(&mut tx, &user, &org.id, Role::Caregiver)
                .await
                .is_err()
        );
        base::add_membership(&mut tx, &user, &org.id, Role::Professional)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            base::organisation_roles(&store, &user).await.unwrap(),
            vec![(org.id, Role::Professional)]
        );
    })
    .await;
}

#[tokio::test]
async fn a_setting_is_initialised_once() {
    on_every_backend(|store| async move {
        let first = settings::get_or_init(&store, "k", || "eerste".into())
            .await
            .unwrap();
        let second = settings::get_or_init(&store, "k", || "tweede".into())
            .await
            .unwrap();
        assert_eq!((first.as_str(), second.as_str()), ("eerste", "eerste"));
    })
    .await;
}
