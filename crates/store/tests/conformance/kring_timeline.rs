//! The kring's timeline behaves the same on both backends: who sees which message, keyset
//! paging, questions and answers, who is e-mailed at once, and who is due which digest.

use crate::on_every_backend;
use mantelkring_core::access::DataCategory;
use mantelkring_core::network::agenda::{DEFAULT_ANSWER_DAYS, Day};
use mantelkring_core::network::{MemberKind, NotifyMode};
use mantelkring_core::time::now_ms;
use mantelkring_store::Store;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::network::members::{self, By, NewMember};
use mantelkring_store::network::timeline::{
    self, Audience, Cursor, Kind, NewPost, PAGE_SIZE, Viewer,
};
use mantelkring_store::network::{self, ConsentMethod};

struct World {
    network: String,
    other_network: String,
    ria: String,
    sanne: String,
    sanne_member: String,
    marieke: String,
    marieke_member: String,
    joost: String,
    joost_member: String,
    youssef_member: String,
    removed_member: String,
    /// Sanne's membership of the other network.
    sanne_other_member: String,
    /// Posts are stamped from here on (after everyone joined).
    t0: i64,
}

async fn user(tx: &mut mantelkring_store::Conn, name: &str, person: Option<&str>) -> String {
    let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
    base::insert_user(
        tx,
        &NewUser {
            email: &email,
            display_name: name,
            person_id: person,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap()
}

async fn person(tx: &mut mantelkring_store::Conn, given: &str, family: &str) -> String {
    base::insert_person(
        tx,
        &NewPerson {
            given_name: given,
            family_name: family,
            email: None,
            phone: None,
            postcode: None,
            municipality_id: None,
        },
    )
    .await
    .unwrap()
}

#[allow(clippy::too_many_arguments)]
async fn member(
    tx: &mut mantelkring_store::Conn,
    network_id: &str,
    caregiver_person: &str,
    caregiver_user: &str,
    user_id: &str,
    categories: &[DataCategory],
    notify: NotifyMode,
    acts: bool,
) -> String {
    let consent = network::record_consent(
        tx,
        caregiver_person,
        network::MEMBERSHIP_SCOPE,
        ConsentMethod::Online,
        caregiver_user,
    )
    .await
    .unwrap();
    members::add(
        tx,
        &NewMember {
            network_id,
            user_id,
            organisation_id: None,
            kind: MemberKind::Own,
            field: None,
            role_label: "",
            categories,
            notify,
            acts_for_caregiver: acts,
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
    use DataCategory::*;
    let mut tx = store.begin_write().await.unwrap();
    let ria_person = person(&mut tx, "Ria", "de Vries").await;
    let ria = user(&mut tx, "Ria de Vries", Some(&ria_person)).await;
    let sanne = user(&mut tx, "Sanne de Vries", None).await;
    let marieke = user(&mut tx, "Marieke Jansen", None).await;
    let joost = user(&mut tx, "Joost Bakker", None).await;
    let youssef = user(&mut tx, "Youssef Amrani", None).await;
    let gone = user(&mut tx, "Gerrit Weg", None).await;
    let network = network::network_of(&mut tx, &ria_person).await.unwrap();
    let sanne_member = member(
        &mut tx,
        &network,
        &ria_person,
        &ria,
        &sanne,
        &[Agenda, Messages],
        NotifyMode::Digest,
        false,
    )
    .await;
    let marieke_member = member(
        &mut tx,
        &network,
        &ria_person,
        &ria,
        &marieke,
        &DataCategory::GRANTABLE,
        NotifyMode::Immediate,
        false,
    )
    .await;
    let joost_member = member(
        &mut tx,
        &network,
        &ria_person,
        &ria,
        &joost,
        &[Messages],
        NotifyMode::Immediate,
        true,
    )
    .await;
    let youssef_member = member(
        &mut tx,
        &network,
        &ria_person,
        &ria,
        &youssef,
        &[Agenda],
        NotifyMode::Immediate,
        false,
    )
    .await;
    let removed_member = member(
        &mut tx,
        &network,
        &ria_person,
        &ria,
        &gone,
        &[Messages],
        NotifyMode::Immediate,
        false,
    )
    .await;
    let by_ria = By {
        user_id: &ria,
        on_behalf: false,
    };
    assert!(
        members::remove(&mut tx, &network, &removed_member, by_ria)
            .await
            .unwrap()
    );
    // Another caregiver's network, with Sanne in it too.
    let gerda_person = person(&mut tx, "Gerda", "Smit").await;
    let gerda = user(&mut tx, "Gerda Smit", Some(&gerda_person)).await;
    let other_network = network::network_of(&mut tx, &gerda_person).await.unwrap();
    let sanne_other_member = member(
        &mut tx,
        &other_network,
        &gerda_person,
        &gerda,
        &sanne,
        &[Messages],
        NotifyMode::Digest,
        false,
    )
    .await;
    tx.commit().await.unwrap();
    World {
        network,
        other_network,
        ria,
        sanne,
        sanne_member,
        marieke,
        marieke_member,
        joost,
        joost_member,
        youssef_member,
        removed_member,
        sanne_other_member,
        t0: now_ms() + 1_000,
    }
}

fn caregiver(w: &World) -> Viewer {
    Viewer {
        user_id: w.ria.clone(),
        member_id: None,
        sees_all: true,
    }
}

fn sanne(w: &World) -> Viewer {
    Viewer {
        user_id: w.sanne.clone(),
        member_id: Some(w.sanne_member.clone()),
        sees_all: false,
    }
}

fn marieke(w: &World) -> Viewer {
    Viewer {
        user_id: w.marieke.clone(),
        member_id: Some(w.marieke_member.clone()),
        sees_all: false,
    }
}

fn joost(w: &World) -> Viewer {
    Viewer {
        user_id: w.joost.clone(),
        member_id: Some(w.joost_member.clone()),
        sees_all: true,
    }
}

#[allow(clippy::too_many_arguments)]
async fn post(
    store: &Store,
    network_id: &str,
    author: &str,
    kind: Kind,
    body: &str,
    to: Option<&[String]>,
    assigned: Option<&str>,
    answer_by: Option<Day>,
    now: i64,
) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let id = timeline::post(
        &mut tx,
        &NewPost {
            network_id,
            by: By {
                user_id: author,
                on_behalf: false,
            },
            kind,
            body,
            audience: to.map_or(Audience::All, Audience::Members),
            assigned_member_id: assigned,
            answer_by,
            now,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn bodies(store: &Store, network_id: &str, viewer: &Viewer) -> Vec<String> {
    let mut conn = store.pool().acquire().await.unwrap();
    timeline::timeline(&mut conn, network_id, viewer, None)
        .await
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.body)
        .collect()
}

#[tokio::test]
async fn each_viewer_sees_messages_to_all_to_them_and_their_own() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let n = &w.network;
        post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Aan iedereen",
            None,
            None,
            None,
            w.t0,
        )
        .await;
        let to_sanne = [w.sanne_member.clone()];
        post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Alleen Sanne",
            Some(&to_sanne),
            None,
            None,
            w.t0 + 1,
        )
        .await;
        let to_marieke = [w.marieke_member.clone()];
        post(
            &store,
            n,
            &w.sanne,
            Kind::Message,
            "Sanne aan Marieke",
            Some(&to_marieke),
            None,
            None,
            w.t0 + 2,
        )
        .await;
        // Another network's message is never on this timeline.
        post(
            &store,
            &w.other_network,
            &w.sanne,
            Kind::Message,
            "Andere kring",
            None,
            None,
            None,
            w.t0 + 3,
        )
        .await;

        let all = ["Sanne aan Marieke", "Alleen Sanne", "Aan iedereen"];
        assert_eq!(bodies(&store, n, &caregiver(&w)).await, all, "newest first");
        assert_eq!(
            bodies(&store, n, &joost(&w)).await,
            all,
            "acting for the caregiver"
        );
        assert_eq!(
            bodies(&store, n, &sanne(&w)).await,
            all,
            "to her, and her own"
        );
        assert_eq!(
            bodies(&store, n, &marieke(&w)).await,
            ["Sanne aan Marieke", "Aan iedereen"],
            "not the message to Sanne"
        );
        let mut conn = store.pool().acquire().await.unwrap();
        let page = timeline::timeline(&mut conn, n, &caregiver(&w), None)
            .await
            .unwrap();
        assert_eq!(page.entries[0].recipients, ["Marieke Jansen"]);
        assert_eq!(page.entries[0].author, "Sanne de Vries");
        assert!(!page.entries[0].to_all);
        assert!(page.entries[2].to_all && page.entries[2].recipients.is_empty());
        assert!(page.next.is_none());
        // One message, only for who may see it.
        let id = &page.entries[1].id;
        assert!(
            timeline::entry(&mut conn, n, &marieke(&w), id)
                .await
                .unwrap()
                .is_none()
        );
        let one = timeline::entry(&mut conn, n, &sanne(&w), id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(one.recipients, ["Sanne de Vries"]);
        assert!(
            timeline::entry(&mut conn, &w.other_network, &caregiver(&w), id)
                .await
                .unwrap()
                .is_none(),
            "not through another network"
        );
        // Whom a message can go to: active members with the Messages category.
        let names: Vec<String> = timeline::addressable(&mut conn, n)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["Joost Bakker", "Marieke Jansen", "Sanne de Vries"]);
    })
    .await;
}

