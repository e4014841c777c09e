//! The index itself: documents (one per listed service) numbered densely, postings per term,
//! the location grid, and the search that combines them.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use mantelkring_core::directory::model::{Funding, ServiceRecord, Weekday};
use mantelkring_core::directory::opening;
use mantelkring_core::directory::taxonomy::{self, TERMS};
use mantelkring_core::geo::{BoundingBox, Coordinates, bounding_box, distance_km};
use uuid::Uuid;

use crate::grid::{Grid, Point};
use crate::text;
use crate::vocab::{Posting, Vocab};
use crate::{Hit, Near, Query, SearchResults, Sort};

/// Where a word was found, and how much that says about the service. The name says most; a
/// category's words were chosen by an editor; a city only says where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Name,
    Category,
    /// Labels and synonyms of a category's parent (a logeeropvang is respijtzorg).
    ParentCategory,
    Organisation,
    Description,
    City,
}

impl Field {
    fn weight(self) -> f32 {
        match self {
            Field::Name => 10.0,
            Field::Category => 5.0,
            Field::ParentCategory => 4.0,
            Field::Organisation => 3.0,
            Field::Description => 1.5,
            Field::City => 1.0,
        }
    }
}

/// Term-frequency saturation (as BM25's k1): the fifth "mantelzorg" in a text adds little.
const TF_K: f32 = 1.2;

// How well an expansion of a query word matches, times the posting's weight.
const EXACT: f32 = 1.0;
/// Two query words that together are one indexed word ("dag besteding" → dagbesteding).
const JOINED: f32 = 0.9;
/// A compound query word whose two parts a document has apart.
const BOTH_PARTS: f32 = 0.7;
const ONE_TYPO: f32 = 0.5;
const TWO_TYPOS: f32 = 0.35;
/// A compound that has the query word as a part: "opvang" finds "logeeropvang", below "opvang".
const COMPOUND_PART: f32 = 0.5;
/// Only the last part of a compound query word ("logeeropvang" → opvang).
const TAIL_ONLY: f32 = 0.4;

/// The nearest known words of a misspelled word whose compounds are searched too.
const MAX_CORRECTIONS: usize = 3;

/// Added to a word's score in a document where the word is found without a typing error, so
/// that within a word such a match beats any typo (`offer` keeps the maximum)...
const SPELLED: f32 = 1_000.0;
/// ...and then, per word found so, to the document's score: fewer typos rank first, as in
/// Typesense or Meilisearch, before field weights and rarity decide. Far above any sum of
/// weights (at most a few thousand for 32 words).
const SPELLED_TIER: f64 = 100_000.0;

/// Query words beyond this are ignored: each word is one bit of a u32 mask.
const MAX_WORDS: usize = 32;

/// The taxonomy as a bit set: one bit per term, so the category filter is a few ANDs.
const CATEGORY_WORDS: usize = TERMS.len().div_ceil(64);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Categories([u64; CATEGORY_WORDS]);

impl Categories {
    fn insert(&mut self, code: &str) {
        if let Some(i) = TERMS.iter().position(|t| t.code == code) {
            self.0[i / 64] |= 1 << (i % 64);
        }
    }

    fn intersects(&self, other: &Categories) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
}

/// What the filters read, kept beside the record so a filter pass touches one struct.
struct Doc {
    record: Arc<ServiceRecord>,
    /// The name folded, for ties (case and accents do not decide the order).
    sort_name: Box<str>,
    /// Its first eight bytes as a number: most ties are decided without touching the string.
    name_key: u64,
    /// Place in the order of (name, id) among the documents ranked together; `UNRANKED` for
    /// documents added since. Why: a broad query ties thousands of scores, and comparing two
    /// numbers beats comparing two names.
    name_rank: u32,
    categories: Categories,
    /// Bit per `Funding` variant.
    funding: u8,
    online: bool,
    organisation: Uuid,
    updated_at: i64,
    points: Box<[Coordinates]>,
    areas: Box<[Uuid]>,
}

