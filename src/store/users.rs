//! User accounts.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::{self, DbConnection};
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::sessions::{self, SessionState};
use crate::store::{organizations, units};

#[derive(Debug, Clone, Queryable)]
pub struct User {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub active: bool,
    pub password_hash: String,
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The personnel system's number (staff import), unique in the organisation.
    pub personnel_number: Option<String>,
    /// When the account was last deactivated (retention counts from then).
    pub deactivated_at: Option<NaiveDateTime>,
    /// When the person was erased: name, e-mail and personnel number are gone.
    pub erased_at: Option<NaiveDateTime>,
}

impl User {
    pub fn role(&self) -> Role {
        // The column has a CHECK constraint; employee is the safe reading otherwise.
        Role::parse(&self.role).unwrap_or(Role::Employee)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub active: bool,
    pub password_hash: String,
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub personnel_number: Option<String>,
}

impl NewUser {
    pub fn new(
        org_id: &str,
        email: String,
        display_name: String,
        role: Role,
        unit_id: Option<String>,
        password_hash: String,
        must_change_password: bool,
    ) -> Self {
        let now = db::now();
        Self {
            id: db::new_id(),
            org_id: org_id.to_owned(),
            email,
            display_name,
            role: role.as_str().to_owned(),
            unit_id,
            active: true,
            password_hash,
            must_change_password,
            version: 1,
            created_at: now,
            updated_at: now,
            personnel_number: None,
        }
    }
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChangeset {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub unit_id: Option<Option<String>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub must_change_password: Option<bool>,
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub unit_id: Option<String>,
    pub active: Option<bool>,
}

pub fn find(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<User, ApiError> {
    Ok(users::table.find((org_id, id)).get_result(conn)?)
}

/// The account, if it exists.
pub fn find_optional(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Option<User>, ApiError> {
    Ok(users::table.find((org_id, id)).get_result(conn).optional()?)
}

/// Only for authentication: the account, the session a token names and the
/// organisation's default language, in one lookup.
pub fn find_with_session(
    conn: &mut DbConnection,
    org_id: &str,
    user_id: &str,
    session_id: &str,
) -> Result<Option<(User, Option<SessionState>, String)>, ApiError> {
    use crate::db::schema::{organizations, sessions};
    // The token's organisation keys the session (and the account must belong to it; see
    // `auth::extractors::account`).
    Ok(users::table
        .inner_join(organizations::table)
        .left_join(
            sessions::table.on(sessions::org_id
                .eq(org_id)
                .and(sessions::id.eq(session_id))
                .and(sessions::user_id.eq(users::id))),
        )
        .filter(users::org_id.eq(org_id))
        .filter(users::id.eq(user_id))
        .select((
            users::all_columns,
            (
                sessions::id,
                sessions::user_id,
                sessions::kind,
                sessions::last_seen_at,
                sessions::expires_at,
                sessions::revoked_at,
            )
                .nullable(),
            organizations::default_locale,
        ))
        .get_result(conn)
        .optional()?)
}

/// Only for login: the account with this e-mail in the organisation.
pub fn find_by_email(conn: &mut DbConnection, org_id: &str, email: &str) -> Result<Option<User>, ApiError> {
    Ok(users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::email.eq(email))
        .get_result(conn)
        .optional()?)
}

/// A colleague as the people search shows them.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub id: String,
    pub display_name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
}

/// Active members of the organisation whose name contains `q` (any case, any script), in
/// name order. Names are compared here, not by SQL: SQLite folds only ASCII case.
pub fn search_people(conn: &mut DbConnection, org_id: &str, q: &str, limit: i64) -> Result<Vec<PersonRow>, ApiError> {
    use crate::db::schema::units;
    let wanted = q.to_lowercase();
    let mut rows: Vec<PersonRow> = users::table
        .left_join(units::table.on(units::id.nullable().eq(users::unit_id)))
        .filter(users::org_id.eq(org_id))
        .filter(users::active.eq(true))
        .select((users::id, users::display_name, users::unit_id, units::name.nullable()))
        .load::<(String, String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .filter(|(_, name, _, _)| name.to_lowercase().contains(&wanted))
        .map(|(id, display_name, unit_id, unit_name)| PersonRow {
            id,
            display_name,
            unit_id,
            unit_name,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(rows)
}

/// Users of the organisation, optionally only those in `within_units`.
pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
    filter: &UserFilter,
    within_units: Option<&[String]>,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<User>, ApiError> {
    let mut q = users::table.filter(users::org_id.eq(org_id)).into_boxed();
    if let Some(units) = within_units {
        q = q.filter(users::unit_id.eq_any(units.to_vec()));
    }
    if let Some(role) = filter.role {
        q = q.filter(users::role.eq(role.as_str()));
    }
    if let Some(unit) = &filter.unit_id {
        q = q.filter(users::unit_id.eq(unit.clone()));
    }
    if let Some(active) = filter.active {
        q = q.filter(users::active.eq(active));
    }
    if let Some(after) = after_id {
        q = q.filter(users::id.gt(after.to_owned()));
    }
    Ok(q.order(users::id.asc()).limit(limit + 1).load(conn)?)
}

fn email_taken(email: &str) -> ApiError {
    ApiError::Conflict {
        detail: format!("a user with the e-mail {email} exists already in this organisation"),
        current_version: None,
    }
}

/// Inserts a user after checking the unit belongs to the same organisation.
pub fn insert(conn: &mut DbConnection, new: &NewUser) -> Result<User, ApiError> {
    db::write_tx(conn, |conn| {
        if let Some(unit) = &new.unit_id {
            units::require_in_org(conn, &new.org_id, unit, "unit_id")?;
        }
        diesel::insert_into(users::table)
            .values(new)
            .execute(conn)
            .map_err(|e| {
                if db::is_unique_violation(&e) {
                    email_taken(&new.email)
                } else {
                    e.into()
                }
            })?;
        find(conn, &new.org_id, &new.id)
    })
}

fn active_admins_except(conn: &mut DbConnection, org_id: &str, except: &str) -> Result<i64, ApiError> {
    Ok(users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)?)
}

/// Applies `changes` when the stored version still equals `expected_version`; the inner
/// `Err` carries the current version when it does not. Keeps at least one active admin
/// per organisation, and revokes sessions of a deactivated user in the same transaction.
pub fn update(
    conn: &mut DbConnection,
    org_id: &str,
    id: &str,
    expected_version: Option<i64>,
    changes: &UserChangeset,
) -> Result<Result<User, i64>, ApiError> {
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        let current = find(conn, org_id, id)?;
        if let Some(expected) = expected_version
            && current.version != expected
        {
            return Ok(Err(current.version));
        }
        if current.erased_at.is_some() {
            return Err(ApiError::conflict(
                "this person was erased; the account cannot change any more",
            ));
        }
        if let Some(Some(unit)) = &changes.unit_id {
            units::require_in_org(conn, org_id, unit, "unit_id")?;
        }
        let loses_admin = current.role() == Role::Admin
            && current.active
            && (changes.role.as_deref().is_some_and(|r| r != Role::Admin.as_str()) || changes.active == Some(false));
        if loses_admin && active_admins_except(conn, org_id, id)? == 0 {
            return Err(ApiError::conflict(
                "this is the organisation's last active admin; make someone else admin first",
            ));
        }
        diesel::update(
            users::table
                .filter(users::org_id.eq(org_id))
                .filter(users::id.eq(id))
                .filter(users::version.eq(current.version)),
        )
        .set((
            changes,
            users::version.eq(current.version + 1),
            users::updated_at.eq(db::now()),
        ))
        .execute(conn)
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                email_taken(changes.email.as_deref().unwrap_or(""))
            } else {
                e.into()
            }
        })?;
        match changes.active {
            Some(false) if current.active => {
                diesel::update(users::table.find((org_id, id)))
                    .set(users::deactivated_at.eq(db::now()))
                    .execute(conn)?;
            }
            Some(true) => {
                diesel::update(users::table.find((org_id, id)))
                    .set(users::deactivated_at.eq(None::<NaiveDateTime>))
                    .execute(conn)?;
            }
            _ => {}
        }
        if changes.active == Some(false) || changes.password_hash.is_some() {
            sessions::revoke_all(conn, id)?;
        }
        Ok(Ok(find(conn, org_id, id)?))
    })
}

