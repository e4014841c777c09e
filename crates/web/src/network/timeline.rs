//! The kring's timeline: messages to the whole network or to chosen members, questions assigned
//! to a member with an answer-by date, answers, and each member's choice of e-mail (a daily
//! digest, an e-mail per message, or none). Every handler goes through [`super::open`] with the
//! Messages category: reading is `Read`, posting is `Create`, answering and the e-mail choice are
//! `Update` (a member's own entries).
//!
//! Posting writes the message, its recipients and one e-mail job per member who chose an e-mail
//! per message, in one transaction. The e-mail texts (also the digest's, which the job
//! `kring_digest` sends) are made here, in Dutch.

use super::{Kring, open, path};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::{I18n, Lang, Tr};
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::directory::opening::local_time;
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::network::agenda::{ClockTime, DEFAULT_ANSWER_DAYS, Day};
use mantelkring_core::network::{LONG_TEXT_MAX, NotifyMode, TextProblem, multi_line};
use mantelkring_core::time::{now_ms, rfc3339};
use mantelkring_store::network::timeline::{
    self, Addressee, Audience, Cursor, DigestDue, Entry, Kind, NewPost, Viewer,
};
use mantelkring_store::{Conn, Tx, jobs};
use serde::Deserialize;

/// Longest answer to a question.
pub const ANSWER_MAX: usize = 1000;
/// How far ahead an answer-by date may be.
const ANSWER_BY_MAX_DAYS: i64 = 366;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/tijdlijn", get(show).post(create))
        .route("/kringen/{id}/tijdlijn/{message_id}/antwoord", post(answer))
        .route("/kringen/{id}/meldingen", post(choose_notify))
}

/// The viewer of the timeline: the caregiver and a member acting for them see every message.
pub fn viewer_of(kring: &Kring) -> Viewer {
    Viewer {
        user_id: kring.user.actor.user_id.clone(),
        member_id: kring.member_id().map(str::to_string),
        sees_all: kring.speaks_for_caregiver(),
    }
}

// ---- Dates and times --------------------------------------------------------------------------

/// `24-11-2026`.
pub fn dutch_date(day: Day) -> String {
    let iso = day.iso();
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}-{m}-{y}"),
        _ => iso,
    }
}

/// The local time in Amsterdam at a moment: `24-11-2026 14:05`.
pub fn local_moment(ms: i64) -> String {
    let (_, minutes) = local_time(ms);
    format!(
        "{} {}",
        dutch_date(Day::local(ms)),
        ClockTime(minutes).hhmm()
    )
}

// ---- The page -----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct TimelineQuery {
    #[serde(default)]
    before: Option<String>,
}

/// The writing form as typed (kept when it comes back with a message).
#[derive(Deserialize, Default, Clone)]
pub struct PostForm {
    /// `bericht` or `vraag`.
    #[serde(default)]
    soort: String,
    #[serde(default)]
    tekst: String,
    /// `iedereen` or `gekozen`.
    #[serde(default)]
    aan: String,
    /// Member ids, when `aan` is `gekozen`.
    #[serde(default)]
    leden: Vec<String>,
    /// Questions: the member asked to answer (empty: nobody in particular).
    #[serde(default)]
    vraag_aan: String,
    /// Questions: `YYYY-MM-DD` (empty: in a week).
    #[serde(default)]
    antwoord_voor: String,
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    antwoord: String,
}

#[derive(Deserialize, Default)]
pub struct NotifyForm {
    #[serde(default)]
    melding: String,
}

/// A check box, radio button or option.
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

struct Answered {
    by: String,
    when: String,
    when_iso: String,
    text: String,
}

/// One message as the page shows it.
struct EntryView {
    id: String,
    question: bool,
    author: String,
    on_behalf: bool,
    when: String,
    when_iso: String,
    to_line: String,
    body: String,
    assigned_to: Option<String>,
    answer_by: Option<String>,
    overdue: bool,
    answered: Option<Answered>,
    /// Where the answer form posts, when the visitor may answer.
    answer_action: Option<String>,
    /// The answer form is shown open (the question is theirs, or they were writing an answer);
    /// otherwise it is folded under "Deze vraag beantwoorden".
    answer_open: bool,
    answer_draft: String,
}

