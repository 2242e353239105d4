//! Anonymous responses: recording one (participation, response, answers and scores in one
//! transaction) and the grouped SQL aggregates that results are computed from. Nothing
//! here reads or returns a single response.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};

use crate::db::schema::{
    assessment_answers, assessment_live_results, assessment_participation, assessment_responses,
    assessment_round_aggregates, assessment_rounds, assessment_scores,
};
use crate::db::{self, DbConnection};
use crate::domain::results::{ItemAggregate, RoundAggregates};
use crate::domain::rounds::RoundStatus;
use crate::domain::scoring::DimensionScore;
use crate::domain::stats::Moments;
use crate::error::ApiError;
use crate::store::assessments::{self, Round};

#[derive(Debug, Insertable)]
#[diesel(table_name = assessment_participation)]
struct NewParticipation<'a> {
    round_id: &'a str,
    user_id: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = assessment_responses)]
#[diesel(treat_none_as_default_value = false)]
struct NewResponse<'a> {
    id: &'a str,
    round_id: &'a str,
    unit_id: Option<&'a str>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = assessment_answers)]
#[diesel(treat_none_as_default_value = false)]
struct NewAnswer<'a> {
    response_id: &'a str,
    item_key: &'a str,
    round_id: &'a str,
    value: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = assessment_scores)]
#[diesel(treat_none_as_default_value = false)]
struct NewScore<'a> {
    response_id: &'a str,
    dimension_key: &'a str,
    round_id: &'a str,
    unit_id: Option<&'a str>,
    score: f64,
}

/// The answer when a submission finds the round not open (any more).
fn not_open(status: Option<RoundStatus>) -> ApiError {
    match status {
        Some(RoundStatus::Scheduled) => ApiError::conflict("the round has not opened yet"),
        _ => ApiError::conflict("the round is closed"),
    }
}

fn answered_already(e: diesel::result::Error) -> ApiError {
    if db::is_unique_violation(&e) {
        ApiError::conflict("you have answered this round already; each person answers once")
    } else {
        e.into()
    }
}

/// Records one response: that the user has answered, and — unlinkably — the answers, the
/// counted dimension scores and the user's unit at this moment. All or nothing; a second
/// response of the same user to the round answers 409, also when both arrive at once; a
/// response racing the round's close either lands before the close aggregates or is
/// refused as too late.
pub fn submit(
    conn: &mut DbConnection,
    round: &Round,
    user_id: &str,
    unit_id: Option<&str>,
    answers: &HashMap<String, Option<u8>>,
    scores: &[DimensionScore],
) -> Result<(), ApiError> {
    // Random, not time-ordered: the id must not tell when the response came in.
    let response_id = uuid::Uuid::new_v4().to_string();
    let mut rows: Vec<NewAnswer<'_>> = answers
        .iter()
        .map(|(item, value)| NewAnswer {
            response_id: &response_id,
            item_key: item,
            round_id: &round.id,
            value: value.map(i64::from),
        })
        .collect();
    // The map's order is random per process; sorting keeps statements uniform.
    rows.sort_by(|a, b| a.item_key.cmp(b.item_key));
    let counted: Vec<NewScore<'_>> = scores
        .iter()
        .filter_map(|s| {
            s.mean.map(|score| NewScore {
                response_id: &response_id,
                dimension_key: &s.key,
                round_id: &round.id,
                unit_id,
                score,
            })
        })
        .collect();
    let participation = NewParticipation {
        round_id: &round.id,
        user_id,
    };
    let response = NewResponse {
        id: &response_id,
        round_id: &round.id,
        unit_id,
    };
    let now = db::now();
    if let DbConnection::Postgresql(pg) = conn {
        let inserted =
            insert_in_one_statement(pg, now, &participation, &response, &rows, &counted).map_err(answered_already)?;
        if inserted {
            return Ok(());
        }
        let status: String = assessment_rounds::table
            .find(&round.id)
            .select(assessment_rounds::status)
            .get_result(conn)?;
        return Err(not_open(RoundStatus::parse(&status)));
    }
    // SQLite: write transactions run one at a time, so the check inside this one holds
    // until it commits; in this process the plain inserts cost no round trips.
    db::write_tx(conn, |conn| {
        let (status, closes_at) = assessment_rounds::table
            .find(&round.id)
            .select((assessment_rounds::status, assessment_rounds::closes_at))
            .get_result::<(String, NaiveDateTime)>(conn)?;
        let status = RoundStatus::parse(&status);
        if status != Some(RoundStatus::Open) || closes_at <= now {
            return Err(not_open(status));
        }
        let DbConnection::Sqlite(lite) = conn else {
            return Err(ApiError::internal("SQLite path on another backend"));
        };
        insert_one_by_one(lite, &participation, &response, &rows, &counted).map_err(answered_already)
    })
}

