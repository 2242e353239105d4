//! Gathers the pipeline report: ideas per stage and unit, the monthly flow, time spent in
//! each stage, ideas stuck in a stage, acceptance and participation.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};

use crate::db::DbConnection;
use crate::domain::pdca::Status;
use crate::domain::pipeline::recent_months;
use crate::error::ApiError;
use crate::store::organizations;
use crate::store::reports::{self, StageTimes, StuckIdea};
use crate::store::units;

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

/// The report for the organisation or for a unit with its sub-units, over the last
/// `months` calendar months (monthly flow and participation).
pub fn pipeline(
    conn: &mut DbConnection,
    org_id: &str,
    unit_id: Option<&str>,
    months: u32,
    now: NaiveDateTime,
) -> Result<Pipeline, ApiError> {
    let org = organizations::find(conn, org_id)?;
    let scope: Option<Vec<String>> = match unit_id {
        Some(u) => Some(units::subtree_ids(conn, org_id, u)?),
        None => None,
    };
    let scope = scope.as_deref();

    let mut by_status: HashMap<String, i64> = HashMap::new();
    let mut by_unit: HashMap<String, HashMap<String, i64>> = HashMap::new();
    for (unit, status, n) in reports::ideas_by_unit_and_status(conn, org_id, scope)? {
        *by_status.entry(status.clone()).or_default() += n;
        *by_unit.entry(unit).or_default().entry(status).or_default() += n;
    }

    let (labels, first_day) = recent_months(now.date(), months);
    let since = first_day.and_hms_opt(0, 0, 0).unwrap_or(now);
    let submitted = reports::submitted_per_month(conn, org_id, since, scope)?;
    let adopted = reports::adopted_per_month(conn, org_id, since, scope)?;
    let months = labels
        .into_iter()
        .map(|m| Month {
            submitted: submitted.get(&m).copied().unwrap_or(0),
            adopted: adopted.get(&m).copied().unwrap_or(0),
            month: m,
        })
        .collect();

    let names: Vec<&str> = ACTIVE.iter().map(|s| s.as_str()).collect();
    let mut times = reports::stage_times(conn, org_id, &names, scope)?;
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

    let active: Vec<&str> = ACTIVE.iter().map(|s| s.as_str()).collect();
    let before = now - Duration::days(org.stuck_stage_days);
    let (stuck_count, stuck) = reports::stuck(conn, org_id, &active, before, scope, 20)?;
    let (accepted, rejected) = reports::acceptance(conn, org_id, scope)?;
    let (active_users, participants) = reports::participation(conn, org_id, since, scope)?;

    Ok(Pipeline {
        by_status,
        by_unit,
        months,
        since,
        stage_times,
        stuck_limit_days: org.stuck_stage_days,
        stuck_count,
        stuck,
        accepted,
        rejected,
        active_users,
        participants,
    })
}
