//! Votes: one per person and idea, with the idea's `vote_count` kept in step in the same
//! transaction.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::db::schema::{idea_votes, ideas};
use crate::db::{self, DbConnection};
use crate::error::ApiError;
use crate::store::ideas as idea_store;

/// Records the user's vote unless it exists; returns the idea's vote count. Safe under
/// concurrency: the primary key admits one row, and only the insert that made it counts.
pub fn put(conn: &mut DbConnection, org_id: &str, idea_id: &str, user_id: &str) -> Result<i64, ApiError> {
    if let DbConnection::Postgresql(pg) = conn {
        return in_one_statement(pg, Change::Add, org_id, idea_id, user_id);
    }
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
    if let DbConnection::Postgresql(pg) = conn {
        return in_one_statement(pg, Change::Remove, org_id, idea_id, user_id);
    }
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

// On PostgreSQL a vote is one statement (atomic by itself): the idea of the organisation,
// the vote row, and the count moved only when that row was really added or removed. The
// idea's row is locked first, as the count's update would lock it anyway: a concurrent
// vote on the same idea waits, then reads the committed row (count included) and counts
// on from it; a concurrent identical vote finds the key taken (or the row gone) and moves
// nothing. The idea's count comes back from the update, or as the locked row has it when
// nothing changed. NULL: no such idea in the organisation.
// SQLite has no data-modifying WITH and pays no round trips: it takes the path above.

const PUT_VOTE: &str = "WITH idea AS (SELECT id, vote_count FROM ideas WHERE org_id = $1 AND id = $2 FOR NO KEY UPDATE), \
     added AS (INSERT INTO idea_votes (idea_id, user_id, org_id, created_at) \
               SELECT id, $3, $1, $4 FROM idea ON CONFLICT DO NOTHING RETURNING idea_id), \
     counted AS (UPDATE ideas SET vote_count = vote_count + 1 \
                 WHERE id IN (SELECT idea_id FROM added) RETURNING vote_count) \
     SELECT COALESCE((SELECT vote_count FROM counted), (SELECT vote_count FROM idea)) AS vote_count";

const DELETE_VOTE: &str = "WITH idea AS (SELECT id, vote_count FROM ideas WHERE org_id = $1 AND id = $2 FOR NO KEY UPDATE), \
     removed AS (DELETE FROM idea_votes WHERE idea_id IN (SELECT id FROM idea) AND user_id = $3 \
                 RETURNING idea_id), \
     counted AS (UPDATE ideas SET vote_count = vote_count - 1 \
                 WHERE id IN (SELECT idea_id FROM removed) RETURNING vote_count) \
     SELECT COALESCE((SELECT vote_count FROM counted), (SELECT vote_count FROM idea)) AS vote_count";

#[derive(QueryableByName)]
struct VoteCount {
    #[diesel(sql_type = Nullable<BigInt>)]
    vote_count: Option<i64>,
}

enum Change {
    Add,
    Remove,
}

fn in_one_statement(
    pg: &mut diesel::PgConnection,
    change: Change,
    org_id: &str,
    idea_id: &str,
    user_id: &str,
) -> Result<i64, ApiError> {
    let row: VoteCount = match change {
        Change::Add => diesel::sql_query(PUT_VOTE)
            .bind::<Text, _>(org_id)
            .bind::<Text, _>(idea_id)
            .bind::<Text, _>(user_id)
            .bind::<Timestamp, _>(db::now())
            .get_result(pg)?,
        Change::Remove => diesel::sql_query(DELETE_VOTE)
            .bind::<Text, _>(org_id)
            .bind::<Text, _>(idea_id)
            .bind::<Text, _>(user_id)
            .get_result(pg)?,
    };
    row.vote_count.ok_or(ApiError::NotFound)
}
