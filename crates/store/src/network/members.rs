//! Membership of a kring: added by the caregiver (active at once, with their consent), or
//! proposed by a member and approved or declined by the caregiver; categories, acting for the
//! caregiver, notification choice, removal; every change kept as a history event. Also the
//! naasten, the people the caregiver cares for.

use crate::{Conn, Result, new_id};
use mantelkring_core::access::DataCategory;
use mantelkring_core::network::{
    Field, MemberEvent, MemberKind, MemberStatus, NotifyMode, Relation,
};
use mantelkring_core::time::now_ms;

/// Who did something, and whether they did it for the caregiver.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub user_id: &'a str,
    pub on_behalf: bool,
}

/// A member to add or propose.
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub network_id: &'a str,
    pub user_id: &'a str,
    pub organisation_id: Option<&'a str>,
    pub kind: MemberKind,
    pub field: Option<Field>,
    pub role_label: &'a str,
    pub categories: &'a [DataCategory],
    pub notify: NotifyMode,
    pub acts_for_caregiver: bool,
}

async fn event(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    what: MemberEvent,
    detail: Option<&str>,
    by: By<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO network_member_events (id, network_id, member_id, event, detail, by_user_id, on_behalf, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(network_id)
    .bind(member_id)
    .bind(what.as_str())
    .bind(detail)
    .bind(by.user_id)
    .bind(i64::from(by.on_behalf))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a history event for a membership (also used by the regiehouder's workflow).
pub async fn record_event(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    what: MemberEvent,
    detail: Option<&str>,
    by: By<'_>,
) -> Result<()> {
    event(conn, network_id, member_id, what, detail, by).await
}

async fn insert(
    conn: &mut Conn,
    m: &NewMember<'_>,
    status: MemberStatus,
    consent_id: Option<&str>,
    proposed_by: Option<&str>,
    note: Option<&str>,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO network_members (id, network_id, user_id, organisation_id, categories, consent_id, \
             joined_at, status, kind, field, role_label, notify, acts_for_caregiver, \
             proposed_by_user_id, proposal_note, decided_at, digest_sent_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $7)",
    )
    .bind(&id)
    .bind(m.network_id)
    .bind(m.user_id)
    .bind(m.organisation_id)
    .bind(DataCategory::join(m.categories))
    .bind(consent_id)
    .bind(now)
    .bind(status.as_str())
    .bind(m.kind.as_str())
    .bind(m.field.map(Field::as_str))
    .bind(m.role_label)
    .bind(m.notify.as_str())
    .bind(i64::from(m.acts_for_caregiver))
    .bind(proposed_by)
    .bind(note)
    .bind((status == MemberStatus::Active).then_some(now))
    .execute(conn)
    .await?;
    Ok(id)
}

/// Adds an active member with the caregiver's consent (the caregiver added them, or a
/// professional recorded the caregiver's verbal consent).
pub async fn add(
    conn: &mut Conn,
    m: &NewMember<'_>,
    consent_id: &str,
    by: By<'_>,
) -> Result<String> {
    let id = insert(conn, m, MemberStatus::Active, Some(consent_id), None, None).await?;
    event(
        conn,
        m.network_id,
        &id,
        MemberEvent::Added,
        Some(&DataCategory::join(m.categories)),
        by,
    )
    .await?;
    Ok(id)
}

/// A member proposes someone (or invites them by e-mail); they see nothing until the caregiver
/// approves.
pub async fn propose(conn: &mut Conn, m: &NewMember<'_>, note: &str, by: By<'_>) -> Result<String> {
    let id = insert(
        conn,
        m,
        MemberStatus::Proposed,
        None,
        Some(by.user_id),
        Some(note),
    )
    .await?;
    event(
        conn,
        m.network_id,
        &id,
        MemberEvent::Proposed,
        Some(note),
        by,
    )
    .await?;
    Ok(id)
}

/// The caregiver approves a proposed member, with their consent; `false` when there is no such
/// proposal in this network (any more).
pub async fn approve(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    consent_id: &str,
    categories: &[DataCategory],
    by: By<'_>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_members SET status = 'active', consent_id = $3, categories = $4, \
             decided_at = $5, joined_at = $5, digest_sent_until = $5 \
         WHERE id = $1 AND network_id = $2 AND status = 'proposed'",
    )
    .bind(member_id)
    .bind(network_id)
    .bind(consent_id)
    .bind(DataCategory::join(categories))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    event(
        conn,
        network_id,
        member_id,
        MemberEvent::Approved,
        Some(&DataCategory::join(categories)),
        by,
    )
    .await?;
    Ok(true)
}

pub async fn decline(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    by: By<'_>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_members SET status = 'declined', decided_at = $3 \
         WHERE id = $1 AND network_id = $2 AND status = 'proposed'",
    )
    .bind(member_id)
    .bind(network_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    event(conn, network_id, member_id, MemberEvent::Declined, None, by).await?;
    Ok(true)
}

/// Removes an active member at once: their consent is withdrawn and, if they were the
/// regiehouder, their term ends. `false` when they are not an active member of this network.
pub async fn remove(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    by: By<'_>,
) -> Result<bool> {
    let now = now_ms();
    let consent: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT consent_id FROM network_members WHERE id = $1 AND network_id = $2 AND status = 'active'",
    )
    .bind(member_id)
    .bind(network_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((consent,)) = consent else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE network_members SET status = 'removed', removed_at = $2 WHERE id = $1 AND status = 'active'",
    )
    .bind(member_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if let Some(consent) = consent {
        super::withdraw_consent(conn, &consent).await?;
    }
    event(conn, network_id, member_id, MemberEvent::Removed, None, by).await?;
    super::regie::end_for_member(conn, network_id, member_id, by).await?;
    Ok(true)
}

/// The caregiver changes what an active member sees.
pub async fn set_categories(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    categories: &[DataCategory],
    acts_for_caregiver: bool,
    by: By<'_>,
) -> Result<bool> {
    let before: Option<(String, i64)> = sqlx::query_as(
        "SELECT categories, acts_for_caregiver FROM network_members \
         WHERE id = $1 AND network_id = $2 AND status = 'active'",
    )
    .bind(member_id)
    .bind(network_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((before_categories, before_acts)) = before else {
        return Ok(false);
    };
    let joined = DataCategory::join(categories);
    sqlx::query(
        "UPDATE network_members SET categories = $2, acts_for_caregiver = $3 WHERE id = $1",
    )
    .bind(member_id)
    .bind(&joined)
    .bind(i64::from(acts_for_caregiver))
    .execute(&mut *conn)
    .await?;
    if before_categories != joined {
        event(
            conn,
            network_id,
            member_id,
            MemberEvent::CategoriesChanged,
            Some(&joined),
            by,
        )
        .await?;
    }
    if (before_acts != 0) != acts_for_caregiver {
        let detail = if acts_for_caregiver { "ja" } else { "nee" };
        event(
            conn,
            network_id,
            member_id,
            MemberEvent::ActsForCaregiver,
            Some(detail),
            by,
        )
        .await?;
    }
    Ok(true)
}

/// A member chooses how they hear of new messages.
pub async fn set_notify(conn: &mut Conn, member_id: &str, mode: NotifyMode) -> Result<()> {
    sqlx::query("UPDATE network_members SET notify = $2 WHERE id = $1")
        .bind(member_id)
        .bind(mode.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// A member as the kring's pages show them.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub organisation: Option<String>,
    pub organisation_id: Option<String>,
    pub kind: MemberKind,
    pub field: Option<Field>,
    pub role_label: String,
    pub categories: Vec<DataCategory>,
    pub status: MemberStatus,
    pub notify: NotifyMode,
    pub acts_for_caregiver: bool,
    pub joined_at: i64,
    pub proposed_by: Option<String>,
    pub proposal_note: Option<String>,
}

type MemberRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

/// Members of a network in one status (or every status), in the order they joined.
pub async fn list(
    conn: &mut Conn,
    network_id: &str,
    status: Option<MemberStatus>,
) -> Result<Vec<Member>> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT m.id, m.user_id, u.display_name, u.email, o.name, m.organisation_id, m.kind, \
                m.field, m.role_label, m.categories, m.status, m.notify, m.acts_for_caregiver, \
                m.joined_at, pb.display_name, m.proposal_note \
         FROM network_members m JOIN users u ON u.id = m.user_id \
         LEFT JOIN organisations o ON o.id = m.organisation_id \
         LEFT JOIN users pb ON pb.id = m.proposed_by_user_id \
         WHERE m.network_id = $1 AND ($2 IS NULL OR m.status = $2) \
         ORDER BY m.joined_at, m.id",
    )
    .bind(network_id)
    .bind(status.map(MemberStatus::as_str))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(member_of_row).collect())
}

