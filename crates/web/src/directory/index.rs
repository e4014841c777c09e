//! The search index of this app node: built from the database at start and kept up to date from
//! the change sequence (`store::directory`): a loop every few seconds, and before each search a
//! one-row check of the sequence, so several nodes on one PostgreSQL agree as soon as a change
//! is committed. The database stays the only source of truth; the index can always be rebuilt.

use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use mantelkring_core::directory::model::ServiceRecord;
use mantelkring_core::time::now_ms;
use mantelkring_search::{Index, Query, SearchResults};
use mantelkring_store::directory::{self, Selection};
use mantelkring_store::{Result, Store};
use std::sync::Arc;
use uuid::Uuid;

pub struct DirectoryIndex {
    store: Store,
    index: RwLock<Index>,
    /// The change sequence number the database had when the index last caught up: a search
    /// compares it with the database's (one tiny query) and catches up first when behind, so a
    /// visitor sees a change as soon as it is committed, whichever node made it.
    seen: AtomicI64,
    /// One refresh at a time.
    refreshing: tokio::sync::Mutex<()>,
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
            seen: AtomicI64::new(-1),
            refreshing: tokio::sync::Mutex::new(()),
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
        let _one = self.refreshing.lock().await;
        let first = self.seen.load(Ordering::Acquire) < 0;
        let watermark = self.watermark();
        let mut conn = self.store.pool().acquire().await?;
        // Read the head first: whatever commits after this is caught by the next check.
        let head = directory::current_seq(&mut conn).await?;
        let changed: Vec<ServiceRecord> = if first {
            directory::load(&mut conn, Selection::All).await?
        } else {
            directory::load(&mut conn, Selection::ChangedSince(watermark)).await?
        };
        drop(conn);
        let n = changed.len();
        if first {
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
        self.seen.store(head, Ordering::Release);
        Ok(n)
    }

    /// Catches up when the database has changes this index has not seen (errors are logged,
    /// the search then answers from what it has).
    pub async fn refresh_if_stale(&self) {
        let behind = async {
            let mut conn = self.store.pool().acquire().await?;
            let head = directory::current_seq(&mut conn).await?;
            Ok::<bool, mantelkring_store::StoreError>(head > self.seen.load(Ordering::Acquire))
        };
        let result = match behind.await {
            Ok(true) => self.refresh().await.map(|_| ()),
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "sociale kaart: index niet ververst");
        }
    }

    pub fn search(&self, query: &Query) -> SearchResults {
        self.read().search(query, now_ms())
    }

    pub fn get(&self, id: Uuid) -> Option<Arc<ServiceRecord>> {
        self.read().get(id)
    }

    /// Every listed service, by name (for lists that page through the whole map).
    pub fn records(&self) -> Vec<Arc<ServiceRecord>> {
        self.read().records()
    }

    /// Every service matching `text`, best first, in one pass.
    pub fn matching(&self, text: &str) -> Vec<Arc<ServiceRecord>> {
        let query = Query {
            text: text.to_string(),
            ..Query::default()
        };
        self.read()
            .search_all(&query, now_ms())
            .hits
            .into_iter()
            .map(|h| h.record)
            .collect()
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
