//! `GET /api/v1/audit-events`: the log administrators' search of the NEN 7513 access log, for
//! integrations (for example a SIEM) with the `audit:read` scope. The search itself is logged.

use super::auth::{ApiCaller, ApiError, ErrorBody};
use crate::AppState;
use crate::access::{Subject, decide_with_detail};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use mantelkring_core::access::{Action, Resource};
use mantelkring_core::api_token::ApiScope;
use mantelkring_core::audit::AuditRecord;
use mantelkring_store::audit_search::{self, AuditFilter, DEFAULT_LIMIT, MAX_LIMIT};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The search. Empty parameters count as not given. Times are milliseconds since the Unix epoch
/// (UTC); `from` ≤ time < `to`.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only records about this person (person id).
    subject: Option<String>,
    /// Only records of this user (user id).
    user: Option<String>,
    /// Only this action: `read`, `search`, `create`, `delete`, `login`, `second_factor`, …
    action: Option<String>,
    /// Only records from this moment on (inclusive), in milliseconds since the Unix epoch.
    #[param(value_type = Option<i64>, minimum = 0)]
    from: Option<String>,
    /// Only records before this moment (exclusive), in milliseconds since the Unix epoch.
    #[param(value_type = Option<i64>, minimum = 0)]
    to: Option<String>,
    /// At most this many records, newest first: 1 to 1000, default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventsDto {
    /// Newest first.
    events: Vec<AuditEventDto>,
    /// The limit that was applied.
    limit: i64,
}

/// One record of the access log (NEN 7513).
#[derive(Serialize, ToSchema)]
pub struct AuditEventDto {
    /// Position in the hash chain.
    seq: i64,
    event_id: String,
    /// Milliseconds since the Unix epoch (UTC).
    occurred_at: i64,
    action: String,
    /// `success`, `denied` or `failure`.
    outcome: String,
    user_id: Option<String>,
    user_role: Option<String>,
    organisation_id: Option<String>,
    on_behalf_of: Option<String>,
    /// Why access was allowed, or why it was refused.
    purpose: String,
    network_address: Option<String>,
    source: String,
    subject_person_id: Option<String>,
    data_category: Option<String>,
    /// For calls with an API token: `api_token=<id>` and, for searches, the filter.
    detail: Option<String>,
}

impl From<AuditRecord> for AuditEventDto {
    fn from(r: AuditRecord) -> Self {
        AuditEventDto {
            seq: r.seq,
            event_id: r.event_id,
            occurred_at: r.occurred_at,
            action: r.action,
            outcome: r.outcome,
            user_id: r.user_id,
            user_role: r.user_role,
            organisation_id: r.organisation_id,
            on_behalf_of: r.on_behalf_of,
            purpose: r.purpose,
            network_address: r.network_address,
            source: r.source,
            subject_person_id: r.subject_person_id,
            data_category: r.data_category,
            detail: r.detail,
        }
    }
}

/// A checked search.
struct Search {
    subject: Option<String>,
    user: Option<String>,
    action: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
    limit: i64,
}

impl Search {
    /// The filter as written into the audit record of the search (values are checked first, so
    /// they hold no spaces or line breaks).
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                parts.push(format!("{name}={v}"));
            }
        };
        add("subject", self.subject.clone());
        add("user", self.user.clone());
        add("action", self.action.clone());
        add("from", self.from.map(|t| t.to_string()));
        add("to", self.to.map(|t| t.to_string()));
        add("limit", Some(self.limit.to_string()));
        parts.join(" ")
    }
}

fn given(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Checks the query; an error names the parameter and what it should look like.
fn check(caller: &ApiCaller, q: AuditQuery) -> Result<Search, ApiError> {
    let tr = &caller.tr;
    let bad = |key: &str, name: &str| ApiError::bad_request(tr, tr.t1(key, "name", name));
    let id = |name: &str, value: Option<String>| match given(value) {
        Some(v) if v.len() > 64 || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
            Err(bad("api-audit-bad-id", name))
        }
        other => Ok(other),
    };
    let time = |name: &str, value: Option<String>| match given(value) {
        Some(v) => match v.parse::<i64>() {
            Ok(t) if t >= 0 => Ok(Some(t)),
            _ => Err(bad("api-audit-bad-time", name)),
        },
        None => Ok(None),
    };
    let subject = id("subject", q.subject)?;
    let user = id("user", q.user)?;
    let action = match given(q.action) {
        Some(v) if v.len() > 40 || !v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
            return Err(bad("api-audit-bad-action", "action"));
        }
        other => other,
    };
    let from = time("from", q.from)?;
    let to = time("to", q.to)?;
    let limit = match given(q.limit) {
        None => DEFAULT_LIMIT,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => return Err(bad("api-audit-bad-limit", "limit")),
        },
    };
    Ok(Search {
        subject,
        user,
        action,
        from,
        to,
        limit,
    })
}

/// Search the access log (NEN 7513), newest first.
///
/// Needs an API token with the scope `audit:read`, which only log administrators can make. The
/// search itself is logged (action `search`, with the filter and the token id in `detail`), so
/// it is the first record of its own answer when it matches the filter.
#[utoipa::path(
    get,
    path = "/api/v1/audit-events",
    tag = "audit",
    security(("api_token" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The matching records, newest first", body = AuditEventsDto),
        (status = 400, description = "A parameter is not valid; the message names it", body = ErrorBody),
        (status = 401, description = "No valid API token (missing, unknown, revoked or expired)", body = ErrorBody),
        (status = 403, description = "The token lacks audit:read, or its owner is no log administrator", body = ErrorBody)
    )
)]
async fn audit_events(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditEventsDto>, ApiError> {
    let Ok(Query(query)) = query else {
        return Err(ApiError::bad_request(
            &caller.tr,
            caller.tr.t("api-audit-bad-query"),
        ));
    };
    let search = check(&caller, query)?;
    let described = search.describe();
    let tx = state.store().begin_write().await?;
    let (tx, _) = decide_with_detail(
        &state,
        tx,
        &caller.user,
        Action::Search,
        &Resource::AuditLog,
        &Subject {
            person_id: search.subject.as_deref(),
            categories: "access_log",
        },
        "/api/v1/audit-events",
        Some(&described),
    )
    .await
    .map_err(|e| ApiError::from_app(&caller, ApiScope::AuditRead, e))?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let events = audit_search::search(
        state.store(),
        &AuditFilter {
            subject_person_id: search.subject.as_deref(),
            user_id: search.user.as_deref(),
            action: search.action.as_deref(),
            from: search.from,
            to: search.to,
            limit: search.limit,
        },
    )
    .await?;
    Ok(Json(AuditEventsDto {
        events: events.into_iter().map(AuditEventDto::from).collect(),
        limit: search.limit,
    }))
}

pub fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(utoipa_axum::routes!(audit_events))
}
