#!/usr/bin/env python3
"""Writes the two hand-made datasets of `Tests/ChuandaoCLITests/ReportShapeTests.swift`
(issue 13: "the report of a dataset that you did not generate yourself also renders").
Nothing here is random and nothing comes from Chuandao's generator: every node, score and
count is written out below, so that the shape is what a user might bring, not what the
generator makes.

1. Tests/ChuandaoCLITests/Fixtures/odd-shape/: four levels with names of their own
   (局/处/科/支部 as bureau, division, section, branch), ONE top-level node, an uneven
   tree (one division with 1 section, one with 9, one with none; most sections without
   branches), names from one character to a very long one, a branch with 0 members, one
   period and no period_end. Only dataset.yaml, org.csv, scores.csv and supervision.csv:
   no members.csv, risks.csv, problems.csv, responsibilities.csv, projects.csv or
   leaders.csv.
2. Tests/ChuandaoCLITests/Fixtures/odd-shape-noscores/: the same organisation over two
   periods with org.csv and supervision.csv only (no scores at all).

Nodes per level, counted by hand from ORG below: bureau 1, division 3, section 10,
branch 7 (21 in all). The tests check these counts.

Run from the repository root (rewrites both folders):
    python3 Tests/Fixtures-scripts/cli/odd_shape.py
"""

import os

LONG = ("中共某市水务局机关委员会所属河道堤防工程建设管理与运行维护事务中心联合党总支部委员会"
        "（含离退休党员及流动党员，“四责协同”试点单位）")

# id, parent, level, name, members
ORG = [
    ("B", "", "bureau", "某市水务局", 40),
    # division D1: one section; D2: nine sections; D3: none (a leaf one level down).
    ("D1", "B", "division", "办", 12),
    ("D2", "B", "division", LONG, 30),
    ("D3", "B", "division", "信息处", 8),
    ("S11", "D1", "section", "一科", 9),
    ("S21", "D2", "section", "堤防一科", 15),
    ("S22", "D2", "section", "堤防二科", 22),
    ("S23", "D2", "section", "Engineering Section 3 (工程三科)", 7),
    ("S24", "D2", "section", "四科", 11),
    ("S25", "D2", "section", "闸站运行管理科", 18),
    ("S26", "D2", "section", "六科", 6),
    ("S27", "D2", "section", "水政监察科", 13),
    ("S28", "D2", "section", "八", 5),
    ("S29", "D2", "section", "防汛物资仓储与调度保障科", 10),
    # branches under four of the ten sections only.
    ("Z111", "S11", "branch", "一科第一党支部", 14),
    ("Z112", "S11", "branch", "一科第二党支部", 9),
    ("Z211", "S21", "branch", "堤防一科党支部", 25),
    ("Z221", "S22", "branch", "堤防二科第一党支部", 31),
    ("Z222", "S22", "branch", "堤防二科离退休党支部", 0),
    ("Z223", "S22", "branch", "堤防二科第三党支部", 12),
    ("Z251", "S25", "branch", "闸站党支部", 19),
]

SUBJECTS = ["committee", "secretary", "commission", "members"]

# The four subjects' scores per node (one period). D2 is a silo: its members score sits
# 20 points below the others.
SCORES = {
    "B": (92.0, 91.5, 93.0, 90.5),
    "D1": (88.0, 87.5, 89.0, 86.0),
    "D2": (90.0, 89.0, 91.0, 70.0),
    "D3": (85.5, 86.0, 84.0, 85.0),
    "S11": (84.0, 83.5, 85.0, 82.0),
    "S21": (86.0, 85.0, 87.5, 84.0),
    "S22": (83.0, 82.5, 84.0, 81.0),
    "S23": (79.5, 80.0, 78.0, 77.5),
    "S24": (88.0, 87.0, 88.5, 86.5),
    "S25": (85.0, 84.0, 86.0, 83.5),
    "S26": (81.0, 80.5, 82.0, 79.0),
    "S27": (87.0, 86.5, 88.0, 85.5),
    "S28": (76.0, 75.5, 77.0, 74.0),
    "S29": (83.5, 83.0, 84.5, 82.0),
    "Z111": (80.0, 79.0, 81.5, 78.0),
    "Z112": (82.5, 82.0, 83.0, 80.5),
    "Z211": (83.0, 82.0, 84.0, 81.5),
    "Z221": (78.0, 77.0, 79.5, 76.5),
    "Z222": (75.0, 74.5, 76.0, 73.0),
    "Z223": (80.5, 80.0, 81.0, 79.0),
    "Z251": (82.0, 81.5, 83.0, 80.0),
}

