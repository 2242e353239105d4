//! Questionnaire definitions: the import format, its validation, the answer scale and the
//! built-in default questionnaire (embedded from `questionnaires/default.json`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::fields;
use crate::domain::locale::{Lang, LocalizedText};
use crate::error::FieldError;

/// The built-in questionnaire, embedded so the binary is self-contained.
const BUILTIN_JSON: &str = include_str!("../../questionnaires/default.json");
/// Bump when `questionnaires/default.json` changes: a start then loads the new text as a
/// new version beside the old one (published versions are immutable).
pub const BUILTIN_VERSION: i64 = 1;

/// Stable keys of the built-in dimensions (ideas link to these).
pub const BUILTIN_DIMENSION_KEYS: [&str; 7] = [
    "leadership",
    "error_culture",
    "experimentation",
    "knowledge_sharing",
    "competence",
    "motivation",
    "learning_impact",
];

pub const MIN_ITEMS_PER_DIMENSION: usize = 2;
pub const MAX_ITEMS_PER_DIMENSION: usize = 12;
pub const MAX_DIMENSIONS: usize = 20;

/// A questionnaire version's state: drafts can be published (then immutable), published
/// versions archived (then no new rounds use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuestionnaireStatus {
    Draft,
    Published,
    Archived,
}

impl QuestionnaireStatus {
    pub const ALL: [QuestionnaireStatus; 3] = [
        QuestionnaireStatus::Draft,
        QuestionnaireStatus::Published,
        QuestionnaireStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionnaireStatus::Draft => "draft",
            QuestionnaireStatus::Published => "published",
            QuestionnaireStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionnaireStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Answer scales the service knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Scale {
    /// Agreement from 1 ("strongly disagree") to 5 ("strongly agree"), plus "can't judge".
    #[serde(rename = "agree-5")]
    Agree5,
}

impl Scale {
    pub const ALL: [Scale; 1] = [Scale::Agree5];

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Agree5 => "agree-5",
        }
    }

    pub fn parse(s: &str) -> Option<Scale> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn min(self) -> u8 {
        1
    }

    pub fn max(self) -> u8 {
        5
    }

    /// Labels of the values `min..=max`, in order.
    pub fn labels(self, lang: Lang) -> [&'static str; 5] {
        match (self, lang) {
            (Scale::Agree5, Lang::De) => [
                "trifft gar nicht zu",
                "trifft eher nicht zu",
                "teils, teils",
                "trifft eher zu",
                "trifft voll zu",
            ],
            (Scale::Agree5, Lang::En) => [
                "strongly disagree",
                "disagree",
                "neither agree nor disagree",
                "agree",
                "strongly agree",
            ],
        }
    }

    pub fn cant_judge_label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::De => "kann ich nicht beurteilen",
            Lang::En => "can't judge",
        }
    }
}

/// A questionnaire as imported (and as exported by `GET /questionnaires/{id}/definition`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "teamklima",
    "title": {"de": "Teamklima", "en": "Team climate"},
    "scale": "agree-5",
    "dimensions": [{
        "key": "error_culture",
        "name": {"de": "Fehlerkultur", "en": "Error culture"},
        "description": {"de": "Ein niedriger Wert heißt: Fehler werden verschwiegen.", "en": "A low score means mistakes are hushed up."},
        "items": [
            {"key": "ec.1", "text": {"de": "Fehler darf man bei uns zugeben.", "en": "Admitting mistakes is fine here."}},
            {"key": "ec.2", "text": {"de": "Wer Fehler macht, wird bloßgestellt.", "en": "People who make mistakes are shown up."}, "reverse": true}
        ]
    }]
}))]
pub struct QuestionnaireDefinition {
    /// Family key, e.g. `lernkultur`: importing the same key again makes a new version.
    pub key: String,
    pub title: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// Answer scale; `agree-5` is the one known scale.
    pub scale: String,
    pub dimensions: Vec<DimensionDefinition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "error_culture", "name": {"de": "Fehlerkultur", "en": "Error culture"}, "description": {"de": "Ein niedriger Wert heißt: Fehler werden verschwiegen.", "en": "A low score means mistakes are hushed up."}, "items": [{"key": "ec.1", "text": {"de": "Fehler darf man bei uns zugeben.", "en": "Admitting mistakes is fine here."}}, {"key": "ec.2", "text": {"de": "Wer Fehler macht, wird bloßgestellt.", "en": "People who make mistakes are shown up."}, "reverse": true}]}))]
