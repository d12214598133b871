import ChuandaoStats
import Foundation
import Testing

@testable import _ChuandaoCSV

/// The records of Fixtures/names.utf8.csv, written out by hand.
let namesRows: [Row] = [
  Row(1, ["id", "parent", "level", "name", "members"]),
  Row(2, ["B1", "", "bureau", "上海市某某局", "120"]),
  Row(3, ["U1", "B1", "unit", "办公室,综合科", "35"]),
  Row(4, ["U2", "B1", "unit", "王𠀀的\"一岗双责\"小组", "12"]),
  Row(6, ["U3", "B1", "unit", "㐀明\n第二行", "7"], fieldLines: [6, 6, 6, 6, 7]),
  Row(8, ["U4", "B1", "unit", "欧阳䶵龘𪚥", "0"]),
  Row(9, ["U5", "B1", "unit", " 张三 ", "-0"]),
  Row(10, ["U6", "B1", "unit", "€ 价格 ", "1e3"]),
]

@Suite("Encodings")
struct EncodingTests {
  @Test(arguments: [
    ("names.utf8.csv", TextEncoding.utf8),
    ("names.utf8-bom.csv", .utf8BOM),
    ("names.gb18030.csv", .gb18030),
    ("names.gb18030-bom.csv", .gb18030),
  ])
  func fixtureTwinsGiveTheSameRecords(_ file: String, _ encoding: TextEncoding) throws {
    let path = fixture(file)
    var got: [Row] = []
    let info = try CSVReader.forEachRecord(path: path) { r in
      got.append(
        Row(
          r.line, (0..<r.count).map { r.string($0) },
          fieldLines: (0..<r.count).map { r.fieldLine($0) }))
    }
    #expect(got == namesRows)
    #expect(info.encoding == encoding)
    #expect(info.recordCount == 8)
    #expect(info.lineCount == 10)
    #expect(info.byteCount == contents(path).count)
  }

  @Test(arguments: [
    "names.utf8.csv", "names.utf8-bom.csv", "names.gb18030.csv", "names.gb18030-bom.csv",
  ])
  func fixtureTwinsSplitAnywhere(_ file: String) {
    let bytes = contents(fixture(file))
    for chunk in [1, 2, 3, 4, 5, 6, 7, 11, 64] {
      let o = read(bytes, chunk: chunk)
      #expect(o.rows == namesRows, "chunk \(chunk)")
      #expect(o.info?.byteCount == bytes.count, "chunk \(chunk)")
      #expect(o.info?.lineCount == 10, "chunk \(chunk)")
    }
  }

  @Test func fixtureNumbers() throws {
    var ints: [Int?] = []
    var doubles: [Double?] = []
    try CSVReader.forEachRecord(path: fixture("names.gb18030.csv")) { r in
      ints.append(r.int(4))
      doubles.append(r.double(4))
      if r.line == 9 { #expect(r.trimmed(3) == "张三") }
    }
    #expect(ints == [nil, 120, 35, 12, 7, 0, 0, nil])
    #expect(doubles == [nil, 120, 35, 12, 7, 0, -0.0, 1000])
    #expect(doubles[6]?.sign == .minus)
  }

  @Test func bomIsDroppedOnlyAtTheStart() {
    let o = read([0xEF, 0xBB, 0xBF] + Array("a,b\n\u{FEFF}c,d\n".utf8))
    #expect(o.rows == [Row(1, ["a", "b"]), Row(2, ["\u{FEFF}c", "d"])])
    #expect(o.info?.encoding == .utf8BOM)
    #expect(o.info?.byteCount == 14)
  }

  @Test func invalidUTF8ValidGB18030IsGB18030() {
    let bytes = gb18030("名称,人数\r\n张三,3\r\n㐀,𠀀\r\n")
    let o = read(bytes)
    #expect(o.rows == [Row(1, ["名称", "人数"]), Row(2, ["张三", "3"]), Row(3, ["㐀", "𠀀"])])
    #expect(
      o.info
        == CSVFileInfo(encoding: .gb18030, byteCount: bytes.count, recordCount: 3, lineCount: 3))
  }

  @Test func gb18030FourByteCharactersAcrossEveryChunkBoundary() {
    // 𠀀 (95 32 82 36) and 㐀 (81 39 EE 39): trail bytes in the digit range.
    let text = "\"𠀀,㐀\"\r\n" + String(repeating: "㐀𠀀张,", count: 5) + "x\r\n"
    let bytes = gb18030(text)
    let whole = read(bytes)
    #expect(whole.rows == [Row(1, ["𠀀,㐀"]), Row(2, Array(repeating: "㐀𠀀张", count: 5) + ["x"])])
    for chunk in 1...13 {
      #expect(read(bytes, chunk: chunk) == whole, "chunk \(chunk)")
    }
  }

