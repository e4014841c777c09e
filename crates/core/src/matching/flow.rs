//! The batch optimum: a maximum-weight assignment of requests to volunteers under capacities,
//! as a min-cost flow solved by successive shortest paths (Dijkstra with potentials).
//!
//! The network: each request has a supply of 1 and sends it either along one of its arcs to a
//! volunteer (cost −score, capacity 1) or along its own bypass straight to the sink (cost 0:
//! "not assigned"); each volunteer reaches the sink with capacity = what it can still take. The
//! bypasses make the minimum cost the maximum total score, not the largest number of pairs.
//!
//! Requests are routed one at a time (any order is correct: successive shortest paths may take
//! the excess of any node). Initial potentials make every reduced cost non-negative and the
//! best arc of a fresh request free: request = its best score, volunteer = sink = 0. Dijkstra
//! stops when the sink is settled; only the settled nodes' potentials change. With many
//! volunteers per request almost every path is one arc long, so the cost is close to reading
//! each arc once.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NONE: u32 = u32::MAX;

/// Maximum total score of an assignment: each request (index `< requests`) to at most one
/// volunteer, volunteer `v` to at most `capacities[v]` requests, only along `arcs` (request,
/// volunteer, score). Arcs with a score ≤ 0 are never worth taking and are ignored. Returns the
/// total and the pairs (request, volunteer), by request.
///
/// # Panics
/// When an arc names a request `>= requests` or a volunteer `>= capacities.len()`, or there
/// are more than 2^32 − 2 nodes.
pub fn solve(
    requests: usize,
    capacities: &[u32],
    arcs: &[(u32, u32, i64)],
) -> (i64, Vec<(u32, u32)>) {
    let mut flow = Flow::new(requests, capacities, arcs);
    for s in 0..requests {
        if flow.start[s] < flow.start[s + 1] {
            flow.route(s as u32);
        }
    }
    flow.result()
}

struct Flow<'a> {
    requests: usize,
    capacities: &'a [u32],
    /// Arcs by request: `start[r]..start[r + 1]` index `target` and `score`.
    start: Vec<u32>,
    target: Vec<u32>,
    score: Vec<i64>,
    owner: Vec<u32>,
    /// The arc a request is assigned along, or NONE.
    link: Vec<u32>,
    /// Per volunteer: its assigned requests as a doubly linked list through `next`/`prev`.
    head: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    used: Vec<u32>,
    /// Node potentials: requests `0..R`, volunteers `R..R+V`, sink `R+V`.
    pot: Vec<i64>,
    dist: Vec<i64>,
    seen: Vec<u32>,
    done: Vec<u32>,
    /// Per volunteer: the arc Dijkstra reached it by.
    via: Vec<u32>,
    /// The node the sink was reached from.
    sink_via: u32,
    epoch: u32,
    heap: BinaryHeap<Reverse<(i64, bool, u32)>>,
    settled: Vec<u32>,
}

