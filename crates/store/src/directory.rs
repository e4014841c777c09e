//! The sociale kaart in the database: services and locations of organisations, written from
//! checked drafts in the caller's transaction, each change versioned field by field and stamped
//! with the next number of the change sequence (`directory_head`), and read back as whole
//! `ServiceRecord`s — for the search index, the pages, the HSDS API and the export.

use std::collections::HashMap;

use mantelkring_core::base::OrganisationKind;
use mantelkring_core::directory::draft::{
    FieldChange, LocationDraft, OrganisationProfile, ServiceDraft, child_id, diff,
};
use mantelkring_core::directory::model::{
    Funding, Language, Location, OpeningHours, OrganisationSummary, Phone, ServiceArea,
    ServiceAtLocation, ServiceRecord, ServiceStatus, TimeOfDay, Weekday,
};
use mantelkring_core::geo::{Coordinates, Pc4};
use mantelkring_core::time::now_ms;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::dialect::numbered;
use crate::{Conn, Result, StoreError, new_id};

/// Ids per `IN (…)` list: far below both backends' limits on bound parameters.
const CHUNK: usize = 500;

/// Who made a change, as the version history shows it. `user_id` is `None` for imports and
/// the demo; `name` is then what did it ("import", "demo").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub user_id: Option<String>,
    pub name: String,
}

impl Editor {
    pub fn system(name: &str) -> Editor {
        Editor {
            user_id: None,
            name: name.to_string(),
        }
    }
}

/// Which services to load.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    All,
    Ids(&'a [Uuid]),
    /// Services changed after this point of the change sequence (also the ones no longer listed,
    /// so an index can drop them).
    ChangedSince(i64),
    Organisation(Uuid),
}

/// The next number of the change sequence. On PostgreSQL the row lock is held until commit, so
/// map-changing transactions commit in the order of their numbers and a reader that has seen
/// number N has seen everything before it.
pub async fn next_seq(conn: &mut Conn) -> Result<i64> {
    let (seq,): (i64,) =
        sqlx::query_as("UPDATE directory_head SET seq = seq + 1 WHERE id = 1 RETURNING seq")
            .fetch_one(&mut *conn)
            .await?;
    Ok(seq)
}

/// The last number handed out.
pub async fn current_seq(conn: &mut Conn) -> Result<i64> {
    let (seq,): (i64,) = sqlx::query_as("SELECT seq FROM directory_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(seq)
}

/// Loads whole services, sorted by name (then id).
pub async fn load(conn: &mut Conn, selection: Selection<'_>) -> Result<Vec<ServiceRecord>> {
    const SELECT: &str = "SELECT s.id, s.name, s.alternate_name, s.description, s.url, s.email, \
        s.status, s.application_process, s.fees_description, s.eligibility_description, \
        s.minimum_age, s.maximum_age, s.online, s.schedule_note, s.last_reviewed_at, \
        s.updated_at, s.change_seq, o.id, o.name, o.kind, o.description, o.website, o.email, \
        o.phone, COALESCE(o.updated_at, o.created_at) \
        FROM directory_services s JOIN organisations o ON o.id = s.organisation_id";
    let rows: Vec<AnyRow> = match selection {
        Selection::All => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} ORDER BY s.name, s.id"
            )))
            .fetch_all(&mut *conn)
            .await?
        }
        Selection::ChangedSince(seq) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE s.change_seq > $1 ORDER BY s.name, s.id"
            )))
            .bind(seq)
            .fetch_all(&mut *conn)
            .await?
        }
        Selection::Organisation(org) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE s.organisation_id = $1 ORDER BY s.name, s.id"
            )))
            .bind(org.to_string())
            .fetch_all(&mut *conn)
            .await?
        }
        Selection::Ids(ids) => {
            let mut rows = Vec::new();
            for chunk in ids.chunks(CHUNK) {
                let sql = format!(
                    "{SELECT} WHERE s.id IN ({}) ORDER BY s.name, s.id",
                    numbered(1, chunk.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(id.to_string());
                }
                rows.extend(q.fetch_all(&mut *conn).await?);
            }
            rows
        }
    };
    let mut records = rows
        .into_iter()
        .map(service_from_row)
        .collect::<Result<Vec<_>>>()?;
    if records.is_empty() {
        return Ok(records);
    }
    let all = matches!(selection, Selection::All);
    let ids: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
    let mut children = Children::default();
    children.load(conn, &ids, all).await?;
    for r in &mut records {
        children.fill(r);
    }
    if matches!(selection, Selection::Ids(_)) && ids.len() > 1 {
        records.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    Ok(records)
}

