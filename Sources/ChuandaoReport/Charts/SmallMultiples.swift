/// A grid of small line charts, one per node, all on one y scale so that panels compare
/// at a glance; a title per panel, the first and last x label under each panel, y tick
/// labels on the first column only, and an optional reference line (e.g. at 1).
public struct SmallMultiples: Sendable {
  public struct Labels: Sendable {
    public var title: String
    public var description: String
    public var yAxis: String

    public init(title: String, description: String, yAxis: String) {
      self.title = title
      self.description = description
      self.yAxis = yAxis
    }
  }

  public var labels: Labels
  public var panels: [String]
  public var xLabels: [String]
  /// Row-major, panels.count × xLabels.count; nil breaks the line.
  public var values: [Double?]
  public var reference: Double?
  public var columns: Int
  public var panelWidth: Double
  public var panelHeight: Double

  public init(
    labels: Labels, panels: [String], xLabels: [String], values: [Double?],
    reference: Double? = nil,
    columns: Int = 4, panelWidth: Double = 150, panelHeight: Double = 80
  ) {
    precondition(
      values.count == panels.count * xLabels.count, "small multiples need panels × x values")
    precondition(columns > 0, "at least one column")
    self.labels = labels
    self.panels = panels
    self.xLabels = xLabels
    self.values = values
    self.reference = reference
    self.columns = columns
    self.panelWidth = panelWidth
    self.panelHeight = panelHeight
  }

  public func svg() -> String {
    let cols = min(columns, max(1, panels.count))
    let rows = (panels.count + cols - 1) / cols
    var present = values.compactMap { $0 }.filter(\.isFinite)
    if let reference { present.append(reference) }
    let lo = present.min() ?? 0
    let hi = max(present.max() ?? 1, lo + 1e-6)
    let d = Scale.niceDomain(lo, hi, count: 3)
    let probe = Scale(.linear, domain: d, range: (panelHeight, 0))
    let yTicks = probe.ticks(count: 3)
    let left = 30 + Axis.labelWidth(probe, yTicks)
    let gapX = 16.0
    let cellHeight = 18 + panelHeight + 22
    let top = 40.0
    let width = left + Double(cols) * (panelWidth + gapX) + 4
    let height = top + Double(rows) * cellHeight + 8
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)
    let m = xLabels.count

    for (p, name) in panels.enumerated() {
      let r = p / cols
      let c = p % cols
      let frame = Rect(
        x: left + Double(c) * (panelWidth + gapX), y: top + Double(r) * cellHeight + 18,
        width: panelWidth,
        height: panelHeight)
      let y = Scale(.linear, domain: d, range: (frame.maxY, frame.minY))
      let x = Scale(
        .linear, domain: 0...Double(max(1, m - 1)), range: (frame.minX + 6, frame.maxX - 6))
      svg.element(
        "rect",
        [
          ("x", svgNumber(frame.x)), ("y", svgNumber(frame.y)), ("width", svgNumber(frame.width)),
          ("height", svgNumber(frame.height)), ("fill", "#FAFAFA"), ("stroke", "#D0D0D0"),
        ])
      for t in yTicks {
        svg.line(frame.minX, y(t), frame.maxX, y(t), stroke: Palette.grid)
        if c == 0 {
          svg.text(
            probe.tickLabel(t, ticks: yTicks), x: frame.minX - 4, y: y(t) + 3, size: 9,
            anchor: .end, fill: Palette.axis)
        }
      }
      if let reference {
        svg.line(
          frame.minX, y(reference), frame.maxX, y(reference), stroke: Palette.black, width: 0.8,
          dash: "3 2")
      }
      if let t = TextMetrics.fit(name, maxWidth: panelWidth, fontSize: 11) {
        svg.text(t, x: frame.minX, y: frame.minY - 5, size: 11, fill: Palette.ink, weight: "bold")
      }
      if m > 0 {
        svg.text(
          xLabels[0], x: x(0), y: frame.maxY + 12, size: 9, anchor: .middle, fill: Palette.axis)
        if m > 1 {
          svg.text(
            xLabels[m - 1], x: x(Double(m - 1)), y: frame.maxY + 12, size: 9, anchor: .middle,
            fill: Palette.axis)
        }
      }
      // The line, broken where a value is missing.
      var run: [(Double, Double)] = []
      for k in 0...m {
        if k < m, let v = values[p * m + k], v.isFinite {
          run.append((x(Double(k)), y(v)))
        } else {
          svg.polyline(run, stroke: Palette.blue, width: 1.6)
          run = []
        }
      }
      for k in 0..<m {
        guard let v = values[p * m + k], v.isFinite else { continue }
        svg.marker(
          .circle, x: x(Double(k)), y: y(v), size: 4.5, fill: Palette.blue, stroke: "#FFFFFF",
          strokeWidth: 0.6,
          title: "\(name), \(xLabels[k]): \(readable(v))")
      }
    }
    if !labels.yAxis.isEmpty {
      let x = 14.0
      let y = top + Double(rows) * cellHeight / 2
      svg.text(
        labels.yAxis, x: x, y: y, anchor: .middle, fill: Palette.ink,
        extra: [("transform", "rotate(-90 \(svgNumber(x)) \(svgNumber(y)))")])
    }
    return svg.finish()
  }
}
