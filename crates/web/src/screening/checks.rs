//! The network's Signaleren page and the checks themselves: the latest score per instrument with
//! its band (or the note that there is no cut-off) and trend, starting a check (by the caregiver
//! online, or together during a call or visit), filling it in (saved at every step), completing
//! it (only a complete check is scored; the signal rules run in the same transaction), the
//! result with next steps, the FHIR QuestionnaireResponse of a check and the public
//! Questionnaire of each instrument, and `/hoe-gaat-het` (the caregiver's menu entry).

use super::{
    AnswerForm, FillContext, FormProblem, ResultContext, ResultPage, Step, View, date_of, enter,
    fill_page, first_open, how_filled_in, level_code, moment_of, path, question_to_show,
    remember_view, render, result_page, score_of, see_other, trend,
};
use crate::AppState;
use crate::errors::AppError;
use crate::identity::require_user;
use crate::network::{Kring, KringNav};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::base::Role;
use mantelkring_core::network::{MemberKind, MemberStatus};
use mantelkring_core::screening::CheckMode;
use mantelkring_core::screening::fhir::{self, Author, FhirCheck};
use mantelkring_core::screening::instrument::Instrument;
use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::Tx;
use mantelkring_store::network::{self, members};
use mantelkring_store::screening::checks::{self, Check, NewCheck, NotCompleted};
use mantelkring_store::screening::links::{self as store_links, LinkState};
use mantelkring_store::screening::{self as store_screening, signals};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/signaleren", get(overview))
        .route("/kringen/{id}/signaleren/checks", post(start))
        .route(
            "/kringen/{id}/signaleren/checks/{check}",
            get(show).post(answer),
        )
        .route(
            "/kringen/{id}/signaleren/checks/{check}/fhir",
            get(response_fhir),
        )
        .route("/hoe-gaat-het", get(how_are_you))
        .route("/fhir/Questionnaire/{instrument}", get(questionnaire_fhir))
}

/// FHIR's own media type.
const FHIR_JSON: &str = crate::network::fhir::FHIR_JSON;

/// The query of a check's page: which question, which view, what was just done.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckQuery {
    vraag: String,
    weergave: String,
    gedaan: String,
}

impl CheckQuery {
    fn parse(raw: Option<&str>) -> CheckQuery {
        serde_html_form::from_str(raw.unwrap_or_default()).unwrap_or_default()
    }

    fn question(&self) -> Option<usize> {
        self.vraag.trim().parse().ok().filter(|n| *n >= 1)
    }

    /// The view asked for in the address, else the remembered one.
    fn view(&self, headers: &HeaderMap) -> View {
        View::parse(&self.weergave).unwrap_or_else(|| View::of(headers))
    }
}

/// The address of a check's page, showing question `question` one at a time, or the list.
fn check_href(network_id: &str, check_id: &str, view: View, question: usize) -> String {
    let base = path(network_id, &format!("checks/{check_id}"));
    match view {
        View::Step => format!("{base}?weergave=stap&vraag={question}"),
        View::List => format!("{base}?weergave=lijst"),
    }
}

/// The given name of the network's first naaste, for "[naaste]".
pub(super) async fn naaste_name(tx: &mut Tx, network_id: &str) -> Result<Option<String>, AppError> {
    Ok(members::naasten(tx, network_id)
        .await?
        .into_iter()
        .map(|n| n.given_name.trim().to_string())
        .find(|n| !n.is_empty()))
}

/// The rules in force for this network: the threshold of each instrument (the region's own, or
/// the instrument's "high" band).
pub(super) async fn thresholds(
    state: &AppState,
    tx: &mut Tx,
    network_id: &str,
) -> Result<std::collections::BTreeMap<String, u32>, AppError> {
    let rules = store_screening::rule_context(tx, &state.settings().instruments).await?;
    let region = signals::region_of(tx, network_id).await?;
    Ok(rules.for_region(region.as_deref()).1)
}

