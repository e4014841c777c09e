//! Realistic, deterministic service records for tests, benchmarks and demos: spread like Dutch
//! towns (each service at a PC4 area's centroid, jittered a little, so places with many PC4
//! areas get many services), named and described in Dutch from word lists built on the
//! taxonomy, about one organisation per three services. The same seed gives the same records.

use std::collections::BTreeMap;

use mantelkring_core::directory::model::{
    Funding, Language, Location, OpeningHours, OrganisationSummary, Phone, ServiceArea,
    ServiceAtLocation, ServiceRecord, ServiceStatus, TimeOfDay, Weekday,
};
use mantelkring_core::directory::taxonomy::{self, TERMS, Term, Vocabulary};
use mantelkring_core::geo::{Coordinates, PostcodeArea};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// Namespace of the synthetic municipality ids (v5 from the municipality's name).
const MUNICIPALITY_NAMESPACE: Uuid = Uuid::from_u128(0x5379_6e74_6865_7469_8000_676d_6e61_6d65);

/// The id a synthetic record uses for a municipality: the same for every caller.
pub fn municipality_id(name: &str) -> Uuid {
    Uuid::new_v5(&MUNICIPALITY_NAMESPACE, name.as_bytes())
}

/// 1 January 2026, 00:00 UTC: "now" for the generated change times.
const NOW_MS: i64 = 1_767_225_600_000;
const DAY_MS: i64 = 86_400_000;

/// Name patterns per category; `{plaats}` becomes the town, `{naam}` a house name.
const NAMES: &[(&str, &[&str])] = &[
    (
        "informatie-en-advies",
        &[
            "Informatiepunt Mantelzorg {plaats}",
            "Wmo-loket {plaats}",
            "Zorgloket {plaats}",
            "Adviespunt Zorg en Welzijn {plaats}",
        ],
    ),
    (
        "mantelzorgondersteuning",
        &[
            "Steunpunt Mantelzorg {plaats}",
            "Mantelzorgsteunpunt {plaats}",
            "Mantelzorgondersteuning {plaats}",
        ],
    ),
    (
        "mantelzorgconsulent",
        &[
            "Mantelzorgconsulent {plaats}",
            "Mantelzorgmakelaar {plaats}",
            "Keukentafelgesprek met de consulent",
        ],
    ),
    (
        "respijtzorg",
        &[
            "Respijtzorg {plaats}",
            "Even op adem: respijt in {plaats}",
            "Adempauze voor mantelzorgers",
        ],
    ),
    (
        "dagbesteding",
        &[
            "Dagbesteding {naam}",
            "Dagcentrum {plaats}",
            "Ontmoetingscentrum {plaats}",
            "Dagbesteding voor ouderen {plaats}",
        ],
    ),
    (
        "logeeropvang",
        &[
            "Logeerhuis {naam}",
            "Logeeropvang {plaats}",
            "Respijthuis {naam}",
        ],
    ),
    (
        "respijtzorg-thuis",
        &[
            "Thuisoppas {plaats}",
            "Zorgvrijwilligers aan huis",
            "Oppas bij u thuis",
        ],
    ),
    (
        "vrijwillige-thuishulp",
        &[
            "Maatjesproject {plaats}",
            "Vrijwillige thuishulp {plaats}",
            "Vriendendienst {plaats}",
        ],
    ),
    (
        "vakantie-met-zorg",
        &[
            "Zorgvakantie aan zee",
            "Zorghotel {naam}",
            "Vakantieweek met zorg",
        ],
    ),
    (
        "lotgenotencontact",
        &[
            "Alzheimer Café {plaats}",
            "Praatgroep voor mantelzorgers {plaats}",
            "Koffie-inloop mantelzorgers",
            "Lotgenotengroep {plaats}",
        ],
    ),
    (
        "cursus-en-training",
        &[
            "Cursus Omgaan met dementie",
            "Training Grenzen stellen",
            "Workshop Mantelzorg en werk",
            "Voorlichting over de Wmo",
        ],
    ),
    (
        "praktische-hulp",
        &["Burenhulp {plaats}", "Hulpdienst {plaats}"],
    ),
    (
        "vervoer",
        &[
            "Automaatje {plaats}",
            "Vervoersdienst {plaats}",
            "Rolstoelbus {plaats}",
        ],
    ),
    (
        "boodschappen",
        &["Boodschappendienst {plaats}", "Boodschappenhulp {plaats}"],
    ),
    ("klussen", &["Klusjesdienst {plaats}", "Tuinhulp {plaats}"]),
    (
        "maaltijden",
        &[
            "Tafeltje-dek-je {plaats}",
            "Maaltijdservice {plaats}",
            "Samen eten in de buurt",
        ],
    ),
    (
        "administratie",
        &[
            "Thuisadministratie {plaats}",
            "Formulierenhulp {plaats}",
            "Hulp bij geldzaken",
        ],
    ),
    (
        "emotionele-steun",
        &[
            "Luisterlijn {plaats}",
            "Gesprek met een coach",
            "Rouwbegeleiding {plaats}",
        ],
    ),
    (
        "financiele-regelingen",
        &[
            "Regelingen voor mantelzorgers",
            "Vergoeding reiskosten {plaats}",
        ],
    ),
    (
        "mantelzorgwaardering",
        &[
            "Mantelzorgwaardering {plaats}",
            "Dag van de Mantelzorg {plaats}",
            "Mantelzorgcompliment {plaats}",
        ],
    ),
    (
        "dementie",
        &[
            "Casemanager dementie {plaats}",
            "Dementienetwerk {plaats}",
            "Ontmoetingsgroep geheugenproblemen",
        ],
    ),
    (
        "niet-aangeboren-hersenletsel",
        &["NAH-contactgroep {plaats}", "Hersenletsel Café {plaats}"],
    ),
    (
        "jonge-mantelzorgers",
        &["Jonge Mantelzorgers {plaats}", "JMZ-club {plaats}"],
    ),
    (
        "werkende-mantelzorgers",
        &[
            "Werk en mantelzorg {plaats}",
            "Mantelzorgvriendelijk werkgeven",
        ],
    ),
];

