//! People's accounts for the API and the administration pages: creating one (with a
//! generated password, hashed before it is stored), changing role, unit or status,
//! deactivating, resetting a password and importing the staff list — the same
//! validation, permission checks (admins only) and store calls for both, decided here.
//! The store keeps the organisation's last active admin and revokes the sessions of a
//! deactivated person or a reset password in the same transaction.

use crate::auth::AuthUser;
use crate::auth::password::generate_password;
use serde_json::json;

use crate::db;
use crate::domain::fields::{self, Email};
use crate::domain::roles::Role;
use crate::domain::staff_import;
use crate::error::{ApiError, FieldError, Validator};
use crate::state::AppState;
use crate::store::audit::{self, Act};
use crate::store::staff_import::{self as import, ImportReport};
use crate::store::users::{self, NewUser, User, UserChangeset};

/// A person to create, as typed.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    /// `None`: one is generated, returned once, and must be replaced at first sign-in.
    pub password: Option<String>,
}

/// Creates an account (admins only). Returns it with the generated password, if one was
/// generated; only its hash is stored.
pub async fn create(
    state: &AppState,
    caller: &AuthUser,
    person: NewPerson,
) -> Result<(User, Option<String>), ApiError> {
    caller.require(Role::Admin)?;
    let mut v = Validator::new();
    let email = v.check("email", Email::parse(&person.email));
    let name = v.check("display_name", fields::display_name(&person.display_name));
    let password = match &person.password {
        Some(p) => v.check("password", fields::new_password(p)),
        None => Some(generate_password()),
    };
    v.finish()?;
    let (Some(email), Some(name), Some(password)) = (email, name, password) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let generated = person.password.is_none();
    let hash = state.passwords.hash(password.clone()).await?;
    let new = NewUser::new(
        &caller.org_id,
        email.into_inner(),
        name,
        person.role,
        person.unit_id,
        hash,
        generated,
    );
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    let user = db::run(&state.pool, move |conn| {
        audit::record(
            conn,
            &org,
            |conn| users::insert(conn, &new),
            |u| {
                Some(Act::new(
                    &actor,
                    "user.created",
                    "user",
                    &u.id,
                    json!({"role": u.role, "unit_id": u.unit_id}),
                ))
            },
        )
    })
    .await?;
    tracing::info!(user_id = %user.id, by = %caller.id, "user created");
    Ok((user, generated.then_some(password)))
}

/// Changes to an account as asked for; absent fields stay, `unit_id: Some(None)` removes
/// the unit.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub unit_id: Option<Option<String>>,
    pub active: Option<bool>,
}

/// The changes validated (422 naming each bad field).
pub fn changeset(changes: PersonChanges) -> Result<UserChangeset, ApiError> {
    let mut v = Validator::new();
    let set = UserChangeset {
        email: changes
            .email
            .as_deref()
            .and_then(|e| v.check("email", Email::parse(e)))
            .map(Email::into_inner),
        display_name: changes
            .display_name
            .as_deref()
            .and_then(|n| v.check("display_name", fields::display_name(n))),
        role: changes.role.map(|r| r.as_str().to_owned()),
        unit_id: changes.unit_id,
        active: changes.active,
        ..Default::default()
    };
    v.finish()?;
    Ok(set)
}

/// Applies validated changes (admins only) when the account's version is still
/// `expected`; the inner `Err` is the current version. The last active admin cannot be
/// demoted or deactivated (409); deactivating ends the person's sessions.
pub async fn update(
    state: &AppState,
    caller: &AuthUser,
    id: String,
    expected: i64,
    changes: UserChangeset,
) -> Result<Result<User, i64>, ApiError> {
    caller.require(Role::Admin)?;
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    db::run(&state.pool, move |conn| {
        let details = change_details(&changes);
        audit::record(
            conn,
            &org,
            |conn| users::update(conn, &org, &id, Some(expected), &changes),
            |out| {
                out.as_ref()
                    .ok()
                    .map(|u| Act::new(&actor, "user.changed", "user", &u.id, details))
            },
        )
    })
    .await
}

/// What an account change changed, for the audit trail: values of role, unit and state;
/// of name, e-mail and password only that they changed.
fn change_details(c: &UserChangeset) -> serde_json::Value {
    let mut d = serde_json::Map::new();
    if let Some(r) = &c.role {
        d.insert("role".into(), json!(r));
    }
    if let Some(u) = &c.unit_id {
        d.insert("unit_id".into(), json!(u));
    }
    if let Some(a) = c.active {
        d.insert("active".into(), json!(a));
    }
    if c.email.is_some() {
        d.insert("email_changed".into(), json!(true));
    }
    if c.display_name.is_some() {
        d.insert("name_changed".into(), json!(true));
    }
    if c.password_hash.is_some() {
        d.insert("password_reset".into(), json!(true));
    }
    serde_json::Value::Object(d)
}

/// Deactivates an account (admins only): no sign-in, no refresh, no live token or session
/// any more. The last active admin cannot be deactivated (409).
pub async fn deactivate(state: &AppState, caller: &AuthUser, id: String) -> Result<User, ApiError> {
    caller.require(Role::Admin)?;
    let org = caller.org_id.clone();
    let changes = UserChangeset {
        active: Some(false),
        ..Default::default()
    };
    let actor = caller.id.clone();
    let outcome = db::run(&state.pool, move |conn| {
        audit::record(
            conn,
            &org,
            |conn| users::update(conn, &org, &id, None, &changes),
            |out| {
                out.as_ref()
                    .ok()
                    .map(|u| Act::new(&actor, "user.deactivated", "user", &u.id, json!({})))
            },
        )
    })
    .await?;
    let user = outcome.map_err(ApiError::stale_version)?;
    tracing::info!(user_id = %user.id, by = %caller.id, "user deactivated");
    Ok(user)
}

