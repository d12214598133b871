#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The special functions the distributions are built on: log-gamma, log-beta and the
/// regularised incomplete beta and gamma functions.
///
/// Accuracy target: relative error about 1e-13 or better wherever the result is a normal
/// double (checked against scipy and mpmath in the ChuandaoStats tests), including large
/// parameters (a up to 1e7 and beyond), where the usual textbook prefactors
/// `exp(a log x - x - lgamma(a))` lose digits to cancellation. The prefactors here are
/// written around Stirling's series instead (Temme, *Special Functions*, 1996, ch. 3 and
/// 11; DiDonato & Morris, ACM TOMS 12(4), 1986, doi:10.1145/22721.23109).
public enum SpecialFunctions {
  /// log |Γ(x)| (glibc `lgamma_r`, the reentrant form: no write to the global `signgam`).
  ///
  /// +infinity at the poles x = 0, -1, -2, ...; NaN for NaN.
  public static func logGamma(_ x: Double) -> Double {
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
  }

  /// log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a + b), for a, b > 0.
  ///
  /// When the larger argument is at least 10, the Stirling parts of the log-gammas are
  /// cancelled analytically and only their small remainders δ are subtracted, so that
  /// log B(5e5, 0.5) keeps full precision (the naive difference of log-gammas of size 6e6
  /// would lose about 7 digits). The same splitting as R's `lbeta` (after DiDonato &
  /// Morris, TOMS 708).
  /// NaN unless a, b > 0.
  public static func logBeta(_ a: Double, _ b: Double) -> Double {
    guard a > 0 && b > 0 else { return .nan }
    let p = min(a, b)
    let q = max(a, b)
    if q.isInfinite { return -.infinity }
    let ratio = p / (p + q)
    if p >= 10 {
      return -0.5 * log(q) + halfLogTwoPi + stirlingRemainder(p) + stirlingRemainder(q)
        - stirlingRemainder(p + q) + (p - 0.5) * log(ratio) + q * log1p(-ratio)
    }
    if q >= 10 {
      return logGamma(p) + stirlingRemainder(q) - stirlingRemainder(p + q) + p - p * log(p + q)
        + (q - 0.5) * log1p(-ratio)
    }
    return logGamma(p) + logGamma(q) - logGamma(p + q)
  }

  /// The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), a, b > 0,
  /// 0 <= x <= 1.
  ///
  /// Lentz's continued fraction (Numerical Recipes, 3rd ed., §6.4) on I_x(a, b) when
  /// x < (a + 1)/(a + b + 2) and on 1 - I_{1-x}(b, a) otherwise, so the continued fraction
  /// always runs where it converges (O(sqrt(max(a, b))) terms at worst). When one parameter
  /// is at most 1 and the other at least 200, those many terms each fall below an ulp and
  /// the fraction stops early, so DiDonato & Morris' asymptotic expansion (TOMS 708, BGRAT)
  /// is used instead; this is the case of Student's t with large ν. I_0 = 0, I_1 = 1; NaN
  /// outside the domain. For the complement 1 - I_x(a, b) without cancellation, use
  /// `regularizedBetaComplement`.
  public static func regularizedBeta(_ x: Double, a: Double, b: Double) -> Double {
    incompleteBeta(x, a: a, b: b)?.lower ?? .nan
  }

  /// 1 - I_x(a, b) = I_{1-x}(b, a), accurate when it is small (x near 1).
  public static func regularizedBetaComplement(_ x: Double, a: Double, b: Double) -> Double {
    incompleteBeta(x, a: a, b: b)?.upper ?? .nan
  }

  /// The regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), a > 0, x >= 0.
  ///
  /// Series for x < a + 1, Lentz's continued fraction for Q otherwise (Numerical Recipes,
  /// 3rd ed., §6.2); both take O(sqrt(a)) terms at worst, about 27 000 for a = 1e7.
  /// The prefactor x^a e^-x / Γ(a) is computed as
  /// exp(a log1pmx((x - a)/a) + log(a / 2π)/2 - δ(a)), δ the Stirling remainder, which
  /// keeps full precision for a and x near 1e7, where a log x and lgamma(a) are 1.6e8 and
  /// their naive difference would keep only 8 digits. Of P and Q, the one not computed
  /// directly is 1 minus the other; for a >= 1 it is then at least about 0.1, so this costs
  /// at most a digit (more only for small a: Q(0.01, 1) = 2e-3 keeps about 13).
  /// P(a, 0) = 0, P(a, +inf) = 1; NaN outside the domain.
  public static func regularizedGammaP(a: Double, x: Double) -> Double {
    incompleteGamma(a: a, x: x)?.lower ?? .nan
  }

