use super::*;
use std::collections::BTreeMap;

const DAY: Millis = 86_400_000;
const T0: Millis = 1_717_200_000_000; // 2024-06-01

fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn member(
    n: u32,
    given: &str,
    family: &str,
    kind: MemberKind,
    field: Option<Field>,
    role: &str,
    org: Option<(u32, &str)>,
) -> FhirMember {
    FhirMember {
        id: id(n),
        given: given.into(),
        family: family.into(),
        kind,
        field,
        role_label: role.into(),
        organisation: org.map(|(o, name)| FhirOrganisation {
            id: id(o),
            name: name.into(),
        }),
        regiehouder: false,
        since_ms: T0 + i64::from(n) * DAY,
        email: None,
        phone: None,
    }
}

fn network() -> FhirNetwork {
    use MemberKind::*;
    let mut members = vec![
        member(10, "Sanne", "de Vries", Own, None, "dochter", None),
        member(11, "Joke", "Bakker", Own, None, "buurvrouw", None),
        member(12, "Kees", "Smit", Volunteer, None, "boodschappen", None),
        member(
            13,
            "Anja",
            "Mulder",
            CaseManager,
            Some(Field::Care),
            "casemanager dementie",
            Some((90, "Thuiszorg De Linde")),
        ),
        member(
            14,
            "Eva",
            "Visser",
            Professional,
            Some(Field::Care),
            "wijkverpleegkundige",
            Some((90, "Thuiszorg De Linde")),
        ),
        member(
            15,
            "Youssef",
            "Amrani",
            Professional,
            Some(Field::Welfare),
            "mantelzorgconsulent",
            Some((91, "Welzijn Centraal")),
        ),
        member(
            16,
            "Lisa",
            "de Boer",
            Professional,
            Some(Field::Medical),
            "huisarts",
            Some((92, "Huisartsenpraktijk Oost")),
        ),
    ];
    members[3].regiehouder = true;
    members[3].email = Some("anja@example.org".into());
    members[3].phone = Some("030 123 45 67".into());
    FhirNetwork {
        network_id: id(1),
        name: "Kring van Ria de Vries".into(),
        generated_at_ms: T0 + 100 * DAY,
        caregiver: FhirCaregiver {
            id: id(2),
            given: "Ria".into(),
            family: "de Vries".into(),
            email: Some("ria@example.org".into()),
            phone: None,
        },
        naasten: vec![FhirNaaste {
            id: id(3),
            given: "Henk".into(),
            family: "de Vries".into(),
            relation: Relation::Partner,
            birth_year: Some(1944),
        }],
        members,
    }
}

fn resources(b: &Value) -> Vec<&Value> {
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect()
}

fn counts(b: &Value) -> BTreeMap<String, usize> {
    let mut c = BTreeMap::new();
    for r in resources(b) {
        *c.entry(r["resourceType"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    c
}

fn of_type<'a>(b: &'a Value, t: &str) -> Vec<&'a Value> {
    resources(b)
        .into_iter()
        .filter(|r| r["resourceType"] == t)
        .collect()
}

/// Every `reference` anywhere in the value.
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "reference" {
                    out.push(v.as_str().unwrap().to_string());
                } else {
                    references(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

fn resolve<'a>(b: &'a Value, reference: &Value) -> &'a Value {
    let r = reference["reference"].as_str().unwrap();
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["fullUrl"] == r)
        .map(|e| &e["resource"])
        .unwrap_or_else(|| panic!("{r} does not resolve"))
}

fn no_empty_strings(v: &Value, path: &str) {
    match v {
        Value::String(s) => assert!(!s.trim().is_empty(), "empty string at {path}"),
        Value::Object(m) => {
            assert!(!m.is_empty(), "empty object at {path}");
            m.iter()
                .for_each(|(k, v)| no_empty_strings(v, &format!("{path}.{k}")));
        }
        Value::Array(a) => {
            assert!(!a.is_empty(), "empty array at {path}");
            a.iter().for_each(|v| no_empty_strings(v, path));
        }
        _ => {}
    }
}

