//! The acceptance criteria, one test each, on small hand-made indexes where the expected
//! answer is obvious; plus the generator.

use std::sync::Arc;

use mantelkring_core::directory::model::{
    Funding, Location, OpeningHours, OrganisationSummary, ServiceArea, ServiceAtLocation,
    ServiceRecord, ServiceStatus, TimeOfDay, Weekday,
};
use mantelkring_core::geo::{Coordinates, Pc4, PostcodeArea};
use uuid::Uuid;

use crate::{Index, Near, Query, SearchResults, Sort, synthetic};

/// Monday 24 March 2025, 10:00 in Amsterdam (09:00 UTC).
const MONDAY_10: i64 = 1_742_806_800_000;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A listed service with only a name; the builder methods add the rest.
fn service(n: u128, name: &str) -> ServiceRecord {
    ServiceRecord {
        id: id(n),
        organisation: OrganisationSummary {
            id: id(1_000_000 + n),
            name: "Organisatie".into(),
            kind: "stichting".into(),
            description: None,
            website: None,
            email: None,
            phone: None,
            updated_at: 0,
        },
        name: name.into(),
        alternate_name: None,
        description: String::new(),
        url: None,
        email: None,
        status: ServiceStatus::Active,
        application_process: None,
        fees_description: None,
        eligibility_description: None,
        minimum_age: None,
        maximum_age: None,
        online: false,
        categories: Vec::new(),
        funding: Vec::new(),
        languages: Vec::new(),
        phones: Vec::new(),
        opening_hours: Vec::new(),
        schedule_note: None,
        locations: Vec::new(),
        areas: Vec::new(),
        last_reviewed_at: 0,
        updated_at: 0,
        change_seq: n as i64,
    }
}

trait Build {
    fn describe(self, text: &str) -> Self;
    fn category(self, code: &str) -> Self;
    fn organisation(self, org: Uuid, name: &str) -> Self;
    fn at(self, latitude: f64, longitude: f64, city: &str) -> Self;
    fn serves(self, municipality: Uuid) -> Self;
    fn paid_by(self, f: Funding) -> Self;
    fn open(self, day: Weekday, opens: &str, closes: &str) -> Self;
}

impl Build for ServiceRecord {
    fn describe(mut self, text: &str) -> Self {
        self.description = text.into();
        self
    }
    fn category(mut self, code: &str) -> Self {
        self.categories.push(code.into());
        self
    }
    fn organisation(mut self, org: Uuid, name: &str) -> Self {
        self.organisation.id = org;
        self.organisation.name = name.into();
        self
    }
    fn at(mut self, latitude: f64, longitude: f64, city: &str) -> Self {
        self.locations.push(ServiceAtLocation {
            id: Uuid::new_v4(),
            location: Location {
                id: Uuid::new_v4(),
                organisation_id: self.organisation.id,
                name: String::new(),
                description: None,
                address_id: Uuid::new_v4(),
                street: "Kerkstraat 1".into(),
                postcode: "2311 AB".into(),
                city: city.into(),
                coordinates: Some(Coordinates::new(latitude, longitude).unwrap()),
                wheelchair_accessible: true,
            },
        });
        self
    }
    fn serves(mut self, municipality: Uuid) -> Self {
        self.areas.push(ServiceArea {
            id: Uuid::new_v4(),
            municipality_id: municipality,
            cbs_code: "GM0546".into(),
            name: "Leiden".into(),
        });
        self
    }
    fn paid_by(mut self, f: Funding) -> Self {
        self.funding.push(f);
        self
    }
    fn open(mut self, weekday: Weekday, opens: &str, closes: &str) -> Self {
        self.opening_hours.push(OpeningHours {
            id: Uuid::new_v4(),
            weekday,
            opens: TimeOfDay::parse(opens).unwrap(),
            closes: TimeOfDay::parse(closes).unwrap(),
        });
        self
    }
}

fn search(index: &Index, query: Query) -> SearchResults {
    index.search(&query, MONDAY_10)
}

/// Names of the hits, in order.
fn names(results: &SearchResults) -> Vec<&str> {
    results
        .hits
        .iter()
        .map(|h| h.record.name.as_str())
        .collect()
}

fn find(index: &Index, text: &str) -> Vec<String> {
    names(&search(index, Query::text(text)))
        .into_iter()
        .map(String::from)
        .collect()
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Index>();
    shared::<SearchResults>();
}

// ---- text ----

#[test]
fn singular_finds_plural_through_the_dutch_stemmer() {
    let index = Index::build(vec![
        service(1, "Hulpdienst").describe("Wij doen de boodschappen voor u."),
        service(2, "Klusjesdienst").describe("Kleine klussen in en om het huis."),
    ]);
    assert_eq!(find(&index, "boodschap"), ["Hulpdienst"]);
    assert_eq!(find(&index, "klus"), ["Klusjesdienst"]);
    assert_eq!(find(&index, "Boodschappen"), ["Hulpdienst"]);
}

