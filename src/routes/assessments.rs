//! Assessment rounds: create and manage them, answer them anonymously, read results.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AuthUser, Manager};
use crate::db;
use crate::domain::fields;
use crate::domain::locale::Lang;
use crate::domain::questionnaire::Scale;
use crate::domain::results::{self, RoundResults};
use crate::domain::roles::Role;
use crate::domain::rounds::{self, RoundStatus};
use crate::domain::scoring::{self, Band, to_score};
use crate::domain::stats::Summary;
use crate::domain::suppression::Hidden;
use crate::error::{ApiError, Problem, Validator};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::page_type;
use crate::pagination::{PageParams, finish_page};
use crate::routes::localization::{LangParams, choose, content_language};
use crate::routes::questionnaires::ScaleResponse;
use crate::state::AppState;
use crate::store::assessments::{self, NewRound, Round, RoundChangeset};
use crate::store::questionnaires::{self, Content};
use crate::store::{organizations, round_results, units};
use crate::views::survey;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "title": "Lernkultur 2026",
    "questionnaire_id": "019a6a9c-4c1e-7d2a-9f0e-5b8f1c2d3e4f", "scope_unit_id": null, "period_key": null,
    "status": "open", "opens_at": "2026-12-01T07:00:00Z", "closes_at": "2026-12-15T16:00:00Z",
    "opened_at": "2026-12-01T07:00:12Z", "closed_at": null, "eligible": 148,
    "in_scope": true, "answered": false, "can_answer": true,
    "version": 2, "created_at": "2026-11-26T09:00:00Z", "updated_at": "2026-12-01T07:00:12Z"
}))]
pub struct AssessmentResponse {
    pub id: String,
    pub title: String,
    pub questionnaire_id: String,
    /// `null`: the whole organisation; else the unit and its sub-units.
    pub scope_unit_id: Option<String>,
    /// The reassessment period (its due date) the schedule opened this round for;
    /// `null` for rounds made by hand.
    pub period_key: Option<String>,
    pub status: RoundStatus,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Active users in scope when the round opened (the base of the response rate).
    pub eligible: Option<i64>,
    /// The caller belongs to the round's scope.
    pub in_scope: bool,
    /// The caller has answered (only the caller's own participation is ever shown).
    pub answered: bool,
    /// The caller may answer now.
    pub can_answer: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AssessmentResponse {
    fn new(r: Round, in_scope: bool, answered: bool) -> Self {
        let status = r.status();
        Self {
            can_answer: in_scope && !answered && status == RoundStatus::Open,
            id: r.id,
            title: r.title,
            questionnaire_id: r.questionnaire_id,
            scope_unit_id: r.scope_unit_id,
            period_key: r.period_key,
            status,
            opens_at: r.opens_at.and_utc(),
            closes_at: r.closes_at.and_utc(),
            opened_at: r.opened_at.map(|t| t.and_utc()),
            closed_at: r.closed_at.map(|t| t.and_utc()),
            eligible: r.eligible_count,
            in_scope,
            answered,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

page_type!(AssessmentPage, AssessmentResponse);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentFilterParams {
    pub status: Option<RoundStatus>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "questionnaire_id": "019a6a9c-4c1e-7d2a-9f0e-5b8f1c2d3e4f", "title": "Lernkultur 2026",
    "scope_unit_id": null, "opens_at": "2026-12-01T07:00:00Z", "closes_at": "2026-12-15T16:00:00Z"
}))]
pub struct CreateAssessment {
    /// A published questionnaire of the organisation.
    pub questionnaire_id: String,
    pub title: String,
    /// Leave out (or `null`) for the whole organisation.
    pub scope_unit_id: Option<String>,
    /// Leave out to open at once.
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: DateTime<Utc>,
}

/// Absent fields stay. The opening time can change until the round opens, the closing
/// time until it closes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 2, "closes_at": "2026-12-22T16:00:00Z"}))]
pub struct UpdateAssessment {
    pub version: Option<i64>,
    pub title: Option<String>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

fn title(raw: &str) -> Result<String, String> {
    fields::text(raw, 200, false)
}

fn naive(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    t.naive_utc().trunc_subsecs(6)
}

/// The caller's view of some rounds: in scope, answered.
fn caller_view(
    conn: &mut db::DbConnection,
    caller: &AuthUser,
    rows: Vec<Round>,
) -> Result<Vec<AssessmentResponse>, ApiError> {
    let standings = survey::standings(conn, caller, &rows)?;
    Ok(rows
        .into_iter()
        .zip(standings)
        .map(|(r, s)| AssessmentResponse::new(r, s.in_scope, s.answered))
        .collect())
}

pub(crate) async fn view_one(state: &AppState, caller: AuthUser, round: Round) -> Result<AssessmentResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        caller_view(conn, &caller, vec![round])?
            .pop()
            .ok_or_else(|| ApiError::internal("round vanished"))
    })
    .await
}