const HOUSE_NAMES: &[&str] = &[
    "De Linde",
    "Het Anker",
    "De Brug",
    "Sint Jozef",
    "Het Baken",
    "De Wieken",
    "De Horst",
    "Het Palet",
    "De Boog",
    "De Eik",
    "Het Kompas",
    "De Schakel",
    "De Vlinder",
    "Het Veer",
    "De Regenboog",
    "De Hoeve",
    "Het Spectrum",
    "De Zonnewijzer",
    "De Bron",
    "Het Lichtpunt",
];

const ORGANISATIONS: &[&str] = &[
    "Stichting Welzijn {plaats}",
    "{plaats} Zorgt",
    "Vrijwilligerscentrale {plaats}",
    "Humanitas afdeling {plaats}",
    "Zonnebloem {plaats}",
    "Gemeente {gemeente}",
    "Zorggroep {naam}",
    "Stichting {naam}",
    "Buurtzorg {plaats}",
    "MEE {provincie}",
    "Alzheimer Nederland afdeling {plaats}",
    "Vereniging {naam}",
    "Wijkteam {plaats}",
    "Thuiszorg {naam}",
];

const ORGANISATION_KINDS: &[&str] = &[
    "stichting",
    "vereniging",
    "gemeente",
    "zorgaanbieder",
    "vrijwilligersorganisatie",
];

const STREETS: &[&str] = &[
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Stationsplein",
    "Schoolstraat",
    "Marktplein",
    "Julianastraat",
    "Wilhelminalaan",
    "Beatrixlaan",
    "Nieuwstraat",
    "Hoofdstraat",
    "Raadhuisplein",
    "Brink",
    "Lindelaan",
    "Oranjestraat",
    "Prins Hendrikkade",
    "Burgemeester de Vrieslaan",
    "Zorgvlied",
    "Parklaan",
    "Emmaplein",
];

const LOCATION_NAMES: &[&str] = &[
    "Buurthuis {naam}",
    "Wijkcentrum {naam}",
    "Kantoor {plaats}",
    "Gezondheidscentrum {plaats}",
    "Bibliotheek {plaats}",
    "Dorpshuis {plaats}",
    "Zorgcentrum {naam}",
];