#[derive(Template)]
#[template(path = "kring_timeline.html")]
struct TimelinePage {
    page: Page,
    nav: super::KringNav,
    caregiver_name: String,
    action: String,
    notify_action: String,
    message: Option<String>,
    /// A link from the message to the answer it is about.
    message_link: Option<String>,
    can_write: bool,
    form: PostForm,
    kinds: Vec<Choice>,
    audiences: Vec<Choice>,
    members: Vec<Choice>,
    assignees: Vec<Choice>,
    answer_by: String,
    today: String,
    last_day: String,
    /// The member's e-mail choice (none for the caregiver).
    notify: Option<Vec<Choice>>,
    notify_now: Option<String>,
    entries: Vec<EntryView>,
    /// Link to the next (older) page, and back to the newest.
    older: Option<String>,
    newest: Option<String>,
}

/// What a page shows besides the timeline itself: a message above the form, the form as typed,
/// an answer being written.
#[derive(Default)]
struct Extras {
    message: Option<String>,
    form: Option<PostForm>,
    draft: Option<(String, String)>,
}

fn kind_choices(tr: &Tr, chosen: &str) -> Vec<Choice> {
    [
        ("bericht", "kring-timeline-kind-message"),
        ("vraag", "kring-timeline-kind-question"),
    ]
    .into_iter()
    .map(|(value, key)| Choice {
        value: value.into(),
        label: tr.t(key),
        checked: chosen == value || (chosen.is_empty() && value == "bericht"),
    })
    .collect()
}

fn audience_choices(tr: &Tr, chosen: &str) -> Vec<Choice> {
    [
        ("iedereen", "kring-timeline-to-everyone"),
        ("gekozen", "kring-timeline-to-chosen"),
    ]
    .into_iter()
    .map(|(value, key)| Choice {
        value: value.into(),
        label: tr.t(key),
        checked: chosen == value || (chosen.is_empty() && value == "iedereen"),
    })
    .collect()
}

fn notify_choices(tr: &Tr, mode: NotifyMode) -> Vec<Choice> {
    NotifyMode::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().into(),
            label: tr.t(&format!("kring-timeline-notify-{}", m.as_str())),
            checked: *m == mode,
        })
        .collect()
}

fn to_line(tr: &Tr, entry: &Entry) -> String {
    if entry.to_all {
        tr.t("kring-timeline-to-all-line")
    } else {
        tr.t1(
            "kring-timeline-to-line",
            "names",
            &entry.recipients.join(", "),
        )
    }
}

fn entry_view(
    tr: &Tr,
    network_id: &str,
    viewer: &Viewer,
    today: Day,
    entry: Entry,
    draft: Option<&(String, String)>,
) -> EntryView {
    let question = entry.kind == Kind::Question;
    let answer_action = entry
        .may_answer(viewer)
        .then(|| path(network_id, &format!("tijdlijn/{}/antwoord", entry.id)));
    let answered = match (entry.answered_at, &entry.answer) {
        (Some(at), Some(text)) => Some(Answered {
            by: entry.answered_by.clone().unwrap_or_default(),
            when: local_moment(at),
            when_iso: rfc3339(at),
            text: text.clone(),
        }),
        _ => None,
    };
    let draft = draft.filter(|(id, _)| *id == entry.id);
    EntryView {
        answer_open: entry.is_assigned_to(viewer) || draft.is_some(),
        question,
        overdue: entry.is_overdue(today),
        to_line: to_line(tr, &entry),
        when: local_moment(entry.created_at),
        when_iso: rfc3339(entry.created_at),
        answer_by: entry.answer_by.filter(|_| question).map(dutch_date),
        assigned_to: entry.assigned_to.filter(|_| question),
        answer_draft: draft.map(|(_, text)| text.clone()).unwrap_or_default(),
        answered,
        answer_action,
        author: entry.author,
        on_behalf: entry.on_behalf,
        body: entry.body,
        id: entry.id,
    }
}

