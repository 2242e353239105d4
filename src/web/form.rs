//! Reading URL-encoded forms and showing what was wrong with them: one summary at the top
//! that links to each field, the message beside the field, and what was typed kept.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::domain::locale::Lang;
use crate::error::{ApiError, FieldError};
use crate::messages;

/// A submitted form as its pairs (repeated names, such as checkboxes, stay).
///
/// As an extractor it reads the URL-encoded body and refuses a NUL character in any name
/// or value with 400, as the API refuses it in JSON and URLs: PostgreSQL cannot store it,
/// and no person types it.
#[derive(Debug, Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl FromRequest for Fields {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        Box::pin(async move {
            let pairs = form.await?.into_inner();
            if pairs.iter().any(|(k, v)| k.contains('\0') || v.contains('\0')) {
                return Err(ApiError::BadRequest("NUL characters are not allowed in forms".into()).into());
            }
            Ok(Fields(pairs))
        })
    }
}

impl Fields {
    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The value as typed, untrimmed (passwords).
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }
}

/// One problem: the id of the field it belongs to and the message in the page's language.
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// The problems of a form.
#[derive(Debug, Default, Clone)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn add(&mut self, field: &str, label: &str, message: impl Into<String>) {
        self.0.push(Problem {
            field: field.to_owned(),
            label: label.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field, if it has one.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|p| p.field == field).map(|p| p.message.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.of(field).is_some()
    }

    /// Adds the field problems of an API validation error, each mapped to the page's
    /// field id and label by `place` (`None`: the form's first field). Any other error is
    /// returned as is.
    pub fn absorb(
        &mut self,
        err: ApiError,
        lang: Lang,
        place: impl Fn(&str) -> Option<(String, String)>,
        fallback: (&str, &str),
    ) -> Result<(), ApiError> {
        match err {
            ApiError::Validation(errors) => {
                for FieldError { field, message } in errors {
                    let (id, label) = place(&field).unwrap_or_else(|| (fallback.0.to_owned(), fallback.1.to_owned()));
                    if !self.has(&id) {
                        self.add(&id, &label, capitalised(&messages::localize(&message, lang)));
                    }
                }
                Ok(())
            }
            other => Err(other),
        }
    }
}

/// A message as a sentence on its own.
pub fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => {
            let mut s: String = first.to_uppercase().collect();
            s.push_str(chars.as_str());
            if !s.ends_with(['.', '!', '?']) {
                s.push('.');
            }
            s
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_problems_are_placed_on_the_page_fields_in_the_language() {
        let mut p = Problems::default();
        let err = ApiError::Validation(vec![
            FieldError::new("title", "must not be empty"),
            FieldError::new("co_authors[1].user_id", "is not a user of this organisation"),
        ]);
        p.absorb(
            err,
            Lang::De,
            |f| match f {
                "title" => Some(("title".into(), "Titel".into())),
                _ => None,
            },
            ("co-author-1", "Mitautor"),
        )
        .unwrap();
        assert_eq!(p.0.len(), 2);
        assert_eq!(p.of("title"), Some("Darf nicht leer sein."));
        assert!(p.has("co-author-1"));
        assert!(p.absorb(ApiError::NotFound, Lang::De, |_| None, ("x", "x")).is_err());
    }
}
