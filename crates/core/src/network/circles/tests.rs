use super::*;
use proptest::prelude::*;

fn labels() -> CircleLabels {
    CircleLabels {
        title: "De kring van Ria de Vries".into(),
        description: "Ria zorgt voor Henk. 5 mensen in het eigen netwerk, 2 vrijwilligers of \
                      casemanager, 4 professionals."
            .into(),
        ring_own: "Eigen netwerk".into(),
        ring_volunteers: "Vrijwilligers en casemanager".into(),
        ring_professionals: "Professionals".into(),
        field_care: "Zorg".into(),
        field_welfare: "Welzijn".into(),
        field_medical: "Medisch".into(),
        regiehouder: "regiehouder".into(),
        caregiver: "mantelzorger".into(),
        naaste: "naaste".into(),
    }
}

fn person(
    name: &str,
    role: &str,
    kind: MemberKind,
    field: Option<Field>,
    regie: bool,
) -> CirclePerson {
    CirclePerson {
        name: name.into(),
        role_label: role.into(),
        kind,
        field,
        regiehouder: regie,
    }
}

/// A realistic kring: 11 members, three professionals of different fields, a regiehouder.
pub(super) fn realistic() -> CirclesInput {
    use MemberKind::*;
    CirclesInput {
        id_prefix: "kring-1".into(),
        caregiver: "Ria de Vries".into(),
        naasten: vec!["Henk de Vries".into()],
        members: vec![
            person("Sanne de Vries", "dochter", Own, None, false),
            person("Mark de Vries", "zoon", Own, None, false),
            person("Joke Bakker", "buurvrouw", Own, None, false),
            person("Piet Jansen", "vriend", Own, None, false),
            person("Fatima El Amrani", "nicht", Own, None, false),
            person("Kees Smit", "vrijwilliger", Volunteer, None, false),
            person(
                "Anja Mulder",
                "casemanager dementie",
                CaseManager,
                Some(Field::Care),
                true,
            ),
            person(
                "Eva Visser",
                "wijkverpleegkundige",
                Professional,
                Some(Field::Care),
                false,
            ),
            person(
                "Youssef Amrani",
                "mantelzorgconsulent",
                Professional,
                Some(Field::Welfare),
                false,
            ),
            person(
                "dr. Lisa de Boer",
                "huisarts",
                Professional,
                Some(Field::Medical),
                false,
            ),
            person(
                "Tom Hendriks",
                "wijkcoach",
                Professional,
                Some(Field::Welfare),
                false,
            ),
        ],
    }
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"))
}

/// The node groups (one per person drawn).
fn nodes<'a>(doc: &'a roxmltree::Document<'a>) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("data-kind").is_some())
        .collect()
}

fn title_of(node: roxmltree::Node) -> String {
    node.children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
        .unwrap_or("")
        .to_string()
}

#[test]
fn output_is_xml_with_an_accessible_name_and_scales() {
    let out = svg(&realistic(), &labels());
    let doc = parse(&out);
    let root = doc.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("width"), Some("100%"));
    assert_eq!(root.attribute("height"), None, "no fixed height");
    let view_box: Vec<f64> = root
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(view_box.len(), 4);
    assert_eq!(view_box[2], W);
    assert!(!out.contains("px"), "no pixel sizes");
    let ids: Vec<&str> = root
        .attribute("aria-labelledby")
        .expect("aria-labelledby")
        .split(' ')
        .collect();
    assert_eq!(ids, ["kring-1-title", "kring-1-desc"]);
    let by_id = |id: &str| doc.descendants().find(|n| n.attribute("id") == Some(id));
    let title = by_id("kring-1-title").expect("title");
    assert!(title.has_tag_name("title"));
    assert_eq!(title.text(), Some("De kring van Ria de Vries"));
    assert!(by_id("kring-1-desc").expect("desc").has_tag_name("desc"));
    // Ids are unique, and every reference points at one.
    let mut all: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let count = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), count, "duplicate ids");
    for n in doc.descendants().filter(|n| n.has_tag_name("textPath")) {
        let href = n.attribute("href").expect("href");
        assert!(all.contains(&href.trim_start_matches('#')), "{href}");
    }
}

#[test]
fn no_inline_styles() {
    let out = svg(&realistic(), &labels());
    assert!(
        !out.contains("style="),
        "CSP style-src 'self' forbids style attributes"
    );
    assert!(!out.contains("<style"), "and style elements");
    let doc = parse(&out);
    assert!(
        doc.descendants()
            .all(|n| n.attribute("style").is_none() && !n.has_tag_name("style"))
    );
}

