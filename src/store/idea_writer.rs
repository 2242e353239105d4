//! Idea submissions, written in batches by a writer of their own (group commit).
//!
//! Every transaction costs a commit, and an idea's commit is large: a submission changes
//! a page in each of the ideas table's indexes, its dimension links and its first history
//! event. On SQLite the commit appends each changed page to the write-ahead log, and every
//! other pooled connection reads its pages again after it; on PostgreSQL a commit is a
//! log flush and each statement a round trip. Submissions that arrive while a batch is
//! being written wait in a queue and go into the next batch together: one transaction,
//! one commit, for all of them (on PostgreSQL one statement). Most new entries of an
//! index land on its last page, so a batch of eight writes not much more than one idea
//! did alone. The writer's connection is its own and keeps the pages it writes cached
//! between batches. When the queue is empty, a submission is written at once. One writer,
//! also on PostgreSQL: two writers halved the batches and wrote fewer ideas per second
//! (measured in BENCHMARKS.md); there a second thread checks the next batch meanwhile.
//!
//! A submission is answered only after its batch committed, so a `201` still means
//! written. The request verifies the submitter's access token only; the batch loads the
//! accounts of all its submitters in one query and refuses each one any request would
//! refuse (gone, moved, deactivated: 401; generated password not replaced: 403), where
//! a query per request cost a fifth of the machine's time. The checks the database
//! cannot make (dimension keys of the current questionnaire, active co-authors) run
//! before the write and answer their `422` at once; the unit is left to its foreign key.
//! When the write fails (say, a unit of another organisation), nothing of the batch
//! stays, and its submissions are checked and written again one by one, each in a
//! transaction of its own: every one gets exactly the answer it would have got alone.
//! The answer is built right after the commit on the writer's connection (most need no
//! read at all: an idea's author is the caller); a panic while building one loses only
//! that answer. Anonymous submissions do not come here (`create_idea` writes them
//! alone): their code word is checked under their organisation's lock, which other
//! transactions hold too, and waiting for it would stop every organisation's
//! submissions.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, SyncSender, TrySendError};

use chrono::NaiveDateTime;
use diesel::PgConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, Text, Timestamp};
use r2d2::ManageConnection;

use crate::auth::extractors::{account, may_act};
use crate::auth::{AuthUser, TokenCaller};
use crate::db::{self, DatabaseTarget, DbConnection, DbManager};
use crate::error::ApiError;
use crate::store::ideas::{self, Idea, IdeaDraft, Lookups};
use crate::store::mail::Sending;
use crate::store::sessions::{self, SessionState};
use crate::store::{idea_events, outbox, users};

/// Submissions waiting for the writer; a full queue answers 503.
const QUEUE: usize = 4096;
/// At most this many submissions share one transaction.
const MAX_BATCH: usize = 64;

/// Receives the outcome: the written idea after the commit, or why it was not written.
pub type Respond = Box<dyn FnOnce(Result<Written<'_>, ApiError>) + Send>;

/// A submission written and committed, with the writer's connection to read what the
/// answer needs (it must not write).
pub struct Written<'a> {
    pub conn: &'a mut DbConnection,
    pub idea: Idea,
    pub author: &'a AuthUser,
    pub draft: &'a IdeaDraft,
}

/// Who submits.
pub enum Submitter {
    /// An account loaded and checked already (as by the `AuthUser` extractor); the batch
    /// still refuses it while its generated password is not replaced.
    Account(AuthUser),
    /// Only the access token is verified (`auth::TokenCaller`): the account is loaded and
    /// checked together with the batch's others, one query for all, before anything is
    /// written; a deactivated account is refused as it would be on any request.
    Token(TokenCaller),
}

pub struct Submission {
    pub submitter: Submitter,
    /// Validated as far as the request alone allows (`CreateIdea::validate`).
    pub draft: IdeaDraft,
    pub respond: Respond,
}

impl Submission {
    /// Answers that the submission was not written.
    fn refuse(self, why: ApiError) {
        refuse(self.respond, why);
    }
}

/// A submission whose account passed its checks.
pub struct Ready {
    author: AuthUser,
    draft: IdeaDraft,
    respond: Respond,
}

fn refuse(respond: Respond, why: ApiError) {
    if catch_unwind(AssertUnwindSafe(|| respond(Err(why)))).is_err() {
        tracing::error!("answering a refused idea panicked");
    }
}

