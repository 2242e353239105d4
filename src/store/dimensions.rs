//! The organisation's current dimensions, their latest scores and which are weak — one
//! answer for `GET /api/v1/dimensions` and for the ideas that link to dimension keys.
//!
//! Definitions:
//! - The *current questionnaire* is the organisation's most recently published
//!   questionnaire that is not archived. When every questionnaire is archived it is the
//!   built-in default, which every organisation has (it is loaded at organisation
//!   creation and on every start), so there is always one. Its dimension keys are the
//!   *current dimensions*.
//! - The *latest round* is the most recently closed organisation-wide round of the
//!   current questionnaire (any version; rounds compare by dimension key) that *can be
//!   reported*: it had at least k responses when it closed. A thinner round is listed
//!   (`not_reported`) but never erases what the organisation knows. A round scoped to a
//!   unit describes only part of the organisation and does not count.
//! - A current dimension is *weak* when its score in that round is below the
//!   organisation's `weak_threshold` or among its `weak_count` lowest scores (ties with the
//!   last of those included). Dimensions without a score there — none closed yet, not in
//!   that round, or hidden below the minimum group size — are not weak.
//! - The *current questionnaire* is the latest published version of the organisation's
//!   reference questionnaire (`reference_questionnaire_key`, the built-in one unless an
//!   admin switches it): publishing another questionnaire beside it changes nothing.

use std::collections::HashMap;

use crate::db::DbConnection;
use crate::domain::progress::{assessable, response_rate};
use crate::domain::scoring::to_score;
use crate::domain::stats::Summary;
use crate::domain::weakness::weak_flags;
use crate::error::ApiError;
use crate::store::assessments::{self, Round};
use crate::store::questionnaires::{self, Content};
use crate::store::round_results::ClosedRound;
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

/// A closed round as the overview uses it.
#[derive(Debug, Clone)]
pub struct RoundInfo {
    pub round: Round,
    pub responses: i64,
    /// Responses over the eligible headcount frozen at opening.
    pub response_rate: Option<f64>,
}

impl RoundInfo {
    fn of(closed: &ClosedRound) -> Self {
        Self {
            round: closed.round.clone(),
            responses: closed.responses,
            response_rate: response_rate(closed.responses, closed.round.eligible_count),
        }
    }

    /// Answered by enough of the eligible headcount to carry a verdict.
    pub fn assessable(&self) -> bool {
        assessable(self.response_rate)
    }
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub questionnaire: Content,
    pub latest_round: Option<RoundInfo>,
    pub previous_round: Option<RoundInfo>,
    /// Rounds closed after the latest round with fewer than k responses: listed, not used.
    pub not_reported: Vec<RoundInfo>,
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

/// The dimensions (keys and names) of the organisation's current questionnaire, without
/// its items: what pages need to name linked dimensions.
pub fn current_dimensions(
    conn: &mut DbConnection,
    org_id: &str,
) -> Result<Vec<questionnaires::DimensionRow>, ApiError> {
    let current = match questionnaires::latest_published(conn, org_id)? {
        Some(q) => Some(q),
        None => questionnaires::builtin_of(conn, org_id)?,
    };
    match current {
        Some(q) => questionnaires::dimension_rows(conn, &q.id),
        None => Ok(current_questionnaire(conn, org_id)?.dimensions),
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
        .iter()
        .filter_map(|d| d.summary.map(|s| (d.key.clone(), s)))
        .collect())
}

pub fn overview(conn: &mut DbConnection, org_id: &str) -> Result<Overview, ApiError> {
    assessments::advance_due(conn, Some(org_id), crate::db::now())?;
    let org = organizations::find(conn, org_id)?;
    let questionnaire = current_questionnaire(conn, org_id)?;
    let key = questionnaire.questionnaire.key.clone();
    let closed: Vec<ClosedRound> = round_results::closed_organisation_rounds(conn, org_id)?
        .into_iter()
        .filter(|r| r.questionnaire_key == key)
        .collect();
    let mut reportable = closed.iter().rev().filter(|r| r.reportable);
    let latest_round = reportable.next().map(RoundInfo::of);
    let previous_round = reportable.next().map(RoundInfo::of);
    let latest_closed = latest_round.as_ref().and_then(|r| r.round.closed_at);
    let not_reported: Vec<RoundInfo> = closed
        .iter()
        .filter(|r| !r.reportable && (latest_closed.is_none() || r.round.closed_at > latest_closed))
        .map(RoundInfo::of)
        .collect();
    let latest = match &latest_round {
        Some(r) => round_figures(conn, &r.round)?,
        None => HashMap::new(),
    };
    let previous = match &previous_round {
        Some(r) => round_figures(conn, &r.round)?,
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
        not_reported,
        weak_threshold: org.weak_threshold,
        weak_count: org.weak_count,
        dimensions,
    })
}
