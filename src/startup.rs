//! Building the application: database, first-start bootstrap, listener, HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::auth::password::Passwords;
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::idea_writer::IdeaWriter;
use crate::{bootstrap, openapi, routes, scheduler, telemetry};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Database(#[from] db::DbError),
    #[error("{0}")]
    Bootstrap(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("{0}")]
    Other(String),
}

pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    scheduler: Option<tokio::task::JoinHandle<()>>,
    outbox: Option<tokio::task::JoinHandle<()>>,
}

/// Opens the database named by the settings (running migrations) with a pool sized
/// for the backend.
pub async fn open_database(settings: &Settings) -> Result<DbPool, StartupError> {
    let target = settings.database_target()?;
    // SQLite readers are threads of this process; PostgreSQL connections are processes
    // competing for the same cores, so more of them than twice the cores only lengthens
    // the slowest requests (measured: p99 of GET /me 190 ms with 16, 7 ms with 4).
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let default = if target.is_sqlite() { 8 } else { (2 * cpus).max(4) };
    let size = settings.pool_size.unwrap_or(u32::try_from(default).unwrap_or(8));
    web::block(move || db::connect(&target, size))
        .await
        .map_err(|e| StartupError::Other(e.to_string()))?
        .map_err(StartupError::from)
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        settings.validate()?;
        let secret = crate::auth::secret::resolve(&settings)?;
        let pool = open_database(&settings).await?;
        bootstrap::first_start(&pool, &settings).await?;

        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartupError::Bind {
            addr: settings.bind.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Other(e.to_string()))?
            .port();
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let sending = if settings.outbox.smtp.is_some() {
            crate::store::mail::Sending::On
        } else {
            crate::store::mail::Sending::Off
        };
        let idea_writer = IdeaWriter::spawn(settings.database_target()?, sending)
            .map_err(|e| StartupError::Other(format!("cannot start the idea writer: {e}")))?;
        let state = AppState {
            pool: pool.clone(),
            idea_writer,
            report_slots: Arc::new(crate::state::ReportSlots::new(cpus)),
            keys: TokenKeys::new(&secret),
            // Half the cores at most: logins queue rather than starve other requests.
            passwords: Passwords::new(settings.hash_concurrency.unwrap_or((cpus / 2).max(1))),
            metrics: Metrics::new().map_err(|e| StartupError::Other(e.to_string()))?,
            settings: Arc::new(settings.clone()),
            sso: Arc::new(crate::auth::sso::Providers::new().map_err(StartupError::Other)?),
        };
        let workers = settings.workers.unwrap_or(cpus);
        // Database work runs on each worker's blocking threads and waits there for a pooled
        // connection: more threads than connections only wait, and every thread that
        // allocates gets an allocator arena of its own, kept when the thread idles (up to
        // 99 threads and 180–300 MB after the write benchmarks with the default of 256
        // per worker; BENCHMARKS.md, "Memory"). Enough for the pool plus password hashing.
        let pool_size = usize::try_from(pool.max_size()).unwrap_or(8);
        let blocking = pool_size.div_ceil(workers.max(1)) + settings.hash_concurrency.unwrap_or((cpus / 2).max(1));
        let server = HttpServer::new(move || build_app(state.clone()))
            .workers(workers)
            .worker_max_blocking_threads(blocking.max(2))
            .shutdown_timeout(10)
            .listen(listener)
            .map_err(|e| StartupError::Other(e.to_string()))?
            .run();
        let scheduler = settings
            .scheduler
            .then(|| scheduler::spawn(pool.clone(), scheduler::INTERVAL, scheduler::Retention::of(&settings)));
        let outbox = if settings.outbox.worker {
            Some(
                crate::outbox_worker::spawn(pool.clone(), settings.outbox.clone(), settings.public_url.clone())
                    .map_err(|e| StartupError::Other(format!("cannot start the outbox worker: {e}")))?,
            )
        } else {
            None
        };
        tracing::info!(port, "listening");
        Ok(Self {
            port,
            server,
            pool,
            scheduler,
            outbox,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// The server future, for callers that drive it themselves (tests).
    pub fn into_server(self) -> Server {
        self.server
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        for task in [self.scheduler, self.outbox].into_iter().flatten() {
            task.abort();
        }
        result
    }
}

fn build_app(
    state: AppState,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|err, _| ApiError::BadRequest(format!("invalid query string: {err}")).into()),
        )
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .wrap(from_fn(routes::reject_nul))
        .wrap(ErrorHandlers::new().default_handler(routes::problem_fallback))
        .wrap(from_fn(routes::localization::localize_problems))
        // Pages compressed for browsers that accept it (the assets carry their own).
        .wrap(from_fn(crate::web::compress_pages))
        .wrap(from_fn(telemetry::observe))
        .service(web::scope("/api/v1").configure(routes::configure_api))
        .configure(routes::configure_ops)
        // The document is built on its first request, not in every worker at start.
        .route(
            "/openapi.json",
            web::get().to(|| async {
                let doc = web::block(openapi::served_json).await.map_err(ApiError::internal)?;
                Ok::<_, ApiError>(HttpResponse::Ok().content_type("application/json").body(doc))
            }),
        )
        // No online validator: it would load an image from an outside site and hand it the
        // document's address on any host but localhost.
        .service(SwaggerUi::new("/docs/{_:.*}").config(Config::from("/openapi.json").validator_url("none")))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .configure(crate::web::configure)
        .default_service(web::to(routes::fallback))
}