fn insert_one_by_one(
    conn: &mut diesel::SqliteConnection,
    participation: &NewParticipation<'_>,
    response: &NewResponse<'_>,
    answers: &[NewAnswer<'_>],
    scores: &[NewScore<'_>],
) -> QueryResult<()> {
    diesel::insert_into(assessment_participation::table)
        .values(participation)
        .execute(conn)?;
    diesel::insert_into(assessment_responses::table)
        .values(response)
        .execute(conn)?;
    diesel::insert_into(assessment_answers::table)
        .values(answers)
        .execute(conn)?;
    if !scores.is_empty() {
        diesel::insert_into(assessment_scores::table)
            .values(scores)
            .execute(conn)?;
    }
    Ok(())
}

/// PostgreSQL: the whole submission is one statement of constant text (answers and
/// scores as arrays), atomic by itself: one round trip instead of eight, and a prepared
/// statement each connection plans once (see `SubmitStatement`).
///
/// It writes only while the round is open, checked on the round's row under a key-share
/// lock (the lock the response's foreign key to the round takes anyway). Closing a round
/// first locks that row `FOR UPDATE` (`assessments::close_round`), which waits for the
/// submissions holding it; a submission arriving meanwhile waits for the close, then
/// re-reads the row, finds it closed and writes nothing. False: nothing written because
/// the round is not open.
fn insert_in_one_statement(
    pg: &mut diesel::PgConnection,
    now: NaiveDateTime,
    participation: &NewParticipation<'_>,
    response: &NewResponse<'_>,
    answers: &[NewAnswer<'_>],
    scores: &[NewScore<'_>],
) -> QueryResult<bool> {
    let statement = SubmitStatement {
        round_id: participation.round_id,
        now,
        user_id: participation.user_id,
        response_id: response.id,
        unit_id: response.unit_id,
        items: answers.iter().map(|a| a.item_key).collect(),
        values: answers.iter().map(|a| a.value).collect(),
        dimensions: scores.iter().map(|s| s.dimension_key).collect(),
        scores: scores.iter().map(|s| s.score).collect(),
    };
    let written: i64 = statement.get_result(pg)?;
    Ok(written == 1)
}

/// The submission statement as a query of its own: diesel keeps raw SQL (`sql_query`)
/// out of its prepared-statement cache, so PostgreSQL parsed and planned the statement
/// for every response (15 % of its time per response in `perf`); this type's SQL never
/// varies, so each connection prepares it once.
struct SubmitStatement<'a> {
    round_id: &'a str,
    now: NaiveDateTime,
    user_id: &'a str,
    response_id: &'a str,
    unit_id: Option<&'a str>,
    items: Vec<&'a str>,
    values: Vec<Option<i64>>,
    dimensions: Vec<&'a str>,
    scores: Vec<f64>,
}

impl diesel::query_builder::QueryId for SubmitStatement<'_> {
    // Cached by its SQL text, which is the same for every submission.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for SubmitStatement<'_> {
    /// The number of responses written: 1, or 0 when the round is not open.
    type SqlType = BigInt;
}

impl RunQueryDsl<diesel::PgConnection> for SubmitStatement<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for SubmitStatement<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        use diesel::sql_types::Array;
        out.push_sql("WITH open_round AS (SELECT id FROM assessment_rounds WHERE id = ");
        out.push_bind_param::<Text, _>(&self.round_id)?;
        out.push_sql(" AND status = 'open' AND closes_at > ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(
            " FOR KEY SHARE), participation AS (\
             INSERT INTO assessment_participation (round_id, user_id) SELECT id, ",
        );
        out.push_bind_param::<Text, _>(&self.user_id)?;
        out.push_sql(
            " FROM open_round RETURNING round_id), response AS (\
             INSERT INTO assessment_responses (id, round_id, unit_id) SELECT ",
        );
        out.push_bind_param::<Text, _>(&self.response_id)?;
        out.push_sql(", round_id, ");
        out.push_bind_param::<Nullable<Text>, _>(&self.unit_id)?;
        out.push_sql(
            " FROM participation RETURNING id, round_id, unit_id), answers AS (\
             INSERT INTO assessment_answers (response_id, item_key, round_id, value) \
             SELECT r.id, a.item_key, r.round_id, a.value FROM response r, unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.items)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Nullable<BigInt>>, _>(&self.values)?;
        out.push_sql(
            "::bigint[]) AS a (item_key, value)), scores AS (\
             INSERT INTO assessment_scores (response_id, dimension_key, round_id, unit_id, score) \
             SELECT r.id, s.dimension_key, r.round_id, r.unit_id, s.score FROM response r, unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.dimensions)?;
        out.push_sql("::text[], ");
        out.push_bind_param::<Array<Double>, _>(&self.scores)?;
        out.push_sql("::float8[]) AS s (dimension_key, score)) SELECT COUNT(*) FROM response");
        Ok(())
    }
}

#[derive(QueryableByName)]
struct UnitCountRow {
    #[diesel(sql_type = Nullable<Text>)]
    unit_id: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct DimensionRow {
    #[diesel(sql_type = Nullable<Text>)]
    unit_id: Option<String>,
    #[diesel(sql_type = Text)]
    dimension_key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Double)]
    total: f64,
    #[diesel(sql_type = Double)]
    total_sq: f64,
}

#[derive(QueryableByName)]
struct ItemRow {
    #[diesel(sql_type = Text)]
    item_key: String,
    #[diesel(sql_type = BigInt)]
    answered: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
    #[diesel(sql_type = BigInt)]
    cant_judge: i64,
}

/// Responses per respondent unit.
pub fn response_counts(conn: &mut DbConnection, round_id: &str) -> Result<Vec<(Option<String>, i64)>, ApiError> {
    let rows: Vec<UnitCountRow> = diesel::sql_query(
        "SELECT unit_id, COUNT(*) AS n FROM assessment_responses WHERE round_id = $1 GROUP BY unit_id",
    )
    .bind::<Text, _>(round_id)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.unit_id, r.n)).collect())
}

