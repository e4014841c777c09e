//! `/kringen/{id}/signaleren/contact`: proactive contact with one caregiver. The contact plan
//! (how often, by whom), when the next contact is due, the contact log (newest first) and the
//! form "Contact vastleggen" with its follow-up actions. Every handler goes through
//! [`crate::network::open`] with the category Checks: reading is `Read`, logging a contact is
//! `Create`, changing or ending the plan is `Update`. Only members keep contact: the caregiver
//! reads their own plan and log, and is refused the forms (logged as `not_a_member`).
//!
//! A contact and its follow-up actions are written in one transaction: the contact, (a) a
//! help-request marker, (b) a signal raised by hand, (c) a question in the kring (timeline), (d) a
//! proposed change to "Mijn situatie"; then the network's signal rules run in the same
//! transaction, so "het gaat niet meer" raises its signal at once. A question and a proposal
//! touch other categories: the policy decides each (and logs it) before anything is written.
//! Bad input: a Dutch message above the form, 400, nothing written.

use crate::AppState;
use crate::access::{Subject, decide, log_refusal};
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::Tr;
use crate::identity::require_user;
use crate::network::timeline::{dutch_date, local_moment};
use crate::network::{Kring, KringNav, open, path};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory, Resource};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::network::agenda::Day;
use mantelkring_core::network::situation::Situation;
use mantelkring_core::network::{LONG_TEXT_MAX, TextProblem, multi_line};
use mantelkring_core::screening::{CallerKind, ContactKind, NOTE_MAX, PLAN_FREQUENCIES};
use mantelkring_core::time::{Millis, now_ms, rfc3339};
use mantelkring_store::network::situation;
use mantelkring_store::network::timeline::{self, Addressee, Audience, Kind, NewPost};
use mantelkring_store::screening::contacts::{self, Caller, NewContact, NewPlan};
use mantelkring_store::screening::{self as screening_store, signals};
use mantelkring_store::{StoreError, Tx, jobs};
use serde::Deserialize;

/// How far back a contact may be logged, and how far from today a plan may start.
pub const DAYS_RANGE: i64 = 366;
/// Longest "what help is needed" and longest addition to "Mijn situatie".
pub const SHORT_NOTE_MAX: usize = 1000;
/// The fields of "Mijn situatie" a contact may propose an addition to.
pub const PROPOSAL_FIELDS: [&str; 4] = ["going_well", "hard", "wishes", "other"];

const HOUR_MS: i64 = 3_600_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/kringen/{id}/signaleren/contact",
            get(show).post(log_contact),
        )
        .route("/kringen/{id}/signaleren/contact/plan", post(save_plan))
        .route(
            "/kringen/{id}/signaleren/contact/plan/stoppen",
            post(end_plan),
        )
}

/// The page's path for network `id`.
pub fn contact_path(network_id: &str) -> String {
    path(network_id, "signaleren/contact")
}

// ---- Forms ------------------------------------------------------------------------------------

/// "Contact vastleggen" as typed (kept when it comes back with a message).
#[derive(Deserialize, Default, Clone, Debug)]
pub struct ContactForm {
    /// A `ContactKind` code.
    #[serde(default)]
    pub soort: String,
    /// `YYYY-MM-DD`; empty is today.
    #[serde(default)]
    pub datum: String,
    #[serde(default)]
    pub notitie: String,
    /// `ja` when the caregiver said "het gaat niet meer".
    #[serde(default)]
    pub gaat_niet_meer: String,
    /// (a) What help is needed (a help-request marker).
    #[serde(default)]
    pub hulp: String,
    /// (b) A signal raised by hand.
    #[serde(default)]
    pub signaal: String,
    /// (c) A question in the kring, and the member asked (empty: nobody in particular).
    #[serde(default)]
    pub vraag: String,
    #[serde(default)]
    pub vraag_aan: String,
    /// (d) An addition to one field of "Mijn situatie".
    #[serde(default)]
    pub situatie_veld: String,
    #[serde(default)]
    pub situatie_tekst: String,
}

/// The plan form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct PlanForm {
    /// Days between contacts, one of `PLAN_FREQUENCIES`.
    #[serde(default)]
    pub elke: String,
    /// The caller's member id.
    #[serde(default)]
    pub beller: String,
    /// `YYYY-MM-DD`; empty is today.
    #[serde(default)]
    pub start: String,
}