#[test]
fn text_is_escaped() {
    let mut input = realistic();
    input.members[0].name = r#"<script>alert("x")</script> & 'Jo'"#.into();
    input.members[0].role_label = "a</title><script>".into();
    input.caregiver = "Ria <b>".into();
    let mut l = labels();
    l.title = "</title><script>x</script>".into();
    l.ring_own = "Eigen & <netwerk>".into();
    l.field_care = r#"Zorg" onload="x"#.into();
    input.id_prefix = r#"a" onload="alert(1)"#.into();
    let out = svg(&input, &l);
    assert!(!out.contains("<script"), "{out}");
    assert!(!out.contains("<b>"));
    assert!(!out.contains("onload=\""));
    assert!(out.contains("&lt;script&gt;"));
    assert!(out.contains("&amp;"));
    assert!(out.contains("&#39;Jo&#39;"));
    let doc = parse(&out);
    // The texts come back unchanged after parsing.
    let titles: Vec<String> = nodes(&doc).into_iter().map(title_of).collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with(r#"<script>alert("x")</script> & 'Jo'"#))
    );
    let prefix = doc
        .root_element()
        .attribute("aria-labelledby")
        .unwrap()
        .to_string();
    assert_eq!(prefix, "aonloadalert1-title aonloadalert1-desc");
}

#[test]
fn control_characters_are_dropped() {
    assert_eq!(escape("a\u{0}b\u{7}c\nd"), "abc d");
    let mut input = realistic();
    input.members[1].name = "Mark\u{1b}[31m".into();
    parse(&svg(&input, &labels()));
}

#[test]
fn every_member_appears_exactly_once_on_their_ring() {
    let input = realistic();
    let out = svg(&input, &labels());
    let doc = parse(&out);
    let groups = nodes(&doc);
    assert_eq!(groups.len(), 1 + input.naasten.len() + input.members.len());
    for m in &input.members {
        let found: Vec<_> = groups
            .iter()
            .filter(|g| title_of(**g).starts_with(&format!("{} – ", m.name)))
            .collect();
        assert_eq!(found.len(), 1, "{}", m.name);
        let g = found[0];
        assert_eq!(
            g.attribute("data-ring"),
            Some(m.kind.circle().to_string().as_str()),
            "{} is drawn on ring {}",
            m.name,
            m.kind.circle()
        );
        assert_eq!(g.attribute("data-kind"), Some(m.kind.as_str()));
        // Its initials are in the node, its first name in the label.
        let texts: Vec<&str> = g
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert!(texts.contains(&initials(&m.name).as_str()), "{texts:?}");
        let first = m
            .name
            .split_whitespace()
            .find(|w| !w.ends_with('.'))
            .unwrap();
        assert!(texts.contains(&first), "{} in {texts:?}", m.name);
    }
    let middle: Vec<_> = groups
        .iter()
        .filter(|g| g.attribute("data-ring") == Some("0"))
        .collect();
    assert_eq!(middle.len(), 2);
    assert!(title_of(*middle[0]).starts_with("Ria de Vries – mantelzorger"));
    assert!(title_of(*middle[1]).starts_with("Henk de Vries – naaste"));
}

#[test]
fn members_sit_in_their_ring_band() {
    let input = realistic();
    let l = layout(&input, &labels());
    for n in &l.nodes {
        let d = ((n.x - CX).powi(2) + (n.y - CY).powi(2)).sqrt();
        match n.who {
            Who::Member(i) => {
                let ring = input.members[i].kind.circle();
                assert_eq!(n.ring, ring);
                let radius = RING_R[usize::from(ring - 1)];
                assert!((d - radius).abs() + n.r <= GAP / 2.0 + 0.01, "{d} {radius}");
            }
            _ => assert!(d + n.r <= CENTER_LIMIT, "{d}"),
        }
    }
    let rings = by_ring(&input);
    assert_eq!(
        rings.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![5, 2, 4]
    );
    assert_eq!(rings[1][1].name, "Anja Mulder");
}

