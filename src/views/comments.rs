//! Comments as callers see them: the idea's anonymous author comments under the code
//! word wherever the idea hides their name.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::domain::fields;
use crate::error::ApiError;
use crate::page_type;
use crate::pagination::finish_page;
use crate::store::idea_comments::{self, Comment, EDIT_WINDOW_MINUTES};
use crate::store::ideas::{self as idea_store, Idea};
use crate::views::ideas::{LONG_TEXT_MAX, PersonRef};

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentResponse {
    pub id: String,
    pub idea_id: String,
    /// The anonymous author of the idea comments under its code word.
    pub author: PersonRef,
    /// Null once deleted.
    pub body: Option<String>,
    pub deleted: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    /// The author may edit until then.
    pub editable_until: DateTime<Utc>,
}

page_type!(CommentPage, CommentResponse);

pub fn comment_body(raw: &str) -> Result<String, ApiError> {
    fields::text(raw, LONG_TEXT_MAX, true).map_err(|m| ApiError::field("body", m))
}

pub fn response(
    c: Comment,
    idea: &Idea,
    caller: &AuthUser,
    names: &std::collections::HashMap<String, String>,
) -> CommentResponse {
    let author = if c.author_id == idea.author_id {
        PersonRef::as_author(idea, &c.author_id, caller, names)
    } else {
        PersonRef::named(&c.author_id, names)
    };
    CommentResponse {
        id: c.id,
        idea_id: c.idea_id,
        author,
        body: c.body,
        deleted: c.deleted_at.is_some(),
        version: c.version,
        created_at: c.created_at.and_utc(),
        edited_at: c.edited_at.map(|t| t.and_utc()),
        editable_until: (c.created_at + Duration::minutes(EDIT_WINDOW_MINUTES)).and_utc(),
    }
}

pub fn one(conn: &mut DbConnection, caller: &AuthUser, idea: &Idea, c: Comment) -> Result<CommentResponse, ApiError> {
    let names = idea_store::display_names(conn, &caller.org_id, &[c.author_id.as_str()])?;
    Ok(response(c, idea, caller, &names))
}

/// A page of an idea's comments, oldest first.
pub fn comments_page(
    conn: &mut DbConnection,
    caller: &AuthUser,
    idea_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<CommentPage, ApiError> {
    let idea = idea_store::find(conn, &caller.org_id, idea_id)?;
    comments_of(conn, caller, &idea, after, limit)
}

/// `comments_page` of an idea already read.
pub fn comments_of(
    conn: &mut DbConnection,
    caller: &AuthUser,
    idea: &Idea,
    after: Option<&str>,
    limit: i64,
) -> Result<CommentPage, ApiError> {
    let rows = idea_comments::list(conn, &caller.org_id, &idea.id, after, limit)?;
    let (rows, next_cursor) = finish_page(rows, limit, |c| c.id.clone());
    let people: Vec<&str> = rows.iter().map(|c| c.author_id.as_str()).collect();
    let names = idea_store::display_names(conn, &caller.org_id, &people)?;
    let items = rows.into_iter().map(|c| response(c, idea, caller, &names)).collect();
    Ok(CommentPage { items, next_cursor })
}
