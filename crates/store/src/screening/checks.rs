//! Burden checks (`screening_checks`): started as a draft, answers saved half-way as often as
//! people like, completed once. Only a complete check has a score: `complete` scores the stored
//! answers with the instrument (`Instrument::score`) and refuses an incomplete one, in the
//! caller's transaction. A check always belongs to one network (the caregiver's); every function
//! takes the network id too, so a check of another network is never reached through this one.

use crate::{Conn, Result, new_id};
use mantelkring_core::screening::instrument::{
    Instrument, ScoreError, decode_answers, encode_answers,
};
use mantelkring_core::screening::{CheckMode, CheckStatus};
use mantelkring_core::time::Millis;
use std::collections::BTreeMap;

/// One check as stored, with the name of who entered it (a professional's or volunteer's name for
/// a check filled in together; the caregiver's own checks have their account's name or none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub id: String,
    pub network_id: String,
    pub instrument: String,
    pub instrument_version: String,
    /// As stored: one code per item, comma-separated (see `decode_answers`).
    pub answers: String,
    pub status: CheckStatus,
    pub score: Option<u32>,
    pub mode: CheckMode,
    pub entered_by_user_id: Option<String>,
    pub entered_by_name: Option<String>,
    pub link_id: Option<String>,
    pub started_at: Millis,
    pub updated_at: Millis,
    pub completed_at: Option<Millis>,
}

impl Check {
    /// The answers read back for an instrument with `items` items.
    pub fn answers_for(&self, items: usize) -> Vec<Option<String>> {
        decode_answers(&self.answers, items)
    }

    pub fn is_complete(&self) -> bool {
        self.status == CheckStatus::Complete
    }
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<i64>,
);

const SELECT: &str = "SELECT c.id, c.network_id, c.instrument, c.instrument_version, c.answers, \
     c.status, c.score, c.mode, c.entered_by_user_id, u.display_name, c.link_id, c.started_at, \
     c.updated_at, c.completed_at \
     FROM screening_checks c LEFT JOIN users u ON u.id = c.entered_by_user_id";

fn from_row(row: Row) -> Check {
    let (
        id,
        network_id,
        instrument,
        instrument_version,
        answers,
        status,
        score,
        mode,
        entered_by_user_id,
        entered_by_name,
        link_id,
        started_at,
        updated_at,
        completed_at,
    ) = row;
    Check {
        id,
        network_id,
        instrument,
        instrument_version,
        answers,
        // The table's CHECK constraints allow only these codes.
        status: CheckStatus::parse(&status).unwrap_or(CheckStatus::Draft),
        score: score.map(|s| s.max(0) as u32),
        mode: CheckMode::parse(&mode).unwrap_or(CheckMode::Online),
        entered_by_user_id,
        entered_by_name,
        link_id,
        started_at,
        updated_at,
        completed_at,
    }
}

/// Who starts a check and how.
#[derive(Debug, Clone, Copy)]
pub struct NewCheck<'a> {
    pub network_id: &'a str,
    pub instrument: &'a Instrument,
    pub mode: CheckMode,
    /// The account that enters the answers (none for a check through a single-use link).
    pub entered_by_user_id: Option<&'a str>,
    pub link_id: Option<&'a str>,
}

/// Starts a draft with no answers; returns its id.
pub async fn start(conn: &mut Conn, new: &NewCheck<'_>, now: Millis) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO screening_checks (id, network_id, instrument, instrument_version, answers, \
           status, mode, entered_by_user_id, link_id, started_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(new.network_id)
    .bind(&new.instrument.id)
    .bind(&new.instrument.version)
    .bind(encode_answers(&vec![None; new.instrument.items.len()]))
    .bind(new.mode.as_str())
    .bind(new.entered_by_user_id)
    .bind(new.link_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// One check of the network.
pub async fn check(conn: &mut Conn, network_id: &str, check_id: &str) -> Result<Option<Check>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.id = $1 AND c.network_id = $2"
    )))
    .bind(check_id)
    .bind(network_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(from_row))
}

