//! The Mantelkring store: one API, two backends.
//!
//! The backend is chosen at run time from the database URL: `sqlite://…` (embedded, the default) or
//! `postgres://…` (a region or a country, several app nodes). Both are compiled in. SQL is written
//! once, in the subset both backends understand (`$1` placeholders, `RETURNING`, `ON CONFLICT`);
//! where the dialects really differ (write-transaction start, job claiming with `SKIP LOCKED`,
//! migrations, schema introspection) [`dialect`] holds the two variants side by side. The same
//! conformance suite (`tests/conformance`) runs every scenario on both.

pub mod admin;
pub mod api_tokens;
pub mod audit;
pub mod audit_search;
pub mod avg;
pub mod base;
mod dialect;
pub mod directory;
pub mod identity;
pub mod jobs;
pub mod matching;
mod migrate;
pub mod network;
pub mod postcodes;
pub mod schema;
pub mod screening;
pub mod settings;
pub mod testing;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use dialect::Backend;
pub use sqlx::Error as SqlError;

/// A database transaction. Pass `&mut tx` (or `&mut *tx`) to the store functions that take a
/// connection, so several writes (and the jobs they cause) commit or roll back together. A write
/// transaction on SQLite also holds the process's write gate (see [`Store::begin_write`]) until
/// it ends.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.inner
    }
}

/// One connection: what the write functions take, so they work inside a transaction (`&mut tx`).
pub type Conn = sqlx::AnyConnection;

/// Errors of the store, with a one-line bilingual message for operators.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "ongeldige DATABASE_URL '{0}': verwacht sqlite://PAD of postgres://… / invalid DATABASE_URL: expected sqlite://PATH or postgres://…"
    )]
    InvalidUrl(String),
    #[error(
        "datamap '{path}' is niet schrijfbaar ({reason}) / data folder '{path}' is not writable"
    )]
    DataDirNotWritable { path: String, reason: String },
    #[error("database niet bereikbaar: {0} / database unreachable")]
    Unreachable(String),
    #[error("databasemigratie mislukt: {0} / database migration failed")]
    Migration(String),
    #[error("databasefout: {0}")]
    Query(#[from] sqlx::Error),
    #[error("bestaat al: {0} / already exists")]
    Conflict(String),
    #[error("niet gevonden: {0} / not found")]
    NotFound(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a writer waits in line for the SQLite write gate before it goes on without it.
const GATE_PATIENCE: Duration = Duration::from_secs(5);

/// How to open the pool.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    /// How long a request waits for a free connection (also bounds connecting to PostgreSQL).
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The store: a connection pool and the backend it talks to. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite: one writer at a time in this process, waiting in line (see `begin_write`).
    write_gate: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl Store {
    /// Opens (and for SQLite creates) the database. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| StoreError::InvalidUrl(url.into()))?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if let Some(pragmas) = backend.connection_setup() {
                        conn.execute(pragmas).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| connect_error(backend, e))?;
        let write_gate =
            (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        Ok(Store {
            pool,
            backend,
            write_gate,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the backend's migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        migrate::run(self).await
    }

    /// A cheap round trip to the database, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite this is `BEGIN IMMEDIATE`, so the write lock is taken
    /// up front and a busy database waits (busy timeout) instead of failing half-way.
    ///
    /// SQLite has one writer at a time, and a writer that finds the lock taken polls for it with
    /// growing sleeps (1, 2, 5, 10 … ms), so a short wait could cost a request ten milliseconds.
    /// The writers of this process therefore first queue for the write gate, in order, and are
    /// handed the lock the moment the previous one ends. Other processes (a CLI command) still
    /// meet SQLite's own lock. A writer that waits longer than [`GATE_PATIENCE`] goes on without
    /// the gate, so a task that holds a write transaction and opens a second one gets SQLite's
    /// busy error instead of waiting forever.
    pub async fn begin_write(&self) -> Result<Tx> {
        let gate = match &self.write_gate {
            Some(gate) => tokio::time::timeout(GATE_PATIENCE, gate.clone().lock_owned())
                .await
                .ok(),
            None => None,
        };
        Ok(Tx {
            inner: self
                .pool
                .begin_with(self.backend.begin_write_statement())
                .await?,
            _gate: gate,
        })
    }

    /// Starts a read-only (or read-mostly) transaction with a consistent snapshot.
    pub async fn begin_read(&self) -> Result<Tx> {
        Ok(Tx {
            inner: self.pool.begin().await?,
            _gate: None,
        })
    }

    /// SQLite: copies the write-ahead log back into the database file without waiting for
    /// readers or writers (PASSIVE), so it can run beside requests; the background upkeep calls
    /// it. Each connection only checkpoints by itself past 10,000 pages, as a safety net (see
    /// `Backend::connection_setup`). PostgreSQL: nothing to do.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite://./data/x.db` → make sure `./data` exists and is writable, and open read-write-create.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::InvalidUrl(url.into()))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() {
        return Err(StoreError::InvalidUrl(url.into()));
    }
    if path != ":memory:" {
        let parent = Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        ensure_writable_dir(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &parent
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".into()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// Creates `dir` if needed and proves it is writable by creating and removing a probe file.
pub fn ensure_writable_dir(dir: &Path) -> Result<PathBuf> {
    let fail = |reason: String| StoreError::DataDirNotWritable {
        path: dir.display().to_string(),
        reason,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let probe = dir.join(format!(".mantelkring-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| fail(e.to_string()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir.to_path_buf())
}

fn connect_error(backend: Backend, e: sqlx::Error) -> StoreError {
    match (backend, &e) {
        (Backend::Sqlite, sqlx::Error::Database(db)) => {
            StoreError::Unreachable(db.message().to_string())
        }
        (_, sqlx::Error::Configuration(c)) => StoreError::InvalidUrl(c.to_string()),
        _ => StoreError::Unreachable(e.to_string()),
    }
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`] naming `what`.
pub(crate) fn conflict_as(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    let what = what.into();
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Query(e),
    }
}

/// A new random id (UUID v7: time-ordered, so inserts stay local in the primary-key index).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_opened_read_write_create() {
        let dir = std::env::temp_dir().join(format!("mk-url-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(prepare_sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(Backend::from_url("mysql://x").is_none());
        assert!(Backend::from_url("./data/x.db").is_none());
        assert!(matches!(
            prepare_sqlite_url("sqlite://"),
            Err(StoreError::InvalidUrl(_))
        ));
    }

    #[test]
    fn a_file_as_data_folder_is_reported_not_panicked() {
        let err = ensure_writable_dir(Path::new("/proc/version/data")).unwrap_err();
        assert!(err.to_string().contains("niet schrijfbaar"));
    }
}
