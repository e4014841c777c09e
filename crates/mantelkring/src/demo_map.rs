//! The demo content of the sociale kaart: about forty fictional organisations with their locations
//! and services in the demo region, and a labelled set of search queries over them. Both are data
//! files beside this crate (`demo/sociale-kaart.toml`, `demo/relevance.toml`), embedded in the
//! binary so `mantelkring demo` needs nothing else. The tests below check every code, postcode,
//! coordinate and reference in them against the core's vocabularies.

use serde::Deserialize;

use mantelkring_core::base::OrganisationKind;
use mantelkring_core::directory::draft::WeeklyHours;
use mantelkring_core::directory::model::{Funding, ServiceStatus};
use mantelkring_core::geo::{Coordinates, Pc4};

const SOCIALE_KAART: &str = include_str!("../demo/sociale-kaart.toml");
const RELEVANCE: &str = include_str!("../demo/relevance.toml");

/// The whole demo map as written in `demo/sociale-kaart.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoMap {
    /// Approximate PC4 centroids, so the demo can search by distance without a reference file.
    #[serde(rename = "postcode")]
    pub postcodes: Vec<PostcodeArea>,
    #[serde(rename = "organisation")]
    pub organisations: Vec<Organisation>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostcodeArea {
    pub pc4: String,
    pub place: String,
    /// Municipality name, as in the demo region.
    pub municipality: String,
    pub province: String,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Stable slug; ids are made from it.
    pub key: String,
    pub name: String,
    /// "care", "welfare", "medical", "volunteer_organisation", "citizen_initiative", "municipality".
    pub kind: OrganisationKind,
    /// CBS code of the municipality the organisation sits in.
    pub municipality: String,
    pub description: String,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(default, rename = "location")]
    pub locations: Vec<Location>,
    #[serde(default, rename = "service")]
    pub services: Vec<Service>,
}

impl Organisation {
    pub fn location(&self, key: &str) -> Option<&Location> {
        self.locations.iter().find(|l| l.key == key)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Unique in the file.
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    /// Street and number.
    pub street: String,
    /// Full postcode as written ("2312 BK").
    pub postcode: String,
    pub city: String,
    pub latitude: f64,
    pub longitude: f64,
    pub wheelchair_accessible: bool,
}

impl Location {
    pub fn pc4(&self) -> Option<Pc4> {
        Pc4::from_postcode(&self.postcode).ok()
    }

    pub fn coordinates(&self) -> Option<Coordinates> {
        Coordinates::new(self.latitude, self.longitude).ok()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Unique in the file.
    pub key: String,
    pub name: String,
    pub description: String,
    /// Taxonomy codes (`directory::taxonomy`), both vocabularies.
    pub categories: Vec<String>,
    /// `Funding` values ("wmo", "gratis", …).
    pub funding: Vec<String>,
    /// Also (or only) given online.
    pub online: bool,
    /// Keys of the organisation's locations; empty for online-only and home services.
    #[serde(default)]
    pub locations: Vec<String>,
    /// CBS codes of the municipalities served.
    pub areas: Vec<String>,
    /// Weekly opening hours, "ma 09:00-17:00".
    #[serde(default)]
    pub hours: Vec<String>,
    pub schedule_note: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub application_process: Option<String>,
    pub fees_description: Option<String>,
    pub eligibility: Option<String>,
    pub minimum_age: Option<u16>,
    pub maximum_age: Option<u16>,
    /// HSDS status; active when left out.
    pub status: Option<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    /// Days since an editor last confirmed the entry.
    pub reviewed_days_ago: u32,
}

impl Service {
    pub fn funding(&self) -> Vec<Funding> {
        self.funding
            .iter()
            .filter_map(|f| Funding::parse(f))
            .collect()
    }

    pub fn status(&self) -> ServiceStatus {
        self.status
            .as_deref()
            .and_then(ServiceStatus::parse)
            .unwrap_or(ServiceStatus::Active)
    }

