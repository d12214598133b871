/// Transmission per level step: tau with its interval, one row per step
/// ("bureau → unit"), against a reference line at 1 (nothing lost), and the end
/// retention (the product of the taus) as a last row drawn as a diamond and stated
/// under the title.
public struct AttenuationLadder: Sendable {
  public struct Labels: Sendable {
    public var title: String
    public var description: String
    public var xAxis: String
    /// Names the end retention row and the statement under the title ("End retention R").
    public var retention: String
    /// Legend name of the line at 1; empty leaves it out.
    public var reference: String

    public init(
      title: String, description: String, xAxis: String, retention: String, reference: String = ""
    ) {
      self.title = title
      self.description = description
      self.xAxis = xAxis
      self.retention = retention
      self.reference = reference
    }
  }

  public var labels: Labels
  public var steps: [String]
  public var tau: [Double]
  public var lower: [Double]
  public var upper: [Double]
  public var endRetention: Double
  /// The end retention's interval, when known.
  public var retentionLower: Double?
  public var retentionUpper: Double?
  public var decimals: Int
  public var width: Double

  public init(
    labels: Labels, steps: [String], tau: [Double], lower: [Double], upper: [Double],
    endRetention: Double, retentionLower: Double? = nil, retentionUpper: Double? = nil,
    decimals: Int = 3, width: Double = 640
  ) {
    precondition(
      tau.count == steps.count && lower.count == steps.count && upper.count == steps.count,
      "ladder columns differ in length")
    self.labels = labels
    self.steps = steps
    self.tau = tau
    self.lower = lower
    self.upper = upper
    self.endRetention = endRetention
    self.retentionLower = retentionLower
    self.retentionUpper = retentionUpper
    self.decimals = decimals
    self.width = width
  }

  public func svg() -> String {
    let rowHeight = 30.0
    let rows = steps.count + 1
    let top = 74.0
    let height = top + Double(rows) * rowHeight + 50
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    let statement = "\(labels.retention) = \(fixed(endRetention, decimals))"
    drawTitle(&svg, labels.title, note: statement)

    let names = steps + [labels.retention]
    let labelWidth = widest(names, fontSize: 11)
    let valueTexts =
      steps.indices.map { interval(tau[$0], lower[$0], upper[$0]) }
      + [interval(endRetention, retentionLower, retentionUpper)]
    let valueWidth = widest(valueTexts, fontSize: 10)
    let plot = Rect(
      x: 16 + labelWidth + 12, y: top, width: width - (16 + labelWidth + 12) - valueWidth - 24,
      height: Double(rows) * rowHeight)

    var values = tau + lower + upper + [endRetention, 1]
    if let l = retentionLower { values.append(l) }
    if let u = retentionUpper { values.append(u) }
    let finite = values.filter(\.isFinite)
    let lo = finite.min() ?? 0
    let hi = finite.max() ?? 1
    let pad = max(0.02, (hi - lo) * 0.05)
    let x = Scale(
      .linear, domain: Scale.niceDomain(lo - pad, hi + pad, count: 6), range: (plot.minX, plot.maxX)
    )
    Axis.bottom(
      &svg, scale: x, ticks: Axis.ticks(for: x, horizontal: true), plot: plot, title: labels.xAxis)

    let ys = (0..<rows).map { plot.minY + (Double($0) + 0.5) * rowHeight }
    // The retention row stands apart: a rule above it.
    let rule = plot.minY + Double(steps.count) * rowHeight
    svg.line(plot.minX - 8 - labelWidth, rule, plot.maxX, rule, stroke: "#BBBBBB", dash: "2 2")
    svg.line(x(1), plot.minY, x(1), plot.maxY, stroke: Palette.black, width: 1, dash: "5 3")
    drawRowLabels(&svg, names, ys: ys, x: plot.minX - 10, maxWidth: labelWidth, fontSize: 11)

    for i in steps.indices {
      let title = "\(steps[i]): \(valueTexts[i])"
      whisker(&svg, x: x, y: ys[i], lower[i], upper[i], colour: Palette.blue, title: title)
      if tau[i].isFinite {
        svg.marker(
          .circle, x: x(tau[i]), y: ys[i], size: 10, fill: Palette.blue, stroke: "#FFFFFF",
          title: title)
      }
      svg.text(valueTexts[i], x: plot.maxX + 12, y: ys[i] + 3.5, size: 10, fill: Palette.ink)
    }
    let r = ys[steps.count]
    let rTitle = "\(labels.retention): \(valueTexts[steps.count])"
    if let l = retentionLower, let u = retentionUpper {
      whisker(&svg, x: x, y: r, l, u, colour: Palette.black, title: rTitle)
    }
    if endRetention.isFinite {
      svg.marker(
        .diamond, x: x(endRetention), y: r, size: 12, fill: Palette.black, stroke: "#FFFFFF",
        title: rTitle)
    }
    svg.text(
      valueTexts[steps.count], x: plot.maxX + 12, y: r + 3.5, size: 10, fill: Palette.ink,
      weight: "bold")
    if !labels.reference.isEmpty {
      Legend.draw(
        &svg,
        [LegendItem(swatch: .line(Palette.black, dash: "5 3", width: 1), label: labels.reference)],
        x: plot.minX, y: 58, maxX: width - 10)
    }
    return svg.finish()
  }

  private func interval(_ v: Double, _ l: Double?, _ u: Double?) -> String {
    guard let l, let u else { return fixed(v, decimals) }
    return "\(fixed(v, decimals)) [\(fixed(l, decimals)), \(fixed(u, decimals))]"
  }

  private func whisker(
    _ svg: inout SVGWriter, x: Scale, y: Double, _ l: Double, _ u: Double, colour: String,
    title: String
  ) {
    guard l.isFinite, u.isFinite else { return }
    svg.mark(
      "path",
      [
        (
          "d",
          "M\(svgNumber(x(l))),\(svgNumber(y - 5))V\(svgNumber(y + 5))M\(svgNumber(x(l))),\(svgNumber(y))"
            + "H\(svgNumber(x(u)))M\(svgNumber(x(u))),\(svgNumber(y - 5))V\(svgNumber(y + 5))"
        ),
        ("fill", "none"), ("stroke", colour), ("stroke-width", "1.6"),
      ], title: title)
  }
}
