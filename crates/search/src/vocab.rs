//! The vocabulary: every folded word seen (its surface form), the stems they reduce to (the
//! terms, each with a postings list), sorted views for compounds, and length buckets for typo
//! search.
//!
//! Why surfaces and terms apart: matching is on stems (boodschappen = boodschap), but typing
//! errors are judged against words as people write them. Compounds are worked out at query time
//! against the vocabulary as it is then, so an update never leaves a stale split behind.

use std::collections::{BTreeMap, HashMap};

use crate::text::{self, Stem};

/// One document containing a term, with the term's weight in it (fields and frequency).
/// Lists are sorted by `doc`: documents are only ever appended, and compaction keeps order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posting {
    pub doc: u32,
    pub weight: f32,
}

/// Surfaces of one byte length, packed side by side so a typo scan reads memory in order.
#[derive(Debug, Default)]
struct Bucket {
    masks: Vec<u32>,
    bytes: Vec<u8>,
    surfaces: Vec<u32>,
}

/// The surface number kept for stop words.
const STOP: u32 = u32::MAX;

/// Words shorter than this are never parts of a compound ("op", "in").
const MIN_PART: usize = 3;

/// At most this many compounds per query word and direction: a short, common part ("zorg")
/// heads hundreds of words, and latency matters more than the last of them.
const MAX_COMPOUNDS: usize = 256;

/// The linking letters between the parts of a compound (levensloop, ontmoetingscentrum).
const LINKS: [char; 2] = ['s', 'e'];

#[derive(Default)]
pub struct Vocab {
    stem: Stem,
    terms: HashMap<Box<str>, u32>,
    pub postings: Vec<Vec<Posting>>,
    surface_ids: HashMap<Box<str>, u32>,
    /// The term of each surface.
    surface_terms: Vec<u32>,
    /// Surfaces in order: the words that start with a part ("logeer" → logeeropvang).
    by_prefix: BTreeMap<Box<str>, u32>,
    /// Stems reversed, in order: the words that end in a part ("opvang" → logeeropvang).
    by_suffix: BTreeMap<Box<str>, u32>,
    buckets: Vec<Bucket>,
}

impl Vocab {
    /// The surface number of a folded word, added (with its term) when new; `None` for a stop
    /// word. Stop words are remembered as such, so indexing checks the list once per word, not
    /// once per occurrence.
    pub fn surface(&mut self, folded: &str) -> Option<u32> {
        if let Some(&id) = self.surface_ids.get(folded) {
            return (id != STOP).then_some(id);
        }
        if text::is_stop_word(folded) {
            self.surface_ids.insert(folded.into(), STOP);
            return None;
        }
        let stem = self.stem.stem(folded);
        let term = match self.terms.get(stem.as_ref()) {
            Some(&t) => t,
            None => {
                let t = self.postings.len() as u32;
                self.by_suffix.insert(stem.chars().rev().collect(), t);
                self.terms.insert(stem.into(), t);
                self.postings.push(Vec::new());
                t
            }
        };
        let id = self.surface_terms.len() as u32;
        self.surface_terms.push(term);
        self.surface_ids.insert(folded.into(), id);
        self.by_prefix.insert(folded.into(), term);
        let len = folded.len();
        if self.buckets.len() <= len {
            self.buckets.resize_with(len + 1, Bucket::default);
        }
        let bucket = &mut self.buckets[len];
        bucket.masks.push(text::letter_mask(folded));
        bucket.bytes.extend_from_slice(folded.as_bytes());
        bucket.surfaces.push(id);
        Some(id)
    }

    pub fn term_of(&self, surface: u32) -> u32 {
        self.surface_terms[surface as usize]
    }

    /// The term of a folded word, when some document (or the taxonomy) has it.
    pub fn term(&self, folded: &str) -> Option<u32> {
        self.terms.get(self.stem.stem(folded).as_ref()).copied()
    }

    /// A part of a compound: at least three letters, not a stop word, a known term.
    fn part(&self, folded: &str) -> Option<u32> {
        if folded.len() < MIN_PART || text::is_stop_word(folded) {
            return None;
        }
        self.term(folded)
    }

    /// A part, or a part followed by a linking letter ("ontmoetings" in ontmoetingscentrum).
    fn part_before_link(&self, head: &str) -> bool {
        self.part(head).is_some()
            || head
                .strip_suffix(LINKS)
                .is_some_and(|h| self.part(h).is_some())
    }

