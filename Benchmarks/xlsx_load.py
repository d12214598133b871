#!/usr/bin/env python3
"""The workbook loader against the CSV loader on the same data, at Excel's row limit.

    pip install openpyxl
    python3 Benchmarks/xlsx_load.py CHUANDAO [--runs N]

CHUANDAO is the executable (a release build). Makes once, under $CHUANDAO_BENCH_DIR
(default /tmp/chuandao-bench):

- `xlsx-csv/`: `chuandao generate --shape 40x40x35 --periods 5 --seed 1` (57,640 nodes),
  keeping dataset.yaml, org.csv and the first 1,048,575 data rows of scores.csv (with its
  header, 1,048,576 rows: a full sheet);
- `xlsx-book/`: the same dataset.yaml and org.csv, and scores.xlsx with the same rows
  written by openpyxl in write-only mode (period as a number, as Excel makes a typed
  2025; node and subject as text; score as a number).

Then times `chuandao validate DIR` on each, RUNS times (default 3) alternately, under
`/usr/bin/time -v`, and prints the median wall clock, the peak resident memory, the rows
per second and the ratio as a Markdown table. validate reads without the snapshot.
`uptime` is printed first: the machine's cores may be shared.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROWS = 1_048_575


def make(chuandao, base):
    csv_dir = os.path.join(base, "xlsx-csv")
    book_dir = os.path.join(base, "xlsx-book")
    if os.path.exists(os.path.join(book_dir, ".complete")):
        return csv_dir, book_dir
    shutil.rmtree(csv_dir, ignore_errors=True)
    shutil.rmtree(book_dir, ignore_errors=True)
    full = os.path.join(base, "xlsx-full")
    shutil.rmtree(full, ignore_errors=True)
    subprocess.run([chuandao, "generate", full, "--shape", "40x40x35", "--periods", "5", "--seed", "1"],
                   check=True, stdout=subprocess.DEVNULL)
    os.makedirs(csv_dir)
    os.makedirs(book_dir)
    for name in ("dataset.yaml", "org.csv"):
        shutil.copy(os.path.join(full, name), csv_dir)
        shutil.copy(os.path.join(full, name), book_dir)
    rows = []
    with open(os.path.join(full, "scores.csv"), encoding="utf-8") as f, \
            open(os.path.join(csv_dir, "scores.csv"), "w", encoding="utf-8") as out:
        header = f.readline()
        out.write(header)
        for k, line in enumerate(f):
            if k == ROWS:
                break
            out.write(line)
            rows.append(line.rstrip("\n").split(","))
    assert len(rows) == ROWS, len(rows)
    shutil.rmtree(full)
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("scores")
    columns = header.strip().split(",")
    ws.append(columns)
    for r in rows:
        cells = []
        for c, v in zip(columns, r):
            if c == "period" and v.isdigit():
                cells.append(int(v))
            elif c == "score":
                cells.append(float(v))
            else:
                cells.append(v)
        ws.append(cells)
    wb.save(os.path.join(book_dir, "scores.xlsx"))
    open(os.path.join(book_dir, ".complete"), "w").close()
    return csv_dir, book_dir


def timed(chuandao, folder):
    start = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v", chuandao, "validate", folder],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", p.stderr).group(1)) + \
        float(re.search(r"System time \(seconds\): ([\d.]+)", p.stderr).group(1))
    errors = [l for l in p.stderr.splitlines() if ": error:" in l]
    assert not errors, errors[:3]
    return wall, peak, cpu


def main():
    args = sys.argv[1:]
    runs = 3
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    chuandao = os.path.abspath(args[0])
    base = os.environ.get("CHUANDAO_BENCH_DIR", "/tmp/chuandao-bench")
    os.makedirs(base, exist_ok=True)
    csv_dir, book_dir = make(chuandao, base)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    results = {"csv": [], "xlsx": []}
    for _ in range(runs):
        results["csv"].append(timed(chuandao, csv_dir))
        results["xlsx"].append(timed(chuandao, book_dir))
    sizes = {
        "csv": os.path.getsize(os.path.join(csv_dir, "scores.csv")),
        "xlsx": os.path.getsize(os.path.join(book_dir, "scores.xlsx")),
    }
    print("| input | scores file | validate, median of %d (s) | runs (s) | score rows/s | CPU user+sys, median (s) | peak RSS |" % runs)
    print("|---|---|---|---|---|---|---|")
    med = {}
    cpu = {}
    for kind in ("csv", "xlsx"):
        walls = [w for w, _, _ in results[kind]]
        med[kind] = statistics.median(walls)
        cpu[kind] = statistics.median(c for _, _, c in results[kind])
        peak = max(p for _, p, _ in results[kind])
        print("| %s | %.1f MB | %.2f | %s | %.0f | %.2f | %.0f MB |" % (
            kind, sizes[kind] / 1e6, med[kind], ", ".join("%.2f" % w for w in walls), ROWS / med[kind], cpu[kind], peak / 1024))
    print()
    print("xlsx speed / CSV speed: %.2f (the target is at least 0.33); CPU time CSV / xlsx: %.2f" % (
        med["csv"] / med["xlsx"], cpu["csv"] / cpu["xlsx"]))


if __name__ == "__main__":
    main()
