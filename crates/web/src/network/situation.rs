//! "Mijn situatie" on the web: the caregiver's summary, read by every member who may see it, edited
//! by the caregiver (or a member acting for them), with proposals from members that the caregiver
//! accepts or declines, the list of versions and a readable comparison of two versions.
//!
//! Every handler goes through [`super::open`] with `DataCategory::Situation`: the policy decides
//! (read: the caregiver and members with the category; edit and decide: `Update`, only who speaks
//! for the caregiver; propose: `Create`, members with the category) and the access is logged in
//! the transaction the handler then uses. Forms are checked after the policy; bad input gets the
//! form back with every problem (400) and nothing is written. A save that clashes with another
//! save gets the form back with a message (409), never an error page.

use super::{Kring, KringNav, open, path};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::{Lang, Tr};
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::directory::opening::utc_offset_ms;
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::network::agenda::Day;
use mantelkring_core::network::situation::{
    FIELDS, LineChange, Situation, SituationInput, SituationProblem, compare, compare_lines,
};
use mantelkring_core::network::{LONG_TEXT_MAX, TextProblem, multi_line};
use mantelkring_store::network::situation::{
    self, Clash, Proposal, ProposalRefusal, ProposalStatus, Version,
};
use mantelkring_store::{Tx, jobs};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/situatie", get(show))
        .route("/kringen/{id}/situatie/bewerken", get(edit_form).post(edit))
        .route(
            "/kringen/{id}/situatie/voorstel",
            get(propose_form).post(propose),
        )
        .route(
            "/kringen/{id}/situatie/voorstellen/{pid}",
            get(proposal_page),
        )
        .route(
            "/kringen/{id}/situatie/voorstellen/{pid}/aannemen",
            post(accept),
        )
        .route(
            "/kringen/{id}/situatie/voorstellen/{pid}/afwijzen",
            post(decline),
        )
        .route("/kringen/{id}/situatie/versies", get(versions))
        .route("/kringen/{id}/situatie/versies/{n}", get(one_version))
        .route("/kringen/{id}/situatie/vergelijken", get(comparison))
}

/// Longest note with a proposal or a decision.
const NOTE_MAX: usize = 1000;

/// The fields shown as one short value (not compared line by line).
const SHORT_FIELDS: [&str; 3] = ["hours_per_week", "since", "living_together"];

// ---- Texts --------------------------------------------------------------------------------------

/// A message with any number of arguments.
fn tr(state: &AppState, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    state.i18n().message(lang, key, args)
}

fn field_label(tr: &Tr, field: &str) -> String {
    tr.t(&format!("situation-field-{}", field.replace('_', "-")))
}

fn field_hint(tr: &Tr, field: &str) -> String {
    tr.t(&format!("situation-hint-{}", field.replace('_', "-")))
}

/// A stored value as people read it: hours with their unit, ja/nee as words.
fn readable(tr: &Tr, field: &str, value: &str) -> String {
    match (field, value) {
        (_, "") => String::new(),
        ("hours_per_week", hours) => tr.t1("situation-hours-value", "hours", hours),
        ("living_together", "ja") => tr.t("situation-living-yes"),
        ("living_together", "nee") => tr.t("situation-living-no"),
        (_, text) => text.to_string(),
    }
}

/// Date and time in Amsterdam: (`24-11-2026`, `14:05`).
fn local_moment(ms: i64) -> (String, String) {
    let iso = Day::local(ms).iso();
    let mut parts = iso.splitn(3, '-');
    let (y, m, d) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let minutes = (ms + utc_offset_ms(ms)).rem_euclid(86_400_000) / 60_000;
    (
        format!("{d}-{m}-{y}"),
        format!("{:02}:{:02}", minutes / 60, minutes % 60),
    )
}

/// "Versie 3, bijgewerkt door … op … om …", with whose behalf and which proposal.
fn byline(state: &AppState, lang: Lang, v: &Version) -> String {
    let (date, time) = local_moment(v.created_at);
    let number = v.number.to_string();
    let mut line = tr(
        state,
        lang,
        "situation-byline",
        &[
            ("number", &number),
            ("name", &v.author_name),
            ("date", &date),
            ("time", &time),
        ],
    );
    if v.on_behalf {
        line.push(' ');
        line.push_str(&tr(state, lang, "situation-on-behalf", &[]));
    }
    if let Some(name) = &v.proposed_by {
        line.push(' ');
        line.push_str(&tr(
            state,
            lang,
            "situation-from-proposal",
            &[("name", name)],
        ));
    }
    line
}

// ---- Shared pieces ------------------------------------------------------------------------------

/// A plain page with one message and a way back (for 400, 409 and the like).
#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    page: Page,
    heading: String,
    text: String,
    link_href: String,
    link_text: String,
}

fn notice(
    request: &PageRequest,
    status: StatusCode,
    heading_key: &str,
    text: String,
    back: String,
) -> Response {
    let mut page = request.page(heading_key);
    page.title = request.tr.t(heading_key);
    crate::accounts::message_page(
        status,
        NoticePage {
            heading: page.title.clone(),
            page,
            text,
            link_href: back,
            link_text: request.tr.t("situation-back"),
        },
    )
}

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// Logged in, then through the network's one door for `action` on "Mijn situatie".
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
        DataCategory::Situation,
        &request.path,
    )
    .await
}

/// Commits the transaction (its audit record and any change) and wakes the job worker.
async fn commit(state: &AppState, tx: Tx) -> Result<(), AppError> {
    crate::accounts::commit(state, tx).await
}

