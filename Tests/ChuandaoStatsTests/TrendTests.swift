import Testing

@testable import ChuandaoStats

@Suite("Trend tests (METHODS.md section 6)")
struct TrendTests {
  @Test("exact Mann-Kendall p: five rising values 2/120, four 2/24")
  func exactRising() {
    // Only the rising and the falling order reach |S| = n(n-1)/2: 2 of n! orders.
    let five = MannKendall([1, 2, 3, 4, 5])
    #expect(five.s == 10 && five.exact)
    #expect(abs(five.p! - 2.0 / 120) < 1e-15)
    let four = MannKendall([4, 3, 2, 1])
    #expect(four.s == -6)
    #expect(abs(four.p! - 2.0 / 24) < 1e-15)
  }

  @Test("exact p for n = 6 with one inversion equals a brute-force count over 720 orders")
  func exactBruteForce() {
    // Enumerating all 720 permutations of 6 values (a script, not this code): 12 have
    // |S| >= 13, so p = 12/720 = 0.016666666666666666.
    let r = MannKendall([1, 3, 2, 4, 5, 6])
    #expect(r.s == 13)
    #expect(abs(r.p! - 12.0 / 720) < 1e-15)
  }

  @Test("tie-corrected variance and normal p worked by hand")
  func ties() {
    // 1 2 2 3 3 3: 15 pairs, 4 tied, 11 rising: S = 11. Tie groups t = 2 and t = 3:
    // var = [6*5*17 - 2*1*9 - 3*2*11] / 18 = 426/18 = 23.666666666666668;
    // z = (11 - 1)/sqrt(var) = 2.055566129482595, p = 2(1 - Phi(z)) = 0.039824355364810694
    // (scipy.stats.norm.sf).
    let r = MannKendall([1, 2, 2, 3, 3, 3])
    #expect(r.s == 11 && !r.exact)
    #expect(abs(r.variance - 426.0 / 18) < 1e-12)
    #expect(abs(r.p! - 0.039824355364810694) < 1e-12)
    // Values within 1e-9 of each other are ties.
    #expect(MannKendall([1, 1 + 1e-12, 2]).s == 2)
  }

  @Test("S from two values, p from three")
  func small() {
    #expect(MannKendall([1, 2]).s == 1 && MannKendall([1, 2]).p == nil)
    #expect(MannKendall([5]).s == 0)
    #expect(MannKendall([1, 2, 3]).p != nil)
  }

  @Test("Theil-Sen slope against values worked by hand")
  func theilSen() {
    // y = 1 3 2 5 4 at x = 0..4: the ten pairwise slopes sorted are -1, -1, 1/3, 1/2, 3/4,
    // 1, 1, 4/3, 2, 3; their median is (3/4 + 1)/2 = 0.875.
    #expect(theilSenSlope(x: [0, 1, 2, 3, 4], y: [1, 3, 2, 5, 4]) == 0.875)
    // A gap in the series: x is the period index, 2 -> 8 over 3 periods is 2 per period.
    #expect(theilSenSlope(x: [0, 3], y: [2, 8]) == 2)
    #expect(theilSenSlope(x: [1], y: [1]) == nil)
  }
}
