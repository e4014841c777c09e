//! The volunteer's side of Hulpvraag en aanbod, and the coordinator's intake:
//!
//! - `/vrijwilliger/profiel`: a volunteer (role Volunteer) registers their offer or keeps it
//!   current, and pauses, resumes or ends it. Policy `Resource::VolunteerProfile` (own), plus the
//!   Volunteer role: anyone else is refused and the refusal is logged.
//! - `/vrijwilligers/intake` and `/vrijwilligers/intake/{user_id}`: the volunteer coordinator
//!   (second factor, an organisation in the profile's region) sees the profiles waiting for an
//!   intake and makes one active (`volunteers::intake`), with the VOG seen and its date.
//! - `/vrijwilliger/voorstellen` and `/vrijwilliger/voorstellen/{id}`: the volunteer's proposals;
//!   one proposal shows what `workflow::view_for_volunteer` allows (before accepting only first
//!   name, neighbourhood, task and time), with Accept and Decline (`proposals::answer`).
//!   Policy `Resource::HelpRequest` with the volunteer's own proposal standing: a proposal of
//!   someone else is refused (403, logged).
//! - Evaluations once the help was given, once per side (`proposals::evaluate`): the volunteer
//!   at `/vrijwilliger/voorstellen/{id}/evaluatie`, the caregiver (or a member acting for them)
//!   at `/hulpvragen/{request_id}/evaluatie`. "Would you do it again? No" also blocks the
//!   volunteer for that kring (`volunteers::block`): they are not proposed to it again.

use crate::AppState;
use crate::access::{Subject, decide, decide_with_detail, log_allowed_many, log_refusal};
use crate::errors::AppError;
use crate::i18n::Tr;
use crate::identity::{Authenticated, require_user};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, Purpose, Relationship, Resource};
use mantelkring_core::base::Role;
use mantelkring_core::directory::model::Weekday;
use mantelkring_core::geo::Pc4;
use mantelkring_core::matching::workflow::{
    CaregiverDetails, ProposalStatus, Rating, Recurrence, Side, TaskView, VolunteerRequestView,
    view_for_volunteer,
};
use mantelkring_core::matching::{
    HelpType, HelpTypes, Language, Languages, Skill, Skills, WeekSlot,
};
use mantelkring_core::network::agenda::{ClockTime, Day};
use mantelkring_core::time::now_ms;
use mantelkring_store::matching::MatchingError;
use mantelkring_store::matching::proposals::{self, Proposal};
use mantelkring_store::matching::requests::{self, HelpRequest};
use mantelkring_store::matching::volunteers::{
    self, CAPACITY_MAX, Profile, ProfileDraft, ProfileStatus,
};
use mantelkring_store::network::{self, NetworkInfo};
use mantelkring_store::{StoreError, Tx, admin, base, postcodes};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/vrijwilliger/profiel",
            get(profile_form).post(profile_save),
        )
        .route("/vrijwilliger/profiel/{step}", post(profile_step))
        .route("/vrijwilliger/voorstellen", get(proposal_list))
        .route("/vrijwilliger/voorstellen/{id}", get(proposal_page))
        .route(
            "/vrijwilliger/voorstellen/{id}/antwoord",
            post(proposal_answer),
        )
        .route(
            "/vrijwilliger/voorstellen/{id}/evaluatie",
            get(volunteer_evaluation_form).post(volunteer_evaluation),
        )
        .route(
            "/hulpvragen/{request_id}/evaluatie",
            get(caregiver_evaluation_form).post(caregiver_evaluation),
        )
        .route("/vrijwilligers/intake", get(intake_list))
        .route(
            "/vrijwilligers/intake/{user_id}",
            get(intake_form).post(intake_save),
        )
}

/// The data category of the audit records of help requests.
pub(super) const REQUEST_CATEGORY: &str = "help_request";
/// The data category of the audit records of volunteer profiles.
const PROFILE_CATEGORY: &str = "volunteer_profile";
/// The longest note or preference text.
const TEXT_MAX: usize = 2000;
/// The parts of the day a volunteer can tick, with the minutes they stand for.
const DAY_PARTS: [(&str, u16, u16); 3] = [
    ("ochtend", 8 * 60, 12 * 60),
    ("middag", 12 * 60, 18 * 60),
    ("avond", 18 * 60, 22 * 60),
];

pub(super) fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

pub(super) fn render<T: Template>(status: StatusCode, page: T) -> Response {
    crate::accounts::message_page(status, page)
}

fn store_error(e: MatchingError) -> AppError {
    match e {
        MatchingError::Store(e) => e.into(),
        other => AppError::Internal(other.to_string()),
    }
}

fn sql(e: StoreError) -> AppError {
    e.into()
}

#[derive(Template)]
#[template(path = "notice.html")]
pub(super) struct Notice {
    page: Page,
    heading: String,
    text: String,
    link_href: String,
    link_text: String,
}

/// A page with one message and one link on, with `status`.
pub(super) fn notice(
    request: &PageRequest,
    status: StatusCode,
    title_key: &str,
    text: String,
    link: (String, String),
) -> Response {
    let page = request.page(title_key);
    render(
        status,
        Notice {
            heading: page.title.clone(),
            page,
            text,
            link_href: link.0,
            link_text: link.1,
        },
    )
}

/// A refused step of the workflow as a page (400 for bad input, 409 when the state does not
/// allow it); a failure of the database stays an error.
pub(super) fn refused(
    request: &PageRequest,
    e: MatchingError,
    back: (String, String),
) -> Result<Response, AppError> {
    let (status, text) = match e {
        MatchingError::Store(_) | MatchingError::Bad(_) => return Err(store_error(e)),
        MatchingError::NotFound(_) => return Err(AppError::NotFound),
        MatchingError::Invalid(m) => (StatusCode::BAD_REQUEST, m),
        other => (StatusCode::CONFLICT, sentence(&other.to_string())),
    };
    Ok(notice(
        request,
        status,
        "matching-vol-problem-title",
        text,
        back,
    ))
}

/// A message as a sentence: capital first letter, full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

// ---- What a volunteer sees of a request --------------------------------------------------------

/// How to reach the caregiver, as shown after accepting.
pub(super) struct ContactLines {
    pub full_name: String,
    pub postcode: String,
    pub phone: String,
    pub email: String,
}

/// A request as the volunteer may see it, in words.
pub(super) struct RequestLines {
    pub first_name: String,
    pub neighbourhood: String,
    pub help_type: String,
    pub description: String,
    pub when: String,
    pub times: Vec<String>,
    pub duration: String,
    pub contact: Option<ContactLines>,
}

fn hhmm(minute: u16) -> String {
    ClockTime(minute).hhmm()
}

fn day_name(tr: &Tr, day: Weekday) -> String {
    tr.t(&format!("dir-day-{}", day.code()))
}

