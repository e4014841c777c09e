//! Proactive contact (migration 0010, and 0011 for the reminders): a contact plan per caregiver's
//! network (every N days, by whom: a professional or volunteer of the network who sees checks
//! and signals), the contact log (phone, home visit, voortuingesprek, online, no answer, with a
//! short note and the "het gaat niet meer" flag), help-request markers made from a contact (the
//! help-request capability turns them into requests), and the call list of one caller.
//!
//! The call list is one set-based query over the caller's plans (the last contact and the last
//! time the caregiver was reached come from correlated subqueries on the index
//! `contacts(network_id, happened_at)`), so its cost does not grow with a query per caregiver.
//! Whether the caller still may see a caregiver, and their phone number, is asked of the access
//! policy (`core::access::may`) per row.

use crate::{Conn, Result, new_id};
use mantelkring_core::access::{
    Action, Actor, DataCategory, Decision, Purpose, Relationship, Resource, may,
};
use mantelkring_core::network::MemberKind;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::screening::{CallerKind, ContactKind, next_contact_due};
use mantelkring_core::time::Millis;

/// How many contacts the log shows at most (newest first).
pub const LOG_LIMIT: i64 = 100;

/// The kind of caller a member can be, from their kind of membership: professionals and case
/// managers call as professionals, volunteers as volunteers; the caregiver's own network
/// (family, friends, neighbours) keeps no contact plan.
pub fn caller_kind(member: MemberKind) -> Option<CallerKind> {
    match member {
        MemberKind::Professional | MemberKind::CaseManager => Some(CallerKind::Professional),
        MemberKind::Volunteer => Some(CallerKind::Volunteer),
        MemberKind::Own => None,
    }
}

/// A network's contact plan (also an ended one, until a new one is made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub network_id: String,
    pub every_days: u32,
    pub caller_user_id: String,
    pub caller_name: String,
    pub caller_kind: CallerKind,
    pub starts_on: Day,
    pub updated_by: String,
    pub updated_at: Millis,
    pub ended_at: Option<Millis>,
}

impl Plan {
    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }
}

type PlanRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
);

/// The plan of a network, if one was ever made.
pub async fn plan(conn: &mut Conn, network_id: &str) -> Result<Option<Plan>> {
    let row: Option<PlanRow> = sqlx::query_as(
        "SELECT p.network_id, p.every_days, p.caller_user_id, cu.display_name, p.caller_kind, \
                p.starts_on, bu.display_name, p.updated_at, p.ended_at \
         FROM contact_plans p JOIN users cu ON cu.id = p.caller_user_id \
         JOIN users bu ON bu.id = p.updated_by_user_id WHERE p.network_id = $1",
    )
    .bind(network_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(
            network_id,
            every_days,
            caller_user_id,
            caller_name,
            kind,
            starts_on,
            updated_by,
            updated_at,
            ended_at,
        )| Plan {
            network_id,
            every_days: every_days.clamp(1, u32::MAX as i64) as u32,
            caller_user_id,
            caller_name,
            caller_kind: CallerKind::parse(&kind).unwrap_or(CallerKind::Professional),
            starts_on: Day::parse(&starts_on).unwrap_or(Day(0)),
            updated_by,
            updated_at,
            ended_at,
        },
    ))
}

/// A plan to save (checked by the caller: a frequency on offer, a caller from [`callers`]).
#[derive(Debug, Clone, Copy)]
pub struct NewPlan<'a> {
    pub network_id: &'a str,
    pub every_days: u32,
    pub caller_user_id: &'a str,
    pub caller_kind: CallerKind,
    pub starts_on: Day,
    pub by_user_id: &'a str,
    pub now: Millis,
}