  /// The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x) = Γ(a, x) / Γ(a),
  /// accurate when it is small (x well above a). Same method and domain as
  /// `regularizedGammaP(a:x:)`; Q(a, 0) = 1, Q(a, +inf) = 0.
  public static func regularizedGammaQ(a: Double, x: Double) -> Double {
    incompleteGamma(a: a, x: x)?.upper ?? .nan
  }
}

// MARK: - Implementation

/// log(2π)/2.
let halfLogTwoPi = 0.918_938_533_204_672_741_78

/// δ(x) = log Γ(x) - [(x - 1/2) log x - x + log(2π)/2], the remainder of Stirling's series
/// (R's `lgammacor`, Loader's `stirlerr`). For x >= 10 the asymptotic series
/// sum B_2k / (2k (2k - 1) x^(2k-1)) to k = 8, whose truncation error is below 2e-18 there;
/// below 10 the difference itself, whose terms are small enough to keep an absolute
/// error of a few ulps.
func stirlingRemainder(_ x: Double) -> Double {
  if x >= 10 {
    let r = 1 / x
    let r2 = r * r
    // 1/12, -1/360, 1/1260, -1/1680, 1/1188, -691/360360, 1/156, -3617/122400
    var s = -3617.0 / 122_400
    s = s * r2 + 1.0 / 156
    s = s * r2 - 691.0 / 360_360
    s = s * r2 + 1.0 / 1188
    s = s * r2 - 1.0 / 1680
    s = s * r2 + 1.0 / 1260
    s = s * r2 - 1.0 / 360
    s = s * r2 + 1.0 / 12
    return s * r
  }
  return SpecialFunctions.logGamma(x) - ((x - 0.5) * log(x) - x + halfLogTwoPi)
}

/// log(1 + d) - d without cancellation for small d (it is about -d^2/2 there).
///
/// For |d| < 1/2, with r = d / (2 + d), log(1 + d) = 2 atanh r, d = 2r / (1 - r), so
/// log(1 + d) - d = -2r^2/(1 - r) + 2 (r^3/3 + r^5/5 + ...), |r| <= 1/3: no cancellation
/// and at most 17 terms. Elsewhere the direct difference loses nothing.
func log1pmx(_ d: Double) -> Double {
  guard abs(d) < 0.5 else { return log1p(d) - d }
  let r = d / (2 + d)
  let r2 = r * r
  var power = r * r2
  var sum = power / 3
  var k = 5.0
  while true {
    power *= r2
    let term = power / k
    sum += term
    if abs(term) <= abs(sum) * 1e-17 { break }
    k += 2
  }
  return 2 * sum - 2 * r2 / (1 - r)
}

/// log(x^a e^-x / Γ(a)) for a > 0, x > 0, stable for large a with x near a.
///
/// a log x - x - log Γ(a) = a [log(x/a) - (x/a - 1)] + log(a/2π)/2 - δ(a), the bracket by
/// `log1pmx` when x/a is near 1 (the only place the naive form cancels).
func logGammaPrefix(a: Double, x: Double) -> Double {
  let ratio = x / a
  let d = (x - a) / a
  let main: Double
  if abs(d) < 0.5 {
    main = a * log1pmx(d)
  } else if ratio >= Double.leastNormalMagnitude && ratio.isFinite {
    main = a * log(ratio) - (x - a)
  } else {
    main = a * (log(x) - log(a)) - (x - a)
  }
  return main + 0.5 * log(a / (2 * Double.pi)) - stirlingRemainder(a)
}

/// (P(a, x), Q(a, x)), each computed directly where it is the smaller one; nil outside
/// the domain.
func incompleteGamma(a: Double, x: Double) -> (lower: Double, upper: Double)? {
  guard a > 0 && a.isFinite && x >= 0 else { return nil }
  if x == 0 { return (0, 1) }
  if x.isInfinite { return (1, 0) }
  let prefix = exp(logGammaPrefix(a: a, x: x))
  let maxIterations = 1000 + Int(50 * max(a, x).squareRoot())
  if x < a + 1 {
    // P = prefix * sum_{n>=0} x^n / (a (a+1) ... (a+n))
    var term = 1 / a
    var sum = term
    var denominator = a
    for _ in 0..<maxIterations {
      denominator += 1
      term *= x / denominator
      sum += term
      if term <= sum * 1e-17 { break }
    }
    let p = prefix * sum
    return (p, 1 - p)
  }
  let q = prefix * gammaContinuedFraction(a: a, x: x)
  return (1 - q, q)
}

