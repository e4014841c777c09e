//! The score chart of one instrument over time, drawn as an SVG string for embedding inline in
//! an HTML page (next to a table with the same figures: the chart is never the only way to read
//! them).
//!
//! Rules the output keeps (and the tests check):
//! - Content-Security-Policy `style-src 'self'`: no `style` attribute, no `<style>` element;
//!   only presentation attributes (and a `class` the stylesheet may size).
//! - It fits a 360 px screen: a `viewBox` 340 units wide and `width="100%"`, no pixel width;
//!   text is 14 units high, so about 13.5 px on a phone.
//! - `role="img"` with `aria-labelledby` naming a `<title>` and a `<desc>` whose ids start with
//!   the caller's prefix.
//! - One `<circle>` per complete check (and no other circle), each with a `<title>` tooltip; the
//!   points are joined by a line, left to right in the order they were completed, spaced half by
//!   time and half evenly (so a long gap shows, and checks close in time never overlap).
//! - When a threshold is set, a dashed line at that score, with a legend that names it.
//! - Every text is escaped; the same input always gives the same string.
//!
//! The words are the caller's ([`ChartLabels`]): the web layer passes Dutch or English.

use crate::network::circles::escape;
use crate::time::Millis;
use std::fmt::Write as _;

/// One complete check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPoint {
    pub at: Millis,
    pub score: u32,
    /// The date as the reader reads it (`24-11-2025`), for the axis.
    pub date: String,
    /// The point's tooltip (`24-11-2025: 8, tekenen van overbelasting`).
    pub tooltip: String,
}

/// What the chart shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartInput {
    /// Makes the ids in the SVG unique on the page (letters, digits, `-` and `_` are kept).
    pub id_prefix: String,
    /// The highest possible score: the top of the scale.
    pub max: u32,
    /// The score at or over which the result counts as high, if the instrument or region has one.
    pub threshold: Option<u32>,
    /// In any order; drawn oldest first.
    pub points: Vec<ChartPoint>,
}

/// Every word the chart shows or announces, in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartLabels {
    /// The accessible name (`<title>`).
    pub title: String,
    /// The accessible description (`<desc>`): what the chart shows in words.
    pub description: String,
    /// The label of the threshold line ("grens 7").
    pub threshold: String,
    /// The label of the vertical axis ("score").
    pub axis: String,
    /// Shown in the plot area when there are no points.
    pub empty: String,
}

const W: f64 = 340.0;
const H: f64 = 230.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 44.0;
const FONT: f64 = 14.0;
const TEXT: &str = "#1a1a1a";
const MUTED: &str = "#454545";
const GRID: &str = "#c6d0d6";
const AXIS: &str = "#66737a";
const LINE: &str = "#1d5b79";
const THRESHOLD: &str = "#a3241b";
const BACKGROUND: &str = "#ffffff";

/// A number for an attribute: one decimal, no `-0`, no trailing `.0`.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn id_prefix(raw: &str) -> String {
    let kept: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if kept.is_empty() {
        "chart".into()
    } else {
        kept
    }
}

/// The step between grid lines: 1, 2, 5, 10, 20, 50, … so that there are at most 5 steps.
fn grid_step(max: u32) -> u32 {
    let mut step = 1;
    while max / step > 5 {
        step = match step.to_string().as_bytes()[0] {
            b'2' => step / 2 * 5,
            _ => step * 2,
        };
    }
    step
}

