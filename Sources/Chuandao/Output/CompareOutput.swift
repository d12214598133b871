import _ChuandaoOutput
import ChuandaoStats
import Foundation

/// Renders `CompareResult` as the JSON of docs/compare.md, CSV node rows and a table.
extension CompareResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let f = d.forest
    var o: JSONObject = [
      "from": .string(d.manifest.periods[from]),
      "to": .string(d.manifest.periods[to]),
    ]
    for (key, value) in sections(d) { o[key] = value }
    o["nodes"] = .array(csvRows(d).map { .object($0) })
    o["reorganised"] = .array(reorganised.map { r in
      .object([
        "from": .string(f.ids[r.from]), "to": .string(f.ids[r.to]),
        "from_name": .string(f.names[r.from]), "to_name": .string(f.names[r.to]),
      ])
    })
    o["only_from"] = JSON(onlyFrom.map { f.ids[$0] })
    o["only_to"] = JSON(onlyTo.map { f.ids[$0] })
    o["notes"] = .array(notes.map { .string($0.en) })
    o["provenance"] = provenance.json
    return o
  }

  /// The lists inside the sections, one table each for `--format csv --out DIR`
  /// (`attenuation_steps`, `imbalance_changed`, `assess_changed`, ...): the folder's
  /// `summary.csv` holds them only as JSON text.
  public func extraTables(_ d: Dataset) -> [(name: String, rows: [JSONObject])] {
    var tables: [(name: String, rows: [JSONObject])] = []
    for (section, value) in sections(d) {
      guard let object = value.objectValue else { continue }
      for (key, list) in object {
        guard let items = list.arrayValue, !items.isEmpty else { continue }
        let rows = items.compactMap(\.objectValue)
        if rows.count == items.count { tables.append(("\(section)_\(key)", rows)) }
      }
    }
    return tables
  }

  /// The five sections of the JSON document: `attenuation`, `imbalance`, `coordination`,
  /// `closure`, `assess` (null where not compared).
  func sections(_ d: Dataset) -> JSONObject {
    let f = d.forest
    let levels = f.levelNames
    func node(_ i: Int) -> JSONObject {
      ["id": .string(f.ids[i]), "name": .string(f.names[i]), "level": .string(levels[Int(f.level[i])])]
    }
    func with(_ base: JSONObject, _ more: JSONObject) -> JSON {
      var o = base
      for (k, v) in more { o[k] = v }
      return .object(o)
    }

    let a = attenuation
    let attenuationJSON: JSON = .object([
      "metric": .string(a.metric.description),
      "steps": .array(a.steps.map { s in
        .object(["from": .string(levels[s.level - 1]), "to": .string(levels[s.level]), "tau": s.tau.json])
      }),
      "end_retention": a.endRetention.json,
      "groups": .array(a.groups.map { g in
        .object(["id": .string(f.ids[g.node]), "name": .string(f.names[g.node]), "end_retention": g.endRetention.json])
      }),
      "changed": .array(a.changed.map { c in
        with(node(c.node), ["from": .string(c.from.rawValue), "to": .string(c.to.rawValue)])
      }),
    ])

    let imbalanceJSON: JSON = imbalance.map { m in
      .object([
        "level": .string(levels[m.level]), "adjust": .string(m.adjust.rawValue),
        "dispersion": .string(m.dispersion.rawValue),
        "nodes": m.nodes.json,
        "counts": .object(JSONObject(m.counts.map { ($0.flag.rawValue, $0.count.json) })),
        "phi": m.phi.json, "gini": m.gini.json,
        "changed": .array(m.changed.map { c in
          with(node(c.node), [
            "parent": JSON(f.parentID(of: c.node)), "from": .string(c.from.rawValue), "to": .string(c.to.rawValue),
          ])
        }),
      ])
    } ?? .null

    let subjects = d.manifest.subjects
    func silos(_ list: [SiloChange]) -> JSON {
      .array(list.map { s in
        with(node(s.node), [
          "gap": s.gap.json,
          "weakest": .object(["from": JSON(s.weakest.from.map { subjects[$0] }), "to": JSON(s.weakest.to.map { subjects[$0] })]),
        ])
      })
    }
    let coordinationJSON: JSON = .object([
      "levels": .array(coordination.levels.map { .object(["level": .string(levels[$0.level]), "mean_index": $0.meanIndex.json]) }),
      "became_silo": silos(coordination.becameSilo),
      "stopped_silo": silos(coordination.stoppedSilo),
    ])

    let closureJSON: JSON = closure.map { c in
      func scope(_ s: ClosureScope) -> JSONObject {
        ["problems": s.problems.json, "on_time": s.onTime.json, "closure_index": s.closureIndex.json]
      }
      return .object([
        "as_of": .object(["from": JSON(c.asOf.from.map(ISODate.format)), "to": JSON(c.asOf.to.map(ISODate.format))]),
        "all": .object(scope(c.all)),
        "groups": .array(c.groups.map { g in
          with(["id": .string(f.ids[g.node]), "name": .string(f.names[g.node])], scope(g.scope))
        }),
      ])
    } ?? .null

    let grades = AssessAnalysis.grades
    let assessJSON: JSON = .object([
      "levels": .array(assess.levels.map { l in
        .object([
          "level": .string(levels[l.level]), "ranked": l.ranked.json,
          "grades": .object(JSONObject(l.grades.indices.map { (grades[$0], l.grades[$0].json) })),
        ])
      }),
      "changed": .array(assess.changed.map { c in
        with(node(c.node), [
          "parent": JSON(f.parentID(of: c.node)), "from": .string(grades[c.from]), "to": .string(grades[c.to]),
          "composite": c.composite.json,
        ])
      }),
    ])

    return [
      "attenuation": attenuationJSON,
      "imbalance": imbalanceJSON,
      "coordination": coordinationJSON,
      "closure": closureJSON,
      "assess": assessJSON,
    ]
  }

  /// One row per compared node, with its flags and grade in P and in Q (`nodes`, and what
  /// `--format csv` writes: `imbalance_flag.from`, `imbalance_flag.to`, ...).
  public func csvRows(_ d: Dataset) -> [JSONObject] {
    let f = d.forest
    let grades = AssessAnalysis.grades
    return nodes.map { r in
      var changed: [String] = []
      if r.attenuationFlag.changed { changed.append("attenuation_flag") }
      if r.imbalanceFlag.changed { changed.append("imbalance_flag") }
      if r.silo.changed { changed.append("silo") }
      if r.grade.changed { changed.append("grade") }
      return [
        "id": .string(f.ids[r.node]), "level": .string(f.levelNames[Int(f.level[r.node])]),
        "attenuation_flag": .object(["from": JSON(r.attenuationFlag.from?.rawValue), "to": JSON(r.attenuationFlag.to?.rawValue)]),
        "imbalance_flag": .object(["from": JSON(r.imbalanceFlag.from?.rawValue), "to": JSON(r.imbalanceFlag.to?.rawValue)]),
        "silo": .object(["from": JSON(r.silo.from), "to": JSON(r.silo.to)]),
        "grade": .object(["from": JSON(r.grade.from.map { grades[$0] }), "to": JSON(r.grade.to.map { grades[$0] })]),
        "rank": .object(["from": JSON(r.rank.from), "to": JSON(r.rank.to)]),
        "composite": r.composite.json,
        "changed": JSON(changed),
        "name": .string(f.names[r.node]),
        "parent": JSON(f.parentID(of: r.node)),
      ]
    }
  }

  public func table(_ d: Dataset, _ lang: Language) -> String {
    let f = d.forest
    let levels = f.levelNames
    let (P, Q) = (d.manifest.periods[from], d.manifest.periods[to])
    func L(_ k: Int) -> String { levelLabel(levels[k], lang) }
    func levelOf(_ i: Int) -> String { L(Int(f.level[i])) }
    let change = lang.pick("变化", "Change")
    /// The name column, then P, Q and the change, right-aligned.
    func sideBySide(_ first: String, maxWidth: Int? = nil) -> TextTable {
      TextTable(columns: [
        .init(title: first, alignment: .left, maxWidth: maxWidth),
        .init(title: P, alignment: .right), .init(title: Q, alignment: .right), .init(title: change, alignment: .right),
      ])
    }
    /// "... and 12 more: see --format csv" under a list cut at `shown`.
    func more(_ total: Int, _ shown: Int) -> String {
      total > shown ? lang.pick("……另有 \(total - shown) 个，见 --format json\n", "... and \(total - shown) more: see --format json\n") : ""
    }

    var out = lang.pick(
      "同比：\(P) 期对 \(Q) 期；两期都有的 \(nodes.count) 个节点参与比较\n",
      "Year on year: period \(P) against period \(Q); \(counted(nodes.count, "node")) present in both are compared\n")
    out += lang.pick(
      "未参与比较：调整（更名、合并）\(reorganised.count) 个，仅在 \(P) 期 \(onlyFrom.count) 个，仅在 \(Q) 期 \(onlyTo.count) 个\n\n",
      "Not compared: \(reorganised.count) reorganised (renamed, merged), \(onlyFrom.count) only in \(P), \(onlyTo.count) only in \(Q)\n\n")

    // Vertical drop.
    let a = attenuation
    out += lang.pick("落差（层层传导）：指标 \(a.metric)\n", "Vertical drop: metric \(a.metric)\n")
    var st = sideBySide(lang.pick("传导率", "tau"))
    for s in a.steps {
      st.addRow(["\(L(s.level - 1)) → \(L(s.level))", fixed(s.tau.from), fixed(s.tau.to), signed(s.tau.change)])
    }
    st.addRow([lang.pick("末端保留率 R", "End retention R"), fixed(a.endRetention.from), fixed(a.endRetention.to), signed(a.endRetention.change)])
    out += st.render() + "\n"
    if !a.groups.isEmpty {
      out += lang.pick("各\(L(0))末端保留率\n", "\(plural(levels[0]).capitalized): end retention\n")
      var gt = sideBySide(lang.pick("名称", "Name"), maxWidth: 28)
      for g in a.groups {
        gt.addRow([f.names[g.node], fixed(g.endRetention.from), fixed(g.endRetention.to), signed(g.endRetention.change)])
      }
      out += gt.render() + "\n"
    }
    out += lang.pick("传导标记有变化（\(a.changed.count)）\n", "Attenuation flag changed (\(a.changed.count))\n")
    if !a.changed.isEmpty {
      var t = changeTable(lang, P, Q)
      for c in a.changed.prefix(30) {
        t.addRow([f.names[c.node], levelOf(c.node), f.parentName(of: c.node) ?? "-", attenuationText(c.from, lang), attenuationText(c.to, lang)])
      }
      out += t.render() + more(a.changed.count, 30)
    }
    out += "\n"

    // Horizontal spread.
    if let m = imbalance {
      let adjustText = m.adjust == .risk ? lang.pick("按人数和廉政风险调整", "adjusted for members and integrity risk") : lang.pick("按人数调整", "adjusted for members")
      out += lang.pick("温差（冷热不均）：\(L(m.level))层，期望\(adjustText)\n", "Horizontal spread: level \(levels[m.level]), expected actions \(adjustText)\n")
      var t = sideBySide(lang.pick("项目", "Item"))
      t.addRow([lang.pick("节点", "Nodes"), String(m.nodes.from), String(m.nodes.to), signed(m.nodes.change)])
      for c in m.counts where c.flag != .normal {
        t.addRow([flagText(c.flag, lang), String(c.count.from), String(c.count.to), signed(c.count.change)])
      }
      t.addRow([lang.pick("离散度 phi", "Dispersion phi"), fixed(m.phi.from, 2), fixed(m.phi.to, 2), signed(m.phi.change, 2)])
      t.addRow([lang.pick("基尼系数", "Gini"), fixed(m.gini.from, 3), fixed(m.gini.to, 3), signed(m.gini.change, 3)])
      out += t.render() + "\n"
      out += lang.pick("冷热标记有变化（\(m.changed.count)）\n", "Cold/hot flag changed (\(m.changed.count))\n")
      if !m.changed.isEmpty {
        var ct = changeTable(lang, P, Q)
        for c in m.changed.prefix(30) {
          ct.addRow([f.names[c.node], levelOf(c.node), f.parentName(of: c.node) ?? "-", flagText(c.from, lang), flagText(c.to, lang)])
        }
        out += ct.render() + more(m.changed.count, 30)
      }
    } else {
      out += lang.pick("温差（冷热不均）：不比较（见下方注）\n", "Horizontal spread: not compared (see the notes below)\n")
    }
    out += "\n"

    // Coordination.
    out += lang.pick("四责协同：各层平均协同指数\n", "Four responsibilities together: mean coordination index per level\n")
    var lt = sideBySide(lang.pick("层级", "Level"))
    for l in coordination.levels {
      lt.addRow([L(l.level), fixed(l.meanIndex.from, 3), fixed(l.meanIndex.to, 3), signed(l.meanIndex.change, 3)])
    }
    out += lt.render()
    for (title, list) in [
      (lang.pick("新成为各扫门前雪", "Became silos"), coordination.becameSilo),
      (lang.pick("不再各扫门前雪", "No longer silos"), coordination.stoppedSilo),
    ] {
      out += "\n" + lang.pick("\(title)（\(list.count)）\n", "\(title) (\(list.count))\n")
      guard !list.isEmpty else { continue }
      var t = TextTable(columns: [
        .init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 28),
        .init(title: lang.pick("层级", "Level"), alignment: .left),
        .init(title: lang.pick("最弱主体 \(P)", "Weakest \(P)"), alignment: .left),
        .init(title: lang.pick("最弱主体 \(Q)", "Weakest \(Q)"), alignment: .left),
        .init(title: lang.pick("差距 \(P)", "Gap \(P)"), alignment: .right),
        .init(title: lang.pick("差距 \(Q)", "Gap \(Q)"), alignment: .right),
      ])
      for s in list.prefix(30) {
        t.addRow([
          f.names[s.node], levelOf(s.node), s.weakest.from.map { subjectLabel(d.manifest.subjects[$0], lang) } ?? "-",
          s.weakest.to.map { subjectLabel(d.manifest.subjects[$0], lang) } ?? "-", fixed(s.gap.from, 1), fixed(s.gap.to, 1),
        ])
      }
      out += t.render() + more(list.count, 30)
    }
    out += "\n"

    // Closed loop.
    if let c = closure {
      let (dp, dq) = (c.asOf.from.map(ISODate.format) ?? "-", c.asOf.to.map(ISODate.format) ?? "-")
      out += lang.pick(
        "三张清单闭环：闭环指数（\(P) 期截至 \(dp)，\(Q) 期截至 \(dq)）\n",
        "Closed loop of the three lists: closure index (\(P) as of \(dp), \(Q) as of \(dq))\n")
      var t = TextTable(columns: [
        .init(title: lang.pick("范围", "Scope"), alignment: .left, maxWidth: 24),
        .init(title: lang.pick("问题 \(P)", "Problems \(P)"), alignment: .right),
        .init(title: lang.pick("问题 \(Q)", "Problems \(Q)"), alignment: .right),
        .init(title: P, alignment: .right), .init(title: Q, alignment: .right),
        .init(title: change, alignment: .right),
      ])
      func row(_ name: String, _ s: ClosureScope) {
        t.addRow([name, String(s.problems.from), String(s.problems.to), fixed(s.closureIndex.from, 3), fixed(s.closureIndex.to, 3), signed(s.closureIndex.change, 3)])
      }
      row(lang.pick("全部", "All"), c.all)
      for g in c.groups { row(f.names[g.node], g.scope) }
      out += t.render()
    } else {
      out += lang.pick("三张清单闭环：不比较（见下方注）\n", "Closed loop of the three lists: not compared (see the notes below)\n")
    }
    out += "\n"

    // Assessment.
    out += lang.pick(
      "年度考核：各层等级分布（\(P) → \(Q)；指标按所有期的目标值归一，两期可比）\n",
      "Annual assessment: grades by level (\(P) → \(Q); indicators normalised against goalposts over all periods, so the two compare)\n")
    var gcols: [TextTable.Column] = [
      .init(title: lang.pick("层级", "Level"), alignment: .left),
      .init(title: lang.pick("参评", "Ranked"), alignment: .right),
    ]
    for g in AssessAnalysis.grades.indices { gcols.append(.init(title: gradeText(g, lang), alignment: .right)) }
    var gt = TextTable(columns: gcols)
    for l in assess.levels {
      gt.addRow([L(l.level), "\(l.ranked.from) → \(l.ranked.to)"] + l.grades.map { "\($0.from) → \($0.to)" })
    }
    out += gt.render() + "\n"
    out += lang.pick("等级有变化（\(assess.changed.count)）\n", "Grade changed (\(assess.changed.count))\n")
    if !assess.changed.isEmpty {
      var t = TextTable(columns: [
        .init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 28),
        .init(title: lang.pick("层级", "Level"), alignment: .left),
        .init(title: lang.pick("上级", "Parent"), alignment: .left, maxWidth: 18),
        .init(title: P, alignment: .left), .init(title: Q, alignment: .left),
        .init(title: lang.pick("综合 \(P)", "Composite \(P)"), alignment: .right),
        .init(title: lang.pick("综合 \(Q)", "Composite \(Q)"), alignment: .right),
        .init(title: change, alignment: .right),
      ])
      for c in assess.changed.prefix(40) {
        t.addRow([
          f.names[c.node], levelOf(c.node), f.parentName(of: c.node) ?? "-", gradeText(c.from, lang), gradeText(c.to, lang),
          fixed(c.composite.from, 1), fixed(c.composite.to, 1), signed(c.composite.change, 1),
        ])
      }
      out += t.render() + more(assess.changed.count, 40)
    }

    if !reorganised.isEmpty {
      out += "\n" + lang.pick("调整过的节点（不参与比较）（\(reorganised.count)）\n", "Reorganised between the periods, not compared (\(reorganised.count))\n")
      var t = TextTable(columns: [
        .init(title: lang.pick("\(P) 期编号", "ID in \(P)"), alignment: .left),
        .init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 28),
        .init(title: lang.pick("\(Q) 期编号", "ID in \(Q)"), alignment: .left),
        .init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 28),
        .init(title: lang.pick("层级", "Level"), alignment: .left),
      ])
      for r in reorganised.prefix(30) { t.addRow([f.ids[r.from], f.names[r.from], f.ids[r.to], f.names[r.to], levelOf(r.to)]) }
      out += t.render() + more(reorganised.count, 30)
    }
    if !notes.isEmpty {
      out += "\n" + notes.map { lang.pick("注：", "Note: ") + $0.text(lang) + "\n" }.joined()
    }
    return out
  }

  /// Name, level, parent, flag in P, flag in Q.
  private func changeTable(_ lang: Language, _ P: String, _ Q: String) -> TextTable {
    TextTable(columns: [
      .init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 28),
      .init(title: lang.pick("层级", "Level"), alignment: .left),
      .init(title: lang.pick("上级", "Parent"), alignment: .left, maxWidth: 20),
      .init(title: P, alignment: .left), .init(title: Q, alignment: .left),
    ])
  }

  private func attenuationText(_ flag: AttenuationFlag, _ lang: Language) -> String {
    switch flag {
    case .attenuated: lang.pick("衰减", "attenuated")
    case .amplified: lang.pick("放大", "amplified")
    case .notFlagged: lang.pick("无", "none")
    }
  }
}

extension CompareResult.Change {
  /// `{"from", "to", "change"}`, null where undefined.
  var json: JSON { .object(["from": JSON(from), "to": JSON(to), "change": JSON(change)]) }
}

extension CompareResult.CountChange {
  var json: JSON { .object(["from": .int(from), "to": .int(to), "change": .int(change)]) }
}

/// A change for tables, with its sign: +0.0123, -2, and 0.000 (no sign) for one that
/// rounds to zero.
private func signed(_ x: Double?, _ digits: Int = 4) -> String {
  guard let x, x.isFinite else { return "-" }
  let text = String(format: "%+.\(digits)f", x)
  return text.dropFirst().allSatisfy { $0 == "0" || $0 == "." } ? String(text.dropFirst()) : text
}

private func signed(_ n: Int) -> String { n > 0 ? "+\(n)" : String(n) }
