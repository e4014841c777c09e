//! Burden checks as HL7 FHIR R4: each instrument as a `Questionnaire`, a completed check as a
//! `QuestionnaireResponse`. Pure: builds `serde_json::Value`s.
//!
//! Mapping:
//! - **instrument** → `Questionnaire`: `id` the instrument's id, `url` the canonical
//!   `{base}/fhir/Questionnaire/{id}` (`base`: the installation's public address), `version`,
//!   `name` (computer-friendly, from the short name), `title`, `status` `active`, `subjectType`
//!   `RelatedPerson` (the caregiver answers about themselves), `language` `nl` (the validated Dutch
//!   wording), `description` the instruction and the source. One item per statement: `linkId`
//!   its number (1-based), `prefix` the same number, `type` `choice`, `required`, and an
//!   `answerOption` per answer with `valueCoding` (system `{base}/fhir/CodeSystem/{id}-antwoorden`,
//!   the stored code, the label as display) and the score as the standard extension
//!   `ordinalValue` (`http://hl7.org/fhir/StructureDefinition/ordinalValue`, R4 context
//!   `Questionnaire.item.answerOption`). A last item `score` ("Totaalscore", `integer`,
//!   `readOnly`) carries the total, so a response can hold it as an ordinary answer.
//! - **complete check** → `QuestionnaireResponse`: `id` the check's id (and an `identifier` in
//!   `{base}/fhir/checks`), `questionnaire` the canonical with its version (`url|version`),
//!   `status` `completed`, `authored` the completion time, `subject` and `source` the caregiver as
//!   `RelatedPerson/{caregiver person id}` — the same id the kring's export
//!   (`network::fhir`) gives the caregiver's RelatedPerson —, `author` the caregiver too, or,
//!   for a check filled in together during a call or visit, the member who entered it (by name,
//!   as a `Practitioner` for a professional, else a `RelatedPerson`). One item per statement
//!   with its `valueCoding`, and the `score` item with `valueInteger`.

use super::instrument::Instrument;
use crate::time::{Millis, rfc3339};
use serde_json::{Value, json};

/// The R4 extension that gives an answer option its score.
pub const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// The `linkId` of the item that carries the total score.
pub const SCORE_LINK_ID: &str = "score";

fn trim_base(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// The canonical URL of an instrument's Questionnaire.
pub fn questionnaire_url(base: &str, instrument_id: &str) -> String {
    format!("{}/fhir/Questionnaire/{instrument_id}", trim_base(base))
}

/// The code system of an instrument's answers.
pub fn answer_system(base: &str, instrument_id: &str) -> String {
    format!(
        "{}/fhir/CodeSystem/{instrument_id}-antwoorden",
        trim_base(base)
    )
}

/// A computer-friendly name (`^[A-Z]([A-Za-z0-9_]){0,254}$`) from the short name: "CSI", "EDIZ",
/// "Q10minutencheck".
pub fn computer_name(short_name: &str) -> String {
    let kept: String = short_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(200)
        .collect();
    let mut chars = kept.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {
            format!("{}{}", c.to_ascii_uppercase(), chars.as_str())
        }
        _ => format!("Q{kept}"),
    }
}

/// The instrument as a Questionnaire.
pub fn questionnaire(instrument: &Instrument, base: &str) -> Value {
    let system = answer_system(base, &instrument.id);
    let options: Vec<Value> = instrument
        .options
        .iter()
        .map(|o| {
            json!({
                "extension": [{ "url": ORDINAL_VALUE, "valueDecimal": o.score }],
                "valueCoding": { "system": system, "code": o.code, "display": o.label },
            })
        })
        .collect();
    let mut items: Vec<Value> = instrument
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            json!({
                "linkId": (n + 1).to_string(),
                "prefix": (n + 1).to_string(),
                "text": item.text,
                "type": "choice",
                "required": true,
                "answerOption": options,
            })
        })
        .collect();
    items.push(json!({
        "linkId": SCORE_LINK_ID,
        "text": "Totaalscore",
        "type": "integer",
        "required": false,
        "readOnly": true,
    }));
    json!({
        "resourceType": "Questionnaire",
        "id": instrument.id,
        "url": questionnaire_url(base, &instrument.id),
        "version": instrument.version,
        "name": computer_name(&instrument.short_name),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["RelatedPerson"],
        "language": "nl",
        "publisher": "Mantelkring",
        "description": format!("{}\n\nBron: {}", instrument.instruction, instrument.source),
        "item": items,
    })
}

