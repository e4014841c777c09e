//! The form for one service, new or existing: every field of a `ServiceDraft`. The input is checked
//! here, at the edge, into the draft; each problem gets its own message next to its field, and the
//! form comes back with 400 and nothing written. The policy is asked first (see `editor::precheck`).

use super::checks::{self, FieldErrors};
use super::editor::{
    self, dashboard_path, done, funding_label, guard, invalid, language_label, parse_id, precheck,
    service_organisation, status_label, term_label,
};
use crate::AppState;
use crate::errors::AppError;
use crate::forms::Form;
use crate::i18n::Tr;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use mantelkring_core::access::Action;
use mantelkring_core::directory::draft::{PhoneDraft, ServiceDraft, WeeklyHours};
use mantelkring_core::directory::model::{Funding, Location, ServiceStatus, TimeOfDay, Weekday};
use mantelkring_core::directory::taxonomy::{self, Vocabulary};
use mantelkring_store::directory;
use mantelkring_store::{StoreError, admin, base};
use serde::Deserialize;
use uuid::Uuid;

/// Languages offered as check boxes (ISO 639-1); a service may keep another code it already has.
const LANGUAGES: [&str; 9] = ["nl", "en", "de", "fr", "pl", "tr", "ar", "uk", "zh"];

/// Empty rows offered for new phone numbers and opening hours.
const EMPTY_PHONE_ROWS: usize = 2;
const EMPTY_HOURS_ROWS: usize = 3;

/// The form as sent: every field as typed (names are Dutch, as in the page).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    andere_naam: String,
    #[serde(default)]
    beschrijving: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    aanmelden: String,
    #[serde(default)]
    kosten: String,
    #[serde(default)]
    voor_wie: String,
    #[serde(default)]
    leeftijd_van: String,
    #[serde(default)]
    leeftijd_tot: String,
    #[serde(default)]
    online: String,
    #[serde(default)]
    categorie: Vec<String>,
    #[serde(default)]
    financiering: Vec<String>,
    #[serde(default)]
    taal: Vec<String>,
    #[serde(default)]
    telefoon: Vec<String>,
    #[serde(default)]
    telefoon_bij: Vec<String>,
    #[serde(default)]
    dag: Vec<String>,
    #[serde(default)]
    open: Vec<String>,
    #[serde(default)]
    dicht: Vec<String>,
    #[serde(default)]
    rooster: String,
    #[serde(default)]
    locatie: Vec<String>,
    #[serde(default)]
    gemeente: Vec<String>,
}

