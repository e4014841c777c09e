//! Benchmark of the kring pages (issue 5, Performance): prints figures, asserts no times.
//!
//! ```text
//! scripts/bench-kring            # or:
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo run --release -p mantelkring --example bench_kring
//! ```
//!
//! Per backend (SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set, in a throw-away
//! database created on that server and dropped afterwards):
//!
//! 1. Data. 100,000 caregivers, each with a person, a user, a network, 1–3 members drawn from a
//!    pool of 3,000 member users (family, volunteers, professionals), a consent per member, a
//!    naaste, 0–10 timeline messages (some to chosen members, some questions, mostly answered) and
//!    a "Mijn situatie" version: bulk-inserted with multi-row INSERTs in big transactions. Then ONE
//!    target network written through the store's own functions: 30 active members (family,
//!    volunteers, a case manager, professionals of the three fields, a regiehouder after a
//!    hand-over), a removed and a proposed member, 5,000 timeline entries over two years
//!    (messages and questions, to everyone and to chosen members, about thirty still open),
//!    weekly and one-off tasks with sign-ups (also past ones), agreements and four situation
//!    versions. The load time and the row counts are printed. On PostgreSQL the tables are
//!    ANALYZEd after the load (what autovacuum does soon after a bulk load); SQLite runs as the
//!    application runs it (no ANALYZE).
//! 2. The real application is started in process on that database; the target caregiver and one
//!    family member (no second factor) log in over HTTP (`POST /inloggen`, argon2id as usual).
//! 3. Sequentially over keep-alive connections, after a warm-up, the pages are requested in
//!    rounds (every page once per round, so machine noise falls on all alike): `/healthz` (the
//!    ceiling, without a session, as the foundation benchmark asks it), the overview as caregiver
//!    and as member, `/leden`, `/regie`, `/tijdlijn` as caregiver and member, and older pages of
//!    the timeline through its `rel="next"` cursor link (page 2, and page 125 — halfway through
//!    the 5,000). Every page view is a write transaction with its NEN 7513 audit record.
//!    A page whose route answers 404 is skipped with a note.
//!
//! Prints p50, p99 and max per page and the ratio of its p99 to the `/healthz` p99, and whether
//! the issue's target (p99 ≤ 20 ms) is met. Nothing is asserted.
//!
//! Environment: `BENCH_KRING_CAREGIVERS` (default 100000), `BENCH_KRING_REQUESTS` (per page,
//! default 1000), `BENCH_KRING_WARMUP` (rounds, default 100), `BENCH_KRING_KEEP` (set: keep the
//! databases afterwards, for a look at query plans), `BENCH_KRING_DROP_INDEX` (index names,
//! comma-separated: dropped after the load, to measure before and after an index in one setup).

use anyhow::{Context, Result, bail, ensure};
use argon2::password_hash::{PasswordHasher, SaltString};
use mantelkring::app::{self, Application};
use mantelkring::config::{Config, LogFormat};
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::{OrganisationKind, Role};
use mantelkring_core::network::agenda::{ClockTime, Day, Schedule};
use mantelkring_core::network::situation::Situation;
use mantelkring_core::network::{Field, MemberKind, NotifyMode, Relation};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewOrganisation, NewPerson, NewUser};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod, agenda, regie, situation, timeline};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Backend, Conn, Store, identity};
use std::path::Path;
use std::time::{Duration, Instant};

const POOL: usize = 3_000;
const ORGANISATIONS: usize = 60;
/// Caregivers per generated batch, and batches per transaction.
const BATCH: usize = 2_000;
const BATCHES_PER_TX: usize = 5;
/// Bind parameters per INSERT statement. SQLite looks a `$N` parameter's name up by a linear
/// scan, so binding costs grow with the square of the count: keep its statements smaller.
const PARAMS_PER_STATEMENT_SQLITE: usize = 1_000;
const PARAMS_PER_STATEMENT_POSTGRES: usize = 12_000;
const TARGET_ENTRIES: usize = 5_000;
/// The timeline page a deep cursor is taken from (20 per page: halfway through 5,000).
const DEEP_PAGE: usize = 125;
const TARGET_P99_MS: f64 = 20.0;
const PASSWORD: &str = "bench-kring-wachtwoord-2026";
const CAREGIVER_EMAIL: &str = "ineke.bosman@bench.mantelkring.nl";
const MEMBER_EMAIL: &str = "esther.bosman@bench.mantelkring.nl";
const DAY_MS: i64 = 86_400_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<()> {
    let caregivers = env_usize("BENCH_KRING_CAREGIVERS", 100_000);
    let requests = env_usize("BENCH_KRING_REQUESTS", 1_000).max(1);
    let warmup = env_usize("BENCH_KRING_WARMUP", 100);
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
        format!("kring benchmark ({cores} cores, {profile}; load average at start {load})"),
        format!(
            "data: {} caregivers with networks (1–3 members from a pool of {}, ~5 messages, \
             a naaste, a situation version each) + a target network: 30 active members, \
             {} timeline entries, tasks, sign-ups, agreements",
            thousands(caregivers as u64),
            thousands(POOL as u64),
            thousands(TARGET_ENTRIES as u64)
        ),
        format!(
            "HTTP: sequential, keep-alive, {warmup} warm-up rounds, then {requests} requests per page \
             interleaved round by round; every page view writes its audit record"
        ),
    ];
    let mut table = Vec::new();

    let sqlite = TestDatabase::sqlite();
    let (loaded, rows) = run_backend(&sqlite, caregivers, requests, warmup).await?;
    out.extend(loaded);
    table.extend(rows);
    keep_or_drop(sqlite);

    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let postgres = TestDatabase::postgres(&admin).await;
            let (loaded, rows) = run_backend(&postgres, caregivers, requests, warmup).await?;
            out.extend(loaded);
            table.extend(rows);
            keep_or_drop(postgres);
        }
        _ => out.push("postgres: not measured (set TEST_DATABASE_URL to include it)".into()),
    }

    println!();
    for line in out {
        println!("{line}");
    }
    println!();
    println!(
        "{:<9}{:<34}{:>6}{:>10}{:>10}{:>10}{:>9}   target p99 ≤ {TARGET_P99_MS:.0} ms",
        "backend", "page", "n", "p50", "p99", "max", "p99/hz"
    );
    for row in table {
        println!("{row}");
    }
    Ok(())
}

