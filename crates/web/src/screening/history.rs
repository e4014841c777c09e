//! `/kringen/{id}/signaleren/verloop?lijst=csi`: the scores of one instrument over time, as a
//! chart (inline SVG, `core::screening::chart`) with the same figures in a table next to it
//! (date, score, band, how it was filled in), and links to each result.

use super::checks::thresholds;
use super::{date_of, enter, mode_label, path, render, score_of};
use crate::AppState;
use crate::errors::AppError;
use crate::network::KringNav;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use mantelkring_core::access::Action;
use mantelkring_core::screening::chart::{self, ChartInput, ChartLabels, ChartPoint};
use mantelkring_store::screening::checks;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/kringen/{id}/signaleren/verloop", get(show))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HistoryQuery {
    lijst: String,
}

struct Row {
    date: String,
    score: String,
    band: String,
    how: String,
    href: String,
}

#[derive(Template)]
#[template(path = "screening_history.html")]
struct HistoryPage {
    page: Page,
    nav: KringNav,
    heading: String,
    instrument: String,
    /// (href, short name, current) for each instrument.
    choices: Vec<(String, String, bool)>,
    chart: String,
    threshold_note: Option<String>,
    no_band_note: Option<String>,
    rows: Vec<Row>,
    problem: Option<String>,
    back: String,
    questionnaire_href: String,
}

/// `GET /kringen/{id}/signaleren/verloop?lijst=…` (the first instrument when none is given).
async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let t = &request.tr;
    let catalogue = state.settings().instruments.clone();
    let query: HistoryQuery =
        serde_html_form::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let asked = query.lijst.trim();
    let (instrument, problem) = match catalogue.get(asked) {
        Some(i) => (i, None),
        None if asked.is_empty() => (catalogue.all()[0], None),
        None => (catalogue.all()[0], Some(t.t("screening-error-instrument"))),
    };
    let history = checks::history(&mut tx, &id, &instrument.id).await?;
    let threshold = thresholds(&state, &mut tx, &id)
        .await?
        .get(&instrument.id)
        .copied();
    crate::accounts::commit(&state, tx).await?;

    let points: Vec<ChartPoint> = history
        .iter()
        .map(|c| {
            let score = c.score.unwrap_or_default();
            let date = date_of(c.completed_at.unwrap_or(c.updated_at));
            let band = instrument.band(score).map(|b| b.label.clone());
            ChartPoint {
                at: c.completed_at.unwrap_or(c.updated_at),
                score,
                tooltip: match &band {
                    Some(b) => format!("{date}: {score} ({b})"),
                    None => format!("{date}: {score}"),
                },
                date,
            }
        })
        .collect();
    let description = match (points.first(), points.last()) {
        (Some(first), Some(last)) => {
            let low = points.iter().map(|p| p.score).min().unwrap_or_default();
            let high = points.iter().map(|p| p.score).max().unwrap_or_default();
            let mut text = t.tn("screening-chart-desc-count", "count", points.len() as i64);
            text.push(' ');
            text.push_str(&t.t2(
                "screening-chart-desc-range",
                ("low", &low.to_string()),
                ("high", &high.to_string()),
            ));
            text.push(' ');
            text.push_str(&t.t2(
                "screening-chart-desc-span",
                ("first", &first.date),
                ("last", &format!("{} ({})", last.date, last.score)),
            ));
            if let Some(threshold) = threshold {
                text.push(' ');
                text.push_str(&t.t1(
                    "screening-chart-desc-threshold",
                    "threshold",
                    &threshold.to_string(),
                ));
            }
            text
        }
        _ => t.t("screening-chart-empty"),
    };
    let svg = chart::svg(
        &ChartInput {
            id_prefix: format!("verloop-{}", instrument.id),
            max: instrument.max_score(),
            threshold,
            points,
        },
        &ChartLabels {
            title: t.t1("screening-chart-title", "name", &instrument.short_name),
            description,
            threshold: t.t1(
                "screening-chart-threshold",
                "threshold",
                &threshold.unwrap_or_default().to_string(),
            ),
            axis: t.t("screening-chart-axis"),
            empty: t.t("screening-chart-empty"),
        },
    );
    let rows = history
        .iter()
        .rev()
        .map(|c| {
            let score = c.score.unwrap_or_default();
            Row {
                date: date_of(c.completed_at.unwrap_or(c.updated_at)),
                score: score_of(t, score, instrument),
                band: instrument
                    .band(score)
                    .map_or_else(|| t.t("screening-no-band"), |b| b.label.clone()),
                how: mode_label(t, c),
                href: path(&id, &format!("checks/{}", c.id)),
            }
        })
        .collect();
    let heading = t.t1("screening-history-title", "name", &instrument.short_name);
    let mut page = request.page("screening-title");
    page.title.clone_from(&heading);
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        HistoryPage {
            nav: KringNav::new(&kring, t, "signaleren"),
            instrument: instrument.name.clone(),
            choices: catalogue
                .all()
                .into_iter()
                .map(|i| {
                    (
                        format!("{}?lijst={}", path(&id, "verloop"), i.id),
                        i.short_name.clone(),
                        i.id == instrument.id,
                    )
                })
                .collect(),
            chart: svg,
            threshold_note: threshold
                .map(|th| t.t1("screening-history-threshold", "threshold", &th.to_string())),
            no_band_note: if instrument.bands.is_empty() {
                instrument.no_band_note.clone()
            } else {
                None
            },
            rows,
            problem,
            back: path(&id, ""),
            questionnaire_href: format!("/fhir/Questionnaire/{}", instrument.id),
            heading,
            page,
        },
    ))
}
