//! Reading the PC4 reference file: CSV, UTF-8, comma-separated, with a header line
//!
//! ```text
//! pc4,woonplaats,gemeente,provincie,latitude,longitude
//! 2311,Leiden,Leiden,Zuid-Holland,52.1577953,4.4882196
//! 5671,Nuenen,"Nuenen, Gerwen en Nederwetten",Noord-Brabant,51.4761009,5.5466357
//! ```
//!
//! Fields with a comma are quoted. One extra last column (the reference file has `soort`) is
//! allowed and ignored. Latitude and longitude are decimal degrees with a point. `gemeente` may be
//! empty; every other field is required. A pc4 may occur only once. Every problem is reported with
//! its line number and field, in Dutch; the file is only usable when there are none.

use super::{Coordinates, InvalidCoordinates, Pc4, PostcodeArea};
use std::collections::HashMap;
use std::fmt;

/// The columns in their required order.
pub const COLUMNS: [&str; 6] = [
    "pc4",
    "woonplaats",
    "gemeente",
    "provincie",
    "latitude",
    "longitude",
];

/// Longest text accepted in a name field; real names are far shorter.
const MAX_NAME_CHARS: usize = 200;

/// One problem in the file: the line it starts on (1 = the header), the field if it concerns
/// one, and a Dutch message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "regel {}, veld {field}: {}", self.line, self.message),
            None => write!(f, "regel {}: {}", self.line, self.message),
        }
    }
}

fn problem(line: u64, field: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        line,
        field: field.map(str::to_string),
        message: message.into(),
    }
}

/// Reads the whole file. `Ok` only when there is no problem at all; otherwise every problem
/// found, in line order. Problems in the header line stop the reading there, because the rows
/// cannot be interpreted without it.
pub fn parse(bytes: &[u8]) -> Result<Vec<PostcodeArea>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();

    let header = match records.next() {
        None => {
            return Err(vec![problem(
                1,
                None,
                format!(
                    "het bestand is leeg; verwacht een kopregel {}",
                    COLUMNS.join(",")
                ),
            )]);
        }
        Some(Err(e)) => return Err(vec![csv_problem(&e)]),
        Some(Ok(header)) => header,
    };
    let width = check_header(&header)?;

    let mut problems = Vec::new();
    let mut areas = Vec::new();
    let mut first_line_of: HashMap<Pc4, u64> = HashMap::new();
    let mut last_line = 1;
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(csv_problem(&e));
                continue;
            }
        };
        let line = line_of(&record);
        last_line = line;
        let row = read_row(&record, line, width);
        problems.extend(row.problems);
        // A pc4 twice is a problem even when one of the two rows has other problems too.
        if let Some(pc4) = row.pc4 {
            if let Some(first) = first_line_of.get(&pc4) {
                problems.push(problem(
                    line,
                    Some("pc4"),
                    format!("{pc4} staat ook al op regel {first}"),
                ));
                continue;
            }
            first_line_of.insert(pc4, line);
        }
        areas.extend(row.area);
    }
    if areas.is_empty() && problems.is_empty() {
        problems.push(problem(
            last_line + 1,
            None,
            "het bestand bevat geen postcodegebieden, alleen een kopregel",
        ));
    }
    if problems.is_empty() {
        Ok(areas)
    } else {
        Err(problems)
    }
}

fn line_of(record: &csv::ByteRecord) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(0)
}

fn csv_problem(e: &csv::Error) -> Problem {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    problem(line, None, format!("onleesbare CSV: {e}"))
}

