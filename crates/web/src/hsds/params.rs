//! The query parameters of the HSDS list endpoints, checked into types; every refusal is a Dutch
//! sentence for a 400 answer. No data is read here.

use mantelkring_core::directory::taxonomy::{self, Term};
use mantelkring_core::geo::Pc4;
use mantelkring_core::time::parse_rfc3339;
use uuid::Uuid;

/// Items on a page when `per_page` is not given.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// The most items on one page (`format=ndjson` gives everything without pages).
pub const MAX_PER_PAGE: u64 = 100;
/// The largest `proximity` accepted, in metres (the Netherlands fits in 400 km).
pub const MAX_PROXIMITY_M: f64 = 500_000.0;

/// Which part of the results to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// One page: `page` counts from 1.
    Page { page: u64, per_page: u64 },
    /// Everything (`format=ndjson`).
    All,
}

impl Window {
    /// The items `[start, end)` of a result with `total` items.
    pub fn range(self, total: usize) -> std::ops::Range<usize> {
        match self {
            Window::All => 0..total,
            Window::Page { page, per_page } => {
                let start = usize::try_from((page - 1).saturating_mul(per_page))
                    .unwrap_or(usize::MAX)
                    .min(total);
                let end = start
                    .saturating_add(usize::try_from(per_page).unwrap_or(usize::MAX))
                    .min(total);
                start..end
            }
        }
    }
}

/// What to filter services on (all optional; together they must all hold).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceFilter {
    /// Lower-cased text to find in the name or description.
    pub search: Option<String>,
    /// A taxonomy term: services with it or with one of its children.
    pub taxonomy_term: Option<&'static Term>,
    pub organization_id: Option<Uuid>,
    /// Changed on or after this moment (ms).
    pub modified_after: Option<i64>,
}

/// Around a postcode: sort by distance from its PC4 centre, and with `proximity` keep only
/// places within that many metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearPostcode {
    pub pc4: Pc4,
    pub proximity_m: Option<f64>,
}

/// The parameters of a list endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    pub filter: ServiceFilter,
    pub window: Window,
    pub near: Option<NearPostcode>,
}

impl ListParams {
    pub fn ndjson(&self) -> bool {
        self.window == Window::All
    }
}

/// Which parameters an endpoint takes beyond paging and `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Services,
    ServiceAtLocations,
    Organizations,
    TaxonomyTerms,
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    // A repeated parameter: the last one counts.
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn whole_number(
    pairs: &[(String, String)],
    key: &str,
    max: u64,
    default: u64,
) -> Result<u64, String> {
    match value(pairs, key) {
        None => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                if max == u64::MAX {
                    format!("{key} moet een heel getal van 1 of meer zijn, niet '{v}'")
                } else {
                    format!("{key} moet een heel getal van 1 tot en met {max} zijn, niet '{v}'")
                }
            }),
    }
}

fn uuid(pairs: &[(String, String)], key: &str) -> Result<Option<Uuid>, String> {
    value(pairs, key)
        .map(|v| {
            Uuid::parse_str(v).map_err(|_| {
                format!("{key} moet een UUID zijn (zoals 0190a5c8-7d3e-7b1a-9c2d-3e4f5a6b7c8d), niet '{v}'")
            })
        })
        .transpose()
}

/// An id in a path.
pub fn path_id(what: &str, v: &str) -> Result<Uuid, String> {
    Uuid::parse_str(v.trim())
        .map_err(|_| format!("ongeldige id van {what} '{v}': verwacht een UUID (zoals 0190a5c8-7d3e-7b1a-9c2d-3e4f5a6b7c8d)"))
}

