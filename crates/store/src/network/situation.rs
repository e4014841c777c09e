//! "Mijn situatie": the caregiver's summary in numbered versions, and the changes members propose.
//!
//! Every save is a new version with the next number, written in the caller's transaction. Two
//! saves at the same time cannot both get the same number: `UNIQUE (network_id, version)` refuses
//! the second on PostgreSQL (SQLite's write transaction serialises them), and a save made from a
//! version that is no longer the newest is refused too; both come back as [`Clash`], never as an
//! error, and leave the caller's transaction usable (the insert runs in a savepoint).
//!
//! A proposal keeps the version it was based on and the full content proposed. Accepting applies
//! only the fields the proposal changed relative to that base onto the *current* version, so what
//! the caregiver changed since in other fields is kept, and saves that as a new version that
//! names the proposal. A decided proposal is never decided again.

use super::members::By;
use crate::{Conn, Result, StoreError, new_id};
use mantelkring_core::network::situation::{Situation, compare};
use mantelkring_core::time::now_ms;
use sqlx::Connection;

/// One saved version, with its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub number: i64,
    pub situation: Situation,
    pub author_user_id: String,
    pub author_name: String,
    /// Saved by a member acting for the caregiver.
    pub on_behalf: bool,
    /// The proposal this version came from, if it did.
    pub proposal_id: Option<String>,
    /// Who made that proposal.
    pub proposed_by: Option<String>,
    pub created_at: i64,
}

/// One version in the list of versions (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionLine {
    pub number: i64,
    pub author_name: String,
    pub on_behalf: bool,
    pub proposal_id: Option<String>,
    pub proposed_by: Option<String>,
    pub created_at: i64,
}

/// Someone else saved a version at the same time (or since the version this save started from).
/// Nothing was written; the caller shows the newest version and asks to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clash {
    /// The newest version now.
    pub current: i64,
}

/// A proposal's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalStatus {
    Open,
    Accepted,
    Declined,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Open => "open",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalStatus> {
        [
            ProposalStatus::Open,
            ProposalStatus::Accepted,
            ProposalStatus::Declined,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// A change to the summary proposed by a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: String,
    /// The version the proposal was made from (0: there was none yet).
    pub base_version: i64,
    /// The whole summary as the member proposes it.
    pub situation: Situation,
    /// Why, in the member's words.
    pub note: String,
    pub proposed_by_user_id: String,
    pub proposed_by: String,
    pub status: ProposalStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub created_at: i64,
    /// The version accepting it made.
    pub accepted_as: Option<i64>,
}

/// Why a proposal was not made or not decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalRefusal {
    /// The base version does not exist in this network.
    UnknownBase,
    /// The proposal changes nothing relative to its base.
    NothingChanged,
    /// No such proposal in this network.
    NotFound,
    /// It was accepted or declined already.
    AlreadyDecided,
    /// Accepting clashed with a save at the same moment; nothing was written.
    Clash(Clash),
}

fn decode(content: &str) -> Result<Situation> {
    Situation::from_json(content).map_err(|e| StoreError::Query(sqlx::Error::Decode(Box::new(e))))
}

type VersionRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    i64,
);

const SELECT_VERSION: &str = "SELECT v.version, v.content, v.author_user_id, u.display_name, \
         v.on_behalf, v.proposal_id, pu.display_name, v.created_at \
     FROM situation_versions v JOIN users u ON u.id = v.author_user_id \
     LEFT JOIN situation_proposals p ON p.id = v.proposal_id \
     LEFT JOIN users pu ON pu.id = p.proposed_by_user_id";

fn version_of(
    (number, content, author_user_id, author_name, on_behalf, proposal_id, proposed_by, created_at): VersionRow,
) -> Result<Version> {
    Ok(Version {
        number,
        situation: decode(&content)?,
        author_user_id,
        author_name,
        on_behalf: on_behalf != 0,
        proposal_id,
        proposed_by,
        created_at,
    })
}

/// The newest version, if the caregiver (or anyone for them) saved one.
pub async fn current(conn: &mut Conn, network_id: &str) -> Result<Option<Version>> {
    let row: Option<VersionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_VERSION} WHERE v.network_id = $1 ORDER BY v.version DESC LIMIT 1"
    )))
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    row.map(version_of).transpose()
}

/// Version `number` of the network's summary.
pub async fn version(conn: &mut Conn, network_id: &str, number: i64) -> Result<Option<Version>> {
    let row: Option<VersionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_VERSION} WHERE v.network_id = $1 AND v.version = $2"
    )))
    .bind(network_id)
    .bind(number)
    .fetch_optional(conn)
    .await?;
    row.map(version_of).transpose()
}