/// Q(a, x) / (x^a e^-x / Γ(a)) for x >= a + 1: the continued fraction
/// 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), modified Lentz (Numerical Recipes §6.2).
func gammaContinuedFraction(a: Double, x: Double) -> Double {
  let tiny = 1e-300
  let maxIterations = 1000 + Int(50 * max(a, x).squareRoot())
  var b = x + 1 - a
  var c = 1 / tiny
  var d = 1 / b
  var h = d
  for i in 1...maxIterations {
    let an = -Double(i) * (Double(i) - a)
    b += 2
    d = an * d + b
    if abs(d) < tiny { d = tiny }
    c = b + an / c
    if abs(c) < tiny { c = tiny }
    d = 1 / d
    let delta = d * c
    h *= delta
    if abs(delta - 1) <= Double.ulpOfOne { break }
  }
  return h
}

/// (I_x(a, b), 1 - I_x(a, b)) for the public entry points; nil outside the domain.
func incompleteBeta(_ x: Double, a: Double, b: Double) -> (lower: Double, upper: Double)? {
  guard a > 0 && b > 0 && a.isFinite && b.isFinite && x >= 0 && x <= 1 else { return nil }
  let y = 1 - x
  return incompleteBeta(a: a, b: b, x: x, y: y, logX: log(x), logY: log1p(-x))
}

/// (I_x(a, b), 1 - I_x(a, b)) with y = 1 - x and the logarithms supplied by the caller,
/// who can often compute them more accurately than from x (for Student's t,
/// log x = -log1p(t^2/ν) exactly, even where x itself rounds to 1 or underflows).
///
/// x and y are used only in the continued fraction and to choose the side; the
/// prefactor x^a y^b / B(a, b) comes from the logarithms.
func incompleteBeta(
  a: Double, b: Double, x: Double, y: Double, logX: Double, logY: Double
) -> (lower: Double, upper: Double) {
  if logX == -.infinity { return (0, 1) }
  if logY == -.infinity { return (1, 0) }
  // One large and one small (<= 1) parameter: the continued fraction would need
  // O(sqrt(a)) terms whose individual contributions fall below an ulp, so it stops early
  // (1e-8 wrong for Student's t with ν = 1e9). Use the asymptotic expansion instead, except
  // far out on the side where the continued fraction on the small parameter is quick.
  if b <= 1 && a >= 200 && a * y >= 1e-3 {
    let lower = incompleteBetaLargeA(a: a, b: b, logX: logX)
    return (lower, 1 - lower)
  }
  if a <= 1 && b >= 200 && b * x >= 1e-3 {
    let upper = incompleteBetaLargeA(a: b, b: a, logX: logY)
    return (1 - upper, upper)
  }
  let prefix = exp(logBetaPrefix(a: a, b: b, x: x, y: y, logX: logX, logY: logY))
  // x < (a + 1)/(a + b + 2), tested on whichever of x and y is the more precise.
  let direct = x <= 0.5 ? x * (a + b + 2) < a + 1 : y * (a + b + 2) > b + 1
  if direct {
    let lower = prefix * betaContinuedFraction(a: a, b: b, x: x) / a
    return (lower, 1 - lower)
  }
  let upper = prefix * betaContinuedFraction(a: b, b: a, x: y) / b
  return (1 - upper, upper)
}

/// log(x^a y^b / B(a, b)), y = 1 - x.
///
/// With a small parameter (min(a, b) < 10, as for Student's t where b = 1/2) the direct
/// sum a log x + b log y - log B(a, b) is exact to rounding given accurate logarithms.
/// With both large, the terms a log x and log B are huge and nearly cancel, so write
/// x0 = a/(a+b), y0 = b/(a+b) and use Stirling on each gamma:
/// a log(x/x0) + b log(y/y0) + log(ab/(a+b))/2 - log(2π)/2 - δ(a) - δ(b) + δ(a+b),
/// where a log(x/x0) + b log(y/y0) = a log1pmx(x/x0 - 1) + b log1pmx(y/y0 - 1) because
/// a (x/x0 - 1) + b (y/y0 - 1) = (a+b)(x + y - 1) = 0 (TOMS 708's `brcomp`, simplified).
/// x - x0 equals y0 - y; of the two, the difference of the smaller numbers is taken, since
/// near 1 (the negative binomial with a size far above its mean) x - x0 keeps only the
/// digits that x and x0 have beyond their shared leading 9s.
func logBetaPrefix(
  a: Double, b: Double, x: Double, y: Double, logX: Double, logY: Double
) -> Double {
  if min(a, b) < 10 {
    return a * logX + b * logY - SpecialFunctions.logBeta(a, b)
  }
  let n = a + b
  let x0 = a / n
  let y0 = b / n
  func part(_ a: Double, _ logX: Double, _ x0: Double, _ difference: Double) -> Double {
    let d = difference / x0
    return abs(d) < 0.5 ? a * log1pmx(d) : a * (logX - log(x0) - d)
  }
  return part(a, logX, x0, x <= 0.5 ? x - x0 : y0 - y)
    + part(b, logY, y0, y <= 0.5 ? y - y0 : x0 - x) + 0.5 * (log(a) + log(b / n))
    - halfLogTwoPi - stirlingRemainder(a) - stirlingRemainder(b) + stirlingRemainder(n)
}

