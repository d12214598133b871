#!/usr/bin/env python3
"""The peer of issue 14: `chuandao attenuation`, `imbalance --adjust risk` and `assess`
(default settings, latest period) written as an analyst would, with pandas, numpy,
statsmodels and scipy.

    python3 Benchmarks/peers/peer.py DATASET --out DIR [--reml direct|statsmodels]

Reads the dataset (docs/data.md), computes for the latest period
- attenuation of the composite score (METHODS.md section 2): tau per level step with its
  95% t-interval over parents, end retention, per-step attenuation, per top-level group,
  each node's ratio, z, flag, p and q, and the bottom level's REML variance components;
- imbalance at the bottom level with the Poisson GLM on members and risk (section 3):
  expected counts (statsmodels GLM), phi, tau2, the exact Poisson / negative-binomial
  limits (scipy), flags, low power, p and q (statsmodels' fdr_bh), inequality, domain
  coverage, early share;
- assess with the default settings (section 7): the five indicators in every period
  (section 3 flags on every level below the top in every period, again with the GLM),
  goalposts, normalised values, composite, rank, grade, reasons, leaders, and the rank
  uncertainty over 1000 Dirichlet weight draws from the generator METHODS.md names
  (xoshiro256** seeded through SplitMix64, Marsaglia's polar normals, Marsaglia-Tsang
  gammas), so that the draws are the same numbers as chuandao's;
and writes DIR/{attenuation,imbalance,assess}.json (the levels, steps, groups, fits and
leaders) and DIR/{attenuation,imbalance,assess}_nodes.csv (one row per node). Stage
timings go to stderr.

The variance components: by default a direct REML (the profiled REML deviance of nested
random intercepts, evaluated from group sums with numpy and minimised with scipy);
`--reml statsmodels` uses statsmodels' MixedLM instead (exact to the same optimum with
method="bfgs", gtol 1e-10, but 12 s for 20,000 observations in 20 bureaus, and growing with
the number of bureaus: minutes at the province scale). See Benchmarks/peers/README.md.
"""

import argparse
import json
import math
import pathlib
import sys
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import yaml
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests

DEFAULT_LEVELS = ["bureau", "unit", "branch"]
DEFAULT_SUBJECTS = ["committee", "secretary", "commission", "members"]
DEFAULT_DOMAINS = ["finance", "engineering", "personnel", "assets", "procurement", "other"]
DEFAULT_KINDS = ["reminder", "interview", "inspection", "petition", "case"]

INDICATORS = ["score", "transmission", "balance", "closure", "coordination"]
WEIGHTS = {"score": 0.4, "transmission": 0.2, "balance": 0.15, "closure": 0.15, "coordination": 0.1}
GRADES = ["excellent", "good", "fair", "poor"]
GRADE_BOUNDS = [0.15, 0.85, 0.95]
FLAG_Z = 2.0
BLIND_SPOT = 0.5
DRAWS, CONCENTRATION, SEED = 1000, 50.0, 1
LEADER_OWN, LEADER_OVERSEES = 0.5, 0.5
A90 = stats.norm.ppf(0.9)
C_WINSOR = 0.8 - 2 * A90 * stats.norm.pdf(A90) + 0.2 * A90 ** 2  # 0.6786546
PROBS = [0.001, 0.025, 0.975, 0.999]  # lower998, lower95, upper95, upper998
FLAG_NAMES = np.array(["cold", "cool", "normal", "warm", "hot"], dtype=object)

TIMINGS = {}
warnings.filterwarnings("ignore", category=RuntimeWarning)  # all-NaN slices give NaN, as meant


class Stage:
    """Times a block and prints it on stderr."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.start
        TIMINGS[self.name] = TIMINGS.get(self.name, 0.0) + elapsed
        print(f"peer: {self.name}: {elapsed:.2f} s", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- METHODS.md's tie rule

def equal(a, b):
    """Elementwise: a == b, or both finite and within 1e-9 relative (absolute below 1)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= 1e-9 * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
    return (a == b) | (np.isfinite(a) & np.isfinite(b) & close)


def le(a, b):
    return (np.asarray(a) <= np.asarray(b)) | equal(a, b)


def ge(a, b):
    return (np.asarray(a) >= np.asarray(b)) | equal(a, b)


def competition_ranks_sorted(sorted_desc):
    """Ranks of values sorted descending along axis 0 ("1224"; a value equal by the tie
    rule to the one just above it shares that one's rank, so near-ties chain)."""
    n = sorted_desc.shape[0]
    position = np.arange(1, n + 1).reshape((n,) + (1,) * (sorted_desc.ndim - 1))
    tied = np.zeros(sorted_desc.shape, bool)
    tied[1:] = equal(sorted_desc[1:], sorted_desc[:-1])
    return np.maximum.accumulate(np.where(tied, 0, position), axis=0)


def competition_ranks(values):
    """1-based ranks, descending, NaN -> 0 (unranked)."""
    values = np.asarray(values, float)
    ranks = np.zeros(len(values), np.int64)
    present = np.flatnonzero(~np.isnan(values))
    if len(present):
        order = present[np.argsort(-values[present], kind="stable")]
        ranks[order] = competition_ranks_sorted(values[order])
    return ranks


def grade_band(rank, n):
    """Index into GRADES of the Hazen percentile q = (rank - 0.5) / n."""
    q = (np.asarray(rank, float) - 0.5) / n
    band = np.full(q.shape, len(GRADE_BOUNDS))
    for b in reversed(range(len(GRADE_BOUNDS))):
        band = np.where(le(q, GRADE_BOUNDS[b]), b, band)
    return band


