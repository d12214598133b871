import ChuandaoStats
import Foundation

/// Renders `AssessResult` as the JSON of OUTPUT.md, CSV node rows and a table.
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
      "nodes": .array(csvRows(d).map { .object($0) }),
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
  public func csvRows(_ d: Dataset) -> [JSONObject] {
    let f = d.forest
    let names = AssessAnalysis.indicators
    let nodes = self.nodes
    return parallelMapIndices(nodes.count) { k in
      let r = nodes[k]
      var raw = JSONObject()
      var normalised = JSONObject()
      for j in names.indices {
        raw[names[j]] = JSON(r.raw[j])
        normalised[names[j]] = JSON(r.normalised[j])
      }
      return [
        "id": .string(f.ids[r.node]), "level": .string(f.levelNames[Int(f.level[r.node])]),
        "indicators": .object(raw), "composite": JSON(r.composite), "rank": JSON(r.rank),
        "grade": JSON(r.grade.map { AssessAnalysis.grades[$0] }),
        "reasons": JSON(r.reasons.map { names[$0] }),
        "rank_median": JSON(r.rankMedian), "rank_p05": JSON(r.rankP05), "rank_p95": JSON(r.rankP95),
        "grade_stability": JSON(r.gradeStability),
        "name": .string(f.names[r.node]),
        "parent": JSON(f.parentID(of: r.node)),
        "normalised": .object(normalised),
      ]
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

  public func table(_ d: Dataset, _ lang: Language) -> String {
    let f = d.forest
    let names = AssessAnalysis.indicators
    func L(_ k: Int) -> String { levelLabel(f.levelNames[k], lang) }
    let weightText = names.indices.map { "\(indicatorText(names[$0], lang)) \(fixed(weights[$0], 2))" }
      .joined(separator: lang.pick("、", ", "))
    var out = lang.pick(
      "年度考核：\(d.manifest.periods[period]) 期；权重 \(weightText)\n",
      "Annual assessment: period \(d.manifest.periods[period]); weights \(weightText)\n")
    out += draws > 0
      ? lang.pick(
        "排名不确定性：权重按 Dirichlet(\(fixed(concentration, 0))w) 抽样 \(draws) 次（种子 \(seed)），给出排名的 5%-95% 区间和等级稳定性\n\n",
        "Rank uncertainty: \(draws) weight draws from Dirichlet(\(fixed(concentration, 0))w) (seed \(seed)): the 5-95% rank band and grade stability\n\n")
      : lang.pick("未做排名不确定性分析（draws = 0）\n\n", "No rank uncertainty (draws = 0)\n\n")

    var summary = TextTable(columns: [
      .init(title: lang.pick("层级", "Level"), alignment: .left),
      .init(title: lang.pick("参评", "Ranked"), alignment: .right),
      .init(title: gradeText(0, lang), alignment: .right),
      .init(title: gradeText(1, lang), alignment: .right),
      .init(title: gradeText(2, lang), alignment: .right),
      .init(title: gradeText(3, lang), alignment: .right),
      .init(title: lang.pick("平均稳定性", "Mean stability"), alignment: .right),
    ])
    for k in 0..<f.levelCount {
      let rows = nodes.filter { Int(f.level[$0.node]) == k && $0.grade != nil }
      let counts = (0..<4).map { g in rows.filter { $0.grade == g }.count }
      let stability = rows.compactMap(\.gradeStability)
      summary.addRow([L(k), String(rows.count)] + counts.map(String.init) + [
        stability.isEmpty ? "-" : percent(stability.reduce(0, +) / Double(stability.count), 0),
      ])
    }
    out += lang.pick("各层等级分布\n", "Grades by level\n") + summary.render()
    out += gradeRule(lang) + "\n"

    for k in 0..<f.levelCount {
      let ranked = nodes.filter { Int(f.level[$0.node]) == k && $0.rank != nil }
        .sorted { ($1.rank!, $0.node) < ($0.rank!, $1.node) }
      guard !ranked.isEmpty else { continue }
      let shown = ranked.prefix(10)
      out += lang.pick(
        "\(L(k))：综合得分最低的 \(shown.count) 个（共 \(ranked.count) 个）\n",
        "\(plural(f.levelNames[k]).capitalized): the \(shown.count) lowest of \(ranked.count)\n")
      var t = TextTable(columns: [
        .init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 28),
        .init(title: lang.pick("上级", "Parent"), alignment: .left, maxWidth: 18),
        .init(title: lang.pick("综合", "Composite"), alignment: .right),
        .init(title: lang.pick("排名", "Rank"), alignment: .right),
        .init(title: lang.pick("5%-95% 排名", "5-95% rank"), alignment: .left),
        .init(title: lang.pick("等级", "Grade"), alignment: .left),
        .init(title: lang.pick("稳定性", "Stability"), alignment: .right),
        .init(title: lang.pick("主要失分", "Pulled down by"), alignment: .left),
      ])
      for r in shown {
        let parent = f.parentName(of: r.node) ?? "-"
        let band = r.rankP05.map { "\(fixed($0, 0))-\(fixed(r.rankP95, 0))" } ?? "-"
        t.addRow([
          f.names[r.node], parent, fixed(r.composite, 1), String(r.rank!), band,
          r.grade.map { gradeText($0, lang) } ?? "-", percent(r.gradeStability, 0),
          r.reasons.map { indicatorText(names[$0], lang) }.joined(separator: lang.pick("、", ", ")),
        ])
      }
      out += t.render() + "\n"
    }

    let ranked = leaders.filter { $0.rank != nil }.sorted { ($0.rank!, $0.row) < ($1.rank!, $1.row) }
    if leaders.isEmpty {
      out += lang.pick("本期没有领导干部名单（leaders.csv）。\n", "No leaders in this period (leaders.csv).\n")
    } else {
      let (own, oversees) = (percent(leaderShares.own, 0), percent(leaderShares.oversees, 0))
      out += lang.pick(
        "领导干部（\(ranked.count) 人参评；本人单位占 \(own)，分管单位均值占 \(oversees)，缺一方时以另一方计）\n",
        "Leaders (\(ranked.count) ranked; own unit \(own), mean of overseen units \(oversees); with one missing, the other alone)\n")
      var t = TextTable(columns: [
        .init(title: lang.pick("姓名", "Name"), alignment: .left, maxWidth: 22),
        .init(title: lang.pick("本人单位", "Own unit"), alignment: .left, maxWidth: 24),
        .init(title: lang.pick("本单位", "Own"), alignment: .right),
        .init(title: lang.pick("分管均值", "Overseen"), alignment: .right),
        .init(title: lang.pick("综合", "Composite"), alignment: .right),
        .init(title: lang.pick("排名", "Rank"), alignment: .right),
        .init(title: lang.pick("等级", "Grade"), alignment: .left),
      ])
      let list = d.leaders
      let shown = ranked.count > 20 ? Array(ranked.prefix(10) + ranked.suffix(10)) : ranked
      for l in shown {
        let own = list.node[l.row] >= 0 ? f.names[Int(list.node[l.row])] : "-"
        t.addRow([
          list.name[l.row], own, fixed(l.own, 1), fixed(l.oversees, 1), fixed(l.composite, 1),
          String(l.rank!), l.grade.map { gradeText($0, lang) } ?? "-",
        ])
      }
      out += t.render()
      if ranked.count > 20 {
        out += lang.pick("（只列出前 10 名和后 10 名；全部见 --format json）\n", "(the first 10 and the last 10 only; all in --format json)\n")
      }
    }
    return out
  }
}

extension AssessResult {
  /// The rule that turns ranks into grades, with the cut-offs in use: grades follow the
  /// rank within the level, not the composite, so that 43.3 `good` beside 43.2 `fair` is
  /// the rule at work, not an inconsistency.
  func gradeRule(_ lang: Language) -> String {
    let (e, g, f) = (fixed(grades[0], 2), fixed(grades[1], 2), fixed(grades[2], 2))
    return lang.pick(
      "等级按层内排名定，不按综合得分本身：q = (排名 - 0.5) / 参评数，q <= \(e) 优秀，<= \(g) 良好，<= \(f) 一般，其余较差（assess.grades）；一个层级只有一个节点时为良好。\n",
      "Grades follow the rank within the level, not the composite itself: q = (rank - 0.5) / ranked, q <= \(e) excellent, <= \(g) good, <= \(f) fair, the rest poor (assess.grades); the only node of a level is good.\n")
  }
}

