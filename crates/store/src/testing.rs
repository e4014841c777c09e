//! Throw-away databases for tests: a fresh SQLite file always, and a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set (created on a server reached through that URL, dropped afterwards).
//! In CI (`CI` set) a missing `TEST_DATABASE_URL` is an error, never a silent skip.

use crate::{Backend, Store, StoreOptions};
use sqlx::{AnyConnection, Connection, Executor};
use std::path::PathBuf;

/// One throw-away database. Dropping it removes the SQLite file or drops the PostgreSQL database.
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl TestDatabase {
    pub fn sqlite() -> TestDatabase {
        let dir = std::env::temp_dir().join(format!(
            "mantelkring-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TestDatabase {
            url: format!("sqlite://{}/test.db", dir.display()),
            backend: Backend::Sqlite,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A new, empty database on the PostgreSQL server of `admin_url`.
    pub async fn postgres(admin_url: &str) -> TestDatabase {
        sqlx::any::install_default_drivers();
        let name = format!("mk_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = AnyConnection::connect(admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("create test database");
        conn.close().await.ok();
        TestDatabase {
            url: with_database(admin_url, &name),
            backend: Backend::Postgres,
            cleanup: Cleanup::PgDatabase {
                admin_url: admin_url.to_string(),
                name,
            },
        }
    }

    /// The URL of the PostgreSQL server to test against, if any. Panics in CI when it is missing.
    pub fn postgres_admin_url() -> Option<String> {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ if std::env::var_os("CI").is_some() => {
                panic!("TEST_DATABASE_URL is not set in CI: the PostgreSQL suites must run there")
            }
            _ => None,
        }
    }

    /// A fresh SQLite database, and a fresh PostgreSQL database when one is configured.
    pub async fn all() -> Vec<TestDatabase> {
        let mut dbs = vec![TestDatabase::sqlite()];
        if let Some(admin) = TestDatabase::postgres_admin_url() {
            dbs.push(TestDatabase::postgres(&admin).await);
        }
        dbs
    }

    /// Connects and migrates.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, &StoreOptions::default())
            .await
            .expect("connect to test database");
        store.migrate().await.expect("migrate test database");
        store
    }
}

/// Replaces the database name in a `postgres://…/name?params` URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, params) = url
        .split_once('?')
        .map(|(b, p)| (b, Some(p)))
        .unwrap_or((url, None));
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[after_scheme..]
        .find('/')
        .map(|i| after_scheme + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(p) = params {
        out.push('?');
        out.push_str(p);
    }
    out
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                // Drop may run inside an async test: do the async clean-up on a thread of its own.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(mut conn) = AnyConnection::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = conn.execute(sqlx::AssertSqlSafe(sql)).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://127.0.0.1:5432/test", "x"),
            "postgres://127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