/// The number of the newest version (0 when there is none).
pub async fn current_number(conn: &mut Conn, network_id: &str) -> Result<i64> {
    let (n,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM situation_versions WHERE network_id = $1")
            .bind(network_id)
            .fetch_one(conn)
            .await?;
    Ok(n.unwrap_or(0))
}

/// Every version, newest first.
pub async fn versions(conn: &mut Conn, network_id: &str) -> Result<Vec<VersionLine>> {
    type Row = (i64, String, i64, Option<String>, Option<String>, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT v.version, u.display_name, v.on_behalf, v.proposal_id, pu.display_name, v.created_at \
         FROM situation_versions v JOIN users u ON u.id = v.author_user_id \
         LEFT JOIN situation_proposals p ON p.id = v.proposal_id \
         LEFT JOIN users pu ON pu.id = p.proposed_by_user_id \
         WHERE v.network_id = $1 ORDER BY v.version DESC",
    )
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(number, author_name, on_behalf, proposal_id, proposed_by, created_at)| VersionLine {
                number,
                author_name,
                on_behalf: on_behalf != 0,
                proposal_id,
                proposed_by,
                created_at,
            },
        )
        .collect())
}

/// Saves `situation` as the next version, for a save that started from version `after` (0: there
/// was none). Returns the new number, or [`Clash`] when `after` is no longer the newest or another
/// save took the number at the same moment; then nothing was written and `conn`'s transaction
/// can still be used (and committed, for its audit record).
pub async fn save(
    conn: &mut Conn,
    network_id: &str,
    after: i64,
    situation: &Situation,
    by: By<'_>,
) -> Result<std::result::Result<i64, Clash>> {
    insert_version(conn, network_id, after, situation, by, None).await
}

async fn insert_version(
    conn: &mut Conn,
    network_id: &str,
    after: i64,
    situation: &Situation,
    by: By<'_>,
    proposal_id: Option<&str>,
) -> Result<std::result::Result<i64, Clash>> {
    let current = current_number(conn, network_id).await?;
    if current != after {
        return Ok(Err(Clash { current }));
    }
    let number = current + 1;
    // A savepoint: on PostgreSQL a refused insert would otherwise spoil the whole transaction.
    let mut savepoint = conn.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO situation_versions \
             (id, network_id, version, content, author_user_id, on_behalf, proposal_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(network_id)
    .bind(number)
    .bind(situation.to_json())
    .bind(by.user_id)
    .bind(i64::from(by.on_behalf))
    .bind(proposal_id)
    .bind(now_ms())
    .execute(&mut *savepoint)
    .await;
    match inserted {
        Ok(_) => {
            savepoint.commit().await?;
            Ok(Ok(number))
        }
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            savepoint.rollback().await?;
            // The other save is committed by now (that is why the index refused ours).
            let current = current_number(conn, network_id).await?;
            Ok(Err(Clash { current }))
        }
        Err(e) => Err(e.into()),
    }
}

type ProposalRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    i64,
    Option<i64>,
);

const SELECT_PROPOSAL: &str = "SELECT p.id, p.base_version, p.content, p.note, \
         p.proposed_by_user_id, u.display_name, p.status, du.display_name, p.decided_at, \
         p.decision_note, p.created_at, \
         (SELECT v.version FROM situation_versions v WHERE v.proposal_id = p.id) \
     FROM situation_proposals p JOIN users u ON u.id = p.proposed_by_user_id \
     LEFT JOIN users du ON du.id = p.decided_by_user_id";

fn proposal_of(
    (
        id,
        base_version,
        content,
        note,
        proposed_by_user_id,
        proposed_by,
        status,
        decided_by,
        decided_at,
        decision_note,
        created_at,
        accepted_as,
    ): ProposalRow,
) -> Result<Proposal> {
    Ok(Proposal {
        id,
        base_version,
        situation: decode(&content)?,
        note,
        proposed_by_user_id,
        proposed_by,
        status: ProposalStatus::parse(&status).unwrap_or(ProposalStatus::Declined),
        decided_by,
        decided_at,
        decision_note,
        created_at,
        accepted_as,
    })
}

/// The summary a proposal was based on: that version's content, or empty for base 0.
pub async fn base_of(conn: &mut Conn, network_id: &str, base_version: i64) -> Result<Situation> {
    if base_version == 0 {
        return Ok(Situation::default());
    }
    Ok(version(conn, network_id, base_version)
        .await?
        .map(|v| v.situation)
        .unwrap_or_default())
}