#[test]
fn the_regiehouder_is_marked() {
    let input = realistic();
    let out = svg(&input, &labels());
    let doc = parse(&out);
    let groups = nodes(&doc);
    let marked: Vec<_> = groups
        .iter()
        .filter(|g| g.attribute("data-regiehouder") == Some("true"))
        .collect();
    assert_eq!(marked.len(), 1);
    let g = marked[0];
    assert!(title_of(*g).starts_with("Anja Mulder – casemanager dementie (regiehouder)"));
    let texts: Vec<&str> = g
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(texts.contains(&"regiehouder"), "in the text: {texts:?}");
    let star = |g: &roxmltree::Node| {
        g.descendants()
            .any(|n| n.has_tag_name("path") && n.attribute("fill") == Some(STAR_FILL))
    };
    assert!(star(g), "the star badge");
    let thick_ring = g.descendants().any(|n| {
        n.has_tag_name("circle")
            && n.attribute("fill") == Some("none")
            && n.attribute("stroke") == Some(REGIE_LINE)
    });
    assert!(thick_ring, "the outer ring");
    for other in groups.iter().filter(|o| o.id() != g.id()) {
        assert!(!star(other), "{}", title_of(*other));
        assert!(!title_of(*other).contains("regiehouder"));
    }
    // Without a regiehouder nobody is marked, but the legend still explains the mark.
    let mut none = input.clone();
    for m in &mut none.members {
        m.regiehouder = false;
    }
    let out = svg(&none, &labels());
    let doc = parse(&out);
    assert!(nodes(&doc).iter().all(|g| !star(g)));
    assert!(out.contains(">regiehouder</text>"));
}

#[test]
fn fields_have_colour_and_shape_and_a_legend() {
    let out = svg(&realistic(), &labels());
    let doc = parse(&out);
    let groups = nodes(&doc);
    let shape_of = |field: &str| -> Vec<String> {
        groups
            .iter()
            .filter(|g| g.attribute("data-field") == Some(field))
            .map(|g| {
                let shape = g
                    .children()
                    .find(|c| matches!(c.tag_name().name(), "circle" | "rect" | "path"))
                    .unwrap();
                format!(
                    "{} {}",
                    shape.tag_name().name(),
                    shape.attribute("fill").unwrap()
                )
            })
            .collect()
    };
    assert_eq!(shape_of("zorg"), ["circle #0a5f9e", "circle #0a5f9e"]);
    assert_eq!(shape_of("welzijn"), ["rect #a34300", "rect #a34300"]);
    assert_eq!(shape_of("medisch"), ["path #84306e"]);
    for word in ["Zorg", "Welzijn", "Medisch", "mantelzorger", "naaste"] {
        assert!(out.contains(&format!(">{word}</text>")), "legend: {word}");
    }
    for ring in [
        "Eigen netwerk",
        "Vrijwilligers en casemanager",
        "Professionals",
    ] {
        assert!(
            out.contains(&format!(">{ring}</textPath>")),
            "ring name: {ring}"
        );
    }
}

#[test]
fn empty_rings_are_still_drawn() {
    let input = CirclesInput {
        id_prefix: "leeg".into(),
        caregiver: "Ria".into(),
        naasten: vec![],
        members: vec![],
    };
    let out = svg(&input, &labels());
    let doc = parse(&out);
    for n in 1..=3 {
        assert!(
            doc.descendants()
                .any(|e| e.attribute("id") == Some(format!("leeg-ring{n}").as_str()))
        );
    }
    let ring_lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("stroke") == Some(RING_LINE))
        .count();
    assert_eq!(ring_lines, 3 + 1, "three rings and the legend's rule");
    assert_eq!(nodes(&doc).len(), 1);
}

#[test]
fn deterministic() {
    assert_eq!(svg(&realistic(), &labels()), svg(&realistic(), &labels()));
}

#[test]
fn long_words_are_cut_or_squeezed() {
    let mut input = realistic();
    input.caregiver = "Wilhelmina-Johanna van Oldenbarnevelt".into();
    let mut l = labels();
    l.ring_volunteers = "Vrijwilligers, casemanagers en andere vaste aanspreekpunten".into();
    l.field_welfare = "Welzijn en maatschappelijke ondersteuning".into();
    let out = svg(&input, &l);
    parse(&out);
    assert!(out.contains("Wilhelmina-J"));
    assert!(out.contains('…'));
    assert!(out.contains("lengthAdjust"));
    let lay = layout(&input, &l);
    let caregiver = lay.nodes.iter().find(|n| n.who == Who::Caregiver).unwrap();
    let label = caregiver.label.as_ref().unwrap();
    assert!(label.w <= 2.0 * CENTER_LIMIT);
}

#[test]
fn numbers_are_short_and_never_negative_zero() {
    assert_eq!(num(-0.01), "0");
    assert_eq!(num(12.0), "12");
    assert_eq!(num(12.345), "12.3");
    assert_eq!(num(-3.96), "-4");
}

