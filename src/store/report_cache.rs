//! Exact caches of report figures, never a time-based one: a report shows the change made a
//! moment ago, whichever instance made it.
//!
//! - A closed round's published figures never change (`store::round_results`), so they
//!   are kept by round id once read.
//! - Neither do a questionnaire's dimensions and items: they are written with the
//!   questionnaire and never changed (a draft is deleted whole, and its id never comes
//!   back), so they are kept by questionnaire id once read (`store::questionnaires`).
//! - Figures aggregated over ideas (counts per stage and unit, monthly flow, stage times,
//!   acceptance, ideas per dimension) are kept with the organisation's `ideas_version`:
//!   a counter that triggers move on in the same transaction as every change to what
//!   those figures read (migration `2026-12-04-000021_report_versions`; on SQLite new
//!   ideas and dimension links move it from the code, `ideas_inserted`). Figures are kept
//!   only when the counter stood still from before their first query to after their last,
//!   so they are exactly the figures of that counter value; they are served again only
//!   while the counter still has it.
//! - Participation also reads votes, co-authors and people: it is kept with both the
//!   ideas' counter and a second one the triggers of migration
//!   `2026-12-04-000023_participation_versions` move on every change to those (on
//!   PostgreSQL new votes move it from the code, `votes_inserted` and the vote statement).
//! - How many ideas wait longer than the organisation's limit depends on the clock as well:
//!   while the ideas' counter stands still, the count at a later time is the count kept
//!   plus the ideas that entered their stage between the two times (a short index range).
//!
//! Both caches are bounded; the entry used least recently goes first.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConnection;
use crate::error::ApiError;
use crate::store::questionnaires::{DimensionRow, ItemRow};
use crate::store::round_results::Published;

/// Published rounds kept at most (a few kB to a few hundred kB each).
const PUBLISHED_ENTRIES: usize = 256;
/// Questionnaires' dimensions and items kept at most (about 10 kB each for the built-in
/// questionnaire in two languages).
const QUESTIONNAIRE_ENTRIES: usize = 512;
/// Idea figures kept at most (organisation × scope × window; a few kB each).
const FIGURE_ENTRIES: usize = 1024;

/// A map of bounded size that forgets the entry used least recently.
struct Bounded<V> {
    entries: HashMap<String, (u64, V)>,
    tick: u64,
    capacity: usize,
}

impl<V: Clone> Bounded<V> {
    fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            tick: 0,
            capacity,
        }
    }

    fn get(&mut self, key: &str) -> Option<V> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|(used, v)| {
            *used = tick;
            v.clone()
        })
    }

    fn put(&mut self, key: String, value: V) {
        self.tick += 1;
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(key, (self.tick, value));
    }
}

/// The counters kept figures were computed at: the ideas' and, for participation, the
/// people's (0 where the figures do not read it).
type Versions = (i64, i64);
type Figures = (Versions, Arc<dyn Any + Send + Sync>);
/// The time a stuck count was computed for, and the count.
type StuckCount = (i64, NaiveDateTime, i64);

static PUBLISHED: LazyLock<Mutex<Bounded<Arc<Published>>>> =
    LazyLock::new(|| Mutex::new(Bounded::new(PUBLISHED_ENTRIES)));
/// A questionnaire's dimensions and items, in its order.
pub type QuestionnaireRows = Arc<(Vec<DimensionRow>, Vec<ItemRow>)>;
static QUESTIONNAIRES: LazyLock<Mutex<Bounded<QuestionnaireRows>>> =
    LazyLock::new(|| Mutex::new(Bounded::new(QUESTIONNAIRE_ENTRIES)));
static FIGURES: LazyLock<Mutex<Bounded<Figures>>> = LazyLock::new(|| Mutex::new(Bounded::new(FIGURE_ENTRIES)));
static STUCK: LazyLock<Mutex<Bounded<StuckCount>>> = LazyLock::new(|| Mutex::new(Bounded::new(FIGURE_ENTRIES)));

/// A closed round's published figures when they were read before.
pub fn published(round_id: &str) -> Option<Arc<Published>> {
    PUBLISHED.lock().ok()?.get(round_id)
}

/// Keeps a closed round's published figures (they never change).
pub fn keep_published(round_id: &str, published: Arc<Published>) {
    if let Ok(mut cache) = PUBLISHED.lock() {
        cache.put(round_id.to_owned(), published);
    }
}

