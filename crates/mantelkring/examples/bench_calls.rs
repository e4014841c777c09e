//! Benchmark of the call list "Wie bel ik vandaag?" (issue 6, Performance: the call list for a
//! professional with 300 caregivers, p99 ≤ 20 ms over HTTP). Prints figures, asserts no times.
//!
//! ```text
//! scripts/bench-calls            # or:
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo run --release -p mantelkring --example bench_calls
//! ```
//!
//! Per backend (SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set, in a throw-away
//! database created on that server and dropped afterwards):
//!
//! 1. Data, through the store's own functions: one caller (a professional with a second factor)
//!    in the networks of 300 caregivers (consent, membership with checks and contact details),
//!    each with a contact plan (every 7 to 91 days, begun up to a year ago) and a contact log of
//!    up to a year (phone, home visits, voortuingesprekken, unanswered attempts: 0–26 contacts),
//!    so that some caregivers are due today or overdue, some this week and the rest later; plus
//!    2,000 other caregivers with 20 other callers, plans and logs, so the caller's rows are not
//!    the whole table. Row counts and the number of caregivers on the list are printed.
//! 2. The real application starts in process on that database; the caller logs in over HTTP
//!    (password, then the TOTP code).
//! 3. Sequentially over keep-alive, after a warm-up, in rounds: `/healthz` (the ceiling),
//!    `/bellen` (one set-based query, then one NEN 7513 record per caregiver shown, all in the
//!    page's write transaction) and one caregiver's contact page.
//!
//! Prints p50, p99 and max per page, the ratio of its p99 to `/healthz`'s, and whether the
//! target p99 ≤ 20 ms is met. Environment: `BENCH_CALLS_CAREGIVERS` (the caller's, default 300),
//! `BENCH_CALLS_OTHERS` (default 2000), `BENCH_CALLS_REQUESTS` (per page, default 1000),
//! `BENCH_CALLS_WARMUP` (rounds, default 100).

use anyhow::{Context, Result, ensure};
use argon2::password_hash::{PasswordHasher, SaltString};
use mantelkring::app::{self, Application};
use mantelkring::config::{Config, LogFormat};
use mantelkring_core::access::DataCategory;
use mantelkring_core::base::{OrganisationKind, Role};
use mantelkring_core::identity::totp;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::network::{MemberKind, NotifyMode};
use mantelkring_core::screening::{CallerKind, ContactKind, PLAN_FREQUENCIES};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewOrganisation, NewPerson, NewUser};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::screening::contacts::{self, NewContact, NewPlan};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, identity};
use std::path::Path;
use std::time::{Duration, Instant};

const TARGET_P99_MS: f64 = 20.0;
const PASSWORD: &str = "bench-bellen-wachtwoord-2026";
const CALLER_EMAIL: &str = "marloes.vermeer@bench.mantelkring.nl";
const SECRET: &str = "BENCHBELLENMARLOESVERMEERAAAAAAA";
const OTHER_CALLERS: usize = 20;
const DAY_MS: i64 = 86_400_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
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

#[tokio::main]
async fn main() -> Result<()> {
    let mine = env_usize("BENCH_CALLS_CAREGIVERS", 300);
    let others = env_usize("BENCH_CALLS_OTHERS", 2_000);
    let requests = env_usize("BENCH_CALLS_REQUESTS", 1_000).max(1);
    let warmup = env_usize("BENCH_CALLS_WARMUP", 100);
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
        format!("call-list benchmark ({cores} cores, {profile}; load average at start {load})"),
        format!(
            "data: a caller with {mine} caregivers (plan + up to a year of contacts each), \
             {others} other caregivers with {OTHER_CALLERS} other callers"
        ),
        format!(
            "HTTP: sequential, keep-alive, {warmup} warm-up rounds, then {requests} requests per \
             page interleaved; /bellen writes one audit record per caregiver shown"
        ),
    ];
    let mut table = Vec::new();
    let sqlite = TestDatabase::sqlite();
    let (lines, rows) = run_backend(&sqlite, mine, others, requests, warmup).await?;
    out.extend(lines);
    table.extend(rows);
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let postgres = TestDatabase::postgres(&admin).await;
            let (lines, rows) = run_backend(&postgres, mine, others, requests, warmup).await?;
            out.extend(lines);
            table.extend(rows);
        }
        _ => out.push("postgres: not measured (set TEST_DATABASE_URL to include it)".into()),
    }
    println!();
    for line in out {
        println!("{line}");
    }
    println!();
    println!(
        "{:<9}{:<30}{:>6}{:>10}{:>10}{:>10}{:>9}   target p99 ≤ {TARGET_P99_MS:.0} ms",
        "backend", "page", "n", "p50", "p99", "max", "p99/hz"
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
        job_poll: Duration::from_secs(5),
        directory_stale_after_days: 183,
        instruments: std::sync::Arc::new(
            mantelkring_core::screening::instrument::Catalogue::built_in(),
        ),
    }
}

