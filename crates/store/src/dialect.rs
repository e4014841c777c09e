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

    /// The `VALUES` list of a multi-row INSERT: `rows` rows of `per_row` parameters, bound in
    /// order. SQLite gets anonymous `?`: sqlx binds a `$N` by asking SQLite each parameter's
    /// name, which SQLite finds by a linear scan, so a statement with n named parameters costs
    /// n² (measured: a tenth of `/bellen`'s time went to it with 50 rows of 17).
    pub(crate) fn values_rows(self, rows: usize, per_row: usize) -> String {
        match self {
            Backend::Sqlite => {
                let row = format!("({})", vec!["?"; per_row].join(", "));
                vec![row; rows].join(", ")
            }
            Backend::Postgres => placeholders(rows, per_row),
        }
    }

    /// Whether the audit log's index by subject is filled in batches off the request path
    /// (`audit::index_subjects`, table `audit_subjects`) rather than inline with every record.
    /// SQLite: yes; a list page's records touch one index page per subject, and with one writer
    /// at a time those page writes (and their checkpoint) land in the request. PostgreSQL: no;
    /// it keeps `audit_log_subject`, which measured cheaper there than a batch beside the
    /// requests (see migrations/postgres/0015_audit_subjects.sql).
    pub fn batches_audit_subjects(self) -> bool {
        self == Backend::Sqlite
    }

    /// Run on every new connection. SQLite: write-ahead log (readers never block the writer),
    /// enforced foreign keys, a busy timeout so concurrent writers wait instead of failing, and
    /// a checkpoint inside a commit only past 10,000 pages (40 MB), as a safety net: the
    /// application's upkeep checkpoints every quarter second beside the requests
    /// (`Store::checkpoint`).
    pub(crate) fn connection_setup(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => Some(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA wal_autocheckpoint = 10000;",
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

/// `($1, $2, $3), ($4, $5, $6)` for 2 rows of 3 parameters.
pub(crate) fn placeholders(rows: usize, per_row: usize) -> String {
    (0..rows)
        .map(|row| format!("({})", numbered(row * per_row + 1, per_row)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$first, …` — `n` numbered parameters.
pub(crate) fn numbered(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{Backend, numbered, placeholders};

    #[test]
    fn placeholders_number_rows_and_lists() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(numbered(1, 3), "$1, $2, $3");
    }

    #[test]
    fn values_rows_are_anonymous_on_sqlite_and_numbered_on_postgres() {
        assert_eq!(Backend::Sqlite.values_rows(2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(
            Backend::Postgres.values_rows(2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
    }
}