/// A contact checked against the form rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContact {
    pub kind: ContactKind,
    pub day: Day,
    pub note: String,
    pub cannot_cope: bool,
    pub help: Option<String>,
    pub signal: Option<String>,
    /// The question and the member asked to answer it.
    pub question: Option<(String, Option<String>)>,
    /// The field of "Mijn situatie" and what to add to it.
    pub proposal: Option<(&'static str, String)>,
}

/// An optional text: `None` when empty; the message key when too long or with control
/// characters.
fn optional_text(
    input: &str,
    max: usize,
    too_long: &'static str,
) -> Result<Option<String>, &'static str> {
    match multi_line(input, max) {
        Ok(t) if t.is_empty() => Ok(None),
        Ok(t) => Ok(Some(t)),
        Err(TextProblem::TooLong(_)) => Err(too_long),
        Err(_) => Err("screening-contact-text-control"),
    }
}

/// A date on the form: empty is today; within `DAYS_RANGE` days back (and, with `future`,
/// ahead).
fn form_day(input: &str, today: Day, future: bool) -> Result<Day, &'static str> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(today);
    }
    let day = Day::parse(input).ok_or("screening-contact-date-invalid")?;
    if !future && day > today {
        return Err("screening-contact-date-future");
    }
    if day > today.plus(DAYS_RANGE) {
        return Err("screening-contact-date-far");
    }
    if day < today.plus(-DAYS_RANGE) {
        return Err("screening-contact-date-old");
    }
    Ok(day)
}

/// Checks "Contact vastleggen" before anything is written.
pub fn validate_contact(
    form: &ContactForm,
    addressees: &[Addressee],
    today: Day,
) -> Result<ValidContact, &'static str> {
    let kind = match form.soort.trim() {
        "" => return Err("screening-contact-kind-missing"),
        s => ContactKind::parse(s).ok_or("screening-contact-kind-invalid")?,
    };
    let day = form_day(&form.datum, today, false)?;
    let note = multi_line(&form.notitie, NOTE_MAX).map_err(|p| match p {
        TextProblem::TooLong(_) => "screening-contact-note-too-long",
        _ => "screening-contact-text-control",
    })?;
    let cannot_cope = match form.gaat_niet_meer.trim() {
        "" => false,
        "ja" => true,
        _ => return Err("screening-contact-cope-invalid"),
    };
    if cannot_cope && !kind.reached() {
        return Err("screening-contact-cope-no-answer");
    }
    let help = optional_text(
        &form.hulp,
        SHORT_NOTE_MAX,
        "screening-contact-help-too-long",
    )?;
    let signal = optional_text(&form.signaal, NOTE_MAX, "screening-contact-signal-too-long")?;
    let question = match optional_text(
        &form.vraag,
        LONG_TEXT_MAX,
        "screening-contact-question-too-long",
    )? {
        None => None,
        Some(body) => {
            let assigned = match form.vraag_aan.trim() {
                "" => None,
                id if addressees.iter().any(|a| a.member_id == id) => Some(id.to_string()),
                _ => return Err("screening-contact-member-unknown"),
            };
            Some((body, assigned))
        }
    };
    let proposal = match optional_text(
        &form.situatie_tekst,
        SHORT_NOTE_MAX,
        "screening-contact-situation-too-long",
    )? {
        None => None,
        Some(text) => {
            let field = PROPOSAL_FIELDS
                .iter()
                .find(|f| **f == form.situatie_veld.trim())
                .ok_or("screening-contact-field-invalid")?;
            Some((*field, text))
        }
    };
    Ok(ValidContact {
        kind,
        day,
        note,
        cannot_cope,
        help,
        signal,
        question,
        proposal,
    })
}

/// "Mijn situatie" with `text` added on a new line under `field` (one of [`PROPOSAL_FIELDS`]);
/// `None` when the field would grow past its longest length.
pub fn with_addition(current: &Situation, field: &str, text: &str) -> Option<Situation> {
    let mut s = current.clone();
    let slot = match field {
        "going_well" => &mut s.going_well,
        "hard" => &mut s.hard,
        "wishes" => &mut s.wishes,
        "other" => &mut s.other,
        _ => return None,
    };
    let joined = if slot.trim().is_empty() {
        text.to_string()
    } else {
        format!("{}\n{text}", slot.trim_end())
    };
    if joined.chars().count() > LONG_TEXT_MAX {
        return None;
    }
    *slot = joined;
    Some(s)
}

