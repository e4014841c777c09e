//! Our service records as Open Referral HSDS 3.0 JSON, and back (for imports).
//!
//! Writing: [`service_full`] (a fully nested service, as `schema/compiled/service.json`),
//! [`service_list_item`], [`service_at_location_list_item`] / [`service_at_location_full`],
//! [`organization_list_item`] / [`organization_full`], [`taxonomy_term`] and [`page`] (the `Page`
//! of the HSDS API). Reading: [`parse_service`] turns a fully nested service into drafts, with
//! every problem as a field path and a Dutch message.
//!
//! How our fields sit in HSDS (everything else of HSDS is not written, and ignored on import):
//! - opening hours: one `schedules` entry per weekday and period, `freq` `WEEKLY`, `wkst` `MO`,
//!   `byday` `MO`…`SU`, `opens_at`/`closes_at` as local Dutch time `HH:MM` (no offset);
//!   `schedule_note` is a schedule with only a `description`.
//! - categories: `attributes` with a `taxonomy_term` of the vocabulary `mantelkring-aanbod`
//!   (`link_type` `service_type`) or `mantelkring-doelgroep` (`link_type` `audience`).
//! - given online: an attribute `{"link_type": "mantelkring:online", "value": "true"}` on the
//!   service (on import a schedule whose `attending_type` mentions "online", or a location of
//!   `location_type` `virtual`, counts too).
//! - kind of organisation: an attribute `{"link_type": "mantelkring:organisatiesoort", "value":
//!   "welfare"}` on the organization (values as `OrganisationKind::as_str`).
//! - service areas: `name` = the municipality, `uri` = its TOOI identifier
//!   (`https://identifier.overheid.nl/tooi/id/gemeente/gm0546`), the CBS code also in
//!   `description`; no `extent`/`extent_type` (we keep no geometry).
//! - wheelchair access: an `accessibility` entry "Rolstoeltoegankelijk" on the location.
//! - funding: `source` is our code (`wmo`, `wlz`, `zvw`, `gratis`, `eigen-betaling`).
//! - `assured_date`: the day the entry was last checked (UTC), `last_modified`: the last change,
//!   RFC 3339 with milliseconds.
//! - addresses: `country` `NL`, `address_type` `physical`; `state_province` is required by the
//!   schema but we keep no province, so it is written empty.
//! - ids of child entities (phones, schedules, areas, …) are derived from the parent and the
//!   content (`draft::child_id`), so they are stable without being stored; on import only the
//!   ids of services, organizations and locations are kept.

use std::collections::HashSet;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::draft::{
    LocationDraft, OrganisationProfile, PhoneDraft, ServiceDraft, WeeklyHours, child_id,
};
use super::model::{
    Funding, Location, OrganisationSummary, ServiceAtLocation, ServiceRecord, ServiceStatus,
    TimeOfDay, Weekday,
};
use super::taxonomy::{self, Term, Vocabulary};
use crate::base::{CbsCode, OrganisationKind};
use crate::geo::{Coordinates, Pc4};
use crate::identity::Email;
use crate::time;

/// The HSDS version this API and export speak.
pub const HSDS_VERSION: &str = "3.0.0";
/// `link_type` of the attribute saying a service is (also) given online.
pub const ONLINE_LINK_TYPE: &str = "mantelkring:online";
/// `link_type` of the attribute with the kind of organisation.
pub const KIND_LINK_TYPE: &str = "mantelkring:organisatiesoort";
/// Persistent identifiers of Dutch municipalities (TOOI), followed by the lower-case CBS code.
pub const TOOI_MUNICIPALITY: &str = "https://identifier.overheid.nl/tooi/id/gemeente/";

const WHEELCHAIR_DESCRIPTION: &str = "Rolstoeltoegankelijk";
const WHEELCHAIR_DETAILS: &str = "De ingang en de ruimtes zijn toegankelijk met een rolstoel.";

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Inserts `value` unless it is empty.
fn put_text(m: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        m.insert(key.to_string(), Value::String(v.to_string()));
    }
}

fn id(u: Uuid) -> Value {
    Value::String(u.to_string())
}

/// The one-to-one fields of a service (without `organization`).
fn service_fields(r: &ServiceRecord) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), id(r.id));
    m.insert("organization_id".into(), id(r.organisation.id));
    m.insert("name".into(), json!(r.name));
    put_text(&mut m, "alternate_name", r.alternate_name.as_deref());
    m.insert("description".into(), json!(r.description));
    put_text(&mut m, "url", r.url.as_deref());
    put_text(&mut m, "email", r.email.as_deref());
    m.insert("status".into(), json!(r.status.as_str()));
    put_text(
        &mut m,
        "application_process",
        r.application_process.as_deref(),
    );
    put_text(&mut m, "fees_description", r.fees_description.as_deref());
    put_text(
        &mut m,
        "eligibility_description",
        r.eligibility_description.as_deref(),
    );
    if let Some(a) = r.minimum_age {
        m.insert("minimum_age".into(), json!(a));
    }
    if let Some(a) = r.maximum_age {
        m.insert("maximum_age".into(), json!(a));
    }
    m.insert("assured_date".into(), json!(time::date(r.last_reviewed_at)));
    m.insert("last_modified".into(), json!(time::rfc3339(r.updated_at)));
    m
}

