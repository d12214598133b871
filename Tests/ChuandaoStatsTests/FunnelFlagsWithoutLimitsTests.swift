@testable import ChuandaoStats
import Foundation
import Testing

/// `FunnelPlot.fit(limits: false)` must flag every unit exactly as the fit with its four
/// limits does (and give the same `lowPower`): it only skips limits that cannot change a
/// flag. The units are chosen where a shortcut would go wrong: counts at the limits' own
/// quantiles and one either side, zero counts, tiny and large expected counts, quasi-counts,
/// with and without overdispersion, for both dispersion methods.
@Suite struct FunnelFlagsWithoutLimitsTests {
  /// Units (observed, expected): for each E, the counts r_p - 1, r_p, r_p + 1 at the four
  /// probabilities of the limits (r_p from the distribution the fit will use: Poisson, or
  /// the negative binomial of `size` when given), and 0; plus some random units.
  static func units(seed: UInt64, size: Double?, count: Int) -> ([Double], [Double]) {
    var random = RandomSource(seed: seed)
    var observed: [Double] = []
    var expected: [Double] = []
    for _ in 0..<count {
      // E log-uniform over 0.02 ... 20,000.
      let e = 0.02 * Foundation.pow(10, 6 * random.uniform())
      var counts: Set<Int> = [0]
      for p in [0.001, 0.025, 0.975, 0.999] {
        let r = size.map { NegativeBinomial(mean: e, size: $0).quantile(p) }
          ?? Poisson(mean: e).quantile(p)
        counts.formUnion([r - 1, r, r + 1].filter { $0 >= 0 })
      }
      for o in counts.sorted() {
        observed.append(Double(o))
        expected.append(e)
      }
    }
    // Quasi-counts (not integers) take the limits' path; they must agree too.
    observed[1] += 0.5
    return (observed, expected)
  }

  /// Unit by unit, for given tau2 (nil: Poisson limits), against the four limits.
  @Test(arguments: [FunnelPlot.Dispersion.consistent, .spiegelhalter])
  func sameFlagAsTheLimits(dispersion: FunnelPlot.Dispersion) {
    let model = FunnelPlot(dispersion: dispersion)
    var seen: Set<FunnelFlag> = []
    var lowPower: Set<Bool> = []
    var mismatches = 0
    for (seed, tau2) in [(1 as UInt64, nil as Double?), (2, 0.001), (3, 0.05), (4, 0.5)] {
      let (observed, expected) = Self.units(seed: seed, size: tau2.map { 1 / (4 * $0) }, count: 300)
      for i in observed.indices {
        let (o, e) = (observed[i], expected[i])
        let full = FunnelPlot.flag(ratio: o / e, model.limits(expected: e, tau2: tau2))
        let fast = model.flagWithoutLimits(observed: o, expected: e, tau2: tau2)
        seen.insert(full.0)
        lowPower.insert(full.1)
        if fast != full {
          mismatches += 1
          if mismatches <= 5 {
            Issue.record("O=\(o) E=\(e) tau2=\(String(describing: tau2)): \(fast) against \(full)")
          }
        }
      }
    }
    #expect(mismatches == 0)
    // The cases reach every flag and both kinds of power, so the comparison is not vacuous.
    #expect(seen.count == FunnelFlag.allCases.count)
    #expect(lowPower == [true, false])
  }

  /// Through `fit`: random Poisson and overdispersed counts, flags and lowPower as with the
  /// limits, the same tau2, and no limit arrays.
  @Test(arguments: [FunnelPlot.Dispersion.consistent, .spiegelhalter])
  func fitWithoutLimits(dispersion: FunnelPlot.Dispersion) {
    let model = FunnelPlot(dispersion: dispersion)
    for (seed, spread) in [(5 as UInt64, 0.0), (6, 0.6)] {
      var random = RandomSource(seed: seed)
      var observed: [Double] = []
      var expected: [Double] = []
      for _ in 0..<5000 {
        let e = 0.5 + 200 * random.uniform()
        // A unit's own rate: 1, or lognormal around 1 for an overdispersed level.
        let rate = spread == 0 ? 1 : exp(spread * random.normal())
        observed.append(Double(Poisson(mean: e * rate).quantile(max(1e-12, random.uniform()))))
        expected.append(e)
      }
      let full = model.fit(observed: observed, expected: expected)
      let fast = model.fit(observed: observed, expected: expected, limits: false)
      #expect((full.tau2 == nil) == (spread == 0))
      #expect(fast.tau2 == full.tau2)
      #expect(fast.flags == full.flags)
      #expect(fast.lowPower == full.lowPower)
      #expect(fast.lower998.isEmpty && fast.lower95.isEmpty && fast.upper95.isEmpty && fast.upper998.isEmpty)
      #expect(full.flags.contains(.cold) || full.flags.contains(.cool))
    }
  }

  /// Worked by hand: Poisson(E = 1) has F(0) = e^-1 = 0.368 >= .025, so r_.025 = 0 and
  /// the lower 95% limit is max(0, (0 - alpha)/1) = 0: every unit has low power, none can
  /// be cold or cool, and a count of 0 lies on that limit (normal). F(2) = 2.5/e = 0.920
  /// < .975, so a count of 2 is not above the upper 95% limit: all three are normal.
  @Test func zeroCountAtAZeroLimitIsNormalAndLowPower() {
    let model = FunnelPlot()
    let fast = model.fit(observed: [0, 1, 2], expected: [1, 1, 1], limits: false)
    #expect(fast.flags == [.normal, .normal, .normal])
    #expect(fast.lowPower == [true, true, true])
  }
}
