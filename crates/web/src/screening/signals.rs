//! Signals on the web: a network's signals with their history and the follow-up form
//! (`/kringen/{id}/signaleren/signalen`), the worklist over every network the visitor follows up
//! signals in (`/signalen`), and the e-mail the evaluation job sends.
//!
//! A network's page goes through `network::open(.., DataCategory::Checks)` like every kring page.
//! The worklist asks the policy per network (Read on Checks) and writes one NEN 7513 record per
//! caregiver shown, in one batched append (`access::log_allowed_many`).

use crate::AppState;
use crate::access::{Subject, decide, log_allowed_many};
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::{I18n, Lang, Tr};
use crate::identity::{Authenticated, require_user};
use crate::network::{Kring, KringNav, open, path};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{
    Action, DataCategory, Decision, DenyReason, Purpose, Resource, may,
};
use mantelkring_core::jobs::EmailJob;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::screening::instrument::Catalogue;
use mantelkring_core::screening::rules::DAY_MS;
use mantelkring_core::screening::{Rule, SignalDetail, SignalStatus, UpdateProblem, check_update};
use mantelkring_core::time::{Millis, now_ms};
use mantelkring_store::Tx;
use mantelkring_store::screening::signals::Recipient;
use mantelkring_store::screening::worklist::{self, EventRow, Filter, Membership, SignalRow};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/signaleren/signalen", get(show))
        .route("/kringen/{id}/signaleren/signalen/{signal}", post(update))
        .route("/signalen", get(worklist_page))
}

// ---- Words for signals ------------------------------------------------------------------------

/// "3 oktober" (with the year when it is not this year's).
pub(crate) fn date_text(i18n: &I18n, lang: Lang, ms: Millis, now: Millis) -> String {
    day_text(i18n, lang, Day::local(ms), now)
}

pub(crate) fn day_text(i18n: &I18n, lang: Lang, day: Day, now: Millis) -> String {
    let iso = day.iso();
    let (year, month, d) = (&iso[..4], &iso[5..7], &iso[8..10]);
    let month = i18n.message(
        lang,
        &format!("kring-agenda-month-{}", month.trim_start_matches('0')),
        &[],
    );
    let d = d.trim_start_matches('0');
    if Day::local(now).iso()[..4] == *year {
        format!("{d} {month}")
    } else {
        format!("{d} {month} {year}")
    }
}

/// The label of a rule ("Score hoog").
pub(crate) fn rule_label(tr: &Tr, rule: Option<Rule>) -> String {
    match rule {
        Some(rule) => tr.t(&format!(
            "screening-sig-rule-{}",
            rule.as_str().replace('_', "-")
        )),
        None => tr.t("screening-sig-rule-unknown"),
    }
}

/// The label of a status: nieuw, in behandeling, afgerond.
pub(crate) fn status_label(tr: &Tr, status: SignalStatus) -> String {
    tr.t(&format!(
        "screening-sig-status-{}",
        status.as_str().replace('_', "-")
    ))
}

/// What a signal is about, in plain words, from its details ("CSI-score 9, grens 7").
pub(crate) fn explain(
    i18n: &I18n,
    lang: Lang,
    instruments: &Catalogue,
    rule: Option<Rule>,
    detail: &SignalDetail,
    now: Millis,
) -> String {
    let instrument = detail
        .instrument
        .as_deref()
        .map(|id| {
            instruments
                .get(id)
                .map_or_else(|| id.to_string(), |i| i.short_name.clone())
        })
        .unwrap_or_default();
    let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let date = detail
        .since
        .map(|at| date_text(i18n, lang, at, now))
        .unwrap_or_default();
    let days = detail
        .since
        .map(|at| {
            let n = (now - at).max(0) / DAY_MS;
            i18n.message_n(lang, "screening-sig-days", "days", n)
        })
        .unwrap_or_default();
    let score = num(detail.score);
    let threshold = num(detail.threshold);
    let previous = num(detail.previous);
    let text = detail.text.clone().unwrap_or_default();
    let (key, args): (&str, Vec<(&str, &str)>) = match rule {
        Some(Rule::ScoreHigh) => (
            "screening-sig-explain-score-high",
            vec![
                ("instrument", &instrument),
                ("score", &score),
                ("threshold", &threshold),
                ("date", &date),
            ],
        ),
        Some(Rule::ScoreRose) => (
            "screening-sig-explain-score-rose",
            vec![
                ("instrument", &instrument),
                ("score", &score),
                ("previous", &previous),
                ("date", &date),
            ],
        ),
        Some(Rule::NoContact) => (
            "screening-sig-explain-no-contact",
            vec![
                ("instrument", &instrument),
                ("score", &score),
                ("threshold", &threshold),
                ("date", &date),
                ("days", &days),
            ],
        ),
        Some(Rule::NoRegiehouder) => (
            "screening-sig-explain-no-regiehouder",
            vec![("date", &date), ("days", &days)],
        ),
        Some(Rule::QuestionUnanswered) => (
            "screening-sig-explain-question",
            vec![("date", &date), ("days", &days)],
        ),
        Some(Rule::TaskUnfilled) => (
            "screening-sig-explain-task",
            vec![("date", &date), ("days", &days)],
        ),
        Some(Rule::CannotCope) => ("screening-sig-explain-cannot-cope", vec![("date", &date)]),
        Some(Rule::Manual) => ("screening-sig-explain-manual", vec![("text", &text)]),
        None => ("screening-sig-explain-unknown", vec![]),
    };
    i18n.message(lang, key, &args)
}

