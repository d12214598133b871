import ChuandaoStats
import Foundation
import Testing

/// Reference values written by Tests/Fixtures-scripts/stats/funnel_fixtures.py (scipy's
/// Poisson cdf checked against mpmath, numpy's type-7 percentiles; see the script).
struct FunnelFixtures: Decodable, Sendable {
  struct FitCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let observed: [Double]
    let expected: [Double]
    let phi: Double
    let tau2: Double?
    let z: [Double]
    /// Written by funnel_fixtures.py only.
    let freemanTukey: [Double]?
    let lower998: [Double]
    let lower95: [Double]
    let upper95: [Double]
    let upper998: [Double]
    let flags: [String]
    var testDescription: String { name }
  }
  struct InequalityCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let x: [Double]
    let groups: [Int32]
    let gini: Double
    let theil: Double
    let theilBetween: Double
    let theilWithin: Double
    let cv: Double
    var testDescription: String { name }
  }

  /// Rows (E, p, r_p, limit).
  let exactLimits: [[Double]]
  let fits: [FitCase]
  let inequality: [InequalityCase]

  static let shared = decodeFixture("funnel_reference", as: FunnelFixtures.self)
}

/// |a - b| <= tolerance x max(1, |b|).
private func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
  abs(a - b) <= tolerance * max(1, abs(b))
}

/// The funnel by Spiegelhalter's classic method (`dispersion: .spiegelhalter`: phi unscaled,
/// normal limits on the square-root scale when overdispersed), which the fixtures of
/// funnel_fixtures.py follow; the exact Poisson limits are shared with the default method.
/// The default, consistent method is tested in NegativeBinomialTests.swift and
/// FunnelSimulationTests.swift.
@Suite("Funnel plot")
struct FunnelTests {
  // MARK: - Exact Poisson limits

  @Test func exactLimitsOfMethods() {
    // METHODS.md section 3: E = 20 gives 0.35846, 0.56025, 1.43729, 1.73568.
    let reference: [(p: Double, limit: Double)] = [
      (0.001, 0.35846), (0.025, 0.56025), (0.975, 1.43729), (0.999, 1.73568),
    ]
    for (p, limit) in reference {
      let actual = FunnelPlot.exactPoissonLimit(expected: 20, probability: p)
      #expect(abs(actual - limit) < 5e-6, "p = \(p): \(actual)")
    }
  }

  @Test("exact limits match scipy", arguments: FunnelFixtures.shared.exactLimits)
  func exactLimitsMatchScipy(row: [Double]) {
    let actual = FunnelPlot.exactPoissonLimit(expected: row[0], probability: row[1])
    #expect(close(actual, row[3], 1e-10), "E = \(row[0]), p = \(row[1]): \(actual) vs \(row[3])")
  }

  @Test func exactLimitsByHandAtSmallMeans() {
    // E = 2: F(0) = e^-2 = 0.135 >= .025, so r = 0, alpha = (e^-2 - .025)/e^-2 and the
    // limit (0 - alpha)/2 < 0 is reported as 0.
    #expect(FunnelPlot.exactPoissonLimit(expected: 2, probability: 0.025) == 0)
    // E = 4: F(0) = e^-4 = 0.0183156 < .025 <= F(1) = 5 e^-4 = 0.0915782, so r = 1,
    // alpha = (5 e^-4 - .025)/(4 e^-4) = 0.9087616 and the limit (1 - alpha)/4 = 0.0228096.
    let e4 = exp(-4.0)
    let alpha = (5 * e4 - 0.025) / (4 * e4)
    #expect(abs(alpha - 0.9087616) < 1e-7)
    let limit = FunnelPlot.exactPoissonLimit(expected: 4, probability: 0.025)
    #expect(abs(limit - (1 - alpha) / 4) < 1e-15)
    // F(r) = p exactly gives alpha = 0 and the limit r/E: E = ln 1000, p = .001 = F(0).
    let e = log(1000.0)
    let atZero = Poisson(mean: e).cdf(0)
    #expect(FunnelPlot.exactPoissonLimit(expected: e, probability: atZero) == 0)
  }

  @Test func exactLimitsFollowPoissonQuantile() {
    // The walk from the Cornish-Fisher start must land on Poisson.quantile's r_p, over
    // means from 0.01 to 1e6 and probabilities in both tails.
    var mean = 0.01
    while mean < 1e6 {
      let poisson = Poisson(mean: mean)
      for p in [1e-9, 0.001, 0.025, 0.1, 0.5, 0.9, 0.975, 0.999, 1 - 1e-9] {
        let r = poisson.quantile(p)
        let alpha = (poisson.cdf(r) - p) / (poisson.cdf(r) - poisson.cdf(r - 1))
        let expected = max(0, (Double(r) - alpha) / mean)
        let actual = FunnelPlot.exactPoissonLimit(expected: mean, probability: p)
        #expect(actual == expected, "E = \(mean), p = \(p)")
      }
      mean *= 1.37
    }
  }

