//! The organisation's current dimensions, their latest scores and which are weak — one
//! answer for `GET /api/v1/dimensions` and for the ideas that link to dimension keys.
//!
//! Definitions:
//! - The *current questionnaire* is the organisation's most recently published
//!   questionnaire that is not archived. When every questionnaire is archived it is the
//!   built-in default, which every organisation has (it is loaded at organisation
//!   creation and on every start), so there is always one. Its dimension keys are the
//!   *current dimensions*.
//! - The *latest closed round* is the most recently closed organisation-wide round (a round
//!   scoped to a unit describes only part of the organisation). Rounds compare by
//!   dimension key, so it may have used another questionnaire version.
//! - A current dimension is *weak* when its score in that round is below the
//!   organisation's `weak_threshold` or among its `weak_count` lowest scores (ties with the
//!   last of those included). Dimensions without a score there — none closed yet, not in
//!   that round, or hidden below the minimum group size — are not weak.

use std::collections::HashMap;

use crate::db::DbConnection;
use crate::domain::scoring::to_score;
use crate::domain::stats::Summary;
use crate::domain::weakness::weak_flags;
use crate::error::ApiError;
use crate::store::assessments::{self, Round};
use crate::store::questionnaires::{self, Content};
use crate::store::{organizations, round_results};

/// One current dimension with its latest and previous organisation-level figures.
#[derive(Debug, Clone)]
pub struct DimensionStatus {
    pub key: String,
    pub latest: Option<Summary>,
    pub previous: Option<Summary>,
    pub weak: bool,
}

impl DimensionStatus {
    pub fn score(&self) -> Option<f64> {
        self.latest.map(|s| to_score(s.mean))
    }
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub questionnaire: Content,
    pub latest_round: Option<Round>,
    pub previous_round: Option<Round>,
    pub weak_threshold: f64,
    pub weak_count: i64,
    /// In the current questionnaire's order.
    pub dimensions: Vec<DimensionStatus>,
}

/// The current questionnaire (see the module documentation).
pub fn current_questionnaire(conn: &mut DbConnection, org_id: &str) -> Result<Content, ApiError> {
    if let Some(q) = questionnaires::latest_published(conn, org_id)? {
        return questionnaires::load(conn, org_id, &q.id);
    }
    if let Some(q) = questionnaires::builtin_of(conn, org_id)? {
        return questionnaires::load(conn, org_id, &q.id);
    }
    // Only an organisation made behind the service's back lacks it; give it one now.
    questionnaires::ensure_builtin(conn, org_id)?;
    match questionnaires::builtin_of(conn, org_id)? {
        Some(q) => questionnaires::load(conn, org_id, &q.id),
        None => Err(ApiError::internal("the built-in questionnaire could not be loaded")),
    }
}

/// Dimension keys of the organisation's current questionnaire, in its order. Every idea
/// submission asks, so the usual case reads only the keys, not the whole questionnaire.
pub fn current_keys(conn: &mut DbConnection, org_id: &str) -> Result<Vec<String>, ApiError> {
    // One round trip when a questionnaire is published (every dimension has a key).
    let published = questionnaires::latest_published_keys(conn, org_id)?;
    if !published.is_empty() {
        return Ok(published);
    }
    Ok(current_questionnaire(conn, org_id)?
        .dimensions
        .into_iter()
        .map(|d| d.dimension_key)
        .collect())
}

/// Current dimensions flagged weak by the rule of `GET /api/v1/dimensions`; empty while
/// no organisation-wide round has closed.
pub fn weak_keys(conn: &mut DbConnection, org_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(overview(conn, org_id)?
        .dimensions
        .into_iter()
        .filter(|d| d.weak)
        .map(|d| d.key)
        .collect())
}

/// Organisation-level figures of a closed round per dimension key (hidden ones absent),
/// as published when it closed.
fn round_figures(conn: &mut DbConnection, round: &Round) -> Result<HashMap<String, Summary>, ApiError> {
    Ok(round_results::published(conn, round)?
        .results
        .dimensions
        .into_iter()
        .filter_map(|d| d.summary.map(|s| (d.key, s)))
        .collect())
}

pub fn overview(conn: &mut DbConnection, org_id: &str) -> Result<Overview, ApiError> {
    assessments::advance_due(conn, Some(org_id), crate::db::now())?;
    let org = organizations::find(conn, org_id)?;
    let questionnaire = current_questionnaire(conn, org_id)?;
    let mut closed = assessments::closed_organisation_rounds(conn, org_id, 2)?.into_iter();
    let latest_round = closed.next();
    let previous_round = closed.next();
    let latest = match &latest_round {
        Some(r) => round_figures(conn, r)?,
        None => HashMap::new(),
    };
    let previous = match &previous_round {
        Some(r) => round_figures(conn, r)?,
        None => HashMap::new(),
    };
    let mut dimensions: Vec<DimensionStatus> = questionnaire
        .dimensions
        .iter()
        .map(|d| DimensionStatus {
            key: d.dimension_key.clone(),
            latest: latest.get(&d.dimension_key).copied(),
            previous: previous.get(&d.dimension_key).copied(),
            weak: false,
        })
        .collect();
    let scores: Vec<Option<f64>> = dimensions.iter().map(DimensionStatus::score).collect();
    let lowest = usize::try_from(org.weak_count).unwrap_or(0);
    for (d, weak) in dimensions
        .iter_mut()
        .zip(weak_flags(&scores, org.weak_threshold, lowest))
    {
        d.weak = weak;
    }
    Ok(Overview {
        questionnaire,
        latest_round,
        previous_round,
        weak_threshold: org.weak_threshold,
        weak_count: org.weak_count,
        dimensions,
    })
}
