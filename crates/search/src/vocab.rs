//! The vocabulary: every folded word seen (its surface form), the stems they reduce to (the
//! terms, each with a postings list), compound splits, and length buckets for typo search.
//!
//! Why surfaces and terms apart: matching is on stems (boodschappen = boodschap), but typing
//! errors are judged against words as people write them, and a compound is split into words.

use std::collections::HashMap;

use crate::text::{self, Stem};

/// One document containing a term, with the term's weight in it (fields and frequency).
/// Lists are sorted by `doc`: documents are only ever appended, and compaction keeps order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posting {
    pub doc: u32,
    pub weight: f32,
}

#[derive(Debug, Clone, Copy)]
struct Surface {
    term: u32,
    /// Head and tail terms when the word is a compound of two known words.
    split: Option<(u32, u32)>,
}

/// Surfaces of one byte length, packed side by side so a typo scan reads memory in order.
#[derive(Debug, Default)]
struct Bucket {
    masks: Vec<u32>,
    bytes: Vec<u8>,
    surfaces: Vec<u32>,
}

/// Words shorter than this are never parts of a compound ("op", "in").
const MIN_PART: usize = 3;

#[derive(Default)]
pub struct Vocab {
    stem: Stem,
    terms: HashMap<Box<str>, u32>,
    pub postings: Vec<Vec<Posting>>,
    surface_ids: HashMap<Box<str>, u32>,
    surfaces: Vec<Surface>,
    /// Surfaces whose compound split has not been looked for yet.
    unsplit: Vec<(u32, Box<str>)>,
    buckets: Vec<Bucket>,
}

impl Vocab {
    /// The surface number of a folded word, added (with its term) when new.
    pub fn surface(&mut self, folded: &str) -> u32 {
        if let Some(&id) = self.surface_ids.get(folded) {
            return id;
        }
        let stem = self.stem.stem(folded);
        let term = match self.terms.get(stem.as_ref()) {
            Some(&t) => t,
            None => {
                let t = self.postings.len() as u32;
                self.terms.insert(stem.into(), t);
                self.postings.push(Vec::new());
                t
            }
        };
        let id = self.surfaces.len() as u32;
        self.surfaces.push(Surface { term, split: None });
        self.surface_ids.insert(folded.into(), id);
        self.unsplit.push((id, folded.into()));
        let len = folded.len();
        if self.buckets.len() <= len {
            self.buckets.resize_with(len + 1, Bucket::default);
        }
        let bucket = &mut self.buckets[len];
        bucket.masks.push(text::letter_mask(folded));
        bucket.bytes.extend_from_slice(folded.as_bytes());
        bucket.surfaces.push(id);
        id
    }

    pub fn term_of(&self, surface: u32) -> u32 {
        self.surfaces[surface as usize].term
    }

    pub fn split_of(&self, surface: u32) -> Option<(u32, u32)> {
        self.surfaces[surface as usize].split
    }

    /// Looks for compound splits of the surfaces added since the last call. Done after a batch
    /// of documents has been read, so parts that occur later in the same batch count as known.
    pub fn split_new_surfaces(&mut self) {
        for (id, text) in std::mem::take(&mut self.unsplit) {
            self.surfaces[id as usize].split = self.split(&text);
        }
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
            let linked = rest.strip_prefix(['s', 'e']);
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

    /// Calls `each(term, edits)` for the known words within `max` edits of `word` (each term at
    /// most once per surface; the caller keeps the best). Scans only the length buckets that
    /// can be near enough, and skips by letter mask before computing the distance.
    pub fn similar(&self, word: &str, max: usize, mut each: impl FnMut(u32, usize)) {
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
                    each(self.surfaces[bucket.surfaces[i] as usize].term, d);
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
