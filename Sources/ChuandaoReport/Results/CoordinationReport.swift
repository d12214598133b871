import Chuandao
import ChuandaoStats
import _ChuandaoOutput

/// `CoordinationResult` and `ClosureResult` as OUTPUT.md's JSON, CSV rows and documents.
extension CoordinationResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let subjects = d.manifest.subjects
    return [
      "period": .string(d.manifest.periods[period]),
      "nodes": .rows(nodeRows(d)),
      "levels": .array(levels.map { l in
        .object([
          "level": .string(d.forest.levelNames[l.level]), "mean_index": JSON(l.meanIndex),
          "subjects": .array(subjects.map { .string($0) }),
          "correlation": .array(l.correlation.map { .array($0.map { JSON($0) }) }),
          "nodes": .int(l.nodes),
        ])
      }),
      "dual_core": .object(["split_mean_index": JSON(splitMeanIndex), "joint_mean_index": JSON(jointMeanIndex)]),
      "silo_gap": .number(siloGap),
      "provenance": provenance.json,
    ]
  }

  public func csvRows(_ d: Dataset) -> [JSONObject] { nodeRows(d).objects }

  public func nodeRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    let subjects = d.manifest.subjects
    return JSONRows(count: nodes.count) { [nodes] k, w in
      let r = nodes[k]
      w.add("id", f.ids[r.node])
      w.add("level", f.levelNames[Int(f.level[r.node])])
      w.add("mean", r.mean)
      w.add("sd", r.sd)
      w.add("index", r.index)
      w.add("weakest", subjects[r.weakest])
      w.add("gap", r.gap)
      w.add("silo", r.silo)
      w.add("name", f.names[r.node])
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let fixed = Figures.decimal
    func subject(_ s: Int) -> String { subjectLabel(d.manifest.subjects[s], lang) }
    var doc = Document([Section(nil, [.paragraph(lang.pick(
      "四责协同：\(d.manifest.periods[period]) 期，\(nodes.count) 个节点有两个以上责任主体的评分",
      "Four responsibilities together: period \(d.manifest.periods[period]), \(counted(nodes.count, "node")) with two or more subject scores"))])])
    let silos = nodes.filter(\.silo).sorted { ($0.gap, $1.node) > ($1.gap, $0.node) }
    var siloSection = Section(lang.pick(
      "各扫门前雪（某一主体比均值低 \(fixed(siloGap, 0)) 分以上）：\(silos.count) 个",
      "Silos (one subject \(fixed(siloGap, 0)) or more points below the mean): \(silos.count)"))
    if !silos.isEmpty {
      var t = Table([
        Column(lang.pick("名称", "Name"), .name(maxWidth: 30)),
        Column(lang.pick("层级", "Level")),
        Column(lang.pick("最弱主体", "Weakest")),
        Column(lang.pick("差距", "Gap"), .number(1)),
        Column(lang.pick("均值", "Mean"), .number(1)),
        Column(lang.pick("协同指数", "Index"), .number(3)),
      ])
      for r in silos.prefix(30) {
        t.add([
          .text(f.names[r.node]), .text(levelLabel(f.levelNames[Int(f.level[r.node])], lang)), .text(subject(r.weakest)),
          .number(r.gap), .number(r.mean), .number(r.index),
        ])
      }
      siloSection.table(t)
      if let more = moreLine(silos.count, 30, lang) { siloSection.paragraph(more) }
    }
    doc.append(siloSection)
    var lt = Table([
      Column(lang.pick("层级", "Level")),
      Column(lang.pick("节点", "Nodes"), .count),
      Column(lang.pick("平均协同指数", "Mean index"), .number(3)),
    ])
    for l in levels { lt.add([.text(levelLabel(f.levelNames[l.level], lang)), .count(l.nodes), .number(l.meanIndex)]) }
    var levelsSection = Section(nil, [.table(lt)])
    // Without party_admin_split values (no such column, or every cell empty) neither group
    // has a mean: the line says so instead of printing "split -, not split -".
    if splitMeanIndex == nil && jointMeanIndex == nil {
      levelsSection.paragraph(lang.pick(
        "双核驱动：org.csv 中没有 party_admin_split 的值，无法比较党政分设与未分设的节点",
        "Dual core: org.csv gives no party_admin_split values, so nodes with split and joint heads cannot be compared"))
    } else {
      levelsSection.paragraph(lang.pick(
        "双核驱动：党政分设 \(fixed(splitMeanIndex, 3))，未分设 \(fixed(jointMeanIndex, 3))",
        "Dual core: Party and administrative heads split \(fixed(splitMeanIndex, 3)), not split \(fixed(jointMeanIndex, 3))"))
    }
    doc.append(levelsSection)
    return doc
  }
}

