//! The PDCA lifecycle of an idea: states, transitions, evidence gates, who may take them,
//! and the measurement computed at Check. Pure: the store feeds it rows, it answers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::roles::Role;

/// Where an idea stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IdeaStatus)]
pub enum Status {
    Submitted,
    Plan,
    Do,
    Check,
    Act,
    Done,
    Rejected,
    Withdrawn,
    Abandoned,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Submitted,
        Status::Plan,
        Status::Do,
        Status::Check,
        Status::Act,
        Status::Done,
        Status::Rejected,
        Status::Withdrawn,
        Status::Abandoned,
    ];

    /// The stage's name for people.
    pub fn label(self, lang: crate::domain::locale::Lang) -> &'static str {
        use crate::domain::locale::Lang;
        match (self, lang) {
            (Status::Submitted, Lang::De) => "Eingereicht",
            (Status::Submitted, Lang::En) => "Submitted",
            (Status::Plan, _) => "Plan",
            (Status::Do, _) => "Do",
            (Status::Check, _) => "Check",
            (Status::Act, _) => "Act",
            (Status::Done, Lang::De) => "Umgesetzt",
            (Status::Done, Lang::En) => "Done",
            (Status::Rejected, Lang::De) => "Abgelehnt",
            (Status::Rejected, Lang::En) => "Rejected",
            (Status::Withdrawn, Lang::De) => "Zurückgezogen",
            (Status::Withdrawn, Lang::En) => "Withdrawn",
            (Status::Abandoned, Lang::De) => "Abgebrochen",
            (Status::Abandoned, Lang::En) => "Abandoned",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Plan => "plan",
            Status::Do => "do",
            Status::Check => "check",
            Status::Act => "act",
            Status::Done => "done",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// True for the four stages of a running cycle, which have stage data.
    pub fn in_cycle(self) -> bool {
        matches!(self, Status::Plan | Status::Do | Status::Check | Status::Act)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A step of the lifecycle, named as in the design's diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IdeaAction)]
pub enum Action {
    /// submitted → plan
    Accept,
    /// submitted → rejected
    Reject,
    /// submitted → rejected, linked to the earlier idea it duplicates
    MarkDuplicate,
    /// submitted → withdrawn (authors only)
    Withdraw,
    /// plan → do
    Start,
    /// do → check
    Check,
    /// check → act
    Act,
    /// act → done: the change becomes the new standard
    Adopt,
    /// act → plan of the next cycle
    Adapt,
    /// plan | do | check | act → abandoned
    Abandon,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::Accept,
        Action::Reject,
        Action::MarkDuplicate,
        Action::Withdraw,
        Action::Start,
        Action::Check,
        Action::Act,
        Action::Adopt,
        Action::Adapt,
        Action::Abandon,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::MarkDuplicate => "mark_duplicate",
            Action::Withdraw => "withdraw",
            Action::Start => "start",
            Action::Check => "check",
            Action::Act => "act",
            Action::Adopt => "adopt",
            Action::Adapt => "adapt",
            Action::Abandon => "abandon",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The states the action starts from.
    pub fn from(self) -> &'static [Status] {
        match self {
            Action::Accept | Action::Reject | Action::MarkDuplicate | Action::Withdraw => &[Status::Submitted],
            Action::Start => &[Status::Plan],
            Action::Check => &[Status::Do],
            Action::Act => &[Status::Check],
            Action::Adopt | Action::Adapt => &[Status::Act],
            Action::Abandon => &[Status::Plan, Status::Do, Status::Check, Status::Act],
        }
    }

    /// The state the action leads to.
    pub fn to(self) -> Status {
        match self {
            Action::Accept | Action::Adapt => Status::Plan,
            Action::Reject | Action::MarkDuplicate => Status::Rejected,
            Action::Withdraw => Status::Withdrawn,
            Action::Start => Status::Do,
            Action::Check => Status::Check,
            Action::Act => Status::Act,
            Action::Adopt => Status::Done,
            Action::Abandon => Status::Abandoned,
        }
    }

    /// Evidence that must be on record (sent now or recorded earlier in the cycle).
    pub fn required(self) -> &'static [Field] {
        use Field::*;
        match self {
            Action::Accept | Action::Withdraw => &[],
            Action::Reject | Action::Abandon => &[Reason],
            Action::MarkDuplicate => &[DuplicateOf, Reason],
            Action::Start => &[
                OwnerId,
                Problem,
                Goal,
                KpiName,
                KpiBaseline,
                KpiTarget,
                DueDate,
                Prediction,
            ],
            Action::Check => &[DoSummary, RanAsPlanned],
            Action::Act => &[MeasuredValue],
            Action::Adopt => &[NewStandard],
            Action::Adapt => &[NextCycleChanges],
        }
    }

    /// Fields the action accepts besides the required ones.
    pub fn optional(self) -> &'static [Field] {
        use Field::*;
        match self {
            Action::Accept | Action::Adapt => &[
                OwnerId,
                Problem,
                Goal,
                KpiName,
                KpiUnit,
                KpiBaseline,
                KpiTarget,
                LowerIsBetter,
                DueDate,
                Prediction,
            ],
            Action::Start => &[KpiUnit, LowerIsBetter],
            Action::Check => &[Deviations],
            Action::Act => &[MeasuredHoursSavedPerYear, MeasuredCostSavedPerYear, Findings],
            Action::Withdraw => &[Reason],
            Action::Reject | Action::MarkDuplicate | Action::Adopt | Action::Abandon => &[],
        }
    }

    /// True for decisions about the idea's fate, which its authors never take themselves.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            Action::Accept | Action::Reject | Action::MarkDuplicate | Action::Adopt | Action::Adapt | Action::Abandon
        )
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A piece of stage data a transition can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    OwnerId,
    Problem,
    Goal,
    KpiName,
    KpiUnit,
    KpiBaseline,
    KpiTarget,
    LowerIsBetter,
    DueDate,
    Prediction,
    DoSummary,
    RanAsPlanned,
    Deviations,
    MeasuredValue,
    MeasuredHoursSavedPerYear,
    MeasuredCostSavedPerYear,
    Findings,
    NewStandard,
    NextCycleChanges,
    Reason,
    DuplicateOf,
}

