//! Aggregation queries of the management reports. Everything is counted, summed and
//! ordered by the database; rows of single ideas are read only for the short list of
//! stuck ideas and for the two order statistics of each percentile.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text, Timestamp};

use crate::db::schema::{idea_cycles, idea_stage_spans, ideas, users};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::pdca::Status;
use crate::domain::pipeline::{interpolate, quantile_position};
use crate::error::ApiError;

#[derive(QueryableByName)]
struct KeyStatusRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Ideas linked to each of `keys` that were submitted in `(from, to]`, by current status.
pub fn submitted_by_dimension(
    conn: &mut DbConnection,
    org_id: &str,
    keys: &[String],
    window: (NaiveDateTime, NaiveDateTime),
    units: Option<&[String]>,
) -> Result<Vec<(String, String, i64)>, ApiError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // One range count per (dimension, status) on the (org, dimension, status, created_at)
    // index: it reads only the links submitted in the window, where a GROUP BY would read
    // every link of the organisation. Statuses are the code's own constants.
    let key_rows: Vec<String> = (1..=keys.len()).map(|i| format!("(${i})")).collect();
    let status_rows: Vec<String> = Status::ALL.iter().map(|s| format!("('{}')", s.as_str())).collect();
    let n = keys.len();
    let sql = format!(
        "WITH k(dimension_key) AS (VALUES {}), s(status) AS (VALUES {}) \
         SELECT k.dimension_key AS key, s.status AS status, \
           (SELECT COUNT(*) FROM idea_dimensions d WHERE d.org_id = ${} AND d.dimension_key = k.dimension_key \
              AND d.status = s.status AND d.created_at > ${} AND d.created_at <= ${}{}) AS n \
         FROM k CROSS JOIN s",
        key_rows.join(", "),
        status_rows.join(", "),
        n + 1,
        n + 2,
        n + 3,
        unit_clause("d.unit_id", n + 4, units)
    );
    let mut q = diesel::sql_query(sql).into_boxed::<MultiBackend>();
    for k in keys {
        q = q.bind::<Text, _>(k.as_str());
    }
    let q = q
        .bind::<Text, _>(org_id)
        .bind::<Timestamp, _>(window.0)
        .bind::<Timestamp, _>(window.1);
    let rows: Vec<KeyStatusRow> = bind_units(q, units).load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| r.n > 0)
        .map(|r| (r.key, r.status, r.n))
        .collect())
}

/// Improvements adopted in `(from, to]` per linked dimension, with their measured impact.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct Adopted {
    #[diesel(sql_type = Text)]
    pub dimension_key: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    #[diesel(sql_type = Double)]
    pub hours_saved_per_year: f64,
    #[diesel(sql_type = Double)]
    pub cost_saved_per_year: f64,
}

pub fn adopted_by_dimension(
    conn: &mut DbConnection,
    org_id: &str,
    window: (NaiveDateTime, NaiveDateTime),
    units: Option<&[String]>,
) -> Result<Vec<Adopted>, ApiError> {
    // The links carry the adoption time and impact: a range of the (org, adopted_at, …) index.
    let sql = format!(
        "SELECT dimension_key, COUNT(*) AS count, \
                CAST(COALESCE(SUM(adopted_hours_saved), 0) AS DOUBLE PRECISION) AS hours_saved_per_year, \
                CAST(COALESCE(SUM(adopted_cost_saved), 0) AS DOUBLE PRECISION) AS cost_saved_per_year \
         FROM idea_dimensions WHERE org_id = $1 AND adopted_at > $2 AND adopted_at <= $3{} \
         GROUP BY dimension_key",
        unit_clause("unit_id", 4, units)
    );
    let q = diesel::sql_query(sql)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(org_id)
        .bind::<Timestamp, _>(window.0)
        .bind::<Timestamp, _>(window.1);
    Ok(bind_units(q, units).load(conn)?)
}

/// Ideas per unit and status.
pub fn ideas_by_unit_and_status(
    conn: &mut DbConnection,
    org_id: &str,
    units: Option<&[String]>,
) -> Result<Vec<(String, String, i64)>, ApiError> {
    let sql = format!(
        "SELECT unit_id AS key, status, COUNT(*) AS n FROM ideas WHERE org_id = $1{} GROUP BY unit_id, status",
        unit_clause("unit_id", 2, units)
    );
    let q = diesel::sql_query(sql)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(org_id);
    let rows: Vec<KeyStatusRow> = bind_units(q, units).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.key, r.status, r.n)).collect())
}

