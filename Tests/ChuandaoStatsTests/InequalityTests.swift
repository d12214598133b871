import ChuandaoStats
import Foundation
import Testing

@Suite("Inequality")
struct InequalityTests {
  @Test func referenceOfMethods() {
    // METHODS.md section 3.
    let x: [Double] = [541, 1463, 2445, 3438, 4437, 5401, 6392, 8304, 11904, 22261]
    let inequality = Inequality(x, groups: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3])
    #expect(abs(inequality.gini - 0.4620911) < 1e-7)
    #expect(abs(inequality.theil - 0.3623412) < 1e-7)
    #expect(abs((inequality.theilBetween ?? .nan) - 0.2634471) < 1e-7)
    #expect(abs((inequality.theilWithin ?? .nan) - 0.0988941) < 1e-7)
    #expect(inequality.count == 10 && inequality.mean == 6658.6)
  }

  @Test func smallCasesByHand() {
    // x = 2 4 4 4 5 5 7 9: mean 5, squared deviations 9 1 1 1 0 0 4 16 sum to 32, so the
    // population sd is sqrt(32/8) = 2 and cv = 0.4.
    let textbook = Inequality([2, 4, 4, 4, 5, 5, 7, 9])
    #expect(abs(textbook.cv - 0.4) < 1e-15 && textbook.mean == 5)
    // Gini: sum (2i - n - 1) x_(i) = -7x2 - 5x4 - 3x4 - 1x4 + 1x5 + 3x5 + 5x7 + 7x9 = 68,
    // over n S = 8 x 40 = 320: 0.2125.
    #expect(abs(textbook.gini - 0.2125) < 1e-15)
    #expect(textbook.theilBetween == nil && textbook.theilWithin == nil)

    // x = 0 0 0 1, the most unequal case: Gini = 2 x 4 x 1/(4 x 1) - 5/4 = 0.75 = (n - 1)/n,
    // T = (1/4)(4 ln 4) = ln 4 (0 ln 0 = 0), mean 1/4, sd sqrt(1/4 - 1/16) = sqrt 3/4, cv sqrt 3.
    let extreme = Inequality([0, 0, 0, 1])
    #expect(abs(extreme.gini - 0.75) < 1e-15)
    #expect(abs(extreme.theil - log(4.0)) < 1e-15)
    #expect(abs(extreme.cv - 3.0.squareRoot()) < 1e-15)

    // Equal values: no inequality.
    let equal = Inequality([3, 3, 3], groups: [1, 2, 2])
    #expect(equal.gini == 0 && equal.theil == 0 && equal.cv == 0)
    #expect(equal.theilBetween == 0 && equal.theilWithin == 0)
  }

  @Test("matches numpy", arguments: FunnelFixtures.shared.inequality)
  func matchesNumpy(reference: FunnelFixtures.InequalityCase) {
    let inequality = Inequality(reference.x, groups: reference.groups)
    #expect(abs(inequality.gini - reference.gini) < 1e-12)
    #expect(abs(inequality.theil - reference.theil) < 1e-12)
    #expect(abs((inequality.theilBetween ?? .nan) - reference.theilBetween) < 1e-12)
    #expect(abs((inequality.theilWithin ?? .nan) - reference.theilWithin) < 1e-12)
    #expect(abs(inequality.cv - reference.cv) < 1e-12)
  }

  @Test("decomposition adds up, scale does not matter", arguments: [UInt64(1), 2, 3])
  func identities(seed: UInt64) {
    var random = RandomSource(seed: seed)
    let x = (0..<500).map { _ in random.bernoulli(0.1) ? 0 : random.gamma(shape: 0.7) }
    let groups = (0..<500).map { _ in Int32(random.int(below: 7)) - 3 }
    let inequality = Inequality(x, groups: groups)
    let between = inequality.theilBetween ?? .nan
    let within = inequality.theilWithin ?? .nan
    #expect(abs(between + within - inequality.theil) < 1e-13, "seed \(seed)")
    #expect(between >= 0 && within >= 0, "seed \(seed)")
    let scaled = Inequality(x.map { $0 * 1234.5 }, groups: groups)
    #expect(abs(scaled.gini - inequality.gini) < 1e-13, "seed \(seed)")
    #expect(abs(scaled.theil - inequality.theil) < 1e-13, "seed \(seed)")
    #expect(abs(scaled.cv - inequality.cv) < 1e-13, "seed \(seed)")
    // One group: all of T is within.
    let pooled = Inequality(x, groups: [Int32](repeating: 5, count: 500))
    #expect(abs(pooled.theilBetween ?? .nan) < 1e-15)
    #expect(abs((pooled.theilWithin ?? .nan) - inequality.theil) < 1e-13)
  }

  @Test func undefinedCases() {
    // No values, or all zero: no mean to divide by. NaN marks undefined; nil, no groups.
    let empty = Inequality([])
    #expect(empty.count == 0 && empty.mean.isNaN)
    #expect(empty.gini.isNaN && empty.theil.isNaN && empty.cv.isNaN)
    #expect(empty.theilBetween == nil && empty.theilWithin == nil)
    let zeros = Inequality([0, 0, 0], groups: [1, 1, 2])
    #expect(zeros.mean == 0 && zeros.gini.isNaN && zeros.theil.isNaN && zeros.cv.isNaN)
    #expect(zeros.theilBetween?.isNaN == true && zeros.theilWithin?.isNaN == true)
    // One positive value: perfectly equal.
    let one = Inequality([7])
    #expect(one.gini == 0 && one.theil == 0 && one.cv == 0)
  }
}