impl Field {
    pub const ALL: [Field; 21] = [
        Field::OwnerId,
        Field::Problem,
        Field::Goal,
        Field::KpiName,
        Field::KpiUnit,
        Field::KpiBaseline,
        Field::KpiTarget,
        Field::LowerIsBetter,
        Field::DueDate,
        Field::Prediction,
        Field::DoSummary,
        Field::RanAsPlanned,
        Field::Deviations,
        Field::MeasuredValue,
        Field::MeasuredHoursSavedPerYear,
        Field::MeasuredCostSavedPerYear,
        Field::Findings,
        Field::NewStandard,
        Field::NextCycleChanges,
        Field::Reason,
        Field::DuplicateOf,
    ];

    /// The JSON name of the field in the transition request.
    pub fn name(self) -> &'static str {
        match self {
            Field::OwnerId => "owner_id",
            Field::Problem => "problem",
            Field::Goal => "goal",
            Field::KpiName => "kpi_name",
            Field::KpiUnit => "kpi_unit",
            Field::KpiBaseline => "kpi_baseline",
            Field::KpiTarget => "kpi_target",
            Field::LowerIsBetter => "lower_is_better",
            Field::DueDate => "due_date",
            Field::Prediction => "prediction",
            Field::DoSummary => "do_summary",
            Field::RanAsPlanned => "ran_as_planned",
            Field::Deviations => "deviations",
            Field::MeasuredValue => "measured_value",
            Field::MeasuredHoursSavedPerYear => "measured_hours_saved_per_year",
            Field::MeasuredCostSavedPerYear => "measured_cost_saved_per_year",
            Field::Findings => "findings",
            Field::NewStandard => "new_standard",
            Field::NextCycleChanges => "next_cycle_changes",
            Field::Reason => "reason",
            Field::DuplicateOf => "duplicate_of",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Field::OwnerId => "user who runs the pilot (id of an active user of the organisation)",
            Field::Problem => "the problem and its root cause",
            Field::Goal => "what the change should achieve",
            Field::KpiName => "the key figure that shows whether it worked",
            Field::KpiUnit => "unit of the key figure, e.g. minutes or %",
            Field::KpiBaseline => "the key figure's value before the change",
            Field::KpiTarget => "the value the change should reach",
            Field::LowerIsBetter => "true when a lower value of the key figure is better (default false)",
            Field::DueDate => "when the pilot should be measured (YYYY-MM-DD)",
            Field::Prediction => "what you expect to happen",
            Field::DoSummary => "what was done in the pilot",
            Field::RanAsPlanned => "whether the pilot ran as planned",
            Field::Deviations => "how the pilot deviated from the plan (required when ran_as_planned is false)",
            Field::MeasuredValue => "the key figure measured after the pilot; target_met is computed from it",
            Field::MeasuredHoursSavedPerYear => "working hours actually saved per year",
            Field::MeasuredCostSavedPerYear => "costs actually saved per year (EUR)",
            Field::Findings => "what was learned",
            Field::NewStandard => "the new standard: how the work is done from now on",
            Field::NextCycleChanges => "what changes in the next cycle",
            Field::Reason => "the written reason",
            Field::DuplicateOf => "id of the earlier idea this one duplicates",
        }
    }
}