/// Evaluates the signal rules for the network right after a check was completed, in the same
/// transaction, so a signal is there as soon as the score is.
pub(super) async fn raise_signals(
    state: &AppState,
    tx: &mut Tx,
    network_id: &str,
    now: Millis,
) -> Result<(), AppError> {
    let rules = store_screening::rule_context(tx, &state.settings().instruments).await?;
    signals::evaluate_network(tx, &rules, network_id, now).await?;
    Ok(())
}

/// What saving a form did.
pub(super) enum Saved {
    /// The answers are saved (nothing else was asked).
    Answers(Vec<Option<String>>),
    /// The check is complete (and scored).
    Completed,
    /// The answers are saved, but the check could not be completed.
    NotCompleted(Vec<Option<String>>, NotCompleted),
}

/// Saves a form's answers into a draft, and completes it when the form asks for that.
pub(super) async fn save_form(
    tx: &mut Tx,
    check: &Check,
    instrument: &Instrument,
    form: &AnswerForm,
    now: Millis,
) -> Result<Saved, AppError> {
    let answers = form.apply(&check.answers_for(instrument.items.len()));
    checks::save_answers(tx, &check.network_id, &check.id, &answers, now).await?;
    if form.step != Step::Complete {
        return Ok(Saved::Answers(answers));
    }
    Ok(
        match checks::complete(tx, &check.network_id, &check.id, instrument, now).await? {
            Ok(_) => Saved::Completed,
            Err(why) => Saved::NotCompleted(answers, why),
        },
    )
}

/// The message for a check that could not be completed (other than open questions).
pub(super) fn not_completed_message(request: &PageRequest, why: &NotCompleted) -> String {
    match why {
        NotCompleted::Incomplete(_) => request.tr.t("screening-error-not-scored"),
        NotCompleted::UnknownAnswer(n) => {
            request
                .tr
                .t1("screening-error-unknown-answer", "number", &n.to_string())
        }
        NotCompleted::OtherVersion => request.tr.t("screening-error-other-version"),
        NotCompleted::NotADraft => request.tr.t("screening-error-not-a-draft"),
    }
}

// ---- The Signaleren page ------------------------------------------------------------------------

struct LatestView {
    score_line: String,
    band: Option<String>,
    level: &'static str,
    no_band_note: Option<String>,
    trend: Option<(&'static str, String)>,
    when: String,
    result_href: String,
}

struct InstrumentCard {
    id: String,
    name: String,
    source: String,
    latest: Option<LatestView>,
    history_href: String,
    start_label: String,
}

struct DraftView {
    text: String,
    name: String,
    href: Option<String>,
}

struct LinkLine {
    instrument: String,
    to: String,
    sent: String,
    state: String,
}

/// The single-use link form, as typed (kept when it comes back with a message).
#[derive(Debug, Clone, Default)]
pub(super) struct LinkForm {
    pub instrument: String,
    pub to: String,
    pub email: String,
    pub errors: Vec<(String, String)>,
}

struct LinkFormView {
    action: String,
    intro: String,
    instruments: Vec<(String, String, bool)>,
    caregiver_label: Option<String>,
    to_caregiver: bool,
    email: String,
    email_error: Option<String>,
    errors: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "screening_overview.html")]
pub(super) struct OverviewPage {
    page: Page,
    nav: KringNav,
    heading: String,
    intro: String,
    done: Option<String>,
    drafts: Vec<DraftView>,
    cards: Vec<InstrumentCard>,
    start_action: Option<String>,
    start_hint: String,
    link_form: Option<LinkFormView>,
    links: Vec<LinkLine>,
    signals_href: String,
    contact_href: String,
}

/// What `?gedaan=` on the Signaleren page says.
fn done_message(request: &PageRequest, done: &str) -> Option<String> {
    let key = match done {
        "opgeslagen" => "screening-done-saved",
        "verstuurd" => "screening-done-link-sent",
        _ => return None,
    };
    Some(request.tr.t(key))
}

/// Whether the visitor may send single-use links: a professional member who may add checks.
pub(super) fn sends_links(kring: &Kring) -> bool {
    kring.standing.relationship.professional && kring.allows(Action::Create, DataCategory::Checks)
}