/// Draws the chart. See the module documentation for what it guarantees.
pub fn svg(input: &ChartInput, labels: &ChartLabels) -> String {
    let p = id_prefix(&input.id_prefix);
    let max = input.max.max(1);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let y_of = |score: u32| TOP + plot_h - plot_h * f64::from(score.min(max)) / f64::from(max);
    let mut points: Vec<&ChartPoint> = input.points.iter().collect();
    points.sort_by(|a, b| (a.at, a.score, &a.date).cmp(&(b.at, b.score, &b.date)));

    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="mk-chart__svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{p}-title {p}-desc" font-family="Arial, Helvetica, 'Liberation Sans', sans-serif" font-size="{}">"#,
        num(W),
        num(H),
        num(FONT)
    );
    let _ = write!(
        out,
        r#"<title id="{p}-title">{}</title><desc id="{p}-desc">{}</desc>"#,
        escape(&labels.title),
        escape(&labels.description)
    );
    let _ = write!(
        out,
        r#"<rect x="0" y="0" width="{}" height="{}" fill="{BACKGROUND}"/>"#,
        num(W),
        num(H)
    );
    // The axis label, above the scale.
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" fill="{MUTED}">{}</text>"#,
        num(4.0),
        num(TOP - 12.0),
        escape(&labels.axis)
    );
    // Grid lines with their scores, and the top of the scale.
    let step = grid_step(max);
    let mut ticks: Vec<u32> = (0..=max).step_by(step as usize).collect();
    if ticks.last() != Some(&max) {
        // The top of the scale, unless it would crowd the last grid line.
        if max - ticks.last().copied().unwrap_or(0) >= step.div_ceil(2) {
            ticks.push(max);
        }
    }
    for score in &ticks {
        let y = y_of(*score);
        let _ = write!(
            out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>"#,
            num(LEFT),
            num(y),
            num(W - RIGHT),
            num(y),
            if *score == 0 { AXIS } else { GRID }
        );
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" fill="{TEXT}">{score}</text>"#,
            num(LEFT - 8.0),
            num(y + FONT * 0.35)
        );
    }
    let _ = write!(
        out,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
        num(LEFT),
        num(TOP),
        num(LEFT),
        num(TOP + plot_h)
    );
    // The threshold: a dashed line across the plot, explained in a small legend above it at the
    // right (where no point can cover it).
    if let Some(threshold) = input.threshold.filter(|t| *t <= max) {
        let y = y_of(threshold);
        let _ = write!(
            out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{THRESHOLD}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            num(LEFT),
            num(y),
            num(W - RIGHT),
            num(y)
        );
        let legend_y = TOP - 12.0;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" fill="{THRESHOLD}" font-weight="bold">{}</text>"#,
            num(W - RIGHT),
            num(legend_y),
            escape(&labels.threshold)
        );
        let _ = write!(
            out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{THRESHOLD}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            num(W - RIGHT - 8.0 * FONT),
            num(legend_y - FONT * 0.35),
            num(W - RIGHT - 5.2 * FONT),
            num(legend_y - FONT * 0.35)
        );
    }
    if points.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
            num(LEFT + plot_w / 2.0),
            num(TOP + plot_h / 2.0),
            escape(&labels.empty)
        );
        out.push_str("</svg>");
        return out;
    }
    // Along the time axis, the first check at the left and the last at the right: half by when
    // (a long gap shows as a long stretch), half by order (checks close in time never cover
    // one another). One check, or several at one moment, in the middle.
    let pad = 14.0;
    let first = points[0].at;
    let last = points[points.len() - 1].at;
    let span = (plot_w - 2.0 * pad).max(1.0);
    let steps = (points.len() - 1).max(1) as f64;
    let x_of = |n: usize, at: Millis| {
        if last == first {
            LEFT + plot_w / 2.0
        } else {
            let by_time = (at - first) as f64 / (last - first) as f64;
            let by_order = n as f64 / steps;
            LEFT + pad + span * (by_time + by_order) / 2.0
        }
    };
    if points.len() > 1 {
        let path: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(n, pt)| format!("{},{}", num(x_of(n, pt.at)), num(y_of(pt.score))))
            .collect();
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{LINE}" stroke-width="3" stroke-linejoin="round"/>"#,
            path.join(" ")
        );
    }
    for (n, pt) in points.iter().enumerate() {
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="6" fill="{LINE}" stroke="{BACKGROUND}" stroke-width="2"><title>{}</title></circle>"#,
            num(x_of(n, pt.at)),
            num(y_of(pt.score)),
            escape(&pt.tooltip)
        );
    }
    // The dates of the first and the last check under the axis (the table lists every one).
    let axis_y = TOP + plot_h + FONT + 8.0;
    let first_pt = points[0];
    let last_pt = points[points.len() - 1];
    if last == first {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{TEXT}">{}</text>"#,
            num(x_of(0, first)),
            num(axis_y),
            escape(&first_pt.date)
        );
    } else {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="start" fill="{TEXT}">{}</text>"#,
            num(LEFT),
            num(axis_y),
            escape(&first_pt.date)
        );
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" fill="{TEXT}">{}</text>"#,
            num(W - RIGHT),
            num(axis_y),
            escape(&last_pt.date)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
