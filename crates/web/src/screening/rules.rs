//! `/beheer/signaalregels`: administrators set per region which signal rules are on and their
//! numbers — a threshold per instrument (also for the EDIZ, which has none of its own), the rise,
//! the days without contact, without a regiehouder, for an open question and an unfilled task,
//! and "het gaat niet meer". Checked with `RuleSettings::check` against the instruments in force;
//! every handler through `admin::guard` (administrators after the second factor, audit record).

use crate::AppState;
use crate::admin::{done, guard, invalid, precheck, region_list};
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::{I18n, Tr};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use axum::routing::get;
use mantelkring_core::access::Action;
use mantelkring_core::screening::rules::{RuleSettings, SettingsError};
use mantelkring_store::base::Region;
use mantelkring_store::screening;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

pub fn routes() -> Router<AppState> {
    Router::new().route("/beheer/signaalregels", get(show).post(save))
}

/// A threshold field per instrument.
pub struct ThresholdField {
    pub id: String,
    pub name: String,
    pub value: String,
    pub max: u32,
    /// "Standaard: 7 (vanaf de band 'hoog')" or "Geen standaardgrens".
    pub hint: String,
}

/// A rule counted in days (or the rise): on/off and the number.
pub struct NumberRule {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub on: bool,
    pub value: String,
    pub min: u32,
    pub max: u32,
}

