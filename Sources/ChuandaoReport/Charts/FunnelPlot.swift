import Foundation

/// A funnel plot of one level: observed over expected (O/E) against the expected count,
/// with control limits that narrow as the expected count grows (Spiegelhalter 2005,
/// "Funnel plots for comparing institutional performance", Stat Med 24:1185,
/// doi:10.1002/sim.1970).
///
/// x is the expected count on a log scale; nodes with expected ≤ 0 or a non-finite
/// ratio cannot be placed and are left out (the description says how many). Limit
/// curves are drawn as given, cut at the plot's edges; the y axis runs from 0 to a nice
/// number above the largest ratio, so that very wide limits at small expected counts
/// do not squash the points.
///
/// With `density` set, normal nodes are not drawn one by one but counted into a grid of
/// cells, each a shaded rectangle (log of the count), and only flagged nodes are marks:
/// a level of a million nodes gives a file of a few hundred kilobytes at most.
public struct FunnelPlot: Sendable {
  /// Limit curves sampled along x, one entry per sample, columns of equal length.
  public struct Limits: Sendable {
    public var expected: [Double]
    public var lower95: [Double]
    public var upper95: [Double]
    public var lower998: [Double]
    public var upper998: [Double]

    public init(
      expected: [Double], lower95: [Double], upper95: [Double], lower998: [Double],
      upper998: [Double]
    ) {
      let n = expected.count
      precondition(
        lower95.count == n && upper95.count == n && lower998.count == n && upper998.count == n,
        "limit columns differ in length")
      self.expected = expected
      self.lower95 = lower95
      self.upper95 = upper95
      self.lower998 = lower998
      self.upper998 = upper998
    }
  }

  /// Every text the chart shows. An empty legend entry is left out of the legend.
  public struct Labels: Sendable {
    public var title: String
    public var description: String
    public var xAxis: String
    public var yAxis: String
    /// Legend and tooltip names of the five flags.
    public var flags: [FunnelFlag: String]
    public var limits95: String
    public var limits998: String
    /// The dashed second set (plain Poisson limits for an overdispersed level).
    public var plainLimits: String
    public var target: String

    public init(
      title: String, description: String, xAxis: String, yAxis: String,
      flags: [FunnelFlag: String], limits95: String, limits998: String, plainLimits: String = "",
      target: String
    ) {
      self.title = title
      self.description = description
      self.xAxis = xAxis
      self.yAxis = yAxis
      self.flags = flags
      self.limits95 = limits95
      self.limits998 = limits998
      self.plainLimits = plainLimits
      self.target = target
    }
  }

  /// Normal nodes counted into `columns` × `rows` cells instead of drawn one by one; of
  /// the flagged ones at most `maxMarks` are drawn as marks, the most extreme first (by
  /// |O/E - 1| sqrt(E), about the Poisson z), and the rest join the density: a level of a
  /// million nodes has some fifty thousand flags by chance alone, too many to draw.
  public struct Density: Sendable {
    public var columns: Int
    public var rows: Int
    public var maxMarks: Int

    public init(columns: Int = 60, rows: Int = 40, maxMarks: Int = 1000) {
      precondition(columns > 0 && rows > 0, "density grid needs at least one cell")
      self.columns = columns
      self.rows = rows
      self.maxMarks = maxMarks
    }
  }

  public var labels: Labels
  public var names: [String]
  public var expected: [Double]
  public var ratio: [Double]
  public var flags: [FunnelFlag]
  public var limits: Limits
  public var plainLimits: Limits?
  public var density: Density?
  public var width: Double
  public var height: Double

  public init(
    labels: Labels, names: [String], expected: [Double], ratio: [Double], flags: [FunnelFlag],
    limits: Limits, plainLimits: Limits? = nil, density: Density? = nil, width: Double = 720,
    height: Double = 480
  ) {
    precondition(
      names.count == expected.count && ratio.count == expected.count
        && flags.count == expected.count,
      "funnel columns differ in length")
    self.labels = labels
    self.names = names
    self.expected = expected
    self.ratio = ratio
    self.flags = flags
    self.limits = limits
    self.plainLimits = plainLimits
    self.density = density
    self.width = width
    self.height = height
  }

