//! Ideas: submission, edits while submitted, the lifecycle's writes, cycles, dimension
//! links, co-authors and the list query.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::dsl::{exists, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db::schema::{
    idea_coauthors, idea_cycles, idea_dimensions, idea_events as events_table, idea_stage_spans, idea_votes, ideas,
    users,
};
use crate::db::{self, DbConnection};
use crate::domain::ideas as rules;
use crate::domain::pdca::{self, Action, Actor, Applied, Outcome, StageValues, Status, TransitionError};
use crate::domain::roles::Role;
use crate::error::{ApiError, FieldError, Validator};
use crate::store::{dimensions, idea_events, organizations, report_cache, units};

#[derive(Debug, Clone, Queryable)]
pub struct Idea {
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

impl Idea {
    pub fn status(&self) -> Status {
        // The column has a CHECK constraint listing exactly these values.
        Status::parse(&self.status).unwrap_or(Status::Submitted)
    }

    pub fn anonymous(&self) -> bool {
        self.code_word.is_some()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ideas)]
struct NewIdea<'a> {
    id: &'a str,
    org_id: &'a str,
    unit_id: &'a str,
    author_id: &'a str,
    author_share: i64,
    code_word: Option<&'a str>,
    title: &'a str,
    current_situation: &'a str,
    proposal: &'a str,
    expected_benefit: &'a str,
    est_hours_saved_per_year: Option<f64>,
    est_cost_saved_per_year: Option<f64>,
    est_quality_benefit: Option<&'a str>,
    status: &'a str,
    cycle: i64,
    vote_count: i64,
    comment_count: i64,
    stage_entered_at: NaiveDateTime,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl<'a> NewIdea<'a> {
    fn of(idea: &'a Idea) -> Self {
        Self {
            id: &idea.id,
            org_id: &idea.org_id,
            unit_id: &idea.unit_id,
            author_id: &idea.author_id,
            author_share: idea.author_share,
            code_word: idea.code_word.as_deref(),
            title: &idea.title,
            current_situation: &idea.current_situation,
            proposal: &idea.proposal,
            expected_benefit: &idea.expected_benefit,
            est_hours_saved_per_year: idea.est_hours_saved_per_year,
            est_cost_saved_per_year: idea.est_cost_saved_per_year,
            est_quality_benefit: idea.est_quality_benefit.as_deref(),
            status: &idea.status,
            cycle: idea.cycle,
            vote_count: idea.vote_count,
            comment_count: idea.comment_count,
            stage_entered_at: idea.stage_entered_at,
            version: idea.version,
            created_at: idea.created_at,
            updated_at: idea.updated_at,
        }
    }
}

/// The optional impact estimate of a submission.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImpactEstimate {
    pub hours_saved_per_year: Option<f64>,
    pub cost_saved_per_year: Option<f64>,
    pub quality_benefit: Option<String>,
}

/// A validated submission (texts checked at the edge; references checked here).
#[derive(Debug, Clone)]
pub struct IdeaDraft {
    pub unit_id: String,
    pub title: String,
    pub current_situation: String,
    pub proposal: String,
    pub expected_benefit: String,
    pub dimensions: Vec<String>,
    pub author_share: i64,
    pub co_authors: Vec<(String, i64)>,
    pub code_word: Option<String>,
    pub impact: Option<ImpactEstimate>,
}

/// Changes the author makes while the idea is `submitted`; `None` leaves a part alone.
#[derive(Debug, Clone, Default)]
pub struct IdeaEdit {
    pub unit_id: Option<String>,
    pub title: Option<String>,
    pub current_situation: Option<String>,
    pub proposal: Option<String>,
    pub expected_benefit: Option<String>,
    pub dimensions: Option<Vec<String>>,
    /// Replaces the group: the author's share and the co-authors with theirs.
    pub group: Option<(i64, Vec<(String, i64)>)>,
    /// `Some(None)` removes the estimate.
    pub impact: Option<Option<ImpactEstimate>>,
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = ideas)]
struct IdeaEditChangeset {
    unit_id: Option<String>,
    title: Option<String>,
    current_situation: Option<String>,
    proposal: Option<String>,
    expected_benefit: Option<String>,
    author_share: Option<i64>,
    est_hours_saved_per_year: Option<Option<f64>>,
    est_cost_saved_per_year: Option<Option<f64>>,
    est_quality_benefit: Option<Option<String>>,
    version: i64,
    updated_at: NaiveDateTime,
}

/// The lifecycle columns, all written on every transition, of the idea that still has
/// `expected_version`. A statement of its own type, which each connection prepares once:
/// diesel compiles its own `UPDATE` anew on every run.
struct StageUpdate<'a> {
    org_id: &'a str,
    id: &'a str,
    expected_version: i64,
    next_version: i64,
    status: &'a str,
    cycle: i64,
    owner_id: Option<&'a str>,
    duplicate_of_id: Option<&'a str>,
    decision_reason: Option<&'a str>,
    now: NaiveDateTime,
}

impl diesel::query_builder::QueryId for StageUpdate<'_> {
    type QueryId = StageUpdate<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<DbConnection> for StageUpdate<'_> {}

