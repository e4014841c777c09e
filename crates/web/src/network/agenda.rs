//! The care agenda of a kring (`/kringen/{id}/agenda`): agreements (who does what, from when,
//! when to talk it over), the next four weeks of tasks grouped by day with who signed up and
//! who is still needed, a sign-up button per occurrence (a real form with a button: keyboard and
//! no-JavaScript work), forms to add a task (one-off or weekly) or an agreement, and the agenda
//! as an iCalendar file (`agenda.ics`, RFC 5545).
//!
//! Every handler goes through [`super::open`] with [`DataCategory::Agenda`]: reading with
//! `Read`, adding and signing up with `Create`, withdrawing, cancelling and ending with
//! `Update`. Cancelling a task or ending an agreement is for whoever added it and for whoever
//! speaks for the caregiver; anyone else is refused (and that refusal is logged too).

use super::{Kring, open, path};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::Tr;
use crate::identity::{Authenticated, require_user};
use crate::pages::{Page, PageRequest, safe_return_path};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory, DenyReason};
use mantelkring_core::network::agenda::{AGENDA_DAYS, ClockTime, Day, Schedule, is_unfilled};
use mantelkring_core::network::{MemberStatus, SHORT_TEXT_MAX, multi_line, one_line};
use mantelkring_core::time::{Millis, now_ms, rfc3339};
use mantelkring_store::network::agenda::{
    self, AgendaRefusal, NewAgreement, NewTask, Task, TaskOccurrence, Who,
};
use mantelkring_store::network::members;
use mantelkring_store::{StoreError, Tx};
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/agenda", get(show))
        .route("/kringen/{id}/agenda.ics", get(ics))
        .route("/kringen/{id}/agenda/taken/nieuw", get(task_form))
        .route("/kringen/{id}/agenda/taken", post(add_task))
        .route("/kringen/{id}/agenda/afspraken/nieuw", get(agreement_form))
        .route("/kringen/{id}/agenda/afspraken", post(add_agreement))
        .route(
            "/kringen/{id}/agenda/taken/{task_id}/{day}/aanmelden",
            post(sign_up),
        )
        .route(
            "/kringen/{id}/agenda/taken/{task_id}/{day}/afmelden",
            post(withdraw),
        )
        .route(
            "/kringen/{id}/agenda/taken/{task_id}/annuleren",
            post(cancel_task),
        )
        .route(
            "/kringen/{id}/agenda/afspraken/{agreement_id}/beeindigen",
            post(end_agreement),
        )
}

/// Longest task title.
const TITLE_MAX: usize = 120;
/// Longest task details or agreement text.
const DETAILS_MAX: usize = 2000;
/// Most people one task may ask for.
const NEEDED_MAX: u32 = 10;
/// How far ahead a task may start (two years).
const AHEAD_DAYS: i64 = 731;

fn today() -> Day {
    Day::local(now_ms())
}