  public func svg() -> String {
    let plottable = expected.indices.filter {
      expected[$0] > 0 && expected[$0].isFinite && ratio[$0].isFinite && ratio[$0] >= 0
    }
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)

    // Scales.
    var xs = plottable.map { expected[$0] }
    if xs.isEmpty { xs = limits.expected.filter { $0 > 0 } }
    let xLo = (xs.min() ?? 1) / 1.3
    let xHi = (xs.max() ?? 10) * 1.3
    let yTop = max(1.5, plottable.map { ratio[$0] }.max() ?? 1.5) * 1.06
    let yDomain = Scale.niceDomain(0, yTop, count: 5)
    // Legend rows first (they set the plot's top), then the y ticks (their labels set
    // its left edge).
    let legendY = 44.0
    let items = legendItems()
    let legendRows = Legend.rows(items, x: 12, maxX: width - 10)
    let top = legendY + Double(legendRows - 1) * 16 + 22
    let bottom = height - 46
    let y = Scale(.linear, domain: yDomain, range: (bottom, top))
    let yTicks = Axis.ticks(for: y, horizontal: false)
    let left = 34 + Axis.labelWidth(y, yTicks)
    let plot = Rect(x: left, y: top, width: width - left - 16, height: bottom - top)
    let x = Scale(.log, domain: xLo...xHi, range: (plot.minX, plot.maxX))

    Axis.bottom(
      &svg, scale: x, ticks: Axis.ticks(for: x, horizontal: true), plot: plot, title: labels.xAxis)
    Axis.left(&svg, scale: y, ticks: yTicks, plot: plot, title: labels.yAxis)

    // Density of the normal nodes, under everything else.
    var pointIndices = plottable
    if let density {
      var marked = plottable.filter { flags[$0] != .normal }
      if marked.count > density.maxMarks {
        func extremeness(_ i: Int) -> Double { abs(ratio[i] - 1) * expected[i].squareRoot() }
        marked = Array(marked.sorted { (extremeness($1), $0) < (extremeness($0), $1) }.prefix(density.maxMarks))
      }
      let shown = Set(marked)
      pointIndices = plottable.filter { shown.contains($0) }
      drawDensity(&svg, density, plottable.filter { !shown.contains($0) }, x: x, y: y, plot: plot)
    }

    // Limits, target.
    if let plainLimits {
      drawLimits(&svg, plainLimits, x: x, y: y, plot: plot, dash: "4 3")
    }
    drawLimits(&svg, limits, x: x, y: y, plot: plot, dash: nil)
    let y1 = y(1)
    svg.line(plot.minX, y1, plot.maxX, y1, stroke: Palette.black, width: 1)

    // Points, normal first and the extremes on top; ties in input order.
    let order = pointIndices.sorted { (flags[$0].layer, $0) < (flags[$1].layer, $1) }
    // Offset 7 with padding 1 clears the node's own 10 px marker (an obstacle).
    var placer = LabelPlacer(bounds: plot, fontSize: 10, padding: 1, offset: 7)
    for i in order {
      let f = flags[i]
      let px = x(expected[i])
      let py = y(ratio[i])
      let title =
        "\(names[i]) (\(labels.flags[f] ?? f.rawValue)): \(labels.xAxis) \(readable(expected[i])), "
        + "\(labels.yAxis) \(readable(ratio[i]))"
      if f == .normal {
        svg.marker(
          .circle, x: px, y: py, size: 5, fill: f.colour, stroke: "none", opacity: 0.65,
          title: title)
      } else {
        svg.marker(
          f.shape, x: px, y: py, size: 10, fill: f.filled ? f.colour : "#FFFFFF", stroke: f.colour,
          strokeWidth: f.filled ? 0.8 : 1.6, title: title)
        placer.addObstacle(Rect(x: px - 5, y: py - 5, width: 10, height: 10))
      }
    }

