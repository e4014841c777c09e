//! Dutch text as the index sees it: folded words (lower case, accents dropped), stop words, the
//! stem, a letter mask and a bounded edit distance for typing errors. The same functions serve
//! the documents and the query, so both sides always agree.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Calls `each` with every word of `text`, folded: lower case, accents and other combining marks
/// dropped ("Financiële" → "financiele", "Café" → "cafe"), ligatures opened ("ĳ" → "ij").
/// Anything that is not a letter or digit separates words ("koffie-inloop" is two words);
/// single characters are dropped (the "s" of "auto's").
pub fn words(text: &str, mut each: impl FnMut(&str)) {
    let mut word = String::with_capacity(24);
    let mut flush = |word: &mut String| {
        if word.chars().nth(1).is_some() {
            each(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                word.push(c.to_ascii_lowercase());
            } else {
                flush(&mut word);
            }
        } else if c.is_alphanumeric() {
            // Why compatibility decomposition: it also splits ligatures and full-width forms.
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    word.extend(d.to_lowercase());
                }
            });
        } else if !is_combining_mark(c) {
            flush(&mut word);
        }
    }
    flush(&mut word);
}

/// The folded words of `text` as owned strings (for queries and tests).
pub fn word_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    words(text, |w| out.push(w.to_string()));
    out
}

/// Dutch stop words (the Snowball list), folded. Neither indexed nor searched: they carry no
/// meaning for the sociale kaart ("hulp bij de boodschappen" is "hulp boodschappen").
const STOP_WORDS: &[&str] = &[
    "aan", "al", "alles", "als", "altijd", "andere", "ben", "bij", "daar", "dan", "dat", "de",
    "der", "deze", "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "en", "er", "ge",
    "geen", "geweest", "haar", "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij", "hoe",
    "hun", "iemand", "iets", "ik", "in", "is", "ja", "je", "kan", "kon", "kunnen", "maar", "me",
    "meer", "men", "met", "mij", "mijn", "moet", "na", "naar", "niet", "niets", "nog", "nu", "of",
    "om", "omdat", "onder", "ons", "ook", "op", "over", "reeds", "te", "tegen", "toch", "toen",
    "tot", "u", "uit", "uw", "van", "veel", "voor", "want", "waren", "was", "wat", "we", "werd",
    "wezen", "wie", "wil", "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn", "zo",
    "zonder", "zou",
];

pub fn is_stop_word(folded: &str) -> bool {
    // The list is short and sorted: a binary search beats hashing here.
    STOP_WORDS.binary_search(&folded).is_ok()
}

/// The Dutch Snowball stemmer with one repair: Snowball undoubles only kk/dd/tt after removing
/// "-en", so "boodschappen" would stem to "boodschapp" and miss "boodschap". Dutch stems never
/// end in a doubled consonant, so any is undoubled ("klussen" → "klus", "cursussen" → "cursus").
pub struct Stem(Stemmer);

impl Default for Stem {
    fn default() -> Self {
        Stem(Stemmer::create(Algorithm::Dutch))
    }
}

impl Stem {
    pub fn stem<'a>(&self, folded: &'a str) -> Cow<'a, str> {
        let stemmed = self.0.stem(folded);
        let b = stemmed.as_bytes();
        let n = b.len();
        if n >= 3 && b[n - 1] == b[n - 2] && is_consonant(b[n - 1]) {
            let mut s = stemmed.into_owned();
            s.pop();
            Cow::Owned(s)
        } else {
            stemmed
        }
    }
}

fn is_consonant(b: u8) -> bool {
    b.is_ascii_lowercase() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// One bit per letter a–z, one for digits, one for anything else. An edit changes at most two
/// bits, so words whose masks differ in more than 2·d bits are more than d edits apart: a cheap
/// test before the edit distance.
pub fn letter_mask(word: &str) -> u32 {
    word.bytes().fold(0, |m, b| {
        m | match b {
            b'a'..=b'z' => 1 << (b - b'a'),
            b'0'..=b'9' => 1 << 26,
            _ => 1 << 27,
        }
    })
}

/// The edits allowed for a typed word of `chars` characters: none below 5 (too many real
/// words are one letter apart), 1 up to 8, 2 for longer words.
pub fn allowed_typos(chars: usize) -> usize {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Edit distance with adjacent transpositions (optimal string alignment) over bytes, or `None`
/// when it exceeds `max`. Folded words are ASCII in practice; a non-ASCII letter counts per byte.
pub fn edit_distance_within(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if a == b {
        return Some(0);
    }
    const MAX_LEN: usize = 64;
    if a.len() >= MAX_LEN || b.len() >= MAX_LEN {
        return None;
    }
    // Three rows on the stack: no allocation on the query path.
    let mut before = [0usize; MAX_LEN];
    let mut prev = [0usize; MAX_LEN];
    let mut cur = [0usize; MAX_LEN];
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        before = prev;
        prev = cur;
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_split() {
        assert_eq!(
            word_list("Financiële hulp, Café-avond & auto's (2x)"),
            ["financiele", "hulp", "cafe", "avond", "auto", "2x"]
        );
        assert_eq!(word_list("ĲSSELSTEIN Zoë"), ["ijsselstein", "zoe"]);
        assert_eq!(word_list("  "), Vec::<String>::new());
    }

    #[test]
    fn stop_words_are_sorted_and_found() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_stop_word("de") && is_stop_word("bij") && !is_stop_word("hulp"));
    }

    #[test]
    fn stems_undouble_the_last_consonant() {
        let s = Stem::default();
        assert_eq!(s.stem("boodschappen"), s.stem("boodschap"));
        assert_eq!(s.stem("klussen"), "klus");
        assert_eq!(s.stem("lotgenoten"), s.stem("lotgenoot"));
        assert_eq!(s.stem("maaltijden"), "maaltijd");
        assert_eq!(s.stem("zee"), "zee");
    }

    #[test]
    fn edit_distance_counts_swaps_once_and_stops_early() {
        let d = |a: &str, b: &str, m| edit_distance_within(a.as_bytes(), b.as_bytes(), m);
        assert_eq!(d("mantelzrg", "mantelzorg", 1), Some(1));
        assert_eq!(d("mantelzrog", "mantelzorg", 1), Some(1));
        assert_eq!(d("mantelzrog", "mantelzorg", 0), None);
        assert_eq!(d("boodschapen", "boodschappen", 2), Some(1));
        assert_eq!(d("kat", "hond", 2), None);
        assert_eq!(d("abc", "abc", 0), Some(0));
        assert_eq!(d("", "ab", 2), Some(2));
    }

    #[test]
    fn letter_masks_bound_the_distance() {
        let pairs = [
            ("mantelzorg", "mantelzrg"),
            ("vervoer", "vervoor"),
            ("ab", "ba"),
        ];
        for (a, b) in pairs {
            let d = edit_distance_within(a.as_bytes(), b.as_bytes(), 10).unwrap();
            assert!((letter_mask(a) ^ letter_mask(b)).count_ones() as usize <= 2 * d);
        }
    }
}