# ---------------------------------------------------------------- reading the dataset

def codes(series, mapping):
    """Integer codes of a categorical column through `mapping` (-1 for unknown values): each
    category is looked up once. (read_csv infers the categories' type, so that period
    "2025" comes back as the number 2025: they are compared as text.)"""
    lookup = np.array([mapping.get(str(c), -1) for c in series.cat.categories] + [-1])
    return lookup[series.cat.codes.to_numpy()]


def read_csv(folder, name, **kw):
    path = folder / name
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kw)
    except UnicodeDecodeError:
        return pd.read_csv(path, encoding="gb18030", **kw)


class Data:
    def __init__(self, folder):
        folder = pathlib.Path(folder)
        self.folder = folder
        manifest = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
        self.levels = manifest.get("levels", DEFAULT_LEVELS)
        self.periods = [str(p) for p in manifest["periods"]]
        self.subjects = manifest.get("subjects", DEFAULT_SUBJECTS)
        self.domains = manifest.get("domains", DEFAULT_DOMAINS)
        self.kinds = manifest.get("kinds", DEFAULT_KINDS)
        sw = manifest.get("subject_weights") or {}
        kw = manifest.get("kind_weights") or {}
        self.subject_weights = np.array([float(sw.get(s, 1)) for s in self.subjects])
        self.kind_weights = np.array([float(kw.get(k, 1)) for k in self.kinds])
        self.period_end = {str(k): pd.Timestamp(str(v)) for k, v in (manifest.get("period_end") or {}).items()}
        L, T, S, D, K = len(self.levels), len(self.periods), len(self.subjects), len(self.domains), len(self.kinds)

        # org.csv: one row per node; positions in the file are the node indices.
        org = read_csv(folder, "org.csv", dtype=str, keep_default_na=False)
        org = org.apply(lambda c: c.str.strip())
        for column in ["valid_from", "valid_to", "party_admin_split", "successor"]:
            if column not in org.columns:
                org[column] = ""
        self.org = org
        self.ids = pd.Index(org["id"])
        N = self.N = len(org)
        self.node_index = {i: k for k, i in enumerate(org["id"])}
        self.parent = self.ids.get_indexer(org["parent"].replace("", None))  # -1 for top
        self.level = org["level"].map({name: k for k, name in enumerate(self.levels)}).to_numpy()
        period_index = {p: t for t, p in enumerate(self.periods)}
        vfrom = org["valid_from"].map(period_index).fillna(0).to_numpy(int)
        vto = org["valid_to"].map(period_index).fillna(T - 1).to_numpy(int)
        self.exists = np.array([(vfrom <= t) & (t <= vto) for t in range(T)])
        # anc[k, i]: i's ancestor at level k (i itself at its own level), -1 below.
        anc = np.full((L, N), -1)
        for k in reversed(range(L)):
            above = anc[k + 1] if k + 1 < L else np.full(N, -1)
            from_below = np.where(above >= 0, self.parent[np.maximum(above, 0)], -1)
            anc[k] = np.where(self.level == k, np.arange(N), from_below)
        self.anc = anc

        # Members per period: org.csv, overridden by members.csv.
        base = org["members"].astype(int).to_numpy()
        self.members = np.tile(base, (T, 1))
        m = read_csv(folder, "members.csv", dtype={"period": str, "node": str})
        if m is not None:
            self.members[m["period"].map(period_index).to_numpy(), self.ids.get_indexer(m["node"])] = m["members"].to_numpy()

        # Subject scores: the plain mean of a subject's rows; the composite score the
        # subject_weights-weighted mean of the subjects a node has.
        with Stage("load: scores.csv"):
            sc = read_csv(folder, "scores.csv", usecols=["period", "node", "subject", "score"],
                          dtype={"period": "category", "node": "category", "subject": "category", "score": float})
            t_ = codes(sc["period"], period_index)
            i_ = codes(sc["node"], self.node_index)
            s_ = codes(sc["subject"], {s: j for j, s in enumerate(self.subjects)})
            cell = (t_ * N + i_) * S + s_
            rows = np.bincount(cell, minlength=T * N * S)
            sums = np.bincount(cell, weights=sc["score"].to_numpy(), minlength=T * N * S)
            self.subject_scores = np.where(rows > 0, sums / np.maximum(rows, 1), np.nan).reshape(T, N, S)
            present = ~np.isnan(self.subject_scores)
            num = np.where(present, self.subject_scores, 0.0) @ self.subject_weights
            den = present @ self.subject_weights
            with np.errstate(invalid="ignore", divide="ignore"):
                self.score = np.where((den > 0) & self.exists, num / den, np.nan)

        # Supervision: counts per period, node, kind and domain.
        with Stage("load: supervision.csv"):
            sup = read_csv(folder, "supervision.csv", usecols=["period", "node", "kind", "domain", "count"],
                           dtype={"period": "category", "node": "category", "kind": "category", "domain": "category", "count": np.int64})
            t_ = codes(sup["period"], period_index)
            i_ = codes(sup["node"], self.node_index)
            k_ = codes(sup["kind"], {k: j for j, k in enumerate(self.kinds)})
            d_ = codes(sup["domain"], {x: j for j, x in enumerate(self.domains)})
            c_ = sup["count"].to_numpy(float)
            self.by_domain = np.bincount((t_ * N + i_) * D + d_, weights=c_, minlength=T * N * D).reshape(T, N, D)
            by_kind = np.bincount((t_ * N + i_) * K + k_, weights=c_, minlength=T * N * K).reshape(T, N, K)
            self.total = by_kind.sum(axis=2)
            self.first_kind = by_kind[:, :, 0]
            weighted = by_kind @ self.kind_weights
            with np.errstate(invalid="ignore", divide="ignore"):
                self.intensity = np.where(self.members > 0, 100 * weighted / self.members, np.nan)
                self.early_share = np.where(self.total > 0, self.first_kind / self.total, np.nan)

        with Stage("load: risks.csv"):
            self.risk = np.ones((T, N, D))
            r = read_csv(folder, "risks.csv", usecols=["period", "node", "domain", "risk"],
                         dtype={"period": "category", "node": "category", "domain": "category", "risk": float})
            self.has_risks = r is not None and len(r) > 0
            if self.has_risks:
                self.risk[codes(r["period"], period_index), codes(r["node"], self.node_index),
                          codes(r["domain"], {x: j for j, x in enumerate(self.domains)})] = r["risk"].to_numpy()

        with Stage("load: lists and leaders"):
            self.problems = read_csv(folder, "problems.csv", usecols=["period", "id", "node"], dtype=str, keep_default_na=False)
            self.projects = read_csv(folder, "projects.csv", usecols=["problem", "due", "done", "status"], dtype=str, keep_default_na=False)
            self.leaders = read_csv(folder, "leaders.csv", dtype=str, keep_default_na=False)


