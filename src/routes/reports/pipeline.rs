//! `GET /api/v1/reports/pipeline`: where ideas are in PDCA and how they flow.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::pdca::Status;
use crate::domain::pipeline::rate;
use crate::error::{ApiError, Problem};
use crate::routes::localization::{self, LangParams};
use crate::routes::reports::progress::{ScopeInfo, file_name};
use crate::routes::reports::{Csv, Delimiter, FormatParams, report_scope, report_slot, wants_csv};
use crate::state::AppState;
use crate::store::pipeline::{self, Half, Pipeline};
use crate::store::{organizations, units};

const SECONDS_PER_DAY: f64 = 86_400.0;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PipelineParams {
    /// A unit: ideas of the unit and its sub-units (leads: their own unit by default).
    pub unit: Option<String>,
    /// Calendar months of the monthly flow and of participation, 1–60 (default 12).
    #[param(minimum = 1, maximum = 60)]
    pub months: Option<u32>,
    /// CSV table: `units` (default), `stages`, `months` or `stuck`.
    pub table: Option<PipelineTable>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PipelineTable {
    Units,
    Stages,
    Months,
    Stuck,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageCount {
    pub status: Status,
    pub ideas: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"unit_id": "019a6a9d-1111-7abc-8def-0123456789ab", "unit_name": "Bürgeramt", "total": 14, "by_status": {"submitted": 4, "plan": 2, "do": 1, "done": 5, "rejected": 2}}))]
pub struct UnitPipeline {
    pub unit_id: String,
    pub unit_name: String,
    pub total: i64,
    pub by_status: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthFlow {
    /// `YYYY-MM`
    pub month: String,
    pub submitted: i64,
    /// Improvements adopted (act → done) in the month.
    pub adopted: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"stage": "submitted", "completed": 57, "median_days": 6.5, "p90_days": 24.1}))]
