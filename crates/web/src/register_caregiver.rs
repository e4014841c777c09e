//! A professional registers a caregiver they support, with the caregiver's verbal consent recorded
//! under the professional's name. The caregiver gets an invitation to set a password when they have
//! an e-mail address; without one, the professional's network membership is what keeps them in view.
//!
//! Written in one transaction: person, account, network, consent, membership, invitation e-mail
//! and the audit record.

use crate::AppState;
use crate::access::{Subject, decide};
use crate::errors::AppError;
use crate::forms::Form;
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use mantelkring_core::access::{Action, DataCategory, Resource, may};
use mantelkring_core::base::Role;
use mantelkring_core::identity::Email;
use mantelkring_core::network::{Field, MemberKind, NotifyMode, Relation};
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::identity::{self, LinkPurpose};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "register_caregiver.html")]
struct RegisterCaregiverPage {
    page: Page,
    form: CaregiverForm,
    categories: Vec<(&'static str, String, bool)>,
    relations: Vec<(&'static str, String, bool)>,
    message: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct CaregiverForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    telefoon: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    zien: Vec<String>,
    #[serde(default)]
    toestemming: String,
    #[serde(default)]
    naaste_voornaam: String,
    #[serde(default)]
    naaste_achternaam: String,
    #[serde(default)]
    naaste_relatie: String,
    #[serde(default)]
    naaste_geboortejaar: String,
}

fn page(
    request: &PageRequest,
    form: CaregiverForm,
    message: Option<String>,
) -> RegisterCaregiverPage {
    RegisterCaregiverPage {
        page: request.page("register-caregiver-title"),
        categories: DataCategory::GRANTABLE
            .into_iter()
            .map(|c| {
                let name = c.as_str();
                (
                    name,
                    request
                        .tr
                        .t(&format!("category-{}", name.replace('_', "-"))),
                    form.zien.iter().any(|z| z == name),
                )
            })
            .collect(),
        relations: Relation::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    crate::network::labels::relation(&request.tr, *r),
                    form.naaste_relatie == r.as_str(),
                )
            })
            .collect(),
        form,
        message,
    }
}

/// Refuses (and logs) anyone the policy does not let register a caregiver.
async fn check_allowed(
    state: &AppState,
    request: &PageRequest,
) -> Result<crate::identity::Authenticated, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    if may(Some(&user.actor), Action::Create, &Resource::NewCaregiver).is_allowed() {
        return Ok(user);
    }
    let tx = state.store().begin_write().await?;
    decide(
        state,
        tx,
        &user,
        Action::Create,
        &Resource::NewCaregiver,
        &Subject {
            person_id: None,
            categories: "basic",
        },
        &request.path,
    )
    .await?;
    Err(AppError::Forbidden)
}

pub async fn form(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    check_allowed(&state, &request).await?;
    let form = CaregiverForm {
        zien: DataCategory::GRANTABLE
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        ..Default::default()
    };
    Ok(Html(page(&request, form, None).render()?))
}

/// A Dutch postcode, `1234 AB` or `1234AB`, stored as `1234 AB`.
fn valid_postcode(input: &str) -> Option<String> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let (digits, letters) = compact.split_at_checked(4)?;
    let ok = digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
        && letters.len() == 2
        && letters.bytes().all(|b| b.is_ascii_alphabetic());
    ok.then(|| format!("{digits} {}", letters.to_ascii_uppercase()))
}

/// A phone number: digits, spaces, `+`, `-`, `(`, `)`; 10 to 15 digits.
fn valid_phone(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    let ok = (10..=15).contains(&digits)
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
    ok.then(|| trimmed.to_string())
}

struct ValidCaregiver {
    name: String,
    email: Option<Email>,
    phone: Option<String>,
    postcode: Option<String>,
    categories: Vec<DataCategory>,
    /// The person they care for, when filled in.
    naaste: Option<(String, String, Relation, Option<i64>)>,
}

fn validate(form: &CaregiverForm) -> Result<ValidCaregiver, &'static str> {
    let name = crate::forms::valid_name(&form.naam).ok_or("register-caregiver-name-missing")?;
    let email = match form.email.trim() {
        "" => None,
        e => Some(Email::parse(e).map_err(|_| "login-invalid-email")?),
    };
    let phone = match form.telefoon.trim() {
        "" => None,
        p => Some(valid_phone(p).ok_or("register-caregiver-phone-invalid")?),
    };
    let postcode = match form.postcode.trim() {
        "" => None,
        p => Some(valid_postcode(p).ok_or("register-caregiver-postcode-invalid")?),
    };
    let mut categories = Vec::new();
    for name in &form.zien {
        match DataCategory::parse(name).filter(|c| DataCategory::GRANTABLE.contains(c)) {
            Some(c) if !categories.contains(&c) => categories.push(c),
            Some(_) => {}
            None => return Err("register-caregiver-category-invalid"),
        }
    }
    if form.toestemming != "mondeling" {
        return Err("register-caregiver-consent-missing");
    }
    let naaste = if form.naaste_voornaam.trim().is_empty() {
        None
    } else {
        let this_year = mantelkring_core::time::date(mantelkring_core::time::now_ms())[..4]
            .parse::<i64>()
            .unwrap_or(2026);
        Some(crate::network::validate_naaste(
            &form.naaste_voornaam,
            &form.naaste_achternaam,
            &form.naaste_relatie,
            &form.naaste_geboortejaar,
            this_year,
        )?)
    };
    Ok(ValidCaregiver {
        name,
        email,
        phone,
        postcode,
        categories,
        naaste,
    })
}