extension ClosureResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let ids = d.problems.id
    return [
      "period": .string(d.manifest.periods[period]),
      "as_of": .string(ISODate.format(asOf)),
      "nodes": .rows(nodeRows(d)),
      "breaks": .object([
        "unowned": .array(breaks.unowned.map { .string(ids[$0]) }),
        "unplanned": .array(breaks.unplanned.map { .string(ids[$0]) }),
        "overdue": .array(breaks.overdue.map { .string(ids[$0]) }),
      ]),
      "provenance": provenance.json,
    ]
  }

  /// Every broken link of the chain, one row per problem: the `breaks.csv` of
  /// `--format csv --out DIR`.
  public func breakRows(_ d: Dataset) -> [JSONObject] {
    let f = d.forest
    let p = d.problems
    let kinds: [(String, [Int])] = [("unowned", breaks.unowned), ("unplanned", breaks.unplanned), ("overdue", breaks.overdue)]
    return kinds.flatMap { kind, list in
      list.map { i in
        [
          "break": .string(kind), "problem": .string(p.id[i]), "node": .string(f.ids[Int(p.node[i])]),
          "name": .string(f.names[Int(p.node[i])]), "domain": .string(d.manifest.domains[Int(p.domain[i])]),
          "description": .string(p.description[i]),
        ]
      }
    }
  }

  public func csvRows(_ d: Dataset) -> [JSONObject] { nodeRows(d).objects }

  public func nodeRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    return JSONRows(count: nodes.count) { [nodes, counts] r, w in
      let c = counts[r]
      w.add("id", f.ids[nodes[r]])
      w.add("problems", c.problems)
      w.add("owned", c.owned)
      w.add("planned", c.planned)
      w.add("done", c.done)
      w.add("on_time", c.onTime)
      w.add("overdue", c.overdue)
      w.add("closure_index", c.closureIndex)
      w.add("level", f.levelNames[Int(f.level[nodes[r]])])
      w.add("name", f.names[nodes[r]])
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    var doc = Document([Section(nil, [.paragraph(lang.pick(
      "三张清单闭环：\(d.manifest.periods[period]) 期，截至 \(ISODate.format(asOf))",
      "Closed loop of the three lists: period \(d.manifest.periods[period]), as of \(ISODate.format(asOf))"))])])
    var t = Table([
      Column(lang.pick("范围", "Scope"), .name(maxWidth: 24)),
      Column(lang.pick("问题", "Problems"), .count),
      Column(lang.pick("有责任人", "Owned"), .count),
      Column(lang.pick("有项目", "Planned"), .count),
      Column(lang.pick("已完成", "Done"), .count),
      Column(lang.pick("按时完成", "On time"), .count),
      Column(lang.pick("逾期", "Overdue"), .count),
      Column(lang.pick("闭环指数", "Closure"), .number(3)),
    ])
    func row(_ name: String, _ c: Counts) {
      t.add([
        .text(name), .count(c.problems), .count(c.owned), .count(c.planned), .count(c.done), .count(c.onTime),
        .count(c.overdue), .number(c.closureIndex),
      ])
    }
    let tops = nodes.indices.filter { f.level[nodes[$0]] == 0 }
    row(lang.pick("全部", "All"), tops.reduce(Counts()) { $0 + counts[$1] })
    // Up to 30 top-level nodes in the forest's order; beyond that (a national dataset has
    // 2,000 bureaus) the 30 with the lowest closure index, and a line for the rest.
    let shown = shownRows(tops) { counts[$0].closureIndex }
    for r in shown { row(f.names[nodes[r]], counts[r]) }
    if tops.count > 30 {
      doc.append(Section(nil, [.paragraph(lang.pick(
        "以下为闭环指数最低的 30 个\(levelLabel(f.levelNames[0], lang))（共 \(tops.count) 个）。",
        "Below, the 30 \(plural(f.levelNames[0])) with the lowest closure index (of \(tops.count)).")) ]))
    }
    doc.append(Section(nil, [.table(t)] + (moreLine(tops.count, 30, lang, see: "json").map { [.paragraph($0)] } ?? []) + [.paragraph(lang.pick(
      "闭环指数 = 按时完成的问题数 / 问题数（含下级）；按时完成：有项目、项目全部在截至日前完成且不晚于期限（作废的项目不计）。",
      "Closure index = problems done on time / problems (subtree included); done on time: planned, every project done by the as-of date and not after its due date (dropped projects aside)."))]))
    let p = d.problems
    // An empty list is its title alone, run on into the next list's section.
    var pending: [Block] = []
    for (title, list) in [(lang.pick("无责任人", "No owner"), breaks.unowned), (lang.pick("有责任人但无项目", "Owned, no project"), breaks.unplanned), (lang.pick("逾期", "Overdue"), breaks.overdue)] {
      pending.append(.paragraph(lang.pick("\(title)（\(list.count)）", "\(title) (\(list.count))")))
      guard !list.isEmpty else { continue }
      var bt = Table([
        Column(lang.pick("问题", "Problem"), .name()),
        Column(lang.pick("节点", "Node"), .name(maxWidth: 24)),
        Column(lang.pick("领域", "Domain")),
        Column(lang.pick("描述", "Description"), .text(maxWidth: 40)),
      ])
      for i in list.prefix(20) {
        bt.add([
          .text(p.id[i]), .text(f.names[Int(p.node[i])]), .text(domainLabel(d.manifest.domains[Int(p.domain[i])], lang)),
          .text(p.description[i]),
        ])
      }
      pending.append(.table(bt))
      if let more = moreLine(list.count, 20, lang, see: "json") { pending.append(.paragraph(more)) }
      doc.append(Section(nil, pending))
      pending = []
    }
    // The terminal has always closed a list that ends the document with a blank line.
    doc.append(Section(nil, pending))
    return doc
  }
}
