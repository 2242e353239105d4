//! Demo ideas: the believable scenario (which idea went how far, and when) and the bulk
//! generator, both turned into lives by `lifecycle::live`, with votes and comments.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};

use crate::demo::clock::{Clock, id_at};
use crate::demo::lifecycle::{self, Caller, DuplicateTarget, Life, Step, Submission};
use crate::demo::people::Person;
use crate::demo::rows::{CoAuthorRow, CommentRow, IdeaDimensionRow, VoteRow};
use crate::demo::texts::{self, IdeaText};
use crate::domain::pdca::{Action, StageValues, Status};
use crate::domain::roles::Role;
use crate::domain::unit_tree::UnitTree;

/// Where an idea's life ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Submitted,
    Plan,
    Do,
    Check,
    Act,
    Done,
    Rejected,
    /// Marked as a duplicate of the idea at this position of the scenario.
    Duplicate(usize),
    Withdrawn,
    /// Abandoned while in this stage.
    Abandoned(Status),
    /// Adapted after a first cycle that missed its target; now in this status of cycle 2.
    SecondCycle(Status),
}

impl Fate {
    /// The actions of the life, in order.
    pub fn actions(self) -> Vec<Action> {
        use Action::*;
        let through = |s: Status| -> Vec<Action> {
            match s {
                Status::Plan => vec![],
                Status::Do => vec![Start],
                Status::Check => vec![Start, Check],
                Status::Act => vec![Start, Check, Act],
                _ => vec![Start, Check, Act, Adopt],
            }
        };
        match self {
            Fate::Submitted => vec![],
            Fate::Rejected => vec![Reject],
            Fate::Duplicate(_) => vec![MarkDuplicate],
            Fate::Withdrawn => vec![Withdraw],
            Fate::Plan | Fate::Do | Fate::Check | Fate::Act | Fate::Done => {
                let end = match self {
                    Fate::Plan => Status::Plan,
                    Fate::Do => Status::Do,
                    Fate::Check => Status::Check,
                    Fate::Act => Status::Act,
                    _ => Status::Done,
                };
                let mut v = vec![Accept];
                v.extend(through(end));
                v
            }
            Fate::Abandoned(stage) => {
                let mut v = vec![Accept];
                v.extend(through(stage));
                v.push(Abandon);
                v
            }
            Fate::SecondCycle(end) => {
                let mut v = vec![Accept, Start, Check, Act, Adapt];
                v.extend(through(end));
                v
            }
        }
    }

    /// True when the idea is still moving (its stage time keeps running).
    pub fn open(self) -> bool {
        matches!(self, Fate::Submitted | Fate::Plan | Fate::Do | Fate::Check | Fate::Act)
            || matches!(self, Fate::SecondCycle(s) if s != Status::Done)
    }
}

/// Who submits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Employee,
    Lead,
    Manager,
    /// Anonymously, under this code word of `texts::CODE_WORDS`.
    Anonymous(usize),
    /// With this many co-authors from the same unit.
    Group(usize),
}

/// One idea of the believable scenario: a text of `texts::IDEAS`, its fate, how many days
/// ago its last step was taken, and who wrote it.
pub struct Scene {
    pub text: usize,
    pub fate: Fate,
    pub anchor: i64,
    pub author: Author,
}

const fn scene(text: usize, fate: Fate, anchor: i64, author: Author) -> Scene {
    Scene {
        text,
        fate,
        anchor,
        author,
    }
}

use Author::Employee as E;
use Author::{Anonymous, Group, Lead as ByLead, Manager as ByManager};