/// Count, sum and sum of squares of the counted dimension scores per unit and dimension.
pub fn dimension_moments(
    conn: &mut DbConnection,
    round_id: &str,
) -> Result<Vec<(Option<String>, String, Moments)>, ApiError> {
    let rows: Vec<DimensionRow> = diesel::sql_query(
        "SELECT unit_id, dimension_key, COUNT(*) AS n, SUM(score) AS total, SUM(score * score) AS total_sq \
         FROM assessment_scores WHERE round_id = $1 GROUP BY unit_id, dimension_key",
    )
    .bind::<Text, _>(round_id)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.unit_id,
                r.dimension_key,
                Moments {
                    n: r.n,
                    sum: r.total,
                    sum_sq: r.total_sq,
                },
            )
        })
        .collect())
}

/// Per item: answers with a value, their sum, and "can't judge" answers.
pub fn item_aggregates(conn: &mut DbConnection, round_id: &str) -> Result<Vec<ItemAggregate>, ApiError> {
    let rows: Vec<ItemRow> = diesel::sql_query(
        "SELECT item_key, COUNT(value) AS answered, CAST(COALESCE(SUM(value), 0) AS BIGINT) AS total, \
         COUNT(*) - COUNT(value) AS cant_judge \
         FROM assessment_answers WHERE round_id = $1 GROUP BY item_key",
    )
    .bind::<Text, _>(round_id)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ItemAggregate {
            key: r.item_key,
            answered: r.answered,
            sum: r.total,
            cant_judge: r.cant_judge,
        })
        .collect())
}

