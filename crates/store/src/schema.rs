//! Reads back the schema the migrations produced, so a test can compare the two backends.

use crate::{Result, Store};

/// A column as the database reports it, with the type reduced to a class both backends share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub table: String,
    pub name: String,
    pub class: &'static str,
    pub not_null: bool,
}

/// Maps a declared or reported type onto `integer`, `text`, `real`, `blob` or `boolean`.
pub fn type_class(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text"
    } else if t.contains("real")
        || t.contains("floa")
        || t.contains("doub")
        || t.contains("numeric")
    {
        "real"
    } else if t.contains("bool") {
        "boolean"
    } else if t.contains("blob") || t.contains("bytea") {
        "blob"
    } else {
        "other"
    }
}

/// All columns of the application's tables (the migrator's own bookkeeping table excluded).
pub async fn columns(store: &Store) -> Result<Vec<Column>> {
    let rows: Vec<(String, String, String, i64, i64)> =
        sqlx::query_as(store.backend().columns_sql())
            .fetch_all(store.pool())
            .await?;
    let mut columns: Vec<Column> = rows
        .into_iter()
        .map(|(table, name, declared, not_null, pk)| Column {
            table,
            name,
            class: type_class(&declared),
            // SQLite reports an INTEGER PRIMARY KEY as nullable although it can never be NULL.
            not_null: not_null != 0 || pk != 0,
        })
        .collect();
    columns.sort();
    Ok(columns)
}