/// Sentences about the service's category: `{label}`, `{woord}` (a synonym), `{plaats}`.
const ABOUT: &[&str] = &[
    "{label} voor mantelzorgers in {plaats} en omgeving.",
    "Wij helpen u met {woord}, zodat u de zorg langer volhoudt.",
    "Zoekt u {woord}? Neem gerust contact met ons op.",
    "Onze vrijwilligers bieden {woord} in de hele gemeente.",
    "Bij ons kunt u terecht voor {label}.",
    "{label}: persoonlijk, dichtbij en zonder wachtlijst.",
];

/// Sentences any service may use: the everyday vocabulary of the sociale kaart.
const FILLER: &[&str] = &[
    "U kunt zonder verwijzing langskomen.",
    "Aanmelden kan telefonisch of via het formulier op onze website.",
    "Wij werken samen met de huisarts, de wijkverpleging en het sociaal wijkteam.",
    "De koffie staat klaar.",
    "Ook als u werkt en zorgt, denken wij met u mee.",
    "Wij komen ook bij u thuis voor een eerste gesprek.",
    "Voor mensen met een beperking is het gebouw goed toegankelijk.",
    "Vrijwilligers zijn speciaal getraind.",
    "Een indicatie is niet nodig.",
    "Er is een eigen bijdrage voor materiaal.",
    "Wij spreken ook Engels, Turks en Arabisch.",
    "Samen zoeken we naar een oplossing die bij uw situatie past.",
    "De groep komt iedere twee weken bij elkaar.",
    "Parkeren kan voor de deur; de bushalte is om de hoek.",
    "Wij bieden ook ondersteuning aan jonge mantelzorgers.",
    "Met vragen over de Wmo kunt u bij ons terecht.",
    "Overbelast? Trek op tijd aan de bel.",
    "Wij organiseren regelmatig informatieavonden.",
    "Deelname is gratis voor inwoners van de gemeente.",
    "Ook uw naaste is van harte welkom.",
];

const CITY_WORDS: &[&str] = &["centrum", "noord", "zuid", "oost", "west"];

