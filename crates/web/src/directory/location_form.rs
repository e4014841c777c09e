//! The forms for a location (address, postcode, optional coordinates: the store takes the PC4
//! centroid when they are left empty) and for the organisation's public profile. Same pattern as
//! the service form: policy first, then the checks into the draft, 400 and nothing written on bad
//! input, the change and its audit record in one transaction.

use super::checks::{self, FieldErrors};
use super::editor::{self, dashboard_path, done, guard, invalid, parse_id, precheck};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::Tr;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use mantelkring_core::access::Action;
use mantelkring_core::directory::draft::{LocationDraft, OrganisationProfile};
use mantelkring_core::geo::Coordinates;
use mantelkring_store::StoreError;
use mantelkring_store::directory;
use serde::Deserialize;
use uuid::Uuid;

/// The organisation a location belongs to, or 404.
pub(super) async fn location_organisation(state: &AppState, id: Uuid) -> Result<Uuid, AppError> {
    let mut conn = state
        .store()
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    directory::location(&mut conn, id)
        .await?
        .map(|l| l.organisation_id)
        .ok_or(AppError::NotFound)
}

// ---- Locations --------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LocationForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    omschrijving: String,
    #[serde(default)]
    straat: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    plaats: String,
    #[serde(default)]
    breedtegraad: String,
    #[serde(default)]
    lengtegraad: String,
    #[serde(default)]
    rolstoel: String,
}

impl LocationForm {
    fn from_draft(d: &LocationDraft) -> LocationForm {
        LocationForm {
            naam: d.name.clone(),
            omschrijving: d.description.clone().unwrap_or_default(),
            straat: d.street.clone(),
            postcode: d.postcode.clone(),
            plaats: d.city.clone(),
            breedtegraad: d
                .coordinates
                .map(|c| format!("{:.5}", c.latitude()))
                .unwrap_or_default(),
            lengtegraad: d
                .coordinates
                .map(|c| format!("{:.5}", c.longitude()))
                .unwrap_or_default(),
            rolstoel: if d.wheelchair_accessible {
                "ja".into()
            } else {
                String::new()
            },
        }
    }
}

fn check_location(form: &LocationForm, tr: &Tr, org: Uuid) -> Result<LocationDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = checks::required(&form.naam, 2, 200, false);
    if name.is_none() {
        errors.add("naam", tr.t("dir-err-location-name"));
    }
    let description = checks::optional(&form.omschrijving, 2000, true).unwrap_or_else(|_| {
        errors.add("omschrijving", tr.t1("dir-err-too-long", "max", "2000"));
        None
    });
    let street = checks::required(&form.straat, 2, 200, false);
    if street.is_none() {
        errors.add("straat", tr.t("dir-err-street"));
    }
    let postcode = checks::postcode(&form.postcode);
    if postcode.is_none() {
        errors.add("postcode", tr.t("dir-err-postcode"));
    }
    let city = checks::required(&form.plaats, 2, 100, false);
    if city.is_none() {
        errors.add("plaats", tr.t("dir-err-city"));
    }
    let coordinates = match (form.breedtegraad.trim(), form.lengtegraad.trim()) {
        ("", "") => None,
        (lat, lon) => match (checks::decimal(lat), checks::decimal(lon)) {
            (Some(lat), Some(lon)) => match Coordinates::new(lat, lon) {
                Ok(c) => Some(c),
                Err(_) => {
                    errors.add("breedtegraad", tr.t("dir-err-coordinates"));
                    None
                }
            },
            _ => {
                errors.add("breedtegraad", tr.t("dir-err-coordinates"));
                None
            }
        },
    };
    match (name, street, postcode, city) {
        (Some(name), Some(street), Some(postcode), Some(city)) if errors.is_empty() => {
            Ok(LocationDraft {
                organisation_id: org,
                name,
                description,
                street,
                postcode,
                city,
                coordinates,
                wheelchair_accessible: form.rolstoel == "ja",
            })
        }
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "directory_location_form.html")]
struct LocationPage {
    page: Page,
    heading: String,
    action: String,
    back: String,
    versions: Option<String>,
    errors: FieldErrors,
    form: LocationForm,
}

fn location_page(
    request: &PageRequest,
    org: Uuid,
    heading: String,
    action: String,
    versions: Option<String>,
    form: LocationForm,
    errors: FieldErrors,
) -> LocationPage {
    LocationPage {
        page: Page::new(
            request.tr.clone(),
            &request.path,
            &request.csrf,
            heading.clone(),
            request.user.as_ref(),
        ),
        heading,
        action,
        back: dashboard_path(org),
        versions,
        errors,
        form,
    }
}