pub struct StageTime {
    pub stage: Status,
    /// Stays in the stage that have ended.
    pub completed: i64,
    /// Median and 90th percentile of those stays, in days (linear interpolation).
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StuckIdeaReport {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub unit_id: String,
    pub unit_name: String,
    pub days_in_stage: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stuck {
    /// The organisation's limit (`stuck_stage_days`).
    pub limit_days: i64,
    /// Ideas in submitted, plan, do, check or act for longer than the limit.
    pub ideas: i64,
    /// The 20 waiting longest.
    pub longest: Vec<StuckIdeaReport>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Acceptance {
    /// Ideas accepted into Plan (ever).
    pub accepted: i64,
    /// Ideas rejected, including those rejected as duplicates.
    pub rejected: i64,
    /// accepted / (accepted + rejected); `null` before the first decision.
    pub rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Participation {
    pub since: DateTime<Utc>,
    /// Active users of the scope.
    pub active_users: i64,
    /// Of those, who submitted, co-authored or voted since `since`.
    pub participants: i64,
    pub rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineReport {
    pub generated_at: DateTime<Utc>,
    /// The language of the CSV's headers and labels.
    pub lang: Lang,
    pub scope: ScopeInfo,
    /// Ideas per status (all of them, now).
    pub stages: Vec<StageCount>,
    /// Ideas per unit and status; units without ideas are left out.
    pub by_unit: Vec<UnitPipeline>,
    pub monthly: Vec<MonthFlow>,
    /// Time spent in each working stage.
    pub stage_times: Vec<StageTime>,
    pub stuck: Stuck,
    pub acceptance: Acceptance,
    pub participation: Participation,
}

fn days(seconds: Option<f64>) -> Option<f64> {
    seconds.map(|s| s / SECONDS_PER_DAY)
}

fn report(
    p: Pipeline,
    scope: ScopeInfo,
    names: &HashMap<String, String>,
    now: DateTime<Utc>,
    lang: Lang,
) -> PipelineReport {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let mut by_unit: Vec<UnitPipeline> = p
        .by_unit
        .iter()
        .map(|(unit, counts)| UnitPipeline {
            unit_id: unit.clone(),
            unit_name: name(unit),
            total: counts.values().sum(),
            by_status: counts.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        })
        .collect();
    by_unit.sort_by(|a, b| a.unit_name.cmp(&b.unit_name).then(a.unit_id.cmp(&b.unit_id)));
    PipelineReport {
        generated_at: now,
        lang,
        scope,
        stages: Status::ALL
            .iter()
            .map(|s| StageCount {
                status: *s,
                ideas: p.by_status.get(s.as_str()).copied().unwrap_or(0),
            })
            .collect(),
        by_unit,
        monthly: p
            .months
            .iter()
            .map(|m| MonthFlow {
                month: m.month.clone(),
                submitted: m.submitted,
                adopted: m.adopted,
            })
            .collect(),
        stage_times: p
            .stage_times
            .iter()
            .map(|(stage, t)| StageTime {
                stage: *stage,
                completed: t.completed,
                median_days: days(t.median_seconds),
                p90_days: days(t.p90_seconds),
            })
            .collect(),
        stuck: Stuck {
            limit_days: p.stuck_limit_days,
            ideas: p.stuck_count,
            longest: p
                .stuck
                .iter()
                .map(|i| StuckIdeaReport {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    status: Status::parse(&i.status).unwrap_or(Status::Submitted),
                    unit_id: i.unit_id.clone(),
                    unit_name: name(&i.unit_id),
                    days_in_stage: (now.naive_utc() - i.stage_entered_at).num_days(),
                })
                .collect(),
        },
        acceptance: Acceptance {
            accepted: p.accepted,
            rejected: p.rejected,
            rate: rate(p.accepted, p.accepted + p.rejected),
        },
        participation: Participation {
            since: p.since.and_utc(),
            active_users: p.active_users,
            participants: p.participants,
            rate: rate(p.participants, p.active_users),
        },
    }
}

/// The pipeline report of the caller's permitted scope (`unit` as in `report_scope`),
/// over `months` calendar months (default 12), for the API and the dashboard page.
pub async fn load(
    req: &HttpRequest,
    state: &AppState,
    caller: &AuthUser,
    unit: Option<String>,
    months: Option<u32>,
    lang_param: Option<&str>,
) -> Result<PipelineReport, ApiError> {
    let months = months.unwrap_or(12);
    if !(1..=60).contains(&months) {
        return Err(ApiError::field("months", "must be between 1 and 60"));
    }
    let unit = report_scope(&state.pool, caller, unit).await?;
    let org_id = caller.org_id.clone();
    let now = Utc::now();
    let slots = report_slot(state, 2).await?;
    let (names, plan, locale) = db::run(&state.pool, move |conn| {
        let names = units::names(conn, &org_id)?;
        let plan = pipeline::plan(conn, &org_id, unit.as_deref(), months, now.naive_utc())?;
        Ok((names, plan, organizations::find(conn, &org_id)?.default_locale))
    })
    .await?;
    let lang = localization::choose(req, lang_param, &locale);
    // The two halves on two connections at once when two slots are free to us.
    let (durations, counts) = if slots.num_permits() >= 2 {
        let (first, second) = (plan.clone(), plan.clone());
        futures_util::future::try_join(
            db::run(&state.pool, move |conn| pipeline::read(conn, &first, Half::Durations)),
            db::run(&state.pool, move |conn| pipeline::read(conn, &second, Half::Counts)),
        )
        .await?
    } else {
        let both = plan.clone();
        db::run(&state.pool, move |conn| {
            Ok((
                pipeline::read(conn, &both, Half::Durations)?,
                pipeline::read(conn, &both, Half::Counts)?,
            ))
        })
        .await?
    };
    drop(slots);
    let unit = plan.unit().map(str::to_owned);
    let data = pipeline::assemble(plan, durations, counts);
    let scope = ScopeInfo {
        unit_name: unit.as_ref().and_then(|u| names.get(u).cloned()),
        unit_id: unit,
    };
    Ok(report(data, scope, &names, now, lang))
}

/// The PDCA pipeline: ideas per stage and unit, submitted and adopted per month, median
/// and 90th percentile time in each stage, ideas stuck longer than the organisation's
/// limit, acceptance rate and participation.
///
/// Managers and admins see the organisation (or a unit with `unit`); leads their unit and
/// the units below it. CSV with `?format=csv` or `Accept: text/csv`.
#[utoipa::path(
    tag = "reports",
    params(PipelineParams, FormatParams, LangParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "JSON, or CSV (text/csv) when asked for", content((PipelineReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Employees; leads outside their units", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/pipeline")]
pub async fn get_pipeline_report(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<PipelineParams>,
    format: web::Query<FormatParams>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let report = load(
        &req,
        &state,
        &caller,
        params.unit.clone(),
        params.months,
        lang.lang.as_deref(),
    )
    .await?;
    if wants_csv(&req, &format) {
        return csv(&report, params.table.unwrap_or(PipelineTable::Units), format.delimiter);
    }
    Ok(HttpResponse::Ok().json(report))
}

pub fn csv(
    report: &PipelineReport,
    table: PipelineTable,
    delimiter: Option<Delimiter>,
) -> Result<HttpResponse, ApiError> {
    let lang = report.lang;
    match table {
        PipelineTable::Units => {
            let mut header = vec![
                ("unit_id", "Einheiten-ID"),
                ("unit", "Einheit"),
                ("total", "Ideen gesamt"),
            ];
            header.extend(Status::ALL.iter().map(|s| (s.label(Lang::En), s.label(Lang::De))));
            let mut out = Csv::new(lang, delimiter, &header)?;
            for u in &report.by_unit {
                let mut row = vec![u.unit_id.clone(), u.unit_name.clone(), u.total.to_string()];
                row.extend(
                    Status::ALL
                        .iter()
                        .map(|s| u.by_status.get(s.as_str()).copied().unwrap_or(0).to_string()),
                );
                out.row(row)?;
            }
            out.into_response(&file_name(lang, "pipeline-units"))
        }
        PipelineTable::Stages => {
            let mut out = Csv::new(
                lang,
                delimiter,
                &[
                    ("stage", "Phase"),
                    ("ideas_now", "Ideen jetzt"),
                    ("completed_stays", "Abgeschlossene Aufenthalte"),
                    ("median_days", "Median (Tage)"),
                    ("p90_days", "90-%-Wert (Tage)"),
                ],
            )?;
            for s in &report.stages {
                let times = report.stage_times.iter().find(|t| t.stage == s.status);
                let row = vec![
                    s.status.label(lang).to_owned(),
                    s.ideas.to_string(),
                    Csv::int(times.map(|t| t.completed)),
                    out.fixed(times.and_then(|t| t.median_days), 1),
                    out.fixed(times.and_then(|t| t.p90_days), 1),
                ];
                out.row(row)?;
            }
            out.into_response(&file_name(lang, "pipeline-stages"))
        }
        PipelineTable::Months => {
            let mut out = Csv::new(
                lang,
                delimiter,
                &[
                    ("month", "Monat"),
                    ("submitted", "Eingereicht"),
                    ("adopted", "Umgesetzt"),
                ],
            )?;
            for m in &report.monthly {
                // "2026-11" reads as a month in both languages' spreadsheets as 11.2026 / 2026-11.
                let month = match (lang, m.month.split_once('-')) {
                    (Lang::De, Some((y, mo))) => format!("{mo}.{y}"),
                    _ => m.month.clone(),
                };
                out.row(vec![month, m.submitted.to_string(), m.adopted.to_string()])?;
            }
            out.into_response(&file_name(lang, "pipeline-months"))
        }
        PipelineTable::Stuck => {
            let mut out = Csv::new(
                lang,
                delimiter,
                &[
                    ("idea_id", "Ideen-ID"),
                    ("title", "Titel"),
                    ("stage", "Phase"),
                    ("unit", "Einheit"),
                    ("days_in_stage", "Tage in der Phase"),
                ],
            )?;
            for i in &report.stuck.longest {
                out.row(vec![
                    i.id.clone(),
                    i.title.clone(),
                    i.status.label(lang).to_owned(),
                    i.unit_name.clone(),
                    i.days_in_stage.to_string(),
                ])?;
            }
            out.into_response(&file_name(lang, "pipeline-stuck"))
        }
    }
}
