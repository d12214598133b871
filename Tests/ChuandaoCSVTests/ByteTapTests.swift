import Foundation
import Testing

@testable import _ChuandaoCSV

/// The tap sees every byte of the input exactly once, in order, whichever passes read it:
/// the UTF-8 check alone, or the check, the GB18030 check and the decoding.
@Suite("ByteTap: every byte once, in order")
struct ByteTapTests {
  static func tapped(_ bytes: [UInt8], chunk: Int) -> (seen: [UInt8], ok: Bool) {
    var seen: [UInt8] = []
    let input = ByteInput(bytes: bytes, name: "t.csv")
    input.tap = ByteTap { seen.append(contentsOf: $0) }
    let ok = (try? CSVReader.read(input, chunkSize: chunk, maxRecordBytes: 1 << 20) { _ in }) != nil
    return (seen, ok)
  }

  static let inputs: [(String, [UInt8])] = [
    ("UTF-8", Array("a,b\n\"x\ny\",张三\n".utf8)),
    ("UTF-8 with a BOM, CRLF", [0xEF, 0xBB, 0xBF] + Array("a,b\r\n1,2\r\n".utf8)),
    ("GB18030", gb18030("名称,人数\r\n张三,3\r\n㐀,𠀀\r\n")),
    ("empty", []),
  ]

  @Test("a successful read hands over the whole file", arguments: 0..<inputs.count)
  func whole(_ k: Int) {
    let (name, bytes) = Self.inputs[k]
    for chunk in [1, 2, 3, 5, 64, 1 << 20] {
      let (seen, ok) = Self.tapped(bytes, chunk: chunk)
      #expect(ok, "\(name), chunk \(chunk)")
      #expect(seen == bytes, "\(name), chunk \(chunk)")
    }
  }

  @Test("offers overlapping what was seen hand over only the new bytes")
  func overlaps() {
    var seen: [UInt8] = []
    let tap = ByteTap { seen.append(contentsOf: $0) }
    let bytes: [UInt8] = Array(0..<20)
    bytes.withUnsafeBufferPointer { b in
      let p = b.baseAddress!
      tap.offer(p, count: 5, at: 0)
      tap.offer(p + 8, count: 4, at: 8)  // a gap: ignored
      tap.offer(p, count: 7, at: 0)
      tap.offer(p + 3, count: 10, at: 3)
      tap.offer(p + 13, count: 7, at: 13)
    }
    #expect(seen == bytes)
    #expect(tap.count == 20)
  }
}
