//! Messages in Dutch (default) and English, from Fluent files compiled into the binary.
//! Templates never contain text of their own: they ask a [`Tr`] for a message key.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::Arc;
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The other language, offered by the language switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }
}

pub const SOURCES: [(Lang, &str); 2] = [
    (Lang::Nl, include_str!("../locales/nl.ftl")),
    (Lang::En, include_str!("../locales/en.ftl")),
];

/// Both message bundles.
pub struct I18n {
    nl: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

impl I18n {
    /// Parses the message files. They are compiled in, so an error here is a build mistake
    /// that the unit tests catch.
    pub fn load() -> Result<I18n, String> {
        let bundle = |lang: Lang, src: &str| -> Result<FluentBundle<FluentResource>, String> {
            let id: LanguageIdentifier = lang.code().parse().map_err(|e| format!("{e:?}"))?;
            let resource = FluentResource::try_new(src.to_string())
                .map_err(|(_, errs)| format!("{}.ftl: {errs:?}", lang.code()))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks: our pages are left-to-right only and the marks confuse screen readers' copy.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errs| format!("{}.ftl: {errs:?}", lang.code()))?;
            Ok(bundle)
        };
        Ok(I18n {
            nl: bundle(Lang::Nl, SOURCES[0].1)?,
            en: bundle(Lang::En, SOURCES[1].1)?,
        })
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Nl => &self.nl,
            Lang::En => &self.en,
        }
    }

    /// The message `key` in `lang`, with `args` filled in. A missing key shows the key itself
    /// (and is caught by the tests), so a page never fails because of a message.
    pub fn message(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.to_string());
        }
        self.format(
            lang,
            key,
            if args.is_empty() {
                None
            } else {
                Some(&fluent_args)
            },
        )
    }

    /// The message `key` with one number argument (for plural forms).
    pub fn message_n(&self, lang: Lang, key: &str, name: &str, n: i64) -> String {
        let mut fluent_args = FluentArgs::new();
        fluent_args.set(name, FluentValue::from(n));
        self.format(lang, key, Some(&fluent_args))
    }

    fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, lang = lang.code(), "missing message");
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }
}

/// The translator handed to templates: the bundles plus the visitor's language.
#[derive(Debug, Clone)]
pub struct Tr {
    i18n: Arc<I18n>,
    pub lang: Lang,
}

impl Tr {
    pub fn new(i18n: Arc<I18n>, lang: Lang) -> Tr {
        Tr { i18n, lang }
    }

    /// The message `key`.
    pub fn t(&self, key: &str) -> String {
        self.i18n.message(self.lang, key, &[])
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.i18n.message(self.lang, key, &[(name, value)])
    }

    /// The message for a stored code such as `second_factor` under `prefix` (`event-second-factor`),
    /// or the code itself when there is no message for it (a code from a newer version).
    pub fn code(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}-{}", code.replace('_', "-"));
        if self.i18n.has(self.lang, &key) {
            self.t(&key)
        } else {
            code.to_string()
        }
    }

    /// The message `key` with two arguments.
    pub fn t2(&self, key: &str, a: (&str, &str), b: (&str, &str)) -> String {
        self.i18n.message(self.lang, key, &[a, b])
    }

    /// The message `key` with one number argument, for plural forms.
    pub fn tn(&self, key: &str, name: &str, n: i64) -> String {
        self.i18n.message_n(self.lang, key, name, n)
    }
}

/// All message keys defined in a Fluent source (for the parity test).
pub fn keys_of(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '\t']) && !l.trim().is_empty())
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_message_files_parse_and_have_the_same_keys() {
        I18n::load().expect("message files parse");
        let nl: BTreeSet<_> = keys_of(SOURCES[0].1).into_iter().collect();
        let en: BTreeSet<_> = keys_of(SOURCES[1].1).into_iter().collect();
        assert!(nl.len() > 20);
        assert_eq!(
            nl.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "keys missing in en.ftl"
        );
        assert_eq!(
            en.difference(&nl).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "keys missing in nl.ftl"
        );
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists_in_both_languages() {
        let i18n = I18n::load().unwrap();
        let mut used = BTreeSet::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut dirs: Vec<std::path::PathBuf> = ["templates", "src", "../core/src"]
            .iter()
            .map(|d| format!("{root}/{d}").into())
            .collect();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Calls such as t("key"), t1("key", …), label_key: "key", message(…, "key", …)
                for piece in text.split('"').skip(1).step_by(2) {
                    if piece.len() > 3
                        && piece.contains('-')
                        && piece
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                        && (i18n.has(Lang::Nl, piece) || text.contains(&format!(".t(\"{piece}\")")))
                    {
                        used.insert(piece.to_string());
                    }
                }
            }
        }
        assert!(used.len() > 10, "found too few keys: {used:?}");
        for key in &used {
            for lang in Lang::ALL {
                assert!(
                    i18n.has(lang, key),
                    "message {key} missing for {}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        let i18n = I18n::load().unwrap();
        let text = i18n.message(Lang::Nl, "error-code", &[("code", "404")]);
        assert_eq!(text, "Foutcode 404");
        assert!(!text.contains('\u{2068}'));
    }

    #[test]
    fn plural_forms_follow_the_number() {
        let i18n = I18n::load().unwrap();
        assert_eq!(
            i18n.message_n(Lang::Nl, "home-region-organisations", "count", 1),
            "Eén organisatie werkt hier samen."
        );
        assert_eq!(
            i18n.message_n(Lang::En, "home-region-organisations", "count", 7),
            "7 organisations work together here."
        );
    }
}
