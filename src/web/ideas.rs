//! Ideas in the browser: the board with every filter of the API, an idea's page with its
//! cycles, history and comments, voting (in place with htmx, by a plain form without
//! JavaScript), withdrawing, and the submission form.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::form::{Fields, Problems};
use super::home::page_for;
use super::session::{self, WebUser};
use super::texts::Texts;
use super::{Page, encode, local_path, render, see_other};
use crate::db::{self, DbConnection};
use crate::domain::locale::Lang;
use crate::domain::pdca::{Action, StageValues, Status};
use crate::error::ApiError;
use crate::pagination;
use crate::state::AppState;
use crate::store::ideas as store;
use crate::store::{dimensions, idea_comments, idea_votes, units, users};
use crate::views::comments::{CommentResponse, comment_body, comments_of};
use crate::views::ideas::{
    CoAuthorBody, CreateIdea, IdeaResponse, IdeaSummary, ImpactEstimateBody, ListQuery, list_page, load_detail,
};
use crate::views::transitions::{IdeaEventResponse, history_of};

/// Names for ids: units, the organisation's dimensions, which of them are weak.
pub struct Labels {
    pub units: HashMap<String, String>,
    /// Units by name, for choosing one.
    pub unit_list: Vec<(String, String)>,
    /// Dimension key and name in German and English, in questionnaire order.
    pub dimensions: Vec<(String, String, String)>,
    pub weak: Vec<String>,
}

impl Labels {
    /// `with_weak`: also which dimensions are weak now (that reads the latest published
    /// results, so only pages that show or filter by it ask).
    pub fn load(conn: &mut DbConnection, org_id: &str, with_weak: bool) -> Result<Self, ApiError> {
        let units = units::names(conn, org_id)?;
        let mut unit_list: Vec<(String, String)> = units.iter().map(|(id, n)| (id.clone(), n.clone())).collect();
        unit_list.sort_by_key(|a| a.1.to_lowercase());
        let dimensions = dimensions::current_dimensions(conn, org_id)?
            .iter()
            .map(|d| {
                let n = d.name();
                (
                    d.dimension_key.clone(),
                    n.get(Lang::De).to_owned(),
                    n.get(Lang::En).to_owned(),
                )
            })
            .collect();
        Ok(Self {
            units,
            unit_list,
            dimensions,
            weak: if with_weak {
                dimensions::weak_keys(conn, org_id)?
            } else {
                Vec::new()
            },
        })
    }

    pub fn unit(&self, id: &str) -> String {
        self.units.get(id).cloned().unwrap_or_default()
    }

    pub fn dimension(&self, key: &str, lang: Lang) -> String {
        self.dimensions
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, de, en)| if lang == Lang::De { de.clone() } else { en.clone() })
            .unwrap_or_else(|| key.to_owned())
    }
}

/// An idea in a list.
pub struct IdeaRow {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub unit: String,
    pub author: String,
    pub comments: i64,
    pub days: i64,
    pub changed: bool,
    pub vote_html: String,
}

/// How a list shows the author: the name, or the code word where the caller may not see it.
fn author_label(t: &Texts, author: &crate::views::ideas::PersonRef) -> String {
    if author.anonymous && author.id.is_none() {
        format!("{} „{}“", t.code_word, author.name)
    } else {
        author.name.clone()
    }
}

pub fn rows_for(items: &[IdeaSummary], labels: &Labels, user: &WebUser, back: &str) -> Vec<IdeaRow> {
    let t = super::texts::of(user.lang);
    items
        .iter()
        .map(|i| IdeaRow {
            id: i.id.clone(),
            title: i.title.clone(),
            status: i.status.label(user.lang),
            unit: labels.unit(&i.unit_id),
            author: author_label(t, &i.author),
            comments: i.comment_count,
            days: i.days_in_stage,
            changed: false,
            vote_html: vote_widget(t, &i.id, &i.title, i.vote_count, i.voted_by_me, &user.csrf, back),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "vote.html")]
struct VoteWidget<'a> {
    t: &'static Texts,
    id: &'a str,
    title: &'a str,
    count: i64,
    voted: bool,
    csrf: &'a str,
    back: &'a str,
}