fn text(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

impl ServiceForm {
    fn from_draft(d: &ServiceDraft) -> ServiceForm {
        ServiceForm {
            naam: d.name.clone(),
            andere_naam: text(&d.alternate_name),
            beschrijving: d.description.clone(),
            website: text(&d.url),
            email: text(&d.email),
            status: d.status.as_str().into(),
            aanmelden: text(&d.application_process),
            kosten: text(&d.fees_description),
            voor_wie: text(&d.eligibility_description),
            leeftijd_van: d.minimum_age.map(|a| a.to_string()).unwrap_or_default(),
            leeftijd_tot: d.maximum_age.map(|a| a.to_string()).unwrap_or_default(),
            online: if d.online { "ja".into() } else { String::new() },
            categorie: d.categories.clone(),
            financiering: d.funding.iter().map(|f| f.as_str().to_string()).collect(),
            taal: d.languages.clone(),
            telefoon: d.phones.iter().map(|p| p.number.clone()).collect(),
            telefoon_bij: d.phones.iter().map(|p| text(&p.description)).collect(),
            dag: d.hours.iter().map(|h| h.weekday.code().into()).collect(),
            open: d.hours.iter().map(|h| h.opens.to_string()).collect(),
            dicht: d.hours.iter().map(|h| h.closes.to_string()).collect(),
            rooster: text(&d.schedule_note),
            locatie: d.location_ids.iter().map(Uuid::to_string).collect(),
            gemeente: d.area_ids.iter().map(Uuid::to_string).collect(),
        }
    }

    /// A new service: active, in Dutch.
    fn blank() -> ServiceForm {
        ServiceForm {
            status: ServiceStatus::Active.as_str().into(),
            taal: vec!["nl".into()],
            ..ServiceForm::default()
        }
    }
}

/// What the form needs to know about the organisation: its locations and the municipalities.
struct Context {
    organisation: admin::OrganisationLine,
    locations: Vec<Location>,
    /// (id, name) of every municipality.
    municipalities: Vec<(Uuid, String)>,
    /// Ids of the municipalities in the organisation's region (offered first).
    in_region: Vec<String>,
}

async fn context(state: &AppState, org: Uuid) -> Result<Context, AppError> {
    let organisation = editor::organisation(state, org)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut conn = state
        .store()
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let locations = directory::locations_of(&mut conn, org).await?;
    let municipalities = directory::municipalities(&mut conn)
        .await?
        .into_iter()
        .map(|(id, _, name)| (id, name))
        .collect();
    drop(conn);
    let in_region = base::region_overview(state.store())
        .await?
        .into_iter()
        .find(|r| r.region.id == organisation.organisation.region_id)
        .map(|r| r.municipalities.into_iter().map(|m| m.id).collect())
        .unwrap_or_default();
    Ok(Context {
        organisation,
        locations,
        municipalities,
        in_region,
    })
}

/// Checks the form into a draft for organisation `org`, or names every problem.
fn check(
    form: &ServiceForm,
    ctx: &Context,
    tr: &Tr,
    org: Uuid,
) -> Result<ServiceDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let too_long = |max: usize| tr.t1("dir-err-too-long", "max", &max.to_string());
    let name = checks::required(&form.naam, 2, 200, false);
    if name.is_none() {
        errors.add("naam", tr.t("dir-err-name"));
    }
    let alternate_name = checks::optional(&form.andere_naam, 200, false).unwrap_or_else(|_| {
        errors.add("andere_naam", too_long(200));
        None
    });
    let description = checks::required(&form.beschrijving, 10, 4000, true);
    if description.is_none() {
        errors.add("beschrijving", tr.t("dir-err-description"));
    }
    let url = checks::url(&form.website).unwrap_or_else(|_| {
        errors.add("website", tr.t("dir-err-url"));
        None
    });
    let email = checks::email(&form.email).unwrap_or_else(|_| {
        errors.add("email", tr.t("dir-err-email"));
        None
    });
    let status = ServiceStatus::parse(&form.status);
    if status.is_none() {
        errors.add("status", tr.t("dir-err-status"));
    }
    let mut long_text = |field: &'static str, value: &str, max: usize| {
        checks::optional(value, max, true).unwrap_or_else(|_| {
            errors.add(field, too_long(max));
            None
        })
    };
    let application_process = long_text("aanmelden", &form.aanmelden, 2000);
    let fees_description = long_text("kosten", &form.kosten, 2000);
    let eligibility_description = long_text("voor_wie", &form.voor_wie, 2000);
    let schedule_note = long_text("rooster", &form.rooster, 500);
    let minimum_age = checks::age(&form.leeftijd_van).unwrap_or_else(|_| {
        errors.add("leeftijd_van", tr.t("dir-err-age"));
        None
    });
    let maximum_age = checks::age(&form.leeftijd_tot).unwrap_or_else(|_| {
        errors.add("leeftijd_tot", tr.t("dir-err-age"));
        None
    });
    if let (Some(from), Some(to)) = (minimum_age, maximum_age)
        && from > to
    {
        errors.add("leeftijd_tot", tr.t("dir-err-age-order"));
    }

    let mut categories = Vec::new();
    let mut unknown_category = false;
    for code in &form.categorie {
        match taxonomy::by_code(code) {
            Some(term) => categories.push(term.code.to_string()),
            None => unknown_category = true,
        }
    }
    if unknown_category {
        errors.add("categorie", tr.t("dir-err-category-unknown"));
    } else if !categories
        .iter()
        .any(|c| taxonomy::by_code(c).is_some_and(|t| t.vocabulary == Vocabulary::Offer))
    {
        errors.add("categorie", tr.t("dir-err-categories"));
    }
    let mut funding = Vec::new();
    for f in &form.financiering {
        match Funding::parse(f) {
            Some(f) => funding.push(f),
            None => {
                errors.add("financiering", tr.t("dir-err-funding"));
                break;
            }
        }
    }
    let mut languages = Vec::new();
    for code in &form.taal {
        let code = code.trim().to_ascii_lowercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
            languages.push(code);
        } else {
            errors.add("taal", tr.t("dir-err-language"));
            break;
        }
    }

    let mut phones = Vec::new();
    for (i, number) in form.telefoon.iter().enumerate() {
        let description = form.telefoon_bij.get(i).map(String::as_str).unwrap_or("");
        let n = (i + 1).to_string();
        if number.trim().is_empty() {
            if !description.trim().is_empty() {
                errors.add(
                    format!("telefoon-{i}"),
                    tr.t1("dir-err-phone-missing", "n", &n),
                );
            }
            continue;
        }
        let Some(number) = checks::phone(number) else {
            errors.add(format!("telefoon-{i}"), tr.t1("dir-err-phone", "n", &n));
            continue;
        };
        match checks::optional(description, 100, false) {
            Ok(description) => phones.push(PhoneDraft {
                number,
                description,
            }),
            Err(()) => errors.add(format!("telefoon_bij-{i}"), too_long(100)),
        }
    }

    let mut hours = Vec::new();
    for (i, day) in form.dag.iter().enumerate() {
        let opens = form.open.get(i).map(String::as_str).unwrap_or("");
        let closes = form.dicht.get(i).map(String::as_str).unwrap_or("");
        if day.trim().is_empty() && opens.trim().is_empty() && closes.trim().is_empty() {
            continue;
        }
        let n = (i + 1).to_string();
        let parsed = (
            Weekday::from_code(day),
            TimeOfDay::parse(opens),
            TimeOfDay::parse(closes),
        );
        match parsed {
            (Some(weekday), Some(opens), Some(closes)) if opens < closes => {
                hours.push(WeeklyHours {
                    weekday,
                    opens,
                    closes,
                })
            }
            (Some(_), Some(_), Some(_)) => {
                errors.add(format!("dicht-{i}"), tr.t1("dir-err-hours-order", "n", &n))
            }
            (None, _, _) => errors.add(format!("dag-{i}"), tr.t1("dir-err-hours", "n", &n)),
            (_, None, _) => errors.add(format!("open-{i}"), tr.t1("dir-err-hours", "n", &n)),
            (_, _, None) => errors.add(format!("dicht-{i}"), tr.t1("dir-err-hours", "n", &n)),
        }
    }

    let mut location_ids = Vec::new();
    for id in &form.locatie {
        match ctx.locations.iter().find(|l| l.id.to_string() == *id) {
            Some(l) => location_ids.push(l.id),
            None => {
                errors.add("locatie", tr.t("dir-err-location"));
                break;
            }
        }
    }
    let mut area_ids = Vec::new();
    for id in &form.gemeente {
        match ctx
            .municipalities
            .iter()
            .find(|(m, _)| m.to_string() == *id)
        {
            Some((m, _)) => area_ids.push(*m),
            None => {
                errors.add("gemeente", tr.t("dir-err-area"));
                break;
            }
        }
    }

    match (name, description, status) {
        (Some(name), Some(description), Some(status)) if errors.is_empty() => Ok(ServiceDraft {
            organisation_id: org,
            name,
            alternate_name,
            description,
            url,
            email,
            status,
            application_process,
            fees_description,
            eligibility_description,
            minimum_age,
            maximum_age,
            online: form.online == "ja",
            categories,
            funding,
            languages,
            phones,
            hours,
            schedule_note,
            location_ids,
            area_ids,
        }
        .normalise()),
        _ => Err(errors),
    }
}