impl Ready {
    fn refuse(self, why: ApiError) {
        refuse(self.respond, why);
    }

    /// Hands the outcome over. A panic in `respond` drops only this answer (its request
    /// gets a 500); the batch's other answers still go out.
    fn answer(self, conn: &mut DbConnection, outcome: Result<Idea, ApiError>) {
        let Self { author, draft, respond } = self;
        let answered = catch_unwind(AssertUnwindSafe(|| {
            respond(outcome.map(|idea| Written {
                conn,
                idea,
                author: &author,
                draft: &draft,
            }))
        }));
        if answered.is_err() {
            tracing::error!("building the answer to a written idea panicked");
        }
    }
}

/// The handle requests submit through; clones share the writer's two threads, which end
/// when the last handle is dropped and the queues are empty.
#[derive(Clone)]
pub struct IdeaWriter {
    queue: SyncSender<Submission>,
}

impl IdeaWriter {
    /// On PostgreSQL two threads, each with a connection of its own, as a pipeline: one
    /// checks the next batch while the other writes the one before (each a round trip
    /// the writer would otherwise wait for; 2,730 → 2,990/s), and the writer takes every
    /// checked batch waiting for it into one write. On SQLite one thread does both: its
    /// checks read pages its own writes keep cached, where a second connection would
    /// read them again after every commit (4,890 → 3,830/s with two threads).
    pub fn spawn(target: DatabaseTarget, sending: Sending) -> std::io::Result<Self> {
        let (queue, waiting) = mpsc::sync_channel::<Submission>(QUEUE);
        let next_submissions = move || {
            let first = waiting.recv().ok()?;
            let mut batch = vec![first];
            batch.extend(waiting.try_iter().take(MAX_BATCH - 1));
            Some(batch)
        };
        let manager = DbManager::new(target.clone());
        if target.is_sqlite() {
            std::thread::Builder::new().name("idea-writer".into()).spawn(move || {
                run("writer", &manager, next_submissions, |conn, batch| {
                    write_batch(conn, batch, sending)
                })
            })?;
            return Ok(Self { queue });
        }
        let manager = manager.generic_plans();
        let (to_writer, checked) = mpsc::sync_channel::<Vec<Ready>>(QUEUE);
        let checker_manager = manager.clone();
        std::thread::Builder::new().name("idea-checker".into()).spawn(move || {
            run("checker", &checker_manager, next_submissions, |conn, batch| {
                let (passed, suspect) = check_batch(conn, batch);
                if !passed.is_empty()
                    && let Err(mpsc::SendError(lost)) = to_writer.send(passed)
                {
                    for submission in lost {
                        submission.refuse(ApiError::Unavailable("the idea writer has stopped".into()));
                    }
                }
                suspect
            });
        })?;
        std::thread::Builder::new().name("idea-writer".into()).spawn(move || {
            let next = || {
                let mut batch = checked.recv().ok()?;
                while batch.len() < MAX_BATCH {
                    match checked.try_recv() {
                        Ok(more) => batch.extend(more),
                        Err(_) => break,
                    }
                }
                Some(batch)
            };
            run("writer", &manager, next, |conn, checked| {
                write_checked(conn, checked, sending)
            });
        })?;
        Ok(Self { queue })
    }

    pub fn submit(&self, submission: Submission) -> Result<(), ApiError> {
        self.queue.try_send(submission).map_err(|e| match e {
            TrySendError::Full(_) => ApiError::Unavailable("the queue of idea submissions is full".into()),
            TrySendError::Disconnected(_) => ApiError::Unavailable("the idea writer has stopped".into()),
        })
    }
}

/// One stage's loop: the next batch, a connection (kept while it is sound), the work.
fn run<S: Refusable>(
    stage: &str,
    manager: &DbManager,
    mut next: impl FnMut() -> Option<Vec<S>>,
    mut work: impl FnMut(&mut DbConnection, Vec<S>) -> bool,
) {
    let mut kept: Option<DbConnection> = None;
    while let Some(batch) = next() {
        let mut conn = match kept.take() {
            Some(conn) => conn,
            None => match manager.connect() {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::error!(error = %e, stage, "the idea writer cannot connect");
                    for submission in batch {
                        submission.refuse(ApiError::Unavailable(format!("database: {e}")));
                    }
                    continue;
                }
            },
        };
        // A panic drops the batch's answers (their requests get a 500) and the connection,
        // whose transaction state is unknown; the thread goes on with the next batch.
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let suspect = work(&mut conn, batch);
            (conn, suspect)
        }));
        match outcome {
            Ok((mut conn, suspect)) => {
                // After an internal error the connection may be broken: keep it only if it
                // is outside any transaction and answers.
                if !suspect || (db::outside_transaction(&mut conn) && manager.is_valid(&mut conn).is_ok()) {
                    kept = Some(conn);
                }
            }
            Err(_) => tracing::error!(stage, "the idea writer panicked; its batch was answered with errors"),
        }
    }
}

