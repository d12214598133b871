import Chuandao
import ChuandaoStats
import _ChuandaoOutput
import _ChuandaoParallel

/// `AssessResult` as the JSON of OUTPUT.md, CSV node rows and a document.
extension AssessResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let f = d.forest
    let names = AssessAnalysis.indicators
    var weightObject = JSONObject()
    for (j, w) in weights.enumerated() { weightObject[names[j]] = .number(w) }
    var posts = JSONObject()
    for (k, level) in f.levelNames.enumerated() {
      var perLevel = JSONObject()
      for (j, g) in goalposts[k].enumerated() {
        perLevel[names[j]] = g.map { .array([.number($0.min), .number($0.max)]) } ?? .null
      }
      posts[level] = .object(perLevel)
    }
    return [
      "period": .string(d.manifest.periods[period]),
      "weights": .object(weightObject),
      "nodes": .rows(nodeRows(d)),
      "leaders": .array(leaderRows(d).map { .object($0) }),
      "goalposts": .object(posts),
      "leader_shares": .object(["own": .number(leaderShares.own), "oversees": .number(leaderShares.oversees)]),
      "uncertainty": .object([
        "draws": .int(draws), "concentration": .number(concentration), "seed": .int(Int(clamping: seed)),
      ]),
      "notes": .array(notes.map { .string($0.en) }),
      "provenance": provenance.json,
    ]
  }

  /// One row per node that exists in the period (`nodes`, and what `--format csv` writes:
  /// one column per indicator, `indicators.score` ... and `normalised.score` ...).
  public func csvRows(_ d: Dataset) -> [JSONObject] { nodeRows(d).objects }

  public func nodeRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    let names = AssessAnalysis.indicators
    return JSONRows(count: nodes.count) { [nodes] k, w in
      let r = nodes[k]
      w.add("id", f.ids[r.node])
      w.add("level", f.levelNames[Int(f.level[r.node])])
      w.object("indicators") { o in for j in names.indices { o.add(names[j], r.raw[j]) } }
      w.add("composite", r.composite)
      w.add("rank", r.rank)
      w.add("grade", r.grade.map { AssessAnalysis.grades[$0] })
      w.add("reasons", JSON(r.reasons.map { names[$0] }))
      w.add("rank_median", r.rankMedian)
      w.add("rank_p05", r.rankP05)
      w.add("rank_p95", r.rankP95)
      w.add("grade_stability", r.gradeStability)
      w.add("name", f.names[r.node])
      w.add("parent", f.parentID(of: r.node))
      w.object("normalised") { o in for j in names.indices { o.add(names[j], r.normalised[j]) } }
    }
  }

  func leaderRows(_ d: Dataset) -> [JSONObject] {
    let list = d.leaders
    let f = d.forest
    return leaders.map { l in
      [
        "person": .string(list.person[l.row]), "name": .string(list.name[l.row]),
        "composite": JSON(l.composite), "rank": JSON(l.rank),
        "grade": JSON(l.grade.map { AssessAnalysis.grades[$0] }),
        "role": .string(list.role[l.row].rawValue),
        "node": list.node[l.row] >= 0 ? .string(f.ids[Int(list.node[l.row])]) : .null,
        "own": JSON(l.own), "oversees_mean": JSON(l.oversees),
        "oversees": JSON(list.overseen(byRow: l.row).map { f.ids[Int($0)] }),
      ]
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let names = AssessAnalysis.indicators
    let fixed = Figures.decimal
    func L(_ k: Int) -> String { levelLabel(f.levelNames[k], lang) }
    let weightText = names.indices.map { "\(indicatorText(names[$0], lang)) \(fixed(weights[$0], 2))" }
      .joined(separator: lang.pick("、", ", "))
    var head = Section()
    head.paragraph(lang.pick(
      "年度考核：\(d.manifest.periods[period]) 期；权重 \(weightText)",
      "Annual assessment: period \(d.manifest.periods[period]); weights \(weightText)"))
    head.paragraph(draws > 0
      ? lang.pick(
        "排名不确定性：权重按 Dirichlet(\(fixed(concentration, 0))w) 抽样 \(draws) 次（种子 \(seed)），给出排名的 5%-95% 区间和等级稳定性",
        "Rank uncertainty: \(draws) weight draws from Dirichlet(\(fixed(concentration, 0))w) (seed \(seed)): the 5-95% rank band and grade stability")
      : lang.pick("未做排名不确定性分析（draws = 0）", "No rank uncertainty (draws = 0)"))
    var doc = Document([head])

    var summary = Table(
      [Column(lang.pick("层级", "Level")), Column(lang.pick("参评", "Ranked"), .count)]
        + (0..<4).map { Column(gradeText($0, lang), .count) }
        + [Column(lang.pick("平均稳定性", "Mean stability"), .percent(0))])
    for k in 0..<f.levelCount {
      let rows = nodes.filter { Int(f.level[$0.node]) == k && $0.grade != nil }
      let counts = (0..<4).map { g in rows.filter { $0.grade == g }.count }
      let stability = rows.compactMap(\.gradeStability)
      summary.add(
        [.text(L(k)), .count(rows.count)] + counts.map { .count($0) }
          + [.number(stability.isEmpty ? nil : stability.reduce(0, +) / Double(stability.count))])
    }
    doc.append(Section(lang.pick("各层等级分布", "Grades by level"), [.table(summary), .paragraph(gradeRule(lang))]))

    for k in 0..<f.levelCount {
      let ranked = nodes.indices.filter { Int(f.level[nodes[$0].node]) == k && nodes[$0].rank != nil }
      guard !ranked.isEmpty else { continue }
      // The 10 largest ranks, the lowest composites (a million branches are not sorted for 10).
      let shown = firstIndices(10, of: ranked.count) { a, b in
        let (x, y) = (nodes[ranked[a]], nodes[ranked[b]])
        return (y.rank!, x.node) < (x.rank!, y.node)
      }.map { nodes[ranked[$0]] }
      var t = Table([
        Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
        Column(lang.pick("上级", "Parent"), .name(maxWidth: 18)),
        Column(lang.pick("综合", "Composite"), .number(1)),
        Column(lang.pick("排名", "Rank"), .count),
        Column(lang.pick("5%-95% 排名", "5-95% rank")),
        Column(lang.pick("等级", "Grade"), .grade),
        Column(lang.pick("稳定性", "Stability"), .percent(0)),
        Column(lang.pick("主要失分", "Pulled down by")),
      ])
      for r in shown {
        let band = r.rankP05.map { "\(fixed($0, 0))-\(fixed(r.rankP95, 0))" } ?? "-"
        t.add([
          .text(f.names[r.node]), .text(f.parentName(of: r.node) ?? "-"), .number(r.composite), .count(r.rank), .text(band),
          .text(r.grade.map { gradeText($0, lang) } ?? "-"), .number(r.gradeStability),
          .text(r.reasons.map { indicatorText(names[$0], lang) }.joined(separator: lang.pick("、", ", "))),
        ])
      }
      doc.append(Section(
        lang.pick(
          "\(L(k))：综合得分最低的 \(shown.count) 个（共 \(ranked.count) 个）",
          "\(plural(f.levelNames[k]).capitalized): the \(shown.count) lowest of \(ranked.count)"),
        [.table(t)]))
    }

    let ranked = leaders.filter { $0.rank != nil }.sorted { ($0.rank!, $0.row) < ($1.rank!, $1.row) }
    if leaders.isEmpty {
      doc.append(Section(nil, [.paragraph(lang.pick("本期没有领导干部名单（leaders.csv）。", "No leaders in this period (leaders.csv)."))]))
    } else {
      let (own, oversees) = (Figures.percent(leaderShares.own, 0), Figures.percent(leaderShares.oversees, 0))
      var t = Table([
        Column(lang.pick("姓名", "Name"), .name(maxWidth: 22)),
        Column(lang.pick("本人单位", "Own unit"), .name(maxWidth: 24)),
        Column(lang.pick("本单位", "Own"), .number(1)),
        Column(lang.pick("分管均值", "Overseen"), .number(1)),
        Column(lang.pick("综合", "Composite"), .number(1)),
        Column(lang.pick("排名", "Rank"), .count),
        Column(lang.pick("等级", "Grade"), .grade),
      ])
      let list = d.leaders
      let shown = ranked.count > 20 ? Array(ranked.prefix(10) + ranked.suffix(10)) : ranked
      for l in shown {
        let ownUnit = list.node[l.row] >= 0 ? f.names[Int(list.node[l.row])] : "-"
        t.add([
          .text(list.name[l.row]), .text(ownUnit), .number(l.own), .number(l.oversees), .number(l.composite),
          .count(l.rank), .text(l.grade.map { gradeText($0, lang) } ?? "-"),
        ])
      }
      var section = Section(
        lang.pick(
          "领导干部（\(ranked.count) 人参评；本人单位占 \(own)，分管单位均值占 \(oversees)，缺一方时以另一方计）",
          "Leaders (\(ranked.count) ranked; own unit \(own), mean of overseen units \(oversees); with one missing, the other alone)"),
        [.table(t)])
      if ranked.count > 20 {
        section.paragraph(lang.pick("（只列出前 10 名和后 10 名；全部见 --format json）", "(the first 10 and the last 10 only; all in --format json)"))
      }
      doc.append(section)
    }
    return doc
  }
}

extension AssessResult {
  /// The rule that turns ranks into grades, with the cut-offs in use: grades follow the
  /// rank within the level, not the composite, so that 43.3 `good` beside 43.2 `fair` is
  /// the rule at work, not an inconsistency.
  func gradeRule(_ lang: Language) -> String {
    let (e, g, f) = (Figures.decimal(grades[0], 2), Figures.decimal(grades[1], 2), Figures.decimal(grades[2], 2))
    return lang.pick(
      "等级按层内排名定，不按综合得分本身：q = (排名 - 0.5) / 参评数，q <= \(e) 优秀，<= \(g) 良好，<= \(f) 一般，其余较差（assess.grades）；一个层级只有一个节点时为良好。",
      "Grades follow the rank within the level, not the composite itself: q = (rank - 0.5) / ranked, q <= \(e) excellent, <= \(g) good, <= \(f) fair, the rest poor (assess.grades); the only node of a level is good.")
  }
}
