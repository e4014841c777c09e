//! The Open Referral HSDS 3.0 API under `/hsds/`: the public sociale kaart as JSON for other
//! systems (read only, no login: the map is public).
//!
//! - `GET /hsds/`: which HSDS version this is.
//! - `GET /hsds/services`, `/hsds/service_at_locations`, `/hsds/organizations`,
//!   `/hsds/taxonomy_terms`: paged lists (`page` from 1, `per_page` 1–100, default 50) as the HSDS
//!   `Page`; `format=ndjson` gives every item, one per line, without pages. Services and places
//!   filter on `search`, `taxonomy_term_id` (with its children), `organization_id` and
//!   `modified_after` (RFC 3339, on or after); places also on `postcode` (PC4 or PC6: nearest
//!   first from the centre of its PC4 area) with `proximity` (metres, as the HSDS API describes
//!   it). Organizations and taxonomy terms take `search`.
//! - `GET /hsds/services/{id}`, `/hsds/service_at_locations/{id}`, `/hsds/organizations/{id}`,
//!   `/hsds/taxonomy_terms/{id}`: one item, fully nested.
//!
//! Errors are JSON (`{"error": {"status", "message", "detail"}}`) in Dutch: 400 for a bad
//! parameter or id, 404 for an unknown id. Three parts: `params` checks the query, `source` finds
//! the data (the place to swap for the search index), this module shapes the answers with
//! `core::directory::hsds`.

pub mod params;
pub mod source;

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mantelkring_core::directory::hsds;
use mantelkring_core::directory::taxonomy::{self, Term};
use mantelkring_store::postcodes;
use serde_json::{Value, json};

use self::params::{Endpoint, ListParams, Window};
use self::source::Query;
use crate::AppState;
use crate::api::auth::ApiError;
use crate::i18n::Tr;
use crate::pages::lang_of;

/// Where the HSDS 3.0 specification and its API description live.
pub const PROFILE_URL: &str = "https://github.com/openreferral/specification/tree/3.0";
pub const OPENAPI_URL: &str =
    "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hsds", get(meta))
        .route("/hsds/", get(meta))
        .route("/hsds/services", get(services))
        .route("/hsds/services/{id}", get(service))
        .route("/hsds/service_at_locations", get(service_at_locations))
        .route("/hsds/service_at_locations/{id}", get(service_at_location))
        .route("/hsds/organizations", get(organizations))
        .route("/hsds/organizations/{id}", get(organization))
        .route("/hsds/taxonomy_terms", get(taxonomy_terms))
        .route("/hsds/taxonomy_terms/{id}", get(taxonomy_term))
}

/// The language of error messages (Dutch unless the `mk_lang` cookie says `en`).
fn tr(state: &AppState, headers: &HeaderMap) -> Tr {
    Tr::new(state.i18n(), lang_of(headers))
}

fn not_found(tr: &Tr) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, tr, "error-404")
}

/// The query string as pairs.
fn pairs(tr: &Tr, raw: Option<String>) -> Result<Vec<(String, String)>, ApiError> {
    serde_html_form::from_str(raw.as_deref().unwrap_or("")).map_err(|_| {
        ApiError::bad_request(
            tr,
            "de parameters in het adres zijn onleesbaar (verkeerde codering)".into(),
        )
    })
}

fn list_params(tr: &Tr, endpoint: Endpoint, raw: Option<String>) -> Result<ListParams, ApiError> {
    params::parse(endpoint, &pairs(tr, raw)?).map_err(|e| ApiError::bad_request(tr, e))
}

/// A page as the HSDS `Page`, or every item as NDJSON.
fn list_response(items: Vec<Value>, total: usize, window: Window) -> Response {
    match window {
        Window::All => {
            let mut body = String::new();
            for item in items {
                body.push_str(&item.to_string());
                body.push('\n');
            }
            ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response()
        }
        Window::Page { page, per_page } => {
            Json(hsds::page(items, total as u64, page, per_page)).into_response()
        }
    }
}

