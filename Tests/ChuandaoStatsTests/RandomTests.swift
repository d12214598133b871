import Foundation
import Testing

@testable import ChuandaoStats

/// The generator against reference outputs, and each variate against its exact CDF.
@Suite("Random numbers (METHODS.md section 7)")
struct RandomTests {
  /// First outputs of xoshiro256** seeded through SplitMix64, from the C reference
  /// (`Tests/Fixtures-scripts/stats/xoshiro_reference.c`, output in Fixtures/xoshiro.json).
  static let reference = decodeFixture("xoshiro", as: [String: [String]].self)

  @Test("xoshiro256** matches the C reference for several seeds")
  func engine() {
    for (seed, outputs) in Self.reference {
      var x = Xoshiro256StarStar(seed: UInt64(seed)!)
      #expect(outputs.map { UInt64($0)! } == (0..<outputs.count).map { _ in x.next() }, "seed \(seed)")
    }
  }

  @Test("a uniform is the top 53 bits times 2^-53")
  func uniform() {
    let outputs = Self.reference["1"]!.map { UInt64($0)! }
    var r = RandomSource(seed: 1)
    for x in outputs {
      #expect(r.uniform() == Double(x >> 11) / 9_007_199_254_740_992)
    }
  }

  /// Kolmogorov-Smirnov distance between a sample and a continuous CDF.
  func ks(_ sample: [Double], _ cdf: (Double) -> Double) -> Double {
    let s = sample.sorted()
    let n = Double(s.count)
    var d = 0.0
    for (i, x) in s.enumerated() {
      let f = cdf(x)
      d = max(d, abs(f - Double(i) / n), abs(Double(i + 1) / n - f))
    }
    return d
  }

  // The 1% critical value of the KS distance is about 1.628/sqrt(n).
  static let n = 20_000
  static var critical: Double { 1.628 / Double(n).squareRoot() }

  @Test("normals (Marsaglia polar) follow the standard normal")
  func normal() {
    var r = RandomSource(seed: 7)
    let sample = (0..<Self.n).map { _ in r.normal() }
    #expect(ks(sample, Normal.standard.cdf) < Self.critical)
  }

  @Test("gammas (Marsaglia-Tsang) follow gamma(a)", arguments: [0.3, 1.0, 2.5, 50.0])
  func gamma(_ a: Double) {
    var r = RandomSource(seed: 11)
    let sample = (0..<Self.n).map { _ in r.gamma(shape: a) }
    #expect(ks(sample, { SpecialFunctions.regularizedGammaP(a: a, x: max(0, $0)) }) < Self.critical)
  }

  @Test("Poisson counts follow Poisson(mean)", arguments: [0.5, 3.0, 9.9, 10.0, 25.0, 400.0])
  func poisson(_ mean: Double) {
    var r = RandomSource(seed: 13)
    let sample = (0..<Self.n).map { _ in r.poisson(mean: mean) }
    var counts: [Int: Int] = [:]
    for k in sample { counts[k, default: 0] += 1 }
    // The empirical CDF at every integer against the exact one (a conservative KS check).
    var cumulative = 0
    var d = 0.0
    for k in 0...(sample.max()!) {
      cumulative += counts[k] ?? 0
      d = max(d, abs(Double(cumulative) / Double(Self.n) - Poisson(mean: mean).cdf(k)))
    }
    #expect(d < Self.critical, "mean \(mean): D = \(d)")
  }

  @Test("Dirichlet draws sum to 1 and average alpha / sum(alpha)")
  func dirichlet() {
    var r = RandomSource(seed: 17)
    let alpha = [20.0, 10.0, 7.5, 7.5, 5.0]  // 50 x (0.4, 0.2, 0.15, 0.15, 0.1)
    var mean = [Double](repeating: 0, count: 5)
    let draws = 5_000
    for _ in 0..<draws {
      let w = r.dirichlet(alpha)
      #expect(abs(w.reduce(0, +) - 1) < 1e-12)
      for i in 0..<5 { mean[i] += w[i] / Double(draws) }
    }
    // Component i has variance a_i (A - a_i) / (A^2 (A + 1)) <= 0.4*0.6/51: the mean of
    // 5000 draws has sd below 0.001.
    for i in 0..<5 { #expect(abs(mean[i] - alpha[i] / 50) < 0.005) }
  }

  @Test("integers below n are in range and uniform")
  func integers() {
    var r = RandomSource(seed: 19)
    var counts = [Int](repeating: 0, count: 7)
    for _ in 0..<70_000 { counts[r.int(below: 7)] += 1 }
    // Chi-square with 6 df; its 1% critical value is 16.81.
    let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
    #expect(chi2 < 16.81)
  }

  @Test("the same seed gives the same draws; jump() gives a different stream")
  func reproducible() {
    var a = RandomSource(seed: 5)
    var b = RandomSource(seed: 5)
    #expect((0..<100).map { _ in a.normal() } == (0..<100).map { _ in b.normal() })
    var x = Xoshiro256StarStar(seed: 5)
    var y = x
    y.jump()
    #expect(x.next() != y.next())
  }
}
