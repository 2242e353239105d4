//! Questionnaires: list, read (localised), import, publish, archive, delete drafts.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Admin, AuthUser};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::questionnaire::{self, QuestionnaireDefinition, QuestionnaireStatus, Scale};
use crate::domain::roles::Role;
use crate::domain::scoring::CANT_JUDGE;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::ApiJson;
use crate::page_type;
use crate::pagination::{PageParams, finish_page};
use crate::routes::localization::{LangParams, choose, content_language};
use crate::state::AppState;
use crate::store::organizations;
use crate::store::questionnaires::{self, Content, Questionnaire, QuestionnaireFilter};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a6a9c-4c1e-7d2a-9f0e-5b8f1c2d3e4f", "key": "lernkultur", "version": 1, "status": "published",
    "builtin": true, "scale": "agree-5", "lang": "de", "title": "Lernkultur in der Verwaltung",
    "created_at": "2026-11-26T08:00:00Z", "published_at": "2026-11-26T08:00:00Z", "archived_at": null
}))]
pub struct QuestionnaireSummary {
    pub id: String,
    /// Family key; versions of one questionnaire share it.
    pub key: String,
    /// Version number within the key (1, 2, …).
    pub version: i64,
    pub status: QuestionnaireStatus,
    /// The built-in default questionnaire.
    pub builtin: bool,
    pub scale: String,
    /// Language of the texts in this response.
    pub lang: Lang,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl QuestionnaireSummary {
    pub fn new(q: &Questionnaire, lang: Lang) -> Self {
        Self {
            id: q.id.clone(),
            key: q.key.clone(),
            version: q.version,
            status: q.status(),
            builtin: q.builtin,
            scale: q.scale.clone(),
            lang,
            title: q.title().get(lang).to_owned(),
            created_at: q.created_at.and_utc(),
            published_at: q.published_at.map(|t| t.and_utc()),
            archived_at: q.archived_at.map(|t| t.and_utc()),
        }
    }
}

page_type!(QuestionnairePage, QuestionnaireSummary);

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"value": 5, "label": "strongly agree"}))]
pub struct ScaleValue {
    pub value: u8,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "agree-5", "min": 1, "max": 5,
    "values": [{"value": 1, "label": "strongly disagree"}, {"value": 5, "label": "strongly agree"}],
    "cant_judge": {"value": "cant_judge", "label": "can't judge"}
}))]
pub struct ScaleResponse {
    pub id: String,
    pub min: u8,
    pub max: u8,
    pub values: Vec<ScaleValue>,
    pub cant_judge: CantJudgeOption,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"value": "cant_judge", "label": "can't judge"}))]
pub struct CantJudgeOption {
    /// Send this instead of a number for "can't judge".
    pub value: String,
    pub label: String,
}

impl ScaleResponse {
    pub fn new(scale: Scale, lang: Lang) -> Self {
        Self {
            id: scale.as_str().to_owned(),
            min: scale.min(),
            max: scale.max(),
            values: (scale.min()..=scale.max())
                .zip(scale.labels(lang))
                .map(|(value, label)| ScaleValue {
                    value,
                    label: label.to_owned(),
                })
                .collect(),
            cant_judge: CantJudgeOption {
                value: CANT_JUDGE.to_owned(),
                label: scale.cant_judge_label(lang).to_owned(),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "leadership.3", "text": "Suggestions from the team disappear at management level without us ever learning what became of them.", "reverse": true}))]
pub struct ItemResponse {
    /// Answers name the item by this id.
    pub id: String,
    pub text: String,
    /// Reverse-worded: counts as 6 − value.
    pub reverse: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"key": "leadership", "name": "Leadership for learning", "description": "How much managers ask for improvement … A low score means managers rarely ask for improvements …", "items": [{"id": "leadership.1", "text": "My manager encourages me to question existing procedures.", "reverse": false}]}))]