/// The source's query: the postcode becomes the centre of its PC4 area.
async fn query(state: &AppState, tr: &Tr, p: ListParams) -> Result<Query, ApiError> {
    let near = match p.near {
        None => None,
        Some(near) => {
            let area = postcodes::lookup(state.store(), near.pc4).await?;
            let Some(area) = area else {
                return Err(ApiError::bad_request(
                    tr,
                    format!(
                        "postcode {} is onbekend: er is geen middelpunt van dit postcodegebied",
                        near.pc4
                    ),
                ));
            };
            Some((area.centroid, near.proximity_m))
        }
    };
    Ok(Query {
        filter: p.filter,
        window: p.window,
        near,
    })
}

async fn meta() -> Json<Value> {
    Json(json!({
        "version": hsds::HSDS_VERSION,
        "profile": PROFILE_URL,
        "openapi_url": OPENAPI_URL,
    }))
}

async fn services(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let tr = tr(&state, &headers);
    let q = query(&state, &tr, list_params(&tr, Endpoint::Services, raw)?).await?;
    let found = source::list_services(&state, &q).await?;
    let items = found
        .items
        .iter()
        .map(|r| hsds::service_list_item(r))
        .collect();
    Ok(list_response(items, found.total, q.window))
}

async fn service_at_locations(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let tr = tr(&state, &headers);
    let q = query(
        &state,
        &tr,
        list_params(&tr, Endpoint::ServiceAtLocations, raw)?,
    )
    .await?;
    let found = source::list_service_at_locations(&state, &q).await?;
    let items = found
        .items
        .iter()
        .map(|hit| {
            hsds::service_at_location_list_item(&hit.service, &hit.service.locations[hit.index])
        })
        .collect();
    Ok(list_response(items, found.total, q.window))
}

async fn organizations(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let tr = tr(&state, &headers);
    let p = list_params(&tr, Endpoint::Organizations, raw)?;
    let all: Vec<Value> = source::organizations(&state)
        .await?
        .iter()
        .filter(|(o, _)| {
            p.filter
                .search
                .as_ref()
                .is_none_or(|s| o.name.to_lowercase().contains(s.as_str()))
        })
        .map(|(o, _)| hsds::organization_list_item(o))
        .collect();
    let total = all.len();
    let range = p.window.range(total);
    let items = all[range].to_vec();
    Ok(list_response(items, total, p.window))
}

fn term_matches(t: &Term, search: &str) -> bool {
    [t.code, t.nl, t.en]
        .into_iter()
        .chain(t.synonyms.iter().copied())
        .any(|s| s.to_lowercase().contains(search))
}

async fn taxonomy_terms(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let tr = tr(&state, &headers);
    let p = list_params(&tr, Endpoint::TaxonomyTerms, raw)?;
    let all: Vec<&Term> = taxonomy::TERMS
        .iter()
        .filter(|t| p.filter.search.as_ref().is_none_or(|s| term_matches(t, s)))
        .collect();
    let total = all.len();
    let items = all[p.window.range(total)]
        .iter()
        .map(|t| hsds::taxonomy_term(t))
        .collect();
    Ok(list_response(items, total, p.window))
}

fn id_of(tr: &Tr, what: &str, raw: &str) -> Result<uuid::Uuid, ApiError> {
    params::path_id(what, raw).map_err(|e| ApiError::bad_request(tr, e))
}

async fn service(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr(&state, &headers);
    let id = id_of(&tr, "dienst", &raw)?;
    let record = source::service(&state, id)
        .await?
        .ok_or_else(|| not_found(&tr))?;
    Ok(Json(hsds::service_full(&record)))
}

async fn service_at_location(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr(&state, &headers);
    let id = id_of(&tr, "service_at_location", &raw)?;
    let (record, index) = source::service_at_location(&state, id)
        .await?
        .ok_or_else(|| not_found(&tr))?;
    Ok(Json(hsds::service_at_location_full(
        &record,
        &record.locations[index],
    )))
}

async fn organization(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr(&state, &headers);
    let id = id_of(&tr, "organisatie", &raw)?;
    let (org, services) = source::organization(&state, id)
        .await?
        .ok_or_else(|| not_found(&tr))?;
    Ok(Json(hsds::organization_full(&org, &services)))
}

async fn taxonomy_term(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tr = tr(&state, &headers);
    let id = id_of(&tr, "taxonomieterm", &raw)?;
    let term = taxonomy::by_id(&id).ok_or_else(|| not_found(&tr))?;
    Ok(Json(hsds::taxonomy_term(term)))
}
