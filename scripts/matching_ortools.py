#!/usr/bin/env python3
"""The batch instance of scripts/bench-matching, solved by OR-Tools' SimpleMinCostFlow.

usage: matching_ortools.py FILE

FILE is written by crates/core/examples/bench_matching.rs (--export), little-endian:
b"MKMATCH1"; u64 requests, volunteers, arcs; i64 our objective; u64 our solve, candidate
generation and propose times in ns; u32 x volunteers capacities; u32 x arcs requests,
u32 x arcs volunteers, i64 x arcs scores.

The same network as ours: every request has a supply of 1 and an arc to each candidate
(capacity 1, cost -score) and a bypass to the sink (capacity 1, cost 0: not assigned); each
volunteer reaches the sink with its remaining capacity. So the minimum cost is minus the maximum
total score. Only Solve() is timed (building the graph is printed apart). Prints both solvers
side by side; exits 1 if the objectives differ.
"""

import struct
import sys
import time

import numpy as np
import ortools
from ortools.graph.python import min_cost_flow

HEADER = struct.Struct("<8sQQQqQQQ")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    magic, n_req, n_vol, n_arcs, ours_obj, ours_solve, ours_gen, ours_total = HEADER.unpack_from(data)
    if magic != b"MKMATCH1":
        print(f"{sys.argv[1]}: not a matching instance", file=sys.stderr)
        return 2
    at = HEADER.size
    caps = np.frombuffer(data, "<u4", n_vol, at).astype(np.int64)
    at += 4 * n_vol
    req = np.frombuffer(data, "<u4", n_arcs, at).astype(np.int32)
    at += 4 * n_arcs
    vol = np.frombuffer(data, "<u4", n_arcs, at).astype(np.int64)
    at += 4 * n_arcs
    score = np.frombuffer(data, "<i8", n_arcs, at)

    started = time.perf_counter()
    # The same arcs our solver uses: positive scores to volunteers with room. Only volunteers
    # that have such an arc become nodes.
    useful = (score > 0) & (caps[vol] > 0)
    req, vol, score = req[useful], vol[useful], score[useful]
    used_vols, vol_node = np.unique(vol, return_inverse=True)
    n_used = len(used_vols)
    sink = n_req + n_used
    requests = np.arange(n_req, dtype=np.int32)
    tails = np.concatenate([req, requests, n_req + np.arange(n_used, dtype=np.int32)])
    heads = np.concatenate(
        [n_req + vol_node.astype(np.int32), np.full(n_req, sink, np.int32), np.full(n_used, sink, np.int32)]
    )
    capacities = np.concatenate([np.ones(len(req) + n_req, np.int64), caps[used_vols]])
    costs = np.concatenate([-score, np.zeros(n_req + n_used, np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.concatenate([np.ones(n_req, np.int64), np.zeros(n_used, np.int64), [-n_req]])
    smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    built = time.perf_counter() - started

    started = time.perf_counter()
    status = smcf.solve()
    solved = time.perf_counter() - started
    if status != smcf.OPTIMAL:
        print(f"OR-Tools: status {status}, not optimal", file=sys.stderr)
        return 1
    objective = -smcf.optimal_cost()
    flows = smcf.flows(np.arange(len(req), dtype=np.int32))
    assigned = int(flows.sum())

    ms = lambda ns: ns / 1e6
    print(
        f"== OR-Tools {ortools.__version__} SimpleMinCostFlow: "
        f"{sink + 1} nodes, {smcf.num_arcs()} arcs; graph built in {built * 1e3:.1f} ms "
        f"(not counted), Solve() {solved * 1e3:.1f} ms; {assigned} assigned"
    )
    print(f"{'':24} {'ours':>14} {'OR-Tools':>14}")
    print(f"{'solve':24} {ms(ours_solve):>11.1f} ms {solved * 1e3:>11.1f} ms")
    print(f"{'objective':24} {ours_obj:>14} {objective:>14}")
    print(f"objectives equal: {'yes' if objective == ours_obj else 'NO'}")
    print(
        f"OR-Tools Solve() / our solve: {solved * 1e9 / max(ours_solve, 1):.1f}x "
        f"(our candidate generation {ms(ours_gen):.1f} ms and propose end to end "
        f"{ms(ours_total):.1f} ms are not in OR-Tools' figure)"
    )
    return 0 if objective == ours_obj else 1


if __name__ == "__main__":
    sys.exit(main())