/// `n` services over `areas` (PC4 areas with centroids, such as the reference file), the same
/// for the same seed. Without areas every service is online only.
pub fn generate(n: usize, areas: &[PostcodeArea], seed: u64) -> Vec<ServiceRecord> {
    let mut rng = StdRng::seed_from_u64(seed);
    // Areas per municipality, for services that also work in the neighbouring ones.
    let mut by_province: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in areas {
        let list = by_province.entry(a.province.as_str()).or_default();
        let m = municipality(a);
        if !list.contains(&m) {
            list.push(m);
        }
    }
    let offers: Vec<&'static Term> = TERMS
        .iter()
        .filter(|t| t.vocabulary == Vocabulary::Offer)
        .collect();
    let groups: Vec<&'static Term> = TERMS
        .iter()
        .filter(|t| t.vocabulary == Vocabulary::TargetGroup)
        .collect();

    let organisations: Vec<(OrganisationSummary, Option<&PostcodeArea>)> = (0..n.div_ceil(3))
        .map(|_| {
            let home = areas.choose(&mut rng);
            let name = fill(ORGANISATIONS.choose(&mut rng).unwrap(), home, &mut rng);
            let summary = OrganisationSummary {
                id: uuid(&mut rng),
                description: Some(format!(
                    "{name} zet zich in voor inwoners die zorgen voor een naaste."
                )),
                kind: ORGANISATION_KINDS.choose(&mut rng).unwrap().to_string(),
                website: Some(format!("https://www.{}.nl", slug(&name))),
                email: Some(format!("info@{}.nl", slug(&name))),
                phone: Some(phone(&mut rng)),
                updated_at: NOW_MS - rng.random_range(0..730) * DAY_MS,
                name,
            };
            (summary, home)
        })
        .collect();

    (0..n)
        .map(|i| {
            let (organisation, home) = organisations.choose(&mut rng).unwrap().clone();
            let primary = *offers.choose(&mut rng).unwrap();
            let mut categories = vec![primary.code.to_string()];
            if rng.random_bool(0.3) {
                let second = offers.choose(&mut rng).unwrap().code.to_string();
                if !categories.contains(&second) {
                    categories.push(second);
                }
            }
            if rng.random_bool(0.6) {
                categories.push(groups.choose(&mut rng).unwrap().code.to_string());
            }

            // Most services are given where their organisation is; some elsewhere.
            let mut places: Vec<&PostcodeArea> = Vec::new();
            let located = !areas.is_empty() && rng.random_bool(0.9);
            if located {
                let first = match home {
                    Some(h) if rng.random_bool(0.7) => h,
                    _ => areas.choose(&mut rng).unwrap(),
                };
                places.push(first);
                if rng.random_bool(0.1) {
                    places.push(areas.choose(&mut rng).unwrap());
                }
            }
            let town = places.first().copied().or(home);
            let name = fill(
                NAMES
                    .iter()
                    .find(|(code, _)| *code == primary.code)
                    .map(|(_, names)| *names.choose(&mut rng).unwrap())
                    .unwrap_or(primary.nl),
                town,
                &mut rng,
            );
            let online = !located || rng.random_bool(0.2);

            let locations = places
                .iter()
                .map(|area| location(area, organisation.id, &mut rng))
                .collect();
            let mut area_names: Vec<&str> = places.iter().map(|a| municipality(a)).collect();
            if let Some(home) = home {
                if area_names.is_empty() {
                    area_names.push(municipality(home));
                }
                // Services that come to people's homes often work for the neighbours too.
                if rng.random_bool(0.25)
                    && let Some(list) = by_province.get(home.province.as_str())
                {
                    for _ in 0..rng.random_range(1..=3) {
                        area_names.push(list.choose(&mut rng).unwrap());
                    }
                }
            }
            area_names.sort_unstable();
            area_names.dedup();
            let service_areas = area_names
                .iter()
                .map(|m| ServiceArea {
                    id: uuid(&mut rng),
                    municipality_id: municipality_id(m),
                    cbs_code: format!("GM{:04}", municipality_id(m).as_u128() % 10_000),
                    name: m.to_string(),
                })
                .collect();

            let updated_at = NOW_MS - rng.random_range(0..730) * DAY_MS;
            ServiceRecord {
                id: uuid(&mut rng),
                alternate_name: None,
                description: description(&categories, town, &mut rng),
                url: organisation.website.clone(),
                email: organisation.email.clone(),
                status: if rng.random_bool(0.03) {
                    ServiceStatus::TemporarilyClosed
                } else {
                    ServiceStatus::Active
                },
                application_process: Some(
                    "Bel of mail ons, wij nemen binnen een week contact op.".into(),
                ),
                fees_description: None,
                eligibility_description: rng
                    .random_bool(0.3)
                    .then(|| "Voor mantelzorgers en hun naasten.".to_string()),
                minimum_age: None,
                maximum_age: None,
                online,
                categories,
                funding: funding(&mut rng),
                languages: languages(&mut rng),
                phones: vec![Phone {
                    id: uuid(&mut rng),
                    number: phone(&mut rng),
                    description: Some("Algemeen".into()),
                }],
                opening_hours: opening_hours(&mut rng),
                schedule_note: None,
                locations,
                areas: service_areas,
                last_reviewed_at: updated_at,
                updated_at,
                change_seq: i as i64 + 1,
                organisation,
                name,
            }
        })
        .collect()
}

fn municipality(area: &PostcodeArea) -> &str {
    area.municipality.as_deref().unwrap_or(&area.place)
}

fn uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn fill(pattern: &str, area: Option<&PostcodeArea>, rng: &mut StdRng) -> String {
    let place = area.map_or("Nederland", |a| a.place.as_str());
    pattern
        .replace("{plaats}", place)
        .replace("{gemeente}", area.map_or("Nederland", municipality))
        .replace(
            "{provincie}",
            area.map_or("Nederland", |a| a.province.as_str()),
        )
        .replace("{naam}", HOUSE_NAMES.choose(rng).unwrap())
}

fn slug(name: &str) -> String {
    crate::text::word_list(name).join("")
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "0{} {:07}",
        rng.random_range(10..80),
        rng.random_range(0..10_000_000)
    )
}

