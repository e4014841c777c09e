//! A kring's help requests: the list (`/kringen/{id}/hulpvragen`), the form to ask for a
//! volunteer (`/kringen/{id}/hulpvragen/nieuw`), changing and cancelling while open, one-click
//! escalation of an unfilled agenda task, and the request's own page (`/hulpvragen/{id}`) with
//! its status and history.
//!
//! Every handler asks the access policy about `Resource::HelpRequest` through
//! [`crate::access::decide`] (which writes the NEN 7513 record in the same transaction): the
//! caregiver, a consented member with the agenda category (creating and reading), a member who
//! acts for the caregiver or the caregiver (changing, cancelling), a volunteer coordinator of the
//! request's region (reading and the coordinator's steps, see `coordinator.rs`), and a volunteer
//! proposed for it (the limited view). Bad input: a Dutch message above the form, 400, nothing
//! written.

use super::coordinator;
use crate::AppState;
use crate::access::{Subject, decide, log_refusal};
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::Tr;
use crate::identity::{Authenticated, require_user};
use crate::network::timeline::{dutch_date, local_moment};
use crate::network::{KringNav, path as kring_path};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{
    Action, Actor, ProposalStanding, Purpose, Relationship, Resource, may,
};
use mantelkring_core::base::Role;
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::{Recurrence, RequestStatus};
use mantelkring_core::matching::{HelpType, Language, Skill, Skills, Urgency, WeekSlot};
use mantelkring_core::network::agenda::{ClockTime, Day};
use mantelkring_core::network::{TextProblem, multi_line};
use mantelkring_core::time::now_ms;
use mantelkring_store::matching::requests::{
    self, DESCRIPTION_MAX_CHARS, HelpRequest, RequestDraft,
};
use mantelkring_store::matching::{self as store_matching, MatchingError, proposals};
use mantelkring_store::network::{self, NetworkInfo, Standing};
use mantelkring_store::{StoreError, Tx};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/hulpvragen", get(list))
        .route("/kringen/{id}/hulpvragen/nieuw", get(new_form).post(create))
        .route(
            "/kringen/{id}/agenda/taken/{task_id}/hulpvraag",
            post(escalate),
        )
        .route("/hulpvragen/{id}", get(show))
        .route("/hulpvragen/{id}/wijzigen", get(edit_form).post(update))
        .route("/hulpvragen/{id}/annuleren", post(cancel))
}

/// What the audit log names as the data category of a help request.
pub(super) const CATEGORY: &str = "help_request";
/// Most time windows on the form.
pub(super) const WINDOWS: usize = 3;
/// The distance a request asks for unless changed, in km.
pub(super) const DEFAULT_KM: f64 = 10.0;

pub(super) fn request_path(id: &str) -> String {
    format!("/hulpvragen/{id}")
}

pub(super) fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

pub(super) fn html(status: StatusCode, page: impl Template) -> Result<Response, AppError> {
    let body = page.render()?;
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::response::Html(body),
    )
        .into_response())
}

/// A store error that is not the visitor's: an internal error.
pub(super) fn internal(e: MatchingError) -> AppError {
    match e {
        MatchingError::Store(s) => AppError::from(s),
        other => AppError::Internal(other.to_string()),
    }
}

// ---- Problems with a form or a step ----------------------------------------------------------

