//! The rules of single fields that the server checks, stated in the OpenAPI document so
//! that a request the document calls valid is one the server accepts (what it can state:
//! lengths, ranges, list sizes and the form of text). Rules that depend on stored state
//! (an id names an existing unit, a version is current) or on several fields together
//! (a step's required evidence) are described in prose beside the operations.
//!
//! The limits come from the constants the validation code uses; `tests` below check the
//! patterns against that code.

use serde_json::{Map, Value, json};

use crate::domain::fields::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use crate::domain::ideas::{MAX_CO_AUTHORS, MAX_DIMENSION_KEY_LEN, MAX_DIMENSIONS};
use crate::views::ideas::{LONG_TEXT_MAX, TITLE_MAX};

/// White space as `str::trim` removes it (Unicode White_Space).
const WHITE: &str = "\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// Characters text never holds inside: control characters (C0, DEL, C1) and the invisible
/// or direction-changing ones of `fields::is_invisible_control`. Tag characters
/// (U+E0000–U+E007F) are refused as well but lie outside what a pattern without the
/// Unicode flag can name.
const HIDDEN: &str = "\\u0000-\\u001f\\u007f-\\u009f\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\
\\u200b\\u200e\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb";

/// The zero-width non-joiner and joiner: only between two visible characters.
const JOINERS: &str = "\\u200c\\u200d";

/// White space allowed inside text: what is neither a control nor invisible; in text of
/// several lines also tab, line feed and carriage return.
fn inner_space(multiline: bool) -> String {
    let tabs = if multiline { "\\u0009\\u000a\\u000d" } else { "" };
    format!("{tabs}\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000")
}

/// Text as `fields::text` accepts it: white space at either end (trimmed away), then
/// `min..=max` characters (`min` ≥ 1) that begin and end with a visible one, with no
/// control or invisible character inside. The server also takes a zero-width joiner
/// between two visible characters (emoji sequences); the pattern leaves joiners out.
pub fn text_pattern(min: usize, max: usize, multiline: bool) -> String {
    let visible = format!("[^{WHITE}{HIDDEN}{JOINERS}]");
    let inner = format!("[^{WHITE}{HIDDEN}{JOINERS}]|[{}]", inner_space(multiline));
    let core = if max <= 1 {
        visible.clone()
    } else if min <= 1 {
        format!("{visible}(?:(?:{inner}){{0,{}}}{visible})?", max - 2)
    } else {
        format!("{visible}(?:{inner}){{{},{}}}{visible}", min - 2, max - 2)
    };
    format!("^[{WHITE}]*{core}[{WHITE}]*$")
}

/// Search text: `min..=max` characters of any kind once white space is trimmed from both
/// ends.
pub fn search_pattern(min: usize, max: usize) -> String {
    format!(
        "^[{WHITE}]*[^{WHITE}][\\s\\S]{{{},{}}}[^{WHITE}][{WHITE}]*$",
        min.saturating_sub(2),
        max - 2
    )
}

/// An e-mail address as `Email::parse` accepts it (which also limits the part before the
/// `@` to 64 bytes and the whole to 254).
pub fn email_pattern() -> String {
    let c = format!("[^@{WHITE}{HIDDEN}]");
    let d = format!("[^@.{WHITE}{HIDDEN}]");
    format!("^[{WHITE}]*{c}{{1,64}}@{d}+(?:\\.{d}+)+[{WHITE}]*$")
}

/// An ETag of a version, weak or strong, or the bare number, as `ExpectedVersion::resolve`
/// reads it.
pub const IF_MATCH: &str = "^(W/)?(\"[0-9]{1,18}\"|[0-9]{1,18})$";

#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Trimmed text of `min..=max` characters (`fields::text`).
    Text {
        min: usize,
        max: usize,
        multiline: bool,
    },
    Email,
    /// `fields::new_password`: 12 to 256 characters, not only white space.
    Password,
    /// An integer range.
    Int {
        min: i64,
        max: i64,
    },
    /// A number range.
    Number {
        min: f64,
        max: f64,
    },
    /// A list of at most this many entries.
    Items(usize),
    /// A calendar day `YYYY-MM-DD` of 1970–2199.
    Day,
    /// A dimension key (`ideas::dimension_key_format`), as the items of a list.
    DimensionKeys,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// A non-empty list of these words.
    SomeOf(&'static [&'static str]),
    /// An http or https address (`routes::webhooks::validate`; the server also limits it
    /// to 2,000 bytes).
    WebAddress,
}

use Rule::*;