/// What a stage can answer when it cannot do its work.
trait Refusable {
    fn refuse(self, why: ApiError);
}

impl Refusable for Submission {
    fn refuse(self, why: ApiError) {
        Submission::refuse(self, why);
    }
}

impl Refusable for Ready {
    fn refuse(self, why: ApiError) {
        Ready::refuse(self, why);
    }
}

/// Checks and writes one batch on one connection, then answers every submission (what
/// the two threads do in turn). True when an internal error occurred, which may mean
/// the connection broke.
pub fn write_batch(conn: &mut DbConnection, batch: Vec<Submission>, sending: Sending) -> bool {
    let (passed, suspect) = check_batch(conn, batch);
    write_checked(conn, passed, sending) | suspect
}

/// The checks before writing (`ideas::check_before_batch`); answers the refused
/// submissions and returns the others.
fn check_batch(conn: &mut DbConnection, batch: Vec<Submission>) -> (Vec<Ready>, bool) {
    let mut lookups = Lookups::default();
    let (accounts, mut suspect) = check_accounts(conn, batch, &mut lookups);
    let mut passed = Vec::with_capacity(accounts.len());
    for ready in accounts {
        match ideas::check_before_batch(conn, &ready.author.org_id, &ready.draft, &mut lookups) {
            Ok(()) => passed.push(ready),
            Err(e) => {
                suspect |= is_internal(&e);
                ready.refuse(e);
            }
        }
    }
    (passed, suspect)
}

/// Loads the accounts of the batch's token submitters and applies the checks every
/// request's account passes (`auth::extractors::account`, `may_act`). On PostgreSQL one
/// query for all, which also brings their organisations' dimension keys into `lookups`.
fn check_accounts(conn: &mut DbConnection, batch: Vec<Submission>, lookups: &mut Lookups) -> (Vec<Ready>, bool) {
    let ids: Vec<&str> = batch
        .iter()
        .filter_map(|s| match &s.submitter {
            Submitter::Token(t) => Some(t.user_id.as_str()),
            Submitter::Account(_) => None,
        })
        .collect();
    let session_ids: Vec<&str> = batch
        .iter()
        .filter_map(|s| match &s.submitter {
            Submitter::Token(t) => Some(t.session_id.as_str()),
            Submitter::Account(_) => None,
        })
        .collect();
    let org_ids: Vec<&str> = batch
        .iter()
        .filter_map(|s| match &s.submitter {
            Submitter::Token(t) => Some(t.org_id.as_str()),
            Submitter::Account(_) => None,
        })
        .collect();
    let loaded = match conn {
        _ if ids.is_empty() => Ok((HashMap::new(), HashMap::new())),
        DbConnection::Sqlite(_) => by_key(conn, &batch),
        DbConnection::Postgresql(pg) => sessions::accounts_and_sessions(pg, &org_ids, &ids, &session_ids).map(|rows| {
            let (mut accounts, mut states) = (HashMap::new(), HashMap::new());
            for (user, state, keys) in rows {
                if let Some(state) = state {
                    states.insert(state.id.clone(), state);
                }
                lookups.know_published_keys(&user.org_id, keys);
                accounts.insert(user.id.clone(), user);
            }
            (accounts, states)
        }),
    };
    let (loaded, sessions) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            for submission in batch {
                submission.refuse(match &e {
                    ApiError::Unavailable(m) => ApiError::Unavailable(m.clone()),
                    other => ApiError::internal(other.to_string()),
                });
            }
            return (Vec::new(), true);
        }
    };
    let mut ready = Vec::with_capacity(batch.len());
    for Submission {
        submitter,
        draft,
        respond,
    } in batch
    {
        let author = match submitter {
            Submitter::Account(author) => may_act(author),
            Submitter::Token(token) => account(
                loaded.get(&token.user_id).cloned(),
                sessions.get(&token.session_id),
                &token.org_id,
            )
            .and_then(may_act),
        };
        match author {
            Ok(author) => ready.push(Ready { author, draft, respond }),
            Err(e) => refuse(respond, e),
        }
    }
    (ready, false)
}

