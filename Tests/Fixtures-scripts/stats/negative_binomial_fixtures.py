#!/usr/bin/env python3
"""Writes Tests/ChuandaoStatsTests/Fixtures/negative_binomial.json: reference values for
ChuandaoStats' NegativeBinomial and for the consistent funnel (METHODS.md section 3),
computed independently of the Swift code with mpmath (50 digits), scipy and numpy.

- "distribution": rows (mean, size, r, pmf, cdf, sf). The negative binomial with mean mu
  and size k has p = k/(k + mu) and pmf Gamma(r + k)/(Gamma(k) r!) p^k (1 - p)^r (mpmath's
  loggamma at 50 digits); the cdf and sf are direct sums of the pmf at 50 digits (the
  smaller tail summed, the other 1 minus it; mpmath's betainc does not converge for sizes
  of 1e6 and more). Every row is also checked against scipy's nbinom
  (1e-9 relative where scipy is accurate: values above 1e-290 and sizes below 1e6; 1e-5
  beyond, where scipy's rounded p loses digits), so a slip in the
  parametrisation would stop the script. Means 0.3 to 1e5, sizes 0.05 to 1e9 (nearly
  Poisson), r far into both tails (values down to about 1e-300).
- "quantiles": rows (mean, size, p, r) with r the smallest integer with cdf(r) >= p, by
  mpmath, checked against scipy's nbinom.ppf.
- "limits": rows (E, tau2, p, limit): the interpolated exact limit (r_p - alpha)/E with
  alpha = (F(r_p) - p)/(F(r_p) - F(r_p - 1)), F the negative binomial cdf with size
  1/(4 tau2), floored at 0; the METHODS.md reference values (E = 20 and E = 2, tau2 = 0.05)
  among them.
- "fits": funnels by the consistent method: phi = winsorised mean square of the
  Freeman-Tukey deviates (numpy percentile, method "linear" = R type 7) divided by
  c = 0.8 - 2 a phi(a) + 0.2 a^2, a = Phi^-1(0.9); tau2 by DerSimonian-Laird; when
  phi > 1 the negative-binomial limits above, else the exact Poisson limits; flags.

Run from the repository root:
    python3 Tests/Fixtures-scripts/stats/negative_binomial_fixtures.py
Needs mpmath (1.3.0 used), scipy (1.17.1 used) and numpy (2.4.6 used).
"""

import json
import pathlib

import mpmath as mp
import numpy as np
import scipy
from scipy import stats

mp.mp.dps = 50
OUT = pathlib.Path(__file__).resolve().parents[2] / "ChuandaoStatsTests" / "Fixtures"


def nb_pmf(r, mu, k):
    mu, k = mp.mpf(mu), mp.mpf(k)
    p = k / (k + mu)
    return mp.exp(mp.loggamma(r + k) - mp.loggamma(k) - mp.loggamma(r + 1)
                  + k * mp.log(p) + r * mp.log(1 - p))


def tail_sum(r, mu, k, upward):
    """sum of pmf(j) over j > r (upward) or j <= r (downward), by the ratio
    pmf(j + 1)/pmf(j) = q (j + k)/(j + 1) from an exact anchor, until the terms are below
    1e-60 of the sum beyond the mode (mpmath betainc does not converge for sizes of 1e6
    and more, so the sums are direct)."""
    mu, k = mp.mpf(mu), mp.mpf(k)
    q = mu / (k + mu)
    mode = max(0, int((k - 1) * q / (1 - q)))
    j = r + 1 if upward else r
    term = nb_pmf(j, mu, k)
    total = mp.mpf(0)
    while True:
        total += term
        if upward:
            term *= q * (j + k) / (j + 1)
            j += 1
            if j > mode and term < total * mp.mpf(10) ** -60:
                return total
        else:
            if j == 0:
                return total
            term *= j / (q * (j - 1 + k))
            j -= 1
            if j < mode and term < total * mp.mpf(10) ** -60:
                return total