#[tokio::test]
async fn the_timeline_pages_by_moment_and_id_without_gaps_or_repeats() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        // 45 messages; every three share a moment, so the id breaks the ties.
        for i in 0..45 {
            timeline::post(
                &mut tx,
                &NewPost {
                    network_id: &w.network,
                    by: By {
                        user_id: &w.ria,
                        on_behalf: i % 2 == 0,
                    },
                    kind: Kind::Message,
                    body: &format!("bericht {i}"),
                    audience: Audience::All,
                    assigned_member_id: None,
                    answer_by: None,
                    now: w.t0 + i / 3,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let mut seen = Vec::new();
        let mut cursor: Option<Cursor> = None;
        let mut sizes = Vec::new();
        loop {
            let page = timeline::timeline(&mut conn, &w.network, &sanne(&w), cursor.as_ref())
                .await
                .unwrap();
            sizes.push(page.entries.len());
            seen.extend(page.entries.iter().map(|e| (e.created_at, e.id.clone())));
            match page.next {
                Some(next) => {
                    // The cursor survives the trip through a URL.
                    cursor = Some(Cursor::parse(&next.param()).unwrap());
                }
                None => break,
            }
        }
        assert_eq!(sizes, [PAGE_SIZE, PAGE_SIZE, 5]);
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(seen, sorted, "strictly newest first, no repeats");
        assert_eq!(seen.len(), 45);
    })
    .await;
}