/// A batch's accounts by id and sessions by id.
type Loaded = (HashMap<String, users::User>, HashMap<String, SessionState>);

/// The accounts and sessions of a batch's token submitters, a statement each (SQLite: no
/// round trips, and a statement of fixed text stays prepared).
fn by_key(conn: &mut DbConnection, batch: &[Submission]) -> Result<Loaded, ApiError> {
    let (mut accounts, mut states) = (HashMap::new(), HashMap::new());
    for submission in batch {
        let Submitter::Token(t) = &submission.submitter else {
            continue;
        };
        if accounts.contains_key(&t.user_id) && states.contains_key(&t.session_id) {
            continue;
        }
        if let Some((user, state)) = sessions::account_and_session(conn, &t.org_id, &t.user_id, &t.session_id)? {
            if let Some(state) = state {
                states.insert(state.id.clone(), state);
            }
            accounts.insert(user.id.clone(), user);
        }
    }
    Ok((accounts, states))
}

/// Writes checked submissions together and answers them; when that fails, checks and
/// writes each alone.
fn write_checked(conn: &mut DbConnection, checked: Vec<Ready>, sending: Sending) -> bool {
    if checked.is_empty() {
        return false;
    }
    let failure = match write_together(conn, &checked, sending) {
        Ok(written) => {
            for (submission, idea) in checked.into_iter().zip(written) {
                submission.answer(conn, Ok(idea));
            }
            return false;
        }
        Err(e) => e,
    };
    tracing::debug!(error = %failure, submissions = checked.len(), "a batch failed; writing its submissions one by one");
    let mut suspect = is_internal(&failure);
    for submission in checked {
        let outcome = ideas::insert(conn, &submission.author, &submission.draft);
        suspect |= outcome.as_ref().is_err_and(is_internal);
        submission.answer(conn, outcome);
    }
    suspect
}

fn is_internal(e: &ApiError) -> bool {
    matches!(e, ApiError::Internal(_) | ApiError::Unavailable(_))
}

/// Writes checked submissions, all or none: on PostgreSQL as one statement, on SQLite in
/// one transaction (`ideas::write_submissions`, and the batch's notifications). An
/// anonymous submission, should one come, is written by `ideas::write_submission` within
/// the transaction: its code word's check needs it.
fn write_together(conn: &mut DbConnection, batch: &[Ready], sending: Sending) -> Result<Vec<Idea>, ApiError> {
    let anonymous = batch.iter().any(|s| s.draft.code_word.is_some());
    if let DbConnection::Postgresql(pg) = conn
        && !anonymous
    {
        return insert_in_one_statement(pg, batch, sending);
    }
    db::write_tx(conn, |conn| {
        if anonymous {
            return batch
                .iter()
                .map(|s| ideas::write_submission(conn, &s.author, &s.draft))
                .collect();
        }
        let submissions: Vec<(&AuthUser, &IdeaDraft)> = batch.iter().map(|s| (&s.author, &s.draft)).collect();
        let written = ideas::write_submissions(conn, &submissions)?;
        // Every submission is a mail event (to the unit's leads), and subscribed
        // organisations get their webhook events: in the same transaction as the ideas.
        outbox::ideas_submitted(conn, &written)?;
        crate::store::mail::ideas_submitted(conn, &written, sending)?;
        Ok(written)
    })
}