/// One service, if it exists.
pub async fn service(conn: &mut Conn, id: Uuid) -> Result<Option<ServiceRecord>> {
    Ok(load(conn, Selection::Ids(&[id])).await?.pop())
}

/// The organisation a service belongs to (for the access policy).
pub async fn service_organisation(conn: &mut Conn, id: Uuid) -> Result<Option<Uuid>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT organisation_id FROM directory_services WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|(o,)| parse_uuid(&o)).transpose()
}

fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| corrupt(format!("id '{s}': {e}")))
}

fn corrupt(what: String) -> StoreError {
    StoreError::Query(sqlx::Error::Decode(what.into()))
}

fn service_from_row(r: AnyRow) -> Result<ServiceRecord> {
    let id: String = r.try_get(0)?;
    let status: String = r.try_get(6)?;
    let age = |i: usize| -> Result<Option<u16>> {
        let v: Option<i64> = r.try_get(i)?;
        Ok(v.and_then(|v| u16::try_from(v).ok()))
    };
    let online: i64 = r.try_get(12)?;
    let org_id: String = r.try_get(17)?;
    Ok(ServiceRecord {
        id: parse_uuid(&id)?,
        name: r.try_get(1)?,
        alternate_name: r.try_get(2)?,
        description: r.try_get(3)?,
        url: r.try_get(4)?,
        email: r.try_get(5)?,
        status: ServiceStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("service {id}: status '{status}'")))?,
        application_process: r.try_get(7)?,
        fees_description: r.try_get(8)?,
        eligibility_description: r.try_get(9)?,
        minimum_age: age(10)?,
        maximum_age: age(11)?,
        online: online != 0,
        schedule_note: r.try_get(13)?,
        last_reviewed_at: r.try_get(14)?,
        updated_at: r.try_get(15)?,
        change_seq: r.try_get(16)?,
        organisation: OrganisationSummary {
            id: parse_uuid(&org_id)?,
            name: r.try_get(18)?,
            kind: r.try_get(19)?,
            description: r.try_get(20)?,
            website: r.try_get(21)?,
            email: r.try_get(22)?,
            phone: r.try_get(23)?,
            updated_at: r.try_get(24)?,
        },
        categories: Vec::new(),
        funding: Vec::new(),
        languages: Vec::new(),
        phones: Vec::new(),
        opening_hours: Vec::new(),
        locations: Vec::new(),
        areas: Vec::new(),
    })
}

/// Child rows of many services, grouped by service id.
#[derive(Default)]
struct Children {
    categories: HashMap<String, Vec<String>>,
    funding: HashMap<String, Vec<String>>,
    languages: HashMap<String, Vec<String>>,
    phones: HashMap<String, Vec<(i64, String, Option<String>)>>,
    hours: HashMap<String, Vec<(i64, String, String)>>,
    locations: HashMap<String, Vec<(i64, Location)>>,
    areas: HashMap<String, Vec<(String, String, String)>>,
}

/// Runs `sql` (which ends in `WHERE <alias>service_id`) for all services or per chunk of ids.
async fn child_rows(
    conn: &mut Conn,
    sql: &str,
    service_column: &str,
    ids: &[String],
    all: bool,
) -> Result<Vec<AnyRow>> {
    if all {
        return Ok(sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&mut *conn)
            .await?);
    }
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "{sql} WHERE {service_column} IN ({})",
            numbered(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.clone());
        }
        rows.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(rows)
}

/// One text column of a child table, grouped by service id.
async fn codes(
    conn: &mut Conn,
    table: &str,
    column: &str,
    ids: &[String],
    all: bool,
) -> Result<HashMap<String, Vec<String>>> {
    let sql = format!("SELECT service_id, {column} FROM {table}");
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for r in child_rows(conn, &sql, "service_id", ids, all).await? {
        out.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
    }
    Ok(out)
}