/// The search index. Cheap to query from many threads (`&self`); `apply` needs `&mut`, so a
/// server keeps it behind a lock or swaps a new `Arc<Index>` in.
pub struct Index {
    docs: Vec<Doc>,
    /// Removed and replaced documents stay in the postings until compaction; this says which
    /// numbers still count.
    alive: Vec<bool>,
    live: usize,
    by_id: HashMap<Uuid, u32>,
    /// Documents per served municipality: the services that come to you there.
    by_municipality: HashMap<Uuid, Vec<u32>>,
    /// Documents added since names were last ranked.
    unranked: usize,
    vocab: Vocab,
    grid: Grid,
    watermark: i64,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("len", &self.live)
            .field("slots", &self.docs.len())
            .field("watermark", &self.watermark)
            .finish_non_exhaustive()
    }
}

/// A document that passed the filters, with what the ordering reads (no trip to the document
/// for most comparisons).
#[derive(Debug, Clone, Copy)]
struct Found {
    doc: u32,
    name_rank: u32,
    score: f64,
    distance: Option<f64>,
}

const UNRANKED: u32 = u32::MAX;

/// A query word with its expansions (term, quality, spelled right), found once per search.
#[derive(Debug, Default)]
struct Word {
    alternatives: Vec<(u32, f32, bool)>,
    /// Head and tail of a compound query word, scored when a document has both.
    both_parts: Option<(u32, u32)>,
}

impl Word {
    /// `spelled`: found without a typing error (the word itself, its stem, a compound).
    fn add(&mut self, term: u32, quality: f32, spelled: bool) {
        match self.alternatives.iter_mut().find(|(t, ..)| *t == term) {
            Some((_, q, s)) => {
                if spelled && !*s {
                    (*q, *s) = (quality, true);
                } else if spelled == *s {
                    *q = q.max(quality);
                }
            }
            None => self.alternatives.push((term, quality, spelled)),
        }
    }
}

/// Per-thread score arrays, one slot per document number. Why: allocating and zeroing them per
/// query costs more than the query at 50,000 services; they are reset by the lists of documents
/// touched, so a query pays only for what it reads.
#[derive(Default)]
struct Scratch {
    /// Best score of the current word per document.
    current: Vec<f32>,
    /// Sum over words (f64: the spelled-right tier is added as a large constant).
    total: Vec<f64>,
    /// Bit per query word matched.
    mask: Vec<u32>,
    touched: Vec<u32>,
    candidates: Vec<u32>,
    /// Prefilter marks: `seen` or `admitted` of this query; older values mean nothing, so the
    /// array is never cleared (two new values per query).
    stamp: Vec<u32>,
    seen: u32,
    admitted: u32,
    /// The distance of each admitted document (NaN: none).
    distance: Vec<f64>,
    /// The admitted documents, in the order found.
    admitted_docs: Vec<u32>,
    /// False while a search is under way: after a panic the arrays are cleared in full.
    clean: bool,
}

impl Scratch {
    fn prepare(&mut self, slots: usize) {
        if !self.clean {
            self.current.clear();
            self.total.clear();
            self.mask.clear();
            self.touched.clear();
            self.candidates.clear();
            self.admitted_docs.clear();
        }
        if self.current.len() < slots {
            self.current.resize(slots, 0.0);
            self.total.resize(slots, 0.0);
            self.mask.resize(slots, 0);
            self.stamp.resize(slots, 0);
            self.distance.resize(slots, f64::NAN);
        }
        if self.admitted >= u32::MAX - 2 {
            self.stamp.fill(0);
            self.admitted = 0;
        }
        self.seen = self.admitted + 1;
        self.admitted += 2;
        self.clean = false;
    }

    fn finish(&mut self) {
        for &d in &self.candidates {
            self.total[d as usize] = 0.0;
            self.mask[d as usize] = 0;
        }
        self.candidates.clear();
        self.touched.clear();
        self.admitted_docs.clear();
        self.clean = true;
    }

    /// Adds `score` for the current word: the best expansion counts.
    #[inline]
    fn offer(current: &mut [f32], touched: &mut Vec<u32>, doc: u32, score: f32) {
        let c = &mut current[doc as usize];
        if *c == 0.0 {
            touched.push(doc);
        }
        if score > *c {
            *c = score;
        }
    }

    fn distance_of(&self, doc: u32) -> Option<f64> {
        let d = self.distance[doc as usize];
        (!d.is_nan()).then_some(d)
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch { clean: true, ..Scratch::default() });
}

