#!/usr/bin/env python3
"""How far estimated rank bands are from exact ones (docs/assess-scale.md).

Compares two `chuandao assess --format json` documents of the same dataset and period:
one with exact rank bands, one whose levels above the exact-rank budget were estimated
(made with a small budget, e.g. CHUANDAO_EXACT_RANK_BUDGET=100000000). Per level, over
every node with a rank: the largest and the mean absolute difference of rank_median,
rank_p05 and rank_p95 (in ranks, and the largest as a share of the level's ranked nodes),
and of grade_stability (a share of draws), and how many nodes differ at all.

    python3 Benchmarks/assess_estimate_error.py exact.json estimated.json
"""
import json
import sys
from collections import defaultdict


def main(exact_path, estimated_path):
    with open(exact_path) as f:
        exact = json.load(f)
    with open(estimated_path) as f:
        estimated = json.load(f)
    by_id = {n["id"]: n for n in estimated["nodes"]}
    levels = defaultdict(list)
    for n in exact["nodes"]:
        if n["rank"] is not None:
            levels[n["level"]].append((n, by_id[n["id"]]))
    print("| level | nodes | key | largest | share of level | mean | nodes differing |")
    print("|---|---|---|---|---|---|---|")
    for level, pairs in levels.items():
        size = len(pairs)
        for key in ("rank_median", "rank_p05", "rank_p95", "grade_stability"):
            d = [abs(a[key] - b[key]) for a, b in pairs]
            largest = max(d)
            share = "" if key == "grade_stability" else f"{100 * largest / size:.4f}%"
            differing = sum(1 for x in d if x > 0)
            print(f"| {level} | {size} | {key} | {largest:g} | {share} | {sum(d) / size:.4g} | {differing} |")
    for note in estimated.get("notes", []):
        print(f"\nnote: {note}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
