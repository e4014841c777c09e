//! The regiehouder: who makes sure the caregiver's questions are answered in agreement. At most
//! one per network. The caregiver (or who acts for them) chooses; the regiehouder hands over to
//! another member with a note, which the caregiver agrees to; a network without one is marked.
//! The regiehouder's page also lists the caregiver's open questions, who they are assigned to and
//! which are overdue.

use super::{Kring, KringNav, open, open_for_caregiver, path};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::Form;
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::network::{MemberStatus, RegieStatus, SHORT_TEXT_MAX, multi_line};
use mantelkring_store::Tx;
use mantelkring_store::network::members;
use mantelkring_store::network::regie::{self, RegieRefusal};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/regie", get(show))
        .route("/kringen/{id}/regie/kiezen", post(appoint))
        .route("/kringen/{id}/regie/voorstellen", post(propose))
        .route("/kringen/{id}/regie/voorstel/aannemen", post(accept))
        .route("/kringen/{id}/regie/voorstel/afwijzen", post(decline))
        .route("/kringen/{id}/regie/stoppen", post(stop))
}

struct TermView {
    name: String,
    status: String,
    note: String,
    from: String,
    until: String,
    end_note: String,
}

/// An open question as the regiehouder sees it.
pub struct QuestionView {
    pub body: String,
    pub asked_by: String,
    pub assigned_to: String,
    pub answer_by: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "kring_regie.html")]
struct RegiePage {
    page: Page,
    nav: KringNav,
    base: String,
    current: Option<TermView>,
    pending: Option<TermView>,
    /// "X proposes that Y becomes regiehouder."
    pending_line: String,
    history: Vec<TermView>,
    /// Active members who could be chosen: (member id, name).
    candidates: Vec<(String, String)>,
    manage: bool,
    is_regiehouder: bool,
    may_propose: bool,
    questions: Option<Vec<QuestionView>>,
    message: Option<String>,
}

fn term_view(tr: &crate::i18n::Tr, t: &regie::Term) -> TermView {
    TermView {
        name: t.member_name.clone(),
        status: tr.t(&format!("kring-regie-status-{}", t.status.as_str())),
        note: t.note.clone(),
        from: t
            .started_at
            .map(crate::people::format_date)
            .unwrap_or_default(),
        until: t
            .ended_at
            .map(crate::people::format_date)
            .unwrap_or_default(),
        end_note: t.end_note.clone().unwrap_or_default(),
    }
}

async fn render(
    state: &AppState,
    request: &PageRequest,
    mut tx: Tx,
    kring: &Kring,
    message: Option<String>,
) -> Result<RegiePage, AppError> {
    let id = &kring.network.id;
    let current = regie::current(&mut tx, id).await?;
    let pending = regie::pending(&mut tx, id).await?;
    let history = regie::history(&mut tx, id).await?;
    let active = members::list(&mut tx, id, Some(MemberStatus::Active)).await?;
    let is_regiehouder = current
        .as_ref()
        .is_some_and(|t| Some(t.member_id.as_str()) == kring.member_id());
    let questions = super::overview::open_questions(&mut tx, kring, is_regiehouder).await?;
    crate::accounts::commit(state, tx).await?;
    let tr = &request.tr;
    let manage = kring.speaks_for_caregiver();
    Ok(RegiePage {
        page: request.page("kring-regie-title"),
        nav: KringNav::new(kring, tr, "regie"),
        base: path(id, ""),
        candidates: active
            .iter()
            .filter(|m| current.as_ref().is_none_or(|t| t.member_id != m.id))
            .map(|m| {
                let label = if m.role_label.is_empty() {
                    m.name.clone()
                } else {
                    format!("{} ({})", m.name, m.role_label)
                };
                (m.id.clone(), label)
            })
            .collect(),
        current: current.as_ref().map(|t| term_view(tr, t)),
        pending_line: pending
            .as_ref()
            .map(|t| {
                tr.t2(
                    "kring-regie-pending",
                    ("name", &t.member_name),
                    ("by", &t.proposed_by),
                )
            })
            .unwrap_or_default(),
        pending: pending.as_ref().map(|t| term_view(tr, t)),
        history: history
            .iter()
            .filter(|t| t.status != RegieStatus::Proposed)
            .map(|t| term_view(tr, t))
            .collect(),
        manage,
        is_regiehouder,
        may_propose: !manage && kring.allows(Action::Create, DataCategory::Basic),
        questions,
        message,
    })
}

