import ChuandaoStats
import Testing

@testable import _ChuandaoCSV

@Suite("Writer")
struct WriterTests {
  @Test(arguments: [
    ("abc", "abc"), ("", ""), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
    ("x\ny", "\"x\ny\""), ("x\ry", "\"x\ry\""), (" pad", "\" pad\""), ("pad ", "\"pad \""),
    ("\tx", "\"\tx\""), ("in side", "in side"), ("张三", "张三"), ("\"", "\"\"\"\""),
  ])
  func escape(_ field: String, _ written: String) {
    #expect(CSVWriter.escape(field) == written)
  }

  @Test func lines() {
    #expect(CSVWriter.line(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
    #expect(CSVWriter.line([""]) == "\"\"\r\n")
    #expect(CSVWriter.line(["", ""]) == ",\r\n")
    #expect(CSVWriter.utf8BOM == [0xEF, 0xBB, 0xBF])
  }
}

@Suite("Random round trips and fuzzing")
struct RoundTripTests {
  static let seeds: [UInt64] = [1, 2, 3, 42, 2024, 0xC0FFEE, 0xDEAD_BEEF, 12_345_678_901]

  /// Pieces random fields are made of: separators, quotes, line ends, spaces, Chinese incl.
  /// 4-byte GB18030 characters, a combining mark.
  static let pieces: [String] = [
    "a", "Z", "0", "9", ".", "-", ",", "\"", "\"\"", "\n", "\r\n", "\r", " ", "\t", "张", "三",
    "㐀", "𠀀", "龘", "€", "é", "e\u{301}", "株式会社", "x,y", ";",
  ]

  static func randomField(_ rng: inout RandomSource) -> String {
    let n = rng.int(in: 0...6)
    return (0..<n).map { _ in pieces[rng.int(below: pieces.count)] }.joined()
  }

  @Test(arguments: seeds)
  func writerOutputReadsBack(_ seed: UInt64) {
    var rng = RandomSource(seed: seed)
    var records: [[String]] = []
    var text = ""
    for _ in 0..<300 {
      let fields = (0..<rng.int(in: 1...6)).map { _ in Self.randomField(&rng) }
      records.append(fields)
      text += CSVWriter.line(fields)
      if rng.int(below: 10) == 0 { text += "\r\n" }  // blank lines
    }
    if rng.bernoulli(0.5) { text.removeLast() }  // the last line end may be missing
    let utf8 = Array(text.utf8)
    let chunk = rng.int(in: 1...64)
    for (label, bytes) in [
      ("UTF-8", utf8), ("BOM", CSVWriter.utf8BOM + utf8), ("GB18030", gb18030(text)),
    ] {
      let o = read(bytes, chunk: chunk)
      #expect(o.error == nil, "seed \(seed), \(label), chunk \(chunk)")
      #expect(o.rows.map(\.fields) == records, "seed \(seed), \(label), chunk \(chunk)")
      #expect(o.rows == referenceParse(utf8).rows, "seed \(seed), \(label), chunk \(chunk)")
    }
  }

  /// Random bytes over an alphabet rich in separators and quotes: the reader must agree with
  /// the reference reading and give the same result for every chunk size, errors included.
  @Test(arguments: seeds)
  func fuzzAgainstReference(_ seed: UInt64) {
    let alphabet: [[UInt8]] = [
      [0x61], [0x62], [0x20], [0x2C], [0x2C], [0x22], [0x22], [0x0A], [0x0D], [0x0D, 0x0A],
      Array("张".utf8), Array("𠀀".utf8),
    ]
    var rng = RandomSource(seed: seed)
    for trial in 0..<400 {
      var bytes: [UInt8] = []
      for _ in 0..<rng.int(in: 0...40) {
        bytes += alphabet[rng.int(below: alphabet.count)]
      }
      let expected = referenceParse(bytes)
      for chunk in [1, 2, 3, 5, 8, 1 << 20] {
        let o = read(bytes, chunk: chunk)
        #expect(o == expected, "seed \(seed), trial \(trial), chunk \(chunk), bytes \(bytes)")
      }
    }
  }

  /// Arbitrary bytes (most neither UTF-8 nor GB18030): no crash, and chunking changes nothing.
  @Test(arguments: seeds)
  func fuzzArbitraryBytes(_ seed: UInt64) {
    var rng = RandomSource(seed: seed)
    for trial in 0..<300 {
      let n = rng.int(in: 0...48)
      let bytes: [UInt8] = (0..<n).map { _ in
        rng.bernoulli(0.5)
          ? UInt8(rng.int(in: 0...255))
          : [0x2C, 0x22, 0x0A, 0x0D, 0x81, 0x30][rng.int(below: 6)]
      }
      let whole = read(bytes)
      for chunk in [1, 2, 3, 4, 7] {
        #expect(
          read(bytes, chunk: chunk) == whole,
          "seed \(seed), trial \(trial), chunk \(chunk), bytes \(bytes)")
      }
    }
  }
}