def nb_cdf(r, mu, k):
    if r < 0:
        return mp.mpf(0)
    return tail_sum(r, mu, k, False) if r < mu else 1 - tail_sum(r, mu, k, True)


def nb_sf(r, mu, k):
    if r < 0:
        return mp.mpf(1)
    return 1 - tail_sum(r, mu, k, False) if r < mu else tail_sum(r, mu, k, True)


def check_scipy(label, ours, theirs, k):
    # scipy takes p = k/(k + mu) as a double: for k >= 1e6 its rounding error is raised to
    # the power k (1e-16 x 1e9 = 1e-7 relative at k = 1e9), so only a looser check there.
    tolerance = 1e-9 if k < 1e6 else 1e-5
    ours = float(ours)
    if abs(ours) > 1e-290:
        assert abs(ours - theirs) <= tolerance * abs(ours), (label, ours, theirs)


distribution = []
CASES = [
    (0.3, 0.05), (2, 0.5), (2, 5), (7.5, 1), (20, 5), (20, 50), (60, 2), (60, 1e3),
    (300, 10), (1e3, 1e6), (1e5, 1e3), (25, 1e9), (3.3, 1e7),
]
for mu, k in CASES:
    var = mu + mu * mu / k
    sd = var ** 0.5
    rs = sorted({0, 1, 2, int(mu), int(mu + sd), int(mu + 3 * sd), int(mu + 8 * sd),
                 int(mu + 20 * sd), max(0, int(mu - 2 * sd)), max(0, int(mu - 4 * sd)),
                 int(mu + 60 * sd)})
    p_scipy = k / (k + mu)
    for r in rs:
        pmf, cdf, sf = nb_pmf(r, mu, k), nb_cdf(r, mu, k), nb_sf(r, mu, k)
        assert abs(cdf + sf - 1) < mp.mpf(10) ** -40, (mu, k, r)
        if float(sf) == 0.0 or float(cdf) == 0.0:
            continue  # below the smallest double: nothing to compare
        check_scipy(("pmf", mu, k, r), pmf, stats.nbinom.pmf(r, k, p_scipy), k)
        check_scipy(("cdf", mu, k, r), cdf, stats.nbinom.cdf(r, k, p_scipy), k)
        check_scipy(("sf", mu, k, r), sf, stats.nbinom.sf(r, k, p_scipy), k)
        distribution.append([mu, k, r, float(pmf), float(cdf), float(sf)])


def quantile(mu, k, p):
    """Smallest r with cdf(r) >= p, by mpmath, from scipy's ppf as a start."""
    r = max(0, int(stats.nbinom.ppf(p, k, k / (k + mu))) - 3)
    while nb_cdf(r, mu, k) < p:
        r += 1
    while r > 0 and nb_cdf(r - 1, mu, k) >= p:
        r -= 1
    return r


quantiles = []
for mu, k in CASES:
    for p in [1e-6, 0.001, 0.025, 0.3, 0.5, 0.975, 0.999, 1 - 1e-6]:
        r = quantile(mu, k, p)
        if k < 1e6:  # scipy's p is inexact beyond (see check_scipy)
            assert r == int(stats.nbinom.ppf(p, k, k / (k + mu))), (mu, k, p, r)
        quantiles.append([mu, k, p, r])


def limit(e, tau2, p):
    k = 1 / (4 * tau2)
    r = quantile(e, k, p)
    hi, lo = nb_cdf(r, e, k), nb_cdf(r - 1, e, k)
    alpha = (hi - p) / (hi - lo)
    return max(0.0, float((r - alpha) / e))


PROBS = [0.001, 0.025, 0.975, 0.999]
limits = []
for e, tau2 in [(20, 0.05), (2, 0.05), (0.5, 0.2), (5, 0.01), (10, 0.002), (60, 0.1),
                (150, 0.0005), (1e4, 0.02), (3.7, 1e-6)]:
    for p in PROBS:
        limits.append([e, tau2, p, limit(e, tau2, p)])
