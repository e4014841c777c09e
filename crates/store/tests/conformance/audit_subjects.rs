//! The NEN 7513 log's subject index is filled in passes off the request path
//! (`audit::index_subjects`); every lookup by subject must give the same, complete answer
//! whether the index is empty, half-way, written but with its mark not yet moved (a pass that
//! stopped), or up to date. On PostgreSQL the log keeps its own index by subject and the
//! passes do nothing (`Backend::batches_audit_subjects`); the lookups must agree there too.

use crate::{on_every_backend, read_event};
use mantelkring_store::audit_search::{self, AuditFilter};
use mantelkring_store::{Store, audit};

const SUBJECTS: [Option<&str>; 4] = [Some("p1"), Some("p2"), None, Some("p3")];

/// Appends `n` records, one at a time and in lists, cycling through [`SUBJECTS`].
async fn log(store: &Store, first: usize, n: usize) {
    let subject = |i: usize| SUBJECTS[i % SUBJECTS.len()];
    let mut i = first;
    while i < first + n {
        let mut tx = store.begin_write().await.unwrap();
        if i.is_multiple_of(3) {
            audit::append(&mut tx, store.backend(), &read_event(subject(i), None))
                .await
                .unwrap();
            i += 1;
        } else {
            // A list page: several subjects in one append.
            let end = (i + 4).min(first + n);
            let events: Vec<_> = (i..end)
                .map(|j| read_event(subject(j), Some("call_list")))
                .collect();
            audit::append_many(&mut tx, store.backend(), &events)
                .await
                .unwrap();
            i = end;
        }
        tx.commit().await.unwrap();
    }
}

/// The seqs of `subject`'s records, newest first, as the records themselves say.
async fn expected(store: &Store, subject: &str) -> Vec<i64> {
    let mut seqs: Vec<i64> = audit::all(store)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.subject_person_id.as_deref() == Some(subject))
        .map(|r| r.seq)
        .collect();
    seqs.reverse();
    seqs
}

/// Every lookup by subject agrees with the records.
async fn lookups_agree(store: &Store, when: &str) {
    for subject in ["p1", "p2", "p3", "nobody"] {
        let want = expected(store, subject).await;
        let found: Vec<i64> = audit_search::search(
            store,
            &AuditFilter {
                subject_person_id: Some(subject),
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.seq)
        .collect();
        assert_eq!(found, want, "search for {subject} {when}");
        let by_others = audit::accesses_by_others(store, subject, 1000)
            .await
            .unwrap();
        assert_eq!(by_others.len(), want.len(), "accesses of {subject} {when}");
    }
}

async fn mark(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT indexed_upto FROM audit_subjects_head WHERE id = 1")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn lookups_by_subject_are_complete_before_during_and_after_indexing() {
    on_every_backend(|store| async move {
        let batched = store.backend().batches_audit_subjects();
        log(&store, 0, 30).await;
        lookups_agree(&store, "before any indexing").await;
        assert_eq!(mark(&store).await, 0);

        // Half-way: 7 records passed.
        let pass = audit::index_subjects(&store, 7).await.unwrap();
        if batched {
            assert_eq!(pass.records, 7);
            assert_eq!(pass.upto, 7);
            // Seqs 1..=7 are p1, p2, none, p3, p1, p2, none: five have a subject.
            assert_eq!(pass.entries, 5);
            assert_eq!(mark(&store).await, 7);
        } else {
            assert_eq!(pass, audit::Indexed::default());
            assert_eq!(mark(&store).await, 0);
        }
        lookups_agree(&store, "half-way").await;

        // A pass that wrote entries past the mark and stopped before moving it: counted once.
        sqlx::query(
            "INSERT INTO audit_subjects (subject_person_id, seq) \
             SELECT subject_person_id, seq FROM audit_log \
             WHERE seq BETWEEN 8 AND 12 AND subject_person_id IS NOT NULL",
        )
        .execute(store.pool())
        .await
        .unwrap();
        lookups_agree(&store, "after a pass that stopped half-way").await;

        // The rest, then more records past the mark.
        let pass = audit::index_subjects(&store, 1000).await.unwrap();
        if batched {
            assert_eq!((pass.records, pass.upto), (23, 30));
            assert_eq!(mark(&store).await, 30);
        }
        lookups_agree(&store, "up to date").await;
        log(&store, 30, 9).await;
        lookups_agree(&store, "with a tail past the mark").await;

        // Nothing new: the mark stays.
        audit::index_subjects(&store, 1000).await.unwrap();
        let idle = audit::index_subjects(&store, 1000).await.unwrap();
        if batched {
            assert_eq!((idle.records, idle.entries, idle.upto), (0, 0, 39));
        }
        lookups_agree(&store, "after the tail was indexed").await;
        assert_eq!(audit::verify(&store).await.unwrap(), Ok(39));
        if !batched {
            return;
        }

        // Each record with a subject is in the index exactly once.
        let (entries, distinct): (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT seq) FROM audit_subjects")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let with_subject = audit::all(&store)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.subject_person_id.is_some())
            .count() as i64;
        assert_eq!((entries, distinct), (with_subject, with_subject));
    })
    .await;
}

#[tokio::test]
async fn two_indexers_at_once_never_move_the_mark_back() {
    on_every_backend(|store| async move {
        log(&store, 0, 40).await;
        let a = {
            let store = store.clone();
            tokio::spawn(async move { audit::index_subjects(&store, 25).await })
        };
        let b = {
            let store = store.clone();
            tokio::spawn(async move { audit::index_subjects(&store, 1000).await })
        };
        a.await.unwrap().unwrap();
        b.await.unwrap().unwrap();
        // Whichever finished last, the mark is at the furthest pass.
        let furthest = if store.backend().batches_audit_subjects() {
            40
        } else {
            0
        };
        assert_eq!(mark(&store).await, furthest);
        lookups_agree(&store, "after two indexers").await;
    })
    .await;
}
