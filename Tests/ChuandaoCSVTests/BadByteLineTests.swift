import Glibc
import Testing

@testable import _ChuandaoCSV

/// Where the first byte GB18030 rejects sits in `bytes` (one iconv call over all of it), or
/// nil if all of `bytes` is GB18030.
private func gb18030FirstBad(_ bytes: [UInt8]) -> Int? {
  let cd = iconv_open("UTF-8", "GB18030")!
  defer { iconv_close(cd) }
  var input = bytes
  var output = [UInt8](repeating: 0, count: 4 * bytes.count + 16)
  return input.withUnsafeMutableBytes { inRaw -> Int? in
    output.withUnsafeMutableBytes { outRaw -> Int? in
      guard let base = inRaw.baseAddress else { return nil }
      var inPtr: UnsafeMutablePointer<CChar>? = base.assumingMemoryBound(to: CChar.self)
      var inLeft = inRaw.count
      var outPtr: UnsafeMutablePointer<CChar>? = outRaw.baseAddress!.assumingMemoryBound(
        to: CChar.self)
      var outLeft = outRaw.count
      let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
      return r == -1 ? inRaw.count - inLeft : nil
    }
  }
}

/// The 1-based physical line of `bytes[offset]`: one plus the line feeds before it.
private func line(of offset: Int, in bytes: [UInt8]) -> Int {
  1 + bytes[0..<offset].lazy.filter { $0 == 0x0A }.count
}

/// The records of `bytes` that end before `offset` (those ending at a line feed before it).
private func rowsEnding(before offset: Int, in bytes: [UInt8]) -> [Row] {
  guard let lf = bytes[0..<offset].lastIndex(of: 0x0A) else { return [] }
  return referenceParse(Array(bytes[0...lf])).rows
}

/// DATA.md, "Encodings": a file that is neither UTF-8 nor GB18030 names the first bad byte's
/// line; the bad byte is the first invalid UTF-8 sequence when the file is evidently UTF-8
/// (a valid UTF-8 sequence of three or four bytes before it), else the first byte GB18030
/// rejects. Expected lines are counted here from the test's own bytes.
@Suite("Bad byte lines")
struct BadByteLineTests {
  /// Sequences invalid from their first byte, whatever follows (a character start or the end).
  static let badSequences: [[UInt8]] = [
    [0xFF, 0xFE],  // a UTF-16 BOM pasted in
    [0x88],  // a lone continuation byte
    [0xE4, 0xB8],  // a three-byte sequence cut short
    [0xF0, 0xA0, 0x80],  // a four-byte sequence cut short
    [0xC3],  // a two-byte sequence cut short
    [0xED, 0xA0, 0x80],  // a surrogate
  ]

  /// UTF-8 files with Chinese text. The lone 局 after a comma on line 2 is an odd number of
  /// bytes before a line feed, so GB18030 rejects every variant by line 2.
  static let bases: [String] = [
    "id,parent,level,name\nB1,,bureau,局\nU1,B1,unit,\"办公室\n综合科，二处\"\n"
      + "U2,B1,unit,张三\nU3,B1,unit,欧阳𪚥\nU4,B1,unit,最后一行\n",
    "id,parent,level,name\nB1,,bureau,局\nU1,B1,unit,\"办公室\n综合科，二处\"\n"
      + "U2,B1,unit,张三\nU3,B1,unit,欧阳𪚥\nU4,B1,unit,最后一行",
    "id,name\r\nB1,局\r\n\r\nU1,\"甲\r\n乙\r\n丙\"\r\nU2,丁 ,\r\n",
  ]

  /// The error (or GB18030 reading) DATA.md asks for, from the bytes alone; `inserted` is
  /// where an invalid UTF-8 sequence was put into valid UTF-8.
  static func check(_ bytes: [UInt8], inserted p: Int, chunks: [Int], _ note: String) {
    let evident = bytes[0..<p].contains { $0 >= 0xE0 }  // a 3- or 4-byte lead: valid UTF-8 up to p
    guard let g = gb18030FirstBad(bytes) else {
      // Valid GB18030 after all: read as GB18030 (DATA.md: else it is decoded as GB18030).
      for chunk in chunks {
        let o = read(bytes, chunk: chunk)
        #expect(o.error == nil && o.info?.encoding == .gb18030, "\(note) chunk \(chunk)")
      }
      return
    }
    let bad = evident ? p : g
    let expected = CSVError.notText(path: "t.csv", line: line(of: bad, in: bytes), byte: bytes[bad])
    for chunk in chunks {
      let o = read(bytes, chunk: chunk)
      #expect(o.error == expected, "\(note) chunk \(chunk)")
      if evident {
        #expect(o.rows == rowsEnding(before: p, in: bytes), "\(note) chunk \(chunk)")
      }
    }
  }