fn vote_widget(t: &'static Texts, id: &str, title: &str, count: i64, voted: bool, csrf: &str, back: &str) -> String {
    VoteWidget {
        t,
        id,
        title,
        count,
        voted,
        csrf,
        back,
    }
    .render()
    .unwrap_or_default()
}

/// A choice in a select or a group of checkboxes.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    pub weak: bool,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    page: Page,
    problems: Problems,
    rows: Vec<IdeaRow>,
    q: String,
    statuses: Vec<Choice>,
    units: Vec<Choice>,
    dimensions: Vec<Choice>,
    sorts: Vec<Choice>,
    weak_only: bool,
    mine: bool,
    more: Option<String>,
    filtered: bool,
}

fn choices(options: impl IntoIterator<Item = (String, String)>, selected: &[String]) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: selected.contains(&value),
            value,
            label,
            weak: false,
        })
        .collect()
}

/// The board: every filter and sort of `GET /api/v1/ideas`, read by the same parser, and
/// keyset paging ("more").
#[get("/ideas")]
pub async fn board(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let pairs: Vec<(String, String)> = query
        .into_inner()
        .into_iter()
        .filter(|(k, v)| !v.trim().is_empty() && k != "lang")
        .collect();
    let form = Fields(pairs.clone());
    let caller = user.user.clone();
    let lang = user.lang;
    let t = super::texts::of(lang);
    let mut problems = Problems::default();
    let parsed = match ListQuery::parse(&pairs, &caller) {
        Ok(q) => Some(q),
        Err(e) => {
            problems.absorb(e, lang, |f| Some((f.to_owned(), f.to_owned())), ("q", t.filter_text))?;
            None
        }
    };
    let wants_weak = parsed.as_ref().is_some_and(|q| q.weak_only);
    let (page, labels) = db::run(&state.pool, move |conn| {
        let labels = Labels::load(conn, &caller.org_id, wants_weak)?;
        let Some(ListQuery {
            mut filter,
            unit,
            weak_only,
            sort,
            limit,
            after,
            ..
        }) = parsed
        else {
            return Ok((None, labels));
        };
        if let Some(unit) = unit {
            units::require_in_org(conn, &caller.org_id, &unit, "unit")?;
            filter.unit_ids = Some(units::subtree_ids(conn, &caller.org_id, &unit)?);
        }
        if weak_only {
            filter.linked_to_any.push(labels.weak.clone());
        }
        Ok((
            Some(list_page(conn, &caller, &filter, sort, after.as_ref(), limit)?),
            labels,
        ))
    })
    .await?;
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/ideas")
        .to_owned();
    let rows = page
        .as_ref()
        .map(|p| rows_for(&p.items, &labels, &user, &here))
        .unwrap_or_default();
    let more = page.and_then(|p| p.next_cursor).map(|cursor| {
        let mut q: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        q.push(format!("cursor={}", encode(&cursor)));
        format!("/ideas?{}", q.join("&"))
    });
    let statuses = choices(
        Status::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label(lang).to_owned())),
        &form.all("status"),
    );
    let units = choices(labels.unit_list.iter().cloned(), &form.all("unit"));
    let dimensions = choices(
        labels
            .dimensions
            .iter()
            .map(|(k, _, _)| (k.clone(), labels.dimension(k, lang))),
        &form.all("dimension"),
    );
    let sort = form.optional("sort").unwrap_or_else(|| "newest".into());
    let sorts = choices(
        [
            ("newest".to_owned(), t.sort_newest.to_owned()),
            ("most_votes".to_owned(), t.sort_most_votes.to_owned()),
            ("longest_in_stage".to_owned(), t.sort_longest.to_owned()),
        ],
        &[sort],
    );
    let mut page_ctx = page_for(&state, &req, &user, t.board_title);
    page_ctx.nav = "ideas";
    page_ctx.invalid = !problems.is_empty();
    render(
        if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &BoardPage {
            page: page_ctx,
            problems,
            rows,
            q: form.get("q").to_owned(),
            statuses,
            units,
            dimensions,
            sorts,
            weak_only: form.has("weak_only", "true"),
            mine: form.has("author", "me"),
            more,
            filtered: pairs.iter().any(|(k, _)| k != "sort" && k != "cursor"),
        },
    )
}

