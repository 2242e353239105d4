//! Signing in and out, the forced change of a generated password, the language switch.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::form::{Fields, Problems};
use super::session::{self, AnyWebUser, LOGIN_COOKIE};
use super::{Page, local_path, render, see_other};
use crate::db;
use crate::error::ApiError;
use crate::extract::client_address;
use crate::state::AppState;
use crate::store::{organizations, sessions, sign_in};
use crate::views::account::{self, Credentials};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    problems: Problems,
    notice: Option<&'static str>,
    email: String,
    organization: String,
    ask_organization: bool,
    token: String,
    next: String,
    /// The organisation is given by the address (`/o/{slug}/login`): sent along, not asked.
    fixed_organization: bool,
    /// Where the "Mit Dienstkonto anmelden" button leads, when the organisation has a provider.
    sso_url: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    ended: Option<String>,
    out: Option<String>,
}

/// The sign-in form. Its token is a random value in a cookie and in the form (no session
/// exists yet to bind it to); another site can set neither.
async fn login_form(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    problems: Problems,
    notice: Option<&'static str>,
    (email, organization, next): (String, String, String),
    fixed_organization: bool,
) -> Result<HttpResponse, ApiError> {
    // Which organisation's provider to offer: the one named, else the only one.
    let named = fixed_organization.then(|| organization.clone());
    let (count, sso_slug) = db::run(&state.pool, move |conn| {
        let count = organizations::count(conn)?;
        let org = match named {
            Some(slug) => organizations::find_by_slug(conn, &slug)?,
            None => organizations::only_one(conn)?,
        };
        let sso = match org {
            Some(org) => sign_in::find(conn, &org.id)?.usable().then_some(org.slug),
            None => None,
        };
        Ok((count, sso))
    })
    .await?;
    let ask_organization = count > 1 && !fixed_organization;
    let sso_url = sso_slug.map(|slug| {
        if next == "/" {
            format!("/o/{slug}/sso/start")
        } else {
            format!("/o/{slug}/sso/start?next={}", super::encode(&next))
        }
    });
    let lang = super::language(req, "de");
    let token = session::new_secret()?;
    let mut page = Page::new(state, req, lang, super::texts::of(lang).login_title);
    page.nav = "login";
    page.invalid = !problems.is_empty();
    let mut res = render(
        status,
        &LoginPage {
            page,
            problems,
            notice,
            email,
            organization,
            ask_organization,
            token: token.clone(),
            next,
            fixed_organization,
            sso_url,
        },
    )?;
    res.add_cookie(&session::cookie(&state.settings, LOGIN_COOKIE, token))
        .map_err(ApiError::internal)?;
    Ok(res)
}

#[get("/login")]
pub async fn login_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let next = local_path(query.next.as_deref().unwrap_or("/"));
    if session::current(&req, &state).await?.is_some() {
        return Ok(see_other(&next));
    }
    let lang = super::language(&req, "de");
    let t = super::texts::of(lang);
    let notice = if query.ended.is_some() {
        Some(t.session_ended)
    } else if query.out.is_some() {
        Some(t.logged_out)
    } else {
        None
    };
    login_form(
        &req,
        &state,
        StatusCode::OK,
        Problems::default(),
        notice,
        (String::new(), String::new(), next),
        false,
    )
    .await
}

/// The sign-in page of the organisation with this slug (`/o/{slug}/login`).
pub async fn organization_login_form(
    req: &HttpRequest,
    state: &AppState,
    slug: String,
    next: String,
) -> Result<HttpResponse, ApiError> {
    login_form(
        req,
        state,
        StatusCode::OK,
        Problems::default(),
        None,
        (String::new(), slug, next),
        true,
    )
    .await
}

#[post("/login")]
pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    let lang = super::language(&req, "de");
    let t = super::texts::of(lang);
    let expected = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    if expected.as_deref().is_none_or(|e| {
        e.is_empty() || !crate::routes::ops::constant_time_eq(e.as_bytes(), form.get(session::CSRF_FIELD).as_bytes())
    }) || !session::same_origin(&req, &state.settings)
    {
        return Err(ApiError::forbidden(
            "the form token is missing or wrong; reload the page",
        ));
    }
    let (email, organization) = (form.get("email").to_owned(), form.get("organization").to_owned());
    let next = local_path(form.get("next"));
    let keep = (email.clone(), organization.clone(), next.clone());
    let fixed = form.get("fixed_organization") == "1";
    let mut problems = Problems::default();
    if email.is_empty() || form.raw("password").is_empty() {
        problems.add(
            if email.is_empty() { "email" } else { "password" },
            if email.is_empty() { t.email } else { t.password },
            t.login_required,
        );
        return login_form(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            problems,
            None,
            keep,
            fixed,
        )
        .await;
    }
    let credentials = Credentials {
        email,
        password: form.raw("password").to_owned(),
        organization: Some(organization).filter(|o| !o.is_empty()),
        address: client_address(&req, state.settings.trusted_proxies),
    };
    let verified = match account::verify(&state, credentials).await {
        Ok(v) => v,
        Err(ApiError::Unauthorized(_)) => {
            problems.add("email", t.email, t.login_failed);
            return login_form(&req, &state, StatusCode::UNAUTHORIZED, problems, None, keep, fixed).await;
        }
        Err(ApiError::Forbidden(_)) => {
            problems.add("email", t.email, t.sso_password_off);
            return login_form(&req, &state, StatusCode::FORBIDDEN, problems, None, keep, fixed).await;
        }
        Err(ApiError::Validation(_)) => {
            problems.add("organization", t.organization, t.organization_hint);
            return login_form(
                &req,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                problems,
                None,
                keep,
                fixed,
            )
            .await;
        }
        Err(e) => return Err(e),
    };
    // A new secret for every sign-in: a cookie planted before cannot become a session.
    let secret = session::new_secret()?;
    let user = account::start_web(&state, verified, session::digest(&secret)).await?;
    let target = if user.must_change_password {
        "/password".to_owned()
    } else {
        next
    };
    let mut res = see_other(&target);
    res.add_cookie(&session::session_cookie(&state.settings, Some(secret)))
        .map_err(ApiError::internal)?;
    let mut gone = session::cookie(&state.settings, LOGIN_COOKIE, String::new());
    gone.make_removal();
    res.add_cookie(&gone).map_err(ApiError::internal)?;
    Ok(res)
}

