/// A value per row and column (end retention per bureau over the years) as shaded
/// cells: light (low) to dark blue (high), the value printed in the cell when it fits,
/// a legend bar underneath. A missing value is an empty cell with a grey outline.
public struct HeatStrip: Sendable {
  public struct Labels: Sendable {
    public var title: String
    public var description: String
    /// The legend's title (what the colour means).
    public var legend: String

    public init(title: String, description: String, legend: String) {
      self.title = title
      self.description = description
      self.legend = legend
    }
  }

  public var labels: Labels
  public var rows: [String]
  public var columns: [String]
  /// Row-major, rows.count × columns.count; nil where there is no value.
  public var values: [Double?]
  /// The values mapped to the lightest and darkest colour; the data's range when nil.
  public var domain: ClosedRange<Double>?
  public var decimals: Int
  public var cellWidth: Double
  public var cellHeight: Double

  public init(
    labels: Labels, rows: [String], columns: [String], values: [Double?],
    domain: ClosedRange<Double>? = nil, decimals: Int = 2, cellWidth: Double = 56,
    cellHeight: Double = 26
  ) {
    precondition(
      values.count == rows.count * columns.count, "heat strip needs rows × columns values")
    self.labels = labels
    self.rows = rows
    self.columns = columns
    self.values = values
    self.domain = domain
    self.decimals = decimals
    self.cellWidth = cellWidth
    self.cellHeight = cellHeight
  }

  public func svg() -> String {
    let labelWidth = widest(rows, fontSize: 11)
    let left = 16 + labelWidth + 10
    let top = 64.0
    let gridWidth = Double(columns.count) * cellWidth
    let width = max(
      380, left + gridWidth + 20, 16 + TextMetrics.width(labels.title, fontSize: 14) + 16)
    let height = top + Double(rows.count) * cellHeight + 76
    var svg = SVGWriter(
      width: width, height: height, title: labels.title, description: labels.description)
    drawTitle(&svg, labels.title)

    let present = values.compactMap { $0 }.filter(\.isFinite)
    let d = domain ?? ((present.min() ?? 0)...(present.max() ?? 1))
    func t(_ v: Double) -> Double {
      d.upperBound > d.lowerBound ? (v - d.lowerBound) / (d.upperBound - d.lowerBound) : 0.5
    }

    for (j, c) in columns.enumerated() {
      let cx = left + (Double(j) + 0.5) * cellWidth
      if let text = TextMetrics.fit(c, maxWidth: cellWidth - 2, fontSize: 10) {
        svg.text(text, x: cx, y: top - 6, size: 10, anchor: .middle, fill: Palette.axis)
      }
    }
    let ys = rows.indices.map { top + (Double($0) + 0.5) * cellHeight }
    drawRowLabels(&svg, rows, ys: ys, x: left - 8, maxWidth: labelWidth, fontSize: 11)

    for (i, r) in rows.enumerated() {
      for (j, c) in columns.enumerated() {
        let cell = Rect(
          x: left + Double(j) * cellWidth, y: top + Double(i) * cellHeight, width: cellWidth,
          height: cellHeight)
        guard let v = values[i * columns.count + j], v.isFinite else {
          let inner = Rect(
            x: cell.x + 1.5, y: cell.y + 1.5, width: cell.width - 3, height: cell.height - 3)
          svg.rect(inner, fill: "#FFFFFF", stroke: "#C8C8C8", title: "\(r), \(c): –")
          continue
        }
        let fill = Palette.sequential(t(v))
        let text = fixed(v, decimals)
        svg.rect(cell, fill: fill, stroke: "#FFFFFF", title: "\(r), \(c): \(text)")
        if TextMetrics.width(text, fontSize: 10) <= cellWidth - 6 && cellHeight >= 14 {
          svg.text(
            text, x: cell.x + cellWidth / 2, y: cell.y + cellHeight / 2 + 3.5, size: 10,
            anchor: .middle,
            fill: Palette.textOn(fill))
        }
      }
    }

    // Legend: the ramp as 40 steps (no gradient, so no ids), ticks at nice values.
    let ly = top + Double(rows.count) * cellHeight + 30
    let lw = min(240, max(160, gridWidth))
    let lx = left
    if !labels.legend.isEmpty {
      svg.text(labels.legend, x: lx, y: ly - 8, size: 10, fill: Palette.ink)
    }
    for k in 0..<40 {
      let f = (Double(k) + 0.5) / 40
      svg.element(
        "rect",
        [
          ("x", svgNumber(lx + Double(k) * lw / 40)), ("y", svgNumber(ly)),
          ("width", svgNumber(lw / 40 + 0.3)),
          ("height", "10"), ("fill", Palette.sequential(f)),
        ])
    }
    let s = Scale(
      .linear, domain: d.upperBound > d.lowerBound ? d : (d.lowerBound - 1)...(d.lowerBound + 1),
      range: (lx, lx + lw))
    let ticks = Axis.ticks(for: s, horizontal: true)
    for tk in ticks {
      svg.line(s(tk), ly + 10, s(tk), ly + 14, stroke: Palette.axis)
      svg.text(
        s.tickLabel(tk, ticks: ticks), x: s(tk), y: ly + 25, size: 10, anchor: .middle,
        fill: Palette.axis)
    }
    return svg.finish()
  }
}
