//! `/beheer/koppelregels`: administrators set per region how the matching engine weighs a
//! candidate (distance, helped before, skills, language, spreading the work, urgency), how long a
//! volunteer has to answer a proposal, and how many years a VOG counts. Checked with
//! `RegionSettings::check`; every handler through `admin::guard` (administrators after the
//! second factor, audit record). The coordinator's pages, the answer time of new proposals and
//! the expiry job read them (`store::matching::settings::of_region`).

use crate::AppState;
use crate::admin::{done, guard, invalid, precheck, region_list};
use crate::errors::AppError;
use crate::forms::Form;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use axum::routing::get;
use mantelkring_core::access::Action;
use mantelkring_core::matching::settings::RegionSettings;
use mantelkring_core::time::now_ms;
use mantelkring_store::base::Region;
use mantelkring_store::matching::settings as store_settings;
use serde::Deserialize;
use std::collections::HashMap;

pub const PATH: &str = "/beheer/koppelregels";

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(show).post(save))
}

/// One number on the form.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub min: u32,
    pub max: u32,
}

#[derive(Template)]
#[template(path = "matching_settings.html")]
struct SettingsPage {
    page: Page,
    regions: Vec<Region>,
    region: Option<Region>,
    weights: Vec<Field>,
    times: Vec<Field>,
    message: Option<String>,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct RegionQuery {
    #[serde(default)]
    regio: String,
    #[serde(default)]
    opgeslagen: String,
}

fn page(
    request: &PageRequest,
    regions: Vec<Region>,
    region: Option<Region>,
    settings: &RegionSettings,
    typed: Option<&HashMap<String, String>>,
    message: Option<String>,
    saved: bool,
) -> SettingsPage {
    let tr = &request.tr;
    let defaults = RegionSettings::default();
    let field = |(name, value): (&'static str, u32)| {
        let (min, max) = RegionSettings::limits(name);
        let default = defaults
            .fields()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, v)| v);
        Field {
            name,
            label: tr.t(&format!("matching-set-{}", name.replace('_', "-"))),
            hint: tr.t1(
                &format!("matching-set-{}-hint", name.replace('_', "-")),
                "default",
                &default.to_string(),
            ),
            value: typed
                .and_then(|t| t.get(name).cloned())
                .unwrap_or_else(|| value.to_string()),
            min,
            max,
        }
    };
    let mut fields: Vec<Field> = settings.fields().into_iter().map(field).collect();
    let times = fields.split_off(6);
    SettingsPage {
        page: request.page("matching-set-title"),
        regions,
        region,
        weights: fields,
        times,
        message,
        saved,
    }
}

/// The settings of one region (the first, unless `?regio=` names another).
pub async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Query(query): Query<RegionQuery>,
) -> Result<Html<String>, AppError> {
    let (_, mut tx) = guard(&state, &request, Action::Read, None, "administration").await?;
    let regions = region_list(&state).await?;
    let region = regions
        .iter()
        .find(|r| r.id == query.regio)
        .or(regions.first())
        .cloned();
    let settings = match &region {
        Some(r) => store_settings::of_region(&mut tx, &r.id)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?,
        None => RegionSettings::default(),
    };
    crate::accounts::commit(&state, tx).await?;
    Ok(Html(
        page(
            &request,
            regions,
            region,
            &settings,
            None,
            None,
            !query.opgeslagen.is_empty(),
        )
        .render()?,
    ))
}

/// The form as sent: every field by name.
#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// Reads the form into checked settings, or the message of the first problem.
fn read(fields: &HashMap<String, String>, request: &PageRequest) -> Result<RegionSettings, String> {
    let tr = &request.tr;
    let mut settings = RegionSettings::default();
    for (name, _) in RegionSettings::default().fields() {
        let label = tr.t(&format!("matching-set-{}", name.replace('_', "-")));
        let raw = fields.get(name).map(|v| v.trim()).unwrap_or("");
        let value = raw
            .parse::<u32>()
            .map_err(|_| tr.t1("matching-set-err-number", "field", &label))?;
        settings.set(name, value);
    }
    settings.check().map_err(|e| {
        let label = tr.t(&format!("matching-set-{}", e.field.replace('_', "-")));
        tr.t2(
            "matching-set-err-range",
            ("field", &label),
            ("range", &format!("{}–{}", e.min, e.max)),
        )
    })?;
    Ok(settings)
}

/// Saves a region's settings after checking them; a problem is answered on the form (400).
pub async fn save(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let user = precheck(&state, &request, Action::Update).await?;
    let regions = region_list(&state).await?;
    let region_id = form.fields.get("regio").cloned().unwrap_or_default();
    let Some(region) = regions.iter().find(|r| r.id == region_id).cloned() else {
        let message = request.tr.t("matching-set-err-region");
        let region = regions.first().cloned();
        return Ok(invalid(page(
            &request,
            regions,
            region,
            &RegionSettings::default(),
            None,
            Some(message),
            false,
        )));
    };
    let settings = match read(&form.fields, &request) {
        Ok(s) => s,
        Err(message) => {
            return Ok(invalid(page(
                &request,
                regions,
                Some(region),
                &RegionSettings::default(),
                Some(&form.fields),
                Some(message),
                false,
            )));
        }
    };
    let (_, mut tx) = guard(&state, &request, Action::Update, None, "administration").await?;
    store_settings::save(
        &mut tx,
        &region.id,
        &settings,
        &user.actor.user_id,
        now_ms(),
    )
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    done(
        &state,
        tx,
        format!("{PATH}?regio={}&opgeslagen=1", region.id),
    )
    .await
}
