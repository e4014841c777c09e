//! Signaleren on the web: burden checks (CHECKS), signals (SIGNALS) and proactive contact
//! (CONTACT). This part: the network's Signaleren page with the latest scores, filling in a
//! check (the whole list on one page, or one question per screen: every step a real form POST,
//! saved as it goes), the result with next steps, the history chart with its table, single-use
//! links for caregivers without an account, and the FHIR downloads.
//!
//! - `checks.rs`: `/kringen/{id}/signaleren`, starting, filling in, completing, the result, the
//!   FHIR QuestionnaireResponse, `/hoe-gaat-het` and the public Questionnaires.
//! - `links.rs`: sending a single-use link, and `/vragenlijst/{token}` (no account).
//! - `history.rs`: `/kringen/{id}/signaleren/verloop` (chart and table).
//! - `signals.rs`: a network's signals with their history and follow-up
//!   (`/kringen/{id}/signaleren/signalen`), the worklist `/signalen`, the evaluation's e-mail.
//! - `meeting.rs`: the signal meeting `/signalen/overleg` (grouped by caregiver or by rule) and
//!   its printable agenda.
//! - `rules.rs`: each region's signal rules for administrators (`/beheer/signaalregels`).
//! - `contacts.rs`: `/kringen/{id}/signaleren/contact`: the contact plan, the contact log and a
//!   new contact with its follow-up actions (help-request marker, signal, question, proposal).
//! - `calls.rs`: `/bellen`: "Wie bel ik vandaag?" for the logged-in caller, and the text of the
//!   daily reminder e-mail.
//! - `mod.rs`: what the checks pages share: the door (`enter`), the chosen way of showing questions
//!   (a cookie), reading the answers of a form, the fill-in and result pages.
//!
//! Every page of a caregiver's checks goes through `network::open(.., DataCategory::Checks)`:
//! policy and NEN 7513 record in the transaction the handler then uses. A single-use link has
//! no account: its handlers write their own record (`access::log_link_access`).

pub mod calls;
mod checks;
pub mod contacts;
mod history;
pub mod links;
mod meeting;
mod rules;
pub mod signals;

use crate::AppState;
use crate::errors::AppError;
use crate::i18n::Tr;
use crate::identity::require_user;
use crate::network::timeline::dutch_date;
use crate::network::{Kring, open};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::directory::taxonomy::{self, Vocabulary};
use mantelkring_core::network::agenda::Day;
use mantelkring_core::screening::CheckMode;
use mantelkring_core::screening::instrument::{Instrument, Level};
use mantelkring_core::time::Millis;
use mantelkring_store::Tx;
use mantelkring_store::screening::checks::Check;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(checks::routes())
        .merge(links::routes())
        .merge(history::routes())
        .merge(signals::routes())
        .merge(meeting::routes())
        .merge(rules::routes())
        .merge(contacts::routes())
        .merge(calls::routes())
}

/// Logged in, then through the network's one door for `action` on checks and signals.
async fn enter(
    state: &AppState,
    request: &PageRequest,
    network_id: &str,
    action: Action,
) -> Result<(Tx, Kring), AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    open(
        state,
        &user,
        network_id,
        action,
        DataCategory::Checks,
        &request.path,
    )
    .await
}

/// `/kringen/{id}/signaleren` and what follows it.
fn path(network_id: &str, rest: &str) -> String {
    if rest.is_empty() {
        crate::network::path(network_id, "signaleren")
    } else {
        crate::network::path(network_id, &format!("signaleren/{rest}"))
    }
}

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// `24-11-2026`, in Amsterdam.
fn date_of(ms: Millis) -> String {
    dutch_date(Day::local(ms))
}

/// `24-11-2026 14:05`, in Amsterdam: when a link stops working.
fn moment_of(ms: Millis) -> String {
    crate::network::timeline::local_moment(ms)
}

// ---- How the questions are shown ----------------------------------------------------------------

/// The cookie that remembers how a person likes to see the questions.
const VIEW_COOKIE: &str = "mk_vragen";

