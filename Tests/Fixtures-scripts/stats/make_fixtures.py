#!/usr/bin/env python3
"""Writes Tests/ChuandaoStatsTests/Fixtures/distributions.json: reference values for the
ChuandaoStats distributions and special functions.

Values come from scipy (scipy.special / scipy.stats) and numpy. Every scipy value is
checked here against mpmath at 50 significant digits. Where the two disagree by more than
1e-12 relative, the fixture holds the mpmath value and lists the point under
"scipyDisagreements" with both values (scipy 1.17.1 returns 0 for Student's t with
df = 0.3 far in the tail, where the true value is about 1e-61). Values below 1e-300 (where doubles lose relative precision) and
non-finite values are left out; the Swift tests check those edge cases directly.

Run from the repository root:
    python3 Tests/Fixtures-scripts/stats/make_fixtures.py
Needs scipy (1.17.1 used), numpy (2.4.6 used) and mpmath (1.3.0 used).
"""

import json
import math
import pathlib
import sys

import mpmath as mp
import numpy as np
import scipy
from scipy import special, stats

mp.mp.dps = 50
OUT = pathlib.Path(__file__).resolve().parents[2] / "ChuandaoStatsTests" / "Fixtures"
AGREEMENT = 1e-12
worst = {"value": 0.0, "where": ""}
disagreements = []


def agree(scipy_value, mp_value, where):
    """The scipy value where it agrees with mpmath, else the mpmath value (recorded)."""
    s = float(scipy_value)
    m = float(mp_value)
    scale = max(abs(m), 1e-300)
    err = abs(s - m) / scale
    if err > AGREEMENT:
        disagreements.append({"where": where, "scipy": s, "mpmath": m})
        return m
    if err > worst["value"]:
        worst["value"], worst["where"] = err, where
    return s


def keep(value):
    return math.isfinite(value) and (value == 0 or abs(value) >= 1e-300)


# ---------------------------------------------------------------- normal
def mp_ncdf(x):
    return mp.ncdf(mp.mpf(x))


def mp_nppf(p):
    p = mp.mpf(p)
    x0 = mp.mpf(float(special.ndtri(float(p))))
    return mp.findroot(lambda x: mp.log(mp.ncdf(x)) - mp.log(p), x0)


normal_x = [-37.5, -37, -30, -20, -12, -10, -8, -6, -5, -3.5, -3, -2.5, -1.959964, -1.5, -1,
            -0.5, -0.1, -1e-5, 0, 1e-5, 0.3, 0.674, 1, 1.644854, 2, 3.090232, 4, 5, 6, 8]
normal_p = [1e-300, 1e-250, 1e-200, 1e-150, 1e-100, 1e-60, 1e-40, 1e-30, 1e-20, 1e-15, 1e-10,
            1e-8, 1e-6, 1e-5, 1e-4, 0.001, 0.005, 0.01, 0.025, 0.05, 0.0749, 0.075, 0.0751, 0.1,
            0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.925, 0.95, 0.975, 0.99, 0.999,
            0.9999, 1 - 1e-8]
normal = {
    "cdf": [], "sf": [], "ppf": [], "isf": [],
}
for x in normal_x:
    v = agree(special.ndtr(x), mp_ncdf(x), f"ndtr({x})")
    if keep(v):
        normal["cdf"].append([x, v])
    v = agree(stats.norm.sf(x), mp_ncdf(-x), f"norm.sf({x})")
    if keep(v):
        normal["sf"].append([x, v])
for p in normal_p:
    v = agree(special.ndtri(p), mp_nppf(p), f"ndtri({p})")
    normal["ppf"].append([p, v])
    if p < 0.5:
        v = agree(stats.norm.isf(p), -mp_nppf(p), f"norm.isf({p})")
        normal["isf"].append([p, v])


# ---------------------------------------------------------------- Student's t
def mp_tcdf(t, df):
    t = mp.mpf(t)
    df = mp.mpf(df)
    if t == 0:
        return mp.mpf(0.5)
    x = df / (df + t * t)
    tail = mp.betainc(df / 2, mp.mpf(0.5), 0, x, regularized=True) / 2
    return tail if t < 0 else 1 - tail