/// `BENCH_KRING_KEEP=1` keeps the databases for a look at query plans afterwards.
fn keep_or_drop(db: TestDatabase) {
    if std::env::var_os("BENCH_KRING_KEEP").is_some() {
        eprintln!("kept: {}", db.url);
        std::mem::forget(db);
    }
}

// ---- One backend -----------------------------------------------------------------------------

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
        job_poll: Duration::from_secs(5),
        directory_stale_after_days: 183,
        instruments: std::sync::Arc::new(
            mantelkring_core::screening::instrument::Catalogue::built_in(),
        ),
    }
}

/// Loads the data, starts the application, measures; returns the lines about the load and the
/// table rows.
async fn run_backend(
    db: &TestDatabase,
    caregivers: usize,
    requests: usize,
    warmup: usize,
) -> Result<(Vec<String>, Vec<String>)> {
    let name = db.backend.name();
    let dir = std::env::temp_dir().join(format!("mk-bench-kring-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir)?;
    let config = config(&db.url, &dir);
    let store = app::open_store(&config).await?;
    let mut lines = Vec::new();

    eprintln!("{name}: loading {caregivers} caregivers …");
    let started = Instant::now();
    let bulk = bulk_load(&store, caregivers).await?;
    let bulk_time = started.elapsed();
    eprintln!("{name}: the target network …");
    let started = Instant::now();
    let target = target_network(&store).await?;
    let target_time = started.elapsed();
    // `BENCH_KRING_DROP_INDEX=name[,name]`: measure as if those indexes did not exist (before
    // and after an index migration, in the same run setup).
    let mut dropped = Vec::new();
    if let Ok(names) = std::env::var("BENCH_KRING_DROP_INDEX") {
        for index in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            ensure!(
                index.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "BENCH_KRING_DROP_INDEX: {index}"
            );
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {index}")))
                .execute(store.pool())
                .await
                .with_context(|| format!("drop index {index}"))?;
            dropped.push(index.to_string());
        }
    }
    let analyze_time = if store.backend() == Backend::Postgres {
        let started = Instant::now();
        sqlx::query("ANALYZE").execute(store.pool()).await?;
        Some(started.elapsed())
    } else {
        None
    };
    lines.push(format!(
        "{name}: bulk load {:.1} s ({} rows, {:.0} rows/s); target network {:.1} s{}",
        bulk_time.as_secs_f64(),
        thousands(bulk),
        bulk as f64 / bulk_time.as_secs_f64(),
        target_time.as_secs_f64(),
        analyze_time.map_or(String::new(), |t| format!(
            "; ANALYZE {:.1} s",
            t.as_secs_f64()
        )),
    ));
    lines.push(format!("{name}: rows {}", row_counts(&store).await?));
    if !dropped.is_empty() {
        lines.push(format!(
            "{name}: measured WITHOUT the index(es) {} (BENCH_KRING_DROP_INDEX)",
            dropped.join(", ")
        ));
    }

    let application = Application::build(&config, store.clone()).await?;
    let addr = application.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    let result = measure(name, addr, &target, requests, warmup).await;
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
        "people",
        "users",
        "networks",
        "network_members",
        "consents",
        "network_member_events",
        "network_naasten",
        "network_messages",
        "network_message_recipients",
        "situation_versions",
        "network_tasks",
        "network_task_signups",
        "network_agreements",
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

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

// ---- Bulk insert -----------------------------------------------------------------------------

/// One value of a row: text, integer, or a NULL of either type (PostgreSQL wants typed NULLs).
enum V {
    T(String),
    I(i64),
    NullT,
    NullI,
}

fn t(s: impl Into<String>) -> V {
    V::T(s.into())
}

fn opt_t(s: Option<String>) -> V {
    s.map_or(V::NullT, V::T)
}

fn opt_i(n: Option<i64>) -> V {
    n.map_or(V::NullI, V::I)
}

/// Rows waiting for one table, written with multi-row INSERTs.
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
                    V::NullI => query.bind(None::<i64>),
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

/// Every bulk table, in the order their foreign keys need.
struct Tables {
    people: Table,
    users: Table,
    personal_roles: Table,
    memberships: Table,
    networks: Table,
    naasten: Table,
    consents: Table,
    members: Table,
    events: Table,
    messages: Table,
    recipients: Table,
    situations: Table,
}

impl Tables {
    fn new() -> Tables {
        Tables {
            people: Table::new(
                "people",
                &[
                    "id",
                    "given_name",
                    "family_name",
                    "email",
                    "phone",
                    "postcode",
                    "created_at",
                ],
            ),
            users: Table::new(
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
            personal_roles: Table::new("personal_roles", &["user_id", "role", "created_at"]),
            memberships: Table::new(
                "memberships",
                &["id", "user_id", "organisation_id", "role", "created_at"],
            ),
            networks: Table::new("networks", &["id", "caregiver_person_id", "created_at"]),
            naasten: Table::new(
                "network_naasten",
                &[
                    "id",
                    "network_id",
                    "given_name",
                    "family_name",
                    "relation",
                    "birth_year",
                    "created_at",
                ],
            ),
            consents: Table::new(
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
            members: Table::new(
                "network_members",
                &[
                    "id",
                    "network_id",
                    "user_id",
                    "organisation_id",
                    "categories",
                    "consent_id",
                    "joined_at",
                    "status",
                    "kind",
                    "field",
                    "role_label",
                    "notify",
                    "acts_for_caregiver",
                    "decided_at",
                    "digest_sent_until",
                ],
            ),
            events: Table::new(
                "network_member_events",
                &[
                    "id",
                    "network_id",
                    "member_id",
                    "event",
                    "detail",
                    "by_user_id",
                    "on_behalf",
                    "at",
                ],
            ),
            messages: Table::new(
                "network_messages",
                &[
                    "id",
                    "network_id",
                    "author_user_id",
                    "kind",
                    "body",
                    "to_all",
                    "assigned_member_id",
                    "answer_by",
                    "answered_at",
                    "answered_by_user_id",
                    "answer",
                    "on_behalf",
                    "created_at",
                ],
            ),
            recipients: Table::new("network_message_recipients", &["message_id", "member_id"]),
            situations: Table::new(
                "situation_versions",
                &[
                    "id",
                    "network_id",
                    "version",
                    "content",
                    "author_user_id",
                    "on_behalf",
                    "created_at",
                ],
            ),
        }
    }

    async fn flush(&mut self, conn: &mut Conn) -> Result<()> {
        for table in [
            &mut self.people,
            &mut self.users,
            &mut self.personal_roles,
            &mut self.memberships,
            &mut self.networks,
            &mut self.naasten,
            &mut self.consents,
            &mut self.members,
            &mut self.events,
            &mut self.messages,
            &mut self.recipients,
            &mut self.situations,
        ] {
            table.flush(conn).await?;
        }
        Ok(())
    }

    fn written(&self) -> u64 {
        [
            &self.people,
            &self.users,
            &self.personal_roles,
            &self.memberships,
            &self.networks,
            &self.naasten,
            &self.consents,
            &self.members,
            &self.events,
            &self.messages,
            &self.recipients,
            &self.situations,
        ]
        .iter()
        .map(|t| t.written)
        .sum()
    }
}

const GIVEN: &[&str] = &[
    "Ria", "Ingrid", "Fatma", "Kees", "Anja", "Mohamed", "Petra", "Henk", "Sandra", "Jan",
    "Yvonne", "Ahmed", "Marian", "Willem", "Nicole", "Bas", "Saskia", "Dirk", "Hanneke", "Rob",
    "Karin", "Ernst", "Esra", "Gert", "Monique", "Tom", "Wendy", "Ruud", "Linda", "Hasan",
];
const FAMILY: &[&str] = &[
    "de Vries",
    "Jansen",
    "de Jong",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Yilmaz",
    "El Amrani",
    "Dekker",
    "van Leeuwen",
    "Kok",
];
const BODIES: &[&str] = &[
    "Vandaag ging het goed, we hebben samen gewandeld in het park.",
    "Moeder sliep slecht vannacht, ze was onrustig en vroeg steeds naar huis.",
    "De huisarts komt donderdag langs om de medicatie te bespreken.",
    "Wie kan zaterdag de boodschappen doen? Ik ben zelf naar een verjaardag.",
    "Dank jullie wel voor de hulp deze week, dat scheelde veel.",
    "De thuiszorg komt vanaf maandag een half uur later.",
    "Vader had vanmiddag een goede dag op de dagbesteding.",
    "Ik merk dat ik erg moe ben; kunnen we het rooster samen bekijken?",
    "De rolstoel is gerepareerd en kan weer gebruikt worden.",
    "Herinnering: de afspraak bij de geriater is dinsdag om 10:30.",
];
const QUESTIONS: &[&str] = &[
    "Kan iemand dinsdag rijden naar het ziekenhuis?",
    "Weet iemand of de pedicure deze maand nog komt?",
    "Wie heeft de sleutel van de schuur?",
    "Kunnen we volgende week samen het zorgplan bespreken?",
    "Heeft iemand tijd om vrijdag te koken?",
];
const ANSWERS: &[&str] = &[
    "Ja, dat doe ik.",
    "Ik heb het nagevraagd, het is geregeld.",
    "Ik kan helaas niet, misschien Sanne?",
    "Goed idee, ik plan het in.",
];
const RELATIONS: &[Relation] = &[
    Relation::Partner,
    Relation::Parent,
    Relation::Parent,
    Relation::ParentInLaw,
    Relation::Child,
    Relation::Sibling,
    Relation::OtherFamily,
    Relation::Friend,
    Relation::Neighbour,
];

/// One user of the member pool.
struct PoolMember {
    user_id: String,
    kind: MemberKind,
    field: Option<Field>,
    organisation_id: Option<String>,
    categories: &'static str,
}

fn situation_json(rng: &mut Rng, naaste: &str) -> String {
    Situation {
        naaste: format!(
            "{naaste} heeft sinds enkele jaren dementie en kan niet meer alleen thuis blijven."
        ),
        care_tasks: "Boodschappen, medicijnen, administratie, begeleiding naar afspraken.".into(),
        hours_per_week: Some(rng.range(4, 40) as u16),
        since: format!("sinds {}", rng.range(2015, 2026)),
        living_together: Some(rng.chance(0.5)),
        responsibilities: "Parttime werk, twee kinderen op de basisschool.".into(),
        going_well: "De dagbesteding drie dagen per week.".into(),
        hard: "De nachten en het gebrek aan tijd voor mezelf.".into(),
        wishes: "Eén vaste vrijwilliger op zaterdag.".into(),
        agreements: "De buurvrouw belt als er iets is.".into(),
        emergency_plan: "Mijn zus neemt het over; zij heeft een sleutel.".into(),
        other: String::new(),
    }
    .to_json()
}

/// The 100,000 caregivers and their networks; returns how many rows were written.
async fn bulk_load(store: &Store, caregivers: usize) -> Result<u64> {
    let mut rng = Rng(0x6b72_696e_6762_656e);
    let now = now_ms();
    let year = 365 * DAY_MS;
    let mut tables = Tables::new();

    // Organisations for the professionals, through the store.
    let mut tx = store.begin_write().await?;
    let region = base::insert_region(&mut tx, "Regio Benchmark").await?;
    let mut organisations = Vec::new();
    for i in 0..ORGANISATIONS {
        let kind = [
            OrganisationKind::Care,
            OrganisationKind::Welfare,
            OrganisationKind::Medical,
        ][i % 3];
        let org = base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region.id,
                name: &format!("Organisatie {i} ({})", kind.as_str()),
                kind,
                municipality_id: None,
                website: None,
            },
        )
        .await?;
        organisations.push((org.id, kind));
    }

    // The member pool: family and friends, volunteers, professionals.
    let mut pool = Vec::with_capacity(POOL);
    for j in 0..POOL {
        let (person, user) = (id(), id());
        let given = *rng.pick(GIVEN);
        let family = *rng.pick(FAMILY);
        let email = format!("lid{j}@bench.mantelkring.nl");
        let created = now - rng.range(year, 3 * year);
        tables.people.push(vec![
            t(&person),
            t(given),
            t(family),
            t(&email),
            V::NullT,
            V::NullT,
            V::I(created),
        ]);
        tables.users.push(vec![
            t(&user),
            t(&email),
            t(format!("{given} {family}")),
            t(&person),
            V::I(created),
            V::I(created),
        ]);
        let member = match j % 10 {
            0..=5 => PoolMember {
                user_id: user.clone(),
                kind: MemberKind::Own,
                field: None,
                organisation_id: None,
                categories: "contact,situation,agenda,messages",
            },
            6 | 7 => PoolMember {
                user_id: user.clone(),
                kind: MemberKind::Volunteer,
                field: None,
                organisation_id: None,
                categories: "agenda,messages",
            },
            _ => {
                let (org, kind) = rng.pick(&organisations).clone();
                PoolMember {
                    user_id: user.clone(),
                    kind: MemberKind::Professional,
                    field: Some(Field::of_organisation(kind)),
                    organisation_id: Some(org),
                    categories: "contact,situation,agenda,messages,checks",
                }
            }
        };
        match &member.organisation_id {
            Some(org) => tables.memberships.push(vec![
                t(id()),
                t(&user),
                t(org),
                t(Role::Professional.as_str()),
                V::I(created),
            ]),
            None => tables.personal_roles.push(vec![
                t(&user),
                t(if member.kind == MemberKind::Volunteer {
                    Role::Volunteer.as_str()
                } else {
                    Role::NetworkMember.as_str()
                }),
                V::I(created),
            ]),
        }
        pool.push(member);
    }
    tables.flush(&mut tx).await?;

    let mut batches_in_tx = 0;
    for start in (0..caregivers).step_by(BATCH) {
        for i in start..(start + BATCH).min(caregivers) {
            caregiver(&mut tables, &mut rng, &pool, i, now);
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
    Ok(tables.written())
}

/// One caregiver with their network.
fn caregiver(tables: &mut Tables, rng: &mut Rng, pool: &[PoolMember], i: usize, now: i64) {
    let year = 365 * DAY_MS;
    let (person, user, network) = (id(), id(), id());
    let given = *rng.pick(GIVEN);
    let family = *rng.pick(FAMILY);
    let email = format!("mantelzorger{i}@bench.mantelkring.nl");
    let created = now - rng.range(30 * DAY_MS, 3 * year);
    tables.people.push(vec![
        t(&person),
        t(given),
        t(family),
        t(&email),
        t(format!("06 {:08}", rng.range(0, 100_000_000))),
        t(rng.range(1000, 10_000).to_string()),
        V::I(created),
    ]);
    tables.users.push(vec![
        t(&user),
        t(&email),
        t(format!("{given} {family}")),
        t(&person),
        V::I(created),
        V::I(created),
    ]);
    tables
        .personal_roles
        .push(vec![t(&user), t(Role::Caregiver.as_str()), V::I(created)]);
    tables
        .networks
        .push(vec![t(&network), t(&person), V::I(created)]);
    let naaste_given = *rng.pick(GIVEN);
    tables.naasten.push(vec![
        t(id()),
        t(&network),
        t(naaste_given),
        t(family),
        t(rng.pick(RELATIONS).as_str()),
        V::I(rng.range(1930, 1965)),
        V::I(created),
    ]);

    // 1–3 members from the pool, each with the caregiver's consent.
    let count = 1 + rng.below(3);
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    while chosen.len() < count {
        let j = rng.below(pool.len());
        if !chosen.contains(&j) {
            chosen.push(j);
        }
    }
    let mut member_ids = Vec::with_capacity(count);
    for j in &chosen {
        let m = &pool[*j];
        let (consent, member) = (id(), id());
        let joined = created + rng.range(0, 30 * DAY_MS);
        tables.consents.push(vec![
            t(&consent),
            t(&person),
            t(network::MEMBERSHIP_SCOPE),
            t("online"),
            t(&user),
            V::I(joined),
        ]);
        tables.members.push(vec![
            t(&member),
            t(&network),
            t(&m.user_id),
            opt_t(m.organisation_id.clone()),
            t(m.categories),
            t(&consent),
            V::I(joined),
            t("active"),
            t(m.kind.as_str()),
            opt_t(m.field.map(|f| f.as_str().to_string())),
            t(""),
            t(rng
                .pick(&[
                    NotifyMode::Digest,
                    NotifyMode::Digest,
                    NotifyMode::Immediate,
                ])
                .as_str()),
            V::I(0),
            V::I(joined),
            V::I(joined),
        ]);
        tables.events.push(vec![
            t(id()),
            t(&network),
            t(&member),
            t("added"),
            t(m.categories),
            t(&user),
            V::I(0),
            V::I(joined),
        ]);
        member_ids.push((member, m.user_id.clone()));
    }

    // 0–10 messages, about five on average.
    for _ in 0..rng.below(11) {
        let message = id();
        let at = rng.range(created, now);
        let author = if rng.chance(0.5) {
            user.clone()
        } else {
            rng.pick(&member_ids).1.clone()
        };
        let question = rng.chance(0.2);
        let to_all = rng.chance(0.8);
        let assigned = (question && rng.chance(0.7)).then(|| rng.pick(&member_ids).clone());
        let answered = question && rng.chance(0.85);
        let answer_by = question.then(|| Day::local(at).plus(7).iso());
        tables.messages.push(vec![
            t(&message),
            t(&network),
            t(&author),
            t(if question { "question" } else { "message" }),
            t(*rng.pick(if question { QUESTIONS } else { BODIES })),
            V::I(i64::from(to_all)),
            opt_t(assigned.as_ref().map(|a| a.0.clone())),
            opt_t(answer_by),
            opt_i(answered.then(|| (at + DAY_MS).min(now))),
            opt_t(answered.then(|| assigned.as_ref().map_or(user.clone(), |a| a.1.clone()))),
            opt_t(answered.then(|| rng.pick(ANSWERS).to_string())),
            V::I(0),
            V::I(at),
        ]);
        if !to_all {
            let mut to = vec![rng.pick(&member_ids).0.clone()];
            if let Some(a) = &assigned
                && !to.contains(&a.0)
            {
                to.push(a.0.clone());
            }
            for member in to {
                tables.recipients.push(vec![t(&message), t(member)]);
            }
        }
    }

    let content = situation_json(rng, naaste_given);
    tables.situations.push(vec![
        t(id()),
        t(&network),
        V::I(1),
        t(content),
        t(&user),
        V::I(0),
        V::I(created + DAY_MS),
    ]);
}

// ---- The target network ----------------------------------------------------------------------

/// The network that is measured, and who logs in.
struct Target {
    network_id: String,
}

/// (given, family, kind, field, role label)
type MemberSpec = (
    &'static str,
    &'static str,
    MemberKind,
    Option<Field>,
    &'static str,
);

const TARGET_MEMBERS: [MemberSpec; 30] = [
    // Own network: the first is the member who logs in.
    ("Esther", "Bosman", MemberKind::Own, None, "dochter"),
    ("Mark", "Bosman", MemberKind::Own, None, "zoon"),
    (
        "Joyce",
        "Bosman-Kramer",
        MemberKind::Own,
        None,
        "schoondochter",
    ),
    ("Kees", "Bosman", MemberKind::Own, None, "broer van Wim"),
    ("Marja", "de Boer", MemberKind::Own, None, "zus"),
    ("Jeroen", "Bosman", MemberKind::Own, None, "kleinzoon"),
    ("Lisa", "Bosman", MemberKind::Own, None, "kleindochter"),
    ("Truus", "van Leeuwen", MemberKind::Own, None, "buurvrouw"),
    ("Henk", "Mulder", MemberKind::Own, None, "buurman"),
    ("Ans", "Verbeek", MemberKind::Own, None, "vriendin"),
    // Volunteers and the case manager.
    (
        "Youssef",
        "El Idrissi",
        MemberKind::Volunteer,
        None,
        "vrijwilliger vervoer",
    ),
    (
        "Gerrit",
        "Post",
        MemberKind::Volunteer,
        None,
        "maatje van Wim",
    ),
    (
        "Sandra",
        "Kok",
        MemberKind::Volunteer,
        None,
        "vrijwilliger respijt",
    ),
    (
        "Fenna",
        "Dijkstra",
        MemberKind::Volunteer,
        None,
        "vrijwilliger thuis",
    ),
    ("Bram", "Hoekstra", MemberKind::Volunteer, None, "klussen"),
    (
        "Nadia",
        "Bakker",
        MemberKind::Volunteer,
        None,
        "wandelmaatje",
    ),
    (
        "Monique",
        "Vermeulen",
        MemberKind::CaseManager,
        Some(Field::Care),
        "casemanager dementie",
    ),
    // Professionals: care, welfare, medical.
    (
        "Ilse",
        "Koster",
        MemberKind::Professional,
        Some(Field::Care),
        "wijkverpleegkundige",
    ),
    (
        "Ayse",
        "Demir",
        MemberKind::Professional,
        Some(Field::Care),
        "verzorgende",
    ),
    (
        "Peter",
        "Schouten",
        MemberKind::Professional,
        Some(Field::Care),
        "verzorgende",
    ),
    (
        "Rachid",
        "Amrani",
        MemberKind::Professional,
        Some(Field::Care),
        "begeleider dagbesteding",
    ),
    (
        "Marieke",
        "Jansen",
        MemberKind::Professional,
        Some(Field::Welfare),
        "mantelzorgconsulent",
    ),
    (
        "Frank",
        "de Wit",
        MemberKind::Professional,
        Some(Field::Welfare),
        "ouderenadviseur",
    ),
    (
        "Sevda",
        "Kaya",
        MemberKind::Professional,
        Some(Field::Welfare),
        "maatschappelijk werker",
    ),
    (
        "Tim",
        "Brouwer",
        MemberKind::Professional,
        Some(Field::Welfare),
        "sociaal werker",
    ),
    (
        "Anne",
        "Huisman",
        MemberKind::Professional,
        Some(Field::Medical),
        "huisarts",
    ),
    (
        "Erik",
        "Vos",
        MemberKind::Professional,
        Some(Field::Medical),
        "praktijkondersteuner",
    ),
    (
        "Sophie",
        "van den Berg",
        MemberKind::Professional,
        Some(Field::Medical),
        "specialist ouderengeneeskunde",
    ),
    (
        "Daan",
        "Smits",
        MemberKind::Professional,
        Some(Field::Medical),
        "fysiotherapeut",
    ),
    (
        "Noor",
        "Willems",
        MemberKind::Professional,
        Some(Field::Medical),
        "apotheker",
    ),
];

const TASKS: &[(&str, &str, &str, u32)] = &[
    ("Boodschappen doen", "10:00", "11:00", 1),
    ("Wim naar de dagbesteding brengen", "08:45", "09:30", 1),
    ("Samen wandelen", "14:00", "15:00", 2),
    ("Medicijnen klaarzetten", "18:00", "18:15", 1),
    ("Avondeten koken", "17:00", "18:30", 1),
    ("Oppassen zodat Ineke kan sporten", "19:00", "21:00", 1),
    ("Tuin bijhouden", "13:00", "15:00", 1),
    ("Wim helpen douchen", "09:00", "09:45", 1),
    ("Voorlezen en koffie", "10:30", "11:30", 2),
];

const ONE_OFF: &[&str] = &[
    "Mee naar de geriater",
    "Rolstoel ophalen bij de uitleen",
    "Verjaardag van Wim voorbereiden",
    "Gesprek met de casemanager",
    "Bed verplaatsen naar beneden",
    "Mee naar de tandarts",
    "Aanvraag Wmo-voorziening invullen",
    "Ramen lappen",
];

async fn user_with_person(
    conn: &mut Conn,
    given: &str,
    family: &str,
    email: &str,
    password_hash: Option<&str>,
) -> Result<(String, String)> {
    let person = base::insert_person(
        conn,
        &NewPerson {
            given_name: given,
            family_name: family,
            email: Some(email),
            phone: Some("06 1234 5678"),
            postcode: Some("3881"),
            municipality_id: None,
        },
    )
    .await?;
    let user = base::insert_user(
        conn,
        &NewUser {
            email,
            display_name: &format!("{given} {family}"),
            person_id: Some(&person),
            password_hash,
            totp_secret: None,
        },
    )
    .await?;
    Ok((person, user))
}

/// The measured network, written through the store's own functions.
async fn target_network(store: &Store) -> Result<Target> {
    let mut rng = Rng(0x7461_7267_6574);
    let now = now_ms();
    let today = Day::local(now);
    // One argon2id hash for both logins, made as the demo makes its hashes.
    let hash = argon2::Argon2::default()
        .hash_password(
            PASSWORD.as_bytes(),
            &SaltString::encode_b64(&rand::random::<[u8; 16]>())
                .map_err(|e| anyhow::anyhow!("salt: {e}"))?,
        )
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?
        .to_string();

    let mut tx = store.begin_write().await?;
    let region = base::insert_region(&mut tx, "Regio Noordwest Veluwe (benchmark)").await?;
    let mut orgs = Vec::new();
    for (name, kind) in [
        ("Thuiszorg De Veluwe", OrganisationKind::Care),
        ("Welzijn Noordwest Veluwe", OrganisationKind::Welfare),
        ("Huisartsenpraktijk Het Dorp", OrganisationKind::Medical),
    ] {
        let org = base::insert_organisation(
            &mut tx,
            &NewOrganisation {
                region_id: &region.id,
                name,
                kind,
                municipality_id: None,
                website: None,
            },
        )
        .await?;
        orgs.push(org.id);
    }
    let (caregiver_person, caregiver_user) =
        user_with_person(&mut tx, "Ineke", "Bosman", CAREGIVER_EMAIL, Some(&hash)).await?;
    identity::add_personal_role(&mut tx, &caregiver_user, Role::Caregiver).await?;
    let network_id = network::create_network(&mut tx, &caregiver_person).await?;
    members::add_naaste(
        &mut tx,
        &network_id,
        "Wim",
        "Bosman",
        Relation::Partner,
        Some(1944),
    )
    .await?;
    let by_caregiver = By {
        user_id: &caregiver_user,
        on_behalf: false,
    };

    // The members, each with the caregiver's consent.
    let mut member_ids = Vec::new(); // (member id, user id, kind)
    for (i, (given, family, kind, field, role)) in TARGET_MEMBERS.iter().enumerate() {
        let email = if i == 0 {
            MEMBER_EMAIL.to_string()
        } else {
            format!(
                "{}.{}@bench.mantelkring.nl",
                given.to_lowercase(),
                family.to_lowercase().replace(' ', "")
            )
        };
        let login = (i == 0).then_some(hash.as_str());
        let (_, user) = user_with_person(&mut tx, given, family, &email, login).await?;
        let organisation = match field {
            Some(Field::Care) => Some(orgs[0].as_str()),
            Some(Field::Welfare) => Some(orgs[1].as_str()),
            Some(Field::Medical) => Some(orgs[2].as_str()),
            None => None,
        };
        match organisation {
            Some(org) => base::add_membership(&mut tx, &user, org, Role::Professional).await?,
            None => {
                let role = if *kind == MemberKind::Volunteer {
                    Role::Volunteer
                } else {
                    Role::NetworkMember
                };
                identity::add_personal_role(&mut tx, &user, role).await?
            }
        }
        let categories: Vec<DataCategory> = match kind {
            MemberKind::Own => vec![
                DataCategory::Contact,
                DataCategory::Situation,
                DataCategory::Agenda,
                DataCategory::Messages,
            ],
            MemberKind::Volunteer => vec![DataCategory::Agenda, DataCategory::Messages],
            _ => DataCategory::GRANTABLE.to_vec(),
        };
        let consent = network::record_consent(
            &mut tx,
            &caregiver_person,
            network::MEMBERSHIP_SCOPE,
            ConsentMethod::Online,
            &caregiver_user,
        )
        .await?;
        let member = members::add(
            &mut tx,
            &NewMember {
                network_id: &network_id,
                user_id: &user,
                organisation_id: organisation,
                kind: *kind,
                field: *field,
                role_label: role,
                categories: &categories,
                notify: [NotifyMode::Digest, NotifyMode::Immediate, NotifyMode::Off][i % 3],
                acts_for_caregiver: false,
            },
            &consent,
            by_caregiver,
        )
        .await?;
        member_ids.push((member, user, *kind));
    }
    // History: a member who left, and one proposed by the daughter who waits for approval.
    for (given, family, proposed) in [("Bert", "Hulst", false), ("Wouter", "Bosman", true)] {
        let email = format!(
            "{}.{}@bench.mantelkring.nl",
            given.to_lowercase(),
            family.to_lowercase()
        );
        let (_, user) = user_with_person(&mut tx, given, family, &email, None).await?;
        identity::add_personal_role(&mut tx, &user, Role::NetworkMember).await?;
        let new = NewMember {
            network_id: &network_id,
            user_id: &user,
            organisation_id: None,
            kind: MemberKind::Own,
            field: None,
            role_label: if proposed { "neef" } else { "oud-buurman" },
            categories: &[DataCategory::Agenda, DataCategory::Messages],
            notify: NotifyMode::Digest,
            acts_for_caregiver: false,
        };
        if proposed {
            let daughter = By {
                user_id: &member_ids[0].1,
                on_behalf: false,
            };
            members::propose(&mut tx, &new, "Hij wil graag helpen op zaterdag.", daughter).await?;
        } else {
            let consent = network::record_consent(
                &mut tx,
                &caregiver_person,
                network::MEMBERSHIP_SCOPE,
                ConsentMethod::Online,
                &caregiver_user,
            )
            .await?;
            let member = members::add(&mut tx, &new, &consent, by_caregiver).await?;
            members::remove(&mut tx, &network_id, &member, by_caregiver).await?;
        }
    }

    // The regiehouder: first the case manager, handed over to the caregiver consultant.
    let case_manager = &member_ids[16].0;
    let consultant = &member_ids[21].0;
    for (member, note) in [
        (case_manager, "Monique kent Wim het langst."),
        (
            consultant,
            "Marieke neemt het over: de vragen gaan nu vooral over respijt.",
        ),
    ] {
        let done = regie::appoint(&mut tx, &network_id, member, note, by_caregiver).await?;
        ensure!(done.is_ok(), "regiehouder appointment refused: {done:?}");
    }

    // Four versions of "Mijn situatie".
    for version in 0..4 {
        let mut s: Situation = Situation::from_json(&situation_json(&mut rng, "Wim"))?;
        s.other = format!("Bijgewerkt na het gesprek van week {}.", 10 + version * 6);
        let saved = situation::save(&mut tx, &network_id, version, &s, by_caregiver).await?;
        ensure!(saved.is_ok(), "situation version refused");
    }

    // Agreements.
    for (k, what) in [
        "Esther doet de administratie en de post",
        "Mark regelt het vervoer naar het ziekenhuis",
        "De thuiszorg komt elke ochtend voor de zorg",
        "Gerrit wandelt op woensdag met Wim",
        "De buren hebben een reservesleutel",
        "Marieke bespreekt elk kwartaal hoe het gaat",
        "Casemanager komt eens per maand langs",
        "Weekendrooster wordt op vrijdag afgestemd",
    ]
    .iter()
    .enumerate()
    {
        let who_member = member_ids[k * 3 % member_ids.len()].0.clone();
        let who = if k % 3 == 2 {
            agenda::Who::Text("de thuiszorg")
        } else {
            agenda::Who::Member(&who_member)
        };
        let review = today.plus(if k % 2 == 0 { -10 } else { 30 + k as i64 });
        let done = agenda::add_agreement(
            &mut tx,
            &agenda::NewAgreement {
                network_id: &network_id,
                what,
                who,
                starts_on: today.plus(-200 + 10 * k as i64),
                review_on: Some(review),
            },
            by_caregiver,
        )
        .await?;
        ensure!(done.is_ok(), "agreement refused");
    }

    // Weekly tasks on every weekday (two more on today's) and one-off tasks in the next weeks.
    let helpers: Vec<&String> = member_ids
        .iter()
        .filter(|(_, _, k)| matches!(k, MemberKind::Own | MemberKind::Volunteer))
        .map(|(m, _, _)| m)
        .collect();
    let mut weekly = Vec::new();
    for (k, (title, start, end, needed)) in TASKS.iter().enumerate() {
        // k = 0, 7, 8 fall on today's weekday.
        let from = today.plus(-140 + (k % 7) as i64);
        let task = agenda::add_task(
            &mut tx,
            &agenda::NewTask {
                network_id: &network_id,
                title,
                details: "Zie de afspraken in Mijn situatie.",
                schedule: Schedule::Weekly { from, until: None },
                start: ClockTime::parse(start),
                end: ClockTime::parse(end),
                needed: *needed,
            },
            by_caregiver,
        )
        .await?;
        weekly.push((task, from, *needed));
    }
    let mut one_off = Vec::new();
    for (k, title) in ONE_OFF.iter().enumerate() {
        let on = today.plus(3 * k as i64);
        let task = agenda::add_task(
            &mut tx,
            &agenda::NewTask {
                network_id: &network_id,
                title,
                details: "",
                schedule: Schedule::Once { on },
                start: ClockTime::parse("10:00"),
                end: None,
                needed: 1,
            },
            by_caregiver,
        )
        .await?;
        one_off.push((task, on));
    }
    // Sign-ups for the coming two weeks (some places stay open), through the store.
    for (task, from, needed) in &weekly {
        for d in 0..14 {
            let day = today.plus(d);
            if (day.0 - from.0) % 7 != 0 {
                continue;
            }
            for _ in 0..rng.below(*needed as usize + 1) {
                let member = rng.pick(&helpers);
                let _ = agenda::sign_up(&mut tx, &network_id, task, day, member, today).await?;
            }
        }
    }
    for (task, on) in one_off.iter().step_by(2) {
        let member = rng.pick(&helpers);
        let _ = agenda::sign_up(&mut tx, &network_id, task, *on, member, today).await?;
    }
    // Past sign-ups (the store refuses new ones for past days): twenty weeks of history.
    let mut past = Table::new(
        "network_task_signups",
        &["id", "task_id", "occurs_on", "member_id", "created_at"],
    );
    for (task, from, _) in &weekly {
        let mut day = *from;
        while day < today {
            let member = rng.pick(&helpers);
            past.push(vec![
                t(id()),
                t(task),
                t(day.iso()),
                t(member.as_str()),
                V::I(day.start_ms() - 3 * DAY_MS),
            ]);
            day = day.plus(7);
        }
    }
    past.flush(&mut tx).await?;

    // 5,000 timeline entries over two years, the newest minutes ago.
    let addressable = timeline::addressable(&mut tx, &network_id).await?;
    let first = now - 730 * DAY_MS;
    let step = (now - 5 * 60_000 - first) / TARGET_ENTRIES as i64;
    let mut open = 0;
    for n in 0..TARGET_ENTRIES {
        let at = first + n as i64 * step + rng.range(0, step / 2);
        let author = if rng.chance(0.35) {
            caregiver_user.clone()
        } else {
            rng.pick(&member_ids[..20]).1.clone()
        };
        let question = rng.chance(0.15);
        let chosen: Vec<String> = if rng.chance(0.25) {
            (0..1 + rng.below(4))
                .map(|_| rng.pick(&addressable).member_id.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        let assigned =
            (question && rng.chance(0.8)).then(|| rng.pick(&addressable).member_id.clone());
        let body = if question {
            rng.pick(QUESTIONS).to_string()
        } else {
            format!("{} {}", rng.pick(BODIES), rng.pick(BODIES))
        };
        let message = timeline::post(
            &mut tx,
            &timeline::NewPost {
                network_id: &network_id,
                by: By {
                    user_id: &author,
                    on_behalf: false,
                },
                kind: if question {
                    timeline::Kind::Question
                } else {
                    timeline::Kind::Message
                },
                body: &body,
                audience: if chosen.is_empty() {
                    timeline::Audience::All
                } else {
                    timeline::Audience::Members(&chosen)
                },
                assigned_member_id: assigned.as_deref(),
                answer_by: None,
                now: at,
            },
        )
        .await?;
        // Questions of the last three weeks are open, and one in forty older ones (overdue).
        let recent = now - at < 21 * DAY_MS;
        if question && (recent || rng.chance(0.025)) {
            open += 1;
        } else if question {
            let answered_by = rng.pick(&member_ids).1.clone();
            timeline::answer(
                &mut tx,
                &network_id,
                &message,
                &answered_by,
                ANSWERS[rng.below(ANSWERS.len())],
                at + rng.range(3_600_000, 3 * DAY_MS),
            )
            .await?;
        }
    }
    tx.commit().await?;
    eprintln!("target network: {open} open questions");
    Ok(Target { network_id })
}

// ---- Over HTTP -------------------------------------------------------------------------------

fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?)
}

async fn login(base: &str, email: &str) -> Result<reqwest::Client> {
    let client = client()?;
    let html = client
        .get(format!("{base}/inloggen"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no CSRF token on /inloggen")?
        .to_string();
    let r = client
        .post(format!("{base}/inloggen"))
        .form(&[("email", email), ("wachtwoord", PASSWORD), ("csrf", &csrf)])
        .send()
        .await?;
    ensure!(
        r.status() == reqwest::StatusCode::SEE_OTHER,
        "login of {email}: {}",
        r.status()
    );
    Ok(client)
}

/// The `rel="next"` link of a timeline page (its cursor), if any.
fn older_link(html: &str) -> Option<String> {
    let end = html.find("\" rel=\"next\"")?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(
        html[start..end]
            .replace("&amp;", "&")
            .replace("&#x2f;", "/")
            .replace("&#47;", "/"),
    )
}

struct Probe {
    label: String,
    /// 0: no session, 1: the caregiver, 2: the member.
    who: usize,
    path: String,
    samples: Vec<Duration>,
}

async fn get(client: &reqwest::Client, url: &str) -> Result<(reqwest::StatusCode, String)> {
    let r = client.get(url).send().await?;
    let status = r.status();
    Ok((status, r.text().await?))
}

async fn measure(
    name: &str,
    addr: std::net::SocketAddr,
    target: &Target,
    requests: usize,
    warmup: usize,
) -> Result<(Vec<String>, Vec<String>)> {
    let base = format!("http://{addr}");
    let clients = [
        client()?,
        login(&base, CAREGIVER_EMAIL).await?,
        login(&base, MEMBER_EMAIL).await?,
    ];
    let kring = format!("/kringen/{}", target.network_id);
    let mut probes = vec![
        (
            "GET /healthz (ceiling)".to_string(),
            0,
            "/healthz".to_string(),
        ),
        ("overview, caregiver".into(), 1, kring.clone()),
        ("overview, member (family)".into(), 2, kring.clone()),
        ("/leden, caregiver".into(), 1, format!("{kring}/leden")),
        ("/regie, caregiver".into(), 1, format!("{kring}/regie")),
    ];
    let mut notes = Vec::new();
    let timeline_path = format!("{kring}/tijdlijn");
    let (status, html) = get(&clients[1], &format!("{base}{timeline_path}")).await?;
    if status == reqwest::StatusCode::NOT_FOUND {
        notes.push(format!(
            "{name}: /kringen/{{id}}/tijdlijn answers 404 (not on this branch yet): skipped"
        ));
    } else {
        ensure!(status.is_success(), "{timeline_path}: {status}");
        probes.push(("/tijdlijn, caregiver".into(), 1, timeline_path.clone()));
        probes.push(("/tijdlijn, member".into(), 2, timeline_path.clone()));
        match older_link(&html) {
            Some(page2) => {
                // Follow the cursor links down to the deep page.
                let mut link = page2.clone();
                for _ in 2..DEEP_PAGE {
                    let (status, html) = get(&clients[1], &format!("{base}{link}")).await?;
                    ensure!(status.is_success(), "{link}: {status}");
                    link = older_link(&html).context("the timeline ended before the deep page")?;
                }
                probes.push(("/tijdlijn page 2 (?before=)".into(), 1, page2));
                probes.push((format!("/tijdlijn page {DEEP_PAGE} (?before=)"), 1, link));
            }
            None => notes.push(format!(
                "{name}: the timeline page has no rel=\"next\" link: older pages not measured"
            )),
        }
    }
    let mut probes: Vec<Probe> = probes
        .into_iter()
        .map(|(label, who, path)| Probe {
            label,
            who,
            path,
            samples: Vec::with_capacity(requests),
        })
        .collect();

    eprintln!("{name}: warm-up {warmup} rounds, then {requests} rounds …");
    for p in &probes {
        let (status, html) = get(&clients[p.who], &format!("{base}{}", p.path)).await?;
        if !status.is_success() {
            bail!("{} ({}): {status}", p.label, p.path);
        }
        if p.who != 0 {
            ensure!(
                html.contains("Ineke Bosman"),
                "{}: the page does not name the caregiver",
                p.label
            );
        }
    }
    for _ in 0..warmup {
        for p in &probes {
            get(&clients[p.who], &format!("{base}{}", p.path)).await?;
        }
    }
    for _ in 0..requests {
        for p in probes.iter_mut() {
            let url = format!("{base}{}", p.path);
            let started = Instant::now();
            let r = clients[p.who].get(&url).send().await?;
            let status = r.status();
            r.bytes().await?;
            p.samples.push(started.elapsed());
            ensure!(status.is_success(), "{}: {status}", p.label);
        }
    }

    for p in probes.iter_mut() {
        p.samples.sort_unstable();
    }
    let ceiling = percentile(&probes[0].samples, 0.99);
    let rows = probes
        .iter()
        .map(|p| {
            let p99 = percentile(&p.samples, 0.99);
            let verdict = if p.who == 0 {
                String::new()
            } else if p99.as_secs_f64() * 1000.0 <= TARGET_P99_MS {
                "met".into()
            } else {
                "MISSED".into()
            };
            format!(
                "{name:<9}{:<34}{:>6}{:>10}{:>10}{:>10}{:>8.1}×   {verdict}",
                p.label,
                p.samples.len(),
                ms(percentile(&p.samples, 0.50)),
                ms(p99),
                ms(*p.samples.last().unwrap_or(&Duration::ZERO)),
                p99.as_secs_f64() / ceiling.as_secs_f64().max(1e-9),
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