/// The rows `ideas::write_submission` writes (with the mail and webhook rows of
/// `idea_events::append`), for the whole batch in one round trip: a statement of constant
/// text (every column an array), which each connection prepares once. The foreign keys of
/// links and events are checked at the end of the statement, when the ideas they name are
/// in. Autocommitted: no BEGIN and COMMIT of their own, where a transaction of three
/// statements took five round trips (3,100 instead of 2,600 ideas/s, BENCHMARKS.md).
fn insert_in_one_statement(pg: &mut PgConnection, batch: &[Ready], sending: Sending) -> Result<Vec<Idea>, ApiError> {
    let rows: Vec<Idea> = batch
        .iter()
        .map(|s| ideas::submitted_idea(&s.author, &s.draft))
        .collect();
    // Every submission is a mail event (to the unit's leads), and subscribed
    // organisations get their webhook events: in the same statement as the ideas.
    let mails = crate::store::mail::submitted_rows(&rows, sending)?;
    let bodies = rows
        .iter()
        .map(outbox::submitted_body)
        .collect::<Result<Vec<String>, ApiError>>()?;
    let event_ids: Vec<String> = rows.iter().map(|_| db::new_id()).collect();
    let mut statement = SubmitBatch::default();
    for (idea, submission) in rows.iter().zip(batch) {
        statement.add(idea, &submission.draft)?;
    }
    for mail in &mails {
        statement.add_mail(mail);
    }
    for ((idea, body), id) in rows.iter().zip(&bodies).zip(&event_ids) {
        statement.hook_id.push(id);
        statement.hook_org.push(&idea.org_id);
        statement.hook_subject.push(&idea.id);
        statement.hook_payload.push(body);
        statement.hook_at.push(idea.created_at);
    }
    // Autocommitted, all rows or none: each array has one entry per row.
    statement.execute(pg)?;
    Ok(rows)
}

/// Column arrays of the batch statement, one entry per row.
#[derive(Default)]
struct SubmitBatch<'a> {
    // ideas
    id: Vec<&'a str>,
    org_id: Vec<&'a str>,
    unit_id: Vec<&'a str>,
    author_id: Vec<&'a str>,
    author_share: Vec<i64>,
    code_word: Vec<Option<&'a str>>,
    title: Vec<&'a str>,
    current_situation: Vec<&'a str>,
    proposal: Vec<&'a str>,
    expected_benefit: Vec<&'a str>,
    est_hours: Vec<Option<f64>>,
    est_cost: Vec<Option<f64>>,
    est_quality: Vec<Option<&'a str>>,
    status: Vec<&'a str>,
    cycle: Vec<i64>,
    owner_id: Vec<Option<&'a str>>,
    duplicate_of_id: Vec<Option<&'a str>>,
    decision_reason: Vec<Option<&'a str>>,
    vote_count: Vec<i64>,
    comment_count: Vec<i64>,
    stage_entered_at: Vec<NaiveDateTime>,
    version: Vec<i64>,
    created_at: Vec<NaiveDateTime>,
    updated_at: Vec<NaiveDateTime>,
    // idea_dimensions
    link_idea: Vec<&'a str>,
    link_key: Vec<&'a str>,
    link_org: Vec<&'a str>,
    link_status: Vec<&'a str>,
    link_unit: Vec<&'a str>,
    link_at: Vec<NaiveDateTime>,
    // idea_coauthors
    co_idea: Vec<&'a str>,
    co_user: Vec<&'a str>,
    co_org: Vec<&'a str>,
    co_share: Vec<i64>,
    // idea_events
    event_id: Vec<String>,
    event_org: Vec<&'a str>,
    event_idea: Vec<&'a str>,
    event_cycle: Vec<i64>,
    event_action: Vec<&'a str>,
    event_from: Vec<Option<&'a str>>,
    event_to: Vec<&'a str>,
    event_actor: Vec<&'a str>,
    event_hidden: Vec<bool>,
    event_note: Vec<Option<&'a str>>,
    event_stage: Vec<String>,
    event_at: Vec<NaiveDateTime>,
    // mail_messages
    mail_id: Vec<&'a str>,
    mail_org: Vec<&'a str>,
    mail_kind: Vec<&'a str>,
    mail_subject: Vec<&'a str>,
    mail_payload: Vec<&'a str>,
    mail_status: Vec<&'a str>,
    mail_attempts: Vec<i64>,
    mail_next: Vec<NaiveDateTime>,
    mail_created: Vec<NaiveDateTime>,
    mail_delivered: Vec<Option<NaiveDateTime>>,
    // outbox_messages: one row per idea and subscription that wants it
    hook_id: Vec<&'a str>,
    hook_org: Vec<&'a str>,
    hook_subject: Vec<&'a str>,
    hook_payload: Vec<&'a str>,
    hook_at: Vec<NaiveDateTime>,
}

