//! Benchmark for "Identity, access and audit": prints figures, asserts no times.
//!
//! 1. Login cost: the argon2id password verification exactly as the login does it
//!    (`PasswordHash::new` + `Argon2::default().verify_password` on a blocking thread), p50/p99.
//! 2. Per-request overhead of the access policy + NEN 7513 audit write: the caregiver page's
//!    path (relationship lookup → `BEGIN` write → `may` → `audit::append` → read → commit) against
//!    a plain read (`BEGIN` read → read → commit), p50/p99, single task; then 8 concurrent tasks
//!    doing audited reads (throughput; on PostgreSQL this contends on the audit-chain row lock).
//!    Afterwards the audit chain is verified.
//!
//! SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (a fresh database is created on
//! that server and dropped afterwards). Run with `scripts/bench-identity`.

use anyhow::{Context, Result, bail};
use mantelkring::demo;
use mantelkring_core::access::{Action, Actor, DataCategory, Decision, Resource, may};
use mantelkring_core::base::Role;
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, audit, base, identity, network};
use std::time::{Duration, Instant};

const LOGIN_WARMUP: usize = 2;
const LOGIN_RUNS: usize = 30;
const WARMUP: usize = 200;
const ITERATIONS: usize = 2000;
const TASKS: usize = 8;
const READS_PER_TASK: usize = 500;

#[tokio::main]
async fn main() -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let mut lines = vec![format!("identity benchmark ({cores} cores, {profile})")];

    let sqlite = TestDatabase::sqlite();
    let (store, fixture) = prepare(&sqlite).await?;

    eprintln!("login: {LOGIN_RUNS} argon2id verifications …");
    let login = bench_login(&store).await?;
    lines.push(format!(
        "{:<33}{}   (n={})",
        "login: argon2id verify",
        p50_p99(&login),
        login.len()
    ));

    lines.extend(bench_backend("sqlite", &store, &fixture).await?);
    store.close().await;
    drop(sqlite);

    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let postgres = TestDatabase::postgres(&admin).await;
            let (store, fixture) = prepare(&postgres).await?;
            lines.extend(bench_backend("postgres", &store, &fixture).await?);
            store.close().await;
            drop(postgres);
        }
        _ => lines.push("postgres: not measured (set TEST_DATABASE_URL to include it)".into()),
    }

    println!();
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// Who reads whom: the demo professional (second factor passed) and the demo caregiver.
struct Fixture {
    actor: Actor,
    person_id: String,
}

async fn prepare(db: &TestDatabase) -> Result<(Store, Fixture)> {
    let store = db.store().await;
    let seeded = demo::seed(&store).await.context("seed demo region")?;
    let email = demo::ACCOUNTS
        .iter()
        .find(|a| a.role == Role::Professional)
        .context("demo professional")?
        .email;
    let user = base::find_user_by_email(&store, email)
        .await?
        .context("demo professional user")?;
    let actor = identity::load_actor(&store, &user.id, true)
        .await?
        .context("demo professional actor")?;
    Ok((
        store,
        Fixture {
            actor,
            person_id: seeded.caregiver_person_id,
        },
    ))
}