#[test]
fn accents_and_case_are_ignored() {
    let index = Index::build(vec![
        service(1, "Financiële regelingen Leiden"),
        service(2, "Alzheimer Café Oegstgeest"),
        service(3, "Naaicafe"),
    ]);
    assert_eq!(find(&index, "financiele"), ["Financiële regelingen Leiden"]);
    assert_eq!(find(&index, "FINANCIËLE"), ["Financiële regelingen Leiden"]);
    assert_eq!(find(&index, "cafe"), ["Alzheimer Café Oegstgeest"]);
    assert_eq!(
        find(&index, "alzheimer CAFÉ"),
        ["Alzheimer Café Oegstgeest"]
    );
}

#[test]
fn typing_errors_are_forgiven_by_word_length() {
    let index = Index::build(vec![
        service(1, "Steunpunt Mantelzorg"),
        service(2, "Vrijwilliger gezocht"),
        service(3, "Zorg thuis"),
    ]);
    // 9 letters, one edit (a letter left out), and a swap counts as one.
    assert_eq!(find(&index, "mantelzrg"), ["Steunpunt Mantelzorg"]);
    assert_eq!(find(&index, "mantelzrog"), ["Steunpunt Mantelzorg"]);
    // 10 letters: two edits allowed.
    assert_eq!(find(&index, "vrijwilier"), ["Vrijwilliger gezocht"]);
    // 8 letters: one edit only, two is too far.
    assert!(find(&index, "mntelzrg").is_empty());
    // Shorter than 5: no typos at all ("zorh" is not "zorg").
    assert!(find(&index, "zorh").is_empty());
    assert_eq!(find(&index, "zorg"), ["Zorg thuis"]);
}

#[test]
fn a_misspelled_word_also_finds_the_compounds_of_its_correction() {
    let index = Index::build(vec![
        service(1, "Dag van de Mantelzorg"),
        service(2, "Mantelzorgconsulent Leiden"),
    ]);
    // mantelzrg → mantelzorg (one edit) → mantelzorg + consulent.
    assert_eq!(
        find(&index, "mantelzrg"),
        ["Dag van de Mantelzorg", "Mantelzorgconsulent Leiden"]
    );
}

#[test]
fn exact_matches_rank_above_fuzzy_ones() {
    let index = Index::build(vec![
        service(1, "Dagcentra in de regio"),
        service(2, "Dagcentrum De Linde"),
    ]);
    // "dagcentra" is two edits from "dagcentrum" (10 letters): found, but after the exact one.
    assert_eq!(
        find(&index, "dagcentrum"),
        ["Dagcentrum De Linde", "Dagcentra in de regio"]
    );
    let results = search(&index, Query::text("dagcentrum"));
    assert!(results.hits[0].score > results.hits[1].score);
    // One edit (8 letters): the English word is found, after the Dutch one.
    let index = Index::build(vec![
        service(1, "Dementia support group"),
        service(2, "Dementie groep"),
    ]);
    assert_eq!(
        find(&index, "dementie"),
        ["Dementie groep", "Dementia support group"]
    );
    // Fewer typos first, whatever the field: the right word in a description beats a
    // misspelling in a name (as in Typesense and Meilisearch).
    let index = Index::build(vec![
        service(1, "Dementia support group"),
        service(2, "Ontmoetingsgroep").describe("Voor mensen met dementie."),
    ]);
    assert_eq!(
        find(&index, "dementie"),
        ["Ontmoetingsgroep", "Dementia support group"]
    );
}

#[test]
fn a_compound_is_found_by_its_part_and_ranks_below_the_word_itself() {
    let index = Index::build(vec![
        service(1, "Logeeropvang De Boei"),
        service(2, "Opvang in de wijk"),
        service(3, "Dagcentrum Zuid"),
    ]);
    // A document with "logeeropvang" is found by "opvang", below the one that says "opvang".
    assert_eq!(
        find(&index, "opvang"),
        ["Opvang in de wijk", "Logeeropvang De Boei"]
    );
    // The query "logeeropvang" also finds documents about "opvang", with a lower score.
    assert_eq!(
        find(&index, "logeeropvang"),
        ["Logeeropvang De Boei", "Opvang in de wijk"]
    );
}

#[test]
fn compound_parts_are_judged_against_the_vocabulary_of_the_moment() {
    // "opvang" occurs in no document by itself: the query word is the tail, and "logeer" is
    // known (the taxonomy has "logeren"), so the split holds.
    let mut index = Index::build(vec![service(1, "Logeeropvang De Boei")]);
    assert_eq!(find(&index, "opvang"), ["Logeeropvang De Boei"]);
    // "logeer" as the head needs "opvang" known as a word: not yet.
    assert!(find(&index, "logeer").is_empty());

    // "dag" is no known word, so "dagopvang" is not split...
    index.apply(vec![service(2, "Dagopvang Noord")]);
    assert_eq!(find(&index, "opvang"), ["Logeeropvang De Boei"]);
    // ...until a later service brings the word: the earlier document is found without
    // being indexed again.
    index.apply(vec![service(3, "Dag van de mantelzorg")]);
    let mut both = find(&index, "opvang");
    both.sort();
    assert_eq!(both, ["Dagopvang Noord", "Logeeropvang De Boei"]);
    index.apply(vec![service(4, "Opvang")]);
    assert_eq!(find(&index, "logeer"), ["Logeeropvang De Boei"]);
}