/// Loads what the page shows in `tx`, commits (the audit record of the access with it) and
/// renders the page with `status`.
async fn render(
    state: &AppState,
    request: &PageRequest,
    mut tx: Tx,
    kring: &Kring,
    before: Option<&Cursor>,
    extras: Extras,
    status: StatusCode,
) -> Result<Response, AppError> {
    let tr = &request.tr;
    let network_id = kring.network.id.clone();
    let viewer = viewer_of(kring);
    let now = now_ms();
    let today = Day::local(now);
    let page_data = timeline::timeline(&mut tx, &network_id, &viewer, before).await?;
    let addressees = timeline::addressable(&mut tx, &network_id).await?;
    let notify_mode = match kring.member_id() {
        Some(member) => timeline::notify_mode(&mut tx, &network_id, member).await?,
        None => None,
    };
    crate::accounts::commit(state, tx).await?;

    let form = extras.form.unwrap_or_default();
    let others: Vec<&Addressee> = addressees
        .iter()
        .filter(|a| Some(a.member_id.as_str()) != kring.member_id())
        .collect();
    let members = others
        .iter()
        .map(|a| Choice {
            value: a.member_id.clone(),
            label: a.name.clone(),
            checked: form.leden.contains(&a.member_id),
        })
        .collect();
    let mut assignees = vec![Choice {
        value: String::new(),
        label: tr.t("kring-timeline-assign-nobody"),
        checked: form.vraag_aan.is_empty(),
    }];
    assignees.extend(others.iter().map(|a| Choice {
        value: a.member_id.clone(),
        label: a.name.clone(),
        checked: form.vraag_aan == a.member_id,
    }));
    let answer_by = if form.antwoord_voor.is_empty() {
        today.plus(DEFAULT_ANSWER_DAYS).iso()
    } else {
        form.antwoord_voor.clone()
    };
    let timeline_path = path(&network_id, "tijdlijn");
    let entries = page_data
        .entries
        .into_iter()
        .map(|e| entry_view(tr, &network_id, &viewer, today, e, extras.draft.as_ref()))
        .collect();
    let page = TimelinePage {
        nav: super::KringNav::new(kring, tr, "tijdlijn"),
        page: Page::new(
            tr.clone(),
            &timeline_path,
            &request.csrf,
            tr.t("kring-timeline-title"),
            request.user.as_ref(),
        ),
        caregiver_name: kring.network.caregiver_name.clone(),
        notify_action: path(&network_id, "meldingen"),
        message: extras.message,
        message_link: extras
            .draft
            .as_ref()
            .map(|(id, _)| format!("#antwoord-{id}")),
        can_write: kring.allows(Action::Create, DataCategory::Messages),
        kinds: kind_choices(tr, &form.soort),
        audiences: audience_choices(tr, &form.aan),
        members,
        assignees,
        answer_by,
        today: today.iso(),
        last_day: today.plus(ANSWER_BY_MAX_DAYS).iso(),
        notify: notify_mode.map(|m| notify_choices(tr, m)),
        notify_now: notify_mode.map(|m| tr.t(&format!("kring-timeline-notify-now-{}", m.as_str()))),
        entries,
        older: page_data
            .next
            .map(|c| format!("{timeline_path}?before={}", c.param())),
        newest: before.map(|_| timeline_path.clone()),
        action: timeline_path,
        form,
    };
    Ok(crate::accounts::message_page(status, page))
}