  /// Every character boundary of every base file, with every bad sequence.
  @Test(arguments: badSequences.indices, bases.indices)
  func everyPosition(_ s: Int, _ b: Int) {
    let base = Array(Self.bases[b].utf8)
    let seq = Self.badSequences[s]
    var evidentCount = 0
    for p in 0...base.count where p == base.count || base[p] & 0xC0 != 0x80 {
      let bytes = Array(base[0..<p]) + seq + Array(base[p...])
      if bytes[0..<p].contains(where: { $0 >= 0xE0 }) { evidentCount += 1 }
      Self.check(bytes, inserted: p, chunks: [1, 2, 3, 4, 7, 1 << 20], "at \(p)")
    }
    #expect(evidentCount > 20)
  }

  /// The review's case: `\xff\xfe` on line 117 of a UTF-8 org.csv with Chinese names.
  @Test(arguments: [0, 3, 9])
  func reviewCase(_ column: Int) {
    var text = "id,parent,level,name\nB1,,bureau,上海市某某局\n"
    for k in 1...118 { text += "U\(k),B1,unit,第\(k)科室（综合）\n" }
    var bytes = Array(text.utf8)
    var lineStart = 0
    for _ in 1..<117 { lineStart = bytes[lineStart...].firstIndex(of: 0x0A)! + 1 }
    let p = lineStart + column
    bytes.insert(contentsOf: [0xFF, 0xFE], at: p)
    for chunk in [5, 64, 1 << 20] {
      let o = read(bytes, chunk: chunk, name: "org.csv")
      #expect(o.error == .notText(path: "org.csv", line: 117, byte: 0xFF), "chunk \(chunk)")
      #expect(o.rows.count == 116, "chunk \(chunk)")  // the header and lines 2...116
    }
  }

  /// Hand-counted cases, one per rule.
  @Test func handCounted() {
    // Inside a quoted field spanning lines 3 to 4: the byte's physical line, 4.
    let quoted =
      Array("id,name\n1,张\n2,\"第一行\n第".utf8) + [0x88] + Array("二行\"\n3,x\n".utf8)
    #expect(read(quoted).error == .notText(path: "t.csv", line: 4, byte: 0x88))
    #expect(read(quoted).rows == [Row(1, ["id", "name"]), Row(2, ["1", "张"])])
    // At the start, before any UTF-8 evidence: the first byte GB18030 rejects. 88 69 is a
    // GB18030 character; GB18030 then rejects A0 (the end of 张, E5 BC A0) before "\n".
    let start = [0x88] + Array("id,name\n1,张\n".utf8)
    #expect(read(start).error == .notText(path: "t.csv", line: 2, byte: 0xA0))
    // A UTF-8 BOM is a three-byte sequence: evidence enough.
    let bom = [0xEF, 0xBB, 0xBF] + Array("id,name\n".utf8) + [0x88] + Array("a\n1,张\n".utf8)
    #expect(read(bom).error == .notText(path: "t.csv", line: 2, byte: 0x88))
    // Truncated at the very end, with and without a final line feed.
    let cut: [UInt8] = [0xE4, 0xB8]
    #expect(read(Array("名\n张三\n".utf8) + cut).error == .notText(path: "t.csv", line: 3, byte: 0xE4))
    #expect(read(Array("名\n张三".utf8) + cut).error == .notText(path: "t.csv", line: 2, byte: 0xE4))
  }

  /// Damaged UTF-8 that GB18030 accepts whole is GB18030 (DATA.md's order: UTF-8, else
  /// GB18030, else an error): E5 90 | 8D 88 | 61 are GB18030 characters.
  @Test func damagedUTF8ThatIsGB18030() {
    let o = read(Array("名".utf8) + [0x88] + Array("a\n".utf8))
    #expect(o.error == nil)
    #expect(o.info?.encoding == .gb18030)
  }

  /// Text made of `pieces` in turn, then ASCII, exactly `count` bytes long.
  static func filler(_ count: Int, _ pieces: [[UInt8]]) -> [UInt8] {
    var out: [UInt8] = []
    var k = 0
    while true {
      let piece = pieces[k % pieces.count]
      guard out.count + piece.count <= count - 2 else { break }
      out += piece
      k += 1
    }
    while out.count < count - 1 { out.append(0x78) }  // x
    out.append(0x0A)
    return out
  }