/// Problems with a form: the field's id (the summary links to it) and the message.
#[derive(Debug, Clone, Default)]
pub struct Problems(Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, field: &str, message: String) {
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

#[derive(Template)]
#[template(path = "matching_request_problem.html")]
struct ProblemPage {
    page: Page,
    message: String,
    back_href: String,
}

/// A page that says why a step could not be taken (400 or 409), nothing written.
pub(super) fn problem(
    request: &PageRequest,
    status: StatusCode,
    message: String,
    back_href: &str,
) -> Result<Response, AppError> {
    html(
        status,
        ProblemPage {
            page: request.page("matching-req-problem-title"),
            message,
            back_href: back_href.to_string(),
        },
    )
}

/// A refused workflow step or bad input from the store, as a page; anything else is internal.
pub(super) fn step_problem(
    request: &PageRequest,
    e: MatchingError,
    back_href: &str,
) -> Result<Response, AppError> {
    match e {
        MatchingError::Store(s) => Err(AppError::from(s)),
        MatchingError::Bad(b) => Err(AppError::Internal(b.to_string())),
        MatchingError::Invalid(m) => problem(request, StatusCode::BAD_REQUEST, m, back_href),
        other => problem(request, StatusCode::CONFLICT, other.to_string(), back_href),
    }
}

// ---- Labels ----------------------------------------------------------------------------------

pub(super) fn type_label(tr: &Tr, t: HelpType) -> String {
    tr.t(&format!("matching-req-type-{}", t.code().replace('_', "-")))
}

pub(super) fn skill_label(tr: &Tr, s: Skill) -> String {
    tr.t(&format!("matching-req-skill-{}", s.code()))
}

pub(super) fn language_label(tr: &Tr, l: Language) -> String {
    tr.t(&format!("matching-req-lang-{}", l.code()))
}

pub(super) fn urgency_label(tr: &Tr, u: Urgency) -> String {
    tr.t(&format!("matching-req-urgency-{}", u.code()))
}

pub(super) fn status_label(tr: &Tr, s: RequestStatus) -> String {
    tr.t(&format!("matching-req-status-{}", s.code()))
}

fn minutes_hhmm(m: u16) -> String {
    if m >= 1440 {
        "24:00".into()
    } else {
        ClockTime(m).hhmm()
    }
}

/// "dinsdag 09:00–12:00".
pub(super) fn window_text(tr: &Tr, w: &WeekSlot) -> String {
    format!(
        "{} {}–{}",
        tr.t(&format!("dir-day-{}", w.day.code())),
        minutes_hhmm(w.start_minute),
        minutes_hhmm(w.end_minute)
    )
}

/// "Eenmalig op 17-06-2025" or "Elke week vanaf 17-06-2025".
pub(super) fn when_text(tr: &Tr, draft: &RequestDraft) -> String {
    match draft.recurrence {
        Recurrence::Once => tr.t1(
            "matching-req-when-once",
            "date",
            &dutch_date(draft.first_on),
        ),
        Recurrence::Weekly => tr.t1(
            "matching-req-when-weekly",
            "date",
            &dutch_date(draft.first_on),
        ),
    }
}

/// The requirements in words ("ervaring met dementie, auto, VOG"), or the word for none.
pub(super) fn needs_text(tr: &Tr, draft: &RequestDraft) -> String {
    let mut out: Vec<String> = draft
        .needs_skills
        .iter()
        .map(|s| skill_label(tr, s))
        .collect();
    if draft.needs_car {
        out.push(tr.t("matching-req-needs-car"));
    }
    if draft.needs_vog {
        out.push(tr.t("matching-req-needs-vog"));
    }
    if let Some(l) = draft.language {
        out.push(tr.t1(
            "matching-req-needs-language",
            "language",
            &language_label(tr, l),
        ));
    }
    if out.is_empty() {
        tr.t("matching-req-needs-none")
    } else {
        out.join(", ")
    }
}

// ---- Opening a request through the policy -----------------------------------------------------

/// The regions in which the actor is a volunteer coordinator (through their organisations).
pub(super) async fn coordinator_regions(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<String>, AppError> {
    let orgs: Vec<&str> = actor
        .memberships
        .iter()
        .filter(|(_, r)| *r == Role::VolunteerCoordinator)
        .map(|(o, _)| o.as_str())
        .collect();
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let mut regions: Vec<String> = mantelkring_store::admin::organisations(state.store())
        .await?
        .into_iter()
        .filter(|o| orgs.contains(&o.organisation.id.as_str()))
        .map(|o| o.organisation.region_id)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// A request opened for one action, after the policy allowed it.
pub(super) struct Opened {
    pub request: HelpRequest,
    pub network: NetworkInfo,
    pub purpose: Purpose,
    pub user: Authenticated,
}

impl Opened {
    /// The visitor speaks for the caregiver (the caregiver or a member acting for them).
    pub fn speaks_for_caregiver(&self) -> bool {
        matches!(
            self.purpose,
            Purpose::OwnData | Purpose::OnBehalfOfCaregiver
        )
    }

    pub fn is_coordinator(&self) -> bool {
        self.purpose == Purpose::VolunteerCoordination
    }

    pub fn subject(&self) -> Subject<'_> {
        Subject {
            person_id: Some(&self.network.caregiver_person_id),
            categories: CATEGORY,
        }
    }
}

/// Opens help request `id` for `action`: the policy decides with the visitor's standing in the
/// kring, whether they coordinate the request's region, and their own proposal for it. Refusals
/// (an unknown request too, so the answer gives no hint whether it exists) are logged and
/// answered with 403, or the second-factor step for staff.
pub(super) async fn open_request(
    state: &AppState,
    user: &Authenticated,
    id: &str,
    action: Action,
    back_to: &str,
) -> Result<(Tx, Opened), AppError> {
    let mut tx = state.store().begin_write().await?;
    let found = requests::get(&mut tx, id).await.map_err(internal)?;
    let network = match &found {
        Some(r) => network::network(&mut tx, &r.network_id).await?,
        None => None,
    };
    let (Some(request), Some(network)) = (found, network) else {
        let nobody = Relationship::default();
        decide(
            state,
            tx,
            user,
            action,
            &Resource::HelpRequest {
                relationship: &nobody,
                coordinates_region: false,
                proposal: None,
            },
            &Subject {
                person_id: None,
                categories: CATEGORY,
            },
            back_to,
        )
        .await?;
        return Err(AppError::Forbidden);
    };
    let standing = network::standing(&mut tx, &user.actor, &network).await?;
    let coordinates_region = match &request.region_id {
        Some(region) => coordinator_regions(state, &user.actor)
            .await?
            .contains(region),
        None => false,
    };
    let proposal: Option<ProposalStanding> = proposals::standing(&mut tx, id, &user.actor.user_id)
        .await
        .map_err(internal)?;
    let (tx, purpose) = decide(
        state,
        tx,
        user,
        action,
        &Resource::HelpRequest {
            relationship: &standing.relationship,
            coordinates_region,
            proposal,
        },
        &Subject {
            person_id: Some(&network.caregiver_person_id),
            categories: CATEGORY,
        },
        back_to,
    )
    .await?;
    Ok((
        tx,
        Opened {
            request,
            network,
            purpose,
            user: user.clone(),
        },
    ))
}

/// The policy let the visitor in, but this step is not theirs (a coordinator's step for the
/// kring, or the kring's for a coordinator): the allowed record is rolled back and a refusal is
/// logged in its place.
pub(super) async fn refuse_step(
    state: &AppState,
    tx: Tx,
    opened: &Opened,
    action: Action,
    what: &str,
) -> AppError {
    let result = async {
        tx.rollback().await.map_err(StoreError::from)?;
        let mut tx = state.store().begin_write().await?;
        log_refusal(
            state,
            &mut tx,
            &opened.user,
            action,
            &opened.subject(),
            "action_not_allowed",
            Some(what),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => AppError::Forbidden,
        Err(e) => e,
    }
}

/// Opens a kring for `action` on its help requests (the list, the form): the policy decides with
/// the visitor's standing in the kring. Returns the transaction, the network, the standing and
/// the purpose.
async fn open_kring(
    state: &AppState,
    user: &Authenticated,
    network_id: &str,
    action: Action,
    back_to: &str,
) -> Result<(Tx, NetworkInfo, Standing, Purpose), AppError> {
    let mut tx = state.store().begin_write().await?;
    let Some(info) = network::network(&mut tx, network_id).await? else {
        let nobody = Relationship::default();
        decide(
            state,
            tx,
            user,
            action,
            &Resource::HelpRequest {
                relationship: &nobody,
                coordinates_region: false,
                proposal: None,
            },
            &Subject {
                person_id: None,
                categories: CATEGORY,
            },
            back_to,
        )
        .await?;
        return Err(AppError::Forbidden);
    };
    let standing = network::standing(&mut tx, &user.actor, &info).await?;
    let (tx, purpose) = decide(
        state,
        tx,
        user,
        action,
        &Resource::HelpRequest {
            relationship: &standing.relationship,
            coordinates_region: false,
            proposal: None,
        },
        &Subject {
            person_id: Some(&info.caregiver_person_id),
            categories: CATEGORY,
        },
        back_to,
    )
    .await?;
    Ok((tx, info, standing, purpose))
}

/// Whether the visitor with `relationship` may create a help request in the kring (for showing
/// the button; the action itself is decided again).
pub fn may_create(user: &Authenticated, relationship: &Relationship) -> bool {
    may(
        Some(&user.actor),
        Action::Create,
        &Resource::HelpRequest {
            relationship,
            coordinates_region: false,
            proposal: None,
        },
    )
    .is_allowed()
}

/// The kring's tabs, as the kring pages show them.
fn kring_nav(
    tr: &Tr,
    info: &NetworkInfo,
    standing: &Standing,
    user: &Authenticated,
    purpose: Purpose,
) -> KringNav {
    let kring = crate::network::Kring {
        network: info.clone(),
        standing: standing.clone(),
        user: user.clone(),
        purpose,
    };
    KringNav::new(&kring, tr, "hulpvragen")
}

// ---- The kring's list ------------------------------------------------------------------------

struct ListItem {
    href: String,
    what: String,
    when: String,
    status: String,
    status_code: &'static str,
    from_task: bool,
}

#[derive(Template)]
#[template(path = "matching_request_list.html")]
struct ListPage {
    page: Page,
    nav: KringNav,
    can_create: bool,
    new_href: String,
    notice: Option<String>,
    items: Vec<ListItem>,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    klaar: String,
}

async fn list(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, info, standing, purpose) =
        open_kring(&state, &user, &id, Action::Read, &request.path).await?;
    let list = requests::of_network(&mut tx, &id).await.map_err(internal)?;
    crate::accounts::commit(&state, tx).await?;
    let tr = &request.tr;
    let items = list
        .iter()
        .map(|r| ListItem {
            href: request_path(&r.id),
            what: type_label(tr, r.draft.help_type),
            when: when_text(tr, &r.draft),
            status: status_label(tr, r.status),
            status_code: r.status.code(),
            from_task: r.task_id.is_some(),
        })
        .collect();
    let notice = match q.klaar.as_str() {
        "geannuleerd" => Some(tr.t("matching-req-done-cancelled")),
        _ => None,
    };
    let mut page = request.page("matching-req-list-title");
    page.title = tr.t1("matching-req-list-heading", "name", &info.caregiver_name);
    html(
        StatusCode::OK,
        ListPage {
            nav: kring_nav(tr, &info, &standing, &user, purpose),
            page,
            can_create: may_create(&user, &standing.relationship),
            new_href: kring_path(&id, "hulpvragen/nieuw"),
            notice,
            items,
        },
    )
}

// ---- The form ---------------------------------------------------------------------------------

/// The form as typed (kept when it comes back with a message).
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct RequestForm {
    /// A `HelpType` code.
    pub soort: String,
    pub omschrijving: String,
    /// `eenmalig` or `wekelijks`.
    pub herhaling: String,
    pub datum: String,
    /// Up to [`WINDOWS`] time windows: a weekday code (empty: the date's weekday), from, to.
    pub dag1: String,
    pub van1: String,
    pub tot1: String,
    pub dag2: String,
    pub van2: String,
    pub tot2: String,
    pub dag3: String,
    pub van3: String,
    pub tot3: String,
    /// Minutes.
    pub duur: String,
    pub postcode: String,
    /// Km.
    pub afstand: String,
    /// Requirements: `auto`, `vog`, and skill codes.
    pub eis: Vec<String>,
    /// A language code, or empty.
    pub taal: String,
    /// An `Urgency` code.
    pub urgentie: String,
}

impl RequestForm {
    fn windows(&self) -> [(&str, &str, &str); WINDOWS] {
        [
            (&self.dag1, &self.van1, &self.tot1),
            (&self.dag2, &self.van2, &self.tot2),
            (&self.dag3, &self.van3, &self.tot3),
        ]
    }

    /// The form filled in from a stored request.
    pub fn of(draft: &RequestDraft) -> RequestForm {
        let mut form = RequestForm {
            soort: draft.help_type.code().into(),
            omschrijving: draft.description.clone(),
            herhaling: match draft.recurrence {
                Recurrence::Once => "eenmalig".into(),
                Recurrence::Weekly => "wekelijks".into(),
            },
            datum: draft.first_on.iso(),
            duur: draft.duration_minutes.to_string(),
            postcode: draft.pc4.to_string(),
            afstand: format_km_input(draft.max_distance_km),
            eis: Vec::new(),
            taal: draft
                .language
                .map(|l| l.code().to_string())
                .unwrap_or_default(),
            urgentie: draft.urgency.code().into(),
            ..Default::default()
        };
        for s in draft.needs_skills.iter() {
            form.eis.push(s.code().into());
        }
        if draft.needs_car {
            form.eis.push("auto".into());
        }
        if draft.needs_vog {
            form.eis.push("vog".into());
        }
        let slots: Vec<(String, String, String)> = draft
            .windows
            .iter()
            .map(|w| {
                (
                    w.day.code().to_string(),
                    minutes_hhmm(w.start_minute),
                    minutes_hhmm(w.end_minute),
                )
            })
            .collect();
        let mut it = slots.into_iter();
        if let Some((d, v, t)) = it.next() {
            (form.dag1, form.van1, form.tot1) = (d, v, t);
        }
        if let Some((d, v, t)) = it.next() {
            (form.dag2, form.van2, form.tot2) = (d, v, t);
        }
        if let Some((d, v, t)) = it.next() {
            (form.dag3, form.van3, form.tot3) = (d, v, t);
        }
        form
    }
}

fn format_km_input(km: f64) -> String {
    if km.fract() == 0.0 {
        format!("{km:.0}")
    } else {
        format!("{km}").replace('.', ",")
    }
}

/// A date as typed: `2026-11-24` or `24-11-2026`.
fn parse_date(input: &str) -> Option<Day> {
    let s = input.trim();
    Day::parse(s).or_else(|| {
        let mut parts = s.split(['-', '/', '.']);
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 {
            return None;
        }
        let (d, m): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
        Day::parse(&format!("{y}-{m:02}-{d:02}"))
    })
}

/// Minutes of the day from `HH:MM`; `24:00` is the end of the day.
fn parse_minute(input: &str) -> Option<u16> {
    let s = input.trim();
    if s == "24:00" {
        return Some(1440);
    }
    ClockTime::parse(s).map(|t| t.0)
}

/// Checks the form into a draft, every problem by field, before anything is written.
pub fn validate(tr: &Tr, form: &RequestForm, today: Day) -> Result<RequestDraft, Problems> {
    let mut errors = Problems::default();
    let help_type = match form.soort.trim() {
        "" => {
            errors.add("soort", tr.t("matching-req-err-type"));
            None
        }
        code => {
            let t = HelpType::from_code(code);
            if t.is_none() {
                errors.add("soort", tr.t("matching-req-err-type"));
            }
            t
        }
    };
    let description = match multi_line(&form.omschrijving, DESCRIPTION_MAX_CHARS) {
        Ok(d) => Some(d),
        Err(TextProblem::TooLong(_)) => {
            errors.add("omschrijving", tr.t("matching-req-err-description-long"));
            None
        }
        Err(_) => {
            errors.add("omschrijving", tr.t("matching-req-err-control"));
            None
        }
    };
    let recurrence = match form.herhaling.trim() {
        "eenmalig" => Some(Recurrence::Once),
        "wekelijks" => Some(Recurrence::Weekly),
        _ => {
            errors.add("herhaling_eenmalig", tr.t("matching-req-err-recurrence"));
            None
        }
    };
    let first_on = match parse_date(&form.datum) {
        None => {
            errors.add("datum", tr.t("matching-req-err-date"));
            None
        }
        Some(d) if d < today => {
            errors.add("datum", tr.t("matching-req-err-date-past"));
            None
        }
        Some(d) if d > today.plus(366) => {
            errors.add("datum", tr.t("matching-req-err-date-far"));
            None
        }
        Some(d) => Some(d),
    };
    let mut windows = Vec::new();
    for (n, (day, from, to)) in form.windows().into_iter().enumerate() {
        let n = n + 1;
        if from.trim().is_empty() && to.trim().is_empty() {
            continue;
        }
        let weekday = match day.trim() {
            "" => first_on.map(|d| d.weekday()),
            code => {
                let w = mantelkring_core::directory::model::Weekday::from_code(code);
                if w.is_none() {
                    errors.add(&format!("dag{n}"), tr.t("matching-req-err-day"));
                }
                w
            }
        };
        let start = parse_minute(from);
        let end = parse_minute(to);
        if start.is_none() {
            errors.add(&format!("van{n}"), tr.t("matching-req-err-time"));
        }
        if end.is_none() {
            errors.add(&format!("tot{n}"), tr.t("matching-req-err-time"));
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                errors.add(
                    &format!("tot{n}"),
                    tr.t("matching-req-err-end-before-start"),
                );
            } else if let Some(slot) = weekday.and_then(|d| WeekSlot::new(d, s, e)) {
                windows.push(slot);
            }
        }
    }
    if windows.is_empty() && !errors.has("van1") && !errors.has("tot1") && !errors.has("dag1") {
        let any_window_problem =
            (1..=WINDOWS).any(|n| errors.has(&format!("tot{n}")) || errors.has(&format!("van{n}")));
        if !any_window_problem && first_on.is_some() {
            errors.add("van1", tr.t("matching-req-err-no-window"));
        }
    }
    if recurrence == Some(Recurrence::Once)
        && let Some(d) = first_on
        && windows.iter().any(|w| w.day != d.weekday())
    {
        errors.add("dag1", tr.t("matching-req-err-once-day"));
    }
    let duration = match form.duur.trim().parse::<u16>() {
        Ok(m) if (1..=720).contains(&m) => Some(m),
        _ => {
            errors.add("duur", tr.t("matching-req-err-duration"));
            None
        }
    };
    if let Some(m) = duration
        && !windows.is_empty()
        && !windows.iter().any(|w| w.end_minute - w.start_minute >= m)
    {
        errors.add("duur", tr.t("matching-req-err-duration-window"));
    }
    let pc4 = match Pc4::from_postcode(&form.postcode) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.add("postcode", tr.t("matching-req-err-postcode"));
            None
        }
    };
    let km = match form.afstand.trim().replace(',', ".").parse::<f64>() {
        Ok(k) if (requests::DISTANCE_KM.0..=requests::DISTANCE_KM.1).contains(&k) => Some(k),
        _ => {
            errors.add("afstand", tr.t("matching-req-err-distance"));
            None
        }
    };
    let mut skills = Skills::EMPTY;
    let (mut needs_car, mut needs_vog) = (false, false);
    for e in &form.eis {
        match e.trim() {
            "auto" => needs_car = true,
            "vog" => needs_vog = true,
            code => match Skill::from_code(code) {
                Some(s) => skills.insert(s),
                None => errors.add("eis-dementie", tr.t("matching-req-err-needs")),
            },
        }
    }
    let language = match form.taal.trim() {
        "" => None,
        code => {
            let l = Language::from_code(code);
            if l.is_none() {
                errors.add("taal", tr.t("matching-req-err-language"));
            }
            l
        }
    };
    let urgency = match Urgency::from_code(form.urgentie.trim()) {
        Some(u) => Some(u),
        None => {
            errors.add("urgentie_normaal", tr.t("matching-req-err-urgency"));
            None
        }
    };
    match (
        help_type,
        description,
        recurrence,
        first_on,
        duration,
        pc4,
        km,
        urgency,
    ) {
        (
            Some(help_type),
            Some(description),
            Some(recurrence),
            Some(first_on),
            Some(d),
            Some(pc4),
            Some(km),
            Some(urgency),
        ) if errors.is_empty() => {
            let draft = RequestDraft {
                help_type,
                description,
                recurrence,
                first_on,
                windows,
                duration_minutes: d,
                pc4,
                max_distance_km: km,
                needs_car,
                needs_vog,
                needs_skills: skills,
                language,
                urgency,
            };
            // The store's own rules, as a last check (they agree with the ones above).
            match draft.check() {
                Ok(()) => Ok(draft),
                Err(e) => {
                    errors.add("soort", e.to_string());
                    Err(errors)
                }
            }
        }
        _ => Err(errors),
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One time-window row of the form.
struct WindowRow {
    day_id: String,
    from_id: String,
    to_id: String,
    day_label: String,
    from_label: String,
    to_label: String,
    days: Vec<Choice>,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "matching_request_form.html")]