/// The believable demo. Rounds close about 394, 212 and 30 days ago: ideas adopted
/// between the second and third round lean on leadership, error culture and knowledge
/// sharing (the dimensions that improve); motivation ideas are rejected or stuck (it
/// declines); experimentation and learning-impact ideas are still running (flat).
pub const SCENARIO: [Scene; 68] = [
    scene(0, Fate::SecondCycle(Status::Do), 40, E),
    scene(1, Fate::Done, 330, E),
    scene(2, Fate::Done, 190, Group(2)),
    scene(3, Fate::Done, 170, E),
    scene(4, Fate::Plan, 12, E),
    scene(5, Fate::Act, 5, E),
    scene(6, Fate::Submitted, 4, E),
    scene(7, Fate::Rejected, 140, Anonymous(0)),
    scene(8, Fate::Done, 290, E),
    scene(9, Fate::Do, 35, E),
    scene(10, Fate::SecondCycle(Status::Done), 100, E),
    scene(11, Fate::Plan, 64, E),
    scene(12, Fate::SecondCycle(Status::Check), 10, E),
    scene(13, Fate::Submitted, 45, Anonymous(1)),
    scene(14, Fate::Done, 235, E),
    scene(15, Fate::Done, 80, E),
    scene(16, Fate::Abandoned(Status::Do), 160, E),
    scene(17, Fate::Do, 90, E),
    scene(18, Fate::Withdrawn, 260, Anonymous(2)),
    scene(19, Fate::Act, 9, E),
    scene(20, Fate::SecondCycle(Status::Plan), 70, Group(2)),
    scene(21, Fate::Check, 12, E),
    scene(22, Fate::Done, 65, E),
    scene(23, Fate::Rejected, 100, E),
    scene(24, Fate::Check, 6, E),
    scene(25, Fate::Abandoned(Status::Plan), 300, E),
    scene(26, Fate::Done, 75, E),
    scene(27, Fate::Submitted, 11, E),
    scene(28, Fate::Done, 12, E),
    scene(29, Fate::Do, 28, E),
    scene(30, Fate::Plan, 48, E),
    scene(31, Fate::Done, 140, Group(1)),
    scene(32, Fate::Check, 17, E),
    scene(33, Fate::Abandoned(Status::Do), 70, E),
    scene(34, Fate::Abandoned(Status::Check), 90, E),
    scene(35, Fate::Done, 20, E),
    scene(36, Fate::Done, 150, ByLead),
    scene(37, Fate::Submitted, 2, E),
    scene(38, Fate::Do, 55, E),
    scene(39, Fate::Done, 50, E),
    scene(40, Fate::Done, 120, ByManager),
    scene(41, Fate::Rejected, 60, E),
    scene(42, Fate::Rejected, 45, E),
    scene(43, Fate::SecondCycle(Status::Done), 25, E),
    scene(44, Fate::Done, 110, E),
    scene(45, Fate::Done, 95, Group(1)),
    scene(46, Fate::Do, 14, E),
    scene(47, Fate::Submitted, 19, E),
    scene(48, Fate::Do, 8, E),
    scene(49, Fate::Submitted, 7, E),
    scene(50, Fate::SecondCycle(Status::Act), 6, E),
    scene(51, Fate::Check, 40, E),
    scene(52, Fate::Done, 45, E),
    scene(53, Fate::Abandoned(Status::Act), 130, Anonymous(3)),
    scene(54, Fate::Act, 3, E),
    scene(55, Fate::Check, 20, Group(1)),
    scene(56, Fate::Do, 21, E),
    scene(57, Fate::Withdrawn, 75, E),
    scene(58, Fate::Done, 250, ByManager),
    scene(59, Fate::Plan, 9, E),
    scene(60, Fate::Withdrawn, 180, ByLead),
    scene(61, Fate::Submitted, 1, E),
    scene(62, Fate::Plan, 15, E),
    scene(63, Fate::Rejected, 200, E),
    scene(64, Fate::Submitted, 33, E),
    scene(65, Fate::Submitted, 6, E),
    scene(66, Fate::Duplicate(0), 20, E),
    scene(67, Fate::Duplicate(43), 60, E),
];

/// Everything one idea adds to the database.
#[derive(Debug)]
pub struct Generated {
    pub life: Life,
    pub dimensions: Vec<IdeaDimensionRow>,
    pub co_authors: Vec<CoAuthorRow>,
    pub votes: Vec<VoteRow>,
    pub comments: Vec<CommentRow>,
}

