#!/usr/bin/env python3
"""Writes Tests/ChuandaoStatsTests/Fixtures/distributions.json: reference values for the
ChuandaoStats distributions and special functions.

Values come from scipy (scipy.special / scipy.stats) and numpy. Every scipy value is
checked here against mpmath at 50 significant digits. Where the two disagree by more than
1e-12 relative, the fixture holds the mpmath value and lists the point under
"scipyDisagreements" with both values. With scipy 1.17.1 these are: Student's t far in
the tails (stdtr(0.3, -1e200) = 0 where the value is 3.5e-61; stdtrit off by orders of
magnitude, or infinite, for p <= 1e-50), stdtr(1, +-1e-6) off by 3e-11, and the Poisson pmf, sf and
ppf for means 1e6 and 1e7 (pmf off by up to 1e-8, sf by up to 2%, as direct summation in
mpmath confirms). Values below 1e-300 (where doubles lose relative precision) and
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
        disagreements.append({"where": where, "scipy": s if math.isfinite(s) else repr(s),
                              "mpmath": m})
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
def mp_beta_euler(a, b, z, w):
    """I_z(a, b), w = 1 - z, as z^a w^b / (a B(a, b)) 2F1(a + b, 1; a + 1; z) (Euler's
    transformation): a series of positive terms, so no cancellation."""
    return z**a * w**b / (a * mp.beta(a, b)) * mp.hyp2f1(a + b, 1, a + 1, z, maxterms=10**7)


def mp_betainc_pair(a, b, x):
    """(I_x(a, b), 1 - I_x(a, b)) in mpmath, the smaller one from its positive series.
    (mpmath's own betainc sums an alternating series that fails for large a and b.)"""
    a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
    if x < (a + 1) / (a + b + 2):
        lower = mp_beta_euler(a, b, x, 1 - x)
        return lower, 1 - lower
    upper = mp_beta_euler(b, a, 1 - x, x)
    return 1 - upper, upper


def mp_ttail(s, df):
    """P(T > s) for s >= 0 in mpmath, from Euler's form of the incomplete beta function.

    The tail is I_x(df/2, 1/2)/2, x = df/(df + s^2), y = 1 - x, and
    I_x(a, b) = x^a y^b / (a B(a, b)) 2F1(a + b, 1; a + 1; x), a series of positive terms
    with ratio about x. For x <= 1/2 it gives the tail directly; otherwise the tail is
    (1 - I_y(1/2, df/2))/2, evaluated with enough extra digits to survive the subtraction.
    (mpmath's own betainc stalls for large df, and near x = 1/2 for small df.)
    """
    s = abs(mp.mpf(s))
    dfm = mp.mpf(df)
    if s == 0:
        return mp.mpf(0.5)
    if mp.isinf(s):
        return mp.mpf(0)
    x = dfm / (dfm + s * s)
    y = s * s / (dfm + s * s)

    half = mp.mpf(1) / 2
    if x <= 0.5:
        return mp_beta_euler(dfm / 2, half, x, y) / 2
    log10_tail = -float((dfm + 1) / 2 * mp.log1p(s * s / dfm)) / math.log(10)
    if log10_tail < -400:
        return mp.mpf(0)
    with mp.workdps(60 + int(-log10_tail)):
        # x, y and the parameters again at the working precision (s and df are exact).
        x = dfm / (dfm + s * s)
        y = s * s / (dfm + s * s)
        return +((1 - mp_beta_euler(mp.mpf(1) / 2, dfm / 2, y, x)) / 2)


def mp_tcdf(t, df):
    tail = mp_ttail(t, df)
    return tail if t < 0 else 1 - tail


def mp_tppf(p, df):
    if p == 0.5:
        return mp.mpf(0)
    p = mp.mpf(p)
    t0 = float(special.stdtrit(df, float(p)))
    lower = p < 0.5
    target = p if lower else 1 - p
    # Solve log P(T > s) = log target in u = log s (the tail is nearly a power law there),
    # bracketing scipy's value.
    def f(u):
        return mp.log(mp_ttail(mp.exp(u), df)) - mp.log(target)

    def bracket(u0):
        for width in (1e-6, 1e-3, 0.1, 1, 10):
            if f(u0 - width) > 0 > f(u0 + width):
                return (u0 - width, u0 + width)
        return None

    # Around scipy's value, else around the leading term of the tail,
    # |t| ~ sqrt(df) (q df B(df/2, 1/2))^(-1/df) (scipy 1.17.1 is far off for df = 0.3).
    dfm = mp.mpf(df)
    asymptotic = mp.log(dfm) / 2 - (mp.log(target * dfm * mp.beta(dfm / 2, 0.5))) / dfm
    interval = (bracket(mp.log(abs(t0))) if math.isfinite(t0) and t0 != 0 else None) or bracket(
        asymptotic)
    if interval is None:
        sys.exit(f"no bracket for the t quantile ({df}, {p})")
    u = mp.findroot(f, interval, solver="anderson")
    return -mp.exp(u) if lower else mp.exp(u)


t_dfs = [0.3, 1, 2, 3, 4.5, 10, 29, 30, 100, 399, 401, 1e4, 1e6, 1e9]
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
        reference = mp_tppf(p, df)
        if not mp.isfinite(reference) or abs(reference) > sys.float_info.max:
            continue  # beyond the doubles: the Swift tests check the infinity directly
        v = agree(special.stdtrit(df, p), reference, f"stdtrit({df}, {p})")
        entry["ppf"].append([p, v])
    t.append(entry)


# ---------------------------------------------------------------- Poisson
def mp_gamma_p(a, x):
    """P(a, x) in mpmath. Below x = a from the positive series
    P = x^a e^-x / Γ(a + 1) 1F1(1; a + 1; x) (mpmath's own lower gamma sums an alternating
    series that stalls for a = 1e6), else as 1 - Q."""
    a = mp.mpf(a)
    x = mp.mpf(x)
    if x < a:
        return mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1)) * mp.hyp1f1(
            1, a + 1, x, maxterms=10**7)
    return 1 - mp_gamma_q(a, x)