fn agenda_path(network_id: &str) -> String {
    path(network_id, "agenda")
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

// ---- Dates in words --------------------------------------------------------------------------

/// (year, month, day of month) of a day.
fn civil(day: Day) -> (i64, u32, u32) {
    let iso = day.iso();
    let mut parts = iso.split('-');
    let mut next = || {
        parts
            .next()
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let (y, m, d) = (next(), next(), next());
    (y, m as u32, d as u32)
}

/// "dinsdag 24 november" / "Tuesday 24 November".
fn long_day(tr: &Tr, day: Day) -> String {
    let (_, m, d) = civil(day);
    format!(
        "{} {d} {}",
        tr.t(&format!("dir-day-{}", day.weekday().code())),
        tr.t(&format!("kring-agenda-month-{m}"))
    )
}

/// "di 24 nov" / "Tue 24 Nov".
fn short_day(tr: &Tr, day: Day) -> String {
    let (_, m, d) = civil(day);
    format!(
        "{} {d} {}",
        tr.t(&format!("weekday-{}", day.weekday().code())),
        tr.t(&format!("kring-agenda-mon-{m}"))
    )
}

/// "24 november 2026".
fn full_date(tr: &Tr, day: Day) -> String {
    let (y, m, d) = civil(day);
    format!("{d} {} {y}", tr.t(&format!("kring-agenda-month-{m}")))
}

/// "09:00–10:30", "09:00", or nothing.
fn time_span(start: Option<ClockTime>, end: Option<ClockTime>) -> Option<String> {
    match (start, end) {
        (Some(s), Some(e)) => Some(format!("{}–{}", s.hhmm(), e.hhmm())),
        (Some(s), None) => Some(s.hhmm()),
        _ => None,
    }
}

/// A date as typed: `2026-11-24` (what a date field sends) or `24-11-2026` (as people write it).
fn parse_date(input: &str) -> Option<Day> {
    let s = input.trim();
    Day::parse(s).or_else(|| {
        let mut parts = s.split(['-', '/', '.']);
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || d.is_empty() || m.is_empty() {
            return None;
        }
        let (d, m): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
        Day::parse(&format!("{y}-{m:02}-{d:02}"))
    })
}

// ---- Problems with a form --------------------------------------------------------------------

/// Problems with a form: the field (its id, so the summary links to it) and the message.
#[derive(Debug, Clone, Default)]
pub struct Problems(Vec<(String, String)>);

impl Problems {
    fn add(&mut self, field: &str, message: String) {
        self.0.push((field.to_string(), message));
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }
}

// ---- The agenda page -------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    klaar: String,
}

/// A button that posts (sign up, withdraw, cancel, end): what it says, and what a screen reader
/// hears after it (which task, which day).
struct Button {
    action: String,
    label: String,
    hidden: String,
    secondary: bool,
}

struct AgreementView {
    what: String,
    who: String,
    from: String,
    review: Option<String>,
    to_review: bool,
    end: Option<Button>,
}

struct OccurrenceView {
    title: String,
    details: String,
    time: Option<String>,
    weekly: bool,
    names: Vec<String>,
    /// "Nog 2 mensen nodig" or "Genoeg mensen".
    need: String,
    unfilled: bool,
    nobody: bool,
    help_wanted: bool,
    mine: bool,
    button: Option<Button>,
    /// "Vraag een vrijwilliger": where the button posts (an unfilled task not escalated yet).
    escalate: Option<String>,
    /// The help request this task was escalated to.
    escalated: Option<String>,
}

struct DayView {
    iso: String,
    heading: String,
    items: Vec<OccurrenceView>,
}

struct TaskView {
    title: String,
    when: String,
    needed: String,
    added_by: String,
    cancel: Option<Button>,
}

#[derive(Template)]
#[template(path = "kring_agenda.html")]
struct AgendaPage {
    page: Page,
    nav: super::KringNav,
    is_caregiver: bool,
    can_add: bool,
    new_task_href: String,
    new_agreement_href: String,
    ics_href: String,
    notice: Option<String>,
    agreements: Vec<AgreementView>,
    days: Vec<DayView>,
    open_count: i64,
    tasks: Vec<TaskView>,
}

/// Whether the visitor may cancel or end what `created_by` added.
fn may_change(kring: &Kring, created_by_user_id: &str) -> bool {
    kring.allows(Action::Update, DataCategory::Agenda)
        && (kring.speaks_for_caregiver() || created_by_user_id == kring.user.actor.user_id)
}

fn occurrence_view(
    tr: &Tr,
    kring: &Kring,
    network_id: &str,
    o: &TaskOccurrence,
    today: Day,
) -> OccurrenceView {
    let filled = o.signed_up.len() as u32;
    let unfilled = is_unfilled(o.needed, filled);
    let mine = kring
        .member_id()
        .is_some_and(|me| o.signed_up.iter().any(|(id, _)| id == me));
    let base = path(
        network_id,
        &format!("agenda/taken/{}/{}", o.task_id, o.day.iso()),
    );
    let hidden = format!(" — {}, {}", o.title, short_day(tr, o.day));
    let button = if kring.member_id().is_none() || o.day < today {
        None
    } else if mine {
        kring
            .allows(Action::Update, DataCategory::Agenda)
            .then(|| Button {
                action: format!("{base}/afmelden"),
                label: tr.t("kring-agenda-withdraw"),
                hidden,
                secondary: true,
            })
    } else if unfilled {
        kring
            .allows(Action::Create, DataCategory::Agenda)
            .then(|| Button {
                action: format!("{base}/aanmelden"),
                label: tr.t("kring-agenda-sign-up"),
                hidden,
                secondary: false,
            })
    } else {
        None
    };
    OccurrenceView {
        title: o.title.clone(),
        details: o.details.clone(),
        time: time_span(o.start, o.end),
        weekly: o.weekly,
        names: o.signed_up.iter().map(|(_, n)| n.clone()).collect(),
        need: if unfilled {
            tr.tn(
                "kring-agenda-still-needed",
                "count",
                i64::from(o.needed - filled),
            )
        } else {
            tr.t("kring-agenda-enough")
        },
        unfilled,
        nobody: o.signed_up.is_empty(),
        help_wanted: o.help_wanted,
        mine,
        button,
        escalate: None,
        escalated: None,
    }
}

/// "Eenmalig op …" or "Elke dinsdag vanaf … (tot en met …)", with the time.
fn schedule_text(tr: &Tr, task: &Task) -> String {
    let when = match task.schedule {
        Schedule::Once { on } => tr.t1("kring-agenda-once-on", "date", &full_date(tr, on)),
        Schedule::Weekly { from, until } => {
            let weekday = tr.t(&format!("dir-day-{}", from.weekday().code()));
            let text = tr.t2(
                "kring-agenda-weekly-from",
                ("weekday", &weekday),
                ("date", &full_date(tr, from)),
            );
            match until {
                Some(u) => format!(
                    "{text} {}",
                    tr.t1("kring-agenda-until", "date", &full_date(tr, u))
                ),
                None => text,
            }
        }
    };
    match time_span(task.start, task.end) {
        Some(t) => format!("{when}, {t}"),
        None => when,
    }
}

async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Read,
        DataCategory::Agenda,
        &request.path,
    )
    .await?;
    let today = today();
    let agreements = agenda::agreements(&mut tx, &id, today).await?;
    let occurrences = agenda::occurrences(&mut tx, &id, today, today.plus(AGENDA_DAYS - 1)).await?;
    let tasks = agenda::tasks(&mut tx, &id, today).await?;
    let tr = &request.tr;
    let agreements = agreements
        .iter()
        .map(|a| AgreementView {
            what: a.what.clone(),
            who: a.who.clone(),
            from: full_date(tr, a.starts_on),
            review: a.review_on.map(|r| full_date(tr, r)),
            to_review: a.to_review,
            end: may_change(&kring, &a.created_by_user_id).then(|| Button {
                action: path(&id, &format!("agenda/afspraken/{}/beeindigen", a.id)),
                label: tr.t("kring-agenda-end-agreement"),
                hidden: format!(" — {}", first_words(&a.what)),
                secondary: true,
            }),
        })
        .collect();
    // Escalated tasks, and whether the visitor may escalate (ask for a volunteer).
    let may_escalate = crate::matching::may_create_request(&user, &kring.standing.relationship);
    let mut escalated: HashMap<String, Option<String>> = HashMap::new();
    for o in &occurrences {
        if !escalated.contains_key(&o.task_id) {
            let request = mantelkring_store::matching::requests::of_task(&mut tx, &o.task_id)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            escalated.insert(o.task_id.clone(), request);
        }
    }
    let mut days: Vec<DayView> = Vec::new();
    for o in &occurrences {
        let mut view = occurrence_view(tr, &kring, &id, o, today);
        match escalated.get(&o.task_id).cloned().flatten() {
            Some(request_id) => view.escalated = Some(format!("/hulpvragen/{request_id}")),
            None if may_escalate && view.unfilled && o.day >= today => {
                view.escalate = Some(path(&id, &format!("agenda/taken/{}/hulpvraag", o.task_id)));
            }
            None => {}
        }
        match days.last_mut() {
            Some(d) if d.iso == o.day.iso() => d.items.push(view),
            _ => {
                let mut heading = long_day(tr, o.day);
                if o.day == today {
                    heading = format!("{heading} ({})", tr.t("kring-agenda-today"));
                } else if o.day == today.plus(1) {
                    heading = format!("{heading} ({})", tr.t("kring-agenda-tomorrow"));
                }
                days.push(DayView {
                    iso: o.day.iso(),
                    heading,
                    items: vec![view],
                })
            }
        }
    }
    crate::accounts::commit(&state, tx).await?;
    let open_count = occurrences
        .iter()
        .filter(|o| is_unfilled(o.needed, o.signed_up.len() as u32))
        .count() as i64;
    let tasks = tasks
        .iter()
        .map(|t| TaskView {
            title: t.title.clone(),
            when: schedule_text(tr, t),
            needed: tr.tn("kring-agenda-needed", "count", i64::from(t.needed)),
            added_by: tr.t1("kring-agenda-added-by", "name", &t.created_by),
            cancel: may_change(&kring, &t.created_by_user_id).then(|| Button {
                action: path(&id, &format!("agenda/taken/{}/annuleren", t.id)),
                label: tr.t("kring-agenda-cancel-task"),
                hidden: format!(" — {}", t.title),
                secondary: true,
            }),
        })
        .collect();
    let notice = match q.klaar.as_str() {
        "aangemeld" => Some("kring-agenda-done-signed-up"),
        "afgemeld" => Some("kring-agenda-done-withdrawn"),
        "taak" => Some("kring-agenda-done-task"),
        "afspraak" => Some("kring-agenda-done-agreement"),
        "geannuleerd" => Some("kring-agenda-done-cancelled"),
        "beeindigd" => Some("kring-agenda-done-ended"),
        _ => None,
    }
    .map(|k| tr.t(k));
    let mut page = request.page("kring-agenda-title");
    page.title = tr.t1(
        "kring-agenda-heading",
        "name",
        &kring.network.caregiver_name,
    );
    let html = AgendaPage {
        nav: super::KringNav::new(&kring, &request.tr, "agenda"),
        page,
        is_caregiver: kring.is_caregiver(),
        can_add: kring.allows(Action::Create, DataCategory::Agenda),
        new_task_href: path(&id, "agenda/taken/nieuw"),
        new_agreement_href: path(&id, "agenda/afspraken/nieuw"),
        ics_href: path(&id, "agenda.ics"),
        notice,
        agreements,
        days,
        open_count,
        tasks,
    }
    .render()?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::response::Html(html),
    )
        .into_response())
}

