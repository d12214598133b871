#!/usr/bin/env python3
"""Writes the fixture of the end-to-end reference test of every analysis (issue 19,
Tests/ChuandaoCLITests/AnalysesReferenceTests.swift): `chuandao attenuation`,
`coordination`, `closure`, `trend` and `assess` (with `assess.uncertainty.draws: 0`) on
the small generated dataset Tests/ChuandaoCLITests/Fixtures/small must give these
numbers to 1e-6 relative, and these flags, subjects, grades, ranks and reasons exactly.

Independent of the Swift code: pandas reads the CSV files as docs/data.md defines
them, and every number follows docs/methods.md (and the decision notes it links):
- attenuation (metric score, the last period and 2023): tau, its t interval (scipy),
  end retention, per-step attenuation, per bureau tau, each node's ratio, z and flag;
- coordination (last period): mean, population sd, index, weakest subject, gap, silo; per
  level the mean index and the pairwise-complete Pearson matrix (pandas); dual core;
- closure (last period, as of its period_end): counts with subtree roll-up, closure
  index, the break lists;
- trend (score): the series through successor links, delta, Theil-Sen slope
  (scipy.stats.theilslopes), Mann-Kendall S and p (exact null distribution by enumerating
  permutations, checked against scipy.stats.kendalltau(method="exact"); normal
  approximation with tie-corrected variance and continuity correction otherwise),
  direction, cold and hot periods, persistence; tau and interval per period;
- assess: the five raw indicators in every period (balance from section 3's flags, each
  level and period run as Tests/Fixtures-scripts/cli/imbalance_limits.py does: statsmodels'
  Poisson GLM with risk, consistent phi, exact Poisson or negative-binomial limits; its
  functions are copied here because that script rewrites its own fixtures when imported),
  goalposts over all periods, normalised values, composite, rank, Hazen grade, reasons;
  the leaders' composites, ranks and grades.

Discrete decisions use methods.md's tie rule (1e-9, relative to the larger magnitude or
absolute below 1).

Run from anywhere (reads the dataset, rewrites the fixture):
    python3 Tests/Fixtures-scripts/cli/analyses_reference.py
Needs numpy, pandas, scipy, statsmodels, PyYAML (the versions used are written into the
fixture).
"""

import hashlib
import itertools
import json
import math
import pathlib

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
import yaml
from scipy import stats

import sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from imbalance_limits import expected_counts, limit  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "Tests" / "ChuandaoCLITests" / "Fixtures"
DATASET = FIXTURES / "small"

SUBJECTS = ["committee", "secretary", "commission", "members"]
DOMAINS = ["finance", "engineering", "personnel", "assets", "procurement", "other"]
KINDS = ["reminder", "interview", "inspection", "petition", "case"]
INDICATORS = ["score", "transmission", "balance", "closure", "coordination"]
WEIGHTS = {"score": 0.4, "transmission": 0.2, "balance": 0.15, "closure": 0.15, "coordination": 0.1}
GRADES = [("excellent", 0.15), ("good", 0.85), ("fair", 0.95)]
C = 0.8 - 2 * stats.norm.ppf(0.9) * stats.norm.pdf(stats.norm.ppf(0.9)) + 0.2 * stats.norm.ppf(0.9) ** 2
PROBS = [0.001, 0.025, 0.975, 0.999]


# ---------------------------------------------------------------- the tie rule (methods.md)

def equal(a, b):
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def sign(a, b):
    return 0 if equal(a, b) else (-1 if a < b else 1)


def le(a, b):
    return a <= b or equal(a, b)


def ge(a, b):
    return a >= b or equal(a, b)


def defined(x):
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def num(x):
    """A JSON number or null."""
    return float(x) if defined(x) else None


# ---------------------------------------------------------------- the dataset (data.md)

def read(name):
    path = DATASET / name
    if not path.exists():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame.apply(lambda c: c.str.strip())


manifest = yaml.safe_load((DATASET / "dataset.yaml").read_text(encoding="utf-8"))
LEVELS = manifest.get("levels", ["bureau", "unit", "branch"])
PERIODS = [str(p) for p in manifest["periods"]]
T = len(PERIODS)
PERIOD_END = {str(k): str(v) for k, v in (manifest.get("period_end") or {}).items()}
SUBJECTS = manifest.get("subjects", SUBJECTS)
DOMAINS = manifest.get("domains", DOMAINS)
KINDS = manifest.get("kinds", KINDS)
SUBJECT_WEIGHTS = {s: float((manifest.get("subject_weights") or {}).get(s, 1)) for s in SUBJECTS}

