import ChuandaoStats
import Foundation
import Testing

@Suite("Normal")
struct NormalTests {
  let fixtures = DistributionFixtures.shared.normal
  let normal = Normal()

  @Test func cdfMatchesScipy() {
    expectRows(fixtures.cdf, "cdf") { normal.cdf($0) }
  }

  @Test func sfMatchesScipyInTheUpperTail() {
    expectRows(fixtures.sf, "sf") { normal.sf($0) }
  }

  @Test func quantileMatchesScipyDownTo1e300() {
    expectRows(fixtures.ppf, "quantile") { normal.quantile($0) }
  }

  @Test func isfMatchesScipy() {
    expectRows(fixtures.isf, "isf") { normal.isf($0) }
  }

  @Test func methodsConstants() {
    // METHODS.md section 3 uses z = 1.959964 (95%) and 3.090232 (99.8%), to 6 decimals.
    #expect(abs(normal.quantile(0.975) - 1.959964) < 5e-7)
    #expect(abs(normal.isf(0.001) - 3.090232) < 5e-7)
  }

  @Test func edgeCases() {
    #expect(normal.quantile(0) == -.infinity)
    #expect(normal.quantile(1) == .infinity)
    #expect(normal.quantile(0.5) == 0)
    #expect(
      normal.quantile(-0.1).isNaN && normal.quantile(1.1).isNaN && normal.quantile(.nan).isNaN)
    #expect(normal.cdf(-.infinity) == 0 && normal.cdf(.infinity) == 1)
    #expect(normal.sf(.infinity) == 0 && normal.sf(-.infinity) == 1)
    #expect(normal.cdf(.nan).isNaN)
    // The smallest subnormal still has a finite quantile.
    #expect(normal.quantile(Double.leastNonzeroMagnitude).isFinite)
  }

  @Test func densityAndLocationScale() {
    #expect(abs(normal.pdf(0) - 1 / (2 * Double.pi).squareRoot()) < 1e-16)
    let shifted = Normal(mean: 10, standardDeviation: 2)
    // Reference: scipy.stats.norm.ppf(0.975) = 1.959963984540054.
    #expect(abs(shifted.quantile(0.975) - (10 + 2 * 1.959963984540054)) < 1e-13)
    #expect(abs(shifted.cdf(10 + 2 * 1.959963984540054) - 0.975) < 1e-15)
    #expect(abs(shifted.pdf(10) - normal.pdf(0) / 2) < 1e-16)
  }

  @Test(arguments: [1e-250, 1e-12, 0.01, 0.2, 0.5, 0.8, 0.99])
  func quantileInvertsCdf(p: Double) {
    // An error δ in z moves Φ by the relative amount |z| φ(z)/Φ(z) δ ≈ z^2 δ/|z| in the
    // tail, so a quantile good to 2 ulps (relative) round-trips to about 4e-16 z^2.
    let z = normal.quantile(p)
    #expect(relativeError(normal.cdf(z), p) < 4e-16 * max(1, z * z) + 2e-16)
  }
}
