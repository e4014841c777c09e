//! The accessibility statement (toegankelijkheidsverklaring), required for Dutch public services.

use super::{Page, PageRequest};
use crate::errors::AppError;
use askama::Template;
use axum::response::Html;

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    page: Page,
}

pub async fn show(request: PageRequest) -> Result<Html<String>, AppError> {
    Ok(Html(
        AccessibilityPage {
            page: request.page("a11y-title"),
        }
        .render()?,
    ))
}