#[test]
fn two_query_words_that_form_an_indexed_word_match_it() {
    let index = Index::build(vec![
        service(1, "Dagbesteding De Linde"),
        service(2, "Besteding van het persoonsgebonden budget"),
    ]);
    // "dag" alone is nowhere; together with "besteding" it is the indexed "dagbesteding".
    let results = search(&index, Query::text("dag besteding"));
    assert!(!results.relaxed);
    assert_eq!(names(&results), ["Dagbesteding De Linde"]);
    assert_eq!(find(&index, "dagbesteding"), ["Dagbesteding De Linde"]);
}

#[test]
fn compound_splits_need_two_known_parts_of_three_letters() {
    let index = Index::build(vec![
        service(1, "Ontmoetingscentrum Noord"),
        service(2, "Centrum voor ontmoeting"),
        service(3, "Opvang"),
    ]);
    // A linking "s": ontmoeting + s + centrum.
    assert_eq!(
        find(&index, "centrum"),
        ["Centrum voor ontmoeting", "Ontmoetingscentrum Noord"]
    );
    // "kinder" is known (the taxonomy has "kinderen"), so "kinderopvang" finds the opvang...
    assert_eq!(find(&index, "kinderopvang"), ["Opvang"]);
    // ...but "nacht" is no known word: no split, nothing found.
    assert!(find(&index, "nachtopvang").is_empty());
}

#[test]
fn category_synonyms_and_labels_find_services_in_the_category_and_below() {
    let index = Index::build(vec![
        service(1, "Thuiszorg Zuid").category("respijtzorg-thuis"),
        service(2, "De Boei").category("logeeropvang"),
        service(3, "Koffie en praten").category("lotgenotencontact"),
        service(4, "Boodschappendienst").category("boodschappen"),
    ]);
    assert_eq!(find(&index, "oppas"), ["Thuiszorg Zuid"]);
    // "respijt" is a synonym of the parent respijtzorg: both children are found.
    let mut respite = find(&index, "respijt");
    respite.sort();
    assert_eq!(respite, ["De Boei", "Thuiszorg Zuid"]);
    assert_eq!(find(&index, "lotgenoten"), ["Koffie en praten"]);
    assert_eq!(find(&index, "lotgenoot"), ["Koffie en praten"]);
    // English labels too.
    assert_eq!(find(&index, "peer support"), ["Koffie en praten"]);
    assert_eq!(find(&index, "short-stay care"), ["De Boei"]);
}

#[test]
fn dutch_stop_words_in_the_query_are_ignored() {
    let index = Index::build(vec![
        service(1, "Boodschappendienst")
            .category("boodschappen")
            .describe("Vrijwilligers doen boodschappen voor wie dat zelf niet kan."),
        service(2, "Klusjesdienst").category("klussen"),
    ]);
    let results = search(&index, Query::text("hulp bij de boodschappen"));
    assert!(!results.relaxed, "every meaningful word matched");
    assert_eq!(names(&results), ["Boodschappendienst"]);
    // Only stop words: no text at all, so every service (filter only).
    assert_eq!(search(&index, Query::text("de het een")).total, 2);
}

#[test]
fn field_weights_order_name_category_organisation_description_city() {
    let other = id(77);
    let index = Index::build(vec![
        service(1, "E").at(52.1, 4.5, "Maatje"),
        service(2, "D").describe("Zoek een maatje."),
        service(3, "C").organisation(other, "Stichting Maatje"),
        service(4, "B").category("vrijwillige-thuishulp"),
        service(5, "A Maatje"),
    ]);
    assert_eq!(find(&index, "maatje"), ["A Maatje", "B", "C", "D", "E"]);
}

#[test]
fn all_words_must_match_else_any_word_with_relaxed() {
    let mut index = Index::build(vec![
        service(1, "Casemanager dementie"),
        service(2, "Vervoersdienst").describe("Wij rijden u naar het ziekenhuis."),
    ]);
    let results = search(&index, Query::text("dementie rijden"));
    assert!(results.relaxed);
    assert_eq!(results.total, 2);
    index.apply(vec![
        service(3, "Vervoer bij dementie").describe("Rijden met begeleiding."),
    ]);
    let results = search(&index, Query::text("dementie rijden"));
    assert!(!results.relaxed);
    assert_eq!(names(&results), ["Vervoer bij dementie"]);
    // One word that matches nothing: nothing, and no fallback to claim.
    let results = search(&index, Query::text("xylofoon"));
    assert_eq!((results.total, results.relaxed), (0, false));
    // Relaxed: a service with more of the words ranks first.
    let index = Index::build(vec![
        service(1, "Dementie"),
        service(2, "Dementie vervoer"),
        service(3, "Vervoer"),
    ]);
    let results = search(&index, Query::text("dementie vervoer klussen"));
    assert!(results.relaxed);
    assert_eq!(names(&results)[0], "Dementie vervoer");
}

