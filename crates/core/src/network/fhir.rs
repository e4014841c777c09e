//! The kring as an HL7 FHIR R4 `Bundle` of type `collection`, for export to care systems.
//!
//! Every entry has `fullUrl` `urn:uuid:<id>` and the same `id` in its resource; references inside
//! the bundle are `urn:uuid:<id>`. The ids are the platform's UUIDs (lower case, hyphenated);
//! resources that have no id of their own get a name-based UUID (v5) derived from one that does,
//! so the same network always gives the same bundle.
//!
//! Mapping:
//! - **naaste** → `Patient` (name, `birthDate` as the year alone when known).
//! - **caregiver** → one `RelatedPerson` per naaste (`RelatedPerson.patient` is 1..1). The one
//!   for the first naaste keeps the caregiver's id; the others get `v5(caregiver id, naaste id)`.
//!   `relationship` holds the role *Mantelzorger*: code `100001` in the code system
//!   `urn:oid:2.16.840.1.113883.2.4.3.11.60.40.4.23.1` ("ExtraRolcodes", Registratie aan de
//!   bron / Nictiz). Source: the zib 2020 value set *RolCodelijst*
//!   (`http://decor.nictiz.nl/fhir/ValueSet/2.16.840.1.113883.2.4.3.11.60.40.2.3.1.2--20200901000000`),
//!   bound to `relationship[role]` of the nl-core-ContactPerson profile (Nictiz-R4-zib2020,
//!   `resources/terminology/RolCodelijst-…xml` and `codesystem-ExtraRolcodes-…xml`). That value
//!   set takes codes 1–24 from `urn:oid:2.16.840.1.113883.2.4.3.11.22.472` and the codes
//!   100001–100004 (Mantelzorger, Geestelijk verzorger, Tolk, Advocaat) from ExtraRolcodes, so
//!   100001 is *not* in …22.472. Next to it, where the relation has one, the HL7 v3 RoleCode of
//!   what the caregiver is to the naaste (`http://terminology.hl7.org/CodeSystem/v3-RoleCode`).
//!   [`Relation`] says what the naaste is to the caregiver, so it is turned round: a naaste who
//!   is the caregiver's parent makes the caregiver `CHILD`; partner → `DOMPART` (the zib's
//!   RelatieCodelijst maps "Partner" there; we do not know the sex for HUSB/WIFE), parent-in-law
//!   → `CHLDINLAW`, child → `PRN`, brother/sister → `SIB`, other family → `FAMMEMB`, friend →
//!   `FRND`, neighbour → `NBOR`; "anders" has no code.
//! - **own network** (family, friends, neighbours) → `RelatedPerson` of the first naaste, the
//!   relationship as text (the member's role label: "dochter", "buurvrouw"); we do not know their
//!   relation to the naaste well enough for a code.
//! - **volunteer** → `RelatedPerson` of the first naaste with relationship text "Vrijwilliger".
//!   A volunteer's organisation is not exported: RelatedPerson has no organisation, and
//!   `CareTeam.participant.onBehalfOf` may only be used for a Practitioner (invariant ctm-1).
//! - **professional** and **case manager** → `Practitioner` (name, work telecom) and
//!   `PractitionerRole` (id `v5(member id, "PractitionerRole")`; `code.text` the role label,
//!   `specialty.text` the field — Zorg, Welzijn, Medisch —, `organization`, `period.start`).
//! - **organisation** → one `Organization` per distinct id among the professionals' and case
//!   managers' organisations (the first name given for an id wins).
//! - **the kring** → one `CareTeam` (id the network's id, status `active`, `name`, `subject` the
//!   first naaste's Patient, `period.start` the earliest membership). Participants: the caregiver
//!   (member the RelatedPerson of the first naaste, role Mantelzorger as above), then every member
//!   in the given order: role text the role label, `member` the RelatedPerson or Practitioner,
//!   `onBehalfOf` the Organization for a Practitioner, `period.start` from `since_ms`. The
//!   regiehouder's participant has a second role with text "Regiehouder".
//!
//! Empty texts are left out (FHIR allows no empty strings). Pure: builds a `serde_json::Value`.

