use super::*;
use crate::directory::model::{Language, OpeningHours, Phone, ServiceArea};
use std::path::{Path, PathBuf};

fn u(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn location(id: Uuid, org: Uuid, wheelchair: bool, coordinates: Option<Coordinates>) -> Location {
    Location {
        id,
        organisation_id: org,
        name: "Buurthuis De Linde".into(),
        description: Some("Achteringang via het plein".into()),
        address_id: child_id(id, "address", ""),
        street: "Lindelaan 4".into(),
        postcode: "2311 AB".into(),
        city: "Leiden".into(),
        coordinates,
        wheelchair_accessible: wheelchair,
    }
}

fn hours(service: Uuid, s: &str) -> OpeningHours {
    WeeklyHours::parse(s).unwrap().with_id(service)
}

/// A service with every field filled.
fn full_record() -> ServiceRecord {
    let id = u(0x0190_0000_0000_7000_8000_0000_0000_0001);
    let org = u(0x0190_0000_0000_7000_8000_0000_0000_00aa);
    let loc_a = u(0x0190_0000_0000_7000_8000_0000_0000_0a01);
    let loc_b = u(0x0190_0000_0000_7000_8000_0000_0000_0a02);
    ServiceRecord {
        id,
        organisation: OrganisationSummary {
            id: org,
            name: "Steunpunt Mantelzorg Leiden".into(),
            kind: "welfare".into(),
            description: Some("Het steunpunt voor iedereen die zorgt.".into()),
            website: Some("https://steunpunt.example/".into()),
            email: Some("Info@Steunpunt.example".into()),
            phone: Some("071 555 0100".into()),
            updated_at: 1_700_000_000_000,
        },
        name: "Koffie-inloop voor mantelzorgers".into(),
        alternate_name: Some("Mantelzorgcafé".into()),
        description: "Elke week koffie en een goed gesprek.".into(),
        url: Some("https://steunpunt.example/koffie".into()),
        email: Some("koffie@steunpunt.example".into()),
        status: ServiceStatus::TemporarilyClosed,
        application_process: Some("Loop binnen, aanmelden hoeft niet.".into()),
        fees_description: Some("Gratis".into()),
        eligibility_description: Some("Voor mantelzorgers uit Leiden".into()),
        minimum_age: Some(12),
        maximum_age: Some(99),
        online: true,
        categories: vec![
            "doelgroep-mantelzorgers".into(),
            "emotionele-steun".into(),
            "lotgenotencontact".into(),
        ],
        funding: vec![Funding::Wmo, Funding::Free],
        languages: vec![
            Language {
                id: child_id(id, "language", "en"),
                code: "en".into(),
            },
            Language {
                id: child_id(id, "language", "nl"),
                code: "nl".into(),
            },
        ],
        phones: vec![
            Phone {
                id: child_id(id, "phone", "071 555 0199"),
                number: "071 555 0199".into(),
                description: Some("Algemeen".into()),
            },
            Phone {
                id: child_id(id, "phone", "06 1234 5678"),
                number: "06 1234 5678".into(),
                description: None,
            },
        ],
        opening_hours: vec![
            hours(id, "di 10:00-12:00"),
            hours(id, "do 19:00-21:00"),
            hours(id, "zo 20:00-24:00"),
        ],
        schedule_note: Some("Niet in de schoolvakanties".into()),
        locations: vec![
            ServiceAtLocation {
                id: child_id(id, "service_at_location", &loc_a.to_string()),
                location: location(
                    loc_a,
                    org,
                    true,
                    Some(Coordinates::new(52.158_123_4, 4.488_765_4).unwrap()),
                ),
            },
            ServiceAtLocation {
                id: child_id(id, "service_at_location", &loc_b.to_string()),
                location: Location {
                    name: "Wijkcentrum Noord".into(),
                    description: None,
                    street: "Noordstraat 1".into(),
                    postcode: "2312".into(),
                    ..location(loc_b, org, false, None)
                },
            },
        ],
        areas: vec![
            ServiceArea {
                id: child_id(id, "service_area", "GM0537"),
                municipality_id: u(537),
                cbs_code: "GM0537".into(),
                name: "Katwijk".into(),
            },
            ServiceArea {
                id: child_id(id, "service_area", "GM0546"),
                municipality_id: u(546),
                cbs_code: "GM0546".into(),
                name: "Leiden".into(),
            },
        ],
        last_reviewed_at: 1_714_555_800_123,
        updated_at: 1_714_600_000_456,
        change_seq: 7,
    }
}

/// A service with only what is required.
fn bare_record() -> ServiceRecord {
    let id = u(0x0190_0000_0000_7000_8000_0000_0000_0002);
    ServiceRecord {
        id,
        organisation: OrganisationSummary {
            id: u(0x0190_0000_0000_7000_8000_0000_0000_00bb),
            name: "Burgerinitiatief Naoberzorg".into(),
            kind: "citizen_initiative".into(),
            description: None,
            website: None,
            email: None,
            phone: None,
            updated_at: 0,
        },
        name: "Boodschappendienst".into(),
        alternate_name: None,
        description: "Wij doen boodschappen.".into(),
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
        opening_hours: vec![],
        schedule_note: None,
        locations: vec![],
        areas: vec![],
        last_reviewed_at: 0,
        updated_at: 0,
        change_seq: 1,
    }
}

fn parsed(v: &Value) -> ImportedService {
    parse_service(v).unwrap_or_else(|e| panic!("{e:#?}\n{v:#}"))
}

/// What must come back from `parse_service(service_full(r))`.
fn assert_round_trip(r: &ServiceRecord) {
    let imported = parsed(&service_full(r));
    let mut expected = ServiceDraft::from_record(r);
    expected.area_ids.clear();
    assert_eq!(imported.draft, expected);
    assert_eq!(imported.id, r.id);
    let locations: Vec<_> = r
        .locations
        .iter()
        .map(|sal| ImportedLocation {
            id: sal.location.id,
            draft: LocationDraft::from_location(&sal.location),
        })
        .collect();
    assert_eq!(imported.locations, locations);
    let areas: Vec<_> = imported
        .areas
        .iter()
        .map(|a| {
            (
                a.cbs_code.clone().unwrap().to_string(),
                a.name.clone().unwrap(),
            )
        })
        .collect();
    let expected_areas: Vec<_> = r
        .areas
        .iter()
        .map(|a| (a.cbs_code.clone(), a.name.clone()))
        .collect();
    assert_eq!(areas, expected_areas);
    let o = &r.organisation;
    assert_eq!(
        imported.organisation,
        ImportedOrganisation {
            id: o.id,
            name: o.name.clone(),
            kind: OrganisationKind::parse(&o.kind),
            profile: Some(OrganisationProfile {
                description: o.description.clone(),
                website: o.website.clone(),
                email: o.email.clone(),
                phone: o.phone.clone(),
            }),
        }
    );
    assert_eq!(
        imported.reviewed_at.map(time::date),
        Some(time::date(r.last_reviewed_at))
    );
}

#[test]
fn a_full_service_reads_back_as_the_same_drafts() {
    assert_round_trip(&full_record());
}

#[test]
fn a_bare_service_reads_back_as_the_same_drafts() {
    assert_round_trip(&bare_record());
}

#[test]
fn the_full_service_has_every_part_where_hsds_wants_it() {
    let r = full_record();
    let v = service_full(&r);
    assert_eq!(v["id"], r.id.to_string());
    assert_eq!(v["status"], "temporarily closed");
    assert_eq!(v["last_modified"], "2024-05-01T21:46:40.456Z");
    assert_eq!(v["assured_date"], "2024-05-01");
    assert_eq!(v["minimum_age"], 12);
    assert_eq!(v["organization"]["name"], "Steunpunt Mantelzorg Leiden");
    assert_eq!(v["organization"]["phones"][0]["number"], "071 555 0100");
    assert_eq!(
        v["organization"]["attributes"][0]["link_type"],
        KIND_LINK_TYPE
    );
    assert_eq!(v["organization"]["attributes"][0]["value"], "welfare");

    let schedules = v["schedules"].as_array().unwrap();
    assert_eq!(schedules.len(), 4, "three weekly periods and the note");
    assert_eq!(schedules[0]["freq"], "WEEKLY");
    assert_eq!(schedules[0]["byday"], "TU");
    assert_eq!(schedules[0]["opens_at"], "10:00");
    assert_eq!(schedules[0]["closes_at"], "12:00");
    assert_eq!(schedules[2]["byday"], "SU");
    assert_eq!(schedules[2]["closes_at"], "24:00");
    assert_eq!(schedules[3]["description"], "Niet in de schoolvakanties");
    assert!(schedules[3].get("byday").is_none());

    let area = &v["service_areas"][1];
    assert_eq!(area["name"], "Leiden");
    assert_eq!(
        area["uri"],
        "https://identifier.overheid.nl/tooi/id/gemeente/gm0546"
    );
    assert!(area["description"].as_str().unwrap().contains("GM0546"));
    assert!(area.get("extent_type").is_none());

    let sal = &v["service_at_locations"][0];
    assert_eq!(sal["location_id"], sal["location"]["id"]);
    let loc = &sal["location"];
    assert_eq!(loc["location_type"], "physical");
    assert_eq!(loc["latitude"], 52.158_123_4);
    let address = &loc["addresses"][0];
    assert_eq!(address["address_1"], "Lindelaan 4");
    assert_eq!(address["postal_code"], "2311 AB");
    assert_eq!(address["country"], "NL");
    assert_eq!(address["address_type"], "physical");
    assert_eq!(address["state_province"], "");
    assert_eq!(
        loc["accessibility"][0]["description"],
        "Rolstoeltoegankelijk"
    );
    let second = &v["service_at_locations"][1]["location"];
    assert!(second.get("latitude").is_none() && second.get("description").is_none());
    assert_eq!(second["accessibility"], json!([]));

    assert_eq!(v["languages"][1]["code"], "nl");
    assert_eq!(v["languages"][1]["name"], "Nederlands");
    assert_eq!(v["funding"][0]["source"], "wmo");
    assert_eq!(v["funding"][1]["source"], "gratis");

    let attributes = v["attributes"].as_array().unwrap();
    assert_eq!(attributes.len(), 4);
    let target = &attributes[0];
    assert_eq!(target["link_type"], "audience");
    assert_eq!(
        target["taxonomy_term_id"],
        taxonomy::term_id("doelgroep-mantelzorgers").to_string()
    );
    assert_eq!(target["taxonomy_term"]["taxonomy"], "mantelkring-doelgroep");
    assert_eq!(target["taxonomy_term"]["name"], "Mantelzorgers");
    assert_eq!(target["taxonomy_term"]["language"], "nl");
    assert_eq!(
        attributes[1]["taxonomy_term"]["taxonomy"],
        "mantelkring-aanbod"
    );
    assert_eq!(attributes[3]["link_type"], ONLINE_LINK_TYPE);
    assert_eq!(attributes[3]["value"], "true");

    // Ids are stable: the same record gives the same document.
    assert_eq!(service_full(&r), service_full(&r.clone()));
}

#[test]
fn a_bare_service_leaves_out_what_it_does_not_have() {
    let v = service_full(&bare_record());
    for absent in [
        "alternate_name",
        "url",
        "email",
        "minimum_age",
        "maximum_age",
        "application_process",
    ] {
        assert!(v.get(absent).is_none(), "{absent}");
    }
    assert_eq!(v["organization"]["description"], "");
    assert_eq!(v["organization"]["phones"], json!([]));
    assert_eq!(v["schedules"], json!([]));
    assert_eq!(v["attributes"], json!([]));
    assert_eq!(v["assured_date"], "1970-01-01");
}

#[test]
fn list_items_hold_only_one_to_one_fields() {
    let r = full_record();
    let item = service_list_item(&r);
    assert_eq!(item["name"], r.name);
    assert_eq!(item["organization"]["id"], r.organisation.id.to_string());
    for nested in [
        "phones",
        "schedules",
        "service_areas",
        "attributes",
        "funding",
    ] {
        assert!(item.get(nested).is_none(), "{nested}");
    }
    assert!(item["organization"].get("phones").is_none());

    let sal = service_at_location_list_item(&r, &r.locations[0]);
    assert_eq!(sal["id"], r.locations[0].id.to_string());
    assert_eq!(sal["service"]["id"], r.id.to_string());
    assert_eq!(sal["location"]["name"], "Buurthuis De Linde");
    assert!(sal["location"].get("addresses").is_none());

    let full = service_at_location_full(&r, &r.locations[1]);
    assert_eq!(
        full["location"]["addresses"][0]["address_1"],
        "Noordstraat 1"
    );
    assert_eq!(full["service"]["phones"][0]["number"], "071 555 0199");
    assert!(full["service"].get("service_at_locations").is_none());

    let org = organization_list_item(&r.organisation);
    assert_eq!(org["email"], "Info@Steunpunt.example");
    assert!(org.get("phones").is_none());
}

#[test]
fn a_full_organization_lists_its_services_and_each_location_once() {
    let a = full_record();
    let mut b = bare_record();
    b.organisation = a.organisation.clone();
    b.locations = vec![a.locations[1].clone()];
    let v = organization_full(&a.organisation, &[a.clone(), b.clone()]);
    let locations: Vec<_> = v["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        locations,
        [
            a.locations[0].location.id.to_string(),
            a.locations[1].location.id.to_string()
        ]
    );
    let services: Vec<_> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(services, [a.id.to_string(), b.id.to_string()]);
    assert_eq!(v["attributes"][0]["value"], "welfare");
}

#[test]
fn taxonomy_terms_carry_parent_vocabulary_and_search_words() {
    let t = taxonomy_term(taxonomy::by_code("logeeropvang").unwrap());
    assert_eq!(t["id"], taxonomy::term_id("logeeropvang").to_string());
    assert_eq!(t["parent_id"], taxonomy::term_id("respijtzorg").to_string());
    assert_eq!(t["code"], "logeeropvang");
    assert_eq!(t["name"], "Logeeropvang");
    assert_eq!(t["taxonomy"], "mantelkring-aanbod");
    let d = t["description"].as_str().unwrap();
    assert!(
        d.contains("Short-stay care") && d.contains("logeerhuis"),
        "{d}"
    );
    let top = taxonomy_term(taxonomy::by_code("respijtzorg").unwrap());
    assert!(top.get("parent_id").is_none());
}

#[test]
fn paging_counts_pages_and_marks_first_and_last() {
    let items = |n: usize| (0..n).map(|i| json!(i)).collect::<Vec<_>>();
    let p = page(items(10), 25, 1, 10);
    assert_eq!(p["total_items"], 25);
    assert_eq!(p["total_pages"], 3);
    assert_eq!(p["page_number"], 1);
    assert_eq!(p["size"], 10);
    assert_eq!(p["first_page"], true);
    assert_eq!(p["last_page"], false);
    assert_eq!(p["empty"], false);
    let last = page(items(5), 25, 3, 10);
    assert_eq!(last["size"], 5);
    assert_eq!(
        (last["first_page"].clone(), last["last_page"].clone()),
        (json!(false), json!(true))
    );
    let past = page(items(0), 25, 4, 10);
    assert_eq!(
        (past["empty"].clone(), past["last_page"].clone()),
        (json!(true), json!(true))
    );
    let none = page(items(0), 0, 1, 50);
    assert_eq!(none["total_pages"], 0);
    assert_eq!(none["first_page"], true);
    assert_eq!(none["last_page"], true);
    assert_eq!(none["contents"], json!([]));
    assert_eq!(total_pages(100, 50), 2);
    assert_eq!(total_pages(101, 50), 3);
}

fn messages(v: &Value) -> Vec<String> {
    parse_service(v)
        .expect_err("should be refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn has(messages: &[String], needle: &str) -> bool {
    messages.iter().any(|m| m.contains(needle))
}

#[test]
fn every_problem_is_reported_with_its_field() {
    let mut v = service_full(&full_record());
    v["id"] = json!("niet-een-uuid");
    v["status"] = json!("open");
    v["email"] = json!("geen adres");
    v["url"] = json!("www.steunpunt.example");
    v["minimum_age"] = json!(30);
    v["maximum_age"] = json!(20);
    v["assured_date"] = json!("1 mei 2024");
    v["schedules"][0]["opens_at"] = json!("25:00");
    v["schedules"][1]["closes_at"] = json!("18:00");
    v["schedules"][1]["opens_at"] = json!("19:00");
    v["schedules"][2]["byday"] = json!("MO,XX");
    v["funding"][0]["source"] = json!("subsidie");
    v["languages"][0]["code"] = json!("Engels!");
    v["attributes"][1]["taxonomy_term_id"] = json!(Uuid::from_u128(42).to_string());
    v["attributes"][1]["taxonomy_term"]["id"] = json!(Uuid::from_u128(42).to_string());
    v["phones"][0]["id"] = json!("123");
    v["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = json!("0123 AB");
    v["service_at_locations"][0]["location"]["latitude"] = json!(123.0);
    v["service_at_locations"][1]["location"]["longitude"] = json!(4.5);
    v["service_areas"][0] = json!({"id": Uuid::from_u128(9).to_string()});
    let m = messages(&v);
    for (needle, why) in [
        (
            "veld id: 'niet-een-uuid' is geen geldige UUID",
            "bad service id",
        ),
        ("veld status: onbekende status 'open'", "status"),
        ("veld email: 'geen adres' is geen e-mailadres", "email"),
        ("veld url: 'www.steunpunt.example' is geen webadres", "url"),
        (
            "veld maximum_age: 20 is lager dan de minimumleeftijd 30",
            "ages",
        ),
        ("veld assured_date: ongeldige datum '1 mei 2024'", "date"),
        ("veld schedules[0].opens_at: ongeldige tijd '25:00'", "time"),
        (
            "veld schedules[1].closes_at: 18:00 ligt niet na de openingstijd 19:00",
            "order",
        ),
        ("veld schedules[2].byday: onbekende dag 'XX'", "day"),
        (
            "veld funding[0].source: onbekende financiering 'subsidie'; kies uit wmo",
            "funding",
        ),
        (
            "veld languages[0].code: 'Engels!' is geen ISO 639-taalcode",
            "language",
        ),
        (
            "veld attributes[1].taxonomy_term_id: onbekende taxonomieterm 00000000-0000-0000-0000-00000000002a (emotionele-steun)",
            "term",
        ),
        ("veld phones[0].id: '123' is geen geldige UUID", "child id"),
        (
            "veld service_at_locations[0].location.addresses[0].postal_code: ongeldige postcode '0123 AB'",
            "postcode",
        ),
        (
            "veld service_at_locations[0].location.latitude: breedtegraad 123",
            "latitude",
        ),
        (
            "veld service_at_locations[1].location.latitude: ontbreekt (longitude is er wel)",
            "half a point",
        ),
        ("veld service_areas[0]: geen gemeente", "area"),
    ] {
        assert!(has(&m, needle), "{why}: '{needle}' not in {m:#?}");
    }
    assert_eq!(m.len(), 17, "{m:#?}");
}

#[test]
fn missing_required_parts_are_named() {
    let m = messages(&json!({"description": "x"}));
    for needle in [
        "veld id: ontbreekt",
        "veld name: ontbreekt",
        "veld status: ontbreekt",
        "veld organization: ontbreekt",
    ] {
        assert!(has(&m, needle), "{needle}: {m:#?}");
    }
    let m = messages(&json!({
        "id": Uuid::from_u128(1).to_string(), "name": " ", "status": "active",
        "organization": {"id": "", "name": "Org"},
        "service_at_locations": [{"location": {"id": Uuid::from_u128(2).to_string(), "name": "Huis"}}],
        "schedules": [{"freq": "MONTHLY", "byday": "1MO", "opens_at": "10:00", "closes_at": "11:00"}],
        "phones": "071",
    }));
    for needle in [
        "veld name: ontbreekt of is leeg",
        "veld organization.id: ontbreekt of is leeg",
        "veld service_at_locations[0].location.addresses: geen bezoekadres",
        "veld schedules[0].freq: 'MONTHLY' wordt niet ondersteund",
        "veld phones: moet een lijst zijn",
    ] {
        assert!(has(&m, needle), "{needle}: {m:#?}");
    }
    assert_eq!(
        messages(&json!([1, 2])),
        ["veld (dienst): moet een JSON-object zijn"]
    );
}

#[test]
fn a_location_of_another_organisation_and_a_wrong_organization_id_are_refused() {
    let mut v = service_full(&full_record());
    v["organization_id"] = json!(Uuid::from_u128(5).to_string());
    v["service_at_locations"][0]["location"]["organization_id"] =
        json!(Uuid::from_u128(6).to_string());
    v["service_at_locations"][1]["location"]["id"] =
        v["service_at_locations"][0]["location"]["id"].clone();
    let m = messages(&v);
    assert!(
        has(&m, "veld organization_id: verschilt van organization.id"),
        "{m:#?}"
    );
    assert!(
        has(
            &m,
            "veld service_at_locations[0].location.organization_id: hoort niet bij"
        ),
        "{m:#?}"
    );
    assert!(
        has(
            &m,
            "veld service_at_locations[1].location_id: verschilt van location.id"
        ),
        "{m:#?}"
    );
    assert!(has(&m, "staat er twee keer in"), "{m:#?}");
}

#[test]
fn other_systems_hsds_is_read_leniently_where_it_is_unambiguous() {
    let org = Uuid::from_u128(0xa);
    let v = json!({
        "id": Uuid::from_u128(1).to_string(),
        "name": "Maatjesproject",
        "status": "active",
        "organization": {"id": org.to_string(), "name": "Vrijwilligerscentrale", "description": "",
            "attributes": [{"id": Uuid::from_u128(3).to_string(), "link_type": "other", "value": "x"}]},
        "schedules": [
            {"id": Uuid::from_u128(4).to_string(), "byday": "MO,WE", "opens_at": "09:00:00", "closes_at": "12:30"},
            {"description": "En op afspraak", "attending_type": "Ook online via beeldbellen"},
            {"description": "Niet op feestdagen"}
        ],
        "service_areas": [
            {"name": "Leiden", "description": "Alle wijken van gemeente GM0546."},
            {"name": "Oegstgeest"}
        ],
        "service_at_locations": [
            {"location": {"id": Uuid::from_u128(7).to_string(), "location_type": "virtual"}},
            {"location": {"id": Uuid::from_u128(8).to_string(), "name": "Kantoor",
                "addresses": [
                    {"address_type": "postal", "address_1": "Postbus 1", "postal_code": "2300 AA", "city": "Leiden"},
                    {"address_1": "Breestraat 1", "address_2": "2e etage", "postal_code": "2311ab", "city": "Leiden", "country": "nl"}
                ],
                "accessibility": [{"description": "Wheelchair accessible entrance"}]}}
        ],
        "languages": [{"code": "NL"}],
        "funding": [{"source": "WMO"}],
        "attributes": [{"taxonomy_term": {"id": taxonomy::term_id("vrijwillige-thuishulp").to_string(), "name": "x", "description": "y"}}],
        "extra_field_of_another_system": {"kept": false}
    });
    let s = parsed(&v);
    assert!(s.draft.online);
    assert_eq!(
        s.draft
            .hours
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["ma 09:00-12:30", "wo 09:00-12:30"]
    );
    assert_eq!(
        s.draft.schedule_note.as_deref(),
        Some("En op afspraak\nNiet op feestdagen")
    );
    assert_eq!(
        s.areas[0].cbs_code.as_ref().map(|c| c.as_str()),
        Some("GM0546")
    );
    assert_eq!(s.areas[1].cbs_code, None);
    assert_eq!(s.areas[1].name.as_deref(), Some("Oegstgeest"));
    assert_eq!(s.areas[1].field, "service_areas[1]");
    assert_eq!(s.locations.len(), 1);
    let loc = &s.locations[0].draft;
    assert_eq!(loc.street, "Breestraat 1, 2e etage");
    assert_eq!(loc.organisation_id, org);
    assert!(loc.wheelchair_accessible);
    assert_eq!(s.draft.location_ids, [Uuid::from_u128(8)]);
    assert_eq!(s.draft.languages, ["nl"]);
    assert_eq!(s.draft.funding, [Funding::Wmo]);
    assert_eq!(s.draft.categories, ["vrijwillige-thuishulp"]);
    assert_eq!(s.organisation.kind, None);
    assert_eq!(s.organisation.profile.as_ref().unwrap().description, None);
    assert_eq!(s.reviewed_at, None);
}

#[test]
fn times_with_an_offset_and_negated_accessibility_are_not_guessed() {
    assert!(parse_hsds_time("09:00Z").unwrap_err().contains("tijdzone"));
    assert!(
        parse_hsds_time("09:00-05:00")
            .unwrap_err()
            .contains("tijdzone")
    );
    assert!(parse_hsds_time("09:00:30").is_err());
    assert_eq!(parse_hsds_time("9:00").unwrap().to_string(), "09:00");
    assert!(says_wheelchair("Rolstoeltoegankelijk"));
    assert!(!says_wheelchair("Niet rolstoeltoegankelijk"));
    assert!(!says_wheelchair("Geen rolstoel mogelijk"));
    assert!(!says_wheelchair("Lift aanwezig"));
    assert_eq!(
        find_cbs("Gemeente Leiden (CBS-gemeentecode GM0546)")
            .unwrap()
            .as_str(),
        "GM0546"
    );
    assert_eq!(
        find_cbs("https://identifier.overheid.nl/tooi/id/gemeente/gm0546")
            .unwrap()
            .as_str(),
        "GM0546"
    );
    assert_eq!(find_cbs("GM05467"), None);
    assert_eq!(find_cbs("XGM0546"), None);
    assert!(valid_url("https://a.nl"));
    assert!(!valid_url("https://localhost"));
    assert!(!valid_url("ftp://a.nl"));
    assert!(!valid_url("https://a.nl/met spatie"));
}

// ---------------------------------------------------------------------------------------------
// Against the official schemas
// ---------------------------------------------------------------------------------------------

/// The HSDS 3.0 reference files (not in the repository): `MANTELKRING_REFERENCE_DATA`, else
/// `shared/data` beside the repository, else the workplace's `/work/shared/data`. Fails loudly
/// when they are absent: these tests never skip.
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
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles")
}

fn compiled(name: &str) -> jsonschema::Validator {
    validator(&read_json(
        &hsds_reference().join(format!("compiled/{name}.json")),
    ))
}

/// The `Page` schema of the HSDS API, with `contents` required to be an array.
fn page_validator() -> jsonschema::Validator {
    let openapi = read_json(&hsds_reference().join("openapi.json"));
    let mut schema = openapi["components"]["schemas"]["Page"].clone();
    assert!(
        schema.is_object(),
        "openapi.json has components.schemas.Page"
    );
    schema["properties"]["contents"] = json!({"type": "array"});
    schema["required"] = json!([
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents"
    ]);
    validator(&schema)
}

#[track_caller]
fn assert_valid(v: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_validator_does_check_formats() {
    // A test that cannot fail is not a test: a bad uuid, uri, e-mail and date-time are caught.
    let v = compiled("service_list");
    let mut item = service_list_item(&full_record());
    assert_valid(&v, &item, "the sample");
    for (key, bad) in [
        ("id", "123"),
        ("url", "geen uri"),
        ("email", "geen-adres"),
        ("last_modified", "gisteren"),
    ] {
        let good = item[key].clone();
        item[key] = json!(bad);
        assert!(!v.is_valid(&item), "{key}={bad} should be refused");
        item[key] = good;
    }
}

#[test]
fn full_services_match_the_official_schema() {
    let v = compiled("service");
    for r in [full_record(), bare_record()] {
        assert_valid(&v, &service_full(&r), &r.name);
    }
    // Nested parts are checked too.
    let mut bad = service_full(&full_record());
    bad["service_at_locations"][0]["location"]["addresses"][0]["id"] = json!("x");
    assert!(!v.is_valid(&bad));
    let mut bad = service_full(&full_record());
    bad["service_at_locations"][0]["location"]["addresses"][0]
        .as_object_mut()
        .unwrap()
        .remove("state_province");
    assert!(!v.is_valid(&bad));
}

#[test]
fn list_items_match_the_official_list_schemas() {
    let services = compiled("service_list");
    let sals = compiled("service_at_location_list");
    let orgs = compiled("organization_list");
    for r in [full_record(), bare_record()] {
        assert_valid(&services, &service_list_item(&r), &r.name);
        assert_valid(
            &orgs,
            &organization_list_item(&r.organisation),
            &r.organisation.name,
        );
        for sal in &r.locations {
            assert_valid(
                &sals,
                &service_at_location_list_item(&r, sal),
                &sal.location.name,
            );
        }
    }
}

#[test]
fn full_service_at_locations_and_organizations_match_the_official_schemas() {
    let r = full_record();
    let sal = compiled("service_at_location");
    for s in &r.locations {
        assert_valid(&sal, &service_at_location_full(&r, s), &s.location.name);
    }
    let org = compiled("organization");
    let mut b = bare_record();
    b.organisation = r.organisation.clone();
    assert_valid(
        &org,
        &organization_full(&r.organisation, &[r.clone(), b]),
        "organization",
    );
    let bare = bare_record();
    assert_valid(
        &org,
        &organization_full(&bare.organisation, std::slice::from_ref(&bare)),
        "bare organization",
    );
}

#[test]
fn taxonomy_terms_match_the_term_schema_inside_the_service_schema() {
    let service = read_json(&hsds_reference().join("compiled/service.json"));
    let term_schema =
        service["properties"]["attributes"]["items"]["properties"]["taxonomy_term"].clone();
    assert!(term_schema.is_object());
    let v = validator(&term_schema);
    for t in taxonomy::TERMS {
        assert_valid(&v, &taxonomy_term(t), t.code);
    }
}

#[test]
fn a_page_matches_the_page_schema_and_its_items_the_list_schema() {
    let records = [full_record(), bare_record()];
    let items: Vec<Value> = records.iter().map(service_list_item).collect();
    let p = page(items, 3, 2, 2);
    assert_valid(&page_validator(), &p, "page");
    let list = compiled("service_list");
    for item in p["contents"].as_array().unwrap() {
        assert_valid(&list, item, "page item");
    }
    // The page schema does check types.
    let mut bad = p.clone();
    bad["total_pages"] = json!("2");
    assert!(!page_validator().is_valid(&bad));
}
