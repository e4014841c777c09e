//! Matching benchmark (issue 7) on synthetic volunteers and requests spread over the real PC4
//! areas (see `mantelkring_core::matching::synthetic`).
//!
//! ```text
//! cargo run --release -p mantelkring-core --example bench_matching -- [PATH/TO/pc4_nl.csv] [--export FILE]
//! ```
//!
//! Prints: the index build time over 200,000 volunteers; the ranked candidates (top 10) for one
//! request, p50/p99/max over 2,000 requests on one thread; a batch of 20,000 requests: candidate
//! generation (two threads), the solve (one thread), the whole `propose`, the objective and the
//! number assigned. With `--export`, writes that batch (capacities and arcs, and our figures) for
//! `scripts/matching_ortools.py`. Figures only: no time is asserted.
//! Sizes: BENCH_MATCHING_VOLUNTEERS, BENCH_MATCHING_REQUESTS.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mantelkring_core::geo::{Coordinates, pc4_csv};
use mantelkring_core::matching::synthetic::{self, Config};
use mantelkring_core::matching::{VolunteerIndex, Weights, candidate_arcs, propose, rank, solve};

const PROBES: usize = 2_000;
const TOP: usize = 10;

fn default_file() -> PathBuf {
    // The repository's sibling `shared/data`, else the workplace's.
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pc4_nl.csv");
    if beside.is_file() {
        beside
    } else {
        PathBuf::from("/work/shared/data/pc4_nl.csv")
    }
}

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{var} must be a number"))
        })
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// This process's CPU time (all threads, user + system) from /proc, at 10 ms resolution: on a
/// shared machine, wall-clock times include other processes' turns; CPU time does not.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn cpu_since(start: Option<Duration>) -> String {
    match (start, cpu_time()) {
        (Some(a), Some(b)) => format!("{:.0} ms", ms(b.saturating_sub(a))),
        _ => "n/a".into(),
    }
}

