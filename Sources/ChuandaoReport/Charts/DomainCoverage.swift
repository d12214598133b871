/// Per domain, the share of supervision against the share of risk, as paired bars on a
/// common baseline, with coverage (supervision share / risk share) printed on the right.
/// A blind spot (coverage below `threshold`) is marked three ways: a tinted band, its
/// name in bold, and the caller's word for it after the coverage.
public struct DomainCoverage: Sendable {
  public struct Labels: Sendable {
    public var title: String
    public var description: String
    public var xAxis: String
    public var supervision: String
    public var risk: String
    /// Heads the coverage column.
    public var coverage: String
    public var blindSpot: String

    public init(
      title: String, description: String, xAxis: String, supervision: String, risk: String,
      coverage: String, blindSpot: String
    ) {
      self.title = title
      self.description = description
      self.xAxis = xAxis
      self.supervision = supervision
      self.risk = risk
      self.coverage = coverage
      self.blindSpot = blindSpot
    }
  }

  public var labels: Labels
  public var domains: [String]
  public var supervisionShare: [Double]
  public var riskShare: [Double]
  public var threshold: Double
  public var width: Double

  public init(
    labels: Labels, domains: [String], supervisionShare: [Double], riskShare: [Double],
    threshold: Double = 0.5, width: Double = 640
  ) {
    precondition(
      supervisionShare.count == domains.count && riskShare.count == domains.count,
      "coverage columns differ in length")
    self.labels = labels
    self.domains = domains
    self.supervisionShare = supervisionShare
    self.riskShare = riskShare
    self.threshold = threshold
    self.width = width
  }

  /// Supervision share over risk share; nil when the risk share is 0.
  func coverage(_ i: Int) -> Double? {
    riskShare[i] > 0 ? supervisionShare[i] / riskShare[i] : nil
  }

  public func svg() -> String {
    let rowHeight = 32.0
    let top = 72.0
    let height = top + Double(domains.count) * rowHeight + 50
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)

    let blind = domains.indices.map { i in coverage(i).map { $0 < threshold } ?? false }
    let texts = domains.indices.map { i -> String in
      let c = coverage(i).map { fixed($0, 2) } ?? "–"
      return blind[i] ? "\(c)  \(labels.blindSpot)" : c
    }
    let labelWidth = widest(domains, fontSize: 11)
    let valueWidth = max(
      widest(texts, fontSize: 10), TextMetrics.width(labels.coverage, fontSize: 10))
    let plot = Rect(
      x: 16 + labelWidth + 12, y: top, width: width - (16 + labelWidth + 12) - valueWidth - 28,
      height: Double(domains.count) * rowHeight)
    let hi = (supervisionShare + riskShare).filter(\.isFinite).max() ?? 1
    let x = Scale(
      .linear, domain: Scale.niceDomain(0, max(hi, 0.01), count: 5), range: (plot.minX, plot.maxX))

    for i in domains.indices where blind[i] {
      svg.element(
        "rect",
        [
          ("x", svgNumber(8)), ("y", svgNumber(top + Double(i) * rowHeight + 1)),
          ("width", svgNumber(width - 16)), ("height", svgNumber(rowHeight - 2)),
          ("fill", "#FBE6D9"),
        ])
    }
    let ticks = Axis.ticks(for: x, horizontal: true)
    Axis.bottom(
      &svg, scale: x, ticks: ticks, plot: plot, title: labels.xAxis, format: percentTicks(ticks))
    let ys = domains.indices.map { top + (Double($0) + 0.5) * rowHeight }
    drawRowLabels(
      &svg, domains, ys: ys, x: plot.minX - 10, maxWidth: labelWidth, fontSize: 11, bold: blind,
      colours: blind.map { $0 ? Palette.vermillion : Palette.ink })
    svg.text(
      labels.coverage, x: plot.maxX + 12, y: top - 6, size: 10, fill: Palette.axis, weight: "bold")

    for i in domains.indices {
      let y = ys[i]
      let risk = Rect(
        x: plot.minX, y: y - 10, width: max(0, x(riskShare[i]) - plot.minX), height: 9)
      let sup = Rect(
        x: plot.minX, y: y + 1, width: max(0, x(supervisionShare[i]) - plot.minX), height: 9)
      svg.rect(
        risk, fill: Palette.orange, title: "\(domains[i]), \(labels.risk): \(percent(riskShare[i]))"
      )
      svg.rect(
        sup, fill: Palette.blue,
        title: "\(domains[i]), \(labels.supervision): \(percent(supervisionShare[i]))")
      svg.text(
        texts[i], x: plot.maxX + 12, y: y + 3.5, size: 10,
        fill: blind[i] ? Palette.vermillion : Palette.ink,
        weight: blind[i] ? "bold" : nil)
    }
    Legend.draw(
      &svg,
      [
        LegendItem(swatch: .box(Palette.orange), label: labels.risk),
        LegendItem(swatch: .box(Palette.blue), label: labels.supervision),
      ], x: plot.minX, y: 46, maxX: width - 10)
    return svg.finish()
  }
}
