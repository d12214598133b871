#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Poisson distribution with mean μ >= 0.
///
/// The cdf is the regularised upper incomplete gamma function, P(X <= k) = Q(k + 1, μ)
/// (DLMF 8.4.10: Γ(k + 1, μ)/k! = e^-μ sum_{j<=k} μ^j/j!), so no probabilities are summed
/// one by one: for μ and k up to 1e7 and beyond a call costs O(sqrt(max(k, μ))) work,
/// about 27 000 terms of a series or continued fraction at 1e7 (0.5 ms in a debug build).
public struct Poisson: Equatable, Sendable {
  /// The mean μ >= 0 (μ = 0 is the point mass at 0).
  public let mean: Double

  /// Poisson(mean); traps unless the mean is finite and non-negative.
  public init(mean: Double) {
    precondition(
      mean >= 0 && mean.isFinite, "Poisson: mean must be finite and non-negative, got \(mean)")
    self.mean = mean
  }

  /// P(X = k) = μ^k e^-μ / k!, computed in logarithms without cancellation for large k and
  /// μ (the gamma prefactor of `SpecialFunctions.regularizedGammaP`: μ^(k+1) e^-μ / k!,
  /// divided by μ). 0 for k < 0.
  public func pmf(_ k: Int) -> Double {
    if k < 0 { return 0 }
    if mean == 0 { return k == 0 ? 1 : 0 }
    return exp(logGammaPrefix(a: Double(k) + 1, x: mean) - log(mean))
  }

  /// P(X <= k) = Q(k + 1, μ); 0 for k < 0. Accurate to about 1e-13 relative in the lower
  /// tail; for the upper tail use `sf(k)`.
  public func cdf(_ k: Int) -> Double {
    if k < 0 { return 0 }
    if mean == 0 { return 1 }
    return incompleteGamma(a: Double(k) + 1, x: mean)!.upper
  }

  /// The survival function P(X > k) = P(k + 1, μ), accurate where it is small; 1 for k < 0.
  public func sf(_ k: Int) -> Double {
    if k < 0 { return 1 }
    if mean == 0 { return 0 }
    return incompleteGamma(a: Double(k) + 1, x: mean)!.lower
  }

  /// The smallest r >= 0 with P(X <= r) >= p, for 0 <= p < 1 (traps otherwise: for p = 1
  /// no finite r exists when μ > 0).
  ///
  /// No fuzz is applied to p (unlike R's `qpois`, which lowers p by 64 ulps), so the result
  /// is exactly the definition evaluated with `cdf`, as scipy's `poisson.ppf` does.
  /// Starts from the Cornish-Fisher value μ + σ z + (z^2 - 1)/6, z = Φ^-1(p), which is within
  /// a few units for large μ (`discreteQuantile`), so a call costs a handful of cdf
  /// evaluations. quantile(0) = 0.
  public func quantile(_ p: Double) -> Int {
    precondition(p >= 0 && p < 1, "Poisson.quantile: p must be in [0, 1), got \(p)")
    if p == 0 || mean == 0 { return 0 }
    return discreteQuantile(p, start: cornishFisherStart(p), cdf: cdf).r
  }

  /// The Cornish-Fisher start μ + σ z + (z^2 - 1)/6 (σ = sqrt(μ), skewness 1/σ).
  func cornishFisherStart(_ p: Double) -> Int {
    let sd = mean.squareRoot()
    return cornishFisherQuantile(p, mean: mean, sd: sd, skewness: 1 / sd)
  }
}