/// "Mijn situatie" for the caregiver, "De situatie van …" for everyone else.
fn heading(request: &PageRequest, kring: &Kring) -> String {
    if kring.is_caregiver() {
        request.tr.t("situation-title-own")
    } else {
        request
            .tr
            .t1("situation-title-of", "name", &kring.network.caregiver_name)
    }
}

/// The number in a path or query: a whole number from 1.
fn version_number(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok().filter(|n| *n >= 1)
}

// ---- The summary --------------------------------------------------------------------------------

/// One field of the summary as shown.
struct FieldView {
    key: &'static str,
    label: String,
    text: String,
}

/// A proposal in the list on the summary page.
struct ProposalCard {
    href: String,
    title: String,
    note: String,
    changes: String,
    status: String,
    open: bool,
    accept_action: Option<String>,
}

#[derive(Template)]
#[template(path = "kring_situation.html")]
struct SummaryPage {
    page: Page,
    nav: KringNav,
    heading: String,
    intro: String,
    /// "Versie 3, bijgewerkt door …"; none when nothing was saved yet.
    byline: Option<String>,
    /// Shown when this is not the newest version: a link to the newest.
    old_version: Option<(String, String)>,
    done: Option<String>,
    emergency: FieldView,
    emergency_empty: String,
    fields: Vec<FieldView>,
    nothing_yet: Option<String>,
    proposals_heading: String,
    proposals: Vec<ProposalCard>,
    edit_href: Option<String>,
    propose_href: Option<String>,
    versions_href: Option<String>,
}

fn field_views(tr: &Tr, s: &Situation) -> Vec<FieldView> {
    s.values()
        .into_iter()
        .map(|(key, value)| FieldView {
            key,
            label: field_label(tr, key),
            text: readable(tr, key, &value),
        })
        .collect()
}

