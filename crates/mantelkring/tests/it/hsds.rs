//! The HSDS 3.0 API (`/hsds/…`) and the HSDS import and export, on every backend: every answer
//! validates against the official Open Referral schemas (formats included), unknown ids are 404,
//! bad parameters 400 with a Dutch message, paging, NDJSON, postcode and proximity; the export
//! imported into an empty database gives the same map; a file with problems writes nothing.

use crate::support::{TestApp, temp_dir};
use mantelkring_core::base::{CbsCode, OrganisationKind};
use mantelkring_core::directory::draft::{
    LocationDraft, OrganisationProfile, PhoneDraft, ServiceDraft, WeeklyHours,
};
use mantelkring_core::directory::model::{Funding, ServiceStatus};
use mantelkring_core::directory::taxonomy;
use mantelkring_core::geo::{Coordinates, Pc4, PostcodeArea};
use mantelkring_store::base::{self, NewOrganisation};
use mantelkring_store::directory::{self, Editor};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, postcodes};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// The official schemas
// ---------------------------------------------------------------------------------------------

/// The HSDS 3.0 reference files (not in the repository), found as `postcodes.rs` finds
/// pc4_nl.csv: `MANTELKRING_REFERENCE_DATA`, else `shared/data` beside the repository, else
/// `/work/shared/data`. Fails loudly when absent: never a skip.
fn hsds_reference() -> PathBuf {
    let dir = if let Some(dir) = std::env::var_os("MANTELKRING_REFERENCE_DATA") {
        PathBuf::from(dir)
    } else {
        let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
        if beside.join("hsds-3.0/compiled/service.json").is_file() {
            beside
        } else {
            PathBuf::from("/work/shared/data")
        }
    };
    let hsds = dir.join("hsds-3.0");
    assert!(
        hsds.join("compiled/service.json").is_file() && hsds.join("openapi.json").is_file(),
        "HSDS 3.0 schemas not found in {}: set MANTELKRING_REFERENCE_DATA to the folder holding hsds-3.0/",
        hsds.display()
    );
    hsds
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Schemas {
    service: jsonschema::Validator,
    service_list: jsonschema::Validator,
    sal: jsonschema::Validator,
    sal_list: jsonschema::Validator,
    organization: jsonschema::Validator,
    organization_list: jsonschema::Validator,
    taxonomy_term: jsonschema::Validator,
    page: jsonschema::Validator,
    meta: jsonschema::Validator,
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles")
}

impl Schemas {
    fn load() -> Schemas {
        let dir = hsds_reference();
        let compiled =
            |name: &str| validator(&read_json(&dir.join(format!("compiled/{name}.json"))));
        let openapi = read_json(&dir.join("openapi.json"));
        let mut page = openapi["components"]["schemas"]["Page"].clone();
        assert!(page.is_object(), "openapi.json has components.schemas.Page");
        page["properties"]["contents"] = json!({"type": "array"});
        page["required"] = json!([
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents"
        ]);
        let mut meta = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]
            ["application/json"]["schema"]
            .clone();
        assert!(meta.is_object(), "openapi.json describes GET /");
        meta["required"] = json!(["version", "profile", "openapi_url"]);
        let service = read_json(&dir.join("compiled/service.json"));
        let term =
            service["properties"]["attributes"]["items"]["properties"]["taxonomy_term"].clone();
        Schemas {
            service: validator(&service),
            service_list: compiled("service_list"),
            sal: compiled("service_at_location"),
            sal_list: compiled("service_at_location_list"),
            organization: compiled("organization"),
            organization_list: compiled("organization_list"),
            taxonomy_term: validator(&term),
            page: validator(&page),
            meta: validator(&meta),
        }
    }
}

#[track_caller]
fn assert_valid(v: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the HSDS schema:\n{}\n{instance:#}",
        errors.join("\n")
    );
}

/// A page: the `Page` fields and each item against the list schema.
#[track_caller]
fn assert_valid_page(schemas: &Schemas, item: &jsonschema::Validator, page: &Value, what: &str) {
    assert_valid(&schemas.page, page, what);
    for (i, c) in page["contents"].as_array().unwrap().iter().enumerate() {
        assert_valid(item, c, &format!("{what} item {i}"));
    }
}

// ---------------------------------------------------------------------------------------------
// A small map
// ---------------------------------------------------------------------------------------------

struct Map {
    org_a: Uuid,
    org_b: Uuid,
    org_without_services: Uuid,
    koffie: Uuid,
    logeerhuis: Uuid,
    oppas: Uuid,
    inactive: Uuid,
    leiden_location: Uuid,
    katwijk_location: Uuid,
}