/// The query's filters, worked out once: bit masks, the bounding box, the local time.
struct Filters {
    categories: Option<Categories>,
    funding: u8,
    online: bool,
    organisation: Option<Uuid>,
    modified_after: Option<i64>,
    municipality: Option<Uuid>,
    open_at: Option<(Weekday, u16)>,
    near: Option<Near>,
    within: Option<(f64, BoundingBox)>,
    /// Distance sort: every match needs its distance, not only the page's.
    by_distance: bool,
    /// Whether `check` has anything to do: a text-only query skips it.
    any: bool,
}

impl Filters {
    /// `None` when nothing can match (only unknown category codes).
    fn new(q: &Query, now_ms: i64) -> Option<Filters> {
        let categories = if q.categories.is_empty() {
            None
        } else {
            let mut set = Categories::default();
            for code in &q.categories {
                for term in taxonomy::with_descendants(code) {
                    set.insert(term.code);
                }
            }
            if set.is_empty() {
                return None;
            }
            Some(set)
        };
        let within = match (q.near, q.within_km) {
            (Some(near), Some(km)) => Some((km, bounding_box(near.point, km))),
            _ => None,
        };
        let any = categories.is_some()
            || !q.funding.is_empty()
            || q.online
            || q.organisation.is_some()
            || q.modified_after.is_some()
            || q.municipality.is_some()
            || q.open_now
            || q.near.is_some();
        Some(Filters {
            any,
            categories,
            funding: q.funding.iter().fold(0, |m, f| m | funding_bit(*f)),
            online: q.online,
            organisation: q.organisation,
            modified_after: q.modified_after,
            municipality: q.municipality,
            open_at: q.open_now.then(|| opening::local_time(now_ms)),
            near: q.near,
            within,
            by_distance: q.sort == Sort::Distance && q.near.is_some(),
        })
    }

    /// Whether the distance of every match is known after `check`.
    fn distances_known(&self) -> bool {
        self.within.is_some() || self.by_distance
    }

    /// `None`: filtered out. `Some(distance)`: kept, with the distance when it was needed.
    /// Cheapest tests first.
    #[inline]
    fn check(&self, doc: &Doc) -> Option<Option<f64>> {
        if !self.any {
            return Some(None);
        }
        if self
            .categories
            .is_some_and(|c| !c.intersects(&doc.categories))
            || (self.funding != 0 && self.funding & doc.funding == 0)
            || (self.online && !doc.online)
            || self.organisation.is_some_and(|o| o != doc.organisation)
            || self.modified_after.is_some_and(|t| doc.updated_at <= t)
            || self.municipality.is_some_and(|m| !doc.areas.contains(&m))
        {
            return None;
        }
        if let Some((day, minutes)) = self.open_at
            && !opening::is_open_at(&doc.record.opening_hours, day, minutes)
        {
            return None;
        }
        let Some(near) = self.near else {
            return Some(None);
        };
        if let Some((radius, bbox)) = self.within {
            let nearest = doc
                .points
                .iter()
                .filter(|p| bbox.contains(**p))
                .map(|p| distance_km(near.point, *p))
                .filter(|d| *d <= radius)
                .min_by(f64::total_cmp);
            if nearest.is_some() {
                return Some(nearest);
            }
            // No location near, but the service comes to the searcher's municipality.
            let serves = near.municipality_id.is_some_and(|m| doc.areas.contains(&m));
            return serves.then_some(None);
        }
        if self.by_distance {
            return Some(nearest(doc, near.point));
        }
        Some(None)
    }
}

fn nearest(doc: &Doc, point: Coordinates) -> Option<f64> {
    doc.points
        .iter()
        .map(|p| distance_km(point, *p))
        .min_by(f64::total_cmp)
}

fn funding_bit(f: Funding) -> u8 {
    1 << (f as u8)
}

/// BM25's term-frequency curve without length normalisation (our fields are short or similar).
fn saturate(tf: u32) -> f32 {
    let tf = tf as f32;
    tf * (TF_K + 1.0) / (tf + TF_K)
}