# Supervision per node: (kind, domain, count) rows; a node without rows had none.
# S23 and Z223 get nothing (zero is data); Z222 has 0 members and is left out of rates.
SUPERVISION = {
    "B": [("reminder", "finance", 6), ("inspection", "engineering", 2)],
    "D1": [("reminder", "personnel", 3), ("interview", "finance", 1)],
    "D2": [("reminder", "engineering", 9), ("inspection", "engineering", 4), ("case", "procurement", 1)],
    "D3": [("reminder", "assets", 2)],
    "S11": [("reminder", "finance", 3)],
    "S21": [("reminder", "engineering", 5), ("interview", "engineering", 2)],
    "S22": [("reminder", "finance", 7), ("inspection", "assets", 3)],
    "S24": [("reminder", "personnel", 4)],
    "S25": [("reminder", "engineering", 6), ("petition", "other", 1)],
    "S26": [("reminder", "finance", 1)],
    "S27": [("reminder", "procurement", 12), ("inspection", "procurement", 5)],
    "S28": [("interview", "other", 1)],
    "S29": [("reminder", "assets", 3)],
    "Z111": [("reminder", "finance", 4)],
    "Z112": [("reminder", "personnel", 2), ("interview", "finance", 1)],
    "Z211": [("reminder", "engineering", 8), ("inspection", "engineering", 3)],
    "Z221": [("reminder", "finance", 2)],
    "Z251": [("reminder", "engineering", 9), ("interview", "assets", 2)],
}


def csv_field(value):
    text = str(value)
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(csv_field(v) for v in row) + "\n")


def clean(folder):
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))


def org_rows():
    return [(i, p, lvl, name, m) for (i, p, lvl, name, m) in ORG]


def supervision_rows(period, less=0):
    """SUPERVISION in `period`, each count lowered by `less` (never below 0)."""
    return [(period, node, kind, domain, max(count - less, 0))
            for node, actions in SUPERVISION.items() for kind, domain, count in actions]


def main():
    base = "Tests/ChuandaoCLITests/Fixtures"
    levels = "[bureau, division, section, branch]"

    odd = os.path.join(base, "odd-shape")
    clean(odd)
    with open(os.path.join(odd, "dataset.yaml"), "w", encoding="utf-8") as f:
        f.write("# Hand-made by Tests/Fixtures-scripts/cli/odd_shape.py: four levels, one top-level\n"
                "# node, an uneven tree, one period, no period_end, no optional lists.\n"
                'name: "非常规形状（手写）"\n'
                f"levels: {levels}\n"
                'periods: ["2025"]\n')
    write_csv(os.path.join(odd, "org.csv"), ["id", "parent", "level", "name", "members"], org_rows())
    write_csv(os.path.join(odd, "scores.csv"), ["period", "node", "subject", "score"],
              [("2025", node, s, v) for node, values in SCORES.items() for s, v in zip(SUBJECTS, values)])
    write_csv(os.path.join(odd, "supervision.csv"), ["period", "node", "kind", "domain", "count"],
              supervision_rows("2025"))

    noscores = os.path.join(base, "odd-shape-noscores")
    clean(noscores)
    with open(os.path.join(noscores, "dataset.yaml"), "w", encoding="utf-8") as f:
        f.write("# Hand-made by Tests/Fixtures-scripts/cli/odd_shape.py: the odd-shape organisation\n"
                "# over two periods with org.csv and supervision.csv only (no scores at all).\n"
                'name: "非常规形状，无得分（手写）"\n'
                f"levels: {levels}\n"
                'periods: ["2024", "2025"]\n')
    write_csv(os.path.join(noscores, "org.csv"), ["id", "parent", "level", "name", "members"], org_rows())
    # 2024: one action fewer per row (a row of 1 becomes 0).
    write_csv(os.path.join(noscores, "supervision.csv"), ["period", "node", "kind", "domain", "count"],
              supervision_rows("2024", less=1) + supervision_rows("2025"))


if __name__ == "__main__":
    main()