# ---------------------------------------------------------------- section 2: attenuation

def log_ratios(d, t):
    """g_i = ln(x_i / x_parent) where both scores are > 0; h_p and the children counted."""
    x = d.score[t]
    has_parent = d.parent >= 0
    y = np.where(has_parent, x[np.maximum(d.parent, 0)], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = has_parent & d.exists[t] & (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
        g = np.where(ok, np.log(x / y), np.nan)
    count = np.bincount(d.parent[ok], minlength=d.N)
    sums = np.bincount(d.parent[ok], weights=g[ok], minlength=d.N)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = np.where(count > 0, sums / count, np.nan)
    return g, h, count


def level_steps(d, g, h):
    steps = []
    for k in range(1, len(d.levels)):
        hs = h[(d.level == k - 1) & ~np.isnan(h)]
        step = {"from": d.levels[k - 1], "to": d.levels[k], "n": int(((d.level == k) & ~np.isnan(g)).sum()),
                "parents": len(hs), "gbar": None, "tau": None, "ci_low": None, "ci_high": None, "attenuation": None}
        if len(hs):
            gbar = hs.mean()
            step.update(gbar=gbar, tau=math.exp(gbar), attenuation=1 - math.exp(gbar))
            if len(hs) >= 2:
                half = stats.t.ppf(0.975, len(hs) - 1) * hs.std(ddof=1) / math.sqrt(len(hs))
                step.update(ci_low=math.exp(gbar - half), ci_high=math.exp(gbar + half))
        steps.append(step)
    return steps


def attenuation(d, t, reml):
    L = len(d.levels)
    g, h, count = log_ratios(d, t)
    steps = level_steps(d, g, h)
    taus = [s["tau"] for s in steps]
    retention = float(np.prod(taus)) if all(x is not None for x in taus) else None
    per_step = 1 - retention ** (1 / (L - 1)) if retention is not None else None

    # Per top-level group: the same over the parents in its subtree.
    parents = pd.DataFrame({"group": d.anc[0], "level": d.level, "h": h, "count": count})
    parents = parents[~np.isnan(h)]
    by_group = parents.groupby(["group", "level"]).agg(mean_h=("h", "mean"), n=("count", "sum"))
    groups = []
    for b in np.flatnonzero((d.level == 0) & d.exists[t]):
        gsteps = []
        for k in range(1, L):
            row = by_group.loc[(b, k - 1)] if (b, k - 1) in by_group.index else None
            gsteps.append({"from": d.levels[k - 1], "to": d.levels[k], "n": int(row["n"]) if row is not None else 0,
                           "tau": math.exp(row["mean_h"]) if row is not None else None})
        gt = [s["tau"] for s in gsteps]
        groups.append({"id": d.ids[b], "steps": gsteps,
                       "end_retention": float(np.prod(gt)) if all(x is not None for x in gt) else None})

    # Nodes: every non-top node that exists; z against the step's parent-level mean,
    # scaled by the sd of the step's node log-ratios.
    frames = []
    for k in range(1, L):
        rows = np.flatnonzero((d.level == k) & d.exists[t])
        gk = g[rows]
        sd = np.nanstd(gk, ddof=1) if (~np.isnan(gk)).sum() >= 2 else np.nan
        gbar = steps[k - 1]["gbar"]
        z = (gk - gbar) / sd if gbar is not None and sd > 0 else np.full(len(rows), np.nan)
        flag = np.where(le(z, -FLAG_Z), "attenuated", np.where(ge(z, FLAG_Z), "amplified", None))
        flag = np.where(np.isnan(z), None, flag)
        p = 2 * stats.norm.cdf(-np.abs(z))
        q = np.full(len(rows), np.nan)
        tested = ~np.isnan(z)
        if tested.any():
            q[tested] = multipletests(p[tested], method="fdr_bh")[1]
        frames.append(pd.DataFrame({"id": d.ids[rows], "level": d.levels[k], "ratio": np.exp(gk), "z": z,
                                    "flag": flag, "p": p, "q": q}))
    nodes = pd.concat(frames, ignore_index=True)
    tested = nodes["z"].notna().sum()
    chance = {"attenuated": {"found": int((nodes["flag"] == "attenuated").sum()),
                             "expected_by_chance": float(tested * stats.norm.cdf(-FLAG_Z))},
              "amplified": {"found": int((nodes["flag"] == "amplified").sum()),
                            "expected_by_chance": float(tested * stats.norm.cdf(-FLAG_Z))}}

    with Stage("attenuation: REML variance components"):
        variance = variance_components(d, t, reml)
    for s in steps:
        del s["gbar"]
    summary = {"period": d.periods[t], "metric": "score", "steps": steps, "end_retention": retention,
               "per_step_attenuation": per_step, "groups": groups, "chance": chance, "variance": variance}
    return summary, nodes


def variance_components(d, t, reml):
    L = len(d.levels)
    rows = np.flatnonzero((d.level == L - 1) & d.exists[t] & np.isfinite(d.score[t]))
    y = d.score[t][rows]
    labels = [d.anc[k][rows] for k in range(L - 1)]  # top first
    if reml == "statsmodels":
        fit = reml_statsmodels(y, labels)
    else:
        fit = reml_direct(y, labels)
    variances, residual, loglik = fit
    total = sum(variances) + residual
    theta = [math.sqrt(v / residual) if residual > 0 else 0.0 for v in variances]
    return {"components": [{"level": d.levels[k], "variance": v, "share": v / total} for k, v in enumerate(variances)],
            "residual": residual, "residual_share": residual / total,
            "singular": any(th < 1e-4 for th in theta), "reml_loglik": loglik, "observations": len(y)}


def reml_direct(y, labels):
    """REML for y = mu + a(g_0) + ... + a(g_{K-1}) + e, nested groups (lme4's
    y ~ 1 + (1|g0/g1/...)), from the profiled REML deviance on theta_k = sigma_k / sigma.

    With V = sigma^2 H, H block-diagonal with nested compound symmetry: a bottom group of m
    observations has 1'D^-1 1 = m / (1 + theta^2 m), log|D| = log(1 + theta^2 m), GLS mean
    its mean and residual sum of squares its within sum of squares; a group above gathers
    its children (W = sum w_c, M = sum w_c M_c / W, R = sum R_c + sum w_c (M_c - M)^2) and
    adds its own theta in the same way. The deviance is
    log|H| + log(1'H^-1 1) + (n - 1)(1 + log(2 pi r^2 / (n - 1))), r^2 = R at the root.
    """
    n = len(y)
    K = len(labels)
    # Integer codes per level, and each group's parent code.
    codes, parents = [], []
    for k in range(K):
        c, uniques = pd.factorize(labels[k])
        codes.append(c)
    for k in range(1, K):
        parent_of = np.zeros(codes[k].max() + 1, int)
        parent_of[codes[k]] = codes[k - 1]
        parents.append(parent_of)
    bottom = codes[K - 1]
    m = np.bincount(bottom).astype(float)
    ybar = np.bincount(bottom, weights=y) / m
    ssw = np.bincount(bottom, weights=(y - ybar[bottom]) ** 2)

    def evaluate(theta):
        th2 = np.asarray(theta) ** 2
        w = m / (1 + th2[K - 1] * m)
        logdet = np.log1p(th2[K - 1] * m)
        M, R = ybar, ssw
        for k in range(K - 2, -1, -1):
            p = parents[k]
            size = p.max() + 1
            W = np.bincount(p, weights=w, minlength=size)
            Mp = np.bincount(p, weights=w * M, minlength=size) / W
            R = np.bincount(p, weights=R + w * (M - Mp[p]) ** 2, minlength=size)
            logdet = np.bincount(p, weights=logdet, minlength=size) + np.log1p(th2[k] * W)
            w = W / (1 + th2[k] * W)
            M = Mp
        W = w.sum()
        mu = (w * M).sum() / W
        r2 = R.sum() + (w * (M - mu) ** 2).sum()
        deviance = logdet.sum() + math.log(W) + (n - 1) * (1 + math.log(2 * math.pi * r2 / (n - 1)))
        return deviance, r2

    # Start from the spread of group means, then L-BFGS-B on theta >= 0 polished by
    # Nelder-Mead on |theta| (the optimum is flat: the polish gains the last digits).
    start = np.full(K, 0.5)
    first = optimize.minimize(lambda th: evaluate(th)[0], start, method="L-BFGS-B", bounds=[(0, None)] * K,
                              options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 1000})
    polish = optimize.minimize(lambda th: evaluate(np.abs(th))[0], first.x, method="Nelder-Mead",
                               options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000, "maxfev": 20000})
    theta = np.abs(polish.x if polish.fun <= first.fun else first.x)
    deviance, r2 = evaluate(theta)
    # lme4 reports a boundary optimum as 0.
    for k in range(K):
        if theta[k] < 1e-4:
            trial = theta.copy()
            trial[k] = 0.0
            if evaluate(trial)[0] <= deviance + 1e-12 * max(1, abs(deviance)):
                theta = trial
                deviance, r2 = evaluate(theta)
    sigma2 = r2 / (n - 1)
    return [float(th ** 2 * sigma2) for th in theta], float(sigma2), float(-0.5 * deviance)


