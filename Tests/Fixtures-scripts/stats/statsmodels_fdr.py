#!/usr/bin/env python3
"""Writes Tests/ChuandaoStatsTests/Fixtures/statsmodels_fdr.json: Benjamini-Hochberg
adjusted p-values (q-values) from statsmodels' multipletests(method="fdr_bh"), for
ChuandaoStats' benjaminiHochberg.

Cases: uniform p-values (a null), a mixture with small p-values (signals), ties (equal
p-values), ones and zeros, a single p-value. Run from the repository root:
    python3 Tests/Fixtures-scripts/stats/statsmodels_fdr.py
Needs numpy (2.4.6 used) and statsmodels (0.15.0 used).
"""

import json
import pathlib

import numpy as np
import statsmodels
from statsmodels.stats.multitest import multipletests

OUT = pathlib.Path(__file__).resolve().parents[2] / "ChuandaoStatsTests" / "Fixtures"
rng = np.random.default_rng(20261207)
cases = {
    "uniform null, 200": rng.uniform(size=200),
    "signals and noise, 150": np.concatenate([rng.uniform(0, 0.002, 20), rng.uniform(size=130)]),
    "ties": np.array([0.01, 0.01, 0.02, 0.02, 0.02, 0.5, 0.5, 1.0, 0.0, 0.03]),
    "one": np.array([0.04]),
    "unsorted with ones": np.array([1.0, 0.3, 0.001, 1.0, 0.049, 0.2, 0.0001]),
}
document = {
    "generator": "Tests/Fixtures-scripts/stats/statsmodels_fdr.py",
    "versions": {"numpy": np.__version__, "statsmodels": statsmodels.__version__},
    "cases": [
        {"name": name, "p": [float(v) for v in p],
         "q": [float(v) for v in multipletests(p, method="fdr_bh")[1]]}
        for name, p in cases.items()
    ],
}
OUT.mkdir(parents=True, exist_ok=True)
(OUT / "statsmodels_fdr.json").write_text(json.dumps(document, indent=1) + "\n")
print("wrote", OUT / "statsmodels_fdr.json")
