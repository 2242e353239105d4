//! SVG charts of assessment results for people who read them at a council meeting: a
//! radar chart of the dimension scores of the latest rounds and a trend chart of each
//! dimension over all rounds. Pure: data in, SVG text out; every text arrives translated.
//!
//! What makes them readable: the latest round is filled and labelled with its values,
//! earlier rounds are outlines; the weak threshold is drawn and weak dimensions are marked
//! in words, not by colour alone; a round keeps its colour when newer rounds arrive; round
//! labels are shortened and turned so they never run into each other; a round whose
//! figures are not shown says so and why. Every chart has a `<title>` and a `<desc>` with
//! its data as text, for screen readers.

use std::fmt::Write;

/// One closed round as a chart shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRound {
    pub label: String,
    /// Position among all closed rounds, oldest first: the round's colour follows it, so a
    /// round keeps its colour when newer ones arrive.
    pub position: usize,
    /// Why its figures are not shown (fewer than k answered, …); `None` when shown.
    pub hidden: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub label: String,
    /// Weak in the latest round shown: marked in words and weight.
    pub weak: bool,
}

/// One round on the radar: a score 0–100 per axis (`None` where not shown).
#[derive(Debug, Clone, PartialEq)]
pub struct RadarSeries {
    pub round: ChartRound,
    pub values: Vec<Option<f64>>,
}

/// The words a chart needs besides its data, in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartWords {
    /// "Schwelle {}" / "threshold {}" — `{}` becomes the threshold.
    pub threshold: String,
    /// Appended to weak dimensions: "(schwach)".
    pub weak: String,
    /// Appended to the latest round in the legend: "(aktuell)".
    pub latest: String,
    /// On a round's column whose figures are not shown: "nicht ausgewiesen".
    pub not_shown: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RadarChart {
    pub title: String,
    /// A plain-language sentence or two on how to read it.
    pub caption: String,
    pub axes: Vec<Axis>,
    /// Oldest first; the last shown one is drawn as the current round.
    pub series: Vec<RadarSeries>,
    pub threshold: f64,
    pub words: ChartWords,
    /// Shown instead of a chart when there is nothing to draw, saying why.
    pub empty_note: String,
}

/// A score with its 95 % confidence interval, all on 0–100.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrendLine {
    pub label: String,
    pub weak: bool,
    /// One entry per round (`None` where not shown).
    pub points: Vec<Option<Estimate>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    pub title: String,
    pub caption: String,
    pub rounds: Vec<ChartRound>,
    pub y_label: String,
    pub lines: Vec<TrendLine>,
    pub threshold: f64,
    pub words: ChartWords,
    pub empty_note: String,
}

/// Okabe–Ito colours (distinguishable with colour-blindness) and two more; for rounds by
/// their position, for dimensions by their order.
const PALETTE: [&str; 9] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7570B3", "#505050", "#A6761D",
];
const INK: &str = "#1b1b1b";
const MUTED: &str = "#5c5c5c";
const GRID: &str = "#d9d9d9";
const WARN: &str = "#b4002d";
const FONT: &str = "'Fira Sans', 'Noto Sans', Arial, sans-serif";

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A label cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Breaks a label into lines of at most `width` characters at spaces.
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

/// The part of each label that tells it from the others: words all labels begin with
/// ("Befragung Lernkultur …") are left out, as long as every label keeps some words.
fn distinct(labels: &[&str]) -> Vec<String> {
    let words: Vec<Vec<&str>> = labels.iter().map(|l| l.split_whitespace().collect()).collect();
    let shortest = words.iter().map(Vec::len).min().unwrap_or(0);
    let mut common = 0;
    while common + 1 < shortest && labels.len() > 1 && words.iter().all(|w| w[common] == words[0][common]) {
        common += 1;
    }
    words.iter().map(|w| w[common..].join(" ")).collect()
}

/// A score as the charts print it: whole points.
fn points(v: f64) -> String {
    format!("{:.0}", v)
}

fn open_svg(out: &mut String, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" \
         font-family=\"{FONT}\"><title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
        esc(title),
        esc(desc)
    );
}

