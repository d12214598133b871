#!/usr/bin/env python3
"""Writes the fixtures of the end-to-end funnel-limit test (Tests/ChuandaoCLITests,
"imbalance limits match pandas, statsmodels and scipy"): `chuandao imbalance` must give
these expected counts, phi, tau2 and limits to 1e-6 relative.

1. Tests/ChuandaoCLITests/Fixtures/overdispersed/: a dataset made here with numpy, not by
   Chuandao's generator, with planted overdispersion: 3 bureaus x 10 units x 12 branches,
   one period; each branch's supervision is gamma-Poisson (1/k = 0.3) around
   members x 0.6 x exp(0.25 x risk in its domain), spread over the six domains; risks.csv
   gives every branch a risk per domain.
2. For that dataset and for datasets/sample (bottom level, last period), the reference:
   pandas reads the CSV files as DATA.md defines them (members.csv overriding org.csv,
   nodes that exist in the period with members > 0, counts summed over kinds); the
   expected counts come from statsmodels' Poisson GLM with one dummy per domain and the
   risk, offset log(members) (domains without supervision left out, as METHODS.md
   section 3 says) or, with `adjust: none`, members x total/total members; phi, tau2 and
   the limits follow METHODS.md section 3 with numpy and scipy (scipy.stats.nbinom and
   poisson for the exact limits). Both dispersion methods are written for the sample.
   Each node's two-sided p-value, 2 min(F(O), P(X >= O)) capped at 1 under the same
   distribution (2 Phi(-|z|) of the adjusted z for the classic method when overdispersed),
   and the Benjamini-Hochberg q-values over the level from statsmodels' multipletests
   (docs/flags-and-chance.md).

Run from the repository root (rewrites the dataset and the reference):
    python3 Tests/Fixtures-scripts/cli/imbalance_limits.py
Needs numpy (2.4.6 used), pandas (3.1.1 used), statsmodels (0.15.0 used), scipy (1.17.1
used), PyYAML.
"""

import json
import math
import pathlib

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
import yaml
from statsmodels.stats.multitest import multipletests
from scipy import stats

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "Tests" / "ChuandaoCLITests" / "Fixtures"
DOMAINS = ["finance", "engineering", "personnel", "assets", "procurement", "other"]
C = 0.8 - 2 * stats.norm.ppf(0.9) * stats.norm.pdf(stats.norm.ppf(0.9)) + 0.2 * stats.norm.ppf(0.9) ** 2
PROBS = [0.001, 0.025, 0.975, 0.999]


def make_overdispersed(folder):
    rng = np.random.default_rng(20261207)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yaml").write_text(
        "name: overdispersed (numpy, seed 20261207)\nperiods: [\"2025\"]\n", encoding="utf-8")
    org = ["id,parent,level,name,members"]
    supervision = ["period,node,kind,domain,count"]
    risks = ["period,node,domain,risk"]
    for b in range(3):
        org.append(f"B{b},,bureau,局{b},{int(rng.integers(30, 80))}")
        for u in range(10):
            org.append(f"B{b}-U{u},B{b},unit,单位{b}-{u},{int(rng.integers(20, 60))}")
            for z in range(12):
                node = f"B{b}-U{u}-Z{z}"
                members = int(rng.integers(8, 60))
                org.append(f"{node},B{b}-U{u},branch,支部{b}-{u}-{z},{members}")
                theta = rng.gamma(1 / 0.3, 0.3)
                for d, domain in enumerate(DOMAINS):
                    risk = round(float(rng.uniform(0.5, 2.0)), 2)
                    risks.append(f"2025,{node},{domain},{risk}")
                    mean = members * 0.6 / 6 * math.exp(0.25 * risk) * theta
                    count = int(rng.poisson(mean))
                    if count > 0:
                        kind = ["reminder", "interview", "inspection"][int(rng.integers(0, 3))]
                        supervision.append(f"2025,{node},{kind},{domain},{count}")
    for name, lines in [("org.csv", org), ("supervision.csv", supervision), ("risks.csv", risks)]:
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(folder, period, level):
    """The level's nodes that exist in `period` with members > 0, their members, counts by
    domain and risk by domain."""
    manifest = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    periods = [str(p) for p in manifest["periods"]]
    domains = manifest.get("domains", DOMAINS)
    t = periods.index(period)
    org = pd.read_csv(folder / "org.csv", dtype=str, keep_default_na=False)
    org = org[org["level"] == level].copy()

    def exists(row):
        lo = periods.index(row["valid_from"]) if row.get("valid_from", "") else 0
        hi = periods.index(row["valid_to"]) if row.get("valid_to", "") else len(periods) - 1
        return lo <= t <= hi

    org = org[org.apply(exists, axis=1)]
    members = org.set_index("id")["members"].astype(int)
    if (folder / "members.csv").exists():
        m = pd.read_csv(folder / "members.csv", dtype=str)
        m = m[m["period"] == period]
        for node, value in zip(m["node"], m["members"]):
            if node in members.index:
                members[node] = int(value)
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