/// What the generators need to know of the organisation.
pub struct World<'a> {
    pub org_id: &'a str,
    pub clock: Clock,
    pub tree: &'a UnitTree,
    pub people: &'a [Person],
    /// Unit id by plan key.
    pub unit_ids: &'a [(&'static str, String)],
    /// No idea was submitted earlier than this many days ago.
    pub earliest: i64,
    /// Dimension keys of the current questionnaire: links to others are dropped.
    pub dimension_keys: &'a [String],
    /// Positions in `people` by unit key and role, so bulk generation does not scan
    /// thousands of people for every idea.
    by_unit: HashMap<(&'static str, Role), Vec<usize>>,
    /// The people who vote and comment on others' ideas in the believable demo.
    engaged: Vec<&'a Person>,
    everyone: Vec<&'a Person>,
    /// Factor on the bulk ideas' votes (1: about five per idea).
    vote_scale: f64,
}

impl<'a> World<'a> {
    pub fn new(
        org_id: &'a str,
        clock: Clock,
        tree: &'a UnitTree,
        people: &'a [Person],
        unit_ids: &'a [(&'static str, String)],
        earliest: i64,
        dimension_keys: &'a [String],
    ) -> Self {
        let mut by_unit: HashMap<(&'static str, Role), Vec<usize>> = HashMap::new();
        for (i, p) in people.iter().enumerate() {
            by_unit.entry((p.unit_key, p.role)).or_default().push(i);
        }
        Self {
            org_id,
            clock,
            tree,
            people,
            unit_ids,
            earliest,
            dimension_keys,
            by_unit,
            engaged: Vec::new(),
            everyone: people.iter().collect(),
            vote_scale: 1.0,
        }
    }

    /// Sets who votes and comments in the believable demo (positions in `people`).
    pub fn with_engaged(mut self, engaged: &[usize]) -> Self {
        self.engaged = engaged.iter().filter_map(|i| self.people.get(*i)).collect();
        self
    }

    /// Scales the bulk ideas' votes by `factor` (the believable scenario keeps its own).
    pub fn with_vote_scale(mut self, factor: f64) -> Self {
        self.vote_scale = factor;
        self
    }

    /// Who votes and comments: the engaged part of the staff in the believable demo,
    /// anyone in the bulk data.
    fn crowd(&self, lively: bool) -> &[&'a Person] {
        if lively && !self.engaged.is_empty() {
            &self.engaged
        } else {
            &self.everyone
        }
    }

    fn unit_id(&self, key: &str) -> String {
        self.unit_ids
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    }

    fn unit_key(&self, id: &str) -> Option<&'static str> {
        self.unit_ids.iter().find(|(_, i)| i == id).map(|(k, _)| *k)
    }

    fn members(&self, key: &str, role: Role) -> Vec<&Person> {
        self.unit_ids
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(k, _)| self.by_unit.get(&(*k, role)))
            .map(|ix| ix.iter().map(|i| &self.people[*i]).collect())
            .unwrap_or_default()
    }

    fn managers(&self) -> Vec<&Person> {
        self.people.iter().filter(|p| p.role == Role::Manager).collect()
    }

    /// Who reviews an idea of `unit_key` without having written it: the unit's lead, else
    /// the lead above, else a manager.
    fn reviewer(&self, unit_key: &str, authors: &[&str]) -> Option<&Person> {
        let unit_id = self.unit_id(unit_key);
        let mut unit = Some(unit_id.as_str());
        while let Some(u) = unit {
            let leads = self
                .unit_key(u)
                .map(|k| self.members(k, Role::Lead))
                .unwrap_or_default();
            if let Some(lead) = leads.into_iter().find(|p| !authors.contains(&p.id.as_str())) {
                return Some(lead);
            }
            unit = self.tree.parent_of(u);
        }
        self.managers().into_iter().find(|m| !authors.contains(&m.id.as_str()))
    }
}

fn caller(p: &Person) -> Caller {
    Caller {
        id: p.id.clone(),
        role: p.role,
        unit_id: Some(p.unit_id.clone()),
    }
}

/// Days an idea typically spends in a stage before the step that leaves it.
fn stage_days<R: Rng + ?Sized>(stage: Status, rng: &mut R) -> i64 {
    match stage {
        Status::Submitted => rng.random_range(2..=18),
        Status::Plan => rng.random_range(6..=28),
        Status::Do => rng.random_range(18..=60),
        Status::Check => rng.random_range(5..=18),
        _ => rng.random_range(3..=12),
    }
}