/// Reads the parameters of `endpoint` from the query's pairs. Parameters an endpoint does not
/// know are ignored, as HSDS clients may send more (`full`, `minimal`, `taxonomy_id`).
pub fn parse(endpoint: Endpoint, pairs: &[(String, String)]) -> Result<ListParams, String> {
    let window = match value(pairs, "format") {
        None | Some("json") => Window::Page {
            page: whole_number(pairs, "page", u64::MAX, 1)?,
            per_page: whole_number(pairs, "per_page", MAX_PER_PAGE, DEFAULT_PER_PAGE)?,
        },
        Some("ndjson") => {
            // Checked even though everything is returned, so a typo is not silently ignored.
            whole_number(pairs, "page", u64::MAX, 1)?;
            whole_number(pairs, "per_page", MAX_PER_PAGE, DEFAULT_PER_PAGE)?;
            Window::All
        }
        Some(other) => return Err(format!("format moet json of ndjson zijn, niet '{other}'")),
    };
    let search = value(pairs, "search").map(str::to_lowercase);
    if matches!(endpoint, Endpoint::Organizations | Endpoint::TaxonomyTerms) {
        return Ok(ListParams {
            filter: ServiceFilter {
                search,
                ..ServiceFilter::default()
            },
            window,
            near: None,
        });
    }
    let taxonomy_term = match uuid(pairs, "taxonomy_term_id")? {
        None => None,
        Some(id) => Some(taxonomy::by_id(&id).ok_or_else(|| {
            format!("onbekende taxonomy_term_id {id}: zie /hsds/taxonomy_terms voor de termen")
        })?),
    };
    let organization_id = uuid(pairs, "organization_id")?;
    let modified_after = match value(pairs, "modified_after") {
        None => None,
        Some(v) => {
            // A '+' of an offset that was not percent-encoded arrives as a space.
            let fixed = match v.char_indices().nth(19) {
                Some((i, ' ')) if v.len() > 20 => format!("{}+{}", &v[..i], &v[i + 1..]),
                _ => v.to_string(),
            };
            Some(parse_rfc3339(&fixed).ok_or_else(|| {
                format!(
                    "modified_after moet een datum en tijd volgens RFC 3339 zijn, zoals 2024-05-01T09:00:00Z, niet '{v}'"
                )
            })?)
        }
    };
    let mut near = None;
    if endpoint == Endpoint::ServiceAtLocations {
        let pc4 = value(pairs, "postcode")
            .map(|v| Pc4::from_postcode(v).map_err(|e| format!("postcode: {e}")))
            .transpose()?;
        let proximity_m = value(pairs, "proximity")
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|m| m.is_finite() && *m > 0.0 && *m <= MAX_PROXIMITY_M)
                    .ok_or_else(|| {
                        format!(
                            "proximity is een afstand in meters, groter dan 0 en hoogstens {MAX_PROXIMITY_M:.0}, niet '{v}'"
                        )
                    })
            })
            .transpose()?;
        near = match (pc4, proximity_m) {
            (Some(pc4), proximity_m) => Some(NearPostcode { pc4, proximity_m }),
            (None, Some(_)) => {
                return Err("proximity werkt alleen samen met postcode".into());
            }
            (None, None) => None,
        };
    }
    Ok(ListParams {
        filter: ServiceFilter {
            search,
            taxonomy_term,
            organization_id,
            modified_after,
        },
        window,
        near,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<(String, String)> {
        serde_html_form::from_str(s).unwrap()
    }

    fn ok(endpoint: Endpoint, s: &str) -> ListParams {
        parse(endpoint, &q(s)).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn refused(endpoint: Endpoint, s: &str) -> String {
        parse(endpoint, &q(s)).expect_err(s)
    }

    #[test]
    fn defaults_and_paging() {
        let p = ok(Endpoint::Services, "");
        assert_eq!(
            p.window,
            Window::Page {
                page: 1,
                per_page: 50
            }
        );
        assert_eq!(p.filter, ServiceFilter::default());
        let p = ok(Endpoint::Services, "page=3&per_page=100&format=json");
        assert_eq!(
            p.window,
            Window::Page {
                page: 3,
                per_page: 100
            }
        );
        assert!(ok(Endpoint::Organizations, "format=ndjson").ndjson());
        assert_eq!(
            Window::Page {
                page: 3,
                per_page: 10
            }
            .range(25),
            20..25
        );
        assert_eq!(
            Window::Page {
                page: 4,
                per_page: 10
            }
            .range(25),
            25..25
        );
        assert_eq!(
            Window::Page {
                page: u64::MAX,
                per_page: 100
            }
            .range(25),
            25..25
        );
        assert_eq!(Window::All.range(25), 0..25);
    }

    #[test]
    fn bad_paging_is_refused_in_dutch() {
        for (s, needle) in [
            (
                "page=0",
                "page moet een heel getal van 1 of meer zijn, niet '0'",
            ),
            ("page=-1", "niet '-1'"),
            ("page=twee", "niet 'twee'"),
            (
                "per_page=0",
                "per_page moet een heel getal van 1 tot en met 100 zijn",
            ),
            ("per_page=101", "niet '101'"),
            ("format=xml", "format moet json of ndjson zijn"),
            ("format=ndjson&page=x", "page moet"),
        ] {
            let e = refused(Endpoint::TaxonomyTerms, s);
            assert!(e.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn filters_are_checked() {
        let term = taxonomy::term_id("respijtzorg");
        let p = ok(
            Endpoint::Services,
            &format!(
                "search=Koffie&taxonomy_term_id={term}&organization_id={term}&modified_after=2024-05-01T11:30:00%2B02:00&full=true"
            ),
        );
        assert_eq!(p.filter.search.as_deref(), Some("koffie"));
        assert_eq!(p.filter.taxonomy_term.unwrap().code, "respijtzorg");
        assert_eq!(p.filter.organization_id, Some(term));
        assert_eq!(p.filter.modified_after, Some(1_714_555_800_000));
        // An unencoded '+' arrives as a space and is still understood.
        let p = ok(
            Endpoint::Services,
            "modified_after=2024-05-01T11:30:00+02:00",
        );
        assert_eq!(p.filter.modified_after, Some(1_714_555_800_000));
        for (s, needle) in [
            (
                "taxonomy_term_id=abc",
                "taxonomy_term_id moet een UUID zijn",
            ),
            (
                "taxonomy_term_id=00000000-0000-0000-0000-000000000001",
                "onbekende taxonomy_term_id",
            ),
            ("organization_id=1", "organization_id moet een UUID zijn"),
            (
                "modified_after=gisteren",
                "modified_after moet een datum en tijd volgens RFC 3339 zijn",
            ),
        ] {
            let e = refused(Endpoint::Services, s);
            assert!(e.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn postcode_and_proximity_only_for_service_at_locations() {
        let p = ok(
            Endpoint::ServiceAtLocations,
            "postcode=2311AB&proximity=2500",
        );
        assert_eq!(
            p.near,
            Some(NearPostcode {
                pc4: Pc4::parse("2311").unwrap(),
                proximity_m: Some(2500.0)
            })
        );
        assert_eq!(
            ok(Endpoint::ServiceAtLocations, "postcode=2311")
                .near
                .unwrap()
                .proximity_m,
            None
        );
        assert_eq!(
            ok(Endpoint::Services, "postcode=2311&proximity=1").near,
            None
        );
        for (s, needle) in [
            ("postcode=123", "postcode: ongeldige postcode '123'"),
            (
                "proximity=1000",
                "proximity werkt alleen samen met postcode",
            ),
            (
                "postcode=2311&proximity=0",
                "proximity is een afstand in meters",
            ),
            ("postcode=2311&proximity=ver", "niet 'ver'"),
            ("postcode=2311&proximity=NaN", "niet 'NaN'"),
        ] {
            let e = refused(Endpoint::ServiceAtLocations, s);
            assert!(e.contains(needle), "{s}: {e}");
        }
    }

    #[test]
    fn path_ids_must_be_uuids() {
        assert!(
            path_id("dienst", "x")
                .unwrap_err()
                .contains("ongeldige id van dienst 'x'")
        );
        assert!(path_id("dienst", "0190a5c8-7d3e-7b1a-9c2d-3e4f5a6b7c8d").is_ok());
    }
}
