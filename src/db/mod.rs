//! Database access: one diesel connection type for SQLite and PostgreSQL, the pool, and
//! the helper that moves every query off the async workers.
//!
//! Lookups by a unique key end in `get_result`, not `first`: diesel binds `first`'s
//! `LIMIT 1` as a parameter, and SQLite compiles a statement whose LIMIT is bound anew
//! on every run (the planner looked at the value). Lists keep their bound LIMIT, which
//! lets the planner prefer an index that already delivers the requested order.

pub mod schema;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::web;
use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::query_dsl::LoadQuery;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection to whichever backend the URL chose.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = r2d2::Pool<DbManager>;
pub type PooledConn = r2d2::PooledConnection<DbManager>;

/// Which backend a `DATABASE_URL` names, decided by its scheme alone.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Postgres { url: String },
    Sqlite { path: String },
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl DatabaseTarget {
    /// Parses `sqlite://path`, `sqlite:path` or `postgres://…`/`postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres { url: url.to_owned() });
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(DbError::Config(
                    "a sqlite URL needs a file path, e.g. sqlite://kaizen.db".into(),
                ));
            }
            if path.contains(":memory:") || path.contains("mode=memory") {
                return Err(DbError::Config(
                    "in-memory SQLite is not supported: every pooled connection would see its own empty database"
                        .into(),
                ));
            }
            return Ok(Self::Sqlite { path: path.to_owned() });
        }
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        Err(DbError::Config(format!(
            "unsupported database URL scheme {scheme:?}: use sqlite://<file> or postgres://<user>@<host>/<db>"
        )))
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite { .. })
    }

    /// A human description with any password removed.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite { path } => format!("SQLite file {path}"),
            Self::Postgres { url } => format!("PostgreSQL at {}", redact_url(url)),
        }
    }
}

/// Strips the user-info part of a URL so it can be shown in logs and errors.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparseable URL>".into();
    };
    let host_part = match rest.rsplit_once('@') {
        Some((_, host)) => host,
        None => rest,
    };
    let host_part = host_part.split('?').next().unwrap_or(host_part);
    format!("{scheme}://{host_part}")
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Config(String),
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
}

/// Builds connections for the pool, choosing the backend from the parsed target so a
/// refused PostgreSQL connection is reported as such instead of as a bad URL.
#[derive(Debug, Clone)]
pub struct DbManager {
    target: DatabaseTarget,
    /// SQLite's background checkpoint thread; it stops (after a last, complete
    /// checkpoint) when the pool owning this manager is dropped.
    checkpointer: Option<Arc<Checkpointer>>,
    /// PostgreSQL: plan every prepared statement once (`plan_cache_mode =
    /// force_generic_plan`), see `generic_plans`.
    generic_plans: bool,
}

impl DbManager {
    pub fn new(target: DatabaseTarget) -> Self {
        Self {
            target,
            checkpointer: None,
            generic_plans: false,
        }
    }

    /// Connections whose statements all look rows up by their keys, run again and again
    /// with new values (the idea writer's): PostgreSQL plans such a statement anew on
    /// every run while it rates a custom plan cheaper than the generic one, which with
    /// lists bound as arrays it always does (the checker's account lookup: 120 µs to bind,
    /// i.e. plan, and 63 µs to run in PostgreSQL's statement log; 17 µs to bind with the
    /// generic plan). A change of the tables' statistics or schema still has the
    /// statement planned again.
    pub fn generic_plans(mut self) -> Self {
        self.generic_plans = true;
        self
    }