/// A member proposes `situation` (the whole summary as they would have it), made from version
/// `base_version` (0 when there was none yet), with a note saying why.
pub async fn propose(
    conn: &mut Conn,
    network_id: &str,
    base_version: i64,
    situation: &Situation,
    note: &str,
    proposed_by_user_id: &str,
) -> Result<std::result::Result<String, ProposalRefusal>> {
    let base = if base_version == 0 {
        Situation::default()
    } else {
        match version(conn, network_id, base_version).await? {
            Some(v) => v.situation,
            None => return Ok(Err(ProposalRefusal::UnknownBase)),
        }
    };
    if compare(&base, situation).is_empty() {
        return Ok(Err(ProposalRefusal::NothingChanged));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO situation_proposals \
             (id, network_id, base_version, content, note, proposed_by_user_id, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
    )
    .bind(&id)
    .bind(network_id)
    .bind(base_version)
    .bind(situation.to_json())
    .bind(note)
    .bind(proposed_by_user_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(Ok(id))
}

/// One proposal of this network.
pub async fn proposal(
    conn: &mut Conn,
    network_id: &str,
    proposal_id: &str,
) -> Result<Option<Proposal>> {
    let row: Option<ProposalRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_PROPOSAL} WHERE p.network_id = $1 AND p.id = $2"
    )))
    .bind(network_id)
    .bind(proposal_id)
    .fetch_optional(conn)
    .await?;
    row.map(proposal_of).transpose()
}

/// The network's proposals: open ones first, then the decided ones; newest first within each.
/// With `by_user_id`, only that member's own proposals.
pub async fn proposals(
    conn: &mut Conn,
    network_id: &str,
    by_user_id: Option<&str>,
) -> Result<Vec<Proposal>> {
    let only_own = if by_user_id.is_some() {
        "AND p.proposed_by_user_id = $2"
    } else {
        ""
    };
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_PROPOSAL} WHERE p.network_id = $1 {only_own} \
         ORDER BY CASE WHEN p.status = 'open' THEN 0 ELSE 1 END, p.created_at DESC, p.id DESC"
    )))
    .bind(network_id);
    let query = match by_user_id {
        Some(user) => query.bind(user),
        None => query,
    };
    let rows: Vec<ProposalRow> = query.fetch_all(conn).await?;
    rows.into_iter().map(proposal_of).collect()
}

/// Claims an open proposal for a decision; `Err` when there is none or it was decided already.
async fn claim(
    conn: &mut Conn,
    network_id: &str,
    proposal_id: &str,
    status: ProposalStatus,
    note: Option<&str>,
    by: By<'_>,
) -> Result<std::result::Result<Proposal, ProposalRefusal>> {
    let done = sqlx::query(
        "UPDATE situation_proposals SET status = $3, decided_by_user_id = $4, decided_at = $5, \
             decision_note = $6 \
         WHERE id = $1 AND network_id = $2 AND status = 'open'",
    )
    .bind(proposal_id)
    .bind(network_id)
    .bind(status.as_str())
    .bind(by.user_id)
    .bind(now_ms())
    .bind(note)
    .execute(&mut *conn)
    .await?;
    let found = proposal(conn, network_id, proposal_id).await?;
    Ok(match (done.rows_affected(), found) {
        (1, Some(p)) => Ok(p),
        (_, None) => Err(ProposalRefusal::NotFound),
        (_, Some(_)) => Err(ProposalRefusal::AlreadyDecided),
    })
}

/// The caregiver accepts a proposal: the fields it changed relative to its base are applied to
/// the current version and saved as a new version that names the proposal. Returns the new
/// version's number. On a refusal nothing was written.
pub async fn accept(
    conn: &mut Conn,
    network_id: &str,
    proposal_id: &str,
    by: By<'_>,
) -> Result<std::result::Result<i64, ProposalRefusal>> {
    let mut savepoint = conn.begin().await?;
    let proposal = match claim(
        &mut savepoint,
        network_id,
        proposal_id,
        ProposalStatus::Accepted,
        None,
        by,
    )
    .await?
    {
        Ok(p) => p,
        Err(refusal) => {
            savepoint.rollback().await?;
            return Ok(Err(refusal));
        }
    };
    let base = base_of(&mut savepoint, network_id, proposal.base_version).await?;
    let current = current(&mut savepoint, network_id).await?;
    let after = current.as_ref().map_or(0, |v| v.number);
    let merged = merge(
        &base,
        &proposal.situation,
        &current.map(|v| v.situation).unwrap_or_default(),
    );
    match insert_version(
        &mut savepoint,
        network_id,
        after,
        &merged,
        by,
        Some(proposal_id),
    )
    .await?
    {
        Ok(number) => {
            savepoint.commit().await?;
            Ok(Ok(number))
        }
        Err(clash) => {
            savepoint.rollback().await?;
            Ok(Err(ProposalRefusal::Clash(clash)))
        }
    }
}