/// Who entered a check's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Author {
    /// The caregiver, online or through a single-use link.
    Caregiver,
    /// A member of the network, with the caregiver, during a call or visit.
    Member {
        name: String,
        /// A professional or case manager (a `Practitioner`), else a `RelatedPerson`.
        professional: bool,
    },
}

/// A complete check, as the response needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirCheck<'a> {
    pub id: &'a str,
    pub instrument: &'a Instrument,
    /// The version the check was filled in with.
    pub version: &'a str,
    pub answers: &'a [Option<String>],
    pub score: u32,
    pub completed_at: Millis,
    pub caregiver_person_id: &'a str,
    pub caregiver_name: &'a str,
    pub author: Author,
}

/// Why a check cannot be a QuestionnaireResponse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FhirError {
    #[error("de lijst is niet compleet: vraag {0} is niet beantwoord")]
    Unanswered(usize),
    #[error("het antwoord op vraag {0} is geen keuze van deze lijst")]
    UnknownAnswer(usize),
    #[error("de score {given} past niet bij de antwoorden ({computed})")]
    WrongScore { given: u32, computed: u32 },
}

/// A complete check as a QuestionnaireResponse. The score must be the instrument's score of the
/// answers (it is checked again here).
pub fn questionnaire_response(check: &FhirCheck<'_>, base: &str) -> Result<Value, FhirError> {
    let instrument = check.instrument;
    let system = answer_system(base, &instrument.id);
    let mut items = Vec::with_capacity(instrument.items.len() + 1);
    let mut computed = 0;
    for (n, item) in instrument.items.iter().enumerate() {
        let Some(code) = check.answers.get(n).and_then(|a| a.as_deref()) else {
            return Err(FhirError::Unanswered(n + 1));
        };
        let Some(option) = instrument.option(code) else {
            return Err(FhirError::UnknownAnswer(n + 1));
        };
        computed += option.score;
        items.push(json!({
            "linkId": (n + 1).to_string(),
            "text": item.text,
            "answer": [{
                "valueCoding": { "system": system, "code": option.code, "display": option.label },
            }],
        }));
    }
    if computed != check.score {
        return Err(FhirError::WrongScore {
            given: check.score,
            computed,
        });
    }
    items.push(json!({
        "linkId": SCORE_LINK_ID,
        "text": "Totaalscore",
        "answer": [{ "valueInteger": check.score }],
    }));
    let caregiver = json!({
        "reference": format!("RelatedPerson/{}", check.caregiver_person_id),
        "type": "RelatedPerson",
        "display": check.caregiver_name,
    });
    let author = match &check.author {
        Author::Caregiver => caregiver.clone(),
        Author::Member { name, professional } => {
            let mut who =
                json!({ "type": if *professional { "Practitioner" } else { "RelatedPerson" } });
            // FHIR allows no empty strings.
            if !name.trim().is_empty() {
                who["display"] = json!(name.trim());
            }
            who
        }
    };
    Ok(json!({
        "resourceType": "QuestionnaireResponse",
        "id": check.id,
        "identifier": { "system": format!("{}/fhir/checks", trim_base(base)), "value": check.id },
        "questionnaire": format!("{}|{}", questionnaire_url(base, &instrument.id), check.version),
        "status": "completed",
        "subject": caregiver,
        "authored": rfc3339(check.completed_at),
        "author": author,
        "source": caregiver,
        "item": items,
    }))
}

#[cfg(test)]
mod tests;