/// The first few words of a text, for a button's accessible name.
fn first_words(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut out: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        out.push('…');
    }
    out
}

// ---- A problem page (400) --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "kring_agenda_problem.html")]
struct ProblemPage {
    page: Page,
    message: String,
    back_href: String,
}

fn problem(request: &PageRequest, key: &str, back_href: &str) -> Response {
    crate::accounts::message_page(
        StatusCode::BAD_REQUEST,
        ProblemPage {
            page: request.page("kring-agenda-problem-title"),
            message: request.tr.t(key),
            back_href: back_href.to_string(),
        },
    )
}

fn refusal_key(r: AgendaRefusal) -> &'static str {
    match r {
        AgendaRefusal::NotActiveMember => "kring-agenda-err-not-member",
        AgendaRefusal::NoSuchTask => "kring-agenda-err-no-task",
        AgendaRefusal::NotOnSchedule => "kring-agenda-err-not-on-schedule",
        AgendaRefusal::InThePast => "kring-agenda-err-past",
        AgendaRefusal::AlreadySignedUp => "kring-agenda-err-already",
        AgendaRefusal::Full => "kring-agenda-err-full",
        AgendaRefusal::NotSignedUp => "kring-agenda-err-not-signed-up",
    }
}

/// Refuses a change the policy allowed for the category but that is not the visitor's to make
/// (another member's task or agreement): the allowed record is rolled back and a refusal is
/// logged instead.
async fn refuse_not_own(
    state: &AppState,
    tx: Tx,
    kring: &Kring,
    action: Action,
    what: &str,
) -> AppError {
    match log_refusal(state, tx, kring, action, what).await {
        Ok(()) => AppError::Forbidden,
        Err(e) => e,
    }
}

