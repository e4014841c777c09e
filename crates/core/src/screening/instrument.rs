//! Burden instruments as data: one TOML definition per instrument (items, answer options with
//! their scores, bands with their source, advice with social-map categories), checked when it is
//! loaded. Scoring is a sum of the chosen options' scores, and only a complete check is scored.

use crate::directory::taxonomy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The instruments that ship with Mantelkring: the CSI in its Dutch wording and the 9-item EDIZ.
pub const BUILT_IN: [(&str, &str); 2] = [
    ("csi.toml", include_str!("../../instruments/csi.toml")),
    ("ediz.toml", include_str!("../../instruments/ediz.toml")),
];

/// One answer option of every item: its code (stored), its label (shown) and its score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    pub code: String,
    pub label: String,
    pub score: u32,
}

/// One statement or question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub text: String,
}

/// How serious a level is, for colour, wording and the signal rules' default threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Raised,
    High,
}

/// A score range with its meaning and where that meaning comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from: u32,
    pub to: u32,
    pub level: Level,
    pub label: String,
    pub explanation: String,
    pub source: String,
}

/// Next steps for a score range, with the social-map categories to look in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    pub from: u32,
    pub to: u32,
    pub text: String,
    #[serde(default)]
    pub categories: Vec<String>,
}

/// An instrument as written in its definition file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Short code, stored with every check (`csi`, `ediz`, `leiden-10min`).
    pub id: String,
    /// Stored with every check: a result is read against the version it was filled in with.
    pub version: String,
    pub name: String,
    pub short_name: String,
    pub instruction: String,
    /// The publication the items and bands come from; shown with every result.
    pub source: String,
    /// Shown instead of a band when the instrument has none (no published cut-off).
    #[serde(default)]
    pub no_band_note: Option<String>,
    pub options: Vec<AnswerOption>,
    pub items: Vec<Item>,
    #[serde(default)]
    pub bands: Vec<Band>,
    #[serde(default)]
    pub advice: Vec<Advice>,
}

/// Why a definition file was refused; the message names the file and the place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DefinitionError {
    pub file: String,
    pub message: String,
}

/// A check that is not complete cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("{count} vragen zijn nog niet beantwoord")]
    Incomplete { count: usize },
    #[error("het antwoord op vraag {item} is geen keuze van deze lijst")]
    UnknownAnswer { item: usize },
    #[error("er zijn {given} antwoorden voor {expected} vragen")]
    WrongLength { given: usize, expected: usize },
}

impl Instrument {
    /// Reads and checks one definition. `file` names it in the error.
    pub fn parse(file: &str, text: &str) -> Result<Instrument, DefinitionError> {
        let error = |message: String| DefinitionError {
            file: file.to_string(),
            message,
        };
        let instrument: Instrument =
            toml::from_str(text).map_err(|e| error(format!("geen geldige definitie: {e}")))?;
        instrument.check().map_err(error)?;
        Ok(instrument)
    }

    fn check(&self) -> Result<(), String> {
        let valid_id = !self.id.is_empty()
            && self.id.len() <= 40
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_id {
            return Err(format!(
                "id \"{}\" mag alleen kleine letters, cijfers en - bevatten (hoogstens 40 tekens)",
                self.id
            ));
        }
        for (field, value) in [
            ("version", &self.version),
            ("name", &self.name),
            ("short_name", &self.short_name),
            ("instruction", &self.instruction),
            ("source", &self.source),
        ] {
            if value.trim().is_empty() {
                return Err(format!("{field} is leeg"));
            }
        }
        if self.items.is_empty() {
            return Err("er staan geen vragen in (items)".into());
        }
        if let Some(n) = self.items.iter().position(|i| i.text.trim().is_empty()) {
            return Err(format!("vraag {} heeft geen tekst", n + 1));
        }
        if self.options.len() < 2 {
            return Err("er zijn minstens twee antwoorden nodig (options)".into());
        }
        let mut codes = std::collections::BTreeSet::new();
        for (n, option) in self.options.iter().enumerate() {
            if option.code.trim().is_empty() || option.label.trim().is_empty() {
                return Err(format!("antwoord {} heeft geen code of geen tekst", n + 1));
            }
            if option.code.contains(',') {
                return Err(format!("de code van antwoord {} bevat een komma", n + 1));
            }
            if !codes.insert(option.code.as_str()) {
                return Err(format!("de code \"{}\" staat er twee keer in", option.code));
            }
        }
        let max = self.max_score();
        let mut covered = vec![false; max as usize + 1];
        for (n, band) in self.bands.iter().enumerate() {
            if band.from > band.to || band.to > max {
                return Err(format!(
                    "band {} ({}–{}) valt buiten de scores 0–{max}",
                    n + 1,
                    band.from,
                    band.to
                ));
            }
            if band.source.trim().is_empty() || band.label.trim().is_empty() {
                return Err(format!("band {} heeft geen bron of geen naam", n + 1));
            }
            for score in band.from..=band.to {
                if std::mem::replace(&mut covered[score as usize], true) {
                    return Err(format!(
                        "score {score} valt in twee banden; banden mogen niet overlappen"
                    ));
                }
            }
        }
        if !self.bands.is_empty() && covered.iter().any(|c| !c) {
            return Err(format!(
                "de banden dekken niet alle scores 0–{max}; geef elke score een band, of geen banden"
            ));
        }
        if self.bands.is_empty() && self.no_band_note.is_none() {
            return Err("zonder banden is een uitleg nodig (no_band_note)".into());
        }
        for (n, advice) in self.advice.iter().enumerate() {
            if advice.from > advice.to || advice.to > max {
                return Err(format!(
                    "advies {} ({}–{}) valt buiten de scores 0–{max}",
                    n + 1,
                    advice.from,
                    advice.to
                ));
            }
            if let Some(unknown) = advice
                .categories
                .iter()
                .find(|c| taxonomy::by_code(c).is_none())
            {
                return Err(format!(
                    "advies {}: de categorie \"{unknown}\" bestaat niet op de sociale kaart",
                    n + 1
                ));
            }
        }
        Ok(())
    }

