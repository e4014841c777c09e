//! The first thing a member sees: the circles picture of the network with the same information
//! as a list, a mark when there is no regiehouder, today's tasks (with a sign-up button) and the
//! unanswered questions. `/kring` lists the visitor's networks (and takes a caregiver to theirs).

use super::members::{CircleGroup, circle_groups};
use super::regie::QuestionView;
use super::{Kring, KringNav, labels, open, path};
use crate::AppState;
use crate::access::{Subject, decide};
use crate::errors::AppError;
use crate::identity::require_user;
use crate::pages::{Page, PageRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use mantelkring_core::access::{Action, DataCategory, Resource};
use mantelkring_core::base::Role;
use mantelkring_core::network::MemberStatus;
use mantelkring_core::network::agenda::{Day, is_overdue};
use mantelkring_core::network::circles::{CircleLabels, CirclePerson, CirclesInput, svg};
use mantelkring_core::time::now_ms;
use mantelkring_store::Conn;
use mantelkring_store::network::{self, agenda, members, regie, timeline};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kring", get(mine))
        .route("/kringen/{id}", get(show))
}

/// The open questions the visitor may see, or `None` without the Messages category. The
/// caregiver, who acts for them and the regiehouder see every open question; others see those
/// they can see on the timeline.
pub async fn open_questions(
    conn: &mut Conn,
    kring: &Kring,
    is_regiehouder: bool,
) -> Result<Option<Vec<QuestionView>>, AppError> {
    if !kring.sees(DataCategory::Messages) {
        return Ok(None);
    }
    let viewer = timeline::Viewer {
        user_id: kring.user.actor.user_id.clone(),
        member_id: kring.standing.member_id.clone(),
        sees_all: kring.speaks_for_caregiver() || is_regiehouder,
    };
    let today = Day::local(now_ms());
    let questions = timeline::open_questions(conn, &kring.network.id, &viewer).await?;
    Ok(Some(
        questions
            .into_iter()
            .map(|q| QuestionView {
                overdue: q.answer_by.is_some_and(|d| is_overdue(d, false, today)),
                answer_by: q.answer_by.map(short_date).unwrap_or_default(),
                body: q.body,
                asked_by: q.asked_by,
                assigned_to: q.assigned_to.unwrap_or_default(),
            })
            .collect(),
    ))
}

/// `24-11-2026`.
fn short_date(day: Day) -> String {
    let iso = day.iso();
    format!("{}-{}-{}", &iso[8..10], &iso[5..7], &iso[..4])
}

/// One of today's tasks.
struct TodayTask {
    task_id: String,
    day: String,
    title: String,
    time: String,
    who: String,
    missing: u32,
    mine: bool,
    help_wanted: bool,
}

#[derive(Template)]
#[template(path = "kring_overview.html")]
struct OverviewPage {
    page: Page,
    nav: KringNav,
    base: String,
    title: String,
    picture: String,
    naasten: Vec<String>,
    circles: Vec<CircleGroup>,
    regiehouder: Option<String>,
    today: Option<Vec<TodayTask>>,
    can_sign_up: bool,
    questions: Option<Vec<QuestionView>>,
    may_export: bool,
}

