//! Demo answers to the learning-culture questionnaire: a planned course of each
//! dimension over the rounds, and responses drawn around it, stored as
//! `store::responses::submit` stores them and scored by the domain's scoring code.

use std::collections::HashMap;

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::demo::rows::{AnswerRow, ParticipationRow, ResponseRow, ScoreRow};
use crate::domain::scoring::{self, Instrument};

/// The planned mean (1–5 scale) of a dimension at the first, middle and latest round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    pub key: &'static str,
    pub first: f64,
    pub middle: f64,
    pub last: f64,
}

/// What the plan intends between two rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Improves,
    Flat,
    Declines,
}

/// The story of the demo: leadership, error culture and knowledge sharing improve (the
/// adopted ideas lean on them), motivation declines, the rest stay where they were.
/// Error culture improves but stays weak; experimentation and learning impact stay weak.
pub const TRENDS: [Trend; 7] = [
    Trend {
        key: "leadership",
        first: 3.15,
        middle: 3.45,
        last: 3.75,
    },
    Trend {
        key: "error_culture",
        first: 2.75,
        middle: 2.95,
        last: 3.25,
    },
    Trend {
        key: "experimentation",
        first: 2.6,
        middle: 2.65,
        last: 2.62,
    },
    Trend {
        key: "knowledge_sharing",
        first: 3.0,
        middle: 3.3,
        last: 3.6,
    },
    Trend {
        key: "competence",
        first: 3.65,
        middle: 3.6,
        last: 3.66,
    },
    Trend {
        key: "motivation",
        first: 3.5,
        middle: 3.35,
        last: 3.05,
    },
    Trend {
        key: "learning_impact",
        first: 3.05,
        middle: 3.1,
        last: 3.05,
    },
];

/// A dimension the plan does not know (a custom questionnaire) stays flat in the middle.
const UNPLANNED: Trend = Trend {
    key: "",
    first: 3.2,
    middle: 3.2,
    last: 3.2,
};

impl Trend {
    pub fn of(key: &str) -> Trend {
        TRENDS.iter().find(|t| t.key == key).copied().unwrap_or(UNPLANNED)
    }

    /// What the plan intends between the first and the latest round.
    pub fn direction(&self) -> Direction {
        Self::between(self.first, self.last)
    }

    /// What the plan intends between two planned means: a change of at least 0.2 on the
    /// 1–5 scale (about a third of a respondent standard deviation) is meant to show.
    pub fn between(earlier: f64, later: f64) -> Direction {
        let change = later - earlier;
        if change >= 0.2 {
            Direction::Improves
        } else if change <= -0.2 {
            Direction::Declines
        } else {
            Direction::Flat
        }
    }

    /// The planned mean of round `j` of `rounds` (first → middle → last, linearly).
    pub fn mean_at(&self, j: usize, rounds: usize) -> f64 {
        if rounds <= 1 {
            return self.last;
        }
        let x = j as f64 / (rounds - 1) as f64;
        if x <= 0.5 {
            self.first + (self.middle - self.first) * x * 2.0
        } else {
            self.middle + (self.last - self.middle) * (x - 0.5) * 2.0
        }
    }
}

/// Someone answering: the user (participation only) and their unit (stored with the
/// response), plus how their unit tends to answer.
#[derive(Debug, Clone)]
pub struct Respondent {
    pub user_id: String,
    pub unit_id: Option<String>,
    pub unit_offset: f64,
}

/// The rows one round's responses leave, in the order the closing of a round leaves them
/// (each table sorted by its key).
#[derive(Debug, Default)]
pub struct RoundRows {
    pub participation: Vec<ParticipationRow>,
    pub responses: Vec<ResponseRow>,
    pub answers: Vec<AnswerRow>,
    pub scores: Vec<ScoreRow>,
}

/// `n` standard normal values at evenly spaced quantiles, shuffled: a sample whose mean is
/// exactly 0, so a round's planned mean is what its respondents show, give or take the
/// rounding to answer values.
fn stratified<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<f64> {
    let Ok(normal) = Normal::new(0.0, 1.0) else {
        return vec![0.0; n];
    };
    let mut v: Vec<f64> = (0..n)
        .map(|k| normal.inverse_cdf((k as f64 + 0.5) / n as f64))
        .collect();
    v.shuffle(rng);
    v
}

/// One standard normal draw (Box–Muller).
fn gauss<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// How often an item is answered "can't judge": more often where people see little of
/// it (the whole administration's managers, what happens after training).
fn cant_judge_rate(item_key: &str) -> f64 {
    if item_key == "leadership.4" || item_key.starts_with("learning_impact") {
        0.07
    } else {
        0.03
    }
}

