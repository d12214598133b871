import ChuandaoLinearAlgebra

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A Poisson generalised linear model with log link and an optional offset, fitted to
/// maximum likelihood by iteratively reweighted least squares (IRLS):
///
///     y_i ~ Poisson(mu_i),   log mu_i = offset_i + x_i' beta,
///
/// (McCullagh & Nelder 1989, "Generalized Linear Models", 2nd ed., section 2.5). With the
/// canonical log link, IRLS is Newton's method on the concave log-likelihood: from the
/// current eta = log mu, the working weights are w = mu and the working response is
/// z = eta - offset + (y - mu) / mu, and the next beta solves (X'WX) beta = X'Wz. Here
/// X'Wz is formed as X'(mu (eta - offset) + y - mu), which never divides by mu. X'WX comes
/// from the design (`PoissonDesign`: BLAS `dsyrk` for a dense matrix, one pass over the
/// rows for a `FactorDesign`) and is solved by Cholesky, so one iteration costs O(n p^2)
/// at most.
///
/// Choices, matching R's `glm.fit` unless said otherwise:
/// - Start: mu = y + 0.1, eta = log mu (R's `poisson()$initialize`). The first iteration
///   only needs mu > 0; statsmodels starts from (y + mean y) / 2 and reaches the same point.
/// - Convergence: |D_k - D_{k-1}| / (|D_k| + 0.1) < `tolerance` = 1e-10, D_0 being the
///   deviance at the start (R's criterion with METHODS.md section 3's "relative change of
///   the deviance below 1e-10"; R's default is 1e-8). The 0.1 keeps the test meaningful
///   when the deviance tends to 0. statsmodels stops on an absolute change below 1e-8.
///   Newton converges quadratically, so the iterate that passes is accurate far beyond the
///   tolerance. Each deviance term is computed without cancellation (`Workspace.bd0`), or
///   rounding would stall the test for large, well-fitted counts.
/// - Step halving (Marschner 2011, "glm2: fitting generalized linear models with
///   convergence problems", R Journal 3(2); R's `glm.fit` halves only on a non-finite
///   deviance): when a step makes the deviance non-finite, or raises it by more than the
///   convergence tolerance, beta moves halfway back toward the previous beta, at most 30
///   times (eta is affine in beta, so eta is halved directly). The first step starts from
///   mu = y + 0.1, which is no fitted model, so it is halved (toward beta = 0) only when
///   its deviance is not finite. A step that cannot be rescued ends the fit at the beta it
///   was halved toward, with `converged == false`.
/// - Singular design: X'WX at the starting weights (all > 0, so its rank is that of X) must
///   pass a Cholesky factorisation whose pivots show no column collinear with the earlier
///   ones (`collinearityTolerance`), else `.singularDesign`. Later iterations only need
///   the factorisation to succeed; if it fails (weights degenerating on a diverging fit),
///   the fit stops there with `converged == false`.
/// - Standard errors: sqrt of the diagonal of (X'WX)^-1 with W from the final mu (the
///   inverse Fisher information at the estimate); infinite if that X'WX is not positive
///   definite. R and statsmodels use the weights of the last-but-one iterate, which differs
///   by about the size of the last step (1e-9 relative on the Dobson example).
///
/// When the MLE does not exist it is not found. If every row where a column is non-zero
/// has y = 0 (a domain with no counts at all), that coefficient tends to -infinity: IRLS
/// lowers it by about 1 per iteration while the deviance changes less and less, so the
/// deviance criterion stops after some 20 to 30 iterations with `converged == true`, a
/// coefficient near -30 and a standard error of 1e4 or more (on the test data -29.1 and
/// 1.3e4 after 21 iterations; statsmodels gives -30.4 and 1.4e4, also "converged"). The
/// other coefficients equal those of the fit without that domain's rows to 1e-14. Other
/// separation (all counts at the largest value of a covariate) ends alike, or with
/// `converged == false` and infinite standard errors once the weights degenerate. Callers
/// must remove such columns first (METHODS.md section 3 leaves a domain without
/// supervision out of the fit).
/// `converged == false` means the iteration limit was hit or the iteration broke down.
public struct PoissonRegression: Sendable {
  /// The most IRLS iterations (weighted least-squares solves) before giving up.
  public var maxIterations = 50
  /// Convergence when |D_k - D_{k-1}| / (|D_k| + 0.1) falls below this (D = deviance).
  public var tolerance = 1e-10
  /// A column j of X'WX is treated as collinear with the columns before it when
  /// L_jj^2 / (X'WX)_jj is below this: the weighted 1 - R^2 of column j regressed on the
  /// earlier columns. Near this, standard errors are inflated by 1e5 and the coefficients
  /// have lost about 10 digits to rounding in X'WX.
  static let collinearityTolerance = 1e-10
  /// Step halvings tried before a step is given up.
  static let maxHalvings = 30
  /// ln of the largest finite Double: a larger offset is an infinite exposure.
  static let maxOffset = 709.78

