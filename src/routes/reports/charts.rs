//! The progress report as pictures: a radar chart of the latest rounds and a trend chart
//! over all rounds, as SVG, labelled in the caller's language (see `charts`).

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::charts::{
    Axis, ChartRound, ChartWords, Estimate, RadarChart, RadarSeries, TrendChart, TrendLine, radar_svg, trend_svg,
};
use crate::domain::locale::Lang;
use crate::domain::scoring::to_score;
use crate::error::{ApiError, Problem};
use crate::routes::assessments::SuppressionNote;
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
    #[param(minimum = 1, maximum = 6)]
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

fn words(lang: Lang) -> ChartWords {
    match lang {
        Lang::De => ChartWords {
            threshold: "Schwelle für „schwach“: {}".into(),
            weak: "(schwach)".into(),
            latest: "(aktuell)".into(),
            not_shown: "nicht ausgewiesen".into(),
        },
        Lang::En => ChartWords {
            threshold: "threshold for \"weak\": {}".into(),
            weak: "(weak)".into(),
            latest: "(latest)".into(),
            not_shown: "not shown".into(),
        },
    }
}

/// Why there is nothing to draw: no round closed yet, or none the group shows.
fn empty_note(progress: &Progress, scope: &ScopeInfo, lang: Lang) -> String {
    let k = progress.min_group_size;
    match (progress.rounds.is_empty(), &scope.unit_name, lang) {
        (true, _, Lang::De) => "Noch keine abgeschlossene Befragungsrunde".into(),
        (true, _, Lang::En) => "No closed assessment round yet".into(),
        (false, Some(unit), Lang::De) => format!(
            "Für {unit} nicht ausgewiesen: in keiner Runde haben dort genug Personen geantwortet (mindestens {k}), \
             zum Schutz der Anonymität"
        ),
        (false, Some(unit), Lang::En) => format!(
            "Not shown for {unit}: in no round did enough people answer there (at least {k}), to protect anonymity"
        ),
        (false, None, Lang::De) => {
            format!("Nicht ausgewiesen: in keiner Runde haben genug Personen geantwortet (mindestens {k})")
        }
        (false, None, Lang::En) => format!("Not shown: in no round did enough people answer (at least {k})"),
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

/// A closed round as the charts show it: its colour by its position among all rounds,
/// and why its figures are not shown, if they are not.
fn chart_round(progress: &Progress, position: usize, lang: Lang) -> ChartRound {
    let r = &progress.rounds[position];
    ChartRound {
        label: r.round.title.clone(),
        position,
        hidden: r
            .hidden
            .map(|h| SuppressionNote::new(h, r.min_group_size, lang).message),
    }
}

pub fn radar(progress: &Progress, scope: &ScopeInfo, lang: Lang, rounds: usize) -> RadarChart {
    let start = progress.rounds.len().saturating_sub(rounds);
    let (base, caption) = match lang {
        Lang::De => (
            "Lernkultur je Dimension (0–100)",
            "Ausgefüllt und mit Werten: die aktuelle Runde; gestrichelt: frühere Runden. Innen 0, außen 100. \
             Rot gestrichelt: die Schwelle, unter der eine Dimension als schwach gilt.",
        ),
        Lang::En => (
            "Learning culture by dimension (0–100)",
            "Filled and with values: the latest round; dashed: earlier rounds. 0 in the centre, 100 outside. \
             Red dashed: the threshold below which a dimension counts as weak.",
        ),
    };
    let weak = progress.weak();
    RadarChart {
        title: title(base, scope),
        caption: caption.into(),
        axes: dimension_names(progress, lang)
            .into_iter()
            .zip(weak)
            .map(|(label, weak)| Axis { label, weak })
            .collect(),
        series: (start..progress.rounds.len())
            .map(|i| RadarSeries {
                round: chart_round(progress, i, lang),
                values: progress
                    .keys
                    .iter()
                    .map(|k| {
                        progress.rounds[i]
                            .dimensions
                            .get(k)
                            .and_then(|f| f.summary)
                            .map(|s| to_score(s.mean))
                    })
                    .collect(),
            })
            .collect(),
        threshold: progress.weak_threshold,
        words: words(lang),
        empty_note: empty_note(progress, scope, lang),
    }
}

pub fn trend(progress: &Progress, scope: &ScopeInfo, lang: Lang) -> TrendChart {
    let (base, caption, y) = match lang {
        Lang::De => (
            "Entwicklung je Dimension",
            "Werte von 0 bis 100 je Runde. Der senkrechte Strich am letzten Punkt zeigt, wie genau ein Wert \
             bestimmt ist: Der wahre Wert liegt mit 95 % Wahrscheinlichkeit in diesem Bereich.",
            "Punkte (0–100)",
        ),
        Lang::En => (
            "Development by dimension",
            "Scores from 0 to 100 per round. The vertical bar at the last point shows how precisely a score is \
             known: the true value lies in that range with 95 % probability.",
            "Score (0–100)",
        ),
    };
    let names = dimension_names(progress, lang);
    let weak = progress.weak();
    TrendChart {
        title: title(base, scope),
        caption: caption.into(),
        rounds: (0..progress.rounds.len())
            .map(|i| chart_round(progress, i, lang))
            .collect(),
        y_label: y.into(),
        lines: progress
            .keys
            .iter()
            .zip(names)
            .zip(weak)
            .map(|((k, label), weak)| TrendLine {
                label,
                weak,
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
        threshold: progress.weak_threshold,
        words: words(lang),
        empty_note: empty_note(progress, scope, lang),
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
    let body = radar_svg(&radar(&progress, &scope, lang, rounds));
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
    let body = trend_svg(&trend(&progress, &scope, lang));
    Ok(svg(body, lang))
}
