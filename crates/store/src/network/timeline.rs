//! The kring's timeline: messages to the whole network (`to_all`) or to chosen members, and
//! questions assigned to a member with an answer-by date, answered once. Who sees what:
//! the caregiver and a member acting for them see every message; any other member sees messages
//! to everyone, to them, or written by them ([`Viewer`]). Also the e-mail side: which members hear
//! of a message at once, and which are due their daily digest with which messages.
//!
//! Only active members whose consent stands and who were granted the Messages category can be
//! addressed, assigned a question or notified.

use super::members::By;
use crate::{Conn, Result, Store, new_id};
use mantelkring_core::network::NotifyMode;
use mantelkring_core::network::agenda::{DEFAULT_ANSWER_DAYS, Day, is_overdue};

/// Messages per page of the timeline.
pub const PAGE_SIZE: usize = 20;

/// At most this many messages in one digest e-mail; the rest are on the timeline.
pub const DIGEST_MAX: usize = 100;

/// A message or a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Message,
    Question,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Message => "message",
            Kind::Question => "question",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "message" => Some(Kind::Message),
            "question" => Some(Kind::Question),
            _ => None,
        }
    }
}

/// Who looks at the timeline: their account, their membership (`None` for the caregiver), and
/// whether they see every message (the caregiver, or a member acting for the caregiver).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub member_id: Option<String>,
    pub sees_all: bool,
}

/// An unanswered question, as the overview and the regiehouder's page list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub body: String,
    /// The name of whoever asked.
    pub asked_by: String,
    pub assigned_member_id: Option<String>,
    /// The name of the member the question is assigned to.
    pub assigned_to: Option<String>,
    pub answer_by: Option<Day>,
    pub created_at: i64,
}

/// To whom a message goes.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    /// The whole network.
    All,
    /// These members (ids of active members with the Messages category; checked by the caller).
    Members(&'a [String]),
}

/// A message or question to post.
#[derive(Debug, Clone, Copy)]
pub struct NewPost<'a> {
    pub network_id: &'a str,
    pub by: By<'a>,
    pub kind: Kind,
    /// Checked text (see `core::network::multi_line`).
    pub body: &'a str,
    pub audience: Audience<'a>,
    /// Questions only: the member asked to answer (also made a recipient when the question does
    /// not go to everyone).
    pub assigned_member_id: Option<&'a str>,
    /// Questions only: answer by this date; `None` gives today + `DEFAULT_ANSWER_DAYS`.
    pub answer_by: Option<Day>,
    pub now: i64,
}

/// One message on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    pub body: String,
    pub author_user_id: String,
    pub author: String,
    /// Written by a member for the caregiver ("namens de mantelzorger").
    pub on_behalf: bool,
    pub to_all: bool,
    /// The names of the chosen recipients (empty when `to_all`), by name.
    pub recipients: Vec<String>,
    pub assigned_member_id: Option<String>,
    pub assigned_to: Option<String>,
    pub answer_by: Option<Day>,
    pub answered_at: Option<i64>,
    pub answered_by: Option<String>,
    pub answer: Option<String>,
    pub created_at: i64,
}

impl Entry {
    /// An unanswered question whose answer-by date has passed on `today`.
    pub fn is_overdue(&self, today: Day) -> bool {
        self.kind == Kind::Question
            && self
                .answer_by
                .is_some_and(|by| is_overdue(by, self.answered_at.is_some(), today))
    }

    /// Whether `viewer` (who sees this message) may answer this question: it is still open, and
    /// they are the member it is assigned to, the one who asked, or they speak for the caregiver.
    /// A question assigned to nobody is for everyone it went to, so any member who sees it may
    /// answer it too.
    pub fn may_answer(&self, viewer: &Viewer) -> bool {
        let member = viewer.member_id.as_deref();
        self.kind == Kind::Question
            && self.answered_at.is_none()
            && (viewer.sees_all
                || self.author_user_id == viewer.user_id
                || (member.is_some()
                    && (self.assigned_member_id.is_none()
                        || self.assigned_member_id.as_deref() == member)))
    }

