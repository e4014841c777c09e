//! The kring's FHIR export (`mantelkring_core::network::fhir`) checked by an outside validator:
//! `tests/fhir/validate.py` with the Python package `fhir.resources` 6.4.0 (FHIR R4), run by
//! the interpreter named in `MK_FHIR_PYTHON` (scripts/test sets it to the venv that
//! scripts/install-test-tools makes, `target/fhir-venv/bin/python`). Without it these tests
//! fail: they never skip. A broken bundle must be refused too, so we know the validator checks.

use crate::support::temp_dir;
use mantelkring_core::network::fhir::{
    FhirCaregiver, FhirMember, FhirNaaste, FhirNetwork, FhirOrganisation, bundle,
};
use mantelkring_core::network::{Field, MemberKind, Relation};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_717_200_000_000; // 2024-06-01

fn python() -> String {
    match std::env::var("MK_FHIR_PYTHON") {
        Ok(p) if !p.trim().is_empty() => p,
        _ => panic!(
            "MK_FHIR_PYTHON is not set: it must name the Python of the FHIR validator's venv. \
             Run scripts/install-test-tools, then e.g. \
             MK_FHIR_PYTHON=$PWD/target/fhir-venv/bin/python cargo test -p mantelkring --test it kring_fhir \
             (scripts/test does both)"
        ),
    }
}

fn validator() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fhir/validate.py");
    assert!(path.is_file(), "missing {}", path.display());
    path
}

/// Runs the validator on the files; panics if the interpreter cannot be started.
pub fn validate(files: &[&Path]) -> Output {
    let python = python();
    Command::new(&python)
        .arg(validator())
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run MK_FHIR_PYTHON={python}: {e} (run scripts/install-test-tools to make the venv)"
            )
        })
}

