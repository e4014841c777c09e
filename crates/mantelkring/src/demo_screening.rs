//! The demo of Signaleren, seeded after the kring (`demo_kring`): for every demo caregiver a
//! history of burden checks over the past year (several CSI and EDIZ checks: some rising, some
//! falling, some stable; Ria's CSI rises to 8, over the CSI's line of 7), contact plans (Marieke
//! Jansen, the demo professional, keeps in touch with the caregivers of her networks, so her
//! "Wie bel ik vandaag?" has caregivers due today, overdue and in the coming week), contacts of
//! every kind (phone, home visit, voortuingesprek, no answer), one in which the caregiver said
//! "het gaat niet meer", a help-request marker; then the signal rules run for every network, and
//! two of the open signals are taken in hand by Marieke with a follow-up date.
//!
//! Deterministic: every choice comes from a fixed pattern and a small generator seeded with the
//! caregiver's name, and every date lies a fixed number of days before the demo's start, so two
//! demos started on the same day are the same. Like the rest of the demo it writes into the empty
//! store in the caller's transaction. Contacts and plans go through the store's functions; the
//! checks and the signals' hand-over are written directly (the demo's history is dated back,
//! as `demo_kring` does), with the scores computed by the instruments themselves.

use mantelkring_core::network::agenda::Day;
use mantelkring_core::screening::instrument::{Catalogue, Instrument, encode_answers};
use mantelkring_core::screening::{ContactKind, SignalStatus};
use mantelkring_core::time::Millis;
use mantelkring_store::screening::contacts::{self, NewContact, NewPlan};
use mantelkring_store::screening::{rule_context, signals};
use mantelkring_store::{Conn, StoreError, new_id};

/// The demo professional who keeps in touch (see `demo_kring`: she is in 8 networks).
pub const CALLER_EMAIL: &str = "marieke.jansen@demo.mantelkring.nl";

/// The demo caregiver whose CSI rises over the line.
pub const RIA_EMAIL: &str = "ria.devries@demo.mantelkring.nl";

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Days before the demo's start of each CSI check and each EDIZ check.
const CSI_DAYS: [i64; 4] = [340, 250, 150, 40];
const EDIZ_DAYS: [i64; 3] = [300, 170, 45];

/// How a caregiver's burden goes over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Rising,
    Falling,
    Stable,
}

/// The CSI scores (0–13) and EDIZ scores (0–9) of a trend, oldest first, before jitter.
fn scores(trend: Trend) -> ([u32; 4], [u32; 3]) {
    match trend {
        Trend::Rising => ([3, 5, 6, 8], [3, 5, 7]),
        Trend::Falling => ([9, 8, 6, 4], [7, 5, 3]),
        Trend::Stable => ([5, 5, 4, 5], [4, 4, 5]),
    }
}

/// A contact plan's pattern for the caller's list: every N days, days since the caregiver was
/// last reached (none: never), and an unanswered attempt N days ago (after the last reach).
struct PlanPattern {
    every: u32,
    reached_days_ago: Option<i64>,
    no_answer_days_ago: Option<i64>,
    started_days_ago: i64,
    /// At the last reach the caregiver said "het gaat niet meer" (then weekly contact).
    cannot_cope: bool,
}

/// In order of the caller's networks (by caregiver name): due today, overdue, tried yesterday
/// (due again today), coming this week, later, long overdue.
const PATTERNS: [PlanPattern; 8] = [
    PlanPattern {
        every: 14,
        reached_days_ago: Some(14),
        no_answer_days_ago: None,
        started_days_ago: 200,
        cannot_cope: false,
    },
    PlanPattern {
        every: 28,
        reached_days_ago: Some(33),
        no_answer_days_ago: None,
        started_days_ago: 300,
        cannot_cope: false,
    },
    PlanPattern {
        every: 14,
        reached_days_ago: None,
        no_answer_days_ago: Some(1),
        started_days_ago: 3,
        cannot_cope: false,
    },
    PlanPattern {
        every: 28,
        reached_days_ago: Some(24),
        no_answer_days_ago: None,
        started_days_ago: 250,
        cannot_cope: false,
    },
    PlanPattern {
        every: 7,
        reached_days_ago: Some(2),
        no_answer_days_ago: None,
        started_days_ago: 90,
        cannot_cope: true,
    },
    PlanPattern {
        every: 42,
        reached_days_ago: Some(10),
        no_answer_days_ago: None,
        started_days_ago: 320,
        cannot_cope: false,
    },
    PlanPattern {
        every: 28,
        reached_days_ago: Some(40),
        no_answer_days_ago: Some(6),
        started_days_ago: 280,
        cannot_cope: false,
    },
    PlanPattern {
        every: 14,
        reached_days_ago: Some(5),
        no_answer_days_ago: None,
        started_days_ago: 150,
        cannot_cope: false,
    },
];

