//! Single-use links: a professional in the network sends one (by e-mail, through the job queue) so
//! the caregiver can fill in a check without an account, at `/vragenlijst/{token}`: the same
//! one-question-per-screen flow, saved at every step (the link stays usable until the check is
//! completed or the link expires), completed once (the link is used up in the same transaction;
//! a used or expired link can never be used again). Only a SHA-256 of the token is stored.
//!
//! There is no account, so no policy decision: every access writes its own NEN 7513 record
//! (`access::log_link_access`: purpose `single_use_link`, the caregiver as subject, the link's
//! id in the detail), refused ones too. An unknown link is a 404, an expired or used one a
//! 410, each with a clear Dutch page — never a 500.

use super::checks::{
    LinkForm, Saved, naaste_name, not_completed_message, overview_page, raise_signals, save_form,
    sends_links,
};
use super::{
    AnswerForm, FillContext, FormProblem, ResultContext, Step, View, enter, fill_page, first_open,
    moment_of, path, question_to_show, remember_view, render, result_page, see_other,
};
use crate::AppState;
use crate::access::{Subject, log_link_access, log_refusal};
use crate::errors::AppError;
use crate::i18n::Lang;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use mantelkring_core::access::{Action, DataCategory};
use mantelkring_core::identity::{Email, token_hash};
use mantelkring_core::jobs::{EmailJob, kind};
use mantelkring_core::screening::CheckMode;
use mantelkring_core::screening::instrument::Instrument;
use mantelkring_core::time::now_ms;
use mantelkring_store::network::{self, NetworkInfo};
use mantelkring_store::screening::checks::{self, Check, NewCheck, NotCompleted};
use mantelkring_store::screening::links::{self, Found, Link};
use mantelkring_store::{Tx, jobs};
use serde::Deserialize;
use std::borrow::Cow;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kringen/{id}/signaleren/links", post(send))
        .route("/vragenlijst/{token}", get(open_link).post(answer))
        .route("/vragenlijst/{token}/beginnen", post(begin))
}

/// A path as the request log may show it: a link's token is a secret, so it is left out.
pub fn log_path(path: &str) -> Cow<'_, str> {
    match path.strip_prefix("/vragenlijst/") {
        Some(rest) => {
            let after = rest.find('/').map_or("", |i| &rest[i..]);
            Cow::Owned(format!("/vragenlijst/…{after}"))
        }
        None => Cow::Borrowed(path),
    }
}

/// A new token: 256 random bits, hex.
fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Only something shaped like our tokens is looked up.
fn token_shape(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn link_href(token: &str) -> String {
    format!("/vragenlijst/{token}")
}

// ---- Sending a link -----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct SendForm {
    lijst: String,
    /// `mantelzorger` (the caregiver's own address) or `ander`.
    aan: String,
    email: String,
}

