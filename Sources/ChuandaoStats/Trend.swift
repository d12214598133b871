import Foundation

/// The Mann-Kendall trend test (METHODS.md section 6).
///
/// S = sum over i < j of sign(x_j - x_i), signs under METHODS.md's 1e-9 tie rule. The
/// two-sided p comes from the exact null distribution of S when there are no ties and
/// n <= 10 — S = n(n-1)/2 - 2 I with I the number of inversions, whose counts over the n!
/// orders are the Mahonian numbers, built here by dynamic programming — else from the
/// normal approximation with the tie-corrected variance
/// [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18 and a continuity correction. S is defined from
/// n = 2; p is nil for n < 3.
public struct MannKendall: Sendable, Equatable {
  public let n: Int
  public let s: Int
  /// The variance of S under the null, tie-corrected.
  public let variance: Double
  public let p: Double?
  /// Whether p came from the exact distribution.
  public let exact: Bool

  public init(_ x: [Double]) {
    n = x.count
    var s = 0
    for i in 0..<n {
      for j in (i + 1)..<max(i + 1, n) { s += Ties.sign(x[j], x[i]) }
    }
    self.s = s
    // Tie groups under the same rule: sort, then group runs of equal values.
    let sorted = x.sorted()
    var tieTerm = 0.0
    var hasTies = false
    var i = 0
    while i < sorted.count {
      var j = i + 1
      while j < sorted.count && Ties.equal(sorted[j], sorted[i]) { j += 1 }
      let t = Double(j - i)
      if t > 1 {
        hasTies = true
        tieTerm += t * (t - 1) * (2 * t + 5)
      }
      i = j
    }
    let nn = Double(n)
    variance = (nn * (nn - 1) * (2 * nn + 5) - tieTerm) / 18
    if n < 3 {
      p = nil
      exact = false
    } else if !hasTies && n <= 10 {
      p = MannKendall.exactP(n: n, s: s)
      exact = true
    } else {
      exact = false
      if s == 0 || variance <= 0 {
        p = 1
      } else {
        let z = (Double(abs(s)) - 1) / variance.squareRoot()
        p = min(1, 2 * Normal.standard.sf(z))
      }
    }
  }

  /// P(|S| >= |s|) for n values without ties, from the Mahonian numbers M(n, k): the
  /// number of orders of n items with k inversions, M(n, k) = sum_{j=0}^{min(k, n-1)}
  /// M(n - 1, k - j).
  public static func exactP(n: Int, s: Int) -> Double {
    let pairs = n * (n - 1) / 2
    var m = [Double](repeating: 0, count: pairs + 1)
    m[0] = 1
    for size in stride(from: 2, through: n, by: 1) {
      var next = [Double](repeating: 0, count: pairs + 1)
      let maxK = size * (size - 1) / 2
      for k in 0...maxK {
        var total = 0.0
        for j in 0...min(k, size - 1) { total += m[k - j] }
        next[k] = total
      }
      m = next
    }
    var favourable = 0.0
    var all = 0.0
    for k in 0...pairs {
      all += m[k]
      if abs(pairs - 2 * k) >= abs(s) { favourable += m[k] }
    }
    return favourable / all
  }
}

/// The Theil-Sen slope: the median over i < j of (y_j - y_i) / (x_j - x_i), or nil with
/// fewer than two points (METHODS.md section 6 uses the period index as x).
public func theilSenSlope(x: [Double], y: [Double]) -> Double? {
  precondition(x.count == y.count, "theilSenSlope: x and y differ in length")
  var slopes: [Double] = []
  for i in 0..<x.count {
    for j in (i + 1)..<max(i + 1, x.count) where x[j] != x[i] {
      slopes.append((y[j] - y[i]) / (x[j] - x[i]))
    }
  }
  return slopes.isEmpty ? nil : median(slopes)
}