/// Items of one dimension differ a little in how much people agree.
const ITEM_BIAS: [f64; 4] = [0.15, -0.1, 0.05, -0.1];

/// How close a round's dimension means come to the plan.
const TOLERANCE: f64 = 0.015;

/// Answers of `respondents` to round `round_id`, the `j`-th of `rounds`. Item noise,
/// rounding to answer values and "can't judge" move a small round's means by a few
/// hundredths; the same draws are repeated with the latent means corrected until every
/// dimension lands within `TOLERANCE` of the plan, so the planned story (what improves,
/// what stays, what declines) holds for every seed. Large rounds are drawn once.
pub fn answer_round<R: Rng + Clone>(
    instrument: &Instrument,
    org_id: &str,
    round_id: &str,
    j: usize,
    rounds: usize,
    respondents: &[Respondent],
    rng: &mut R,
) -> RoundRows {
    let planned: Vec<f64> = instrument
        .dimensions
        .iter()
        .map(|d| Trend::of(&d.key).mean_at(j, rounds))
        .collect();
    let start = rng.clone();
    let mut latent = planned.clone();
    let mut best: Option<(f64, RoundRows, R)> = None;
    // Thousands of respondents land close to the plan at once.
    let attempts = if respondents.len() < 1000 { ATTEMPTS } else { 1 };
    for _ in 0..attempts {
        let mut draws = start.clone();
        let rows = draw(instrument, org_id, round_id, &latent, respondents, &mut draws);
        let off: Vec<f64> = instrument
            .dimensions
            .iter()
            .zip(&planned)
            .map(|(d, want)| {
                let (n, sum) = rows
                    .scores
                    .iter()
                    .filter(|s| s.dimension_key == d.key)
                    .fold((0usize, 0.0), |(n, sum), s| (n + 1, sum + s.score));
                if n == 0 { 0.0 } else { sum / n as f64 - want }
            })
            .collect();
        let worst = off.iter().fold(0.0_f64, |w, o| w.max(o.abs()));
        // Rounding makes the response to a correction jumpy: step part of the way.
        for (l, o) in latent.iter_mut().zip(&off) {
            *l -= 0.7 * o;
        }
        if best.as_ref().is_none_or(|(w, _, _)| worst < *w) {
            best = Some((worst, rows, draws));
        }
        if worst < TOLERANCE {
            break;
        }
    }
    match best {
        Some((_, rows, draws)) => {
            *rng = draws;
            rows
        }
        None => RoundRows::default(),
    }
}

/// Corrections tried at most.
const ATTEMPTS: usize = 15;

