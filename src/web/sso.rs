//! Signing in with the organisation's OpenID provider: `/o/{slug}/login` (the sign-in page
//! of one organisation, with the "Mit Dienstkonto anmelden" button when configured),
//! `/o/{slug}/sso/start` (to the provider) and `/o/{slug}/sso/callback` (back, checked,
//! and then the same session as a password sign-in — or, for a sign-in started with
//! `?format=json`, the same tokens as `POST /api/v1/auth/login`).
//!
//! The sign-in under way is kept server-side (`sign_in_pending`: nonce, PKCE verifier,
//! where to return) under a digest of its state, and taken exactly once; the browser holds
//! the state in a short-lived HttpOnly cookie, so a callback is accepted only in the
//! browser that started it (another person's callback link signs nobody in).
//!
//! Start and callback are throttled per client address (`store::throttle::sso_request`):
//! each start stores a sign-in under way and asks the provider, so a flood from one
//! place is refused with 429 before either happens.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;

use super::session;
use super::{local_path, message_page, see_other};
use crate::auth::password::generate_password;
use crate::auth::sso::SsoError;
use crate::db;
use crate::error::ApiError;
use crate::extract::client_address;
use crate::routes::sign_in::{base_url, redirect_uri};
use crate::state::AppState;
use crate::store::sessions::{self, SessionKind};
use crate::store::sign_in::{self, Pending, SignInConfig};
use crate::store::{organizations, throttle, tokens};
use crate::views::sign_in::{AccountRefusal, resolve_account};

/// The browser's sign-in under way: its state.
pub const SSO_COOKIE: &str = "kaizen_sso";
/// How long a sign-in may take at the provider.
const PENDING_MINUTES: i64 = 10;

/// Counts this sign-in request from the client's address; 429 (with `Retry-After`, a page
/// for a browser) when the address has made too many.
async fn count_request(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let address = client_address(req, state.settings.trusted_proxies);
    let limit = state.settings.sso_requests_per_address;
    db::run(&state.pool, move |conn| throttle::sso_request(conn, &address, limit)).await
}