    /// Whether the question is assigned to `viewer`.
    pub fn is_assigned_to(&self, viewer: &Viewer) -> bool {
        viewer.member_id.is_some() && self.assigned_member_id == viewer.member_id
    }
}

/// Where a page of the timeline starts: below this message (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    /// `<created_at>_<id>`, as in `?before=` (ids are UUIDs: hex digits and dashes).
    pub fn parse(s: &str) -> Option<Cursor> {
        let (at, id) = s.trim().split_once('_')?;
        let created_at: i64 = at.parse().ok().filter(|n| *n >= 0)?;
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        ok.then(|| Cursor {
            created_at,
            id: id.to_string(),
        })
    }

    pub fn param(&self) -> String {
        format!("{}_{}", self.created_at, self.id)
    }
}

/// One page of the timeline and where the next (older) page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelinePage {
    pub entries: Vec<Entry>,
    pub next: Option<Cursor>,
}

/// An active member with the Messages category: someone a message can go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub member_id: String,
    pub user_id: String,
    pub name: String,
}

/// A member to e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub member_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// A member due a digest: something new for them since `since`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestDue {
    pub member_id: String,
    pub network_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub acts_for_caregiver: bool,
    /// Messages after this moment are new for them (their last digest, or when they joined).
    pub since: i64,
    pub caregiver_name: String,
}

impl DigestDue {
    /// The member as a viewer of the timeline.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.user_id.clone(),
            member_id: Some(self.member_id.clone()),
            sees_all: self.acts_for_caregiver,
        }
    }
}

/// An active member whose consent stands and who sees messages (`m` joined with consents `c`).
const MEMBER_WITH_MESSAGES: &str = "m.status = 'active' AND m.removed_at IS NULL \
     AND c.withdrawn_at IS NULL AND (',' || m.categories || ',') LIKE '%,messages,%'";

/// Messages (`msg`) the viewer may see: $1 network, $2 sees all (0/1), $3 user, $4 member.
const VISIBLE: &str = "msg.network_id = $1 AND ($2 = 1 OR msg.to_all = 1 \
     OR msg.author_user_id = $3 OR EXISTS (SELECT 1 FROM network_message_recipients r \
         WHERE r.message_id = msg.id AND r.member_id = $4))";

const ENTRY_COLUMNS: &str = "SELECT msg.id, msg.kind, msg.body, msg.author_user_id, \
         au.display_name, msg.on_behalf, msg.to_all, msg.assigned_member_id, asu.display_name, \
         msg.answer_by, msg.answered_at, anu.display_name, msg.answer, msg.created_at \
     FROM network_messages msg JOIN users au ON au.id = msg.author_user_id \
     LEFT JOIN network_members am ON am.id = msg.assigned_member_id \
     LEFT JOIN users asu ON asu.id = am.user_id \
     LEFT JOIN users anu ON anu.id = msg.answered_by_user_id";

type EntryRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
);

fn entry_of(
    (
        id,
        kind,
        body,
        author_user_id,
        author,
        on_behalf,
        to_all,
        assigned_member_id,
        assigned_to,
        answer_by,
        answered_at,
        answered_by,
        answer,
        created_at,
    ): EntryRow,
) -> Entry {
    Entry {
        id,
        kind: Kind::parse(&kind).unwrap_or(Kind::Message),
        body,
        author_user_id,
        author,
        on_behalf: on_behalf != 0,
        to_all: to_all != 0,
        recipients: Vec::new(),
        assigned_member_id,
        assigned_to,
        answer_by: answer_by.as_deref().and_then(Day::parse),
        answered_at,
        answered_by,
        answer,
        created_at,
    }
}

/// The active members with the Messages category, by name: whom a message can go to and a
/// question can be assigned to.
pub async fn addressable(conn: &mut Conn, network_id: &str) -> Result<Vec<Addressee>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.user_id, u.display_name FROM network_members m \
         JOIN consents c ON c.id = m.consent_id JOIN users u ON u.id = m.user_id \
         WHERE m.network_id = $1 AND {MEMBER_WITH_MESSAGES} ORDER BY u.display_name, m.id"
    )))
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(member_id, user_id, name)| Addressee {
            member_id,
            user_id,
            name,
        })
        .collect())
}

