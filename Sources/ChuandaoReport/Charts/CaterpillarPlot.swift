/// Ranks with their uncertainty: nodes sorted by median rank (best at the top), each
/// with its 5-95% band as a line and its median as a dot, coloured by grade.
public struct CaterpillarPlot: Sendable {
  public struct Labels: Sendable {
    public var title: String
    public var description: String
    public var xAxis: String
    /// Legend names of the grades; a missing grade is left out of the legend.
    public var grades: [Grade: String]

    public init(title: String, description: String, xAxis: String, grades: [Grade: String]) {
      self.title = title
      self.description = description
      self.xAxis = xAxis
      self.grades = grades
    }
  }

  public var labels: Labels
  public var names: [String]
  public var median: [Double]
  public var lower: [Double]
  public var upper: [Double]
  public var grades: [Grade]
  public var width: Double

  public init(
    labels: Labels, names: [String], median: [Double], lower: [Double], upper: [Double],
    grades: [Grade],
    width: Double = 640
  ) {
    let n = names.count
    precondition(
      median.count == n && lower.count == n && upper.count == n && grades.count == n,
      "caterpillar columns differ in length")
    self.labels = labels
    self.names = names
    self.median = median
    self.lower = lower
    self.upper = upper
    self.grades = grades
    self.width = width
  }

  public func svg() -> String {
    let n = names.count
    let order = (0..<n).sorted { median[$0] != median[$1] ? median[$0] < median[$1] : $0 < $1 }
    let rowHeight = n <= 40 ? 18.0 : max(2, 900 / Double(n))
    let top = 66.0
    let height = top + Double(n) * rowHeight + 50
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)

    let labelWidth = widest(names)
    let plot = Rect(
      x: 16 + labelWidth + 10, y: top, width: width - (16 + labelWidth + 10) - 20,
      height: Double(n) * rowHeight)
    let hi = max(2, (upper + median).filter(\.isFinite).max() ?? Double(n))
    let x = Scale(
      .linear, domain: 1...Scale.niceDomain(1, hi, count: 5).upperBound,
      range: (plot.minX + 6, plot.maxX - 6))
    var ticks = Axis.ticks(for: x, horizontal: true)
    if ticks.first != 1 { ticks.insert(1, at: 0) }
    if ticks.count >= 2, x(ticks[1]) - x(ticks[0]) < 18 { ticks.remove(at: 1) }
    Axis.bottom(
      &svg, scale: x, ticks: ticks, plot: plot, title: labels.xAxis, format: { fixed($0, 0) })
    let ys = order.indices.map { top + (Double($0) + 0.5) * rowHeight }
    drawRowLabels(&svg, order.map { names[$0] }, ys: ys, x: plot.minX - 8, maxWidth: labelWidth)

    for (row, i) in order.enumerated() {
      let y = ys[row]
      let colour = grades[i].colour
      let title =
        "\(names[i]) (\(labels.grades[grades[i]] ?? "")): \(fixed(median[i], 0)) "
        + "[\(fixed(lower[i], 0)), \(fixed(upper[i], 0))]"
      if lower[i].isFinite && upper[i].isFinite {
        svg.mark(
          "line",
          [
            ("x1", svgNumber(x(lower[i]))), ("y1", svgNumber(y)), ("x2", svgNumber(x(upper[i]))),
            ("y2", svgNumber(y)), ("stroke", colour),
            ("stroke-width", svgNumber(min(2.5, max(1, rowHeight / 4)))),
            ("stroke-linecap", "round"),
          ], title: title)
      }
      if median[i].isFinite {
        svg.marker(
          .circle, x: x(median[i]), y: y, size: min(8, max(3, rowHeight - 6)), fill: colour,
          stroke: "#FFFFFF",
          strokeWidth: 0.8, title: title)
      }
    }
    let items = Grade.allCases.map { g in
      LegendItem(
        swatch: .marker(.circle, fill: g.colour, stroke: "#FFFFFF"), label: labels.grades[g] ?? "")
    }
    Legend.draw(&svg, items, x: plot.minX, y: 46, maxX: width - 10)
    return svg.finish()
  }
}