fn text(out: &mut String, (x, y): (f64, f64), size: u32, anchor: &str, fill: &str, extra: &str, content: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{extra}>{}</text>",
        esc(content)
    );
}

fn heading(out: &mut String, width: u32, title: &str, caption: &str) {
    text(out, (24.0, 36.0), 22, "start", INK, " font-weight=\"600\"", title);
    for (i, line) in wrap(caption, (width as usize - 48) / 8).iter().enumerate() {
        text(out, (24.0, 60.0 + 17.0 * i as f64), 14, "start", MUTED, "", line);
    }
}

fn empty(title: &str, caption: &str, note: &str) -> String {
    let mut out = String::new();
    open_svg(&mut out, 960, 320, title, note);
    heading(&mut out, 960, title, caption);
    text(&mut out, (480.0, 190.0), 18, "middle", MUTED, "", note);
    out.push_str("</svg>");
    out
}

/// The data of a radar chart as sentences (its `<desc>`).
fn radar_desc(chart: &RadarChart) -> String {
    let mut parts = vec![chart.caption.clone()];
    for s in &chart.series {
        match &s.round.hidden {
            Some(why) => parts.push(format!("{}: {}.", s.round.label, why)),
            None => {
                let values: Vec<String> = chart
                    .axes
                    .iter()
                    .zip(&s.values)
                    .map(|(a, v)| match v {
                        Some(v) => format!("{} {}", a.label, points(*v)),
                        None => format!("{} –", a.label),
                    })
                    .collect();
                parts.push(format!("{}: {}.", s.round.label, values.join(", ")));
            }
        }
    }
    let weak: Vec<&str> = chart.axes.iter().filter(|a| a.weak).map(|a| a.label.as_str()).collect();
    if !weak.is_empty() {
        parts.push(format!(
            "{}: {}.",
            chart.words.weak.trim_matches(['(', ')']),
            weak.join(", ")
        ));
    }
    parts.join(" ")
}