/// Days ago of the submission and of each step: the last step (or the submission) on the
/// anchor day, each earlier one a stage's time before, all on working days, never before
/// `earliest`.
fn schedule<R: Rng + ?Sized>(clock: &Clock, actions: &[Action], anchor: i64, earliest: i64, rng: &mut R) -> Vec<i64> {
    let mut stages = Vec::with_capacity(actions.len());
    let mut status = Status::Submitted;
    for a in actions {
        stages.push(status);
        status = a.to();
    }
    let durations: Vec<i64> = stages.iter().map(|s| stage_days(*s, rng)).collect();
    let mut scale = 1.0;
    loop {
        let mut days = vec![clock.workday(anchor)];
        for d in durations.iter().rev() {
            let previous = days.last().copied().unwrap_or(anchor);
            let stretch = ((*d as f64) * scale).round().max(1.0) as i64;
            days.push(clock.workday(previous + stretch));
        }
        days.reverse();
        if days[0] <= earliest || scale < 0.05 {
            return days;
        }
        scale *= 0.85;
    }
}

/// A number as Germans write it: decimal comma, no trailing ",0".
pub fn german(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}").replace('.', ",")
    }
}

/// A measured value: past the target when `meets`, otherwise part of the way there.
fn measurement<R: Rng + ?Sized>(baseline: f64, target: f64, meets: bool, rng: &mut R) -> f64 {
    let span = target - baseline;
    let raw = if meets {
        target + span * rng.random_range(0.0..0.25)
    } else {
        baseline + span * rng.random_range(0.3..0.7)
    };
    let grid = if span.abs() >= 10.0 { 1.0 } else { 10.0 };
    let rounded = (raw * grid).round() / grid;
    // Rounding must not turn a met target into a missed one.
    if meets && ((span < 0.0 && rounded > target) || (span > 0.0 && rounded < target)) {
        target
    } else {
        rounded
    }
}

fn saved<R: Rng + ?Sized>(estimate: f64, meets: bool, rng: &mut R) -> Option<f64> {
    if estimate <= 0.0 {
        return None;
    }
    let factor = if meets {
        rng.random_range(0.7..1.3)
    } else {
        rng.random_range(0.1..0.5)
    };
    Some((estimate * factor).round())
}

/// How one idea is to be generated.
pub struct Plan<'t> {
    pub text: &'t IdeaText,
    pub fate: Fate,
    pub anchor: i64,
    pub author: Author,
    /// For `Fate::Duplicate`: the earlier idea.
    pub duplicate_of: Option<(DuplicateTarget, String)>,
    /// Votes and comments as in a lively small organisation (true) or as in the bulk data.
    pub lively: bool,
}

