import Testing

@testable import ChuandaoReport

@Suite("SVG basics")
struct SVGBasicsTests {
  @Test func xmlEscape() {
    #expect(
      ChuandaoReport.xmlEscape(#"A&B <c> "d" 'e'"#)
        == "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos;")
    #expect(ChuandaoReport.xmlEscape("市交通委") == "市交通委")
    // Characters XML 1.0 cannot carry are dropped; tab and newline stay.
    #expect(ChuandaoReport.xmlEscape("a\u{0}b\u{1B}c\td\n") == "abc\td\n")
  }

  @Test(arguments: [
    (0.0, "0"), (-0.001, "0"), (1.0, "1"), (1.5, "1.5"), (1.25, "1.25"), (1.006, "1.01"),
    (1.004, "1"),
    (-3.14159, "-3.14"), (100.1, "100.1"), (0.07, "0.07"), (.nan, "0"),
  ])
  func svgNumber(x: Double, text: String) {
    #expect(ChuandaoReport.svgNumber(x) == text)
  }

  @Test func fixedDecimals() {
    #expect(fixed(0.8413, 3) == "0.841")
    #expect(fixed(0.8, 2) == "0.80")
    #expect(fixed(-0.0004, 3) == "0.000")
    #expect(fixed(-1.5, 0) == "-2")
    #expect(fixed(12, 0) == "12")
    #expect(percent(3.0 / 7) == "42.9%")
  }

  // The rule: a narrow column is 0.55 × size, a wide character 1.0 × size.
  @Test func textWidth() {
    #expect(TextMetrics.width("abcdefghij", fontSize: 10) == 55)
    #expect(TextMetrics.width("市交通委", fontSize: 10) == 40)
    #expect(abs(TextMetrics.width("B3 支部", fontSize: 10) - (3 * 5.5 + 2 * 10)) < 1e-9)
  }

  @Test func markersAreDistinctShapes() {
    var w = SVGWriter(width: 10, height: 10, title: "t", description: "d")
    for shape in MarkerShape.allCases {
      w.marker(shape, x: 5, y: 5, size: 4, fill: "#000000", stroke: "none", title: shape.rawValue)
    }
    let s = w.finish()
    #expect(s.contains("<circle class=\"mark\""))
    #expect(s.contains("<rect class=\"mark\""))
    // Up triangle: apex above the centre; down triangle: apex below.
    #expect(s.contains("d=\"M5,3L"))
    #expect(s.contains("d=\"M5,7L"))
  }

  @Test func palettes() {
    #expect(Palette.diverging(-1) == "#0072B2")
    #expect(Palette.diverging(0) == "#EBEBEB")
    #expect(Palette.diverging(1) == "#D55E00")
    #expect(Palette.diverging(7) == "#D55E00")
    #expect(Palette.sequential(0) == "#EFF6FC")
    #expect(Palette.sequential(1) == "#0B3C6B")
    #expect(FunnelFlag.cold.colour == "#0072B2" && FunnelFlag.hot.colour == "#D55E00")
    #expect(FunnelFlag.cold.shape == .triangleDown && FunnelFlag.hot.shape == .triangleUp)
    #expect(Palette.textOn("#0B3C6B") == "#FFFFFF" && Palette.textOn("#EFF6FC") == "#222222")
  }
}