// ---- The page ---------------------------------------------------------------------------------

/// One check box or option.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
    /// Shown indented under its parent (a narrower category).
    pub child: bool,
}

struct PhoneRow {
    number: String,
    description: String,
    number_error: Option<String>,
    description_error: Option<String>,
}

struct HoursRow {
    day: String,
    opens: String,
    closes: String,
    day_error: Option<String>,
    opens_error: Option<String>,
    closes_error: Option<String>,
}

impl PhoneRow {
    fn empty() -> PhoneRow {
        PhoneRow {
            number: String::new(),
            description: String::new(),
            number_error: None,
            description_error: None,
        }
    }
}

impl HoursRow {
    fn empty() -> HoursRow {
        HoursRow {
            day: String::new(),
            opens: String::new(),
            closes: String::new(),
            day_error: None,
            opens_error: None,
            closes_error: None,
        }
    }
}

#[derive(Template)]
#[template(path = "directory_service_form.html")]
struct ServicePage {
    page: Page,
    heading: String,
    action: String,
    back: String,
    versions: Option<String>,
    organisation_id: String,
    errors: FieldErrors,
    form: ServiceForm,
    statuses: Vec<Choice>,
    offers: Vec<Choice>,
    groups: Vec<Choice>,
    funding: Vec<Choice>,
    languages: Vec<Choice>,
    phones: Vec<PhoneRow>,
    hours: Vec<HoursRow>,
    days: Vec<(String, String)>,
    locations: Vec<Choice>,
    areas: Vec<Choice>,
}

