import Foundation

/// A map from data values to pixels along one axis: linear, or logarithmic (base 10).
///
/// `range` may run backwards (a y axis: larger values higher up, so smaller pixels).
/// A log scale needs a positive domain; values ≤ 0 map to the range's low end.
public struct Scale: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case linear, log
  }

  public var kind: Kind
  public var domain: ClosedRange<Double>
  /// Pixels at the domain's lower and upper end.
  public var range: (Double, Double)

  public init(_ kind: Kind, domain: ClosedRange<Double>, range: (Double, Double)) {
    precondition(kind == .linear || domain.lowerBound > 0, "a log scale needs a positive domain")
    self.kind = kind
    self.domain = domain
    self.range = range
  }

  public static func == (a: Scale, b: Scale) -> Bool {
    a.kind == b.kind && a.domain == b.domain && a.range == b.range
  }

  /// The pixel position of `x`.
  public func callAsFunction(_ x: Double) -> Double {
    let t: Double
    switch kind {
    case .linear:
      let span = domain.upperBound - domain.lowerBound
      t = span == 0 ? 0.5 : (x - domain.lowerBound) / span
    case .log:
      let lo = log10(domain.lowerBound)
      let span = log10(domain.upperBound) - lo
      t = x <= 0 ? 0 : (span == 0 ? 0.5 : (log10(x) - lo) / span)
    }
    return range.0 + t * (range.1 - range.0)
  }

  /// Tick values inside the domain: nice linear steps (about `count` of them), or for
  /// a log scale decades, with 2 and 5 added when `pixelsPerDecade` leaves room.
  public func ticks(count: Int = 5) -> [Double] {
    switch kind {
    case .linear:
      return Scale.niceTicks(domain.lowerBound, domain.upperBound, count: count)
    case .log:
      let decades = log10(domain.upperBound) - log10(domain.lowerBound)
      let pixels = abs(range.1 - range.0)
      return Scale.logTicks(
        domain.lowerBound, domain.upperBound,
        withTwoAndFive: decades > 0 && pixels / decades >= 110)
    }
  }

  // MARK: - Nice numbers

  /// The nice step for about `count` intervals over `span`: the smallest of
  /// 1, 2, 5 × 10^k not below span / count, as (mantissa, exponent).
  static func niceStep(span: Double, count: Int) -> (m: Int, k: Int) {
    let raw = span / Double(max(1, count))
    guard raw > 0, raw.isFinite else { return (1, 0) }
    var k = Int(floor(log10(raw)))
    // log10 may land a hair below an exact power; settle k so that 10^k ≤ raw < 10^(k+1).
    if powerOfTen(k + 1) <= raw { k += 1 }
    if powerOfTen(k) > raw { k -= 1 }
    let norm = raw / powerOfTen(k)
    if norm <= 1 + 1e-9 { return (1, k) }
    if norm <= 2 + 1e-9 { return (2, k) }
    if norm <= 5 + 1e-9 { return (5, k) }
    return (1, k + 1)
  }

  /// `i` × m × 10^k computed as an integer times an exact power of ten, so that
  /// 3 × 0.02 is the double nearest 0.06, not 0.060000000000000005.
  static func tickValue(_ i: Int, m: Int, k: Int) -> Double {
    k >= 0 ? Double(i * m) * powerOfTen(k) : Double(i * m) / powerOfTen(-k)
  }

  /// Multiples of the nice step (see `niceStep`) inside [lo, hi]:
  /// 0...7.3 → 0, 2, 4, 6; 0.013...0.087 → 0.02, 0.04, 0.06, 0.08.
  public static func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
    guard hi > lo else { return [lo] }
    let (m, k) = niceStep(span: hi - lo, count: count)
    let step = tickValue(1, m: m, k: k)
    let first = Int((lo / step - 1e-9).rounded(.up))
    let last = Int((hi / step + 1e-9).rounded(.down))
    guard first <= last else { return [] }
    return (first...last).map { tickValue($0, m: m, k: k) }
  }

  /// [lo, hi] widened outwards to the nice step's multiples.
  public static func niceDomain(_ lo: Double, _ hi: Double, count: Int = 5) -> ClosedRange<Double> {
    guard hi > lo else { return lo...(lo + 1) }
    let (m, k) = niceStep(span: hi - lo, count: count)
    let step = tickValue(1, m: m, k: k)
    let first = Int((lo / step + 1e-9).rounded(.down))
    let last = Int((hi / step - 1e-9).rounded(.up))
    return tickValue(first, m: m, k: k)...tickValue(last, m: m, k: k)
  }

  /// The number of decimals that prints every nice tick of this span exactly.
  static func niceDecimals(_ lo: Double, _ hi: Double, count: Int = 5) -> Int {
    max(0, -niceStep(span: hi - lo, count: count).k)
  }

  /// Log ticks inside [lo, hi]: the decades 10^k, with 2 × 10^k and 5 × 10^k when asked.
  /// 0.7...130 → 1, 10, 100. A range holding fewer than two ticks gets 2 and 5 anyway,
  /// and failing that linear nice ticks.
  public static func logTicks(_ lo: Double, _ hi: Double, withTwoAndFive: Bool = false)
    -> [Double]
  {
    precondition(lo > 0 && hi >= lo, "log ticks need 0 < lo <= hi")
    func ticks(_ mantissas: [Int]) -> [Double] {
      var out: [Double] = []
      let k0 = Int(floor(log10(lo))) - 1
      let k1 = Int(ceil(log10(hi))) + 1
      for k in k0...k1 {
        for m in mantissas {
          let v = tickValue(1, m: m, k: k)
          if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) { out.append(v) }
        }
      }
      return out
    }
    var out = ticks(withTwoAndFive ? [1, 2, 5] : [1])
    if out.count < 2 && !withTwoAndFive { out = ticks([1, 2, 5]) }
    if out.count < 2 { out = niceTicks(lo, hi, count: 4) }
    // Too many decades for the axis: every second, third ... decade.
    if out.count > 12 {
      let stride = (out.count + 11) / 12
      out = out.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
    }
    return out
  }

  /// A tick label: fixed decimals for a linear axis (as many as the step needs); for a
  /// log axis plain numbers from 0.001 to 1000 and m×10ⁿ beyond, with superscript digits.
  func tickLabel(_ v: Double, ticks: [Double]) -> String {
    switch kind {
    case .linear:
      guard ticks.count >= 2 else { return Scale.compact(v) }
      let step = abs(ticks[1] - ticks[0])
      let k = Scale.niceStep(span: step, count: 1).k
      return fixed(v, max(0, -k))
    case .log:
      return Scale.compact(v)
    }
  }

  /// A positive number of the form m × 10^k (m = 1...9) written compactly.
  static func compact(_ v: Double) -> String {
    guard v != 0, v.isFinite else { return "0" }
    var k = Int(floor(log10(abs(v)) + 1e-9))
    if powerOfTen(k + 1) <= abs(v) * (1 + 1e-12) { k += 1 }
    if k >= -3 && k <= 3 {
      // Enough decimals for a few significant digits, then trailing zeros dropped.
      var s = fixed(v, max(0, 2 - k))
      if s.contains(".") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
      }
      return s
    }
    let m = v / powerOfTen(k)
    var ms = fixed(m, 1)
    if ms.hasSuffix(".0") { ms.removeLast(2) }
    let superscripts: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    let exp = (k < 0 ? "⁻" : "") + String(String(abs(k)).map { superscripts[Int(String($0))!] })
    return (ms == "1" ? "" : ms + "×") + "10" + exp
  }
}