struct FormPage {
    page: Page,
    heading: String,
    action: String,
    back_href: String,
    form: RequestForm,
    errors: Problems,
    types: Vec<Choice>,
    /// The time-window rows.
    rows: Vec<WindowRow>,
    needs: Vec<Choice>,
    languages: Vec<Choice>,
    urgencies: Vec<Choice>,
    submit: String,
}

fn form_page(
    request: &PageRequest,
    heading_key: &str,
    action: String,
    back_href: String,
    form: RequestForm,
    errors: Problems,
) -> FormPage {
    let tr = &request.tr;
    let types = HelpType::ALL
        .iter()
        .map(|t| Choice {
            value: t.code().into(),
            label: type_label(tr, *t),
            selected: form.soort == t.code(),
        })
        .collect();
    let day_choices = |selected: &str| {
        let mut out = vec![Choice {
            value: String::new(),
            label: tr.t("matching-req-day-of-date"),
            selected: selected.is_empty(),
        }];
        out.extend(
            mantelkring_core::directory::model::Weekday::ALL
                .iter()
                .map(|d| Choice {
                    value: d.code().into(),
                    label: tr.t(&format!("dir-day-{}", d.code())),
                    selected: selected == d.code(),
                }),
        );
        out
    };
    let rows = form
        .windows()
        .iter()
        .enumerate()
        .map(|(i, (d, v, t))| {
            let n = (i + 1).to_string();
            WindowRow {
                day_id: format!("dag{n}"),
                from_id: format!("van{n}"),
                to_id: format!("tot{n}"),
                day_label: tr.t1("matching-req-field-day", "n", &n),
                from_label: tr.t1("matching-req-field-from", "n", &n),
                to_label: tr.t1("matching-req-field-to", "n", &n),
                days: day_choices(d),
                from: v.to_string(),
                to: t.to_string(),
            }
        })
        .collect();
    let mut needs: Vec<Choice> = Skill::ALL
        .iter()
        .map(|s| Choice {
            value: s.code().into(),
            label: skill_label(tr, *s),
            selected: form.eis.iter().any(|e| e == s.code()),
        })
        .collect();
    needs.push(Choice {
        value: "auto".into(),
        label: tr.t("matching-req-needs-car-long"),
        selected: form.eis.iter().any(|e| e == "auto"),
    });
    needs.push(Choice {
        value: "vog".into(),
        label: tr.t("matching-req-needs-vog-long"),
        selected: form.eis.iter().any(|e| e == "vog"),
    });
    let mut languages = vec![Choice {
        value: String::new(),
        label: tr.t("matching-req-language-none"),
        selected: form.taal.is_empty(),
    }];
    languages.extend(Language::ALL.iter().map(|l| Choice {
        value: l.code().into(),
        label: language_label(tr, *l),
        selected: form.taal == l.code(),
    }));
    let urgencies = Urgency::ALL
        .iter()
        .map(|u| Choice {
            value: u.code().into(),
            label: urgency_label(tr, *u),
            selected: form.urgentie == u.code(),
        })
        .collect();
    let mut page = request.page(heading_key);
    page.title = tr.t(heading_key);
    FormPage {
        heading: page.title.clone(),
        page,
        action,
        back_href,
        form,
        errors,
        types,
        rows,
        needs,
        languages,
        urgencies,
        submit: tr.t(if heading_key == "matching-req-edit-title" {
            "matching-req-edit-submit"
        } else {
            "matching-req-new-submit"
        }),
    }
}

