//! The organisation's reassessment schedule: read it with the next due date, change it,
//! and open a round by hand.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Admin, Manager};
use crate::db;
use crate::domain::reassessment::{DEFAULT_INTERVAL_MONTHS, DEFAULT_TITLE_PATTERN, DEFAULT_WINDOW_DAYS};
use crate::domain::rounds::RoundStatus;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::routes::assessments::{AssessmentResponse, view_one};
use crate::state::AppState;
use crate::store::assessments::Round;
use crate::store::reassessment::{self, ScheduleSettings, Status};

/// A round as the schedule shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "title": "Lernkultur 03/2027", "period_key": "2027-03-01",
    "status": "open", "opens_at": "2027-03-01T07:00:12Z", "closes_at": "2027-03-22T07:00:12Z",
    "opened_at": "2027-03-01T07:00:12Z", "closed_at": null, "eligible": 148
}))]
pub struct ReassessmentRound {
    pub id: String,
    pub title: String,
    /// The period's due date; `null` for a round opened by hand.
    pub period_key: Option<String>,
    pub status: RoundStatus,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Active users when the round opened.
    pub eligible: Option<i64>,
}

impl From<Round> for ReassessmentRound {
    fn from(r: Round) -> Self {
        Self {
            status: r.status(),
            id: r.id,
            title: r.title,
            period_key: r.period_key,
            opens_at: r.opens_at.and_utc(),
            closes_at: r.closes_at.and_utc(),
            opened_at: r.opened_at.map(|t| t.and_utc()),
            closed_at: r.closed_at.map(|t| t.and_utc()),
            eligible: r.eligible_count,
        }
    }
}

/// A period of the schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReassessmentPeriod {
    /// 0 for the period due at `first_due_at`.
    pub index: u32,
    /// The due date; the key of the period's round.
    pub key: String,
    pub due_at: DateTime<Utc>,
    /// The round opened for it, if any.
    pub round: Option<ReassessmentRound>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "configured": true, "enabled": true, "questionnaire_id": null,
    "effective_questionnaire_id": "019a6a9c-4c1e-7d2a-9f0e-5b8f1c2d3e4f",
    "interval_months": 6, "window_days": 21, "first_due_at": "2027-03-01T07:00:00Z",
    "title_pattern": "Lernkultur {month}/{year}", "effective_from": "2026-11-26T10:12:00Z",
    "next_due_at": "2027-09-01T07:00:00Z",
    "current_period": {"index": 0, "key": "2027-03-01", "due_at": "2027-03-01T07:00:00Z", "round": {
        "id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "title": "Lernkultur 03/2027", "period_key": "2027-03-01",
        "status": "open", "opens_at": "2027-03-01T07:00:12Z", "closes_at": "2027-03-22T07:00:12Z",
        "opened_at": "2027-03-01T07:00:12Z", "closed_at": null, "eligible": 148}},
    "last_scheduled_round": {
        "id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "title": "Lernkultur 03/2027", "period_key": "2027-03-01",
        "status": "open", "opens_at": "2027-03-01T07:00:12Z", "closes_at": "2027-03-22T07:00:12Z",
        "opened_at": "2027-03-01T07:00:12Z", "closed_at": null, "eligible": 148},
    "configured_by": "019a6a90-1111-7abc-8def-0123456789ab", "notices": [],
    "version": 2, "updated_at": "2026-11-26T10:12:00Z"
}))]
pub struct ReassessmentResponse {
    /// False until an admin first saves the schedule; the values are then the defaults.
    pub configured: bool,
    /// Whether the scheduler opens rounds by this schedule.
    pub enabled: bool,
    /// The pinned questionnaire; `null`: the organisation's current questionnaire at the
    /// time a round opens.
    pub questionnaire_id: Option<String>,
    /// The questionnaire a round opened now would use (`null` when none can open).
    pub effective_questionnaire_id: Option<String>,
    pub interval_months: i64,
    /// How long each round stays open.
    pub window_days: i64,
    /// When period 0 is due; period n is due `n × interval_months` later.
    pub first_due_at: Option<DateTime<Utc>>,
    /// Title of scheduled rounds; `{date}`, `{year}`, `{month}`, `{quarter}`, `{half}`
    /// are filled in from the due date.
    pub title_pattern: String,
    /// Periods due before this moment (when the schedule was switched on or its first due
    /// date or interval last changed) get no round.
    pub effective_from: Option<DateTime<Utc>>,
    /// When the next round is due; in the past when a due period still waits for its
    /// round. `null` while the schedule is off.
    pub next_due_at: Option<DateTime<Utc>>,
    /// The latest period due by now, with its round.
    pub current_period: Option<ReassessmentPeriod>,
    /// The most recent round the schedule opened.
    pub last_scheduled_round: Option<ReassessmentRound>,
    /// The admin who saved the schedule last; scheduled rounds are created in their name.
    pub configured_by: Option<String>,
    /// Anything that keeps the schedule from working as set.
    pub notices: Vec<String>,
    /// 0 until first saved.
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

impl ReassessmentResponse {
    fn new(status: Status, now: DateTime<Utc>) -> Self {
        let mut notices = Vec::new();
        if let Err(why) = &status.questionnaire {
            notices.push(why.clone());
        }
        let s = status.schedule.as_ref();
        if let (Some(pinned), Ok(used)) = (s.and_then(|s| s.questionnaire_id.as_ref()), &status.questionnaire)
            && pinned != used
        {
            notices.push(format!(
                "the pinned questionnaire {pinned} is no longer published; rounds use the current questionnaire {used}"
            ));
        }
        let next_due_at = status.next_due.map(|p| p.due_at.and_utc());
        if let Some(open) = &status.waiting_for {
            notices.push(format!(
                "the due round waits until the organisation-wide round {:?} closes at {}",
                open.title,
                open.closes_at
                    .and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        } else if next_due_at.is_some_and(|t| t <= now) {
            notices.push("a round is due; the scheduler opens it at its next pass".into());
        }
        Self {
            configured: s.is_some(),
            enabled: s.is_some_and(|s| s.enabled),
            questionnaire_id: s.and_then(|s| s.questionnaire_id.clone()),
            effective_questionnaire_id: status.questionnaire.as_ref().ok().cloned(),
            interval_months: s.map_or(DEFAULT_INTERVAL_MONTHS, |s| s.interval_months),
            window_days: s.map_or(DEFAULT_WINDOW_DAYS, |s| s.window_days),
            first_due_at: s.map(|s| s.first_due_at.and_utc()),
            title_pattern: s.map_or(DEFAULT_TITLE_PATTERN.to_owned(), |s| s.title_pattern.clone()),
            effective_from: s.map(|s| s.effective_from.and_utc()),
            next_due_at,
            current_period: status.current.map(|(p, round)| ReassessmentPeriod {
                index: p.index,
                key: p.key(),
                due_at: p.due_at.and_utc(),
                round: round.map(ReassessmentRound::from),
            }),
            last_scheduled_round: status.last_scheduled.map(ReassessmentRound::from),
            configured_by: s.map(|s| s.configured_by.clone()),
            notices,
            version: s.map_or(0, |s| s.version),
            updated_at: s.map(|s| s.updated_at.and_utc()),
        }
    }
}

/// The whole schedule: every field is set (`questionnaire_id` and `title_pattern` fall
/// back to "current questionnaire" and the default pattern when left out).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "version": 0, "enabled": true, "interval_months": 6, "window_days": 21,
    "first_due_at": "2027-03-01T07:00:00Z", "questionnaire_id": null, "title_pattern": "Lernkultur {month}/{year}"
}))]
pub struct UpdateReassessment {
    /// The version read (0 before the first save), or send `If-Match`.
    pub version: Option<i64>,
    pub enabled: bool,
    /// A published questionnaire of the organisation to pin; `null` or absent: the
    /// current questionnaire when each round opens.
    #[serde(default)]
    pub questionnaire_id: Option<String>,
    /// 1–36.
    pub interval_months: i64,
    /// 1–90, and shorter than the interval.
    pub window_days: i64,
    /// When the first period is due (between the years 2000 and 2199).
    pub first_due_at: DateTime<Utc>,
    /// Default `Lernkultur {month}/{year}`.
    #[serde(default)]
    pub title_pattern: Option<String>,
}

