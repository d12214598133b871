import ChuandaoStats
import Foundation
import Testing

/// Reference values written by Tests/Fixtures-scripts/stats/negative_binomial_fixtures.py
/// (mpmath at 50 digits, checked against scipy's nbinom; see the script).
struct NegativeBinomialFixtures: Decodable, Sendable {
  let winsorisedNormalMeanSquare: Double
  /// Rows (mean, size, r, pmf, cdf, sf).
  let distribution: [[Double]]
  /// Rows (mean, size, p, r).
  let quantiles: [[Double]]
  /// Rows (E, tau2, p, limit).
  let limits: [[Double]]
  let fits: [FunnelFixtures.FitCase]

  static let shared = decodeFixture("negative_binomial", as: NegativeBinomialFixtures.self)
}

@Suite("Negative binomial")
struct NegativeBinomialTests {
  @Test("pmf, cdf and sf match mpmath, far into both tails")
  func distribution() {
    let rows = NegativeBinomialFixtures.shared.distribution
    #expect(rows.count > 100)
    var worst = 0.0
    for row in rows {
      let nb = NegativeBinomial(mean: row[0], size: row[1])
      let r = Int(row[2])
      for (label, actual, expected) in [
        ("pmf", nb.pmf(r), row[3]), ("cdf", nb.cdf(r), row[4]), ("sf", nb.sf(r), row[5]),
      ] {
        // Values near 1 are the complement of a small one: absolute 1e-15 there.
        let error = expected > 0.5 ? abs(actual - expected) : relativeError(actual, expected)
        worst = max(worst, error)
        #expect(
          error <= 1e-11,
          "\(label)(\(r); mean \(row[0]), size \(row[1])) = \(actual), expected \(expected)")
      }
    }
    #expect(worst <= 1e-11, "worst relative error \(worst)")
  }

  @Test("quantile matches mpmath", arguments: NegativeBinomialFixtures.shared.quantiles)
  func quantile(row: [Double]) {
    let nb = NegativeBinomial(mean: row[0], size: row[1])
    #expect(nb.quantile(row[2]) == Int(row[3]), "mean \(row[0]), size \(row[1]), p \(row[2])")
  }

  @Test func byHand() {
    // Size 1 is the geometric distribution on 0, 1, 2, ... with p = 1/(1 + mean):
    // mean 3 gives p = 1/4, P(X = r) = (1/4)(3/4)^r, P(X <= r) = 1 - (3/4)^(r + 1).
    let geometric = NegativeBinomial(mean: 3, size: 1)
    #expect(abs(geometric.pmf(0) - 0.25) < 1e-15)
    #expect(abs(geometric.pmf(2) - 0.25 * 0.5625) < 1e-15)
    #expect(abs(geometric.cdf(2) - (1 - 0.421875)) < 1e-15)
    #expect(abs(geometric.sf(2) - 0.421875) < 1e-15)
    #expect(abs(geometric.sf(40) - pow(0.75, 41)) < 1e-14 * pow(0.75, 41))
    // The smallest r with 1 - (3/4)^(r + 1) >= 0.9: (3/4)^(r + 1) <= 0.1, r + 1 >= 8.004, r = 8.
    #expect(geometric.quantile(0.9) == 8)
    #expect(geometric.variance == 12)
    // Size 2, mean 2: p = 1/2, P(X = r) = (r + 1)/2^(r + 2): 1/4, 2/8, 3/16.
    let two = NegativeBinomial(mean: 2, size: 2)
    #expect(abs(two.pmf(2) - 3.0 / 16) < 1e-15)
    #expect(abs(two.cdf(2) - (0.25 + 0.25 + 0.1875)) < 1e-15)
  }

  @Test func edgeCases() {
    let zero = NegativeBinomial(mean: 0, size: 3)
    #expect(zero.pmf(0) == 1 && zero.pmf(1) == 0 && zero.cdf(0) == 1 && zero.sf(0) == 0)
    #expect(zero.quantile(0.999) == 0)
    let nb = NegativeBinomial(mean: 5, size: 2)
    #expect(nb.cdf(-1) == 0 && nb.sf(-1) == 1 && nb.pmf(-3) == 0 && nb.quantile(0) == 0)
  }

  @Test func approachesThePoisson() {
    // Variance mean + mean^2/size: with size 1e12 the cdf is the Poisson's to about
    // mean^2/size relative.
    for mean in [0.7, 4.0, 33.0] {
      let nb = NegativeBinomial(mean: mean, size: 1e12)
      let poisson = Poisson(mean: mean)
      for r in 0..<Int(mean * 3 + 5) {
        #expect(relativeError(nb.cdf(r), poisson.cdf(r)) < 1e-8, "mean \(mean), r \(r)")
        #expect(relativeError(nb.sf(r), poisson.sf(r)) < 1e-7, "mean \(mean), r \(r)")
      }
    }
  }

  @Test func cdfIsTheSumOfThePmf() {
    let nb = NegativeBinomial(mean: 12.5, size: 0.8)
    var sum = 0.0
    for r in 0...60 {
      sum += nb.pmf(r)
      #expect(abs(nb.cdf(r) - sum) < 1e-14, "r = \(r)")
      #expect(abs(nb.cdf(r) + nb.sf(r) - 1) < 1e-15, "r = \(r)")
    }
  }
}

