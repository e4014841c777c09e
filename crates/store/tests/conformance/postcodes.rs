use crate::on_every_backend;
use mantelkring_core::geo::{Coordinates, Pc4, PostcodeArea, distance_km};
use mantelkring_store::StoreError;
use mantelkring_store::postcodes::{self, ImportReport};

fn area(pc4: u16, place: &str, municipality: Option<&str>, lat: f64, lon: f64) -> PostcodeArea {
    PostcodeArea {
        pc4: Pc4::parse(&pc4.to_string()).unwrap(),
        place: place.into(),
        municipality: municipality.map(str::to_string),
        province: "Zuid-Holland".into(),
        centroid: Coordinates::new(lat, lon).unwrap(),
    }
}

fn pc4(s: &str) -> Pc4 {
    Pc4::parse(s).unwrap()
}

#[tokio::test]
async fn areas_are_imported_looked_up_and_counted() {
    on_every_backend(|store| async move {
        assert_eq!(postcodes::count(&store).await.unwrap(), 0);
        assert_eq!(postcodes::lookup(&store, pc4("2311")).await.unwrap(), None);

        let leiden = area(2311, "Leiden", Some("Leiden"), 52.1577953, 4.4882196);
        let veen = area(4264, "Veen", None, 51.7793516, 5.1077955);
        let mut tx = store.begin_write().await.unwrap();
        let report = postcodes::import(&mut tx, &[leiden.clone(), veen.clone()])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            report,
            ImportReport {
                inserted: 2,
                updated: 0
            }
        );
        assert_eq!(postcodes::count(&store).await.unwrap(), 2);
        // Full double precision survives the round trip on both backends.
        assert_eq!(
            postcodes::lookup(&store, pc4("2311")).await.unwrap(),
            Some(leiden)
        );
        let found = postcodes::lookup(&store, pc4("4264"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.municipality, None);
        assert_eq!(found, veen);
    })
    .await;
}

#[tokio::test]
async fn a_second_import_updates_instead_of_duplicating() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        postcodes::import(
            &mut tx,
            &[
                area(2311, "Leiden", Some("Leiden"), 52.15, 4.48),
                area(2312, "Leiden", Some("Leiden"), 52.16, 4.49),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let moved = area(
            2311,
            "Leiden-Centrum",
            Some("Leiden"),
            52.1577953,
            4.4882196,
        );
        let mut tx = store.begin_write().await.unwrap();
        let report = postcodes::import(
            &mut tx,
            &[
                moved.clone(),
                area(2313, "Leiden", Some("Leiden"), 52.17, 4.50),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            report,
            ImportReport {
                inserted: 1,
                updated: 1
            }
        );
        assert_eq!(postcodes::count(&store).await.unwrap(), 3);
        assert_eq!(
            postcodes::lookup(&store, pc4("2311")).await.unwrap(),
            Some(moved)
        );
        // Areas that are not in the new file stay.
        assert!(
            postcodes::lookup(&store, pc4("2312"))
                .await
                .unwrap()
                .is_some()
        );
    })
    .await;
}

#[tokio::test]
async fn a_rolled_back_import_leaves_nothing_and_many_rows_go_in_batches() {
    on_every_backend(|store| async move {
        // More rows than one statement holds, so several batches in one transaction.
        let areas: Vec<PostcodeArea> = (1000..1450)
            .map(|n| {
                area(
                    n,
                    "Plaats",
                    Some("Gemeente"),
                    50.75 + f64::from(n - 1000) * 0.005,
                    3.36 + f64::from(n - 1000) * 0.008,
                )
            })
            .collect();
        let mut tx = store.begin_write().await.unwrap();
        let report = postcodes::import(&mut tx, &areas).await.unwrap();
        assert_eq!(report.total(), 450);
        tx.rollback().await.unwrap();
        assert_eq!(postcodes::count(&store).await.unwrap(), 0);

        let mut tx = store.begin_write().await.unwrap();
        postcodes::import(&mut tx, &areas[..300]).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let report = postcodes::import(&mut tx, &areas).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            report,
            ImportReport {
                inserted: 150,
                updated: 300
            }
        );
        assert_eq!(postcodes::count(&store).await.unwrap(), 450);
        let last = postcodes::lookup(&store, pc4("1449"))
            .await
            .unwrap()
            .unwrap();
        assert!(distance_km(last.centroid, areas[449].centroid) < 1e-9);
    })
    .await;
}

#[tokio::test]
async fn the_same_pc4_twice_is_refused_before_writing() {
    on_every_backend(|store| async move {
        let mut tx = store.begin_write().await.unwrap();
        let err = postcodes::import(
            &mut tx,
            &[
                area(2311, "Leiden", None, 52.15, 4.48),
                area(2312, "Leiden", None, 52.15, 4.48),
                area(2311, "Leiden", None, 52.16, 4.49),
            ],
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m.contains("2311")),
            "{err:?}"
        );
        tx.commit().await.unwrap();
        assert_eq!(postcodes::count(&store).await.unwrap(), 0);
    })
    .await;
}
