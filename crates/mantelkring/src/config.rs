//! Configuration: command line, then environment, then `mantelkring.toml`, then defaults.
//! Every setting is one field of [`Settings`], so `--help`, the environment variable and the
//! file key can never disagree.

use clap::{Args, ValueEnum};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const SETTINGS_HELP: &str = "\
Every setting can also be given in a TOML file (default ./mantelkring.toml, or --config FILE), \
with the option name in snake_case, for example:
    database_url = \"postgres://mantelkring@db.example/mantelkring\"
    bind = \"0.0.0.0:8080\"
Order of precedence: command line, environment variable, file, built-in default. \
An unknown key in the file is an error.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// All settings as given (each optional: unset means "ask the next source").
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// TOML file with settings [default: ./mantelkring.toml when present]
    #[arg(long, env = "MANTELKRING_CONFIG", global = true, value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Database: sqlite://PATH (embedded) or postgres://USER@HOST/DB [default: sqlite://DATA_DIR/mantelkring.db]
    #[arg(long, env = "DATABASE_URL", global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "MANTELKRING_BIND", global = true, value_name = "ADDR")]
    pub bind: Option<String>,

    /// Folder for the embedded database, the demo and e-mail files [default: ./data]
    #[arg(long, env = "MANTELKRING_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Address at which people reach this installation, used in e-mail links; https:// also marks cookies Secure [default: http://BIND]
    #[arg(
        long,
        env = "MANTELKRING_PUBLIC_URL",
        global = true,
        value_name = "URL"
    )]
    pub public_url: Option<String>,

    /// Outgoing mail server, for example smtps://user:password@smtp.example:465 or smtp://host:587?tls=required; unset: write .eml files to MAIL_DIR
    #[arg(long, env = "MANTELKRING_SMTP_URL", global = true, value_name = "URL")]
    pub smtp_url: Option<String>,

    /// Folder for .eml files when no SMTP server is set (development, tests) [default: DATA_DIR/mail]
    #[arg(long, env = "MANTELKRING_MAIL_DIR", global = true, value_name = "DIR")]
    pub mail_dir: Option<PathBuf>,

    /// Sender of e-mail [default: "Mantelkring <noreply@localhost>"]
    #[arg(
        long,
        env = "MANTELKRING_MAIL_FROM",
        global = true,
        value_name = "MAILBOX"
    )]
    pub mail_from: Option<String>,

    /// Log filter, for example info or mantelkring=debug,info [default: info]
    #[arg(long, env = "MANTELKRING_LOG", global = true, value_name = "FILTER")]
    pub log: Option<String>,

    /// Log format [default: text]
    #[arg(long, env = "MANTELKRING_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,

    /// Largest number of database connections per app node [default: 10]
    #[arg(
        long,
        env = "MANTELKRING_DB_MAX_CONNECTIONS",
        global = true,
        value_name = "N"
    )]
    pub db_max_connections: Option<u32>,

    /// Largest request body in bytes [default: 1048576]
    #[arg(
        long,
        env = "MANTELKRING_MAX_BODY_BYTES",
        global = true,
        value_name = "BYTES"
    )]
    pub max_body_bytes: Option<usize>,

    /// Longest a request may take, in seconds [default: 30]
    #[arg(
        long,
        env = "MANTELKRING_REQUEST_TIMEOUT_SECS",
        global = true,
        value_name = "SECS"
    )]
    pub request_timeout_secs: Option<u64>,

    /// Attempts before a background job is marked failed [default: 5]
    #[arg(
        long,
        env = "MANTELKRING_JOB_MAX_ATTEMPTS",
        global = true,
        value_name = "N"
    )]
    pub job_max_attempts: Option<u32>,

    /// Wait before the first retry of a failed job, in seconds; doubles each retry [default: 30]
    #[arg(
        long,
        env = "MANTELKRING_JOB_RETRY_BASE_SECS",
        global = true,
        value_name = "SECS"
    )]
    pub job_retry_base_secs: Option<u64>,

    /// How often an idle worker looks for due jobs, in milliseconds [default: 1000]
    #[arg(
        long,
        env = "MANTELKRING_JOB_POLL_MS",
        global = true,
        value_name = "MS"
    )]
    pub job_poll_ms: Option<u64>,

    /// Sociale kaart: days after which an entry its editors have not checked is flagged as stale and they are reminded (at most every 30 days) [default: 183]
    #[arg(
        long,
        env = "MANTELKRING_DIRECTORY_STALE_AFTER_DAYS",
        global = true,
        value_name = "DAYS"
    )]
    pub directory_stale_after_days: Option<u32>,

    /// Signaleren: a folder of the region's own instrument definitions (*.toml), loaded with the built-in CSI and EDIZ at start; a malformed one stops the start with a message
    #[arg(
        long,
        env = "MANTELKRING_INSTRUMENTS_DIR",
        global = true,
        value_name = "DIR"
    )]
    pub instruments_dir: Option<PathBuf>,
}

