//! The public sociale kaart: `/kaart` (search with filters, distance and paging),
//! `/kaart/afdrukken` (the same results as a list to print) and `/kaart/diensten/{id}` (one
//! entry). No login: the map is public and holds no personal data, so nothing is audited here.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use mantelkring_core::directory::model::{Funding, ServiceRecord, Weekday};
use mantelkring_core::directory::opening;
use mantelkring_core::directory::taxonomy::{self, TERMS, Vocabulary};
use mantelkring_core::geo::Pc4;
use mantelkring_search::{Near, Query, SearchResults, Sort};
use mantelkring_store::{directory, postcodes};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::errors::AppError;
use crate::i18n::Tr;
use crate::pages::{Page, PageRequest};
use crate::people::format_date;

/// Results per page: short enough for a phone, long enough to compare.
const PER_PAGE: usize = 10;
/// The print view lists at most this many.
const PRINT_LIMIT: usize = 100;
/// Distances offered in the filter (km).
const DISTANCES: [u32; 5] = [2, 5, 10, 25, 50];

/// The search form as typed: everything a string, checked in [`SearchForm::check`].
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    pub q: String,
    pub postcode: String,
    pub afstand: String,
    pub soort: String,
    pub doelgroep: String,
    pub gemeente: String,
    pub betaling: Vec<String>,
    pub online: String,
    pub open: String,
    pub sorteer: String,
    pub pagina: String,
}

/// A filter the visitor can see and change, for the template.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// Indented under its parent in the list.
    pub child: bool,
}

/// One result as the page shows it.
pub struct ResultView {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub summary: String,
    pub distance: Option<String>,
    pub in_area: bool,
    pub open_now: bool,
    pub hours: Vec<String>,
    pub schedule_note: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub place: Option<String>,
    pub online: bool,
    pub checked: String,
    pub categories: Vec<String>,
}

struct Checked {
    query: Query,
    /// Problems to show above the form (and answer 400 for).
    problems: Vec<String>,
    /// A note that is not an error (a postcode we do not know).
    notes: Vec<String>,
}

impl SearchForm {
    fn parse(raw: Option<&str>) -> Result<SearchForm, String> {
        serde_html_form::from_str(raw.unwrap_or("")).map_err(|e| e.to_string())
    }

    /// Checks the form into a search; the postcode is looked up in `postcode_areas`.
    async fn check(
        &self,
        state: &AppState,
        tr: &Tr,
        municipalities: &[(Uuid, String, String)],
    ) -> Result<Checked, AppError> {
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        let mut query = Query {
            text: self.q.trim().chars().take(200).collect(),
            per_page: PER_PAGE,
            page: 1,
            ..Query::default()
        };
        for (code, vocabulary) in [
            (&self.soort, Vocabulary::Offer),
            (&self.doelgroep, Vocabulary::TargetGroup),
        ] {
            let code = code.trim();
            if code.is_empty() {
                continue;
            }
            match taxonomy::by_code(code) {
                Some(t) if t.vocabulary == vocabulary => query.categories.push(t.code.into()),
                _ => problems.push(tr.t("map-error-category")),
            }
        }
        if !self.gemeente.trim().is_empty() {
            match Uuid::parse_str(self.gemeente.trim())
                .ok()
                .filter(|id| municipalities.iter().any(|m| m.0 == *id))
            {
                Some(id) => query.municipality = Some(id),
                None => problems.push(tr.t("map-error-municipality")),
            }
        }
        for f in &self.betaling {
            match Funding::parse(f) {
                Some(f) => query.funding.push(f),
                None => problems.push(tr.t("map-error-funding")),
            }
        }
        query.online = !self.online.is_empty();
        query.open_now = !self.open.is_empty();
        if !self.pagina.trim().is_empty() {
            match self.pagina.trim().parse::<usize>() {
                Ok(n) if (1..=10_000).contains(&n) => query.page = n,
                _ => problems.push(tr.t("map-error-page")),
            }
        }
        let within = match self.afstand.trim() {
            "" => None,
            s => match s.parse::<u32>() {
                Ok(km) if DISTANCES.contains(&km) => Some(f64::from(km)),
                _ => {
                    problems.push(tr.t("map-error-distance"));
                    None
                }
            },
        };
        if !self.postcode.trim().is_empty() {
            match Pc4::from_postcode(&self.postcode) {
                Err(_) => problems.push(tr.t("map-error-postcode")),
                Ok(pc4) => match postcodes::lookup(state.store(), pc4).await? {
                    None => notes.push(tr.t1("map-note-postcode-unknown", "pc4", &pc4.to_string())),
                    Some(area) => {
                        let municipality_id = area.municipality.as_deref().and_then(|name| {
                            municipalities
                                .iter()
                                .find(|m| m.2.eq_ignore_ascii_case(name))
                                .map(|m| m.0)
                        });
                        query.near = Some(Near {
                            point: area.centroid,
                            municipality_id,
                        });
                        query.within_km = within;
                    }
                },
            }
        } else if within.is_some() {
            notes.push(tr.t("map-note-distance-needs-postcode"));
        }
        query.sort = match self.sorteer.as_str() {
            "afstand" if query.near.is_some() => Sort::Distance,
            "afstand" => {
                notes.push(tr.t("map-note-distance-needs-postcode"));
                Sort::Relevance
            }
            "" | "relevantie" => Sort::Relevance,
            _ => {
                problems.push(tr.t("map-error-sort"));
                Sort::Relevance
            }
        };
        Ok(Checked {
            query,
            problems,
            notes,
        })
    }