org = read("org.csv")
for column in ["valid_from", "valid_to", "successor", "party_admin_split"]:
    if column not in org.columns:
        org[column] = ""
IDS = list(org["id"])
PARENT = {i: (p or None) for i, p in zip(org["id"], org["parent"])}
LEVEL = {i: LEVELS.index(l) for i, l in zip(org["id"], org["level"])}
SUCCESSOR = {i: (s or None) for i, s in zip(org["id"], org["successor"])}
FROM = {i: (PERIODS.index(v) if v else 0) for i, v in zip(org["id"], org["valid_from"])}
TO = {i: (PERIODS.index(v) if v else T - 1) for i, v in zip(org["id"], org["valid_to"])}
CHILDREN = {i: [j for j in IDS if PARENT[j] == i] for i in IDS}

# Breadth-first order: top-level nodes in file order, then each node's children in file
# order (output.md: node arrays are in the forest's breadth-first order).
ORDER = [i for i in IDS if PARENT[i] is None]
for i in ORDER:
    ORDER.extend(CHILDREN[i])
assert len(ORDER) == len(IDS)


def exists(i, t):
    return FROM[i] <= t <= TO[i]


def descendants(i):
    out = []
    stack = list(CHILDREN[i])
    while stack:
        j = stack.pop()
        out.append(j)
        stack.extend(CHILDREN[j])
    return out


def at_level(k, t):
    return [i for i in ORDER if LEVEL[i] == k and exists(i, t)]


# Members per period: org.csv, overridden by members.csv.
MEMBERS = [{i: int(m) for i, m in zip(org["id"], org["members"])} for _ in range(T)]
members_csv = read("members.csv")
if members_csv is not None:
    for p, i, m in zip(members_csv["period"], members_csv["node"], members_csv["members"]):
        MEMBERS[PERIODS.index(p)][i] = int(m)

# Subject scores: the plain mean of a subject's rows in the period; the composite score is
# the subject_weights-weighted mean of the subjects the node has.
scores_csv = read("scores.csv")
scores_csv["score"] = scores_csv["score"].astype(float)
subject_mean = scores_csv.groupby(["period", "node", "subject"])["score"].mean()
SUBJECT_SCORE = [{} for _ in range(T)]  # SUBJECT_SCORE[t][i] = {subject: score}
for (p, i, s), v in subject_mean.items():
    SUBJECT_SCORE[PERIODS.index(p)].setdefault(i, {})[s] = float(v)


def score(i, t):
    have = SUBJECT_SCORE[t].get(i, {})
    den = sum(SUBJECT_WEIGHTS[s] for s in have)
    if den <= 0:
        return math.nan
    return sum(SUBJECT_WEIGHTS[s] * v for s, v in have.items()) / den


# ---------------------------------------------------------------- section 2: attenuation

def log_ratios(t):
    """g_i for non-top nodes that exist in t with their and their parent's score > 0."""
    g = {}
    for i in ORDER:
        if PARENT[i] is None or not exists(i, t):
            continue
        x, y = score(i, t), score(PARENT[i], t)
        if math.isfinite(x) and math.isfinite(y) and x > 0 and y > 0:
            g[i] = math.log(x / y)
    h = {}
    for p in ORDER:
        children = [g[c] for c in CHILDREN[p] if c in g]
        if children:
            h[p] = float(np.mean(children))
    return g, h


def step_estimate(t, k, g, h):
    parents = [p for p in ORDER if LEVEL[p] == k - 1 and p in h]
    hs = np.array([h[p] for p in parents])
    n = sum(1 for i in ORDER if LEVEL[i] == k and i in g)
    out = {"from": LEVELS[k - 1], "to": LEVELS[k], "n": n, "parents": len(parents),
           "gbar": None, "tau": None, "ci_low": None, "ci_high": None, "attenuation": None}
    if len(hs) == 0:
        return out
    gbar = float(hs.mean())
    out.update(gbar=gbar, tau=math.exp(gbar), attenuation=1 - math.exp(gbar))
    if len(hs) >= 2:
        s = float(hs.std(ddof=1))
        half = stats.t.ppf(0.975, len(hs) - 1) * s / math.sqrt(len(hs))
        out.update(ci_low=math.exp(gbar - half), ci_high=math.exp(gbar + half))
    return out


