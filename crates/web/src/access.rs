//! The one door to personal data in the web layer: ask the access policy, and write the NEN 7513
//! record of the decision in the same transaction as the access itself.

use crate::AppState;
use crate::errors::AppError;
use crate::identity::Authenticated;
use mantelkring_core::access::{
    Action, DataCategory, Decision, DenyReason, Purpose, Resource, may,
};
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
    mut tx: Tx,
    user: &Authenticated,
    action: Action,
    resource: &Resource<'_>,
    subject: &Subject<'_>,
    back_to: &str,
) -> Result<(Tx, Purpose), AppError> {
    let decision = may(Some(&user.actor), action, resource);
    let (outcome, purpose) = match decision {
        Decision::Allow(p) => ("success", p.as_str()),
        Decision::Deny(reason) => ("denied", reason.as_str()),
    };
    let role = user.actor.main_role();
    let organisation = role.and_then(|r| {
        user.actor
            .memberships
            .iter()
            .find(|(_, m)| *m == r)
            .map(|(o, _)| o.as_str())
    });
    audit::append(
        &mut tx,
        state.store().backend(),
        &audit::NewEvent {
            action: action.as_str(),
            outcome,
            user_id: Some(&user.actor.user_id),
            user_role: role.map(|r| r.as_str()),
            organisation_id: organisation,
            on_behalf_of: None,
            purpose,
            network_address: user.address.as_deref(),
            source: state.settings().audit_source.as_str(),
            subject_person_id: subject.person_id,
            data_category: Some(subject.categories),
            detail: None,
        },
    )
    .await?;
    match decision {
        Decision::Allow(purpose) => Ok((tx, purpose)),
        Decision::Deny(reason) => {
            tx.commit()
                .await
                .map_err(mantelkring_store::StoreError::from)?;
            tracing::info!(user = %user.actor.user_id, reason = reason.as_str(), "access refused");
            Err(match reason {
                DenyReason::SecondFactorRequired => AppError::SecondFactorRequired {
                    back_to: back_to.to_string(),
                },
                _ => AppError::Forbidden,
            })
        }
    }
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