/// List the organisation's assessment rounds with the caller's own status in each.
#[utoipa::path(
    tag = "assessments",
    params(PageParams, AssessmentFilterParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AssessmentPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments")]
pub async fn list_assessments(
    caller: AuthUser,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
    filter: web::Query<AssessmentFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let status = filter.status;
    let (rows, next_cursor) = db::run(&state.pool, move |conn| {
        assessments::advance_due(conn, Some(&caller.org_id), db::now())?;
        let rows = assessments::list(conn, &caller.org_id, status, after.as_deref(), limit)?;
        let (rows, next) = finish_page(rows, limit, |r| r.id.clone());
        Ok((caller_view(conn, &caller, rows)?, next))
    })
    .await?;
    Ok(HttpResponse::Ok().json(AssessmentPage {
        items: rows,
        next_cursor,
    }))
}

/// Create a round (managers and admins) for a published questionnaire. It opens at
/// `opens_at` (at once when left out) and closes at `closes_at`.
#[utoipa::path(
    tag = "assessments",
    request_body = CreateAssessment,
    security(("bearer" = [])),
    responses(
        (status = 201, body = AssessmentResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/assessments")]
pub async fn create_assessment(
    caller: Manager,
    state: web::Data<AppState>,
    body: ApiJson<CreateAssessment>,
) -> Result<HttpResponse, ApiError> {
    let new = checked_round(&caller, body.into_inner())?;
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    let round = db::run(&state.pool, move |conn| {
        crate::views::admin_acts::create_round(conn, &org, &actor, &new)
    })
    .await?;
    tracing::info!(assessment_id = %round.id, by = %caller.id, "assessment round created");
    let location = format!("/api/v1/assessments/{}", round.id);
    let view = view_one(&state, caller.0, round).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .insert_header(etag(view.version))
        .json(view))
}

/// A new round checked: its title and times (the questionnaire and scope are checked by
/// the store as it inserts). The API and the administration page create rounds this way.
pub(crate) fn checked_round(caller: &AuthUser, body: CreateAssessment) -> Result<NewRound, ApiError> {
    let now = db::now();
    let mut v = Validator::new();
    let title = v.check("title", title(&body.title));
    let opens_at = body.opens_at.map(naive).unwrap_or(now);
    let closes_at = naive(body.closes_at);
    for (field, message) in rounds::check_times(opens_at, closes_at, now) {
        v.add(field, message);
    }
    v.finish()?;
    let Some(title) = title else {
        return Err(ApiError::internal("validated title missing"));
    };
    Ok(NewRound::new(
        &caller.org_id,
        body.questionnaire_id,
        title,
        body.scope_unit_id,
        opens_at,
        closes_at,
        &caller.id,
    ))
}

/// Read one round.
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AssessmentResponse, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments/{id}")]
pub async fn get_assessment(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let round = db::run(&state.pool, move |conn| {
        assessments::find_current(conn, &org, &id, db::now())
    })
    .await?;
    let view = view_one(&state, caller, round).await?;
    Ok(HttpResponse::Ok().insert_header(etag(view.version)).json(view))
}

/// Change a round's title or times (managers and admins).
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = UpdateAssessment,
    security(("bearer" = [])),
    responses(
        (status = 200, body = AssessmentResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or the time can no longer change", body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/assessments/{id}")]
pub async fn update_assessment(
    req: HttpRequest,
    caller: Manager,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<UpdateAssessment>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let mut v = Validator::new();
    let changes = RoundChangeset {
        title: body.title.as_deref().and_then(|t| v.check("title", title(t))),
        opens_at: body.opens_at.map(naive),
        closes_at: body.closes_at.map(naive),
    };
    v.finish()?;
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    let outcome = db::run(&state.pool, move |conn| {
        crate::views::admin_acts::update_round(conn, &org, &actor, &id, expected.version, &changes)
    })
    .await?;
    let round = outcome.map_err(|current| expected.stale(current))?;
    let view = view_one(&state, caller.0, round).await?;
    Ok(HttpResponse::Ok().insert_header(etag(view.version)).json(view))
}

/// Delete a round that has not opened yet (managers and admins).
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already opened", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/assessments/{id}")]
pub async fn delete_assessment(
    caller: Manager,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let actor = caller.id.clone();
    db::run(&state.pool, move |conn| {
        crate::views::admin_acts::round_step(conn, &org, &actor, &id, "delete")
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Open a scheduled round now (managers and admins); the eligible headcount is recorded.
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AssessmentResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not scheduled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/assessments/{id}/open")]
pub async fn open_assessment(
    caller: Manager,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let actor = caller.id.clone();
    let round = db::run(&state.pool, move |conn| {
        crate::views::admin_acts::round_step(conn, &org, &actor, &id, "open")?
            .ok_or_else(|| ApiError::internal("an opened round"))
    })
    .await?;
    tracing::info!(assessment_id = %round.id, by = %caller.id, "assessment round opened");
    let view = view_one(&state, caller.0, round).await?;
    Ok(HttpResponse::Ok().insert_header(etag(view.version)).json(view))
}

/// Close an open round now (managers and admins).
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AssessmentResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not open", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/assessments/{id}/close")]
pub async fn close_assessment(
    caller: Manager,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let actor = caller.id.clone();
    let round = db::run(&state.pool, move |conn| {
        crate::views::admin_acts::round_step(conn, &org, &actor, &id, "close")?
            .ok_or_else(|| ApiError::internal("a closed round"))
    })
    .await?;
    tracing::info!(assessment_id = %round.id, by = %caller.id, "assessment round closed");
    let view = view_one(&state, caller.0, round).await?;
    Ok(HttpResponse::Ok().insert_header(etag(view.version)).json(view))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "error_culture.2", "text": "After a mistake, the first thing people here do is look for someone to blame."}))]
