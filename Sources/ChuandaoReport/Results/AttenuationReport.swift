import Chuandao
import ChuandaoStats
import _ChuandaoOutput

/// `AttenuationResult` as the JSON of OUTPUT.md, CSV node rows and a document.
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
    var o: JSONObject = [
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
      "nodes": .rows(nodeRows(d)),
      "variance": varianceJSON(d),
      "excluded": .array(excluded.map { .string(f.ids[$0]) }),
      "flag_z": .number(flagZ),
    ]
    // Only with member_reach.csv, so that a dataset without it reads as before.
    if d.hasMemberReach { o["member_step"] = member.map { $0.json(d, fdr: fdr) } ?? .null }
    o["provenance"] = provenance.json
    return o
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
  public func csvRows(_ d: Dataset) -> [JSONObject] { nodeRows(d).objects }

  public func nodeRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    return JSONRows(count: nodes.count) { [nodes, fdr] k, w in
      let r = nodes[k]
      w.add("id", f.ids[r.node])
      w.add("level", f.levelNames[Int(f.level[r.node])])
      w.add("ratio", r.ratio)
      w.add("z", r.z)
      w.add("flag", r.flag?.rawValue)
      w.add("p", r.p)
      w.add("q", r.q)
      w.add("finding", fdr.flatMap { q in r.q.map { Ties.lessOrEqual($0, q) } })
      w.add("name", f.names[r.node])
      w.add("parent", f.ids[Int(f.parent[r.node])])
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let levels = f.levelNames
    func L(_ k: Int) -> String { levelLabel(levels[k], lang) }
    let fixed = Figures.decimal
    let percent = Figures.percent
    var doc = Document([Section(nil, [.paragraph(lang.pick(
      "落差（层层传导）：指标 \(metricText(metric, lang))，\(d.manifest.periods[period]) 期",
      "Vertical drop: metric \(metricText(metric, lang)), period \(d.manifest.periods[period])"))])])

    var t = Table([
      Column(lang.pick("层级", "Step")),
      Column(lang.pick("下级数", "Children"), .count),
      Column(lang.pick("上级数", "Parents"), .count),
      Column(lang.pick("传导率", "tau"), .number(4)),
      Column(lang.pick("95% 区间", "95% interval"), .interval(4)),
      Column(lang.pick("衰减", "Attenuation"), .percent(1)),
    ])
    for s in steps {
      t.add([
        .text("\(L(s.level - 1)) → \(L(s.level))"), .count(s.children), .count(s.parents), .number(s.tau),
        .interval(s.ciLow, s.ciHigh), .number(s.attenuation),
      ])
    }
    if let m = member {
      let s = m.step
      t.add([
        .text("\(L(levels.count - 1)) → \(lang.pick("党员", "member"))"), .count(s.children), .count(s.parents),
        .number(s.tau), .interval(s.ciLow, s.ciHigh), .number(s.attenuation),
      ])
    }
    doc.append(Section(nil, [.table(t), .paragraph(lang.pick(
      "末端保留率 R = \(fixed(endRetention, 4))；平均每层衰减 \(percent(perStepAttenuation, 1))",
      "End retention R = \(fixed(endRetention, 4)); mean attenuation per step \(percent(perStepAttenuation, 1))"))]))

    // Groups, most attenuated first (those without a retention last).
    var gt = Table(
      [Column(lang.pick("名称", "Name"), .name(maxWidth: 28))]
        + (1..<levels.count).map { Column("\(L($0 - 1))→\(L($0))", .number(4)) }
        + [Column(lang.pick("末端保留率", "Retention"), .number(4))])
    let ranked = firstIndices(30, of: groups.count) { i, j in
      let (a, b) = (groups[i], groups[j])
      switch (a.endRetention, b.endRetention) {
      case let (x?, y?): return x < y || (x == y && a.node < b.node)
      case (_?, nil): return true
      case (nil, _?): return false
      default: return a.node < b.node
      }
    }.map { groups[$0] }
    // At most 30 rows (the national preset has 2,000 bureaus): the rest are in the JSON.
    for g in ranked.prefix(30) {
      gt.add([.text(f.names[g.node])] + g.steps.map { .number($0.tau) } + [.number(g.endRetention)])
    }
    var groupSection = Section(
      lang.pick("各\(L(0))（按末端保留率由低到高）", "\(plural(levels[0]).capitalized), lowest end retention first"), [.table(gt)])
    if let more = moreLine(groups.count, 30, lang, see: "json") { groupSection.paragraph(more) }
    doc.append(groupSection)
    for section in member?.section(d, flagZ: flagZ, metric: metric, lang) ?? [] { doc.append(section) }

    // The most attenuated edges, and how many flags chance alone would give.
    let withZ = nodes.indices.filter { nodes[$0].z != nil }
    let edges = firstIndices(10, of: withZ.count) { a, b in
      (nodes[withZ[a]].z!, nodes[withZ[a]].node) < (nodes[withZ[b]].z!, nodes[withZ[b]].node)
    }.map { nodes[withZ[$0]] }
    if !edges.isEmpty {
      let tested = withZ.count
      let counts = chanceCounts()
      let rate = percent(Normal.standard.cdf(-flagZ), 1)
      var flagged = Section()
      flagged.paragraph(lang.pick(
        "标记：\(counts[0].found) 条衰减、\(counts[1].found) 条放大（|z| >= \(fixed(flagZ, 1))），共 \(tested) 条上下级关系；纯属偶然各约 \(fixed(counts[0].expected, 1)) 条 = \(tested) × \(rate)",
        "Flagged: \(counts[0].found) attenuated, \(counts[1].found) amplified (|z| >= \(fixed(flagZ, 1))) of \(tested) edges; chance alone gives about \(fixed(counts[0].expected, 1)) of each = \(tested) x \(rate)"))
      if let fdr {
        let found = nodes.filter { $0.q.map { Ties.lessOrEqual($0, fdr) } ?? false }
        flagged.paragraph(lang.pick(
          "错误发现率控制在 \(fixed(fdr, 2)) 时的发现（Benjamini-Hochberg，q <= \(fixed(fdr, 2))）：\(found.count) 条",
          "Findings at a false-discovery rate of \(fixed(fdr, 2)) (Benjamini-Hochberg, q <= \(fixed(fdr, 2))): \(found.count)"))
      }
      doc.append(flagged)
      var et = Table([
        Column(lang.pick("上级", "Parent"), .name(maxWidth: 24)),
        Column(lang.pick("下级", "Child"), .name(maxWidth: 28)),
        Column(lang.pick("比值", "Ratio"), .number(3)),
        Column("z", .number(2)),
        Column("q", .number(3)),
        Column(lang.pick("标记", "Flag"), .flag),
      ])
      for e in edges {
        let flag = e.flag.map { $0 == .attenuated ? lang.pick("衰减", "attenuated") : lang.pick("放大", "amplified") } ?? ""
        et.add([.text(f.names[Int(f.parent[e.node])]), .text(f.names[e.node]), .number(e.ratio), .number(e.z), .number(e.q), .text(flag)])
      }
      doc.append(Section(
        lang.pick("衰减最甚的上下级关系（前 \(edges.count) 条）", "The \(edges.count) most attenuated parent -> child edges"), [.table(et)]))
    }

    var closing = Section(nil, [.paragraph(varianceSentence(d, lang))])
    if !excluded.isEmpty {
      closing.paragraph(lang.pick(
        "注：\(excluded.count) 个节点因本身或上级的指标为 0 或缺失而没有比值（见标准错误输出）。",
        "Note: \(excluded.count == 1 ? "1 node has" : "\(excluded.count) nodes have") no ratio because its metric or its parent's is zero or missing (see stderr)."))
    }
    doc.append(closing)
    return doc
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
      let share = Figures.percent(fit.shares[k], 0)
      if k == 0 {
        parts.append(lang.pick("\(share) 在各\(L(0))之间", "\(share) lies between \(plural(levels[0]))"))
      } else {
        parts.append(lang.pick("\(share) 在同一\(L(k - 1))的各\(L(k))之间", "\(share) between \(plural(levels[k])) of the same \(levels[k - 1])"))
      }
    }
    parts.append(lang.pick(
      "\(Figures.percent(fit.residualShare, 0)) 在同一\(L(bottom - 1))的各\(L(bottom))之间",
      "\(Figures.percent(fit.residualShare, 0)) between \(plural(levels[bottom])) of the same \(levels[bottom - 1])"))
    let metricName = lang.pick("\(L(bottom))的 \(metric)", "\(levels[bottom]) \(metric)")
    let head = lang.pick("差异在哪里：\(metricName) 的差异中，", "Where the spread lies: of the spread in \(metricName), ")
    let tail = lang.pick(
      "（REML 对数似然 \(Figures.decimal(fit.remlLogLikelihood, 2))\(fit.singular ? "；奇异拟合：某一方差分量估计为 0" : "")）",
      " (REML log-likelihood \(Figures.decimal(fit.remlLogLikelihood, 2))\(fit.singular ? "; singular fit: a variance component is estimated at 0" : ""))")
    return head + parts.joined(separator: lang.pick("，", ", ")) + lang.pick("。", ".") + tail
  }
}