def mp_tppf(p, df):
    if p == 0.5:
        return mp.mpf(0)
    p = mp.mpf(p)
    t0 = mp.mpf(float(special.stdtrit(df, float(p))))
    lower = p < 0.5
    target = p if lower else 1 - p
    s = abs(t0)
    # Solve log P(T > s) = log target in log s (the tail is nearly a power law).
    u = mp.findroot(lambda u: mp.log(1 - mp_tcdf(mp.exp(u), df)) - mp.log(target), mp.log(s))
    return -mp.exp(u) if lower else mp.exp(u)


t_dfs = [0.3, 1, 2, 3, 4.5, 10, 29, 30, 100, 1e6, 1e9]
t_x = [-1e200, -1e100, -1e20, -1e6, -1000, -100, -40, -30, -12, -10, -5, -3, -2.5, -2.045, -2,
       -1.7, -1.5, -1, -0.5, -0.1, -1e-6, 0, 1e-6, 0.2, 0.7, 1, 1.5, 2, 2.5, 3, 4, 6, 12, 50,
       300, 1e5]
t_p = [1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-12, 1e-8, 1e-6, 1e-4, 0.001, 0.005, 0.01,
       0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.75, 0.9, 0.95, 0.975,
       0.99, 0.995, 0.999, 0.9999, 1 - 1e-8]
t = []
for df in t_dfs:
    entry = {"df": df, "cdf": [], "ppf": []}
    for x in t_x:
        v = agree(special.stdtr(df, x), mp_tcdf(x, df), f"stdtr({df}, {x})")
        if keep(v):
            entry["cdf"].append([x, v])
    for p in t_p:
        s = float(special.stdtrit(df, p))
        if not math.isfinite(s):
            continue
        v = agree(s, mp_tppf(p, df), f"stdtrit({df}, {p})")
        entry["ppf"].append([p, v])
    t.append(entry)


# ---------------------------------------------------------------- Poisson
def mp_pois_cdf(k, mu):
    return mp.gammainc(k + 1, mp.mpf(mu), mp.inf, regularized=True)


def mp_pois_sf(k, mu):
    return mp.gammainc(k + 1, 0, mp.mpf(mu), regularized=True)


def mp_pois_pmf(k, mu):
    mu = mp.mpf(mu)
    return mp.exp(k * mp.log(mu) - mu - mp.loggamma(k + 1))


poisson_means = [0.5, 3, 20, 1000, 1e6, 1e7]
poisson_p = [1e-300, 1e-100, 1e-20, 1e-8, 0.001, 0.0123, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975,
             0.999, 1 - 1e-9]
poisson = []
for mu in poisson_means:
    sd = math.sqrt(mu)
    ks = {0, 1, 2, 5, 10}
    for z in [-40, -30, -20, -10, -6, -4, -3, -2.5, -2, -1.5, -1, -0.5, -0.2, 0, 0.2, 0.5, 1, 1.5,
              2, 3, 4, 6, 10, 20, 40]:
        k = int(round(mu + z * sd))
        if k >= 0:
            ks.add(k)
    if mu == 20:
        ks.update(range(0, 46))
    if mu == 1e7:
        ks.discard(1)
        ks.discard(2)
    entry = {"mean": mu, "cdf": [], "sf": [], "pmf": [], "ppf": []}
    for k in sorted(ks):
        v = agree(stats.poisson.cdf(k, mu), mp_pois_cdf(k, mu), f"poisson.cdf({k}, {mu})")
        if keep(v) and v > 0:
            entry["cdf"].append([k, v])
        v = agree(stats.poisson.sf(k, mu), mp_pois_sf(k, mu), f"poisson.sf({k}, {mu})")
        if keep(v) and v > 0:
            entry["sf"].append([k, v])
        v = agree(stats.poisson.pmf(k, mu), mp_pois_pmf(k, mu), f"poisson.pmf({k}, {mu})")
        if keep(v) and v > 0:
            entry["pmf"].append([k, v])
    for p in poisson_p:
        r = int(stats.poisson.ppf(p, mu))
        # The definition, checked in mpmath: cdf(r) >= p > cdf(r - 1), with a margin so
        # that rounding in any implementation cannot move r.
        upper = mp_pois_cdf(r, mu)
        lower = mp_pois_cdf(r - 1, mu) if r > 0 else mp.mpf(0)
        if not (upper >= p > lower):
            sys.exit(f"poisson.ppf({p}, {mu}) = {r} does not satisfy the definition")
        if min(abs(upper - p), abs(p - lower)) < 1e-9 * p:
            continue
        entry["ppf"].append([p, r])
    poisson.append(entry)