# METHODS.md section 3's reference values, to their 5 decimals.
REFERENCE = {(20, 0.05): [0.02656, 0.22051, 2.14793, 3.16849], (2, 0.05): [0, 0, 2.79773, 4.57158]}
for (e, tau2), values in REFERENCE.items():
    for p, v in zip(PROBS, values):
        assert abs(limit(e, tau2, p) - v) < 5e-6, (e, tau2, p)

A = float(mp.sqrt(2) * mp.erfinv(mp.mpf("0.8")))  # Phi^-1(0.9)
C = float(mp.mpf("0.8") - 2 * A * mp.npdf(A) + mp.mpf("0.2") * A * A)


def poisson_limit(e, p):
    r = int(stats.poisson.ppf(p, e))
    hi = mp.gammainc(r + 1, e, mp.inf, regularized=True)
    lo = mp.gammainc(r, e, mp.inf, regularized=True) if r > 0 else mp.mpf(0)
    alpha = (hi - p) / (hi - lo)
    return max(0.0, float((r - alpha) / e))


def flag(ratio, l998, l95, u95, u998):
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
    phi = float(np.mean(np.clip(ft, q10, q90) ** 2)) / C
    ratio = o / e
    if phi > 1:
        w = 4 * e
        tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
        z = (np.sqrt(ratio) - 1) / np.sqrt(1 / (4 * e) + tau2)
        lim = np.array([[limit(mu, tau2, p) for p in PROBS] for mu in e])
    else:
        tau2 = None
        z = ft
        lim = np.array([[poisson_limit(mu, p) for p in PROBS] for mu in e])
    l998, l95, u95, u998 = lim.T
    for i in range(n):  # no ratio near a limit, but for 0 on 0
        for v in (l998[i], l95[i], u95[i], u998[i]):
            assert abs(ratio[i] - v) > 1e-6 or ratio[i] == v == 0, (name, i)
    return {
        "name": name, "observed": observed, "expected": expected, "phi": phi, "tau2": tau2,
        "z": z.tolist(),
        "lower998": list(map(float, l998)), "lower95": list(map(float, l95)),
        "upper95": list(map(float, u95)), "upper998": list(map(float, u998)),
        "flags": [flag(ratio[i], l998[i], l95[i], u95[i], u998[i]) for i in range(n)],
    }


rng = np.random.default_rng(20261207)
e_mixed = [round(float(v), 3) for v in rng.uniform(1, 40, 60)]
o_gamma = [int(v) for v in rng.poisson(np.array(e_mixed) * rng.gamma(4, 0.25, 60))]
o_pois = [int(v) for v in rng.poisson(e_mixed)]
fits = [
    fit("five units, overdispersed", [0, 3, 20, 48, 8], [6, 12, 20, 30, 2]),
    fit("sixty gamma-Poisson units (1/k = 0.25)", o_gamma, e_mixed),
    fit("sixty Poisson units", o_pois, e_mixed),
]

document = {
    "generator": "Tests/Fixtures-scripts/stats/negative_binomial_fixtures.py",
    "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "mpmath": mp.__version__},
    "winsorisedNormalMeanSquare": C,
    "distribution": distribution,
    "quantiles": quantiles,
    "limits": limits,
    "fits": fits,
}
OUT.mkdir(parents=True, exist_ok=True)
path = OUT / "negative_binomial.json"
path.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n")
print(f"wrote {path}: {len(distribution)} distribution rows, {len(quantiles)} quantiles, "
      f"{len(limits)} limits; c = {C!r}")
for f in fits:
    print(f"{f['name']}: phi {f['phi']:.6f}, tau2 {f['tau2']}, flags {sorted(set(f['flags']))}")
