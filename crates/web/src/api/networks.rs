//! The kring for integrations: `GET /api/v1/networks/{id}/members` (scope people:read),
//! `…/situation` and `…/fhir` (scope network:read). The same door as the pages
//! (`network::open`: policy and audit record), so a token sees exactly what its owner may see:
//! a professional of another network, a removed member or a member without the category is
//! refused with 403 here as on the pages.

use super::auth::{ApiCaller, ApiError, ErrorBody};
use crate::AppState;
use crate::network::fhir::{ExportProblem, FHIR_JSON, bundle_of};
use crate::network::open;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::api_token::ApiScope;
use mantelkring_core::network::MemberStatus;
use mantelkring_core::time::rfc3339;
use mantelkring_store::network::{members, regie, situation};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    id: String,
    name: String,
    /// own, volunteer, case_manager or professional: the circle the member is drawn in.
    kind: String,
    /// zorg, welzijn or medisch, for professionals.
    field: Option<String>,
    role: String,
    organisation: Option<String>,
    regiehouder: bool,
    /// When the member joined (RFC 3339).
    since: String,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkDto {
    id: String,
    caregiver: String,
    /// Whether the network has a regiehouder.
    has_regiehouder: bool,
    members: Vec<MemberDto>,
}

fn path(id: &str, rest: &str) -> String {
    format!("/api/v1/networks/{id}/{rest}")
}

/// A network's active members with their role, field and organisation.
///
/// Needs `people:read`; the token's owner must be the caregiver or an active member of the
/// network. Every call is in the access log.
#[utoipa::path(
    get,
    path = "/api/v1/networks/{id}/members",
    tag = "networks",
    security(("api_token" = [])),
    params(("id" = String, Path, description = "The network's id")),
    responses(
        (status = 200, description = "The members", body = NetworkDto),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Scope missing, or the owner may not see this network", body = ErrorBody)
    )
)]
async fn network_members(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<NetworkDto>, ApiError> {
    let scope = ApiScope::PeopleRead;
    let (mut tx, kring) = open(
        &state,
        &caller.user,
        &id,
        Action::Read,
        DataCategory::Basic,
        &path(&id, "members"),
    )
    .await
    .map_err(|e| ApiError::from_app(&caller, scope, e))?;
    let active = members::list(&mut tx, &id, Some(MemberStatus::Active)).await?;
    let current = regie::current(&mut tx, &id).await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    Ok(Json(NetworkDto {
        id: id.clone(),
        caregiver: kring.network.caregiver_name.clone(),
        has_regiehouder: current.is_some(),
        members: active
            .into_iter()
            .map(|m| MemberDto {
                regiehouder: current.as_ref().is_some_and(|t| t.member_id == m.id),
                since: rfc3339(m.joined_at),
                kind: m.kind.as_str().to_string(),
                field: m.field.map(|f| f.as_str().to_string()),
                role: m.role_label,
                organisation: m.organisation,
                name: m.name,
                id: m.id,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SituationDto {
    /// The version number (0: nothing saved yet).
    version: i64,
    /// When this version was saved (RFC 3339), if any.
    saved_at: Option<String>,
    /// The fields of "Mijn situatie", as the caregiver wrote them.
    #[schema(value_type = Object)]
    situation: serde_json::Value,
}

/// The current "Mijn situatie" of a network's caregiver.
///
/// Needs `network:read`; the owner must be a member with the "Mijn situatie" category (or the
/// caregiver). Every call is in the access log.
#[utoipa::path(
    get,
    path = "/api/v1/networks/{id}/situation",
    tag = "networks",
    security(("api_token" = [])),
    params(("id" = String, Path, description = "The network's id")),
    responses(
        (status = 200, description = "The current version", body = SituationDto),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Scope missing, or the owner may not see it", body = ErrorBody)
    )
)]
async fn network_situation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SituationDto>, ApiError> {
    let scope = ApiScope::NetworkRead;
    let (mut tx, _) = open(
        &state,
        &caller.user,
        &id,
        Action::Read,
        DataCategory::Situation,
        &path(&id, "situation"),
    )
    .await
    .map_err(|e| ApiError::from_app(&caller, scope, e))?;
    let current = situation::current(&mut tx, &id).await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    Ok(Json(match current {
        Some(v) => SituationDto {
            version: v.number,
            saved_at: Some(rfc3339(v.created_at)),
            situation: serde_json::to_value(&v.situation).unwrap_or_default(),
        },
        None => SituationDto {
            version: 0,
            saved_at: None,
            situation: serde_json::to_value(
                mantelkring_core::network::situation::Situation::default(),
            )
            .unwrap_or_default(),
        },
    }))
}

/// The network as a FHIR R4 Bundle (CareTeam, RelatedPerson for the caregiver with role 100001
/// Mantelzorger, Patient for the naaste, Practitioner/PractitionerRole, Organization).
///
/// Needs `network:read`; the owner must be a professional in the network (or the caregiver).
/// 409 when no naaste has been entered (a CareTeam is about a Patient).
#[utoipa::path(
    get,
    path = "/api/v1/networks/{id}/fhir",
    tag = "networks",
    security(("api_token" = [])),
    params(("id" = String, Path, description = "The network's id")),
    responses(
        (status = 200, description = "A FHIR R4 Bundle of type collection", content_type = "application/fhir+json"),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Scope missing, or the owner may not export it", body = ErrorBody),
        (status = 409, description = "No naaste entered yet", body = ErrorBody)
    )
)]
async fn network_fhir(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let scope = ApiScope::NetworkRead;
    let (mut tx, kring) = open(
        &state,
        &caller.user,
        &id,
        Action::Export,
        DataCategory::Basic,
        &path(&id, "fhir"),
    )
    .await
    .map_err(|e| ApiError::from_app(&caller, scope, e))?;
    let bundle = bundle_of(&mut tx, &kring)
        .await
        .map_err(|e| ApiError::from_app(&caller, scope, e))?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    match bundle {
        Ok(b) => Ok((
            [(header::CONTENT_TYPE, FHIR_JSON)],
            serde_json::to_string(&b).unwrap_or_default(),
        )
            .into_response()),
        Err(ExportProblem::NoNaaste) => Err(ApiError::new(
            StatusCode::CONFLICT,
            &caller.tr,
            "api-network-no-naaste",
        )),
    }
}

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(network_members))
        .routes(utoipa_axum::routes!(network_situation))
        .routes(utoipa_axum::routes!(network_fhir))
}