async fn run_backend(
    db: &TestDatabase,
    mine: usize,
    others: usize,
    requests: usize,
    warmup: usize,
) -> Result<(Vec<String>, Vec<String>)> {
    let name = db.backend.name();
    let dir = std::env::temp_dir().join(format!("mk-bench-calls-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir)?;
    let config = config(&db.url, &dir);
    let store = app::open_store(&config).await?;
    eprintln!("{name}: loading …");
    let started = Instant::now();
    let (one_network, on_list) = load(&store, mine, others).await?;
    let mut lines = vec![format!(
        "{name}: loaded in {:.1} s: {} contact plans, {} contacts; {on_list} of the caller's \
         {mine} caregivers due within a week (on the list)",
        started.elapsed().as_secs_f64(),
        count(&store, "contact_plans").await?,
        count(&store, "contacts").await?,
    )];
    if db.backend == mantelkring_store::Backend::Postgres {
        sqlx::query("ANALYZE").execute(store.pool()).await?;
    }
    let application = Application::build(&config, store.clone()).await?;
    let addr = application.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    let result = measure(name, addr, &one_network, on_list, requests, warmup).await;
    // Counted before the application stops (it closes the pool on shutdown).
    let audit = count(&store, "audit_log").await;
    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_dir_all(&dir);
    let rows = result?;
    lines.push(format!("{name}: audit records after the run: {}", audit?));
    Ok((lines, rows))
}

async fn count(store: &Store, table: &str) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await?;
    Ok(n)
}

/// Loads the caller, their caregivers and the others; returns one of the caller's networks and
/// how many of theirs are due within a week.
async fn load(store: &Store, mine: usize, others: usize) -> Result<(String, usize)> {
    let hash = argon2::Argon2::default()
        .hash_password(
            PASSWORD.as_bytes(),
            &SaltString::encode_b64(&rand::random::<[u8; 16]>())
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string();
    let mut tx = store.begin_write().await?;
    let region = base::insert_region(&mut tx, "Bench").await?;
    let org = base::insert_organisation(
        &mut tx,
        &NewOrganisation {
            region_id: &region.id,
            name: "Steunpunt Bench",
            kind: OrganisationKind::Welfare,
            municipality_id: None,
            website: None,
        },
    )
    .await?;
    let mut callers = Vec::new();
    for i in 0..=OTHER_CALLERS {
        let email = if i == 0 {
            CALLER_EMAIL.to_string()
        } else {
            format!("beller{i}@bench.mantelkring.nl")
        };
        let user = base::insert_user(
            &mut tx,
            &NewUser {
                email: &email,
                display_name: &format!("Beller {i}"),
                person_id: None,
                password_hash: Some(&hash),
                totp_secret: None,
            },
        )
        .await?;
        base::add_membership(&mut tx, &user, &org.id, Role::Professional).await?;
        if i == 0 {
            identity::enable_totp(&mut tx, &user, SECRET).await?;
        }
        callers.push(user);
    }
    tx.commit().await?;

    let now = now_ms();
    let today = Day::local(now);
    let mut rng = Rng(2026);
    let mut one_network = String::new();
    let mut on_list = 0;
    let mut tx = store.begin_write().await?;
    for i in 0..mine + others {
        let caller = if i < mine {
            &callers[0]
        } else {
            &callers[1 + i % OTHER_CALLERS]
        };
        let person = base::insert_person(
            &mut tx,
            &NewPerson {
                given_name: &format!("Mantelzorger{i}"),
                family_name: "Bench",
                email: None,
                phone: Some("071 555 0000"),
                postcode: None,
                municipality_id: None,
            },
        )
        .await?;
        let network_id = network::network_of(&mut tx, &person).await?;
        let consent = network::record_consent(
            &mut tx,
            &person,
            network::MEMBERSHIP_SCOPE,
            ConsentMethod::Verbal,
            caller,
        )
        .await?;
        members::add(
            &mut tx,
            &NewMember {
                network_id: &network_id,
                user_id: caller,
                organisation_id: Some(&org.id),
                kind: MemberKind::Professional,
                field: None,
                role_label: "mantelzorgconsulent",
                categories: &[DataCategory::Contact, DataCategory::Checks],
                notify: NotifyMode::Off,
                acts_for_caregiver: false,
            },
            &consent,
            By {
                user_id: caller,
                on_behalf: false,
            },
        )
        .await?;
        let every = PLAN_FREQUENCIES[rng.below(PLAN_FREQUENCIES.len() as u64) as usize];
        let started = 30 + rng.below(330) as i64;
        contacts::save_plan(
            &mut tx,
            &NewPlan {
                network_id: &network_id,
                every_days: every,
                caller_user_id: caller,
                caller_kind: CallerKind::Professional,
                starts_on: today.plus(-started),
                by_user_id: caller,
                now,
            },
        )
        .await?;
        // Contacts about once a plan period from the start, the last one at a random point of
        // the current period (or a little overdue).
        let mut day = started - rng.below(u64::from(every)) as i64;
        while day > 0 {
            let kind = match rng.below(10) {
                0..=4 => ContactKind::Phone,
                5 | 6 => ContactKind::HomeVisit,
                7 => ContactKind::FrontGarden,
                8 => ContactKind::Online,
                _ => ContactKind::NoAnswer,
            };
            let at = today.plus(-day).start_ms() + (9 + rng.below(8) as i64) * 3_600_000;
            contacts::log_contact(
                &mut tx,
                &NewContact {
                    network_id: &network_id,
                    kind,
                    happened_at: at.min(now - DAY_MS),
                    note: "Gebeld; het gaat redelijk.",
                    cannot_cope: false,
                    by_user_id: caller,
                    now: at,
                },
            )
            .await?;
            day -= i64::from(every) + rng.below(10) as i64 - 3;
        }
        if i < mine {
            let plan = contacts::plan(&mut tx, &network_id)
                .await?
                .context("plan saved")?;
            let seen = contacts::seen(&mut tx, &network_id).await?;
            if contacts::due_day(plan.every_days, plan.starts_on, seen) <= today.plus(7) {
                on_list += 1;
            }
            if one_network.is_empty() {
                one_network = network_id.clone();
            }
        }
        if i % 500 == 499 {
            tx.commit().await?;
            tx = store.begin_write().await?;
        }
    }
    tx.commit().await?;
    Ok((one_network, on_list))
}

fn client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?)
}

