//! `mantelkring`: one binary with subcommands. Start-up problems are printed in one line
//! (Dutch / English) with exit code 2; never a panic or a stack trace.

use clap::{Parser, Subcommand};
use mantelkring::app::{self, Application, StartError};
use mantelkring::config::{Config, LogFormat, SETTINGS_HELP, Settings};
use mantelkring::demo;
use mantelkring_store::jobs::{self, JobStatus};
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