/// The change was not the visitor's to make: the allowed access is rolled back and a refusal is
/// logged in its place (through the web layer's one refusal logger).
async fn log_refusal(
    state: &AppState,
    tx: Tx,
    kring: &Kring,
    action: Action,
    what: &str,
) -> Result<(), AppError> {
    tx.rollback().await.map_err(StoreError::from)?;
    let mut tx = state.store().begin_write().await?;
    crate::access::log_refusal(
        state,
        &mut tx,
        &kring.user,
        action,
        &crate::access::Subject {
            person_id: Some(&kring.network.caregiver_person_id),
            categories: DataCategory::Agenda.as_str(),
        },
        DenyReason::ActionNotAllowed.as_str(),
        Some(what),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(user = %kring.user.actor.user_id, what, "agenda change refused: not theirs");
    Ok(())
}

// ---- Signing up and withdrawing --------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ReturnForm {
    /// Where to go back to (a path on this site), e.g. the kring's overview page.
    #[serde(default)]
    terug: String,
}

fn back_to(form: &ReturnForm, network_id: &str, done: &str, day: Option<Day>) -> String {
    if form.terug.trim().is_empty() {
        let anchor = day.map(|d| format!("#dag-{}", d.iso())).unwrap_or_default();
        format!("{}?klaar={done}{anchor}", agenda_path(network_id))
    } else {
        safe_return_path(form.terug.trim()).to_string()
    }
}

/// Signs the visitor up (`aanmelden`) or withdraws their sign-up (`afmelden`).
async fn sign_up_or_withdraw(
    state: &AppState,
    request: &PageRequest,
    user: &Authenticated,
    (id, task_id, day): (String, String, String),
    form: ReturnForm,
    signing_up: bool,
) -> Result<Response, AppError> {
    let back = agenda_path(&id);
    let action = if signing_up {
        Action::Create
    } else {
        Action::Update
    };
    let (mut tx, kring) = open(state, user, &id, action, DataCategory::Agenda, &back).await?;
    let Some(day) = Day::parse(&day) else {
        return Ok(problem(request, "kring-agenda-err-date", &back));
    };
    let Some(member_id) = kring.member_id().map(str::to_string) else {
        return Ok(problem(
            request,
            "kring-agenda-err-caregiver-sign-up",
            &back,
        ));
    };
    let today = today();
    let outcome = if signing_up {
        agenda::sign_up(&mut tx, &id, &task_id, day, &member_id, today)
            .await?
            .map(|_| ())
    } else {
        agenda::withdraw(&mut tx, &id, &task_id, day, &member_id, today).await?
    };
    if let Err(refusal) = outcome {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(problem(request, refusal_key(refusal), &back));
    }
    crate::accounts::commit(state, tx).await?;
    let done = if signing_up { "aangemeld" } else { "afgemeld" };
    Ok(see_other(&back_to(&form, &id, done, Some(day))))
}

async fn sign_up(
    State(state): State<AppState>,
    request: PageRequest,
    Path(ids): Path<(String, String, String)>,
    Form(form): Form<ReturnForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    sign_up_or_withdraw(&state, &request, &user, ids, form, true).await
}

async fn withdraw(
    State(state): State<AppState>,
    request: PageRequest,
    Path(ids): Path<(String, String, String)>,
    Form(form): Form<ReturnForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    sign_up_or_withdraw(&state, &request, &user, ids, form, false).await
}

// ---- Cancelling a task, ending an agreement --------------------------------------------------

async fn cancel_task(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, task_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = agenda_path(&id);
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Update,
        DataCategory::Agenda,
        &back,
    )
    .await?;
    let Some(task) = agenda::task(&mut tx, &id, &task_id).await? else {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(problem(&request, "kring-agenda-err-no-task", &back));
    };
    if !may_change(&kring, &task.created_by_user_id) {
        let what = format!("task={task_id} cancel: not own");
        return Err(refuse_not_own(&state, tx, &kring, Action::Update, &what).await);
    }
    agenda::cancel_task(&mut tx, &id, &task_id).await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{back}?klaar=geannuleerd")))
}

async fn end_agreement(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, agreement_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = agenda_path(&id);
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Update,
        DataCategory::Agenda,
        &back,
    )
    .await?;
    let Some(agreement) = agenda::agreement(&mut tx, &id, &agreement_id, today()).await? else {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(problem(&request, "kring-agenda-err-no-agreement", &back));
    };
    if !may_change(&kring, &agreement.created_by_user_id) {
        let what = format!("agreement={agreement_id} end: not own");
        return Err(refuse_not_own(&state, tx, &kring, Action::Update, &what).await);
    }
    agenda::end_agreement(&mut tx, &id, &agreement_id).await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{back}?klaar=beeindigd")))
}