/// The stage data of an idea's current cycle together with its idea-level decisions.
/// Used both for what is on record and for what a transition request sends.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageValues {
    pub owner_id: Option<String>,
    pub problem: Option<String>,
    pub goal: Option<String>,
    pub kpi_name: Option<String>,
    pub kpi_unit: Option<String>,
    pub kpi_baseline: Option<f64>,
    pub kpi_target: Option<f64>,
    pub lower_is_better: Option<bool>,
    pub due_date: Option<String>,
    pub prediction: Option<String>,
    pub do_summary: Option<String>,
    pub ran_as_planned: Option<bool>,
    pub deviations: Option<String>,
    pub measured_value: Option<f64>,
    pub measured_hours_saved_per_year: Option<f64>,
    pub measured_cost_saved_per_year: Option<f64>,
    pub findings: Option<String>,
    pub new_standard: Option<String>,
    pub next_cycle_changes: Option<String>,
    pub reason: Option<String>,
    pub duplicate_of: Option<String>,
}

impl StageValues {
    /// Whether the field holds a value.
    pub fn has(&self, field: Field) -> bool {
        match field {
            Field::OwnerId => self.owner_id.is_some(),
            Field::Problem => self.problem.is_some(),
            Field::Goal => self.goal.is_some(),
            Field::KpiName => self.kpi_name.is_some(),
            Field::KpiUnit => self.kpi_unit.is_some(),
            Field::KpiBaseline => self.kpi_baseline.is_some(),
            Field::KpiTarget => self.kpi_target.is_some(),
            Field::LowerIsBetter => self.lower_is_better.is_some(),
            Field::DueDate => self.due_date.is_some(),
            Field::Prediction => self.prediction.is_some(),
            Field::DoSummary => self.do_summary.is_some(),
            Field::RanAsPlanned => self.ran_as_planned.is_some(),
            Field::Deviations => self.deviations.is_some(),
            Field::MeasuredValue => self.measured_value.is_some(),
            Field::MeasuredHoursSavedPerYear => self.measured_hours_saved_per_year.is_some(),
            Field::MeasuredCostSavedPerYear => self.measured_cost_saved_per_year.is_some(),
            Field::Findings => self.findings.is_some(),
            Field::NewStandard => self.new_standard.is_some(),
            Field::NextCycleChanges => self.next_cycle_changes.is_some(),
            Field::Reason => self.reason.is_some(),
            Field::DuplicateOf => self.duplicate_of.is_some(),
        }
    }

    /// The fields that hold a value.
    pub fn present(&self) -> Vec<Field> {
        Field::ALL.into_iter().filter(|f| self.has(*f)).collect()
    }

    /// `self` with every value `newer` holds written over it.
    pub fn overlaid(&self, newer: &StageValues) -> StageValues {
        fn pick<T: Clone>(new: &Option<T>, old: &Option<T>) -> Option<T> {
            new.clone().or_else(|| old.clone())
        }
        StageValues {
            owner_id: pick(&newer.owner_id, &self.owner_id),
            problem: pick(&newer.problem, &self.problem),
            goal: pick(&newer.goal, &self.goal),
            kpi_name: pick(&newer.kpi_name, &self.kpi_name),
            kpi_unit: pick(&newer.kpi_unit, &self.kpi_unit),
            kpi_baseline: pick(&newer.kpi_baseline, &self.kpi_baseline),
            kpi_target: pick(&newer.kpi_target, &self.kpi_target),
            lower_is_better: pick(&newer.lower_is_better, &self.lower_is_better),
            due_date: pick(&newer.due_date, &self.due_date),
            prediction: pick(&newer.prediction, &self.prediction),
            do_summary: pick(&newer.do_summary, &self.do_summary),
            ran_as_planned: pick(&newer.ran_as_planned, &self.ran_as_planned),
            deviations: pick(&newer.deviations, &self.deviations),
            measured_value: pick(&newer.measured_value, &self.measured_value),
            measured_hours_saved_per_year: pick(
                &newer.measured_hours_saved_per_year,
                &self.measured_hours_saved_per_year,
            ),
            measured_cost_saved_per_year: pick(&newer.measured_cost_saved_per_year, &self.measured_cost_saved_per_year),
            findings: pick(&newer.findings, &self.findings),
            new_standard: pick(&newer.new_standard, &self.new_standard),
            next_cycle_changes: pick(&newer.next_cycle_changes, &self.next_cycle_changes),
            reason: pick(&newer.reason, &self.reason),
            duplicate_of: pick(&newer.duplicate_of, &self.duplicate_of),
        }
    }

