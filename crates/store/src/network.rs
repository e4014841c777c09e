//! The care network (kring) facts the access policy needs: whose network, which members, with
//! which visibility categories, and the consent behind each membership. The kring capability
//! builds its pages and workflows on these tables.

use crate::{Conn, Result, Store, new_id};
use mantelkring_core::access::{Actor, DataCategory, Relationship};
use mantelkring_core::time::now_ms;

pub async fn create_network(conn: &mut Conn, caregiver_person_id: &str) -> Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO networks (id, caregiver_person_id, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(caregiver_person_id)
        .bind(now_ms())
        .execute(conn)
        .await
        .map_err(crate::conflict_as("netwerk"))?;
    Ok(id)
}

/// The scope of the consent that lets someone into a caregiver's network.
pub const MEMBERSHIP_SCOPE: &str = "network_membership";

/// How consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentMethod {
    /// By the person themselves, online.
    Online,
    /// Said aloud, recorded by the named professional.
    Verbal,
}

pub async fn record_consent(
    conn: &mut Conn,
    subject_person_id: &str,
    scope: &str,
    method: ConsentMethod,
    recorded_by_user_id: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO consents (id, subject_person_id, scope, method, recorded_by_user_id, given_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(subject_person_id)
    .bind(scope)
    .bind(match method {
        ConsentMethod::Online => "online",
        ConsentMethod::Verbal => "verbal",
    })
    .bind(recorded_by_user_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn withdraw_consent(conn: &mut Conn, consent_id: &str) -> Result<()> {
    sqlx::query("UPDATE consents SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL")
        .bind(consent_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn add_member(
    conn: &mut Conn,
    network_id: &str,
    user_id: &str,
    organisation_id: Option<&str>,
    categories: &[DataCategory],
    consent_id: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO network_members (id, network_id, user_id, organisation_id, categories, consent_id, joined_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(network_id)
    .bind(user_id)
    .bind(organisation_id)
    .bind(DataCategory::join(categories))
    .bind(consent_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn remove_member(conn: &mut Conn, member_id: &str) -> Result<()> {
    sqlx::query("UPDATE network_members SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL")
        .bind(member_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// The actor's relationship to `subject_person_id`: themselves, or an active member of that
/// person's network whose consent has not been withdrawn (with the granted categories).
pub async fn relationship(
    store: &Store,
    actor: &Actor,
    subject_person_id: &str,
) -> Result<Relationship> {
    if actor.person_id.as_deref() == Some(subject_person_id) {
        return Ok(Relationship {
            is_self: true,
            network_member: None,
            ..Default::default()
        });
    }
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT m.categories FROM network_members m \
         JOIN networks n ON n.id = m.network_id \
         JOIN consents c ON c.id = m.consent_id \
         WHERE n.caregiver_person_id = $1 AND m.user_id = $2 \
           AND m.removed_at IS NULL AND c.withdrawn_at IS NULL \
         ORDER BY m.joined_at DESC LIMIT 1",
    )
    .bind(subject_person_id)
    .bind(&actor.user_id)
    .fetch_optional(store.pool())
    .await?;
    Ok(Relationship {
        is_self: false,
        network_member: row.map(|(c,)| DataCategory::parse_list(&c)),
        ..Default::default()
    })
}

/// A person's name and contact details (what the person page shows so far).
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub municipality: Option<String>,
}

type PersonRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub async fn person(conn: &mut Conn, person_id: &str) -> Result<Option<PersonRecord>> {
    let row: Option<PersonRow> = sqlx::query_as(
        "SELECT p.id, p.given_name, p.family_name, p.email, p.phone, p.postcode, m.name \
             FROM people p LEFT JOIN municipalities m ON m.id = p.municipality_id WHERE p.id = $1",
    )
    .bind(person_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(id, given_name, family_name, email, phone, postcode, municipality)| PersonRecord {
            id,
            given_name,
            family_name,
            email,
            phone,
            postcode,
            municipality,
        },
    ))
}

/// One consent as the person sees it: what, how, recorded by whom, and for which member.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConsentLine {
    pub id: String,
    pub scope: String,
    /// `online` or `verbal`.
    pub method: String,
    /// Name of the person who recorded it (the professional, for verbal consent).
    pub recorded_by: String,
    pub given_at: i64,
    pub withdrawn_at: Option<i64>,
    /// The network member this consent lets in, with their organisation.
    pub member: Option<String>,
    pub member_organisation: Option<String>,
    pub categories: Vec<String>,
}

/// The consents a person gave, newest first.
pub async fn consents_of(conn: &mut Conn, person_id: &str) -> Result<Vec<ConsentLine>> {
    type Row = (
        String,
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.scope, c.method, r.display_name, c.given_at, c.withdrawn_at, \
                u.display_name, o.name, m.categories \
         FROM consents c JOIN users r ON r.id = c.recorded_by_user_id \
         LEFT JOIN network_members m ON m.consent_id = c.id \
         LEFT JOIN users u ON u.id = m.user_id \
         LEFT JOIN organisations o ON o.id = m.organisation_id \
         WHERE c.subject_person_id = $1 ORDER BY c.given_at DESC, c.id",
    )
    .bind(person_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, scope, method, recorded_by, given_at, withdrawn_at, member, org, cats)| {
                ConsentLine {
                    id,
                    scope,
                    method,
                    recorded_by,
                    given_at,
                    withdrawn_at,
                    member,
                    member_organisation: org,
                    categories: cats
                        .map(|c| {
                            DataCategory::parse_list(&c)
                                .into_iter()
                                .map(|c| c.as_str().to_string())
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            },
        )
        .collect())
}

/// The person withdraws one of their own consents; `false` when it is not theirs or already withdrawn.
pub async fn withdraw_own_consent(
    conn: &mut Conn,
    person_id: &str,
    consent_id: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE consents SET withdrawn_at = $3 WHERE id = $1 AND subject_person_id = $2 AND withdrawn_at IS NULL",
    )
    .bind(consent_id)
    .bind(person_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The caregiver's network, creating it if there is none yet.
pub async fn network_of(conn: &mut Conn, caregiver_person_id: &str) -> Result<String> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM networks WHERE caregiver_person_id = $1")
            .bind(caregiver_person_id)
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some((id,)) => Ok(id),
        None => create_network(conn, caregiver_person_id).await,
    }
}
