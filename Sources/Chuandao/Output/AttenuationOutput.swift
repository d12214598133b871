import ChuandaoStats
import Foundation


/// An English plural for a level name: branch -> branches, unit -> units.
func plural(_ s: String) -> String {
  if s == "person" { return "people" }
  if s.hasSuffix("y") && !["ay", "ey", "oy", "uy"].contains(String(s.suffix(2))) { return s.dropLast() + "ies" }
  return s.hasSuffix("ch") || s.hasSuffix("sh") || s.hasSuffix("s") || s.hasSuffix("x") ? s + "es" : s + "s"
}

/// The metric as a table heading names it, with its unit: `intensity (kind-weighted
/// actions per 100 members)`, `score (0-100)`.
func metricText(_ m: Metric, _ lang: Language) -> String {
  switch m {
  case .intensity: lang.pick("intensity（每百名党员的督查次数，按方式加权）", "intensity (kind-weighted actions per 100 members)")
  case .score, .subject: lang.pick("\(m)（0-100 分）", "\(m) (points, 0-100)")
  }
}

/// "1 node", "2 nodes": an English count with its noun in the right number (`plural`).
func counted(_ n: Int, _ noun: String) -> String {
  n == 1 ? "1 \(noun)" : "\(n) \(plural(noun))"
}

/// A number with `digits` decimals for tables (JSON keeps full precision).
func fixed(_ x: Double?, _ digits: Int = 4) -> String {
  guard let x, x.isFinite else { return "-" }
  return String(format: "%.\(digits)f", x)
}

func percent(_ x: Double?, _ digits: Int = 1) -> String {
  guard let x, x.isFinite else { return "-" }
  return String(format: "%.\(digits)f%%", 100 * x)
}