    /// The highest score: every item answered with its highest-scoring option.
    pub fn max_score(&self) -> u32 {
        let best = self.options.iter().map(|o| o.score).max().unwrap_or(0);
        best * self.items.len() as u32
    }

    pub fn option(&self, code: &str) -> Option<&AnswerOption> {
        self.options.iter().find(|o| o.code == code)
    }

    /// Scores a check: one answer per item, all given, each one of the options.
    pub fn score(&self, answers: &[Option<String>]) -> Result<u32, ScoreError> {
        if answers.len() != self.items.len() {
            return Err(ScoreError::WrongLength {
                given: answers.len(),
                expected: self.items.len(),
            });
        }
        let mut total = 0;
        let mut missing = 0;
        for (n, answer) in answers.iter().enumerate() {
            match answer {
                None => missing += 1,
                Some(code) => match self.option(code) {
                    Some(option) => total += option.score,
                    None => return Err(ScoreError::UnknownAnswer { item: n + 1 }),
                },
            }
        }
        if missing > 0 {
            return Err(ScoreError::Incomplete { count: missing });
        }
        Ok(total)
    }

    /// The band a score falls in, if the instrument has bands.
    pub fn band(&self, score: u32) -> Option<&Band> {
        self.bands.iter().find(|b| (b.from..=b.to).contains(&score))
    }

    /// The advice for a score.
    pub fn advice_for(&self, score: u32) -> impl Iterator<Item = &Advice> {
        self.advice
            .iter()
            .filter(move |a| (a.from..=a.to).contains(&score))
    }

    /// The lowest score of the first `High` band: the default threshold of the "score at or
    /// over" signal rule. `None` when the instrument has no such band (the EDIZ): a region must
    /// set a threshold itself.
    pub fn default_threshold(&self) -> Option<u32> {
        self.bands
            .iter()
            .filter(|b| b.level == Level::High)
            .map(|b| b.from)
            .min()
    }

    /// An item's text for a caregiver: "[naaste]" becomes the naaste's name when known.
    pub fn item_text(&self, index: usize, naaste: Option<&str>) -> String {
        let text = &self.items[index].text;
        match naaste {
            Some(name) if !name.trim().is_empty() => text.replace("[naaste]", name.trim()),
            _ => text.replace("[naaste]", "uw naaste"),
        }
    }
}

/// The answers as stored: one code per item, comma-separated, empty where not yet answered.
pub fn encode_answers(answers: &[Option<String>]) -> String {
    answers
        .iter()
        .map(|a| a.as_deref().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads stored answers back for an instrument with `items` items (missing ones are `None`).
pub fn decode_answers(stored: &str, items: usize) -> Vec<Option<String>> {
    let mut answers: Vec<Option<String>> = stored
        .split(',')
        .map(|a| (!a.is_empty()).then(|| a.to_string()))
        .collect();
    answers.resize(items, None);
    answers.truncate(items);
    answers
}

/// The instruments this installation offers, by id: the built-in ones and a region's own.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    by_id: BTreeMap<String, Instrument>,
}

impl Catalogue {
    /// The built-in instruments only.
    pub fn built_in() -> Catalogue {
        Catalogue::from_files(BUILT_IN.iter().map(|(f, t)| (f.to_string(), t.to_string())))
            .expect("the built-in instrument definitions are valid")
    }

    /// The built-in instruments and the given files; the first problem refuses them all.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Catalogue, DefinitionError> {
        let mut catalogue = Catalogue::default();
        let built_in = BUILT_IN.iter().map(|(f, t)| (f.to_string(), t.to_string()));
        for (file, text) in built_in.chain(files) {
            let instrument = Instrument::parse(&file, &text)?;
            if let Some(existing) = catalogue.by_id.get(&instrument.id) {
                if *existing == instrument {
                    continue; // the same file given twice (for example a copy of a built-in one)
                }
                return Err(DefinitionError {
                    file,
                    message: format!("er is al een lijst met id \"{}\"", instrument.id),
                });
            }
            catalogue.by_id.insert(instrument.id.clone(), instrument);
        }
        Ok(catalogue)
    }

    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.by_id.get(id)
    }

    /// Every instrument, the built-in ones first (CSI, EDIZ), then by id.
    pub fn all(&self) -> Vec<&Instrument> {
        let mut all: Vec<&Instrument> = self.by_id.values().collect();
        // by_id is ordered by id already; a stable sort keeps that order after the built-in ones.
        all.sort_by_key(|i| {
            BUILT_IN_ORDER
                .iter()
                .position(|b| *b == i.id)
                .unwrap_or(BUILT_IN_ORDER.len())
        });
        all
    }
}

const BUILT_IN_ORDER: [&str; 2] = ["csi", "ediz"];

#[cfg(test)]
mod tests;