fn proposal_cards(
    state: &AppState,
    request: &PageRequest,
    kring: &Kring,
    bases: &[(i64, Situation)],
    list: &[Proposal],
) -> Vec<ProposalCard> {
    let lang = request.tr.lang;
    list.iter()
        .map(|p| {
            let base = bases
                .iter()
                .find(|(n, _)| *n == p.base_version)
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            let changes: Vec<String> = compare(&base, &p.situation)
                .iter()
                .map(|c| field_label(&request.tr, c.field))
                .collect();
            let (date, time) = local_moment(p.created_at);
            let status = match p.status {
                ProposalStatus::Open if kring.speaks_for_caregiver() => {
                    tr(state, lang, "situation-proposal-open-yours", &[])
                }
                ProposalStatus::Open => tr(
                    state,
                    lang,
                    "situation-proposal-open",
                    &[("name", &kring.network.caregiver_name)],
                ),
                ProposalStatus::Accepted => tr(
                    state,
                    lang,
                    "situation-proposal-accepted",
                    &[(
                        "number",
                        &p.accepted_as.map(|n| n.to_string()).unwrap_or_default(),
                    )],
                ),
                ProposalStatus::Declined => tr(state, lang, "situation-proposal-declined", &[]),
            };
            let href = path(&kring.network.id, &format!("situatie/voorstellen/{}", p.id));
            ProposalCard {
                title: tr(
                    state,
                    lang,
                    "situation-proposal-by",
                    &[("name", &p.proposed_by), ("date", &date), ("time", &time)],
                ),
                note: p.note.clone(),
                changes: changes.join(", "),
                status,
                open: p.status == ProposalStatus::Open,
                accept_action: (p.status == ProposalStatus::Open && kring.speaks_for_caregiver())
                    .then(|| format!("{href}/aannemen")),
                href,
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn summary_page(
    state: &AppState,
    request: &PageRequest,
    kring: &Kring,
    shown: Option<&Version>,
    newest: i64,
    done: Option<String>,
    proposals: Vec<ProposalCard>,
) -> SummaryPage {
    let t = &request.tr;
    let lang = t.lang;
    let id = &kring.network.id;
    let name = &kring.network.caregiver_name;
    let situation = shown.map(|v| v.situation.clone()).unwrap_or_default();
    let mut fields = field_views(t, &situation);
    let at = fields
        .iter()
        .position(|f| f.key == "emergency_plan")
        .expect("the emergency plan is a field");
    let emergency = fields.remove(at);
    let heading = heading(request, kring);
    let mut page = request.page("situation-title-own");
    page.title.clone_from(&heading);
    let old_version = shown.filter(|v| v.number != newest).map(|_| {
        (
            path(id, "situatie"),
            tr(
                state,
                lang,
                "situation-old-version",
                &[("number", &newest.to_string())],
            ),
        )
    });
    SummaryPage {
        nav: KringNav::new(kring, t, "situatie"),
        intro: if kring.is_caregiver() {
            t.t("situation-intro-own")
        } else {
            t.t1("situation-intro-member", "name", name)
        },
        byline: shown.map(|v| byline(state, lang, v)),
        old_version,
        done,
        emergency_empty: if kring.is_caregiver() {
            t.t("situation-emergency-empty-own")
        } else {
            t.t1("situation-emergency-empty", "name", name)
        },
        emergency,
        fields,
        nothing_yet: shown.is_none().then(|| {
            if kring.is_caregiver() {
                t.t("situation-nothing-yet-own")
            } else {
                t.t1("situation-nothing-yet", "name", name)
            }
        }),
        proposals_heading: if kring.speaks_for_caregiver() {
            t.t("situation-proposals-waiting")
        } else {
            t.t("situation-proposals-own")
        },
        proposals,
        edit_href: kring
            .speaks_for_caregiver()
            .then(|| path(id, "situatie/bewerken")),
        propose_href: (!kring.speaks_for_caregiver()
            && kring.allows(Action::Create, DataCategory::Situation))
        .then(|| path(id, "situatie/voorstel")),
        versions_href: (newest > 0).then(|| path(id, "situatie/versies")),
        heading,
        page,
    }
}

/// The proposals to show on the summary: all open ones for who decides, a member's own otherwise.
async fn listed_proposals(
    state: &AppState,
    request: &PageRequest,
    tx: &mut Tx,
    kring: &Kring,
) -> Result<Vec<ProposalCard>, AppError> {
    let id = &kring.network.id;
    let list: Vec<Proposal> = if kring.speaks_for_caregiver() {
        situation::proposals(tx, id, None)
            .await?
            .into_iter()
            .filter(|p| p.status == ProposalStatus::Open)
            .collect()
    } else {
        situation::proposals(tx, id, Some(&kring.user.actor.user_id)).await?
    };
    let mut bases: Vec<(i64, Situation)> = Vec::new();
    for p in &list {
        if !bases.iter().any(|(n, _)| *n == p.base_version) {
            let base = situation::base_of(tx, id, p.base_version).await?;
            bases.push((p.base_version, base));
        }
    }
    Ok(proposal_cards(state, request, kring, &bases, &list))
}

/// What `?gedaan=` after a form says.
fn done_message(request: &PageRequest, raw: Option<&str>) -> Option<String> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Done {
        gedaan: String,
    }
    let done: Done = serde_html_form::from_str(raw.unwrap_or_default()).unwrap_or_default();
    let key = match done.gedaan.as_str() {
        "opgeslagen" => "situation-done-saved",
        "voorgesteld" => "situation-done-proposed",
        "aangenomen" => "situation-done-accepted",
        "afgewezen" => "situation-done-declined",
        _ => return None,
    };
    Some(request.tr.t(key))
}

/// `GET /kringen/{id}/situatie`: the newest version, the emergency plan first.
async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let current = situation::current(&mut tx, &id).await?;
    let proposals = listed_proposals(&state, &request, &mut tx, &kring).await?;
    commit(&state, tx).await?;
    let newest = current.as_ref().map_or(0, |v| v.number);
    let page = summary_page(
        &state,
        &request,
        &kring,
        current.as_ref(),
        newest,
        done_message(&request, query.as_deref()),
        proposals,
    );
    Ok(crate::accounts::message_page(StatusCode::OK, page))
}

/// `GET /kringen/{id}/situatie/versies/{n}`: an older version, readable as it was.
async fn one_version(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let back = path(&id, "situatie/versies");
    let Some(number) = version_number(&n) else {
        return Ok(notice(
            &request,
            StatusCode::BAD_REQUEST,
            "situation-version-problem",
            request.tr.t("situation-error-version-number"),
            back,
        ));
    };
    let Some(shown) = situation::version(&mut tx, &id, number).await? else {
        return Ok(notice(
            &request,
            StatusCode::BAD_REQUEST,
            "situation-version-problem",
            request.tr.t1(
                "situation-error-version-unknown",
                "number",
                &number.to_string(),
            ),
            back,
        ));
    };
    let newest = situation::current_number(&mut tx, &id).await?;
    commit(&state, tx).await?;
    let mut page = summary_page(
        &state,
        &request,
        &kring,
        Some(&shown),
        newest,
        None,
        Vec::new(),
    );
    // An old version is for reading: the actions belong to the newest one.
    page.edit_href = None;
    page.propose_href = None;
    page.proposals_heading.clear();
    Ok(crate::accounts::message_page(StatusCode::OK, page))
}

// ---- Editing and proposing ----------------------------------------------------------------------

/// The form as sent: the summary's fields, the version it started from, and a proposal's note.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SituationForm {
    naaste: String,
    care_tasks: String,
    hours_per_week: String,
    since: String,
    living_together: String,
    responsibilities: String,
    going_well: String,
    hard: String,
    wishes: String,
    agreements: String,
    emergency_plan: String,
    other: String,
    /// The version the form was filled from (0: none yet).
    versie: String,
    /// Why (proposals only).
    toelichting: String,
}

impl SituationForm {
    fn from_input(input: SituationInput, version: i64) -> SituationForm {
        SituationForm {
            naaste: input.naaste,
            care_tasks: input.care_tasks,
            hours_per_week: input.hours_per_week,
            since: input.since,
            living_together: input.living_together,
            responsibilities: input.responsibilities,
            going_well: input.going_well,
            hard: input.hard,
            wishes: input.wishes,
            agreements: input.agreements,
            emergency_plan: input.emergency_plan,
            other: input.other,
            versie: version.to_string(),
            toelichting: String::new(),
        }
    }

    fn input(&self) -> SituationInput {
        SituationInput {
            naaste: self.naaste.clone(),
            care_tasks: self.care_tasks.clone(),
            hours_per_week: self.hours_per_week.clone(),
            since: self.since.clone(),
            living_together: self.living_together.clone(),
            responsibilities: self.responsibilities.clone(),
            going_well: self.going_well.clone(),
            hard: self.hard.clone(),
            wishes: self.wishes.clone(),
            agreements: self.agreements.clone(),
            emergency_plan: self.emergency_plan.clone(),
            other: self.other.clone(),
        }
    }

    /// The version the form started from: 0 or more.
    fn base(&self) -> Option<i64> {
        let raw = self.versie.trim();
        if raw == "0" {
            Some(0)
        } else {
            version_number(raw)
        }
    }

    fn value(&self, field: &str) -> &str {
        match field {
            "naaste" => &self.naaste,
            "care_tasks" => &self.care_tasks,
            "hours_per_week" => &self.hours_per_week,
            "since" => &self.since,
            "living_together" => &self.living_together,
            "responsibilities" => &self.responsibilities,
            "going_well" => &self.going_well,
            "hard" => &self.hard,
            "wishes" => &self.wishes,
            "agreements" => &self.agreements,
            "emergency_plan" => &self.emergency_plan,
            "other" => &self.other,
            _ => "",
        }
    }
}

/// One input of the form.
struct InputView {
    key: &'static str,
    label: String,
    hint: String,
    value: String,
    error: Option<String>,
    /// `area`, `short` (one line), `hours` or `living` (ja/nee).
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "kring_situation_form.html")]
struct FormPage {
    page: Page,
    nav: KringNav,
    heading: String,
    intro: String,
    action: String,
    back: String,
    versie: String,
    inputs: Vec<InputView>,
    /// (field id, message) for the summary at the top.
    errors: Vec<(String, String)>,
    /// A message that is not about one field (a clash, nothing changed).
    message: Option<String>,
    propose: bool,
    note: String,
    note_error: Option<String>,
    submit: String,
    living_choices: Vec<(&'static str, String)>,
}

/// A problem of one field in the visitor's language.
fn problem_text(tr: &Tr, form: &SituationForm, p: &SituationProblem) -> String {
    match p.field {
        "hours_per_week" => tr.t("situation-error-hours"),
        "living_together" => tr.t("situation-error-living"),
        field => match multi_line(form.value(field), usize::MAX) {
            Err(TextProblem::Control) => tr.t("situation-error-control"),
            _ => {
                // Too long: the limit is in the core's message ("te lang: hoogstens 100 tekens").
                let max: String = p.problem.chars().filter(char::is_ascii_digit).collect();
                let max = if max.is_empty() {
                    LONG_TEXT_MAX.to_string()
                } else {
                    max
                };
                tr.t1("situation-error-too-long", "max", &max)
            }
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    request: &PageRequest,
    kring: &Kring,
    propose: bool,
    form: &SituationForm,
    problems: &[SituationProblem],
    note_error: Option<String>,
    message: Option<String>,
) -> FormPage {
    let t = &request.tr;
    let id = &kring.network.id;
    let inputs: Vec<InputView> = FIELDS
        .iter()
        .map(|&key| InputView {
            key,
            label: field_label(t, key),
            hint: field_hint(t, key),
            value: form.value(key).to_string(),
            error: problems
                .iter()
                .find(|p| p.field == key)
                .map(|p| problem_text(t, form, p)),
            kind: match key {
                "hours_per_week" => "hours",
                "living_together" => "living",
                "since" => "short",
                _ => "area",
            },
        })
        .collect();
    let mut errors: Vec<(String, String)> = inputs
        .iter()
        .filter_map(|i| {
            i.error.as_ref().map(|e| {
                let anchor = if i.kind == "living" {
                    format!("{}-ja", i.key)
                } else {
                    i.key.to_string()
                };
                (anchor, format!("{}: {e}", i.label))
            })
        })
        .collect();
    if let Some(e) = &note_error {
        errors.push(("toelichting".into(), e.clone()));
    }
    let (title_key, intro, action, submit) = if propose {
        (
            "situation-propose-title",
            t.t1(
                "situation-propose-intro",
                "name",
                &kring.network.caregiver_name,
            ),
            path(id, "situatie/voorstel"),
            t.t("situation-propose-submit"),
        )
    } else {
        (
            "situation-edit-title",
            if kring.is_caregiver() {
                t.t("situation-edit-intro-own")
            } else {
                t.t1(
                    "situation-edit-intro-for",
                    "name",
                    &kring.network.caregiver_name,
                )
            },
            path(id, "situatie/bewerken"),
            t.t("situation-edit-submit"),
        )
    };
    let page = request.page(title_key);
    FormPage {
        nav: KringNav::new(kring, t, "situatie"),
        heading: page.title.clone(),
        page,
        intro,
        action,
        back: path(id, "situatie"),
        versie: form.versie.clone(),
        inputs,
        errors,
        message,
        propose,
        note: form.toelichting.clone(),
        note_error,
        submit,
        living_choices: vec![
            ("ja", t.t("situation-living-yes")),
            ("nee", t.t("situation-living-no")),
            ("", t.t("situation-living-unsaid")),
        ],
    }
}

fn render_form(status: StatusCode, page: FormPage) -> Response {
    crate::accounts::message_page(status, page)
}

/// `GET /kringen/{id}/situatie/bewerken`: the form with the newest version.
async fn edit_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Update).await?;
    if !kring.speaks_for_caregiver() {
        commit(&state, tx).await?;
        return Err(AppError::Forbidden);
    }
    let current = situation::current(&mut tx, &id).await?;
    commit(&state, tx).await?;
    let form = match &current {
        Some(v) => {
            SituationForm::from_input(SituationInput::from_situation(&v.situation), v.number)
        }
        None => SituationForm::from_input(SituationInput::default(), 0),
    };
    Ok(render_form(
        StatusCode::OK,
        form_page(&request, &kring, false, &form, &[], None, None),
    ))
}

/// `POST /kringen/{id}/situatie/bewerken`: a new version.
async fn edit(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<SituationForm>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Update).await?;
    if !kring.speaks_for_caregiver() {
        commit(&state, tx).await?;
        return Err(AppError::Forbidden);
    }
    let checked = form.input().check();
    let (Some(after), Ok(new)) = (form.base(), &checked) else {
        // Nothing is written, and nothing was read: the transaction (and its record) goes.
        drop(tx);
        let problems = checked.err().unwrap_or_default();
        let message = form
            .base()
            .is_none()
            .then(|| request.tr.t("situation-error-form-version"));
        return Ok(render_form(
            StatusCode::BAD_REQUEST,
            form_page(&request, &kring, false, &form, &problems, None, message),
        ));
    };
    match situation::save(&mut tx, &id, after, new, kring.by()).await? {
        Ok(_) => {
            commit(&state, tx).await?;
            Ok(see_other(format!(
                "{}?gedaan=opgeslagen",
                path(&id, "situatie")
            )))
        }
        Err(Clash { current }) => {
            commit(&state, tx).await?;
            let mut again = form.clone();
            // Saving again from here replaces the newer version: the message says to look first.
            again.versie = current.to_string();
            let message = tr(
                &state,
                request.tr.lang,
                "situation-clash",
                &[("number", &current.to_string())],
            );
            Ok(render_form(
                StatusCode::CONFLICT,
                form_page(&request, &kring, false, &again, &[], None, Some(message)),
            ))
        }
    }
}

