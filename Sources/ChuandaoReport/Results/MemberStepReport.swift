import Chuandao
import ChuandaoStats
import _ChuandaoOutput

/// The member step of `AttenuationResult` (member_reach.csv) as JSON and as a section of
/// the attenuation document (docs/methods/member-reach.md).
extension AttenuationResult.MemberStep {
  /// OUTPUT.md's step keys (`from`, `to`, `n`, `parents`, `tau`, `ci_low`, `ci_high`,
  /// `attenuation`), then what is the member step's own.
  public func json(_ d: Dataset, fdr: Double?) -> JSON {
    let f = d.forest
    let s = step
    return .object([
      "from": .string(f.levelNames[f.levelCount - 1]), "to": .string("member"),
      "n": .int(s.children), "parents": .int(s.parents), "tau": JSON(s.tau), "ci_low": JSON(s.ciLow),
      "ci_high": JSON(s.ciHigh), "attenuation": JSON(s.attenuation),
      "end_retention": JSON(endRetention),
      "tau2": JSON(tau2),
      "measures": .array(measures.map { m in
        .object([
          "measure": .string(m.measure), "reached": .int(Int(m.reached)), "eligible": .int(Int(m.eligible)),
          "rate": JSON(m.rate),
        ])
      }),
      "groups": .array(groups.map { g in
        .object([
          "id": .string(f.ids[g.node]), "name": .string(f.names[g.node]), "n": .int(g.branches),
          "tau": JSON(g.tau),
        ])
      }),
      "nodes": .rows(JSONRows(count: nodes.count) { [nodes] k, w in
        let r = nodes[k]
        w.add("id", f.ids[r.node])
        w.add("reached", Int(r.reached))
        w.add("eligible", Int(r.eligible))
        w.add("rate", r.rate)
        w.add("ratio", r.ratio)
        w.add("expected_rate", r.expectedRate)
        w.add("z", r.z)
        w.add("flag", r.flag?.rawValue)
        w.add("p", r.p)
        w.add("q", r.q)
        w.add("finding", fdr.flatMap { q in r.q.map { Ties.lessOrEqual($0, q) } })
      }),
      "excluded": .array(excluded.map { .string(f.ids[$0]) }),
      "missing": .int(missing),
    ])
  }

  /// The section "Reaching the members": the rate per measure, the step against the
  /// branches' own scores, the flagged branches against chance, the weakest branches.
  func section(_ d: Dataset, flagZ: Double, metric: Metric, _ lang: Language) -> [Section] {
    let f = d.forest
    let bottom = f.levelNames[f.levelCount - 1]
    let B = levelLabel(bottom, lang)
    let fixed = Figures.decimal
    let percent = Figures.percent
    var out: [Section] = []
    var head = Section(lang.pick("党员覆盖：\(B) → 党员（最后一步）", "Reaching the members: \(bottom) → member (the last step)"))
    head.paragraph(lang.pick(
      "各\(B)的工作覆盖到多少党员（member_reach.csv：覆盖人数 / 应覆盖人数，各措施合计），与该\(B)自身的 \(metricText(metric, lang)) 相比：比值 = 100 × (覆盖 + 0.5) / (应覆盖 + 0.5) ÷ 得分（docs/methods/member-reach.md）。",
      "How far each \(bottom)'s work reaches its members (member_reach.csv: reached over eligible, summed over the measures), against the \(bottom)'s own \(metricText(metric, lang)): ratio = 100 x (reached + 0.5) / (eligible + 0.5) / score (docs/methods/member-reach.md)."))
    var mt = Table([
      Column(lang.pick("措施", "Measure")),
      Column(lang.pick("覆盖人数", "Reached"), .count),
      Column(lang.pick("应覆盖人数", "Eligible"), .count),
      Column(lang.pick("覆盖率", "Rate"), .percent(1)),
    ])
    for m in measures {
      mt.add([.text(m.measure), .count(Int(m.reached)), .count(Int(m.eligible)), .number(m.rate)])
    }
    head.table(mt)
    let s = step
    head.paragraph(lang.pick(
      "\(B) → 党员：传导率 τ = \(fixed(s.tau, 4))，95% 区间 \(interval(s.ciLow, s.ciHigh))，衰减 \(percent(s.attenuation, 1))（\(s.children) 个\(B)）；从顶层到党员的保留率 \(fixed(endRetention, 4))。",
      "\(bottom) → member: tau = \(fixed(s.tau, 4)), 95% interval \(interval(s.ciLow, s.ciHigh)), attenuation \(percent(s.attenuation, 1)) (\(s.children) \(s.children == 1 ? bottom : plural(bottom))); retention from the top to the member \(fixed(endRetention, 4))."))
    let counts = chanceCounts(flagZ: flagZ)
    let tested = nodes.filter { $0.z != nil }.count
    if tested > 0 {
      head.paragraph(lang.pick(
        "标记：\(counts[0].found) 个\(B)衰减、\(counts[1].found) 个放大（|z| >= \(fixed(flagZ, 1))），共 \(tested) 个；纯属偶然各约 \(fixed(counts[0].expected, 1)) 个。",
        "Flagged: \(counts[0].found) attenuated, \(counts[1].found) amplified (|z| >= \(fixed(flagZ, 1))) of \(tested); chance alone gives about \(fixed(counts[0].expected, 1)) of each."))
    }
    if !excluded.isEmpty || missing > 0 {
      head.paragraph(lang.pick(
        "注：\(missing) 个\(B)没有覆盖数据；\(excluded.count) 个有数据但没有比值（应覆盖人数为 0，或得分为 0 或缺失）。",
        "Note: \(missing) \(missing == 1 ? bottom : plural(bottom)) without reach rows; \(excluded.count) with rows but no ratio (eligible 0, or the score zero or missing)."))
    }
    out.append(head)

    // The ten branches whose members are reached least relative to their score.
    let withZ = nodes.indices.filter { nodes[$0].z != nil }
    let weakest = firstIndices(10, of: withZ.count) { a, b in
      (nodes[withZ[a]].z!, nodes[withZ[a]].node) < (nodes[withZ[b]].z!, nodes[withZ[b]].node)
    }.map { nodes[withZ[$0]] }
    if !weakest.isEmpty {
      var t = Table([
        Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
        Column(lang.pick("覆盖率", "Rate"), .percent(1)),
        Column(lang.pick("比值", "Ratio"), .number(3)),
        Column("z", .number(2)),
        Column(lang.pick("标记", "Flag"), .flag),
      ])
      for r in weakest {
        let flag = r.flag.map { $0 == .attenuated ? lang.pick("衰减", "attenuated") : lang.pick("放大", "amplified") } ?? ""
        t.add([.text(f.names[r.node]), .number(r.rate), .number(r.ratio), .number(r.z), .text(flag)])
      }
      out.append(Section(
        lang.pick("党员覆盖相对得分最弱的\(B)（前 \(weakest.count) 个）", "The \(weakest.count) \(weakest.count == 1 ? bottom : plural(bottom)) reaching their members least, for their score"),
        [.table(t)]))
    }
    return out
  }

  private func interval(_ lo: Double?, _ hi: Double?) -> String {
    guard let lo, let hi else { return "-" }
    return "[\(Figures.decimal(lo, 4)), \(Figures.decimal(hi, 4))]"
  }
}
