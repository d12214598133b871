import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
/// generators"): used only to expand one 64-bit seed into xoshiro256**'s state.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }

  @inlinable public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2021, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 47(4), doi:10.1145/3460772), seeded through SplitMix64.
///
/// The toolkit's one generator (METHODS.md section 7), chosen so that a seed gives the
/// same draws in every release and on every platform: nothing here depends on the Swift
/// standard library's own random algorithms, which may change.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
  @usableFromInline var s: (UInt64, UInt64, UInt64, UInt64)

  /// The state is four successive SplitMix64 outputs from `seed`.
  public init(seed: UInt64) {
    var sm = SplitMix64(seed: seed)
    s = (sm.next(), sm.next(), sm.next(), sm.next())
  }

  @usableFromInline @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 &- k))
  }

  @inlinable public mutating func next() -> UInt64 {
    let result = Xoshiro256StarStar.rotl(s.1 &* 5, 7) &* 9
    let t = s.1 << 17
    s.2 ^= s.0
    s.3 ^= s.1
    s.1 ^= s.2
    s.0 ^= s.3
    s.2 ^= t
    s.3 = Xoshiro256StarStar.rotl(s.3, 45)
    return result
  }

  /// Advances the state by 2^128 draws: call it k times on a copy to get the k-th of many
  /// non-overlapping streams (the reference `jump()`).
  public mutating func jump() {
    let jumps: [UInt64] = [
      0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C, 0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C,
    ]
    var a: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    for j in jumps {
      for b in 0..<64 {
        if j & (UInt64(1) << UInt64(b)) != 0 {
          a.0 ^= s.0
          a.1 ^= s.1
          a.2 ^= s.2
          a.3 ^= s.3
        }
        _ = next()
      }
    }
    s = a
  }
}

/// Random variates from xoshiro256**, by the methods METHODS.md names, so that they are
/// reproducible across releases.
public struct RandomSource: Sendable {
  public var engine: Xoshiro256StarStar
  /// The second normal of the last polar pair, returned by the next `normal()`.
  private var spareNormal: Double?

  public init(seed: UInt64) {
    engine = Xoshiro256StarStar(seed: seed)
  }

  public init(engine: Xoshiro256StarStar) {
    self.engine = engine
  }

  public mutating func next() -> UInt64 { engine.next() }

  /// A uniform in [0, 1): the top 53 bits, `(x >> 11) * 2^-53`.
  public mutating func uniform() -> Double {
    Double(engine.next() >> 11) * 0x1.0p-53
  }

  /// A uniform integer in `0 ..< n` by Lemire's multiply-and-reject method (2019,
  /// "Fast random integer generation in an interval", doi:10.1145/3230636): unbiased.
  public mutating func int(below n: Int) -> Int {
    precondition(n > 0, "int(below:) needs n > 0")
    let bound = UInt64(n)
    var m = engine.next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = engine.next().multipliedFullWidth(by: bound) }
    }
    return Int(m.high)
  }

  /// A uniform integer in a closed range.
  public mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
  }

  /// True with probability p.
  public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

  /// A standard normal by Marsaglia's polar method (Marsaglia & Bray 1964): each accepted
  /// pair gives two normals; the second is kept for the next call.
  public mutating func normal() -> Double {
    if let z = spareNormal {
      spareNormal = nil
      return z
    }
    while true {
      let u = 2 * uniform() - 1
      let v = 2 * uniform() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        let f = (-2 * Foundation.log(s) / s).squareRoot()
        spareNormal = v * f
        return u * f
      }
    }
  }

  public mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

  /// A gamma(shape, 1) variate by Marsaglia & Tsang (2000, "A simple method for generating
  /// gamma variables", ACM TOMS 26(3)); for shape < 1, gamma(shape + 1) * U^(1/shape).
  public mutating func gamma(shape a: Double) -> Double {
    precondition(a > 0, "gamma(shape:) needs shape > 0")
    if a < 1 {
      let g = gamma(shape: a + 1)
      return g * Foundation.pow(uniform(), 1 / a)
    }
    let d = a - 1.0 / 3.0
    let c = 1 / (9 * d).squareRoot()
    while true {
      var x: Double
      var v: Double
      repeat {
        x = normal()
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = uniform()
      let x2 = x * x
      if u < 1 - 0.0331 * x2 * x2 { return d * v }
      if Foundation.log(u) < 0.5 * x2 + d * (1 - v + Foundation.log(v)) { return d * v }
    }
  }

  /// A Dirichlet(alpha) draw: independent gamma(alpha_i) variates scaled to sum 1.
  public mutating func dirichlet(_ alpha: [Double]) -> [Double] {
    var g = alpha.map { gamma(shape: $0) }
    let total = g.reduce(0, +)
    for i in g.indices { g[i] /= total }
    return g
  }

  /// A Poisson(mean) count: inversion by sequential search below mean 10, else Hörmann's
  /// PTRS transformed rejection (1993, "The transformed rejection method for generating
  /// Poisson random variables", Insurance: Mathematics and Economics 12(1)).
  public mutating func poisson(mean lambda: Double) -> Int {
    precondition(lambda >= 0 && lambda.isFinite, "poisson(mean:) needs a finite mean >= 0")
    if lambda == 0 { return 0 }
    if lambda < 10 {
      var k = 0
      var p = Foundation.exp(-lambda)
      var cdf = p
      let u = uniform()
      while u > cdf {
        k += 1
        p *= lambda / Double(k)
        cdf += p
        if k > 1000 { break }  // cdf rounding can stall just below u; the tail is ~0
      }
      return k
    }
    let slam = lambda.squareRoot()
    let loglam = Foundation.log(lambda)
    let b = 0.931 + 2.53 * slam
    let a = -0.059 + 0.02483 * b
    let invalpha = 1.1239 + 1.1328 / (b - 3.4)
    let vr = 0.9277 - 3.6224 / (b - 2)
    while true {
      let u = uniform() - 0.5
      let v = uniform()
      let us = 0.5 - abs(u)
      let k = Foundation.floor((2 * a / us + b) * u + lambda + 0.43)
      if us >= 0.07 && v <= vr { return Int(k) }
      if k < 0 || (us < 0.013 && v > us) { continue }
      let lhs = Foundation.log(v) + Foundation.log(invalpha) - Foundation.log(a / (us * us) + b)
      let rhs = -lambda + k * loglam - Foundation.lgamma(k + 1)
      if lhs <= rhs { return Int(k) }
    }
  }
}