/// Where the form is sent, and what it is about.
enum Target {
    New,
    Existing { id: Uuid, name: String },
}

fn service_page(
    request: &PageRequest,
    ctx: &Context,
    target: &Target,
    form: ServiceForm,
    errors: FieldErrors,
) -> ServicePage {
    let tr = &request.tr;
    let org = ctx.organisation.organisation.id.clone();
    let org_id = Uuid::parse_str(&org).unwrap_or_default();
    let (heading, action, versions) = match target {
        Target::New => (
            tr.t1(
                "dir-service-new-title",
                "organisation",
                &ctx.organisation.organisation.name,
            ),
            format!("/kaart/beheer/organisaties/{org}/diensten/nieuw"),
            None,
        ),
        Target::Existing { id, name } => (
            tr.t1("dir-service-edit-title", "name", name),
            format!("/kaart/beheer/diensten/{id}"),
            Some(format!("/kaart/beheer/diensten/{id}/versies")),
        ),
    };
    let terms = |vocabulary: Vocabulary| -> Vec<Choice> {
        taxonomy::TERMS
            .iter()
            .filter(|t| t.vocabulary == vocabulary)
            .filter(|t| t.parent.is_none())
            .flat_map(|parent| std::iter::once(parent).chain(taxonomy::children(parent.code)))
            .map(|t| Choice {
                value: t.code.into(),
                label: term_label(tr.lang, t.code),
                checked: form.categorie.iter().any(|c| c == t.code),
                child: t.parent.is_some(),
            })
            .collect()
    };
    let mut language_codes: Vec<String> = LANGUAGES.iter().map(|l| l.to_string()).collect();
    for code in &form.taal {
        if !language_codes.contains(code) && code.len() == 2 {
            language_codes.push(code.clone());
        }
    }
    // Rows keep the positions they were sent in (the messages name them by position); a fresh
    // form gets a few empty rows to fill in.
    let mut phones: Vec<PhoneRow> = form
        .telefoon
        .iter()
        .enumerate()
        .map(|(i, number)| PhoneRow {
            number: number.clone(),
            description: form.telefoon_bij.get(i).cloned().unwrap_or_default(),
            number_error: errors.get(&format!("telefoon-{i}")).map(String::from),
            description_error: errors.get(&format!("telefoon_bij-{i}")).map(String::from),
        })
        .collect();
    let mut hours: Vec<HoursRow> = form
        .dag
        .iter()
        .enumerate()
        .map(|(i, day)| HoursRow {
            day: day.clone(),
            opens: form.open.get(i).cloned().unwrap_or_default(),
            closes: form.dicht.get(i).cloned().unwrap_or_default(),
            day_error: errors.get(&format!("dag-{i}")).map(String::from),
            opens_error: errors.get(&format!("open-{i}")).map(String::from),
            closes_error: errors.get(&format!("dicht-{i}")).map(String::from),
        })
        .collect();
    if errors.is_empty() {
        phones.retain(|r| !(r.number.is_empty() && r.description.is_empty()));
        phones.extend((0..EMPTY_PHONE_ROWS).map(|_| PhoneRow::empty()));
        hours.retain(|r| !(r.day.is_empty() && r.opens.is_empty() && r.closes.is_empty()));
        hours.extend((0..EMPTY_HOURS_ROWS).map(|_| HoursRow::empty()));
    }
    let mut areas: Vec<Choice> = ctx
        .municipalities
        .iter()
        .filter(|(id, _)| {
            let id = id.to_string();
            ctx.in_region.contains(&id) || form.gemeente.contains(&id)
        })
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name.clone(),
            checked: form.gemeente.contains(&id.to_string()),
            child: false,
        })
        .collect();
    areas.sort_by(|a, b| a.label.cmp(&b.label));
    ServicePage {
        page: Page::new(
            tr.clone(),
            &request.path,
            &request.csrf,
            heading.clone(),
            request.user.as_ref(),
        ),
        heading,
        action,
        back: dashboard_path(org_id),
        versions,
        organisation_id: org,
        statuses: ServiceStatus::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: status_label(tr, s),
                checked: form.status == s.as_str(),
                child: false,
            })
            .collect(),
        offers: terms(Vocabulary::Offer),
        groups: terms(Vocabulary::TargetGroup),
        funding: Funding::ALL
            .into_iter()
            .map(|f| Choice {
                value: f.as_str().into(),
                label: funding_label(tr, f),
                checked: form.financiering.iter().any(|x| x == f.as_str()),
                child: false,
            })
            .collect(),
        languages: language_codes
            .into_iter()
            .map(|code| Choice {
                label: language_label(tr, &code),
                checked: form.taal.contains(&code),
                value: code,
                child: false,
            })
            .collect(),
        phones,
        hours,
        days: Weekday::ALL
            .into_iter()
            .map(|d| (d.code().to_string(), tr.code("dir-day", d.code())))
            .collect(),
        locations: ctx
            .locations
            .iter()
            .map(|l| Choice {
                value: l.id.to_string(),
                label: format!("{} ({}, {})", l.name, l.street, l.city),
                checked: form.locatie.contains(&l.id.to_string()),
                child: false,
            })
            .collect(),
        areas,
        errors,
        form,
    }
}