// ---- filters ----

const LEIDEN: (f64, f64) = (52.1601, 4.4970);
const OEGSTGEEST: (f64, f64) = (52.1804, 4.4678); // about 3 km from Leiden
const DEN_HAAG: (f64, f64) = (52.0705, 4.3007); // about 16 km
const UTRECHT: (f64, f64) = (52.0907, 5.1214); // about 43 km

fn near_leiden(municipality: Option<Uuid>) -> Option<Near> {
    Some(Near {
        point: Coordinates::new(LEIDEN.0, LEIDEN.1).unwrap(),
        municipality_id: municipality,
    })
}

#[test]
fn categories_filter_any_of_with_descendants() {
    let index = Index::build(vec![
        service(1, "Logeerhuis").category("logeeropvang"),
        service(2, "Boodschappen").category("boodschappen"),
        service(3, "Cursus").category("cursus-en-training"),
    ]);
    let q = |codes: &[&str]| Query {
        categories: codes.iter().map(|c| c.to_string()).collect(),
        ..Query::default()
    };
    assert_eq!(names(&search(&index, q(&["respijtzorg"]))), ["Logeerhuis"]);
    assert_eq!(
        names(&search(&index, q(&["respijtzorg", "praktische-hulp"]))),
        ["Boodschappen", "Logeerhuis"]
    );
    assert_eq!(search(&index, q(&["bestaat-niet"])).total, 0);
    assert_eq!(search(&index, q(&[])).total, 3);
}

#[test]
fn municipality_is_served_through_the_areas() {
    let (leiden, katwijk) = (id(500), id(501));
    let index = Index::build(vec![
        service(1, "In Leiden").serves(leiden),
        service(2, "In beide").serves(katwijk).serves(leiden),
        service(3, "In Katwijk").serves(katwijk),
        service(4, "Nergens").at(LEIDEN.0, LEIDEN.1, "Leiden"),
    ]);
    let q = Query {
        municipality: Some(leiden),
        ..Query::default()
    };
    assert_eq!(names(&search(&index, q.clone())), ["In beide", "In Leiden"]);
    let with_text = Query {
        text: "beide".into(),
        ..q
    };
    assert_eq!(names(&search(&index, with_text)), ["In beide"]);
}

#[test]
fn within_km_keeps_near_locations_and_services_for_the_municipality() {
    let leiden = id(500);
    let index = Index::build(vec![
        service(1, "Oegstgeest").at(OEGSTGEEST.0, OEGSTGEEST.1, "Oegstgeest"),
        service(2, "Den Haag").at(DEN_HAAG.0, DEN_HAAG.1, "Den Haag"),
        service(3, "Thuishulp Leiden").serves(leiden),
        service(4, "Utrecht en Leiden")
            .at(UTRECHT.0, UTRECHT.1, "Utrecht")
            .at(OEGSTGEEST.0 + 0.01, OEGSTGEEST.1, "Oegstgeest"),
        service(5, "Online").serves(id(999)),
    ]);
    let q = |km: f64, municipality: Option<Uuid>| Query {
        near: near_leiden(municipality),
        within_km: Some(km),
        sort: Sort::Distance,
        ..Query::default()
    };
    let results = search(&index, q(10.0, Some(leiden)));
    assert_eq!(
        names(&results),
        ["Oegstgeest", "Utrecht en Leiden", "Thuishulp Leiden"]
    );
    let d = results.hits[0].distance_km.unwrap();
    assert!((2.0..4.0).contains(&d), "{d}");
    // The nearest location counts, not the first.
    assert!(results.hits[1].distance_km.unwrap() < 10.0);
    // Served only through the area: no distance, and after the located ones.
    assert_eq!(results.hits[2].distance_km, None);
    // Without the municipality only locations count.
    assert_eq!(
        names(&search(&index, q(10.0, None))),
        ["Oegstgeest", "Utrecht en Leiden"]
    );
    assert_eq!(search(&index, q(20.0, None)).total, 3);
    // A radius too large for the grid: every document is checked instead, same rules.
    assert_eq!(search(&index, q(5_000.0, None)).total, 3);
    assert_eq!(search(&index, q(5_000.0, Some(leiden))).total, 4);
    // The same with text: the text path applies the same filter.
    let results = search(
        &index,
        Query {
            text: "leiden".into(),
            ..q(10.0, Some(leiden))
        },
    );
    assert_eq!(names(&results), ["Utrecht en Leiden", "Thuishulp Leiden"]);
    // within_km without near is ignored.
    let results = search(
        &index,
        Query {
            within_km: Some(1.0),
            ..Query::default()
        },
    );
    assert_eq!(results.total, 5);
}