/// A vote given or taken back. With htmx the widget is answered in place; without, the
/// browser goes back to the page it came from.
#[post("/ideas/{id}/vote")]
pub async fn vote(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let give = form.get("vote") != "0";
    let caller = user.user.clone();
    let idea_id = id.clone();
    let (count, title) = db::run(&state.pool, move |conn| {
        let count = if give {
            idea_votes::put(conn, &caller.org_id, &idea_id, &caller.id)?
        } else {
            idea_votes::delete(conn, &caller.org_id, &idea_id, &caller.id)?
        };
        Ok((count, store::find(conn, &caller.org_id, &idea_id)?.title))
    })
    .await?;
    let back = local_path(form.get("back"));
    if req.headers().contains_key("hx-request") {
        let t = super::texts::of(user.lang);
        let html = vote_widget(t, &id, &title, count, give, &user.csrf, &back);
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .body(html));
    }
    Ok(see_other(&format!("{back}#idea-{id}")))
}

/// One field of a stage, as the idea page lists it.
pub struct StageField {
    pub label: String,
    pub value: String,
}

pub struct CycleView {
    pub number: i64,
    pub started: String,
    pub closed: Option<String>,
    pub fields: Vec<StageField>,
}

pub struct EventView {
    pub when: String,
    pub what: String,
    pub who: String,
    pub note: Option<String>,
}

pub struct CommentView {
    pub id: String,
    pub author: String,
    pub when: String,
    pub body: Option<String>,
    pub edited: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    pub version: i64,
}

#[derive(Template)]
#[template(path = "idea.html")]
struct IdeaPage {
    page: Page,
    problems: Problems,
    idea: IdeaResponse,
    status: &'static str,
    unit: String,
    author: String,
    submitted_at: String,
    co_authors: Vec<String>,
    dimensions: Vec<String>,
    impact: Option<String>,
    cycles: Vec<CycleView>,
    events: Vec<EventView>,
    comments: Vec<CommentView>,
    vote_html: String,
    can_withdraw: bool,
    /// The lifecycle steps the caller may take now (links to their forms).
    steps: Vec<(String, String)>,
    confirmation: Option<Vec<String>>,
    anonymous_mine: bool,
    comment_text: String,
}

/// Labels of the stage fields, in the order a cycle runs.
const STAGE_LABELS: [(&str, &str, &str); 21] = [
    ("problem", "Problem", "Problem"),
    ("goal", "Ziel", "Goal"),
    ("kpi_name", "Kennzahl", "KPI"),
    ("kpi_unit", "Einheit der Kennzahl", "KPI unit"),
    ("kpi_baseline", "Ausgangswert", "Baseline"),
    ("kpi_target", "Zielwert", "Target"),
    ("lower_is_better", "Kleiner ist besser", "Lower is better"),
    ("due_date", "Fällig am", "Due on"),
    ("prediction", "Erwartung", "Prediction"),
    ("summary", "Durchführung", "What was done"),
    ("ran_as_planned", "Wie geplant durchgeführt", "Ran as planned"),
    ("deviations", "Abweichungen", "Deviations"),
    ("measured_value", "Gemessener Wert", "Measured value"),
    (
        "measured_hours_saved_per_year",
        "Gemessene Stunden pro Jahr",
        "Measured hours per year",
    ),
    (
        "measured_cost_saved_per_year",
        "Gemessene Euro pro Jahr",
        "Measured euros per year",
    ),
    ("findings", "Erkenntnisse", "Findings"),
    ("outcome", "Entscheidung", "Decision"),
    ("new_standard", "Neuer Standard", "New standard"),
    (
        "next_cycle_changes",
        "Änderungen für den nächsten Zyklus",
        "Changes for the next cycle",
    ),
    ("target_met", "Ziel erreicht", "Target met"),
    (
        "relative_improvement",
        "Verbesserung gegenüber dem Ausgangswert",
        "Improvement on the baseline",
    ),
];