const LINE: fn(usize) -> Rule = |max| Text {
    min: 1,
    max,
    multiline: false,
};
const LINES: fn(usize) -> Rule = |max| Text {
    min: 1,
    max,
    multiline: true,
};
const AMOUNT: Rule = Number { min: 0.0, max: 1e12 };
const SIGNED_AMOUNT: Rule = Number { min: -1e12, max: 1e12 };

/// (schema, property, rule) for the request bodies.
fn table() -> Vec<(&'static str, &'static str, Rule)> {
    let mut t = vec![
        ("ChangePassword", "new_password", Password),
        ("UpdateOrganization", "name", LINE(200)),
        ("UpdateOrganization", "default_locale", OneOf(&["de", "en"])),
        ("CreateWebhook", "url", WebAddress),
        (
            "CreateWebhook",
            "event_types",
            SomeOf(crate::store::outbox::EVENT_TYPES),
        ),
        ("RotateSecret", "grace_hours", Int { min: 0, max: 168 }),
        ("UpdateOrganization", "min_group_size", Int { min: 3, max: 100 }),
        ("UpdateOrganization", "weak_threshold", Number { min: 0.0, max: 100.0 }),
        ("UpdateOrganization", "weak_count", Int { min: 0, max: 20 }),
        ("UpdateOrganization", "stuck_stage_days", Int { min: 1, max: 3650 }),
        ("CreateUser", "email", Email),
        ("CreateUser", "display_name", LINE(120)),
        ("CreateUser", "password", Password),
        ("UpdateUser", "email", Email),
        ("UpdateUser", "display_name", LINE(120)),
        ("CreateUnit", "name", LINE(120)),
        ("UpdateUnit", "name", LINE(120)),
        ("CreateAssessment", "title", LINE(200)),
        ("UpdateAssessment", "title", LINE(200)),
        ("UpdateReassessment", "interval_months", Int { min: 1, max: 36 }),
        ("UpdateReassessment", "window_days", Int { min: 1, max: 90 }),
        ("UpdateReassessment", "title_pattern", LINE(200)),
        (
            "CreateIdea",
            "code_word",
            Text {
                min: 3,
                max: 40,
                multiline: false,
            },
        ),
        ("ImpactEstimateBody", "hours_saved_per_year", AMOUNT),
        ("ImpactEstimateBody", "cost_saved_per_year", AMOUNT),
        ("ImpactEstimateBody", "quality_benefit", LINES(2000)),
        ("CoAuthorBody", "share", Int { min: 1, max: 99 }),
        ("CreateComment", "body", LINES(LONG_TEXT_MAX)),
        ("UpdateComment", "body", LINES(LONG_TEXT_MAX)),
        ("TransitionRequest", "note", LINES(2000)),
        ("TransitionRequest", "owner_id", LINE(64)),
        ("TransitionRequest", "kpi_name", LINE(200)),
        ("TransitionRequest", "kpi_unit", LINE(40)),
        ("TransitionRequest", "due_date", Day),
        ("TransitionRequest", "kpi_baseline", SIGNED_AMOUNT),
        ("TransitionRequest", "kpi_target", SIGNED_AMOUNT),
        ("TransitionRequest", "measured_value", SIGNED_AMOUNT),
        ("TransitionRequest", "measured_hours_saved_per_year", AMOUNT),
        ("TransitionRequest", "measured_cost_saved_per_year", AMOUNT),
        ("TransitionRequest", "reason", LINES(2000)),
        ("TransitionRequest", "duplicate_of", LINE(64)),
    ];
    for field in [
        "problem",
        "goal",
        "prediction",
        "do_summary",
        "deviations",
        "findings",
        "new_standard",
        "next_cycle_changes",
    ] {
        t.push(("TransitionRequest", field, LINES(LONG_TEXT_MAX)));
    }
    for schema in ["CreateIdea", "UpdateIdea"] {
        t.push((schema, "title", LINE(TITLE_MAX)));
        for field in ["current_situation", "proposal", "expected_benefit"] {
            t.push((schema, field, LINES(LONG_TEXT_MAX)));
        }
        t.push((schema, "author_share", Int { min: 1, max: 100 }));
        t.push((schema, "dimensions", Items(MAX_DIMENSIONS)));
        t.push((schema, "dimensions", DimensionKeys));
        t.push((schema, "co_authors", Items(MAX_CO_AUTHORS)));
    }
    t
}