    /// What a new cycle starts with after `adapt`: what the improvement is about and
    /// who runs it carry over; the numbers, dates and results must be planned afresh.
    fn carried_into_next_cycle(&self) -> StageValues {
        StageValues {
            owner_id: self.owner_id.clone(),
            problem: self.problem.clone(),
            goal: self.goal.clone(),
            kpi_name: self.kpi_name.clone(),
            kpi_unit: self.kpi_unit.clone(),
            lower_is_better: self.lower_is_better,
            ..StageValues::default()
        }
    }
}

/// How a cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CycleOutcome)]
pub enum Outcome {
    Adopted,
    Adapted,
    Abandoned,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Adopted => "adopted",
            Outcome::Adapted => "adapted",
            Outcome::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Adopted, Outcome::Adapted, Outcome::Abandoned]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// The result of Check, computed from the plan and the measured value, never typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    pub target_met: bool,
    /// Improvement relative to the baseline (0.25 = 25 % better, negative = worse), in
    /// the KPI's direction; `None` when the baseline is 0 and a ratio means nothing.
    pub relative_improvement: Option<f64>,
}

/// Compares the measured value with baseline and target in the KPI's direction.
pub fn measure(baseline: f64, target: f64, measured: f64, lower_is_better: bool) -> Measurement {
    let target_met = if lower_is_better {
        measured <= target
    } else {
        measured >= target
    };
    let relative_improvement = (baseline != 0.0).then(|| {
        let change = (measured - baseline) / baseline.abs();
        if lower_is_better { -change } else { change }
    });
    Measurement {
        target_met,
        relative_improvement,
    }
}

/// Who is asking, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// The idea's unit is the caller's unit or lies below it.
    pub unit_in_scope: bool,
    /// The caller is the idea's author or one of its co-authors.
    pub authored: bool,
    /// The caller owns the idea's pilot.
    pub is_owner: bool,
}

impl Actor {
    /// Managers review organisation-wide, leads within their unit sub-tree.
    pub fn reviews(&self) -> bool {
        self.role.at_least(Role::Manager) || (self.role == Role::Lead && self.unit_in_scope)
    }
}

/// Whether `actor` may take `action`; the error is the reason, for a 403.
pub fn permission(action: Action, actor: &Actor) -> Result<(), String> {
    let not_reviewer = || {
        if actor.role == Role::Employee {
            "employees may not move ideas through the lifecycle".to_owned()
        } else {
            "the idea belongs to a unit outside your unit and its sub-units".to_owned()
        }
    };
    match action {
        Action::Withdraw => {
            if actor.authored {
                Ok(())
            } else {
                Err("only the idea's authors may withdraw it".into())
            }
        }
        Action::Check | Action::Act => {
            if actor.is_owner || actor.reviews() {
                Ok(())
            } else if actor.role == Role::Employee {
                Err("only the idea's owner or a reviewer may record this step".into())
            } else {
                Err(not_reviewer())
            }
        }
        Action::Start => {
            if actor.reviews() {
                Ok(())
            } else {
                Err(not_reviewer())
            }
        }
        decision => {
            debug_assert!(decision.is_decision());
            if !actor.reviews() {
                Err(not_reviewer())
            } else if actor.authored {
                Err(format!(
                    "you authored or co-authored this idea, so you may not {} it; another reviewer decides",
                    decision.verb()
                ))
            } else {
                Ok(())
            }
        }
    }
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::MarkDuplicate => "mark as duplicate",
            other => other.as_str(),
        }
    }
}

/// The actions `actor` may take on an idea in `status` now.
pub fn available(status: Status, actor: &Actor) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| a.from().contains(&status) && permission(*a, actor).is_ok())
        .collect()
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum TransitionError {
    /// The action does not start from the idea's state (409).
    WrongState { action: Action, status: Status },
    /// The caller may not take it (403).
    Forbidden(String),
    /// Evidence is missing or invalid, one entry per field (422).
    Invalid(Vec<(String, String)>),
}

/// What a transition changes, for the store to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub action: Action,
    pub to: Status,
    /// The current cycle's data and idea-level decisions after the step.
    pub values: StageValues,
    /// Set by `act`.
    pub measurement: Option<Measurement>,
    /// Set when the step ends the current cycle.
    pub outcome: Option<Outcome>,
    /// `accept` opens the first cycle with `values`.
    pub opens_first_cycle: bool,
    /// `adapt` opens the next cycle with these values.
    pub next_cycle: Option<StageValues>,
}

