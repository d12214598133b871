import ChuandaoLinearAlgebra

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Cluster-robust ("sandwich") covariance of a Poisson regression's coefficients, for rows
/// that are independent between clusters but not within them:
///
///     V = c (X'WX)^-1 [ sum_g u_g u_g' ] (X'WX)^-1,   u_g = sum_{i in g} x_i (y_i - mu_i),
///
/// W = diag(mu) at the estimate (Liang & Zeger 1986, Biometrika 73(1), 13-22; Cameron &
/// Miller 2015, "A practitioner's guide to cluster-robust inference", J. Human Resources
/// 50(2), section II.C). The small-sample factor is statsmodels' default for
/// `GLM.fit(cov_type='cluster')` (`use_correction=True`):
///
///     c = G / (G - 1) x (N - 1) / (N - p),
///
/// G clusters, N rows, p coefficients (Stata's "CR1"). Intervals from it use the normal
/// quantile, as statsmodels' GLM does (`use_t=False`). With few clusters (Cameron & Miller
/// suggest fewer than about 30-50) the intervals are too narrow; the caller says so.
/// With G <= p the middle matrix has rank at most G - 1 after the score equations: the
/// variances are still defined but rest on very little.
public enum ClusterRobust {
  /// The covariance matrix (p x p), or nil when X'WX is not positive definite, there are
  /// fewer than two clusters, or N <= p.
  ///
  /// - Parameters:
  ///   - design: the design the fit used.
  ///   - y: the counts; `fitted`: the fit's mu.
  ///   - cluster: each row's cluster, in `0 ..< clusters`.
  public static func covariance(
    design x: some PoissonDesign, y: [Double], fitted mu: [Double], cluster: [Int32], clusters: Int
  ) -> Matrix? {
    let n = x.rows
    let p = x.columns
    precondition(y.count == n && mu.count == n && cluster.count == n, "ClusterRobust: lengths differ")
    precondition(cluster.allSatisfy { $0 >= 0 && Int($0) < clusters }, "ClusterRobust: cluster out of range")
    // Only clusters that hold a row count.
    var present = [Bool](repeating: false, count: clusters)
    for g in cluster { present[Int(g)] = true }
    let G = present.filter { $0 }.count
    guard G >= 2, n > p else { return nil }
    var scratch: [Double] = []
    guard let factor = try? CholeskyFactor(x.information(weights: mu, scratch: &scratch)) else { return nil }
    let bread = factor.inverse()

    // Per-cluster score sums u_g, column by column: column j of X is X e_j (the design
    // stores no matrix), p passes over the rows.
    var scores = [Double](repeating: 0, count: clusters * p)
    var unit = [Double](repeating: 0, count: p)
    for j in 0..<p {
      for k in 0..<p { unit[k] = k == j ? 1 : 0 }
      var column = [Double](repeating: 0, count: n)
      x.addProduct(unit, to: &column)
      for i in 0..<n { scores[Int(cluster[i]) * p + j] += column[i] * (y[i] - mu[i]) }
    }
    var meat = [Double](repeating: 0, count: p * p)
    for g in 0..<clusters where present[g] {
      for a in 0..<p {
        let ua = scores[g * p + a]
        if ua == 0 { continue }
        for b in 0..<p { meat[a * p + b] += ua * scores[g * p + b] }
      }
    }
    let c = Double(G) / Double(G - 1) * Double(n - 1) / Double(n - p)
    // V = c B M B (B symmetric).
    var bm = [Double](repeating: 0, count: p * p)
    for a in 0..<p {
      for b in 0..<p {
        var s = 0.0
        for k in 0..<p { s += bread[a, k] * meat[k * p + b] }
        bm[a * p + b] = s
      }
    }
    var storage = [Double](repeating: 0, count: p * p)
    for a in 0..<p {
      for b in 0..<p {
        var s = 0.0
        for k in 0..<p { s += bm[a * p + k] * bread[k, b] }
        storage[a + b * p] = c * s
      }
    }
    return Matrix(rows: p, columns: p, storage: storage)
  }

  /// A rate ratio exp(beta_j) and its 95% interval exp(beta_j -+ 1.959964 se_j), se_j from
  /// `covariance`; nil entries when the variance is not a finite positive number.
  public static func rateRatio(_ beta: Double, variance: Double?) -> (estimate: Double, lower: Double?, upper: Double?) {
    guard let variance, variance.isFinite, variance >= 0 else { return (exp(beta), nil, nil) }
    let se = variance.squareRoot()
    let z = 1.959963984540054
    return (exp(beta), exp(beta - z * se), exp(beta + z * se))
  }
}
