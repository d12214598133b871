#!/usr/bin/env python3
"""Writes the member-step fixtures (issue 17 part 3, docs/methods/member-reach.md):

- Tests/ChuandaoCLITests/Fixtures/reach/: a small dataset (2 bureaus, 4 units, 12
  branches, 2 periods) with member_reach.csv, for the golden files and the CLI tests;
- Tests/ChuandaoTests/Fixtures/analyses/member_reach.json: the dataset's files as text
  and, for each period, the member step recomputed here from the CSV text alone.

The dataset holds the edge cases: a branch with only two measures (Z3), a branch that
reached nobody (Z5, finite through the +1/2), a branch whose rows all have eligible 0
(Z9: no ratio, `excluded`), a branch with no rows (Z12: `missing`), a branch with
eligible above its members (Z11: a warning), and fewer rows in 2024.

Independent of the Swift code: the csv module reads the text, and every number follows
docs/methods/member-reach.md and METHODS.md section 2:
  v_b = 100 (R_b + 1/2) / (E_b + 1/2), g_b = ln(v_b / score_b), tau = exp(mean g),
  95% interval exp(mean g +- t(0.975, B - 1) sd / sqrt(B)) (scipy.stats.t), the expected
  rate pi = min(exp(mean g) score / 100, 1 - 1/(2E + 1)), tau2 = max(0, sample variance
  of (R + 1/2)/(E + 1/2)/pi - 1 minus the mean of (1 - pi) / (E pi)), z = d / sqrt(pi (1 - pi) / E + pi^2 tau2)
  with d = R/E - pi brought 1/(2E) nearer to 0 (Yates's continuity correction),
  the flags at |z| >= 2, p = 2 Phi(-|z|) (scipy.stats.norm), Benjamini-Hochberg q (by hand,
  checked against the definition), per-bureau tau, per-measure rates; and the level
  steps' end retention (parent-level means of child log-ratios), times tau.

Run from anywhere (rewrites both):
    python3 Tests/Fixtures-scripts/analyses/member_reach.py
Needs numpy and scipy (the versions used are written into the fixture).
"""

import csv
import io
import json
import math
import pathlib

import numpy as np
import scipy
from scipy import stats

ROOT = pathlib.Path(__file__).resolve().parents[3]
FOLDER = ROOT / "Tests" / "ChuandaoCLITests" / "Fixtures" / "reach"
OUT = ROOT / "Tests" / "ChuandaoTests" / "Fixtures" / "analyses" / "member_reach.json"

DATASET_YAML = """name: member reach fixture
levels: [bureau, unit, branch]
periods: ["2024", "2025"]
period_end: {"2024": 2024-12-31, "2025": 2025-12-31}
"""

