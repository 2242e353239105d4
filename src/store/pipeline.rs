//! Gathers the pipeline report: ideas per stage and unit, the monthly flow, time spent in
//! each stage, ideas stuck in a stage, acceptance and participation.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};

use crate::db::DbConnection;
use crate::domain::pdca::Status;
use crate::domain::pipeline::recent_months;
use crate::error::ApiError;
use crate::store::reports::{self, StageTimes, StuckIdea};
use crate::store::units;
use crate::store::{organizations, report_cache};

/// The stages an idea waits in while it is being worked on.
pub const ACTIVE: [Status; 5] = [Status::Submitted, Status::Plan, Status::Do, Status::Check, Status::Act];

#[derive(Debug, Clone)]
pub struct Month {
    pub month: String,
    pub submitted: i64,
    pub adopted: i64,
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub by_status: HashMap<String, i64>,
    /// Unit id → status → ideas.
    pub by_unit: HashMap<String, HashMap<String, i64>>,
    pub months: Vec<Month>,
    pub since: NaiveDateTime,
    pub stage_times: Vec<(Status, StageTimes)>,
    pub stuck_limit_days: i64,
    pub stuck_count: i64,
    pub stuck: Vec<StuckIdea>,
    pub accepted: i64,
    pub rejected: i64,
    pub active_users: i64,
    pub participants: i64,
}

/// What both halves of the report need: the scope, the monthly window and the limit for
/// stuck ideas. Reading it is cheap.
#[derive(Debug, Clone)]
pub struct Plan {
    org_id: String,
    unit_id: Option<String>,
    /// The unit with its sub-units, or `None` for the whole organisation.
    scope: Option<Vec<String>>,
    month_labels: Vec<String>,
    since: NaiveDateTime,
    stuck_limit_days: i64,
    stuck_before: NaiveDateTime,
}

impl Plan {
    /// The unit the report covers (with its sub-units); `None` for the organisation.
    pub fn unit(&self) -> Option<&str> {
        self.unit_id.as_deref()
    }
}

/// Plans the report for the organisation or for a unit with its sub-units, over the last
/// `months` calendar months (monthly flow and participation).
pub fn plan(
    conn: &mut DbConnection,
    org_id: &str,
    unit_id: Option<&str>,
    months: u32,
    now: NaiveDateTime,
) -> Result<Plan, ApiError> {
    let org = organizations::find(conn, org_id)?;
    let scope = match unit_id {
        Some(u) => Some(units::subtree_ids(conn, org_id, u)?),
        None => None,
    };
    let (month_labels, first_day) = recent_months(now.date(), months);
    Ok(Plan {
        org_id: org_id.to_owned(),
        unit_id: unit_id.map(str::to_owned),
        scope,
        month_labels,
        since: first_day.and_hms_opt(0, 0, 0).unwrap_or(now),
        stuck_limit_days: org.stuck_stage_days,
        stuck_before: now - Duration::days(org.stuck_stage_days),
    })
}

/// The report's queries in two halves of similar cost (each about half of the whole on
/// the benchmark's 100,000 ideas), which the route runs on two connections at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// Time spent in each stage and submissions per month.
    Durations,
    /// Ideas per unit and stage, adoptions per month, stuck ideas, acceptance and
    /// participation.
    Counts,
}

/// The figures one half reads; `assemble` puts both together.
#[derive(Debug, Default)]
pub struct Figures {
    by_unit_and_status: Vec<(String, String, i64)>,
    submitted: HashMap<String, i64>,
    adopted: HashMap<String, i64>,
    stage_times: HashMap<String, StageTimes>,
    stuck: (i64, Vec<StuckIdea>),
    acceptance: (i64, i64),
    participation: (i64, i64),
}

/// What the durations half aggregates over ideas alone (kept by `report_cache`).
struct DurationFigures {
    stage_times: HashMap<String, StageTimes>,
    submitted: HashMap<String, i64>,
}

