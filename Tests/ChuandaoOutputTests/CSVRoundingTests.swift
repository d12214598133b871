import Foundation
import Testing

@testable import _ChuandaoOutput

@Suite("CSV numbers without floating-point noise")
struct CSVRoundingTests {
  @Test func roundedToSignificantDigits() {
    // The review's values: 92.2 and 60 computed as 92.19999999999999 and 60.000000000000014.
    #expect(CSVTable.rounded(92.19999999999999, significantDigits: 10) == 92.2)
    #expect(CSVTable.rounded(60.000000000000014, significantDigits: 10) == 60)
    #expect(CSVTable.rounded(0.1 + 0.2, significantDigits: 10) == 0.3)
    // 10 digits keep what is there: 1234.567891 and 0.000123456789 unchanged.
    #expect(CSVTable.rounded(1234.567891, significantDigits: 10) == 1234.567891)
    #expect(CSVTable.rounded(0.000123456789, significantDigits: 10) == 0.000123456789)
    // 2/3 to 10 digits: 0.6666666667.
    #expect(CSVTable.rounded(2.0 / 3, significantDigits: 10) == 0.6666666667)
    // Large: 123456789012345 to 10 digits is 123456789000000; negative values alike.
    #expect(CSVTable.rounded(123_456_789_012_345, significantDigits: 10) == 123_456_789_000_000)
    #expect(CSVTable.rounded(-92.19999999999999, significantDigits: 10) == -92.2)
    // Zero, tiny values and non-finite values are left alone.
    #expect(CSVTable.rounded(0, significantDigits: 10) == 0)
    #expect(CSVTable.rounded(1.0000000000000002e-20, significantDigits: 10) == 1.0000000000000002e-20)
    #expect(CSVTable.rounded(.infinity, significantDigits: 10) == .infinity)
  }

  @Test("the CSV export writes the rounded numbers, arrays included")
  func export() {
    let rows: [JSONObject] = [["x": .number(92.19999999999999), "ys": .array([.number(60.000000000000014), .null])]]
    let text = String(decoding: CSVTable(objects: rows, significantDigits: 10).bytes(), as: UTF8.self)
    #expect(text == "\u{FEFF}x,ys\r\n92.2,60;\r\n")
    // Without rounding the noise stays (the JSON keeps full precision).
    let raw = String(decoding: CSVTable(objects: rows).bytes(), as: UTF8.self)
    #expect(raw.contains("92.19999999999999"))
  }
}