# ---------------------------------------------------------------- special functions
beta_cases = [(0.5, 0.5, 0.3), (1, 1, 0.25), (2, 3, 0.4), (2, 3, 0.999), (0.1, 10, 0.01),
              (10, 0.1, 0.99), (5, 0.5, 0.9), (0.5, 5, 0.1), (25, 35, 0.3), (25, 35, 0.45),
              (25, 35, 0.7), (200, 300, 0.38), (200, 300, 0.4), (200, 300, 0.45),
              (1e4, 2e4, 0.33), (1e4, 2e4, 0.335), (1e4, 2e4, 0.34), (5e5, 0.5, 0.999995),
              (0.5, 5e5, 5e-6), (1e5, 1e5, 0.499), (1e5, 1e5, 0.501), (3, 1e6, 1e-6)]
gamma_cases = [(0.5, 0.1), (0.5, 2), (1, 0.5), (1, 3), (5.5, 2), (5.5, 5.5), (5.5, 12),
               (21, 20), (30, 20), (100, 80), (100, 100), (100, 125), (1001, 1000),
               (1e4, 9.7e3), (1e4, 1e4), (1e4, 1.03e4), (1e6 + 1, 1e6), (1e6, 1.004e6),
               (1e7 + 1, 1e7), (1e7, 9.99e6), (1e7, 1.002e7), (0.01, 0.005), (0.01, 1)]
special_values = {"betainc": [], "betaincc": [], "gammainc": [], "gammaincc": []}
for a, b, x in beta_cases:
    mp_lower = mp.betainc(a, b, 0, x, regularized=True)
    v = agree(special.betainc(a, b, x), mp_lower, f"betainc({a}, {b}, {x})")
    if keep(v) and v > 0:
        special_values["betainc"].append([a, b, x, v])
    v = agree(special.betaincc(a, b, x), 1 - mp_lower, f"betaincc({a}, {b}, {x})")
    if keep(v) and v > 0:
        special_values["betaincc"].append([a, b, x, v])
for a, x in gamma_cases:
    mp_lower = mp.gammainc(a, 0, x, regularized=True)
    v = agree(special.gammainc(a, x), mp_lower, f"gammainc({a}, {x})")
    if keep(v) and v > 0:
        special_values["gammainc"].append([a, x, v])
    v = agree(special.gammaincc(a, x), 1 - mp_lower, f"gammaincc({a}, {x})")
    if keep(v) and v > 0:
        special_values["gammaincc"].append([a, x, v])


# ---------------------------------------------------------------- type-7 quantiles
rng = np.random.default_rng(20240601)
samples = [
    [3.0],
    [2.0, 7.0],
    [1.0, 2.0, 2.0, 2.0, 5.0, 9.0],
    [float(v) for v in rng.normal(50, 12, size=17)],
    [float(v) for v in rng.exponential(3, size=100)],
    [float(v) for v in rng.integers(0, 5, size=40)],
    [-1.5e9, -2.0, 0.0, 1e-12, 3.25, 1e300],
]
probabilities = [0, 0.001, 0.05, 0.1, 0.25, 1 / 3, 0.5, 0.6, 0.75, 0.9, 0.95, 0.999, 1]
quantile7 = []
for values in samples:
    expected = [float(np.quantile(np.array(values), p, method="linear")) for p in probabilities]
    quantile7.append({"values": values, "p": probabilities, "expected": expected})

document = {
    "generator": "Tests/Fixtures-scripts/stats/make_fixtures.py",
    "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "mpmath": mp.__version__},
    "note": "scipy/numpy values, each checked against mpmath (50 digits) to 1e-12 relative",
    "normal": normal,
    "studentT": t,
    "poisson": poisson,
    "special": special_values,
    "quantileType7": quantile7,
    "scipyDisagreements": disagreements,
}
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "distributions.json"
path.write_text(json.dumps(document, indent=1) + "\n")
print(f"wrote {path}; worst agreeing scipy/mpmath relative difference "
      f"{worst['value']:.2e} at {worst['where']}; {len(disagreements)} disagreements:")
for d in disagreements:
    print(f"  {d['where']}: scipy {d['scipy']!r}, mpmath {d['mpmath']!r}")