pub struct AnswerItem {
    /// Send this as `item_id`.
    pub id: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "assessment_id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "title": "Lernkultur 2026", "lang": "en",
    "instructions": "An anonymous self-assessment …",
    "answer_scale": {"id": "agree-5", "min": 1, "max": 5,
        "values": [{"value": 1, "label": "strongly disagree"}, {"value": 2, "label": "disagree"},
                   {"value": 3, "label": "neither agree nor disagree"}, {"value": 4, "label": "agree"},
                   {"value": 5, "label": "strongly agree"}],
        "cant_judge": {"value": "cant_judge", "label": "can't judge"}},
    "items": [{"id": "leadership.1", "text": "My manager encourages me to question existing procedures."}],
    "answered": false, "can_answer": true
}))]
pub struct AnswerSheet {
    pub assessment_id: String,
    pub title: String,
    pub lang: Lang,
    pub instructions: Option<String>,
    pub answer_scale: ScaleResponse,
    /// Every item must be answered, with a value or `"cant_judge"`.
    pub items: Vec<AnswerItem>,
    pub answered: bool,
    pub can_answer: bool,
}

/// The items to answer, in the caller's language.
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path), LangParams,
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages with q-values")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AnswerSheet, headers(("Content-Language" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments/{id}/questionnaire")]
pub async fn get_assessment_questionnaire(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let (view, content, locale) = db::run(&state.pool, move |conn| {
        let round = assessments::find_current(conn, &org, &id, db::now())?;
        let content = questionnaires::load(conn, &org, &round.questionnaire_id)?;
        let locale = organizations::find(conn, &org)?.default_locale;
        let view = caller_view(conn, &caller, vec![round])?
            .pop()
            .ok_or_else(|| ApiError::internal("round vanished"))?;
        Ok((view, content, locale))
    })
    .await?;
    let lang = choose(&req, lang.lang.as_deref(), &locale);
    let q = &content.questionnaire;
    Ok(HttpResponse::Ok()
        .insert_header(content_language(lang))
        .json(AnswerSheet {
            assessment_id: view.id,
            title: view.title,
            lang,
            instructions: q.description().map(|d| d.get(lang).to_owned()),
            answer_scale: ScaleResponse::new(Scale::parse(&q.scale).unwrap_or(Scale::Agree5), lang),
            items: content
                .items
                .iter()
                .map(|i| AnswerItem {
                    id: i.item_key.clone(),
                    text: i.text().get(lang).to_owned(),
                })
                .collect(),
            answered: view.answered,
            can_answer: view.can_answer,
        }))
}

