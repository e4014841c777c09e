//! The JSON API. Every handler is annotated for OpenAPI and registered with `routes!`, so the
//! router and the document at `/api/openapi.json` cannot drift apart.

mod audit_events;
pub mod auth;
mod networks;
mod people;
pub mod reference;

use crate::AppState;
use crate::errors::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::time::Duration;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mantelkring API",
        description = "JSON API of Mantelkring, the platform for working with and for informal caregivers. \
                       Standard interfaces (HSDS, FHIR, iCalendar) are added by the capabilities that speak them.",
        license(name = "EUPL-1.2")
    ),
    tags(
        (name = "health", description = "Liveness and readiness for load balancers and orchestrators"),
        (name = "regions", description = "Regions and their municipalities (public data)"),
        (name = "people", description = "Personal data, through the access policy; needs an API token with people:read"),
        (name = "audit", description = "The NEN 7513 access log, for log administrators; needs an API token with audit:read"),
        (name = "networks", description = "Care networks (kring) through the access policy: members (people:read), Mijn situatie and the FHIR R4 care team (network:read)")
    ),
    modifiers(&ApiTokenScheme)
)]
struct ApiDoc;

/// The `api_token` security scheme: `Authorization: Bearer mk_…`.
struct ApiTokenScheme;

impl utoipa::Modify for ApiTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "api_token",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("mk_ + 52 base32 characters")
                        .description(Some(
                            "An API token, made by its owner on /account/api-sleutels (after the \
                             second login step) or by an operator with `mantelkring token create`. \
                             It acts as its owner, only within its scopes (people:read, audit:read, network:read), \
                             and every call is logged. Missing, unknown, revoked or expired: 401; \
                             scope missing or refused by the access policy: 403.",
                        ))
                        .build(),
                ),
            );
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(list_regions))
        .merge(people::routes())
        .merge(audit_events::routes())
        .merge(networks::routes())
        .route("/api/openapi.json", axum::routing::get(openapi_document))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `unavailable`.
    status: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "Alive", body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process can serve requests: the database answers within two seconds.
#[utoipa::path(get, path = "/readyz", tag = "health", responses(
    (status = 200, description = "Ready", body = Health),
    (status = 503, description = "The database cannot be reached", body = Health)
))]
async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), state.store().ping()).await {
        Ok(Ok(())) => Json(Health { status: "ready" }).into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                }),
            )
                .into_response()
        }
        Err(_) => {
            tracing::warn!("not ready: database did not answer in time");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                }),
            )
                .into_response()
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MunicipalityDto {
    id: String,
    /// CBS municipality code, for example `GM0546`.
    cbs_code: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    id: String,
    name: String,
    municipalities: Vec<MunicipalityDto>,
    organisation_count: i64,
}

/// All regions with their municipalities.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", responses((status = 200, description = "Regions", body = [RegionDto])))]
async fn list_regions(State(state): State<AppState>) -> Result<Json<Vec<RegionDto>>, AppError> {
    let regions = mantelkring_store::base::region_overview(state.store()).await?;
    Ok(Json(
        regions
            .into_iter()
            .map(|r| RegionDto {
                id: r.region.id,
                name: r.region.name,
                organisation_count: r.organisation_count,
                municipalities: r
                    .municipalities
                    .into_iter()
                    .map(|m| MunicipalityDto {
                        id: m.id,
                        cbs_code: m.cbs_code,
                        name: m.name,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

async fn openapi_document(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.0.openapi_json.clone(),
    )
        .into_response()
}