fn csrf(html: &str) -> Result<String> {
    Ok(html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no CSRF token")?
        .to_string())
}

/// Logs the caller in: password, then the TOTP code.
async fn login(base: &str) -> Result<reqwest::Client> {
    let client = client()?;
    let html = client
        .get(format!("{base}/inloggen"))
        .send()
        .await?
        .text()
        .await?;
    let r = client
        .post(format!("{base}/inloggen"))
        .form(&[
            ("email", CALLER_EMAIL),
            ("wachtwoord", PASSWORD),
            ("csrf", &csrf(&html)?),
        ])
        .send()
        .await?;
    ensure!(
        r.status() == reqwest::StatusCode::SEE_OTHER,
        "login: {}",
        r.status()
    );
    let html = client
        .get(format!("{base}/inloggen/code"))
        .send()
        .await?
        .text()
        .await?;
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let code = format!(
        "{:06}",
        totp::code_at(&totp::decode_secret(SECRET).context("secret")?, unix)
    );
    let r = client
        .post(format!("{base}/inloggen/code"))
        .form(&[("code", code.as_str()), ("csrf", &csrf(&html)?)])
        .send()
        .await?;
    ensure!(
        r.status() == reqwest::StatusCode::SEE_OTHER,
        "code: {}",
        r.status()
    );
    Ok(client)
}

async fn measure(
    name: &str,
    addr: std::net::SocketAddr,
    one_network: &str,
    on_list: usize,
    requests: usize,
    warmup: usize,
) -> Result<Vec<String>> {
    let base = format!("http://{addr}");
    let clients = [client()?, login(&base).await?];
    let probes = [
        ("GET /healthz (ceiling)", 0usize, "/healthz".to_string()),
        ("/bellen (call list)", 1, "/bellen".to_string()),
        (
            "contact page (one caregiver)",
            1,
            format!("/kringen/{one_network}/signaleren/contact"),
        ),
    ];
    // The list shows what the store counted.
    let html = clients[1]
        .get(format!("{base}/bellen"))
        .send()
        .await?
        .text()
        .await?;
    let shown = html.matches("class=\"mk-card mk-call\"").count();
    ensure!(
        shown == on_list,
        "{name}: /bellen shows {shown}, expected {on_list}"
    );
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(requests); probes.len()];
    eprintln!("{name}: warm-up {warmup} rounds, then {requests} rounds …");
    for _ in 0..warmup {
        for (_, who, path) in &probes {
            let r = clients[*who].get(format!("{base}{path}")).send().await?;
            ensure!(r.status().is_success(), "{path}: {}", r.status());
            r.bytes().await?;
        }
    }
    for _ in 0..requests {
        for (i, (label, who, path)) in probes.iter().enumerate() {
            let started = Instant::now();
            let r = clients[*who].get(format!("{base}{path}")).send().await?;
            let status = r.status();
            r.bytes().await?;
            samples[i].push(started.elapsed());
            ensure!(status.is_success(), "{label}: {status}");
        }
    }
    for s in samples.iter_mut() {
        s.sort_unstable();
    }
    let ceiling = percentile(&samples[0], 0.99);
    Ok(probes
        .iter()
        .zip(&samples)
        .map(|((label, who, _), s)| {
            let p99 = percentile(s, 0.99);
            let verdict = if *who == 0 {
                String::new()
            } else if p99.as_secs_f64() * 1000.0 <= TARGET_P99_MS {
                "met".into()
            } else {
                "MISSED".into()
            };
            format!(
                "{name:<9}{label:<30}{:>6}{:>10}{:>10}{:>10}{:>8.1}×   {verdict}",
                s.len(),
                ms(percentile(s, 0.50)),
                ms(p99),
                ms(*s.last().unwrap_or(&Duration::ZERO)),
                p99.as_secs_f64() / ceiling.as_secs_f64().max(1e-9),
            )
        })
        .collect())
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
