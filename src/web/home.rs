//! The start page: what the person can do now.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

use super::ideas::{IdeaRow, rows_for};
use super::session::WebUser;
use super::{NavUser, Page, render};
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{idea_comments, sessions};
use crate::views::ideas::{ListQuery, list_page};
use crate::views::survey;

/// The layout of a signed-in person's page.
pub fn page_for(state: &AppState, req: &HttpRequest, user: &WebUser, title: &str) -> Page {
    let mut page = Page::new(state, req, user.lang, title);
    page.csrf = user.csrf.clone();
    page.org_name = user.org_name.clone();
    page.user = Some(NavUser {
        name: user.user.display_name.clone(),
        role: user.user.role,
    });
    page
}

/// An open survey round on the start page.
pub struct OpenRound {
    pub id: String,
    pub title: String,
    pub closes: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    rounds: Vec<OpenRound>,
    ideas: Vec<IdeaRow>,
    more_ideas: bool,
    password_changed: bool,
}

#[get("/")]
pub async fn start(req: HttpRequest, state: web::Data<AppState>, user: WebUser) -> Result<HttpResponse, ApiError> {
    let caller = user.user.clone();
    let session_id = user.session_id.clone();
    let lang = user.lang;
    let (rounds, page, since, commented, labels) = db::run(&state.pool, move |conn| {
        let rounds = survey::open_for(conn, &caller)?;
        let pairs = [
            ("author".to_owned(), "me".to_owned()),
            ("limit".to_owned(), "10".to_owned()),
        ];
        let q = ListQuery::parse(&pairs, &caller)?;
        let page = list_page(conn, &caller, &q.filter, q.sort, None, q.limit)?;
        let since = sessions::previous_visit(conn, &caller.id, &session_id)?;
        let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
        let commented = idea_comments::latest_by_others(conn, &ids, &caller.id)?;
        let labels = super::ideas::Labels::load(conn, &caller.org_id, false)?;
        Ok((rounds, page, since, commented, labels))
    })
    .await?;
    let mut ideas = rows_for(&page.items, &labels, &user, "/");
    if let Some(since) = since {
        for (row, item) in ideas.iter_mut().zip(&page.items) {
            let commented_since = commented.get(&item.id).is_some_and(|t| *t > since);
            row.changed = item.updated_at.naive_utc() > since || commented_since;
        }
    }
    let t = super::texts::of(lang);
    let mut page_ctx = page_for(&state, &req, &user, t.home_title);
    page_ctx.nav = "start";
    render(
        StatusCode::OK,
        &HomePage {
            page: page_ctx,
            rounds: rounds
                .into_iter()
                .map(|r| OpenRound {
                    id: r.id,
                    title: r.title,
                    closes: super::date(lang, r.closes_at),
                })
                .collect(),
            ideas,
            more_ideas: page.next_cursor.is_some(),
            password_changed: req.query_string().contains("password=changed"),
        },
    )
}

/// The person's own data as a file (`GET /api/v1/me/export` for the browser).
#[actix_web::get("/account/export")]
pub async fn export_own_data(state: web::Data<AppState>, user: WebUser) -> Result<HttpResponse, ApiError> {
    let caller = user.user.clone();
    let data = crate::db::run(&state.pool, move |conn| {
        crate::views::personal_data::collect(conn, &caller.org_id, &caller.id, true)
    })
    .await?;
    Ok(crate::routes::me::download(&data))
}
