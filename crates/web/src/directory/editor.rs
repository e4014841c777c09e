//! The editors' area of the sociale kaart (`/kaart/beheer`): per organisation its services and
//! locations with the date they were last checked, the stale ones flagged, the open error reports,
//! a "Klopt nog" button per service, and the version history of each entry.
//!
//! Every page and form goes through [`guard`]: the access policy for
//! `Resource::Organisation { organisation_id }` must allow *changing* the organisation's entries
//! (its editors; administrators after the second factor) — reading is open to everyone, so the
//! editors' pages, which also show the reporters' contact details, ask for the edit right. Refusals
//! and allowed requests leave an audit record, the allowed ones in the transaction of the change.

use crate::AppState;
use crate::access::{Subject, decide_with_detail};
use crate::errors::AppError;
use crate::i18n::{Lang, Tr};
use crate::identity::{Authenticated, require_user};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, Resource, may};
use mantelkring_core::base::Role;
use mantelkring_core::directory::draft::{FieldChange, WeeklyHours};
use mantelkring_core::directory::freshness;
use mantelkring_core::directory::model::{Funding, ServiceStatus};
use mantelkring_core::directory::taxonomy;
use mantelkring_core::time::now_ms;
use mantelkring_store::directory::{self, Editor, Selection, Version};
use mantelkring_store::{StoreError, Tx, admin};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

use super::{location_form, service_form};

/// The data category named in the audit records of these pages.
const CATEGORY: &str = "directory";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/kaart/beheer", get(choose))
        .route("/kaart/beheer/organisaties/{id}", get(dashboard))
        .route(
            "/kaart/beheer/organisaties/{id}/profiel",
            get(location_form::profile_form).post(location_form::save_profile),
        )
        .route(
            "/kaart/beheer/organisaties/{id}/diensten/nieuw",
            get(service_form::new_form).post(service_form::create),
        )
        .route(
            "/kaart/beheer/organisaties/{id}/locaties/nieuw",
            get(location_form::new_form).post(location_form::create),
        )
        .route(
            "/kaart/beheer/organisaties/{id}/meldingen/{melding}/sluiten",
            post(close_report),
        )
        .route(
            "/kaart/beheer/diensten/{id}",
            get(service_form::edit_form).post(service_form::update),
        )
        .route("/kaart/beheer/diensten/{id}/klopt-nog", post(review))
        .route("/kaart/beheer/diensten/{id}/versies", get(service_versions))
        .route(
            "/kaart/beheer/locaties/{id}",
            get(location_form::edit_form).post(location_form::update),
        )
        .route(
            "/kaart/beheer/locaties/{id}/versies",
            get(location_versions),
        )
}

// ---- The gate -----------------------------------------------------------------------------------

/// An id from the path; anything else is a page that does not exist.
pub(super) fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// Checks, before anything else (before a form is validated), that the logged-in user may change
/// this organisation's entries. A refusal is logged and answered with 403 (or the second-factor
/// step for an administrator); nothing is logged yet for an allowed user — [`guard`] does that.
pub(super) async fn precheck(
    state: &AppState,
    request: &PageRequest,
    organisation: Uuid,
) -> Result<Authenticated, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let org = organisation.to_string();
    let resource = Resource::Organisation {
        organisation_id: &org,
    };
    if may(Some(&user.actor), Action::Update, &resource).is_allowed() {
        return Ok(user);
    }
    let tx = state.store().begin_write().await?;
    let detail = format!("organisation={org}");
    // Refused: `decide` commits the refusal record and returns the error.
    decide_with_detail(
        state,
        tx,
        &user,
        Action::Update,
        &resource,
        &Subject {
            person_id: None,
            categories: CATEGORY,
        },
        &request.path,
        Some(&detail),
    )
    .await?;
    Err(AppError::Forbidden)
}

/// [`precheck`], then `action` on the organisation decided and logged (with `what` in the detail)
/// in a new write transaction, in which the caller reads or writes and then commits.
pub(super) async fn guard(
    state: &AppState,
    request: &PageRequest,
    organisation: Uuid,
    action: Action,
    what: &str,
) -> Result<(Authenticated, Tx), AppError> {
    let user = precheck(state, request, organisation).await?;
    let org = organisation.to_string();
    let tx = state.store().begin_write().await?;
    let detail = format!("organisation={org} {what}");
    let (tx, _) = decide_with_detail(
        state,
        tx,
        &user,
        action,
        &Resource::Organisation {
            organisation_id: &org,
        },
        &Subject {
            person_id: None,
            categories: CATEGORY,
        },
        &request.path,
        Some(detail.trim_end()),
    )
    .await?;
    Ok((user, tx))
}

