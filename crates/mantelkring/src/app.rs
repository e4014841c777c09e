//! Start-up: open and migrate the store, bind the port, build the router, start the worker;
//! then serve until a shutdown signal, finishing requests and the job in progress.

use crate::config::Config;
use crate::mail::{MailSettings, Mailer};
use crate::worker::Worker;
use mantelkring_store::{Store, StoreError, StoreOptions, settings};
use mantelkring_web::WebSettings;
use mantelkring_web::directory::index::DirectoryIndex;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

/// A start-up problem an operator must fix: printed in one line, exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("poort {0} is al in gebruik / port already in use")]
    PortInUse(SocketAddr),
    #[error("kan niet luisteren op {0}: {1} / cannot listen")]
    Bind(SocketAddr, String),
    #[error("e-mail: {0}")]
    Mail(String),
}

/// Opens the store named by the configuration and brings its schema up to date.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let options = StoreOptions {
        max_connections: config.db_max_connections,
        ..StoreOptions::default()
    };
    let store = Store::connect(&config.database_url, &options).await?;
    store.migrate().await?;
    Ok(store)
}

/// The installation's secret key (CSRF tokens, later sessions), created once and shared by all nodes.
pub async fn secret_key(store: &Store) -> Result<Vec<u8>, StartError> {
    let hex_key = settings::get_or_init(store, "secret_key", || {
        hex::encode(rand::random::<[u8; 32]>())
    })
    .await?;
    hex::decode(hex_key)
        .map_err(|e| StartError::Store(StoreError::Migration(format!("secret_key: {e}"))))
}

/// How often each node asks the database for changes to the sociale kaart (each search also checks
/// the change sequence first).
const DIRECTORY_REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

pub struct Application {
    pub store: Store,
    listener: TcpListener,
    router: axum::Router,
    worker: Worker,
    directory: Arc<DirectoryIndex>,
}

impl Application {
    pub async fn build(config: &Config, store: Store) -> Result<Application, StartError> {
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => StartError::PortInUse(config.bind),
                _ => StartError::Bind(config.bind, e.to_string()),
            })?;
        let mail = MailSettings {
            smtp_url: config.smtp_url.clone(),
            mail_dir: config.mail_dir.clone(),
            from: config.mail_from.parse().map_err(|e| {
                StartError::Mail(format!(
                    "ongeldige MANTELKRING_MAIL_FROM '{}': {e}",
                    config.mail_from
                ))
            })?,
        };
        let mailer = Mailer::new(&mail).map_err(StartError::Mail)?;
        let wakeup = Arc::new(Notify::new());
        let web = WebSettings {
            max_body_bytes: config.max_body_bytes,
            request_timeout: config.request_timeout,
            secure_cookies: config.public_url.starts_with("https://"),
            audit_source: format!("mantelkring {}", config.public_url),
            public_url: config.public_url.clone(),
            directory_stale_after_days: config.directory_stale_after_days,
            instruments: config.instruments.clone(),
        };
        // The search index is built before the first request, from the database.
        let directory = DirectoryIndex::new(store.clone());
        directory.refresh().await?;
        let router = mantelkring_web::router(
            store.clone(),
            secret_key(&store).await?,
            web,
            wakeup.clone(),
            directory.clone(),
        );
        let worker = Worker {
            store: store.clone(),
            mailer,
            mail_from: mail.from,
            retry_base: config.job_retry_base,
            poll: config.job_poll,
            wakeup,
            public_url: config.public_url.clone(),
            stale_after_days: config.directory_stale_after_days,
            instruments: config.instruments.clone(),
        };
        // Recurring work is queued once at start (so it is in the queue before the first request),
        // then every 24 hours by the worker.
        worker.schedule_recurring().await?;
        Ok(Application {
            store,
            listener,
            router,
            worker,
            directory,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    /// Serves until `shutdown` completes; then stops accepting, lets in-flight requests finish,
    /// stops the worker after its current job, and closes the database pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_worker, worker_stopped) = watch::channel(false);
        let refresher = tokio::spawn(
            self.directory
                .clone()
                .run_refresh_loop(DIRECTORY_REFRESH, worker_stopped.clone()),
        );
        let upkeep = tokio::spawn(crate::upkeep::run(
            self.store.clone(),
            crate::upkeep::EVERY,
            worker_stopped.clone(),
        ));
        let worker = tokio::spawn(self.worker.run(worker_stopped));
        let result = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop_worker.send(true);
        let _ = worker.await;
        let _ = refresher.await;
        let _ = upkeep.await;
        self.store.close().await;
        result
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in progress");
}