pub struct DimensionResponse {
    pub key: String,
    pub name: String,
    /// What the dimension covers and what a low score means in practice.
    pub description: String,
    pub items: Vec<ItemResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019a6a9c-4c1e-7d2a-9f0e-5b8f1c2d3e4f", "key": "lernkultur", "version": 1, "status": "published", "builtin": true, "scale": "agree-5", "lang": "en", "title": "Learning culture in the administration", "created_at": "2026-11-26T08:00:00Z", "published_at": "2026-11-26T08:00:00Z", "archived_at": null, "description": "An anonymous self-assessment …", "answer_scale": {"id": "agree-5", "min": 1, "max": 5, "values": [{"value": 1, "label": "strongly disagree"}, {"value": 5, "label": "strongly agree"}], "cant_judge": {"value": "cant_judge", "label": "can't judge"}}, "dimensions": [{"key": "leadership", "name": "Leadership for learning", "description": "… A low score means …", "items": [{"id": "leadership.1", "text": "My manager encourages me to question existing procedures.", "reverse": false}]}]}))]
pub struct QuestionnaireResponse {
    #[serde(flatten)]
    pub summary: QuestionnaireSummary,
    pub description: Option<String>,
    pub answer_scale: ScaleResponse,
    pub dimensions: Vec<DimensionResponse>,
}

impl QuestionnaireResponse {
    pub fn new(content: &Content, lang: Lang) -> Self {
        let q = &content.questionnaire;
        Self {
            summary: QuestionnaireSummary::new(q, lang),
            description: q.description().map(|d| d.get(lang).to_owned()),
            answer_scale: ScaleResponse::new(Scale::parse(&q.scale).unwrap_or(Scale::Agree5), lang),
            dimensions: content
                .dimensions
                .iter()
                .map(|d| DimensionResponse {
                    key: d.dimension_key.clone(),
                    name: d.name().get(lang).to_owned(),
                    description: d.description().get(lang).to_owned(),
                    items: content
                        .items_of(&d.dimension_key)
                        .map(|i| ItemResponse {
                            id: i.item_key.clone(),
                            text: i.text().get(lang).to_owned(),
                            reverse: i.reverse,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionnaireFilterParams {
    pub status: Option<QuestionnaireStatus>,
    /// Only versions of this key.
    pub key: Option<String>,
}

/// Drafts are visible to managers and admins only; to others they do not exist.
fn visible(caller: &AuthUser, q: &Questionnaire) -> Result<(), ApiError> {
    if q.status() == QuestionnaireStatus::Draft && !caller.is(Role::Manager) {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

async fn org_locale(state: &AppState, org_id: &str) -> Result<String, ApiError> {
    let org_id = org_id.to_owned();
    Ok(db::run(&state.pool, move |conn| organizations::find(conn, &org_id))
        .await?
        .default_locale)
}

/// List questionnaires (drafts only for managers and admins).
#[utoipa::path(
    tag = "questionnaires",
    params(PageParams, QuestionnaireFilterParams, LangParams,
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages with q-values, e.g. `en;q=0.9, de;q=0.5`")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = QuestionnairePage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/questionnaires")]
pub async fn list_questionnaires(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
    filter: web::Query<QuestionnaireFilterParams>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let after: Option<String> = page.after()?;
    let filter = QuestionnaireFilter {
        status: filter.status,
        key: filter.key.clone(),
        include_drafts: caller.is(Role::Manager),
    };
    let org = caller.org_id.clone();
    let (rows, locale) = db::run(&state.pool, move |conn| {
        let rows = questionnaires::list(conn, &org, &filter, after.as_deref(), limit)?;
        Ok((rows, organizations::find(conn, &org)?.default_locale))
    })
    .await?;
    let lang = choose(&req, lang.lang.as_deref(), &locale);
    let (rows, next_cursor) = finish_page(rows, limit, |q| q.id.clone());
    Ok(HttpResponse::Ok()
        .insert_header(content_language(lang))
        .json(QuestionnairePage {
            items: rows.iter().map(|q| QuestionnaireSummary::new(q, lang)).collect(),
            next_cursor,
        }))
}

/// Import a questionnaire as a draft (admin). Importing a key that exists makes its next
/// version; dimension keys are what rounds are compared by, so keep them stable.
#[utoipa::path(
    tag = "questionnaires",
    request_body = QuestionnaireDefinition,
    params(LangParams),
    security(("bearer" = [])),
    responses(
        (status = 201, body = QuestionnaireResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid definition; one error per field, e.g. `dimensions[1].items[0].text.de`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/questionnaires")]
pub async fn import_questionnaire(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    lang: web::Query<LangParams>,
    body: ApiJson<QuestionnaireDefinition>,
) -> Result<HttpResponse, ApiError> {
    let def = checked_definition(&body.into_inner())?;
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    let (content, locale) = db::run(&state.pool, move |conn| {
        let q = crate::views::admin_acts::import_questionnaire(conn, &org, &actor, &def)?;
        Ok((
            questionnaires::load(conn, &org, &q.id)?,
            organizations::find(conn, &org)?.default_locale,
        ))
    })
    .await?;
    let lang = choose(&req, lang.lang.as_deref(), &locale);
    tracing::info!(questionnaire_id = %content.questionnaire.id, by = %caller.id, "questionnaire imported");
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/questionnaires/{}", content.questionnaire.id),
        ))
        .insert_header(content_language(lang))
        .json(QuestionnaireResponse::new(&content, lang)))
}

/// A definition checked for import: every rule of the format, and not the built-in
/// questionnaire's key. The API and the administration page import through here.
pub(crate) fn checked_definition(def: &QuestionnaireDefinition) -> Result<QuestionnaireDefinition, ApiError> {
    let def = def.validate().map_err(ApiError::Validation)?;
    let builtin_key = questionnaire::builtin().map_err(ApiError::internal)?.key;
    if def.key == builtin_key {
        return Err(ApiError::Validation(vec![FieldError::new(
            "key",
            format!("{builtin_key:?} is reserved for the built-in questionnaire; choose another key"),
        )]));
    }
    Ok(def)
}

/// Read a questionnaire in one language (`?lang=`, `Accept-Language`, else the
/// organisation's default; missing texts fall back to English, then German).
#[utoipa::path(
    tag = "questionnaires",
    params(("id" = String, Path), LangParams,
        ("Accept-Language" = Option<String>, Header, description = "Preferred languages with q-values")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = QuestionnaireResponse, headers(("Content-Language" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/questionnaires/{id}")]
pub async fn get_questionnaire(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let content = db::run(&state.pool, move |conn| questionnaires::load(conn, &org, &id)).await?;
    visible(&caller, &content.questionnaire)?;
    let lang = choose(&req, lang.lang.as_deref(), &org_locale(&state, &caller.org_id).await?);
    Ok(HttpResponse::Ok()
        .insert_header(content_language(lang))
        .json(QuestionnaireResponse::new(&content, lang)))
}

/// The questionnaire in the import format with all languages, to base a new version on.
#[utoipa::path(
    tag = "questionnaires",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = QuestionnaireDefinition),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/questionnaires/{id}/definition")]
pub async fn get_questionnaire_definition(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let content = db::run(&state.pool, move |conn| questionnaires::load(conn, &org, &id)).await?;
    visible(&caller, &content.questionnaire)?;
    Ok(HttpResponse::Ok().json(content.definition()))
}

async fn transition(
    req: &HttpRequest,
    caller: &Admin,
    state: &AppState,
    id: String,
    lang: Option<String>,
    archive: bool,
) -> Result<HttpResponse, ApiError> {
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    let (content, locale) = db::run(&state.pool, move |conn| {
        let step = if archive { "archive" } else { "publish" };
        crate::views::admin_acts::questionnaire_step(conn, &org, &actor, &id, step)?;
        Ok((
            questionnaires::load(conn, &org, &id)?,
            organizations::find(conn, &org)?.default_locale,
        ))
    })
    .await?;
    let lang = choose(req, lang.as_deref(), &locale);
    tracing::info!(
        questionnaire_id = %content.questionnaire.id,
        status = %content.questionnaire.status,
        by = %caller.id,
        "questionnaire status changed"
    );
    Ok(HttpResponse::Ok()
        .insert_header(content_language(lang))
        .json(QuestionnaireResponse::new(&content, lang)))
}

/// Publish a draft (admin). Published questionnaires never change again.
#[utoipa::path(
    tag = "questionnaires",
    params(("id" = String, Path), LangParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = QuestionnaireResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/questionnaires/{id}/publish")]
pub async fn publish_questionnaire(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    transition(&req, &caller, &state, id.into_inner(), lang.into_inner().lang, false).await
}

/// Archive a published questionnaire (admin): new rounds can no longer use it.
#[utoipa::path(
    tag = "questionnaires",
    params(("id" = String, Path), LangParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = QuestionnaireResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/questionnaires/{id}/archive")]
pub async fn archive_questionnaire(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    transition(&req, &caller, &state, id.into_inner(), lang.into_inner().lang, true).await
}

/// Delete a draft (admin); published questionnaires are kept.
#[utoipa::path(
    tag = "questionnaires",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/questionnaires/{id}")]
pub async fn delete_questionnaire(
    caller: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let actor = caller.id.clone();
    db::run(&state.pool, move |conn| {
        crate::views::admin_acts::questionnaire_step(conn, &org, &actor, &id, "delete")
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