def reml_statsmodels(y, labels):
    """statsmodels' MixedLM: random intercepts for the top level, variance components for
    the levels below it (nested within the top-level group)."""
    frame = pd.DataFrame({"y": y})
    for k, lab in enumerate(labels):
        frame[f"g{k}"] = lab
    vc = {f"g{k}": f"0 + C(g{k})" for k in range(1, len(labels))}
    model = sm.MixedLM.from_formula("y ~ 1", frame, groups="g0", re_formula="1", vc_formula=vc or None)
    fit = model.fit(reml=True, method="bfgs", gtol=1e-10)
    variances = [float(fit.cov_re.iloc[0, 0])] + [float(v) for v in fit.vcomp]
    return variances, float(fit.scale), float(fit.llf)


# ---------------------------------------------------------------- section 3: cold and hot

def exact_limits(E, tau2, p):
    """Interpolated exact limits (r_p - alpha) / E of the Poisson (tau2 = 0) or the negative
    binomial with mean E and size 1/(4 tau2), for arrays of E."""
    if tau2 == 0:
        dist = stats.poisson(E)
    else:
        size = 1 / (4 * tau2)
        dist = stats.nbinom(size, size / (size + E))
    r = dist.ppf(p)
    # ppf is the smallest r with cdf(r) >= p up to scipy's own rounding: make sure.
    for _ in range(5):
        lower = (r > 0) & (dist.cdf(r - 1) >= p)
        higher = dist.cdf(r) < p
        if not (lower.any() or higher.any()):
            break
        r = r - lower + higher
    at = dist.cdf(r)
    below = np.where(r > 0, dist.cdf(r - 1), 0.0)
    return np.maximum(0.0, (r - (at - p) / (at - below)) / E)