/// Saves the answers of a draft (a complete check is never changed); false when the check is
/// not a draft of this network.
pub async fn save_answers(
    conn: &mut Conn,
    network_id: &str,
    check_id: &str,
    answers: &[Option<String>],
    now: Millis,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE screening_checks SET answers = $3, updated_at = $4 \
         WHERE id = $1 AND network_id = $2 AND status = 'draft'",
    )
    .bind(check_id)
    .bind(network_id)
    .bind(encode_answers(answers))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Why a check was not completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCompleted {
    /// Not every question is answered: the numbers (1-based) of those still open.
    Incomplete(Vec<usize>),
    /// A stored answer is not an option of the instrument (its definition changed).
    UnknownAnswer(usize),
    /// The check was filled in with another version of the instrument: it cannot be scored
    /// against this one.
    OtherVersion,
    /// No such draft: completed already, or not a check of this network.
    NotADraft,
}

/// Completes a draft: scores its stored answers with `instrument`, stores the score and the
/// moment, in the caller's transaction. Refuses (and changes nothing) when the check is not
/// complete. Returns the score.
pub async fn complete(
    conn: &mut Conn,
    network_id: &str,
    check_id: &str,
    instrument: &Instrument,
    now: Millis,
) -> Result<std::result::Result<u32, NotCompleted>> {
    let Some(check) = check(conn, network_id, check_id).await? else {
        return Ok(Err(NotCompleted::NotADraft));
    };
    if check.is_complete() || check.instrument != instrument.id {
        return Ok(Err(NotCompleted::NotADraft));
    }
    if check.instrument_version != instrument.version {
        return Ok(Err(NotCompleted::OtherVersion));
    }
    let answers = check.answers_for(instrument.items.len());
    let score = match instrument.score(&answers) {
        Ok(score) => score,
        Err(ScoreError::Incomplete { .. }) => {
            let open = answers
                .iter()
                .enumerate()
                .filter(|(_, a)| a.is_none())
                .map(|(n, _)| n + 1)
                .collect();
            return Ok(Err(NotCompleted::Incomplete(open)));
        }
        Err(ScoreError::UnknownAnswer { item }) => {
            return Ok(Err(NotCompleted::UnknownAnswer(item)));
        }
        // decode_answers gives exactly one answer per item.
        Err(ScoreError::WrongLength { .. }) => return Ok(Err(NotCompleted::OtherVersion)),
    };
    // Only a draft becomes complete, once: a second completion (another tab, a double click)
    // finds no draft and changes nothing.
    let done = sqlx::query(
        "UPDATE screening_checks SET status = 'complete', score = $3, completed_at = $4, \
           updated_at = $4 \
         WHERE id = $1 AND network_id = $2 AND status = 'draft'",
    )
    .bind(check_id)
    .bind(network_id)
    .bind(score as i64)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(Err(NotCompleted::NotADraft));
    }
    Ok(Ok(score))
}

/// The complete checks of one instrument in a network, oldest first (by completion, then id).
pub async fn history(conn: &mut Conn, network_id: &str, instrument: &str) -> Result<Vec<Check>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.network_id = $1 AND c.instrument = $2 AND c.status = 'complete' \
         ORDER BY c.completed_at, c.id"
    )))
    .bind(network_id)
    .bind(instrument)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The latest complete check per instrument and the one before it (for the trend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub latest: Check,
    pub previous: Option<Check>,
    /// How many complete checks of this instrument there are.
    pub count: usize,
}

/// Per instrument id: the latest complete check, the one before it and how many there are.
pub async fn latest(conn: &mut Conn, network_id: &str) -> Result<BTreeMap<String, Latest>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.network_id = $1 AND c.status = 'complete' \
         ORDER BY c.completed_at DESC, c.id DESC"
    )))
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: BTreeMap<String, Latest> = BTreeMap::new();
    for check in rows.into_iter().map(from_row) {
        match out.get_mut(&check.instrument) {
            None => {
                out.insert(
                    check.instrument.clone(),
                    Latest {
                        latest: check,
                        previous: None,
                        count: 1,
                    },
                );
            }
            Some(entry) => {
                entry.count += 1;
                if entry.previous.is_none() {
                    entry.previous = Some(check);
                }
            }
        }
    }
    Ok(out)
}

/// The drafts of a network, newest first: checks saved half-way that can be continued.
pub async fn drafts(conn: &mut Conn, network_id: &str) -> Result<Vec<Check>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.network_id = $1 AND c.status = 'draft' \
         ORDER BY c.updated_at DESC, c.id DESC"
    )))
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// The check started through a single-use link, if any.
pub async fn of_link(conn: &mut Conn, link_id: &str) -> Result<Option<Check>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.link_id = $1 ORDER BY c.started_at, c.id LIMIT 1"
    )))
    .bind(link_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(from_row))
}
