/// Renders `CoordinationResult` and `ClosureResult` as OUTPUT.md's JSON, CSV rows and tables.
extension CoordinationResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let subjects = d.manifest.subjects
    return [
      "period": .string(d.manifest.periods[period]),
      "nodes": .array(csvRows(d).map { .object($0) }),
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

  public func csvRows(_ d: Dataset) -> [JSONObject] {
    let f = d.forest
    return nodes.map { r in
      [
        "id": .string(f.ids[r.node]), "level": .string(f.levelNames[Int(f.level[r.node])]),
        "mean": JSON(r.mean), "sd": JSON(r.sd), "index": JSON(r.index),
        "weakest": .string(d.manifest.subjects[r.weakest]), "gap": JSON(r.gap), "silo": .bool(r.silo),
        "name": .string(f.names[r.node]),
      ]
    }
  }

  public func table(_ d: Dataset, _ lang: Language) -> String {
    let f = d.forest
    func subject(_ s: Int) -> String { subjectLabel(d.manifest.subjects[s], lang) }
    var out = lang.pick(
      "四责协同：\(d.manifest.periods[period]) 期，\(nodes.count) 个节点有两个以上责任主体的评分\n\n",
      "Four responsibilities together: period \(d.manifest.periods[period]), \(counted(nodes.count, "node")) with two or more subject scores\n\n")
    let silos = nodes.filter(\.silo).sorted { ($0.gap, $1.node) > ($1.gap, $0.node) }
    out += lang.pick("各扫门前雪（某一主体比均值低 \(fixed(siloGap, 0)) 分以上）：\(silos.count) 个\n", "Silos (one subject \(fixed(siloGap, 0)) or more points below the mean): \(silos.count)\n")
    if !silos.isEmpty {
      var t = TextTable(columns: [
        .init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 30),
        .init(title: lang.pick("层级", "Level"), alignment: .left),
        .init(title: lang.pick("最弱主体", "Weakest"), alignment: .left),
        .init(title: lang.pick("差距", "Gap"), alignment: .right),
        .init(title: lang.pick("均值", "Mean"), alignment: .right),
        .init(title: lang.pick("协同指数", "Index"), alignment: .right),
      ])
      for r in silos.prefix(30) {
        t.addRow([f.names[r.node], levelLabel(f.levelNames[Int(f.level[r.node])], lang), subject(r.weakest), fixed(r.gap, 1), fixed(r.mean, 1), fixed(r.index, 3)])
      }
      out += t.render()
      if silos.count > 30 { out += lang.pick("……另有 \(silos.count - 30) 个，见 --format csv\n", "... and \(silos.count - 30) more: see --format csv\n") }
    }
    out += "\n"
    var lt = TextTable(columns: [
      .init(title: lang.pick("层级", "Level"), alignment: .left),
      .init(title: lang.pick("节点", "Nodes"), alignment: .right),
      .init(title: lang.pick("平均协同指数", "Mean index"), alignment: .right),
    ])
    for l in levels { lt.addRow([levelLabel(f.levelNames[l.level], lang), String(l.nodes), fixed(l.meanIndex, 3)]) }
    out += lt.render()
    out += lang.pick(
      "双核驱动：党政分设 \(fixed(splitMeanIndex, 3))，未分设 \(fixed(jointMeanIndex, 3))\n",
      "Dual core: Party and administrative heads split \(fixed(splitMeanIndex, 3)), not split \(fixed(jointMeanIndex, 3))\n")
    return out
  }
}

extension ClosureResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let ids = d.problems.id
    return [
      "period": .string(d.manifest.periods[period]),
      "as_of": .string(ISODate.format(asOf)),
      "nodes": .array(csvRows(d).map { .object($0) }),
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

  public func csvRows(_ d: Dataset) -> [JSONObject] {
    let f = d.forest
    return nodes.indices.map { r in
      let c = counts[r]
      return [
        "id": .string(f.ids[nodes[r]]), "problems": .int(c.problems), "owned": .int(c.owned),
        "planned": .int(c.planned), "done": .int(c.done), "on_time": .int(c.onTime),
        "overdue": .int(c.overdue), "closure_index": JSON(c.closureIndex),
        "level": .string(f.levelNames[Int(f.level[nodes[r]])]), "name": .string(f.names[nodes[r]]),
      ]
    }
  }

  public func table(_ d: Dataset, _ lang: Language) -> String {
    let f = d.forest
    var out = lang.pick(
      "三张清单闭环：\(d.manifest.periods[period]) 期，截至 \(ISODate.format(asOf))\n\n",
      "Closed loop of the three lists: period \(d.manifest.periods[period]), as of \(ISODate.format(asOf))\n\n")
    var t = TextTable(columns: [
      .init(title: lang.pick("范围", "Scope"), alignment: .left, maxWidth: 24),
      .init(title: lang.pick("问题", "Problems"), alignment: .right),
      .init(title: lang.pick("有责任人", "Owned"), alignment: .right),
      .init(title: lang.pick("有项目", "Planned"), alignment: .right),
      .init(title: lang.pick("已完成", "Done"), alignment: .right),
      .init(title: lang.pick("按时完成", "On time"), alignment: .right),
      .init(title: lang.pick("逾期", "Overdue"), alignment: .right),
      .init(title: lang.pick("闭环指数", "Closure"), alignment: .right),
    ])
    func row(_ name: String, _ c: Counts) {
      t.addRow([name, String(c.problems), String(c.owned), String(c.planned), String(c.done), String(c.onTime), String(c.overdue), fixed(c.closureIndex, 3)])
    }
    let tops = nodes.indices.filter { f.level[nodes[$0]] == 0 }
    row(lang.pick("全部", "All"), tops.reduce(Counts()) { $0 + counts[$1] })
    for r in tops { row(f.names[nodes[r]], counts[r]) }
    out += t.render()
    out += lang.pick(
      "闭环指数 = 按时完成的问题数 / 问题数（含下级）；按时完成：有项目、项目全部在截至日前完成且不晚于期限（作废的项目不计）。\n\n",
      "Closure index = problems done on time / problems (subtree included); done on time: planned, every project done by the as-of date and not after its due date (dropped projects aside).\n\n")
    let p = d.problems
    for (title, list) in [(lang.pick("无责任人", "No owner"), breaks.unowned), (lang.pick("有责任人但无项目", "Owned, no project"), breaks.unplanned), (lang.pick("逾期", "Overdue"), breaks.overdue)] {
      out += lang.pick("\(title)（\(list.count)）\n", "\(title) (\(list.count))\n")
      guard !list.isEmpty else { continue }
      var bt = TextTable(columns: [
        .init(title: lang.pick("问题", "Problem"), alignment: .left),
        .init(title: lang.pick("节点", "Node"), alignment: .left, maxWidth: 24),
        .init(title: lang.pick("领域", "Domain"), alignment: .left),
        .init(title: lang.pick("描述", "Description"), alignment: .left, maxWidth: 40),
      ])
      for i in list.prefix(20) {
        bt.addRow([p.id[i], f.names[Int(p.node[i])], domainLabel(d.manifest.domains[Int(p.domain[i])], lang), p.description[i]])
      }
      out += bt.render()
      if list.count > 20 { out += lang.pick("……另有 \(list.count - 20) 个，见 --format json\n", "... and \(list.count - 20) more: see --format json\n") }
      out += "\n"
    }
    return out
  }
}