/// Makes or changes the network's plan (an ended plan starts again).
pub async fn save_plan(conn: &mut Conn, p: &NewPlan<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO contact_plans (network_id, every_days, caller_user_id, caller_kind, starts_on, \
             updated_by_user_id, updated_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL) \
         ON CONFLICT (network_id) DO UPDATE SET every_days = excluded.every_days, \
             caller_user_id = excluded.caller_user_id, caller_kind = excluded.caller_kind, \
             starts_on = excluded.starts_on, updated_by_user_id = excluded.updated_by_user_id, \
             updated_at = excluded.updated_at, ended_at = NULL",
    )
    .bind(p.network_id)
    .bind(i64::from(p.every_days))
    .bind(p.caller_user_id)
    .bind(p.caller_kind.as_str())
    .bind(p.starts_on.iso())
    .bind(p.by_user_id)
    .bind(p.now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the network's plan; `false` when there was no active plan.
pub async fn end_plan(
    conn: &mut Conn,
    network_id: &str,
    by_user_id: &str,
    now: Millis,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE contact_plans SET ended_at = $2, updated_by_user_id = $3, updated_at = $2 \
         WHERE network_id = $1 AND ended_at IS NULL",
    )
    .bind(network_id)
    .bind(now)
    .bind(by_user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A member who can keep the contact plan: active, consent standing, sees checks and signals,
/// and a professional, case manager or volunteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub member_id: String,
    pub user_id: String,
    pub name: String,
    pub kind: CallerKind,
}

/// The network's possible callers, by name.
pub async fn callers(conn: &mut Conn, network_id: &str) -> Result<Vec<Caller>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT m.id, m.user_id, u.display_name, m.kind FROM network_members m \
         JOIN consents c ON c.id = m.consent_id JOIN users u ON u.id = m.user_id \
         WHERE m.network_id = $1 AND m.status = 'active' AND m.removed_at IS NULL \
           AND c.withdrawn_at IS NULL AND u.disabled_at IS NULL \
           AND (',' || m.categories || ',') LIKE '%,checks,%' \
         ORDER BY u.display_name, m.id",
    )
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(member_id, user_id, name, kind)| {
            let kind = MemberKind::parse(&kind).and_then(caller_kind)?;
            Some(Caller {
                member_id,
                user_id,
                name,
                kind,
            })
        })
        .collect())
}

/// A contact to log (checked by the caller).
#[derive(Debug, Clone, Copy)]
pub struct NewContact<'a> {
    pub network_id: &'a str,
    pub kind: ContactKind,
    pub happened_at: Millis,
    pub note: &'a str,
    /// The caregiver said "het gaat niet meer".
    pub cannot_cope: bool,
    pub by_user_id: &'a str,
    pub now: Millis,
}