/// One question per screen, or the whole list on one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Step,
    List,
}

impl View {
    fn code(self) -> &'static str {
        match self {
            View::Step => "stap",
            View::List => "lijst",
        }
    }

    fn parse(s: &str) -> Option<View> {
        match s.trim() {
            "stap" => Some(View::Step),
            "lijst" => Some(View::List),
            _ => None,
        }
    }

    /// The remembered choice; one question per screen unless the person chose the list.
    fn of(headers: &HeaderMap) -> View {
        crate::security::cookie_value(headers, VIEW_COOKIE)
            .and_then(View::parse)
            .unwrap_or(View::Step)
    }

    fn other(self) -> View {
        match self {
            View::Step => View::List,
            View::List => View::Step,
        }
    }
}

/// Remembers `view` for a year (a preference, not personal data).
fn remember_view(state: &AppState, response: &mut Response, view: View) {
    let secure = if state.settings().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{VIEW_COOKIE}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
        view.code()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

// ---- The answers of a form ------------------------------------------------------------------

/// What a fill-in form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Save and show the next question.
    Next,
    /// Save and show the previous question.
    Previous,
    /// Save and stop for now.
    Save,
    /// Save and complete (score) the check.
    Complete,
    /// Save and show the questions the other way.
    Switch(View),
}

/// A fill-in form as sent: the answers given on it, where the person was, and what they want.
#[derive(Debug, Clone)]
struct AnswerForm {
    /// (item index from 0, option code) for every answer on the form.
    answers: Vec<(usize, String)>,
    /// The question shown (1-based), in one-question-per-screen.
    question: Option<usize>,
    view: View,
    step: Step,
}

/// Why a form's answers were refused (nothing is saved).
#[derive(Debug, Clone, PartialEq, Eq)]
enum FormProblem {
    /// An answer that is not one of the options, or for a question that does not exist.
    BadAnswer,
    /// The form could not be read.
    Unreadable,
}

impl AnswerForm {
    /// Reads the form: fields `v1`…`vN` (answers), `vraag`, `weergave` and `actie`.
    fn parse(body: &[u8], instrument: &Instrument) -> Result<AnswerForm, FormProblem> {
        let pairs: Vec<(String, String)> =
            serde_html_form::from_bytes(body).map_err(|_| FormProblem::Unreadable)?;
        let mut form = AnswerForm {
            answers: Vec::new(),
            question: None,
            view: View::Step,
            step: Step::Save,
        };
        let mut step = None;
        for (name, value) in pairs {
            match name.as_str() {
                "vraag" => form.question = value.trim().parse().ok().filter(|n| *n >= 1),
                "weergave" => form.view = View::parse(&value).unwrap_or(View::Step),
                "actie" => {
                    step = Some(match value.trim() {
                        "volgende" => Step::Next,
                        "vorige" => Step::Previous,
                        "opslaan" => Step::Save,
                        "afronden" => Step::Complete,
                        other => match View::parse(other) {
                            Some(view) => Step::Switch(view),
                            None => return Err(FormProblem::Unreadable),
                        },
                    })
                }
                "csrf" => {}
                field => {
                    let Some(number) = field
                        .strip_prefix('v')
                        .and_then(|n| n.parse::<usize>().ok())
                        .filter(|n| (1..=instrument.items.len()).contains(n))
                    else {
                        return Err(FormProblem::BadAnswer);
                    };
                    if instrument.option(&value).is_none() {
                        return Err(FormProblem::BadAnswer);
                    }
                    form.answers.push((number - 1, value));
                }
            }
        }
        // Without a button (Enter in a field of an old browser): the next question, or the end.
        form.step = step.unwrap_or(match form.view {
            View::Step => Step::Next,
            View::List => Step::Complete,
        });
        Ok(form)
    }

