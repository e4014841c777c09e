//! The signal rules over every network at once (job `screening_signals`): set-based, so 100,000
//! caregivers take seconds, not one query per network.
//!
//! 1. [`evaluate_all`] reads the facts of ALL networks with a few streaming queries, each ordered
//!    by `network_id` (the networks, the latest two complete checks per instrument, the last
//!    contact, the networks without a regiehouder, open questions, unfilled tasks, "het gaat niet
//!    meer" contacts, regions, regiehouders), then walks them together network by network and
//!    evaluates `core::screening::rules::evaluate` in Rust with the region's settings.
//! 2. [`raise_new`] leaves out the causes already raised (read the same way) and inserts the new
//!    signals with their first history event in multi-row INSERTs, a few thousand a transaction
//!    (`ON CONFLICT DO NOTHING`: a signal raised meanwhile by a write stays the only one).
//! 3. [`recipients_of`] finds who receives the new signals (the regiehouder, else the network's
//!    professionals), for a few networks per query.
//!
//! Only the latest two checks per instrument are read: the rules look at no others (the latest
//! score, its rise since the previous one, and the latest of all for "no contact"), so the
//! causes are the same as `signals::evaluate_network` finds with every check (tested).

use super::RuleContext;
use super::signals::{Recipient, choose_recipients};
use crate::{Backend, Conn, Result, Store, StoreError, new_id};
use futures_util::TryStreamExt;
use mantelkring_core::access::DataCategory;
use mantelkring_core::screening::SignalStatus;
use mantelkring_core::screening::rules::{CheckFact, DAY_MS, Facts, Raised, evaluate};
use mantelkring_core::time::Millis;
use std::collections::{BTreeMap, HashMap};

/// One network's evaluation: every cause the rules give now (also those raised before).
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub network_id: String,
    pub causes: Vec<Raised>,
    /// The owner of a new signal: the regiehouder when they see checks and signals.
    pub owner: Option<String>,
}

/// Streams `sql` (rows starting with a network id, ordered by it) into a vector.
async fn load<T>(conn: &mut Conn, sql: &'static str, binds: &[i64]) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut query = sqlx::query_as::<_, T>(sql);
    for b in binds {
        query = query.bind(*b);
    }
    let mut rows = query.fetch(&mut *conn);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        out.push(row);
    }
    Ok(out)
}

/// A cursor over rows grouped by network id (in the order the database sorted them).
struct Groups<T> {
    rows: Vec<T>,
    at: usize,
}

impl<T> Groups<T> {
    fn new(rows: Vec<T>) -> Self {
        Groups { rows, at: 0 }
    }

    /// The rows of `network_id`, when the cursor stands at them.
    fn take(&mut self, network_id: &str, key: impl Fn(&T) -> &str) -> &[T] {
        let start = self.at;
        while self.at < self.rows.len() && key(&self.rows[self.at]) == network_id {
            self.at += 1;
        }
        &self.rows[start..self.at]
    }

    fn done(&self) -> bool {
        self.at == self.rows.len()
    }
}

type CheckRow = (String, String, String, i64, i64);
type IdAt = (String, String, i64);

/// Networks as the database sorts their ids (every list below is sorted the same way).
const NETWORKS: &str = "SELECT id FROM networks ORDER BY id";

/// The latest two complete checks per network and instrument (PostgreSQL: the window runs over
/// the index `screening_checks_latest` in its order, no sort).
const CHECKS: &str = "SELECT network_id, id, instrument, score, completed_at FROM ( \
       SELECT network_id, id, instrument, score, completed_at, ROW_NUMBER() OVER ( \
         PARTITION BY network_id, instrument ORDER BY completed_at DESC, id DESC) AS n \
       FROM screening_checks WHERE status = 'complete') latest \
     WHERE n <= 2 ORDER BY network_id";

/// SQLite: the same, by walking the covering index `screening_checks_latest` once per network
/// and instrument for its first two entries. (SQLite's window function sorts all rows first;
/// this is about twice as fast and reads no table rows.)
const CHECKS_SQLITE: &str = "SELECT g.network_id, c.id, g.instrument, c.score, c.completed_at \
     FROM (SELECT DISTINCT network_id, instrument \
           FROM screening_checks INDEXED BY screening_checks_latest WHERE status = 'complete') g \
     JOIN screening_checks c ON c.rowid IN ( \
       SELECT rowid FROM screening_checks INDEXED BY screening_checks_latest \
       WHERE network_id = g.network_id AND instrument = g.instrument AND status = 'complete' \
       ORDER BY completed_at DESC, id DESC LIMIT 2) \
     ORDER BY g.network_id";