// ---- Adding a task ---------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct TaskForm {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    details: String,
    /// `eenmalig` or `wekelijks`.
    #[serde(default)]
    soort: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    begin: String,
    #[serde(default)]
    eind: String,
    #[serde(default)]
    aantal: String,
}

#[derive(Template)]
#[template(path = "kring_agenda_task_form.html")]
struct TaskFormPage {
    page: Page,
    action: String,
    back_href: String,
    form: TaskForm,
    errors: Problems,
    /// The number field's limits, as attributes.
    needed_attributes: String,
}

struct ValidTask {
    title: String,
    details: String,
    schedule: Schedule,
    start: Option<ClockTime>,
    end: Option<ClockTime>,
    needed: u32,
}

fn text_problem(tr: &Tr, p: mantelkring_core::network::TextProblem, missing: &str) -> String {
    use mantelkring_core::network::TextProblem;
    match p {
        TextProblem::Missing => tr.t(missing),
        TextProblem::TooLong(max) => tr.tn("kring-agenda-err-too-long", "max", max as i64),
        TextProblem::Control => tr.t("kring-agenda-err-control"),
    }
}

fn validate_task(tr: &Tr, form: &TaskForm, today: Day) -> Result<ValidTask, Problems> {
    let mut errors = Problems::default();
    let title = one_line(&form.titel, TITLE_MAX)
        .map_err(|p| errors.add("titel", text_problem(tr, p, "kring-agenda-err-title")))
        .ok();
    let details = multi_line(&form.details, DETAILS_MAX)
        .map_err(|p| errors.add("details", text_problem(tr, p, "kring-agenda-err-details")))
        .ok();
    let weekly = match form.soort.as_str() {
        "eenmalig" => Some(false),
        "wekelijks" => Some(true),
        _ => {
            errors.add("soort_eenmalig", tr.t("kring-agenda-err-kind"));
            None
        }
    };
    let first = match parse_date(&form.datum) {
        None => {
            errors.add("datum", tr.t("kring-agenda-err-date"));
            None
        }
        Some(d) if d < today => {
            errors.add("datum", tr.t("kring-agenda-err-date-past"));
            None
        }
        Some(d) if d > today.plus(AHEAD_DAYS) => {
            errors.add("datum", tr.t("kring-agenda-err-date-far"));
            None
        }
        Some(d) => Some(d),
    };
    let until = if weekly == Some(true) && !form.tot.trim().is_empty() {
        match parse_date(&form.tot) {
            None => {
                errors.add("tot", tr.t("kring-agenda-err-date"));
                None
            }
            Some(u) if first.is_some_and(|f| u < f) => {
                errors.add("tot", tr.t("kring-agenda-err-until-before"));
                None
            }
            Some(u) => Some(u),
        }
    } else {
        None
    };
    let time = |field: &str, value: &str, errors: &mut Problems| {
        if value.trim().is_empty() {
            return None;
        }
        let t = ClockTime::parse(value);
        if t.is_none() {
            errors.add(field, tr.t("kring-agenda-err-time"));
        }
        t
    };
    let start = time("begin", &form.begin, &mut errors);
    let end = time("eind", &form.eind, &mut errors);
    if !form.eind.trim().is_empty() && form.begin.trim().is_empty() {
        errors.add("begin", tr.t("kring-agenda-err-end-without-start"));
    }
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        errors.add("eind", tr.t("kring-agenda-err-end-before-start"));
    }
    let needed = match form.aantal.trim().parse::<u32>() {
        Ok(n) if (1..=NEEDED_MAX).contains(&n) => Some(n),
        _ => {
            errors.add(
                "aantal",
                tr.tn("kring-agenda-err-needed", "max", i64::from(NEEDED_MAX)),
            );
            None
        }
    };
    match (title, details, weekly, first, needed) {
        (Some(title), Some(details), Some(weekly), Some(first), Some(needed))
            if errors.is_empty() =>
        {
            Ok(ValidTask {
                title,
                details,
                schedule: if weekly {
                    Schedule::Weekly { from: first, until }
                } else {
                    Schedule::Once { on: first }
                },
                start,
                end,
                needed,
            })
        }
        _ => Err(errors),
    }
}

fn task_page(request: &PageRequest, id: &str, form: TaskForm, errors: Problems) -> TaskFormPage {
    TaskFormPage {
        page: request.page("kring-agenda-task-title"),
        action: path(id, "agenda/taken"),
        back_href: agenda_path(id),
        form,
        errors,
        needed_attributes: format!(
            " min=\"1\" max=\"{NEEDED_MAX}\" inputmode=\"numeric\" required"
        ),
    }
}

/// Opens a form page: it reads the agenda (logged as a read); only whoever may add to the
/// agenda gets the form, anyone else is refused (and that is logged).
async fn open_for_form(
    state: &AppState,
    request: &PageRequest,
    id: &str,
) -> Result<(Tx, Kring), AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (tx, kring) = open(
        state,
        &user,
        id,
        Action::Read,
        DataCategory::Agenda,
        &request.path,
    )
    .await?;
    if !kring.allows(Action::Create, DataCategory::Agenda) {
        return Err(refuse_not_own(state, tx, &kring, Action::Create, "agenda form").await);
    }
    Ok((tx, kring))
}

