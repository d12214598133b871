/// Writes `JSON` as RFC 8259 text, byte-identically for identical values.
///
/// - Numbers: `.int` in decimal; `.number` in the shortest digits that round-trip
///   (Swift's `Double.description`), except that an integral value with |x| ≤ 2^53
///   prints without a fraction (`3`, not `3.0`; `9007199254740992` for 2^53), `-0.0`
///   prints `0`, and a non-finite value prints `null`. Above 2^53 and below 1e-4 Swift's
///   exponent form is kept (`9.007199254740994e+15`, `1e+21`, `1e-05`): valid JSON, as
///   an exponent may carry a sign and leading zeros.
/// - Strings: `"` and `\` escaped; control characters U+0000–U+001F as `\b \f \n \r \t`
///   or `\u00xx` (lowercase hex); everything else, Chinese, U+007F, U+2028/U+2029
///   included, is written raw as UTF-8.
/// - `pretty`: two-space indent, `"key": value`, one element per line, `[]` and `{}` for
///   empty containers (jq's layout). Otherwise no whitespace at all.
public struct JSONWriter: Sendable {
  public var pretty: Bool

  public init(pretty: Bool = true) {
    self.pretty = pretty
  }

  /// The text of `value`, without a trailing newline.
  public func string(_ value: JSON) -> String {
    var out: [UInt8] = []
    write(value, into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// The UTF-8 bytes of `value`, by default followed by one newline (a text file ends
  /// with one; stdout output is then a complete line).
  public func data(_ value: JSON, newline: Bool = true) -> [UInt8] {
    var out: [UInt8] = []
    write(value, into: &out)
    if newline { out.append(UInt8(ascii: "\n")) }
    return out
  }

  /// Appends the UTF-8 text of `value` (no trailing newline) to `out`.
  public func write(_ value: JSON, into out: inout [UInt8]) {
    emit(value, depth: 0, into: &out)
  }

  /// The JSON text of a double: shortest round-trip digits as described on the type,
  /// `null` when not finite. CSV export formats numbers the same way.
  public static func numberText(_ x: Double) -> String {
    guard x.isFinite else { return "null" }
    if x == 0 { return "0" }  // also -0.0
    let text = x.description
    // Swift prints integral values up to 2^53 in magnitude as "123.0" and switches
    // to exponent form above; drop the ".0".
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
  }

  // MARK: - Emitting

  private func emit(_ value: JSON, depth: Int, into out: inout [UInt8]) {
    switch value {
    case .null:
      out.append(contentsOf: "null".utf8)
    case .bool(let b):
      out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i):
      out.append(contentsOf: String(i).utf8)
    case .number(let d):
      out.append(contentsOf: Self.numberText(d).utf8)
    case .string(let s):
      Self.appendString(s, into: &out)
    case .array(let a):
      if a.isEmpty {
        out.append(contentsOf: "[]".utf8)
        return
      }
      out.append(UInt8(ascii: "["))
      for (n, element) in a.enumerated() {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1, into: &out)
        emit(element, depth: depth + 1, into: &out)
      }
      newline(depth, into: &out)
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      if o.isEmpty {
        out.append(contentsOf: "{}".utf8)
        return
      }
      out.append(UInt8(ascii: "{"))
      for n in o.indices {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        newline(depth + 1, into: &out)
        Self.appendString(o.keys[n], into: &out)
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(UInt8(ascii: " ")) }
        emit(o.values[n], depth: depth + 1, into: &out)
      }
      newline(depth, into: &out)
      out.append(UInt8(ascii: "}"))
    }
  }

  private func newline(_ depth: Int, into out: inout [UInt8]) {
    guard pretty else { return }
    out.append(UInt8(ascii: "\n"))
    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
  }

  private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

  static func appendString(_ s: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
      case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
      case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
      case 0x00..<0x20:
        out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0x0F)])
      default:
        out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}