/// `POST /kringen/{id}/signaleren/links`: a professional in the network sends a single-use link.
async fn send(
    State(state): State<AppState>,
    request: PageRequest,
    headers: HeaderMap,
    Path(id): Path<String>,
    crate::forms::Form(form): crate::forms::Form<SendForm>,
) -> Result<Response, AppError> {
    let (mut tx, kring) = enter(&state, &request, &id, Action::Create).await?;
    if !sends_links(&kring) {
        // The policy lets members add checks; sending links is for the professionals.
        log_refusal(
            &state,
            &mut tx,
            &kring.user,
            Action::Create,
            &Subject {
                person_id: Some(&kring.network.caregiver_person_id),
                categories: DataCategory::Checks.as_str(),
            },
            "not_professional",
            Some("screening_link"),
        )
        .await?;
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::Forbidden);
    }
    let t = &request.tr;
    let catalogue = state.settings().instruments.clone();
    let instrument = catalogue.get(form.lijst.trim());
    let person = network::person(&mut tx, &kring.network.caregiver_person_id).await?;
    let caregiver_email = person.as_ref().and_then(|p| p.email.clone());
    let mut errors = Vec::new();
    if instrument.is_none() {
        errors.push((
            format!(
                "link-lijst-{}",
                catalogue.all().first().map_or("csi", |i| i.id.as_str())
            ),
            t.t("screening-error-instrument"),
        ));
    }
    let to = match (form.aan.trim(), &caregiver_email) {
        ("mantelzorger", Some(email)) => Some(email.clone()),
        ("mantelzorger", None) => {
            errors.push((
                "link-email".into(),
                t.t("screening-error-no-caregiver-email"),
            ));
            None
        }
        _ => match Email::parse(&form.email) {
            Ok(email) => Some(email.as_str().to_string()),
            Err(_) => {
                errors.push(("link-email".into(), t.t("screening-error-email")));
                None
            }
        },
    };
    let (Some(instrument), Some(to), true) = (instrument, to, errors.is_empty()) else {
        // Nothing is written: the record of the access goes with the transaction.
        drop(tx);
        let mut tx = state.store().begin_read().await?;
        let page = overview_page(
            &state,
            &request,
            &mut tx,
            &kring,
            None,
            Some(LinkForm {
                instrument: form.lijst.trim().to_string(),
                to: form.aan.trim().to_string(),
                email: form.email.trim().to_string(),
                errors,
            }),
            View::of(&headers),
        )
        .await?;
        return Ok(render(StatusCode::BAD_REQUEST, page));
    };
    let now = now_ms();
    let token = new_token();
    let link_id = links::create(
        &mut tx,
        &token_hash(&token),
        &id,
        &instrument.id,
        &to,
        &kring.user.actor.user_id,
        now,
    )
    .await?;
    // The e-mail in Dutch: the list itself is Dutch, whatever language the sender reads.
    let first = person
        .as_ref()
        .map(|p| p.given_name.trim().to_string())
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| kring.network.caregiver_name.clone());
    let i18n = state.i18n();
    let until = moment_of(now + links::VALID_FOR_MS);
    let count = instrument.items.len().to_string();
    let link = format!("{}{}", state.settings().public_url, link_href(&token));
    let nl = |key: &str, args: &[(&str, &str)]| i18n.message(Lang::Nl, key, args);
    let body = [
        nl("screening-mail-greeting", &[("name", &first)]),
        nl(
            "screening-mail-ask",
            &[
                ("sender", &kring.user.display_name),
                ("instrument", &instrument.name),
                ("count", &count),
            ],
        ),
        format!("{}\n{link}", nl("screening-mail-open", &[])),
        nl("screening-mail-rules", &[("until", &until)]),
        nl("screening-mail-unexpected", &[]),
    ]
    .join("\n\n");
    let mail = EmailJob {
        to: to.clone(),
        subject: i18n.message(Lang::Nl, "screening-mail-subject", &[]),
        body_text: body,
    };
    jobs::enqueue(&mut tx, kind::EMAIL, &mail, 5).await?;
    tracing::info!(link = %link_id, network = %id, "single-use check link sent");
    crate::accounts::commit(&state, tx).await?;
    Ok(see_other(format!(
        "{}?gedaan=verstuurd#link-sturen",
        path(&id, "")
    )))
}

// ---- The link's pages -------------------------------------------------------------------------

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
    link: (String, String),
) -> Response {
    let mut page = request.page(heading_key);
    page.title = request.tr.t(heading_key);
    render(
        status,
        NoticePage {
            heading: page.title.clone(),
            page,
            text,
            link_href: link.0,
            link_text: link.1,
        },
    )
}

#[derive(Template)]
#[template(path = "screening_link_start.html")]
struct StartPage {
    page: Page,
    heading: String,
    intro: String,
    facts: String,
    dutch_note: bool,
    action: String,
    step_checked: bool,
}

/// A usable link with its network and instrument, after the access was logged in `tx`.
struct Opened {
    link: Link,
    network: NetworkInfo,
    instrument: Instrument,
}