/// The continued fraction of I_x(a, b) (Numerical Recipes, 3rd ed., eq. 6.4.5), modified
/// Lentz: I_x(a, b) = x^a (1-x)^b / (a B(a, b)) * this. Converges quickly for
/// x < (a + 1)/(a + b + 2).
func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
  let tiny = 1e-300
  let qab = a + b
  let qap = a + 1
  let qam = a - 1
  var c = 1.0
  var d = 1 - qab * x / qap
  if abs(d) < tiny { d = tiny }
  d = 1 / d
  var h = d
  let maxIterations = 1000 + Int(50 * max(a, b).squareRoot())
  for m in 1...maxIterations {
    let m = Double(m)
    let m2 = 2 * m
    var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if abs(d) < tiny { d = tiny }
    c = 1 + aa / c
    if abs(c) < tiny { c = tiny }
    d = 1 / d
    h *= d * c
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if abs(d) < tiny { d = tiny }
    c = 1 + aa / c
    if abs(c) < tiny { c = tiny }
    d = 1 / d
    let delta = d * c
    h *= delta
    if abs(delta - 1) <= Double.ulpOfOne { break }
  }
  return h
}

/// I_x(a, b) for large a and b <= 1: the asymptotic expansion of DiDonato & Morris
/// (ACM TOMS 18(3), 360-373, 1992, doi:10.1145/131766.131776, routine BGRAT, eqs. 9-9.6;
/// also Boost.Math's `beta_small_b_large_a_series`), in terms of Q(b, u),
/// u = -(a + (b - 1)/2) log x:
/// I_x(a, b) = M sum_n p_n J_n, M = h Γ(a + b) / (Γ(a) T^b), h = u^b e^-u / Γ(b),
/// J_0 = Q(b, u)/h, with p_n and J_n from the recurrences 9.4 and 9.6. Each term gains a
/// factor of order 1/a^2, so 30 terms are far more than enough for a >= 200.
func incompleteBetaLargeA(a: Double, b: Double, logX: Double) -> Double {
  let t = a + (b - 1) / 2
  let u = -t * logX
  let logH = logGammaPrefix(a: b, x: u)
  // log(Γ(a + b) / (Γ(a) T^b)) by Stirling, without the cancellation of
  // lgamma(a + b) - lgamma(a): (a - 1/2) log1p(b/a) - b + b log((a + b)/T) + δ(a + b) - δ(a),
  // where (a + b)/T = 1 + (b + 1)/(2T).
  let logRatio =
    (a - 0.5) * log1p(b / a) - b + b * log1p((b + 1) / (2 * t)) + stirlingRemainder(a + b)
    - stirlingRemainder(a)
  let prefix = exp(logH + logRatio)
  if prefix == 0 { return 0 }
  // J_0 = Q(b, u)/h, from the continued fraction itself where h might underflow.
  var j =
    u >= b + 1
    ? gammaContinuedFraction(a: b, x: u) : incompleteGamma(a: b, x: u)!.upper / exp(logH)
  var sum = prefix * j
  var p = [Double](repeating: 0, count: 30)
  p[0] = 1
  let halfLogSquared = (logX / 2) * (logX / 2)
  var logPower = 1.0
  let fourTSquared = 4 * t * t
  var b2n = b
  for n in 1..<30 {
    var pn = 0.0
    for m in 1..<n {
      pn += (Double(m) * b - Double(n)) * p[n - m] / oddFactorials[m]
    }
    pn = pn / Double(n) + (b - 1) / oddFactorials[n]
    p[n] = pn
    j = (b2n * (b2n + 1) * j + (u + b2n + 1) * logPower) / fourTSquared
    logPower *= halfLogSquared
    b2n += 2
    let term = prefix * pn * j
    sum += term
    if abs(term) <= abs(sum) * Double.ulpOfOne { break }
  }
  return sum
}

/// (2m + 1)! for m = 0..<30.
private let oddFactorials: [Double] = {
  var values = [Double](repeating: 1, count: 30)
  var factorial = 1.0
  var k = 1.0
  for m in 0..<30 {
    while k < Double(2 * m + 1) {
      k += 1
      factorial *= k
    }
    values[m] = factorial
  }
  return values
}()