use super::{Field, MemberKind, Relation};
use crate::time::{Millis, rfc3339};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The nl-core ContactPerson role code system holding 100001 Mantelzorger ("ExtraRolcodes").
pub const ROLE_SYSTEM: &str = "urn:oid:2.16.840.1.113883.2.4.3.11.60.40.4.23.1";
pub const MANTELZORGER_CODE: &str = "100001";
pub const MANTELZORGER_DISPLAY: &str = "Mantelzorger";
/// HL7 v3 RoleCode, for the family relation.
pub const V3_ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";

/// A kring to export.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirNetwork {
    /// The network's UUID: the CareTeam's id.
    pub network_id: String,
    /// The CareTeam's name, e.g. "Kring van Ria de Vries".
    pub name: String,
    /// When the export was made: the Bundle's `timestamp`.
    pub generated_at_ms: Millis,
    pub caregiver: FhirCaregiver,
    /// At least one: the first is the CareTeam's subject.
    pub naasten: Vec<FhirNaaste>,
    pub members: Vec<FhirMember>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FhirCaregiver {
    pub id: String,
    pub given: String,
    pub family: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FhirNaaste {
    pub id: String,
    pub given: String,
    pub family: String,
    /// What the naaste is to the caregiver.
    pub relation: Relation,
    pub birth_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FhirMember {
    pub id: String,
    pub given: String,
    pub family: String,
    pub kind: MemberKind,
    pub field: Option<Field>,
    /// "dochter", "wijkverpleegkundige", "casemanager dementie".
    pub role_label: String,
    /// Used for professionals and case managers.
    pub organisation: Option<FhirOrganisation>,
    pub regiehouder: bool,
    /// Member since (the participant's period start).
    pub since_ms: Millis,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FhirOrganisation {
    pub id: String,
    pub name: String,
}

/// Why a network cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FhirError {
    #[error("a care team needs a naaste (the Patient it is about)")]
    NoNaaste,
    #[error("not a UUID: {0:?}")]
    BadId(String),
    #[error("the id {0} is used twice")]
    DuplicateId(String),
    #[error("birth year {0} is not a four-digit year")]
    BadBirthYear(i32),
}

/// Parses and normalises a UUID (lower case, hyphenated).
fn uuid(id: &str) -> Result<Uuid, FhirError> {
    Uuid::parse_str(id.trim()).map_err(|_| FhirError::BadId(id.to_string()))
}

fn urn(id: &Uuid) -> String {
    format!("urn:uuid:{id}")
}

fn reference(id: &Uuid) -> Value {
    json!({ "reference": urn(id) })
}

/// A trimmed text, or `None` when empty.
fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn human_name(given: &str, family: &str) -> Option<Value> {
    let (given, family) = (text(given), text(family));
    let full: Vec<&str> = [given.as_deref(), family.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if full.is_empty() {
        return None;
    }
    let mut name = Map::new();
    name.insert("use".into(), json!("official"));
    name.insert("text".into(), json!(full.join(" ")));
    if let Some(f) = family {
        name.insert("family".into(), json!(f));
    }
    if let Some(g) = given {
        name.insert("given".into(), json!([g]));
    }
    Some(Value::Object(name))
}

fn telecom(email: Option<&str>, phone: Option<&str>, work: bool) -> Option<Value> {
    let mut points = Vec::new();
    for (system, value) in [("phone", phone), ("email", email)] {
        if let Some(v) = value.and_then(text) {
            let mut point = json!({ "system": system, "value": v });
            if work {
                point["use"] = json!("work");
            }
            points.push(point);
        }
    }
    (!points.is_empty()).then_some(Value::Array(points))
}

fn text_concept(s: &str) -> Option<Value> {
    text(s).map(|t| json!({ "text": t }))
}

/// The caregiver's Mantelzorger role.
fn mantelzorger() -> Value {
    json!({
        "coding": [{
            "system": ROLE_SYSTEM,
            "code": MANTELZORGER_CODE,
            "display": MANTELZORGER_DISPLAY,
        }],
        "text": MANTELZORGER_DISPLAY,
    })
}

/// The v3 RoleCode of what the caregiver is to a naaste who is `relation` to the caregiver.
pub fn caregiver_role_code(relation: Relation) -> Option<(&'static str, &'static str)> {
    Some(match relation {
        Relation::Partner => ("DOMPART", "domestic partner"),
        Relation::Parent => ("CHILD", "child"),
        Relation::ParentInLaw => ("CHLDINLAW", "child-in-law"),
        Relation::Child => ("PRN", "parent"),
        Relation::Sibling => ("SIB", "sibling"),
        Relation::OtherFamily => ("FAMMEMB", "family member"),
        Relation::Friend => ("FRND", "unrelated friend"),
        Relation::Neighbour => ("NBOR", "neighbor"),
        Relation::Other => return None,
    })
}

fn field_text(field: Field) -> &'static str {
    match field {
        Field::Care => "Zorg",
        Field::Welfare => "Welzijn",
        Field::Medical => "Medisch",
    }
}

fn is_practitioner(kind: MemberKind) -> bool {
    matches!(kind, MemberKind::Professional | MemberKind::CaseManager)
}

/// Inserts `key` only when there is a value.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.into(), v);
    }
}