impl Children {
    async fn load(&mut self, conn: &mut Conn, ids: &[String], all: bool) -> Result<()> {
        self.categories =
            codes(conn, "directory_service_categories", "term_code", ids, all).await?;
        self.funding = codes(conn, "directory_service_fundings", "source", ids, all).await?;
        self.languages = codes(conn, "directory_service_languages", "code", ids, all).await?;
        for r in child_rows(
            conn,
            "SELECT service_id, position, number, description FROM directory_service_phones",
            "service_id",
            ids,
            all,
        )
        .await?
        {
            self.phones.entry(r.try_get(0)?).or_default().push((
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
            ));
        }
        for r in child_rows(
            conn,
            "SELECT service_id, weekday, opens_at, closes_at FROM directory_service_hours",
            "service_id",
            ids,
            all,
        )
        .await?
        {
            self.hours.entry(r.try_get(0)?).or_default().push((
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
            ));
        }
        for r in child_rows(
            conn,
            "SELECT sl.service_id, sl.position, l.id, l.organisation_id, l.name, l.description, \
             l.street, l.postcode, l.city, l.latitude, l.longitude, l.wheelchair_accessible \
             FROM directory_service_locations sl JOIN directory_locations l ON l.id = sl.location_id",
            "sl.service_id",
            ids,
            all,
        )
        .await?
        {
            let service: String = r.try_get(0)?;
            let position: i64 = r.try_get(1)?;
            let location = location_from_row(&r, 2)?;
            self.locations
                .entry(service)
                .or_default()
                .push((position, location));
        }
        for r in child_rows(
            conn,
            "SELECT a.service_id, m.id, m.cbs_code, m.name FROM directory_service_areas a \
             JOIN municipalities m ON m.id = a.municipality_id",
            "a.service_id",
            ids,
            all,
        )
        .await?
        {
            self.areas.entry(r.try_get(0)?).or_default().push((
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
            ));
        }
        Ok(())
    }

    fn fill(&mut self, r: &mut ServiceRecord) {
        let key = r.id.to_string();
        let id = r.id;
        let mut categories = self.categories.remove(&key).unwrap_or_default();
        categories.sort();
        r.categories = categories;
        let mut funding: Vec<Funding> = self
            .funding
            .remove(&key)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| Funding::parse(f))
            .collect();
        funding.sort();
        r.funding = funding;
        let mut languages = self.languages.remove(&key).unwrap_or_default();
        languages.sort();
        r.languages = languages
            .into_iter()
            .map(|code| Language {
                id: child_id(id, "language", &code),
                code,
            })
            .collect();
        let mut phones = self.phones.remove(&key).unwrap_or_default();
        phones.sort_by_key(|p| p.0);
        r.phones = phones
            .into_iter()
            .map(|(_, number, description)| Phone {
                id: child_id(id, "phone", &number),
                number,
                description,
            })
            .collect();
        let mut hours: Vec<OpeningHours> = self
            .hours
            .remove(&key)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(day, opens, closes)| {
                let h = mantelkring_core::directory::draft::WeeklyHours {
                    weekday: Weekday::from_number(day)?,
                    opens: TimeOfDay::parse(&opens)?,
                    closes: TimeOfDay::parse(&closes)?,
                };
                Some(h.with_id(id))
            })
            .collect();
        hours.sort_by_key(|h| (h.weekday, h.opens));
        r.opening_hours = hours;
        let mut locations = self.locations.remove(&key).unwrap_or_default();
        locations.sort_by_key(|l| l.0);
        r.locations = locations
            .into_iter()
            .map(|(_, location)| ServiceAtLocation {
                id: child_id(id, "service_at_location", &location.id.to_string()),
                location,
            })
            .collect();
        let mut areas: Vec<ServiceArea> = self
            .areas
            .remove(&key)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(mid, cbs_code, name)| {
                let municipality_id = Uuid::parse_str(&mid).ok()?;
                Some(ServiceArea {
                    id: child_id(id, "service_area", &cbs_code),
                    municipality_id,
                    cbs_code,
                    name,
                })
            })
            .collect();
        areas.sort_by(|a, b| a.name.cmp(&b.name));
        r.areas = areas;
    }
}

/// Reads a location from `r` starting at column `at`: id, organisation_id, name, description,
/// street, postcode, city, latitude, longitude, wheelchair_accessible.
fn location_from_row(r: &AnyRow, at: usize) -> Result<Location> {
    let id: String = r.try_get(at)?;
    let org: String = r.try_get(at + 1)?;
    let latitude: Option<f64> = r.try_get(at + 7)?;
    let longitude: Option<f64> = r.try_get(at + 8)?;
    let wheelchair: i64 = r.try_get(at + 9)?;
    let id = parse_uuid(&id)?;
    Ok(Location {
        id,
        organisation_id: parse_uuid(&org)?,
        name: r.try_get(at + 2)?,
        description: r.try_get(at + 3)?,
        address_id: child_id(id, "address", ""),
        street: r.try_get(at + 4)?,
        postcode: r.try_get(at + 5)?,
        city: r.try_get(at + 6)?,
        coordinates: match (latitude, longitude) {
            (Some(la), Some(lo)) => Coordinates::new(la, lo).ok(),
            _ => None,
        },
        wheelchair_accessible: wheelchair != 0,
    })
}