  /// A bad sequence exactly at, just before and just after each read-chunk boundary.
  @Test(arguments: [2, 3, 4, 5, 8, 13, 64])
  func chunkBoundaries(_ chunk: Int) {
    let pieces = ["张", "三", ",", "局", "\n", "a", "𪚥", ","].map { Array($0.utf8) }
    for m in [1, 2, 3, 5, 9] {
      for d in [-1, 0, 1] {
        let p = m * chunk + d
        guard p >= 5 else { continue }
        let head = Array("局\n".utf8) + Self.filler(p - 4, pieces)
        #expect(head.count == p)
        for seq in Self.badSequences {
          let bytes = head + seq + Array("，尾\n末行".utf8)
          Self.check(bytes, inserted: p, chunks: [chunk], "m \(m) d \(d) seq \(seq)")
          #expect(
            read(bytes, chunk: chunk).error
              == .notText(path: "t.csv", line: line(of: p, in: bytes), byte: seq[0]))
        }
      }
    }
  }

  /// GB18030 files with a byte GB18030 rejects name that byte, at chunk boundaries too.
  @Test(arguments: [2, 3, 4, 5, 8, 13, 1 << 20])
  func gb18030BadByte(_ chunk: Int) {
    let pieces = ["张", "三", ",", "名", "\n", "a", "称", ","].map { gb18030($0) }
    let header = gb18030("名称,人数\r\n")
    for p in header.count + 1...header.count + 30 {
      let head = header + Self.filler(p - header.count, pieces)
      #expect(head.count == p)
      for bad in [[0xFF], [0x80], [0x81, 0x0A]] as [[UInt8]] {
        let bytes = head + bad + gb18030("李四,4\r\n")
        #expect(
          read(bytes, chunk: chunk).error
            == .notText(path: "t.csv", line: line(of: p, in: bytes), byte: bad[0]),
          "at \(p) \(bad)")
      }
    }
  }

  /// GB18030 whose first characters happen to be valid two-byte UTF-8 (某 is C4 B3, U+0133):
  /// still GB18030, and its bad byte is still the one GB18030 rejects.
  @Test func gb18030ThatStartsLikeUTF8() {
    let good = gb18030("id,name\n1,某某局\n2,张三\n")
    #expect(good.starts(with: Array("id,name\n1,".utf8) + [0xC4, 0xB3, 0xC4, 0xB3]))
    let o = read(good)
    #expect(o.error == nil && o.info?.encoding == .gb18030)
    #expect(o.rows.last == Row(3, ["2", "张三"]))
    let bad = good + [0x80] + gb18030("3,李四\n")
    for chunk in [1, 3, 1 << 20] {
      #expect(read(bad, chunk: chunk).error == .notText(path: "t.csv", line: 4, byte: 0x80))
    }
  }

  /// The UTF-8-only check (for dataset.yaml): line and byte of the first invalid sequence.
  @Test func firstInvalidUTF8() {
    #expect(CSVReader.firstInvalidUTF8(bytes: Array("name: 上海\nperiods: [\"2025\"]\n".utf8)) == nil)
    #expect(CSVReader.firstInvalidUTF8(bytes: []) == nil)
    let yaml = Array("name: 上海\nperiods:\n  - \"2025".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8)
    #expect(CSVReader.firstInvalidUTF8(bytes: yaml)! == (3, 0xFF))
    #expect(CSVReader.firstInvalidUTF8(bytes: Array("a\nb\n".utf8) + [0xE4, 0xB8])! == (3, 0xE4))
    #expect(CSVReader.firstInvalidUTF8(bytes: gb18030("name: 上海\n"))! == (1, 0xC9))
  }

  /// The file reader (pread) agrees with the in-memory one.
  @Test func fromAFile() throws {
    let bytes =
      Array("id,name\n1,张三\n2,李四\n".utf8) + [0xFF, 0xFE] + Array("3,王五\n".utf8)
    let path = "/tmp/chuandao-badbyte-\(getpid()).csv"
    let f = fopen(path, "wb")!
    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
    defer { unlink(path) }
    var lines: [Int] = []
    #expect(throws: CSVError.notText(path: path, line: 4, byte: 0xFF)) {
      try CSVReader.forEachRecord(path: path) { lines.append($0.line) }
    }
    #expect(lines == [1, 2, 3])
  }
}
