//! The sociale kaart in and out as files.
//!
//! - `import hsds PATH`: Open Referral HSDS 3.0 fully nested services (as `GET /hsds/services/{id}`
//!   gives them): a JSON array, an HSDS page object with `contents`, or NDJSON (one service per
//!   line). See `mantelkring_core::directory::hsds` for how the fields are read.
//! - `import hsds-csv PATH`: the simple CSV of `mantelkring_core::directory::hsds_csv`.
//! - `export hsds PATH`: every service (all statuses) as NDJSON of fully nested services, or a
//!   JSON array when PATH ends in `.json`. `import hsds` of that file into an empty installation
//!   with the same municipalities gives the same map.
//!
//! An import first reads and checks the whole file, then checks it against the database
//! (municipalities by CBS code, the region, ids that already belong to another organisation).
//! Any problem: every problem is printed as `regel N, veld X: melding` (NDJSON and CSV line
//! numbers; in a JSON array `dienst N`, N the index in the array from 0), nothing is written and
//! the exit code is 2. Otherwise everything is written in one transaction: missing organisations
//! are created (in `--region`, default the first region by name; kind from the
//! `mantelkring:organisatiesoort` attribute, else welfare), existing ones get the profile from
//! the file (their name, kind and region stay); locations and services are created with their ids,
//! or updated when the id exists and the content differs. An import does not count as a check:
//! a service's `last_reviewed_at` becomes the file's `assured_date` (new services; existing ones
//! only when that date is newer), else it stays (new services without one: now). Services in the
//! database that are not in the file stay.

use std::collections::HashMap;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use mantelkring_core::base::OrganisationKind;
use mantelkring_core::directory::draft::{LocationDraft, ServiceDraft};
use mantelkring_core::directory::hsds::{self, FieldError, ImportedService};
use mantelkring_core::directory::hsds_csv;
use mantelkring_store::directory::{self, Editor, Selection};
use mantelkring_store::{Store, StoreError, base};
use serde_json::Value;
use uuid::Uuid;

use crate::app::{self, StartError};
use crate::config::Config;

/// Services written between two progress updates.
const PROGRESS_EVERY: usize = 100;

/// The two import formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// HSDS 3.0 JSON / NDJSON.
    Hsds,
    /// Our CSV.
    Csv,
}

/// Where a service is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A line (NDJSON, CSV), from 1.
    Line(u64),
    /// An index in a JSON array (or a page's `contents`), from 0.
    Index(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "regel {n}"),
            Place::Index(n) => write!(f, "dienst {n}"),
        }
    }
}

/// One problem of an import, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: Option<Place>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.place, &self.field) {
            (Some(p), Some(field)) => write!(f, "{p}, veld {field}: {}", self.message),
            (Some(p), None) => write!(f, "{p}: {}", self.message),
            (None, Some(field)) => write!(f, "veld {field}: {}", self.message),
            (None, None) => write!(f, "{}", self.message),
        }
    }
}

fn problem(place: Option<Place>, field: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        place,
        field: field.map(str::to_string),
        message: message.into(),
    }
}

fn field_problems(place: Place, errors: Vec<FieldError>) -> impl Iterator<Item = Problem> {
    errors
        .into_iter()
        .map(move |e| problem(Some(place), Some(&e.field), e.message))
}

/// Reads an HSDS file: a JSON array, a page with `contents`, one service, or NDJSON.
pub fn read_hsds(bytes: &[u8]) -> Result<Vec<(Place, ImportedService)>, Vec<Problem>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![problem(
            None,
            None,
            "het bestand is geen UTF-8-tekst; sla het op als JSON in UTF-8",
        )]);
    };
    let text = text.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    if start.is_empty() {
        return Err(vec![problem(None, None, "het bestand is leeg")]);
    }
    let mut problems = Vec::new();
    let mut services = Vec::new();
    let mut take =
        |place: Place, value: &Value, problems: &mut Vec<Problem>| match hsds::parse_service(value)
        {
            Ok(s) => services.push((place, s)),
            Err(errors) => problems.extend(field_problems(place, errors)),
        };
    let whole: Option<Value> = match start.as_bytes()[0] {
        b'[' => match serde_json::from_str::<Value>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                return Err(vec![problem(
                    Some(Place::Line(e.line() as u64)),
                    None,
                    format!("onleesbare JSON: {e}"),
                )]);
            }
        },
        b'{' => serde_json::from_str::<Value>(text).ok(),
        _ => {
            return Err(vec![problem(
                None,
                None,
                "het bestand is geen JSON: verwacht een lijst van diensten ([…]), een HSDS-pagina ({\"contents\": […]}) of NDJSON (één dienst per regel)",
            )]);
        }
    };
    match whole {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                take(Place::Index(i), item, &mut problems);
            }
        }
        Some(Value::Object(page)) if page.get("contents").is_some_and(Value::is_array) => {
            for (i, item) in page["contents"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                take(Place::Index(i), item, &mut problems);
            }
        }
        _ => {
            // NDJSON (also a single service on one or more lines).
            if let Some(v) = whole {
                let line = text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0) + 1;
                take(Place::Line(line as u64), &v, &mut problems);
            } else {
                for (i, line) in text.lines().enumerate() {
                    let place = Place::Line(i as u64 + 1);
                    if line.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<Value>(line) {
                        Ok(v) => take(place, &v, &mut problems),
                        Err(e) => problems.push(problem(
                            Some(place),
                            None,
                            format!("onleesbare JSON: {e}"),
                        )),
                    }
                }
            }
        }
    }
    if services.is_empty() && problems.is_empty() {
        problems.push(problem(None, None, "het bestand bevat geen diensten"));
    }
    if problems.is_empty() {
        Ok(services)
    } else {
        Err(problems)
    }
}

