//! The one door to personal data in the web layer: ask the access policy, and write the NEN 7513
//! record of the decision in the same transaction as the access itself.

use crate::AppState;
use crate::errors::AppError;
use crate::identity::Authenticated;
use mantelkring_core::access::{
    Action, Actor, DataCategory, Decision, DenyReason, Purpose, Resource, may,
};
use mantelkring_core::api_token::required_scope;
use mantelkring_store::{Tx, audit};

/// What is being accessed, for the log.
pub struct Subject<'a> {
    pub person_id: Option<&'a str>,
    /// One or more categories, as logged (for example `basic,contact`).
    pub categories: &'a str,
}

/// Decides `action` on `resource` for the logged-in user and logs the decision in `tx`.
/// Allowed: returns the transaction and the purpose; the caller reads, then commits.
/// Refused: commits the refusal record and returns the matching error (403, or a redirect to the
/// second-factor step).
pub async fn decide(
    state: &AppState,
    tx: Tx,
    user: &Authenticated,
    action: Action,
    resource: &Resource<'_>,
    subject: &Subject<'_>,
    back_to: &str,
) -> Result<(Tx, Purpose), AppError> {
    decide_with_detail(state, tx, user, action, resource, subject, back_to, None).await
}

/// What was decided, including the refusal of an API token that lacks the scope.
enum Verdict {
    Policy(Decision),
    ScopeMissing,
}

/// [`decide`], with `extra` added to the audit record's detail (for example a search's filter).
///
/// A request made with an API token is decided by the same policy for the token's owner, and is
/// refused (and logged as `scope_missing`) when the token lacks the scope the action needs. Its
/// record carries `api_token=<id>` in the detail.
#[allow(clippy::too_many_arguments)]
pub async fn decide_with_detail(
    state: &AppState,
    mut tx: Tx,
    user: &Authenticated,
    action: Action,
    resource: &Resource<'_>,
    subject: &Subject<'_>,
    back_to: &str,
    extra: Option<&str>,
) -> Result<(Tx, Purpose), AppError> {
    let verdict = match &user.api_token {
        Some(token)
            if !required_scope(action, resource).is_some_and(|s| token.scopes.contains(&s)) =>
        {
            Verdict::ScopeMissing
        }
        _ => Verdict::Policy(may(Some(&user.actor), action, resource)),
    };
    let (outcome, purpose) = match verdict {
        Verdict::Policy(Decision::Allow(p)) => ("success", p.as_str()),
        Verdict::Policy(Decision::Deny(reason)) => ("denied", reason.as_str()),
        Verdict::ScopeMissing => ("denied", "scope_missing"),
    };
    let detail = match (&user.api_token, extra) {
        (Some(token), Some(extra)) => Some(format!("api_token={} {extra}", token.id)),
        (Some(token), None) => Some(format!("api_token={}", token.id)),
        (None, extra) => extra.map(str::to_string),
    };
    let (role, organisation) = role_and_organisation(&user.actor);
    audit::append(
        &mut tx,
        state.store().backend(),
        &audit::NewEvent {
            action: action.as_str(),
            outcome,
            user_id: Some(&user.actor.user_id),
            user_role: role,
            organisation_id: organisation,
            // Acting for the caregiver: the record names whose behalf (NEN 7513).
            on_behalf_of: match verdict {
                Verdict::Policy(Decision::Allow(Purpose::OnBehalfOfCaregiver)) => subject.person_id,
                _ => None,
            },
            purpose,
            network_address: user.address.as_deref(),
            source: state.settings().audit_source.as_str(),
            subject_person_id: subject.person_id,
            data_category: Some(subject.categories),
            detail: detail.as_deref(),
        },
    )
    .await?;
    let reason = match verdict {
        Verdict::Policy(Decision::Allow(purpose)) => return Ok((tx, purpose)),
        Verdict::Policy(Decision::Deny(reason)) => reason.as_str(),
        Verdict::ScopeMissing => "scope_missing",
    };
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    tracing::info!(user = %user.actor.user_id, reason, "access refused");
    Err(match verdict {
        Verdict::Policy(Decision::Deny(DenyReason::SecondFactorRequired)) => {
            AppError::SecondFactorRequired {
                back_to: back_to.to_string(),
            }
        }
        _ => AppError::Forbidden,
    })
}

/// Logs a refusal that follows an allowed access, when the action itself turns out not to be the
/// visitor's to do (for example answering a question asked of someone else): the policy let them
/// in, the record of the action says `denied` with `reason`.
pub async fn log_refusal(
    state: &AppState,
    conn: &mut mantelkring_store::Conn,
    user: &Authenticated,
    action: Action,
    subject: &Subject<'_>,
    reason: &str,
    detail: Option<&str>,
) -> Result<(), AppError> {
    let (role, organisation) = role_and_organisation(&user.actor);
    audit::append(
        conn,
        state.store().backend(),
        &audit::NewEvent {
            action: action.as_str(),
            outcome: "denied",
            user_id: Some(&user.actor.user_id),
            user_role: role,
            organisation_id: organisation,
            on_behalf_of: None,
            purpose: reason,
            network_address: user.address.as_deref(),
            source: state.settings().audit_source.as_str(),
            subject_person_id: subject.person_id,
            data_category: Some(subject.categories),
            detail,
        },
    )
    .await?;
    Ok(())
}