    fn establish(&self) -> Result<DbConnection, DbError> {
        match &self.target {
            DatabaseTarget::Postgres { url } => {
                let mut conn = PgConnection::establish(url).map_err(|e| DbError::Connect {
                    target: self.target.describe(),
                    reason: first_line(&e.to_string()),
                })?;
                // Just-in-time compilation starts at a planner cost the report queries
                // over 100,000 ideas pass, and took longer than it saved (the
                // participation count: 35 ms without, 70 ms with, 20 ms of it compiling).
                let settings = if self.generic_plans {
                    "SET jit = off; SET plan_cache_mode = force_generic_plan"
                } else {
                    "SET jit = off"
                };
                conn.batch_execute(settings).map_err(|e| DbError::Connect {
                    target: self.target.describe(),
                    reason: e.to_string(),
                })?;
                Ok(DbConnection::Postgresql(conn))
            }
            DatabaseTarget::Sqlite { path } => {
                let mut conn = SqliteConnection::establish(path).map_err(|e| DbError::Connect {
                    target: self.target.describe(),
                    reason: first_line(&e.to_string()),
                })?;
                // WAL lets readers run beside the single writer; busy_timeout makes a
                // writer wait for the lock instead of failing at once.
                // Checkpoints run in the background (see `spawn_checkpointer`); a
                // writer checkpoints by itself only when the log has grown past 64 MiB.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA wal_autocheckpoint = 16384;",
                )
                .map_err(|e| DbError::Connect {
                    target: self.target.describe(),
                    reason: e.to_string(),
                })?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_owned()
}

impl r2d2::ManageConnection for DbManager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::Query)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Connects once (to report an honest error), runs pending migrations and builds the pool.
pub fn connect(target: &DatabaseTarget, pool_size: u32) -> Result<DbPool, DbError> {
    let manager = DbManager::new(target.clone());
    let mut first = manager.establish()?;
    run_migrations(&mut first)?;
    drop(first);
    let mut manager = manager;
    if target.is_sqlite() {
        manager.checkpointer = Checkpointer::spawn(target).map(Arc::new);
    }
    r2d2::Pool::builder()
        .max_size(pool_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(false)
        .build(manager)
        .map_err(|e| DbError::Connect {
            target: target.describe(),
            reason: e.to_string(),
        })
}

/// How often the background thread copies the SQLite write-ahead log into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// Log frames (pages) after which the background thread has the log start over.
const RESTART_AFTER_FRAMES: i64 = 4096;

/// Frames the checkpoint before the restart may leave for it: the restart runs with the
/// writers waiting, so the passive runs before it copy (and sync) nearly everything.
const RESTART_LEAVES_FRAMES: i64 = 256;

/// What `PRAGMA wal_checkpoint` reports.
#[derive(QueryableByName)]
struct CheckpointResult {
    /// Frames in the log.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    log: i64,
    /// Frames of the log copied into the database.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    checkpointed: i64,
}

/// SQLite's own automatic checkpoint runs inside the commit that fills the log, while
/// that writer still holds the write lock (and this process's writer mutex): every few
/// dozen writes one of them copied the log and waited for its fsyncs while all others
/// queued. A passive checkpoint from a thread of its own does the same work beside the
/// writers.
///
/// A passive checkpoint alone never lets the log start over, though: the log is rewritten
/// from its beginning only by a writer that starts while every frame has been copied, and
/// under a steady stream of writes (a batch of ideas every half millisecond) there is
/// always a newer frame. Without SQLite's own checkpoint the log grew by 300 MB a second;
/// with it, the writer that crossed its limit ran it, fsyncs included, and stalled every
/// writer for 20–45 ms. So once the log holds `RESTART_AFTER_FRAMES`, the thread catches
/// up with passive runs, then takes this process's writer mutex for one more, which finds
/// little left; the next writer starts the log over. Writers wait for that run only (its
/// two fsyncs: 10–20 ms on this machine while ideas stream in).
#[derive(Debug)]
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Checkpointer {
    fn spawn(target: &DatabaseTarget) -> Option<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let manager = DbManager::new(target.clone());
        let stopping = Arc::clone(&stop);
        let spawned = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let mut conn = None;
                loop {
                    std::thread::park_timeout(CHECKPOINT_EVERY);
                    let last = stopping.load(Ordering::Acquire);
                    if conn.is_none() {
                        conn = manager.establish().ok();
                    }
                    // The last one empties the log, so the next start does not have to
                    // read it back (a bulk load can leave hundreds of megabytes).
                    if let Some(Err(e)) = conn.as_mut().map(|c| checkpoint(c, last)) {
                        tracing::warn!(error = %e, "background checkpoint failed; reconnecting");
                        conn = None;
                    }
                    if last {
                        return;
                    }
                }
            });
        match spawned {
            Ok(thread) => Some(Self {
                stop,
                thread: Mutex::new(Some(thread)),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "no background checkpoint thread; SQLite checkpoints while writing");
                None
            }
        }
    }
}

