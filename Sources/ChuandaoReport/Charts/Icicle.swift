/// The organisation as a partition: level 0 on top, each node a rectangle as wide as
/// its share, its children side by side beneath it, coloured by a value on a diverging
/// cold-to-hot scale (blue, light grey at 0, vermillion), names drawn where they fit.
///
/// Width: with `.leaves` every leaf counts 1 and a parent is as wide as its children;
/// with `.members` a node counts its own members plus its children's widths, so the
/// part of a parent not covered by children is its own direct members.
public struct Icicle: Sendable {
  public enum Sizing: Sendable {
    case leaves
    /// One number per node (direct members); negative counts as 0.
    case members([Double])
  }

  public struct Labels: Sendable {
    public var title: String
    public var description: String
    /// The legend's title (what the colour means, e.g. "log O/E").
    public var legend: String
    /// Words at the blue and the vermillion end of the legend; empty leaves them out.
    public var cold: String
    public var hot: String
    /// Names of the levels, top first, drawn left of the rows; may be empty.
    public var levels: [String]

    public init(
      title: String, description: String, legend: String, cold: String = "", hot: String = "",
      levels: [String] = []
    ) {
      self.title = title
      self.description = description
      self.legend = legend
      self.cold = cold
      self.hot = hot
      self.levels = levels
    }
  }

  public var labels: Labels
  public var names: [String]
  /// Each node's parent index, nil for a top node. Children are drawn in index order.
  public var parents: [Int?]
  /// The coloured value (e.g. log O/E); nil draws the node white.
  public var values: [Double?]
  public var sizing: Sizing
  /// |value| drawn in full colour; the largest |value| when nil.
  public var limit: Double?
  public var decimals: Int
  public var width: Double
  public var rowHeight: Double

  public init(
    labels: Labels, names: [String], parents: [Int?], values: [Double?], sizing: Sizing = .leaves,
    limit: Double? = nil, decimals: Int = 2, width: Double = 760, rowHeight: Double = 36
  ) {
    precondition(
      parents.count == names.count && values.count == names.count, "icicle columns differ in length"
    )
    if case .members(let m) = sizing {
      precondition(m.count == names.count, "one member count per node")
    }
    self.labels = labels
    self.names = names
    self.parents = parents
    self.values = values
    self.sizing = sizing
    self.limit = limit
    self.decimals = decimals
    self.width = width
    self.rowHeight = rowHeight
  }

  public func svg() -> String {
    let n = names.count
    var children = [[Int]](repeating: [], count: n)
    var roots: [Int] = []
    for i in 0..<n {
      if let p = parents[i] {
        precondition(p >= 0 && p < n && p != i, "node \(i): parent \(p) out of range")
        children[p].append(i)
      } else {
        roots.append(i)
      }
    }
    // Depth by walking up; more than n steps means a cycle.
    var depth = [Int](repeating: 0, count: n)
    for i in 0..<n {
      var d = 0
      var j = i
      while let p = parents[j] {
        d += 1
        j = p
        precondition(d <= n, "the parents of node \(i) form a cycle")
      }
      depth[i] = d
    }
    let levels = (depth.max() ?? -1) + 1

    // Extents, children before parents (deepest first).
    var extent = [Double](repeating: 0, count: n)
    for i in (0..<n).sorted(by: { (depth[$0], $0) > (depth[$1], $1) }) {
      let below = children[i].reduce(0) { $0 + extent[$1] }
      switch sizing {
      case .leaves: extent[i] = children[i].isEmpty ? 1 : below
      case .members(let m): extent[i] = max(0, m[i].isFinite ? m[i] : 0) + below
      }
    }

    let gutter = labels.levels.isEmpty ? 0 : widest(labels.levels, fontSize: 10) + 12
    let top = 40.0
    let plot = Rect(
      x: 12 + gutter, y: top, width: width - 24 - gutter, height: Double(levels) * rowHeight)
    let height = top + plot.height + 70
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)