/// A service in a list (`service_list.json`): its one-to-one fields and its organization.
pub fn service_list_item(r: &ServiceRecord) -> Value {
    let mut m = service_fields(r);
    m.insert(
        "organization".into(),
        organization_list_item(&r.organisation),
    );
    Value::Object(m)
}

/// The organization as nested in a full service: its fields, its phone and its kind.
fn organization_nested(o: &OrganisationSummary) -> Map<String, Value> {
    let Value::Object(mut m) = organization_list_item(o) else {
        unreachable!("an organization is an object")
    };
    let phones: Vec<Value> = o
        .phone
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            json!({
                "id": child_id(o.id, "phone", p).to_string(),
                "organization_id": o.id.to_string(),
                "number": p,
            })
        })
        .collect();
    m.insert("phones".into(), Value::Array(phones));
    m.insert(
        "attributes".into(),
        json!([{
            "id": child_id(o.id, "attribute", KIND_LINK_TYPE).to_string(),
            "link_id": o.id.to_string(),
            "link_type": KIND_LINK_TYPE,
            "link_entity": "organization",
            "value": o.kind,
        }]),
    );
    m
}

fn address(l: &Location) -> Value {
    json!({
        "id": l.address_id.to_string(),
        "location_id": l.id.to_string(),
        "address_1": l.street,
        "city": l.city,
        "state_province": "",
        "postal_code": l.postcode,
        "country": "NL",
        "address_type": "physical",
    })
}

/// A location's one-to-one fields (`service_at_location_list.json`'s `location`).
fn location_fields(l: &Location) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), id(l.id));
    m.insert("location_type".into(), json!("physical"));
    m.insert("organization_id".into(), id(l.organisation_id));
    m.insert("name".into(), json!(l.name));
    put_text(&mut m, "description", l.description.as_deref());
    if let Some(c) = l.coordinates {
        m.insert("latitude".into(), json!(c.latitude()));
        m.insert("longitude".into(), json!(c.longitude()));
    }
    m
}

/// A fully nested location: with its address and accessibility.
pub fn location_full(l: &Location) -> Value {
    let mut m = location_fields(l);
    m.insert("addresses".into(), json!([address(l)]));
    let accessibility: Vec<Value> = if l.wheelchair_accessible {
        vec![json!({
            "id": child_id(l.id, "accessibility", "wheelchair").to_string(),
            "location_id": l.id.to_string(),
            "description": WHEELCHAIR_DESCRIPTION,
            "details": WHEELCHAIR_DETAILS,
        })]
    } else {
        Vec::new()
    };
    m.insert("accessibility".into(), Value::Array(accessibility));
    Value::Object(m)
}

/// The Dutch name of a language we know, by ISO 639 code.
pub fn language_name(code: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &str)] = &[
        ("nl", "Nederlands"),
        ("fy", "Fries"),
        ("en", "Engels"),
        ("de", "Duits"),
        ("fr", "Frans"),
        ("es", "Spaans"),
        ("pt", "Portugees"),
        ("it", "Italiaans"),
        ("pl", "Pools"),
        ("ro", "Roemeens"),
        ("bg", "Bulgaars"),
        ("uk", "Oekraïens"),
        ("ru", "Russisch"),
        ("tr", "Turks"),
        ("ar", "Arabisch"),
        ("ber", "Berbers"),
        ("zgh", "Tamazight"),
        ("pap", "Papiaments"),
        ("srn", "Sranantongo"),
        ("so", "Somalisch"),
        ("ti", "Tigrinya"),
        ("fa", "Perzisch"),
        ("prs", "Dari"),
        ("ps", "Pasjtoe"),
        ("ku", "Koerdisch"),
        ("zh", "Chinees"),
        ("hi", "Hindi"),
        ("id", "Indonesisch"),
        ("ngt", "Nederlandse Gebarentaal"),
    ];
    NAMES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

fn category_attribute(service: Uuid, term: &Term) -> Value {
    json!({
        "id": child_id(service, "attribute", term.code).to_string(),
        "link_id": service.to_string(),
        "link_type": match term.vocabulary {
            Vocabulary::Offer => "service_type",
            Vocabulary::TargetGroup => "audience",
        },
        "link_entity": "service",
        "taxonomy_term_id": term.id().to_string(),
        "taxonomy_term": taxonomy_term(term),
    })
}

