//! An idea's life replayed at past moments: submission and each transition produce the
//! rows `store::ideas::insert` and `store::ideas::transition` would have written at those
//! moments — the idea, its cycles, its history events and its stage spans. The rules are
//! not repeated here: every step goes through `pdca::apply` (permission, evidence gates,
//! the measurement at Check) and `pdca::check_duplicate_target`, and events carry
//! `idea_events::snapshot`. A test drives the same steps through the API and compares.

use chrono::NaiveDateTime;
use rand::Rng;

use crate::demo::clock::id_at;
use crate::demo::rows::{CycleRow, EventRow, IdeaRow, SpanRow};
use crate::domain::pdca::{self, Action, Actor, StageValues};
use crate::domain::roles::Role;
use crate::domain::unit_tree::UnitTree;
use crate::store::idea_events;
use crate::store::ideas::{self, Cycle, Idea, IdeaDraft, ImpactEstimate};

/// What an author submits, as `store::ideas::insert` receives it after validation.
#[derive(Debug, Clone)]
pub struct Submission {
    pub id: String,
    pub org_id: String,
    pub unit_id: String,
    pub author_id: String,
    pub author_share: i64,
    pub co_authors: Vec<(String, i64)>,
    pub code_word: Option<String>,
    pub title: String,
    pub current_situation: String,
    pub proposal: String,
    pub expected_benefit: String,
    pub est_hours_saved_per_year: Option<f64>,
    pub est_cost_saved_per_year: Option<f64>,
    pub est_quality_benefit: Option<String>,
    pub at: NaiveDateTime,
}

/// Who takes a step, as the rules see a caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: String,
    pub role: Role,
    pub unit_id: Option<String>,
}

/// One transition at a past moment.
#[derive(Debug, Clone)]
pub struct Step {
    pub action: Action,
    pub at: NaiveDateTime,
    pub caller: Caller,
    pub input: StageValues,
    pub note: Option<String>,
}

/// The earlier idea a duplicate points to: (created_at, id, its own duplicate_of).
pub type DuplicateTarget = (NaiveDateTime, String, Option<String>);

/// Everything the idea's life left in the database, except votes and comments.
#[derive(Debug, Clone)]
pub struct Life {
    pub idea: Idea,
    pub cycles: Vec<Cycle>,
    pub events: Vec<EventRow>,
    pub spans: Vec<SpanRow>,
}

impl Life {
    pub fn idea_row(&self) -> IdeaRow {
        IdeaRow::from(self.idea.clone())
    }

    pub fn cycle_rows(&self) -> Vec<CycleRow> {
        self.cycles.iter().cloned().map(CycleRow::from).collect()
    }
}

/// The row `idea_events::append` writes for `e`, with an id minted for its moment.
fn event<R: Rng + ?Sized>(idea: &Idea, e: idea_events::EventDraft<'_>, rng: &mut R) -> Result<EventRow, String> {
    Ok(EventRow {
        id: id_at(e.at, rng),
        org_id: idea.org_id.clone(),
        idea_id: idea.id.clone(),
        cycle: e.cycle,
        action: e.action.to_owned(),
        from_status: e.from.map(|s| s.as_str().to_owned()),
        to_status: e.to.as_str().to_owned(),
        actor_id: e.actor_id.to_owned(),
        actor_hidden: e.actor_hidden,
        note: e.note.map(str::to_owned),
        stage: serde_json::to_string(&e.snapshot).map_err(|e| e.to_string())?,
        created_at: e.at,
    })
}

/// The stage columns of a cycle, set from stage values as the store's `CycleColumns`.
fn set_columns(c: &mut Cycle, v: &StageValues, target_met: Option<bool>, relative: Option<f64>, at: NaiveDateTime) {
    c.problem = v.problem.clone();
    c.goal = v.goal.clone();
    c.kpi_name = v.kpi_name.clone();
    c.kpi_unit = v.kpi_unit.clone();
    c.kpi_baseline = v.kpi_baseline;
    c.kpi_target = v.kpi_target;
    c.lower_is_better = v.lower_is_better.unwrap_or(false);
    c.due_date = v.due_date.clone();
    c.prediction = v.prediction.clone();
    c.do_summary = v.do_summary.clone();
    c.ran_as_planned = v.ran_as_planned;
    c.deviations = v.deviations.clone();
    c.measured_value = v.measured_value;
    c.target_met = target_met;
    c.relative_improvement = relative;
    c.measured_hours_saved_per_year = v.measured_hours_saved_per_year;
    c.measured_cost_saved_per_year = v.measured_cost_saved_per_year;
    c.findings = v.findings.clone();
    c.outcome = None;
    c.new_standard = v.new_standard.clone();
    c.next_cycle_changes = v.next_cycle_changes.clone();
    c.closed_at = None;
    c.updated_at = at;
}

fn new_cycle(idea: &Idea, number: i64, at: NaiveDateTime) -> Cycle {
    Cycle {
        idea_id: idea.id.clone(),
        cycle: number,
        org_id: idea.org_id.clone(),
        problem: None,
        goal: None,
        kpi_name: None,
        kpi_unit: None,
        kpi_baseline: None,
        kpi_target: None,
        lower_is_better: false,
        due_date: None,
        prediction: None,
        do_summary: None,
        ran_as_planned: None,
        deviations: None,
        measured_value: None,
        target_met: None,
        relative_improvement: None,
        measured_hours_saved_per_year: None,
        measured_cost_saved_per_year: None,
        findings: None,
        outcome: None,
        new_standard: None,
        next_cycle_changes: None,
        started_at: at,
        closed_at: None,
        updated_at: at,
    }
}