  // MARK: - Fits

  @Test func overdispersedFiveUnitsByHand() {
    // O = 0, 3, 20, 48, 8 and E = 6, 12, 20, 30, 2 (sqrt(4E + 1) = 5, 7, 9, 11, 3).
    // Freeman-Tukey: 0 + 1 - 5 = -4; sqrt 3 + 2 - 7 = -3.2679492;
    // sqrt 20 + sqrt 21 - 9 = 0.0547116; sqrt 48 + 7 - 11 = 2.9282032; sqrt 8 + 3 - 3 = 2.8284271.
    // Sorted -4, -3.2679492, 0.0547116, 2.8284271, 2.9282032; type 7 with n = 5:
    // q10 at h = 0.4: -4 + 0.4 x 0.7320508 = -3.7071797; q90 at h = 3.6:
    // 2.8284271 + 0.6 x 0.0997761 = 2.8882928. Winsorised squares 13.7431812, 10.6794919,
    // 0.0029934, 8.3422352, 8 sum to 40.7679017: phi = 8.1535803 > 1.
    // w = 4E = 24, 48, 80, 120, 8: sum w = 280, sum w^2 = 23744, 280 - 23744/280 = 195.2,
    // tau2 = (5 x 8.1535803 - 4)/195.2 = 0.1883602.
    // Unit 3 (E = 20): sd = sqrt(1/80 + 0.1883602) = 0.4481742; 95% limits
    // (1 - 1.959964 sd)^2 = 0.0147853 and (1 + 1.959964 sd)^2 = 3.5284068; 99.8%: 1 - 3.090232 sd
    // < 0 gives 0, and (1 + 3.090232 sd)^2 = 5.6880456; z = (1 - 1)/sd = 0.
    // Unit 1 (E = 6, O = 0): sd = sqrt(1/24 + tau2) = 0.4796111, lower 95% limit
    // (1 - 1.959964 sd)^2 = 0.0035975 > 0 = SR: cool (not cold: the 99.8% limit is 0);
    // z = -1/sd = -2.0850226.
    let fit = FunnelPlot(dispersion: .spiegelhalter).fit(observed: [0, 3, 20, 48, 8], expected: [6, 12, 20, 30, 2])
    let handFT = [-4, -3.2679492, 0.0547116, 2.9282032, 2.8284271]
    for i in 0..<5 { #expect(abs(fit.freemanTukey[i] - handFT[i]) < 1e-7) }
    #expect(abs(fit.phi - 8.1535803) < 1e-7)
    #expect(fit.overdispersed)
    #expect(abs((fit.tau2 ?? .nan) - 0.1883602) < 1e-7)
    #expect(abs(fit.lower95[2] - 0.0147853) < 1e-7)
    #expect(abs(fit.upper95[2] - 3.5284068) < 1e-7)
    #expect(fit.lower998[2] == 0)
    #expect(abs(fit.upper998[2] - 5.6880456) < 1e-7)
    #expect(fit.z[2] == 0)
    #expect(abs(fit.lower95[0] - 0.0035975) < 1e-7)
    #expect(abs(fit.z[0] - -2.0850226) < 1e-7)
    #expect(fit.flags == [.cool, .normal, .normal, .normal, .normal])
    #expect(fit.ratio == [0, 0.25, 1, 1.6, 4])
    // Unit 4 (E = 2): sd = sqrt(1/8 + tau2) > 1/1.959964, so its lower 95% limit is 0.
    #expect(fit.lowPower == [false, false, false, false, true])
  }

  @Test func exactLimitsFlagsByHand() {
    // 36 units with O = 17..23 at E = 20 and six others: with n = 42 the type-7 10th and
    // 90th percentiles (h = 4.1 and 36.9) fall among the 36, so phi is theirs and small:
    // the exact limits apply, 0.35846, 0.56025, 1.43729, 1.73568 at E = 20 (METHODS.md).
    // SR 4/20 = 0.2 is cold, 11/20 = 0.55 cool, 33/20 = 1.65 warm, 45/20 = 2.25 hot.
    // E = 2, O = 0: lower 95% limit 0 (exactLimitsByHandAtSmallMeans), low power, normal.
    // E = 4, O = 0: lower 95% limit 0.0228 > 0, so cool; the 99.8% one is 0 (F(0) = e^-4
    // >= .001 with alpha > 0), so not cold.
    let observed: [Double] =
      [4, 11, 33, 45, 0, 0]
      + Array(repeating: [17, 18, 19, 20, 21, 22, 23], count: 5).flatMap { $0 } + [20]
    let expected: [Double] = [20, 20, 20, 20, 2, 4] + Array(repeating: 20, count: 36)
    let fit = FunnelPlot(dispersion: .spiegelhalter).fit(observed: observed, expected: expected)
    #expect(!fit.overdispersed && fit.tau2 == nil && fit.phi < 1)
    #expect(Array(fit.flags.prefix(6)) == [.cold, .cool, .warm, .hot, .normal, .cool])
    #expect(fit.flags.dropFirst(6).allSatisfy { $0 == .normal })
    #expect(Array(fit.lowPower.prefix(6)) == [false, false, false, false, true, false])
    #expect(fit.z == fit.freemanTukey)
    #expect(abs(fit.upper998[0] - 1.73568) < 5e-6)
    #expect(fit.lower998[5] == 0 && abs(fit.lower95[5] - 0.0228096) < 1e-7)
  }

  @Test("fits match numpy and scipy", arguments: FunnelFixtures.shared.fits)
  func fitsMatchFixtures(reference: FunnelFixtures.FitCase) throws {
    let fit = FunnelPlot(dispersion: .spiegelhalter).fit(observed: reference.observed, expected: reference.expected)
    #expect(close(fit.phi, reference.phi, 1e-12))
    #expect(fit.overdispersed == (reference.tau2 != nil))
    if let tau2 = reference.tau2 {
      #expect(close(fit.tau2 ?? .nan, tau2, 1e-12))
    } else {
      #expect(fit.tau2 == nil)
    }
    let columns: [(String, [Double], [Double])] = [
      ("z", fit.z, reference.z), ("freemanTukey", fit.freemanTukey, try #require(reference.freemanTukey)),
      ("lower998", fit.lower998, reference.lower998), ("lower95", fit.lower95, reference.lower95),
      ("upper95", fit.upper95, reference.upper95), ("upper998", fit.upper998, reference.upper998),
    ]
    for (label, actual, expected) in columns {
      #expect(actual.count == expected.count)
      for i in expected.indices where i < actual.count {
        #expect(
          close(actual[i], expected[i], 1e-10), "\(label)[\(i)]: \(actual[i]) vs \(expected[i])")
      }
    }
    #expect(fit.flags.map(\.rawValue) == reference.flags)
    #expect(fit.lowPower == fit.lower95.map { $0 <= 1e-9 })
  }

  @Test func flagsUseTheTieRule() {
    // A ratio within 1e-9 of a limit is on it, not beyond it (METHODS.md, ties).
    let upper998 = FunnelPlot.exactPoissonLimit(expected: 20, probability: 0.999)
    let lower998 = FunnelPlot.exactPoissonLimit(expected: 20, probability: 0.001)
    let filler = [Double](repeating: 20, count: 40)
    let observed = [
      upper998 * 20 * (1 + 1e-12), lower998 * 20 * (1 - 1e-12), upper998 * 20 * 1.001,
    ]
    let fit = FunnelPlot(dispersion: .spiegelhalter).fit(
      observed: observed + filler, expected: [Double](repeating: 20, count: 43))
    #expect(!fit.overdispersed)
    #expect(Array(fit.flags.prefix(3)) == [.warm, .cool, .hot])
  }

  @Test func phiOnTheTieWithOneIsNotOverdispersion() {
    // Four units with Freeman-Tukey deviates -d, -d, d, d: the type-7 10th and 90th
    // percentiles (h = 0.3 and 2.7) are -d and d, so phi = d^2. With d^2 = 1 + 1e-12 it is
    // within 1e-9 of 1 and counts as 1. E follows from O and the deviate:
    // sqrt(4E + 1) = sqrt(O) + sqrt(O + 1) - z.
    let d = (1 + 1e-12).squareRoot()
    func expected(_ o: Double, _ z: Double) -> Double {
      let root = o.squareRoot() + (o + 1).squareRoot() - z
      return (root * root - 1) / 4
    }
    let fit = FunnelPlot(dispersion: .spiegelhalter).fit(
      observed: [10, 10, 10, 10],
      expected: [expected(10, -d), expected(10, -d), expected(10, d), expected(10, d)])
    #expect(abs(fit.phi - 1) < 1e-10)
    #expect(!fit.overdispersed && fit.tau2 == nil)
  }

  @Test func edgeCases() {
    let empty = FunnelPlot(dispersion: .spiegelhalter).fit(observed: [], expected: [])
    #expect(empty.phi.isNaN && !empty.overdispersed && empty.tau2 == nil)
    #expect(empty.ratio.isEmpty && empty.flags.isEmpty && empty.lowPower.isEmpty)
    // One unit: phi = z^2 can exceed 1, but the DerSimonian-Laird denominator is 0, so the
    // exact limits are used.
    let single = FunnelPlot(dispersion: .spiegelhalter).fit(observed: [40], expected: [20])
    #expect(single.phi > 1 && !single.overdispersed && single.tau2 == nil)
    #expect(single.flags == [.hot])
    // O = E = 20: every deviate is sqrt 20 + sqrt 21 - 9 = 0.0547116, phi its square.
    let flat = FunnelPlot(dispersion: .spiegelhalter).fit(observed: [20, 20, 20], expected: [20, 20, 20])
    #expect(flat.phi < 0.01 && flat.flags == [.normal, .normal, .normal])
  }

  // MARK: - Simulation

  @Test("pure Poisson: about 5% outside the 95% limits", arguments: [UInt64(20240501), 7, 99])
  func purePoissonNull(seed: UInt64) {
    // 5,000 units, E uniform on [5, 50], O ~ Poisson(E). The winsorised phi of METHODS.md
    // is not rescaled, so under the null it estimates E[W^2] for W a standard normal
    // clipped at +-z(0.9) = +-1.2815516: (0.8 - 2 x 1.2815516 x 0.1754983) + 0.2 x 1.2815516^2
    // = 0.6786542, not 1.
    var random = RandomSource(seed: seed)
    let n = 5000
    let expected = (0..<n).map { _ in 5 + 45 * random.uniform() }
    let observed = expected.map { Double(random.poisson(mean: $0)) }
    let fit = FunnelPlot(dispersion: .spiegelhalter).fit(observed: observed, expected: expected)
    let outside = Double(fit.flags.filter { $0 != .normal }.count) / Double(n)
    let outside998 = Double(fit.flags.filter { $0 == .cold || $0 == .hot }.count) / Double(n)
    #expect(!fit.overdispersed, "seed \(seed): phi \(fit.phi)")
    #expect(abs(fit.phi - 0.6786542) < 0.05, "seed \(seed): phi \(fit.phi)")
    #expect(outside >= 0.02 && outside <= 0.08, "seed \(seed): \(outside) outside the 95% limits")
    #expect(outside998 <= 0.006, "seed \(seed): \(outside998) outside the 99.8% limits")
    #expect(!fit.lowPower.contains(true), "seed \(seed): E >= 5 always has a lower limit")
  }

  @Test("planted overdispersion is found", arguments: [UInt64(11), 12])
  func plantedOverdispersion(seed: UInt64) {
    // O ~ Poisson(E theta), ln theta ~ N(-0.08, 0.4^2), E uniform on [20, 200]: on the
    // square-root scale var(sqrt theta) = e^(2(-0.04) + 0.04)(e^0.04 - 1) = 0.0392. phi is
    // far above 1 and tau2 is positive; the unscaled winsorised phi makes tau2 about 0.6 of
    // the planted variance. The window: 300 numpy replicates of this design (Tests/Fixtures-
    // scripts/stats/funnel_tau2_simulation.py) gave tau2 0.02307 on average, sd 0.00063,
    // range 0.0211-0.0252; [0.020, 0.026] is the mean +- 4.8 sd. The consistent method's
    // tau2 is tested in FunnelSimulationTests.
    var random = RandomSource(seed: seed)
    let n = 5000
    let expected = (0..<n).map { _ in 20 + 180 * random.uniform() }
    let observed = expected.map {
      Double(random.poisson(mean: $0 * exp(0.4 * random.normal() - 0.08)))
    }
    let fit = FunnelPlot(dispersion: .spiegelhalter).fit(observed: observed, expected: expected)
    #expect(fit.overdispersed && fit.phi > 5, "seed \(seed): phi \(fit.phi)")
    let tau2 = fit.tau2 ?? .nan
    #expect(tau2 > 0.020 && tau2 < 0.026, "seed \(seed): tau2 \(tau2)")
    let outside = Double(fit.flags.filter { $0 != .normal }.count) / Double(n)
    #expect(outside < 0.2, "seed \(seed): \(outside) outside the 95% limits")
    // The exact Poisson limits would flag most units.
    var beyond = 0
    for i in 0..<n {
      let lower = FunnelPlot.exactPoissonLimit(expected: expected[i], probability: 0.025)
      let upper = FunnelPlot.exactPoissonLimit(expected: expected[i], probability: 0.975)
      if fit.ratio[i] < lower || fit.ratio[i] > upper { beyond += 1 }
    }
    #expect(Double(beyond) / Double(n) > 0.5, "seed \(seed)")
  }
}