/// One round of the checkpoint thread (see `Checkpointer`).
fn checkpoint(conn: &mut DbConnection, last: bool) -> QueryResult<()> {
    if last {
        return conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    let passive = |conn: &mut DbConnection| -> QueryResult<CheckpointResult> {
        diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(conn)
    };
    let mut done = passive(conn)?;
    if done.log < RESTART_AFTER_FRAMES {
        return Ok(());
    }
    // Each run has only what arrived during the previous one to copy and sync.
    for _ in 0..4 {
        if done.log - done.checkpointed <= RESTART_LEAVES_FRAMES {
            break;
        }
        done = passive(conn)?;
    }
    // With the writers waiting the run copies the rest, and the next writer finds every
    // frame copied and starts the log over (RESTART would also wait for readers still
    // on the old log, with the busy handler's sleeps of 1, 2, 5, 10 ms: 20 ms each time).
    let _writer = SQLITE_WRITER.lock().unwrap_or_else(PoisonError::into_inner);
    passive(conn).map(drop)
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let thread = self.thread.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(thread) = thread {
            thread.thread().unpark();
            if thread.join().is_err() {
                tracing::warn!("the checkpoint thread panicked");
            }
        }
    }
}

/// Applies every migration not yet applied; safe to call on every start.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, DbError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied)
}

/// Reverts the most recently applied migration with its `down.sql`; returns its name.
pub fn revert_last_migration(conn: &mut DbConnection) -> Result<String, DbError> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(reverted.to_string())
}

/// Connects without applying pending migrations and reverts the most recently applied
/// one (`kaizen migrate --revert-last`): each call goes one migration further back.
pub fn revert_last_applied(target: &DatabaseTarget) -> Result<String, DbError> {
    let mut conn = DbManager::new(target.clone()).establish()?;
    revert_last_migration(&mut conn)
}

/// Runs `f` with a pooled connection on the blocking thread pool, so diesel never blocks
/// an async worker. An exhausted pool answers 503.
pub async fn run<F, T>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool
            .get()
            .map_err(|e| ApiError::Unavailable(format!("database pool: {e}")))?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}

