use super::*;
use proptest::prelude::*;

const DAY: Millis = 86_400_000;

fn labels() -> ChartLabels {
    ChartLabels {
        title: "Verloop van de CSI".into(),
        description: "3 keer ingevuld, van 4 tot 9.".into(),
        threshold: "grens 7".into(),
        axis: "score".into(),
        empty: "Nog niet ingevuld".into(),
    }
}

fn point(day: i64, score: u32) -> ChartPoint {
    ChartPoint {
        at: 1_700_000_000_000 + day * DAY,
        score,
        date: format!("dag {day}"),
        tooltip: format!("dag {day}: {score}"),
    }
}

fn input(points: Vec<ChartPoint>, threshold: Option<u32>) -> ChartInput {
    ChartInput {
        id_prefix: "csi".into(),
        max: 13,
        threshold,
        points,
    }
}

/// (cx, cy) of every circle.
fn circles(svg: &str) -> Vec<(f64, f64)> {
    svg.split("<circle ")
        .skip(1)
        .map(|c| {
            let attr = |name: &str| -> f64 {
                let start = c.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                c[start..].split('"').next().unwrap().parse().unwrap()
            };
            (attr("cx"), attr("cy"))
        })
        .collect()
}

#[test]
fn one_point_per_check_in_time_order_higher_scores_higher_up() {
    let svg = svg(
        &input(vec![point(30, 9), point(0, 4), point(10, 6)], Some(7)),
        &labels(),
    );
    let pts = circles(&svg);
    assert_eq!(pts.len(), 3);
    // Sorted by time: left to right.
    assert!(pts[0].0 < pts[1].0 && pts[1].0 < pts[2].0, "{pts:?}");
    // Spaced half by time (10 days, then 20) and half evenly.
    let (a, b) = (pts[1].0 - pts[0].0, pts[2].0 - pts[1].0);
    let span = W - LEFT - RIGHT - 28.0;
    assert!((a - span * (10.0 / 30.0 + 0.5) / 2.0).abs() < 0.2, "{a}");
    assert!((b - span * (20.0 / 30.0 + 0.5) / 2.0).abs() < 0.2, "{b}");
    // Score 9 is higher on the screen (smaller y) than 6, and 6 than 4.
    assert!(pts[2].1 < pts[1].1 && pts[1].1 < pts[0].1, "{pts:?}");
    assert!(svg.contains("<polyline"));
    assert!(svg.contains("<title>dag 0: 4</title>"));
    // The dates of the first and last check under the axis.
    assert!(svg.contains(">dag 0</text>") && svg.contains(">dag 30</text>"));
}

#[test]
fn the_threshold_line_is_drawn_only_when_set() {
    let with = svg(&input(vec![point(0, 8)], Some(7)), &labels());
    assert!(with.contains("stroke-dasharray"));
    assert!(with.contains(">grens 7</text>"));
    let without = svg(&input(vec![point(0, 8)], None), &labels());
    assert!(!without.contains("stroke-dasharray"));
    assert!(!without.contains("grens 7"));
}

#[test]
fn accessible_and_free_of_inline_style() {
    let svg = svg(&input(vec![point(0, 3), point(5, 12)], Some(7)), &labels());
    assert!(svg.starts_with("<svg "));
    assert!(svg.ends_with("</svg>"));
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains(r#"aria-labelledby="csi-title csi-desc""#));
    assert!(svg.contains(r#"<title id="csi-title">Verloop van de CSI</title>"#));
    assert!(svg.contains(r#"<desc id="csi-desc">3 keer ingevuld, van 4 tot 9.</desc>"#));
    assert!(!svg.contains("style"), "no style attribute or element");
    assert!(svg.contains(r#"viewBox="0 0 340 230""#));
    assert!(svg.contains(r#"width="100%""#));
    assert!(!svg.contains("<script"));
}

#[test]
fn no_points_says_so_without_circles() {
    let svg = svg(&input(vec![], Some(7)), &labels());
    assert!(circles(&svg).is_empty());
    assert!(svg.contains("Nog niet ingevuld"));
}

#[test]
fn one_check_stands_in_the_middle() {
    let svg = svg(&input(vec![point(0, 5)], None), &labels());
    let pts = circles(&svg);
    assert_eq!(pts.len(), 1);
    assert!((pts[0].0 - (LEFT + (W - LEFT - RIGHT) / 2.0)).abs() < 0.1);
    assert!(!svg.contains("<polyline"));
}

#[test]
fn text_is_escaped() {
    let mut l = labels();
    l.title = "<b>&\"'".into();
    let mut p = point(0, 5);
    p.tooltip = "<script>alert(1)</script>".into();
    p.date = "a<b".into();
    let svg = svg(
        &ChartInput {
            id_prefix: "x\"><script>".into(),
            ..input(vec![p], None)
        },
        &l,
    );
    assert!(!svg.contains("<script"));
    assert!(!svg.contains("<b>"));
    assert!(svg.contains("&lt;b&gt;&amp;&quot;&#39;"));
    assert!(svg.contains("a&lt;b"));
    assert!(svg.contains(r#"aria-labelledby="xscript-title xscript-desc""#));
}

#[test]
fn grid_steps_are_round_numbers() {
    assert_eq!(grid_step(1), 1);
    assert_eq!(grid_step(5), 1);
    assert_eq!(grid_step(9), 2);
    assert_eq!(grid_step(13), 5);
    assert_eq!(grid_step(40), 10);
    assert_eq!(grid_step(100), 20);
    assert_eq!(grid_step(200), 50);
}

proptest! {
    #[test]
    fn deterministic_one_circle_per_point_inside_the_picture(
        raw in proptest::collection::vec((0i64..4000, 0u32..=13), 0..40),
        threshold in proptest::option::of(0u32..=13),
    ) {
        let pts: Vec<ChartPoint> = raw.iter().map(|(d, s)| point(*d, *s)).collect();
        let a = svg(&input(pts.clone(), threshold), &labels());
        let mut reversed = pts.clone();
        reversed.reverse();
        let b = svg(&input(pts.clone(), threshold), &labels());
        prop_assert_eq!(&a, &b);
        let found = circles(&a);
        prop_assert_eq!(found.len(), pts.len());
        // Never on top of one another: at least half an even step apart (one decimal rounded).
        if found.len() > 1 && found.first().map(|p| p.0) != found.last().map(|p| p.0) {
            let min_gap = (W - LEFT - RIGHT - 28.0) / (found.len() - 1) as f64 / 2.0 - 0.1;
            for pair in found.windows(2) {
                prop_assert!(pair[1].0 - pair[0].0 >= min_gap, "{:?}", pair);
            }
        }
        for (x, y) in found {
            prop_assert!((LEFT..=W - RIGHT).contains(&x), "x {}", x);
            prop_assert!((TOP..=H - BOTTOM).contains(&y), "y {}", y);
        }
        // The order the checks come in does not matter.
        let c = svg(&input(reversed, threshold), &labels());
        prop_assert_eq!(&a, &c);
        prop_assert!(!a.contains("style"));
    }
}
