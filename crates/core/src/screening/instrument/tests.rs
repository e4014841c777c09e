use super::*;

fn csi() -> Instrument {
    Catalogue::built_in().get("csi").unwrap().clone()
}
fn ediz() -> Instrument {
    Catalogue::built_in().get("ediz").unwrap().clone()
}
fn answers(codes: &[&str]) -> Vec<Option<String>> {
    codes.iter().map(|c| Some(c.to_string())).collect()
}

#[test]
fn the_csi_is_the_dutch_mantelzorgtest() {
    let csi = csi();
    assert_eq!(csi.items.len(), 13);
    assert_eq!(csi.items[0].text, "Mijn nachtrust is verstoord");
    assert_eq!(csi.items[12].text, "We leven onder financiële druk");
    assert_eq!(csi.max_score(), 13);
    assert_eq!(csi.option("ja").unwrap().score, 1);
    assert_eq!(csi.option("nee").unwrap().score, 0);
    assert_eq!(csi.default_threshold(), Some(7));
    assert!(csi.source.contains("Robinson"));
}

#[test]
fn csi_scores_count_the_ja_answers() {
    let csi = csi();
    assert_eq!(csi.score(&answers(&["nee"; 13])), Ok(0));
    assert_eq!(csi.score(&answers(&["ja"; 13])), Ok(13));
    // Hand-computed: ja on items 1, 2, 3, 5, 8, 9 and 12 → 7, the first score of overload.
    let mixed = [
        "ja", "ja", "ja", "nee", "ja", "nee", "nee", "ja", "ja", "nee", "nee", "ja", "nee",
    ];
    assert_eq!(csi.score(&answers(&mixed)), Ok(7));
    assert_eq!(csi.band(7).unwrap().level, Level::High);
    assert_eq!(csi.band(6).unwrap().level, Level::Low);
    assert_eq!(csi.band(0).unwrap().level, Level::Low);
    assert_eq!(csi.band(13).unwrap().level, Level::High);
    // Six times ja: no overload.
    let six = [
        "ja", "ja", "ja", "nee", "ja", "nee", "nee", "ja", "ja", "nee", "nee", "nee", "nee",
    ];
    assert_eq!(csi.score(&answers(&six)), Ok(6));
}

#[test]
fn ediz_scores_min_of_meer_ja_and_ja_uitroepteken_as_one() {
    let ediz = ediz();
    assert_eq!(ediz.items.len(), 9);
    assert_eq!(
        ediz.instruction,
        "Geef aan of de afgelopen paar weken de volgende stellingen op u van toepassing waren."
    );
    let labels: Vec<&str> = ediz.options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["Nee!", "Nee", "Min of meer", "Ja", "Ja!"]);
    // Every answer option alone on all nine items.
    for (code, expected) in [
        ("nee!", 0),
        ("nee", 0),
        ("min-of-meer", 9),
        ("ja", 9),
        ("ja!", 9),
    ] {
        assert_eq!(ediz.score(&answers(&[code; 9])), Ok(expected), "{code}");
    }
    // Hand-computed: Nee!, Nee, Min of meer, Ja, Ja!, Nee, Ja, Nee!, Min of meer → 5.
    let mixed = [
        "nee!",
        "nee",
        "min-of-meer",
        "ja",
        "ja!",
        "nee",
        "ja",
        "nee!",
        "min-of-meer",
    ];
    assert_eq!(ediz.score(&answers(&mixed)), Ok(5));
    // No published cut-off: no band, no default threshold, and a note that says so.
    assert!(ediz.bands.is_empty());
    assert_eq!(ediz.band(9), None);
    assert_eq!(ediz.default_threshold(), None);
    assert!(ediz.no_band_note.is_some());
    assert!(ediz.source.contains("Pot"));
}

#[test]
fn an_incomplete_check_is_not_scored() {
    let csi = csi();
    let mut given = answers(&["ja"; 13]);
    given[4] = None;
    given[11] = None;
    assert_eq!(csi.score(&given), Err(ScoreError::Incomplete { count: 2 }));
    assert_eq!(
        csi.score(&answers(&["ja"; 12])),
        Err(ScoreError::WrongLength {
            given: 12,
            expected: 13
        })
    );
    let mut odd = answers(&["nee"; 13]);
    odd[2] = Some("misschien".into());
    assert_eq!(csi.score(&odd), Err(ScoreError::UnknownAnswer { item: 3 }));
}