pub fn count_in_unit(conn: &mut DbConnection, unit_id: &str) -> Result<i64, ApiError> {
    Ok(users::table
        .filter(users::unit_id.eq(unit_id))
        .count()
        .get_result(conn)?)
}

/// How many accounts (active or not) each unit of the organisation has.
pub fn count_by_unit(conn: &mut DbConnection, org_id: &str) -> Result<HashMap<String, i64>, ApiError> {
    use diesel::dsl::count_star;
    Ok(users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::unit_id.is_not_null())
        .group_by(users::unit_id)
        .select((users::unit_id, count_star()))
        .load::<(Option<String>, i64)>(conn)?
        .into_iter()
        .filter_map(|(u, n)| u.map(|u| (u, n)))
        .collect())
}

/// Every account of the organisation matching `filter` whose name or e-mail contains
/// `q` (any case, any script: compared here, not by SQL, as SQLite folds only ASCII),
/// in name order. The administration pages through them; organisations have hundreds to
/// a few thousand people.
pub fn search(conn: &mut DbConnection, org_id: &str, filter: &UserFilter, q: &str) -> Result<Vec<User>, ApiError> {
    let mut rows = list(conn, org_id, filter, None, None, i64::MAX - 1)?;
    let wanted = q.trim().to_lowercase();
    if !wanted.is_empty() {
        rows.retain(|u| u.display_name.to_lowercase().contains(&wanted) || u.email.to_lowercase().contains(&wanted));
    }
    rows.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(rows)
}