def attenuation(t, flag_z=2.0):
    g, h = log_ratios(t)
    L = len(LEVELS)
    steps = [step_estimate(t, k, g, h) for k in range(1, L)]
    taus = [s["tau"] for s in steps]
    retention = float(np.prod(taus)) if all(defined(x) for x in taus) else None
    per_step = 1 - retention ** (1 / (L - 1)) if retention is not None else None
    groups = []
    for b in at_level(0, t):
        subtree = [b] + descendants(b)
        gsteps = []
        for k in range(1, L):
            hs = [h[p] for p in subtree if LEVEL[p] == k - 1 and p in h]
            n = sum(1 for i in subtree if LEVEL[i] == k and i in g)
            gsteps.append({"from": LEVELS[k - 1], "to": LEVELS[k], "n": n,
                           "tau": math.exp(np.mean(hs)) if hs else None})
        gt = [s["tau"] for s in gsteps]
        groups.append({"id": b, "steps": gsteps,
                       "end_retention": float(np.prod(gt)) if all(defined(x) for x in gt) else None})
    nodes = []
    for k in range(1, L):
        step = steps[k - 1]
        gs = np.array([g[i] for i in ORDER if LEVEL[i] == k and i in g])
        sd = float(gs.std(ddof=1)) if len(gs) >= 2 else None
        for i in at_level(k, t):
            ratio = math.exp(g[i]) if i in g else None
            z = flag = None
            if i in g and step["gbar"] is not None and sd:
                z = (g[i] - step["gbar"]) / sd
                flag = "attenuated" if le(z, -flag_z) else "amplified" if ge(z, flag_z) else None
            nodes.append({"id": i, "level": LEVELS[k], "ratio": ratio, "z": z, "flag": flag})
    for s in steps:
        del s["gbar"]
    return {"period": PERIODS[t], "metric": "score", "steps": steps, "end_retention": retention,
            "per_step_attenuation": per_step, "groups": groups, "nodes": nodes}


# ---------------------------------------------------------------- section 4: coordination

def coordination_rows(t, silo_gap=10.0):
    rows = []
    for i in ORDER:
        if not exists(i, t):
            continue
        have = SUBJECT_SCORE[t].get(i, {})
        present = [s for s in SUBJECTS if s in have]
        if len(present) < 2:
            continue
        v = np.array([have[s] for s in present])
        m = float(v.mean())
        sd = float(v.std(ddof=0))
        index = None if m == 0 else min(1.0, max(0.0, 1 - sd / m))
        weakest = present[0]
        for s in present[1:]:
            if sign(have[s], have[weakest]) < 0:
                weakest = s
        gap = m - have[weakest]
        rows.append({"id": i, "level": LEVELS[LEVEL[i]], "mean": m, "sd": sd, "index": index,
                     "weakest": weakest, "gap": gap, "silo": ge(gap, silo_gap)})
    return rows


def coordination(t):
    rows = coordination_rows(t)
    levels = []
    for k, name in enumerate(LEVELS):
        indices = [r["index"] for r in rows if r["level"] == name and r["index"] is not None]
        frame = pd.DataFrame(
            [[SUBJECT_SCORE[t].get(i, {}).get(s, np.nan) for s in SUBJECTS] for i in at_level(k, t)],
            columns=SUBJECTS, dtype=float)
        corr = frame.corr(method="pearson", min_periods=2)  # pairwise complete
        levels.append({
            "level": name, "mean_index": float(np.mean(indices)) if indices else None,
            "subjects": SUBJECTS,
            "correlation": [[num(corr.loc[a, b]) for b in SUBJECTS] for a in SUBJECTS]})
    split = {i: v.lower() for i, v in zip(org["id"], org["party_admin_split"])}
    truthy, falsy = {"true", "1", "yes", "是"}, {"false", "0", "no", "否"}

    def mean_index(values):
        v = [r["index"] for r in rows if split.get(r["id"], "") in values and r["index"] is not None]
        return float(np.mean(v)) if v else None

    return {"period": PERIODS[t], "nodes": rows, "levels": levels,
            "dual_core": {"split_mean_index": mean_index(truthy), "joint_mean_index": mean_index(falsy)}}


