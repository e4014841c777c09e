//! A region's matching settings (migration 0014): weights, answer time, VOG validity, as JSON
//! of `core::matching::settings::RegionSettings`; the defaults where a region has none.

use super::Result;
use crate::Conn;
use mantelkring_core::matching::settings::RegionSettings;
use mantelkring_core::time::Millis;

/// The region's settings, or the defaults.
pub async fn of_region(conn: &mut Conn, region_id: &str) -> Result<RegionSettings> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT settings FROM matching_settings WHERE region_id = $1")
            .bind(region_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row
        .and_then(|(json,)| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Stores the region's settings; refused (with the field) unless they pass the check.
pub async fn save(
    conn: &mut Conn,
    region_id: &str,
    settings: &RegionSettings,
    by_user_id: &str,
    now: Millis,
) -> Result<()> {
    if let Err(e) = settings.check() {
        return super::invalid(&format!(
            "{} moet tussen {} en {} liggen.",
            e.field, e.min, e.max
        ));
    }
    let json = serde_json::to_string(settings).expect("settings serialise");
    sqlx::query(
        "INSERT INTO matching_settings (region_id, settings, updated_by_user_id, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (region_id) DO UPDATE SET \
         settings = excluded.settings, updated_by_user_id = excluded.updated_by_user_id, \
         updated_at = excluded.updated_at",
    )
    .bind(region_id)
    .bind(json)
    .bind(by_user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