/// The schema of an answer value: an integer 1–5 or the string `"cant_judge"`. The
/// field is read as any JSON value so a wrong one is reported with its item.
fn answer_value_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    let one_of = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(5)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([scoring::CANT_JUDGE])),
        )
        .description(Some("1 (strongly disagree) to 5 (strongly agree), or \"cant_judge\""))
        .build();
    Schema::OneOf(one_of)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"item_id": "error_culture.2", "value": 2}))]
pub struct AnswerInput {
    pub item_id: String,
    #[schema(schema_with = answer_value_schema)]
    pub value: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": [
    {"item_id": "leadership.1", "value": 4},
    {"item_id": "leadership.2", "value": "cant_judge"}
]}))]
pub struct SubmitResponse {
    /// One answer per item of the questionnaire.
    pub answers: Vec<AnswerInput>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"assessment_id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "answered": true}))]
pub struct SubmitReceipt {
    pub assessment_id: String,
    /// The response is recorded. It has no id and cannot be read back by anyone.
    pub answered: bool,
}

/// Answer a round, once, anonymously. Only users in the round's scope, only while it is
/// open. The response is stored without any reference to the person (only the unit they
/// belong to now, for results by unit) and cannot be read back, not even by admins.
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path)),
    request_body = SubmitResponse,
    security(("bearer" = [])),
    responses(
        (status = 201, body = SubmitReceipt),
        (status = 403, description = "Not in the round's scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Answered already, or the round is not open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown, missing, repeated or out-of-range items, each named", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/assessments/{id}/responses")]
pub async fn submit_response(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<SubmitResponse>,
) -> Result<HttpResponse, ApiError> {
    let answers: Vec<(String, serde_json::Value)> = body
        .into_inner()
        .answers
        .into_iter()
        .map(|a| (a.item_id, a.value))
        .collect();
    let round_id = db::run(&state.pool, move |conn| survey::answer(conn, &caller, &id, &answers)).await?;
    // Deliberately no log line with the user or the answers.
    Ok(HttpResponse::Created().json(SubmitReceipt {
        assessment_id: round_id,
        answered: true,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"key": "advanced", "label": "advanced"}))]
pub struct BandResponse {
    pub key: Band,
    pub label: String,
}

impl BandResponse {
    pub fn new(score: f64, lang: Lang) -> Self {
        let band = Band::of(score);
        Self {
            key: band,
            label: band.label(lang).to_owned(),
        }
    }
}

/// Statistics of one group on one dimension; all `null` when hidden.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"n": 109, "mean": 3.21, "score": 55.25, "sd": 0.82, "ci95_low": 3.05, "ci95_high": 3.37, "band": {"key": "established", "label": "established"}}))]
pub struct Figures {
    /// Respondents whose score counts (at least 75 % of the dimension's items answered).
    pub n: Option<i64>,
    /// Mean on the 1–5 scale.
    pub mean: Option<f64>,
    /// The mean on 0–100: (mean − 1) / 4 × 100.
    pub score: Option<f64>,
    /// Sample standard deviation of the respondents' scores (1–5 scale).
    pub sd: Option<f64>,
    /// 95 % confidence interval of the mean (t-based), 1–5 scale.
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    pub band: Option<BandResponse>,
}

impl Figures {
    pub fn new(summary: Option<Summary>, lang: Lang) -> Self {
        match summary {
            None => Self {
                n: None,
                mean: None,
                score: None,
                sd: None,
                ci95_low: None,
                ci95_high: None,
                band: None,
            },
            Some(s) => Self {
                n: Some(s.n),
                mean: Some(s.mean),
                score: Some(to_score(s.mean)),
                sd: s.sd,
                ci95_low: s.ci95.map(|c| c.0),
                ci95_high: s.ci95.map(|c| c.1),
                band: Some(BandResponse::new(to_score(s.mean), lang)),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"reason": "below_min_group_size", "message": "fewer than 5 responses – not shown to protect anonymity"}))]
pub struct SuppressionNote {
    pub reason: Hidden,
    pub message: String,
}

impl SuppressionNote {
    pub fn new(reason: Hidden, k: i64, lang: Lang) -> Self {
        let message = match (reason, lang) {
            (Hidden::BelowMinGroupSize, Lang::De) => {
                format!("weniger als {k} Antworten – zum Schutz der Anonymität nicht ausgewiesen")
            }
            (Hidden::BelowMinGroupSize, Lang::En) => {
                format!("fewer than {k} responses – not shown to protect anonymity")
            }
            (Hidden::Complementary, Lang::De) => {
                "ausgeblendet, damit eine kleinere Gruppe nicht durch Differenzbildung berechnet werden kann".into()
            }
            (Hidden::Complementary, Lang::En) => {
                "hidden so that a smaller group cannot be worked out by subtraction".into()
            }
            (Hidden::RoundOpen, Lang::De) => {
                "die Runde läuft noch – Ergebnisse werden einmal, beim Abschluss, berechnet; bis dahin nur die Beteiligung".into()
            }
            (Hidden::RoundOpen, Lang::En) => {
                "the round is still open – results are computed once, when it closes; until then participation only".into()
            }
            (Hidden::NotInRound, Lang::De) => {
                "diese Einheit gehörte beim Abschluss nicht zu den Einheiten der Runde (später angelegt oder außerhalb ihres Bereichs)".into()
            }
            (Hidden::NotInRound, Lang::En) => {
                "this unit was not among the round's units when it closed (created later, or outside its scope)".into()
            }
        };
        Self { reason, message }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "error_culture.2", "text": "After a mistake, the first thing people here do is look for someone to blame.", "reverse": true, "answered": 104, "cant_judge": 8, "mean": 2.9, "scored_mean": 3.1}))]