# ---------------------------------------------------------------- section 5: closure

problems_csv = read("problems.csv")
responsibilities_csv = read("responsibilities.csv")
projects_csv = read("projects.csv")


def closure(t, as_of):
    as_of = pd.Timestamp(as_of)
    owned_ids = set(responsibilities_csv["problem"])
    projects = projects_csv[projects_csv["status"] != "dropped"].copy()
    projects["due"] = pd.to_datetime(projects["due"], format="%Y-%m-%d")
    projects["done"] = pd.to_datetime(projects["done"].replace("", None), format="%Y-%m-%d")
    by_problem = {p: f for p, f in projects.groupby("problem")}
    own = {i: dict(problems=0, owned=0, planned=0, done=0, on_time=0, overdue=0) for i in IDS}
    breaks = {"unowned": [], "unplanned": [], "overdue": []}
    for _, pr in problems_csv[problems_csv["period"] == PERIODS[t]].iterrows():
        js = by_problem.get(pr["id"])
        planned = js is not None and len(js) > 0
        is_done = (js["status"] == "done") & js["done"].notna() & (js["done"] <= as_of) if planned else None
        done = planned and bool(is_done.all())
        on_time = done and bool((js["done"] <= js["due"]).all())
        overdue = planned and bool(((~is_done) & (js["due"] < as_of)).any())
        owned = pr["id"] in owned_ids
        c = own[pr["node"]]
        c["problems"] += 1
        c["owned"] += owned
        c["planned"] += planned
        c["done"] += done
        c["on_time"] += on_time
        c["overdue"] += overdue
        if not owned:
            breaks["unowned"].append(pr["id"])
        if owned and not planned:
            breaks["unplanned"].append(pr["id"])
        if overdue:
            breaks["overdue"].append(pr["id"])
    nodes = []
    for i in ORDER:
        if not exists(i, t):
            continue
        row = {key: sum(own[j][key] for j in [i] + descendants(i)) for key in own[i]}
        row["closure_index"] = row["on_time"] / row["problems"] if row["problems"] else None
        nodes.append({"id": i, **row})
    return {"period": PERIODS[t], "as_of": str(as_of.date()), "nodes": nodes, "breaks": breaks}


# ---------------------------------------------------------------- section 3: cold and hot flags
# expected_counts and limit from Tests/Fixtures-scripts/cli/imbalance_limits.py (imported; it
# writes its own fixtures only when run as a script); load and funnel are this dataset's.

def load(folder, period, level):
    periods = PERIODS
    domains = DOMAINS
    t = periods.index(period)
    frame = org[org["level"] == level].copy()
    frame = frame[[exists(i, t) for i in frame["id"]]]
    members = pd.Series({i: MEMBERS[t][i] for i in frame["id"]}, dtype=int)
    members = members[members > 0]
    nodes = list(members.index)
    sup = pd.read_csv(folder / "supervision.csv", dtype={"period": str, "node": str})
    sup = sup[(sup["period"] == period) & sup["node"].isin(nodes)]
    counts = sup.pivot_table(index="node", columns="domain", values="count", aggfunc="sum")
    counts = counts.reindex(index=nodes, columns=domains).fillna(0)
    risk = pd.DataFrame(1.0, index=nodes, columns=domains)
    if (folder / "risks.csv").exists():
        r = pd.read_csv(folder / "risks.csv", dtype={"period": str, "node": str})
        r = r[(r["period"] == period) & r["node"].isin(nodes)]
        for node, domain, value in zip(r["node"], r["domain"], r["risk"]):
            risk.loc[node, domain] = float(value)
    return nodes, members.astype(float), counts, risk


def funnel(observed, expected):
    """The consistent method (the default): phi, tau2 and the four limits per node."""
    o, e = np.asarray(observed, float), np.asarray(expected, float)
    n = len(o)
    ft = np.sqrt(o) + np.sqrt(o + 1) - np.sqrt(4 * e + 1)
    q10, q90 = np.percentile(ft, [10, 90], method="linear")
    phi = float(np.mean(np.clip(ft, q10, q90) ** 2)) / C
    tau2 = None
    if phi > 1 and not equal(phi, 1):
        w = 4 * e
        tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    return phi, tau2, [[limit(ei, tau2 or 0.0, p) for p in PROBS] for ei in e]