def expected_counts(members, counts, risk, adjust):
    if adjust == "none":
        return members * counts.to_numpy().sum() / members.sum()
    kept = [d for d in counts.columns if counts[d].sum() > 0]
    long = pd.DataFrame({
        "node": np.repeat(counts.index, len(kept)),
        "domain": np.tile(kept, len(counts.index)),
    })
    long["y"] = [counts.loc[n, d] for n, d in zip(long["node"], long["domain"])]
    long["risk"] = [risk.loc[n, d] for n, d in zip(long["node"], long["domain"])]
    long["offset"] = np.log(members.loc[long["node"]].to_numpy())
    x = pd.get_dummies(long["domain"]).astype(float)[kept]
    if any(long[long["domain"] == d]["risk"].nunique() > 1 for d in kept):
        x["risk"] = long["risk"]
    fit = sm.GLM(long["y"], x, family=sm.families.Poisson(), offset=long["offset"]).fit(
        tol=1e-13, maxiter=100)
    long["mu"] = fit.fittedvalues
    return long.groupby("node", sort=False)["mu"].sum().reindex(counts.index)


def limit(e, tau2, p):
    dist = stats.poisson(e) if tau2 == 0 else stats.nbinom(1 / (4 * tau2), (1 / (4 * tau2)) / (1 / (4 * tau2) + e))
    r = int(dist.ppf(p))
    while r > 0 and dist.cdf(r - 1) >= p:
        r -= 1
    while dist.cdf(r) < p:
        r += 1
    hi = dist.cdf(r)
    lo = dist.cdf(r - 1) if r > 0 else 0.0
    return max(0.0, (r - (hi - p) / (hi - lo)) / e)


def funnel(observed, expected, dispersion):
    o, e = np.asarray(observed, float), np.asarray(expected, float)
    n = len(o)
    ft = np.sqrt(o) + np.sqrt(o + 1) - np.sqrt(4 * e + 1)
    q10, q90 = np.percentile(ft, [10, 90], method="linear")
    phi = float(np.mean(np.clip(ft, q10, q90) ** 2))
    if dispersion == "consistent":
        phi /= C
    if phi > 1:
        w = 4 * e
        tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
    else:
        tau2 = None
    limits = []
    pvalues = []
    for oi, ei in zip(o, e):
        if tau2 is not None and dispersion == "spiegelhalter":
            z = (math.sqrt(oi / ei) - 1) / math.sqrt(1 / (4 * ei) + tau2)
            pvalues.append(min(1.0, 2 * stats.norm.cdf(-abs(z))))
        else:
            t = tau2 or 0.0
            dist = stats.poisson(ei) if t == 0 else stats.nbinom(1 / (4 * t), (1 / (4 * t)) / (1 / (4 * t) + ei))
            pvalues.append(min(1.0, 2 * min(dist.cdf(oi), dist.sf(oi - 1))))
    for ei in e:
        if tau2 is not None and dispersion == "spiegelhalter":
            sd = math.sqrt(1 / (4 * ei) + tau2)
            z = [-3.090232, -1.959964, 1.959964, 3.090232]
            limits.append([max(0.0, 1 + zz * sd) ** 2 for zz in z])
        else:
            limits.append([limit(ei, tau2 or 0.0, p) for p in PROBS])
    return phi, tau2, limits, pvalues


def reference(name, folder, period, level, adjust, dispersion):
    nodes, members, counts, risk = load(folder, period, level)
    observed = counts.sum(axis=1)
    expected = expected_counts(members, counts, risk, adjust)
    phi, tau2, limits, pvalues = funnel(observed, expected, dispersion)
    qvalues = multipletests(pvalues, method="fdr_bh")[1]
    return {
        "name": name, "dataset": str(folder.relative_to(ROOT)), "period": period,
        "level": level, "adjust": adjust, "dispersion": dispersion, "phi": phi, "tau2": tau2,
        "nodes": [
            {"id": n, "observed": float(observed[n]), "expected": float(expected[n]),
             "lower998": l[0], "lower95": l[1], "upper95": l[2], "upper998": l[3],
             "p": float(pv), "q": float(qv)}
            for n, l, pv, qv in zip(nodes, limits, pvalues, qvalues)
        ],
    }


def main():
    overdispersed = FIXTURES / "overdispersed"
    make_overdispersed(overdispersed)
    sample = ROOT / "datasets" / "sample"
    cases = [
        reference("overdispersed, risk-adjusted", overdispersed, "2025", "branch", "risk", "consistent"),
        reference("overdispersed, by members", overdispersed, "2025", "branch", "none", "consistent"),
        reference("sample, risk-adjusted", sample, "2025", "branch", "risk", "consistent"),
        reference("sample, risk-adjusted, classic", sample, "2025", "branch", "risk", "spiegelhalter"),
        reference("sample units, by members", sample, "2023", "unit", "none", "consistent"),
    ]
    document = {
        "generator": "Tests/Fixtures-scripts/cli/imbalance_limits.py",
        "versions": {"numpy": np.__version__, "pandas": pd.__version__,
                     "statsmodels": statsmodels.__version__, "scipy": scipy.__version__},
        "cases": cases,
    }
    path = FIXTURES / "imbalance_limits.json"
    path.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    for c in cases:
        print(f"{c['name']}: {len(c['nodes'])} nodes, phi {c['phi']:.4f}, tau2 {c['tau2']}")


if __name__ == "__main__":
    main()