/// The network as a FHIR R4 Bundle (type `collection`). See the module documentation for the
/// mapping.
pub fn bundle(net: &FhirNetwork) -> Result<Value, FhirError> {
    let first = net.naasten.first().ok_or(FhirError::NoNaaste)?;
    let first_patient = uuid(&first.id)?;
    let caregiver_id = uuid(&net.caregiver.id)?;
    let team_id = uuid(&net.network_id)?;
    let mut entries: Vec<(Uuid, Value)> = Vec::new();

    // Patients and the caregiver's RelatedPerson for each.
    let mut caregiver_people = Vec::new();
    for (i, naaste) in net.naasten.iter().enumerate() {
        let id = uuid(&naaste.id)?;
        let mut patient = Map::new();
        patient.insert("resourceType".into(), json!("Patient"));
        patient.insert("id".into(), json!(id.to_string()));
        patient.insert("active".into(), json!(true));
        put(
            &mut patient,
            "name",
            human_name(&naaste.given, &naaste.family).map(|n| json!([n])),
        );
        if let Some(year) = naaste.birth_year {
            if !(1000..=9999).contains(&year) {
                return Err(FhirError::BadBirthYear(year));
            }
            patient.insert("birthDate".into(), json!(format!("{year:04}")));
        }
        entries.push((id, Value::Object(patient)));

        let person_id = if i == 0 {
            caregiver_id
        } else {
            Uuid::new_v5(&caregiver_id, id.to_string().as_bytes())
        };
        let mut relationship = vec![mantelzorger()];
        if let Some((code, display)) = caregiver_role_code(naaste.relation) {
            relationship.push(json!({
                "coding": [{ "system": V3_ROLE_CODE, "code": code, "display": display }],
            }));
        }
        let mut person = Map::new();
        person.insert("resourceType".into(), json!("RelatedPerson"));
        person.insert("id".into(), json!(person_id.to_string()));
        person.insert("active".into(), json!(true));
        person.insert("patient".into(), reference(&id));
        person.insert("relationship".into(), Value::Array(relationship));
        put(
            &mut person,
            "name",
            human_name(&net.caregiver.given, &net.caregiver.family).map(|n| json!([n])),
        );
        put(
            &mut person,
            "telecom",
            telecom(
                net.caregiver.email.as_deref(),
                net.caregiver.phone.as_deref(),
                false,
            ),
        );
        caregiver_people.push((person_id, Value::Object(person)));
    }
    entries.extend(caregiver_people);

    // Members, and the organisations of those who work for one.
    let mut participants = vec![json!({
        "role": [mantelzorger()],
        "member": reference(&caregiver_id),
    })];
    let mut organisations: Vec<(Uuid, Value)> = Vec::new();
    let mut roles: Vec<(Uuid, Value)> = Vec::new();
    let mut earliest: Option<Millis> = None;
    for m in &net.members {
        let id = uuid(&m.id)?;
        earliest = Some(earliest.map_or(m.since_ms, |e| e.min(m.since_ms)));
        let name = human_name(&m.given, &m.family).map(|n| json!([n]));
        let mut participant = Map::new();
        let mut role = Vec::new();
        role.extend(text_concept(&m.role_label));
        if m.regiehouder {
            role.push(json!({ "text": "Regiehouder" }));
        }
        if !role.is_empty() {
            participant.insert("role".into(), Value::Array(role));
        }
        participant.insert("member".into(), reference(&id));
        if is_practitioner(m.kind) {
            let mut practitioner = Map::new();
            practitioner.insert("resourceType".into(), json!("Practitioner"));
            practitioner.insert("id".into(), json!(id.to_string()));
            practitioner.insert("active".into(), json!(true));
            put(&mut practitioner, "name", name);
            put(
                &mut practitioner,
                "telecom",
                telecom(m.email.as_deref(), m.phone.as_deref(), true),
            );
            entries.push((id, Value::Object(practitioner)));

            let role_id = Uuid::new_v5(&id, b"PractitionerRole");
            let mut pr = Map::new();
            pr.insert("resourceType".into(), json!("PractitionerRole"));
            pr.insert("id".into(), json!(role_id.to_string()));
            pr.insert("active".into(), json!(true));
            pr.insert("period".into(), json!({ "start": rfc3339(m.since_ms) }));
            pr.insert("practitioner".into(), reference(&id));
            if let Some(org) = &m.organisation {
                let org_id = uuid(&org.id)?;
                pr.insert("organization".into(), reference(&org_id));
                participant.insert("onBehalfOf".into(), reference(&org_id));
                if !organisations.iter().any(|(o, _)| *o == org_id) {
                    let mut o = Map::new();
                    o.insert("resourceType".into(), json!("Organization"));
                    o.insert("id".into(), json!(org_id.to_string()));
                    o.insert("active".into(), json!(true));
                    put(&mut o, "name", text(&org.name).map(Value::String));
                    organisations.push((org_id, Value::Object(o)));
                }
            }
            put(
                &mut pr,
                "code",
                text_concept(&m.role_label).map(|c| json!([c])),
            );
            if let Some(field) = m.field {
                pr.insert("specialty".into(), json!([{ "text": field_text(field) }]));
            }
            roles.push((role_id, Value::Object(pr)));
        } else {
            let relationship = if m.kind == MemberKind::Volunteer {
                text_concept("Vrijwilliger")
            } else {
                text_concept(&m.role_label)
            };
            let mut person = Map::new();
            person.insert("resourceType".into(), json!("RelatedPerson"));
            person.insert("id".into(), json!(id.to_string()));
            person.insert("active".into(), json!(true));
            person.insert("patient".into(), reference(&first_patient));
            put(
                &mut person,
                "relationship",
                relationship.map(|r| json!([r])),
            );
            put(&mut person, "name", name);
            put(
                &mut person,
                "telecom",
                telecom(m.email.as_deref(), m.phone.as_deref(), false),
            );
            entries.push((id, Value::Object(person)));
        }
        participant.insert("period".into(), json!({ "start": rfc3339(m.since_ms) }));
        participants.push(Value::Object(participant));
    }
    entries.extend(roles);
    entries.extend(organisations);

    let mut team = Map::new();
    team.insert("resourceType".into(), json!("CareTeam"));
    team.insert("id".into(), json!(team_id.to_string()));
    team.insert("status".into(), json!("active"));
    put(&mut team, "name", text(&net.name).map(Value::String));
    team.insert("subject".into(), reference(&first_patient));
    if let Some(start) = earliest {
        team.insert("period".into(), json!({ "start": rfc3339(start) }));
    }
    team.insert("participant".into(), Value::Array(participants));
    entries.insert(0, (team_id, Value::Object(team)));

    let mut seen = BTreeSet::new();
    for (id, _) in &entries {
        if !seen.insert(*id) {
            return Err(FhirError::DuplicateId(id.to_string()));
        }
    }
    let bundle_id = Uuid::new_v5(
        &team_id,
        format!("Bundle {}", net.generated_at_ms).as_bytes(),
    );
    Ok(json!({
        "resourceType": "Bundle",
        "id": bundle_id.to_string(),
        "type": "collection",
        "timestamp": rfc3339(net.generated_at_ms),
        "entry": entries
            .into_iter()
            .map(|(id, resource)| json!({ "fullUrl": urn(&id), "resource": resource }))
            .collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests;
