//! The public sociale kaart over HTTP on every backend: Dutch text search, filters, distance from
//! a postcode, distance sort, paging, the detail page, the print view, bad input (400 with a
//! Dutch message), and the index following database changes.

use crate::support::TestApp;
use mantelkring_core::base::{CbsCode, OrganisationKind};
use mantelkring_core::directory::draft::{LocationDraft, ServiceDraft, WeeklyHours};
use mantelkring_core::directory::model::{Funding, ServiceStatus};
use mantelkring_core::geo::{Coordinates, Pc4, PostcodeArea};
use mantelkring_store::base::{self, NewOrganisation};
use mantelkring_store::directory::{self, Editor};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, postcodes};
use std::time::Duration;
use uuid::Uuid;

/// (pc4, place/municipality, lat, lon)
const AREAS: [(&str, &str, f64, f64); 3] = [
    ("2311", "Leiden", 52.1590, 4.4900),
    ("2221", "Katwijk", 52.2020, 4.4100),
    ("2201", "Noordwijk", 52.2400, 4.4450),
];

struct Fixture {
    katwijk_id: Uuid,
    logeerhuis: Uuid,
    defunct: Uuid,
}

struct Spec<'a> {
    name: &'a str,
    description: &'a str,
    categories: &'a [&'a str],
    funding: &'a [Funding],
    /// Index into AREAS for a location there, or None for a service that comes to you.
    place: Option<usize>,
    /// Municipalities served (index into AREAS).
    areas: &'a [usize],
    online: bool,
    status: ServiceStatus,
}