/// Replays a submission and its steps. An error names the step the rules refused: the
/// demo's scenario is wrong, not the data.
pub fn live<R: Rng + ?Sized>(
    submission: &Submission,
    steps: &[Step],
    tree: &UnitTree,
    duplicate_target: Option<&DuplicateTarget>,
    rng: &mut R,
) -> Result<Life, String> {
    let s = submission;
    let draft = IdeaDraft {
        unit_id: s.unit_id.clone(),
        title: s.title.clone(),
        current_situation: s.current_situation.clone(),
        proposal: s.proposal.clone(),
        expected_benefit: s.expected_benefit.clone(),
        dimensions: Vec::new(),
        author_share: s.author_share,
        co_authors: Vec::new(),
        code_word: s.code_word.clone(),
        impact: Some(ImpactEstimate {
            hours_saved_per_year: s.est_hours_saved_per_year,
            cost_saved_per_year: s.est_cost_saved_per_year,
            quality_benefit: s.est_quality_benefit.clone(),
        }),
    };
    let mut idea = ideas::submitted_idea_at(s.id.clone(), &s.org_id, &s.author_id, &draft, s.at);
    let mut cycles: Vec<Cycle> = Vec::new();
    let mut spans = Vec::new();
    let mut events = vec![event(&idea, ideas::submit_event(&idea), rng)?];

    for (n, step) in steps.iter().enumerate() {
        let refused = |why: String| format!("idea {:?}, step {} ({}): {why}", s.title, n + 1, step.action);
        if step.at <= idea.stage_entered_at {
            return Err(refused("steps must follow each other in time".into()));
        }
        let status = idea.status();
        let current = if status.in_cycle() {
            cycles.iter().find(|c| c.cycle == idea.cycle).cloned()
        } else {
            None
        };
        let record = ideas::stage_values(&idea, current.as_ref());
        let actor = Actor {
            role: step.caller.role,
            unit_in_scope: match (step.caller.role, &step.caller.unit_id) {
                (Role::Lead, Some(own)) => tree.is_within(&idea.unit_id, own),
                _ => false,
            },
            authored: idea.author_id == step.caller.id || s.co_authors.iter().any(|(u, _)| *u == step.caller.id),
            is_owner: idea.owner_id.as_deref() == Some(step.caller.id.as_str()),
        };
        let applied =
            pdca::apply(status, &record, step.action, &step.input, &actor).map_err(|e| refused(format!("{e:?}")))?;
        if step.action == Action::MarkDuplicate {
            let target = duplicate_target.ok_or_else(|| refused("no duplicate target given".into()))?;
            if step.input.duplicate_of.as_deref() != Some(target.1.as_str()) {
                return Err(refused("duplicate_of is not the given target".into()));
            }
            pdca::check_duplicate_target(
                (&idea.created_at, &idea.id),
                (&target.0, &target.1),
                target.2.as_deref(),
            )
            .map_err(refused)?;
        }

        let at = step.at;
        let next_owner = match &applied.next_cycle {
            Some(next) => next.owner_id.clone(),
            None => applied.values.owner_id.clone(),
        };
        let old_cycle = idea.cycle;
        let seconds = (at - idea.stage_entered_at).num_microseconds().unwrap_or(0).max(0) as f64 / 1e6;
        spans.push(SpanRow {
            idea_id: idea.id.clone(),
            cycle: old_cycle,
            stage: idea.status.clone(),
            org_id: idea.org_id.clone(),
            unit_id: idea.unit_id.clone(),
            entered_at: idea.stage_entered_at,
            left_at: at,
            seconds,
        });

        // The cycles, as `write_cycles` does it.
        let (target_met, relative) = match (applied.measurement, current.as_ref()) {
            (Some(m), _) => (Some(m.target_met), m.relative_improvement),
            (None, Some(c)) => (c.target_met, c.relative_improvement),
            (None, None) => (None, None),
        };
        let close = |c: &mut Cycle| {
            if let Some(outcome) = applied.outcome {
                c.outcome = Some(outcome.as_str().to_owned());
                c.closed_at = Some(at);
            }
        };
        if applied.opens_first_cycle {
            let mut c = new_cycle(&idea, old_cycle, at);
            set_columns(&mut c, &applied.values, target_met, relative, at);
            close(&mut c);
            cycles.push(c);
        } else if current.is_some()
            && let Some(c) = cycles.iter_mut().find(|c| c.cycle == old_cycle)
        {
            set_columns(c, &applied.values, target_met, relative, at);
            close(c);
        }
        if let Some(next) = &applied.next_cycle {
            let mut c = new_cycle(&idea, old_cycle + 1, at);
            set_columns(&mut c, next, None, None, at);
            cycles.push(c);
        }

        idea.status = applied.to.as_str().to_owned();
        idea.cycle = if applied.next_cycle.is_some() {
            old_cycle + 1
        } else {
            old_cycle
        };
        idea.owner_id = next_owner;
        idea.duplicate_of_id = applied.values.duplicate_of.clone();
        idea.decision_reason = applied.values.reason.clone();
        idea.stage_entered_at = at;
        idea.version += 1;
        idea.updated_at = at;

        let event_cycle = cycles.iter().find(|c| c.cycle == old_cycle);
        events.push(event(
            &idea,
            idea_events::EventDraft {
                action: step.action.as_str(),
                from: Some(status),
                to: applied.to,
                cycle: old_cycle,
                actor_id: &step.caller.id,
                // Withdrawing is done as the author: an anonymous author stays hidden.
                actor_hidden: step.action == Action::Withdraw && idea.anonymous(),
                note: step.note.as_deref(),
                snapshot: idea_events::snapshot(&idea, &applied.values, event_cycle),
                at,
            },
            rng,
        )?);
    }
    Ok(Life {
        idea,
        cycles,
        events,
        spans,
    })
}
