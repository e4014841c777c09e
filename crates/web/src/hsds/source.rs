//! Where the HSDS API gets its data. **This is the one place to swap for the in-memory search
//! index**: [`list_services`] and [`list_service_at_locations`] take checked parameters
//! (`params::ListParams`, with the postcode already turned into a point) and return one window of
//! results with the total count; parsing the query and shaping the JSON happen elsewhere
//! (`params.rs`, `mod.rs`) and do not change with the source.
//!
//! They read this node's search index (`directory::index`, refreshed from the change sequence):
//! `search` is the same Dutch search as the public map (stems, typing errors, compounds,
//! synonyms; best match first); the other filters, sorting and paging happen on its records.
//!
//! The public API shows only services that are listed on the map (`ServiceStatus::is_listed`:
//! active or temporarily closed), and only organisations that have such a service.

use std::collections::HashMap;
use std::sync::Arc;

use mantelkring_core::directory::model::{OrganisationSummary, ServiceRecord};
use mantelkring_core::directory::taxonomy;
use mantelkring_core::geo::{Coordinates, distance_km};
use mantelkring_store::directory::{self, Selection};
use uuid::Uuid;

use super::params::{ServiceFilter, Window};
use crate::AppState;
use crate::errors::AppError;

/// One window of results and how many there are in all.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub total: usize,
    pub items: Vec<T>,
}

/// A checked list query; `near` is the centre of the asked postcode, with the radius in metres.
#[derive(Debug, Clone)]
pub struct Query {
    pub filter: ServiceFilter,
    pub window: Window,
    pub near: Option<(Coordinates, Option<f64>)>,
}

/// One place of a service: `service.locations[index]`, with its distance to `near` in km.
#[derive(Debug, Clone)]
pub struct SalHit {
    pub service: Arc<ServiceRecord>,
    pub index: usize,
    pub distance_km: Option<f64>,
}

/// Every listed service, by name (then id); with a search text, only the matches, best first.
async fn listed_matching(
    state: &AppState,
    search: Option<&str>,
) -> Result<Vec<Arc<ServiceRecord>>, AppError> {
    let index = state.directory();
    index.refresh_if_stale().await;
    Ok(match search.filter(|t| !t.trim().is_empty()) {
        Some(text) => index.matching(text),
        None => index.records(),
    })
}

/// Every listed service, by name (then id).
async fn listed(state: &AppState) -> Result<Vec<Arc<ServiceRecord>>, AppError> {
    listed_matching(state, None).await
}

fn matches(r: &ServiceRecord, f: &ServiceFilter, codes: &[&str]) -> bool {
    if let Some(org) = f.organization_id
        && r.organisation.id != org
    {
        return false;
    }
    if let Some(after) = f.modified_after
        && r.updated_at < after
    {
        return false;
    }
    if f.taxonomy_term.is_some() && !r.categories.iter().any(|c| codes.contains(&c.as_str())) {
        return false;
    }
    true
}

/// The term's code and those of its children (a search in "respijtzorg" also finds
/// "logeeropvang").
fn term_codes(f: &ServiceFilter) -> Vec<&'static str> {
    f.taxonomy_term
        .map(|t| {
            taxonomy::with_descendants(t.code)
                .into_iter()
                .map(|t| t.code)
                .collect()
        })
        .unwrap_or_default()
}

fn window<T>(all: Vec<T>, w: Window) -> Listed<T> {
    let total = all.len();
    let range = w.range(total);
    Listed {
        total,
        items: all
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .collect(),
    }
}

/// `GET /hsds/services`: listed services matching the filter, by name.
pub async fn list_services(
    state: &AppState,
    q: &Query,
) -> Result<Listed<Arc<ServiceRecord>>, AppError> {
    let codes = term_codes(&q.filter);
    let found: Vec<_> = listed_matching(state, q.filter.search.as_deref())
        .await?
        .into_iter()
        .filter(|r| matches(r, &q.filter, &codes))
        .collect();
    Ok(window(found, q.window))
}

/// `GET /hsds/service_at_locations`: every place of the listed services matching the filter; by
/// service name and place, or nearest first around a postcode (places without coordinates
/// last, and left out when a radius is given).
pub async fn list_service_at_locations(
    state: &AppState,
    q: &Query,
) -> Result<Listed<SalHit>, AppError> {
    let codes = term_codes(&q.filter);
    let mut hits = Vec::new();
    for service in listed_matching(state, q.filter.search.as_deref()).await? {
        if !matches(&service, &q.filter, &codes) {
            continue;
        }
        for (index, sal) in service.locations.iter().enumerate() {
            let distance_km = match (q.near, sal.location.coordinates) {
                (Some((centre, _)), Some(point)) => Some(distance_km(centre, point)),
                _ => None,
            };
            if let Some((_, Some(radius_m))) = q.near
                && distance_km.is_none_or(|d| d * 1000.0 > radius_m)
            {
                continue;
            }
            hits.push(SalHit {
                service: service.clone(),
                index,
                distance_km,
            });
        }
    }
    if q.near.is_some() {
        // Stable: equal distances keep the order by name.
        hits.sort_by(|a, b| match (a.distance_km, b.distance_km) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }
    Ok(window(hits, q.window))
}

/// One listed service.
pub async fn service(state: &AppState, id: Uuid) -> Result<Option<ServiceRecord>, AppError> {
    let mut tx = state.store().begin_read().await?;
    let found = directory::service(&mut tx, id).await?;
    Ok(found.filter(|r| r.status.is_listed()))
}

/// One place of a listed service, by the service_at_location id (derived, not stored: so the
/// services are searched).
pub async fn service_at_location(
    state: &AppState,
    id: Uuid,
) -> Result<Option<(Arc<ServiceRecord>, usize)>, AppError> {
    Ok(listed(state).await?.into_iter().find_map(|s| {
        let index = s.locations.iter().position(|sal| sal.id == id)?;
        Some((s, index))
    }))
}

/// Organisations with at least one listed service, by name, each with those services.
pub async fn organizations(
    state: &AppState,
) -> Result<Vec<(OrganisationSummary, Vec<Arc<ServiceRecord>>)>, AppError> {
    let mut out: Vec<(OrganisationSummary, Vec<Arc<ServiceRecord>>)> = Vec::new();
    let mut position: HashMap<Uuid, usize> = HashMap::new();
    for s in listed(state).await? {
        match position.get(&s.organisation.id) {
            Some(&i) => out[i].1.push(s),
            None => {
                position.insert(s.organisation.id, out.len());
                out.push((s.organisation.clone(), vec![s]));
            }
        }
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.id.cmp(&b.0.id)));
    Ok(out)
}

/// One organisation with its listed services (none: not on the map).
pub async fn organization(
    state: &AppState,
    id: Uuid,
) -> Result<Option<(OrganisationSummary, Vec<ServiceRecord>)>, AppError> {
    let mut tx = state.store().begin_read().await?;
    let services: Vec<ServiceRecord> = directory::load(&mut tx, Selection::Organisation(id))
        .await?
        .into_iter()
        .filter(|r| r.status.is_listed())
        .collect();
    Ok(services
        .first()
        .map(|s| s.organisation.clone())
        .map(|o| (o, services)))
}
