import _ChuandaoParallel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a unit's standardised ratio falls against the funnel limits (METHODS.md section 3).
public enum FunnelFlag: String, Sendable, CaseIterable {
  /// Below the 99.8% lower limit.
  case cold
  /// Below the 95% lower limit (and not below the 99.8% one).
  case cool
  /// Within the 95% limits.
  case normal
  /// Above the 95% upper limit (and not above the 99.8% one).
  case warm
  /// Above the 99.8% upper limit.
  case hot

  /// The share of units that fall under this flag by chance alone when the model holds: the
  /// tail probabilities between the limits, 0.001 (cold, hot) and 0.025 - 0.001 (cool,
  /// warm); 0.95 for normal. With discrete counts the actual share is at most about this.
  public var nominalRate: Double {
    switch self {
    case .cold, .hot: 0.001
    case .cool, .warm: 0.024
    case .normal: 0.95
    }
  }
}

/// The funnel plot of observed against expected counts, METHODS.md section 3: Poisson
/// counts on the square-root scale, Spiegelhalter's overdispersion check and, when the
/// counts are overdispersed, a DerSimonian-Laird random effect that widens the limits.
///
/// Sources: D. J. Spiegelhalter, "Funnel plots for comparing institutional performance",
/// Statistics in Medicine 24(8), 1185-1202, 2005 (doi:10.1002/sim.1970) for the limits and
/// the interpolated exact Poisson limits; D. J. Spiegelhalter, "Handling over-dispersion of
/// performance indicators", Quality and Safety in Health Care 14(5), 347-351, 2005
/// (doi:10.1136/qshc.2005.013755) for the winsorised phi and the additive random effect;
/// M. F. Freeman and J. W. Tukey, Annals of Mathematical Statistics 21(4), 607-611, 1950
/// (doi:10.1214/aoms/1177729756) for the deviate.
///
/// The model is a specification; `fit` returns an immutable `Fit` of plain arrays, one
/// entry per unit, in the order given.
public struct FunnelPlot: Sendable {
  /// How overdispersion is measured and, when found, turned into limits.
  public enum Dispersion: String, Sendable, CaseIterable {
    /// The default (METHODS.md section 3): phi divided by `winsorisedNormalMeanSquare`, so
    /// that it is about 1 for Poisson counts, and, when phi > 1, the exact limits of the
    /// negative binomial with mean E and variance E + 4 tau2 E^2 (the random effect on the
    /// count scale). In simulation 3-6% of units fall outside the 95% limits whatever the
    /// dispersion and the size of the counts.
    case consistent
    /// Spiegelhalter's classic method, as FunnelPlotR and NHS practice use it: phi
    /// unscaled (about 0.68 for Poisson counts) and, when phi > 1, normal limits on the
    /// square-root scale. Overdispersion is noticed late and tau2 underestimated, so that
    /// 11-24% of units fall outside the 95% limits of an overdispersed level.
    case spiegelhalter
  }

  /// The normal quantile of the 95% limits, Φ^-1(0.975) to 7 digits as METHODS.md writes it.
  public var z95 = 1.959964
  /// The normal quantile of the 99.8% limits, Φ^-1(0.999) to 7 digits.
  public var z998 = 3.090232
  /// The overdispersion method; `.consistent` by default.
  public var dispersion: Dispersion

  public init(dispersion: Dispersion = .consistent) {
    self.dispersion = dispersion
  }

  /// c = E[W^2] for W a standard normal winsorised at its own 10th and 90th percentiles
  /// +-a, a = Φ^-1(0.9): c = 0.8 - 2 a φ(a) + 0.2 a^2 = 0.6786546 (the 80% in the middle
  /// contribute the truncated second moment 0.8 - 2 a φ(a), each 10% tail a^2). The
  /// winsorised mean square of Freeman-Tukey deviates of Poisson counts estimates it, so
  /// the consistent phi divides by it.
  public static let winsorisedNormalMeanSquare: Double = {
    let a = Normal.standardQuantile(0.9)
    return 0.8 - 2 * a * Normal.standardPDF(a) + 0.2 * a * a
  }()