/// A service with everything around it (`service.json`).
pub fn service_full(r: &ServiceRecord) -> Value {
    let sid = r.id.to_string();
    let mut m = service_fields(r);
    m.insert(
        "organization".into(),
        Value::Object(organization_nested(&r.organisation)),
    );
    let phones: Vec<Value> = r
        .phones
        .iter()
        .map(|p| {
            let mut m = Map::new();
            m.insert("id".into(), id(p.id));
            m.insert("service_id".into(), json!(sid));
            m.insert("number".into(), json!(p.number));
            put_text(&mut m, "description", p.description.as_deref());
            Value::Object(m)
        })
        .collect();
    m.insert("phones".into(), Value::Array(phones));
    let mut schedules: Vec<Value> = r
        .opening_hours
        .iter()
        .map(|h| {
            json!({
                "id": h.id.to_string(),
                "service_id": sid,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": h.weekday.ical(),
                "opens_at": h.opens.to_string(),
                "closes_at": h.closes.to_string(),
            })
        })
        .collect();
    if let Some(note) = r.schedule_note.as_deref().filter(|n| !n.is_empty()) {
        schedules.push(json!({
            "id": child_id(r.id, "schedule", "note").to_string(),
            "service_id": sid,
            "description": note,
        }));
    }
    m.insert("schedules".into(), Value::Array(schedules));
    let areas: Vec<Value> = r
        .areas
        .iter()
        .map(|a| {
            json!({
                "id": a.id.to_string(),
                "service_id": sid,
                "name": a.name,
                "description": format!("Gemeente {} (CBS-gemeentecode {})", a.name, a.cbs_code),
                "uri": format!("{TOOI_MUNICIPALITY}{}", a.cbs_code.to_lowercase()),
            })
        })
        .collect();
    m.insert("service_areas".into(), Value::Array(areas));
    let sals: Vec<Value> = r
        .locations
        .iter()
        .map(|sal| {
            json!({
                "id": sal.id.to_string(),
                "service_id": sid,
                "location_id": sal.location.id.to_string(),
                "location": location_full(&sal.location),
            })
        })
        .collect();
    m.insert("service_at_locations".into(), Value::Array(sals));
    let languages: Vec<Value> = r
        .languages
        .iter()
        .map(|l| {
            let mut m = Map::new();
            m.insert("id".into(), id(l.id));
            m.insert("service_id".into(), json!(sid));
            m.insert("code".into(), json!(l.code));
            put_text(&mut m, "name", language_name(&l.code));
            Value::Object(m)
        })
        .collect();
    m.insert("languages".into(), Value::Array(languages));
    let funding: Vec<Value> = r
        .funding
        .iter()
        .map(|f| {
            json!({
                "id": child_id(r.id, "funding", f.as_str()).to_string(),
                "service_id": sid,
                "source": f.as_str(),
            })
        })
        .collect();
    m.insert("funding".into(), Value::Array(funding));
    let mut attributes: Vec<Value> = r
        .categories
        .iter()
        .filter_map(|code| taxonomy::by_code(code))
        .map(|term| category_attribute(r.id, term))
        .collect();
    if r.online {
        attributes.push(json!({
            "id": child_id(r.id, "attribute", ONLINE_LINK_TYPE).to_string(),
            "link_id": sid,
            "link_type": ONLINE_LINK_TYPE,
            "link_entity": "service",
            "value": "true",
        }));
    }
    m.insert("attributes".into(), Value::Array(attributes));
    Value::Object(m)
}

/// One place of a service in a list (`service_at_location_list.json`): the location's and the
/// service's one-to-one fields.
pub fn service_at_location_list_item(r: &ServiceRecord, sal: &ServiceAtLocation) -> Value {
    json!({
        "id": sal.id.to_string(),
        "service_id": r.id.to_string(),
        "location_id": sal.location.id.to_string(),
        "location": Value::Object(location_fields(&sal.location)),
        "service": service_list_item(r),
    })
}

/// One place of a service, fully nested (`service_at_location.json`): the full location and the
/// full service (without its other places).
pub fn service_at_location_full(r: &ServiceRecord, sal: &ServiceAtLocation) -> Value {
    let mut service = service_full(r);
    if let Value::Object(m) = &mut service {
        m.remove("service_at_locations");
    }
    json!({
        "id": sal.id.to_string(),
        "service_id": r.id.to_string(),
        "location_id": sal.location.id.to_string(),
        "location": location_full(&sal.location),
        "service": service,
    })
}

/// An organization in a list (`organization_list.json`). HSDS requires a description: an
/// organisation without one gets an empty text.
pub fn organization_list_item(o: &OrganisationSummary) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), id(o.id));
    m.insert("name".into(), json!(o.name));
    m.insert(
        "description".into(),
        json!(o.description.clone().unwrap_or_default()),
    );
    put_text(&mut m, "email", o.email.as_deref());
    put_text(&mut m, "website", o.website.as_deref());
    Value::Object(m)
}

/// A fully nested organization (`organization.json`): its phone and kind, every location its
/// `services` are given at (once, in the order met), and the services with their one-to-one
/// fields.
pub fn organization_full(o: &OrganisationSummary, services: &[ServiceRecord]) -> Value {
    let mut m = organization_nested(o);
    let mut seen = HashSet::new();
    let locations: Vec<Value> = services
        .iter()
        .flat_map(|s| s.locations.iter())
        .filter(|sal| seen.insert(sal.location.id))
        .map(|sal| location_full(&sal.location))
        .collect();
    m.insert("locations".into(), Value::Array(locations));
    let services: Vec<Value> = services
        .iter()
        .map(|s| Value::Object(service_fields(s)))
        .collect();
    m.insert("services".into(), Value::Array(services));
    Value::Object(m)
}