/// One change in a signal's history.
pub struct HistoryView {
    pub when: String,
    pub by: String,
    pub status: String,
    pub owner: String,
    pub follow_up: String,
    pub note: String,
}

/// A signal as the pages show it.
pub struct SignalView {
    pub id: String,
    pub network_href: String,
    pub caregiver: String,
    pub rule: String,
    pub rule_code: String,
    pub explanation: String,
    pub status: String,
    pub status_code: &'static str,
    pub open: bool,
    pub owner_id: String,
    pub owner: String,
    pub follow_up: String,
    pub follow_up_iso: String,
    /// An open signal whose follow-up date has passed.
    pub overdue: bool,
    pub note: String,
    pub raised: String,
    pub history: Vec<HistoryView>,
}

pub(crate) fn signal_view(state: &AppState, tr: &Tr, s: &SignalRow, now: Millis) -> SignalView {
    let i18n = state.i18n();
    let instruments = &state.settings().instruments;
    let today = Day::local(now);
    SignalView {
        id: s.id.clone(),
        network_href: format!(
            "{}#signaal-{}",
            path(&s.network_id, "signaleren/signalen"),
            s.id
        ),
        caregiver: s.caregiver_name.clone(),
        rule: rule_label(tr, s.rule),
        rule_code: s.rule.map(|r| r.as_str()).unwrap_or("unknown").to_string(),
        explanation: explain(&i18n, tr.lang, instruments, s.rule, &s.detail, now),
        status: status_label(tr, s.status),
        status_code: s.status.as_str(),
        open: s.status != SignalStatus::Done,
        owner_id: s.owner_user_id.clone().unwrap_or_default(),
        owner: s.owner_name.clone().unwrap_or_default(),
        follow_up: s
            .follow_up_on
            .map(|d| day_text(&i18n, tr.lang, d, now))
            .unwrap_or_default(),
        follow_up_iso: s.follow_up_on.map(Day::iso).unwrap_or_default(),
        overdue: s.status != SignalStatus::Done && s.follow_up_on.is_some_and(|d| d < today),
        note: s.note.clone(),
        raised: date_text(&i18n, tr.lang, s.raised_at, now),
        history: Vec::new(),
    }
}

fn history_view(state: &AppState, tr: &Tr, e: &EventRow, now: Millis) -> HistoryView {
    let i18n = state.i18n();
    HistoryView {
        when: crate::people::format_time(e.at),
        by: e
            .by_name
            .clone()
            .unwrap_or_else(|| tr.t("screening-sig-by-rules")),
        status: status_label(tr, e.status),
        owner: e.owner_name.clone().unwrap_or_default(),
        follow_up: e
            .follow_up_on
            .map(|d| day_text(&i18n, tr.lang, d, now))
            .unwrap_or_default(),
        note: e.note.clone(),
    }
}

// ---- One network's signals --------------------------------------------------------------------

/// The form of one signal, as sent (kept on a refusal so nothing typed is lost).
#[derive(Deserialize, Default, Clone)]
pub struct UpdateForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    eigenaar: String,
    #[serde(default)]
    opvolgen: String,
    #[serde(default)]
    notitie: String,
}

