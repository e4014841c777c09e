//! The in-memory search index of the sociale kaart. Built from the database's service records,
//! refreshed from their change sequence, never a source of truth: a cache every node rebuilds.
//!
//! What a search does, in order:
//! 1. a radius around `near` (through a grid of locations) or a municipality (through its list)
//!    names a small set of documents: those are checked against every filter first, and only
//!    they are scored below (otherwise every document may be);
//! 2. the query text becomes words (folded, stop words dropped), each expanded once against the
//!    vocabulary: its stem, words within a typing error or two, compounds with the word as a
//!    part, its own two parts, a compound formed with the next word;
//! 3. the postings of those expansions are summed per document into per-thread scratch arrays
//!    (per word the best expansion counts, weighted by how rare the word is);
//! 4. documents with every word (or, when there are none, with any word: `relaxed`) go through
//!    the remaining filters: categories as a bit set, funding, online, open now, organisation,
//!    last change, distance with a bounding box before the haversine;
//! 5. only the requested page is sorted (a selection, then a sort of the first
//!    `page × per_page`).
//!
//! Nothing here performs I/O; [`synthetic`] makes realistic records for tests and benchmarks.

mod grid;
mod index;
pub mod synthetic;
pub mod text;
mod vocab;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use mantelkring_core::directory::model::{Funding, ServiceRecord};
use mantelkring_core::geo::Coordinates;
use uuid::Uuid;

pub use index::Index;

/// Where the searcher is: a point (a postcode's centroid or an address) and, when known, the
/// municipality it lies in, so that services that come to you there count as near.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    pub point: Coordinates,
    pub municipality_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first; ties by name.
    #[default]
    Relevance,
    /// Nearest location first (needs `near`, otherwise relevance); services that only serve the
    /// searcher's municipality (no location near) come after those with a location.
    Distance,
}

/// One search. Empty text means: filters only, ordered by name (or distance).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Free Dutch text as people type it.
    pub text: String,
    /// Taxonomy codes, any of them, each with its descendants. An unknown code matches nothing.
    pub categories: Vec<String>,
    /// Served in this municipality: one of the service's areas.
    pub municipality: Option<Uuid>,
    pub near: Option<Near>,
    /// Only services with a location this close to `near` or serving `near.municipality_id`.
    /// Ignored without `near`.
    pub within_km: Option<f64>,
    /// Any of these funding routes.
    pub funding: Vec<Funding>,
    /// Only services given online.
    pub online: bool,
    /// Only services open at `now_ms` by their weekly hours (Dutch local time).
    pub open_now: bool,
    pub organisation: Option<Uuid>,
    /// Only services changed after this moment (ms since the Unix epoch).
    pub modified_after: Option<i64>,
    pub sort: Sort,
    /// 1-based; 0 is read as 1.
    pub page: usize,
    /// Clamped to 1..=100.
    pub per_page: usize,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            categories: Vec::new(),
            municipality: None,
            near: None,
            within_km: None,
            funding: Vec::new(),
            online: false,
            open_now: false,
            organisation: None,
            modified_after: None,
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
        }
    }
}

impl Query {
    /// A text query with everything else at its default.
    pub fn text(text: impl Into<String>) -> Query {
        Query {
            text: text.into(),
            ..Query::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Every match, not only this page.
    pub total: usize,
    pub hits: Vec<Hit>,
    /// No service matched all words, so these match some of them (best coverage first).
    pub relaxed: bool,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub record: Arc<ServiceRecord>,
    /// Higher is better; 0 without text. Comparable within one search only: each word found
    /// without a typing error adds a large step, so fewer typos rank first, then field weights
    /// and rarity.
    pub score: f32,
    /// Kilometres from `near` to the nearest location; `None` without `near`, without located
    /// locations, or for a service that is near only because it serves the municipality.
    pub distance_km: Option<f64>,
}
