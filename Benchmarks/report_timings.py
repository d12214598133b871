#!/usr/bin/env python3
"""Where the time of `chuandao report` goes: runs it RUNS times with `--timings` under
`/usr/bin/time -v` and prints, as a Markdown table, each stage's seconds and share of the
total (median of the runs, min-max beside it), the wall clock, CPU time and peak RSS.

    python3 Benchmarks/report_timings.py CHUANDAO DATASET OUT [RUNS]

CHUANDAO is the executable (a release build), DATASET the dataset folder, OUT the output
folder (made or reused), RUNS the number of runs (default 3). The report is made in
English so that the stage names parse; SOURCE_DATE_EPOCH is fixed so that every run
writes the same bytes.
"""

import os
import re
import statistics
import subprocess
import sys


def run(chuandao, dataset, out):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1796662486")
    p = subprocess.run(
        ["/usr/bin/time", "-v", chuandao, "report", dataset, "--out", out, "--timings", "--lang", "en"],
        capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"report failed ({p.returncode}):\n{p.stderr}")
    stages = {}
    for line in p.stderr.splitlines():
        m = re.match(r"^(\S.*?)\s{2,}(-?\d+\.\d\d)\s+(-?\d+\.\d)%\s*$", line)
        if m:
            stages[m.group(1)] = float(m.group(2))
    m = re.search(r"made and written on a queue of its own.*?JSON objects ([\d.]+) s, bytes and writes ([\d.]+) s; "
                  r"waited for at the end ([\d.]+) s", p.stderr)
    background = tuple(float(x) for x in m.groups()) if m else None
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, mins, secs = wall.groups()
    return {
        "stages": stages,
        "background": background,
        "wall": int(h or 0) * 3600 + int(mins) * 60 + float(secs),
        "user": float(re.search(r"User time \(seconds\): ([\d.]+)", p.stderr).group(1)),
        "sys": float(re.search(r"System time \(seconds\): ([\d.]+)", p.stderr).group(1)),
        "rss_mb": int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) * 1024 / 1e6,
    }


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    chuandao, dataset, out = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    results = []
    for i in range(runs):
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]
        r = run(chuandao, dataset, out)
        results.append(r)
        print(f"run {i + 1}: wall {r['wall']:.2f} s, total {r['stages'].get('total', 0):.2f} s, "
              f"user {r['user']:.1f} s, sys {r['sys']:.1f} s, peak RSS {r['rss_mb']:.0f} MB "
              f"(load average before: {load})", file=sys.stderr)

    def cell(values, total=None):
        med = statistics.median(values)
        text = f"{med:.2f} s ({min(values):.2f}-{max(values):.2f})"
        if total is not None:
            text += f" | {100 * med / total:.1f}%"
        return text

    total = statistics.median(r["stages"]["total"] for r in results)
    print("| stage | seconds, median (min-max) | share |")
    print("|---|---|---|")
    for name in results[0]["stages"]:
        print(f"| {name} | {cell([r['stages'][name] for r in results], total)} |")
    outside = [r["stages"]["total"] - r["stages"]["load (dataset + hash)"] - r["stages"]["analyses"] for r in results]
    print(f"| **outside the analyses** | {cell(outside, total)} |")
    if all(r["background"] for r in results):
        print()
        print("results.json on its own queue (overlapping the analyses): JSON objects "
              f"{cell([r['background'][0] for r in results])}, bytes and writes "
              f"{cell([r['background'][1] for r in results])}, waited for at the end "
              f"{cell([r['background'][2] for r in results])}")
    print()
    print(f"wall {cell([r['wall'] for r in results])}; user {cell([r['user'] for r in results])}; "
          f"sys {cell([r['sys'] for r in results])}; peak RSS "
          f"{statistics.median(r['rss_mb'] for r in results):.0f} MB "
          f"({min(r['rss_mb'] for r in results):.0f}-{max(r['rss_mb'] for r in results):.0f})")


if __name__ == "__main__":
    main()