impl<'a> SubmitBatch<'a> {
    fn add(&mut self, idea: &'a Idea, draft: &'a IdeaDraft) -> Result<(), ApiError> {
        self.id.push(&idea.id);
        self.org_id.push(&idea.org_id);
        self.unit_id.push(&idea.unit_id);
        self.author_id.push(&idea.author_id);
        self.author_share.push(idea.author_share);
        self.code_word.push(idea.code_word.as_deref());
        self.title.push(&idea.title);
        self.current_situation.push(&idea.current_situation);
        self.proposal.push(&idea.proposal);
        self.expected_benefit.push(&idea.expected_benefit);
        self.est_hours.push(idea.est_hours_saved_per_year);
        self.est_cost.push(idea.est_cost_saved_per_year);
        self.est_quality.push(idea.est_quality_benefit.as_deref());
        self.status.push(&idea.status);
        self.cycle.push(idea.cycle);
        self.owner_id.push(idea.owner_id.as_deref());
        self.duplicate_of_id.push(idea.duplicate_of_id.as_deref());
        self.decision_reason.push(idea.decision_reason.as_deref());
        self.vote_count.push(idea.vote_count);
        self.comment_count.push(idea.comment_count);
        self.stage_entered_at.push(idea.stage_entered_at);
        self.version.push(idea.version);
        self.created_at.push(idea.created_at);
        self.updated_at.push(idea.updated_at);
        for key in &draft.dimensions {
            self.link_idea.push(&idea.id);
            self.link_key.push(key);
            self.link_org.push(&idea.org_id);
            self.link_status.push(&idea.status);
            self.link_unit.push(&idea.unit_id);
            self.link_at.push(idea.created_at);
        }
        for (user, share) in &draft.co_authors {
            self.co_idea.push(&idea.id);
            self.co_user.push(user);
            self.co_org.push(&idea.org_id);
            self.co_share.push(*share);
        }
        let event = ideas::submit_event(idea);
        self.event_id.push(db::new_id());
        self.event_org.push(&idea.org_id);
        self.event_idea.push(&idea.id);
        self.event_cycle.push(event.cycle);
        self.event_action.push(event.action);
        self.event_from.push(event.from.map(|s| s.as_str()));
        self.event_to.push(event.to.as_str());
        self.event_actor.push(event.actor_id);
        self.event_hidden.push(event.actor_hidden);
        self.event_note.push(event.note);
        self.event_stage.push(idea_events::stage_json(&event.snapshot)?);
        self.event_at.push(event.at);
        Ok(())
    }
}

impl<'a> SubmitBatch<'a> {
    fn add_mail(&mut self, mail: &'a crate::store::mail::NewMail<'a>) {
        self.mail_id.push(&mail.id);
        self.mail_org.push(mail.org_id);
        self.mail_kind.push(mail.kind);
        self.mail_subject.push(mail.subject_id);
        self.mail_payload.push(&mail.payload);
        self.mail_status.push(mail.status);
        self.mail_attempts.push(mail.attempts);
        self.mail_next.push(mail.next_attempt_at);
        self.mail_created.push(mail.created_at);
        self.mail_delivered.push(mail.delivered_at);
    }
}

impl QueryId for SubmitBatch<'_> {
    // Cached by its SQL text, which is the same for every batch.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for SubmitBatch<'_> {
    /// The number of ideas written (always the batch's size).
    type SqlType = BigInt;
}

impl RunQueryDsl<PgConnection> for SubmitBatch<'_> {}

/// `INSERT INTO <table> (<columns>) SELECT * FROM unnest(<one array per column>)`, the
/// arrays bound in the order of the columns.
macro_rules! insert_unnest {
    ($out:ident, $table:literal, $($column:literal: $ty:ty = $array:expr),+ $(,)?) => {{
        let columns: &[&str] = &[$($column),+];
        $out.push_sql(concat!("INSERT INTO ", $table, " ("));
        $out.push_sql(&columns.join(", "));
        $out.push_sql(") SELECT * FROM unnest(");
        let mut first = true;
        $(
            if !first {
                $out.push_sql(", ");
            }
            first = false;
            $out.push_bind_param::<Array<$ty>, _>(&$array)?;
        )+
        let _ = first;
        $out.push_sql(")");
    }};
}

