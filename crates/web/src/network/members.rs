//! Who is in the kring: members by circle, proposals waiting for the caregiver, what each member
//! sees, acting for the caregiver, removal, the naasten, and the membership history.
//!
//! The caregiver (or a member acting for them) adds someone at once, with the caregiver's
//! consent recorded; any other member can only propose someone, and the caregiver approves or
//! declines. Someone without an account gets one (no password yet) and an invitation link when
//! they are let in; professionals must already have an account through their organisation.

use super::{Kring, KringNav, labels, open, open_for_caregiver, path};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::{Form, valid_name};
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::base::Role;
use mantelkring_core::identity::Email;
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::network::{
    Field, MemberKind, MemberStatus, NotifyMode, Relation, SHORT_TEXT_MAX, one_line,
};
use mantelkring_store::base::{self, NewUser};
use mantelkring_store::identity::{self, LinkPurpose};
use mantelkring_store::network::members::{self, Member, NewMember};
use mantelkring_store::network::{self, ConsentMethod, regie};
use mantelkring_store::{Conn, jobs};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/leden", get(show).post(add))
        .route("/kringen/{id}/leden/{member}/goedkeuren", post(approve))
        .route("/kringen/{id}/leden/{member}/afwijzen", post(decline))
        .route("/kringen/{id}/leden/{member}/zicht", post(set_categories))
        .route("/kringen/{id}/leden/{member}/verwijderen", post(remove))
        .route("/kringen/{id}/naasten", post(add_naaste))
        .route(
            "/kringen/{id}/naasten/{naaste}/verwijderen",
            post(remove_naaste),
        )
}

/// One member as shown.
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub role_label: String,
    pub organisation: String,
    pub kind: String,
    pub field: String,
    pub regiehouder: bool,
    pub categories: String,
    pub codes: Vec<&'static str>,
    pub acts_for: bool,
    pub email: String,
    pub proposed_by: String,
    pub proposal_note: String,
}

impl MemberView {
    pub fn new(tr: &crate::i18n::Tr, m: &Member, regiehouder: Option<&str>) -> MemberView {
        MemberView {
            id: m.id.clone(),
            name: m.name.clone(),
            role_label: m.role_label.clone(),
            organisation: m.organisation.clone().unwrap_or_default(),
            kind: labels::kind(tr, m.kind),
            field: m.field.map(|f| labels::field(tr, f)).unwrap_or_default(),
            regiehouder: regiehouder == Some(m.id.as_str()),
            categories: labels::categories(tr, &m.categories),
            codes: m.categories.iter().map(|c| c.as_str()).collect(),
            acts_for: m.acts_for_caregiver,
            email: m.email.clone(),
            proposed_by: m.proposed_by.clone().unwrap_or_default(),
            proposal_note: m.proposal_note.clone().unwrap_or_default(),
        }
    }

    pub fn sees(&self, code: &str) -> bool {
        self.codes.contains(&code)
    }
}

/// A circle with its members, for the list that goes with the picture.
pub struct CircleGroup {
    pub title: String,
    pub members: Vec<MemberView>,
}

/// Active members grouped by circle (own network, volunteers and case manager, professionals).
pub fn circle_groups(
    tr: &crate::i18n::Tr,
    active: &[Member],
    regiehouder: Option<&str>,
) -> Vec<CircleGroup> {
    [
        (1, "kring-circle-own"),
        (2, "kring-circle-volunteers"),
        (3, "kring-circle-professionals"),
    ]
    .into_iter()
    .map(|(circle, key)| CircleGroup {
        title: tr.t(key),
        members: active
            .iter()
            .filter(|m| m.kind.circle() == circle)
            .map(|m| MemberView::new(tr, m, regiehouder))
            .collect(),
    })
    .collect()
}

struct NaasteView {
    id: String,
    name: String,
    relation: String,
    birth_year: String,
}

struct HistoryView {
    date: String,
    text: String,
}

