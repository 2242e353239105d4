//! Browser sessions (UI.md, "Sessions and safety"). Signing in creates a row in
//! `sessions` (kind `web`) and gives the browser a random secret in a cookie; the database
//! keeps only the secret's SHA-256 digest. Every request looks the session up by that
//! digest and checks it as an API request checks its token's session (`account`), so
//! logout, a password change or reset and deactivation end it at once. A session also
//! ends after `KAIZEN_WEB_IDLE_MINUTES` without a request and `KAIZEN_WEB_SESSION_HOURS`
//! after sign-in.
//!
//! Forms that change something carry a token derived from the session's secret (it
//! cannot be read by another site and changes with every sign-in), and their `Origin`
//! (or, failing that, `Referer`) must be this site.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use futures_util::future::LocalBoxFuture;
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::auth::extractors::account;
use crate::config::Settings;
use crate::db;
use crate::domain::locale::Lang;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::sessions;

/// The session cookie over plain HTTP (a local installation, tests).
pub const COOKIE: &str = "kaizen_session";
/// The session cookie over HTTPS: `__Host-` binds it to this host and path `/`.
pub const SECURE_COOKIE: &str = "__Host-kaizen_session";
/// A random value for the sign-in form, which has no session yet to bind its token to.
pub const LOGIN_COOKIE: &str = "kaizen_login";
/// The language chosen with the switch in the page header.
pub const LANG_COOKIE: &str = "kaizen_lang";
/// The form field and the htmx header carrying the token.
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A new random secret: 256 bits, URL-safe.
pub fn new_secret() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a secret.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The form token of a session: derived from its secret, so only a page of this session
/// can know it.
pub fn csrf_token(secret: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"kaizen web form token\0");
    h.update(secret.as_bytes());
    h.finalize().into()
}

/// The token as a page carries it: a fresh random pad and the token XOR the pad. Pages
/// are compressed, and a token that stood the same in every page beside text an attacker
/// can make the page reflect could be read byte by byte from the compressed sizes
/// (BREACH); masked anew for every response it has nothing to match.
pub fn masked(token: &[u8; 32]) -> Result<String, ApiError> {
    let mut pad = [0u8; 32];
    getrandom::fill(&mut pad).map_err(ApiError::internal)?;
    let mut out = pad.to_vec();
    out.extend(pad.iter().zip(token).map(|(p, t)| p ^ t));
    Ok(URL_SAFE_NO_PAD.encode(out))
}

/// Whether a presented (masked) token is the session's, compared in constant time.
pub fn token_matches(presented: &str, token: &[u8; 32]) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(presented) else {
        return false;
    };
    if bytes.len() != 64 {
        return false;
    }
    let (pad, body) = bytes.split_at(32);
    let unmasked: Vec<u8> = pad.iter().zip(body).map(|(p, b)| p ^ b).collect();
    crate::routes::ops::constant_time_eq(&unmasked, token)
}

pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.https() { SECURE_COOKIE } else { COOKIE }
}

/// A cookie only this site's pages send and no script can read.
pub fn cookie<'a>(settings: &Settings, name: &'a str, value: String) -> Cookie<'a> {
    let mut c = Cookie::new(name, value);
    c.set_path("/");
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_secure(settings.https());
    c
}

/// The session cookie, or one that removes it.
pub fn session_cookie(settings: &Settings, secret: Option<String>) -> Cookie<'static> {
    let name = cookie_name(settings);
    match secret {
        Some(s) => cookie(settings, name, s),
        None => {
            let mut c = cookie(settings, name, String::new());
            c.make_removal();
            c
        }
    }
}

/// The signed-in person of a browser request, with what the page layout shows.
#[derive(Debug, Clone)]
pub struct WebUser {
    pub user: AuthUser,
    pub session_id: String,
    /// The form token masked for this response (`masked`); the pages embed it.
    pub csrf: String,
    /// The session's form token itself, to check what comes back.
    pub csrf_token: [u8; 32],
    pub org_name: String,
    pub org_locale: String,
    /// The language of the pages for this person.
    pub lang: Lang,
}

/// Where a browser without a (valid) session goes.
#[derive(Debug)]
pub enum Gate {
    /// Sign in first (then come back to `next`).
    SignIn {
        next: String,
    },
    /// Replace the generated password first.
    ChangePassword,
    Failed(ApiError),
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gate::SignIn { .. } => f.write_str("sign in first"),
            Gate::ChangePassword => f.write_str("replace the generated password first"),
            Gate::Failed(e) => e.fmt(f),
        }
    }
}

impl ResponseError for Gate {
    fn status_code(&self) -> StatusCode {
        match self {
            Gate::Failed(e) => e.status_code(),
            _ => StatusCode::SEE_OTHER,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Gate::SignIn { next } => {
                let target = if next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", super::encode(next))
                };
                super::see_other(&target)
            }
            Gate::ChangePassword => super::see_other("/password"),
            Gate::Failed(e) => e.error_response(),
        }
    }
}