/// Finds the link of `token`, logs the access (`action`, or the refusal) in `tx`, and gives the
/// link when it can be used; otherwise the page that says why (the refusal already committed).
async fn open(
    state: &AppState,
    request: &PageRequest,
    mut tx: Tx,
    token: &str,
    action: Action,
    address: &str,
) -> Result<Result<(Tx, Opened), Response>, AppError> {
    let now = now_ms();
    let found = if token_shape(token) {
        links::find(&mut tx, &token_hash(token), now).await?
    } else {
        Found::Unknown
    };
    let home = ("/".to_string(), request.tr.t("screening-link-home"));
    let refuse = |link: Option<&Link>, reason: &'static str| (link.map(|l| l.id.clone()), reason);
    let (refused, page) = match &found {
        Found::Unknown => (
            refuse(None, "link_unknown"),
            notice(
                request,
                StatusCode::NOT_FOUND,
                "screening-link-unknown-title",
                request.tr.t("screening-link-unknown"),
                home,
            ),
        ),
        Found::Expired(link) => (
            refuse(Some(link), "link_expired"),
            notice(
                request,
                StatusCode::GONE,
                "screening-link-expired-title",
                request.tr.t2(
                    "screening-link-expired",
                    ("date", &moment_of(link.expires_at)),
                    ("name", &link.created_by_name),
                ),
                home,
            ),
        ),
        Found::Used(link) => (
            refuse(Some(link), "link_used"),
            notice(
                request,
                StatusCode::GONE,
                "screening-link-used-title",
                request
                    .tr
                    .t1("screening-link-used-text", "name", &link.created_by_name),
                home,
            ),
        ),
        Found::Usable(link) => {
            let network = network::network(&mut tx, &link.network_id).await?;
            let instrument = state.settings().instruments.get(&link.instrument).cloned();
            match (network, instrument) {
                (Some(network), Some(instrument)) => {
                    log_link_access(
                        state,
                        &mut tx,
                        action,
                        "success",
                        Some(&network.caregiver_person_id),
                        &format!("screening_link={}", link.id),
                        Some(address),
                    )
                    .await?;
                    return Ok(Ok((
                        tx,
                        Opened {
                            link: link.clone(),
                            network,
                            instrument,
                        },
                    )));
                }
                // The region took the list out of use (or the network is gone).
                _ => (
                    refuse(Some(link), "link_unavailable"),
                    notice(
                        request,
                        StatusCode::GONE,
                        "screening-link-unavailable-title",
                        request.tr.t("screening-link-unavailable"),
                        home,
                    ),
                ),
            }
        }
    };
    let subject = match &found {
        Found::Expired(l) | Found::Used(l) | Found::Usable(l) => {
            network::network(&mut tx, &l.network_id)
                .await?
                .map(|n| n.caregiver_person_id)
        }
        Found::Unknown => None,
    };
    let detail = match &refused.0 {
        Some(id) => format!("screening_link={id} {}", refused.1),
        None => refused.1.to_string(),
    };
    log_link_access(
        state,
        &mut tx,
        action,
        "denied",
        subject.as_deref(),
        &detail,
        Some(address),
    )
    .await?;
    crate::accounts::commit(state, tx).await?;
    tracing::info!(reason = refused.1, "single-use link refused");
    Ok(Err(page))
}

/// The draft started through the link, if any.
async fn draft_of(tx: &mut Tx, opened: &Opened) -> Result<Option<Check>, AppError> {
    Ok(checks::of_link(tx, &opened.link.id)
        .await?
        .filter(|c| c.network_id == opened.network.id && !c.is_complete()))
}

