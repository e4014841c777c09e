//! `/logboek`: the log administrator searches the NEN 7513 access log — by person, user (e-mail or
//! id), action and period. The search itself is logged (action `search`, the filter in the detail,
//! the person as subject when the search is about one person).
//! Log administrators see who accessed what, never the data itself.

use crate::AppState;
use crate::access::{Subject, decide_with_detail};
use crate::errors::AppError;
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use crate::people::format_time;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use mantelkring_core::access::{Action, Resource};
use mantelkring_core::identity::Email;
use mantelkring_core::time::Millis;
use mantelkring_store::audit_search::{self, AuditFilter};
use mantelkring_store::{StoreError, admin, base};
use serde::Deserialize;
use std::collections::HashMap;

/// The most lines one page shows.
const PAGE_LIMIT: i64 = 200;

/// Actions offered in the filter: the NEN 7513 actions and the account events.
const ACTIONS: [&str; 14] = [
    "read",
    "create",
    "update",
    "delete",
    "export",
    "print",
    "search",
    "login",
    "second_factor",
    "second_factor_enrolled",
    "password_reset",
    "invitation_accepted",
    "logout",
    "logout_everywhere",
];

#[derive(Deserialize, Default, Clone)]
pub struct LogQuery {
    #[serde(default)]
    persoon: String,
    #[serde(default)]
    gebruiker: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
}

struct LogLine {
    when: String,
    action: String,
    outcome: String,
    user: String,
    organisation: String,
    purpose: String,
    subject: String,
    categories: String,
    address: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "log_search.html")]
