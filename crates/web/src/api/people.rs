//! `GET /api/v1/people/{id}`: a person's basic data (and contact details where the person shares
//! them with the token's owner), for integrations with the `people:read` scope. The same policy
//! and audit record as the person page.

use super::auth::{ApiCaller, ApiError, ErrorBody};
use crate::AppState;
use crate::access::{Subject, also_sees, decide};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use mantelkring_core::access::{Action, DataCategory, Resource};
use mantelkring_core::api_token::ApiScope;
use mantelkring_store::network;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    id: String,
    /// Given and family name.
    name: String,
    given_name: String,
    family_name: String,
    /// The municipality the person lives in.
    municipality: Option<String>,
    /// Only when the person shares their contact details with the token's owner.
    contact: Option<ContactDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    email: Option<String>,
    phone: Option<String>,
    postcode: Option<String>,
}

/// A person's name and municipality, and contact details where the person shares them.
///
/// Needs an API token with the scope `people:read`. The owner of the token must be allowed to
/// see this person (their own data, or a member of the person's network with consent); every
/// call is logged in the access log (NEN 7513), refusals too.
#[utoipa::path(
    get,
    path = "/api/v1/people/{id}",
    tag = "people",
    security(("api_token" = [])),
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = PersonDto),
        (status = 401, description = "No valid API token (missing, unknown, revoked or expired)", body = ErrorBody),
        (status = 403, description = "The token lacks people:read, or its owner may not see this person", body = ErrorBody),
        (status = 404, description = "The person no longer exists", body = ErrorBody)
    )
)]
async fn person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(person_id): Path<String>,
) -> Result<Json<PersonDto>, ApiError> {
    let user = &caller.user;
    let scope = ApiScope::PeopleRead;
    let relationship = network::relationship(state.store(), &user.actor, &person_id).await?;
    let with_contact = also_sees(user, &relationship, DataCategory::Contact);
    let categories = if with_contact {
        "basic,contact"
    } else {
        "basic"
    };
    let tx = state.store().begin_write().await?;
    let path = format!("/api/v1/people/{person_id}");
    let (mut tx, _) = decide(
        &state,
        tx,
        user,
        Action::Read,
        &Resource::PersonData {
            category: DataCategory::Basic,
            relationship: &relationship,
        },
        &Subject {
            person_id: Some(&person_id),
            categories,
        },
        &path,
    )
    .await
    .map_err(|e| ApiError::from_app(&caller, scope, e))?;
    let record = network::person(&mut tx, &person_id).await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let Some(record) = record else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            &caller.tr,
            "api-token-error-404",
        ));
    };
    Ok(Json(PersonDto {
        name: format!("{} {}", record.given_name, record.family_name)
            .trim()
            .to_string(),
        id: record.id,
        given_name: record.given_name,
        family_name: record.family_name,
        municipality: record.municipality,
        contact: with_contact.then_some(ContactDto {
            email: record.email,
            phone: record.phone,
            postcode: record.postcode,
        }),
    }))
}

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(person))
}
