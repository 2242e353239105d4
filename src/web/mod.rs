//! The web interface: server-rendered pages for the people of a Kommune, served by the
//! same binary from the same store and domain code as the JSON API, with the same
//! permission checks (`AuthUser` from a browser session instead of a bearer token).
//! Design: `../shared/UI.md`. Templates live in `src/web/templates` (askama, checked at
//! compile time); the words in `texts`.

pub mod account;
pub mod admin;
pub mod assets;
pub mod auth;
pub mod board;
pub mod form;
pub mod home;
pub mod ideas;
pub mod reports;
pub mod session;
pub mod sso;
pub mod steps;
pub mod survey;
pub mod texts;
pub mod upload;

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
#[cfg(test)]
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::domain::locale::{self, Lang};
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::state::AppState;
use texts::Texts;

/// Registers every page. Forms are URL-encoded; idea texts may be long.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::FormConfig::default()
            .limit(256 * 1024)
            .error_handler(|err, _| ApiError::BadRequest(format!("the form could not be read: {err}")).into()),
    )
    .service(assets::serve)
    .service(auth::login_page)
    .service(auth::login_submit)
    .service(sso::organization_login)
    .service(sso::start)
    .service(sso::callback)
    .service(auth::logout)
    .service(account::mail_settings_page)
    .service(account::mail_settings_submit)
    .service(auth::password_page)
    .service(auth::password_submit)
    .service(auth::language)
    .service(home::start)
    .service(home::export_own_data)
    .service(ideas::board)
    .service(ideas::new_idea_page)
    .service(ideas::new_idea_submit)
    .service(ideas::idea_page)
    .service(ideas::vote)
    .service(ideas::comment_add)
    .service(ideas::comment_edit)
    .service(ideas::comment_delete)
    .service(ideas::withdraw)
    .service(steps::step_page)
    .service(steps::step_submit)
    .service(board::board)
    .service(reports::dashboard)
    .service(reports::export)
    .service(survey::survey_page)
    .service(survey::survey_submit)
    .service(survey::thanks_page)
    .configure(admin::configure);
}

/// The person shown in the page header.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub role: Role,
}

impl NavUser {
    /// Leads, managers and admins see the PDCA board in the navigation.
    pub fn is_lead(&self) -> bool {
        self.role.at_least(Role::Lead)
    }

    /// Managers (not admins, who find them in the administration) see the rounds.
    pub fn is_manager_only(&self) -> bool {
        self.role == Role::Manager
    }

    /// Administrators see the administration.
    pub fn is_admin(&self) -> bool {
        self.role.at_least(Role::Admin)
    }
}

/// What every page's layout needs.
#[derive(Debug)]
pub struct Page {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub title: String,
    /// Empty on pages without a session (sign-in, errors).
    pub csrf: String,
    pub org_name: String,
    pub user: Option<NavUser>,
    /// Which navigation entry is the current page.
    pub nav: &'static str,
    pub assets: &'static str,
    /// The current path, for the language switch to come back to.
    pub here: String,
    pub imprint_url: Option<String>,
    pub privacy_url: Option<String>,
    /// The page shows a form with problems: its title says so first.
    pub invalid: bool,
}

impl Page {
    pub fn new(state: &AppState, req: &HttpRequest, lang: Lang, title: impl Into<String>) -> Self {
        Self {
            lang: lang.as_str(),
            t: texts::of(lang),
            title: title.into(),
            csrf: String::new(),
            org_name: String::new(),
            user: None,
            nav: "",
            assets: assets::prefix(),
            here: local_path(req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/")),
            imprint_url: state.settings.imprint_url.clone(),
            privacy_url: state.settings.privacy_url.clone(),
            invalid: false,
        }
    }

    /// Whether the navigation entry `key` is the current page (`aria-current`).
    pub fn current(&self, key: &str) -> bool {
        self.nav == key
    }

    pub fn language_link(&self) -> String {
        let other = if self.lang == "de" { "en" } else { "de" };
        format!("/lang?to={other}&back={}", encode(&self.here))
    }
}

/// The language of a page: the person's choice (a cookie set by the language switch),
/// else `Accept-Language`, else the organisation's default, else German.
pub fn language(req: &HttpRequest, org_default: &str) -> Lang {
    let chosen = req.cookie(session::LANG_COOKIE).map(|c| c.value().to_owned());
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    locale::negotiate(
        chosen.as_deref(),
        accept,
        Lang::from_tag(org_default).unwrap_or(Lang::De),
    )
}

/// A path of this site to return to: anything else (another host, `//evil`) becomes `/`.
/// Characters a header cannot carry are percent-encoded.
pub fn local_path(raw: &str) -> String {
    let ok = raw.starts_with('/') && !raw.starts_with("//") && !raw.starts_with("/\\") && !raw.contains(['\r', '\n']);
    if !ok {
        return "/".into();
    }
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Renders a template as a page with the security headers every page carries.
pub fn render(status: StatusCode, template: &impl Template) -> Result<HttpResponse, ApiError> {
    render_page(status, template)
}

fn render_page(status: StatusCode, template: &impl Template) -> Result<HttpResponse, ApiError> {
    let html = template.render().map_err(ApiError::internal)?;
    Ok(page_response(status, html))
}

fn page_response(status: StatusCode, html: String) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP));
    res.body(html)
}