const LOCATION_COLUMNS: &str = "id, organisation_id, name, description, street, postcode, city, \
    latitude, longitude, wheelchair_accessible";

/// One location.
pub async fn location(conn: &mut Conn, id: Uuid) -> Result<Option<Location>> {
    let sql = format!("SELECT {LOCATION_COLUMNS} FROM directory_locations WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| location_from_row(&r, 0)).transpose()
}

/// The locations of one organisation, by name.
pub async fn locations_of(conn: &mut Conn, organisation: Uuid) -> Result<Vec<Location>> {
    let sql = format!(
        "SELECT {LOCATION_COLUMNS} FROM directory_locations WHERE organisation_id = $1 \
         ORDER BY name, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(organisation.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| location_from_row(r, 0)).collect()
}

/// Every location (for the export), by organisation and name.
pub async fn all_locations(conn: &mut Conn) -> Result<Vec<Location>> {
    let sql = format!(
        "SELECT {LOCATION_COLUMNS} FROM directory_locations ORDER BY organisation_id, name, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| location_from_row(r, 0)).collect()
}

/// What a version is about.
struct Subject<'a> {
    entity: &'a str,
    id: Uuid,
    organisation: Uuid,
}

async fn write_version(
    conn: &mut Conn,
    subject: Subject<'_>,
    action: &str,
    by: &Editor,
    at: i64,
    changes: &[FieldChange],
) -> Result<()> {
    let Subject {
        entity,
        id: entity_id,
        organisation: organisation_id,
    } = subject;
    let fields = serde_json::to_string(changes).map_err(|e| corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO directory_versions (id, entity, entity_id, organisation_id, action, \
         changed_at, changed_by, changed_by_name, fields) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(entity)
    .bind(entity_id.to_string())
    .bind(organisation_id.to_string())
    .bind(action)
    .bind(at)
    .bind(by.user_id.clone())
    .bind(by.name.clone())
    .bind(fields)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Refuses locations that are not the service's organisation's own.
async fn check_locations(conn: &mut Conn, draft: &ServiceDraft) -> Result<()> {
    for id in &draft.location_ids {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT organisation_id FROM directory_locations WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        match row {
            Some((org,)) if org == draft.organisation_id.to_string() => {}
            Some(_) => {
                return Err(StoreError::Conflict(format!(
                    "locatie {id} hoort bij een andere organisatie"
                )));
            }
            None => return Err(StoreError::NotFound(format!("locatie {id}"))),
        }
    }
    Ok(())
}

async fn write_children(conn: &mut Conn, id: &str, draft: &ServiceDraft) -> Result<()> {
    for table in [
        "directory_service_categories",
        "directory_service_fundings",
        "directory_service_languages",
        "directory_service_phones",
        "directory_service_hours",
        "directory_service_locations",
        "directory_service_areas",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE service_id = $1"
        )))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    let funding: Vec<String> = draft.funding.iter().map(|f| f.as_str().into()).collect();
    for (table, column, values) in [
        (
            "directory_service_categories",
            "term_code",
            &draft.categories,
        ),
        ("directory_service_fundings", "source", &funding),
        ("directory_service_languages", "code", &draft.languages),
    ] {
        let sql = format!("INSERT INTO {table} (service_id, {column}) VALUES ($1, $2)");
        for value in values {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
    }
    for (i, p) in draft.phones.iter().enumerate() {
        sqlx::query(
            "INSERT INTO directory_service_phones (service_id, position, number, description) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(&p.number)
        .bind(&p.description)
        .execute(&mut *conn)
        .await?;
    }
    for h in &draft.hours {
        sqlx::query(
            "INSERT INTO directory_service_hours (service_id, weekday, opens_at, closes_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i64::from(h.weekday.number()))
        .bind(h.opens.to_string())
        .bind(h.closes.to_string())
        .execute(&mut *conn)
        .await?;
    }
    for (i, l) in draft.location_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO directory_service_locations (service_id, location_id, position) \
             VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(l.to_string())
        .bind(i as i64)
        .execute(&mut *conn)
        .await?;
    }
    for m in &draft.area_ids {
        sqlx::query(
            "INSERT INTO directory_service_areas (service_id, municipality_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(m.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Adds a service with this id (an import keeps the ids of its source). `reviewed_at` is when it
/// was last checked (now when `None`). Returns its change sequence number.
pub async fn create_service(
    conn: &mut Conn,
    id: Uuid,
    draft: &ServiceDraft,
    by: &Editor,
    reviewed_at: Option<i64>,
) -> Result<i64> {
    let draft = draft.clone().normalise();
    check_locations(conn, &draft).await?;
    let seq = next_seq(conn).await?;
    let now = now_ms();
    let key = id.to_string();
    sqlx::query(
        "INSERT INTO directory_services (id, organisation_id, name, alternate_name, description, \
         url, email, status, application_process, fees_description, eligibility_description, \
         minimum_age, maximum_age, online, schedule_note, last_reviewed_at, last_reviewed_by, \
         created_at, updated_at, change_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(&key)
    .bind(draft.organisation_id.to_string())
    .bind(&draft.name)
    .bind(&draft.alternate_name)
    .bind(&draft.description)
    .bind(&draft.url)
    .bind(&draft.email)
    .bind(draft.status.as_str())
    .bind(&draft.application_process)
    .bind(&draft.fees_description)
    .bind(&draft.eligibility_description)
    .bind(draft.minimum_age.map(i64::from))
    .bind(draft.maximum_age.map(i64::from))
    .bind(i64::from(draft.online))
    .bind(&draft.schedule_note)
    .bind(reviewed_at.unwrap_or(now))
    .bind(by.user_id.clone())
    .bind(now)
    .bind(now)
    .bind(seq)
    .execute(&mut *conn)
    .await
    .map_err(crate::conflict_as(format!("dienst {id}")))?;
    write_children(conn, &key, &draft).await?;
    let changes = diff(None, &draft.fields());
    write_version(
        conn,
        Subject {
            entity: "service",
            id,
            organisation: draft.organisation_id,
        },
        "create",
        by,
        now,
        &changes,
    )
    .await?;
    Ok(seq)
}

/// Changes a service to `draft` (an edit also counts as "checked now"). The organisation cannot
/// change. Returns the changed fields (empty: nothing changed, only the check date).
pub async fn update_service(
    conn: &mut Conn,
    id: Uuid,
    draft: &ServiceDraft,
    by: &Editor,
) -> Result<Vec<FieldChange>> {
    let current = service(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("dienst {id}")))?;
    if current.organisation.id != draft.organisation_id {
        return Err(StoreError::Conflict(format!(
            "dienst {id} hoort bij een andere organisatie"
        )));
    }
    let draft = draft.clone().normalise();
    check_locations(conn, &draft).await?;
    let before = ServiceDraft::from_record(&current);
    let changes = diff(Some(&before.fields()), &draft.fields());
    let seq = next_seq(conn).await?;
    let now = now_ms();
    let key = id.to_string();
    sqlx::query(
        "UPDATE directory_services SET name = $2, alternate_name = $3, description = $4, \
         url = $5, email = $6, status = $7, application_process = $8, fees_description = $9, \
         eligibility_description = $10, minimum_age = $11, maximum_age = $12, online = $13, \
         schedule_note = $14, last_reviewed_at = $15, last_reviewed_by = $16, reminded_at = NULL, \
         updated_at = $17, change_seq = $18 WHERE id = $1",
    )
    .bind(&key)
    .bind(&draft.name)
    .bind(&draft.alternate_name)
    .bind(&draft.description)
    .bind(&draft.url)
    .bind(&draft.email)
    .bind(draft.status.as_str())
    .bind(&draft.application_process)
    .bind(&draft.fees_description)
    .bind(&draft.eligibility_description)
    .bind(draft.minimum_age.map(i64::from))
    .bind(draft.maximum_age.map(i64::from))
    .bind(i64::from(draft.online))
    .bind(&draft.schedule_note)
    .bind(now)
    .bind(by.user_id.clone())
    .bind(if changes.is_empty() {
        current.updated_at
    } else {
        now
    })
    .bind(seq)
    .execute(&mut *conn)
    .await?;
    write_children(conn, &key, &draft).await?;
    let action = if changes.is_empty() {
        "review"
    } else {
        "update"
    };
    write_version(
        conn,
        Subject {
            entity: "service",
            id,
            organisation: draft.organisation_id,
        },
        action,
        by,
        now,
        &changes,
    )
    .await?;
    Ok(changes)
}

/// "Klopt nog": the editor confirms the entry is right without changing it.
pub async fn mark_reviewed(conn: &mut Conn, id: Uuid, by: &Editor) -> Result<()> {
    let organisation = service_organisation(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("dienst {id}")))?;
    let seq = next_seq(conn).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE directory_services SET last_reviewed_at = $2, last_reviewed_by = $3, \
         reminded_at = NULL, change_seq = $4 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(now)
    .bind(by.user_id.clone())
    .bind(seq)
    .execute(&mut *conn)
    .await?;
    write_version(
        conn,
        Subject {
            entity: "service",
            id,
            organisation,
        },
        "review",
        by,
        now,
        &[],
    )
    .await
}

/// Sets when a service was last checked, without a version entry (an import keeps the check
/// date its source gives, or the one the service had: an import does not count as a check).
pub async fn set_last_reviewed(conn: &mut Conn, id: Uuid, at: i64) -> Result<()> {
    sqlx::query("UPDATE directory_services SET last_reviewed_at = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Fills in the PC4 centroid when the draft has no coordinates and the postcode is known.
async fn coordinates_for(conn: &mut Conn, draft: &LocationDraft) -> Result<Option<Coordinates>> {
    if draft.coordinates.is_some() {
        return Ok(draft.coordinates);
    }
    let Ok(pc4) = Pc4::from_postcode(&draft.postcode) else {
        return Ok(None);
    };
    let row: Option<(f64, f64)> =
        sqlx::query_as("SELECT latitude, longitude FROM postcode_areas WHERE pc4 = $1")
            .bind(pc4.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.and_then(|(la, lo)| Coordinates::new(la, lo).ok()))
}

/// Adds a location with this id. Returns the stored location (with coordinates filled in).
pub async fn create_location(
    conn: &mut Conn,
    id: Uuid,
    draft: &LocationDraft,
    by: &Editor,
) -> Result<Location> {
    let mut draft = draft.clone();
    draft.coordinates = coordinates_for(conn, &draft).await?;
    let now = now_ms();
    sqlx::query(
        "INSERT INTO directory_locations (id, organisation_id, name, description, street, \
         postcode, city, latitude, longitude, wheelchair_accessible, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.to_string())
    .bind(draft.organisation_id.to_string())
    .bind(&draft.name)
    .bind(&draft.description)
    .bind(&draft.street)
    .bind(&draft.postcode)
    .bind(&draft.city)
    .bind(draft.coordinates.map(|c| c.latitude()))
    .bind(draft.coordinates.map(|c| c.longitude()))
    .bind(i64::from(draft.wheelchair_accessible))
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(crate::conflict_as(format!("locatie {id}")))?;
    let changes = diff(None, &draft.fields());
    write_version(
        conn,
        Subject {
            entity: "location",
            id,
            organisation: draft.organisation_id,
        },
        "create",
        by,
        now,
        &changes,
    )
    .await?;
    location(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("locatie {id}")))
}

/// Changes a location; every service given there is stamped, so indexes pick up the new address.
pub async fn update_location(
    conn: &mut Conn,
    id: Uuid,
    draft: &LocationDraft,
    by: &Editor,
) -> Result<Vec<FieldChange>> {
    let current = location(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("locatie {id}")))?;
    if current.organisation_id != draft.organisation_id {
        return Err(StoreError::Conflict(format!(
            "locatie {id} hoort bij een andere organisatie"
        )));
    }
    let mut draft = draft.clone();
    if draft.coordinates.is_none() || draft.postcode != current.postcode {
        // A new postcode without new coordinates: the old point would be wrong.
        if draft.coordinates == current.coordinates && draft.postcode != current.postcode {
            draft.coordinates = None;
        }
        draft.coordinates = coordinates_for(conn, &draft).await?;
    }
    let changes = diff(
        Some(&LocationDraft::from_location(&current).fields()),
        &draft.fields(),
    );
    if changes.is_empty() {
        return Ok(changes);
    }
    let seq = next_seq(conn).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE directory_locations SET name = $2, description = $3, street = $4, postcode = $5, \
         city = $6, latitude = $7, longitude = $8, wheelchair_accessible = $9, updated_at = $10 \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(&draft.name)
    .bind(&draft.description)
    .bind(&draft.street)
    .bind(&draft.postcode)
    .bind(&draft.city)
    .bind(draft.coordinates.map(|c| c.latitude()))
    .bind(draft.coordinates.map(|c| c.longitude()))
    .bind(i64::from(draft.wheelchair_accessible))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE directory_services SET change_seq = $2, updated_at = $3 WHERE id IN \
         (SELECT service_id FROM directory_service_locations WHERE location_id = $1)",
    )
    .bind(id.to_string())
    .bind(seq)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    write_version(
        conn,
        Subject {
            entity: "location",
            id,
            organisation: draft.organisation_id,
        },
        "update",
        by,
        now,
        &changes,
    )
    .await?;
    Ok(changes)
}

/// The public profile of an organisation.
pub async fn organisation_profile(
    conn: &mut Conn,
    organisation: Uuid,
) -> Result<Option<OrganisationProfile>> {
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT description, website, email, phone FROM organisations WHERE id = $1",
    )
    .bind(organisation.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(
        row.map(|(description, website, email, phone)| OrganisationProfile {
            description,
            website,
            email,
            phone,
        }),
    )
}

/// Changes an organisation's public profile; its services are stamped for the indexes.
pub async fn update_organisation_profile(
    conn: &mut Conn,
    organisation: Uuid,
    profile: &OrganisationProfile,
    by: &Editor,
) -> Result<Vec<FieldChange>> {
    let current = organisation_profile(conn, organisation)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("organisatie {organisation}")))?;
    let changes = diff(Some(&current.fields()), &profile.fields());
    if changes.is_empty() {
        return Ok(changes);
    }
    let seq = next_seq(conn).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE organisations SET description = $2, website = $3, email = $4, phone = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(organisation.to_string())
    .bind(&profile.description)
    .bind(&profile.website)
    .bind(&profile.email)
    .bind(&profile.phone)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE directory_services SET change_seq = $2, updated_at = $3 WHERE organisation_id = $1",
    )
    .bind(organisation.to_string())
    .bind(seq)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    write_version(
        conn,
        Subject {
            entity: "organisation",
            id: organisation,
            organisation,
        },
        "update",
        by,
        now,
        &changes,
    )
    .await?;
    Ok(changes)
}

/// Adds an organisation with this id (an import keeps the ids of its source) in `region_id`, with
/// its public profile; versioned like every other change to the map. Its services come later.
pub async fn create_organisation(
    conn: &mut Conn,
    id: Uuid,
    region_id: &str,
    name: &str,
    kind: OrganisationKind,
    profile: &OrganisationProfile,
    by: &Editor,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO organisations (id, region_id, name, kind, municipality_id, website, \
         description, email, phone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(region_id)
    .bind(name.trim())
    .bind(kind.as_str())
    .bind(&profile.website)
    .bind(&profile.description)
    .bind(&profile.email)
    .bind(&profile.phone)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(crate::conflict_as(format!("organisatie {id}")))?;
    let mut fields = vec![
        ("name", name.trim().to_string()),
        ("kind", kind.as_str().to_string()),
    ];
    fields.extend(profile.fields());
    write_version(
        conn,
        Subject {
            entity: "organisation",
            id,
            organisation: id,
        },
        "create",
        by,
        now,
        &diff(None, &fields),
    )
    .await
}

/// One entry of the version history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub entity: String,
    pub entity_id: Uuid,
    pub action: String,
    pub changed_at: i64,
    pub changed_by: Option<String>,
    pub changed_by_name: String,
    pub fields: Vec<FieldChange>,
}

type VersionRow = (String, String, String, i64, Option<String>, String, String);

fn version_from_row(
    (entity, entity_id, action, changed_at, changed_by, changed_by_name, fields): VersionRow,
) -> Result<Version> {
    Ok(Version {
        entity,
        entity_id: parse_uuid(&entity_id)?,
        action,
        changed_at,
        changed_by,
        changed_by_name,
        fields: serde_json::from_str(&fields).map_err(|e| corrupt(e.to_string()))?,
    })
}

/// The history of one service or location, newest first.
pub async fn versions(conn: &mut Conn, entity_id: Uuid) -> Result<Vec<Version>> {
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT entity, entity_id, action, changed_at, changed_by, changed_by_name, fields \
         FROM directory_versions WHERE entity_id = $1 ORDER BY changed_at DESC, id DESC",
    )
    .bind(entity_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(version_from_row).collect()
}

/// How fresh one organisation's entries are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    pub organisation_id: Uuid,
    pub organisation: String,
    pub services: i64,
    /// Listed services not checked since the cut-off.
    pub stale: i64,
    pub oldest_review: Option<i64>,
    pub open_reports: i64,
}

/// Freshness per organisation that has services, stalest first. `stale_before`: entries
/// checked before this moment are stale.
pub async fn freshness(conn: &mut Conn, stale_before: i64) -> Result<Vec<Freshness>> {
    let rows: Vec<(String, String, i64, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT o.id, o.name, COUNT(s.id), \
         SUM(CASE WHEN s.last_reviewed_at < $1 THEN 1 ELSE 0 END), MIN(s.last_reviewed_at), \
         (SELECT COUNT(*) FROM directory_reports r JOIN directory_services rs ON rs.id = r.service_id \
          WHERE rs.organisation_id = o.id AND r.resolved_at IS NULL) \
         FROM organisations o JOIN directory_services s ON s.organisation_id = o.id \
         WHERE s.status IN ('active', 'temporarily closed') \
         GROUP BY o.id, o.name",
    )
    .bind(stale_before)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = rows
        .into_iter()
        .map(
            |(id, organisation, services, stale, oldest_review, open_reports)| {
                Ok(Freshness {
                    organisation_id: parse_uuid(&id)?,
                    organisation,
                    services,
                    stale,
                    oldest_review,
                    open_reports,
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        b.stale
            .cmp(&a.stale)
            .then(a.oldest_review.cmp(&b.oldest_review))
            .then(a.organisation.cmp(&b.organisation))
    });
    Ok(out)
}

/// A listed service that has not been checked since the cut-off and whose editors were not
/// reminded since `remind_before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleService {
    pub service_id: Uuid,
    pub name: String,
    pub organisation_id: Uuid,
    pub last_reviewed_at: i64,
}

pub async fn due_for_reminder(
    conn: &mut Conn,
    stale_before: i64,
    remind_before: i64,
) -> Result<Vec<StaleService>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, name, organisation_id, last_reviewed_at FROM directory_services \
         WHERE status IN ('active', 'temporarily closed') AND last_reviewed_at < $1 \
         AND (reminded_at IS NULL OR reminded_at < $2) \
         ORDER BY organisation_id, last_reviewed_at, id",
    )
    .bind(stale_before)
    .bind(remind_before)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, name, org, last_reviewed_at)| {
            Ok(StaleService {
                service_id: parse_uuid(&id)?,
                name,
                organisation_id: parse_uuid(&org)?,
                last_reviewed_at,
            })
        })
        .collect()
}