pub fn report(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[allow(clippy::too_many_arguments)]
fn member(
    given: &str,
    family: &str,
    kind: MemberKind,
    field: Option<Field>,
    role: &str,
    organisation: Option<&FhirOrganisation>,
    days: i64,
    email: Option<&str>,
) -> FhirMember {
    FhirMember {
        id: uuid(),
        given: given.into(),
        family: family.into(),
        kind,
        field,
        role_label: role.into(),
        organisation: organisation.cloned(),
        regiehouder: false,
        since_ms: T0 + days * DAY,
        email: email.map(str::to_string),
        phone: None,
    }
}

/// A realistic kring: the caregiver, her husband, family, a neighbour, a volunteer, a case
/// manager (the regiehouder) and professionals of the three fields from three organisations.
fn network() -> FhirNetwork {
    use MemberKind::*;
    let linde = FhirOrganisation {
        id: uuid(),
        name: "Thuiszorg De Linde".into(),
    };
    let welzijn = FhirOrganisation {
        id: uuid(),
        name: "Welzijn Centraal".into(),
    };
    let praktijk = FhirOrganisation {
        id: uuid(),
        name: "Huisartsenpraktijk Oost".into(),
    };
    let mut members = vec![
        member("Sanne", "de Vries", Own, None, "dochter", None, 1, None),
        member("Mark", "de Vries", Own, None, "zoon", None, 2, None),
        member("Joke", "Bakker", Own, None, "buurvrouw", None, 3, None),
        member(
            "Kees",
            "Smit",
            Volunteer,
            None,
            "boodschappen",
            None,
            10,
            None,
        ),
        member(
            "Anja",
            "Mulder",
            CaseManager,
            Some(Field::Care),
            "casemanager dementie",
            Some(&linde),
            20,
            Some("a.mulder@delinde.example"),
        ),
        member(
            "Eva",
            "Visser",
            Professional,
            Some(Field::Care),
            "wijkverpleegkundige",
            Some(&linde),
            21,
            None,
        ),
        member(
            "Youssef",
            "Amrani",
            Professional,
            Some(Field::Welfare),
            "mantelzorgconsulent",
            Some(&welzijn),
            22,
            None,
        ),
        member(
            "Lisa",
            "de Boer",
            Professional,
            Some(Field::Medical),
            "huisarts",
            Some(&praktijk),
            23,
            None,
        ),
        member(
            "Tom",
            "Hendriks",
            Professional,
            Some(Field::Welfare),
            "wijkcoach",
            None,
            24,
            None,
        ),
    ];
    members[4].regiehouder = true;
    members[4].phone = Some("+31 30 123 45 67".into());
    FhirNetwork {
        network_id: uuid(),
        name: "Kring van Ria de Vries".into(),
        generated_at_ms: T0 + 100 * DAY + 12_345,
        caregiver: FhirCaregiver {
            id: uuid(),
            given: "Ria".into(),
            family: "de Vries".into(),
            email: Some("ria@example.org".into()),
            phone: Some("06 12345678".into()),
        },
        naasten: vec![FhirNaaste {
            id: uuid(),
            given: "Henk".into(),
            family: "de Vries".into(),
            relation: Relation::Partner,
            birth_year: Some(1944),
        }],
        members,
    }
}

pub fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

#[test]
fn kring_bundles_are_valid_fhir_r4() {
    let dir = temp_dir("kring-fhir");
    let realistic = write(&dir, "kring.json", &bundle(&network()).unwrap());
    // Two naasten (her parents), one without a birth year; no organisation for anyone.
    let mut parents = network();
    parents.naasten[0].relation = Relation::Parent;
    parents.naasten.push(FhirNaaste {
        id: uuid(),
        given: "Truus".into(),
        family: "de Vries".into(),
        relation: Relation::Parent,
        birth_year: None,
    });
    for m in &mut parents.members {
        m.organisation = None;
    }
    let parents = write(&dir, "parents.json", &bundle(&parents).unwrap());
    // The smallest kring: the caregiver and a naaste, nothing else.
    let mut alone = network();
    alone.members.clear();
    alone.naasten[0].relation = Relation::Other;
    let alone = write(&dir, "alone.json", &bundle(&alone).unwrap());

    let out = validate(&[&realistic, &parents, &alone]);
    let text = report(&out);
    assert!(
        out.status.success(),
        "the validator refused our bundles:\n{text}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("OK: 3 bundle(s) valid FHIR R4"),
        "{text}"
    );
    assert!(stdout.contains("CareTeam 3"), "{text}");
    assert!(stdout.contains("PractitionerRole 10"), "{text}");
    println!("{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The entry of the first resource of `kind`.
fn first_of<'a>(b: &'a mut Value, kind: &str) -> &'a mut Value {
    b["entry"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .map(|e| &mut e["resource"])
        .find(|r| r["resourceType"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn the_validator_refuses_broken_bundles() {
    let dir = temp_dir("kring-fhir-broken");
    let good = bundle(&network()).unwrap();
    type Break = fn(&mut Value);
    let cases: Vec<(&str, Break, &str)> = vec![
        (
            "unknown-field",
            |b| first_of(b, "Patient")["favouriteColour"] = json!("blauw"),
            "extra fields not permitted",
        ),
        (
            "bad-status",
            |b| first_of(b, "CareTeam")["status"] = json!("actief"),
            "'actief' is not one of",
        ),
        (
            "no-patient",
            |b| {
                first_of(b, "RelatedPerson")
                    .as_object_mut()
                    .unwrap()
                    .remove("patient");
            },
            "field required",
        ),
        (
            "bad-date",
            |b| first_of(b, "Patient")["birthDate"] = json!("44"),
            "invalid date format",
        ),
        (
            "dangling-reference",
            |b| {
                first_of(b, "CareTeam")["subject"]["reference"] =
                    json!("urn:uuid:00000000-0000-4000-8000-000000000000")
            },
            "resolves to no entry",
        ),
        (
            "wrong-full-url",
            |b| b["entry"][1]["fullUrl"] = json!("urn:uuid:00000000-0000-4000-8000-000000000001"),
            "is not urn:uuid:",
        ),
        (
            "bundle-type",
            |b| b["type"] = json!("verzameling"),
            "'verzameling' is not one of",
        ),
    ];
    let good_path = write(&dir, "good.json", &good);
    for (name, break_it, expect) in cases {
        let mut broken = good.clone();
        break_it(&mut broken);
        assert_ne!(broken, good, "{name} changed nothing");
        let path = write(&dir, &format!("{name}.json"), &broken);
        let out = validate(&[&good_path, &path]);
        let text = report(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: the validator must refuse it:\n{text}"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("{name}.json: INVALID")),
            "{name}:\n{text}"
        );
        assert!(!stdout.contains("good.json: INVALID"), "{name}:\n{text}");
        assert!(
            stdout.contains(expect),
            "{name}: expected {expect:?}:\n{text}"
        );
        println!("{stdout}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_validator_needs_a_file() {
    let out = validate(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
}