/// A term of our taxonomy (`taxonomy_term.json`): the Dutch label as `name`, the English label
/// and the search words in `description`.
pub fn taxonomy_term(t: &Term) -> Value {
    let mut description = format!("{} (English: {}).", t.nl, t.en);
    if !t.synonyms.is_empty() {
        description.push_str(&format!(" Zoekwoorden: {}.", t.synonyms.join(", ")));
    }
    let mut m = Map::new();
    m.insert("id".into(), id(t.id()));
    m.insert("code".into(), json!(t.code));
    m.insert("name".into(), json!(t.nl));
    m.insert("description".into(), json!(description));
    if let Some(parent) = t.parent {
        m.insert("parent_id".into(), id(taxonomy::term_id(parent)));
    }
    m.insert("taxonomy".into(), json!(t.vocabulary.name()));
    m.insert("language".into(), json!("nl"));
    Value::Object(m)
}

/// The number of pages for `total_items` at `per_page` (0 for no items).
pub fn total_pages(total_items: u64, per_page: u64) -> u64 {
    if per_page == 0 {
        0
    } else {
        total_items.div_ceil(per_page)
    }
}

/// One page of a list, as the HSDS API's `Page`: `size` is the number of items on this page,
/// `page_number` counts from 1; a page past the end is empty and is the last page.
pub fn page(contents: Vec<Value>, total_items: u64, page_number: u64, per_page: u64) -> Value {
    let total_pages = total_pages(total_items, per_page);
    json!({
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": contents.len(),
        "first_page": page_number <= 1,
        "last_page": page_number >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// One problem in an imported service: where (a JSON path such as
/// `service_at_locations[0].location.addresses[0].postal_code`) and what, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "veld {}: {}", self.field, self.message)
    }
}

/// The organisation of an imported service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedOrganisation {
    pub id: Uuid,
    pub name: String,
    /// From the `mantelkring:organisatiesoort` attribute, if there is one.
    pub kind: Option<OrganisationKind>,
    /// `None` when the source says nothing about the profile (the CSV): leave it as it is.
    pub profile: Option<OrganisationProfile>,
}

/// A location of an imported service, with its own id.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedLocation {
    pub id: Uuid,
    pub draft: LocationDraft,
}

/// A service area as the source names it; the caller finds the municipality (by CBS code,
/// else by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRef {
    /// Where it was in the source, for messages (`service_areas[1]`, `areas`).
    pub field: String,
    pub cbs_code: Option<CbsCode>,
    pub name: Option<String>,
}

/// A service read from HSDS (or our CSV), checked, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedService {
    pub id: Uuid,
    pub organisation: ImportedOrganisation,
    pub locations: Vec<ImportedLocation>,
    /// Everything but `area_ids` (database ids: see `areas`). `location_ids` are those of
    /// `locations`, in order.
    pub draft: ServiceDraft,
    pub areas: Vec<AreaRef>,
    /// From `assured_date`: when the entry was last checked (ms, start of that day in UTC).
    pub reviewed_at: Option<i64>,
}

/// Collects problems while reading one service.
#[derive(Default)]
struct Reader {
    errors: Vec<FieldError>,
}

fn path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// Whether `s` is an absolute http(s) URL without spaces, with a host.
pub fn valid_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && host.contains('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// A time of day as HSDS writes it: `HH:MM` or `HH:MM:SS` (seconds 00), local time without
/// an offset.
pub fn parse_hsds_time(s: &str) -> Result<TimeOfDay, String> {
    let t = s.trim();
    if t.ends_with(['Z', 'z']) || t.get(5..).is_some_and(|r| r.contains(['+', '-'])) {
        return Err(format!(
            "'{s}' heeft een tijdzone; geef de plaatselijke tijd als UU:MM, bijvoorbeeld 09:00"
        ));
    }
    let hm = match t.len() {
        8 if t.ends_with(":00") => &t[..5],
        _ => t,
    };
    TimeOfDay::parse(hm).ok_or_else(|| {
        format!("ongeldige tijd '{s}': verwacht UU:MM tussen 00:00 en 24:00, bijvoorbeeld 09:00")
    })
}

/// An ISO 639 language code: two or three letters, stored lower case.
pub fn parse_language_code(s: &str) -> Option<String> {
    let s = s.trim();
    ((2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| s.to_ascii_lowercase())
}

/// A boolean as people write it: ja/nee, true/false, 1/0 (empty is `false`).
pub fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "ja" | "true" | "1" | "yes" | "j" | "y" => Some(true),
        "nee" | "false" | "0" | "no" | "n" | "" => Some(false),
        _ => None,
    }
}

