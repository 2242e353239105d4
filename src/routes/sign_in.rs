//! The organisation's single sign-on settings (admins only): which OpenID provider people
//! sign in with, how its groups become roles and units, and whether password sign-in is
//! still open to everyone. The client secret is write-only.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::state::AppState;
use crate::store::organizations;
use crate::store::sign_in::{self, GroupMapping, SignInConfig};
use crate::views::sign_in::{self as views, SignInInput};

/// A provider group and the role (and unit) it gives.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"group": "kaizen-leads-buergeramt", "role": "lead", "unit_id": "0193a3c4-0000-7000-8000-000000000001"}))]
pub struct GroupMappingBody {
    /// The group's name (or id, as Entra ID sends object ids) in the groups claim.
    pub group: String,
    /// employee, lead, manager or admin.
    pub role: String,
    /// The unit people of this group belong to.
    pub unit_id: Option<String>,
}

/// The sign-in settings as an admin reads them. The client secret is never shown, only
/// whether one is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInResponse {
    /// Sign-in with the provider is offered.
    pub enabled: bool,
    /// The provider's issuer, e.g. `https://login.example.org/realms/kommune`.
    pub issuer_url: String,
    pub client_id: String,
    /// Whether a client secret is stored (it is never returned).
    pub client_secret_set: bool,
    pub scopes: Vec<String>,
    /// The ID token claim that holds the e-mail address.
    pub email_claim: String,
    /// The ID token claim that lists the person's groups.
    pub groups_claim: String,
    /// Groups to roles and units; the highest role among a person's groups wins. When
    /// any is configured, every sign-in sets role (employee when no group matches) and
    /// unit (when the matching mapping names one).
    pub group_mappings: Vec<GroupMappingBody>,
    /// False: only admins may still sign in with a password (break-glass); everyone else
    /// signs in through the provider.
    pub password_login: bool,
    /// Whether an e-mail address may make or link an account when the ID token does not
    /// say whether the provider verified it (no `email_verified` claim, as with Microsoft
    /// Entra ID). An address with `email_verified: false` is never used.
    pub trust_email_without_verified: bool,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    /// The organisation's sign-in page.
    pub login_url: String,
    /// 0 until the settings are first saved.
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The complete settings (a replacement, not a patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "version": 0, "enabled": true,
    "issuer_url": "https://sso.kreis-beispiel.de/realms/musterstadt",
    "client_id": "kaizen", "client_secret": "…",
    "scopes": ["openid", "email", "profile"],
    "email_claim": "email", "groups_claim": "groups",
    "group_mappings": [{"group": "kaizen-leads-buergeramt", "role": "lead", "unit_id": "0193a3c4-0000-7000-8000-000000000001"}],
    "password_login": true, "trust_email_without_verified": true
}))]
pub struct ReplaceSignIn {
    /// The version read (0 before the first save), or send `If-Match`.
    pub version: Option<i64>,
    pub enabled: bool,
    #[serde(default)]
    pub issuer_url: String,
    #[serde(default)]
    pub client_id: String,
    /// Write-only. Absent: the stored secret stays; empty: it is removed (a public
    /// client that authenticates with PKCE alone).
    pub client_secret: Option<String>,
    /// Must contain `openid`. Default: openid, email, profile.
    pub scopes: Option<Vec<String>>,
    /// Default `email`.
    pub email_claim: Option<String>,
    /// Default `groups`.
    pub groups_claim: Option<String>,
    #[serde(default)]
    pub group_mappings: Vec<GroupMappingBody>,
    /// Default true.
    pub password_login: Option<bool>,
    /// Default true (Entra ID sends no `email_verified`); false refuses such tokens
    /// unless the person's account is linked already.
    pub trust_email_without_verified: Option<bool>,
}