  public init() {}

  /// Fits the model.
  ///
  /// - Parameters:
  ///   - x: the n x p design, column-major; no intercept is added (include a column of
  ///     ones, or one dummy per group as METHODS.md section 3 does).
  ///   - y: n counts, finite and >= 0; need not be integers (quasi-counts).
  ///   - offset: n values added to the linear predictor (ln of exposure), or nil for 0.
  ///   - columnNames: p names for the coefficients, carried into the fit, or nil.
  /// - Throws: `PoissonRegressionError.dimensionMismatch` when the lengths of y, offset or
  ///   columnNames do not fit x; `.nonFinite(index:)` for a NaN or infinite y, offset (or
  ///   one above 709.78, where exp overflows) or element of x in that row;
  ///   `.negativeCount(index:)` for y < 0; `.singularDesign` when X has an all-zero column,
  ///   a column collinear with others, or fewer rows than columns.
  public func fit(
    x: Matrix, y: [Double], offset: [Double]?, columnNames: [String]? = nil
  ) throws(PoissonRegressionError) -> Fit {
    try fit(design: x, y: y, offset: offset, columnNames: columnNames)
  }

  /// Fits the model to a design given by its products (`PoissonDesign`): a dense `Matrix`,
  /// or a `FactorDesign` that never stores its indicator columns. Parameters and errors as
  /// `fit(x:y:offset:columnNames:)`.
  public func fit(
    design x: some PoissonDesign, y: [Double], offset: [Double]?, columnNames: [String]? = nil
  ) throws(PoissonRegressionError) -> Fit {
    let n = x.rows
    let p = x.columns
    guard y.count == n else {
      throw .dimensionMismatch("y has \(y.count) values for a design of \(n) rows")
    }
    if let offset, offset.count != n {
      throw .dimensionMismatch("offset has \(offset.count) values for a design of \(n) rows")
    }
    if let columnNames, columnNames.count != p {
      throw .dimensionMismatch(
        "\(columnNames.count) column names for a design of \(p) columns")
    }
    for i in 0..<n {
      if !y[i].isFinite { throw .nonFinite(index: i) }
      if y[i] < 0 { throw .negativeCount(index: i) }
      // exp(offset) is the exposure: it must be a finite number too.
      if let offset, !(offset[i].isFinite && offset[i] < Self.maxOffset) {
        throw .nonFinite(index: i)
      }
    }
    if let row = x.firstNonFiniteRow() { throw .nonFinite(index: row) }
    let offset = offset ?? [Double](repeating: 0, count: n)
    let work = Workspace(y: y, offset: offset)

    // Invariant: mu = exp(eta) and the deviance is finite. From the first solve on,
    // eta = X beta + offset; previousEta/previousBeta is the iterate a step is halved toward
    // (before the first accepted step, beta = 0).
    var eta = y.map { log($0 + 0.1) }
    var mu = y.map { $0 + 0.1 }
    var deviance = work.deviance(mu: mu)
    var beta = [Double](repeating: 0, count: p)
    var previousEta = offset
    var previousBeta = beta
    var weighted = [Double](repeating: 0, count: n)
    var iterations = 0
    var converged = false
    var scratch: [Double] = []

    while iterations < maxIterations {
      let information = x.information(weights: mu, scratch: &scratch)
      let factor: CholeskyFactor
      if iterations == 0 {
        factor = try Self.checkedFactor(information)
      } else if let f = try? CholeskyFactor(information) {
        factor = f
      } else {
        // The weights have degenerated (fitted means underflowing on a diverging fit).
        break
      }
      iterations += 1
      for i in 0..<n { weighted[i] = mu[i] * (eta[i] - offset[i]) + y[i] - mu[i] }
      let candidate = factor.solve(x.transposeTimes(weighted))
      if iterations > 1 {
        swap(&previousEta, &eta)
        previousBeta = beta
      }
      beta = candidate
      for i in 0..<n { eta[i] = offset[i] }
      x.addProduct(beta, to: &eta)
      var newDeviance = work.update(eta: eta, mu: &mu)

      var halvings = 0
      while !newDeviance.isFinite
        || (iterations > 1 && newDeviance - deviance > tolerance * (abs(newDeviance) + 0.1))
      {
        if halvings == Self.maxHalvings { break }
        halvings += 1
        for j in 0..<p { beta[j] = 0.5 * (beta[j] + previousBeta[j]) }
        for i in 0..<n { eta[i] = 0.5 * (eta[i] + previousEta[i]) }
        newDeviance = work.update(eta: eta, mu: &mu)
      }
      if halvings == Self.maxHalvings {
        // No improvement along the Newton direction: stop at the iterate halved toward.
        swap(&eta, &previousEta)
        beta = previousBeta
        deviance = work.update(eta: eta, mu: &mu)
        break
      }
      let change = abs(newDeviance - deviance) / (abs(newDeviance) + 0.1)
      deviance = newDeviance
      if change < tolerance {
        converged = true
        break
      }
    }

    let standardErrors: [Double]
    if let factor = try? CholeskyFactor(x.information(weights: mu, scratch: &scratch)) {
      let covariance = factor.inverse()
      standardErrors = (0..<p).map { covariance[$0, $0].squareRoot() }
    } else {
      standardErrors = [Double](repeating: .infinity, count: p)
    }
    return Fit(
      coefficients: beta,
      standardErrors: standardErrors,
      fitted: mu,
      deviance: deviance,
      pearsonChi2: work.pearsonChi2(mu: mu),
      logLikelihood: work.logLikelihood(eta: eta, mu: mu),
      iterations: iterations,
      converged: converged,
      degreesOfFreedom: n - p,
      columnNames: columnNames)
  }