/// Reads our CSV.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<(Place, ImportedService)>, Vec<Problem>> {
    match hsds_csv::parse(bytes) {
        Ok(rows) => Ok(rows
            .into_iter()
            .map(|(line, s)| (Place::Line(line), s))
            .collect()),
        Err(problems) => Err(problems
            .into_iter()
            .map(|p| problem(Some(Place::Line(p.line)), p.field.as_deref(), p.message))
            .collect()),
    }
}

/// The field names for messages about the organisation and a location, per format.
fn org_field(format: Format) -> &'static str {
    match format {
        Format::Hsds => "organization",
        Format::Csv => "organization_name",
    }
}

fn location_field(format: Format, index: usize) -> String {
    match format {
        Format::Hsds => format!("service_at_locations[{index}].location"),
        Format::Csv => "location_name".into(),
    }
}

/// What must agree between the services of one file: no service twice, one organisation and
/// one location the same wherever they occur.
pub fn check_consistency(services: &[(Place, ImportedService)], format: Format) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen_service: HashMap<Uuid, Place> = HashMap::new();
    let mut seen_org: HashMap<Uuid, (Place, &hsds::ImportedOrganisation)> = HashMap::new();
    let mut seen_location: HashMap<Uuid, (Place, &LocationDraft)> = HashMap::new();
    for (place, s) in services {
        if let Some(first) = seen_service.get(&s.id) {
            problems.push(problem(
                Some(*place),
                Some("id"),
                format!("dienst {} staat ook al in {first}", s.id),
            ));
        } else {
            seen_service.insert(s.id, *place);
        }
        match seen_org.get(&s.organisation.id) {
            Some((first, org)) if **org != s.organisation => problems.push(problem(
                Some(*place),
                Some(org_field(format)),
                format!(
                    "organisatie {} staat ook in {first}, maar met andere gegevens",
                    s.organisation.id
                ),
            )),
            Some(_) => {}
            None => {
                seen_org.insert(s.organisation.id, (*place, &s.organisation));
            }
        }
        for (i, l) in s.locations.iter().enumerate() {
            match seen_location.get(&l.id) {
                Some((first, draft)) if **draft != l.draft => problems.push(problem(
                    Some(*place),
                    Some(&location_field(format, i)),
                    format!(
                        "locatie {} staat ook in {first}, maar met andere gegevens",
                        l.id
                    ),
                )),
                Some(_) => {}
                None => {
                    seen_location.insert(l.id, (*place, &l.draft));
                }
            }
        }
    }
    problems
}

/// Prints the problems and the closing line; exit code 2.
fn refuse(shown: &str, problems: &[Problem]) -> ExitCode {
    for p in problems {
        eprintln!("{p}");
    }
    let n = problems.len();
    eprintln!(
        "mantelkring: {shown}: {n} {}; er is niets ingelezen / {n} problem(s), nothing imported",
        if n == 1 { "probleem" } else { "problemen" }
    );
    ExitCode::from(2)
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub services_created: usize,
    pub services_updated: usize,
    pub services_unchanged: usize,
    pub locations_created: usize,
    pub locations_updated: usize,
    pub locations_unchanged: usize,
    pub organisations_created: usize,
    pub organisations_updated: usize,
}