/// "maandag 24-11-2026".
fn long_date(tr: &Tr, day: Day) -> String {
    format!(
        "{} {}",
        day_name(tr, day.weekday()),
        crate::network::timeline::dutch_date(day)
    )
}

pub(super) fn help_label(tr: &Tr, help: HelpType) -> String {
    tr.t(&format!("matching-vol-help-{}", help.code()))
}

/// The view in words for the templates.
pub(super) fn lines(tr: &Tr, view: &VolunteerRequestView) -> RequestLines {
    let task = &view.task;
    let when = match task.recurrence {
        Recurrence::Once => tr.t1(
            "matching-vol-when-once",
            "date",
            &long_date(tr, task.first_on),
        ),
        Recurrence::Weekly => tr.t1(
            "matching-vol-when-weekly",
            "date",
            &long_date(tr, task.first_on),
        ),
    };
    RequestLines {
        first_name: view.first_name.clone(),
        neighbourhood: format!("{} {}", view.pc4, view.place).trim().to_string(),
        help_type: help_label(tr, task.help_type),
        description: task.description.clone(),
        when,
        times: task
            .windows
            .iter()
            .map(|w| {
                format!(
                    "{} {}–{}",
                    day_name(tr, w.day),
                    hhmm(w.start_minute),
                    hhmm(w.end_minute)
                )
            })
            .collect(),
        duration: tr.tn(
            "matching-vol-duration",
            "minutes",
            i64::from(task.duration_minutes),
        ),
        contact: view.contact.as_ref().map(|c| ContactLines {
            full_name: c.full_name.clone(),
            postcode: c.postcode.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
        }),
    }
}

fn task_of(request: &HelpRequest) -> TaskView {
    let d = &request.draft;
    TaskView {
        help_type: d.help_type,
        description: d.description.clone(),
        recurrence: d.recurrence,
        first_on: d.first_on,
        windows: d.windows.clone(),
        duration_minutes: d.duration_minutes,
    }
}

/// What the volunteer of `proposal` may see of its request now (`None`: nothing any more).
pub(super) async fn volunteer_view(
    state: &AppState,
    tx: &mut Tx,
    proposal: &Proposal,
    request: &HelpRequest,
    network: &NetworkInfo,
) -> Result<Option<VolunteerRequestView>, AppError> {
    let person = network::person(tx, &network.caregiver_person_id)
        .await
        .map_err(sql)?
        .ok_or_else(|| AppError::Internal("caregiver without person".into()))?;
    let place = postcodes::lookup(state.store(), request.draft.pc4)
        .await
        .map_err(sql)?
        .map(|a| a.place)
        .unwrap_or_default();
    let details = CaregiverDetails {
        given_name: person.given_name,
        family_name: person.family_name,
        pc4: request.draft.pc4.to_string(),
        place,
        postcode: person.postcode,
        phone: person.phone,
        email: person.email,
    };
    Ok(view_for_volunteer(
        proposal.status,
        &details,
        &task_of(request),
    ))
}

pub(super) fn status_label(tr: &Tr, status: ProposalStatus) -> String {
    tr.t(&format!("matching-vol-proposal-status-{}", status.code()))
}

// ---- Who may ---------------------------------------------------------------------------------

/// The volunteer pages are for people with the Volunteer role: anyone else is refused, and the
/// refusal is logged.
async fn require_volunteer(
    state: &AppState,
    user: &Authenticated,
    action: Action,
    category: &str,
) -> Result<(), AppError> {
    if user.actor.has_role(Role::Volunteer) {
        return Ok(());
    }
    let mut tx = state.store().begin_write().await?;
    log_refusal(
        state,
        &mut tx,
        user,
        action,
        &Subject {
            person_id: user.actor.person_id.as_deref(),
            categories: category,
        },
        "role_missing",
        None,
    )
    .await?;
    crate::accounts::commit(state, tx).await?;
    Err(AppError::Forbidden)
}

/// A proposal opened for its volunteer, after the policy allowed it.
struct OpenProposal {
    proposal: Proposal,
    request: HelpRequest,
    network: NetworkInfo,
    user: Authenticated,
}

/// Opens proposal `id` for the logged-in volunteer: the policy decides on the request with the
/// visitor's own proposal standing (someone else's proposal, or an unknown id, is refused the
/// same way, and the refusal is logged).
async fn open_proposal(
    state: &AppState,
    request: &PageRequest,
    id: &str,
    action: Action,
) -> Result<(Tx, OpenProposal), AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let mut tx = state.store().begin_write().await?;
    let found = proposals::get(&mut tx, id).await.map_err(store_error)?;
    let mut loaded = None;
    let mut standing = None;
    if let Some(p) = &found {
        if let Some(r) = requests::get(&mut tx, &p.request_id)
            .await
            .map_err(store_error)?
            && let Some(n) = network::network(&mut tx, &r.network_id)
                .await
                .map_err(sql)?
        {
            loaded = Some((r, n));
        }
        if p.volunteer_user_id == user.actor.user_id {
            standing = proposals::standing(&mut tx, &p.request_id, &user.actor.user_id)
                .await
                .map_err(store_error)?;
        }
    }
    let nobody = Relationship::default();
    let (tx, _) = decide(
        state,
        tx,
        &user,
        action,
        &Resource::HelpRequest {
            relationship: &nobody,
            coordinates_region: false,
            proposal: standing,
        },
        &Subject {
            person_id: loaded.as_ref().map(|(_, n)| n.caregiver_person_id.as_str()),
            categories: REQUEST_CATEGORY,
        },
        &request.path,
    )
    .await?;
    let (Some(proposal), Some((request, network))) = (found, loaded) else {
        return Err(AppError::NotFound);
    };
    Ok((
        tx,
        OpenProposal {
            proposal,
            request,
            network,
            user,
        },
    ))
}

// ---- The profile -------------------------------------------------------------------------------

/// One checkbox or option.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One weekday of the availability grid.
struct WeekRow {
    day: String,
    cells: Vec<Choice>,
}

/// Problems with a form: the field (its id, so the summary links to it) and the message.
#[derive(Debug, Clone, Default)]
pub(super) struct Problems(Vec<(String, String)>);

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

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ProfileForm {
    regio: String,
    hulp: Vec<String>,
    vaardigheden: Vec<String>,
    talen: Vec<String>,
    postcode: String,
    afstand: String,
    beschikbaar: Vec<String>,
    capaciteit: String,
    auto: String,
    vog: String,
    voorkeuren: String,
}