/// The settings in force, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    pub log: String,
    pub log_format: LogFormat,
    pub db_max_connections: u32,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub job_max_attempts: u32,
    pub job_retry_base: Duration,
    pub job_poll: Duration,
    pub directory_stale_after_days: u32,
    /// The burden instruments on offer: the built-in ones and the region's own.
    pub instruments: std::sync::Arc<mantelkring_core::screening::instrument::Catalogue>,
}

/// A configuration problem: reported in one line, exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "instellingenbestand {path} kan niet gelezen worden: {reason} / cannot read settings file"
    )]
    Unreadable { path: String, reason: String },
    #[error("fout in instellingenbestand {path}: {reason} / error in settings file")]
    Invalid { path: String, reason: String },
    #[error("vragenlijst niet geladen: {0} / instrument definition refused")]
    Instrument(String),
    #[error("ongeldige instelling {name} = '{value}': {reason} / invalid setting")]
    BadValue {
        name: &'static str,
        value: String,
        reason: String,
    },
}

impl Settings {
    /// Reads the TOML file named by `config` (or ./mantelkring.toml when it exists).
    fn read_file(&self) -> Result<Settings, ConfigError> {
        let default_path = Path::new("mantelkring.toml");
        let path = match &self.config {
            Some(p) => p.clone(),
            None if default_path.exists() => default_path.to_path_buf(),
            None => return Ok(Settings::default()),
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: shown,
            reason: e.message().to_string(),
        })
    }

    /// Combines command line/environment (`self`, as clap read them) with the file and defaults.
    pub fn resolve(&self) -> Result<Config, ConfigError> {
        let file = self.read_file()?;
        let data_dir = self
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let bind_text = self
            .bind
            .clone()
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| ConfigError::BadValue {
            name: "MANTELKRING_BIND",
            value: bind_text.clone(),
            reason: "verwacht IP:POORT, bijvoorbeeld 127.0.0.1:8080".into(),
        })?;
        let database_url = self
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}/mantelkring.db", data_dir.display()));
        let public_url = self
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{bind}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::BadValue {
                name: "MANTELKRING_PUBLIC_URL",
                value: public_url,
                reason: "verwacht http://… of https://…".into(),
            });
        }
        let positive = |name: &'static str, value: u64| {
            if value == 0 {
                Err(ConfigError::BadValue {
                    name,
                    value: "0".into(),
                    reason: "moet groter dan 0 zijn".into(),
                })
            } else {
                Ok(value)
            }
        };
        Ok(Config {
            database_url,
            bind,
            public_url: public_url.trim_end_matches('/').to_string(),
            smtp_url: self
                .smtp_url
                .clone()
                .or(file.smtp_url)
                .filter(|s| !s.is_empty()),
            mail_dir: self
                .mail_dir
                .clone()
                .or(file.mail_dir)
                .unwrap_or_else(|| data_dir.join("mail")),
            mail_from: self
                .mail_from
                .clone()
                .or(file.mail_from)
                .unwrap_or_else(|| "Mantelkring <noreply@localhost>".into()),
            log: self
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".into()),
            log_format: self
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Text),
            db_max_connections: positive(
                "MANTELKRING_DB_MAX_CONNECTIONS",
                self.db_max_connections
                    .or(file.db_max_connections)
                    .unwrap_or(10)
                    .into(),
            )? as u32,
            max_body_bytes: positive(
                "MANTELKRING_MAX_BODY_BYTES",
                self.max_body_bytes
                    .or(file.max_body_bytes)
                    .unwrap_or(1024 * 1024) as u64,
            )? as usize,
            request_timeout: Duration::from_secs(positive(
                "MANTELKRING_REQUEST_TIMEOUT_SECS",
                self.request_timeout_secs
                    .or(file.request_timeout_secs)
                    .unwrap_or(30),
            )?),
            job_max_attempts: positive(
                "MANTELKRING_JOB_MAX_ATTEMPTS",
                self.job_max_attempts
                    .or(file.job_max_attempts)
                    .unwrap_or(5)
                    .into(),
            )? as u32,
            job_retry_base: Duration::from_secs(
                self.job_retry_base_secs
                    .or(file.job_retry_base_secs)
                    .unwrap_or(30),
            ),
            job_poll: Duration::from_millis(positive(
                "MANTELKRING_JOB_POLL_MS",
                self.job_poll_ms.or(file.job_poll_ms).unwrap_or(1000),
            )?),
            directory_stale_after_days: positive(
                "MANTELKRING_DIRECTORY_STALE_AFTER_DAYS",
                self.directory_stale_after_days
                    .or(file.directory_stale_after_days)
                    .unwrap_or(mantelkring_core::directory::freshness::DEFAULT_STALE_AFTER_DAYS)
                    .into(),
            )?
            .min(36_500) as u32,
            instruments: std::sync::Arc::new(load_instruments(
                self.instruments_dir
                    .as_deref()
                    .or(file.instruments_dir.as_deref()),
            )?),
            data_dir,
        })
    }
}