pub struct ItemResult {
    pub id: String,
    pub text: String,
    pub reverse: bool,
    /// Answers with a value; `null` (like `cant_judge`) when the round is suppressed.
    pub answered: Option<i64>,
    pub cant_judge: Option<i64>,
    /// Mean of the values as answered (1–5); `null` below the minimum group size.
    pub mean: Option<f64>,
    /// The same after reversal (6 − mean for reverse-worded items), comparable with the
    /// dimension mean.
    pub scored_mean: Option<f64>,
    /// Why the mean is not shown: fewer than k answered it, or (`complementary`) so few
    /// answered a different number of the dimension's items that the item means and the
    /// dimension mean together would reveal their answers.
    pub suppressed: Option<SuppressionNote>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"key": "error_culture", "name": "Error culture and psychological safety", "n": 109, "mean": 3.21, "score": 55.25, "sd": 0.82, "ci95_low": 3.05, "ci95_high": 3.37, "band": {"key": "established", "label": "established"}, "suppressed": null, "items": []}))]
pub struct DimensionResult {
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub suppressed: Option<SuppressionNote>,
    pub items: Vec<ItemResult>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"key": "error_culture", "n": null, "mean": null, "score": null, "sd": null, "ci95_low": null, "ci95_high": null, "band": null, "suppressed": {"reason": "complementary", "message": "hidden so that a smaller group cannot be worked out by subtraction"}}))]
pub struct UnitDimensionResult {
    pub key: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub suppressed: Option<SuppressionNote>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"unit_id": "019a6a9d-1111-7abc-8def-0123456789ab", "name": "Bürgeramt", "parent_id": null, "responses": 23, "suppressed": null, "dimensions": [{"key": "leadership", "n": 22, "mean": 3.6, "score": 65.0, "sd": 0.7, "ci95_low": 3.29, "ci95_high": 3.91, "band": {"key": "advanced", "label": "advanced"}, "suppressed": null}]}))]
