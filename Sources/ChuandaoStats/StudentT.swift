#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Student's t distribution with `degreesOfFreedom` ν > 0 (any real ν, not only integers).
///
/// The tail is P(T > t) = I_x(ν/2, 1/2)/2, x = ν/(ν + t^2), through
/// `SpecialFunctions`' regularised incomplete beta, with log x = -log1p(t^2/ν) passed in
/// exactly so that large ν (where x rounds to 1) and huge |t| (where x underflows) keep
/// full relative precision. ν = +infinity is the standard normal.
public struct StudentT: Equatable, Sendable {
  /// The degrees of freedom ν > 0 (+infinity allowed).
  public let degreesOfFreedom: Double

  /// Student's t with `df` degrees of freedom; traps unless df > 0 (df = +infinity is the
  /// standard normal).
  public init(df: Double) {
    precondition(df > 0, "StudentT: degrees of freedom must be positive, got \(df)")
    degreesOfFreedom = df
  }

  /// The density Γ((ν+1)/2) / (sqrt(νπ) Γ(ν/2)) (1 + t^2/ν)^(-(ν+1)/2), computed as
  /// exp(-(ν+1)/2 log1p(t^2/ν) - log(ν)/2 - log B(ν/2, 1/2)).
  public func pdf(_ t: Double) -> Double {
    let ν = degreesOfFreedom
    if ν.isInfinite { return Normal.standardPDF(t) }
    if t.isNaN { return .nan }
    let logs = tailLogs(abs(t))
    return exp(
      0.5 * (ν + 1) * logs.logX - 0.5 * log(ν) - SpecialFunctions.logBeta(0.5 * ν, 0.5))
  }

  /// P(T <= t). Relative accuracy about 1e-13 in both tails (the smaller tail is always
  /// computed directly, the larger one as 1 minus it), for any ν from 0.3 to 1e9 and beyond
  /// (large ν through the asymptotic expansion of the incomplete beta function).
  /// cdf(-inf) = 0, cdf(+inf) = 1, NaN for NaN.
  public func cdf(_ t: Double) -> Double {
    if t.isNaN { return .nan }
    if degreesOfFreedom.isInfinite { return Normal.standardCDF(t) }
    let tail = upperTail(abs(t))
    return t < 0 ? tail : 1 - tail
  }

  /// The survival function P(T > t) = cdf(-t), accurate in the upper tail.
  public func sf(_ t: Double) -> Double {
    cdf(-t)
  }

  /// The quantile: the t with P(T <= t) = p.
  ///
  /// ν = 1 (Cauchy) and ν = 2 in closed form; otherwise Hill's approximation (ACM
  /// Algorithm 396, CACM 13(10), 619-620, 1970, doi:10.1145/355598.355600; for ν < 1 the
  /// leading term of the tail, |t| ~ sqrt(ν) (p ν B(ν/2, 1/2))^(-1/ν)), refined by Newton
  /// steps on log P(T > t), safeguarded by bisection within a bracket, until the step is
  /// below 1e-15 |t|. Newton runs on log t where |t| > 1, where the tail is close to a power
  /// of t, so the far tails (p = 1e-300) converge as fast as the bulk: two to four steps.
  /// The result is accurate to about 1e-14 relative. quantile(0) = -inf, quantile(1) = +inf,
  /// quantile(0.5) = 0, NaN outside [0, 1]; ±infinity where the quantile is beyond the
  /// doubles (ν = 0.3, p = 1e-300). For ν = +infinity, the normal quantile. For an upper
  /// tail probability q use `isf(q)`, not `quantile(1 - q)`.
  public func quantile(_ p: Double) -> Double {
    guard p >= 0 && p <= 1 else { return .nan }
    if degreesOfFreedom.isInfinite { return Normal.standardQuantile(p) }
    if p == 0.5 { return 0 }
    // p >= 0.5 makes 1 - p exact (Sterbenz), so the smaller tail is always exact.
    return p < 0.5 ? -upperQuantile(p) : upperQuantile(1 - p)
  }

  /// The inverse survival function: the t with P(T > t) = q, i.e. -quantile(q).
  public func isf(_ q: Double) -> Double {
    -quantile(q)
  }
}

// MARK: - Implementation

