//! Administration: questionnaires. Admins list them, read one with its dimensions and
//! items, import a definition file (JSON, as `POST /questionnaires` takes it) with every
//! validation error named by its field, publish a draft, archive a published one and
//! delete a draft — through the same checks and store functions as the API.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::{admin_page, require_admin};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::questionnaire::{QuestionnaireDefinition, QuestionnaireStatus};
use crate::error::{ApiError, FieldError};
use crate::extract::parse_json;
use crate::messages;
use crate::routes::questionnaires::checked_definition;
use crate::state::AppState;
use crate::store::questionnaires::{self, QuestionnaireFilter};
use crate::web::form::{Fields, Problems, capitalised};
use crate::web::session::{self, WebUser};
use crate::web::{Page, date, render, see_other, upload};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page)
        .service(import)
        .service(detail_page)
        .service(publish)
        .service(archive)
        .service(delete);
}

/// A definition file is small; the API's JSON limit is of the same order.
const FILE_LIMIT: usize = 1024 * 1024;

pub struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub caption: &'static str,
    pub col_title: &'static str,
    pub col_key: &'static str,
    pub col_version: &'static str,
    pub col_status: &'static str,
    pub col_published: &'static str,
    pub col_actions: &'static str,
    pub builtin: &'static str,
    pub publish: &'static str,
    pub archive: &'static str,
    pub delete: &'static str,
    pub import_heading: &'static str,
    pub import_intro: &'static str,
    pub file: &'static str,
    pub file_hint: &'static str,
    pub import: &'static str,
    pub imported: &'static str,
    pub errors_intro: &'static str,
    pub empty: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "Fragebögen",
            intro: "Eine Runde fragt mit einem veröffentlichten Fragebogen. Veröffentlichte Fragebögen ändern sich nie mehr; eine neue Fassung wird als neuer Entwurf importiert.",
            caption: "Fragebögen der Kommune",
            col_title: "Titel",
            col_key: "Schlüssel",
            col_version: "Fassung",
            col_status: "Stand",
            col_published: "Veröffentlicht",
            col_actions: "Aktionen",
            builtin: "mitgeliefert",
            publish: "Veröffentlichen",
            archive: "Archivieren",
            delete: "Entwurf löschen",
            import_heading: "Fragebogen importieren",
            import_intro: "Die Datei beschreibt den Fragebogen im JSON-Format der Schnittstelle (siehe README). Sie wird als Entwurf angelegt; veröffentlichen Sie ihn, wenn er stimmt.",
            file: "Definitionsdatei (JSON)",
            file_hint: "Höchstens 1 MB.",
            import: "Importieren",
            imported: "Der Fragebogen ist als Entwurf angelegt.",
            errors_intro: "Die Datei wurde nicht importiert. Fehler je Feld:",
            empty: "Noch kein Fragebogen.",
        },
        Lang::En => Words {
            title: "Questionnaires",
            intro: "A round asks with a published questionnaire. Published questionnaires never change again; a new version is imported as a new draft.",
            caption: "The municipality's questionnaires",
            col_title: "Title",
            col_key: "Key",
            col_version: "Version",
            col_status: "State",
            col_published: "Published",
            col_actions: "Actions",
            builtin: "built in",
            publish: "Publish",
            archive: "Archive",
            delete: "Delete draft",
            import_heading: "Import a questionnaire",
            import_intro: "The file describes the questionnaire in the API's JSON format (see the README). It is created as a draft; publish it when it is right.",
            file: "Definition file (JSON)",
            file_hint: "At most 1 MB.",
            import: "Import",
            imported: "The questionnaire is created as a draft.",
            errors_intro: "The file was not imported. Errors by field:",
            empty: "No questionnaire yet.",
        },
    }
}