/// `mantelkring import hsds|hsds-csv PATH`.
pub async fn import(
    config: &Config,
    file: &Path,
    format: Format,
    dry_run: bool,
    region: Option<&str>,
) -> Result<ExitCode, StartError> {
    let shown = file.display().to_string();
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("mantelkring: kan {shown} niet lezen: {e} / cannot read the file");
            return Ok(ExitCode::from(2));
        }
    };
    let read = match format {
        Format::Hsds => read_hsds(&bytes),
        Format::Csv => read_csv(&bytes),
    };
    let mut services = match read {
        Ok(services) => services,
        Err(problems) => return Ok(refuse(&shown, &problems)),
    };
    let problems = check_consistency(&services, format);
    if !problems.is_empty() {
        return Ok(refuse(&shown, &problems));
    }

    let store = app::open_store(config).await?;
    let result = write(&store, &mut services, format, dry_run, region).await;
    store.close().await;
    let report = match result? {
        Ok(report) => report,
        Err(problems) => return Ok(refuse(&shown, &problems)),
    };
    let r = &report;
    if dry_run {
        println!(
            "proefrun: {} diensten in orde, er is niets opgeslagen / dry run: {} services fine, nothing written",
            services.len(),
            services.len()
        );
        println!(
            "zou maken / would create: {} diensten, {} locaties, {} organisaties; zou bijwerken / would update: {} diensten, {} locaties, {} organisaties",
            r.services_created,
            r.locations_created,
            r.organisations_created,
            r.services_updated,
            r.locations_updated,
            r.organisations_updated
        );
    } else {
        let services = r.services_created + r.services_updated + r.services_unchanged;
        println!(
            "{services} diensten ingelezen ({} nieuw, {} bijgewerkt, {} ongewijzigd), {} locaties ({} nieuw, {} bijgewerkt, {} ongewijzigd), {} nieuwe organisaties, {} bijgewerkte organisatieprofielen / {services} services imported",
            r.services_created,
            r.services_updated,
            r.services_unchanged,
            r.locations_created + r.locations_updated + r.locations_unchanged,
            r.locations_created,
            r.locations_updated,
            r.locations_unchanged,
            r.organisations_created,
            r.organisations_updated,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks the services against the database and writes them, all in one transaction (rolled
/// back in a dry run or when there is a problem). `Ok(Err(problems))`: nothing was written.
async fn write(
    store: &Store,
    services: &mut [(Place, ImportedService)],
    format: Format,
    dry_run: bool,
    region: Option<&str>,
) -> Result<Result<Report, Vec<Problem>>, StoreError> {
    let regions = base::region_overview(store).await?;
    let mut problems = Vec::new();
    let mut tx = store.begin_write().await?;

    // Areas: by CBS code, else by name.
    let municipalities = directory::municipalities(&mut tx).await?;
    for (place, s) in services.iter_mut() {
        let mut ids = Vec::new();
        for area in &s.areas {
            let found = match (&area.cbs_code, &area.name) {
                (Some(code), _) => municipalities
                    .iter()
                    .find(|(_, c, _)| c == code.as_str())
                    .map(|m| m.0)
                    .ok_or_else(|| format!("onbekende CBS-gemeentecode {code}: deze gemeente staat niet in Mantelkring")),
                (None, Some(name)) => municipalities
                    .iter()
                    .find(|(_, _, n)| n.to_lowercase() == name.to_lowercase())
                    .map(|m| m.0)
                    .ok_or_else(|| format!("onbekende gemeente '{name}': geef de CBS-gemeentecode (GM0546)")),
                (None, None) => Err("geen gemeente".to_string()),
            };
            match found {
                Ok(id) => ids.push(id),
                Err(m) => problems.push(problem(Some(*place), Some(&area.field), m)),
            }
        }
        s.draft.area_ids = ids;
        s.draft = s.draft.clone().normalise();
    }

    // Organisations: which exist, which are to be made (and where).
    let mut to_create: Vec<(Place, &ImportedService)> = Vec::new();
    let mut to_update: Vec<&ImportedService> = Vec::new();
    let mut decided: HashMap<Uuid, bool> = HashMap::new();
    for (place, s) in services.iter() {
        if decided.contains_key(&s.organisation.id) {
            continue;
        }
        let exists = directory::organisation_profile(&mut tx, s.organisation.id)
            .await?
            .is_some();
        decided.insert(s.organisation.id, exists);
        if exists {
            to_update.push(s);
        } else {
            to_create.push((*place, s));
        }
    }
    let region_id = match region {
        Some(name) => match regions
            .iter()
            .find(|r| r.region.name.eq_ignore_ascii_case(name.trim()))
        {
            Some(r) => Some(r.region.id.clone()),
            None => {
                problems.push(problem(
                    None,
                    None,
                    format!(
                        "onbekende regio '{name}' (--region); er zijn: {}",
                        regions
                            .iter()
                            .map(|r| r.region.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                None
            }
        },
        None => regions.first().map(|r| r.region.id.clone()),
    };
    if region.is_none() && region_id.is_none() && !to_create.is_empty() {
        problems.push(problem(
            Some(to_create[0].0),
            Some(org_field(format)),
            "er is nog geen regio om nieuwe organisaties in te zetten; maak eerst een regio aan (beheer)",
        ));
    }

    // Services and locations that exist already must belong to the same organisation.
    for (place, s) in services.iter() {
        if let Some(org) = directory::service_organisation(&mut tx, s.id).await?
            && org != s.organisation.id
        {
            problems.push(problem(
                Some(*place),
                Some("id"),
                format!(
                    "dienst {} bestaat al, bij een andere organisatie ({org})",
                    s.id
                ),
            ));
        }
        for (i, l) in s.locations.iter().enumerate() {
            if let Some(existing) = directory::location(&mut tx, l.id).await?
                && existing.organisation_id != s.organisation.id
            {
                problems.push(problem(
                    Some(*place),
                    Some(&location_field(format, i)),
                    format!(
                        "locatie {} bestaat al, bij een andere organisatie ({})",
                        l.id, existing.organisation_id
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        tx.rollback().await?;
        return Ok(Err(problems));
    }

    let editor = Editor::system("import");
    let mut report = Report::default();
    let region_id = region_id.unwrap_or_default();
    for (_, s) in &to_create {
        let o = &s.organisation;
        directory::create_organisation(
            &mut tx,
            o.id,
            &region_id,
            &o.name,
            o.kind.unwrap_or(OrganisationKind::Welfare),
            &o.profile.clone().unwrap_or_default(),
            &editor,
        )
        .await?;
        report.organisations_created += 1;
    }
    for s in &to_update {
        if let Some(profile) = &s.organisation.profile
            && !directory::update_organisation_profile(&mut tx, s.organisation.id, profile, &editor)
                .await?
                .is_empty()
        {
            report.organisations_updated += 1;
        }
    }
    let mut written_locations = std::collections::HashSet::new();
    let mut progress = Progress::new(services.len());
    for (n, (_, s)) in services.iter().enumerate() {
        for l in &s.locations {
            if !written_locations.insert(l.id) {
                continue;
            }
            if directory::location(&mut tx, l.id).await?.is_some() {
                if directory::update_location(&mut tx, l.id, &l.draft, &editor)
                    .await?
                    .is_empty()
                {
                    report.locations_unchanged += 1;
                } else {
                    report.locations_updated += 1;
                }
            } else {
                directory::create_location(&mut tx, l.id, &l.draft, &editor).await?;
                report.locations_created += 1;
            }
        }
        if let Some(current) = directory::service(&mut tx, s.id).await? {
            // Unchanged: left alone. Changed: updated. Either way the check date is the file's
            // `assured_date` when that is newer, else the one the service had: an import does
            // not make an entry look checked.
            let reviewed = s.reviewed_at.map_or(current.last_reviewed_at, |at| {
                at.max(current.last_reviewed_at)
            });
            let changed = ServiceDraft::from_record(&current) != s.draft;
            if changed {
                directory::update_service(&mut tx, s.id, &s.draft, &editor).await?;
                report.services_updated += 1;
            } else {
                report.services_unchanged += 1;
            }
            if changed || reviewed != current.last_reviewed_at {
                directory::set_last_reviewed(&mut tx, s.id, reviewed).await?;
            }
        } else {
            directory::create_service(&mut tx, s.id, &s.draft, &editor, s.reviewed_at).await?;
            report.services_created += 1;
        }
        if (n + 1) % PROGRESS_EVERY == 0 {
            progress.show(n + 1);
        }
    }
    progress.finish();
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(Ok(report))
}

/// `mantelkring export hsds PATH`: every service, fully nested; NDJSON, or a JSON array when
/// the file name ends in `.json`.
pub async fn export(config: &Config, file: &Path) -> Result<ExitCode, StartError> {
    let store = app::open_store(config).await?;
    let records = {
        let mut tx = store.begin_read().await?;
        let records = directory::load(&mut tx, Selection::All).await?;
        tx.commit().await.map_err(StoreError::from)?;
        records
    };
    store.close().await;
    let items: Vec<Value> = records.iter().map(hsds::service_full).collect();
    let as_array = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if as_array {
        let mut t = serde_json::to_string_pretty(&items).expect("JSON values serialise");
        t.push('\n');
        t
    } else {
        items.iter().map(|v| format!("{v}\n")).collect::<String>()
    };
    if let Err(e) = std::fs::write(file, text) {
        eprintln!(
            "mantelkring: kan {} niet schrijven: {e} / cannot write the file",
            file.display()
        );
        return Ok(ExitCode::from(2));
    }
    println!(
        "{} diensten geschreven naar {} ({}) / {} services exported",
        items.len(),
        file.display(),
        if as_array { "JSON" } else { "NDJSON" },
        items.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// "diensten opslaan: 300/1200" on stderr, rewritten in place; only on a terminal.
struct Progress {
    total: usize,
    on_terminal: bool,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            on_terminal: std::io::stderr().is_terminal() && total > PROGRESS_EVERY,
            shown: false,
        }
    }

    fn show(&mut self, done: usize) {
        if self.on_terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rdiensten opslaan: {done}/{}", self.total);
            let _ = err.flush();
            self.shown = true;
        }
    }

    fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(id: u128, org: u128, org_name: &str) -> Value {
        json!({
            "id": Uuid::from_u128(id).to_string(),
            "name": "Dienst",
            "status": "active",
            "organization": {"id": Uuid::from_u128(org).to_string(), "name": org_name, "description": ""},
        })
    }

    fn lines(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn arrays_pages_and_ndjson_are_read_with_their_places() {
        let a = service(1, 9, "Org");
        let b = service(2, 9, "Org");
        let array = serde_json::to_string(&json!([a, b])).unwrap();
        let got: Vec<_> = read_hsds(array.as_bytes())
            .unwrap()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(got, [Place::Index(0), Place::Index(1)]);
        let page = serde_json::to_string(&json!({"total_items": 2, "contents": [a, b]})).unwrap();
        assert_eq!(read_hsds(page.as_bytes()).unwrap().len(), 2);
        let ndjson = format!("{a}\n\n{b}\n");
        let got: Vec<_> = read_hsds(ndjson.as_bytes())
            .unwrap()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(got, [Place::Line(1), Place::Line(3)]);
        let one = serde_json::to_string_pretty(&a).unwrap();
        assert_eq!(
            read_hsds(format!("\n{one}").as_bytes()).unwrap()[0].0,
            Place::Line(2)
        );
    }

    #[test]
    fn problems_name_the_line_or_the_service_and_the_field() {
        let mut bad = service(1, 9, "Org");
        bad["status"] = json!("open");
        let ndjson = format!("{}\n{{kapot\n{bad}\n", service(2, 9, "Org"));
        let p = lines(&read_hsds(ndjson.as_bytes()).unwrap_err());
        assert!(p[0].starts_with("regel 2: onleesbare JSON"), "{p:?}");
        assert!(
            p[1].starts_with("regel 3, veld status: onbekende status 'open'"),
            "{p:?}"
        );
        let array = serde_json::to_string(&json!([service(2, 9, "Org"), bad])).unwrap();
        let p = lines(&read_hsds(array.as_bytes()).unwrap_err());
        assert!(p[0].starts_with("dienst 1, veld status:"), "{p:?}");
        assert_eq!(
            lines(&read_hsds(b"  ").unwrap_err()),
            ["het bestand is leeg"]
        );
        assert!(lines(&read_hsds(b"id,name\n").unwrap_err())[0].contains("geen JSON"));
        assert_eq!(
            lines(&read_hsds(b"[]").unwrap_err()),
            ["het bestand bevat geen diensten"]
        );
        assert!(lines(&read_hsds(b"[1,").unwrap_err())[0].starts_with("regel 1: onleesbare JSON"));
    }

    #[test]
    fn a_file_must_agree_with_itself() {
        let text = format!(
            "{}\n{}\n{}\n",
            service(1, 9, "Org"),
            service(1, 9, "Org"),
            service(2, 9, "Andere naam")
        );
        let services = read_hsds(text.as_bytes()).unwrap();
        let p = lines(&check_consistency(&services, Format::Hsds));
        assert_eq!(
            p,
            [
                format!(
                    "regel 2, veld id: dienst {} staat ook al in regel 1",
                    Uuid::from_u128(1)
                ),
                format!(
                    "regel 3, veld organization: organisatie {} staat ook in regel 1, maar met andere gegevens",
                    Uuid::from_u128(9)
                ),
            ]
        );
    }
}
