#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The negative binomial distribution with mean μ >= 0 and size k > 0: a Poisson count
/// whose mean is itself gamma-distributed with mean μ and shape k, so that the variance is
/// μ + μ^2/k. (R's `dnbinom(x, size = k, mu = μ)`; scipy's `nbinom(n = k, p = k/(k + μ))`.)
///
/// With p = k/(k + μ) and q = 1 - p = μ/(k + μ), P(X = r) = Γ(r + k)/(Γ(k) r!) p^k q^r and
/// the cdf is a regularised incomplete beta function, P(X <= r) = I_p(k, r + 1) (DLMF
/// 8.17.5 with the binomial-sum identity; Johnson, Kemp & Kotz, *Univariate Discrete
/// Distributions*, 3rd ed., 2005, eq. 5.31). p and q are computed each from its own
/// formula, and their logarithms as -log1p(μ/k) and -log1p(k/μ), so that neither loses
/// digits when k is much larger than μ (nearly Poisson) or much smaller.
public struct NegativeBinomial: Equatable, Sendable {
  /// The mean μ >= 0 (μ = 0 is the point mass at 0).
  public let mean: Double
  /// The size (shape) k > 0; the variance is μ + μ^2/k.
  public let size: Double

  /// NegativeBinomial(mean, size); traps unless the mean is finite and >= 0 and the size
  /// finite and > 0.
  public init(mean: Double, size: Double) {
    precondition(
      mean >= 0 && mean.isFinite, "NegativeBinomial: mean must be finite and >= 0, got \(mean)")
    precondition(
      size > 0 && size.isFinite, "NegativeBinomial: size must be finite and > 0, got \(size)")
    self.mean = mean
    self.size = size
  }

  /// The variance μ + μ^2/k.
  public var variance: Double { mean + mean * mean / size }

  /// P(X = r) = p^k q^r / ((k + r) B(k, r + 1)); 0 for r < 0.
  ///
  /// Written with the incomplete beta's prefactor x^a y^b / B(a, b) at a = k, b = r + 1,
  /// which keeps full precision for large k and r (the naive lgamma differences do not).
  public func pmf(_ r: Int) -> Double {
    if r < 0 { return 0 }
    if mean == 0 { return r == 0 ? 1 : 0 }
    let (p, q, logP, logQ) = parts
    let b = Double(r) + 1
    return exp(
      logBetaPrefix(a: size, b: b, x: p, y: q, logX: logP, logY: logQ) - logQ - log(size + b - 1))
  }

  /// P(X <= r) = I_p(k, r + 1); 0 for r < 0. Accurate to about 1e-13 relative where it is
  /// small (the lower tail); for the upper tail use `sf(r)`.
  public func cdf(_ r: Int) -> Double { tails(r).lower }

  /// The survival function P(X > r) = 1 - I_p(k, r + 1) = I_q(r + 1, k), accurate where it
  /// is small; 1 for r < 0.
  public func sf(_ r: Int) -> Double { tails(r).upper }

  /// (P(X <= r), P(X > r)).
  ///
  /// Where the incomplete beta function would run its continued fraction on I_p(k, r + 1)
  /// with p > 1/2 (the lower tail, r below about the mean, of a distribution whose size
  /// exceeds its mean), that fraction is ill-conditioned: its coefficients are
  /// 1 - (1 - small) in terms of p, and lose about log10(k/|μ - r|) digits (1e-5 relative
  /// at k = 1e12, μ = 33). There the lower tail is summed instead, from P(X = r) down,
  /// with P(X = j - 1) = P(X = j) j/(q (j - 1 + k)): positive terms that fall at least
  /// geometrically below the mode, about 8 standard deviations' worth of them near the
  /// mean. Elsewhere the incomplete beta runs on the well-conditioned side I_q(r + 1, k).
  func tails(_ r: Int) -> (lower: Double, upper: Double) {
    if r < 0 { return (0, 1) }
    if mean == 0 { return (1, 0) }
    let (p, q, logP, logQ) = parts
    let b = Double(r) + 1
    if p > 0.5 && q * (size + b + 2) > b + 1 {
      var term = pmf(r)
      var sum = term
      var j = Double(r)
      while j > 0 {
        term *= j / (q * (j - 1 + size))
        sum += term
        if term <= sum * 0x1p-60 { break }
        j -= 1
      }
      return (sum, 1 - sum)
    }
    return incompleteBeta(a: size, b: b, x: p, y: q, logX: logP, logY: logQ)
  }

