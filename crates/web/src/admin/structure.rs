//! Regions, municipalities and organisations.

use super::{done, guard, invalid, precheck};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::valid_name;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, Response};
use mantelkring_core::access::Action;
use mantelkring_core::base::{CbsCode, OrganisationKind};
use mantelkring_store::base::{self, NewOrganisation, RegionOverview};
use mantelkring_store::{StoreError, admin};
use serde::Deserialize;

// ---- Regions and municipalities ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_regions.html")]
struct RegionsPage {
    page: Page,
    regions: Vec<RegionOverview>,
    message: Option<String>,
    form: RegionForms,
}

#[derive(Default, Deserialize)]
pub struct RegionForms {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    regio: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    gemeente: String,
}

async fn regions_page(
    state: &AppState,
    request: &PageRequest,
    message: Option<String>,
    form: RegionForms,
) -> Result<RegionsPage, AppError> {
    Ok(RegionsPage {
        page: request.page("admin-regions-title"),
        regions: base::region_overview(state.store()).await?,
        message,
        form,
    })
}

pub async fn regions(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let (_, tx) = guard(&state, &request, Action::Read, None, "administration").await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Html(
        regions_page(&state, &request, None, RegionForms::default())
            .await?
            .render()?,
    ))
}

pub async fn add_region(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<RegionForms>,
) -> Result<Response, AppError> {
    precheck(&state, &request, Action::Create).await?;
    let Some(name) = valid_name(&form.naam) else {
        let message = request.tr.t("admin-name-invalid");
        return Ok(invalid(
            regions_page(&state, &request, Some(message), form).await?,
        ));
    };
    let (_, mut tx) = guard(&state, &request, Action::Create, None, "administration").await?;
    match base::insert_region(&mut tx, &name).await {
        Ok(_) => done(&state, tx, "/beheer/regios?gedaan=regio".into()).await,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let message = request.tr.t("admin-region-exists");
            Ok(invalid(
                regions_page(&state, &request, Some(message), form).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_municipality(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<RegionForms>,
) -> Result<Response, AppError> {
    precheck(&state, &request, Action::Create).await?;
    let code = CbsCode::parse(&form.code);
    let name = valid_name(&form.gemeente);
    let region_known = admin::region_exists(state.store(), &form.regio).await?;
    let (code, name) = match (code, name, region_known) {
        (Ok(code), Some(name), true) => (code, name),
        (Err(_), _, _) => {
            let message = request.tr.t("admin-cbs-invalid");
            return Ok(invalid(
                regions_page(&state, &request, Some(message), form).await?,
            ));
        }
        (_, None, _) => {
            let message = request.tr.t("admin-name-invalid");
            return Ok(invalid(
                regions_page(&state, &request, Some(message), form).await?,
            ));
        }
        (_, _, false) => {
            let message = request.tr.t("admin-region-missing");
            return Ok(invalid(
                regions_page(&state, &request, Some(message), form).await?,
            ));
        }
    };
    let (_, mut tx) = guard(&state, &request, Action::Create, None, "administration").await?;
    match base::insert_municipality(&mut tx, Some(&form.regio), &code, &name).await {
        Ok(_) => done(&state, tx, "/beheer/regios?gedaan=gemeente".into()).await,
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let message = request.tr.t("admin-municipality-exists");
            Ok(invalid(
                regions_page(&state, &request, Some(message), form).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Organisations ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_organisations.html")]
struct OrganisationsPage {
    page: Page,
    organisations: Vec<admin::OrganisationLine>,
    regions: Vec<RegionOverview>,
    kinds: Vec<(&'static str, String)>,
    message: Option<String>,
    form: OrganisationForm,
}

#[derive(Default, Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    regio: String,
    #[serde(default)]
    gemeente: String,
    #[serde(default)]
    website: String,
}

fn kind_label(request: &PageRequest, kind: OrganisationKind) -> String {
    request
        .tr
        .t(&format!("org-kind-{}", kind.as_str().replace('_', "-")))
}

async fn organisations_page(
    state: &AppState,
    request: &PageRequest,
    message: Option<String>,
    form: OrganisationForm,
) -> Result<OrganisationsPage, AppError> {
    Ok(OrganisationsPage {
        page: request.page("admin-organisations-title"),
        organisations: admin::organisations(state.store()).await?,
        regions: base::region_overview(state.store()).await?,
        kinds: OrganisationKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), kind_label(request, k)))
            .collect(),
        message,
        form,
    })
}

pub async fn organisations(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let (_, tx) = guard(&state, &request, Action::Read, None, "administration").await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Html(
        organisations_page(&state, &request, None, OrganisationForm::default())
            .await?
            .render()?,
    ))
}

/// A website address: http(s), no spaces, at most 200 characters.
fn valid_website(input: &str) -> Result<Option<String>, ()> {
    let url = input.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 200
        && url
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty())
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(Some(url.to_string()))
    } else {
        Err(())
    }
}

pub async fn add_organisation(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, AppError> {
    precheck(&state, &request, Action::Create).await?;
    let store = state.store();
    let problem = async {
        let Some(name) = valid_name(&form.naam) else {
            return Ok::<_, AppError>(Err("admin-name-invalid"));
        };
        let Some(kind) = OrganisationKind::parse(&form.soort) else {
            return Ok(Err("admin-kind-missing"));
        };
        if !admin::region_exists(store, &form.regio).await? {
            return Ok(Err("admin-region-missing"));
        }
        let municipality = match form.gemeente.as_str() {
            "" => None,
            id => match admin::municipality_region(store, id).await? {
                Some(Some(region)) if region == form.regio => Some(id.to_string()),
                _ => return Ok(Err("admin-municipality-not-in-region")),
            },
        };
        let Ok(website) = valid_website(&form.website) else {
            return Ok(Err("admin-website-invalid"));
        };
        Ok(Ok((name, kind, municipality, website)))
    }
    .await?;
    let (name, kind, municipality, website) = match problem {
        Ok(valid) => valid,
        Err(key) => {
            let message = request.tr.t(key);
            return Ok(invalid(
                organisations_page(&state, &request, Some(message), form).await?,
            ));
        }
    };
    let (_, mut tx) = guard(&state, &request, Action::Create, None, "administration").await?;
    base::insert_organisation(
        &mut tx,
        &NewOrganisation {
            region_id: &form.regio,
            name: &name,
            kind,
            municipality_id: municipality.as_deref(),
            website: website.as_deref(),
        },
    )
    .await?;
    done(&state, tx, "/beheer/organisaties?gedaan=organisatie".into()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_must_be_http_addresses() {
        assert_eq!(valid_website(""), Ok(None));
        assert_eq!(
            valid_website(" https://www.leiden.nl "),
            Ok(Some("https://www.leiden.nl".into()))
        );
        assert!(valid_website("javascript:alert(1)").is_err());
        assert!(valid_website("https://a b").is_err());
        assert!(valid_website(&format!("https://{}", "a".repeat(200))).is_err());
    }
}