/// Radar chart: one polygon per round over the dimensions, 0 in the centre, 100 outside.
pub fn radar_svg(chart: &RadarChart) -> String {
    let shown: Vec<&RadarSeries> = chart.series.iter().filter(|s| s.round.hidden.is_none()).collect();
    if chart.axes.is_empty() || shown.is_empty() {
        return empty(&chart.title, &chart.caption, &chart.empty_note);
    }
    let (width, height) = (1120u32, 780u32);
    let (cx, cy, r) = (400.0_f64, 440.0_f64, 230.0_f64);
    let n = chart.axes.len();
    let angle = |i: usize| -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
    let at = |i: usize, score: f64| {
        let a = angle(i);
        (cx + r * score / 100.0 * a.cos(), cy + r * score / 100.0 * a.sin())
    };
    let mut out = String::new();
    open_svg(&mut out, width, height, &chart.title, &radar_desc(chart));
    heading(&mut out, width, &chart.title, &chart.caption);

    // Rings and axes; the ring values sit halfway between the first and the last axis,
    // where no round's point can cover them.
    for ring in [20.0, 40.0, 60.0, 80.0, 100.0] {
        let pts: Vec<String> = (0..n)
            .map(|i| {
                let (x, y) = at(i, ring);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            out,
            "<polygon points=\"{}\" fill=\"none\" stroke=\"{GRID}\" stroke-width=\"1\"/>",
            pts.join(" ")
        );
        let a = angle(0) - std::f64::consts::PI / n as f64;
        let (x, y) = (cx + r * ring / 100.0 * a.cos(), cy + r * ring / 100.0 * a.sin());
        text(&mut out, (x, y + 4.0), 12, "middle", MUTED, "", &points(ring));
    }
    for i in 0..n {
        let (x, y) = at(i, 100.0);
        let _ = write!(
            out,
            "<line x1=\"{cx:.1}\" y1=\"{cy:.1}\" x2=\"{x:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>"
        );
    }
    // The weak threshold.
    let pts: Vec<String> = (0..n)
        .map(|i| {
            let (x, y) = at(i, chart.threshold);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let _ = write!(
        out,
        "<polygon points=\"{}\" fill=\"none\" stroke=\"{WARN}\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>",
        pts.join(" ")
    );
    let threshold_label = chart.words.threshold.replace("{}", &points(chart.threshold));
    // Axis labels, weak ones marked in words and weight.
    for (i, axis) in chart.axes.iter().enumerate() {
        let a = angle(i);
        let (x, y) = (cx + (r + 26.0) * a.cos(), cy + (r + 26.0) * a.sin());
        let anchor = if a.cos().abs() < 0.2 {
            "middle"
        } else if a.cos() > 0.0 {
            "start"
        } else {
            "end"
        };
        let label = if axis.weak {
            format!("{} {}", axis.label, chart.words.weak)
        } else {
            axis.label.clone()
        };
        let lines = wrap(&label, 20);
        let top = y - 9.0 * (lines.len() as f64 - 1.0) + if a.sin() < -0.9 { -8.0 } else { 4.0 };
        let (fill, weight) = if axis.weak {
            (WARN, " font-weight=\"600\"")
        } else {
            (INK, "")
        };
        for (j, line) in lines.iter().enumerate() {
            text(&mut out, (x, top + 18.0 * j as f64), 15, anchor, fill, weight, line);
        }
    }
    // Earlier rounds as outlines, the latest filled with its values.
    let latest = shown.len() - 1;
    for (k, s) in shown.iter().enumerate() {
        let c = colour(s.round.position);
        let pts: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| at(i, v)))
            .collect();
        let list: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        if k == latest {
            let _ = write!(
                out,
                "<polygon points=\"{}\" fill=\"{c}\" fill-opacity=\"0.18\" stroke=\"{c}\" stroke-width=\"3\"/>",
                list.join(" ")
            );
            for (i, v) in s.values.iter().enumerate() {
                let Some(v) = v else { continue };
                let (x, y) = at(i, *v);
                let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{c}\"/>");
                let a = angle(i);
                let (lx, ly) = (x + 16.0 * a.cos(), y + 16.0 * a.sin() + 5.0);
                text(
                    &mut out,
                    (lx, ly),
                    14,
                    "middle",
                    INK,
                    " font-weight=\"600\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"4\"",
                    &points(*v),
                );
            }
        } else {
            let _ = write!(
                out,
                "<polygon points=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
                list.join(" ")
            );
        }
    }
    // Legend: rounds (latest last, marked), rounds not shown with the reason, the threshold.
    let (lx, mut ly) = (770.0, 150.0);
    for s in &chart.series {
        let c = colour(s.round.position);
        match &s.round.hidden {
            None => {
                let is_latest = shown.last().is_some_and(|l| l.round == s.round);
                let dash = if is_latest { "" } else { " stroke-dasharray=\"6 4\"" };
                let width = if is_latest { 4 } else { 2 };
                let _ = write!(
                    out,
                    "<line x1=\"{lx}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{c}\" stroke-width=\"{width}\"{dash}/>",
                    ly - 5.0,
                    lx + 30.0,
                    ly - 5.0
                );
                let label = if is_latest {
                    format!("{} {}", shorten(&s.round.label, 28), chart.words.latest)
                } else {
                    shorten(&s.round.label, 36)
                };
                text(&mut out, (lx + 40.0, ly), 15, "start", INK, "", &label);
                ly += 26.0;
            }
            Some(why) => {
                text(
                    &mut out,
                    (lx, ly),
                    14,
                    "start",
                    MUTED,
                    " font-style=\"italic\"",
                    &shorten(&format!("{}: {}", s.round.label, chart.words.not_shown), 42),
                );
                for line in wrap(why, 40) {
                    ly += 17.0;
                    text(&mut out, (lx + 12.0, ly), 12, "start", MUTED, "", &line);
                }
                ly += 24.0;
            }
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{lx}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{WARN}\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>",
        ly - 5.0,
        lx + 30.0,
        ly - 5.0
    );
    text(&mut out, (lx + 40.0, ly), 15, "start", WARN, "", &threshold_label);
    out.push_str("</svg>");
    out
}

/// The data of a trend chart as sentences (its `<desc>`).
fn trend_desc(chart: &TrendChart) -> String {
    let mut parts = vec![chart.caption.clone()];
    for line in &chart.lines {
        let values: Vec<String> = chart
            .rounds
            .iter()
            .zip(&line.points)
            .map(|(r, p)| match (p, &r.hidden) {
                (Some(p), _) => format!("{} {}", r.label, points(p.value)),
                (None, Some(_)) => format!("{} {}", r.label, chart.words.not_shown),
                (None, None) => format!("{} –", r.label),
            })
            .collect();
        let weak = if line.weak {
            format!(" {}", chart.words.weak)
        } else {
            String::new()
        };
        parts.push(format!("{}{}: {}.", line.label, weak, values.join(", ")));
    }
    parts.join(" ")
}

/// Trend chart: each dimension's score over the rounds, with its interval at the latest
/// round shown, values at the line ends, the threshold, and rounds not shown marked.
pub fn trend_svg(chart: &TrendChart) -> String {
    if chart.rounds.is_empty() || chart.lines.is_empty() {
        return empty(&chart.title, &chart.caption, &chart.empty_note);
    }
    let (width, height) = (1120u32, 640u32);
    let n = chart.rounds.len();
    let (left, right, top, plot_h) = (70.0_f64, 720.0_f64, 110.0_f64, 360.0_f64);
    let slot = (right - left) / n as f64;
    let x_of = |j: usize| left + slot * (j as f64 + 0.5);
    let y_of = |v: f64| top + plot_h * (1.0 - v / 100.0);
    let mut out = String::new();
    open_svg(&mut out, width, height, &chart.title, &trend_desc(chart));
    heading(&mut out, width, &chart.title, &chart.caption);
    // Grid, few and light.
    for v in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0] {
        let y = y_of(v);
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>"
        );
        text(&mut out, (left - 10.0, y + 5.0), 13, "end", MUTED, "", &points(v));
    }
    let _ = write!(
        out,
        "<text transform=\"translate(22 {:.1}) rotate(-90)\" font-size=\"14\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
        top + plot_h / 2.0,
        esc(&chart.y_label)
    );
    // Rounds not shown: a shaded column saying so.
    for (j, round) in chart.rounds.iter().enumerate() {
        if round.hidden.is_some() {
            let x = left + slot * j as f64;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{top}\" width=\"{slot:.1}\" height=\"{plot_h}\" fill=\"#f0f0f0\"/>\
                 <text transform=\"translate({:.1} {:.1}) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\" \
                 fill=\"{MUTED}\" font-style=\"italic\">{}</text>",
                x_of(j) + 4.0,
                top + plot_h / 2.0,
                esc(&chart.words.not_shown)
            );
        }
    }
    // Threshold (named in the list at the right).
    let ty = y_of(chart.threshold);
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{ty:.1}\" x2=\"{right}\" y2=\"{ty:.1}\" stroke=\"{WARN}\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>"
    );
    // Round labels: what tells them apart, shortened, and turned when they would not fit
    // side by side.
    let labels: Vec<&str> = chart.rounds.iter().map(|r| r.label.as_str()).collect();
    let short = distinct(&labels);
    let longest = short.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let turn = longest.min(22) as f64 * 7.5 > slot;
    let base_y = top + plot_h + 20.0;
    for (j, label) in short.iter().enumerate() {
        let x = x_of(j);
        let label = shorten(label, 22);
        let weight = if j + 1 == n { " font-weight=\"600\"" } else { "" };
        if turn {
            let _ = write!(
                out,
                "<text transform=\"translate({x:.1} {base_y:.1}) rotate(-40)\" font-size=\"13\" text-anchor=\"end\" fill=\"{INK}\"{weight}>{}</text>",
                esc(&label)
            );
        } else {
            text(&mut out, (x, base_y + 4.0), 13, "middle", INK, weight, &label);
        }
    }
    // Lines; the latest shown point of each carries its interval and its value.
    let mut ends: Vec<(f64, String, &'static str, bool)> = Vec::new();
    for (d, line) in chart.lines.iter().enumerate() {
        let c = colour(d);
        let mut segment: Vec<String> = Vec::new();
        let flush = |segment: &mut Vec<String>, out: &mut String| {
            if segment.len() > 1 {
                let _ = write!(
                    out,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2.5\"/>",
                    segment.join(" ")
                );
            }
            segment.clear();
        };
        for (j, p) in line.points.iter().enumerate() {
            match p {
                Some(p) => {
                    let (x, y) = (x_of(j), y_of(p.value));
                    segment.push(format!("{x:.1},{y:.1}"));
                    let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{c}\"/>");
                }
                None => flush(&mut segment, &mut out),
            }
        }
        flush(&mut segment, &mut out);
        if let Some((j, p)) = line
            .points
            .iter()
            .enumerate()
            .rev()
            .find_map(|(j, p)| p.map(|p| (j, p)))
        {
            let x = x_of(j) + 6.0 + d as f64 * 2.0;
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{c}\" stroke-width=\"1.5\" stroke-opacity=\"0.8\"/>",
                y_of(p.high),
                y_of(p.low)
            );
            let weak = if line.weak {
                format!(" {}", chart.words.weak)
            } else {
                String::new()
            };
            ends.push((
                y_of(p.value),
                format!("{} {}{}", points(p.value), line.label, weak),
                c,
                line.weak,
            ));
        }
    }
    // Values and names at the right, moved apart so they never overlap.
    ends.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut last = f64::NEG_INFINITY;
    for (y, label, c, weak) in &mut ends {
        *y = y.max(last + 18.0);
        last = *y;
        let weight = if *weak { " font-weight=\"600\"" } else { "" };
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{c}\"/>",
            right + 16.0,
            *y - 9.0
        );
        text(
            &mut out,
            (right + 32.0, *y),
            14,
            "start",
            if *weak { WARN } else { INK },
            weight,
            &shorten(label, 54),
        );
    }
    let below = last.max(top) + 30.0;
    let _ = write!(
        out,
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{WARN}\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>",
        right + 12.0,
        below - 5.0,
        right + 28.0,
        below - 5.0
    );
    text(
        &mut out,
        (right + 32.0, below),
        14,
        "start",
        WARN,
        "",
        &chart.words.threshold.replace("{}", &points(chart.threshold)),
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> ChartWords {
        ChartWords {
            threshold: "Schwelle {}".into(),
            weak: "(schwach)".into(),
            latest: "(aktuell)".into(),
            not_shown: "nicht ausgewiesen".into(),
        }
    }

    fn round(label: &str, position: usize, hidden: Option<&str>) -> ChartRound {
        ChartRound {
            label: label.into(),
            position,
            hidden: hidden.map(str::to_owned),
        }
    }

    fn radar() -> RadarChart {
        RadarChart {
            title: "Lernkultur <je> Dimension".into(),
            caption: "Die ausgefüllte Fläche ist die aktuelle Runde.".into(),
            axes: vec![
                Axis {
                    label: "Führung für Lernen".into(),
                    weak: false,
                },
                Axis {
                    label: "Fehlerkultur & Sicherheit".into(),
                    weak: true,
                },
                Axis {
                    label: "Freiraum".into(),
                    weak: true,
                },
            ],
            series: vec![
                RadarSeries {
                    round: round("Runde 1", 0, None),
                    values: vec![Some(50.0), Some(40.0), Some(30.0)],
                },
                RadarSeries {
                    round: round("Runde 2", 1, Some("weniger als 5 Antworten")),
                    values: vec![None, None, None],
                },
                RadarSeries {
                    round: round("Runde 3", 2, None),
                    values: vec![Some(70.0), Some(55.0), None],
                },
            ],
            threshold: 60.0,
            words: words(),
            empty_note: "nichts".into(),
        }
    }

    fn well_formed(svg: &str) {
        let mut reader = quick_xml::Reader::from_str(svg);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
            }
        }
    }

    #[test]
    fn the_radar_reads_without_colour_and_says_what_it_leaves_out() {
        let svg = radar_svg(&radar());
        well_formed(&svg);
        assert!(svg.contains("<title id=\"chart-title\">Lernkultur &lt;je&gt; Dimension</title>"));
        // The data as text: every shown value, and why the second round is missing.
        assert!(svg.contains("Runde 3: Führung für Lernen 70, Fehlerkultur &amp; Sicherheit 55, Freiraum –."));
        assert!(svg.contains("Runde 2: weniger als 5 Antworten."));
        assert!(
            svg.contains("schwach: Fehlerkultur &amp; Sicherheit, Freiraum."),
            "weak in words"
        );
        assert!(
            svg.contains(">(schwach)</text>") || svg.contains("Freiraum (schwach)"),
            "on the axis too"
        );
        assert!(svg.contains("Schwelle 60"));
        assert!(svg.contains("(aktuell)"));
        // One filled polygon (the latest), one dashed outline (the earlier round).
        assert_eq!(svg.matches("fill-opacity=\"0.18\"").count(), 1);
        assert_eq!(
            svg.matches("stroke-dasharray=\"6 4\"").count(),
            2,
            "outline and its legend line"
        );
        // A round keeps its colour by position, whatever is shown after it.
        assert!(svg.contains(PALETTE[2]) && svg.contains(PALETTE[0]));
        assert!(
            !svg.contains(&format!("stroke=\"{}\"", PALETTE[1])),
            "the hidden round draws nothing"
        );
    }

    #[test]
    fn empty_charts_say_why() {
        let mut r = radar();
        for s in &mut r.series {
            s.round.hidden = Some("weniger als 5 Antworten".into());
        }
        r.empty_note = "Für diese Einheit nicht ausgewiesen".into();
        let svg = radar_svg(&r);
        well_formed(&svg);
        assert!(svg.contains("Für diese Einheit nicht ausgewiesen"));
    }

    fn trend(n: usize) -> TrendChart {
        TrendChart {
            title: "Entwicklung".into(),
            caption: "Striche: Bereich des wahren Werts".into(),
            rounds: (0..n)
                .map(|i| {
                    round(
                        &format!("Lernkultur {}/2026", i + 1),
                        i,
                        (i == 1).then_some("zu wenige"),
                    )
                })
                .collect(),
            y_label: "Punkte".into(),
            lines: (0..7)
                .map(|d| TrendLine {
                    label: format!("Dimension {d}"),
                    weak: d == 3,
                    points: (0..n)
                        .map(|i| {
                            (i != 1).then_some(Estimate {
                                value: 50.0 + d as f64,
                                low: 45.0,
                                high: 55.0,
                            })
                        })
                        .collect(),
                })
                .collect(),
            threshold: 60.0,
            words: words(),
            empty_note: "nichts".into(),
        }
    }

    #[test]
    fn the_trend_turns_its_labels_when_they_would_collide_and_keeps_end_labels_apart() {
        let few = trend_svg(&trend(3));
        well_formed(&few);
        assert!(!few.contains("rotate(-40)"), "three labels fit side by side");
        let many = trend_svg(&trend(20));
        well_formed(&many);
        assert_eq!(many.matches("rotate(-40)").count(), 20);
        assert!(many.contains("nicht ausgewiesen"));
        assert!(many.contains("Dimension 3 (schwach)"));
        // End labels at least 18 px apart although the values are one point apart.
        let ys: Vec<f64> = many
            .split("<rect x=\"736.0\" y=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(ys.len(), 7);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= 17.9), "{ys:?}");
    }

    #[test]
    fn round_labels_keep_what_tells_them_apart() {
        assert_eq!(
            distinct(&["Befragung Lernkultur Herbst 2025", "Befragung Lernkultur Frühjahr 2026"]),
            vec!["Herbst 2025", "Frühjahr 2026"]
        );
        assert_eq!(distinct(&["Runde", "Runde 2"]), vec!["Runde", "Runde 2"], "never empty");
        assert_eq!(
            distinct(&["Lernkultur 2026"]),
            vec!["Lernkultur 2026"],
            "one label stays whole"
        );
    }

    #[test]
    fn labels_wrap_and_shorten() {
        assert_eq!(wrap("Fehlerkultur und psychologische Sicherheit", 20).len(), 3);
        assert_eq!(shorten("Lernkultur in der Verwaltung 2026", 12), "Lernkultur…");
    }
}
