//! The simple CSV for the sociale kaart (`mantelkring import hsds-csv`): one row per service,
//! UTF-8, comma-separated, with a header line naming the columns (in any order):
//!
//! ```text
//! id,organization_id,organization_name,name,description,categories,funding,online,email,url,phone,location_name,street,postcode,city,latitude,longitude,hours,areas,languages
//! 0190a5c8-…,0190a5c8-…,Steunpunt Mantelzorg,Koffie-inloop,Elke week koffie.,lotgenotencontact|emotionele-steun,gratis,nee,,https://steunpunt.example/koffie,071 555 0199,Buurthuis De Linde,Lindelaan 4,2311 AB,Leiden,52.158,4.488,di 10:00-12:00|do 19:00-21:00,GM0546|GM0537,nl|en
//! ```
//!
//! - required: `id` and `organization_id` (UUIDs), `organization_name`, `name`; the other
//!   columns may be left out of the file or left empty.
//! - lists are separated by `|`: `categories` (taxonomy codes, see `/hsds/taxonomy_terms`),
//!   `funding` (`wmo`, `wlz`, `zvw`, `gratis`, `eigen-betaling`), `hours` (`ma 09:00-17:00`,
//!   days `ma di wo do vr za zo`), `areas` (CBS municipality codes `GM0546`), `languages`
//!   (ISO 639 codes `nl`).
//! - `online`: `ja`/`nee` (also `true`/`false`, `1`/`0`; empty is `nee`).
//! - one location per row (optional): `location_name`, `street`, `postcode`, `city` all filled,
//!   `latitude`/`longitude` both or neither (decimal degrees with a point; without them the
//!   centre of the PC4 area is used). Rows of one organisation with the same location name,
//!   street and postcode share one location (its id is derived from those).
//! - every service is `active`; the organisation's profile is left as it is.
//!
//! Every problem is reported by line and column; the file is only usable when there are none.

use std::collections::HashMap;

use uuid::Uuid;

use super::draft::{LocationDraft, PhoneDraft, ServiceDraft, WeeklyHours, child_id};
use super::hsds::{
    AreaRef, ImportedLocation, ImportedOrganisation, ImportedService, parse_language_code,
    parse_yes_no, unknown_funding, valid_url,
};
use super::model::{Funding, ServiceStatus};
use super::taxonomy;
use crate::base::CbsCode;
use crate::geo::pc4_csv::Problem;
use crate::geo::{Coordinates, Pc4};
use crate::identity::Email;

/// Every column, in the documented order.
pub const COLUMNS: [&str; 20] = [
    "id",
    "organization_id",
    "organization_name",
    "name",
    "description",
    "categories",
    "funding",
    "online",
    "email",
    "url",
    "phone",
    "location_name",
    "street",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "hours",
    "areas",
    "languages",
];

/// Columns that must be in the header.
pub const REQUIRED: [&str; 4] = ["id", "organization_id", "organization_name", "name"];

fn problem(line: u64, field: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        line,
        field: field.map(str::to_string),
        message: message.into(),
    }
}

fn line_of(record: &csv::ByteRecord) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(0)
}

/// The location id for a row: stable for the same organisation, name, street and postcode.
pub fn location_id(organisation: Uuid, name: &str, street: &str, postcode: &str) -> Uuid {
    child_id(
        organisation,
        "location",
        &format!(
            "{name}\n{street}\n{}",
            postcode.to_uppercase().replace(' ', "")
        ),
    )
}