ORG = [  # id, parent, level, name, members
    ("B1", "", "bureau", "市水务局", 30),
    ("B2", "", "bureau", "市交通委", 28),
    ("U1", "B1", "unit", "水文总站", 20),
    ("U2", "B1", "unit", "堤防处", 18),
    ("U3", "B2", "unit", "路政支队", 22),
    ("U4", "B2", "unit", "港航事务中心", 19),
    ("Z1", "U1", "branch", "水文第一支部", 31),
    ("Z2", "U1", "branch", "水文第二支部", 26),
    ("Z3", "U1", "branch", "水文第三支部", 18),
    ("Z4", "U2", "branch", "堤防第一支部", 40),
    ("Z5", "U2", "branch", "堤防第二支部", 22),
    ("Z6", "U2", "branch", "堤防第三支部", 35),
    ("Z7", "U3", "branch", "路政第一支部", 27),
    ("Z8", "U3", "branch", "路政第二支部", 33),
    ("Z9", "U3", "branch", "路政离退休支部", 12),
    ("Z10", "U4", "branch", "港航第一支部", 24),
    ("Z11", "U4", "branch", "港航第二支部", 20),
    ("Z12", "U4", "branch", "港航第三支部", 29),
]
# Two subjects per node and period: (committee, commission).
SCORES = {
    "2024": {"B1": (91, 89), "B2": (88, 90), "U1": (86, 84), "U2": (85, 88), "U3": (87, 83),
             "U4": (84, 86), "Z1": (82, 80), "Z2": (79, 83), "Z3": (84, 81), "Z4": (80, 78),
             "Z5": (77, 81), "Z6": (83, 85), "Z7": (81, 79), "Z8": (78, 80), "Z9": (80, 82),
             "Z10": (79, 77), "Z11": (82, 84), "Z12": (76, 80)},
    "2025": {"B1": (92, 90), "B2": (89, 91), "U1": (87, 85.5), "U2": (86, 88), "U3": (88, 84),
             "U4": (85, 87), "Z1": (83, 81), "Z2": (80, 84.5), "Z3": (85, 82), "Z4": (81, 79),
             "Z5": (78, 82), "Z6": (84, 86), "Z7": (82, 80), "Z8": (79, 81), "Z9": (81, 83),
             "Z10": (80, 78), "Z11": (83, 85), "Z12": (77, 81)},
}
SUBJECTS = ["committee", "commission"]
# period, node, measure, reached, eligible
REACH = [
    ("2025", "Z1", "commitment", 27, 31), ("2025", "Z1", "talk", 22, 31), ("2025", "Z1", "education", 25, 30),
    ("2025", "Z2", "commitment", 20, 26), ("2025", "Z2", "talk", 15, 26), ("2025", "Z2", "education", 19, 25),
    ("2025", "Z3", "commitment", 16, 18), ("2025", "Z3", "talk", 13, 18),
    ("2025", "Z4", "commitment", 30, 40), ("2025", "Z4", "talk", 26, 40), ("2025", "Z4", "education", 31, 39),
    ("2025", "Z5", "commitment", 0, 22), ("2025", "Z5", "talk", 0, 22), ("2025", "Z5", "education", 0, 21),
    ("2025", "Z6", "commitment", 31, 35), ("2025", "Z6", "talk", 27, 35), ("2025", "Z6", "education", 30, 34),
    ("2025", "Z7", "commitment", 21, 27), ("2025", "Z7", "talk", 18, 27), ("2025", "Z7", "education", 22, 27),
    ("2025", "Z8", "commitment", 24, 33), ("2025", "Z8", "talk", 19, 33), ("2025", "Z8", "education", 25, 32),
    ("2025", "Z9", "commitment", 0, 0), ("2025", "Z9", "talk", 0, 0),
    ("2025", "Z10", "commitment", 17, 24), ("2025", "Z10", "talk", 16, 24), ("2025", "Z10", "education", 18, 24),
    ("2025", "Z11", "commitment", 19, 23), ("2025", "Z11", "talk", 17, 23), ("2025", "Z11", "education", 18, 22),
    ("2024", "Z1", "commitment", 25, 30), ("2024", "Z1", "talk", 20, 30),
    ("2024", "Z2", "commitment", 19, 26), ("2024", "Z2", "talk", 16, 26),
    ("2024", "Z4", "commitment", 29, 40), ("2024", "Z4", "talk", 24, 40),
    ("2024", "Z6", "commitment", 30, 35), ("2024", "Z6", "talk", 25, 35),
    ("2024", "Z7", "commitment", 20, 27), ("2024", "Z7", "talk", 18, 27),
    ("2024", "Z10", "commitment", 18, 24), ("2024", "Z10", "talk", 15, 24),
]
FLAG_Z = 2.0