def cold_hot(d, t, k, tests=False):
    """Section 3 on level k in period t with the GLM on members and risk. None when the level
    has no node with members or no supervision at all."""
    D = len(d.domains)
    rows = np.flatnonzero((d.level == k) & d.exists[t] & (d.members[t] > 0))
    if len(rows) == 0:
        return None
    counts = d.by_domain[t][rows]
    observed = counts.sum(axis=1)
    if observed.sum() == 0:
        return None
    n = len(rows)
    members = d.members[t][rows].astype(float)
    risk = d.risk[t][rows]

    # The Poisson GLM, one row per (node, domain), domains without supervision left out.
    kept = np.flatnonzero(counts.sum(axis=0) > 0)
    with_risk = bool((~equal(risk[:, kept], risk[0, kept])).any())
    dk = len(kept)
    X = pd.DataFrame(np.tile(np.eye(dk), (n, 1)), columns=[d.domains[j] for j in kept])
    if with_risk:
        X["risk"] = risk[:, kept].ravel()
    y = counts[:, kept].ravel()
    fit = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.repeat(np.log(members), dk)).fit()
    expected = np.asarray(fit.fittedvalues).reshape(n, dk).sum(axis=1)
    coefficients = {name: None for name in d.domains}
    coefficients.update({name: float(v) for name, v in fit.params.items()})

    # The funnel.
    ratio = observed / expected
    ft = np.sqrt(observed) + np.sqrt(observed + 1) - np.sqrt(4 * expected + 1)
    q10, q90 = np.percentile(ft, [10, 90])
    phi = float(np.mean(np.clip(ft, q10, q90) ** 2)) / C_WINSOR
    overdispersed = bool(n >= 2 and not le(phi, 1))
    tau2 = None
    z = ft
    if overdispersed:
        w = 4 * expected
        tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
        z = (np.sqrt(ratio) - 1) / np.sqrt(1 / (4 * expected) + tau2)
    l998, l95, u95, u998 = (exact_limits(expected, tau2 or 0.0, p) for p in PROBS)
    flag = np.full(n, 2)
    flag = np.where(~le(ratio, u95), 3, flag)
    flag = np.where(~le(ratio, u998), 4, flag)
    flag = np.where(~ge(ratio, l95), 1, flag)
    flag = np.where(~ge(ratio, l998), 0, flag)
    out = {"rows": rows, "observed": observed, "expected": expected, "ratio": ratio, "z": z,
           "lower95": l95, "upper95": u95, "lower998": l998, "upper998": u998, "flag": flag,
           "low_power": le(l95, 0), "phi": phi, "tau2": tau2, "overdispersed": overdispersed,
           "counts": counts, "members": members, "risk": risk,
           "glm": {"coefficients": coefficients, "deviance": float(fit.deviance), "iterations": int(fit.fit_history["iteration"]),
                   "risk_dropped": not with_risk}}
    if tests:
        if tau2:
            size = 1 / (4 * tau2)
            dist = stats.nbinom(size, size / (size + expected))
        else:
            dist = stats.poisson(expected)
        p = np.minimum(1.0, 2 * np.minimum(dist.cdf(observed), dist.sf(observed - 1)))
        out["p"] = p
        out["q"] = multipletests(p, method="fdr_bh")[1]
    return out


