//! Assessment rounds: creation, changes, the scheduled → open → closed life by hand and by
//! time (exactly once, even with several instances), eligibility and participation.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{assessment_participation, assessment_responses, assessment_rounds, users};
use crate::db::{self, DbConnection};
use crate::domain::questionnaire::QuestionnaireStatus;
use crate::domain::rounds::{self, RoundStatus};
use crate::error::{ApiError, Validator};
use crate::store::{outbox, questionnaires, round_results, units};

#[derive(Debug, Clone, Queryable)]
pub struct Round {
    pub id: String,
    pub org_id: String,
    pub questionnaire_id: String,
    pub title: String,
    pub scope_unit_id: Option<String>,
    pub status: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub opened_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    /// Active users in scope when the round opened.
    pub eligible_count: Option<i64>,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The reassessment period the schedule opened this round for; `None` for rounds made
    /// by hand.
    pub period_key: Option<String>,
}

impl Round {
    pub fn status(&self) -> RoundStatus {
        RoundStatus::parse(&self.status).unwrap_or(RoundStatus::Closed)
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assessment_rounds)]
pub struct NewRound {
    pub id: String,
    pub org_id: String,
    pub questionnaire_id: String,
    pub title: String,
    pub scope_unit_id: Option<String>,
    pub status: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub period_key: Option<String>,
}

impl NewRound {
    pub fn new(
        org_id: &str,
        questionnaire_id: String,
        title: String,
        scope_unit_id: Option<String>,
        opens_at: NaiveDateTime,
        closes_at: NaiveDateTime,
        created_by: &str,
    ) -> Self {
        let now = db::now();
        Self {
            id: db::new_id(),
            org_id: org_id.to_owned(),
            questionnaire_id,
            title,
            scope_unit_id,
            status: RoundStatus::Scheduled.as_str().to_owned(),
            opens_at,
            closes_at,
            created_by: created_by.to_owned(),
            version: 1,
            created_at: now,
            updated_at: now,
            period_key: None,
        }
    }
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = assessment_rounds)]
pub struct RoundChangeset {
    pub title: Option<String>,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
}

pub fn find(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Round, ApiError> {
    Ok(assessment_rounds::table
        .filter(assessment_rounds::org_id.eq(org_id))
        .filter(assessment_rounds::id.eq(id))
        .get_result(conn)?)
}

pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
    status: Option<RoundStatus>,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<Round>, ApiError> {
    let mut q = assessment_rounds::table
        .filter(assessment_rounds::org_id.eq(org_id))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(assessment_rounds::status.eq(s.as_str()));
    }
    if let Some(after) = after_id {
        q = q.filter(assessment_rounds::id.gt(after.to_owned()));
    }
    Ok(q.order(assessment_rounds::id.asc()).limit(limit + 1).load(conn)?)
}

/// Creates a scheduled round for a published questionnaire of the organisation; a round
/// whose opening time has come opens at once.
pub fn create(conn: &mut DbConnection, new: &NewRound) -> Result<Round, ApiError> {
    db::write_tx(conn, |conn| {
        let mut v = Validator::new();
        match questionnaires::find(conn, &new.org_id, &new.questionnaire_id) {
            Ok(q) if q.status() == QuestionnaireStatus::Published => {}
            Ok(q) => v.add(
                "questionnaire_id",
                format!("the questionnaire is {}; rounds need a published one", q.status),
            ),
            Err(ApiError::NotFound) => v.add("questionnaire_id", "no such questionnaire in this organisation"),
            Err(e) => return Err(e),
        }
        if let Some(unit) = &new.scope_unit_id
            && let Err(e) = units::require_in_org(conn, &new.org_id, unit, "scope_unit_id")
        {
            match e {
                ApiError::Validation(errors) => errors.into_iter().for_each(|f| v.add(f.field, f.message)),
                other => return Err(other),
            }
        }
        if title_taken(conn, &new.org_id, &new.title, None)? {
            v.add("title", TITLE_TAKEN);
        }
        v.finish()?;
        diesel::insert_into(assessment_rounds::table)
            .values(new)
            .execute(conn)
            .map_err(title_conflict)?;
        Ok(())
    })?;
    advance_due(conn, Some(&new.org_id), db::now())?;
    find(conn, &new.org_id, &new.id)
}

const TITLE_TAKEN: &str = "another round of the organisation has this title; choose another";