/// `GET /kringen/{id}/situatie/voorstel`: the form with the newest version, and a note.
async fn propose_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Create).await?;
    if kring.is_caregiver() {
        commit(&state, tx).await?;
        return Ok(see_other(path(&id, "situatie/bewerken")));
    }
    let current = situation::current(&mut tx, &id).await?;
    commit(&state, tx).await?;
    let form = match &current {
        Some(v) => {
            SituationForm::from_input(SituationInput::from_situation(&v.situation), v.number)
        }
        None => SituationForm::from_input(SituationInput::default(), 0),
    };
    Ok(render_form(
        StatusCode::OK,
        form_page(&request, &kring, true, &form, &[], None, None),
    ))
}

/// `POST /kringen/{id}/situatie/voorstel`: a proposal, and an e-mail to the caregiver.
async fn propose(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<SituationForm>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Create).await?;
    if kring.is_caregiver() {
        commit(&state, tx).await?;
        return Ok(see_other(path(&id, "situatie/bewerken")));
    }
    let checked = form.input().check();
    let note = match multi_line(&form.toelichting, NOTE_MAX) {
        Ok(n) if n.is_empty() => Err(request.tr.t("situation-error-note-missing")),
        Ok(n) => Ok(n),
        Err(_) => Err(request.tr.t1(
            "situation-error-note-too-long",
            "max",
            &NOTE_MAX.to_string(),
        )),
    };
    let invalid = |problems: &[SituationProblem], note_error: Option<String>, message| {
        render_form(
            StatusCode::BAD_REQUEST,
            form_page(&request, &kring, true, &form, problems, note_error, message),
        )
    };
    let (Some(base), Ok(proposed), Ok(note)) = (form.base(), &checked, &note) else {
        drop(tx);
        let message = form
            .base()
            .is_none()
            .then(|| request.tr.t("situation-error-form-version"));
        return Ok(invalid(
            checked.as_ref().err().map_or(&[], |p| p.as_slice()),
            note.clone().err(),
            message,
        ));
    };
    let made = situation::propose(
        &mut tx,
        &id,
        base,
        proposed,
        note,
        &kring.user.actor.user_id,
    )
    .await?;
    let proposal_id = match made {
        Ok(pid) => pid,
        Err(refusal) => {
            drop(tx);
            let key = match refusal {
                ProposalRefusal::NothingChanged => "situation-error-nothing-changed",
                _ => "situation-error-form-version",
            };
            return Ok(invalid(&[], None, Some(request.tr.t(key))));
        }
    };
    if let Some(caregiver) = &kring.network.caregiver_user_id
        && let Some(to) = mantelkring_store::base::user_email(state.store(), caregiver).await?
    {
        let link = format!(
            "{}{}",
            state.settings().public_url,
            path(&id, &format!("situatie/voorstellen/{proposal_id}"))
        );
        // In Dutch, the installation's language; only that there is a proposal, never its content.
        let email = EmailJob {
            to,
            subject: tr(&state, Lang::Nl, "situation-mail-subject", &[]),
            body_text: format!(
                "{}\n\n{link}\n\n{}\n",
                tr(&state, Lang::Nl, "situation-mail-body", &[]),
                tr(&state, Lang::Nl, "situation-mail-footer", &[]),
            ),
        };
        jobs::enqueue(&mut tx, kind::EMAIL, &email, 5).await?;
    }
    commit(&state, tx).await?;
    Ok(see_other(format!(
        "{}?gedaan=voorgesteld",
        path(&id, "situatie")
    )))
}