def csv_text(header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def number(x):
    return str(int(x)) if float(x) == int(x) else str(x)


ORG_CSV = csv_text(["id", "parent", "level", "name", "members"], ORG)
SCORES_CSV = csv_text(
    ["period", "node", "subject", "score"],
    [(t, node, SUBJECTS[j], number(v[j])) for t in ["2024", "2025"] for node, v in SCORES[t].items() for j in range(2)])
REACH_CSV = csv_text(["period", "node", "measure", "reached", "eligible"], REACH)


def parse(text):
    return list(csv.DictReader(io.StringIO(text)))


def bh(p):
    """Benjamini-Hochberg q-values: q_(i) = min over j >= i of p_(j) m / j."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = running
    return q


def member_step(period):
    org = parse(ORG_CSV)
    parent = {r["id"]: r["parent"] for r in org}
    level = {r["id"]: r["level"] for r in org}
    members = {r["id"]: int(r["members"]) for r in org}
    sums = {}
    for r in parse(SCORES_CSV):
        if r["period"] == period:
            sums.setdefault(r["node"], []).append(float(r["score"]))
    score = {k: sum(v) / len(v) for k, v in sums.items()}  # both subjects weight 1

    # Level steps (METHODS.md section 2) for the end retention.
    levels = ["bureau", "unit", "branch"]
    taus = []
    for k in (1, 2):
        per_parent = {}
        for r in org:
            if r["level"] != levels[k]:
                continue
            x, y = score[r["id"]], score[r["parent"]]
            per_parent.setdefault(r["parent"], []).append(math.log(x / y))
        h = [float(np.mean(v)) for v in per_parent.values()]
        taus.append(math.exp(float(np.mean(h))))
    end_retention = taus[0] * taus[1]

    R, E, has = {}, {}, set()
    measures = {}
    order = []
    for r in parse(REACH_CSV):
        if r["period"] != period:
            continue
        n = r["node"]
        has.add(n)
        R[n] = R.get(n, 0) + int(r["reached"])
        E[n] = E.get(n, 0) + int(r["eligible"])
        if r["measure"] not in measures:
            measures[r["measure"]] = [0, 0]
            order.append(r["measure"])
        measures[r["measure"]][0] += int(r["reached"])
        measures[r["measure"]][1] += int(r["eligible"])
    branches = [r["id"] for r in org if r["level"] == "branch"]
    nodes, g, excluded, missing = [], [], [], 0
    for b in branches:
        if b not in has:
            missing += 1
            continue
        row = {"id": b, "reached": R[b], "eligible": E[b],
               "rate": R[b] / E[b] if E[b] > 0 else None, "ratio": None, "expected_rate": None, "z": None, "flag": None,
               "p": None, "q": None}
        if E[b] > 0 and score[b] > 0:
            v = 100 * (R[b] + 0.5) / (E[b] + 0.5)
            gb = math.log(v / score[b])
            row["ratio"] = math.exp(gb)
            row["_g"] = gb
            g.append(gb)
        else:
            excluded.append(b)
        nodes.append(row)
    B = len(g)
    gbar = float(np.mean(g))
    sd = float(np.std(g, ddof=1))
    half = stats.t.ppf(0.975, B - 1) * sd / math.sqrt(B)
    tested = [r for r in nodes if r["ratio"] is not None]
    v = []
    for r in tested:
        pi = min(1 - 0.5 / (r["eligible"] + 0.5), math.exp(gbar) * score[r["id"]] / 100)
        r["expected_rate"] = pi
        v.append((1 - pi) / (r["eligible"] * pi))
    rel = [(r["reached"] + 0.5) / (r["eligible"] + 0.5) / r["expected_rate"] - 1 for r in tested]
    tau2 = max(0.0, float(np.var(rel, ddof=1)) - float(np.mean(v)))
    for r in tested:
        pi = r["expected_rate"]
        e = r["eligible"]
        # Yates: the deviation of R/E from pi, half a member nearer to 0 (never past it).
        d = r["reached"] / e - pi
        d = min(0.0, d + 0.5 / e) if d < 0 else max(0.0, d - 0.5 / e)
        r["z"] = d / math.sqrt(pi * (1 - pi) / e + pi * pi * tau2)
        r["flag"] = "attenuated" if r["z"] <= -FLAG_Z else ("amplified" if r["z"] >= FLAG_Z else None)
        r["p"] = float(2 * stats.norm.cdf(-abs(r["z"])))
    for r, q in zip(tested, bh([r["p"] for r in tested])):
        r["q"] = q
    for r in nodes:
        r.pop("_g", None)

    def top(n):
        while parent[n]:
            n = parent[n]
        return n

    groups = []
    for bureau in [r["id"] for r in org if r["level"] == "bureau"]:
        gs = [r for r in tested if top(r["id"]) == bureau]
        lg = [math.log(r["ratio"]) for r in gs]
        groups.append({"id": bureau, "n": len(gs), "tau": math.exp(float(np.mean(lg))) if lg else None})
    tau = math.exp(gbar)
    return {
        "period": period, "from": "branch", "to": "member", "n": B, "parents": B, "tau": tau,
        "ci_low": math.exp(gbar - half), "ci_high": math.exp(gbar + half), "attenuation": 1 - tau,
        "end_retention": end_retention * tau, "level_end_retention": end_retention, "tau2": tau2,
        "measures": [{"measure": m, "reached": measures[m][0], "eligible": measures[m][1],
                      "rate": measures[m][0] / measures[m][1] if measures[m][1] else None} for m in order],
        "groups": groups, "nodes": nodes, "excluded": excluded, "missing": missing,
        "members": {r["id"]: members[r["id"]] for r in nodes},
    }


def main():
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / "dataset.yaml").write_text(DATASET_YAML, encoding="utf-8")
    (FOLDER / "org.csv").write_text(ORG_CSV, encoding="utf-8")
    (FOLDER / "scores.csv").write_text(SCORES_CSV, encoding="utf-8")
    (FOLDER / "member_reach.csv").write_text(REACH_CSV, encoding="utf-8")
    fixture = {
        "script": "Tests/Fixtures-scripts/analyses/member_reach.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
        "dataset_yaml": DATASET_YAML, "org_csv": ORG_CSV, "scores_csv": SCORES_CSV,
        "member_reach_csv": REACH_CSV,
        "periods": {p: member_step(p) for p in ["2024", "2025"]},
    }
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