/// How a cycle ended, in words.
fn outcome_label(outcome: &str, lang: Lang) -> &str {
    let (de, en) = match outcome {
        "adopted" => ("als Standard übernommen", "adopted as the standard"),
        "adapted" => ("angepasst: neuer Zyklus", "adapted: a new cycle"),
        "abandoned" => ("abgebrochen", "abandoned"),
        other => (other, other),
    };
    if lang == Lang::De { de } else { en }
}

fn stage_fields(stages: &crate::store::ideas::CycleStages, lang: Lang) -> Vec<StageField> {
    let Ok(serde_json::Value::Object(parts)) = serde_json::to_value(stages) else {
        return Vec::new();
    };
    let mut flat: HashMap<String, serde_json::Value> = HashMap::new();
    for (_, part) in parts {
        if let serde_json::Value::Object(fields) = part {
            flat.extend(fields);
        }
    }
    let (yes, no) = if lang == Lang::De {
        ("ja", "nein")
    } else {
        ("yes", "no")
    };
    STAGE_LABELS
        .iter()
        .filter_map(|(key, de, en)| {
            let value = match flat.get(*key)? {
                serde_json::Value::Null => return None,
                // A share of the baseline, computed at Act: whole percent, "43 %".
                serde_json::Value::Number(n) if *key == "relative_improvement" => {
                    format!("{:.0} %", n.as_f64().unwrap_or_default() * 100.0)
                }
                serde_json::Value::String(s) if *key == "outcome" => outcome_label(s, lang).to_owned(),
                serde_json::Value::Bool(b) => (if *b { yes } else { no }).to_owned(),
                serde_json::Value::Number(n) => super::number(lang, n.as_f64().unwrap_or_default()),
                serde_json::Value::String(s) if s.is_empty() => return None,
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(StageField {
                label: (if lang == Lang::De { *de } else { *en }).to_owned(),
                value,
            })
        })
        .collect()
}

fn event_view(e: &IdeaEventResponse, lang: Lang, t: &Texts) -> EventView {
    let what = match e.from {
        None => e.to.label(lang).to_owned(),
        Some(from) => format!("{} → {}", from.label(lang), e.to.label(lang)),
    };
    EventView {
        when: super::date_time(lang, e.at.naive_utc()),
        what: if e.action == "edit" {
            if lang == Lang::De {
                "Bearbeitet".into()
            } else {
                "Edited".into()
            }
        } else {
            what
        },
        who: author_label(t, &e.actor),
        note: e.note.clone(),
    }
}

fn comment_view(c: CommentResponse, user: &WebUser, t: &Texts) -> CommentView {
    let now = chrono::Utc::now();
    let mine = c.author.id.as_deref() == Some(user.user.id.as_str());
    CommentView {
        author: author_label(t, &c.author),
        when: super::date_time(user.lang, c.created_at.naive_utc()),
        edited: c.edited_at.is_some(),
        can_edit: mine && !c.deleted && c.editable_until > now,
        can_delete: !c.deleted && (mine || user.user.role == crate::domain::roles::Role::Admin),
        version: c.version,
        id: c.id,
        body: c.body,
    }
}

/// What the idea page shows besides the idea: for a form sent back with problems.
#[derive(Default)]
pub struct Extras {
    problems: Problems,
    comment_text: String,
    confirmation: bool,
}

async fn idea_view(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    id: String,
    extras: Extras,
) -> Result<HttpResponse, ApiError> {
    let caller = user.user.clone();
    let confirmation = extras.confirmation;
    let invalid = !extras.problems.is_empty();
    let (idea, events, comments, labels, reviewers) = db::run(&state.pool, move |conn| {
        let row = store::find(conn, &caller.org_id, &id)?;
        let events = history_of(conn, &caller, &row, None, pagination::MAX_LIMIT)?.items;
        let comments = comments_of(conn, &caller, &row, None, pagination::MAX_LIMIT)?.items;
        let idea = load_detail(conn, &caller, row)?;
        let labels = Labels::load(conn, &caller.org_id, false)?;
        let reviewers = if confirmation {
            Some(users::reviewers_of(conn, &caller.org_id, &idea.summary.unit_id)?)
        } else {
            None
        };
        Ok((idea, events, comments, labels, reviewers))
    })
    .await?;
    let lang = user.lang;
    let t = super::texts::of(lang);
    let s = &idea.summary;
    let here = format!("/ideas/{}", s.id);
    let impact = idea.impact_estimate.as_ref().map(|i: &ImpactEstimateBody| {
        let mut parts = Vec::new();
        if let Some(h) = i.hours_saved_per_year {
            parts.push(format!("{} {}", super::number(lang, h), t.idea_hours));
        }
        if let Some(c) = i.cost_saved_per_year {
            parts.push(format!("{} {}", super::number(lang, c), t.idea_costs));
        }
        if let Some(q) = &i.quality_benefit {
            parts.push(q.clone());
        }
        parts.join("; ")
    });
    let view = IdeaPage {
        status: s.status.label(lang),
        unit: labels.unit(&s.unit_id),
        author: author_label(t, &s.author),
        submitted_at: super::date(lang, s.created_at.naive_utc()),
        co_authors: idea
            .co_authors
            .iter()
            .map(|c| format!("{} ({} %)", c.user.name, c.share))
            .collect(),
        dimensions: s
            .dimensions
            .iter()
            .map(|k| {
                let name = labels.dimension(k, lang);
                if labels.weak.contains(k) {
                    format!("{name} ({})", t.weak_mark)
                } else {
                    name
                }
            })
            .collect(),
        impact,
        cycles: idea
            .cycles
            .iter()
            .map(|c| CycleView {
                number: c.cycle,
                started: super::date(lang, c.started_at.naive_utc()),
                closed: c.closed_at.map(|d| super::date(lang, d.naive_utc())),
                fields: stage_fields(&c.stages, lang),
            })
            .filter(|c| !c.fields.is_empty() || idea.cycles.len() > 1)
            .collect(),
        events: events.iter().map(|e| event_view(e, lang, t)).collect(),
        comments: comments.into_iter().map(|c| comment_view(c, user, t)).collect(),
        vote_html: vote_widget(t, &s.id, &s.title, s.vote_count, s.voted_by_me, &user.csrf, &here),
        can_withdraw: idea.allowed_transitions.iter().any(|a| a.action == Action::Withdraw),
        steps: idea
            .allowed_transitions
            .iter()
            .filter(|a| a.action != Action::Withdraw)
            .map(|a| {
                (
                    format!("/ideas/{}/steps/{}", s.id, a.action.as_str()),
                    super::steps::action_label(a.action, lang).to_owned(),
                )
            })
            .collect(),
        confirmation: reviewers,
        anonymous_mine: s.author.anonymous && s.author.id.as_deref() == Some(user.user.id.as_str()),
        comment_text: extras.comment_text,
        problems: extras.problems,
        page: {
            let mut p = page_for(state, req, user, &s.title);
            p.nav = "ideas";
            p.invalid = invalid;
            p
        },
        idea: idea.clone(),
    };
    let status = if view.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &view)
}

