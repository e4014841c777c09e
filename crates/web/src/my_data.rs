//! "Mijn gegevens": a person's AVG rights in one place — all their data as a readable page and as a
//! JSON download (articles 15 and 20), their consents with withdrawal (article 7), and the way to
//! "Wie heeft mijn gegevens bekeken". Erasure (article 17) is carried out by an administrator.

use crate::AppState;
use crate::access::{Subject, decide};
use crate::errors::AppError;
use crate::identity::{Authenticated, require_user};
use crate::pages::{Page, PageRequest};
use crate::people::format_time;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use mantelkring_core::access::{Action, DataCategory, Relationship, Resource};
use mantelkring_core::screening::{ContactKind, Rule, SignalStatus};
use mantelkring_store::{StoreError, Tx, avg, network};
use serde::Deserialize;

/// Every user has their own account data; a person record adds the rest.
fn own() -> Relationship {
    Relationship {
        is_self: true,
        network_member: None,
        ..Default::default()
    }
}

async fn own_access(
    state: &AppState,
    request: &PageRequest,
    action: Action,
    category: DataCategory,
    categories: &str,
) -> Result<(Authenticated, Tx), AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let tx = state.store().begin_write().await?;
    let relationship = own();
    let (tx, _) = decide(
        state,
        tx,
        &user,
        action,
        &Resource::PersonData {
            category,
            relationship: &relationship,
        },
        &Subject {
            person_id: user.actor.person_id.as_deref(),
            categories,
        },
        &request.path,
    )
    .await?;
    Ok((user, tx))
}

// ---- The hub ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "my_data.html")]
struct MyDataPage {
    page: Page,
}

pub async fn hub(request: PageRequest) -> Result<Html<String>, AppError> {
    require_user(request.user.clone(), &request.path)?;
    Ok(Html(
        MyDataPage {
            page: request.page("my-data-title"),
        }
        .render()?,
    ))
}

// ---- Export -----------------------------------------------------------------------------------

/// All categories an export covers, as logged.
const EXPORT_CATEGORIES: &str = "basic,contact,messages,agenda,situation,checks,access_log";

