//! Signals as people work with them: a network's signals with their history, following one up
//! (status, owner, follow-up date, note — every change kept in `signal_events`), and the
//! worklist of everyone who follows up signals in several networks (`/signalen`, the meeting).

use crate::network::{MemberFacts, full_name, relationship_of};
use crate::{Conn, Result, new_id};
use mantelkring_core::access::{DataCategory, Relationship};
use mantelkring_core::network::agenda::Day;
use mantelkring_core::screening::{Rule, SignalDetail, SignalStatus};
use mantelkring_core::time::Millis;

/// A signal with the names a page shows.
#[derive(Debug, Clone)]
pub struct SignalRow {
    pub id: String,
    pub network_id: String,
    pub caregiver_person_id: String,
    pub caregiver_name: String,
    pub rule: Option<Rule>,
    pub cause: String,
    pub detail: SignalDetail,
    pub status: SignalStatus,
    pub owner_user_id: Option<String>,
    pub owner_name: Option<String>,
    pub follow_up_on: Option<Day>,
    pub note: String,
    pub raised_at: Millis,
    pub updated_at: Millis,
    pub closed_at: Option<Millis>,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
    i64,
    Option<i64>,
);

const SELECT: &str = "SELECT s.id, s.network_id, n.caregiver_person_id, p.given_name, \
       p.family_name, s.rule, s.cause, s.detail, s.status, s.owner_user_id, o.display_name, \
       s.follow_up_on, s.note, s.raised_at, s.updated_at, s.closed_at \
     FROM signals s JOIN networks n ON n.id = s.network_id \
     JOIN people p ON p.id = n.caregiver_person_id \
     LEFT JOIN users o ON o.id = s.owner_user_id";

fn signal(row: Row) -> SignalRow {
    let (
        id,
        network_id,
        caregiver_person_id,
        given,
        family,
        rule,
        cause,
        detail,
        status,
        owner_user_id,
        owner_name,
        follow_up_on,
        note,
        raised_at,
        updated_at,
        closed_at,
    ) = row;
    SignalRow {
        id,
        network_id,
        caregiver_person_id,
        caregiver_name: full_name(&given, &family),
        rule: Rule::parse(&rule),
        cause,
        detail: serde_json::from_str(&detail).unwrap_or_default(),
        status: SignalStatus::parse(&status).unwrap_or(SignalStatus::New),
        owner_user_id,
        owner_name,
        follow_up_on: follow_up_on.as_deref().and_then(Day::parse),
        note,
        raised_at,
        updated_at,
        closed_at,
    }
}

/// Open first (new, in progress), then closed; within each, the newest first.
const OPEN_FIRST: &str = "CASE s.status WHEN 'done' THEN 1 ELSE 0 END, s.raised_at DESC, s.id";

/// The signals of one network, open ones first.
pub async fn of_network(conn: &mut Conn, network_id: &str) -> Result<Vec<SignalRow>> {
    let sql = format!("{SELECT} WHERE s.network_id = $1 ORDER BY {OPEN_FIRST}");
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(network_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(signal).collect())
}

/// One signal of a network.
pub async fn get(conn: &mut Conn, network_id: &str, signal_id: &str) -> Result<Option<SignalRow>> {
    let sql = format!("{SELECT} WHERE s.network_id = $1 AND s.id = $2");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(network_id)
        .bind(signal_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(signal))
}

/// One change of a signal, as its history shows it.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub signal_id: String,
    /// `None`: raised by the rules.
    pub by_name: Option<String>,
    pub status: SignalStatus,
    pub owner_name: Option<String>,
    pub follow_up_on: Option<Day>,
    pub note: String,
    pub at: Millis,
}