/// The moment a contact on `day` is logged at: now for today, else midday that day.
pub fn moment_of(day: Day, today: Day, now: Millis) -> Millis {
    if day == today {
        now
    } else {
        day.start_ms() + 12 * HOUR_MS
    }
}

/// A plan checked against the frequencies on offer and the network's possible callers.
pub fn validate_plan<'c>(
    form: &PlanForm,
    callers: &'c [Caller],
    today: Day,
) -> Result<(u32, &'c Caller, Day), &'static str> {
    let every = form
        .elke
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| PLAN_FREQUENCIES.contains(d))
        .ok_or("screening-contact-plan-every-invalid")?;
    let caller = match form.beller.trim() {
        "" => return Err("screening-contact-plan-caller-missing"),
        id => callers
            .iter()
            .find(|c| c.member_id == id)
            .ok_or("screening-contact-plan-caller-unknown")?,
    };
    let start = form_day(&form.start, today, true)?;
    Ok((every, caller, start))
}

// ---- Labels -----------------------------------------------------------------------------------

pub fn kind_label(tr: &Tr, kind: ContactKind) -> String {
    tr.t(&format!(
        "screening-contact-kind-{}",
        kind.as_str().replace('_', "-")
    ))
}

pub fn every_label(tr: &Tr, days: u32) -> String {
    if PLAN_FREQUENCIES.contains(&days) {
        tr.t(&format!("screening-contact-every-{days}"))
    } else {
        tr.tn("screening-contact-every-days", "days", i64::from(days))
    }
}

fn caller_kind_label(tr: &Tr, kind: CallerKind) -> String {
    tr.t(&format!("screening-contact-caller-{}", kind.as_str()))
}

/// "vandaag", "12-06-2026", or "12-06-2026 (3 dagen te laat)".
pub fn due_label(tr: &Tr, due: Day, today: Day) -> String {
    if due == today {
        tr.t("screening-contact-due-today")
    } else if due < today {
        tr.t2(
            "screening-contact-due-late",
            ("date", &dutch_date(due)),
            ("days", &(today.0 - due.0).to_string()),
        )
    } else {
        dutch_date(due)
    }
}

// ---- The page ---------------------------------------------------------------------------------

struct Choice {
    value: String,
    label: String,
    checked: bool,
}

struct PlanView {
    active: bool,
    every: String,
    caller: String,
    caller_kind: String,
    starts_on: String,
    updated: String,
    due: Option<String>,
    overdue: bool,
    /// The caller can no longer keep the plan (left, or no longer sees checks).
    caller_gone: bool,
}

struct ContactView {
    id: String,
    kind: String,
    when: String,
    when_iso: String,
    by: String,
    note: String,
    cannot_cope: bool,
    markers: Vec<String>,
}

struct MarkerView {
    what: String,
    by: String,
    when: String,
}

#[derive(Template)]
#[template(path = "screening_contact.html")]
struct ContactPage {
    page: Page,
    nav: KringNav,
    caregiver_name: String,
    done: Option<String>,
    plan: Option<PlanView>,
    last_reached: Option<String>,
    can_edit_plan: bool,
    plan_action: String,
    plan_end_action: String,
    plan_message: Option<String>,
    frequencies: Vec<Choice>,
    callers: Vec<Choice>,
    plan_start: String,
    can_log: bool,
    action: String,
    message: Option<String>,
    form: ContactForm,
    kinds: Vec<Choice>,
    date: String,
    first_day: String,
    today: String,
    can_question: bool,
    assignees: Vec<Choice>,
    can_propose: bool,
    fields: Vec<Choice>,
    markers: Vec<MarkerView>,
    contacts: Vec<ContactView>,
    more: Option<String>,
}

/// What a page shows besides what is stored: a message above one of the forms, the forms as
/// typed, the notice after a change.
#[derive(Default)]
struct Extras {
    done: Option<String>,
    message: Option<String>,
    form: Option<ContactForm>,
    plan_message: Option<String>,
    plan_form: Option<PlanForm>,
}

