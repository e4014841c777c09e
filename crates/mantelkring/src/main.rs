//! `mantelkring`: one binary with subcommands. Start-up problems are printed in one line
//! (Dutch / English) with exit code 2; never a panic or a stack trace.

use clap::{Parser, Subcommand};
use mantelkring::app::{self, Application, StartError};
use mantelkring::config::{Config, LogFormat, SETTINGS_HELP, Settings};
use mantelkring::hsds_io::{self, Format};
use mantelkring::{demo, import};
use mantelkring_core::api_token::{self, ApiScope};
use mantelkring_core::identity::Email;
use mantelkring_core::time::now_ms;
use mantelkring_store::api_tokens::{self, NewApiToken};
use mantelkring_store::jobs::{self, JobStatus};
use mantelkring_store::{Store, StoreError, audit, base, identity};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "mantelkring",
    version,
    about = "Mantelkring — samen zorgen voor wie zorgt. A platform for informal caregivers and the people around them.",
    after_help = SETTINGS_HELP
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start with a fresh demo database (DATA_DIR/demo.db, embedded SQLite) filled with a demo region, and serve it
    Demo,
    /// Serve the application (migrates the database first)
    Serve,
    /// Apply database migrations and exit
    Migrate,
    /// Look at or retry background jobs
    Jobs {
        #[command(subcommand)]
        action: JobsAction,
    },
    /// The NEN 7513 access log
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// API tokens for integrations (Authorization: Bearer mk_…)
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Import reference data or the sociale kaart from a file (all or nothing; --dry-run only checks)
    Import {
        #[command(subcommand)]
        what: ImportKind,
    },
    /// Export data to a file
    Export {
        #[command(subcommand)]
        what: ExportKind,
    },
}