/// Checks the header; returns the number of columns every row must have (6, or 7 with the
/// extra ignored column).
fn check_header(header: &csv::ByteRecord) -> Result<usize, Vec<Problem>> {
    let line = line_of(header);
    let expected = COLUMNS.join(",");
    let names: Vec<String> = header
        .iter()
        .map(|raw| {
            String::from_utf8_lossy(raw)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect();
    if names.len() == 1 && names[0].contains(';') {
        return Err(vec![problem(
            line,
            None,
            format!(
                "de kolommen zijn gescheiden door puntkomma's; gebruik komma's, met de kopregel {expected}"
            ),
        )]);
    }
    if names.len() < COLUMNS.len() || names.len() > COLUMNS.len() + 1 {
        return Err(vec![problem(
            line,
            None,
            format!(
                "de kopregel heeft {} kolommen; verwacht {expected} (eventueel met één extra laatste kolom)",
                names.len()
            ),
        )]);
    }
    let problems: Vec<Problem> = COLUMNS
        .iter()
        .zip(&names)
        .enumerate()
        .filter(|(_, (want, got))| !got.eq_ignore_ascii_case(want))
        .map(|(i, (want, got))| {
            problem(
                line,
                Some(want),
                format!(
                    "kolom {} heet '{got}', verwacht '{want}' (de kopregel is {expected})",
                    i + 1
                ),
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(names.len())
    } else {
        Err(problems)
    }
}

/// One data row as read: its pc4 when that field is good, the area when the whole row is, and
/// every problem of the row.
struct Row {
    pc4: Option<Pc4>,
    area: Option<PostcodeArea>,
    problems: Vec<Problem>,
}

fn read_row(record: &csv::ByteRecord, line: u64, width: usize) -> Row {
    if record.len() != width {
        let message = if record.len() < width {
            format!(
                "de regel heeft {} kolommen, de kopregel {width}; ontbreekt er een komma, of staat er een komma in een veld zonder aanhalingstekens?",
                record.len()
            )
        } else {
            format!(
                "de regel heeft {} kolommen, de kopregel {width}; staat er een komma in een veld zonder aanhalingstekens?",
                record.len()
            )
        };
        return Row {
            pc4: None,
            area: None,
            problems: vec![problem(line, None, message)],
        };
    }
    let mut problems = Vec::new();
    let mut text = |index: usize| -> Option<&str> {
        match std::str::from_utf8(&record[index]) {
            Ok(s) => Some(s.trim()),
            Err(_) => {
                problems.push(problem(
                    line,
                    Some(COLUMNS[index]),
                    "geen geldige UTF-8-tekst; sla het bestand op als CSV in UTF-8",
                ));
                None
            }
        }
    };
    let fields: Vec<Option<&str>> = (0..COLUMNS.len()).map(&mut text).collect();

    let pc4 = fields[0].and_then(|s| match Pc4::parse(s) {
        Ok(pc4) => Some(pc4),
        Err(e) => {
            problems.push(problem(line, Some("pc4"), e.to_string()));
            None
        }
    });
    let mut name = |index: usize, required: bool| -> Option<Option<String>> {
        let value = fields[index]?;
        if value.is_empty() {
            if required {
                problems.push(problem(line, Some(COLUMNS[index]), "is leeg"));
                return None;
            }
            return Some(None);
        }
        if value.chars().count() > MAX_NAME_CHARS {
            problems.push(problem(
                line,
                Some(COLUMNS[index]),
                format!("is langer dan {MAX_NAME_CHARS} tekens"),
            ));
            return None;
        }
        Some(Some(value.to_string()))
    };
    let place = name(1, true);
    let municipality = name(2, false);
    let province = name(3, true);
    let mut degrees = |index: usize, check: fn(f64) -> Result<f64, InvalidCoordinates>| {
        let n = number(fields[index]?, line, COLUMNS[index], &mut problems)?;
        check(n)
            .map_err(|e| problems.push(problem(line, Some(COLUMNS[index]), e.to_string())))
            .ok()
    };
    let latitude = degrees(4, Coordinates::check_latitude);
    let longitude = degrees(5, Coordinates::check_longitude);
    // Both were checked, so this only fails when one of them is missing.
    let centroid = latitude
        .zip(longitude)
        .and_then(|(lat, lon)| Coordinates::new(lat, lon).ok());
    let area = match (pc4, place, municipality, province, centroid) {
        (
            Some(pc4),
            Some(Some(place)),
            Some(municipality),
            Some(Some(province)),
            Some(centroid),
        ) if problems.is_empty() => Some(PostcodeArea {
            pc4,
            place,
            municipality,
            province,
            centroid,
        }),
        _ => None,
    };
    Row {
        pc4,
        area,
        problems,
    }
}

/// A decimal number with a point. A decimal comma (Dutch spreadsheets) gets its own message.
fn number(s: &str, line: u64, field: &str, problems: &mut Vec<Problem>) -> Option<f64> {
    if s.is_empty() {
        problems.push(problem(line, Some(field), "is leeg"));
        return None;
    }
    if s.contains(',') {
        problems.push(problem(
            line,
            Some(field),
            format!(
                "'{s}' heeft een komma; gebruik een punt als decimaalteken, bijvoorbeeld 52.16"
            ),
        ));
        return None;
    }
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            problems.push(problem(
                line,
                Some(field),
                format!("'{s}' is geen getal in graden, bijvoorbeeld 52.16"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "pc4,woonplaats,gemeente,provincie,latitude,longitude\n";

    fn problems(csv: &str) -> Vec<String> {
        parse(csv.as_bytes())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_clean_file_with_quotes_and_the_extra_column() {
        let csv = "\u{feff}PC4,woonplaats,gemeente,provincie,latitude,longitude,soort\r\n\
                   2311,Leiden,Leiden,Zuid-Holland,52.1577953,4.4882196,Adres\r\n\
                   \r\n\
                   5671,Nuenen,\"Nuenen, Gerwen en Nederwetten\",Noord-Brabant,51.4761009,5.5466357,Adres\r\n\
                   4264, Veen ,,Noord-Brabant,51.7793516,5.1077955,\"Adres + Postbus\"\r\n";
        let areas = parse(csv.as_bytes()).unwrap();
        assert_eq!(areas.len(), 3);
        assert_eq!(areas[0].pc4.to_string(), "2311");
        assert_eq!(areas[0].centroid.latitude(), 52.1577953);
        assert_eq!(
            areas[1].municipality.as_deref(),
            Some("Nuenen, Gerwen en Nederwetten")
        );
        assert_eq!(areas[2].place, "Veen");
        assert_eq!(areas[2].municipality, None);
    }

    #[test]
    fn six_columns_without_the_extra_one() {
        let csv = format!("{HEADER}1011,Amsterdam,Amsterdam,Noord-Holland,52.37,4.90");
        let areas = parse(csv.as_bytes()).unwrap();
        assert_eq!(areas[0].province, "Noord-Holland");
    }

    #[test]
    fn every_problem_is_reported_with_line_and_field() {
        let csv = format!(
            "{HEADER}\
             2311,Leiden,Leiden,Zuid-Holland,52.1577953,4.4882196\n\
             0123,Nergens,Nergens,Zuid-Holland,52.1,4.4\n\
             2312,,Leiden,Zuid-Holland,\"52,15\",4.49\n\
             2313,Leiden,Leiden,,95,abc\n\
             2311,Leiden,Leiden,Zuid-Holland,52.15,4.48\n\
             2314,Leiden,Leiden,Zuid-Holland\n\
             2315,Leiden,Leiden,Zuid-Holland,52.1,NaN\n\
             2313,Leiden,Leiden,Zuid-Holland,52.1,4.4\n"
        );
        assert_eq!(
            problems(&csv),
            [
                "regel 3, veld pc4: ongeldige postcode '0123': verwacht vier cijfers die niet met 0 beginnen, bijvoorbeeld 2311",
                "regel 4, veld woonplaats: is leeg",
                "regel 4, veld latitude: '52,15' heeft een komma; gebruik een punt als decimaalteken, bijvoorbeeld 52.16",
                "regel 5, veld provincie: is leeg",
                "regel 5, veld latitude: breedtegraad 95 ligt niet tussen -90 en 90",
                "regel 5, veld longitude: 'abc' is geen getal in graden, bijvoorbeeld 52.16",
                "regel 6, veld pc4: 2311 staat ook al op regel 2",
                "regel 7: de regel heeft 4 kolommen, de kopregel 6; ontbreekt er een komma, of staat er een komma in een veld zonder aanhalingstekens?",
                "regel 8, veld longitude: 'NaN' is geen getal in graden, bijvoorbeeld 52.16",
                "regel 9, veld pc4: 2313 staat ook al op regel 5",
            ]
        );
    }

    #[test]
    fn coordinates_out_of_range_name_their_field() {
        let csv = format!(
            "{HEADER}2311,Leiden,Leiden,Zuid-Holland,95,4.4\n2312,Leiden,Leiden,Zuid-Holland,52,181\n"
        );
        assert_eq!(
            problems(&csv),
            [
                "regel 2, veld latitude: breedtegraad 95 ligt niet tussen -90 en 90",
                "regel 3, veld longitude: lengtegraad 181 ligt niet tussen -180 en 180",
            ]
        );
    }

    #[test]
    fn a_quoted_field_over_two_lines_keeps_the_line_numbers_right() {
        let csv = format!(
            "{HEADER}2311,\"Lei\nden\",Leiden,Zuid-Holland,52.1,4.4\n0000,Leiden,Leiden,Zuid-Holland,52.1,4.4\n"
        );
        assert_eq!(problems(&csv).len(), 1);
        assert!(problems(&csv)[0].starts_with("regel 4, veld pc4"));
    }

    #[test]
    fn header_problems_stop_the_reading() {
        assert_eq!(
            problems(""),
            [
                "regel 1: het bestand is leeg; verwacht een kopregel pc4,woonplaats,gemeente,provincie,latitude,longitude"
            ]
        );
        assert_eq!(
            problems("pc4,woonplaats,gemeente,provincie,longitude,latitude\n2311,x,x,x,x,x\n"),
            [
                "regel 1, veld latitude: kolom 5 heet 'longitude', verwacht 'latitude' (de kopregel is pc4,woonplaats,gemeente,provincie,latitude,longitude)",
                "regel 1, veld longitude: kolom 6 heet 'latitude', verwacht 'longitude' (de kopregel is pc4,woonplaats,gemeente,provincie,latitude,longitude)",
            ]
        );
        assert!(
            problems("pc4;woonplaats;gemeente;provincie;latitude;longitude\n")[0]
                .contains("puntkomma")
        );
        assert!(problems("pc4,woonplaats\n")[0].contains("de kopregel heeft 2 kolommen"));
        assert!(
            problems("2311,Leiden,Leiden,Zuid-Holland,52.1,4.4\n")[0]
                .starts_with("regel 1, veld pc4: kolom 1 heet '2311'")
        );
        assert_eq!(
            problems(HEADER),
            ["regel 2: het bestand bevat geen postcodegebieden, alleen een kopregel"]
        );
    }

    #[test]
    fn rows_must_match_the_header_width() {
        let csv = "pc4,woonplaats,gemeente,provincie,latitude,longitude,soort\n\
                   2311,Leiden,Leiden,Zuid-Holland,52.1,4.4\n\
                   2312,Leiden,Leiden,Zuid-Holland,52.1,4.4,Adres,extra\n";
        let found = problems(csv);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("regel 2: de regel heeft 6 kolommen, de kopregel 7"));
        assert!(found[1].starts_with("regel 3: de regel heeft 8 kolommen, de kopregel 7"));
    }

    #[test]
    fn latin_1_text_is_named_not_mangled() {
        let mut csv = HEADER.as_bytes().to_vec();
        csv.extend_from_slice(b"9999,Stitswerd,Eemsmond,Fryslan\xe2,53.36,6.59\n");
        let found = parse(&csv).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].to_string(),
            "regel 2, veld provincie: geen geldige UTF-8-tekst; sla het bestand op als CSV in UTF-8"
        );
    }

    #[test]
    fn overlong_names_are_refused() {
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        let csv = format!("{HEADER}2311,{long},Leiden,Zuid-Holland,52.1,4.4\n");
        assert_eq!(
            problems(&csv),
            ["regel 2, veld woonplaats: is langer dan 200 tekens"]
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn arbitrary_rows_after_a_good_header_never_panic(body in "\\PC{0,300}") {
            let _ = parse(format!("{HEADER}{body}").as_bytes());
        }
    }
}