/// The organisation and its sign-in settings, by slug; `None` when there is no such
/// organisation.
async fn organization(
    state: &AppState,
    slug: String,
) -> Result<Option<(organizations::Organization, SignInConfig)>, ApiError> {
    db::run(&state.pool, move |conn| {
        match organizations::find_by_slug(conn, &slug)? {
            Some(org) => {
                let config = sign_in::find(conn, &org.id)?;
                Ok(Some((org, config)))
            }
            None => Ok(None),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct OrgLoginQuery {
    next: Option<String>,
}

/// The sign-in page of one organisation: no question which one, and the button to the
/// provider when sign-in with it is configured.
#[get("/o/{slug}/login")]
pub async fn organization_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<OrgLoginQuery>,
) -> Result<HttpResponse, ApiError> {
    let Some((org, _)) = organization(&state, path.into_inner()).await? else {
        return Err(ApiError::NotFound);
    };
    let next = local_path(query.next.as_deref().unwrap_or("/"));
    if session::current(&req, &state).await?.is_some() {
        return Ok(see_other(&next));
    }
    super::auth::organization_login_form(&req, &state, org.slug, next).await
}

#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
    /// `json`: the callback answers with access and refresh tokens instead of a session.
    format: Option<String>,
}

/// Sends the browser to the provider with a new state, nonce and PKCE challenge.
#[get("/o/{slug}/sso/start")]
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, ApiError> {
    count_request(&req, &state).await?;
    let Some((org, config)) = organization(&state, path.into_inner()).await? else {
        return Err(ApiError::NotFound);
    };
    if !config.usable() {
        return Err(ApiError::NotFound);
    }
    let api = query.format.as_deref() == Some("json");
    let redirect = redirect_uri(&base_url(&req, &state), &org.slug);
    let authorization = match state.sso.authorize(&config, &redirect).await {
        Ok(a) => a,
        Err(e) => return Ok(refused(&req, &state, api, &e)),
    };
    let pending = Pending {
        state_hash: session::digest(&authorization.state),
        org_id: org.id.clone(),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        redirect_uri: redirect,
        return_to: local_path(query.next.as_deref().unwrap_or("/")),
        mode: if api { "api" } else { "web" }.into(),
        expires_at: db::now() + chrono::Duration::minutes(PENDING_MINUTES),
    };
    db::run(&state.pool, move |conn| sign_in::begin(conn, &pending)).await?;
    let mut cookie = session::cookie(&state.settings, SSO_COOKIE, authorization.state);
    cookie.set_max_age(actix_web::cookie::time::Duration::minutes(PENDING_MINUTES));
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, authorization.url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    res.add_cookie(&cookie).map_err(ApiError::internal)?;
    Ok(res)
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a callback was refused; people read it in general words.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// State missing, not this browser's, unknown, used or expired.
    State,
    /// The person cancelled or the provider refused at its end.
    Denied,
    /// The provider's answer failed a check.
    Checks,
    /// The provider cannot be reached.
    Unavailable,
    Account(AccountRefusal),
}

fn refusal_response(req: &HttpRequest, state: &AppState, api: bool, why: Refusal) -> HttpResponse {
    let lang = super::language(req, "de");
    let t = super::texts::of(lang);
    let (status, text, api_error) = match why {
        Refusal::State => (
            StatusCode::BAD_REQUEST,
            t.sso_state,
            ApiError::BadRequest("the sign-in expired, was used already or was started elsewhere; start again".into()),
        ),
        Refusal::Denied => (
            StatusCode::UNAUTHORIZED,
            t.sso_denied,
            ApiError::Unauthorized("the sign-in service cancelled or refused the sign-in".into()),
        ),
        Refusal::Checks => (
            StatusCode::UNAUTHORIZED,
            t.sso_refused,
            ApiError::Unauthorized("the sign-in service's answer did not pass the checks".into()),
        ),
        Refusal::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            t.sso_unavailable,
            ApiError::Unavailable("the sign-in service cannot be reached".into()),
        ),
        Refusal::Account(AccountRefusal::NoEmail) => (
            StatusCode::FORBIDDEN,
            t.sso_no_email,
            ApiError::forbidden("the work account provides no valid e-mail address"),
        ),
        Refusal::Account(AccountRefusal::EmailUnverified) => (
            StatusCode::FORBIDDEN,
            t.sso_email_unverified,
            ApiError::forbidden(
                "the sign-in service does not confirm that the work account's e-mail address is verified",
            ),
        ),
        Refusal::Account(AccountRefusal::Refused) => (
            StatusCode::FORBIDDEN,
            t.sso_account,
            ApiError::forbidden("you cannot sign in to kaizen with this work account"),
        ),
    };
    let mut res = if api {
        actix_web::ResponseError::error_response(&api_error)
    } else {
        message_page(req, state, status, text)
    };
    let mut gone = session::cookie(&state.settings, SSO_COOKIE, String::new());
    gone.make_removal();
    let _ = res.add_cookie(&gone);
    res
}

fn refused(req: &HttpRequest, state: &AppState, api: bool, e: &SsoError) -> HttpResponse {
    tracing::warn!(error = %e, "sign-in with the provider refused");
    let why = match e {
        SsoError::Unavailable(_) => Refusal::Unavailable,
        SsoError::Refused(_) => Refusal::Checks,
    };
    refusal_response(req, state, api, why)
}

/// The provider sends the browser back here: the state must be this browser's and a
/// sign-in under way (taken now, so never twice), the code is exchanged with the PKCE
/// verifier, the ID token verified, and the account found or created.
#[get("/o/{slug}/sso/callback")]
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    count_request(&req, &state).await?;
    let query = query.into_inner();
    // Until the sign-in under way is found, nobody knows it was an API one: answer with pages.
    let api_hint = false;
    let Some((org, config)) = organization(&state, path.into_inner()).await? else {
        return Err(ApiError::NotFound);
    };
    let presented = query.state.clone().unwrap_or_default();
    let ours = req.cookie(SSO_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    // The state must be the one this browser was sent off with: a callback link from
    // someone else's sign-in would otherwise sign this browser into their account.
    if presented.is_empty()
        || ours.is_empty()
        || !crate::routes::ops::constant_time_eq(presented.as_bytes(), ours.as_bytes())
    {
        return Ok(refusal_response(&req, &state, api_hint, Refusal::State));
    }
    let (org_id, hashed) = (org.id.clone(), session::digest(&presented));
    let Some(pending) = db::run(&state.pool, move |conn| sign_in::take(conn, &org_id, &hashed)).await? else {
        return Ok(refusal_response(&req, &state, api_hint, Refusal::State));
    };
    let api = pending.mode == "api";
    if query.error.is_some() {
        tracing::info!(
            error = query.error.as_deref().unwrap_or_default(),
            "the provider refused the sign-in"
        );
        return Ok(refusal_response(&req, &state, api, Refusal::Denied));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty()) else {
        return Ok(refusal_response(&req, &state, api, Refusal::State));
    };
    if !config.usable() {
        return Err(ApiError::NotFound);
    }
    let identity = match state
        .sso
        .finish(
            &config,
            &pending.redirect_uri,
            code,
            pending.pkce_verifier,
            pending.nonce,
        )
        .await
    {
        Ok(identity) => identity,
        Err(e) => return Ok(refused(&req, &state, api, &e)),
    };
    // An account created now gets a password nobody knows: it signs in through the provider.
    let unusable = state.passwords.hash(generate_password()).await?;
    let secret = session::new_secret()?;
    let hashed = session::digest(&secret);
    let lifetime = chrono::Duration::hours(state.settings.web_session_hours);
    let outcome = db::run(&state.pool, move |conn| {
        let user = match resolve_account(conn, &config, &identity, unusable)? {
            Ok(user) => user,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if api {
            let session_id = sessions::start(conn, &user, SessionKind::Api, tokens::lifetime(), None)?;
            let refresh = tokens::issue(conn, &user, &session_id)?;
            Ok(Ok((user, Some((session_id, refresh)))))
        } else {
            sessions::start(conn, &user, SessionKind::Web, lifetime, Some(&hashed))?;
            Ok(Ok((user, None)))
        }
    })
    .await?;
    let (user, api_session) = match outcome {
        Ok(done) => done,
        Err(refusal) => {
            tracing::info!("sign-in with the provider refused for the account");
            return Ok(refusal_response(&req, &state, api, Refusal::Account(refusal)));
        }
    };
    tracing::info!("login with the provider");
    let mut gone = session::cookie(&state.settings, SSO_COOKIE, String::new());
    gone.make_removal();
    let mut res = match api_session {
        Some((session_id, refresh)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(crate::routes::auth::token_response(
                &state,
                &user,
                &session_id,
                refresh,
            )?),
        None => {
            let mut res = see_other(&pending.return_to);
            res.add_cookie(&session::session_cookie(&state.settings, Some(secret)))
                .map_err(ApiError::internal)?;
            res
        }
    };
    res.add_cookie(&gone).map_err(ApiError::internal)?;
    Ok(res)
}