#[derive(QueryableByName)]
struct MonthRow {
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `unit_id IN ($first, …)` for the units, or nothing. Placeholders must appear in the
/// SQL in ascending order: SQLite numbers `$n` parameters by first appearance, not by n.
fn unit_clause(column: &str, first_placeholder: usize, units: Option<&[String]>) -> String {
    match units {
        None => String::new(),
        // An empty scope matches nothing.
        Some([]) => " AND 1 = 0".into(),
        Some(units) => {
            let list: Vec<String> = (0..units.len())
                .map(|i| format!("${}", first_placeholder + i))
                .collect();
            format!(" AND {column} IN ({})", list.join(", "))
        }
    }
}

fn bind_units<'a>(
    mut q: diesel::query_builder::BoxedSqlQuery<'a, MultiBackend, diesel::query_builder::SqlQuery>,
    units: Option<&'a [String]>,
) -> diesel::query_builder::BoxedSqlQuery<'a, MultiBackend, diesel::query_builder::SqlQuery> {
    for u in units.unwrap_or(&[]) {
        q = q.bind::<Text, _>(u.as_str());
    }
    q
}

// Timestamps are stored as `YYYY-MM-DD HH:MM:SS…` on both backends, so the first seven
// characters of their text form are the month.
const MONTH_OF: &str = "SUBSTR(CAST({} AS TEXT), 1, 7)";

/// Ideas submitted per month since `since`.
pub fn submitted_per_month(
    conn: &mut DbConnection,
    org_id: &str,
    since: NaiveDateTime,
    units: Option<&[String]>,
) -> Result<HashMap<String, i64>, ApiError> {
    let month = MONTH_OF.replace("{}", "created_at");
    let sql = format!(
        "SELECT {month} AS month, COUNT(*) AS n FROM ideas WHERE org_id = $1 AND created_at >= $2{} GROUP BY {month}",
        unit_clause("unit_id", 3, units)
    );
    let q = diesel::sql_query(sql)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(org_id)
        .bind::<Timestamp, _>(since);
    let rows: Vec<MonthRow> = bind_units(q, units).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.month, r.n)).collect())
}

/// Improvements adopted per month since `since`.
pub fn adopted_per_month(
    conn: &mut DbConnection,
    org_id: &str,
    since: NaiveDateTime,
    units: Option<&[String]>,
) -> Result<HashMap<String, i64>, ApiError> {
    let month = MONTH_OF.replace("{}", "c.closed_at");
    // Cycles know no unit: the ideas are joined only to narrow to units; the whole
    // organisation is counted off the (org, outcome, closed_at) index alone.
    let join = if units.is_some() {
        " JOIN ideas i ON i.org_id = c.org_id AND i.id = c.idea_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {month} AS month, COUNT(*) AS n FROM idea_cycles c{join} \
         WHERE c.org_id = $1 AND c.outcome = 'adopted' AND c.closed_at >= $2{} GROUP BY {month}",
        unit_clause("i.unit_id", 3, units)
    );
    let q = diesel::sql_query(sql)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(org_id)
        .bind::<Timestamp, _>(since);
    let rows: Vec<MonthRow> = bind_units(q, units).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.month, r.n)).collect())
}

/// Completed stays in one stage: how many, and the median and 90th percentile in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageTimes {
    pub completed: i64,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

fn spans_query<'a>(
    org_id: &'a str,
    stage: &'a str,
    units: Option<&'a [String]>,
) -> idea_stage_spans::BoxedQuery<'a, MultiBackend> {
    let mut q = idea_stage_spans::table
        .filter(idea_stage_spans::org_id.eq(org_id))
        .filter(idea_stage_spans::stage.eq(stage))
        .into_boxed();
    if let Some(units) = units {
        q = q.filter(idea_stage_spans::unit_id.eq_any(units.to_vec()));
    }
    q
}

/// The `p`-quantile from the two neighbouring order statistics, read off the
/// (org, stage, seconds) index.
fn quantile(
    conn: &mut DbConnection,
    org_id: &str,
    stage: &str,
    units: Option<&[String]>,
    n: i64,
    p: f64,
) -> Result<Option<f64>, ApiError> {
    let Some((lo, hi, weight)) = quantile_position(n, p) else {
        return Ok(None);
    };
    let values: Vec<f64> = spans_query(org_id, stage, units)
        .select(idea_stage_spans::seconds)
        .order(idea_stage_spans::seconds.asc())
        .offset(lo)
        .limit(hi - lo + 1)
        .load(conn)?;
    Ok(match values.as_slice() {
        [one] => Some(*one),
        [lower, upper, ..] => Some(interpolate(*lower, *upper, weight)),
        [] => None,
    })
}