/// Reads the whole file: every service with the line it is on, or every problem in line order.
pub fn parse(bytes: &[u8]) -> Result<Vec<(u64, ImportedService)>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            return Err(vec![problem(
                1,
                None,
                format!(
                    "het bestand is leeg; verwacht een kopregel zoals {}",
                    COLUMNS.join(",")
                ),
            )]);
        }
        Some(Err(e)) => return Err(vec![csv_problem(&e)]),
        Some(Ok(h)) => h,
    };
    let columns = read_header(&header)?;

    let mut problems = Vec::new();
    let mut services = Vec::new();
    let mut first_line_of: HashMap<Uuid, u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(csv_problem(&e));
                continue;
            }
        };
        let line = line_of(&record);
        match read_row(&record, line, &columns) {
            Ok(service) => {
                if let Some(first) = first_line_of.get(&service.id) {
                    problems.push(problem(
                        line,
                        Some("id"),
                        format!("dienst {} staat ook al op regel {first}", service.id),
                    ));
                    continue;
                }
                first_line_of.insert(service.id, line);
                services.push((line, service));
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if services.is_empty() && problems.is_empty() {
        problems.push(problem(
            2,
            None,
            "het bestand bevat geen diensten, alleen een kopregel",
        ));
    }
    if problems.is_empty() {
        Ok(services)
    } else {
        Err(problems)
    }
}

fn csv_problem(e: &csv::Error) -> Problem {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    problem(line, None, format!("onleesbare CSV: {e}"))
}

/// The column names by position (each one of [`COLUMNS`]).
fn read_header(header: &csv::ByteRecord) -> Result<Vec<&'static str>, Vec<Problem>> {
    let line = line_of(header);
    let names: Vec<String> = header
        .iter()
        .map(|raw| {
            String::from_utf8_lossy(raw)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_lowercase()
        })
        .collect();
    if names.len() == 1 && names[0].contains(';') {
        return Err(vec![problem(
            line,
            None,
            "de kolommen zijn gescheiden door puntkomma's; gebruik komma's",
        )]);
    }
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if columns.contains(c) => problems.push(problem(
                line,
                Some(c),
                format!("kolom {} staat twee keer in de kopregel", i + 1),
            )),
            Some(c) => columns.push(*c),
            None => problems.push(problem(
                line,
                None,
                format!(
                    "onbekende kolom '{name}' (kolom {}); de kolommen zijn {}",
                    i + 1,
                    COLUMNS.join(",")
                ),
            )),
        }
    }
    for required in REQUIRED {
        if !columns.contains(&required) {
            problems.push(problem(
                line,
                Some(required),
                "deze kolom ontbreekt in de kopregel",
            ));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

/// Splits a `|` list, leaving out empty parts.
fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|p| !p.is_empty())
}