/// The Signaleren page of an opened network (read in `tx`).
pub(super) async fn overview_page(
    state: &AppState,
    request: &PageRequest,
    tx: &mut Tx,
    kring: &Kring,
    done: Option<String>,
    link_form: Option<LinkForm>,
    view: View,
) -> Result<OverviewPage, AppError> {
    let t = &request.tr;
    let id = &kring.network.id;
    let catalogue = state.settings().instruments.clone();
    let latest = checks::latest(tx, id).await?;
    let drafts = checks::drafts(tx, id).await?;
    let may_start = kring.allows(Action::Create, DataCategory::Checks);
    let own = kring.is_caregiver();
    let cards = catalogue
        .all()
        .into_iter()
        .map(|instrument| {
            let latest = latest.get(&instrument.id).map(|l| {
                let score = l.latest.score.unwrap_or_default();
                let band = instrument.band(score);
                LatestView {
                    score_line: score_of(t, score, instrument),
                    band: band.map(|b| b.label.clone()),
                    level: band.map_or("none", |b| level_code(b.level)),
                    no_band_note: if band.is_none() {
                        instrument.no_band_note.clone()
                    } else {
                        None
                    },
                    trend: trend(t, score, l.previous.as_ref()),
                    when: how_filled_in(t, &l.latest),
                    result_href: path(id, &format!("checks/{}", l.latest.id)),
                }
            });
            InstrumentCard {
                id: instrument.id.clone(),
                name: instrument.name.clone(),
                source: instrument.source.clone(),
                history_href: format!("{}?lijst={}", path(id, "verloop"), instrument.id),
                start_label: match (own, latest.is_some()) {
                    (true, false) => t.t1("screening-start-own", "name", &instrument.short_name),
                    (true, true) => t.t1("screening-start-again", "name", &instrument.short_name),
                    (false, _) => t.t1("screening-start-together", "name", &instrument.short_name),
                },
                latest,
            }
        })
        .collect();
    let drafts = drafts
        .iter()
        .filter_map(|d| {
            let instrument = catalogue.get(&d.instrument)?;
            let answered = d
                .answers_for(instrument.items.len())
                .iter()
                .filter(|a| a.is_some())
                .count();
            let text = t.t2(
                "screening-draft-line",
                ("date", &date_of(d.updated_at)),
                (
                    "answered",
                    &format!("{answered}/{}", instrument.items.len()),
                ),
            );
            // A check through a link is the caregiver's to finish; the others can be continued.
            // (The remembered view applies: no `weergave` in the address.)
            let href = (d.mode != CheckMode::Link && may_start).then(|| {
                format!(
                    "{}?vraag={}",
                    path(id, &format!("checks/{}", d.id)),
                    first_open(&d.answers_for(instrument.items.len()))
                )
            });
            Some(DraftView {
                text: match d.mode {
                    CheckMode::Link => format!("{text} {}", t.t("screening-draft-by-link")),
                    _ => text,
                },
                name: instrument.name.clone(),
                href,
            })
        })
        .collect();
    let mut link_view = None;
    let mut links = Vec::new();
    if sends_links(kring) {
        let form = link_form.unwrap_or_default();
        let person = network::person(tx, &kring.network.caregiver_person_id).await?;
        let caregiver_email = person.as_ref().and_then(|p| p.email.clone());
        let sees_contact = kring.sees(DataCategory::Contact);
        let first = kring
            .network
            .caregiver_name
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        let caregiver_label = caregiver_email.as_ref().map(|email| {
            if sees_contact {
                t.t2(
                    "screening-link-to-caregiver-shown",
                    ("name", &first),
                    ("email", email),
                )
            } else {
                t.t1("screening-link-to-caregiver", "name", &first)
            }
        });
        let chosen = if form.instrument.is_empty() {
            catalogue
                .all()
                .first()
                .map(|i| i.id.clone())
                .unwrap_or_default()
        } else {
            form.instrument.clone()
        };
        link_view = Some(LinkFormView {
            // Back at the form (and its messages) after sending, also without JavaScript.
            action: format!("{}#link-sturen", path(id, "links")),
            intro: t.t1("screening-link-intro", "name", &first),
            instruments: catalogue
                .all()
                .into_iter()
                .map(|i| (i.id.clone(), i.name.clone(), i.id == chosen))
                .collect(),
            to_caregiver: caregiver_label.is_some() && form.to != "ander",
            caregiver_label,
            email: form.email.clone(),
            email_error: form
                .errors
                .iter()
                .find(|(f, _)| f == "link-email")
                .map(|(_, e)| e.clone()),
            errors: form.errors,
        });
        let now = now_ms();
        links = store_links::of_network(tx, id, 20)
            .await?
            .into_iter()
            .map(|l| {
                let state = match l.state(now) {
                    LinkState::Open => match &l.check_id {
                        Some(_) => t.t1(
                            "screening-link-state-started",
                            "date",
                            &moment_of(l.expires_at),
                        ),
                        None => t.t1(
                            "screening-link-state-open",
                            "date",
                            &moment_of(l.expires_at),
                        ),
                    },
                    LinkState::Used => t.t1(
                        "screening-link-state-used",
                        "date",
                        &date_of(l.used_at.unwrap_or(l.expires_at)),
                    ),
                    LinkState::Expired => t.t1(
                        "screening-link-state-expired",
                        "date",
                        &moment_of(l.expires_at),
                    ),
                };
                let to = if !sees_contact && caregiver_email.as_deref() == Some(l.sent_to.as_str())
                {
                    t.t1("screening-link-to-caregiver", "name", &first)
                } else {
                    l.sent_to.clone()
                };
                LinkLine {
                    instrument: catalogue
                        .get(&l.instrument)
                        .map_or(l.instrument.clone(), |i| i.short_name.clone()),
                    to,
                    sent: t.t2(
                        "screening-link-sent-by",
                        ("date", &date_of(l.created_at)),
                        ("name", &l.created_by_name),
                    ),
                    state,
                }
            })
            .collect();
    }
    let heading = if own {
        t.t("screening-title-own")
    } else {
        t.t("screening-title")
    };
    let mut page = request.page("screening-title");
    page.title.clone_from(&heading);
    Ok(OverviewPage {
        nav: KringNav::new(kring, t, "signaleren"),
        intro: if own {
            t.t("screening-intro-own")
        } else {
            t.t1(
                "screening-intro-member",
                "name",
                &kring.network.caregiver_name,
            )
        },
        done,
        drafts,
        cards,
        start_action: may_start.then(|| path(id, "checks")),
        start_hint: if own {
            match view {
                View::Step => t.t("screening-start-hint-own"),
                View::List => t.t("screening-start-hint-own-list"),
            }
        } else {
            t.t1(
                "screening-start-hint-together",
                "name",
                &kring.network.caregiver_name,
            )
        },
        link_form: link_view,
        links,
        signals_href: path(id, "signalen"),
        contact_href: path(id, "contact"),
        heading,
        page,
    })
}