    // Names of cold and hot nodes, the most surprising first: |O/E - 1| × √E is about
    // |O - E| / √E, the Poisson z-score.
    let named = pointIndices.filter { flags[$0] == .cold || flags[$0] == .hot }
      .map { (i: $0, z: abs(ratio[$0] - 1) * expected[$0].squareRoot()) }
      .sorted { $0.z != $1.z ? $0.z > $1.z : $0.i < $1.i }
    // Beside the node first, every name; then, for the names that found no room there
    // (nodes on one spot), a stacked row with a leader line.
    let unplaced = named.filter { !placer.place(names[$0.i], x: x(expected[$0.i]), y: y(ratio[$0.i])) }
    for (i, _) in unplaced {
      placer.place(names[i], x: x(expected[i]), y: y(ratio[i]), positions: LabelPlacer.Position.stacked)
    }
    placer.draw(into: &svg)

    Legend.draw(&svg, items, x: 12, y: legendY, maxX: width - 10)
    return svg.finish()
  }

  /// Flags (shape and colour as drawn), target, limits.
  private func legendItems() -> [LegendItem] {
    var items: [LegendItem] = []
    for f in [FunnelFlag.cold, .cool, .normal, .warm, .hot] {
      let label = labels.flags[f] ?? ""
      if f == .normal {
        let swatch: LegendItem.Swatch =
          density == nil ? .marker(.circle, fill: f.colour, stroke: "none") : .box("#9A9A9A")
        items.append(LegendItem(swatch: swatch, label: label))
      } else {
        items.append(
          LegendItem(
            swatch: .marker(f.shape, fill: f.filled ? f.colour : "#FFFFFF", stroke: f.colour),
            label: label))
      }
    }
    items.append(
      LegendItem(swatch: .line(Palette.black, dash: nil, width: 1), label: labels.target))
    items.append(
      LegendItem(swatch: .line("#9A9A9A", dash: nil, width: 1.2), label: labels.limits95))
    items.append(
      LegendItem(swatch: .line("#4D4D4D", dash: nil, width: 1.4), label: labels.limits998))
    if plainLimits != nil {
      items.append(
        LegendItem(swatch: .line("#4D4D4D", dash: "4 3", width: 1), label: labels.plainLimits))
    }
    return items
  }

  private func drawLimits(
    _ svg: inout SVGWriter, _ l: Limits, x: Scale, y: Scale, plot: Rect, dash: String?
  ) {
    let columns: [([Double], String, Double)] = [
      (l.lower95, "#9A9A9A", dash == nil ? 1.2 : 1), (l.upper95, "#9A9A9A", dash == nil ? 1.2 : 1),
      (l.lower998, "#4D4D4D", dash == nil ? 1.4 : 1),
      (l.upper998, "#4D4D4D", dash == nil ? 1.4 : 1),
    ]
    for (values, colour, w) in columns {
      let points = l.expected.indices.compactMap { i -> (Double, Double)? in
        guard l.expected[i] > 0, values[i].isFinite else { return nil }
        return (x(l.expected[i]), y(values[i]))
      }
      guard points.count >= 2 else { continue }
      for piece in clipPolyline(points, to: plot) {
        svg.polyline(piece, stroke: colour, width: w, dash: dash)
      }
    }
  }

  private func drawDensity(
    _ svg: inout SVGWriter, _ d: Density, _ indices: [Int], x: Scale, y: Scale, plot: Rect
  ) {
    var counts = [Int](repeating: 0, count: d.columns * d.rows)
    let cw = plot.width / Double(d.columns)
    let ch = plot.height / Double(d.rows)
    for i in indices {
      let c = Int(((x(expected[i]) - plot.minX) / cw).rounded(.down))
      let r = Int(((y(ratio[i]) - plot.minY) / ch).rounded(.down))
      counts[min(d.rows - 1, max(0, r)) * d.columns + min(d.columns - 1, max(0, c))] += 1
    }
    let most = counts.max() ?? 0
    guard most > 0 else { return }
    let normal = labels.flags[.normal] ?? FunnelFlag.normal.rawValue
    for r in 0..<d.rows {
      for c in 0..<d.columns where counts[r * d.columns + c] > 0 {
        let n = counts[r * d.columns + c]
        let t = log(1 + Double(n)) / log(1 + Double(most))
        let cell = Rect(
          x: plot.minX + Double(c) * cw, y: plot.minY + Double(r) * ch, width: cw, height: ch)
        svg.rect(
          cell, fill: Palette.interpolate(["#E4E4E4", "#5A5A5A"], t), title: "\(normal): \(n)")
      }
    }
  }
}