/// Posts a message or question; returns its id. Recipients are written once each.
pub async fn post(conn: &mut Conn, p: &NewPost<'_>) -> Result<String> {
    let id = new_id();
    let (assigned, answer_by) = match p.kind {
        Kind::Message => (None, None),
        Kind::Question => (
            p.assigned_member_id,
            Some(
                p.answer_by
                    .unwrap_or_else(|| Day::local(p.now).plus(DEFAULT_ANSWER_DAYS)),
            ),
        ),
    };
    let to_all = matches!(p.audience, Audience::All);
    sqlx::query(
        "INSERT INTO network_messages (id, network_id, author_user_id, kind, body, to_all, \
             assigned_member_id, answer_by, on_behalf, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(p.network_id)
    .bind(p.by.user_id)
    .bind(p.kind.as_str())
    .bind(p.body)
    .bind(i64::from(to_all))
    .bind(assigned)
    .bind(answer_by.map(Day::iso))
    .bind(i64::from(p.by.on_behalf))
    .bind(p.now)
    .execute(&mut *conn)
    .await?;
    if let Audience::Members(members) = p.audience {
        let mut recipients: Vec<&str> = members.iter().map(String::as_str).collect();
        recipients.extend(assigned);
        recipients.sort_unstable();
        recipients.dedup();
        for member_id in recipients {
            sqlx::query(
                "INSERT INTO network_message_recipients (message_id, member_id) VALUES ($1, $2)",
            )
            .bind(&id)
            .bind(member_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(id)
}

/// Fills in the recipients' names of the entries that do not go to everyone.
async fn with_recipients(conn: &mut Conn, entries: &mut [Entry]) -> Result<()> {
    let ids: Vec<&str> = entries
        .iter()
        .filter(|e| !e.to_all)
        .map(|e| e.id.as_str())
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT r.message_id, u.display_name FROM network_message_recipients r \
         JOIN network_members m ON m.id = r.member_id JOIN users u ON u.id = m.user_id \
         WHERE r.message_id IN ({}) ORDER BY u.display_name, m.id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(conn).await?;
    for (message_id, name) in rows {
        if let Some(e) = entries.iter_mut().find(|e| e.id == message_id) {
            e.recipients.push(name);
        }
    }
    Ok(())
}

/// One page of the timeline as `viewer` may see it, newest first, starting below `before`.
pub async fn timeline(
    conn: &mut Conn,
    network_id: &str,
    viewer: &Viewer,
    before: Option<&Cursor>,
) -> Result<TimelinePage> {
    // A row-value comparison, not `created_at < $5 OR (created_at = $5 AND id < $6)`: the same
    // rows, but PostgreSQL's generic plan for the OR form (used after five runs of the prepared
    // statement, estimated for a network of average size) fetched every older message of the
    // network and sorted them; this form walks the timeline index from the cursor down and
    // stops after one page (bench-kring, 5,000 messages: page 2 took 17.6 ms at p50, now 2.2).
    let after_cursor = if before.is_some() {
        " AND (msg.created_at, msg.id) < ($5, $6)"
    } else {
        ""
    };
    let sql = format!(
        "{ENTRY_COLUMNS} WHERE {VISIBLE}{after_cursor} \
         ORDER BY msg.created_at DESC, msg.id DESC LIMIT {}",
        PAGE_SIZE + 1
    );
    let mut query = sqlx::query_as::<_, EntryRow>(sqlx::AssertSqlSafe(sql))
        .bind(network_id)
        .bind(i64::from(viewer.sees_all))
        .bind(&viewer.user_id)
        .bind(viewer.member_id.as_deref());
    if let Some(c) = before {
        query = query.bind(c.created_at).bind(&c.id);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut entries: Vec<Entry> = rows.into_iter().map(entry_of).collect();
    let next = if entries.len() > PAGE_SIZE {
        entries.truncate(PAGE_SIZE);
        entries.last().map(|e| Cursor {
            created_at: e.created_at,
            id: e.id.clone(),
        })
    } else {
        None
    };
    with_recipients(conn, &mut entries).await?;
    Ok(TimelinePage { entries, next })
}

/// One message, if `viewer` may see it.
pub async fn entry(
    conn: &mut Conn,
    network_id: &str,
    viewer: &Viewer,
    message_id: &str,
) -> Result<Option<Entry>> {
    let row: Option<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_COLUMNS} WHERE {VISIBLE} AND msg.id = $5"
    )))
    .bind(network_id)
    .bind(i64::from(viewer.sees_all))
    .bind(&viewer.user_id)
    .bind(viewer.member_id.as_deref())
    .bind(message_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut entries = [entry_of(row)];
    with_recipients(conn, &mut entries).await?;
    let [entry] = entries;
    Ok(Some(entry))
}

/// The unanswered questions `viewer` may see, the earliest answer-by date first (then the
/// oldest question).
pub async fn open_questions(
    conn: &mut Conn,
    network_id: &str,
    viewer: &Viewer,
) -> Result<Vec<Question>> {
    /// (id, body, asked by, assigned member, their name, answer-by date, created at)
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT msg.id, msg.body, au.display_name, msg.assigned_member_id, asu.display_name, \
                msg.answer_by, msg.created_at \
         FROM network_messages msg JOIN users au ON au.id = msg.author_user_id \
         LEFT JOIN network_members am ON am.id = msg.assigned_member_id \
         LEFT JOIN users asu ON asu.id = am.user_id \
         WHERE {VISIBLE} AND msg.kind = 'question' AND msg.answered_at IS NULL \
         ORDER BY msg.answer_by IS NULL, msg.answer_by, msg.created_at, msg.id"
    )))
    .bind(network_id)
    .bind(i64::from(viewer.sees_all))
    .bind(&viewer.user_id)
    .bind(viewer.member_id.as_deref())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, body, asked_by, assigned_member_id, assigned_to, answer_by, created_at)| {
                Question {
                    id,
                    body,
                    asked_by,
                    assigned_member_id,
                    assigned_to,
                    answer_by: answer_by.as_deref().and_then(Day::parse),
                    created_at,
                }
            },
        )
        .collect())
}