/// The caregiver's PC4 from the kring's contact data, if known.
async fn caregiver_pc4(tx: &mut Tx, info: &NetworkInfo) -> Result<Option<Pc4>, AppError> {
    let person = network::person(tx, &info.caregiver_person_id).await?;
    Ok(person
        .and_then(|p| p.postcode)
        .and_then(|pc| Pc4::from_postcode(&pc).ok()))
}

async fn new_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, info, _, _) =
        open_kring(&state, &user, &id, Action::Create, &request.path).await?;
    let pc4 = caregiver_pc4(&mut tx, &info).await?;
    // Showing the form is not creating anything: nothing but the record is kept.
    crate::accounts::commit(&state, tx).await?;
    let form = RequestForm {
        herhaling: "eenmalig".into(),
        datum: Day::local(now_ms()).plus(1).iso(),
        van1: "09:00".into(),
        tot1: "12:00".into(),
        duur: "60".into(),
        postcode: pc4.map(|p| p.to_string()).unwrap_or_default(),
        afstand: format_km_input(DEFAULT_KM),
        urgentie: Urgency::Normal.code().into(),
        ..Default::default()
    };
    html(
        StatusCode::OK,
        form_page(
            &request,
            "matching-req-new-title",
            kring_path(&id, "hulpvragen/nieuw"),
            kring_path(&id, "hulpvragen"),
            form,
            Problems::default(),
        ),
    )
}