def level_flags(t, k):
    """Section 3 on level k in period t with the default adjustment: {node: flag}."""
    adjust = "risk" if risks_have_rows else "none"
    nodes, members, counts, risk = load(DATASET, PERIODS[t], LEVELS[k])
    if not nodes or counts.to_numpy().sum() == 0:
        return {}
    observed = counts.sum(axis=1)
    expected = expected_counts(members, counts, risk, adjust)
    _, _, limits = funnel(observed, expected)
    flags = {}
    for i, (l998, l95, u95, u998) in zip(nodes, limits):
        sr = float(observed[i] / expected[i])
        if sr < l998 and not equal(sr, l998):
            flags[i] = "cold"
        elif sr < l95 and not equal(sr, l95):
            flags[i] = "cool"
        elif sr > u998 and not equal(sr, u998):
            flags[i] = "hot"
        elif sr > u95 and not equal(sr, u95):
            flags[i] = "warm"
        else:
            flags[i] = "normal"
    return flags


risks_have_rows = read("risks.csv") is not None and len(read("risks.csv")) > 0
FLAGS = [{} for _ in range(T)]
for t in range(T):
    for k in range(len(LEVELS)):
        FLAGS[t].update(level_flags(t, k))


# ---------------------------------------------------------------- section 6: trend

def exact_mk_p(x):
    """P(|S| >= |s|) under the null of n exchangeable values without ties, by enumerating
    every order; checked against scipy's exact Kendall test."""
    n = len(x)
    s = sum(int(np.sign(x[j] - x[i])) for i in range(n) for j in range(i + 1, n))
    count = total = 0
    for perm in itertools.permutations(range(n)):
        sp = sum(1 if perm[j] > perm[i] else -1 for i in range(n) for j in range(i + 1, n))
        total += 1
        count += abs(sp) >= abs(s)
    p = count / total
    scipy_p = stats.kendalltau(np.arange(n), x, method="exact").pvalue
    assert abs(p - scipy_p) <= 1e-12, (x, p, scipy_p)
    return p


def mann_kendall(y):
    n = len(y)
    s = sum(sign(y[j], y[i]) for i in range(n) for j in range(i + 1, n))
    if n < 3:
        return s, None
    ordered = sorted(y)
    groups, i = [], 0
    while i < n:
        j = i + 1
        while j < n and equal(ordered[j], ordered[i]):
            j += 1
        groups.append(j - i)
        i = j
    ties = any(g > 1 for g in groups)
    if not ties and n <= 10:
        return s, exact_mk_p(y)
    var = (n * (n - 1) * (2 * n + 5) - sum(g * (g - 1) * (2 * g + 5) for g in groups)) / 18
    if s == 0 or var <= 0:
        return s, 1.0
    z = (abs(s) - 1) / math.sqrt(var)
    return s, min(1.0, 2 * stats.norm.sf(z))


def terminal(i):
    while SUCCESSOR[i] is not None:
        i = SUCCESSOR[i]
    return i


def trend(alpha=0.10, of_last=3, at_least=2):
    predecessors = {i: [j for j in ORDER if j != i and terminal(j) == i] for i in IDS}
    nodes = []
    for i in ORDER:
        if terminal(i) != i:
            continue
        values, flags = [], []
        for t in range(T):
            present = [i] if exists(i, t) else [j for j in predecessors[i] if exists(j, t)]
            if not present:
                values.append(None)
                flags.append(None)
                continue
            if len(present) == 1:
                v = score(present[0], t)
                values.append(v if math.isfinite(v) else None)
            else:
                with_value = [j for j in present if math.isfinite(score(j, t))]
                w = sum(MEMBERS[t][j] for j in with_value)
                values.append(sum(MEMBERS[t][j] * score(j, t) for j in with_value) / w if w > 0 else None)
            fs = [FLAGS[t][j] for j in present if j in FLAGS[t]]
            flags.append("cold" if "cold" in fs else "hot" if "hot" in fs else (fs[0] if fs else None))
        xs = [t for t in range(T) if values[t] is not None]
        ys = [values[t] for t in xs]
        delta = values[-1] - values[-2] if T >= 2 and values[-1] is not None and values[-2] is not None else None
        slope = float(stats.theilslopes(ys, xs).slope) if len(ys) >= 2 else None
        s, p = mann_kendall(ys) if len(ys) >= 2 else (None, None)
        direction = "flat"
        if p is not None and p < alpha and not equal(p, alpha):
            direction = "rising" if s > 0 else "falling" if s < 0 else "flat"
        recent = flags[-min(of_last, T):]
        persistent = ("cold" if recent.count("cold") >= at_least
                      else "hot" if recent.count("hot") >= at_least else None)
        nodes.append({
            "id": i, "predecessors": predecessors[i], "values": values, "delta": delta,
            "slope": slope, "mk_s": s, "p": p, "direction": direction,
            "cold_periods": [PERIODS[t] for t in range(T) if flags[t] == "cold"],
            "hot_periods": [PERIODS[t] for t in range(T) if flags[t] == "hot"],
            "persistent": persistent})
    steps = []
    per_period = [attenuation(t) for t in range(T)]
    for k in range(1, len(LEVELS)):
        steps.append({
            "from": LEVELS[k - 1], "to": LEVELS[k],
            **{key: [per_period[t]["steps"][k - 1][key] for t in range(T)] for key in ["tau", "ci_low", "ci_high"]}})
    return {"metric": "score", "periods": PERIODS, "nodes": nodes, "steps": steps}


