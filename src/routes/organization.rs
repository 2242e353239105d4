//! The caller's organisation and its settings.

use actix_web::{HttpRequest, HttpResponse, get, patch, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Admin, AuthUser};
use crate::db;
use crate::domain::fields;
use crate::error::{ApiError, Problem, Validator};
use crate::extract::{ApiJson, ExpectedVersion, etag};
use crate::state::AppState;
use crate::store::organizations::{self, Organization, OrganizationChangeset};
use crate::store::{dimensions, questionnaires};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationResponse {
    pub id: String,
    pub name: String,
    pub slug: String,
    /// Language of texts when a caller names none (`de` or `en`).
    pub default_locale: String,
    /// Results of groups smaller than this are suppressed (k, at least 3).
    pub min_group_size: i64,
    /// A dimension scoring below this (0–100) counts as weak.
    pub weak_threshold: f64,
    /// The N lowest-scoring dimensions count as weak as well.
    pub weak_count: i64,
    /// An idea in one stage longer than this many days counts as stuck.
    pub stuck_stage_days: i64,
    /// Key of the reference questionnaire: its dimensions are the organisation's
    /// dimensions (weak dimensions, idea links, progress), whatever else is published.
    pub reference_questionnaire_key: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// What a change just made means (only in the answer to a change).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
}

impl From<Organization> for OrganizationResponse {
    fn from(o: Organization) -> Self {
        Self {
            id: o.id,
            name: o.name,
            slug: o.slug,
            default_locale: o.default_locale,
            min_group_size: o.min_group_size,
            weak_threshold: o.weak_threshold,
            weak_count: o.weak_count,
            stuck_stage_days: o.stuck_stage_days,
            reference_questionnaire_key: o.reference_questionnaire_key,
            version: o.version,
            created_at: o.created_at.and_utc(),
            updated_at: o.updated_at.and_utc(),
            notices: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1, "min_group_size": 7, "weak_threshold": 55.0}))]
pub struct UpdateOrganization {
    pub version: Option<i64>,
    pub name: Option<String>,
    pub default_locale: Option<String>,
    pub min_group_size: Option<i64>,
    pub weak_threshold: Option<f64>,
    pub weak_count: Option<i64>,
    pub stuck_stage_days: Option<i64>,
    /// Switch the reference questionnaire (a key with a published version). The answer
    /// says which dimensions the organisation gains and loses.
    pub reference_questionnaire_key: Option<String>,
}

impl UpdateOrganization {
    pub(crate) fn validate(&self) -> Result<OrganizationChangeset, ApiError> {
        let mut v = Validator::new();
        let name = self
            .name
            .as_deref()
            .and_then(|n| v.check("name", fields::text(n, 200, false)));
        if let Some(l) = &self.default_locale
            && !["de", "en"].contains(&l.as_str())
        {
            v.add("default_locale", "must be de or en");
        }
        if self.min_group_size.is_some_and(|k| !(3..=100).contains(&k)) {
            v.add(
                "min_group_size",
                "must be between 3 and 100: smaller groups could be re-identified",
            );
        }
        if self
            .weak_threshold
            .is_some_and(|t| !(0.0..=100.0).contains(&t) || t.is_nan())
        {
            v.add("weak_threshold", "must be between 0 and 100");
        }
        if self.weak_count.is_some_and(|n| !(0..=20).contains(&n)) {
            v.add("weak_count", "must be between 0 and 20");
        }
        if self.stuck_stage_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            v.add("stuck_stage_days", "must be between 1 and 3650");
        }
        v.finish()?;
        Ok(OrganizationChangeset {
            name,
            default_locale: self.default_locale.clone(),
            min_group_size: self.min_group_size,
            weak_threshold: self.weak_threshold,
            weak_count: self.weak_count,
            stuck_stage_days: self.stuck_stage_days,
            reference_questionnaire_key: self.reference_questionnaire_key.as_deref().map(|k| k.trim().to_owned()),
        })
    }
}