    /// The stored answers with this form's answers put in.
    fn apply(&self, stored: &[Option<String>]) -> Vec<Option<String>> {
        let mut answers = stored.to_vec();
        for (index, code) in &self.answers {
            if let Some(slot) = answers.get_mut(*index) {
                *slot = Some(code.clone());
            }
        }
        answers
    }
}

/// The first question without an answer (1-based), or the last one when all are answered.
fn first_open(answers: &[Option<String>]) -> usize {
    answers
        .iter()
        .position(Option::is_none)
        .map_or(answers.len().max(1), |n| n + 1)
}

/// The question to show: the one asked for, within the list; else the first open one.
fn question_to_show(asked: Option<usize>, answers: &[Option<String>]) -> usize {
    match asked {
        Some(n) => n.clamp(1, answers.len().max(1)),
        None => first_open(answers),
    }
}

/// "vraag 4" / "vraag 4 en 7" / "vraag 2, 4 en 7" in the visitor's language.
fn numbers_text(tr: &Tr, numbers: &[usize]) -> String {
    let words: Vec<String> = numbers.iter().map(ToString::to_string).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => tr.t2("screening-and", ("first", &rest.join(", ")), ("last", last)),
    }
}

// ---- The fill-in page -------------------------------------------------------------------------

struct OptionView {
    id: String,
    code: String,
    label: String,
    checked: bool,
}

struct ItemView {
    number: usize,
    text: String,
    name: String,
    options: Vec<OptionView>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "screening_fill.html")]
struct FillPage {
    page: Page,
    heading: String,
    /// For whom and how, above the heading ("Samen met Ria de Vries invullen").
    who: Option<String>,
    instruction: String,
    /// The visitor reads English: the questions stay in Dutch, and this says why.
    dutch_note: bool,
    action: String,
    view: &'static str,
    question: usize,
    progress: String,
    items: Vec<ItemView>,
    errors: Vec<(String, String)>,
    message: Option<String>,
    first: bool,
    last: bool,
    switch_to: &'static str,
    switch_label: String,
}

/// What a fill-in page shows, apart from the answers.
struct FillContext<'a> {
    instrument: &'a Instrument,
    /// The naaste's name for "[naaste]".
    naaste: Option<&'a str>,
    who: Option<String>,
    action: String,
}

/// The fill-in page for `answers`: question `question` alone, or the whole list. `missing` marks
/// the questions still open when the person tried to complete; `message` is shown on top.
fn fill_page(
    request: &PageRequest,
    ctx: &FillContext<'_>,
    answers: &[Option<String>],
    view: View,
    question: usize,
    missing: &[usize],
    message: Option<String>,
) -> FillPage {
    let t = &request.tr;
    let instrument = ctx.instrument;
    let total = instrument.items.len();
    let shown: Vec<usize> = match view {
        View::Step => vec![question.clamp(1, total.max(1)) - 1],
        View::List => (0..total).collect(),
    };
    let missing_text = t.t("screening-error-unanswered");
    let items: Vec<ItemView> = shown
        .iter()
        .map(|&i| ItemView {
            number: i + 1,
            text: instrument.item_text(i, ctx.naaste),
            name: format!("v{}", i + 1),
            options: instrument
                .options
                .iter()
                .enumerate()
                .map(|(n, o)| OptionView {
                    id: format!("v{}-{}", i + 1, n + 1),
                    code: o.code.clone(),
                    label: o.label.clone(),
                    checked: answers.get(i).and_then(|a| a.as_deref()) == Some(o.code.as_str()),
                })
                .collect(),
            error: missing.contains(&(i + 1)).then(|| missing_text.clone()),
        })
        .collect();
    // The summary links to each open question: on this page (the list) or on its own screen.
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        let text = t.t1(
            "screening-error-incomplete",
            "questions",
            &numbers_text(t, missing),
        );
        let href = match view {
            View::List => format!("#v{}-1", missing[0]),
            View::Step => format!("{}?vraag={}", ctx.action, missing[0]),
        };
        vec![(href, text)]
    };
    let question = question.clamp(1, total.max(1));
    let mut page = request.page("screening-fill-title");
    page.title = instrument.name.clone();
    FillPage {
        heading: instrument.name.clone(),
        who: ctx.who.clone(),
        instruction: instrument.instruction.clone(),
        dutch_note: page.lang != "nl",
        action: ctx.action.clone(),
        view: view.code(),
        question,
        progress: t.t2(
            "screening-progress",
            ("number", &question.to_string()),
            ("total", &total.to_string()),
        ),
        items,
        errors,
        message,
        first: question == 1,
        last: question == total,
        switch_to: view.other().code(),
        switch_label: match view {
            View::Step => t.t("screening-view-to-list"),
            View::List => t.t("screening-view-to-step"),
        },
        page,
    }
}

