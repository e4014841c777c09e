//! The binary's bad-input behaviour: one line naming the problem, exit code 2, no panic.

use std::process::{Command, Output};

fn mantelkring(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mantelkring"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("MANTELKRING_LOG", "warn");
    for key in [
        "MANTELKRING_BIND",
        "MANTELKRING_DATA_DIR",
        "MANTELKRING_CONFIG",
    ] {
        cmd.env_remove(key);
    }
    // Run where no mantelkring.toml lies around.
    cmd.current_dir(std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run mantelkring")
}

/// Asserts exit code 2 and a single stderr line containing `needle`.
fn assert_refused(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line expected: {stderr}");
    assert!(
        lines[0].contains(needle),
        "expected '{needle}' in: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

#[test]
fn an_invalid_database_url_is_named() {
    assert_refused(
        &mantelkring(&["migrate"], &[("DATABASE_URL", "mysql://db/x")]),
        "ongeldige DATABASE_URL",
    );
    assert_refused(
        &mantelkring(&["--database-url", "data.db", "migrate"], &[]),
        "ongeldige DATABASE_URL",
    );
}

#[test]
fn an_unreachable_postgresql_is_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/mantelkring");
    assert_refused(
        &mantelkring(&["migrate"], &[("DATABASE_URL", &url)]),
        "database niet bereikbaar",
    );
}

#[test]
fn an_unwritable_data_folder_is_named() {
    assert_refused(
        &mantelkring(&["demo", "--data-dir", "/proc/version/data"], &[]),
        "niet schrijfbaar",
    );
    assert_refused(
        &mantelkring(&["serve", "--data-dir", "/proc/version/data"], &[]),
        "niet schrijfbaar",
    );
}

#[test]
fn an_unknown_key_in_the_settings_file_is_named() {
    let file = std::env::temp_dir().join(format!("mk-cli-{}.toml", std::process::id()));
    std::fs::write(&file, "bind = \"127.0.0.1:0\"\nport = 8080\n").unwrap();
    let output = mantelkring(&["--config", file.to_str().unwrap(), "migrate"], &[]);
    assert_refused(&output, "port");
    assert!(String::from_utf8_lossy(&output.stderr).contains("fout in instellingenbestand"));
}

#[test]
fn a_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = crate::support::temp_dir("port");
    let url = format!("sqlite://{}/x.db", dir.display());
    let output = mantelkring(&["serve", "--bind", &addr, "--database-url", &url], &[]);
    assert_refused(&output, "al in gebruik");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_bind_address_is_named() {
    assert_refused(
        &mantelkring(&["serve"], &[("MANTELKRING_BIND", "overal:80")]),
        "MANTELKRING_BIND",
    );
}

#[test]
fn help_documents_every_setting() {
    let output = mantelkring(&["--help"], &[]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for env in [
        "DATABASE_URL",
        "MANTELKRING_CONFIG",
        "MANTELKRING_BIND",
        "MANTELKRING_DATA_DIR",
        "MANTELKRING_PUBLIC_URL",
        "MANTELKRING_SMTP_URL",
        "MANTELKRING_MAIL_DIR",
        "MANTELKRING_MAIL_FROM",
        "MANTELKRING_LOG",
        "MANTELKRING_LOG_FORMAT",
        "MANTELKRING_DB_MAX_CONNECTIONS",
        "MANTELKRING_MAX_BODY_BYTES",
        "MANTELKRING_REQUEST_TIMEOUT_SECS",
        "MANTELKRING_JOB_MAX_ATTEMPTS",
        "MANTELKRING_JOB_RETRY_BASE_SECS",
        "MANTELKRING_JOB_POLL_MS",
    ] {
        assert!(help.contains(env), "--help does not mention {env}");
    }
    for command in ["demo", "serve", "migrate", "jobs", "audit", "token"] {
        assert!(help.contains(command), "--help does not mention {command}");
    }
    assert!(help.contains("mantelkring.toml"));

    let output = mantelkring(&["token", "--help"], &[]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("create") && help.contains("revoke"), "{help}");
    let output = mantelkring(&["token", "create", "--help"], &[]);
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--email",
        "--name",
        "--scope",
        "--days",
        "people:read",
        "audit:read",
    ] {
        assert!(
            help.contains(option),
            "token create --help lacks {option}: {help}"
        );
    }
}

#[test]
fn token_create_prints_the_secret_once_and_refuses_scopes_the_user_may_not_have() {
    use mantelkring_core::api_token::looks_like_secret;
    use mantelkring_core::identity::token_hash;
    let dir = crate::support::temp_dir("token");
    let url = format!("sqlite://{}/tokens.db", dir.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = crate::support::quick_store(&url).await;
        mantelkring::demo::seed(&store).await.unwrap();
        store.close().await;
    });
    let env = [("DATABASE_URL", url.as_str())];
    let token = |args: &[&str]| {
        let mut all = vec!["token"];
        all.extend_from_slice(args);
        mantelkring(&all, &env)
    };

    let ok = token(&[
        "create",
        "--email",
        "LogBeheer@demo.mantelkring.nl",
        "--name",
        "SIEM",
        "--scope",
        "audit:read",
        "--days",
        "30",
    ]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let secret = stdout.lines().last().unwrap().trim().to_string();
    assert!(looks_like_secret(&secret), "{stdout}");
    assert_eq!(
        stdout.matches(&secret).count(),
        1,
        "the secret is printed once"
    );
    let id = stdout
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let (stored_id, scopes, logged): (String, String, i64) = rt.block_on(async {
        let store = crate::support::quick_store(&url).await;
        let row: (String, String) =
            sqlx::query_as("SELECT id, scopes FROM api_tokens WHERE token_hash = $1")
                .bind(token_hash(&secret))
                .fetch_one(store.pool())
                .await
                .unwrap();
        let (logged,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND detail LIKE $1",
        )
        .bind(format!("api_token={} %", row.0))
        .fetch_one(store.pool())
        .await
        .unwrap();
        store.close().await;
        (row.0, row.1, logged)
    });
    assert_eq!(
        (stored_id.as_str(), scopes.as_str(), logged),
        (id.as_str(), "audit:read", 1)
    );

    // Refused: one line, exit 2, nothing made.
    let base = [
        "create",
        "--email",
        "logbeheer@demo.mantelkring.nl",
        "--name",
        "x",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        token(&args)
    };
    assert_refused(&with(&["--scope", "people:read"]), "people:read");
    assert_refused(&with(&["--scope", "alles:lezen"]), "onbekende toegang");
    assert_refused(
        &with(&["--scope", "audit:read", "--days", "0"]),
        "aantal dagen",
    );
    assert_refused(
        &with(&["--scope", "audit:read", "--days", "dertig"]),
        "aantal dagen",
    );
    assert_refused(
        &token(&[
            "create",
            "--email",
            "ria.devries@demo.mantelkring.nl",
            "--name",
            "x",
            "--scope",
            "audit:read",
        ]),
        "audit:read",
    );
    assert_refused(
        &token(&[
            "create",
            "--email",
            "niemand@demo.mantelkring.nl",
            "--name",
            "x",
            "--scope",
            "audit:read",
        ]),
        "geen gebruiker",
    );
    assert_refused(
        &token(&[
            "create",
            "--email",
            "logbeheer@demo.mantelkring.nl",
            "--name",
            " ",
            "--scope",
            "audit:read",
        ]),
        "naam",
    );

    let revoked = token(&["revoke", &id]);
    assert_eq!(
        revoked.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let again = token(&["revoke", &id]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("geen werkende API-sleutel"));
    let (tokens, revoked_at): (i64, Option<i64>) = rt.block_on(async {
        let store = crate::support::quick_store(&url).await;
        let row = sqlx::query_as("SELECT COUNT(*), MAX(revoked_at) FROM api_tokens")
            .fetch_one(store.pool())
            .await
            .unwrap();
        store.close().await;
        row
    });
    assert_eq!(tokens, 1, "nothing made by the refused commands");
    assert!(revoked_at.is_some());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn migrate_creates_and_updates_an_embedded_database() {
    let dir = crate::support::temp_dir("migrate");
    let url = format!("sqlite://{}/nieuw/mantelkring.db", dir.display());
    for _ in 0..2 {
        let output = mantelkring(&["migrate"], &[("DATABASE_URL", &url)]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(dir.join("nieuw/mantelkring.db").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn audit_verify_passes_an_intact_log_and_names_the_first_altered_record() {
    let dir = crate::support::temp_dir("audit");
    let url = format!("sqlite://{}/audit.db", dir.display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = crate::support::quick_store(&url).await;
        for _ in 0..3 {
            let mut tx = store.begin_write().await.unwrap();
            mantelkring_store::audit::append(
                &mut tx,
                store.backend(),
                &mantelkring_store::audit::NewEvent {
                    action: "read",
                    outcome: "success",
                    purpose: "t",
                    source: "t",
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        store.close().await;
    });
    let ok = mantelkring(&["audit", "verify"], &[("DATABASE_URL", &url)]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("3 records"));

    rt.block_on(async {
        let store = crate::support::quick_store(&url).await;
        sqlx::query("UPDATE audit_log SET user_id = 'iemand' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let bad = mantelkring(&["audit", "verify"], &[("DATABASE_URL", &url)]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("record 2"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    rt.block_on(async {
        let store = crate::support::quick_store(&url).await;
        sqlx::query("UPDATE audit_log SET user_id = NULL WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_log WHERE seq = 1")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let removed = mantelkring(&["audit", "verify"], &[("DATABASE_URL", &url)]);
    assert_eq!(removed.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&removed.stderr).contains("record 2"),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}