async fn gather(
    state: &AppState,
    request: &PageRequest,
) -> Result<avg::PersonalDataExport, AppError> {
    let (user, mut tx) = own_access(
        state,
        request,
        Action::Export,
        DataCategory::Basic,
        EXPORT_CATEGORIES,
    )
    .await?;
    let export = avg::export(&mut tx, &user.actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(export)
}

/// The JSON download (machine-readable, for taking the data elsewhere).
pub async fn download(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Response, AppError> {
    let export = gather(&state, &request).await?;
    let body = serde_json::to_string_pretty(&export)
        .map_err(|e| AppError::Internal(format!("export: {e}")))?;
    // `24-11-2026 13:25 (UTC)` → `20261124`
    let day = format_time(export.exported_at);
    let stamp: String = day[..10].split('-').rev().collect();
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"mantelkring-gegevens-{stamp}.json\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

struct Row {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "my_data_overview.html")]
struct OverviewPage {
    page: Page,
    exported_at: String,
    person: Vec<Row>,
    account: Vec<Row>,
    sections: Vec<Section>,
}

struct Section {
    heading: String,
    lines: Vec<String>,
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

fn category_list(request: &PageRequest, categories: &[String]) -> String {
    if categories.is_empty() {
        return request.tr.t("category-basic");
    }
    categories
        .iter()
        .map(|c| request.tr.t(&format!("category-{}", c.replace('_', "-"))))
        .collect::<Vec<_>>()
        .join(", ")
}

fn role_name(request: &PageRequest, role: &str) -> String {
    request.tr.t(&format!("role-{}", role.replace('_', "-")))
}

/// The same data as the download, as a readable (and printable) page.
pub async fn overview(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let export = gather(&state, &request).await?;
    let tr = &request.tr;
    let row = |key: &str, value: String| Row {
        label: tr.t(key),
        value,
    };
    let person = export
        .person
        .as_ref()
        .map(|p| {
            vec![
                row(
                    "account-name",
                    format!("{} {}", p.given_name, p.family_name)
                        .trim()
                        .to_string(),
                ),
                row("login-email", or_dash(&p.email)),
                row("person-phone", or_dash(&p.phone)),
                row("person-postcode", or_dash(&p.postcode)),
                row("person-municipality", or_dash(&p.municipality)),
                row("my-data-since", format_time(p.created_at)),
            ]
        })
        .unwrap_or_default();
    let a = &export.account;
    let account = vec![
        row("account-name", a.display_name.clone()),
        row("login-email", a.email.clone()),
        row("my-data-since", format_time(a.created_at)),
        row(
            "admin-email-verified",
            a.email_verified_at
                .map(format_time)
                .unwrap_or_else(|| tr.t("no")),
        ),
        row(
            "account-second-factor",
            a.second_factor_since
                .map(format_time)
                .unwrap_or_else(|| tr.t("no")),
        ),
    ];
    let roles: Vec<String> = export
        .roles
        .iter()
        .map(|r| match &r.organisation {
            Some(org) => format!("{} — {org}", role_name(&request, &r.role)),
            None => role_name(&request, &r.role),
        })
        .collect();
    let period = |joined: i64, removed: Option<i64>| match removed {
        Some(r) => tr.t2(
            "my-data-period-ended",
            ("from", &format_time(joined)),
            ("to", &format_time(r)),
        ),
        None => tr.t1("my-data-period-since", "from", &format_time(joined)),
    };
    let members: Vec<String> = export
        .network_members
        .iter()
        .map(|m| {
            format!(
                "{}{} — {} ({})",
                m.name,
                m.organisation
                    .as_ref()
                    .map(|o| format!(", {o}"))
                    .unwrap_or_default(),
                category_list(&request, &m.categories),
                period(m.joined_at, m.removed_at)
            )
        })
        .collect();
    let member_of: Vec<String> = export
        .member_of
        .iter()
        .map(|m| {
            format!(
                "{} — {} ({})",
                m.caregiver,
                category_list(&request, &m.categories),
                period(m.joined_at, m.removed_at)
            )
        })
        .collect();
    let consents: Vec<String> = export
        .consents
        .iter()
        .map(|c| consent_text(&request, c))
        .collect();
    let accesses: Vec<String> = export
        .accessed_by_others
        .iter()
        .rev()
        .map(|x| {
            format!(
                "{} — {}, {}: {} {}",
                format_time(x.at),
                or_dash(&x.organisation),
                x.role
                    .as_deref()
                    .map(|r| role_name(&request, r))
                    .unwrap_or_default(),
                tr.t(&format!("action-{}", x.action)),
                x.data_category
                    .as_deref()
                    .map(|c| {
                        category_list(
                            &request,
                            &c.split(',').map(str::to_string).collect::<Vec<_>>(),
                        )
                    })
                    .unwrap_or_default()
            )
        })
        .collect();
    let events: Vec<String> = export
        .account_events
        .iter()
        .rev()
        .map(|e| {
            format!(
                "{} — {} ({}){}",
                format_time(e.at),
                tr.code("event", &e.action),
                tr.code("outcome", &e.outcome),
                e.network_address
                    .as_ref()
                    .map(|a| format!(", {a}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    // Signaleren: the checks (with score where complete), signals and contacts about me.
    let checks: Vec<String> = export
        .checks
        .iter()
        .map(|c| {
            let name = state
                .settings()
                .instruments
                .get(&c.instrument)
                .map_or_else(|| c.instrument.clone(), |i| i.name.clone());
            match (c.score, c.completed_at) {
                (Some(score), Some(at)) => format!(
                    "{} — {}",
                    format_time(at),
                    tr.t2(
                        "my-data-check-complete",
                        ("instrument", &name),
                        ("score", &score.to_string()),
                    )
                ),
                _ => format!(
                    "{} — {}",
                    format_time(c.started_at),
                    tr.t1("my-data-check-draft", "instrument", &name)
                ),
            }
        })
        .collect();
    let signals: Vec<String> = export
        .signals
        .iter()
        .map(|sig| {
            let status = SignalStatus::parse(&sig.status)
                .map(|st| crate::screening::signals::status_label(tr, st))
                .unwrap_or_else(|| sig.status.clone());
            let mut line = format!(
                "{} — {} ({status})",
                format_time(sig.raised_at),
                crate::screening::signals::rule_label(tr, Rule::parse(&sig.rule)),
            );
            if !sig.note.is_empty() {
                line.push_str(&format!(": {}", sig.note));
            }
            line
        })
        .collect();
    let contacts: Vec<String> = export
        .contacts
        .iter()
        .rev()
        .map(|c| {
            let kind = ContactKind::parse(&c.kind)
                .map(|k| crate::screening::contacts::kind_label(tr, k))
                .unwrap_or_else(|| c.kind.clone());
            let mut line = format!(
                "{} — {kind}, {}",
                format_time(c.happened_at),
                role_name(&request, &c.by_role)
            );
            if !c.note.is_empty() {
                line.push_str(&format!(": {}", c.note));
            }
            line
        })
        .collect();
    Ok(Html(
        OverviewPage {
            page: request.page("my-data-overview-title"),
            exported_at: format_time(export.exported_at),
            person,
            account,
            sections: [
                ("account-roles", roles),
                ("my-data-members", members),
                ("my-data-member-of", member_of),
                ("consents-title", consents),
                ("my-data-checks", checks),
                ("my-data-signals", signals),
                ("my-data-contacts", contacts),
                ("access-log-title", accesses),
                ("my-data-events", events),
            ]
            .into_iter()
            .map(|(key, lines)| Section {
                heading: tr.t(key),
                lines,
            })
            .collect(),
        }
        .render()?,
    ))
}

/// Whom a consent lets in: the member and their organisation (or the scope when there is none).
fn consent_who(c: &network::ConsentLine) -> String {
    match (&c.member, &c.member_organisation) {
        (Some(m), Some(o)) => format!("{m} ({o})"),
        (Some(m), None) => m.clone(),
        _ => c.scope.clone(),
    }
}

/// How a consent was given: online by the person, or verbally, recorded by a named professional.
fn consent_how(tr: &crate::i18n::Tr, c: &network::ConsentLine) -> String {
    if c.method == "verbal" {
        tr.t1("consent-verbal", "name", &c.recorded_by)
    } else {
        tr.t("consent-online")
    }
}

fn consent_text(request: &PageRequest, c: &network::ConsentLine) -> String {
    let tr = &request.tr;
    let who = consent_who(c);
    let how = consent_how(tr, c);
    let state = match c.withdrawn_at {
        Some(w) => tr.t1("consent-withdrawn-at", "when", &format_time(w)),
        None => tr.t("consent-active"),
    };
    format!(
        "{who} — {}; {how}, {}; {state}",
        category_list(request, &c.categories),
        format_time(c.given_at)
    )
}

// ---- Consents ---------------------------------------------------------------------------------

struct ConsentView {
    id: String,
    who: String,
    what: String,
    how: String,
    given: String,
    withdrawn: Option<String>,
}

#[derive(Template)]
#[template(path = "consents.html")]
struct ConsentsPage {
    page: Page,
    consents: Vec<ConsentView>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    gedaan: String,
}

pub async fn consents(
    State(state): State<AppState>,
    request: PageRequest,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    let (user, mut tx) =
        own_access(&state, &request, Action::Read, DataCategory::Basic, "basic").await?;
    let list = match &user.actor.person_id {
        Some(pid) => network::consents_of(&mut tx, pid).await?,
        None => Vec::new(),
    };
    tx.commit().await.map_err(StoreError::from)?;
    let tr = &request.tr;
    let consents = list
        .iter()
        .map(|c| ConsentView {
            id: c.id.clone(),
            who: consent_who(c),
            what: category_list(&request, &c.categories),
            how: consent_how(tr, c),
            given: format_time(c.given_at),
            withdrawn: c.withdrawn_at.map(format_time),
        })
        .collect();
    let notice = (q.gedaan == "ingetrokken").then(|| tr.t("consent-done-withdrawn"));
    Ok(Html(
        ConsentsPage {
            page: request.page("consents-title"),
            consents,
            notice,
        }
        .render()?,
    ))
}

/// Withdrawal takes effect at once: the member no longer passes the access policy.
pub async fn withdraw(
    State(state): State<AppState>,
    request: PageRequest,
    Path(consent_id): Path<String>,
) -> Result<Response, AppError> {
    let (user, mut tx) = own_access(
        &state,
        &request,
        Action::Update,
        DataCategory::Basic,
        "basic",
    )
    .await?;
    let Some(person_id) = user.actor.person_id.as_deref() else {
        return Err(AppError::NotFound);
    };
    if !network::withdraw_own_consent(&mut tx, person_id, &consent_id).await? {
        // Not this person's consent, or already withdrawn: nothing changes, not even the log.
        return Err(AppError::NotFound);
    }
    crate::accounts::commit(&state, tx).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            "/mijn-gegevens/toestemmingen?gedaan=ingetrokken",
        )],
    )
        .into_response())
}
