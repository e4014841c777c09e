//! `/hulp/antwoord/{token}`: the volunteer answers a proposal through the e-mail's link, without
//! logging in. A GET never changes anything (mail scanners open links): it shows the limited
//! view (first name, neighbourhood, task, time) and two buttons; `?keuze=ja|nee` only marks the
//! choice the volunteer clicked in the e-mail. The POST answers through
//! `proposals::answer_by_link` (single use). An unknown link is a 404, a used or expired one a
//! 410, each with a clear Dutch page — never a 500.
//!
//! There is no account, so no policy decision: every access writes its own NEN 7513 record
//! (purpose `single_use_link`, the caregiver as subject, the proposal in the detail), refused
//! ones too. The token stays out of the request log ([`log_path`]). After accepting, the address
//! and phone number are shown only to the volunteer logged in (through the policy, on the
//! in-app page); the thank-you page says so and links there.

use super::volunteer::{
    AnswerForm, REQUEST_CATEGORY, RequestLines, choice, lines, notice, render, volunteer_view,
};
use crate::AppState;
use crate::errors::AppError;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use mantelkring_core::access::Action;
use mantelkring_core::matching::workflow::ProposalStatus;
use mantelkring_core::time::now_ms;
use mantelkring_store::matching::MatchingError;
use mantelkring_store::matching::proposals::{self, Proposal};
use mantelkring_store::matching::requests::{self, HelpRequest};
use mantelkring_store::network::{self, NetworkInfo};
use mantelkring_store::{Tx, audit};
use serde::Deserialize;
use std::borrow::Cow;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new().route("/hulp/antwoord/{token}", get(show).post(answer))
}

const PREFIX: &str = "/hulp/antwoord/";

/// A path as the request log may show it: the link's token is a secret, so it is left out.
pub fn log_path(path: &str) -> Cow<'_, str> {
    match path.strip_prefix(PREFIX) {
        Some(rest) => {
            let after = rest.find('/').map_or("", |i| &rest[i..]);
            Cow::Owned(format!("{PREFIX}…{after}"))
        }
        None => Cow::Borrowed(path),
    }
}