fn read_row(
    record: &csv::ByteRecord,
    line: u64,
    columns: &[&'static str],
) -> Result<ImportedService, Vec<Problem>> {
    if record.len() != columns.len() {
        return Err(vec![problem(
            line,
            None,
            format!(
                "de regel heeft {} kolommen, de kopregel {}; staat er een komma in een veld zonder aanhalingstekens?",
                record.len(),
                columns.len()
            ),
        )]);
    }
    let mut problems = Vec::new();
    let mut values: HashMap<&str, String> = HashMap::new();
    for (i, column) in columns.iter().enumerate() {
        match std::str::from_utf8(&record[i]) {
            Ok(s) => {
                values.insert(column, s.trim().to_string());
            }
            Err(_) => problems.push(problem(
                line,
                Some(column),
                "geen geldige UTF-8-tekst; sla het bestand op als CSV in UTF-8",
            )),
        }
    }
    let get = |c: &str| values.get(c).map(String::as_str).unwrap_or("");
    let mut err = |c: &str, m: String| problems.push(problem(line, Some(c), m));

    let mut required = |c: &str| -> Option<String> {
        let v = get(c);
        if v.is_empty() {
            err(c, "is leeg".into());
            None
        } else {
            Some(v.to_string())
        }
    };
    let id_text = required("id");
    let org_text = required("organization_id");
    let org_name = required("organization_name");
    let name = required("name");
    let mut uuid = |c: &str, v: Option<String>| -> Option<Uuid> {
        let v = v?;
        Uuid::parse_str(&v)
            .map_err(|_| err(c, format!("'{v}' is geen geldige UUID")))
            .ok()
    };
    let id = uuid("id", id_text);
    let org = uuid("organization_id", org_text);

    let mut categories = Vec::new();
    for code in list(get("categories")) {
        match taxonomy::by_code(code) {
            Some(t) => categories.push(t.code.to_string()),
            None => err(
                "categories",
                format!("onbekende categorie '{code}' (zie /hsds/taxonomy_terms voor de codes)"),
            ),
        }
    }
    let mut funding = Vec::new();
    for f in list(get("funding")) {
        match Funding::parse(f) {
            Some(f) => funding.push(f),
            None => err("funding", unknown_funding(f)),
        }
    }
    let online = parse_yes_no(get("online")).unwrap_or_else(|| {
        err("online", format!("'{}': verwacht ja of nee", get("online")));
        false
    });
    let email = Some(get("email").to_string()).filter(|e| !e.is_empty());
    if let Some(e) = &email
        && Email::parse(e).is_err()
    {
        err(
            "email",
            format!("'{e}' is geen e-mailadres (zoals naam@voorbeeld.nl)"),
        );
    }
    let url = Some(get("url").to_string()).filter(|u| !u.is_empty());
    if let Some(u) = &url
        && !valid_url(u)
    {
        err(
            "url",
            format!("'{u}' is geen webadres: verwacht https://… of http://…"),
        );
    }
    let phones: Vec<PhoneDraft> = Some(get("phone"))
        .filter(|p| !p.is_empty())
        .map(|p| PhoneDraft {
            number: p.to_string(),
            description: None,
        })
        .into_iter()
        .collect();

    let mut hours = Vec::new();
    for h in list(get("hours")) {
        match WeeklyHours::parse(h) {
            Some(h) => hours.push(h),
            None => err(
                "hours",
                format!(
                    "ongeldige openingstijd '{h}': verwacht dag, begin en eind, zoals ma 09:00-17:00 (dagen ma di wo do vr za zo)"
                ),
            ),
        }
    }
    let mut areas = Vec::new();
    for code in list(get("areas")) {
        match CbsCode::parse(code) {
            Ok(c) => areas.push(AreaRef {
                field: "areas".into(),
                cbs_code: Some(c),
                name: None,
            }),
            Err(e) => err("areas", e.to_string()),
        }
    }
    let mut languages = Vec::new();
    for code in list(get("languages")) {
        match parse_language_code(code) {
            Some(c) => languages.push(c),
            None => err(
                "languages",
                format!("'{code}' is geen ISO 639-taalcode (zoals nl of en)"),
            ),
        }
    }

    let location_fields = [
        "location_name",
        "street",
        "postcode",
        "city",
        "latitude",
        "longitude",
    ];
    let mut location = None;
    if location_fields.iter().any(|c| !get(c).is_empty()) {
        for c in ["location_name", "street", "postcode", "city"] {
            if get(c).is_empty() {
                err(
                    c,
                    "is leeg (een locatie heeft naam, straat, postcode en plaats)".into(),
                );
            }
        }
        if !get("postcode").is_empty()
            && let Err(e) = Pc4::from_postcode(get("postcode"))
        {
            err("postcode", e.to_string());
        }
        let mut degrees = |c: &str| -> Option<f64> {
            let v = get(c);
            if v.is_empty() {
                return None;
            }
            if v.contains(',') {
                err(
                    c,
                    format!("'{v}' heeft een komma; gebruik een punt, zoals 52.158"),
                );
                return None;
            }
            v.parse::<f64>().ok().filter(|f| f.is_finite()).or_else(|| {
                err(c, format!("'{v}' is geen getal"));
                None
            })
        };
        let (la, lo) = (degrees("latitude"), degrees("longitude"));
        let coordinates = match (la, lo) {
            (Some(la), Some(lo)) => match Coordinates::new(la, lo) {
                Ok(c) => Some(c),
                Err(e) => {
                    let c = if Coordinates::check_latitude(la).is_err() {
                        "latitude"
                    } else {
                        "longitude"
                    };
                    err(c, e.to_string());
                    None
                }
            },
            (None, None) => None,
            (Some(_), None) if get("longitude").is_empty() => {
                err("longitude", "is leeg (latitude is er wel)".into());
                None
            }
            (None, Some(_)) if get("latitude").is_empty() => {
                err("latitude", "is leeg (longitude is er wel)".into());
                None
            }
            _ => None,
        };
        if let Some(org) = org {
            location = Some(ImportedLocation {
                id: location_id(org, get("location_name"), get("street"), get("postcode")),
                draft: LocationDraft {
                    organisation_id: org,
                    name: get("location_name").to_string(),
                    description: None,
                    street: get("street").to_string(),
                    postcode: get("postcode").to_string(),
                    city: get("city").to_string(),
                    coordinates,
                    wheelchair_accessible: false,
                },
            });
        }
    }
    let description = get("description").to_string();

    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(id), Some(org), Some(org_name), Some(name)) = (id, org, org_name, name) else {
        return Err(vec![problem(line, None, "onvolledige regel")]);
    };
    let locations: Vec<ImportedLocation> = location.into_iter().collect();
    Ok(ImportedService {
        id,
        organisation: ImportedOrganisation {
            id: org,
            name: org_name,
            kind: None,
            profile: None,
        },
        draft: ServiceDraft {
            organisation_id: org,
            name,
            alternate_name: None,
            description,
            url,
            email,
            status: ServiceStatus::Active,
            application_process: None,
            fees_description: None,
            eligibility_description: None,
            minimum_age: None,
            maximum_age: None,
            online,
            categories,
            funding,
            languages,
            phones,
            hours,
            schedule_note: None,
            location_ids: locations.iter().map(|l| l.id).collect(),
            area_ids: Vec::new(),
        }
        .normalise(),
        locations,
        areas,
        reviewed_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,organization_id,organization_name,name,description,categories,funding,online,email,url,phone,location_name,street,postcode,city,latitude,longitude,hours,areas,languages\n";
    const S1: &str = "0190a5c8-0000-7000-8000-000000000001";
    const S2: &str = "0190a5c8-0000-7000-8000-000000000002";
    const ORG: &str = "0190a5c8-0000-7000-8000-0000000000aa";

    fn messages(text: &str) -> Vec<String> {
        parse(text.as_bytes())
            .expect_err("should be refused")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_file_gives_services_with_their_lines() {
        let text = format!(
            "{HEADER}\
             {S1},{ORG},Steunpunt,Koffie-inloop,\"Koffie, thee en een gesprek.\",lotgenotencontact|emotionele-steun,gratis|wmo,nee,Info@Steunpunt.example,https://steunpunt.example/koffie,071 555 0199,Buurthuis De Linde,Lindelaan 4,2311 AB,Leiden,52.158,4.488,di 10:00-12:00|do 19:00-21:00,GM0546|546,nl|EN\n\
             {S2},{ORG},Steunpunt,Cursus online,,cursus-en-training,,ja,,,,Buurthuis De Linde,Lindelaan 4,2311ab,Leiden,,,,,\n"
        );
        let services = parse(text.as_bytes()).unwrap();
        assert_eq!(services.len(), 2);
        let (line, s) = &services[0];
        assert_eq!(*line, 2);
        assert_eq!(s.id.to_string(), S1);
        assert_eq!(s.organisation.name, "Steunpunt");
        assert_eq!(s.organisation.profile, None);
        assert_eq!(s.draft.description, "Koffie, thee en een gesprek.");
        assert_eq!(
            s.draft.categories,
            ["emotionele-steun", "lotgenotencontact"]
        );
        assert_eq!(s.draft.funding, [Funding::Wmo, Funding::Free]);
        assert_eq!(s.draft.email.as_deref(), Some("Info@Steunpunt.example"));
        assert_eq!(s.draft.phones[0].number, "071 555 0199");
        assert_eq!(s.draft.hours.len(), 2);
        assert_eq!(s.draft.languages, ["en", "nl"]);
        assert_eq!(s.draft.status, ServiceStatus::Active);
        let areas: Vec<_> = s
            .areas
            .iter()
            .map(|a| a.cbs_code.clone().unwrap().to_string())
            .collect();
        assert_eq!(areas, ["GM0546", "GM0546"]);
        let loc = &s.locations[0];
        assert_eq!(
            loc.draft.coordinates,
            Some(Coordinates::new(52.158, 4.488).unwrap())
        );
        assert_eq!(s.draft.location_ids, [loc.id]);
        let (_, s2) = &services[1];
        assert!(s2.draft.online);
        assert_eq!(s2.draft.description, "");
        // Same organisation, name, street and postcode: the same location.
        assert_eq!(s2.locations[0].id, loc.id);
        assert_eq!(s2.locations[0].draft.coordinates, None);
    }

    #[test]
    fn columns_may_be_left_out_and_come_in_any_order() {
        let text = format!(
            "name,id,organization_name,organization_id\nKlussendienst,{S1},Vrijwilligers,{ORG}\n"
        );
        let services = parse(text.as_bytes()).unwrap();
        assert_eq!(services[0].1.draft.name, "Klussendienst");
        assert!(services[0].1.locations.is_empty());
    }

    #[test]
    fn every_problem_is_named_by_line_and_column() {
        let text = format!(
            "{HEADER}\
             niet-uuid,{ORG},,Naam,,onbekend,subsidie,misschien,geen-adres,www.x.nl,,Huis,,0123,Leiden,\"52,1\",,ma 9-17|xx 10:00-11:00,GM12345,Nederlands\n\
             {S1},{ORG},Org,Goed,,,,,,,,,,,,,,,,\n\
             {S1},{ORG},Org,Dubbel,,,,,,,,,,,,,,,,\n\
             {S2},{ORG},Org,Te kort\n"
        );
        let m = messages(&text);
        let expected = [
            "regel 2, veld id: 'niet-uuid' is geen geldige UUID",
            "regel 2, veld organization_name: is leeg",
            "regel 2, veld categories: onbekende categorie 'onbekend'",
            "regel 2, veld funding: onbekende financiering 'subsidie'",
            "regel 2, veld online: 'misschien': verwacht ja of nee",
            "regel 2, veld email: 'geen-adres' is geen e-mailadres",
            "regel 2, veld url: 'www.x.nl' is geen webadres",
            "regel 2, veld hours: ongeldige openingstijd 'ma 9-17'",
            "regel 2, veld hours: ongeldige openingstijd 'xx 10:00-11:00'",
            "regel 2, veld areas: ongeldige CBS-gemeentecode 'GM12345'",
            "regel 2, veld languages: 'Nederlands' is geen ISO 639-taalcode",
            "regel 2, veld street: is leeg",
            "regel 2, veld postcode: ongeldige postcode '0123'",
            "regel 2, veld latitude: '52,1' heeft een komma",
            "regel 4, veld id: dienst 0190a5c8-0000-7000-8000-000000000001 staat ook al op regel 3",
            "regel 5: de regel heeft 4 kolommen, de kopregel 20",
        ];
        for needle in expected {
            assert!(
                m.iter().any(|x| x.starts_with(needle)),
                "'{needle}' not in {m:#?}"
            );
        }
        assert_eq!(m.len(), expected.len(), "{m:#?}");
    }

    #[test]
    fn a_bad_header_stops_at_the_header() {
        let m = messages("id,organisation_id,name\n1,2,3\n");
        assert!(
            m[0].starts_with("regel 1: onbekende kolom 'organisation_id' (kolom 2)"),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x == "regel 1, veld organization_id: deze kolom ontbreekt in de kopregel")
        );
        assert!(
            m.iter().any(
                |x| x == "regel 1, veld organization_name: deze kolom ontbreekt in de kopregel"
            )
        );
        assert!(messages("id;name\n")[0].contains("puntkomma"));
        assert!(messages("")[0].contains("leeg"));
        assert!(messages(HEADER)[0].contains("geen diensten"));
        assert!(
            messages("id,id,organization_id,organization_name,name\n")[0].contains("twee keer")
        );
    }
}