/// Completed stays per stage (only the stages asked for appear in the result).
pub fn stage_times(
    conn: &mut DbConnection,
    org_id: &str,
    stages: &[&str],
    units: Option<&[String]>,
) -> Result<HashMap<String, StageTimes>, ApiError> {
    match conn {
        // PostgreSQL sorts each stage's values once for both percentiles; its
        // percentile_cont interpolates exactly as `domain::pipeline` does.
        DbConnection::Postgresql(_) => {
            let sql = format!(
                "SELECT stage, COUNT(*) AS completed, \
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median_seconds, \
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90_seconds \
                 FROM idea_stage_spans WHERE org_id = $1{} GROUP BY stage",
                unit_clause("unit_id", 2, units)
            );
            let q = diesel::sql_query(sql)
                .into_boxed::<MultiBackend>()
                .bind::<Text, _>(org_id);
            let rows: Vec<StageTimesRow> = bind_units(q, units).load(conn)?;
            Ok(rows
                .into_iter()
                .filter(|r| stages.contains(&r.stage.as_str()))
                .map(|r| {
                    let times = StageTimes {
                        completed: r.completed,
                        median_seconds: r.median_seconds,
                        p90_seconds: r.p90_seconds,
                    };
                    (r.stage, times)
                })
                .collect())
        }
        // SQLite has no percentile function; two order statistics per percentile are read
        // off the (org, stage, seconds) index, which it walks quickly.
        DbConnection::Sqlite(_) => {
            let mut out = HashMap::new();
            for stage in stages {
                let completed: i64 = spans_query(org_id, stage, units).count().get_result(conn)?;
                let times = StageTimes {
                    completed,
                    median_seconds: quantile(conn, org_id, stage, units, completed, 0.5)?,
                    p90_seconds: quantile(conn, org_id, stage, units, completed, 0.9)?,
                };
                out.insert((*stage).to_owned(), times);
            }
            Ok(out)
        }
    }
}

#[derive(QueryableByName)]
struct StageTimesRow {
    #[diesel(sql_type = Text)]
    stage: String,
    #[diesel(sql_type = BigInt)]
    completed: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<Double>)]
    median_seconds: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Double>)]
    p90_seconds: Option<f64>,
}

/// An idea waiting in its stage for longer than the organisation's limit.
#[derive(Debug, Clone, Queryable)]
pub struct StuckIdea {
    pub id: String,
    pub title: String,
    pub status: String,
    pub unit_id: String,
    pub stage_entered_at: NaiveDateTime,
}

fn stuck_query<'a>(
    org_id: &'a str,
    statuses: &'a [&'a str],
    before: NaiveDateTime,
    units: Option<&'a [String]>,
) -> ideas::BoxedQuery<'a, MultiBackend> {
    let mut q = ideas::table
        .filter(ideas::org_id.eq(org_id))
        .filter(ideas::stage_entered_at.lt(before))
        .into_boxed();
    // One status by equality, not `= ANY($2)` with one element: PostgreSQL's generic plan
    // for an array does not read the (org, status, stage_entered_at) index in order and
    // sorted every stuck idea instead.
    q = match statuses {
        [one] => q.filter(ideas::status.eq(*one)),
        _ => q.filter(ideas::status.eq_any(statuses)),
    };
    if let Some(units) = units {
        q = q.filter(ideas::unit_id.eq_any(units.to_vec()));
    }
    q
}

/// How many ideas in `statuses` entered their stage before `before` (and at or after
/// `from`, when given).
pub fn stuck_count(
    conn: &mut DbConnection,
    org_id: &str,
    statuses: &[&str],
    from: Option<NaiveDateTime>,
    before: NaiveDateTime,
    units: Option<&[String]>,
) -> Result<i64, ApiError> {
    let mut q = stuck_query(org_id, statuses, before, units);
    if let Some(from) = from {
        q = q.filter(ideas::stage_entered_at.ge(from));
    }
    Ok(q.count().get_result(conn)?)
}