#[derive(serde::Deserialize)]
pub struct IdeaQuery {
    submitted: Option<String>,
}

#[get("/ideas/{id}")]
pub async fn idea_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    query: web::Query<IdeaQuery>,
) -> Result<HttpResponse, ApiError> {
    let extras = Extras {
        confirmation: query.submitted.is_some(),
        ..Default::default()
    };
    idea_view(&req, &state, &user, id.into_inner(), extras).await
}

#[post("/ideas/{id}/comments")]
pub async fn comment_add(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let t = super::texts::of(user.lang);
    let text = match comment_body(form.raw("body")) {
        Ok(text) => text,
        Err(e) => {
            let mut problems = Problems::default();
            problems.absorb(e, user.lang, |_| None, ("comment-body", t.comment_add))?;
            let extras = Extras {
                problems,
                comment_text: form.raw("body").to_owned(),
                confirmation: false,
            };
            return idea_view(&req, &state, &user, id, extras).await;
        }
    };
    let caller = user.user.clone();
    let idea_id = id.clone();
    db::run(&state.pool, move |conn| {
        idea_comments::insert(conn, &caller.org_id, &idea_id, &caller.id, &text)
    })
    .await?;
    Ok(see_other(&format!("/ideas/{id}#comments")))
}

#[post("/ideas/{id}/comments/{comment_id}/edit")]
pub async fn comment_edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    path: web::Path<(String, String)>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let (id, comment_id) = path.into_inner();
    let t = super::texts::of(user.lang);
    let version: i64 = form
        .get("version")
        .parse()
        .map_err(|_| ApiError::BadRequest("the form is incomplete".into()))?;
    let text = match comment_body(form.raw("body")) {
        Ok(text) => text,
        Err(e) => {
            let mut problems = Problems::default();
            problems.absorb(e, user.lang, |_| None, ("comment-body", t.comment_edit_label))?;
            let extras = Extras {
                problems,
                ..Default::default()
            };
            return idea_view(&req, &state, &user, id, extras).await;
        }
    };
    let caller = user.user.clone();
    let idea_id = id.clone();
    db::run(&state.pool, move |conn| {
        store::find(conn, &caller.org_id, &idea_id)?;
        idea_comments::edit(conn, &caller.org_id, &idea_id, &comment_id, &caller.id, version, &text)?
            .map_err(ApiError::stale_version)
    })
    .await?;
    Ok(see_other(&format!("/ideas/{id}#comments")))
}