#[test]
fn distance_sort_orders_by_nearest_location_then_relevance() {
    let index = Index::build(vec![
        service(1, "Ver weg").at(UTRECHT.0, UTRECHT.1, "Utrecht"),
        service(2, "Dichtbij").at(OEGSTGEEST.0, OEGSTGEEST.1, "Oegstgeest"),
        service(3, "Zonder plek"),
        service(4, "Middel").at(DEN_HAAG.0, DEN_HAAG.1, "Den Haag"),
    ]);
    let results = search(
        &index,
        Query {
            near: near_leiden(None),
            sort: Sort::Distance,
            ..Query::default()
        },
    );
    assert_eq!(
        names(&results),
        ["Dichtbij", "Middel", "Ver weg", "Zonder plek"]
    );
    let d: Vec<_> = results.hits.iter().map(|h| h.distance_km).collect();
    assert!(d[0] < d[1] && d[1] < d[2] && d[3].is_none());
    // Sorted by relevance (here: by name) the distances are still given.
    let results = search(
        &index,
        Query {
            near: near_leiden(None),
            ..Query::default()
        },
    );
    assert_eq!(names(&results)[0], "Dichtbij");
    assert!(results.hits[0].distance_km.is_some());
    assert!(results.hits.iter().any(|h| h.distance_km.is_none()));
}

#[test]
fn funding_online_organisation_and_modified_after() {
    let org = id(900);
    let mut online = service(3, "Online cursus").paid_by(Funding::Free);
    online.online = true;
    online.updated_at = 2_000;
    let index = Index::build(vec![
        service(1, "Via de gemeente")
            .paid_by(Funding::Wmo)
            .organisation(org, "Welzijn"),
        service(2, "Via de verzekeraar").paid_by(Funding::Zvw),
        online,
    ]);
    let results = search(
        &index,
        Query {
            funding: vec![Funding::Wmo, Funding::Free],
            ..Query::default()
        },
    );
    assert_eq!(names(&results), ["Online cursus", "Via de gemeente"]);
    let only = |q: Query| names(&search(&index, q)).join(",");
    assert_eq!(
        only(Query {
            online: true,
            ..Query::default()
        }),
        "Online cursus"
    );
    assert_eq!(
        only(Query {
            organisation: Some(org),
            ..Query::default()
        }),
        "Via de gemeente"
    );
    assert_eq!(
        only(Query {
            modified_after: Some(1_000),
            ..Query::default()
        }),
        "Online cursus"
    );
    assert_eq!(
        only(Query {
            modified_after: Some(2_000),
            ..Query::default()
        }),
        ""
    );
}

#[test]
fn open_now_uses_amsterdam_time_and_no_hours_is_closed() {
    let index = Index::build(vec![
        service(1, "Ochtend").open(Weekday::Monday, "09:00", "12:00"),
        service(2, "Middag").open(Weekday::Monday, "13:00", "17:00"),
        service(3, "Geen tijden"),
    ]);
    let q = Query {
        open_now: true,
        ..Query::default()
    };
    // 09:00 UTC is 10:00 in Amsterdam in March before the switch: the morning is open.
    assert_eq!(names(&index.search(&q, MONDAY_10)), ["Ochtend"]);
    // 12:30 UTC is 13:30: the afternoon.
    let half_past_one = MONDAY_10 + 3 * 3_600_000 + 30 * 60_000;
    assert_eq!(names(&index.search(&q, half_past_one)), ["Middag"]);
    // A week later it is summer time: 09:00 UTC is 11:00, still the morning; 10:30 UTC is 12:30.
    let week = 7 * 86_400_000;
    assert_eq!(names(&index.search(&q, MONDAY_10 + week)), ["Ochtend"]);
    assert!(
        names(&index.search(&q, MONDAY_10 + week + 90 * 60_000)).is_empty(),
        "12:30 in summer time: closed"
    );
}

// ---- order and pages ----

#[test]
fn ties_go_by_name_ignoring_case_and_accents() {
    let index = Index::build(vec![
        service(1, "beta"),
        service(2, "Alfa"),
        service(3, "Ébène"),
        service(4, "delta"),
    ]);
    assert_eq!(
        names(&search(&index, Query::default())),
        ["Alfa", "beta", "delta", "Ébène"]
    );
}

#[test]
fn ties_go_by_name_also_between_ranked_and_newly_added_services() {
    // 100 services get name ranks at build; the ones applied later are compared by name.
    let mut index = Index::build(
        (1..=100)
            .map(|n| service(n, &format!("Dienst {n:03}")))
            .collect(),
    );
    index.apply(vec![
        service(500, "Dienst 050a"),
        service(501, "Dienst 000"),
        service(502, "dienst 999"),
    ]);
    let mut expected: Vec<String> = (1..=100).map(|n| format!("Dienst {n:03}")).collect();
    expected.extend(["Dienst 050a", "Dienst 000", "dienst 999"].map(String::from));
    expected.sort_by_key(|n| n.to_lowercase());
    let page = |page, per_page| {
        search(
            &index,
            Query {
                page,
                per_page,
                ..Query::default()
            },
        )
    };
    let mut got: Vec<String> = Vec::new();
    for p in 1..=2 {
        got.extend(names(&page(p, 100)).into_iter().map(String::from));
    }
    assert_eq!(got, expected);
    // All matches in one pass are the pages put together.
    let all = index.search_all(&Query::default(), MONDAY_10);
    assert_eq!(all.total, expected.len());
    assert_eq!(names(&all), expected);
    // A renamed service moves to its new place.
    index.apply(vec![service(1, "Zorgdienst")]);
    let last = search(
        &index,
        Query {
            per_page: 1,
            page: 103,
            ..Query::default()
        },
    );
    assert_eq!(names(&last), ["Zorgdienst"]);
}