/// The longest waiting `limit` ideas in `statuses` that entered their stage before `before`.
pub fn stuck(
    conn: &mut DbConnection,
    org_id: &str,
    statuses: &[&str],
    before: NaiveDateTime,
    units: Option<&[String]>,
    limit: i64,
) -> Result<Vec<StuckIdea>, ApiError> {
    // The longest waiting per status come ordered from the (org, status, stage_entered_at)
    // index; merging those short lists avoids sorting every stuck idea.
    let mut longest: Vec<StuckIdea> = Vec::new();
    for status in statuses {
        let rows: Vec<StuckIdea> = stuck_query(org_id, std::slice::from_ref(status), before, units)
            .select((
                ideas::id,
                ideas::title,
                ideas::status,
                ideas::unit_id,
                ideas::stage_entered_at,
            ))
            // Ordered like the (org, status, stage_entered_at, id) index, so it is read in order.
            .order((ideas::status.asc(), ideas::stage_entered_at.asc(), ideas::id.asc()))
            .limit(limit)
            .load(conn)?;
        longest.extend(rows);
    }
    longest.sort_by(|a, b| {
        a.stage_entered_at
            .cmp(&b.stage_entered_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    longest.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(longest)
}

/// Ideas ever accepted into Plan (they have a first cycle), and ideas rejected (including
/// those rejected as duplicates).
pub fn acceptance(conn: &mut DbConnection, org_id: &str, units: Option<&[String]>) -> Result<(i64, i64), ApiError> {
    let (accepted, rejected) = match units {
        // The (org, cycle) index answers this alone.
        None => (
            idea_cycles::table
                .filter(idea_cycles::org_id.eq(org_id))
                .filter(idea_cycles::cycle.eq(1))
                .count()
                .get_result::<i64>(conn)?,
            ideas::table
                .filter(ideas::org_id.eq(org_id))
                .filter(ideas::status.eq("rejected"))
                .count()
                .get_result::<i64>(conn)?,
        ),
        Some(units) => (
            idea_cycles::table
                .inner_join(
                    ideas::table.on(ideas::org_id
                        .eq(idea_cycles::org_id)
                        .and(ideas::id.eq(idea_cycles::idea_id))),
                )
                .filter(idea_cycles::org_id.eq(org_id))
                .filter(idea_cycles::cycle.eq(1))
                .filter(ideas::unit_id.eq_any(units))
                .count()
                .get_result::<i64>(conn)?,
            ideas::table
                .filter(ideas::org_id.eq(org_id))
                .filter(ideas::status.eq("rejected"))
                .filter(ideas::unit_id.eq_any(units))
                .count()
                .get_result::<i64>(conn)?,
        ),
    };
    Ok((accepted, rejected))
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Active users (of the units, or the whole organisation), and how many of them
/// submitted, co-authored or voted since `since`.
pub fn participation(
    conn: &mut DbConnection,
    org_id: &str,
    since: NaiveDateTime,
    units: Option<&[String]>,
) -> Result<(i64, i64), ApiError> {
    let mut active = users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::active.eq(true))
        .into_boxed();
    if let Some(units) = units {
        active = active.filter(users::unit_id.eq_any(units.to_vec()));
    }
    let active: i64 = active.count().get_result(conn)?;
    // One index probe per person and kind of taking part. On PostgreSQL, whose keys lead
    // with the organisation (migration 2026-12-04-000029_org_leading_keys): (org, author,
    // created_at) on ideas, (org, user, created_at) on votes, (org, user) on co-authors.
    // SQLite keeps its keys on the person and the idea; given the organisation too, its
    // planner walked the organisation's newest ideas for every person's co-authorships.
    let taking_part = if matches!(conn, DbConnection::Postgresql(_)) {
        "EXISTS (SELECT 1 FROM ideas i WHERE i.org_id = u.org_id AND i.author_id = u.id \
                 AND i.created_at >= $2) \
         OR EXISTS (SELECT 1 FROM idea_votes v WHERE v.org_id = u.org_id AND v.user_id = u.id \
                    AND v.created_at >= $2) \
         OR EXISTS (SELECT 1 FROM idea_coauthors c JOIN ideas i ON i.org_id = c.org_id AND i.id = c.idea_id \
                    WHERE c.org_id = u.org_id AND c.user_id = u.id AND i.created_at >= $2)"
    } else {
        "EXISTS (SELECT 1 FROM ideas i WHERE i.author_id = u.id AND i.created_at >= $2) \
         OR EXISTS (SELECT 1 FROM idea_votes v WHERE v.user_id = u.id AND v.created_at >= $2) \
         OR EXISTS (SELECT 1 FROM idea_coauthors c JOIN ideas i ON i.id = c.idea_id \
                    WHERE c.user_id = u.id AND i.created_at >= $2)"
    };
    let sql = format!(
        "SELECT COUNT(*) AS n FROM users u WHERE u.org_id = $1 AND u.active AND ({taking_part}){}",
        unit_clause("u.unit_id", 3, units)
    );
    let q = diesel::sql_query(sql)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(org_id)
        .bind::<Timestamp, _>(since);
    let participants: CountRow = bind_units(q, units).get_result(conn)?;
    Ok((active, participants.n))
}