impl diesel::query_builder::QueryFragment<db::MultiBackend> for StageUpdate<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>) -> QueryResult<()> {
        use diesel::sql_types::Nullable;
        out.push_sql("UPDATE ideas SET status = ");
        out.push_bind_param::<Text, _>(self.status)?;
        out.push_sql(", cycle = ");
        out.push_bind_param::<BigInt, _>(&self.cycle)?;
        out.push_sql(", owner_id = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.owner_id)?;
        out.push_sql(", duplicate_of_id = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.duplicate_of_id)?;
        out.push_sql(", decision_reason = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.decision_reason)?;
        out.push_sql(", stage_entered_at = ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(", version = ");
        out.push_bind_param::<BigInt, _>(&self.next_version)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(" WHERE org_id = ");
        out.push_bind_param::<Text, _>(self.org_id)?;
        out.push_sql(" AND id = ");
        out.push_bind_param::<Text, _>(self.id)?;
        out.push_sql(" AND version = ");
        out.push_bind_param::<BigInt, _>(&self.expected_version)?;
        Ok(())
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct Cycle {
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

/// The stage columns of a cycle, all written at once.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = idea_cycles, treat_none_as_null = true)]
struct CycleColumns {
    problem: Option<String>,
    goal: Option<String>,
    kpi_name: Option<String>,
    kpi_unit: Option<String>,
    kpi_baseline: Option<f64>,
    kpi_target: Option<f64>,
    lower_is_better: bool,
    due_date: Option<String>,
    prediction: Option<String>,
    do_summary: Option<String>,
    ran_as_planned: Option<bool>,
    deviations: Option<String>,
    measured_value: Option<f64>,
    target_met: Option<bool>,
    relative_improvement: Option<f64>,
    measured_hours_saved_per_year: Option<f64>,
    measured_cost_saved_per_year: Option<f64>,
    findings: Option<String>,
    outcome: Option<String>,
    new_standard: Option<String>,
    next_cycle_changes: Option<String>,
    closed_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

impl CycleColumns {
    fn from_values(v: &StageValues, target_met: Option<bool>, relative: Option<f64>, now: NaiveDateTime) -> Self {
        Self {
            problem: v.problem.clone(),
            goal: v.goal.clone(),
            kpi_name: v.kpi_name.clone(),
            kpi_unit: v.kpi_unit.clone(),
            kpi_baseline: v.kpi_baseline,
            kpi_target: v.kpi_target,
            lower_is_better: v.lower_is_better.unwrap_or(false),
            due_date: v.due_date.clone(),
            prediction: v.prediction.clone(),
            do_summary: v.do_summary.clone(),
            ran_as_planned: v.ran_as_planned,
            deviations: v.deviations.clone(),
            measured_value: v.measured_value,
            target_met,
            relative_improvement: relative,
            measured_hours_saved_per_year: v.measured_hours_saved_per_year,
            measured_cost_saved_per_year: v.measured_cost_saved_per_year,
            findings: v.findings.clone(),
            outcome: None,
            new_standard: v.new_standard.clone(),
            next_cycle_changes: v.next_cycle_changes.clone(),
            closed_at: None,
            updated_at: now,
        }
    }
}

/// The plan of a cycle.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PlanStage {
    pub problem: Option<String>,
    pub goal: Option<String>,
    pub kpi_name: Option<String>,
    pub kpi_unit: Option<String>,
    pub kpi_baseline: Option<f64>,
    pub kpi_target: Option<f64>,
    /// A lower value of the key figure is better (e.g. waiting time).
    pub lower_is_better: bool,
    /// YYYY-MM-DD
    pub due_date: Option<String>,
    pub prediction: Option<String>,
}

/// The pilot of a cycle.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DoStage {
    pub summary: Option<String>,
    pub ran_as_planned: Option<bool>,
    pub deviations: Option<String>,
}

/// The measurement of a cycle; `target_met` and `relative_improvement` are computed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CheckStage {
    pub measured_value: Option<f64>,
    /// Measured value reached the target, in the KPI's direction.
    pub target_met: Option<bool>,
    /// Change against the baseline in the KPI's direction: 0.25 = 25 % better, negative =
    /// worse; null when the baseline is 0.
    pub relative_improvement: Option<f64>,
    pub measured_hours_saved_per_year: Option<f64>,
    pub measured_cost_saved_per_year: Option<f64>,
    pub findings: Option<String>,
}

/// The decision that closed a cycle.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ActStage {
    pub outcome: Option<Outcome>,
    pub new_standard: Option<String>,
    pub next_cycle_changes: Option<String>,
}

/// A cycle's stage data, grouped by stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CycleStages {
    pub plan: PlanStage,
    #[serde(rename = "do")]
    #[schema(rename = "do")]
    pub do_: DoStage,
    pub check: CheckStage,
    pub act: ActStage,
}

impl From<&Cycle> for CycleStages {
    fn from(c: &Cycle) -> Self {
        Self {
            plan: PlanStage {
                problem: c.problem.clone(),
                goal: c.goal.clone(),
                kpi_name: c.kpi_name.clone(),
                kpi_unit: c.kpi_unit.clone(),
                kpi_baseline: c.kpi_baseline,
                kpi_target: c.kpi_target,
                lower_is_better: c.lower_is_better,
                due_date: c.due_date.clone(),
                prediction: c.prediction.clone(),
            },
            do_: DoStage {
                summary: c.do_summary.clone(),
                ran_as_planned: c.ran_as_planned,
                deviations: c.deviations.clone(),
            },
            check: CheckStage {
                measured_value: c.measured_value,
                target_met: c.target_met,
                relative_improvement: c.relative_improvement,
                measured_hours_saved_per_year: c.measured_hours_saved_per_year,
                measured_cost_saved_per_year: c.measured_cost_saved_per_year,
                findings: c.findings.clone(),
            },
            act: ActStage {
                outcome: c.outcome.as_deref().and_then(Outcome::parse),
                new_standard: c.new_standard.clone(),
                next_cycle_changes: c.next_cycle_changes.clone(),
            },
        }
    }
}

/// What is on record for the lifecycle: the idea's decisions and its current cycle.
pub fn stage_values(idea: &Idea, cycle: Option<&Cycle>) -> StageValues {
    let mut v = StageValues {
        owner_id: idea.owner_id.clone(),
        reason: idea.decision_reason.clone(),
        duplicate_of: idea.duplicate_of_id.clone(),
        ..StageValues::default()
    };
    if let Some(c) = cycle {
        v.problem = c.problem.clone();
        v.goal = c.goal.clone();
        v.kpi_name = c.kpi_name.clone();
        v.kpi_unit = c.kpi_unit.clone();
        v.kpi_baseline = c.kpi_baseline;
        v.kpi_target = c.kpi_target;
        v.lower_is_better = Some(c.lower_is_better);
        v.due_date = c.due_date.clone();
        v.prediction = c.prediction.clone();
        v.do_summary = c.do_summary.clone();
        v.ran_as_planned = c.ran_as_planned;
        v.deviations = c.deviations.clone();
        v.measured_value = c.measured_value;
        v.measured_hours_saved_per_year = c.measured_hours_saved_per_year;
        v.measured_cost_saved_per_year = c.measured_cost_saved_per_year;
        v.findings = c.findings.clone();
        v.new_standard = c.new_standard.clone();
        v.next_cycle_changes = c.next_cycle_changes.clone();
    }
    v
}

/// The idea in the caller's organisation (another organisation's idea is a 404).
pub fn find(conn: &mut DbConnection, org_id: &str, id: &str) -> Result<Idea, ApiError> {
    Ok(db::get_result_native(
        conn,
        ideas::table.filter(ideas::org_id.eq(org_id)).filter(ideas::id.eq(id)),
    )?)
}

pub fn cycles(conn: &mut DbConnection, org_id: &str, idea_id: &str) -> Result<Vec<Cycle>, ApiError> {
    let mut q = idea_cycles::table
        .filter(idea_cycles::idea_id.eq(idea_id))
        .order(idea_cycles::cycle.asc())
        .into_boxed();
    // See `links_of`: on SQLite the key leads with the idea, and the organisation would
    // lead its planner to the (organisation, cycle) index.
    if matches!(conn, DbConnection::Postgresql(_)) {
        q = q.filter(idea_cycles::org_id.eq(org_id));
    }
    Ok(q.load(conn)?)
}

/// One idea's dimension links, as a condition. On PostgreSQL by organisation and idea,
/// their key there (migration 2026-12-04-000029_org_leading_keys); on SQLite, where the
/// key leads with the idea, by the idea alone: given the organisation as well, SQLite's
/// planner took the (organisation, dimension) index and walked all the organisation's
/// links (25 transitions a second at 100,000 ideas instead of 500).
fn links_of(
    conn: &DbConnection,
    org_id: &str,
    idea_id: &str,
) -> Box<dyn BoxableExpression<idea_dimensions::table, db::MultiBackend, SqlType = Bool>> {
    let idea = idea_dimensions::idea_id.eq(idea_id.to_owned());
    match conn {
        DbConnection::Postgresql(_) => Box::new(idea_dimensions::org_id.eq(org_id.to_owned()).and(idea)),
        DbConnection::Sqlite(_) => Box::new(idea),
    }
}

/// The stage of an idea's dimension links (`links_of` as a statement of fixed text, which
/// each connection prepares once, where diesel compiles its `UPDATE` every time).
struct LinksStatus<'a> {
    by_org: bool,
    org_id: &'a str,
    idea_id: &'a str,
    status: &'a str,
}

impl diesel::query_builder::QueryId for LinksStatus<'_> {
    // Found by its text: the two backends' texts differ.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<DbConnection> for LinksStatus<'_> {}

impl diesel::query_builder::QueryFragment<db::MultiBackend> for LinksStatus<'_> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, db::MultiBackend>) -> QueryResult<()> {
        out.push_sql("UPDATE idea_dimensions SET status = ");
        out.push_bind_param::<Text, _>(self.status)?;
        out.push_sql(" WHERE ");
        if self.by_org {
            out.push_sql("org_id = ");
            out.push_bind_param::<Text, _>(self.org_id)?;
            out.push_sql(" AND ");
        }
        out.push_sql("idea_id = ");
        out.push_bind_param::<Text, _>(self.idea_id)?;
        Ok(())
    }
}