/// The password check of the login handler (`password_matches` in crates/web/src/identity.rs).
async fn password_matches(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

async fn bench_login(store: &Store) -> Result<Vec<Duration>> {
    let email = demo::ACCOUNTS
        .iter()
        .find(|a| a.role == Role::Professional)
        .context("demo professional")?
        .email;
    let hash = identity::login_account(store, email)
        .await?
        .and_then(|a| a.password_hash)
        .context("demo password hash")?;
    let mut times = Vec::with_capacity(LOGIN_RUNS);
    for i in 0..LOGIN_WARMUP + LOGIN_RUNS {
        let start = Instant::now();
        let ok = password_matches(demo::DEMO_PASSWORD.to_string(), hash.clone()).await;
        let elapsed = start.elapsed();
        if !ok {
            bail!("the demo password did not verify");
        }
        if i >= LOGIN_WARMUP {
            times.push(elapsed);
        }
    }
    Ok(times)
}

/// A read without policy or audit: the baseline.
async fn plain_read(store: &Store, person_id: &str) -> Result<()> {
    let mut tx = store.begin_read().await?;
    let record = network::person(&mut tx, person_id).await?;
    tx.commit().await?;
    record.context("person not found")?;
    Ok(())
}

/// A read as the caregiver page does it (crates/web/src/people.rs `person` + access.rs `decide`).
async fn audited_read(store: &Store, actor: &Actor, person_id: &str) -> Result<()> {
    let relationship = network::relationship(store, actor, person_id).await?;
    let with_contact = may(
        Some(actor),
        Action::Read,
        &Resource::PersonData {
            category: DataCategory::Contact,
            relationship: &relationship,
        },
    )
    .is_allowed();
    let categories = if with_contact {
        "basic,contact"
    } else {
        "basic"
    };
    let mut tx = store.begin_write().await?;
    let decision = may(
        Some(actor),
        Action::Read,
        &Resource::PersonData {
            category: DataCategory::Basic,
            relationship: &relationship,
        },
    );
    let (outcome, purpose) = match decision {
        Decision::Allow(p) => ("success", p.as_str()),
        Decision::Deny(reason) => ("denied", reason.as_str()),
    };
    let role = actor.main_role();
    let organisation = role.and_then(|r| {
        actor
            .memberships
            .iter()
            .find(|(_, m)| *m == r)
            .map(|(o, _)| o.as_str())
    });
    audit::append(
        &mut tx,
        store.backend(),
        &audit::NewEvent {
            action: Action::Read.as_str(),
            outcome,
            user_id: Some(&actor.user_id),
            user_role: role.map(|r| r.as_str()),
            organisation_id: organisation,
            on_behalf_of: None,
            purpose,
            network_address: Some("127.0.0.1"),
            source: "mantelkring bench_identity",
            subject_person_id: Some(person_id),
            data_category: Some(categories),
            detail: None,
        },
    )
    .await?;
    if let Decision::Deny(reason) = decision {
        bail!("access refused: {}", reason.as_str());
    }
    let record = network::person(&mut tx, person_id).await?;
    tx.commit().await?;
    record.context("person not found")?;
    Ok(())
}

async fn bench_backend(name: &str, store: &Store, f: &Fixture) -> Result<Vec<String>> {
    eprintln!("{name}: warm-up {WARMUP}, then {ITERATIONS} plain and {ITERATIONS} audited reads …");
    for _ in 0..WARMUP {
        plain_read(store, &f.person_id).await?;
        audited_read(store, &f.actor, &f.person_id).await?;
    }
    // Interleaved, so both see the same database state (the audit log grows as we go).
    let mut plain = Vec::with_capacity(ITERATIONS);
    let mut audited = Vec::with_capacity(ITERATIONS);
    for _ in 0..ITERATIONS {
        let start = Instant::now();
        plain_read(store, &f.person_id).await?;
        plain.push(start.elapsed());
        let start = Instant::now();
        audited_read(store, &f.actor, &f.person_id).await?;
        audited.push(start.elapsed());
    }
    sort(&mut plain);
    sort(&mut audited);

    eprintln!("{name}: {TASKS} tasks × {READS_PER_TASK} audited reads …");
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        let (store, actor, person_id) = (store.clone(), f.actor.clone(), f.person_id.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(READS_PER_TASK);
            for _ in 0..READS_PER_TASK {
                let start = Instant::now();
                audited_read(&store, &actor, &person_id).await?;
                times.push(start.elapsed());
            }
            anyhow::Ok(times)
        }));
    }
    let mut concurrent = Vec::with_capacity(TASKS * READS_PER_TASK);
    for task in tasks {
        concurrent.extend(task.await??);
    }
    let wall = start.elapsed();
    sort(&mut concurrent);
    let per_second = concurrent.len() as f64 / wall.as_secs_f64();

    eprintln!("{name}: verifying the audit chain …");
    let chain = match audit::verify(store).await? {
        Ok(n) => format!(
            "{name:<9}audit chain intact: {} records",
            thousands(n as u64)
        ),
        Err(problem) => format!("{name:<9}AUDIT CHAIN BROKEN: {problem:?}"),
    };

    let (p50_plain, p50_audited) = (percentile(&plain, 0.50), percentile(&audited, 0.50));
    let overhead = p50_audited.saturating_sub(p50_plain);
    let ratio = p50_audited.as_secs_f64() / p50_plain.as_secs_f64();
    Ok(vec![
        format!(
            "{:<33}{}",
            format!("{name:<9}read, no audit"),
            p50_p99(&plain)
        ),
        format!(
            "{:<33}{}   overhead p50 {} ({ratio:.1}x)",
            format!("{name:<9}read + policy + audit"),
            p50_p99(&audited),
            ms(overhead)
        ),
        format!(
            "{:<33}{} reads/s   ({} in {:.2} s; latency {})",
            format!("{name:<9}{TASKS} tasks audited reads"),
            thousands(per_second.round() as u64),
            thousands(concurrent.len() as u64),
            wall.as_secs_f64(),
            p50_p99(&concurrent)
        ),
        chain,
    ])
}

fn sort(times: &mut [Duration]) {
    times.sort_unstable();
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn p50_p99(times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sort(&mut sorted);
    format!(
        "p50 {:>8}  p99 {:>8}",
        ms(percentile(&sorted, 0.50)),
        ms(percentile(&sorted, 0.99))
    )
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
