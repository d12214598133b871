#!/usr/bin/env python3
"""Writes the small hand-made sample dataset in this folder (UTF-8 CSV).

It stands in for the generated sample until `chuandao generate` exists. Everything is
deterministic (random.Random(20261130)); run `python3 datasets/sample/make_sample.py`
from the repository root to remake the files byte for byte.

Shape: 4 bureaus (市水务局 with 水文总站 and 堤防处, 市交通委 with 行政服务中心 — the
organisations the survey names — plus 市住建委 and 市卫健委), 3 units each, 2 branches
per unit, 5 periods. One unit is reorganised in 2024 (valid_to + successor), and two
branches merge into one successor. Names with a comma and a quote test the CSV quoting.
"""
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261130)
periods = ["2021", "2022", "2023", "2024", "2025"]
subjects = ["committee", "secretary", "commission", "members"]
domains = ["finance", "engineering", "personnel", "assets", "procurement", "other"]
kinds = ["reminder", "interview", "inspection", "petition", "case"]

bureaus = [
    ("B01", "市水务局", ["水文总站", "堤防处", "供水管理所"]),
    ("B02", "市交通委", ["行政服务中心", "路政支队", "港航事务中心"]),
    ("B03", "市住建委", ["建设工程安全质量监督站", "住房保障中心", "房屋征收事务所"]),
    ("B04", "市卫健委", ["卫生监督所", "疾病预防控制中心", "急救中心"]),
]

org = []  # id, parent, level, name, members, valid_from, valid_to, party_admin_split, discipline_staff, successor
for b, (bid, bname, units) in enumerate(bureaus):
    org.append([bid, "", "bureau", bname, 30 + 5 * b, "", "", "true", 4, ""])
    for u, uname in enumerate(units):
        uid = f"{bid}-U{u + 1}"
        org.append([uid, bid, "unit", uname, 20 + rng.randrange(15), "", "", rng.choice(["true", "false"]), rng.randrange(0, 3), ""])
        for k in range(2):
            org.append([f"{uid}-Z{k + 1}", uid, "branch", f"{uname}第{k + 1}党支部", 8 + rng.randrange(25), "", "", "", "", ""])

# A name with a comma and quotes.
org[1][3] = '水文总站（"四责协同"试点, 2021）'
# Reorganisation: B02-U3 ends in 2023 and continues as B02-U4 from 2024.
for row in org:
    if row[0] == "B02-U3":
        row[6] = "2023"
        row[9] = "B02-U4"
    if row[0].startswith("B02-U3-Z"):
        row[6] = "2023"
        row[9] = "B02-U4-Z1"
org.append(["B02-U4", "B02", "unit", "港航和口岸事务中心", 41, "2024", "", "true", 2, ""])
org.append(["B02-U4-Z1", "B02-U4", "branch", "港航和口岸事务中心联合党支部", 36, "2024", "", "", "", ""])
# A branch with zero members.
org.append(["B04-U3-Z3", "B04-U3", "branch", "急救中心离退休党支部", 0, "", "", "", "", ""])

level_of = {r[0]: r[2] for r in org}
alive = {}
for r in org:
    lo = periods.index(r[5]) if r[5] else 0
    hi = periods.index(r[6]) if r[6] else len(periods) - 1
    alive[r[0]] = range(lo, hi + 1)
members = {r[0]: r[4] for r in org}

def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)

write("org.csv", ["id", "parent", "level", "name", "members", "valid_from", "valid_to",
                  "party_admin_split", "discipline_staff", "successor"], org)

# Scores fade down the levels; 市交通委 loses the most.
base = {"bureau": 92.0, "unit": 86.0, "branch": 79.0}
scores = []
for t, p in enumerate(periods):
    for r in org:
        if t not in alive[r[0]]:
            continue
        drop = 4.0 if r[0].startswith("B02") and r[2] != "bureau" else 0.0
        for s in subjects:
            x = base[r[2]] - drop + rng.gauss(0, 2.5) + 0.6 * t
            if r[0] == "B03-U2" and s == "members":
                x -= 15  # one subject well below the others
            scores.append([p, r[0], s, f"{min(100.0, max(0.0, x)):.1f}"])
write("scores.csv", ["period", "node", "subject", "score"], scores)

sup = []
for t, p in enumerate(periods):
    for r in org:
        if t not in alive[r[0]] or r[4] == 0:
            continue
        rate = 0.35 if r[0] != "B04-U1-Z1" else 0.05  # one cold branch
        for k, kind in enumerate(kinds):
            for d in domains:
                lam = r[4] * rate / (k + 1) / len(domains)
                if d == "engineering":
                    lam *= 0.3  # a blind spot
                c = sum(1 for _ in range(40) if rng.random() < lam / 40)
                if c:
                    sup.append([p, r[0], kind, d, c])
write("supervision.csv", ["period", "node", "kind", "domain", "count"], sup)

risks = []
for t, p in enumerate(periods):
    for r in org:
        if t in alive[r[0]] and r[2] == "branch":
            risks.append([p, r[0], "engineering", "2.5" if r[0].startswith("B03") else "1.5"])
write("risks.csv", ["period", "node", "domain", "risk"], risks)

write("members.csv", ["period", "node", "members"], [["2025", "B01-U1-Z1", 19], ["2025", "B03-U1", 27]])

problems, resp, proj = [], [], []
n = 0
for t, p in enumerate(periods[-2:], start=3):
    for r in org:
        if r[2] != "unit" or t not in alive[r[0]]:
            continue
        n += 1
        pid = f"P{n:03d}"
        problems.append([p, pid, r[0], rng.choice(domains), rng.choice(["audit", "inspection", "risk_survey", "petition", "self_check"]),
                         f"{r[3]}：廉政风险点排查发现的问题（{n}）"])
        if n % 7 != 0:
            resp.append([pid, rng.choice(subjects), f"E{n:03d}"])
            if n % 5 != 0:
                due = f"{p}-{rng.randrange(6, 13):02d}-15"
                status = rng.choice(["done", "done", "open"])
                done = f"{p}-{rng.randrange(3, 12):02d}-20" if status == "done" else ""
                proj.append([pid, f"J{n:03d}", "完成整改并建立长效机制", due, done, status])
write("problems.csv", ["period", "id", "node", "domain", "source", "description"], problems)
write("responsibilities.csv", ["problem", "subject", "person"], resp)
write("projects.csv", ["problem", "id", "goal", "due", "done", "status"], proj)

leaders = []
for t, p in enumerate(periods[-1:], start=4):
    for b, (bid, bname, units) in enumerate(bureaus):
        leaders.append([p, f"L{b}1", f"{bname}党委书记", bid, "secretary", ""])
        leaders.append([p, f"L{b}2", f"{bname}分管领导", bid, "member",
                        ";".join(u for u in (f"{bid}-U1", f"{bid}-U2") if t in alive[u])])
write("leaders.csv", ["period", "person", "name", "node", "role", "oversees"], leaders)

with open(os.path.join(HERE, "dataset.yaml"), "w", encoding="utf-8") as f:
    f.write("""name: 示例数据集（手工）
levels: [bureau, unit, branch]
periods: ["2021", "2022", "2023", "2024", "2025"]
period_end:
  "2021": 2021-12-31
  "2022": 2022-12-31
  "2023": 2023-12-31
  "2024": 2024-12-31
  "2025": 2025-12-31
""")