extension StudentT {
  /// For s >= 0: x = ν/(ν + s^2) and y = s^2/(ν + s^2) with their logarithms, without
  /// overflow of s^2 and with log x = -log1p(s^2/ν) exact where x rounds to 1.
  func tailLogs(_ s: Double) -> (x: Double, y: Double, logX: Double, logY: Double) {
    let r = s / degreesOfFreedom.squareRoot()
    if r > 1e8 {
      // 1/r^2 < 1e-16: log1p(r^2) = 2 log r to rounding, and y = 1. (r itself may overflow
      // for ν < 1.)
      let logX = -2 * log(s) + log(degreesOfFreedom)
      let x = exp(logX)
      return (x, 1, logX, -x)
    }
    let r2 = r * r
    let logX = -log1p(r2)
    return (1 / (1 + r2), r2 / (1 + r2), logX, log(r2) + logX)
  }

  /// P(T > s) for s >= 0: I_x(ν/2, 1/2)/2.
  func upperTail(_ s: Double) -> Double {
    if s == 0 { return 0.5 }
    if s.isInfinite { return 0 }
    let logs = tailLogs(s)
    let beta = incompleteBeta(
      a: 0.5 * degreesOfFreedom, b: 0.5, x: logs.x, y: logs.y, logX: logs.logX, logY: logs.logY)
    return 0.5 * beta.lower
  }

  /// The s > 0 with P(T > s) = q, for 0 <= q < 1/2.
  func upperQuantile(_ q: Double) -> Double {
    let ν = degreesOfFreedom
    if q == 0 { return .infinity }
    if ν == 1 {
      // Cauchy: q = 1/2 - atan(s)/π. Both forms keep the argument of tan exact.
      return q < 0.25 ? 1 / tan(Double.pi * q) : tan(Double.pi * (0.5 - q))
    }
    if ν == 2 {
      // q = 1/2 - s / (2 sqrt(2 + s^2)).
      return (1 - 2 * q) / (2 * q * (1 - q)).squareRoot()
    }
    var s = hillStart(q)
    if !(s.isFinite && s > 0) {
      if upperTail(Double.greatestFiniteMagnitude) > q { return .infinity }
      s = s > 0 ? Double.greatestFiniteMagnitude : 1
    }
    var low = 0.0
    var high = Double.infinity
    for _ in 0..<200 {
      let tail = upperTail(s)
      if tail == q { return s }
      if tail > q { low = s } else { high = s }
      // Newton on g(s) = log(P(T > s)/q), g'(s) = -pdf(s)/P(T > s). (The ratio, not
      // log P - log q: both logs are near -115 at q = 1e-50, where their ulp is 1e-14.)
      let density = pdf(s)
      var next = Double.nan
      if tail > 0 && density > 0 {
        let step = log(tail / q) * tail / density
        next = s > 1 ? s * exp(step / s) : s + step
      }
      if !(next > low && next < high) {
        if high.isInfinite {
          next = 2 * s + 1
        } else if low > 1 {
          next = low * (high / low).squareRoot()
        } else {
          next = 0.5 * (low + high)
        }
      }
      if abs(next - s) <= 1e-15 * s || next == low || next == high { return next }
      s = next
    }
    return s
  }

  /// Hill's (1970) starting value for the s > 0 with P(T > s) = q, ν >= 1; for ν < 1, or
  /// where Hill's tail formula underflows, the leading term of the tail expansion.
  func hillStart(_ q: Double) -> Double {
    let n = degreesOfFreedom
    let p2 = 2 * q
    let tailTerm = {
      n.squareRoot()
        * exp(-(log(q) + log(n) + SpecialFunctions.logBeta(0.5 * n, 0.5)) / n)
    }
    if n < 1 { return tailTerm() }
    let a = 1 / (n - 0.5)
    let b = 48 / (a * a)
    var c = ((20700 * a / b - 98) * a - 16) * a + 96.36
    let d = ((94.5 / (b + c) - 3) / b + 1) * (a * Double.pi / 2).squareRoot() * n
    var y = pow(d * p2, 2 / n)
    if y > 0.05 + a {
      let x = Normal.standardQuantile(q)
      y = x * x
      if n < 5 { c += 0.3 * (n - 4.5) * (x + 0.6) }
      c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
      y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
      y = expm1(a * y * y)
    } else if y < Double.ulpOfOne {
      return tailTerm()
    } else {
      y =
        ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1)
        * (n + 1) / (n + 2) + 1 / y
    }
    return (n * y).squareRoot()
  }
}
