//! The kring's care agenda in the store: agreements, one-off and weekly tasks, sign-ups for one
//! occurrence, the occurrences of a period and the unfilled pass, the same on both backends.

use crate::on_every_backend;
use mantelkring_core::access::DataCategory;
use mantelkring_core::network::agenda::{ClockTime, Day, Schedule};
use mantelkring_core::network::{MemberKind, NotifyMode};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::network::agenda::{
    self, AgendaRefusal, NewAgreement, NewTask, TaskOccurrence, Who,
};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::{self, ConsentMethod};
use mantelkring_store::{Conn, Store};

struct World {
    network: String,
    other_network: String,
    caregiver_user: String,
    /// Active members: Sanne, Joost.
    sanne: String,
    joost: String,
}

async fn user(conn: &mut Conn, email: &str, name: &str, person: Option<&str>) -> String {
    base::insert_user(
        conn,
        &NewUser {
            email,
            display_name: name,
            person_id: person,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap()
}

async fn caregiver(conn: &mut Conn, given: &str, email: &str) -> (String, String) {
    let person = base::insert_person(
        conn,
        &NewPerson {
            given_name: given,
            family_name: "de Vries",
            email: None,
            phone: None,
            postcode: None,
            municipality_id: None,
        },
    )
    .await
    .unwrap();
    let user_id = user(conn, email, &format!("{given} de Vries"), Some(&person)).await;
    let network_id = network::network_of(conn, &person).await.unwrap();
    (network_id, user_id)
}

async fn member(conn: &mut Conn, network_id: &str, caregiver_user: &str, user_id: &str) -> String {
    let person: (String,) =
        sqlx::query_as("SELECT caregiver_person_id FROM networks WHERE id = $1")
            .bind(network_id)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let consent = network::record_consent(
        conn,
        &person.0,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Online,
        caregiver_user,
    )
    .await
    .unwrap();
    members::add(
        conn,
        &NewMember {
            network_id,
            user_id,
            organisation_id: None,
            kind: MemberKind::Own,
            field: None,
            role_label: "",
            categories: &[DataCategory::Agenda],
            notify: NotifyMode::Off,
            acts_for_caregiver: false,
        },
        &consent,
        By {
            user_id: caregiver_user,
            on_behalf: false,
        },
    )
    .await
    .unwrap()
}

async fn world(store: &Store) -> World {
    let mut tx = store.begin_write().await.unwrap();
    let (network, caregiver_user) = caregiver(&mut tx, "Ria", "ria@example.nl").await;
    let (other_network, other_user) = caregiver(&mut tx, "Els", "els@example.nl").await;
    let sanne_user = user(&mut tx, "sanne@example.nl", "Sanne de Vries", None).await;
    let joost_user = user(&mut tx, "joost@example.nl", "Joost Bakker", None).await;
    let sanne = member(&mut tx, &network, &caregiver_user, &sanne_user).await;
    let joost = member(&mut tx, &network, &caregiver_user, &joost_user).await;
    // Joost is in Els's network too, which must never mix with Ria's.
    member(&mut tx, &other_network, &other_user, &joost_user).await;
    tx.commit().await.unwrap();
    World {
        network,
        other_network,
        caregiver_user,
        sanne,
        joost,
    }
}

fn today() -> Day {
    Day::local(now_ms())
}

fn by(user_id: &str) -> By<'_> {
    By {
        user_id,
        on_behalf: false,
    }
}

#[allow(clippy::too_many_arguments)]
async fn task(
    store: &Store,
    network_id: &str,
    by_user: &str,
    title: &str,
    schedule: Schedule,
    start: Option<&str>,
    needed: u32,
) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let id = agenda::add_task(
        &mut tx,
        &NewTask {
            network_id,
            title,
            details: "",
            schedule,
            start: start.map(|s| ClockTime::parse(s).unwrap()),
            end: None,
            needed,
        },
        by(by_user),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn summary(list: &[TaskOccurrence]) -> Vec<(i64, String, usize)> {
    let t0 = today().0;
    list.iter()
        .map(|o| (o.day.0 - t0, o.title.clone(), o.signed_up.len()))
        .collect()
}

#[tokio::test]
async fn agreements_are_recorded_listed_reviewed_and_ended() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let t = today();
        let mut tx = store.begin_write().await.unwrap();
        let with_sanne = agenda::add_agreement(
            &mut tx,
            &NewAgreement {
                network_id: &w.network,
                what: "Boodschappen op dinsdag",
                who: Who::Member(&w.sanne),
                starts_on: t.plus(-30),
                review_on: Some(t),
            },
            by(&w.caregiver_user),
        )
        .await
        .unwrap()
        .unwrap();
        let with_text = agenda::add_agreement(
            &mut tx,
            &NewAgreement {
                network_id: &w.network,
                what: "Medicijnen klaarzetten",
                who: Who::Text("De thuiszorg"),
                starts_on: t.plus(2),
                review_on: Some(t.plus(60)),
            },
            by(&w.caregiver_user),
        )
        .await
        .unwrap()
        .unwrap();
        // A member of another network cannot be named.
        let (_, els_member): (String, String) =
            sqlx::query_as("SELECT network_id, id FROM network_members WHERE network_id = $1")
                .bind(&w.other_network)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        let refused = agenda::add_agreement(
            &mut tx,
            &NewAgreement {
                network_id: &w.network,
                what: "Iets",
                who: Who::Member(&els_member),
                starts_on: t,
                review_on: None,
            },
            by(&w.caregiver_user),
        )
        .await
        .unwrap();
        assert_eq!(refused, Err(AgendaRefusal::NotActiveMember));
        tx.commit().await.unwrap();

        let mut conn = store.pool().acquire().await.unwrap();
        let list = agenda::agreements(&mut conn, &w.network, t).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, with_sanne);
        assert_eq!(list[0].who, "Sanne de Vries");
        assert_eq!(list[0].who_member_id.as_deref(), Some(w.sanne.as_str()));
        assert!(list[0].to_review, "review date today: to review");
        assert_eq!(list[0].created_by, "Ria de Vries");
        assert_eq!(list[1].id, with_text);
        assert_eq!(list[1].who, "De thuiszorg");
        assert_eq!(list[1].starts_on, t.plus(2));
        assert!(!list[1].to_review);
        assert!(
            agenda::agreements(&mut conn, &w.other_network, t)
                .await
                .unwrap()
                .is_empty()
        );
        drop(conn);

        let mut tx = store.begin_write().await.unwrap();
        assert!(
            !agenda::end_agreement(&mut tx, &w.other_network, &with_sanne)
                .await
                .unwrap(),
            "not through another network"
        );
        assert!(
            agenda::end_agreement(&mut tx, &w.network, &with_sanne)
                .await
                .unwrap()
        );
        assert!(
            !agenda::end_agreement(&mut tx, &w.network, &with_sanne)
                .await
                .unwrap(),
            "once"
        );
        assert!(
            agenda::agreement(&mut tx, &w.network, &with_sanne, t)
                .await
                .unwrap()
                .is_none()
        );
        let left = agenda::agreements(&mut tx, &w.network, t).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, with_text);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn one_off_and_weekly_tasks_give_their_occurrences_in_order() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let t = today();
        task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Naar de huisarts",
            Schedule::Once { on: t.plus(3) },
            Some("10:30"),
            1,
        )
        .await;
        task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Boodschappen",
            Schedule::Weekly {
                from: t.plus(1),
                until: Some(t.plus(15)),
            },
            Some("09:00"),
            1,
        )
        .await;
        let walk = task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Wandelen",
            Schedule::Weekly {
                from: t.plus(-6),
                until: None,
            },
            None,
            2,
        )
        .await;
        task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Verleden",
            Schedule::Once { on: t.plus(-1) },
            None,
            1,
        )
        .await;
        // Another network's task never shows.
        task(
            &store,
            &w.other_network,
            &w.caregiver_user,
            "Bij Els",
            Schedule::Once { on: t.plus(1) },
            None,
            1,
        )
        .await;

        let mut conn = store.pool().acquire().await.unwrap();
        let list = agenda::occurrences(&mut conn, &w.network, t, t.plus(16))
            .await
            .unwrap();
        let s = |d: i64, title: &str| (d, title.to_string(), 0);
        assert_eq!(
            summary(&list),
            vec![
                s(1, "Wandelen"),
                s(1, "Boodschappen"),
                s(3, "Naar de huisarts"),
                s(8, "Wandelen"),
                s(8, "Boodschappen"),
                s(15, "Wandelen"),
                s(15, "Boodschappen"),
            ],
            "by day, then start time (none first), then title"
        );
        let first = &list[1];
        assert!(first.weekly);
        assert_eq!(first.start, ClockTime::parse("09:00"));
        assert_eq!(list[2].start.map(ClockTime::hhmm).as_deref(), Some("10:30"));
        assert!(!list[2].weekly);
        assert_eq!(list[0].needed, 2);
        assert!(list.iter().all(|o| !o.help_wanted));

        // A task that is cancelled is gone from the agenda.
        let tasks = agenda::tasks(&mut conn, &w.network, t).await.unwrap();
        assert_eq!(
            tasks.len(),
            3,
            "the past one-off is not among today's tasks"
        );
        drop(conn);
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            !agenda::cancel_task(&mut tx, &w.other_network, &walk)
                .await
                .unwrap()
        );
        assert!(
            agenda::cancel_task(&mut tx, &w.network, &walk)
                .await
                .unwrap()
        );
        assert!(
            !agenda::cancel_task(&mut tx, &w.network, &walk)
                .await
                .unwrap()
        );
        assert!(
            agenda::task(&mut tx, &w.network, &walk)
                .await
                .unwrap()
                .is_none()
        );
        let list = agenda::occurrences(&mut tx, &w.network, t, t.plus(16))
            .await
            .unwrap();
        assert!(list.iter().all(|o| o.title != "Wandelen"));
        assert_eq!(list.len(), 4);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn members_sign_up_for_one_occurrence_and_withdraw() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let t = today();
        let shop = task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Boodschappen",
            Schedule::Weekly {
                from: t.plus(-7),
                until: None,
            },
            Some("09:00"),
            1,
        )
        .await;
        let els_task = task(
            &store,
            &w.other_network,
            &w.caregiver_user,
            "Bij Els",
            Schedule::Once { on: t.plus(1) },
            None,
            1,
        )
        .await;
        let mut tx = store.begin_write().await.unwrap();
        let day = t.plus(7);
        agenda::sign_up(&mut tx, &w.network, &shop, day, &w.sanne, t)
            .await
            .unwrap()
            .unwrap();
        let refusal =
            |r: mantelkring_store::Result<Result<String, AgendaRefusal>>| r.unwrap().err();
        assert_eq!(
            refusal(agenda::sign_up(&mut tx, &w.network, &shop, day, &w.sanne, t).await),
            Some(AgendaRefusal::AlreadySignedUp)
        );
        assert_eq!(
            refusal(agenda::sign_up(&mut tx, &w.network, &shop, day, &w.joost, t).await),
            Some(AgendaRefusal::Full),
            "one person needed, one signed up"
        );
        assert_eq!(
            refusal(agenda::sign_up(&mut tx, &w.network, &shop, t.plus(8), &w.joost, t).await),
            Some(AgendaRefusal::NotOnSchedule)
        );
        assert_eq!(
            refusal(agenda::sign_up(&mut tx, &w.network, &shop, t.plus(-7), &w.joost, t).await),
            Some(AgendaRefusal::InThePast)
        );
        assert_eq!(
            refusal(agenda::sign_up(&mut tx, &w.network, &els_task, t.plus(1), &w.joost, t).await),
            Some(AgendaRefusal::NoSuchTask),
            "a task of another network, through this one"
        );
        assert_eq!(
            refusal(
                agenda::sign_up(&mut tx, &w.other_network, &els_task, t.plus(1), &w.sanne, t).await
            ),
            Some(AgendaRefusal::NotActiveMember),
            "Sanne is not in Els's network"
        );
        let list = agenda::occurrences(&mut tx, &w.network, day, day)
            .await
            .unwrap();
        assert_eq!(
            list[0].signed_up,
            vec![(w.sanne.clone(), "Sanne de Vries".to_string())]
        );

        // Withdrawn: the place is free again, and she may sign up again later.
        agenda::withdraw(&mut tx, &w.network, &shop, day, &w.sanne, t)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            agenda::withdraw(&mut tx, &w.network, &shop, day, &w.sanne, t)
                .await
                .unwrap(),
            Err(AgendaRefusal::NotSignedUp)
        );
        let list = agenda::occurrences(&mut tx, &w.network, day, day)
            .await
            .unwrap();
        assert!(list[0].signed_up.is_empty());
        agenda::sign_up(&mut tx, &w.network, &shop, day, &w.joost, t)
            .await
            .unwrap()
            .unwrap();
        agenda::sign_up(&mut tx, &w.network, &shop, day.plus(7), &w.sanne, t)
            .await
            .unwrap()
            .unwrap();
        // A member who leaves no longer fills the task.
        members::remove(&mut tx, &w.network, &w.joost, by(&w.caregiver_user))
            .await
            .unwrap();
        let list = agenda::occurrences(&mut tx, &w.network, day, day.plus(7))
            .await
            .unwrap();
        assert!(list[0].signed_up.is_empty(), "Joost left");
        assert_eq!(list[1].signed_up.len(), 1);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_unfilled_pass_marks_tasks_that_stay_unfilled_and_clears_them() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let t = today();
        let lonely = task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Naar het ziekenhuis",
            Schedule::Once { on: t.plus(4) },
            Some("13:00"),
            1,
        )
        .await;
        let filled = task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Boodschappen",
            Schedule::Once { on: t.plus(2) },
            None,
            1,
        )
        .await;
        let fresh = task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Nieuw",
            Schedule::Once { on: t.plus(2) },
            None,
            1,
        )
        .await;
        let far = task(
            &store,
            &w.network,
            &w.caregiver_user,
            "Over twee weken",
            Schedule::Once { on: t.plus(14) },
            None,
            1,
        )
        .await;
        let now = now_ms();
        let mut tx = store.begin_write().await.unwrap();
        for id in [&lonely, &filled, &far] {
            sqlx::query("UPDATE network_tasks SET created_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now - 4 * 86_400_000)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        agenda::sign_up(&mut tx, &w.network, &filled, t.plus(2), &w.sanne, t)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(agenda::mark_unfilled(&mut tx, now).await.unwrap(), 1);
        assert_eq!(
            agenda::mark_unfilled(&mut tx, now).await.unwrap(),
            0,
            "marked once"
        );
        let wanted = agenda::help_wanted_tasks(&mut tx, 10).await.unwrap();
        assert_eq!(wanted, vec![(w.network.clone(), lonely.clone(), now)]);
        assert!(
            wanted
                .iter()
                .all(|w| w.1 != fresh && w.1 != filled && w.1 != far),
            "not the new one, the filled one, nor the one beyond the horizon"
        );
        let list = agenda::occurrences(&mut tx, &w.network, t, t.plus(7))
            .await
            .unwrap();
        let hospital = list.iter().find(|o| o.task_id == lonely).unwrap();
        assert!(hospital.help_wanted);
        assert!(
            list.iter()
                .filter(|o| o.task_id != lonely)
                .all(|o| !o.help_wanted)
        );

        // Someone signs up: the mark goes at once.
        agenda::sign_up(&mut tx, &w.network, &lonely, t.plus(4), &w.joost, t)
            .await
            .unwrap()
            .unwrap();
        assert!(
            agenda::help_wanted_tasks(&mut tx, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // They withdraw: the next pass marks it again; cancelling clears it.
        agenda::withdraw(&mut tx, &w.network, &lonely, t.plus(4), &w.joost, t)
            .await
            .unwrap()
            .unwrap();
        agenda::mark_unfilled(&mut tx, now).await.unwrap();
        assert_eq!(
            agenda::help_wanted_tasks(&mut tx, 10).await.unwrap().len(),
            1
        );
        assert!(
            agenda::cancel_task(&mut tx, &w.network, &lonely)
                .await
                .unwrap()
        );
        assert!(
            agenda::help_wanted_tasks(&mut tx, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(agenda::mark_unfilled(&mut tx, now).await.unwrap(), 0);
        // Ten days later the far task comes within the horizon.
        assert_eq!(
            agenda::mark_unfilled(&mut tx, now + 10 * 86_400_000)
                .await
                .unwrap(),
            1
        );
        let wanted = agenda::help_wanted_tasks(&mut tx, 10).await.unwrap();
        assert_eq!(wanted.len(), 1);
        assert_eq!(wanted[0].1, far);
        tx.commit().await.unwrap();
    })
    .await;
}