/// A questionnaire's dimensions and items when they were read before.
pub fn questionnaire_rows(questionnaire_id: &str) -> Option<QuestionnaireRows> {
    QUESTIONNAIRES.lock().ok()?.get(questionnaire_id)
}

/// Keeps a questionnaire's dimensions and items (they never change).
pub fn keep_questionnaire_rows(questionnaire_id: &str, rows: QuestionnaireRows) {
    if let Ok(mut cache) = QUESTIONNAIRES.lock() {
        cache.put(questionnaire_id.to_owned(), rows);
    }
}

#[derive(QueryableByName)]
struct IdeasVersionRow {
    #[diesel(sql_type = BigInt)]
    ideas: i64,
}

/// Moves the ideas' counter of `org_id` for new ideas or new dimension links, in the
/// caller's transaction, on SQLite. There no trigger does it (migration
/// `2026-12-04-000027_insert_counters`): a trigger on an insert makes SQLite keep a journal
/// of every page the statement changes, and that cost a fifth of a submission. Every
/// insert of either goes through `store::ideas` or the demo generator, which call this.
/// On PostgreSQL the triggers move the counter, and this does nothing.
pub fn ideas_inserted(conn: &mut DbConnection, org_id: &str) -> Result<(), ApiError> {
    if let DbConnection::Sqlite(sqlite) = conn {
        IdeasInserted { org_id }.execute(sqlite)?;
    }
    Ok(())
}

/// The counter's upsert as a statement of its own type, which each connection prepares
/// once: diesel compiles a `sql_query` (and an upsert) anew every time it runs.
struct IdeasInserted<'a> {
    org_id: &'a str,
}

impl diesel::query_builder::QueryId for IdeasInserted<'_> {
    type QueryId = IdeasInserted<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<diesel::SqliteConnection> for IdeasInserted<'_> {}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for IdeasInserted<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        out.push_sql("INSERT INTO report_versions (org_id, ideas_version) VALUES (");
        out.push_bind_param::<Text, _>(self.org_id)?;
        out.push_sql(", 1) ON CONFLICT (org_id) DO UPDATE SET ideas_version = ideas_version + 1");
        Ok(())
    }
}

/// Moves the people's counter of `org_id` for new votes, in the caller's transaction, on
/// PostgreSQL. There no trigger does it (migration `2026-12-04-000028_vote_counters`): a
/// vote is one statement that moves the counter itself, and a trigger cost a tenth of it.
/// Every other insert of votes (the demo generator) calls this. On SQLite a trigger moves
/// the counter, and this does nothing.
pub fn votes_inserted(conn: &mut DbConnection, org_id: &str) -> Result<(), ApiError> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query(
            "INSERT INTO participation_versions (org_id, shard, version) \
             VALUES ($1, (txid_current() % 8)::SMALLINT, 1) \
             ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1",
        )
        .bind::<Text, _>(org_id)
        .execute(pg)?;
    }
    Ok(())
}

/// The organisation's counter of changes to what idea figures read (0 before the first):
/// the sum of its rows (PostgreSQL spreads it over several, each only ever grows).
pub fn ideas_version(conn: &mut DbConnection, org_id: &str) -> Result<i64, ApiError> {
    let row: IdeasVersionRow = diesel::sql_query(
        "SELECT CAST(COALESCE((SELECT SUM(ideas_version) FROM report_versions WHERE org_id = $1), 0) AS BIGINT) \
         AS ideas",
    )
    .bind::<Text, _>(org_id)
    .get_result(conn)?;
    Ok(row.ideas)
}

#[derive(QueryableByName)]
struct VersionsRow {
    #[diesel(sql_type = BigInt)]
    ideas: i64,
    #[diesel(sql_type = BigInt)]
    people: i64,
}

/// Both counters in one round trip, each the sum of its rows (PostgreSQL spreads them
/// over several, each only ever grows).
fn both_versions(conn: &mut DbConnection, org_id: &str) -> Result<Versions, ApiError> {
    let row: VersionsRow = diesel::sql_query(
        "SELECT CAST(COALESCE((SELECT SUM(ideas_version) FROM report_versions WHERE org_id = $1), 0) AS BIGINT) \
         AS ideas, \
         CAST(COALESCE((SELECT SUM(version) FROM participation_versions WHERE org_id = $2), 0) AS BIGINT) \
         AS people",
    )
    .bind::<Text, _>(org_id)
    .bind::<Text, _>(org_id)
    .get_result(conn)?;
    Ok((row.ideas, row.people))
}

