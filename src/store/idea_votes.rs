//! Votes: one per person and idea, with the idea's `vote_count` kept in step in the same
//! transaction.

use diesel::prelude::*;

use crate::db::schema::{idea_votes, ideas};
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::store::ideas as idea_store;

/// Records the user's vote unless it exists; returns the idea's vote count. Safe under
/// concurrency: the primary key admits one row, and only the insert that made it counts.
pub fn put(conn: &mut DbConnection, org_id: &str, idea_id: &str, user_id: &str) -> Result<i64, ApiError> {
    db::write_tx(conn, |conn| {
        idea_store::find(conn, org_id, idea_id)?;
        // A savepoint, so a lost race (unique violation) leaves the outer transaction usable
        // on PostgreSQL.
        let inserted = db::write_tx(conn, |conn| {
            diesel::insert_into(idea_votes::table)
                .values((
                    idea_votes::idea_id.eq(idea_id),
                    idea_votes::user_id.eq(user_id),
                    idea_votes::org_id.eq(org_id),
                    idea_votes::created_at.eq(db::now()),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => {
                diesel::update(ideas::table.find(idea_id))
                    .set(ideas::vote_count.eq(ideas::vote_count + 1))
                    .execute(conn)?;
            }
            Err(e) if db::is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        count(conn, idea_id)
    })
}

/// Removes the user's vote if there is one; returns the idea's vote count.
pub fn delete(conn: &mut DbConnection, org_id: &str, idea_id: &str, user_id: &str) -> Result<i64, ApiError> {
    db::write_tx(conn, |conn| {
        idea_store::find(conn, org_id, idea_id)?;
        let removed = diesel::delete(idea_votes::table.find((idea_id, user_id))).execute(conn)?;
        if removed > 0 {
            diesel::update(ideas::table.find(idea_id))
                .set(ideas::vote_count.eq(ideas::vote_count - 1))
                .execute(conn)?;
        }
        count(conn, idea_id)
    })
}

fn count(conn: &mut DbConnection, idea_id: &str) -> Result<i64, ApiError> {
    Ok(ideas::table.find(idea_id).select(ideas::vote_count).get_result(conn)?)
}