/// A refused update: which signal, the message, and what was typed.
struct Refusal {
    signal_id: String,
    message: String,
    form: UpdateForm,
}

#[derive(Template)]
#[template(path = "screening_signals.html")]
struct NetworkPage {
    page: Page,
    nav: KringNav,
    base: String,
    open: Vec<SignalView>,
    closed: Vec<SignalView>,
    may_update: bool,
    /// (user id, name) of the members who may own a signal.
    owners: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    refusal: Option<Refusal>,
}

impl NetworkPage {
    /// The value a field of signal `s` shows: what was typed (on a refusal) or what is stored.
    fn value(&self, s: &SignalView, field: &str) -> String {
        if let Some(r) = &self.refusal
            && r.signal_id == s.id
        {
            return match field {
                "status" => r.form.status.clone(),
                "eigenaar" => r.form.eigenaar.clone(),
                "opvolgen" => r.form.opvolgen.clone(),
                _ => r.form.notitie.clone(),
            };
        }
        match field {
            "status" => s.status_code.to_string(),
            "eigenaar" => s.owner_id.clone(),
            "opvolgen" => s.follow_up_iso.clone(),
            _ => s.note.clone(),
        }
    }

    fn message_for(&self, s: &SignalView) -> Option<&str> {
        self.refusal
            .as_ref()
            .filter(|r| r.signal_id == s.id)
            .map(|r| r.message.as_str())
    }
}

async fn render(
    state: &AppState,
    request: &PageRequest,
    mut tx: Tx,
    kring: &Kring,
    refusal: Option<Refusal>,
) -> Result<NetworkPage, AppError> {
    let id = &kring.network.id;
    let signals = worklist::of_network(&mut tx, id).await?;
    let events = worklist::events_of_network(&mut tx, id).await?;
    let may_update = kring.allows(Action::Update, DataCategory::Checks);
    let owners = if may_update {
        worklist::owner_candidates(&mut tx, id).await?
    } else {
        Vec::new()
    };
    crate::accounts::commit(state, tx).await?;
    let tr = &request.tr;
    let now = now_ms();
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for s in &signals {
        let mut view = signal_view(state, tr, s, now);
        view.history = events
            .iter()
            .filter(|e| e.signal_id == s.id)
            .map(|e| history_view(state, tr, e, now))
            .collect();
        if view.open {
            open.push(view);
        } else {
            closed.push(view);
        }
    }
    Ok(NetworkPage {
        page: request.page("screening-sig-network-title"),
        nav: KringNav::new(kring, tr, "signaleren"),
        base: path(id, "signaleren/signalen"),
        open,
        closed,
        may_update,
        owners,
        statuses: SignalStatus::ALL
            .iter()
            .map(|s| (s.as_str(), status_label(tr, *s)))
            .collect(),
        refusal,
    })
}

/// `/kringen/{id}/signaleren/signalen`: the network's signals, open ones first.
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
        DataCategory::Checks,
        &request.path,
    )
    .await?;
    Ok(Html(
        render(&state, &request, tx, &kring, None).await?.render()?,
    ))
}

/// Why an update is refused (the message key).
fn problem_key(p: UpdateProblem) -> &'static str {
    match p {
        UpdateProblem::NoteNeededToClose => "screening-sig-err-note-to-close",
        UpdateProblem::NoteTooLong => "screening-sig-err-note-too-long",
        UpdateProblem::FollowUpInPast => "screening-sig-err-follow-up-past",
    }
}

