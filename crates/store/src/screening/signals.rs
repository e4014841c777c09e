//! Signals: the facts the rules read, raising a signal once per cause (the unique index on
//! `(network_id, cause)` makes a second raise a no-op on both backends), and who receives it.

use super::RuleContext;
use crate::{Conn, Result, new_id};
use mantelkring_core::access::DataCategory;
use mantelkring_core::screening::rules::{CheckFact, Facts, Raised, evaluate};
use mantelkring_core::screening::{Rule, SignalDetail, SignalStatus};
use mantelkring_core::time::Millis;

/// The facts of one network the rules look at.
pub async fn facts(conn: &mut Conn, network_id: &str) -> Result<Facts> {
    let checks: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, instrument, score, completed_at FROM screening_checks \
         WHERE network_id = $1 AND status = 'complete'",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    let last_contact: Option<(String, i64)> = sqlx::query_as(
        "SELECT id, happened_at FROM contacts WHERE network_id = $1 AND kind <> 'no_answer' \
         ORDER BY happened_at DESC, id DESC LIMIT 1",
    )
    .bind(network_id)
    .fetch_optional(&mut *conn)
    .await?;
    let open_questions: Vec<(String, i64)> = sqlx::query_as(
        "SELECT id, created_at FROM network_messages \
         WHERE network_id = $1 AND kind = 'question' AND answered_at IS NULL",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    let unfilled_tasks: Vec<(String, i64)> = sqlx::query_as(
        "SELECT id, help_wanted_at FROM network_tasks \
         WHERE network_id = $1 AND help_wanted_at IS NOT NULL AND cancelled_at IS NULL",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    let cannot_cope: Vec<(String, i64)> = sqlx::query_as(
        "SELECT id, happened_at FROM contacts WHERE network_id = $1 AND cannot_cope = 1",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Facts {
        checks: checks
            .into_iter()
            .map(|(id, instrument, score, completed_at)| CheckFact {
                id,
                instrument,
                score: score.max(0) as u32,
                completed_at,
            })
            .collect(),
        last_contact,
        regie_missing_since: regie_missing_since(conn, network_id).await?,
        open_questions,
        unfilled_tasks,
        cannot_cope,
    })
}

/// Since when the network has been without a regiehouder: the end of the last term, or else the
/// moment its first member joined. `None` while one is active, or when nobody else is in the
/// network (there is no one to take the role, so nothing to signal).
pub async fn regie_missing_since(conn: &mut Conn, network_id: &str) -> Result<Option<Millis>> {
    let row: (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM network_regie WHERE network_id = $1 AND status = 'active'), \
           (SELECT MAX(ended_at) FROM network_regie WHERE network_id = $1), \
           (SELECT MIN(joined_at) FROM network_members \
              WHERE network_id = $1 AND status = 'active' AND removed_at IS NULL)",
    )
    .bind(network_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(match row {
        (0, ended, Some(first_joined)) => Some(ended.unwrap_or(first_joined).max(first_joined)),
        _ => None,
    })
}

/// The region of the network's caregiver (through their municipality), if known.
pub async fn region_of(conn: &mut Conn, network_id: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT m.region_id FROM networks n JOIN people p ON p.id = n.caregiver_person_id \
         LEFT JOIN municipalities m ON m.id = p.municipality_id WHERE n.id = $1",
    )
    .bind(network_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.and_then(|(r,)| r))
}