  /// The smallest r >= 0 with P(X <= r) >= p, for 0 <= p < 1 (traps otherwise). No fuzz is
  /// applied to p, as for `Poisson.quantile`.
  public func quantile(_ p: Double) -> Int {
    precondition(p >= 0 && p < 1, "NegativeBinomial.quantile: p must be in [0, 1), got \(p)")
    if p == 0 || mean == 0 { return 0 }
    return discreteQuantile(p, start: cornishFisherStart(p), cdf: cdf).r
  }

  /// The Cornish-Fisher start for the quantile at p, with skewness
  /// γ = (k + 2μ)/sqrt(kμ(k + μ)) (the Poisson's 1/sqrt(μ) as k grows).
  func cornishFisherStart(_ p: Double) -> Int {
    let skewness = (size + 2 * mean) / (size * mean * (size + mean)).squareRoot()
    return cornishFisherQuantile(p, mean: mean, sd: variance.squareRoot(), skewness: skewness)
  }

  /// (p, q, log p, log q) with p = k/(k + μ), q = μ/(k + μ).
  private var parts: (Double, Double, Double, Double) {
    let total = size + mean
    return (size / total, mean / total, -log1p(mean / size), -log1p(size / mean))
  }
}

/// The Cornish-Fisher approximation μ + σ (z + γ (z^2 - 1)/6), z = Φ^-1(p), of the p-quantile
/// of a count distribution with mean μ, sd σ and skewness γ, rounded and at least 0: the
/// start of `discreteQuantile`, within a unit or two of the quantile for moderate skewness.
func cornishFisherQuantile(_ p: Double, mean: Double, sd: Double, skewness: Double) -> Int {
  let z = Normal.standardQuantile(p)
  let guess = mean + sd * (z + skewness * (z * z - 1) / 6)
  return guess > 0 ? Int(min(guess.rounded(), 9e15)) : 0
}

/// The smallest integer r >= 0 with cdf(r) >= p, 0 < p < 1, with cdf(r) and cdf(r - 1)
/// (cdf(-1) = 0), for a distribution on 0, 1, 2, ... whose cdf is non-decreasing as
/// computed.
///
/// Walks one step at a time from `start` (a Cornish-Fisher value, within a unit or two of r
/// for most distributions), so that the two values of the cdf it returns come for free: about
/// two evaluations in all. After 32 steps it brackets r by doubling steps and bisects, so a
/// poor start costs O(log distance) evaluations, never a wrong answer.
func discreteQuantile(
  _ p: Double, start: Int, cdf: (Int) -> Double
) -> (r: Int, atR: Double, belowR: Double) {
  var r = max(0, start)
  var atR = cdf(r)
  if atR >= p {
    for _ in 0..<32 {
      let below = cdf(r - 1)
      if below < p { return (r, atR, below) }
      r -= 1
      atR = below
    }
  } else {
    for _ in 0..<32 {
      let above = cdf(r + 1)
      if above >= p { return (r + 1, above, atR) }
      r += 1
      atR = above
    }
  }
  // Invariant once bracketed: cdf(low) < p <= cdf(high); cdf(-1) = 0 < p.
  var low: Int
  var high: Int
  var step = 1
  if atR >= p {
    high = r
    while true {
      let candidate = high - step
      if candidate < 0 {
        low = -1
        break
      }
      if cdf(candidate) < p {
        low = candidate
        break
      }
      high = candidate
      step *= 2
    }
  } else {
    low = r
    while true {
      let candidate = low + step
      if cdf(candidate) >= p {
        high = candidate
        break
      }
      low = candidate
      step *= 2
    }
  }
  while high - low > 1 {
    let mid = low + (high - low) / 2
    if cdf(mid) >= p { high = mid } else { low = mid }
  }
  return (high, cdf(high), cdf(high - 1))
}
