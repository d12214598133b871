import _ChuandaoOutput

/// An SVG document written by hand, one element per line.
///
/// Output is byte-stable: coordinates go through `svgNumber` (two decimals, no trailing
/// zeros), attributes are written in the order given, and nothing depends on hashing or
/// on the locale. The root has a `viewBox` and `width="100%"` so that the chart scales
/// to its container, `role="img"` with the chart's `<title>` as its accessible name, and
/// the CJK-capable font stack that every `<text>` inherits. No element carries an `id`,
/// so any number of charts can be inlined into one HTML page without clashes.
struct SVGWriter {
  /// The font stack: Chinese system fonts on Linux, macOS and Windows, then any sans.
  static let fontFamily =
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"

  private(set) var body = ""
  let width: Double
  let height: Double
  let title: String
  let description: String

  init(width: Double, height: Double, title: String, description: String) {
    self.width = width
    self.height = height
    self.title = title
    self.description = description
  }

  /// The finished document.
  func finish() -> String {
    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(svgNumber(width)) "
    s += "\(svgNumber(height))\" width=\"100%\" role=\"img\" "
    s += "font-family=\"\(SVGWriter.fontFamily)\" font-size=\"11\">\n"
    s += "<title>\(xmlEscape(title))</title>\n"
    s += "<desc>\(xmlEscape(description))</desc>\n"
    s += "<rect x=\"0\" y=\"0\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" "
    s += "fill=\"#FFFFFF\"/>\n"
    s += body
    s += "</svg>\n"
    return s
  }

  /// Appends `<name a="v" ...>` and, when `title` is given, a `<title>` child (the
  /// tooltip that names a mark); self-closing otherwise.
  mutating func element(_ name: String, _ attributes: [(String, String)], title: String? = nil) {
    body += "<\(name)"
    for (key, value) in attributes {
      body += " \(key)=\"\(xmlEscape(value))\""
    }
    if let title {
      body += "><title>\(xmlEscape(title))</title></\(name)>\n"
    } else {
      body += "/>\n"
    }
  }

  /// A data mark: an element with `class="mark"` and its `<title>`.
  mutating func mark(_ name: String, _ attributes: [(String, String)], title: String) {
    element(name, [("class", "mark")] + attributes, title: title)
  }

  mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
    body += "<\(name)"
    for (key, value) in attributes {
      body += " \(key)=\"\(xmlEscape(value))\""
    }
    body += ">\n"
  }

  mutating func close(_ name: String) {
    body += "</\(name)>\n"
  }

  mutating func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
    width: Double = 1, dash: String? = nil, extra: [(String, String)] = []
  ) {
    var a: [(String, String)] = [
      ("x1", svgNumber(x1)), ("y1", svgNumber(y1)), ("x2", svgNumber(x2)), ("y2", svgNumber(y2)),
      ("stroke", stroke), ("stroke-width", svgNumber(width)),
    ]
    if let dash { a.append(("stroke-dasharray", dash)) }
    element("line", a + extra)
  }

  mutating func rect(
    _ r: Rect, fill: String, stroke: String? = nil, extra: [(String, String)] = [],
    title: String? = nil
  ) {
    var a: [(String, String)] = [
      ("x", svgNumber(r.x)), ("y", svgNumber(r.y)), ("width", svgNumber(r.width)),
      ("height", svgNumber(r.height)), ("fill", fill),
    ]
    if let stroke { a.append(("stroke", stroke)) }
    if let title {
      mark("rect", a + extra, title: title)
    } else {
      element("rect", a + extra)
    }
  }

  /// An open polyline through `points`, in order.
  mutating func polyline(
    _ points: [(Double, Double)], stroke: String, width: Double = 1, dash: String? = nil,
    title: String? = nil
  ) {
    guard points.count >= 2 else { return }
    let p = points.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")
    var a: [(String, String)] = [
      ("points", p), ("fill", "none"), ("stroke", stroke), ("stroke-width", svgNumber(width)),
    ]
    if let dash { a.append(("stroke-dasharray", dash)) }
    if let title {
      mark("polyline", a, title: title)
    } else {
      element("polyline", a)
    }
  }

  /// Text with its baseline at `y`; raw characters are escaped here.
  mutating func text(
    _ s: String, x: Double, y: Double, size: Double = 11, anchor: TextAnchor = .start,
    fill: String = "#222222", weight: String? = nil, extra: [(String, String)] = []
  ) {
    body += "<text x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\""
    if size != 11 { body += " font-size=\"\(svgNumber(size))\"" }
    if anchor != .start { body += " text-anchor=\"\(anchor.rawValue)\"" }
    body += " fill=\"\(fill)\""
    if let weight { body += " font-weight=\"\(weight)\"" }
    for (key, value) in extra { body += " \(key)=\"\(xmlEscape(value))\"" }
    body += ">\(xmlEscape(s))</text>\n"
  }

  /// A marker of `shape` centred on (x, y) whose bounding box is about `size` px.
  mutating func marker(
    _ shape: MarkerShape, x: Double, y: Double, size: Double, fill: String, stroke: String,
    strokeWidth: Double = 1, opacity: Double? = nil, title: String
  ) {
    var extra: [(String, String)] = [
      ("fill", fill), ("stroke", stroke), ("stroke-width", svgNumber(strokeWidth)),
    ]
    if let opacity { extra.append(("fill-opacity", svgNumber(opacity))) }
    let r = size / 2
    switch shape {
    case .circle:
      mark(
        "circle", [("cx", svgNumber(x)), ("cy", svgNumber(y)), ("r", svgNumber(r * 0.9))] + extra,
        title: title)
    case .square:
      let h = r * 0.85
      mark(
        "rect",
        [
          ("x", svgNumber(x - h)), ("y", svgNumber(y - h)), ("width", svgNumber(2 * h)),
          ("height", svgNumber(2 * h)),
        ] + extra, title: title)
    default:
      mark("path", [("d", shape.path(x: x, y: y, r: r))] + extra, title: title)
    }
  }
}