/// Looks up the browser's session and its account; `None` when there is none or it ended
/// (an idle session is ended here, for good).
pub async fn current(req: &HttpRequest, state: &AppState) -> Result<Option<WebUser>, ApiError> {
    let Some(secret) = req
        .cookie(cookie_name(&state.settings))
        .map(|c| c.value().to_owned())
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let idle = Duration::minutes(state.settings.web_idle_minutes);
    let hashed = digest(&secret);
    let found = db::run(&state.pool, move |conn| {
        let Some((session, user, org_name, org_locale)) = sessions::web_lookup(conn, &hashed)? else {
            return Ok(None);
        };
        let now = db::now();
        if !session.is_live(now) {
            return Ok(None);
        }
        if session.last_seen_at + idle <= now {
            sessions::revoke(conn, &user.org_id, &session.id)?;
            return Ok(None);
        }
        // The same checks as for an access token: the account exists, is active, and this
        // is its session.
        let org_id = user.org_id.clone();
        let Ok(caller) = account(Some(user), Some(&session), &org_id) else {
            return Ok(None);
        };
        // The idle clock restarts with a request; once a minute is precise enough and
        // spares a write per page.
        if session.last_seen_at + Duration::minutes(1) <= now {
            sessions::touch(conn, &caller.org_id, &session.id)?;
        }
        Ok(Some((caller, session.id, org_name, org_locale)))
    })
    .await?;
    let token = csrf_token(&secret);
    let csrf = masked(&token)?;
    Ok(found.map(|(user, session_id, org_name, org_locale)| {
        let lang = super::language(req, &org_locale);
        WebUser {
            user,
            session_id,
            csrf,
            csrf_token: token,
            org_name,
            org_locale,
            lang,
        }
    }))
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))
}

/// The page's path to come back to after signing in.
fn next_of(req: &HttpRequest) -> String {
    if req.method() == Method::GET {
        super::local_path(req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/"))
    } else {
        "/".into()
    }
}

/// A signed-in person who may use kaizen (generated password replaced). A state-changing
/// request must also pass `verify_form`.
impl FromRequest for WebUser {
    type Error = Gate;
    type Future = LocalBoxFuture<'static, Result<Self, Gate>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req).map_err(Gate::Failed)?;
            match current(&req, &state).await.map_err(Gate::Failed)? {
                None => Err(Gate::SignIn { next: next_of(&req) }),
                Some(u) if u.user.must_change_password => Err(Gate::ChangePassword),
                Some(u) => Ok(u),
            }
        })
    }
}

/// A signed-in person who may still have to replace a generated password (only the
/// password page and logout take this).
#[derive(Debug, Clone)]
pub struct AnyWebUser(pub WebUser);

impl FromRequest for AnyWebUser {
    type Error = Gate;
    type Future = LocalBoxFuture<'static, Result<Self, Gate>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req).map_err(Gate::Failed)?;
            match current(&req, &state).await.map_err(Gate::Failed)? {
                None => Err(Gate::SignIn { next: next_of(&req) }),
                Some(u) => Ok(AnyWebUser(u)),
            }
        })
    }
}

/// The origin the browser says a request comes from: `Origin`, else `Referer`'s.
fn request_origin(req: &HttpRequest) -> Option<String> {
    if let Some(o) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && o != "null"
    {
        return Some(o.trim_end_matches('/').to_owned());
    }
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let (scheme, rest) = referer.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// Whether the request comes from a page of this site: the configured public address,
/// else the host the browser addressed.
pub fn same_origin(req: &HttpRequest, settings: &Settings) -> bool {
    let Some(origin) = request_origin(req) else {
        return false;
    };
    match &settings.public_url {
        Some(public) => origin.eq_ignore_ascii_case(public.trim_end_matches('/')),
        None => {
            let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
            let origin_host = origin.split_once("://").map(|(_, h)| h);
            matches!((host, origin_host), (Some(h), Some(o)) if h.eq_ignore_ascii_case(o))
        }
    }
}

/// Refuses (403, nothing done) a state-changing request without this session's form
/// token (`csrf_token` field or `X-CSRF-Token` header) or from another site.
pub fn verify_form(req: &HttpRequest, user: &WebUser, field: Option<&str>) -> Result<(), ApiError> {
    let state = state_of(req)?;
    let header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let presented = field.filter(|t| !t.is_empty()).or(header);
    if !presented.is_some_and(|p| token_matches(p, &user.csrf_token)) {
        return Err(ApiError::forbidden(
            "the form token is missing or wrong; reload the page",
        ));
    }
    if !same_origin(req, &state.settings) {
        return Err(ApiError::forbidden("the form was sent from another origin"));
    }
    Ok(())
}