async fn task_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (tx, _) = open_for_form(&state, &request, &id).await?;
    crate::accounts::commit(&state, tx).await?;
    let form = TaskForm {
        soort: "eenmalig".into(),
        datum: today().iso(),
        aantal: "1".into(),
        ..Default::default()
    };
    Ok(crate::accounts::message_page(
        StatusCode::OK,
        task_page(&request, &id, form, Problems::default()),
    ))
}

async fn add_task(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Create,
        DataCategory::Agenda,
        &agenda_path(&id),
    )
    .await?;
    let valid = match validate_task(&request.tr, &form, today()) {
        Ok(v) => v,
        Err(errors) => {
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(crate::accounts::message_page(
                StatusCode::BAD_REQUEST,
                task_page(&request, &id, form, errors),
            ));
        }
    };
    agenda::add_task(
        &mut tx,
        &NewTask {
            network_id: &id,
            title: &valid.title,
            details: &valid.details,
            schedule: valid.schedule,
            start: valid.start,
            end: valid.end,
            needed: valid.needed,
        },
        kring.by(),
    )
    .await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!(
        "{}?klaar=taak#dag-{}",
        agenda_path(&id),
        valid.schedule.first().iso()
    )))
}

// ---- Adding an agreement ---------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct AgreementForm {
    #[serde(default)]
    wat: String,
    /// A member id, `mantelzorger`, or `anders`.
    #[serde(default)]
    wie: String,
    #[serde(default)]
    wie_anders: String,
    #[serde(default)]
    vanaf: String,
    #[serde(default)]
    bespreken: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "kring_agenda_agreement_form.html")]
struct AgreementFormPage {
    page: Page,
    action: String,
    back_href: String,
    form: AgreementForm,
    who: Vec<Choice>,
    errors: Problems,
}

/// The caregiver, the active members, and "someone else", as choices.
fn who_choices(
    tr: &Tr,
    caregiver_name: &str,
    members: &[(String, String)],
    selected: &str,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: "mantelzorger".into(),
        label: tr.t1("kring-agenda-who-caregiver", "name", caregiver_name),
        selected: selected == "mantelzorger",
    }];
    out.extend(members.iter().map(|(id, name)| Choice {
        value: id.clone(),
        label: name.clone(),
        selected: selected == id,
    }));
    out.push(Choice {
        value: "anders".into(),
        label: tr.t("kring-agenda-who-other"),
        selected: selected == "anders",
    });
    out
}

async fn active_members(tx: &mut Tx, network_id: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(members::list(tx, network_id, Some(MemberStatus::Active))
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}

fn agreement_page(
    request: &PageRequest,
    id: &str,
    caregiver_name: &str,
    members: &[(String, String)],
    form: AgreementForm,
    errors: Problems,
) -> AgreementFormPage {
    AgreementFormPage {
        page: request.page("kring-agenda-agreement-title"),
        action: path(id, "agenda/afspraken"),
        back_href: agenda_path(id),
        who: who_choices(&request.tr, caregiver_name, members, &form.wie),
        form,
        errors,
    }
}

async fn agreement_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = open_for_form(&state, &request, &id).await?;
    let members = active_members(&mut tx, &id).await?;
    crate::accounts::commit(&state, tx).await?;
    let form = AgreementForm {
        vanaf: today().iso(),
        ..Default::default()
    };
    Ok(crate::accounts::message_page(
        StatusCode::OK,
        agreement_page(
            &request,
            &id,
            &kring.network.caregiver_name,
            &members,
            form,
            Problems::default(),
        ),
    ))
}

struct ValidAgreement {
    what: String,
    who: WhoChoice,
    starts_on: Day,
    review_on: Option<Day>,
}

enum WhoChoice {
    Caregiver,
    Member(String),
    Text(String),
}

fn validate_agreement(
    tr: &Tr,
    form: &AgreementForm,
    members: &[(String, String)],
) -> Result<ValidAgreement, Problems> {
    let mut errors = Problems::default();
    let what = match multi_line(&form.wat, DETAILS_MAX) {
        Ok(w) if w.is_empty() => {
            errors.add("wat", tr.t("kring-agenda-err-what"));
            None
        }
        Ok(w) => Some(w),
        Err(p) => {
            errors.add("wat", text_problem(tr, p, "kring-agenda-err-what"));
            None
        }
    };
    let who = match form.wie.trim() {
        "mantelzorger" => Some(WhoChoice::Caregiver),
        "anders" => match one_line(&form.wie_anders, SHORT_TEXT_MAX) {
            Ok(t) => Some(WhoChoice::Text(t)),
            Err(p) => {
                errors.add(
                    "wie_anders",
                    text_problem(tr, p, "kring-agenda-err-who-other"),
                );
                None
            }
        },
        "" => {
            errors.add("wie", tr.t("kring-agenda-err-who"));
            None
        }
        id if members.iter().any(|(m, _)| m == id) => Some(WhoChoice::Member(id.to_string())),
        _ => {
            errors.add("wie", tr.t("kring-agenda-err-not-member"));
            None
        }
    };
    let starts_on = match parse_date(&form.vanaf) {
        Some(d) => Some(d),
        None => {
            errors.add("vanaf", tr.t("kring-agenda-err-date"));
            None
        }
    };
    let review_on = if form.bespreken.trim().is_empty() {
        None
    } else {
        match parse_date(&form.bespreken) {
            None => {
                errors.add("bespreken", tr.t("kring-agenda-err-date"));
                None
            }
            Some(r) if starts_on.is_some_and(|s| r < s) => {
                errors.add("bespreken", tr.t("kring-agenda-err-review-before"));
                None
            }
            Some(r) => Some(r),
        }
    };
    match (what, who, starts_on) {
        (Some(what), Some(who), Some(starts_on)) if errors.is_empty() => Ok(ValidAgreement {
            what,
            who,
            starts_on,
            review_on,
        }),
        _ => Err(errors),
    }
}