fn current_cycle(conn: &mut DbConnection, idea: &Idea) -> Result<Option<Cycle>, ApiError> {
    Ok(db::get_result_native(
        conn,
        idea_cycles::table
            .filter(idea_cycles::org_id.eq(&idea.org_id))
            .filter(idea_cycles::idea_id.eq(&idea.id))
            .filter(idea_cycles::cycle.eq(idea.cycle)),
    )
    .optional()?)
}

/// The only place dimension keys an idea links to are validated: at most three, distinct,
/// well-formed, and dimensions of the organisation's current questionnaire.
pub fn check_dimension_keys(conn: &mut DbConnection, org_id: &str, keys: &[String]) -> Result<(), ApiError> {
    check_dimension_keys_with(conn, org_id, keys, &mut Lookups::default())
}

fn check_dimension_keys_with(
    conn: &mut DbConnection,
    org_id: &str,
    keys: &[String],
    lookups: &mut Lookups,
) -> Result<(), ApiError> {
    let errors = rules::dimension_links(keys);
    let mut fields: Vec<FieldError> = errors
        .into_iter()
        .map(|(i, m)| match i {
            Some(i) => FieldError::new(format!("dimensions[{i}]"), m),
            None => FieldError::new("dimensions", m),
        })
        .collect();
    if fields.is_empty() && !keys.is_empty() {
        let current = lookups.current_keys(conn, org_id)?;
        for (i, key) in keys.iter().enumerate() {
            if !current.contains(key) {
                fields.push(FieldError::new(
                    format!("dimensions[{i}]"),
                    format!(
                        "{key:?} is not a dimension of the current questionnaire (known: {})",
                        current.join(", ")
                    ),
                ));
            }
        }
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(fields))
    }
}

/// What checking submissions reads, kept while one batch of them is checked: the current
/// dimension keys per organisation and the units found in it.
#[derive(Default)]
pub struct Lookups {
    keys: HashMap<String, Vec<String>>,
    units: HashSet<(String, String)>,
}

impl Lookups {
    fn current_keys(&mut self, conn: &mut DbConnection, org_id: &str) -> Result<&[String], ApiError> {
        if !self.keys.contains_key(org_id) {
            let keys = dimensions::current_keys(conn, org_id)?;
            self.keys.insert(org_id.to_owned(), keys);
        }
        Ok(self.keys.get(org_id).map(Vec::as_slice).unwrap_or_default())
    }

    /// The keys of the organisation's latest published questionnaire, read with something
    /// else (`sessions::accounts_and_sessions`). None published (empty): `current_keys`
    /// still asks, for the organisation's unpublished current questionnaire.
    pub fn know_published_keys(&mut self, org_id: &str, keys: Vec<String>) {
        if !keys.is_empty() && !self.keys.contains_key(org_id) {
            self.keys.insert(org_id.to_owned(), keys);
        }
    }

    fn require_unit(&mut self, conn: &mut DbConnection, org_id: &str, unit_id: &str) -> Result<(), ApiError> {
        let key = (org_id.to_owned(), unit_id.to_owned());
        if !self.units.contains(&key) {
            units::require_in_org(conn, org_id, unit_id, "unit_id")?;
            self.units.insert(key);
        }
        Ok(())
    }
}

/// The checks of `check_submission` a batch write cannot leave to the database: all but
/// the unit's, whose foreign key refuses a unit of no or another organisation. A batch
/// refused that way is written again one by one, each after `check_submission`, which
/// then answers the 422. With co-authors everything is checked (in the usual order).
pub fn check_before_batch(
    conn: &mut DbConnection,
    org_id: &str,
    draft: &IdeaDraft,
    lookups: &mut Lookups,
) -> Result<(), ApiError> {
    if draft.co_authors.is_empty() {
        check_dimension_keys_with(conn, org_id, &draft.dimensions, lookups)
    } else {
        check_submission(conn, org_id, draft, lookups)
    }
}

/// The reads a submission must pass before it is written: dimension keys of the current
/// questionnaire, a unit of the organisation, active co-authors. They run before the
/// write transaction, so SQLite's one writer spends its turn writing; the foreign keys
/// still refuse a unit deleted in between.
pub fn check_submission(
    conn: &mut DbConnection,
    org_id: &str,
    draft: &IdeaDraft,
    lookups: &mut Lookups,
) -> Result<(), ApiError> {
    let co_authors: Vec<&str> = draft.co_authors.iter().map(|(u, _)| u.as_str()).collect();
    let errors = lookup_problems(conn, org_id, &draft.unit_id, &draft.dimensions, &co_authors, lookups)?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Every problem the database finds with a submission's unit, dimension keys and
/// co-authors, together (also for a body refused for other reasons, so one answer names
/// every problem).
pub fn lookup_problems(
    conn: &mut DbConnection,
    org_id: &str,
    unit_id: &str,
    dimensions: &[String],
    co_authors: &[&str],
    lookups: &mut Lookups,
) -> Result<Vec<FieldError>, ApiError> {
    let mut errors = Vec::new();
    let mut collect = |outcome: Result<(), ApiError>| match outcome {
        Ok(()) => Ok(()),
        Err(ApiError::Validation(found)) => {
            errors.extend(found);
            Ok(())
        }
        Err(e) => Err(e),
    };
    collect(check_dimension_keys_with(conn, org_id, dimensions, lookups))?;
    if !unit_id.trim().is_empty() {
        collect(lookups.require_unit(conn, org_id, unit_id.trim()))?;
    }
    collect(check_co_author_ids(conn, org_id, co_authors))?;
    Ok(errors)
}

/// 422 unless every co-author is an active user of the organisation.
fn check_co_author_ids(conn: &mut DbConnection, org_id: &str, ids: &[&str]) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let co_authors = ids;
    let found: HashSet<String> = users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::active.eq(true))
        .filter(users::id.eq_any(ids))
        .select(users::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut v = Validator::new();
    for (i, user) in co_authors.iter().enumerate() {
        if !found.contains(*user) {
            v.add(
                format!("co_authors[{i}].user_id"),
                "no such active user in this organisation",
            );
        }
    }
    v.finish()
}

fn require_active_user(conn: &mut DbConnection, org_id: &str, id: &str, field: &str) -> Result<(), ApiError> {
    let n: i64 = users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::id.eq(id))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?;
    if n == 0 {
        return Err(ApiError::field(field, "no such active user in this organisation"));
    }
    Ok(())
}