impl Reader {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// A field's value; `null` counts as absent.
    fn get<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
        m.get(key).filter(|v| !v.is_null())
    }

    /// Optional text, trimmed; empty is `None`.
    fn text(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<String> {
        match Reader::get(m, key) {
            None => None,
            Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Some(_) => {
                self.err(path(at, key), "moet tekst zijn");
                None
            }
        }
    }

    fn required_text(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<String> {
        let present = Reader::get(m, key).is_some();
        let v = self.text(m, at, key);
        if v.is_none() && (!present || matches!(Reader::get(m, key), Some(Value::String(_)))) {
            self.err(path(at, key), "ontbreekt of is leeg");
        }
        v
    }

    fn uuid(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<Uuid> {
        let s = self.text(m, at, key)?;
        match Uuid::parse_str(&s) {
            Ok(u) => Some(u),
            Err(_) => {
                self.err(
                    path(at, key),
                    format!(
                        "'{s}' is geen geldige UUID (zoals 0190a5c8-7d3e-7b1a-9c2d-3e4f5a6b7c8d)"
                    ),
                );
                None
            }
        }
    }

    fn required_uuid(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<Uuid> {
        if Reader::get(m, key).is_none() {
            self.err(path(at, key), "ontbreekt");
            return None;
        }
        let v = self.uuid(m, at, key);
        if v.is_none()
            && matches!(Reader::get(m, key), Some(Value::String(s)) if s.trim().is_empty())
        {
            self.err(path(at, key), "ontbreekt of is leeg");
        }
        v
    }

    /// An array of objects (absent is empty); each with its path.
    fn objects<'a>(
        &mut self,
        m: &'a Map<String, Value>,
        at: &str,
        key: &str,
    ) -> Vec<(String, &'a Map<String, Value>)> {
        match Reader::get(m, key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let here = format!("{}[{i}]", path(at, key));
                    match v {
                        Value::Object(o) => Some((here, o)),
                        _ => {
                            self.err(here, "moet een object zijn");
                            None
                        }
                    }
                })
                .collect(),
            Some(_) => {
                self.err(path(at, key), "moet een lijst zijn");
                Vec::new()
            }
        }
    }

    fn object<'a>(
        &mut self,
        m: &'a Map<String, Value>,
        at: &str,
        key: &str,
    ) -> Option<&'a Map<String, Value>> {
        match Reader::get(m, key) {
            None => None,
            Some(Value::Object(o)) => Some(o),
            Some(_) => {
                self.err(path(at, key), "moet een object zijn");
                None
            }
        }
    }

    fn number(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<f64> {
        match Reader::get(m, key) {
            None => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => {
                self.err(path(at, key), "moet een getal zijn");
                None
            }
        }
    }

    fn age(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<u16> {
        let n = self.number(m, at, key)?;
        if n.fract() != 0.0 || !(0.0..=150.0).contains(&n) {
            self.err(
                path(at, key),
                format!("{n} is geen leeftijd: verwacht een heel getal van 0 tot en met 150"),
            );
            return None;
        }
        Some(n as u16)
    }

    fn url(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<String> {
        let s = self.text(m, at, key)?;
        if valid_url(&s) {
            Some(s)
        } else {
            self.err(
                path(at, key),
                format!("'{s}' is geen webadres: verwacht https://… of http://…"),
            );
            None
        }
    }

    fn email(&mut self, m: &Map<String, Value>, at: &str, key: &str) -> Option<String> {
        let s = self.text(m, at, key)?;
        if Email::parse(&s).is_ok() {
            Some(s)
        } else {
            self.err(
                path(at, key),
                format!("'{s}' is geen e-mailadres (zoals naam@voorbeeld.nl)"),
            );
            None
        }
    }

    /// The `id` of a child entity: optional, but when given it must be a UUID.
    fn check_id(&mut self, m: &Map<String, Value>, at: &str) {
        self.uuid(m, at, "id");
    }
}

fn mentions_online(s: &str) -> bool {
    s.to_lowercase().contains("online")
}

/// Whether an accessibility text says "wheelchair accessible" (and not "not …").
fn says_wheelchair(text: &str) -> bool {
    let t = text.to_lowercase();
    (t.contains("rolstoel") || t.contains("wheelchair"))
        && !["niet", "geen", "not ", "no ", "non-", "in-"]
            .iter()
            .any(|n| t.contains(n))
}

/// A CBS code in free text: `GM` and four digits (any case), or at the end of a TOOI URI.
fn find_cbs(text: &str) -> Option<CbsCode> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let w = &bytes[i..i + 6];
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after_ok = bytes.get(i + 6).is_none_or(|b| !b.is_ascii_alphanumeric());
        (before_ok
            && after_ok
            && w[..2].eq_ignore_ascii_case(b"gm")
            && w[2..].iter().all(u8::is_ascii_digit))
        .then(|| CbsCode::parse(std::str::from_utf8(w).ok()?).ok())
        .flatten()
    })
}

