//! The language of a response: `?lang=`, else `Accept-Language` (q-values honoured), else
//! the organisation's default; see `domain::locale` for the rule.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::extractors::OrgLocale;
use crate::domain::locale::{self, Lang};
use crate::error::PROBLEM_JSON;
use crate::messages;

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

/// Problem documents in the caller's language: `?lang=`, else `Accept-Language`, else the
/// organisation's default (when the caller signed in), else German. Titles, details and
/// field messages are written in English and translated here (`messages`), once for every
/// answer, so no handler has to think of it.
pub async fn localize_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static, BoxBody>>, actix_web::Error> {
    let query_lang = web::Query::<LangParams>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    let res = next.call(req).await?;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return Ok(res.map_into_left_body());
    }
    let org_default = res
        .request()
        .extensions()
        .get::<OrgLocale>()
        .map(|l| l.0.clone())
        .unwrap_or_else(|| "de".into());
    let lang = choose(res.request(), query_lang.as_deref(), &org_default);
    let (req, res) = res.into_parts();
    let status = res.status();
    let mut headers = res.headers().clone();
    let body = actix_web::body::to_bytes(res.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("problem body"))?;
    let body = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(mut problem) => {
            translate(&mut problem, lang);
            serde_json::to_vec(&problem).unwrap_or_else(|_| body.to_vec())
        }
        Err(_) => body.to_vec(),
    };
    headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.as_str()));
    let mut rebuilt = HttpResponse::build(status).body(body);
    for (name, value) in headers.iter() {
        if name != header::CONTENT_LENGTH {
            rebuilt.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, rebuilt).map_into_right_body())
}

/// The person-facing texts of a problem document, in `lang`.
fn translate(problem: &mut serde_json::Value, lang: Lang) {
    for key in ["title", "detail"] {
        if let Some(text) = problem.get(key).and_then(|v| v.as_str()) {
            problem[key] = serde_json::Value::String(messages::localize(text, lang));
        }
    }
    if let Some(errors) = problem.get_mut("errors").and_then(|e| e.as_array_mut()) {
        for e in errors {
            if let Some(text) = e.get("message").and_then(|v| v.as_str()) {
                e["message"] = serde_json::Value::String(messages::localize(text, lang));
            }
        }
    }
}