fn main() {
    let mut file = None;
    let mut export = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--export" => export = Some(PathBuf::from(args.next().expect("--export FILE"))),
            _ => file = Some(PathBuf::from(arg)),
        }
    }
    let path = file.unwrap_or_else(default_file);
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
    let places: Vec<Coordinates> = areas.iter().map(|a| a.centroid).collect();
    let config = Config {
        volunteers: size("BENCH_MATCHING_VOLUNTEERS", 200_000),
        requests: size("BENCH_MATCHING_REQUESTS", 20_000),
        ..Config::default()
    };
    let weights = Weights::default();
    println!(
        "{} PC4 areas from {} (each person at a PC4 centroid drawn uniformly, jittered ≤ ~1 km)",
        areas.len(),
        path.display()
    );
    println!(
        "limits: requests {:.0}–{:.0} km, volunteers {:.0}–{:.0} km; weights {weights:?}",
        config.request_km.0, config.request_km.1, config.volunteer_km.0, config.volunteer_km.1
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }

    let started = Instant::now();
    let instance = synthetic::instance(&places, &config);
    let probes = synthetic::instance(
        &places,
        &Config {
            volunteers: 0,
            requests: PROBES,
            seed: config.seed + 1,
            ..config.clone()
        },
    )
    .requests;
    println!(
        "generated {} volunteers and {} + {} requests in {:.0} ms",
        instance.volunteers.len(),
        instance.requests.len(),
        probes.len(),
        ms(started.elapsed())
    );

    let volunteers = instance.volunteers.clone();
    let (started, cpu) = (Instant::now(), cpu_time());
    let index = VolunteerIndex::build(volunteers);
    println!(
        "\n== index over {} volunteers: build {:.1} ms (CPU {})",
        index.volunteers().len(),
        ms(started.elapsed()),
        cpu_since(cpu)
    );

    // Ranked candidates, one request at a time on this thread; one warm-up round first.
    let mut found = 0usize;
    for req in &probes {
        found += rank(&index, req, &weights, usize::MAX).len();
    }
    let mut times: Vec<Duration> = probes
        .iter()
        .map(|req| {
            let started = Instant::now();
            let top = rank(&index, req, &weights, TOP);
            let took = started.elapsed();
            std::hint::black_box(top);
            took
        })
        .collect();
    times.sort_unstable();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "== ranked candidates (top {TOP}, with reasons) for one request, {} requests: \
         p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (target p99 ≤ 2 ms); {:.1} admissible on average",
        probes.len(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(*times.last().expect("probes")),
        found as f64 / probes.len() as f64
    );

    // The batch: candidates (two threads), then the solve (one thread).
    let requests = &instance.requests;
    let (started, cpu) = (Instant::now(), cpu_time());
    let arcs = candidate_arcs(&index, requests, &weights);
    let generation = started.elapsed();
    let generation_cpu = cpu_since(cpu);
    let (started, cpu) = (Instant::now(), cpu_time());
    let (objective, pairs) = solve(requests.len(), index.remaining(), &arcs);
    let solving = started.elapsed();
    let solving_cpu = cpu_since(cpu);
    let without = {
        let mut has = vec![false; requests.len()];
        for &(r, _, _) in &arcs {
            has[r as usize] = true;
        }
        has.iter().filter(|h| !**h).count()
    };
    println!(
        "== batch of {} requests × {} volunteers: {} candidate pairs, {:.1} per request \
         ({} requests without any)",
        requests.len(),
        index.volunteers().len(),
        arcs.len(),
        arcs.len() as f64 / requests.len() as f64,
        without
    );
    println!(
        "   candidate generation {:.1} ms (2 threads; CPU {generation_cpu}), solve {:.1} ms \
         (1 thread; CPU {solving_cpu}), sum {:.1} ms",
        ms(generation),
        ms(solving),
        ms(generation + solving)
    );
    let (started, cpu) = (Instant::now(), cpu_time());
    let proposal = propose(&index, requests, &weights);
    let total = started.elapsed();
    let total_cpu = cpu_since(cpu);
    assert_eq!(proposal.total, objective, "propose and solve disagree");
    println!(
        "   propose end to end {:.1} ms (target ≤ 1500 ms; CPU {total_cpu}); objective {}, \
         {} of {} requests assigned",
        ms(total),
        objective,
        pairs.len(),
        requests.len()
    );

    if let Some(out) = export {
        write_instance(
            &out,
            requests.len(),
            index.remaining(),
            &arcs,
            objective,
            &[solving, generation, total],
        )
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
        println!("   exported to {}", out.display());
    }
}

/// Little-endian: `MKMATCH1`; u64 requests, volunteers, arcs; i64 our objective; u64 our solve,
/// candidate generation and propose times in ns; u32 × volunteers capacities; then the arcs as
/// u32 × arcs requests, u32 × arcs volunteers, i64 × arcs scores.
fn write_instance(
    out: &Path,
    requests: usize,
    capacities: &[u32],
    arcs: &[(u32, u32, i64)],
    objective: i64,
    times: &[Duration; 3],
) -> std::io::Result<()> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut buf = Vec::with_capacity(64 + capacities.len() * 4 + arcs.len() * 16);
    buf.extend_from_slice(b"MKMATCH1");
    for n in [requests, capacities.len(), arcs.len()] {
        buf.extend_from_slice(&(n as u64).to_le_bytes());
    }
    buf.extend_from_slice(&objective.to_le_bytes());
    for t in times {
        buf.extend_from_slice(&(t.as_nanos() as u64).to_le_bytes());
    }
    for c in capacities {
        buf.extend_from_slice(&c.to_le_bytes());
    }
    for &(r, _, _) in arcs {
        buf.extend_from_slice(&r.to_le_bytes());
    }
    for &(_, v, _) in arcs {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    for &(_, _, s) in arcs {
        buf.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::File::create(out)?.write_all(&buf)
}
