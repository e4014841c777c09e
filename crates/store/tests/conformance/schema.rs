use mantelkring_store::schema;
use mantelkring_store::testing::TestDatabase;

/// The two migration sets must produce the same tables, columns, type classes and nullability.
#[tokio::test]
async fn sqlite_and_postgres_migrations_produce_the_same_schema() {
    let sqlite = TestDatabase::sqlite();
    let sqlite_columns = schema::columns(&sqlite.store().await).await.unwrap();
    assert!(
        sqlite_columns
            .iter()
            .any(|c| c.table == "jobs" && c.name == "payload")
    );
    assert!(
        sqlite_columns.iter().all(|c| c.class != "other"),
        "{sqlite_columns:#?}"
    );

    let Some(admin) = TestDatabase::postgres_admin_url() else {
        eprintln!("TEST_DATABASE_URL not set: schema compared on SQLite only");
        return;
    };
    let pg = TestDatabase::postgres(&admin).await;
    let pg_columns = schema::columns(&pg.store().await).await.unwrap();
    for (s, p) in sqlite_columns.iter().zip(&pg_columns) {
        assert_eq!(
            s, p,
            "first difference between the SQLite and PostgreSQL schema"
        );
    }
    assert_eq!(
        sqlite_columns.len(),
        pg_columns.len(),
        "number of columns differs"
    );
}