# ---------------------------------------------------------------- section 7: assessment

def raw_indicators(t):
    """{node: {indicator: value or None}} for the nodes that exist in t."""
    g, h = log_ratios(t)
    gbar = {}
    for k in range(1, len(LEVELS)):
        parents = [h[p] for p in ORDER if LEVEL[p] == k - 1 and p in h]
        if parents:
            gbar[k] = float(np.mean(parents))
    closure_index = {}
    if PERIODS[t] in PERIOD_END:
        closure_index = {r["id"]: r["closure_index"] for r in closure(t, PERIOD_END[PERIODS[t]])["nodes"]}
    coordination_index = {r["id"]: r["index"] for r in coordination_rows(t)}
    out = {}
    for i in ORDER:
        if not exists(i, t):
            continue
        k = LEVEL[i]
        s = score(i, t)
        transmission = math.exp(h[i] - gbar[k + 1]) if i in h and (k + 1) in gbar else None
        # Balance: each descendant flagged on its own level (the top level is never a
        # descendant, so flags from levels below the top are all that is needed).
        flagged = [FLAGS[t][j] for j in descendants(i) if j in FLAGS[t]]
        balance = 1 - sum(f in ("cold", "hot") for f in flagged) / len(flagged) if flagged else None
        out[i] = {"score": s if math.isfinite(s) else None, "transmission": transmission,
                  "balance": balance, "closure": closure_index.get(i),
                  "coordination": coordination_index.get(i)}
    return out


def competition_ranks(values):
    """{id: rank}, 1 = largest, a value equal (tie rule) to the one just above shares its rank."""
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    ranks = {}
    for position, (i, v) in enumerate(ordered):
        if position > 0 and equal(v, ordered[position - 1][1]):
            ranks[i] = ranks[ordered[position - 1][0]]
        else:
            ranks[i] = position + 1
    return ranks


def grade(rank, n):
    q = (rank - 0.5) / n
    for name, bound in GRADES:
        if le(q, bound):
            return name
    return "poor"