/// What the notes of the older contacts say, in turn.
const NOTES: [(&str, ContactKind); 6] = [
    (
        "Even bijgepraat. Het gaat redelijk; de dagbesteding helpt.",
        ContactKind::Phone,
    ),
    (
        "Koffie gedronken. Slaapt slecht, de nachten zijn onrustig.",
        ContactKind::HomeVisit,
    ),
    (
        "Kort gesproken bij het tuinhek. Wil graag een keer langskomen voor informatie over respijtzorg.",
        ContactKind::FrontGarden,
    ),
    ("", ContactKind::NoAnswer),
    (
        "Beeldbellen met de dochter erbij. Afspraken over de weekenden gemaakt.",
        ContactKind::Online,
    ),
    (
        "Gebeld. Heeft het druk met werk en zorg, maar houdt het vol.",
        ContactKind::Phone,
    ),
];

/// What the demo made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreeningSeeded {
    pub checks: usize,
    pub plans: usize,
    pub contacts: usize,
    pub signals: usize,
}

/// A small deterministic generator (SplitMix64), seeded with a caregiver's name.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        Rng(seed.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Answers with exactly `score` points: that many items answered with a scoring option (chosen
/// by `rng`), the others with a non-scoring one.
fn answers_for(instrument: &Instrument, score: u32, rng: &mut Rng) -> Vec<Option<String>> {
    let scoring: Vec<&str> = instrument
        .options
        .iter()
        .filter(|o| o.score > 0)
        .map(|o| o.code.as_str())
        .collect();
    let zero: Vec<&str> = instrument
        .options
        .iter()
        .filter(|o| o.score == 0)
        .map(|o| o.code.as_str())
        .collect();
    let n = instrument.items.len();
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut answers = vec![None; n];
    for (rank, item) in order.into_iter().enumerate() {
        let pool = if (rank as u32) < score {
            &scoring
        } else {
            &zero
        };
        answers[item] = Some(pool[rng.below(pool.len() as u64) as usize].to_string());
    }
    answers
}

/// One network as the demo needs it.
struct Network {
    id: String,
    name: String,
    caregiver_user: Option<String>,
}

async fn networks(conn: &mut Conn) -> Result<Vec<Network>, StoreError> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT n.id, p.given_name, p.family_name, \
                (SELECT u.id FROM users u WHERE u.person_id = p.id LIMIT 1) \
         FROM networks n JOIN people p ON p.id = n.caregiver_person_id \
         WHERE EXISTS (SELECT 1 FROM network_members m WHERE m.network_id = n.id \
                         AND m.status = 'active' AND m.removed_at IS NULL) \
         ORDER BY p.given_name, p.family_name, n.id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    Ok(rows
        .into_iter()
        .map(|(id, given, family, caregiver_user)| Network {
            id,
            name: mantelkring_store::network::full_name(&given, &family),
            caregiver_user,
        })
        .collect())
}

async fn user_by_email(conn: &mut Conn, email: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    Ok(row.map(|(id,)| id))
}

/// A moment `days` before `now`'s local day, at `hour` (local, roughly).
fn days_ago(now: Millis, days: i64, hour: i64) -> Millis {
    let at = Day::local(now).plus(-days).start_ms() + hour * HOUR_MS;
    at.min(now - 60_000)
}

/// Writes one complete check, dated back.
#[allow(clippy::too_many_arguments)]
async fn insert_check(
    conn: &mut Conn,
    network_id: &str,
    instrument: &Instrument,
    score: u32,
    at: Millis,
    entered_by: Option<&str>,
    online: bool,
    rng: &mut Rng,
) -> Result<(), StoreError> {
    let answers = answers_for(instrument, score, rng);
    let scored = instrument
        .score(&answers)
        .map_err(|e| StoreError::Conflict(format!("demo check: {e}")))?;
    debug_assert_eq!(scored, score);
    sqlx::query(
        "INSERT INTO screening_checks (id, network_id, instrument, instrument_version, answers, \
             status, score, mode, entered_by_user_id, started_at, updated_at, completed_at) \
         VALUES ($1, $2, $3, $4, $5, 'complete', $6, $7, $8, $9, $10, $10)",
    )
    .bind(new_id())
    .bind(network_id)
    .bind(&instrument.id)
    .bind(&instrument.version)
    .bind(encode_answers(&answers))
    .bind(i64::from(scored))
    .bind(if online { "online" } else { "conversation" })
    .bind(entered_by)
    .bind(at - 20 * 60_000)
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    Ok(())
}

