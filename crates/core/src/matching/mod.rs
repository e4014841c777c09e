//! Hulpvraag en aanbod (issue 7): the matching engine, pure code.
//!
//! - [`check`]: the hard constraints of a (request, volunteer) pair, with the first that fails;
//! - [`score`]: the soft score of an admissible pair (an integer ≥ 1) with its plain reasons;
//! - [`VolunteerIndex`]: a grid over the volunteers, built once;
//! - [`rank`]: the ranked candidates for one request;
//! - [`propose`] / [`solve`]: the batch proposal, a maximum-total-score assignment under the
//!   volunteers' capacities (min-cost flow), optimal;
//! - [`synthetic`]: seeded instances spread like Dutch towns, for tests and the benchmark.

mod constraints;
mod flow;
mod index;
mod score;
pub mod settings;
pub mod synthetic;
mod types;
pub mod workflow;

pub use constraints::check;
pub use flow::solve;
pub use index::VolunteerIndex;
pub use score::score;
pub use types::{
    Assignment, Candidate, DayPart, HelpType, HelpTypes, Language, Languages, Reason, Refusal,
    Request, Skill, Skills, Urgency, Volunteer, WeekSlot, Weights,
};

/// The ranked candidates for one request: only admissible volunteers, best score first, ties
/// by volunteer id, at most `limit`, each with its reasons.
pub fn rank(index: &VolunteerIndex, req: &Request, w: &Weights, limit: usize) -> Vec<Candidate> {
    let volunteers = index.volunteers();
    let mut found: Vec<(i64, u64, u32, f64)> = Vec::new();
    index.for_each_admissible(req, |i, km| {
        let vol = &volunteers[i as usize];
        found.push((score::points(req, vol, w, km, None), vol.id, i, km));
    });
    let order = |a: &(i64, u64, u32, f64), b: &(i64, u64, u32, f64)| {
        b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    };
    if found.len() > limit {
        if limit == 0 {
            return Vec::new();
        }
        found.select_nth_unstable_by(limit - 1, order);
        found.truncate(limit);
    }
    found.sort_unstable_by(order);
    found
        .into_iter()
        .map(|(points, id, i, km)| {
            let mut reasons = Vec::new();
            score::points(req, &volunteers[i as usize], w, km, Some(&mut reasons));
            Candidate {
                volunteer: id,
                score: points,
                reasons,
            }
        })
        .collect()
}

/// Every admissible pair of a batch as (request index, volunteer index in
/// [`VolunteerIndex::volunteers`], score), by request: the input of [`solve`]. Uses two threads
/// for large batches.
pub fn candidate_arcs(
    index: &VolunteerIndex,
    requests: &[Request],
    w: &Weights,
) -> Vec<(u32, u32, i64)> {
    assert!(requests.len() < u32::MAX as usize, "too many requests");
    let volunteers = index.volunteers();
    let arcs_of = |offset: usize, part: &[Request]| {
        let mut arcs = Vec::new();
        for (k, req) in part.iter().enumerate() {
            let r = (offset + k) as u32;
            let from = arcs.len();
            index.for_each_admissible(req, |i, km| {
                let points = score::points(req, &volunteers[i as usize], w, km, None);
                arcs.push((r, i, points));
            });
            // A fixed order per request, whatever the grid's order.
            arcs[from..].sort_unstable_by_key(|&(_, i, _)| i);
        }
        arcs
    };
    if requests.len() < 256 {
        return arcs_of(0, requests);
    }
    let (first, second) = requests.split_at(requests.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| arcs_of(first.len(), second));
        let mut arcs = arcs_of(0, first);
        arcs.extend(other.join().expect("candidate thread"));
        arcs
    })
}

/// The batch proposal: an assignment of requests to admissible volunteers that maximises the
/// total score, each request at most once and each volunteer at most its remaining capacity
/// (`capacity - active_matches`). Not every request is assigned: the total counts, not the
/// number of pairs. Pairs in request order.
pub fn propose(index: &VolunteerIndex, requests: &[Request], w: &Weights) -> Assignment {
    let arcs = candidate_arcs(index, requests, w);
    let (total, pairs) = solve(requests.len(), index.remaining(), &arcs);
    let volunteers = index.volunteers();
    // Arcs are by request and then volunteer index: find each pair's score there.
    let pairs = pairs
        .into_iter()
        .map(|(r, v)| {
            let from = arcs.partition_point(|&(ar, av, _)| (ar, av) < (r, v));
            let points = arcs[from].2;
            (requests[r as usize].id, volunteers[v as usize].id, points)
        })
        .collect();
    Assignment { pairs, total }
}

#[cfg(test)]
mod tests;