/// A region with Leiden and Katwijk (what an empty installation has before an import).
async fn municipalities(store: &Store) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let region = base::insert_region(&mut tx, "Holland Rijnland")
        .await
        .unwrap();
    for (code, name) in [("GM0546", "Leiden"), ("GM0537", "Katwijk")] {
        base::insert_municipality(
            &mut tx,
            Some(&region.id),
            &CbsCode::parse(code).unwrap(),
            name,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    region.id
}

fn draft(org: Uuid, name: &str) -> ServiceDraft {
    ServiceDraft {
        organisation_id: org,
        name: name.into(),
        alternate_name: None,
        description: format!("{name}: voor mantelzorgers."),
        url: None,
        email: None,
        status: ServiceStatus::Active,
        application_process: None,
        fees_description: None,
        eligibility_description: None,
        minimum_age: None,
        maximum_age: None,
        online: false,
        categories: vec![],
        funding: vec![],
        languages: vec![],
        phones: vec![],
        hours: vec![],
        schedule_note: None,
        location_ids: vec![],
        area_ids: vec![],
    }
}

async fn seed(store: &Store) -> Map {
    let region = municipalities(store).await;
    let mut tx = store.begin_write().await.unwrap();
    let munis = directory::municipalities(&mut tx).await.unwrap();
    let muni = |code: &str| munis.iter().find(|m| m.1 == code).unwrap().0;
    postcodes::import(
        &mut tx,
        &[
            ("2311", "Leiden", 52.158, 4.488),
            ("2225", "Katwijk", 52.2, 4.41),
            ("1012", "Amsterdam", 52.373, 4.893),
        ]
        .map(|(pc4, place, la, lo)| PostcodeArea {
            pc4: Pc4::parse(pc4).unwrap(),
            place: place.into(),
            municipality: Some(place.into()),
            province: "Zuid-Holland".into(),
            centroid: Coordinates::new(la, lo).unwrap(),
        }),
    )
    .await
    .unwrap();
    let mut orgs = Vec::new();
    for (name, kind) in [
        ("Steunpunt Mantelzorg Leiden", OrganisationKind::Welfare),
        ("Zorggroep De Duinen", OrganisationKind::Care),
        ("Huisartsenpraktijk", OrganisationKind::Medical),
    ] {
        let o = base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region,
                name,
                kind,
                municipality_id: None,
                website: None,
            },
        )
        .await
        .unwrap();
        orgs.push(Uuid::parse_str(&o.id).unwrap());
    }
    let (org_a, org_b) = (orgs[0], orgs[1]);
    let editor = Editor::system("test");
    directory::update_organisation_profile(
        &mut tx,
        org_a,
        &OrganisationProfile {
            description: Some("Het steunpunt voor iedereen die zorgt.".into()),
            website: Some("https://steunpunt.example".into()),
            email: Some("info@steunpunt.example".into()),
            phone: Some("071 555 0100".into()),
        },
        &editor,
    )
    .await
    .unwrap();
    let leiden_location = Uuid::now_v7();
    directory::create_location(
        &mut tx,
        leiden_location,
        &LocationDraft {
            organisation_id: org_a,
            name: "Buurthuis De Linde".into(),
            description: Some("Ingang aan het plein".into()),
            street: "Lindelaan 4".into(),
            postcode: "2311 AB".into(),
            city: "Leiden".into(),
            coordinates: None,
            wheelchair_accessible: true,
        },
        &editor,
    )
    .await
    .unwrap();
    let katwijk_location = Uuid::now_v7();
    directory::create_location(
        &mut tx,
        katwijk_location,
        &LocationDraft {
            organisation_id: org_b,
            name: "Logeerhuis aan zee".into(),
            description: None,
            street: "Boulevard 12".into(),
            postcode: "2225 AA".into(),
            city: "Katwijk".into(),
            coordinates: Some(Coordinates::new(52.203, 4.399).unwrap()),
            wheelchair_accessible: false,
        },
        &editor,
    )
    .await
    .unwrap();

    let koffie = Uuid::now_v7();
    let mut d = draft(org_a, "Koffie-inloop voor mantelzorgers");
    d.url = Some("https://steunpunt.example/koffie".into());
    d.email = Some("koffie@steunpunt.example".into());
    d.categories = vec!["lotgenotencontact".into(), "doelgroep-mantelzorgers".into()];
    d.funding = vec![Funding::Free, Funding::Wmo];
    d.languages = vec!["nl".into(), "en".into()];
    d.phones = vec![PhoneDraft {
        number: "071 555 0199".into(),
        description: Some("Algemeen".into()),
    }];
    d.hours = vec![
        WeeklyHours::parse("di 10:00-12:00").unwrap(),
        WeeklyHours::parse("do 19:00-21:00").unwrap(),
    ];
    d.schedule_note = Some("Niet in de schoolvakanties".into());
    d.minimum_age = Some(16);
    d.location_ids = vec![leiden_location];
    d.area_ids = vec![muni("GM0546"), muni("GM0537")];
    directory::create_service(&mut tx, koffie, &d, &editor, Some(1_714_555_800_000))
        .await
        .unwrap();

    let logeerhuis = Uuid::now_v7();
    let mut d = draft(org_b, "Logeerhuis De Duinen");
    d.categories = vec!["logeeropvang".into()];
    d.funding = vec![Funding::Wlz];
    d.location_ids = vec![katwijk_location];
    d.area_ids = vec![muni("GM0537")];
    directory::create_service(&mut tx, logeerhuis, &d, &editor, None)
        .await
        .unwrap();

    let oppas = Uuid::now_v7();
    let mut d = draft(org_a, "Oppas aan huis");
    d.categories = vec!["respijtzorg-thuis".into()];
    d.online = true;
    d.status = ServiceStatus::TemporarilyClosed;
    d.area_ids = vec![muni("GM0546")];
    directory::create_service(&mut tx, oppas, &d, &editor, None)
        .await
        .unwrap();

    let inactive = Uuid::now_v7();
    let mut d = draft(org_b, "Oude dienst");
    d.status = ServiceStatus::Inactive;
    directory::create_service(&mut tx, inactive, &d, &editor, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Map {
        org_a,
        org_b,
        org_without_services: orgs[2],
        koffie,
        logeerhuis,
        oppas,
        inactive,
        leiden_location,
        katwijk_location,
    }
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{path}: content type {content_type}"
    );
    let body = response.text().await.unwrap();
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    (status, value)
}