/// Writes a contact to the log; returns its id.
pub async fn log_contact(conn: &mut Conn, c: &NewContact<'_>) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO contacts (id, network_id, kind, happened_at, note, cannot_cope, by_user_id, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(c.network_id)
    .bind(c.kind.as_str())
    .bind(c.happened_at)
    .bind(c.note)
    .bind(i64::from(c.cannot_cope))
    .bind(c.by_user_id)
    .bind(c.now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// One contact in the log, with the help-request markers made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub kind: ContactKind,
    pub happened_at: Millis,
    pub note: String,
    pub cannot_cope: bool,
    pub by: String,
    pub markers: Vec<String>,
}

/// The network's contact log, newest first, at most [`LOG_LIMIT`] entries; and how many
/// contacts there are in all.
pub async fn contacts(conn: &mut Conn, network_id: &str) -> Result<(Vec<Contact>, i64)> {
    let rows: Vec<(String, String, i64, String, i64, String)> = sqlx::query_as(
        "SELECT c.id, c.kind, c.happened_at, c.note, c.cannot_cope, u.display_name \
         FROM contacts c JOIN users u ON u.id = c.by_user_id WHERE c.network_id = $1 \
         ORDER BY c.happened_at DESC, c.id DESC LIMIT $2",
    )
    .bind(network_id)
    .bind(LOG_LIMIT)
    .fetch_all(&mut *conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM contacts WHERE network_id = $1")
        .bind(network_id)
        .fetch_one(&mut *conn)
        .await?;
    let markers: Vec<(String, String)> = sqlx::query_as(
        "SELECT contact_id, what FROM help_request_markers \
         WHERE network_id = $1 AND contact_id IS NOT NULL ORDER BY created_at, id",
    )
    .bind(network_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut log: Vec<Contact> = rows
        .into_iter()
        .map(|(id, kind, happened_at, note, cannot_cope, by)| Contact {
            id,
            kind: ContactKind::parse(&kind).unwrap_or(ContactKind::Phone),
            happened_at,
            note,
            cannot_cope: cannot_cope != 0,
            by,
            markers: Vec::new(),
        })
        .collect();
    for (contact_id, what) in markers {
        if let Some(c) = log.iter_mut().find(|c| c.id == contact_id) {
            c.markers.push(what);
        }
    }
    Ok((log, total))
}

/// When the caregiver was last reached, and when anyone last tried (reached or not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    pub last_reached: Option<Millis>,
    pub last_attempt: Option<Millis>,
}

/// [`Seen`] for one network.
pub async fn seen(conn: &mut Conn, network_id: &str) -> Result<Seen> {
    let (last_reached, last_attempt): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT MAX(happened_at) FROM contacts WHERE network_id = $1 AND kind <> 'no_answer'), \
                (SELECT MAX(happened_at) FROM contacts WHERE network_id = $1)",
    )
    .bind(network_id)
    .fetch_one(conn)
    .await?;
    Ok(Seen {
        last_reached,
        last_attempt,
    })
}

/// The day the next contact is due (`core::screening::next_contact_due`), never before the
/// plan starts: a plan that begins later does not make anyone due now.
pub fn due_day(every_days: u32, starts_on: Day, seen: Seen) -> Day {
    next_contact_due(
        every_days,
        starts_on,
        seen.last_reached.map(Day::local),
        seen.last_attempt.map(Day::local),
    )
    .max(starts_on)
}

/// Marks that the caregiver needs help (from a contact); returns the marker's id.
pub async fn add_marker(
    conn: &mut Conn,
    network_id: &str,
    contact_id: Option<&str>,
    what: &str,
    by_user_id: &str,
    now: Millis,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO help_request_markers (id, network_id, contact_id, what, created_by_user_id, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(network_id)
    .bind(contact_id)
    .bind(what)
    .bind(by_user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The e-mail address of an account that is not disabled (in the caller's transaction).
pub async fn active_email(conn: &mut Conn, user_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT email FROM users WHERE id = $1 AND disabled_at IS NULL")
            .bind(user_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(e,)| e))
}

/// A help-request marker not yet turned into a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub id: String,
    pub what: String,
    pub contact_id: Option<String>,
    pub by: String,
    pub created_at: Millis,
}

/// The network's open markers, oldest first.
pub async fn open_markers(conn: &mut Conn, network_id: &str) -> Result<Vec<Marker>> {
    let rows: Vec<(String, String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT h.id, h.what, h.contact_id, u.display_name, h.created_at \
         FROM help_request_markers h JOIN users u ON u.id = h.created_by_user_id \
         WHERE h.network_id = $1 AND h.handled_at IS NULL ORDER BY h.created_at, h.id",
    )
    .bind(network_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, what, contact_id, by, created_at)| Marker {
            id,
            what,
            contact_id,
            by,
            created_at,
        })
        .collect())
}

/// One caregiver on a caller's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub network_id: String,
    pub caregiver_person_id: String,
    pub caregiver_name: String,
    /// Only when the policy lets the caller see the caregiver's contact details.
    pub phone: Option<String>,
    pub every_days: u32,
    pub due: Day,
    /// The newest entry of the log: how and when.
    pub last: Option<(ContactKind, Millis)>,
    pub last_reached: Option<Millis>,
    /// Why the policy let the caller see this caregiver (for the access record).
    pub purpose: Purpose,
    /// What the caller sees of this caregiver here, as logged (`checks` or `checks,contact`).
    pub categories: &'static str,
}

