//! Organisational units, a tree per organisation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::units;
use crate::db::{self, DbConnection};
use crate::domain::unit_tree::UnitTree;
use crate::error::ApiError;
use crate::store::{organizations, users};

#[derive(Debug, Clone, Queryable)]
pub struct Unit {
    pub id: String,
    pub org_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = units)]
pub struct NewUnit {
    pub id: String,
    pub org_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = units)]
pub struct UnitChangeset {
    pub name: Option<String>,
    pub parent_id: Option<Option<String>>,
}

pub fn find(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Unit, ApiError> {
    Ok(units::table
        .filter(units::org_id.eq(org_id))
        .filter(units::id.eq(id))
        .get_result(conn)?)
}

/// 422 on `field` unless the unit exists in this organisation (another organisation's
/// unit looks exactly like a missing one).
pub fn require_in_org(conn: &mut DbConnection, org_id: &str, id: &str, field: &str) -> Result<(), ApiError> {
    let n: i64 = units::table
        .filter(units::org_id.eq(org_id))
        .filter(units::id.eq(id))
        .count()
        .get_result(conn)?;
    if n == 0 {
        return Err(ApiError::field(field, "no such unit in this organisation"));
    }
    Ok(())
}

pub fn list(conn: &mut DbConnection, org_id: &str, after_id: Option<&str>, limit: i64) -> Result<Vec<Unit>, ApiError> {
    let mut q = units::table.filter(units::org_id.eq(org_id)).into_boxed();
    if let Some(after) = after_id {
        q = q.filter(units::id.gt(after.to_owned()));
    }
    Ok(q.order(units::id.asc()).limit(limit + 1).load(conn)?)
}

/// Every unit of the organisation (units are few: tens to hundreds).
pub fn all(conn: &mut DbConnection, org_id: &str) -> Result<Vec<Unit>, ApiError> {
    Ok(units::table
        .filter(units::org_id.eq(org_id))
        .order(units::id.asc())
        .load(conn)?)
}

/// The whole tree of one organisation (units are few: tens to hundreds).
pub fn tree(conn: &mut DbConnection, org_id: &str) -> Result<UnitTree, ApiError> {
    let links: Vec<(String, Option<String>)> = units::table
        .filter(units::org_id.eq(org_id))
        .select((units::id, units::parent_id))
        .load(conn)?;
    Ok(UnitTree::new(links))
}

/// Unit names by id, for reports and results by unit.
pub fn names(conn: &mut DbConnection, org_id: &str) -> Result<std::collections::HashMap<String, String>, ApiError> {
    Ok(units::table
        .filter(units::org_id.eq(org_id))
        .select((units::id, units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The unit and all units below it.
pub fn subtree_ids(conn: &mut DbConnection, org_id: &str, unit_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(tree(conn, org_id)?.subtree(unit_id))
}

/// 422 when another unit under the same parent (or at the top) has this name, compared
/// without regard to case; call under the organisation's lock.
fn require_unique_among_siblings(
    conn: &mut DbConnection,
    org_id: &str,
    parent_id: Option<&str>,
    name: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let mut q = units::table
        .filter(units::org_id.eq(org_id))
        .select((units::id, units::name))
        .into_boxed();
    q = match parent_id {
        Some(p) => q.filter(units::parent_id.eq(p.to_owned())),
        None => q.filter(units::parent_id.is_null()),
    };
    let wanted = name.to_lowercase();
    let clash = q
        .load::<(String, String)>(conn)?
        .into_iter()
        .any(|(id, n)| Some(id.as_str()) != except && n.to_lowercase() == wanted);
    if clash {
        return Err(ApiError::field(
            "name",
            "another unit under the same parent has this name; names of sibling units must differ",
        ));
    }
    Ok(())
}

pub fn insert(conn: &mut DbConnection, org_id: &str, name: &str, parent_id: Option<&str>) -> Result<Unit, ApiError> {
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        if let Some(parent) = parent_id {
            require_in_org(conn, org_id, parent, "parent_id")?;
        }
        require_unique_among_siblings(conn, org_id, parent_id, name, None)?;
        let now = db::now();
        let new = NewUnit {
            id: db::new_id(),
            org_id: org_id.to_owned(),
            parent_id: parent_id.map(str::to_owned),
            name: name.to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(units::table).values(&new).execute(conn)?;
        find(conn, org_id, &new.id)
    })
}

/// Renames or moves a unit. Moving under itself or a descendant is refused; the
/// organisation lock keeps two concurrent moves from building a cycle together.
pub fn update(
    conn: &mut DbConnection,
    org_id: &str,
    id: &str,
    expected_version: i64,
    changes: &UnitChangeset,
) -> Result<Result<Unit, i64>, ApiError> {
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        let current = find(conn, org_id, id)?;
        if current.version != expected_version {
            return Ok(Err(current.version));
        }
        if let Some(Some(parent)) = &changes.parent_id {
            require_in_org(conn, org_id, parent, "parent_id")?;
            if tree(conn, org_id)?.would_cycle(id, parent) {
                return Err(ApiError::field("parent_id", "would make the unit its own ancestor"));
            }
        }
        if changes.name.is_some() || changes.parent_id.is_some() {
            let parent = match &changes.parent_id {
                Some(p) => p.clone(),
                None => current.parent_id.clone(),
            };
            let name = changes.name.as_deref().unwrap_or(&current.name);
            require_unique_among_siblings(conn, org_id, parent.as_deref(), name, Some(id))?;
        }
        diesel::update(
            units::table
                .filter(units::id.eq(id))
                .filter(units::version.eq(expected_version)),
        )
        .set((
            changes,
            units::version.eq(expected_version + 1),
            units::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
        Ok(Ok(find(conn, org_id, id)?))
    })
}

/// Deletes an empty leaf unit; a unit with members or sub-units answers 409.
pub fn delete(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        find(conn, org_id, id)?;
        let children: i64 = units::table.filter(units::parent_id.eq(id)).count().get_result(conn)?;
        if children > 0 {
            return Err(ApiError::conflict(format!(
                "the unit has {children} sub-unit(s); move or delete them first"
            )));
        }
        let members = users::count_in_unit(conn, id)?;
        if members > 0 {
            return Err(ApiError::conflict(format!(
                "the unit has {members} member(s); move them to another unit first"
            )));
        }
        // Other tables (ideas, responses) reference units too; their foreign keys turn a
        // delete of a unit still in use into a 409 as well.
        diesel::delete(units::table.filter(units::id.eq(id))).execute(conn)?;
        Ok(())
    })
}

/// A unit named by id or by exact name (for the command line).
pub fn resolve_id_or_name(conn: &mut DbConnection, org_id: &str, id_or_name: &str) -> Result<String, ApiError> {
    let matches: Vec<String> = units::table
        .filter(units::org_id.eq(org_id))
        .filter(units::id.eq(id_or_name).or(units::name.eq(id_or_name)))
        .select(units::id)
        .load(conn)?;
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(ApiError::field(
            "unit",
            format!("no unit {id_or_name:?} in this organisation"),
        )),
        _ => Err(ApiError::field(
            "unit",
            format!("several units are named {id_or_name:?}; use the id"),
        )),
    }
}
