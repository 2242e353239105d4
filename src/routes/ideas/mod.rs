//! Improvement ideas: submit, list, read, and edit while submitted. The lifecycle, votes
//! and comments live in the sub-modules.

pub mod comments;
pub mod transitions;
pub mod votes;

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::auth::extractors::authenticated;
use crate::auth::{AuthUser, TokenCaller};
use crate::db;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::pagination::{self, MAX_LIMIT};
use crate::routes::localization;
use crate::routes::reports::{Csv, Delimiter, FormatParams, wants_csv};
use crate::state::AppState;
use crate::store::idea_writer::{Submission, Submitter};
use crate::store::ideas::{self as store};
use crate::store::{dimensions, organizations, units};
pub use crate::views::ideas::*;
use crate::views::ideas::{ListQuery, list_page, submitted_detail};

/// Submit an idea.
///
/// Anyone in the organisation may submit, alone, as a group (co-authors with shares
/// summing to 100 %) or anonymously under a code word. The idea starts `submitted`.
/// Submissions arriving at the same time are written together in one transaction; the
/// answer comes after it committed.
#[utoipa::path(
    tag = "ideas",
    request_body = CreateIdea,
    security(("bearer" = [])),
    responses(
        (status = 201, body = IdeaResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown unit or co-author, code word taken", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Thousands of submissions are waiting to be written; try again shortly", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/ideas")]
pub async fn create_idea(
    req: HttpRequest,
    token: TokenCaller,
    state: web::Data<AppState>,
    body: Result<ApiJson<CreateIdea>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    // Only the token is verified so far: the writer loads the account with its batch.
    // Whatever is refused here first meets the account's checks, so a gone, deactivated
    // or not yet activated account gets their answer (401, 403), never the body's.
    let body = match body {
        Ok(b) => b.into_inner(),
        Err(e) => {
            authenticated(&req).await?;
            return Err(e);
        }
    };
    let (unit_id, dimensions) = (body.unit_id.clone(), body.dimensions.clone());
    let co_authors: Vec<String> = body.co_authors.iter().map(|c| c.user_id.clone()).collect();
    let draft = match body.validate(&token.user_id) {
        Ok(draft) => draft,
        Err(ApiError::Validation(mut errors)) => {
            // Name the problems the database would find as well, so one answer has all.
            let caller = authenticated(&req).await?;
            let more = db::run(&state.pool, move |conn| {
                let ids: Vec<&str> = co_authors.iter().map(String::as_str).collect();
                store::lookup_problems(
                    conn,
                    &caller.org_id,
                    &unit_id,
                    &dimensions,
                    &ids,
                    &mut Default::default(),
                )
            })
            .await?;
            for problem in more {
                if !errors.iter().any(|e| e.field == problem.field) {
                    errors.push(problem);
                }
            }
            return Err(ApiError::Validation(errors));
        }
        Err(e) => {
            authenticated(&req).await?;
            return Err(e);
        }
    };
    let idea = if draft.code_word.is_some() {
        // Alone, on a pooled connection: its code word is checked under the organisation's
        // lock, which must not hold up the writer (see `store::idea_writer`).
        let caller = authenticated(&req).await?;
        db::run(&state.pool, move |conn| {
            let idea = store::insert(conn, &caller, &draft)?;
            submitted_detail(conn, &caller, idea, &draft)
        })
        .await?
    } else {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let queued = state.idea_writer.submit(Submission {
            submitter: Submitter::Token(token),
            draft,
            respond: Box::new(move |outcome| {
                let response = outcome.and_then(|w| submitted_detail(w.conn, w.author, w.idea, w.draft));
                // The request may have gone meanwhile; the idea stays written.
                let _ = answer.send(response);
            }),
        });
        if let Err(e) = queued {
            authenticated(&req).await?;
            return Err(e);
        }
        answered
            .await
            .map_err(|_| ApiError::internal("the idea writer dropped a submission"))??
    };
    tracing::info!(idea_id = %idea.summary.id, "idea submitted");
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/ideas/{}", idea.summary.id),
        ))
        .insert_header(etag(idea.summary.version))
        .json(idea))
}

