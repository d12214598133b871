#!/usr/bin/env python3
"""Writes Tests/ChuandaoStatsTests/Fixtures/statsmodels_cluster_*.json: Poisson GLMs with
cluster-robust covariances from statsmodels, the reference for ChuandaoStats.ClusterRobust
(and, through the same designs, for `chuandao capacity` and `chuandao remit`).

- statsmodels_cluster_nodes.json: one row per node, the shape of `capacity` without
  risks: intercept, log2(staff per member) centred over staffed nodes (0 for zero
  staff), a zero-staff indicator and joint_office; offset ln(members); 40 parents of
  3-9 nodes each, a shared parent effect (so that clustering matters).
  Also written to Tests/ChuandaoTests/Fixtures with the raw members, staff and joint
  office of each node, for `CapacityAnalysis` on a dataset made of it.
- statsmodels_cluster_domains.json: one row per (node, domain), the shape of `capacity`
  and `remit` with risks: one dummy per domain (no intercept), risk, and one node-level
  covariate; offset ln(members); 25 clusters.

Each file holds the design (x as rows, with column names), y, the offset, each row's
cluster, and statsmodels' results of
`GLM(y, X, family=Poisson(), offset=...).fit(tol=1e-12, cov_type='cluster',
cov_kwds={'groups': cluster})`: params and the covariance `cov` (statsmodels' default
`use_correction=True`: the factor G/(G-1) (N-1)/(N-p)), `bse`, and the 95% intervals
`conf_int` (normal quantiles, statsmodels' GLM default). The script recomputes the
sandwich by hand (numpy) and asserts agreement to 1e-10, so that the factor is known.

Run from the repository root:
    python3 Tests/Fixtures-scripts/stats/statsmodels_cluster.py
Needs statsmodels (0.15.0 used) and numpy.
"""

import json
import pathlib

import numpy as np
import statsmodels
import statsmodels.api as sm

OUT = pathlib.Path(__file__).resolve().parents[2] / "ChuandaoStatsTests" / "Fixtures"


def write(name, description, x, columns, y, offset, groups, raw=None, copy_to=None):
    model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
    res = model.fit(tol=1e-12, cov_type="cluster", cov_kwds={"groups": groups})
    mu = res.mu
    bread = np.linalg.inv(x.T @ (mu[:, None] * x))
    scores = x * (y - mu)[:, None]
    G = len(np.unique(groups))
    u = np.zeros((G, x.shape[1]))
    for g_index, g in enumerate(np.unique(groups)):
        u[g_index] = scores[groups == g].sum(axis=0)
    n, p = x.shape
    c = G / (G - 1) * (n - 1) / (n - p)
    by_hand = c * bread @ (u.T @ u) @ bread
    cov = np.asarray(res.cov_params())
    assert np.max(np.abs(by_hand - cov) / np.abs(cov).max()) < 1e-10, name
    data = {
        "name": name,
        "description": description,
        "statsmodelsVersion": statsmodels.__version__,
        "columns": columns,
        "x": x.tolist(),
        "y": y.tolist(),
        "offset": offset.tolist(),
        "cluster": [int(g) for g in groups],
        "params": np.asarray(res.params).tolist(),
        "cov": cov.tolist(),
        "bse": np.asarray(res.bse).tolist(),
        "conf_int": np.asarray(res.conf_int(alpha=0.05)).tolist(),
        "correction": c,
    }
    if raw:
        data.update(raw)
    for folder in [OUT] + ([copy_to] if copy_to else []):
        with open(folder / f"statsmodels_cluster_{name}.json", "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")


rng = np.random.default_rng(20261208)

# Nodes under 40 parents.
rows = []
for parent in range(40):
    effect = rng.normal(0, 0.3)
    for _ in range(rng.integers(3, 10)):
        members = int(rng.integers(10, 60))
        staff = int(rng.choice([0, 0, 1, 1, 2, 3, 4]))
        joint = int(rng.random() < 0.4)
        rows.append((parent, members, staff, joint, effect))
members = np.array([r[1] for r in rows], float)
staff = np.array([r[2] for r in rows], float)
joint = np.array([r[3] for r in rows], float)
effect = np.array([r[4] for r in rows])
groups = np.array([r[0] for r in rows])
staffed = staff > 0
log2 = np.zeros(len(rows))
log2[staffed] = np.log2(staff[staffed] / members[staffed])
log2[staffed] -= log2[staffed].mean()
none = (~staffed).astype(float)
mu = members * 0.5 * np.exp(0.15 * log2 - 0.3 * joint - 0.2 * none + effect)
y = rng.poisson(mu).astype(float)
x = np.column_stack([np.ones(len(rows)), log2, none, joint])
write("nodes", "capacity without risks: intercept, centred log2 staff per member, no-staff indicator, joint office",
      x, ["intercept", "log2_staff", "no_staff", "joint_office"], y, np.log(members), groups,
      raw={"members": [int(v) for v in members], "staff": [int(v) for v in staff], "joint": [int(v) for v in joint]},
      copy_to=OUT.parent.parent / "ChuandaoTests" / "Fixtures")

# (node, domain) rows under 25 clusters.
D = 4
xs, ys, offs, gs = [], [], [], []
for cluster in range(25):
    effect = rng.normal(0, 0.25)
    for _ in range(rng.integers(2, 7)):
        m = int(rng.integers(10, 50))
        z = float(rng.random() < 0.5)
        for d in range(D):
            risk = 0.5 + 1.5 * rng.random()
            dummies = [1.0 if k == d else 0.0 for k in range(D)]
            mean = m * np.exp([-1.0, -1.5, -0.8, -2.0][d] + 0.2 * risk - 0.4 * z + effect)
            xs.append(dummies + [risk, z])
            ys.append(float(rng.poisson(mean)))
            offs.append(np.log(m))
            gs.append(cluster)
write("domains", "one row per (node, domain): domain dummies, risk and a node-level indicator",
      np.array(xs), ["d0", "d1", "d2", "d3", "risk", "outside"], np.array(ys), np.array(offs), np.array(gs))