#[test]
fn a_bundle_of_each_resource() {
    let b = bundle(&network()).unwrap();
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert_eq!(b["timestamp"], "2024-09-09T00:00:00.000Z");
    let expected: BTreeMap<String, usize> = [
        ("CareTeam", 1),
        ("Patient", 1),
        ("RelatedPerson", 4), // the caregiver, two of the own network, the volunteer
        ("Practitioner", 4),
        ("PractitionerRole", 4),
        ("Organization", 3),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(counts(&b), expected);
    no_empty_strings(&b, "Bundle");
}

#[test]
fn entries_have_uuid_urls_and_every_reference_resolves() {
    let b = bundle(&network()).unwrap();
    let entries = b["entry"].as_array().unwrap();
    let mut urls = BTreeSet::new();
    for e in entries {
        let id = e["resource"]["id"].as_str().unwrap();
        assert!(Uuid::parse_str(id).is_ok(), "{id}");
        assert_eq!(e["fullUrl"], format!("urn:uuid:{id}"));
        assert!(urls.insert(e["fullUrl"].as_str().unwrap().to_string()));
    }
    let mut refs = Vec::new();
    references(&b, &mut refs);
    assert!(refs.len() > 20, "{refs:?}");
    for r in refs {
        assert!(urls.contains(&r), "{r} resolves to no entry");
    }
}

#[test]
fn the_caregiver_is_mantelzorger_of_the_naaste() {
    let b = bundle(&network()).unwrap();
    let caregiver = of_type(&b, "RelatedPerson")
        .into_iter()
        .find(|r| r["id"] == id(2))
        .unwrap();
    assert_eq!(
        caregiver["patient"]["reference"],
        format!("urn:uuid:{}", id(3))
    );
    let coding = &caregiver["relationship"][0]["coding"][0];
    assert_eq!(coding["system"], ROLE_SYSTEM);
    assert_eq!(
        ROLE_SYSTEM,
        "urn:oid:2.16.840.1.113883.2.4.3.11.60.40.4.23.1"
    );
    assert_eq!(coding["code"], "100001");
    assert_eq!(coding["display"], "Mantelzorger");
    let family = &caregiver["relationship"][1]["coding"][0];
    assert_eq!(family["system"], V3_ROLE_CODE);
    assert_eq!(family["code"], "DOMPART");
    assert_eq!(caregiver["name"][0]["text"], "Ria de Vries");
    assert_eq!(caregiver["telecom"][0]["system"], "email");
    // In the care team too.
    let team = &of_type(&b, "CareTeam")[0];
    let first = &team["participant"][0];
    assert_eq!(first["role"][0]["coding"][0]["code"], "100001");
    assert_eq!(resolve(&b, &first["member"])["id"], id(2));
}

#[test]
fn the_family_relation_is_turned_round() {
    assert_eq!(
        caregiver_role_code(Relation::Parent),
        Some(("CHILD", "child"))
    );
    assert_eq!(
        caregiver_role_code(Relation::Child),
        Some(("PRN", "parent"))
    );
    assert_eq!(
        caregiver_role_code(Relation::ParentInLaw).unwrap().0,
        "CHLDINLAW"
    );
    assert_eq!(caregiver_role_code(Relation::Sibling).unwrap().0, "SIB");
    assert_eq!(
        caregiver_role_code(Relation::OtherFamily).unwrap().0,
        "FAMMEMB"
    );
    assert_eq!(caregiver_role_code(Relation::Friend).unwrap().0, "FRND");
    assert_eq!(caregiver_role_code(Relation::Neighbour).unwrap().0, "NBOR");
    assert_eq!(caregiver_role_code(Relation::Other), None);
    let mut net = network();
    net.naasten[0].relation = Relation::Other;
    let b = bundle(&net).unwrap();
    let caregiver = of_type(&b, "RelatedPerson")
        .into_iter()
        .find(|r| r["id"] == id(2))
        .unwrap();
    assert_eq!(caregiver["relationship"].as_array().unwrap().len(), 1);
}

#[test]
fn one_caregiver_related_person_per_naaste() {
    let mut net = network();
    net.naasten[0].relation = Relation::Parent;
    net.naasten.push(FhirNaaste {
        id: id(4),
        given: "Truus".into(),
        family: "de Vries".into(),
        relation: Relation::Parent,
        birth_year: None,
    });
    let b = bundle(&net).unwrap();
    assert_eq!(counts(&b)["Patient"], 2);
    let mantelzorgers: Vec<&Value> = of_type(&b, "RelatedPerson")
        .into_iter()
        .filter(|r| r["relationship"][0]["coding"][0]["code"] == "100001")
        .collect();
    assert_eq!(mantelzorgers.len(), 2);
    let patients: BTreeSet<String> = mantelzorgers
        .iter()
        .map(|r| r["patient"]["reference"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        patients,
        [id(3), id(4)]
            .iter()
            .map(|i| format!("urn:uuid:{i}"))
            .collect()
    );
    assert!(
        mantelzorgers
            .iter()
            .all(|r| r["relationship"][1]["coding"][0]["code"] == "CHILD")
    );
    // The care team is about the first naaste.
    let team = &of_type(&b, "CareTeam")[0];
    assert_eq!(resolve(&b, &team["subject"])["id"], id(3));
    let truus = of_type(&b, "Patient")
        .into_iter()
        .find(|p| p["id"] == id(4))
        .unwrap();
    assert!(truus.get("birthDate").is_none());
}

#[test]
fn members_by_kind() {
    let b = bundle(&network()).unwrap();
    let related: BTreeMap<String, &Value> = of_type(&b, "RelatedPerson")
        .into_iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect();
    assert_eq!(related[&id(10)]["relationship"][0]["text"], "dochter");
    assert_eq!(related[&id(12)]["relationship"][0]["text"], "Vrijwilliger");
    assert_eq!(
        related[&id(11)]["patient"]["reference"],
        format!("urn:uuid:{}", id(3))
    );
    let roles = of_type(&b, "PractitionerRole");
    let huisarts = roles
        .iter()
        .find(|r| r["code"][0]["text"] == "huisarts")
        .unwrap();
    assert_eq!(huisarts["specialty"][0]["text"], "Medisch");
    assert_eq!(resolve(&b, &huisarts["practitioner"])["id"], id(16));
    assert_eq!(
        resolve(&b, &huisarts["organization"])["name"],
        "Huisartsenpraktijk Oost"
    );
    let patient = &of_type(&b, "Patient")[0];
    assert_eq!(patient["birthDate"], "1944");
    assert_eq!(patient["name"][0]["family"], "de Vries");
    assert_eq!(patient["name"][0]["given"][0], "Henk");
}

#[test]
fn the_care_team() {
    let b = bundle(&network()).unwrap();
    let team = &of_type(&b, "CareTeam")[0];
    assert_eq!(team["id"], id(1));
    assert_eq!(team["status"], "active");
    assert_eq!(team["name"], "Kring van Ria de Vries");
    assert_eq!(team["period"]["start"], rfc3339(T0 + 10 * DAY));
    let participants = team["participant"].as_array().unwrap();
    assert_eq!(participants.len(), 1 + 7);
    let regie: Vec<&Value> = participants
        .iter()
        .filter(|p| {
            p["role"]
                .as_array()
                .is_some_and(|r| r.iter().any(|c| c["text"] == "Regiehouder"))
        })
        .collect();
    assert_eq!(regie.len(), 1);
    assert_eq!(regie[0]["role"][0]["text"], "casemanager dementie");
    let anja = resolve(&b, &regie[0]["member"]);
    assert_eq!(anja["resourceType"], "Practitioner");
    assert_eq!(anja["telecom"][1]["value"], "anja@example.org");
    assert_eq!(
        resolve(&b, &regie[0]["onBehalfOf"])["name"],
        "Thuiszorg De Linde"
    );
    assert_eq!(regie[0]["period"]["start"], rfc3339(T0 + 13 * DAY));
    // onBehalfOf only for practitioners (ctm-1).
    for p in participants {
        if p.get("onBehalfOf").is_some() {
            assert_eq!(resolve(&b, &p["member"])["resourceType"], "Practitioner");
        }
    }
}

#[test]
fn refuses_what_fhir_cannot_hold() {
    let mut net = network();
    net.naasten.clear();
    assert_eq!(bundle(&net), Err(FhirError::NoNaaste));
    let mut net = network();
    net.members[0].id = "not-a-uuid".into();
    assert_eq!(bundle(&net), Err(FhirError::BadId("not-a-uuid".into())));
    let mut net = network();
    net.members[1].id = id(10);
    assert_eq!(bundle(&net), Err(FhirError::DuplicateId(id(10))));
    let mut net = network();
    net.naasten[0].birth_year = Some(44);
    assert_eq!(bundle(&net), Err(FhirError::BadBirthYear(44)));
}

#[test]
fn ids_are_normalised_and_the_output_is_stable() {
    let mut net = network();
    net.caregiver.id = id(2).to_uppercase();
    let b = bundle(&net).unwrap();
    assert!(resources(&b).iter().any(|r| r["id"] == id(2)));
    assert_eq!(bundle(&network()), bundle(&network()));
}

#[test]
fn empty_texts_are_left_out() {
    let mut net = network();
    net.members[0].family = " ".into();
    net.members[1].role_label = String::new();
    net.members[4].organisation = None;
    net.members[4].field = None;
    net.members[4].role_label = String::new();
    let b = bundle(&net).unwrap();
    no_empty_strings(&b, "Bundle");
    let sanne = resources(&b)
        .into_iter()
        .find(|r| r["id"] == id(10))
        .unwrap();
    assert_eq!(sanne["name"][0]["text"], "Sanne");
    assert!(sanne["name"][0].get("family").is_none());
}