/// The built-in instruments and every `*.toml` in `dir` (in name order); the first problem
/// refuses the start, naming the file.
fn load_instruments(
    dir: Option<&Path>,
) -> Result<mantelkring_core::screening::instrument::Catalogue, ConfigError> {
    use mantelkring_core::screening::instrument::Catalogue;
    let Some(dir) = dir else {
        return Ok(Catalogue::built_in());
    };
    let unreadable = |e: std::io::Error| {
        ConfigError::Instrument(format!(
            "map {} kan niet gelezen worden: {e}",
            dir.display()
        ))
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(unreadable)?;
        files.push((path.display().to_string(), text));
    }
    Catalogue::from_files(files).map_err(|e| ConfigError::Instrument(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_temp(name: &str, text: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("mk-config-{}-{name}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_region_instrument_folder_is_loaded_and_a_malformed_definition_stops_the_start() {
        let dir = std::env::temp_dir().join(format!("mk-instruments-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csi = mantelkring_core::screening::instrument::BUILT_IN[0].1;
        let local = csi
            .replace("id = \"csi\"", "id = \"leiden-10min\"")
            .replace("short_name = \"CSI\"", "short_name = \"10-min\"");
        std::fs::write(dir.join("leiden.toml"), &local).unwrap();
        std::fs::write(dir.join("notes.txt"), "not an instrument").unwrap();
        let settings = Settings {
            config: Some(write_temp("instruments", "")),
            instruments_dir: Some(dir.clone()),
            ..Default::default()
        };
        let config = settings.resolve().unwrap();
        let ids: Vec<&str> = config
            .instruments
            .all()
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(ids, ["csi", "ediz", "leiden-10min"]);

        std::fs::write(
            dir.join("kapot.toml"),
            local.replace("[[items]]", "[[vragen]]"),
        )
        .unwrap();
        let error = settings.resolve().unwrap_err().to_string();
        assert!(error.contains("kapot.toml"), "{error}");
        assert!(error.contains("vragenlijst niet geladen"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn defaults_need_nothing() {
        let config = Settings {
            config: Some(write_temp("empty", "")),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://./data/mantelkring.db");
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.mail_dir, PathBuf::from("./data/mail"));
        assert_eq!(config.directory_stale_after_days, 183);
        assert_eq!(config.instruments.all().len(), 2);
    }

    #[test]
    fn the_stale_period_of_the_social_map_comes_from_the_file_and_must_be_positive() {
        let file = write_temp("stale", "directory_stale_after_days = 90\n");
        let config = Settings {
            config: Some(file),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(config.directory_stale_after_days, 90);
        let err = Settings {
            config: Some(write_temp("stale0", "")),
            directory_stale_after_days: Some(0),
            ..Default::default()
        }
        .resolve()
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("MANTELKRING_DIRECTORY_STALE_AFTER_DAYS"),
            "{err}"
        );
    }

    #[test]
    fn command_line_beats_file_and_file_beats_default() {
        let file = write_temp("mix", "bind = \"127.0.0.1:9000\"\ndata_dir = \"/srv/mk\"\n");
        let config = Settings {
            config: Some(file),
            bind: Some("127.0.0.1:9100".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(config.bind.port(), 9100);
        assert_eq!(config.data_dir, PathBuf::from("/srv/mk"));
        assert_eq!(config.database_url, "sqlite:///srv/mk/mantelkring.db");
    }

    #[test]
    fn an_unknown_key_is_named() {
        let file = write_temp("unknown", "databse_url = \"x\"\n");
        let err = Settings {
            config: Some(file),
            ..Default::default()
        }
        .resolve()
        .unwrap_err()
        .to_string();
        assert!(err.contains("databse_url"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn a_bad_bind_address_is_refused_in_dutch() {
        let err = Settings {
            config: Some(write_temp("e", "")),
            bind: Some("overal".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("ongeldige instelling MANTELKRING_BIND"),
            "{err}"
        );
    }
}