// ---- One proposal, and the decision -------------------------------------------------------------

/// A changed field as the comparison shows it.
struct ChangeView {
    label: String,
    /// A short value: before and after side by side; otherwise `lines`.
    short: bool,
    before: String,
    after: String,
    lines: Vec<(&'static str, String)>,
}

fn change_views(tr: &Tr, before: &Situation, after: &Situation) -> Vec<ChangeView> {
    compare(before, after)
        .into_iter()
        .map(|c| {
            let short = SHORT_FIELDS.contains(&c.field);
            let lines = if short {
                Vec::new()
            } else {
                marked_lines(compare_lines(&c.before, &c.after))
            };
            ChangeView {
                label: field_label(tr, c.field),
                short,
                before: readable(tr, c.field, &c.before),
                after: readable(tr, c.field, &c.after),
                lines,
            }
        })
        .collect()
}

/// Lines as the page shows them: in each run of changed lines the removed ones first, then the
/// added ones (old text, then what replaced it); blank lines are left out, they carry nothing.
fn marked_lines(changes: Vec<LineChange>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    for change in changes {
        match change {
            LineChange::Removed(s) => removed.push(("removed", s)),
            LineChange::Added(s) => added.push(("added", s)),
            LineChange::Same(s) => {
                out.append(&mut removed);
                out.append(&mut added);
                out.push(("same", s));
            }
        }
    }
    out.append(&mut removed);
    out.append(&mut added);
    out.retain(|(_, s)| !s.trim().is_empty());
    out
}

#[derive(Template)]
#[template(path = "kring_situation_proposal.html")]
struct ProposalPage {
    page: Page,
    nav: KringNav,
    back: String,
    heading: String,
    meta: String,
    note: String,
    status: String,
    open: bool,
    decision_note: Option<String>,
    compared_with: String,
    changes: Vec<ChangeView>,
    /// Fields also changed since the proposal was made (accepting replaces them).
    overlap: Option<String>,
    accept_action: Option<String>,
    decline_action: Option<String>,
    decline_note: String,
    decline_error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn proposal_view(
    state: &AppState,
    request: &PageRequest,
    tx: &mut Tx,
    kring: &Kring,
    p: &Proposal,
    decline_note: String,
    decline_error: Option<String>,
) -> Result<ProposalPage, AppError> {
    let t = &request.tr;
    let lang = t.lang;
    let id = &kring.network.id;
    let base = situation::base_of(tx, id, p.base_version).await?;
    let decides = kring.speaks_for_caregiver() && p.status == ProposalStatus::Open;
    let overlap = if decides {
        let current = situation::current(tx, id)
            .await?
            .map(|v| v.situation)
            .unwrap_or_default();
        let fields: Vec<String> = situation::overlaps(&base, &p.situation, &current)
            .into_iter()
            .map(|f| field_label(t, f))
            .collect();
        (!fields.is_empty()).then(|| t.t1("situation-overlap", "fields", &fields.join(", ")))
    } else {
        None
    };
    let (date, time) = local_moment(p.created_at);
    let status = match p.status {
        ProposalStatus::Open if kring.speaks_for_caregiver() => {
            tr(state, lang, "situation-proposal-open-yours", &[])
        }
        ProposalStatus::Open => tr(
            state,
            lang,
            "situation-proposal-open",
            &[("name", &kring.network.caregiver_name)],
        ),
        ProposalStatus::Accepted => tr(
            state,
            lang,
            "situation-proposal-accepted",
            &[(
                "number",
                &p.accepted_as.map(|n| n.to_string()).unwrap_or_default(),
            )],
        ),
        ProposalStatus::Declined => tr(state, lang, "situation-proposal-declined", &[]),
    };
    let href = path(id, &format!("situatie/voorstellen/{}", p.id));
    let heading = t.t1("situation-proposal-title", "name", &p.proposed_by);
    let mut page = request.page("situation-proposal-page");
    page.title.clone_from(&heading);
    Ok(ProposalPage {
        page,
        nav: KringNav::new(kring, t, "situatie"),
        back: path(id, "situatie"),
        heading,
        meta: tr(
            state,
            lang,
            "situation-proposal-made",
            &[("date", &date), ("time", &time)],
        ),
        note: p.note.clone(),
        status,
        open: p.status == ProposalStatus::Open,
        decision_note: p.decision_note.clone(),
        compared_with: if p.base_version == 0 {
            t.t("situation-proposal-base-none")
        } else {
            t.t1(
                "situation-proposal-base",
                "number",
                &p.base_version.to_string(),
            )
        },
        changes: change_views(t, &base, &p.situation),
        overlap,
        accept_action: decides.then(|| format!("{href}/aannemen")),
        decline_action: decides.then(|| format!("{href}/afwijzen")),
        decline_note,
        decline_error,
    })
}

/// A proposal the visitor may see: who decides sees every one, a member only their own.
async fn visible_proposal(
    tx: &mut Tx,
    kring: &Kring,
    proposal_id: &str,
) -> Result<Option<Proposal>, AppError> {
    Ok(situation::proposal(tx, &kring.network.id, proposal_id)
        .await?
        .filter(|p| {
            kring.speaks_for_caregiver() || p.proposed_by_user_id == kring.user.actor.user_id
        }))
}

/// `GET /kringen/{id}/situatie/voorstellen/{pid}`: the proposal compared with its base version.
async fn proposal_page(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let Some(p) = visible_proposal(&mut tx, &kring, &pid).await? else {
        commit(&state, tx).await?;
        return Err(AppError::NotFound);
    };
    let page = proposal_view(&state, &request, &mut tx, &kring, &p, String::new(), None).await?;
    commit(&state, tx).await?;
    Ok(crate::accounts::message_page(StatusCode::OK, page))
}

/// The answer to a decision that was not made.
fn refused(
    request: &PageRequest,
    id: &str,
    refusal: ProposalRefusal,
) -> Result<Response, AppError> {
    let key = match refusal {
        ProposalRefusal::NotFound => return Err(AppError::NotFound),
        ProposalRefusal::AlreadyDecided => "situation-error-decided",
        ProposalRefusal::Clash(_) => "situation-error-decide-clash",
        ProposalRefusal::UnknownBase | ProposalRefusal::NothingChanged => {
            "situation-error-decide-clash"
        }
    };
    Ok(notice(
        request,
        StatusCode::CONFLICT,
        "situation-decide-problem",
        request.tr.t(key),
        path(id, "situatie"),
    ))
}

/// `POST …/voorstellen/{pid}/aannemen`: the proposed fields onto the newest version.
async fn accept(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Update).await?;
    if !kring.speaks_for_caregiver() {
        commit(&state, tx).await?;
        return Err(AppError::Forbidden);
    }
    let outcome = situation::accept(&mut tx, &id, &pid, kring.by()).await?;
    commit(&state, tx).await?;
    match outcome {
        Ok(_) => Ok(see_other(format!(
            "{}?gedaan=aangenomen",
            path(&id, "situatie")
        ))),
        Err(refusal) => refused(&request, &id, refusal),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclineForm {
    toelichting: String,
}

/// `POST …/voorstellen/{pid}/afwijzen`: no new version; the member may read why.
async fn decline(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, pid)): Path<(String, String)>,
    Form(form): Form<DeclineForm>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Update).await?;
    if !kring.speaks_for_caregiver() {
        commit(&state, tx).await?;
        return Err(AppError::Forbidden);
    }
    let note = match multi_line(&form.toelichting, NOTE_MAX) {
        Ok(note) => note,
        Err(_) => {
            // The proposal page again, with the problem; it shows the proposal, so the read is
            // logged (the record is the only thing written).
            let Some(p) = visible_proposal(&mut tx, &kring, &pid).await? else {
                commit(&state, tx).await?;
                return Err(AppError::NotFound);
            };
            let error = request.tr.t1(
                "situation-error-note-too-long",
                "max",
                &NOTE_MAX.to_string(),
            );
            let page = proposal_view(
                &state,
                &request,
                &mut tx,
                &kring,
                &p,
                form.toelichting.clone(),
                Some(error),
            )
            .await?;
            commit(&state, tx).await?;
            return Ok(crate::accounts::message_page(StatusCode::BAD_REQUEST, page));
        }
    };
    let outcome = situation::decline(&mut tx, &id, &pid, Some(&note), kring.by()).await?;
    commit(&state, tx).await?;
    match outcome {
        Ok(()) => Ok(see_other(format!(
            "{}?gedaan=afgewezen",
            path(&id, "situatie")
        ))),
        Err(refusal) => refused(&request, &id, refusal),
    }
}

