//! AVG (GDPR) rights: everything stored about one person, gathered for download (articles 15 and
//! 20), and erasure on request (article 17), carried out by an administrator.
//!
//! Erasure pseudonymises rather than deletes rows: other records (the audit log, a network's
//! history) point at the person, and NEN 7513 requires the audit log to be kept. Each capability that
//! stores personal data adds its part to [`export`] and [`erase`] when it lands.

use crate::{Conn, Result, network};
use mantelkring_core::time::{Millis, now_ms};
use serde::Serialize;

/// Version of the export format, so a reader can tell what it gets.
pub const EXPORT_FORMAT: &str = "mantelkring-export/1";

#[derive(Debug, Clone, Serialize)]
pub struct PersonalDataExport {
    pub format: &'static str,
    pub exported_at: Millis,
    pub person: Option<PersonPart>,
    pub account: AccountPart,
    pub roles: Vec<RolePart>,
    /// The network around this person as a caregiver: who is in it and what they see.
    pub network_members: Vec<MemberPart>,
    /// Networks of other caregivers this person is a member of.
    pub member_of: Vec<MemberOfPart>,
    pub consents: Vec<network::ConsentLine>,
    /// Who accessed this person's data (organisation and role; never an employee's name).
    pub accessed_by_others: Vec<AccessPart>,
    /// This account's own events: logins, password changes, second factor.
    pub account_events: Vec<AccountEventPart>,
    /// API tokens this account made (never the secret).
    pub api_tokens: Vec<ApiTokenPart>,
    /// Signaleren: this person's burden checks (as a caregiver), with their answers.
    pub checks: Vec<CheckPart>,
    /// Signals raised about this person and how they were followed up.
    pub signals: Vec<SignalPart>,
    /// The contact log: who kept in touch, how, and the note written.
    pub contacts: Vec<ContactPart>,
    /// Hulpvraag en aanbod: help requests of this person's kring, their volunteer profile,
    /// the proposals made to them as a volunteer and the evaluations they wrote.
    pub matching: MatchingPart,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MatchingPart {
    pub help_requests: Vec<HelpRequestPart>,
    pub volunteer_profile: Option<VolunteerProfilePart>,
    pub proposals: Vec<ProposalPart>,
    pub evaluations: Vec<EvaluationPart>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HelpRequestPart {
    pub help_type: String,
    pub description: String,
    pub recurrence: String,
    pub first_on: String,
    pub windows: String,
    pub pc4: String,
    pub status: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct VolunteerProfilePart {
    pub offers: String,
    pub skills: String,
    pub languages: String,
    pub pc4: String,
    pub max_distance_km: f64,
    pub availability: String,
    pub capacity: i64,
    pub has_car: bool,
    pub vog_issued_on: Option<String>,
    pub preferences: String,
    pub status: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProposalPart {
    pub help_type: String,
    pub status: String,
    pub proposed_at: Millis,
    pub responded_at: Option<Millis>,
    pub done_at: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationPart {
    pub side: String,
    pub rating: i64,
    pub note: String,
    pub at: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckPart {
    pub instrument: String,
    pub instrument_version: String,
    pub status: String,
    pub mode: String,
    /// One answer code per question, in order; empty where not answered.
    pub answers: String,
    pub score: Option<i64>,
    pub started_at: Millis,
    pub completed_at: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalPart {
    pub rule: String,
    pub status: String,
    pub detail: String,
    pub note: String,
    pub follow_up_on: Option<String>,
    pub raised_at: Millis,
    pub closed_at: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactPart {
    pub kind: String,
    pub happened_at: Millis,
    pub note: String,
    pub cannot_cope: bool,
    /// The role of who made the contact (never an employee's name).
    pub by_role: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenPart {
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonPart {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    pub municipality: Option<String>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountPart {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub created_at: Millis,
    pub email_verified_at: Option<Millis>,
    pub second_factor_since: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RolePart {
    pub role: String,
    pub organisation: Option<String>,
    pub since: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberPart {
    pub name: String,
    pub organisation: Option<String>,
    pub categories: Vec<String>,
    pub joined_at: Millis,
    pub removed_at: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberOfPart {
    pub caregiver: String,
    pub categories: Vec<String>,
    pub joined_at: Millis,
    pub removed_at: Option<Millis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessPart {
    pub at: Millis,
    pub action: String,
    pub organisation: Option<String>,
    pub role: Option<String>,
    pub data_category: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountEventPart {
    pub at: Millis,
    pub action: String,
    pub outcome: String,
    pub network_address: Option<String>,
}

fn categories(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Everything stored about the user `user_id` and their person record, read in `conn` (the
/// caller's transaction, which also holds the audit record of the export).
pub async fn export(conn: &mut Conn, user_id: &str) -> Result<Option<PersonalDataExport>> {
    type AccountRow = (
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let account: Option<AccountRow> = sqlx::query_as(
        "SELECT id, email, display_name, created_at, email_verified_at, totp_enabled_at, person_id \
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, email, display_name, created_at, verified, totp, person_id)) = account else {
        return Ok(None);
    };
    let person = match &person_id {
        Some(pid) => {
            type PersonRow = (
                String,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                i64,
            );
            let row: Option<PersonRow> = sqlx::query_as(
                "SELECT p.id, p.given_name, p.family_name, p.email, p.phone, p.postcode, m.name, p.created_at \
                 FROM people p LEFT JOIN municipalities m ON m.id = p.municipality_id WHERE p.id = $1",
            )
            .bind(pid)
            .fetch_optional(&mut *conn)
            .await?;
            row.map(
                |(
                    id,
                    given_name,
                    family_name,
                    email,
                    phone,
                    postcode,
                    municipality,
                    created_at,
                )| {
                    PersonPart {
                        id,
                        given_name,
                        family_name,
                        email,
                        phone,
                        postcode,
                        municipality,
                        created_at,
                    }
                },
            )
        }
        None => None,
    };
    let roles: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT role, NULL, created_at FROM personal_roles WHERE user_id = $1 \
         UNION ALL SELECT m.role, o.name, m.created_at FROM memberships m \
         JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = $1 ORDER BY 3",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let pid = person_id.clone().unwrap_or_default();
    type MemberRow = (String, Option<String>, String, i64, Option<i64>);
    let members: Vec<MemberRow> = sqlx::query_as(
        "SELECT u.display_name, o.name, m.categories, m.joined_at, m.removed_at \
         FROM network_members m JOIN networks n ON n.id = m.network_id \
         JOIN users u ON u.id = m.user_id LEFT JOIN organisations o ON o.id = m.organisation_id \
         WHERE n.caregiver_person_id = $1 ORDER BY m.joined_at",
    )
    .bind(&pid)
    .fetch_all(&mut *conn)
    .await?;
    type MemberOfRow = (String, String, String, i64, Option<i64>);
    let member_of: Vec<MemberOfRow> = sqlx::query_as(
        "SELECT p.given_name, p.family_name, m.categories, m.joined_at, m.removed_at \
         FROM network_members m JOIN networks n ON n.id = m.network_id \
         JOIN people p ON p.id = n.caregiver_person_id WHERE m.user_id = $1 ORDER BY m.joined_at",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let consents = network::consents_of(&mut *conn, &pid).await?;
    type AccessRow = (i64, String, Option<String>, Option<String>, Option<String>);
    let accesses_sql = format!(
        "SELECT a.occurred_at, a.action, o.name, a.user_role, a.data_category FROM audit_log a \
         LEFT JOIN organisations o ON o.id = a.organisation_id \
         LEFT JOIN users u ON u.id = a.user_id \
         WHERE a.seq IN {} AND a.outcome = 'success' \
           AND (u.person_id IS NULL OR u.person_id <> $1) ORDER BY a.seq",
        crate::audit::subject_seqs("$1")
    );
    let accesses: Vec<AccessRow> = sqlx::query_as(sqlx::AssertSqlSafe(accesses_sql))
        .bind(&pid)
        .fetch_all(&mut *conn)
        .await?;
    type EventRow = (i64, String, String, Option<String>);
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT occurred_at, action, outcome, network_address FROM audit_log \
         WHERE user_id = $1 AND subject_person_id IS NULL ORDER BY seq",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    type TokenRow = (String, String, i64, Option<i64>, Option<i64>);
    let tokens: Vec<TokenRow> = sqlx::query_as(
        "SELECT name, scopes, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let (checks, signals, contacts) = match &person_id {
        Some(pid) => screening_parts(conn, pid).await?,
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let matching = matching_part(conn, user_id, person_id.as_deref()).await?;
    Ok(Some(PersonalDataExport {
        format: EXPORT_FORMAT,
        exported_at: now_ms(),
        person,
        account: AccountPart {
            id,
            email,
            display_name,
            created_at,
            email_verified_at: verified,
            second_factor_since: totp,
        },
        roles: roles
            .into_iter()
            .map(|(role, organisation, since)| RolePart {
                role,
                organisation,
                since,
            })
            .collect(),
        network_members: members
            .into_iter()
            .map(
                |(name, organisation, list, joined_at, removed_at)| MemberPart {
                    name,
                    organisation,
                    categories: categories(&list),
                    joined_at,
                    removed_at,
                },
            )
            .collect(),
        member_of: member_of
            .into_iter()
            .map(
                |(given, family, list, joined_at, removed_at)| MemberOfPart {
                    caregiver: format!("{given} {family}").trim().to_string(),
                    categories: categories(&list),
                    joined_at,
                    removed_at,
                },
            )
            .collect(),
        consents,
        accessed_by_others: accesses
            .into_iter()
            .map(
                |(at, action, organisation, role, data_category)| AccessPart {
                    at,
                    action,
                    organisation,
                    role,
                    data_category,
                },
            )
            .collect(),
        account_events: events
            .into_iter()
            .map(|(at, action, outcome, network_address)| AccountEventPart {
                at,
                action,
                outcome,
                network_address,
            })
            .collect(),
        api_tokens: tokens
            .into_iter()
            .map(
                |(name, scopes, created_at, last_used_at, revoked_at)| ApiTokenPart {
                    name,
                    scopes: categories(&scopes),
                    created_at,
                    last_used_at,
                    revoked_at,
                },
            )
            .collect(),
        checks,
        signals,
        contacts,
        matching,
    }))
}

/// Hulpvraag en aanbod's part of the download.
async fn matching_part(
    conn: &mut Conn,
    user_id: &str,
    person_id: Option<&str>,
) -> Result<MatchingPart> {
    type RequestRow = (String, String, String, String, String, String, String, i64);
    let requests: Vec<RequestRow> = sqlx::query_as(
        "SELECT help_type, description, recurrence, first_on, windows, pc4, status, created_at \
         FROM help_requests WHERE network_id IN \
           (SELECT id FROM networks WHERE caregiver_person_id = $1) ORDER BY created_at, id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    type ProfileRow = (
        String,
        String,
        String,
        String,
        f64,
        String,
        i64,
        i64,
        Option<String>,
        String,
        String,
        i64,
    );
    let profile: Option<ProfileRow> = sqlx::query_as(
        "SELECT offers, skills, languages, pc4, max_distance_km, availability, capacity, has_car, \
           vog_issued_on, preferences, status, created_at FROM volunteer_profiles WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    type ProposalRow = (String, String, i64, Option<i64>, Option<i64>);
    let proposals: Vec<ProposalRow> = sqlx::query_as(
        "SELECT r.help_type, p.status, p.proposed_at, p.responded_at, p.done_at \
         FROM match_proposals p JOIN help_requests r ON r.id = p.request_id \
         WHERE p.volunteer_user_id = $1 ORDER BY p.proposed_at, p.id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let evaluations: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT side, rating, note, at FROM match_evaluations WHERE by_user_id = $1 \
         ORDER BY at, proposal_id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(MatchingPart {
        help_requests: requests
            .into_iter()
            .map(
                |(
                    help_type,
                    description,
                    recurrence,
                    first_on,
                    windows,
                    pc4,
                    status,
                    created_at,
                )| {
                    HelpRequestPart {
                        help_type,
                        description,
                        recurrence,
                        first_on,
                        windows,
                        pc4,
                        status,
                        created_at,
                    }
                },
            )
            .collect(),
        volunteer_profile: profile.map(
            |(
                offers,
                skills,
                languages,
                pc4,
                max_distance_km,
                availability,
                capacity,
                has_car,
                vog_issued_on,
                preferences,
                status,
                created_at,
            )| VolunteerProfilePart {
                offers,
                skills,
                languages,
                pc4,
                max_distance_km,
                availability,
                capacity,
                has_car: has_car != 0,
                vog_issued_on,
                preferences,
                status,
                created_at,
            },
        ),
        proposals: proposals
            .into_iter()
            .map(
                |(help_type, status, proposed_at, responded_at, done_at)| ProposalPart {
                    help_type,
                    status,
                    proposed_at,
                    responded_at,
                    done_at,
                },
            )
            .collect(),
        evaluations: evaluations
            .into_iter()
            .map(|(side, rating, note, at)| EvaluationPart {
                side,
                rating,
                note,
                at,
            })
            .collect(),
    })
}

type ScreeningParts = (Vec<CheckPart>, Vec<SignalPart>, Vec<ContactPart>);

/// The checks, signals and contacts of the network around `person_id` as a caregiver.
async fn screening_parts(conn: &mut Conn, person_id: &str) -> Result<ScreeningParts> {
    let own = "(SELECT id FROM networks WHERE caregiver_person_id = $1)";
    type CheckRow = (
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        i64,
        Option<i64>,
    );
    let checks: Vec<CheckRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT instrument, instrument_version, status, mode, answers, score, started_at, completed_at \
         FROM screening_checks WHERE network_id IN {own} ORDER BY started_at, id"
    )))
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    type SignalRow = (
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        Option<i64>,
    );
    let signals: Vec<SignalRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT rule, status, detail, note, follow_up_on, raised_at, closed_at \
         FROM signals WHERE network_id IN {own} ORDER BY raised_at, id"
    )))
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    type ContactRow = (String, i64, String, i64, String);
    let contacts: Vec<ContactRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.kind, c.happened_at, c.note, c.cannot_cope, \
           COALESCE((SELECT MIN(m.role) FROM memberships m WHERE m.user_id = c.by_user_id), 'netwerklid') \
         FROM contacts c WHERE c.network_id IN {own} ORDER BY c.happened_at, c.id"
    )))
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok((
        checks
            .into_iter()
            .map(
                |(
                    instrument,
                    instrument_version,
                    status,
                    mode,
                    answers,
                    score,
                    started_at,
                    completed_at,
                )| {
                    CheckPart {
                        instrument,
                        instrument_version,
                        status,
                        mode,
                        answers,
                        score,
                        started_at,
                        completed_at,
                    }
                },
            )
            .collect(),
        signals
            .into_iter()
            .map(
                |(rule, status, detail, note, follow_up_on, raised_at, closed_at)| SignalPart {
                    rule,
                    status,
                    detail,
                    note,
                    follow_up_on,
                    raised_at,
                    closed_at,
                },
            )
            .collect(),
        contacts
            .into_iter()
            .map(
                |(kind, happened_at, note, cannot_cope, by_role)| ContactPart {
                    kind,
                    happened_at,
                    note,
                    cannot_cope: cannot_cope != 0,
                    by_role,
                },
            )
            .collect(),
    ))
}

/// What an erasure did, for the administrator's confirmation and the audit detail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    pub person_id: Option<String>,
    pub sessions_ended: u64,
    pub memberships_ended: u64,
    pub consents_withdrawn: u64,
    pub mails_cancelled: u64,
}

/// The placeholder name an erased person and account get.
pub const ERASED_NAME: &str = "Verwijderd";

/// Erases the user's personal data in `conn` (the caller's transaction): name and contact details
/// are replaced or removed, the account is blocked with its password and second factor removed,
/// sessions and links end, network memberships and consents end, queued e-mails to the address are
/// cancelled, API tokens are revoked. Audit records stay. `None` when there is no such user; erasing twice is harmless.
pub async fn erase(conn: &mut Conn, user_id: &str) -> Result<Option<Erasure>> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT email, person_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((email, person_id)) = row else {
        return Ok(None);
    };
    let now = now_ms();
    let mut done = Erasure {
        person_id: person_id.clone(),
        ..Default::default()
    };
    sqlx::query(
        "UPDATE users SET email = $2, display_name = $3, password_hash = NULL, totp_secret = NULL, \
         totp_enabled_at = NULL, totp_last_step = NULL, disabled_at = COALESCE(disabled_at, $4), \
         erased_at = COALESCE(erased_at, $4) WHERE id = $1",
    )
    .bind(user_id)
    // Unique and undeliverable (.invalid is reserved, RFC 2606), so the address is free again.
    .bind(format!("verwijderd-{user_id}@verwijderd.invalid"))
    .bind(ERASED_NAME)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if !email.ends_with("@verwijderd.invalid") {
        // Queued mails carry the address in their payload (JSON); drop those not yet sent.
        let pattern = format!(
            "%\"to\":\"{}\"%",
            email
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        done.mails_cancelled = sqlx::query(
            "DELETE FROM jobs WHERE status = 'queued' AND kind = 'email' AND payload LIKE $1 ESCAPE '\\'",
        )
        .bind(pattern)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    done.sessions_ended = crate::identity::delete_user_sessions(&mut *conn, user_id).await?;
    for table in [
        "recovery_codes",
        "account_links",
        "personal_roles",
        "memberships",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE user_id = $1"
        )))
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    }
    done.memberships_ended = sqlx::query(
        "UPDATE network_members SET removed_at = $2, status = 'removed' \
         WHERE user_id = $1 AND removed_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // Hulpvraag en aanbod, as a volunteer: the profile goes; a waiting or accepted proposal is
    // withdrawn and its request open again (for the next candidate), with that step in the
    // request's history; notes they wrote are emptied.
    let reopened: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, request_id FROM match_proposals WHERE volunteer_user_id = $1 \
         AND status IN ('proposed', 'accepted')",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    for statement in [
        "UPDATE help_requests SET status = 'open', updated_at = $2 WHERE id IN \
         (SELECT request_id FROM match_proposals WHERE volunteer_user_id = $1 \
            AND status IN ('proposed', 'accepted'))",
        "UPDATE match_proposals SET status = 'withdrawn', responded_at = COALESCE(responded_at, $2) \
         WHERE volunteer_user_id = $1 AND status IN ('proposed', 'accepted')",
        "UPDATE match_evaluations SET note = '' WHERE by_user_id = $1 AND at <= $2",
        "UPDATE volunteer_blocks SET reason = '' WHERE volunteer_user_id = $1 AND created_at <= $2",
        "DELETE FROM volunteer_profiles WHERE user_id = $1 AND created_at <= $2",
    ] {
        sqlx::query(statement)
            .bind(user_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    for (proposal_id, request_id) in &reopened {
        crate::matching::record_event(
            conn,
            request_id,
            mantelkring_core::matching::workflow::RequestStatus::Open,
            Some(proposal_id),
            crate::matching::Actor::job(),
            "de vrijwilliger heeft zijn of haar gegevens laten wissen",
            now,
        )
        .await
        .map_err(crate::matching::MatchingError::into_store_error)?;
    }
    if let Some(pid) = &person_id {
        sqlx::query(
            "UPDATE people SET given_name = $2, family_name = '', email = NULL, phone = NULL, \
             postcode = NULL, erased_at = COALESCE(erased_at, $3) WHERE id = $1",
        )
        .bind(pid)
        .bind(ERASED_NAME)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        done.consents_withdrawn = sqlx::query(
            "UPDATE consents SET withdrawn_at = $2 WHERE subject_person_id = $1 AND withdrawn_at IS NULL",
        )
        .bind(pid)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        // The caregiver's own network ends with them.
        done.memberships_ended += sqlx::query(
            "UPDATE network_members SET removed_at = $2, status = 'removed' \
             WHERE removed_at IS NULL AND network_id IN \
             (SELECT id FROM networks WHERE caregiver_person_id = $1)",
        )
        .bind(pid)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        // And what was written about them in it: the story, the naasten, the messages and the
        // agenda are emptied (the rows stay, so the audit log's references do; the content goes).
        let own_network = "(SELECT id FROM networks WHERE caregiver_person_id = $1)";
        for statement in [
            "UPDATE situation_versions SET content = '{}' WHERE network_id IN {N}",
            "UPDATE situation_proposals SET content = '{}', note = '', decision_note = NULL \
             WHERE network_id IN {N}",
            "UPDATE network_naasten SET given_name = '-', family_name = '', birth_year = NULL, \
             removed_at = COALESCE(removed_at, $2) WHERE network_id IN {N}",
            "UPDATE network_messages SET body = '', answer = NULL WHERE network_id IN {N}",
            "UPDATE network_agreements SET what = '', who_text = '', ended_at = COALESCE(ended_at, $2) \
             WHERE network_id IN {N}",
            "UPDATE network_tasks SET title = '-', details = '', cancelled_at = COALESCE(cancelled_at, $2) \
             WHERE network_id IN {N}",
            "UPDATE network_regie SET note = '', end_note = NULL, \
             status = CASE WHEN status IN ('active', 'proposed') THEN 'ended' ELSE status END, \
             ended_at = COALESCE(ended_at, $2) WHERE network_id IN {N}",
            "UPDATE network_member_events SET detail = NULL WHERE network_id IN {N}",
            // Signaleren: checks, signals and contacts are health data; they go entirely
            // (children first). The audit log keeps only their ids in its details.
            "DELETE FROM screening_links WHERE network_id IN {N}",
            "DELETE FROM signal_events WHERE signal_id IN (SELECT id FROM signals WHERE network_id IN {N})",
            "DELETE FROM signals WHERE network_id IN {N}",
            // Hulpvraag en aanbod: the kring's requests lose their text and end (a waiting or
            // accepted proposal is withdrawn); notes about them are emptied. The rows stay for
            // the volunteers' own history. Then the markers can go.
            "UPDATE match_proposals SET status = 'withdrawn', responded_at = COALESCE(responded_at, $2) \
             WHERE status IN ('proposed', 'accepted') \
               AND request_id IN (SELECT id FROM help_requests WHERE network_id IN {N})",
            "UPDATE match_evaluations SET note = '' WHERE proposal_id IN (SELECT p.id FROM \
             match_proposals p JOIN help_requests r ON r.id = p.request_id WHERE r.network_id IN {N})",
            "UPDATE help_request_events SET note = '' \
             WHERE request_id IN (SELECT id FROM help_requests WHERE network_id IN {N})",
            "UPDATE help_requests SET description = '', marker_id = NULL, \
             status = CASE WHEN status IN ('open', 'proposed', 'accepted') THEN 'cancelled' ELSE status END, \
             updated_at = $2 WHERE network_id IN {N}",
            "UPDATE volunteer_blocks SET reason = '' WHERE network_id IN {N}",
            "DELETE FROM help_request_markers WHERE network_id IN {N}",
            "DELETE FROM contacts WHERE network_id IN {N}",
            "UPDATE contact_plans SET ended_at = COALESCE(ended_at, $2) WHERE network_id IN {N}",
            "DELETE FROM screening_checks WHERE network_id IN {N}",
        ] {
            let query =
                sqlx::query(sqlx::AssertSqlSafe(statement.replace("{N}", own_network))).bind(pid);
            // Only the statements that stamp an end use the moment ($2).
            let query = if statement.contains("$2") {
                query.bind(now)
            } else {
                query
            };
            query.execute(&mut *conn).await?;
        }
    }
    Ok(Some(done))
}