/// Aggregates of a closed round: computed by SQL once, then read from
/// `assessment_round_aggregates` (a closed round never changes).
pub fn final_aggregates(conn: &mut DbConnection, round: &Round) -> Result<RoundAggregates, ApiError> {
    if round.status() != RoundStatus::Closed {
        return aggregates(conn, &round.id);
    }
    let stored: Option<String> = assessment_round_aggregates::table
        .find(&round.id)
        .select(assessment_round_aggregates::aggregates)
        .get_result(conn)
        .optional()?;
    if let Some(agg) = stored.and_then(|json| serde_json::from_str::<RoundAggregates>(&json).ok()) {
        return Ok(agg);
    }
    let fresh = aggregates(conn, &round.id)?;
    let json = serde_json::to_string(&fresh).map_err(ApiError::internal)?;
    let inserted = db::write_tx(conn, |conn| {
        diesel::insert_into(assessment_round_aggregates::table)
            .values((
                assessment_round_aggregates::round_id.eq(&round.id),
                assessment_round_aggregates::aggregates.eq(&json),
                assessment_round_aggregates::computed_at.eq(db::now()),
            ))
            .execute(conn)
    });
    match inserted {
        // Another request stored the same figures first.
        Err(e) if db::is_unique_violation(&e) => Ok(fresh),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(fresh),
    }
}

pub fn aggregates(conn: &mut DbConnection, round_id: &str) -> Result<RoundAggregates, ApiError> {
    Ok(RoundAggregates {
        responses: response_counts(conn, round_id)?,
        dimensions: dimension_moments(conn, round_id)?,
        items: item_aggregates(conn, round_id)?,
    })
}

/// Aggregates of an open round as shown live. Watching the figures change with every
/// single response would reveal that response, so live figures move in steps: they are
/// recomputed only once at least `k` responses have arrived since the last published
/// state, and everyone sees that same stored state in between.
pub fn live_aggregates(conn: &mut DbConnection, round: &Round, k: i64) -> Result<RoundAggregates, ApiError> {
    let now_count = assessments::response_count(conn, &round.id)?;
    let published: Option<(i64, String)> = assessment_live_results::table
        .find(&round.id)
        .select((
            assessment_live_results::response_count,
            assessment_live_results::aggregates,
        ))
        .get_result(conn)
        .optional()?;
    if let Some((count, json)) = &published
        && now_count - count < k
        && let Ok(agg) = serde_json::from_str::<RoundAggregates>(json)
    {
        return Ok(agg);
    }
    let fresh = aggregates(conn, &round.id)?;
    let count: i64 = fresh.responses.iter().map(|(_, n)| n).sum();
    let json = serde_json::to_string(&fresh).map_err(ApiError::internal)?;
    let stored = db::write_tx(conn, |conn| {
        diesel::delete(assessment_live_results::table.find(&round.id)).execute(conn)?;
        diesel::insert_into(assessment_live_results::table)
            .values((
                assessment_live_results::round_id.eq(&round.id),
                assessment_live_results::response_count.eq(count),
                assessment_live_results::aggregates.eq(&json),
            ))
            .execute(conn)
    });
    match stored {
        Ok(_) => Ok(fresh),
        // Another reader published a state at the same moment: show that one.
        Err(e) if db::is_unique_violation(&e) => {
            let theirs: Option<String> = assessment_live_results::table
                .find(&round.id)
                .select(assessment_live_results::aggregates)
                .get_result(conn)
                .optional()?;
            Ok(theirs
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or(fresh))
        }
        Err(e) => Err(e.into()),
    }
}