// ---- Versions and comparison --------------------------------------------------------------------

struct VersionView {
    number: i64,
    /// "Versie 3".
    label: String,
    byline: String,
    href: String,
    /// Compared with the version before it.
    compare_href: Option<String>,
}

#[derive(Template)]
#[template(path = "kring_situation_versions.html")]
struct VersionsPage {
    page: Page,
    nav: KringNav,
    back: String,
    heading: String,
    versions: Vec<VersionView>,
    compare_action: String,
    /// Preselected in the comparison form: the one before the newest, and the newest.
    from: i64,
    to: i64,
}

/// `GET /kringen/{id}/situatie/versies`.
async fn versions(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let lines = situation::versions(&mut tx, &id).await?;
    commit(&state, tx).await?;
    let lang = request.tr.lang;
    let versions: Vec<VersionView> = lines
        .iter()
        .map(|v| {
            let (date, time) = local_moment(v.created_at);
            let number = v.number.to_string();
            let mut byline = tr(
                &state,
                lang,
                "situation-version-line",
                &[("name", &v.author_name), ("date", &date), ("time", &time)],
            );
            if v.on_behalf {
                byline.push(' ');
                byline.push_str(&tr(&state, lang, "situation-on-behalf", &[]));
            }
            if let Some(name) = &v.proposed_by {
                byline.push(' ');
                byline.push_str(&tr(
                    &state,
                    lang,
                    "situation-from-proposal",
                    &[("name", name)],
                ));
            }
            VersionView {
                number: v.number,
                label: request.tr.t1("situation-version-number", "number", &number),
                byline,
                href: path(&id, &format!("situatie/versies/{number}")),
                compare_href: (v.number > 1).then(|| {
                    format!(
                        "{}?van={}&tot={number}",
                        path(&id, "situatie/vergelijken"),
                        v.number - 1
                    )
                }),
            }
        })
        .collect();
    let newest = lines.first().map_or(0, |v| v.number);
    let heading = request.tr.t("situation-versions-title");
    let mut page = request.page("situation-versions-title");
    page.title = format!("{heading} · {}", kring.network.caregiver_name);
    Ok(crate::accounts::message_page(
        StatusCode::OK,
        VersionsPage {
            nav: KringNav::new(&kring, &request.tr, "situatie"),
            page,
            back: path(&id, "situatie"),
            heading,
            versions,
            compare_action: path(&id, "situatie/vergelijken"),
            from: (newest - 1).max(1),
            to: newest,
        },
    ))
}