// ---- The result page --------------------------------------------------------------------------

struct AdviceView {
    text: String,
    links: Vec<(String, String)>,
}

struct AnswerLine {
    text: String,
    answer: String,
}

#[derive(Template)]
#[template(path = "screening_result.html")]
struct ResultPage {
    page: Page,
    nav: Option<crate::network::KringNav>,
    heading: String,
    instrument: String,
    score_line: String,
    when: String,
    band_label: Option<String>,
    band_explanation: Option<String>,
    /// `low`, `raised` or `high`: the band's colour and edge (never colour alone).
    level: &'static str,
    no_band_note: Option<String>,
    source: String,
    trend: Option<String>,
    advice: Vec<AdviceView>,
    /// The "talk to someone" step, for a high score: the lines to show.
    talk: Vec<String>,
    talk_href: String,
    shared_with: Option<String>,
    answers: Vec<AnswerLine>,
    dutch_note: bool,
    links: Vec<(String, String)>,
}

/// What the result page needs besides the check.
struct ResultContext<'a> {
    instrument: &'a Instrument,
    naaste: Option<&'a str>,
    /// The caregiver reads their own result ("Uw uitslag").
    own: bool,
    caregiver_name: &'a str,
    /// The score at or over which the result counts as high (the band's, or the region's).
    threshold: Option<u32>,
    /// The previous complete check of the same instrument.
    previous: Option<&'a Check>,
    /// People to talk to, as lines ("Marieke Jansen, mantelzorgconsulent").
    talk_to: Vec<String>,
    shared_with: Vec<String>,
    links: Vec<(String, String)>,
    nav: Option<crate::network::KringNav>,
}

/// The label of a social-map category in the visitor's language, and its search on `/kaart`.
fn map_link(tr: &Tr, code: &str) -> Option<(String, String)> {
    let term = taxonomy::by_code(code)?;
    let field = match term.vocabulary {
        Vocabulary::TargetGroup => "doelgroep",
        _ => "soort",
    };
    let label = match tr.lang {
        crate::i18n::Lang::Nl => term.nl,
        crate::i18n::Lang::En => term.en,
    };
    Some((format!("/kaart?{field}={}", term.code), label.to_string()))
}

/// "Ingevuld op 24-11-2026, samen met Marieke Jansen" and the like.
fn how_filled_in(tr: &Tr, check: &Check) -> String {
    let date = date_of(check.completed_at.unwrap_or(check.updated_at));
    match check.mode {
        CheckMode::Online => tr.t1("screening-filled-online", "date", &date),
        CheckMode::Link => tr.t1("screening-filled-link", "date", &date),
        CheckMode::Conversation => tr.t2(
            "screening-filled-together",
            ("date", &date),
            ("name", check.entered_by_name.as_deref().unwrap_or_default()),
        ),
    }
}

/// The short label of how a check was filled in (for the table).
fn mode_label(tr: &Tr, check: &Check) -> String {
    match check.mode {
        CheckMode::Online => tr.t("screening-mode-online"),
        CheckMode::Link => tr.t("screening-mode-link"),
        CheckMode::Conversation => tr.t1(
            "screening-mode-conversation",
            "name",
            check.entered_by_name.as_deref().unwrap_or_default(),
        ),
    }
}