/// Loads what the page shows in `tx`, commits (with the access record) and renders it.
async fn render(
    state: &AppState,
    request: &PageRequest,
    mut tx: Tx,
    kring: &Kring,
    extras: Extras,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tr = &request.tr;
    let id = kring.network.id.clone();
    let now = now_ms();
    let today = Day::local(now);
    let is_member = !kring.is_caregiver();
    let can_question = is_member && kring.allows(Action::Create, DataCategory::Messages);
    let can_propose = is_member
        && !kring.speaks_for_caregiver()
        && kring.allows(Action::Create, DataCategory::Situation);
    let plan = contacts::plan(&mut tx, &id).await?;
    let callers = contacts::callers(&mut tx, &id).await?;
    let seen = contacts::seen(&mut tx, &id).await?;
    let (log, total) = contacts::contacts(&mut tx, &id).await?;
    let markers = contacts::open_markers(&mut tx, &id).await?;
    let addressees = if can_question {
        timeline::addressable(&mut tx, &id).await?
    } else {
        Vec::new()
    };
    crate::accounts::commit(state, tx).await?;

    let plan_view = plan.as_ref().map(|p| {
        let due = p
            .is_active()
            .then(|| contacts::due_day(p.every_days, p.starts_on, seen));
        PlanView {
            active: p.is_active(),
            every: every_label(tr, p.every_days),
            caller: p.caller_name.clone(),
            caller_kind: caller_kind_label(tr, p.caller_kind),
            starts_on: dutch_date(p.starts_on),
            updated: tr.t2(
                "screening-contact-plan-updated",
                ("name", &p.updated_by),
                ("when", &local_moment(p.updated_at)),
            ),
            due: due.map(|d| due_label(tr, d, today)),
            overdue: due.is_some_and(|d| d < today),
            caller_gone: p.is_active() && !callers.iter().any(|c| c.user_id == p.caller_user_id),
        }
    });
    let plan_form = extras.plan_form.unwrap_or_else(|| PlanForm {
        elke: plan.as_ref().map_or(28, |p| p.every_days).to_string(),
        beller: plan
            .as_ref()
            .and_then(|p| callers.iter().find(|c| c.user_id == p.caller_user_id))
            .or_else(|| {
                callers
                    .iter()
                    .find(|c| Some(c.member_id.as_str()) == kring.member_id())
            })
            .map(|c| c.member_id.clone())
            .unwrap_or_default(),
        start: plan
            .as_ref()
            .filter(|p| p.is_active())
            .map_or(today, |p| p.starts_on)
            .iso(),
    });
    let frequencies = PLAN_FREQUENCIES
        .iter()
        .map(|d| Choice {
            value: d.to_string(),
            label: every_label(tr, *d),
            checked: plan_form.elke.trim() == d.to_string(),
        })
        .collect();
    let caller_choices = callers
        .iter()
        .map(|c| Choice {
            value: c.member_id.clone(),
            label: format!("{} ({})", c.name, caller_kind_label(tr, c.kind)),
            checked: plan_form.beller == c.member_id,
        })
        .collect();
    let form = extras.form.unwrap_or_default();
    let kinds = ContactKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_string(),
            label: kind_label(tr, *k),
            checked: form.soort.trim() == k.as_str()
                || (form.soort.trim().is_empty() && *k == ContactKind::Phone),
        })
        .collect();
    let mut assignees = vec![Choice {
        value: String::new(),
        label: tr.t("screening-contact-question-anyone"),
        checked: form.vraag_aan.is_empty(),
    }];
    assignees.extend(
        addressees
            .iter()
            .filter(|a| Some(a.member_id.as_str()) != kring.member_id())
            .map(|a| Choice {
                value: a.member_id.clone(),
                label: a.name.clone(),
                checked: form.vraag_aan == a.member_id,
            }),
    );
    let fields = PROPOSAL_FIELDS
        .iter()
        .map(|f| Choice {
            value: f.to_string(),
            label: tr.t(&format!("situation-field-{}", f.replace('_', "-"))),
            checked: form.situatie_veld == *f || (form.situatie_veld.is_empty() && *f == "hard"),
        })
        .collect();
    let shown = log.len() as i64;
    let page = ContactPage {
        nav: KringNav::new(kring, tr, "signaleren/contact"),
        page: Page::new(
            tr.clone(),
            &contact_path(&id),
            &request.csrf,
            tr.t("screening-contact-title"),
            request.user.as_ref(),
        ),
        caregiver_name: kring.network.caregiver_name.clone(),
        done: extras.done,
        plan: plan_view,
        last_reached: seen.last_reached.map(local_moment),
        can_edit_plan: is_member,
        plan_action: path(&id, "signaleren/contact/plan"),
        plan_end_action: path(&id, "signaleren/contact/plan/stoppen"),
        plan_message: extras.plan_message,
        frequencies,
        callers: caller_choices,
        plan_start: plan_form.start.clone(),
        can_log: is_member,
        action: contact_path(&id),
        message: extras.message,
        date: if form.datum.trim().is_empty() {
            today.iso()
        } else {
            form.datum.clone()
        },
        first_day: today.plus(-DAYS_RANGE).iso(),
        today: today.iso(),
        kinds,
        can_question,
        assignees,
        can_propose,
        fields,
        form,
        markers: markers
            .into_iter()
            .map(|m| MarkerView {
                what: m.what,
                by: m.by,
                when: dutch_date(Day::local(m.created_at)),
            })
            .collect(),
        contacts: log
            .into_iter()
            .map(|c| ContactView {
                kind: kind_label(tr, c.kind),
                when: local_moment(c.happened_at),
                when_iso: rfc3339(c.happened_at),
                by: c.by,
                note: c.note,
                cannot_cope: c.cannot_cope,
                markers: c.markers,
                id: c.id,
            })
            .collect(),
        more: (total > shown).then(|| {
            tr.t2(
                "screening-contact-log-more",
                ("shown", &shown.to_string()),
                ("total", &total.to_string()),
            )
        }),
    };
    Ok(crate::accounts::message_page(status, page))
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    gedaan: Option<String>,
}

