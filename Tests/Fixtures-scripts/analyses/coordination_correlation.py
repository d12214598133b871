#!/usr/bin/env python3
"""Writes Tests/ChuandaoTests/Fixtures/analyses/coordination_correlation.json: a small
dataset (org.csv and scores.csv as text) and, per level, the pairwise-complete Pearson
correlation matrix of the four subjects across the level's nodes (METHODS.md section 4),
computed independently of chuandao with numpy (np.corrcoef on each pair's complete
nodes) and cross-checked against pandas' DataFrame.corr (pairwise complete by default).
A pair is null when it has fewer than 2 complete nodes or either subject has no
variance over them.

Run from the repository root:
    python3 Tests/Fixtures-scripts/analyses/coordination_correlation.py
Needs numpy (2.4.6 used) and pandas (3.1.1 used).
"""

import json
import math
import pathlib

import numpy as np
import pandas as pd

OUT = (pathlib.Path(__file__).resolve().parents[2] / "ChuandaoTests" / "Fixtures" / "analyses"
       / "coordination_correlation.json")
SUBJECTS = ["committee", "secretary", "commission", "members"]
LEVELS = ["bureau", "unit", "branch"]

# id, parent, level
ORG = [
    ("B1", "", "bureau"), ("B2", "", "bureau"),
    ("U1", "B1", "unit"), ("U2", "B1", "unit"), ("U3", "B2", "unit"),
    ("Z1", "U1", "branch"), ("Z2", "U1", "branch"), ("Z3", "U2", "branch"),
    ("Z4", "U2", "branch"), ("Z5", "U3", "branch"), ("Z6", "U3", "branch"),
]
N = None
# Scores per node in SUBJECTS order; None = no row.
SCORES = {
    # Bureaus: committee has no variance (90, 90): every pair with it is null.
    "B1": [90, 80, 70, 85],
    "B2": [90, 85, 60, 95],
    # Units: committee-secretary over U1, U2; committee-commission over U1, U3 (two
    # nodes each: r = +1 and -1); every other pair has fewer than 2 nodes; members has 1 node.
    "U1": [88, 80, 70, N],
    "U2": [70, 75, N, 90],
    "U3": [60, N, 75, N],
    # Branches: six nodes, with gaps, so that each pair has its own set of nodes.
    "Z1": [80, 90, 70, 60],
    "Z2": [70, 72, 80, 65],
    "Z3": [90, 85, N, 75],
    "Z4": [60, 66, 71, N],
    "Z5": [85, 80, 88, 90],
    "Z6": [75, N, N, N],
}


def numpy_matrix(nodes):
    m = [[None] * 4 for _ in range(4)]
    for a in range(4):
        for b in range(4):
            pairs = [(SCORES[n][a], SCORES[n][b]) for n in nodes
                     if SCORES[n][a] is not None and SCORES[n][b] is not None]
            if len(pairs) < 2:
                continue
            x = np.array([p[0] for p in pairs], dtype=float)
            y = np.array([p[1] for p in pairs], dtype=float)
            if np.var(x) == 0 or np.var(y) == 0:
                continue
            m[a][b] = float(np.corrcoef(x, y)[0, 1])
    return m


def pandas_matrix(nodes):
    df = pd.DataFrame([[np.nan if v is None else v for v in SCORES[n]] for n in nodes],
                      columns=SUBJECTS, dtype=float)
    c = df.corr(method="pearson", min_periods=2)
    return [[None if math.isnan(c.iloc[a, b]) else float(c.iloc[a, b]) for b in range(4)]
            for a in range(4)]


levels = []
for level in LEVELS:
    nodes = [i for (i, _, lv) in ORG if lv == level]
    m = numpy_matrix(nodes)
    p = pandas_matrix(nodes)
    for a in range(4):
        for b in range(4):
            if (m[a][b] is None) != (p[a][b] is None):
                raise SystemExit(f"{level} {a} {b}: numpy {m[a][b]} pandas {p[a][b]}")
            if m[a][b] is not None and abs(m[a][b] - p[a][b]) > 1e-13:
                raise SystemExit(f"{level} {a} {b}: numpy {m[a][b]} pandas {p[a][b]}")
    levels.append({"level": level, "nodes": nodes, "correlation": m})

org_csv = "id,parent,level,name,members\n" + "".join(
    f"{i},{p},{lv},{i},10\n" for (i, p, lv) in ORG)
scores_csv = "period,node,subject,score\n" + "".join(
    f"2025,{n},{SUBJECTS[s]},{v}\n" for (n, _, _) in ORG for s, v in enumerate(SCORES[n])
    if v is not None)

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "source": "Tests/Fixtures-scripts/analyses/coordination_correlation.py (numpy "
              + np.__version__ + ", checked against pandas " + pd.__version__ + ")",
    "subjects": SUBJECTS,
    "dataset_yaml": 'periods: ["2025"]\n',
    "org_csv": org_csv,
    "scores_csv": scores_csv,
    "levels": levels,
}, indent=1, ensure_ascii=False) + "\n")
print("wrote", OUT)