/// The caller's organisation with its settings.
#[utoipa::path(
    tag = "organization",
    security(("bearer" = [])),
    responses((status = 200, body = OrganizationResponse), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/organization")]
pub async fn get_organization(caller: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let org = db::run(&state.pool, move |conn| organizations::find(conn, &caller.org_id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(org.version))
        .json(OrganizationResponse::from(org)))
}

/// Change the organisation's name or settings.
#[utoipa::path(
    tag = "organization",
    params(("If-Match" = Option<String>, Header)),
    request_body = UpdateOrganization,
    security(("bearer" = [])),
    responses(
        (status = 200, body = OrganizationResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organization")]
pub async fn update_organization(
    req: HttpRequest,
    caller: Admin,
    state: web::Data<AppState>,
    body: ApiJson<UpdateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let expected = ExpectedVersion::resolve(&req, body.version)?;
    let changes = body.validate()?;
    let org_id = caller.org_id.clone();
    let version = expected.version;
    let actor = caller.id.clone();
    let outcome = db::run(&state.pool, move |conn| apply(conn, &org_id, &actor, version, &changes)).await?;
    let response = outcome.map_err(|current| expected.stale(current))?;
    Ok(HttpResponse::Ok().insert_header(etag(response.version)).json(response))
}

/// Applies validated changes to the organisation at `version` (`Ok(Err(current))` when
/// someone changed it meanwhile), with notices on what a change of the reference
/// questionnaire means. The API and the settings page both save through here.
pub(crate) fn apply(
    conn: &mut db::DbConnection,
    org_id: &str,
    actor: &str,
    version: i64,
    changes: &OrganizationChangeset,
) -> Result<Result<OrganizationResponse, i64>, ApiError> {
    db::write_tx(conn, |conn| apply_in_tx(conn, org_id, actor, version, changes))
}

fn apply_in_tx(
    conn: &mut db::DbConnection,
    org_id: &str,
    actor: &str,
    version: i64,
    changes: &OrganizationChangeset,
) -> Result<Result<OrganizationResponse, i64>, ApiError> {
    let previous = organizations::find(conn, org_id)?;
    let before = dimensions::current_keys(conn, org_id)?;
    if let Some(key) = &changes.reference_questionnaire_key
        && questionnaires::latest_published_of_key(conn, org_id, key)?.is_none()
    {
        return Err(ApiError::field(
            "reference_questionnaire_key",
            "no published questionnaire with this key in this organisation",
        ));
    }
    let org = match organizations::update(conn, org_id, version, changes)? {
        Ok(org) => org,
        Err(current) => return Ok(Err(current)),
    };
    let after = dimensions::current_keys(conn, org_id)?;
    // The audit trail: each setting that changed, before and after (k above all).
    let mut changed = serde_json::Map::new();
    let mut note = |key: &str, old: serde_json::Value, new: serde_json::Value| {
        if old != new {
            changed.insert(key.into(), serde_json::json!({"from": old, "to": new}));
        }
    };
    note("name", previous.name.clone().into(), org.name.clone().into());
    note(
        "default_locale",
        previous.default_locale.clone().into(),
        org.default_locale.clone().into(),
    );
    note(
        "min_group_size",
        previous.min_group_size.into(),
        org.min_group_size.into(),
    );
    note(
        "weak_threshold",
        previous.weak_threshold.into(),
        org.weak_threshold.into(),
    );
    note("weak_count", previous.weak_count.into(), org.weak_count.into());
    note(
        "stuck_stage_days",
        previous.stuck_stage_days.into(),
        org.stuck_stage_days.into(),
    );
    note(
        "reference_questionnaire_key",
        previous.reference_questionnaire_key.clone().into(),
        org.reference_questionnaire_key.clone().into(),
    );
    crate::store::audit::append(
        conn,
        org_id,
        crate::store::audit::Act::new(
            actor,
            "organization.settings_changed",
            "organization",
            org_id,
            changed.into(),
        ),
    )?;
    let mut response = OrganizationResponse::from(org);
    let gone: Vec<&String> = before.iter().filter(|k| !after.contains(k)).collect();
    let new: Vec<&String> = after.iter().filter(|k| !before.contains(k)).collect();
    if !gone.is_empty() || !new.is_empty() {
        response.notices.push(format!(
            "the organisation's dimensions are now those of {:?}: {}. No longer a dimension: {}. New: {}. \
             Ideas keep their links. Scores and weak dimensions come from rounds of this questionnaire; until \
             one has closed, none is weak.",
            response.reference_questionnaire_key,
            after.join(", "),
            if gone.is_empty() {
                "none".into()
            } else {
                gone.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            },
            if new.is_empty() {
                "none".into()
            } else {
                new.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            },
        ));
    }
    Ok(Ok(response))
}