/// Horizontal anchoring of a `<text>`.
enum TextAnchor: String {
  case start, middle, end
}

/// The shape of a point marker. Shapes, not only colours, tell flags, subjects and
/// series apart, so that a chart reads in greyscale and for colour-blind readers.
public enum MarkerShape: String, Sendable, CaseIterable {
  case circle, square, diamond, triangleUp, triangleDown

  /// The outline of a polygon marker as path data, centred on (x, y), radius r.
  func path(x: Double, y: Double, r: Double) -> String {
    func p(_ dx: Double, _ dy: Double) -> String { "\(svgNumber(x + dx)),\(svgNumber(y + dy))" }
    switch self {
    case .diamond:
      return "M\(p(0, -r))L\(p(r, 0))L\(p(0, r))L\(p(-r, 0))Z"
    case .triangleUp:
      return "M\(p(0, -r))L\(p(r * 0.95, r * 0.72))L\(p(-r * 0.95, r * 0.72))Z"
    case .triangleDown:
      return "M\(p(0, r))L\(p(r * 0.95, -r * 0.72))L\(p(-r * 0.95, -r * 0.72))Z"
    case .circle, .square:
      return "M\(p(-r, -r))L\(p(r, -r))L\(p(r, r))L\(p(-r, r))Z"
    }
  }
}

/// A rectangle in SVG user units, y downwards.
struct Rect: Equatable {
  var x: Double
  var y: Double
  var width: Double
  var height: Double

  var minX: Double { x }
  var maxX: Double { x + width }
  var minY: Double { y }
  var maxY: Double { y + height }

  /// Whether the two rectangles overlap once each is grown by `padding` on every side.
  func intersects(_ other: Rect, padding: Double = 0) -> Bool {
    minX - padding < other.maxX && other.minX - padding < maxX
      && minY - padding < other.maxY && other.minY - padding < maxY
  }

  func contains(_ other: Rect) -> Bool {
    other.minX >= minX - 1e-9 && other.maxX <= maxX + 1e-9 && other.minY >= minY - 1e-9
      && other.maxY <= maxY + 1e-9
  }
}

/// `s` with the five XML special characters replaced by entities, and the characters
/// XML 1.0 forbids (C0 controls other than tab, newline and return; U+FFFE, U+FFFF)
/// dropped, so that any caller-supplied name gives a well-formed document.
func xmlEscape(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.utf8.count)
  for scalar in s.unicodeScalars {
    switch scalar {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    default:
      let v = scalar.value
      if v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D { continue }
      if v == 0xFFFE || v == 0xFFFF { continue }
      out.unicodeScalars.append(scalar)
    }
  }
  return out
}

