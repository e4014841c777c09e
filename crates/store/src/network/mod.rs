//! The care network (kring): whose network, which members with which visibility categories and
//! the consent behind each membership (the facts the access policy needs, here), and the kring's
//! own records in one file each: members.rs (membership workflow, history, naasten), regie.rs
//! (the regiehouder), situation.rs ("Mijn situatie"), timeline.rs (messages, questions, digests),
//! agenda.rs (agreements, tasks, sign-ups).

pub mod agenda;
pub mod members;
pub mod regie;
pub mod situation;
pub mod timeline;

use crate::{Conn, Result, Store, new_id};
use mantelkring_core::access::{Actor, DataCategory, Relationship};
use mantelkring_core::network::MemberKind;
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
        return Ok(Relationship::own());
    }
    let row: Option<MemberFacts> = sqlx::query_as(
        "SELECT m.id, m.categories, m.kind, m.acts_for_caregiver FROM network_members m \
         JOIN networks n ON n.id = m.network_id \
         JOIN consents c ON c.id = m.consent_id \
         WHERE n.caregiver_person_id = $1 AND m.user_id = $2 AND m.status = 'active' \
           AND m.removed_at IS NULL AND c.withdrawn_at IS NULL \
         ORDER BY m.joined_at DESC LIMIT 1",
    )
    .bind(subject_person_id)
    .bind(&actor.user_id)
    .fetch_optional(store.pool())
    .await?;
    Ok(relationship_of(row.as_ref()))
}

/// (member id, categories, kind, acts for caregiver) of an active, consented membership.
pub type MemberFacts = (String, String, String, i64);

pub fn relationship_of(row: Option<&MemberFacts>) -> Relationship {
    match row {
        None => Relationship::default(),
        Some((_, categories, kind, acts)) => Relationship {
            is_self: false,
            network_member: Some(DataCategory::parse_list(categories)),
            acts_for_caregiver: *acts != 0,
            professional: matches!(
                MemberKind::parse(kind),
                Some(MemberKind::Professional | MemberKind::CaseManager)
            ),
        },
    }
}

/// A network as its pages need it: whose it is.
#[derive(Debug, Clone)]
pub struct NetworkInfo {
    pub id: String,
    pub caregiver_person_id: String,
    pub caregiver_name: String,
    /// The caregiver's account, if they have one (a caregiver may have no e-mail).
    pub caregiver_user_id: Option<String>,
    pub created_at: i64,
}

pub async fn network(conn: &mut Conn, network_id: &str) -> Result<Option<NetworkInfo>> {
    let row: Option<(String, String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT n.id, n.caregiver_person_id, p.given_name, p.family_name, \
                (SELECT u.id FROM users u WHERE u.person_id = p.id AND u.disabled_at IS NULL LIMIT 1), \
                n.created_at \
         FROM networks n JOIN people p ON p.id = n.caregiver_person_id WHERE n.id = $1",
    )
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(id, caregiver_person_id, given, family, caregiver_user_id, created_at)| NetworkInfo {
            id,
            caregiver_person_id,
            caregiver_name: full_name(&given, &family),
            caregiver_user_id,
            created_at,
        },
    ))
}

/// "Given family", or just one of them.
pub fn full_name(given: &str, family: &str) -> String {
    match (given.trim(), family.trim()) {
        (g, "") => g.to_string(),
        ("", f) => f.to_string(),
        (g, f) => format!("{g} {f}"),
    }
}

/// The actor's standing in one network: the caregiver themselves, or an active consented member
/// (with the member id), or nothing. The relationship is what the policy is asked with.
#[derive(Debug, Clone)]
pub struct Standing {
    pub relationship: Relationship,
    pub member_id: Option<String>,
}

pub async fn standing(conn: &mut Conn, actor: &Actor, network: &NetworkInfo) -> Result<Standing> {
    if actor.person_id.as_deref() == Some(network.caregiver_person_id.as_str()) {
        return Ok(Standing {
            relationship: Relationship::own(),
            member_id: None,
        });
    }
    let row: Option<MemberFacts> = sqlx::query_as(
        "SELECT m.id, m.categories, m.kind, m.acts_for_caregiver FROM network_members m \
         JOIN consents c ON c.id = m.consent_id \
         WHERE m.network_id = $1 AND m.user_id = $2 AND m.status = 'active' \
           AND m.removed_at IS NULL AND c.withdrawn_at IS NULL \
         ORDER BY m.joined_at DESC LIMIT 1",
    )
    .bind(&network.id)
    .bind(&actor.user_id)
    .fetch_optional(conn)
    .await?;
    Ok(Standing {
        relationship: relationship_of(row.as_ref()),
        member_id: row.map(|r| r.0),
    })
}

/// One network the user belongs to, for their list of networks.
#[derive(Debug, Clone)]
pub struct NetworkLine {
    pub network_id: String,
    pub caregiver_person_id: String,
    pub caregiver_name: String,
    /// `None` for the caregiver's own network.
    pub member_id: Option<String>,
    pub categories: Vec<DataCategory>,
}

/// The networks a user is in: their own (as caregiver) first, then those they are an active,
/// consented member of, by caregiver name.
pub async fn networks_of_user(store: &Store, actor: &Actor) -> Result<Vec<NetworkLine>> {
    let mut out = Vec::new();
    if let Some(person_id) = &actor.person_id {
        let own: Option<(String, String, String)> = sqlx::query_as(
            "SELECT n.id, p.given_name, p.family_name FROM networks n \
             JOIN people p ON p.id = n.caregiver_person_id WHERE n.caregiver_person_id = $1",
        )
        .bind(person_id)
        .fetch_optional(store.pool())
        .await?;
        if let Some((id, given, family)) = own {
            out.push(NetworkLine {
                network_id: id,
                caregiver_person_id: person_id.clone(),
                caregiver_name: full_name(&given, &family),
                member_id: None,
                categories: DataCategory::GRANTABLE.to_vec(),
            });
        }
    }
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT n.id, n.caregiver_person_id, p.given_name, p.family_name, m.id, m.categories \
         FROM network_members m JOIN networks n ON n.id = m.network_id \
         JOIN people p ON p.id = n.caregiver_person_id \
         JOIN consents c ON c.id = m.consent_id \
         WHERE m.user_id = $1 AND m.status = 'active' AND m.removed_at IS NULL \
           AND c.withdrawn_at IS NULL \
         ORDER BY p.given_name, p.family_name, n.id",
    )
    .bind(&actor.user_id)
    .fetch_all(store.pool())
    .await?;
    out.extend(rows.into_iter().map(
        |(network_id, caregiver_person_id, given, family, member_id, categories)| NetworkLine {
            network_id,
            caregiver_person_id,
            caregiver_name: full_name(&given, &family),
            member_id: Some(member_id),
            categories: DataCategory::parse_list(&categories),
        },
    ));
    Ok(out)
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
