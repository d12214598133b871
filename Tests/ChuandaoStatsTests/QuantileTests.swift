import ChuandaoStats
import Testing

@Suite("Type-7 quantiles")
struct QuantileTests {
  @Test(
    "matches numpy.quantile(method: linear)", arguments: DistributionFixtures.shared.quantileType7)
  func matchesNumpy(sample: DistributionFixtures.QuantileCase) {
    let sorted = sample.values.sorted()
    for (p, expected) in zip(sample.p, sample.expected) {
      #expect(relativeError(quantileType7(sorted: sorted, p), expected) <= 1e-14, "p = \(p)")
      #expect(relativeError(quantileType7(sample.values, p), expected) <= 1e-14, "p = \(p)")
    }
    let all = quantilesType7(sample.values, sample.p)
    for (actual, expected) in zip(all, sample.expected) {
      #expect(relativeError(actual, expected) <= 1e-14)
    }
  }

  @Test func byHand() {
    // 1 2 4 8: h = 3p; p = 0.25 -> h = 0.75 -> 1 + 0.75(2 - 1) = 1.75;
    // p = 0.5 -> h = 1.5 -> 2 + 0.5(4 - 2) = 3; p = 0.9 -> h = 2.7 -> 4 + 0.7(8 - 4) = 6.8.
    let values: [Double] = [8, 1, 4, 2]
    #expect(quantileType7(values, 0.25) == 1.75)
    #expect(quantileType7(values, 0.5) == 3)
    #expect(abs(quantileType7(values, 0.9) - 6.8) < 1e-15)
    #expect(quantileType7(values, 0) == 1 && quantileType7(values, 1) == 8)
    #expect(median(values) == 3)
    #expect(median([5, 1, 3]) == 3)
    #expect(median([42]) == 42)
  }

  @Test func slicesNeedNoCopy() {
    let values: [Double] = [0, 10, 20, 30, 40]
    #expect(quantileType7(sorted: values[1...3], 0.5) == 20)
  }

  @Test func infinitiesAndTies() {
    #expect(quantileType7(sorted: [1, .infinity, .infinity], 0.75) == .infinity)
    #expect(quantileType7(sorted: [2, 2, 2], 0.37) == 2)
  }
}