/// A coordinate for SVG: rounded to two decimals, trailing zeros and "-0" dropped.
/// Integer arithmetic after one rounding, so the text does not depend on the platform's
/// float formatting.
func svgNumber(_ x: Double) -> String {
  guard x.isFinite else { return "0" }
  let scaled = Int64((x * 100).rounded())
  if scaled == 0 { return "0" }
  let sign = scaled < 0 ? "-" : ""
  let a = scaled.magnitude
  let whole = a / 100
  let frac = a % 100
  if frac == 0 { return "\(sign)\(whole)" }
  if frac % 10 == 0 { return "\(sign)\(whole).\(frac / 10)" }
  return "\(sign)\(whole).\(frac < 10 ? "0" : "")\(frac)"
}

/// `x` with exactly `decimals` decimals (0...9), half away from zero: a value to read.
func fixed(_ x: Double, _ decimals: Int) -> String {
  guard x.isFinite else { return x.isNaN ? "–" : (x > 0 ? "∞" : "-∞") }
  let d = max(0, min(9, decimals))
  let p = powerOfTen(d)
  let scaled = (x.magnitude * p).rounded()
  guard scaled < 9e15 else { return x > 0 ? "∞" : "-∞" }
  let n = UInt64(scaled)
  let sign = (x < 0 && n != 0) ? "-" : ""
  if d == 0 { return "\(sign)\(n)" }
  let unit = UInt64(p)
  let frac = String(n % unit)
  return "\(sign)\(n / unit)." + String(repeating: "0", count: d - frac.count) + frac
}

/// `x` as a percentage with `decimals` decimals: 0.4286 → "42.9%".
func percent(_ x: Double, _ decimals: Int = 1) -> String {
  fixed(x * 100, decimals) + "%"
}

/// 10^k exactly for 0 ≤ k ≤ 22 (every such power is a double), by repeated products
/// of exact values, so that tick values do not depend on the platform's `pow`.
func powerOfTen(_ k: Int) -> Double {
  var p = 1.0
  if k >= 0 {
    for _ in 0..<k { p *= 10 }
  } else {
    for _ in 0..<(-k) { p *= 10 }
    return 1 / p
  }
  return p
}

// MARK: - Text measurement

/// Text metrics without a font: the width of `s` at `fontSize` px by the project's
/// display width.
///
/// Rule: a narrow column (Latin letters, digits, ASCII punctuation, East Asian
/// Ambiguous characters such as "…" and "°") is 0.55 × size; a wide character (display
/// width 2: CJK ideographs, kana, hangul, fullwidth forms, emoji) is 1.0 × size, the
/// em square the CJK fonts draw it in; zero-width clusters are 0. The 0.55 is a little
/// wider than the mean advance of Noto Sans for digits and lowercase (about 0.52-0.56),
/// so labels that pass the collision test do not touch when drawn.
enum TextMetrics {
  static let narrowColumn = 0.55

  static func width(_ s: String, fontSize: Double) -> Double {
    // Counted in hundredths of an em as integers, so that ten narrow columns at 10 px
    // are exactly 55 px, not 54.99999999999999.
    var hundredths = 0
    for c in s {
      let w = displayWidth(String(c))
      hundredths += w == 2 ? 100 : 55 * w
    }
    return Double(hundredths) * fontSize / 100
  }

  /// The cap-to-descender box of one line: from 0.8 × size above the baseline to
  /// 0.2 × size below it.
  static func box(_ s: String, x: Double, baseline y: Double, fontSize: Double, anchor: TextAnchor)
    -> Rect
  {
    let w = width(s, fontSize: fontSize)
    let left: Double
    switch anchor {
    case .start: left = x
    case .middle: left = x - w / 2
    case .end: left = x - w
    }
    return Rect(x: left, y: y - 0.8 * fontSize, width: w, height: fontSize)
  }

  /// `s` shortened in its middle (see `truncateMiddle`) until it is at most `maxWidth`
  /// px wide, or nil when what is left would say too little: fewer than three of its
  /// characters besides the "…" ("养…" or "工…部" names nothing).
  static func fit(_ s: String, maxWidth: Double, fontSize: Double) -> String? {
    if width(s, fontSize: fontSize) <= maxWidth { return s }
    var columns = Int(maxWidth / (narrowColumn * fontSize))
    while columns >= 4 {
      let t = truncateMiddle(s, toWidth: columns)
      if width(t, fontSize: fontSize) <= maxWidth { return t.count >= 4 ? t : nil }
      columns -= 1
    }
    return nil
  }
}

/// A value to read in a tooltip: about three significant digits (12.3, 1.52, 1234).
func readable(_ x: Double) -> String {
  let a = abs(x)
  return fixed(x, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3)
}