    /// A part, or a linking letter and a part ("s" + "centrum").
    fn part_after_link(&self, tail: &str) -> bool {
        self.part(tail).is_some()
            || tail
                .strip_prefix(LINKS)
                .is_some_and(|t| self.part(t).is_some())
    }

    /// Calls `each(term)` for known compounds of which `word` is a part, the other part being a
    /// known word too: as the tail ("opvang" → logeeropvang, dagopvang; compared by stem, so
    /// "opvangen" finds them as well) and as the head ("logeer" → logeeropvang).
    pub fn compounds_with(&self, word: &str, mut each: impl FnMut(u32)) {
        if word.len() < MIN_PART || text::is_stop_word(word) {
            return;
        }
        let stem = self.stem.stem(word);
        let reversed: String = stem.chars().rev().collect();
        let tails = self
            .by_suffix
            .range::<str, _>((
                std::ops::Bound::Included(reversed.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(k, _)| k.starts_with(reversed.as_str()))
            .filter(|(k, _)| k.len() >= reversed.len() + MIN_PART);
        for (key, &term) in tails.take(MAX_COMPOUNDS) {
            let head: String = key[reversed.len()..].chars().rev().collect();
            if self.part_before_link(&head) {
                each(term);
            }
        }
        let heads = self
            .by_prefix
            .range::<str, _>((std::ops::Bound::Included(word), std::ops::Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(word))
            .filter(|(k, _)| k.len() >= word.len() + MIN_PART);
        for (key, &term) in heads.take(MAX_COMPOUNDS) {
            if self.part_after_link(&key[word.len()..]) {
                each(term);
            }
        }
    }

    /// Splits a word into two known words, with an optional linking "s" or "e"
    /// ("logeeropvang" = logeer + opvang, "ontmoetingscentrum" = ontmoeting + s + centrum).
    /// Generic, from the vocabulary: no list of compounds. The longest known tail wins, because
    /// in Dutch the last part names the thing (a logeeropvang is an opvang).
    pub fn split(&self, word: &str) -> Option<(u32, u32)> {
        let whole = self.term(word);
        for i in MIN_PART..=word.len().saturating_sub(MIN_PART) {
            if !word.is_char_boundary(i) {
                continue;
            }
            let head = &word[..i];
            let rest = &word[i..];
            let Some(h) = self.part(head) else { continue };
            let linked = rest.strip_prefix(LINKS);
            for tail in std::iter::once(rest).chain(linked) {
                if let Some(t) = self.part(tail)
                    && Some(t) != whole
                    && Some(h) != whole
                {
                    return Some((h, t));
                }
            }
        }
        None
    }

    /// Calls `each(surface, term, edits)` for the known words within `max` edits of `word` (a
    /// term once per surface; the caller keeps the best). Scans only the length buckets that
    /// can be near enough, and skips by letter mask before computing the distance.
    pub fn similar(&self, word: &str, max: usize, mut each: impl FnMut(&str, u32, usize)) {
        if max == 0 || self.buckets.is_empty() {
            return;
        }
        let target = word.as_bytes();
        let mask = text::letter_mask(word);
        let lo = target.len().saturating_sub(max);
        let hi = (target.len() + max).min(self.buckets.len().saturating_sub(1));
        for len in lo..=hi {
            let bucket = &self.buckets[len];
            for (i, &m) in bucket.masks.iter().enumerate() {
                if (m ^ mask).count_ones() as usize > 2 * max {
                    continue;
                }
                let candidate = &bucket.bytes[i * len..(i + 1) * len];
                if let Some(d) = text::edit_distance_within(target, candidate, max) {
                    // Surfaces are whole `str`s laid end to end, so this cannot fail.
                    let surface = std::str::from_utf8(candidate).unwrap_or_default();
                    each(surface, self.surface_terms[bucket.surfaces[i] as usize], d);
                }
            }
        }
    }

    /// Keeps the postings of live documents under their new numbers (`renumber[old]`).
    pub fn renumber(&mut self, renumber: &[Option<u32>]) {
        for list in &mut self.postings {
            list.retain_mut(|p| match renumber[p.doc as usize] {
                Some(new) => {
                    p.doc = new;
                    true
                }
                None => false,
            });
        }
    }
}