  @Test(arguments: [
    ([0xFF] as [UInt8], 1, 0xFF as UInt8),
    ([0x80], 1, 0x80),
    (Array("a,b\n\nc,".utf8) + [0x80, 0x0A], 3, 0x80),
    // A sequence cut by the end of the file.
    (Array("a\r\n".utf8) + gb18030("张三\r\n") + Array("\r\n".utf8) + [0x81], 4, 0x81),
    (gb18030("张\n") + [0x81, 0x30, 0x0A], 2, 0x81),  // a 4-byte sequence broken by a line feed
    ([0xFF, 0xFE] + Array("a\0,\0".utf8), 1, 0xFF),  // UTF-16 with its BOM
  ])
  func notTextNamesTheFirstBadBytesLine(_ bytes: [UInt8], _ line: Int, _ byte: UInt8) {
    for chunk in [1, 2, 3, 1 << 20] {
      #expect(
        read(bytes, chunk: chunk).error == .notText(path: "t.csv", line: line, byte: byte),
        "chunk \(chunk)")
    }
  }

  @Test func notTextFixtures() {
    var rows: [Int] = []
    #expect(throws: CSVError.notText(path: fixture("bad-ff.csv"), line: 3, byte: 0xFF)) {
      try CSVReader.forEachRecord(path: fixture("bad-ff.csv")) { rows.append($0.line) }
    }
    #expect(rows == [1, 2])  // records before the bad byte were delivered
    #expect(throws: CSVError.notText(path: fixture("bad-80.csv"), line: 4, byte: 0x80)) {
      try CSVReader.forEachRecord(path: fixture("bad-80.csv")) { _ in }
    }
  }

  @Test func cannotOpen() {
    let missing = fixture("no-such-file.csv")
    #expect(throws: CSVError.cannotOpen(path: missing, reason: "No such file or directory")) {
      try CSVReader.forEachRecord(path: missing) { _ in }
    }
    let dir = fixture("")
    #expect(throws: CSVError.cannotOpen(path: dir, reason: "is a directory")) {
      try CSVReader.forEachRecord(path: dir) { _ in }
    }
  }

  @Test func errorDescriptions() {
    #expect(
      CSVError.notText(path: "d/org.csv", line: 3, byte: 0x8).description
        == "d/org.csv:3: error: byte 0x08 is neither UTF-8 nor GB18030 text (save the file as \"CSV UTF-8\")"
    )
    #expect(
      CSVError.badQuote(path: "a.csv", line: 2).description.hasPrefix(
        "a.csv:2: error: misplaced quote"))
    #expect(
      CSVError.unterminatedQuote(path: "a.csv", line: 7).description.hasPrefix("a.csv:7: error: "))
    #expect(
      CSVError.cannotOpen(path: "x.csv", reason: "r").description == "x.csv: error: cannot open: r")
    #expect(
      CSVError.ioError(path: "x.csv", reason: "r").description == "x.csv: error: cannot read: r")
  }
}

@Suite("UTF-8 validation")
struct UTF8ValidationTests {
  static func check(_ b: [UInt8]) -> UTF8Validation.Result {
    b.withUnsafeBufferPointer { UTF8Validation.check($0.baseAddress!, $0.count) }
  }

  @Test(
    arguments: [
      [0x41], Array("张三 𠀀 € é".utf8), Array("0123456789abcdef0123456789".utf8),
      [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
      [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0x00],
    ] as [[UInt8]])
  func valid(_ b: [UInt8]) {
    // Alone (the byte-wise tail check) and padded (the 32-bit fast path).
    let pad = Array("abcd".utf8)
    for bytes in [b, b + pad, pad + b + pad, b + b + pad] {
      #expect(Self.check(bytes) == .valid(incompleteFrom: bytes.count), "\(bytes)")
    }
  }

  @Test(
    arguments: [
      [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
      [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF],
      [0xE4, 0xB8, 0x41], [0xC2, 0x41], Array("abcdefgh".utf8) + [0xFE],
    ] as [[UInt8]])
  func invalid(_ b: [UInt8]) {
    let pad = Array("abcd".utf8)
    let at = b.firstIndex { $0 >= 0x80 }!  // each case goes wrong at its first non-ASCII byte
    for (prefix, suffix) in [([], []), ([], pad), (pad, pad), (Array("张".utf8), pad)] {
      let bytes = prefix + b + suffix
      #expect(Self.check(bytes) == .invalid(at: prefix.count + at), "\(bytes)")
    }
  }

  /// Random byte strings biased towards UTF-8's shapes, against the standard library.
  @Test func agreesWithTheStandardLibrary() {
    var rng = RandomSource(seed: 0x5EED)
    let leads: [UInt8] = [
      0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
    ]
    let trails: [UInt8] = [0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0x41]
    for _ in 0..<20_000 {
      var b: [UInt8] = []
      for _ in 0..<rng.int(in: 0...12) {
        b.append(
          rng.bernoulli(0.5)
            ? leads[rng.int(below: leads.count)] : trails[rng.int(below: trails.count)])
      }
      let expected = String(validating: b, as: UTF8.self) != nil
      let got = Self.check(b)
      #expect((got == .valid(incompleteFrom: b.count)) == expected, "\(b)")
      if case .valid(let from) = got, from < b.count {
        #expect(!expected && b.count - from <= 3, "\(b)")
      }
      if case .invalid(let at) = got {
        // Valid before `at`, and invalid from `at` on its own.
        #expect(String(validating: b[0..<at], as: UTF8.self) != nil, "\(b)")
        #expect(Self.check(Array(b[at...])) == .invalid(at: 0), "\(b)")
      }
    }
  }

  @Test func incompleteTailIsCarried() {
    #expect(Self.check([0x41, 0xE4, 0xB8]) == .valid(incompleteFrom: 1))
    #expect(Self.check([0xF0, 0x90]) == .valid(incompleteFrom: 0))
    #expect(Self.check([0xF0, 0x80]) == .invalid(at: 0))  // already impossible
    // Cut UTF-8 at the end of the file is not UTF-8; here not GB18030 either (a lone lead).
    #expect(read([0x41, 0x0A, 0xE4]).error == .notText(path: "t.csv", line: 2, byte: 0xE4))
  }
}