/// The caregiver declines a proposal, with an optional note to the member. No version is made.
pub async fn decline(
    conn: &mut Conn,
    network_id: &str,
    proposal_id: &str,
    note: Option<&str>,
    by: By<'_>,
) -> Result<std::result::Result<(), ProposalRefusal>> {
    Ok(claim(
        conn,
        network_id,
        proposal_id,
        ProposalStatus::Declined,
        note.filter(|n| !n.is_empty()),
        by,
    )
    .await?
    .map(|_| ()))
}

/// `current` with the fields that `proposed` changed relative to `base` taken from `proposed`.
pub fn merge(base: &Situation, proposed: &Situation, current: &Situation) -> Situation {
    let mut out = current.clone();
    for change in compare(base, proposed) {
        take(&mut out, proposed, change.field);
    }
    out
}

/// The fields a proposal changes that were also changed in `current` since its base, to a
/// different value: accepting replaces what is there now.
pub fn overlaps(base: &Situation, proposed: &Situation, current: &Situation) -> Vec<&'static str> {
    let since: Vec<&str> = compare(base, current).iter().map(|c| c.field).collect();
    compare(base, proposed)
        .into_iter()
        .filter(|c| since.contains(&c.field))
        .filter(|c| {
            compare(proposed, current)
                .iter()
                .any(|d| d.field == c.field)
        })
        .map(|c| c.field)
        .collect()
}

/// Copies one field (by its key, see `FIELDS`) from `from` into `to`.
fn take(to: &mut Situation, from: &Situation, field: &str) {
    match field {
        "naaste" => to.naaste.clone_from(&from.naaste),
        "care_tasks" => to.care_tasks.clone_from(&from.care_tasks),
        "hours_per_week" => to.hours_per_week = from.hours_per_week,
        "since" => to.since.clone_from(&from.since),
        "living_together" => to.living_together = from.living_together,
        "responsibilities" => to.responsibilities.clone_from(&from.responsibilities),
        "going_well" => to.going_well.clone_from(&from.going_well),
        "hard" => to.hard.clone_from(&from.hard),
        "wishes" => to.wishes.clone_from(&from.wishes),
        "agreements" => to.agreements.clone_from(&from.agreements),
        "emergency_plan" => to.emergency_plan.clone_from(&from.emergency_plan),
        "other" => to.other.clone_from(&from.other),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mantelkring_core::network::situation::FIELDS;

    fn filled(tag: &str) -> Situation {
        Situation {
            naaste: format!("naaste {tag}"),
            care_tasks: format!("taken {tag}"),
            hours_per_week: Some(tag.len() as u16),
            since: format!("sinds {tag}"),
            living_together: Some(tag.len().is_multiple_of(2)),
            responsibilities: format!("werk {tag}"),
            going_well: format!("goed {tag}"),
            hard: format!("zwaar {tag}"),
            wishes: format!("wens {tag}"),
            agreements: format!("afspraak {tag}"),
            emergency_plan: format!("noodplan {tag}"),
            other: format!("anders {tag}"),
        }
    }

    #[test]
    fn every_field_can_be_taken() {
        let (a, b) = (filled("a"), filled("bb"));
        for field in FIELDS {
            let mut to = a.clone();
            take(&mut to, &b, field);
            let changed: Vec<_> = compare(&a, &to).into_iter().map(|c| c.field).collect();
            assert_eq!(changed, [field], "{field}");
        }
    }

    #[test]
    fn merging_keeps_later_changes_to_other_fields() {
        let base = filled("a");
        let mut proposed = base.clone();
        proposed.hard = "Het is zwaar 's nachts.".into();
        let mut current = base.clone();
        current.wishes = "Een dag vrij.".into();
        let merged = merge(&base, &proposed, &current);
        assert_eq!(merged.hard, "Het is zwaar 's nachts.");
        assert_eq!(merged.wishes, "Een dag vrij.");
        assert_eq!(merged.naaste, base.naaste);
        assert!(overlaps(&base, &proposed, &current).is_empty());
        current.hard = "Iets anders.".into();
        assert_eq!(overlaps(&base, &proposed, &current), ["hard"]);
        // The same change made twice is no overlap.
        current.hard = proposed.hard.clone();
        assert!(overlaps(&base, &proposed, &current).is_empty());
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            ProposalStatus::Open,
            ProposalStatus::Accepted,
            ProposalStatus::Declined,
        ] {
            assert_eq!(ProposalStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ProposalStatus::parse("maybe"), None);
    }
}
