//! The language of a response: `?lang=`, else `Accept-Language` (q-values honoured), else
//! the organisation's default; see `domain::locale` for the rule.

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderName};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::locale::{self, Lang};

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParams {
    /// `de` or `en`; wins over `Accept-Language`. Another language gets English.
    #[param(example = "en")]
    pub lang: Option<String>,
}

/// The language for this request.
pub fn choose(req: &HttpRequest, query: Option<&str>, org_default: &str) -> Lang {
    let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let default = Lang::from_tag(org_default).unwrap_or(Lang::De);
    locale::negotiate(query, accept, default)
}

/// `Content-Language` for a localised response.
pub fn content_language(lang: Lang) -> (HeaderName, &'static str) {
    (header::CONTENT_LANGUAGE, lang.as_str())
}