  /// The funnel for units with observed counts O_i >= 0 and expected counts E_i > 0.
  ///
  /// Per unit: SR_i = O_i/E_i, y_i = sqrt(SR_i), s_i = 1/(2 sqrt(E_i)) and the Freeman-Tukey
  /// deviate sqrt(O_i) + sqrt(O_i + 1) - sqrt(4 E_i + 1). phi is the mean square of the
  /// deviates winsorised at their 10th and 90th type-7 percentiles, divided by
  /// `winsorisedNormalMeanSquare` when `dispersion` is `.consistent`.
  ///
  /// - phi <= 1 (with METHODS.md's 1e-9 tie rule, so 1 + 1e-12 counts as 1), or fewer than
  ///   two units: exact Poisson limits per unit (`exactLimit` at p = .001, .025, .975,
  ///   .999), `tau2` nil, `z` the Freeman-Tukey deviates. A single unit cannot show
  ///   overdispersion: the DerSimonian-Laird denominator sum w - sum w^2/sum w is 0 for it.
  /// - phi > 1: w_i = 1/s_i^2 = 4 E_i,
  ///   tau2 = max(0, (n phi - (n - 1))/(sum w - sum w^2/sum w)) (> 0, since phi > 1) and
  ///   z_i = (y_i - 1)/sqrt(s_i^2 + tau2). The limits: `.consistent`, the exact limits of
  ///   the negative binomial with mean E_i and size 1/(4 tau2) (`exactLimit(expected:tau2:
  ///   probability:)`); `.spiegelhalter`, max(0, 1 - z sqrt(s_i^2 + tau2))^2 and
  ///   (1 + z sqrt(s_i^2 + tau2))^2.
  ///
  /// Flags compare SR_i with the limits by `Ties` (a ratio within 1e-9 of a limit is on it,
  /// not beyond it). `lowPower` is `Ties.lessOrEqual(lower95, 0)`: exactly the units that
  /// would not be flagged cool even with O_i = 0.
  ///
  /// Traps (programmer errors) unless the arrays have equal lengths, every O_i is finite and
  /// >= 0 and every E_i is finite and > 0: a unit with E_i = 0 has no ratio and no limits
  /// (s_i is infinite), so callers leave it out. No units gives empty arrays and phi NaN.
  ///
  /// Exact limits cost about two cdf evaluations each (O(sqrt(E)) work); units with the
  /// same E share them. With `limits: false` the four limit arrays are left empty and each
  /// unit's flag and `lowPower` come from `flagWithoutLimits` instead: the same flags, for
  /// about two cdf evaluations a unit rather than eight (what `trend` and `assess` need).
  public func fit(observed: [Double], expected: [Double], limits: Bool = true) -> Fit {
    precondition(
      observed.count == expected.count,
      "FunnelPlot.fit: \(observed.count) observed counts but \(expected.count) expected")
    let n = observed.count
    for i in 0..<n {
      precondition(
        observed[i] >= 0 && observed[i].isFinite,
        "FunnelPlot.fit: observed[\(i)] must be finite and >= 0, got \(observed[i])")
      precondition(
        expected[i] > 0 && expected[i].isFinite,
        "FunnelPlot.fit: expected[\(i)] must be finite and > 0, got \(expected[i])")
    }

    var ratio = [Double](repeating: 0, count: n)
    var freemanTukey = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let o = observed[i]
      let e = expected[i]
      ratio[i] = o / e
      freemanTukey[i] = o.squareRoot() + (o + 1).squareRoot() - (4 * e + 1).squareRoot()
    }
    let rawPhi = FunnelPlot.winsorisedPhi(freemanTukey)
    let phi = dispersion == .consistent ? rawPhi / FunnelPlot.winsorisedNormalMeanSquare : rawPhi
    let overdispersed = n >= 2 && !Ties.lessOrEqual(phi, 1)

    var z = freemanTukey
    var tau2: Double? = nil
    var lower95 = [Double](repeating: 0, count: n)
    var upper95 = lower95
    var lower998 = lower95
    var upper998 = lower95

