//! A closed round's published results: built once, in the transaction that closes the
//! round, with the unit tree, the unit names and the minimum group size k of that moment,
//! and stored; every later read of the round (results, dimensions, progress reports,
//! charts, CSV) returns exactly these figures. Later reorganisations, renamed or deleted
//! units and a changed k therefore never regroup answers that were already published.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::assessment_published_results;
use crate::db::{self, DbConnection};
use crate::domain::results::{self, RoundResults};
use crate::domain::rounds::RoundStatus;
use crate::error::ApiError;
use crate::store::assessments::Round;
use crate::store::{organizations, questionnaires, report_cache, responses, units};

/// What a closed round shows, for good.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// k when the round closed.
    pub min_group_size: i64,
    pub results: RoundResults,
    /// Names of the units of `results` when the round closed (for units deleted since).
    pub unit_names: HashMap<String, String>,
    pub published_at: NaiveDateTime,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    results: RoundResults,
    unit_names: BTreeMap<String, String>,
}

/// Builds the round's figures from its answers and stores them. Called once, when the
/// round closes (inside the closing transaction); for a round closed before figures were
/// stored, at the next start (`publish_missing`), or by the first read should that not
/// have happened (`published`).
pub fn publish(conn: &mut DbConnection, round: &Round) -> Result<Published, ApiError> {
    let org = organizations::find(conn, &round.org_id)?;
    let instrument = questionnaires::load(conn, &round.org_id, &round.questionnaire_id)?.instrument();
    let agg = responses::aggregates(conn, &round.id, &instrument)?;
    let tree = units::tree(conn, &round.org_id)?;
    // A unit-scoped round is grouped by its scope's sub-tree; a respondent whose unit has
    // left the scope since counts in the round's total only.
    let tree = match &round.scope_unit_id {
        Some(scope) => tree.restricted_to(scope),
        None => tree,
    };
    let k = org.min_group_size;
    let built = results::build(&instrument, &agg, &tree, k);
    let stored_totals = (built.responses, built.hidden.is_none());
    let names: BTreeMap<String, String> = units::names(conn, &round.org_id)?
        .into_iter()
        .filter(|(id, _)| tree.contains(id))
        .collect();
    let now = db::now();
    let json = serde_json::to_string(&Stored {
        results: built,
        unit_names: names,
    })
    .map_err(ApiError::internal)?;
    let (responses, reportable) = (stored_totals.0, stored_totals.1);
    let inserted = db::write_tx(conn, |conn| {
        diesel::insert_into(assessment_published_results::table)
            .values((
                assessment_published_results::round_id.eq(&round.id),
                assessment_published_results::org_id.eq(&round.org_id),
                assessment_published_results::min_group_size.eq(k),
                assessment_published_results::responses.eq(responses),
                assessment_published_results::reportable.eq(reportable),
                assessment_published_results::results.eq(&json),
                assessment_published_results::published_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => stored(conn, round)?.ok_or_else(|| ApiError::internal("published results vanished")),
        // Another request published the round first: theirs is what everyone sees.
        Err(e) if db::is_unique_violation(&e) => {
            stored(conn, round)?.ok_or_else(|| ApiError::internal("published results vanished"))
        }
        Err(e) => Err(e.into()),
    }
}

fn stored(conn: &mut DbConnection, round: &Round) -> Result<Option<Published>, ApiError> {
    let row: Option<(i64, String, NaiveDateTime)> = assessment_published_results::table
        .find((&round.org_id, &round.id))
        .select((
            assessment_published_results::min_group_size,
            assessment_published_results::results,
            assessment_published_results::published_at,
        ))
        .get_result(conn)
        .optional()?;
    let Some((k, json, published_at)) = row else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_str(&json).map_err(ApiError::internal)?;
    Ok(Some(Published {
        min_group_size: k,
        results: stored.results,
        unit_names: stored.unit_names.into_iter().collect(),
        published_at,
    }))
}

/// A closed organisation-wide round with what its publication says at a glance.
#[derive(Debug, Clone)]
pub struct ClosedRound {
    pub round: Round,
    /// Key of the round's questionnaire (all versions share it).
    pub questionnaire_key: String,
    pub responses: i64,
    /// At least k responses: its organisation-level figures are shown.
    pub reportable: bool,
}

/// The organisation's closed organisation-wide rounds, oldest first, each published
/// (rounds closed before figures were stored are published now).
pub fn closed_organisation_rounds(conn: &mut DbConnection, org_id: &str) -> Result<Vec<ClosedRound>, ApiError> {
    use crate::db::schema::{assessment_rounds, questionnaires};
    type Row = (Round, String, Option<(i64, bool)>);
    let query = |conn: &mut DbConnection| -> Result<Vec<Row>, ApiError> {
        Ok(assessment_rounds::table
            .inner_join(
                questionnaires::table.on(questionnaires::id
                    .eq(assessment_rounds::questionnaire_id)
                    .and(questionnaires::org_id.eq(assessment_rounds::org_id))),
            )
            .left_join(
                assessment_published_results::table.on(assessment_published_results::org_id
                    .eq(assessment_rounds::org_id)
                    .and(assessment_published_results::round_id.eq(assessment_rounds::id))),
            )
            .filter(assessment_rounds::org_id.eq(org_id))
            .filter(assessment_rounds::status.eq(RoundStatus::Closed.as_str()))
            .filter(assessment_rounds::scope_unit_id.is_null())
            .order((assessment_rounds::closed_at.asc(), assessment_rounds::id.asc()))
            .select((
                assessment_rounds::all_columns,
                questionnaires::key,
                (
                    assessment_published_results::responses,
                    assessment_published_results::reportable,
                )
                    .nullable(),
            ))
            .load(conn)?)
    };
    let mut rows = query(conn)?;
    if rows.iter().any(|(_, _, p)| p.is_none()) {
        for (round, _, _) in rows.iter().filter(|(_, _, p)| p.is_none()) {
            publish(conn, round)?;
        }
        rows = query(conn)?;
    }
    Ok(rows
        .into_iter()
        .filter_map(|(round, questionnaire_key, p)| {
            p.map(|(responses, reportable)| ClosedRound {
                round,
                questionnaire_key,
                responses,
                reportable,
            })
        })
        .collect())
}

/// Publishes every closed round that has no stored figures yet (rounds closed before
/// figures were stored): at start, before anyone can read them, so their figures are
/// fixed with the tree and k as they stand at the upgrade, not at some later reading.
pub fn publish_missing(conn: &mut DbConnection) -> Result<usize, ApiError> {
    use crate::db::schema::assessment_rounds;
    let missing: Vec<Round> = assessment_rounds::table
        .left_join(
            assessment_published_results::table.on(assessment_published_results::org_id
                .eq(assessment_rounds::org_id)
                .and(assessment_published_results::round_id.eq(assessment_rounds::id))),
        )
        .filter(assessment_rounds::status.eq(RoundStatus::Closed.as_str()))
        .filter(assessment_published_results::round_id.is_null())
        .select(assessment_rounds::all_columns)
        .load(conn)?;
    for round in &missing {
        publish(conn, round)?;
    }
    Ok(missing.len())
}

/// Whether a round was published after `since` (the scheduler vacuums after closes).
pub fn published_since(conn: &mut DbConnection, since: NaiveDateTime) -> Result<bool, ApiError> {
    let n: i64 = assessment_published_results::table
        .filter(assessment_published_results::published_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The published figures of a closed round (kept in memory once read: they never change).
pub fn published(conn: &mut DbConnection, round: &Round) -> Result<Arc<Published>, ApiError> {
    if round.status() != RoundStatus::Closed {
        return Err(ApiError::internal("only closed rounds have published results"));
    }
    if let Some(kept) = report_cache::published(&round.id) {
        return Ok(kept);
    }
    let published = Arc::new(match stored(conn, round)? {
        Some(p) => p,
        None => publish(conn, round)?,
    });
    report_cache::keep_published(&round.id, published.clone());
    Ok(published)
}
