//! The progress report as pictures: a radar chart of the latest rounds and a trend chart
//! over all rounds with confidence-interval bars, as SVG, labelled in the caller's language.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::charts::{Estimate, RadarChart, RadarSeries, TrendChart, TrendLine, radar_svg, trend_svg};
use crate::domain::locale::Lang;
use crate::domain::scoring::to_score;
use crate::error::{ApiError, Problem};
use crate::routes::localization::{self, LangParams};
use crate::routes::reports::progress::{ScopeInfo, load};
use crate::state::AppState;
use crate::store::progress::Progress;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RadarParams {
    /// A unit: results of the unit and its sub-units (leads: their own unit by default).
    pub unit: Option<String>,
    /// How many of the latest closed rounds to draw, 1–6 (default 3).
    pub rounds: Option<usize>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendParams {
    /// A unit: results of the unit and its sub-units (leads: their own unit by default).
    pub unit: Option<String>,
}

fn title(base: &str, scope: &ScopeInfo) -> String {
    match &scope.unit_name {
        Some(unit) => format!("{base} – {unit}"),
        None => base.to_owned(),
    }
}

fn empty_note(lang: Lang) -> String {
    match lang {
        Lang::De => "Noch keine abgeschlossene Befragungsrunde".into(),
        Lang::En => "No closed assessment round yet".into(),
    }
}

fn svg(body: String, lang: Lang) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header(localization::content_language(lang))
        .body(body)
}

fn dimension_names(progress: &Progress, lang: Lang) -> Vec<String> {
    progress
        .keys
        .iter()
        .map(|k| {
            progress
                .names
                .get(k)
                .map(|n| n.get(lang).to_owned())
                .unwrap_or_else(|| k.clone())
        })
        .collect()
}

pub fn radar(progress: &Progress, scope: &ScopeInfo, lang: Lang, rounds: usize) -> RadarChart {
    let start = progress.rounds.len().saturating_sub(rounds);
    let base = match lang {
        Lang::De => "Lernkultur je Dimension (0–100)",
        Lang::En => "Learning culture by dimension (0–100)",
    };
    RadarChart {
        title: title(base, scope),
        axes: dimension_names(progress, lang),
        series: progress.rounds[start..]
            .iter()
            .map(|r| RadarSeries {
                label: r.round.title.clone(),
                values: progress
                    .keys
                    .iter()
                    .map(|k| r.dimensions.get(k).and_then(|f| f.summary).map(|s| to_score(s.mean)))
                    .collect(),
            })
            .collect(),
        empty_note: empty_note(lang),
    }
}

pub fn trend(progress: &Progress, scope: &ScopeInfo, lang: Lang) -> TrendChart {
    let (base, y) = match lang {
        Lang::De => ("Entwicklung je Dimension mit 95-%-Konfidenzintervall", "Punkte (0–100)"),
        Lang::En => (
            "Development by dimension with 95 % confidence interval",
            "Score (0–100)",
        ),
    };
    let names = dimension_names(progress, lang);
    TrendChart {
        title: title(base, scope),
        rounds: progress.rounds.iter().map(|r| r.round.title.clone()).collect(),
        y_label: y.into(),
        lines: progress
            .keys
            .iter()
            .zip(names)
            .map(|(k, label)| TrendLine {
                label,
                points: progress
                    .rounds
                    .iter()
                    .map(|r| {
                        let s = r.dimensions.get(k).and_then(|f| f.summary)?;
                        let (lo, hi) = s.ci95.unwrap_or((s.mean, s.mean));
                        Some(Estimate {
                            value: to_score(s.mean),
                            low: to_score(lo),
                            high: to_score(hi),
                        })
                    })
                    .collect(),
            })
            .collect(),
        empty_note: empty_note(lang),
    }
}

/// Radar chart (SVG) of the dimension scores of the latest closed rounds.
#[utoipa::path(
    tag = "reports",
    params(RadarParams, LangParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "SVG image", content_type = "image/svg+xml", body = String),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/progress/radar.svg")]
pub async fn get_radar_chart(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<RadarParams>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let rounds = params.rounds.unwrap_or(3);
    if !(1..=6).contains(&rounds) {
        return Err(ApiError::field("rounds", "must be between 1 and 6"));
    }
    let (progress, scope, lang) = load(&req, &state, &caller, params.unit.clone(), None, lang.lang.as_deref()).await?;
    let body = radar_svg(&radar(&progress, &scope, lang, rounds))?;
    Ok(svg(body, lang))
}

/// Trend chart (SVG): each dimension's score over the closed rounds with 95 % CI bars.
#[utoipa::path(
    tag = "reports",
    params(TrendParams, LangParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "SVG image", content_type = "image/svg+xml", body = String),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/progress/trend.svg")]
pub async fn get_trend_chart(
    req: HttpRequest,
    caller: AuthUser,
    state: web::Data<AppState>,
    params: web::Query<TrendParams>,
    lang: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let (progress, scope, lang) = load(&req, &state, &caller, params.unit.clone(), None, lang.lang.as_deref()).await?;
    let body = trend_svg(&trend(&progress, &scope, lang))?;
    Ok(svg(body, lang))
}
