use crate::on_every_backend;
use mantelkring_core::base::{CbsCode, OrganisationKind};
use mantelkring_core::directory::draft::{
    LocationDraft, OrganisationProfile, PhoneDraft, ServiceDraft, WeeklyHours,
};
use mantelkring_core::directory::model::{Funding, ServiceStatus};
use mantelkring_core::geo::{Coordinates, Pc4, PostcodeArea};
use mantelkring_store::base::{self, NewOrganisation};
use mantelkring_store::directory::{self, Editor, Selection};
use mantelkring_store::{Store, StoreError, postcodes};
use uuid::Uuid;

struct World {
    org_a: Uuid,
    org_b: Uuid,
    leiden: Uuid,
    katwijk: Uuid,
}

async fn world(store: &Store) -> World {
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
    let katwijk = base::insert_municipality(
        &mut tx,
        Some(&region.id),
        &CbsCode::parse("GM0537").unwrap(),
        "Katwijk",
    )
    .await
    .unwrap();
    let mut orgs = Vec::new();
    for name in ["Steunpunt A", "Thuiszorg B"] {
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
        orgs.push(Uuid::parse_str(&o.id).unwrap());
    }
    postcodes::import(
        &mut tx,
        &[PostcodeArea {
            pc4: Pc4::parse("2311").unwrap(),
            place: "Leiden".into(),
            municipality: Some("Leiden".into()),
            province: "Zuid-Holland".into(),
            centroid: Coordinates::new(52.158, 4.488).unwrap(),
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    World {
        org_a: orgs[0],
        org_b: orgs[1],
        leiden: Uuid::parse_str(&leiden.id).unwrap(),
        katwijk: Uuid::parse_str(&katwijk.id).unwrap(),
    }
}

fn location(org: Uuid) -> LocationDraft {
    LocationDraft {
        organisation_id: org,
        name: "Buurthuis De Linde".into(),
        description: None,
        street: "Lindelaan 4".into(),
        postcode: "2311 AB".into(),
        city: "Leiden".into(),
        coordinates: None,
        wheelchair_accessible: true,
    }
}

fn service(org: Uuid, location: Option<Uuid>, areas: Vec<Uuid>) -> ServiceDraft {
    ServiceDraft {
        organisation_id: org,
        name: "Koffie-inloop voor mantelzorgers".into(),
        alternate_name: None,
        description: "Elke week koffie en een goed gesprek.".into(),
        url: Some("https://steunpunt.example/koffie".into()),
        email: None,
        status: ServiceStatus::Active,
        application_process: None,
        fees_description: None,
        eligibility_description: None,
        minimum_age: None,
        maximum_age: None,
        online: false,
        categories: vec!["lotgenotencontact".into(), "emotionele-steun".into()],
        funding: vec![Funding::Free, Funding::Wmo],
        languages: vec!["nl".into(), "en".into()],
        phones: vec![PhoneDraft {
            number: "071 555 0199".into(),
            description: Some("Algemeen".into()),
        }],
        hours: vec![
            WeeklyHours::parse("do 19:00-21:00").unwrap(),
            WeeklyHours::parse("di 10:00-12:00").unwrap(),
        ],
        schedule_note: None,
        location_ids: location.into_iter().collect(),
        area_ids: areas,
    }
}

#[tokio::test]
async fn a_service_is_written_versioned_and_read_back_whole() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let editor = Editor::system("test");
        let mut tx = store.begin_write().await.unwrap();
        let loc_id = Uuid::now_v7();
        let loc = directory::create_location(&mut tx, loc_id, &location(w.org_a), &editor)
            .await
            .unwrap();
        // No coordinates given: the PC4 centroid is used.
        assert_eq!(
            loc.coordinates,
            Some(Coordinates::new(52.158, 4.488).unwrap())
        );
        let id = Uuid::now_v7();
        let seq1 = directory::create_service(
            &mut tx,
            id,
            &service(w.org_a, Some(loc_id), vec![w.leiden, w.katwijk]),
            &editor,
            Some(1_000),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut conn = store.pool().acquire().await.unwrap();
        let r = directory::service(&mut conn, id).await.unwrap().unwrap();
        assert_eq!(r.organisation.name, "Steunpunt A");
        assert_eq!(r.categories, ["emotionele-steun", "lotgenotencontact"]);
        assert_eq!(r.funding, [Funding::Wmo, Funding::Free]);
        assert_eq!(r.languages.len(), 2);
        assert_eq!(r.phones[0].number, "071 555 0199");
        assert_eq!(r.opening_hours.len(), 2);
        assert_eq!(r.opening_hours[0].weekday.code(), "di");
        assert_eq!(r.locations[0].location.id, loc_id);
        assert_eq!(r.locations[0].location.street, "Lindelaan 4");
        let areas: Vec<_> = r.areas.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(areas, ["Katwijk", "Leiden"]);
        assert_eq!(r.last_reviewed_at, 1_000);
        assert_eq!(r.change_seq, seq1);
        // Child ids are stable: reading twice gives the same ids.
        let again = directory::service(&mut conn, id).await.unwrap().unwrap();
        assert_eq!(r, again);

        // An edit: exactly the changed fields are versioned, with who did it.
        drop(conn);
        let mut draft = ServiceDraft::from_record(&r);
        draft.name = "Koffie-inloop De Linde".into();
        draft.funding = vec![Funding::Free];
        let mut tx = store.begin_write().await.unwrap();
        let changes = directory::update_service(&mut tx, id, &draft, &Editor::system("Els"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name", "funding"]);
        let mut conn = store.pool().acquire().await.unwrap();
        let versions = directory::versions(&mut conn, id).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].action, "update");
        assert_eq!(versions[0].changed_by_name, "Els");
        assert_eq!(versions[0].fields[1].before, "wmo, gratis");
        assert_eq!(versions[1].action, "create");
        let r2 = directory::service(&mut conn, id).await.unwrap().unwrap();
        assert!(r2.change_seq > seq1);
        assert!(r2.last_reviewed_at > 1_000, "an edit counts as a check");

        // The change feed: only what changed after a point.
        let changed = directory::load(&mut conn, Selection::ChangedSince(seq1))
            .await
            .unwrap();
        assert_eq!(changed.len(), 1);
        assert!(
            directory::load(&mut conn, Selection::ChangedSince(r2.change_seq))
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn a_location_change_stamps_its_services_and_foreign_locations_are_refused() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let editor = Editor::system("test");
        let mut tx = store.begin_write().await.unwrap();
        let loc_id = Uuid::now_v7();
        directory::create_location(&mut tx, loc_id, &location(w.org_a), &editor)
            .await
            .unwrap();
        let id = Uuid::now_v7();
        let seq = directory::create_service(
            &mut tx,
            id,
            &service(w.org_a, Some(loc_id), vec![w.leiden]),
            &editor,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin_write().await.unwrap();
        let mut moved = location(w.org_a);
        moved.street = "Breestraat 1".into();
        let changes = directory::update_location(&mut tx, loc_id, &moved, &editor)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(changes.len(), 1);
        let mut conn = store.pool().acquire().await.unwrap();
        let changed = directory::load(&mut conn, Selection::ChangedSince(seq))
            .await
            .unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].locations[0].location.street, "Breestraat 1");
        drop(conn);

        // Organisation B may not list A's location.
        let mut tx = store.begin_write().await.unwrap();
        let err = directory::create_service(
            &mut tx,
            Uuid::now_v7(),
            &service(w.org_b, Some(loc_id), vec![]),
            &editor,
            None,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        tx.rollback().await.unwrap();
        // Nor move A's service to B.
        let mut conn = store.pool().acquire().await.unwrap();
        let r = directory::service(&mut conn, id).await.unwrap().unwrap();
        drop(conn);
        let mut draft = ServiceDraft::from_record(&r);
        draft.organisation_id = w.org_b;
        let mut tx = store.begin_write().await.unwrap();
        let err = directory::update_service(&mut tx, id, &draft, &editor)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    })
    .await;
}

#[tokio::test]
async fn freshness_reminders_and_error_reports() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let editor = Editor::system("test");
        let mut tx = store.begin_write().await.unwrap();
        let old = Uuid::now_v7();
        let fresh = Uuid::now_v7();
        directory::create_service(
            &mut tx,
            old,
            &service(w.org_a, None, vec![w.leiden]),
            &editor,
            Some(100),
        )
        .await
        .unwrap();
        directory::create_service(
            &mut tx,
            fresh,
            &service(w.org_a, None, vec![w.leiden]),
            &editor,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut conn = store.pool().acquire().await.unwrap();
        let cutoff = 10_000;
        let f = directory::freshness(&mut conn, cutoff).await.unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].services, f[0].stale, f[0].oldest_review),
            (2, 1, Some(100))
        );
        let due = directory::due_for_reminder(&mut conn, cutoff, 5_000)
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].service_id, old);
        directory::set_reminded(&mut conn, &[old], 6_000)
            .await
            .unwrap();
        assert!(
            directory::due_for_reminder(&mut conn, cutoff, 5_000)
                .await
                .unwrap()
                .is_empty()
        );
        // Reminded long ago: due again.
        assert_eq!(
            directory::due_for_reminder(&mut conn, cutoff, 7_000)
                .await
                .unwrap()
                .len(),
            1
        );
        drop(conn);

        let mut tx = store.begin_write().await.unwrap();
        directory::mark_reviewed(&mut tx, old, &editor)
            .await
            .unwrap();
        let report = directory::report_error(&mut tx, old, "Het telefoonnummer klopt niet", None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        assert!(
            directory::due_for_reminder(&mut conn, cutoff, 7_000)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            directory::open_reports(&mut conn, w.org_a)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            directory::open_reports(&mut conn, w.org_b)
                .await
                .unwrap()
                .is_empty()
        );
        // Organisation B cannot close A's report.
        assert!(
            !directory::resolve_report(&mut conn, w.org_b, &report, "u")
                .await
                .unwrap_or(true)
        );
        let f = directory::freshness(&mut conn, cutoff).await.unwrap();
        assert_eq!((f[0].stale, f[0].open_reports), (0, 1));
        let v = directory::versions(&mut conn, old).await.unwrap();
        assert_eq!(v[0].action, "review");
    })
    .await;
}

