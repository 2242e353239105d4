//! HTTP handlers, one module per resource, and the fallbacks that keep every error a
//! problem document (unknown route 404, wrong method 405).

pub mod assessments;
pub mod audit;
pub mod auth;
pub mod dimensions;
pub mod ideas;
pub mod localization;
pub mod me;
pub mod ops;
pub mod organization;
pub mod people;
pub mod questionnaires;
pub mod reassessment;
pub mod reports;
pub mod sign_in;
pub mod units;
pub mod users;
pub mod webhooks;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::HttpServiceFactory;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Deserializer};
use utoipa_actix_web::OpenApiFactory;

use crate::error::{ApiError, PROBLEM_JSON};

/// Where handlers are registered: the server's own actix configuration, or utoipa's,
/// which also collects each handler's OpenAPI description. One list of handlers serves
/// both, so the document describes exactly what the server routes, while the workers
/// do not build (and keep the memory of) a document each.
pub trait Register {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

impl Register for actix_web::web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        actix_web::web::ServiceConfig::service(self, factory)
    }
}

impl Register for utoipa_actix_web::service_config::ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        utoipa_actix_web::service_config::ServiceConfig::service(self, factory)
    }
}

/// Registers every `/api/v1` handler; the OpenAPI document is collected from here.
pub fn configure_api<R: Register>(cfg: &mut R) {
    cfg.service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(audit::verify_audit)
        .service(audit::list_audit)
        .service(me::get_me)
        .service(me::change_password)
        .service(me::get_mail_settings)
        .service(me::put_mail_settings)
        .service(me::export_me)
        .service(organization::get_organization)
        .service(organization::update_organization)
        .service(sign_in::get_sign_in)
        .service(sign_in::replace_sign_in)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::import_users)
        .service(users::get_user)
        .service(users::update_user)
        .service(users::deactivate_user)
        .service(users::reset_password)
        .service(users::export_user)
        .service(users::erase_user)
        .service(people::search_people)
        .service(units::list_units)
        .service(units::create_unit)
        .service(units::get_unit)
        .service(units::update_unit)
        .service(units::delete_unit)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::delete_webhook)
        .service(webhooks::rotate_webhook_secret)
        .service(webhooks::list_webhook_deliveries)
        .service(webhooks::list_outbox)
        .service(webhooks::retry_outbox_message)
        .service(webhooks::list_mail_outbox)
        .service(webhooks::retry_mail_message);
    configure_assessments(cfg);
    configure_ideas(cfg);
    configure_reports(cfg);
}

/// Management reports (issue 5): progress between rounds, the PDCA pipeline, charts.
fn configure_reports<R: Register>(cfg: &mut R) {
    cfg.service(reports::progress::get_progress_report)
        .service(reports::charts::get_radar_chart)
        .service(reports::charts::get_trend_chart)
        .service(reports::pipeline::get_pipeline_report);
}

/// The self-assessment: questionnaires, rounds, responses, results, dimensions, and the
/// reassessment schedule.
fn configure_assessments<R: Register>(cfg: &mut R) {
    cfg.service(questionnaires::list_questionnaires)
        .service(questionnaires::import_questionnaire)
        .service(questionnaires::get_questionnaire)
        .service(questionnaires::get_questionnaire_definition)
        .service(questionnaires::publish_questionnaire)
        .service(questionnaires::archive_questionnaire)
        .service(questionnaires::delete_questionnaire)
        .service(assessments::list_assessments)
        .service(assessments::create_assessment)
        .service(assessments::get_assessment)
        .service(assessments::update_assessment)
        .service(assessments::delete_assessment)
        .service(assessments::open_assessment)
        .service(assessments::close_assessment)
        .service(assessments::get_assessment_questionnaire)
        .service(assessments::submit_response)
        .service(assessments::get_results)
        .service(dimensions::list_dimensions)
        .service(reassessment::get_reassessment)
        .service(reassessment::update_reassessment)
        .service(reassessment::trigger_reassessment);
}

/// The ideas resource (issue 4): submission, lifecycle, history, votes, comments.
fn configure_ideas<R: Register>(cfg: &mut R) {
    cfg.service(ideas::list_ideas)
        .service(ideas::create_idea)
        .service(ideas::get_idea)
        .service(ideas::update_idea)
        .service(ideas::transitions::list_transitions)
        .service(ideas::transitions::create_transition)
        .service(ideas::transitions::list_history)
        .service(ideas::votes::put_vote)
        .service(ideas::votes::delete_vote)
        .service(ideas::comments::list_comments)
        .service(ideas::comments::create_comment)
        .service(ideas::comments::update_comment)
        .service(ideas::comments::delete_comment);
}

/// Operational endpoints outside `/api/v1`.
pub fn configure_ops<R: Register>(cfg: &mut R) {
    cfg.service(ops::healthz).service(ops::readyz).service(ops::metrics);
}

/// Refuses NUL characters in the path or query: PostgreSQL cannot store them in text,
/// and no legitimate request contains them.
pub async fn reject_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, actix_web::Error> {
    let uri = req.uri().to_string();
    if uri.contains('\0') || uri.to_ascii_lowercase().contains("%00") {
        let res = ApiError::BadRequest("NUL characters are not allowed in URLs".into()).error_response();
        return Ok(req.into_response(res).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Unmatched requests: 405 when the path exists with other methods, else 404.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    if req.resource_map().has_resource(req.path()) {
        let mut res = ApiError::MethodNotAllowed.error_response();
        // A 405 names what the resource does support (RFC 9110, 15.5.6).
        if let Some(allow) =
            crate::openapi::allowed_methods(req.path()).and_then(|a| header::HeaderValue::from_str(&a).ok())
        {
            res.headers_mut().insert(header::ALLOW, allow);
        }
        res
    } else {
        ApiError::NotFound.error_response()
    }
}

/// Turns an error response produced outside our handlers (actix itself, extractors of
/// other crates) into a problem document, so clients see one error format.
pub fn problem_fallback<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let content_type = res.headers().get(header::CONTENT_TYPE).map(|v| v.as_bytes().to_vec());
    // A page that shows its own problems (a form sent back) stays as it is.
    if content_type.as_deref().is_some_and(|v| v.starts_with(b"text/html")) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    // A browser outside the API gets an error page, not a problem document.
    if crate::web::wants_page(res.request()) {
        return Ok(ErrorHandlerResponse::Response(
            crate::web::error_page(res).map_into_right_body(),
        ));
    }
    let is_problem = content_type
        .as_deref()
        .is_some_and(|v| v.starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let err = match status.as_u16() {
        400 => ApiError::BadRequest("the request is malformed".into()),
        401 => ApiError::Unauthorized("authentication required".into()),
        403 => ApiError::forbidden("forbidden"),
        404 => ApiError::NotFound,
        405 => ApiError::MethodNotAllowed,
        413 => ApiError::PayloadTooLarge {
            limit: crate::config::DEFAULT_BODY_LIMIT,
        },
        415 => ApiError::UnsupportedMediaType("unsupported content type".into()),
        s if s >= 500 => ApiError::internal(format!("unhandled {status} response")),
        _ => return Ok(ErrorHandlerResponse::Response(res.map_into_left_body())),
    };
    let (req, _) = res.into_parts();
    let mut response: HttpResponse<BoxBody> = err.error_response();
    *response.status_mut() = status;
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}