fn description(categories: &[String], area: Option<&PostcodeArea>, rng: &mut StdRng) -> String {
    let mut out = Vec::new();
    for code in categories {
        let Some(term) = taxonomy::by_code(code) else {
            continue;
        };
        let sentence = ABOUT.choose(rng).unwrap();
        let word = term.synonyms.choose(rng).copied().unwrap_or(term.nl);
        out.push(
            fill(sentence, area, rng)
                .replace("{label}", term.nl)
                .replace("{woord}", word),
        );
    }
    for _ in 0..rng.random_range(1..=3) {
        out.push(FILLER.choose(rng).unwrap().to_string());
    }
    if let Some(a) = area
        && rng.random_bool(0.3)
    {
        out.push(format!(
            "Wij zitten in {} {}.",
            a.place,
            CITY_WORDS.choose(rng).unwrap()
        ));
    }
    out.join(" ")
}

fn location(area: &PostcodeArea, organisation_id: Uuid, rng: &mut StdRng) -> ServiceAtLocation {
    let c = area.centroid;
    // About a kilometre around the centroid: a PC4 area is a few kilometres across.
    let latitude = c.latitude() + rng.random_range(-0.01..0.01);
    let longitude = c.longitude() + rng.random_range(-0.015..0.015);
    let letters: String = (0..2)
        .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
        .collect();
    ServiceAtLocation {
        id: uuid(rng),
        location: Location {
            id: uuid(rng),
            organisation_id,
            name: fill(LOCATION_NAMES.choose(rng).unwrap(), Some(area), rng),
            description: None,
            address_id: uuid(rng),
            street: format!(
                "{} {}",
                STREETS.choose(rng).unwrap(),
                rng.random_range(1..200)
            ),
            postcode: format!("{} {letters}", area.pc4),
            city: area.place.clone(),
            coordinates: Coordinates::new(latitude, longitude).ok(),
            wheelchair_accessible: rng.random_bool(0.7),
        },
    }
}

fn funding(rng: &mut StdRng) -> Vec<Funding> {
    let weighted = [
        (Funding::Free, 40),
        (Funding::Wmo, 30),
        (Funding::Wlz, 10),
        (Funding::Zvw, 10),
        (Funding::Private, 10),
    ];
    let mut out = Vec::new();
    for _ in 0..rng.random_range(1..=2) {
        let f = weighted.choose_weighted(rng, |w| w.1).unwrap().0;
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn languages(rng: &mut StdRng) -> Vec<Language> {
    let mut codes = vec!["nl"];
    if rng.random_bool(0.2) {
        codes.push("en");
    }
    if rng.random_bool(0.05) {
        codes.push(*["tr", "ar", "pl"].choose(rng).unwrap());
    }
    codes
        .into_iter()
        .map(|code| Language {
            id: uuid(rng),
            code: code.into(),
        })
        .collect()
}

fn opening_hours(rng: &mut StdRng) -> Vec<OpeningHours> {
    if rng.random_bool(0.25) {
        return Vec::new();
    }
    let time = |m: u16| TimeOfDay::from_minutes(m).expect("within a day");
    let opens = *[8 * 60 + 30, 9 * 60, 10 * 60].choose(rng).unwrap();
    let closes = *[12 * 60, 16 * 60, 17 * 60].choose(rng).unwrap();
    let mut out = Vec::new();
    for day in &Weekday::ALL[..5] {
        if rng.random_bool(0.8) {
            out.push(OpeningHours {
                id: uuid(rng),
                weekday: *day,
                opens: time(opens),
                closes: time(closes),
            });
        }
    }
    if rng.random_bool(0.15) {
        out.push(OpeningHours {
            id: uuid(rng),
            weekday: *Weekday::ALL[..5].choose(rng).unwrap(),
            opens: time(19 * 60),
            closes: time(21 * 60),
        });
    }
    if rng.random_bool(0.1) {
        out.push(OpeningHours {
            id: uuid(rng),
            weekday: Weekday::Saturday,
            opens: time(10 * 60),
            closes: time(12 * 60 + 30),
        });
    }
    out
}