fn add_words(vocab: &mut Vocab, out: &mut Vec<(u32, Field)>, text: &str, field: Field) {
    text::words(text, |w| {
        if let Some(surface) = vocab.surface(w) {
            out.push((surface, field));
        }
    });
}

impl Index {
    /// An index of the listed services among `records` (the last of two with the same id wins).
    pub fn build(records: Vec<ServiceRecord>) -> Index {
        let mut index = Index {
            docs: Vec::with_capacity(records.len()),
            alive: Vec::with_capacity(records.len()),
            live: 0,
            by_id: HashMap::with_capacity(records.len()),
            by_municipality: HashMap::new(),
            unranked: 0,
            vocab: Vocab::default(),
            grid: Grid::default(),
            watermark: 0,
        };
        // The taxonomy's words are known even before a service uses them: compound parts
        // ("respijt" + "huis") and typo targets for what people look for.
        let mut seed = Vec::new();
        for term in TERMS {
            for words in [term.nl, term.en].iter().chain(term.synonyms) {
                add_words(&mut index.vocab, &mut seed, words, Field::Category);
            }
        }
        index.apply(records);
        index
    }

    /// Upserts by id; a record whose status is not listed is removed. The watermark follows
    /// the highest `change_seq` in the batch.
    pub fn apply(&mut self, changed: Vec<ServiceRecord>) {
        // Within one batch the last version of a service wins.
        let mut last: HashMap<Uuid, usize> = HashMap::with_capacity(changed.len());
        for (i, r) in changed.iter().enumerate() {
            last.insert(r.id, i);
            self.watermark = self.watermark.max(r.change_seq);
        }
        let before = self.unranked;
        for (i, r) in changed.into_iter().enumerate() {
            if last[&r.id] != i {
                continue;
            }
            if let Some(old) = self.by_id.remove(&r.id) {
                self.kill(old);
            }
            if r.status.is_listed() {
                let words = self.read(&r);
                self.push(r, &words);
            }
        }
        self.compact_if_worthwhile();
        // Ranking sorts every name: worth it once enough documents go without.
        if self.unranked > before && self.unranked > (self.live / 16).max(64) {
            self.rank_names();
        }
    }

    pub fn remove(&mut self, id: Uuid) {
        if let Some(old) = self.by_id.remove(&id) {
            self.kill(old);
            self.compact_if_worthwhile();
        }
    }

    /// Highest `ServiceRecord::change_seq` seen; the caller polls the database for newer changes.
    pub fn watermark(&self) -> i64 {
        self.watermark
    }

    /// Services in the index.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Document numbers in use, dead ones included (for tests of compaction).
    #[cfg(test)]
    pub(crate) fn slots(&self) -> usize {
        self.docs.len()
    }

    /// Every service in the index, by name (then id): for lists that page through the whole map.
    pub fn records(&self) -> Vec<Arc<ServiceRecord>> {
        let mut out: Vec<_> = self
            .by_id
            .values()
            .map(|doc| Arc::clone(&self.docs[*doc as usize].record))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        out
    }

    pub fn get(&self, id: Uuid) -> Option<Arc<ServiceRecord>> {
        let doc = *self.by_id.get(&id)?;
        Some(Arc::clone(&self.docs[doc as usize].record))
    }