/// Seeds the checks, plans, contacts and signals (see the module's text) at `now`.
pub async fn seed(
    conn: &mut Conn,
    now: Millis,
    instruments: &Catalogue,
) -> Result<ScreeningSeeded, StoreError> {
    let missing = |id: &str| StoreError::Conflict(format!("demo: instrument '{id}' missing"));
    let csi = instruments.get("csi").ok_or_else(|| missing("csi"))?;
    let ediz = instruments.get("ediz").ok_or_else(|| missing("ediz"))?;
    let marieke = user_by_email(conn, CALLER_EMAIL).await?;
    let ria = user_by_email(conn, RIA_EMAIL).await?;
    let today = Day::local(now);
    let mut seeded = ScreeningSeeded::default();
    let mut marieke_networks: Vec<String> = Vec::new();
    let mut next_slot = 0usize;

    for (index, network) in networks(conn).await?.iter().enumerate() {
        let mut rng = Rng::new(&network.name);
        let is_ria = ria.is_some() && network.caregiver_user == ria;
        let trend = if is_ria {
            Trend::Rising
        } else {
            [Trend::Rising, Trend::Falling, Trend::Stable][index % 3]
        };
        let callers = contacts::callers(conn, &network.id).await?;
        let marieke_calls = callers
            .iter()
            .find(|c| Some(&c.user_id) == marieke.as_ref())
            .or_else(|| callers.first())
            .cloned();

        // The checks: the caregiver with an account filled them in online; for the others a
        // professional did, in a conversation.
        let (csi_scores, ediz_scores) = scores(trend);
        let online = network.caregiver_user.is_some();
        let entered_by = if online {
            network.caregiver_user.clone()
        } else {
            marieke_calls.as_ref().map(|c| c.user_id.clone())
        };
        for (i, (days, base)) in CSI_DAYS.iter().zip(csi_scores).enumerate() {
            // Jitter of one point, never on the last check (the trend's end is fixed).
            let jitter = if i + 1 < CSI_DAYS.len() {
                rng.below(3) as i64 - 1
            } else {
                0
            };
            let score = (i64::from(base) + jitter).clamp(0, 13) as u32;
            let at = days_ago(now, days + rng.below(6) as i64, 10 + rng.below(6) as i64);
            insert_check(
                conn,
                &network.id,
                csi,
                score,
                at,
                entered_by.as_deref(),
                online,
                &mut rng,
            )
            .await?;
            seeded.checks += 1;
        }
        for (days, score) in EDIZ_DAYS.iter().zip(ediz_scores) {
            let at = days_ago(now, days + rng.below(6) as i64, 10 + rng.below(6) as i64);
            insert_check(
                conn,
                &network.id,
                ediz,
                score,
                at,
                entered_by.as_deref(),
                online,
                &mut rng,
            )
            .await?;
            seeded.checks += 1;
        }

        // The contact plan and its log.
        let Some(caller) = marieke_calls else {
            continue;
        };
        let is_marieke = Some(&caller.user_id) == marieke.as_ref();
        let pattern = if is_marieke {
            marieke_networks.push(network.id.clone());
            // Ria (the demo's caregiver) is due today; the others take the next patterns.
            let slot = if is_ria {
                0
            } else {
                next_slot += 1;
                next_slot
            };
            &PATTERNS[slot % PATTERNS.len()]
        } else {
            &PATTERNS[index % PATTERNS.len()]
        };
        contacts::save_plan(
            conn,
            &NewPlan {
                network_id: &network.id,
                every_days: pattern.every,
                caller_user_id: &caller.user_id,
                caller_kind: caller.kind,
                starts_on: today.plus(-pattern.started_days_ago),
                by_user_id: &caller.user_id,
                now: days_ago(now, pattern.started_days_ago, 9),
            },
        )
        .await?;
        seeded.plans += 1;
        // Older contacts, one each plan period before the last reach (at most four).
        let mut log: Vec<(i64, ContactKind, String, bool)> = Vec::new();
        if let Some(last) = pattern.reached_days_ago {
            let older = ((pattern.started_days_ago - last) / i64::from(pattern.every)).min(4);
            for k in (1..=older).rev() {
                let (note, kind) = NOTES[(index + k as usize) % NOTES.len()];
                let days = last + k * i64::from(pattern.every) - rng.below(3) as i64;
                log.push((days, kind, note.to_string(), false));
            }
            // The last reach. One caregiver of the caller said "het gaat niet meer".
            let cannot_cope = is_marieke && pattern.cannot_cope;
            let (note, kind) = if cannot_cope {
                (
                    "Huilde aan de telefoon. Zegt: het gaat niet meer. Slaapt al weken slecht."
                        .to_string(),
                    ContactKind::Phone,
                )
            } else {
                match NOTES[index % NOTES.len()] {
                    (note, kind) if kind.reached() => (note.to_string(), kind),
                    _ => (
                        "Even langs geweest. Het gaat zoals het gaat; volgende keer weer."
                            .to_string(),
                        ContactKind::HomeVisit,
                    ),
                }
            };
            log.push((last, kind, note, cannot_cope));
        }
        if let Some(days) = pattern.no_answer_days_ago {
            log.push((days, ContactKind::NoAnswer, String::new(), false));
        }
        for (days, kind, note, cannot_cope) in &log {
            let at = days_ago(now, *days, 11 + rng.below(5) as i64);
            let contact = contacts::log_contact(
                conn,
                &NewContact {
                    network_id: &network.id,
                    kind: *kind,
                    happened_at: at,
                    note,
                    cannot_cope: *cannot_cope,
                    by_user_id: &caller.user_id,
                    now: at,
                },
            )
            .await?;
            seeded.contacts += 1;
            if *cannot_cope {
                contacts::add_marker(
                    conn,
                    &network.id,
                    Some(&contact),
                    "Iemand die twee nachten per week de zorg overneemt, zodat zij kan slapen.",
                    &caller.user_id,
                    at,
                )
                .await?;
            }
        }
    }

    // The signal rules over every network, as the job and a relevant write would run them.
    let rules = rule_context(conn, instruments).await?;
    for network in networks(conn).await? {
        seeded.signals += signals::evaluate_network(conn, &rules, &network.id, now)
            .await?
            .len();
    }

    // Two of the open signals in Marieke's networks taken in hand, with a follow-up date.
    if let Some(marieke) = &marieke {
        take_in_hand(conn, marieke, &marieke_networks, today, now).await?;
    }
    Ok(seeded)
}