#[tokio::test]
async fn questions_are_assigned_listed_by_date_and_answered_once() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let n = &w.network;
        let today = Day::local(w.t0);
        // To everyone, assigned to Sanne, by the default date.
        let q1 = post(
            &store,
            n,
            &w.ria,
            Kind::Question,
            "Wie rijdt dinsdag?",
            None,
            Some(&w.sanne_member),
            None,
            w.t0,
        )
        .await;
        // To Marieke only, assigned to Sanne: Sanne becomes a recipient.
        let to_marieke = [w.marieke_member.clone()];
        let q2 = post(
            &store,
            n,
            &w.ria,
            Kind::Question,
            "Kan iemand de apotheek bellen?",
            Some(&to_marieke),
            Some(&w.sanne_member),
            Some(today.plus(2)),
            w.t0 + 1,
        )
        .await;
        // To Joost only, nobody assigned: Sanne and Marieke do not see it.
        let to_joost = [w.joost_member.clone()];
        let q3 = post(
            &store,
            n,
            &w.ria,
            Kind::Question,
            "Zullen we zaterdag bellen?",
            Some(&to_joost),
            None,
            Some(today.plus(1)),
            w.t0 + 2,
        )
        .await;
        let mut conn = store.pool().acquire().await.unwrap();

        let open = timeline::open_questions(&mut conn, n, &caregiver(&w))
            .await
            .unwrap();
        let ids: Vec<&str> = open.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, [&q3, &q2, &q1], "earliest answer-by date first");
        assert_eq!(open[2].answer_by, Some(today.plus(DEFAULT_ANSWER_DAYS)));
        assert_eq!(open[2].assigned_to.as_deref(), Some("Sanne de Vries"));
        assert_eq!(
            open[2].assigned_member_id.as_deref(),
            Some(w.sanne_member.as_str())
        );
        assert_eq!(open[2].asked_by, "Ria de Vries");
        assert_eq!(open[0].assigned_to, None);

        let for_sanne = timeline::open_questions(&mut conn, n, &sanne(&w))
            .await
            .unwrap();
        let ids: Vec<&str> = for_sanne.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, [&q2, &q1], "assigned to her, so hers to see");
        let entry = timeline::entry(&mut conn, n, &sanne(&w), &q2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(entry.recipients, ["Marieke Jansen", "Sanne de Vries"]);
        assert!(entry.may_answer(&sanne(&w)));
        assert!(!entry.may_answer(&marieke(&w)));
        assert!(!entry.is_overdue(today) && entry.is_overdue(today.plus(3)));

        // Answered once, by Sanne; not again, not as a message, not through another network.
        assert!(
            !timeline::answer(&mut conn, &w.other_network, &q1, &w.sanne, "Ik", w.t0 + 5)
                .await
                .unwrap()
        );
        assert!(
            timeline::answer(&mut conn, n, &q1, &w.sanne, "Ik rijd.", w.t0 + 5)
                .await
                .unwrap()
        );
        assert!(
            !timeline::answer(&mut conn, n, &q1, &w.ria, "Nee, ik", w.t0 + 6)
                .await
                .unwrap()
        );
        let msg = post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Gewoon een bericht",
            None,
            None,
            None,
            w.t0 + 7,
        )
        .await;
        assert!(
            !timeline::answer(&mut conn, n, &msg, &w.ria, "Antwoord", w.t0 + 8)
                .await
                .unwrap()
        );
        let answered = timeline::entry(&mut conn, n, &caregiver(&w), &q1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(answered.answer.as_deref(), Some("Ik rijd."));
        assert_eq!(answered.answered_by.as_deref(), Some("Sanne de Vries"));
        assert_eq!(answered.answered_at, Some(w.t0 + 5));
        assert!(!answered.is_overdue(today.plus(30)));
        let open = timeline::open_questions(&mut conn, n, &caregiver(&w))
            .await
            .unwrap();
        assert_eq!(open.len(), 2);
        // A message has no answer-by date and no assignee, whatever was passed.
        let plain = post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Geen vraag",
            None,
            Some(&w.sanne_member),
            Some(today),
            w.t0 + 9,
        )
        .await;
        let plain = timeline::entry(&mut conn, n, &caregiver(&w), &plain)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((plain.answer_by, plain.assigned_member_id), (None, None));
    })
    .await;
}

