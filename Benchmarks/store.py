#!/usr/bin/env python3
"""The history store on the province preset (docs/store.md): importing it, importing it
again (nothing changed), and `imbalance --store` against `imbalance` on the folder.

    python3 Benchmarks/store.py CHUANDAO [--runs N] [--out FILE]

CHUANDAO is the executable (a release build). The province preset (200x50x20, 3 periods,
seed 1) is made once per machine under $CHUANDAO_BENCH_DIR (default /tmp/chuandao-bench)
as `province-utf8` (shared with the loader benchmarks; a `.complete` marker says it is
whole). Every run is under `/usr/bin/time -v`: wall clock and peak RSS.

The analyses are timed as a user meets them: the first run of each (the folder's writes
its dataset snapshot; the store's composes its dataset folder into the cache and writes
that snapshot), then RUNS (default 3) warm runs, of which the median is reported with the
ratio store / folder (issue #15's target: at most 1.5). SOURCE_DATE_EPOCH is fixed and the
cache is a folder of this run's own.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile


def timed(argv, env):
    p = subprocess.run(["/usr/bin/time", "-v"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(argv)}\n{p.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return seconds, rss


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    chuandao = os.path.abspath(args[0])
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    out = args[args.index("--out") + 1] if "--out" in args else None
    bench = os.environ.get("CHUANDAO_BENCH_DIR", "/tmp/chuandao-bench")
    province = os.path.join(bench, "province-utf8")
    if not os.path.exists(os.path.join(province, ".complete")):
        shutil.rmtree(province, ignore_errors=True)
        os.makedirs(bench, exist_ok=True)
        subprocess.run([chuandao, "generate", province, "--preset", "province", "--seed", "1"], check=True, stdout=subprocess.DEVNULL)
        open(os.path.join(province, ".complete"), "w").close()

    work = tempfile.mkdtemp(prefix="chuandao-store-bench-")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1800000000", CHUANDAO_CACHE=os.path.join(work, "cache"))
    env.pop("CHUANDAO_NO_CACHE", None)
    store = os.path.join(work, "province.sqlite")
    rows = []
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), file=sys.stderr)
    subprocess.run([chuandao, "store", "init", "--store", store], check=True, stdout=subprocess.DEVNULL, env=env)
    rows.append(("store import (3 periods, 210,246 nodes)",) + timed([chuandao, "store", "import", province, "--store", store], env))
    rows.append(("store import again (nothing changed)",) + timed([chuandao, "store", "import", province, "--store", store], env))
    size = os.path.getsize(store) / 1e6

    folder_cmd = [chuandao, "imbalance", province, "--format", "json"]
    store_cmd = [chuandao, "imbalance", "--store", store, "--format", "json"]
    rows.append(("imbalance, folder, first run (writes the snapshot)",) + timed(folder_cmd, env))
    rows.append(("imbalance --store, first run (composes, writes the snapshot)",) + timed(store_cmd, env))
    warm = {}
    for name, cmd in [("folder", folder_cmd), ("store", store_cmd)]:
        results = [timed(cmd, env) for _ in range(runs)]
        warm[name] = (statistics.median(r[0] for r in results), max(r[1] for r in results))
        rows.append((f"imbalance, {name}, warm (median of {runs})",) + warm[name])
    no_cache = [(name, timed(cmd + ["--no-cache"], env)) for name, cmd in [("folder", folder_cmd), ("store", store_cmd)]]
    for name, r in no_cache:
        rows.append((f"imbalance --no-cache, {name}",) + r)

    lines = ["| step | wall (s) | peak RSS (MB) |", "|---|---:|---:|"]
    lines += [f"| {n} | {s:.2f} | {m:.0f} |" for n, s, m in rows]
    lines.append("")
    lines.append(f"Store file: {size:.0f} MB. Warm ratio store / folder: {warm['store'][0] / warm['folder'][0]:.2f}; "
                 f"without the cache: {no_cache[1][1][0] / no_cache[0][1][0]:.2f}.")
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        open(out, "w").write(text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