impl ProfileForm {
    fn of(profile: &Profile) -> ProfileForm {
        let d = &profile.draft;
        let mut beschikbaar = Vec::new();
        for slot in &d.availability {
            for (part, start, end) in DAY_PARTS {
                let cell = WeekSlot {
                    day: slot.day,
                    start_minute: start,
                    end_minute: end,
                };
                if slot.overlap_minutes(cell) > 0 {
                    beschikbaar.push(format!("{}-{part}", slot.day.code()));
                }
            }
        }
        ProfileForm {
            regio: profile.region_id.clone().unwrap_or_default(),
            hulp: d.offers.codes().iter().map(|c| c.to_string()).collect(),
            vaardigheden: d.skills.codes().iter().map(|c| c.to_string()).collect(),
            talen: d.languages.codes().iter().map(|c| c.to_string()).collect(),
            postcode: d.pc4.to_string(),
            afstand: format_km(d.max_distance_km),
            beschikbaar,
            capaciteit: d.capacity.to_string(),
            auto: if d.has_car {
                "ja".into()
            } else {
                String::new()
            },
            vog: d.vog_issued_on.map(Day::iso).unwrap_or_default(),
            voorkeuren: d.preferences.clone(),
        }
    }

    fn new_profile() -> ProfileForm {
        ProfileForm {
            afstand: "5".into(),
            capaciteit: "1".into(),
            talen: vec!["nl".into()],
            ..ProfileForm::default()
        }
    }
}

fn format_km(km: f64) -> String {
    let s = format!("{km}");
    s.replace('.', ",")
}

