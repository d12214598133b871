#!/usr/bin/env python3
"""Issue 14: chuandao against its pandas + statsmodels peer, side by side.

    python3 Benchmarks/peers/compare.py DATASET [--rounds 3] [--chuandao PATH] [--keep DIR]

Side A is chuandao, the three commands one after the other, each with its JSON on stdout
redirected to a file:
    chuandao attenuation DATASET --format json
    chuandao imbalance DATASET --adjust risk --format json
    chuandao assess DATASET --format json
Side B is `python3 Benchmarks/peers/peer.py DATASET --out DIR` (same Python as this script).

One warm-up of each side, then A B A B ... for --rounds rounds. Each child is timed by wall
clock (time.perf_counter around start and reap) and its peak resident memory is the
kernel's maxrss of that child (os.wait4's rusage); a side's memory is the largest of its
processes, its time the sum of its processes' wall times. The table gives each side's
median over the rounds, the ratio B/A of the medians, and the range of the per-round
ratios.

Then the last round's outputs are compared number by number (tolerances in TOLERANCES
below and in Benchmarks/peers/README.md). Exit status: 0 when everything agrees, 1 when
something disagrees (each disagreement is printed, the first 20 of each kind), 2 when a
command failed.
"""

import argparse
import json
import math
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# Relative tolerance (math.isclose rel_tol, with abs_tol for values near 0).
TOLERANCES = {
    # Closed-form figures, GLM fits to convergence, exact limits: agree to rounding.
    "deterministic": (1e-6, 1e-9),
    # REML variance components: both optimisers stop on a flat optimum; the log-likelihood
    # agrees far more tightly than the parameters that maximise it.
    "variance": (1e-4, 1e-9),
    "reml_loglik": (1e-9, 0.0),
    # Rank quantiles and grade stability from the same 1000 draws (the same generator):
    # the ranks are integers and agree exactly unless two composites fall within 1e-9 of
    # each other differently after a different summation order; allow 1e-9.
    "ranks": (1e-9, 1e-9),
}


class Mismatches:
    def __init__(self):
        self.items = {}
        self.checked = 0
        self.largest = {}  # tolerance class -> (relative difference, figure)

    def check(self, what, ours, peer, tol="deterministic"):
        self.checked += 1
        if not agree(ours, peer, TOLERANCES[tol]):
            self.items.setdefault(what.split("[")[0], []).append(f"{what}: chuandao {ours!r}, peer {peer!r}")
        elif isinstance(ours, (int, float)) and not isinstance(ours, bool) and not missing(ours) and ours != peer:
            scale = max(abs(ours), abs(peer))
            rel = abs(ours - peer) / scale
            if scale > 1e-3 and rel > self.largest.get(tol, (0, ""))[0]:
                self.largest[tol] = (rel, f"{what}: {ours!r} against {peer!r}")

    def report(self):
        for tol, (rel, what) in sorted(self.largest.items()):
            print(f"  largest relative difference ({tol}, values above 1e-3): {rel:.1e}, {what}")
        for kind, items in self.items.items():
            print(f"  DISAGREE {kind}: {len(items)}")
            for line in items[:20]:
                print(f"    {line}")
        return not self.items


def missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def agree(a, b, tol):
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    rel, abs_ = tol
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


# ---------------------------------------------------------------- running and timing