/// Whether another round of the organisation (than `except`) has this title.
fn title_taken(conn: &mut DbConnection, org_id: &str, title: &str, except: Option<&str>) -> Result<bool, ApiError> {
    let mut q = assessment_rounds::table
        .filter(assessment_rounds::org_id.eq(org_id))
        .filter(assessment_rounds::title.eq(title))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(assessment_rounds::id.ne(id));
    }
    Ok(q.count().get_result::<i64>(conn)? > 0)
}

/// A title taken at the same moment by a parallel request (the unique index's answer).
fn title_conflict(e: diesel::result::Error) -> ApiError {
    if db::is_unique_violation(&e) {
        ApiError::field("title", TITLE_TAKEN)
    } else {
        e.into()
    }
}

/// `base`, or `base (2)`, `base (3)`, … — the first title no round of the organisation
/// has (for rounds the schedule or a trigger names by its pattern).
pub fn numbered_title(conn: &mut DbConnection, org_id: &str, base: &str) -> Result<String, ApiError> {
    let taken: std::collections::HashSet<String> = assessment_rounds::table
        .filter(assessment_rounds::org_id.eq(org_id))
        .select(assessment_rounds::title)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut title = base.to_owned();
    let mut n = 1;
    while taken.contains(&title) {
        n += 1;
        title = format!("{base} ({n})");
    }
    Ok(title)
}

/// Changes title and times. The opening time can change only before opening, the
/// closing time only before closing.
pub fn update(
    conn: &mut DbConnection,
    org_id: &str,
    id: &str,
    expected_version: i64,
    changes: &RoundChangeset,
) -> Result<Result<Round, i64>, ApiError> {
    advance_due(conn, Some(org_id), db::now())?;
    db::write_tx(conn, |conn| {
        let current = find(conn, org_id, id)?;
        if current.version != expected_version {
            return Ok(Err(current.version));
        }
        let status = current.status();
        if changes.opens_at.is_some() && status != RoundStatus::Scheduled {
            return Err(ApiError::conflict(
                "the round has opened; its opening time can no longer change",
            ));
        }
        if changes.closes_at.is_some() && status == RoundStatus::Closed {
            return Err(ApiError::conflict(
                "the round is closed; its closing time can no longer change",
            ));
        }
        let opens_at = changes.opens_at.unwrap_or(current.opens_at);
        let closes_at = changes.closes_at.unwrap_or(current.closes_at);
        if changes.opens_at.is_some() || changes.closes_at.is_some() {
            let mut v = Validator::new();
            for (field, message) in rounds::check_times(opens_at, closes_at, db::now()) {
                v.add(field, message);
            }
            v.finish()?;
        }
        if let Some(title) = &changes.title
            && title_taken(conn, org_id, title, Some(id))?
        {
            return Err(ApiError::field("title", TITLE_TAKEN));
        }
        diesel::update(
            assessment_rounds::table
                .filter(assessment_rounds::id.eq(id))
                .filter(assessment_rounds::version.eq(expected_version)),
        )
        .set((
            changes,
            assessment_rounds::version.eq(expected_version + 1),
            assessment_rounds::updated_at.eq(db::now()),
        ))
        .execute(conn)
        .map_err(title_conflict)?;
        Ok(Ok(find(conn, org_id, id)?))
    })
    .and_then(|outcome| match outcome {
        Ok(_) => {
            // A new opening time in the past opens the round now.
            advance_due(conn, Some(org_id), db::now())?;
            Ok(Ok(find(conn, org_id, id)?))
        }
        Err(current) => Ok(Err(current)),
    })
}

/// Deletes a round that has not opened yet.
pub fn delete(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<(), ApiError> {
    advance_due(conn, Some(org_id), db::now())?;
    db::write_tx(conn, |conn| {
        let n = diesel::delete(
            assessment_rounds::table
                .filter(assessment_rounds::org_id.eq(org_id))
                .filter(assessment_rounds::id.eq(id))
                .filter(assessment_rounds::status.eq(RoundStatus::Scheduled.as_str())),
        )
        .execute(conn)?;
        if n == 0 {
            let round = find(conn, org_id, id)?;
            return Err(ApiError::conflict(format!(
                "the round is {}; only scheduled rounds can be deleted",
                round.status
            )));
        }
        Ok(())
    })
}

/// Active users in scope: the whole organisation, or members of the unit sub-tree.
pub fn eligible_count(conn: &mut DbConnection, org_id: &str, scope_unit_id: Option<&str>) -> Result<i64, ApiError> {
    let mut q = users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::active.eq(true))
        .into_boxed();
    if let Some(scope) = scope_unit_id {
        q = q.filter(users::unit_id.eq_any(units::subtree_ids(conn, org_id, scope)?));
    }
    Ok(q.count().get_result(conn)?)
}