#[test]
fn pages_continue_without_overlap_and_total_counts_all() {
    let records = (1..=25)
        .map(|n| service(n, &format!("Steunpunt {n:02}")).describe("mantelzorg"))
        .collect();
    let index = Index::build(records);
    for text in ["", "mantelzorg"] {
        let page = |page, per_page| {
            search(
                &index,
                Query {
                    text: text.into(),
                    page,
                    per_page,
                    ..Query::default()
                },
            )
        };
        let mut seen = Vec::new();
        for p in 1..=3 {
            let results = page(p, 10);
            assert_eq!(results.total, 25);
            seen.extend(names(&results).into_iter().map(String::from));
        }
        let expected: Vec<String> = (1..=25).map(|n| format!("Steunpunt {n:02}")).collect();
        assert_eq!(seen, expected, "{text:?}: in order, each once");
        assert!(page(4, 10).hits.is_empty());
        assert_eq!(page(4, 10).total, 25);
        // Page 0 is page 1; per_page is clamped to 1..=100.
        assert_eq!(names(&page(0, 10)), names(&page(1, 10)));
        assert_eq!(page(1, 0).hits.len(), 1);
        assert_eq!(page(1, 1_000).hits.len(), 25);
    }
    let many: Vec<_> = (1..=150).map(|n| service(n, "Zelfde")).collect();
    let index = Index::build(many);
    let results = search(
        &index,
        Query {
            per_page: 1_000,
            ..Query::default()
        },
    );
    assert_eq!((results.total, results.hits.len()), (150, 100));
}

// ---- updates ----

#[test]
fn apply_upserts_removes_unlisted_and_tracks_the_watermark() {
    let mut index = Index::build(vec![service(1, "Alzheimer Café"), service(2, "Maatje")]);
    assert_eq!((index.len(), index.watermark()), (2, 2));
    assert!(index.get(id(1)).is_some());

    // A new version replaces the old one: the old words no longer find it.
    let mut renamed = service(1, "Ontmoetingsgroep");
    renamed.change_seq = 10;
    index.apply(vec![renamed]);
    assert_eq!((index.len(), index.watermark()), (2, 10));
    assert!(find(&index, "alzheimer").is_empty());
    assert_eq!(find(&index, "ontmoetingsgroep"), ["Ontmoetingsgroep"]);
    assert_eq!(index.get(id(1)).unwrap().name, "Ontmoetingsgroep");

    // Not listed any more: gone, but its change still moves the watermark.
    let mut closed = service(2, "Maatje");
    closed.status = ServiceStatus::Defunct;
    closed.change_seq = 11;
    index.apply(vec![closed]);
    assert_eq!((index.len(), index.watermark()), (1, 11));
    assert!(find(&index, "maatje").is_empty());
    assert!(index.get(id(2)).is_none());

    // Temporarily closed services stay listed.
    let mut paused = service(3, "Logeerhuis");
    paused.status = ServiceStatus::TemporarilyClosed;
    index.apply(vec![paused]);
    assert_eq!(find(&index, "logeerhuis"), ["Logeerhuis"]);

    // In one batch the last version wins.
    index.apply(vec![service(4, "Eerste"), service(4, "Tweede")]);
    assert_eq!(index.get(id(4)).unwrap().name, "Tweede");
    assert!(find(&index, "eerste").is_empty());

    index.remove(id(1));
    index.remove(id(12_345)); // unknown: nothing happens
    assert!(find(&index, "ontmoetingsgroep").is_empty());
    assert_eq!(index.len(), 2);
    assert_eq!(index.watermark(), 11);
    assert!(!index.is_empty());
}

#[test]
fn many_updates_compact_the_index_and_keep_answers() {
    let leiden = id(500);
    let place = |r: ServiceRecord| {
        r.at(OEGSTGEEST.0, OEGSTGEEST.1, "Oegstgeest")
            .serves(leiden)
    };
    let mut index = Index::build((1..=40).map(|n| place(service(n, "Maatje"))).collect());
    for word in ["appel", "banaan", "citroen", "dadel", "framboos"] {
        // Each round replaces every service: far past the compaction threshold.
        let name = format!("Maatje {word}");
        index.apply((1..=40).map(|n| place(service(n, &name))).collect());
        assert_eq!(index.len(), 40);
    }
    assert!(index.slots() < 80, "compacted: {} slots", index.slots());
    assert_eq!(search(&index, Query::text("maatje")).total, 40);
    assert_eq!(search(&index, Query::text("framboos")).total, 40);
    assert_eq!(search(&index, Query::text("dadel")).total, 0);
    let nearby = Query {
        near: near_leiden(Some(leiden)),
        within_km: Some(5.0),
        ..Query::default()
    };
    assert_eq!(search(&index, nearby).total, 40);
    let served = Query {
        municipality: Some(leiden),
        ..Query::default()
    };
    assert_eq!(search(&index, served).total, 40);
    for n in 1..=40 {
        assert_eq!(index.get(id(n)).unwrap().id, id(n));
    }
}

