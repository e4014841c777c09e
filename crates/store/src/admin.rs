//! The administration area's queries: users with their roles, organisations with their region,
//! and the changes an administrator makes to accounts (roles, blocking).
//! The web layer asks the access policy (`Resource::Administration`) before calling these.

use crate::base::Organisation;
use crate::{Conn, Result, Store, StoreError};
use mantelkring_core::base::{OrganisationKind, Role};
use mantelkring_core::time::{Millis, now_ms};

/// A role as shown in the administration: personal, or held through an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    pub role: Role,
    /// `(membership id, organisation id, organisation name)` for an organisation role.
    pub organisation: Option<(String, String, String)>,
}

#[derive(Debug, Clone)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub person_id: Option<String>,
    pub created_at: Millis,
    pub email_verified: bool,
    pub second_factor: bool,
    pub has_password: bool,
    pub disabled: bool,
    pub erased: bool,
    pub roles: Vec<HeldRole>,
}

type UserRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.person_id, u.created_at, u.email_verified_at, \
     u.totp_enabled_at, u.password_hash, u.disabled_at, u.erased_at";

fn summary(row: UserRow) -> UserSummary {
    let (
        id,
        email,
        display_name,
        person_id,
        created_at,
        verified,
        totp,
        password,
        disabled,
        erased,
    ) = row;
    UserSummary {
        id,
        email,
        display_name,
        person_id,
        created_at,
        email_verified: verified.is_some(),
        second_factor: totp.is_some(),
        has_password: password.is_some(),
        disabled: disabled.is_some(),
        erased: erased.is_some(),
        roles: Vec::new(),
    }
}

/// Turns `%`, `_` and `\` into literals for a LIKE pattern.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Users whose name or e-mail contains `text` (case-insensitive), by name, at most `limit`.
pub async fn search_users(store: &Store, text: &str, limit: i64) -> Result<Vec<UserSummary>> {
    let pattern = like_pattern(text);
    let filter = "(LOWER(u.display_name) LIKE $1 ESCAPE '\\' OR u.email LIKE $1 ESCAPE '\\')";
    let rows: Vec<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE {filter} ORDER BY LOWER(u.display_name), u.id LIMIT $2"
    )))
    .bind(&pattern)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    let mut users: Vec<UserSummary> = rows.into_iter().map(summary).collect();
    // Roles of the same users, in two queries rather than one per user.
    let personal: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.user_id, p.role FROM personal_roles p JOIN users u ON u.id = p.user_id WHERE {filter}"
    )))
    .bind(&pattern)
    .fetch_all(store.pool())
    .await?;
    let memberships: Vec<(String, String, String, String, String)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT m.user_id, m.role, m.id, o.id, o.name FROM memberships m \
         JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.organisation_id \
         WHERE {filter} ORDER BY m.created_at"
        )))
        .bind(&pattern)
        .fetch_all(store.pool())
        .await?;
    for user in &mut users {
        user.roles = held_roles(
            personal
                .iter()
                .filter(|(u, _)| *u == user.id)
                .map(|(_, r)| r.clone()),
            memberships
                .iter()
                .filter(|m| m.0 == user.id)
                .map(|(_, r, id, org, name)| (r.clone(), id.clone(), org.clone(), name.clone())),
        );
    }
    Ok(users)
}

fn held_roles(
    personal: impl Iterator<Item = String>,
    memberships: impl Iterator<Item = (String, String, String, String)>,
) -> Vec<HeldRole> {
    let mut roles: Vec<HeldRole> = personal
        .filter_map(|r| Role::parse(&r))
        .map(|role| HeldRole {
            role,
            organisation: None,
        })
        .collect();
    roles.extend(memberships.filter_map(|(r, id, org, name)| {
        Role::parse(&r).map(|role| HeldRole {
            role,
            organisation: Some((id, org, name)),
        })
    }));
    roles
}

pub async fn user(store: &Store, user_id: &str) -> Result<Option<UserSummary>> {
    let row: Option<UserRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
    )))
    .bind(user_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut user = summary(row);
    let personal: Vec<(String,)> =
        sqlx::query_as("SELECT role FROM personal_roles WHERE user_id = $1 ORDER BY role")
            .bind(user_id)
            .fetch_all(store.pool())
            .await?;
    let memberships: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT m.role, m.id, o.id, o.name FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = $1 ORDER BY m.created_at",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    user.roles = held_roles(personal.into_iter().map(|(r,)| r), memberships.into_iter());
    Ok(Some(user))
}