async fn create(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = kring_path(&id, "hulpvragen");
    let (mut tx, _, _, purpose) = open_kring(&state, &user, &id, Action::Create, &back).await?;
    let draft = match validate(&request.tr, &form, Day::local(now_ms())) {
        Ok(d) => d,
        Err(errors) => {
            tx.rollback().await.map_err(StoreError::from)?;
            return html(
                StatusCode::BAD_REQUEST,
                form_page(
                    &request,
                    "matching-req-new-title",
                    kring_path(&id, "hulpvragen/nieuw"),
                    back,
                    form,
                    errors,
                ),
            );
        }
    };
    let by = store_matching::Actor {
        user_id: Some(&user.actor.user_id),
        on_behalf: purpose == Purpose::OnBehalfOfCaregiver,
    };
    let made = requests::create(&mut tx, &id, None, &draft, by, now_ms()).await;
    let request_id = match made {
        Ok(r) => r,
        Err(e) => {
            tx.rollback().await.map_err(StoreError::from)?;
            return step_problem(&request, e, &back);
        }
    };
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!(
        "{}?klaar=gemaakt",
        request_path(&request_id)
    )))
}

// ---- Changing and cancelling (the caregiver's side) --------------------------------------------

async fn edit_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (tx, opened) = open_request(&state, &user, &id, Action::Update, &request.path).await?;
    if !opened.speaks_for_caregiver() {
        return Err(refuse_step(&state, tx, &opened, Action::Update, "edit: not caregiver").await);
    }
    crate::accounts::commit(&state, tx).await?;
    if opened.request.status != RequestStatus::Open {
        return problem(
            &request,
            StatusCode::CONFLICT,
            request.tr.t("matching-req-err-not-open"),
            &request_path(&id),
        );
    }
    html(
        StatusCode::OK,
        form_page(
            &request,
            "matching-req-edit-title",
            format!("{}/wijzigen", request_path(&id)),
            request_path(&id),
            RequestForm::of(&opened.request.draft),
            Problems::default(),
        ),
    )
}

