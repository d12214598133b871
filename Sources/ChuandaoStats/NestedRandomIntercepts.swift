#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// REML variance components for nested random intercepts, fitted exactly as lme4's
/// `lmer(y ~ 1 + (1 | g0/g1/...), REML = TRUE)`:
///
///     y_i = mu + a0[g0(i)] + a1[g1(i)] + ... + e_i,   ak ~ N(0, sigma_k^2),  e ~ N(0, sigma^2),
///
/// each level-(k+1) group lying in exactly one level-k group (METHODS.md section 2, "Where
/// the unevenness lives").
///
/// The criterion is lme4's profiled REML deviance (Bates, Maechler, Bolker & Walker 2015,
/// "Fitting linear mixed-effects models using lme4", J. Stat. Softw. 67(1),
/// doi:10.18637/jss.v067.i01, eq. 42) on the relative scale theta_k = sigma_k / sigma, with
/// V = sigma^2 H and p = 1 fixed effect:
///
///     -2 l_R(theta) = log|H| + log(1'H^-1 1) + (n - 1) (1 + log(2 pi r^2 / (n - 1))),
///     r^2 = (y - 1 mu^)' H^-1 (y - 1 mu^),  mu^ = 1'H^-1 y / 1'H^-1 1,  sigma^2^ = r^2 / (n - 1),
///
/// (|L_theta|^2 = |H| by Sylvester's identity, |R_X|^2 = 1'H^-1 1). H is block-diagonal by
/// top-level group and nested compound symmetry within a block, so the four quantities follow
/// from Sherman-Morrison bottom-up: for a group whose children blocks are D_c,
/// H = diag(D_c) + theta^2 11', and with W = sum_c 1'D_c^-1 1,
///
///     1'H^-1 1 = W / (1 + theta^2 W),   log|H| = sum_c log|D_c| + log(1 + theta^2 W),
///
/// while the block's GLS mean M = sum_c w_c m_c / W is unchanged by the theta^2 11' term and
/// its residual sum of squares is R = sum_c r_c + sum_c w_c (m_c - M)^2 (a weighted
/// between-children sum of squares, so nothing is computed as a difference of large
/// numbers). A bottom-level group of m observations starts from W = m, its mean and its
/// within sum of squares, so one evaluation costs O(number of groups), not O(n), and
/// allocates nothing.
///
/// Optimiser: Nelder-Mead (Lagarias, Reeds, Wright & Wright 1998, SIAM J. Optim. 9(1),
/// doi:10.1137/S1052623496303470) on phi with theta = |phi|. The deviance depends on theta
/// only through theta^2, so this is the bounded problem theta >= 0 exactly, without a bound
/// to project on: at a boundary optimum the function of phi is a smooth even bowl around 0.
/// It starts from ANOVA-type moment estimates, stops when both the spread of deviances
/// (1e-12 relative) and of vertices (1e-8 in theta) are small, and restarts from the best
/// point until a restart gains nothing. lme4 itself uses BOBYQA with looser tolerances: on
/// the test fixtures our REML log-likelihood is never below lme4's, and the SDs agree to
/// 1e-4 relative or better (the largest differences, on 3 and 5 levels, come with lme4's
/// log-likelihood 4e-8 below ours: lme4 stopped short on a flat optimum).
///
/// Singular fits follow lme4's `isSingular`: some theta_k < 1e-4 (sigma_k below 1e-4 times
/// the residual SD). A component the optimiser leaves below that threshold is set to exactly
/// 0 when that does not raise the deviance by more than the convergence tolerance, so a
/// boundary optimum is reported as variance 0, as lme4 does (Dyestuff2).
///
/// Not identified: if every group of some level has a single child group (or every
/// bottom-level group a single observation), only the sum of that level's variance and the
/// next one's (or the residual's) is identified. lme4 refuses such data; here a fit is still
/// returned, its total and the other components are right, and the split of the confounded
/// pair is whatever point of the flat ridge the optimiser stopped at (often singular).
public struct NestedRandomIntercepts: Sendable {
  /// lme4's `isSingular` tolerance on theta_k = sigma_k / sigma.
  static let singularTolerance = 1e-4

  public init() {}

