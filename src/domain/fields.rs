//! Validated values at the edge of the API: once parsed, they are trusted.

/// A lower-cased e-mail address: unique per installation regardless of case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err("must not be empty".into());
        }
        if s.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("is not a valid e-mail address".into());
        };
        let valid = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && s.chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !is_invisible_control(c));
        if valid {
            Ok(Self(s))
        } else {
            Err("is not a valid e-mail address".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Trimmed, non-empty text of bounded length without control characters (newlines
/// allowed only where `multiline`).
pub fn text(raw: &str, max_chars: usize, multiline: bool) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    let bad = s
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')));
    if bad {
        return Err("must not contain control characters".into());
    }
    visible(s)?;
    Ok(s.to_owned())
}

/// Characters that change how the text around them is shown without being seen
/// themselves: bidirectional embeddings, overrides and isolates, direction marks,
/// zero-width and invisible formatting characters, tag characters, fillers that render as
/// nothing, line and paragraph separators. In a title or a file name they make one text
/// look like another ("Rechnung\u{202E}fdp.exe"). The zero-width joiner and non-joiner
/// are judged by `visible` (they belong inside emoji and some scripts).
pub fn is_invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

fn joiner(c: char) -> bool {
    c == '\u{200C}' || c == '\u{200D}'
}

/// Refuses text with invisible or direction-changing characters (`is_invisible_control`),
/// naming the first one found. A zero-width joiner or non-joiner passes only between two
/// visible characters (inside an emoji sequence or a word), never at an edge or beside a
/// space, where it would only hide.
pub fn visible(s: &str) -> Result<(), String> {
    let chars: Vec<char> = s.chars().collect();
    let shown = |c: Option<&char>| {
        c.is_some_and(|c| !c.is_whitespace() && !c.is_control() && !joiner(*c) && !is_invisible_control(*c))
    };
    let found = chars.iter().enumerate().find(|(i, c)| {
        is_invisible_control(**c)
            || (joiner(**c) && !(shown(i.checked_sub(1).and_then(|p| chars.get(p))) && shown(chars.get(i + 1))))
    });
    match found {
        Some((_, c)) => Err(format!(
            "must not contain invisible or text-direction control characters (found U+{:04X})",
            u32::from(*c)
        )),
        None => Ok(()),
    }
}

/// The first moment kaizen accepts anywhere a time enters (bodies, query parameters,
/// cursors): dates outside 1970–2199 are typing mistakes, and far outside they break
/// storage (SQLite compares times as text; PostgreSQL stops at 4713 BC).
pub const EARLIEST_YEAR: i32 = 1970;
/// The last year accepted.
pub const LATEST_YEAR: i32 = 2199;

fn range_message() -> String {
    format!("must lie between {EARLIEST_YEAR}-01-01 and {LATEST_YEAR}-12-31")
}

/// A moment within the accepted range.
pub fn instant(t: chrono::NaiveDateTime) -> Result<chrono::NaiveDateTime, String> {
    day(t.date()).map(|_| t)
}

/// A calendar day within the accepted range.
pub fn day(d: chrono::NaiveDate) -> Result<chrono::NaiveDate, String> {
    use chrono::Datelike;
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(range_message())
    }
}

/// A display name: 1–120 characters on one line.
pub fn display_name(raw: &str) -> Result<String, String> {
    text(raw, 120, false)
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// A new password's longest length: at most 1024 bytes in UTF-8 whatever its letters.
pub const MAX_PASSWORD_CHARS: usize = MAX_PASSWORD_BYTES / 4;

/// A new password: long enough to resist guessing, short enough to hash cheaply.
pub fn new_password(raw: &str) -> Result<String, String> {
    if raw.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if raw.chars().count() > MAX_PASSWORD_CHARS {
        return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
    }
    if raw.trim().is_empty() {
        return Err("must not be only whitespace".into());
    }
    Ok(raw.to_owned())
}

/// A URL-safe organisation slug: 2–63 of `a-z`, `0-9` and `-`, not starting or ending with `-`.
pub fn slug(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let ok = (2..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err("must be 2-63 characters of a-z, 0-9 and '-', not starting or ending with '-'".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse("  Anna.Schmidt@Stadt-Beispiel.DE ").map(Email::into_inner),
            Ok("anna.schmidt@stadt-beispiel.de".to_string())
        );
        for bad in [
            "", "no-at", "a@b", "a@@b.de", "@b.de", "a@.de", "a@b.de.", "a b@c.de", "a@b..de",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("  Bürgeramt ", 10, false), Ok("Bürgeramt".to_string()));
        assert!(text("   ", 10, false).is_err());
        assert!(text("ääääääääääää", 10, false).is_err());
        assert!(text("a\u{0}b", 10, false).is_err());
        assert!(text("a\nb", 10, false).is_err());
        assert_eq!(text("a\nb", 10, true), Ok("a\nb".to_string()));
    }

    #[test]
    fn dates_stay_in_one_range() {
        use chrono::NaiveDate;
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert!(day(d(1970, 1, 1)).is_ok());
        assert!(day(d(2199, 12, 31)).is_ok());
        assert!(day(d(1969, 12, 31)).is_err());
        assert!(day(d(2200, 1, 1)).is_err());
        assert!(day(d(-4714, 11, 24)).is_err());
        assert!(instant(d(200_000, 1, 1).and_hms_opt(0, 0, 0).unwrap()).is_err());
    }

    #[test]
    fn invisible_and_direction_characters_are_refused() {
        for bad in [
            "Rechnung\u{202E}fdp.exe",
            "a\u{2066}b",
            "zero\u{200B}width",
            "joiner\u{200D}",
            "mark\u{200F}",
            "bom\u{FEFF}",
            "joiner\u{2060}x",
            "line\u{2028}sep",
        ] {
            let e = text(bad, 100, true).unwrap_err();
            assert!(e.contains("U+"), "{bad:?}: {e}");
        }
        assert!(text("Bürgeramt – Öffnungszeiten ändern 👍", 100, false).is_ok());
        assert!(
            text("Trenn\u{00AD}strich", 100, false).is_ok(),
            "a soft hyphen is German typography"
        );
        assert!(Email::parse("anna\u{202E}@example.org").is_err());
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(new_password("kurz").is_err());
        assert!(new_password("            ").is_err());
        assert!(new_password("lang-genug-1234").is_ok());
        assert!(new_password(&"x".repeat(2000)).is_err());
    }

    #[test]
    fn slugs() {
        assert!(slug("landkreis-musterstadt").is_ok());
        assert!(slug("Musterstadt").is_err());
        assert!(slug("-a").is_err());
        assert!(slug("a").is_err());
    }
}