def mp_gamma_q(a, x):
    """Q(a, x) in mpmath: its upper incomplete gamma at and above x = a, else 1 - P."""
    if mp.mpf(x) >= a:
        return mp.gammainc(mp.mpf(a), mp.mpf(x), mp.inf, regularized=True)
    return 1 - mp_gamma_p(a, x)


def mp_pois_cdf(k, mu):
    return mp_gamma_q(k + 1, mu)


def mp_pois_sf(k, mu):
    return mp_gamma_p(k + 1, mu)


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
        # The definition, evaluated in mpmath from scipy's value: the smallest r with
        # cdf(r) >= p. Skipped when p is within 1e-9 (relative) of a jump of the cdf, where
        # rounding in any implementation could move r.
        def mp_cdf(r):
            return mp_pois_cdf(r, mu) if r >= 0 else mp.mpf(0)

        scipy_r = int(stats.poisson.ppf(p, mu))
        r = scipy_r
        while mp_cdf(r) < p:
            r += 1
        while r > 0 and mp_cdf(r - 1) >= p:
            r -= 1
        if r != scipy_r:
            disagreements.append({"where": f"poisson.ppf({p}, {mu})", "scipy": scipy_r,
                                  "mpmath": r})
        if min(abs(mp_cdf(r) - p), abs(p - mp_cdf(r - 1))) < 1e-9 * p:
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
    mp_lower, mp_upper = mp_betainc_pair(a, b, x)
    v = agree(special.betainc(a, b, x), mp_lower, f"betainc({a}, {b}, {x})")
    if keep(v) and v > 0:
        special_values["betainc"].append([a, b, x, v])
    v = agree(special.betaincc(a, b, x), mp_upper, f"betaincc({a}, {b}, {x})")
    if keep(v) and v > 0:
        special_values["betaincc"].append([a, b, x, v])
for a, x in gamma_cases:
    mp_lower = mp_gamma_p(a, x)
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
path.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n")
print(f"wrote {path}; worst agreeing scipy/mpmath relative difference "
      f"{worst['value']:.2e} at {worst['where']}; {len(disagreements)} disagreements:")
for d in disagreements:
    print(f"  {d['where']}: scipy {d['scipy']!r}, mpmath {d['mpmath']!r}")