fn fill_context<'a>(
    request: &PageRequest,
    opened: &'a Opened,
    token: &str,
    naaste: Option<&'a str>,
) -> FillContext<'a> {
    FillContext {
        instrument: &opened.instrument,
        naaste,
        who: Some(
            request
                .tr
                .t1("screening-link-from", "name", &opened.link.created_by_name),
        ),
        action: link_href(token),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkQuery {
    vraag: String,
    weergave: String,
}

/// `GET /vragenlijst/{token}`: the welcome page, or the questions where the person left off.
async fn open_link(
    State(state): State<AppState>,
    request: PageRequest,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let tx = state.store().begin_write().await?;
    let address = peer.ip().to_string();
    let (mut tx, opened) = match open(&state, &request, tx, &token, Action::Read, &address).await? {
        Ok(opened) => opened,
        Err(page) => return Ok(page),
    };
    let draft = draft_of(&mut tx, &opened).await?;
    let naaste = naaste_name(&mut tx, &opened.network.id).await?;
    crate::accounts::commit(&state, tx).await?;
    let query: LinkQuery =
        serde_html_form::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let view = View::parse(&query.weergave).unwrap_or_else(|| View::of(&headers));
    let t = &request.tr;
    let Some(check) = draft else {
        let mut page = request.page("screening-link-start-title");
        page.title = opened.instrument.name.clone();
        return Ok(render(
            StatusCode::OK,
            StartPage {
                heading: opened.instrument.name.clone(),
                intro: t.t1(
                    "screening-link-start-intro",
                    "name",
                    &opened.link.created_by_name,
                ),
                facts: t.t2(
                    "screening-link-start-facts",
                    ("count", &opened.instrument.items.len().to_string()),
                    ("date", &moment_of(opened.link.expires_at)),
                ),
                dutch_note: page.lang != "nl",
                action: format!("{}/beginnen", link_href(&token)),
                step_checked: view == View::Step,
                page,
            },
        ));
    };
    let answers = check.answers_for(opened.instrument.items.len());
    let question = question_to_show(query.vraag.trim().parse().ok(), &answers);
    let page = fill_page(
        &request,
        &fill_context(&request, &opened, &token, naaste.as_deref()),
        &answers,
        view,
        question,
        &[],
        None,
    );
    Ok(render(StatusCode::OK, page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BeginForm {
    weergave: String,
}

/// `POST /vragenlijst/{token}/beginnen`: starts the check of the link (once).
async fn begin(
    State(state): State<AppState>,
    request: PageRequest,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    crate::forms::Form(form): crate::forms::Form<BeginForm>,
) -> Result<Response, AppError> {
    let tx = state.store().begin_write().await?;
    let address = peer.ip().to_string();
    let (mut tx, opened) =
        match open(&state, &request, tx, &token, Action::Create, &address).await? {
            Ok(opened) => opened,
            Err(page) => return Ok(page),
        };
    let view = View::parse(&form.weergave).unwrap_or_else(|| View::of(&headers));
    if draft_of(&mut tx, &opened).await?.is_none() {
        let now = now_ms();
        let check_id = checks::start(
            &mut tx,
            &NewCheck {
                network_id: &opened.network.id,
                instrument: &opened.instrument,
                mode: CheckMode::Link,
                entered_by_user_id: None,
                link_id: Some(&opened.link.id),
            },
            now,
        )
        .await?;
        links::attach_check(&mut tx, &opened.link.id, &check_id, now).await?;
    }
    crate::accounts::commit(&state, tx).await?;
    let mut response = see_other(format!(
        "{}?weergave={}&vraag=1",
        link_href(&token),
        view.code()
    ));
    remember_view(&state, &mut response, view);
    Ok(response)
}

/// `POST /vragenlijst/{token}`: saves the answers; completing the check uses the link up (in the
/// same transaction) and shows the result.
async fn answer(
    State(state): State<AppState>,
    request: PageRequest,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let tx = state.store().begin_write().await?;
    let address = peer.ip().to_string();
    let (mut tx, opened) =
        match open(&state, &request, tx, &token, Action::Update, &address).await? {
            Ok(opened) => opened,
            Err(page) => return Ok(page),
        };
    let href = link_href(&token);
    let Some(check) = draft_of(&mut tx, &opened).await? else {
        // Not started yet: the welcome page.
        crate::accounts::commit(&state, tx).await?;
        return Ok(see_other(href));
    };
    let naaste = naaste_name(&mut tx, &opened.network.id).await?;
    let instrument = opened.instrument.clone();
    let form = match AnswerForm::parse(&body, &instrument) {
        Ok(form) => form,
        Err(problem) => {
            drop(tx);
            let answers = check.answers_for(instrument.items.len());
            let page = fill_page(
                &request,
                &fill_context(&request, &opened, &token, naaste.as_deref()),
                &answers,
                View::Step,
                first_open(&answers),
                &[],
                Some(match problem {
                    FormProblem::BadAnswer => request.tr.t("screening-error-bad-answer"),
                    FormProblem::Unreadable => request.tr.t("screening-error-form"),
                }),
            );
            return Ok(render(StatusCode::BAD_REQUEST, page));
        }
    };
    let now = now_ms();
    match save_form(&mut tx, &check, &instrument, &form, now).await? {
        Saved::Completed => {
            // The link is used up with the completion, or neither happens.
            if !links::mark_used(&mut tx, &opened.link.id, now).await? {
                drop(tx);
                return Ok(notice(
                    &request,
                    StatusCode::GONE,
                    "screening-link-used-title",
                    request.tr.t1(
                        "screening-link-used-text",
                        "name",
                        &opened.link.created_by_name,
                    ),
                    ("/".into(), request.tr.t("screening-link-home")),
                ));
            }
            raise_signals(&state, &mut tx, &opened.network.id, now).await?;
            let threshold = super::checks::thresholds(&state, &mut tx, &opened.network.id)
                .await?
                .get(&instrument.id)
                .copied();
            let done = checks::check(&mut tx, &opened.network.id, &check.id)
                .await?
                .ok_or_else(|| AppError::Internal("completed check not found".into()))?;
            crate::accounts::commit(&state, tx).await?;
            let t = &request.tr;
            let page = result_page(
                &request,
                ResultContext {
                    instrument: &instrument,
                    naaste: naaste.as_deref(),
                    own: true,
                    caregiver_name: &opened.network.caregiver_name,
                    threshold,
                    previous: None,
                    talk_to: vec![t.t1(
                        "screening-talk-sender",
                        "name",
                        &opened.link.created_by_name,
                    )],
                    shared_with: Vec::new(),
                    links: Vec::new(),
                    nav: None,
                },
                &done,
            );
            Ok(render(StatusCode::OK, page))
        }
        Saved::NotCompleted(answers, why) => {
            crate::accounts::commit(&state, tx).await?;
            let (status, missing) = match &why {
                NotCompleted::Incomplete(missing) => (StatusCode::BAD_REQUEST, missing.clone()),
                _ => (StatusCode::CONFLICT, Vec::new()),
            };
            let page = fill_page(
                &request,
                &fill_context(&request, &opened, &token, naaste.as_deref()),
                &answers,
                form.view,
                missing.first().copied().unwrap_or(1),
                &missing,
                Some(not_completed_message(&request, &why)),
            );
            Ok(render(status, page))
        }
        Saved::Answers(answers) => {
            crate::accounts::commit(&state, tx).await?;
            Ok(match form.step {
                Step::Save => notice(
                    &request,
                    StatusCode::OK,
                    "screening-link-saved-title",
                    request.tr.t1(
                        "screening-link-saved",
                        "date",
                        &moment_of(opened.link.expires_at),
                    ),
                    (href, request.tr.t("screening-continue")),
                ),
                Step::Switch(view) => {
                    let question = super::checks::next_question(&form, &answers);
                    let mut response =
                        see_other(format!("{href}?weergave={}&vraag={question}", view.code()));
                    remember_view(&state, &mut response, view);
                    response
                }
                _ => {
                    let question = super::checks::next_question(&form, &answers);
                    see_other(match form.view {
                        View::Step => format!("{href}?weergave=stap&vraag={question}"),
                        View::List => format!("{href}?weergave=lijst"),
                    })
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_stays_out_of_the_request_log() {
        let token = "ab".repeat(32);
        assert_eq!(log_path(&format!("/vragenlijst/{token}")), "/vragenlijst/…");
        assert_eq!(
            log_path(&format!("/vragenlijst/{token}/beginnen")),
            "/vragenlijst/…/beginnen"
        );
        assert_eq!(log_path("/kringen/x/signaleren"), "/kringen/x/signaleren");
    }

    #[test]
    fn only_token_shaped_strings_are_looked_up() {
        assert!(token_shape(&"0f".repeat(32)));
        assert!(!token_shape("onbekend"));
        assert!(!token_shape(&"0g".repeat(32)));
        assert!(!token_shape(&"0f".repeat(33)));
    }
}
