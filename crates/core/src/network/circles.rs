//! The circles picture of a kring, drawn as an SVG string for embedding inline in an HTML page.
//!
//! The caregiver and the naaste(n) stand in the middle; around them three rings: 1 the own network
//! (family, friends, neighbours), 2 volunteers and the case manager, 3 professionals. A member
//! with a field (zorg, welzijn, medisch) outside the own network is filled with the field's
//! colour *and* drawn in the field's shape (circle, rounded square, hexagon), which the legend
//! inside the picture explains; the regiehouder has a thick outer ring, a star badge and the word
//! "regiehouder" under the name.
//!
//! Rules the output keeps (and the tests check):
//! - Content-Security-Policy `style-src 'self'`: no `style` attribute and no `<style>` element;
//!   only presentation attributes.
//! - It scales: a `viewBox` and `width="100%"`, no pixel width. The viewBox is 1000 units wide and
//!   text is 44 units high, so on a 360 px phone (the picture some 328 px wide) text is 14.4 px.
//!   On a wide screen the page should cap the picture's width (some 36rem) in its stylesheet.
//! - `role="img"` with `aria-labelledby` naming a `<title>` and a `<desc>` whose ids start with
//!   the caller's prefix, so two pictures on one page do not clash.
//! - Colours: fills and lines at least 3:1 against the background they sit on, text at least
//!   4.5:1 (WCAG 2.1 AA).
//! - Every text is escaped; the same input always gives the same string.
//! - Nodes never overlap: a ring spreads its members evenly over the ring (leaving a gap at the
//!   top for the ring's name), turned so that the most names fit; a crowded ring uses two
//!   staggered arcs with smaller nodes. Names never cover one another, except the regiehouder's:
//!   a name with no free place, and every name in a crowded ring, is left to the node's tooltip
//!   (the page lists everyone next to the picture anyway).
//!
//! The words are the caller's ([`CircleLabels`]): the web layer passes Dutch or English.

use super::{Field, MemberKind, initials};
use std::f64::consts::PI;
use std::fmt::Write as _;

/// One member of the kring, as the picture needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct CirclePerson {
    /// The full name (its initials go in the node, its first word under it).
    pub name: String,
    /// What they are to the caregiver ("dochter", "wijkverpleegkundige"); in the node's tooltip.
    pub role_label: String,
    pub kind: MemberKind,
    /// The field of a professional (or case manager); ignored in the own network.
    pub field: Option<Field>,
    pub regiehouder: bool,
}

/// Everything the picture shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CirclesInput {
    /// Makes the ids in the SVG unique on the page (letters, digits, `-` and `_` are kept).
    pub id_prefix: String,
    /// The caregiver's name.
    pub caregiver: String,
    /// The naaste(n)' names.
    pub naasten: Vec<String>,
    /// The members, in the order they are drawn on their ring (clockwise from the top).
    pub members: Vec<CirclePerson>,
}

/// Every word the picture shows or announces, in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct CircleLabels {
    /// The accessible name (`<title>`).
    pub title: String,
    /// The accessible description (`<desc>`), e.g. how many people are in each ring.
    pub description: String,
    /// Ring 1: "Eigen netwerk".
    pub ring_own: String,
    /// Ring 2: "Vrijwilligers en casemanager".
    pub ring_volunteers: String,
    /// Ring 3: "Professionals".
    pub ring_professionals: String,
    pub field_care: String,
    pub field_welfare: String,
    pub field_medical: String,
    pub regiehouder: String,
    pub caregiver: String,
    pub naaste: String,
}