#[tokio::test]
async fn only_immediate_members_who_see_the_message_are_emailed_at_once() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let n = &w.network;
        let names = |list: Vec<timeline::Notify>| -> Vec<String> {
            list.into_iter().map(|r| r.name).collect()
        };
        let mut conn = store.pool().acquire().await.unwrap();
        // Immediate: Marieke and Joost (Youssef has no Messages; the removed member is gone;
        // Sanne chose the digest).
        let all = post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Aan iedereen",
            None,
            None,
            None,
            w.t0,
        )
        .await;
        let list = timeline::immediate_recipients(&mut conn, &all)
            .await
            .unwrap();
        assert!(list.iter().all(|r| r.email.ends_with("@example.org")));
        assert_eq!(names(list), ["Joost Bakker", "Marieke Jansen"]);
        // Never the author.
        let own = post(
            &store,
            n,
            &w.marieke,
            Kind::Message,
            "Van Marieke",
            None,
            None,
            None,
            w.t0 + 1,
        )
        .await;
        assert_eq!(
            names(
                timeline::immediate_recipients(&mut conn, &own)
                    .await
                    .unwrap()
            ),
            ["Joost Bakker"]
        );
        // Only who may see it: to Sanne, so Joost (acting for the caregiver) but not Marieke.
        let to_sanne = [w.sanne_member.clone()];
        let private = post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Voor Sanne",
            Some(&to_sanne),
            None,
            None,
            w.t0 + 2,
        )
        .await;
        assert_eq!(
            names(
                timeline::immediate_recipients(&mut conn, &private)
                    .await
                    .unwrap()
            ),
            ["Joost Bakker"]
        );
        // Sanne switches to immediate; Marieke switches off.
        assert!(
            timeline::choose_notify(
                &mut conn,
                n,
                &w.sanne_member,
                NotifyMode::Immediate,
                w.t0 + 3
            )
            .await
            .unwrap()
        );
        assert!(
            timeline::choose_notify(&mut conn, n, &w.marieke_member, NotifyMode::Off, w.t0 + 3)
                .await
                .unwrap()
        );
        assert!(
            !timeline::choose_notify(&mut conn, n, &w.removed_member, NotifyMode::Off, w.t0 + 3)
                .await
                .unwrap()
        );
        assert!(
            !timeline::choose_notify(
                &mut conn,
                &w.other_network,
                &w.sanne_member,
                NotifyMode::Off,
                w.t0 + 3
            )
            .await
            .unwrap()
        );
        assert_eq!(
            timeline::notify_mode(&mut conn, n, &w.sanne_member)
                .await
                .unwrap(),
            Some(NotifyMode::Immediate)
        );
        assert_eq!(
            timeline::notify_mode(&mut conn, n, &w.youssef_member)
                .await
                .unwrap(),
            Some(NotifyMode::Immediate)
        );
        assert_eq!(
            timeline::notify_mode(&mut conn, n, &w.removed_member)
                .await
                .unwrap(),
            None
        );
        let later = post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Later",
            None,
            None,
            None,
            w.t0 + 4,
        )
        .await;
        assert_eq!(
            names(
                timeline::immediate_recipients(&mut conn, &later)
                    .await
                    .unwrap()
            ),
            ["Joost Bakker", "Sanne de Vries"]
        );
    })
    .await;
}