fn read_organisation(rd: &mut Reader, o: &Map<String, Value>) -> Option<ImportedOrganisation> {
    let at = "organization";
    let id = rd.required_uuid(o, at, "id");
    let name = rd.required_text(o, at, "name");
    let description = rd.text(o, at, "description");
    let website = rd.url(o, at, "website");
    let email = rd.email(o, at, "email");
    let mut phone = None;
    for (here, p) in rd.objects(o, at, "phones") {
        rd.check_id(p, &here);
        let number = rd.required_text(p, &here, "number");
        if phone.is_none() {
            phone = number;
        }
    }
    let mut kind = None;
    for (here, a) in rd.objects(o, at, "attributes") {
        rd.check_id(a, &here);
        if rd.text(a, &here, "link_type").as_deref() == Some(KIND_LINK_TYPE) {
            let value = rd.text(a, &here, "value").unwrap_or_default();
            match OrganisationKind::parse(&value) {
                Some(k) => kind = Some(k),
                None => rd.err(
                    path(&here, "value"),
                    format!(
                        "onbekende organisatiesoort '{value}'; kies uit {}",
                        OrganisationKind::ALL
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            }
        }
    }
    Some(ImportedOrganisation {
        id: id?,
        name: name?,
        kind,
        profile: Some(OrganisationProfile {
            description,
            website,
            email,
            phone,
        }),
    })
}

fn read_location(
    rd: &mut Reader,
    loc: &Map<String, Value>,
    at: &str,
    organisation: Option<Uuid>,
) -> Option<ImportedLocation> {
    let id = rd.required_uuid(loc, at, "id");
    if let Some(org) = rd.uuid(loc, at, "organization_id")
        && Some(org) != organisation
        && organisation.is_some()
    {
        rd.err(
            path(at, "organization_id"),
            "hoort niet bij de organisatie van de dienst",
        );
    }
    let name = rd.required_text(loc, at, "name");
    let description = rd.text(loc, at, "description");
    let latitude = rd.number(loc, at, "latitude");
    let longitude = rd.number(loc, at, "longitude");
    let coordinates = match (latitude, longitude) {
        (None, None) => None,
        (Some(la), Some(lo)) => match Coordinates::new(la, lo) {
            Ok(c) => Some(c),
            Err(e) => {
                let key = if Coordinates::check_latitude(la).is_err() {
                    "latitude"
                } else {
                    "longitude"
                };
                rd.err(path(at, key), e.to_string());
                None
            }
        },
        (Some(_), None) => {
            rd.err(path(at, "longitude"), "ontbreekt (latitude is er wel)");
            None
        }
        (None, Some(_)) => {
            rd.err(path(at, "latitude"), "ontbreekt (longitude is er wel)");
            None
        }
    };
    let addresses = rd.objects(loc, at, "addresses");
    let physical = addresses
        .iter()
        .find(|(_, a)| match Reader::get(a, "address_type") {
            None => true,
            Some(t) => t.as_str() == Some("physical"),
        });
    let mut street = None;
    let mut postcode = None;
    let mut city = None;
    match physical {
        None => rd.err(
            path(at, "addresses"),
            "geen bezoekadres (address_type physical)",
        ),
        Some((here, a)) => {
            rd.check_id(a, here);
            street = rd.required_text(a, here, "address_1");
            if let (Some(s), Some(extra)) = (street.as_mut(), rd.text(a, here, "address_2")) {
                s.push_str(", ");
                s.push_str(&extra);
            }
            postcode = rd.required_text(a, here, "postal_code");
            if let Some(p) = &postcode
                && let Err(e) = Pc4::from_postcode(p)
            {
                rd.err(path(here, "postal_code"), e.to_string());
            }
            city = rd.required_text(a, here, "city");
            if let Some(country) = rd.text(a, here, "country")
                && !matches!(country.to_uppercase().as_str(), "NL" | "NLD" | "NEDERLAND")
            {
                rd.err(
                    path(here, "country"),
                    format!("'{country}': alleen adressen in Nederland (NL)"),
                );
            }
        }
    }
    let mut wheelchair = false;
    for (here, a) in rd.objects(loc, at, "accessibility") {
        rd.check_id(a, &here);
        let text = format!(
            "{} {}",
            rd.text(a, &here, "description").unwrap_or_default(),
            rd.text(a, &here, "details").unwrap_or_default()
        );
        wheelchair |= says_wheelchair(&text);
    }
    Some(ImportedLocation {
        id: id?,
        draft: LocationDraft {
            organisation_id: organisation?,
            name: name?,
            description,
            street: street?,
            postcode: postcode?,
            city: city?,
            coordinates,
            wheelchair_accessible: wheelchair,
        },
    })
}

/// Reads a fully nested HSDS 3.0 service. Every problem is returned (not only the first), each
/// with its field path. Unknown taxonomy terms, bad UUIDs, times and funding sources are
/// problems; HSDS fields we do not keep are ignored.
pub fn parse_service(value: &Value) -> Result<ImportedService, Vec<FieldError>> {
    let mut rd = Reader::default();
    let Value::Object(s) = value else {
        return Err(vec![FieldError {
            field: "(dienst)".into(),
            message: "moet een JSON-object zijn".into(),
        }]);
    };
    let id = rd.required_uuid(s, "", "id");
    let name = rd.required_text(s, "", "name");
    let alternate_name = rd.text(s, "", "alternate_name");
    let description = rd.text(s, "", "description").unwrap_or_default();
    let url = rd.url(s, "", "url");
    let email = rd.email(s, "", "email");
    let status = match rd.text(s, "", "status") {
        None => {
            rd.err("status", "ontbreekt");
            None
        }
        Some(st) => {
            let parsed = ServiceStatus::parse(&st);
            if parsed.is_none() {
                rd.err(
                    "status",
                    format!(
                        "onbekende status '{st}'; kies uit {}",
                        ServiceStatus::ALL
                            .iter()
                            .map(|x| x.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            parsed
        }
    };
    let application_process = rd.text(s, "", "application_process");
    let fees_description = rd.text(s, "", "fees_description");
    let eligibility_description = rd.text(s, "", "eligibility_description");
    let minimum_age = rd.age(s, "", "minimum_age");
    let maximum_age = rd.age(s, "", "maximum_age");
    if let (Some(min), Some(max)) = (minimum_age, maximum_age)
        && min > max
    {
        rd.err(
            "maximum_age",
            format!("{max} is lager dan de minimumleeftijd {min}"),
        );
    }
    let reviewed_at = rd.text(s, "", "assured_date").and_then(|d| {
        let t = time::parse_rfc3339(&d);
        if t.is_none() {
            rd.err(
                "assured_date",
                format!("ongeldige datum '{d}': verwacht JJJJ-MM-DD, bijvoorbeeld 2024-05-01"),
            );
        }
        t
    });

    let organisation = match rd.object(s, "", "organization") {
        Some(o) => read_organisation(&mut rd, o),
        None => {
            rd.err("organization", "ontbreekt");
            None
        }
    };
    let org_id = organisation.as_ref().map(|o| o.id);
    if let Some(given) = rd.uuid(s, "", "organization_id")
        && org_id.is_some_and(|o| o != given)
    {
        rd.err("organization_id", "verschilt van organization.id");
    }

    let mut phones = Vec::new();
    for (here, p) in rd.objects(s, "", "phones") {
        rd.check_id(p, &here);
        let number = rd.required_text(p, &here, "number");
        let description = rd.text(p, &here, "description");
        if let Some(number) = number {
            phones.push(PhoneDraft {
                number,
                description,
            });
        }
    }

    let mut online = false;
    let mut hours = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for (here, sc) in rd.objects(s, "", "schedules") {
        rd.check_id(sc, &here);
        if rd
            .text(sc, &here, "attending_type")
            .is_some_and(|a| mentions_online(&a))
        {
            online = true;
        }
        let byday = rd.text(sc, &here, "byday");
        let opens = rd.text(sc, &here, "opens_at");
        let closes = rd.text(sc, &here, "closes_at");
        let freq = rd.text(sc, &here, "freq");
        if byday.is_none() && opens.is_none() && closes.is_none() {
            if let Some(d) = rd.text(sc, &here, "description") {
                notes.push(d);
            }
            continue;
        }
        if let Some(f) = &freq
            && !f.eq_ignore_ascii_case("WEEKLY")
        {
            rd.err(
                path(&here, "freq"),
                format!(
                    "'{f}' wordt niet ondersteund: alleen wekelijkse openingstijden (WEEKLY); zet andere afspraken in een schedule met alleen een description"
                ),
            );
            continue;
        }
        let mut days = Vec::new();
        match &byday {
            None => rd.err(path(&here, "byday"), "ontbreekt (bijvoorbeeld MO of MO,TH)"),
            Some(list) => {
                for part in list.split(',') {
                    match Weekday::from_ical(part) {
                        Some(d) => days.push(d),
                        None => rd.err(
                            path(&here, "byday"),
                            format!(
                                "onbekende dag '{}': verwacht MO, TU, WE, TH, FR, SA of SU",
                                part.trim()
                            ),
                        ),
                    }
                }
            }
        }
        let mut time_of = |key: &str, v: &Option<String>| -> Option<TimeOfDay> {
            match v {
                None => {
                    rd.err(path(&here, key), "ontbreekt (UU:MM, bijvoorbeeld 09:00)");
                    None
                }
                Some(t) => parse_hsds_time(t)
                    .map_err(|m| rd.err(path(&here, key), m))
                    .ok(),
            }
        };
        let (o, c) = (time_of("opens_at", &opens), time_of("closes_at", &closes));
        if let (Some(o), Some(c)) = (o, c) {
            if o >= c {
                rd.err(
                    path(&here, "closes_at"),
                    format!("{c} ligt niet na de openingstijd {o}"),
                );
                continue;
            }
            hours.extend(days.into_iter().map(|weekday| WeeklyHours {
                weekday,
                opens: o,
                closes: c,
            }));
        }
    }
    let schedule_note = (!notes.is_empty()).then(|| notes.join("\n"));

    let mut areas = Vec::new();
    for (here, a) in rd.objects(s, "", "service_areas") {
        rd.check_id(a, &here);
        let name = rd.text(a, &here, "name");
        let cbs = rd
            .text(a, &here, "uri")
            .and_then(|u| find_cbs(&u))
            .or_else(|| rd.text(a, &here, "description").and_then(|d| find_cbs(&d)));
        if cbs.is_none() && name.is_none() {
            rd.err(
                here.clone(),
                "geen gemeente: geef een CBS-gemeentecode (GM0546) in uri of description, of de naam van de gemeente in name",
            );
        }
        areas.push(AreaRef {
            field: here,
            cbs_code: cbs,
            name,
        });
    }

    let mut locations: Vec<ImportedLocation> = Vec::new();
    for (here, sal) in rd.objects(s, "", "service_at_locations") {
        rd.check_id(sal, &here);
        let Some(loc) = rd.object(sal, &here, "location") else {
            rd.err(path(&here, "location"), "ontbreekt");
            continue;
        };
        let at = path(&here, "location");
        match rd.text(loc, &at, "location_type").as_deref() {
            None | Some("physical") => {}
            Some("virtual") => {
                online = true;
                continue;
            }
            Some(other) => {
                rd.err(
                    path(&at, "location_type"),
                    format!(
                        "'{other}' wordt niet ondersteund: alleen physical (of virtual voor online)"
                    ),
                );
                continue;
            }
        }
        if let Some(given) = rd.uuid(sal, &here, "location_id")
            && rd.uuid(loc, &at, "id").is_some_and(|l| l != given)
        {
            rd.err(path(&here, "location_id"), "verschilt van location.id");
        }
        if let Some(l) = read_location(&mut rd, loc, &at, org_id) {
            if locations.iter().any(|x| x.id == l.id) {
                rd.err(
                    path(&at, "id"),
                    format!("locatie {} staat er twee keer in", l.id),
                );
            } else {
                locations.push(l);
            }
        }
    }

    let mut languages = Vec::new();
    for (here, l) in rd.objects(s, "", "languages") {
        rd.check_id(l, &here);
        match rd.text(l, &here, "code") {
            None => rd.err(
                path(&here, "code"),
                "ontbreekt (ISO 639-code zoals nl of en)",
            ),
            Some(code) => match parse_language_code(&code) {
                Some(c) => languages.push(c),
                None => rd.err(
                    path(&here, "code"),
                    format!("'{code}' is geen ISO 639-taalcode (zoals nl of en)"),
                ),
            },
        }
    }

    let mut funding = Vec::new();
    for (here, f) in rd.objects(s, "", "funding") {
        rd.check_id(f, &here);
        match rd.text(f, &here, "source") {
            None => rd.err(path(&here, "source"), "ontbreekt"),
            Some(src) => match Funding::parse(&src) {
                Some(f) => funding.push(f),
                None => rd.err(path(&here, "source"), unknown_funding(&src)),
            },
        }
    }

    let mut categories = Vec::new();
    for (here, a) in rd.objects(s, "", "attributes") {
        rd.check_id(a, &here);
        if rd.text(a, &here, "link_type").as_deref() == Some(ONLINE_LINK_TYPE) {
            let v = rd.text(a, &here, "value").unwrap_or_default();
            match parse_yes_no(&v) {
                Some(b) => online |= b,
                None => rd.err(
                    path(&here, "value"),
                    format!("'{v}': verwacht true of false"),
                ),
            }
            continue;
        }
        let term_obj = rd.object(a, &here, "taxonomy_term");
        let direct = rd.uuid(a, &here, "taxonomy_term_id");
        let nested = term_obj.and_then(|t| rd.uuid(t, &path(&here, "taxonomy_term"), "id"));
        if let (Some(d), Some(n)) = (direct, nested)
            && d != n
        {
            rd.err(
                path(&here, "taxonomy_term.id"),
                "verschilt van taxonomy_term_id",
            );
            continue;
        }
        let Some(term_id) = direct.or(nested) else {
            if term_obj.is_some() {
                rd.err(path(&here, "taxonomy_term.id"), "ontbreekt");
            }
            continue;
        };
        match taxonomy::by_id(&term_id) {
            Some(t) => categories.push(t.code.to_string()),
            None => {
                let code = term_obj
                    .and_then(|t| t.get("code"))
                    .and_then(Value::as_str)
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                rd.err(
                    path(&here, "taxonomy_term_id"),
                    format!(
                        "onbekende taxonomieterm {term_id}{code}: alleen termen van mantelkring-aanbod en mantelkring-doelgroep (zie /hsds/taxonomy_terms)"
                    ),
                );
            }
        }
    }

    if !rd.errors.is_empty() {
        return Err(rd.errors);
    }
    let (Some(id), Some(name), Some(status), Some(organisation)) = (id, name, status, organisation)
    else {
        // Every missing piece has been reported above; this is a safety net, never a panic.
        return Err(vec![FieldError {
            field: "(dienst)".into(),
            message: "onvolledig: id, name, status of organization ontbreekt".into(),
        }]);
    };
    let draft = ServiceDraft {
        organisation_id: organisation.id,
        name,
        alternate_name,
        description,
        url,
        email,
        status,
        application_process,
        fees_description,
        eligibility_description,
        minimum_age,
        maximum_age,
        online,
        categories,
        funding,
        languages,
        phones,
        hours,
        schedule_note,
        location_ids: locations.iter().map(|l| l.id).collect(),
        area_ids: Vec::new(),
    }
    .normalise();
    Ok(ImportedService {
        id,
        organisation,
        locations,
        draft,
        areas,
        reviewed_at,
    })
}

/// "onbekende financiering 'x'; kies uit wmo, wlz, …"
pub fn unknown_funding(s: &str) -> String {
    format!(
        "onbekende financiering '{s}'; kies uit {}",
        Funding::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests;
