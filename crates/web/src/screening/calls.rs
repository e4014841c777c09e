//! `/bellen`: "Wie bel ik vandaag?" for the logged-in caller. The caregivers whose contact is
//! due today or overdue (most overdue first), then those due in the coming week: name, phone
//! (as a `tel:` link, only where the policy allows the contact details), the last contact and
//! how, days overdue, and a link to log the contact. The list comes from one query
//! (`store::screening::contacts::call_list`) and leaves one NEN 7513 record per caregiver
//! shown ([`log_shown`]).
//!
//! Also the daily reminder's e-mail text ([`reminder_email`]): how many contacts are due, no
//! health details, a link here.

use crate::AppState;
use crate::access::{Subject, log_refusal, role_and_organisation};
use crate::errors::AppError;
use crate::i18n::{I18n, Lang};
use crate::identity::{Authenticated, require_user};
use crate::network::timeline::{dutch_date, local_moment};
use crate::pages::{Page, PageRequest};
use crate::screening::contacts::{contact_path, every_label, kind_label};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use mantelkring_core::access::Action;
use mantelkring_core::jobs::EmailJob;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::time::now_ms;
use mantelkring_store::screening::contacts::{self, Call};
use mantelkring_store::{Conn, audit};

/// The call list shows what is due up to this many days ahead ("de komende week").
pub const AHEAD_DAYS: i64 = 7;

pub const PATH: &str = "/bellen";

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(show))
}

struct CallView {
    name: String,
    contact_href: String,
    log_href: String,
    phone: Option<String>,
    phone_href: Option<String>,
    last: String,
    every: String,
    due: String,
    overdue: Option<String>,
}

#[derive(Template)]
#[template(path = "screening_calls.html")]
struct CallsPage {
    page: Page,
    today: Vec<CallView>,
    coming: Vec<CallView>,
    summary: String,
}

/// `tel:` and the digits of a Dutch phone number as typed ("071 555 0101" → `tel:0715550101`);
/// `None` when there are no digits.
pub fn tel_href(phone: &str) -> Option<String> {
    let mut out = String::from("tel:");
    for (i, c) in phone.trim().chars().enumerate() {
        if c.is_ascii_digit() || (i == 0 && c == '+') {
            out.push(c);
        }
    }
    (out.len() > 4 && out.chars().any(|c| c.is_ascii_digit())).then_some(out)
}

/// One NEN 7513 record per caregiver shown (read of their checks, and contact details where the
/// phone is shown), in the transaction of the page, in one batched append.
async fn log_shown(
    state: &AppState,
    conn: &mut Conn,
    user: &Authenticated,
    calls: &[Call],
) -> Result<(), AppError> {
    let (role, organisation) = role_and_organisation(&user.actor);
    let events: Vec<audit::NewEvent<'_>> = calls
        .iter()
        .map(|c| audit::NewEvent {
            action: Action::Read.as_str(),
            outcome: "success",
            user_id: Some(&user.actor.user_id),
            user_role: role,
            organisation_id: organisation,
            on_behalf_of: None,
            purpose: c.purpose.as_str(),
            network_address: user.address.as_deref(),
            source: state.settings().audit_source.as_str(),
            subject_person_id: Some(&c.caregiver_person_id),
            data_category: Some(c.categories),
            detail: Some("call_list"),
        })
        .collect();
    // One lock of the chain head and multi-row INSERTs for the whole list.
    audit::append_many(conn, state.store().backend(), &events).await?;
    Ok(())
}

fn view(request: &PageRequest, call: &Call, today: Day) -> CallView {
    let tr = &request.tr;
    let last = match call.last {
        Some((kind, at)) => tr.t2(
            "screening-calls-last",
            ("when", &local_moment(at)),
            ("kind", &kind_label(tr, kind)),
        ),
        None => tr.t("screening-calls-never"),
    };
    let overdue = call.days_overdue(today);
    CallView {
        name: call.caregiver_name.clone(),
        contact_href: contact_path(&call.network_id),
        log_href: format!("{}#vastleggen", contact_path(&call.network_id)),
        phone_href: call.phone.as_deref().and_then(tel_href),
        phone: call.phone.clone(),
        last,
        every: every_label(tr, call.every_days),
        due: if call.due == today {
            tr.t("screening-contact-due-today")
        } else {
            dutch_date(call.due)
        },
        overdue: (overdue > 0).then(|| tr.tn("screening-calls-overdue", "days", overdue)),
    }
}

/// `GET /bellen`.
pub async fn show(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let mut tx = state.store().begin_write().await?;
    if user.actor.needs_second_factor() && !user.actor.second_factor {
        // Staff see nobody's data before the second factor: the refusal is logged.
        log_refusal(
            &state,
            &mut tx,
            &user,
            Action::Read,
            &Subject {
                person_id: None,
                categories: "checks",
            },
            "second_factor_required",
            Some("call_list"),
        )
        .await?;
        crate::accounts::commit(&state, tx).await?;
        return Err(AppError::SecondFactorRequired {
            back_to: request.path.clone(),
        });
    }
    let now = now_ms();
    let today = Day::local(now);
    let calls = contacts::call_list(&mut tx, &user.actor, today.plus(AHEAD_DAYS)).await?;
    log_shown(&state, &mut tx, &user, &calls).await?;
    crate::accounts::commit(&state, tx).await?;
    let (due, coming): (Vec<&Call>, Vec<&Call>) = calls.iter().partition(|c| c.due <= today);
    let tr = &request.tr;
    let summary = tr.t2(
        "screening-calls-summary",
        ("today", &due.len().to_string()),
        ("coming", &coming.len().to_string()),
    );
    let page = CallsPage {
        page: request.page("screening-calls-title"),
        today: due.iter().map(|c| view(&request, c, today)).collect(),
        coming: coming.iter().map(|c| view(&request, c, today)).collect(),
        summary,
    };
    Ok(crate::accounts::message_page(StatusCode::OK, page))
}

/// The daily reminder to a caller: how many contacts are due today (or overdue), a link to the
/// call list; no names, no health details. In Dutch, the installation's language, like the other
/// e-mails (the English text is in `en.ftl` beside it).
pub fn reminder_email(
    i18n: &I18n,
    lang: Lang,
    public_url: &str,
    to: &str,
    name: &str,
    due: usize,
) -> EmailJob {
    let count = due as i64;
    EmailJob {
        to: to.to_string(),
        subject: i18n.message_n(lang, "screening-mail-calls-subject", "count", count),
        body_text: format!(
            "{}\n\n{}\n{public_url}{PATH}\n\n{}\n",
            i18n.message(lang, "screening-mail-calls-greeting", &[("name", name)]),
            i18n.message_n(lang, "screening-mail-calls-body", "count", count),
            i18n.message(lang, "screening-mail-calls-footer", &[]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_become_tel_links() {
        assert_eq!(tel_href("071 555 0101").as_deref(), Some("tel:0715550101"));
        assert_eq!(
            tel_href("+31 6-1234 5678").as_deref(),
            Some("tel:+31612345678")
        );
        assert_eq!(tel_href("geen"), None);
        assert_eq!(tel_href(""), None);
    }

    #[test]
    fn the_reminder_says_how_many_and_nothing_about_anyone() {
        let i18n = I18n::load().unwrap();
        for lang in [Lang::Nl, Lang::En] {
            let mail = reminder_email(&i18n, lang, "https://mk.example", "a@b.nl", "Marieke", 3);
            assert!(mail.subject.contains('3'), "{}", mail.subject);
            assert!(mail.body_text.contains("Marieke"));
            assert!(mail.body_text.contains("https://mk.example/bellen"));
        }
    }
}