/// Answers an open question of this network; `false` when there is no such open question (not a
/// question, another network's, or answered already). Who may answer is the caller's check
/// ([`Entry::may_answer`]).
pub async fn answer(
    conn: &mut Conn,
    network_id: &str,
    message_id: &str,
    by_user_id: &str,
    text: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_messages SET answered_at = $4, answered_by_user_id = $3, answer = $5 \
         WHERE id = $1 AND network_id = $2 AND kind = 'question' AND answered_at IS NULL",
    )
    .bind(message_id)
    .bind(network_id)
    .bind(by_user_id)
    .bind(now)
    .bind(text)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A member's notification choice (`None` when they are not an active member of this network).
pub async fn notify_mode(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
) -> Result<Option<NotifyMode>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT notify FROM network_members WHERE id = $1 AND network_id = $2 AND status = 'active'",
    )
    .bind(member_id)
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(n,)| NotifyMode::parse(&n).unwrap_or(NotifyMode::Digest)))
}

/// A member chooses how they hear of new messages. Switching to the digest starts it at `now`,
/// so messages from before (already e-mailed one by one, or not wanted) are not sent again.
/// `false` when they are not an active member of this network.
pub async fn choose_notify(
    conn: &mut Conn,
    network_id: &str,
    member_id: &str,
    mode: NotifyMode,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_members SET \
             digest_sent_until = CASE WHEN notify <> $3 AND $3 = 'digest' THEN $4 \
                                      ELSE digest_sent_until END, \
             notify = $3 \
         WHERE id = $1 AND network_id = $2 AND status = 'active'",
    )
    .bind(member_id)
    .bind(network_id)
    .bind(mode.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The members to e-mail at once about message `message_id`: active members with the Messages
/// category who chose `immediate`, may see the message, and did not write it, with an account
/// that is not disabled.
pub async fn immediate_recipients(conn: &mut Conn, message_id: &str) -> Result<Vec<Notify>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.user_id, u.display_name, u.email FROM network_messages msg \
         JOIN network_members m ON m.network_id = msg.network_id \
         JOIN consents c ON c.id = m.consent_id JOIN users u ON u.id = m.user_id \
         WHERE msg.id = $1 AND {MEMBER_WITH_MESSAGES} AND m.notify = 'immediate' \
           AND m.user_id <> msg.author_user_id AND u.disabled_at IS NULL AND u.email <> '' \
           AND (msg.to_all = 1 OR m.acts_for_caregiver = 1 OR EXISTS ( \
                SELECT 1 FROM network_message_recipients r \
                WHERE r.message_id = msg.id AND r.member_id = m.id)) \
         ORDER BY u.display_name, m.id"
    )))
    .bind(message_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(member_id, user_id, name, email)| Notify {
            member_id,
            user_id,
            name,
            email,
        })
        .collect())
}