/// Which counters a kind of figures depends on.
#[derive(Clone, Copy)]
enum Reads {
    Ideas,
    IdeasAndPeople,
}

fn versions(conn: &mut DbConnection, org_id: &str, reads: Reads) -> Result<Versions, ApiError> {
    match reads {
        Reads::Ideas => Ok((ideas_version(conn, org_id)?, 0)),
        Reads::IdeasAndPeople => both_versions(conn, org_id),
    }
}

fn kept<T, F>(conn: &mut DbConnection, org_id: &str, key: &str, reads: Reads, compute: F) -> Result<Arc<T>, ApiError>
where
    T: Send + Sync + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
{
    let key = format!("{org_id}\u{1f}{key}");
    let before = versions(conn, org_id, reads)?;
    let kept = FIGURES.lock().ok().and_then(|mut c| c.get(&key));
    if let Some((version, figures)) = kept
        && version == before
        && let Ok(figures) = figures.downcast::<T>()
    {
        return Ok(figures);
    }
    let figures = Arc::new(compute(conn)?);
    // Kept only when no change committed while the figures were read: then they are the
    // figures of `before` exactly.
    if versions(conn, org_id, reads)? == before
        && let Ok(mut cache) = FIGURES.lock()
    {
        let any: Arc<dyn Any + Send + Sync> = figures.clone();
        cache.put(key, (before, any));
    }
    Ok(figures)
}

/// Figures aggregated over the organisation's ideas, named by `key` (which must name
/// everything the figures depend on besides the ideas: scope, window, parameters): served
/// from the cache while the organisation's ideas are as they were when they were computed,
/// computed by `compute` otherwise.
pub fn idea_figures<T, F>(conn: &mut DbConnection, org_id: &str, key: &str, compute: F) -> Result<Arc<T>, ApiError>
where
    T: Send + Sync + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
{
    kept(conn, org_id, key, Reads::Ideas, compute)
}

/// Like `idea_figures`, for figures that also read votes, co-authors and people
/// (participation): kept while neither counter moved.
pub fn people_figures<T, F>(conn: &mut DbConnection, org_id: &str, key: &str, compute: F) -> Result<Arc<T>, ApiError>
where
    T: Send + Sync + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
{
    kept(conn, org_id, key, Reads::IdeasAndPeople, compute)
}

/// How many ideas waited since before `before`, named by `key` (scope and stages):
/// `count(conn, from, before)` counts those that entered their stage in `[from, before)`,
/// or all before `before` when `from` is `None`. While the ideas' counter stands still
/// the count kept for an earlier time grows by the ideas between the two times.
pub fn stuck_count<F>(
    conn: &mut DbConnection,
    org_id: &str,
    key: &str,
    before: NaiveDateTime,
    count: F,
) -> Result<i64, ApiError>
where
    F: Fn(&mut DbConnection, Option<NaiveDateTime>, NaiveDateTime) -> Result<i64, ApiError>,
{
    let key = format!("{org_id}\u{1f}{key}");
    let version = ideas_version(conn, org_id)?;
    let kept = STUCK.lock().ok().and_then(|mut c| c.get(&key));
    let n = match kept {
        Some((v, at, n)) if v == version && at <= before => n + count(conn, Some(at), before)?,
        _ => count(conn, None, before)?,
    };
    if ideas_version(conn, org_id)? != version {
        // The ideas changed meanwhile: a count of one moment, not kept.
        return count(conn, None, before);
    }
    if let Ok(mut cache) = STUCK.lock() {
        cache.put(key, (version, before, n));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_used_least_recently_goes_first() {
        let mut b: Bounded<i32> = Bounded::new(2);
        b.put("a".into(), 1);
        b.put("b".into(), 2);
        assert_eq!(b.get("a"), Some(1));
        b.put("c".into(), 3);
        assert_eq!(b.get("b"), None);
        assert_eq!(b.get("a"), Some(1));
        assert_eq!(b.get("c"), Some(3));
        // Replacing a kept entry forgets nothing else.
        b.put("c".into(), 4);
        assert_eq!(b.get("a"), Some(1));
        assert_eq!(b.get("c"), Some(4));
        assert_eq!(b.entries.len(), 2);
    }
}
