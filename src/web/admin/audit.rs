//! Administration: the audit trail — every administrative act, newest first, filtered by
//! action, person or object and time, paged by its sequence, with the check of the hash
//! chain (`GET /api/v1/audit`, `/api/v1/audit/verify` for the browser).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{admin_page, require_admin};
use crate::db;
use crate::domain::locale::Lang;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::audit::{self, Filter};
use crate::store::users;
use crate::web::form::Problems;
use crate::web::session::WebUser;
use crate::web::{Page, date_time, encode, render};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(audit_page);
}

const PER_PAGE: i64 = 50;

/// The actions an entry can have, for the filter.
const ACTIONS: [&str; 22] = [
    "user.created",
    "user.changed",
    "user.deactivated",
    "user.password_reset",
    "user.erased",
    "user.data_exported",
    "staff.imported",
    "unit.created",
    "unit.changed",
    "unit.deleted",
    "questionnaire.imported",
    "questionnaire.published",
    "questionnaire.archived",
    "questionnaire.deleted",
    "round.created",
    "round.changed",
    "round.opened",
    "round.closed",
    "round.deleted",
    "round.opened_by_schedule_trigger",
    "schedule.saved",
    "organization.settings_changed",
];

pub struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub filters: &'static str,
    pub action: &'static str,
    pub all: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub object: &'static str,
    pub show: &'static str,
    pub caption: &'static str,
    pub col_seq: &'static str,
    pub col_at: &'static str,
    pub col_actor: &'static str,
    pub col_action: &'static str,
    pub col_object: &'static str,
    pub col_details: &'static str,
    pub service: &'static str,
    pub empty: &'static str,
    pub older: &'static str,
    pub intact: &'static str,
    pub broken: &'static str,
    pub back: &'static str,
    pub date_hint: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "Prüfprotokoll",
            intro: "Jeder Verwaltungsschritt mit Person, Zeit und Änderung – ohne Namen, E-Mail-Adressen oder Antworten. Die Einträge sind durch Prüfsummen verkettet.",
            filters: "Filtern",
            action: "Vorgang",
            all: "Alle",
            from: "Ab Datum",
            to: "Bis Datum",
            object: "Kennung des Objekts",
            show: "Anzeigen",
            caption: "Einträge, die neuesten zuerst",
            col_seq: "Nr.",
            col_at: "Zeit (UTC)",
            col_actor: "Person",
            col_action: "Vorgang",
            col_object: "Objekt",
            col_details: "Änderung",
            service: "(kaizen selbst)",
            empty: "Keine Einträge.",
            older: "Ältere Einträge",
            intact: "Die Kette ist unversehrt",
            broken: "Die Kette wurde verändert",
            back: "Verwaltung",
            date_hint: "Format JJJJ-MM-TT",
        },
        Lang::En => Words {
            title: "Audit trail",
            intro: "Every administrative act with person, time and change – without names, e-mail addresses or answers. The entries are chained by hashes.",
            filters: "Filter",
            action: "Action",
            all: "All",
            from: "From date",
            to: "To date",
            object: "Object id",
            show: "Show",
            caption: "Entries, newest first",
            col_seq: "No.",
            col_at: "Time (UTC)",
            col_actor: "Person",
            col_action: "Action",
            col_object: "Object",
            col_details: "Change",
            service: "(kaizen itself)",
            empty: "No entries.",
            older: "Older entries",
            intact: "The chain is intact",
            broken: "The chain was altered",
            back: "Administration",
            date_hint: "Format YYYY-MM-DD",
        },
    }
}

pub struct Row {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    page: Page,
    w: Words,
    problems: Problems,
    rows: Vec<Row>,
    actions: Vec<(String, bool)>,
    from: String,
    to: String,
    object: String,
    older: Option<String>,
    entries: i64,
    findings: Vec<String>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    object: Option<String>,
    before: Option<i64>,
}

fn day(raw: &Option<String>) -> Result<Option<NaiveDate>, ()> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| ()),
    }
}

#[get("/admin/audit")]
pub async fn audit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let lang = user.lang;
    let w = words(lang);
    let q = query.into_inner();
    let mut problems = Problems::default();
    let from = day(&q.from).unwrap_or_else(|_| {
        problems.add("from", w.from, w.date_hint);
        None
    });
    let to = day(&q.to).unwrap_or_else(|_| {
        problems.add("to", w.to, w.date_hint);
        None
    });
    let action = q.action.clone().filter(|a| !a.is_empty());
    let object = q.object.clone().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty());
    let filter = Filter {
        action: action.clone(),
        actor_id: None,
        object_id: object.clone(),
        from: from.and_then(|d| d.and_hms_opt(0, 0, 0)),
        to: to.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)),
    };
    let org = user.user.org_id.clone();
    let before = q.before;
    let (entries, names, (count, findings)) = db::run(&state.pool, move |conn| {
        let entries = audit::list(conn, &org, &filter, before, PER_PAGE + 1)?;
        let names = users::names(conn, &org)?;
        Ok((entries, names, audit::verify(conn, &org)?))
    })
    .await?;
    let older = (entries.len() as i64 > PER_PAGE)
        .then(|| entries.get(PER_PAGE as usize - 1).map(|e| e.seq))
        .flatten()
        .map(|seq| {
            let mut link = format!("/admin/audit?before={seq}");
            for (k, v) in [
                ("action", &q.action),
                ("from", &q.from),
                ("to", &q.to),
                ("object", &q.object),
            ] {
                if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    link.push_str(&format!("&{k}={}", encode(v)));
                }
            }
            link
        });
    let rows = entries
        .into_iter()
        .take(PER_PAGE as usize)
        .map(|e| Row {
            seq: e.seq,
            at: date_time(lang, e.at),
            actor: match &e.actor_id {
                Some(id) => names.get(id).cloned().unwrap_or_else(|| id.clone()),
                None => w.service.to_owned(),
            },
            object: format!("{} {}", e.object_type, e.object_id.unwrap_or_default())
                .trim()
                .to_owned(),
            action: e.action,
            details: e.details,
        })
        .collect();
    let mut known: Vec<&str> = ACTIONS.to_vec();
    known.sort_unstable();
    known.dedup();
    let actions = known
        .into_iter()
        .map(|a| (a.to_owned(), action.as_deref() == Some(a)))
        .collect();
    let mut page = admin_page(&state, &req, &user, w.title);
    page.invalid = !problems.is_empty();
    render(
        if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &AuditPage {
            page,
            problems,
            rows,
            actions,
            from: q.from.unwrap_or_default(),
            to: q.to.unwrap_or_default(),
            object: q.object.unwrap_or_default(),
            older,
            entries: count,
            findings: findings
                .into_iter()
                .map(|f| format!("{} {}: {}", w.col_seq, f.seq, f.problem))
                .collect(),
            w,
        },
    )
}
