#!/usr/bin/env python3
"""Writes Tests/ChuandaoTests/Fixtures/analyses/imbalance_dropped_domain.json: a level of
five branches, three domains, risk varying within domains, and one domain
(engineering) without any supervision. METHODS.md section 3 leaves that domain out of
the Poisson GLM (expected 0, coefficient null); the other rows are fitted as
statsmodels' GLM(y, X, family=Poisson(), offset=log(members)) with one dummy per kept
domain (no intercept) and the risk column. The fixture holds the dataset as CSV text,
the coefficients, the expected count per node (sum over its domains) and per node and
domain, and the deviance.

Run from the repository root:
    python3 Tests/Fixtures-scripts/analyses/imbalance_dropped_domain.py
Needs numpy (2.4.6 used) and statsmodels (0.15.0 used).
"""

import json
import pathlib

import numpy as np
import statsmodels
import statsmodels.api as sm

OUT = (pathlib.Path(__file__).resolve().parents[2] / "ChuandaoTests" / "Fixtures" / "analyses"
       / "imbalance_dropped_domain.json")
DOMAINS = ["finance", "assets", "engineering"]
KEPT = ["finance", "assets"]
BRANCHES = ["Z1", "Z2", "Z3", "Z4", "Z5"]
MEMBERS = {"Z1": 10, "Z2": 20, "Z3": 30, "Z4": 15, "Z5": 25}
# Counts per branch and domain (engineering: none anywhere).
COUNTS = {
    "Z1": {"finance": 4, "assets": 1},
    "Z2": {"finance": 3, "assets": 6},
    "Z3": {"finance": 12, "assets": 5},
    "Z4": {"finance": 2, "assets": 0},
    "Z5": {"finance": 9, "assets": 7},
}
# Risk per branch and domain (a missing row would be 1; all given here).
RISK = {
    "Z1": {"finance": 1.5, "assets": 0.8, "engineering": 2.0},
    "Z2": {"finance": 1.0, "assets": 1.6, "engineering": 1.0},
    "Z3": {"finance": 2.2, "assets": 1.1, "engineering": 0.5},
    "Z4": {"finance": 0.7, "assets": 0.6, "engineering": 1.2},
    "Z5": {"finance": 1.8, "assets": 1.4, "engineering": 0.9},
}

rows_y, rows_x, rows_off, rows_id = [], [], [], []
for z in BRANCHES:
    for j, dom in enumerate(KEPT):
        x = [0.0] * len(KEPT) + [RISK[z][dom]]
        x[j] = 1.0
        rows_x.append(x)
        rows_y.append(COUNTS[z].get(dom, 0))
        rows_off.append(np.log(MEMBERS[z]))
        rows_id.append((z, dom))
X = np.array(rows_x)
y = np.array(rows_y, dtype=float)
model = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.array(rows_off))
fit = model.fit(tol=1e-14, maxiter=200)
mu = fit.mu
expected_by_domain = {z: {d: 0.0 for d in DOMAINS} for z in BRANCHES}
for (z, dom), m in zip(rows_id, mu):
    expected_by_domain[z][dom] = float(m)

supervision_csv = "period,node,kind,domain,count\n" + "".join(
    f"2025,{z},inspection,{d},{c}\n" for z in BRANCHES for d, c in COUNTS[z].items() if c > 0)
risks_csv = "period,node,domain,risk\n" + "".join(
    f"2025,{z},{d},{r}\n" for z in BRANCHES for d, r in RISK[z].items())
org_csv = "id,parent,level,name,members\nB1,,bureau,局,10\nU1,B1,unit,单位,10\n" + "".join(
    f"{z},U1,branch,{z},{MEMBERS[z]}\n" for z in BRANCHES)

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "source": "Tests/Fixtures-scripts/analyses/imbalance_dropped_domain.py (statsmodels "
              + statsmodels.__version__ + ", numpy " + np.__version__ + ")",
    "dataset_yaml": 'periods: ["2025"]\ndomains: [finance, assets, engineering]\n',
    "org_csv": org_csv,
    "supervision_csv": supervision_csv,
    "risks_csv": risks_csv,
    "domains": DOMAINS,
    "branches": BRANCHES,
    "coefficients": {"finance": float(fit.params[0]), "assets": float(fit.params[1]),
                     "engineering": None, "risk": float(fit.params[2])},
    "expected": [sum(expected_by_domain[z].values()) for z in BRANCHES],
    "expected_by_domain": [[expected_by_domain[z][d] for d in DOMAINS] for z in BRANCHES],
    "deviance": float(fit.deviance),
}, indent=1, ensure_ascii=False) + "\n")
print(fit.params, fit.deviance)
print("wrote", OUT)
