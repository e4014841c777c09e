//! Pages with a person's data. Each one goes through `access::decide`, which asks the policy and
//! writes the audit record in the same transaction as the read.

use crate::AppState;
use crate::access::{Subject, also_sees, decide};
use crate::errors::AppError;
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use mantelkring_core::access::{Action, DataCategory, Relationship, Resource};
use mantelkring_store::{audit, network};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    name: String,
    email: String,
    roles: Vec<String>,
    second_factor: bool,
    /// Whether to link to the API tokens page (the user's roles allow a scope).
    api_tokens: bool,
}

/// The logged-in user's own account.
pub async fn account(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let own = Relationship {
        is_self: true,
        network_member: None,
        ..Default::default()
    };
    let person_id = user.actor.person_id.clone();
    let tx = state.store().begin_write().await?;
    let (tx, _) = decide(
        &state,
        tx,
        &user,
        Action::Read,
        &Resource::PersonData {
            category: DataCategory::Basic,
            relationship: &own,
        },
        &Subject {
            person_id: person_id.as_deref(),
            categories: "basic",
        },
        &request.path,
    )
    .await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let email = mantelkring_store::base::user_email(state.store(), &user.actor.user_id)
        .await?
        .unwrap_or_default();
    let roles = user
        .actor
        .personal_roles
        .iter()
        .chain(user.actor.memberships.iter().map(|(_, r)| r))
        .map(|r| {
            request
                .tr
                .t(&format!("role-{}", r.as_str().replace('_', "-")))
        })
        .collect();
    let page = AccountPage {
        page: request.page("account-title"),
        name: user.display_name.clone(),
        email,
        roles,
        second_factor: user.actor.second_factor,
        api_tokens: crate::api_tokens::may_manage(&user),
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    page: Page,
    name: String,
    municipality: String,
    contact: Option<ContactView>,
}

struct ContactView {
    email: String,
    phone: String,
    postcode: String,
}

/// A caregiver's page, for the caregiver and the members of their network.
pub async fn person(
    State(state): State<AppState>,
    request: PageRequest,
    Path(person_id): Path<String>,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let relationship = network::relationship(state.store(), &user.actor, &person_id).await?;
    let with_contact = also_sees(&user, &relationship, DataCategory::Contact);
    let categories = if with_contact {
        "basic,contact"
    } else {
        "basic"
    };
    let tx = state.store().begin_write().await?;
    let (mut tx, _) = decide(
        &state,
        tx,
        &user,
        Action::Read,
        &Resource::PersonData {
            category: DataCategory::Basic,
            relationship: &relationship,
        },
        &Subject {
            person_id: Some(&person_id),
            categories,
        },
        &request.path,
    )
    .await?;
    let record = network::person(&mut tx, &person_id).await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let record = record.ok_or(AppError::NotFound)?;
    let dash = || "—".to_string();
    let page = PersonPage {
        page: Page::new(
            request.tr.clone(),
            &request.path,
            &request.csrf,
            format!("{} {}", record.given_name, record.family_name),
            request.user.as_ref(),
        ),
        name: format!("{} {}", record.given_name, record.family_name),
        municipality: record.municipality.clone().unwrap_or_else(dash),
        contact: with_contact.then(|| ContactView {
            email: record.email.clone().unwrap_or_else(dash),
            phone: record.phone.clone().unwrap_or_else(dash),
            postcode: record.postcode.clone().unwrap_or_else(dash),
        }),
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct AccessLogPage {
    page: Page,
    entries: Vec<AccessLine>,
}

struct AccessLine {
    when: String,
    organisation: String,
    role: String,
    what: String,
}

/// "Wie heeft mijn gegevens bekeken": organisation, role, what and when; never an employee's name.
pub async fn my_access_log(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let Some(person_id) = user.actor.person_id.clone() else {
        return Err(AppError::NotFound);
    };
    let own = Relationship {
        is_self: true,
        network_member: None,
        ..Default::default()
    };
    let tx = state.store().begin_write().await?;
    let (tx, _) = decide(
        &state,
        tx,
        &user,
        Action::Read,
        &Resource::PersonData {
            category: DataCategory::AccessLog,
            relationship: &own,
        },
        &Subject {
            person_id: Some(&person_id),
            categories: "access_log",
        },
        &request.path,
    )
    .await?;
    tx.commit()
        .await
        .map_err(mantelkring_store::StoreError::from)?;
    let tr = &request.tr;
    let entries = audit::accesses_by_others(state.store(), &person_id, 200)
        .await?
        .into_iter()
        .map(|a| AccessLine {
            when: format_time(a.occurred_at),
            organisation: a
                .organisation_name
                .unwrap_or_else(|| tr.t("access-log-no-organisation")),
            role: a
                .user_role
                .map(|r| tr.t(&format!("role-{}", r.replace('_', "-"))))
                .unwrap_or_default(),
            what: format!(
                "{}: {}",
                tr.t(&format!("action-{}", a.action)),
                a.data_category
                    .unwrap_or_default()
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| tr.t(&format!("category-{}", c.replace('_', "-"))))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect();
    Ok(Html(
        AccessLogPage {
            page: request.page("access-log-title"),
            entries,
        }
        .render()?,
    ))
}

/// The date part of [`format_time`]: `24-11-2026`.
pub fn format_date(ms: i64) -> String {
    let full = format_time(ms);
    full.split(' ').next().unwrap_or(&full).to_string()
}

/// Milliseconds since the epoch as `24-11-2026 14:05 (UTC)`.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}-{month:02}-{year} {:02}:{:02} (UTC)",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_as_dutch_dates() {
        assert_eq!(super::format_time(0), "01-01-1970 00:00 (UTC)");
        assert_eq!(
            super::format_time(1_795_526_700_000),
            "24-11-2026 13:25 (UTC)"
        );
        assert_eq!(
            super::format_time(951_782_400_000),
            "29-02-2000 00:00 (UTC)"
        );
    }
}