// ---- the generator ----

fn areas() -> Vec<PostcodeArea> {
    let area = |pc4, place: &str, municipality: &str, lat, lon| PostcodeArea {
        pc4: Pc4::parse(pc4).unwrap(),
        place: place.into(),
        municipality: Some(municipality.into()),
        province: "Zuid-Holland".into(),
        centroid: Coordinates::new(lat, lon).unwrap(),
    };
    vec![
        area("2311", "Leiden", "Leiden", LEIDEN.0, LEIDEN.1),
        area("2312", "Leiden", "Leiden", 52.165, 4.49),
        area(
            "2341",
            "Oegstgeest",
            "Oegstgeest",
            OEGSTGEEST.0,
            OEGSTGEEST.1,
        ),
        area("2511", "Den Haag", "'s-Gravenhage", DEN_HAAG.0, DEN_HAAG.1),
    ]
}

#[test]
fn the_generator_is_deterministic_and_realistic() {
    let areas = areas();
    let a = synthetic::generate(300, &areas, 7);
    let b = synthetic::generate(300, &areas, 7);
    assert_eq!(a, b);
    assert_ne!(a, synthetic::generate(300, &areas, 8));
    assert_eq!(a.len(), 300);
    let orgs: std::collections::HashSet<_> = a.iter().map(|r| r.organisation.id).collect();
    assert!(
        (60..=100).contains(&orgs.len()),
        "{} organisations",
        orgs.len()
    );
    assert!(
        a.iter()
            .all(|r| r.status.is_listed() && !r.categories.is_empty())
    );
    assert!(a.iter().any(|r| r.online) && a.iter().any(|r| !r.opening_hours.is_empty()));
    // Every location lies within a couple of kilometres of one of the areas.
    for r in &a {
        for sal in &r.locations {
            let c = sal.location.coordinates.unwrap();
            let near = areas
                .iter()
                .any(|x| mantelkring_core::geo::distance_km(c, x.centroid) < 2.5);
            assert!(near, "{}", r.name);
        }
        for area in &r.areas {
            assert_eq!(area.municipality_id, synthetic::municipality_id(&area.name));
        }
    }
    // Leiden has two of the four areas, so it gets more services than Oegstgeest.
    let in_place = |p: &str| {
        a.iter()
            .filter(|r| r.locations.iter().any(|l| l.location.city == p))
            .count()
    };
    assert!(in_place("Leiden") > in_place("Oegstgeest"));

    let index = Index::build(a);
    assert_eq!(index.len(), 300);
    assert!(search(&index, Query::text("mantelzorgers")).total > 0);
    let near = Query {
        text: "vrijwilligers".into(),
        near: near_leiden(Some(synthetic::municipality_id("Leiden"))),
        within_km: Some(10.0),
        sort: Sort::Distance,
        ..Query::default()
    };
    let results = search(&index, near);
    assert!(results.total > 0);
    assert!(
        results
            .hits
            .iter()
            .all(|h| h.distance_km.is_none_or(|d| d <= 10.0))
    );
}

#[test]
fn hits_share_the_indexed_record() {
    let index = Index::build(vec![service(1, "Maatje")]);
    let hit = &search(&index, Query::text("maatje")).hits[0];
    assert!(Arc::ptr_eq(&hit.record, &index.get(id(1)).unwrap()));
}

// ---- properties over a synthetic index ----

mod properties {
    use std::sync::OnceLock;

    use mantelkring_core::directory::taxonomy;
    use mantelkring_core::geo::distance_km;
    use proptest::prelude::*;

    use super::*;

