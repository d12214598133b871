import ChuandaoStats
import Foundation
import Testing

/// Written by Tests/Fixtures-scripts/stats/statsmodels_fdr.py (statsmodels' fdr_bh).
struct FDRFixtures: Decodable, Sendable {
  struct Case: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let p: [Double]
    let q: [Double]
    var testDescription: String { name }
  }
  let cases: [Case]
  static let shared = decodeFixture("statsmodels_fdr", as: FDRFixtures.self)
}

@Suite("Benjamini-Hochberg q-values")
struct MultipleTestingTests {
  @Test("q-values match statsmodels", arguments: FDRFixtures.shared.cases)
  func matchesStatsmodels(reference: FDRFixtures.Case) {
    let q = benjaminiHochberg(reference.p)
    #expect(q.count == reference.q.count)
    for i in reference.q.indices where i < q.count {
      #expect(abs(q[i] - reference.q[i]) <= 1e-14, "\(i): \(q[i]) vs \(reference.q[i])")
    }
  }

  @Test func byHand() {
    // p = 0.01, 0.04, 0.03 (m = 3): sorted 0.01, 0.03, 0.04 give 3 x 0.01 / 1 = 0.03,
    // 3 x 0.03 / 2 = 0.045, 3 x 0.04 / 3 = 0.04; the running minimum from the top makes the
    // second min(0.045, 0.04) = 0.04. In the order given: 0.03, 0.04, 0.04.
    let q = benjaminiHochberg([0.01, 0.04, 0.03])
    #expect(abs(q[0] - 0.03) < 1e-15 && abs(q[1] - 0.04) < 1e-15 && abs(q[2] - 0.04) < 1e-15)
    // NaN is left out of m: [0.02, NaN] is m = 1, q = 0.02.
    let withNaN = benjaminiHochberg([0.02, .nan])
    #expect(withNaN[0] == 0.02 && withNaN[1].isNaN)
    #expect(benjaminiHochberg([]).isEmpty)
  }
}
