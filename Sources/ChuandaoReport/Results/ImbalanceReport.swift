import Chuandao
import ChuandaoStats
import _ChuandaoOutput

/// `ImbalanceResult` as the JSON of OUTPUT.md, CSV node rows and a document.
extension ImbalanceResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let f = d.forest
    var o: JSONObject = [
      "period": .string(d.manifest.periods[period]),
      "level": .string(f.levelNames[level]),
      "adjust": .string(adjust.rawValue),
      "dispersion": .string(funnel.dispersion.rawValue),
      "phi": JSON(funnel.phi),
      "tau2": JSON(funnel.tau2),
      "overdispersed": .bool(funnel.overdispersed),
      "gini": JSON(inequality.gini),
      "theil": JSON(inequality.theil),
      "theil_between": JSON(inequality.theilBetween),
      "theil_within": JSON(inequality.theilWithin),
      "cv": JSON(inequality.cv),
      "early_share": JSON(levelEarlyShare),
      "fdr": JSON(fdr),
      "chance": .object(ChuandaoStats.FunnelFlag.allCases.filter { $0 != .normal }.reduce(into: JSONObject()) { o, flag in
        o[flag.rawValue] = .object([
          "found": .int(funnel.flags.filter { $0 == flag }.count),
          "expected_by_chance": JSON(Double(nodes.count) * flag.nominalRate),
        ])
      }),
      "nodes": .rows(nodeRows(d)),
      "domains": .array(domains.map { r in
        .object([
          "domain": .string(d.manifest.domains[r.domain]),
          "supervision_share": JSON(r.supervisionShare), "risk_share": JSON(r.riskShare),
          "coverage": JSON(r.coverage), "blind_spot": .bool(r.blindSpot),
        ])
      }),
    ]
    if let glm {
      var coefficients = JSONObject()
      for (name, value) in glm.coefficients { coefficients[name] = JSON(value) }
      o["glm"] = .object([
        "coefficients": .object(coefficients), "deviance": JSON(glm.deviance),
        "iterations": .int(glm.iterations), "converged": .bool(glm.converged),
        "risk_dropped": .bool(glm.riskDropped),
      ])
    }
    o["notes"] = .array(notes.map { .string($0.en) })
    o["provenance"] = provenance.json
    return o
  }

  /// What `--format csv` writes: `nodeRows` as objects.
  public func csvRows(_ d: Dataset) -> [JSONObject] { nodeRows(d).objects }

  /// One row per node of the level (`nodes`).
  public func nodeRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    return JSONRows(count: nodes.count) { [self] r, w in
      let i = nodes[r]
      w.add("id", f.ids[i])
      w.add("observed", observed[r])
      w.add("expected", expected[r])
      w.add("ratio", funnel.ratio[r])
      w.add("z", funnel.z[r])
      w.add("lower95", funnel.lower95[r])
      w.add("upper95", funnel.upper95[r])
      w.add("lower998", funnel.lower998[r])
      w.add("upper998", funnel.upper998[r])
      w.add("flag", funnel.flags[r].rawValue)
      w.add("low_power", funnel.lowPower[r])
      w.add("early_share", earlyShare[r])
      w.add("p", pValues.isEmpty ? nil : pValues[r])
      w.add("q", qValues.isEmpty ? nil : qValues[r])
      w.add("finding", fdr.flatMap { q in qValues.isEmpty ? nil : Ties.lessOrEqual(qValues[r], q) })
      w.add("name", f.names[i])
      w.add("parent", f.parentID(of: i))
    }
  }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let levelName = levelLabel(f.levelNames[level], lang)
    let adjustText = adjust == .risk ? lang.pick("按人数和廉政风险调整", "adjusted for members and integrity risk") : lang.pick("按人数调整", "adjusted for members")
    var doc = Document([Section(nil, [.paragraph(lang.pick(
      "温差（冷热不均）：\(levelName)层，\(d.manifest.periods[period]) 期，\(nodes.count) 个节点，期望督查次数\(adjustText)",
      "Horizontal spread: level \(f.levelNames[level]), period \(d.manifest.periods[period]), \(counted(nodes.count, "node")), expected actions \(adjustText)"))])])

    func listing(_ rows: [Int], title: String) -> Section {
      var section = Section(title)
      guard !rows.isEmpty else { return section }
      var t = Table([
        Column(lang.pick("名称", "Name"), .name(maxWidth: 30)),
        Column(lang.pick("上级", "Parent"), .name(maxWidth: 20)),
        Column(lang.pick("实际", "Observed"), .count),
        Column(lang.pick("期望", "Expected"), .number(1)),
        Column(lang.pick("比值", "Ratio"), .number(2)),
        Column(lang.pick("95% 界限", "95% limits"), .interval(2)),
        Column(lang.pick("标记", "Flag"), .flag),
        Column("q", .number(3)),
      ])
      for r in rows.prefix(30) {
        let i = nodes[r]
        t.add([
          .text(f.names[i]), .text(f.parentName(of: i) ?? "-"), .count(Int(observed[r])), .number(expected[r]),
          .number(funnel.ratio[r]), .interval(funnel.lower95[r], funnel.upper95[r]), .text(flagText(funnel.flags[r], lang)),
          .number(qValues.isEmpty ? nil : qValues[r]),
        ])
      }
      section.table(t)
      if let more = moreLine(rows.count, 30, lang) { section.paragraph(more) }
      return section
    }
    // One list per flag, each with what chance alone would give: n x the nominal rate.
    let n = Double(nodes.count)
    for flag in [ChuandaoStats.FunnelFlag.cold, .cool, .warm, .hot] {
      let rows = nodes.indices.filter { funnel.flags[$0] == flag }
        .sorted { flag == .cold || flag == .cool
          ? (funnel.ratio[$0], $0) < (funnel.ratio[$1], $1) : (funnel.ratio[$1], $0) < (funnel.ratio[$0], $1) }
      let chance = Figures.decimal(n * flag.nominalRate, 1)
      let rate = Figures.percent(flag.nominalRate)
      doc.append(listing(rows, title: lang.pick(
        "\(flagHeading(flag, .zh))：\(rows.count) 个（纯属偶然约 \(chance) 个 = \(nodes.count) × \(rate)）",
        "\(flagHeading(flag, .en)): \(rows.count) (chance alone: about \(chance) = \(nodes.count) x \(rate))")))
    }
    if let fdr {
      let found = nodes.indices.filter { !qValues.isEmpty && Ties.lessOrEqual(qValues[$0], fdr) }
        .sorted { (qValues[$0], $0) < (qValues[$1], $1) }
      let q = Figures.decimal(fdr, 2)
      let chance = Figures.decimal(Double(found.count) * fdr, 1)
      doc.append(listing(found, title: lang.pick(
        "错误发现率控制在 \(q) 时的发现（Benjamini-Hochberg，q <= \(q)）：\(found.count) 个\(found.isEmpty ? "" : "，其中预计最多约 \(chance) 个是偶然")",
        "Findings at a false-discovery rate of \(q) (Benjamini-Hochberg, q <= \(q)): \(found.count)\(found.isEmpty ? "" : ", of which about \(chance) at most may be chance")")))
    }

    var dt = Table([
      Column(lang.pick("领域", "Domain")),
      Column(lang.pick("督查占比", "Supervision"), .percent(1)),
      Column(lang.pick("风险占比", "Risk"), .percent(1)),
      Column(lang.pick("覆盖度", "Coverage"), .number(2)),
      Column(lang.pick("盲区", "Blind spot"), .flag),
    ])
    for r in domains {
      dt.add([
        .text(domainLabel(d.manifest.domains[r.domain], lang)), .number(r.supervisionShare), .number(r.riskShare),
        .number(r.coverage), .text(r.blindSpot ? lang.pick("是", "yes") : ""),
      ])
    }
    doc.append(Section(lang.pick("领域覆盖（督查占比 / 风险占比）", "Domain coverage (supervision share / risk share)"), [.table(dt)]))

    let fixed = Figures.decimal
    let percent = Figures.percent
    var closing = Section()
    closing.paragraph(lang.pick(
      "不均衡：基尼系数 \(fixed(inequality.gini, 3))，泰尔指数 \(fixed(inequality.theil, 3))（\(percent(share(inequality.theilBetween), 0)) 来自各\(levelLabel(f.levelNames[0], lang))之间），变异系数 \(fixed(inequality.cv, 2))；前期提醒占比 \(percent(levelEarlyShare, 1))。",
      "Inequality: Gini \(fixed(inequality.gini, 3)), Theil T \(fixed(inequality.theil, 3)) (\(percent(share(inequality.theilBetween), 0)) of it between \(plural(f.levelNames[0]))), CV \(fixed(inequality.cv, 2)); early reminders \(percent(levelEarlyShare, 1)) of actions."))
    let limitsText: (zh: String, en: String)
    switch (funnel.overdispersed, funnel.dispersion) {
    case (false, _):
      limitsText = ("（精确泊松界限）", " (exact Poisson limits)")
    case (true, .consistent):
      limitsText = (
        "（过度离散：界限按随机效应放宽，取负二项分布精确界限，tau² = \(fixed(funnel.tau2, 4))）",
        " (overdispersed: limits widened by a random effect, exact negative-binomial limits, tau2 = \(fixed(funnel.tau2, 4)))")
    case (true, .spiegelhalter):
      limitsText = (
        "（过度离散：经典 Spiegelhalter 法，平方根尺度正态界限，tau² = \(fixed(funnel.tau2, 4))）",
        " (overdispersed: classic Spiegelhalter normal limits on the square-root scale, tau2 = \(fixed(funnel.tau2, 4)))")
    }
    var dispersion = lang.pick(
      "离散度 phi = \(fixed(funnel.phi, 2))\(limitsText.zh)",
      "Dispersion phi = \(fixed(funnel.phi, 2))\(limitsText.en)")
    let lowPower = funnel.lowPower.filter { $0 }.count
    if lowPower > 0 {
      dispersion += lang.pick(
        "；\(lowPower) 个节点期望过小，无论实际多少都不会被判为偏冷或冷（low_power）",
        "; \(lowPower == 1 ? "1 node expects" : "\(lowPower) nodes expect") too few actions to be found cool or cold whatever they get (low_power)")
    }
    closing.paragraph(dispersion + lang.pick("。", "."))
    doc.append(closing)
    return doc
  }

  private func share(_ part: Double?) -> Double? {
    guard let part, inequality.theil > 0 else { return nil }
    return part / inequality.theil
  }
}
