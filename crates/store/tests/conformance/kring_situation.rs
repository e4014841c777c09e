//! "Mijn situatie" in the store: numbered versions, saves that clash, proposals accepted (only the
//! proposed fields applied to the current version) and declined, decided only once.

use crate::on_every_backend;
use mantelkring_core::network::situation::Situation;
use mantelkring_store::network::members::By;
use mantelkring_store::network::situation::{self, Clash, ProposalRefusal, ProposalStatus};
use mantelkring_store::{Backend, Store, base, network};

struct Kring {
    network_id: String,
    caregiver: String,
    member: String,
}

async fn kring(store: &Store) -> Kring {
    let mut tx = store.begin_write().await.unwrap();
    let person = base::insert_person(
        &mut tx,
        &base::NewPerson {
            given_name: "Ria",
            family_name: "de Vries",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let caregiver = base::insert_user(
        &mut tx,
        &base::NewUser {
            email: "ria@example.nl",
            display_name: "Ria de Vries",
            person_id: Some(&person),
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    let member = base::insert_user(
        &mut tx,
        &base::NewUser {
            email: "marieke@example.nl",
            display_name: "Marieke Jansen",
            person_id: None,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    let network_id = network::create_network(&mut tx, &person).await.unwrap();
    tx.commit().await.unwrap();
    Kring {
        network_id,
        caregiver,
        member,
    }
}

fn by(user_id: &str) -> By<'_> {
    By {
        user_id,
        on_behalf: false,
    }
}

fn story() -> Situation {
    Situation {
        naaste: "Henk heeft dementie.".into(),
        hours_per_week: Some(20),
        living_together: Some(true),
        hard: "De nachten.".into(),
        emergency_plan: "Sanne neemt het over.".into(),
        ..Situation::default()
    }
}

#[tokio::test]
async fn versions_are_numbered_and_old_ones_stay_readable() {
    on_every_backend(|store| async move {
        let k = kring(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(
            situation::current(&mut tx, &k.network_id).await.unwrap(),
            None
        );
        assert_eq!(
            situation::current_number(&mut tx, &k.network_id)
                .await
                .unwrap(),
            0
        );
        let first = story();
        assert_eq!(
            situation::save(&mut tx, &k.network_id, 0, &first, by(&k.caregiver))
                .await
                .unwrap(),
            Ok(1)
        );
        let mut second = first.clone();
        second.hours_per_week = Some(30);
        let acting = By {
            user_id: &k.member,
            on_behalf: true,
        };
        assert_eq!(
            situation::save(&mut tx, &k.network_id, 1, &second, acting)
                .await
                .unwrap(),
            Ok(2)
        );
        tx.commit().await.unwrap();

        let mut conn = store.pool().acquire().await.unwrap();
        let now = situation::current(&mut conn, &k.network_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.number, 2);
        assert_eq!(now.situation, second);
        assert_eq!(now.author_name, "Marieke Jansen");
        assert!(now.on_behalf);
        let old = situation::version(&mut conn, &k.network_id, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(old.situation, first);
        assert_eq!(old.author_name, "Ria de Vries");
        assert!(!old.on_behalf);
        assert_eq!(
            situation::version(&mut conn, &k.network_id, 3)
                .await
                .unwrap(),
            None
        );
        let list = situation::versions(&mut conn, &k.network_id).await.unwrap();
        let numbers: Vec<i64> = list.iter().map(|v| v.number).collect();
        assert_eq!(numbers, [2, 1], "newest first");
        assert!(list[0].on_behalf && !list[1].on_behalf);
        assert_eq!(list[0].proposal_id, None);
    })
    .await;
}

#[tokio::test]
async fn a_save_from_an_old_version_clashes_and_writes_nothing() {
    on_every_backend(|store| async move {
        let k = kring(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        situation::save(&mut tx, &k.network_id, 0, &story(), by(&k.caregiver))
            .await
            .unwrap()
            .unwrap();
        // Someone started from "nothing yet", but version 1 exists now.
        let clash = situation::save(
            &mut tx,
            &k.network_id,
            0,
            &Situation::default(),
            by(&k.member),
        )
        .await
        .unwrap();
        assert_eq!(clash, Err(Clash { current: 1 }));
        // The transaction is still good.
        tx.commit().await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        assert_eq!(
            situation::current_number(&mut conn, &k.network_id)
                .await
                .unwrap(),
            1
        );
    })
    .await;
}

/// Two saves at the same moment: the second never errors, and on PostgreSQL (where both
/// transactions run at once) the unique index turns it into a clash.
#[tokio::test]
async fn two_saves_at_the_same_moment_do_not_both_win() {
    on_every_backend(|store| async move {
        let k = kring(&store).await;
        let mut first = store.begin_write().await.unwrap();
        situation::save(&mut first, &k.network_id, 0, &story(), by(&k.caregiver))
            .await
            .unwrap()
            .unwrap();
        let second = {
            let store = store.clone();
            let network_id = k.network_id.clone();
            let member = k.member.clone();
            tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                let outcome = situation::save(
                    &mut tx,
                    &network_id,
                    0,
                    &Situation::default(),
                    By {
                        user_id: &member,
                        on_behalf: true,
                    },
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                outcome
            })
        };
        if store.backend() == Backend::Postgres {
            // Wait until the second save is blocked on the first one's row in the unique index.
            let mut waited = 0;
            loop {
                let (blocked,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                )
                .fetch_one(store.pool())
                .await
                .unwrap();
                if blocked > 0 {
                    break;
                }
                waited += 1;
                assert!(waited < 500, "the second save never reached the index");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
        first.commit().await.unwrap();
        let outcome = second.await.unwrap();
        assert_eq!(outcome, Err(Clash { current: 1 }));
        let mut conn = store.pool().acquire().await.unwrap();
        let now = situation::current(&mut conn, &k.network_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((now.number, now.situation), (1, story()));
    })
    .await;
}

#[tokio::test]
async fn an_accepted_proposal_applies_only_its_own_changes_onto_the_current_version() {
    on_every_backend(|store| async move {
        let k = kring(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        situation::save(&mut tx, &k.network_id, 0, &story(), by(&k.caregiver))
            .await
            .unwrap()
            .unwrap();
        // Marieke proposes from version 1: a new emergency plan.
        let mut proposed = story();
        proposed.emergency_plan = "Sanne, en anders de buren.".into();
        let id = situation::propose(
            &mut tx,
            &k.network_id,
            1,
            &proposed,
            "Besproken op 3 maart.",
            &k.member,
        )
        .await
        .unwrap()
        .unwrap();
        // Meanwhile Ria changes the hours (version 2).
        let mut edited = story();
        edited.hours_per_week = Some(25);
        situation::save(&mut tx, &k.network_id, 1, &edited, by(&k.caregiver))
            .await
            .unwrap()
            .unwrap();
        let open = situation::proposals(&mut tx, &k.network_id, None)
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].status, ProposalStatus::Open);
        assert_eq!(open[0].base_version, 1);
        assert_eq!(open[0].proposed_by, "Marieke Jansen");
        assert_eq!(open[0].note, "Besproken op 3 maart.");

        let made = situation::accept(&mut tx, &k.network_id, &id, by(&k.caregiver))
            .await
            .unwrap();
        assert_eq!(made, Ok(3));
        let now = situation::current(&mut tx, &k.network_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.number, 3);
        assert_eq!(now.situation.emergency_plan, "Sanne, en anders de buren.");
        assert_eq!(
            now.situation.hours_per_week,
            Some(25),
            "Ria's later change is kept"
        );
        assert_eq!(now.proposal_id.as_deref(), Some(id.as_str()));
        assert_eq!(now.proposed_by.as_deref(), Some("Marieke Jansen"));
        let p = situation::proposal(&mut tx, &k.network_id, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.status, ProposalStatus::Accepted);
        assert_eq!(p.accepted_as, Some(3));
        assert_eq!(p.decided_by.as_deref(), Some("Ria de Vries"));
        assert!(p.decided_at.is_some());

        // Decided once: neither accepting nor declining again does anything.
        assert_eq!(
            situation::accept(&mut tx, &k.network_id, &id, by(&k.caregiver))
                .await
                .unwrap(),
            Err(ProposalRefusal::AlreadyDecided)
        );
        assert_eq!(
            situation::decline(
                &mut tx,
                &k.network_id,
                &id,
                Some("toch niet"),
                by(&k.caregiver)
            )
            .await
            .unwrap(),
            Err(ProposalRefusal::AlreadyDecided)
        );
        assert_eq!(
            situation::current_number(&mut tx, &k.network_id)
                .await
                .unwrap(),
            3
        );
        let p = situation::proposal(&mut tx, &k.network_id, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.status, ProposalStatus::Accepted);
        assert_eq!(p.decision_note, None);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_declined_proposal_makes_no_version() {
    on_every_backend(|store| async move {
        let k = kring(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        // A proposal before there is any version: based on 0, the empty summary.
        let id = situation::propose(
            &mut tx,
            &k.network_id,
            0,
            &story(),
            "Zo begrijp ik het.",
            &k.member,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            situation::decline(
                &mut tx,
                &k.network_id,
                &id,
                Some("Dat klopt niet helemaal."),
                by(&k.caregiver)
            )
            .await
            .unwrap(),
            Ok(())
        );
        assert_eq!(
            situation::current_number(&mut tx, &k.network_id)
                .await
                .unwrap(),
            0
        );
        let p = situation::proposal(&mut tx, &k.network_id, &id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.status, ProposalStatus::Declined);
        assert_eq!(p.decision_note.as_deref(), Some("Dat klopt niet helemaal."));
        assert_eq!(p.accepted_as, None);
        assert_eq!(
            situation::accept(&mut tx, &k.network_id, &id, by(&k.caregiver))
                .await
                .unwrap(),
            Err(ProposalRefusal::AlreadyDecided)
        );
        assert_eq!(
            situation::current_number(&mut tx, &k.network_id)
                .await
                .unwrap(),
            0
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn proposals_are_checked_and_listed_open_first() {
    on_every_backend(|store| async move {
        let k = kring(&store).await;
        let other = kring_of_someone_else(&store).await;
        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(
            situation::propose(&mut tx, &k.network_id, 4, &story(), "", &k.member)
                .await
                .unwrap(),
            Err(ProposalRefusal::UnknownBase)
        );
        assert_eq!(
            situation::propose(&mut tx, &k.network_id, -1, &story(), "", &k.member)
                .await
                .unwrap(),
            Err(ProposalRefusal::UnknownBase)
        );
        situation::save(&mut tx, &k.network_id, 0, &story(), by(&k.caregiver))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            situation::propose(&mut tx, &k.network_id, 1, &story(), "", &k.member)
                .await
                .unwrap(),
            Err(ProposalRefusal::NothingChanged)
        );
        let mut a = story();
        a.wishes = "Een dag per week vrij.".into();
        let first = situation::propose(&mut tx, &k.network_id, 1, &a, "een", &k.member)
            .await
            .unwrap()
            .unwrap();
        let mut b = story();
        b.other = "Henk wandelt graag.".into();
        let second = situation::propose(&mut tx, &k.network_id, 1, &b, "twee", &k.caregiver)
            .await
            .unwrap()
            .unwrap();
        situation::decline(&mut tx, &k.network_id, &first, None, by(&k.caregiver))
            .await
            .unwrap()
            .unwrap();
        let all = situation::proposals(&mut tx, &k.network_id, None)
            .await
            .unwrap();
        let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, [second.as_str(), first.as_str()], "open first");
        let own = situation::proposals(&mut tx, &k.network_id, Some(&k.member))
            .await
            .unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].id, first);
        assert_eq!(own[0].decision_note, None, "an empty note is no note");
        // Another network's proposal is not found here, and cannot be decided from here.
        assert_eq!(
            situation::proposal(&mut tx, &other, &second).await.unwrap(),
            None
        );
        assert_eq!(
            situation::accept(&mut tx, &other, &second, by(&k.caregiver))
                .await
                .unwrap(),
            Err(ProposalRefusal::NotFound)
        );
        assert_eq!(
            situation::decline(
                &mut tx,
                &k.network_id,
                "geen-voorstel",
                None,
                by(&k.caregiver)
            )
            .await
            .unwrap(),
            Err(ProposalRefusal::NotFound)
        );
        let still = situation::proposal(&mut tx, &k.network_id, &second)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(still.status, ProposalStatus::Open);
        tx.commit().await.unwrap();
    })
    .await;
}

async fn kring_of_someone_else(store: &Store) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let person = base::insert_person(
        &mut tx,
        &base::NewPerson {
            given_name: "Gerda",
            family_name: "Smit",
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = network::create_network(&mut tx, &person).await.unwrap();
    tx.commit().await.unwrap();
    id
}
