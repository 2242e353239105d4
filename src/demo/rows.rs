//! The one place where the demo writes rows directly instead of through the store: the
//! store stamps everything with the current time, while demo data lies in the past. Each
//! row type here carries every column of its table, filled exactly as the store's own
//! functions fill it (see `lifecycle` for ideas, `survey` for responses), and is written in
//! multi-row INSERTs with bound parameters, chunked below both backends' parameter limits.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{
    assessment_answers, assessment_participation, assessment_responses, assessment_rounds, assessment_scores,
    idea_coauthors, idea_comments, idea_cycles, idea_dimensions, idea_events, idea_stage_spans, idea_votes, ideas,
    units, users,
};
use crate::store::ideas::{Cycle, Idea};

/// Bound parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = units, treat_none_as_default_value = false)]
pub struct UnitRow {
    pub id: String,
    pub org_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct UserRow {
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
}

/// A round as `store::assessments` leaves it after create, open and close (version 3).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assessment_rounds, treat_none_as_default_value = false)]
pub struct RoundRow {
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
    pub eligible_count: Option<i64>,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assessment_participation, treat_none_as_default_value = false)]
pub struct ParticipationRow {
    pub round_id: String,
    pub user_id: String,
    pub org_id: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assessment_responses, treat_none_as_default_value = false)]
pub struct ResponseRow {
    pub id: String,
    pub round_id: String,
    pub unit_id: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assessment_answers, treat_none_as_default_value = false)]
pub struct AnswerRow {
    pub response_id: String,
    pub item_key: String,
    pub round_id: String,
    pub value: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assessment_scores, treat_none_as_default_value = false)]
pub struct ScoreRow {
    pub response_id: String,
    pub dimension_key: String,
    pub round_id: String,
    pub unit_id: Option<String>,
    pub score: f64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ideas, treat_none_as_default_value = false)]
pub struct IdeaRow {
    pub id: String,
    pub org_id: String,
    pub unit_id: String,
    pub author_id: String,
    pub author_share: i64,
    pub code_word: Option<String>,
    pub title: String,
    pub current_situation: String,
    pub proposal: String,
    pub expected_benefit: String,
    pub est_hours_saved_per_year: Option<f64>,
    pub est_cost_saved_per_year: Option<f64>,
    pub est_quality_benefit: Option<String>,
    pub status: String,
    pub cycle: i64,
    pub owner_id: Option<String>,
    pub duplicate_of_id: Option<String>,
    pub decision_reason: Option<String>,
    pub vote_count: i64,
    pub comment_count: i64,
    pub stage_entered_at: NaiveDateTime,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<Idea> for IdeaRow {
    fn from(i: Idea) -> Self {
        Self {
            id: i.id,
            org_id: i.org_id,
            unit_id: i.unit_id,
            author_id: i.author_id,
            author_share: i.author_share,
            code_word: i.code_word,
            title: i.title,
            current_situation: i.current_situation,
            proposal: i.proposal,
            expected_benefit: i.expected_benefit,
            est_hours_saved_per_year: i.est_hours_saved_per_year,
            est_cost_saved_per_year: i.est_cost_saved_per_year,
            est_quality_benefit: i.est_quality_benefit,
            status: i.status,
            cycle: i.cycle,
            owner_id: i.owner_id,
            duplicate_of_id: i.duplicate_of_id,
            decision_reason: i.decision_reason,
            vote_count: i.vote_count,
            comment_count: i.comment_count,
            stage_entered_at: i.stage_entered_at,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idea_cycles, treat_none_as_default_value = false)]
pub struct CycleRow {
    pub idea_id: String,
    pub cycle: i64,
    pub org_id: String,
    pub problem: Option<String>,
    pub goal: Option<String>,
    pub kpi_name: Option<String>,
    pub kpi_unit: Option<String>,
    pub kpi_baseline: Option<f64>,
    pub kpi_target: Option<f64>,
    pub lower_is_better: bool,
    pub due_date: Option<String>,
    pub prediction: Option<String>,
    pub do_summary: Option<String>,
    pub ran_as_planned: Option<bool>,
    pub deviations: Option<String>,
    pub measured_value: Option<f64>,
    pub target_met: Option<bool>,
    pub relative_improvement: Option<f64>,
    pub measured_hours_saved_per_year: Option<f64>,
    pub measured_cost_saved_per_year: Option<f64>,
    pub findings: Option<String>,
    pub outcome: Option<String>,
    pub new_standard: Option<String>,
    pub next_cycle_changes: Option<String>,
    pub started_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

impl From<Cycle> for CycleRow {
    fn from(c: Cycle) -> Self {
        Self {
            idea_id: c.idea_id,
            cycle: c.cycle,
            org_id: c.org_id,
            problem: c.problem,
            goal: c.goal,
            kpi_name: c.kpi_name,
            kpi_unit: c.kpi_unit,
            kpi_baseline: c.kpi_baseline,
            kpi_target: c.kpi_target,
            lower_is_better: c.lower_is_better,
            due_date: c.due_date,
            prediction: c.prediction,
            do_summary: c.do_summary,
            ran_as_planned: c.ran_as_planned,
            deviations: c.deviations,
            measured_value: c.measured_value,
            target_met: c.target_met,
            relative_improvement: c.relative_improvement,
            measured_hours_saved_per_year: c.measured_hours_saved_per_year,
            measured_cost_saved_per_year: c.measured_cost_saved_per_year,
            findings: c.findings,
            outcome: c.outcome,
            new_standard: c.new_standard,
            next_cycle_changes: c.next_cycle_changes,
            started_at: c.started_at,
            closed_at: c.closed_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idea_dimensions, treat_none_as_default_value = false)]
pub struct IdeaDimensionRow {
    pub idea_id: String,
    pub dimension_key: String,
    pub org_id: String,
    /// The idea's status, unit and submission time, as store::ideas keeps them on links.
    pub status: String,
    pub unit_id: String,
    pub created_at: NaiveDateTime,
    pub adopted_at: Option<NaiveDateTime>,
    pub adopted_hours_saved: Option<f64>,
    pub adopted_cost_saved: Option<f64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idea_coauthors, treat_none_as_default_value = false)]
pub struct CoAuthorRow {
    pub idea_id: String,
    pub user_id: String,
    pub org_id: String,
    pub share: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idea_events, treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: String,
    pub org_id: String,
    pub idea_id: String,
    pub cycle: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: String,
    pub actor_hidden: bool,
    pub note: Option<String>,
    pub stage: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idea_stage_spans, treat_none_as_default_value = false)]
pub struct SpanRow {
    pub idea_id: String,
    pub cycle: i64,
    pub stage: String,
    pub org_id: String,
    pub unit_id: String,
    pub entered_at: NaiveDateTime,
    pub left_at: NaiveDateTime,
    pub seconds: f64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idea_votes, treat_none_as_default_value = false)]
pub struct VoteRow {
    pub idea_id: String,
    pub user_id: String,
    pub org_id: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = idea_comments, treat_none_as_default_value = false)]
