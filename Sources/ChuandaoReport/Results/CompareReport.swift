import Chuandao
import ChuandaoStats
import _ChuandaoOutput

/// `CompareResult` as the JSON of docs/compare.md, CSV node rows and a document.
extension CompareResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let f = d.forest
    var o: JSONObject = [
      "from": .string(d.manifest.periods[from]),
      "to": .string(d.manifest.periods[to]),
    ]
    for (key, value) in sections(d) { o[key] = value }
    o["nodes"] = .rows(nodeRows(d))
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
  public func csvRows(_ d: Dataset) -> [JSONObject] { nodeRows(d).objects }

  public func nodeRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    let grades = AssessAnalysis.grades
    return JSONRows(count: nodes.count) { [nodes] k, w in
      let r = nodes[k]
      var changed: [String] = []
      if r.attenuationFlag.changed { changed.append("attenuation_flag") }
      if r.imbalanceFlag.changed { changed.append("imbalance_flag") }
      if r.silo.changed { changed.append("silo") }
      if r.grade.changed { changed.append("grade") }
      w.add("id", f.ids[r.node])
      w.add("level", f.levelNames[Int(f.level[r.node])])
      w.object("attenuation_flag") { o in
        o.add("from", r.attenuationFlag.from?.rawValue)
        o.add("to", r.attenuationFlag.to?.rawValue)
      }
      w.object("imbalance_flag") { o in
        o.add("from", r.imbalanceFlag.from?.rawValue)
        o.add("to", r.imbalanceFlag.to?.rawValue)
      }
      w.object("silo") { o in
        o.add("from", r.silo.from)
        o.add("to", r.silo.to)
      }
      w.object("grade") { o in
        o.add("from", r.grade.from.map { grades[$0] })
        o.add("to", r.grade.to.map { grades[$0] })
      }
      w.object("rank") { o in
        o.add("from", r.rank.from)
        o.add("to", r.rank.to)
      }
      w.object("composite") { o in
        o.add("from", r.composite.from)
        o.add("to", r.composite.to)
        o.add("change", r.composite.change)
      }
      w.add("changed", JSON(changed))
      w.add("name", f.names[r.node])
      w.add("parent", f.parentID(of: r.node))
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let levels = f.levelNames
    let (P, Q) = (d.manifest.periods[from], d.manifest.periods[to])
    func L(_ k: Int) -> String { levelLabel(levels[k], lang) }
    func levelOf(_ i: Int) -> String { L(Int(f.level[i])) }
    let change = lang.pick("变化", "Change")
    /// The first column, then P, Q and the change.
    func sideBySide(_ first: Column) -> Table {
      Table([first, Column(P, .number(4)), Column(Q, .number(4)), Column(change, .signed(4))])
    }
    /// A figure in P, in Q and its change, with `digits` decimals.
    func figures(_ c: Change, _ digits: Int = 4) -> [Cell] {
      [.number(c.from, digits: digits), .number(c.to, digits: digits), .number(c.change, digits: digits)]
    }
    func counts(_ c: CountChange) -> [Cell] { [.count(c.from), .count(c.to), .change(c.change)] }
    /// A titled list cut at `shown` rows, with where to find the rest.
    func list(_ title: String, _ count: Int, shown: Int, _ table: () -> Table) -> Section {
      var section = Section(title)
      guard count > 0 else { return section }
      section.table(table())
      if let more = moreLine(count, shown, lang, see: "json") { section.paragraph(more) }
      return section
    }

    var head = Section()
    head.paragraph(lang.pick(
      "同比：\(P) 期对 \(Q) 期；两期都有的 \(nodes.count) 个节点参与比较",
      "Year on year: period \(P) against period \(Q); \(counted(nodes.count, "node")) present in both are compared"))
    head.paragraph(lang.pick(
      "未参与比较：调整（更名、合并）\(reorganised.count) 个，仅在 \(P) 期 \(onlyFrom.count) 个，仅在 \(Q) 期 \(onlyTo.count) 个",
      "Not compared: \(reorganised.count) reorganised (renamed, merged), \(onlyFrom.count) only in \(P), \(onlyTo.count) only in \(Q)"))
    var doc = Document([head])

    // Vertical drop.
    let a = attenuation
    var st = sideBySide(Column(lang.pick("传导率", "tau")))
    for s in a.steps { st.add([.text("\(L(s.level - 1)) → \(L(s.level))")] + figures(s.tau)) }
    st.add([.text(lang.pick("末端保留率 R", "End retention R"))] + figures(a.endRetention))
    doc.append(Section(lang.pick("落差（层层传导）：指标 \(a.metric)", "Vertical drop: metric \(a.metric)"), [.table(st)]))
    if !a.groups.isEmpty {
      var gt = sideBySide(Column(lang.pick("名称", "Name"), .name(maxWidth: 28)))
      // Up to 30 in the forest's order; beyond that the 30 whose retention fell most.
      let groups = shownRows(a.groups) { $0.endRetention.change }
      for g in groups { gt.add([.text(f.names[g.node])] + figures(g.endRetention)) }
      var section = Section(lang.pick("各\(L(0))末端保留率", "\(plural(levels[0]).capitalized): end retention"), [.table(gt)])
      if a.groups.count > 30 {
        section.paragraph(lang.pick(
          "以上为末端保留率下降最多的 30 个（共 \(a.groups.count) 个），其余见 --format json",
          "Above, the 30 whose end retention fell most (of \(a.groups.count)); the rest: see --format json"))
      }
      doc.append(section)
    }
    doc.append(list(
      lang.pick("传导标记有变化（\(a.changed.count)）", "Attenuation flag changed (\(a.changed.count))"), a.changed.count, shown: 30
    ) {
      var t = changeTable(lang, P, Q)
      for c in a.changed.prefix(30) {
        t.add([
          .text(f.names[c.node]), .text(levelOf(c.node)), .text(f.parentName(of: c.node) ?? "-"),
          .text(attenuationText(c.from, lang)), .text(attenuationText(c.to, lang)),
        ])
      }
      return t
    })

    // Horizontal spread.
    if let m = imbalance {
      let adjustText = m.adjust == .risk ? lang.pick("按人数和廉政风险调整", "adjusted for members and integrity risk") : lang.pick("按人数调整", "adjusted for members")
      var t = sideBySide(Column(lang.pick("项目", "Item")))
      t.add([.text(lang.pick("节点", "Nodes"))] + counts(m.nodes))
      for c in m.counts where c.flag != .normal { t.add([.text(flagText(c.flag, lang))] + counts(c.count)) }
      t.add([.text(lang.pick("离散度 phi", "Dispersion phi"))] + figures(m.phi, 2))
      t.add([.text(lang.pick("基尼系数", "Gini"))] + figures(m.gini, 3))
      doc.append(Section(
        lang.pick("温差（冷热不均）：\(L(m.level))层，期望\(adjustText)", "Horizontal spread: level \(levels[m.level]), expected actions \(adjustText)"),
        [.table(t)]))
      doc.append(list(
        lang.pick("冷热标记有变化（\(m.changed.count)）", "Cold/hot flag changed (\(m.changed.count))"), m.changed.count, shown: 30
      ) {
        var t = changeTable(lang, P, Q)
        for c in m.changed.prefix(30) {
          t.add([
            .text(f.names[c.node]), .text(levelOf(c.node)), .text(f.parentName(of: c.node) ?? "-"),
            .text(flagText(c.from, lang)), .text(flagText(c.to, lang)),
          ])
        }
        return t
      })
    } else {
      doc.append(Section(nil, [.paragraph(lang.pick(
        "温差（冷热不均）：不比较（见下方注）", "Horizontal spread: not compared (see the notes below)"))]))
    }

    // Coordination.
    var lt = sideBySide(Column(lang.pick("层级", "Level")))
    for l in coordination.levels { lt.add([.text(L(l.level))] + figures(l.meanIndex, 3)) }
    doc.append(Section(
      lang.pick("四责协同：各层平均协同指数", "Four responsibilities together: mean coordination index per level"), [.table(lt)]))
    for (title, silos) in [
      (lang.pick("新成为各扫门前雪", "Became silos"), coordination.becameSilo),
      (lang.pick("不再各扫门前雪", "No longer silos"), coordination.stoppedSilo),
    ] {
      doc.append(list(lang.pick("\(title)（\(silos.count)）", "\(title) (\(silos.count))"), silos.count, shown: 30) {
        var t = Table([
          Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
          Column(lang.pick("层级", "Level")),
          Column(lang.pick("最弱主体 \(P)", "Weakest \(P)")),
          Column(lang.pick("最弱主体 \(Q)", "Weakest \(Q)")),
          Column(lang.pick("差距 \(P)", "Gap \(P)"), .number(1)),
          Column(lang.pick("差距 \(Q)", "Gap \(Q)"), .number(1)),
        ])
        for s in silos.prefix(30) {
          t.add([
            .text(f.names[s.node]), .text(levelOf(s.node)),
            .text(s.weakest.from.map { subjectLabel(d.manifest.subjects[$0], lang) } ?? "-"),
            .text(s.weakest.to.map { subjectLabel(d.manifest.subjects[$0], lang) } ?? "-"),
            .number(s.gap.from), .number(s.gap.to),
          ])
        }
        return t
      })
    }

    // Closed loop.
    if let c = closure {
      let (dp, dq) = (c.asOf.from.map(ISODate.format) ?? "-", c.asOf.to.map(ISODate.format) ?? "-")
      var t = Table([
        Column(lang.pick("范围", "Scope"), .name(maxWidth: 24)),
        Column(lang.pick("问题 \(P)", "Problems \(P)"), .count),
        Column(lang.pick("问题 \(Q)", "Problems \(Q)"), .count),
        Column(P, .number(3)), Column(Q, .number(3)), Column(change, .signed(3)),
      ])
      func row(_ name: String, _ s: ClosureScope) {
        t.add([.text(name), .count(s.problems.from), .count(s.problems.to)] + figures(s.closureIndex, 3))
      }
      row(lang.pick("全部", "All"), c.all)
      // Up to 30 in the forest's order; beyond that the 30 whose index fell most.
      let groups = shownRows(c.groups) { $0.scope.closureIndex.change }
      for g in groups { row(f.names[g.node], g.scope) }
      var section = Section(
        lang.pick(
          "三张清单闭环：闭环指数（\(P) 期截至 \(dp)，\(Q) 期截至 \(dq)）",
          "Closed loop of the three lists: closure index (\(P) as of \(dp), \(Q) as of \(dq))"),
        [.table(t)])
      if c.groups.count > 30 {
        section.paragraph(lang.pick(
          "以上为闭环指数下降最多的 30 个（共 \(c.groups.count) 个），其余见 --format json",
          "Above, the 30 whose closure index fell most (of \(c.groups.count)); the rest: see --format json"))
      }
      doc.append(section)
    } else {
      doc.append(Section(nil, [.paragraph(lang.pick(
        "三张清单闭环：不比较（见下方注）", "Closed loop of the three lists: not compared (see the notes below)"))]))
    }

    // Assessment: counts in P → Q, right-aligned as counts are.
    var gt = Table(
      [Column(lang.pick("层级", "Level")), Column(lang.pick("参评", "Ranked"), .count)]
        + AssessAnalysis.grades.indices.map { Column(gradeText($0, lang), .count) })
    for l in assess.levels {
      gt.add([.text(L(l.level)), .text("\(l.ranked.from) → \(l.ranked.to)")] + l.grades.map { .text("\($0.from) → \($0.to)") })
    }
    doc.append(Section(
      lang.pick(
        "年度考核：各层等级分布（\(P) → \(Q)；指标按所有期的目标值归一，两期可比）",
        "Annual assessment: grades by level (\(P) → \(Q); indicators normalised against goalposts over all periods, so the two compare)"),
      [.table(gt)]))
    doc.append(list(
      lang.pick("等级有变化（\(assess.changed.count)）", "Grade changed (\(assess.changed.count))"), assess.changed.count, shown: 40
    ) {
      var t = Table([
        Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
        Column(lang.pick("层级", "Level")),
        Column(lang.pick("上级", "Parent"), .name(maxWidth: 18)),
        Column(P, .grade), Column(Q, .grade),
        Column(lang.pick("综合 \(P)", "Composite \(P)"), .number(1)),
        Column(lang.pick("综合 \(Q)", "Composite \(Q)"), .number(1)),
        Column(change, .signed(1)),
      ])
      for c in assess.changed.prefix(40) {
        t.add([
          .text(f.names[c.node]), .text(levelOf(c.node)), .text(f.parentName(of: c.node) ?? "-"),
          .text(gradeText(c.from, lang)), .text(gradeText(c.to, lang)),
        ] + figures(c.composite, 1))
      }
      return t
    })

    if !reorganised.isEmpty {
      doc.append(list(
        lang.pick("调整过的节点（不参与比较）（\(reorganised.count)）", "Reorganised between the periods, not compared (\(reorganised.count))"),
        reorganised.count, shown: 30
      ) {
        var t = Table([
          Column(lang.pick("\(P) 期编号", "ID in \(P)"), .name()),
          Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
          Column(lang.pick("\(Q) 期编号", "ID in \(Q)"), .name()),
          Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
          Column(lang.pick("层级", "Level")),
        ])
        for r in reorganised.prefix(30) {
          t.add([.text(f.ids[r.from]), .text(f.names[r.from]), .text(f.ids[r.to]), .text(f.names[r.to]), .text(levelOf(r.to))])
        }
        return t
      })
    }
    if !notes.isEmpty {
      doc.append(Section(nil, notes.map { .paragraph(lang.pick("注：", "Note: ") + $0.text(lang)) }))
    }
    return doc
  }

  /// Name, level, parent, flag in P, flag in Q.
  private func changeTable(_ lang: Language, _ P: String, _ Q: String) -> Table {
    Table([
      Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
      Column(lang.pick("层级", "Level")),
      Column(lang.pick("上级", "Parent"), .name(maxWidth: 20)),
      Column(P, .flag), Column(Q, .flag),
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