pub(crate) async fn current_status(state: &AppState, org_id: String) -> Result<ReassessmentResponse, ApiError> {
    let now = db::now();
    let status = db::run(&state.pool, move |conn| reassessment::status(conn, &org_id, now)).await?;
    Ok(ReassessmentResponse::new(status, now.and_utc()))
}

/// The reassessment schedule with the next due date, the current period's round and the
/// last scheduled round (managers and admins).
#[utoipa::path(
    tag = "reassessment",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReassessmentResponse, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reassessment")]
pub async fn get_reassessment(caller: Manager, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let view = current_status(&state, caller.org_id.clone()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(view.version)).json(view))
}

/// Set the reassessment schedule (admins). The scheduler then opens a round for each
/// period when it is due; periods already past when the schedule is switched on or its
/// timing changes get none.
#[utoipa::path(
    tag = "reassessment",
    params(("If-Match" = Option<String>, Header)),
    request_body = UpdateReassessment,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ReassessmentResponse, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/reassessment")]
pub async fn update_reassessment(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    body: ApiJson<UpdateReassessment>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let settings = ScheduleSettings {
        enabled: body.enabled,
        questionnaire_id: body.questionnaire_id,
        interval_months: body.interval_months,
        window_days: body.window_days,
        first_due_at: body.first_due_at.naive_utc().trunc_subsecs(6),
        title_pattern: body.title_pattern.unwrap_or_else(|| DEFAULT_TITLE_PATTERN.to_owned()),
    };
    let (org_id, by) = (caller.org_id.clone(), caller.id.clone());
    let outcome = db::run(&state.pool, move |conn| {
        crate::views::admin_acts::save_schedule(conn, &org_id, &by, expected.version, &settings)
    })
    .await?;
    let saved = outcome.map_err(|current| expected.stale(current))?;
    tracing::info!(by = %caller.id, enabled = saved.enabled, version = saved.version, "reassessment schedule saved");
    let view = current_status(&state, caller.org_id.clone()).await?;
    Ok(HttpResponse::Ok().insert_header(etag(view.version)).json(view))
}

/// Open an organisation-wide round now (admins), outside the periodic schedule: it uses
/// the schedule's questionnaire, title pattern and window and leaves the periods as they
/// are. Refused while another organisation-wide round is open.
#[utoipa::path(
    tag = "reassessment",
    security(("bearer" = [])),
    responses(
        (status = 201, body = AssessmentResponse, headers(("Location" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An organisation-wide round is open, or no questionnaire is published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reassessment/trigger")]
pub async fn trigger_reassessment(caller: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let (org_id, by) = (caller.org_id.clone(), caller.id.clone());
    let round = db::run(&state.pool, move |conn| {
        crate::views::admin_acts::trigger_round(conn, &org_id, &by)
    })
    .await?;
    tracing::info!(assessment_id = %round.id, by = %caller.id, "reassessment round opened by hand");
    let location = format!("/api/v1/assessments/{}", round.id);
    let view = view_one(&state, caller.0, round).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .insert_header(etag(view.version))
        .json(view))
}