/// The members who chose the daily digest and have a message they may see, not written by them,
/// after their last digest (or after they joined) and at or before `until`. One line per
/// membership, so a member of two networks is due twice.
pub async fn digests_due(conn: &mut Conn, until: i64) -> Result<Vec<DigestDue>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        i64,
        i64,
        String,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.id, m.network_id, m.user_id, u.display_name, u.email, m.acts_for_caregiver, \
                COALESCE(m.digest_sent_until, m.joined_at), p.given_name, p.family_name \
         FROM network_members m JOIN consents c ON c.id = m.consent_id \
         JOIN users u ON u.id = m.user_id \
         JOIN networks n ON n.id = m.network_id JOIN people p ON p.id = n.caregiver_person_id \
         WHERE {MEMBER_WITH_MESSAGES} AND m.notify = 'digest' \
           AND u.disabled_at IS NULL AND u.email <> '' \
           AND EXISTS (SELECT 1 FROM network_messages msg \
                WHERE msg.network_id = m.network_id \
                  AND msg.created_at > COALESCE(m.digest_sent_until, m.joined_at) \
                  AND msg.created_at <= $1 AND msg.author_user_id <> m.user_id \
                  AND (msg.to_all = 1 OR m.acts_for_caregiver = 1 OR EXISTS ( \
                       SELECT 1 FROM network_message_recipients r \
                       WHERE r.message_id = msg.id AND r.member_id = m.id))) \
         ORDER BY m.network_id, m.id"
    )))
    .bind(until)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(member_id, network_id, user_id, name, email, acts, since, given, family)| DigestDue {
                member_id,
                network_id,
                user_id,
                name,
                email,
                acts_for_caregiver: acts != 0,
                since,
                caregiver_name: super::full_name(&given, &family),
            },
        )
        .collect())
}

/// The messages of one digest: those `due.viewer()` may see in `(due.since, until]`, not
/// written by them, oldest first, at most `DIGEST_MAX + 1` (so the caller knows there are more).
pub async fn digest_messages(conn: &mut Conn, due: &DigestDue, until: i64) -> Result<Vec<Entry>> {
    let viewer = due.viewer();
    let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ENTRY_COLUMNS} WHERE {VISIBLE} AND msg.created_at > $5 AND msg.created_at <= $6 \
           AND msg.author_user_id <> $3 \
         ORDER BY msg.created_at, msg.id LIMIT {}",
        DIGEST_MAX + 1
    )))
    .bind(&due.network_id)
    .bind(i64::from(viewer.sees_all))
    .bind(&viewer.user_id)
    .bind(viewer.member_id.as_deref())
    .bind(due.since)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    let mut entries: Vec<Entry> = rows.into_iter().map(entry_of).collect();
    with_recipients(conn, &mut entries).await?;
    Ok(entries)
}