async fn update(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = request_path(&id);
    let (mut tx, opened) = open_request(&state, &user, &id, Action::Update, &back).await?;
    if !opened.speaks_for_caregiver() {
        return Err(refuse_step(&state, tx, &opened, Action::Update, "edit: not caregiver").await);
    }
    let draft = match validate(&request.tr, &form, Day::local(now_ms())) {
        Ok(d) => d,
        Err(errors) => {
            tx.rollback().await.map_err(StoreError::from)?;
            return html(
                StatusCode::BAD_REQUEST,
                form_page(
                    &request,
                    "matching-req-edit-title",
                    format!("{back}/wijzigen"),
                    back,
                    form,
                    errors,
                ),
            );
        }
    };
    if let Err(e) = requests::update(&mut tx, &id, &draft, now_ms()).await {
        tx.rollback().await.map_err(StoreError::from)?;
        return step_problem(&request, e, &back);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{back}?klaar=gewijzigd")))
}

async fn cancel(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = request_path(&id);
    let (mut tx, opened) = open_request(&state, &user, &id, Action::Update, &back).await?;
    if !opened.speaks_for_caregiver() {
        return Err(
            refuse_step(&state, tx, &opened, Action::Update, "cancel: not caregiver").await,
        );
    }
    let by = store_matching::Actor {
        user_id: Some(&user.actor.user_id),
        on_behalf: opened.purpose == Purpose::OnBehalfOfCaregiver,
    };
    if let Err(e) = requests::cancel(&mut tx, &id, by, "", now_ms()).await {
        tx.rollback().await.map_err(StoreError::from)?;
        return step_problem(&request, e, &back);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(&format!("{back}?klaar=geannuleerd")))
}

// ---- Escalating an agenda task ------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct EscalateForm {
    /// A `HelpType` code; `anders` when not chosen.
    soort: String,
}

