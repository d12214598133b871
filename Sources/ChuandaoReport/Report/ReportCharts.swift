import Chuandao

/// One of the report's charts, made on its own (`chuandao chart KIND`, and notebooks):
/// the same chart, from the same section code, as the report draws, with only that
/// section's analyses run.
public enum ReportChartKind: String, CaseIterable, Sendable {
  /// The attenuation ladder: τ per level step with its interval, end retention.
  case ladder
  /// End retention per top-level node over the periods, as a heat strip.
  case retention
  /// The funnel plot of one level (default: the bottom one).
  case funnel
  /// Domain coverage against risk share, blind spots marked (bottom level).
  case coverage
  /// The organisation as an icicle, coloured from cold to hot.
  case icicle
  /// The four subjects of each silo node as a dot plot.
  case subjects
  /// The closure funnel: problems → owned → planned → done → on time.
  case closure
  /// Scores over time as small multiples.
  case trends
  /// Assessment rank bands as a caterpillar plot.
  case ranks

  /// The chart's file name in the report's `charts/` folder, without `.svg`.
  func fileStem(levelName: String) -> String {
    switch self {
    case .ladder: "ladder"
    case .retention: "retention-by-year"
    case .funnel: "funnel-\(levelName)"
    case .coverage: "domain-coverage"
    case .icicle: "icicle"
    case .subjects: "silo-subjects"
    case .closure: "closure-funnel"
    case .trends: "trends"
    case .ranks: "rank-bands"
    }
  }
}

extension ReportBuilder {
  /// A chart made on its own, or why the data give none.
  public enum ChartOutcome: Sendable {
    /// The chart: its report file name (`funnel-branch.svg`), SVG text and caption.
    case chart(name: String, svg: String, caption: String)
    /// The sentence the report would print in the chart's place.
    case missing(reason: String)
  }

  /// Runs the one section of the report that draws `kind` and returns its chart.
  /// `level`: for `.funnel`, the level to plot (default: the bottom one).
  public func chart(_ kind: ReportChartKind, level: Int? = nil) -> ChartOutcome {
    var r = ReportContent(builder: self)
    r.receiver = { _, _ in }  // a chart needs no results.json: its members are never made
    let f = dataset.forest
    let k = level ?? f.levelCount - 1
    let stem = kind.fileStem(levelName: f.levelNames[min(max(k, 0), f.levelCount - 1)])
    switch kind {
    case .ladder, .retention: r.vertical(nil)
    case .funnel, .coverage, .icicle: r.coldAndHot(nil, levels: kind == .funnel ? [k] : nil)
    case .subjects: r.coordination()
    case .closure: r.closure(nil)
    case .trends, .ranks:
      let flags: PeriodFlags? =
        dataset.hasSupervision
        ? PeriodFlags.compute(dataset, levels: Array(0..<f.levelCount), settings: settings.imbalance) : nil
      if kind == .trends { r.overTime(flags, nil) } else { r.assessment(flags) }
    }
    if let chart = r.charts.first(where: { $0.name == stem }) {
      let caption = r.parts.lazy.compactMap { part -> String? in
        if case .chart(stem, let caption) = part { return caption }
        return nil
      }.first ?? ""
      return .chart(name: stem + ".svg", svg: chart.svg, caption: caption)
    }
    // The section's own sentences say why (no scores.csv, one period, ...); a section that
    // ran without drawing this chart had nothing to draw.
    let said = r.parts.compactMap { part -> String? in
      if case .paragraph(let text) = part { return text }
      return nil
    }
    let none = r.L("数据中没有可画这张图的内容。", "The data give nothing to draw in this chart.")
    return .missing(reason: said.isEmpty ? none : said.joined(separator: " "))
  }
}