/// Generates one idea: its life through `lifecycle::live`, links, votes and comments.
pub fn generate<R: Rng + ?Sized>(world: &World<'_>, plan: &Plan<'_>, rng: &mut R) -> Result<Generated, String> {
    let text = plan.text;
    let clock = &world.clock;
    let actions = plan.fate.actions();
    let days = schedule(clock, &actions, plan.anchor, world.earliest, rng);
    let submitted_at = clock.office(days[0], rng);
    let mut times = vec![submitted_at];
    for d in &days[1..] {
        let previous = times.last().copied().unwrap_or(submitted_at);
        let t = clock.office(*d, rng);
        times.push(if t > previous {
            t
        } else {
            previous + Duration::minutes(rng.random_range(5..90))
        });
    }

    // Only people who worked here when the idea came up take part in it.
    let present = |role: Role| -> Vec<&Person> {
        world
            .members(text.unit, role)
            .into_iter()
            .filter(|p| p.created_at < submitted_at)
            .collect()
    };
    let employees = present(Role::Employee);
    let leads = present(Role::Lead);
    let pick_employee = |rng: &mut R| employees.choose(rng).copied();
    let author: &Person = match plan.author {
        Author::Lead => leads.first().copied().or_else(|| pick_employee(rng)),
        Author::Manager => world.managers().choose(rng).copied(),
        _ => pick_employee(rng),
    }
    .or_else(|| world.people.first())
    .ok_or("the organisation has no people")?;

    let mut co_authors: Vec<(&Person, i64)> = Vec::new();
    let mut author_share = 100;
    if let Author::Group(n) = plan.author {
        let others: Vec<&Person> = employees.iter().copied().filter(|p| p.id != author.id).collect();
        let chosen: Vec<&Person> = others.sample(rng, n.min(others.len())).copied().collect();
        if !chosen.is_empty() {
            let each = 100 / (chosen.len() as i64 + 1);
            author_share = 100 - each * chosen.len() as i64;
            co_authors = chosen.into_iter().map(|p| (p, each)).collect();
        }
    }
    let code_word = match plan.author {
        Author::Anonymous(i) => Some(texts::CODE_WORDS[i % texts::CODE_WORDS.len()].to_owned()),
        _ => None,
    };
    let authors: Vec<&str> = std::iter::once(author.id.as_str())
        .chain(co_authors.iter().map(|(p, _)| p.id.as_str()))
        .collect();
    let reviewer = world
        .reviewer(text.unit, &authors)
        .ok_or("no reviewer for the idea's unit")?;
    // The author often runs the pilot; an anonymous author never (it would name them).
    let owner: &Person = if code_word.is_none() && author.role != Role::Manager && rng.random_bool(0.5) {
        author
    } else {
        pick_employee(rng)
            .filter(|p| code_word.is_none() || p.id != author.id)
            .unwrap_or(reviewer)
    };

    let meets_final = !matches!(plan.fate, Fate::Abandoned(_)) && (plan.fate != Fate::Act || rng.random_bool(0.7));

    let mut steps: Vec<Step> = Vec::with_capacity(actions.len());
    let mut cycle = 1;
    let mut measured_first: Option<f64> = None;
    for (k, action) in actions.iter().enumerate() {
        let at = times[k + 1];
        let meets = if cycle == 1 && matches!(plan.fate, Fate::SecondCycle(_)) {
            false
        } else {
            meets_final
        };
        let mut input = StageValues::default();
        let mut by = reviewer;
        match action {
            Action::Accept => {
                input.owner_id = Some(owner.id.clone());
                input.problem = Some(text.situation.to_owned());
                input.goal = Some(text.benefit.to_owned());
            }
            Action::Start => {
                let baseline = measured_first.unwrap_or(text.baseline);
                let do_days = days.get(k + 2).map(|d| days[k + 1] - d).unwrap_or(42).max(14);
                input.kpi_name = Some(text.kpi_name.to_owned());
                input.kpi_unit = Some(text.kpi_unit.to_owned());
                input.kpi_baseline = Some(baseline);
                input.kpi_target = Some(text.target);
                input.lower_is_better = Some(text.lower_is_better);
                input.due_date = Some((at.date() + Duration::days(do_days)).format("%Y-%m-%d").to_string());
                input.prediction = Some(format!(
                    "{}: von {} auf {} {}",
                    text.kpi_name,
                    german(baseline),
                    german(text.target),
                    text.kpi_unit
                ));
            }
            Action::Check => {
                by = owner;
                let weeks = ((at - times[k]).num_days() / 7).max(1);
                input.do_summary = Some(format!("Pilot über {weeks} Wochen: {}", text.proposal));
                let as_planned = rng.random_bool(0.8);
                input.ran_as_planned = Some(as_planned);
                if !as_planned {
                    input.deviations = texts::DEVIATIONS.choose(rng).map(|s| (*s).to_owned());
                }
            }
            Action::Act => {
                by = owner;
                let baseline = measured_first.unwrap_or(text.baseline);
                let value = measurement(baseline, text.target, meets, rng);
                if cycle == 1 {
                    measured_first = Some(value);
                }
                input.measured_value = Some(value);
                input.measured_hours_saved_per_year = saved(text.hours, meets, rng);
                input.measured_cost_saved_per_year = saved(text.cost, meets, rng);
                input.findings = texts::FINDINGS.choose(rng).map(|s| (*s).to_owned());
            }
            Action::Adopt => {
                input.new_standard = Some(format!("Ab sofort Standard: {}", text.proposal));
            }
            Action::Adapt => {
                input.next_cycle_changes = texts::NEXT_CYCLE_CHANGES.choose(rng).map(|s| (*s).to_owned());
                cycle += 1;
            }
            Action::Abandon => input.reason = texts::ABANDON_REASONS.choose(rng).map(|s| (*s).to_owned()),
            Action::Reject => input.reason = texts::REJECT_REASONS.choose(rng).map(|s| (*s).to_owned()),
            Action::MarkDuplicate => {
                let (target, title) = plan.duplicate_of.as_ref().ok_or("a duplicate needs its earlier idea")?;
                input.duplicate_of = Some(target.1.clone());
                input.reason = Some(format!("Gleiche Idee wie „{title}“; dort geht es weiter."));
            }
            Action::Withdraw => {
                by = author;
                if rng.random_bool(0.6) {
                    input.reason = texts::WITHDRAW_REASONS.choose(rng).map(|s| (*s).to_owned());
                }
            }
        }
        let note = rng
            .random_bool(0.25)
            .then(|| texts::NOTES.choose(rng).map(|s| (*s).to_owned()))
            .flatten();
        steps.push(Step {
            action: *action,
            at,
            caller: caller(by),
            input,
            note,
        });
    }

    let submission = Submission {
        id: id_at(submitted_at, rng),
        org_id: world.org_id.to_owned(),
        unit_id: world.unit_id(text.unit),
        author_id: author.id.clone(),
        author_share,
        co_authors: co_authors.iter().map(|(p, s)| (p.id.clone(), *s)).collect(),
        code_word: code_word.clone(),
        title: text.title.to_owned(),
        current_situation: text.situation.to_owned(),
        proposal: text.proposal.to_owned(),
        expected_benefit: text.benefit.to_owned(),
        est_hours_saved_per_year: (text.hours > 0.0).then_some(text.hours),
        est_cost_saved_per_year: (text.cost > 0.0).then_some(text.cost),
        est_quality_benefit: rng
            .random_bool(0.3)
            .then(|| texts::QUALITY_BENEFITS.choose(rng).map(|s| (*s).to_owned()))
            .flatten(),
        at: submitted_at,
    };
    let mut life = lifecycle::live(
        &submission,
        &steps,
        world.tree,
        plan.duplicate_of.as_ref().map(|(t, _)| t),
        rng,
    )?;

    let adopted = life.cycles.iter().find(|c| c.outcome.as_deref() == Some("adopted"));
    let dimensions = text
        .dimensions
        .iter()
        .filter(|k| world.dimension_keys.iter().any(|d| d == *k))
        .map(|k| IdeaDimensionRow {
            idea_id: life.idea.id.clone(),
            dimension_key: (*k).to_owned(),
            org_id: world.org_id.to_owned(),
            status: life.idea.status.clone(),
            unit_id: life.idea.unit_id.clone(),
            created_at: life.idea.created_at,
            adopted_at: adopted.and_then(|c| c.closed_at),
            adopted_hours_saved: adopted.and_then(|c| c.measured_hours_saved_per_year),
            adopted_cost_saved: adopted.and_then(|c| c.measured_cost_saved_per_year),
        })
        .collect();
    let co_author_rows = co_authors
        .iter()
        .map(|(p, share)| CoAuthorRow {
            idea_id: life.idea.id.clone(),
            user_id: p.id.clone(),
            org_id: world.org_id.to_owned(),
            share: *share,
        })
        .collect();
    let votes = votes(world, &life, &authors, plan, rng);
    let comments = comments(world, &life, author, code_word.is_some(), plan, rng);
    life.idea.vote_count = votes.len() as i64;
    life.idea.comment_count = comments.iter().filter(|c| c.deleted_at.is_none()).count() as i64;
    Ok(Generated {
        life,
        dimensions,
        co_authors: co_author_rows,
        votes,
        comments,
    })
}