/// Ends this browser's session (the form token is required: another site must not be
/// able to sign people out either).
#[post("/logout")]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AnyWebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    let user = user.0;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let (org_id, id) = (user.user.org_id.clone(), user.session_id.clone());
    db::run(&state.pool, move |conn| sessions::revoke(conn, &org_id, &id)).await?;
    let mut res = see_other("/login?out=1");
    res.add_cookie(&session::session_cookie(&state.settings, None))
        .map_err(ApiError::internal)?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    page: Page,
    problems: Problems,
    forced: bool,
}

fn password_form(
    req: &HttpRequest,
    state: &AppState,
    user: &session::WebUser,
    status: StatusCode,
    problems: Problems,
) -> Result<HttpResponse, ApiError> {
    let mut page = super::home::page_for(state, req, user, super::texts::of(user.lang).password_title);
    page.nav = "password";
    page.invalid = !problems.is_empty();
    render(
        status,
        &PasswordPage {
            page,
            problems,
            forced: user.user.must_change_password,
        },
    )
}

#[get("/password")]
pub async fn password_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AnyWebUser,
) -> Result<HttpResponse, ApiError> {
    password_form(&req, &state, &user.0, StatusCode::OK, Problems::default())
}

#[post("/password")]
pub async fn password_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AnyWebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    let user = user.0;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let t = super::texts::of(user.lang);
    let mut problems = Problems::default();
    let (current, new, repeat) = (
        form.raw("current_password"),
        form.raw("new_password"),
        form.raw("repeat_password"),
    );
    if current.is_empty() {
        problems.add(
            "current_password",
            t.current_password,
            crate::messages::localize("must not be empty", user.lang),
        );
    }
    if new != repeat {
        problems.add("repeat_password", t.repeat_password, t.passwords_differ);
    }
    if problems.is_empty() {
        let address = client_address(&req, state.settings.trusted_proxies);
        match account::change_password(&state, &user.user, address, current.to_owned(), new).await {
            Ok(account) => {
                // Every session ended with the change; this browser continues in a new
                // one, started for the account as the change left it: if an
                // administrator reset the password in between, it is refused.
                let secret = session::new_secret()?;
                let hashed = session::digest(&secret);
                let lifetime = chrono::Duration::hours(state.settings.web_session_hours);
                db::run(&state.pool, move |conn| {
                    sessions::start(conn, &account, sessions::SessionKind::Web, lifetime, Some(&hashed))
                })
                .await?;
                let mut res = see_other("/?password=changed");
                res.add_cookie(&session::session_cookie(&state.settings, Some(secret)))
                    .map_err(ApiError::internal)?;
                return Ok(res);
            }
            Err(ApiError::Forbidden(_)) => {
                problems.add(
                    "current_password",
                    t.current_password,
                    crate::messages::localize("the current password is wrong", user.lang),
                );
            }
            Err(e) => {
                problems.absorb(
                    e,
                    user.lang,
                    |_| Some(("new_password".into(), t.new_password.into())),
                    ("new_password", t.new_password),
                )?;
            }
        }
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    password_form(&req, &state, &user, status, problems)
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    back: Option<String>,
}

/// The language switch: remembered in a cookie for a year, then back to the page.
#[get("/lang")]
pub async fn language(state: web::Data<AppState>, query: web::Query<LanguageQuery>) -> Result<HttpResponse, ApiError> {
    let lang = match query.to.as_str() {
        "en" => "en",
        _ => "de",
    };
    let mut res = see_other(&local_path(query.back.as_deref().unwrap_or("/")));
    let mut c = session::cookie(&state.settings, session::LANG_COOKIE, lang.to_owned());
    c.set_max_age(actix_web::cookie::time::Duration::days(365));
    res.add_cookie(&c).map_err(ApiError::internal)?;
    Ok(res)
}