/// Checks the state, the caller and the evidence, and works out the step's effect.
/// `record` is what is on record for the current cycle (empty before Plan).
pub fn apply(
    status: Status,
    record: &StageValues,
    action: Action,
    input: &StageValues,
    actor: &Actor,
) -> Result<Applied, TransitionError> {
    if !action.from().contains(&status) {
        return Err(TransitionError::WrongState { action, status });
    }
    permission(action, actor).map_err(TransitionError::Forbidden)?;

    let mut errors: Vec<(String, String)> = Vec::new();
    for field in input.present() {
        if !action.required().contains(&field) && !action.optional().contains(&field) {
            errors.push((field.name().into(), format!("is not part of the {action} transition")));
        }
    }

    // Adapt sends the plan for the next cycle; every other step adds to the current one.
    let (values, next_cycle) = if action == Action::Adapt {
        let plan_input = StageValues {
            next_cycle_changes: None,
            ..input.clone()
        };
        let next = record.carried_into_next_cycle().overlaid(&plan_input);
        let closing = record.overlaid(&StageValues {
            next_cycle_changes: input.next_cycle_changes.clone(),
            ..StageValues::default()
        });
        (closing, Some(next))
    } else {
        (record.overlaid(input), None)
    };

    for field in action.required() {
        let on_record = if action == Action::Adapt && *field == Field::NextCycleChanges {
            input.has(*field)
        } else {
            values.has(*field)
        };
        if !on_record {
            errors.push((field.name().into(), format!("is required to {}", action.verb())));
        }
    }

    let mut measurement = None;
    match action {
        Action::Start => {
            if let (Some(baseline), Some(target)) = (values.kpi_baseline, values.kpi_target) {
                let lower = values.lower_is_better.unwrap_or(false);
                if lower && target >= baseline {
                    errors.push((
                        Field::KpiTarget.name().into(),
                        "must be below the baseline, since a lower value is better".into(),
                    ));
                } else if !lower && target <= baseline {
                    errors.push((
                        Field::KpiTarget.name().into(),
                        "must be above the baseline (send lower_is_better: true when a lower value is better)".into(),
                    ));
                }
            }
        }
        Action::Check if values.ran_as_planned == Some(false) && values.deviations.is_none() => {
            errors.push((
                Field::Deviations.name().into(),
                "is required when the pilot did not run as planned".into(),
            ));
        }
        Action::Act => match (values.kpi_baseline, values.kpi_target, values.measured_value) {
            (Some(baseline), Some(target), Some(measured)) => {
                measurement = Some(measure(
                    baseline,
                    target,
                    measured,
                    values.lower_is_better.unwrap_or(false),
                ));
            }
            (None, _, _) | (_, None, _) => errors.push((
                Field::KpiBaseline.name().into(),
                "no baseline and target were recorded in Plan".into(),
            )),
            _ => {}
        },
        _ => {}
    }

    if !errors.is_empty() {
        return Err(TransitionError::Invalid(errors));
    }
    let outcome = match action {
        Action::Adopt => Some(Outcome::Adopted),
        Action::Adapt => Some(Outcome::Adapted),
        Action::Abandon => Some(Outcome::Abandoned),
        _ => None,
    };
    Ok(Applied {
        action,
        to: action.to(),
        values,
        measurement,
        outcome,
        opens_first_cycle: action == Action::Accept,
        next_cycle,
    })
}

/// One field a transition takes, with whether it is already on record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNeed {
    pub field: Field,
    pub required: bool,
    pub on_record: bool,
}

/// The fields `action` takes, given what is on record now.
pub fn field_needs(action: Action, record: &StageValues) -> Vec<FieldNeed> {
    let on_record = |f: Field| {
        // Adapt's plan fields are for the next cycle and its reason is new each time.
        match action {
            Action::Adapt => f != Field::NextCycleChanges && record.carried_into_next_cycle().has(f),
            _ => record.has(f),
        }
    };
    action
        .required()
        .iter()
        .map(|f| FieldNeed {
            field: *f,
            required: true,
            on_record: on_record(*f),
        })
        .chain(action.optional().iter().map(|f| FieldNeed {
            field: *f,
            required: false,
            on_record: on_record(*f),
        }))
        .collect()
}

