import Foundation
import Testing

@testable import ChuandaoReport

@Suite("Scales and ticks")
struct ScaleTests {
  // Worked by hand: span 7.3 / 5 = 1.46, the smallest of 1, 2, 5 × 10^k not below it is
  // 2, and the multiples of 2 inside [0, 7.3] are 0, 2, 4, 6. Span 0.074 / 5 = 0.0148 →
  // 0.02, multiples inside [0.013, 0.087] are 0.02 ... 0.08. Span 100 / 5 = 20 → 20.
  // Span 1 / 5 = 0.2 is itself nice. Span 38 / 5 = 7.6 → 10.
  @Test(arguments: [
    (0.0, 7.3, [0.0, 2, 4, 6]),
    (0.013, 0.087, [0.02, 0.04, 0.06, 0.08]),
    (0.0, 100.0, [0.0, 20, 40, 60, 80, 100]),
    (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (-12.0, 26.0, [-10.0, 0, 10, 20]),
    (0.85, 0.95, [0.86, 0.88, 0.9, 0.92, 0.94]),
  ])
  func niceTicks(lo: Double, hi: Double, expected: [Double]) {
    #expect(Scale.niceTicks(lo, hi, count: 5) == expected)
  }

  @Test func niceTicksAreExactDecimals() {
    // 3 × 0.02 computed naively is 0.06000000000000001; the ticks must be the literals.
    #expect(Scale.niceTicks(0, 0.1, count: 5) == [0, 0.02, 0.04, 0.06, 0.08, 0.1])
    #expect(Scale.niceTicks(0, 0.3, count: 3) == [0, 0.1, 0.2, 0.3])
  }

  @Test func niceDomainWidensToTheStep() {
    #expect(Scale.niceDomain(0, 7.3, count: 5) == 0...8)
    #expect(Scale.niceDomain(0.013, 0.087, count: 5) == 0...0.1)
  }

  // Decades inside [0.7, 130] are 1, 10, 100; with 2 and 5: 1, 2, 5, 10, 20, 50, 100.
  @Test func logTicks() {
    #expect(Scale.logTicks(0.7, 130) == [1, 10, 100])
    #expect(Scale.logTicks(0.7, 130, withTwoAndFive: true) == [1, 2, 5, 10, 20, 50, 100])
    #expect(Scale.logTicks(0.003, 0.2) == [0.01, 0.1])
    // No decade inside: 2 and 5 instead; neither: linear nice ticks.
    #expect(Scale.logTicks(1.5, 8) == [2, 5])
    #expect(Scale.logTicks(2.1, 4.9) == [3, 4])
  }

  @Test func logScaleMapsDecadesEvenly() {
    let s = Scale(.log, domain: 1...1000, range: (0, 300))
    #expect(s(1) == 0)
    #expect(abs(s(10) - 100) < 1e-9)
    #expect(abs(s(100) - 200) < 1e-9)
    #expect(abs(s(1000) - 300) < 1e-9)
    // √10 sits half way through its decade.
    #expect(abs(s(10.0.squareRoot()) - 50) < 1e-9)
    // Ticks with 2 and 5 only when a decade has at least 110 px.
    #expect(s.ticks() == [1, 10, 100, 1000])
    let wide = Scale(.log, domain: 1...100, range: (0, 400))
    #expect(wide.ticks() == [1, 2, 5, 10, 20, 50, 100])
  }

  @Test func linearScaleRunsBackwards() {
    let y = Scale(.linear, domain: 0...2, range: (200, 0))
    #expect(y(0) == 200)
    #expect(y(1) == 100)
    #expect(y(2) == 0)
  }

  @Test func tickLabels() {
    let x = Scale(.linear, domain: 0.013...0.087, range: (0, 100))
    let ticks = x.ticks()
    #expect(ticks.map { x.tickLabel($0, ticks: ticks) } == ["0.02", "0.04", "0.06", "0.08"])
    let l = Scale(.log, domain: 0.01...1e6, range: (0, 100))
    #expect(
      [0.01, 0.5, 1, 20, 1000, 1e4, 5e5, 1e6].map { l.tickLabel($0, ticks: []) } == [
        "0.01", "0.5", "1", "20", "1000", "10⁴", "5×10⁵", "10⁶",
      ])
  }
}