// ---- Handlers ---------------------------------------------------------------------------------

pub async fn new_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let org = parse_id(&id)?;
    let (_, tx) = guard(&state, &request, org, Action::Read, "new service form").await?;
    tx.commit().await.map_err(StoreError::from)?;
    let ctx = context(&state, org).await?;
    let page = service_page(
        &request,
        &ctx,
        &Target::New,
        ServiceForm::blank(),
        FieldErrors::default(),
    );
    Ok(Html(page.render()?))
}

pub async fn create(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ServiceForm>,
) -> Result<Response, AppError> {
    let org = parse_id(&id)?;
    precheck(&state, &request, org).await?;
    let ctx = context(&state, org).await?;
    let draft = match check(&form, &ctx, &request.tr, org) {
        Ok(draft) => draft,
        Err(errors) => {
            return Ok(invalid(service_page(
                &request,
                &ctx,
                &Target::New,
                form,
                errors,
            )));
        }
    };
    let service = Uuid::now_v7();
    let what = format!("create service={service}");
    let (user, mut tx) = guard(&state, &request, org, Action::Create, &what).await?;
    directory::create_service(&mut tx, service, &draft, &editor::editor(&user), None).await?;
    done(
        &state,
        tx,
        format!("{}?gedaan=toegevoegd", dashboard_path(org)),
    )
    .await
}