/// SQLite admits one writer at a time. Writers of this process queue on this mutex before
/// taking SQLite's lock, so each starts the moment the previous one commits; otherwise
/// they would poll with SQLite's busy handler, whose growing sleeps put hundreds of
/// milliseconds on the slowest writes. Other processes on the same file still wait
/// through `busy_timeout`.
static SQLITE_WRITER: Mutex<()> = Mutex::new(());

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock
/// up front: a deferred transaction that reads and then writes can fail with
/// SQLITE_BUSY when another writer got in between, and busy_timeout cannot help there.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Tm = <DbConnection as Connection>::TransactionManager;
    let nested = Tm::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(E::from)?
        .is_some();
    if nested {
        // Inside an outer write transaction the lock is held already: use a savepoint.
        return conn.transaction(f);
    }
    let _writer = match conn {
        DbConnection::Sqlite(inner) => {
            // A panic while holding it leaves nothing to repair: the transaction rolled back.
            let guard = SQLITE_WRITER.lock().unwrap_or_else(PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            Some(guard)
        }
        DbConnection::Postgresql(_) => {
            Tm::begin_transaction(conn)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => {
            Tm::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = Tm::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

/// Executes `query` on the backend's own connection. Through the `MultiConnection`, a
/// statement's SQL text is rendered and its parameters copied on every run, even when
/// the statement is prepared already; on the backend's connection a prepared statement
/// is found by its type alone. For the hot paths: submissions, transitions, the idea.
pub fn execute_native<Q>(conn: &mut DbConnection, query: Q) -> QueryResult<usize>
where
    Q: ExecuteDsl<SqliteConnection> + ExecuteDsl<PgConnection>,
{
    match conn {
        DbConnection::Sqlite(c) => ExecuteDsl::<SqliteConnection>::execute(query, c),
        DbConnection::Postgresql(c) => ExecuteDsl::<PgConnection>::execute(query, c),
    }
}

/// `get_result` on the backend's own connection (see `execute_native`).
pub fn get_result_native<'q, Q, U>(conn: &mut DbConnection, query: Q) -> QueryResult<U>
where
    Q: RunQueryDsl<SqliteConnection> + RunQueryDsl<PgConnection>,
    Q: LoadQuery<'q, SqliteConnection, U> + LoadQuery<'q, PgConnection, U>,
{
    match conn {
        DbConnection::Sqlite(c) => RunQueryDsl::<SqliteConnection>::get_result(query, c),
        DbConnection::Postgresql(c) => RunQueryDsl::<PgConnection>::get_result(query, c),
    }
}

/// `load` on the backend's own connection (see `execute_native`).
pub fn load_native<'q, Q, U>(conn: &mut DbConnection, query: Q) -> QueryResult<Vec<U>>
where
    Q: RunQueryDsl<SqliteConnection> + RunQueryDsl<PgConnection>,
    Q: LoadQuery<'q, SqliteConnection, U> + LoadQuery<'q, PgConnection, U>,
{
    match conn {
        DbConnection::Sqlite(c) => RunQueryDsl::<SqliteConnection>::load(query, c),
        DbConnection::Postgresql(c) => RunQueryDsl::<PgConnection>::load(query, c),
    }
}

/// True when the connection is in no transaction and its transaction state is sound
/// (after a failed commit or rollback diesel marks it broken).
pub fn outside_transaction(conn: &mut DbConnection) -> bool {
    type Tm = <DbConnection as Connection>::TransactionManager;
    matches!(Tm::transaction_manager_status_mut(conn).transaction_depth(), Ok(None))
}

/// The current time in UTC, truncated to microseconds so both backends store the same value.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A new time-ordered identifier (UUIDv7 as text).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when the error is a unique-constraint violation.
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// A consistent copy of a SQLite database in a new file, taken while the service runs,
/// with SQLite's online backup API: every page in one step, which reads one snapshot
/// (writers go on in WAL mode; what they commit after it is not in the copy). Should the
/// database be locked for a moment, the step is tried again. PostgreSQL databases are
/// copied with `pg_dump` (README, "Backup").
pub fn backup_sqlite(target: &DatabaseTarget, file: &std::path::Path) -> Result<(), String> {
    use rusqlite::backup::{Backup, StepResult};
    let DatabaseTarget::Sqlite { path } = target else {
        return Err("kaizen backup copies SQLite databases; for PostgreSQL use pg_dump (see the README)".into());
    };
    if file.exists() {
        return Err(format!("{} exists already; choose a new file", file.display()));
    }
    let failed = |e: rusqlite::Error| format!("the copy failed: {e}");
    let source =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(failed)?;
    source.busy_timeout(Duration::from_secs(5)).map_err(failed)?;
    let mut copy = rusqlite::Connection::open(file).map_err(failed)?;
    {
        let backup = Backup::new(&source, &mut copy).map_err(failed)?;
        let mut attempts = 0;
        loop {
            match backup.step(-1).map_err(failed)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if attempts < 100 => {
                    attempts += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
                StepResult::Busy | StepResult::Locked => {
                    return Err("the copy failed: the database stayed locked".into());
                }
                _ => return Err("the copy failed: unexpected answer of the backup".into()),
            }
        }
    }
    // One self-contained file, without a write-ahead log beside it.
    copy.pragma_update(None, "journal_mode", "DELETE").map_err(failed)?;
    Ok(())
}

/// A migrated SQLite database in `dir`, for unit tests of statements.
#[cfg(test)]
pub(crate) fn migrated_sqlite(dir: &std::path::Path) -> DbConnection {
    let target = DatabaseTarget::Sqlite {
        path: dir.join("k.db").display().to_string(),
    };
    let mut conn = DbManager::new(target).establish().expect("connect");
    run_migrations(&mut conn).expect("migrations");
    conn
}

/// Records the text of every statement the connection prepares and keeps from now on.
/// diesel keeps no `UPDATE`, upsert or `sql_query` it builds itself: it compiles those
/// anew on every run; the hot paths' own statement types are kept (tests show which).
#[cfg(test)]
pub(crate) fn record_kept_statements(conn: &mut DbConnection) -> Arc<Mutex<Vec<String>>> {
    use diesel::connection::{Instrumentation, InstrumentationEvent};
    let kept: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&kept);
    let record = move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            seen.lock().unwrap_or_else(PoisonError::into_inner).push(sql.to_owned());
        }
    };
    let boxed: Box<dyn Instrumentation> = Box::new(record);
    conn.set_instrumentation(boxed);
    kept
}

/// What `record_kept_statements` saw since the last call.
#[cfg(test)]
pub(crate) fn take_kept(kept: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    std::mem::take(&mut *kept.lock().unwrap_or_else(PoisonError::into_inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames in the log, as a passive checkpoint reports them.
    fn log_frames(conn: &mut DbConnection) -> i64 {
        let r: CheckpointResult = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
            .get_result(conn)
            .expect("checkpoint");
        r.log
    }

    #[test]
    fn a_long_log_starts_over_while_writes_go_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = DatabaseTarget::Sqlite {
            path: dir.path().join("k.db").display().to_string(),
        };
        let manager = DbManager::new(target);
        let mut conn = manager.establish().expect("connect");
        conn.batch_execute("CREATE TABLE t (v BLOB NOT NULL)").expect("table");
        // A steady stream of small write transactions, as the idea writer's batches are.
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let manager = manager.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut conn = manager.establish().expect("connect");
                conn.batch_execute("PRAGMA wal_autocheckpoint = 0").expect("pragma");
                while !stop.load(Ordering::Acquire) {
                    write_tx(&mut conn, |c| {
                        c.batch_execute("INSERT INTO t (v) VALUES (randomblob(3000))")
                    })
                    .expect("insert");
                }
            })
        };
        let mut grown = 0;
        for _ in 0..2000 {
            grown = log_frames(&mut conn);
            if grown > RESTART_AFTER_FRAMES {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(grown > RESTART_AFTER_FRAMES, "the log grew to {grown} frames only");

        checkpoint(&mut conn, false).expect("checkpoint");
        std::thread::sleep(Duration::from_millis(20));
        let after = log_frames(&mut conn);
        stop.store(true, Ordering::Release);
        writer.join().expect("writer");
        assert!(
            after < grown,
            "the log started over: {grown} frames before, {after} after"
        );
    }

    #[test]
    fn parses_sqlite_urls() {
        assert_eq!(
            DatabaseTarget::parse("sqlite://kaizen.db").ok(),
            Some(DatabaseTarget::Sqlite {
                path: "kaizen.db".into()
            })
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite:///var/lib/kaizen/k.db").ok(),
            Some(DatabaseTarget::Sqlite {
                path: "/var/lib/kaizen/k.db".into()
            })
        );
        assert!(DatabaseTarget::parse("sqlite://").is_err());
        assert!(DatabaseTarget::parse("sqlite::memory:").is_err());
    }

    #[test]
    fn refuses_unknown_schemes() {
        let err = DatabaseTarget::parse("mysql://root@localhost/k").err();
        assert!(err.is_some_and(|e| e.to_string().contains("\"mysql\"")));
        assert!(DatabaseTarget::parse("kaizen.db").is_err());
    }

    #[test]
    fn redacts_passwords() {
        let t = DatabaseTarget::parse("postgres://kaizen:s3cret@db:5432/kaizen?sslmode=disable");
        let described = t.map(|t| t.describe()).unwrap_or_default();
        assert_eq!(described, "PostgreSQL at postgres://db:5432/kaizen");
    }

    #[test]
    fn timestamps_have_microsecond_precision() {
        let t = now();
        assert_eq!(t.and_utc().timestamp_subsec_nanos() % 1000, 0);
    }

    /// `mxFrame` (frames in the log) and `nBackfill` (frames copied into the database)
    /// from the WAL index file, as SQLite lays it out (native byte order).
    fn wal_progress(db: &std::path::Path) -> (u32, u32) {
        let shm = std::fs::read(db.with_extension("db-shm")).unwrap_or_default();
        let word = |at: usize| {
            shm.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u32::from_ne_bytes)
        };
        (word(16), word(96))
    }

    #[test]
    fn background_thread_checkpoints_the_log() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("k.db");
        let target = DatabaseTarget::parse(&format!("sqlite://{}", file.display()))?;
        let pool = connect(&target, 2)?;
        let mut conn = pool.get()?;
        conn.batch_execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);")?;
        drop(conn);
        let (frames, _) = wal_progress(&file);
        // Far below the writers' own threshold of 16384 pages: only the background
        // thread copies these frames.
        assert!(frames > 0 && frames < 1000, "frames in the log: {frames}");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let (frames, copied) = wal_progress(&file);
            if copied == frames {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{copied} of {frames} frames checkpointed"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Dropping the pool ends the thread with a complete checkpoint: no log is left for
        // the next start to read back.
        drop(pool);
        let wal = std::fs::metadata(file.with_extension("db-wal")).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "the log is left with {wal} bytes");
        Ok(())
    }
}
