import Foundation

/// Axes, titles and legends shared by the charts.
enum Axis {
  static let fontSize = 10.0

  /// Ticks for `scale` whose labels fit along the axis without touching: as many as
  /// about one per 80 px (x) or 40 px (y), fewer until neighbouring labels clear each
  /// other by 6 px.
  static func ticks(for scale: Scale, horizontal: Bool) -> [Double] {
    let length = abs(scale.range.1 - scale.range.0)
    var count = max(2, Int(length / (horizontal ? 80 : 40)))
    var ticks = scale.ticks(count: count)
    func fits(_ t: [Double]) -> Bool {
      guard horizontal, t.count >= 2 else { return true }
      for i in 1..<t.count {
        let a = TextMetrics.width(scale.tickLabel(t[i - 1], ticks: t), fontSize: fontSize)
        let b = TextMetrics.width(scale.tickLabel(t[i], ticks: t), fontSize: fontSize)
        if abs(scale(t[i]) - scale(t[i - 1])) < (a + b) / 2 + 6 { return false }
      }
      return true
    }
    while !fits(ticks) {
      if scale.kind == .log {
        let decades = ticks.filter { isDecade($0) }
        if decades.count < ticks.count && decades.count >= 2 {
          ticks = decades
        } else {
          ticks = ticks.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        }
        if ticks.count <= 2 { break }
      } else {
        count -= 1
        if count < 2 { break }
        ticks = scale.ticks(count: count)
      }
    }
    return ticks
  }

  /// Whether `v` is a power of ten.
  static func isDecade(_ v: Double) -> Bool {
    guard v > 0 else { return false }
    let k = Int(log10(v).rounded())
    return abs(v / powerOfTen(k) - 1) < 1e-9
  }

  /// An x axis along the bottom of `plot`: grid lines up through the plot, ticks,
  /// labels and the title centred underneath.
  static func bottom(
    _ svg: inout SVGWriter, scale: Scale, ticks: [Double], plot: Rect, title: String,
    grid: Bool = true, format: ((Double) -> String)? = nil
  ) {
    for t in ticks {
      let x = scale(t)
      if grid { svg.line(x, plot.minY, x, plot.maxY, stroke: Palette.grid) }
      svg.line(x, plot.maxY, x, plot.maxY + 4, stroke: Palette.axis)
      svg.text(
        format?(t) ?? scale.tickLabel(t, ticks: ticks), x: x, y: plot.maxY + 15, size: fontSize,
        anchor: .middle,
        fill: Palette.axis)
    }
    svg.line(plot.minX, plot.maxY, plot.maxX, plot.maxY, stroke: Palette.axis)
    if !title.isEmpty {
      svg.text(
        title, x: plot.minX + plot.width / 2, y: plot.maxY + 32, anchor: .middle, fill: Palette.ink)
    }
  }

  /// A y axis along the left of `plot`: grid lines across, ticks, labels, and the title
  /// rotated along the axis.
  static func left(
    _ svg: inout SVGWriter, scale: Scale, ticks: [Double], plot: Rect, title: String,
    grid: Bool = true
  ) {
    var widest = 0.0
    for t in ticks {
      let y = scale(t)
      if grid { svg.line(plot.minX, y, plot.maxX, y, stroke: Palette.grid) }
      svg.line(plot.minX - 4, y, plot.minX, y, stroke: Palette.axis)
      let label = scale.tickLabel(t, ticks: ticks)
      widest = max(widest, TextMetrics.width(label, fontSize: fontSize))
      svg.text(
        label, x: plot.minX - 6, y: y + 3.5, size: fontSize, anchor: .end, fill: Palette.axis)
    }
    svg.line(plot.minX, plot.minY, plot.minX, plot.maxY, stroke: Palette.axis)
    if !title.isEmpty {
      let x = plot.minX - 14 - widest
      let y = plot.minY + plot.height / 2
      svg.text(
        title, x: x, y: y, anchor: .middle, fill: Palette.ink,
        extra: [("transform", "rotate(-90 \(svgNumber(x)) \(svgNumber(y)))")])
    }
  }

  /// The widest tick label of `ticks` on `scale`, in px.
  static func labelWidth(_ scale: Scale, _ ticks: [Double]) -> Double {
    ticks.map { TextMetrics.width(scale.tickLabel($0, ticks: ticks), fontSize: fontSize) }.max()
      ?? 0
  }
}

/// The chart's title, top left, bold; and an optional note under it.
func drawTitle(_ svg: inout SVGWriter, _ title: String, note: String? = nil, x: Double = 12) {
  svg.text(title, x: x, y: 22, size: 14, fill: Palette.ink, weight: "bold")
  if let note, !note.isEmpty {
    svg.text(note, x: x, y: 40, size: 11, fill: "#555555")
  }
}

/// One entry of a legend: a swatch and its label.
struct LegendItem {
  enum Swatch {
    case marker(MarkerShape, fill: String, stroke: String)
    case line(String, dash: String?, width: Double)
    case box(String)
  }

  var swatch: Swatch
  var label: String
}

enum Legend {
  static let fontSize = 10.0

