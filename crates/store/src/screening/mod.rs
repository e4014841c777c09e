//! Signaleren in the store (migration 0010): burden checks and single-use links, signals with
//! their history, contact plans and the contact log, and each region's signal rules.
//!
//! - `mod.rs`: the rules in force (`RuleContext`: each region's settings and the instruments'
//!   default thresholds) and one network's evaluation right after a relevant write.
//! - `signals.rs`: the facts the rules need, raising a signal once per cause, its recipients.
//! - `checks.rs`: checks as drafts, saved half-way, completed (and scored) once; history, latest.
//! - `links.rs`: single-use links (only a SHA-256 of the secret), found, used once.
//! - `batch.rs`: the rules over every network at once (the daily job), set-based.
//! - `worklist.rs`: following signals up (status, owner, follow-up, note, history) and the
//!   worklist over the networks someone is in.

pub mod batch;
pub mod checks;
pub mod contacts;
pub mod links;
pub mod signals;
pub mod worklist;

use crate::{Conn, Result};
use mantelkring_core::screening::instrument::Catalogue;
use mantelkring_core::screening::rules::RuleSettings;
use std::collections::{BTreeMap, HashMap};

/// The signal rules in force: each region's own settings (else the defaults), with the
/// instruments' default thresholds under them.
#[derive(Debug, Clone, Default)]
pub struct RuleContext {
    pub by_region: HashMap<String, RuleSettings>,
    pub default: RuleSettings,
    /// Per instrument: the lowest score of its "high" band, if it has one.
    pub instrument_defaults: Vec<(String, Option<u32>)>,
}

impl RuleContext {
    /// The settings and resolved thresholds for a caregiver in `region` (none: the defaults).
    pub fn for_region(&self, region: Option<&str>) -> (&RuleSettings, BTreeMap<String, u32>) {
        let settings = region
            .and_then(|r| self.by_region.get(r))
            .unwrap_or(&self.default);
        let thresholds = mantelkring_core::screening::rules::thresholds(
            settings,
            self.instrument_defaults.iter().cloned(),
        );
        (settings, thresholds)
    }
}

/// Reads every region's rule settings. A stored value that no longer reads (it is checked when
/// saved) falls back to the defaults, with a warning.
pub async fn rule_context(conn: &mut Conn, instruments: &Catalogue) -> Result<RuleContext> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT region_id, settings FROM signal_rule_settings")
            .fetch_all(&mut *conn)
            .await?;
    let mut by_region = HashMap::new();
    for (region, json) in rows {
        match serde_json::from_str::<RuleSettings>(&json) {
            Ok(settings) => {
                by_region.insert(region, settings);
            }
            Err(e) => tracing::warn!(region, error = %e, "signal rules unreadable; defaults used"),
        }
    }
    Ok(RuleContext {
        by_region,
        default: RuleSettings::default(),
        instrument_defaults: instruments
            .all()
            .into_iter()
            .map(|i| (i.id.clone(), i.default_threshold()))
            .collect(),
    })
}

/// One region's settings as stored (the defaults when it has none).
pub async fn region_settings(conn: &mut Conn, region_id: &str) -> Result<RuleSettings> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT settings FROM signal_rule_settings WHERE region_id = $1")
            .bind(region_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row
        .and_then(|(json,)| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Stores a region's settings (checked by the caller with `RuleSettings::check`).
pub async fn save_region_settings(
    conn: &mut Conn,
    region_id: &str,
    settings: &RuleSettings,
    by_user_id: &str,
) -> Result<()> {
    let json = serde_json::to_string(settings).expect("rule settings serialise");
    sqlx::query(
        "INSERT INTO signal_rule_settings (region_id, settings, updated_by_user_id, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (region_id) DO UPDATE SET settings = excluded.settings, \
         updated_by_user_id = excluded.updated_by_user_id, updated_at = excluded.updated_at",
    )
    .bind(region_id)
    .bind(json)
    .bind(by_user_id)
    .bind(mantelkring_core::time::now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
