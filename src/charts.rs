//! SVG charts of assessment results, drawn with plotters: a radar chart of dimension
//! scores per round and a trend chart of scores over rounds with confidence-interval bars.
//! Pure: data in, SVG text out; labels arrive already translated.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::ApiError;

/// One round on the radar: a score 0–100 per axis (`None` where suppressed or missing).
#[derive(Debug, Clone)]
pub struct RadarSeries {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone)]
pub struct RadarChart {
    pub title: String,
    pub axes: Vec<String>,
    pub series: Vec<RadarSeries>,
    /// Shown when there is nothing to draw.
    pub empty_note: String,
}

/// A score with its 95 % confidence interval, all on 0–100.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone)]
pub struct TrendLine {
    pub label: String,
    /// One entry per round (`None` where suppressed or missing).
    pub points: Vec<Option<Estimate>>,
}

#[derive(Debug, Clone)]
pub struct TrendChart {
    pub title: String,
    pub rounds: Vec<String>,
    pub y_label: String,
    pub lines: Vec<TrendLine>,
    pub empty_note: String,
}

/// Distinguishable colours (Okabe–Ito, suitable for colour-blind readers) plus two more.
const PALETTE: [RGBColor; 9] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(117, 112, 179),
    RGBColor(80, 80, 80),
    RGBColor(166, 118, 29),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ApiError {
    ApiError::internal(format!("drawing a chart failed: {e:?}"))
}

const FONT: &str = "sans-serif";

/// Breaks a label into lines of at most `width` characters at spaces (a longer word
/// stays whole on its own line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Draws `lines` one below the other, centred vertically on `(x, y)`.
fn draw_lines(area: &Area<'_>, lines: &[String], (x, y): (i32, i32), h: HPos, size: u32) -> Result<(), ApiError> {
    let step = size as i32 + 3;
    let top = y - step * (lines.len() as i32 - 1) / 2;
    for (i, line) in lines.iter().enumerate() {
        let style = TextStyle::from((FONT, size).into_font())
            .color(&BLACK)
            .pos(Pos::new(h, VPos::Center));
        area.draw(&Text::new(line.clone(), (x, top + i as i32 * step), style))
            .map_err(draw_err)?;
    }
    Ok(())
}

fn note(area: &Area<'_>, text: &str) -> Result<(), ApiError> {
    let (w, h) = area.dim_in_pixel();
    let style = TextStyle::from((FONT, 18).into_font())
        .color(&RGBColor(90, 90, 90))
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(text.to_owned(), (w as i32 / 2, h as i32 / 2), style))
        .map_err(draw_err)
}