    let total = roots.reduce(0) { $0 + extent[$1] }
    let scale = total > 0 ? plot.width / total : 0
    let finite = values.compactMap { $0 }.filter(\.isFinite)
    let l = limit ?? max(1e-9, finite.map(abs).max() ?? 1)

    for (k, name) in labels.levels.enumerated() where k < levels {
      svg.text(
        name, x: plot.minX - 8, y: plot.minY + (Double(k) + 0.5) * rowHeight + 3.5, size: 10,
        anchor: .end,
        fill: Palette.axis)
    }

    // Depth-first from the roots: a stack of (node, left edge), children pushed in
    // reverse so that they come off in index order.
    var stack: [(Int, Double)] = []
    var x0 = plot.minX
    for r in roots {
      stack.append((r, x0))
      x0 += extent[r] * scale
    }
    stack.reverse()
    while let (i, left) = stack.popLast() {
      let w = extent[i] * scale
      var cx = left
      var pushes: [(Int, Double)] = []
      for c in children[i] {
        pushes.append((c, cx))
        cx += extent[c] * scale
      }
      stack.append(contentsOf: pushes.reversed())
      guard w > 0 else { continue }
      let cell = Rect(
        x: left, y: plot.minY + Double(depth[i]) * rowHeight, width: w, height: rowHeight)
      let fill: String
      let valueText: String
      if let v = values[i], v.isFinite {
        fill = Palette.diverging(v / l)
        valueText = fixed(v, decimals)
      } else {
        fill = "#FFFFFF"
        valueText = "–"
      }
      if fill == "#FFFFFF" {
        // No value: an outlined empty cell, so that it does not vanish into the page.
        let inner = Rect(
          x: cell.x + 1, y: cell.y + 1, width: max(0, cell.width - 2), height: cell.height - 2)
        svg.rect(
          inner, fill: fill, stroke: "#AAAAAA", extra: [("stroke-dasharray", "3 2")],
          title: "\(names[i]): \(valueText)")
      } else {
        svg.rect(
          cell, fill: fill, stroke: "#FFFFFF", extra: [("stroke-width", "1")],
          title: "\(names[i]): \(valueText)")
      }
      if w >= 14, let text = TextMetrics.fit(names[i], maxWidth: w - 6, fontSize: 10) {
        svg.text(
          text, x: left + w / 2, y: cell.y + rowHeight / 2 + 3.5, size: 10, anchor: .middle,
          fill: Palette.textOn(fill))
      }
    }

    // Legend: -limit ... 0 ... +limit in 40 steps.
    let ly = plot.maxY + 34
    let lw = 200.0
    let lx = plot.minX + (plot.width - lw) / 2
    if !labels.legend.isEmpty {
      svg.text(
        labels.legend, x: lx + lw / 2, y: ly - 8, size: 10, anchor: .middle, fill: Palette.ink)
    }
    for k in 0..<40 {
      let t = (Double(k) + 0.5) / 20 - 1
      svg.element(
        "rect",
        [
          ("x", svgNumber(lx + Double(k) * lw / 40)), ("y", svgNumber(ly)),
          ("width", svgNumber(lw / 40 + 0.3)),
          ("height", "10"), ("fill", Palette.diverging(t)),
        ])
    }
    for (t, v) in [(0.0, -l), (0.5, 0.0), (1.0, l)] {
      svg.line(lx + t * lw, ly + 10, lx + t * lw, ly + 14, stroke: Palette.axis)
      svg.text(
        fixed(v, decimals), x: lx + t * lw, y: ly + 25, size: 10, anchor: .middle,
        fill: Palette.axis)
    }
    if !labels.cold.isEmpty {
      svg.text(
        labels.cold, x: lx - 8, y: ly + 9, size: 10, anchor: .end, fill: Palette.blue,
        weight: "bold")
    }
    if !labels.hot.isEmpty {
      svg.text(
        labels.hot, x: lx + lw + 8, y: ly + 9, size: 10, fill: Palette.vermillion, weight: "bold")
    }
    return svg.finish()
  }
}
