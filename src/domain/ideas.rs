//! Rules of an idea outside the lifecycle: dimension keys, co-author shares, code words,
//! and who may see an anonymous idea's author.

use std::collections::HashSet;

use crate::domain::roles::Role;

/// An idea links to at most this many questionnaire dimensions.
pub const MAX_DIMENSIONS: usize = 3;
/// Co-authors besides the submitting author.
pub const MAX_CO_AUTHORS: usize = 10;
pub const MAX_DIMENSION_KEY_LEN: usize = 64;

/// A dimension key as questionnaires name them: `[a-z][a-z0-9_]*`, at most 64 bytes.
pub fn dimension_key_format(key: &str) -> Result<(), String> {
    let mut chars = key.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if key.len() > MAX_DIMENSION_KEY_LEN {
        return Err(format!("must be at most {MAX_DIMENSION_KEY_LEN} characters"));
    }
    if !starts_with_letter || !rest_ok {
        return Err("must be a dimension key: a lower-case letter, then a-z, 0-9 or _".into());
    }
    Ok(())
}

/// Count, uniqueness and format of the keys an idea links to, one message per bad entry
/// as `(index or None for the whole list, message)`.
pub fn dimension_links(keys: &[String]) -> Vec<(Option<usize>, String)> {
    let mut errors = Vec::new();
    if keys.len() > MAX_DIMENSIONS {
        errors.push((None, format!("an idea links to at most {MAX_DIMENSIONS} dimensions")));
    }
    let mut seen = HashSet::new();
    for (i, key) in keys.iter().enumerate() {
        if let Err(m) = dimension_key_format(key) {
            errors.push((Some(i), m));
        } else if !seen.insert(key.as_str()) {
            errors.push((Some(i), "is listed twice".into()));
        }
    }
    errors
}

/// A group submission: the author's share and the co-authors' shares are whole percent
/// that sum to 100; nobody appears twice and every share is positive.
pub fn shares(author_id: &str, author_share: i64, co_authors: &[(String, i64)]) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if co_authors.len() > MAX_CO_AUTHORS {
        errors.push(("co_authors".to_owned(), format!("at most {MAX_CO_AUTHORS} co-authors")));
    }
    if !(1..=100).contains(&author_share) {
        errors.push(("author_share".to_owned(), "must be between 1 and 100".to_owned()));
    }
    let mut seen = HashSet::from([author_id]);
    for (i, (user, share)) in co_authors.iter().enumerate() {
        if !(1..=99).contains(share) {
            errors.push((format!("co_authors[{i}].share"), "must be between 1 and 99".into()));
        }
        if user == author_id {
            errors.push((
                format!("co_authors[{i}].user_id"),
                "is you; your share is author_share".into(),
            ));
        } else if !seen.insert(user.as_str()) {
            errors.push((format!("co_authors[{i}].user_id"), "is listed twice".into()));
        }
    }
    let total: i64 = author_share + co_authors.iter().map(|(_, s)| *s).sum::<i64>();
    if errors.is_empty() && total != 100 {
        errors.push((
            "author_share".to_owned(),
            format!("author_share and the co-authors' shares must sum to 100 (they sum to {total})"),
        ));
    }
    errors
}

/// A code word for an anonymous submission: 3–40 characters on one line.
pub fn code_word(raw: &str) -> Result<String, String> {
    let s = crate::domain::fields::text(raw, 40, false)?;
    if s.chars().count() < 3 {
        return Err("must be at least 3 characters".into());
    }
    Ok(s)
}

/// Whether `viewer` may learn who wrote an idea: always for named ideas; for an
/// anonymous one only admins and the author themself.
pub fn author_visible(anonymous: bool, author_id: &str, viewer_id: &str, viewer_role: Role) -> bool {
    !anonymous || viewer_role == Role::Admin || viewer_id == author_id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimension_keys_have_a_fixed_format() {
        for ok in ["leadership", "error_culture", "k2", "a"] {
            assert!(dimension_key_format(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Leadership", "2fast", "_x", "error-culture", "fehlerkultur ", "ä"] {
            assert!(dimension_key_format(bad).is_err(), "{bad:?}");
        }
        assert!(dimension_key_format(&"a".repeat(64)).is_ok());
        assert!(dimension_key_format(&"a".repeat(65)).is_err());
    }

    #[test]
    fn at_most_three_distinct_links() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(dimension_links(&[]).is_empty());
        assert!(dimension_links(&keys(&["leadership", "competence", "motivation"])).is_empty());
        let four = dimension_links(&keys(&["a", "b", "c", "d"]));
        assert_eq!(four.len(), 1);
        assert_eq!(four[0].0, None);
        let dup = dimension_links(&keys(&["a", "a"]));
        assert_eq!(dup, vec![(Some(1), "is listed twice".to_string())]);
        assert_eq!(dimension_links(&keys(&["ok", "Bad"]))[0].0, Some(1));
    }

    #[test]
    fn shares_sum_to_one_hundred() {
        let co = |v: &[(&str, i64)]| v.iter().map(|(u, s)| (u.to_string(), *s)).collect::<Vec<_>>();
        assert!(shares("a", 100, &[]).is_empty());
        assert!(shares("a", 50, &co(&[("b", 30), ("c", 20)])).is_empty());
        let wrong_sum = shares("a", 50, &co(&[("b", 30)]));
        assert_eq!(wrong_sum[0].0, "author_share");
        assert!(wrong_sum[0].1.contains("80"));
        assert_eq!(shares("a", 50, &co(&[("a", 50)]))[0].0, "co_authors[0].user_id");
        assert_eq!(
            shares("a", 40, &co(&[("b", 30), ("b", 30)]))[0].0,
            "co_authors[1].user_id"
        );
        assert_eq!(shares("a", 100, &co(&[("b", 0)]))[0].0, "co_authors[0].share");
        assert_eq!(shares("a", 0, &[])[0].0, "author_share");
    }

    #[test]
    fn code_words() {
        assert_eq!(code_word("  Eule ").as_deref(), Ok("Eule"));
        assert!(code_word("ab").is_err());
        assert!(code_word(&"x".repeat(41)).is_err());
        assert!(code_word("a\nb c").is_err());
    }

    #[test]
    fn anonymous_authors_are_seen_by_admins_and_themselves_only() {
        assert!(author_visible(false, "a", "b", Role::Employee));
        assert!(!author_visible(true, "a", "b", Role::Lead));
        assert!(!author_visible(true, "a", "b", Role::Manager));
        assert!(author_visible(true, "a", "b", Role::Admin));
        assert!(author_visible(true, "a", "a", Role::Employee));
    }
}