struct LogSearchPage {
    page: Page,
    query: LogQuery,
    actions: Vec<(&'static str, String)>,
    lines: Vec<LogLine>,
    searched: bool,
    limited: bool,
    message: Option<String>,
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-11-24` (what a date field sends) or `24-11-2026` → the start of that day, UTC.
fn parse_day(input: &str) -> Option<Millis> {
    let parts: Vec<&str> = input.trim().split('-').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => return None,
    };
    if !(1970..=9999).contains(&y) || !(1..=days_in_month).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400_000)
}

/// An id as stored (UUID text): letters, digits and dashes.
fn valid_id(input: &str) -> bool {
    !input.is_empty()
        && input.len() <= 64
        && input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

struct Checked {
    person: Option<String>,
    user: Option<String>,
    action: Option<&'static str>,
    from: Option<Millis>,
    to: Option<Millis>,
}

/// Checks the filter; `Err(key)` is the message to show.
async fn check(state: &AppState, q: &LogQuery) -> Result<Result<Checked, &'static str>, AppError> {
    let person = match q.persoon.trim() {
        "" => None,
        id if valid_id(id) => Some(id.to_string()),
        _ => return Ok(Err("log-bad-person")),
    };
    let user = match q.gebruiker.trim() {
        "" => None,
        text if text.contains('@') => {
            let Ok(email) = Email::parse(text) else {
                return Ok(Err("log-user-unknown"));
            };
            match base::find_user_by_email(state.store(), email.as_str()).await? {
                Some(u) => Some(u.id),
                None => return Ok(Err("log-user-unknown")),
            }
        }
        id if valid_id(id) => Some(id.to_string()),
        _ => return Ok(Err("log-user-unknown")),
    };
    let action = match q.actie.trim() {
        "" => None,
        a => match ACTIONS.iter().find(|known| **known == a) {
            Some(known) => Some(*known),
            None => return Ok(Err("log-bad-action")),
        },
    };
    let day = |text: &str| match text.trim() {
        "" => Ok(None),
        t => parse_day(t).map(Some).ok_or("log-bad-date"),
    };
    let from = match day(&q.van) {
        Ok(v) => v,
        Err(key) => return Ok(Err(key)),
    };
    // "tot en met": the whole last day counts.
    let to = match day(&q.tot) {
        Ok(v) => v.map(|t| t + 86_400_000),
        Err(key) => return Ok(Err(key)),
    };
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Ok(Err("log-bad-period"));
    }
    Ok(Ok(Checked {
        person,
        user,
        action,
        from,
        to,
    }))
}

impl Checked {
    /// The filter as written into the search's own audit record (checked values: no spaces).
    fn describe(&self) -> String {
        let mut parts = vec!["page=/logboek".to_string()];
        for (name, value) in [
            ("subject", self.person.clone()),
            ("user", self.user.clone()),
            ("action", self.action.map(str::to_string)),
            ("from", self.from.map(|t| t.to_string())),
            ("to", self.to.map(|t| t.to_string())),
        ] {
            if let Some(v) = value {
                parts.push(format!("{name}={v}"));
            }
        }
        parts.join(" ")
    }
}

fn label(request: &PageRequest, prefix: &str, raw: &str) -> String {
    request.tr.code(prefix, raw)
}

fn render(
    request: &PageRequest,
    status: StatusCode,
    query: LogQuery,
    lines: Vec<LogLine>,
    searched: bool,
    limited: bool,
    message: Option<String>,
) -> Result<Response, AppError> {
    let page = LogSearchPage {
        page: request.page("log-title"),
        query,
        actions: ACTIONS
            .into_iter()
            .map(|a| {
                let prefix = if Action::ALL.iter().any(|x| x.as_str() == a) {
                    "action"
                } else {
                    "event"
                };
                (a, label(request, prefix, a))
            })
            .collect(),
        lines,
        searched,
        limited,
        message,
    };
    Ok(crate::accounts::message_page(status, page))
}

pub async fn search(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let resource = Resource::AuditLog;
    let checked = check(&state, &q).await?;
    // Refused users are refused (and logged) before they learn anything from validation.
    let checked = match checked {
        Ok(c) => c,
        Err(key)
            if mantelkring_core::access::may(Some(&user.actor), Action::Search, &resource)
                .is_allowed() =>
        {
            let message = Some(request.tr.t(key));
            return render(
                &request,
                StatusCode::BAD_REQUEST,
                q,
                vec![],
                false,
                false,
                message,
            );
        }
        Err(_) => Checked {
            person: None,
            user: None,
            action: None,
            from: None,
            to: None,
        },
    };
    let detail = checked.describe();
    let tx = state.store().begin_write().await?;
    let (tx, _) = decide_with_detail(
        &state,
        tx,
        &user,
        Action::Search,
        &resource,
        &Subject {
            person_id: checked.person.as_deref(),
            categories: "access_log",
        },
        &request.path,
        Some(&detail),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let mut records = audit_search::search(
        state.store(),
        &AuditFilter {
            subject_person_id: checked.person.as_deref(),
            user_id: checked.user.as_deref(),
            action: checked.action,
            from: checked.from,
            to: checked.to,
            limit: PAGE_LIMIT + 1,
        },
    )
    .await?;
    let limited = records.len() as i64 > PAGE_LIMIT;
    records.truncate(PAGE_LIMIT as usize);
    // Names for the ids on this page: organisations in one query, users one by one (few per page).
    let organisations: HashMap<String, String> = admin::organisations(state.store())
        .await?
        .into_iter()
        .map(|o| (o.organisation.id, o.organisation.name))
        .collect();
    let mut users: HashMap<String, String> = HashMap::new();
    for id in records.iter().filter_map(|r| r.user_id.clone()) {
        if users.contains_key(&id) {
            continue;
        }
        let name = base::display_name(state.store(), &id).await?;
        let email = base::user_email(state.store(), &id).await?;
        let text = match (name, email) {
            (Some(n), Some(e)) => format!("{n} ({e})"),
            _ => id.clone(),
        };
        users.insert(id, text);
    }
    let dash = || "—".to_string();
    let lines = records
        .into_iter()
        .map(|r| LogLine {
            when: format_time(r.occurred_at),
            action: label(
                &request,
                if Action::ALL.iter().any(|x| x.as_str() == r.action) {
                    "action"
                } else {
                    "event"
                },
                &r.action,
            ),
            outcome: label(&request, "outcome", &r.outcome),
            user: match (&r.user_id, &r.user_role) {
                (Some(id), Some(role)) => format!(
                    "{}, {}",
                    users.get(id).cloned().unwrap_or_else(|| id.clone()),
                    label(&request, "role", role)
                ),
                (Some(id), None) => users.get(id).cloned().unwrap_or_else(|| id.clone()),
                (None, _) => dash(),
            },
            organisation: r
                .organisation_id
                .as_ref()
                .map(|o| organisations.get(o).cloned().unwrap_or_else(|| o.clone()))
                .unwrap_or_else(dash),
            purpose: r.purpose,
            subject: r.subject_person_id.unwrap_or_else(dash),
            categories: r
                .data_category
                .map(|c| {
                    c.split(',')
                        .filter(|x| !x.is_empty())
                        .map(|x| label(&request, "category", x))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(dash),
            address: r.network_address.unwrap_or_else(dash),
            detail: r.detail.unwrap_or_default(),
        })
        .collect();
    render(&request, StatusCode::OK, q, lines, true, limited, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_in_both_spellings_and_impossible_dates_are_refused() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2026-11-24"), Some(1_795_478_400_000));
        assert_eq!(parse_day("24-11-2026"), parse_day("2026-11-24"));
        assert_eq!(
            parse_day("2024-02-29").map(format_time).as_deref(),
            Some("29-02-2024 00:00 (UTC)")
        );
        assert_eq!(parse_day("2026-02-29"), None);
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("gisteren"), None);
        assert_eq!(parse_day("2026-11"), None);
    }

    #[test]
    fn the_filter_is_described_without_spaces_in_values() {
        let c = Checked {
            person: Some("p-1".into()),
            user: None,
            action: Some("read"),
            from: Some(0),
            to: None,
        };
        assert_eq!(c.describe(), "page=/logboek subject=p-1 action=read from=0");
        assert!(valid_id("01a20b58-5ae7-71a9"));
        assert!(!valid_id("a b") && !valid_id("") && !valid_id(&"a".repeat(65)));
    }
}