fn apply(rule: Rule, property: &mut Map<String, Value>) {
    match rule {
        Text { min, max, multiline } => {
            property.insert("pattern".into(), json!(text_pattern(min, max, multiline)));
        }
        Email => {
            property.insert("pattern".into(), json!(email_pattern()));
        }
        Password => {
            property.insert("minLength".into(), json!(MIN_PASSWORD_CHARS));
            property.insert("maxLength".into(), json!(MAX_PASSWORD_CHARS));
            property.insert("pattern".into(), json!(format!("[^{WHITE}]")));
        }
        Int { min, max } => {
            property.insert("minimum".into(), json!(min));
            property.insert("maximum".into(), json!(max));
        }
        Number { min, max } => {
            property.insert("minimum".into(), json!(min));
            property.insert("maximum".into(), json!(max));
        }
        Items(n) => {
            property.insert("maxItems".into(), json!(n));
        }
        Day => {
            // The pattern does not know month lengths (a 30 February passes it).
            property.insert(
                "pattern".into(),
                json!("^(19[7-9][0-9]|2[01][0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
            );
        }
        OneOf(words) => {
            // Null stays allowed where the property is optional.
            let mut values: Vec<Value> = words.iter().map(|w| json!(w)).collect();
            if property.get("type").is_some_and(|t| t.to_string().contains("null")) {
                values.push(Value::Null);
            }
            property.insert("enum".into(), Value::Array(values));
        }
        SomeOf(words) => {
            property.insert("minItems".into(), json!(1));
            if let Some(Value::Object(items)) = property.get_mut("items") {
                items.insert("enum".into(), json!(words));
            }
        }
        WebAddress => {
            property.insert(
                "pattern".into(),
                json!(format!(
                    "^[{WHITE}]*[hH][tT][tT][pP][sS]?://[^/{WHITE}][^{WHITE}]*[{WHITE}]*$"
                )),
            );
        }
        DimensionKeys => {
            property.insert("uniqueItems".into(), json!(true));
            if let Some(Value::Object(items)) = property.get_mut("items") {
                items.insert("maxLength".into(), json!(MAX_DIMENSION_KEY_LEN));
                items.insert("pattern".into(), json!("^[a-z][a-z0-9_]*$"));
            }
        }
    }
}

/// Writes the rules into the document's component schemas and states the form of
/// `If-Match` (an ETag of a version, as `ETag` answers give it).
pub fn state(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (schema, property, rule) in table() {
            let found = schemas
                .get_mut(schema)
                .and_then(|s| s.get_mut("properties"))
                .and_then(|p| p.get_mut(property))
                .and_then(Value::as_object_mut);
            if let Some(found) = found {
                apply(rule, found);
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for p in params.iter_mut() {
                let (place, name) = (p["in"].clone(), p["name"].clone());
                let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
                    continue;
                };
                match (place.as_str(), name.as_str()) {
                    // Absent or an ETag; never `null`.
                    (Some("header"), Some("If-Match")) => {
                        schema.insert("type".into(), json!("string"));
                        schema.insert("pattern".into(), json!(IF_MATCH));
                    }
                    (Some("query"), Some("status")) if path == "/api/v1/outbox" => {
                        schema.insert("enum".into(), json!(["failed", "pending", "delivered"]));
                    }
                    (Some("query"), Some("status")) if path == "/api/v1/outbox/mail" => {
                        schema.insert("enum".into(), json!(["failed", "pending", "delivered", "skipped"]));
                    }
                    (Some("query"), Some("dimension")) => {
                        // A filter may name a key twice (not a list of links).
                        apply(DimensionKeys, schema);
                        schema.remove("uniqueItems");
                    }
                    (Some("query"), Some("q")) if schema.contains_key("minLength") => {
                        // `GET /people`: 2–100 characters once trimmed.
                        schema.remove("minLength");
                        schema.remove("maxLength");
                        schema.insert("pattern".into(), json!(search_pattern(2, 100)));
                    }
                    _ => {}
                }
                // A URL never carries NUL (refused with 400 before any route).
                let plain_text = schema.get("type") == Some(&json!("string"))
                    && !schema.contains_key("pattern")
                    && !schema.contains_key("enum")
                    && !schema.contains_key("format");
                if matches!(place.as_str(), Some("query" | "path")) && plain_text {
                    schema.insert("pattern".into(), json!("^[^\\u0000]*$"));
                }
            }
        }
    }
}

