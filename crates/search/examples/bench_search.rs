//! Search benchmark on synthetic services spread over the real PC4 areas.
//!
//! ```text
//! cargo run --release -p mantelkring-search --example bench_search -- [PATH/TO/pc4_nl.csv]
//! ```
//!
//! For 1,000, 10,000 and 50,000 services: the build time, then a fixed set of queries (Dutch
//! text + category + within 10 km of a postcode's centroid; text only; misspelled; filters
//! only), each run many times on one thread. Prints p50 and p99 per query and per group (wall
//! clock, and the thread's CPU time), and queries per second. Figures only: nothing is asserted.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mantelkring_core::geo::{Pc4, PostcodeArea, pc4_csv};
use mantelkring_search::{Index, Near, Query, Sort, synthetic};

const SIZES: [usize; 3] = [1_000, 10_000, 50_000];
const RUNS: usize = 300;
/// Monday 24 March 2025, 10:00 in Amsterdam: "open now" has something to find.
const NOW_MS: i64 = 1_742_806_800_000;

#[derive(Clone, Copy, PartialEq)]
enum Group {
    TextCategoryRadius,
    TextOnly,
    Misspelled,
    FilterOnly,
}

impl Group {
    fn label(self) -> &'static str {
        match self {
            Group::TextCategoryRadius => "text + category + 10 km",
            Group::TextOnly => "text only",
            Group::Misspelled => "misspelled",
            Group::FilterOnly => "filters only",
        }
    }
}

struct Case {
    group: Group,
    label: String,
    query: Query,
}

fn default_file() -> PathBuf {
    // The repository's sibling `shared/data`, else the workplace's.
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pc4_nl.csv");
    if beside.is_file() {
        beside
    } else {
        PathBuf::from("/work/shared/data/pc4_nl.csv")
    }
}

fn near(areas: &[PostcodeArea], pc4: &str) -> Near {
    let pc4 = Pc4::parse(pc4).expect("a PC4");
    let area = areas
        .iter()
        .find(|a| a.pc4 == pc4)
        .unwrap_or_else(|| panic!("{pc4} is not in the file"));
    let municipality = area.municipality.as_deref().unwrap_or(&area.place);
    Near {
        point: area.centroid,
        municipality_id: Some(synthetic::municipality_id(municipality)),
    }
}

