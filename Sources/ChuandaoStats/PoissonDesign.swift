import ChuandaoLinearAlgebra
import _ChuandaoParallel

/// The design matrix X of a `PoissonRegression`, seen through the three products IRLS
/// needs: X'WX, X'v and X beta. A dense `Matrix` is one; `FactorDesign` is another that
/// never stores its indicator columns.
public protocol PoissonDesign: Sendable {
  /// n, the number of observations.
  var rows: Int { get }
  /// p, the number of coefficients.
  var columns: Int { get }
  /// X' diag(weights) X, p x p, full and symmetric; weights are >= 0. `scratch` is the
  /// caller's to keep between calls (a dense design copies itself into it).
  func information(weights: [Double], scratch: inout [Double]) -> Matrix
  /// X' v, p values.
  func transposeTimes(_ v: [Double]) -> [Double]
  /// eta += X beta.
  func addProduct(_ beta: [Double], to eta: inout [Double])
  /// The first row (0-based) with an element that is not a finite number, or nil.
  func firstNonFiniteRow() -> Int?
}

extension Matrix: PoissonDesign {
  public func information(weights: [Double], scratch: inout [Double]) -> Matrix {
    Matrix.syrk(self, weights: weights, scratch: &scratch)
  }

  public func transposeTimes(_ v: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: columns)
    Matrix.gemv(self, transposeA: true, v, into: &out)
    return out
  }

  public func addProduct(_ beta: [Double], to eta: inout [Double]) {
    Matrix.gemv(self, beta, beta: 1, into: &eta)
  }

  public func firstNonFiniteRow() -> Int? {
    var first: Int? = nil
    for (k, value) in storage.enumerated() where !value.isFinite {
      let row = k % rows
      first = min(first ?? row, row)
    }
    return first
  }
}

/// The design of one factor and a few continuous covariates: columns `0 ..< levels` are
/// the factor's indicators (one per level, no intercept: row i has a 1 in column
/// `group[i]`), then one column per covariate. METHODS.md section 3's imbalance model is
/// one: a dummy per domain and the risk weight, over one row per (node, domain).
///
/// Nothing of size n x p is stored. X'WX is accumulated in one pass over the rows (the
/// factor's block is diagonal), X'v and X beta likewise, each in `RowBlocks` on all cores. A dense `Matrix` of the same
/// design gives the same fit to rounding (the sums are taken in another order).
public struct FactorDesign: PoissonDesign {
  /// The level (0-based) of each row.
  public let group: [Int32]
  public let levels: Int
  /// One array of n values per covariate.
  public let covariates: [[Double]]

  /// - Precondition: every `group` value is in `0 ..< levels`; every covariate has as
  ///   many values as `group`.
  public init(group: [Int32], levels: Int, covariates: [[Double]] = []) {
    precondition(levels >= 0, "FactorDesign: \(levels) levels")
    precondition(
      covariates.allSatisfy { $0.count == group.count },
      "FactorDesign: a covariate's length differs from the \(group.count) rows")
    precondition(
      group.allSatisfy { $0 >= 0 && Int($0) < levels },
      "FactorDesign: a group outside 0..<\(levels)")
    self.group = group
    self.levels = levels
    self.covariates = covariates
  }

  public var rows: Int { group.count }
  public var columns: Int { levels + covariates.count }

  public func information(weights w: [Double], scratch: inout [Double]) -> Matrix {
    precondition(w.count == rows, "FactorDesign: \(w.count) weights for \(rows) rows")
    let (g, q, p) = (levels, covariates.count, columns)
    // Per block: the upper triangle as a p x p array (column-major).
    let parts = RowBlocks.map(rows) { range -> [Double] in
      var s = [Double](repeating: 0, count: p * p)
      for i in range {
        let wi = w[i]
        let gi = Int(group[i])
        s[gi * p + gi] += wi
        for c in 0..<q {
          let wx = wi * covariates[c][i]
          s[(g + c) * p + gi] += wx
          for d in 0...c { s[(g + c) * p + g + d] += wx * covariates[d][i] }
        }
      }
      return s
    }
    var sum = [Double](repeating: 0, count: p * p)
    for part in parts {
      for k in 0..<(p * p) { sum[k] += part[k] }
    }
    // Mirror the upper triangle (row <= column) into the lower one.
    for j in 0..<p {
      for i in (j + 1)..<p { sum[i + j * p] = sum[j + i * p] }
    }
    return Matrix(rows: p, columns: p, storage: sum)
  }

  public func transposeTimes(_ v: [Double]) -> [Double] {
    precondition(v.count == rows, "FactorDesign: \(v.count) values for \(rows) rows")
    let (g, q) = (levels, covariates.count)
    let parts = RowBlocks.map(rows) { range -> [Double] in
      var s = [Double](repeating: 0, count: g + q)
      for i in range {
        s[Int(group[i])] += v[i]
        for c in 0..<q { s[g + c] += v[i] * covariates[c][i] }
      }
      return s
    }
    var out = [Double](repeating: 0, count: g + q)
    for part in parts {
      for k in 0..<(g + q) { out[k] += part[k] }
    }
    return out
  }

  public func addProduct(_ beta: [Double], to eta: inout [Double]) {
    precondition(beta.count == columns && eta.count == rows, "FactorDesign: addProduct sizes")
    let (g, q) = (levels, covariates.count)
    let covariates = covariates
    let group = group
    RowBlocks.rewrite(&eta) { range, base in
      for i in range {
        var x = beta[Int(group[i])]
        for c in 0..<q { x += beta[g + c] * covariates[c][i] }
        base[i] += x
      }
    }
  }

  public func firstNonFiniteRow() -> Int? {
    var first: Int? = nil
    for column in covariates {
      if let i = column.firstIndex(where: { !$0.isFinite }) { first = min(first ?? i, i) }
    }
    return first
  }
}

/// Fixed blocks of rows for the passes of a regression over many rows, run on all cores:
/// partial sums are added in block order, and the blocks depend on the number of rows
/// alone, so a result never depends on the number of cores or on scheduling. Up to
/// `size` rows there is one block, summed in row order as a plain loop would.
enum RowBlocks {
  /// Large enough that a block's work outweighs a thread's start, small enough that
  /// 2 cores share a province's rows evenly.
  static let size = 1 << 16

  /// `body` on each block of `0 ..< n`, concurrently; the results in block order.
  static func map<T: Sendable>(_ n: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
    let blocks = stride(from: 0, to: n, by: size).map { $0..<min(n, $0 + size) }
    if blocks.count <= 1 { return blocks.map(body) }
    return Parallel.perform(blocks.count) { body(blocks[$0]) }
  }

  /// `body` on each block of `values`' rows, concurrently, with the values' storage: each
  /// block writes its own rows only.
  static func rewrite(
    _ values: inout [Double], _ body: @Sendable (Range<Int>, UnsafeMutablePointer<Double>) -> Void
  ) {
    let n = values.count
    guard n > 0 else { return }
    values.withUnsafeMutableBufferPointer { out in
      nonisolated(unsafe) let base = out.baseAddress!
      _ = map(n) { range -> Int in
        body(range, base)
        return 0
      }
    }
  }

  /// The sum of `body` over the blocks of `0 ..< n`, added in block order.
  static func sum(_ n: Int, _ body: @Sendable (Range<Int>) -> Double) -> Double {
    map(n, body).reduce(0, +)
  }
}