/// A number as people type it: `2,5` or `2.5`.
fn parse_decimal(input: &str) -> Option<f64> {
    input
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// A date as typed: `2026-11-24` (what a date field sends) or `24-11-2026`.
pub(super) fn parse_date(input: &str) -> Option<Day> {
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

/// The form into a draft, or what to fix (every problem, in the form's order).
fn check_profile(
    tr: &Tr,
    form: &ProfileForm,
    regions: &[(String, String)],
    registering: bool,
    today: Day,
) -> Result<ProfileDraft, Problems> {
    let mut problems = Problems::default();
    if registering && !regions.iter().any(|(id, _)| *id == form.regio) {
        problems.add("regio", tr.t("matching-vol-error-region"));
    }
    let offers: Option<HelpTypes> =
        HelpTypes::from_codes(form.hulp.iter().map(String::as_str)).ok();
    match offers {
        Some(o) if !o.is_empty() => {}
        _ => problems.add("hulp-0", tr.t("matching-vol-error-help")),
    }
    let skills = Skills::from_codes(form.vaardigheden.iter().map(String::as_str)).ok();
    if skills.is_none() {
        problems.add("vaardigheid-0", tr.t("matching-vol-error-choice"));
    }
    let languages = Languages::from_codes(form.talen.iter().map(String::as_str)).ok();
    if languages.is_none() {
        problems.add("taal-0", tr.t("matching-vol-error-choice"));
    }
    let pc4 = Pc4::from_postcode(&form.postcode).ok();
    if pc4.is_none() {
        problems.add("postcode", tr.t("matching-vol-error-postcode"));
    }
    let distance = parse_decimal(&form.afstand).filter(|km| (0.5..=50.0).contains(km));
    if distance.is_none() {
        problems.add("afstand", tr.t("matching-vol-error-distance"));
    }
    let mut availability = Vec::new();
    let mut bad_slot = false;
    for cell in &form.beschikbaar {
        let slot = cell.split_once('-').and_then(|(day, part)| {
            let day = Weekday::from_code(day)?;
            let (_, start, end) = DAY_PARTS.iter().find(|(p, _, _)| *p == part)?;
            WeekSlot::new(day, *start, *end)
        });
        match slot {
            Some(s) if !availability.contains(&s) => availability.push(s),
            Some(_) => {}
            None => bad_slot = true,
        }
    }
    if availability.is_empty() || bad_slot {
        problems.add(
            "beschikbaar-ma-ochtend",
            tr.t("matching-vol-error-availability"),
        );
    }
    let capacity = form
        .capaciteit
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|c| (1..=CAPACITY_MAX).contains(c));
    if capacity.is_none() {
        problems.add("capaciteit", tr.t("matching-vol-error-capacity"));
    }
    let vog = if form.vog.trim().is_empty() {
        Some(None)
    } else {
        parse_date(&form.vog).filter(|d| *d <= today).map(Some)
    };
    if vog.is_none() {
        problems.add("vog", tr.t("matching-vol-error-vog"));
    }
    if form.voorkeuren.chars().count() > TEXT_MAX {
        problems.add("voorkeuren", tr.t("matching-vol-error-too-long"));
    }
    match (offers, skills, languages, pc4, distance, capacity, vog) {
        (
            Some(offers),
            Some(skills),
            Some(languages),
            Some(pc4),
            Some(km),
            Some(capacity),
            Some(vog),
        ) if problems.is_empty() => Ok(ProfileDraft {
            offers,
            skills,
            languages,
            pc4,
            max_distance_km: km,
            municipalities: Vec::new(),
            availability,
            capacity,
            has_car: form.auto == "ja",
            vog_issued_on: vog,
            preferences: form.voorkeuren.trim().to_string(),
        }),
        _ => Err(problems),
    }
}

#[derive(Template)]
#[template(path = "matching_volunteer_profile.html")]
struct ProfilePage {
    page: Page,
    registered: bool,
    status: String,
    status_code: String,
    done: String,
    errors: Problems,
    regions: Vec<Choice>,
    help: Vec<Choice>,
    skills: Vec<Choice>,
    languages: Vec<Choice>,
    week: Vec<WeekRow>,
    parts: Vec<String>,
    part_labels: Vec<String>,
    status_text: String,
    form: ProfileForm,
    capacity_attributes: String,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    picked: &[String],
) -> Vec<Choice> {
    all.iter()
        .map(|&item| Choice {
            value: code(item).to_string(),
            label: label(item),
            checked: picked.iter().any(|p| p == code(item)),
        })
        .collect()
}

async fn regions_to_choose(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(base::region_overview(state.store())
        .await?
        .into_iter()
        .map(|r| (r.region.id, r.region.name))
        .collect())
}

fn profile_page(
    request: &PageRequest,
    profile: Option<&Profile>,
    form: ProfileForm,
    regions: &[(String, String)],
    errors: Problems,
    done: &str,
) -> ProfilePage {
    let t = &request.tr;
    let selected_region = if form.regio.is_empty() && regions.len() == 1 {
        regions[0].0.clone()
    } else {
        form.regio.clone()
    };
    ProfilePage {
        page: request.page("matching-vol-profile-title"),
        registered: profile.is_some(),
        status: profile
            .map(|p| t.t(&format!("matching-vol-status-{}", p.status.code())))
            .unwrap_or_default(),
        status_code: profile.map(|p| p.status.code()).unwrap_or("").to_string(),
        done: match done {
            "opgeslagen" | "aangemeld" | "gepauzeerd" | "hervat" | "gestopt" => {
                t.t(&format!("matching-vol-done-{done}"))
            }
            _ => String::new(),
        },
        errors,
        regions: regions
            .iter()
            .map(|(id, name)| Choice {
                value: id.clone(),
                label: name.clone(),
                checked: *id == selected_region,
            })
            .collect(),
        help: choices(
            HelpType::ALL,
            HelpType::code,
            |h| help_label(t, h),
            &form.hulp,
        ),
        skills: choices(
            Skill::ALL,
            Skill::code,
            |s| t.t(&format!("matching-vol-skill-{}", s.code())),
            &form.vaardigheden,
        ),
        languages: choices(
            Language::ALL,
            Language::code,
            |l| t.t(&format!("matching-vol-language-{}", l.code())),
            &form.talen,
        ),
        week: Weekday::ALL
            .iter()
            .map(|&day| WeekRow {
                day: day_name(t, day),
                cells: DAY_PARTS
                    .iter()
                    .map(|(part, _, _)| {
                        let value = format!("{}-{part}", day.code());
                        Choice {
                            checked: form.beschikbaar.contains(&value),
                            label: format!(
                                "{} {}",
                                day_name(t, day),
                                t.t(&format!("matching-vol-part-{part}"))
                            ),
                            value,
                        }
                    })
                    .collect(),
            })
            .collect(),
        parts: DAY_PARTS
            .iter()
            .map(|(part, start, end)| {
                t.t2(
                    &format!("matching-vol-part-{part}-span"),
                    ("from", &hhmm(*start)),
                    ("until", &hhmm(*end)),
                )
            })
            .collect(),
        part_labels: DAY_PARTS
            .iter()
            .map(|(part, _, _)| t.t(&format!("matching-vol-part-{part}")))
            .collect(),
        status_text: profile
            .map(|p| t.t(&format!("matching-vol-status-{}-text", p.status.code())))
            .unwrap_or_default(),
        form,
        capacity_attributes: format!(" min=\"1\" max=\"{CAPACITY_MAX}\""),
    }
}

fn profile_resource() -> Resource<'static> {
    Resource::VolunteerProfile {
        own: true,
        coordinates_region: false,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    gedaan: String,
}

/// `GET /vrijwilliger/profiel`: the volunteer's offer (the registration form when there is none).
async fn profile_form(
    State(state): State<AppState>,
    request: PageRequest,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    require_volunteer(&state, &user, Action::Read, PROFILE_CATEGORY).await?;
    let mut tx = state.store().begin_write().await?;
    let profile = volunteers::get(&mut tx, &user.actor.user_id)
        .await
        .map_err(store_error)?;
    let (tx, _) = decide(
        &state,
        tx,
        &user,
        Action::Read,
        &profile_resource(),
        &Subject {
            person_id: user.actor.person_id.as_deref(),
            categories: PROFILE_CATEGORY,
        },
        &request.path,
    )
    .await?;
    crate::accounts::commit(&state, tx).await?;
    let regions = regions_to_choose(&state).await?;
    let form = profile
        .as_ref()
        .map(ProfileForm::of)
        .unwrap_or_else(ProfileForm::new_profile);
    Ok(render(
        StatusCode::OK,
        profile_page(
            &request,
            profile.as_ref(),
            form,
            &regions,
            Problems::default(),
            &query.gedaan,
        ),
    ))
}

/// `POST /vrijwilliger/profiel`: registers (status intake) or saves the offer.
async fn profile_save(
    State(state): State<AppState>,
    request: PageRequest,
    crate::forms::Form(form): crate::forms::Form<ProfileForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    require_volunteer(&state, &user, Action::Update, PROFILE_CATEGORY).await?;
    let mut tx = state.store().begin_write().await?;
    let profile = volunteers::get(&mut tx, &user.actor.user_id)
        .await
        .map_err(store_error)?;
    let action = if profile.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    let (mut tx, _) = decide(
        &state,
        tx,
        &user,
        action,
        &profile_resource(),
        &Subject {
            person_id: user.actor.person_id.as_deref(),
            categories: PROFILE_CATEGORY,
        },
        &request.path,
    )
    .await?;
    let regions = regions_to_choose(&state).await?;
    let today = Day::local(now_ms());
    let draft = match check_profile(&request.tr, &form, &regions, profile.is_none(), today) {
        Ok(draft) => draft,
        Err(problems) => {
            drop(tx);
            return Ok(render(
                StatusCode::BAD_REQUEST,
                profile_page(&request, profile.as_ref(), form, &regions, problems, ""),
            ));
        }
    };
    let now = now_ms();
    let written = match &profile {
        None => {
            volunteers::register(&mut tx, &user.actor.user_id, Some(&form.regio), &draft, now).await
        }
        Some(_) => volunteers::update(&mut tx, &user.actor.user_id, &draft, now).await,
    };
    if let Err(e) = written {
        drop(tx);
        return refused(&request, e, back_to_profile(&request));
    }
    crate::accounts::commit(&state, tx).await?;
    let done = if profile.is_some() {
        "opgeslagen"
    } else {
        "aangemeld"
    };
    Ok(see_other(format!("/vrijwilliger/profiel?gedaan={done}")))
}

fn back_to_profile(request: &PageRequest) -> (String, String) {
    (
        "/vrijwilliger/profiel".into(),
        request.tr.t("matching-vol-back-to-profile"),
    )
}

/// `POST /vrijwilliger/profiel/{pauzeren|hervatten|stoppen}`.
async fn profile_step(
    State(state): State<AppState>,
    request: PageRequest,
    Path(step): Path<String>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    require_volunteer(&state, &user, Action::Update, PROFILE_CATEGORY).await?;
    let tx = state.store().begin_write().await?;
    let (mut tx, _) = decide(
        &state,
        tx,
        &user,
        Action::Update,
        &profile_resource(),
        &Subject {
            person_id: user.actor.person_id.as_deref(),
            categories: PROFILE_CATEGORY,
        },
        &request.path,
    )
    .await?;
    let now = now_ms();
    let me = user.actor.user_id.as_str();
    let (done, result) = match step.as_str() {
        "pauzeren" => ("gepauzeerd", volunteers::pause(&mut tx, me, now).await),
        "hervatten" => ("hervat", volunteers::resume(&mut tx, me, now).await),
        "stoppen" => ("gestopt", volunteers::end(&mut tx, me, now).await),
        _ => return Err(AppError::NotFound),
    };
    if let Err(e) = result {
        drop(tx);
        return refused(&request, e, back_to_profile(&request));
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(format!("/vrijwilliger/profiel?gedaan={done}")))
}

// ---- The volunteer's proposals -----------------------------------------------------------------

struct ProposalLine {
    href: String,
    help_type: String,
    neighbourhood: String,
    first_on: String,
    status: String,
    respond_by: String,
}

#[derive(Template)]
#[template(path = "matching_volunteer_proposals.html")]
struct ProposalListPage {
    page: Page,
    waiting: Vec<ProposalLine>,
    accepted: Vec<ProposalLine>,
    done: Vec<ProposalLine>,
    has_profile: bool,
}

/// `GET /vrijwilliger/voorstellen`: waiting, accepted and done proposals (one audit record per
/// caregiver shown).
async fn proposal_list(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    require_volunteer(&state, &user, Action::Read, REQUEST_CATEGORY).await?;
    let t = &request.tr;
    let mut tx = state.store().begin_write().await?;
    let has_profile = volunteers::get(&mut tx, &user.actor.user_id)
        .await
        .map_err(store_error)?
        .is_some();
    let mine = proposals::of_volunteer(&mut tx, &user.actor.user_id)
        .await
        .map_err(store_error)?;
    let mut subjects: Vec<(String, Purpose)> = Vec::new();
    let (mut waiting, mut accepted, mut done) = (Vec::new(), Vec::new(), Vec::new());
    for line in mine {
        let purpose = match line.status {
            ProposalStatus::Proposed => Purpose::ProposedVolunteer,
            ProposalStatus::Accepted | ProposalStatus::Done => Purpose::MatchedVolunteer,
            _ => continue,
        };
        let Some(request_row) = requests::get(&mut tx, &line.request_id)
            .await
            .map_err(store_error)?
        else {
            continue;
        };
        if let Some(n) = network::network(&mut tx, &request_row.network_id)
            .await
            .map_err(sql)?
        {
            subjects.push((n.caregiver_person_id, purpose));
        }
        let place = postcodes::lookup(state.store(), request_row.draft.pc4)
            .await
            .map_err(sql)?
            .map(|a| a.place)
            .unwrap_or_default();
        let item = ProposalLine {
            href: format!("/vrijwilliger/voorstellen/{}", line.proposal_id),
            help_type: help_label(t, request_row.draft.help_type),
            neighbourhood: format!("{} {place}", line.pc4).trim().to_string(),
            first_on: long_date(t, request_row.draft.first_on),
            status: status_label(t, line.status),
            respond_by: crate::network::timeline::local_moment(line.respond_by),
        };
        match line.status {
            ProposalStatus::Proposed => waiting.push(item),
            ProposalStatus::Accepted => accepted.push(item),
            _ => done.push(item),
        }
    }
    let refs: Vec<(&str, Purpose)> = subjects.iter().map(|(p, u)| (p.as_str(), *u)).collect();
    if !refs.is_empty() {
        log_allowed_many(
            &state,
            &mut tx,
            &user,
            Action::Read,
            &refs,
            REQUEST_CATEGORY,
        )
        .await?;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(render(
        StatusCode::OK,
        ProposalListPage {
            page: request.page("matching-vol-proposals-title"),
            waiting,
            accepted,
            done,
            has_profile,
        },
    ))
}

#[derive(Template)]
#[template(path = "matching_volunteer_proposal.html")]
struct ProposalPage {
    page: Page,
    view: RequestLines,
    status: String,
    can_answer: bool,
    respond_by: String,
    answer_action: String,
    done: String,
    evaluation_href: String,
    errors: Problems,
}

async fn proposal_page_for(
    state: &AppState,
    request: &PageRequest,
    id: &str,
    done: &str,
    errors: Problems,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (mut tx, opened) = open_proposal(state, request, id, Action::Read).await?;
    let view = volunteer_view(
        state,
        &mut tx,
        &opened.proposal,
        &opened.request,
        &opened.network,
    )
    .await?;
    let sides = proposals::evaluated_sides(&mut tx, id)
        .await
        .map_err(store_error)?;
    crate::accounts::commit(state, tx).await?;
    let Some(view) = view else {
        return Err(AppError::Forbidden);
    };
    let t = &request.tr;
    let p = &opened.proposal;
    let can_answer = p.status == ProposalStatus::Proposed && p.respond_by > now_ms();
    Ok(render(
        status,
        ProposalPage {
            page: request.page("matching-vol-proposal-title"),
            view: lines(t, &view),
            status: status_label(t, p.status),
            can_answer,
            respond_by: crate::network::timeline::local_moment(p.respond_by),
            answer_action: format!("/vrijwilliger/voorstellen/{id}/antwoord"),
            done: match done {
                "ja" => t.t("matching-vol-answered-yes"),
                "nee" => t.t("matching-vol-answered-no"),
                "beoordeeld" => t.t("matching-eval-thanks"),
                _ => String::new(),
            },
            evaluation_href: if p.status == ProposalStatus::Done
                && !sides.contains(&Side::Volunteer)
            {
                format!("/vrijwilliger/voorstellen/{id}/evaluatie")
            } else {
                String::new()
            },
            errors,
        },
    ))
}

/// `GET /vrijwilliger/voorstellen/{id}`: the limited view before accepting, the full one after.
async fn proposal_page(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    proposal_page_for(
        &state,
        &request,
        &id,
        &query.gedaan,
        Problems::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AnswerForm {
    pub keuze: String,
}

/// `ja` or `nee`.
pub(super) fn choice(input: &str) -> Option<bool> {
    match input.trim() {
        "ja" => Some(true),
        "nee" => Some(false),
        _ => None,
    }
}

/// `POST /vrijwilliger/voorstellen/{id}/antwoord`: accept (`keuze=ja`) or decline (`nee`).
async fn proposal_answer(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    crate::forms::Form(form): crate::forms::Form<AnswerForm>,
) -> Result<Response, AppError> {
    let (mut tx, opened) = open_proposal(&state, &request, &id, Action::Update).await?;
    let Some(accept) = choice(&form.keuze) else {
        drop(tx);
        let mut problems = Problems::default();
        problems.add("keuze-ja", request.tr.t("matching-vol-error-choice-yes-no"));
        return proposal_page_for(&state, &request, &id, "", problems, StatusCode::BAD_REQUEST)
            .await;
    };
    let back = (
        format!("/vrijwilliger/voorstellen/{id}"),
        request.tr.t("matching-vol-back-to-proposal"),
    );
    let answered =
        match proposals::answer(&mut tx, &id, &opened.user.actor.user_id, accept, now_ms()).await {
            Ok(p) => p,
            Err(e) => {
                drop(tx);
                return refused(&request, e, back);
            }
        };
    crate::accounts::commit(&state, tx).await?;
    if !accept {
        super::coordinator::propose_next(&state, &answered.request_id).await;
    }
    let done = if accept { "ja" } else { "nee" };
    Ok(see_other(format!(
        "/vrijwilliger/voorstellen/{id}?gedaan={done}"
    )))
}

// ---- Evaluations -------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct EvaluationForm {
    cijfer: String,
    opnieuw: String,
    toelichting: String,
}

#[derive(Template)]
#[template(path = "matching_evaluation.html")]
struct EvaluationPage {
    page: Page,
    intro: String,
    again_question: String,
    again_no_hint: String,
    action: String,
    back_href: String,
    faces: Vec<Choice>,
    again: Vec<Choice>,
    form: EvaluationForm,
    errors: Problems,
}

fn evaluation_page(
    request: &PageRequest,
    side: Side,
    about: &str,
    action: String,
    back_href: String,
    form: EvaluationForm,
    errors: Problems,
) -> EvaluationPage {
    let t = &request.tr;
    let (intro, again_question, again_no_hint) = match side {
        Side::Volunteer => (
            t.t1("matching-eval-intro-volunteer", "name", about),
            t.t("matching-eval-again-volunteer"),
            t.t("matching-eval-again-no-hint-volunteer"),
        ),
        Side::CaregiverSide => (
            t.t1("matching-eval-intro-caregiver", "name", about),
            t.t("matching-eval-again-caregiver"),
            t.t("matching-eval-again-no-hint-caregiver"),
        ),
    };
    EvaluationPage {
        page: request.page("matching-eval-title"),
        intro,
        again_question,
        again_no_hint,
        action,
        back_href,
        faces: (1..=5)
            .map(|n| Choice {
                value: n.to_string(),
                label: t.t(&format!("matching-eval-face-{n}")),
                checked: form.cijfer == n.to_string(),
            })
            .collect(),
        again: ["ja", "nee"]
            .iter()
            .map(|v| Choice {
                value: v.to_string(),
                label: t.t(&format!("matching-eval-again-{v}")),
                checked: form.opnieuw == *v,
            })
            .collect(),
        form,
        errors,
    }
}

/// The checked evaluation: rating, would do again, note.
fn check_evaluation(tr: &Tr, form: &EvaluationForm) -> Result<(Rating, bool, String), Problems> {
    let mut problems = Problems::default();
    let rating = form
        .cijfer
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|n| Rating::new(n).ok());
    if rating.is_none() {
        problems.add("cijfer-1", tr.t("matching-eval-error-rating"));
    }
    let again = choice(&form.opnieuw);
    if again.is_none() {
        problems.add("opnieuw-ja", tr.t("matching-eval-error-again"));
    }
    if form.toelichting.chars().count() > TEXT_MAX {
        problems.add("toelichting", tr.t("matching-vol-error-too-long"));
    }
    match (rating, again) {
        (Some(r), Some(a)) if problems.is_empty() => Ok((r, a, form.toelichting.trim().into())),
        _ => Err(problems),
    }
}

/// Writes one side's evaluation (and the block when they would not do it again) in `tx`.
#[allow(clippy::too_many_arguments)]
async fn write_evaluation(
    tx: &mut Tx,
    proposal: &Proposal,
    network_id: &str,
    side: Side,
    rating: Rating,
    again: bool,
    note: &str,
    by_user_id: &str,
) -> Result<(), MatchingError> {
    let now = now_ms();
    proposals::evaluate(tx, &proposal.id, side, rating, note, by_user_id, now).await?;
    if !again {
        let reason = match side {
            Side::Volunteer => "evaluatie: de vrijwilliger wil hier niet opnieuw helpen",
            Side::CaregiverSide => "evaluatie: de mantelzorger wil deze vrijwilliger niet opnieuw",
        };
        volunteers::block(
            tx,
            &proposal.volunteer_user_id,
            network_id,
            reason,
            by_user_id,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Whether this side may still evaluate: the help was given and they have not evaluated.
async fn evaluation_open(
    request: &PageRequest,
    tx: &mut Tx,
    proposal: Option<&Proposal>,
    side: Side,
    back: &(String, String),
) -> Result<Option<Response>, AppError> {
    let Some(proposal) = proposal.filter(|p| p.status == ProposalStatus::Done) else {
        return Ok(Some(notice(
            request,
            StatusCode::CONFLICT,
            "matching-eval-title",
            request.tr.t("matching-eval-not-yet"),
            back.clone(),
        )));
    };
    let sides = proposals::evaluated_sides(tx, &proposal.id)
        .await
        .map_err(store_error)?;
    if sides.contains(&side) {
        return Ok(Some(notice(
            request,
            StatusCode::CONFLICT,
            "matching-eval-title",
            request.tr.t("matching-eval-already"),
            back.clone(),
        )));
    }
    Ok(None)
}

/// `GET /vrijwilliger/voorstellen/{id}/evaluatie`.
async fn volunteer_evaluation_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (mut tx, opened) = open_proposal(&state, &request, &id, Action::Read).await?;
    let back = (
        format!("/vrijwilliger/voorstellen/{id}"),
        request.tr.t("matching-vol-back-to-proposal"),
    );
    let blocked = evaluation_open(
        &request,
        &mut tx,
        Some(&opened.proposal),
        Side::Volunteer,
        &back,
    )
    .await?;
    let first_name = network::person(&mut tx, &opened.network.caregiver_person_id)
        .await
        .map_err(sql)?
        .map(|p| p.given_name)
        .unwrap_or_default();
    crate::accounts::commit(&state, tx).await?;
    if let Some(page) = blocked {
        return Ok(page);
    }
    Ok(render(
        StatusCode::OK,
        evaluation_page(
            &request,
            Side::Volunteer,
            &first_name,
            format!("/vrijwilliger/voorstellen/{id}/evaluatie"),
            back.0,
            EvaluationForm::default(),
            Problems::default(),
        ),
    ))
}

/// `POST /vrijwilliger/voorstellen/{id}/evaluatie`.
async fn volunteer_evaluation(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    crate::forms::Form(form): crate::forms::Form<EvaluationForm>,
) -> Result<Response, AppError> {
    let (mut tx, opened) = open_proposal(&state, &request, &id, Action::Update).await?;
    let back = (
        format!("/vrijwilliger/voorstellen/{id}"),
        request.tr.t("matching-vol-back-to-proposal"),
    );
    if let Some(page) = evaluation_open(
        &request,
        &mut tx,
        Some(&opened.proposal),
        Side::Volunteer,
        &back,
    )
    .await?
    {
        drop(tx);
        return Ok(page);
    }
    let (rating, again, note) = match check_evaluation(&request.tr, &form) {
        Ok(checked) => checked,
        Err(problems) => {
            drop(tx);
            return Ok(render(
                StatusCode::BAD_REQUEST,
                evaluation_page(
                    &request,
                    Side::Volunteer,
                    "",
                    format!("/vrijwilliger/voorstellen/{id}/evaluatie"),
                    back.0,
                    form,
                    problems,
                ),
            ));
        }
    };
    if let Err(e) = write_evaluation(
        &mut tx,
        &opened.proposal,
        &opened.network.id,
        Side::Volunteer,
        rating,
        again,
        &note,
        &opened.user.actor.user_id,
    )
    .await
    {
        drop(tx);
        return refused(&request, e, back);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(format!(
        "/vrijwilliger/voorstellen/{id}?gedaan=beoordeeld"
    )))
}

/// A help request opened for its caregiver's side: the policy decides with the visitor's
/// standing in the kring (the caregiver, or a member acting for them, may evaluate).
async fn open_request_for_caregiver(
    state: &AppState,
    request: &PageRequest,
    request_id: &str,
    action: Action,
) -> Result<(Tx, HelpRequest, NetworkInfo, Authenticated, bool), AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let mut tx = state.store().begin_write().await?;
    let found = requests::get(&mut tx, request_id)
        .await
        .map_err(store_error)?;
    let network = match &found {
        Some(r) => network::network(&mut tx, &r.network_id)
            .await
            .map_err(sql)?,
        None => None,
    };
    let relationship = match &network {
        Some(n) => {
            network::standing(&mut tx, &user.actor, n)
                .await
                .map_err(sql)?
                .relationship
        }
        None => Relationship::default(),
    };
    let resource = Resource::HelpRequest {
        relationship: &relationship,
        coordinates_region: false,
        proposal: None,
    };
    let may_evaluate =
        mantelkring_core::access::may(Some(&user.actor), Action::Update, &resource).is_allowed();
    let (tx, _) = decide(
        state,
        tx,
        &user,
        action,
        &resource,
        &Subject {
            person_id: network.as_ref().map(|n| n.caregiver_person_id.as_str()),
            categories: REQUEST_CATEGORY,
        },
        &request.path,
    )
    .await?;
    let (Some(found), Some(network)) = (found, network) else {
        return Err(AppError::NotFound);
    };
    Ok((tx, found, network, user, may_evaluate))
}

async fn done_proposal(tx: &mut Tx, request_id: &str) -> Result<Option<Proposal>, AppError> {
    Ok(proposals::of_request(tx, request_id)
        .await
        .map_err(store_error)?
        .into_iter()
        .find(|p| p.status == ProposalStatus::Done))
}

/// `GET /hulpvragen/{request_id}/evaluatie`: the caregiver's side evaluates the help.
async fn caregiver_evaluation_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(request_id): Path<String>,
) -> Result<Response, AppError> {
    let (mut tx, _, _, _, may_evaluate) =
        open_request_for_caregiver(&state, &request, &request_id, Action::Read).await?;
    let back = (
        format!("/hulpvragen/{request_id}"),
        request.tr.t("matching-eval-back-to-request"),
    );
    if !may_evaluate {
        crate::accounts::commit(&state, tx).await?;
        return Ok(notice(
            &request,
            StatusCode::FORBIDDEN,
            "matching-eval-title",
            request.tr.t("matching-eval-not-yours"),
            back,
        ));
    }
    let proposal = done_proposal(&mut tx, &request_id).await?;
    let blocked = evaluation_open(
        &request,
        &mut tx,
        proposal.as_ref(),
        Side::CaregiverSide,
        &back,
    )
    .await?;
    let volunteer_name = match &proposal {
        Some(p) => base::display_name(state.store(), &p.volunteer_user_id)
            .await?
            .unwrap_or_default(),
        None => String::new(),
    };
    crate::accounts::commit(&state, tx).await?;
    if let Some(page) = blocked {
        return Ok(page);
    }
    Ok(render(
        StatusCode::OK,
        evaluation_page(
            &request,
            Side::CaregiverSide,
            &volunteer_name,
            format!("/hulpvragen/{request_id}/evaluatie"),
            back.0,
            EvaluationForm::default(),
            Problems::default(),
        ),
    ))
}

/// `POST /hulpvragen/{request_id}/evaluatie`.
async fn caregiver_evaluation(
    State(state): State<AppState>,
    request: PageRequest,
    Path(request_id): Path<String>,
    crate::forms::Form(form): crate::forms::Form<EvaluationForm>,
) -> Result<Response, AppError> {
    let (mut tx, _, network, user, _) =
        open_request_for_caregiver(&state, &request, &request_id, Action::Update).await?;
    let back = (
        format!("/hulpvragen/{request_id}"),
        request.tr.t("matching-eval-back-to-request"),
    );
    let proposal = done_proposal(&mut tx, &request_id).await?;
    if let Some(page) = evaluation_open(
        &request,
        &mut tx,
        proposal.as_ref(),
        Side::CaregiverSide,
        &back,
    )
    .await?
    {
        drop(tx);
        return Ok(page);
    }
    let Some(proposal) = proposal else {
        return Err(AppError::NotFound);
    };
    let (rating, again, note) = match check_evaluation(&request.tr, &form) {
        Ok(checked) => checked,
        Err(problems) => {
            drop(tx);
            return Ok(render(
                StatusCode::BAD_REQUEST,
                evaluation_page(
                    &request,
                    Side::CaregiverSide,
                    "",
                    format!("/hulpvragen/{request_id}/evaluatie"),
                    back.0,
                    form,
                    problems,
                ),
            ));
        }
    };
    if let Err(e) = write_evaluation(
        &mut tx,
        &proposal,
        &network.id,
        Side::CaregiverSide,
        rating,
        again,
        &note,
        &user.actor.user_id,
    )
    .await
    {
        drop(tx);
        return refused(&request, e, back);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(notice(
        &request,
        StatusCode::OK,
        "matching-eval-title",
        request.tr.t("matching-eval-thanks"),
        back,
    ))
}

// ---- The coordinator's intake ------------------------------------------------------------------

/// The regions in which the visitor coordinates volunteers (through their organisations).
async fn coordinated_regions(
    state: &AppState,
    user: &Authenticated,
) -> Result<Vec<String>, AppError> {
    let orgs: Vec<&str> = user
        .actor
        .memberships
        .iter()
        .filter(|(_, r)| *r == Role::VolunteerCoordinator)
        .map(|(o, _)| o.as_str())
        .collect();
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let mut regions: Vec<String> = admin::organisations(state.store())
        .await?
        .into_iter()
        .filter(|o| orgs.contains(&o.organisation.id.as_str()))
        .map(|o| o.organisation.region_id)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

struct IntakeLine {
    href: String,
    name: String,
    since: String,
}

#[derive(Template)]
#[template(path = "matching_intake_list.html")]
struct IntakeListPage {
    page: Page,
    lines: Vec<IntakeLine>,
    done: String,
}

/// `GET /vrijwilligers/intake`: the profiles waiting for an intake in the coordinator's regions.
async fn intake_list(
    State(state): State<AppState>,
    request: PageRequest,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let regions = coordinated_regions(&state, &user).await?;
    let tx = state.store().begin_write().await?;
    let (mut tx, _) = decide_with_detail(
        &state,
        tx,
        &user,
        Action::Search,
        &Resource::VolunteerProfile {
            own: false,
            coordinates_region: !regions.is_empty(),
        },
        &Subject {
            person_id: None,
            categories: PROFILE_CATEGORY,
        },
        &request.path,
        Some("status=intake"),
    )
    .await?;
    let mut lines = Vec::new();
    for region in &regions {
        for (user_id, name, since) in volunteers::awaiting_intake(&mut tx, region)
            .await
            .map_err(store_error)?
        {
            lines.push(IntakeLine {
                href: format!("/vrijwilligers/intake/{user_id}"),
                name,
                since: crate::network::timeline::dutch_date(Day::local(since)),
            });
        }
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(render(
        StatusCode::OK,
        IntakeListPage {
            page: request.page("matching-vol-intake-title"),
            lines,
            done: if query.gedaan == "actief" {
                request.tr.t("matching-vol-intake-done")
            } else {
                String::new()
            },
        },
    ))
}

/// A profile opened for the coordinator (policy: a coordinator of the profile's region).
async fn open_profile(
    state: &AppState,
    request: &PageRequest,
    user_id: &str,
    action: Action,
) -> Result<(Tx, Profile, Authenticated), AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let regions = coordinated_regions(state, &user).await?;
    let mut tx = state.store().begin_write().await?;
    let profile = volunteers::get(&mut tx, user_id)
        .await
        .map_err(store_error)?;
    let in_region = profile
        .as_ref()
        .and_then(|p| p.region_id.as_ref())
        .is_some_and(|r| regions.contains(r));
    let detail = format!("volunteer_user={user_id}");
    let (tx, _) = decide_with_detail(
        state,
        tx,
        &user,
        action,
        &Resource::VolunteerProfile {
            own: false,
            coordinates_region: in_region,
        },
        &Subject {
            person_id: None,
            categories: PROFILE_CATEGORY,
        },
        &request.path,
        Some(&detail),
    )
    .await?;
    let Some(profile) = profile else {
        return Err(AppError::NotFound);
    };
    Ok((tx, profile, user))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct IntakeForm {
    vog_gezien: String,
    vog: String,
    notitie: String,
}

/// The profile in words, for the coordinator.
struct ProfileFacts {
    status: String,
    offers: String,
    skills: String,
    languages: String,
    area: String,
    availability: Vec<String>,
    capacity: String,
    car: String,
    vog: String,
    preferences: String,
}

#[derive(Template)]
#[template(path = "matching_intake_form.html")]
struct IntakePage {
    page: Page,
    facts: ProfileFacts,
    waiting: bool,
    action: String,
    form: IntakeForm,
    errors: Problems,
}

fn facts(tr: &Tr, profile: &Profile) -> ProfileFacts {
    let d = &profile.draft;
    let none = || tr.t("matching-vol-none");
    let list = |items: Vec<String>| {
        if items.is_empty() {
            none()
        } else {
            items.join(", ")
        }
    };
    ProfileFacts {
        status: tr.t(&format!("matching-vol-status-{}", profile.status.code())),
        offers: list(d.offers.iter().map(|h| help_label(tr, h)).collect()),
        skills: list(
            d.skills
                .iter()
                .map(|s| tr.t(&format!("matching-vol-skill-{}", s.code())))
                .collect(),
        ),
        languages: list(
            d.languages
                .iter()
                .map(|l| tr.t(&format!("matching-vol-language-{}", l.code())))
                .collect(),
        ),
        area: tr.t2(
            "matching-vol-area",
            ("pc4", &d.pc4.to_string()),
            ("km", &format_km(d.max_distance_km)),
        ),
        availability: d
            .availability
            .iter()
            .map(|w| {
                format!(
                    "{} {}–{}",
                    day_name(tr, w.day),
                    hhmm(w.start_minute),
                    hhmm(w.end_minute)
                )
            })
            .collect(),
        capacity: d.capacity.to_string(),
        car: tr.t(if d.has_car {
            "matching-vol-yes"
        } else {
            "matching-vol-no"
        }),
        vog: d
            .vog_issued_on
            .map(crate::network::timeline::dutch_date)
            .unwrap_or_else(none),
        preferences: if d.preferences.is_empty() {
            none()
        } else {
            d.preferences.clone()
        },
    }
}

async fn intake_page(
    state: &AppState,
    request: &PageRequest,
    profile: &Profile,
    form: IntakeForm,
    errors: Problems,
    status: StatusCode,
) -> Result<Response, AppError> {
    let name = base::display_name(state.store(), &profile.user_id)
        .await?
        .unwrap_or_default();
    let mut page = request.page("matching-vol-intake-form-title");
    page.title = request
        .tr
        .t1("matching-vol-intake-form-title-name", "name", &name);
    Ok(render(
        status,
        IntakePage {
            page,
            facts: facts(&request.tr, profile),
            waiting: profile.status == ProfileStatus::Intake,
            action: format!("/vrijwilligers/intake/{}", profile.user_id),
            form,
            errors,
        },
    ))
}

/// `GET /vrijwilligers/intake/{user_id}`: the profile and the intake form.
async fn intake_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    let (tx, profile, _) = open_profile(&state, &request, &user_id, Action::Read).await?;
    crate::accounts::commit(&state, tx).await?;
    let form = IntakeForm {
        vog: profile
            .draft
            .vog_issued_on
            .map(Day::iso)
            .unwrap_or_default(),
        ..IntakeForm::default()
    };
    intake_page(
        &state,
        &request,
        &profile,
        form,
        Problems::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /vrijwilligers/intake/{user_id}`: the intake is done; the profile becomes active.
async fn intake_save(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
    crate::forms::Form(form): crate::forms::Form<IntakeForm>,
) -> Result<Response, AppError> {
    let (mut tx, profile, user) = open_profile(&state, &request, &user_id, Action::Update).await?;
    let t = &request.tr;
    let mut problems = Problems::default();
    let seen = form.vog_gezien == "ja";
    let vog = if form.vog.trim().is_empty() {
        None
    } else {
        let day = parse_date(&form.vog).filter(|d| *d <= Day::local(now_ms()));
        if day.is_none() {
            problems.add("vog", t.t("matching-vol-error-vog"));
        }
        day
    };
    if seen && vog.is_none() && !problems.has("vog") {
        problems.add("vog", t.t("matching-vol-error-vog-needed"));
    }
    if form.notitie.chars().count() > TEXT_MAX {
        problems.add("notitie", t.t("matching-vol-error-too-long"));
    }
    if !problems.is_empty() {
        drop(tx);
        return intake_page(
            &state,
            &request,
            &profile,
            form,
            problems,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let now = now_ms();
    let back = (
        "/vrijwilligers/intake".to_string(),
        t.t("matching-vol-back-to-intake"),
    );
    let mut note = form.notitie.trim().to_string();
    if seen && let Some(day) = vog {
        let seen_line = t.t1(
            "matching-vol-intake-vog-note",
            "date",
            &crate::network::timeline::dutch_date(day),
        );
        note = if note.is_empty() {
            seen_line
        } else {
            format!("{seen_line}\n{note}")
        };
        let mut draft = profile.draft.clone();
        draft.vog_issued_on = Some(day);
        if let Err(e) = volunteers::update(&mut tx, &user_id, &draft, now).await {
            drop(tx);
            return refused(&request, e, back);
        }
    }
    if let Err(e) = volunteers::intake(&mut tx, &user_id, &user.actor.user_id, &note, now).await {
        drop(tx);
        return refused(&request, e, back);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other("/vrijwilligers/intake?gedaan=actief".into()))
}
