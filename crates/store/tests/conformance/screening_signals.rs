//! Signaleren's signals behave the same on both backends: raising the same cause twice leaves
//! one row (one-by-one and in the batch), a follow-up is written with its history, and the
//! batched audit append chains exactly like single appends.

use crate::on_every_backend;
use mantelkring_core::audit::GENESIS;
use mantelkring_core::network::agenda::Day;
use mantelkring_core::screening::rules::Raised;
use mantelkring_core::screening::{Rule, SignalDetail, SignalStatus};
use mantelkring_core::time::now_ms;
use mantelkring_store::base::{self, NewPerson, NewUser};
use mantelkring_store::screening::batch::{self, Evaluated};
use mantelkring_store::screening::{signals, worklist};
use mantelkring_store::{Store, audit, network};

async fn a_network(store: &Store) -> (String, String) {
    let mut tx = store.begin_write().await.unwrap();
    let person = base::insert_person(
        &mut tx,
        &NewPerson {
            given_name: "Ria",
            family_name: "de Vries",
            email: None,
            phone: None,
            postcode: None,
            municipality_id: None,
        },
    )
    .await
    .unwrap();
    let user = base::insert_user(
        &mut tx,
        &NewUser {
            email: "marieke@example.org",
            display_name: "Marieke",
            person_id: None,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    let net = network::network_of(&mut tx, &person).await.unwrap();
    tx.commit().await.unwrap();
    (net, user)
}

fn cause(check: &str) -> Raised {
    Raised {
        rule: Rule::ScoreHigh,
        cause: format!("score_high:{check}"),
        detail: SignalDetail {
            instrument: Some("csi".into()),
            score: Some(9),
            threshold: Some(7),
            ..SignalDetail::default()
        },
    }
}

async fn rows(store: &Store, net: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM signals WHERE network_id = $1), \
           (SELECT COUNT(*) FROM signal_events e JOIN signals s ON s.id = e.signal_id \
              WHERE s.network_id = $1)",
    )
    .bind(net)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn raising_the_same_cause_twice_leaves_one_signal() {
    on_every_backend(|store| async move {
        let (net, _) = a_network(&store).await;
        let now = now_ms();
        let mut tx = store.begin_write().await.unwrap();
        let first = signals::raise(&mut tx, &net, &cause("c1"), None, now)
            .await
            .unwrap();
        let again = signals::raise(&mut tx, &net, &cause("c1"), None, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(first.is_some());
        assert_eq!(again, None);
        assert_eq!(rows(&store, &net).await, (1, 1));

        // The batch: the known cause is left out, a new one raised once, twice nothing.
        let evaluated = vec![Evaluated {
            network_id: net.clone(),
            causes: vec![cause("c1"), cause("c2")],
            owner: None,
        }];
        let raised = batch::raise_new(&store, &evaluated, now).await.unwrap();
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].cause, "score_high:c2");
        assert!(
            batch::raise_new(&store, &evaluated, now)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(rows(&store, &net).await, (2, 2));
        // Batch rows read back like one-by-one rows.
        let mut conn = store.pool().acquire().await.unwrap();
        let list = worklist::of_network(&mut conn, &net).await.unwrap();
        assert_eq!(list.len(), 2);
        assert!(list.iter().all(|s| s.status == SignalStatus::New
            && s.rule == Some(Rule::ScoreHigh)
            && s.detail.score == Some(9)
            && s.caregiver_name == "Ria de Vries"));
    })
    .await;
}

#[tokio::test]
async fn a_follow_up_is_kept_in_the_history_and_closing_stamps_the_signal() {
    on_every_backend(|store| async move {
        let (net, user) = a_network(&store).await;
        let now = now_ms();
        let mut tx = store.begin_write().await.unwrap();
        let id = signals::raise(&mut tx, &net, &cause("c1"), None, now)
            .await
            .unwrap()
            .unwrap();
        let day = Day::local(now).plus(3);
        let change = worklist::Update {
            status: SignalStatus::InProgress,
            owner_user_id: Some(&user),
            follow_up_on: Some(day),
            note: "Ik bel haar.",
        };
        assert!(
            worklist::update(&mut tx, &net, &id, &change, &user, now + 1)
                .await
                .unwrap()
        );
        let closing = worklist::Update {
            status: SignalStatus::Done,
            owner_user_id: Some(&user),
            follow_up_on: None,
            note: "Gebeld.",
        };
        assert!(
            worklist::update(&mut tx, &net, &id, &closing, &user, now + 2)
                .await
                .unwrap()
        );
        // Another network's id does not reach it.
        assert!(
            !worklist::update(&mut tx, "elders", &id, &closing, &user, now + 3)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let mut conn = store.pool().acquire().await.unwrap();
        let s = worklist::get(&mut conn, &net, &id).await.unwrap().unwrap();
        assert_eq!(s.status, SignalStatus::Done);
        assert_eq!(s.closed_at, Some(now + 2));
        assert_eq!(s.owner_name.as_deref(), Some("Marieke"));
        let events = worklist::events_of_network(&mut conn, &net).await.unwrap();
        let notes: Vec<_> = events.iter().map(|e| (e.status, e.note.as_str())).collect();
        assert_eq!(
            notes,
            [
                (SignalStatus::New, ""),
                (SignalStatus::InProgress, "Ik bel haar."),
                (SignalStatus::Done, "Gebeld."),
            ]
        );
        assert_eq!(events[1].follow_up_on, Some(day));
    })
    .await;
}

#[tokio::test]
async fn a_batched_audit_append_chains_like_single_appends() {
    on_every_backend(|store| async move {
        let details: Vec<String> = (0..130).map(|i| format!("caregiver {i}")).collect();
        let events: Vec<audit::NewEvent<'_>> = details
            .iter()
            .map(|d| audit::NewEvent {
                purpose: "network_member",
                data_category: Some("checks"),
                ..crate::read_event(Some(d), None)
            })
            .collect();
        let mut tx = store.begin_write().await.unwrap();
        audit::append(&mut tx, store.backend(), &events[0])
            .await
            .unwrap();
        let many = audit::append_many(&mut tx, store.backend(), &events[1..])
            .await
            .unwrap();
        audit::append(&mut tx, store.backend(), &events[0])
            .await
            .unwrap();
        assert!(
            audit::append_many(&mut tx, store.backend(), &[])
                .await
                .unwrap()
                .is_empty()
        );
        tx.commit().await.unwrap();
        assert_eq!(many.len(), 129);
        assert_eq!(many.first().unwrap().seq, 2);
        assert_eq!(many.last().unwrap().seq, 130);
        // The whole chain verifies: every batched record links to the one before it.
        assert_eq!(audit::verify(&store).await.unwrap(), Ok(131));
        // And the stored hashes are what single appends would have computed.
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")
                .fetch_all(store.pool())
                .await
                .unwrap();
        let records = audit::all(&store).await.unwrap();
        let mut prev = GENESIS.to_string();
        for ((seq, prev_hash, hash), record) in rows.iter().zip(&records) {
            assert_eq!(*prev_hash, prev, "seq {seq}");
            assert_eq!(record.chain_hash(&prev), *hash, "seq {seq}");
            prev = hash.clone();
        }
    })
    .await;
}
