//! Languages of questionnaire texts and how a request chooses one.
//!
//! The rule: `?lang=` wins; otherwise the `Accept-Language` entry with the highest q-value
//! that we can serve; with no preference at all, the organisation's default language
//! (German unless changed). A preference only for languages we do not have falls back to
//! English, the more widely understood of the two. A single text missing in the chosen
//! language (custom questionnaires may have only one) falls back to English, then German.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    De,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// A language tag such as `de`, `de-AT` or `EN_gb`, matched by its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.as_str() == primary)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language preference read from a request.
pub fn negotiate(query: Option<&str>, accept_language: Option<&str>, default: Lang) -> Lang {
    if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
        return Lang::from_tag(q).unwrap_or(Lang::En);
    }
    let Some(header) = accept_language.map(str::trim).filter(|h| !h.is_empty()) else {
        return default;
    };
    let mut wanted: Vec<(f64, usize, &str)> = Vec::new();
    for (position, entry) in header.split(',').enumerate() {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        if tag.is_empty() {
            continue;
        }
        let mut q = 1.0;
        let mut malformed = false;
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                match value.trim().parse::<f64>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => q = v,
                    _ => malformed = true,
                }
            }
        }
        // q=0 means "not acceptable"; a malformed entry is ignored as RFC 9110 allows.
        if !malformed && q > 0.0 {
            wanted.push((q, position, tag));
        }
    }
    // Highest q first; equal q keeps the order the client wrote.
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, tag) in &wanted {
        if *tag == "*" {
            return default;
        }
        if let Some(lang) = Lang::from_tag(tag) {
            return lang;
        }
    }
    if wanted.is_empty() { default } else { Lang::En }
}

/// A text in German and/or English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"de": "Führung für Lernen", "en": "Leadership for learning"}))]
pub struct LocalizedText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub de: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LocalizedText {
    pub fn new(de: &str, en: &str) -> Self {
        Self {
            de: Some(de.to_owned()),
            en: Some(en.to_owned()),
        }
    }

    fn slot(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::De => self.de.as_deref(),
            Lang::En => self.en.as_deref(),
        }
    }

    /// The text in `lang`, else English, else German (empty only if there is none at all).
    pub fn get(&self, lang: Lang) -> &str {
        self.slot(lang)
            .or_else(|| self.slot(Lang::En))
            .or_else(|| self.slot(Lang::De))
            .unwrap_or("")
    }

    /// Languages present.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL.into_iter().filter(|l| self.slot(*l).is_some()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameter_wins() {
        assert_eq!(negotiate(Some("en"), Some("de"), Lang::De), Lang::En);
        assert_eq!(negotiate(Some("de-AT"), Some("en"), Lang::En), Lang::De);
        assert_eq!(
            negotiate(Some("fr"), Some("de"), Lang::De),
            Lang::En,
            "unknown falls back to English"
        );
        assert_eq!(
            negotiate(Some("  "), Some("en"), Lang::De),
            Lang::En,
            "blank is no choice"
        );
    }

    #[test]
    fn accept_language_is_ordered_by_q_value() {
        assert_eq!(negotiate(None, Some("en;q=0.5, de;q=0.9"), Lang::En), Lang::De);
        assert_eq!(negotiate(None, Some("de;q=0.4, en-GB"), Lang::De), Lang::En);
        assert_eq!(
            negotiate(None, Some("fr-CH, fr;q=0.9, de;q=0.7, *;q=0.5"), Lang::En),
            Lang::De
        );
        assert_eq!(
            negotiate(None, Some("fr, it;q=0.8"), Lang::De),
            Lang::En,
            "English fallback"
        );
        assert_eq!(
            negotiate(None, Some("fr, *;q=0.1"), Lang::De),
            Lang::De,
            "wildcard means default"
        );
        assert_eq!(
            negotiate(None, Some("en;q=0, de;q=0.2"), Lang::En),
            Lang::De,
            "q=0 excludes"
        );
        assert_eq!(
            negotiate(None, Some("en;q=x, de;q=0.2"), Lang::En),
            Lang::De,
            "malformed entry ignored"
        );
        assert_eq!(
            negotiate(None, Some("en, de"), Lang::De),
            Lang::En,
            "equal q keeps order"
        );
    }

    #[test]
    fn no_preference_uses_the_default() {
        assert_eq!(negotiate(None, None, Lang::De), Lang::De);
        assert_eq!(negotiate(None, Some(""), Lang::En), Lang::En);
    }

    #[test]
    fn missing_texts_fall_back_to_english_then_german() {
        let both = LocalizedText::new("Hallo", "Hello");
        assert_eq!(both.get(Lang::De), "Hallo");
        assert_eq!(both.get(Lang::En), "Hello");
        let german = LocalizedText {
            de: Some("Nur Deutsch".into()),
            en: None,
        };
        assert_eq!(german.get(Lang::En), "Nur Deutsch");
        let english = LocalizedText {
            de: None,
            en: Some("English only".into()),
        };
        assert_eq!(english.get(Lang::De), "English only");
        assert_eq!(english.languages(), vec![Lang::En]);
    }
}