fn status_label(status: QuestionnaireStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (QuestionnaireStatus::Draft, Lang::De) => "Entwurf",
        (QuestionnaireStatus::Published, Lang::De) => "veröffentlicht",
        (QuestionnaireStatus::Archived, Lang::De) => "archiviert",
        (QuestionnaireStatus::Draft, Lang::En) => "draft",
        (QuestionnaireStatus::Published, Lang::En) => "published",
        (QuestionnaireStatus::Archived, Lang::En) => "archived",
    }
}

pub struct Row {
    pub id: String,
    pub title: String,
    pub key: String,
    pub version: i64,
    pub status: &'static str,
    pub builtin: bool,
    pub published: String,
    pub draft: bool,
    pub is_published: bool,
}

/// A problem of the imported file: where in the file, and what.
pub struct FileProblem {
    pub field: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "admin_questionnaires.html")]
struct ListPage {
    page: Page,
    w: Words,
    rows: Vec<Row>,
    problems: Problems,
    file_problems: Vec<FileProblem>,
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    imported: Option<String>,
}

async fn show_list(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    problems: Problems,
    file_problems: Vec<FileProblem>,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let lang = user.lang;
    let org_id = user.user.org_id.clone();
    let list = db::run(&state.pool, move |conn| {
        let filter = QuestionnaireFilter {
            status: None,
            key: None,
            include_drafts: true,
        };
        questionnaires::list(conn, &org_id, &filter, None, 1000)
    })
    .await?;
    let rows = list
        .iter()
        .map(|q| Row {
            id: q.id.clone(),
            title: q.title().get(lang).to_owned(),
            key: q.key.clone(),
            version: q.version,
            status: status_label(q.status(), lang),
            builtin: q.builtin,
            published: q.published_at.map(|t| date(lang, t)).unwrap_or_else(|| "–".into()),
            draft: q.status() == QuestionnaireStatus::Draft,
            is_published: q.status() == QuestionnaireStatus::Published,
        })
        .collect();
    let w = words(lang);
    let mut page = admin_page(state, req, user, w.title);
    page.invalid = !problems.is_empty();
    render(
        status,
        &ListPage {
            page,
            w,
            rows,
            problems,
            file_problems,
        },
    )
}

#[get("/admin/questionnaires")]
pub async fn list_page(req: HttpRequest, state: web::Data<AppState>, user: WebUser) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    show_list(&req, &state, &user, Problems::default(), Vec::new(), StatusCode::OK).await
}

