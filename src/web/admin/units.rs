//! Administration: units. The organisation's units as a tree with the number of people
//! in each, a form to create one, and a page per unit to rename or move it (a move below
//! itself is refused as the API refuses it) and to delete it when it is empty. Every
//! change goes through `views::units`, as the API's; versions are checked as the API
//! checks them: a form sent from a page that was stale meanwhile changes nothing and
//! says so.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::{admin_page, require_admin};
use crate::db;
use crate::domain::locale::Lang;
use crate::error::ApiError;
use crate::messages;
use crate::state::AppState;
use crate::store::units as store;
use crate::views::units::{self as view, TreeNode};
use crate::web::form::{Fields, Problems};
use crate::web::ideas::Choice;
use crate::web::session::{self, WebUser};
use crate::web::{Page, render, see_other};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(units_page)
        .service(create_unit)
        .service(unit_page)
        .service(change_unit)
        .service(delete_unit);
}

pub struct Words {
    pub title: &'static str,
    pub intro: &'static str,
    pub tree_heading: &'static str,
    pub empty: &'static str,
    pub people_one: &'static str,
    pub people_many: &'static str,
    pub create_heading: &'static str,
    pub name: &'static str,
    pub name_hint: &'static str,
    pub parent: &'static str,
    pub parent_hint: &'static str,
    pub move_hint: &'static str,
    pub top_level: &'static str,
    pub create: &'static str,
    pub created: &'static str,
    pub deleted: &'static str,
    pub saved: &'static str,
    pub back: &'static str,
    pub path: &'static str,
    pub members: &'static str,
    pub sub_units: &'static str,
    pub change_heading: &'static str,
    pub save: &'static str,
    pub delete_heading: &'static str,
    pub delete_hint: &'static str,
    pub delete: &'static str,
    pub stale: &'static str,
    pub stale_now: &'static str,
    pub nothing_saved: &'static str,
    pub to_staff: &'static str,
}

pub fn words(lang: Lang) -> Words {
    match lang {
        Lang::De => Words {
            title: "Organisationseinheiten",
            intro: "Der Aufbau Ihrer Verwaltung. Ideen, Befragungsergebnisse und Teamleitungen hängen an diesen Einheiten.",
            tree_heading: "Aufbau",
            empty: "Es gibt noch keine Einheiten.",
            people_one: "Person",
            people_many: "Personen",
            create_heading: "Neue Einheit anlegen",
            name: "Name",
            name_hint: "Höchstens 120 Zeichen; Einheiten unter derselben übergeordneten Einheit brauchen verschiedene Namen.",
            parent: "Übergeordnete Einheit",
            parent_hint: "Leer lassen für eine Einheit der obersten Ebene.",
            move_hint: "Zum Verschieben eine andere übergeordnete Einheit wählen. Eine Einheit kann nicht unter sich selbst oder eine ihrer untergeordneten Einheiten verschoben werden.",
            top_level: "(oberste Ebene)",
            create: "Einheit anlegen",
            created: "Die Einheit wurde angelegt.",
            deleted: "Die Einheit wurde gelöscht.",
            saved: "Die Änderungen wurden gespeichert.",
            back: "Zurück zu allen Einheiten",
            path: "Lage im Aufbau",
            members: "Personen in dieser Einheit",
            sub_units: "Untergeordnete Einheiten",
            change_heading: "Umbenennen oder verschieben",
            save: "Änderungen speichern",
            delete_heading: "Einheit löschen",
            delete_hint: "Nur eine Einheit ohne Personen und ohne untergeordnete Einheiten kann gelöscht werden.",
            delete: "Einheit löschen",
            stale: "Die Einheit wurde inzwischen von jemand anderem geändert.",
            stale_now: "Jetzt gespeichert",
            nothing_saved: "Ihre Änderung wurde nicht gespeichert. Ihre Eingaben stehen noch im Formular; prüfen Sie sie und speichern Sie erneut.",
            to_staff: "Personen dieser Einheit",
        },
        Lang::En => Words {
            title: "Units",
            intro: "The structure of your administration. Ideas, survey results and team leads belong to these units.",
            tree_heading: "Structure",
            empty: "There are no units yet.",
            people_one: "person",
            people_many: "people",
            create_heading: "Create a unit",
            name: "Name",
            name_hint: "At most 120 characters; units under the same parent need different names.",
            parent: "Parent unit",
            parent_hint: "Leave empty for a top-level unit.",
            move_hint: "Choose another parent to move the unit. A unit cannot be moved below itself or one of its sub-units.",
            top_level: "(top level)",
            create: "Create unit",
            created: "The unit was created.",
            deleted: "The unit was deleted.",
            saved: "The changes were saved.",
            back: "Back to all units",
            path: "Place in the structure",
            members: "People in this unit",
            sub_units: "Sub-units",
            change_heading: "Rename or move",
            save: "Save changes",
            delete_heading: "Delete the unit",
            delete_hint: "Only a unit without people and without sub-units can be deleted.",
            delete: "Delete unit",
            stale: "Someone else changed the unit meanwhile.",
            stale_now: "Saved now",
            nothing_saved: "Your change was not saved. What you entered is still in the form; check it and save again.",
            to_staff: "People of this unit",
        },
    }
}