#[tokio::test]
async fn an_organisation_profile_change_is_versioned_and_reaches_its_services() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let editor = Editor::system("test");
        let mut tx = store.begin_write().await.unwrap();
        let id = Uuid::now_v7();
        let seq =
            directory::create_service(&mut tx, id, &service(w.org_a, None, vec![]), &editor, None)
                .await
                .unwrap();
        let profile = OrganisationProfile {
            description: Some("Wij helpen mantelzorgers.".into()),
            website: None,
            email: Some("info@steunpunt.example".into()),
            phone: None,
        };
        let changes = directory::update_organisation_profile(&mut tx, w.org_a, &profile, &editor)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(changes.len(), 2);
        let mut conn = store.pool().acquire().await.unwrap();
        let changed = directory::load(&mut conn, Selection::ChangedSince(seq))
            .await
            .unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(
            changed[0].organisation.email.as_deref(),
            Some("info@steunpunt.example")
        );
        assert_eq!(
            directory::versions(&mut conn, w.org_a).await.unwrap().len(),
            1
        );
        assert_eq!(
            directory::load(&mut conn, Selection::Organisation(w.org_b))
                .await
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            directory::load(&mut conn, Selection::All)
                .await
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn an_imported_organisation_keeps_its_id_and_profile() {
    on_every_backend(|store| async move {
        world(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        let region: (String,) = sqlx::query_as("SELECT id FROM regions")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        let id = Uuid::now_v7();
        let profile = OrganisationProfile {
            description: Some("Vrijwilligers voor vervoer.".into()),
            website: Some("https://rijdienst.example".into()),
            email: None,
            phone: Some("071 555 0123".into()),
        };
        let editor = Editor::system("import");
        directory::create_organisation(
            &mut tx,
            id,
            &region.0,
            "Rijdienst",
            OrganisationKind::VolunteerOrganisation,
            &profile,
            &editor,
        )
        .await
        .unwrap();
        let service_id = Uuid::now_v7();
        directory::create_service(
            &mut tx,
            service_id,
            &service(id, None, vec![]),
            &editor,
            None,
        )
        .await
        .unwrap();
        // The same id twice is a conflict, not a crash.
        let again = directory::create_organisation(
            &mut tx,
            id,
            &region.0,
            "Rijdienst",
            OrganisationKind::Welfare,
            &profile,
            &editor,
        )
        .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        tx.rollback().await.unwrap();

        // Rolled back: nothing is left.
        let mut conn = store.pool().acquire().await.unwrap();
        assert_eq!(
            directory::organisation_profile(&mut conn, id)
                .await
                .unwrap(),
            None
        );

        let mut tx = store.begin_write().await.unwrap();
        directory::create_organisation(
            &mut tx,
            id,
            &region.0,
            "Rijdienst",
            OrganisationKind::VolunteerOrganisation,
            &profile,
            &editor,
        )
        .await
        .unwrap();
        directory::create_service(
            &mut tx,
            service_id,
            &service(id, None, vec![]),
            &editor,
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let r = directory::service(&mut conn, service_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.organisation.id, id);
        assert_eq!(r.organisation.name, "Rijdienst");
        assert_eq!(r.organisation.kind, "volunteer_organisation");
        assert_eq!(r.organisation.phone.as_deref(), Some("071 555 0123"));
        assert_eq!(
            directory::organisation_profile(&mut conn, id)
                .await
                .unwrap(),
            Some(profile)
        );
        let versions = directory::versions(&mut conn, id).await.unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].action, "create");
        assert!(
            versions[0]
                .fields
                .iter()
                .any(|f| f.field == "name" && f.after == "Rijdienst")
        );
    })
    .await;
}