/// The earlier submission wins: an idea may only be marked a duplicate of one submitted
/// before it. Ideas are ordered by (creation time, id); ids are time-ordered too.
pub fn check_duplicate_target(
    idea: (&chrono::NaiveDateTime, &str),
    target: (&chrono::NaiveDateTime, &str),
    target_duplicate_of: Option<&str>,
) -> Result<(), String> {
    if idea.1 == target.1 {
        return Err("an idea cannot duplicate itself".into());
    }
    if target > idea {
        return Err(
            "was submitted later than this idea; the earlier submission wins, so mark the later one instead".into(),
        );
    }
    if let Some(original) = target_duplicate_of {
        return Err(format!(
            "is itself a duplicate of {original}; link to that idea instead"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            unit_in_scope: true,
            authored: false,
            is_owner: false,
        }
    }

    fn plan() -> StageValues {
        StageValues {
            owner_id: Some("u-owner".into()),
            problem: Some("Long queues".into()),
            goal: Some("Shorter waits".into()),
            kpi_name: Some("Waiting time".into()),
            kpi_unit: Some("min".into()),
            kpi_baseline: Some(40.0),
            kpi_target: Some(20.0),
            lower_is_better: Some(true),
            due_date: Some("2027-03-31".into()),
            prediction: Some("Halved".into()),
            ..StageValues::default()
        }
    }

    fn fields(err: TransitionError) -> Vec<String> {
        match err {
            TransitionError::Invalid(e) => e.into_iter().map(|(f, _)| f).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn statuses_and_actions_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Status::parse("doing"), None);
    }

    #[test]
    fn the_state_machine_is_the_designs() {
        let edges: Vec<(Status, Status)> = Action::ALL
            .iter()
            .flat_map(|a| a.from().iter().map(move |f| (*f, a.to())))
            .collect();
        use Status::*;
        for edge in [
            (Submitted, Plan),
            (Submitted, Rejected),
            (Submitted, Withdrawn),
            (Plan, Do),
            (Do, Check),
            (Check, Act),
            (Act, Done),
            (Act, Plan),
            (Plan, Abandoned),
            (Do, Abandoned),
            (Check, Abandoned),
            (Act, Abandoned),
        ] {
            assert!(edges.contains(&edge), "{edge:?} missing");
        }
        // Nothing leaves a final state, and nothing skips a stage.
        for s in [Done, Rejected, Withdrawn, Abandoned] {
            assert!(Action::ALL.iter().all(|a| !a.from().contains(&s)), "{s} is final");
        }
        assert!(!edges.contains(&(Plan, Check)));
        assert!(!edges.contains(&(Submitted, Do)));
        assert!(!edges.contains(&(Do, Done)));
    }

    #[test]
    fn wrong_state_is_refused_before_anything_else() {
        let err = apply(
            Status::Do,
            &plan(),
            Action::Accept,
            &StageValues::default(),
            &actor(Role::Employee),
        );
        assert_eq!(
            err,
            Err(TransitionError::WrongState {
                action: Action::Accept,
                status: Status::Do
            })
        );
    }

    #[test]
    fn start_names_every_missing_plan_field() {
        let err = apply(
            Status::Plan,
            &StageValues {
                goal: Some("g".into()),
                ..Default::default()
            },
            Action::Start,
            &StageValues {
                kpi_name: Some("k".into()),
                ..Default::default()
            },
            &actor(Role::Manager),
        )
        .unwrap_err();
        assert_eq!(
            fields(err),
            vec![
                "owner_id",
                "problem",
                "kpi_baseline",
                "kpi_target",
                "due_date",
                "prediction"
            ]
        );
    }

    #[test]
    fn recorded_plan_and_sent_fields_together_pass_the_gate() {
        let record = StageValues {
            kpi_baseline: None,
            ..plan()
        };
        let input = StageValues {
            kpi_baseline: Some(45.0),
            ..Default::default()
        };
        let done = apply(Status::Plan, &record, Action::Start, &input, &actor(Role::Lead)).unwrap();
        assert_eq!(done.to, Status::Do);
        assert_eq!(done.values.kpi_baseline, Some(45.0));
        assert_eq!(done.values.goal.as_deref(), Some("Shorter waits"));
    }

    #[test]
    fn target_must_point_in_the_kpis_direction() {
        let wrong_way = StageValues {
            kpi_target: Some(50.0),
            ..plan()
        };
        let err = apply(
            Status::Plan,
            &wrong_way,
            Action::Start,
            &StageValues::default(),
            &actor(Role::Lead),
        );
        assert_eq!(fields(err.unwrap_err()), vec!["kpi_target"]);
        let higher = StageValues {
            lower_is_better: Some(false),
            kpi_target: Some(20.0),
            ..plan()
        };
        let err = apply(
            Status::Plan,
            &higher,
            Action::Start,
            &StageValues::default(),
            &actor(Role::Lead),
        );
        assert_eq!(fields(err.unwrap_err()), vec!["kpi_target"]);
    }

    #[test]
    fn fields_of_other_steps_are_refused() {
        let err = apply(
            Status::Do,
            &plan(),
            Action::Check,
            &StageValues {
                do_summary: Some("did it".into()),
                ran_as_planned: Some(true),
                new_standard: Some("early".into()),
                ..Default::default()
            },
            &actor(Role::Lead),
        );
        assert_eq!(fields(err.unwrap_err()), vec!["new_standard"]);
    }

    #[test]
    fn deviations_are_required_when_the_pilot_did_not_run_as_planned() {
        let input = StageValues {
            do_summary: Some("two weeks instead of four".into()),
            ran_as_planned: Some(false),
            ..Default::default()
        };
        let err = apply(Status::Do, &plan(), Action::Check, &input, &actor(Role::Lead));
        assert_eq!(fields(err.unwrap_err()), vec!["deviations"]);
        let ok = StageValues {
            deviations: Some("shorter".into()),
            ..input
        };
        assert!(apply(Status::Do, &plan(), Action::Check, &ok, &actor(Role::Lead)).is_ok());
    }

    #[test]
    fn act_computes_the_measurement() {
        let input = StageValues {
            measured_value: Some(18.0),
            ..Default::default()
        };
        let done = apply(Status::Check, &plan(), Action::Act, &input, &actor(Role::Lead)).unwrap();
        let m = done.measurement.unwrap();
        assert!(m.target_met);
        assert!((m.relative_improvement.unwrap() - 0.55).abs() < 1e-9);
        let missing = apply(
            Status::Check,
            &plan(),
            Action::Act,
            &StageValues::default(),
            &actor(Role::Lead),
        );
        assert_eq!(fields(missing.unwrap_err()), vec!["measured_value"]);
    }

    #[test]
    fn measurement_respects_the_direction() {
        // Lower is better: 40 -> 30 with target 20 improved 25 % but missed the target.
        let m = measure(40.0, 20.0, 30.0, true);
        assert!(!m.target_met);
        assert!((m.relative_improvement.unwrap() - 0.25).abs() < 1e-9);
        // Higher is better: 50 -> 60 with target 60 met it exactly, +20 %.
        let m = measure(50.0, 60.0, 60.0, false);
        assert!(m.target_met);
        assert!((m.relative_improvement.unwrap() - 0.2).abs() < 1e-9);
        // Getting worse is a negative improvement in either direction.
        assert!(measure(40.0, 20.0, 50.0, true).relative_improvement.unwrap() < 0.0);
        assert!(measure(50.0, 60.0, 40.0, false).relative_improvement.unwrap() < 0.0);
        // A zero baseline gives no ratio; a negative one still reads in the right direction.
        assert_eq!(measure(0.0, 5.0, 6.0, false).relative_improvement, None);
        assert!(measure(-10.0, -5.0, -5.0, false).relative_improvement.unwrap() > 0.0);
    }

    #[test]
    fn adapt_closes_the_cycle_and_carries_the_subject_only() {
        let record = StageValues {
            do_summary: Some("did".into()),
            ran_as_planned: Some(true),
            measured_value: Some(30.0),
            ..plan()
        };
        let input = StageValues {
            next_cycle_changes: Some("second counter".into()),
            kpi_baseline: Some(30.0),
            ..Default::default()
        };
        let done = apply(Status::Act, &record, Action::Adapt, &input, &actor(Role::Manager)).unwrap();
        assert_eq!(done.to, Status::Plan);
        assert_eq!(done.outcome, Some(Outcome::Adapted));
        assert_eq!(done.values.next_cycle_changes.as_deref(), Some("second counter"));
        assert_eq!(done.values.kpi_baseline, Some(40.0), "the closed cycle keeps its plan");
        let next = done.next_cycle.unwrap();
        assert_eq!(next.goal.as_deref(), Some("Shorter waits"));
        assert_eq!(next.owner_id.as_deref(), Some("u-owner"));
        assert_eq!(next.kpi_baseline, Some(30.0));
        assert_eq!(next.kpi_target, None);
        assert_eq!(next.measured_value, None);
        assert_eq!(next.next_cycle_changes, None);
    }

    #[test]
    fn adapt_needs_its_own_reason_each_cycle() {
        let record = StageValues {
            next_cycle_changes: Some("from the last cycle".into()),
            ..plan()
        };
        let err = apply(
            Status::Act,
            &record,
            Action::Adapt,
            &StageValues::default(),
            &actor(Role::Lead),
        );
        assert_eq!(fields(err.unwrap_err()), vec!["next_cycle_changes"]);
    }

    #[test]
    fn decisions_need_reasons() {
        for action in [Action::Reject, Action::Abandon] {
            let from = action.from()[0];
            let err = apply(
                from,
                &StageValues::default(),
                action,
                &StageValues::default(),
                &actor(Role::Lead),
            );
            assert_eq!(fields(err.unwrap_err()), vec!["reason"]);
        }
        let err = apply(
            Status::Submitted,
            &StageValues::default(),
            Action::MarkDuplicate,
            &StageValues::default(),
            &actor(Role::Lead),
        );
        assert_eq!(fields(err.unwrap_err()), vec!["duplicate_of", "reason"]);
        let adopt = apply(
            Status::Act,
            &plan(),
            Action::Adopt,
            &StageValues::default(),
            &actor(Role::Lead),
        );
        assert_eq!(fields(adopt.unwrap_err()), vec!["new_standard"]);
    }

    #[test]
    fn who_may() {
        let employee = actor(Role::Employee);
        let lead_elsewhere = Actor {
            unit_in_scope: false,
            ..actor(Role::Lead)
        };
        let manager_elsewhere = Actor {
            unit_in_scope: false,
            ..actor(Role::Manager)
        };
        let author_lead = Actor {
            authored: true,
            ..actor(Role::Lead)
        };
        let owner = Actor {
            is_owner: true,
            ..employee
        };
        for a in [Action::Accept, Action::Start, Action::Check, Action::Adopt] {
            assert!(permission(a, &employee).is_err(), "employee {a}");
            assert!(permission(a, &lead_elsewhere).is_err(), "lead elsewhere {a}");
            assert!(permission(a, &manager_elsewhere).is_ok(), "manager {a}");
            assert!(permission(a, &actor(Role::Admin)).is_ok(), "admin {a}");
        }
        for a in Action::ALL.into_iter().filter(|a| a.is_decision()) {
            let reason = permission(a, &author_lead).unwrap_err();
            assert!(reason.contains("authored"), "{reason}");
            assert!(permission(a, &owner).is_err());
        }
        // The owner runs the pilot; an author-lead may still start and record steps.
        assert!(permission(Action::Check, &owner).is_ok());
        assert!(permission(Action::Act, &owner).is_ok());
        assert!(permission(Action::Start, &owner).is_err());
        assert!(permission(Action::Start, &author_lead).is_ok());
        // Only authors withdraw; a reviewer cannot withdraw for them.
        assert!(
            permission(
                Action::Withdraw,
                &Actor {
                    authored: true,
                    ..employee
                }
            )
            .is_ok()
        );
        assert!(permission(Action::Withdraw, &actor(Role::Manager)).is_err());
        assert!(permission(Action::Accept, &employee).unwrap_err().contains("employees"));
        assert!(
            permission(Action::Accept, &lead_elsewhere)
                .unwrap_err()
                .contains("outside your unit")
        );
    }

    #[test]
    fn available_lists_what_the_caller_may_do_now() {
        let author = Actor {
            authored: true,
            ..actor(Role::Employee)
        };
        assert_eq!(available(Status::Submitted, &author), vec![Action::Withdraw]);
        assert_eq!(
            available(Status::Submitted, &actor(Role::Lead)),
            vec![Action::Accept, Action::Reject, Action::MarkDuplicate]
        );
        assert_eq!(
            available(Status::Act, &actor(Role::Manager)),
            vec![Action::Adopt, Action::Adapt, Action::Abandon]
        );
        let owner = Actor {
            is_owner: true,
            ..actor(Role::Employee)
        };
        assert_eq!(available(Status::Do, &owner), vec![Action::Check]);
        assert!(available(Status::Done, &actor(Role::Admin)).is_empty());
    }

    #[test]
    fn field_needs_show_what_is_still_missing() {
        let record = StageValues {
            goal: Some("g".into()),
            ..Default::default()
        };
        let needs = field_needs(Action::Start, &record);
        let goal = needs.iter().find(|n| n.field == Field::Goal).unwrap();
        assert!(goal.required && goal.on_record);
        let baseline = needs.iter().find(|n| n.field == Field::KpiBaseline).unwrap();
        assert!(baseline.required && !baseline.on_record);
        assert!(needs.iter().any(|n| n.field == Field::KpiUnit && !n.required));
        // Adapt: the plan numbers of the closing cycle do not count for the next one.
        let needs = field_needs(Action::Adapt, &plan());
        assert!(needs.iter().any(|n| n.field == Field::KpiTarget && !n.on_record));
        assert!(needs.iter().any(|n| n.field == Field::Goal && n.on_record));
    }

    #[test]
    fn the_earlier_submission_wins() {
        let t = |d| {
            NaiveDate::from_ymd_opt(2026, 11, d)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
        };
        let (early, late) = (t(1), t(2));
        assert!(check_duplicate_target((&late, "b"), (&early, "a"), None).is_ok());
        assert!(
            check_duplicate_target((&early, "a"), (&late, "b"), None)
                .unwrap_err()
                .contains("earlier submission wins")
        );
        assert!(check_duplicate_target((&early, "a"), (&early, "a"), None).is_err());
        // Same instant: the id decides.
        assert!(check_duplicate_target((&early, "b"), (&early, "a"), None).is_ok());
        assert!(check_duplicate_target((&early, "a"), (&early, "b"), None).is_err());
        assert!(check_duplicate_target((&late, "b"), (&early, "a"), Some("z")).is_err());
    }
}