/// `GET /kringen/{id}/tijdlijn[?before=<created_at>_<id>]`: the form to write and the timeline.
pub async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(network_id): Path<String>,
    Query(query): Query<TimelineQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (tx, kring) = open(
        &state,
        &user,
        &network_id,
        Action::Read,
        DataCategory::Messages,
        &request.path,
    )
    .await?;
    let before = query.before.as_deref().map(str::trim).unwrap_or("");
    if before.is_empty() {
        return render(
            &state,
            &request,
            tx,
            &kring,
            None,
            Extras::default(),
            StatusCode::OK,
        )
        .await;
    }
    match Cursor::parse(before) {
        Some(cursor) => {
            render(
                &state,
                &request,
                tx,
                &kring,
                Some(&cursor),
                Extras::default(),
                StatusCode::OK,
            )
            .await
        }
        None => {
            let extras = Extras {
                message: Some(request.tr.t("kring-timeline-page-invalid")),
                ..Extras::default()
            };
            render(
                &state,
                &request,
                tx,
                &kring,
                None,
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// A post checked against the form rules and the network's members.
struct ValidPost {
    kind: Kind,
    body: String,
    to: Option<Vec<String>>,
    assigned: Option<String>,
    answer_by: Option<Day>,
}

/// The message key for a text problem.
fn text_problem(
    problem: &TextProblem,
    missing: &'static str,
    too_long: &'static str,
) -> &'static str {
    match problem {
        TextProblem::Missing => missing,
        TextProblem::TooLong(_) => too_long,
        TextProblem::Control => "kring-timeline-text-control",
    }
}

fn validate(
    form: &PostForm,
    addressees: &[Addressee],
    today: Day,
) -> Result<ValidPost, &'static str> {
    let kind = match form.soort.trim() {
        "bericht" | "" => Kind::Message,
        "vraag" => Kind::Question,
        _ => return Err("kring-timeline-kind-invalid"),
    };
    let body = multi_line(&form.tekst, LONG_TEXT_MAX).map_err(|p| {
        text_problem(
            &p,
            "kring-timeline-text-missing",
            "kring-timeline-text-too-long",
        )
    })?;
    if body.is_empty() {
        return Err("kring-timeline-text-missing");
    }
    let known = |id: &str| addressees.iter().any(|a| a.member_id == id);
    let to = match form.aan.trim() {
        "iedereen" | "" => None,
        "gekozen" => {
            let mut chosen: Vec<String> = Vec::new();
            for id in form.leden.iter().map(|s| s.trim()) {
                if !known(id) {
                    return Err("kring-timeline-member-unknown");
                }
                if !chosen.iter().any(|c| c == id) {
                    chosen.push(id.to_string());
                }
            }
            if chosen.is_empty() {
                return Err("kring-timeline-members-missing");
            }
            Some(chosen)
        }
        _ => return Err("kring-timeline-audience-invalid"),
    };
    let (assigned, answer_by) = match kind {
        Kind::Message => (None, None),
        Kind::Question => {
            let assigned = match form.vraag_aan.trim() {
                "" => None,
                id if known(id) => Some(id.to_string()),
                _ => return Err("kring-timeline-member-unknown"),
            };
            let answer_by = match form.antwoord_voor.trim() {
                "" => None,
                s => {
                    let day = Day::parse(s).ok_or("kring-timeline-date-invalid")?;
                    if day < today {
                        return Err("kring-timeline-date-past");
                    }
                    if day > today.plus(ANSWER_BY_MAX_DAYS) {
                        return Err("kring-timeline-date-far");
                    }
                    Some(day)
                }
            };
            (assigned, answer_by)
        }
    };
    Ok(ValidPost {
        kind,
        body,
        to,
        assigned,
        answer_by,
    })
}

/// `POST /kringen/{id}/tijdlijn`: a message or question. Checked first; then the message, its
/// recipients and the immediate e-mails in one transaction.
pub async fn create(
    State(state): State<AppState>,
    request: PageRequest,
    Path(network_id): Path<String>,
    Form(form): Form<PostForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &network_id,
        Action::Create,
        DataCategory::Messages,
        &request.path,
    )
    .await?;
    let now = now_ms();
    let addressees = timeline::addressable(&mut tx, &kring.network.id).await?;
    let valid = match validate(&form, &addressees, Day::local(now)) {
        Ok(v) => v,
        Err(key) => {
            let extras = Extras {
                message: Some(request.tr.t(key)),
                form: Some(form),
                draft: None,
            };
            return render(
                &state,
                &request,
                tx,
                &kring,
                None,
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let id = timeline::post(
        &mut tx,
        &NewPost {
            network_id: &kring.network.id,
            by: kring.by(),
            kind: valid.kind,
            body: &valid.body,
            audience: valid.to.as_deref().map_or(Audience::All, Audience::Members),
            assigned_member_id: valid.assigned.as_deref(),
            answer_by: valid.answer_by,
            now,
        },
    )
    .await?;
    queue_immediate(&state, &mut tx, &kring, &id).await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!(
        "{}#bericht-{id}",
        path(&kring.network.id, "tijdlijn")
    )))
}

/// Queues one e-mail per member who chose an e-mail per message and may see message `id`.
pub(crate) async fn queue_immediate(
    state: &AppState,
    conn: &mut Conn,
    kring: &Kring,
    id: &str,
) -> Result<(), AppError> {
    let recipients = timeline::immediate_recipients(conn, id).await?;
    if recipients.is_empty() {
        return Ok(());
    }
    let viewer = viewer_of(kring);
    let Some(entry) = timeline::entry(conn, &kring.network.id, &viewer, id).await? else {
        return Ok(());
    };
    let i18n = state.i18n();
    for r in recipients {
        let email = immediate_email(
            &i18n,
            &state.settings().public_url,
            &kring.network.id,
            &kring.network.caregiver_name,
            &r.name,
            &r.email,
            &entry,
        );
        jobs::enqueue(conn, kind::EMAIL, &email, 5).await?;
    }
    Ok(())
}

/// `POST /kringen/{id}/tijdlijn/{message_id}/antwoord`: the answer to an open question, by the
/// member it is assigned to, the one who asked, or whoever speaks for the caregiver.
pub async fn answer(
    State(state): State<AppState>,
    request: PageRequest,
    Path((network_id, message_id)): Path<(String, String)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &network_id,
        Action::Update,
        DataCategory::Messages,
        &request.path,
    )
    .await?;
    let viewer = viewer_of(&kring);
    let entry = timeline::entry(&mut tx, &kring.network.id, &viewer, &message_id).await?;
    let entry = match entry {
        Some(e) if e.kind == Kind::Question => e,
        _ => {
            crate::accounts::commit(&state, tx).await?;
            return Err(AppError::NotFound);
        }
    };
    let refuse = |key: &str| Extras {
        message: Some(request.tr.t(key)),
        form: None,
        draft: Some((message_id.clone(), form.antwoord.clone())),
    };
    if entry.answered_at.is_some() {
        let extras = refuse("kring-timeline-answer-done");
        return render(
            &state,
            &request,
            tx,
            &kring,
            None,
            extras,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if !entry.may_answer(&viewer) {
        // The visitor may see the question but it is not theirs to answer: that refusal is
        // logged too, after the (allowed) access to the messages.
        crate::access::log_refusal(
            &state,
            &mut tx,
            &user,
            Action::Update,
            &crate::access::Subject {
                person_id: Some(&kring.network.caregiver_person_id),
                categories: DataCategory::Messages.as_str(),
            },
            "not_assigned",
            None,
        )
        .await?;
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::Forbidden);
    }
    let text = match multi_line(&form.antwoord, ANSWER_MAX) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            let extras = refuse("kring-timeline-answer-missing");
            return render(
                &state,
                &request,
                tx,
                &kring,
                None,
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(p) => {
            let extras = refuse(text_problem(
                &p,
                "kring-timeline-answer-missing",
                "kring-timeline-answer-too-long",
            ));
            return render(
                &state,
                &request,
                tx,
                &kring,
                None,
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let done = timeline::answer(
        &mut tx,
        &kring.network.id,
        &entry.id,
        &user.actor.user_id,
        &text,
        now_ms(),
    )
    .await?;
    if !done {
        let extras = refuse("kring-timeline-answer-done");
        return render(
            &state,
            &request,
            tx,
            &kring,
            None,
            extras,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!(
        "{}#bericht-{}",
        path(&kring.network.id, "tijdlijn"),
        entry.id
    )))
}

/// `POST /kringen/{id}/meldingen`: a member chooses how they hear of new messages.
pub async fn choose_notify(
    State(state): State<AppState>,
    request: PageRequest,
    Path(network_id): Path<String>,
    Form(form): Form<NotifyForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &network_id,
        Action::Update,
        DataCategory::Messages,
        &request.path,
    )
    .await?;
    let message = |key: &str| Extras {
        message: Some(request.tr.t(key)),
        ..Extras::default()
    };
    let Some(member_id) = kring.member_id().map(str::to_string) else {
        let extras = message("kring-timeline-notify-caregiver");
        return render(
            &state,
            &request,
            tx,
            &kring,
            None,
            extras,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let Some(mode) = NotifyMode::parse(&form.melding) else {
        let extras = message("kring-timeline-notify-invalid");
        return render(
            &state,
            &request,
            tx,
            &kring,
            None,
            extras,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    timeline::choose_notify(&mut tx, &kring.network.id, &member_id, mode, now_ms()).await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!(
        "{}#meldingen",
        path(&kring.network.id, "tijdlijn")
    )))
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

// ---- E-mail -------------------------------------------------------------------------------------

/// One message as an e-mail shows it: when, who (and for whom), to whom, what; a question with
/// whom it is for and the date.
fn mail_entry(i18n: &I18n, caregiver: &str, entry: &Entry) -> String {
    let nl = |key: &str, args: &[(&str, &str)]| i18n.message(Lang::Nl, key, args);
    let when = local_moment(entry.created_at);
    let mut head = if entry.on_behalf {
        nl(
            "kring-mail-entry-head-on-behalf",
            &[
                ("when", &when),
                ("author", &entry.author),
                ("caregiver", caregiver),
            ],
        )
    } else {
        nl(
            "kring-mail-entry-head",
            &[("when", &when), ("author", &entry.author)],
        )
    };
    if entry.kind == Kind::Question {
        head.push_str(&format!(" ({})", nl("kring-mail-entry-question", &[])));
    }
    let mut out = format!("{head}\n");
    if !entry.to_all {
        let to = nl(
            "kring-mail-entry-to",
            &[("names", &entry.recipients.join(", "))],
        );
        out.push_str(&format!("  {to}\n"));
    }
    for line in entry.body.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    if let (Some(answer), Some(by)) = (&entry.answer, &entry.answered_by) {
        let head = nl("kring-mail-entry-answered", &[("name", by)]);
        out.push_str(&format!("  {head}\n"));
        for line in answer.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    } else if entry.kind == Kind::Question {
        let by = entry.answer_by.map(dutch_date).unwrap_or_default();
        let line = match &entry.assigned_to {
            Some(name) => nl(
                "kring-mail-entry-asked-of",
                &[("name", name), ("date", &by)],
            ),
            None => nl("kring-mail-entry-answer-by", &[("date", &by)]),
        };
        out.push_str(&format!("  {line}\n"));
    }
    out
}

/// The e-mail to a member who chose an e-mail per message (Dutch).
pub fn immediate_email(
    i18n: &I18n,
    public_url: &str,
    network_id: &str,
    caregiver: &str,
    to_name: &str,
    to_email: &str,
    entry: &Entry,
) -> EmailJob {
    let nl = |key: &str, args: &[(&str, &str)]| i18n.message(Lang::Nl, key, args);
    let subject_key = match entry.kind {
        Kind::Message => "kring-mail-immediate-subject",
        Kind::Question => "kring-mail-immediate-subject-question",
    };
    let body = format!(
        "{}\n\n{}\n\n{}\n\n{}\n{public_url}{}\n\n{}\n",
        nl("kring-mail-greeting", &[("name", to_name)]),
        nl("kring-mail-immediate-intro", &[("caregiver", caregiver)]),
        mail_entry(i18n, caregiver, entry).trim_end(),
        nl("kring-mail-read-more", &[]),
        path(network_id, "tijdlijn"),
        nl("kring-mail-immediate-footer", &[]),
    );
    EmailJob {
        to: to_email.to_string(),
        subject: nl(subject_key, &[("caregiver", caregiver)]),
        body_text: body,
    }
}

/// The daily digest for one member of one network (Dutch): the messages they may see, oldest
/// first; `more` when there were more than fit in one e-mail.
pub fn digest_email(
    i18n: &I18n,
    public_url: &str,
    due: &DigestDue,
    entries: &[Entry],
    more: bool,
) -> EmailJob {
    let nl = |key: &str, args: &[(&str, &str)]| i18n.message(Lang::Nl, key, args);
    let caregiver = due.caregiver_name.as_str();
    let list: Vec<String> = entries
        .iter()
        .map(|e| mail_entry(i18n, caregiver, e))
        .collect();
    let more = if more {
        format!("{}\n\n", nl("kring-mail-digest-more", &[]))
    } else {
        String::new()
    };
    let body = format!(
        "{}\n\n{}\n\n{}\n{more}{}\n{public_url}{}\n\n{}\n",
        nl("kring-mail-greeting", &[("name", &due.name)]),
        nl("kring-mail-digest-intro", &[("caregiver", caregiver)]),
        list.join("\n"),
        nl("kring-mail-read-more", &[]),
        path(&due.network_id, "tijdlijn"),
        nl("kring-mail-digest-footer", &[]),
    );
    EmailJob {
        to: due.email.clone(),
        subject: nl("kring-mail-digest-subject", &[("caregiver", caregiver)]),
        body_text: body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addressee(id: &str) -> Addressee {
        Addressee {
            member_id: id.into(),
            user_id: format!("u-{id}"),
            name: id.into(),
        }
    }

    fn form(soort: &str, tekst: &str) -> PostForm {
        PostForm {
            soort: soort.into(),
            tekst: tekst.into(),
            aan: "iedereen".into(),
            ..PostForm::default()
        }
    }

    #[test]
    fn a_post_is_checked_before_anything_is_written() {
        let today = Day::parse("2026-11-24").unwrap();
        let members = [addressee("m1"), addressee("m2")];
        let ok = validate(&form("bericht", " Hallo\r\nallemaal "), &members, today).unwrap();
        assert_eq!(
            (ok.kind, ok.body.as_str(), ok.to),
            (Kind::Message, "Hallo\nallemaal", None)
        );
        let check = |f: PostForm| validate(&f, &members, today).err();
        assert_eq!(
            check(form("bericht", "   ")),
            Some("kring-timeline-text-missing")
        );
        assert_eq!(
            check(form("bericht", &"a".repeat(LONG_TEXT_MAX + 1))),
            Some("kring-timeline-text-too-long")
        );
        assert_eq!(
            check(form("brief", "x")),
            Some("kring-timeline-kind-invalid")
        );
        let mut chosen = form("bericht", "x");
        chosen.aan = "gekozen".into();
        assert_eq!(
            check(chosen.clone()),
            Some("kring-timeline-members-missing")
        );
        chosen.leden = vec!["m2".into(), "m2".into()];
        assert_eq!(
            validate(&chosen, &members, today).unwrap().to,
            Some(vec!["m2".to_string()])
        );
        chosen.leden.push("iemand-anders".into());
        assert_eq!(check(chosen), Some("kring-timeline-member-unknown"));
        let mut q = form("vraag", "Wie rijdt?");
        q.vraag_aan = "m1".into();
        q.antwoord_voor = "2026-11-30".into();
        let ok = validate(&q, &members, today).unwrap();
        assert_eq!(ok.assigned.as_deref(), Some("m1"));
        assert_eq!(ok.answer_by, Day::parse("2026-11-30"));
        q.antwoord_voor = "30-11-2026".into();
        assert_eq!(check(q.clone()), Some("kring-timeline-date-invalid"));
        q.antwoord_voor = "2026-11-23".into();
        assert_eq!(check(q.clone()), Some("kring-timeline-date-past"));
        q.antwoord_voor = "2028-01-01".into();
        assert_eq!(check(q.clone()), Some("kring-timeline-date-far"));
        q.antwoord_voor.clear();
        q.vraag_aan = "m9".into();
        assert_eq!(check(q), Some("kring-timeline-member-unknown"));
    }

    fn entry(kind: Kind, body: &str) -> Entry {
        Entry {
            id: "m1".into(),
            kind,
            body: body.into(),
            author_user_id: "u-ria".into(),
            author: "Ria de Vries".into(),
            on_behalf: false,
            to_all: true,
            recipients: vec![],
            assigned_member_id: None,
            assigned_to: None,
            answer_by: None,
            answered_at: None,
            answered_by: None,
            answer: None,
            created_at: Day::parse("2026-11-24").unwrap().start_ms() + 9 * 3_600_000,
        }
    }

    #[test]
    fn the_digest_lists_each_message_with_time_author_recipients_and_answers() {
        let i18n = I18n::load().unwrap();
        let mut to_sanne = entry(Kind::Message, "Eerste regel\nTweede regel");
        to_sanne.to_all = false;
        to_sanne.recipients = vec!["Sanne de Vries".into()];
        to_sanne.on_behalf = true;
        to_sanne.author = "Joost Bakker".into();
        let mut question = entry(Kind::Question, "Wie rijdt dinsdag?");
        question.assigned_to = Some("Sanne de Vries".into());
        question.answer_by = Day::parse("2026-12-01");
        let mut answered = entry(Kind::Question, "Is de rolstoel besteld?");
        answered.answered_at = Some(1);
        answered.answered_by = Some("Marieke Jansen".into());
        answered.answer = Some("Ja, donderdag.".into());
        let due = DigestDue {
            member_id: "m-sanne".into(),
            network_id: "n1".into(),
            user_id: "u-sanne".into(),
            name: "Sanne de Vries".into(),
            email: "sanne@example.org".into(),
            acts_for_caregiver: false,
            since: 0,
            caregiver_name: "Ria de Vries".into(),
        };
        let mail = digest_email(
            &i18n,
            "https://mantelkring.example",
            &due,
            &[to_sanne, question, answered],
            true,
        );
        assert_eq!(mail.to, "sanne@example.org");
        assert_eq!(
            mail.subject,
            "Nieuwe berichten in de kring van Ria de Vries"
        );
        let body = mail.body_text;
        for expected in [
            "Beste Sanne de Vries,",
            "24-11-2026 09:00 - Joost Bakker, namens Ria de Vries\n  Aan: Sanne de Vries\n  Eerste regel\n  Tweede regel\n",
            "24-11-2026 09:00 - Ria de Vries (vraag)\n  Wie rijdt dinsdag?\n  Gevraagd aan Sanne de Vries. Antwoord graag voor 01-12-2026.\n",
            "  Is de rolstoel besteld?\n  Antwoord van Marieke Jansen:\n    Ja, donderdag.\n",
            "Er zijn nog meer nieuwe berichten.",
            "https://mantelkring.example/kringen/n1/tijdlijn",
        ] {
            assert!(body.contains(expected), "{expected:?} in\n{body}");
        }
        let once = immediate_email(
            &i18n,
            "https://mantelkring.example",
            "n1",
            "Ria de Vries",
            "Marieke Jansen",
            "marieke@example.org",
            &entry(Kind::Question, "Wie heeft de sleutel?"),
        );
        assert_eq!(once.subject, "Nieuwe vraag in de kring van Ria de Vries");
        assert!(once.body_text.contains("Beste Marieke Jansen,"));
        assert!(once.body_text.contains("  Wie heeft de sleutel?\n"));
        assert!(
            once.body_text
                .contains("https://mantelkring.example/kringen/n1/tijdlijn")
        );
    }

    #[test]
    fn local_times_follow_amsterdam() {
        // 23:30 UTC on 24 November is 00:30 on the 25th in Amsterdam.
        let at = Day::parse("2026-11-24").unwrap().0 * 86_400_000 + 23 * 3_600_000 + 30 * 60_000;
        assert_eq!(local_moment(at), "25-11-2026 00:30");
        assert_eq!(dutch_date(Day::parse("2026-07-02").unwrap()), "02-07-2026");
    }
}
