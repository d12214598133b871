import Glibc

/// A view of one record, valid only inside the `CSVReader` callback that received it: its
/// fields point into the reader's buffer, which the next record overwrites. Take what you
/// need (`string`, `int`, ...) inside the callback; the callback receives it `borrowing`,
/// so storing the record itself does not compile.
public struct CSVRecord {
  /// The physical line (1-based, blank lines counted) where the record starts.
  public let line: Int
  /// The number of fields (at least 1: an empty line is not a record).
  public let count: Int
  private let base: UnsafePointer<UInt8>
  private let fields: UnsafePointer<Int>
  /// The physical line where the record ends (> `line` only when a quoted field spans lines).
  private let lastLine: Int

  init(base: UnsafePointer<UInt8>, fields: UnsafePointer<Int>, count: Int, line: Int, lastLine: Int)
  {
    self.base = base
    self.fields = fields
    self.count = count
    self.line = line
    self.lastLine = lastLine
  }

  /// A record of fields laid out elsewhere (a workbook's row): `fields` holds each field's
  /// start and end offset into `base`, in pairs.
  package init(base: UnsafePointer<UInt8>, fields: UnsafePointer<Int>, count: Int, line: Int) {
    self.init(base: base, fields: fields, count: count, line: line, lastLine: line)
  }

  /// The raw bytes of field `i` (UTF-8): quotes removed, `""` unescaped, nothing trimmed.
  public func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    precondition(
      i >= 0 && i < count, "CSVRecord: field \(i) out of range (the record has \(count))")
    let start = fields[2 * i]
    return UnsafeBufferPointer(start: base + start, count: fields[2 * i + 1] - start)
  }

  /// Field `i` without surrounding ASCII spaces and tabs.
  public func trimmedBytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
    let b = bytes(i)
    var lo = 0
    var hi = b.count
    while lo < hi && (b[lo] == 0x20 || b[lo] == 0x09) { lo += 1 }
    while hi > lo && (b[hi - 1] == 0x20 || b[hi - 1] == 0x09) { hi -= 1 }
    return UnsafeBufferPointer(rebasing: b[lo..<hi])
  }

  /// The exact text of field `i`.
  public func string(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }

  /// Field `i` without surrounding ASCII spaces and tabs (identifiers are compared so).
  public func trimmed(_ i: Int) -> String { String(decoding: trimmedBytes(i), as: UTF8.self) }

  /// Whether field `i` is empty or only ASCII spaces and tabs.
  public func isBlank(_ i: Int) -> Bool { trimmedBytes(i).isEmpty }

  /// The physical line where field `i` starts (differs from `line` after a quoted field
  /// holding line breaks).
  public func fieldLine(_ i: Int) -> Int {
    precondition(
      i >= 0 && i < count, "CSVRecord: field \(i) out of range (the record has \(count))")
    guard lastLine > line else { return line }
    // Line feeds occur in a record only inside quoted fields, and unescaping keeps them.
    var l = line
    for j in 0..<i {
      for b in bytes(j) where b == 0x0A { l += 1 }
    }
    return l
  }

  /// Field `i` as an integer: trimmed, an optional `+` or `-`, then ASCII digits only. Nil
  /// for anything else, an empty field, or a value outside `Int`.
  public func int(_ i: Int) -> Int? { NumberParsing.int(trimmedBytes(i)) }

  /// Field `i` as a finite number: trimmed, `[+-]digits[.digits][(e|E)[+-]digits]` (either
  /// side of the point may be empty, not both). Nil for anything else (nan, inf, hex,
  /// `1,5`, empty) and for magnitudes that overflow to infinity (`1e309`); underflow gives
  /// zero or a subnormal. Correctly rounded.
  public func double(_ i: Int) -> Double? { NumberParsing.double(trimmedBytes(i)) }
}

