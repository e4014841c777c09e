//! API tokens and the audit search, on both backends.

use crate::on_every_backend;
use mantelkring_core::api_token::{ApiScope, looks_like_secret};
use mantelkring_core::identity::token_hash;
use mantelkring_core::time::now_ms;
use mantelkring_store::api_tokens::{self, NewApiToken};
use mantelkring_store::audit_search::{self, AuditFilter};
use mantelkring_store::base::{self, NewUser};
use mantelkring_store::{Store, audit};

async fn user(store: &Store, email: &str) -> String {
    let mut tx = store.begin_write().await.unwrap();
    let id = base::insert_user(
        &mut tx,
        &NewUser {
            email,
            display_name: "Test",
            person_id: None,
            password_hash: None,
            totp_secret: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn create(
    store: &Store,
    user_id: &str,
    name: &str,
    scopes: &[ApiScope],
    expires_at: Option<i64>,
) -> api_tokens::Created {
    let mut tx = store.begin_write().await.unwrap();
    let created = api_tokens::create(
        &mut tx,
        &NewApiToken {
            name,
            user_id,
            scopes,
            expires_at,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    created
}

#[tokio::test]
async fn a_token_is_stored_hashed_and_found_by_its_secret_until_revoked() {
    on_every_backend(|store| async move {
        let owner = user(&store, "log@example.nl").await;
        let created = create(&store, &owner, "SIEM", &[ApiScope::AuditRead], None).await;
        assert!(looks_like_secret(&created.secret), "{}", created.secret);

        // Only the hash is in the table; the secret is nowhere.
        let (stored_hash, scopes): (String, String) =
            sqlx::query_as("SELECT token_hash, scopes FROM api_tokens WHERE id = $1")
                .bind(&created.token.id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(stored_hash, token_hash(&created.secret));
        assert_eq!(scopes, "audit:read");
        let (hits,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR name = $1 OR scopes = $1",
        )
        .bind(&created.secret)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(hits, 0);

        let now = now_ms();
        let found = api_tokens::find_active(&store, &created.secret, now)
            .await
            .unwrap()
            .expect("found by its secret");
        assert_eq!(found, created.token);
        assert!(found.is_active(now));
        assert!(
            api_tokens::find_active(&store, &format!("{}x", created.secret), now)
                .await
                .unwrap()
                .is_none()
        );

        // Another user cannot revoke it; the owner can, once.
        let other = user(&store, "other@example.nl").await;
        let mut tx = store.begin_write().await.unwrap();
        assert!(
            !api_tokens::revoke(&mut tx, &created.token.id, &other, now)
                .await
                .unwrap()
        );
        assert!(
            api_tokens::revoke(&mut tx, &created.token.id, &owner, now)
                .await
                .unwrap()
        );
        assert!(
            !api_tokens::revoke(&mut tx, &created.token.id, &owner, now)
                .await
                .unwrap(),
            "a token is revoked once"
        );
        tx.commit().await.unwrap();
        assert!(
            api_tokens::find_active(&store, &created.secret, now)
                .await
                .unwrap()
                .is_none(),
            "a revoked token is not found"
        );
        let revoked = api_tokens::get(&store, &created.token.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(revoked.revoked_at, Some(now));
        assert!(!revoked.is_active(now));
    })
    .await;
}

#[tokio::test]
async fn an_expired_token_is_not_found_and_use_is_recorded() {
    on_every_backend(|store| async move {
        let owner = user(&store, "pro@example.nl").await;
        let now = now_ms();
        let created = create(
            &store,
            &owner,
            "ECD",
            &[ApiScope::PeopleRead],
            Some(now + 60_000),
        )
        .await;
        assert!(
            api_tokens::find_active(&store, &created.secret, now)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            api_tokens::find_active(&store, &created.secret, now + 60_000)
                .await
                .unwrap()
                .is_none(),
            "expired at its expiry moment"
        );

        api_tokens::touch(&store, &created.token.id, now + 5)
            .await
            .unwrap();
        let used = api_tokens::get(&store, &created.token.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(used.last_used_at, Some(now + 5));
    })
    .await;
}

#[tokio::test]
async fn tokens_are_listed_per_owner_newest_first_and_operators_revoke_any() {
    on_every_backend(|store| async move {
        let a = user(&store, "a@example.nl").await;
        let b = user(&store, "b@example.nl").await;
        let first = create(&store, &a, "eerste", &[ApiScope::PeopleRead], None).await;
        let second = create(
            &store,
            &a,
            "tweede",
            &[ApiScope::PeopleRead, ApiScope::AuditRead],
            None,
        )
        .await;
        create(&store, &b, "van b", &[ApiScope::AuditRead], None).await;

        let list = api_tokens::list_for_user(&store, &a).await.unwrap();
        let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["tweede", "eerste"]);
        assert_eq!(
            list[0].scopes,
            vec![ApiScope::PeopleRead, ApiScope::AuditRead]
        );
        assert_ne!(first.secret, second.secret);

        let mut tx = store.begin_write().await.unwrap();
        assert_eq!(
            api_tokens::revoke_any(&mut tx, &first.token.id, now_ms())
                .await
                .unwrap(),
            Some(a.clone())
        );
        assert_eq!(
            api_tokens::revoke_any(&mut tx, &first.token.id, now_ms())
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            api_tokens::revoke_any(&mut tx, "bestaat-niet", now_ms())
                .await
                .unwrap(),
            None
        );
        tx.commit().await.unwrap();

        // A token made in a rolled-back transaction does not exist.
        let mut tx = store.begin_write().await.unwrap();
        let ghost = api_tokens::create(
            &mut tx,
            &NewApiToken {
                name: "spook",
                user_id: &a,
                scopes: &[ApiScope::PeopleRead],
                expires_at: None,
            },
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert!(
            api_tokens::find_active(&store, &ghost.secret, now_ms())
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            api_tokens::list_for_user(&store, &a).await.unwrap().len(),
            2
        );
    })
    .await;
}

async fn log(store: &Store, action: &str, user: Option<&str>, subject: Option<&str>) -> i64 {
    let mut tx = store.begin_write().await.unwrap();
    let record = audit::append(
        &mut tx,
        store.backend(),
        &audit::NewEvent {
            action,
            outcome: "success",
            user_id: user,
            purpose: "test",
            source: "conformance",
            subject_person_id: subject,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    record.occurred_at
}

#[tokio::test]
async fn the_audit_log_is_searched_by_person_user_action_and_time_newest_first() {
    on_every_backend(|store| async move {
        log(&store, "read", Some("u1"), Some("p1")).await;
        log(&store, "read", Some("u2"), Some("p1")).await;
        log(&store, "login", Some("u1"), None).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let late = log(&store, "search", Some("u1"), Some("p2")).await;

        let seqs = |records: Vec<mantelkring_core::audit::AuditRecord>| {
            records.into_iter().map(|r| r.seq).collect::<Vec<_>>()
        };
        let all = AuditFilter {
            limit: 100,
            ..Default::default()
        };
        assert_eq!(
            seqs(audit_search::search(&store, &all).await.unwrap()),
            [4, 3, 2, 1]
        );
        let by_person = AuditFilter {
            subject_person_id: Some("p1"),
            ..all.clone()
        };
        assert_eq!(
            seqs(audit_search::search(&store, &by_person).await.unwrap()),
            [2, 1]
        );
        let person_and_user = AuditFilter {
            user_id: Some("u1"),
            ..by_person.clone()
        };
        assert_eq!(
            seqs(
                audit_search::search(&store, &person_and_user)
                    .await
                    .unwrap()
            ),
            [1]
        );
        let by_action = AuditFilter {
            action: Some("login"),
            ..all.clone()
        };
        let found = audit_search::search(&store, &by_action).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].action.as_str(), found[0].user_id.as_deref()),
            ("login", Some("u1"))
        );
        let from_late = AuditFilter {
            from: Some(late),
            ..all.clone()
        };
        assert_eq!(
            seqs(audit_search::search(&store, &from_late).await.unwrap()),
            [4]
        );
        let before_late = AuditFilter {
            to: Some(late),
            ..all.clone()
        };
        assert_eq!(
            seqs(audit_search::search(&store, &before_late).await.unwrap()),
            [3, 2, 1]
        );
        let limited = AuditFilter {
            limit: 2,
            ..all.clone()
        };
        assert_eq!(
            seqs(audit_search::search(&store, &limited).await.unwrap()),
            [4, 3]
        );
        // Out-of-range limits are clamped, never passed through.
        let zero = AuditFilter {
            limit: 0,
            ..all.clone()
        };
        assert_eq!(audit_search::search(&store, &zero).await.unwrap().len(), 1);
        let nothing = AuditFilter {
            subject_person_id: Some("p1"),
            action: Some("search"),
            ..all
        };
        assert!(
            audit_search::search(&store, &nothing)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
