//! The mantelzorg taxonomy: the categories of support on the sociale kaart, with Dutch labels,
//! English translations and the everyday words people search with. Two vocabularies, as HSDS
//! allows: what is offered (`aanbod`) and for whom (`doelgroep`).
//!
//! Term ids are UUID v5 from the term's code, so every installation, export and import agrees on
//! them without a lookup table.

use uuid::Uuid;

/// Namespace of Mantelkring's taxonomy term ids (a fixed, random UUID).
const NAMESPACE: Uuid = Uuid::from_u128(0x6d61_6e74_656c_4b72_8000_7461_786f_6e6f);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vocabulary {
    /// What is offered.
    Offer,
    /// For whom it is meant.
    TargetGroup,
}

impl Vocabulary {
    /// The HSDS `taxonomy` name of the vocabulary.
    pub fn name(self) -> &'static str {
        match self {
            Vocabulary::Offer => "mantelkring-aanbod",
            Vocabulary::TargetGroup => "mantelkring-doelgroep",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Stable code, also the last part of the term's page address.
    pub code: &'static str,
    pub parent: Option<&'static str>,
    pub vocabulary: Vocabulary,
    pub nl: &'static str,
    pub en: &'static str,
    /// Words people use for it, lower case, for search ("respijt", "oppas", …).
    pub synonyms: &'static [&'static str],
}

impl Term {
    /// The term's HSDS id.
    pub fn id(&self) -> Uuid {
        term_id(self.code)
    }
}

/// The id of the term with this code.
pub fn term_id(code: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, code.as_bytes())
}

const fn offer(
    code: &'static str,
    parent: Option<&'static str>,
    nl: &'static str,
    en: &'static str,
    synonyms: &'static [&'static str],
) -> Term {
    Term {
        code,
        parent,
        vocabulary: Vocabulary::Offer,
        nl,
        en,
        synonyms,
    }
}

const fn group(
    code: &'static str,
    nl: &'static str,
    en: &'static str,
    synonyms: &'static [&'static str],
) -> Term {
    Term {
        code,
        parent: None,
        vocabulary: Vocabulary::TargetGroup,
        nl,
        en,
        synonyms,
    }
}