/// Notes that the editors were reminded about these services now.
pub async fn set_reminded(conn: &mut Conn, ids: &[Uuid], at: i64) -> Result<()> {
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "UPDATE directory_services SET reminded_at = $1 WHERE id IN ({})",
            numbered(2, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(at);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The e-mail addresses of an organisation's editors (not blocked, not erased).
pub async fn editor_emails(conn: &mut Conn, organisation: Uuid) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.organisation_id = $1 AND m.role = 'organisation_editor' \
         AND u.disabled_at IS NULL AND u.erased_at IS NULL ORDER BY u.email",
    )
    .bind(organisation.to_string())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(e,)| e).collect())
}

/// An error report on an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: String,
    pub service_id: Uuid,
    pub service_name: String,
    pub message: String,
    pub contact: Option<String>,
    pub created_at: i64,
}

/// Stores an error report ("Klopt er iets niet?") from anyone.
pub async fn report_error(
    conn: &mut Conn,
    service_id: Uuid,
    message: &str,
    contact: Option<&str>,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO directory_reports (id, service_id, message, contact, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(service_id.to_string())
    .bind(message)
    .bind(contact)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Open reports on an organisation's entries, oldest first.
pub async fn open_reports(conn: &mut Conn, organisation: Uuid) -> Result<Vec<Report>> {
    let rows: Vec<(String, String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT r.id, r.service_id, s.name, r.message, r.contact, r.created_at \
         FROM directory_reports r JOIN directory_services s ON s.id = r.service_id \
         WHERE s.organisation_id = $1 AND r.resolved_at IS NULL ORDER BY r.created_at, r.id",
    )
    .bind(organisation.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(
            |(id, service_id, service_name, message, contact, created_at)| {
                Ok(Report {
                    id,
                    service_id: parse_uuid(&service_id)?,
                    service_name,
                    message,
                    contact,
                    created_at,
                })
            },
        )
        .collect()
}

/// Closes a report of this organisation. False when there is no such open report.
pub async fn resolve_report(
    conn: &mut Conn,
    organisation: Uuid,
    report_id: &str,
    by_user: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE directory_reports SET resolved_at = $1, resolved_by = $2 WHERE id = $3 \
         AND resolved_at IS NULL AND service_id IN \
         (SELECT id FROM directory_services WHERE organisation_id = $4)",
    )
    .bind(now_ms())
    .bind(by_user)
    .bind(report_id)
    .bind(organisation.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Municipalities by id, with CBS code and name (to check and show service areas).
pub async fn municipalities(conn: &mut Conn) -> Result<Vec<(Uuid, String, String)>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, cbs_code, name FROM municipalities ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(id, code, name)| Ok((parse_uuid(&id)?, code, name)))
        .collect()
}