    /// The weekly hours, parsed; `None` for a slot that does not read as "ma 09:00-17:00".
    pub fn opening_hours(&self) -> Vec<Option<WeeklyHours>> {
        self.hours.iter().map(|h| WeeklyHours::parse(h)).collect()
    }
}

impl DemoMap {
    /// Every service with its organisation.
    pub fn services(&self) -> impl Iterator<Item = (&Organisation, &Service)> {
        self.organisations
            .iter()
            .flat_map(|o| o.services.iter().map(move |s| (o, s)))
    }

    pub fn service(&self, key: &str) -> Option<(&Organisation, &Service)> {
        self.services().find(|(_, s)| s.key == key)
    }

    pub fn postcode(&self, pc4: &str) -> Option<&PostcodeArea> {
        self.postcodes.iter().find(|p| p.pc4 == pc4)
    }
}

/// The embedded demo map. The file is checked by the tests, so this only fails on a broken build.
pub fn load() -> DemoMap {
    toml::from_str(SOCIALE_KAART).expect("demo/sociale-kaart.toml is valid (see demo_map's tests)")
}

/// Namespace of the demo map's ids: made from the file's keys, so every fresh demo has the same.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6d61_6e74_656c_4b72_8000_6465_6d6f_6d61);

/// The id of a demo entity (`kind` "organisation", "location" or "service") with this key.
pub fn id(kind: &str, key: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&NAMESPACE, format!("{kind}:{key}").as_bytes())
}

/// Every organisation of the demo region by name → id: the region's existing ones (`existing`,
/// as passed to [`seed`]) and the ones [`seed`] adds.
pub fn organisation_ids(existing: &[(&str, String)]) -> std::collections::HashMap<String, String> {
    let mut ids: std::collections::HashMap<String, String> = existing
        .iter()
        .map(|(name, id)| (name.to_string(), id.clone()))
        .collect();
    for o in load().organisations {
        let added = id("organisation", &o.key).to_string();
        ids.entry(o.name).or_insert(added);
    }
    ids
}

/// Writes the demo map into a fresh demo database in the caller's transaction: the PC4 centroids,
/// the organisations (the region's existing ones by name get a profile, the rest are added),
/// their locations and services with their check dates. Entries not checked for long are marked
/// as reminded, so the reminder job at start sends nothing; one of them carries an error report.
pub async fn seed(
    tx: &mut mantelkring_store::Conn,
    region_id: &str,
    municipalities: &[(String, String)],
    existing: &[(&str, String)],
) -> Result<(), mantelkring_store::StoreError> {
    use mantelkring_core::directory::draft::{
        LocationDraft, OrganisationProfile, PhoneDraft, ServiceDraft,
    };
    use mantelkring_core::directory::freshness::DAY_MS;
    use mantelkring_core::geo::PostcodeArea as Area;
    use mantelkring_core::time::now_ms;
    use mantelkring_store::StoreError;
    use mantelkring_store::directory::{self, Editor};

    let bad = |what: String| StoreError::Conflict(format!("demo-sociale kaart: {what}"));
    let map = load();
    let areas = map
        .postcodes
        .iter()
        .map(|p| {
            Ok(Area {
                pc4: Pc4::parse(&p.pc4).map_err(|e| bad(e.to_string()))?,
                place: p.place.clone(),
                municipality: Some(p.municipality.clone()),
                province: p.province.clone(),
                centroid: Coordinates::new(p.latitude, p.longitude)
                    .map_err(|e| bad(e.to_string()))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    mantelkring_store::postcodes::import(tx, &areas).await?;

    let municipality = |code: &str| -> Result<uuid::Uuid, StoreError> {
        let id = municipalities
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, id)| id.as_str())
            .ok_or_else(|| bad(format!("gemeente {code}")))?;
        uuid::Uuid::parse_str(id).map_err(|e| bad(e.to_string()))
    };
    let demo = Editor::system("demo");
    let now = now_ms();
    let mut stale = Vec::new();
    for o in &map.organisations {
        let profile = OrganisationProfile {
            description: Some(o.description.clone()),
            website: o.website.clone(),
            email: o.email.clone(),
            phone: o.phone.clone(),
        };
        let organisation_id = match existing.iter().find(|(name, _)| *name == o.name) {
            Some((_, id)) => {
                let id = uuid::Uuid::parse_str(id).map_err(|e| bad(e.to_string()))?;
                directory::update_organisation_profile(tx, id, &profile, &demo).await?;
                id
            }
            None => {
                let id = id("organisation", &o.key);
                directory::create_organisation(tx, id, region_id, &o.name, o.kind, &profile, &demo)
                    .await?;
                id
            }
        };
        for l in &o.locations {
            directory::create_location(
                tx,
                id("location", &l.key),
                &LocationDraft {
                    organisation_id,
                    name: l.name.clone(),
                    description: l.description.clone(),
                    street: l.street.clone(),
                    postcode: l.postcode.clone(),
                    city: l.city.clone(),
                    coordinates: l.coordinates(),
                    wheelchair_accessible: l.wheelchair_accessible,
                },
                &demo,
            )
            .await?;
        }
        for s in &o.services {
            let hours = s
                .hours
                .iter()
                .zip(s.opening_hours())
                .map(|(h, parsed)| parsed.ok_or_else(|| bad(format!("openingstijd {h}"))))
                .collect::<Result<Vec<_>, StoreError>>()?;
            let draft = ServiceDraft {
                organisation_id,
                name: s.name.clone(),
                alternate_name: None,
                description: s.description.clone(),
                url: s.url.clone(),
                email: s.email.clone(),
                status: s.status(),
                application_process: s.application_process.clone(),
                fees_description: s.fees_description.clone(),
                eligibility_description: s.eligibility.clone(),
                minimum_age: s.minimum_age,
                maximum_age: s.maximum_age,
                online: s.online,
                categories: s.categories.clone(),
                funding: s.funding(),
                languages: s.languages.clone(),
                phones: s
                    .phone
                    .iter()
                    .map(|number| PhoneDraft {
                        number: number.clone(),
                        description: None,
                    })
                    .collect(),
                hours,
                schedule_note: s.schedule_note.clone(),
                location_ids: s.locations.iter().map(|k| id("location", k)).collect(),
                area_ids: s
                    .areas
                    .iter()
                    .map(|code| municipality(code))
                    .collect::<Result<Vec<_>, StoreError>>()?,
            };
            let service_id = id("service", &s.key);
            let reviewed = now - i64::from(s.reviewed_days_ago) * DAY_MS;
            directory::create_service(tx, service_id, &draft, &demo, Some(reviewed)).await?;
            if s.reviewed_days_ago
                > mantelkring_core::directory::freshness::DEFAULT_STALE_AFTER_DAYS
            {
                stale.push((service_id, o.name.starts_with("Steunpunt")));
            }
        }
    }
    let ids: Vec<_> = stale.iter().map(|(id, _)| *id).collect();
    directory::set_reminded(tx, &ids, now).await?;
    if let Some((reported, _)) = stale.iter().find(|(_, steunpunt)| *steunpunt) {
        directory::report_error(
            tx,
            *reported,
            "De datum klopt niet meer: dit jaar is de dag op een zaterdag, niet op een vrijdag.",
            Some("06 12345678"),
        )
        .await?;
    }
    Ok(())
}

/// A labelled set of search queries over the demo map (`demo/relevance.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelevanceSet {
    #[serde(rename = "query")]
    pub queries: Vec<RelevanceQuery>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelevanceQuery {
    /// What a person types.
    pub text: String,
    /// Taxonomy code to filter on (the term and its children).
    pub category: Option<String>,
    /// Search near this PC4 …
    pub near_pc4: Option<String>,
    /// … within this many kilometres.
    pub within_km: Option<f64>,
    /// Service keys a good search puts in its top 3.
    pub expected: Vec<String>,
}

/// The embedded relevance set.
pub fn relevance() -> RelevanceSet {
    toml::from_str(RELEVANCE).expect("demo/relevance.toml is valid (see demo_map's tests)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mantelkring_core::directory::taxonomy::{self, Vocabulary};
    use mantelkring_core::geo::distance_km;
    use std::collections::{HashMap, HashSet};

    /// The eight municipalities of the demo region: (CBS code, name).
    const REGION: &[(&str, &str)] = crate::demo::MUNICIPALITIES;

    /// The demo region's bounding box (south, west, north, east).
    const BOX: (f64, f64, f64, f64) = (52.09, 4.37, 52.32, 4.70);

    fn in_box(lat: f64, lon: f64) -> bool {
        (BOX.0..=BOX.2).contains(&lat) && (BOX.1..=BOX.3).contains(&lon)
    }

    fn municipality_code(name: &str) -> Option<&'static str> {
        REGION.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    fn all_text(o: &Organisation, s: &Service) -> String {
        let mut t = format!("{} {} {}", o.name, s.name, s.description).to_lowercase();
        for extra in [
            &s.schedule_note,
            &s.application_process,
            &s.fees_description,
        ]
        .into_iter()
        .flatten()
        {
            t.push(' ');
            t.push_str(&extra.to_lowercase());
        }
        t
    }

    /// Sentence ends: a full stop, question or exclamation mark before a space or the end
    /// (so "19.30" and "€ 2,50" do not count).
    fn sentences(text: &str) -> usize {
        let chars: Vec<char> = text.trim_end().chars().collect();
        chars
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                matches!(c, '.' | '?' | '!')
                    && chars.get(i + 1).is_none_or(|next| next.is_whitespace())
            })
            .count()
    }

    /// Whether a service has the category or one of its children.
    fn in_category(s: &Service, code: &str) -> bool {
        taxonomy::with_descendants(code)
            .iter()
            .any(|t| s.categories.iter().any(|c| c == t.code))
    }

    #[test]
    fn the_file_parses_and_is_large_enough() {
        let map = load();
        assert!(map.organisations.len() >= 40, "{}", map.organisations.len());
        let services = map.services().count();
        assert!(services >= 120, "{services}");
        assert!(map.postcodes.len() >= 35, "{}", map.postcodes.len());
    }

    #[test]
    fn keys_are_unique_slugs() {
        let map = load();
        let mut seen = HashSet::new();
        let slug = |k: &str| {
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        for o in &map.organisations {
            assert!(slug(&o.key), "{}", o.key);
            assert!(seen.insert(format!("organisation:{}", o.key)), "{}", o.key);
            for l in &o.locations {
                assert!(slug(&l.key), "{}", l.key);
                assert!(seen.insert(format!("location:{}", l.key)), "{}", l.key);
            }
            for s in &o.services {
                assert!(slug(&s.key), "{}", s.key);
                assert!(seen.insert(format!("service:{}", s.key)), "{}", s.key);
            }
        }
        let names: HashSet<_> = map.organisations.iter().map(|o| &o.name).collect();
        assert_eq!(names.len(), map.organisations.len(), "organisation names");
        let pc4s: HashSet<_> = map.postcodes.iter().map(|p| &p.pc4).collect();
        assert_eq!(pc4s.len(), map.postcodes.len(), "postcode rows");
    }

    #[test]
    fn the_demo_organisations_are_there_with_the_same_name_kind_and_place() {
        let map = load();
        for (name, kind, code) in crate::demo::ORGANISATIONS {
            let o = map
                .organisations
                .iter()
                .find(|o| o.name == *name)
                .unwrap_or_else(|| panic!("{name} missing from the sociale kaart"));
            assert_eq!(o.kind, *kind, "{name}");
            assert_eq!(o.municipality, *code, "{name}");
        }
    }

    #[test]
    fn organisations_have_a_known_kind_and_municipality_and_fictional_contacts() {
        let map = load();
        for o in &map.organisations {
            assert!(municipality_code_known(&o.municipality), "{}", o.key);
            assert!(!o.description.trim().is_empty(), "{}", o.key);
            if let Some(w) = &o.website {
                assert!(
                    w.starts_with("https://") && w.contains(".example"),
                    "{}: {w}",
                    o.key
                );
            }
            for mail in o
                .email
                .iter()
                .chain(o.services.iter().filter_map(|s| s.email.as_ref()))
            {
                assert!(mail.contains('@') && mail.ends_with(".example"), "{mail}");
            }
            for url in o.services.iter().filter_map(|s| s.url.as_ref()) {
                assert!(
                    url.starts_with("https://") && url.contains(".example"),
                    "{url}"
                );
            }
        }
        for kind in OrganisationKind::ALL {
            let n = map.organisations.iter().filter(|o| o.kind == kind).count();
            assert!(n >= 2, "{}: {n} organisations", kind.as_str());
        }
    }

    fn municipality_code_known(code: &str) -> bool {
        REGION.iter().any(|(c, _)| *c == code)
    }

    #[test]
    fn postcode_rows_are_pc4s_of_the_region_within_its_box() {
        let map = load();
        for p in &map.postcodes {
            assert!(Pc4::parse(&p.pc4).is_ok(), "{}", p.pc4);
            assert!(municipality_code(&p.municipality).is_some(), "{}", p.pc4);
            assert_eq!(p.province, "Zuid-Holland", "{}", p.pc4);
            assert!(in_box(p.latitude, p.longitude), "{}", p.pc4);
        }
        // Every municipality of the region can be searched from.
        for (_, name) in REGION {
            assert!(
                map.postcodes.iter().any(|p| p.municipality == *name),
                "{name}"
            );
        }
    }

    #[test]
    fn locations_have_valid_postcodes_in_the_table_and_coordinates_near_them() {
        let map = load();
        for o in &map.organisations {
            for l in &o.locations {
                let pc4 =
                    Pc4::from_postcode(&l.postcode).unwrap_or_else(|e| panic!("{}: {e}", l.key));
                // Written the Dutch way: four digits, a space, two capitals (never SA, SD or SS).
                let letters = &l.postcode[5..];
                assert!(
                    l.postcode.len() == 7
                        && l.postcode.as_bytes()[4] == b' '
                        && letters.bytes().all(|b| b.is_ascii_uppercase())
                        && !["SA", "SD", "SS"].contains(&letters),
                    "{}: {}",
                    l.key,
                    l.postcode
                );
                let row = map
                    .postcode(&pc4.to_string())
                    .unwrap_or_else(|| panic!("{}: PC4 {pc4} not in [[postcode]]", l.key));
                assert_eq!(row.place, l.city, "{}", l.key);
                assert!(in_box(l.latitude, l.longitude), "{}", l.key);
                let here = l.coordinates().expect("valid coordinates");
                let centre = Coordinates::new(row.latitude, row.longitude).unwrap();
                let km = distance_km(here, centre);
                assert!(
                    km < 2.5,
                    "{} lies {km:.1} km from the centre of {pc4}",
                    l.key
                );
                assert!(!l.street.trim().is_empty() && !l.name.trim().is_empty());
            }
        }
    }

    #[test]
    fn services_refer_to_known_codes_locations_and_areas() {
        let map = load();
        for (o, s) in map.services() {
            let k = &s.key;
            assert!(!s.categories.is_empty(), "{k}");
            for c in &s.categories {
                assert!(taxonomy::by_code(c).is_some(), "{k}: category {c}");
            }
            assert!(
                s.categories
                    .iter()
                    .any(|c| taxonomy::by_code(c).unwrap().vocabulary == Vocabulary::Offer),
                "{k}: no aanbod category"
            );
            assert!(!s.funding.is_empty(), "{k}");
            for f in &s.funding {
                assert!(Funding::parse(f).is_some(), "{k}: funding {f}");
            }
            for l in &s.locations {
                assert!(
                    o.location(l).is_some(),
                    "{k}: location {l} not of {}",
                    o.key
                );
            }
            assert!(!s.areas.is_empty(), "{k}: serves no municipality");
            for a in &s.areas {
                assert!(municipality_code_known(a), "{k}: area {a}");
            }
            assert!(!s.languages.is_empty(), "{k}");
            for lang in &s.languages {
                assert!(
                    lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()),
                    "{k}: {lang}"
                );
            }
            if let Some(status) = &s.status {
                assert!(ServiceStatus::parse(status).is_some(), "{k}: {status}");
            }
            if let (Some(min), Some(max)) = (s.minimum_age, s.maximum_age) {
                assert!(min <= max, "{k}");
            }
            assert!(
                (2..=4).contains(&sentences(&s.description)),
                "{k}: B1 texts have 2–4 short sentences"
            );
            assert!(
                !s.hours.is_empty() || s.schedule_note.is_some(),
                "{k}: say when (hours or a schedule note)"
            );
        }
    }

    #[test]
    fn every_opening_slot_parses_and_closes_after_it_opens() {
        let map = load();
        assert!(WeeklyHours::parse("ma 09:00-17:00").is_some());
        assert!(WeeklyHours::parse("ma 17:00-09:00").is_none());
        assert!(WeeklyHours::parse("maandag 09:00-17:00").is_none());
        for (_, s) in map.services() {
            for (slot, parsed) in s.hours.iter().zip(s.opening_hours()) {
                assert!(parsed.is_some(), "{}: '{slot}'", s.key);
            }
        }
    }

    #[test]
    fn the_map_is_varied() {
        let map = load();
        let services: Vec<_> = map.services().map(|(_, s)| s).collect();
        let count = |f: &dyn Fn(&Service) -> bool| services.iter().filter(|s| f(s)).count();
        for funding in Funding::ALL {
            assert!(
                count(&|s| s.funding().contains(&funding)) >= 3,
                "{}",
                funding.as_str()
            );
        }
        assert!(
            count(&|s| s.online && s.locations.is_empty()) >= 5,
            "online only"
        );
        assert!(
            count(&|s| !s.online && s.locations.is_empty()) >= 10,
            "at home"
        );
        assert!(count(&|s| s.locations.len() >= 2) >= 3, "several locations");
        assert!(
            count(&|s| s
                .hours
                .iter()
                .any(|h| h.starts_with("za") || h.starts_with("zo")))
                >= 3
        );
        let evening = |s: &Service| {
            s.opening_hours()
                .iter()
                .flatten()
                .any(|h| h.closes.minutes() > 19 * 60)
        };
        assert!(count(&evening) >= 3, "evenings");
        assert!(count(&|s| s.hours.is_empty() && s.schedule_note.is_some()) >= 10);
        for lang in ["en", "tr", "ar", "pl"] {
            assert!(
                count(&|s| s.languages.iter().any(|l| l == lang)) >= 2,
                "{lang}"
            );
        }
        assert!(count(&|s| s.minimum_age.is_some() && s.maximum_age.is_some()) >= 3);
        assert!(count(&|s| s.fees_description.is_some()) >= 20);
        assert!(count(&|s| s.application_process.is_some()) >= 20);
        assert!(count(&|s| s.eligibility.is_some()) >= 8);
        assert!(count(&|s| s.status() != ServiceStatus::Active) >= 1);
        // Freshness: most entries were reviewed recently, about ten are stale.
        let stale = count(&|s| s.reviewed_days_ago > 180);
        assert!((8..=12).contains(&stale), "{stale} stale");
        assert!(count(&|s| s.reviewed_days_ago >= 200) >= 8);
        assert!(
            services
                .iter()
                .all(|s| s.reviewed_days_ago >= 10 && s.reviewed_days_ago <= 400)
        );
    }

    #[test]
    fn every_aanbod_category_has_at_least_two_services() {
        let map = load();
        for term in taxonomy::TERMS
            .iter()
            .filter(|t| t.vocabulary == Vocabulary::Offer)
        {
            let n = map
                .services()
                .filter(|(_, s)| s.categories.iter().any(|c| c == term.code))
                .count();
            assert!(n >= 2, "{}: {n} services", term.code);
        }
    }

    #[test]
    fn every_offer_named_in_the_issue_is_there() {
        let map = load();
        let services: Vec<_> = map.services().collect();
        let any = |what: &str, f: &dyn Fn(&Organisation, &Service) -> bool| {
            assert!(services.iter().any(|(o, s)| f(o, s)), "{what}");
        };
        let has = |s: &Service, code: &str| s.categories.iter().any(|c| c == code);
        any("mantelzorgconsulent", &|_, s| has(s, "mantelzorgconsulent"));
        any("Alzheimer café (physical)", &|_, s| {
            s.name.contains("Alzheimer Café") && !s.locations.is_empty()
        });
        any("Alzheimer café (online)", &|_, s| {
            s.name.contains("Alzheimer Café") && s.online && s.locations.is_empty()
        });
        any("logeerhuis", &|_, s| {
            has(s, "logeeropvang") && s.name.to_lowercase().contains("logeerhuis")
        });
        any("dagbesteding", &|_, s| has(s, "dagbesteding"));
        any("vrijwillige thuishulp", &|_, s| {
            has(s, "vrijwillige-thuishulp")
        });
        any("koffie-inloop", &|o, s| {
            all_text(o, s).contains("koffie-inloop")
        });
        any("lotgenotengroep online", &|_, s| {
            has(s, "lotgenotencontact") && s.online && s.locations.is_empty()
        });
        any("buurtplatform", &|o, s| {
            all_text(o, s).contains("buurtplatform") && s.online
        });
        any("vrijwilligerscentrale", &|o, _| {
            o.kind == OrganisationKind::VolunteerOrganisation
                && o.name.to_lowercase().contains("vrijwilligerscentrale")
        });
    }

    #[test]
    fn the_texts_contain_the_words_people_search_with() {
        let map = load();
        let text: String = map
            .services()
            .map(|(o, s)| all_text(o, s))
            .collect::<Vec<_>>()
            .join(" ");
        for word in [
            "logeeropvang",
            "dagbesteding",
            "boodschappendienst",
            "lotgenotencontact",
            "boodschappen",
            "vrijwilligers",
            "financiële",
            "café",
            "privé",
            "respijtzorg",
        ] {
            assert!(text.contains(word), "{word}");
        }
    }

    #[test]
    fn the_relevance_set_is_well_formed_and_its_answers_fit_their_filters() {
        let map = load();
        let set = relevance();
        assert!(set.queries.len() >= 40, "{}", set.queries.len());
        let mut texts = HashSet::new();
        let mut expected_keys: HashMap<&str, usize> = HashMap::new();
        for q in &set.queries {
            let t = &q.text;
            assert!(
                texts.insert((t, &q.category, &q.near_pc4)),
                "duplicate query {t}"
            );
            assert!((1..=3).contains(&q.expected.len()), "{t}");
            if let Some(c) = &q.category {
                assert!(taxonomy::by_code(c).is_some(), "{t}: category {c}");
            }
            assert_eq!(q.near_pc4.is_some(), q.within_km.is_some(), "{t}");
            let near = q.near_pc4.as_ref().map(|pc4| {
                let row = map
                    .postcode(pc4)
                    .unwrap_or_else(|| panic!("{t}: PC4 {pc4} not in [[postcode]]"));
                (
                    Coordinates::new(row.latitude, row.longitude).unwrap(),
                    municipality_code(&row.municipality).unwrap(),
                    q.within_km.unwrap(),
                )
            });
            for key in &q.expected {
                *expected_keys.entry(key).or_default() += 1;
                let (o, s) = map
                    .service(key)
                    .unwrap_or_else(|| panic!("{t}: no service {key}"));
                assert!(s.status().is_listed(), "{t}: {key} is not listed");
                if let Some(c) = &q.category {
                    assert!(in_category(s, c), "{t}: {key} is not in {c}");
                }
                if let Some((centre, code, km)) = near {
                    // Near: a location within reach, or (without locations) serving that municipality.
                    let reachable = if s.locations.is_empty() {
                        s.areas.iter().any(|a| a == code)
                    } else {
                        s.locations.iter().any(|l| {
                            let l = o.location(l).unwrap();
                            distance_km(centre, l.coordinates().unwrap()) <= km
                        })
                    };
                    assert!(reachable, "{t}: {key} is not within {km} km");
                }
            }
        }
        // The set asks about many different services, not the same few.
        assert!(expected_keys.len() >= 50, "{}", expected_keys.len());
    }
}

/// The relevance set run through the real search index (`mantelkring-search`) over the demo map
/// as the demo stores it: seeded into a fresh database and read back as service records.
#[cfg(test)]
mod search_tests {
    use super::*;
    use mantelkring_search::{Index, Near, Query, Sort};
    use mantelkring_store::directory::{self, Selection};
    use mantelkring_store::testing::TestDatabase;
    use std::collections::HashMap;
    use uuid::Uuid;

    #[tokio::test]
    async fn the_search_finds_the_labelled_answers_in_its_top_3() {
        let db = TestDatabase::sqlite();
        let store = db.store().await;
        crate::demo::seed(&store).await.expect("demo seeds");
        let mut conn = store.pool().acquire().await.unwrap();
        let records = directory::load(&mut conn, Selection::All).await.unwrap();
        let municipalities = directory::municipalities(&mut conn).await.unwrap();
        drop(conn);
        let map = load();
        assert_eq!(
            records.len(),
            map.services().count(),
            "every demo service is stored"
        );
        let index = Index::build(records);
        let keys: HashMap<Uuid, &str> = map
            .services()
            .map(|(_, s)| (id("service", &s.key), s.key.as_str()))
            .collect();
        let set = relevance();
        let mut total = 0.0;
        let mut misses = Vec::new();
        let now = mantelkring_core::time::now_ms();
        for q in &set.queries {
            let near = q.near_pc4.as_ref().map(|pc4| {
                let row = map.postcode(pc4).expect("checked above");
                Near {
                    point: Coordinates::new(row.latitude, row.longitude).unwrap(),
                    municipality_id: municipalities
                        .iter()
                        .find(|(_, _, name)| *name == row.municipality)
                        .map(|(id, _, _)| *id),
                }
            });
            let query = Query {
                text: q.text.clone(),
                categories: q.category.iter().cloned().collect(),
                near,
                within_km: q.within_km,
                sort: Sort::Relevance,
                per_page: 3,
                ..Query::default()
            };
            let top: Vec<&str> = index
                .search(&query, now)
                .hits
                .iter()
                .map(|h| keys[&h.record.id])
                .collect();
            let found = q
                .expected
                .iter()
                .filter(|k| top.contains(&k.as_str()))
                .count();
            total += found as f64 / q.expected.len() as f64;
            if found < q.expected.len() {
                misses.push(format!(
                    "'{}': expected {:?}, top 3 {:?}",
                    q.text, q.expected, top
                ));
            }
        }
        let recall = total / set.queries.len() as f64;
        println!(
            "recall@3 {recall:.3} over {} queries; misses:\n{}",
            set.queries.len(),
            misses.join("\n")
        );
        assert!(
            recall >= 0.9,
            "recall@3 {recall:.3}; misses:\n{}",
            misses.join("\n")
        );
    }
}