#[post("/ideas/{id}/comments/{comment_id}/delete")]
pub async fn comment_delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    path: web::Path<(String, String)>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let (id, comment_id) = path.into_inner();
    let caller = user.user.clone();
    let idea_id = id.clone();
    db::run(&state.pool, move |conn| {
        idea_comments::delete(conn, &caller.org_id, &idea_id, &comment_id, &caller.id, caller.role)
    })
    .await?;
    Ok(see_other(&format!("/ideas/{id}#comments")))
}

/// An author withdraws their idea (only while it is submitted; the domain decides).
#[post("/ideas/{id}/withdraw")]
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let version: i64 = form
        .get("version")
        .parse()
        .map_err(|_| ApiError::BadRequest("the form is incomplete".into()))?;
    let reason = match form.optional("reason") {
        Some(r) => Some(crate::domain::fields::text(&r, 2000, true).map_err(|m| ApiError::field("reason", m))?),
        None => None,
    };
    let caller = user.user.clone();
    let idea_id = id.clone();
    db::run(&state.pool, move |conn| {
        let values = StageValues {
            reason,
            ..Default::default()
        };
        store::transition(conn, &caller, &idea_id, version, Action::Withdraw, &values, None)?
            .map_err(ApiError::stale_version)
    })
    .await?;
    Ok(see_other(&format!("/ideas/{id}")))
}

#[derive(Template)]
#[template(path = "new_idea.html")]
struct NewIdeaPage {
    page: Page,
    problems: Problems,
    form: Fields,
    units: Vec<Choice>,
    dimensions: Vec<Choice>,
    co_author_rows: Vec<CoAuthorRow>,
    has_weak: bool,
}

/// One co-author line of the form: their e-mail and their share.
struct CoAuthorRow {
    id: String,
    name: String,
    label: String,
    share_id: String,
    share_name: String,
    share_label: String,
}

const CO_AUTHOR_ROWS: usize = 3;