/// A moment after `after` (a day or more later, in office hours when possible), before now.
fn later<R: Rng + ?Sized>(clock: &Clock, after: NaiveDateTime, within_days: i64, rng: &mut R) -> NaiveDateTime {
    let from = clock.days_ago(after);
    let days = if from > 1 {
        clock.workday(rng.random_range(1.max(from - within_days)..from))
    } else {
        from
    };
    let t = clock.office(days, rng);
    if t > after && t < clock.now {
        return t;
    }
    // Same day as `after` or no working day in between: a little later, still before now.
    let room = (clock.now - after).num_seconds();
    if room <= 2 {
        return after;
    }
    after + Duration::seconds(rng.random_range(1..room.min(10_800)))
}

fn votes<R: Rng + ?Sized>(
    world: &World<'_>,
    life: &Life,
    authors: &[&str],
    plan: &Plan<'_>,
    rng: &mut R,
) -> Vec<VoteRow> {
    let wanted = if plan.lively {
        match plan.fate {
            Fate::Done | Fate::SecondCycle(Status::Done) => rng.random_range(6..=22),
            Fate::Rejected | Fate::Duplicate(_) => rng.random_range(0..=4),
            Fate::Withdrawn => rng.random_range(0..=2),
            Fate::Abandoned(_) => rng.random_range(1..=8),
            Fate::Submitted if world.clock.days_ago(life.idea.created_at) <= 3 => rng.random_range(0..=2),
            Fate::Submitted => rng.random_range(0..=9),
            _ => rng.random_range(3..=14),
        }
    } else {
        let drawn = if rng.random_bool(0.02) {
            rng.random_range(15..=45)
        } else {
            rng.random_range(0..=9)
        };
        if world.vote_scale == 1.0 {
            drawn
        } else {
            (drawn as f64 * world.vote_scale).round() as usize
        }
    };
    if wanted == 0 {
        return Vec::new();
    }
    let pool = world.crowd(plan.lively);
    let n = pool.len();
    let picked = rand::seq::index::sample(rng, n, (wanted + authors.len()).min(n));
    let mut out = Vec::with_capacity(wanted);
    for i in picked {
        if out.len() >= wanted {
            break;
        }
        let voter = pool[i];
        if authors.contains(&voter.id.as_str()) {
            continue;
        }
        let at = later(&world.clock, life.idea.created_at.max(voter.created_at), 60, rng);
        out.push(VoteRow {
            idea_id: life.idea.id.clone(),
            user_id: voter.id.clone(),
            org_id: world.org_id.to_owned(),
            created_at: at,
        });
    }
    out
}