fn cases(areas: &[PostcodeArea]) -> Vec<Case> {
    let mut out = Vec::new();
    let local = [
        ("dagbesteding dementie", "respijtzorg", "2311"),
        (
            "mantelzorg ondersteuning",
            "mantelzorgondersteuning",
            "1012",
        ),
        ("hulp bij de boodschappen", "praktische-hulp", "3511"),
        ("logeeropvang", "respijtzorg", "9711"),
        ("alzheimer cafe", "lotgenotencontact", "5611"),
        ("vervoer naar het ziekenhuis", "vervoer", "6811"),
        ("cursus grenzen stellen", "cursus-en-training", "3011"),
        ("oppas bij u thuis", "respijtzorg-thuis", "2511"),
        ("maaltijden", "maaltijden", "8011"),
        (
            "financiele regelingen mantelzorgers",
            "financiele-regelingen",
            "4811",
        ),
        (
            "praatgroep jonge mantelzorgers",
            "jonge-mantelzorgers",
            "7511",
        ),
        ("respijt", "respijtzorg", "6211"),
        ("vrijwilliger maatje", "vrijwillige-thuishulp", "1811"),
        ("werk en mantelzorg", "werkende-mantelzorgers", "5211"),
        ("dag besteding", "dagbesteding", "8911"),
        ("klusjes tuin", "klussen", "9401"),
        ("casemanager dementie", "dementie", "1012"),
        ("mantelzorgcompliment", "financiele-regelingen", "3511"),
        ("steunpunt", "mantelzorgondersteuning", "3011"),
        ("gratis informatie advies", "informatie-en-advies", "2511"),
    ];
    for (text, category, pc4) in local {
        out.push(Case {
            group: Group::TextCategoryRadius,
            label: format!("{text} | {category} | {pc4}"),
            query: Query {
                text: text.into(),
                categories: vec![category.into()],
                near: Some(near(areas, pc4)),
                within_km: Some(10.0),
                ..Query::default()
            },
        });
    }
    for text in [
        "mantelzorg",
        "steunpunt mantelzorg leiden",
        "vrijwilligers",
        "hulp",
    ] {
        out.push(Case {
            group: Group::TextOnly,
            label: text.into(),
            query: Query::text(text),
        });
    }
    for text in [
        "mantelzrg",
        "dagbestedng",
        "boodschapen hulp",
        "alzeimer cafe",
    ] {
        out.push(Case {
            group: Group::Misspelled,
            label: text.into(),
            query: Query::text(text),
        });
    }
    out.push(Case {
        group: Group::FilterOnly,
        label: "respijtzorg | 1012 | by distance".into(),
        query: Query {
            categories: vec!["respijtzorg".into()],
            near: Some(near(areas, "1012")),
            within_km: Some(10.0),
            sort: Sort::Distance,
            ..Query::default()
        },
    });
    out.push(Case {
        group: Group::FilterOnly,
        label: "3511 | open now".into(),
        query: Query {
            near: Some(near(areas, "3511")),
            within_km: Some(10.0),
            open_now: true,
            ..Query::default()
        },
    });
    out
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e6
}

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(default_file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (give the path to pc4_nl.csv)",
            path.display()
        )
    });
    let areas = match pc4_csv::parse(&bytes) {
        Ok(areas) => areas,
        Err(problems) => {
            for p in problems.iter().take(10) {
                eprintln!("{p}");
            }
            std::process::exit(2);
        }
    };
    println!(
        "{} PC4 areas from {}; {RUNS} runs per query, one thread",
        areas.len(),
        path.display()
    );
    // Wall-clock latencies: other work on the machine shows up in p99, so say how busy it was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    println!();
    let cases = cases(&areas);

    let mut summary = Vec::new();
    for n in SIZES {
        let records = synthetic::generate(n, &areas, 42);
        let started = Instant::now();
        let index = Index::build(records);
        let build = started.elapsed();

        println!("== {n} services: build {:.0} ms", build.as_secs_f64() * 1e3);
        println!(
            "{:<58} {:>7} {:>9} {:>9} {:>9}",
            "query", "total", "p50 µs", "p99 µs", "p99 cpu"
        );
        // Warm up: the scratch arrays and caches.
        for case in &cases {
            std::hint::black_box(index.search(&case.query, NOW_MS));
        }
        let mut per_group: Vec<(Group, Times)> = Vec::new();
        let mut all = Times::default();
        let wall = Instant::now();
        for case in &cases {
            let mut times = Times::default();
            let mut total = 0;
            for _ in 0..RUNS {
                let (t, cpu) = (Instant::now(), thread_cpu());
                let results = index.search(&case.query, NOW_MS);
                times.cpu.push(thread_cpu().saturating_sub(cpu));
                times.wall.push(t.elapsed());
                total = std::hint::black_box(results).total;
            }
            times.sort();
            println!(
                "{:<58} {:>7} {:>9.0} {:>9.0} {:>9.0}",
                case.label,
                total,
                percentile(&times.wall, 0.5),
                percentile(&times.wall, 0.99),
                percentile(&times.cpu, 0.99)
            );
            match per_group.iter_mut().find(|(g, _)| *g == case.group) {
                Some((_, t)) => t.extend(&times),
                None => per_group.push((case.group, times.clone())),
            }
            all.extend(&times);
        }
        let elapsed = wall.elapsed();
        println!();
        for (group, mut times) in per_group {
            times.sort();
            let busy: Duration = times.wall.iter().sum();
            summary.push((
                n,
                group.label(),
                build,
                times.figures(times.wall.len() as f64 / busy.as_secs_f64()),
            ));
        }
        all.sort();
        let qps = all.wall.len() as f64 / elapsed.as_secs_f64();
        summary.push((n, "all", build, all.figures(qps)));
    }
    println!("== summary (µs; wall clock, and the thread's own CPU time, which leaves out");
    println!("   the time other processes had the core)");
    println!(
        "{:>8} {:>9} {:<24} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "services", "build ms", "queries", "p50", "p99", "p50 cpu", "p99 cpu", "q/s"
    );
    for (n, label, build, [p50, p99, cpu50, cpu99, qps]) in summary {
        println!(
            "{n:>8} {:>9.0} {label:<24} {p50:>9.0} {p99:>9.0} {cpu50:>9.0} {cpu99:>9.0} {qps:>9.0}",
            build.as_secs_f64() * 1e3
        );
    }
}

/// Latencies of a set of runs: wall clock and the thread's CPU time.
#[derive(Clone, Default)]
struct Times {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Times {
    fn sort(&mut self) {
        self.wall.sort();
        self.cpu.sort();
    }

    fn extend(&mut self, other: &Times) {
        self.wall.extend(&other.wall);
        self.cpu.extend(&other.cpu);
    }

    /// p50, p99 (wall), p50, p99 (CPU), and the given queries per second. Sorted first.
    fn figures(&self, qps: f64) -> [f64; 5] {
        [
            percentile(&self.wall, 0.5),
            percentile(&self.wall, 0.99),
            percentile(&self.cpu, 0.5),
            percentile(&self.cpu, 0.99),
            qps,
        ]
    }
}

/// CPU time of this thread. Why: the machine is shared, and wall-clock p99 mostly measures
/// who else had the core; this is what the search itself costs.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we pass, which lives on our stack.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    } else {
        Duration::ZERO
    }
}