  /// The Cholesky factor of X'WX, or `.singularDesign` when it is not positive definite or
  /// some column is collinear with the earlier ones to within `collinearityTolerance`.
  static func checkedFactor(_ information: Matrix) throws(PoissonRegressionError)
    -> CholeskyFactor
  {
    let factor: CholeskyFactor
    do {
      factor = try CholeskyFactor(information)
    } catch {
      throw .singularDesign
    }
    for j in 0..<information.rows {
      let pivot = factor.lower[j, j]
      if !(pivot * pivot >= collinearityTolerance * information[j, j]) {
        throw .singularDesign
      }
    }
    return factor
  }

  /// The fitted model: estimates, fitted means and goodness of fit.
  public struct Fit: Sendable {
    /// beta, one per column of X.
    public let coefficients: [Double]
    /// sqrt of the diagonal of (X'WX)^-1 at the estimate, W = diag(mu).
    public let standardErrors: [Double]
    /// The fitted means mu = exp(offset + X beta).
    public let fitted: [Double]
    /// The residual deviance 2 sum [y ln(y / mu) - (y - mu)], with 0 ln 0 = 0.
    public let deviance: Double
    /// Pearson's statistic sum (y - mu)^2 / mu.
    public let pearsonChi2: Double
    /// The log-likelihood sum [y ln mu - mu - ln Gamma(y + 1)] (as statsmodels' `llf` and
    /// R's `logLik`; ln Gamma extends it to non-integer y).
    public let logLikelihood: Double
    /// The number of weighted least-squares solves.
    public let iterations: Int
    /// Whether the deviance criterion was met within `maxIterations`.
    public let converged: Bool
    /// The residual degrees of freedom n - p.
    public let degreesOfFreedom: Int
    /// The names given to `fit`, one per coefficient, or nil.
    public let columnNames: [String]?