pub struct DimensionDefinition {
    /// Stable key shared by all versions, e.g. `error_culture`; rounds are compared by it.
    pub key: String,
    pub name: LocalizedText,
    /// What the dimension covers and what a low score means in practice.
    pub description: LocalizedText,
    /// 2–12 items.
    pub items: Vec<ItemDefinition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "ec.2", "text": {"de": "Wer Fehler macht, wird bloßgestellt.", "en": "People who make mistakes are shown up."}, "reverse": true}))]
pub struct ItemDefinition {
    /// Unique within the questionnaire, e.g. `error_culture.2`; answers name items by it.
    pub key: String,
    pub text: LocalizedText,
    /// Reverse-worded: agreement means a worse state, so the score is 6 − value.
    #[serde(default)]
    pub reverse: bool,
}

fn key_error(raw: &str, max: usize, extra: &[char]) -> Option<String> {
    let ok = !raw.is_empty()
        && raw.len() <= max
        && raw.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || extra.contains(&c));
    let allowed = if extra.is_empty() {
        "a-z, 0-9 and _".to_string()
    } else {
        format!(
            "a-z, 0-9, _ and {}",
            extra.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
        )
    };
    (!ok).then(|| format!("must be 1-{max} characters of {allowed}, starting with a letter or digit"))
}

fn check_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: &LocalizedText,
    max: usize,
    multiline: bool,
) -> LocalizedText {
    if text.de.is_none() && text.en.is_none() {
        errors.push(FieldError::new(field, "needs a German (de) or English (en) text"));
        return text.clone();
    }
    let mut clean = LocalizedText::default();
    for (lang, slot) in [(Lang::De, &text.de), (Lang::En, &text.en)] {
        if let Some(raw) = slot {
            match fields::text(raw, max, multiline) {
                Ok(t) => match lang {
                    Lang::De => clean.de = Some(t),
                    Lang::En => clean.en = Some(t),
                },
                Err(m) => errors.push(FieldError::new(format!("{field}.{lang}"), m)),
            }
        }
    }
    clean
}