/// "8 van de 13".
fn score_of(tr: &Tr, score: u32, instrument: &Instrument) -> String {
    tr.t2(
        "screening-score-of",
        ("score", &score.to_string()),
        ("max", &instrument.max_score().to_string()),
    )
}

/// Compared with the previous check: an arrow (for the eye; hidden from screen readers) and the
/// words.
fn trend(tr: &Tr, score: u32, previous: Option<&Check>) -> Option<(&'static str, String)> {
    let previous = previous?;
    let before = previous.score?;
    let date = date_of(previous.completed_at.unwrap_or(previous.updated_at));
    let (arrow, key) = match score.cmp(&before) {
        std::cmp::Ordering::Greater => ("↑", "screening-trend-up"),
        std::cmp::Ordering::Less => ("↓", "screening-trend-down"),
        std::cmp::Ordering::Equal => ("→", "screening-trend-same"),
    };
    Some((
        arrow,
        tr.t2(key, ("score", &before.to_string()), ("date", &date)),
    ))
}

fn level_code(level: Level) -> &'static str {
    match level {
        Level::Low => "low",
        Level::Raised => "raised",
        Level::High => "high",
    }
}

/// The result page of a complete check.
fn result_page(request: &PageRequest, ctx: ResultContext<'_>, check: &Check) -> ResultPage {
    let t = &request.tr;
    let instrument = ctx.instrument;
    let score = check.score.unwrap_or_default();
    let band = instrument.band(score);
    let high = band.is_some_and(|b| b.level == Level::High)
        || ctx.threshold.is_some_and(|threshold| score >= threshold);
    let advice = instrument
        .advice_for(score)
        .map(|a| AdviceView {
            text: a.text.clone(),
            links: a.categories.iter().filter_map(|c| map_link(t, c)).collect(),
        })
        .collect();
    let answers = check
        .answers_for(instrument.items.len())
        .iter()
        .enumerate()
        .map(|(i, a)| AnswerLine {
            text: instrument.item_text(i, ctx.naaste),
            answer: a
                .as_deref()
                .and_then(|code| instrument.option(code))
                .map(|o| o.label.clone())
                .unwrap_or_default(),
        })
        .collect();
    let heading = if ctx.own {
        t.t("screening-result-title-own")
    } else {
        t.t1("screening-result-title-of", "name", ctx.caregiver_name)
    };
    let mut page = request.page("screening-result-title-own");
    page.title = heading.clone();
    let mut talk = Vec::new();
    if high {
        talk.push(if ctx.own {
            t.t("screening-talk-own")
        } else {
            t.t1("screening-talk-member", "name", ctx.caregiver_name)
        });
        talk.extend(ctx.talk_to.iter().cloned());
    }
    ResultPage {
        nav: ctx.nav,
        heading,
        instrument: instrument.name.clone(),
        score_line: score_of(t, score, instrument),
        when: how_filled_in(t, check),
        band_label: band.map(|b| b.label.clone()),
        band_explanation: band.map(|b| b.explanation.clone()),
        level: band.map_or("none", |b| level_code(b.level)),
        no_band_note: if band.is_none() {
            instrument.no_band_note.clone()
        } else {
            None
        },
        source: band.map_or(instrument.source.clone(), |b| {
            format!("{} · {}", b.source, instrument.source)
        }),
        trend: trend(t, score, ctx.previous).map(|(_, words)| words),
        advice,
        talk,
        talk_href: map_link(t, "mantelzorgconsulent")
            .map(|(href, _)| href)
            .unwrap_or_else(|| "/kaart".into()),
        shared_with: (!ctx.shared_with.is_empty()).then(|| {
            t.t1(
                "screening-result-shared-with",
                "names",
                &ctx.shared_with.join(", "),
            )
        }),
        answers,
        dutch_note: page.lang != "nl",
        links: ctx.links,
        page,
    }
}

fn render<T: Template>(status: StatusCode, page: T) -> Response {
    crate::accounts::message_page(status, page)
}

#[cfg(test)]
mod tests;