fn comments<R: Rng + ?Sized>(
    world: &World<'_>,
    life: &Life,
    author: &Person,
    anonymous: bool,
    plan: &Plan<'_>,
    rng: &mut R,
) -> Vec<CommentRow> {
    let wanted = if plan.lively {
        match plan.fate {
            Fate::Done | Fate::SecondCycle(Status::Done) => rng.random_range(1..=5),
            Fate::Rejected | Fate::Duplicate(_) => rng.random_range(1..=3),
            Fate::Withdrawn => rng.random_range(0..=1),
            _ => rng.random_range(0..=4),
        }
    } else {
        rng.random_range(0..=2)
    };
    let bodies: Vec<&&str> = texts::COMMENTS.sample(rng, wanted).collect();
    let mut out = Vec::with_capacity(wanted);
    let mut after = life.idea.created_at;
    for body in bodies {
        let writer = world.crowd(plan.lively).choose(rng).copied().unwrap_or(author);
        // An anonymous author does not comment on their own idea under their name.
        if anonymous && writer.id == author.id {
            continue;
        }
        let at = later(&world.clock, after.max(writer.created_at), 30, rng);
        after = at;
        let roll: f64 = rng.random();
        let (body, version, edited_at, deleted_at, deleted_by) = if roll < 0.03 {
            let deleted = (at + Duration::hours(rng.random_range(1..48))).min(world.clock.now - Duration::minutes(1));
            (None, 2, None, Some(deleted.max(at)), Some(writer.id.clone()))
        } else if roll < 0.08 {
            let edited = at + Duration::minutes(rng.random_range(2..14));
            (Some((*body).to_owned()), 2, Some(edited), None, None)
        } else {
            (Some((*body).to_owned()), 1, None, None, None)
        };
        out.push(CommentRow {
            id: id_at(at, rng),
            org_id: world.org_id.to_owned(),
            idea_id: life.idea.id.clone(),
            author_id: writer.id.clone(),
            body,
            version,
            created_at: at,
            edited_at,
            deleted_at,
            deleted_by,
        });
    }
    out
}