/// The table names schemas and properties that exist.
pub fn unknown_entries(doc: &Value) -> Vec<String> {
    table()
        .into_iter()
        .filter(|(schema, property, _)| {
            doc.pointer(&format!("/components/schemas/{schema}/properties/{property}"))
                .is_none()
        })
        .map(|(schema, property, _)| format!("{schema}.{property}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fields;

    fn matches(pattern: &str, s: &str) -> bool {
        use std::collections::HashMap;
        use std::sync::Mutex;
        static COMPILED: Mutex<Option<HashMap<String, regex::Regex>>> = Mutex::new(None);
        let mut compiled = COMPILED.lock().expect("lock");
        let map = compiled.get_or_insert_with(HashMap::new);
        map.entry(pattern.to_owned())
            .or_insert_with(|| regex::Regex::new(pattern).expect("pattern compiles"))
            .is_match(s)
    }

    /// Characters around every edge of what the patterns name.
    fn samples() -> Vec<String> {
        let mut chars: Vec<char> = (0u32..0x250).filter_map(char::from_u32).collect();
        chars.extend(
            [
                0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b, 0x180e, 0x180f, 0x1810, 0x2000, 0x200a, 0x200b,
                0x200c, 0x200d, 0x200e, 0x200f, 0x2010, 0x2027, 0x2028, 0x202e, 0x202f, 0x205f, 0x2060, 0x2064, 0x2065,
                0x2066, 0x206f, 0x2070, 0x3000, 0x3164, 0xfeff, 0xffa0, 0xfff9, 0xfffb, 0xfffc, 0x1f600,
            ]
            .into_iter()
            .filter_map(char::from_u32),
        );
        let mut out = Vec::new();
        for c in chars {
            out.push(c.to_string());
            out.push(format!("a{c}b"));
            out.push(format!("{c}ab"));
            out.push(format!("ab{c}"));
        }
        out.extend(
            [
                "",
                " ",
                "ab",
                " ab",
                "ab ",
                "a\nb",
                "Bürgeramt öffnet",
                "👩\u{200d}💻 Team",
            ]
            .map(String::from),
        );
        out
    }

    #[test]
    fn text_the_document_calls_valid_is_text_the_server_accepts_and_no_other() {
        for multiline in [false, true] {
            let pattern = text_pattern(1, 100, multiline);
            let mut accepted = 0;
            for s in samples() {
                let server = fields::text(&s, 100, multiline).is_ok();
                // The server also takes a joiner between two visible characters.
                let joined = s.contains(['\u{200c}', '\u{200d}']);
                if matches(&pattern, &s) {
                    accepted += 1;
                    assert!(server, "{s:?} (multiline {multiline})");
                } else {
                    assert!(
                        !server || joined,
                        "{s:?} refused by the pattern only (multiline {multiline})"
                    );
                }
            }
            assert!(accepted > 500, "the pattern lets ordinary text through ({accepted})");
        }
        // Lengths count the trimmed text.
        let short = text_pattern(3, 5, false);
        for (s, ok) in [
            ("ab", false),
            (" abc ", true),
            ("a b c", true),
            ("abcdef", false),
            ("  abcde\n", true),
        ] {
            assert_eq!(matches(&short, s), ok, "{s:?}");
            assert_eq!(
                crate::domain::ideas::code_word(s).is_ok() && s.trim().chars().count() <= 5,
                ok,
                "{s:?}"
            );
        }
        assert!(matches(&text_pattern(1, 100, true), "Zeile 1\nZeile 2"));
        assert!(!matches(&text_pattern(1, 100, false), "Zeile 1\nZeile 2"));
    }

    #[test]
    fn passwords_the_document_calls_valid_are_passwords_the_server_accepts() {
        let pattern = format!("[^{WHITE}]");
        for s in samples() {
            let long = s.repeat(12);
            let in_length = (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&long.chars().count());
            assert_eq!(
                in_length && matches(&pattern, &long),
                fields::new_password(&long).is_ok(),
                "{long:?}"
            );
        }
    }

    #[test]
    fn addresses_the_document_calls_valid_are_addresses_the_server_accepts() {
        let pattern = email_pattern();
        let mut tried = 0;
        for s in samples() {
            for address in [format!("{s}@amt.de"), format!("x@{s}.de"), format!("x@amt.{s}")] {
                let server = fields::Email::parse(&address).is_ok();
                if matches(&pattern, &address) {
                    tried += 1;
                    assert!(server, "{address:?}");
                } else {
                    assert!(!server, "{address:?} refused by the pattern only");
                }
            }
        }
        assert!(tried > 500);
        for bad in ["a@b", "@b.de", "a@.de", "a@b..de", "a b@c.de", "a@b.de."] {
            assert!(!matches(&pattern, bad), "{bad}");
        }
    }

    #[test]
    fn every_rule_names_a_field_of_the_document() {
        let doc = serde_json::to_value(crate::openapi::document()).expect("document");
        assert_eq!(unknown_entries(&doc), Vec::<String>::new());
        assert_eq!(
            doc.pointer("/components/schemas/CreateIdea/properties/title/pattern"),
            Some(&json!(text_pattern(1, TITLE_MAX, false)))
        );
    }
}
