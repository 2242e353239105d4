//! Units for the API and the administration pages: the same validation and the same
//! store calls with the same permission check (admins only), decided here once.

use serde_json::json;

use crate::store::audit::{self, Act};
use std::collections::HashMap;

use crate::auth::AuthUser;
use crate::db::{self, DbConnection};
use crate::domain::fields;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::units::{self, Unit, UnitChangeset};
use crate::store::users;

/// A unit's name as typed: trimmed, not empty, at most 120 characters.
pub fn unit_name(raw: &str) -> Result<String, ApiError> {
    fields::text(raw, 120, false).map_err(|m| ApiError::field("name", m))
}

/// Creates a unit (admins only).
pub async fn create(
    state: &AppState,
    caller: &AuthUser,
    name: &str,
    parent_id: Option<String>,
) -> Result<Unit, ApiError> {
    caller.require(Role::Admin)?;
    let name = unit_name(name)?;
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    db::run(&state.pool, move |conn| {
        audit::record(
            conn,
            &org,
            |conn| units::insert(conn, &org, &name, parent_id.as_deref()),
            |u| {
                Some(Act::new(
                    &actor,
                    "unit.created",
                    "unit",
                    &u.id,
                    json!({"name": u.name, "parent_id": u.parent_id}),
                ))
            },
        )
    })
    .await
}

/// The changes of a rename or move, validated: `name` absent stays, `parent_id:
/// Some(None)` makes the unit top-level.
pub fn changeset(name: Option<&str>, parent_id: Option<Option<String>>) -> Result<UnitChangeset, ApiError> {
    Ok(UnitChangeset {
        name: name.map(unit_name).transpose()?,
        parent_id,
    })
}

/// Renames or moves a unit (admins only) when its version is still `expected`; the
/// inner `Err` is the current version. A move below itself is refused (422 on
/// `parent_id`).
pub async fn update(
    state: &AppState,
    caller: &AuthUser,
    id: String,
    expected: i64,
    changes: UnitChangeset,
) -> Result<Result<Unit, i64>, ApiError> {
    caller.require(Role::Admin)?;
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    db::run(&state.pool, move |conn| {
        let mut details = serde_json::Map::new();
        if let Some(n) = &changes.name {
            details.insert("name".into(), json!(n));
        }
        if let Some(p) = &changes.parent_id {
            details.insert("parent_id".into(), json!(p));
        }
        audit::record(
            conn,
            &org,
            |conn| units::update(conn, &org, &id, expected, &changes),
            |out| {
                out.as_ref().ok().map(|u| {
                    Act::new(
                        &actor,
                        "unit.changed",
                        "unit",
                        &u.id,
                        serde_json::Value::Object(details),
                    )
                })
            },
        )
    })
    .await
}

/// Deletes a unit without members or sub-units (admins only; else 409).
pub async fn delete(state: &AppState, caller: &AuthUser, id: String) -> Result<(), ApiError> {
    caller.require(Role::Admin)?;
    let (org, actor) = (caller.org_id.clone(), caller.id.clone());
    db::run(&state.pool, move |conn| {
        audit::record(
            conn,
            &org,
            |conn| units::delete(conn, &org, &id),
            |_| Some(Act::new(&actor, "unit.deleted", "unit", &id, json!({}))),
        )
    })
    .await
}

/// A unit in the tree as the administration shows it.
#[derive(Debug, Clone)]
pub struct TreeNode {
    pub unit: Unit,
    /// Names from the top unit down to this one.
    pub path: String,
    pub depth: usize,
    /// Accounts (active or not) in this unit itself.
    pub members: i64,
    pub children: usize,
}

/// The organisation's units in tree order (each parent before its children, siblings by
/// name), with their paths and member counts.
pub fn tree_rows(conn: &mut DbConnection, org_id: &str) -> Result<Vec<TreeNode>, ApiError> {
    let all = units::all(conn, org_id)?;
    let members = users::count_by_unit(conn, org_id)?;
    let mut children: HashMap<Option<String>, Vec<&Unit>> = HashMap::new();
    for u in &all {
        children.entry(u.parent_id.clone()).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::with_capacity(all.len());
    // Depth-first from the top units; the tree has no cycles (moves are checked), and
    // each unit is visited once.
    let mut stack: Vec<(&Unit, usize, String)> = children
        .get(&None)
        .map(|l| l.iter().rev().map(|u| (*u, 0, u.name.clone())).collect())
        .unwrap_or_default();
    while let Some((u, depth, path)) = stack.pop() {
        let kids = children.get(&Some(u.id.clone())).map(Vec::as_slice).unwrap_or(&[]);
        for k in kids.iter().rev() {
            stack.push((k, depth + 1, format!("{path} / {}", k.name)));
        }
        out.push(TreeNode {
            unit: u.clone(),
            path,
            depth,
            members: members.get(&u.id).copied().unwrap_or(0),
            children: kids.len(),
        });
        if out.len() > all.len() {
            break;
        }
    }
    Ok(out)
}
