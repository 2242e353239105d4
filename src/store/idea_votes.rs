//! Votes: one per person and idea, with the idea's `vote_count` kept in step in the same
//! transaction.

use chrono::NaiveDateTime;
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
        // SQLite undoes only the failed statement of a vote that exists already (unique
        // violation) and keeps the transaction usable: no savepoint needed (PostgreSQL,
        // which would abort the transaction, has its one statement above).
        let inserted = diesel::insert_into(idea_votes::table)
            .values((
                idea_votes::idea_id.eq(idea_id),
                idea_votes::user_id.eq(user_id),
                idea_votes::org_id.eq(org_id),
                idea_votes::created_at.eq(db::now()),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => {
                MoveVoteCount { org_id, idea_id, by: 1 }.execute(conn)?;
            }
            Err(e) if db::is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        count(conn, org_id, idea_id)
    })
}

/// Removes the user's vote if there is one; returns the idea's vote count.
pub fn delete(conn: &mut DbConnection, org_id: &str, idea_id: &str, user_id: &str) -> Result<i64, ApiError> {
    if let DbConnection::Postgresql(pg) = conn {
        return in_one_statement(pg, Change::Remove, org_id, idea_id, user_id);
    }
    db::write_tx(conn, |conn| {
        idea_store::find(conn, org_id, idea_id)?;
        let removed = diesel::delete(
            idea_votes::table
                .filter(idea_votes::org_id.eq(org_id))
                .filter(idea_votes::idea_id.eq(idea_id))
                .filter(idea_votes::user_id.eq(user_id)),
        )
        .execute(conn)?;
        if removed > 0 {
            MoveVoteCount {
                org_id,
                idea_id,
                by: -1,
            }
            .execute(conn)?;
        }
        count(conn, org_id, idea_id)
    })
}

/// The idea's count moved by one, as a statement each connection prepares once (diesel
/// compiles its own `UPDATE` anew on every run: on SQLite that is most of the work).
struct MoveVoteCount<'a> {
    org_id: &'a str,
    idea_id: &'a str,
    by: i64,
}

impl diesel::query_builder::QueryId for MoveVoteCount<'_> {
    type QueryId = MoveVoteCount<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<DbConnection> for MoveVoteCount<'_> {}

impl diesel::query_builder::QueryFragment<db::MultiBackend> for MoveVoteCount<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>) -> QueryResult<()> {
        out.push_sql("UPDATE ideas SET vote_count = vote_count + ");
        out.push_bind_param::<BigInt, _>(&self.by)?;
        out.push_sql(" WHERE org_id = ");
        out.push_bind_param::<Text, _>(self.org_id)?;
        out.push_sql(" AND id = ");
        out.push_bind_param::<Text, _>(self.idea_id)?;
        Ok(())
    }
}

fn count(conn: &mut DbConnection, org_id: &str, idea_id: &str) -> Result<i64, ApiError> {
    Ok(ideas::table
        .filter(ideas::org_id.eq(org_id))
        .filter(ideas::id.eq(idea_id))
        .select(ideas::vote_count)
        .get_result(conn)?)
}

// On PostgreSQL a vote is one statement (atomic by itself): the idea of the organisation,
// the vote row, and the count moved only when that row was really added or removed. The
// idea's row is locked first, as the count's update would lock it anyway: a concurrent
// vote on the same idea waits, then reads the committed row (count included) and counts
// on from it; a concurrent identical vote finds the key taken (or the row gone) and moves
// nothing. The idea's count comes back from the update, or as the locked row has it when
// nothing changed. NULL: no such idea in the organisation.
// One race remains, as before this statement: a DELETE waiting for the idea's lock while
// the same person's PUT commits does not see that new vote (its snapshot is older), so
// the vote stays and the DELETE answers `voted: false` with the count that includes it.
// SQLite has no data-modifying WITH and pays no round trips: it takes the path above.

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
    let statement = VoteStatement {
        change,
        org_id,
        idea_id,
        user_id,
        now: db::now(),
    };
    let count: Option<i64> = statement.get_result(pg)?;
    count.ok_or(ApiError::NotFound)
}