#[derive(Template)]
#[template(path = "kring_members.html")]
struct MembersPage {
    page: Page,
    nav: KringNav,
    base: String,
    circles: Vec<CircleGroup>,
    proposed: Vec<MemberView>,
    naasten: Vec<NaasteView>,
    history: Vec<HistoryView>,
    manage: bool,
    regiehouder_missing: bool,
    categories: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    fields: Vec<(&'static str, String)>,
    relations: Vec<(&'static str, String)>,
    form: AddForm,
    message: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct AddForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    vakgebied: String,
    #[serde(default)]
    rol: String,
    #[serde(default)]
    zien: Vec<String>,
    #[serde(default)]
    toelichting: String,
}

async fn render(
    state: &AppState,
    request: &PageRequest,
    mut tx: mantelkring_store::Tx,
    kring: &Kring,
    form: AddForm,
    message: Option<String>,
) -> Result<MembersPage, AppError> {
    let id = &kring.network.id;
    let all = members::list(&mut tx, id, None).await?;
    let current = regie::current(&mut tx, id).await?;
    let naasten = members::naasten(&mut tx, id).await?;
    let manage = kring.speaks_for_caregiver();
    let history = if manage {
        members::history(&mut tx, id, 50).await?
    } else {
        Vec::new()
    };
    crate::accounts::commit(state, tx).await?;
    let tr = &request.tr;
    let regiehouder = current.as_ref().map(|t| t.member_id.as_str());
    let active: Vec<Member> = all
        .iter()
        .filter(|m| m.status == MemberStatus::Active)
        .cloned()
        .collect();
    // Other members see the proposals they made themselves; the caregiver sees all.
    let proposed = all
        .iter()
        .filter(|m| m.status == MemberStatus::Proposed)
        .filter(|m| manage || m.proposed_by.as_deref() == Some(kring.user.display_name.as_str()))
        .map(|m| MemberView::new(tr, m, None))
        .collect();
    Ok(MembersPage {
        page: request.page("kring-members-title"),
        nav: KringNav::new(kring, tr, "leden"),
        base: path(id, ""),
        circles: circle_groups(tr, &active, regiehouder),
        proposed,
        naasten: naasten
            .into_iter()
            .map(|n| NaasteView {
                name: network::full_name(&n.given_name, &n.family_name),
                relation: labels::relation(tr, n.relation),
                birth_year: n.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                id: n.id,
            })
            .collect(),
        history: history
            .into_iter()
            .map(|h| {
                let mut text = tr.t2(
                    &format!("kring-event-{}", h.event.as_str().replace('_', "-")),
                    ("member", &h.member),
                    ("by", &h.by),
                );
                if h.on_behalf {
                    text.push_str(&format!(" ({})", tr.t("kring-on-behalf")));
                }
                HistoryView {
                    date: crate::people::format_date(h.at),
                    text,
                }
            })
            .collect(),
        manage,
        regiehouder_missing: current.is_none(),
        categories: DataCategory::GRANTABLE
            .into_iter()
            .map(|c| (c.as_str(), labels::category(tr, c)))
            .collect(),
        kinds: MemberKind::ALL
            .iter()
            .map(|k| (k.as_str(), labels::kind(tr, *k)))
            .collect(),
        fields: Field::ALL
            .iter()
            .map(|f| (f.as_str(), labels::field(tr, *f)))
            .collect(),
        relations: Relation::ALL
            .iter()
            .map(|r| (r.as_str(), labels::relation(tr, *r)))
            .collect(),
        form,
        message,
    })
}

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
        DataCategory::Basic,
        &request.path,
    )
    .await?;
    let form = AddForm {
        soort: "own".into(),
        ..AddForm::default()
    };
    Ok(Html(
        render(&state, &request, tx, &kring, form, None)
            .await?
            .render()?,
    ))
}

/// Redirect after a change.
fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// Checked categories from the form: only grantable ones.
fn checked_categories(zien: &[String]) -> Result<Vec<DataCategory>, &'static str> {
    let mut out = Vec::new();
    for name in zien {
        match DataCategory::parse(name).filter(|c| DataCategory::GRANTABLE.contains(c)) {
            Some(c) if !out.contains(&c) => out.push(c),
            Some(_) => {}
            None => return Err("kring-err-category"),
        }
    }
    Ok(out)
}

struct ValidAdd {
    email: Email,
    name: Option<String>,
    kind: MemberKind,
    field: Option<Field>,
    role_label: String,
    categories: Vec<DataCategory>,
    note: String,
}

