#!/usr/bin/env python3
"""Writes Tests/ChuandaoStatsTests/Fixtures/statsmodels_poisson_*.json: Poisson GLMs (log
link) fitted by statsmodels, the reference for ChuandaoStats.PoissonRegression.

- statsmodels_poisson_dobson.json: Dobson (1990, p. 93), the example of R's ?glm,
  counts ~ outcome + treatment (treatment contrasts), no offset. R documents intercept
  3.045, outcome2 -0.4543, outcome3 -0.2930, treatment2/3 ~ 0, residual deviance 5.129
  on 4 df.
- statsmodels_poisson_offset.json: the shape of METHODS.md section 3 (`--adjust risk`):
  one row per (node, domain), log mu = ln(members) + alpha_domain + beta risk, six domain
  dummies and no intercept, offset ln(members). Simulated with a fixed seed.
- statsmodels_poisson_halving.json: 7 rows, y ~ 1 + t + d, where one count (911) dominates.
  The second Newton step from mu = y + 0.1 raises the deviance, so PoissonRegression
  halves it; statsmodels (no halving) needs 10 iterations. R 4.2.2's glm agrees with
  statsmodels to 1e-12 in the coefficients.

Each file holds the design (x as rows, with column names), y, the offset (null when
none) and statsmodels' results: params, bse, deviance, pearson_chi2, llf, df_resid, the
fitted means mu and the number of IRLS iterations, from
`GLM(y, X, family=Poisson(), offset=...).fit(tol=1e-10)` (IRLS, stops when the deviance
changes by less than tol, absolute). The default tol=1e-8 stops the offset example one
iteration earlier: its estimates are the same to 1e-11, but its standard errors, which
statsmodels takes from the weights of the last-but-one iterate, are then 2e-6 off. The
script checks that the fit is at the maximum: the score X'(y - mu) must vanish to 1e-12
relative to |X|'y.

json.dump writes floats with Python's repr (shortest round-trip, as exact as %.17g).

Run from the repository root:
    python3 Tests/Fixtures-scripts/stats/statsmodels_poisson.py
Needs statsmodels (0.15.0 used), numpy (2.4.6 used) and scipy (1.17.1 used).
"""

import json
import pathlib

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm

OUT = pathlib.Path(__file__).resolve().parents[2] / "ChuandaoStatsTests" / "Fixtures"


def fit_and_write(name, description, x, columns, y, offset):
    model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
    res = model.fit(tol=1e-10)
    assert res.converged, name
    score = x.T @ (y - res.mu)
    scale = np.abs(x).T @ y
    worst = float(np.max(np.abs(score) / scale))
    assert worst < 1e-12, (name, worst)
    data = {
        "name": name,
        "description": description,
        "statsmodelsVersion": statsmodels.__version__,
        "numpyVersion": np.__version__,
        "scipyVersion": scipy.__version__,
        "columns": columns,
        "x": x.tolist(),
        "y": y.tolist(),
        "offset": None if offset is None else offset.tolist(),
        "params": res.params.tolist(),
        "bse": res.bse.tolist(),
        "deviance": float(res.deviance),
        "pearsonChi2": float(res.pearson_chi2),
        "llf": float(res.llf),
        "dfResid": int(round(res.df_resid)),
        "mu": res.mu.tolist(),
        "iterations": int(res.fit_history["iteration"]),
    }
    path = OUT / f"statsmodels_poisson_{name}.json"
    lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in data.items()]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"{path.name}: deviance {res.deviance:.10g}, params {res.params}, score {worst:.2g}")


def dobson():
    counts = np.array([18, 17, 15, 20, 10, 20, 25, 13, 12], dtype=float)
    outcome = np.tile([1, 2, 3], 3)  # gl(3, 1, 9)
    treatment = np.repeat([1, 2, 3], 3)  # gl(3, 3)
    x = np.column_stack([
        np.ones(9),
        (outcome == 2).astype(float),
        (outcome == 3).astype(float),
        (treatment == 2).astype(float),
        (treatment == 3).astype(float),
    ])
    columns = ["(Intercept)", "outcome2", "outcome3", "treatment2", "treatment3"]
    fit_and_write(
        "dobson", "Dobson (1990) p. 93, R ?glm: counts ~ outcome + treatment", x, columns,
        counts, None)


def offset_risk():
    rng = np.random.default_rng(20240613)
    nodes, domains = 50, 6
    members = rng.integers(3, 400, size=nodes).astype(float)
    alpha = np.array([-3.0, -2.2, -1.6, -4.1, -2.7, -1.1])
    beta = 0.8
    node = np.repeat(np.arange(nodes), domains)
    domain = np.tile(np.arange(domains), nodes)
    risk = rng.gamma(2.0, 0.5, size=nodes * domains)
    mu = members[node] * np.exp(alpha[domain] + beta * risk)
    y = rng.poisson(mu).astype(float)
    x = np.zeros((nodes * domains, domains + 1))
    x[np.arange(nodes * domains), domain] = 1.0
    x[:, domains] = risk
    columns = [f"domain{d + 1}" for d in range(domains)] + ["risk"]
    fit_and_write(
        "offset",
        "METHODS.md section 3 shape: 50 nodes x 6 domains, log mu = ln(members) + alpha_d"
        " + beta risk, no intercept, seed 20240613, true alpha -3 -2.2 -1.6 -4.1 -2.7 -1.1,"
        " beta 0.8",
        x, columns, y, np.log(members[node]))


def halving():
    y = np.array([1, 0, 1, 0, 0, 911, 0], dtype=float)
    t = np.array([
        -1.6680963725358149, 3.3656358412864975, -2.2152961620754907, -2.643343203553892,
        -2.76157093600297, -2.0329005404308322, -1.5868946147332965])
    d = np.array([1, 0, 0, 1, 1, 0, 1], dtype=float)
    x = np.column_stack([np.ones(7), t, d])
    fit_and_write(
        "halving", "a dominant count: the second IRLS step overshoots (y ~ 1 + t + d)", x,
        ["(Intercept)", "t", "d"], y, None)


if __name__ == "__main__":
    dobson()
    offset_risk()
    halving()