pub async fn show(
    State(state): State<AppState>,
    request: PageRequest,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let (mut tx, kring) = open(
        &state,
        &user,
        &id,
        Action::Read,
        DataCategory::Basic,
        &request.path,
    )
    .await?;
    let active = members::list(&mut tx, &id, Some(MemberStatus::Active)).await?;
    let naasten = members::naasten(&mut tx, &id).await?;
    let current = regie::current(&mut tx, &id).await?;
    let is_regiehouder = current
        .as_ref()
        .is_some_and(|t| Some(t.member_id.as_str()) == kring.member_id());
    let today = Day::local(now_ms());
    let occurrences = if kring.sees(DataCategory::Agenda) {
        Some(agenda::occurrences(&mut tx, &id, today, today).await?)
    } else {
        None
    };
    let questions = open_questions(&mut tx, &kring, is_regiehouder).await?;
    crate::accounts::commit(&state, tx).await?;

    let tr = &request.tr;
    let regiehouder_member = current.as_ref().map(|t| t.member_id.as_str());
    let naaste_names: Vec<String> = naasten
        .iter()
        .map(|n| network::full_name(&n.given_name, &n.family_name))
        .collect();
    let picture = svg(
        &CirclesInput {
            id_prefix: "kring".into(),
            caregiver: kring.network.caregiver_name.clone(),
            naasten: naaste_names.clone(),
            members: active
                .iter()
                .map(|m| CirclePerson {
                    name: m.name.clone(),
                    role_label: if m.role_label.is_empty() {
                        labels::kind(tr, m.kind)
                    } else {
                        m.role_label.clone()
                    },
                    kind: m.kind,
                    field: m.field,
                    regiehouder: regiehouder_member == Some(m.id.as_str()),
                })
                .collect(),
        },
        &circle_labels(tr, &kring.network.caregiver_name),
    );
    let my_member = kring.member_id().map(str::to_string);
    let today_tasks = occurrences.map(|list| {
        list.into_iter()
            .map(|o| TodayTask {
                day: o.day.iso(),
                time: match (o.start, o.end) {
                    (Some(s), Some(e)) => format!("{}–{}", s.hhmm(), e.hhmm()),
                    (Some(s), None) => s.hhmm(),
                    _ => String::new(),
                },
                who: o
                    .signed_up
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                missing: o.needed.saturating_sub(o.signed_up.len() as u32),
                mine: my_member
                    .as_deref()
                    .is_some_and(|me| o.signed_up.iter().any(|(m, _)| m == me)),
                help_wanted: o.help_wanted,
                task_id: o.task_id,
                title: o.title,
            })
            .collect()
    });
    let page = OverviewPage {
        title: tr.t1(
            "kring-overview-title",
            "name",
            &kring.network.caregiver_name,
        ),
        page: request.page("kring-overview-page-title"),
        nav: KringNav::new(&kring, tr, ""),
        base: path(&id, ""),
        picture,
        naasten: naaste_names,
        circles: circle_groups(tr, &active, regiehouder_member),
        regiehouder: current.map(|t| t.member_name),
        today: today_tasks,
        can_sign_up: my_member.is_some() && kring.allows(Action::Create, DataCategory::Agenda),
        questions,
        may_export: kring.allows(Action::Export, DataCategory::Basic),
    };
    Ok(Html(page.render()?))
}

fn circle_labels(tr: &crate::i18n::Tr, caregiver: &str) -> CircleLabels {
    CircleLabels {
        title: tr.t1("kring-picture-title", "name", caregiver),
        description: tr.t("kring-picture-description"),
        ring_own: tr.t("kring-circle-own"),
        ring_volunteers: tr.t("kring-circle-volunteers"),
        ring_professionals: tr.t("kring-circle-professionals"),
        field_care: tr.t("kring-field-zorg"),
        field_welfare: tr.t("kring-field-welzijn"),
        field_medical: tr.t("kring-field-medisch"),
        regiehouder: tr.t("kring-regiehouder"),
        caregiver: tr.t("kring-caregiver"),
        naaste: tr.t("kring-naaste"),
    }
}

struct NetworkChoice {
    href: String,
    name: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "kring_mine.html")]
struct MinePage {
    page: Page,
    networks: Vec<NetworkChoice>,
}

/// `/kring`: a caregiver goes straight to their own network (made on first visit); someone in
/// several networks chooses one. Each listed network is a read of the caregiver's name, logged.
pub async fn mine(
    State(state): State<AppState>,
    request: PageRequest,
) -> Result<Response, AppError> {
    let user = require_user(request.user.clone(), &request.path)?;
    let is_caregiver = user.actor.has_role(Role::Caregiver);
    if is_caregiver && let Some(person_id) = &user.actor.person_id {
        let lines = network::networks_of_user(state.store(), &user.actor).await?;
        if !lines.iter().any(|l| l.member_id.is_none()) {
            // The caregiver's own network, made on their first visit.
            let mut tx = state.store().begin_write().await?;
            network::network_of(&mut tx, person_id).await?;
            crate::accounts::commit(&state, tx).await?;
        }
    }
    let lines = network::networks_of_user(state.store(), &user.actor).await?;
    if lines.len() == 1 {
        let to = path(&lines[0].network_id, "");
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response());
    }
    // The relationship facts first, then one transaction with a record per listed network.
    let mut facts = Vec::with_capacity(lines.len());
    for line in lines {
        let relationship = if line.member_id.is_none() {
            mantelkring_core::access::Relationship::own()
        } else {
            network::relationship(state.store(), &user.actor, &line.caregiver_person_id).await?
        };
        facts.push((line, relationship));
    }
    let mut tx = state.store().begin_write().await?;
    let mut networks = Vec::new();
    for (line, relationship) in facts {
        let (next, _) = decide(
            &state,
            tx,
            &user,
            Action::Read,
            &Resource::PersonData {
                category: DataCategory::Basic,
                relationship: &relationship,
            },
            &Subject {
                person_id: Some(&line.caregiver_person_id),
                categories: "basic",
            },
            &request.path,
        )
        .await?;
        tx = next;
        networks.push(NetworkChoice {
            href: path(&line.network_id, ""),
            own: line.member_id.is_none(),
            name: line.caregiver_name,
        });
    }
    crate::accounts::commit(&state, tx).await?;
    let page = MinePage {
        page: request.page("kring-mine-title"),
        networks,
    };
    Ok(Html(page.render()?).into_response())
}