fn member_of_row(
    (
        id,
        user_id,
        name,
        email,
        organisation,
        organisation_id,
        kind,
        field,
        role_label,
        categories,
        status,
        notify,
        acts,
        joined_at,
        proposed_by,
        proposal_note,
    ): MemberRow,
) -> Member {
    Member {
        id,
        user_id,
        name,
        email,
        organisation,
        organisation_id,
        kind: MemberKind::parse(&kind).unwrap_or(MemberKind::Own),
        field: field.as_deref().and_then(Field::parse),
        role_label,
        categories: DataCategory::parse_list(&categories),
        status: MemberStatus::parse(&status).unwrap_or(MemberStatus::Removed),
        notify: NotifyMode::parse(&notify).unwrap_or(NotifyMode::Digest),
        acts_for_caregiver: acts != 0,
        joined_at,
        proposed_by,
        proposal_note,
    }
}

/// Whether the user already is (or is proposed as) a member of this network.
pub async fn is_member_or_proposed(
    conn: &mut Conn,
    network_id: &str,
    user_id: &str,
) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM network_members WHERE network_id = $1 AND user_id = $2 \
           AND status IN ('active', 'proposed') LIMIT 1",
    )
    .bind(network_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// One line of the membership history.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub at: i64,
    pub event: MemberEvent,
    pub member: String,
    pub by: String,
    pub on_behalf: bool,
    pub detail: Option<String>,
}