/// Who made a change, as the version history shows it.
pub(super) fn editor(user: &Authenticated) -> Editor {
    Editor {
        user_id: Some(user.actor.user_id.clone()),
        name: user.display_name.clone(),
    }
}

/// Commits, wakes the worker (a change may have queued e-mail) and sends the browser on (303).
pub(super) async fn done(state: &AppState, tx: Tx, to: String) -> Result<Response, AppError> {
    crate::accounts::commit(state, tx).await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

/// A form sent back with its problems (400): nothing was written.
pub(super) fn invalid<T: Template>(page: T) -> Response {
    crate::accounts::message_page(StatusCode::BAD_REQUEST, page)
}

/// The dashboard of an organisation.
pub(super) fn dashboard_path(organisation: Uuid) -> String {
    format!("/kaart/beheer/organisaties/{organisation}")
}

/// The organisation (with its region), if it exists.
pub(super) async fn organisation(
    state: &AppState,
    id: Uuid,
) -> Result<Option<admin::OrganisationLine>, AppError> {
    let id = id.to_string();
    Ok(admin::organisations(state.store())
        .await?
        .into_iter()
        .find(|o| o.organisation.id == id))
}

/// The organisation a service belongs to, or 404.
pub(super) async fn service_organisation(state: &AppState, id: Uuid) -> Result<Uuid, AppError> {
    let mut conn = state
        .store()
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    directory::service_organisation(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub(super) use crate::people::format_date;

pub(super) fn status_label(tr: &Tr, status: ServiceStatus) -> String {
    tr.code("dir-status", &status.as_str().replace(' ', "-"))
}

pub(super) fn funding_label(tr: &Tr, funding: Funding) -> String {
    tr.code("dir-funding", funding.as_str())
}

pub(super) fn term_label(lang: Lang, code: &str) -> String {
    match taxonomy::by_code(code) {
        Some(term) => match lang {
            Lang::Nl => term.nl.to_string(),
            Lang::En => term.en.to_string(),
        },
        None => code.to_string(),
    }
}

pub(super) fn language_label(tr: &Tr, code: &str) -> String {
    tr.code("dir-language", code)
}

// ---- Choosing the organisation ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "directory_editor_choose.html")]
struct ChoosePage {
    page: Page,
    organisations: Vec<(String, String)>,
}

/// `/kaart/beheer`: straight to the dashboard of the one organisation the user edits for, or a
/// choice when there are several (an administrator chooses from all).
async fn choose(State(state): State<AppState>, request: PageRequest) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let mine: Vec<String> = user
        .actor
        .memberships
        .iter()
        .filter(|(_, role)| *role == Role::OrganisationEditor)
        .map(|(org, _)| org.clone())
        .collect();
    // An administrator (after the second factor) may edit every organisation's entries.
    let everyone = Resource::Organisation {
        organisation_id: "",
    };
    let administrator = user.actor.has_role(Role::Administrator)
        && may(Some(&user.actor), Action::Update, &everyone).is_allowed();
    if mine.is_empty() && !administrator {
        let tx = state.store().begin_write().await?;
        decide_with_detail(
            &state,
            tx,
            &user,
            Action::Update,
            &everyone,
            &Subject {
                person_id: None,
                categories: CATEGORY,
            },
            &request.path,
            None,
        )
        .await?;
        return Err(AppError::Forbidden);
    }
    let organisations: Vec<(String, String)> = admin::organisations(state.store())
        .await?
        .into_iter()
        .filter(|o| administrator || mine.contains(&o.organisation.id))
        .map(|o| (o.organisation.id, o.organisation.name))
        .collect();
    if let [(only, _)] = organisations.as_slice()
        && !administrator
    {
        let to = format!("/kaart/beheer/organisaties/{only}");
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response());
    }
    Ok(Html(
        ChoosePage {
            page: request.page("dir-choose-title"),
            organisations,
        }
        .render()?,
    )
    .into_response())
}

// ---- The dashboard ----------------------------------------------------------------------------

struct ServiceLine {
    id: String,
    name: String,
    status: String,
    listed: bool,
    last_checked: String,
    days: i64,
    stale: bool,
    open_reports: usize,
}

struct LocationLine {
    id: String,
    name: String,
    address: String,
    last_changed: String,
}

struct ReportLine {
    id: String,
    service_id: String,
    service: String,
    message: String,
    contact: Option<String>,
    received: String,
}

#[derive(Template)]
#[template(path = "directory_editor_dashboard.html")]
struct DashboardPage {
    page: Page,
    organisation_id: String,
    organisation: String,
    services: Vec<ServiceLine>,
    locations: Vec<LocationLine>,
    reports: Vec<ReportLine>,
    stale: i64,
    stale_after_days: String,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    #[serde(default)]
    gedaan: String,
}

async fn dashboard(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    let org = parse_id(&id)?;
    let (_, mut tx) = guard(&state, &request, org, Action::Read, "dashboard").await?;
    let Some(line) = organisation(&state, org).await? else {
        drop(tx);
        return Err(AppError::NotFound);
    };
    let records = directory::load(&mut tx, Selection::Organisation(org)).await?;
    let locations = directory::locations_of(&mut tx, org).await?;
    let reports = directory::open_reports(&mut tx, org).await?;
    let mut location_lines = Vec::with_capacity(locations.len());
    for l in locations {
        let last = directory::versions(&mut tx, l.id)
            .await?
            .first()
            .map(|v| format_date(v.changed_at))
            .unwrap_or_else(|| "—".into());
        location_lines.push(LocationLine {
            id: l.id.to_string(),
            address: format!("{}, {} {}", l.street, l.postcode, l.city),
            name: l.name,
            last_changed: last,
        });
    }
    tx.commit().await.map_err(StoreError::from)?;

    let days = state.settings().directory_stale_after_days;
    let now = now_ms();
    let tr = &request.tr;
    let mut services: Vec<ServiceLine> = records
        .iter()
        .map(|r| {
            let listed = r.status.is_listed();
            ServiceLine {
                id: r.id.to_string(),
                name: r.name.clone(),
                status: status_label(tr, r.status),
                listed,
                last_checked: format_date(r.last_reviewed_at),
                days: freshness::days_since(r.last_reviewed_at, now),
                stale: listed && freshness::is_stale(r.last_reviewed_at, now, days),
                open_reports: reports.iter().filter(|x| x.service_id == r.id).count(),
            }
        })
        .collect();
    // Stale first (oldest check first), then the rest by name.
    services.sort_by(|a, b| {
        b.stale
            .cmp(&a.stale)
            .then_with(|| {
                if a.stale {
                    b.days.cmp(&a.days)
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then_with(|| a.name.cmp(&b.name))
    });
    let stale = services.iter().filter(|s| s.stale).count() as i64;
    let notice = match q.gedaan.as_str() {
        "gecontroleerd" => Some("dir-done-reviewed"),
        "opgeslagen" => Some("dir-done-saved"),
        "toegevoegd" => Some("dir-done-added"),
        "locatie" => Some("dir-done-location"),
        "profiel" => Some("dir-done-profile"),
        "melding-gesloten" => Some("dir-done-report-closed"),
        _ => None,
    }
    .map(|k| tr.t(k));
    let organisation = line.organisation.name;
    Ok(Html(
        DashboardPage {
            page: Page::new(
                tr.clone(),
                &request.path,
                &request.csrf,
                tr.t1("dir-dashboard-title", "organisation", &organisation),
                request.user.as_ref(),
            ),
            organisation_id: org.to_string(),
            organisation,
            services,
            locations: location_lines,
            reports: reports
                .into_iter()
                .map(|r| ReportLine {
                    id: r.id,
                    service_id: r.service_id.to_string(),
                    service: r.service_name,
                    message: r.message,
                    contact: r.contact,
                    received: crate::people::format_time(r.created_at),
                })
                .collect(),
            stale,
            stale_after_days: days.to_string(),
            notice,
        }
        .render()?,
    ))
}

// ---- "Klopt nog" and closing a report ---------------------------------------------------------

/// "Klopt nog": the editor confirms a service is still right; it is checked as of now.
async fn review(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let service = parse_id(&id)?;
    let org = service_organisation(&state, service).await?;
    let what = format!("review service={service}");
    let (user, mut tx) = guard(&state, &request, org, Action::Update, &what).await?;
    directory::mark_reviewed(&mut tx, service, &editor(&user)).await?;
    done(
        &state,
        tx,
        format!("{}?gedaan=gecontroleerd", dashboard_path(org)),
    )
    .await
}

async fn close_report(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, report)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let org = parse_id(&id)?;
    let what = format!(
        "close report={}",
        report.chars().take(40).collect::<String>()
    );
    let (user, mut tx) = guard(&state, &request, org, Action::Update, &what).await?;
    if !directory::resolve_report(&mut tx, org, &report, &user.actor.user_id).await? {
        drop(tx);
        return Err(AppError::NotFound);
    }
    done(
        &state,
        tx,
        format!("{}?gedaan=melding-gesloten", dashboard_path(org)),
    )
    .await
}

// ---- Version history --------------------------------------------------------------------------

struct ChangeLine {
    field: String,
    before: String,
    after: String,
}

struct VersionLine {
    /// "Door Anouk Visser op 24-11-2026 14:05 (UTC)"
    by: String,
    action: String,
    /// A new entry: only the values it got, no "was".
    created: bool,
    changes: Vec<ChangeLine>,
}

#[derive(Template)]
#[template(path = "directory_versions.html")]
struct VersionsPage {
    page: Page,
    name: String,
    back: String,
    edit: String,
    versions: Vec<VersionLine>,
}

/// A stored field value as a reader understands it: labels instead of codes, names instead of ids.
fn readable(tr: &Tr, field: &str, value: &str, names: &HashMap<String, String>) -> String {
    if value.is_empty() {
        return "—".into();
    }
    let list = |f: &dyn Fn(&str) -> String| -> String {
        value.split(", ").map(f).collect::<Vec<_>>().join(", ")
    };
    match field {
        "status" => ServiceStatus::parse(value)
            .map(|s| status_label(tr, s))
            .unwrap_or_else(|| value.into()),
        "online" | "wheelchair_accessible" => match value {
            "ja" => tr.t("yes"),
            "nee" => tr.t("no"),
            other => other.into(),
        },
        "categories" => list(&|c| term_label(tr.lang, c)),
        "funding" => list(&|f| {
            Funding::parse(f)
                .map(|f| funding_label(tr, f))
                .unwrap_or_else(|| f.into())
        }),
        "languages" => list(&|l| language_label(tr, l)),
        "locations" | "areas" => list(&|id| {
            names
                .get(id)
                .cloned()
                .unwrap_or_else(|| tr.t("dir-version-removed"))
        }),
        "hours" => list(&|h| match WeeklyHours::parse(h) {
            Some(h) => format!(
                "{} {}–{}",
                tr.code("dir-day", h.weekday.code()),
                h.opens,
                h.closes
            ),
            None => h.into(),
        }),
        _ => value.into(),
    }
}

fn version_lines(
    tr: &Tr,
    versions: Vec<Version>,
    names: &HashMap<String, String>,
) -> Vec<VersionLine> {
    versions
        .into_iter()
        .map(|v| {
            let when = crate::people::format_time(v.changed_at);
            let action = tr.code("dir-version", &v.action);
            VersionLine {
                created: v.action == "create",
                by: tr.t2(
                    "dir-version-by",
                    ("who", &v.changed_by_name),
                    ("when", &when),
                ),
                action,
                changes: v
                    .fields
                    .into_iter()
                    .map(
                        |FieldChange {
                             field,
                             before,
                             after,
                         }| ChangeLine {
                            before: readable(tr, &field, &before, names),
                            after: readable(tr, &field, &after, names),
                            field: tr.code("dir-field", &field),
                        },
                    )
                    .collect(),
            }
        })
        .collect()
}

/// Names of ids that versions may mention: this organisation's locations and all municipalities.
async fn id_names(
    conn: &mut mantelkring_store::Conn,
    organisation: Uuid,
) -> Result<HashMap<String, String>, AppError> {
    let mut names: HashMap<String, String> = directory::municipalities(conn)
        .await?
        .into_iter()
        .map(|(id, _, name)| (id.to_string(), name))
        .collect();
    for l in directory::locations_of(conn, organisation).await? {
        names.insert(l.id.to_string(), l.name);
    }
    Ok(names)
}

async fn service_versions(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let service = parse_id(&id)?;
    let org = service_organisation(&state, service).await?;
    let what = format!("versions service={service}");
    let (_, mut tx) = guard(&state, &request, org, Action::Read, &what).await?;
    let record = directory::service(&mut tx, service)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = directory::versions(&mut tx, service).await?;
    let names = id_names(&mut tx, org).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let tr = &request.tr;
    Ok(Html(
        VersionsPage {
            page: Page::new(
                tr.clone(),
                &request.path,
                &request.csrf,
                tr.t1("dir-versions-title", "name", &record.name),
                request.user.as_ref(),
            ),
            name: record.name,
            back: dashboard_path(org),
            edit: format!("/kaart/beheer/diensten/{service}"),
            versions: version_lines(tr, versions, &names),
        }
        .render()?,
    ))
}

async fn location_versions(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let location = parse_id(&id)?;
    let org = location_form::location_organisation(&state, location).await?;
    let what = format!("versions location={location}");
    let (_, mut tx) = guard(&state, &request, org, Action::Read, &what).await?;
    let place = directory::location(&mut tx, location)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = directory::versions(&mut tx, location).await?;
    let names = id_names(&mut tx, org).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let tr = &request.tr;
    Ok(Html(
        VersionsPage {
            page: Page::new(
                tr.clone(),
                &request.path,
                &request.csrf,
                tr.t1("dir-versions-title", "name", &place.name),
                request.user.as_ref(),
            ),
            name: place.name,
            back: dashboard_path(org),
            edit: format!("/kaart/beheer/locaties/{location}"),
            versions: version_lines(tr, versions, &names),
        }
        .render()?,
    ))
}
