#!/usr/bin/env python3
"""Writes Tests/ChuandaoStatsTests/Fixtures/funnel_reference.json: reference values for
ChuandaoStats' FunnelPlot and Inequality (METHODS.md section 3), computed independently
of the Swift code with scipy, numpy and mpmath.

- "exactLimits": rows (E, p, r_p, limit). r_p = the smallest r with F(r; E) >= p, found by
  scanning scipy.stats.poisson.cdf from scipy.stats.poisson.ppf(p, E) - 3 upwards (and
  checked equal to ppf); alpha = (F(r_p) - p)/(F(r_p) - F(r_p - 1)) with F(-1) = 0;
  limit = max(0, (r_p - alpha)/E). Every F used is checked against mpmath's regularised
  upper incomplete gamma Q(r + 1, E) at 50 digits (agreement to 1e-12 relative is
  required, else the script stops).
- "fits": small funnels: Freeman-Tukey deviates, phi from numpy.percentile (method
  "linear" = R type 7) winsorisation, DerSimonian-Laird tau2 and normal limits when
  phi > 1, exact limits (as above) otherwise, and flags.
- "inequality": Gini, Theil T, its between/within parts and the cv, by numpy, on cases
  with zeros and a group of zeros.

Run from the repository root:
    python3 Tests/Fixtures-scripts/stats/funnel_fixtures.py
Needs scipy (1.17.1 used), numpy (2.4.6 used) and mpmath (1.3.0 used).
"""

import json
import math
import pathlib

import mpmath as mp
import numpy as np
import scipy
from scipy import stats

mp.mp.dps = 50
OUT = pathlib.Path(__file__).resolve().parents[2] / "ChuandaoStatsTests" / "Fixtures"
Z95, Z998 = 1.959964, 3.090232


def cdf(r, mu):
    """Poisson F(r; mu) from scipy, checked against mpmath; F(-1) = 0."""
    if r < 0:
        return 0.0
    s = float(stats.poisson.cdf(r, mu))
    m = float(mp.gammainc(r + 1, mp.mpf(mu), mp.inf, regularized=True))
    assert abs(s - m) <= 1e-12 * abs(m), (r, mu, s, m)
    return s


def exact_limit(mu, p):
    start = max(0, int(stats.poisson.ppf(p, mu)) - 3)
    r = start
    while cdf(r, mu) < p:
        r += 1
    assert r == 0 or r > start, (mu, p)  # the scan started below r_p
    assert r == int(stats.poisson.ppf(p, mu)), (mu, p, r)
    hi, lo = cdf(r, mu), cdf(r - 1, mu)
    alpha = (hi - p) / (hi - lo)
    return r, max(0.0, (r - alpha) / mu)


PROBS = [0.001, 0.025, 0.975, 0.999]
MEANS = [0.1, 0.5, 1, 2, 3.5, 4, 5, 7.25, 10, 20, 37.3, 50, 100, 333.3, 1000, 12345.6, 1e5]
exact = []
for mu in MEANS:
    for p in PROBS:
        r, limit = exact_limit(mu, p)
        exact.append([mu, p, r, limit])


def flag(ratio, l998, l95, u95, u998):
    # No ratio here lies within 1e-9 of a limit, so plain comparisons suffice.
    if ratio < l998:
        return "cold"
    if ratio < l95:
        return "cool"
    if ratio > u998:
        return "hot"
    if ratio > u95:
        return "warm"
    return "normal"


