//! Users and roles: search, invite, add and remove roles, block, resend an invitation, and erase on
//! request (AVG article 17).

use super::{done, guard, invalid, precheck};
use crate::AppState;
use crate::access::{Subject, decide};
use crate::errors::AppError;
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use crate::people::format_time;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use mantelkring_core::access::{Action, DataCategory, Resource};
use mantelkring_core::base::Role;
use mantelkring_core::identity::Email;
use mantelkring_store::base::{self, NewUser};
use mantelkring_store::identity::{self, LinkPurpose};
use mantelkring_store::{Conn, StoreError, admin, avg, network};
use serde::Deserialize;

struct UserLine {
    id: String,
    name: String,
    email: String,
    roles: String,
    status: String,
}

fn role_label(request: &PageRequest, role: Role) -> String {
    request
        .tr
        .t(&format!("role-{}", role.as_str().replace('_', "-")))
}

fn roles_text(request: &PageRequest, roles: &[admin::HeldRole]) -> String {
    if roles.is_empty() {
        return "—".into();
    }
    roles
        .iter()
        .map(|r| match &r.organisation {
            Some((_, _, org)) => format!("{} ({org})", role_label(request, r.role)),
            None => role_label(request, r.role),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn status_text(request: &PageRequest, user: &admin::UserSummary) -> String {
    let key = if user.erased {
        "admin-status-erased"
    } else if user.disabled {
        "admin-status-blocked"
    } else if !user.has_password {
        "admin-status-invited"
    } else {
        "admin-status-active"
    };
    request.tr.t(key)
}

// ---- List -------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: Page,
    query: String,
    users: Vec<UserLine>,
    limited: bool,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    zoek: String,
}

const LIST_LIMIT: i64 = 200;

pub async fn list(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    let query: String = q.zoek.trim().chars().take(100).collect();
    let action = if query.is_empty() {
        Action::Read
    } else {
        Action::Search
    };
    let (_, tx) = guard(&state, &request, action, None, "basic,contact").await?;
    tx.commit().await.map_err(StoreError::from)?;
    let found = admin::search_users(state.store(), &query, LIST_LIMIT + 1).await?;
    let limited = found.len() as i64 > LIST_LIMIT;
    let users = found
        .iter()
        .take(LIST_LIMIT as usize)
        .map(|u| UserLine {
            id: u.id.clone(),
            name: u.display_name.clone(),
            email: u.email.clone(),
            roles: roles_text(&request, &u.roles),
            status: status_text(&request, u),
        })
        .collect();
    Ok(Html(
        UsersPage {
            page: request.page("admin-users-title"),
            query,
            users,
            limited,
        }
        .render()?,
    ))
}

// ---- Invite -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_invite.html")]
struct InvitePage {
    page: Page,
    organisations: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
    form: InviteForm,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisatie: String,
    #[serde(default)]
    rol: String,
}

async fn invite_page(
    state: &AppState,
    request: &PageRequest,
    form: InviteForm,
    message: Option<String>,
) -> Result<InvitePage, AppError> {
    Ok(InvitePage {
        page: request.page("admin-invite-title"),
        organisations: organisation_choices(state).await?,
        roles: Role::ALL
            .into_iter()
            .filter(|r| r.is_organisation_role())
            .map(|r| (r.as_str(), role_label(request, r)))
            .collect(),
        form,
        message,
    })
}

pub async fn invite_form(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let (_, tx) = guard(&state, &request, Action::Read, None, "administration").await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Html(
        invite_page(&state, &request, InviteForm::default(), None)
            .await?
            .render()?,
    ))
}

/// The organisations to choose from, as (id, "name (region)").
async fn organisation_choices(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(admin::organisations(state.store())
        .await?
        .into_iter()
        .map(|o| {
            let label = format!("{} ({})", o.organisation.name, o.region_name);
            (o.organisation.id, label)
        })
        .collect())
}

/// Queues an invitation e-mail with a fresh link to set a password.
async fn send_invitation(
    state: &AppState,
    conn: &mut Conn,
    request: &PageRequest,
    user_id: &str,
    email: &str,
) -> Result<(), AppError> {
    crate::accounts::send_link(
        state,
        conn,
        user_id,
        email,
        LinkPurpose::Invitation,
        request.tr.t("mail-invite-subject"),
        request.tr.t("mail-invite-body"),
    )
    .await
}

pub async fn invite(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let admin_user = precheck(&state, &request, Action::Create).await?;
    let store = state.store();
    let checked = async {
        let Some(name) = crate::forms::valid_name(&form.naam) else {
            return Ok::<_, AppError>(Err("admin-name-invalid"));
        };
        let Ok(email) = Email::parse(&form.email) else {
            return Ok(Err("login-invalid-email"));
        };
        let Some(role) = Role::parse(&form.rol).filter(|r| r.is_organisation_role()) else {
            return Ok(Err("admin-role-missing"));
        };
        if !admin::organisation_exists(store, &form.organisatie).await? {
            return Ok(Err("admin-organisation-missing"));
        }
        if base::find_user_by_email(store, email.as_str())
            .await?
            .is_some()
        {
            return Ok(Err("admin-email-exists"));
        }
        Ok(Ok((name, email, role)))
    }
    .await?;
    let (name, email, role) = match checked {
        Ok(valid) => valid,
        Err(key) => {
            let message = Some(request.tr.t(key));
            return Ok(invalid(invite_page(&state, &request, form, message).await?));
        }
    };
    let (_, mut tx) = guard(&state, &request, Action::Create, None, "basic,contact").await?;
    let user_id = match base::insert_user(
        &mut tx,
        &NewUser {
            email: email.as_str(),
            display_name: &name,
            person_id: None,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    {
        Ok(id) => id,
        // Someone registered the address a moment ago.
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let message = Some(request.tr.t("admin-email-exists"));
            return Ok(invalid(invite_page(&state, &request, form, message).await?));
        }
        Err(e) => return Err(e.into()),
    };
    base::add_membership(&mut tx, &user_id, &form.organisatie, role).await?;
    admin::set_invited_by(&mut tx, &user_id, &admin_user.actor.user_id).await?;
    send_invitation(&state, &mut tx, &request, &user_id, email.as_str()).await?;
    done(
        &state,
        tx,
        format!("/beheer/gebruikers/{user_id}?gedaan=uitgenodigd"),
    )
    .await
}

// ---- One user ---------------------------------------------------------------------------------

struct RoleLine {
    label: String,
    /// The form value that names this role for removal: a membership id or `persoonlijk:ROLE`.
    value: String,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    page: Page,
    user: admin::UserSummary,
    created: String,
    status: String,
    roles: Vec<RoleLine>,
    organisations: Vec<(String, String)>,
    all_roles: Vec<(&'static str, String)>,
    notice: Option<String>,
    message: Option<String>,
    is_self: bool,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    gedaan: String,
}

async fn load_user(state: &AppState, user_id: &str) -> Result<admin::UserSummary, AppError> {
    admin::user(state.store(), user_id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn user_page(
    state: &AppState,
    request: &PageRequest,
    user: admin::UserSummary,
    notice: Option<String>,
    message: Option<String>,
) -> Result<UserPage, AppError> {
    let roles = user
        .roles
        .iter()
        .map(|r| RoleLine {
            label: match &r.organisation {
                Some((_, _, org)) => format!("{} — {org}", role_label(request, r.role)),
                None => role_label(request, r.role),
            },
            value: match &r.organisation {
                Some((membership, _, _)) => membership.clone(),
                None => format!("persoonlijk:{}", r.role.as_str()),
            },
        })
        .collect();
    let is_self = request
        .user
        .as_ref()
        .is_some_and(|u| u.actor.user_id == user.id);
    Ok(UserPage {
        page: Page::new(
            request.tr.clone(),
            &request.path,
            &request.csrf,
            user.display_name.clone(),
            request.user.as_ref(),
        ),
        created: format_time(user.created_at),
        status: status_text(request, &user),
        roles,
        organisations: organisation_choices(state).await?,
        all_roles: Role::ALL
            .into_iter()
            .map(|r| (r.as_str(), role_label(request, r)))
            .collect(),
        notice,
        message,
        is_self,
        user,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    precheck(&state, &request, Action::Read).await?;
    let user = load_user(&state, &user_id).await?;
    let (_, tx) = guard(
        &state,
        &request,
        Action::Read,
        user.person_id.as_deref(),
        "basic,contact",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let notice = match q.gedaan.as_str() {
        "uitgenodigd" => Some("admin-done-invited"),
        "rol" => Some("admin-done-role"),
        "rol-weg" => Some("admin-done-role-removed"),
        "geblokkeerd" => Some("admin-done-blocked"),
        "vrijgegeven" => Some("admin-done-unblocked"),
        "opnieuw" => Some("admin-done-resent"),
        "gewist" => Some("admin-done-erased"),
        _ => None,
    }
    .map(|k| request.tr.t(k));
    Ok(Html(
        user_page(&state, &request, user, notice, None)
            .await?
            .render()?,
    ))
}

/// Answers a refused change on the user page with a message (400); nothing was written.
async fn refused(
    state: &AppState,
    request: &PageRequest,
    user: admin::UserSummary,
    key: &str,
) -> Result<Response, AppError> {
    let message = Some(request.tr.t(key));
    Ok(invalid(
        user_page(state, request, user, None, message).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct RoleForm {
    #[serde(default)]
    organisatie: String,
    #[serde(default)]
    rol: String,
}

pub async fn add_role(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    precheck(&state, &request, Action::Update).await?;
    let user = load_user(&state, &user_id).await?;
    if user.erased {
        return refused(&state, &request, user, "admin-erased-locked").await;
    }
    let Some(role) = Role::parse(&form.rol) else {
        return refused(&state, &request, user, "admin-role-missing").await;
    };
    if role.is_organisation_role()
        && !admin::organisation_exists(state.store(), &form.organisatie).await?
    {
        return refused(&state, &request, user, "admin-organisation-missing").await;
    }
    let (_, mut tx) = guard(
        &state,
        &request,
        Action::Update,
        user.person_id.as_deref(),
        "basic",
    )
    .await?;
    let added = if role.is_organisation_role() {
        base::add_membership(&mut tx, &user_id, &form.organisatie, role).await
    } else {
        identity::add_personal_role(&mut tx, &user_id, role).await
    };
    match added {
        Ok(()) => {
            done(
                &state,
                tx,
                format!("/beheer/gebruikers/{user_id}?gedaan=rol"),
            )
            .await
        }
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            refused(&state, &request, user, "admin-role-exists").await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct RemoveRoleForm {
    #[serde(default)]
    rol: String,
}

pub async fn remove_role(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
    Form(form): Form<RemoveRoleForm>,
) -> Result<Response, AppError> {
    let me = precheck(&state, &request, Action::Update).await?;
    let user = load_user(&state, &user_id).await?;
    let held = user.roles.iter().find(|r| match &r.organisation {
        Some((membership, _, _)) => *membership == form.rol,
        None => form.rol == format!("persoonlijk:{}", r.role.as_str()),
    });
    let Some(held) = held.cloned() else {
        return refused(&state, &request, user, "admin-role-missing").await;
    };
    // An administrator cannot take away their own administration rights (no lock-out by mistake).
    if me.actor.user_id == user_id && held.role == Role::Administrator {
        return refused(&state, &request, user, "admin-self").await;
    }
    let (_, mut tx) = guard(
        &state,
        &request,
        Action::Update,
        user.person_id.as_deref(),
        "basic",
    )
    .await?;
    match &held.organisation {
        Some((membership, _, _)) => admin::remove_membership(&mut tx, &user_id, membership).await?,
        None => admin::remove_personal_role(&mut tx, &user_id, held.role).await?,
    };
    done(
        &state,
        tx,
        format!("/beheer/gebruikers/{user_id}?gedaan=rol-weg"),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct BlockForm {
    #[serde(default)]
    blokkeren: String,
}

pub async fn block(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
    Form(form): Form<BlockForm>,
) -> Result<Response, AppError> {
    let me = precheck(&state, &request, Action::Update).await?;
    let user = load_user(&state, &user_id).await?;
    if me.actor.user_id == user_id {
        return refused(&state, &request, user, "admin-self").await;
    }
    if user.erased {
        return refused(&state, &request, user, "admin-erased-locked").await;
    }
    let blocking = match form.blokkeren.as_str() {
        "ja" => true,
        "nee" => false,
        _ => return refused(&state, &request, user, "admin-choice-missing").await,
    };
    let (_, mut tx) = guard(
        &state,
        &request,
        Action::Update,
        user.person_id.as_deref(),
        "basic",
    )
    .await?;
    admin::set_disabled(&mut tx, &user_id, blocking).await?;
    let to = if blocking {
        "geblokkeerd"
    } else {
        "vrijgegeven"
    };
    done(
        &state,
        tx,
        format!("/beheer/gebruikers/{user_id}?gedaan={to}"),
    )
    .await
}

pub async fn resend_invitation(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    precheck(&state, &request, Action::Update).await?;
    let user = load_user(&state, &user_id).await?;
    if user.has_password || user.erased || user.disabled {
        return refused(&state, &request, user, "admin-invite-not-needed").await;
    }
    let (_, mut tx) = guard(
        &state,
        &request,
        Action::Update,
        user.person_id.as_deref(),
        "basic,contact",
    )
    .await?;
    send_invitation(&state, &mut tx, &request, &user_id, &user.email).await?;
    done(
        &state,
        tx,
        format!("/beheer/gebruikers/{user_id}?gedaan=opnieuw"),
    )
    .await
}

// ---- Erasure on request (AVG article 17) ------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_erase.html")]
struct ErasePage {
    page: Page,
    user: admin::UserSummary,
    message: Option<String>,
}

pub async fn erase_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
) -> Result<Html<String>, AppError> {
    precheck(&state, &request, Action::Read).await?;
    let user = load_user(&state, &user_id).await?;
    let (_, tx) = guard(
        &state,
        &request,
        Action::Read,
        user.person_id.as_deref(),
        "basic,contact",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Html(
        ErasePage {
            page: request.page("admin-erase-title"),
            user,
            message: None,
        }
        .render()?,
    ))
}

#[derive(Deserialize, Default)]
pub struct EraseForm {
    #[serde(default)]
    bevestig: String,
}

pub async fn erase(
    State(state): State<AppState>,
    request: PageRequest,
    Path(user_id): Path<String>,
    Form(form): Form<EraseForm>,
) -> Result<Response, AppError> {
    let me = precheck(&state, &request, Action::Delete).await?;
    let user = load_user(&state, &user_id).await?;
    let again = |key: &str| {
        invalid(ErasePage {
            page: request.page("admin-erase-title"),
            user: user.clone(),
            message: Some(request.tr.t(key)),
        })
    };
    if me.actor.user_id == user_id {
        return Ok(again("admin-self"));
    }
    if form.bevestig != "ja" {
        return Ok(again("admin-erase-confirm-missing"));
    }
    let admin_user = require_user(request.user.clone(), &request.path)?;
    let tx = state.store().begin_write().await?;
    // With a person record the erasure is a deletion of that person's data, decided as such
    // (administrators carry out data-subject requests); without one it is an account change.
    let (mut tx, _) = match &user.person_id {
        Some(person_id) => {
            let relationship =
                network::relationship(state.store(), &admin_user.actor, person_id).await?;
            decide(
                &state,
                tx,
                &admin_user,
                Action::Delete,
                &Resource::PersonData {
                    category: DataCategory::Contact,
                    relationship: &relationship,
                },
                &Subject {
                    person_id: Some(person_id),
                    categories: "basic,contact",
                },
                &request.path,
            )
            .await?
        }
        None => {
            decide(
                &state,
                tx,
                &admin_user,
                Action::Delete,
                &Resource::Administration,
                &Subject {
                    person_id: None,
                    categories: "basic,contact",
                },
                &request.path,
            )
            .await?
        }
    };
    avg::erase(&mut tx, &user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    done(
        &state,
        tx,
        format!("/beheer/gebruikers/{user_id}?gedaan=gewist"),
    )
    .await
}
