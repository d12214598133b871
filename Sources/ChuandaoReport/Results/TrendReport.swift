import Chuandao
import ChuandaoStats
import _ChuandaoOutput

/// `TrendResult` as the JSON of OUTPUT.md, CSV node rows and a document.
extension TrendResult {
  public func json(_ d: Dataset, provenance: Provenance) -> JSONObject {
    let levels = d.forest.levelNames
    let labels = Array(d.manifest.periods.prefix(periods))
    let stepCount = max(0, levels.count - 1)
    let stepRows: [JSON] = (0..<stepCount).map { s in
      .object([
        "from": .string(levels[s]), "to": .string(levels[s + 1]),
        "tau": JSON(steps.map { $0[s].tau }),
        "ci_low": JSON(steps.map { $0[s].ciLow }),
        "ci_high": JSON(steps.map { $0[s].ciHigh }),
      ])
    }
    return [
      "metric": .string(metric.description),
      "periods": JSON(labels),
      "nodes": .rows(nodeRows(d)),
      "steps": .array(stepRows),
      "alpha": .number(alpha),
      "fdr": JSON(fdr),
      "chance": .object([
        "rising": .object(["found": .int(series.filter { $0.direction == .rising }.count), "at_most_by_chance": JSON(chanceBound)]),
        "falling": .object(["found": .int(series.filter { $0.direction == .falling }.count), "at_most_by_chance": JSON(chanceBound)]),
      ]),
      "persistent_rule": .object(["of_last": .int(persistentOfLast), "at_least": .int(persistentAtLeast)]),
      "notes": .array(notes.map { .string($0.en) }),
      "provenance": provenance.json,
    ]
  }

  /// What `--format csv` writes: one row per series and period (long, as a spreadsheet's
  /// pivot table wants it), the period's value and flag, then the series' own figures
  /// repeated on each of its rows.
  public func csvRows(_ d: Dataset) -> [JSONObject] {
    let labels = d.manifest.periods
    let objects = nodeRows(d).objects
    var rows: [JSONObject] = []
    rows.reserveCapacity(series.count * periods)
    for (s, object) in zip(series, objects) {
      for t in 0..<periods {
        var row: JSONObject = [
          "id": object["id"]!, "period": .string(labels[t]), "value": JSON(s.values[t]),
          "flag": JSON(s.coldPeriods.contains(t) ? "cold" : s.hotPeriods.contains(t) ? "hot" : nil),
        ]
        for (key, value) in object where !["id", "values", "cold_periods", "hot_periods"].contains(key) {
          row[key] = value
        }
        rows.append(row)
      }
    }
    return rows
  }

  /// One object per series: the JSON's `nodes`.
  /// One row per series (`nodes`).
  func nodeRows(_ d: Dataset) -> JSONRows {
    let f = d.forest
    let labels = d.manifest.periods
    return JSONRows(count: series.count) { [series, fdr, supervisionDirection] k, w in
      let s = series[k]
      w.add("id", f.ids[s.node])
      w.add("values", JSON(s.values))
      w.add("delta", s.delta)
      w.add("slope", s.slope)
      w.add("mk_s", JSON(s.mannKendall?.s))
      w.add("p", s.mannKendall?.p)
      w.add("direction", s.direction.rawValue)
      w.add("cold_periods", JSON(s.coldPeriods.map { labels[$0] }))
      w.add("hot_periods", JSON(s.hotPeriods.map { labels[$0] }))
      w.add("persistent", s.persistent?.rawValue)
      w.add("q", s.q)
      w.add("finding", fdr.flatMap { q in s.q.map { Ties.lessOrEqual($0, q) } })
      w.add("supervision_direction", supervisionDirection[s.node]?.rawValue)
      w.add("name", f.names[s.node])
      w.add("level", f.levelNames[Int(f.level[s.node])])
      w.add("parent", f.parentID(of: s.node))
      w.add("predecessors", JSON(s.predecessors.map { f.ids[$0] }))
    }
  }

  /// Series with a Mann-Kendall p.
  var testedCount: Int { series.filter { $0.mannKendall?.p != nil }.count }

  /// Under no trend P(p < alpha) <= alpha, about half of it in each direction: at most about
  /// tested x alpha/2 series rise (or fall) by chance. Less with few periods, whose exact
  /// p-values are coarse (with 5 periods P(p < 0.10) = 10/120).
  var chanceBound: Double { Double(testedCount) * alpha / 2 }