impl QueryFragment<Pg> for SubmitBatch<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH new_ideas AS (");
        insert_unnest!(out, "ideas",
            "id": Text = self.id,
            "org_id": Text = self.org_id,
            "unit_id": Text = self.unit_id,
            "author_id": Text = self.author_id,
            "author_share": BigInt = self.author_share,
            "code_word": Nullable<Text> = self.code_word,
            "title": Text = self.title,
            "current_situation": Text = self.current_situation,
            "proposal": Text = self.proposal,
            "expected_benefit": Text = self.expected_benefit,
            "est_hours_saved_per_year": Nullable<Double> = self.est_hours,
            "est_cost_saved_per_year": Nullable<Double> = self.est_cost,
            "est_quality_benefit": Nullable<Text> = self.est_quality,
            "status": Text = self.status,
            "cycle": BigInt = self.cycle,
            "owner_id": Nullable<Text> = self.owner_id,
            "duplicate_of_id": Nullable<Text> = self.duplicate_of_id,
            "decision_reason": Nullable<Text> = self.decision_reason,
            "vote_count": BigInt = self.vote_count,
            "comment_count": BigInt = self.comment_count,
            "stage_entered_at": Timestamp = self.stage_entered_at,
            "version": BigInt = self.version,
            "created_at": Timestamp = self.created_at,
            "updated_at": Timestamp = self.updated_at,
        );
        out.push_sql(" RETURNING id), links AS (");
        insert_unnest!(out, "idea_dimensions",
            "idea_id": Text = self.link_idea,
            "dimension_key": Text = self.link_key,
            "org_id": Text = self.link_org,
            "status": Text = self.link_status,
            "unit_id": Text = self.link_unit,
            "created_at": Timestamp = self.link_at,
        );
        out.push_sql("), co_authors AS (");
        insert_unnest!(out, "idea_coauthors",
            "idea_id": Text = self.co_idea,
            "user_id": Text = self.co_user,
            "org_id": Text = self.co_org,
            "share": BigInt = self.co_share,
        );
        out.push_sql("), events AS (");
        insert_unnest!(out, "idea_events",
            "id": Text = self.event_id,
            "org_id": Text = self.event_org,
            "idea_id": Text = self.event_idea,
            "cycle": BigInt = self.event_cycle,
            "action": Text = self.event_action,
            "from_status": Nullable<Text> = self.event_from,
            "to_status": Text = self.event_to,
            "actor_id": Text = self.event_actor,
            "actor_hidden": Bool = self.event_hidden,
            "note": Nullable<Text> = self.event_note,
            "stage": Text = self.event_stage,
            "created_at": Timestamp = self.event_at,
        );
        out.push_sql("), mails AS (");
        insert_unnest!(out, "mail_messages",
            "id": Text = self.mail_id,
            "org_id": Text = self.mail_org,
            "kind": Text = self.mail_kind,
            "subject_id": Text = self.mail_subject,
            "payload": Text = self.mail_payload,
            "status": Text = self.mail_status,
            "attempts": BigInt = self.mail_attempts,
            "next_attempt_at": Timestamp = self.mail_next,
            "created_at": Timestamp = self.mail_created,
            "delivered_at": Nullable<Timestamp> = self.mail_delivered,
        );
        // The webhook events, as `outbox::idea_event` writes them: one per subscription of
        // the idea's organisation that wants submissions. Each row's id is a new UUIDv7 of
        // the idea's (so the rows keep their order in time) with its last twelve digits
        // taken from a hash of the subscription's id: one distinct id per subscription.
        out.push_sql(
            "), hooks AS (INSERT INTO outbox_messages (id, org_id, event_type, subject_id, \
             subscription_id, payload, status, attempts, next_attempt_at, created_at) \
             SELECT left(h.id, 24) || substr(md5(h.id || s.id), 1, 12), h.org_id, s_type.t, \
             h.subject_id, s.id, h.payload, ",
        );
        out.push_bind_param::<Text, _>(&outbox::PENDING)?;
        out.push_sql(", 0, h.at, h.at FROM unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.hook_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.hook_org)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.hook_subject)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.hook_payload)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.hook_at)?;
        out.push_sql(") AS h(id, org_id, subject_id, payload, at) CROSS JOIN (SELECT ");
        out.push_bind_param::<Text, _>(&outbox::IDEA_SUBMITTED)?;
        out.push_sql(
            "::text AS t) AS s_type JOIN webhook_subscriptions s ON s.org_id = h.org_id \
             AND s_type.t = ANY(string_to_array(s.event_types, ','))",
        );
        out.push_sql(") SELECT COUNT(*) FROM new_ideas");
        Ok(())
    }
}