/// The history of every signal of a network, oldest first.
pub async fn events_of_network(conn: &mut Conn, network_id: &str) -> Result<Vec<EventRow>> {
    type E = (
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        String,
        i64,
    );
    let rows: Vec<E> = sqlx::query_as(
        "SELECT e.signal_id, b.display_name, e.status, o.display_name, e.follow_up_on, e.note, e.at \
         FROM signal_events e JOIN signals s ON s.id = e.signal_id \
         LEFT JOIN users b ON b.id = e.by_user_id LEFT JOIN users o ON o.id = e.owner_user_id \
         WHERE s.network_id = $1 ORDER BY e.at, e.id",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(signal_id, by_name, status, owner_name, follow_up_on, note, at)| EventRow {
                signal_id,
                by_name,
                status: SignalStatus::parse(&status).unwrap_or(SignalStatus::New),
                owner_name,
                follow_up_on: follow_up_on.as_deref().and_then(Day::parse),
                note,
                at,
            },
        )
        .collect())
}

/// The members who may own a signal: active, consented, and seeing checks and signals
/// (user id, name), by name.
pub async fn owner_candidates(conn: &mut Conn, network_id: &str) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name, m.categories FROM network_members m \
         JOIN users u ON u.id = m.user_id JOIN consents c ON c.id = m.consent_id \
         WHERE m.network_id = $1 AND m.status = 'active' AND m.removed_at IS NULL \
           AND c.withdrawn_at IS NULL AND u.disabled_at IS NULL \
         ORDER BY u.display_name, u.id",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<(String, String)> = Vec::new();
    for (id, name, categories) in rows {
        if DataCategory::parse_list(&categories).contains(&DataCategory::Checks)
            && !out.iter().any(|(u, _)| *u == id)
        {
            out.push((id, name));
        }
    }
    Ok(out)
}

/// A follow-up of a signal, checked by the caller (`core::screening::check_update`, and the
/// owner among [`owner_candidates`]).
#[derive(Debug, Clone)]
pub struct Update<'a> {
    pub status: SignalStatus,
    pub owner_user_id: Option<&'a str>,
    pub follow_up_on: Option<Day>,
    pub note: &'a str,
}