    if overdispersed {
      var sumW = 0.0
      var sumW2 = 0.0
      for e in expected {
        let w = 4 * e
        sumW += w
        sumW2 += w * w
      }
      let t = max(0, (Double(n) * phi - Double(n - 1)) / (sumW - sumW2 / sumW))
      tau2 = t
      for i in 0..<n {
        let sd = (1 / (4 * expected[i]) + t).squareRoot()
        z[i] = (ratio[i].squareRoot() - 1) / sd
      }
    }
    var flags = [FunnelFlag](repeating: .normal, count: n)
    var lowPower = [Bool](repeating: false, count: n)
    if limits {
      fillLimits(expected, tau2: tau2, &lower998, &lower95, &upper95, &upper998)
      for i in 0..<n {
        (flags[i], lowPower[i]) = FunnelPlot.flag(
          ratio: ratio[i], (lower998[i], lower95[i], upper95[i], upper998[i]))
      }
    } else {
      (lower998, lower95, upper95, upper998) = ([], [], [], [])
      let ranges = FunnelPlot.chunks(n)
      let tau2 = tau2
      flags.withUnsafeMutableBufferPointer { f in
        lowPower.withUnsafeMutableBufferPointer { l in
          let out = (SharedPointer(base: f.baseAddress!), SharedPointer(base: l.baseAddress!))
          Parallel.forEachWorker(ranges.count) { w in
            for i in ranges[w] {
              (out.0.base[i], out.1.base[i]) = self.flagWithoutLimits(
                observed: observed[i], expected: expected[i], tau2: tau2)
            }
          }
        }
      }
    }