/// Only something shaped like our secrets (256 bits, hex) is looked up.
fn token_shape(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Writes the link's own audit record (there is no account to decide for).
async fn log_access(
    state: &AppState,
    tx: &mut Tx,
    action: Action,
    outcome: &str,
    subject: Option<&str>,
    detail: &str,
    address: &str,
) -> Result<(), AppError> {
    audit::append(
        tx,
        state.store().backend(),
        &audit::NewEvent {
            action: action.as_str(),
            outcome,
            purpose: "single_use_link",
            network_address: Some(address),
            source: state.settings().audit_source.as_str(),
            subject_person_id: subject,
            data_category: Some(REQUEST_CATEGORY),
            detail: Some(detail),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// A link that can still be answered, with its request and kring.
struct Usable {
    proposal: Proposal,
    request: HelpRequest,
    network: NetworkInfo,
}

/// Why a link cannot be used.
enum Refused {
    Unknown,
    Used,
    Expired,
}

impl Refused {
    fn reason(&self) -> &'static str {
        match self {
            Refused::Unknown => "link_unknown",
            Refused::Used => "link_used",
            Refused::Expired => "link_expired",
        }
    }

    fn page(&self, request: &PageRequest) -> Response {
        let (status, key) = match self {
            Refused::Unknown => (StatusCode::NOT_FOUND, "unknown"),
            Refused::Used => (StatusCode::GONE, "used"),
            Refused::Expired => (StatusCode::GONE, "expired"),
        };
        notice(
            request,
            status,
            &format!("matching-answer-{key}-title"),
            request.tr.t(&format!("matching-answer-{key}-text")),
            (
                "/vrijwilliger/voorstellen".into(),
                request.tr.t("matching-answer-to-proposals"),
            ),
        )
    }
}

/// Finds the proposal of `token` and logs the access (`action`, or the refusal, committed) in
/// `tx`; gives the usable link, or the page that says why it cannot be used.
async fn open(
    state: &AppState,
    request: &PageRequest,
    mut tx: Tx,
    token: &str,
    action: Action,
    address: &str,
) -> Result<Result<(Tx, Usable), Response>, AppError> {
    let found = if token_shape(token) {
        proposals::by_link(&mut tx, token).await.map_err(internal)?
    } else {
        None
    };
    let mut loaded = None;
    if let Some(p) = &found
        && let Some(r) = requests::get(&mut tx, &p.request_id)
            .await
            .map_err(internal)?
        && let Some(n) = network::network(&mut tx, &r.network_id).await?
    {
        loaded = Some((r, n));
    }
    let refusal = match (&found, &loaded) {
        (None, _) | (_, None) => Some(Refused::Unknown),
        (Some(p), _) if p.status == ProposalStatus::Expired => Some(Refused::Expired),
        (Some(p), _) if p.status != ProposalStatus::Proposed => Some(Refused::Used),
        (Some(p), _) if p.respond_by <= now_ms() => Some(Refused::Expired),
        _ => None,
    };
    let subject = loaded.as_ref().map(|(_, n)| n.caregiver_person_id.clone());
    let detail = found
        .as_ref()
        .map(|p| format!("match_proposal={}", p.id))
        .unwrap_or_default();
    match (refusal, found, loaded) {
        (None, Some(proposal), Some((request, network))) => {
            log_access(
                state,
                &mut tx,
                action,
                "success",
                subject.as_deref(),
                &detail,
                address,
            )
            .await?;
            Ok(Ok((
                tx,
                Usable {
                    proposal,
                    request,
                    network,
                },
            )))
        }
        (refusal, _, _) => {
            let refusal = refusal.unwrap_or(Refused::Unknown);
            let detail = format!("{detail} {}", refusal.reason()).trim().to_string();
            log_access(
                state,
                &mut tx,
                action,
                "denied",
                subject.as_deref(),
                &detail,
                address,
            )
            .await?;
            crate::accounts::commit(state, tx).await?;
            tracing::info!(reason = refusal.reason(), "answer link refused");
            Ok(Err(refusal.page(request)))
        }
    }
}

fn internal(e: MatchingError) -> AppError {
    match e {
        MatchingError::Store(e) => e.into(),
        other => AppError::Internal(other.to_string()),
    }
}

#[derive(Template)]
#[template(path = "matching_answer.html")]
struct AnswerPage {
    page: Page,
    view: RequestLines,
    action: String,
    respond_by: String,
    /// The choice clicked in the e-mail: `ja`, `nee` or empty.
    picked: String,
    error: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChoiceQuery {
    keuze: String,
}

async fn answer_page(
    state: &AppState,
    request: &PageRequest,
    tx: &mut Tx,
    usable: &Usable,
    token: &str,
    picked: &str,
    error: String,
) -> Result<Option<AnswerPage>, AppError> {
    let Some(view) = volunteer_view(
        state,
        tx,
        &usable.proposal,
        &usable.request,
        &usable.network,
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(AnswerPage {
        page: request.page("matching-answer-title"),
        view: lines(&request.tr, &view),
        action: format!("{PREFIX}{token}"),
        respond_by: crate::network::timeline::local_moment(usable.proposal.respond_by),
        picked: match choice(picked) {
            Some(true) => "ja".into(),
            Some(false) => "nee".into(),
            None => String::new(),
        },
        error,
    }))
}

/// `GET /hulp/antwoord/{token}`: the limited view and the two buttons; changes nothing.
async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Query(query): Query<ChoiceQuery>,
) -> Result<Response, AppError> {
    let tx = state.store().begin_write().await?;
    let address = peer.ip().to_string();
    let (mut tx, usable) = match open(&state, &request, tx, &token, Action::Read, &address).await? {
        Ok(opened) => opened,
        Err(page) => return Ok(page),
    };
    let page = answer_page(
        &state,
        &request,
        &mut tx,
        &usable,
        &token,
        &query.keuze,
        String::new(),
    )
    .await?;
    crate::accounts::commit(&state, tx).await?;
    match page {
        Some(page) => Ok(render(StatusCode::OK, page)),
        None => Ok(Refused::Used.page(&request)),
    }
}

#[derive(Template)]
#[template(path = "matching_answer_done.html")]
struct DonePage {
    page: Page,
    accepted: bool,
    first_name: String,
    /// The in-app page of the proposal (with the address, for the volunteer logged in).
    proposal_href: String,
    /// The visitor is logged in as this proposal's volunteer.
    logged_in_as_volunteer: bool,
}

/// `POST /hulp/antwoord/{token}` with `keuze=ja|nee`: answers once.
async fn answer(
    State(state): State<AppState>,
    request: PageRequest,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    crate::forms::Form(form): crate::forms::Form<AnswerForm>,
) -> Result<Response, AppError> {
    let tx = state.store().begin_write().await?;
    let address = peer.ip().to_string();
    let (mut tx, usable) =
        match open(&state, &request, tx, &token, Action::Update, &address).await? {
            Ok(opened) => opened,
            Err(page) => return Ok(page),
        };
    let Some(accept) = choice(&form.keuze) else {
        let page = answer_page(
            &state,
            &request,
            &mut tx,
            &usable,
            &token,
            "",
            request.tr.t("matching-vol-error-choice-yes-no"),
        )
        .await?;
        drop(tx);
        return Ok(match page {
            Some(page) => render(StatusCode::BAD_REQUEST, page),
            None => Refused::Used.page(&request),
        });
    };
    let answered = match proposals::answer_by_link(&mut tx, &token, accept, now_ms()).await {
        Ok(p) => p,
        Err(e) => {
            drop(tx);
            return match e {
                MatchingError::LinkUnknown => Ok(Refused::Unknown.page(&request)),
                MatchingError::LinkUsed => Ok(Refused::Used.page(&request)),
                MatchingError::LinkExpired => Ok(Refused::Expired.page(&request)),
                other => super::volunteer::refused(
                    &request,
                    other,
                    ("/".into(), request.tr.t("matching-answer-home")),
                ),
            };
        }
    };
    let first_name = network::person(&mut tx, &usable.network.caregiver_person_id)
        .await?
        .map(|p| {
            p.given_name
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default();
    crate::accounts::commit(&state, tx).await?;
    tracing::info!(proposal = %answered.id, accept, "proposal answered by link");
    if !accept {
        super::coordinator::propose_next(&state, &answered.request_id).await;
    }
    let logged_in_as_volunteer = request
        .user
        .as_ref()
        .is_some_and(|u| u.actor.user_id == answered.volunteer_user_id);
    Ok(render(
        StatusCode::OK,
        DonePage {
            page: request.page(if accept {
                "matching-answer-accepted-title"
            } else {
                "matching-answer-declined-title"
            }),
            accepted: accept,
            first_name,
            proposal_href: format!("/vrijwilliger/voorstellen/{}", answered.id),
            logged_in_as_volunteer,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_stays_out_of_the_request_log() {
        let token = "ab".repeat(32);
        assert_eq!(
            log_path(&format!("/hulp/antwoord/{token}")),
            "/hulp/antwoord/…"
        );
        assert_eq!(
            log_path(&format!("/hulp/antwoord/{token}/extra")),
            "/hulp/antwoord/…/extra"
        );
        assert_eq!(log_path("/vrijwilliger/profiel"), "/vrijwilliger/profiel");
    }

    #[test]
    fn only_token_shaped_strings_are_looked_up() {
        assert!(token_shape(&"0f".repeat(32)));
        assert!(!token_shape("onbekend"));
        assert!(!token_shape(&"0g".repeat(32)));
    }
}