  /// Fits the model by REML.
  ///
  /// `groups[k][i]` is observation i's group label at grouping level k (0 = top). Labels are
  /// arbitrary Int32 values, unique within a level (a level-(k+1) label names one group,
  /// wherever it appears: lme4's `batch:cask`, not `cask`). Observations may come in any
  /// order. Traps if `groups` is empty.
  ///
  /// - Throws: `NestedRandomInterceptsError.lengthMismatch` if some `groups[k]` is not as
  ///   long as `y`, `.tooFewObservations` for n < 3, `.nonFinite` for a NaN or infinite y,
  ///   `.notNested` for a level-k label found under two level-(k-1) labels.
  public func fit(y: [Double], groups: [[Int32]]) throws -> Fit {
    precondition(!groups.isEmpty, "NestedRandomIntercepts.fit: no grouping level")
    let n = y.count
    for level in groups where level.count != n {
      throw NestedRandomInterceptsError.lengthMismatch
    }
    if n < 3 { throw NestedRandomInterceptsError.tooFewObservations(n) }
    if let bad = y.firstIndex(where: { !$0.isFinite }) {
      throw NestedRandomInterceptsError.nonFinite(index: bad)
    }
    let levels = groups.count
    if y.allSatisfy({ $0 == y[0] }) {
      // r^2 = 0 at every theta: the REML likelihood is unbounded. Nothing varies.
      return Fit(
        mean: y[0], variances: Array(repeating: 0, count: levels), residualVariance: 0,
        remlLogLikelihood: .infinity, singular: true, evaluations: 0, observations: n)
    }

    let design = try Design(y: y, groups: groups)
    let start = design.momentStart()
    var evaluations = 0
    let objective: (UnsafeBufferPointer<Double>) -> Double = { phi in
      evaluations += 1
      return design.evaluate(phi).deviance
    }
    var phi = start
    var best = Simplex.minimizeWithRestarts(
      start: &phi, steps: start.map { max(0.1, 0.25 * $0) }, objective)

    // lme4 reports a boundary optimum as exactly 0 (BOBYQA stops on the bound).
    let tolerance = Simplex.fTolerance(best)
    for k in 0..<levels where abs(phi[k]) < Self.singularTolerance && phi[k] != 0 {
      let kept = phi[k]
      phi[k] = 0
      let value = phi.withUnsafeBufferPointer(objective)
      if value <= best + tolerance {
        best = min(best, value)
      } else {
        phi[k] = kept
      }
    }

    let at = phi.withUnsafeBufferPointer { design.evaluate($0) }
    let residualVariance = at.residualSumOfSquares / Double(n - 1)
    let theta = phi.map { abs($0) }
    return Fit(
      mean: at.mean,
      variances: theta.map { $0 * $0 * residualVariance },
      residualVariance: residualVariance,
      remlLogLikelihood: -0.5 * at.deviance,
      singular: theta.contains { $0 < Self.singularTolerance },
      evaluations: evaluations,
      observations: n)
  }

  /// An REML fit: immutable numbers, with the variance partition derived from them.
  public struct Fit: Equatable, Sendable {
    /// The fixed intercept mu^ (its GLS estimate at the optimum).
    public let mean: Double
    /// sigma_k^2 per grouping level, top first; exactly 0 for a boundary optimum.
    public let variances: [Double]
    /// sigma^2, the within-bottom-group (residual) variance.
    public let residualVariance: Double
    /// lme4's `logLik(fit)` for the REML fit, constants included (+infinity if y is constant).
    public let remlLogLikelihood: Double
    /// lme4's `isSingular`: some sigma_k < 1e-4 sigma.
    public let singular: Bool
    /// Evaluations of the REML deviance.
    public let evaluations: Int
    /// n.
    public let observations: Int

    /// Sum of the variances and the residual variance.
    public var total: Double { variances.reduce(0, +) + residualVariance }
    /// Each level's variance partition coefficient, variances / total (NaN if total is 0).
    public var shares: [Double] {
      let t = total
      return variances.map { $0 / t }
    }
    /// residualVariance / total.
    public var residualShare: Double { residualVariance / total }
    /// sigma_k per grouping level, top first.
    public var standardDeviations: [Double] { variances.map { $0.squareRoot() } }
  }
}

/// Why a nested random-intercepts model cannot be fitted to the data given.
public enum NestedRandomInterceptsError: Error, CustomStringConvertible, Equatable, Sendable {
  /// Fewer than 3 observations (n given).
  case tooFewObservations(Int)
  /// Group `label` of grouping level `level` (0 = top) appears under two different groups of
  /// level `level - 1`.
  case notNested(level: Int, label: Int32)
  /// Some grouping level has a label count different from the number of observations.
  case lengthMismatch
  /// y at 0-based `index` is NaN or infinite.
  case nonFinite(index: Int)

  public var description: String {
    switch self {
    case .tooFewObservations(let n):
      return "nested random intercepts: \(n) observations, at least 3 are needed"
    case .notNested(let level, let label):
      return
        "nested random intercepts: group \(label) of level \(level) lies in two different "
        + "groups of level \(level - 1); each group must lie in exactly one parent"
    case .lengthMismatch:
      return "nested random intercepts: every grouping level needs one label per observation"
    case .nonFinite(let index):
      return "nested random intercepts: observation \(index) is not a finite number"
    }
  }
}
