//! The organisation's current dimensions with their latest score, trend and weak flag.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::scoring::to_score;
use crate::error::{ApiError, Problem};
use crate::routes::assessments::Figures;
use crate::routes::localization::{LangParams, choose, content_language};
use crate::state::AppState;
use crate::store::dimensions::{self, Overview, RoundInfo};
use crate::store::organizations;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "title": "Lernkultur 2026", "closed_at": "2026-12-15T16:00:00Z", "responses": 112, "eligible": 148, "response_rate": 0.757, "assessable": true}))]
pub struct RoundRef {
    pub id: String,
    pub title: String,
    pub closed_at: Option<DateTime<Utc>>,
    /// Responses of the whole round (always shown; figures need at least k).
    pub responses: i64,
    /// Eligible headcount frozen when the round opened.
    pub eligible: Option<i64>,
    pub response_rate: Option<f64>,
    /// Answered by at least the share of the headcount a verdict needs (30 %).
    pub assessable: bool,
}

impl From<&RoundInfo> for RoundRef {
    fn from(r: &RoundInfo) -> Self {
        Self {
            id: r.round.id.clone(),
            title: r.round.title.clone(),
            closed_at: r.round.closed_at.map(|t| t.and_utc()),
            responses: r.responses,
            eligible: r.round.eligible_count,
            response_rate: r.response_rate,
            assessable: r.assessable(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019a6a9c-4c1e-7d2a-9f0e-5b8f1c2d3e4f", "key": "lernkultur", "version": 1, "title": "Learning culture in the administration"}))]
pub struct QuestionnaireRef {
    pub id: String,
    pub key: String,
    pub version: i64,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"previous_score": 48.5, "change": 6.75}))]
pub struct Trend {
    /// Score (0–100) in the previous closed organisation-wide round.
    pub previous_score: f64,
    /// Latest minus previous score, in points. Whether a change is more than chance is
    /// for the progress report (Welch's t-test) to say.
    pub change: f64,
    /// False when either round was answered by fewer than 30 % of its headcount: the
    /// change is then no basis for a statement.
    pub assessable: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"key": "error_culture", "name": "Error culture and psychological safety", "description": "How openly mistakes and criticism are handled. A low score means …", "n": 109, "mean": 3.21, "score": 55.25, "sd": 0.82, "ci95_low": 3.05, "ci95_high": 3.37, "band": {"key": "established", "label": "established"}, "trend": {"previous_score": 48.5, "change": 6.75, "assessable": true}, "weak": true}))]
pub struct DimensionStatusResponse {
    /// Stable key; ideas link to it.
    pub key: String,
    pub name: String,
    /// What the dimension covers and what a low score means in practice.
    pub description: String,
    /// Figures of the latest closed organisation-wide round; `null` when there is none or
    /// fewer than k respondents count.
    #[serde(flatten)]
    pub latest: Figures,
    pub trend: Option<Trend>,
    /// Below the threshold or among the N lowest scores.
    pub weak: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "lang": "en",
    "questionnaire": {"id": "019a6a9c-4c1e-7d2a-9f0e-5b8f1c2d3e4f", "key": "lernkultur", "version": 1, "title": "Learning culture in the administration"},
    "latest_round": {"id": "019a6aa0-0b7e-7c11-8d3f-2a9c4e5f6a7b", "title": "Lernkultur 2026", "closed_at": "2026-12-15T16:00:00Z", "responses": 112, "eligible": 148, "response_rate": 0.757, "assessable": true},
    "previous_round": null, "not_reported": [], "weak_threshold": 60.0, "weak_count": 2,
    "items": [{
        "key": "error_culture", "name": "Error culture and psychological safety",
        "description": "How openly mistakes and criticism are handled. A low score means …",
        "n": 109, "mean": 3.21, "score": 55.25, "sd": 0.82, "ci95_low": 3.05, "ci95_high": 3.37,
        "band": {"key": "established", "label": "established"}, "trend": null, "weak": true
    }]
}))]
pub struct DimensionsResponse {
    pub lang: Lang,
    /// The current questionnaire: the most recently published one that is not archived
    /// (the built-in one when all are archived).
    pub questionnaire: QuestionnaireRef,
    /// The most recently closed organisation-wide round of the current questionnaire that
    /// can be reported (at least k responses), if any: scores and weakness come from it.
    pub latest_round: Option<RoundRef>,
    /// The reportable round before it (for the trend).
    pub previous_round: Option<RoundRef>,
    /// Rounds closed since with fewer than k responses: shown, not used.
    pub not_reported: Vec<RoundRef>,
    pub weak_threshold: f64,
    pub weak_count: i64,
    pub items: Vec<DimensionStatusResponse>,
}

fn shape(overview: &Overview, lang: Lang) -> DimensionsResponse {
    let content = &overview.questionnaire;
    let q = &content.questionnaire;
    DimensionsResponse {
        lang,
        questionnaire: QuestionnaireRef {
            id: q.id.clone(),
            key: q.key.clone(),
            version: q.version,
            title: q.title().get(lang).to_owned(),
        },
        latest_round: overview.latest_round.as_ref().map(RoundRef::from),
        previous_round: overview.previous_round.as_ref().map(RoundRef::from),
        not_reported: overview.not_reported.iter().map(RoundRef::from).collect(),
        weak_threshold: overview.weak_threshold,
        weak_count: overview.weak_count,
        items: overview
            .dimensions
            .iter()
            .map(|d| {
                let row = content.dimension(&d.key);
                let trend = match (d.latest, d.previous) {
                    (Some(now), Some(before)) => Some(Trend {
                        previous_score: to_score(before.mean),
                        change: to_score(now.mean) - to_score(before.mean),
                        assessable: [&overview.latest_round, &overview.previous_round]
                            .iter()
                            .all(|r| r.as_ref().is_none_or(|r| r.assessable())),
                    }),
                    _ => None,
                };
                DimensionStatusResponse {
                    key: d.key.clone(),
                    name: row.map(|r| r.name().get(lang).to_owned()).unwrap_or_default(),
                    description: row.map(|r| r.description().get(lang).to_owned()).unwrap_or_default(),
                    latest: Figures::new(d.latest, lang),
                    trend,
                    weak: d.weak,
                }
            })
            .collect(),
    }
}

/// The current dimensions with their score in the latest closed organisation-wide round,
/// the change against the round before, and whether they count as weak (below the
/// organisation's `weak_threshold` or among its `weak_count` lowest). Everyone in the
/// organisation may read this.
#[utoipa::path(
    tag = "dimensions",
    params(LangParams, ("Accept-Language" = Option<String>, Header, description = "Preferred languages with q-values")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = DimensionsResponse, headers(("Content-Language" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/dimensions")]
pub async fn list_dimensions(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let (overview, locale) = db::run(&state.pool, move |conn| {
        let overview = dimensions::overview(conn, &org)?;
        Ok((overview, organizations::find(conn, &org)?.default_locale))
    })
    .await?;
    let lang = choose(&req, lang.lang.as_deref(), &locale);
    Ok(HttpResponse::Ok()
        .insert_header(content_language(lang))
        .json(shape(&overview, lang)))
}