#[derive(Template)]
#[template(path = "screening_rules.html")]
struct RulesPage {
    page: Page,
    regions: Vec<Region>,
    region: Option<Region>,
    score_high: bool,
    cannot_cope: bool,
    thresholds: Vec<ThresholdField>,
    numbers: Vec<NumberRule>,
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

/// The number rules: (form name, message key stem, default when switched on, min, max).
const NUMBERS: [(&str, &str, u32, u32, u32); 5] = [
    ("stijging", "rise", 3, 1, 100),
    ("geen_contact", "no-contact", 28, 1, 365),
    ("geen_regiehouder", "no-regiehouder", 14, 0, 365),
    ("vraag", "question", 7, 1, 365),
    ("taak", "task", 7, 1, 365),
];

fn number_of(settings: &RuleSettings, name: &str) -> Option<u32> {
    match name {
        "stijging" => settings.rise_by,
        "geen_contact" => settings.no_contact_days,
        "geen_regiehouder" => settings.no_regiehouder_days,
        "vraag" => settings.question_days,
        _ => settings.task_unfilled_days,
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    state: &AppState,
    request: &PageRequest,
    regions: Vec<Region>,
    region: Option<Region>,
    settings: &RuleSettings,
    typed: Option<&HashMap<String, String>>,
    message: Option<String>,
    saved: bool,
) -> RulesPage {
    let tr = &request.tr;
    let typed_value = |name: &str| typed.and_then(|t| t.get(name).cloned());
    let typed_on = |name: &str| typed.map(|t| t.contains_key(name));
    let thresholds = state
        .settings()
        .instruments
        .all()
        .into_iter()
        .map(|i| ThresholdField {
            id: i.id.clone(),
            name: i.short_name.clone(),
            value: typed_value(&format!("grens_{}", i.id)).unwrap_or_else(|| {
                settings
                    .thresholds
                    .get(&i.id)
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            }),
            max: i.max_score(),
            hint: match i.default_threshold() {
                Some(t) => tr.t1(
                    "screening-sig-rules-threshold-default",
                    "threshold",
                    &t.to_string(),
                ),
                None => tr.t("screening-sig-rules-threshold-none"),
            },
        })
        .collect();
    let numbers = NUMBERS
        .iter()
        .map(|(name, key, _, min, max)| {
            let stored = number_of(settings, name);
            NumberRule {
                name,
                label: tr.t(&format!("screening-sig-rules-{key}")),
                hint: tr.t(&format!("screening-sig-rules-{key}-hint")),
                on: typed_on(&format!("{name}_aan")).unwrap_or(stored.is_some()),
                value: typed_value(name).unwrap_or_else(|| {
                    stored
                        .or_else(|| number_of(&RuleSettings::default(), name))
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                }),
                min: *min,
                max: *max,
            }
        })
        .collect();
    RulesPage {
        page: request.page("screening-sig-rules-title"),
        regions,
        region,
        score_high: typed_on("score_hoog").unwrap_or(settings.score_at_or_over),
        cannot_cope: typed_on("gaat_niet_meer").unwrap_or(settings.cannot_cope),
        thresholds,
        numbers,
        message,
        saved,
    }
}

/// The rules of one region (the first, unless `?regio=` names another).
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
        Some(r) => screening::region_settings(&mut tx, &r.id).await?,
        None => RuleSettings::default(),
    };
    crate::accounts::commit(&state, tx).await?;
    Ok(Html(
        page(
            &state,
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

/// The form as sent: every field by name (checkboxes only when ticked).
#[derive(Deserialize, Default)]
pub struct RulesForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// Reads the form into settings, or the message of the first problem.
fn read(
    fields: &HashMap<String, String>,
    instruments: &[(String, String)],
    tr: &Tr,
    i18n: &I18n,
) -> Result<RuleSettings, String> {
    let message = |key: &str, args: &[(&str, &str)]| i18n.message(tr.lang, key, args);
    let number = |name: &str, label: &str| -> Result<Option<u32>, String> {
        match fields.get(name).map(|v| v.trim()).unwrap_or("") {
            "" => Ok(None),
            v => v
                .parse::<u32>()
                .map(Some)
                .map_err(|_| message("screening-sig-rules-err-number", &[("field", label)])),
        }
    };
    let mut thresholds = BTreeMap::new();
    for (id, name) in instruments {
        let label = tr.t1("screening-sig-rules-threshold-of", "instrument", name);
        if let Some(t) = number(&format!("grens_{id}"), &label)? {
            thresholds.insert(id.clone(), t);
        }
    }
    let mut settings = RuleSettings {
        score_at_or_over: fields.contains_key("score_hoog"),
        thresholds,
        cannot_cope: fields.contains_key("gaat_niet_meer"),
        ..RuleSettings::default()
    };
    for (name, key, _, _, _) in NUMBERS {
        let label = tr.t(&format!("screening-sig-rules-{key}"));
        let value = if fields.contains_key(&format!("{name}_aan")) {
            match number(name, &label)? {
                Some(v) => Some(v),
                None => {
                    return Err(message(
                        "screening-sig-rules-err-missing",
                        &[("field", &label)],
                    ));
                }
            }
        } else {
            None
        };
        match name {
            "stijging" => settings.rise_by = value,
            "geen_contact" => settings.no_contact_days = value,
            "geen_regiehouder" => settings.no_regiehouder_days = value,
            "vraag" => settings.question_days = value,
            _ => settings.task_unfilled_days = value,
        }
    }
    Ok(settings)
}

/// The message for a problem `RuleSettings::check` found.
fn settings_message(
    e: SettingsError,
    instruments: &[(String, String)],
    tr: &Tr,
    i18n: &I18n,
) -> String {
    let message = |key: &str, args: &[(&str, &str)]| i18n.message(tr.lang, key, args);
    match e {
        SettingsError::Days(what) => {
            // Which rule: the core names it in Dutch; the form shows its own label.
            let key = if what.contains("contact") {
                "no-contact"
            } else if what.contains("regiehouder") {
                "no-regiehouder"
            } else if what.contains("vraag") {
                "question"
            } else {
                "task"
            };
            let label = tr.t(&format!("screening-sig-rules-{key}"));
            message("screening-sig-rules-err-days", &[("field", &label)])
        }
        SettingsError::Rise => message("screening-sig-rules-err-rise", &[]),
        SettingsError::Threshold(id, max) => {
            let name = instruments
                .iter()
                .find(|(i, _)| *i == id)
                .map_or(id.as_str(), |(_, n)| n.as_str());
            message(
                "screening-sig-rules-err-threshold",
                &[("instrument", name), ("max", &max.to_string())],
            )
        }
        SettingsError::UnknownInstrument(id) => {
            message("screening-sig-rules-err-instrument", &[("instrument", &id)])
        }
    }
}

/// Saves a region's rules after checking them; a problem is answered on the form (400).
pub async fn save(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<RulesForm>,
) -> Result<Response, AppError> {
    let user = precheck(&state, &request, Action::Update).await?;
    let regions = region_list(&state).await?;
    let region_id = form.fields.get("regio").cloned().unwrap_or_default();
    let Some(region) = regions.iter().find(|r| r.id == region_id).cloned() else {
        let message = request.tr.t("screening-sig-rules-err-region");
        let region = regions.first().cloned();
        return Ok(invalid(page(
            &state,
            &request,
            regions,
            region,
            &RuleSettings::default(),
            None,
            Some(message),
            false,
        )));
    };
    let catalogue = &state.settings().instruments;
    let names: Vec<(String, String)> = catalogue
        .all()
        .into_iter()
        .map(|i| (i.id.clone(), i.short_name.clone()))
        .collect();
    let limits: Vec<(&str, u32)> = catalogue
        .all()
        .into_iter()
        .map(|i| (i.id.as_str(), i.max_score()))
        .collect();
    let i18n = state.i18n();
    let tr = &request.tr;
    let checked = read(&form.fields, &names, tr, &i18n).and_then(|settings| {
        settings
            .check(&limits)
            .map(|_| settings)
            .map_err(|e| settings_message(e, &names, tr, &i18n))
    });
    let settings = match checked {
        Ok(s) => s,
        Err(message) => {
            return Ok(invalid(page(
                &state,
                &request,
                regions,
                Some(region),
                &RuleSettings::default(),
                Some(&form.fields),
                Some(message),
                false,
            )));
        }
    };
    let (_, mut tx) = guard(&state, &request, Action::Update, None, "administration").await?;
    screening::save_region_settings(&mut tx, &region.id, &settings, &user.actor.user_id).await?;
    done(
        &state,
        tx,
        format!("/beheer/signaalregels?regio={}&opgeslagen=1", region.id),
    )
    .await
}