pub struct UnitResult {
    pub unit_id: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// Responses from the unit and its sub-units; `null` when suppressed.
    pub responses: Option<i64>,
    pub suppressed: Option<SuppressionNote>,
    pub dimensions: Vec<UnitDimensionResult>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "assessment_id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "status": "closed", "live": false, "lang": "en",
    "min_group_size": 5, "responses": 112, "eligible": 148, "response_rate": 0.757, "suppressed": null,
    "dimensions": [{
        "key": "error_culture", "name": "Error culture and psychological safety",
        "n": 109, "mean": 3.21, "score": 55.25, "sd": 0.82, "ci95_low": 3.05, "ci95_high": 3.37,
        "band": {"key": "established", "label": "established"}, "suppressed": null,
        "items": [{"id": "error_culture.2", "text": "After a mistake, the first thing people here do is look for someone to blame.",
                   "reverse": true, "answered": 104, "cant_judge": 8, "mean": 2.9, "scored_mean": 3.1}]
    }],
    "breakdown": null
}))]
pub struct ResultsResponse {
    pub assessment_id: String,
    pub status: RoundStatus,
    /// A round that is still open (managers and admins): only its participation
    /// (`responses`, `response_rate`) is shown; every figure is computed once, at the close.
    pub live: bool,
    pub lang: Lang,
    /// k: groups with fewer responses are suppressed. For a closed round, k as it was when
    /// the round closed (a later change of the setting applies to later rounds).
    pub min_group_size: i64,
    pub responses: i64,
    /// Eligible headcount frozen when the round opened.
    pub eligible: Option<i64>,
    /// responses / eligible, at most 1.
    pub response_rate: Option<f64>,
    /// Set when the whole round has fewer than k responses.
    pub suppressed: Option<SuppressionNote>,
    pub dimensions: Vec<DimensionResult>,
    /// With `?breakdown=unit`: one entry per unit (sub-units included in each figure),
    /// parents before children; leads see their own units only.
    pub breakdown: Option<Vec<UnitResult>>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Breakdown {
    Unit,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsParams {
    /// `unit`: add results per unit (leads, managers, admins).
    pub breakdown: Option<Breakdown>,
}

fn shape_results(
    round: &Round,
    content: &Content,
    results: &RoundResults,
    breakdown: Option<(Vec<String>, HashMap<String, String>)>,
    k: i64,
    lang: Lang,
) -> ResultsResponse {
    let live = round.status() == RoundStatus::Open;
    let note = |h: Option<Hidden>| h.map(|h| SuppressionNote::new(h, k, lang));
    let dimensions = results
        .dimensions
        .iter()
        .map(|d| DimensionResult {
            key: d.key.clone(),
            name: content
                .dimension(&d.key)
                .map(|row| row.name().get(lang).to_owned())
                .unwrap_or_default(),
            figures: Figures::new(d.summary, lang),
            suppressed: note(d.hidden),
            items: d
                .items
                .iter()
                .map(|i| ItemResult {
                    id: i.key.clone(),
                    text: content
                        .item(&i.key)
                        .map(|row| row.text().get(lang).to_owned())
                        .unwrap_or_default(),
                    reverse: i.reverse,
                    answered: i.answered,
                    cant_judge: i.cant_judge,
                    mean: i.mean,
                    scored_mean: i.mean.map(|m| if i.reverse { 6.0 - m } else { m }),
                    suppressed: note(i.hidden),
                })
                .collect(),
        })
        .collect();
    let breakdown = breakdown.map(|(visible, names)| {
        results
            .units
            .iter()
            .filter(|u| visible.contains(&u.unit_id))
            .map(|u| UnitResult {
                unit_id: u.unit_id.clone(),
                name: names.get(&u.unit_id).cloned().unwrap_or_default(),
                parent_id: u.parent_id.clone(),
                responses: u.responses,
                suppressed: note(u.hidden),
                dimensions: u
                    .dimensions
                    .iter()
                    .map(|d| UnitDimensionResult {
                        key: d.key.clone(),
                        figures: Figures::new(d.summary, lang),
                        suppressed: note(d.hidden),
                    })
                    .collect(),
            })
            .collect()
    });
    ResultsResponse {
        assessment_id: round.id.clone(),
        status: round.status(),
        live,
        lang,
        min_group_size: k,
        responses: results.responses,
        eligible: round.eligible_count,
        response_rate: round
            .eligible_count
            .filter(|e| *e > 0)
            .map(|e| (results.responses as f64 / e as f64).min(1.0)),
        suppressed: note(results.hidden),
        dimensions,
        breakdown,
    }
}

/// Results of a round: response rate, per dimension n, mean, score (0–100), sd, 95 % CI
/// and maturity band, per item mean and n. Everyone in the organisation sees a closed
/// round's results; managers and admins may follow an open round's participation (its
/// figures are computed once, when it closes, with the unit tree and k of that moment,
/// and never change afterwards). With `?breakdown=unit`, leads see their units and
/// managers and admins all units, each suppressed below the minimum group size k (and a
/// neighbour too where the hidden value could be computed by subtraction).
#[utoipa::path(
    tag = "assessments",
    params(("id" = String, Path), ResultsParams, LangParams,
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages with q-values")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ResultsResponse, headers(("Content-Language" = String))),
        (status = 403, description = "Open round (employees and leads), or a breakdown asked for by an employee", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The round has not opened yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments/{id}/results")]
pub async fn get_results(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<ResultsParams>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let with_units = params.breakdown == Some(Breakdown::Unit);
    if with_units && !caller.is(Role::Lead) {
        return Err(ApiError::forbidden(
            "results by unit are for leads, managers and admins",
        ));
    }
    let loaded = db::run(&state.pool, move |conn| load_results(conn, &caller, &id, with_units)).await?;
    let lang = choose(&req, lang.lang.as_deref(), loaded.locale());
    Ok(HttpResponse::Ok()
        .insert_header(content_language(lang))
        .json(loaded.shape(lang)))
}

/// Reads what a round's results show the caller, with the same rules as the results
/// endpoint (the administration's round page reads through here too).
pub(crate) fn load_results(
    conn: &mut db::DbConnection,
    caller: &AuthUser,
    id: &str,
    with_units: bool,
) -> Result<ResultsInput, ApiError> {
    let org_id = caller.org_id.as_str();
    let round = assessments::find_current(conn, org_id, id, db::now())?;
    let org = organizations::find(conn, org_id)?;
    let content = questionnaires::load(conn, org_id, &round.questionnaire_id)?;
    let tree = units::tree(conn, org_id)?;
    let (built, k, names_then) = match round.status() {
        RoundStatus::Scheduled => return Err(ApiError::conflict("the round has not opened yet")),
        RoundStatus::Open if !caller.is(Role::Manager) => {
            return Err(ApiError::forbidden(
                "results are available when the round closes; managers and admins may follow the participation live",
            ));
        }
        // Participation only: figures are computed once, at the close.
        RoundStatus::Open => {
            let grouped_by = match &round.scope_unit_id {
                Some(scope) => tree.restricted_to(scope),
                None => tree.clone(),
            };
            let count = assessments::response_count(conn, &round.id)?;
            let built = results::participation_only(&content.instrument(), count, &grouped_by);
            (built, org.min_group_size, HashMap::new())
        }
        RoundStatus::Closed => {
            let published = round_results::published(conn, &round)?;
            (
                published.results.clone(),
                published.min_group_size,
                published.unit_names.clone(),
            )
        }
    };
    let units_view = if with_units {
        // The units as the results grouped them (the tree when the round closed);
        // leads see those that belong to their unit or below it today.
        let visible: Vec<String> = built
            .units
            .iter()
            .map(|u| u.unit_id.clone())
            .filter(|u| match (caller.is(Role::Manager), &caller.unit_id) {
                (true, _) => true,
                (false, Some(mine)) => tree.is_within(u, mine),
                (false, None) => false,
            })
            .collect();
        // Today's name where the unit still exists, else its name at the close.
        let mut names = names_then;
        names.extend(units::names(conn, org_id)?);
        Some((visible, names))
    } else {
        None
    };
    Ok(ResultsInput {
        round,
        content,
        k,
        locale: org.default_locale,
        built,
        units_view,
    })
}

/// What the results handler reads from the database in one go.
pub(crate) struct ResultsInput {
    round: Round,
    content: Content,
    k: i64,
    locale: String,
    built: RoundResults,
    /// Units the caller may see, with all unit names; `None` without a breakdown.
    units_view: Option<(Vec<String>, HashMap<String, String>)>,
}

impl ResultsInput {
    /// The organisation's default language.
    pub(crate) fn locale(&self) -> &str {
        &self.locale
    }

    /// The results as the API answers them, in `lang`.
    pub(crate) fn shape(self, lang: Lang) -> ResultsResponse {
        shape_results(&self.round, &self.content, &self.built, self.units_view, self.k, lang)
    }
}
