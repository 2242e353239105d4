//! Comments on ideas: written by anyone in the organisation, edited by their author for
//! a short while, deleted softly (the comment stays as "deleted", its text is removed).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{idea_comments, ideas};
use crate::db::{self, DbConnection};
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::ideas as idea_store;

/// How long after posting a comment its author may still change it.
pub const EDIT_WINDOW_MINUTES: i64 = 15;

#[derive(Debug, Clone, Queryable)]
pub struct Comment {
    pub id: String,
    pub org_id: String,
    pub idea_id: String,
    pub author_id: String,
    pub body: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub deleted_by: Option<String>,
}

pub fn find(conn: &mut DbConnection, org_id: &str, idea_id: &str, id: &str) -> Result<Comment, ApiError> {
    Ok(idea_comments::table
        .filter(idea_comments::org_id.eq(org_id))
        .filter(idea_comments::idea_id.eq(idea_id))
        .filter(idea_comments::id.eq(id))
        .get_result(conn)?)
}

/// Comments of one idea, oldest first (`limit + 1` rows, for `finish_page`).
pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
    idea_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Comment>, ApiError> {
    let mut q = idea_comments::table
        .filter(idea_comments::org_id.eq(org_id))
        .filter(idea_comments::idea_id.eq(idea_id))
        .into_boxed();
    if let Some(after) = after_id {
        q = q.filter(idea_comments::id.gt(after.to_owned()));
    }
    Ok(q.order(idea_comments::id.asc()).limit(limit + 1).load(conn)?)
}

pub fn insert(
    conn: &mut DbConnection,
    org_id: &str,
    idea_id: &str,
    author_id: &str,
    body: &str,
) -> Result<Comment, ApiError> {
    db::write_tx(conn, |conn| {
        idea_store::find(conn, org_id, idea_id)?;
        let id = db::new_id();
        diesel::insert_into(idea_comments::table)
            .values((
                idea_comments::id.eq(&id),
                idea_comments::org_id.eq(org_id),
                idea_comments::idea_id.eq(idea_id),
                idea_comments::author_id.eq(author_id),
                idea_comments::body.eq(body),
                idea_comments::version.eq(1),
                idea_comments::created_at.eq(db::now()),
            ))
            .execute(conn)?;
        diesel::update(
            ideas::table
                .filter(ideas::org_id.eq(org_id))
                .filter(ideas::id.eq(idea_id)),
        )
        .set(ideas::comment_count.eq(ideas::comment_count + 1))
        .execute(conn)?;
        let comment = find(conn, org_id, idea_id, &id)?;
        crate::store::outbox::comment_created(conn, org_id, idea_id, &id, comment.created_at)?;
        Ok(comment)
    })
}

/// The author's edit within the edit window. The inner `Err` is the current version when
/// `expected_version` is stale.
pub fn edit(
    conn: &mut DbConnection,
    org_id: &str,
    idea_id: &str,
    id: &str,
    caller_id: &str,
    expected_version: i64,
    body: &str,
) -> Result<Result<Comment, i64>, ApiError> {
    db::write_tx(conn, |conn| {
        let comment = find(conn, org_id, idea_id, id)?;
        if comment.author_id != caller_id {
            return Err(ApiError::forbidden("only the comment's author may edit it"));
        }
        if comment.deleted_at.is_some() {
            return Err(ApiError::conflict("the comment was deleted"));
        }
        let now = db::now();
        if now - comment.created_at > Duration::minutes(EDIT_WINDOW_MINUTES) {
            return Err(ApiError::forbidden(format!(
                "a comment can be edited for {EDIT_WINDOW_MINUTES} minutes after posting"
            )));
        }
        if comment.version != expected_version {
            return Ok(Err(comment.version));
        }
        let n = diesel::update(
            idea_comments::table
                .filter(idea_comments::id.eq(id))
                .filter(idea_comments::version.eq(expected_version)),
        )
        .set((
            idea_comments::body.eq(body),
            idea_comments::edited_at.eq(now),
            idea_comments::version.eq(expected_version + 1),
        ))
        .execute(conn)?;
        if n == 0 {
            return Ok(Err(find(conn, org_id, idea_id, id)?.version));
        }
        Ok(Ok(find(conn, org_id, idea_id, id)?))
    })
}

/// Soft delete by the author or an admin; deleting a deleted comment changes nothing.
pub fn delete(
    conn: &mut DbConnection,
    org_id: &str,
    idea_id: &str,
    id: &str,
    caller_id: &str,
    caller_role: Role,
) -> Result<(), ApiError> {
    db::write_tx(conn, |conn| {
        let comment = find(conn, org_id, idea_id, id)?;
        if comment.author_id != caller_id && caller_role != Role::Admin {
            return Err(ApiError::forbidden(
                "only the comment's author or an admin may delete it",
            ));
        }
        if comment.deleted_at.is_some() {
            return Ok(());
        }
        diesel::update(idea_comments::table.filter(idea_comments::id.eq(id)))
            .set((
                idea_comments::body.eq(None::<String>),
                idea_comments::deleted_at.eq(db::now()),
                idea_comments::deleted_by.eq(caller_id),
                idea_comments::version.eq(comment.version + 1),
            ))
            .execute(conn)?;
        diesel::update(
            ideas::table
                .filter(ideas::org_id.eq(org_id))
                .filter(ideas::id.eq(idea_id)),
        )
        .set(ideas::comment_count.eq(ideas::comment_count - 1))
        .execute(conn)?;
        Ok(())
    })
}

/// The newest comment by someone other than `user_id` on each of the ideas that have one.
pub fn latest_by_others(
    conn: &mut DbConnection,
    idea_ids: &[&str],
    user_id: &str,
) -> Result<std::collections::HashMap<String, chrono::NaiveDateTime>, ApiError> {
    let rows: Vec<(String, Option<chrono::NaiveDateTime>)> = idea_comments::table
        .filter(idea_comments::idea_id.eq_any(idea_ids))
        .filter(idea_comments::author_id.ne(user_id))
        .group_by(idea_comments::idea_id)
        .select((idea_comments::idea_id, diesel::dsl::max(idea_comments::created_at)))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, t)| t.map(|t| (id, t))).collect())
}