/// The address people reach this service at: `KAIZEN_PUBLIC_URL`, else what the
/// request addressed.
pub fn base_url(req: &HttpRequest, state: &AppState) -> String {
    match &state.settings.public_url {
        Some(u) => u.trim_end_matches('/').to_owned(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

pub fn redirect_uri(base: &str, slug: &str) -> String {
    format!("{base}/o/{slug}/sso/callback")
}

fn response(config: &SignInConfig, base: &str, slug: &str) -> SignInResponse {
    SignInResponse {
        enabled: config.enabled,
        issuer_url: config.issuer_url.clone(),
        client_id: config.client_id.clone(),
        client_secret_set: config.client_secret.is_some(),
        scopes: config.scope_list(),
        email_claim: config.email_claim.clone(),
        groups_claim: config.groups_claim.clone(),
        group_mappings: config
            .mappings()
            .into_iter()
            .map(|m| GroupMappingBody {
                group: m.group,
                role: m.role,
                unit_id: m.unit_id,
            })
            .collect(),
        password_login: config.password_login,
        trust_email_without_verified: config.trust_email_without_verified,
        redirect_uri: redirect_uri(base, slug),
        login_url: format!("{base}/o/{slug}/login"),
        version: config.version,
        updated_at: (config.version > 0).then(|| config.updated_at.and_utc()),
    }
}

/// The organisation's single sign-on settings (admins).
#[utoipa::path(
    tag = "organization",
    security(("bearer" = [])),
    responses((status = 200, body = SignInResponse))
)]
#[get("/organization/sign-in")]
pub async fn get_sign_in(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let org_id = caller.org_id.clone();
    let (config, org) = db::run(&state.pool, move |conn| {
        Ok((sign_in::find(conn, &org_id)?, organizations::find(conn, &org_id)?))
    })
    .await?;
    let base = base_url(&req, &state);
    Ok(HttpResponse::Ok()
        .insert_header(etag(config.version))
        .json(response(&config, &base, &org.slug)))
}

/// Replace the organisation's single sign-on settings (admins).
///
/// Every change is written to the audit trail (of the client secret only that it changed).
#[utoipa::path(
    tag = "organization",
    params(("If-Match" = Option<String>, Header)),
    request_body = ReplaceSignIn,
    security(("bearer" = [])),
    responses(
        (status = 200, body = SignInResponse),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/organization/sign-in")]
pub async fn replace_sign_in(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    body: ApiJson<ReplaceSignIn>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let input = SignInInput {
        enabled: body.enabled,
        issuer_url: body.issuer_url,
        client_id: body.client_id,
        client_secret: body.client_secret,
        scopes: body
            .scopes
            .unwrap_or_else(|| vec!["openid".into(), "email".into(), "profile".into()]),
        email_claim: body.email_claim.unwrap_or_else(|| "email".into()),
        groups_claim: body.groups_claim.unwrap_or_else(|| "groups".into()),
        group_mappings: body
            .group_mappings
            .into_iter()
            .map(|m| GroupMapping {
                group: m.group,
                role: m.role,
                unit_id: m.unit_id,
            })
            .collect(),
        password_login: body.password_login.unwrap_or(true),
        trust_email_without_verified: body.trust_email_without_verified.unwrap_or(true),
    };
    let (org_id, actor, version) = (caller.org_id.clone(), caller.id.clone(), expected.version);
    let outcome = db::run(&state.pool, move |conn| {
        let stored = sign_in::find(conn, &org_id)?;
        let new = views::validate(input, &stored)?;
        let org = organizations::find(conn, &org_id)?;
        Ok(views::replace(conn, &actor, version, new)?.map(|c| (c, org.slug)))
    })
    .await?;
    let (config, slug) = outcome.map_err(|current| expected.stale(current))?;
    state.sso.forget(&config.org_id);
    tracing::info!(by = %caller.id, "sign-in settings changed");
    let base = base_url(&req, &state);
    Ok(HttpResponse::Ok()
        .insert_header(etag(config.version))
        .json(response(&config, &base, &slug)))
}
