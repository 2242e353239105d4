//! Anonymous responses: recording one (participation, response, answers and scores in one
//! transaction) and the grouped SQL aggregates that results are computed from. Nothing
//! here reads or returns a single response.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};

use crate::db::schema::{
    assessment_answers, assessment_participation, assessment_responses, assessment_rounds, assessment_scores,
};
use crate::db::{self, DbConnection};
use crate::domain::results::{AnswerPattern, ItemAggregate, RoundAggregates};
use crate::domain::rounds::RoundStatus;
use crate::domain::scoring::DimensionScore;
use crate::domain::scoring::Instrument;
use crate::domain::stats::Moments;
use crate::error::ApiError;
use crate::store::assessments::Round;

#[derive(Debug, Insertable)]
#[diesel(table_name = assessment_participation)]
struct NewParticipation<'a> {
    round_id: &'a str,
    user_id: &'a str,
    org_id: &'a str,
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
        org_id: &round.org_id,
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
        out.push_sql("WITH open_round AS (SELECT id, org_id FROM assessment_rounds WHERE id = ");
        out.push_bind_param::<Text, _>(&self.round_id)?;
        out.push_sql(" AND status = 'open' AND closes_at > ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(
            " FOR KEY SHARE), participation AS (\
             INSERT INTO assessment_participation (round_id, user_id, org_id) SELECT id, ",
        );
        out.push_bind_param::<Text, _>(&self.user_id)?;
        out.push_sql(
            ", org_id FROM open_round RETURNING round_id), response AS (\
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

#[derive(QueryableByName)]
struct PatternRow {
    #[diesel(sql_type = Text)]
    dimension_key: String,
    #[diesel(sql_type = BigInt)]
    answered: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Per dimension: how many respondents answered how many of its items with a value.
pub fn answer_patterns(
    conn: &mut DbConnection,
    round_id: &str,
    instrument: &Instrument,
) -> Result<Vec<AnswerPattern>, ApiError> {
    let pairs: Vec<(&str, &str)> = instrument
        .dimensions
        .iter()
        .flat_map(|d| d.items.iter().map(move |i| (i.key.as_str(), d.key.as_str())))
        .collect();
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    // SQLite numbers `$n` by first appearance, so the item map's placeholders come first.
    let values: Vec<String> = (0..pairs.len())
        .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
        .collect();
    let sql = format!(
        "WITH m(item_key, dimension_key) AS (VALUES {}) \
         SELECT p.dimension_key, p.answered, COUNT(*) AS n FROM ( \
           SELECT a.response_id, m.dimension_key, COUNT(a.value) AS answered \
           FROM assessment_answers a JOIN m ON m.item_key = a.item_key \
           WHERE a.round_id = ${} GROUP BY a.response_id, m.dimension_key) p \
         GROUP BY p.dimension_key, p.answered",
        values.join(", "),
        2 * pairs.len() + 1
    );
    let mut q = diesel::sql_query(sql).into_boxed::<crate::db::MultiBackend>();
    for (item, dimension) in &pairs {
        q = q.bind::<Text, _>(*item).bind::<Text, _>(*dimension);
    }
    let rows: Vec<PatternRow> = q.bind::<Text, _>(round_id).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| AnswerPattern {
            dimension: r.dimension_key,
            answered: r.answered,
            respondents: r.n,
        })
        .collect())
}

/// Everything a round's results are built from, aggregated by SQL.
pub fn aggregates(
    conn: &mut DbConnection,
    round_id: &str,
    instrument: &Instrument,
) -> Result<RoundAggregates, ApiError> {
    Ok(RoundAggregates {
        responses: response_counts(conn, round_id)?,
        dimensions: dimension_moments(conn, round_id)?,
        items: item_aggregates(conn, round_id)?,
        answer_patterns: answer_patterns(conn, round_id, instrument)?,
    })
}
