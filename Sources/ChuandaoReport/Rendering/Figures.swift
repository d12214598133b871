import Foundation

/// Numbers as tables and sentences print them (JSON keeps full precision): C's `%.*f`,
/// so that the terminal output stays what it has always been.
public enum Figures {
  /// `x` with `digits` decimals; `-` when missing or not finite.
  public static func decimal(_ x: Double?, _ digits: Int = 4) -> String {
    guard let x, x.isFinite else { return "-" }
    return String(format: "%.\(digits)f", x)
  }

  /// `x` as a percentage: 0.4286 → `42.9%`; `-` when missing or not finite.
  public static func percent(_ x: Double?, _ digits: Int = 1) -> String {
    guard let x, x.isFinite else { return "-" }
    return String(format: "%.\(digits)f%%", 100 * x)
  }

  /// A change with its sign: +0.0123, -2.00, and 0.000 (no sign) for one that rounds to
  /// zero.
  public static func signed(_ x: Double?, _ digits: Int = 4) -> String {
    guard let x, x.isFinite else { return "-" }
    let text = String(format: "%+.\(digits)f", x)
    return text.dropFirst().allSatisfy { $0 == "0" || $0 == "." } ? String(text.dropFirst()) : text
  }

  public static func signed(_ n: Int) -> String { n > 0 ? "+\(n)" : String(n) }
}