/// Records that the member's digest covers everything up to `until` (never moves back).
/// `false` when it already did: then another run got there first (on PostgreSQL a second
/// node's update waits for the first one's commit and then finds nothing to change), so the
/// caller sends nothing.
pub async fn mark_digest_sent(conn: &mut Conn, member_id: &str, until: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE network_members SET digest_sent_until = $2 \
         WHERE id = $1 AND (digest_sent_until IS NULL OR digest_sent_until < $2)",
    )
    .bind(member_id)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Queues a job of `kind` to run at `run_at` unless one is already queued or running, in one
/// transaction (the daily digest is queued for the next morning this way). Returns the new
/// job's id. It belongs next to `jobs::enqueue_unless_pending`, which has no `run_at`.
pub async fn enqueue_unless_pending_at(
    store: &Store,
    kind: &str,
    payload: &impl serde::Serialize,
    max_attempts: u32,
    run_at: i64,
) -> Result<Option<i64>> {
    let mut tx = store.begin_write().await?;
    let (pending,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status IN ('queued', 'running')",
    )
    .bind(kind)
    .fetch_one(&mut *tx)
    .await?;
    if pending > 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let id = crate::jobs::enqueue(&mut tx, kind, payload, max_attempts).await?;
    sqlx::query("UPDATE jobs SET run_at = $2 WHERE id = $1")
        .bind(id)
        .bind(run_at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor::parse("1732450000000_0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b").unwrap();
        assert_eq!(c.created_at, 1_732_450_000_000);
        assert_eq!(Cursor::parse(&c.param()), Some(c));
        for bad in [
            "",
            "abc",
            "12_",
            "_abc",
            "-5_abc",
            "12_abc'--",
            "12_a b",
            "x_abc",
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }

    fn question() -> Entry {
        Entry {
            id: "q".into(),
            kind: Kind::Question,
            body: "Wie rijdt dinsdag?".into(),
            author_user_id: "ria".into(),
            author: "Ria".into(),
            on_behalf: false,
            to_all: true,
            recipients: vec![],
            assigned_member_id: Some("m-sanne".into()),
            assigned_to: Some("Sanne".into()),
            answer_by: Day::parse("2026-11-24"),
            answered_at: None,
            answered_by: None,
            answer: None,
            created_at: 0,
        }
    }

    #[test]
    fn who_may_answer_a_question() {
        let q = question();
        let viewer = |user: &str, member: Option<&str>, all: bool| Viewer {
            user_id: user.into(),
            member_id: member.map(str::to_string),
            sees_all: all,
        };
        assert!(q.may_answer(&viewer("sanne", Some("m-sanne"), false)));
        assert!(q.may_answer(&viewer("ria", None, true)));
        assert!(q.may_answer(&viewer("joost", Some("m-joost"), true)));
        assert!(!q.may_answer(&viewer("marieke", Some("m-marieke"), false)));
        assert!(q.is_assigned_to(&viewer("sanne", Some("m-sanne"), false)));
        assert!(!q.is_assigned_to(&viewer("ria", None, true)));
        let mut for_anyone = q.clone();
        for_anyone.assigned_member_id = None;
        assert!(for_anyone.may_answer(&viewer("marieke", Some("m-marieke"), false)));
        assert!(!for_anyone.is_assigned_to(&viewer("ria", None, true)));
        let mut asked_by_member = q.clone();
        asked_by_member.author_user_id = "marieke".into();
        assert!(asked_by_member.may_answer(&viewer("marieke", Some("m-marieke"), false)));
        let mut answered = q.clone();
        answered.answered_at = Some(1);
        assert!(!answered.may_answer(&viewer("ria", None, true)));
        let mut message = q;
        message.kind = Kind::Message;
        assert!(!message.may_answer(&viewer("ria", None, true)));
    }

    #[test]
    fn overdue_after_the_answer_by_date() {
        let q = question();
        let by = Day::parse("2026-11-24").unwrap();
        assert!(!q.is_overdue(by));
        assert!(q.is_overdue(by.plus(1)));
        let mut answered = q;
        answered.answered_at = Some(1);
        assert!(!answered.is_overdue(by.plus(1)));
    }
}