pub struct CommentRow {
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

/// Writes `rows`: on SQLite in multi-row INSERTs of at most `MAX_PARAMS` bound values,
/// on PostgreSQL with COPY (binary), several times faster for the bulk data.
/// MultiConnection can do neither, so each backend's own connection does it.
macro_rules! batch_insert {
    ($name:ident, $row:ty, $table:path, $columns:expr) => {
        pub fn $name(conn: &mut DbConnection, rows: &[$row]) -> QueryResult<usize> {
            if rows.is_empty() {
                return Ok(0);
            }
            match conn {
                DbConnection::Sqlite(c) => {
                    let mut written = 0;
                    for chunk in rows.chunks((MAX_PARAMS / $columns).max(1)) {
                        written += diesel::insert_into($table).values(chunk).execute(c)?;
                    }
                    Ok(written)
                }
                DbConnection::Postgresql(c) => diesel::copy_from($table).from_insertable(rows).execute(c),
            }
        }
    };
}

batch_insert!(insert_units, UnitRow, units::table, 7);
batch_insert!(insert_users, UserRow, users::table, 12);
batch_insert!(insert_rounds, RoundRow, assessment_rounds::table, 15);
batch_insert!(
    insert_participation,
    ParticipationRow,
    assessment_participation::table,
    3
);
batch_insert!(insert_responses, ResponseRow, assessment_responses::table, 3);
batch_insert!(insert_answers, AnswerRow, assessment_answers::table, 4);
batch_insert!(insert_scores, ScoreRow, assessment_scores::table, 5);
batch_insert!(insert_ideas, IdeaRow, ideas::table, 24);
batch_insert!(insert_cycles, CycleRow, idea_cycles::table, 27);
batch_insert!(insert_idea_dimensions, IdeaDimensionRow, idea_dimensions::table, 9);
batch_insert!(insert_coauthors, CoAuthorRow, idea_coauthors::table, 4);
batch_insert!(insert_events, EventRow, idea_events::table, 12);
batch_insert!(insert_spans, SpanRow, idea_stage_spans::table, 8);
batch_insert!(insert_votes, VoteRow, idea_votes::table, 4);
batch_insert!(insert_comments, CommentRow, idea_comments::table, 10);
