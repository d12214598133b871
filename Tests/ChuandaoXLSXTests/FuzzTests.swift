import Foundation
import Testing
import _ChuandaoCSV
import _ChuandaoOutput
import _ChuandaoXLSX

/// SplitMix64 (Steele, Lea and Flood 2014): seeded, so that a failing run is repeated by
/// its seed.
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}

@Suite("Damaged workbooks, thousands of them")
struct FuzzTests {
  /// Every sheet's records, or the error that stopped the read.
  static func read(_ path: String) -> Result<[[String]], any Error> {
    Result {
      let book = try XLSXWorkbook(path: path)
      var rows: [[String]] = []
      for sheet in book.sheets {
        _ = try book.forEachRecord(sheet) { rec in
          rows.append((0..<rec.count).map { rec.string($0) })
        }
      }
      return rows
    }
  }

  /// Offsets of the zip's signatures (local headers, central directory entries, the end
  /// record): where a mutation does the most harm.
  static func signatures(_ b: [UInt8]) -> [Int] {
    (0..<max(0, b.count - 3)).filter {
      b[$0] == 0x50 && b[$0 + 1] == 0x4B && b[$0 + 2] < 8 && b[$0 + 3] < 8
    }
  }

  /// One mutation of `good`: a truncation, bit flips, two byte ranges swapped (entries out
  /// of place), or a declared size made huge (in a local header or the central directory).
  static func mutate(_ good: [UInt8], _ rng: inout SplitMix64, signatures: [Int]) -> (
    bytes: [UInt8], what: String
  ) {
    var b = good
    switch rng.below(4) {
    case 0:
      let n = rng.below(b.count)
      return (Array(b.prefix(n)), "truncated to \(n)")
    case 1:
      let flips = 1 + rng.below(8)
      var at: [Int] = []
      for _ in 0..<flips {
        // Half near a signature (headers), half anywhere.
        let base =
          rng.below(2) == 0 && !signatures.isEmpty
          ? signatures[rng.below(signatures.count)] + rng.below(46) : rng.below(b.count)
        let i = min(base, b.count - 1)
        b[i] ^= UInt8(1) << UInt8(rng.below(8))
        at.append(i)
      }
      return (b, "bits flipped at \(at)")
    case 2:
      let n = 1 + rng.below(64)
      let i = rng.below(b.count - n)
      let j = rng.below(b.count - n)
      for k in 0..<n { b.swapAt(i + k, j + k) }
      return (b, "\(n) bytes at \(i) and \(j) swapped")
    default:
      guard let s = signatures.isEmpty ? nil : signatures[rng.below(signatures.count)] else {
        return (b, "none")
      }
      // Local header: sizes at 18 and 22; central entry: at 20 and 24.
      let central = b[s + 2] == 1
      let field = s + (central ? 20 : 18) + 4 * rng.below(2)
      guard field + 4 <= b.count else { return (b, "none") }
      let v: UInt32 = [
        0xFFFF_FFFF, 0x7FFF_FFFF, 0x1000_0000, UInt32(truncatingIfNeeded: rng.next()),
      ][rng.below(4)]
      for k in 0..<4 { b[field + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
      return (b, "size at \(field) set to \(v)")
    }
  }

  /// Each run ends in a clean error or in the same records as the intact file: a trap
  /// would end the test process. 3,000 runs over two small workbooks (a few seconds in a
  /// debug build).
  @Test(
    "mutated workbooks: a clean error or a correct read, never a trap",
    arguments: ["bad/good.xlsx", "features.xlsx", "roundtrip/summary.xlsx"])
  func mutations(file: String) throws {
    let good = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.root + "/" + file)))
    let intact = try Self.read(Fixtures.root + "/" + file).get()
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chuandao-fuzz-\(UUID().uuidString).xlsx"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let signatures = Self.signatures(good)
    let seed: UInt64 = 0x5EED_0016 &+ UInt64(file.utf8.count)
    var rng = SplitMix64(state: seed)
    var errors = 0
    for run in 0..<1000 {
      let (bytes, what) = Self.mutate(good, &rng, signatures: signatures)
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      switch Self.read(path) {
      case .success(let rows):
        #expect(
          rows == intact, "seed \(seed), run \(run): \(what): read without error, and differently")
      case .failure(let error):
        errors += 1
        #expect(
          error is XLSXError || error is XLSXSheetError,
          "seed \(seed), run \(run): \(what): \(error)")
      }
      // Parsed in blocks (every 97 bytes): an error too, or the same records. (Of a file
      // damaged in two places, either fault may be the one reported.)
      if run % 10 == 0 {
        let (a, b) = (readAll(path, blocks: nil), readAll(path, blocks: 97))
        #expect(
          (a.error == nil) == (b.error == nil),
          "seed \(seed), run \(run): \(what): \(a.error ?? "-") | \(b.error ?? "-")")
        if a.error == nil {
          #expect(a.rows == b.rows && a.lines == b.lines, "seed \(seed), run \(run): \(what)")
        }
        // Every tag through the general path: the same records and the same error.
        let g = readAll(path, blocks: nil, cellShapes: false)
        #expect(
          g.rows == a.rows && g.lines == a.lines && g.error == a.error,
          "seed \(seed), run \(run): \(what): \(a.error ?? "-") | \(g.error ?? "-")")
      }
    }
    #expect(errors > 300, "seed \(seed): most mutations should be caught")
  }
}
