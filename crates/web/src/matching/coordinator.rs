//! The volunteer coordinator's work (role VolunteerCoordinator, second factor, the region of
//! their organisation): the overview of the region's requests (`/vrijwilligers/hulpvragen`), the
//! ranked candidates on a request's page with "Voorstel sturen" per candidate, the batch proposal
//! (`/vrijwilligers/koppelen`: the engine's optimal assignment over every open request of the
//! region, all ticked, one button sends the ticked ones), and the steps on a proposal: done,
//! no-show, withdrawal.
//!
//! Sending a proposal ([`send_proposal`], also used by the expiry job in the binary) writes the
//! proposal (`store::matching::proposals::propose`) and queues the e-mail to the volunteer in the
//! same transaction: Dutch or English by the volunteer's languages, only what a volunteer may see
//! before accepting (`core::matching::workflow::view_for_volunteer`: first name, PC4 and place,
//! the task, the time), and the two answer links `/hulp/antwoord/{token}?keuze=ja|nee`.

use super::requests::{
    self as req, CATEGORY, Opened, coordinator_regions, html, internal, open_request, place_of,
    problem, refuse_step, request_path, see_other, status_label, step_problem, type_label,
    urgency_label, when_text, window_text,
};
use crate::AppState;
use crate::access::{Subject, log_allowed_many};
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::{I18n, Lang, Tr};
use crate::identity::{Authenticated, require_user};
use crate::network::timeline::{dutch_date, local_moment};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use mantelkring_core::access::{Action, Purpose, Relationship, Resource, may};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::matching::workflow::{
    CaregiverDetails, DEFAULT_ANSWER_HOURS, ProposalStatus, Recurrence, RequestStatus, TaskView,
    view_for_volunteer,
};
use mantelkring_core::matching::{Language, Reason, VolunteerIndex, Weights, propose, rank, score};
use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::matching::engine_input::{self, EngineInput};
use mantelkring_store::matching::proposals::{self, NewProposal, Proposed};
use mantelkring_store::matching::requests::{self, HelpRequest};
use mantelkring_store::matching::settings as store_settings;
use mantelkring_store::matching::{Actor, MatchingError, volunteers};
use mantelkring_store::{Conn, Store, StoreError, Tx, audit, base, jobs, network};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/vrijwilligers/hulpvragen", get(overview))
        .route("/vrijwilligers/koppelen", get(batch).post(send_batch))
        .route("/hulpvragen/{id}/voorstel", post(send_one))
        .route("/hulpvragen/{id}/stap", post(step))
}

/// How many candidates a request's page shows.
pub const CANDIDATES: usize = 10;
/// Most requests an overview lists.
const LIST_LIMIT: i64 = 500;

// ---- The engine over a region -------------------------------------------------------------------

/// One candidate volunteer for a request, with the engine's score and reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub volunteer_user_id: String,
    pub score: i64,
    pub reasons: Vec<Reason>,
}

/// The region's open requests and active volunteers as the engine sees them, with the
/// region's weights (its own settings, or the defaults; the VOG validity is one of them).
async fn load(conn: &mut Conn, region_id: &str) -> Result<(EngineInput, Weights), MatchingError> {
    let settings = store_settings::of_region(conn, region_id).await?;
    let input = engine_input::load(conn, region_id, settings.vog_years).await?;
    Ok((input, settings.weights()))
}

/// The ranked candidates (best first, at most `limit`) for an open request of `region_id`;
/// `None` when the request is not in the engine's input (not open, or its postcode has no
/// known location). Volunteers who declined or did not answer it before are left out by the
/// engine (the input's history).
pub async fn rank_request(
    conn: &mut Conn,
    region_id: &str,
    request_id: &str,
    limit: usize,
) -> Result<Option<Vec<Ranked>>, MatchingError> {
    let (input, weights) = load(conn, region_id).await?;
    let Some(r) = input.request_ids.iter().position(|id| id == request_id) else {
        return Ok(None);
    };
    let index = VolunteerIndex::build(input.volunteers.clone());
    let ranked = rank(&index, &input.requests[r], &weights, limit)
        .into_iter()
        .map(|c| Ranked {
            volunteer_user_id: input.volunteer_ids[c.volunteer as usize].clone(),
            score: c.score,
            reasons: c.reasons,
        })
        .collect();
    Ok(Some(ranked))
}

/// Why a chosen pair cannot be proposed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfit {
    /// The request is no longer open.
    NotOpen,
    /// The volunteer is not active (any more).
    NotActive,
    /// No room left, or a hard constraint fails.
    NoMatch,
}