  public func document(_ d: Dataset, _ lang: Language) -> Document {
    let f = d.forest
    let labels = Array(d.manifest.periods.prefix(periods))
    let fixed = Figures.decimal
    func L(_ k: Int) -> String { levelLabel(f.levelNames[k], lang) }
    let span = labels.count > 1 ? "\(labels.first!)–\(labels.last!)" : labels.first ?? ""
    let digits = metric == .intensity ? 2 : 1
    var doc = Document([Section(nil, [.paragraph(lang.pick(
      "趋势：指标 \(metricText(metric, lang))，\(span) 共 \(labels.count) 期，\(series.count) 个节点（改组后的节点延续其前身的序列）",
      "Trend: metric \(metricText(metric, lang)), \(span), \(counted(labels.count, "period")), \(counted(series.count, "node")) (a reorganised node continues its predecessors' series)"))])])

    func listing(_ rows: [Series], title: String, columns: [Column], cells: (Series) -> [Cell]) -> Section {
      guard !rows.isEmpty else { return Section(title + lang.pick("：无", ": none")) }
      var t = Table([
        Column(lang.pick("名称", "Name"), .name(maxWidth: 28)),
        Column(lang.pick("层级", "Level")),
        Column(lang.pick("上级", "Parent"), .name(maxWidth: 20)),
      ] + columns)
      for s in rows.prefix(30) {
        t.add([.text(f.names[s.node]), .text(L(Int(f.level[s.node]))), .text(f.parentName(of: s.node) ?? "-")] + cells(s))
      }
      var section = Section(title + lang.pick("（\(rows.count) 个）", " (\(rows.count))"), [.table(t)])
      if let more = moreLine(rows.count, 30, lang) { section.paragraph(more) }
      return section
    }

    let recent = min(persistentOfLast, labels.count)
    let cold = series.filter { $0.persistent == .cold }.sorted {
      ($1.coldPeriods.count, $0.slope ?? 0, $0.node) < ($0.coldPeriods.count, $1.slope ?? 0, $1.node)
    }
    doc.append(listing(
      cold,
      title: lang.pick(
        "持续冷（近 \(recent) 期中至少 \(persistentAtLeast) 期为冷：督查远少于期望）",
        "Persistently cold: cold in at least \(persistentAtLeast) of the last \(recent) periods"),
      columns: [Column(lang.pick("偏冷的期", "Cold periods")), Column(lang.pick("督查强度走势", "Supervision trend"))],
      cells: { s in
        [
          .text(s.coldPeriods.map { labels[$0] }.joined(separator: ",")),
          .text(supervisionDirection[s.node].map { directionText($0, lang) } ?? "-"),
        ]
      }))

    let falling = series.filter { $0.direction == .falling }.sorted {
      ($0.mannKendall?.p ?? 1, $0.slope ?? 0, $0.node) < ($1.mannKendall?.p ?? 1, $1.slope ?? 0, $1.node)
    }
    doc.append(listing(
      falling,
      title: lang.pick(
        "呈下降趋势（Mann-Kendall 检验 p < \(fixed(alpha, 2))；纯属偶然最多约 \(fixed(chanceBound, 1)) 个 = \(testedCount) × \(Figures.percent(alpha / 2))）",
        "Falling (Mann-Kendall p < \(fixed(alpha, 2)); chance alone gives at most about \(fixed(chanceBound, 1)) = \(testedCount) x \(Figures.percent(alpha / 2)))"),
      columns: [
        Column(lang.pick("各期数值", "Values by period")),
        Column(lang.pick("斜率/期", "Slope/period"), .number(digits + 1)),
        Column("p", .number(3)),
      ],
      cells: { s in
        [.text(s.values.map { fixed($0, digits) }.joined(separator: " → ")), .number(s.slope), .number(s.mannKendall?.p)]
      }))

    let rising = series.filter { $0.direction == .rising }.count
    let hot = series.filter { $0.persistent == .hot }.count
    doc.append(Section(nil, [.paragraph(lang.pick(
      "另有 \(rising) 个节点呈上升趋势（偶然最多约 \(fixed(chanceBound, 1)) 个），\(hot) 个节点持续偏热（见 --format csv）。",
      "Also: \(rising) rising (chance alone: at most about \(fixed(chanceBound, 1))), \(hot) persistently hot (see --format csv)."))]))
    if let fdr {
      let found = series.filter { s in s.q.map { Ties.lessOrEqual($0, fdr) } ?? false }
        .sorted { ($0.q!, $0.node) < ($1.q!, $1.node) }
      doc.append(listing(
        found,
        title: lang.pick(
          "错误发现率控制在 \(fixed(fdr, 2)) 时的趋势（Benjamini-Hochberg，q <= \(fixed(fdr, 2))）",
          "Trends at a false-discovery rate of \(fixed(fdr, 2)) (Benjamini-Hochberg, q <= \(fixed(fdr, 2)))"),
        columns: [
          Column(lang.pick("走势", "Direction")),
          Column(lang.pick("斜率/期", "Slope/period"), .number(digits + 1)),
          Column("q", .number(3)),
        ],
        cells: { s in [.text(directionText(s.direction, lang)), .number(s.slope), .number(s.q)] }))
    }

    // The transmission, step by step and year by year: tau, and under it its interval.
    var t = Table([Column(lang.pick("层级", "Step"))] + labels.map { Column($0, .number(3)) })
    for s in 0..<max(0, f.levelCount - 1) {
      t.add([.text("\(L(s)) → \(L(s + 1))")] + steps.map { .number($0[s].tau) })
      if steps.contains(where: { $0[s].ciLow != nil }) {
        t.add([.empty] + steps.map { step in step[s].ciLow == nil ? .empty : .interval(step[s].ciLow, step[s].ciHigh) })
      }
    }
    doc.append(Section(lang.pick("逐层传导率 tau 及 95% 区间（按期）", "Level-step transmission tau and 95% interval, by period"), [.table(t)]))
    return doc
  }
}