    /// The Pearson dispersion estimate chi2 / (n - p) (1 for data that are Poisson).
    public var dispersion: Double { pearsonChi2 / Double(degreesOfFreedom) }
  }
}

/// The data rows and the likelihood sums over them, in `RowBlocks` on all cores.
private struct Workspace {
  let y: [Double]
  let offset: [Double]

  /// mu = exp(eta) in place; returns the deviance.
  func update(eta: [Double], mu: inout [Double]) -> Double {
    RowBlocks.rewrite(&mu) { range, base in
      for i in range { base[i] = exp(eta[i]) }
    }
    return deviance(mu: mu)
  }

  /// 2 sum [y ln(y / mu) - (y - mu)], each term by `Workspace.bd0`.
  func deviance(mu: [Double]) -> Double {
    let y = y
    return 2 * RowBlocks.sum(y.count) { range in
      var sum = 0.0
      for i in range { sum += Self.bd0(y[i], mu[i]) }
      return sum
    }
  }

  /// x ln(x / m) + m - x >= 0 without cancellation (Loader 2000, "Fast and accurate
  /// computation of binomial probabilities", the `bd0` of R's dpois): when x and m are
  /// within 10% of each other, with v = (x - m) / (x + m) (so |v| < 0.1), it sums
  /// (x - m) v + 2 x sum_{j>=1} v^(2j+1) / (2j+1), whose terms all have one sign. The
  /// plain formula loses everything to rounding for large counts that fit well (x = 1e8,
  /// x ln x = 2e9 against a term of 1e-3), which would stall the 1e-10 convergence test.
  /// bd0(0, m) = m.
  @inline(__always)
  static func bd0(_ x: Double, _ m: Double) -> Double {
    if x == 0 { return m }
    let d = x - m
    if abs(d) < 0.1 * (x + m) {
      let v = d / (x + m)
      var sum = d * v
      var term = 2 * x * v
      let v2 = v * v
      var j = 1.0
      while true {
        term *= v2
        let next = sum + term / (2 * j + 1)
        if next == sum { return next }
        sum = next
        j += 1
      }
    }
    return x * log(x / m) + m - x
  }

  func pearsonChi2(mu: [Double]) -> Double {
    let y = y
    return RowBlocks.sum(y.count) { range in
      var sum = 0.0
      for i in range {
        let r = y[i] - mu[i]
        sum += r * r / mu[i]
      }
      return sum
    }
  }

  func logLikelihood(eta: [Double], mu: [Double]) -> Double {
    let y = y
    return RowBlocks.sum(y.count) { range in
      var sum = 0.0
      for i in range { sum += y[i] * eta[i] - mu[i] - SpecialFunctions.logGamma(y[i] + 1) }
      return sum
    }
  }
}

/// Why a Poisson regression could not be fitted.
public enum PoissonRegressionError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The lengths of y, the offset or the column names do not fit the design (what, said).
  case dimensionMismatch(String)
  /// y at 0-based `index` is negative.
  case negativeCount(index: Int)
  /// X'WX at the starting weights is not positive definite, or some column is collinear
  /// with the earlier ones to 1 - R^2 < 1e-10: a column is all zero or a combination of
  /// others, or there are fewer rows than columns.
  case singularDesign
  /// Row `index` (0-based) has a NaN or infinite count, offset or design element.
  case nonFinite(index: Int)

  public var description: String {
    switch self {
    case .dimensionMismatch(let what):
      "Poisson regression: \(what)"
    case .negativeCount(let index):
      "Poisson regression: count in row \(index) is negative; counts must be >= 0"
    case .singularDesign:
      "Poisson regression: the design is singular (a column is all zero or a linear"
        + " combination of other columns); its coefficients are not identified"
    case .nonFinite(let index):
      "Poisson regression: row \(index) has a count, offset or covariate that is not a"
        + " finite number"
    }
  }
}