/// The role shown in the audit log (the most privileged one held) and the organisation it is
/// held through, if any.
pub(crate) fn role_and_organisation(actor: &Actor) -> (Option<&'static str>, Option<&str>) {
    let role = actor.main_role();
    let organisation = role.and_then(|r| {
        actor
            .memberships
            .iter()
            .find(|(_, m)| *m == r)
            .map(|(o, _)| o.as_str())
    });
    (role.map(|r| r.as_str()), organisation)
}

/// Whether the user may also see `category` (for optional parts of a page already audited).
pub fn also_sees(
    user: &Authenticated,
    relationship: &mantelkring_core::access::Relationship,
    category: DataCategory,
) -> bool {
    may(
        Some(&user.actor),
        Action::Read,
        &Resource::PersonData {
            category,
            relationship,
        },
    )
    .is_allowed()
}

/// Logs an account event (login, second factor, logout, password set, …): no person's data is
/// read, but who did what from where belongs in the same log.
pub async fn log_account_event(
    state: &AppState,
    conn: &mut mantelkring_store::Conn,
    action: &str,
    outcome: &str,
    user_id: Option<&str>,
    purpose: &str,
    network_address: Option<&str>,
) -> Result<(), AppError> {
    audit::append(
        conn,
        state.store().backend(),
        &audit::NewEvent {
            action,
            outcome,
            user_id,
            purpose,
            network_address,
            source: state.settings().audit_source.as_str(),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// Logs making (`create`) or revoking (`delete`) an API token by the logged-in user, with the
/// token id and its scopes in the detail.
pub async fn log_api_token_event(
    state: &AppState,
    conn: &mut mantelkring_store::Conn,
    user: &Authenticated,
    action: Action,
    token_id: &str,
    scopes: &str,
) -> Result<(), AppError> {
    let (role, organisation) = role_and_organisation(&user.actor);
    let detail = format!("api_token={token_id} scopes={scopes}");
    audit::append(
        conn,
        state.store().backend(),
        &audit::NewEvent {
            action: action.as_str(),
            outcome: "success",
            user_id: Some(&user.actor.user_id),
            user_role: role,
            organisation_id: organisation,
            purpose: "api_token",
            network_address: user.address.as_deref(),
            source: state.settings().audit_source.as_str(),
            detail: Some(&detail),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// Logs an access through a single-use check link (`screening::links`): there is no account, so
/// no user; the purpose is `single_use_link`, the subject the caregiver whose check it is (none
/// for a link we do not know), the category checks, and `detail` names the link (and, for a
/// refusal, why: `link_unknown`, `link_expired`, `link_used`).
pub async fn log_link_access(
    state: &AppState,
    conn: &mut mantelkring_store::Conn,
    action: Action,
    outcome: &str,
    subject_person_id: Option<&str>,
    detail: &str,
    network_address: Option<&str>,
) -> Result<(), AppError> {
    audit::append(
        conn,
        state.store().backend(),
        &audit::NewEvent {
            action: action.as_str(),
            outcome,
            purpose: "single_use_link",
            network_address,
            source: state.settings().audit_source.as_str(),
            subject_person_id,
            data_category: Some(DataCategory::Checks.as_str()),
            detail: Some(detail),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// Logs allowed reads of many people's data at once (a list page that shows many caregivers:
/// one NEN 7513 record per caregiver shown), with one batched append to the hash chain. Each
/// subject comes with the purpose the policy allowed it for (`decide` was asked per subject).
pub async fn log_allowed_many(
    state: &AppState,
    conn: &mut mantelkring_store::Conn,
    user: &Authenticated,
    action: Action,
    subjects: &[(&str, Purpose)],
    categories: &str,
) -> Result<(), AppError> {
    let (role, organisation) = role_and_organisation(&user.actor);
    let detail = user
        .api_token
        .as_ref()
        .map(|t| format!("api_token={}", t.id));
    let events: Vec<audit::NewEvent<'_>> = subjects
        .iter()
        .map(|(person_id, purpose)| audit::NewEvent {
            action: action.as_str(),
            outcome: "success",
            user_id: Some(&user.actor.user_id),
            user_role: role,
            organisation_id: organisation,
            on_behalf_of: (*purpose == Purpose::OnBehalfOfCaregiver).then_some(*person_id),
            purpose: purpose.as_str(),
            network_address: user.address.as_deref(),
            source: state.settings().audit_source.as_str(),
            subject_person_id: Some(person_id),
            data_category: Some(categories),
            detail: detail.as_deref(),
        })
        .collect();
    audit::append_many(conn, state.store().backend(), &events).await?;
    Ok(())
}