/// The latest two complete checks per network and instrument, ordered by network.
async fn latest_checks(conn: &mut Conn, backend: Backend) -> Result<Vec<CheckRow>> {
    match backend {
        Backend::Postgres => load(conn, CHECKS, &[]).await,
        Backend::Sqlite => load(conn, CHECKS_SQLITE, &[]).await,
    }
}

/// The last contact in which the caregiver was reached, per network.
const LAST_CONTACTS: &str = "SELECT network_id, id, happened_at FROM ( \
       SELECT network_id, id, happened_at, ROW_NUMBER() OVER ( \
         PARTITION BY network_id ORDER BY happened_at DESC, id DESC) AS n \
       FROM contacts WHERE kind <> 'no_answer') last_contact \
     WHERE n = 1 ORDER BY network_id";

/// Networks without an active regiehouder that have members: (id, end of the last term, first
/// member joined) — as `signals::regie_missing_since`.
const REGIE_MISSING: &str = "SELECT m.network_id, \
       (SELECT MAX(r.ended_at) FROM network_regie r WHERE r.network_id = m.network_id), \
       MIN(m.joined_at) \
     FROM network_members m \
     WHERE m.status = 'active' AND m.removed_at IS NULL AND NOT EXISTS ( \
       SELECT 1 FROM network_regie r WHERE r.network_id = m.network_id AND r.status = 'active') \
     GROUP BY m.network_id ORDER BY m.network_id";

/// Questions without an answer, asked at or before $1.
const OPEN_QUESTIONS: &str = "SELECT network_id, id, created_at FROM network_messages \
     WHERE kind = 'question' AND answered_at IS NULL AND created_at <= $1 ORDER BY network_id";

/// Tasks that stay unfilled, since at or before $1.
const UNFILLED_TASKS: &str = "SELECT network_id, id, help_wanted_at FROM network_tasks \
     WHERE help_wanted_at IS NOT NULL AND cancelled_at IS NULL AND help_wanted_at <= $1 \
     ORDER BY network_id";

const CANNOT_COPE: &str =
    "SELECT network_id, id, happened_at FROM contacts WHERE cannot_cope = 1 ORDER BY network_id";

/// The region of each network's caregiver, where known.
const REGIONS: &str = "SELECT n.id, m.region_id FROM networks n \
     JOIN people p ON p.id = n.caregiver_person_id \
     JOIN municipalities m ON m.id = p.municipality_id \
     WHERE m.region_id IS NOT NULL ORDER BY n.id";

/// The active regiehouder of each network and the categories they see.
const REGIEHOUDERS: &str = "SELECT r.network_id, m.user_id, m.categories FROM network_regie r \
     JOIN network_members m ON m.id = r.member_id \
     WHERE r.status = 'active' AND m.status = 'active' AND m.removed_at IS NULL \
     ORDER BY r.network_id";

/// The causes already raised (looked up by network in a map: no order needed).
const RAISED: &str = "SELECT network_id, cause FROM signals";

/// The earliest moment a rule counting `days` can fire for: anything later cannot be due yet.
fn due_before(now: Millis, days: impl Iterator<Item = Option<u32>>) -> Option<Millis> {
    days.flatten().min().map(|d| now - d as Millis * DAY_MS)
}