    return Fit(
      ratio: ratio, z: z, freemanTukey: freemanTukey, dispersion: dispersion, phi: phi, tau2: tau2,
      overdispersed: overdispersed, lower95: lower95, upper95: upper95, lower998: lower998,
      upper998: upper998, flags: flags, lowPower: lowPower)
  }

  /// A fitted funnel: one entry per unit in every array, in the order of the input.
  public struct Fit: Sendable {
    /// The standardised ratio SR_i = O_i/E_i.
    public let ratio: [Double]
    /// The reported deviate: `freemanTukey` when not overdispersed, else the adjusted
    /// (y_i - 1)/sqrt(s_i^2 + tau2). Descriptive: the flags follow the limits.
    public let z: [Double]
    /// The Freeman-Tukey deviates sqrt(O_i) + sqrt(O_i + 1) - sqrt(4 E_i + 1), always.
    public let freemanTukey: [Double]
    /// The method the fit used.
    public let dispersion: Dispersion
    /// The overdispersion factor: mean square of the Freeman-Tukey deviates winsorised at
    /// their 10th and 90th type-7 percentiles, divided by `winsorisedNormalMeanSquare` for
    /// `.consistent`. NaN for no units.
    public let phi: Double
    /// The DerSimonian-Laird between-unit variance on the square-root scale (on the count
    /// scale, a variance E + 4 tau2 E^2); nil unless `overdispersed`.
    public let tau2: Double?
    /// phi > 1 by the 1e-9 tie rule, with at least two units: the limits are the
    /// random-effects ones.
    public let overdispersed: Bool
    /// The limits on the ratio scale, never below 0; empty when fitted with `limits: false`.
    public let lower95: [Double]
    public let upper95: [Double]
    public let lower998: [Double]
    public let upper998: [Double]
    public let flags: [FunnelFlag]
    /// The 95% lower limit is 0 (1e-9 tie rule): the unit could not be flagged cold or cool
    /// whatever it observed, so its `normal` is no reassurance.
    public let lowPower: [Bool]
  }

  /// The interpolated exact Poisson limit on the ratio scale for probability p at expected
  /// count E (Spiegelhalter 2005, Statistics in Medicine, appendix; METHODS.md section 3):
  /// with F the Poisson(E) cdf and r_p the smallest r with F(r) >= p,
  /// alpha = (F(r_p) - p)/(F(r_p) - F(r_p - 1)), F(-1) = 0, the limit is (r_p - alpha)/E,
  /// reported as 0 when below 0. Reference (METHODS.md): E = 20 gives 0.35846, 0.56025,
  /// 1.43729, 1.73568 for p = .001, .025, .975, .999.
  ///
  /// r_p is the same integer as `Poisson(mean: E).quantile(p)` (no fuzz on p, as scipy's
  /// `poisson.ppf`), found by a walk from the Cornish-Fisher start that evaluates F directly
  /// at each visited point, so F(r_p) and F(r_p - 1) come for free: about two cdf
  /// evaluations in all. Since F(r_p - 1) < p <= F(r_p) as computed, and rounded subtraction
  /// is monotone, alpha is in [0, 1]. Traps unless E is finite and > 0 and 0 < p < 1.
  public static func exactPoissonLimit(expected: Double, probability p: Double) -> Double {
    exactLimit(expected: expected, tau2: 0, probability: p)
  }

  /// The interpolated exact limit of the count distribution of a unit with expected count E
  /// and random-effect variance tau2 on the square-root scale: the negative binomial with
  /// mean E and size k = 1/(4 tau2) (variance E + 4 tau2 E^2) when tau2 > 0, the Poisson
  /// when tau2 = 0; otherwise as `exactPoissonLimit`. Reference (METHODS.md), E = 20,
  /// tau2 = 0.05, p = .001/.025/.975/.999: 0.02656, 0.22051, 2.14793, 3.16849; E = 2:
  /// 0, 0, 2.79773, 4.57158.
  ///
  /// Why the count scale: a random effect u with variance tau2 added to sqrt(SR) makes the
  /// count's mean E (1 + u)^2, whose variance is about 4 tau2 E^2; a gamma-mixed Poisson with
  /// that variance is the negative binomial. Normal limits on the square-root scale would
  /// put 12% of a null level with about 2 expected counts outside the 95% limits once phi is
  /// consistent, and flag units with O = 0 whose count is entirely plausible.
  /// Traps unless E is finite and > 0, tau2 finite and >= 0 and 0 < p < 1.
  public static func exactLimit(expected: Double, tau2: Double, probability p: Double) -> Double {
    precondition(
      expected > 0 && expected.isFinite,
      "exactLimit: expected must be finite and > 0, got \(expected)")
    precondition(tau2 >= 0 && tau2.isFinite, "exactLimit: tau2 must be finite and >= 0, got \(tau2)")
    precondition(p > 0 && p < 1, "exactLimit: probability must be in (0, 1), got \(p)")
    let (r, atR, belowR): (Int, Double, Double)
    if tau2 == 0 {
      let poisson = Poisson(mean: expected)
      (r, atR, belowR) = discreteQuantile(p, start: poisson.cornishFisherStart(p), cdf: poisson.cdf)
    } else {
      let nb = NegativeBinomial(mean: expected, size: 1 / (4 * tau2))
      (r, atR, belowR) = discreteQuantile(p, start: nb.cornishFisherStart(p), cdf: nb.cdf)
    }
    let alpha = (atR - p) / (atR - belowR)
    return max(0, (Double(r) - alpha) / expected)
  }

  /// Two-sided p-values of the units of a fit: for O_i observed, 2 min(F(O_i), P(X >= O_i))
  /// capped at 1, with F the count distribution the limits came from (Poisson(E_i), or the
  /// negative binomial with mean E_i and size 1/(4 tau2) when the consistent fit is
  /// overdispersed); for the classic method when overdispersed, 2 Φ(-|z_i|) of the adjusted
  /// deviate. For Benjamini-Hochberg over a level (`benjaminiHochberg`). Not part of `fit`
  /// itself: two cdf evaluations a unit, which the flags alone do not need.
  public func pValues(_ fit: Fit, observed: [Double], expected: [Double]) -> [Double] {
    precondition(observed.count == fit.ratio.count && expected.count == fit.ratio.count)
    @Sendable func p(_ i: Int) -> Double {
      if fit.overdispersed && fit.dispersion == .spiegelhalter {
        return min(1, 2 * Normal.standard.cdf(-abs(fit.z[i])))
      }
      let o = Int(observed[i].rounded())
      let lower: Double
      let upper: Double
      if let tau2 = fit.tau2, tau2 > 0 {
        let nb = NegativeBinomial(mean: expected[i], size: 1 / (4 * tau2))
        (lower, upper) = (nb.cdf(o), nb.sf(o - 1))
      } else {
        let poisson = Poisson(mean: expected[i])
        (lower, upper) = (poisson.cdf(o), poisson.sf(o - 1))
      }
      return min(1, 2 * min(lower, upper))
    }
    var result = [Double](repeating: .nan, count: observed.count)
    let ranges = FunnelPlot.chunks(observed.count)
    result.withUnsafeMutableBufferPointer { buffer in
      let out = SharedPointer(base: buffer.baseAddress!)
      Parallel.forEachWorker(ranges.count) { w in
        for i in ranges[w] { out.base[i] = p(i) }
      }
    }
    return result
  }

  /// The limits at .001, .025, .975 and .999 of a unit with expected count E, on the ratio
  /// scale, never below 0: what `fit` gives each unit, and what a chart draws its limit
  /// curves from. `tau2` is the fit's: nil (not overdispersed) gives the exact Poisson
  /// limits; a value gives the exact negative-binomial limits (`.consistent`) or the normal
  /// limits on the square-root scale, (1 -+ z sqrt(1/(4E) + tau2))^2 (`.spiegelhalter`).
  public func limits(
    expected e: Double, tau2: Double?
  ) -> (lower998: Double, lower95: Double, upper95: Double, upper998: Double) {
    if let t = tau2, dispersion == .spiegelhalter {
      let sd = (1 / (4 * e) + t).squareRoot()
      return (
        FunnelPlot.square(max(0, 1 - z998 * sd)), FunnelPlot.square(max(0, 1 - z95 * sd)),
        FunnelPlot.square(1 + z95 * sd), FunnelPlot.square(1 + z998 * sd)
      )
    }
    let t = tau2 ?? 0
    return (
      FunnelPlot.exactLimit(expected: e, tau2: t, probability: 0.001),
      FunnelPlot.exactLimit(expected: e, tau2: t, probability: 0.025),
      FunnelPlot.exactLimit(expected: e, tau2: t, probability: 0.975),
      FunnelPlot.exactLimit(expected: e, tau2: t, probability: 0.999)
    )
  }

  // MARK: - Implementation details

  /// The flag of a unit with ratio SR against its limits (1e-9 tie rule), and its
  /// `lowPower`.
  static func flag(
    ratio r: Double, _ limits: (lower998: Double, lower95: Double, upper95: Double, upper998: Double)
  ) -> (FunnelFlag, Bool) {
    let flag: FunnelFlag
    if !Ties.greaterOrEqual(r, limits.lower998) {
      flag = .cold
    } else if !Ties.greaterOrEqual(r, limits.lower95) {
      flag = .cool
    } else if !Ties.lessOrEqual(r, limits.upper998) {
      flag = .hot
    } else if !Ties.lessOrEqual(r, limits.upper95) {
      flag = .warm
    } else {
      flag = .normal
    }
    return (flag, Ties.lessOrEqual(limits.lower95, 0))
  }

  /// Margin of `flagWithoutLimits` on the cdf scale: far above the rounding of a computed
  /// cdf (about 1e-15), far below any gap between two probabilities that matter.
  static let cdfMargin = 1e-9

  /// The flag and `lowPower` that `flag(ratio:_:)` gives a unit against its exact limits,
  /// mostly without computing them. With F the unit's count distribution (as computed by
  /// the cdf the limits are found with), an integer count O and r_p the smallest r with
  /// F(r) >= p, the limit is (r_p - alpha)/E with alpha in [0, 1]:
  /// - F(O) >= p: O >= r_p, so O/E >= r_p/E >= the limit: not below it (cold or cool).
  /// - F(O) < p: O <= r_p - 1, so O/E <= (r_p - 1)/E <= the limit: below it unless the two
  ///   are within the tie rule, which needs the limit itself.
  /// The same for the upper limits (F(O) < p: O <= r_p - 1, not above). So a limit is
  /// computed only where F(O) is within `cdfMargin` of its p or beyond it: about 5% of
  /// units, against all four limits of every unit in `fit`. `lowPower` (the 95% lower limit
  /// within 1e-9 of 0) is r_.025 = 0, i.e. F(0) >= .025, computed exactly near that
  /// boundary and for E above 1e6, where a limit of 1/E would itself be near 0. A count
  /// that is not an integer, and the classic method's normal limits, take the limits as
  /// `fit` does.
  func flagWithoutLimits(observed o: Double, expected e: Double, tau2: Double?) -> (FunnelFlag, Bool) {
    let exactLimits = tau2 == nil || dispersion == .consistent
    guard exactLimits, o == o.rounded(), o < 1e15 else {
      return FunnelPlot.flag(ratio: o / e, limits(expected: e, tau2: tau2))
    }
    let t = tau2 ?? 0
    let cdf: (Int) -> Double
    if t == 0 {
      let poisson = Poisson(mean: e)
      cdf = { poisson.cdf($0) }
    } else {
      let nb = NegativeBinomial(mean: e, size: 1 / (4 * t))
      cdf = { nb.cdf($0) }
    }
    let m = FunnelPlot.cdfMargin
    let atO = cdf(Int(o))
    let r = o / e
    @inline(__always) func limit(_ p: Double) -> Double {
      FunnelPlot.exactLimit(expected: e, tau2: t, probability: p)
    }
    var flag = FunnelFlag.normal
    if atO < 0.001 + m, !Ties.greaterOrEqual(r, limit(0.001)) {
      flag = .cold
    } else if atO < 0.025 + m, !Ties.greaterOrEqual(r, limit(0.025)) {
      flag = .cool
    } else if atO >= 0.999 - m, !Ties.lessOrEqual(r, limit(0.999)) {
      flag = .hot
    } else if atO >= 0.975 - m, !Ties.lessOrEqual(r, limit(0.975)) {
      flag = .warm
    }
    let atZero = o == 0 ? atO : cdf(0)
    let lowPower =
      abs(atZero - 0.025) <= m || e > 1e6
      ? Ties.lessOrEqual(limit(0.025), 0) : atZero >= 0.025
    return (flag, lowPower)
  }

  /// 0..<n in one contiguous range per processor (a single range below 2,048 units, where
  /// threads cost more than they save). Each unit's result does not depend on the split.
  static func chunks(_ n: Int) -> [Range<Int>] {
    Parallel.perCore(n, minimum: 2048)
  }

  /// `limits(expected:tau2:)` for every unit, shared by units with the same E (within a
  /// worker's share), on all processors for large levels.
  func fillLimits(
    _ expected: [Double], tau2: Double?, _ lower998: inout [Double], _ lower95: inout [Double],
    _ upper95: inout [Double], _ upper998: inout [Double]
  ) {
    let ranges = FunnelPlot.chunks(expected.count)
    lower998.withUnsafeMutableBufferPointer { l998 in
      lower95.withUnsafeMutableBufferPointer { l95 in
        upper95.withUnsafeMutableBufferPointer { u95 in
          upper998.withUnsafeMutableBufferPointer { u998 in
            let out = (
              SharedPointer(base: l998.baseAddress!), SharedPointer(base: l95.baseAddress!),
              SharedPointer(base: u95.baseAddress!), SharedPointer(base: u998.baseAddress!))
            Parallel.forEachWorker(ranges.count) { w in
              var cache: [Double: (Double, Double, Double, Double)] = [:]
              for i in ranges[w] {
                let e = expected[i]
                let limits: (Double, Double, Double, Double)
                if let hit = cache[e] {
                  limits = hit
                } else {
                  limits = self.limits(expected: e, tau2: tau2)
                  cache[e] = limits
                }
                (out.0.base[i], out.1.base[i], out.2.base[i], out.3.base[i]) = limits
              }
            }
          }
        }
      }
    }
  }

  /// Mean square of the values winsorised at their 10th and 90th type-7 percentiles; NaN
  /// when empty.
  static func winsorisedPhi(_ z: [Double]) -> Double {
    if z.isEmpty { return .nan }
    let bounds = quantilesType7(z, [0.1, 0.9])
    var sum = 0.0
    for value in z {
      let w = min(max(value, bounds[0]), bounds[1])
      sum += w * w
    }
    return sum / Double(z.count)
  }

  @inline(__always) static func square(_ x: Double) -> Double { x * x }
}
