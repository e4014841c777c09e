//! PC4 postcode areas with their centroid (`postcode_areas`): imported from the reference CSV
//! (upsert by pc4, in the caller's transaction so a whole file is all-or-nothing), looked up to
//! turn a postcode into a point, and counted.

use crate::dialect::{numbered, placeholders};
use crate::{Conn, Result, Store, StoreError};
use mantelkring_core::geo::{Coordinates, Pc4, PostcodeArea};
use mantelkring_core::time::now_ms;
use std::collections::HashSet;
use std::ops::AddAssign;

/// What an import did: rows that were new, and rows that existed and were overwritten with the
/// file's values (also when nothing changed). Areas absent from the file are left alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: u64,
    pub updated: u64,
}

impl ImportReport {
    pub fn total(&self) -> u64 {
        self.inserted + self.updated
    }
}

impl AddAssign for ImportReport {
    fn add_assign(&mut self, other: ImportReport) {
        self.inserted += other.inserted;
        self.updated += other.updated;
    }
}

/// Rows per statement: 7 parameters each keeps a statement far below both backends' limits on
/// bound parameters, and saves most round trips.
const BATCH: usize = 200;

const COLUMNS: &str = "pc4, place, municipality, province, latitude, longitude, imported_at";

/// Inserts or overwrites `areas` (by pc4) in the caller's transaction. The same pc4 twice in
/// `areas` is refused before anything is written. Commit to keep, roll back to undo everything.
/// The counts are exact as long as no other import of the same areas runs at the same moment.
pub async fn import(conn: &mut Conn, areas: &[PostcodeArea]) -> Result<ImportReport> {
    let mut seen = HashSet::with_capacity(areas.len());
    if let Some(twice) = areas.iter().find(|a| !seen.insert(a.pc4)) {
        return Err(StoreError::Conflict(format!(
            "postcode {} staat twee keer in de invoer",
            twice.pc4
        )));
    }
    let imported_at = now_ms();
    let mut report = ImportReport::default();
    for batch in areas.chunks(BATCH) {
        let existing = existing(conn, batch).await?;
        let values = placeholders(batch.len(), 7);
        let sql = format!(
            "INSERT INTO postcode_areas ({COLUMNS}) VALUES {values} \
             ON CONFLICT (pc4) DO UPDATE SET place = excluded.place, \
             municipality = excluded.municipality, province = excluded.province, \
             latitude = excluded.latitude, longitude = excluded.longitude, \
             imported_at = excluded.imported_at"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for area in batch {
            query = query
                .bind(area.pc4.to_string())
                .bind(area.place.clone())
                .bind(area.municipality.clone())
                .bind(area.province.clone())
                .bind(area.centroid.latitude())
                .bind(area.centroid.longitude())
                .bind(imported_at);
        }
        query.execute(&mut *conn).await?;
        report += ImportReport {
            inserted: (batch.len() - existing) as u64,
            updated: existing as u64,
        };
    }
    Ok(report)
}

/// How many of `batch` are already stored (in the caller's transaction).
async fn existing(conn: &mut Conn, batch: &[PostcodeArea]) -> Result<usize> {
    let list = numbered(1, batch.len());
    let sql = format!("SELECT COUNT(*) FROM postcode_areas WHERE pc4 IN ({list})");
    let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
    for area in batch {
        query = query.bind(area.pc4.to_string());
    }
    let (count,) = query.fetch_one(&mut *conn).await?;
    Ok(count as usize)
}

type Row = (String, String, Option<String>, String, f64, f64);

/// The area of this PC4, if it was imported.
pub async fn lookup(store: &Store, pc4: Pc4) -> Result<Option<PostcodeArea>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT pc4, place, municipality, province, latitude, longitude \
         FROM postcode_areas WHERE pc4 = $1",
    )
    .bind(pc4.to_string())
    .fetch_optional(store.pool())
    .await?;
    row.map(from_row).transpose()
}

/// How many areas are stored.
pub async fn count(store: &Store) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM postcode_areas")
        .fetch_one(store.pool())
        .await?;
    Ok(n)
}

/// Stored rows were checked on the way in; one that fails now was changed behind our back.
fn from_row(
    (pc4, place, municipality, province, latitude, longitude): Row,
) -> Result<PostcodeArea> {
    let corrupt = |e: Box<dyn std::error::Error + Send + Sync>| {
        StoreError::Query(sqlx::Error::Decode(
            format!("postcode_areas {pc4}: {e}").into(),
        ))
    };
    Ok(PostcodeArea {
        pc4: Pc4::parse(&pc4).map_err(|e| corrupt(e.into()))?,
        centroid: Coordinates::new(latitude, longitude).map_err(|e| corrupt(e.into()))?,
        place,
        municipality,
        province,
    })
}
