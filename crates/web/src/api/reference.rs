//! A readable page about the API, rendered on the server from the same OpenAPI document
//! (no Swagger UI download, no script).

use crate::AppState;
use crate::errors::AppError;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use utoipa::openapi::{OpenApi, RefOr};

/// The API as the page lists it: one entry per operation.
#[derive(Debug, Clone, Default)]
pub struct ApiReference {
    pub version: String,
    pub operations: Vec<OperationView>,
}

#[derive(Debug, Clone)]
pub struct OperationView {
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    pub responses: Vec<(String, String)>,
}

impl ApiReference {
    pub fn from_openapi(openapi: &OpenApi) -> ApiReference {
        let mut operations = Vec::new();
        for (path, item) in &openapi.paths.paths {
            let methods = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            for (method, op) in methods {
                let Some(op) = op else { continue };
                let responses = op
                    .responses
                    .responses
                    .iter()
                    .map(|(code, r)| {
                        let text = match r {
                            RefOr::T(r) => r.description.clone(),
                            RefOr::Ref(r) => r.ref_location.clone(),
                        };
                        (code.clone(), text)
                    })
                    .collect();
                operations.push(OperationView {
                    method,
                    path: path.clone(),
                    summary: op
                        .summary
                        .clone()
                        .or_else(|| op.description.clone())
                        .unwrap_or_default(),
                    responses,
                });
            }
        }
        ApiReference {
            version: openapi.info.version.clone(),
            operations,
        }
    }
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiPage<'a> {
    page: Page,
    reference: &'a ApiReference,
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/api", get(show))
}

async fn show(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let page = ApiPage {
        page: request.page("api-title"),
        reference: &state.0.api_reference,
    };
    Ok(Html(page.render()?))
}