/// The names of the active leads who review ideas of `unit_id`: its own leads, else those
/// of the nearest unit above it that has any.
pub fn reviewers_of(conn: &mut DbConnection, org_id: &str, unit_id: &str) -> Result<Vec<String>, ApiError> {
    let tree = crate::store::units::tree(conn, org_id)?;
    let mut unit = Some(unit_id.to_owned());
    let mut steps = 0;
    while let Some(u) = unit {
        let names: Vec<String> = users::table
            .filter(users::org_id.eq(org_id))
            .filter(users::unit_id.eq(&u))
            .filter(users::role.eq("lead"))
            .filter(users::active.eq(true))
            .select(users::display_name)
            .order(users::display_name.asc())
            .load(conn)?;
        if !names.is_empty() {
            return Ok(names);
        }
        steps += 1;
        if steps > 64 {
            break;
        }
        unit = tree.parent_of(&u).map(str::to_owned);
    }
    Ok(Vec::new())
}

/// What an erased person is called wherever their ideas, comments and steps are shown.
pub const ERASED_NAME: &str = "Ehemalige Beschäftigte";

/// Erases a person (GDPR Art. 17): name, e-mail and personnel number are replaced, the
/// password can never match, sessions and refresh tokens end, the record of which survey
/// rounds they answered is deleted. The row stays, so their ideas, comments, votes and
/// history keep an author — shown as a former employee. `confirm_email` must be the
/// person's current e-mail (a guard against erasing the wrong person); nobody erases
/// themselves, and the last active admin stays.
pub fn erase(
    conn: &mut DbConnection,
    org_id: &str,
    id: &str,
    caller_id: &str,
    confirm_email: &str,
) -> Result<User, ApiError> {
    use crate::db::schema::{assessment_participation, refresh_tokens};
    db::write_tx(conn, |conn| {
        organizations::lock(conn, org_id)?;
        let current = find(conn, org_id, id)?;
        if current.erased_at.is_some() {
            return Err(ApiError::conflict("this person was erased already"));
        }
        if current.id == caller_id {
            return Err(ApiError::conflict(
                "you cannot erase your own account; ask another admin",
            ));
        }
        if !current.email.eq_ignore_ascii_case(confirm_email.trim()) {
            return Err(ApiError::field(
                "confirm_email",
                "must be the person's current e-mail address, to confirm whom to erase",
            ));
        }
        if current.role() == Role::Admin && current.active && active_admins_except(conn, org_id, id)? == 0 {
            return Err(ApiError::conflict(
                "this is the organisation's last active admin; make someone else admin first",
            ));
        }
        let now = db::now();
        diesel::update(users::table.find((org_id, id)))
            .set((
                users::email.eq(format!("erased-{id}@erased.invalid")),
                users::display_name.eq(ERASED_NAME),
                users::personnel_number.eq(None::<String>),
                users::password_hash.eq("!erased"),
                users::must_change_password.eq(false),
                users::active.eq(false),
                users::deactivated_at.eq(current.deactivated_at.unwrap_or(now)),
                users::erased_at.eq(now),
                users::version.eq(current.version + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
        sessions::revoke_all(conn, id)?;
        diesel::delete(
            refresh_tokens::table
                .filter(refresh_tokens::org_id.eq(org_id))
                .filter(refresh_tokens::user_id.eq(id)),
        )
        .execute(conn)?;
        diesel::delete(
            assessment_participation::table
                .filter(assessment_participation::org_id.eq(org_id))
                .filter(assessment_participation::user_id.eq(id)),
        )
        .execute(conn)?;
        find(conn, org_id, id)
    })
}

/// Accounts deactivated at or before `before` and not yet erased, across organisations,
/// for the retention pass: (organisation, id, e-mail).
pub fn deactivated_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> Result<Vec<(String, String, String)>, ApiError> {
    Ok(users::table
        .filter(users::active.eq(false))
        .filter(users::erased_at.is_null())
        .filter(users::deactivated_at.le(before))
        .select((users::org_id, users::id, users::email))
        .load(conn)?)
}

/// Names by id of every account of the organisation (erased ones under their placeholder).
pub fn names(conn: &mut DbConnection, org_id: &str) -> Result<HashMap<String, String>, ApiError> {
    Ok(users::table
        .filter(users::org_id.eq(org_id))
        .select((users::id, users::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
