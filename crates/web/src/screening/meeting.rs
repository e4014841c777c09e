//! The signal meeting (seed 003: the weekly meeting of the professionals and volunteers around
//! the caregivers of a neighbourhood): the open signals of every network the visitor follows
//! signals up in, grouped by caregiver or by rule, with the action so far (the note), the owner
//! and the follow-up date. `/signalen/overleg/afdrukken` is the same agenda for paper (logged
//! as Print); the print stylesheet leaves out the menu and the links.

use super::signals::{SignalView, allowed_networks, log_shown, rule_label, signal_view};
use crate::AppState;
use crate::errors::AppError;
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use mantelkring_core::access::Action;
use mantelkring_core::screening::{Rule, SignalStatus};
use mantelkring_core::time::now_ms;
use mantelkring_store::screening::worklist::{self, Filter};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signalen/overleg", get(meeting))
        .route("/signalen/overleg/afdrukken", get(print))
}

#[derive(Deserialize, Default)]
pub struct MeetingQuery {
    #[serde(default)]
    groep: String,
}

/// One group of the agenda: a caregiver's signals, or one rule's.
pub struct Group {
    pub id: String,
    pub title: String,
    pub signals: Vec<SignalView>,
}

#[derive(Template)]
#[template(path = "screening_meeting.html")]
struct MeetingPage {
    page: Page,
    /// "mantelzorger" or "regel".
    by: &'static str,
    groups: Vec<Group>,
    total: usize,
    any_network: bool,
    print: bool,
    date: String,
}

pub async fn meeting(
    state: State<AppState>,
    request: PageRequest,
    query: Query<MeetingQuery>,
) -> Result<Html<String>, AppError> {
    render(state, request, query, false).await
}

pub async fn print(
    state: State<AppState>,
    request: PageRequest,
    query: Query<MeetingQuery>,
) -> Result<Html<String>, AppError> {
    render(state, request, query, true).await
}

async fn render(
    State(state): State<AppState>,
    request: PageRequest,
    Query(query): Query<MeetingQuery>,
    print: bool,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let action = if print { Action::Print } else { Action::Read };
    let tx = state.store().begin_write().await?;
    let (mut tx, allowed) = allowed_networks(&state, tx, &user, action, &request.path).await?;
    let ids: Vec<&str> = allowed
        .iter()
        .map(|a| a.membership.network_id.as_str())
        .collect();
    let (mut signals, _) = worklist::list(
        &mut tx,
        &Filter {
            member: &user.actor.user_id,
            network_ids: &ids,
            statuses: &[SignalStatus::New, SignalStatus::InProgress],
            owner: None,
        },
        None,
        0,
    )
    .await?;
    log_shown(&state, &mut tx, &user, action, &allowed, &signals).await?;
    crate::accounts::commit(&state, tx).await?;

    let by: &'static str = if query.groep == "regel" {
        "regel"
    } else {
        "mantelzorger"
    };
    let tr = &request.tr;
    let now = now_ms();
    // Groups in a fixed order: caregivers by name, rules in the catalogue's order; within a
    // group, the worklist's order (soonest follow-up first).
    if by == "regel" {
        signals.sort_by_key(|s| s.rule.map_or(usize::MAX, rule_rank));
    } else {
        signals.sort_by(|a, b| {
            (a.caregiver_name.to_lowercase(), &a.network_id)
                .cmp(&(b.caregiver_name.to_lowercase(), &b.network_id))
        });
    }
    let total = signals.len();
    let mut groups: Vec<Group> = Vec::new();
    for s in &signals {
        let (key, title) = if by == "regel" {
            (
                s.rule.map_or("unknown", |r| r.as_str()).to_string(),
                rule_label(tr, s.rule),
            )
        } else {
            (s.network_id.clone(), s.caregiver_name.clone())
        };
        let view = signal_view(&state, tr, s, now);
        match groups.last_mut() {
            Some(g) if g.id == format!("groep-{key}") => g.signals.push(view),
            _ => groups.push(Group {
                id: format!("groep-{key}"),
                title,
                signals: vec![view],
            }),
        }
    }
    let i18n = state.i18n();
    let page = MeetingPage {
        page: request.page(if print {
            "screening-sig-meeting-print-title"
        } else {
            "screening-sig-meeting-title"
        }),
        by,
        groups,
        total,
        any_network: !allowed.is_empty(),
        print,
        date: super::signals::date_text(&i18n, tr.lang, now, now),
    };
    Ok(Html(page.render()?))
}

fn rule_rank(rule: Rule) -> usize {
    Rule::ALL
        .iter()
        .position(|r| *r == rule)
        .unwrap_or(usize::MAX)
}