/// Integer and decimal parsing of field bytes, without making a String (also the workbook
/// reader's, for the numbers of cells).
package enum NumberParsing {
  static func int(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
    var k = 0
    var negative = false
    if let c = b.first, c == 0x2B || c == 0x2D {
      negative = c == 0x2D
      k = 1
    }
    guard k < b.count else { return nil }
    // Accumulate negatively so Int.min parses.
    var v = 0
    while k < b.count {
      let d = b[k] &- 0x30
      guard d < 10 else { return nil }
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (s, o2) = m.subtractingReportingOverflow(Int(d))
      if o1 || o2 { return nil }
      v = s
      k += 1
    }
    if negative { return v }
    return v == Int.min ? nil : -v
  }

  /// Exact powers of ten representable in a Double (10^22 is the largest).
  private static let powersOfTen: [Double] = (0...22).map { e in
    var x = 1.0
    for _ in 0..<e { x *= 10 }
    return x
  }

  /// Checks the syntax, then takes Clinger's fast path (a mantissa below 2^53 and a power of
  /// ten up to 10^22 are both exact, so one multiplication or division rounds correctly;
  /// W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990) and
  /// otherwise calls strtod in the C locale on a NUL-terminated copy.
  package static func double(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
    let n = b.count
    var k = 0
    var negative = false
    if k < n, b[k] == 0x2B || b[k] == 0x2D {
      negative = b[k] == 0x2D
      k += 1
    }
    var mantissa: UInt64 = 0
    var significant = 0  // digits in mantissa
    var exponent = 0  // value = mantissa * 10^exponent (before the e part)
    var inexact = false  // nonzero digits were dropped beyond 19 significant ones
    var digits = 0
    while k < n {
      let d = b[k] &- 0x30
      guard d < 10 else { break }
      digits += 1
      if significant < 19 {
        if mantissa != 0 || d != 0 {
          mantissa = mantissa * 10 + UInt64(d)
          significant += 1
        }
      } else {
        exponent += 1
        if d != 0 { inexact = true }
      }
      k += 1
    }
    if k < n && b[k] == 0x2E {
      k += 1
      while k < n {
        let d = b[k] &- 0x30
        guard d < 10 else { break }
        digits += 1
        if significant < 19 {
          if mantissa != 0 || d != 0 {
            mantissa = mantissa * 10 + UInt64(d)
            significant += 1
          }
          exponent -= 1
        } else if d != 0 {
          inexact = true
        }
        k += 1
      }
    }
    guard digits > 0 else { return nil }
    if k < n && (b[k] == 0x65 || b[k] == 0x45) {
      k += 1
      var expNegative = false
      if k < n, b[k] == 0x2B || b[k] == 0x2D {
        expNegative = b[k] == 0x2D
        k += 1
      }
      var e = 0
      var expDigits = 0
      while k < n {
        let d = b[k] &- 0x30
        guard d < 10 else { break }
        if e < 1_000_000 { e = e * 10 + Int(d) }
        expDigits += 1
        k += 1
      }
      guard expDigits > 0 else { return nil }
      exponent += expNegative ? -e : e
    }
    guard k == n else { return nil }
    if mantissa == 0 && !inexact { return negative ? -0.0 : 0.0 }
    if !inexact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
      let m = Double(mantissa)
      let v = exponent < 0 ? m / powersOfTen[-exponent] : m * powersOfTen[exponent]
      return negative ? -v : v
    }
    return strtodCLocale(b)
  }

  /// The C locale for strtod, whatever the process locale (a decimal comma would break it).
  nonisolated(unsafe) private static let cLocale: locale_t? = newlocale(1 << LC_NUMERIC, "C", nil)

  private static func strtodCLocale(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: b.count + 1) { t in
      let c = t.baseAddress!
      UnsafeMutableRawPointer(c).copyMemory(from: b.baseAddress!, byteCount: b.count)
      c[b.count] = 0
      let previous = cLocale.map { uselocale($0) }
      defer { if let previous { uselocale(previous) } }
      var end: UnsafeMutablePointer<CChar>? = nil
      let v = strtod(c, &end)
      guard end == c + b.count, v.isFinite else { return nil }
      return v
    }
  }
}