async fn organisation_name(state: &AppState, org: Uuid) -> Result<String, AppError> {
    Ok(editor::organisation(state, org)
        .await?
        .ok_or(AppError::NotFound)?
        .organisation
        .name)
}

fn new_location_page(
    request: &PageRequest,
    org: Uuid,
    organisation: &str,
    form: LocationForm,
    errors: FieldErrors,
) -> LocationPage {
    location_page(
        request,
        org,
        request
            .tr
            .t1("dir-location-new-title", "organisation", organisation),
        format!("/kaart/beheer/organisaties/{org}/locaties/nieuw"),
        None,
        form,
        errors,
    )
}

fn existing_location_page(
    request: &PageRequest,
    org: Uuid,
    id: Uuid,
    name: &str,
    form: LocationForm,
    errors: FieldErrors,
) -> LocationPage {
    location_page(
        request,
        org,
        request.tr.t1("dir-location-edit-title", "name", name),
        format!("/kaart/beheer/locaties/{id}"),
        Some(format!("/kaart/beheer/locaties/{id}/versies")),
        form,
        errors,
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let org = parse_id(&id)?;
    let (_, tx) = guard(&state, &request, org, Action::Read, "new location form").await?;
    tx.commit().await.map_err(StoreError::from)?;
    let organisation = organisation_name(&state, org).await?;
    Ok(Html(
        new_location_page(
            &request,
            org,
            &organisation,
            LocationForm::default(),
            FieldErrors::default(),
        )
        .render()?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<LocationForm>,
) -> Result<Response, AppError> {
    let org = parse_id(&id)?;
    precheck(&state, &request, org).await?;
    let organisation = organisation_name(&state, org).await?;
    let draft = match check_location(&form, &request.tr, org) {
        Ok(draft) => draft,
        Err(errors) => {
            return Ok(invalid(new_location_page(
                &request,
                org,
                &organisation,
                form,
                errors,
            )));
        }
    };
    let location = Uuid::now_v7();
    let what = format!("create location={location}");
    let (user, mut tx) = guard(&state, &request, org, Action::Create, &what).await?;
    directory::create_location(&mut tx, location, &draft, &editor::editor(&user)).await?;
    done(
        &state,
        tx,
        format!("{}?gedaan=locatie", dashboard_path(org)),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let location = parse_id(&id)?;
    let org = location_organisation(&state, location).await?;
    let what = format!("location={location}");
    let (_, mut tx) = guard(&state, &request, org, Action::Read, &what).await?;
    let place = directory::location(&mut tx, location)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    let form = LocationForm::from_draft(&LocationDraft::from_location(&place));
    Ok(Html(
        existing_location_page(
            &request,
            org,
            location,
            &place.name,
            form,
            FieldErrors::default(),
        )
        .render()?,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<LocationForm>,
) -> Result<Response, AppError> {
    let location = parse_id(&id)?;
    let org = location_organisation(&state, location).await?;
    precheck(&state, &request, org).await?;
    let draft = match check_location(&form, &request.tr, org) {
        Ok(draft) => draft,
        Err(errors) => {
            let mut conn = state
                .store()
                .pool()
                .acquire()
                .await
                .map_err(StoreError::from)?;
            let name = directory::location(&mut conn, location)
                .await?
                .map(|l| l.name)
                .unwrap_or_default();
            return Ok(invalid(existing_location_page(
                &request, org, location, &name, form, errors,
            )));
        }
    };
    let what = format!("update location={location}");
    let (user, mut tx) = guard(&state, &request, org, Action::Update, &what).await?;
    directory::update_location(&mut tx, location, &draft, &editor::editor(&user)).await?;
    done(
        &state,
        tx,
        format!("{}?gedaan=opgeslagen", dashboard_path(org)),
    )
    .await
}

// ---- The organisation's public profile --------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    beschrijving: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    telefoon: String,
}

fn check_profile(form: &ProfileForm, tr: &Tr) -> Result<OrganisationProfile, FieldErrors> {
    let mut errors = FieldErrors::default();
    let description = checks::optional(&form.beschrijving, 4000, true).unwrap_or_else(|_| {
        errors.add("beschrijving", tr.t1("dir-err-too-long", "max", "4000"));
        None
    });
    let website = checks::url(&form.website).unwrap_or_else(|_| {
        errors.add("website", tr.t("dir-err-url"));
        None
    });
    let email = checks::email(&form.email).unwrap_or_else(|_| {
        errors.add("email", tr.t("dir-err-email"));
        None
    });
    let phone = match form.telefoon.trim() {
        "" => None,
        number => checks::phone(number).or_else(|| {
            errors.add("telefoon", tr.t("dir-err-profile-phone"));
            None
        }),
    };
    if errors.is_empty() {
        Ok(OrganisationProfile {
            description,
            website,
            email,
            phone,
        })
    } else {
        Err(errors)
    }
}

#[derive(Template)]
#[template(path = "directory_profile_form.html")]
struct ProfilePage {
    page: Page,
    heading: String,
    action: String,
    back: String,
    errors: FieldErrors,
    form: ProfileForm,
}

fn profile_page(
    request: &PageRequest,
    org: Uuid,
    organisation: &str,
    form: ProfileForm,
    errors: FieldErrors,
) -> ProfilePage {
    let heading = request
        .tr
        .t1("dir-profile-title", "organisation", organisation);
    ProfilePage {
        page: Page::new(
            request.tr.clone(),
            &request.path,
            &request.csrf,
            heading.clone(),
            request.user.as_ref(),
        ),
        heading,
        action: format!("/kaart/beheer/organisaties/{org}/profiel"),
        back: dashboard_path(org),
        errors,
        form,
    }
}

pub async fn profile_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let org = parse_id(&id)?;
    let (_, mut tx) = guard(&state, &request, org, Action::Read, "profile").await?;
    let profile = directory::organisation_profile(&mut tx, org)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    let organisation = organisation_name(&state, org).await?;
    let form = ProfileForm {
        beschrijving: profile.description.unwrap_or_default(),
        website: profile.website.unwrap_or_default(),
        email: profile.email.unwrap_or_default(),
        telefoon: profile.phone.unwrap_or_default(),
    };
    Ok(Html(
        profile_page(&request, org, &organisation, form, FieldErrors::default()).render()?,
    ))
}

pub async fn save_profile(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let org = parse_id(&id)?;
    precheck(&state, &request, org).await?;
    let organisation = organisation_name(&state, org).await?;
    let profile = match check_profile(&form, &request.tr) {
        Ok(profile) => profile,
        Err(errors) => {
            return Ok(invalid(profile_page(
                &request,
                org,
                &organisation,
                form,
                errors,
            )));
        }
    };
    let (user, mut tx) = guard(&state, &request, org, Action::Update, "update profile").await?;
    directory::update_organisation_profile(&mut tx, org, &profile, &editor::editor(&user)).await?;
    done(
        &state,
        tx,
        format!("{}?gedaan=profiel", dashboard_path(org)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{I18n, Lang};
    use std::sync::Arc;

    fn tr() -> Tr {
        Tr::new(Arc::new(I18n::load().unwrap()), Lang::En)
    }

    #[test]
    fn a_location_needs_an_address_and_both_coordinates_or_none() {
        let form = LocationForm {
            naam: "Steunpunt".into(),
            straat: "Breestraat 1".into(),
            postcode: "2311aa".into(),
            plaats: "Leiden".into(),
            rolstoel: "ja".into(),
            ..LocationForm::default()
        };
        let draft = check_location(&form, &tr(), Uuid::nil()).unwrap();
        assert_eq!(draft.postcode, "2311 AA");
        assert_eq!(draft.coordinates, None);
        assert!(draft.wheelchair_accessible);
        let with_one = LocationForm {
            breedtegraad: "52,16".into(),
            ..form.clone()
        };
        let errors = check_location(&with_one, &tr(), Uuid::nil()).unwrap_err();
        assert!(errors.has("breedtegraad"));
        let with_both = LocationForm {
            breedtegraad: "52,16".into(),
            lengtegraad: "4.49".into(),
            ..form.clone()
        };
        let c = check_location(&with_both, &tr(), Uuid::nil())
            .unwrap()
            .coordinates
            .unwrap();
        assert!((c.latitude() - 52.16).abs() < 1e-9);
        let bad = LocationForm {
            postcode: "Leiden".into(),
            straat: String::new(),
            ..form
        };
        let errors = check_location(&bad, &tr(), Uuid::nil()).unwrap_err();
        assert!(errors.has("postcode") && errors.has("straat"));
        assert!(errors.get("postcode").unwrap().contains("2312 AB"));
    }

    #[test]
    fn a_profile_checks_its_addresses() {
        let form = ProfileForm {
            website: "www.steunpunt.nl".into(),
            email: "info@steunpunt.nl".into(),
            telefoon: "071 123".into(),
            ..ProfileForm::default()
        };
        let errors = check_profile(&form, &tr()).unwrap_err();
        assert!(errors.has("website") && !errors.has("email") && !errors.has("telefoon"));
    }
}