impl Unfit {
    fn key(self) -> &'static str {
        match self {
            Unfit::NotOpen => "matching-coord-skip-not-open",
            Unfit::NotActive => "matching-coord-skip-not-active",
            Unfit::NoMatch => "matching-coord-skip-no-match",
        }
    }
}

/// The pair (request, volunteer) scored against `input` as it is now, with `used` matches of
/// the volunteer already handed out in this round.
fn fit(
    (input, weights): &(EngineInput, Weights),
    request_id: &str,
    volunteer: &str,
    used: u16,
) -> Result<Ranked, Unfit> {
    let r = input
        .request_ids
        .iter()
        .position(|id| id == request_id)
        .ok_or(Unfit::NotOpen)?;
    let v = input
        .volunteer_ids
        .iter()
        .position(|id| id == volunteer)
        .ok_or(Unfit::NotActive)?;
    let mut vol = input.volunteers[v].clone();
    vol.active_matches = vol.active_matches.saturating_add(used);
    let (points, reasons) = score(&input.requests[r], &vol, weights);
    if points <= 0 {
        return Err(Unfit::NoMatch);
    }
    Ok(Ranked {
        volunteer_user_id: volunteer.to_string(),
        score: points,
        reasons,
    })
}

// ---- The "why" line ----------------------------------------------------------------------------

/// "2,1 km" (Dutch) or "2.1 km".
fn km_text(tr: &Tr, meters: u32) -> String {
    let tenths = (u64::from(meters) + 50) / 100;
    let text = format!("{}.{}", tenths / 10, tenths % 10);
    let text = if tr.lang == Lang::Nl {
        text.replace('.', ",")
    } else {
        text
    };
    format!("{text} km")
}

