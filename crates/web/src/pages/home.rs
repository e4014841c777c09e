//! The home page: what Mantelkring is, for whom, and where it works.

use super::{Page, PageRequest};
use crate::AppState;
use crate::errors::AppError;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use mantelkring_store::base::{self, RegionOverview};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    regions: Vec<RegionView>,
}

struct RegionView {
    name: String,
    municipalities: String,
    organisation_count: i64,
}

impl From<RegionOverview> for RegionView {
    fn from(r: RegionOverview) -> Self {
        let names: Vec<&str> = r.municipalities.iter().map(|m| m.name.as_str()).collect();
        RegionView {
            name: r.region.name,
            municipalities: names.join(", "),
            organisation_count: r.organisation_count,
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let regions = base::region_overview(state.store()).await?;
    let page = HomePage {
        page: request.page("home-title"),
        regions: regions.into_iter().map(RegionView::from).collect(),
    };
    Ok(Html(page.render()?))
}