def run(argv, stdout_path=None):
    """Runs argv; returns (wall seconds, peak RSS bytes, exit status)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    err = open(str(stdout_path or os.devnull) + ".stderr", "wb") if stdout_path else subprocess.DEVNULL
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=out, stderr=err)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if stdout_path:
        out.close()
        err.close()
    return wall, usage.ru_maxrss * 1024, process.returncode


def side_a(chuandao, dataset, folder):
    folder.mkdir(parents=True, exist_ok=True)
    wall, peak, failed = 0.0, 0, []
    for name, extra in [("attenuation", []), ("imbalance", ["--adjust", "risk"]), ("assess", [])]:
        w, m, rc = run([chuandao, name, dataset, *extra, "--format", "json"], folder / f"{name}.json")
        wall += w
        peak = max(peak, m)
        if rc != 0:
            failed.append(f"chuandao {name} exited {rc} (stderr in {folder / name}.json.stderr)")
    return wall, peak, failed


def side_b(dataset, folder):
    folder.mkdir(parents=True, exist_ok=True)
    w, m, rc = run([sys.executable, str(HERE / "peer.py"), dataset, "--out", str(folder)], folder / "stdout.txt")
    return w, m, [] if rc == 0 else [f"peer.py exited {rc} (stderr in {folder}/stdout.txt.stderr)"]


# ---------------------------------------------------------------- the agreement check

def by_id(rows, key="id"):
    return {r[key]: r for r in rows}


def compare_attenuation(ours, peer_dir, mm):
    peer = json.loads((peer_dir / "attenuation.json").read_text(encoding="utf-8"))
    nodes = pd.read_csv(peer_dir / "attenuation_nodes.csv", dtype={"id": str}, keep_default_na=False,
                        na_values=[""])
    for key in ["end_retention", "per_step_attenuation"]:
        mm.check(f"attenuation.{key}", ours[key], peer[key])
    for s, (a, b) in enumerate(zip(ours["steps"], peer["steps"])):
        for key in ["n", "parents", "tau", "ci_low", "ci_high", "attenuation"]:
            mm.check(f"attenuation.steps[{s}].{key}", a[key], b[key])
    if len(ours["steps"]) != len(peer["steps"]):
        mm.check("attenuation.steps (count)", len(ours["steps"]), len(peer["steps"]))
    peer_groups = by_id(peer["groups"])
    mm.check("attenuation.groups (count)", len(ours["groups"]), len(peer_groups))
    for g in ours["groups"]:
        p = peer_groups.get(g["id"], {"steps": [], "end_retention": "absent"})
        mm.check(f"attenuation.groups[{g['id']}].end_retention", g["end_retention"], p["end_retention"])
        for s, (a, b) in enumerate(zip(g["steps"], p["steps"])):
            mm.check(f"attenuation.groups[{g['id']}].steps[{s}].n", a["n"], b["n"])
            mm.check(f"attenuation.groups[{g['id']}].steps[{s}].tau", a["tau"], b["tau"])
    for key in ["attenuated", "amplified"]:
        mm.check(f"attenuation.chance.{key}.found", ours["chance"][key]["found"], peer["chance"][key]["found"])
    compare_nodes("attenuation.nodes", ours["nodes"], nodes, ["level", "ratio", "z", "flag", "p", "q"], mm)
    v, pv = ours["variance"], peer["variance"]
    mm.check("attenuation.variance.observations", v["observations"], pv["observations"])
    for a, b in zip(v["components"], pv["components"]):
        mm.check(f"attenuation.variance[{a['level']}].variance", a["variance"], b["variance"], "variance")
        mm.check(f"attenuation.variance[{a['level']}].share", a["share"], b["share"], "variance")
    mm.check("attenuation.variance.residual", v["residual"], pv["residual"], "variance")
    mm.check("attenuation.variance.residual_share", v["residual_share"], pv["residual_share"], "variance")
    mm.check("attenuation.variance.singular", v["singular"], pv["singular"])
    mm.check("attenuation.variance.reml_loglik", v["reml_loglik"], pv["reml_loglik"], "reml_loglik")
    return {"variance": (v, pv)}


def compare_nodes(what, ours_rows, peer_frame, keys, mm, tol=None):
    """Every node of ours against the peer's row of the same id (and the same set of ids)."""
    peer_rows = peer_frame.set_index("id")
    ours_ids = [r["id"] for r in ours_rows]
    missing_ids = set(ours_ids).symmetric_difference(peer_rows.index)
    mm.check(f"{what} (ids only on one side)", len(missing_ids), 0)
    columns = {key: peer_rows[key].to_dict() for key in keys if key in peer_rows.columns}
    for r in ours_rows:
        i = r["id"]
        if i not in peer_rows.index:
            continue
        for key in keys:
            value = columns[key][i]
            if isinstance(value, (np.floating,)):
                value = float(value)
            elif isinstance(value, (np.integer,)):
                value = int(value)
            elif isinstance(value, np.bool_):
                value = bool(value)
            mm.check(f"{what}[{i}].{key}", r[key], value, (tol or {}).get(key, "deterministic"))


