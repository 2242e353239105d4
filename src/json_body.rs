//! Typed request bodies with every field's problem reported at once, in words a person
//! understands. serde stops at the first wrong field; here the wrong value is noted, put
//! aside (replaced by a harmless value of the expected kind, or removed), and the body is
//! read again, until it reads or nothing more can be put aside.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::{Path, Segment};

use crate::error::{ApiError, FieldError};

/// More problems than this in one body are not worth a longer answer.
const MAX_PROBLEMS: usize = 30;

/// What a list where one object is expected is refused with.
pub const ONE_OBJECT: &str = "send one JSON object, not a list";

/// `T` from a JSON value; a list that does not read as `T` is refused with `list_hint`.
pub fn typed<T: DeserializeOwned>(mut value: Value, list_hint: &str) -> Result<T, ApiError> {
    whole_numbers(&mut value);
    if value.is_array() {
        // serde reads a struct from a list of its fields in order (`[null, null]`); a
        // body that is an object is never taken from a list. A list type reads `[]` and
        // not `{}`; a struct does the opposite or needs elements.
        let list_type = serde_json::from_value::<T>(Value::Array(Vec::new())).is_ok()
            && serde_json::from_value::<T>(Value::Object(serde_json::Map::new())).is_err();
        if !list_type {
            return Err(ApiError::field("body", list_hint));
        }
        return serde_json::from_value(value).map_err(|_| ApiError::field("body", list_hint));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    for _ in 0..MAX_PROBLEMS {
        let err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(parsed) if errors.is_empty() => return Ok(parsed),
            Ok(_) => break,
            Err(err) => err,
        };
        let path = err.path().clone();
        let raw = clean(&err.into_inner().to_string());
        let (field, message) = describe(&path, &raw);
        let repeated = errors.iter().any(|e| e.field == field);
        if !repeated {
            errors.push(FieldError::new(field, message));
        }
        if repeated || !put_aside(&mut value, &path, &raw) {
            break;
        }
    }
    Err(ApiError::Validation(errors))
}