/// A unit in the nested list: `nested` opens a list for its sub-units after it, `close`
/// is how many levels end after it.
pub struct TreeItem {
    pub id: String,
    pub name: String,
    pub people: String,
    pub nested: bool,
    pub close: usize,
}

fn tree_items(rows: &[TreeNode], w: &Words) -> Vec<TreeItem> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let next = rows.get(i + 1).map(|n| n.depth).unwrap_or(0);
            TreeItem {
                id: r.unit.id.clone(),
                name: r.unit.name.clone(),
                people: format!(
                    "{} {}",
                    r.members,
                    if r.members == 1 { w.people_one } else { w.people_many }
                ),
                nested: r.children > 0,
                close: if r.children > 0 {
                    0
                } else {
                    r.depth.saturating_sub(next)
                },
            }
        })
        .collect()
}

/// The units to choose as a parent (by path), the top level first; `except` leaves out a
/// unit and everything below it.
fn parent_choices(rows: &[TreeNode], w: &Words, selected: &str, except: Option<&str>) -> Vec<Choice> {
    let mut skip_below: Option<usize> = None;
    let mut out = vec![Choice {
        value: String::new(),
        label: w.top_level.to_owned(),
        selected: selected.is_empty(),
        weak: false,
    }];
    for r in rows {
        if let Some(depth) = skip_below {
            if r.depth > depth {
                continue;
            }
            skip_below = None;
        }
        if except == Some(r.unit.id.as_str()) {
            skip_below = Some(r.depth);
            continue;
        }
        out.push(Choice {
            selected: r.unit.id == selected,
            value: r.unit.id.clone(),
            label: r.path.clone(),
            weak: false,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "admin_units.html")]
struct UnitsPage {
    page: Page,
    w: Words,
    problems: Problems,
    form: Fields,
    items: Vec<TreeItem>,
    parents: Vec<Choice>,
    done: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn units_view(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    form: Fields,
    problems: Problems,
    done: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let org = user.user.org_id.clone();
    let rows = db::run(&state.pool, move |conn| view::tree_rows(conn, &org)).await?;
    let w = words(user.lang);
    let mut page = admin_page(state, req, user, w.title);
    page.invalid = !problems.is_empty();
    let done = match done {
        Some("created") => Some(w.created),
        Some("deleted") => Some(w.deleted),
        _ => None,
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &UnitsPage {
            page,
            items: tree_items(&rows, &w),
            parents: parent_choices(&rows, &w, form.get("parent_id"), None),
            w,
            problems,
            form,
            done,
        },
    )
}

#[get("/admin/units")]
pub async fn units_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    units_view(
        &req,
        &state,
        &user,
        Fields::default(),
        Problems::default(),
        query.done.as_deref(),
    )
    .await
}

/// Where an API field problem shows on the unit forms.
fn place(w: &Words) -> impl Fn(&str) -> Option<(String, String)> + '_ {
    move |f: &str| match f {
        "name" => Some(("name".into(), w.name.into())),
        "parent_id" => Some(("parent_id".into(), w.parent.into())),
        _ => None,
    }
}

#[post("/admin/units")]
pub async fn create_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let parent = form.optional("parent_id");
    match view::create(&state, &user.user, form.raw("name"), parent).await {
        Ok(_) => Ok(see_other("/admin/units?done=created")),
        Err(e) => {
            let w = words(user.lang);
            let mut problems = Problems::default();
            problems.absorb(e, user.lang, place(&w), ("name", w.name))?;
            units_view(&req, &state, &user, form, problems, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "admin_units_unit.html")]
struct UnitPage {
    page: Page,
    w: Words,
    problems: Problems,
    form: Fields,
    node: TreeNode,
    parents: Vec<Choice>,
    version: i64,
    done: Option<&'static str>,
    /// Why the last form changed nothing (a conflict).
    notice: Option<String>,
    /// The conflict was a stale version: the stored state is shown beside it.
    stale: bool,
}

struct UnitExtras {
    form: Option<Fields>,
    problems: Problems,
    done: Option<String>,
    notice: Option<String>,
    stale: bool,
    status: StatusCode,
}

impl Default for UnitExtras {
    fn default() -> Self {
        Self {
            form: None,
            problems: Problems::default(),
            done: None,
            notice: None,
            stale: false,
            status: StatusCode::OK,
        }
    }
}

async fn unit_view(
    req: &HttpRequest,
    state: &AppState,
    user: &WebUser,
    id: String,
    extras: UnitExtras,
) -> Result<HttpResponse, ApiError> {
    let org = user.user.org_id.clone();
    let unit_id = id.clone();
    let rows = db::run(&state.pool, move |conn| {
        // Another organisation's unit is a missing page.
        store::find(conn, &org, &unit_id)?;
        view::tree_rows(conn, &org)
    })
    .await?;
    let Some(node) = rows.iter().find(|r| r.unit.id == id).cloned() else {
        return Err(ApiError::NotFound);
    };
    let w = words(user.lang);
    let form = extras.form.unwrap_or_else(|| {
        Fields(vec![
            ("name".into(), node.unit.name.clone()),
            ("parent_id".into(), node.unit.parent_id.clone().unwrap_or_default()),
        ])
    });
    let mut page = admin_page(state, req, user, &node.unit.name);
    page.invalid = !extras.problems.is_empty();
    let done = match extras.done.as_deref() {
        Some("saved") => Some(w.saved),
        _ => None,
    };
    render(
        extras.status,
        &UnitPage {
            page,
            parents: parent_choices(&rows, &w, form.get("parent_id"), Some(&id)),
            version: node.unit.version,
            notice: extras.notice,
            stale: extras.stale,
            node,
            w,
            problems: extras.problems,
            form,
            done,
        },
    )
}

#[get("/admin/units/{id}")]
pub async fn unit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    let extras = UnitExtras {
        done: query.into_inner().done,
        ..Default::default()
    };
    unit_view(&req, &state, &user, id.into_inner(), extras).await
}

/// The version a form was read at.
pub fn form_version(form: &Fields) -> Result<i64, ApiError> {
    form.get("version")
        .parse()
        .map_err(|_| ApiError::BadRequest("the form could not be read: version".into()))
}

/// Renames and moves in one form: the name and the parent as they stand in it.
#[post("/admin/units/{id}")]
pub async fn change_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    let version = form_version(&form)?;
    let w = words(user.lang);
    let outcome = match view::changeset(Some(form.raw("name")), Some(form.optional("parent_id"))) {
        Ok(changes) => view::update(&state, &user.user, id.clone(), version, changes).await,
        Err(e) => Err(e),
    };
    let extras = match outcome {
        Ok(Ok(_)) => return Ok(see_other(&format!("/admin/units/{id}?done=saved"))),
        Ok(Err(_current)) => UnitExtras {
            form: Some(form),
            notice: Some(w.stale.to_owned()),
            stale: true,
            status: StatusCode::CONFLICT,
            ..Default::default()
        },
        Err(e) => {
            let mut problems = Problems::default();
            problems.absorb(e, user.lang, place(&w), ("name", w.name))?;
            UnitExtras {
                form: Some(form),
                problems,
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..Default::default()
            }
        }
    };
    unit_view(&req, &state, &user, id, extras).await
}

/// Deletes an empty unit; the store's refusal (people or sub-units) is shown on the
/// unit's page.
#[post("/admin/units/{id}/delete")]
pub async fn delete_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: WebUser,
    id: web::Path<String>,
    form: Fields,
) -> Result<HttpResponse, ApiError> {
    require_admin(&user)?;
    session::verify_form(&req, &user, Some(form.get(session::CSRF_FIELD)))?;
    let id = id.into_inner();
    match view::delete(&state, &user.user, id.clone()).await {
        Ok(()) => Ok(see_other("/admin/units?done=deleted")),
        Err(ApiError::Conflict { detail, .. }) => {
            let extras = UnitExtras {
                notice: Some(messages::localize(&detail, user.lang)),
                status: StatusCode::CONFLICT,
                ..Default::default()
            };
            unit_view(&req, &state, &user, id, extras).await
        }
        Err(e) => Err(e),
    }
}