fn done_message(tr: &Tr, raw: Option<&str>) -> Option<String> {
    let key = match raw? {
        "contact" => "screening-contact-done-contact",
        "signaal" => "screening-contact-done-signal",
        "plan" => "screening-contact-done-plan",
        "plan-gestopt" => "screening-contact-done-plan-ended",
        _ => return None,
    };
    Some(tr.t(key))
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// `GET /kringen/{id}/signaleren/contact`.
pub async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
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
    let extras = Extras {
        done: done_message(&request.tr, query.gedaan.as_deref()),
        ..Extras::default()
    };
    render(&state, &request, tx, &kring, extras, StatusCode::OK).await
}

/// The caregiver reads their own plan and log but keeps no contact with themselves: the
/// refusal is logged after the allowed access.
async fn refuse_caregiver(
    state: &AppState,
    mut tx: Tx,
    kring: &Kring,
    action: Action,
) -> Result<Response, AppError> {
    log_refusal(
        state,
        &mut tx,
        &kring.user,
        action,
        &Subject {
            person_id: Some(&kring.network.caregiver_person_id),
            categories: DataCategory::Checks.as_str(),
        },
        "not_a_member",
        None,
    )
    .await?;
    crate::accounts::commit(state, tx).await?;
    Err(AppError::Forbidden)
}

/// A follow-up action in another category: the policy decides and the decision is logged, in
/// the same transaction (refused: the refusal is committed and nothing else is written).
async fn also_allowed(
    state: &AppState,
    tx: Tx,
    kring: &Kring,
    category: DataCategory,
    back_to: &str,
) -> Result<Tx, AppError> {
    let (tx, _) = decide(
        state,
        tx,
        &kring.user,
        Action::Create,
        &Resource::PersonData {
            category,
            relationship: &kring.standing.relationship,
        },
        &Subject {
            person_id: Some(&kring.network.caregiver_person_id),
            categories: category.as_str(),
        },
        back_to,
    )
    .await?;
    Ok(tx)
}