def imbalance(d, t, f):
    """The JSON summary and node table of `imbalance --adjust risk` on the bottom level."""
    k = len(d.levels) - 1
    rows = f["rows"]
    n = len(rows)
    x = d.intensity[t][rows]
    mu = x.mean()
    gini = theil = between = within = cv = None
    if x.sum() > 0:
        xs = np.sort(x)
        gini = float(2 * (np.arange(1, n + 1) * xs).sum() / (n * xs.sum()) - (n + 1) / n)
        cv = float(x.std() / mu)

        def theil_t(v):
            r = v / v.mean()
            return float(np.where(r > 0, r * np.log(np.where(r > 0, r, 1)), 0).mean())

        theil = theil_t(x)
        grouped = pd.DataFrame({"g": d.anc[0][rows], "x": x}).groupby("g")["x"]
        stats_g = grouped.agg(["sum", "mean", "count"])
        stats_g = stats_g[stats_g["sum"] > 0]
        share = stats_g["sum"] / x.sum()
        between = float((share * np.log(stats_g["mean"] / mu)).sum())
        within = float((share * grouped.apply(theil_t).reindex(stats_g.index)).sum())

    counts, members, risk = f["counts"], f["members"], f["risk"]
    sup_share = counts.sum(axis=0) / f["observed"].sum()
    risk_mass = (members[:, None] * risk).sum(axis=0)
    risk_share = risk_mass / risk_mass.sum()
    coverage = sup_share / risk_share
    domains = [{"domain": name, "supervision_share": float(sup_share[j]), "risk_share": float(risk_share[j]),
                "coverage": float(coverage[j]),
                "blind_spot": bool(np.isfinite(coverage[j]) and coverage[j] < BLIND_SPOT and not equal(coverage[j], BLIND_SPOT))}
               for j, name in enumerate(d.domains)]
    flags = FLAG_NAMES[f["flag"]]
    nominal = {"cold": 0.001, "cool": 0.024, "warm": 0.024, "hot": 0.001}
    summary = {
        "period": d.periods[t], "level": d.levels[k], "adjust": "risk", "dispersion": "consistent",
        "phi": f["phi"], "tau2": f["tau2"], "overdispersed": f["overdispersed"],
        "gini": gini, "theil": theil, "theil_between": between, "theil_within": within, "cv": cv,
        "early_share": float(d.first_kind[t][rows].sum() / f["observed"].sum()),
        "chance": {name: {"found": int((flags == name).sum()), "expected_by_chance": n * rate} for name, rate in nominal.items()},
        "domains": domains, "glm": f["glm"]}
    nodes = pd.DataFrame({
        "id": d.ids[rows], "observed": f["observed"].astype(np.int64), "expected": f["expected"], "ratio": f["ratio"],
        "z": f["z"], "lower95": f["lower95"], "upper95": f["upper95"], "lower998": f["lower998"],
        "upper998": f["upper998"], "flag": flags, "low_power": f["low_power"],
        "early_share": d.early_share[t][rows], "p": f["p"], "q": f["q"]})
    return summary, nodes


# ---------------------------------------------------------------- section 7: assessment

def roll_up_descendants(d, values, include_self):
    """Per node, the sum of `values` over its subtree (with or without itself)."""
    total = np.zeros(d.N)
    for k in range(len(d.levels)):
        below = (d.level > k) if not include_self else (d.level >= k)
        below &= d.anc[k] >= 0
        total += np.bincount(d.anc[k][below], weights=values[below], minlength=d.N)
    return total


def closure_index(d, t):
    """on_time / problems over each node's subtree as of the period's end (NaN without one)."""
    if d.periods[t] not in d.period_end or d.problems is None:
        return np.full(d.N, np.nan)
    as_of = d.period_end[d.periods[t]]
    problems = d.problems[d.problems["period"] == d.periods[t]]
    projects = d.projects[d.projects["status"] != "dropped"].copy()
    projects["due"] = pd.to_datetime(projects["due"], format="%Y-%m-%d")
    projects["done"] = pd.to_datetime(projects["done"].replace("", None), format="%Y-%m-%d")
    projects["is_done"] = (projects["status"] == "done") & projects["done"].notna() & (projects["done"] <= as_of)
    projects["in_time"] = projects["is_done"] & (projects["done"] <= projects["due"])
    projects["late"] = ~projects["is_done"] & (projects["due"] < as_of)
    per = projects.groupby("problem").agg(n=("is_done", "size"), done=("is_done", "all"), in_time=("in_time", "all"))
    per = per.reindex(problems["id"])
    on_time = (per["n"].fillna(0) > 0) & per["done"].fillna(False).astype(bool) & per["in_time"].fillna(False).astype(bool)
    node = d.ids.get_indexer(problems["node"])
    count = np.bincount(node, minlength=d.N).astype(float)
    good = np.bincount(node, weights=on_time.to_numpy(float), minlength=d.N)
    count, good = roll_up_descendants(d, count, True), roll_up_descendants(d, good, True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d.exists[t] & (count > 0), good / count, np.nan)


