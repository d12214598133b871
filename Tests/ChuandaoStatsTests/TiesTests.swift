import Testing

@testable import ChuandaoStats

@Suite("The 1e-9 tie rule")
struct TiesTests {
  @Test("relative above 1, absolute below; infinities equal only themselves; NaN nothing")
  func rule() {
    // |a - b| <= 1e-9 x max(1, |a|, |b|): 1e6 and 1e6 + 1e-4 differ by 1e-4 <= 1e-3.
    #expect(Ties.equal(1e6, 1e6 + 1e-4))
    #expect(!Ties.equal(1e6, 1e6 + 1e-2))
    // Below 1 the tolerance is absolute: 1e-10 and 5e-10 are equal, 0 and 2e-9 are not.
    #expect(Ties.equal(1e-10, 5e-10))
    #expect(!Ties.equal(0, 2e-9))
    #expect(Ties.equal(.infinity, .infinity))
    #expect(!Ties.equal(.infinity, 1e300))
    #expect(!Ties.equal(-.infinity, .infinity))
    #expect(!Ties.equal(.nan, .nan))
    #expect(Ties.sign(.infinity, 5) == 1)
    #expect(Ties.sign(-.infinity, 5) == -1)
    #expect(Ties.lessOrEqual(3, 3 + 1e-12) && Ties.greaterOrEqual(3, 3 + 1e-12))
    // Competition ranks with infinities: +inf first, -inf last (no longer tied with all).
    #expect(competitionRanks([-1, .infinity, 0, -.infinity]) == [3, 1, 2, 4])
  }
}