async fn fixture(store: &Store) -> Fixture {
    let mut tx = store.begin_write().await.unwrap();
    let region = base::insert_region(&mut tx, "Regio Leiden").await.unwrap();
    let mut municipalities = Vec::new();
    for (i, (pc4, name, lat, lon)) in AREAS.iter().enumerate() {
        let code = CbsCode::parse(&format!("GM{:04}", 500 + i)).unwrap();
        let m = base::insert_municipality(&mut tx, Some(&region.id), &code, name)
            .await
            .unwrap();
        municipalities.push(Uuid::parse_str(&m.id).unwrap());
        postcodes::import(
            &mut tx,
            &[PostcodeArea {
                pc4: Pc4::parse(pc4).unwrap(),
                place: name.to_string(),
                municipality: Some(name.to_string()),
                province: "Zuid-Holland".into(),
                centroid: Coordinates::new(*lat, *lon).unwrap(),
            }],
        )
        .await
        .unwrap();
    }
    let org = base::insert_organisation(
        &mut tx,
        &NewOrganisation {
            region_id: &region.id,
            name: "Steunpunt Mantelzorg Rijnstreek",
            kind: OrganisationKind::Welfare,
            municipality_id: None,
            website: None,
        },
    )
    .await
    .unwrap();
    let org = Uuid::parse_str(&org.id).unwrap();
    let editor = Editor::system("test");
    let mut locations = Vec::new();
    for (pc4, name, lat, lon) in AREAS {
        let id = Uuid::now_v7();
        directory::create_location(
            &mut tx,
            id,
            &LocationDraft {
                organisation_id: org,
                name: format!("Buurthuis {name}"),
                description: None,
                street: "Dorpsstraat 1".into(),
                postcode: format!("{pc4} AA"),
                city: name.into(),
                // A little off the centroid, so distances differ per place.
                coordinates: Some(Coordinates::new(lat + 0.005, lon).unwrap()),
                wheelchair_accessible: true,
            },
            &editor,
        )
        .await
        .unwrap();
        locations.push(id);
    }
    let specs = [
        Spec {
            name: "Mantelzorgconsulent Leiden",
            description: "Een gesprek over wat u doet als mantelzorger en wat u nodig hebt.",
            categories: &["mantelzorgconsulent"],
            funding: &[Funding::Free],
            place: Some(0),
            areas: &[0],
            online: false,
            status: ServiceStatus::Active,
        },
        Spec {
            name: "Logeerhuis De Duinroos",
            description: "Uw naaste logeert een paar nachten bij ons, zodat u even vrij bent.",
            categories: &["logeeropvang"],
            funding: &[Funding::Wlz, Funding::Wmo],
            place: Some(1),
            areas: &[1],
            online: false,
            status: ServiceStatus::Active,
        },
        Spec {
            name: "Dagbesteding Het Anker",
            description: "Overdag een zinvolle dag met anderen, met vervoer van huis.",
            categories: &["dagbesteding"],
            funding: &[Funding::Wmo],
            place: Some(2),
            areas: &[2],
            online: false,
            status: ServiceStatus::Active,
        },
        Spec {
            name: "Alzheimer Café online",
            description: "Elke maand een avond over leven met dementie, via de computer.",
            categories: &["dementie", "lotgenotencontact"],
            funding: &[Funding::Free],
            place: None,
            areas: &[0, 1, 2],
            online: true,
            status: ServiceStatus::Active,
        },
        Spec {
            name: "Vrijwillige thuishulp Katwijk",
            description: "Een vrijwilliger komt bij u thuis, zodat u even weg kunt.",
            categories: &["vrijwillige-thuishulp"],
            funding: &[Funding::Free],
            place: None,
            areas: &[1],
            online: false,
            status: ServiceStatus::Active,
        },
        Spec {
            name: "Oude lotgenotengroep",
            description: "Bestaat niet meer.",
            categories: &["lotgenotencontact"],
            funding: &[Funding::Free],
            place: Some(0),
            areas: &[0],
            online: false,
            status: ServiceStatus::Defunct,
        },
    ];
    let mut ids = Vec::new();
    for s in specs {
        let id = Uuid::now_v7();
        directory::create_service(
            &mut tx,
            id,
            &draft(org, &s, &locations, &municipalities),
            &editor,
            None,
        )
        .await
        .unwrap();
        ids.push(id);
    }
    // 24 boodschappendiensten in Leiden, for paging.
    for n in 1..=24 {
        let name = format!("Boodschappendienst {n:02}");
        let s = Spec {
            name: &name,
            description: "Een vrijwilliger doet boodschappen voor u.",
            categories: &["boodschappen"],
            funding: &[Funding::Free],
            place: Some(0),
            areas: &[0],
            online: false,
            status: ServiceStatus::Active,
        };
        directory::create_service(
            &mut tx,
            Uuid::now_v7(),
            &draft(org, &s, &locations, &municipalities),
            &editor,
            None,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    Fixture {
        katwijk_id: municipalities[1],
        logeerhuis: ids[1],
        defunct: ids[5],
    }
}

fn draft(org: Uuid, s: &Spec<'_>, locations: &[Uuid], municipalities: &[Uuid]) -> ServiceDraft {
    ServiceDraft {
        organisation_id: org,
        name: s.name.into(),
        alternate_name: None,
        description: s.description.into(),
        url: None,
        email: Some("info@steunpunt.example".into()),
        status: s.status,
        application_process: None,
        fees_description: None,
        eligibility_description: None,
        minimum_age: None,
        maximum_age: None,
        online: s.online,
        categories: s.categories.iter().map(|c| c.to_string()).collect(),
        funding: s.funding.to_vec(),
        languages: vec!["nl".into()],
        phones: vec![],
        hours: vec![WeeklyHours::parse("ma 09:00-17:00").unwrap()],
        schedule_note: None,
        location_ids: s.place.map(|i| locations[i]).into_iter().collect(),
        area_ids: s.areas.iter().map(|i| municipalities[*i]).collect(),
    }
}

/// The result names on a search page, in order.
fn names(html: &str) -> Vec<String> {
    html.split("<h3 class=\"mk-result__title\"><a href=\"/kaart/diensten/")
        .skip(1)
        .filter_map(|rest| rest.split_once("\">").map(|(_, r)| r))
        .filter_map(|rest| {
            rest.split_once("</a>")
                .map(|(n, _)| n.replace("&#x27;", "'"))
        })
        .collect()
}

async fn page(app: &TestApp, query: &str) -> (u16, String) {
    let r = app.get(&format!("/kaart?{query}")).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn search_filters_distance_and_paging_on_every_backend() {
    for db in TestDatabase::all().await {
        let store = db.store().await;
        let f = fixture(&store).await;
        store.close().await;
        let app = TestApp::on(db).await;

        // Dutch text: typing errors, compounds, synonyms from the taxonomy.
        let (status, html) = page(&app, "q=mantelzrg").await;
        assert_eq!(status, 200);
        assert_eq!(
            names(&html).first().map(String::as_str),
            Some("Mantelzorgconsulent Leiden")
        );
        let (_, html) = page(&app, "q=opvang").await;
        assert!(
            names(&html).contains(&"Logeerhuis De Duinroos".to_string()),
            "{:?}",
            names(&html)
        );
        let (_, html) = page(&app, "q=respijt").await;
        let found = names(&html);
        assert!(
            found.contains(&"Logeerhuis De Duinroos".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"Dagbesteding Het Anker".to_string()),
            "{found:?}"
        );
        // A service that no longer exists is never listed.
        let (_, html) = page(&app, "q=lotgenotengroep").await;
        assert!(!names(&html).contains(&"Oude lotgenotengroep".to_string()));

        // Category (with its children), municipality and funding filters.
        let (_, html) = page(&app, "soort=respijtzorg").await;
        let mut found = names(&html);
        found.sort();
        assert_eq!(
            found,
            [
                "Dagbesteding Het Anker",
                "Logeerhuis De Duinroos",
                "Vrijwillige thuishulp Katwijk"
            ]
        );
        let (_, html) = page(
            &app,
            &format!("gemeente={}&soort=respijtzorg", f.katwijk_id),
        )
        .await;
        let mut found = names(&html);
        found.sort();
        assert_eq!(
            found,
            ["Logeerhuis De Duinroos", "Vrijwillige thuishulp Katwijk"]
        );
        let (_, html) = page(&app, "betaling=wlz").await;
        assert_eq!(names(&html), ["Logeerhuis De Duinroos"]);
        let (_, html) = page(&app, "online=1").await;
        assert_eq!(names(&html), ["Alzheimer Café online"]);

        // Distance from a postcode: within 3 km of Katwijk only what is there or comes there.
        let (_, html) = page(&app, "postcode=2221+XY&afstand=2&soort=respijtzorg").await;
        let mut found = names(&html);
        found.sort();
        assert_eq!(
            found,
            ["Logeerhuis De Duinroos", "Vrijwillige thuishulp Katwijk"]
        );
        assert!(html.contains("km"), "distance shown");
        // Sorted by distance from Noordwijk: Noordwijk, then Katwijk, then Leiden.
        let (_, html) = page(&app, "postcode=2201&sorteer=afstand&soort=respijtzorg").await;
        let found = names(&html);
        assert_eq!(
            &found[..2],
            ["Dagbesteding Het Anker", "Logeerhuis De Duinroos"]
        );

        // Paging: 24 boodschappendiensten, 10 per page, no overlap, the last page has 4.
        let (_, p1) = page(&app, "soort=boodschappen").await;
        let (_, p2) = page(&app, "soort=boodschappen&pagina=2").await;
        let (_, p3) = page(&app, "soort=boodschappen&pagina=3").await;
        let (n1, n2, n3) = (names(&p1), names(&p2), names(&p3));
        assert_eq!((n1.len(), n2.len(), n3.len()), (10, 10, 4));
        assert!(p1.contains("24 resultaten"));
        let mut all: Vec<_> = n1.iter().chain(&n2).chain(&n3).cloned().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 24);
        assert!(p2.contains("rel=\"prev\"") && p2.contains("rel=\"next\""));
        // "boodschap" (singular) finds them too.
        let (_, html) = page(&app, "q=boodschap").await;
        assert!(html.contains("24 resultaten"), "singular finds plural");

        // Bad input: 400 with a Dutch message, never a 500.
        for (query, message) in [
            ("postcode=12", "Deze postcode klopt niet"),
            ("soort=bestaat-niet", "Deze soort hulp bestaat niet"),
            ("gemeente=abc", "Deze gemeente kennen we niet"),
            ("betaling=contant", "Wie betaalt"),
            ("pagina=nul", "paginanummer"),
            ("afstand=7&postcode=2311", "afstand uit de lijst"),
            ("sorteer=willekeurig", "volgorde"),
        ] {
            let (status, html) = page(&app, query).await;
            assert_eq!(status, 400, "{query}");
            assert!(html.contains(message), "{query}: {message}");
        }
        // An unknown (but well-formed) postcode is a note, not an error.
        let (status, html) = page(&app, "postcode=9999&q=dagbesteding").await;
        assert_eq!(status, 200);
        assert!(html.contains("Postcode 9999 kennen we niet"));

        // Detail page, print view, unknown and defunct entries.
        let r = app.get(&format!("/kaart/diensten/{}", f.logeerhuis)).await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Logeerhuis De Duinroos")
                && html.contains("voor het laatst gecontroleerd")
        );
        assert!(html.contains("Wlz (langdurige zorg)"));
        assert_eq!(
            app.get(&format!("/kaart/diensten/{}", f.defunct))
                .await
                .status()
                .as_u16(),
            404
        );
        assert_eq!(
            app.get(&format!("/kaart/diensten/{}", Uuid::now_v7()))
                .await
                .status()
                .as_u16(),
            404
        );
        assert_eq!(
            app.get("/kaart/diensten/geen-id").await.status().as_u16(),
            404
        );
        let r = app.get("/kaart/afdrukken?soort=boodschappen").await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.unwrap();
        assert_eq!(
            html.matches("class=\"mk-result\"").count(),
            24,
            "the print view lists all"
        );

        // A change in the database reaches the index within seconds (no restart).
        let mut tx = app.store.begin_write().await.unwrap();
        let mut conn = app.store.pool().acquire().await.unwrap();
        let logeerhuis = directory::service(&mut conn, f.logeerhuis)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let mut changed = ServiceDraft::from_record(&logeerhuis);
        changed.name = "Logeerhuis De Zeeroos".into();
        directory::update_service(&mut tx, f.logeerhuis, &changed, &Editor::system("test"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut seen = false;
        for _ in 0..50 {
            let (_, html) = page(&app, "q=zeeroos").await;
            if names(&html) == ["Logeerhuis De Zeeroos"] {
                seen = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(seen, "the index picked up the change");
        app.stop().await;
    }
}