@Suite("Funnel plot, consistent dispersion")
struct ConsistentFunnelTests {
  @Test func winsorisedNormalMeanSquare() {
    // METHODS.md section 3: c = 0.6786546; the fixture's is mpmath's at 50 digits.
    #expect(abs(FunnelPlot.winsorisedNormalMeanSquare - 0.6786546) < 5e-8)
    #expect(
      abs(
        FunnelPlot.winsorisedNormalMeanSquare
          - NegativeBinomialFixtures.shared.winsorisedNormalMeanSquare) < 1e-15)
  }

  @Test func referenceLimitsOfMethods() {
    // METHODS.md section 3: E = 20, tau2 = 0.05 (k = 5), p = .001/.025/.975/.999:
    // 0.02656, 0.22051, 2.14793, 3.16849; E = 2, same tau2: 0, 0, 2.79773, 4.57158.
    let probabilities = [0.001, 0.025, 0.975, 0.999]
    let reference: [(Double, [Double])] = [
      (20, [0.02656, 0.22051, 2.14793, 3.16849]), (2, [0, 0, 2.79773, 4.57158]),
    ]
    for (e, limits) in reference {
      for (p, limit) in zip(probabilities, limits) {
        let actual = FunnelPlot.exactLimit(expected: e, tau2: 0.05, probability: p)
        #expect(abs(actual - limit) < 5e-6, "E = \(e), p = \(p): \(actual)")
      }
    }
  }

  @Test("limits match mpmath", arguments: NegativeBinomialFixtures.shared.limits)
  func limits(row: [Double]) {
    let actual = FunnelPlot.exactLimit(expected: row[0], tau2: row[1], probability: row[2])
    #expect(
      abs(actual - row[3]) <= 1e-10 * max(1, row[3]),
      "E = \(row[0]), tau2 = \(row[1]), p = \(row[2]): \(actual) vs \(row[3])")
  }

  @Test func tau2ZeroIsThePoisson() {
    for e in [0.4, 3.0, 20.0, 512.5] {
      for p in [0.001, 0.025, 0.975, 0.999] {
        #expect(
          FunnelPlot.exactLimit(expected: e, tau2: 0, probability: p)
            == FunnelPlot.exactPoissonLimit(expected: e, probability: p))
      }
    }
  }

  @Test("fits match numpy and mpmath", arguments: NegativeBinomialFixtures.shared.fits)
  func fits(reference: FunnelFixtures.FitCase) {
    let fit = FunnelPlot().fit(observed: reference.observed, expected: reference.expected)
    #expect(fit.dispersion == .consistent)
    #expect(abs(fit.phi - reference.phi) <= 1e-12 * reference.phi)
    #expect(fit.overdispersed == (reference.tau2 != nil))
    if let tau2 = reference.tau2 {
      #expect(abs((fit.tau2 ?? .nan) - tau2) <= 1e-12 * tau2)
    } else {
      #expect(fit.tau2 == nil)
    }
    let columns: [(String, [Double], [Double])] = [
      ("z", fit.z, reference.z), ("lower998", fit.lower998, reference.lower998),
      ("lower95", fit.lower95, reference.lower95), ("upper95", fit.upper95, reference.upper95),
      ("upper998", fit.upper998, reference.upper998),
    ]
    for (label, actual, expected) in columns {
      #expect(actual.count == expected.count)
      for i in expected.indices where i < actual.count {
        #expect(
          abs(actual[i] - expected[i]) <= 1e-10 * max(1, abs(expected[i])),
          "\(label)[\(i)]: \(actual[i]) vs \(expected[i])")
      }
    }
    #expect(fit.flags.map(\.rawValue) == reference.flags)
  }

  @Test func fiveUnitsByHand() {
    // The five units of FunnelTests.overdispersedFiveUnitsByHand: winsorised mean square
    // 8.1535803, so the consistent phi is 8.1535803 / 0.6786546 = 12.0143317, and
    // tau2 = (5 x 12.0143317 - 4)/195.2 = 0.2872523. Unit 3 (E = 20, O = 20): k = 1/(4 tau2)
    // = 0.8703... and the adjusted z = 0 as before; the limits are the negative binomial's,
    // checked against mpmath in `fits`.
    let fit = FunnelPlot().fit(observed: [0, 3, 20, 48, 8], expected: [6, 12, 20, 30, 2])
    #expect(abs(fit.phi - 8.1535803 / 0.6786546) < 2e-6)
    #expect(abs((fit.tau2 ?? .nan) - (5 * fit.phi - 4) / 195.2) < 1e-12)
    #expect(abs((fit.tau2 ?? .nan) - 0.2872523) < 1e-6)
    #expect(fit.z[2] == 0)
    // With such a spread nothing is beyond the limits, and O = 0 at E = 6 is no longer
    // cool (it was with the classic normal limits).
    #expect(fit.flags == [.normal, .normal, .normal, .normal, .normal])
    let classic = FunnelPlot(dispersion: .spiegelhalter).fit(
      observed: [0, 3, 20, 48, 8], expected: [6, 12, 20, 30, 2])
    #expect(classic.flags[0] == .cool)
  }

  @Test("limits(expected:tau2:) gives each unit's limits, for both methods", arguments: FunnelPlot.Dispersion.allCases)
  func limitsAtAnyE(dispersion: FunnelPlot.Dispersion) {
    // The overdispersed five units of fiveUnitsByHand and a Poisson-like level: a chart's
    // limit curves come from the same rule as the units' own limits.
    let model = FunnelPlot(dispersion: dispersion)
    for (observed, expected) in [
      ([0.0, 3, 20, 48, 8], [6.0, 12, 20, 30, 2]), ([19.0, 21, 20, 18, 22, 20], [20.0, 20, 20, 20, 20, 20]),
    ] {
      let fit = model.fit(observed: observed, expected: expected)
      for i in expected.indices {
        let l = model.limits(expected: expected[i], tau2: fit.tau2)
        #expect(l.lower998 == fit.lower998[i] && l.lower95 == fit.lower95[i])
        #expect(l.upper95 == fit.upper95[i] && l.upper998 == fit.upper998[i])
      }
    }
  }
}