/// Follows a signal up: status, owner, follow-up date, note. Closing needs a note.
pub async fn update(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, signal_id)): Path<(String, String)>,
    Form(form): Form<UpdateForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Update,
        DataCategory::Checks,
        &request.path,
    )
    .await?;
    let Some(current) = worklist::get(&mut tx, &id, &signal_id).await? else {
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::NotFound);
    };
    let now = now_ms();
    let refuse = |key: &str| Refusal {
        signal_id: signal_id.clone(),
        message: request.tr.t(key),
        form: form.clone(),
    };
    let checked = (|| {
        let status = SignalStatus::parse(form.status.trim()).ok_or("screening-sig-err-status")?;
        let follow_up = match form.opvolgen.trim() {
            "" => None,
            s => Some(Day::parse(s).ok_or("screening-sig-err-follow-up-date")?),
        };
        let note = form.notitie.trim().replace("\r\n", "\n");
        // A follow-up date already set may stay as it is after it passed.
        let new_date = follow_up.filter(|d| Some(*d) != current.follow_up_on);
        check_update(status, &note, new_date, Day::local(now)).map_err(problem_key)?;
        Ok::<_, &'static str>((status, follow_up, note))
    })();
    let (status, follow_up, note) = match checked {
        Ok(v) => v,
        Err(key) => {
            let page = render(&state, &request, tx, &kring, Some(refuse(key))).await?;
            return Ok(crate::accounts::message_page(StatusCode::BAD_REQUEST, page));
        }
    };
    let owner = form.eigenaar.trim();
    let owner = if owner.is_empty() {
        None
    } else {
        let candidates = worklist::owner_candidates(&mut tx, &id).await?;
        if !candidates.iter().any(|(u, _)| u == owner) {
            let refusal = refuse("screening-sig-err-owner");
            let page = render(&state, &request, tx, &kring, Some(refusal)).await?;
            return Ok(crate::accounts::message_page(StatusCode::BAD_REQUEST, page));
        }
        Some(owner)
    };
    let change = worklist::Update {
        status,
        owner_user_id: owner,
        follow_up_on: follow_up,
        note: &note,
    };
    worklist::update(&mut tx, &id, &signal_id, &change, &user.actor.user_id, now).await?;
    crate::accounts::commit(&state, tx).await?;
    let to = format!("{}#signaal-{signal_id}", path(&id, "signaleren/signalen"));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

// ---- The networks a visitor follows signals up in ---------------------------------------------

/// A network whose checks and signals the visitor may see, with the purpose the policy gave.
pub(crate) struct Allowed {
    pub membership: Membership,
    pub purpose: Purpose,
}

/// The networks in which the visitor may do `action` on checks and signals. A visitor who must
/// pass the second factor first is refused (logged, sent to the code step), like on every
/// caregiver's page.
pub(crate) async fn allowed_networks(
    state: &AppState,
    mut tx: Tx,
    user: &Authenticated,
    action: Action,
    back_to: &str,
) -> Result<(Tx, Vec<Allowed>), AppError> {
    let memberships = worklist::memberships(&mut tx, &user.actor.user_id).await?;
    let mut allowed = Vec::new();
    for m in memberships {
        let resource = Resource::PersonData {
            category: DataCategory::Checks,
            relationship: &m.relationship,
        };
        match may(Some(&user.actor), action, &resource) {
            Decision::Allow(purpose) => allowed.push(Allowed {
                membership: m,
                purpose,
            }),
            Decision::Deny(DenyReason::SecondFactorRequired) => {
                // Logged as refused (about this caregiver); answered with the second-factor step.
                let person = mantelkring_store::network::network(&mut tx, &m.network_id)
                    .await?
                    .map(|n| n.caregiver_person_id);
                decide(
                    state,
                    tx,
                    user,
                    action,
                    &resource,
                    &Subject {
                        person_id: person.as_deref(),
                        categories: DataCategory::Checks.as_str(),
                    },
                    back_to,
                )
                .await?;
                return Err(AppError::SecondFactorRequired {
                    back_to: back_to.to_string(),
                });
            }
            // A membership without the checks category: its signals are not listed.
            Decision::Deny(_) => {}
        }
    }
    Ok((tx, allowed))
}

/// Logs one record per caregiver whose signals are shown.
pub(crate) async fn log_shown(
    state: &AppState,
    tx: &mut Tx,
    user: &Authenticated,
    action: Action,
    allowed: &[Allowed],
    shown: &[SignalRow],
) -> Result<(), AppError> {
    let mut subjects: Vec<(&str, Purpose)> = Vec::new();
    for s in shown {
        if subjects.iter().any(|(p, _)| *p == s.caregiver_person_id) {
            continue;
        }
        if let Some(a) = allowed
            .iter()
            .find(|a| a.membership.network_id == s.network_id)
        {
            subjects.push((&s.caregiver_person_id, a.purpose));
        }
    }
    log_allowed_many(
        state,
        tx,
        user,
        action,
        &subjects,
        DataCategory::Checks.as_str(),
    )
    .await
}

// ---- /signalen ---------------------------------------------------------------------------------

/// Signals per page of the worklist.
pub const PAGE_SIZE: usize = 50;

#[derive(Deserialize, Default)]
pub struct WorklistQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    mijn: String,
    #[serde(default)]
    pagina: Option<usize>,
}