fn validate_add(form: &AddForm) -> Result<ValidAdd, &'static str> {
    let email = Email::parse(form.email.trim()).map_err(|_| "kring-err-email")?;
    let name = match form.naam.trim() {
        "" => None,
        n => Some(valid_name(n).ok_or("kring-err-name")?),
    };
    let kind = MemberKind::parse(&form.soort).ok_or("kring-err-kind")?;
    let field = match form.vakgebied.trim() {
        "" => None,
        f => Some(Field::parse(f).ok_or("kring-err-field")?),
    };
    if kind == MemberKind::Professional && field.is_none() {
        return Err("kring-err-field-missing");
    }
    let role_label = match form.rol.trim() {
        "" => String::new(),
        r => one_line(r, 100).map_err(|_| "kring-err-role")?,
    };
    let note = match form.toelichting.trim() {
        "" => String::new(),
        n => one_line(n, SHORT_TEXT_MAX).map_err(|_| "kring-err-note")?,
    };
    Ok(ValidAdd {
        email,
        name,
        kind,
        field,
        role_label,
        categories: checked_categories(&form.zien)?,
        note,
    })
}

/// Records the caregiver's consent for a membership: online when the caregiver does it, verbal
/// (recorded under the acting member's name) when someone acts for them.
async fn record_consent(conn: &mut Conn, kring: &Kring) -> Result<String, AppError> {
    let method = if kring.is_caregiver() {
        ConsentMethod::Online
    } else {
        ConsentMethod::Verbal
    };
    Ok(network::record_consent(
        conn,
        &kring.network.caregiver_person_id,
        network::MEMBERSHIP_SCOPE,
        method,
        &kring.user.actor.user_id,
    )
    .await?)
}

/// Tells a member they are in: an invitation link when they have no password yet, otherwise a
/// short note. Neither carries any of the caregiver's data beyond their name.
async fn welcome(
    state: &AppState,
    conn: &mut Conn,
    request: &PageRequest,
    kring: &Kring,
    member_user_id: &str,
) -> Result<(), AppError> {
    let Some((email, has_password)) = members::account_of(conn, member_user_id).await? else {
        return Ok(());
    };
    let name = &kring.network.caregiver_name;
    let subject = request.tr.t1("kring-mail-added-subject", "name", name);
    let body = request.tr.t1("kring-mail-added-body", "name", name);
    if has_password {
        let job = EmailJob {
            to: email,
            subject,
            body_text: format!(
                "{body}\n\n{}{}\n",
                state.settings().public_url,
                path(&kring.network.id, "")
            ),
        };
        jobs::enqueue(conn, kind::EMAIL, &job, 5).await?;
    } else {
        crate::accounts::send_link(
            state,
            conn,
            member_user_id,
            &email,
            LinkPurpose::Invitation,
            subject,
            body,
        )
        .await?;
    }
    Ok(())
}

