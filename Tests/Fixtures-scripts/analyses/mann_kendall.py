#!/usr/bin/env python3
"""Writes Tests/ChuandaoTests/Fixtures/analyses/mann_kendall.json: Mann-Kendall S, Var S
and the two-sided p of METHODS.md section 6 for a few series without ties, computed
independently of chuandao.

- "exact" (n = 7 to 10): p = P(|S| >= |s|) under the null that every order is equally
  likely. For n <= 9 by brute-force enumeration of all n! orders (itertools.permutations,
  S of each counted with numpy); for every n also scipy.stats.kendalltau(method="exact")
  (x = 0..n-1, so that S = tau x n(n-1)/2), and the two must agree to 1e-12.
- "normal" (n > 10): Var S = n(n-1)(2n+5)/18 (no ties), z = (|S| - 1)/sqrt(Var S),
  p = 2 scipy.stats.norm.sf(z); p = 1 when S = 0 (the continuity-corrected z would be
  negative: the convention of Hirsch et al. and pymannkendall).

Run from the repository root:
    python3 Tests/Fixtures-scripts/analyses/mann_kendall.py
Needs numpy (2.4.6 used) and scipy (1.17.1 used). Takes a few seconds.
"""

import itertools
import json
import math
import pathlib

import numpy as np
import scipy
from scipy import stats

OUT = (pathlib.Path(__file__).resolve().parents[2] / "ChuandaoTests" / "Fixtures" / "analyses"
       / "mann_kendall.json")


def mk_s(v):
    n = len(v)
    return int(sum(np.sign(v[j] - v[i]) for i in range(n) for j in range(i + 1, n)))


def brute_force_p(n, s):
    """P(|S| >= |s|) over all n! orders of n distinct values."""
    iu, ju = np.triu_indices(n, k=1)
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int8)
    hits = 0
    for chunk in np.array_split(perms, max(1, len(perms) // 50000)):
        svals = np.sign(chunk[:, ju] - chunk[:, iu]).sum(axis=1)
        hits += int(np.count_nonzero(np.abs(svals) >= abs(s)))
    return hits / math.factorial(n), hits


def scipy_exact_p(v):
    r = stats.kendalltau(np.arange(len(v)), v, method="exact")
    return float(r.pvalue)


rng = np.random.default_rng(20250611)
cases = []

# Exact: series in [0, 100] without ties.
exact_series = [
    ("n7 rising", [52.0, 55.5, 51.0, 60.25, 63.0, 61.5, 70.0]),
    ("n8 falling", [88.0, 86.5, 87.0, 80.0, 81.5, 76.0, 77.25, 70.0]),
    ("n9 mixed", [70.0, 72.0, 69.5, 74.0, 71.0, 73.5, 68.0, 75.0, 76.5]),
    ("n10 rising", [40.0, 42.5, 41.0, 44.0, 47.5, 46.0, 49.0, 52.0, 50.5, 55.0]),
    ("n10 weak", [60.0, 58.0, 61.0, 57.5, 62.0, 59.0, 63.5, 56.0, 60.5, 64.0]),
]
# n = 8 with S = 0: the first random order of 8 distinct values with S = 0.
while True:
    v = rng.permutation(np.array([57.0, 58.0, 59.0, 60.0, 61.0, 63.0, 64.0, 66.0]))
    if mk_s(v) == 0:
        exact_series.insert(2, ("n8 S = 0", v.tolist()))
        break
for name, v in exact_series:
    v = np.array(v)
    n = len(v)
    assert len(set(v.tolist())) == n, name
    s = mk_s(v)
    p_scipy = scipy_exact_p(v)
    case = {"name": name, "values": v.tolist(), "n": n, "s": s,
            "variance": n * (n - 1) * (2 * n + 5) / 18, "exact": True, "p": p_scipy,
            "p_scipy_kendalltau_exact": p_scipy}
    if n <= 9:
        p_bf, hits = brute_force_p(n, s)
        if abs(p_bf - p_scipy) > 1e-12:
            raise SystemExit(f"{name}: brute force {p_bf} vs scipy {p_scipy}")
        case["p"] = p_bf
        case["p_brute_force"] = p_bf
        case["orders_with_abs_s_at_least"] = hits
    cases.append(case)

# Normal approximation: n = 11, 12, 15, 20 without ties, and n = 12 with S = 0.
def normal_case(name, v):
    v = np.array(v, dtype=float)
    n = len(v)
    assert len(set(v.tolist())) == n, name
    s = mk_s(v)
    var = n * (n - 1) * (2 * n + 5) / 18
    if s == 0:
        p = 1.0
        z = 0.0
    else:
        z = (abs(s) - 1) / math.sqrt(var)
        p = min(1.0, 2 * float(stats.norm.sf(z)))
    return {"name": name, "values": v.tolist(), "n": n, "s": s, "variance": var,
            "exact": False, "z": z, "p": p}

for n, slope in [(11, 0.9), (12, -0.6), (15, 0.25), (20, 0.0)]:
    v = np.round(50 + slope * np.arange(n) + rng.normal(0, 3, n), 2)
    while len(set(v.tolist())) < n:
        v = np.round(50 + slope * np.arange(n) + rng.normal(0, 3, n), 2)
    cases.append(normal_case(f"n{n} slope {slope}", v.tolist()))

# n = 12, S = 0: search random orders of 12 distinct values.
base = np.round(np.linspace(40, 62, 12), 2)
while True:
    v = rng.permutation(base)
    if mk_s(v) == 0:
        break
cases.append(normal_case("n12 S = 0", v.tolist()))

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "source": "Tests/Fixtures-scripts/analyses/mann_kendall.py (scipy " + scipy.__version__
              + ", numpy " + np.__version__ + ")",
    "cases": cases,
}, indent=1) + "\n")
for c in cases:
    print(c["name"], c["n"], c["s"], c["p"])
print("wrote", OUT)
