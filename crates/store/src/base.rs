//! The base model: regions, municipalities, organisations, people, users and their memberships.
//! Accounts (passwords, second factor, sessions) are added by the identity capability.

use crate::{Conn, Result, Store, StoreError, conflict_as, new_id};
use mantelkring_core::base::{CbsCode, OrganisationKind, Role};
use mantelkring_core::time::{Millis, now_ms};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Municipality {
    pub id: String,
    pub region_id: Option<String>,
    pub cbs_code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: String,
    pub region_id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub municipality_id: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrganisation<'a> {
    pub region_id: &'a str,
    pub name: &'a str,
    pub kind: OrganisationKind,
    pub municipality_id: Option<&'a str>,
    pub website: Option<&'a str>,
}

#[derive(Debug, Clone, Default)]
pub struct NewPerson<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub municipality_id: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub person_id: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub totp_secret: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub person_id: Option<String>,
    pub created_at: Millis,
}

/// A region with its municipalities, as shown on the home page and in `/api/v1/regions`.
#[derive(Debug, Clone, Serialize)]
pub struct RegionOverview {
    #[serde(flatten)]
    pub region: Region,
    pub municipalities: Vec<Municipality>,
    pub organisation_count: i64,
}

/// E-mail addresses are compared case-insensitively; stored trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn insert_region(conn: &mut Conn, name: &str) -> Result<Region> {
    let region = Region {
        id: new_id(),
        name: name.trim().to_string(),
    };
    sqlx::query("INSERT INTO regions (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&region.id)
        .bind(&region.name)
        .bind(now_ms())
        .execute(conn)
        .await
        .map_err(conflict_as(format!("regio {}", region.name)))?;
    Ok(region)
}

pub async fn insert_municipality(
    conn: &mut Conn,
    region_id: Option<&str>,
    cbs_code: &CbsCode,
    name: &str,
) -> Result<Municipality> {
    let m = Municipality {
        id: new_id(),
        region_id: region_id.map(str::to_string),
        cbs_code: cbs_code.to_string(),
        name: name.trim().to_string(),
    };
    sqlx::query(
        "INSERT INTO municipalities (id, region_id, cbs_code, name, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&m.id)
    .bind(&m.region_id)
    .bind(&m.cbs_code)
    .bind(&m.name)
    .bind(now_ms())
    .execute(conn)
    .await
    .map_err(conflict_as(format!("gemeente {}", m.cbs_code)))?;
    Ok(m)
}

pub async fn insert_organisation(
    conn: &mut Conn,
    new: &NewOrganisation<'_>,
) -> Result<Organisation> {
    let org = Organisation {
        id: new_id(),
        region_id: new.region_id.to_string(),
        name: new.name.trim().to_string(),
        kind: new.kind,
        municipality_id: new.municipality_id.map(str::to_string),
        website: new.website.map(str::to_string),
    };
    sqlx::query(
        "INSERT INTO organisations (id, region_id, name, kind, municipality_id, website, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&org.id)
    .bind(&org.region_id)
    .bind(&org.name)
    .bind(org.kind.as_str())
    .bind(&org.municipality_id)
    .bind(&org.website)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(org)
}

pub async fn insert_person(conn: &mut Conn, new: &NewPerson<'_>) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO people (id, given_name, family_name, email, phone, postcode, municipality_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(new.given_name.trim())
    .bind(new.family_name.trim())
    .bind(new.email.map(normalise_email))
    .bind(new.phone)
    .bind(new.postcode)
    .bind(new.municipality_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn insert_user(conn: &mut Conn, new: &NewUser<'_>) -> Result<String> {
    let id = new_id();
    let email = normalise_email(new.email);
    sqlx::query(
        "INSERT INTO users (id, email, display_name, person_id, password_hash, totp_secret, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&email)
    .bind(new.display_name.trim())
    .bind(new.person_id)
    .bind(new.password_hash)
    .bind(new.totp_secret)
    .bind(now_ms())
    .execute(conn)
    .await
    .map_err(conflict_as(format!("gebruiker {email}")))?;
    Ok(id)
}

pub async fn add_membership(
    conn: &mut Conn,
    user_id: &str,
    organisation_id: &str,
    role: Role,
) -> Result<()> {
    if !role.is_organisation_role() {
        return Err(StoreError::Conflict(format!(
            "rol {} hoort niet bij een organisatie",
            role.as_str()
        )));
    }
    sqlx::query(
        "INSERT INTO memberships (id, user_id, organisation_id, role, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(organisation_id)
    .bind(role.as_str())
    .bind(now_ms())
    .execute(conn)
    .await
    .map_err(conflict_as("lidmaatschap"))?;
    Ok(())
}

pub async fn find_user_by_email(store: &Store, email: &str) -> Result<Option<User>> {
    let row: Option<(String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, email, display_name, person_id, created_at FROM users WHERE email = $1",
    )
    .bind(normalise_email(email))
    .fetch_optional(store.pool())
    .await?;
    Ok(
        row.map(|(id, email, display_name, person_id, created_at)| User {
            id,
            email,
            display_name,
            person_id,
            created_at,
        }),
    )
}

/// The roles a user holds through organisation memberships.
pub async fn organisation_roles(store: &Store, user_id: &str) -> Result<Vec<(String, Role)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT organisation_id, role FROM memberships WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(org, role)| Role::parse(&role).map(|r| (org, r)))
        .collect())
}

/// Every region with its municipalities (ordered by name) and how many organisations it has.
pub async fn region_overview(store: &Store) -> Result<Vec<RegionOverview>> {
    let mut tx = store.begin_read().await?;
    let regions: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT r.id, r.name, (SELECT COUNT(*) FROM organisations o WHERE o.region_id = r.id) \
         FROM regions r ORDER BY r.name",
    )
    .fetch_all(&mut *tx)
    .await?;
    let municipalities: Vec<(String, Option<String>, String, String)> =
        sqlx::query_as("SELECT id, region_id, cbs_code, name FROM municipalities ORDER BY name")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(regions
        .into_iter()
        .map(|(id, name, organisation_count)| RegionOverview {
            municipalities: municipalities
                .iter()
                .filter(|m| m.1.as_deref() == Some(id.as_str()))
                .map(|(mid, region_id, cbs_code, name)| Municipality {
                    id: mid.clone(),
                    region_id: region_id.clone(),
                    cbs_code: cbs_code.clone(),
                    name: name.clone(),
                })
                .collect(),
            region: Region { id, name },
            organisation_count,
        })
        .collect())
}

type OrganisationRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The organisations of a region, ordered by name.
pub async fn organisations_in_region(store: &Store, region_id: &str) -> Result<Vec<Organisation>> {
    let rows: Vec<OrganisationRow> = sqlx::query_as(
        "SELECT id, region_id, name, kind, municipality_id, website FROM organisations \
         WHERE region_id = $1 ORDER BY name",
    )
    .bind(region_id)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|(id, region_id, name, kind, municipality_id, website)| {
            let kind = OrganisationKind::parse(&kind)
                .ok_or_else(|| StoreError::NotFound(format!("organisatiesoort {kind}")))?;
            Ok(Organisation {
                id,
                region_id,
                name,
                kind,
                municipality_id,
                website,
            })
        })
        .collect()
}

pub async fn display_name(store: &Store, user_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.0))
}

/// The user's TOTP secret (base32), if one is enrolled.
pub async fn totp_secret(store: &Store, user_id: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.and_then(|r| r.0))
}

pub async fn user_email(store: &Store, user_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.0))
}
