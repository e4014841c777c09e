//! How fresh the sociale kaart is: the overview per organisation for network coordinators and
//! administrators (`/kaart/actualiteit`), and the reminder pass the worker runs daily (job kind
//! `directory_reminders`, also `mantelkring jobs reminders`): one e-mail per organisation to each
//! of its editors, listing its entries not checked for `stale_after_days`, at most once in 30 days.

use crate::AppState;
use crate::access::{Subject, decide_with_detail};
use crate::errors::AppError;
use crate::i18n::{I18n, Lang};
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use mantelkring_core::access::{Action, Resource};
use mantelkring_core::base::Role;
use mantelkring_core::directory::freshness::{remind_before, stale_before};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::directory::{self, StaleService};
use mantelkring_store::{Conn, StoreError, jobs};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::editor::{dashboard_path, format_date};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/kaart/actualiteit", get(overview))
}

struct Line {
    organisation: String,
    /// The organisation's dashboard, for those who may edit it (administrators).
    link: Option<String>,
    services: i64,
    stale: i64,
    oldest: String,
    open_reports: i64,
}

#[derive(Template)]
#[template(path = "directory_freshness.html")]
struct OverviewPage {
    page: Page,
    lines: Vec<Line>,
    stale_after_days: String,
}

/// Network coordinators (anonymised insight) and administrators; everyone else gets 403.
async fn overview(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let administrator = user.actor.has_role(Role::Administrator);
    let resource = if administrator {
        Resource::Administration
    } else {
        Resource::Insight
    };
    let tx = state.store().begin_write().await?;
    let (mut tx, _) = decide_with_detail(
        &state,
        tx,
        &user,
        Action::Read,
        &resource,
        &Subject {
            person_id: None,
            categories: "directory",
        },
        &request.path,
        Some("directory freshness"),
    )
    .await?;
    let days = state.settings().directory_stale_after_days;
    let rows = directory::freshness(&mut tx, stale_before(now_ms(), days)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let lines = rows
        .into_iter()
        .map(|f| Line {
            link: administrator.then(|| dashboard_path(f.organisation_id)),
            organisation: f.organisation,
            services: f.services,
            stale: f.stale,
            oldest: f
                .oldest_review
                .map(format_date)
                .unwrap_or_else(|| "—".into()),
            open_reports: f.open_reports,
        })
        .collect();
    Ok(Html(
        OverviewPage {
            page: request.page("dir-freshness-title"),
            lines,
            stale_after_days: days.to_string(),
        }
        .render()?,
    ))
}

/// What one reminder pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reminded {
    /// Organisations whose editors got an e-mail.
    pub organisations: usize,
    pub emails: usize,
    /// Stale services named in those e-mails (marked as reminded now).
    pub services: usize,
}

/// The reminder pass, in the caller's transaction: finds the listed services not checked since
/// `stale_after_days` whose editors were not reminded in the last 30 days, queues one e-mail per
/// organisation to each of its editors (in Dutch) with the list and a link to the dashboard, and
/// marks those services as reminded. An organisation without editors is skipped and stays due, so
/// its editors hear of it once they are there.
pub async fn queue_reminders(
    conn: &mut Conn,
    i18n: &I18n,
    public_url: &str,
    stale_after_days: u32,
    now: Millis,
) -> Result<Reminded, StoreError> {
    let cutoff = stale_before(now, stale_after_days);
    let due = directory::due_for_reminder(conn, cutoff, remind_before(now)).await?;
    if due.is_empty() {
        return Ok(Reminded::default());
    }
    let names: HashMap<Uuid, String> = directory::freshness(conn, cutoff)
        .await?
        .into_iter()
        .map(|f| (f.organisation_id, f.organisation))
        .collect();
    let mut per_organisation: BTreeMap<Uuid, Vec<StaleService>> = BTreeMap::new();
    for s in due {
        per_organisation
            .entry(s.organisation_id)
            .or_default()
            .push(s);
    }
    let mut done = Reminded::default();
    let days = stale_after_days.to_string();
    for (organisation, services) in per_organisation {
        let editors = directory::editor_emails(conn, organisation).await?;
        if editors.is_empty() {
            continue;
        }
        let name = names.get(&organisation).cloned().unwrap_or_default();
        let nl = |key: &str, args: &[(&str, &str)]| i18n.message(Lang::Nl, key, args);
        let list: String = services
            .iter()
            .map(|s| {
                let date = format_date(s.last_reviewed_at);
                format!(
                    "- {}\n",
                    nl(
                        "dir-mail-reminder-line",
                        &[("name", &s.name), ("date", &date)]
                    )
                )
            })
            .collect();
        let subject = nl("dir-mail-reminder-subject", &[("organisation", &name)]);
        let body = format!(
            "{}\n\n{list}\n{}\n{public_url}{}\n\n{}\n",
            nl(
                "dir-mail-reminder-body",
                &[("organisation", &name), ("days", &days)]
            ),
            nl("dir-mail-reminder-action", &[]),
            dashboard_path(organisation),
            nl("dir-mail-footer", &[]),
        );
        for to in &editors {
            let email = EmailJob {
                to: to.clone(),
                subject: subject.clone(),
                body_text: body.clone(),
            };
            jobs::enqueue(conn, kind::EMAIL, &email, 5).await?;
        }
        let ids: Vec<Uuid> = services.iter().map(|s| s.service_id).collect();
        directory::set_reminded(conn, &ids, now).await?;
        done.organisations += 1;
        done.emails += editors.len();
        done.services += ids.len();
    }
    Ok(done)
}