/// Adds (caregiver) or proposes (other member) someone.
pub async fn add(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Create,
        DataCategory::Basic,
        &request.path,
    )
    .await?;
    let retry = |tx, key: &'static str| {
        let form = form.clone();
        let (state, request, kring) = (&state, &request, &kring);
        async move {
            let page = render(state, request, tx, kring, form, Some(request.tr.t(key))).await?;
            Ok::<_, AppError>(crate::accounts::message_page(StatusCode::BAD_REQUEST, page))
        }
    };
    let valid = match validate_add(&form) {
        Ok(v) => v,
        Err(key) => return retry(tx, key).await,
    };
    let mut tx = tx;
    let existing = base::find_user_by_email(state.store(), valid.email.as_str()).await?;
    let (member_user_id, organisation_id) = match existing {
        Some(u) => {
            let roles = base::organisation_roles(state.store(), &u.id).await?;
            let org = roles
                .iter()
                .find(|(_, r)| matches!(r, Role::Professional | Role::VolunteerCoordinator))
                .or(roles.first())
                .map(|(o, _)| o.clone());
            (u.id, org)
        }
        None if matches!(
            valid.kind,
            MemberKind::Professional | MemberKind::CaseManager
        ) =>
        {
            return retry(tx, "kring-err-professional-unknown").await;
        }
        None => {
            let Some(name) = valid.name.as_deref() else {
                return retry(tx, "kring-err-name-needed").await;
            };
            let new_user = base::insert_user(
                &mut tx,
                &NewUser {
                    email: valid.email.as_str(),
                    display_name: name,
                    person_id: None,
                    password_hash: None,
                    totp_secret: None,
                },
            )
            .await?;
            let role = if valid.kind == MemberKind::Volunteer {
                Role::Volunteer
            } else {
                Role::NetworkMember
            };
            identity::add_personal_role(&mut tx, &new_user, role).await?;
            (new_user, None)
        }
    };
    if Some(member_user_id.as_str()) == kring.network.caregiver_user_id.as_deref() {
        return retry(tx, "kring-err-self").await;
    }
    if members::is_member_or_proposed(&mut tx, &id, &member_user_id).await? {
        return retry(tx, "kring-err-already").await;
    }
    let new = NewMember {
        network_id: &id,
        user_id: &member_user_id,
        organisation_id: organisation_id.as_deref(),
        kind: valid.kind,
        field: valid.field,
        role_label: &valid.role_label,
        categories: &valid.categories,
        notify: NotifyMode::Digest,
        acts_for_caregiver: false,
    };
    if kring.speaks_for_caregiver() {
        let consent = record_consent(&mut tx, &kring).await?;
        members::add(&mut tx, &new, &consent, kring.by()).await?;
        welcome(&state, &mut tx, &request, &kring, &member_user_id).await?;
    } else {
        let new = NewMember {
            categories: &[],
            ..new
        };
        members::propose(&mut tx, &new, &valid.note, kring.by()).await?;
        notify_caregiver_of_proposal(&state, &mut tx, &request, &kring).await?;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&id, "leden")))
}

/// The caregiver hears (by e-mail, if they have an account) that a member proposed someone.
async fn notify_caregiver_of_proposal(
    state: &AppState,
    conn: &mut Conn,
    request: &PageRequest,
    kring: &Kring,
) -> Result<(), AppError> {
    let Some(caregiver) = &kring.network.caregiver_user_id else {
        return Ok(());
    };
    let Some(email) = base::user_email(state.store(), caregiver).await? else {
        return Ok(());
    };
    let job = EmailJob {
        to: email,
        subject: request.tr.t("kring-mail-proposal-subject"),
        body_text: format!(
            "{}\n\n{}{}\n",
            request
                .tr
                .t1("kring-mail-proposal-body", "name", &kring.user.display_name),
            state.settings().public_url,
            path(&kring.network.id, "leden")
        ),
    };
    jobs::enqueue(conn, kind::EMAIL, &job, 5).await?;
    Ok(())
}

#[derive(Deserialize, Default)]
pub struct CategoriesForm {
    #[serde(default)]
    zien: Vec<String>,
    #[serde(default)]
    namens: String,
}

async fn bad_request(
    state: &AppState,
    request: &PageRequest,
    tx: mantelkring_store::Tx,
    kring: &Kring,
    key: &str,
) -> Result<Response, AppError> {
    let page = render(
        state,
        request,
        tx,
        kring,
        AddForm::default(),
        Some(request.tr.t(key)),
    )
    .await?;
    Ok(crate::accounts::message_page(StatusCode::BAD_REQUEST, page))
}

pub async fn approve(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, member_id)): Path<(String, String)>,
    Form(form): Form<CategoriesForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    let categories = match checked_categories(&form.zien) {
        Ok(c) => c,
        Err(key) => return bad_request(&state, &request, tx, &kring, key).await,
    };
    let consent = record_consent(&mut tx, &kring).await?;
    if !members::approve(&mut tx, &id, &member_id, &consent, &categories, kring.by()).await? {
        return bad_request(&state, &request, tx, &kring, "kring-err-no-proposal").await;
    }
    if let Some(member_user) = members::user_of(&mut tx, &id, &member_id).await? {
        welcome(&state, &mut tx, &request, &kring, &member_user).await?;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&id, "leden")))
}

pub async fn decline(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, member_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    if !members::decline(&mut tx, &id, &member_id, kring.by()).await? {
        return bad_request(&state, &request, tx, &kring, "kring-err-no-proposal").await;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&id, "leden")))
}