/// The membership history, newest first (at most `limit` lines).
pub async fn history(conn: &mut Conn, network_id: &str, limit: i64) -> Result<Vec<HistoryLine>> {
    let rows: Vec<(i64, String, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT e.at, e.event, mu.display_name, bu.display_name, e.on_behalf, e.detail \
         FROM network_member_events e \
         JOIN network_members m ON m.id = e.member_id JOIN users mu ON mu.id = m.user_id \
         JOIN users bu ON bu.id = e.by_user_id \
         WHERE e.network_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT $2",
    )
    .bind(network_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(at, event, member, by, on_behalf, detail)| {
            Some(HistoryLine {
                at,
                event: MemberEvent::parse(&event)?,
                member,
                by,
                on_behalf: on_behalf != 0,
                detail,
            })
        })
        .collect())
}

/// A naaste: someone the caregiver cares for.
#[derive(Debug, Clone)]
pub struct Naaste {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub relation: Relation,
    pub birth_year: Option<i64>,
}

pub async fn add_naaste(
    conn: &mut Conn,
    network_id: &str,
    given_name: &str,
    family_name: &str,
    relation: Relation,
    birth_year: Option<i64>,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO network_naasten (id, network_id, given_name, family_name, relation, birth_year, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(network_id)
    .bind(given_name)
    .bind(family_name)
    .bind(relation.as_str())
    .bind(birth_year)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn remove_naaste(conn: &mut Conn, network_id: &str, naaste_id: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_naasten SET removed_at = $3 WHERE id = $1 AND network_id = $2 AND removed_at IS NULL",
    )
    .bind(naaste_id)
    .bind(network_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn naasten(conn: &mut Conn, network_id: &str) -> Result<Vec<Naaste>> {
    let rows: Vec<(String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, given_name, family_name, relation, birth_year FROM network_naasten \
         WHERE network_id = $1 AND removed_at IS NULL ORDER BY created_at, id",
    )
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, given_name, family_name, relation, birth_year)| Naaste {
                id,
                given_name,
                family_name,
                relation: Relation::parse(&relation).unwrap_or(Relation::Other),
                birth_year,
            },
        )
        .collect())
}

/// The kind of an organisation, for the default field of its professionals.
pub async fn organisation_kind(
    conn: &mut Conn,
    organisation_id: &str,
) -> Result<Option<mantelkring_core::base::OrganisationKind>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT kind FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.and_then(|(k,)| mantelkring_core::base::OrganisationKind::parse(&k)))
}

/// A user's e-mail address and whether they have set a password (for the welcome e-mail).
pub async fn account_of(conn: &mut Conn, user_id: &str) -> Result<Option<(String, bool)>> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT email, password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(email, hash)| (email, hash.is_some())))
}

/// The user behind a membership.
pub async fn user_of(conn: &mut Conn, network_id: &str, member_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT user_id FROM network_members WHERE id = $1 AND network_id = $2")
            .bind(member_id)
            .bind(network_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(u,)| u))
}
