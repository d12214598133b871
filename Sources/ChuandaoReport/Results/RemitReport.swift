import Chuandao
import ChuandaoStats
import _ChuandaoOutput

/// `RemitResult` (issue 17 part 2) as JSON, CSV unit rows and a document.
extension RemitResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let f = d.forest
    let l = d.leaders
    let domainNames = d.manifest.domains
    return [
      "period": .string(d.manifest.periods[period]),
      "level": .string(f.levelNames[level]),
      "supervision_share_inside": JSON(inside.supervisionShare),
      "risk_share_inside": JSON(inside.riskShare),
      "coverage_inside": JSON(inside.coverage),
      "supervision_share_outside": JSON(outside.supervisionShare),
      "risk_share_outside": JSON(outside.riskShare),
      "coverage_outside": JSON(outside.coverage),
      "outside_rate_ratio": outsideRateRatio?.json ?? .null,
      "clusters": .int(clusters),
      "units": .rows(unitRows(d)),
      "domains": .array(domains.map { r in
        .object([
          "domain": .string(domainNames[r.domain]),
          "supervision_share": JSON(r.supervisionShare), "risk_share": JSON(r.riskShare),
          "coverage": JSON(r.coverage), "blind_spot": .bool(r.blindSpot),
          "units_outside": .int(r.unitsOutside), "coverage_outside": JSON(r.coverageOutside),
        ])
      }),
      "leaders": .array(leaders.map { r in
        .object([
          "person": .string(l.person[r.row]), "name": .string(l.name[r.row]),
          "role": .string(l.role[r.row].rawValue),
          "units": .array(r.units.map { .string(f.ids[$0]) }),
          "domains": .array(r.domains.map { .string(domainNames[$0]) }),
          "outside_risk": JSON(r.outsideRisk), "outside_risk_share": JSON(r.outsideRiskShare),
        ])
      }),
      "notes": .array(notes.map { .string($0.en) }),
      "provenance": provenance.json,
    ]
  }

  /// What `--format csv` writes: one row per unit.
  public func csvRows(_ d: Dataset) -> [JSONObject] { unitRows(d).objects }

  public func unitRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    let names = d.manifest.domains
    return JSONRows(count: units.count) { [units] r, w in
      let u = units[r]
      w.add("id", f.ids[u.node])
      w.add("unowned_risk_share", u.unownedRiskShare)
      w.add("leaders", u.leaders)
      w.add("covered", JSON.array(u.covered.map { .string(names[$0]) }))
      w.add("supervision", u.supervision)
      w.add("name", f.names[u.node])
      w.add("parent", f.parentID(of: u.node))
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let fixed = Figures.decimal
    var doc = Document([Section(nil, [.paragraph(lang.pick(
      "分管工作外的风险点：\(levelLabel(f.levelNames[level], lang))层，\(d.manifest.periods[period]) 期，\(units.count) 个单位，\(leaders.count) 名分管领导",
      "Risks outside leaders' remits: level \(f.levelNames[level]), period \(d.manifest.periods[period]), \(counted(units.count, "unit")), \(counted(leaders.count, "overseeing leader"))"))])])
    var summary = Table([
      Column(lang.pick("范围", "Where")),
      Column(lang.pick("督查占比", "Supervision"), .percent(1)),
      Column(lang.pick("风险占比", "Risk"), .percent(1)),
      Column(lang.pick("覆盖度", "Coverage"), .number(2)),
    ])
    summary.add([.text(lang.pick("分管范围内", "Inside remits")), .number(inside.supervisionShare), .number(inside.riskShare), .number(inside.coverage)])
    summary.add([.text(lang.pick("分管范围外", "Outside remits")), .number(outside.supervisionShare), .number(outside.riskShare), .number(outside.coverage)])
    var level = Section(nil, [.table(summary)])
    if let r = outsideRateRatio {
      level.paragraph(lang.pick(
        "同一领域内，分管范围外相对范围内的督查率比 \(fixed(r.estimate, 2))（95% CI \(fixed(r.lower, 2))–\(fixed(r.upper, 2))，按上级聚类稳健，\(clusters) 个聚类）。",
        "Within a domain, supervision outside remits against inside: rate ratio \(fixed(r.estimate, 2)) (95% CI \(fixed(r.lower, 2))-\(fixed(r.upper, 2)), cluster-robust by parent, \(clusters) clusters)."))
    }
    for note in notes { level.paragraph(note.text(lang)) }
    doc.append(level)

    let worst = units.indices.filter { (units[$0].unownedRiskShare ?? 0) > 0 }
      .sorted { (units[$1].unownedRiskShare ?? 0, units[$0].node) < (units[$0].unownedRiskShare ?? 0, units[$1].node) }
    var unitSection = Section(lang.pick(
      "有无人分管风险的单位：\(worst.count) 个", "Units with risk no leader is in charge of: \(worst.count)"))
    if !worst.isEmpty {
      var t = Table([
        Column(lang.pick("名称", "Name"), .name(maxWidth: 30)),
        Column(lang.pick("分管领导", "Leaders"), .count),
        Column(lang.pick("无人分管的风险占比", "Unowned risk"), .percent(0)),
        Column(lang.pick("已覆盖领域", "Covered domains"), .text(maxWidth: 40)),
      ])
      for u in worst.prefix(30).map({ units[$0] }) {
        t.add([
          .text(f.names[u.node]), .count(u.leaders), .number(u.unownedRiskShare),
          .text(u.covered.map { domainLabel(d.manifest.domains[$0], lang) }.joined(separator: lang.pick("、", ", "))),
        ])
      }
      unitSection.table(t)
      if let more = moreLine(worst.count, 30, lang) { unitSection.paragraph(more) }
    }
    doc.append(unitSection)

    var dt = Table([
      Column(lang.pick("领域", "Domain")),
      Column(lang.pick("督查占比", "Supervision"), .percent(1)),
      Column(lang.pick("风险占比", "Risk"), .percent(1)),
      Column(lang.pick("覆盖度", "Coverage"), .number(2)),
      Column(lang.pick("无人分管的单位", "Units outside"), .count),
      Column(lang.pick("范围外覆盖度", "Coverage outside"), .number(2)),
    ])
    for r in domains {
      dt.add([
        .text(domainLabel(d.manifest.domains[r.domain], lang)), .number(r.supervisionShare), .number(r.riskShare),
        .number(r.coverage), .count(r.unitsOutside), .number(r.coverageOutside),
      ])
    }
    doc.append(Section(lang.pick("各领域", "By domain"), [.table(dt)]))

    if !leaders.isEmpty {
      let l = d.leaders
      var lt = Table([
        Column(lang.pick("领导", "Leader"), .name(maxWidth: 24)),
        Column(lang.pick("分管单位", "Units"), .count),
        Column(lang.pick("分管领域", "Domains"), .text(maxWidth: 30)),
        Column(lang.pick("范围外风险占比", "Risk outside"), .percent(0)),
      ])
      let shown = leaders.sorted { ($1.outsideRiskShare ?? 0, $0.row) < ($0.outsideRiskShare ?? 0, $1.row) }
      for r in shown.prefix(30) {
        lt.add([
          .text(l.name[r.row].isEmpty ? l.person[r.row] : l.name[r.row]), .count(r.units.count),
          .text(r.domains.map { domainLabel(d.manifest.domains[$0], lang) }.joined(separator: lang.pick("、", ", "))),
          .number(r.outsideRiskShare),
        ])
      }
      var ls = Section(lang.pick("分管领导：所分管单位的风险中不在其分管领域内的部分", "Leaders: the risk of their units outside their own domains"), [.table(lt)])
      if let more = moreLine(leaders.count, 30, lang, see: "json") { ls.paragraph(more) }
      doc.append(ls)
    }
    return doc
  }
}