pub async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Read,
        DataCategory::Basic,
        &request.path,
    )
    .await?;
    Ok(Html(
        render(&state, &request, tx, &kring, None).await?.render()?,
    ))
}

#[derive(Deserialize, Default)]
pub struct ChooseForm {
    #[serde(default)]
    lid: String,
    #[serde(default)]
    toelichting: String,
}

fn see_other(id: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, path(id, "regie"))],
    )
        .into_response()
}

async fn refuse(
    state: &AppState,
    request: &PageRequest,
    tx: Tx,
    kring: &Kring,
    key: &str,
) -> Result<Response, AppError> {
    let page = render(state, request, tx, kring, Some(request.tr.t(key))).await?;
    Ok(crate::accounts::message_page(StatusCode::BAD_REQUEST, page))
}

fn refusal_key(r: RegieRefusal) -> &'static str {
    match r {
        RegieRefusal::NotActiveMember => "kring-err-no-member",
        RegieRefusal::AlreadyRegiehouder => "kring-err-already-regiehouder",
        RegieRefusal::NoProposal => "kring-err-no-regie-proposal",
    }
}

fn note(input: &str) -> Result<String, &'static str> {
    multi_line(input, SHORT_TEXT_MAX * 5).map_err(|_| "kring-err-regie-note")
}

/// The caregiver chooses a regiehouder (a hand-over when there is one).
pub async fn appoint(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ChooseForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    let note = match note(&form.toelichting) {
        Ok(n) => n,
        Err(key) => return refuse(&state, &request, tx, &kring, key).await,
    };
    match regie::appoint(&mut tx, &id, form.lid.trim(), &note, kring.by()).await? {
        Ok(_) => {
            crate::accounts::commit(&state, tx).await?;
            Ok(see_other(&id))
        }
        Err(r) => refuse(&state, &request, tx, &kring, refusal_key(r)).await,
    }
}

/// A member proposes a regiehouder; when the regiehouder does it, it is their hand-over.
pub async fn propose(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ChooseForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Create,
        DataCategory::Basic,
        &request.path,
    )
    .await?;
    let note = match note(&form.toelichting) {
        Ok(n) if !n.is_empty() => n,
        Ok(_) => return refuse(&state, &request, tx, &kring, "kring-err-regie-note-needed").await,
        Err(key) => return refuse(&state, &request, tx, &kring, key).await,
    };
    match regie::propose(&mut tx, &id, form.lid.trim(), &note, kring.by()).await? {
        Ok(_) => {
            crate::accounts::commit(&state, tx).await?;
            Ok(see_other(&id))
        }
        Err(r) => refuse(&state, &request, tx, &kring, refusal_key(r)).await,
    }
}

async fn decide_proposal(
    state: AppState,
    request: PageRequest,
    id: String,
    accept: bool,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    let outcome = if accept {
        regie::accept(&mut tx, &id, kring.by()).await?.map(|_| ())
    } else {
        regie::decline(&mut tx, &id, kring.by()).await?
    };
    match outcome {
        Ok(()) => {
            crate::accounts::commit(&state, tx).await?;
            Ok(see_other(&id))
        }
        Err(r) => refuse(&state, &request, tx, &kring, refusal_key(r)).await,
    }
}

pub async fn accept(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    decide_proposal(state, request, id, true).await
}

pub async fn decline(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    decide_proposal(state, request, id, false).await
}

/// The caregiver ends the current term without a successor.
pub async fn stop(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ChooseForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    let note = match note(&form.toelichting) {
        Ok(n) => n,
        Err(key) => return refuse(&state, &request, tx, &kring, key).await,
    };
    if !regie::stop(&mut tx, &id, &note, kring.by()).await? {
        return refuse(&state, &request, tx, &kring, "kring-err-no-regiehouder").await;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&id))
}