/// Evaluates the rules in force for every network at `now`, in the caller's (read) transaction.
pub async fn evaluate_all(
    conn: &mut Conn,
    backend: Backend,
    rules: &RuleContext,
    now: Millis,
) -> Result<Vec<Evaluated>> {
    let all_settings: Vec<_> = std::iter::once(&rules.default)
        .chain(rules.by_region.values())
        .collect();
    let networks: Vec<(String,)> = load(conn, NETWORKS, &[]).await?;
    let mut checks = Groups::new(latest_checks(conn, backend).await?);
    let mut contacts = Groups::new(load::<IdAt>(conn, LAST_CONTACTS, &[]).await?);
    let mut regie =
        Groups::new(load::<(String, Option<i64>, Option<i64>)>(conn, REGIE_MISSING, &[]).await?);
    let mut questions = Groups::new(
        match due_before(now, all_settings.iter().map(|s| s.question_days)) {
            Some(before) => load::<IdAt>(conn, OPEN_QUESTIONS, &[before]).await?,
            None => Vec::new(),
        },
    );
    let mut tasks = Groups::new(
        match due_before(now, all_settings.iter().map(|s| s.task_unfilled_days)) {
            Some(before) => load::<IdAt>(conn, UNFILLED_TASKS, &[before]).await?,
            None => Vec::new(),
        },
    );
    let mut cannot_cope = Groups::new(if all_settings.iter().any(|s| s.cannot_cope) {
        load::<IdAt>(conn, CANNOT_COPE, &[]).await?
    } else {
        Vec::new()
    });
    let mut regions = Groups::new(if rules.by_region.is_empty() {
        Vec::new()
    } else {
        load::<(String, String)>(conn, REGIONS, &[]).await?
    });
    let mut regiehouders =
        Groups::new(load::<(String, String, String)>(conn, REGIEHOUDERS, &[]).await?);

    // The settings and thresholds per region, worked out once.
    let mut per_region: HashMap<Option<String>, (_, BTreeMap<String, u32>)> = HashMap::new();
    let mut out = Vec::new();
    for (network_id,) in networks {
        let id = network_id.as_str();
        let facts = Facts {
            checks: checks
                .take(id, |r| &r.0)
                .iter()
                .map(|(_, check, instrument, score, at)| CheckFact {
                    id: check.clone(),
                    instrument: instrument.clone(),
                    score: (*score).max(0) as u32,
                    completed_at: *at,
                })
                .collect(),
            last_contact: contacts
                .take(id, |r| &r.0)
                .first()
                .map(|(_, c, at)| (c.clone(), *at)),
            regie_missing_since: regie.take(id, |r| &r.0).first().and_then(
                |(_, ended, first_joined)| {
                    first_joined.map(|joined| ended.unwrap_or(joined).max(joined))
                },
            ),
            open_questions: id_at(questions.take(id, |r| &r.0)),
            unfilled_tasks: id_at(tasks.take(id, |r| &r.0)),
            cannot_cope: id_at(cannot_cope.take(id, |r| &r.0)),
        };
        let region = regions.take(id, |r| &r.0).first().map(|r| r.1.clone());
        let owner = regiehouders
            .take(id, |r| &r.0)
            .iter()
            .find(|(_, _, c)| DataCategory::parse_list(c).contains(&DataCategory::Checks))
            .map(|(_, user, _)| user.clone());
        let (settings, thresholds) = per_region.entry(region.clone()).or_insert_with(|| {
            let (s, t) = rules.for_region(region.as_deref());
            (s.clone(), t)
        });
        let causes = evaluate(settings, thresholds, &facts, now);
        if !causes.is_empty() {
            out.push(Evaluated {
                network_id,
                causes,
                owner,
            });
        }
    }
    let all_read = checks.done()
        && contacts.done()
        && regie.done()
        && questions.done()
        && tasks.done()
        && cannot_cope.done()
        && regions.done()
        && regiehouders.done();
    if !all_read {
        // Every list is sorted by the same column in the same database, so this cannot happen
        // unless a row names a network that is not there.
        return Err(StoreError::Conflict(
            "signaleren: feiten van een onbekend netwerk / facts of an unknown network".into(),
        ));
    }
    Ok(out)
}

fn id_at(rows: &[IdAt]) -> Vec<(String, Millis)> {
    rows.iter().map(|(_, id, at)| (id.clone(), *at)).collect()
}

/// A signal the batch raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignal {
    pub id: String,
    pub network_id: String,
    pub cause: String,
}

/// Signals per transaction: the write lock is let go in between, so pages keep answering.
const PER_TRANSACTION: usize = 5_000;