/// Renders `AttenuationResult` as the JSON of OUTPUT.md, CSV node rows and a table.
extension AttenuationResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let f = d.forest
    let levels = f.levelNames
    let steps: [JSON] = self.steps.map { s in
      .object([
        "from": .string(levels[s.level - 1]), "to": .string(levels[s.level]), "n": .int(s.children),
        "parents": .int(s.parents), "tau": JSON(s.tau), "ci_low": JSON(s.ciLow),
        "ci_high": JSON(s.ciHigh), "attenuation": JSON(s.attenuation),
      ])
    }
    let groups: [JSON] = self.groups.map { g in
      .object([
        "id": .string(f.ids[g.node]), "name": .string(f.names[g.node]),
        "steps": .array(g.steps.map { s in
          .object([
            "from": .string(levels[s.level - 1]), "to": .string(levels[s.level]),
            "n": .int(s.children), "tau": JSON(s.tau),
          ])
        }),
        "end_retention": JSON(g.endRetention),
      ])
    }
    return [
      "period": .string(d.manifest.periods[period]),
      "metric": .string(metric.description),
      "steps": .array(steps),
      "end_retention": JSON(endRetention),
      "per_step_attenuation": JSON(perStepAttenuation),
      "groups": .array(groups),
      "fdr": JSON(fdr),
      "chance": .object(chanceCounts().reduce(into: JSONObject()) { o, c in
        o[c.flag.rawValue] = .object(["found": .int(c.found), "expected_by_chance": JSON(c.expected)])
      }),
      "nodes": .array(csvRows(d).map { .object($0) }),
      "variance": varianceJSON(d),
      "excluded": .array(excluded.map { .string(f.ids[$0]) }),
      "flag_z": .number(flagZ),
      "provenance": provenance.json,
    ]
  }

  func varianceJSON(_ d: Dataset) -> JSON {
    let levels = d.forest.levelNames
    guard let fit = variance.fit else {
      return .object([
        "components": .array([]), "residual": .null, "residual_share": .null,
        "singular": .null, "reml_loglik": .null, "observations": .int(variance.observations),
        "problem": JSON(variance.problem),
      ])
    }
    return .object([
      "components": .array(fit.variances.indices.map { k in
        .object(["level": .string(levels[k]), "variance": JSON(fit.variances[k]), "share": JSON(fit.shares[k])])
      }),
      "residual": JSON(fit.residualVariance),
      "residual_share": JSON(fit.residualShare),
      "singular": .bool(fit.singular),
      "reml_loglik": JSON(fit.remlLogLikelihood),
      "observations": .int(fit.observations),
      "level": .string(levels[levels.count - 1]),
    ])
  }

  /// One row per non-top node of the period (`nodes`, and what `--format csv` writes).
  public func csvRows(_ d: Dataset) -> [JSONObject] {
    let f = d.forest
    return nodes.map { r in
      [
        "id": .string(f.ids[r.node]), "level": .string(f.levelNames[Int(f.level[r.node])]),
        "ratio": JSON(r.ratio), "z": JSON(r.z), "flag": JSON(r.flag?.rawValue),
        "p": JSON(r.p), "q": JSON(r.q),
        "finding": JSON(fdr.flatMap { q in r.q.map { Ties.lessOrEqual($0, q) } }),
        "name": .string(f.names[r.node]), "parent": .string(f.ids[Int(f.parent[r.node])]),
      ]
    }
  }

  public func table(_ d: Dataset, _ lang: Language) -> String {
    let f = d.forest
    let levels = f.levelNames
    func L(_ k: Int) -> String { levelLabel(levels[k], lang) }
    var out = lang.pick(
      "落差（层层传导）：指标 \(metricText(metric, lang))，\(d.manifest.periods[period]) 期\n\n",
      "Vertical drop: metric \(metricText(metric, lang)), period \(d.manifest.periods[period])\n\n")

    var t = TextTable(columns: [
      .init(title: lang.pick("层级", "Step"), alignment: .left),
      .init(title: lang.pick("下级数", "Children"), alignment: .right),
      .init(title: lang.pick("上级数", "Parents"), alignment: .right),
      .init(title: lang.pick("传导率", "tau"), alignment: .right),
      .init(title: lang.pick("95% 区间", "95% interval"), alignment: .left),
      .init(title: lang.pick("衰减", "Attenuation"), alignment: .right),
    ])
    for s in steps {
      let ci = s.ciLow == nil ? "-" : "[\(fixed(s.ciLow)), \(fixed(s.ciHigh))]"
      t.addRow(["\(L(s.level - 1)) → \(L(s.level))", String(s.children), String(s.parents), fixed(s.tau), ci, percent(s.attenuation)])
    }
    out += t.render()
    out += lang.pick(
      "末端保留率 R = \(fixed(endRetention))；平均每层衰减 \(percent(perStepAttenuation))\n\n",
      "End retention R = \(fixed(endRetention)); mean attenuation per step \(percent(perStepAttenuation))\n\n")

    // Groups, most attenuated first (those without a retention last).
    out += lang.pick("各\(L(0))（按末端保留率由低到高）\n", "\(plural(levels[0]).capitalized), lowest end retention first\n")
    var gcols: [TextTable.Column] = [.init(title: lang.pick("名称", "Name"), alignment: .left, maxWidth: 28)]
    for k in 1..<levels.count { gcols.append(.init(title: "\(L(k - 1))→\(L(k))", alignment: .right)) }
    gcols.append(.init(title: lang.pick("末端保留率", "Retention"), alignment: .right))
    var gt = TextTable(columns: gcols)
    let ranked = groups.sorted { a, b in
      switch (a.endRetention, b.endRetention) {
      case let (x?, y?): x < y || (x == y && a.node < b.node)
      case (_?, nil): true
      case (nil, _?): false
      default: a.node < b.node
      }
    }
    for g in ranked {
      gt.addRow([f.names[g.node]] + g.steps.map { fixed($0.tau) } + [fixed(g.endRetention)])
    }
    out += gt.render() + "\n"

    // The most attenuated edges, and how many flags chance alone would give.
    let edges = nodes.filter { $0.z != nil }.sorted { ($0.z!, $0.node) < ($1.z!, $1.node) }.prefix(10)
    if !edges.isEmpty {
      let tested = nodes.filter { $0.z != nil }.count
      let counts = chanceCounts()
      let rate = percent(Normal.standard.cdf(-flagZ))
      out += lang.pick(
        "标记：\(counts[0].found) 条衰减、\(counts[1].found) 条放大（|z| >= \(fixed(flagZ, 1))），共 \(tested) 条上下级关系；纯属偶然各约 \(fixed(counts[0].expected, 1)) 条 = \(tested) × \(rate)\n",
        "Flagged: \(counts[0].found) attenuated, \(counts[1].found) amplified (|z| >= \(fixed(flagZ, 1))) of \(tested) edges; chance alone gives about \(fixed(counts[0].expected, 1)) of each = \(tested) x \(rate)\n")
      if let fdr {
        let found = nodes.filter { $0.q.map { Ties.lessOrEqual($0, fdr) } ?? false }
        out += lang.pick(
          "错误发现率控制在 \(fixed(fdr, 2)) 时的发现（Benjamini-Hochberg，q <= \(fixed(fdr, 2))）：\(found.count) 条\n",
          "Findings at a false-discovery rate of \(fixed(fdr, 2)) (Benjamini-Hochberg, q <= \(fixed(fdr, 2))): \(found.count)\n")
      }
      out += "\n"
      out += lang.pick("衰减最甚的上下级关系（前 \(edges.count) 条）\n", "The \(edges.count) most attenuated parent -> child edges\n")
      var et = TextTable(columns: [
        .init(title: lang.pick("上级", "Parent"), alignment: .left, maxWidth: 24),
        .init(title: lang.pick("下级", "Child"), alignment: .left, maxWidth: 28),
        .init(title: lang.pick("比值", "Ratio"), alignment: .right),
        .init(title: "z", alignment: .right),
        .init(title: "q", alignment: .right),
        .init(title: lang.pick("标记", "Flag"), alignment: .left),
      ])
      for e in edges {
        let flag = e.flag.map { $0 == .attenuated ? lang.pick("衰减", "attenuated") : lang.pick("放大", "amplified") } ?? ""
        et.addRow([f.names[Int(f.parent[e.node])], f.names[e.node], fixed(e.ratio, 3), fixed(e.z, 2), fixed(e.q, 3), flag])
      }
      out += et.render() + "\n"
    }

    out += varianceSentence(d, lang) + "\n"
    if !excluded.isEmpty {
      out += lang.pick(
        "注：\(excluded.count) 个节点因本身或上级的指标为 0 或缺失而没有比值（见标准错误输出）。\n",
        "Note: \(excluded.count == 1 ? "1 node has" : "\(excluded.count) nodes have") no ratio because its metric or its parent's is zero or missing (see stderr).\n")
    }
    return out
  }

  /// Flags found against flags expected by chance alone: the nodes with a z times
  /// Φ(-flag_z), the one-sided normal tail (2.3% each side at the default |z| >= 2).
  func chanceCounts() -> [(flag: Flag, found: Int, expected: Double)] {
    let tested = Double(nodes.filter { $0.z != nil }.count)
    let rate = Normal.standard.cdf(-flagZ)
    return [Flag.attenuated, .amplified].map { flag in
      (flag, nodes.filter { $0.flag == flag }.count, tested * rate)
    }
  }

  /// "62% of the spread in branch scores lies between units of the same bureau", for every
  /// component.
  func varianceSentence(_ d: Dataset, _ lang: Language) -> String {
    let levels = d.forest.levelNames
    let bottom = levels.count - 1
    guard let fit = variance.fit else {
      return lang.pick("方差分量：无法估计（\(variance.problem ?? "")）", "Variance components: not estimable (\(variance.problem ?? ""))")
    }
    func L(_ k: Int) -> String { levelLabel(levels[k], lang) }
    var parts: [String] = []
    for k in fit.variances.indices {
      let share = percent(fit.shares[k], 0)
      if k == 0 {
        parts.append(lang.pick("\(share) 在各\(L(0))之间", "\(share) lies between \(plural(levels[0]))"))
      } else {
        parts.append(lang.pick("\(share) 在同一\(L(k - 1))的各\(L(k))之间", "\(share) between \(plural(levels[k])) of the same \(levels[k - 1])"))
      }
    }
    parts.append(lang.pick(
      "\(percent(fit.residualShare, 0)) 在同一\(L(bottom - 1))的各\(L(bottom))之间",
      "\(percent(fit.residualShare, 0)) between \(plural(levels[bottom])) of the same \(levels[bottom - 1])"))
    let metricName = lang.pick("\(L(bottom))的 \(metric)", "\(levels[bottom]) \(metric)")
    let head = lang.pick("差异在哪里：\(metricName) 的差异中，", "Where the spread lies: of the spread in \(metricName), ")
    let tail = lang.pick(
      "（REML 对数似然 \(fixed(fit.remlLogLikelihood, 2))\(fit.singular ? "；奇异拟合：某一方差分量估计为 0" : "")）",
      " (REML log-likelihood \(fixed(fit.remlLogLikelihood, 2))\(fit.singular ? "; singular fit: a variance component is estimated at 0" : ""))")
    return head + parts.joined(separator: lang.pick("，", ", ")) + lang.pick("。", ".") + tail
  }
}
