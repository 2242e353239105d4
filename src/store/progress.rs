//! Gathers the progress report: every closed organisation-wide round with its figures for
//! the chosen group (the organisation, or a unit with its sub-units under the same
//! minimum-group-size rules as the results by unit), the comparisons between rounds, and
//! the ideas linked to each dimension between the compared rounds.

use std::collections::HashMap;

use crate::db::DbConnection;
use crate::domain::locale::LocalizedText;
use crate::domain::progress::{DimensionChange, Figure, PairKind, assessable, change, default_pairs, response_rate};
use crate::domain::results::RoundResults;
use crate::domain::suppression::Hidden;
use crate::error::ApiError;
use crate::store::assessments::Round;
use crate::store::questionnaires::{self, Content};
use crate::store::reports::{self, Adopted};
use crate::store::round_results::ClosedRound;
use crate::store::{dimensions, organizations, report_cache, round_results, units};

/// Whose results: the organisation, or a unit and everything below it.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub unit_id: Option<String>,
}

/// One closed round as the chosen group saw it.
#[derive(Debug, Clone)]
pub struct RoundFigures {
    pub round: Round,
    /// k when the round closed.
    pub min_group_size: i64,
    /// Responses of the whole round (always shown).
    pub round_responses: i64,
    /// Responses over the eligible headcount frozen at opening.
    pub response_rate: Option<f64>,
    /// The round used the current questionnaire (any version).
    pub current_questionnaire: bool,
    /// Responses of the group; `None` when hidden.
    pub responses: Option<i64>,
    pub hidden: Option<Hidden>,
    pub dimensions: HashMap<String, Figure>,
}

/// Ideas linked to one dimension between two rounds.
#[derive(Debug, Clone, Default)]
pub struct IdeaFlow {
    pub submitted: i64,
    /// Current status of those submitted, by status.
    pub by_status: HashMap<String, i64>,
    pub adopted: Option<Adopted>,
}

impl RoundFigures {
    /// The chosen group's figures can be shown (enough responses when it closed).
    pub fn reportable(&self) -> bool {
        self.hidden.is_none()
    }
}

impl Progress {
    /// The latest round of the current questionnaire whose figures the group shows.
    pub fn latest_reportable(&self) -> Option<&RoundFigures> {
        self.rounds
            .iter()
            .rev()
            .find(|r| r.reportable() && r.current_questionnaire)
    }

    /// Which of `keys` are weak in `latest_reportable`, by the organisation's rule.
    pub fn weak(&self) -> Vec<bool> {
        let Some(latest) = self.latest_reportable() else {
            return vec![false; self.keys.len()];
        };
        let scores: Vec<Option<f64>> = self
            .keys
            .iter()
            .map(|k| {
                latest
                    .dimensions
                    .get(k)
                    .and_then(|f| f.summary)
                    .map(|s| crate::domain::scoring::to_score(s.mean))
            })
            .collect();
        crate::domain::weakness::weak_flags(
            &scores,
            self.weak_threshold,
            usize::try_from(self.weak_count).unwrap_or(0),
        )
    }
}

#[derive(Debug, Clone)]
pub struct Pair {
    pub kind: PairKind,
    pub baseline: usize,
    pub compare: usize,
    /// Both rounds were answered by enough of their headcount to carry a verdict.
    pub assessable: bool,
    pub changes: HashMap<String, DimensionChange>,
    pub ideas: HashMap<String, IdeaFlow>,
}

#[derive(Debug, Clone)]
pub struct Progress {
    /// The organisation's k today (each round keeps its own).
    pub min_group_size: i64,
    /// The weakness rule of the organisation (see `store::dimensions`).
    pub weak_threshold: f64,
    pub weak_count: i64,
    /// Dimension keys in report order: the current questionnaire's, then older ones.
    pub keys: Vec<String>,
    pub names: HashMap<String, LocalizedText>,
    pub rounds: Vec<RoundFigures>,
    pub pairs: Vec<Pair>,
}

fn figures_of(results: &RoundResults, scope: &Scope) -> (Option<i64>, Option<Hidden>, HashMap<String, Figure>) {
    match &scope.unit_id {
        None => (
            results.hidden.is_none().then_some(results.responses),
            results.hidden,
            results
                .dimensions
                .iter()
                .map(|d| {
                    let figure = Figure {
                        summary: d.summary,
                        hidden: d.hidden,
                    };
                    (d.key.clone(), figure)
                })
                .collect(),
        ),
        Some(unit) => match results.units.iter().find(|u| &u.unit_id == unit) {
            Some(u) => (
                u.responses,
                u.hidden,
                u.dimensions
                    .iter()
                    .map(|d| {
                        let figure = Figure {
                            summary: d.summary,
                            hidden: d.hidden.or(u.hidden),
                        };
                        (d.key.clone(), figure)
                    })
                    .collect(),
            ),
            // The unit did not exist when the round closed (the results keep the tree of
            // that moment, so a later reorganisation never regroups them).
            None => (None, Some(Hidden::NotInRound), HashMap::new()),
        },
    }
}