impl Call {
    /// Days past the due day on `today` (0 when due today or later).
    pub fn days_overdue(&self, today: Day) -> i64 {
        (today.0 - self.due.0).max(0)
    }
}

type CallRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// The plans whose caller is `actor`, as the call list needs them: those due on or before
/// `until`, the most overdue first (then by due day and name). A plan whose caller no longer
/// may see the caregiver's checks (left the network, category taken away, second factor not
/// passed) is left out; the phone number only where the policy allows the contact details.
/// One query, whatever the number of caregivers.
pub async fn call_list(conn: &mut Conn, actor: &Actor, until: Day) -> Result<Vec<Call>> {
    let rows: Vec<CallRow> = sqlx::query_as(
        "SELECT p.network_id, n.caregiver_person_id, pe.given_name, pe.family_name, pe.phone, \
                p.every_days, p.starts_on, m.categories, m.kind, m.acts_for_caregiver, \
                (SELECT MAX(c.happened_at) FROM contacts c \
                   WHERE c.network_id = p.network_id AND c.kind <> 'no_answer'), \
                (SELECT MAX(c.happened_at) FROM contacts c WHERE c.network_id = p.network_id), \
                (SELECT c.kind FROM contacts c WHERE c.network_id = p.network_id \
                   ORDER BY c.happened_at DESC, c.id DESC LIMIT 1) \
         FROM contact_plans p JOIN networks n ON n.id = p.network_id \
         JOIN people pe ON pe.id = n.caregiver_person_id \
         JOIN network_members m ON m.network_id = p.network_id AND m.user_id = p.caller_user_id \
         JOIN consents co ON co.id = m.consent_id \
         WHERE p.caller_user_id = $1 AND p.ended_at IS NULL AND m.status = 'active' \
           AND m.removed_at IS NULL AND co.withdrawn_at IS NULL",
    )
    .bind(&actor.user_id)
    .fetch_all(conn)
    .await?;
    let mut calls: Vec<Call> = Vec::new();
    let mut listed = std::collections::HashSet::new();
    for (
        network_id,
        caregiver_person_id,
        given,
        family,
        phone,
        every_days,
        starts_on,
        categories,
        kind,
        acts,
        last_reached,
        last_attempt,
        last_kind,
    ) in rows
    {
        // One row per plan; a second active membership of the caller would repeat it.
        if !listed.insert(network_id.clone()) {
            continue;
        }
        let relationship = Relationship {
            is_self: false,
            network_member: Some(DataCategory::parse_list(&categories)),
            acts_for_caregiver: acts != 0,
            professional: matches!(
                MemberKind::parse(&kind),
                Some(MemberKind::Professional | MemberKind::CaseManager)
            ),
        };
        let allows = |category| {
            may(
                Some(actor),
                Action::Read,
                &Resource::PersonData {
                    category,
                    relationship: &relationship,
                },
            )
        };
        let Decision::Allow(purpose) = allows(DataCategory::Checks) else {
            continue;
        };
        let every_days = every_days.clamp(1, u32::MAX as i64) as u32;
        let starts_on = Day::parse(&starts_on).unwrap_or(Day(0));
        let due = due_day(
            every_days,
            starts_on,
            Seen {
                last_reached,
                last_attempt,
            },
        );
        if due > until {
            continue;
        }
        let sees_contact = allows(DataCategory::Contact).is_allowed();
        calls.push(Call {
            network_id,
            caregiver_person_id,
            caregiver_name: crate::network::full_name(&given, &family),
            phone: phone.filter(|p| sees_contact && !p.trim().is_empty()),
            every_days,
            due,
            last: last_kind
                .as_deref()
                .and_then(ContactKind::parse)
                .zip(last_attempt),
            last_reached,
            purpose,
            categories: if sees_contact {
                "checks,contact"
            } else {
                "checks"
            },
        });
    }
    calls.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| a.caregiver_name.cmp(&b.caregiver_name))
            .then_with(|| a.network_id.cmp(&b.network_id))
    });
    Ok(calls)
}