pub async fn register(
    State(state): State<AppState>,
    request: PageRequest,
    Form(form): Form<CaregiverForm>,
) -> Result<Response, AppError> {
    let professional = check_allowed(&state, &request).await?;
    let retry = |key: &str| {
        crate::accounts::message_page(
            StatusCode::BAD_REQUEST,
            page(&request, form.clone(), Some(request.tr.t(key))),
        )
    };
    let valid = match validate(&form) {
        Ok(v) => v,
        Err(key) => return Ok(retry(key)),
    };
    let store = state.store();
    if let Some(email) = &valid.email
        && base::find_user_by_email(store, email.as_str())
            .await?
            .is_some()
    {
        return Ok(retry("register-caregiver-email-exists"));
    }
    // The organisation the professional works for, as written on the membership.
    let organisation = professional
        .actor
        .memberships
        .iter()
        .find(|(_, r)| *r == Role::Professional)
        .map(|(o, _)| o.clone());
    let mut tx = store.begin_write().await?;
    let (given, family) = valid
        .name
        .split_once(' ')
        .unwrap_or((valid.name.as_str(), ""));
    let person_id = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: given,
            family_name: family,
            email: valid.email.as_ref().map(Email::as_str),
            phone: valid.phone.as_deref(),
            postcode: valid.postcode.as_deref(),
            municipality_id: None,
        },
    )
    .await?;
    let (mut tx, _) = decide(
        &state,
        tx,
        &professional,
        Action::Create,
        &Resource::NewCaregiver,
        &Subject {
            person_id: Some(&person_id),
            categories: "basic,contact",
        },
        &request.path,
    )
    .await?;
    if let Some(email) = &valid.email {
        let user_id = base::insert_user(
            &mut tx,
            &NewUser {
                email: email.as_str(),
                display_name: &valid.name,
                person_id: Some(&person_id),
                password_hash: None,
                totp_secret: None,
            },
        )
        .await?;
        identity::add_personal_role(&mut tx, &user_id, Role::Caregiver).await?;
        mantelkring_store::admin::set_invited_by(&mut tx, &user_id, &professional.actor.user_id)
            .await?;
        crate::accounts::send_link(
            &state,
            &mut tx,
            &user_id,
            email.as_str(),
            LinkPurpose::Invitation,
            request.tr.t("mail-invite-caregiver-subject"),
            request.tr.t1(
                "mail-invite-caregiver-body",
                "name",
                &professional.display_name,
            ),
        )
        .await?;
    }
    let network_id = network::network_of(&mut tx, &person_id).await?;
    let consent = network::record_consent(
        &mut tx,
        &person_id,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Verbal,
        &professional.actor.user_id,
    )
    .await?;
    let field = match organisation.as_deref() {
        Some(org) => members::organisation_kind(&mut tx, org)
            .await?
            .map(Field::of_organisation),
        None => None,
    };
    // Without an e-mail address the caregiver cannot log in: the professional who registered
    // them acts on their behalf (with the verbal consent just recorded), and it shows.
    members::add(
        &mut tx,
        &NewMember {
            network_id: &network_id,
            user_id: &professional.actor.user_id,
            organisation_id: organisation.as_deref(),
            kind: MemberKind::Professional,
            field: Some(field.unwrap_or(Field::Welfare)),
            role_label: "",
            categories: &valid.categories,
            notify: NotifyMode::Digest,
            acts_for_caregiver: valid.email.is_none(),
        },
        &consent,
        By {
            user_id: &professional.actor.user_id,
            on_behalf: false,
        },
    )
    .await?;
    if let Some((given, family, relation, birth_year)) = &valid.naaste {
        members::add_naaste(&mut tx, &network_id, given, family, *relation, *birth_year).await?;
    }
    crate::accounts::commit(&state, tx).await?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/personen/{person_id}"))],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_normalised_or_refused() {
        assert_eq!(valid_postcode("2311ab").as_deref(), Some("2311 AB"));
        assert_eq!(valid_postcode(" 2311 AB ").as_deref(), Some("2311 AB"));
        assert_eq!(valid_postcode("0311 AB"), None);
        assert_eq!(valid_postcode("23111"), None);
        assert_eq!(valid_postcode("2311 A1"), None);
        assert_eq!(valid_postcode("é"), None);
    }

    #[test]
    fn phone_numbers_need_ten_to_fifteen_digits() {
        assert_eq!(
            valid_phone("071 - 123 45 67").as_deref(),
            Some("071 - 123 45 67")
        );
        assert_eq!(
            valid_phone("+31 71 123 4567").as_deref(),
            Some("+31 71 123 4567")
        );
        assert_eq!(valid_phone("12345"), None);
        assert_eq!(valid_phone("071 123 45 67; drop"), None);
    }

    #[test]
    fn consent_must_be_confirmed_and_categories_must_be_grantable() {
        let mut form = CaregiverForm {
            naam: "Ria de Vries".into(),
            toestemming: "mondeling".into(),
            zien: vec!["contact".into(), "contact".into()],
            ..Default::default()
        };
        assert_eq!(
            validate(&form).unwrap().categories,
            vec![DataCategory::Contact]
        );
        form.zien = vec!["access_log".into()];
        assert_eq!(
            validate(&form).err(),
            Some("register-caregiver-category-invalid")
        );
        form.zien.clear();
        form.toestemming.clear();
        assert_eq!(
            validate(&form).err(),
            Some("register-caregiver-consent-missing")
        );
    }
}
