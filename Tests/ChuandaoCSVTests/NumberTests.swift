import ChuandaoStats
import Foundation
import Testing

@testable import _ChuandaoCSV

/// `int` and `double` of a one-field record holding `text`.
private func parsed(_ text: String) -> (int: Int?, double: Double?) {
  var result: (Int?, Double?) = (nil, nil)
  let quoted = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n"
  try! CSVReader.forEachRecord(bytes: Array(quoted.utf8), name: "n") { r in
    result = (r.int(0), r.double(0))
  }
  return result
}

@Suite("Numbers")
struct NumberTests {
  @Test(
    arguments: [
      ("0", 0), ("7", 7), ("-0", 0), ("+12", 12), (" 12 ", 12), ("\t-34\t", -34), ("007", 7),
      ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ] as [(String, Int)])
  func ints(_ text: String, _ value: Int) {
    #expect(parsed(text).int == value)
  }

  @Test(arguments: [
    "", " ", "-", "+", "1.0", "1e3", "12a", "1 2", "0x10", "9223372036854775808",
    "-9223372036854775809", "99999999999999999999999", "１２", "--1", "+-1",
  ])
  func notInts(_ text: String) {
    #expect(parsed(text).int == nil)
  }

  @Test(
    arguments: [
      ("0", 0), ("-0", -0.0), ("1.", 1), (".5", 0.5), ("-.5", -0.5), ("+3.25", 3.25), (" 12 ", 12),
      ("1e3", 1000), ("1E-3", 0.001), ("2.5e+2", 250), ("0.1", 0.1),
      ("123456789012345678", 123456789012345680),
      ("0.000000000000000000000000001", 1e-27), ("1e308", 1e308),
      ("1.7976931348623157e308", .greatestFiniteMagnitude),
      ("4.9e-324", .leastNonzeroMagnitude), ("1e-400", 0), ("00012.50", 12.5), ("100", 100),
      // Hard cases for correct rounding (halfway and near-halfway; Paxson 1991, Rick Regan's list).
      ("9007199254740993", 9007199254740992), ("9007199254740995", 9007199254740996),
      ("2.2250738585072011e-308", Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)),
      ("7.0064923216240862e-46", 7.006492321624087e-46),
      ("0.30000000000000004", 0.30000000000000004),
      ("3.141592653589793238462643383279", Double.pi),
      ("123456789012345678901234567890", 1.2345678901234568e29),
      ("1.00000000000000011102230246251565404236316680908203125", 1.0),
      ("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002),
    ] as [(String, Double)])
  func doubles(_ text: String, _ value: Double) {
    let v = parsed(text).double
    #expect(v == value)
    #expect(v?.sign == value.sign)
  }

  @Test(arguments: [
    "", " ", ".", "-", "+.", "e5", "1e", "1e+", "1.2.3", "nan", "NaN", "inf", "-inf", "Infinity",
    "0x1p3", "1,5", "1e309", "-1e309", "1_000", "١", "1d", "5%", "1 e3", "--1",
  ])
  func notDoubles(_ text: String) {
    #expect(parsed(text).double == nil)
  }

  @Test func doublesAgreeWithTheStandardLibrary() {
    var rng = RandomSource(seed: 20_240_601)
    for _ in 0..<20_000 {
      let digits = rng.int(in: 1...20)
      var s = String(
        (0..<digits).map { _ in Character(String(rng.int(in: 0...9))) })
      if rng.bernoulli(0.5) {
        s.insert(".", at: s.index(s.startIndex, offsetBy: rng.int(in: 0...digits)))
      }
      if rng.bernoulli(0.5) { s += "e\(rng.int(in: -330...310))" }
      let expected = Double(s).flatMap { $0.isFinite ? $0 : nil }
      let bytes = Array(s.utf8)
      #expect(bytes.withUnsafeBufferPointer { NumberParsing.double($0) } == expected, "\(s)")
    }
  }
}