/// Builds the report. `chosen` names a (baseline, compare) pair of round ids; without it
/// the defaults are previous vs latest and first vs latest among the rounds of the current
/// questionnaire whose figures the group shows (a round with fewer than k responses is
/// listed but does not replace the latest that can be reported).
pub fn progress(
    conn: &mut DbConnection,
    org_id: &str,
    scope: &Scope,
    chosen: Option<(&str, &str)>,
) -> Result<Progress, ApiError> {
    let org = organizations::find(conn, org_id)?;
    let k = org.min_group_size;
    let tree = units::tree(conn, org_id)?;
    let unit_filter: Option<Vec<String>> = scope.unit_id.as_ref().map(|u| tree.subtree(u));
    let closed = round_results::closed_organisation_rounds(conn, org_id)?;

    let current = dimensions::current_questionnaire(conn, org_id)?;
    let mut keys: Vec<String> = current.dimensions.iter().map(|d| d.dimension_key.clone()).collect();
    let mut names: HashMap<String, LocalizedText> = current
        .dimensions
        .iter()
        .map(|d| (d.dimension_key.clone(), d.name()))
        .collect();
    let current_key = current.questionnaire.key.clone();
    let mut contents: HashMap<String, Content> = HashMap::new();
    contents.insert(current.questionnaire.id.clone(), current);

    let mut rounds = Vec::with_capacity(closed.len());
    for ClosedRound {
        round,
        questionnaire_key,
        responses: round_responses,
        ..
    } in closed
    {
        if !contents.contains_key(&round.questionnaire_id) {
            let content = questionnaires::load(conn, org_id, &round.questionnaire_id)?;
            contents.insert(round.questionnaire_id.clone(), content);
        }
        let content = &contents[&round.questionnaire_id];
        for d in &content.dimensions {
            if !names.contains_key(&d.dimension_key) {
                keys.push(d.dimension_key.clone());
                names.insert(d.dimension_key.clone(), d.name());
            }
        }
        let published = round_results::published(conn, &round)?;
        let (responses, hidden, dimensions) = figures_of(&published.results, scope);
        rounds.push(RoundFigures {
            response_rate: response_rate(round_responses, round.eligible_count),
            round,
            min_group_size: published.min_group_size,
            round_responses,
            current_questionnaire: questionnaire_key == current_key,
            responses,
            hidden,
            dimensions,
        });
    }

    let index_of = |id: &str| rounds.iter().position(|r| r.round.id == id);
    let pairs: Vec<(PairKind, usize, usize)> = match chosen {
        Some((b, c)) => {
            let b = index_of(b)
                .ok_or_else(|| ApiError::field("baseline", "no closed organisation-wide round with this id"))?;
            let c = index_of(c)
                .ok_or_else(|| ApiError::field("compare", "no closed organisation-wide round with this id"))?;
            if b == c {
                return Err(ApiError::field("compare", "must be another round than baseline"));
            }
            vec![(PairKind::Chosen, b, c)]
        }
        // Among the rounds of the current questionnaire whose figures can be shown for the
        // group: a thin round is listed, but compared only when chosen.
        None => {
            let usable: Vec<usize> = (0..rounds.len())
                .filter(|i| rounds[*i].reportable() && rounds[*i].current_questionnaire)
                .collect();
            default_pairs(usable.len())
                .into_iter()
                .map(|(kind, b, c)| (kind, usable[b], usable[c]))
                .collect()
        }
    };

    let mut out_pairs = Vec::with_capacity(pairs.len());
    for (kind, b, c) in pairs {
        let changes = keys
            .iter()
            .map(|key| {
                let fig = |r: &RoundFigures| r.dimensions.get(key).copied().unwrap_or(Figure::MISSING);
                (key.clone(), change(&fig(&rounds[b]), &fig(&rounds[c])))
            })
            .collect();
        // Ideas between the two rounds, whichever of them came first.
        let (first, second) = if b < c { (b, c) } else { (c, b) };
        let from = rounds[first].round.closed_at.unwrap_or(rounds[first].round.closes_at);
        let to = rounds[second].round.closed_at.unwrap_or(rounds[second].round.closes_at);
        // The flow depends on the ideas, the dimensions, the window and the units.
        let cache_key = format!(
            "progress/flow/{}/{from}/{to}/{}",
            keys.join(","),
            unit_filter.as_ref().map(|u| u.join(",")).unwrap_or_default()
        );
        let ideas = report_cache::idea_figures(conn, org_id, &cache_key, |conn| {
            let mut ideas: HashMap<String, IdeaFlow> = HashMap::new();
            for (key, status, n) in
                reports::submitted_by_dimension(conn, org_id, &keys, (from, to), unit_filter.as_deref())?
            {
                let flow = ideas.entry(key).or_default();
                flow.submitted += n;
                *flow.by_status.entry(status).or_default() += n;
            }
            for adopted in reports::adopted_by_dimension(conn, org_id, (from, to), unit_filter.as_deref())? {
                let key = adopted.dimension_key.clone();
                ideas.entry(key).or_default().adopted = Some(adopted);
            }
            Ok(ideas)
        })?;
        let ideas = (*ideas).clone();
        out_pairs.push(Pair {
            kind,
            assessable: assessable(rounds[b].response_rate) && assessable(rounds[c].response_rate),
            baseline: b,
            compare: c,
            changes,
            ideas,
        });
    }

    Ok(Progress {
        min_group_size: k,
        weak_threshold: org.weak_threshold,
        weak_count: org.weak_count,
        keys,
        names,
        rounds,
        pairs: out_pairs,
    })
}