def compare_imbalance(ours, peer_dir, mm):
    peer = json.loads((peer_dir / "imbalance.json").read_text(encoding="utf-8"))
    nodes = pd.read_csv(peer_dir / "imbalance_nodes.csv", dtype={"id": str, "flag": str}, keep_default_na=False,
                        na_values=[""])
    for key in ["level", "phi", "tau2", "overdispersed", "gini", "theil", "theil_between", "theil_within", "cv",
                "early_share"]:
        mm.check(f"imbalance.{key}", ours[key], peer[key])
    for key in ["cold", "cool", "warm", "hot"]:
        mm.check(f"imbalance.chance.{key}.found", ours["chance"][key]["found"], peer["chance"][key]["found"])
    peer_domains = by_id(peer["domains"], "domain")
    for dom in ours["domains"]:
        for key in ["supervision_share", "risk_share", "coverage", "blind_spot"]:
            mm.check(f"imbalance.domains[{dom['domain']}].{key}", dom[key], peer_domains[dom["domain"]][key])
    for name, value in ours["glm"]["coefficients"].items():
        mm.check(f"imbalance.glm.coefficients[{name}]", value, peer["glm"]["coefficients"].get(name))
    mm.check("imbalance.glm.deviance", ours["glm"]["deviance"], peer["glm"]["deviance"])
    compare_nodes("imbalance.nodes", ours["nodes"], nodes,
                  ["observed", "expected", "ratio", "z", "lower95", "upper95", "lower998", "upper998", "flag",
                   "low_power", "early_share", "p", "q"], mm)


def compare_assess(ours, peer_dir, mm):
    peer = json.loads((peer_dir / "assess.json").read_text(encoding="utf-8"))
    nodes = pd.read_csv(peer_dir / "assess_nodes.csv", dtype={"id": str, "reasons": str, "grade": str},
                        keep_default_na=False, na_values=[""])
    nodes["reasons"] = nodes["reasons"].fillna("")
    for name, value in ours["weights"].items():
        mm.check(f"assess.weights[{name}]", value, peer["weights"][name])
    for level, posts in ours["goalposts"].items():
        for name, post in posts.items():
            other = peer["goalposts"][level][name]
            mm.check(f"assess.goalposts[{level}][{name}].min", None if post is None else post[0],
                     None if other is None else other[0])
            mm.check(f"assess.goalposts[{level}][{name}].max", None if post is None else post[1],
                     None if other is None else other[1])
    flat = []
    for r in ours["nodes"]:
        row = {"id": r["id"], "level": r["level"], "composite": r["composite"], "rank": r["rank"],
               "grade": r["grade"], "reasons": ";".join(r["reasons"]), "rank_median": r["rank_median"],
               "rank_p05": r["rank_p05"], "rank_p95": r["rank_p95"], "grade_stability": r["grade_stability"]}
        for name, value in r["indicators"].items():
            row[name] = value
        for name, value in r["normalised"].items():
            row["normalised." + name] = value
        flat.append(row)
    keys = [k for k in flat[0] if k != "id"] if flat else []
    ranks = {k: "ranks" for k in ["rank_median", "rank_p05", "rank_p95", "grade_stability"]}
    compare_nodes("assess.nodes", flat, nodes, keys, mm, ranks)
    peer_leaders = by_id(peer["leaders"], "person")
    mm.check("assess.leaders (count)", len(ours["leaders"]), len(peer_leaders))
    for r in ours["leaders"]:
        p = peer_leaders.get(r["person"], {})
        for key in ["composite", "rank", "grade"]:
            mm.check(f"assess.leaders[{r['person']}].{key}", r[key], p.get(key, "absent"))
    return flat, nodes