/// List the organisation's ideas.
///
/// Keyset-paginated for every sort order, so pages stay stable while new ideas arrive.
/// Each item carries its vote count, stage, days in stage and linked dimensions.
#[utoipa::path(
    tag = "ideas",
    params(IdeaListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "JSON; with `format=csv` (or `Accept: text/csv`) every matching idea as CSV (text/csv)", content((IdeaPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Unknown parameter or bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter value", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ideas")]
pub async fn list_ideas(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let ListQuery {
        mut filter,
        unit,
        weak_only,
        sort,
        limit,
        after,
        output,
    } = ListQuery::parse(&query, &caller)?;
    let csv = output.csv || (!query.iter().any(|(k, _)| k == "format") && wants_csv(&req, &FormatParams::default()));
    let org_id = caller.org_id.clone();
    let (pages, export) = db::run(&state.pool, move |conn| {
        if let Some(unit) = unit {
            units::require_in_org(conn, &caller.org_id, &unit, "unit")?;
            filter.unit_ids = Some(units::subtree_ids(conn, &caller.org_id, &unit)?);
        }
        if weak_only {
            // An empty set matches nothing: with no weak dimension, no idea is listed.
            filter.linked_to_any.push(dimensions::weak_keys(conn, &caller.org_id)?);
        }
        if !csv {
            return Ok((
                vec![list_page(conn, &caller, &filter, sort, after.as_ref(), limit)?],
                None,
            ));
        }
        // The export: every matching idea, read page by page in the list's own order.
        let mut pages = Vec::new();
        let mut after = after;
        loop {
            let page = list_page(conn, &caller, &filter, sort, after.as_ref(), MAX_LIMIT)?;
            let next = page.next_cursor.clone();
            pages.push(page);
            match next {
                Some(c) => after = Some(pagination::decode_cursor(&c)?),
                None => break,
            }
        }
        let labels = ExportLabels {
            units: units::names(conn, &org_id)?,
            dimensions: dimensions::current_questionnaire(conn, &org_id)?
                .dimensions
                .iter()
                .map(|d| (d.dimension_key.clone(), d.name()))
                .collect(),
            locale: organizations::find(conn, &org_id)?.default_locale,
        };
        Ok((pages, Some(labels)))
    })
    .await?;
    match export {
        None => Ok(HttpResponse::Ok().json(pages.into_iter().next().unwrap_or(IdeaPage {
            items: Vec::new(),
            next_cursor: None,
        }))),
        Some(labels) => {
            let lang = localization::choose(&req, output.lang.as_deref(), &labels.locale);
            export_csv(pages.iter().flat_map(|p| &p.items), &labels, lang, output.delimiter)
        }
    }
}

/// Names the export shows instead of ids and keys.
struct ExportLabels {
    units: HashMap<String, String>,
    dimensions: HashMap<String, crate::domain::locale::LocalizedText>,
    locale: String,
}

fn export_csv<'a>(
    items: impl Iterator<Item = &'a IdeaSummary>,
    labels: &ExportLabels,
    lang: crate::domain::locale::Lang,
    delimiter: Option<Delimiter>,
) -> Result<HttpResponse, ApiError> {
    let mut out = Csv::new(
        lang,
        delimiter,
        &[
            ("id", "ID"),
            ("title", "Titel"),
            ("status", "Status"),
            ("cycle", "Zyklus"),
            ("unit", "Einheit"),
            ("submitted_by", "Eingereicht von"),
            ("submitted", "Eingereicht am"),
            ("in_stage_since", "In der Phase seit"),
            ("days_in_stage", "Tage in der Phase"),
            ("owner", "Verantwortlich"),
            ("votes", "Stimmen"),
            ("comments", "Kommentare"),
            ("dimensions", "Dimensionen"),
        ],
    )?;
    for i in items {
        // As the list shows it: a code word instead of the name where the caller may not see it.
        let author = match (i.author.anonymous, i.author.id.is_some()) {
            (true, false) => out.text(
                &format!("code word {}", i.author.name),
                &format!("Kennwort {}", i.author.name),
            ),
            _ => i.author.name.clone(),
        };
        let dimensions: Vec<String> = i
            .dimensions
            .iter()
            .map(|k| {
                labels
                    .dimensions
                    .get(k)
                    .map(|n| n.get(lang).to_owned())
                    .unwrap_or_else(|| k.clone())
            })
            .collect();
        out.row(vec![
            i.id.clone(),
            i.title.clone(),
            i.status.label(lang).to_owned(),
            i.cycle.to_string(),
            labels.units.get(&i.unit_id).cloned().unwrap_or_default(),
            author,
            out.date(Some(i.created_at)),
            out.date(Some(i.stage_entered_at)),
            i.days_in_stage.to_string(),
            i.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
            i.vote_count.to_string(),
            i.comment_count.to_string(),
            dimensions.join(", "),
        ])?;
    }
    out.into_response(&crate::routes::reports::progress::file_name(lang, "ideas"))
}

/// Read an idea with its texts, group, all cycles and the transitions the caller may take.
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = IdeaResponse, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ideas/{id}")]
pub async fn get_idea(
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let idea = db::run(&state.pool, move |conn| {
        let idea = store::find(conn, &caller.org_id, &id)?;
        load_detail(conn, &caller, idea)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(idea.summary.version)).json(idea))
}

/// Edit an idea while it is `submitted` (its author only); afterwards it changes only
/// through transitions (409).
#[utoipa::path(
    tag = "ideas",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = UpdateIdea,
    security(("bearer" = [])),
    responses(
        (status = 200, body = IdeaResponse, headers(("ETag" = String))),
        (status = 403, description = "Not the author", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or no longer submitted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/ideas/{id}")]
pub async fn update_idea(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: ApiJson<UpdateIdea>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let edit = body.validate(&caller)?;
    let outcome = db::run(&state.pool, move |conn| {
        match store::edit(conn, &caller, &id, expected.version, &edit)? {
            Ok(idea) => Ok(Ok(load_detail(conn, &caller, idea)?)),
            Err(current) => Ok(Err(current)),
        }
    })
    .await?;
    let idea = outcome.map_err(|current| expected.stale(current))?;
    Ok(HttpResponse::Ok().insert_header(etag(idea.summary.version)).json(idea))
}
