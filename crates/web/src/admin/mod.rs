//! The administration area (`/beheer`): regions and municipalities, organisations, users and their
//! roles, invitations, blocking, and erasure on request (AVG article 17).
//!
//! Every handler starts with [`guard`], which asks the access policy for `Resource::Administration`
//! (administrators only, after the second factor) and writes the audit record in the same transaction
//! as the change.

mod structure;
mod users;

use crate::AppState;
use crate::access::{Subject, decide};
use crate::errors::AppError;
use crate::identity::{Authenticated, require_user};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use mantelkring_core::access::{Action, Resource, may};
use mantelkring_store::{StoreError, Tx, admin};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/beheer", get(overview))
        .route(
            "/beheer/regios",
            get(structure::regions).post(structure::add_region),
        )
        .route("/beheer/gemeenten", post(structure::add_municipality))
        .route(
            "/beheer/organisaties",
            get(structure::organisations).post(structure::add_organisation),
        )
        .route("/beheer/gebruikers", get(users::list))
        .route(
            "/beheer/gebruikers/uitnodigen",
            get(users::invite_form).post(users::invite),
        )
        .route("/beheer/gebruikers/{id}", get(users::detail))
        .route(
            "/beheer/gebruikers/{id}/rol-toevoegen",
            post(users::add_role),
        )
        .route(
            "/beheer/gebruikers/{id}/rol-verwijderen",
            post(users::remove_role),
        )
        .route("/beheer/gebruikers/{id}/blokkeren", post(users::block))
        .route(
            "/beheer/gebruikers/{id}/uitnodiging-opnieuw",
            post(users::resend_invitation),
        )
        .route(
            "/beheer/gebruikers/{id}/wissen",
            get(users::erase_form).post(users::erase),
        )
}

/// Checks that the logged-in user may do `action` in the administration, and logs it in a new
/// write transaction (about `person_id` when the page concerns one person).
pub(crate) async fn guard(
    state: &AppState,
    request: &PageRequest,
    action: Action,
    person_id: Option<&str>,
    categories: &str,
) -> Result<(Authenticated, Tx), AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let tx = state.store().begin_write().await?;
    let (tx, _) = decide(
        state,
        tx,
        &user,
        action,
        &Resource::Administration,
        &Subject {
            person_id,
            categories,
        },
        &request.path,
    )
    .await?;
    Ok((user, tx))
}

/// Commits and sends the browser on with 303 (post/redirect/get).
pub(crate) async fn done(state: &AppState, tx: Tx, to: String) -> Result<Response, AppError> {
    crate::accounts::commit(state, tx).await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

/// For a form: checks the policy before the input is validated, so a refused user learns nothing
/// from validation messages. A refusal is logged (through `decide`); an allowed user is logged
/// later, by [`guard`], in the transaction of the change itself.
pub(crate) async fn precheck(
    state: &AppState,
    request: &PageRequest,
    action: Action,
) -> Result<Authenticated, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    if may(Some(&user.actor), action, &Resource::Administration).is_allowed() {
        return Ok(user);
    }
    guard(state, request, action, None, "administration").await?;
    Err(AppError::Forbidden)
}

/// A form sent back with a message (400): nothing was written.
/// Every region, for the pages that set something per region (signal rules, matching rules).
pub(crate) async fn region_list(
    state: &AppState,
) -> Result<Vec<mantelkring_store::base::Region>, AppError> {
    Ok(mantelkring_store::base::region_overview(state.store())
        .await?
        .into_iter()
        .map(|r| r.region)
        .collect())
}

pub(crate) fn invalid<T: Template>(page: T) -> Response {
    crate::accounts::message_page(StatusCode::BAD_REQUEST, page)
}

#[derive(Template)]
#[template(path = "admin_overview.html")]
struct OverviewPage {
    page: Page,
    counts: admin::Counts,
}

async fn overview(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let (_, tx) = guard(&state, &request, Action::Read, None, "administration").await?;
    tx.commit().await.map_err(StoreError::from)?;
    let counts = admin::counts(state.store()).await?;
    Ok(Html(
        OverviewPage {
            page: request.page("admin-title"),
            counts,
        }
        .render()?,
    ))
}