async fn add_agreement(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<AgreementForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Create,
        DataCategory::Agenda,
        &agenda_path(&id),
    )
    .await?;
    let members = active_members(&mut tx, &id).await?;
    let valid = match validate_agreement(&request.tr, &form, &members) {
        Ok(v) => v,
        Err(errors) => {
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(crate::accounts::message_page(
                StatusCode::BAD_REQUEST,
                agreement_page(
                    &request,
                    &id,
                    &kring.network.caregiver_name,
                    &members,
                    form,
                    errors,
                ),
            ));
        }
    };
    let who = match &valid.who {
        WhoChoice::Caregiver => Who::Text(&kring.network.caregiver_name),
        WhoChoice::Member(m) => Who::Member(m),
        WhoChoice::Text(t) => Who::Text(t),
    };
    let added = agenda::add_agreement(
        &mut tx,
        &NewAgreement {
            network_id: &id,
            what: &valid.what,
            who,
            starts_on: valid.starts_on,
            review_on: valid.review_on,
        },
        kring.by(),
    )
    .await?;
    if let Err(refusal) = added {
        tx.rollback().await.map_err(StoreError::from)?;
        let mut errors = Problems::default();
        errors.add("wie", request.tr.t(refusal_key(refusal)));
        return Ok(crate::accounts::message_page(
            StatusCode::BAD_REQUEST,
            agreement_page(
                &request,
                &id,
                &kring.network.caregiver_name,
                &members,
                form,
                errors,
            ),
        ));
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{}?klaar=afspraak", agenda_path(&id))))
}

// ---- The agenda as iCalendar (RFC 5545) ------------------------------------------------------