async fn new_idea_form(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    form: Fields,
    problems: Problems,
) -> Result<HttpResponse, ApiError> {
    let org = user.user.org_id.clone();
    let labels = db::run(&state.pool, move |conn| Labels::load(conn, &org, true)).await?;
    let lang = user.lang;
    let t = super::texts::of(lang);
    let chosen_unit = form
        .optional("unit_id")
        .or_else(|| user.user.unit_id.clone())
        .unwrap_or_default();
    let units = choices(labels.unit_list.iter().cloned(), &[chosen_unit]);
    // Weak dimensions first: ideas on them help where the survey found most wanting.
    let chosen = form.all("dimensions");
    let mut dimensions: Vec<Choice> = labels
        .dimensions
        .iter()
        .map(|(k, _, _)| Choice {
            value: k.clone(),
            label: labels.dimension(k, lang),
            selected: chosen.contains(k),
            weak: labels.weak.contains(k),
        })
        .collect();
    dimensions.sort_by_key(|d| !d.weak);
    let mut page = page_for(state, req, user, t.new_title);
    page.nav = "new";
    page.invalid = !problems.is_empty();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &NewIdeaPage {
            page,
            problems,
            form,
            units,
            has_weak: dimensions.iter().any(|d| d.weak),
            dimensions,
            co_author_rows: (0..CO_AUTHOR_ROWS)
                .map(|n| CoAuthorRow {
                    id: format!("co-author-{n}"),
                    name: format!("co_author_{n}"),
                    label: format!("{} {}", t.field_co_author, n + 1),
                    share_id: format!("share-{n}"),
                    share_name: format!("share_{n}"),
                    share_label: format!("{} {}", t.field_share, n + 1),
                })
                .collect(),
        },
    )
}

#[get("/ideas/new")]
pub async fn new_idea_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
) -> Result<HttpResponse, ApiError> {
    new_idea_form(&req, &state, &user, Fields::default(), Problems::default()).await
}

/// Where an API field's problem shows on the form, with the field's label.
fn place(t: &Texts, field: &str) -> Option<(String, String)> {
    let simple = [
        ("title", t.field_title),
        ("current_situation", t.field_current),
        ("proposal", t.field_proposal),
        ("expected_benefit", t.field_benefit),
        ("unit_id", t.field_unit),
        ("dimensions", t.field_dimensions),
        ("author_share", t.field_author_share),
        ("code_word", t.field_code_word),
        ("impact_estimate.hours_saved_per_year", t.field_hours),
        ("impact_estimate.cost_saved_per_year", t.field_costs),
        ("impact_estimate.quality_benefit", t.field_quality),
    ];
    if let Some((f, label)) = simple.iter().find(|(f, _)| *f == field) {
        let id = match *f {
            "impact_estimate.hours_saved_per_year" => "hours",
            "impact_estimate.cost_saved_per_year" => "costs",
            "impact_estimate.quality_benefit" => "quality",
            "dimensions" => "dimensions-0",
            other => other,
        };
        return Some((id.to_owned(), (*label).to_owned()));
    }
    if field.starts_with("dimensions") {
        return Some(("dimensions-0".into(), t.field_dimensions.into()));
    }
    if let Some(rest) = field.strip_prefix("co_authors[") {
        let n: usize = rest.split(']').next()?.parse().ok()?;
        let id = if field.ends_with("share") {
            format!("share-{n}")
        } else {
            format!("co-author-{n}")
        };
        return Some((id, format!("{} {}", t.field_co_author, n + 1)));
    }
    if field == "co_authors" {
        return Some(("co-author-0".into(), t.field_co_author.into()));
    }
    None
}

fn number_field(form: &Fields, name: &str, label: &str, lang: Lang, problems: &mut Problems) -> Option<f64> {
    let raw = form.get(name);
    if raw.is_empty() {
        return None;
    }
    // As people write numbers: "1.200,5" in German, "1,200.5" in English.
    let plain = match lang {
        Lang::De => raw.replace('.', "").replace(',', "."),
        Lang::En => raw.replace(',', ""),
    };
    match plain.trim().parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) => {
            problems.add(
                name,
                label,
                super::form::capitalised(&crate::messages::localize("must be a number", lang)),
            );
            None
        }
    }
}