/// `POST /kringen/{id}/agenda/taken/{task_id}/hulpvraag`: "Vraag een vrijwilliger" on the
/// agenda. Idempotent: a second click leads to the request made the first time.
async fn escalate(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, task_id)): Path<(String, String)>,
    Form(form): Form<EscalateForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let back = kring_path(&id, "agenda");
    let (mut tx, info, _, purpose) = open_kring(&state, &user, &id, Action::Create, &back).await?;
    let help_type = match form.soort.trim() {
        // One click: the type follows from the task's title (the caregiver may change it).
        "" => mantelkring_store::network::agenda::task(&mut tx, &id, &task_id)
            .await?
            .map_or(HelpType::Anders, |t| {
                mantelkring_core::matching::workflow::help_type_of_task(&t.title)
            }),
        code => match HelpType::from_code(code) {
            Some(t) => t,
            None => {
                tx.rollback().await.map_err(StoreError::from)?;
                return problem(
                    &request,
                    StatusCode::BAD_REQUEST,
                    request.tr.t("matching-req-err-type"),
                    &back,
                );
            }
        },
    };
    let Some(pc4) = caregiver_pc4(&mut tx, &info).await? else {
        tx.rollback().await.map_err(StoreError::from)?;
        return problem(
            &request,
            StatusCode::BAD_REQUEST,
            request.tr.t("matching-req-err-no-postcode"),
            &kring_path(&id, "hulpvragen/nieuw"),
        );
    };
    let by = store_matching::Actor {
        user_id: Some(&user.actor.user_id),
        on_behalf: purpose == Purpose::OnBehalfOfCaregiver,
    };
    let with = requests::Escalation {
        help_type,
        pc4,
        max_distance_km: DEFAULT_KM,
        urgency: Urgency::Soon,
    };
    match requests::escalate_task(&mut tx, &id, &task_id, &with, by, now_ms()).await {
        Ok((request_id, _made)) => {
            crate::accounts::commit(&state, tx).await?;
            Ok(see_other(&format!(
                "{}?klaar=uitgezet",
                request_path(&request_id)
            )))
        }
        Err(MatchingError::NotFound(_)) => {
            tx.rollback().await.map_err(StoreError::from)?;
            problem(
                &request,
                StatusCode::NOT_FOUND,
                request.tr.t("matching-req-err-no-task"),
                &back,
            )
        }
        Err(e) => {
            tx.rollback().await.map_err(StoreError::from)?;
            step_problem(&request, e, &back)
        }
    }
}

// ---- The request's page -----------------------------------------------------------------------

pub(super) struct Fact {
    pub label: String,
    pub value: String,
}

struct EventView {
    status: String,
    at: String,
    note: String,
}

