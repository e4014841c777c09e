//! Benchmark of signaleren (issue 6, Performance): prints figures, asserts no times.
//!
//! ```text
//! scripts/bench-screening        # or:
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo run --release -p mantelkring --example bench_screening
//! ```
//!
//! Per backend (SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set, in a throw-away
//! database created on that server and dropped afterwards):
//!
//! 1. Data, bulk-inserted with multi-row INSERTs: 100,000 caregivers, each with a person, a
//!    network, 1–2 members from a pool of 3,000 (family, volunteers, professionals; a consent
//!    each), an active regiehouder in 40 % of the networks, 10 complete checks (CSI mostly, some
//!    EDIZ) over the past year and a half, 0–3 contacts (some "no answer", some "het gaat niet
//!    meer"), an open question in 30 % and an unfilled task in 20 %. Half the caregivers live in
//!    a region with its own rules (an EDIZ threshold). One professional is a member of the first
//!    300 networks. On PostgreSQL the tables are ANALYZEd after the load; SQLite runs as the
//!    application runs it.
//! 2. The job `screening_signals` as the worker runs it: the batch evaluation of every network,
//!    the new signals raised, one e-mail per recipient queued. Timed cold (everything new), then
//!    again (nothing new: the daily run in a steady state).
//! 3. The real application in process; the professional with 300 caregivers logs in over HTTP
//!    (password and TOTP) and, sequentially over keep-alive after a warm-up, requests `/healthz`
//!    (the ceiling), `/signalen` (her worklist: every page view asks the policy for 300 networks
//!    and writes one audit record per caregiver shown, batched), `/signalen/overleg` (all her
//!    open signals, grouped) and one network's `/kringen/{id}/signaleren/signalen`.
//!
//! Environment: `BENCH_SCREENING_CAREGIVERS` (default 100000), `BENCH_SCREENING_REQUESTS` (per
//! page, default 1000), `BENCH_SCREENING_WARMUP` (rounds, default 100).

use anyhow::{Context, Result, ensure};
use argon2::password_hash::{PasswordHasher, SaltString};
use mantelkring::app::{self, Application};
use mantelkring::config::{Config, LogFormat};
use mantelkring_core::base::{CbsCode, OrganisationKind, Role};
use mantelkring_core::identity::totp;
use mantelkring_core::screening::instrument::Catalogue;
use mantelkring_core::screening::rules::RuleSettings;
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewOrganisation};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Backend, Conn, Store, identity, screening};
use std::path::Path;
use std::time::{Duration, Instant};

const POOL: usize = 3_000;
const TARGET_NETWORKS: usize = 300;
const CHECKS_PER_CAREGIVER: usize = 10;
const BATCH: usize = 2_000;
const BATCHES_PER_TX: usize = 5;
const PARAMS_PER_STATEMENT_SQLITE: usize = 1_000;
const PARAMS_PER_STATEMENT_POSTGRES: usize = 12_000;
const TARGET_EVALUATION_S: f64 = 10.0;
const TARGET_P99_MS: f64 = 20.0;
const PASSWORD: &str = "bench-signalen-wachtwoord-2026";
const PROFESSIONAL_EMAIL: &str = "femke.dekker@bench.mantelkring.nl";
const TOTP_SECRET: &str = "BENCHSIGNALENFEMKEDEKKERAAAAAAAA";
const DAY_MS: i64 = 86_400_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<()> {
    let caregivers = env_usize("BENCH_SCREENING_CAREGIVERS", 100_000).max(TARGET_NETWORKS);
    let requests = env_usize("BENCH_SCREENING_REQUESTS", 1_000).max(1);
    let warmup = env_usize("BENCH_SCREENING_WARMUP", 100);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into());
    let mut out = vec![
        format!("signaleren benchmark ({cores} cores, {profile}; load average at start {load})"),
        format!(
            "data: {} caregivers × {CHECKS_PER_CAREGIVER} checks, 1–2 members each from a pool of {}, \
             0–3 contacts, open questions (30 %), unfilled tasks (20 %), regiehouder (40 %); one \
             professional in {TARGET_NETWORKS} networks",
            thousands(caregivers as u64),
            thousands(POOL as u64)
        ),
        format!(
            "HTTP: sequential, keep-alive, {warmup} warm-up rounds, then {requests} requests per page \
             interleaved round by round; every page view writes its audit records"
        ),
    ];
    let mut table = Vec::new();

    let sqlite = TestDatabase::sqlite();
    let (lines, rows) = run_backend(&sqlite, caregivers, requests, warmup).await?;
    // Each backend's figures as soon as they are there (a later failure keeps them).
    for line in lines.iter().chain(&rows) {
        eprintln!("{line}");
    }
    out.extend(lines);
    table.extend(rows);
    drop(sqlite);

    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let postgres = TestDatabase::postgres(&admin).await;
            let (lines, rows) = run_backend(&postgres, caregivers, requests, warmup).await?;
            out.extend(lines);
            table.extend(rows);
            drop(postgres);
        }
        _ => out.push("postgres: not measured (set TEST_DATABASE_URL to include it)".into()),
    }

    println!();
    for line in out {
        println!("{line}");
    }
    println!();
    println!(
        "{:<9}{:<40}{:>6}{:>10}{:>10}{:>10}   target p99 ≤ {TARGET_P99_MS:.0} ms (/signalen)",
        "backend", "page", "n", "p50", "p99", "max"
    );
    for row in table {
        println!("{row}");
    }
    Ok(())
}

