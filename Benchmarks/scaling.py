#!/usr/bin/env python3
"""How time and memory grow with the size of the organisation: the generator, the load,
each analysis and the report on generated datasets of about 10 thousand, 100 thousand,
1 million and 5 million nodes (the national preset), under `/usr/bin/time -v`.

    python3 Benchmarks/scaling.py CHUANDAO [SIZE ...] [--runs N] [--out FILE]

CHUANDAO is the executable (a release build). SIZE is any of 10k 100k 1m 5m (default: all
four). The datasets are made once per machine under $CHUANDAO_BENCH_DIR (default
/tmp/chuandao-bench) as `scale-SIZE`, and reused while complete (a `.complete` marker,
written after the generator finished; the generator's own time and peak are measured
then, and kept in `.generate.json`). Delete a folder after changing the generator.

Each command runs RUNS times (default 1) and the median wall clock and the largest peak
RSS are reported, as a Markdown table on stdout (and in FILE with --out). When the build
has the dataset snapshot (`--no-cache` in `chuandao attenuation --help`), the load and the
analyses run from the CSV files (`--no-cache`), and the load is timed a second time from
the snapshot (`summary` after a run that wrote it). SOURCE_DATE_EPOCH is fixed so that
runs write the same bytes; `uptime` is printed before each size, since the cores may be
shared.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time

SIZES = {
    # name: (generator arguments, approximate nodes)
    "10k": (["--shape", "20x25x20"], 10_520),
    "100k": (["--shape", "100x50x20"], 105_100),
    "1m": (["--shape", "500x100x20"], 1_050_500),
    "5m": (["--preset", "national"], 5_202_000),
}

COMMANDS = [
    ("load (summary)", ["summary"]),
    ("attenuation", ["attenuation"]),
    ("imbalance --adjust risk", ["imbalance", "--adjust", "risk"]),
    ("coordination", ["coordination"]),
    ("closure", ["closure"]),
    ("trend", ["trend"]),
    ("assess (1000 draws)", ["assess"]),
]


def timed(argv, env=None):
    """Wall seconds and peak RSS (MB) of one run; exits on failure."""
    # stdout to /dev/null: a national command's JSON is gigabytes.
    p = subprocess.run(["/usr/bin/time", "-v"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(argv)}\n{p.stderr[-3000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, m, s = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    return seconds, rss


def dataset(chuandao, bench, name):
    folder = os.path.join(bench, f"scale-{name}")
    marker = os.path.join(folder, ".complete")
    record = os.path.join(folder, ".generate.json")
    if not os.path.exists(marker):
        if os.path.exists(folder):
            subprocess.run(["rm", "-rf", folder], check=True)
        os.makedirs(bench, exist_ok=True)
        args, _ = SIZES[name]
        seconds, rss = timed([chuandao, "generate", folder] + args + ["--seed", "1"])
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        with open(record, "w") as f:
            json.dump({"seconds": seconds, "peak_mb": rss, "bytes": size}, f)
        open(marker, "w").close()
    with open(record) as f:
        return folder, json.load(f)


def csv_megabytes(folder):
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".csv")) / 1e6


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    chuandao = os.path.abspath(args.pop(0))
    runs, out = 1, None
    sizes = []
    while args:
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        elif a == "--out":
            out = args.pop(0)
        elif a in SIZES:
            sizes.append(a)
        else:
            sys.exit(f"unknown argument {a!r}\n\n{__doc__}")
    sizes = sizes or list(SIZES)
    bench = os.environ.get("CHUANDAO_BENCH_DIR", "/tmp/chuandao-bench")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1796662486")
    help_text = subprocess.run([chuandao, "attenuation", "--help"], capture_output=True, text=True).stdout
    snapshot = "--no-cache" in help_text
    if snapshot:
        env["CHUANDAO_CACHE"] = os.path.join(bench, "cache")
    lines = ["| size | nodes | CSV MB | step | wall s | peak MB | CSV MB/s |", "|---|---|---|---|---|---|---|"]
    for name in sizes:
        print(f"# {name}: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", file=sys.stderr)
        folder, generated = dataset(chuandao, bench, name)
        mb = csv_megabytes(folder)
        nodes = f"{SIZES[name][1]:,}"
        row = lambda step, s, rss, rate="": lines.append(f"| {name} | {nodes} | {mb:,.0f} | {step} | {s:.1f} | {rss:,.0f} | {rate} |")
        row("generate", generated["seconds"], generated["peak_mb"], f"{generated['bytes'] / 1e6 / generated['seconds']:.0f} (written)")
        for step, argv in COMMANDS:
            extra = ["--no-cache"] if snapshot else []
            results = [timed([chuandao] + argv + [folder, "--format", "json"] + extra, env) for _ in range(runs)]
            s = statistics.median(r[0] for r in results)
            rss = max(r[1] for r in results)
            row(step + (" from CSV" if snapshot else ""), s, rss, f"{mb / s:.0f}" if step.startswith("load") else "")
            print(f"  {step}: {s:.1f} s, {rss:,.0f} MB", file=sys.stderr)
        if snapshot:
            timed([chuandao, "summary", folder, "--format", "json"], env)  # writes the snapshot
            results = [timed([chuandao, "summary", folder, "--format", "json"], env) for _ in range(runs)]
            row("load (summary) from snapshot", statistics.median(r[0] for r in results), max(r[1] for r in results))
        report = os.path.join(bench, f"scale-{name}-report")
        results = [timed([chuandao, "report", folder, "--out", report] + (["--no-cache"] if snapshot else []), env) for _ in range(runs)]
        row("report" + (" from CSV" if snapshot else ""), statistics.median(r[0] for r in results), max(r[1] for r in results))
        html = os.path.getsize(os.path.join(report, "report.html")) / 1e6
        lines.append(f"| {name} | {nodes} | {mb:,.0f} | report.html size | | | {html:.1f} MB |")
        if snapshot:
            results = [timed([chuandao, "report", folder, "--out", report], env) for _ in range(runs)]
            row("report, inputs unchanged (snapshot)", statistics.median(r[0] for r in results), max(r[1] for r in results))
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