/// Erases a person (admins only; GDPR Art. 17), see `store::users::erase`.
pub async fn erase(state: &AppState, caller: &AuthUser, id: String, confirm_email: String) -> Result<User, ApiError> {
    caller.require(Role::Admin)?;
    let (org, by) = (caller.org_id.clone(), caller.id.clone());
    let user = db::run(&state.pool, move |conn| {
        audit::record(
            conn,
            &org,
            |conn| users::erase(conn, &org, &id, &by, &confirm_email),
            |u| Some(Act::new(&by, "user.erased", "user", &u.id, json!({}))),
        )
    })
    .await?;
    tracing::info!(user_id = %user.id, by = %caller.id, "person erased");
    Ok(user)
}

/// Replaces an account's password with a generated one (admins only), which must be
/// replaced at the next sign-in, and ends the person's sessions. Returns the password to
/// show once; only its hash is stored.
pub async fn reset_password(state: &AppState, caller: &AuthUser, id: String) -> Result<(User, String), ApiError> {
    caller.require(Role::Admin)?;
    let password = generate_password();
    let hash = state.passwords.hash(password.clone()).await?;
    let org = caller.org_id.clone();
    let changes = UserChangeset {
        password_hash: Some(hash),
        must_change_password: Some(true),
        ..Default::default()
    };
    let actor = caller.id.clone();
    let outcome = db::run(&state.pool, move |conn| {
        audit::record(
            conn,
            &org,
            |conn| users::update(conn, &org, &id, None, &changes),
            |out| {
                out.as_ref()
                    .ok()
                    .map(|u| Act::new(&actor, "user.password_reset", "user", &u.id, json!({})))
            },
        )
    })
    .await?;
    let user = outcome.map_err(ApiError::stale_version)?;
    tracing::info!(user_id = %user.id, by = %caller.id, "password reset");
    Ok((user, password))
}

/// The staff import (admins only): a dry run reports what would change, with each line's
/// problems; otherwise everything is written in one transaction, or nothing when a line
/// has a problem (then `applied` is false and the problems say why).
pub async fn import_report(
    state: &AppState,
    caller: &AuthUser,
    bytes: Vec<u8>,
    deactivate_missing: bool,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    caller.require(Role::Admin)?;
    let text = staff_import::decode(&bytes);
    let (rows, problems) = staff_import::parse(&text);
    let (org, id) = (caller.org_id.clone(), caller.id.clone());
    let report = db::run(&state.pool, move |conn| {
        let org2 = org.clone();
        audit::record(
            conn,
            &org2,
            |conn| import::run(conn, &org, &id, &rows, problems, deactivate_missing, dry_run),
            |r| {
                r.applied.then(|| Act {
                    actor_id: (!id.is_empty()).then(|| id.clone()),
                    action: "staff.imported",
                    object_type: "organization",
                    object_id: None,
                    details: json!({
                        "units_created": r.units_created.len(),
                        "created": r.created.len(),
                        "updated": r.updated.len(),
                        "deactivated": r.deactivated.len(),
                        "deactivate_missing": deactivate_missing,
                    }),
                })
            },
        )
    })
    .await?;
    if report.applied {
        tracing::info!(
            by = %caller.id,
            created = report.created.len(),
            updated = report.updated.len(),
            deactivated = report.deactivated.len(),
            units = report.units_created.len(),
            "staff imported"
        );
    }
    Ok(report)
}

/// The staff import as the API answers it: as `import_report`, but an import that was
/// not a dry run and found problems is a 422 naming each line (`lines[12].email`).
pub async fn import_staff(
    state: &AppState,
    caller: &AuthUser,
    bytes: Vec<u8>,
    deactivate_missing: bool,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    let report = import_report(state, caller, bytes, deactivate_missing, dry_run).await?;
    if !dry_run && !report.problems.is_empty() {
        return Err(ApiError::Validation(
            report
                .problems
                .iter()
                .map(|p| FieldError::new(format!("lines[{}].{}", p.line, p.field), p.message.clone()))
                .collect(),
        ));
    }
    Ok(report)
}

/// One page of the administration's staff list.
#[derive(Debug)]
pub struct StaffPage {
    pub items: Vec<User>,
    /// How many match in all.
    pub total: usize,
    /// This page, from 1, and how many there are (at least 1).
    pub page: usize,
    pub pages: usize,
}

/// The accounts matching `filter` whose name or e-mail contains `q`, in name order, page
/// `page` (from 1) of `per_page` (admins only).
pub fn staff_page(
    conn: &mut crate::db::DbConnection,
    caller: &AuthUser,
    filter: &users::UserFilter,
    q: &str,
    page: usize,
    per_page: usize,
) -> Result<StaffPage, ApiError> {
    caller.require(Role::Admin)?;
    let all = users::search(conn, &caller.org_id, filter, q)?;
    let total = all.len();
    let per_page = per_page.max(1);
    let pages = total.div_ceil(per_page).max(1);
    let page = page.clamp(1, pages);
    let items = all.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    Ok(StaffPage {
        items,
        total,
        page,
        pages,
    })
}
