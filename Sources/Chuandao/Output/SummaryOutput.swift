/// Renders `DatasetSummary` as JSON, CSV rows and a terminal table.
extension DatasetSummary {
  public func json(provenance: Provenance) -> JSONObject {
    var files = JSONObject()
    for f in self.files {
      files[f.name] = .object([
        "bytes": .int(f.bytes), "records": .int(f.records), "encoding": .string(f.encoding),
      ])
    }
    return [
      "name": .string(name),
      "levels": .array(levels.map { .string($0) }),
      "nodes": .int(nodeCount),
      "nodes_per_level": nodesPerLevelJSON(nodesPerLevel),
      "subjects": .array(subjects.map { .string($0) }),
      "domains": .array(domains.map { .string($0) }),
      "kinds": .array(kinds.map { .string($0) }),
      "periods": .array(periods.map { p in
        .object([
          "period": .string(p.label), "end": JSON(p.end),
          "nodes_per_level": nodesPerLevelJSON(p.nodesPerLevel),
          "members": .int(p.members), "subject_scores": .int(p.subjectScores),
          "supervision_actions": .int(p.supervisionActions), "problems": .int(p.problems),
          "leaders": .int(p.leaders),
        ])
      }),
      "files": .object(files),
      "reorganised_nodes": .int(reorganised),
      "zero_member_nodes": .int(zeroMemberNodes),
      "lists": .object([
        "problems": .int(problems), "responsibilities": .int(responsibilities),
        "projects": .int(projects),
      ]),
      "leader_rows": .int(leaderRows),
      "warnings": .int(warnings),
      "provenance": provenance.json,
    ]
  }

  private func nodesPerLevelJSON(_ counts: [Int]) -> JSON {
    var o = JSONObject()
    for (k, c) in counts.enumerated() { o[levels[k]] = .int(c) }
    return .object(o)
  }

  /// One row per period (what `--format csv` writes for `summary`).
  public var csvRows: [JSONObject] {
    periods.map { p in
      var o: JSONObject = ["period": .string(p.label), "end": JSON(p.end)]
      for (k, c) in p.nodesPerLevel.enumerated() { o["nodes.\(levels[k])"] = .int(c) }
      o["members"] = .int(p.members)
      o["subject_scores"] = .int(p.subjectScores)
      o["supervision_actions"] = .int(p.supervisionActions)
      o["problems"] = .int(p.problems)
      o["leaders"] = .int(p.leaders)
      return o
    }
  }

  public func table(_ lang: Language) -> String {
    var out = ""
    out += lang.pick("数据集：", "Dataset: ") + name + "  (" + folder + ")\n"
    let comma = lang.pick("、", ", ")
    out += lang.pick("层级：", "Levels: ") + levels.map { levelLabel($0, lang) }.joined(separator: " > ") + "\n"
    out += lang.pick("节点：", "Nodes: ") + "\(nodeCount)  ("
    out += zip(levels, nodesPerLevel).map { "\(levelLabel($0, lang)) \($1)" }.joined(separator: lang.pick("，", ", ")) + ")\n"
    out += lang.pick("责任主体：", "Subjects: ") + subjects.map { subjectLabel($0, lang) }.joined(separator: comma) + "\n"
    out += lang.pick("领域：", "Domains: ") + domains.map { domainLabel($0, lang) }.joined(separator: comma) + "\n"
    out += lang.pick("督查类型（由轻到重）：", "Kinds (mildest first): ") + kinds.map { kindLabel($0, lang) }.joined(separator: comma) + "\n\n"

    var cols = [TextTable.Column(title: lang.pick("期", "Period"), alignment: .left),
                TextTable.Column(title: lang.pick("截止", "Ends"), alignment: .left)]
    for l in levels { cols.append(.init(title: levelLabel(l, lang), alignment: .right)) }
    cols += [
      .init(title: lang.pick("党员", "Members"), alignment: .right),
      .init(title: lang.pick("主体评分", "Subject scores"), alignment: .right),
      .init(title: lang.pick("督查次数", "Actions"), alignment: .right),
      .init(title: lang.pick("问题", "Problems"), alignment: .right),
      .init(title: lang.pick("领导", "Leaders"), alignment: .right),
    ]
    var t = TextTable(columns: cols)
    for p in periods {
      t.addRow([p.label, p.end ?? "-"] + p.nodesPerLevel.map(String.init) + [
        String(p.members), String(p.subjectScores), String(p.supervisionActions),
        String(p.problems), String(p.leaders),
      ])
    }
    out += t.render() + "\n"

    var ft = TextTable(columns: [
      .init(title: lang.pick("文件", "File"), alignment: .left),
      .init(title: lang.pick("编码", "Encoding"), alignment: .left),
      .init(title: lang.pick("记录", "Records"), alignment: .right),
      .init(title: lang.pick("字节", "Bytes"), alignment: .right),
    ])
    for f in files {
      ft.addRow([f.name, f.encoding, f.name == "dataset.yaml" ? "-" : String(f.records), String(f.bytes)])
    }
    out += ft.render() + "\n"
    out += lang.pick(
      "清单：问题 \(problems)，责任 \(responsibilities)，项目 \(projects)；领导 \(leaderRows) 行；改组节点 \(reorganised)；党员数为 0 的节点 \(zeroMemberNodes)；警告 \(warnings)",
      "Lists: \(counted(problems, "problem")), \(counted(responsibilities, "responsibility")), \(counted(projects, "project")); \(counted(leaderRows, "leader row")); \(counted(reorganised, "reorganised node")); \(counted(zeroMemberNodes, "node")) with zero members; \(counted(warnings, "warning"))")
    out += "\n"
    return out
  }
}