/// The members per ring (index 0 is ring 1), in the order the picture draws them; for the list
/// that goes with the picture.
pub fn by_ring(input: &CirclesInput) -> [Vec<&CirclePerson>; 3] {
    let mut rings: [Vec<&CirclePerson>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for m in &input.members {
        rings[usize::from(m.kind.circle() - 1)].push(m);
    }
    rings
}

// ---- geometry ---------------------------------------------------------------------------------

/// Width of the viewBox.
const W: f64 = 1000.0;
/// The middle of the circles.
const CX: f64 = 500.0;
const CY: f64 = 500.0;
/// Text height (font-size) of every label, in viewBox units.
const EM: f64 = 44.0;
/// Radii of rings 1, 2 and 3.
const RING_R: [f64; 3] = [220.0, 332.0, 444.0];
/// Distance between rings: each ring owns a band of this width around its line.
const GAP: f64 = 112.0;
/// A node's radius when there is room.
const NODE_R: f64 = 51.0;
/// Smallest free space between two nodes.
const SPACING: f64 = 10.0;
/// Radius of a node in the middle.
const CENTER_R: f64 = 42.0;
/// Largest gap left at the top of a ring for its name (radians).
const MAX_NAME_GAP: f64 = 160.0 * PI / 180.0;
/// Inner rim of ring 1's band: the middle's nodes and names stay inside it.
const CENTER_LIMIT: f64 = RING_R[0] - GAP / 2.0;

// ---- colours (WCAG contrast checked in the tests) ---------------------------------------------

const BACKGROUND: &str = "#ffffff";
/// Tints of the ring bands, outer to inner.
const BAND_OUTER: &str = "#f2f5f8";
const BAND_MIDDLE: &str = "#e8eef4";
const BAND_INNER: &str = "#f2f5f8";
const RING_LINE: &str = "#6b7785";
const TEXT: &str = "#1a1a1a";
const RING_TEXT: &str = "#33404d";
const NEUTRAL_FILL: &str = "#ffffff";
const NEUTRAL_LINE: &str = "#4a4f55";
const CAREGIVER_FILL: &str = "#1d3a5c";
const NAASTE_FILL: &str = "#fbe9c8";
const NAASTE_LINE: &str = "#6b4a12";
const REGIE_LINE: &str = "#1a1a1a";
const STAR_FILL: &str = "#ffd23f";
const LABEL_BOX: &str = "#ffffff";

fn field_colour(field: Field) -> &'static str {
    match field {
        Field::Care => "#0a5f9e",
        Field::Welfare => "#a34300",
        Field::Medical => "#84306e",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Circle,
    RoundedSquare,
    Hexagon,
}

fn field_shape(field: Field) -> Shape {
    match field {
        Field::Care => Shape::Circle,
        Field::Welfare => Shape::RoundedSquare,
        Field::Medical => Shape::Hexagon,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Caregiver,
    Naaste(usize),
    Member(usize),
}

#[derive(Debug, Clone, PartialEq)]
struct Label {
    lines: Vec<String>,
    /// Centre of the label's box.
    cx: f64,
    cy: f64,
    w: f64,
    h: f64,
}

impl Label {
    fn rect(&self) -> Rect {
        Rect {
            x0: self.cx - self.w / 2.0,
            y0: self.cy - self.h / 2.0,
            x1: self.cx + self.w / 2.0,
            y1: self.cy + self.h / 2.0,
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    who: Who,
    /// 0 for the middle, else 1..=3.
    ring: u8,
    x: f64,
    y: f64,
    /// Everything drawn for the node (outline and regiehouder ring included) stays within this.
    r: f64,
    label: Option<Label>,
}

#[derive(Debug, Clone)]
struct RingLayout {
    radius: f64,
    /// The gap at the top for the ring's name (radians).
    gap: f64,
    name: String,
    /// Estimated width of the name.
    name_w: f64,
    /// Set when the name has to be squeezed into the gap.
    squeeze_to: Option<f64>,
    two_arcs: bool,
}

#[derive(Debug, Clone)]
struct Layout {
    rings: Vec<RingLayout>,
    nodes: Vec<Node>,
    /// The lowest point of the circles and their labels.
    bottom: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn grow(self, m: f64) -> Rect {
        Rect {
            x0: self.x0 - m,
            y0: self.y0 - m,
            x1: self.x1 + m,
            y1: self.y1 + m,
        }
    }
    /// Area shared with another rectangle (0 when apart).
    fn overlap(self, o: Rect) -> f64 {
        let w = self.x1.min(o.x1) - self.x0.max(o.x0);
        let h = self.y1.min(o.y1) - self.y0.max(o.y0);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }
    /// Overlap with a circle, measured as the square of how far the circle reaches in.
    fn circle_overlap(self, x: f64, y: f64, r: f64) -> f64 {
        let nx = x.clamp(self.x0, self.x1);
        let ny = y.clamp(self.y0, self.y1);
        let d = ((x - nx).powi(2) + (y - ny).powi(2)).sqrt();
        if d < r { (r - d).powi(2).max(1.0) } else { 0.0 }
    }
}

/// Estimated advance width of a text at `size` (a generous guess for common sans-serif fonts).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | '\'' | '|' | ':' | ';' | '!' | ' ' => 0.32,
            'f' | 't' | 'r' | '-' | '(' | ')' => 0.42,
            'm' | 'w' | 'M' | 'W' | '@' => 0.92,
            c if c.is_uppercase() => 0.72,
            _ => 0.57,
        })
        .sum::<f64>()
        * size
}

/// The first name: the first word that is not a title such as "dr." or "mw.", cut to fit
/// `max_w` (with an ellipsis).
fn short_name(name: &str, max_w: f64) -> String {
    let mut words = name.split_whitespace();
    let first = name
        .split_whitespace()
        .find(|w| !w.ends_with('.'))
        .or_else(|| words.next())
        .unwrap_or("");
    fit(first, max_w)
}

/// `s` cut (with an ellipsis) so it is at most `max_w` wide at the label size.
fn fit(s: &str, max_w: f64) -> String {
    if text_width(s, EM) <= max_w {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        let mut next = out.clone();
        next.push(c);
        next.push('…');
        if text_width(&next, EM) > max_w {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn ring_of(kind: MemberKind) -> usize {
    usize::from(kind.circle() - 1)
}

/// Where a node of ring `ring` (0-based) with `n` members goes, and how big it is.
/// `phase` turns the ring by a part of one step (between -0.5 and 0.5): the spacing stays even
/// and the nodes stay clear of the ring's name.
fn ring_positions(radius: f64, gap: f64, n: usize, phase: f64) -> (Vec<(f64, f64)>, f64, bool) {
    if n == 0 {
        return (Vec::new(), NODE_R, false);
    }
    let arc = 2.0 * PI - gap;
    let step = arc / n as f64;
    // One arc: neighbours are a chord of `step` apart; the band limits the size too.
    let single = if n == 1 {
        NODE_R
    } else {
        ((2.0 * radius * (step / 2.0).sin() - SPACING) / 2.0).min(NODE_R)
    };
    // Two arcs (alternating inner and outer): the nodes must fit between the arcs and their band.
    let d = GAP / 4.0;
    let two_band = (2.0 * d - SPACING) / 2.0;
    let two = if n < 3 {
        0.0
    } else {
        ((2.0 * (radius - d) * step.min(PI / 2.0).sin() - SPACING) / 2.0).min(two_band)
    };
    let two_arcs = two > single;
    let r = if two_arcs { two } else { single };
    let positions = (0..n)
        .map(|i| {
            let phase = if two_arcs { 0.0 } else { phase };
            let angle = gap / 2.0 + (i as f64 + 0.5 + phase) * step;
            let rr = if !two_arcs {
                radius
            } else if i % 2 == 0 {
                radius + d
            } else {
                radius - d
            };
            (CX + rr * angle.sin(), CY - rr * angle.cos())
        })
        .collect();
    (positions, r, two_arcs)
}

/// Turns of the rings tried, as parts of a step (the first is the plain, symmetric one).
const PHASES: [f64; 4] = [0.0, 0.25, -0.25, 0.5];

/// The picture's layout: of the rings' possible turns, the one that names the most members
/// (and, for the regiehouder's name, covers least); the first such in a fixed order, so the
/// result is deterministic. Crowds of more than 40 are laid out without turning.
fn layout(input: &CirclesInput, labels: &CircleLabels) -> Layout {
    let plain = arrange(input, labels, [0.0; 3]);
    if input.members.len() > 40 {
        return plain.0;
    }
    let mut best = plain;
    for a in PHASES {
        for b in PHASES {
            for c in PHASES {
                if best.1 == (0, 0) {
                    return best.0;
                }
                let next = arrange(input, labels, [a, b, c]);
                if next.1 < best.1 {
                    best = next;
                }
            }
        }
    }
    best.0
}

/// A layout with the rings turned by `phases`, and its score (lower is better): members left
/// without a name, and how much the regiehouder's name covers (rounded).
fn arrange(
    input: &CirclesInput,
    labels: &CircleLabels,
    phases: [f64; 3],
) -> (Layout, (usize, u64)) {
    let groups = by_ring_indexed(input);
    let names = [
        &labels.ring_own,
        &labels.ring_volunteers,
        &labels.ring_professionals,
    ];
    let mut rings = Vec::new();
    let mut nodes = Vec::new();

    middle(input, &mut nodes);

    for (ring, members) in groups.iter().enumerate() {
        let radius = RING_R[ring];
        let name = names[ring].trim().to_string();
        let name_w = text_width(&name, EM);
        let baseline_r = radius - 0.33 * EM;
        let margin = 2.0 * (NODE_R + 14.0) / radius;
        let mut gap = name_w / baseline_r + margin;
        let mut squeeze_to = None;
        if gap > MAX_NAME_GAP {
            gap = MAX_NAME_GAP;
            squeeze_to = Some((MAX_NAME_GAP - margin) * baseline_r);
        }
        let (positions, r, two_arcs) = ring_positions(radius, gap, members.len(), phases[ring]);
        for (&i, (x, y)) in members.iter().zip(positions) {
            nodes.push(Node {
                who: Who::Member(i),
                ring: ring as u8 + 1,
                x,
                y,
                r,
                label: None,
            });
        }
        rings.push(RingLayout {
            radius,
            gap,
            name,
            name_w,
            squeeze_to,
            two_arcs,
        });
    }

    let regie_cost = place_labels(input, labels, &rings, &mut nodes);
    let unnamed = nodes.iter().filter(|n| n.label.is_none()).count();

    let bottom = nodes
        .iter()
        .map(|n| {
            let b = n.y + n.r;
            n.label.as_ref().map_or(b, |l| b.max(l.cy + l.h / 2.0))
        })
        .fold(CY + RING_R[2] + GAP / 2.0, f64::max);
    (
        Layout {
            rings,
            nodes,
            bottom,
        },
        (unnamed, regie_cost.ceil() as u64),
    )
}

/// Height of a one-line label box.
const LABEL_H: f64 = 1.15 * EM + 4.0;
/// Inner padding of a label box, left and right.
const LABEL_PAD: f64 = 9.0;
/// The middle's names stay inside this radius: clear of every node of ring 1 (whose nodes reach
/// in to `RING_R[0] - GAP / 4 - two-arc radius` when crowded) and of ring 1's name.
const MIDDLE_TEXT_LIMIT: f64 = CENTER_LIMIT + 4.0;

/// Half the width of the middle's disk at a height `dy` from its centre.
fn middle_half_width(dy: f64) -> f64 {
    (MIDDLE_TEXT_LIMIT.powi(2) - dy.powi(2)).max(0.0).sqrt()
}

/// The middle: the caregiver and the naaste(n), with their names. One naaste: the caregiver
/// above, the naaste below, the names above and below. More: one row, the caregiver in the
/// middle of it with the name above, the naasten's names side by side below. The names are cut
/// to fit the middle's disk, so they never reach ring 1.
fn middle(input: &CirclesInput, nodes: &mut Vec<Node>) {
    let k = input.naasten.len();
    let label = |name: &str, cx: f64, top: f64, max_w: f64| {
        let line = short_name(name, max_w - 2.0 * LABEL_PAD);
        let w = text_width(&line, EM) + 2.0 * LABEL_PAD;
        Label {
            lines: vec![line],
            cx,
            cy: top + LABEL_H / 2.0,
            w,
            h: LABEL_H,
        }
    };
    if k <= 1 {
        let r = CENTER_R;
        let dy = if k == 0 { 0.0 } else { r + SPACING / 2.0 };
        let top = -dy - r - 4.0 - LABEL_H;
        nodes.push(Node {
            who: Who::Caregiver,
            ring: 0,
            x: CX,
            y: CY - dy,
            r,
            label: Some(label(
                &input.caregiver,
                CX,
                CY + top,
                2.0 * middle_half_width(top),
            )),
        });
        if k == 1 {
            let bottom = dy + r + 4.0 + LABEL_H;
            nodes.push(Node {
                who: Who::Naaste(0),
                ring: 0,
                x: CX,
                y: CY + dy,
                r,
                label: Some(label(
                    &input.naasten[0],
                    CX,
                    CY + bottom - LABEL_H,
                    2.0 * middle_half_width(bottom),
                )),
            });
        }
        return;
    }
    let n = k + 1;
    let row_y = -25.0;
    let span = 2.0 * (CENTER_LIMIT - 10.0);
    let pitch = (2.0 * CENTER_R + 12.0).min((span - 2.0 * CENTER_R) / (n - 1) as f64);
    let r = CENTER_R.min((pitch - SPACING) / 2.0);
    let middle_slot = k / 2;
    let top = row_y - r - 4.0 - LABEL_H;
    let bottom = row_y + r + 4.0 + LABEL_H;
    let below_half = middle_half_width(bottom);
    let slot_w = 2.0 * below_half / k as f64;
    for slot in 0..n {
        let x = CX + (slot as f64 - (n as f64 - 1.0) / 2.0) * pitch;
        let (who, label) = if slot == middle_slot {
            (
                Who::Caregiver,
                label(&input.caregiver, CX, CY + top, 2.0 * middle_half_width(top)),
            )
        } else {
            let i = if slot < middle_slot { slot } else { slot - 1 };
            let cx = CX - below_half + slot_w * (i as f64 + 0.5);
            (
                Who::Naaste(i),
                label(&input.naasten[i], cx, CY + bottom - LABEL_H, slot_w - 4.0),
            )
        };
        nodes.push(Node {
            who,
            ring: 0,
            x,
            y: CY + row_y,
            r,
            label: Some(label),
        });
    }
}

fn by_ring_indexed(input: &CirclesInput) -> [Vec<usize>; 3] {
    let mut rings: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for (i, m) in input.members.iter().enumerate() {
        rings[ring_of(m.kind)].push(i);
    }
    rings
}

/// Boxes standing in for the ring names written along the top of each ring.
fn ring_name_boxes(rings: &[RingLayout]) -> Vec<Rect> {
    let mut boxes = Vec::new();
    for ring in rings {
        let w = ring.squeeze_to.unwrap_or(ring.name_w);
        let radius = ring.radius - 0.33 * EM;
        let half = w / 2.0 / radius;
        let steps = (w / (EM / 2.0)).ceil().max(1.0) as usize;
        for s in 0..=steps {
            let a = -half + 2.0 * half * s as f64 / steps as f64;
            let (x, y) = (
                CX + (radius + 0.33 * EM) * a.sin(),
                CY - (radius + 0.33 * EM) * a.cos(),
            );
            boxes.push(Rect {
                x0: x - EM / 2.0,
                y0: y - EM / 2.0,
                x1: x + EM / 2.0,
                y1: y + EM / 2.0,
            });
        }
    }
    boxes
}

/// Names the ring members: each name goes in the first free place around its node (outwards,
/// inwards, beside, then the same places slid along, then on the diagonals). A name that would
/// cover another name, a node or a ring's name is left out (the node's tooltip and the list next
/// to the picture have it), except the regiehouder's, which goes where it covers least. In a
/// crowded ring (two arcs, small nodes) only the regiehouder is named.
fn place_labels(
    input: &CirclesInput,
    labels: &CircleLabels,
    rings: &[RingLayout],
    nodes: &mut [Node],
) -> f64 {
    let mut regie_cost = 0.0;
    let fixed = ring_name_boxes(rings);
    // The middle's names are placed already (inside the middle, clear of everything else).
    let mut placed: Vec<Rect> = nodes
        .iter()
        .filter_map(|n| n.label.as_ref().map(Label::rect))
        .collect();
    for idx in 0..nodes.len() {
        let node = nodes[idx].clone();
        let Who::Member(member) = node.who else {
            continue;
        };
        let regie = input.members[member].regiehouder;
        let crowded = rings[usize::from(node.ring - 1)].two_arcs || node.r < 0.75 * NODE_R;
        if crowded && !regie {
            continue;
        }
        let mut lines = vec![short_name(
            &input.members[member].name,
            7.0 * EM - 2.0 * LABEL_PAD,
        )];
        if regie {
            lines.push(fit(labels.regiehouder.trim(), 9.0 * EM));
        }
        let w = lines.iter().map(|l| text_width(l, EM)).fold(0.0, f64::max) + 2.0 * LABEL_PAD;
        let h = LABEL_H + 1.15 * EM * (lines.len() - 1) as f64;
        let (x, y, r) = (node.x, node.y, node.r);
        let below = (x, y + r + 4.0 + h / 2.0);
        let above = (x, y - r - 4.0 - h / 2.0);
        let right = (x + r + 6.0 + w / 2.0, y);
        let left = (x - r - 6.0 - w / 2.0, y);
        let (outward, inward) = if y >= CY {
            (below, above)
        } else {
            (above, below)
        };
        let (out_h, in_h) = if x >= CX {
            (right, left)
        } else {
            (left, right)
        };
        let side = w / 2.0 - 12.0;
        let lift = h / 2.0;
        let d = r * 0.72 + 4.0;
        let mut candidates = vec![outward, inward, out_h, in_h];
        for (cx, cy) in [outward, inward] {
            candidates.push((cx - side, cy));
            candidates.push((cx + side, cy));
        }
        for (cx, cy) in [out_h, in_h] {
            candidates.push((cx, cy - lift));
            candidates.push((cx, cy + lift));
        }
        for (sx, sy) in [(1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)] {
            candidates.push((x + sx * (d + w / 2.0), y + sy * (d + h / 2.0)));
        }
        let mut best: Option<(f64, Label)> = None;
        for (cx, cy) in candidates {
            let label = Label {
                lines: lines.clone(),
                cx,
                cy,
                w,
                h,
            };
            let rect = label.rect();
            if rect.x0 < 4.0 || rect.x1 > W - 4.0 || rect.y0 < 4.0 {
                continue;
            }
            let grown = rect.grow(4.0);
            let cost = placed.iter().map(|p| grown.overlap(*p)).sum::<f64>()
                + fixed.iter().map(|p| grown.overlap(*p)).sum::<f64>()
                + nodes
                    .iter()
                    .map(|n| grown.circle_overlap(n.x, n.y, n.r))
                    .sum::<f64>();
            if cost == 0.0 {
                best = Some((0.0, label));
                break;
            }
            if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                best = Some((cost, label));
            }
        }
        if let Some((cost, label)) = best
            && (cost == 0.0 || regie)
        {
            regie_cost += cost;
            placed.push(label.rect());
            nodes[idx].label = Some(label);
        }
    }
    regie_cost
}

// ---- drawing ----------------------------------------------------------------------------------

/// Escapes text for XML content and attribute values; drops characters XML cannot hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(' '),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

/// A number for an attribute: one decimal, no `-0`, no trailing `.0`.
fn num(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let s = format!("{rounded:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Letters, digits, `-` and `_` of the caller's prefix; starts with a letter.
fn id_prefix(p: &str) -> String {
    let kept: String = p
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if kept.starts_with(|c: char| c.is_ascii_alphabetic()) {
        kept
    } else {
        format!("k{kept}")
    }
}

/// How a shape is painted: fill, outline colour and outline width.
#[derive(Debug, Clone, Copy)]
struct Paint<'a> {
    fill: &'a str,
    line: &'a str,
    lw: f64,
}

/// Draws a node's shape (within radius `r` around `(x, y)`).
fn shape(out: &mut String, shape: Shape, (x, y, r): (f64, f64, f64), paint: Paint) {
    let Paint { fill, line, lw } = paint;
    match shape {
        Shape::Circle => {
            let _ = write!(
                out,
                r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}" stroke="{line}" stroke-width="{}"/>"#,
                num(x),
                num(y),
                num(r - lw / 2.0),
                num(lw)
            );
        }
        Shape::RoundedSquare => {
            let a = 0.79 * r - lw / 2.0;
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="{fill}" stroke="{line}" stroke-width="{}"/>"#,
                num(x - a),
                num(y - a),
                num(2.0 * a),
                num(2.0 * a),
                num(0.28 * r),
                num(lw)
            );
        }
        Shape::Hexagon => {
            // Pointed at the top and bottom, upright sides.
            let a = r - lw;
            let mut d = String::new();
            for i in 0..6 {
                let angle = PI / 3.0 * f64::from(i);
                let _ = write!(
                    d,
                    "{}{} {}",
                    if i == 0 { 'M' } else { 'L' },
                    num(x + a * angle.sin()),
                    num(y - a * angle.cos())
                );
            }
            let _ = write!(
                out,
                r#"<path d="{d}Z" fill="{fill}" stroke="{line}" stroke-width="{}" stroke-linejoin="round"/>"#,
                num(lw)
            );
        }
    }
}

/// A five-pointed star of outer radius `r`.
fn star(out: &mut String, x: f64, y: f64, r: f64) {
    let mut d = String::new();
    for i in 0..10 {
        let rr = if i % 2 == 0 { r } else { r * 0.45 };
        let a = PI * f64::from(i) / 5.0;
        let _ = write!(
            d,
            "{}{} {}",
            if i == 0 { 'M' } else { 'L' },
            num(x + rr * a.sin()),
            num(y - rr * a.cos())
        );
    }
    let _ = write!(
        out,
        r#"<path d="{d}Z" fill="{STAR_FILL}" stroke="{STAR_FILL}" stroke-width="1" stroke-linejoin="round"/>"#
    );
}

/// The regiehouder's marks around a node of radius `r`: a thick outer ring and a star badge.
fn regie_marks(out: &mut String, x: f64, y: f64, r: f64) {
    let lw = (r * 0.09).max(1.5);
    let _ = write!(
        out,
        r#"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{REGIE_LINE}" stroke-width="{}"/>"#,
        num(x),
        num(y),
        num(r - lw / 2.0),
        num(lw)
    );
    let br = r * 0.4;
    let (bx, by) = (x + r * 0.72, y - r * 0.72);
    let _ = write!(
        out,
        r#"<circle cx="{}" cy="{}" r="{}" fill="{REGIE_LINE}" stroke="{BACKGROUND}" stroke-width="{}"/>"#,
        num(bx),
        num(by),
        num(br),
        num((br * 0.15).max(1.0))
    );
    star(out, bx, by, br * 0.72);
}

/// The body of a regiehouder's node, as a part of the node's radius (the rest holds the ring).
const REGIE_BODY: f64 = 0.86;

/// The initials, as large as the label text when they fit inside the shape (of radius `body_r`
/// and outline `lw`); squeezed when a wide pair of letters would not fit.
fn initials_text(
    out: &mut String,
    sh: Shape,
    (x, y): (f64, f64),
    body_r: f64,
    lw: f64,
    ink: &str,
    s: &str,
) {
    let inner = body_r - lw;
    // Two capitals are some 1.55 em wide and 0.72 em high.
    let (size, room) = match sh {
        Shape::Circle => {
            let size = (inner / 0.855).min(EM);
            (
                size,
                2.0 * (inner.powi(2) - (0.36 * size).powi(2)).max(0.0).sqrt(),
            )
        }
        Shape::RoundedSquare => {
            let half = 0.79 * body_r - lw;
            ((half / 0.775).min(EM), 2.0 * half)
        }
        Shape::Hexagon => ((inner * 1.117).min(EM), 2.0 * 0.866 * inner),
    };
    let width = text_width(s, size);
    let squeeze = if width > room {
        format!(
            r#" textLength="{}" lengthAdjust="spacingAndGlyphs""#,
            num(room)
        )
    } else {
        String::new()
    };
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" fill="{ink}" text-anchor="middle" font-weight="bold"{squeeze}>{}</text>"#,
        num(x),
        num(y + 0.36 * size),
        num(size),
        escape(s)
    );
}

fn text(out: &mut String, x: f64, y: f64, size: f64, fill: &str, bold: bool, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" fill="{fill}" text-anchor="middle"{}>{}</text>"#,
        num(x),
        num(y),
        num(size),
        if bold { r#" font-weight="bold""# } else { "" },
        escape(s)
    );
}

/// Draws the circles picture. See the module documentation for what it guarantees.
pub fn svg(input: &CirclesInput, labels: &CircleLabels) -> String {
    let layout = layout(input, labels);
    let p = id_prefix(&input.id_prefix);
    let legend = legend_items(labels);
    let (columns, col_w) = if legend
        .iter()
        .all(|(_, t)| text_width(t, EM) <= W / 2.0 - 110.0)
    {
        (2, W / 2.0)
    } else {
        (1, W)
    };
    let row_h = 1.7 * EM;
    let rows = legend.len().div_ceil(columns);
    let legend_top = layout.bottom + 36.0;
    let height = legend_top + 20.0 + rows as f64 * row_h + 16.0;

    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{p}-title {p}-desc" font-family="Arial, Helvetica, 'Liberation Sans', sans-serif">"#,
        num(W),
        num(height)
    );
    let _ = write!(
        out,
        r#"<title id="{p}-title">{}</title><desc id="{p}-desc">{}</desc>"#,
        escape(&labels.title),
        escape(&labels.description)
    );
    let _ = write!(
        out,
        r#"<rect x="0" y="0" width="{}" height="{}" rx="24" fill="{BACKGROUND}"/>"#,
        num(W),
        num(height)
    );

    // Bands and ring lines.
    for (radius, fill) in [
        (RING_R[2] + GAP / 2.0 - 8.0, BAND_OUTER),
        (RING_R[1] + GAP / 2.0, BAND_MIDDLE),
        (RING_R[0] + GAP / 2.0, BAND_INNER),
        (RING_R[0] - GAP / 2.0, BACKGROUND),
    ] {
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}"/>"#,
            num(CX),
            num(CY),
            num(radius)
        );
    }
    for (i, ring) in layout.rings.iter().enumerate() {
        let a0 = ring.gap / 2.0;
        let a1 = 2.0 * PI - ring.gap / 2.0;
        let (x0, y0) = (CX + ring.radius * a0.sin(), CY - ring.radius * a0.cos());
        let (x1, y1) = (CX + ring.radius * a1.sin(), CY - ring.radius * a1.cos());
        let large = if a1 - a0 > PI { 1 } else { 0 };
        let _ = write!(
            out,
            r#"<path d="M{} {}A{r} {r} 0 {large} 1 {} {}" fill="none" stroke="{RING_LINE}" stroke-width="3"/>"#,
            num(x0),
            num(y0),
            num(x1),
            num(y1),
            r = num(ring.radius)
        );
        // The ring's name, along the top of the ring.
        let br = ring.radius - 0.33 * EM;
        let half = ring.gap / 2.0;
        let _ = write!(
            out,
            r#"<path id="{p}-ring{n}" d="M{} {}A{r} {r} 0 0 1 {} {}" fill="none"/>"#,
            num(CX - br * half.sin()),
            num(CY - br * half.cos()),
            num(CX + br * half.sin()),
            num(CY - br * half.cos()),
            n = i + 1,
            r = num(br)
        );
        let squeeze = ring.squeeze_to.map_or(String::new(), |w| {
            format!(
                r#" textLength="{}" lengthAdjust="spacingAndGlyphs""#,
                num(w)
            )
        });
        let _ = write!(
            out,
            r##"<text font-size="{}" fill="{RING_TEXT}" text-anchor="middle"><textPath href="#{p}-ring{n}" startOffset="50%"{squeeze}>{}</textPath></text>"##,
            num(EM),
            escape(&ring.name),
            n = i + 1
        );
    }

    // Nodes.
    for node in &layout.nodes {
        let (full, role, initials_of, person) = match node.who {
            Who::Caregiver => (
                input.caregiver.as_str(),
                labels.caregiver.as_str(),
                initials(&input.caregiver),
                None,
            ),
            Who::Naaste(i) => (
                input.naasten[i].as_str(),
                labels.naaste.as_str(),
                initials(&input.naasten[i]),
                None,
            ),
            Who::Member(i) => {
                let m = &input.members[i];
                (
                    m.name.as_str(),
                    m.role_label.as_str(),
                    initials(&m.name),
                    Some(m),
                )
            }
        };
        let regie = person.is_some_and(|m| m.regiehouder);
        let field = person
            .filter(|m| m.kind != MemberKind::Own)
            .and_then(|m| m.field);
        let kind = match node.who {
            Who::Caregiver => "caregiver",
            Who::Naaste(_) => "naaste",
            Who::Member(i) => input.members[i].kind.as_str(),
        };
        let _ = write!(
            out,
            r#"<g data-ring="{}" data-kind="{kind}"{}{}>"#,
            node.ring,
            field.map_or(String::new(), |f| format!(
                r#" data-field="{}""#,
                f.as_str()
            )),
            if regie {
                r#" data-regiehouder="true""#
            } else {
                ""
            }
        );
        let mut tip = format!("{} – {}", full.trim(), role.trim());
        if regie {
            tip.push_str(&format!(" ({})", labels.regiehouder.trim()));
        }
        let _ = write!(out, "<title>{}</title>", escape(&tip));
        // With the regiehouder's ring around it, the shape itself is a little smaller.
        let body_r = if regie { node.r * REGIE_BODY } else { node.r };
        let lw = (node.r * 0.07).clamp(1.5, 3.5);
        let (fill, line, ink, sh) = match (node.who, field) {
            (Who::Caregiver, _) => (CAREGIVER_FILL, CAREGIVER_FILL, BACKGROUND, Shape::Circle),
            (Who::Naaste(_), _) => (NAASTE_FILL, NAASTE_LINE, TEXT, Shape::Circle),
            (_, Some(f)) => (field_colour(f), field_colour(f), BACKGROUND, field_shape(f)),
            (_, None) => (NEUTRAL_FILL, NEUTRAL_LINE, TEXT, Shape::Circle),
        };
        shape(
            &mut out,
            sh,
            (node.x, node.y, body_r),
            Paint { fill, line, lw },
        );
        if regie {
            regie_marks(&mut out, node.x, node.y, node.r);
        }
        initials_text(
            &mut out,
            sh,
            (node.x, node.y),
            body_r,
            lw,
            ink,
            &initials_of,
        );
        if let Some(label) = &node.label {
            let r = label.rect();
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="12" fill="{LABEL_BOX}" fill-opacity="0.92"/>"#,
                num(r.x0),
                num(r.y0),
                num(label.w),
                num(label.h)
            );
            for (i, line) in label.lines.iter().enumerate() {
                let baseline = r.y0 + 2.0 + 1.15 * EM * i as f64 + 0.9 * EM;
                text(&mut out, label.cx, baseline, EM, TEXT, i > 0, line);
            }
        }
        out.push_str("</g>");
    }

    // Legend.
    let _ = write!(
        out,
        r#"<path d="M40 {y}H{}" stroke="{RING_LINE}" stroke-width="2"/>"#,
        num(W - 40.0),
        y = num(legend_top)
    );
    for (i, (kind, words)) in legend.iter().enumerate() {
        let col = (i / rows) as f64;
        let row = (i % rows) as f64;
        let x = 40.0 + col * col_w;
        let cy = legend_top + 20.0 + row_h * (row + 0.5);
        let sr = 0.75 * EM;
        let sx = x + sr;
        let paint = |fill, line, lw| Paint { fill, line, lw };
        match kind {
            LegendKind::Caregiver => shape(
                &mut out,
                Shape::Circle,
                (sx, cy, sr),
                paint(CAREGIVER_FILL, CAREGIVER_FILL, 2.0),
            ),
            LegendKind::Naaste => shape(
                &mut out,
                Shape::Circle,
                (sx, cy, sr),
                paint(NAASTE_FILL, NAASTE_LINE, 2.5),
            ),
            LegendKind::Field(f) => shape(
                &mut out,
                field_shape(*f),
                (sx, cy, sr),
                paint(field_colour(*f), field_colour(*f), 2.0),
            ),
            LegendKind::Regie => {
                shape(
                    &mut out,
                    Shape::Circle,
                    (sx, cy, sr * REGIE_BODY),
                    paint(NEUTRAL_FILL, NEUTRAL_LINE, 2.0),
                );
                regie_marks(&mut out, sx, cy, sr);
            }
        }
        let max_w = col_w - 2.0 * sr - 60.0;
        let squeeze = if text_width(words, EM) > max_w {
            format!(
                r#" textLength="{}" lengthAdjust="spacingAndGlyphs""#,
                num(max_w)
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{}" fill="{TEXT}"{squeeze}>{}</text>"#,
            num(sx + sr + 20.0),
            num(cy + 0.35 * EM),
            num(EM),
            escape(words)
        );
    }
    out.push_str("</svg>");
    out
}

#[derive(Debug, Clone, Copy)]
enum LegendKind {
    Caregiver,
    Naaste,
    Field(Field),
    Regie,
}

fn legend_items(labels: &CircleLabels) -> Vec<(LegendKind, String)> {
    vec![
        (LegendKind::Caregiver, labels.caregiver.trim().to_string()),
        (LegendKind::Naaste, labels.naaste.trim().to_string()),
        (LegendKind::Regie, labels.regiehouder.trim().to_string()),
        (
            LegendKind::Field(Field::Care),
            labels.field_care.trim().to_string(),
        ),
        (
            LegendKind::Field(Field::Welfare),
            labels.field_welfare.trim().to_string(),
        ),
        (
            LegendKind::Field(Field::Medical),
            labels.field_medical.trim().to_string(),
        ),
    ]
}

#[cfg(test)]
mod tests;
