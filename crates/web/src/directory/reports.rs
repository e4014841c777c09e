//! "Klopt er iets niet?": anyone, without an account, reports an error in a service on the map.
//! The report is stored for the organisation's editors (their dashboard lists it) and each editor
//! gets an e-mail through the job queue, in the same transaction. The e-mail only says that there
//! is a report and where to read it: the message and the reporter's contact stay behind the login.

use crate::AppState;
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::{I18n, Lang};
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_store::{Conn, StoreError, directory, jobs};
use serde::Deserialize;
use uuid::Uuid;

use super::checks::{self, FieldErrors};
use super::editor::parse_id;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/kaart/diensten/{id}/melding",
        get(report_form).post(report),
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    bericht: String,
    #[serde(default)]
    contact: String,
}

#[derive(Template)]
#[template(path = "directory_report.html")]
struct ReportPage {
    page: Page,
    service_id: String,
    service: String,
    organisation: String,
    sent: bool,
    errors: FieldErrors,
    form: ReportForm,
}

#[derive(Deserialize, Default)]
pub struct SentQuery {
    #[serde(default)]
    verstuurd: String,
}

/// The service's name and its organisation (id and name), or 404.
async fn service(state: &AppState, id: Uuid) -> Result<(String, Uuid, String), AppError> {
    let mut conn = state
        .store()
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let record = directory::service(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        record.name,
        record.organisation.id,
        record.organisation.name,
    ))
}

fn page(
    request: &PageRequest,
    id: Uuid,
    (service, _, organisation): (String, Uuid, String),
    sent: bool,
    form: ReportForm,
    errors: FieldErrors,
) -> ReportPage {
    ReportPage {
        page: Page::new(
            request.tr.clone(),
            &request.path,
            &request.csrf,
            request.tr.t1("dir-report-title", "name", &service),
            request.user.as_ref(),
        ),
        service_id: id.to_string(),
        service,
        organisation,
        sent,
        errors,
        form,
    }
}

async fn report_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Query(q): Query<SentQuery>,
) -> Result<Html<String>, AppError> {
    let id = parse_id(&id)?;
    let found = service(&state, id).await?;
    let sent = q.verstuurd == "ja";
    Ok(Html(
        page(
            &request,
            id,
            found,
            sent,
            ReportForm::default(),
            FieldErrors::default(),
        )
        .render()?,
    ))
}

async fn report(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ReportForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let found = service(&state, id).await?;
    let tr = &request.tr;
    let mut errors = FieldErrors::default();
    let message = checks::required(&form.bericht, 10, 2000, true);
    if message.is_none() {
        errors.add("bericht", tr.t("dir-err-report-message"));
    }
    let contact = checks::optional(&form.contact, 200, false).unwrap_or_else(|_| {
        errors.add("contact", tr.t1("dir-err-too-long", "max", "200"));
        None
    });
    let Some(message) = message.filter(|_| errors.is_empty()) else {
        return Ok(crate::accounts::message_page(
            StatusCode::BAD_REQUEST,
            page(&request, id, found, false, form, errors),
        ));
    };
    let (service_name, organisation, _) = &found;
    let mut tx = state.store().begin_write().await?;
    directory::report_error(&mut tx, id, &message, contact.as_deref()).await?;
    notify_editors(
        &mut tx,
        &state.i18n(),
        &state.settings().public_url,
        *organisation,
        service_name,
    )
    .await?;
    crate::accounts::commit(&state, tx).await?;
    let to = format!("/kaart/diensten/{id}/melding?verstuurd=ja");
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}

/// Queues one e-mail to each editor of the organisation: there is a new report on `service`.
/// In Dutch, the language of the installation (editors have no language setting yet).
pub async fn notify_editors(
    conn: &mut Conn,
    i18n: &I18n,
    public_url: &str,
    organisation: Uuid,
    service: &str,
) -> Result<usize, StoreError> {
    let editors = directory::editor_emails(conn, organisation).await?;
    let link = format!("{public_url}/kaart/beheer/organisaties/{organisation}");
    let subject = i18n.message(Lang::Nl, "dir-mail-report-subject", &[("name", service)]);
    let body = format!(
        "{}\n\n{}\n{link}\n\n{}\n",
        i18n.message(Lang::Nl, "dir-mail-report-body", &[("name", service)]),
        i18n.message(Lang::Nl, "dir-mail-report-action", &[]),
        i18n.message(Lang::Nl, "dir-mail-footer", &[]),
    );
    for to in &editors {
        let email = EmailJob {
            to: to.clone(),
            subject: subject.clone(),
            body_text: body.clone(),
        };
        jobs::enqueue(conn, kind::EMAIL, &email, 5).await?;
    }
    Ok(editors.len())
}