#[derive(Template)]
#[template(path = "matching_request_page.html")]
struct RequestPage {
    page: Page,
    status: String,
    status_code: &'static str,
    notice: Option<String>,
    facts: Vec<Fact>,
    description: String,
    back_href: String,
    back_label: String,
    /// The caregiver's side: change and cancel.
    edit_href: Option<String>,
    cancel_action: Option<String>,
    /// A volunteer proposed for it: only what they may see.
    limited: bool,
    events: Vec<EventView>,
    coordinator: Option<coordinator::CoordinatorPart>,
}

/// The place of a PC4, if the postcode areas are imported.
pub(super) async fn place_of(state: &AppState, pc4: Pc4) -> Result<Option<String>, AppError> {
    Ok(mantelkring_store::postcodes::lookup(state.store(), pc4)
        .await?
        .map(|a| a.place))
}

async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, opened) = open_request(&state, &user, &id, Action::Read, &request.path).await?;
    let tr = &request.tr;
    let r = &opened.request;
    let limited = matches!(
        opened.purpose,
        Purpose::ProposedVolunteer | Purpose::MatchedVolunteer
    );
    let events = if limited {
        Vec::new()
    } else {
        store_matching::events(&mut tx, &id)
            .await
            .map_err(internal)?
    };
    let coordinator = if opened.is_coordinator() {
        Some(coordinator::part(&state, &request, &mut tx, &opened).await?)
    } else {
        None
    };
    let person = network::person(&mut tx, &opened.network.caregiver_person_id).await?;
    crate::accounts::commit(&state, tx).await?;

    let place = place_of(&state, r.draft.pc4).await?.unwrap_or_default();
    let mut facts = Vec::new();
    let who = if limited {
        person
            .as_ref()
            .and_then(|p| p.given_name.split_whitespace().next().map(str::to_string))
            .unwrap_or_default()
    } else {
        opened.network.caregiver_name.clone()
    };
    facts.push(Fact {
        label: tr.t("matching-req-fact-for"),
        value: who,
    });
    facts.push(Fact {
        label: tr.t("matching-req-fact-where"),
        value: format!("{} {place}", r.draft.pc4).trim().to_string(),
    });
    facts.push(Fact {
        label: tr.t("matching-req-fact-when"),
        value: when_text(tr, &r.draft),
    });
    facts.push(Fact {
        label: tr.t("matching-req-fact-times"),
        value: r
            .draft
            .windows
            .iter()
            .map(|w| window_text(tr, w))
            .collect::<Vec<_>>()
            .join(", "),
    });
    facts.push(Fact {
        label: tr.t("matching-req-fact-duration"),
        value: tr.tn(
            "matching-req-minutes",
            "count",
            i64::from(r.draft.duration_minutes),
        ),
    });
    if !limited {
        facts.push(Fact {
            label: tr.t("matching-req-fact-needs"),
            value: needs_text(tr, &r.draft),
        });
        facts.push(Fact {
            label: tr.t("matching-req-fact-urgency"),
            value: urgency_label(tr, r.draft.urgency),
        });
        facts.push(Fact {
            label: tr.t("matching-req-fact-distance"),
            value: tr.t1(
                "matching-req-km",
                "km",
                &format_km_input(r.draft.max_distance_km),
            ),
        });
    }
    let open = r.status == RequestStatus::Open;
    let caregiver_side = opened.speaks_for_caregiver();
    let edit_href = (caregiver_side && open).then(|| format!("{}/wijzigen", request_path(&id)));
    let cancel_action = (caregiver_side && !r.status.is_final() && r.status != RequestStatus::Done)
        .then(|| format!("{}/annuleren", request_path(&id)));
    let notice = match q.klaar.as_str() {
        "gemaakt" => Some("matching-req-done-created"),
        "gewijzigd" => Some("matching-req-done-updated"),
        "geannuleerd" => Some("matching-req-done-cancelled"),
        "uitgezet" => Some("matching-req-done-escalated"),
        "verstuurd" => Some("matching-coord-done-sent"),
        "uitgevoerd" => Some("matching-coord-done-done"),
        "niet-gekomen" => Some("matching-coord-done-no-show"),
        "ingetrokken" => Some("matching-coord-done-withdrawn"),
        _ => None,
    }
    .map(|k| tr.t(k));
    let (back_href, back_label) = if opened.is_coordinator() {
        (
            "/vrijwilligers/hulpvragen".to_string(),
            tr.t("matching-coord-back-overview"),
        )
    } else if limited {
        ("/".to_string(), tr.t("matching-req-back-home"))
    } else {
        (
            kring_path(&opened.network.id, "hulpvragen"),
            tr.t("matching-req-back-list"),
        )
    };
    let mut page = request.page("matching-req-page-title");
    page.title = tr.t1(
        "matching-req-page-heading",
        "type",
        &type_label(tr, r.draft.help_type),
    );
    html(
        StatusCode::OK,
        RequestPage {
            page,
            status: status_label(tr, r.status),
            status_code: r.status.code(),
            notice,
            facts,
            description: r.draft.description.clone(),
            back_href,
            back_label,
            edit_href,
            cancel_action,
            limited,
            events: events
                .iter()
                .map(|e| EventView {
                    status: RequestStatus::from_code(&e.status)
                        .map(|s| status_label(tr, s))
                        .unwrap_or_else(|| e.status.clone()),
                    at: local_moment(e.at),
                    note: e.note.clone(),
                })
                .collect(),
            coordinator,
        },
    )
}