fn config(database_url: &str, dir: &Path) -> Config {
    Config {
        database_url: database_url.to_string(),
        bind: "127.0.0.1:0".parse().expect("address"),
        data_dir: dir.to_path_buf(),
        public_url: "http://127.0.0.1".into(),
        smtp_url: None,
        mail_dir: dir.join("mail"),
        mail_from: "Mantelkring <noreply@localhost>".into(),
        log: "warn".into(),
        log_format: LogFormat::Text,
        db_max_connections: 5,
        max_body_bytes: 64 * 1024,
        request_timeout: Duration::from_secs(30),
        job_max_attempts: 3,
        job_retry_base: Duration::from_secs(1),
        // The worker stays out of the measurement (its start-up run is awaited first).
        job_poll: Duration::from_secs(3600),
        directory_stale_after_days: 183,
        instruments: std::sync::Arc::new(Catalogue::built_in()),
    }
}

async fn run_backend(
    db: &TestDatabase,
    caregivers: usize,
    requests: usize,
    warmup: usize,
) -> Result<(Vec<String>, Vec<String>)> {
    let name = db.backend.name();
    let dir = std::env::temp_dir().join(format!("mk-bench-screening-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir)?;
    let config = config(&db.url, &dir);
    let store = app::open_store(&config).await?;
    let mut lines = Vec::new();

    eprintln!("{name}: loading {caregivers} caregivers …");
    let started = Instant::now();
    let (rows, target) = bulk_load(&store, caregivers).await?;
    let load_time = started.elapsed();
    let analyze = if store.backend() == Backend::Postgres {
        let started = Instant::now();
        sqlx::query("ANALYZE").execute(store.pool()).await?;
        format!("; ANALYZE {:.1} s", started.elapsed().as_secs_f64())
    } else {
        String::new()
    };
    lines.push(format!(
        "{name}: bulk load {:.1} s ({} rows){analyze}; rows {}",
        load_time.as_secs_f64(),
        thousands(rows),
        row_counts(&store).await?
    ));

    // The evaluation, as the worker runs it.
    let catalogue = Catalogue::built_in();
    eprintln!("{name}: evaluating …");
    let mut evaluations = Vec::new();
    for run in ["first run (all new)", "second run (nothing new)"] {
        let started = Instant::now();
        let done = mantelkring::screening_signals::run_at(
            &store,
            &catalogue,
            "http://127.0.0.1",
            now_ms(),
        )
        .await?;
        let secs = started.elapsed().as_secs_f64();
        evaluations.push(format!(
            "{name}: evaluation {run}: {secs:.2} s (read + evaluate {:.2} s, raise {:.2} s, \
             recipients + e-mails {:.2} s) — {} networks with a cause, {} signals raised, \
             {} e-mails queued — target ≤ {TARGET_EVALUATION_S:.0} s: {}",
            done.phases_ms[0] as f64 / 1000.0,
            done.phases_ms[1] as f64 / 1000.0,
            done.phases_ms[2] as f64 / 1000.0,
            thousands(done.networks as u64),
            thousands(done.raised as u64),
            thousands(done.emails as u64),
            if secs <= TARGET_EVALUATION_S {
                "met"
            } else {
                "NOT met"
            }
        ));
    }
    lines.extend(evaluations);
    if store.backend() == Backend::Postgres {
        // What autovacuum does soon after the evaluation's bulk insert (as after the load).
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    let (open,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM signals s JOIN network_members m ON m.network_id = s.network_id \
         WHERE m.user_id = $1 AND s.status <> 'done'",
    )
    .bind(&target.user_id)
    .fetch_one(store.pool())
    .await?;
    lines.push(format!(
        "{name}: the professional's {TARGET_NETWORKS} networks hold {open} open signals"
    ));

    // The e-mails are queued, not sent: the worker would send them during the measurement.
    sqlx::query("DELETE FROM jobs")
        .execute(store.pool())
        .await?;
    let application = Application::build(&config, store.clone()).await?;
    let addr = application.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    let result = measure(name, addr, &store, &target, requests, warmup).await;
    let _ = stop.send(());
    let _ = server.await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let (notes, rows) = result?;
    lines.extend(notes);
    Ok((lines, rows))
}

async fn row_counts(store: &Store) -> Result<String> {
    let mut parts = Vec::new();
    for table in [
        "networks",
        "network_members",
        "network_regie",
        "screening_checks",
        "contacts",
        "network_messages",
        "network_tasks",
    ] {
        let (n,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(store.pool())
                .await?;
        parts.push(format!("{table} {}", thousands(n as u64)));
    }
    Ok(parts.join(", "))
}

// ---- A small deterministic random source -----------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low).max(1) as u64) as i64
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

// ---- Bulk insert -----------------------------------------------------------------------------

enum V {
    T(String),
    I(i64),
    NullT,
}

fn t(s: impl Into<String>) -> V {
    V::T(s.into())
}

struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    values: Vec<V>,
    written: u64,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Table {
        Table {
            name,
            columns,
            values: Vec::new(),
            written: 0,
        }
    }

    fn push(&mut self, row: Vec<V>) {
        assert_eq!(row.len(), self.columns.len(), "{}", self.name);
        self.values.extend(row);
    }

    async fn flush(&mut self, conn: &mut Conn) -> Result<()> {
        let width = self.columns.len();
        let params = match conn.backend_name() {
            "PostgreSQL" => PARAMS_PER_STATEMENT_POSTGRES,
            _ => PARAMS_PER_STATEMENT_SQLITE,
        };
        let per_statement = (params / width).clamp(1, 1_000);
        for chunk in self.values.chunks(per_statement * width) {
            let rows = chunk.len() / width;
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                self.name,
                self.columns.join(", ")
            );
            for r in 0..rows {
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..width {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    sql.push('$');
                    sql.push_str(&(r * width + c + 1).to_string());
                }
                sql.push(')');
            }
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in chunk {
                query = match v {
                    V::T(s) => query.bind(s.as_str()),
                    V::I(n) => query.bind(*n),
                    V::NullT => query.bind(None::<String>),
                };
            }
            query
                .execute(&mut *conn)
                .await
                .with_context(|| format!("insert into {}", self.name))?;
            self.written += rows as u64;
        }
        self.values.clear();
        Ok(())
    }
}

struct Tables {
    list: Vec<Table>,
}

const PEOPLE: usize = 0;
const USERS: usize = 1;
const PERSONAL_ROLES: usize = 2;
const MEMBERSHIPS: usize = 3;
const NETWORKS: usize = 4;
const CONSENTS: usize = 5;
const MEMBERS: usize = 6;
const REGIE: usize = 7;
const CHECKS: usize = 8;
const CONTACTS: usize = 9;
const MESSAGES: usize = 10;
const TASKS: usize = 11;

impl Tables {
    fn new() -> Tables {
        Tables {
            list: vec![
                Table::new(
                    "people",
                    &[
                        "id",
                        "given_name",
                        "family_name",
                        "municipality_id",
                        "created_at",
                    ],
                ),
                Table::new(
                    "users",
                    &[
                        "id",
                        "email",
                        "display_name",
                        "person_id",
                        "created_at",
                        "email_verified_at",
                    ],
                ),
                Table::new("personal_roles", &["user_id", "role", "created_at"]),
                Table::new(
                    "memberships",
                    &["id", "user_id", "organisation_id", "role", "created_at"],
                ),
                Table::new("networks", &["id", "caregiver_person_id", "created_at"]),
                Table::new(
                    "consents",
                    &[
                        "id",
                        "subject_person_id",
                        "scope",
                        "method",
                        "recorded_by_user_id",
                        "given_at",
                    ],
                ),
                Table::new(
                    "network_members",
                    &[
                        "id",
                        "network_id",
                        "user_id",
                        "categories",
                        "consent_id",
                        "joined_at",
                        "status",
                        "kind",
                        "role_label",
                        "notify",
                        "acts_for_caregiver",
                        "decided_at",
                    ],
                ),
                Table::new(
                    "network_regie",
                    &[
                        "id",
                        "network_id",
                        "member_id",
                        "status",
                        "proposed_by_user_id",
                        "created_at",
                        "started_at",
                    ],
                ),
                Table::new(
                    "screening_checks",
                    &[
                        "id",
                        "network_id",
                        "instrument",
                        "instrument_version",
                        "status",
                        "score",
                        "mode",
                        "started_at",
                        "updated_at",
                        "completed_at",
                    ],
                ),
                Table::new(
                    "contacts",
                    &[
                        "id",
                        "network_id",
                        "kind",
                        "happened_at",
                        "cannot_cope",
                        "by_user_id",
                        "created_at",
                    ],
                ),
                Table::new(
                    "network_messages",
                    &[
                        "id",
                        "network_id",
                        "author_user_id",
                        "kind",
                        "body",
                        "to_all",
                        "created_at",
                    ],
                ),
                Table::new(
                    "network_tasks",
                    &[
                        "id",
                        "network_id",
                        "title",
                        "weekly",
                        "first_on",
                        "needed",
                        "created_by_user_id",
                        "created_at",
                        "help_wanted_at",
                    ],
                ),
            ],
        }
    }

    fn push(&mut self, table: usize, row: Vec<V>) {
        self.list[table].push(row);
    }

    async fn flush(&mut self, conn: &mut Conn) -> Result<()> {
        for table in &mut self.list {
            table.flush(conn).await?;
        }
        Ok(())
    }

    fn written(&self) -> u64 {
        self.list.iter().map(|t| t.written).sum()
    }
}

struct PoolMember {
    user_id: String,
    kind: &'static str,
    categories: &'static str,
}

/// Who logs in.
struct Target {
    user_id: String,
    /// One of her networks (for the network page).
    network_id: String,
}

async fn bulk_load(store: &Store, caregivers: usize) -> Result<(u64, Target)> {
    let mut rng = Rng(0x7369_676e_616c_656e);
    let now = now_ms();
    let year = 365 * DAY_MS;
    let mut tables = Tables::new();
    let ediz_max = Catalogue::built_in()
        .get("ediz")
        .map_or(9, |i| i.max_score()) as usize;
    let password_hash = argon2::Argon2::default()
        .hash_password(
            PASSWORD.as_bytes(),
            &SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(anyhow::Error::msg)?,
        )
        .map_err(anyhow::Error::msg)?
        .to_string();

    let mut tx = store.begin_write().await?;
    let region = base::insert_region(&mut tx, "Regio Benchmark").await?;
    let code = CbsCode::parse("GM0546").map_err(anyhow::Error::msg)?;
    let municipality =
        base::insert_municipality(&mut tx, Some(&region.id), &code, "Leiden").await?;
    let organisation = base::insert_organisation(
        &mut tx,
        &NewOrganisation {
            region_id: &region.id,
            name: "Steunpunt Mantelzorg Benchmark",
            kind: OrganisationKind::Welfare,
            municipality_id: None,
            website: None,
        },
    )
    .await?;
    // The region's own rules: an EDIZ threshold, a shorter no-contact period.
    let mut own = RuleSettings::default();
    own.thresholds.insert("ediz".into(), 5);
    own.no_contact_days = Some(21);

    let mut pool = Vec::with_capacity(POOL);
    for j in 0..POOL {
        let (person, user) = (id(), id());
        let created = now - rng.range(year, 3 * year);
        let email = if j == 0 {
            PROFESSIONAL_EMAIL.to_string()
        } else {
            format!("lid{j}@bench.mantelkring.nl")
        };
        tables.push(
            PEOPLE,
            vec![
                t(&person),
                t("Lid"),
                t(format!("{j}")),
                V::NullT,
                V::I(created),
            ],
        );
        tables.push(
            USERS,
            vec![
                t(&user),
                t(&email),
                t(if j == 0 {
                    "Femke Dekker".to_string()
                } else {
                    format!("Lid {j}")
                }),
                t(&person),
                V::I(created),
                V::I(created),
            ],
        );
        let (kind, categories) = match j % 10 {
            _ if j == 0 => ("professional", "contact,situation,agenda,messages,checks"),
            0..=4 => ("own", "contact,situation,agenda,messages"),
            5 => ("own", "contact,situation,agenda,messages,checks"),
            6 | 7 => ("volunteer", "agenda,messages,checks"),
            _ => ("professional", "contact,situation,agenda,messages,checks"),
        };
        if kind == "professional" {
            tables.push(
                MEMBERSHIPS,
                vec![
                    t(id()),
                    t(&user),
                    t(&organisation.id),
                    t(Role::Professional.as_str()),
                    V::I(created),
                ],
            );
        } else {
            let role = if kind == "volunteer" {
                Role::Volunteer
            } else {
                Role::NetworkMember
            };
            tables.push(
                PERSONAL_ROLES,
                vec![t(&user), t(role.as_str()), V::I(created)],
            );
        }
        pool.push(PoolMember {
            user_id: user,
            kind,
            categories,
        });
    }
    tables.flush(&mut tx).await?;
    let target_user = pool[0].user_id.clone();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&password_hash)
        .bind(&target_user)
        .execute(&mut *tx)
        .await?;
    identity::enable_totp(&mut tx, &target_user, TOTP_SECRET).await?;
    screening::save_region_settings(&mut tx, &region.id, &own, &target_user).await?;

    let mut target_network = String::new();
    let mut batches_in_tx = 0;
    for start in (0..caregivers).step_by(BATCH) {
        for i in start..(start + BATCH).min(caregivers) {
            let network = caregiver(
                &mut tables,
                &mut rng,
                &pool,
                i,
                now,
                &municipality.id,
                ediz_max,
            );
            if i == 0 {
                target_network = network;
            }
        }
        tables.flush(&mut tx).await?;
        batches_in_tx += 1;
        if batches_in_tx == BATCHES_PER_TX {
            tx.commit().await?;
            tx = store.begin_write().await?;
            batches_in_tx = 0;
            eprint!(".");
        }
    }
    tx.commit().await?;
    eprintln!();
    Ok((
        tables.written(),
        Target {
            user_id: target_user,
            network_id: target_network,
        },
    ))
}

/// One caregiver with their network, members, checks and the rest; returns the network id.
fn caregiver(
    tables: &mut Tables,
    rng: &mut Rng,
    pool: &[PoolMember],
    i: usize,
    now: i64,
    municipality: &str,
    ediz_max: usize,
) -> String {
    let (person, network) = (id(), id());
    let created = now - rng.range(400 * DAY_MS, 900 * DAY_MS);
    tables.push(
        PEOPLE,
        vec![
            t(&person),
            t("Mantelzorger"),
            t(format!("{i}")),
            if rng.chance(0.5) {
                t(municipality)
            } else {
                V::NullT
            },
            V::I(created),
        ],
    );
    tables.push(NETWORKS, vec![t(&network), t(&person), V::I(created)]);

    // The target professional in the first networks, then 1–2 from the pool.
    let mut chosen: Vec<usize> = Vec::new();
    if i < TARGET_NETWORKS {
        chosen.push(0);
    }
    let count = 1 + rng.below(2);
    while chosen.len() < count {
        let j = 1 + rng.below(pool.len() - 1);
        if !chosen.contains(&j) {
            chosen.push(j);
        }
    }
    let mut members = Vec::new();
    for j in &chosen {
        let m = &pool[*j];
        let (consent, member) = (id(), id());
        let joined = created + rng.range(0, 30 * DAY_MS);
        tables.push(
            CONSENTS,
            vec![
                t(&consent),
                t(&person),
                t(mantelkring_store::network::MEMBERSHIP_SCOPE),
                t("verbal"),
                t(&pool[0].user_id),
                V::I(joined),
            ],
        );
        tables.push(
            MEMBERS,
            vec![
                t(&member),
                t(&network),
                t(&m.user_id),
                t(m.categories),
                t(&consent),
                V::I(joined),
                t("active"),
                t(m.kind),
                t(""),
                t("digest"),
                V::I(0),
                V::I(joined),
            ],
        );
        members.push((member, m.user_id.clone(), joined));
    }
    if rng.chance(0.4) {
        let (member, user, joined) = &members[rng.below(members.len())];
        tables.push(
            REGIE,
            vec![
                t(id()),
                t(&network),
                t(member),
                t("active"),
                t(user),
                V::I(*joined),
                V::I(*joined),
            ],
        );
    }
    // Ten checks, one every 40–70 days back from the last, a random walk of scores.
    let mut at = now - rng.range(DAY_MS, 60 * DAY_MS);
    let mut score = rng.below(14) as i64;
    for _ in 0..CHECKS_PER_CAREGIVER {
        let ediz = rng.chance(0.2);
        let (instrument, max) = if ediz {
            ("ediz", ediz_max as i64)
        } else {
            ("csi", 13)
        };
        score = (score + rng.range(-3, 4)).clamp(0, 13);
        tables.push(
            CHECKS,
            vec![
                t(id()),
                t(&network),
                t(instrument),
                t("1"),
                t("complete"),
                V::I(score.min(max)),
                t("conversation"),
                V::I(at),
                V::I(at),
                V::I(at),
            ],
        );
        at -= rng.range(40 * DAY_MS, 70 * DAY_MS);
    }
    for _ in 0..rng.below(4) {
        let kind = ["phone", "home_visit", "front_garden", "online", "no_answer"][rng.below(5)];
        let happened = now - rng.range(0, 120 * DAY_MS);
        let coping = kind != "no_answer" && rng.chance(0.02);
        tables.push(
            CONTACTS,
            vec![
                t(id()),
                t(&network),
                t(kind),
                V::I(happened),
                V::I(i64::from(coping)),
                t(&members[0].1),
                V::I(happened),
            ],
        );
    }
    if rng.chance(0.3) {
        tables.push(
            MESSAGES,
            vec![
                t(id()),
                t(&network),
                t(&members[0].1),
                t("question"),
                t("Wie kan er dinsdag rijden naar de dagbesteding?"),
                V::I(1),
                V::I(now - rng.range(0, 20 * DAY_MS)),
            ],
        );
    }
    if rng.chance(0.2) {
        let since = now - rng.range(0, 15 * DAY_MS);
        tables.push(
            TASKS,
            vec![
                t(id()),
                t(&network),
                t("Boodschappen doen"),
                V::I(1),
                t("2026-01-05"),
                V::I(1),
                t(&members[0].1),
                V::I(since),
                V::I(since),
            ],
        );
    }
    network
}

// ---- Over HTTP ---------------------------------------------------------------------------------

fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?)
}