def coordination_index(d, t):
    s = d.subject_scores[t]
    have = (~np.isnan(s)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.nanmean(np.where(have[:, None] >= 2, s, np.nan), axis=1)
        sd = np.sqrt(np.nanmean((s - m[:, None]) ** 2, axis=1))
        index = np.clip(1 - sd / m, 0, 1)
    return np.where(d.exists[t] & (have >= 2) & (m != 0), index, np.nan)


def raw_indicators(d, t, flags):
    """(N, 5) raw indicators in period t (NaN where undefined or the node does not exist)."""
    g, h, _ = log_ratios(d, t)
    steps = level_steps(d, g, h)
    transmission = np.full(d.N, np.nan)
    for k in range(len(d.levels) - 1):
        gbar = steps[k]["gbar"]  # step k + 1: parents at level k
        if gbar is not None:
            at = (d.level == k) & d.exists[t] & ~np.isnan(h)
            transmission[at] = np.exp(h[at] - gbar)
    flagged = (flags >= 0).astype(float)
    cold_or_hot = ((flags == 0) | (flags == 4)).astype(float)
    below = roll_up_descendants(d, flagged, False)
    with np.errstate(invalid="ignore", divide="ignore"):
        balance = np.where(d.exists[t] & (below > 0), 1 - roll_up_descendants(d, cold_or_hot, False) / below, np.nan)
    return np.column_stack([d.score[t], transmission, balance, closure_index(d, t), coordination_index(d, t)])


class Xoshiro256:
    """xoshiro256** seeded through SplitMix64, and the variates METHODS.md section 7 names."""
    MASK = (1 << 64) - 1

    def __init__(self, seed):
        state = seed
        words = []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & self.MASK
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
            words.append(z ^ (z >> 31))
        self.s = words
        self.spare = None

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & Xoshiro256.MASK

    def next(self):
        s0, s1, s2, s3 = self.s
        result = (self.rotl((s1 * 5) & self.MASK, 7) * 9) & self.MASK
        t = (s1 << 17) & self.MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self.rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self):
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        while True:
            u = 2 * self.uniform() - 1
            v = 2 * self.uniform() - 1
            s = u * u + v * v
            if 0 < s < 1:
                f = math.sqrt(-2 * math.log(s) / s)
                self.spare = v * f
                return u * f

    def gamma(self, a):
        if a < 1:
            return self.gamma(a + 1) * math.pow(self.uniform(), 1 / a)
        d = a - 1.0 / 3.0
        c = 1 / math.sqrt(9 * d)
        while True:
            while True:
                x = self.normal()
                v = 1 + c * x
                if v > 0:
                    break
            v = v * v * v
            u = self.uniform()
            x2 = x * x
            if u < 1 - 0.0331 * x2 * x2:
                return d * v
            if math.log(u) < 0.5 * x2 + d * (1 - v + math.log(v)):
                return d * v

    def dirichlet(self, alpha):
        g = [self.gamma(a) for a in alpha]
        total = sum(g)
        return [x / total for x in g]


def assess(d, t, flags_by_period):
    T, L = len(d.periods), len(d.levels)
    with Stage("assess: indicators of every period"):
        raw = [raw_indicators(d, u, flags_by_period[u]) for u in range(T)]
    total = sum(WEIGHTS.values())
    w = np.array([WEIGHTS[j] / total for j in INDICATORS])

    # Goalposts per level and indicator over every period; min-max to [0, 100].
    goalposts = {}
    lo = np.full((L, 5), np.nan)
    hi = np.full((L, 5), np.nan)
    stacked = np.concatenate(raw)
    levels_stacked = np.tile(d.level, T)
    for k in range(L):
        block = stacked[levels_stacked == k]
        lo[k], hi[k] = np.nanmin(block, axis=0), np.nanmax(block, axis=0)
        goalposts[d.levels[k]] = {name: (None if np.isnan(lo[k, j]) else [float(lo[k, j]), float(hi[k, j])])
                                  for j, name in enumerate(INDICATORS)}
    rows = np.flatnonzero(d.exists[t])
    x = raw[t][rows]
    lvl = d.level[rows]
    a, b = lo[lvl], hi[lvl]
    with np.errstate(invalid="ignore", divide="ignore"):
        normalised = np.where(equal(a, b), 100.0, np.clip(100 * (x - a) / (b - a), 0, 100))
    normalised[np.isnan(x) | np.isnan(a)] = np.nan
    present = ~np.isnan(normalised)
    mass = present @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        composite = np.where(mass > 0, np.where(present, normalised, 0) @ w / mass, np.nan)

    rank = np.zeros(len(rows), np.int64)
    grade = np.full(len(rows), -1)
    sizes = {}
    for k in range(L):
        at = np.flatnonzero(lvl == k)
        rank[at] = competition_ranks(composite[at])
        n = int((rank[at] > 0).sum())
        sizes[k] = n
        ranked = at[rank[at] > 0]
        grade[ranked] = grade_band(rank[ranked], n)

    # Reasons: up to two indicators with the largest positive weighted shortfall, ties (by
    # the tie rule) to the earlier indicator.
    shortfall = w * (100 - normalised)
    candidate = present & (shortfall > 0) & ~equal(shortfall, 0) & (rank[:, None] > 0)
    reasons = []
    for _ in range(2):
        best = np.full(len(rows), -1)
        for j in range(5):
            cur = np.where(best >= 0, shortfall[np.arange(len(rows)), np.maximum(best, 0)], -np.inf)
            better = candidate[:, j] & ((best < 0) | ((shortfall[:, j] > cur) & ~equal(shortfall[:, j], cur)))
            best = np.where(better, j, best)
        reasons.append(best)
        candidate[np.arange(len(rows))[best >= 0], best[best >= 0]] = False
    names = np.array(INDICATORS + [""], dtype=object)
    reason_text = np.where(reasons[1] >= 0, names[reasons[0]] + ";" + names[reasons[1]], names[reasons[0]])

    with Stage("assess: 1000 weight draws and ranks"):
        uncertainty = rank_uncertainty(composite, present, normalised, w, lvl, rank, grade, sizes, L)

    nodes = pd.DataFrame({"id": d.ids[rows], "level": np.array(d.levels, dtype=object)[lvl]})
    for j, name in enumerate(INDICATORS):
        nodes[name] = x[:, j]
    for j, name in enumerate(INDICATORS):
        nodes["normalised." + name] = normalised[:, j]
    nodes["composite"] = composite
    nodes["rank"] = pd.array(np.where(rank > 0, rank, None), dtype="Int64")
    nodes["grade"] = np.where(grade >= 0, np.array(GRADES + [None], dtype=object)[grade], None)
    nodes["reasons"] = reason_text
    for key, values in uncertainty.items():
        nodes[key] = values

    leaders = leader_rows(d, t, composite, rows)
    return {"period": d.periods[t], "weights": dict(zip(INDICATORS, w.tolist())), "goalposts": goalposts,
            "leaders": leaders, "uncertainty": {"draws": DRAWS, "concentration": CONCENTRATION, "seed": SEED}}, nodes