#[test]
fn answers_are_stored_and_read_back() {
    let mut given = answers(&["ja"; 13]);
    given[1] = None;
    given[12] = None;
    let stored = encode_answers(&given);
    assert_eq!(stored, "ja,,ja,ja,ja,ja,ja,ja,ja,ja,ja,ja,");
    assert_eq!(decode_answers(&stored, 13), given);
    assert_eq!(decode_answers("", 3), vec![None, None, None]);
}

#[test]
fn the_naaste_is_named_in_item_nine() {
    let csi = csi();
    assert_eq!(
        csi.item_text(8, Some("Jan")),
        "Het gedrag van Jan maakt me soms van streek"
    );
    assert_eq!(
        csi.item_text(8, None),
        "Het gedrag van uw naaste maakt me soms van streek"
    );
}

const LOCAL: &str = r#"
id = "leiden-10min"
version = "2026"
name = "10-minutencheck"
short_name = "10-min"
instruction = "Hoe gaat het met u?"
source = "Gemeente Leiden"
[[options]]
code = "goed"
label = "Goed"
score = 0
[[options]]
code = "zwaar"
label = "Zwaar"
score = 2
[[items]]
text = "Hoe gaat het met de zorg?"
[[items]]
text = "Hoe slaapt u?"
[[bands]]
from = 0
to = 1
level = "low"
label = "Gaat goed"
explanation = "Fijn."
source = "Leiden"
[[bands]]
from = 2
to = 4
level = "high"
label = "Zwaar"
explanation = "Even bellen."
source = "Leiden"
"#;

#[test]
fn a_region_adds_its_own_instrument_without_code() {
    let catalogue =
        Catalogue::from_files([("leiden.toml".to_string(), LOCAL.to_string())]).unwrap();
    let ids: Vec<&str> = catalogue.all().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["csi", "ediz", "leiden-10min"]);
    let local = catalogue.get("leiden-10min").unwrap();
    assert_eq!(local.score(&answers(&["zwaar", "goed"])), Ok(2));
    assert_eq!(local.default_threshold(), Some(2));
}

#[test]
fn a_malformed_definition_is_refused_with_a_clear_message() {
    let cases: [(&str, &str); 9] = [
        ("not toml", "geen geldige definitie"),
        ("bad id", "id \"Leiden 10\""),
        ("overlap", "valt in twee banden"),
        ("gap", "dekken niet alle scores"),
        ("unknown category", "bestaat niet op de sociale kaart"),
        ("duplicate option", "staat er twee keer in"),
        ("no items", "geen vragen"),
        ("band out of range", "valt buiten de scores"),
        ("unknown field", "unknown field"),
    ];
    for (name, expected) in cases {
        let text = match name {
            "not toml" => "id = ".to_string(),
            "bad id" => LOCAL.replace("id = \"leiden-10min\"", "id = \"Leiden 10\""),
            "overlap" => LOCAL.replace("from = 2\nto = 4", "from = 1\nto = 4"),
            "gap" => LOCAL.replace("from = 2\nto = 4", "from = 3\nto = 4"),
            "unknown category" => format!(
                "{LOCAL}\n[[advice]]\nfrom = 0\nto = 4\ntext = \"Kijk\"\ncategories = [\"ufo-hulp\"]\n"
            ),
            "duplicate option" => LOCAL.replace("code = \"zwaar\"", "code = \"goed\""),
            "no items" => LOCAL
                .replace("[[items]]\ntext = \"Hoe gaat het met de zorg?\"\n", "")
                .replace("[[items]]\ntext = \"Hoe slaapt u?\"\n", "")
                .replace(
                    "source = \"Gemeente Leiden\"\n",
                    "source = \"Gemeente Leiden\"\nitems = []\n",
                ),
            "band out of range" => LOCAL.replace("from = 2\nto = 4", "from = 2\nto = 9"),
            "unknown field" => LOCAL.replace("short_name", "kort = \"x\"\nshort_name"),
            _ => unreachable!(),
        };
        let error = Catalogue::from_files([("regio.toml".to_string(), text)]).unwrap_err();
        assert_eq!(error.file, "regio.toml", "{name}");
        assert!(
            error.message.contains(expected),
            "{name}: {} does not say {expected}",
            error.message
        );
    }
}

#[test]
fn two_instruments_with_one_id_are_refused() {
    let other = LOCAL.replace("version = \"2026\"", "version = \"2027\"");
    let error = Catalogue::from_files([
        ("a.toml".to_string(), LOCAL.to_string()),
        ("b.toml".to_string(), other),
    ])
    .unwrap_err();
    assert_eq!(error.file, "b.toml");
    assert!(error.message.contains("al een lijst"));
}
