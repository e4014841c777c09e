//! The kring as a FHIR R4 Bundle (core::network::fhir does the mapping): downloaded from the
//! overview by the caregiver (or who acts for them) and the professionals in the network
//! (policy: Export on Basic), and served by the API for integrations (scope network:read).

use super::{Kring, open};
use crate::AppState;
use crate::errors::AppError;
use crate::identity::require_user;
use crate::pages::PageRequest;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::network::MemberStatus;
use mantelkring_core::network::fhir::{
    FhirCaregiver, FhirError, FhirMember, FhirNaaste, FhirNetwork, FhirOrganisation, bundle,
};
use mantelkring_core::time::now_ms;
use mantelkring_store::Conn;
use mantelkring_store::network::{self, members, regie};

pub fn routes() -> Router<AppState> {
    Router::new().route("/kringen/{id}/fhir", get(download))
}

/// FHIR's own media type.
pub const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

/// "Marieke Jansen" → ("Marieke", "Jansen"); one word is a given name.
fn split_name(name: &str) -> (String, String) {
    match name.trim().split_once(' ') {
        Some((given, family)) => (given.to_string(), family.trim().to_string()),
        None => (name.trim().to_string(), String::new()),
    }
}

/// Why the network cannot be exported yet.
pub enum ExportProblem {
    /// A FHIR care team is about a patient: the naaste must be filled in first.
    NoNaaste,
}

/// The Bundle of an opened network. The caregiver's e-mail and phone are in it only when the
/// visitor sees the caregiver's contact details.
pub async fn bundle_of(
    conn: &mut Conn,
    kring: &Kring,
) -> Result<Result<serde_json::Value, ExportProblem>, AppError> {
    let id = &kring.network.id;
    let person = network::person(&mut *conn, &kring.network.caregiver_person_id).await?;
    let naasten = members::naasten(&mut *conn, id).await?;
    let active = members::list(&mut *conn, id, Some(MemberStatus::Active)).await?;
    let current = regie::current(&mut *conn, id).await?;
    let with_contact = kring.sees(DataCategory::Contact);
    let (given, family) = match &person {
        Some(p) => (p.given_name.clone(), p.family_name.clone()),
        None => split_name(&kring.network.caregiver_name),
    };
    let net = FhirNetwork {
        network_id: id.clone(),
        name: format!("Kring van {}", kring.network.caregiver_name),
        generated_at_ms: now_ms(),
        caregiver: FhirCaregiver {
            id: kring.network.caregiver_person_id.clone(),
            given,
            family,
            email: person
                .as_ref()
                .and_then(|p| p.email.clone())
                .filter(|_| with_contact),
            phone: person
                .as_ref()
                .and_then(|p| p.phone.clone())
                .filter(|_| with_contact),
        },
        naasten: naasten
            .iter()
            .map(|n| FhirNaaste {
                id: n.id.clone(),
                given: n.given_name.clone(),
                family: n.family_name.clone(),
                relation: n.relation,
                birth_year: n.birth_year.and_then(|y| i32::try_from(y).ok()),
            })
            .collect(),
        members: active
            .iter()
            .map(|m| {
                let (given, family) = split_name(&m.name);
                FhirMember {
                    id: m.id.clone(),
                    given,
                    family,
                    kind: m.kind,
                    field: m.field,
                    role_label: m.role_label.clone(),
                    organisation: m
                        .organisation_id
                        .clone()
                        .zip(m.organisation.clone())
                        .map(|(id, name)| FhirOrganisation { id, name }),
                    regiehouder: current.as_ref().is_some_and(|t| t.member_id == m.id),
                    since_ms: m.joined_at,
                    email: Some(m.email.clone()),
                    phone: None,
                }
            })
            .collect(),
    };
    match bundle(&net) {
        Ok(b) => Ok(Ok(b)),
        Err(FhirError::NoNaaste) => Ok(Err(ExportProblem::NoNaaste)),
        Err(e) => Err(AppError::Internal(format!("FHIR: {e}"))),
    }
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoNaastePage {
    page: crate::pages::Page,
    heading: String,
    text: String,
    link_href: String,
    link_text: String,
}

pub async fn download(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Export,
        DataCategory::Basic,
        &request.path,
    )
    .await?;
    let bundle = bundle_of(&mut tx, &kring).await?;
    crate::accounts::commit(&state, tx).await?;
    let bundle = match bundle {
        Ok(b) => b,
        Err(ExportProblem::NoNaaste) => {
            let page = NoNaastePage {
                page: request.page("kring-fhir-no-naaste-title"),
                heading: request.tr.t("kring-fhir-no-naaste-title"),
                text: request.tr.t("kring-fhir-no-naaste"),
                link_href: super::path(&id, "leden"),
                link_text: request.tr.t("kring-to-members"),
            };
            return Ok(crate::accounts::message_page(StatusCode::CONFLICT, page));
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, FHIR_JSON.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"kring-{id}.fhir.json\""),
            ),
        ],
        serde_json::to_string_pretty(&bundle).unwrap_or_default(),
    )
        .into_response())
}
