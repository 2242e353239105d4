//! Answering a survey round: every item as a radio group (the scale and "can't judge")
//! grouped by dimension, the anonymity statement before the first question, every item
//! required, a thank-you page, and on any later visit only that the person took part.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::form::{Fields, Problems};
use super::home::page_for;
use super::session::{self, WebUser};
use super::{Page, render, see_other};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::questionnaire::Scale;
use crate::domain::rounds::RoundStatus;
use crate::domain::scoring::CANT_JUDGE;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::questionnaires::Content;
use crate::store::{assessments, organizations, questionnaires};
use crate::views::survey;

pub struct AnswerOption {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct Item {
    pub key: String,
    pub number: usize,
    pub text: String,
    pub options: Vec<AnswerOption>,
    pub error: Option<String>,
}

pub struct Section {
    pub key: String,
    pub name: String,
    pub description: String,
    pub items: Vec<Item>,
}

/// Why a round cannot be answered (or that it was).
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum Standing {
    Open,
    Answered,
    NotOpen,
    OutOfScope,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    page: Page,
    problems: Problems,
    round_id: String,
    title: String,
    standing: Standing,
    closes: String,
    min_group_size: i64,
    instructions: Option<String>,
    sections: Vec<Section>,
    thanks: bool,
}

struct Loaded {
    round: assessments::Round,
    standing: Standing,
    content: Option<Content>,
    min_group_size: i64,
}

async fn load(state: &AppState, user: &WebUser, id: String) -> Result<Loaded, ApiError> {
    let caller = user.user.clone();
    db::run(&state.pool, move |conn| {
        let (round, answered) = assessments::find_for_respondent(conn, &caller.org_id, &id, &caller.id, db::now())?;
        let standing = survey::standings(conn, &caller, std::slice::from_ref(&round))?
            .pop()
            .ok_or_else(|| ApiError::internal("round vanished"))?;
        let standing = if answered || standing.answered {
            Standing::Answered
        } else if !standing.in_scope {
            Standing::OutOfScope
        } else if round.status() != RoundStatus::Open {
            Standing::NotOpen
        } else {
            Standing::Open
        };
        let content = if standing == Standing::Open {
            Some(questionnaires::load(conn, &caller.org_id, &round.questionnaire_id)?)
        } else {
            None
        };
        let min_group_size = organizations::find(conn, &caller.org_id)?.min_group_size;
        Ok(Loaded {
            round,
            standing,
            content,
            min_group_size,
        })
    })
    .await
}

fn sections(content: &Content, lang: Lang, form: &Fields, missing: &[String]) -> Vec<Section> {
    let scale = Scale::parse(&content.questionnaire.scale).unwrap_or(Scale::Agree5);
    let t = super::texts::of(lang);
    let mut number = 0;
    content
        .dimensions
        .iter()
        .map(|d| Section {
            key: d.dimension_key.clone(),
            name: d.name().get(lang).to_owned(),
            description: d.description().get(lang).to_owned(),
            items: content
                .items_of(&d.dimension_key)
                .map(|i| {
                    number += 1;
                    let chosen = form.get(&i.item_key);
                    let mut options: Vec<AnswerOption> = (scale.min()..=scale.max())
                        .zip(scale.labels(lang))
                        .map(|(v, label)| AnswerOption {
                            value: v.to_string(),
                            label: format!("{v} – {label}"),
                            checked: chosen == v.to_string(),
                        })
                        .collect();
                    options.push(AnswerOption {
                        value: CANT_JUDGE.to_owned(),
                        label: scale.cant_judge_label(lang).to_owned(),
                        checked: chosen == CANT_JUDGE,
                    });
                    Item {
                        key: i.item_key.clone(),
                        number,
                        text: i.text().get(lang).to_owned(),
                        options,
                        error: missing.contains(&i.item_key).then(|| t.survey_missing.to_owned()),
                    }
                })
                .collect(),
        })
        .collect()
}

fn show(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    loaded: Loaded,
    form: &Fields,
    problems: Problems,
    thanks: bool,
) -> Result<HttpResponse, ApiError> {
    let lang = user.lang;
    let missing: Vec<String> = problems
        .0
        .iter()
        .map(|p| p.field.trim_start_matches("item-").to_owned())
        .collect();
    let sections = loaded
        .content
        .as_ref()
        .map(|c| sections(c, lang, form, &missing))
        .unwrap_or_default();
    let instructions = loaded
        .content
        .as_ref()
        .and_then(|c| c.questionnaire.description())
        .map(|d| d.get(lang).to_owned());
    let mut page = page_for(state, req, user, &loaded.round.title);
    page.nav = "survey";
    page.invalid = !problems.is_empty();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &SurveyPage {
            page,
            problems,
            round_id: loaded.round.id.clone(),
            title: loaded.round.title.clone(),
            standing: loaded.standing,
            closes: super::date(lang, loaded.round.closes_at),
            min_group_size: loaded.min_group_size,
            instructions,
            sections,
            thanks,
        },
    )
}

#[get("/survey/{id}")]
pub async fn survey_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let loaded = load(&state, &user, id.into_inner()).await?;
    show(
        &req,
        &state,
        &user,
        loaded,
        &Fields::default(),
        Problems::default(),
        false,
    )
}

#[get("/survey/{id}/thanks")]
pub async fn thanks_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let loaded = load(&state, &user, id.into_inner()).await?;
    let answered = loaded.standing == Standing::Answered;
    show(
        &req,
        &state,
        &user,
        loaded,
        &Fields::default(),
        Problems::default(),
        answered,
    )
}

#[post("/survey/{id}")]
pub async fn survey_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let loaded = load(&state, &user, id.clone()).await?;
    let Some(content) = loaded.content.as_ref() else {
        // Answered meanwhile, closed or not for this person: the page says which.
        return show(
            &req,
            &state,
            &user,
            loaded,
            &Fields::default(),
            Problems::default(),
            false,
        );
    };
    let t = super::texts::of(user.lang);
    let mut problems = Problems::default();
    let mut answers = Vec::with_capacity(content.items.len());
    for (n, item) in content.items.iter().enumerate() {
        let value = form.get(&item.item_key);
        let parsed = match value {
            CANT_JUDGE => Some(serde_json::Value::String(CANT_JUDGE.into())),
            v => v.parse::<u8>().ok().map(serde_json::Value::from),
        };
        match parsed {
            Some(v) => answers.push((item.item_key.clone(), v)),
            None => problems.add(
                &format!("item-{}", item.item_key),
                &format!("{} {}", t.survey_statement, n + 1),
                t.survey_missing,
            ),
        }
    }
    if !problems.is_empty() {
        return show(&req, &state, &user, loaded, &form, problems, false);
    }
    let caller = user.user.clone();
    let round_id = id.clone();
    match db::run(&state.pool, move |conn| {
        survey::answer(conn, &caller, &round_id, &answers)
    })
    .await
    {
        Ok(_) => Ok(see_other(&format!("/survey/{id}/thanks"))),
        // Answered in another tab, or the round closed meanwhile: show where it stands.
        Err(ApiError::Conflict { .. }) => Ok(see_other(&format!("/survey/{id}"))),
        Err(e) => Err(e),
    }
}