    /// The query string of this search on another page (for paging links).
    fn with_page(&self, page: usize) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("q", &self.q),
            ("postcode", &self.postcode),
            ("afstand", &self.afstand),
            ("soort", &self.soort),
            ("doelgroep", &self.doelgroep),
            ("gemeente", &self.gemeente),
        ];
        for f in &self.betaling {
            pairs.push(("betaling", f));
        }
        pairs.push(("online", &self.online));
        pairs.push(("open", &self.open));
        pairs.push(("sorteer", &self.sorteer));
        let page = page.to_string();
        if page != "1" {
            pairs.push(("pagina", &page));
        }
        pairs.retain(|(_, v)| !v.is_empty());
        serde_html_form::to_string(&pairs).unwrap_or_default()
    }
}

/// Distance in Dutch or English notation ("3,2 km" / "3.2 km").
fn format_km(km: f64, tr: &Tr) -> String {
    let text = if km < 10.0 {
        format!("{km:.1}")
    } else {
        format!("{km:.0}")
    };
    let text = if tr.lang.code() == "nl" {
        text.replace('.', ",")
    } else {
        text
    };
    tr.t1("map-km", "km", &text)
}

fn weekday_label(tr: &Tr, day: Weekday) -> String {
    tr.code("weekday", day.code())
}

/// "ma 09:00–17:00" per period, with the weekday in the visitor's language.
pub(crate) fn hours_lines(tr: &Tr, r: &ServiceRecord) -> Vec<String> {
    r.opening_hours
        .iter()
        .map(|h| format!("{} {}–{}", weekday_label(tr, h.weekday), h.opens, h.closes))
        .collect()
}

pub(crate) fn category_labels(tr: &Tr, r: &ServiceRecord) -> Vec<String> {
    r.categories
        .iter()
        .filter_map(|c| taxonomy::by_code(c))
        .map(|t| if tr.lang.code() == "nl" { t.nl } else { t.en }.to_string())
        .collect()
}

fn summary(text: &str) -> String {
    const MAX: usize = 220;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{cut}…")
}

fn view(tr: &Tr, hit: &mantelkring_search::Hit, now: i64) -> ResultView {
    let r = &hit.record;
    ResultView {
        id: r.id.to_string(),
        name: r.name.clone(),
        organisation: r.organisation.name.clone(),
        summary: summary(&r.description),
        distance: hit.distance_km.map(|km| format_km(km, tr)),
        in_area: hit.distance_km.is_none() && !r.areas.is_empty(),
        open_now: opening::is_open(&r.opening_hours, now),
        hours: hours_lines(tr, r),
        schedule_note: r.schedule_note.clone(),
        phone: r
            .phones
            .first()
            .map(|p| p.number.clone())
            .or_else(|| r.organisation.phone.clone()),
        email: r.email.clone().or_else(|| r.organisation.email.clone()),
        url: r.url.clone().or_else(|| r.organisation.website.clone()),
        place: r
            .locations
            .first()
            .map(|l| format!("{}, {}", l.location.street, l.location.city)),
        online: r.online,
        checked: format_date(r.last_reviewed_at),
        categories: category_labels(tr, r),
    }
}

fn choices(tr: &Tr, vocabulary: Vocabulary, selected: &str) -> Vec<Choice> {
    TERMS
        .iter()
        .filter(|t| t.vocabulary == vocabulary)
        .map(|t| Choice {
            value: t.code.to_string(),
            label: if tr.lang.code() == "nl" { t.nl } else { t.en }.to_string(),
            selected: t.code == selected,
            child: t.parent.is_some(),
        })
        .collect()
}

