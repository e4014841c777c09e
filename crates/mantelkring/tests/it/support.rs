//! Starting the application for a test, and talking to it.

use mantelkring::app::{self, Application};
use mantelkring::config::{Config, LogFormat};
use mantelkring_store::testing::TestDatabase;
use mantelkring_store::{Store, StoreOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub config: Config,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _db: Option<TestDatabase>,
    dir: PathBuf,
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mk-it-{tag}-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A configuration for tests: port 0, mail to files in a temp folder, fast job retries.
pub fn test_config(database_url: &str, dir: &std::path::Path) -> Config {
    Config {
        database_url: database_url.to_string(),
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        public_url: "http://127.0.0.1".into(),
        smtp_url: None,
        mail_dir: dir.join("mail"),
        mail_from: "Mantelkring <noreply@localhost>".into(),
        log: "warn".into(),
        log_format: LogFormat::Text,
        db_max_connections: 5,
        max_body_bytes: 64 * 1024,
        request_timeout: Duration::from_secs(10),
        job_max_attempts: 3,
        job_retry_base: Duration::ZERO,
        job_poll: Duration::from_millis(50),
        directory_stale_after_days: 183,
        instruments: std::sync::Arc::new(
            mantelkring_core::screening::instrument::Catalogue::built_in(),
        ),
    }
}

impl TestApp {
    /// The app on a fresh SQLite database.
    pub async fn sqlite() -> TestApp {
        TestApp::on(TestDatabase::sqlite()).await
    }

    /// The app on the given fresh database.
    pub async fn on(db: TestDatabase) -> TestApp {
        let dir = temp_dir("app");
        let config = test_config(&db.url, &dir);
        let store = app::open_store(&config).await.expect("store");
        let mut app = TestApp::start(config, store, dir).await;
        app._db = Some(db);
        app
    }

    /// Starts the application with a store the test opened itself.
    pub async fn start(config: Config, store: Store, dir: PathBuf) -> TestApp {
        let application = Application::build(&config, store.clone())
            .await
            .expect("application builds");
        let addr = application.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            addr,
            store,
            config,
            client,
            stop: Some(stop),
            server: Some(server),
            _db: None,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// A fresh CSRF cookie and the matching form token, as a browser gets them from a page.
    pub async fn csrf(&self) -> (String, String) {
        let response = self.get("/").await;
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("mk_csrf="))
            .expect("csrf cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let html = response.text().await.unwrap();
        let token = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("csrf field in page")
            .to_string();
        (cookie, token)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Opens a store with a short acquire time-out (for tests that cut the database off).
pub async fn quick_store(url: &str) -> Store {
    let options = StoreOptions {
        max_connections: 3,
        acquire_timeout: Duration::from_millis(800),
    };
    let store = Store::connect(url, &options).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

/// Ria's kring as the kring tests expect it: only Marieke (every category) and her daughter
/// Sanne (agenda and messages, e-mail as a digest) as active members, no regiehouder, and
/// nothing written in any kring yet. The seeded demo stories (demo/kring.toml) fill the kringen
/// with members, messages, tasks and versions; the kring tests count what they write
/// themselves, so they start from this.
pub async fn reset_ria_kring(store: &Store, ria_person: &str) {
    let mut tx = store.begin_write().await.unwrap();
    let net = mantelkring_store::network::network_of(&mut tx, ria_person)
        .await
        .unwrap();
    let keep = "(SELECT u.id FROM users u WHERE u.email IN \
                ('marieke.jansen@demo.mantelkring.nl', 'sanne.devries@demo.mantelkring.nl'))";
    // What the demo stories wrote, in every network (the tests count rows): first the demo's
    // help requests, some of which are linked both ways to kring tasks.
    for statement in [
        "UPDATE network_tasks SET help_request_id = NULL",
        "DELETE FROM match_evaluations",
        "DELETE FROM help_request_events",
        "DELETE FROM match_proposals",
        "DELETE FROM help_requests",
    ] {
        sqlx::query(statement).execute(&mut *tx).await.unwrap();
    }
    for table in [
        "network_task_signups",
        "network_tasks",
        "network_agreements",
        "network_message_recipients",
        "network_messages",
        "situation_proposals",
        "situation_versions",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    for statement in [
        "DELETE FROM network_regie WHERE network_id = $1",
        "DELETE FROM network_member_events WHERE network_id = $1",
        "DELETE FROM network_naasten WHERE network_id = $1",
        &format!(
            "UPDATE network_members SET status = 'removed', removed_at = 1 \
             WHERE network_id = $1 AND user_id NOT IN {keep}"
        ),
        "UPDATE network_members SET notify = 'digest', acts_for_caregiver = 0, joined_at = {NOW}, digest_sent_until = NULL, \
         categories = 'contact,situation,agenda,messages,checks' \
         WHERE network_id = $1 AND user_id IN (SELECT id FROM users WHERE email = 'marieke.jansen@demo.mantelkring.nl')",
        "UPDATE network_members SET notify = 'digest', acts_for_caregiver = 0, joined_at = {NOW}, digest_sent_until = NULL, categories = 'agenda,messages' \
         WHERE network_id = $1 AND user_id IN (SELECT id FROM users WHERE email = 'sanne.devries@demo.mantelkring.nl')",
    ] {
        // As if Marieke and Sanne joined now, as the old hand-made demo had it.
        let now = mantelkring_core::time::now_ms().to_string();
        sqlx::query(sqlx::AssertSqlSafe(statement.replace("{NOW}", &now)))
            .bind(&net)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The jobs the worker queues at start: its matching expiry pass, the unfilled pass and the
/// signal evaluation (which the unfilled pass may queue again).
const START_UP_JOBS: [&str; 3] = ["kring_unfilled", "screening_signals", "matching_expiry"];

/// Waits until each job the app's worker queued at start has run (done or failed) and none is
/// waiting, so none of them runs between a test's own writes and its checks.
pub async fn settle_start_up_jobs(store: &Store) {
    let kinds = START_UP_JOBS.map(|kind| format!("'{kind}'")).join(", ");
    let sql = format!(
        "SELECT \
           (SELECT COUNT(*) FROM jobs WHERE kind IN ({kinds}) AND status IN ('queued', 'running')), \
           (SELECT COUNT(DISTINCT kind) FROM jobs WHERE kind IN ({kinds}) \
              AND status IN ('done', 'failed'))"
    );
    for _ in 0..400 {
        let (waiting, kinds_run): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_one(store.pool())
            .await
            .unwrap();
        if waiting == 0 && kinds_run == START_UP_JOBS.len() as i64 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the jobs the worker queued at start did not run");
}