/// Every term, parents before their children.
pub const TERMS: &[Term] = &[
    offer(
        "informatie-en-advies",
        None,
        "Informatie en advies",
        "Information and advice",
        &["informatie", "advies", "vraag", "loket", "wmo-loket"],
    ),
    offer(
        "mantelzorgondersteuning",
        None,
        "Mantelzorgondersteuning",
        "Support for caregivers",
        &["steunpunt", "mantelzorgsteunpunt", "ondersteuning"],
    ),
    offer(
        "mantelzorgconsulent",
        Some("mantelzorgondersteuning"),
        "Mantelzorgconsulent",
        "Caregiver consultant",
        &["consulent", "mantelzorgmakelaar", "keukentafelgesprek"],
    ),
    offer(
        "respijtzorg",
        None,
        "Respijtzorg",
        "Respite care",
        &[
            "respijt",
            "ontlasten",
            "adempauze",
            "even vrij",
            "vervangende zorg",
        ],
    ),
    offer(
        "dagbesteding",
        Some("respijtzorg"),
        "Dagbesteding",
        "Day activities",
        &["dagopvang", "dagcentrum", "ontmoetingscentrum"],
    ),
    offer(
        "logeeropvang",
        Some("respijtzorg"),
        "Logeeropvang",
        "Short-stay care",
        &[
            "logeerhuis",
            "logeren",
            "kortdurend verblijf",
            "respijthuis",
        ],
    ),
    offer(
        "respijtzorg-thuis",
        Some("respijtzorg"),
        "Respijtzorg thuis",
        "Respite care at home",
        &["oppas", "zorgvrijwilliger", "thuisoppas"],
    ),
    offer(
        "vrijwillige-thuishulp",
        Some("respijtzorg"),
        "Vrijwillige thuishulp",
        "Volunteer help at home",
        &["vrijwilliger", "maatje", "thuishulp"],
    ),
    offer(
        "vakantie-met-zorg",
        Some("respijtzorg"),
        "Vakantie met zorg",
        "Holidays with care",
        &["vakantie", "zorgvakantie", "zorghotel"],
    ),
    offer(
        "lotgenotencontact",
        None,
        "Lotgenotencontact",
        "Peer support",
        &[
            "lotgenoten",
            "praatgroep",
            "gespreksgroep",
            "ontmoeting",
            "alzheimer café",
            "koffie-inloop",
        ],
    ),
    offer(
        "cursus-en-training",
        None,
        "Cursus en training",
        "Courses and training",
        &["cursus", "training", "workshop", "voorlichting"],
    ),
    offer(
        "praktische-hulp",
        None,
        "Praktische hulp",
        "Practical help",
        &["hulp", "helpen"],
    ),
    offer(
        "vervoer",
        Some("praktische-hulp"),
        "Vervoer",
        "Transport",
        &[
            "rijden",
            "vervoersdienst",
            "autodienst",
            "rolstoelbus",
            "brengen",
        ],
    ),
    offer(
        "boodschappen",
        Some("praktische-hulp"),
        "Boodschappen",
        "Shopping",
        &["boodschappendienst", "winkelen"],
    ),
    offer(
        "klussen",
        Some("praktische-hulp"),
        "Klussen",
        "Odd jobs",
        &["klusjes", "klusdienst", "tuin", "reparatie"],
    ),
    offer(
        "maaltijden",
        Some("praktische-hulp"),
        "Maaltijden",
        "Meals",
        &["maaltijdservice", "eten", "koken", "tafeltje-dek-je"],
    ),
    offer(
        "administratie",
        Some("praktische-hulp"),
        "Administratie",
        "Paperwork",
        &[
            "formulieren",
            "thuisadministratie",
            "geldzaken",
            "belasting",
        ],
    ),
    offer(
        "emotionele-steun",
        None,
        "Emotionele steun",
        "Emotional support",
        &[
            "luisterend oor",
            "gesprek",
            "rouw",
            "overbelasting",
            "stress",
        ],
    ),
    offer(
        "financiele-regelingen",
        None,
        "Financiële regelingen",
        "Financial arrangements",
        &["geld", "vergoeding", "toeslag", "regeling"],
    ),
    offer(
        "mantelzorgwaardering",
        Some("financiele-regelingen"),
        "Mantelzorgwaardering",
        "Caregiver appreciation",
        &["mantelzorgcompliment", "waardering", "attentie"],
    ),
    offer(
        "dementie",
        None,
        "Dementie",
        "Dementia",
        &[
            "alzheimer",
            "geheugenproblemen",
            "vergeetachtig",
            "casemanager dementie",
        ],
    ),
    offer(
        "niet-aangeboren-hersenletsel",
        None,
        "Niet-aangeboren hersenletsel",
        "Acquired brain injury",
        &["nah", "hersenletsel", "beroerte", "cva"],
    ),
    offer(
        "jonge-mantelzorgers",
        None,
        "Jonge mantelzorgers",
        "Young carers",
        &["jonge mantelzorger", "jongeren", "kinderen"],
    ),
    offer(
        "werkende-mantelzorgers",
        None,
        "Werkende mantelzorgers",
        "Working carers",
        &["werk", "werkgever", "zorgverlof", "combineren"],
    ),
    group(
        "doelgroep-mantelzorgers",
        "Mantelzorgers",
        "Caregivers",
        &["mantelzorger"],
    ),
    group(
        "doelgroep-ouderen",
        "Ouderen",
        "Older people",
        &["senioren", "65-plus"],
    ),
    group(
        "doelgroep-dementie",
        "Mensen met dementie en hun naasten",
        "People with dementia and their families",
        &["alzheimer"],
    ),
    group(
        "doelgroep-nah",
        "Mensen met hersenletsel en hun naasten",
        "People with brain injury and their families",
        &["nah"],
    ),
    group(
        "doelgroep-jongeren",
        "Kinderen en jongeren",
        "Children and young people",
        &["jongeren", "kinderen"],
    ),
    group(
        "doelgroep-werkenden",
        "Werkenden",
        "Working people",
        &["werknemers"],
    ),
    group(
        "doelgroep-migranten",
        "Mensen met een migratieachtergrond",
        "People with a migration background",
        &["migranten", "nieuwkomers"],
    ),
];

