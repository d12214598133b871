import ChuandaoStats
import Foundation
import Testing

@Suite("Poisson")
struct PoissonTests {
  @Test("cdf, sf and pmf match scipy", arguments: DistributionFixtures.shared.poisson)
  func distribution(set: DistributionFixtures.PoissonSet) {
    let poisson = Poisson(mean: set.mean)
    expectRows(set.cdf, "cdf") { poisson.cdf(Int($0)) }
    expectRows(set.sf, "sf") { poisson.sf(Int($0)) }
    expectRows(set.pmf, "pmf") { poisson.pmf(Int($0)) }
  }

  @Test("quantile matches scipy", arguments: DistributionFixtures.shared.poisson)
  func quantile(set: DistributionFixtures.PoissonSet) {
    let poisson = Poisson(mean: set.mean)
    #expect(!set.ppf.isEmpty)
    for row in set.ppf {
      #expect(poisson.quantile(row[0]) == Int(row[1]), "quantile(\(row[0]))")
    }
  }

  @Test func exactFunnelLimitsOfMethods() {
    // METHODS.md section 3: with r_p the smallest r with F(r; E) >= p,
    // alpha = (F(r_p) - p)/(F(r_p) - F(r_p - 1)) and limit = (r_p - alpha)/E, E = 20 gives
    // 0.35846, 0.56025, 1.43729, 1.73568 for p = .001, .025, .975, .999.
    let expected = 20.0
    let poisson = Poisson(mean: expected)
    let reference: [(p: Double, limit: Double)] = [
      (0.001, 0.35846), (0.025, 0.56025), (0.975, 1.43729), (0.999, 1.73568),
    ]
    for (p, limit) in reference {
      let r = poisson.quantile(p)
      let alpha = (poisson.cdf(r) - p) / (poisson.cdf(r) - poisson.cdf(r - 1))
      #expect(abs((Double(r) - alpha) / expected - limit) < 5e-6, "p = \(p)")
    }
  }

  @Test func edgeCases() {
    let poisson = Poisson(mean: 3)
    #expect(poisson.cdf(-1) == 0 && poisson.sf(-1) == 1 && poisson.pmf(-1) == 0)
    #expect(poisson.quantile(0) == 0)
    #expect(abs(poisson.pmf(0) - exp(-3.0)) < 1e-16)
    let degenerate = Poisson(mean: 0)
    #expect(degenerate.cdf(0) == 1 && degenerate.pmf(0) == 1 && degenerate.pmf(1) == 0)
    #expect(degenerate.sf(0) == 0 && degenerate.quantile(0.999) == 0)
  }

  @Test func cdfIsTheSumOfThePmf() {
    let poisson = Poisson(mean: 7.5)
    var sum = 0.0
    for k in 0...40 {
      sum += poisson.pmf(k)
      #expect(relativeError(poisson.cdf(k), sum) < 1e-13, "k = \(k)")
    }
  }

  @Test func largeMeansAndCounts() {
    // mean and k near 1e7: no summing, the quantile sits within a few sd of the mean.
    let poisson = Poisson(mean: 1e7)
    let median = poisson.quantile(0.5)
    #expect(abs(median - 10_000_000) <= 1)
    #expect(poisson.cdf(median) >= 0.5 && poisson.cdf(median - 1) < 0.5)
    let upper = poisson.quantile(0.999)
    #expect(abs(Double(upper - 10_000_000) / 1e7.squareRoot() - 3.09) < 0.01)
    #expect(Poisson(mean: 3).cdf(10_000_000) == 1)
    #expect(Poisson(mean: 1e7).cdf(0) == 0)
  }
}