/// `6.0` is the whole number 6 (JSON and JSON Schema make no difference between them),
/// so it reads where a whole number is expected.
fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            // Whole and within ±2^53, where every whole number is exact.
            if let Some(x) = n
                .as_f64()
                .filter(|x| x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_992.0)
            {
                #[allow(clippy::cast_possible_truncation)]
                let whole = x as i64;
                *value = Value::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// serde messages end in " at line 1 column 7"; the position is noise for a field error.
pub fn clean(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

fn path_text(path: &Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

fn join(parent: &str, field: &str) -> String {
    if parent.is_empty() {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

/// The text between the first pair of backticks after `after`.
fn quoted_after<'a>(msg: &'a str, after: &str) -> Option<&'a str> {
    let rest = &msg[msg.find(after)? + after.len()..];
    let start = rest.find('`')? + 1;
    let end = start + rest[start..].find('`')?;
    Some(&rest[start..end])
}

/// Messages chrono's parser gives for a time that is not RFC 3339.
const TIME_ERRORS: [&str; 7] = [
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is out of range",
    "input is not enough for unique date and time",
    "no possible date and time matching input",
    "bad or unsupported format string",
];

/// The field the problem belongs to and what to tell the person.
fn describe(path: &Path, raw: &str) -> (String, String) {
    let here = path_text(path);
    if let Some(field) = quoted_after(raw, "missing field") {
        return (join(&here, field), "is required".into());
    }
    if raw.starts_with("unknown field") {
        let field = quoted_after(raw, "unknown field").unwrap_or_default();
        // serde_path_to_error's path ends at the unknown field already.
        let field = if here.ends_with(field) {
            here.clone()
        } else {
            join(&here, field)
        };
        return (field, "is not a field of this request".into());
    }
    let field = if here.is_empty() { "body".to_owned() } else { here };
    let message = if let Some(list) = raw.strip_prefix("unknown variant") {
        let options: Vec<&str> = list
            .split("expected")
            .nth(1)
            .unwrap_or_default()
            .split('`')
            .skip(1)
            .step_by(2)
            .collect();
        format!("must be one of: {}", options.join(", "))
    } else if TIME_ERRORS.iter().any(|t| raw.contains(t)) {
        "must be a date and time such as 2027-04-13T07:00:00Z (RFC 3339, with a time zone)".into()
    } else if raw.starts_with("invalid value") {
        format!("is out of range ({})", raw.rsplit("expected ").next().unwrap_or(raw))
    } else if let Some(expected) = raw
        .strip_prefix("invalid type: ")
        .and_then(|r| r.split(", expected ").nth(1))
    {
        expected_words(expected)
    } else {
        raw.to_owned()
    };
    (field, message)
}

fn expected_words(expected: &str) -> String {
    let e = expected.trim();
    if e.contains("string") {
        "must be text".into()
    } else if e.contains("bool") {
        "must be true or false".into()
    } else if [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize", "integer",
    ]
    .iter()
    .any(|t| e == *t || e.ends_with(t))
    {
        "must be a whole number".into()
    } else if e.contains("f32") || e.contains("f64") || e.contains("number") {
        "must be a number".into()
    } else if e.contains("sequence") || e.contains("tuple") {
        "must be a list".into()
    } else if e.contains("map") || e.starts_with("struct") {
        "must be an object".into()
    } else {
        format!("must be {e}")
    }
}

/// A value of the kind `raw` says was expected, so the rest of the body can be read.
fn stand_in(raw: &str) -> Option<Value> {
    if let Some(first) = raw
        .strip_prefix("unknown variant")
        .and_then(|l| l.split("expected").nth(1))
        .and_then(|l| l.split('`').nth(1))
    {
        return Some(Value::String(first.to_owned()));
    }
    if TIME_ERRORS.iter().any(|t| raw.contains(t)) {
        return Some(Value::String("2000-01-01T00:00:00Z".into()));
    }
    let expected = raw.split(", expected ").nth(1).unwrap_or("");
    let words = expected_words(expected);
    Some(match words.as_str() {
        "must be text" => Value::String(String::new()),
        "must be true or false" => Value::Bool(false),
        "must be a whole number" => Value::from(0),
        "must be a number" => Value::from(0.0),
        "must be a list" => Value::Array(Vec::new()),
        "must be an object" => Value::Object(serde_json::Map::new()),
        _ => return None,
    })
}

/// Replaces (or removes) the value at `path`; false when nothing could be put aside.
fn put_aside(value: &mut Value, path: &Path, raw: &str) -> bool {
    if raw.contains("missing field") {
        return false;
    }
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut here = value;
    for s in parents {
        let next = match s {
            Segment::Seq { index } => here.get_mut(*index),
            Segment::Map { key } => here.get_mut(key.as_str()),
            _ => None,
        };
        let Some(next) = next else {
            return false;
        };
        here = next;
    }
    let replacement = if raw.starts_with("unknown field") {
        None
    } else {
        stand_in(raw)
    };
    match (last, here) {
        (Segment::Map { key }, Value::Object(map)) => match replacement {
            Some(v) => map.insert(key.clone(), v).is_some(),
            None => map.remove(key).is_some(),
        },
        (Segment::Seq { index }, Value::Array(items)) if *index < items.len() => match replacement {
            Some(v) => {
                items[*index] = v;
                true
            }
            None => {
                items.remove(*index);
                true
            }
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Schedule {
        enabled: bool,
        interval_months: i64,
        window_days: i64,
        first_due_at: chrono::DateTime<chrono::Utc>,
        kind: Kind,
        note: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Monthly,
        Yearly,
    }

    fn fields(err: ApiError) -> Vec<(String, String)> {
        match err {
            ApiError::Validation(list) => list.into_iter().map(|f| (f.field, f.message)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let body = json!({
            "enabled": "yes", "interval_months": "six", "window_days": 1.5,
            "first_due_at": "13.04.2027", "kind": "weekly", "note": 7, "colour": "red"
        });
        let got = fields(typed::<Schedule>(body, "one").unwrap_err());
        let find = |f: &str| got.iter().find(|(field, _)| field == f).map(|(_, m)| m.clone());
        assert_eq!(find("enabled").as_deref(), Some("must be true or false"), "{got:?}");
        assert_eq!(find("interval_months").as_deref(), Some("must be a whole number"));
        assert_eq!(find("window_days").as_deref(), Some("must be a whole number"));
        assert!(find("first_due_at").unwrap().contains("2027-04-13T07:00:00Z"));
        assert_eq!(find("kind").as_deref(), Some("must be one of: monthly, yearly"));
        assert_eq!(find("note").as_deref(), Some("must be text"));
        assert_eq!(find("colour").as_deref(), Some("is not a field of this request"));
        assert_eq!(got.len(), 7, "{got:?}");
    }

    #[test]
    fn missing_fields_and_lists() {
        let got = fields(typed::<Schedule>(json!({"enabled": true}), "one").unwrap_err());
        assert_eq!(got[0], ("interval_months".to_string(), "is required".to_string()));
        let got = fields(typed::<Schedule>(json!([{"enabled": true}]), "one object per request").unwrap_err());
        assert_eq!(got, vec![("body".to_string(), "one object per request".to_string())]);
        let ok: Schedule = typed(
            json!({"enabled": true, "interval_months": 6, "window_days": 21, "first_due_at": "2027-03-01T07:00:00Z", "kind": "yearly"}),
            "one",
        )
        .unwrap();
        assert!(ok.enabled);
    }
}
