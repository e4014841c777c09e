//! The few places where SQLite and PostgreSQL need different SQL, side by side.

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Run on every new connection. SQLite: write-ahead log (readers never block the writer),
    /// enforced foreign keys, and a busy timeout so concurrent writers wait instead of failing.
    pub(crate) fn connection_setup(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => Some(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            ),
            Backend::Postgres => None,
        }
    }

    pub(crate) fn begin_write_statement(self) -> &'static str {
        match self {
            // Take the write lock at BEGIN: a deferred transaction that reads and then writes can
            // fail with SQLITE_BUSY without waiting, whatever the busy timeout says.
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Claims the next due job. `$1` = now (ms), `$2` = lease end (ms).
    /// PostgreSQL: `SKIP LOCKED` lets several app nodes claim different jobs at once.
    /// SQLite: the statement runs inside `BEGIN IMMEDIATE`, which already serialises claimers.
    pub(crate) fn claim_job_sql(self) -> &'static str {
        match self {
            Backend::Sqlite => {
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2 \
                 WHERE id = (SELECT id FROM jobs \
                   WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1) \
                   ORDER BY run_at, id LIMIT 1) \
                 RETURNING id, kind, payload, attempts, max_attempts"
            }
            Backend::Postgres => {
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2 \
                 WHERE id = (SELECT id FROM jobs \
                   WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1) \
                   ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, kind, payload, attempts, max_attempts"
            }
        }
    }

    /// Reads the head of the audit chain, locking it until the transaction ends. On SQLite the
    /// write transaction (`BEGIN IMMEDIATE`) already holds the only write lock.
    pub(crate) fn audit_head_sql(self) -> &'static str {
        match self {
            Backend::Sqlite => "SELECT last_seq, last_hash FROM audit_head WHERE id = 1",
            Backend::Postgres => {
                "SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE"
            }
        }
    }

    /// Lists `(table, column, declared type, not null, part of primary key)` of the app's own tables.
    pub(crate) fn columns_sql(self) -> &'static str {
        match self {
            Backend::Sqlite => {
                "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' \
                 ORDER BY m.name, p.name"
            }
            Backend::Postgres => {
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
                   CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END::bigint, \
                   CASE WHEN EXISTS (SELECT 1 FROM information_schema.key_column_usage k \
                     JOIN information_schema.table_constraints t ON t.constraint_name = k.constraint_name \
                       AND t.table_schema = k.table_schema \
                     WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema \
                       AND k.table_name = c.table_name AND k.column_name = c.column_name) THEN 1 ELSE 0 END::bigint \
                 FROM information_schema.columns c \
                 WHERE c.table_schema = current_schema() AND c.table_name NOT LIKE '\\_sqlx%' \
                 ORDER BY c.table_name, c.column_name"
            }
        }
    }
}