    /// The words of a record, per field, as surface numbers (new words join the vocabulary).
    fn read(&mut self, r: &ServiceRecord) -> Vec<(u32, Field)> {
        let mut out = Vec::with_capacity(128);
        let v = &mut self.vocab;
        add_words(v, &mut out, &r.name, Field::Name);
        if let Some(alt) = &r.alternate_name {
            add_words(v, &mut out, alt, Field::Name);
        }
        // Each category once, in its strongest role (own category beats parent of another).
        let mut categories: Vec<(&'static str, Field)> = Vec::new();
        for code in &r.categories {
            let Some(term) = taxonomy::by_code(code) else {
                continue;
            };
            categories.push((term.code, Field::Category));
            if let Some(parent) = term.parent {
                categories.push((parent, Field::ParentCategory));
            }
        }
        categories.sort_by_key(|&(code, field)| (code, field));
        categories.dedup_by_key(|(code, _)| *code);
        for (code, field) in categories {
            let term = taxonomy::by_code(code).expect("known code");
            for words in [term.nl, term.en].iter().chain(term.synonyms) {
                add_words(v, &mut out, words, field);
            }
        }
        add_words(v, &mut out, &r.organisation.name, Field::Organisation);
        add_words(v, &mut out, &r.description, Field::Description);
        if let Some(e) = &r.eligibility_description {
            add_words(v, &mut out, e, Field::Description);
        }
        let mut cities: Vec<&str> = Vec::new();
        for sal in &r.locations {
            add_words(v, &mut out, &sal.location.name, Field::Description);
            if !cities.contains(&sal.location.city.as_str()) {
                cities.push(&sal.location.city);
            }
        }
        for city in cities {
            add_words(v, &mut out, city, Field::City);
        }
        out
    }

    /// Appends a document: postings, grid points, municipalities.
    fn push(&mut self, r: ServiceRecord, words: &[(u32, Field)]) {
        let doc = self.docs.len() as u32;
        // (term, field), sorted, then weighed per term: the sum over fields of the field's
        // weight times the saturated count.
        let mut entries: Vec<(u32, Field)> = words
            .iter()
            .map(|&(surface, field)| (self.vocab.term_of(surface), field))
            .collect();
        entries.sort_unstable();
        let mut i = 0;
        while i < entries.len() {
            let term = entries[i].0;
            let mut weight = 0.0;
            while i < entries.len() && entries[i].0 == term {
                let key = entries[i];
                let mut tf = 0;
                while i < entries.len() && entries[i] == key {
                    tf += 1;
                    i += 1;
                }
                weight += key.1.weight() * saturate(tf);
            }
            self.vocab.postings[term as usize].push(Posting { doc, weight });
        }

        let points: Box<[Coordinates]> = r
            .locations
            .iter()
            .filter_map(|sal| sal.location.coordinates)
            .collect();
        for p in points.iter() {
            self.grid.insert(Point {
                latitude: p.latitude(),
                longitude: p.longitude(),
                doc,
            });
        }
        let mut areas: Vec<Uuid> = r.areas.iter().map(|a| a.municipality_id).collect();
        areas.sort_unstable();
        areas.dedup();
        for m in &areas {
            self.by_municipality.entry(*m).or_default().push(doc);
        }
        let mut categories = Categories::default();
        for code in &r.categories {
            categories.insert(code);
        }
        self.by_id.insert(r.id, doc);
        let sort_name: Box<str> = text::word_list(&r.name).join(" ").into();
        let mut key = [0u8; 8];
        let prefix = &sort_name.as_bytes()[..sort_name.len().min(8)];
        key[..prefix.len()].copy_from_slice(prefix);
        self.docs.push(Doc {
            name_key: u64::from_be_bytes(key),
            name_rank: UNRANKED,
            sort_name,
            categories,
            funding: r.funding.iter().fold(0, |m, f| m | funding_bit(*f)),
            online: r.online,
            organisation: r.organisation.id,
            updated_at: r.updated_at,
            points,
            areas: areas.into(),
            record: Arc::new(r),
        });
        self.alive.push(true);
        self.live += 1;
        self.unranked += 1;
    }

    /// Ranks every live document by (name, id). Ranks only compare with ranks given in the same
    /// pass; compaction keeps them valid (it keeps order).
    fn rank_names(&mut self) {
        let docs = &self.docs;
        let mut order: Vec<u32> = (0..docs.len() as u32)
            .filter(|&d| self.alive[d as usize])
            .collect();
        order.sort_unstable_by(|&a, &b| {
            let (da, db) = (&docs[a as usize], &docs[b as usize]);
            da.sort_name
                .cmp(&db.sort_name)
                .then_with(|| da.record.id.cmp(&db.record.id))
        });
        for (rank, d) in order.into_iter().enumerate() {
            self.docs[d as usize].name_rank = rank as u32;
        }
        self.unranked = 0;
    }

    fn found(&self, doc: u32, score: f64, distance: Option<f64>) -> Found {
        Found {
            doc,
            name_rank: self.docs[doc as usize].name_rank,
            score,
            distance,
        }
    }

    fn kill(&mut self, doc: u32) {
        self.alive[doc as usize] = false;
        self.live -= 1;
    }

    /// Renumbers when a quarter of the numbers are dead: postings, grid and lists shrink back,
    /// and the scratch arrays stay as long as the live set. Costs one pass over the postings,
    /// no re-reading of text.
    fn compact_if_worthwhile(&mut self) {
        let dead = self.docs.len() - self.live;
        if dead < 16 || dead * 4 < self.docs.len() {
            return;
        }
        let mut renumber = vec![None; self.docs.len()];
        let mut next = 0u32;
        for (old, alive) in self.alive.iter().enumerate() {
            if *alive {
                renumber[old] = Some(next);
                next += 1;
            }
        }
        let alive = std::mem::take(&mut self.alive);
        self.docs = std::mem::take(&mut self.docs)
            .into_iter()
            .zip(alive)
            .filter_map(|(doc, alive)| alive.then_some(doc))
            .collect();
        self.alive = vec![true; self.docs.len()];
        self.vocab.renumber(&renumber);
        self.grid.renumber(&renumber);
        self.by_municipality.retain(|_, docs| {
            docs.retain_mut(|d| match renumber[*d as usize] {
                Some(new) => {
                    *d = new;
                    true
                }
                None => false,
            });
            !docs.is_empty()
        });
        for doc in self.by_id.values_mut() {
            *doc = renumber[*doc as usize].expect("ids point at live documents");
        }
    }

    /// The query text as words with their expansions.
    fn plan(&self, text: &str) -> Vec<Word> {
        let mut folded: Vec<String> = Vec::new();
        text::words(text, |w| {
            if !text::is_stop_word(w) && folded.len() < MAX_WORDS && !folded.iter().any(|f| f == w)
            {
                folded.push(w.to_string());
            }
        });
        let mut words: Vec<Word> = folded.iter().map(|w| self.expand(w)).collect();
        // Two words that together are a known word ("dag besteding"): the compound satisfies
        // both.
        for i in 1..folded.len() {
            for link in ["", "s", "e"] {
                let joined = format!("{}{link}{}", folded[i - 1], folded[i]);
                if let Some(term) = self.vocab.term(&joined) {
                    words[i - 1].add(term, JOINED, true);
                    words[i].add(term, JOINED, true);
                    break;
                }
            }
        }
        words
    }

    fn expand(&self, folded: &str) -> Word {
        let typo_quality = |edits| match edits {
            0 => EXACT,
            1 => ONE_TYPO,
            _ => TWO_TYPOS,
        };
        let mut word = Word::default();
        let exact = self.vocab.term(folded);
        if let Some(term) = exact {
            word.add(term, EXACT, true);
        }
        let typos = text::allowed_typos(folded.chars().count());
        // An unknown word is probably misspelled: its nearest known words also bring their
        // compounds ("mantelzrg" → mantelzorg → mantelzorgconsulent).
        let mut corrections: Vec<(usize, String)> = Vec::new();
        self.vocab.similar(folded, typos, |surface, term, edits| {
            word.add(term, typo_quality(edits), edits == 0);
            if exact.is_none() {
                corrections.push((edits, surface.to_string()));
            }
        });
        self.vocab
            .compounds_with(folded, |term| word.add(term, COMPOUND_PART, true));
        corrections.sort_unstable();
        for (edits, surface) in corrections.iter().take(MAX_CORRECTIONS) {
            let quality = COMPOUND_PART * typo_quality(*edits);
            self.vocab
                .compounds_with(surface, |term| word.add(term, quality, false));
        }
        if let Some((head, tail)) = self.vocab.split(folded) {
            word.add(tail, TAIL_ONLY, true);
            word.both_parts = Some((head, tail));
        }
        word
    }

    pub fn search(&self, query: &Query, now_ms: i64) -> SearchResults {
        let window = (query.page.max(1), query.per_page.clamp(1, 100));
        self.run(query, now_ms, Some(window))
    }

    /// Every match in one pass, best first; `query.page` and `per_page` are ignored (for lists
    /// that filter and page on their own, such as the HSDS API).
    pub fn search_all(&self, query: &Query, now_ms: i64) -> SearchResults {
        self.run(query, now_ms, None)
    }

    /// `window`: (page, per page); `None` for every match.
    fn run(&self, query: &Query, now_ms: i64, window: Option<(usize, usize)>) -> SearchResults {
        let Some(filters) = Filters::new(query, now_ms) else {
            return SearchResults {
                total: 0,
                hits: Vec::new(),
                relaxed: false,
            };
        };
        let words = self.plan(&query.text);
        let (found, relaxed) = SCRATCH.with_borrow_mut(|s| {
            s.prepare(self.docs.len());
            let prefiltered = self.prefilter(&filters, s);
            let out = if words.is_empty() {
                (self.filter_only(&filters, prefiltered, s), false)
            } else {
                self.match_words(&words, &filters, prefiltered, s)
            };
            s.finish();
            out
        });
        let total = found.len();
        let (page, per_page) = window.unwrap_or((1, total.max(1)));
        SearchResults {
            total,
            hits: self.page(found, &filters, page, per_page),
            relaxed,
        }
    }

    /// When a filter names its own small set of documents (a radius: the grid; a municipality:
    /// its list), checks those against every filter first and admits the ones that pass, with
    /// their distance. The text then only scores admitted documents. `false`: no such set.
    fn prefilter(&self, filters: &Filters, s: &mut Scratch) -> bool {
        let Scratch {
            stamp,
            seen,
            admitted,
            distance,
            admitted_docs,
            ..
        } = s;
        let mut consider = |d: u32| {
            let i = d as usize;
            if stamp[i] == *seen || stamp[i] == *admitted || !self.alive[i] {
                return;
            }
            stamp[i] = *seen;
            if let Some(dist) = filters.check(&self.docs[i]) {
                stamp[i] = *admitted;
                distance[i] = dist.unwrap_or(f64::NAN);
                admitted_docs.push(d);
            }
        };
        let listed = |m: &Uuid| self.by_municipality.get(m).map_or(&[][..], Vec::as_slice);
        if let (Some(near), Some((_, bbox))) = (filters.near, filters.within) {
            if !self.grid.visit(&bbox, |p| consider(p.doc)) {
                // Too large a box for the grid (it visited nothing): check document by document.
                return false;
            }
            // Services that come to the searcher's municipality are near too.
            if let Some(m) = near.municipality_id {
                listed(&m).iter().for_each(|&d| consider(d));
            }
            return true;
        }
        if let Some(m) = filters.municipality {
            listed(&m).iter().for_each(|&d| consider(d));
            return true;
        }
        false
    }

    /// Sums the words' best expansions per document, then keeps those with every word (or, if
    /// none pass the filters, those with any word).
    fn match_words(
        &self,
        words: &[Word],
        filters: &Filters,
        prefiltered: bool,
        s: &mut Scratch,
    ) -> (Vec<Found>, bool) {
        let population = if prefiltered {
            s.admitted_docs.len()
        } else {
            self.live
        }
        .max(1) as f32;
        let admitted = s.admitted;
        for (i, word) in words.iter().enumerate() {
            let Scratch {
                current,
                touched,
                stamp,
                ..
            } = &mut *s;
            // Per posting, the hot path: a stamp compare (prefiltered) or the alive flag.
            let admit = |d: u32| {
                if prefiltered {
                    stamp[d as usize] == admitted
                } else {
                    self.alive[d as usize]
                }
            };
            for &(term, quality, spelled) in &word.alternatives {
                let bonus = if spelled { SPELLED } else { 0.0 };
                for p in &self.vocab.postings[term as usize] {
                    if admit(p.doc) {
                        Scratch::offer(current, touched, p.doc, quality * p.weight + bonus);
                    }
                }
            }
            if let Some((head, tail)) = word.both_parts {
                let (heads, tails) = (
                    &self.vocab.postings[head as usize],
                    &self.vocab.postings[tail as usize],
                );
                intersect(heads, tails, |doc, h, t| {
                    if admit(doc) {
                        let score = BOTH_PARTS * (h + t) / 2.0 + SPELLED;
                        Scratch::offer(current, touched, doc, score);
                    }
                });
            }
            if s.touched.is_empty() {
                continue;
            }
            // Why per word and not per term: all expansions of a word compete for one meaning;
            // a word that many services have says less about each.
            let idf = (1.0 + population / s.touched.len() as f32).ln();
            let bit = 1u32 << i;
            for &d in &s.touched {
                let d = d as usize;
                if s.mask[d] == 0 {
                    s.candidates.push(d as u32);
                }
                s.mask[d] |= bit;
                let best = s.current[d];
                s.total[d] += if best >= SPELLED {
                    SPELLED_TIER + f64::from(idf * (best - SPELLED))
                } else {
                    f64::from(idf * best)
                };
                s.current[d] = 0.0;
            }
            s.touched.clear();
        }
        let all = u32::MAX >> (32 - words.len());
        let passes = |d: u32| {
            if prefiltered {
                Some(s.distance_of(d))
            } else {
                filters.check(&self.docs[d as usize])
            }
        };
        let mut found = Vec::new();
        for &d in &s.candidates {
            if s.mask[d as usize] == all
                && let Some(distance) = passes(d)
            {
                found.push(self.found(d, s.total[d as usize], distance));
            }
        }
        if !found.is_empty() || words.len() == 1 {
            return (found, false);
        }
        // Nothing has every word: any word, scaled by the share of words found.
        let n = words.len() as f32;
        for &d in &s.candidates {
            if let Some(distance) = passes(d) {
                let share = s.mask[d as usize].count_ones() as f32 / n;
                found.push(self.found(d, s.total[d as usize] * f64::from(share), distance));
            }
        }
        let relaxed = !found.is_empty();
        (found, relaxed)
    }

    /// Without text: the prefilter's documents, else every document through the filters.
    fn filter_only(&self, filters: &Filters, prefiltered: bool, s: &Scratch) -> Vec<Found> {
        if prefiltered {
            return s
                .admitted_docs
                .iter()
                .map(|&doc| self.found(doc, 0.0, s.distance_of(doc)))
                .collect();
        }
        let mut found = Vec::new();
        for (d, doc) in self.docs.iter().enumerate() {
            if self.alive[d]
                && let Some(distance) = filters.check(doc)
            {
                found.push(self.found(d as u32, 0.0, distance));
            }
        }
        found
    }

    /// Orders only as much as the page needs: a selection puts the first `page × per_page`
    /// in front, only those are sorted.
    fn page(
        &self,
        mut found: Vec<Found>,
        filters: &Filters,
        page: usize,
        per_page: usize,
    ) -> Vec<Hit> {
        let start = (page - 1).saturating_mul(per_page);
        if start >= found.len() {
            return Vec::new();
        }
        let end = start.saturating_add(per_page).min(found.len());
        let docs = &self.docs;
        let by_distance = filters.by_distance;
        let order = |a: &Found, b: &Found| -> Ordering {
            let first = if by_distance {
                match (a.distance, b.distance) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            } else {
                Ordering::Equal
            };
            first
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| {
                    if a.name_rank != UNRANKED && b.name_rank != UNRANKED {
                        return a.name_rank.cmp(&b.name_rank);
                    }
                    // Same order as the ranks, the long way.
                    let (da, db) = (&docs[a.doc as usize], &docs[b.doc as usize]);
                    da.name_key
                        .cmp(&db.name_key)
                        .then_with(|| da.sort_name.cmp(&db.sort_name))
                        .then_with(|| da.record.id.cmp(&db.record.id))
                })
        };
        if end < found.len() {
            found.select_nth_unstable_by(end - 1, order);
            found.truncate(end);
        }
        found.sort_unstable_by(order);
        found[start..end]
            .iter()
            .map(|f| {
                let doc = &self.docs[f.doc as usize];
                let distance_km = match filters.near {
                    Some(near) if !filters.distances_known() => nearest(doc, near.point),
                    _ => f.distance,
                };
                Hit {
                    record: Arc::clone(&doc.record),
                    score: f.score as f32,
                    distance_km,
                }
            })
            .collect()
    }
}

/// Walks two postings lists (sorted by document) and calls `both` for documents in each.
fn intersect(a: &[Posting], b: &[Posting], mut both: impl FnMut(u32, f32, f32)) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].doc.cmp(&b[j].doc) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                both(a[i].doc, a[i].weight, b[j].weight);
                i += 1;
                j += 1;
            }
        }
    }
}