def fit(name, observed, expected):
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    n = len(o)
    ft = np.sqrt(o) + np.sqrt(o + 1) - np.sqrt(4 * e + 1)
    q10, q90 = np.percentile(ft, [10, 90], method="linear")
    phi = float(np.mean(np.clip(ft, q10, q90) ** 2))
    ratio = o / e
    if phi > 1:
        w = 4 * e
        tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
        sd = np.sqrt(1 / (4 * e) + tau2)
        z = (np.sqrt(ratio) - 1) / sd
        l95 = np.maximum(0, 1 - Z95 * sd) ** 2
        u95 = (1 + Z95 * sd) ** 2
        l998 = np.maximum(0, 1 - Z998 * sd) ** 2
        u998 = (1 + Z998 * sd) ** 2
    else:
        tau2 = None
        z = ft
        lim = np.array([[exact_limit(mu, p)[1] for p in PROBS] for mu in e])
        l998, l95, u95, u998 = lim.T
    for i in range(n):  # the fixtures avoid near-ties with the limits, but for 0 on 0
        for limit in (l998[i], l95[i], u95[i], u998[i]):
            assert abs(ratio[i] - limit) > 1e-6 or ratio[i] == limit == 0, (name, i)
    return {
        "name": name, "observed": observed, "expected": expected, "phi": phi, "tau2": tau2,
        "z": z.tolist(), "freemanTukey": ft.tolist(),
        "lower998": list(map(float, l998)), "lower95": list(map(float, l95)),
        "upper95": list(map(float, u95)), "upper998": list(map(float, u998)),
        "flags": [flag(ratio[i], l998[i], l95[i], u95[i], u998[i]) for i in range(n)],
    }


rng = np.random.default_rng(20240501)
e_mixed = [round(float(v), 3) for v in rng.uniform(0.5, 80, 40)]
o_pois = [int(v) for v in rng.poisson(e_mixed)]
o_over = [int(v) for v in rng.poisson(np.array(e_mixed) * rng.lognormal(0, 0.5, 40))]
fits = [
    fit("five units, overdispersed", [0, 3, 20, 48, 8], [6, 12, 20, 30, 2]),
    fit("forty-two units, exact limits",
        [4, 11, 33, 45, 0, 0] + [17, 18, 19, 20, 21, 22, 23] * 5 + [20], [20] * 4 + [2, 4] + [20] * 36),
    fit("forty Poisson units", o_pois, e_mixed),
    fit("forty lognormal-mixed units", o_over, e_mixed),
]


def inequality(name, x, groups):
    x = np.asarray(x, dtype=float)
    n, mu = len(x), x.mean()
    xs = np.sort(x)
    gini = 2 * np.sum(np.arange(1, n + 1) * xs) / (n * x.sum()) - (n + 1) / n

    def theil(v):
        m = v.mean()
        r = v[v > 0] / m
        return float(np.sum(r * np.log(r)) / len(v))

    between = within = 0.0
    for g in sorted(set(groups)):
        v = x[np.asarray(groups) == g]
        s = len(v) * v.mean() / (n * mu)
        if s > 0:
            between += s * math.log(v.mean() / mu)
            within += s * theil(v)
    return {"name": name, "x": x.tolist(), "groups": groups, "gini": float(gini),
            "theil": theil(x), "theilBetween": between, "theilWithin": within,
            "cv": float(x.std() / mu)}


x_rand = [round(float(v), 2) for v in rng.gamma(0.8, 30, 60)]
x_rand[5] = x_rand[17] = x_rand[40] = 0.0
g_rand = [int(v) for v in rng.integers(1, 6, 60)]
ineq = [
    inequality("METHODS.md reference",
               [541, 1463, 2445, 3438, 4437, 5401, 6392, 8304, 11904, 22261],
               [1, 1, 1, 2, 2, 2, 3, 3, 3, 3]),
    inequality("zeros and an all-zero group", [0, 0, 0, 3, 0, 7, 1, 0, 12],
               [9, 9, 9, 2, 2, 2, -4, -4, -4]),
    inequality("sixty gamma values with zeros", x_rand, g_rand),
]

document = {
    "generator": "Tests/Fixtures-scripts/stats/funnel_fixtures.py",
    "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "mpmath": mp.__version__},
    "exactLimits": exact,
    "fits": fits,
    "inequality": ineq,
}
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "funnel_reference.json"
path.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n")
print(f"wrote {path}")
for f in fits:
    print(f"{f['name']}: phi {f['phi']:.6f}, tau2 {f['tau2']}")