async fn ics(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Read,
        DataCategory::Agenda,
        &request.path,
    )
    .await?;
    let today = today();
    // Tasks that ended up to a month ago stay in the file, so calendars keep recent history.
    let tasks = agenda::tasks(&mut tx, &id, today.plus(-31)).await?;
    let occurrences = agenda::occurrences(&mut tx, &id, today, today.plus(AGENDA_DAYS - 1)).await?;
    crate::accounts::commit(&state, tx).await?;
    let body = calendar(
        &request.tr,
        &kring.network.caregiver_name,
        &tasks,
        &occurrences,
        now_ms(),
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"zorgagenda.ics\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// The VTIMEZONE for Europe/Amsterdam: CEST from the last Sunday of March, CET from the last
/// Sunday of October (the EU rule since 1996).
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Amsterdam",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, and line breaks as `\n`.
fn ics_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.replace("\r\n", "\n").chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line folded at 75 octets (RFC 5545 3.1): continuation lines start with a space,
/// never inside a UTF-8 character. Ends with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// `20261124T093000Z`
fn utc_stamp(ms: Millis) -> String {
    let full = rfc3339(ms);
    let plain: String = full[..19]
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    format!("{plain}Z")
}

fn local_stamp(day: Day, time: ClockTime) -> String {
    format!(
        "{}T{:02}{:02}00",
        day.iso().replace('-', ""),
        time.0 / 60,
        time.0 % 60
    )
}

/// The agenda as an iCalendar object: one VEVENT per task (weekly ones with an RRULE), the
/// description listing who signed up for the coming weeks.
fn calendar(
    tr: &Tr,
    caregiver_name: &str,
    tasks: &[Task],
    occurrences: &[TaskOccurrence],
    now: Millis,
) -> String {
    let mut by_task: HashMap<&str, Vec<&TaskOccurrence>> = HashMap::new();
    for o in occurrences {
        by_task.entry(o.task_id.as_str()).or_default().push(o);
    }
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Mantelkring//Zorgagenda//NL".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!(
            "X-WR-CALNAME:{}",
            ics_text(&tr.t1("kring-agenda-heading", "name", caregiver_name))
        ),
        "X-WR-TIMEZONE:Europe/Amsterdam".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| l.to_string()));
    for task in tasks {
        let first = task.schedule.first();
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}@mantelkring", task.id));
        lines.push(format!("DTSTAMP:{}", utc_stamp(now)));
        lines.push(format!("CREATED:{}", utc_stamp(task.created_at)));
        match task.start {
            Some(start) => {
                lines.push(format!(
                    "DTSTART;TZID=Europe/Amsterdam:{}",
                    local_stamp(first, start)
                ));
                if let Some(end) = task.end {
                    lines.push(format!(
                        "DTEND;TZID=Europe/Amsterdam:{}",
                        local_stamp(first, end)
                    ));
                }
            }
            None => {
                lines.push(format!(
                    "DTSTART;VALUE=DATE:{}",
                    first.iso().replace('-', "")
                ));
                lines.push(format!(
                    "DTEND;VALUE=DATE:{}",
                    first.plus(1).iso().replace('-', "")
                ));
            }
        }
        if let Schedule::Weekly { until, .. } = task.schedule {
            let rule = match (until, task.start) {
                (None, _) => "RRULE:FREQ=WEEKLY".to_string(),
                // With a local start time, UNTIL is a UTC moment: the end of the last day.
                (Some(u), Some(_)) => format!(
                    "RRULE:FREQ=WEEKLY;UNTIL={}",
                    utc_stamp(u.plus(1).start_ms() - 1000)
                ),
                (Some(u), None) => {
                    format!("RRULE:FREQ=WEEKLY;UNTIL={}", u.iso().replace('-', ""))
                }
            };
            lines.push(rule);
        }
        lines.push(format!("SUMMARY:{}", ics_text(&task.title)));
        let mut description = Vec::new();
        if !task.details.is_empty() {
            description.push(task.details.clone());
            description.push(String::new());
        }
        description.push(tr.tn("kring-agenda-needed", "count", i64::from(task.needed)));
        for o in by_task.get(task.id.as_str()).into_iter().flatten() {
            let names: Vec<&str> = o.signed_up.iter().map(|(_, n)| n.as_str()).collect();
            let who = if names.is_empty() {
                tr.t("kring-agenda-nobody-yet")
            } else {
                names.join(", ")
            };
            description.push(format!("{}: {who}", short_day(tr, o.day)));
        }
        lines.push(format!("DESCRIPTION:{}", ics_text(&description.join("\n"))));
        lines.push("TRANSP:TRANSPARENT".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_icalendar() {
        assert_eq!(
            ics_text("Boodschappen; melk, brood\\eieren\nen koffie"),
            "Boodschappen\\; melk\\, brood\\\\eieren\\nen koffie"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("DESCRIPTION:{}", "é".repeat(100));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        for (i, physical) in folded.trim_end_matches("\r\n").split("\r\n").enumerate() {
            assert!(physical.len() <= 75, "line {i}: {} octets", physical.len());
            if i > 0 {
                assert!(physical.starts_with(' '));
            }
        }
        // Unfolding gives the line back.
        assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        assert_eq!(fold("SHORT"), "SHORT\r\n");
    }

    #[test]
    fn stamps_are_in_icalendar_form() {
        let day = Day::parse("2026-11-24").unwrap();
        assert_eq!(utc_stamp(day.start_ms()), "20261123T230000Z");
        assert_eq!(
            local_stamp(day, ClockTime::parse("9:30").unwrap()),
            "20261124T093000"
        );
    }

    #[test]
    fn dates_are_read_as_typed() {
        let d = Day::parse("2026-11-24");
        assert_eq!(parse_date("2026-11-24"), d);
        assert_eq!(parse_date(" 24-11-2026 "), d);
        assert_eq!(parse_date("24/11/2026"), d);
        assert_eq!(parse_date("31-02-2026"), None);
        assert_eq!(parse_date("morgen"), None);
        assert_eq!(parse_date("24-11-26"), None);
    }

    #[test]
    fn a_task_needs_a_title_a_real_date_and_sane_times() {
        let tr = Tr::new(
            std::sync::Arc::new(crate::i18n::I18n::load().unwrap()),
            crate::i18n::Lang::Nl,
        );
        let today = Day::parse("2026-11-24").unwrap();
        let good = TaskForm {
            titel: " Boodschappen ".into(),
            soort: "wekelijks".into(),
            datum: "2026-11-25".into(),
            tot: "2026-12-23".into(),
            begin: "9:00".into(),
            eind: "10.30".into(),
            aantal: "2".into(),
            ..Default::default()
        };
        let v = validate_task(&tr, &good, today).ok().unwrap();
        assert_eq!(v.title, "Boodschappen");
        assert_eq!(
            v.schedule,
            Schedule::Weekly {
                from: today.plus(1),
                until: Some(today.plus(29))
            }
        );
        assert_eq!(v.end.unwrap().hhmm(), "10:30");
        let fields = |form: TaskForm| -> Vec<String> {
            validate_task(&tr, &form, today)
                .err()
                .unwrap()
                .list()
                .iter()
                .map(|(f, _)| f.clone())
                .collect()
        };
        assert_eq!(
            fields(TaskForm {
                titel: "".into(),
                ..good.clone()
            }),
            ["titel"]
        );
        assert_eq!(
            fields(TaskForm {
                datum: "2026-11-23".into(),
                ..good.clone()
            }),
            ["datum"],
            "in the past"
        );
        assert_eq!(
            fields(TaskForm {
                tot: "2026-11-20".into(),
                ..good.clone()
            }),
            ["tot"]
        );
        assert_eq!(
            fields(TaskForm {
                eind: "08:00".into(),
                ..good.clone()
            }),
            ["eind"]
        );
        assert_eq!(
            fields(TaskForm {
                begin: "".into(),
                ..good.clone()
            }),
            ["begin"]
        );
        assert_eq!(
            fields(TaskForm {
                aantal: "0".into(),
                soort: "maandelijks".into(),
                ..good.clone()
            }),
            ["soort_eenmalig", "aantal"]
        );
    }
}
