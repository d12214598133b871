/// The subjects' scores of each node (the four responsibilities of a silo node): one
/// row per node, one dot per subject, told apart by shape as well as colour, a thin
/// line from the lowest to the highest score showing the gap.
public struct SubjectDotPlot: Sendable {
  public struct Labels: Sendable {
    public var title: String
    public var description: String
    public var xAxis: String

    public init(title: String, description: String, xAxis: String) {
      self.title = title
      self.description = description
      self.xAxis = xAxis
    }
  }

  /// Shape and colour per subject, in order; a fifth subject and beyond reuse them.
  static let styles: [(MarkerShape, String)] = [
    (.circle, Palette.blue), (.square, Palette.orange), (.diamond, Palette.bluishGreen),
    (.triangleUp, Palette.reddishPurple), (.triangleDown, Palette.vermillion),
  ]

  public var labels: Labels
  public var subjects: [String]
  public var nodes: [String]
  /// Row-major, nodes.count × subjects.count; nil where a subject has no score.
  public var scores: [Double?]
  /// The x domain; the scores' nice range when nil.
  public var domain: ClosedRange<Double>?
  public var width: Double

  public init(
    labels: Labels, subjects: [String], nodes: [String], scores: [Double?],
    domain: ClosedRange<Double>? = nil, width: Double = 640
  ) {
    precondition(
      scores.count == nodes.count * subjects.count, "dot plot needs nodes × subjects scores")
    self.labels = labels
    self.subjects = subjects
    self.nodes = nodes
    self.scores = scores
    self.domain = domain
    self.width = width
  }

  public func svg() -> String {
    let rowHeight = nodes.count <= 40 ? 22.0 : max(4, 880 / Double(nodes.count))
    let top = 66.0
    let height = top + Double(nodes.count) * rowHeight + 50
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)

    let labelWidth = widest(nodes)
    let plot = Rect(
      x: 16 + labelWidth + 10, y: top, width: width - (16 + labelWidth + 10) - 20,
      height: Double(nodes.count) * rowHeight)
    let present = scores.compactMap { $0 }.filter(\.isFinite)
    let d =
      domain
      ?? Scale.niceDomain(
        (present.min() ?? 0), max((present.max() ?? 1), (present.min() ?? 0) + 1e-6), count: 5)
    let x = Scale(.linear, domain: d, range: (plot.minX, plot.maxX))
    Axis.bottom(
      &svg, scale: x, ticks: Axis.ticks(for: x, horizontal: true), plot: plot, title: labels.xAxis)
    let ys = nodes.indices.map { top + (Double($0) + 0.5) * rowHeight }
    drawRowLabels(&svg, nodes, ys: ys, x: plot.minX - 8, maxWidth: labelWidth)

    let m = subjects.count
    let size = min(9, max(4, rowHeight - 4))
    for i in nodes.indices {
      let row = (0..<m).compactMap { j in scores[i * m + j].flatMap { $0.isFinite ? (j, $0) : nil }
      }
      guard let lo = row.map(\.1).min(), let hi = row.map(\.1).max() else { continue }
      svg.line(x(lo), ys[i], x(hi), ys[i], stroke: "#B4B4B4", width: 1.5)
      for (j, v) in row {
        let (shape, colour) = SubjectDotPlot.styles[j % SubjectDotPlot.styles.count]
        svg.marker(
          shape, x: x(v), y: ys[i], size: size, fill: colour, stroke: "#FFFFFF", strokeWidth: 0.8,
          opacity: 0.9, title: "\(nodes[i]), \(subjects[j]): \(readable(v))")
      }
    }
    let items = subjects.enumerated().map { j, s in
      let (shape, colour) = SubjectDotPlot.styles[j % SubjectDotPlot.styles.count]
      return LegendItem(swatch: .marker(shape, fill: colour, stroke: "#FFFFFF"), label: s)
    }
    Legend.draw(&svg, items, x: plot.minX, y: 46, maxX: width - 10)
    return svg.finish()
  }
}
