//! The search index of this app node: built from the database at start and kept up to date from
//! the change sequence (`store::directory`), so several nodes on one PostgreSQL agree within
//! seconds. The database stays the only source of truth; the index can always be rebuilt.

use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use mantelkring_core::directory::model::ServiceRecord;
use mantelkring_core::time::now_ms;
use mantelkring_search::{Index, Query, SearchResults};
use mantelkring_store::directory::{self, Selection};
use mantelkring_store::{Result, Store};
use std::sync::Arc;
use uuid::Uuid;

/// How old the index may be before a search first asks the database for changes. The refresh
/// loop also runs on its own; this bounds staleness on a busy node to one cheap query per second.
const CHECK_AFTER: Duration = Duration::from_secs(1);

pub struct DirectoryIndex {
    store: Store,
    index: RwLock<Index>,
    /// When the database was last asked for changes; also serialises refreshes.
    checked: tokio::sync::Mutex<Option<Instant>>,
    last_check: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for DirectoryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryIndex")
            .field("services", &self.len())
            .field("watermark", &self.watermark())
            .finish()
    }
}

impl DirectoryIndex {
    /// An empty index; [`DirectoryIndex::refresh`] fills it.
    pub fn new(store: Store) -> Arc<DirectoryIndex> {
        Arc::new(DirectoryIndex {
            store,
            index: RwLock::new(Index::build(Vec::new())),
            checked: tokio::sync::Mutex::new(None),
            last_check: Mutex::new(None),
        })
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn watermark(&self) -> i64 {
        self.read().watermark()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Loads what changed since the index's watermark (everything, the first time) and applies
    /// it. Returns the number of services applied.
    pub async fn refresh(&self) -> Result<usize> {
        let mut checked = self.checked.lock().await;
        let watermark = self.watermark();
        let mut conn = self.store.pool().acquire().await?;
        let changed: Vec<ServiceRecord> = if watermark == 0 {
            directory::load(&mut conn, Selection::All).await?
        } else {
            directory::load(&mut conn, Selection::ChangedSince(watermark)).await?
        };
        drop(conn);
        let n = changed.len();
        if watermark == 0 {
            let listed = changed
                .into_iter()
                .filter(|r| r.status.is_listed())
                .collect();
            let fresh = Index::build(listed);
            *self.index.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        } else if n > 0 {
            self.index
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .apply(changed);
        }
        let now = Instant::now();
        *checked = Some(now);
        *self.last_check.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
        Ok(n)
    }

    /// Refreshes when the last check is older than a second (errors are logged, the search
    /// then answers from what it has).
    pub async fn refresh_if_stale(&self) {
        let stale = self
            .last_check
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none_or(|t| t.elapsed() > CHECK_AFTER);
        if stale && let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "sociale kaart: index niet ververst");
        }
    }

    pub fn search(&self, query: &Query) -> SearchResults {
        self.read().search(query, now_ms())
    }

    pub fn get(&self, id: Uuid) -> Option<Arc<ServiceRecord>> {
        self.read().get(id)
    }

    /// Every listed service (for lists that page through the whole map).
    pub fn all(&self, query: &Query) -> SearchResults {
        self.search(query)
    }

    /// Refreshes every `every` until `stop` turns true.
    pub async fn run_refresh_loop(
        self: Arc<Self>,
        every: Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "sociale kaart: index niet ververst");
            }
        }
    }
}