/// Marks the first two open signals (by caregiver, then rule) of `networks` in progress with
/// Marieke as owner, a note and a follow-up date, with the event in each signal's history.
async fn take_in_hand(
    conn: &mut Conn,
    marieke: &str,
    networks: &[String],
    today: Day,
    now: Millis,
) -> Result<(), StoreError> {
    let mut open: Vec<(String, String)> = Vec::new();
    for network in networks {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, rule FROM signals WHERE network_id = $1 AND status = 'new' \
             AND rule IN ('score_high', 'score_rose', 'no_contact') ORDER BY rule, cause",
        )
        .bind(network)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::from)?;
        open.extend(rows.into_iter().take(1));
        if open.len() == 2 {
            break;
        }
    }
    let notes = [
        (
            3,
            "Gebeld en een huisbezoek gepland. Respijtzorg besproken: dagbesteding twee dagen in de week.",
        ),
        (
            7,
            "Besproken in het signaaloverleg. De casemanager neemt contact op over logeeropvang.",
        ),
    ];
    for ((id, _), (days, note)) in open.iter().zip(notes) {
        let follow_up = today.plus(days).iso();
        let at = now - 2 * DAY_MS / 24;
        sqlx::query(
            "UPDATE signals SET status = $2, owner_user_id = $3, follow_up_on = $4, note = $5, \
             updated_at = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(SignalStatus::InProgress.as_str())
        .bind(marieke)
        .bind(&follow_up)
        .bind(note)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
        sqlx::query(
            "INSERT INTO signal_events (id, signal_id, by_user_id, status, owner_user_id, \
                 follow_up_on, note, at) VALUES ($1, $2, $3, $4, $3, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(id)
        .bind(marieke)
        .bind(SignalStatus::InProgress.as_str())
        .bind(&follow_up)
        .bind(note)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_score_exactly_what_was_asked() {
        let catalogue = Catalogue::built_in();
        for id in ["csi", "ediz"] {
            let instrument = catalogue.get(id).unwrap();
            let mut rng = Rng::new(id);
            for score in 0..=instrument.max_score() {
                let answers = answers_for(instrument, score, &mut rng);
                assert_eq!(instrument.score(&answers).unwrap(), score, "{id} {score}");
            }
        }
    }

    #[test]
    fn the_generator_is_the_same_for_the_same_name() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new("Ria de Vries").next()).collect();
        let mut r = Rng::new("Ria de Vries");
        let b: Vec<u64> = (0..5).map(|_| r.next()).collect();
        assert_eq!(a[0], b[0]);
        assert_ne!(b[0], b[1]);
        assert_ne!(Rng::new("Gerda Smit").next(), b[0]);
    }

    #[test]
    fn the_trends_rise_fall_and_stay() {
        let (rising, _) = scores(Trend::Rising);
        assert!(rising[3] >= 7 && rising[0] < rising[3]);
        let (falling, ediz) = scores(Trend::Falling);
        assert!(falling[0] > falling[3] && ediz[0] > ediz[2]);
        let (stable, _) = scores(Trend::Stable);
        assert!(stable.iter().all(|s| (4..=5).contains(s)));
    }
}
