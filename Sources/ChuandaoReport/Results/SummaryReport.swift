import Chuandao
import _ChuandaoOutput

/// `DatasetSummary` as JSON, CSV rows and a document.
extension DatasetSummary {
  public func json(provenance: Provenance) -> JSONObject {
    var files = JSONObject()
    for f in self.files {
      var entry: JSONObject = [
        "bytes": .int(f.bytes), "records": .int(f.records), "encoding": .string(f.encoding),
      ]
      // A table read from a workbook: which workbook and sheet (absent for CSV files).
      if let workbook = f.workbook {
        entry["workbook"] = .string(workbook)
        entry["sheet"] = .string(f.sheet ?? "")
      }
      files[f.name] = .object(entry)
    }
    var o: JSONObject = [
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
    ]
    // Issue 17's optional columns, only when the dataset has them.
    if let j = jointOffices { o["joint_offices"] = .object(["joint": .int(j.joint), "known": .int(j.known)]) }
    if let n = leaderRowsWithDomains { o["leader_rows_with_domains"] = .int(n) }
    // Only with member_reach.csv, so that a dataset without it reads as before.
    if let measures = reachMeasures {
      o["member_reach"] = .object([
        "measures": .array(measures.map { .string($0) }), "rows": .int(reachRows),
        "periods": .array(reach.map { r in
          .object([
            "period": .string(r.label), "nodes": .int(r.nodes), "reached": .int(Int(r.reached)),
            "eligible": .int(Int(r.eligible)), "rate": JSON(r.rate),
          ])
        }),
      ])
    }
    o["provenance"] = provenance.json
    return o
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

  public func document(_ lang: Language) -> Document {
    let comma = lang.pick("、", ", ")
    var head = Section(lang.pick("数据集：", "Dataset: ") + name + "  (" + folder + ")")
    head.paragraph(lang.pick("层级：", "Levels: ") + levels.map { levelLabel($0, lang) }.joined(separator: " > "))
    head.paragraph(
      lang.pick("节点：", "Nodes: ") + "\(nodeCount)  ("
        + zip(levels, nodesPerLevel).map { "\(levelLabel($0, lang)) \($1)" }.joined(separator: lang.pick("，", ", ")) + ")")
    head.paragraph(lang.pick("责任主体：", "Subjects: ") + subjects.map { subjectLabel($0, lang) }.joined(separator: comma))
    head.paragraph(lang.pick("领域：", "Domains: ") + domains.map { domainLabel($0, lang) }.joined(separator: comma))
    head.paragraph(lang.pick("督查类型（由轻到重）：", "Kinds (mildest first): ") + kinds.map { kindLabel($0, lang) }.joined(separator: comma))

    var t = Table(
      [Column(lang.pick("期", "Period")), Column(lang.pick("截止", "Ends"))]
        + levels.map { Column(levelLabel($0, lang), .count) }
        + [
          Column(lang.pick("党员", "Members"), .count),
          Column(lang.pick("主体评分", "Subject scores"), .count),
          Column(lang.pick("督查次数", "Actions"), .count),
          Column(lang.pick("问题", "Problems"), .count),
          Column(lang.pick("领导", "Leaders"), .count),
        ])
    for p in periods {
      t.add(
        [.text(p.label), .text(p.end ?? "-")] + p.nodesPerLevel.map { .count($0) }
          + [.count(p.members), .count(p.subjectScores), .count(p.supervisionActions), .count(p.problems), .count(p.leaders)])
    }

    var ft = Table([
      Column(lang.pick("文件", "File")),
      Column(lang.pick("编码", "Encoding")),
      Column(lang.pick("记录", "Records"), .count),
      Column(lang.pick("字节", "Bytes"), .count),
    ])
    for f in files {
      ft.add([.text(f.displayName), .text(f.encoding), .count(f.name == "dataset.yaml" ? nil : f.records), .count(f.bytes)])
    }
    let lists = lang.pick(
      "清单：问题 \(problems)，责任 \(responsibilities)，项目 \(projects)；领导 \(leaderRows) 行；改组节点 \(reorganised)；党员数为 0 的节点 \(zeroMemberNodes)；警告 \(warnings)",
      "Lists: \(counted(problems, "problem")), \(counted(responsibilities, "responsibility")), \(counted(projects, "project")); \(counted(leaderRows, "leader row")); \(counted(reorganised, "reorganised node")); \(counted(zeroMemberNodes, "node")) with zero members; \(counted(warnings, "warning"))")
    var closing = Section(nil, [.paragraph(lists)])
    if let j = jointOffices {
      closing.paragraph(lang.pick(
        "合署办公：\(j.known) 个节点有 joint_office 值，其中 \(j.joint) 个合署办公",
        "Joint offices: \(j.joint) of \(j.known) nodes with a joint_office value"))
    }
    if let n = leaderRowsWithDomains {
      closing.paragraph(lang.pick(
        "分管领域：leaders.csv 中 \(n) 行列出了分管的风险领域",
        "Remits: \(counted(n, "leaders.csv row")) name risk domains"))
    }
    var doc = Document([head, Section(nil, [.table(t)]), Section(nil, [.table(ft)]), closing])
    if let measures = reachMeasures {
      var rt = Table([
        Column(lang.pick("期", "Period")),
        Column(levelLabel(levels[levels.count - 1], lang), .count),
        Column(lang.pick("覆盖人数", "Reached"), .count),
        Column(lang.pick("应覆盖人数", "Eligible"), .count),
        Column(lang.pick("覆盖率", "Rate"), .percent(1)),
      ])
      for r in reach { rt.add([.text(r.label), .count(r.nodes), .count(Int(r.reached)), .count(Int(r.eligible)), .number(r.rate)]) }
      doc.append(Section(
        lang.pick("党员覆盖（member_reach.csv）：\(reachRows) 行；措施：", "Member reach (member_reach.csv): \(counted(reachRows, "row")); measures: ")
          + measures.joined(separator: comma),
        [.table(rt)]))
    }
    return doc
  }
}