impl QuestionnaireDefinition {
    /// Checks every rule and returns the trimmed definition, or one error per bad field.
    pub fn validate(&self) -> Result<QuestionnaireDefinition, Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(m) = key_error(&self.key, 64, &['-']) {
            errors.push(FieldError::new("key", m));
        }
        let title = check_text(&mut errors, "title", &self.title, 200, false);
        let description = self
            .description
            .as_ref()
            .map(|d| check_text(&mut errors, "description", d, 4000, true));
        if Scale::parse(&self.scale).is_none() {
            let known: Vec<&str> = Scale::ALL.iter().map(|s| s.as_str()).collect();
            errors.push(FieldError::new(
                "scale",
                format!("unknown scale; use one of: {}", known.join(", ")),
            ));
        }
        if self.dimensions.is_empty() || self.dimensions.len() > MAX_DIMENSIONS {
            errors.push(FieldError::new(
                "dimensions",
                format!("must have 1 to {MAX_DIMENSIONS} dimensions"),
            ));
        }
        let mut dimension_keys = HashSet::new();
        let mut item_keys = HashSet::new();
        let mut dimensions = Vec::with_capacity(self.dimensions.len());
        for (d, dim) in self.dimensions.iter().enumerate() {
            let at = format!("dimensions[{d}]");
            if let Some(m) = key_error(&dim.key, 64, &[]) {
                errors.push(FieldError::new(format!("{at}.key"), m));
            } else if !dimension_keys.insert(dim.key.as_str()) {
                errors.push(FieldError::new(
                    format!("{at}.key"),
                    format!("the key {:?} is used by another dimension", dim.key),
                ));
            }
            let name = check_text(&mut errors, &format!("{at}.name"), &dim.name, 120, false);
            let description = check_text(&mut errors, &format!("{at}.description"), &dim.description, 2000, true);
            if !(MIN_ITEMS_PER_DIMENSION..=MAX_ITEMS_PER_DIMENSION).contains(&dim.items.len()) {
                errors.push(FieldError::new(
                    format!("{at}.items"),
                    format!("must have {MIN_ITEMS_PER_DIMENSION} to {MAX_ITEMS_PER_DIMENSION} items"),
                ));
            }
            let mut items = Vec::with_capacity(dim.items.len());
            for (i, item) in dim.items.iter().enumerate() {
                let at = format!("{at}.items[{i}]");
                if let Some(m) = key_error(&item.key, 64, &['.', '-']) {
                    errors.push(FieldError::new(format!("{at}.key"), m));
                } else if !item_keys.insert(item.key.as_str()) {
                    errors.push(FieldError::new(
                        format!("{at}.key"),
                        format!("the key {:?} is used by another item", item.key),
                    ));
                }
                let text = check_text(&mut errors, &format!("{at}.text"), &item.text, 500, false);
                items.push(ItemDefinition {
                    key: item.key.clone(),
                    text,
                    reverse: item.reverse,
                });
            }
            dimensions.push(DimensionDefinition {
                key: dim.key.clone(),
                name,
                description,
                items,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(QuestionnaireDefinition {
            key: self.key.clone(),
            title,
            description,
            scale: self.scale.clone(),
            dimensions,
        })
    }
}

/// The built-in default questionnaire, validated.
pub fn builtin() -> Result<QuestionnaireDefinition, String> {
    let raw: QuestionnaireDefinition =
        serde_json::from_str(BUILTIN_JSON).map_err(|e| format!("questionnaires/default.json: {e}"))?;
    raw.validate().map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect();
        format!("questionnaires/default.json is invalid: {}", list.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> LocalizedText {
        LocalizedText::new(s, s)
    }

    fn item(key: &str) -> ItemDefinition {
        ItemDefinition {
            key: key.into(),
            text: text("Aussage"),
            reverse: false,
        }
    }

    fn valid() -> QuestionnaireDefinition {
        QuestionnaireDefinition {
            key: "teamklima".into(),
            title: text("Teamklima"),
            description: None,
            scale: "agree-5".into(),
            dimensions: vec![DimensionDefinition {
                key: "klima".into(),
                name: text("Klima"),
                description: text("Niedrig heißt: schlechtes Klima."),
                items: vec![item("k.1"), item("k.2")],
            }],
        }
    }

    fn fields_of(def: &QuestionnaireDefinition) -> Vec<String> {
        match def.validate() {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn the_builtin_questionnaire_is_valid_and_complete() {
        let def = builtin().unwrap();
        let keys: Vec<&str> = def.dimensions.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, BUILTIN_DIMENSION_KEYS);
        for dim in &def.dimensions {
            assert_eq!(dim.items.len(), 4, "{}", dim.key);
            assert!(dim.items.iter().any(|i| i.reverse), "{} needs a reverse item", dim.key);
            assert!(dim.items.iter().any(|i| !i.reverse), "{} needs a plain item", dim.key);
            for lang in Lang::ALL {
                assert_eq!(dim.name.languages(), Lang::ALL.to_vec());
                assert!(dim.description.get(lang).len() > 80, "{} {lang} description", dim.key);
                for i in &dim.items {
                    assert_eq!(i.text.languages(), Lang::ALL.to_vec(), "{}", i.key);
                }
            }
            assert!(dim.description.get(Lang::De).contains("niedriger Wert"));
            assert!(dim.description.get(Lang::En).contains("low score"));
        }
    }

    #[test]
    fn a_valid_definition_passes_trimmed() {
        let mut def = valid();
        def.title.de = Some("  Teamklima  ".into());
        assert_eq!(def.validate().unwrap().title.de.as_deref(), Some("Teamklima"));
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut def = valid();
        def.scale = "stars-10".into();
        def.dimensions[0].items[1].key = "k.1".into();
        assert_eq!(fields_of(&def), vec!["scale", "dimensions[0].items[1].key"]);

        let mut def = valid();
        def.dimensions.push(def.dimensions[0].clone());
        def.dimensions[1].items = vec![item("x.1"), item("x.2")];
        assert_eq!(fields_of(&def), vec!["dimensions[1].key"]);

        let mut def = valid();
        def.dimensions[0].items.truncate(1);
        assert_eq!(fields_of(&def), vec!["dimensions[0].items"]);
        let mut def = valid();
        def.dimensions[0].items = (0..13).map(|i| item(&format!("k.{i}"))).collect();
        assert_eq!(fields_of(&def), vec!["dimensions[0].items"]);

        let mut def = valid();
        def.dimensions[0].items[0].text.en = Some("   ".into());
        def.dimensions[0].name = LocalizedText::default();
        def.key = "Mit Leerzeichen".into();
        assert_eq!(
            fields_of(&def),
            vec!["key", "dimensions[0].name", "dimensions[0].items[0].text.en"]
        );

        let mut def = valid();
        def.dimensions.clear();
        assert_eq!(fields_of(&def), vec!["dimensions"]);
    }

    #[test]
    fn scale_labels_cover_every_value() {
        for lang in Lang::ALL {
            let labels = Scale::Agree5.labels(lang);
            assert_eq!(labels.len(), usize::from(Scale::Agree5.max() - Scale::Agree5.min() + 1));
        }
    }
}