#[derive(Template)]
#[template(path = "kring_situation_compare.html")]
struct ComparePage {
    page: Page,
    nav: KringNav,
    back: String,
    versions_href: String,
    heading: String,
    from_line: String,
    to_line: String,
    changes: Vec<ChangeView>,
}

/// `GET /kringen/{id}/situatie/vergelijken?van=N&tot=M`: only the fields that differ.
async fn comparison(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Between {
        van: String,
        tot: String,
    }
    let (mut tx, kring) = enter(&state, &request, &id, Action::Read).await?;
    let back = path(&id, "situatie/versies");
    let problem = |text: String| {
        notice(
            &request,
            StatusCode::BAD_REQUEST,
            "situation-version-problem",
            text,
            back.clone(),
        )
    };
    let between: Between =
        serde_html_form::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let (Some(from), Some(to)) = (version_number(&between.van), version_number(&between.tot))
    else {
        return Ok(problem(request.tr.t("situation-error-compare-numbers")));
    };
    if from == to {
        return Ok(problem(request.tr.t("situation-error-compare-same")));
    }
    let mut found = Vec::new();
    for n in [from, to] {
        match situation::version(&mut tx, &id, n).await? {
            Some(v) => found.push(v),
            None => {
                return Ok(problem(request.tr.t1(
                    "situation-error-version-unknown",
                    "number",
                    &n.to_string(),
                )));
            }
        }
    }
    commit(&state, tx).await?;
    let lang = request.tr.lang;
    let heading = tr(
        &state,
        lang,
        "situation-compare-title",
        &[("from", &from.to_string()), ("to", &to.to_string())],
    );
    let mut page = request.page("situation-versions-title");
    page.title = format!("{heading} · {}", kring.network.caregiver_name);
    Ok(crate::accounts::message_page(
        StatusCode::OK,
        ComparePage {
            nav: KringNav::new(&kring, &request.tr, "situatie"),
            page,
            back: path(&id, "situatie"),
            versions_href: back.clone(),
            heading,
            from_line: byline(&state, lang, &found[0]),
            to_line: byline(&state, lang, &found[1]),
            changes: change_views(&request.tr, &found[0].situation, &found[1].situation),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;
    use std::sync::Arc;

    #[test]
    fn every_field_has_a_label_and_a_hint_in_both_languages() {
        let i18n = Arc::new(I18n::load().unwrap());
        for lang in Lang::ALL {
            for field in FIELDS {
                let label = format!("situation-field-{}", field.replace('_', "-"));
                let hint = format!("situation-hint-{}", field.replace('_', "-"));
                assert!(i18n.has(lang, &label), "{label} in {}", lang.code());
                assert!(i18n.has(lang, &hint), "{hint} in {}", lang.code());
            }
        }
    }

    #[test]
    fn version_numbers_are_whole_numbers_from_one() {
        assert_eq!(version_number("3"), Some(3));
        assert_eq!(version_number(" 12 "), Some(12));
        for bad in ["0", "-1", "1.5", "drie", "", "99999999999999999999", "+2"] {
            assert_eq!(version_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn moments_are_shown_in_amsterdam_time() {
        // 2026-01-15 13:05 UTC is 14:05 in winter; 2026-07-15 13:05 UTC is 15:05 in summer.
        assert_eq!(
            local_moment(1_768_482_300_000),
            ("15-01-2026".to_string(), "14:05".to_string())
        );
        assert_eq!(
            local_moment(1_784_120_700_000),
            ("15-07-2026".to_string(), "15:05".to_string())
        );
        // Just before midnight UTC is the next day in Amsterdam.
        assert_eq!(local_moment(1_768_521_540_000).0, "16-01-2026");
    }

    #[test]
    fn problems_are_told_in_the_visitors_language() {
        let i18n = Arc::new(I18n::load().unwrap());
        let form = SituationForm {
            since: "x".repeat(101),
            hard: "a\u{7}b".into(),
            hours_per_week: "veel".into(),
            living_together: "soms".into(),
            ..SituationForm::default()
        };
        let problems = form.input().check().unwrap_err();
        for lang in Lang::ALL {
            let t = Tr::new(i18n.clone(), lang);
            let texts: Vec<String> = problems
                .iter()
                .map(|p| problem_text(&t, &form, p))
                .collect();
            assert_eq!(texts.len(), 4);
            assert!(texts.iter().any(|s| s.contains("100")), "{texts:?}");
            for text in &texts {
                assert!(!text.starts_with("situation-"), "{text}");
            }
        }
    }

    #[test]
    fn a_comparison_marks_lines_and_skips_blank_ones() {
        let i18n = Arc::new(I18n::load().unwrap());
        let t = Tr::new(i18n, Lang::Nl);
        let before = Situation {
            hard: "De nachten.\n\nHet wassen.".into(),
            hours_per_week: Some(20),
            ..Situation::default()
        };
        let after = Situation {
            hard: "De nachten.\n\nDe vermoeidheid.".into(),
            hours_per_week: Some(30),
            ..Situation::default()
        };
        let changes = change_views(&t, &before, &after);
        assert_eq!(changes.len(), 2);
        assert!(changes[0].short);
        assert_eq!(
            (changes[0].before.as_str(), changes[0].after.as_str()),
            ("20 uur per week", "30 uur per week")
        );
        assert_eq!(
            changes[1].lines,
            vec![
                ("same", "De nachten.".to_string()),
                ("removed", "Het wassen.".to_string()),
                ("added", "De vermoeidheid.".to_string()),
            ]
        );
    }
}