/// A code word names one anonymous author; another author may not take it over.
fn check_code_word(conn: &mut DbConnection, org_id: &str, author_id: &str, word: &str) -> Result<(), ApiError> {
    // Serialises anonymous submissions per organisation so two authors cannot claim the
    // same new word at once.
    organizations::lock(conn, org_id)?;
    let taken: i64 = ideas::table
        .filter(ideas::org_id.eq(org_id))
        .filter(ideas::code_word.eq(word))
        .filter(ideas::author_id.ne(author_id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::field("code_word", "is used by someone else; choose another"));
    }
    Ok(())
}

/// Copies the idea's status, unit and submission time onto its dimension links, which
/// the reports count from one index (see migration 2026-11-26-000007_report_indexes).
/// Called after every write that changes an idea or its links.
fn sync_dimension_links(conn: &mut DbConnection, org_id: &str, idea_id: &str) -> Result<(), ApiError> {
    let (status, unit_id, created_at): (String, String, NaiveDateTime) = ideas::table
        .filter(ideas::org_id.eq(org_id))
        .filter(ideas::id.eq(idea_id))
        .select((ideas::status, ideas::unit_id, ideas::created_at))
        .get_result(conn)?;
    diesel::update(idea_dimensions::table.filter(links_of(conn, org_id, idea_id)))
        .set((
            idea_dimensions::status.eq(status),
            idea_dimensions::unit_id.eq(unit_id),
            idea_dimensions::created_at.eq(created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// An idea as its links record it.
struct LinkedIdea<'a> {
    org_id: &'a str,
    id: &'a str,
    status: &'a str,
    unit_id: &'a str,
    created_at: NaiveDateTime,
}

/// Links and co-authors of an idea; the caller moves the ideas' report counter
/// (`report_cache::ideas_inserted`) for new dimension links.
fn insert_links(
    conn: &mut DbConnection,
    idea: &LinkedIdea<'_>,
    dimensions: &[String],
    co_authors: &[(String, i64)],
) -> Result<(), ApiError> {
    let (org_id, idea_id) = (idea.org_id, idea.id);
    for key in dimensions {
        db::execute_native(
            conn,
            diesel::insert_into(idea_dimensions::table).values((
                idea_dimensions::idea_id.eq(idea_id),
                idea_dimensions::dimension_key.eq(key),
                idea_dimensions::org_id.eq(org_id),
                idea_dimensions::status.eq(idea.status),
                idea_dimensions::unit_id.eq(idea.unit_id),
                idea_dimensions::created_at.eq(idea.created_at),
            )),
        )?;
    }
    for (user, share) in co_authors {
        diesel::insert_into(idea_coauthors::table)
            .values((
                idea_coauthors::idea_id.eq(idea_id),
                idea_coauthors::user_id.eq(user),
                idea_coauthors::org_id.eq(org_id),
                idea_coauthors::share.eq(share),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Submits an idea and writes its first history event, in a transaction of its own.
pub fn insert(conn: &mut DbConnection, author: &AuthUser, draft: &IdeaDraft) -> Result<Idea, ApiError> {
    check_submission(conn, &author.org_id, draft, &mut Lookups::default())?;
    db::write_tx(conn, |conn| write_submission(conn, author, draft))
}

/// Writes a checked submission (`check_submission`) and its first history event; the
/// caller holds the write transaction.
pub fn write_submission(conn: &mut DbConnection, author: &AuthUser, draft: &IdeaDraft) -> Result<Idea, ApiError> {
    if let Some(word) = &draft.code_word {
        check_code_word(conn, &author.org_id, &author.id, word)?;
    }
    let idea = submitted_idea(author, draft);
    insert_submission(conn, &idea, draft)?;
    report_cache::ideas_inserted(conn, &idea.org_id)?;
    idea_events::append(conn, &idea, submit_event(&idea))?;
    Ok(idea)
}

/// Checked submissions without code words (`check_before_batch`), written together in the
/// caller's transaction with their first history events, but without their notifications
/// (`outbox::ideas_submitted` and `mail::ideas_submitted` write those for the batch). The
/// ideas' report counter moves once per organisation of the batch.
pub fn write_submissions(
    conn: &mut DbConnection,
    submissions: &[(&AuthUser, &IdeaDraft)],
) -> Result<Vec<Idea>, ApiError> {
    if submissions.iter().any(|(_, draft)| draft.code_word.is_some()) {
        return Err(ApiError::internal("a code word's check needs write_submission"));
    }
    // One statement per row: each has the same text every time, prepared once per
    // connection (a statement of many rows is prepared anew for every batch, which on
    // SQLite cost more than it saved).
    let mut written = Vec::with_capacity(submissions.len());
    for (author, draft) in submissions {
        let idea = submitted_idea(author, draft);
        insert_submission(conn, &idea, draft)?;
        db::execute_native(
            conn,
            diesel::insert_into(events_table::table).values(idea_events::NewEvent::of(&idea, &submit_event(&idea))?),
        )?;
        written.push(idea);
    }
    let mut orgs: Vec<&str> = written.iter().map(|i| i.org_id.as_str()).collect();
    orgs.sort_unstable();
    orgs.dedup();
    for org in orgs {
        report_cache::ideas_inserted(conn, org)?;
    }
    Ok(written)
}

/// The idea's row, its dimension links and its co-authors.
fn insert_submission(conn: &mut DbConnection, idea: &Idea, draft: &IdeaDraft) -> Result<(), ApiError> {
    db::execute_native(conn, diesel::insert_into(ideas::table).values(&NewIdea::of(idea)))?;
    let linked = LinkedIdea {
        org_id: &idea.org_id,
        id: &idea.id,
        status: &idea.status,
        unit_id: &idea.unit_id,
        created_at: idea.created_at,
    };
    insert_links(conn, &linked, &draft.dimensions, &draft.co_authors)
}

/// The row a submission becomes, as of now, with a new identifier.
pub fn submitted_idea(author: &AuthUser, draft: &IdeaDraft) -> Idea {
    submitted_idea_at(db::new_id(), &author.org_id, &author.id, draft, db::now())
}

/// The row a submission becomes with the given identifier and time (the demo generator
/// writes its history with times of its own).
pub fn submitted_idea_at(id: String, org_id: &str, author_id: &str, draft: &IdeaDraft, now: NaiveDateTime) -> Idea {
    let impact = draft.impact.clone().unwrap_or_default();
    Idea {
        id,
        org_id: org_id.to_owned(),
        unit_id: draft.unit_id.clone(),
        author_id: author_id.to_owned(),
        author_share: draft.author_share,
        code_word: draft.code_word.clone(),
        title: draft.title.clone(),
        current_situation: draft.current_situation.clone(),
        proposal: draft.proposal.clone(),
        expected_benefit: draft.expected_benefit.clone(),
        est_hours_saved_per_year: impact.hours_saved_per_year,
        est_cost_saved_per_year: impact.cost_saved_per_year,
        est_quality_benefit: impact.quality_benefit,
        status: Status::Submitted.as_str().to_owned(),
        cycle: 1,
        owner_id: None,
        duplicate_of_id: None,
        decision_reason: None,
        vote_count: 0,
        comment_count: 0,
        stage_entered_at: now,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// The first history event of a submitted idea.
pub fn submit_event(idea: &Idea) -> idea_events::EventDraft<'_> {
    idea_events::EventDraft {
        action: "submit",
        from: None,
        to: Status::Submitted,
        cycle: idea.cycle,
        actor_id: &idea.author_id,
        actor_hidden: idea.anonymous(),
        note: None,
        snapshot: idea_events::snapshot(idea, &StageValues::default(), None),
        at: idea.created_at,
    }
}

/// The author's edit while the idea is `submitted`. The inner `Err` is the current
/// version when `expected_version` is stale.
pub fn edit(
    conn: &mut DbConnection,
    caller: &AuthUser,
    id: &str,
    expected_version: i64,
    edit: &IdeaEdit,
) -> Result<Result<Idea, i64>, ApiError> {
    let org_id = caller.org_id.as_str();
    db::write_tx(conn, |conn| {
        let idea = find(conn, org_id, id)?;
        if idea.author_id != caller.id {
            return Err(ApiError::forbidden("only the idea's author may edit it"));
        }
        if idea.version != expected_version {
            return Ok(Err(idea.version));
        }
        if idea.status() != Status::Submitted {
            return Err(ApiError::conflict(format!(
                "the idea is in {}; after submission it changes only through transitions",
                idea.status()
            )));
        }
        if let Some(keys) = &edit.dimensions {
            check_dimension_keys(conn, org_id, keys)?;
        }
        if let Some(unit) = &edit.unit_id {
            units::require_in_org(conn, org_id, unit, "unit_id")?;
        }
        let previous_keys = linked_keys(conn, org_id, id)?;
        if let Some((_, co_authors)) = &edit.group {
            if idea.anonymous() && !co_authors.is_empty() {
                return Err(ApiError::field(
                    "co_authors",
                    "an anonymous idea has no named co-authors",
                ));
            }
            let ids: Vec<&str> = co_authors.iter().map(|(u, _)| u.as_str()).collect();
            check_co_author_ids(conn, org_id, &ids)?;
        }
        let impact = edit.impact.clone();
        let changes = IdeaEditChangeset {
            unit_id: edit.unit_id.clone(),
            title: edit.title.clone(),
            current_situation: edit.current_situation.clone(),
            proposal: edit.proposal.clone(),
            expected_benefit: edit.expected_benefit.clone(),
            author_share: edit.group.as_ref().map(|(share, _)| *share),
            est_hours_saved_per_year: impact.as_ref().map(|i| i.as_ref().and_then(|i| i.hours_saved_per_year)),
            est_cost_saved_per_year: impact.as_ref().map(|i| i.as_ref().and_then(|i| i.cost_saved_per_year)),
            est_quality_benefit: impact.map(|i| i.and_then(|i| i.quality_benefit)),
            version: expected_version + 1,
            updated_at: db::now(),
        };
        let n = diesel::update(
            ideas::table
                .filter(ideas::org_id.eq(org_id))
                .filter(ideas::id.eq(id))
                .filter(ideas::version.eq(expected_version)),
        )
        .set(&changes)
        .execute(conn)?;
        if n == 0 {
            return Ok(Err(find(conn, org_id, id)?.version));
        }
        let updated = find(conn, org_id, id)?;
        let linked = LinkedIdea {
            org_id,
            id,
            status: &updated.status,
            unit_id: &updated.unit_id,
            created_at: updated.created_at,
        };
        if let Some(keys) = &edit.dimensions {
            diesel::delete(idea_dimensions::table.filter(links_of(conn, org_id, id))).execute(conn)?;
            insert_links(conn, &linked, keys, &[])?;
            report_cache::ideas_inserted(conn, org_id)?;
        } else if edit.unit_id.is_some() {
            sync_dimension_links(conn, org_id, id)?;
        }
        if let Some((_, co_authors)) = &edit.group {
            diesel::delete(
                idea_coauthors::table
                    .filter(idea_coauthors::org_id.eq(org_id))
                    .filter(idea_coauthors::idea_id.eq(id)),
            )
            .execute(conn)?;
            insert_links(conn, &linked, &[], co_authors)?;
        }
        let before = |new: &Option<String>, old: &String| new.as_ref().filter(|n| *n != old).map(|_| old.clone());
        let edited = idea_events::EditedFields {
            title: before(&edit.title, &idea.title),
            current_situation: before(&edit.current_situation, &idea.current_situation),
            proposal: before(&edit.proposal, &idea.proposal),
            expected_benefit: before(&edit.expected_benefit, &idea.expected_benefit),
            unit_id: before(&edit.unit_id, &idea.unit_id),
            dimensions: match &edit.dimensions {
                Some(new) if *new != previous_keys => Some(previous_keys.clone()),
                _ => None,
            },
            group: edit.group.is_some(),
            impact_estimate: edit.impact.is_some(),
        };
        if !edited.is_empty() {
            let snapshot = idea_events::StageSnapshot {
                status: Some(updated.status()),
                cycle: updated.cycle,
                edited: Some(edited),
                ..Default::default()
            };
            idea_events::append(
                conn,
                &updated,
                idea_events::EventDraft {
                    action: "edit",
                    from: Some(updated.status()),
                    to: updated.status(),
                    cycle: updated.cycle,
                    actor_id: &caller.id,
                    // An anonymous idea's author edits as the code word.
                    actor_hidden: updated.anonymous(),
                    note: None,
                    snapshot,
                    at: updated.updated_at,
                },
            )?;
        }
        Ok(Ok(updated))
    })
}

/// The dimension keys an idea links to, in key order.
fn linked_keys(conn: &mut DbConnection, org_id: &str, idea_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(idea_dimensions::table
        .filter(links_of(conn, org_id, idea_id))
        .order(idea_dimensions::dimension_key.asc())
        .select(idea_dimensions::dimension_key)
        .load(conn)?)
}

pub fn co_authors(conn: &mut DbConnection, org_id: &str, idea_id: &str) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(idea_coauthors::table
        .filter(idea_coauthors::org_id.eq(org_id))
        .filter(idea_coauthors::idea_id.eq(idea_id))
        .order(idea_coauthors::user_id.asc())
        .select((idea_coauthors::user_id, idea_coauthors::share))
        .load(conn)?)
}

/// How the rules see the caller in relation to this idea.
pub fn actor(conn: &mut DbConnection, caller: &AuthUser, idea: &Idea) -> Result<Actor, ApiError> {
    let unit_in_scope = match (&caller.role, &caller.unit_id) {
        (Role::Lead, Some(own_unit)) => units::tree(conn, &caller.org_id)?.is_within(&idea.unit_id, own_unit),
        _ => false,
    };
    let authored = idea.author_id == caller.id || {
        let n: i64 = idea_coauthors::table
            .filter(idea_coauthors::org_id.eq(&idea.org_id))
            .filter(idea_coauthors::idea_id.eq(&idea.id))
            .filter(idea_coauthors::user_id.eq(&caller.id))
            .count()
            .get_result(conn)?;
        n > 0
    };
    Ok(Actor {
        role: caller.role,
        unit_in_scope,
        authored,
        is_owner: idea.owner_id.as_deref() == Some(caller.id.as_str()),
    })
}

/// The lifecycle as seen by one caller: what is on record now and what they may do.
pub struct LifecycleView {
    pub idea: Idea,
    pub record: StageValues,
    pub actor: Actor,
}

pub fn lifecycle_view(conn: &mut DbConnection, caller: &AuthUser, id: &str) -> Result<LifecycleView, ApiError> {
    let idea = find(conn, &caller.org_id, id)?;
    let cycle = if idea.status().in_cycle() {
        current_cycle(conn, &idea)?
    } else {
        None
    };
    let record = stage_values(&idea, cycle.as_ref());
    let actor = actor(conn, caller, &idea)?;
    Ok(LifecycleView { idea, record, actor })
}

impl From<TransitionError> for ApiError {
    fn from(err: TransitionError) -> Self {
        match err {
            TransitionError::WrongState { action, status } => {
                let from: Vec<&str> = action.from().iter().map(|s| s.as_str()).collect();
                ApiError::conflict(format!(
                    "the idea is in {status}; {action} is possible only from {}",
                    from.join(" or ")
                ))
            }
            TransitionError::Forbidden(reason) => ApiError::Forbidden(reason),
            TransitionError::Invalid(errors) => {
                ApiError::Validation(errors.into_iter().map(|(f, m)| FieldError::new(f, m)).collect())
            }
        }
    }
}

/// Takes one lifecycle step under optimistic concurrency: the conditional UPDATE on the
/// version lets exactly one of several concurrent steps from the same version through.
/// The inner `Err` is the current version when `expected_version` is stale.
pub fn transition(
    conn: &mut DbConnection,
    caller: &AuthUser,
    id: &str,
    expected_version: i64,
    action: Action,
    input: &StageValues,
    note: Option<&str>,
) -> Result<Result<Idea, i64>, ApiError> {
    let org_id = caller.org_id.as_str();
    db::write_tx(conn, |conn| {
        let idea = find(conn, org_id, id)?;
        if idea.version != expected_version {
            return Ok(Err(idea.version));
        }
        let status = idea.status();
        let cycle = if status.in_cycle() {
            current_cycle(conn, &idea)?
        } else {
            None
        };
        let record = stage_values(&idea, cycle.as_ref());
        let actor = actor(conn, caller, &idea)?;
        let applied = pdca::apply(status, &record, action, input, &actor)?;

        if let Some(owner) = &input.owner_id {
            require_active_user(conn, org_id, owner, "owner_id")?;
        }
        if action == Action::MarkDuplicate
            && let Some(target_id) = &input.duplicate_of
        {
            let target = ideas::table
                .filter(ideas::org_id.eq(org_id))
                .filter(ideas::id.eq(target_id))
                .select((ideas::created_at, ideas::id, ideas::duplicate_of_id))
                .first::<(NaiveDateTime, String, Option<String>)>(conn)
                .optional()?
                .ok_or_else(|| ApiError::field("duplicate_of", "no such idea in this organisation"))?;
            pdca::check_duplicate_target(
                (&idea.created_at, &idea.id),
                (&target.0, &target.1),
                target.2.as_deref(),
            )
            .map_err(|m| ApiError::field("duplicate_of", m))?;
        }

        let now = db::now();
        let next_owner = match &applied.next_cycle {
            Some(next) => next.owner_id.clone(),
            None => applied.values.owner_id.clone(),
        };
        let new_cycle_no = if applied.next_cycle.is_some() {
            idea.cycle + 1
        } else {
            idea.cycle
        };
        let n = StageUpdate {
            org_id,
            id,
            expected_version,
            next_version: expected_version + 1,
            status: applied.to.as_str(),
            cycle: new_cycle_no,
            owner_id: next_owner.as_deref(),
            duplicate_of_id: applied.values.duplicate_of.as_deref(),
            decision_reason: applied.values.reason.as_deref(),
            now,
        }
        .execute(conn)?;
        if n == 0 {
            return Ok(Err(find(conn, org_id, id)?.version));
        }
        write_cycles(conn, &idea, cycle.as_ref(), &applied, now)?;
        record_stage_span(conn, &idea, now)?;
        LinksStatus {
            by_org: matches!(conn, DbConnection::Postgresql(_)),
            org_id,
            idea_id: id,
            status: applied.to.as_str(),
        }
        .execute(conn)?;
        if applied.outcome == Some(Outcome::Adopted) {
            // Adoption happens once; the links keep when, and what the last cycle measured.
            let (hours, cost): (Option<f64>, Option<f64>) = idea_cycles::table
                .filter(idea_cycles::org_id.eq(org_id))
                .filter(idea_cycles::idea_id.eq(id))
                .filter(idea_cycles::cycle.eq(idea.cycle))
                .select((
                    idea_cycles::measured_hours_saved_per_year,
                    idea_cycles::measured_cost_saved_per_year,
                ))
                .first(conn)?;
            diesel::update(idea_dimensions::table.filter(links_of(conn, org_id, id)))
                .set((
                    idea_dimensions::adopted_at.eq(Some(now)),
                    idea_dimensions::adopted_hours_saved.eq(hours),
                    idea_dimensions::adopted_cost_saved.eq(cost),
                ))
                .execute(conn)?;
        }

        let updated = find(conn, org_id, id)?;
        let event_cycle = idea_cycles::table
            .filter(idea_cycles::org_id.eq(org_id))
            .filter(idea_cycles::idea_id.eq(id))
            .filter(idea_cycles::cycle.eq(idea.cycle))
            .first::<Cycle>(conn)
            .optional()?;
        idea_events::append(
            conn,
            &updated,
            idea_events::EventDraft {
                action: action.as_str(),
                from: Some(status),
                to: applied.to,
                cycle: idea.cycle,
                actor_id: &caller.id,
                // Withdrawing is done as the author: an anonymous author stays hidden.
                actor_hidden: action == Action::Withdraw && idea.anonymous(),
                note,
                snapshot: idea_events::snapshot(&updated, &applied.values, event_cycle.as_ref()),
                at: now,
            },
        )?;
        Ok(Ok(updated))
    })
}

/// Records how long the idea spent in the stage it is leaving (for the pipeline report).
fn record_stage_span(conn: &mut DbConnection, idea: &Idea, left_at: NaiveDateTime) -> Result<(), ApiError> {
    let seconds = (left_at - idea.stage_entered_at).num_microseconds().unwrap_or(0).max(0) as f64 / 1e6;
    db::execute_native(
        conn,
        diesel::insert_into(idea_stage_spans::table).values((
            idea_stage_spans::idea_id.eq(&idea.id),
            idea_stage_spans::cycle.eq(idea.cycle),
            idea_stage_spans::stage.eq(&idea.status),
            idea_stage_spans::org_id.eq(&idea.org_id),
            idea_stage_spans::unit_id.eq(&idea.unit_id),
            idea_stage_spans::entered_at.eq(idea.stage_entered_at),
            idea_stage_spans::left_at.eq(left_at),
            idea_stage_spans::seconds.eq(seconds),
        )),
    )?;
    Ok(())
}

fn write_cycles(
    conn: &mut DbConnection,
    idea: &Idea,
    current: Option<&Cycle>,
    applied: &Applied,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let (target_met, relative) = match (applied.measurement, current) {
        (Some(m), _) => (Some(m.target_met), m.relative_improvement),
        (None, Some(c)) => (c.target_met, c.relative_improvement),
        (None, None) => (None, None),
    };
    let mut columns = CycleColumns::from_values(&applied.values, target_met, relative, now);
    if let Some(outcome) = applied.outcome {
        columns.outcome = Some(outcome.as_str().to_owned());
        columns.closed_at = Some(now);
    }
    if applied.opens_first_cycle {
        insert_cycle(conn, idea, idea.cycle, &columns, now)?;
    } else if current.is_some() {
        diesel::update(
            idea_cycles::table
                .filter(idea_cycles::org_id.eq(&idea.org_id))
                .filter(idea_cycles::idea_id.eq(&idea.id))
                .filter(idea_cycles::cycle.eq(idea.cycle)),
        )
        .set(&columns)
        .execute(conn)?;
    }
    if let Some(next) = &applied.next_cycle {
        let columns = CycleColumns::from_values(next, None, None, now);
        insert_cycle(conn, idea, idea.cycle + 1, &columns, now)?;
    }
    Ok(())
}

fn insert_cycle(
    conn: &mut DbConnection,
    idea: &Idea,
    number: i64,
    columns: &CycleColumns,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(idea_cycles::table)
        .values((
            idea_cycles::idea_id.eq(&idea.id),
            idea_cycles::cycle.eq(number),
            idea_cycles::org_id.eq(&idea.org_id),
            idea_cycles::started_at.eq(now),
            columns,
        ))
        .execute(conn)?;
    Ok(())
}

/// Dimension keys per idea, for a page of ideas in one query.
pub fn dimensions_of(
    conn: &mut DbConnection,
    org_id: &str,
    idea_ids: &[&str],
) -> Result<HashMap<String, Vec<String>>, ApiError> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if idea_ids.is_empty() {
        return Ok(out);
    }
    // As in `links_of`: the organisation is named on PostgreSQL only.
    let mut q = idea_dimensions::table
        .filter(idea_dimensions::idea_id.eq_any(idea_ids))
        .into_boxed();
    if matches!(conn, DbConnection::Postgresql(_)) {
        q = q.filter(idea_dimensions::org_id.eq(org_id));
    }
    let rows: Vec<(String, String)> = q
        .order((idea_dimensions::idea_id, idea_dimensions::dimension_key))
        .select((idea_dimensions::idea_id, idea_dimensions::dimension_key))
        .load(conn)?;
    for (idea, key) in rows {
        out.entry(idea).or_default().push(key);
    }
    Ok(out)
}

/// Display names of users of the organisation, in one query.
pub fn display_names(
    conn: &mut DbConnection,
    org_id: &str,
    user_ids: &[&str],
) -> Result<HashMap<String, String>, ApiError> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String)> = users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::id.eq_any(user_ids))
        .select((users::id, users::display_name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Which of these ideas the user has voted for, in one query.
pub fn voted_among(
    conn: &mut DbConnection,
    org_id: &str,
    user_id: &str,
    idea_ids: &[&str],
) -> Result<HashSet<String>, ApiError> {
    if idea_ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(idea_votes::table
        .filter(idea_votes::org_id.eq(org_id))
        .filter(idea_votes::user_id.eq(user_id))
        .filter(idea_votes::idea_id.eq_any(idea_ids))
        .select(idea_votes::idea_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdeaSort {
    /// Newest submission first.
    #[default]
    Newest,
    /// Most votes first (ties: newest first).
    MostVotes,
    /// Longest in the current stage first.
    LongestInStage,
}

/// Where the previous page ended, for the list's sort order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IdeaCursor {
    #[serde(rename = "n")]
    Newest(String),
    #[serde(rename = "v")]
    MostVotes(i64, String),
    #[serde(rename = "s")]
    LongestInStage(NaiveDateTime, String),
}

impl IdeaCursor {
    pub fn sort(&self) -> IdeaSort {
        match self {
            IdeaCursor::Newest(_) => IdeaSort::Newest,
            IdeaCursor::MostVotes(..) => IdeaSort::MostVotes,
            IdeaCursor::LongestInStage(..) => IdeaSort::LongestInStage,
        }
    }

    pub fn after(sort: IdeaSort, idea: &Idea) -> Self {
        match sort {
            IdeaSort::Newest => IdeaCursor::Newest(idea.id.clone()),
            IdeaSort::MostVotes => IdeaCursor::MostVotes(idea.vote_count, idea.id.clone()),
            IdeaSort::LongestInStage => IdeaCursor::LongestInStage(idea.stage_entered_at, idea.id.clone()),
        }
    }
}

/// Who wrote an idea, for the `author` filter.
#[derive(Debug, Clone)]
pub struct AuthorFilter {
    pub user_id: String,
    /// Only admins and the author themself find anonymous ideas by their author.
    pub include_anonymous: bool,
}

/// List filters; every one narrows the result.
#[derive(Debug, Clone, Default)]
pub struct IdeaFilter {
    pub statuses: Vec<Status>,
    /// The unit and its sub-units, resolved.
    pub unit_ids: Option<Vec<String>>,
    /// Each entry is a set of dimension keys the idea must link to at least one of. The
    /// `dimension` parameter adds one set; a "currently weak dimensions" filter adds
    /// another (keys from the assessment results), and both must hold.
    pub linked_to_any: Vec<Vec<String>>,
    pub author: Option<AuthorFilter>,
    pub owner_id: Option<String>,
    /// Matched case-insensitively anywhere in title or proposal.
    pub text: Option<String>,
    pub created_from: Option<NaiveDateTime>,
    /// Exclusive.
    pub created_before: Option<NaiveDateTime>,
}

diesel::define_sql_function!(fn lower(x: Text) -> Text);

fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// One page of the organisation's ideas (`limit + 1` rows, for `finish_page`). Each sort
/// order walks its own index from the cursor on (row-value comparison), so page 1,000
/// costs what page 1 costs.
pub fn list(
    conn: &mut DbConnection,
    org_id: &str,
    filter: &IdeaFilter,
    sort: IdeaSort,
    after: Option<&IdeaCursor>,
    limit: i64,
) -> Result<Vec<Idea>, ApiError> {
    let mut q = ideas::table.filter(ideas::org_id.eq(org_id)).into_boxed();
    match filter.statuses.as_slice() {
        [] => {}
        // One status as `=`: PostgreSQL then walks the (org, status, stage time) index in
        // order; with `= ANY` of one element it walked the stage-time index and filtered
        // (the board's column of the longest waiting: 108 ms against 0.7 ms at 100,000 ideas).
        [one] => q = q.filter(ideas::status.eq(one.as_str())),
        many => {
            let statuses: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
            q = q.filter(ideas::status.eq_any(statuses));
        }
    }
    if let Some(units) = &filter.unit_ids {
        q = q.filter(ideas::unit_id.eq_any(units.clone()));
    }
    for keys in &filter.linked_to_any {
        q = q.filter(exists(
            idea_dimensions::table
                .filter(idea_dimensions::org_id.eq(ideas::org_id))
                .filter(idea_dimensions::idea_id.eq(ideas::id))
                .filter(idea_dimensions::dimension_key.eq_any(keys.clone())),
        ));
    }
    if let Some(author) = &filter.author {
        // Resolved first: "author OR co-author" in one WHERE makes the planners walk the
        // whole organisation, while a person's own ideas are few and indexed.
        // On PostgreSQL off the (org, author) index; SQLite's index on authors does not
        // lead with the organisation, and given it, SQLite walked the organisation's
        // ideas instead (the page's own filter keeps it to the organisation either way).
        let mut own = ideas::table
            .filter(ideas::author_id.eq(&author.user_id))
            .select(ideas::id)
            .into_boxed();
        if matches!(conn, DbConnection::Postgresql(_)) {
            own = own.filter(ideas::org_id.eq(org_id));
        }
        let mut authored: Vec<String> = own.load(conn)?;
        authored.extend(
            idea_coauthors::table
                .filter(idea_coauthors::org_id.eq(org_id))
                .filter(idea_coauthors::user_id.eq(&author.user_id))
                .select(idea_coauthors::idea_id)
                .load::<String>(conn)?,
        );
        q = q.filter(ideas::id.eq_any(authored));
        if !author.include_anonymous {
            q = q.filter(ideas::code_word.is_null());
        }
    }
    if let Some(owner) = &filter.owner_id {
        q = q.filter(ideas::owner_id.eq(owner.clone()));
    }
    if let Some(text) = &filter.text {
        let pattern = like_pattern(text);
        q = q.filter(
            lower(ideas::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(ideas::proposal).like(pattern).escape('\\')),
        );
    }
    if let Some(from) = filter.created_from {
        q = q.filter(ideas::created_at.ge(from));
    }
    if let Some(before) = filter.created_before {
        q = q.filter(ideas::created_at.lt(before));
    }
    match after {
        None => {}
        Some(IdeaCursor::Newest(id)) => q = q.filter(ideas::id.lt(id.clone())),
        Some(IdeaCursor::MostVotes(votes, id)) => {
            q = q.filter(
                sql::<Bool>("(ideas.vote_count, ideas.id) < (")
                    .bind::<BigInt, _>(*votes)
                    .sql(", ")
                    .bind::<Text, _>(id.clone())
                    .sql(")"),
            )
        }
        Some(IdeaCursor::LongestInStage(since, id)) => {
            q = q.filter(
                sql::<Bool>("(ideas.stage_entered_at, ideas.id) > (")
                    .bind::<Timestamp, _>(*since)
                    .sql(", ")
                    .bind::<Text, _>(id.clone())
                    .sql(")"),
            )
        }
    }
    q = match sort {
        IdeaSort::Newest => q.order(ideas::id.desc()),
        IdeaSort::MostVotes => q.order((ideas::vote_count.desc(), ideas::id.desc())),
        IdeaSort::LongestInStage => q.order((ideas::stage_entered_at.asc(), ideas::id.asc())),
    };
    Ok(q.limit(limit + 1).load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transitions_updates_are_compiled_once_per_connection() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = db::migrated_sqlite(dir.path());
        let kept = db::record_kept_statements(&mut conn);
        // diesel's own UPDATE is compiled on every run and never kept.
        for _ in 0..2 {
            diesel::update(ideas::table.filter(ideas::org_id.eq("o")).filter(ideas::id.eq("i")))
                .set(ideas::vote_count.eq(0_i64))
                .execute(&mut conn)
                .expect("update");
        }
        assert_eq!(db::take_kept(&kept), Vec::<String>::new());

        let now = db::now();
        for owner in [Some("u"), None, Some("v")] {
            let n = StageUpdate {
                org_id: "o",
                id: "i",
                expected_version: 1,
                next_version: 2,
                status: "accepted",
                cycle: 1,
                owner_id: owner,
                duplicate_of_id: None,
                decision_reason: Some("why"),
                now,
            }
            .execute(&mut conn)
            .expect("stage update");
            assert_eq!(n, 0);
            LinksStatus {
                by_org: false,
                org_id: "o",
                idea_id: "i",
                status: "accepted",
            }
            .execute(&mut conn)
            .expect("links");
        }
        let texts = db::take_kept(&kept);
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[0].starts_with("UPDATE ideas SET status = ?"), "{texts:?}");
        assert_eq!(texts[1], "UPDATE idea_dimensions SET status = ? WHERE idea_id = ?");
    }

    #[test]
    fn a_submissions_statements_are_compiled_once_per_connection() {
        use crate::auth::AuthUser;
        use crate::domain::roles::Role;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = db::migrated_sqlite(dir.path());
        // Rows of no organisation, unit or account: only the statements are looked at.
        diesel::connection::SimpleConnection::batch_execute(&mut conn, "PRAGMA foreign_keys = OFF").expect("pragma");
        let kept = db::record_kept_statements(&mut conn);
        let author = AuthUser {
            id: "u".into(),
            org_id: "o".into(),
            role: Role::Employee,
            unit_id: None,
            email: "u@example.org".into(),
            display_name: "U".into(),
            must_change_password: false,
        };
        let draft = IdeaDraft {
            unit_id: "unit".into(),
            title: "Titel".into(),
            current_situation: "Heute".into(),
            proposal: "Vorschlag".into(),
            expected_benefit: "Nutzen".into(),
            dimensions: vec!["lernen".into()],
            author_share: 100,
            co_authors: Vec::new(),
            code_word: None,
            impact: None,
        };
        let mut first = Vec::new();
        for round in 0..3 {
            // What the writer runs for a batch: the checks, then the rows.
            let found = crate::store::sessions::account_and_session(&mut conn, "o", "u", "s").expect("account");
            assert!(found.is_none());
            let keys = crate::store::questionnaires::latest_published_keys(&mut conn, "o").expect("keys");
            assert!(keys.is_empty());
            db::write_tx(&mut conn, |conn| {
                let written = write_submissions(conn, &[(&author, &draft)])?;
                crate::store::outbox::ideas_submitted(conn, &written)?;
                crate::store::mail::ideas_submitted(conn, &written, crate::store::mail::Sending::On)
            })
            .expect("batch");
            let texts = db::take_kept(&kept);
            if round == 0 {
                first = texts;
            } else {
                // Later rounds find every statement prepared already.
                assert_eq!(texts, Vec::<String>::new(), "round {round}");
            }
        }
        let starts = |prefix: &str| first.iter().filter(|t| t.starts_with(prefix)).count();
        assert_eq!(starts("SELECT `users`."), 1, "{first:?}");
        assert_eq!(starts("SELECT `questionnaire_dimensions`."), 1, "{first:?}");
        assert_eq!(starts("INSERT INTO `ideas`"), 1, "{first:?}");
        assert_eq!(starts("INSERT INTO `idea_dimensions`"), 1, "{first:?}");
        assert_eq!(starts("INSERT INTO `idea_events`"), 1, "{first:?}");
        assert_eq!(starts("INSERT INTO `mail_messages`"), 1, "{first:?}");
        assert_eq!(starts("SELECT EXISTS"), 1, "{first:?}");
        // Every round wrote its rows.
        let count = |conn: &mut DbConnection, sql: &str| -> i64 {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(sql))
                .get_result(conn)
                .expect("count")
        };
        assert_eq!(count(&mut conn, "(SELECT COUNT(*) FROM ideas)"), 3);
        assert_eq!(count(&mut conn, "(SELECT COUNT(*) FROM idea_dimensions)"), 3);
        assert_eq!(count(&mut conn, "(SELECT COUNT(*) FROM idea_events)"), 3);
        assert_eq!(count(&mut conn, "(SELECT COUNT(*) FROM mail_messages)"), 3);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Warte"), "%warte%");
        assert_eq!(like_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }

    #[test]
    fn cursors_name_their_sort() {
        let c = IdeaCursor::MostVotes(3, "id".into());
        let back: IdeaCursor = crate::pagination::decode_cursor(&crate::pagination::encode_cursor(&c)).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.sort(), IdeaSort::MostVotes);
    }
}