def rank_uncertainty(composite, present, normalised, w, lvl, rank, grade, sizes, L):
    """Median and 5-95% type-7 quantiles of each node's rank over the weight draws, and the
    share of draws in which its grade is its base grade."""
    rng = Xoshiro256(SEED)
    alpha = [CONCENTRATION * x for x in w.tolist() if x > 0]
    weights = np.array([rng.dirichlet(alpha) for _ in range(DRAWS)]).T  # (J, S)
    active = w > 0
    X = np.where(present, normalised, 0.0)[:, active]
    M = present[:, active].astype(float)
    out = {key: np.full(len(composite), np.nan) for key in ["rank_median", "rank_p05", "rank_p95", "grade_stability"]}
    batch = 100
    for k in range(L):
        at = np.flatnonzero((lvl == k) & (rank > 0))
        n = len(at)
        if n == 0:
            continue
        ranks = np.empty((n, DRAWS), np.int32)
        for first in range(0, DRAWS, batch):
            W = weights[:, first:first + batch]
            with np.errstate(invalid="ignore", divide="ignore"):
                c = (X[at] @ W) / (M[at] @ W)
            c = np.where(np.isfinite(c), c, composite[at][:, None])
            order = np.argsort(-c, axis=0)
            r = competition_ranks_sorted(np.take_along_axis(c, order, axis=0))
            np.put_along_axis(ranks[:, first:first + batch], order, r, axis=0)
        bands = grade_band(np.arange(0, n + 1), n)
        for start in range(0, n, 20000):
            chunk = ranks[start:start + 20000]
            q = np.quantile(chunk, [0.05, 0.5, 0.95], axis=1)
            rows = at[start:start + 20000]
            out["rank_p05"][rows], out["rank_median"][rows], out["rank_p95"][rows] = q
            out["grade_stability"][rows] = (bands[chunk] == grade[rows][:, None]).mean(axis=1)
    return out


def leader_rows(d, t, composite, rows):
    if d.leaders is None:
        return []
    by_node = np.full(d.N, np.nan)
    by_node[rows] = composite
    leaders = d.leaders[d.leaders["period"] == d.periods[t]].reset_index(drop=True)
    node = d.ids.get_indexer(leaders["node"])
    own = np.where(node >= 0, by_node[np.maximum(node, 0)], np.nan)
    overseen = leaders["oversees"].str.split(";").explode().str.strip()
    overseen = overseen[overseen != ""]
    where = d.ids.get_indexer(overseen)
    values = pd.Series(np.where(where >= 0, by_node[np.maximum(where, 0)], np.nan), index=overseen.index)
    mean = values.groupby(level=0).mean().reindex(leaders.index).to_numpy()
    total = LEADER_OWN + LEADER_OVERSEES
    value = np.where(np.isnan(own), mean, np.where(np.isnan(mean), own, LEADER_OWN / total * own + LEADER_OVERSEES / total * mean))
    rank = competition_ranks(value)
    n = int((rank > 0).sum())
    grade = grade_band(rank, n) if n else np.zeros(len(rank), int)
    return [{"person": p, "composite": None if np.isnan(v) else float(v), "rank": int(r) if r > 0 else None,
             "grade": GRADES[g] if r > 0 else None}
            for p, v, r, g in zip(leaders["person"], value, rank, grade)]


# ---------------------------------------------------------------- main

def clean(value):
    """JSON: numpy scalars to Python, NaN to null."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--out", required=True)
    parser.add_argument("--reml", choices=["direct", "statsmodels"], default="direct")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()

    with Stage("load"):
        d = Data(args.dataset)
    t = len(d.periods) - 1
    if not d.has_risks:
        sys.exit("peer: --adjust risk needs a non-empty risks.csv")

    with Stage("attenuation"):
        att, att_nodes = attenuation(d, t, args.reml)

    # Section 3 on every level below the top in every period (assess's balance); the bottom
    # level of the latest period, with its p- and q-values, is the imbalance analysis.
    flags = [np.full(d.N, -1) for _ in d.periods]
    bottom = len(d.levels) - 1
    with Stage("imbalance (GLM + funnel)"):
        f = cold_hot(d, t, bottom, tests=True)
        imb, imb_nodes = imbalance(d, t, f)
        flags[t][f["rows"]] = f["flag"]
    with Stage("assess: section 3 flags of the other levels and periods"):
        for u in range(len(d.periods)):
            for k in range(1, len(d.levels)):
                if (u, k) == (t, bottom):
                    continue
                r = cold_hot(d, u, k)
                if r is not None:
                    flags[u][r["rows"]] = r["flag"]
    with Stage("assess"):
        ass, ass_nodes = assess(d, t, flags)

    with Stage("write"):
        for name, summary, nodes in [("attenuation", att, att_nodes), ("imbalance", imb, imb_nodes),
                                     ("assess", ass, ass_nodes)]:
            (out / f"{name}.json").write_text(json.dumps(clean(summary), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            nodes.to_csv(out / f"{name}_nodes.csv", index=False)
    TIMINGS["total"] = time.perf_counter() - start
    print("peer: total: %.2f s" % TIMINGS["total"], file=sys.stderr)
    (out / "timings.json").write_text(json.dumps(TIMINGS, indent=1) + "\n")


if __name__ == "__main__":
    main()