/// `GET /kringen/{id}/signaleren`.
async fn overview(
    State(state): State<AppState>,
    request: PageRequest,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let query = CheckQuery::parse(query.as_deref());
    let page = overview_page(
        &state,
        &request,
        &mut tx,
        &kring,
        done_message(&request, &query.gedaan),
        None,
        View::of(&headers),
    )
    .await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(render(StatusCode::OK, page))
}

/// `GET /hoe-gaat-het`: the caregiver's own Signaleren page (their network is made on the first
/// visit, as `/kring` does). Anyone else goes to `/kring`.
async fn how_are_you(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let Some(person_id) = user
        .actor
        .person_id
        .clone()
        .filter(|_| user.actor.has_role(Role::Caregiver))
    else {
        return Ok(see_other("/kring".into()));
    };
    let mut tx = state.store().begin_write().await?;
    let network_id = network::network_of(&mut tx, &person_id).await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&network_id, "")))
}

// ---- Starting a check -------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    lijst: String,
    weergave: String,
}

/// `POST /kringen/{id}/signaleren/checks`: a new draft of the chosen instrument, by the caregiver
/// (online) or by a member with the caregiver (during a call or visit).
async fn start(
    State(state): State<AppState>,
    request: PageRequest,
    headers: HeaderMap,
    Path(id): Path<String>,
    crate::forms::Form(form): crate::forms::Form<StartForm>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Create).await?;
    let catalogue = state.settings().instruments.clone();
    let Some(instrument) = catalogue.get(form.lijst.trim()) else {
        // Nothing is written: the record of the access goes with the transaction.
        drop(tx);
        let mut tx = state.store().begin_read().await?;
        let page = overview_page(
            &state,
            &request,
            &mut tx,
            &kring,
            Some(request.tr.t("screening-error-instrument")),
            None,
            View::of(&headers),
        )
        .await?;
        return Ok(render(StatusCode::BAD_REQUEST, page));
    };
    let mode = if kring.is_caregiver() {
        CheckMode::Online
    } else {
        CheckMode::Conversation
    };
    let check_id = checks::start(
        &mut tx,
        &NewCheck {
            network_id: &id,
            instrument,
            mode,
            entered_by_user_id: Some(&kring.user.actor.user_id),
            link_id: None,
        },
        now_ms(),
    )
    .await?;
    crate::accounts::commit(&state, tx).await?;
    let view = View::parse(&form.weergave).unwrap_or_else(|| View::of(&headers));
    let mut response = see_other(check_href(&id, &check_id, view, 1));
    remember_view(&state, &mut response, view);
    Ok(response)
}

