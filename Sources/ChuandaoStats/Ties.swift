/// METHODS.md's rule for discrete decisions on computed values: two values within 1e-9 of
/// each other (relative to the larger magnitude, or absolute when both are below 1) are
/// equal, so that a threshold, a sign or a tie does not depend on the order of a sum.
public enum Ties {
  public static let tolerance = 1e-9

  /// Whether `a` and `b` are equal in this sense.
  /// An infinity equals only itself (the relative rule would make it equal to every
  /// value); NaN equals nothing.
  @inlinable public static func equal(_ a: Double, _ b: Double) -> Bool {
    if a == b { return true }
    guard a.isFinite && b.isFinite else { return false }
    let scale = max(abs(a), abs(b))
    return abs(a - b) <= tolerance * max(1, scale)
  }

  /// `a <= b`, counting near-equal values as equal.
  @inlinable public static func lessOrEqual(_ a: Double, _ b: Double) -> Bool { a <= b || equal(a, b) }

  /// `a >= b`, counting near-equal values as equal.
  @inlinable public static func greaterOrEqual(_ a: Double, _ b: Double) -> Bool { a >= b || equal(a, b) }

  /// The sign of `a - b`: 0 when they are equal in this sense.
  @inlinable public static func sign(_ a: Double, _ b: Double) -> Int {
    equal(a, b) ? 0 : (a < b ? -1 : 1)
  }
}