/// The vote statement as a query of its own, so each connection prepares it once (diesel
/// keeps raw SQL out of its statement cache; see `responses::SubmitStatement`).
struct VoteStatement<'a> {
    change: Change,
    org_id: &'a str,
    idea_id: &'a str,
    user_id: &'a str,
    now: NaiveDateTime,
}

impl diesel::query_builder::QueryId for VoteStatement<'_> {
    // Cached by its SQL text: one for adding, one for removing.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for VoteStatement<'_> {
    /// The idea's vote count; NULL when the organisation has no such idea.
    type SqlType = Nullable<BigInt>;
}

impl RunQueryDsl<diesel::PgConnection> for VoteStatement<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for VoteStatement<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        out.push_sql("WITH idea AS (SELECT id, vote_count FROM ideas WHERE org_id = ");
        out.push_bind_param::<Text, _>(&self.org_id)?;
        out.push_sql(" AND id = ");
        out.push_bind_param::<Text, _>(&self.idea_id)?;
        out.push_sql(" FOR NO KEY UPDATE), ");
        match self.change {
            Change::Add => {
                out.push_sql("changed AS (INSERT INTO idea_votes (idea_id, user_id, org_id, created_at) SELECT id, ");
                out.push_bind_param::<Text, _>(&self.user_id)?;
                out.push_sql(", ");
                out.push_bind_param::<Text, _>(&self.org_id)?;
                out.push_sql(", ");
                out.push_bind_param::<Timestamp, _>(&self.now)?;
                out.push_sql(" FROM idea ON CONFLICT DO NOTHING RETURNING idea_id, org_id), ");
                // A new vote makes its voter a participant: the people's counter moves here
                // (no trigger on inserts, see migration 2026-12-04-000028_vote_counters).
                out.push_sql(
                    "bumped AS (INSERT INTO participation_versions (org_id, shard, version) \
                     SELECT org_id, (txid_current() % 8)::SMALLINT, 1 FROM changed \
                     ON CONFLICT (org_id, shard) DO UPDATE SET version = participation_versions.version + 1), \
                     counted AS (UPDATE ideas SET vote_count = vote_count + 1 ",
                );
            }
            Change::Remove => {
                out.push_sql("changed AS (DELETE FROM idea_votes WHERE org_id = ");
                out.push_bind_param::<Text, _>(&self.org_id)?;
                out.push_sql(" AND idea_id IN (SELECT id FROM idea) AND user_id = ");
                out.push_bind_param::<Text, _>(&self.user_id)?;
                out.push_sql(" RETURNING idea_id), counted AS (UPDATE ideas SET vote_count = vote_count - 1 ");
            }
        }
        out.push_sql("WHERE org_id = ");
        out.push_bind_param::<Text, _>(&self.org_id)?;
        out.push_sql(
            " AND id IN (SELECT idea_id FROM changed) RETURNING vote_count) \
             SELECT COALESCE((SELECT vote_count FROM counted), (SELECT vote_count FROM idea))",
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_and_the_report_counter_are_compiled_once_per_connection() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = db::migrated_sqlite(dir.path());
        let kept = db::record_kept_statements(&mut conn);
        for by in [1, -1, 1] {
            MoveVoteCount {
                org_id: "o",
                idea_id: "i",
                by,
            }
            .execute(&mut conn)
            .expect("count");
            crate::store::report_cache::ideas_inserted(&mut conn, "o").expect("counter");
        }
        let texts = db::take_kept(&kept);
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[0].starts_with("UPDATE ideas SET vote_count"), "{texts:?}");
        assert!(texts[1].starts_with("INSERT INTO report_versions"), "{texts:?}");
        // The upsert ran three times: the counter says so.
        assert_eq!(
            crate::store::report_cache::ideas_version(&mut conn, "o").expect("version"),
            3
        );
    }
}