/// `POST /kringen/{id}/signaleren/contact`: a contact and its follow-up actions, in one
/// transaction, then the network's signal rules.
pub async fn log_contact(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Create,
        DataCategory::Checks,
        &request.path,
    )
    .await?;
    if kring.is_caregiver() {
        return refuse_caregiver(&state, tx, &kring, Action::Create).await;
    }
    let now = now_ms();
    let today = Day::local(now);
    let addressees = timeline::addressable(&mut tx, &id).await?;
    let valid = match validate_contact(&form, &addressees, today) {
        Ok(v) => v,
        Err(key) => {
            let extras = Extras {
                message: Some(request.tr.t(key)),
                form: Some(form),
                ..Extras::default()
            };
            return render(
                &state,
                &request,
                tx,
                &kring,
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    // The situation this addition is made to, checked before anything is written.
    let proposal = match &valid.proposal {
        None => None,
        Some((field, text)) => {
            let current = situation::current(&mut tx, &id).await?;
            let (base, summary) =
                current.map_or((0, Situation::default()), |v| (v.number, v.situation));
            match with_addition(&summary, field, text) {
                Some(proposed) => Some((base, proposed)),
                None => {
                    let extras = Extras {
                        message: Some(request.tr.t("screening-contact-situation-full")),
                        form: Some(form),
                        ..Extras::default()
                    };
                    return render(
                        &state,
                        &request,
                        tx,
                        &kring,
                        extras,
                        StatusCode::BAD_REQUEST,
                    )
                    .await;
                }
            }
        }
    };
    if valid.question.is_some() {
        tx = also_allowed(&state, tx, &kring, DataCategory::Messages, &request.path).await?;
    }
    if proposal.is_some() {
        tx = also_allowed(&state, tx, &kring, DataCategory::Situation, &request.path).await?;
    }

    let me = user.actor.user_id.as_str();
    let contact_id = contacts::log_contact(
        &mut tx,
        &NewContact {
            network_id: &id,
            kind: valid.kind,
            happened_at: moment_of(valid.day, today, now),
            note: &valid.note,
            cannot_cope: valid.cannot_cope,
            by_user_id: me,
            now,
        },
    )
    .await?;
    if let Some(what) = &valid.help {
        contacts::add_marker(&mut tx, &id, Some(&contact_id), what, me, now).await?;
    }
    let mut signalled = false;
    if let Some(text) = &valid.signal {
        let raised = signals::manual(text, Some(&contact_id));
        signalled |= signals::raise(&mut tx, &id, &raised, Some(me), now)
            .await?
            .is_some();
    }
    if let Some((body, assigned)) = &valid.question {
        let question = timeline::post(
            &mut tx,
            &NewPost {
                network_id: &id,
                by: kring.by(),
                kind: Kind::Question,
                body,
                audience: Audience::All,
                assigned_member_id: assigned.as_deref(),
                answer_by: None,
                now,
            },
        )
        .await?;
        crate::network::timeline::queue_immediate(&state, &mut tx, &kring, &question).await?;
    }
    if let Some((base, proposed)) = &proposal {
        let note = request.tr.t2(
            "screening-contact-proposal-note",
            ("date", &dutch_date(valid.day)),
            ("kind", &kind_label(&request.tr, valid.kind)),
        );
        let made = situation::propose(&mut tx, &id, *base, proposed, &note, me).await?;
        let proposal_id = made.map_err(|refusal| {
            // The base was read in this transaction and the addition changes it: unreachable
            // unless the store's rules change.
            AppError::from(StoreError::Conflict(format!(
                "voorstel niet gemaakt: {refusal:?}"
            )))
        })?;
        queue_proposal_email(&state, &mut tx, &kring, &proposal_id).await?;
    }
    let rules = screening_store::rule_context(&mut tx, &state.settings().instruments).await?;
    let raised = signals::evaluate_network(&mut tx, &rules, &id, now).await?;
    signalled |= !raised.is_empty();
    crate::accounts::commit(&state, tx).await?;
    let done = if signalled { "signaal" } else { "contact" };
    Ok(see_other(&format!(
        "{}?gedaan={done}#contact-{contact_id}",
        contact_path(&id)
    )))
}

/// Tells the caregiver (when they have an account) that there is a proposal, as the situation
/// page does: in Dutch, never its content.
async fn queue_proposal_email(
    state: &AppState,
    conn: &mut mantelkring_store::Conn,
    kring: &Kring,
    proposal_id: &str,
) -> Result<(), AppError> {
    let Some(caregiver) = &kring.network.caregiver_user_id else {
        return Ok(());
    };
    let Some(to) = contacts::active_email(conn, caregiver).await? else {
        return Ok(());
    };
    let i18n = state.i18n();
    let nl = |key: &str| i18n.message(crate::i18n::Lang::Nl, key, &[]);
    let link = format!(
        "{}{}",
        state.settings().public_url,
        path(
            &kring.network.id,
            &format!("situatie/voorstellen/{proposal_id}")
        )
    );
    let email = EmailJob {
        to,
        subject: nl("situation-mail-subject"),
        body_text: format!(
            "{}\n\n{link}\n\n{}\n",
            nl("situation-mail-body"),
            nl("situation-mail-footer")
        ),
    };
    jobs::enqueue(conn, kind::EMAIL, &email, 5).await?;
    Ok(())
}

/// `POST /kringen/{id}/signaleren/contact/plan`: makes or changes the contact plan.
pub async fn save_plan(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<PlanForm>,
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
    if kring.is_caregiver() {
        return refuse_caregiver(&state, tx, &kring, Action::Update).await;
    }
    let now = now_ms();
    let callers = contacts::callers(&mut tx, &id).await?;
    let (every, caller, start) = match validate_plan(&form, &callers, Day::local(now)) {
        Ok(v) => v,
        Err(key) => {
            let extras = Extras {
                plan_message: Some(request.tr.t(key)),
                plan_form: Some(form),
                ..Extras::default()
            };
            return render(
                &state,
                &request,
                tx,
                &kring,
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    contacts::save_plan(
        &mut tx,
        &NewPlan {
            network_id: &id,
            every_days: every,
            caller_user_id: &caller.user_id,
            caller_kind: caller.kind,
            starts_on: start,
            by_user_id: &user.actor.user_id,
            now,
        },
    )
    .await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{}?gedaan=plan", contact_path(&id))))
}

/// `POST /kringen/{id}/signaleren/contact/plan/stoppen`: ends the contact plan.
pub async fn end_plan(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
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
    if kring.is_caregiver() {
        return refuse_caregiver(&state, tx, &kring, Action::Update).await;
    }
    contacts::end_plan(&mut tx, &id, &user.actor.user_id, now_ms()).await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!(
        "{}?gedaan=plan-gestopt",
        contact_path(&id)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn form(soort: &str) -> ContactForm {
        ContactForm {
            soort: soort.into(),
            ..ContactForm::default()
        }
    }

    fn member(id: &str) -> Addressee {
        Addressee {
            member_id: id.into(),
            user_id: format!("u-{id}"),
            name: id.into(),
        }
    }

    #[test]
    fn a_contact_is_checked_before_anything_is_written() {
        let today = day("2026-11-24");
        let ok = validate_contact(&form("home_visit"), &[], today).unwrap();
        assert_eq!(ok.kind, ContactKind::HomeVisit);
        assert_eq!(ok.day, today);
        assert_eq!(
            (ok.help, ok.signal, ok.question, ok.proposal),
            (None, None, None, None)
        );
        let bad = |f: ContactForm| validate_contact(&f, &[member("m1")], today).unwrap_err();
        assert_eq!(bad(form("")), "screening-contact-kind-missing");
        assert_eq!(bad(form("letter")), "screening-contact-kind-invalid");
        let mut f = form("phone");
        f.datum = "2026-11-25".into();
        assert_eq!(bad(f.clone()), "screening-contact-date-future");
        f.datum = "24-11-2026".into();
        assert_eq!(bad(f.clone()), "screening-contact-date-invalid");
        f.datum = "2025-11-01".into();
        assert_eq!(bad(f), "screening-contact-date-old");
        let mut f = form("no_answer");
        f.gaat_niet_meer = "ja".into();
        assert_eq!(bad(f), "screening-contact-cope-no-answer");
        let mut f = form("phone");
        f.vraag = "Wie kan dinsdag rijden?".into();
        f.vraag_aan = "m9".into();
        assert_eq!(bad(f), "screening-contact-member-unknown");
        let mut f = form("phone");
        f.situatie_tekst = "De nachten zijn zwaar.".into();
        f.situatie_veld = "naaste".into();
        assert_eq!(bad(f), "screening-contact-field-invalid");
        let mut f = form("phone");
        f.notitie = "x".repeat(NOTE_MAX + 1);
        assert_eq!(bad(f), "screening-contact-note-too-long");
        let mut f = form("phone");
        f.hulp = "a\u{7}b".into();
        assert_eq!(bad(f), "screening-contact-text-control");
    }

    #[test]
    fn every_follow_up_is_read_from_the_form() {
        let today = day("2026-11-24");
        let f = ContactForm {
            soort: "front_garden".into(),
            datum: "2026-11-20".into(),
            notitie: " Even bijgepraat. ".into(),
            gaat_niet_meer: "ja".into(),
            hulp: "Boodschappen op dinsdag".into(),
            signaal: "Zorgen over de nachten".into(),
            vraag: "Wie kan dinsdag boodschappen doen?".into(),
            vraag_aan: "m1".into(),
            situatie_veld: "hard".into(),
            situatie_tekst: "Slaapt slecht.".into(),
        };
        let v = validate_contact(&f, &[member("m1")], today).unwrap();
        assert_eq!(v.day, day("2026-11-20"));
        assert_eq!(v.note, "Even bijgepraat.");
        assert!(v.cannot_cope);
        assert_eq!(v.help.as_deref(), Some("Boodschappen op dinsdag"));
        assert_eq!(v.signal.as_deref(), Some("Zorgen over de nachten"));
        assert_eq!(
            v.question,
            Some((
                "Wie kan dinsdag boodschappen doen?".to_string(),
                Some("m1".to_string())
            ))
        );
        assert_eq!(v.proposal, Some(("hard", "Slaapt slecht.".to_string())));
    }

    #[test]
    fn an_addition_goes_on_a_new_line_of_its_field() {
        let s = Situation {
            hard: "De nachten.".into(),
            ..Situation::default()
        };
        let added = with_addition(&s, "hard", "Ook de weekenden.").unwrap();
        assert_eq!(added.hard, "De nachten.\nOok de weekenden.");
        assert_eq!(added.going_well, "");
        let empty = with_addition(&Situation::default(), "wishes", "Een dag vrij.").unwrap();
        assert_eq!(empty.wishes, "Een dag vrij.");
        let full = Situation {
            other: "x".repeat(LONG_TEXT_MAX - 3),
            ..Situation::default()
        };
        assert_eq!(with_addition(&full, "other", "abcd"), None);
        assert_eq!(with_addition(&s, "naaste", "x"), None);
    }

    #[test]
    fn a_contact_on_an_earlier_day_is_logged_at_midday() {
        let today = day("2026-11-24");
        let now = today.start_ms() + 15 * HOUR_MS;
        assert_eq!(moment_of(today, today, now), now);
        let earlier = moment_of(day("2026-11-20"), today, now);
        assert_eq!(Day::local(earlier), day("2026-11-20"));
        assert_eq!(
            mantelkring_core::directory::opening::local_time(earlier).1,
            12 * 60
        );
    }

    #[test]
    fn a_plan_takes_a_frequency_on_offer_and_a_possible_caller() {
        let today = day("2026-11-24");
        let callers = [Caller {
            member_id: "m1".into(),
            user_id: "u1".into(),
            name: "Marieke".into(),
            kind: CallerKind::Professional,
        }];
        let plan = |elke: &str, beller: &str, start: &str| PlanForm {
            elke: elke.into(),
            beller: beller.into(),
            start: start.into(),
        };
        let (every, caller, start) = validate_plan(&plan("14", "m1", ""), &callers, today).unwrap();
        assert_eq!((every, caller.user_id.as_str(), start), (14, "u1", today));
        assert_eq!(
            validate_plan(&plan("10", "m1", ""), &callers, today).unwrap_err(),
            "screening-contact-plan-every-invalid"
        );
        assert_eq!(
            validate_plan(&plan("7", "", ""), &callers, today).unwrap_err(),
            "screening-contact-plan-caller-missing"
        );
        assert_eq!(
            validate_plan(&plan("7", "m2", ""), &callers, today).unwrap_err(),
            "screening-contact-plan-caller-unknown"
        );
        let (_, _, later) = validate_plan(&plan("7", "m1", "2026-12-01"), &callers, today).unwrap();
        assert_eq!(later, day("2026-12-01"));
        assert_eq!(
            validate_plan(&plan("7", "m1", "2028-01-01"), &callers, today).unwrap_err(),
            "screening-contact-date-far"
        );
    }
}