// ---- contrast (WCAG 2.1) ----

fn luminance(hex: &str) -> f64 {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    let channel = |shift: u32| {
        let c = f64::from((v >> shift) & 0xff) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn contrast_meets_wcag_aa() {
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 0.01);
    let backgrounds = [BACKGROUND, BAND_OUTER, BAND_MIDDLE, BAND_INNER];
    for bg in backgrounds {
        // Shapes and lines: 3:1.
        for f in Field::ALL {
            assert!(contrast(field_colour(*f), bg) >= 3.0, "{f:?} on {bg}");
        }
        for line in [
            RING_LINE,
            NEUTRAL_LINE,
            CAREGIVER_FILL,
            NAASTE_LINE,
            REGIE_LINE,
        ] {
            assert!(contrast(line, bg) >= 3.0, "{line} on {bg}");
        }
        // Text straight on the background: 4.5:1.
        for ink in [TEXT, RING_TEXT] {
            assert!(contrast(ink, bg) >= 4.5, "{ink} on {bg}");
        }
    }
    // Text in nodes and label boxes.
    for f in Field::ALL {
        assert!(contrast(BACKGROUND, field_colour(*f)) >= 4.5, "{f:?}");
    }
    assert!(contrast(BACKGROUND, CAREGIVER_FILL) >= 4.5);
    assert!(contrast(TEXT, NAASTE_FILL) >= 4.5);
    assert!(contrast(TEXT, NEUTRAL_FILL) >= 4.5);
    assert!(contrast(TEXT, LABEL_BOX) >= 4.5);
    assert!(contrast(STAR_FILL, REGIE_LINE) >= 3.0);
}

#[test]
fn text_is_large_enough_on_a_phone() {
    // The picture is 1000 units wide; on a 360 px phone it is some 340 px wide.
    let px = |units: f64| units * 340.0 / W;
    assert!(px(EM) >= 14.0);
    let out = svg(&realistic(), &labels());
    let doc = parse(&out);
    for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let size: f64 = t.attribute("font-size").unwrap().parse().unwrap();
        assert!(px(size) >= 13.0, "{size}: {:?}", t.text());
    }
}

fn crowd(counts: [usize; 3], naasten: usize, regie: Option<usize>) -> CirclesInput {
    let kinds = [
        MemberKind::Own,
        MemberKind::Volunteer,
        MemberKind::Professional,
    ];
    let mut members = Vec::new();
    for (ring, &n) in counts.iter().enumerate() {
        for i in 0..n {
            members.push(person(
                &format!("Persoon{ring}x{i} Achternaam"),
                "rol",
                kinds[ring],
                (ring == 2).then(|| Field::ALL[i % 3]),
                false,
            ));
        }
    }
    if let Some(r) = regie
        && !members.is_empty()
    {
        let i = r % members.len();
        members[i].regiehouder = true;
    }
    CirclesInput {
        id_prefix: "p".into(),
        caregiver: "Ria de Vries".into(),
        naasten: (0..naasten)
            .map(|i| format!("Naaste{i} de Vries"))
            .collect(),
        members,
    }
}

fn assert_no_overlap(input: &CirclesInput) -> Result<(), TestCaseError> {
    let l = layout(input, &labels());
    for (i, a) in l.nodes.iter().enumerate() {
        prop_assert!(a.r > 4.0, "nodes stay visible: {}", a.r);
        if a.ring == 0 {
            let label = a.label.as_ref().expect("the middle is always named");
            let r = label.rect();
            for (x, y) in [(r.x0, r.y0), (r.x1, r.y0), (r.x0, r.y1), (r.x1, r.y1)] {
                let d = ((x - CX).powi(2) + (y - CY).powi(2)).sqrt();
                prop_assert!(
                    d <= MIDDLE_TEXT_LIMIT + 0.01,
                    "{:?} leaves the middle",
                    a.who
                );
            }
        }
        prop_assert!(a.x - a.r >= 0.0 && a.x + a.r <= W && a.y - a.r >= 0.0);
        for b in &l.nodes[i + 1..] {
            let d = ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt();
            prop_assert!(
                d >= a.r + b.r + 1.0,
                "{:?} and {:?} overlap: {d} < {} + {}",
                a.who,
                b.who,
                a.r,
                b.r
            );
        }
    }
    Ok(())
}