/// The term with this code.
pub fn by_code(code: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.code == code)
}

/// The term with this id.
pub fn by_id(id: &Uuid) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id() == *id)
}

/// The direct children of a term.
pub fn children(code: &str) -> impl Iterator<Item = &'static Term> + '_ {
    TERMS.iter().filter(move |t| t.parent == Some(code))
}

/// A term and everything under it (a search in "respijtzorg" also finds "logeeropvang").
pub fn with_descendants(code: &str) -> Vec<&'static Term> {
    let mut out: Vec<&'static Term> = by_code(code).into_iter().collect();
    let mut i = 0;
    while i < out.len() {
        let parent = out[i].code;
        out.extend(children(parent));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_ids_are_unique_and_stable() {
        let codes: HashSet<_> = TERMS.iter().map(|t| t.code).collect();
        assert_eq!(codes.len(), TERMS.len());
        let ids: HashSet<_> = TERMS.iter().map(Term::id).collect();
        assert_eq!(ids.len(), TERMS.len());
        // An id must never change: exports and other systems keep it.
        assert_eq!(term_id("respijtzorg"), by_code("respijtzorg").unwrap().id());
        assert_eq!(by_id(&term_id("logeeropvang")).unwrap().nl, "Logeeropvang");
        assert_eq!(term_id("respijtzorg").get_version_num(), 5);
    }

    #[test]
    fn every_parent_exists_comes_first_and_is_in_the_same_vocabulary() {
        for (i, t) in TERMS.iter().enumerate() {
            if let Some(parent) = t.parent {
                let p = TERMS.iter().position(|x| x.code == parent).expect(parent);
                assert!(p < i, "{} before {}", parent, t.code);
                assert_eq!(TERMS[p].vocabulary, t.vocabulary);
                assert!(TERMS[p].parent.is_none(), "two levels at most");
            }
        }
    }

    #[test]
    fn the_issue_s_categories_are_all_there() {
        for code in [
            "informatie-en-advies",
            "mantelzorgondersteuning",
            "mantelzorgconsulent",
            "respijtzorg",
            "dagbesteding",
            "logeeropvang",
            "respijtzorg-thuis",
            "vrijwillige-thuishulp",
            "vakantie-met-zorg",
            "lotgenotencontact",
            "cursus-en-training",
            "praktische-hulp",
            "vervoer",
            "boodschappen",
            "klussen",
            "maaltijden",
            "administratie",
            "emotionele-steun",
            "financiele-regelingen",
            "mantelzorgwaardering",
            "dementie",
            "niet-aangeboren-hersenletsel",
            "jonge-mantelzorgers",
            "werkende-mantelzorgers",
        ] {
            assert!(by_code(code).is_some(), "{code}");
        }
        assert!(
            TERMS
                .iter()
                .any(|t| t.vocabulary == Vocabulary::TargetGroup)
        );
    }

    #[test]
    fn labels_are_filled_and_synonyms_are_lower_case() {
        for t in TERMS {
            assert!(!t.nl.is_empty() && !t.en.is_empty(), "{}", t.code);
            for s in t.synonyms {
                assert_eq!(*s, s.to_lowercase(), "{}", t.code);
            }
        }
    }

    #[test]
    fn a_category_includes_its_children() {
        let respite: Vec<_> = with_descendants("respijtzorg")
            .iter()
            .map(|t| t.code)
            .collect();
        assert_eq!(respite.len(), 6);
        assert!(respite.contains(&"logeeropvang") && respite.contains(&"dagbesteding"));
        assert_eq!(with_descendants("dementie").len(), 1);
        assert!(with_descendants("bestaat-niet").is_empty());
    }
}
