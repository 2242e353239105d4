//! The audit trail for admins: every administrative act, newest first, with filters and
//! keyset paging, and a check of the organisation's hash chain.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Admin;
use crate::db;
use crate::error::{ApiError, Problem};
use crate::page_type;
use crate::pagination::{PageParams, finish_page};
use crate::state::AppState;
use crate::store::audit::{self, Entry, Filter};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019aeb6e-2f4a-7c11-9d3f-2a9c4e5f6a7b", "seq": 42, "at": "2026-12-04T05:01:12Z",
    "actor_id": "019a6a90-1111-7abc-8def-0123456789ab", "action": "organization.settings_changed",
    "object_type": "organization", "object_id": "019a6a8f-0000-7abc-8def-0123456789ab",
    "details": {"min_group_size": {"from": 5, "to": 7}},
    "hash": "3f1c…"
}))]
pub struct AuditEntry {
    pub id: String,
    /// Position in the organisation's chain, from 1.
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// `null` for acts of the service itself (the scheduler).
    pub actor_id: Option<String>,
    /// E.g. `user.created`, `user.changed`, `user.erased`, `unit.deleted`,
    /// `questionnaire.published`, `round.closed`, `schedule.saved`,
    /// `organization.settings_changed`, `user.data_exported`, `staff.imported`.
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    /// What changed: ids and values, never names, e-mail addresses or survey answers.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// SHA-256 over the previous entry's hash and this entry.
    pub hash: String,
}

impl From<Entry> for AuditEntry {
    fn from(e: Entry) -> Self {
        Self {
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::String(e.details.clone())),
            id: e.id,
            seq: e.seq,
            at: e.at.and_utc(),
            actor_id: e.actor_id,
            action: e.action,
            object_type: e.object_type,
            object_id: e.object_id,
            hash: e.hash,
        }
    }
}

page_type!(AuditPage, AuditEntry);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilterParams {
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub object_id: Option<String>,
    /// Entries at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this moment.
    pub to: Option<DateTime<Utc>>,
}

/// The organisation's audit trail, newest first (admins).
#[utoipa::path(
    tag = "audit",
    params(PageParams, AuditFilterParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AuditPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    caller: Admin,
    state: web::Data<AppState>,
    page: web::Query<PageParams>,
    filter: web::Query<AuditFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page.limit()?;
    let before: Option<i64> = page.after()?;
    let f = filter.into_inner();
    let filter = Filter {
        action: f.action,
        actor_id: f.actor_id,
        object_id: f.object_id,
        from: f.from.map(|t| t.naive_utc()),
        to: f.to.map(|t| t.naive_utc()),
    };
    let org = caller.org_id.clone();
    let rows = db::run(&state.pool, move |conn| {
        audit::list(conn, &org, &filter, before, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = finish_page(rows, limit, |e| e.seq);
    Ok(HttpResponse::Ok().json(AuditPage {
        items: rows.into_iter().map(AuditEntry::from).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditFinding {
    pub seq: i64,
    pub id: Option<String>,
    pub problem: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"intact": false, "entries": 41, "findings": [{"seq": 17, "id": "019aeb6e-…", "problem": "edited: the entry does not match its hash"}]}))]
pub struct AuditVerification {
    /// No entry edited, inserted or deleted.
    pub intact: bool,
    pub entries: i64,
    pub findings: Vec<AuditFinding>,
}

/// Checks the organisation's hash chain (admins): names every edited, inserted or deleted
/// entry. The same check runs as `kaizen audit verify`.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    responses(
        (status = 200, body = AuditVerification),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit/verify")]
pub async fn verify_audit(caller: Admin, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let org = caller.org_id.clone();
    let (entries, findings) = db::run(&state.pool, move |conn| audit::verify(conn, &org)).await?;
    Ok(HttpResponse::Ok().json(AuditVerification {
        intact: findings.is_empty(),
        entries,
        findings: findings
            .into_iter()
            .map(|f| AuditFinding {
                seq: f.seq,
                id: f.id,
                problem: f.problem,
            })
            .collect(),
    }))
}