#[tokio::test]
async fn a_digest_holds_what_the_member_may_see_since_their_last_one() {
    on_every_backend(|store| async move {
        let w = world(&store).await;
        let n = &w.network;
        let t = w.t0;
        post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Oud bericht",
            None,
            None,
            None,
            t,
        )
        .await;
        let mut conn = store.pool().acquire().await.unwrap();
        // Sanne's last digest covered up to t: the first message is old news.
        assert!(
            timeline::mark_digest_sent(&mut conn, &w.sanne_member, t)
                .await
                .unwrap()
        );
        post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Aan iedereen",
            None,
            None,
            None,
            t + 10,
        )
        .await;
        let to_marieke = [w.marieke_member.clone()];
        post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Alleen voor Marieke",
            Some(&to_marieke),
            None,
            None,
            t + 11,
        )
        .await;
        let to_sanne = [w.sanne_member.clone()];
        post(
            &store,
            n,
            &w.ria,
            Kind::Question,
            "Vraag aan Sanne",
            Some(&to_sanne),
            Some(&w.sanne_member),
            None,
            t + 12,
        )
        .await;
        post(
            &store,
            n,
            &w.sanne,
            Kind::Message,
            "Van Sanne zelf",
            None,
            None,
            None,
            t + 13,
        )
        .await;
        post(
            &store,
            &w.other_network,
            &w.ria,
            Kind::Message,
            "Bericht in de andere kring",
            None,
            None,
            None,
            t + 14,
        )
        .await;
        post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Na de grens",
            None,
            None,
            None,
            t + 100,
        )
        .await;

        let until = t + 50;
        let due = timeline::digests_due(&mut conn, until).await.unwrap();
        // Sanne (twice: both networks); Marieke and Joost chose immediate, so no digest.
        let mut who: Vec<(&str, &str)> = due
            .iter()
            .map(|d| (d.member_id.as_str(), d.network_id.as_str()))
            .collect();
        who.sort();
        let mut expected = vec![
            (w.sanne_member.as_str(), w.network.as_str()),
            (w.sanne_other_member.as_str(), w.other_network.as_str()),
        ];
        expected.sort();
        assert_eq!(who, expected);
        let sanne_due = due.iter().find(|d| d.member_id == w.sanne_member).unwrap();
        assert_eq!(sanne_due.since, t);
        assert_eq!(sanne_due.caregiver_name, "Ria de Vries");
        assert_eq!(sanne_due.email, "sanne.de.vries@example.org");
        let got: Vec<String> = timeline::digest_messages(&mut conn, sanne_due, until)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(
            got,
            ["Aan iedereen", "Vraag aan Sanne"],
            "oldest first, hers only"
        );
        let other_due = due
            .iter()
            .find(|d| d.member_id == w.sanne_other_member)
            .unwrap();
        assert_eq!(other_due.caregiver_name, "Gerda Smit");
        let got: Vec<String> = timeline::digest_messages(&mut conn, other_due, until)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(got, ["Bericht in de andere kring"]);

        // Marked sent: nothing due until something new comes.
        for d in &due {
            assert!(
                timeline::mark_digest_sent(&mut conn, &d.member_id, until)
                    .await
                    .unwrap()
            );
            assert!(
                !timeline::mark_digest_sent(&mut conn, &d.member_id, until)
                    .await
                    .unwrap(),
                "a second run finds it done"
            );
        }
        assert!(
            timeline::digests_due(&mut conn, until)
                .await
                .unwrap()
                .is_empty()
        );
        // Never moves back.
        assert!(
            !timeline::mark_digest_sent(&mut conn, &w.sanne_member, t)
                .await
                .unwrap()
        );
        assert!(
            timeline::digests_due(&mut conn, until)
                .await
                .unwrap()
                .is_empty()
        );
        let due = timeline::digests_due(&mut conn, t + 200).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].since, until);

        // Joost switches to the digest: it starts at the moment he chose it.
        timeline::choose_notify(&mut conn, n, &w.joost_member, NotifyMode::Digest, t + 150)
            .await
            .unwrap();
        let due = timeline::digests_due(&mut conn, t + 200).await.unwrap();
        assert_eq!(
            due.len(),
            1,
            "'Na de grens' (t + 100) is before Joost chose the digest"
        );
        post(
            &store,
            n,
            &w.ria,
            Kind::Message,
            "Voor de nieuwe lezer",
            Some(&to_marieke),
            None,
            None,
            t + 160,
        )
        .await;
        let due = timeline::digests_due(&mut conn, t + 200).await.unwrap();
        let joost_due = due.iter().find(|d| d.member_id == w.joost_member).unwrap();
        assert!(joost_due.acts_for_caregiver);
        let got: Vec<String> = timeline::digest_messages(&mut conn, joost_due, t + 200)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(
            got,
            ["Voor de nieuwe lezer"],
            "acting for the caregiver: sees every message"
        );
        // Choosing the digest again does not restart it.
        timeline::choose_notify(&mut conn, n, &w.joost_member, NotifyMode::Digest, t + 190)
            .await
            .unwrap();
        let due = timeline::digests_due(&mut conn, t + 200).await.unwrap();
        assert_eq!(
            due.iter()
                .find(|d| d.member_id == w.joost_member)
                .unwrap()
                .since,
            t + 150
        );
    })
    .await;
}

#[tokio::test]
async fn the_digest_job_is_queued_once_for_a_later_moment() {
    on_every_backend(|store| async move {
        let later = now_ms() + 3_600_000;
        let payload = serde_json::json!({});
        let id = timeline::enqueue_unless_pending_at(&store, "kring_digest", &payload, 3, later)
            .await
            .unwrap()
            .expect("queued");
        assert_eq!(
            timeline::enqueue_unless_pending_at(&store, "kring_digest", &payload, 3, later)
                .await
                .unwrap(),
            None,
            "one at a time"
        );
        let listed = mantelkring_store::jobs::list(&store, None, 10)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, listed[0].run_at), (id, later));
        // Not due yet: no worker claims it before its moment.
        let claimed = mantelkring_store::jobs::claim(&store, std::time::Duration::from_secs(60))
            .await
            .unwrap();
        assert!(claimed.is_none());
    })
    .await;
}