pub async fn set_categories(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, member_id)): Path<(String, String)>,
    Form(form): Form<CategoriesForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    let categories = match checked_categories(&form.zien) {
        Ok(c) => c,
        Err(key) => return bad_request(&state, &request, tx, &kring, key).await,
    };
    let acts_for = match form.namens.as_str() {
        "" => false,
        "ja" => true,
        _ => return bad_request(&state, &request, tx, &kring, "kring-err-category").await,
    };
    // Someone acting for the caregiver may not change their own rights.
    if kring.member_id() == Some(member_id.as_str()) {
        return bad_request(&state, &request, tx, &kring, "kring-err-own-rights").await;
    }
    if !members::set_categories(&mut tx, &id, &member_id, &categories, acts_for, kring.by()).await?
    {
        return bad_request(&state, &request, tx, &kring, "kring-err-no-member").await;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&id, "leden")))
}

pub async fn remove(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, member_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    if !members::remove(&mut tx, &id, &member_id, kring.by()).await? {
        return bad_request(&state, &request, tx, &kring, "kring-err-no-member").await;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&id, "leden")))
}

#[derive(Deserialize, Default)]
pub struct NaasteForm {
    #[serde(default)]
    voornaam: String,
    #[serde(default)]
    achternaam: String,
    #[serde(default)]
    relatie: String,
    #[serde(default)]
    geboortejaar: String,
}

/// A checked naaste: (given name, family name, relation, birth year).
pub fn validate_naaste(
    form_given: &str,
    form_family: &str,
    relation: &str,
    birth_year: &str,
    this_year: i64,
) -> Result<(String, String, Relation, Option<i64>), &'static str> {
    let given = one_line(form_given, 100).map_err(|_| "kring-err-naaste-name")?;
    let family = match form_family.trim() {
        "" => String::new(),
        f => one_line(f, 100).map_err(|_| "kring-err-naaste-name")?,
    };
    let relation = Relation::parse(relation).ok_or("kring-err-relation")?;
    let birth_year = match birth_year.trim() {
        "" => None,
        y => match y.parse::<i64>() {
            Ok(y) if (this_year - 125..=this_year).contains(&y) => Some(y),
            _ => return Err("kring-err-birth-year"),
        },
    };
    Ok((given, family, relation, birth_year))
}

pub async fn add_naaste(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<NaasteForm>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    let this_year = mantelkring_core::time::date(mantelkring_core::time::now_ms())[..4]
        .parse::<i64>()
        .unwrap_or(2026);
    let (given, family, relation, birth_year) = match validate_naaste(
        &form.voornaam,
        &form.achternaam,
        &form.relatie,
        &form.geboortejaar,
        this_year,
    ) {
        Ok(v) => v,
        Err(key) => return bad_request(&state, &request, tx, &kring, key).await,
    };
    members::add_naaste(&mut tx, &id, &given, &family, relation, birth_year).await?;
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&id, "leden")))
}

pub async fn remove_naaste(
    State(state): State<AppState>,
    request: PageRequest,
    Path((id, naaste_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open_for_caregiver(&state, &user, &id, &request.path).await?;
    if !members::remove_naaste(&mut tx, &id, &naaste_id).await? {
        return bad_request(&state, &request, tx, &kring, "kring-err-no-naaste").await;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(path(&id, "leden")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_naaste_is_checked() {
        assert!(validate_naaste("Henk", "de Vries", "partner", "1944", 2026).is_ok());
        assert_eq!(
            validate_naaste("", "x", "partner", "", 2026),
            Err("kring-err-naaste-name")
        );
        assert_eq!(
            validate_naaste("Henk", "", "oom", "", 2026),
            Err("kring-err-relation")
        );
        assert_eq!(
            validate_naaste("Henk", "", "partner", "1850", 2026),
            Err("kring-err-birth-year")
        );
        assert_eq!(
            validate_naaste("Henk", "", "partner", "2030", 2026),
            Err("kring-err-birth-year")
        );
    }

    #[test]
    fn only_grantable_categories_are_taken() {
        assert_eq!(
            checked_categories(&["agenda".into(), "agenda".into(), "messages".into()]),
            Ok(vec![DataCategory::Agenda, DataCategory::Messages])
        );
        assert!(checked_categories(&["access_log".into()]).is_err());
        assert!(checked_categories(&["basic".into()]).is_err());
    }
}