fn draw<R: Rng + ?Sized>(
    instrument: &Instrument,
    org_id: &str,
    round_id: &str,
    means: &[f64],
    respondents: &[Respondent],
    rng: &mut R,
) -> RoundRows {
    let n = respondents.len();
    let person = stratified(n, rng);
    let per_dimension: Vec<Vec<f64>> = instrument.dimensions.iter().map(|_| stratified(n, rng)).collect();
    let (min, max) = (f64::from(instrument.scale.min()), f64::from(instrument.scale.max()));
    let mut out = RoundRows::default();
    for (i, who) in respondents.iter().enumerate() {
        let mut answers: HashMap<String, Option<u8>> = HashMap::new();
        for (d, dim) in instrument.dimensions.iter().enumerate() {
            let latent = means[d] + 0.45 * person[i] + 0.45 * per_dimension[d][i] + who.unit_offset;
            for (k, item) in dim.items.iter().enumerate() {
                if rng.random_bool(cant_judge_rate(&item.key)) {
                    answers.insert(item.key.clone(), None);
                    continue;
                }
                let agreement = (latent + ITEM_BIAS[k % ITEM_BIAS.len()] + 0.55 * gauss(rng))
                    .round()
                    .clamp(min, max) as u8;
                // A reverse-worded item is agreed with when the dimension is weak.
                let value = scoring::item_score(instrument.scale, agreement, item.reverse);
                answers.insert(item.key.clone(), Some(value));
            }
        }
        // Random, not time-ordered, exactly like a live submission.
        let response_id = uuid::Uuid::new_v4().to_string();
        for score in scoring::score(instrument, &answers) {
            if let Some(mean) = score.mean {
                out.scores.push(ScoreRow {
                    response_id: response_id.clone(),
                    dimension_key: score.key,
                    round_id: round_id.to_owned(),
                    unit_id: who.unit_id.clone(),
                    score: mean,
                });
            }
        }
        for (item_key, value) in answers {
            out.answers.push(AnswerRow {
                response_id: response_id.clone(),
                item_key,
                round_id: round_id.to_owned(),
                value: value.map(i64::from),
            });
        }
        out.responses.push(ResponseRow {
            id: response_id,
            round_id: round_id.to_owned(),
            unit_id: who.unit_id.clone(),
        });
        out.participation.push(ParticipationRow {
            round_id: round_id.to_owned(),
            user_id: who.user_id.clone(),
            org_id: org_id.to_owned(),
        });
    }
    // Nothing in the stored order may pair a response with a participant.
    out.responses.sort_by(|a, b| a.id.cmp(&b.id));
    out.answers
        .sort_by(|a, b| (&a.response_id, &a.item_key).cmp(&(&b.response_id, &b.item_key)));
    out.scores
        .sort_by(|a, b| (&a.response_id, &a.dimension_key).cmp(&(&b.response_id, &b.dimension_key)));
    out.participation.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::questionnaire;
    use crate::domain::stats::Moments;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    #[test]
    fn trends_run_through_their_three_points() {
        let t = Trend::of("leadership");
        assert_eq!(t.mean_at(0, 3), t.first);
        assert_eq!(t.mean_at(1, 3), t.middle);
        assert_eq!(t.mean_at(2, 3), t.last);
        assert_eq!(t.mean_at(0, 1), t.last);
        assert!((t.mean_at(5, 21) - (t.first + (t.middle - t.first) * 0.5)).abs() < 1e-12);
        assert_eq!(t.direction(), Direction::Improves);
        assert_eq!(Trend::of("motivation").direction(), Direction::Declines);
        assert_eq!(Trend::of("competence").direction(), Direction::Flat);
        assert_eq!(Trend::of("unknown").direction(), Direction::Flat);
    }

    #[test]
    fn every_dimension_of_the_builtin_questionnaire_has_a_plan() {
        let def = questionnaire::builtin().unwrap();
        for d in &def.dimensions {
            assert!(TRENDS.iter().any(|t| t.key == d.key), "{} has no trend", d.key);
        }
    }

    #[test]
    fn small_rounds_land_on_their_planned_means_for_any_seed() {
        let instrument = Instrument::from_definition(&questionnaire::builtin().unwrap());
        for seed in 0..20 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let respondents: Vec<Respondent> = (0..70)
                .map(|i| Respondent {
                    user_id: format!("u{i:03}"),
                    unit_id: None,
                    unit_offset: [-0.2, 0.0, 0.25][i % 3],
                })
                .collect();
            let rows = answer_round(&instrument, "o", "r", 1, 3, &respondents, &mut rng);
            for trend in TRENDS {
                let values: Vec<f64> = rows
                    .scores
                    .iter()
                    .filter(|s| s.dimension_key == trend.key)
                    .map(|s| s.score)
                    .collect();
                let mean = Moments::from_values(&values).mean().unwrap();
                assert!(
                    (mean - trend.middle).abs() < TOLERANCE,
                    "seed {seed}, {}: {mean} vs {}",
                    trend.key,
                    trend.middle
                );
            }
        }
    }

    #[test]
    fn a_round_lands_near_its_planned_means_and_stores_like_a_submission() {
        let instrument = Instrument::from_definition(&questionnaire::builtin().unwrap());
        let respondents: Vec<Respondent> = (0..400)
            .map(|i| Respondent {
                user_id: format!("u{i:03}"),
                unit_id: Some("unit".into()),
                unit_offset: 0.0,
            })
            .collect();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let rows = answer_round(&instrument, "o", "r1", 0, 3, &respondents, &mut rng);
        assert_eq!(rows.responses.len(), 400);
        assert_eq!(rows.participation.len(), 400);
        assert_eq!(rows.answers.len(), 400 * 28, "every item is answered or can't judge");
        let cant_judge = rows.answers.iter().filter(|a| a.value.is_none()).count();
        assert!(cant_judge > 100 && cant_judge < 1000, "{cant_judge}");
        assert!(
            rows.answers
                .iter()
                .all(|a| a.value.is_none_or(|v| (1..=5).contains(&v)))
        );
        assert!(rows.scores.len() < 400 * 7, "some dimensions miss the 75 % rule");
        for trend in TRENDS {
            let values: Vec<f64> = rows
                .scores
                .iter()
                .filter(|s| s.dimension_key == trend.key)
                .map(|s| s.score)
                .collect();
            let mean = Moments::from_values(&values).mean().unwrap();
            assert!(
                (mean - trend.first).abs() < 0.15,
                "{}: {mean} vs {}",
                trend.key,
                trend.first
            );
        }
        // Stored in key order; ids are random (v4).
        assert!(rows.responses.windows(2).all(|w| w[0].id < w[1].id));
        assert!(rows.participation.windows(2).all(|w| w[0].user_id < w[1].user_id));
        let id = uuid::Uuid::parse_str(&rows.responses[0].id).unwrap();
        assert_eq!(id.get_version_num(), 4);
    }
}
