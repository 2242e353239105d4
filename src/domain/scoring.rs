//! Scoring one response: answer validation, reverse-worded items, "can't judge", the 75 %
//! rule per dimension, the 0–100 score and maturity bands.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::locale::Lang;
use crate::domain::questionnaire::{QuestionnaireDefinition, Scale};
use crate::error::FieldError;

/// The wire value for "can't judge".
pub const CANT_JUDGE: &str = "cant_judge";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentItem {
    pub key: String,
    pub reverse: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentDimension {
    pub key: String,
    pub items: Vec<InstrumentItem>,
}

/// What scoring needs to know of a questionnaire: dimensions, their items, reversal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    pub scale: Scale,
    pub dimensions: Vec<InstrumentDimension>,
}

impl Instrument {
    pub fn from_definition(def: &QuestionnaireDefinition) -> Self {
        Self {
            scale: Scale::parse(&def.scale).unwrap_or(Scale::Agree5),
            dimensions: def
                .dimensions
                .iter()
                .map(|d| InstrumentDimension {
                    key: d.key.clone(),
                    items: d
                        .items
                        .iter()
                        .map(|i| InstrumentItem {
                            key: i.key.clone(),
                            reverse: i.reverse,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn items(&self) -> impl Iterator<Item = (&InstrumentDimension, &InstrumentItem)> {
        self.dimensions.iter().flat_map(|d| d.items.iter().map(move |i| (d, i)))
    }
}

/// Checks the answers of one response against the instrument: every item exactly once,
/// each a value of the scale or `"cant_judge"`. Returns `item key -> value` (`None` for
/// "can't judge"), or one error per problem naming the item.
pub fn parse_answers(
    instrument: &Instrument,
    answers: &[(String, serde_json::Value)],
) -> Result<HashMap<String, Option<u8>>, Vec<FieldError>> {
    let known: HashMap<&str, ()> = instrument.items().map(|(_, i)| (i.key.as_str(), ())).collect();
    let (min, max) = (instrument.scale.min(), instrument.scale.max());
    let mut errors = Vec::new();
    let mut out: HashMap<String, Option<u8>> = HashMap::with_capacity(answers.len());
    for (n, (item, value)) in answers.iter().enumerate() {
        if !known.contains_key(item.as_str()) {
            errors.push(FieldError::new(
                format!("answers[{n}].item_id"),
                format!("{item:?} is not an item of this questionnaire"),
            ));
            continue;
        }
        let parsed = match value {
            serde_json::Value::String(s) if s == CANT_JUDGE => Some(None),
            serde_json::Value::Number(num) => num
                .as_u64()
                .filter(|v| (u64::from(min)..=u64::from(max)).contains(v))
                .and_then(|v| u8::try_from(v).ok())
                .map(Some),
            _ => None,
        };
        let Some(parsed) = parsed else {
            errors.push(FieldError::new(
                format!("answers[{n}].value"),
                format!("item {item:?}: must be an integer from {min} to {max} or \"{CANT_JUDGE}\""),
            ));
            continue;
        };
        if out.insert(item.clone(), parsed).is_some() {
            errors.push(FieldError::new(
                format!("answers[{n}].item_id"),
                format!("item {item:?} is answered more than once"),
            ));
        }
    }
    for (_, item) in instrument.items() {
        let mentioned = answers.iter().any(|(k, _)| *k == item.key);
        if !mentioned {
            errors.push(FieldError::new(
                "answers",
                format!("item {:?} is not answered; send a value or \"{CANT_JUDGE}\"", item.key),
            ));
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The value that counts for a dimension: reverse-worded items are mirrored (6 − v on 1–5).
pub fn item_score(scale: Scale, value: u8, reverse: bool) -> u8 {
    if reverse {
        scale.min() + scale.max() - value
    } else {
        value
    }
}

/// A respondent's dimension score counts only when at least 75 % of the dimension's items
/// were answered (integer arithmetic, so 3 of 4 counts and 2 of 3 does not).
pub fn enough_answered(answered: usize, items: usize) -> bool {
    answered > 0 && answered * 4 >= items * 3
}

#[derive(Debug, Clone, PartialEq)]
pub struct DimensionScore {
    pub key: String,
    pub answered: usize,
    pub items: usize,
    /// Mean of the answered item scores; `None` when the 75 % rule is not met.
    pub mean: Option<f64>,
}

/// Scores one response per dimension.
pub fn score(instrument: &Instrument, answers: &HashMap<String, Option<u8>>) -> Vec<DimensionScore> {
    instrument
        .dimensions
        .iter()
        .map(|d| {
            let values: Vec<u8> = d
                .items
                .iter()
                .filter_map(|i| {
                    answers
                        .get(&i.key)
                        .copied()
                        .flatten()
                        .map(|v| item_score(instrument.scale, v, i.reverse))
                })
                .collect();
            let answered = values.len();
            let mean = enough_answered(answered, d.items.len())
                .then(|| values.iter().map(|v| f64::from(*v)).sum::<f64>() / answered as f64);
            DimensionScore {
                key: d.key.clone(),
                answered,
                items: d.items.len(),
                mean,
            }
        })
        .collect()
}

/// A mean on the 1–5 scale as 0–100: (mean − 1) / 4 × 100.
pub fn to_score(mean: f64) -> f64 {
    (mean - 1.0) / 4.0 * 100.0
}

/// Maturity band of a 0–100 score, in steps of 20 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// below 20
    Initial,
    /// 20 to below 40
    Emerging,
    /// 40 to below 60
    Established,
    /// 60 to below 80
    Advanced,
    /// 80 and above
    Leading,
}

impl Band {
    pub fn of(score: f64) -> Band {
        match score {
            s if s < 20.0 => Band::Initial,
            s if s < 40.0 => Band::Emerging,
            s if s < 60.0 => Band::Established,
            s if s < 80.0 => Band::Advanced,
            _ => Band::Leading,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Band::Initial, Lang::De) => "Anfangsstadium",
            (Band::Emerging, Lang::De) => "im Aufbau",
            (Band::Established, Lang::De) => "etabliert",
            (Band::Advanced, Lang::De) => "fortgeschritten",
            (Band::Leading, Lang::De) => "lernende Organisation",
            (Band::Initial, Lang::En) => "initial",
            (Band::Emerging, Lang::En) => "emerging",
            (Band::Established, Lang::En) => "established",
            (Band::Advanced, Lang::En) => "advanced",
            (Band::Leading, Lang::En) => "learning organisation",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn instrument() -> Instrument {
        let dim = |key: &str, items: &[(&str, bool)]| InstrumentDimension {
            key: key.into(),
            items: items
                .iter()
                .map(|(k, r)| InstrumentItem {
                    key: (*k).into(),
                    reverse: *r,
                })
                .collect(),
        };
        Instrument {
            scale: Scale::Agree5,
            dimensions: vec![
                dim("a", &[("a1", false), ("a2", false), ("a3", true), ("a4", false)]),
                dim("b", &[("b1", false), ("b2", true)]),
                dim("c", &[("c1", false), ("c2", false), ("c3", true)]),
            ],
        }
    }

    fn answers(pairs: &[(&str, serde_json::Value)]) -> HashMap<String, Option<u8>> {
        let raw: Vec<(String, serde_json::Value)> = pairs.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect();
        parse_answers(&instrument(), &raw).unwrap()
    }

    #[test]
    fn hand_computed_fixture_with_reverse_items_cant_judge_and_the_75_percent_rule() {
        let cj = json!("cant_judge");
        let a = answers(&[
            // a: 4, 5, reverse 2 -> 4, can't judge => 3 of 4 answered, mean (4+5+4)/3 = 13/3
            ("a1", json!(4)),
            ("a2", json!(5)),
            ("a3", json!(2)),
            ("a4", cj.clone()),
            // b: 1 answered of 2 (50 %) => does not count
            ("b1", json!(5)),
            ("b2", cj.clone()),
            // c: 3, 4, reverse 5 -> 1 => mean 8/3
            ("c1", json!(3)),
            ("c2", json!(4)),
            ("c3", json!(5)),
        ]);
        let scores = score(&instrument(), &a);
        assert_eq!(scores[0].answered, 3);
        assert!((scores[0].mean.unwrap() - 13.0 / 3.0).abs() < 1e-12);
        assert_eq!(scores[1].answered, 1);
        assert_eq!(scores[1].mean, None);
        assert!((scores[2].mean.unwrap() - 8.0 / 3.0).abs() < 1e-12);

        // 2 of 3 answered is 66.7 % < 75 %: c does not count.
        let a = answers(&[
            ("a1", cj.clone()),
            ("a2", cj.clone()),
            ("a3", json!(1)),
            ("a4", json!(1)),
            ("b1", json!(2)),
            ("b2", json!(2)),
            ("c1", json!(3)),
            ("c2", json!(3)),
            ("c3", cj.clone()),
        ]);
        let scores = score(&instrument(), &a);
        assert_eq!(scores[0].mean, None, "2 of 4 answered");
        assert_eq!(scores[1].mean, Some(3.0), "b1 = 2, reverse b2 = 2 -> 4: mean 3");
        assert_eq!(scores[2].mean, None);
    }

    #[test]
    fn the_75_percent_rule() {
        assert!(enough_answered(3, 4));
        assert!(!enough_answered(2, 4));
        assert!(!enough_answered(1, 2));
        assert!(enough_answered(2, 2));
        assert!(!enough_answered(2, 3));
        assert!(enough_answered(9, 12));
        assert!(!enough_answered(8, 12));
        assert!(!enough_answered(0, 0));
    }

    #[test]
    fn reverse_items_are_mirrored() {
        assert_eq!(item_score(Scale::Agree5, 1, true), 5);
        assert_eq!(item_score(Scale::Agree5, 2, true), 4);
        assert_eq!(item_score(Scale::Agree5, 3, true), 3);
        assert_eq!(item_score(Scale::Agree5, 2, false), 2);
    }

    #[test]
    fn bad_answers_name_the_item() {
        let raw = vec![
            ("a1".to_string(), json!(6)),
            ("zz".to_string(), json!(3)),
            ("a2".to_string(), json!("maybe")),
            ("a3".to_string(), json!(2.5)),
            ("a4".to_string(), json!(3)),
            ("a4".to_string(), json!(3)),
            ("b1".to_string(), json!(null)),
            ("b2".to_string(), json!(0)),
            ("c1".to_string(), json!(3)),
            ("c2".to_string(), json!(3)),
        ];
        let errors = parse_answers(&instrument(), &raw).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "answers[0].value",
                "answers[1].item_id",
                "answers[2].value",
                "answers[3].value",
                "answers[5].item_id",
                "answers[6].value",
                "answers[7].value",
                "answers",
            ]
        );
        assert!(errors[0].message.contains("\"a1\""));
        assert!(errors[7].message.contains("\"c3\""), "the missing item is named");
    }

    #[test]
    fn scores_and_bands() {
        assert_eq!(to_score(1.0), 0.0);
        assert_eq!(to_score(5.0), 100.0);
        assert_eq!(to_score(3.4), 60.0);
        assert_eq!(Band::of(0.0), Band::Initial);
        assert_eq!(Band::of(19.99), Band::Initial);
        assert_eq!(Band::of(20.0), Band::Emerging);
        assert_eq!(Band::of(59.9), Band::Established);
        assert_eq!(Band::of(60.0), Band::Advanced);
        assert_eq!(Band::of(100.0), Band::Leading);
    }
}
