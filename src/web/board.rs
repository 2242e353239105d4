//! The PDCA board for leads, managers and admins: the ideas of a unit (with its sub-units)
//! in columns by stage, longest waiting first, with the ideas stuck longer than the
//! organisation's limit marked. A lead sees their own unit by default; managers and admins
//! choose. Employees get a 403 page, as the API's lead endpoints answer them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use super::home::page_for;
use super::ideas::{Choice, Labels};
use super::session::WebUser;
use super::{Page, render};
use crate::db;
use crate::domain::locale::Lang;
use crate::domain::pdca::Status;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ideas::{IdeaFilter, IdeaSort};
use crate::store::{organizations, units};
use crate::views::ideas::list_page;

/// Cards per column; the column links to the full list.
const PER_COLUMN: i64 = 30;

pub struct Card {
    pub id: String,
    pub title: String,
    pub unit: String,
    pub dimensions: String,
    pub votes: i64,
    pub days: i64,
    pub stuck: bool,
}

pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
    pub cards: Vec<Card>,
    pub more: bool,
    pub list_link: String,
}

#[derive(Template)]
#[template(path = "board_pdca.html")]
struct BoardPage {
    page: Page,
    columns: Vec<Column>,
    units: Vec<Choice>,
    may_choose: bool,
    unit_name: String,
    stuck_days: i64,
    finished: Vec<(String, String)>,
    words: Words,
}

struct Words {
    title: &'static str,
    intro: &'static str,
    unit_label: &'static str,
    all_units: &'static str,
    show: &'static str,
    stuck: &'static str,
    days: &'static str,
    votes: &'static str,
    empty: &'static str,
    more: &'static str,
    finished: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "PDCA-Board",
            intro: "Die Ideen nach Phase, die am längsten wartenden zuerst.",
            unit_label: "Organisationseinheit (mit untergeordneten)",
            all_units: "Alle Einheiten",
            show: "Anzeigen",
            stuck: "hängt fest",
            days: "Tage in der Phase",
            votes: "Stimmen",
            empty: "Keine Ideen in dieser Phase.",
            more: "Alle in dieser Phase",
            finished: "Abgeschlossene Ideen",
        },
        Lang::En => Words {
            title: "PDCA board",
            intro: "Ideas by stage, those waiting longest first.",
            unit_label: "Unit (with sub-units)",
            all_units: "All units",
            show: "Show",
            stuck: "stuck",
            days: "days in stage",
            votes: "votes",
            empty: "No ideas in this stage.",
            more: "All in this stage",
            finished: "Finished ideas",
        },
    }
}

#[derive(Deserialize)]
pub struct BoardQuery {
    unit: Option<String>,
}

#[get("/board")]
pub async fn board(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, ApiError> {
    user.user.require(Role::Lead)?;
    let caller = user.user.clone();
    let may_choose = caller.is(Role::Manager);
    // A lead's board is their unit; managers and admins may pick any unit or all.
    let unit = if may_choose {
        query.unit.clone().filter(|u| !u.is_empty())
    } else {
        caller.unit_id.clone()
    };
    let lang = user.lang;
    let stages = [Status::Submitted, Status::Plan, Status::Do, Status::Check, Status::Act];
    let (pages, labels, stuck_days) = db::run(&state.pool, move |conn| {
        let mut filter = IdeaFilter::default();
        if let Some(unit) = &unit {
            units::require_in_org(conn, &caller.org_id, unit, "unit")?;
            filter.unit_ids = Some(units::subtree_ids(conn, &caller.org_id, unit)?);
        }
        let mut pages = Vec::new();
        for status in stages {
            filter.statuses = vec![status];
            pages.push(list_page(
                conn,
                &caller,
                &filter,
                IdeaSort::LongestInStage,
                None,
                PER_COLUMN,
            )?);
        }
        let stuck = organizations::find(conn, &caller.org_id)?.stuck_stage_days;
        Ok((pages, Labels::load(conn, &caller.org_id, false)?, stuck))
    })
    .await?;
    let chosen = if may_choose {
        query.unit.clone().unwrap_or_default()
    } else {
        user.user.unit_id.clone().unwrap_or_default()
    };
    let unit_query = if chosen.is_empty() {
        String::new()
    } else {
        format!("&unit={}", super::encode(&chosen))
    };
    let columns = stages
        .iter()
        .zip(pages)
        .map(|(status, page)| Column {
            key: status.as_str(),
            label: status.label(lang),
            more: page.next_cursor.is_some(),
            list_link: format!("/ideas?status={}{unit_query}&sort=longest_in_stage", status.as_str()),
            cards: page
                .items
                .iter()
                .map(|i| Card {
                    id: i.id.clone(),
                    title: i.title.clone(),
                    unit: labels.unit(&i.unit_id),
                    dimensions: i
                        .dimensions
                        .iter()
                        .map(|k| labels.dimension(k, lang))
                        .collect::<Vec<_>>()
                        .join(", "),
                    votes: i.vote_count,
                    days: i.days_in_stage,
                    stuck: i.days_in_stage > stuck_days,
                })
                .collect(),
        })
        .collect();
    let finished = [Status::Done, Status::Rejected, Status::Withdrawn, Status::Abandoned]
        .iter()
        .map(|s| {
            (
                format!("/ideas?status={}{unit_query}", s.as_str()),
                s.label(lang).to_owned(),
            )
        })
        .collect();
    let w = words(lang);
    let mut page = page_for(&state, &req, &user, w.title);
    page.nav = "board";
    render(
        StatusCode::OK,
        &BoardPage {
            page,
            columns,
            unit_name: labels.unit(&chosen),
            units: labels
                .unit_list
                .iter()
                .map(|(id, name)| Choice {
                    value: id.clone(),
                    label: name.clone(),
                    selected: *id == chosen,
                    weak: false,
                })
                .collect(),
            may_choose,
            stuck_days,
            finished,
            words: w,
        },
    )
}