#[test]
fn the_worst_crowds_do_not_overlap() {
    for n in 0..=40 {
        assert_no_overlap(&crowd([n, n, n], 3, Some(n))).unwrap();
        assert_no_overlap(&crowd([n, 0, 0], 1, None)).unwrap();
        assert_no_overlap(&crowd([0, n, 40], 2, None)).unwrap();
    }
}

proptest! {
    #[test]
    fn nodes_never_overlap(
        a in 0usize..=40,
        b in 0usize..=40,
        c in 0usize..=40,
        naasten in 0usize..=3,
        regie in proptest::option::of(0usize..120),
    ) {
        let input = crowd([a, b, c], naasten, regie);
        assert_no_overlap(&input)?;
        let out = svg(&input, &labels());
        let doc = roxmltree::Document::parse(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(nodes(&doc).len(), 1 + naasten + a + b + c);
    }
}

/// Writes the realistic picture (and a crowded one) as HTML pages into the directory named by
/// `MK_CIRCLES_PREVIEW`, to look at in a browser; does nothing without it.
#[test]
fn preview_when_asked() {
    let Ok(dir) = std::env::var("MK_CIRCLES_PREVIEW") else {
        return;
    };
    let page = |body: String| {
        format!(
            "<!doctype html><html lang=\"nl\"><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width,initial-scale=1\"><body><h1>Mijn kring</h1>{body}</body></html>"
        )
    };
    let l = labels();
    std::fs::write(format!("{dir}/circles.html"), page(svg(&realistic(), &l))).unwrap();
    std::fs::write(
        format!("{dir}/circles-crowded.html"),
        page(svg(&crowd([24, 9, 30], 2, Some(40)), &l)),
    )
    .unwrap();
    let mut small = realistic();
    small.members.truncate(3);
    small.members[2].regiehouder = true;
    std::fs::write(format!("{dir}/circles-small.html"), page(svg(&small, &l))).unwrap();
}

/// Every label of a layout must stand free: no other label, node or ring name under it.
fn labels_stand_free(l: &Layout) -> Vec<String> {
    let names = ring_name_boxes(&l.rings);
    let mut problems = Vec::new();
    for (i, a) in l.nodes.iter().enumerate() {
        let Some(label) = &a.label else { continue };
        let rect = label.rect();
        for (j, b) in l.nodes.iter().enumerate() {
            if rect.circle_overlap(b.x, b.y, b.r) > 0.0 {
                problems.push(format!("{:?} covers node {:?}", a.who, b.who));
            }
            if let Some(other) = &b.label
                && i != j
                && rect.overlap(other.rect()) > 0.0
            {
                problems.push(format!("{:?} covers label of {:?}", a.who, b.who));
            }
        }
        if names.iter().any(|n| rect.overlap(*n) > 0.0) {
            problems.push(format!("{:?} covers a ring name", a.who));
        }
        if rect.x0 < 0.0 || rect.x1 > W || rect.y0 < 0.0 {
            problems.push(format!("{:?} leaves the picture", a.who));
        }
    }
    problems
}

#[test]
fn a_realistic_kring_is_calm() {
    let input = realistic();
    let l = layout(&input, &labels());
    assert!(
        l.nodes.iter().all(|n| n.label.is_some()),
        "everyone has a name"
    );
    assert!(l.nodes.iter().all(|n| n.r >= CENTER_R), "full size");
    assert_eq!(labels_stand_free(&l), Vec::<String>::new());
    // Two naasten still get their names.
    let mut two = input.clone();
    two.naasten = vec!["Henk de Vries".into(), "Truus de Vries".into()];
    let l = layout(&two, &labels());
    let names: Vec<_> = l
        .nodes
        .iter()
        .filter(|n| matches!(n.who, Who::Naaste(_)))
        .map(|n| n.label.as_ref().unwrap().lines[0].clone())
        .collect();
    assert_eq!(names, ["Henk", "Truus"]);
    assert_eq!(labels_stand_free(&l), Vec::<String>::new());
}

#[test]
fn crowded_rings_show_names_only_where_they_fit() {
    let l = layout(&crowd([24, 9, 30], 2, Some(40)), &labels());
    let problems: Vec<String> = labels_stand_free(&l)
        .into_iter()
        .filter(|p| !p.contains("Member(40)"))
        .collect();
    assert_eq!(problems, Vec::<String>::new());
    let regie = l.nodes.iter().find(|n| n.who == Who::Member(40)).unwrap();
    assert_eq!(regie.label.as_ref().unwrap().lines[1], "regiehouder");
}