#[post("/ideas/new")]
pub async fn new_idea_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let lang = user.lang;
    let t = super::texts::of(lang);
    let mut problems = Problems::default();
    let hours = number_field(&form, "hours", t.field_hours, lang, &mut problems);
    let costs = number_field(&form, "costs", t.field_costs, lang, &mut problems);
    let quality = form.optional("quality");
    let anonymous = form.has("anonymous", "true");
    // Co-authors are named by e-mail; their accounts are looked up in the organisation.
    let mut emails = Vec::new();
    let mut shares = Vec::new();
    for n in 0..CO_AUTHOR_ROWS {
        let email = form.get(&format!("co_author_{n}")).to_lowercase();
        let share = form.get(&format!("share_{n}"));
        if email.is_empty() && share.is_empty() {
            continue;
        }
        match share.parse::<i64>() {
            Ok(v) => shares.push((n, email, v)),
            Err(_) => {
                problems.add(
                    &format!("share-{n}"),
                    &format!("{} {}", t.field_share, n + 1),
                    super::form::capitalised(&crate::messages::localize("must be a whole number", lang)),
                );
            }
        }
        emails.push(n);
    }
    let author_share = match form.get("author_share") {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.add(
                    "author_share",
                    t.field_author_share,
                    super::form::capitalised(&crate::messages::localize("must be a whole number", lang)),
                );
                None
            }
        },
    };
    let org = user.user.org_id.clone();
    let lookups: Vec<(usize, String)> = shares.iter().map(|(n, e, _)| (*n, e.clone())).collect();
    let found = db::run(&state.pool, move |conn| {
        let mut ids = Vec::new();
        for (n, email) in lookups {
            let user = users::find_by_email(conn, &org, &email)?.filter(|u| u.active);
            ids.push((n, user.map(|u| u.id)));
        }
        Ok(ids)
    })
    .await?;
    let mut co_authors = Vec::new();
    for ((n, email, share), (_, id)) in shares.iter().zip(found) {
        match id {
            Some(user_id) => co_authors.push(CoAuthorBody { user_id, share: *share }),
            None => problems.add(
                &format!("co-author-{n}"),
                &format!("{} {}", t.field_co_author, n + 1),
                if lang == Lang::De {
                    format!("In Ihrer Kommune gibt es kein aktives Konto mit der Adresse {email}.")
                } else {
                    format!("There is no active account with the address {email} in your municipality.")
                },
            ),
        }
    }
    let body = CreateIdea {
        title: form.raw("title").to_owned(),
        current_situation: form.raw("current_situation").to_owned(),
        proposal: form.raw("proposal").to_owned(),
        expected_benefit: form.raw("expected_benefit").to_owned(),
        unit_id: form.get("unit_id").to_owned(),
        dimensions: form.all("dimensions"),
        co_authors,
        author_share,
        code_word: if anonymous {
            Some(form.get("code_word").to_owned())
        } else {
            None
        },
        impact_estimate: (hours.is_some() || costs.is_some() || quality.is_some()).then_some(ImpactEstimateBody {
            hours_saved_per_year: hours,
            cost_saved_per_year: costs,
            quality_benefit: quality,
        }),
    };
    let unit_id = body.unit_id.clone();
    let dims = body.dimensions.clone();
    let draft = match body.validate(&user.user.id) {
        Ok(draft) => Some(draft),
        Err(e) => {
            problems.absorb(e, lang, |f| place(t, f), ("title", t.field_title))?;
            None
        }
    };
    // The problems the database would find, named with the rest.
    let caller = user.user.clone();
    let more = db::run(&state.pool, move |conn| {
        store::lookup_problems(conn, &caller.org_id, &unit_id, &dims, &[], &mut Default::default())
    })
    .await?;
    problems.absorb(
        ApiError::Validation(more),
        lang,
        |f| place(t, f),
        ("title", t.field_title),
    )?;
    let Some(draft) = draft.filter(|_| problems.is_empty()) else {
        return new_idea_form(&req, &state, &user, form, problems).await;
    };
    let caller = user.user.clone();
    let created = db::run(&state.pool, move |conn| store::insert(conn, &caller, &draft)).await;
    match created {
        Ok(idea) => {
            tracing::info!(idea_id = %idea.id, "idea submitted");
            Ok(see_other(&format!("/ideas/{}?submitted=1", idea.id)))
        }
        Err(e) => {
            problems.absorb(e, lang, |f| place(t, f), ("title", t.field_title))?;
            new_idea_form(&req, &state, &user, form, problems).await
        }
    }
}