/// A random fate for the bulk data, in shares a busy administration might show.
pub fn random_fate<R: Rng + ?Sized>(rng: &mut R) -> Fate {
    let roll: u32 = rng.random_range(0..1000);
    match roll {
        0..100 => Fate::Submitted,
        100..170 => Fate::Plan,
        170..250 => Fate::Do,
        250..300 => Fate::Check,
        300..340 => Fate::Act,
        340..700 => Fate::Done,
        700..790 => Fate::Rejected,
        790..810 => Fate::Duplicate(0),
        810..860 => Fate::Withdrawn,
        860..875 => Fate::Abandoned(Status::Plan),
        875..900 => Fate::Abandoned(Status::Do),
        900..915 => Fate::Abandoned(Status::Check),
        915..930 => Fate::Abandoned(Status::Act),
        930..945 => Fate::SecondCycle(Status::Plan),
        945..960 => Fate::SecondCycle(Status::Do),
        960..970 => Fate::SecondCycle(Status::Check),
        970..975 => Fate::SecondCycle(Status::Act),
        _ => Fate::SecondCycle(Status::Done),
    }
}

/// A random author kind for the bulk data.
pub fn random_author<R: Rng + ?Sized>(rng: &mut R, author_index: usize) -> Author {
    let roll: u32 = rng.random_range(0..100);
    match roll {
        0..3 => Author::Anonymous(author_index),
        3..8 => Author::Group(rng.random_range(1..=2)),
        8..10 => Author::Lead,
        _ => Author::Employee,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pdca::Action;

    #[test]
    fn fates_walk_the_lifecycle() {
        for fate in [
            Fate::Submitted,
            Fate::Plan,
            Fate::Do,
            Fate::Check,
            Fate::Act,
            Fate::Done,
            Fate::Rejected,
            Fate::Duplicate(0),
            Fate::Withdrawn,
            Fate::Abandoned(Status::Plan),
            Fate::Abandoned(Status::Act),
            Fate::SecondCycle(Status::Plan),
            Fate::SecondCycle(Status::Done),
        ] {
            let mut status = Status::Submitted;
            for a in fate.actions() {
                assert!(a.from().contains(&status), "{fate:?}: {a} from {status}");
                status = a.to();
            }
            let expected = match fate {
                Fate::Submitted => Status::Submitted,
                Fate::Plan | Fate::SecondCycle(Status::Plan) => Status::Plan,
                Fate::Do => Status::Do,
                Fate::Check => Status::Check,
                Fate::Act => Status::Act,
                Fate::Done | Fate::SecondCycle(Status::Done) => Status::Done,
                Fate::Rejected | Fate::Duplicate(_) => Status::Rejected,
                Fate::Withdrawn => Status::Withdrawn,
                Fate::Abandoned(_) => Status::Abandoned,
                Fate::SecondCycle(s) => s,
            };
            assert_eq!(status, expected, "{fate:?}");
        }
        assert_eq!(Fate::SecondCycle(Status::Do).actions()[4], Action::Adapt);
    }

    #[test]
    fn the_scenario_covers_every_status_and_duplicates_point_back() {
        let ends: Vec<Status> = SCENARIO
            .iter()
            .map(|s| s.fate.actions().last().map(|a| a.to()).unwrap_or(Status::Submitted))
            .collect();
        for status in Status::ALL {
            assert!(ends.contains(&status), "{status} missing");
        }
        for (i, s) in SCENARIO.iter().enumerate() {
            assert_eq!(s.text, i, "the scenario follows the texts");
            if let Fate::Duplicate(of) = s.fate {
                assert!(of < i, "targets are generated first");
            }
        }
    }

    #[test]
    fn measurements_meet_or_miss_as_intended() {
        use crate::domain::pdca::measure;
        use rand::SeedableRng;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
        for t in texts::IDEAS {
            for _ in 0..20 {
                let met = measurement(t.baseline, t.target, true, &mut rng);
                assert!(
                    measure(t.baseline, t.target, met, t.lower_is_better).target_met,
                    "{}",
                    t.title
                );
                let missed = measurement(t.baseline, t.target, false, &mut rng);
                assert!(
                    !measure(t.baseline, t.target, missed, t.lower_is_better).target_met,
                    "{}",
                    t.title
                );
            }
        }
    }

    #[test]
    fn numbers_are_written_the_german_way() {
        assert_eq!(german(42.0), "42");
        assert_eq!(german(2.4), "2,4");
        assert_eq!(german(9000.0), "9000");
    }
}