/// Writes the follow-up and its history event; `false` when the network has no such signal.
pub async fn update(
    conn: &mut Conn,
    network_id: &str,
    signal_id: &str,
    change: &Update<'_>,
    by_user_id: &str,
    now: Millis,
) -> Result<bool> {
    let follow_up = change.follow_up_on.map(Day::iso);
    let closed_at = (change.status == SignalStatus::Done).then_some(now);
    let updated = sqlx::query(
        "UPDATE signals SET status = $1, owner_user_id = $2, follow_up_on = $3, note = $4, \
           updated_at = $5, closed_at = CASE WHEN $6 IS NULL THEN NULL ELSE COALESCE(closed_at, $6) END \
         WHERE id = $7 AND network_id = $8",
    )
    .bind(change.status.as_str())
    .bind(change.owner_user_id)
    .bind(&follow_up)
    .bind(change.note)
    .bind(now)
    .bind(closed_at)
    .bind(signal_id)
    .bind(network_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO signal_events (id, signal_id, by_user_id, status, owner_user_id, \
           follow_up_on, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(signal_id)
    .bind(by_user_id)
    .bind(change.status.as_str())
    .bind(change.owner_user_id)
    .bind(&follow_up)
    .bind(change.note)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// A network the user is an active, consented member of, with the relationship the policy is
/// asked with.
#[derive(Debug, Clone)]
pub struct Membership {
    pub network_id: String,
    pub relationship: Relationship,
}

/// Every network `user_id` is an active, consented member of (the caller asks the policy which
/// of them show checks and signals). Only the membership itself is read: the caregivers' names
/// come with the signals shown.
pub async fn memberships(conn: &mut Conn, user_id: &str) -> Result<Vec<Membership>> {
    type M = (String, String, String, String, i64);
    let rows: Vec<M> = sqlx::query_as(
        "SELECT m.network_id, m.id, m.categories, m.kind, m.acts_for_caregiver \
         FROM network_members m JOIN consents c ON c.id = m.consent_id \
         WHERE m.user_id = $1 AND m.status = 'active' AND m.removed_at IS NULL \
           AND c.withdrawn_at IS NULL \
         ORDER BY m.network_id, m.joined_at DESC",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<Membership> = Vec::with_capacity(rows.len());
    for (network_id, member, categories, kind, acts) in rows {
        // One membership per network: the latest (as `network::standing` takes it).
        if out.last().is_some_and(|m| m.network_id == network_id) {
            continue;
        }
        let facts: MemberFacts = (member, categories, kind, acts);
        out.push(Membership {
            network_id,
            relationship: relationship_of(Some(&facts)),
        });
    }
    Ok(out)
}

/// Which signals a worklist shows.
#[derive(Debug, Clone)]
pub struct Filter<'a> {
    /// Whose worklist: the networks they are an active, consented member of with checks and
    /// signals are read in the query itself (one parameter, not one per network)...
    pub member: &'a str,
    /// ...and only those the policy allowed (asked by the caller) are kept.
    pub network_ids: &'a [&'a str],
    pub statuses: &'a [SignalStatus],
    /// Only the signals this user owns.
    pub owner: Option<&'a str>,
}

fn worklist_key(s: &SignalRow) -> (bool, Option<Day>, std::cmp::Reverse<Millis>, &str) {
    (
        s.follow_up_on.is_none(),
        s.follow_up_on,
        std::cmp::Reverse(s.raised_at),
        s.id.as_str(),
    )
}

/// Signals per query when reading whole rows by id.
const IDS_PER_QUERY: usize = 500;

/// The signals of the viewer's networks by follow-up date (soonest first, those without one
/// after), then the newest raised first: `limit` of them from `offset` (all with `None`), and
/// how many there are in all.
///
/// Two steps, so a page costs the same whatever the number of networks: the keys of the
/// matching signals (driven by the viewer's memberships, through the member index; only the
/// networks the policy allowed are kept), sorted and cut here; then the whole rows of the page.
pub async fn list(
    conn: &mut Conn,
    filter: &Filter<'_>,
    limit: Option<usize>,
    offset: usize,
) -> Result<(Vec<SignalRow>, usize)> {
    if filter.statuses.is_empty() || filter.network_ids.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut sql = format!(
        "SELECT s.id, s.network_id, s.follow_up_on, s.raised_at FROM network_members m \
         JOIN consents c ON c.id = m.consent_id \
         JOIN signals s ON s.network_id = m.network_id \
         WHERE m.user_id = $1 AND m.status = 'active' AND m.removed_at IS NULL \
           AND c.withdrawn_at IS NULL AND m.categories LIKE '%checks%' \
           AND s.status IN ({})",
        crate::dialect::numbered(2, filter.statuses.len())
    );
    if filter.owner.is_some() {
        sql.push_str(&format!(
            " AND s.owner_user_id = ${}",
            filter.statuses.len() + 2
        ));
    }
    let mut query =
        sqlx::query_as::<_, (String, String, Option<String>, i64)>(sqlx::AssertSqlSafe(sql))
            .bind(filter.member);
    for status in filter.statuses {
        query = query.bind(status.as_str());
    }
    if let Some(owner) = filter.owner {
        query = query.bind(owner);
    }
    let allowed: std::collections::HashSet<&str> = filter.network_ids.iter().copied().collect();
    let mut seen = std::collections::HashSet::new();
    let mut keys: Vec<(bool, Option<Day>, std::cmp::Reverse<Millis>, String)> = query
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        // Only what the policy allowed (the query's own condition already matches it), and a
        // signal once even if the viewer joined its network twice.
        .filter(|(id, network, ..)| allowed.contains(network.as_str()) && seen.insert(id.clone()))
        .map(|(id, _, follow_up, raised)| {
            let day = follow_up.as_deref().and_then(Day::parse);
            (day.is_none(), day, std::cmp::Reverse(raised), id)
        })
        .collect();
    keys.sort();
    let total = keys.len();
    let page: Vec<&str> = keys
        .iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .map(|k| k.3.as_str())
        .collect();
    let mut out = Vec::with_capacity(page.len());
    for chunk in page.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "{SELECT} WHERE s.id IN ({})",
            crate::dialect::numbered(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        out.extend(query.fetch_all(&mut *conn).await?.into_iter().map(signal));
    }
    out.sort_by(|a, b| worklist_key(a).cmp(&worklist_key(b)));
    Ok((out, total))
}
