import Chuandao
import ChuandaoStats
import _ChuandaoOutput

extension CapacityResult.RateRatio {
  var json: JSON { .object(["estimate": JSON(estimate), "lower": JSON(lower), "upper": JSON(upper)]) }
}

private func ratioJSON(_ r: CapacityResult.RateRatio?) -> JSON { r?.json ?? .null }

/// `CapacityResult` (issue 17 part 1) as JSON, CSV rows (one per level) and a document.
extension CapacityResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    [
      "period": .string(d.manifest.periods[period]),
      "adjust": .string(adjust.rawValue),
      "levels": .array(levelRows(d).objects.map { .object($0) }),
      "provenance": provenance.json,
    ]
  }

  /// What `--format csv` writes: one row per level.
  public func csvRows(_ d: Dataset) -> [JSONObject] { levelRows(d).objects }

  public func levelRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    return JSONRows(count: levels.count) { [levels] r, w in
      let l = levels[r]
      w.add("level", f.levelNames[l.level])
      w.add("nodes", l.nodes)
      w.add("staff_known", l.staffKnown)
      w.add("staff_per_100", l.staffPer100)
      w.add("median_staff_per_100", l.medianStaffPer100)
      w.add("zero_staff", l.zeroStaff)
      w.add("joint_known", l.jointKnown)
      w.add("joint_office_share", l.jointShare)
      w.add("fitted", l.fitted)
      w.add("clusters", l.clusters)
      w.add("risk_adjusted", l.riskAdjusted)
      w.add("staff_rate_ratio", ratioJSON(l.staff))
      w.add("no_staff_rate_ratio", ratioJSON(l.noStaff))
      w.add("joint_office_rate_ratio", ratioJSON(l.joint))
      w.add("short", l.short.count)
      w.add("short_share", l.shortShare)
      w.add("cold", l.cold?.count)
      w.add("cold_staff_known", l.cold == nil ? nil : l.coldStaffKnown)
      w.add("cold_short", l.cold == nil ? nil : l.coldShort.count)
      w.add("cold_short_ids", l.cold == nil ? JSON.null : JSON.array(l.coldShort.sorted().map { .string(f.ids[$0]) }))
      w.add("notes", JSON.array(l.notes.map { .string($0.en) }))
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let fixed = Figures.decimal
    let adjustText = adjust == .risk ? lang.pick("按人数和廉政风险调整", "adjusted for members and integrity risk") : lang.pick("按人数调整", "adjusted for members")
    var doc = Document([Section(nil, [.paragraph(lang.pick(
      "纪检力量（合署办公、身兼数职）：\(d.manifest.periods[period]) 期，督查次数对人均纪检干部数和合署办公的泊松回归，\(adjustText)，区间按上级聚类稳健",
      "Discipline capacity (joint offices, staff stretched thin): period \(d.manifest.periods[period]), a Poisson regression of supervision counts on staff per member and joint office, \(adjustText), intervals cluster-robust by parent"))])])
    var t = Table([
      Column(lang.pick("层级", "Level")),
      Column(lang.pick("节点", "Nodes"), .count),
      Column(lang.pick("每百名党员纪检干部", "Staff per 100"), .number(2)),
      Column(lang.pick("无专职", "No staff"), .count),
      Column(lang.pick("合署办公", "Joint office"), .percent(0)),
      Column(lang.pick("人员翻倍 RR", "RR per doubling"), .number(2)),
      Column("95% CI", .interval(2)),
      Column(lang.pick("合署办公 RR", "Joint office RR"), .number(2)),
      Column("95% CI", .interval(2)),
      Column(lang.pick("偏冷/其中人手不足", "Cold / short"), .text()),
    ])
    for l in levels {
      t.add([
        .text(levelLabel(f.levelNames[l.level], lang)), .count(l.nodes), .number(l.staffPer100), .count(l.staffKnown > 0 ? l.zeroStaff : nil),
        .number(l.jointShare), .number(l.staff?.estimate), .interval(l.staff?.lower, l.staff?.upper),
        .number(l.joint?.estimate), .interval(l.joint?.lower, l.joint?.upper),
        .text(l.cold.map { "\($0.count) / \(l.staffKnown > 0 ? String(l.coldShort.count) : "-")" } ?? "-"),
      ])
    }
    doc.append(Section(nil, [.table(t)]))
    var closing = Section()
    for l in levels {
      let name = levelLabel(f.levelNames[l.level], lang)
      if let cold = l.cold, !cold.isEmpty, l.staffKnown == 0 {
        closing.paragraph(lang.pick(
          "\(name)层：偏冷（冷）节点 \(cold.count) 个；该层没有纪检干部数，无法判断是否人手不足。",
          "\(name): \(cold.count) cold node(s); the level has no staff figures, so shortness of staff is unknown."))
      } else if let cold = l.cold, !cold.isEmpty {
        closing.paragraph(lang.pick(
          "\(name)层：偏冷（冷）节点 \(cold.count) 个，其中 \(l.coldStaffKnown) 个有纪检干部数，\(l.coldShort.count) 个人手不足（无专职或低于该层每百名党员中位数 \(fixed(l.medianStaffPer100, 2))）；全层人手不足的比例为 \(Figures.percent(l.shortShare, 0))。",
          "\(name): \(cold.count) cold node(s), \(l.coldStaffKnown) with a staff figure, \(l.coldShort.count) short of staff (none, or below the level's median of \(fixed(l.medianStaffPer100, 2)) per 100 members); \(Figures.percent(l.shortShare, 0)) of the level is short."))
      }
      if let s = l.noStaff {
        closing.paragraph(lang.pick(
          "\(name)层：无专职纪检干部的节点相对于人均配备处于平均水平的节点，督查率比 \(fixed(s.estimate, 2))（95% CI \(fixed(s.lower, 2))–\(fixed(s.upper, 2))）。",
          "\(name): nodes with no staff against a node at the level's mean staff per member, rate ratio \(fixed(s.estimate, 2)) (95% CI \(fixed(s.lower, 2))-\(fixed(s.upper, 2)))."))
      }
      for note in l.notes { closing.paragraph(name + lang.pick("层：", ": ") + note.text(lang)) }
    }
    if levels.allSatisfy({ $0.staffKnown == 0 && $0.jointKnown == 0 }) {
      closing.paragraph(lang.pick(
        "org.csv 中没有 discipline_staff 和 joint_office 的值：加上这两列即可分析纪检力量与督查的关系。",
        "org.csv gives no discipline_staff or joint_office values: add these columns to relate discipline capacity to supervision."))
    }
    if !closing.blocks.isEmpty { doc.append(closing) }
    return doc
  }
}