/// The status filter: its code, the statuses it shows.
fn status_filter(code: &str) -> (&'static str, Vec<SignalStatus>) {
    match code {
        "new" => ("new", vec![SignalStatus::New]),
        "in_progress" => ("in_progress", vec![SignalStatus::InProgress]),
        "done" => ("done", vec![SignalStatus::Done]),
        "all" => ("all", SignalStatus::ALL.to_vec()),
        _ => ("open", vec![SignalStatus::New, SignalStatus::InProgress]),
    }
}

pub struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "screening_worklist.html")]
struct WorklistPage {
    page: Page,
    signals: Vec<SignalView>,
    total: usize,
    /// Whether the visitor sees checks and signals in any network.
    any_network: bool,
    status: &'static str,
    mine: bool,
    filters: Vec<(&'static str, String)>,
    pages: Vec<PageLink>,
}

/// `/signalen`: the signals of every network the visitor is a member of with checks and
/// signals; open ones by default, filtered by status and "mine", soonest follow-up first.
pub async fn worklist_page(
    State(state): State<AppState>,
    request: PageRequest,
    Query(query): Query<WorklistQuery>,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let tx = state.store().begin_write().await?;
    let (mut tx, allowed) =
        allowed_networks(&state, tx, &user, Action::Read, &request.path).await?;
    let (status, statuses) = status_filter(&query.status);
    let mine = !query.mijn.is_empty();
    let ids: Vec<&str> = allowed
        .iter()
        .map(|a| a.membership.network_id.as_str())
        .collect();
    let page_number = query.pagina.unwrap_or(1).max(1);
    let filter = Filter {
        member: &user.actor.user_id,
        network_ids: &ids,
        statuses: &statuses,
        owner: mine.then_some(user.actor.user_id.as_str()),
    };
    let (mut shown, total) = worklist::list(
        &mut tx,
        &filter,
        Some(PAGE_SIZE),
        (page_number - 1) * PAGE_SIZE,
    )
    .await?;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let current = page_number.min(pages);
    if current != page_number {
        // Past the last page: the last page.
        shown = worklist::list(&mut tx, &filter, Some(PAGE_SIZE), (current - 1) * PAGE_SIZE)
            .await?
            .0;
    }
    let shown = &shown[..];
    log_shown(&state, &mut tx, &user, Action::Read, &allowed, shown).await?;
    crate::accounts::commit(&state, tx).await?;
    let tr = &request.tr;
    let now = now_ms();
    let href = |n: usize| {
        let mut q = format!("/signalen?status={status}");
        if mine {
            q.push_str("&mijn=1");
        }
        if n > 1 {
            q.push_str(&format!("&pagina={n}"));
        }
        q
    };
    Ok(Html(
        WorklistPage {
            page: request.page("screening-sig-worklist-title"),
            signals: shown
                .iter()
                .map(|s| signal_view(&state, tr, s, now))
                .collect(),
            total,
            any_network: !allowed.is_empty(),
            status,
            mine,
            filters: ["open", "new", "in_progress", "done", "all"]
                .into_iter()
                .map(|c| {
                    (
                        c,
                        tr.t(&format!("screening-sig-filter-{}", c.replace('_', "-"))),
                    )
                })
                .collect(),
            pages: if pages > 1 {
                (1..=pages)
                    .map(|n| PageLink {
                        number: n,
                        href: href(n),
                        current: n == current,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
        .render()?,
    ))
}

// ---- The e-mail --------------------------------------------------------------------------------

/// The e-mail after an evaluation: how many new signals, and the link — no health details.
pub fn new_signals_email(i18n: &I18n, public_url: &str, to: &Recipient, count: usize) -> EmailJob {
    let nl = |key: &str| i18n.message(Lang::Nl, key, &[]);
    let body = format!(
        "{}\n\n{}\n\n{}\n{public_url}/signalen\n\n{}\n",
        i18n.message(
            Lang::Nl,
            "screening-sig-mail-greeting",
            &[("name", &to.name)]
        ),
        i18n.message_n(Lang::Nl, "screening-sig-mail-count", "count", count as i64),
        nl("screening-sig-mail-action"),
        nl("screening-sig-mail-footer"),
    );
    EmailJob {
        to: to.email.clone(),
        subject: i18n.message_n(
            Lang::Nl,
            "screening-sig-mail-subject",
            "count",
            count as i64,
        ),
        body_text: body,
    }
}