/// Whether a member of `unit_id` belongs to a round with this scope.
pub fn in_scope(
    conn: &mut DbConnection,
    org_id: &str,
    scope_unit_id: Option<&str>,
    unit_id: Option<&str>,
) -> Result<bool, ApiError> {
    match (scope_unit_id, unit_id) {
        (None, _) => Ok(true),
        (Some(_), None) => Ok(false),
        (Some(scope), Some(unit)) => Ok(units::tree(conn, org_id)?.is_within(unit, scope)),
    }
}

/// scheduled → open, freezing the eligible headcount. False when someone else did it.
/// Every opening goes through here: by time, by hand, and by the reassessment schedule.
pub fn open_round(conn: &mut DbConnection, round: &Round, now: NaiveDateTime) -> Result<bool, ApiError> {
    db::write_tx(conn, |conn| {
        let eligible = eligible_count(conn, &round.org_id, round.scope_unit_id.as_deref())?;
        let n = diesel::update(
            assessment_rounds::table
                .filter(assessment_rounds::id.eq(&round.id))
                .filter(assessment_rounds::status.eq(RoundStatus::Scheduled.as_str())),
        )
        .set((
            assessment_rounds::status.eq(RoundStatus::Open.as_str()),
            assessment_rounds::opened_at.eq(Some(now)),
            assessment_rounds::eligible_count.eq(Some(eligible)),
            assessment_rounds::version.eq(assessment_rounds::version + 1),
            assessment_rounds::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 1 {
            outbox::round_event(conn, round, outbox::ROUND_OPENED, now)?;
            crate::store::mail::round_opened(conn, round)?;
        }
        Ok(n == 1)
    })
}

/// open → closed. False when someone else did it. On PostgreSQL the round's responses
/// and participation rows are then rewritten in key order (see `rewrite_in_key_order`);
/// the round's results are published for good.
fn close_round(conn: &mut DbConnection, round_id: &str, now: NaiveDateTime) -> Result<bool, ApiError> {
    let closed = db::write_tx(conn, |conn| -> Result<bool, ApiError> {
        if let DbConnection::Postgresql(pg) = conn {
            // Waits for the submissions in flight, which hold a key-share lock on the row;
            // later ones wait for this transaction, then find the round closed (see
            // `responses::submit`).
            assessment_rounds::table
                .find(round_id)
                .select(assessment_rounds::id)
                .for_update()
                .load::<String>(pg)?;
        }
        let n = diesel::update(
            assessment_rounds::table
                .filter(assessment_rounds::id.eq(round_id))
                .filter(assessment_rounds::status.eq(RoundStatus::Open.as_str())),
        )
        .set((
            assessment_rounds::status.eq(RoundStatus::Closed.as_str()),
            assessment_rounds::closed_at.eq(Some(now)),
            assessment_rounds::version.eq(assessment_rounds::version + 1),
            assessment_rounds::updated_at.eq(now),
        ))
        .execute(conn)?;
        if n == 1 {
            rewrite_in_key_order(conn, round_id)?;
            // The figures are built now, with the unit tree and k of this moment, and
            // never again (see `store::round_results`).
            let round: Round = assessment_rounds::table.find(round_id).get_result(conn)?;
            round_results::publish(conn, &round)?;
            outbox::round_event(conn, &round, outbox::ROUND_CLOSED, now)?;
        }
        Ok(n == 1)
    })?;
    Ok(closed)
}

/// PostgreSQL keeps the row versions a close rewrote (which still carry each
/// submission's own transaction stamp) until VACUUM removes them; the scheduler calls this
/// after rounds closed, instead of waiting for autovacuum. Best effort: a failure (for
/// example when the service's database role does not own the tables) is logged.
pub fn vacuum_answers(conn: &mut DbConnection) {
    if !matches!(conn, DbConnection::Postgresql(_)) || !db::outside_transaction(conn) {
        return;
    }
    use diesel::connection::SimpleConnection;
    if let Err(e) = conn.batch_execute(
        "VACUUM (SKIP_LOCKED) assessment_responses, assessment_participation, assessment_answers, assessment_scores",
    ) {
        tracing::warn!(error = %e, "vacuum after closing a round failed; autovacuum will remove the old row versions");
    }
}

/// PostgreSQL keeps rows in insertion order and stamps each with its inserting
/// transaction, so while a round is open the n-th response and the n-th participation row
/// belong together. Rewriting both in one transaction, sorted by their keys (random
/// response ids, user ids), gives every row the same transaction stamp and an order that
/// says nothing about who answered when. Old row versions disappear with VACUUM.
/// SQLite needs nothing: its WITHOUT ROWID tables are stored in key order anyway.
fn rewrite_in_key_order(conn: &mut DbConnection, round_id: &str) -> Result<(), ApiError> {
    let DbConnection::Postgresql(pg) = conn else {
        return Ok(());
    };
    // Responses, then their answers and scores (which have no foreign keys of their own:
    // migration 2026-11-27-000009), all inside the closing transaction.
    const STATEMENTS: [&str; 4] = [
        "WITH moved AS (DELETE FROM assessment_responses WHERE round_id = $1 RETURNING id, round_id, unit_id) \
         INSERT INTO assessment_responses (id, round_id, unit_id) SELECT id, round_id, unit_id FROM moved ORDER BY id",
        "WITH moved AS (DELETE FROM assessment_answers WHERE round_id = $1 RETURNING response_id, item_key, round_id, value) \
         INSERT INTO assessment_answers (response_id, item_key, round_id, value) \
         SELECT response_id, item_key, round_id, value FROM moved ORDER BY response_id, item_key",
        "WITH moved AS (DELETE FROM assessment_scores WHERE round_id = $1 \
         RETURNING response_id, dimension_key, round_id, unit_id, score) \
         INSERT INTO assessment_scores (response_id, dimension_key, round_id, unit_id, score) \
         SELECT response_id, dimension_key, round_id, unit_id, score FROM moved ORDER BY response_id, dimension_key",
        "WITH moved AS (DELETE FROM assessment_participation WHERE round_id = $1 RETURNING round_id, user_id, org_id) \
         INSERT INTO assessment_participation (round_id, user_id, org_id) \
         SELECT round_id, user_id, org_id FROM moved ORDER BY user_id",
    ];
    for sql in STATEMENTS {
        diesel::sql_query(sql)
            .bind::<diesel::sql_types::Text, _>(round_id)
            .execute(pg)?;
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Advanced {
    pub opened: usize,
    pub closed: usize,
}

/// A round of the organisation as it stands at `now`: when its time to open or close has
/// come, the due steps are taken first (for every due round of the organisation). The
/// common case, nothing due, costs one lookup.
pub fn find_current(conn: &mut DbConnection, org_id: &str, id: &str, now: NaiveDateTime) -> Result<Round, ApiError> {
    current(conn, org_id, now, |conn| find(conn, org_id, id), |round| round)
}

/// The round as `find_current` gives it, and whether the user has answered it, in one
/// lookup (answering asks both with every response).
pub fn find_for_respondent(
    conn: &mut DbConnection,
    org_id: &str,
    id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<(Round, bool), ApiError> {
    let lookup = |conn: &mut DbConnection| -> Result<(Round, bool), ApiError> {
        let answered = diesel::dsl::exists(
            assessment_participation::table
                .filter(assessment_participation::round_id.eq(id))
                .filter(assessment_participation::user_id.eq(user_id)),
        );
        Ok(assessment_rounds::table
            .filter(assessment_rounds::org_id.eq(org_id))
            .filter(assessment_rounds::id.eq(id))
            .select((assessment_rounds::all_columns, answered))
            .get_result(conn)?)
    };
    current(conn, org_id, now, lookup, |(round, _)| round)
}

fn current<T>(
    conn: &mut DbConnection,
    org_id: &str,
    now: NaiveDateTime,
    lookup: impl Fn(&mut DbConnection) -> Result<T, ApiError>,
    round_of: impl Fn(&T) -> &Round,
) -> Result<T, ApiError> {
    let found = lookup(conn)?;
    let round = round_of(&found);
    if rounds::due_transition(round.status(), round.opens_at, round.closes_at, now).is_none() {
        return Ok(found);
    }
    advance_due(conn, Some(org_id), now)?;
    lookup(conn)
}

pub fn advance_due(conn: &mut DbConnection, org_id: Option<&str>, now: NaiveDateTime) -> Result<Advanced, ApiError> {
    let mut q = assessment_rounds::table
        .filter(
            assessment_rounds::status
                .eq(RoundStatus::Scheduled.as_str())
                .and(assessment_rounds::opens_at.le(now))
                .or(assessment_rounds::status
                    .eq(RoundStatus::Open.as_str())
                    .and(assessment_rounds::closes_at.le(now))),
        )
        .into_boxed();
    if let Some(org) = org_id {
        q = q.filter(assessment_rounds::org_id.eq(org));
    }
    let due: Vec<Round> = q.load(conn)?;
    let mut done = Advanced::default();
    for round in due {
        let mut status = round.status();
        while let Some(next) = rounds::due_transition(status, round.opens_at, round.closes_at, now) {
            let changed = match next {
                RoundStatus::Open => open_round(conn, &round, now)?,
                RoundStatus::Closed => close_round(conn, &round.id, now)?,
                RoundStatus::Scheduled => false,
            };
            if changed {
                match next {
                    RoundStatus::Open => done.opened += 1,
                    _ => done.closed += 1,
                }
            }
            // Whoever made the step, continue from what is stored now.
            status = find(conn, &round.org_id, &round.id)?.status();
            if !changed && status != next {
                break;
            }
        }
    }
    Ok(done)
}

fn refuse(round: &Round, target: RoundStatus) -> Result<(), ApiError> {
    match rounds::manual_refusal(round.status(), target) {
        None => Ok(()),
        Some(why) => Err(ApiError::conflict(why)),
    }
}

/// Opens a scheduled round now.
pub fn open_now(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Round, ApiError> {
    let now = db::now();
    advance_due(conn, Some(org_id), now)?;
    let round = find(conn, org_id, id)?;
    refuse(&round, RoundStatus::Open)?;
    if !open_round(conn, &round, now)? {
        refuse(&find(conn, org_id, id)?, RoundStatus::Open)?;
    }
    find(conn, org_id, id)
}

/// Closes an open round now.
pub fn close_now(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Round, ApiError> {
    let now = db::now();
    advance_due(conn, Some(org_id), now)?;
    let round = find(conn, org_id, id)?;
    refuse(&round, RoundStatus::Closed)?;
    // The answering window ends now, committed on its own: submissions that start from
    // here on find it over and take no lock on the round, so the close below waits only
    // for those already in flight (on PostgreSQL a steady stream of key-share locks could
    // otherwise keep its FOR UPDATE waiting).
    db::write_tx(conn, |conn| {
        diesel::update(
            assessment_rounds::table
                .filter(assessment_rounds::id.eq(&round.id))
                .filter(assessment_rounds::status.eq(RoundStatus::Open.as_str()))
                .filter(assessment_rounds::closes_at.gt(now))
                // A round opened by hand before its planned opening keeps its window
                // (the window must end after it opens).
                .filter(assessment_rounds::opens_at.lt(now)),
        )
        .set(assessment_rounds::closes_at.eq(now))
        .execute(conn)
    })?;
    if !close_round(conn, &round.id, now)? {
        refuse(&find(conn, org_id, id)?, RoundStatus::Closed)?;
    }
    find(conn, org_id, id)
}

/// Which of these rounds the user has answered (the user's own participation only).
pub fn answered_among(
    conn: &mut DbConnection,
    user_id: &str,
    round_ids: &[String],
) -> Result<HashSet<String>, ApiError> {
    Ok(assessment_participation::table
        .filter(assessment_participation::user_id.eq(user_id))
        .filter(assessment_participation::round_id.eq_any(round_ids))
        .select(assessment_participation::round_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

pub fn response_count(conn: &mut DbConnection, round_id: &str) -> Result<i64, ApiError> {
    Ok(assessment_responses::table
        .filter(assessment_responses::round_id.eq(round_id))
        .count()
        .get_result(conn)?)
}

/// Deletes the participation records (who answered) of rounds closed at or before
/// `closed_before`: afterwards not even the service knows who took part. Safe with several
/// instances: deleting what another instance deleted first deletes nothing.
pub fn purge_participation(conn: &mut DbConnection, closed_before: NaiveDateTime) -> Result<usize, ApiError> {
    let rounds = assessment_rounds::table
        .filter(assessment_rounds::status.eq(RoundStatus::Closed.as_str()))
        .filter(assessment_rounds::closed_at.le(closed_before))
        .select(assessment_rounds::id);
    Ok(
        diesel::delete(assessment_participation::table.filter(assessment_participation::round_id.eq_any(rounds)))
            .execute(conn)?,
    )
}