/// What the counts half aggregates over ideas alone (kept by `report_cache`).
struct CountFigures {
    by_unit_and_status: Vec<(String, String, i64)>,
    adopted: HashMap<String, i64>,
    acceptance: (i64, i64),
}

pub fn read(conn: &mut DbConnection, plan: &Plan, half: Half) -> Result<Figures, ApiError> {
    let (org_id, scope) = (plan.org_id.as_str(), plan.scope.as_deref());
    let active: Vec<&str> = ACTIVE.iter().map(|s| s.as_str()).collect();
    // The figures depend on the ideas, the scope and the monthly window; participation
    // also on votes and people, the stuck count also on the clock (`report_cache`). The
    // longest waiting ideas are read every time (their titles may change).
    let key = |half: &str| {
        format!(
            "pipeline/{half}/{}/{}",
            plan.since,
            scope.map(|units| units.join(",")).unwrap_or_default()
        )
    };
    let mut f = Figures::default();
    match half {
        Half::Durations => {
            let kept = report_cache::idea_figures(conn, org_id, &key("durations"), |conn| {
                Ok(DurationFigures {
                    stage_times: reports::stage_times(conn, org_id, &active, scope)?,
                    submitted: reports::submitted_per_month(conn, org_id, plan.since, scope)?,
                })
            })?;
            f.stage_times = kept.stage_times.clone();
            f.submitted = kept.submitted.clone();
        }
        Half::Counts => {
            let kept = report_cache::idea_figures(conn, org_id, &key("counts"), |conn| {
                Ok(CountFigures {
                    by_unit_and_status: reports::ideas_by_unit_and_status(conn, org_id, scope)?,
                    adopted: reports::adopted_per_month(conn, org_id, plan.since, scope)?,
                    acceptance: reports::acceptance(conn, org_id, scope)?,
                })
            })?;
            f.by_unit_and_status = kept.by_unit_and_status.clone();
            f.adopted = kept.adopted.clone();
            f.acceptance = kept.acceptance;
            let count =
                report_cache::stuck_count(conn, org_id, &key("stuck"), plan.stuck_before, |conn, from, before| {
                    reports::stuck_count(conn, org_id, &active, from, before, scope)
                })?;
            f.stuck = (
                count,
                reports::stuck(conn, org_id, &active, plan.stuck_before, scope, 20)?,
            );
            f.participation = *report_cache::people_figures(conn, org_id, &key("participation"), |conn| {
                reports::participation(conn, org_id, plan.since, scope)
            })?;
        }
    }
    Ok(f)
}

/// The report from its plan and the figures of both halves.
pub fn assemble(plan: Plan, durations: Figures, counts: Figures) -> Pipeline {
    let mut by_status: HashMap<String, i64> = HashMap::new();
    let mut by_unit: HashMap<String, HashMap<String, i64>> = HashMap::new();
    for (unit, status, n) in counts.by_unit_and_status {
        *by_status.entry(status.clone()).or_default() += n;
        *by_unit.entry(unit).or_default().entry(status).or_default() += n;
    }
    let months = plan
        .month_labels
        .into_iter()
        .map(|m| Month {
            submitted: durations.submitted.get(&m).copied().unwrap_or(0),
            adopted: counts.adopted.get(&m).copied().unwrap_or(0),
            month: m,
        })
        .collect();
    let mut times = durations.stage_times;
    let stage_times = ACTIVE
        .iter()
        .map(|stage| {
            let t = times.remove(stage.as_str()).unwrap_or(StageTimes {
                completed: 0,
                median_seconds: None,
                p90_seconds: None,
            });
            (*stage, t)
        })
        .collect();
    let (stuck_count, stuck) = counts.stuck;
    Pipeline {
        by_status,
        by_unit,
        months,
        since: plan.since,
        stage_times,
        stuck_limit_days: plan.stuck_limit_days,
        stuck_count,
        stuck,
        accepted: counts.acceptance.0,
        rejected: counts.acceptance.1,
        active_users: counts.participation.0,
        participants: counts.participation.1,
    }
}