#[derive(Subcommand)]
enum ExportKind {
    /// Every service of the sociale kaart as Open Referral HSDS 3.0, fully nested
    ///
    /// One service per line (NDJSON), or one JSON array when PATH ends in .json; every status,
    /// also inactive and defunct services. `import hsds` of this file into an installation with
    /// the same municipalities gives the same map (ids included).
    Hsds {
        /// The file to write (overwritten)
        #[arg(value_name = "PATH")]
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportKind {
    /// PC4 postcode areas with their centroid, from a CSV file
    ///
    /// The file is UTF-8, comma-separated, with the header line
    /// pc4,woonplaats,gemeente,provincie,latitude,longitude
    /// (one extra last column, such as soort, is ignored). Fields with a comma are quoted;
    /// latitude and longitude are decimal degrees with a point; gemeente may be empty; a pc4 may
    /// occur only once. Every problem is printed as "regel N, veld X: …" and then nothing is
    /// written (exit code 2). Otherwise all areas are written in one transaction: new ones are
    /// added, existing ones are updated, others stay.
    Pc4 {
        /// The CSV file
        #[arg(value_name = "FILE.csv")]
        file: std::path::PathBuf,
        /// Only check the file and report; the database is not opened
        #[arg(long)]
        dry_run: bool,
    },
    /// Services of the sociale kaart in Open Referral HSDS 3.0 JSON
    ///
    /// PATH holds fully nested HSDS services (as GET /hsds/services/{id} and `export hsds`
    /// give them): a JSON array, an HSDS page ({"contents": […]}) or NDJSON (one service per
    /// line). Kept: service, organization (kind from the attribute with link_type
    /// mantelkring:organisatiesoort, else welfare), locations with their address, weekly
    /// schedules (freq WEEKLY, byday, opens_at/closes_at HH:MM local time; a schedule with only
    /// a description is the schedule note), service areas (CBS code GM0546 in uri or
    /// description, else the municipality's name), phones, languages (ISO 639 code), funding
    /// (wmo, wlz, zvw, gratis, eigen-betaling), categories (attributes with a term of
    /// /hsds/taxonomy_terms), online (attribute mantelkring:online), assured_date.
    ///
    /// Everything is checked first, also against the database (unknown CBS codes, ids of
    /// another organisation). Every problem is printed as "regel N, veld X: …" (in a JSON array
    /// "dienst N", N the index from 0) and then nothing is written (exit code 2). Otherwise all
    /// is written in one transaction: missing organisations are created in --region, services
    /// and locations keep their ids and are updated when they exist.
    Hsds {
        /// The JSON or NDJSON file
        #[arg(value_name = "PATH")]
        file: std::path::PathBuf,
        /// Check everything (also against the database) and report; nothing is written
        #[arg(long)]
        dry_run: bool,
        /// Region for new organisations [default: the first region by name]
        #[arg(long, value_name = "NAME")]
        region: Option<String>,
    },
    /// Services of the sociale kaart from a simple CSV, one row per service
    ///
    /// UTF-8, comma-separated, a header line with these columns in any order (the first four
    /// are required, the others may be left out or empty):
    /// id,organization_id,organization_name,name,description,categories,funding,online,email,url,phone,location_name,street,postcode,city,latitude,longitude,hours,areas,languages
    ///
    /// id and organization_id are UUIDs. Lists are separated by |: categories (codes of
    /// /hsds/taxonomy_terms, e.g. respijtzorg|lotgenotencontact), funding (wmo, wlz, zvw, gratis,
    /// eigen-betaling), hours (ma 09:00-17:00|do 19:00-21:00), areas (CBS codes GM0546|GM0537),
    /// languages (nl|en). online is ja or nee. A location needs location_name, street, postcode
    /// and city; latitude and longitude (with a decimal point) are optional. Rows of one
    /// organisation with the same location name, street and postcode share the location. Every
    /// service is active. Checking, problems ("regel N, veld X: …", exit code 2, nothing
    /// written) and writing as for `import hsds`.
    HsdsCsv {
        /// The CSV file
        #[arg(value_name = "PATH")]
        file: std::path::PathBuf,
        /// Check everything (also against the database) and report; nothing is written
        #[arg(long)]
        dry_run: bool,
        /// Region for new organisations [default: the first region by name]
        #[arg(long, value_name = "NAME")]
        region: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Make an API token for a user and print its secret (once; only a hash is stored)
    Create {
        /// E-mail address of the user the token acts as
        #[arg(long, value_name = "EMAIL")]
        email: String,
        /// Name of the token, for example the system that will use it
        #[arg(long, value_name = "NAME")]
        name: String,
        /// What the token may do: people:read (professionals) or audit:read (log administrators); repeat for more
        #[arg(long = "scope", value_name = "SCOPE", required = true)]
        scopes: Vec<String>,
        /// Days until the token expires, 1 to 365 [default: does not expire]
        #[arg(long, value_name = "N")]
        days: Option<String>,
    },
    /// Revoke an API token by its id (of any user); it stops working at once
    Revoke { id: String },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Check the hash chain: exit 0 when intact, 1 naming the first bad record
    Verify,
}

#[derive(Subcommand)]
enum JobsAction {
    /// List the newest jobs
    List {
        /// Only failed jobs
        #[arg(long)]
        failed: bool,
        /// How many
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put a failed job back in the queue
    Retry { id: i64 },
    /// Sociale kaart: queue the reminder e-mails to editors of entries not checked for
    /// DIRECTORY_STALE_AFTER_DAYS (at most once in 30 days per entry) now, instead of waiting for
    /// the daily run; a running server's worker sends them
    Reminders,
    /// Kring: mark the tasks that stay unfilled (for volunteers) now, instead of waiting for the
    /// daily run; tasks that are filled again lose their mark
    Unfilled,
    /// Signaleren: evaluate the signal rules for every network now and raise the new signals
    /// (one per cause; e-mails to the recipients), instead of waiting for the daily run
    Signals,
    /// Kring: queue the daily digest e-mails now (the messages of the days before today not yet
    /// sent, to members who chose the digest), instead of waiting for the morning run
    Digest,
    /// Signaleren: e-mail each caller how many contacts are due today ("Wie bel ik vandaag?"),
    /// now instead of waiting for the morning run; at most once a day per caller
    CallReminders,
    /// Hulpvraag en aanbod: expire the proposals not answered in time and propose each of their
    /// requests to the next candidate (with the e-mail), now instead of waiting for the worker
    MatchingExpiry,
}

fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mantelkring: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, StartError> {
    let mut config = cli.settings.resolve()?;
    init_logging(&config);
    match cli.command {
        Command::Demo => {
            mantelkring_store::ensure_writable_dir(&config.data_dir)?;
            demo::remove_demo_database(&config.data_dir).map_err(|e| {
                StartError::Store(mantelkring_store::StoreError::DataDirNotWritable {
                    path: config.data_dir.display().to_string(),
                    reason: e.to_string(),
                })
            })?;
            config.database_url = demo::demo_database_url(&config.data_dir);
            let store = app::open_store(&config).await?;
            let seeded = demo::seed(&store).await?;
            let application = Application::build(&config, store).await?;
            let url = format!("http://{}", application.local_addr());
            println!(
                "{}",
                demo::banner(&url, &config.data_dir, &config.mail_dir, &seeded)
            );
            serve(application).await
        }
        Command::Serve => {
            let store = app::open_store(&config).await?;
            let application = Application::build(&config, store).await?;
            tracing::info!(address = %application.local_addr(), backend = application.store.backend().name(), "serving");
            serve(application).await
        }
        Command::Migrate => {
            let store = app::open_store(&config).await?;
            println!(
                "database bijgewerkt / database migrated ({})",
                store.backend().name()
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            action: AuditAction::Verify,
        } => {
            let store = app::open_store(&config).await?;
            let result = mantelkring_store::audit::verify(&store).await?;
            store.close().await;
            Ok(match result {
                Ok(n) => {
                    println!("auditlog intact: {n} records / audit log intact");
                    ExitCode::SUCCESS
                }
                Err(problem) => {
                    eprintln!(
                        "mantelkring: auditlog beschadigd / audit log damaged: {}",
                        describe(&problem)
                    );
                    ExitCode::from(1)
                }
            })
        }
        Command::Token { action } => {
            let store = app::open_store(&config).await?;
            let source = format!("mantelkring cli {}", config.public_url);
            let code = match action {
                TokenAction::Create {
                    email,
                    name,
                    scopes,
                    days,
                } => create_token(&store, &source, &email, &name, &scopes, days).await?,
                TokenAction::Revoke { id } => revoke_token(&store, &source, &id).await?,
            };
            store.close().await;
            Ok(code)
        }
        Command::Import {
            what: ImportKind::Pc4 { file, dry_run },
        } => import::pc4(&config, &file, dry_run).await,
        Command::Import {
            what:
                ImportKind::Hsds {
                    file,
                    dry_run,
                    region,
                },
        } => hsds_io::import(&config, &file, Format::Hsds, dry_run, region.as_deref()).await,
        Command::Import {
            what:
                ImportKind::HsdsCsv {
                    file,
                    dry_run,
                    region,
                },
        } => hsds_io::import(&config, &file, Format::Csv, dry_run, region.as_deref()).await,
        Command::Export {
            what: ExportKind::Hsds { file },
        } => hsds_io::export(&config, &file).await,
        Command::Jobs { action } => {
            let store = app::open_store(&config).await?;
            let code = match action {
                JobsAction::List { failed, limit } => {
                    let list =
                        jobs::list(&store, failed.then_some(JobStatus::Failed), limit).await?;
                    for job in list {
                        println!(
                            "{:>8}  {:<8} {:<7} {}/{}  {}",
                            job.id,
                            job.kind,
                            job.status.as_str(),
                            job.attempts,
                            job.max_attempts,
                            job.last_error.unwrap_or_default()
                        );
                    }
                    ExitCode::SUCCESS
                }
                JobsAction::Reminders => {
                    let done = mantelkring::worker::directory_reminders(
                        &store,
                        &config.public_url,
                        config.directory_stale_after_days,
                    )
                    .await?;
                    println!(
                        "herinneringen in de wachtrij / reminders queued: {} e-mail(s) aan redacteuren van {} organisatie(s), over {} dienst(en)",
                        done.emails, done.organisations, done.services
                    );
                    ExitCode::SUCCESS
                }
                JobsAction::Unfilled => {
                    let marked = mantelkring::kring_unfilled::run(&store).await?;
                    println!(
                        "kring: {marked} taak/taken gemarkeerd als 'hulp gezocht' / {marked} task(s) marked as 'help wanted'"
                    );
                    ExitCode::SUCCESS
                }
                JobsAction::Signals => {
                    let done = mantelkring::screening_signals::run(
                        &store,
                        &config.instruments,
                        &config.public_url,
                    )
                    .await?;
                    println!(
                        "signaleren: {} nieuw(e) signaal/signalen, {} e-mail(s) in de wachtrij / {} new signal(s), {} e-mail(s) queued",
                        done.raised, done.emails, done.raised, done.emails
                    );
                    ExitCode::SUCCESS
                }
                JobsAction::Digest => {
                    let done = mantelkring::kring_digest::run(&store, &config.public_url, now_ms())
                        .await?;
                    println!(
                        "dagelijkse e-mails in de wachtrij / digests queued: {} e-mail(s) met {} bericht(en)",
                        done.emails, done.messages
                    );
                    ExitCode::SUCCESS
                }
                JobsAction::CallReminders => {
                    let done =
                        mantelkring::screening_reminders::run(&store, &config.public_url, now_ms())
                            .await?;
                    println!(
                        "belherinneringen in de wachtrij / call reminders queued: {} e-mail(s) over {} contact(en)",
                        done.callers, done.contacts
                    );
                    ExitCode::SUCCESS
                }
                JobsAction::MatchingExpiry => {
                    let done =
                        mantelkring::matching_expiry::run(&store, &config.public_url).await?;
                    println!(
                        "hulpvragen: {} voorstel(len) verlopen, {} opnieuw voorgesteld / {} proposal(s) expired, {} proposed again",
                        done.expired, done.proposed, done.expired, done.proposed
                    );
                    ExitCode::SUCCESS
                }
                JobsAction::Retry { id } => {
                    if jobs::retry_failed(&store, id).await? {
                        println!("taak {id} staat weer in de wachtrij / job {id} queued again");
                        ExitCode::SUCCESS
                    } else {
                        eprintln!("mantelkring: geen mislukte taak {id} / no failed job {id}");
                        ExitCode::from(1)
                    }
                }
            };
            store.close().await;
            Ok(code)
        }
    }
}

/// Prints one line naming what is wrong and gives exit code 2, like every other refusal.
fn refuse(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("mantelkring: {message}");
    ExitCode::from(2)
}

/// `token create`: checks the user and the scopes, makes the token and logs it, in one transaction.
async fn create_token(
    store: &Store,
    source: &str,
    email: &str,
    name: &str,
    scopes: &[String],
    days: Option<String>,
) -> Result<ExitCode, StartError> {
    let name = match api_token::parse_name(name) {
        Ok(name) => name,
        Err(problem) => return Ok(refuse(problem)),
    };
    let scopes = match ApiScope::parse_list(&scopes.join(",")) {
        Ok(scopes) if !scopes.is_empty() => scopes,
        Ok(_) => {
            return Ok(refuse(
                "kies minstens één --scope / choose at least one --scope",
            ));
        }
        Err(unknown) => return Ok(refuse(unknown)),
    };
    // An empty or missing --days means: does not expire.
    let days = match api_token::parse_days(days.as_deref().unwrap_or("")) {
        Ok(days) => days,
        Err(problem) => return Ok(refuse(problem)),
    };
    let Ok(email) = Email::parse(email) else {
        return Ok(refuse(format!(
            "ongeldig e-mailadres '{email}' / invalid e-mail address"
        )));
    };
    let user = match base::find_user_by_email(store, email.as_str()).await? {
        Some(user) => user,
        None => {
            return Ok(refuse(format!(
                "geen gebruiker met e-mailadres {} / no such user",
                email.as_str()
            )));
        }
    };
    let Some(actor) = identity::load_actor(store, &user.id, true).await? else {
        return Ok(refuse(format!(
            "het account {} is uitgeschakeld / the account is disabled",
            email.as_str()
        )));
    };
    if let Err(scope) = api_token::check_grant(&actor, &scopes) {
        return Ok(refuse(format!(
            "{} mag de toegang {} niet hebben: die hoort niet bij de rol / this user's roles do not allow scope {}",
            email.as_str(),
            scope.as_str(),
            scope.as_str()
        )));
    }
    let mut tx = store.begin_write().await?;
    let made = api_tokens::create(
        &mut tx,
        &NewApiToken {
            name: &name,
            user_id: &user.id,
            scopes: &scopes,
            expires_at: days.map(|d| now_ms() + api_token::days_ms(d)),
        },
    )
    .await?;
    let detail = format!(
        "api_token={} scopes={} owner={}",
        made.token.id,
        ApiScope::join(&scopes),
        user.id
    );
    log_operator_event(&mut tx, store, source, "create", &detail).await?;
    tx.commit().await.map_err(StoreError::from)?;
    println!("API-sleutel gemaakt / API token created: {}", made.token.id);
    println!("  gebruiker / user:  {}", email.as_str());
    println!("  toegang / scopes:  {}", ApiScope::join(&scopes));
    println!(
        "  verloopt / expires: {}",
        made.token
            .expires_at
            .map(mantelkring_web::people::format_time)
            .unwrap_or_else(|| "nooit / never".into())
    );
    println!(
        "Geheim (wordt maar één keer getoond; bewaar het als een wachtwoord) / secret (shown only once; keep it like a password):"
    );
    println!("{}", made.secret);
    Ok(ExitCode::SUCCESS)
}

/// `token revoke`: revokes any user's token and logs it.
async fn revoke_token(store: &Store, source: &str, id: &str) -> Result<ExitCode, StartError> {
    let mut tx = store.begin_write().await?;
    let Some(owner) = api_tokens::revoke_any(&mut tx, id, now_ms()).await? else {
        tx.rollback().await.map_err(StoreError::from)?;
        eprintln!("mantelkring: geen werkende API-sleutel {id} / no active API token with that id");
        return Ok(ExitCode::from(1));
    };
    let detail = format!("api_token={id} owner={owner}");
    log_operator_event(&mut tx, store, source, "delete", &detail).await?;
    tx.commit().await.map_err(StoreError::from)?;
    println!("API-sleutel {id} ingetrokken / API token revoked");
    Ok(ExitCode::SUCCESS)
}

/// An operator's action on the command line: no logged-in user, so the detail names the token
/// and its owner.
async fn log_operator_event(
    conn: &mut mantelkring_store::Conn,
    store: &Store,
    source: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    audit::append(
        conn,
        store.backend(),
        &audit::NewEvent {
            action,
            outcome: "success",
            purpose: "api_token_operator",
            source,
            detail: Some(detail),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

async fn serve(application: Application) -> Result<ExitCode, StartError> {
    application
        .run_until(app::shutdown_signal())
        .await
        .map_err(|e| StartError::Bind(([0, 0, 0, 0], 0).into(), e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

fn describe(problem: &mantelkring_core::audit::ChainProblem) -> String {
    use mantelkring_core::audit::ChainProblem::*;
    match problem {
        Altered { seq } => format!("record {seq} is gewijzigd / record {seq} was altered"),
        Broken { seq } => format!(
            "de keten breekt bij record {seq} (een record ervoor ontbreekt) / chain broken at record {seq}"
        ),
        Truncated { last_seq } => {
            format!("records na {last_seq} ontbreken / records after {last_seq} were removed")
        }
    }
}