/// Raises the causes in `evaluated` that have no signal yet; returns the new signals.
pub async fn raise_new(
    store: &Store,
    evaluated: &[Evaluated],
    now: Millis,
) -> Result<Vec<NewSignal>> {
    let existing = {
        let mut tx = store.begin_read().await?;
        let rows: Vec<(String, String)> = load(&mut tx, RAISED, &[]).await?;
        tx.commit().await?;
        rows
    };
    let mut known: HashMap<&str, Vec<&str>> = HashMap::new();
    for (network, cause) in &existing {
        known
            .entry(network.as_str())
            .or_default()
            .push(cause.as_str());
    }
    let mut todo: Vec<(&Evaluated, &Raised)> = Vec::new();
    for e in evaluated {
        let seen = known.get(e.network_id.as_str());
        for cause in &e.causes {
            if !seen.is_some_and(|s| s.contains(&cause.cause.as_str())) {
                todo.push((e, cause));
            }
        }
    }
    drop(known);

    // PostgreSQL takes the transactions on two connections at once (the server works each on
    // its own core); SQLite has one writer, so one after the other.
    let writers = match store.backend() {
        Backend::Sqlite => 1,
        Backend::Postgres => 2,
    };
    let parts: Vec<_> = todo.chunks(PER_TRANSACTION).collect();
    let lanes = (0..writers).map(|lane| {
        let mine: Vec<_> = parts.iter().skip(lane).step_by(writers).copied().collect();
        async move {
            let mut raised = Vec::new();
            for part in mine {
                let mut tx = store.begin_write().await?;
                raised.extend(insert(&mut tx, store.backend(), part, now).await?);
                tx.commit().await?;
            }
            Ok::<_, StoreError>(raised)
        }
    });
    Ok(futures_util::future::try_join_all(lanes)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// Signals per INSERT statement: the rows travel as ONE JSON parameter, unpacked by the database
/// (`json_each` / `jsonb_array_elements`) — binding nine parameters a row costs more than the
/// insert itself.
const ROWS_PER_STATEMENT: usize = 2_500;

/// The new signals, one JSON array `[id, network, rule, cause, detail, owner]` a row; $2 status,
/// $3 now. A signal raised meanwhile for the same cause keeps its place (`DO NOTHING`).
const INSERT_SIGNALS_SQLITE: &str = "INSERT INTO signals (id, network_id, rule, cause, detail, \
       status, owner_user_id, raised_at, updated_at) \
     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), \
       json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), \
       $2, json_extract(value, '$[5]'), $3, $3 FROM json_each($1) WHERE true \
     ON CONFLICT (network_id, cause) DO NOTHING RETURNING id";
const INSERT_SIGNALS_POSTGRES: &str = "INSERT INTO signals (id, network_id, rule, cause, detail, \
       status, owner_user_id, raised_at, updated_at) \
     SELECT r->>0, r->>1, r->>2, r->>3, r->>4, $2, r->>5, $3, $3 \
     FROM jsonb_array_elements($1::text::jsonb) r \
     ON CONFLICT (network_id, cause) DO NOTHING RETURNING id";

/// The first history event of each signal inserted: `[event id, signal id, owner]` a row.
const INSERT_EVENTS_SQLITE: &str = "INSERT INTO signal_events (id, signal_id, status, \
       owner_user_id, at) \
     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), $2, \
       json_extract(value, '$[2]'), $3 FROM json_each($1)";
const INSERT_EVENTS_POSTGRES: &str = "INSERT INTO signal_events (id, signal_id, status, \
       owner_user_id, at) \
     SELECT r->>0, r->>1, $2, r->>2, $3 FROM jsonb_array_elements($1::text::jsonb) r";

async fn insert(
    conn: &mut Conn,
    backend: Backend,
    part: &[(&Evaluated, &Raised)],
    now: Millis,
) -> Result<Vec<NewSignal>> {
    let (signals_sql, events_sql) = match backend {
        Backend::Sqlite => (INSERT_SIGNALS_SQLITE, INSERT_EVENTS_SQLITE),
        Backend::Postgres => (INSERT_SIGNALS_POSTGRES, INSERT_EVENTS_POSTGRES),
    };
    let status = SignalStatus::New.as_str();
    let mut raised = Vec::new();
    for chunk in part.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<(String, &Evaluated, &Raised)> =
            chunk.iter().map(|(e, r)| (new_id(), *e, *r)).collect();
        let payload = serde_json::Value::Array(
            rows.iter()
                .map(|(id, e, r)| {
                    let detail =
                        serde_json::to_string(&r.detail).expect("signal detail serialises");
                    serde_json::json!([id, e.network_id, r.rule.as_str(), r.cause, detail, e.owner])
                })
                .collect(),
        )
        .to_string();
        let inserted: std::collections::HashSet<String> =
            sqlx::query_as::<_, (String,)>(signals_sql)
                .bind(payload)
                .bind(status)
                .bind(now)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(id,)| id)
                .collect();
        let new: Vec<_> = rows
            .into_iter()
            .filter(|(id, ..)| inserted.contains(id))
            .collect();
        if new.is_empty() {
            continue;
        }
        let events = serde_json::Value::Array(
            new.iter()
                .map(|(id, e, _)| serde_json::json!([new_id(), id, e.owner]))
                .collect(),
        )
        .to_string();
        sqlx::query(events_sql)
            .bind(events)
            .bind(status)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        raised.extend(new.into_iter().map(|(id, e, r)| NewSignal {
            id,
            network_id: e.network_id.clone(),
            cause: r.cause.clone(),
        }));
    }
    Ok(raised)
}