fn csrf_of(html: &str) -> Result<String> {
    Ok(html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no CSRF token")?
        .to_string())
}

/// Logs the professional in: password, then the TOTP code.
async fn login(base: &str) -> Result<reqwest::Client> {
    let client = client()?;
    let html = client
        .get(format!("{base}/inloggen"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = csrf_of(&html)?;
    let r = client
        .post(format!("{base}/inloggen"))
        .form(&[
            ("email", PROFESSIONAL_EMAIL),
            ("wachtwoord", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await?;
    ensure!(
        r.status() == reqwest::StatusCode::SEE_OTHER,
        "login: {}",
        r.status()
    );
    let secret = totp::decode_secret(TOTP_SECRET).context("secret")?;
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let code = format!("{:06}", totp::code_at(&secret, unix));
    let r = client
        .post(format!("{base}/inloggen/code"))
        .form(&[("code", code.as_str()), ("csrf", &csrf)])
        .send()
        .await?;
    ensure!(
        r.status() == reqwest::StatusCode::SEE_OTHER,
        "second factor: {}",
        r.status()
    );
    Ok(client)
}

async fn measure(
    name: &str,
    addr: std::net::SocketAddr,
    store: &Store,
    target: &Target,
    requests: usize,
    warmup: usize,
) -> Result<(Vec<String>, Vec<String>)> {
    let base = format!("http://{addr}");
    // The jobs the worker runs at start (the unfilled pass, the signal evaluation) first.
    let started = Instant::now();
    loop {
        let (due,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running') AND run_at <= $1",
        )
        .bind(now_ms())
        .fetch_one(store.pool())
        .await?;
        if due == 0 {
            break;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(600),
            "start-up jobs still running"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut notes = vec![format!(
        "{name}: the worker's start-up jobs (unfilled pass, evaluation) done in {:.1} s",
        started.elapsed().as_secs_f64()
    )];
    let anonymous = client()?;
    let professional = login(&base).await?;
    let pages: Vec<(&str, bool, String)> = vec![
        ("/healthz (ceiling)", false, "/healthz".to_string()),
        ("/signalen (50 per page)", true, "/signalen".to_string()),
        (
            "/signalen?status=all",
            true,
            "/signalen?status=all".to_string(),
        ),
        (
            "/signalen/overleg (all open, grouped)",
            true,
            "/signalen/overleg".to_string(),
        ),
        (
            "/kringen/{id}/signaleren/signalen",
            true,
            format!("/kringen/{}/signaleren/signalen", target.network_id),
        ),
    ];
    for (label, logged_in, path) in &pages {
        let client = if *logged_in {
            &professional
        } else {
            &anonymous
        };
        let r = client.get(format!("{base}{path}")).send().await?;
        let status = r.status();
        let html = r.text().await?;
        ensure!(status.is_success(), "{label}: {status}");
        if *path == "/signalen" {
            let shown = html.matches("<li class=\"mk-signal").count();
            notes.push(format!(
                "{name}: /signalen shows {shown} signals on its first page"
            ));
        }
    }
    let audit_before: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await?;
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(requests); pages.len()];
    for round in 0..warmup + requests {
        for (i, (label, logged_in, path)) in pages.iter().enumerate() {
            let client = if *logged_in {
                &professional
            } else {
                &anonymous
            };
            let started = Instant::now();
            let r = client.get(format!("{base}{path}")).send().await?;
            let status = r.status();
            r.bytes().await?;
            let took = started.elapsed();
            ensure!(status.is_success(), "{label}: {status}");
            if round >= warmup {
                samples[i].push(took);
            }
        }
    }
    let audit_after: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await?;
    notes.push(format!(
        "{name}: {} audit records written by the measured page views",
        thousands((audit_after.0 - audit_before.0) as u64)
    ));
    let rows = pages
        .iter()
        .zip(samples.iter_mut())
        .map(|((label, _, _), s)| {
            s.sort();
            let p99 = percentile(s, 0.99);
            let verdict = if label.starts_with("/signalen (") {
                if p99.as_secs_f64() * 1000.0 <= TARGET_P99_MS {
                    "  met"
                } else {
                    "  NOT met"
                }
            } else {
                ""
            };
            format!(
                "{name:<9}{label:<40}{:>6}{:>10}{:>10}{:>10}{verdict}",
                s.len(),
                ms(percentile(s, 0.50)),
                ms(p99),
                ms(*s.last().unwrap_or(&Duration::ZERO)),
            )
        })
        .collect();
    Ok((notes, rows))
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