  /// The number of rows `draw` will take for `items` between x and maxX.
  static func rows(_ items: [LegendItem], x: Double, maxX: Double) -> Int {
    var cx = x
    var rows = 1
    for item in items where !item.label.isEmpty {
      let w = 22 + TextMetrics.width(item.label, fontSize: fontSize)
      if cx + w > maxX && cx > x {
        cx = x
        rows += 1
      }
      cx += w + 14
    }
    return rows
  }

  /// Draws `items` in a row starting at (x, y) (y is the swatches' centre line),
  /// wrapping at `maxX`; returns the y of the last row.
  @discardableResult
  static func draw(
    _ svg: inout SVGWriter, _ items: [LegendItem], x: Double, y: Double, maxX: Double
  )
    -> Double
  {
    var cx = x
    var cy = y
    for item in items where !item.label.isEmpty {
      let w = 22 + TextMetrics.width(item.label, fontSize: fontSize)
      if cx + w > maxX && cx > x {
        cx = x
        cy += 16
      }
      switch item.swatch {
      case .marker(let shape, let fill, let stroke):
        svg.marker(
          shape, x: cx + 7, y: cy, size: 9, fill: fill, stroke: stroke, strokeWidth: 1.2,
          title: item.label)
      case .line(let colour, let dash, let width):
        svg.line(cx, cy, cx + 16, cy, stroke: colour, width: width, dash: dash)
      case .box(let fill):
        svg.element(
          "rect",
          [
            ("x", svgNumber(cx + 1)), ("y", svgNumber(cy - 5)), ("width", "12"), ("height", "10"),
            ("fill", fill), ("stroke", "#FFFFFF"),
          ])
      }
      svg.text(item.label, x: cx + 20, y: cy + 3.5, size: fontSize, fill: Palette.ink)
      cx += w + 14
    }
    return cy
  }
}

/// Liang-Barsky: the part of segment a-b inside `r`, or nil.
func clip(_ a: (Double, Double), _ b: (Double, Double), to r: Rect) -> (
  (Double, Double), (Double, Double)
)? {
  var t0 = 0.0
  var t1 = 1.0
  let dx = b.0 - a.0
  let dy = b.1 - a.1
  for (p, q) in [(-dx, a.0 - r.minX), (dx, r.maxX - a.0), (-dy, a.1 - r.minY), (dy, r.maxY - a.1)] {
    if p == 0 {
      if q < 0 { return nil }
    } else {
      let t = q / p
      if p < 0 {
        if t > t1 { return nil }
        t0 = max(t0, t)
      } else {
        if t < t0 { return nil }
        t1 = min(t1, t)
      }
    }
  }
  return ((a.0 + t0 * dx, a.1 + t0 * dy), (a.0 + t1 * dx, a.1 + t1 * dy))
}

/// A polyline cut to the pieces inside `r` (no clip paths, so no ids).
func clipPolyline(_ points: [(Double, Double)], to r: Rect) -> [[(Double, Double)]] {
  var pieces: [[(Double, Double)]] = []
  var current: [(Double, Double)] = []
  for i in 1..<max(1, points.count) {
    guard let (p, q) = clip(points[i - 1], points[i], to: r) else {
      if current.count >= 2 { pieces.append(current) }
      current = []
      continue
    }
    if let last = current.last, abs(last.0 - p.0) < 1e-9, abs(last.1 - p.1) < 1e-9 {
      current.append(q)
    } else {
      if current.count >= 2 { pieces.append(current) }
      current = [p, q]
    }
  }
  if current.count >= 2 { pieces.append(current) }
  return pieces
}

/// Percent tick labels for shares: 0.05 → "5%", 0.025 → "2.5%".
func percentTicks(_ ticks: [Double]) -> (Double) -> String {
  let step = ticks.count >= 2 ? abs(ticks[1] - ticks[0]) : 0.1
  let decimals = max(0, -Scale.niceStep(span: step, count: 1).k - 2)
  return { fixed($0 * 100, decimals) + "%" }
}

/// Names down the left of a plot, one per row centred on `ys[i]`, right-aligned at
/// `x`; a name that would touch the one above is dropped (dense rows), and a name wider
/// than `maxWidth` is shortened in the middle.
func drawRowLabels(
  _ svg: inout SVGWriter, _ names: [String], ys: [Double], x: Double, maxWidth: Double,
  fontSize: Double = 10, bold: [Bool]? = nil, colours: [String]? = nil
) {
  var lastBottom = -Double.infinity
  for (i, name) in names.enumerated() {
    let baseline = ys[i] + 0.35 * fontSize
    guard baseline - 0.8 * fontSize >= lastBottom + 1 else { continue }
    guard let text = TextMetrics.fit(name, maxWidth: maxWidth, fontSize: fontSize) else { continue }
    svg.text(
      text, x: x, y: baseline, size: fontSize, anchor: .end, fill: colours?[i] ?? Palette.ink,
      weight: bold?[i] == true ? "bold" : nil)
    lastBottom = baseline + 0.2 * fontSize
  }
}

/// The widest of `names` at `fontSize`, capped at `cap`.
func widest(_ names: [String], fontSize: Double = 10, cap: Double = 220) -> Double {
  min(cap, names.map { TextMetrics.width($0, fontSize: fontSize) }.max() ?? 0)
}