def assess(t):
    raw = [raw_indicators(u) for u in range(T)]
    total = sum(WEIGHTS.values())
    w = {j: WEIGHTS[j] / total for j in INDICATORS}
    goalposts = {}
    for k, name in enumerate(LEVELS):
        goalposts[name] = {}
        for j in INDICATORS:
            vals = [raw[u][i][j] for u in range(T) for i in raw[u] if LEVEL[i] == k and raw[u][i][j] is not None]
            goalposts[name][j] = [min(vals), max(vals)] if vals else None

    def normalise(x, post):
        if x is None or post is None:
            return None
        lo, hi = post
        if equal(hi, lo):
            return 100.0
        return min(100.0, max(0.0, 100 * (x - lo) / (hi - lo)))

    nodes = []
    for i, ind in raw[t].items():
        level = LEVELS[LEVEL[i]]
        normalised = {j: normalise(ind[j], goalposts[level][j]) for j in INDICATORS}
        have = [j for j in INDICATORS if normalised[j] is not None and w[j] > 0]
        composite = sum(w[j] * normalised[j] for j in have) / sum(w[j] for j in have) if have else None
        nodes.append({"id": i, "level": level, "indicators": ind, "normalised": normalised,
                      "composite": composite})
    for name in LEVELS:
        ranked = {r["id"]: r["composite"] for r in nodes if r["level"] == name and r["composite"] is not None}
        ranks = competition_ranks(ranked)
        for r in nodes:
            if r["level"] != name:
                continue
            r["rank"] = ranks.get(r["id"])
            r["grade"] = grade(r["rank"], len(ranked)) if r["rank"] is not None else None
            shortfalls = [(j, w[j] * (100 - r["normalised"][j])) for j in INDICATORS
                          if r["normalised"][j] is not None and w[j] > 0]
            shortfalls = [(j, s) for j, s in shortfalls if s > 0 and not equal(s, 0)]
            reasons = []
            while shortfalls and len(reasons) < 2 and r["rank"] is not None:
                best = 0
                for c in range(1, len(shortfalls)):
                    if sign(shortfalls[c][1], shortfalls[best][1]) > 0:
                        best = c
                reasons.append(shortfalls.pop(best)[0])
            r["reasons"] = reasons
    # Leaders: 0.5 own + 0.5 mean of the overseen nodes' composites (one side alone when the
    # other is missing); ranked and graded among the period's leaders with a composite.
    composite = {r["id"]: r["composite"] for r in nodes}
    leaders_csv = read("leaders.csv")
    leaders = []
    for _, row in leaders_csv[leaders_csv["period"] == PERIODS[t]].iterrows():
        own = composite.get(row["node"])
        overseen = [composite.get(o.strip()) for o in row.get("oversees", "").split(";") if o.strip()]
        overseen = [c for c in overseen if c is not None]
        mean = float(np.mean(overseen)) if overseen else None
        value = (0.5 * own + 0.5 * mean if own is not None and mean is not None
                 else own if own is not None else mean)
        leaders.append({"person": row["person"], "composite": value})
    ranks = competition_ranks({r["person"]: r["composite"] for r in leaders if r["composite"] is not None})
    n = len(ranks)
    for r in leaders:
        r["rank"] = ranks.get(r["person"])
        r["grade"] = grade(r["rank"], n) if r["rank"] is not None else None
    return {"period": PERIODS[t], "weights": w, "goalposts": goalposts, "nodes": nodes, "leaders": leaders}


# ---------------------------------------------------------------- the fixture

last = T - 1
document = {
    "generator": "Tests/Fixtures-scripts/cli/analyses_reference.py",
    "dataset": str(DATASET.relative_to(ROOT)),
    # The SHA-256 of every input, as the CLI's provenance gives them: a regenerated dataset
    # without a regenerated fixture fails the test at once, not number by number.
    "inputs": {f.name: hashlib.sha256(f.read_bytes()).hexdigest()
               for f in sorted(DATASET.iterdir()) if f.suffix == ".csv" or f.name == "dataset.yaml"},
    "versions": {"numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__,
                 "statsmodels": statsmodels.__version__, "pyyaml": yaml.__version__},
    "attenuation": [attenuation(last), attenuation(PERIODS.index("2023"))],
    "coordination": coordination(last),
    "closure": closure(last, PERIOD_END[PERIODS[last]]),
    "trend": trend(),
    "assess": assess(last),
}
path = FIXTURES / "analyses_reference.json"
path.write_text(json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
a = document["attenuation"][0]
print(f"attenuation {a['period']}: tau {[s['tau'] for s in a['steps']]}, "
      f"flags {[(n['id'], n['flag']) for n in a['nodes'] if n['flag']]}")
print(f"coordination: {len(document['coordination']['nodes'])} nodes, "
      f"silos {[n['id'] for n in document['coordination']['nodes'] if n['silo']]}")
print(f"closure: breaks {document['closure']['breaks']}")
print(f"trend: {len(document['trend']['nodes'])} series, "
      f"{sum(n['direction'] != 'flat' for n in document['trend']['nodes'])} not flat")
print(f"flags: {[{f: sum(v == f for v in FLAGS[t].values()) for f in ['cold', 'cool', 'warm', 'hot']} for t in range(T)]}")
print(f"assess: {len(document['assess']['nodes'])} nodes, "
      f"grades {pd.Series([n['grade'] for n in document['assess']['nodes']]).value_counts().to_dict()}")