// ---- Filling in and the result ----------------------------------------------------------------

/// "Samen met Ria de Vries" above a check someone fills in for the caregiver.
fn who_line(request: &PageRequest, kring: &Kring) -> Option<String> {
    (!kring.is_caregiver()).then(|| {
        request
            .tr
            .t1("screening-fill-with", "name", &kring.network.caregiver_name)
    })
}

/// The people a caregiver can talk to about a high score, and everyone who sees the checks.
async fn people_around(
    tx: &mut Tx,
    network_id: &str,
) -> Result<(Vec<String>, Vec<String>), AppError> {
    let active = members::list(tx, network_id, Some(MemberStatus::Active)).await?;
    let seeing: Vec<&members::Member> = active
        .iter()
        .filter(|m| m.categories.contains(&DataCategory::Checks))
        .collect();
    let talk_to = seeing
        .iter()
        .filter(|m| matches!(m.kind, MemberKind::Professional | MemberKind::CaseManager))
        .map(|m| {
            if m.role_label.trim().is_empty() {
                m.name.clone()
            } else {
                format!("{} ({})", m.name, m.role_label.trim())
            }
        })
        .collect();
    let shared = seeing.iter().map(|m| m.name.clone()).collect();
    Ok((talk_to, shared))
}

/// The result page of a complete check of an opened network.
async fn result_of(
    state: &AppState,
    request: &PageRequest,
    tx: &mut Tx,
    kring: &Kring,
    instrument: &Instrument,
    check: &Check,
) -> Result<ResultPage, AppError> {
    let id = &kring.network.id;
    let t = &request.tr;
    let history = checks::history(tx, id, &instrument.id).await?;
    let previous = history
        .iter()
        .take_while(|c| c.id != check.id)
        .last()
        .cloned();
    let naaste = naaste_name(tx, id).await?;
    let threshold = thresholds(state, tx, id)
        .await?
        .get(&instrument.id)
        .copied();
    let (talk_to, shared_with) = people_around(tx, id).await?;
    let mut talk_lines = Vec::new();
    if !talk_to.is_empty() {
        talk_lines.push(t.t1("screening-talk-in-kring", "names", &talk_to.join(", ")));
    }
    let mut links = vec![
        (
            format!("{}?lijst={}", path(id, "verloop"), instrument.id),
            t.t("screening-to-history"),
        ),
        (path(id, ""), t.t("screening-to-overview")),
    ];
    if kring.allows(Action::Export, DataCategory::Checks) {
        links.push((
            path(id, &format!("checks/{}/fhir", check.id)),
            t.t("screening-fhir-response"),
        ));
    }
    links.push((
        format!("/fhir/Questionnaire/{}", instrument.id),
        t.t("screening-fhir-questionnaire"),
    ));
    Ok(result_page(
        request,
        ResultContext {
            instrument,
            naaste: naaste.as_deref(),
            own: kring.is_caregiver(),
            caregiver_name: &kring.network.caregiver_name,
            threshold,
            previous: previous.as_ref(),
            talk_to: talk_lines,
            shared_with,
            links,
            nav: Some(KringNav::new(kring, t, "signaleren")),
        },
        check,
    ))
}

