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
            && s.chars().all(|c| !c.is_whitespace() && !c.is_control());
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
    Ok(s.to_owned())
}

/// A display name: 1–120 characters on one line.
pub fn display_name(raw: &str) -> Result<String, String> {
    text(raw, 120, false)
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A new password: long enough to resist guessing, short enough to hash cheaply.
pub fn new_password(raw: &str) -> Result<String, String> {
    if raw.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if raw.len() > MAX_PASSWORD_BYTES {
        return Err(format!("must be at most {MAX_PASSWORD_BYTES} bytes"));
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