/// Imports an uploaded definition file. The file is parsed and checked exactly as the
/// API's body is; each error is listed with the place in the file it belongs to.
#[post("/admin/questionnaires/import")]
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let upload = upload::read(payload, "file", FILE_LIMIT).await?;
    session::verify_form(&req, &user, Some(upload.fields.get(session::CSRF_FIELD)))?;
    let lang = user.lang;
    let w = words(lang);
    let outcome = match &upload.file {
        None => Err(ApiError::Validation(vec![FieldError::new("file", "choose a file")])),
        Some((_, bytes)) if bytes.is_empty() => {
            Err(ApiError::Validation(vec![FieldError::new("file", "the file is empty")]))
        }
        Some((_, bytes)) => match parse_json::<QuestionnaireDefinition>(bytes)
            .map_err(|e| match e {
                // Not JSON at all, or empty: a problem of the file, shown on the form.
                ApiError::BadRequest(why) => ApiError::Validation(vec![FieldError::new("file", why)]),
                other => other,
            })
            .and_then(|d| checked_definition(&d))
        {
            Ok(def) => {
                let (org_id, actor) = (user.user.org_id.clone(), user.user.id.clone());
                db::run(&state.pool, move |conn| {
                    crate::views::admin_acts::import_questionnaire(conn, &org_id, &actor, &def)
                })
                .await
            }
            Err(e) => Err(e),
        },
    };
    match outcome {
        Ok(q) => {
            tracing::info!(questionnaire_id = %q.id, by = %user.user.id, "questionnaire imported (web)");
            Ok(see_other(&format!("/admin/questionnaires/{}?imported=1", q.id)))
        }
        Err(ApiError::Validation(errors)) => {
            let mut problems = Problems::default();
            problems.add("file", w.file, w.errors_intro);
            let file_problems = errors
                .into_iter()
                .map(|FieldError { field, message }| FileProblem {
                    field,
                    message: capitalised(&messages::localize(&message, lang)),
                })
                .collect();
            show_list(
                &req,
                &state,
                &user,
                problems,
                file_problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub struct DimensionView {
    pub key: String,
    pub name: String,
    pub description: String,
    pub items: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "admin_questionnaire.html")]
struct DetailPage {
    page: Page,
    w: Words,
    id: String,
    key: String,
    version: i64,
    status: &'static str,
    draft: bool,
    is_published: bool,
    builtin: bool,
    description: String,
    dimensions: Vec<DimensionView>,
    imported: bool,
    reverse_label: &'static str,
    back: &'static str,
}

#[get("/admin/questionnaires/{id}")]
pub async fn detail_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let lang = user.lang;
    let org_id = user.user.org_id.clone();
    let id = id.into_inner();
    let content = db::run(&state.pool, move |conn| questionnaires::load(conn, &org_id, &id)).await?;
    let q = &content.questionnaire;
    let dimensions = content
        .dimensions
        .iter()
        .map(|d| DimensionView {
            key: d.dimension_key.clone(),
            name: d.name().get(lang).to_owned(),
            description: d.description().get(lang).to_owned(),
            items: content
                .items_of(&d.dimension_key)
                .map(|i| (i.item_key.clone(), i.text().get(lang).to_owned(), i.reverse))
                .collect(),
        })
        .collect();
    let w = words(lang);
    let page = admin_page(&state, &req, &user, q.title().get(lang));
    render(
        StatusCode::OK,
        &DetailPage {
            page,
            id: q.id.clone(),
            key: q.key.clone(),
            version: q.version,
            status: status_label(q.status(), lang),
            draft: q.status() == QuestionnaireStatus::Draft,
            is_published: q.status() == QuestionnaireStatus::Published,
            builtin: q.builtin,
            description: q.description().map(|d| d.get(lang).to_owned()).unwrap_or_default(),
            dimensions,
            imported: query.imported.is_some(),
            reverse_label: if lang == Lang::De {
                "umgekehrt gepolt"
            } else {
                "reverse-worded"
            },
            back: if lang == Lang::De {
                "Alle Fragebögen"
            } else {
                "All questionnaires"
            },
            w,
        },
    )
}

/// Publish, archive or delete, each as the API's endpoint does it.
async fn act(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    id: String,
    form: &Fields,
    action: &'static str,
) -> Result<HttpResponse, ApiError> {
    require_admin(user)?;
    session::verify_form(req, user, Some(form.get(session::CSRF_FIELD)))?;
    let (org, actor) = (user.user.org_id.clone(), user.user.id.clone());
    let qid = id.clone();
    db::run(&state.pool, move |conn| {
        crate::views::admin_acts::questionnaire_step(conn, &org, &actor, &qid, action)
    })
    .await?;
    tracing::info!(questionnaire_id = %id, by = %user.user.id, action, "questionnaire changed (web)");
    Ok(if action == "delete" {
        see_other("/admin/questionnaires")
    } else {
        see_other(&format!("/admin/questionnaires/{id}"))
    })
}

#[post("/admin/questionnaires/{id}/publish")]
pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    act(&req, &state, &user, id.into_inner(), &form, "publish").await
}

#[post("/admin/questionnaires/{id}/archive")]
pub async fn archive(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    act(&req, &state, &user, id.into_inner(), &form, "archive").await
}

#[post("/admin/questionnaires/{id}/delete")]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    act(&req, &state, &user, id.into_inner(), &form, "delete").await
}