impl<'a> Flow<'a> {
    fn new(requests: usize, capacities: &'a [u32], arcs: &[(u32, u32, i64)]) -> Flow<'a> {
        let volunteers = capacities.len();
        let nodes = requests + volunteers + 1;
        assert!(nodes < NONE as usize, "too many nodes for u32 indices");
        let useful = |&&(r, v, s): &&(u32, u32, i64)| {
            assert!(
                (r as usize) < requests && (v as usize) < volunteers,
                "arc ({r}, {v}) outside {requests} requests × {volunteers} volunteers"
            );
            s > 0 && capacities[v as usize] > 0
        };
        let mut start = vec![0u32; requests + 1];
        for &(r, _, _) in arcs.iter().filter(useful) {
            start[r as usize + 1] += 1;
        }
        for r in 1..=requests {
            start[r] += start[r - 1];
        }
        let m = start[requests] as usize;
        let mut fill = start.clone();
        let (mut target, mut score, mut owner) = (vec![0u32; m], vec![0i64; m], vec![0u32; m]);
        let mut pot = vec![0i64; nodes];
        for &(r, v, s) in arcs.iter().filter(useful) {
            let a = fill[r as usize] as usize;
            fill[r as usize] += 1;
            (target[a], score[a], owner[a]) = (v, s, r);
            pot[r as usize] = pot[r as usize].max(s);
        }
        Flow {
            requests,
            capacities,
            start,
            target,
            score,
            owner,
            link: vec![NONE; requests],
            head: vec![NONE; volunteers],
            next: vec![NONE; requests],
            prev: vec![NONE; requests],
            used: vec![0; volunteers],
            pot,
            dist: vec![0; nodes],
            seen: vec![0; nodes],
            done: vec![0; nodes],
            via: vec![NONE; volunteers],
            sink_via: NONE,
            epoch: 0,
            heap: BinaryHeap::new(),
            settled: Vec::new(),
        }
    }

    fn sink(&self) -> u32 {
        (self.requests + self.capacities.len()) as u32
    }

    fn relax(&mut self, node: u32, d: i64) -> bool {
        let n = node as usize;
        if self.done[n] == self.epoch || (self.seen[n] == self.epoch && d >= self.dist[n]) {
            return false;
        }
        self.seen[n] = self.epoch;
        self.dist[n] = d;
        // The sink first among equal distances: stop as early as possible.
        self.heap.push(Reverse((d, node != self.sink(), node)));
        true
    }

    /// One shortest augmenting path from request `s` to the sink, and the augmentation.
    fn route(&mut self, s: u32) {
        self.epoch += 1;
        self.heap.clear();
        self.settled.clear();
        let sink = self.sink();
        let r_n = self.requests as u32;
        self.relax(s, 0);
        while let Some(Reverse((d, _, u))) = self.heap.pop() {
            let ui = u as usize;
            if self.done[ui] == self.epoch || d > self.dist[ui] {
                continue;
            }
            self.done[ui] = self.epoch;
            if u == sink {
                break;
            }
            self.settled.push(u);
            let pu = self.pot[ui];
            if u < r_n {
                // A request: its other arcs, and its bypass.
                let own = self.link[ui];
                for a in self.start[ui]..self.start[ui + 1] {
                    if a == own {
                        continue;
                    }
                    let node = r_n + self.target[a as usize];
                    let rc = -self.score[a as usize] + pu - self.pot[node as usize];
                    debug_assert!(rc >= 0, "negative reduced cost {rc}");
                    if self.relax(node, d + rc) {
                        self.via[(node - r_n) as usize] = a;
                    }
                }
                let rc = pu - self.pot[sink as usize];
                debug_assert!(rc >= 0);
                if self.relax(sink, d + rc) {
                    self.sink_via = u;
                }
            } else {
                // A volunteer: the sink if it has room, and back along its assignments.
                let v = (u - r_n) as usize;
                if self.used[v] < self.capacities[v] {
                    let rc = pu - self.pot[sink as usize];
                    debug_assert!(rc >= 0);
                    if self.relax(sink, d + rc) {
                        self.sink_via = u;
                    }
                }
                let mut r = self.head[v];
                while r != NONE {
                    let a = self.link[r as usize] as usize;
                    let rc = self.score[a] + pu - self.pot[r as usize];
                    debug_assert!(rc >= 0, "negative reduced cost {rc}");
                    self.relax(r, d + rc);
                    r = self.next[r as usize];
                }
            }
        }
        // The sink is always reached: `s` has its bypass.
        let total = self.dist[sink as usize];
        for &u in &self.settled {
            self.pot[u as usize] -= total - self.dist[u as usize];
        }
        self.augment(s);
    }

    /// Flips the path found by `route`, walking back from the sink.
    fn augment(&mut self, s: u32) {
        let r_n = self.requests as u32;
        let mut x = self.sink_via;
        if x < r_n {
            // Ends with a bypass: that request gives up its volunteer (or `s` stays unassigned).
            if x == s {
                return;
            }
            let v = self.target[self.link[x as usize] as usize];
            self.unlink(x);
            x = r_n + v;
        }
        loop {
            let a = self.via[(x - r_n) as usize];
            let q = self.owner[a as usize];
            let old = self.link[q as usize];
            if old != NONE {
                self.unlink(q);
            }
            self.link_along(q, a);
            if q == s {
                return;
            }
            x = r_n + self.target[old as usize];
        }
    }

    fn link_along(&mut self, r: u32, a: u32) {
        let v = self.target[a as usize] as usize;
        self.link[r as usize] = a;
        self.prev[r as usize] = NONE;
        self.next[r as usize] = self.head[v];
        if self.head[v] != NONE {
            self.prev[self.head[v] as usize] = r;
        }
        self.head[v] = r;
        self.used[v] += 1;
    }

    fn unlink(&mut self, r: u32) {
        let ri = r as usize;
        let v = self.target[self.link[ri] as usize] as usize;
        let (p, n) = (self.prev[ri], self.next[ri]);
        if p != NONE {
            self.next[p as usize] = n;
        } else {
            self.head[v] = n;
        }
        if n != NONE {
            self.prev[n as usize] = p;
        }
        self.link[ri] = NONE;
        self.used[v] -= 1;
    }

    fn result(&self) -> (i64, Vec<(u32, u32)>) {
        let mut total = 0;
        let mut pairs = Vec::new();
        for (r, &a) in self.link.iter().enumerate() {
            if a != NONE {
                total += self.score[a as usize];
                pairs.push((r as u32, self.target[a as usize]));
            }
        }
        (total, pairs)
    }
}