pub struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "directory_search.html")]
struct SearchPage {
    page: Page,
    form: SearchForm,
    problems: Vec<String>,
    notes: Vec<String>,
    searched: bool,
    total: usize,
    relaxed: bool,
    results: Vec<ResultView>,
    offers: Vec<Choice>,
    groups: Vec<Choice>,
    municipalities: Vec<Choice>,
    fundings: Vec<Choice>,
    distances: Vec<Choice>,
    pages: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
    print_href: String,
    first_shown: usize,
    /// "11–20"
    range: String,
}

#[derive(Template)]
#[template(path = "directory_print.html")]
struct PrintPage {
    page: Page,
    total: usize,
    results: Vec<ResultView>,
    back_href: String,
    printed: String,
}

/// `GET /kaart`
pub async fn search(
    State(state): State<AppState>,
    request: PageRequest,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    run(state, request, raw, false).await
}

/// `GET /kaart/afdrukken`: the same search as one list to print.
pub async fn print(
    State(state): State<AppState>,
    request: PageRequest,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    run(state, request, raw, true).await
}

async fn run(
    state: AppState,
    request: PageRequest,
    raw: Option<String>,
    printing: bool,
) -> Result<Response, AppError> {
    let tr = request.tr.clone();
    let (form, mut problems) = match SearchForm::parse(raw.as_deref()) {
        Ok(f) => (f, Vec::new()),
        Err(_) => (SearchForm::default(), vec![tr.t("map-error-form")]),
    };
    let mut conn = state
        .store()
        .pool()
        .acquire()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let municipalities = directory::municipalities(&mut conn).await?;
    drop(conn);
    let checked = form.check(&state, &tr, &municipalities).await?;
    problems.extend(checked.problems);
    let mut query = checked.query;
    if printing {
        query.page = 1;
        query.per_page = PRINT_LIMIT;
    }
    let index = state.directory();
    index.refresh_if_stale().await;
    let searched = raw.as_deref().is_some_and(|r| !r.is_empty());
    let results = if problems.is_empty() {
        index.search(&query)
    } else {
        SearchResults {
            total: 0,
            hits: Vec::new(),
            relaxed: false,
        }
    };
    let now = mantelkring_core::time::now_ms();
    let views: Vec<ResultView> = results.hits.iter().map(|h| view(&tr, h, now)).collect();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    if printing {
        let body = PrintPage {
            page: request.page("map-print-title"),
            total: results.total,
            results: views,
            back_href: format!("/kaart?{}", form.with_page(1)),
            printed: format_date(now),
        }
        .render()?;
        return Ok((status, Html(body)).into_response());
    }
    let page_count = results.total.div_ceil(PER_PAGE).max(1);
    let current = query.page.min(page_count);
    let link = |n: usize| format!("/kaart?{}", form.with_page(n));
    // A window of page numbers around the current one keeps the row short on a phone.
    let window = current.saturating_sub(2).max(1)..=(current + 2).min(page_count);
    let pages = if page_count > 1 {
        window
            .map(|n| PageLink {
                number: n,
                href: link(n),
                current: n == current,
            })
            .collect()
    } else {
        Vec::new()
    };
    let first_shown = (query.page - 1) * PER_PAGE + 1;
    let body = SearchPage {
        page: request.page("map-title"),
        offers: choices(&tr, Vocabulary::Offer, &form.soort),
        groups: choices(&tr, Vocabulary::TargetGroup, &form.doelgroep),
        municipalities: municipalities
            .iter()
            .map(|(id, _, name)| Choice {
                value: id.to_string(),
                label: name.clone(),
                selected: form.gemeente == id.to_string(),
                child: false,
            })
            .collect(),
        fundings: Funding::ALL
            .iter()
            .map(|f| Choice {
                value: f.as_str().to_string(),
                label: tr.code("funding", f.as_str()),
                selected: form.betaling.iter().any(|b| b == f.as_str()),
                child: false,
            })
            .collect(),
        distances: DISTANCES
            .iter()
            .map(|km| Choice {
                value: km.to_string(),
                label: tr.t1("map-km", "km", &km.to_string()),
                selected: form.afstand == km.to_string(),
                child: false,
            })
            .collect(),
        previous: (query.page > 1 && query.page <= page_count).then(|| link(query.page - 1)),
        next: (query.page < page_count).then(|| link(query.page + 1)),
        pages,
        print_href: format!("/kaart/afdrukken?{}", form.with_page(1)),
        first_shown,
        range: format!(
            "{first_shown}–{}",
            first_shown + views.len().saturating_sub(1)
        ),
        total: results.total,
        relaxed: results.relaxed,
        results: views,
        searched,
        problems,
        notes: checked.notes,
        form,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

pub struct LocationView {
    pub name: String,
    pub address: String,
    pub wheelchair: bool,
    pub map_href: Option<String>,
}

#[derive(Template)]
#[template(path = "directory_service.html")]
struct ServicePage {
    page: Page,
    name: String,
    id: String,
    organisation: String,
    organisation_description: Option<String>,
    description: String,
    categories: Vec<String>,
    locations: Vec<LocationView>,
    areas: String,
    online: bool,
    open_now: bool,
    hours: Vec<String>,
    schedule_note: Option<String>,
    phones: Vec<String>,
    email: Option<String>,
    url: Option<String>,
    funding: Vec<String>,
    fees: Option<String>,
    application: Option<String>,
    eligibility: Option<String>,
    ages: Option<String>,
    languages: String,
    checked: String,
    temporarily_closed: bool,
}

/// `GET /kaart/diensten/{id}`: one entry, read from the database (the source of truth).
pub async fn service(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Ok(id) = Uuid::parse_str(&id) else {
        return Err(AppError::NotFound);
    };
    let mut conn = state
        .store()
        .pool()
        .acquire()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let record = directory::service(&mut conn, id).await?;
    drop(conn);
    let Some(r) = record.filter(|r| r.status.is_listed()) else {
        return Err(AppError::NotFound);
    };
    let tr = &request.tr;
    let now = mantelkring_core::time::now_ms();
    let ages = match (r.minimum_age, r.maximum_age) {
        (Some(a), Some(b)) => Some(tr.t2(
            "map-ages-between",
            ("from", &a.to_string()),
            ("to", &b.to_string()),
        )),
        (Some(a), None) => Some(tr.t1("map-ages-from", "from", &a.to_string())),
        (None, Some(b)) => Some(tr.t1("map-ages-to", "to", &b.to_string())),
        (None, None) => None,
    };
    let body = ServicePage {
        page: Page::new(
            tr.clone(),
            &request.path,
            &request.csrf,
            r.name.clone(),
            request.user.as_ref(),
        ),
        name: r.name.clone(),
        id: r.id.to_string(),
        organisation: r.organisation.name.clone(),
        organisation_description: r.organisation.description.clone(),
        description: r.description.clone(),
        categories: category_labels(tr, &r),
        locations: r
            .locations
            .iter()
            .map(|l| LocationView {
                name: l.location.name.clone(),
                address: format!(
                    "{}, {} {}",
                    l.location.street, l.location.postcode, l.location.city
                ),
                wheelchair: l.location.wheelchair_accessible,
                map_href: l.location.coordinates.map(|c| {
                    format!(
                        "https://www.openstreetmap.org/?mlat={:.5}&mlon={:.5}#map=17/{:.5}/{:.5}",
                        c.latitude(),
                        c.longitude(),
                        c.latitude(),
                        c.longitude()
                    )
                }),
            })
            .collect(),
        areas: r
            .areas
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        online: r.online,
        open_now: opening::is_open(&r.opening_hours, now),
        hours: hours_lines(tr, &r),
        schedule_note: r.schedule_note.clone(),
        phones: r
            .phones
            .iter()
            .map(|p| match &p.description {
                Some(d) => format!("{} ({d})", p.number),
                None => p.number.clone(),
            })
            .collect(),
        email: r.email.clone().or_else(|| r.organisation.email.clone()),
        url: r.url.clone().or_else(|| r.organisation.website.clone()),
        funding: r
            .funding
            .iter()
            .map(|f| tr.code("funding", f.as_str()))
            .collect(),
        fees: r.fees_description.clone(),
        application: r.application_process.clone(),
        eligibility: r.eligibility_description.clone(),
        ages,
        languages: r
            .languages
            .iter()
            .map(|l| tr.code("language", &l.code))
            .collect::<Vec<_>>()
            .join(", "),
        checked: format_date(r.last_reviewed_at),
        temporarily_closed: r.status
            == mantelkring_core::directory::model::ServiceStatus::TemporarilyClosed,
    }
    .render()?;
    Ok(Html(body).into_response())
}