pub async fn edit_form(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let service = parse_id(&id)?;
    let org = service_organisation(&state, service).await?;
    let what = format!("service={service}");
    let (_, mut tx) = guard(&state, &request, org, Action::Read, &what).await?;
    let record = directory::service(&mut tx, service)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await.map_err(StoreError::from)?;
    let ctx = context(&state, org).await?;
    let form = ServiceForm::from_draft(&ServiceDraft::from_record(&record));
    let target = Target::Existing {
        id: service,
        name: record.name,
    };
    Ok(Html(
        service_page(&request, &ctx, &target, form, FieldErrors::default()).render()?,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
    Form(form): Form<ServiceForm>,
) -> Result<Response, AppError> {
    let service = parse_id(&id)?;
    let org = service_organisation(&state, service).await?;
    precheck(&state, &request, org).await?;
    let ctx = context(&state, org).await?;
    let draft = match check(&form, &ctx, &request.tr, org) {
        Ok(draft) => draft,
        Err(errors) => {
            let mut conn = state
                .store()
                .pool()
                .acquire()
                .await
                .map_err(StoreError::from)?;
            let name = directory::service(&mut conn, service)
                .await?
                .map(|r| r.name)
                .unwrap_or_default();
            let target = Target::Existing { id: service, name };
            return Ok(invalid(service_page(&request, &ctx, &target, form, errors)));
        }
    };
    let what = format!("update service={service}");
    let (user, mut tx) = guard(&state, &request, org, Action::Update, &what).await?;
    directory::update_service(&mut tx, service, &draft, &editor::editor(&user)).await?;
    done(
        &state,
        tx,
        format!("{}?gedaan=opgeslagen", dashboard_path(org)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{I18n, Lang};
    use std::sync::Arc;

    fn ctx(location: Uuid, municipality: Uuid) -> Context {
        Context {
            organisation: admin::OrganisationLine {
                organisation: base::Organisation {
                    id: Uuid::nil().to_string(),
                    region_id: "r".into(),
                    name: "Steunpunt".into(),
                    kind: mantelkring_core::base::OrganisationKind::Welfare,
                    municipality_id: None,
                    website: None,
                },
                region_name: "Regio".into(),
                municipality_name: None,
                member_count: 0,
            },
            locations: vec![Location {
                id: location,
                organisation_id: Uuid::nil(),
                name: "Kantoor".into(),
                description: None,
                address_id: Uuid::nil(),
                street: "Breestraat 1".into(),
                postcode: "2311 AA".into(),
                city: "Leiden".into(),
                coordinates: None,
                wheelchair_accessible: true,
            }],
            municipalities: vec![(municipality, "Leiden".into())],
            in_region: vec![municipality.to_string()],
        }
    }

    fn tr() -> Tr {
        Tr::new(Arc::new(I18n::load().unwrap()), Lang::Nl)
    }

    fn good(location: Uuid, municipality: Uuid) -> ServiceForm {
        ServiceForm {
            naam: " Logeerhuis De Linde ".into(),
            beschrijving: "Een weekend logeren, zodat u even op adem komt.".into(),
            status: "active".into(),
            categorie: vec!["logeeropvang".into(), "doelgroep-ouderen".into()],
            financiering: vec!["wlz".into(), "wmo".into()],
            taal: vec!["nl".into()],
            telefoon: vec!["071 123 45 67".into(), String::new()],
            telefoon_bij: vec!["Algemeen".into(), String::new()],
            dag: vec!["vr".into(), "ma".into(), String::new()],
            open: vec!["09:00".into(), "10:00".into(), String::new()],
            dicht: vec!["17:00".into(), "12:00".into(), String::new()],
            locatie: vec![location.to_string()],
            gemeente: vec![municipality.to_string()],
            leeftijd_van: "18".into(),
            online: "ja".into(),
            ..ServiceForm::default()
        }
    }

    #[test]
    fn a_complete_form_becomes_a_normalised_draft() {
        let (l, m) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let draft = check(&good(l, m), &ctx(l, m), &tr(), Uuid::nil()).unwrap();
        assert_eq!(draft.name, "Logeerhuis De Linde");
        assert_eq!(draft.funding, vec![Funding::Wmo, Funding::Wlz]);
        assert_eq!(draft.hours.len(), 2);
        assert_eq!(draft.hours[0].to_string(), "ma 10:00-12:00");
        assert_eq!(draft.phones.len(), 1);
        assert_eq!(draft.location_ids, vec![l]);
        assert_eq!(draft.area_ids, vec![m]);
        assert_eq!(draft.minimum_age, Some(18));
        assert!(draft.online);
        // And back: the form of the draft checks into the same draft.
        let again = check(
            &ServiceForm::from_draft(&draft),
            &ctx(l, m),
            &tr(),
            Uuid::nil(),
        )
        .unwrap();
        assert_eq!(again, draft);
    }

    #[test]
    fn every_problem_is_named_at_its_field() {
        let (l, m) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let mut form = good(l, m);
        form.naam = "x".into();
        form.website = "javascript:alert(1)".into();
        form.email = "a@@b".into();
        form.leeftijd_van = "70".into();
        form.leeftijd_tot = "60".into();
        form.categorie = vec!["doelgroep-ouderen".into()];
        form.telefoon = vec!["bel maar".into()];
        form.dag = vec!["ma".into(), "di".into()];
        form.open = vec!["17:00".into(), "9 uur".into()];
        form.dicht = vec!["09:00".into(), "12:00".into()];
        form.locatie = vec![Uuid::from_u128(99).to_string()];
        form.gemeente = vec!["GM0546".into()];
        form.status = "weg".into();
        let errors = check(&form, &ctx(l, m), &tr(), Uuid::nil()).unwrap_err();
        let fields: Vec<&str> = errors.list().iter().map(|(f, _)| f.as_str()).collect();
        for field in [
            "naam",
            "website",
            "email",
            "status",
            "leeftijd_tot",
            "categorie",
            "telefoon-0",
            "dicht-0",
            "open-1",
            "locatie",
            "gemeente",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        assert!(errors.get("naam").unwrap().contains("naam"));
        let first_closing = ["dicht", "0"].join("-");
        assert!(
            errors
                .get(&first_closing)
                .unwrap()
                .contains("openingstijd 1")
        );
    }
}