/// Evaluates the rules for one network at `now` and raises what is new; returns the ids of the
/// signals raised. Call it in the transaction of a relevant write (a check completed, a contact
/// logged), so the signal is there as soon as the write is.
pub async fn evaluate_network(
    conn: &mut Conn,
    rules: &RuleContext,
    network_id: &str,
    now: Millis,
) -> Result<Vec<String>> {
    let facts = facts(conn, network_id).await?;
    let region = region_of(conn, network_id).await?;
    let (settings, thresholds) = rules.for_region(region.as_deref());
    let raised = evaluate(settings, &thresholds, &facts, now);
    let mut ids = Vec::new();
    for cause in &raised {
        if let Some(id) = raise(conn, network_id, cause, None, now).await? {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Raises one signal unless one for the same cause exists; returns its id when new. The owner is
/// the regiehouder when they see checks and signals (else the professionals pick it up).
pub async fn raise(
    conn: &mut Conn,
    network_id: &str,
    raised: &Raised,
    by_user_id: Option<&str>,
    now: Millis,
) -> Result<Option<String>> {
    let owner = regiehouder_seeing_checks(conn, network_id).await?;
    let id = new_id();
    let detail = serde_json::to_string(&raised.detail).expect("signal detail serialises");
    let inserted: Option<(String,)> = sqlx::query_as(
        "INSERT INTO signals (id, network_id, rule, cause, detail, status, owner_user_id, \
           raised_by_user_id, raised_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (network_id, cause) DO NOTHING RETURNING id",
    )
    .bind(&id)
    .bind(network_id)
    .bind(raised.rule.as_str())
    .bind(&raised.cause)
    .bind(detail)
    .bind(SignalStatus::New.as_str())
    .bind(&owner)
    .bind(by_user_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_none() {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO signal_events (id, signal_id, by_user_id, status, owner_user_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(&id)
    .bind(by_user_id)
    .bind(SignalStatus::New.as_str())
    .bind(&owner)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// A signal raised by hand (from a contact): its own cause, so it is never merged with another.
pub fn manual(text: &str, contact_id: Option<&str>) -> Raised {
    Raised {
        rule: Rule::Manual,
        cause: format!("manual:{}", new_id()),
        detail: SignalDetail {
            text: Some(text.to_string()),
            reference: contact_id.map(str::to_string),
            ..SignalDetail::default()
        },
    }
}

/// Someone a signal goes to: user id, e-mail, name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: String,
    pub email: String,
    pub name: String,
}

/// The user id of the active regiehouder, if they see checks and signals.
async fn regiehouder_seeing_checks(conn: &mut Conn, network_id: &str) -> Result<Option<String>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT m.user_id, m.categories FROM network_regie r \
         JOIN network_members m ON m.id = r.member_id \
         WHERE r.network_id = $1 AND r.status = 'active' AND m.status = 'active' \
           AND m.removed_at IS NULL",
    )
    .bind(network_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row
        .filter(|(_, c)| DataCategory::parse_list(c).contains(&DataCategory::Checks))
        .map(|(user, _)| user))
}

/// Who a new signal goes to: the regiehouder (when they see checks and signals), or else the
/// network's professionals and case managers who do.
pub async fn recipients(conn: &mut Conn, network_id: &str) -> Result<Vec<Recipient>> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.display_name, m.categories, m.kind, \
           (SELECT COUNT(*) FROM network_regie r WHERE r.network_id = m.network_id \
               AND r.member_id = m.id AND r.status = 'active') \
         FROM network_members m JOIN users u ON u.id = m.user_id \
         JOIN consents c ON c.id = m.consent_id \
         WHERE m.network_id = $1 AND m.status = 'active' AND m.removed_at IS NULL \
           AND c.withdrawn_at IS NULL AND u.disabled_at IS NULL \
         ORDER BY u.display_name",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(choose_recipients(&rows))
}

/// A member as [`choose_recipients`] reads it: user id, e-mail, name, categories, kind, and
/// whether they hold the active regie (count).
pub type MemberRow = (String, String, String, String, String, i64);

/// The recipients among a network's active, consented members: the regiehouder when they see
/// checks and signals, or else the professionals and case managers who do.
pub fn choose_recipients(rows: &[MemberRow]) -> Vec<Recipient> {
    let sees =
        |categories: &str| DataCategory::parse_list(categories).contains(&DataCategory::Checks);
    let to = |(id, email, name, ..): &MemberRow| Recipient {
        user_id: id.clone(),
        email: email.clone(),
        name: name.clone(),
    };
    if let Some(regie) = rows.iter().find(|r| r.5 > 0 && sees(&r.3)) {
        return vec![to(regie)];
    }
    rows.iter()
        .filter(|r| sees(&r.3) && matches!(r.4.as_str(), "professional" | "case_manager"))
        .map(to)
        .collect()
}