def check(a_dir, b_dir):
    """Compares chuandao's JSON in a_dir with the peer's outputs in b_dir; prints the verdict."""
    mm = Mismatches()
    ours = {name: json.loads((a_dir / f"{name}.json").read_text(encoding="utf-8"))
            for name in ["attenuation", "imbalance", "assess"]}
    extra = compare_attenuation(ours["attenuation"], b_dir, mm)
    compare_imbalance(ours["imbalance"], b_dir, mm)
    compare_assess(ours["assess"], b_dir, mm)
    v, pv = extra["variance"]
    print(f"REML: chuandao {[c['variance'] for c in v['components']]} + {v['residual']}, logLik {v['reml_loglik']}; "
          f"peer {[c['variance'] for c in pv['components']]} + {pv['residual']}, logLik {pv['reml_loglik']}")
    print(f"agreement: {mm.checked:,} figures compared "
          f"(tolerances: {', '.join(f'{k} rel {r:g} abs {a:g}' for k, (r, a) in TOLERANCES.items())})")
    ok = mm.report()
    print("AGREE" if ok else "DISAGREE")
    return ok


# ---------------------------------------------------------------- main

def mb(x):
    return f"{x / 1e6:,.0f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chuandao", default=str(ROOT / ".build" / "release" / "chuandao"))
    parser.add_argument("--keep", help="keep the last round's outputs in this folder")
    parser.add_argument("--check-only", metavar="DIR",
                        help="run nothing: compare the outputs kept in DIR by an earlier --keep DIR")
    args = parser.parse_args()
    if args.check_only:
        work = pathlib.Path(args.check_only)
        ok = check(work / "chuandao", work / "peer")
        sys.exit(0 if ok else 1)
    dataset = str(pathlib.Path(args.dataset).resolve())
    chuandao = str(pathlib.Path(args.chuandao).resolve())
    if not os.access(chuandao, os.X_OK):
        sys.exit(f"compare.py: no chuandao binary at {chuandao} (build it, or give --chuandao PATH)")
    work = pathlib.Path(args.keep) if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="chuandao-peers-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    print(f"dataset {dataset}; chuandao {chuandao}; peer {HERE / 'peer.py'} ({sys.executable})")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}")

    a_dir, b_dir = work / "chuandao", work / "peer"
    results = {"A": [], "B": []}
    failures = []
    for round_ in range(args.rounds + 1):
        label = "warm-up" if round_ == 0 else f"round {round_}"
        wa, ma, fa = side_a(chuandao, dataset, a_dir)
        wb, mb_, fb = side_b(dataset, b_dir)
        failures += fa + fb
        print(f"{label}: chuandao {wa:7.2f} s {mb(ma):>9}   peer {wb:7.2f} s {mb(mb_):>9}   ratio {wb / wa:6.1f}",
              flush=True)
        if round_ > 0:
            results["A"].append((wa, ma))
            results["B"].append((wb, mb_))
        if failures:
            break
    if failures:
        print("\n".join(failures))
        sys.exit(2)

    ta = statistics.median(w for w, _ in results["A"])
    tb = statistics.median(w for w, _ in results["B"])
    pa = max(m for _, m in results["A"])
    pb = max(m for _, m in results["B"])
    ratios = [b[0] / a[0] for a, b in zip(results["A"], results["B"])]
    peer_stages = json.loads((b_dir / "timings.json").read_text())

    print()
    print(f"| side | median wall (of {args.rounds}) | peak RSS |")
    print("|---|---|---|")
    print(f"| chuandao (attenuation + imbalance --adjust risk + assess, JSON) | {ta:.2f} s | {mb(pa)} |")
    print(f"| peer (pandas + statsmodels + scipy) | {tb:.2f} s | {mb(pb)} |")
    print(f"| peer / chuandao | **{tb / ta:.1f}x** (rounds {min(ratios):.1f}-{max(ratios):.1f}) | {pb / pa:.1f}x |")
    print()
    print("peer stages (last round): " + ", ".join(f"{k} {v:.1f} s" for k, v in peer_stages.items()))
    ok = check(a_dir, b_dir)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"outputs kept in {work}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
