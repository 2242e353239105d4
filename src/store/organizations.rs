//! Organisations and their settings.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::organizations;
use crate::db::{self, DbConnection};
use crate::error::ApiError;

#[derive(Debug, Clone, Queryable)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub default_locale: String,
    pub min_group_size: i64,
    pub weak_threshold: f64,
    pub weak_count: i64,
    pub stuck_stage_days: i64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Key of the questionnaire whose dimensions are the organisation's.
    pub reference_questionnaire_key: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = organizations)]
pub struct OrganizationChangeset {
    pub name: Option<String>,
    pub default_locale: Option<String>,
    pub min_group_size: Option<i64>,
    pub weak_threshold: Option<f64>,
    pub weak_count: Option<i64>,
    pub stuck_stage_days: Option<i64>,
    pub reference_questionnaire_key: Option<String>,
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Organization, ApiError> {
    Ok(organizations::table.find(id).get_result(conn)?)
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Option<Organization>, ApiError> {
    Ok(organizations::table
        .filter(organizations::slug.eq(slug))
        .get_result(conn)
        .optional()?)
}

/// The organisation, when the installation hosts exactly one.
pub fn only_one(conn: &mut DbConnection) -> Result<Option<Organization>, ApiError> {
    let mut two: Vec<Organization> = organizations::table.limit(2).load(conn)?;
    Ok(if two.len() == 1 { two.pop() } else { None })
}

pub fn count(conn: &mut DbConnection) -> Result<i64, ApiError> {
    Ok(organizations::table.count().get_result(conn)?)
}

pub fn insert(conn: &mut DbConnection, name: &str, slug: &str) -> Result<Organization, ApiError> {
    let now = db::now();
    let new = NewOrganization {
        id: db::new_id(),
        name: name.to_owned(),
        slug: slug.to_owned(),
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(organizations::table)
        .values(&new)
        .execute(conn)
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                ApiError::conflict(format!("an organisation with the slug {slug:?} exists already"))
            } else {
                e.into()
            }
        })?;
    find(conn, &new.id)
}

/// Serialises changes that must see a consistent organisation (unit tree, last admin):
/// a no-op update row-locks the organisation on PostgreSQL; SQLite write transactions
/// are serial anyway. Call inside a transaction.
pub fn lock(conn: &mut DbConnection, org_id: &str) -> Result<(), ApiError> {
    let n = diesel::update(organizations::table.find(org_id))
        .set(organizations::version.eq(organizations::version))
        .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

pub fn update(
    conn: &mut DbConnection,
    org_id: &str,
    expected_version: i64,
    changes: &OrganizationChangeset,
) -> Result<Result<Organization, i64>, ApiError> {
    db::write_tx(conn, |conn| {
        let current = find(conn, org_id)?;
        if current.version != expected_version {
            return Ok(Err(current.version));
        }
        diesel::update(
            organizations::table
                .find(org_id)
                .filter(organizations::version.eq(expected_version)),
        )
        .set((
            changes,
            organizations::version.eq(expected_version + 1),
            organizations::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
        Ok(Ok(find(conn, org_id)?))
    })
}
