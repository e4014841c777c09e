use super::*;
use crate::screening::instrument::Catalogue;

const BASE: &str = "https://mantelkring.example/";

fn csi() -> Instrument {
    Catalogue::built_in().get("csi").unwrap().clone()
}

#[test]
fn the_csi_as_a_questionnaire() {
    let q = questionnaire(&csi(), BASE);
    assert_eq!(q["resourceType"], "Questionnaire");
    assert_eq!(q["id"], "csi");
    assert_eq!(
        q["url"],
        "https://mantelkring.example/fhir/Questionnaire/csi"
    );
    assert_eq!(q["name"], "CSI");
    assert_eq!(q["status"], "active");
    let items = q["item"].as_array().unwrap();
    assert_eq!(items.len(), 14, "13 statements and the total");
    assert_eq!(items[0]["linkId"], "1");
    assert_eq!(items[0]["text"], "Mijn nachtrust is verstoord");
    assert_eq!(
        items[8]["text"],
        "Het gedrag van [naaste] maakt me soms van streek"
    );
    let options = items[0]["answerOption"].as_array().unwrap();
    assert_eq!(options.len(), 2);
    assert_eq!(options[0]["valueCoding"]["code"], "ja");
    assert_eq!(options[0]["valueCoding"]["display"], "Ja");
    assert_eq!(
        options[0]["valueCoding"]["system"],
        "https://mantelkring.example/fhir/CodeSystem/csi-antwoorden"
    );
    assert_eq!(options[0]["extension"][0]["url"], ORDINAL_VALUE);
    assert_eq!(options[0]["extension"][0]["valueDecimal"], 1);
    assert_eq!(options[1]["extension"][0]["valueDecimal"], 0);
    assert_eq!(items[13]["linkId"], "score");
    assert_eq!(items[13]["type"], "integer");
    assert_eq!(items[13]["readOnly"], true);
    assert!(q["description"].as_str().unwrap().contains("Robinson"));
}

#[test]
fn a_complete_check_as_a_response() {
    let csi = csi();
    let answers: Vec<Option<String>> = (0..13)
        .map(|n| Some(if n % 2 == 0 { "ja" } else { "nee" }.to_string()))
        .collect();
    let check = FhirCheck {
        id: "0190a1b2-0000-7000-8000-000000000001",
        instrument: &csi,
        version: "1",
        answers: &answers,
        score: 7,
        completed_at: 1_717_200_000_000,
        caregiver_person_id: "0190a1b2-0000-7000-8000-0000000000aa",
        caregiver_name: "Ria de Vries",
        author: Author::Caregiver,
    };
    let r = questionnaire_response(&check, BASE).unwrap();
    assert_eq!(r["resourceType"], "QuestionnaireResponse");
    assert_eq!(
        r["questionnaire"],
        "https://mantelkring.example/fhir/Questionnaire/csi|1"
    );
    assert_eq!(r["status"], "completed");
    assert_eq!(r["authored"], "2024-06-01T00:00:00.000Z");
    assert_eq!(
        r["subject"]["reference"],
        "RelatedPerson/0190a1b2-0000-7000-8000-0000000000aa"
    );
    assert_eq!(r["author"], r["subject"]);
    let items = r["item"].as_array().unwrap();
    assert_eq!(items.len(), 14);
    assert_eq!(items[0]["answer"][0]["valueCoding"]["code"], "ja");
    assert_eq!(items[1]["answer"][0]["valueCoding"]["code"], "nee");
    assert_eq!(items[13]["linkId"], "score");
    assert_eq!(items[13]["answer"][0]["valueInteger"], 7);

    let together = FhirCheck {
        author: Author::Member {
            name: "Marieke Jansen".into(),
            professional: true,
        },
        ..check.clone()
    };
    let r = questionnaire_response(&together, BASE).unwrap();
    assert_eq!(r["author"]["type"], "Practitioner");
    assert_eq!(r["author"]["display"], "Marieke Jansen");
    assert_eq!(r["source"]["type"], "RelatedPerson");

    // Only a complete, correctly scored check.
    let mut open = answers.clone();
    open[4] = None;
    assert_eq!(
        questionnaire_response(
            &FhirCheck {
                answers: &open,
                ..check.clone()
            },
            BASE
        ),
        Err(FhirError::Unanswered(5))
    );
    let mut odd = answers.clone();
    odd[2] = Some("misschien".into());
    assert_eq!(
        questionnaire_response(
            &FhirCheck {
                answers: &odd,
                ..check.clone()
            },
            BASE
        ),
        Err(FhirError::UnknownAnswer(3))
    );
    assert_eq!(
        questionnaire_response(&FhirCheck { score: 8, ..check }, BASE),
        Err(FhirError::WrongScore {
            given: 8,
            computed: 7
        })
    );
}

#[test]
fn computer_friendly_names() {
    assert_eq!(computer_name("CSI"), "CSI");
    assert_eq!(computer_name("EDIZ"), "EDIZ");
    assert_eq!(computer_name("10-minutencheck"), "Q10minutencheck");
    assert_eq!(computer_name("leiden check"), "Leidencheck");
    assert_eq!(computer_name("—"), "Q");
}