/// Scripts, styles and images from this site only; KERN's icons are `data:` images.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Compresses an HTML page for a client that accepts gzip, whole and in memory, so it
/// leaves in one write with its length (a streamed, chunked body met delayed ACKs and
/// waited 40 ms per page). Other answers pass unchanged.
pub async fn compress_pages(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use std::io::Write;
    let gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let res = next.call(req).await?;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !gzip || !html || res.headers().contains_key(header::CONTENT_ENCODING) {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("page body"))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 4), flate2::Compression::fast());
    encoder.write_all(&bytes)?;
    let compressed = encoder.finish()?;
    head.headers_mut()
        .insert(header::CONTENT_ENCODING, header::HeaderValue::from_static("gzip"));
    head.headers_mut()
        .insert(header::VARY, header::HeaderValue::from_static("Accept-Encoding"));
    Ok(ServiceResponse::new(
        req,
        head.set_body(actix_web::body::BoxBody::new(compressed)),
    ))
}

/// A redirect after a form (303: the browser follows with GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, local_path(location)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Paths that belong to the API or operations and answer with problem documents.
fn is_api_path(path: &str) -> bool {
    ["/api/", "/openapi.json", "/docs", "/metrics", "/healthz", "/readyz"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Whether an error answer to this request is a page: a browser asking outside the API.
pub fn wants_page(req: &HttpRequest) -> bool {
    if is_api_path(req.path()) {
        return false;
    }
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    accepts_html || req.headers().contains_key("hx-request")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to_and_they_fit_a_header() {
        assert_eq!(local_path("/ideas?q=x"), "/ideas?q=x");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "ideas",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
        assert_eq!(local_path("/ideas?q=Bürger amt"), "/ideas?q=B%C3%BCrger%20amt");
        assert!(HeaderValue::from_str(&local_path("/ä\u{7f}")).is_ok());
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    status: u16,
    message: String,
}

/// The error page for a browser: the status with a plain sentence, a way back. A 401
/// sends the browser to the sign-in with the way back to where it was.
pub fn error_page<B>(res: ServiceResponse<B>) -> ServiceResponse<actix_web::body::BoxBody> {
    let status = res.status();
    let (req, response) = res.into_parts();
    if status == StatusCode::UNAUTHORIZED {
        let back = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = if req.method() == actix_web::http::Method::GET {
            format!("/login?next={}", encode(&local_path(back)))
        } else {
            "/login".to_owned()
        };
        return ServiceResponse::new(req, see_other(&target));
    }
    let lang = language(&req, "de");
    let t = texts::of(lang);
    let detail = response
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .map(|e| e.problem().detail);
    let message = match status.as_u16() {
        403 => match detail.as_deref() {
            Some(d) if d.contains("form") || d.contains("origin") => t.error_form_expired.to_owned(),
            _ => t.error_403.to_owned(),
        },
        404 | 405 => t.error_404.to_owned(),
        409 | 412 => detail
            .map(|d| crate::messages::localize(&d, lang))
            .unwrap_or_else(|| t.error_409.to_owned()),
        429 => t.error_429.to_owned(),
        s if s >= 500 => t.error_500.to_owned(),
        _ => t.error_400.to_owned(),
    };
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let html = state.and_then(|state| {
        ErrorPage {
            page: Page::new(&state, &req, lang, t.error_title),
            status: status.as_u16(),
            message,
        }
        .render()
        .ok()
    });
    let mut page = page_response(status, html.unwrap_or_else(|| status.to_string()));
    if let Some(retry) = response.headers().get(header::RETRY_AFTER).cloned() {
        page.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    ServiceResponse::new(req, page)
}

/// An error page with a message of its own (a refused sign-in says why, in general words).
pub fn message_page(req: &HttpRequest, state: &AppState, status: StatusCode, message: &str) -> HttpResponse {
    let lang = language(req, "de");
    let t = texts::of(lang);
    let html = ErrorPage {
        page: Page::new(state, req, lang, t.error_title),
        status: status.as_u16(),
        message: message.to_owned(),
    }
    .render()
    .unwrap_or_else(|_| message.to_owned());
    page_response(status, html)
}

/// A date as the page's language writes it: `03.12.2026`, `3 Dec 2026`.
pub fn date(lang: Lang, at: chrono::NaiveDateTime) -> String {
    match lang {
        Lang::De => at.format("%d.%m.%Y").to_string(),
        Lang::En => at.format("%-d %b %Y").to_string(),
    }
}

/// A date with the time of day (UTC shown as it is stored).
pub fn date_time(lang: Lang, at: chrono::NaiveDateTime) -> String {
    match lang {
        Lang::De => at.format("%d.%m.%Y, %H:%M").to_string(),
        Lang::En => at.format("%-d %b %Y, %H:%M").to_string(),
    }
}

/// A number as the page's language writes it (decimal comma in German).
pub fn number(lang: Lang, value: f64) -> String {
    let s = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    match lang {
        Lang::De => s.replace('.', ","),
        Lang::En => s,
    }
}