/// A caller with contacts due today or earlier, for the daily reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerDue {
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// Caregivers due today or overdue.
    pub due: usize,
}

/// (caller, e-mail, name, every days, starts on, last reached, last attempt)
type DueRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
);

/// Every caller with at least one contact due on or before `today` (only plans whose caller
/// still sees the caregiver's checks), by user id. One query over all active plans.
pub async fn callers_due(conn: &mut Conn, today: Day) -> Result<Vec<CallerDue>> {
    let rows: Vec<DueRow> = sqlx::query_as(
            "SELECT p.caller_user_id, u.email, u.display_name, p.every_days, p.starts_on, \
                    (SELECT MAX(c.happened_at) FROM contacts c \
                       WHERE c.network_id = p.network_id AND c.kind <> 'no_answer'), \
                    (SELECT MAX(c.happened_at) FROM contacts c WHERE c.network_id = p.network_id) \
             FROM contact_plans p JOIN users u ON u.id = p.caller_user_id \
             WHERE p.ended_at IS NULL AND u.disabled_at IS NULL \
               AND EXISTS (SELECT 1 FROM network_members m JOIN consents co ON co.id = m.consent_id \
                   WHERE m.network_id = p.network_id AND m.user_id = p.caller_user_id \
                     AND m.status = 'active' AND m.removed_at IS NULL AND co.withdrawn_at IS NULL \
                     AND (',' || m.categories || ',') LIKE '%,checks,%') \
             ORDER BY p.caller_user_id",
        )
        .fetch_all(conn)
        .await?;
    let mut out: Vec<CallerDue> = Vec::new();
    for (user_id, email, name, every_days, starts_on, last_reached, last_attempt) in rows {
        let due = due_day(
            every_days.clamp(1, u32::MAX as i64) as u32,
            Day::parse(&starts_on).unwrap_or(Day(0)),
            Seen {
                last_reached,
                last_attempt,
            },
        );
        if due > today {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.user_id == user_id => last.due += 1,
            _ => out.push(CallerDue {
                user_id,
                email,
                name,
                due: 1,
            }),
        }
    }
    Ok(out)
}

/// Records that `user_id` had today's reminder; `false` when they already had one today (so a
/// second run on the same day sends nothing twice, also on another node).
pub async fn mark_reminded(
    conn: &mut Conn,
    user_id: &str,
    today: Day,
    now: Millis,
) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "INSERT INTO contact_call_reminders (user_id, sent_on, sent_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET sent_on = excluded.sent_on, sent_at = excluded.sent_at \
         WHERE contact_call_reminders.sent_on < excluded.sent_on RETURNING user_id",
    )
    .bind(user_id)
    .bind(today.iso())
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn only_professionals_case_managers_and_volunteers_keep_a_plan() {
        assert_eq!(
            caller_kind(MemberKind::Professional),
            Some(CallerKind::Professional)
        );
        assert_eq!(
            caller_kind(MemberKind::CaseManager),
            Some(CallerKind::Professional)
        );
        assert_eq!(
            caller_kind(MemberKind::Volunteer),
            Some(CallerKind::Volunteer)
        );
        assert_eq!(caller_kind(MemberKind::Own), None);
    }

    #[test]
    fn a_plan_that_starts_later_is_not_due_before_it_starts() {
        let start = day("2026-06-01");
        let reached = day("2026-05-20").start_ms() + 3_600_000;
        let seen = Seen {
            last_reached: Some(reached),
            last_attempt: Some(reached),
        };
        assert_eq!(due_day(7, start, seen), start);
        assert_eq!(due_day(28, start, seen), day("2026-06-17"));
        assert_eq!(due_day(14, start, Seen::default()), start);
    }
}