/// Removes one organisation role; `false` when the membership is not this user's.
pub async fn remove_membership(
    conn: &mut Conn,
    user_id: &str,
    membership_id: &str,
) -> Result<bool> {
    let done = sqlx::query("DELETE FROM memberships WHERE id = $1 AND user_id = $2")
        .bind(membership_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_personal_role(conn: &mut Conn, user_id: &str, role: Role) -> Result<bool> {
    let done = sqlx::query("DELETE FROM personal_roles WHERE user_id = $1 AND role = $2")
        .bind(user_id)
        .bind(role.as_str())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Blocks or unblocks an account. Blocking ends its sessions in the same transaction.
pub async fn set_disabled(conn: &mut Conn, user_id: &str, disabled: bool) -> Result<bool> {
    let done = if disabled {
        sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL")
            .bind(user_id)
            .bind(now_ms())
            .execute(&mut *conn)
            .await?
    } else {
        // An erased account stays blocked.
        sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1 AND erased_at IS NULL")
            .bind(user_id)
            .execute(&mut *conn)
            .await?
    };
    if disabled {
        crate::identity::delete_user_sessions(conn, user_id).await?;
    }
    Ok(done.rows_affected() == 1)
}

pub async fn set_invited_by(conn: &mut Conn, user_id: &str, invited_by: &str) -> Result<()> {
    sqlx::query("UPDATE users SET invited_by_user_id = $2 WHERE id = $1")
        .bind(user_id)
        .bind(invited_by)
        .execute(conn)
        .await?;
    Ok(())
}

/// An organisation with the name of its region, for the administration list.
#[derive(Debug, Clone)]
pub struct OrganisationLine {
    pub organisation: Organisation,
    pub region_name: String,
    pub municipality_name: Option<String>,
    pub member_count: i64,
}

pub async fn organisations(store: &Store) -> Result<Vec<OrganisationLine>> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT o.id, o.region_id, o.name, o.kind, o.municipality_id, o.website, r.name, m.name, \
                (SELECT COUNT(*) FROM memberships x WHERE x.organisation_id = o.id) \
         FROM organisations o JOIN regions r ON r.id = o.region_id \
         LEFT JOIN municipalities m ON m.id = o.municipality_id \
         ORDER BY r.name, LOWER(o.name)",
    )
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(
            |(
                id,
                region_id,
                name,
                kind,
                municipality_id,
                website,
                region_name,
                municipality_name,
                member_count,
            )| {
                let kind = OrganisationKind::parse(&kind)
                    .ok_or_else(|| StoreError::NotFound(format!("organisatiesoort {kind}")))?;
                Ok(OrganisationLine {
                    organisation: Organisation {
                        id,
                        region_id,
                        name,
                        kind,
                        municipality_id,
                        website,
                    },
                    region_name,
                    municipality_name,
                    member_count,
                })
            },
        )
        .collect()
}

/// Whether an organisation with this id exists.
pub async fn organisation_exists(store: &Store, organisation_id: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM organisations WHERE id = $1")
        .bind(organisation_id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.is_some())
}

pub async fn region_exists(store: &Store, region_id: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM regions WHERE id = $1")
        .bind(region_id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.is_some())
}

/// The municipality's region, if the municipality exists.
pub async fn municipality_region(
    store: &Store,
    municipality_id: &str,
) -> Result<Option<Option<String>>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT region_id FROM municipalities WHERE id = $1")
            .bind(municipality_id)
            .fetch_optional(store.pool())
            .await?;
    Ok(row.map(|(r,)| r))
}

/// Figures for the administration's start page.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub regions: i64,
    pub municipalities: i64,
    pub organisations: i64,
    pub users: i64,
    pub blocked_users: i64,
}

pub async fn counts(store: &Store) -> Result<Counts> {
    let (regions, municipalities, organisations, users, blocked_users): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM regions), (SELECT COUNT(*) FROM municipalities), \
                    (SELECT COUNT(*) FROM organisations), (SELECT COUNT(*) FROM users), \
                    (SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL)",
        )
        .fetch_one(store.pool())
        .await?;
    Ok(Counts {
        regions,
        municipalities,
        organisations,
        users,
        blocked_users,
    })
}
