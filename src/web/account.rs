//! The person's own mail settings in the browser (`/account/mail`): the same settings
//! and store code as `GET/PUT /api/v1/me/mail-settings`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::form::Fields;
use super::session::{self, WebUser};
use super::{Page, render, see_other};
use crate::db;
use crate::domain::locale::Lang;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::mail;

#[derive(Template)]
#[template(path = "mail_settings.html")]
struct MailSettingsPage {
    page: Page,
    idea_mails: bool,
    /// "", "de" or "en".
    language: &'static str,
    saved: bool,
}

fn code(lang: Option<Lang>) -> &'static str {
    match lang {
        None => "",
        Some(Lang::De) => "de",
        Some(Lang::En) => "en",
    }
}

#[get("/account/mail")]
pub async fn mail_settings_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
) -> Result<HttpResponse, ApiError> {
    let id = user.user.id.clone();
    let prefs = db::run(&state.pool, move |conn| mail::preferences(conn, &id)).await?;
    let mut page = super::home::page_for(&state, &req, &user, super::texts::of(user.lang).mail_settings_title);
    page.nav = "mail";
    render(
        StatusCode::OK,
        &MailSettingsPage {
            page,
            idea_mails: prefs.idea_mails,
            language: code(prefs.language),
            saved: req.query_string().contains("saved=1"),
        },
    )
}

#[post("/account/mail")]
pub async fn mail_settings_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let language = match form.get("language") {
        "de" => Some(Lang::De),
        "en" => Some(Lang::En),
        "" => None,
        _ => return Err(ApiError::field("language", "must be de or en")),
    };
    let prefs = mail::Preferences {
        language,
        idea_mails: form.has("idea_mails", "true"),
    };
    let (org, id) = (user.user.org_id.clone(), user.user.id.clone());
    db::run(&state.pool, move |conn| mail::set_preferences(conn, &org, &id, &prefs)).await?;
    Ok(see_other("/account/mail?saved=1"))
}