/// A check of an opened network with its instrument; a check that is not there (or of another
/// network) is a 404, after the access was logged.
async fn check_and_instrument(
    state: &AppState,
    tx: &mut Tx,
    network_id: &str,
    check_id: &str,
) -> Result<Option<(Check, Instrument)>, AppError> {
    let Some(check) = checks::check(tx, network_id, check_id).await? else {
        return Ok(None);
    };
    let Some(instrument) = state.settings().instruments.get(&check.instrument).cloned() else {
        return Ok(None);
    };
    Ok(Some((check, instrument)))
}

/// `GET /kringen/{id}/signaleren/checks/{check}`: a draft to fill in, or a complete check's result.
async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    headers: HeaderMap,
    Path((id, check_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let Some((check, instrument)) = check_and_instrument(&state, &mut tx, &id, &check_id).await?
    else {
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::NotFound);
    };
    if check.is_complete() {
        let page = result_of(&state, &request, &mut tx, &kring, &instrument, &check).await?;
        crate::accounts::commit(&state, tx).await?;
        return Ok(render(StatusCode::OK, page));
    }
    if !kring.allows(Action::Update, DataCategory::Checks) {
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::Forbidden);
    }
    let naaste = naaste_name(&mut tx, &id).await?;
    crate::accounts::commit(&state, tx).await?;
    let query = CheckQuery::parse(query.as_deref());
    let view = query.view(&headers);
    let answers = check.answers_for(instrument.items.len());
    let question = question_to_show(query.question(), &answers);
    let page = fill_page(
        &request,
        &FillContext {
            instrument: &instrument,
            naaste: naaste.as_deref(),
            who: who_line(&request, &kring),
            action: path(&id, &format!("checks/{check_id}")),
        },
        &answers,
        view,
        question,
        &[],
        None,
    );
    Ok(render(StatusCode::OK, page))
}

/// Where a saved form goes next (for the steps that do not complete).
pub(super) fn next_question(form: &AnswerForm, answers: &[Option<String>]) -> usize {
    let here = form.question.unwrap_or_else(|| first_open(answers));
    match form.step {
        Step::Next => here + 1,
        Step::Previous => here.saturating_sub(1).max(1),
        _ => here,
    }
    .clamp(1, answers.len().max(1))
}

/// `POST /kringen/{id}/signaleren/checks/{check}`: save the answers on the form, then go to the
/// next or previous question, stop for now, switch the view, or complete the check.
async fn answer(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, check_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Update).await?;
    let Some((check, instrument)) = check_and_instrument(&state, &mut tx, &id, &check_id).await?
    else {
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::NotFound);
    };
    if check.is_complete() {
        // Completed already (another tab, a second click): its result.
        crate::accounts::commit(&state, tx).await?;
        return Ok(see_other(path(&id, &format!("checks/{check_id}"))));
    }
    let naaste = naaste_name(&mut tx, &id).await?;
    let ctx = FillContext {
        instrument: &instrument,
        naaste: naaste.as_deref(),
        who: who_line(&request, &kring),
        action: path(&id, &format!("checks/{check_id}")),
    };
    let form = match AnswerForm::parse(&body, &instrument) {
        Ok(form) => form,
        Err(problem) => {
            // Nothing is saved; the form comes back with what was stored.
            drop(tx);
            let answers = check.answers_for(instrument.items.len());
            let page = fill_page(
                &request,
                &ctx,
                &answers,
                View::Step,
                first_open(&answers),
                &[],
                Some(match problem {
                    FormProblem::BadAnswer => request.tr.t("screening-error-bad-answer"),
                    FormProblem::Unreadable => request.tr.t("screening-error-form"),
                }),
            );
            return Ok(render(StatusCode::BAD_REQUEST, page));
        }
    };
    let now = now_ms();
    let saved = save_form(&mut tx, &check, &instrument, &form, now).await?;
    match saved {
        Saved::Completed => {
            raise_signals(&state, &mut tx, &id, now).await?;
            crate::accounts::commit(&state, tx).await?;
            Ok(see_other(path(&id, &format!("checks/{check_id}"))))
        }
        Saved::NotCompleted(answers, why) => {
            crate::accounts::commit(&state, tx).await?;
            let (status, missing) = match &why {
                NotCompleted::Incomplete(missing) => (StatusCode::BAD_REQUEST, missing.clone()),
                _ => (StatusCode::CONFLICT, Vec::new()),
            };
            let question = missing.first().copied().unwrap_or(1);
            let page = fill_page(
                &request,
                &ctx,
                &answers,
                form.view,
                question,
                &missing,
                Some(not_completed_message(&request, &why)),
            );
            Ok(render(status, page))
        }
        Saved::Answers(answers) => {
            crate::accounts::commit(&state, tx).await?;
            Ok(match form.step {
                Step::Save => see_other(format!("{}?gedaan=opgeslagen", path(&id, ""))),
                Step::Switch(view) => {
                    let mut response = see_other(check_href(
                        &id,
                        &check_id,
                        view,
                        next_question(&form, &answers),
                    ));
                    remember_view(&state, &mut response, view);
                    response
                }
                _ => see_other(check_href(
                    &id,
                    &check_id,
                    form.view,
                    next_question(&form, &answers),
                )),
            })
        }
    }
}