async fn ok_json(app: &TestApp, path: &str) -> Value {
    let (status, v) = get_json(app, path).await;
    assert_eq!(status, 200, "{path}: {v}");
    v
}

fn ids(page: &Value, key: &str) -> Vec<String> {
    page["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[key].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_endpoint_answers_with_valid_hsds() {
    let schemas = Schemas::load();
    for db in TestDatabase::all().await {
        let backend = db.backend.name();
        let app = TestApp::on(db).await;
        let m = seed(&app.store).await;

        let meta = ok_json(&app, "/hsds/").await;
        assert_valid(&schemas.meta, &meta, "GET /hsds/");
        assert_eq!(meta["version"], "3.0.0");
        assert_eq!(ok_json(&app, "/hsds").await, meta);

        let services = ok_json(&app, "/hsds/services").await;
        assert_valid_page(&schemas, &schemas.service_list, &services, "services");
        // Listed only (not the inactive one), by name.
        assert_eq!(
            ids(&services, "id"),
            [m.koffie, m.logeerhuis, m.oppas].map(|u| u.to_string()),
            "on {backend}"
        );

        for id in [m.koffie, m.logeerhuis, m.oppas] {
            let full = ok_json(&app, &format!("/hsds/services/{id}")).await;
            assert_valid(&schemas.service, &full, &format!("service {id}"));
        }
        let koffie = ok_json(&app, &format!("/hsds/services/{}", m.koffie)).await;
        assert_eq!(
            koffie["organization"]["name"],
            "Steunpunt Mantelzorg Leiden"
        );
        assert_eq!(koffie["service_areas"].as_array().unwrap().len(), 2);
        assert_eq!(koffie["schedules"].as_array().unwrap().len(), 3);
        assert_eq!(koffie["assured_date"], "2024-05-01");
        let location = &koffie["service_at_locations"][0]["location"];
        assert_eq!(location["id"], m.leiden_location.to_string());
        // No coordinates were given: the PC4 centre.
        assert_eq!(location["latitude"], 52.158);

        let sals = ok_json(&app, "/hsds/service_at_locations").await;
        assert_valid_page(&schemas, &schemas.sal_list, &sals, "service_at_locations");
        assert_eq!(
            sals["total_items"], 2,
            "the online-only service has no place"
        );
        for id in ids(&sals, "id") {
            let full = ok_json(&app, &format!("/hsds/service_at_locations/{id}")).await;
            assert_valid(&schemas.sal, &full, "service_at_location");
            assert_eq!(full["id"], id);
        }

        let orgs = ok_json(&app, "/hsds/organizations").await;
        assert_valid_page(&schemas, &schemas.organization_list, &orgs, "organizations");
        assert_eq!(
            ids(&orgs, "id"),
            [m.org_a, m.org_b].map(|u| u.to_string()),
            "only organisations with services on the map"
        );
        let a = ok_json(&app, &format!("/hsds/organizations/{}", m.org_a)).await;
        assert_valid(&schemas.organization, &a, "organization");
        assert_eq!(a["services"].as_array().unwrap().len(), 2);
        assert_eq!(a["locations"][0]["id"], m.leiden_location.to_string());
        assert_eq!(a["attributes"][0]["value"], "welfare");
        let b = ok_json(&app, &format!("/hsds/organizations/{}", m.org_b)).await;
        assert_valid(&schemas.organization, &b, "organization b");
        assert_eq!(
            b["services"].as_array().unwrap().len(),
            1,
            "not the inactive one"
        );

        let terms = ok_json(&app, "/hsds/taxonomy_terms?per_page=100").await;
        assert_valid_page(&schemas, &schemas.taxonomy_term, &terms, "taxonomy_terms");
        assert_eq!(terms["total_items"], taxonomy::TERMS.len());
        let vocabularies: std::collections::BTreeSet<_> = terms["contents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["taxonomy"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            vocabularies.into_iter().collect::<Vec<_>>(),
            ["mantelkring-aanbod", "mantelkring-doelgroep"]
        );
        let one = ok_json(
            &app,
            &format!("/hsds/taxonomy_terms/{}", taxonomy::term_id("logeeropvang")),
        )
        .await;
        assert_valid(&schemas.taxonomy_term, &one, "taxonomy term");
        assert_eq!(one["name"], "Logeeropvang");
        let found = ok_json(&app, "/hsds/taxonomy_terms?search=oppas").await;
        assert_eq!(ids(&found, "code"), ["respijtzorg-thuis"]);
        app.stop().await;
    }
}

#[tokio::test]
async fn unknown_ids_are_404_and_bad_parameters_400_in_dutch() {
    let app = TestApp::sqlite().await;
    let m = seed(&app.store).await;
    let unknown = Uuid::now_v7();
    for path in [
        format!("/hsds/services/{unknown}"),
        format!("/hsds/services/{}", m.inactive),
        format!("/hsds/service_at_locations/{unknown}"),
        format!("/hsds/organizations/{unknown}"),
        format!("/hsds/organizations/{}", m.org_without_services),
        format!("/hsds/taxonomy_terms/{unknown}"),
    ] {
        let (status, body) = get_json(&app, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["error"]["status"], 404);
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    for (path, needle) in [
        ("/hsds/services/abc", "ongeldige id van dienst 'abc'"),
        (
            "/hsds/organizations/123",
            "ongeldige id van organisatie '123'",
        ),
        ("/hsds/service_at_locations/x", "verwacht een UUID"),
        ("/hsds/taxonomy_terms/x", "verwacht een UUID"),
        (
            "/hsds/services?page=0",
            "page moet een heel getal van 1 of meer zijn",
        ),
        ("/hsds/services?page=een", "niet 'een'"),
        (
            "/hsds/organizations?per_page=0",
            "per_page moet een heel getal van 1 tot en met 100 zijn",
        ),
        ("/hsds/taxonomy_terms?per_page=1000", "niet '1000'"),
        (
            "/hsds/services?modified_after=gisteren",
            "modified_after moet een datum en tijd volgens RFC 3339 zijn",
        ),
        (
            "/hsds/services?taxonomy_term_id=respijt",
            "taxonomy_term_id moet een UUID zijn",
        ),
        (
            "/hsds/services?organization_id=12",
            "organization_id moet een UUID zijn",
        ),
        (
            "/hsds/services?format=xml",
            "format moet json of ndjson zijn",
        ),
        (
            "/hsds/service_at_locations?postcode=12",
            "ongeldige postcode '12'",
        ),
        (
            "/hsds/service_at_locations?proximity=1000",
            "proximity werkt alleen samen met postcode",
        ),
        (
            "/hsds/service_at_locations?postcode=2311&proximity=-5",
            "proximity is een afstand in meters",
        ),
        (
            "/hsds/service_at_locations?postcode=9999",
            "postcode 9999 is onbekend",
        ),
    ] {
        let (status, body) = get_json(&app, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["status"], 400);
        let detail = body["error"]["detail"].as_str().unwrap();
        assert!(
            detail.contains(needle),
            "{path}: '{needle}' not in '{detail}'"
        );
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    // A wrong method: also a JSON error, never a page.
    let response = app
        .client
        .delete(app.url("/hsds/services"))
        .header("authorization", "Bearer x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let _ = m.katwijk_location;
    app.stop().await;
}

#[tokio::test]
async fn paging_counts_and_filters() {
    let app = TestApp::sqlite().await;
    let m = seed(&app.store).await;
    let first = ok_json(&app, "/hsds/services?per_page=2").await;
    assert_eq!(
        [
            &first["total_items"],
            &first["total_pages"],
            &first["page_number"],
            &first["size"]
        ],
        [&json!(3), &json!(2), &json!(1), &json!(2)]
    );
    assert_eq!(first["first_page"], true);
    assert_eq!(first["last_page"], false);
    assert_eq!(first["empty"], false);
    let second = ok_json(&app, "/hsds/services?per_page=2&page=2").await;
    assert_eq!(second["size"], 1);
    assert_eq!(second["first_page"], false);
    assert_eq!(second["last_page"], true);
    assert_eq!(ids(&second, "id"), [m.oppas.to_string()]);
    let past = ok_json(&app, "/hsds/services?per_page=2&page=3").await;
    assert_eq!(past["empty"], true);
    assert_eq!(past["size"], 0);
    assert_eq!(past["last_page"], true);
    assert_eq!(past["total_items"], 3);

    // A parent term finds its children too (logeeropvang, respijtzorg-thuis).
    let respite = taxonomy::term_id("respijtzorg");
    let found = ok_json(&app, &format!("/hsds/services?taxonomy_term_id={respite}")).await;
    assert_eq!(
        ids(&found, "id"),
        [m.logeerhuis, m.oppas].map(|u| u.to_string())
    );
    let found = ok_json(&app, &format!("/hsds/services?organization_id={}", m.org_b)).await;
    assert_eq!(ids(&found, "id"), [m.logeerhuis.to_string()]);
    let found = ok_json(&app, "/hsds/services?search=KOFFIE").await;
    assert_eq!(ids(&found, "id"), [m.koffie.to_string()]);
    let found = ok_json(&app, "/hsds/services?modified_after=2000-01-01T00:00:00Z").await;
    assert_eq!(found["total_items"], 3);
    let found = ok_json(
        &app,
        "/hsds/services?modified_after=2999-01-01T00:00:00%2B01:00",
    )
    .await;
    assert_eq!(found["total_items"], 0);
    assert_eq!(found["total_pages"], 0);
    let found = ok_json(&app, "/hsds/organizations?search=duinen").await;
    assert_eq!(ids(&found, "id"), [m.org_b.to_string()]);
    // A place's list item carries its service.
    let found = ok_json(
        &app,
        &format!("/hsds/service_at_locations?organization_id={}", m.org_b),
    )
    .await;
    assert_eq!(
        found["contents"][0]["service"]["id"],
        m.logeerhuis.to_string()
    );
    assert_eq!(
        found["contents"][0]["location"]["id"],
        m.katwijk_location.to_string()
    );
    app.stop().await;
}

#[tokio::test]
async fn ndjson_gives_every_item_one_per_line() {
    let schemas = Schemas::load();
    let app = TestApp::sqlite().await;
    seed(&app.store).await;
    for (path, schema, n) in [
        (
            "/hsds/services?format=ndjson&per_page=1",
            &schemas.service_list,
            3,
        ),
        (
            "/hsds/service_at_locations?format=ndjson",
            &schemas.sal_list,
            2,
        ),
        (
            "/hsds/organizations?format=ndjson",
            &schemas.organization_list,
            2,
        ),
        (
            "/hsds/taxonomy_terms?format=ndjson",
            &schemas.taxonomy_term,
            taxonomy::TERMS.len(),
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/x-ndjson",
            "{path}"
        );
        let body = response.text().await.unwrap();
        assert!(body.ends_with('\n'));
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines.len(), n, "{path}: {body}");
        for line in lines {
            let item: Value = serde_json::from_str(line).unwrap();
            assert!(item.get("contents").is_none(), "no page wrapper");
            assert_valid(schema, &item, path);
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn places_near_a_postcode_nearest_first_within_the_proximity() {
    for db in TestDatabase::all().await {
        let app = TestApp::on(db).await;
        let m = seed(&app.store).await;
        let location_ids = |page: &Value| -> Vec<String> {
            page["contents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["location_id"].as_str().unwrap().to_string())
                .collect()
        };
        let (leiden, katwijk) = (
            m.leiden_location.to_string(),
            m.katwijk_location.to_string(),
        );
        let near_leiden = ok_json(&app, "/hsds/service_at_locations?postcode=2311%20AB").await;
        assert_eq!(
            location_ids(&near_leiden),
            [leiden.clone(), katwijk.clone()]
        );
        let near_katwijk = ok_json(&app, "/hsds/service_at_locations?postcode=2225").await;
        assert_eq!(
            location_ids(&near_katwijk),
            [katwijk.clone(), leiden.clone()]
        );
        // Leiden's centre to the Katwijk place is about 7 km.
        let within = ok_json(
            &app,
            "/hsds/service_at_locations?postcode=2311AB&proximity=3000",
        )
        .await;
        assert_eq!(location_ids(&within), std::slice::from_ref(&leiden));
        assert_eq!(within["total_items"], 1);
        let wider = ok_json(
            &app,
            "/hsds/service_at_locations?postcode=2311&proximity=20000",
        )
        .await;
        assert_eq!(location_ids(&wider), [leiden, katwijk]);
        let amsterdam = ok_json(
            &app,
            "/hsds/service_at_locations?postcode=1012&proximity=5000",
        )
        .await;
        assert_eq!(amsterdam["total_items"], 0);
        assert_eq!(amsterdam["empty"], true);
        app.stop().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Import and export
// ---------------------------------------------------------------------------------------------

fn mantelkring(database_url: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mantelkring"));
    cmd.args(args)
        .env("DATABASE_URL", database_url)
        .env("MANTELKRING_LOG", "warn")
        .current_dir(std::env::temp_dir());
    for key in ["MANTELKRING_DATA_DIR", "MANTELKRING_CONFIG"] {
        cmd.env_remove(key);
    }
    cmd.output().expect("run mantelkring")
}

fn out(output: &Output) -> (Option<i32>, String, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[track_caller]
fn succeeds(output: Output) -> String {
    let (code, stdout, stderr) = out(&output);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    stdout
}

/// Rows of everything an import writes.
async fn counts(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "organisations",
        "directory_services",
        "directory_locations",
        "directory_service_areas",
        "directory_versions",
    ] {
        let (n,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(store.pool())
                .await
                .unwrap();
        out.push(n);
    }
    out
}

/// An export, parsed, without what cannot survive an import: `last_modified` (the import is a
/// new change).
fn comparable(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut items: Vec<Value> = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).unwrap()
    } else {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    for item in &mut items {
        item.as_object_mut().unwrap().remove("last_modified");
    }
    items
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_gives_the_same_map() {
    let schemas = Schemas::load();
    for source in TestDatabase::all().await {
        let backend = source.backend.name();
        let dir = temp_dir("hsds-roundtrip");
        let store_a = source.store().await;
        seed(&store_a).await;
        let a = dir.join("a.ndjson");
        let stdout = succeeds(mantelkring(
            &source.url,
            &["export", "hsds", a.to_str().unwrap()],
        ));
        assert!(stdout.contains("4 diensten geschreven"), "{stdout}");
        // Every status is exported, and every line is a valid HSDS service.
        for line in std::fs::read_to_string(&a).unwrap().lines() {
            assert_valid(
                &schemas.service,
                &serde_json::from_str(line).unwrap(),
                "export line",
            );
        }

        let target = match source.backend {
            mantelkring_store::Backend::Sqlite => TestDatabase::sqlite(),
            mantelkring_store::Backend::Postgres => {
                TestDatabase::postgres(&TestDatabase::postgres_admin_url().unwrap()).await
            }
        };
        let store_b = target.store().await;
        municipalities(&store_b).await;
        let stdout = succeeds(mantelkring(
            &target.url,
            &["import", "hsds", a.to_str().unwrap()],
        ));
        assert!(
            stdout.contains("4 diensten ingelezen (4 nieuw, 0 bijgewerkt, 0 ongewijzigd), 2 locaties (2 nieuw, 0 bijgewerkt, 0 ongewijzigd), 2 nieuwe organisaties"),
            "{stdout}"
        );
        let b = dir.join("b.ndjson");
        succeeds(mantelkring(
            &target.url,
            &["export", "hsds", b.to_str().unwrap()],
        ));
        assert_eq!(comparable(&a), comparable(&b), "on {backend}");

        // Again, as a JSON array: everything is updated, nothing doubles.
        let before = counts(&store_b).await;
        let json_file = dir.join("b.json");
        succeeds(mantelkring(
            &target.url,
            &["export", "hsds", json_file.to_str().unwrap()],
        ));
        assert_eq!(comparable(&json_file), comparable(&a));
        let stdout = succeeds(mantelkring(
            &target.url,
            &["import", "hsds", json_file.to_str().unwrap()],
        ));
        assert!(stdout.contains("4 diensten ingelezen (0 nieuw, 0 bijgewerkt, 4 ongewijzigd), 2 locaties (0 nieuw, 0 bijgewerkt, 2 ongewijzigd), 0 nieuwe organisaties, 0 bijgewerkte"), "{stdout}");
        let after = counts(&store_b).await;
        assert_eq!(
            before[..4],
            after[..4],
            "same organisations, services, locations, areas"
        );
        let c = dir.join("c.ndjson");
        succeeds(mantelkring(
            &target.url,
            &["export", "hsds", c.to_str().unwrap()],
        ));
        assert_eq!(comparable(&c), comparable(&a));
        store_a.close().await;
        store_b.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn a_file_with_problems_names_line_and_field_and_writes_nothing() {
    for db in TestDatabase::all().await {
        let dir = temp_dir("hsds-bad");
        let source = TestDatabase::sqlite();
        let store_source = source.store().await;
        seed(&store_source).await;
        let export = dir.join("goed.ndjson");
        succeeds(mantelkring(
            &source.url,
            &["export", "hsds", export.to_str().unwrap()],
        ));
        let good: Vec<Value> = std::fs::read_to_string(&export)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();

        let store = db.store().await;
        municipalities(&store).await;
        let before = counts(&store).await;

        // Problems in the file itself: found before the database is touched.
        let mut bad_time = good[1].clone();
        bad_time["schedules"] = json!([{"id": Uuid::now_v7().to_string(), "freq": "WEEKLY", "byday": "MO", "opens_at": "25:00", "closes_at": "26:00"}]);
        let mut bad_term = good[2].clone();
        bad_term["attributes"] = json!([{"id": Uuid::now_v7().to_string(), "taxonomy_term_id": Uuid::nil().to_string()}]);
        let file = dir.join("fouten.ndjson");
        std::fs::write(&file, format!("{}\n{bad_time}\n{bad_term}\n", good[0])).unwrap();
        let (code, stdout, stderr) = out(&mantelkring(
            &db.url,
            &["import", "hsds", file.to_str().unwrap()],
        ));
        assert_eq!(code, Some(2), "{stdout}\n{stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert!(
            lines[0].starts_with("regel 2, veld schedules[0].opens_at: ongeldige tijd '25:00'"),
            "{stderr}"
        );
        assert!(
            lines[1].starts_with("regel 2, veld schedules[0].closes_at: ongeldige tijd '26:00'"),
            "{stderr}"
        );
        assert!(
            lines[2].starts_with(
                "regel 3, veld attributes[0].taxonomy_term_id: onbekende taxonomieterm"
            ),
            "{stderr}"
        );
        assert!(
            lines[3].contains("3 problemen; er is niets ingelezen"),
            "{stderr}"
        );
        assert_eq!(lines.len(), 4, "{stderr}");
        assert!(stdout.is_empty());
        assert_eq!(counts(&store).await, before);

        // A problem only the database shows (an unknown municipality): the good services before
        // it are not written either.
        let mut unknown_area = good[3].clone();
        unknown_area["service_areas"] = json!([{"id": Uuid::now_v7().to_string(), "name": "Nergenshuizen", "uri": "https://identifier.overheid.nl/tooi/id/gemeente/gm9999"}]);
        let as_array = dir.join("fouten.json");
        std::fs::write(
            &as_array,
            serde_json::to_string(&json!([good[0], good[1], unknown_area])).unwrap(),
        )
        .unwrap();
        let (code, _, stderr) = out(&mantelkring(
            &db.url,
            &["import", "hsds", as_array.to_str().unwrap()],
        ));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr
                .starts_with("dienst 2, veld service_areas[0]: onbekende CBS-gemeentecode GM9999"),
            "{stderr}"
        );
        assert_eq!(counts(&store).await, before, "on {}", db.backend.name());

        // An unknown region.
        let (code, _, stderr) = out(&mantelkring(
            &db.url,
            &[
                "import",
                "hsds",
                "--region",
                "Atlantis",
                export.to_str().unwrap(),
            ],
        ));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.starts_with("onbekende regio 'Atlantis' (--region); er zijn: Holland Rijnland"),
            "{stderr}"
        );

        // A dry run checks against the database and writes nothing.
        let (code, stdout, stderr) = out(&mantelkring(
            &db.url,
            &["import", "hsds", "--dry-run", export.to_str().unwrap()],
        ));
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            stdout.contains("proefrun: 4 diensten in orde, er is niets opgeslagen"),
            "{stdout}"
        );
        assert!(
            stdout.contains("4 diensten, 2 locaties, 2 organisaties"),
            "{stdout}"
        );
        assert_eq!(counts(&store).await, before);
        store.close().await;
        store_source.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[tokio::test]
async fn the_csv_imports_services_with_their_place_and_refuses_a_bad_file_whole() {
    for db in TestDatabase::all().await {
        let dir = temp_dir("hsds-csv");
        let store = db.store().await;
        municipalities(&store).await;
        let header = "id,organization_id,organization_name,name,description,categories,funding,online,email,url,phone,location_name,street,postcode,city,latitude,longitude,hours,areas,languages\n";
        let (s1, s2, org) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let bad = dir.join("fout.csv");
        std::fs::write(
            &bad,
            format!(
                "{header}{s1},{org},Vrijwilligerscentrale,Klussendienst,,klussen,gratis,nee,,,,,,,,,,ma 09:00-12:00,GM0546,nl\n\
                 {s2},{org},Vrijwilligerscentrale,Maatje,,vrijwillige-thuishulp,,ja,,,,,,,,,,wo 9-12,GM0000,nl\n"
            ),
        )
        .unwrap();
        let before = counts(&store).await;
        let (code, _, stderr) = out(&mantelkring(
            &db.url,
            &["import", "hsds-csv", bad.to_str().unwrap()],
        ));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.starts_with("regel 3, veld hours: ongeldige openingstijd 'wo 9-12'"),
            "{stderr}"
        );
        assert_eq!(counts(&store).await, before);

        let good = dir.join("kaart.csv");
        std::fs::write(
            &good,
            format!(
                "{header}{s1},{org},Vrijwilligerscentrale,Klussendienst,Kleine klussen in huis.,klussen,gratis,nee,klus@vc.example,https://vc.example/klus,071 555 0300,Kantoor,Breestraat 1,2311 CS,Leiden,52.159,4.49,ma 09:00-12:00|do 13:00-16:00,GM0546|GM0537,nl\n\
                 {s2},{org},Vrijwilligerscentrale,Maatje,,vrijwillige-thuishulp,,ja,,,,,,,,,,,GM0546,\n"
            ),
        )
        .unwrap();
        let stdout = succeeds(mantelkring(
            &db.url,
            &[
                "import",
                "hsds-csv",
                "--region",
                "holland rijnland",
                good.to_str().unwrap(),
            ],
        ));
        assert!(stdout.contains("2 diensten ingelezen (2 nieuw, 0 bijgewerkt, 0 ongewijzigd), 1 locaties (1 nieuw, 0 bijgewerkt, 0 ongewijzigd), 1 nieuwe organisaties"), "{stdout}");
        let mut conn = store.pool().acquire().await.unwrap();
        let r = directory::service(&mut conn, s1).await.unwrap().unwrap();
        assert_eq!(r.organisation.name, "Vrijwilligerscentrale");
        assert_eq!(r.organisation.kind, "welfare");
        assert_eq!(r.areas.len(), 2);
        assert_eq!(r.opening_hours.len(), 2);
        assert_eq!(r.locations[0].location.street, "Breestraat 1");
        assert_eq!(r.phones[0].number, "071 555 0300");
        let maatje = directory::service(&mut conn, s2).await.unwrap().unwrap();
        assert!(maatje.online && maatje.locations.is_empty());
        drop(conn);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn help_documents_both_import_formats_and_the_export() {
    let dir = temp_dir("hsds-help");
    let url = format!("sqlite://{}/x.db", dir.display());
    let help = |args: &[&str]| {
        let (code, stdout, _) = out(&mantelkring(&url, args));
        assert_eq!(code, Some(0));
        stdout
    };
    let hsds = help(&["import", "hsds", "--help"]);
    for needed in [
        "NDJSON",
        "contents",
        "regel N, veld X",
        "dienst N",
        "--region",
        "--dry-run",
        "mantelkring:organisatiesoort",
    ] {
        assert!(
            hsds.contains(needed),
            "import hsds --help lacks {needed}: {hsds}"
        );
    }
    let csv = help(&["import", "hsds-csv", "--help"]);
    for needed in [
        "id,organization_id,organization_name,name,description,categories",
        "ma 09:00-17:00",
        "GM0546",
    ] {
        assert!(
            csv.contains(needed),
            "import hsds-csv --help lacks {needed}: {csv}"
        );
    }
    let export = help(&["export", "hsds", "--help"]);
    assert!(
        export.contains("NDJSON") && export.contains(".json"),
        "{export}"
    );
    let (code, _, stderr) = out(&mantelkring(
        &url,
        &["import", "hsds", "/geen/bestand.json"],
    ));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("kan /geen/bestand.json niet lezen"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