/// The plain explanation: "2,1 km · kan dinsdagochtend · heeft eerder geholpen".
pub fn why_line(tr: &Tr, reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| match *r {
            Reason::Distance { meters } => km_text(tr, meters),
            Reason::Available { day, part } => tr.t2(
                "matching-coord-why-available",
                ("day", &tr.t(&format!("dir-day-{}", day.code()))),
                (
                    "part",
                    &tr.t(&format!("matching-coord-part-{}", part.code())),
                ),
            ),
            Reason::HelpedBefore => tr.t("matching-coord-why-helped-before"),
            Reason::Skill(s) => req::skill_label(tr, s),
            Reason::SpeaksLanguage(l) => tr.t1(
                "matching-coord-why-language",
                "language",
                &req::language_label(tr, l),
            ),
            Reason::HasCar => tr.t("matching-coord-why-car"),
            Reason::VogValid => tr.t("matching-coord-why-vog"),
            Reason::LowLoad { .. } => tr.t("matching-coord-why-low-load"),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

// ---- Sending a proposal -----------------------------------------------------------------------

/// A proposal sent: the proposal, and whose request it is (for the audit record).
#[derive(Debug, Clone)]
pub struct Sent {
    pub proposed: Proposed,
    pub caregiver_person_id: String,
}

/// The language of the volunteer's e-mail: Dutch unless they speak English and not Dutch.
fn mail_lang(languages: mantelkring_core::matching::Languages) -> Lang {
    if !languages.contains(Language::Nl) && languages.contains(Language::En) {
        Lang::En
    } else {
        Lang::Nl
    }
}

/// Proposes `candidate` for open request `request_id` and queues the e-mail with the answer
/// links, in the caller's transaction (`conn`). `by` is the coordinator, or
/// [`Actor::job`] when the expiry job moves on to the next candidate. Names, e-mail address and
/// place are read through `store`'s pool.
/// The answer time of the request's region (its settings, or the default).
async fn answer_hours(conn: &mut Conn, request_id: &str) -> Result<u32, MatchingError> {
    Ok(
        match requests::get(conn, request_id)
            .await?
            .and_then(|r| r.region_id)
        {
            Some(region) => store_settings::of_region(conn, &region).await?.answer_hours,
            None => DEFAULT_ANSWER_HOURS,
        },
    )
}

/// After a volunteer said no: the request goes to the next best candidate at once, as the expiry
/// job does when nobody answers — in a transaction of its own, after the answer is committed, so
/// the answer stands whatever happens here. Without a candidate, or when this fails (logged), the
/// request stays open for the coordinator. Returns whether a proposal went out.
pub async fn propose_next(state: &AppState, request_id: &str) -> bool {
    let attempt = async {
        let mut tx = state.store().begin_write().await?;
        let region = requests::get(&mut tx, request_id)
            .await?
            .and_then(|r| r.region_id);
        let best = match region.as_deref() {
            Some(region) => rank_request(&mut tx, region, request_id, 1)
                .await?
                .and_then(|list| list.into_iter().next()),
            None => None,
        };
        let Some(best) = best else {
            return Ok::<bool, MatchingError>(false);
        };
        send_proposal(
            state.store(),
            &mut tx,
            &state.i18n(),
            &state.settings().public_url,
            request_id,
            &best,
            Actor::job(),
            now_ms(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        state.job_wakeup().notify_one();
        Ok(true)
    };
    match attempt.await {
        Ok(sent) => {
            if !sent {
                tracing::info!(request = %request_id, "matching: declined, no next candidate; the request stays open");
            }
            sent
        }
        Err(e) => {
            tracing::warn!(request = %request_id, error = %e, "matching: declined, next candidate not proposed");
            false
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn send_proposal(
    store: &Store,
    conn: &mut Conn,
    i18n: &Arc<I18n>,
    public_url: &str,
    request_id: &str,
    candidate: &Ranked,
    by: Actor<'_>,
    now: Millis,
) -> Result<Sent, MatchingError> {
    let answer_hours = answer_hours(conn, request_id).await?;
    let proposed = proposals::propose(
        conn,
        &NewProposal {
            request_id,
            volunteer_user_id: &candidate.volunteer_user_id,
            score: candidate.score,
            reasons: &candidate.reasons,
            answer_hours,
        },
        by,
        now,
    )
    .await?;
    let request = requests::get(conn, request_id)
        .await?
        .ok_or(MatchingError::NotFound("hulpvraag"))?;
    let info = network::network(conn, &request.network_id)
        .await?
        .ok_or(MatchingError::NotFound("kring"))?;
    let person = network::person(conn, &info.caregiver_person_id)
        .await?
        .ok_or(MatchingError::NotFound("mantelzorger"))?;
    let profile = volunteers::get(conn, &candidate.volunteer_user_id)
        .await?
        .ok_or(MatchingError::NotFound("vrijwilliger"))?;
    let email = base::user_email(store, &candidate.volunteer_user_id)
        .await?
        .ok_or(MatchingError::NotFound("vrijwilliger"))?;
    let volunteer_name = base::display_name(store, &candidate.volunteer_user_id)
        .await?
        .unwrap_or_default();
    let place = mantelkring_store::postcodes::lookup(store, request.draft.pc4)
        .await?
        .map(|a| a.place)
        .unwrap_or_default();
    let lang = mail_lang(profile.draft.languages);
    let mail = proposal_email(
        i18n,
        lang,
        public_url,
        &email,
        &volunteer_name,
        &request,
        &CaregiverDetails {
            given_name: person.given_name.clone(),
            family_name: person.family_name.clone(),
            pc4: request.draft.pc4.to_string(),
            place,
            postcode: person.postcode.clone(),
            phone: person.phone.clone(),
            email: person.email.clone(),
        },
        &proposed,
    );
    jobs::enqueue(conn, kind::EMAIL, &mail, 5).await?;
    Ok(Sent {
        proposed,
        caregiver_person_id: info.caregiver_person_id,
    })
}

/// The e-mail to a proposed volunteer: only the limited view, and the two links.
#[allow(clippy::too_many_arguments)]
fn proposal_email(
    i18n: &Arc<I18n>,
    lang: Lang,
    public_url: &str,
    to: &str,
    volunteer_name: &str,
    request: &HelpRequest,
    caregiver: &CaregiverDetails,
    proposed: &Proposed,
) -> EmailJob {
    let tr = Tr::new(i18n.clone(), lang);
    let task = TaskView {
        help_type: request.draft.help_type,
        description: request.draft.description.clone(),
        recurrence: request.draft.recurrence,
        first_on: request.draft.first_on,
        windows: request.draft.windows.clone(),
        duration_minutes: request.draft.duration_minutes,
    };
    // What a volunteer may see before accepting: the same function as their pages.
    let view = view_for_volunteer(ProposalStatus::Proposed, caregiver, &task)
        .expect("a waiting proposal has a view");
    let what = type_label(&tr, view.task.help_type);
    let area = format!("{} {}", view.pc4, view.place).trim().to_string();
    let when = match view.task.recurrence {
        Recurrence::Once => tr.t1(
            "matching-req-when-once",
            "date",
            &dutch_date(view.task.first_on),
        ),
        Recurrence::Weekly => tr.t1(
            "matching-req-when-weekly",
            "date",
            &dutch_date(view.task.first_on),
        ),
    };
    let times = view
        .task
        .windows
        .iter()
        .map(|w| window_text(&tr, w))
        .collect::<Vec<_>>()
        .join(", ");
    let first = volunteer_name.split_whitespace().next().unwrap_or("");
    let link = format!(
        "{}/hulp/antwoord/{}",
        public_url.trim_end_matches('/'),
        proposed.secret
    );
    let minutes = view.task.duration_minutes.to_string();
    let mut lines = vec![
        tr.t1("matching-coord-mail-greeting", "name", first),
        tr.t("matching-coord-mail-ask"),
        [
            tr.t1("matching-coord-mail-what", "what", &what),
            tr.t2(
                "matching-coord-mail-for",
                ("name", &view.first_name),
                ("area", &area),
            ),
            tr.t1("matching-coord-mail-when", "when", &when),
            tr.t1("matching-coord-mail-times", "times", &times),
            tr.t1("matching-coord-mail-duration", "minutes", &minutes),
        ]
        .join("\n"),
    ];
    if !view.task.description.trim().is_empty() {
        lines.push(format!(
            "{}\n{}",
            tr.t("matching-coord-mail-description"),
            view.task.description.trim()
        ));
    }
    lines.push(format!(
        "{}\n{link}?keuze=ja",
        tr.t("matching-coord-mail-yes")
    ));
    lines.push(format!(
        "{}\n{link}?keuze=nee",
        tr.t("matching-coord-mail-no")
    ));
    lines.push(tr.t1(
        "matching-coord-mail-by",
        "moment",
        &local_moment(proposed.respond_by),
    ));
    lines.push(tr.t("matching-coord-mail-privacy"));
    EmailJob {
        to: to.to_string(),
        subject: tr.t2(
            "matching-coord-mail-subject",
            ("what", &what),
            ("place", &view.place),
        ),
        body_text: lines.join("\n\n"),
    }
}

// ---- Audit of the volunteers shown ------------------------------------------------------------

/// Whether the coordinator may search the region's volunteer profiles, and if so one record of
/// it (the candidates or the batch show volunteers' names and why they fit).
async fn log_volunteer_search(
    state: &AppState,
    conn: &mut Conn,
    user: &Authenticated,
    detail: &str,
) -> Result<bool, AppError> {
    let resource = Resource::VolunteerProfile {
        own: false,
        coordinates_region: true,
    };
    let decision = may(Some(&user.actor), Action::Search, &resource);
    let (role, organisation) = crate::access::role_and_organisation(&user.actor);
    let (outcome, purpose) = match decision {
        mantelkring_core::access::Decision::Allow(p) => ("success", p.as_str()),
        mantelkring_core::access::Decision::Deny(r) => ("denied", r.as_str()),
    };
    audit::append(
        conn,
        state.store().backend(),
        &audit::NewEvent {
            action: Action::Search.as_str(),
            outcome,
            user_id: Some(&user.actor.user_id),
            user_role: role,
            organisation_id: organisation,
            on_behalf_of: None,
            purpose,
            network_address: user.address.as_deref(),
            source: state.settings().audit_source.as_str(),
            subject_person_id: None,
            data_category: Some("volunteer_profile"),
            detail: Some(detail),
        },
    )
    .await?;
    Ok(decision.is_allowed())
}

/// Display names, looked up once each.
async fn names(state: &AppState, ids: &[&str]) -> Result<HashMap<String, String>, AppError> {
    let mut out = HashMap::new();
    for id in ids {
        if !out.contains_key(*id) {
            let name = base::display_name(state.store(), id)
                .await?
                .unwrap_or_default();
            out.insert(id.to_string(), name);
        }
    }
    Ok(out)
}

// ---- The coordinator's part of a request's page -------------------------------------------------

pub struct CandidateView {
    pub name: String,
    pub why: String,
    pub score: i64,
    pub volunteer: String,
}

pub struct ProposalView {
    pub id: String,
    pub name: String,
    pub status: String,
    pub proposed_at: String,
    pub respond_by: Option<String>,
    /// Steps on this proposal: (value, label).
    pub steps: Vec<(String, String)>,
}

pub struct CoordinatorPart {
    pub open: bool,
    /// Whether the request is in the engine's input (an open request with a known location).
    pub ranked: bool,
    pub candidates: Vec<CandidateView>,
    pub proposals: Vec<ProposalView>,
    pub send_action: String,
    pub step_action: String,
}

/// The ranked candidates and the proposals, for a coordinator on a request's page (the access to
/// the request is already logged in `tx`; showing volunteers is logged here).
pub(super) async fn part(
    state: &AppState,
    request: &PageRequest,
    tx: &mut Tx,
    opened: &Opened,
) -> Result<CoordinatorPart, AppError> {
    let tr = &request.tr;
    let id = &opened.request.id;
    let open = opened.request.status == RequestStatus::Open;
    let mut ranked = false;
    let mut found = Vec::new();
    if open
        && let Some(region) = &opened.request.region_id
        && log_volunteer_search(state, tx, &opened.user, &format!("candidates request={id}"))
            .await?
        && let Some(list) = rank_request(tx, region, id, CANDIDATES)
            .await
            .map_err(internal)?
    {
        ranked = true;
        found = list;
    }
    let history = proposals::of_request(tx, id).await.map_err(internal)?;
    let ids: Vec<&str> = found
        .iter()
        .map(|c| c.volunteer_user_id.as_str())
        .chain(history.iter().map(|p| p.volunteer_user_id.as_str()))
        .collect();
    let names = names(state, &ids).await?;
    let candidates = found
        .iter()
        .map(|c| CandidateView {
            name: names.get(&c.volunteer_user_id).cloned().unwrap_or_default(),
            why: why_line(tr, &c.reasons),
            score: c.score,
            volunteer: c.volunteer_user_id.clone(),
        })
        .collect();
    let proposals = history
        .iter()
        .rev()
        .map(|p| {
            let mut steps = Vec::new();
            match p.status {
                ProposalStatus::Proposed => {
                    steps.push(("intrekken".into(), tr.t("matching-coord-step-withdraw")));
                }
                ProposalStatus::Accepted => {
                    steps.push(("uitgevoerd".into(), tr.t("matching-coord-step-done")));
                    steps.push(("niet-gekomen".into(), tr.t("matching-coord-step-no-show")));
                    steps.push(("intrekken".into(), tr.t("matching-coord-step-withdraw")));
                }
                _ => {}
            }
            ProposalView {
                id: p.id.clone(),
                name: names.get(&p.volunteer_user_id).cloned().unwrap_or_default(),
                status: tr.t(&format!(
                    "matching-coord-proposal-{}",
                    p.status.code().replace('_', "-")
                )),
                proposed_at: local_moment(p.proposed_at),
                respond_by: (p.status == ProposalStatus::Proposed)
                    .then(|| local_moment(p.respond_by)),
                steps,
            }
        })
        .collect();
    Ok(CoordinatorPart {
        open,
        ranked,
        candidates,
        proposals,
        send_action: format!("{}/voorstel", request_path(id)),
        step_action: format!("{}/stap", request_path(id)),
    })
}

// ---- Sending one proposal from a request's page ----------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct SendForm {
    vrijwilliger: String,
}

async fn send_one(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<SendForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = request_path(&id);
    let (mut tx, opened) = open_request(&state, &user, &id, Action::Update, &back).await?;
    if !opened.is_coordinator() {
        return Err(refuse_step(
            &state,
            tx,
            &opened,
            Action::Update,
            "propose: not coordinator",
        )
        .await);
    }
    let Some(region) = opened.request.region_id.clone() else {
        tx.rollback().await.map_err(StoreError::from)?;
        return problem(
            &request,
            StatusCode::CONFLICT,
            request.tr.t(Unfit::NotOpen.key()),
            &back,
        );
    };
    let input = load(&mut tx, &region).await.map_err(internal)?;
    let candidate = match fit(&input, &id, form.vrijwilliger.trim(), 0) {
        Ok(c) => c,
        Err(unfit) => {
            tx.rollback().await.map_err(StoreError::from)?;
            return problem(
                &request,
                StatusCode::CONFLICT,
                request.tr.t(unfit.key()),
                &back,
            );
        }
    };
    let by = Actor::user(&user.actor.user_id);
    let sent = send_proposal(
        state.store(),
        &mut tx,
        &state.i18n(),
        &state.settings().public_url,
        &id,
        &candidate,
        by,
        now_ms(),
    )
    .await;
    if let Err(e) = sent {
        tx.rollback().await.map_err(StoreError::from)?;
        return step_problem(&request, e, &back);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{back}?klaar=verstuurd")))
}

// ---- Steps on a proposal ---------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    voorstel: String,
    /// `uitgevoerd`, `niet-gekomen` or `intrekken`.
    stap: String,
}

async fn step(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = request_path(&id);
    let (mut tx, opened) = open_request(&state, &user, &id, Action::Update, &back).await?;
    if !opened.is_coordinator() {
        return Err(
            refuse_step(&state, tx, &opened, Action::Update, "step: not coordinator").await,
        );
    }
    let belongs = proposals::get(&mut tx, form.voorstel.trim())
        .await
        .map_err(internal)?
        .is_some_and(|p| p.request_id == id);
    if !belongs {
        tx.rollback().await.map_err(StoreError::from)?;
        return problem(
            &request,
            StatusCode::BAD_REQUEST,
            request.tr.t("matching-coord-err-no-proposal"),
            &back,
        );
    }
    let by = Actor::user(&user.actor.user_id);
    let now = now_ms();
    let proposal = form.voorstel.trim();
    let (result, done) = match form.stap.trim() {
        "uitgevoerd" => (
            proposals::mark_done(&mut tx, proposal, by, now).await,
            "uitgevoerd",
        ),
        "niet-gekomen" => (
            proposals::mark_no_show(&mut tx, proposal, by, "", now).await,
            "niet-gekomen",
        ),
        "intrekken" => (
            proposals::withdraw(&mut tx, proposal, by, "", now).await,
            "ingetrokken",
        ),
        _ => {
            tx.rollback().await.map_err(StoreError::from)?;
            return problem(
                &request,
                StatusCode::BAD_REQUEST,
                request.tr.t("matching-coord-err-step"),
                &back,
            );
        }
    };
    if let Err(e) = result {
        tx.rollback().await.map_err(StoreError::from)?;
        return step_problem(&request, e, &back);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{back}?klaar={done}")))
}

// ---- Region-wide pages ------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegionQuery {
    regio: String,
}

/// Decides `action` on the region's requests as a whole (no one caregiver: the list). The
/// region is the one asked for, else the first the coordinator works in. Refused: 403 (or the
/// second-factor step).
async fn open_region(
    state: &AppState,
    user: &Authenticated,
    asked: &str,
    action: Action,
    back_to: &str,
    detail: &str,
) -> Result<(Tx, String), AppError> {
    let regions = coordinator_regions(state, &user.actor).await?;
    let region = if asked.trim().is_empty() {
        regions.first().cloned()
    } else {
        regions.iter().find(|r| *r == asked.trim()).cloned()
    };
    let nobody = Relationship::default();
    let tx = state.store().begin_write().await?;
    let (tx, _) = crate::access::decide_with_detail(
        state,
        tx,
        user,
        action,
        &Resource::HelpRequest {
            relationship: &nobody,
            coordinates_region: region.is_some(),
            proposal: None,
        },
        &Subject {
            person_id: None,
            categories: CATEGORY,
        },
        back_to,
        Some(&format!(
            "{detail} region={}",
            region.as_deref().unwrap_or("-")
        )),
    )
    .await?;
    match region {
        Some(r) => Ok((tx, r)),
        // The policy refuses without a region; this is not reached.
        None => Err(AppError::Forbidden),
    }
}

struct RequestLine {
    href: String,
    what: String,
    area: String,
    when: String,
    urgency: String,
}

struct OverviewLine {
    href: String,
    what: String,
    area: String,
    volunteer: String,
    status: String,
    moment: String,
}

#[derive(Template)]
#[template(path = "matching_coordinator_overview.html")]
struct OverviewPage {
    page: Page,
    open: Vec<RequestLine>,
    /// (heading, lines): waiting for an answer, accepted, the rest.
    lists: Vec<(String, Vec<OverviewLine>)>,
    batch_href: String,
}

/// "2312 Leiden", with the places looked up once each.
async fn areas(
    state: &AppState,
    pc4s: impl Iterator<Item = String>,
) -> Result<HashMap<String, String>, AppError> {
    let mut out = HashMap::new();
    for pc4 in pc4s {
        if out.contains_key(&pc4) {
            continue;
        }
        let place = match mantelkring_core::geo::Pc4::parse(&pc4) {
            Ok(p) => place_of(state, p).await?.unwrap_or_default(),
            Err(_) => String::new(),
        };
        out.insert(pc4.clone(), format!("{pc4} {place}").trim().to_string());
    }
    Ok(out)
}

async fn overview(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<RegionQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, region) = open_region(
        &state,
        &user,
        &q.regio,
        Action::Search,
        &request.path,
        "overview",
    )
    .await?;
    let open = requests::open_in_region(&mut tx, &region, LIST_LIMIT)
        .await
        .map_err(internal)?;
    let lines = proposals::coordinator_overview(&mut tx, &region, LIST_LIMIT)
        .await
        .map_err(internal)?;
    crate::accounts::commit(&state, tx).await?;
    let tr = &request.tr;
    let areas = areas(
        &state,
        open.iter()
            .map(|r| r.draft.pc4.to_string())
            .chain(lines.iter().map(|l| l.pc4.clone())),
    )
    .await?;
    let mut open_lines: Vec<(u32, &HelpRequest)> = open
        .iter()
        .map(|r| (2 - r.draft.urgency.level(), r))
        .collect();
    open_lines.sort_by_key(|(u, r)| (*u, r.created_at));
    let open = open_lines
        .into_iter()
        .map(|(_, r)| RequestLine {
            href: request_path(&r.id),
            what: type_label(tr, r.draft.help_type),
            area: areas
                .get(&r.draft.pc4.to_string())
                .cloned()
                .unwrap_or_default(),
            when: when_text(tr, &r.draft),
            urgency: urgency_label(tr, r.draft.urgency),
        })
        .collect();
    let (mut waiting, mut accepted, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for l in &lines {
        let what = mantelkring_core::matching::HelpType::from_code(&l.help_type)
            .map(|t| type_label(tr, t))
            .unwrap_or_else(|| l.help_type.clone());
        let line = OverviewLine {
            href: request_path(&l.request_id),
            what,
            area: areas.get(&l.pc4).cloned().unwrap_or_default(),
            volunteer: l.volunteer_name.clone(),
            status: format!(
                "{} ({})",
                tr.t(&format!(
                    "matching-coord-proposal-{}",
                    l.status.code().replace('_', "-")
                )),
                status_label(tr, l.request_status)
            ),
            moment: match l.status {
                ProposalStatus::Proposed => tr.t1(
                    "matching-coord-answer-by",
                    "moment",
                    &local_moment(l.respond_by),
                ),
                _ => local_moment(l.proposed_at),
            },
        };
        match l.status {
            ProposalStatus::Proposed => waiting.push(line),
            ProposalStatus::Accepted => accepted.push(line),
            _ => other.push(line),
        }
    }
    html(
        StatusCode::OK,
        OverviewPage {
            page: request.page("matching-coord-overview-title"),
            open,
            lists: vec![
                (tr.t("matching-coord-waiting"), waiting),
                (tr.t("matching-coord-accepted"), accepted),
                (tr.t("matching-coord-other"), other),
            ],
            batch_href: "/vrijwilligers/koppelen".into(),
        },
    )
}

// ---- The batch proposal -----------------------------------------------------------------------

struct BatchRow {
    value: String,
    what: String,
    area: String,
    when: String,
    urgency: String,
    request_href: String,
    volunteer: String,
    why: String,
    score: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "matching_coordinator_batch.html")]
struct BatchPage {
    page: Page,
    rows: Vec<BatchRow>,
    total_text: String,
    unmatched: Vec<RequestLine>,
    skipped_input: usize,
    region: String,
    overview_href: String,
}

async fn batch(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<RegionQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, region) = open_region(
        &state,
        &user,
        &q.regio,
        Action::Search,
        &request.path,
        "batch",
    )
    .await?;
    let sees = log_volunteer_search(&state, &mut tx, &user, "batch proposal").await?;
    let (input, weights) = load(&mut tx, &region).await.map_err(internal)?;
    let open = requests::open_in_region(&mut tx, &region, i64::MAX)
        .await
        .map_err(internal)?;
    crate::accounts::commit(&state, tx).await?;
    let tr = &request.tr;
    let by_id: HashMap<&str, &HelpRequest> = open.iter().map(|r| (r.id.as_str(), r)).collect();
    let (pairs, total) = if sees {
        let index = VolunteerIndex::build(input.volunteers.clone());
        let assignment = propose(&index, &input.requests, &weights);
        (assignment.pairs, assignment.total)
    } else {
        (Vec::new(), 0)
    };
    let volunteer_ids: Vec<&str> = pairs
        .iter()
        .map(|(_, v, _)| input.volunteer_ids[*v as usize].as_str())
        .collect();
    let names = names(&state, &volunteer_ids).await?;
    let areas = areas(&state, open.iter().map(|r| r.draft.pc4.to_string())).await?;
    let line = |r: &HelpRequest| RequestLine {
        href: request_path(&r.id),
        what: type_label(tr, r.draft.help_type),
        area: areas
            .get(&r.draft.pc4.to_string())
            .cloned()
            .unwrap_or_default(),
        when: when_text(tr, &r.draft),
        urgency: urgency_label(tr, r.draft.urgency),
    };
    let mut rows = Vec::new();
    let mut assigned = std::collections::HashSet::new();
    for (r, v, points) in &pairs {
        let request_id = &input.request_ids[*r as usize];
        let volunteer_id = &input.volunteer_ids[*v as usize];
        let Some(stored) = by_id.get(request_id.as_str()) else {
            continue;
        };
        assigned.insert(request_id.clone());
        let (_, reasons) = score(
            &input.requests[*r as usize],
            &input.volunteers[*v as usize],
            &weights,
        );
        let l = line(stored);
        let volunteer = names.get(volunteer_id).cloned().unwrap_or_default();
        rows.push(BatchRow {
            value: format!("{request_id}:{volunteer_id}"),
            label: tr.t2(
                "matching-coord-batch-tick",
                ("what", &format!("{} {}", l.what, l.area)),
                ("name", &volunteer),
            ),
            what: l.what,
            area: l.area,
            when: l.when,
            urgency: l.urgency,
            request_href: l.href,
            volunteer,
            why: why_line(tr, &reasons),
            score: *points,
        });
    }
    let unmatched = open
        .iter()
        .filter(|r| !assigned.contains(&r.id))
        .map(line)
        .collect();
    html(
        StatusCode::OK,
        BatchPage {
            page: request.page("matching-coord-batch-title"),
            total_text: tr.t2(
                "matching-coord-batch-total",
                ("total", &total.to_string()),
                ("count", &rows.len().to_string()),
            ),
            rows,
            unmatched,
            skipped_input: input.skipped.len(),
            region,
            overview_href: "/vrijwilligers/hulpvragen".into(),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BatchForm {
    regio: String,
    /// Ticked pairs: `request id:volunteer user id`.
    koppel: Vec<String>,
}

struct SentLine {
    href: String,
    text: String,
}

#[derive(Template)]
#[template(path = "matching_coordinator_sent.html")]
struct SentPage {
    page: Page,
    sent: Vec<SentLine>,
    skipped: Vec<SentLine>,
    batch_href: String,
    overview_href: String,
}

/// `POST /vrijwilligers/koppelen`: sends the ticked pairs, each checked against the region as it
/// is now (a pair that changed meanwhile is skipped, and the page says so), in one transaction
/// with one audit record per caregiver whose request was sent.
async fn send_batch(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<BatchForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, region) = open_region(
        &state,
        &user,
        &form.regio,
        Action::Update,
        "/vrijwilligers/koppelen",
        "send batch",
    )
    .await?;
    let tr = &request.tr;
    if form.koppel.is_empty() {
        tx.rollback().await.map_err(StoreError::from)?;
        return problem(
            &request,
            StatusCode::BAD_REQUEST,
            tr.t("matching-coord-err-none-ticked"),
            "/vrijwilligers/koppelen",
        );
    }
    let input = load(&mut tx, &region).await.map_err(internal)?;
    let now = now_ms();
    let i18n = state.i18n();
    let mut used: HashMap<String, u16> = HashMap::new();
    let mut done_requests = std::collections::HashSet::new();
    let mut sent = Vec::new();
    let mut skipped = Vec::new();
    let mut subjects: Vec<String> = Vec::new();
    for pair in &form.koppel {
        let Some((request_id, volunteer)) = pair.split_once(':') else {
            skipped.push(SentLine {
                href: "/vrijwilligers/koppelen".into(),
                text: tr.t("matching-coord-skip-bad"),
            });
            continue;
        };
        let href = request_path(request_id);
        let taken = *used.get(volunteer).unwrap_or(&0);
        let fits = if done_requests.contains(request_id) {
            Err(Unfit::NotOpen)
        } else {
            fit(&input, request_id, volunteer, taken)
        };
        let candidate = match fits {
            Ok(c) => c,
            Err(unfit) => {
                skipped.push(SentLine {
                    href,
                    text: tr.t(unfit.key()),
                });
                continue;
            }
        };
        let by = Actor::user(&user.actor.user_id);
        match send_proposal(
            state.store(),
            &mut tx,
            &i18n,
            &state.settings().public_url,
            request_id,
            &candidate,
            by,
            now,
        )
        .await
        {
            Ok(s) => {
                *used.entry(volunteer.to_string()).or_default() += 1;
                done_requests.insert(request_id.to_string());
                subjects.push(s.caregiver_person_id);
                let name = base::display_name(state.store(), volunteer)
                    .await?
                    .unwrap_or_default();
                sent.push(SentLine {
                    href,
                    text: tr.t1("matching-coord-sent-to", "name", &name),
                });
            }
            Err(MatchingError::Store(e)) => return Err(AppError::from(e)),
            Err(e) => skipped.push(SentLine {
                href,
                text: e.to_string(),
            }),
        }
    }
    let records: Vec<(&str, Purpose)> = subjects
        .iter()
        .map(|s| (s.as_str(), Purpose::VolunteerCoordination))
        .collect();
    log_allowed_many(&state, &mut tx, &user, Action::Update, &records, CATEGORY).await?;
    crate::accounts::commit(&state, tx).await?;
    let status = if sent.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    html(
        status,
        SentPage {
            page: request.page("matching-coord-sent-title"),
            sent,
            skipped,
            batch_href: "/vrijwilligers/koppelen".into(),
            overview_href: "/vrijwilligers/hulpvragen".into(),
        },
    )
}