// ---- FHIR -------------------------------------------------------------------------------------

fn fhir_download(json: &serde_json::Value, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, FHIR_JSON.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        serde_json::to_string_pretty(json).unwrap_or_default(),
    )
        .into_response()
}

/// `GET /kringen/{id}/signaleren/checks/{check}/fhir`: a complete check as a FHIR R4
/// QuestionnaireResponse (policy: Export on checks — the caregiver and professional members).
async fn response_fhir(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, check_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Export).await?;
    let found = check_and_instrument(&state, &mut tx, &id, &check_id).await?;
    let Some((check, instrument)) = found.filter(|(c, _)| c.is_complete()) else {
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::NotFound);
    };
    let author = match check.mode {
        CheckMode::Online | CheckMode::Link => Author::Caregiver,
        CheckMode::Conversation => {
            let active = members::list(&mut tx, &id, None).await?;
            let member = active
                .iter()
                .rev()
                .find(|m| Some(&m.user_id) == check.entered_by_user_id.as_ref());
            Author::Member {
                name: check.entered_by_name.clone().unwrap_or_default(),
                professional: member.is_some_and(|m| {
                    matches!(m.kind, MemberKind::Professional | MemberKind::CaseManager)
                }),
            }
        }
    };
    crate::accounts::commit(&state, tx).await?;
    let answers = check.answers_for(instrument.items.len());
    let response = fhir::questionnaire_response(
        &FhirCheck {
            id: &check.id,
            instrument: &instrument,
            version: &check.instrument_version,
            answers: &answers,
            score: check.score.unwrap_or_default(),
            completed_at: check.completed_at.unwrap_or(check.updated_at),
            caregiver_person_id: &kring.network.caregiver_person_id,
            caregiver_name: &kring.network.caregiver_name,
            author,
        },
        &state.settings().public_url,
    )
    .map_err(|e| AppError::Internal(format!("FHIR: {e}")))?;
    Ok(fhir_download(
        &response,
        &format!("{}-{}.fhir.json", instrument.id, check.id),
    ))
}

/// `GET /fhir/Questionnaire/{instrument}`: an instrument as a FHIR R4 Questionnaire. Public: it
/// holds no one's data, only the list as published.
async fn questionnaire_fhir(
    State(state): State<AppState>,
    Path(instrument): Path<String>,
) -> Result<Response, AppError> {
    let id = instrument.trim_end_matches(".json");
    let Some(instrument) = state.settings().instruments.get(id).cloned() else {
        return Err(AppError::NotFound);
    };
    Ok(fhir_download(
        &fhir::questionnaire(&instrument, &state.settings().public_url),
        &format!("{}.questionnaire.fhir.json", instrument.id),
    ))
}
