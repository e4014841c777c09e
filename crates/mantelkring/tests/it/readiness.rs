//! `/readyz` follows the database: 503 while it cannot be reached, 200 again when it is back.

use crate::support::{TestApp, quick_store, temp_dir, test_config};
use mantelkring_store::testing::{TestDatabase, with_database};
use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A TCP relay in front of PostgreSQL that the test can cut and restore, like a network outage.
struct Relay {
    addr: SocketAddr,
    target: SocketAddr,
    tasks: Option<JoinSet<()>>,
}

impl Relay {
    async fn start(target: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut relay = Relay {
            addr,
            target,
            tasks: None,
        };
        relay.serve(listener);
        relay
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target;
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        self.tasks = Some(tasks);
    }

    /// Drops the listener and every open connection.
    async fn cut(&mut self) {
        if let Some(mut tasks) = self.tasks.take() {
            tasks.shutdown().await;
        }
    }

    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("rebind relay port");
        self.serve(listener);
    }
}

async fn readyz(app: &TestApp) -> StatusCode {
    app.get("/readyz").await.status()
}

#[tokio::test]
async fn readyz_is_503_while_postgresql_is_unreachable_and_200_when_it_is_back() {
    let Some(admin) = TestDatabase::postgres_admin_url() else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL readiness test not run");
        return;
    };
    let db = TestDatabase::postgres(&admin).await;
    db.store().await.close().await; // migrate directly, not through the relay

    let host_port = db
        .url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    let target: SocketAddr = tokio::net::lookup_host(&host_port)
        .await
        .unwrap()
        .next()
        .unwrap();
    let mut relay = Relay::start(target).await;
    let user = db
        .url
        .split("://")
        .nth(1)
        .unwrap()
        .split('@')
        .next()
        .unwrap();
    let name = db
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let through_relay = with_database(&format!("postgres://{user}@{}/x", relay.addr), name);

    let dir = temp_dir("readyz");
    let store = quick_store(&through_relay).await;
    let app = TestApp::start(test_config(&through_relay, &dir), store, dir).await;
    assert_eq!(readyz(&app).await, StatusCode::OK);

    relay.cut().await;
    assert_eq!(readyz(&app).await, StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(
        app.get("/healthz").await.status(),
        StatusCode::OK,
        "alive even when not ready"
    );

    relay.restore().await;
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        status = readyz(&app).await;
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status,
        StatusCode::OK,
        "ready again once the database is back"
    );
    app.stop().await;
}

#[tokio::test]
async fn readyz_is_503_when_the_sqlite_pool_is_gone() {
    let app = TestApp::sqlite().await;
    assert_eq!(readyz(&app).await, StatusCode::OK);
    app.store.close().await;
    assert_eq!(readyz(&app).await, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_failing_database_gives_a_dutch_500_page_and_a_json_error_without_details() {
    let app = TestApp::sqlite().await;
    app.store.close().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"nl\">") && html.contains("Er ging iets mis"),
        "{html}"
    );
    assert!(
        !html.to_lowercase().contains("pool"),
        "no internal detail on the page"
    );

    let response = app.get("/api/v1/regions").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Er ging iets mis");
}