/// Networks per recipients query.
const NETWORKS_PER_QUERY: usize = 500;

/// Above this many networks, the recipients are read for all networks in one stream (cheaper
/// than many lists of ids; the first run after the feature is switched on raises signals in
/// most networks).
const STREAM_ABOVE: usize = 2_000;

/// The members as `choose_recipients` reads them (network id first).
const MEMBERS: &str = "SELECT m.network_id, u.id, u.email, u.display_name, m.categories, m.kind, \
       (SELECT COUNT(*) FROM network_regie r WHERE r.network_id = m.network_id \
          AND r.member_id = m.id AND r.status = 'active') \
     FROM network_members m JOIN users u ON u.id = m.user_id \
     JOIN consents c ON c.id = m.consent_id";
const MEMBERS_WHERE: &str = "m.status = 'active' AND m.removed_at IS NULL \
     AND c.withdrawn_at IS NULL AND u.disabled_at IS NULL";

type MemberOf = (String, String, String, String, String, String, i64);

/// Who receives the signals of each of `network_ids` (as `signals::recipients`): the
/// regiehouder when they see checks and signals, else the network's professionals who do.
pub async fn recipients_of(
    conn: &mut Conn,
    network_ids: &[&str],
) -> Result<HashMap<String, Vec<Recipient>>> {
    if network_ids.len() > STREAM_ABOVE {
        return recipients_streamed(conn, network_ids).await;
    }
    let mut rows: Vec<MemberOf> = Vec::new();
    for chunk in network_ids.chunks(NETWORKS_PER_QUERY) {
        let sql = format!(
            "{MEMBERS} WHERE m.network_id IN ({}) AND {MEMBERS_WHERE} \
             ORDER BY m.network_id, u.display_name",
            crate::dialect::numbered(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, MemberOf>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        rows.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(group(rows))
}

/// [`recipients_of`] for many networks: every member who sees checks and signals in one
/// streaming query (the others are never chosen), kept for the networks asked about.
pub async fn recipients_streamed(
    conn: &mut Conn,
    network_ids: &[&str],
) -> Result<HashMap<String, Vec<Recipient>>> {
    let wanted: std::collections::HashSet<&str> = network_ids.iter().copied().collect();
    let sql = format!(
        "{MEMBERS} WHERE {MEMBERS_WHERE} AND m.categories LIKE '%checks%' \
         ORDER BY m.network_id, u.display_name"
    );
    let mut stream = sqlx::query_as::<_, MemberOf>(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await? {
        if wanted.contains(row.0.as_str()) {
            rows.push(row);
        }
    }
    Ok(group(rows))
}

/// Groups member rows by network (in their order) and chooses each network's recipients.
fn group(rows: Vec<MemberOf>) -> HashMap<String, Vec<Recipient>> {
    let mut per_network: BTreeMap<String, Vec<super::signals::MemberRow>> = BTreeMap::new();
    for (network, user, email, name, categories, kind, regie) in rows {
        per_network
            .entry(network)
            .or_default()
            .push((user, email, name, categories, kind, regie));
    }
    per_network
        .into_iter()
        .map(|(network, rows)| (network, choose_recipients(&rows)))
        .collect()
}
