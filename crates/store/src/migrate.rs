//! Migrations per backend, compiled into the binary and applied by sqlx's migrator.
//! To add one: add `NNNN_name.sql` in both `migrations/sqlite` and `migrations/postgres` and list it
//! below; the schema-equivalence test fails until both backends produce the same tables and columns.

use crate::{Backend, Result, Store, StoreError};
use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

struct MigrationFile {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[MigrationFile] = &[
    MigrationFile {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    MigrationFile {
        version: 2,
        name: "identity",
        sqlite: include_str!("../migrations/sqlite/0002_identity.sql"),
        postgres: include_str!("../migrations/postgres/0002_identity.sql"),
    },
    MigrationFile {
        version: 3,
        name: "account_links",
        sqlite: include_str!("../migrations/sqlite/0003_account_links.sql"),
        postgres: include_str!("../migrations/postgres/0003_account_links.sql"),
    },
    MigrationFile {
        version: 4,
        name: "administration",
        sqlite: include_str!("../migrations/sqlite/0004_administration.sql"),
        postgres: include_str!("../migrations/postgres/0004_administration.sql"),
    },
    MigrationFile {
        version: 5,
        name: "api_tokens",
        sqlite: include_str!("../migrations/sqlite/0005_api_tokens.sql"),
        postgres: include_str!("../migrations/postgres/0005_api_tokens.sql"),
    },
    MigrationFile {
        version: 6,
        name: "postcodes",
        sqlite: include_str!("../migrations/sqlite/0006_postcodes.sql"),
        postgres: include_str!("../migrations/postgres/0006_postcodes.sql"),
    },
    MigrationFile {
        version: 7,
        name: "directory",
        sqlite: include_str!("../migrations/sqlite/0007_directory.sql"),
        postgres: include_str!("../migrations/postgres/0007_directory.sql"),
    },
    MigrationFile {
        version: 8,
        name: "kring",
        sqlite: include_str!("../migrations/sqlite/0008_kring.sql"),
        postgres: include_str!("../migrations/postgres/0008_kring.sql"),
    },
    MigrationFile {
        version: 9,
        name: "kring_indexes",
        sqlite: include_str!("../migrations/sqlite/0009_kring_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0009_kring_indexes.sql"),
    },
    MigrationFile {
        version: 10,
        name: "screening",
        sqlite: include_str!("../migrations/sqlite/0010_screening.sql"),
        postgres: include_str!("../migrations/postgres/0010_screening.sql"),
    },
    MigrationFile {
        version: 11,
        name: "contact",
        sqlite: include_str!("../migrations/sqlite/0011_contact.sql"),
        postgres: include_str!("../migrations/postgres/0011_contact.sql"),
    },
    MigrationFile {
        version: 12,
        name: "screening_latest",
        sqlite: include_str!("../migrations/sqlite/0012_screening_latest.sql"),
        postgres: include_str!("../migrations/postgres/0012_screening_latest.sql"),
    },
    MigrationFile {
        version: 13,
        name: "matching",
        sqlite: include_str!("../migrations/sqlite/0013_matching.sql"),
        postgres: include_str!("../migrations/postgres/0013_matching.sql"),
    },
    MigrationFile {
        version: 14,
        name: "matching_settings",
        sqlite: include_str!("../migrations/sqlite/0014_matching_settings.sql"),
        postgres: include_str!("../migrations/postgres/0014_matching_settings.sql"),
    },
    MigrationFile {
        version: 15,
        name: "audit_subjects",
        sqlite: include_str!("../migrations/sqlite/0015_audit_subjects.sql"),
        postgres: include_str!("../migrations/postgres/0015_audit_subjects.sql"),
    },
];

fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|m| {
            let sql = match backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            Migration::new(
                m.version,
                Cow::Borrowed(m.name),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

pub(crate) async fn run(store: &Store) -> Result<()> {
    migrator(store.backend())
        .run(store.pool())
        .await
        .map_err(|e| StoreError::Migration(e.to_string()))
}