    fn index() -> &'static (Index, Vec<PostcodeArea>) {
        static INDEX: OnceLock<(Index, Vec<PostcodeArea>)> = OnceLock::new();
        INDEX.get_or_init(|| {
            let areas = areas();
            (Index::build(synthetic::generate(600, &areas, 3)), areas)
        })
    }

    const WORDS: &[&str] = &[
        "mantelzorg",
        "hulp",
        "dementie",
        "vrijwilligers",
        "leiden",
        "cafe",
        "respijt",
        "oppas",
        "boodschappen",
        "mantelzrg",
        "opvang",
        "dag",
        "besteding",
        "de",
        "zorg",
        "xylofoon",
    ];
    const CODES: &[&str] = &[
        "respijtzorg",
        "praktische-hulp",
        "dementie",
        "doelgroep-ouderen",
    ];

    fn query() -> impl Strategy<Value = Query> {
        (
            proptest::collection::vec(proptest::sample::select(WORDS), 0..3),
            proptest::option::of(proptest::sample::select(CODES)),
            proptest::option::of((0usize..4, 1.0f64..15.0, any::<bool>())),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(words, code, near, free, online, by_distance)| {
                let areas = &index().1;
                let (near, within_km) = match near {
                    Some((i, km, with_area)) => {
                        let a = &areas[i];
                        let m = a.municipality.as_deref().unwrap_or(&a.place);
                        let point = Near {
                            point: a.centroid,
                            municipality_id: with_area.then(|| synthetic::municipality_id(m)),
                        };
                        (Some(point), Some(km))
                    }
                    None => (None, None),
                };
                Query {
                    text: words.join(" "),
                    categories: code.map(String::from).into_iter().collect(),
                    near,
                    within_km,
                    funding: if free {
                        vec![Funding::Free]
                    } else {
                        Vec::new()
                    },
                    online,
                    sort: if by_distance {
                        Sort::Distance
                    } else {
                        Sort::Relevance
                    },
                    ..Query::default()
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Pages of any size concatenate to the same order as one big page; the total does not
        /// depend on the page; every hit passes every filter.
        #[test]
        fn pages_agree_and_hits_pass_the_filters(q in query(), per_page in 1usize..7) {
            let index = &index().0;
            let all = index.search(&Query { per_page: 100, ..q.clone() }, MONDAY_10);
            let mut paged = Vec::new();
            for page in 1..=(30 / per_page).max(1) {
                let r = index.search(&Query { page, per_page, ..q.clone() }, MONDAY_10);
                prop_assert_eq!(r.total, all.total);
                prop_assert_eq!(r.relaxed, all.relaxed);
                paged.extend(r.hits.into_iter().map(|h| h.record.id));
            }
            let expected: Vec<Uuid> =
                all.hits.iter().take(paged.len()).map(|h| h.record.id).collect();
            prop_assert_eq!(paged, expected);

            let codes: Vec<&str> = q
                .categories
                .iter()
                .flat_map(|c| taxonomy::with_descendants(c))
                .map(|t| t.code)
                .collect();
            for hit in &all.hits {
                let r = &hit.record;
                if !codes.is_empty() {
                    prop_assert!(r.categories.iter().any(|c| codes.contains(&c.as_str())));
                }
                if !q.funding.is_empty() {
                    prop_assert!(r.funding.iter().any(|f| q.funding.contains(f)));
                }
                prop_assert!(!q.online || r.online);
                if let (Some(near), Some(km)) = (q.near, q.within_km) {
                    let nearest = r
                        .locations
                        .iter()
                        .filter_map(|l| l.location.coordinates)
                        .map(|c| distance_km(near.point, c))
                        .min_by(f64::total_cmp);
                    match hit.distance_km {
                        Some(d) => {
                            prop_assert!(d <= km);
                            prop_assert_eq!(Some(d), nearest);
                        }
                        None => prop_assert!(
                            near.municipality_id.is_some_and(|m| r.areas.iter().any(|a| a.municipality_id == m))
                                && nearest.is_none_or(|d| d > km)
                        ),
                    }
                }
            }
            if q.sort == Sort::Distance && q.near.is_some() {
                let d: Vec<f64> = all.hits.iter().map(|h| h.distance_km.unwrap_or(f64::INFINITY)).collect();
                prop_assert!(d.windows(2).all(|w| w[0] <= w[1]), "{:?}", d);
            } else {
                let s: Vec<f32> = all.hits.iter().map(|h| h.score).collect();
                prop_assert!(s.windows(2).all(|w| w[0] >= w[1]), "{:?}", s);
            }
        }

        /// Every hit of an all-words search has each word somewhere (as itself, a stem, a typo,
        /// a compound or a category word) — checked the cheap way: one-word searches find it.
        #[test]
        fn an_all_words_hit_is_found_by_each_word_alone(words in proptest::collection::vec(proptest::sample::select(WORDS), 2..3)) {
            let index = &index().0;
            let q = Query { text: words.join(" "), per_page: 100, ..Query::default() };
            let all = index.search(&q, MONDAY_10);
            if all.relaxed || all.hits.is_empty() {
                return Ok(());
            }
            for word in &words {
                let alone = index.search(&Query { text: word.to_string(), per_page: 100, ..Query::default() }, MONDAY_10);
                if alone.total > 100 || text_is_stop(word) {
                    continue; // too many to list, or not a word for the index
                }
                let ids: Vec<Uuid> = alone.hits.iter().map(|h| h.record.id).collect();
                // "dag" + "besteding" may match "dagbesteding" together, not alone.
                let joined = words.windows(2).any(|w| index.search(&Query::text(format!("{}{}", w[0], w[1])), MONDAY_10).total > 0);
                if !joined {
                    for hit in &all.hits {
                        prop_assert!(ids.contains(&hit.record.id), "{} in {:?}", word, words);
                    }
                }
            }
        }
    }

    fn text_is_stop(word: &str) -> bool {
        crate::text::is_stop_word(word)
    }
}