/// Radar chart: one polygon per round over the dimensions, 0 in the centre, 100 outside.
pub fn radar_svg(chart: &RadarChart) -> Result<String, ApiError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 760)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        draw_radar(&root, chart)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn draw_radar(root: &Area<'_>, chart: &RadarChart) -> Result<(), ApiError> {
    {
        let area = root.titled(&chart.title, (FONT, 26)).map_err(draw_err)?;
        let n = chart.axes.len();
        let drawable = chart.series.iter().any(|s| s.values.iter().any(Option::is_some));
        if n < 3 || !drawable {
            return note(&area, &chart.empty_note);
        }
        let (aw, ah) = area.dim_in_pixel();
        let legend_height = 30 * ((chart.series.len() as i32 + 2) / 3);
        let cx = aw as i32 / 2;
        let cy = (ah as i32 - legend_height) / 2 + 10;
        let radius = f64::from((ah as i32 - legend_height - 120).min(aw as i32 - 320)) / 2.0;
        let point = |axis: usize, score: f64| -> (i32, i32) {
            // Axis 0 points straight up; the others follow clockwise.
            let angle = -std::f64::consts::FRAC_PI_2 + axis as f64 * std::f64::consts::TAU / n as f64;
            let r = radius * score.clamp(0.0, 100.0) / 100.0;
            (
                cx + (r * angle.cos()).round() as i32,
                cy + (r * angle.sin()).round() as i32,
            )
        };
        let grid = RGBColor(200, 200, 200);
        for ring in [20.0, 40.0, 60.0, 80.0, 100.0] {
            let mut ring_points: Vec<(i32, i32)> = (0..n).map(|a| point(a, ring)).collect();
            ring_points.push(ring_points[0]);
            area.draw(&PathElement::new(ring_points, grid.stroke_width(1)))
                .map_err(draw_err)?;
            if ring >= 100.0 {
                // The outermost ring needs no number; the first axis label sits there.
                continue;
            }
            let (x, y) = point(0, ring);
            let label_style = TextStyle::from((FONT, 12).into_font())
                .color(&RGBColor(120, 120, 120))
                .pos(Pos::new(HPos::Left, VPos::Center));
            area.draw(&Text::new(format!("{ring:.0}"), (x + 4, y), label_style))
                .map_err(draw_err)?;
        }
        for (a, label) in chart.axes.iter().enumerate() {
            area.draw(&PathElement::new(vec![(cx, cy), point(a, 100.0)], grid.stroke_width(1)))
                .map_err(draw_err)?;
            let (x, y) = point(a, 112.0);
            let h = if x < cx - 5 {
                HPos::Right
            } else if x > cx + 5 {
                HPos::Left
            } else {
                HPos::Center
            };
            let lines = wrap(label, 20);
            // Labels straight above or below the centre grow away from the chart.
            let shift = 9 * (lines.len() as i32 - 1);
            let y = match h {
                HPos::Center if y < cy => y - shift,
                HPos::Center => y + shift,
                _ => y,
            };
            draw_lines(&area, &lines, (x, y), h, 15)?;
        }
        for (i, series) in chart.series.iter().enumerate() {
            let c = colour(i);
            let pts: Vec<Option<(i32, i32)>> = series
                .values
                .iter()
                .enumerate()
                .map(|(a, v)| v.map(|v| point(a, v)))
                .collect();
            let present: Vec<(i32, i32)> = pts.iter().flatten().copied().collect();
            if present.is_empty() {
                continue;
            }
            if present.len() == n {
                area.draw(&Polygon::new(present.clone(), c.mix(0.12).filled()))
                    .map_err(draw_err)?;
            }
            // Connect neighbouring axes only where both have a value: a missing
            // (suppressed) score leaves a gap instead of a misleading shortcut.
            for a in 0..n {
                if let (Some(p), Some(q)) = (pts[a], pts[(a + 1) % n]) {
                    area.draw(&PathElement::new(vec![p, q], c.stroke_width(3)))
                        .map_err(draw_err)?;
                }
            }
            for p in &present {
                area.draw(&Circle::new(*p, 4, c.filled())).map_err(draw_err)?;
            }
            // Legend below the chart, three entries per row.
            let row = i as i32 / 3;
            let col = i as i32 % 3;
            let lx = 60 + col * (aw as i32 - 120) / 3;
            let ly = ah as i32 - legend_height + 10 + row * 30;
            area.draw(&Rectangle::new([(lx, ly - 6), (lx + 24, ly + 6)], c.filled()))
                .map_err(draw_err)?;
            let style = TextStyle::from((FONT, 15).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            area.draw(&Text::new(series.label.clone(), (lx + 32, ly), style))
                .map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Trend chart: one line per dimension over the rounds, with 95 % CI bars.
pub fn trend_svg(chart: &TrendChart) -> Result<String, ApiError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (TREND_WIDTH, 620)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        draw_trend(&root, chart)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

const TREND_WIDTH: u32 = 1000;

fn draw_trend(root: &Area<'_>, chart: &TrendChart) -> Result<(), ApiError> {
    {
        let drawable = chart.lines.iter().any(|l| l.points.iter().any(Option::is_some));
        if chart.rounds.is_empty() || !drawable {
            let area = root.titled(&chart.title, (FONT, 26)).map_err(draw_err)?;
            return note(&area, &chart.empty_note);
        }
        let (plot, legend) = root.split_horizontally(TREND_WIDTH - 260);
        let rounds = chart.rounds.len();
        let x_max = rounds as f64 - 0.5;
        let mut ctx = ChartBuilder::on(&plot)
            .caption(&chart.title, (FONT, 26))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5f64..x_max, 0f64..100f64)
            .map_err(draw_err)?;
        let labels = chart.rounds.clone();
        ctx.configure_mesh()
            .x_labels(rounds.min(12))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(chart.y_label.as_str())
            .y_labels(11)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(RGBColor(235, 235, 235))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(draw_err)?;
        let count = chart.lines.len().max(1) as f64;
        let mut legend_y = 60;
        for (i, line) in chart.lines.iter().enumerate() {
            let c = colour(i);
            // Spread the dimensions a little around each round so CI bars stay readable.
            let offset = (i as f64 - (count - 1.0) / 2.0) * (0.5 / count);
            let pts: Vec<(f64, Estimate)> = line
                .points
                .iter()
                .enumerate()
                .filter_map(|(r, p)| p.map(|p| (r as f64 + offset, p)))
                .collect();
            ctx.draw_series(LineSeries::new(
                pts.iter().map(|(x, p)| (*x, p.value)),
                c.stroke_width(2),
            ))
            .map_err(draw_err)?;
            ctx.draw_series(
                pts.iter()
                    .map(|(x, p)| ErrorBar::new_vertical(*x, p.low, p.value, p.high, c.stroke_width(1), 6)),
            )
            .map_err(draw_err)?;
            ctx.draw_series(pts.iter().map(|(x, p)| Circle::new((*x, p.value), 4, c.filled())))
                .map_err(draw_err)?;
            let lines = wrap(&line.label, 26);
            let y = legend_y + 9 * (lines.len() as i32 - 1);
            legend
                .draw(&Rectangle::new([(10, y - 6), (34, y + 6)], c.filled()))
                .map_err(draw_err)?;
            draw_lines(&legend, &lines, (42, y), HPos::Left, 15)?;
            legend_y += 18 * lines.len() as i32 + 14;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn radar() -> RadarChart {
        RadarChart {
            title: "Lernkultur je Dimension".into(),
            axes: [
                "Führung",
                "Fehlerkultur",
                "Experimente",
                "Wissen teilen",
                "Kompetenz",
                "Motivation",
                "Wirkung",
            ]
            .map(String::from)
            .to_vec(),
            series: vec![
                RadarSeries {
                    label: "Frühjahr 2025".into(),
                    values: vec![
                        Some(52.0),
                        Some(41.0),
                        Some(48.0),
                        Some(60.0),
                        Some(66.0),
                        Some(58.0),
                        Some(45.0),
                    ],
                },
                RadarSeries {
                    label: "Herbst 2025".into(),
                    values: vec![
                        Some(58.0),
                        Some(50.0),
                        None,
                        Some(62.0),
                        Some(65.0),
                        Some(61.0),
                        Some(52.0),
                    ],
                },
            ],
            empty_note: "Noch keine abgeschlossene Runde".into(),
        }
    }

    #[test]
    fn radar_is_svg_with_every_label_escaped() {
        let mut chart = radar();
        chart.axes[3] = "Wissen & Zusammenarbeit <teilen>".into();
        let svg = radar_svg(&chart).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        for label in [
            "Führung",
            "Fehlerkultur",
            "Wirkung",
            "Frühjahr 2025",
            "Lernkultur je Dimension",
        ] {
            assert!(svg.contains(label), "{label} missing");
        }
        // Long labels are wrapped onto several lines; every piece is escaped.
        assert!(svg.contains("Wissen &amp;"));
        assert!(svg.contains("&lt;teilen&gt;"));
        assert!(!svg.contains("<teilen>"));
    }

    #[test]
    fn labels_wrap_at_spaces() {
        assert_eq!(
            wrap("Fehlerkultur und psychologische Sicherheit", 20),
            vec!["Fehlerkultur und", "psychologische", "Sicherheit"]
        );
        assert_eq!(wrap("Lernwirkung", 20), vec!["Lernwirkung"]);
        assert_eq!(
            wrap("Donaudampfschifffahrtsgesellschaft x", 10),
            vec!["Donaudampfschifffahrtsgesellschaft", "x"]
        );
        assert_eq!(wrap("", 10), vec![""]);
    }

    #[test]
    fn empty_charts_say_so() {
        let mut chart = radar();
        chart.series.clear();
        let svg = radar_svg(&chart).unwrap();
        assert!(svg.contains("Noch keine abgeschlossene Runde"));
        let trend = trend_svg(&TrendChart {
            title: "Verlauf".into(),
            rounds: vec![],
            y_label: "Punkte".into(),
            lines: vec![],
            empty_note: "Keine Daten".into(),
        })
        .unwrap();
        assert!(trend.contains("Keine Daten"));
    }

    #[test]
    fn trend_has_lines_and_bars() {
        let est = |v: f64| {
            Some(Estimate {
                value: v,
                low: v - 6.0,
                high: v + 6.0,
            })
        };
        let svg = trend_svg(&TrendChart {
            title: "Trend".into(),
            rounds: vec!["R1".into(), "R2".into(), "R3".into()],
            y_label: "Score (0–100)".into(),
            lines: vec![
                TrendLine {
                    label: "Leadership".into(),
                    points: vec![est(50.0), est(55.0), est(61.0)],
                },
                TrendLine {
                    label: "Error culture".into(),
                    points: vec![est(40.0), None, est(42.0)],
                },
            ],
            empty_note: String::new(),
        })
        .unwrap();
        for label in ["Leadership", "Error culture", "R1", "R3", "Score (0–100)"] {
            assert!(svg.contains(label), "{label} missing");
        }
        assert!(svg.contains("<polyline") || svg.contains("<path"));
    }
}
