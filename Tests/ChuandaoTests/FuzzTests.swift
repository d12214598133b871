import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

@Suite("Fuzzing the loader")
struct FuzzTests {
  /// The base dataset plus every optional file, so that mutations reach every reader.
  static let files: [String: String] = TempDataset.base.merging([
    "members.csv": "period,node,members\n2025,Z1,12\n",
    "supervision.csv": "period,node,kind,domain,count\n2025,Z1,reminder,finance,3\n2025,U1,case,assets,1\n",
    "risks.csv": "period,node,domain,risk\n2025,Z1,finance,2.5\n",
    "problems.csv": "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,\"报销, 不规范\"\n2024,P2,U2,assets,inspection,资产\n",
    "responsibilities.csv": "problem,subject,person\nP1,committee,E1\n",
    "projects.csv": "problem,id,goal,due,done,status\nP1,J1,整改,2025-06-30,2025-05-01,done\nP2,J2,g,2024-09-30,,open\n",
    "leaders.csv": "period,person,name,node,role,oversees\n2025,L1,甲,B1,secretary,U1;U2\n",
  ]) { a, _ in a }

  /// Bytes worth inserting: structure (quotes, commas, line ends), numbers, signs, UTF-8
  /// and GB18030 lead bytes, bytes invalid in both encodings.
  static let interesting: [[UInt8]] = [
    [0x22], [0x2C], [0x0A], [0x0D, 0x0A], [0x0D], [0x20], [0x2D], [0x30], [0x39], [0x2E],
    Array("1e999".utf8), Array("-1".utf8), Array("nan".utf8), Array("2026".utf8),
    Array("99999999999999999999".utf8), Array("市".utf8), [0xE5], [0xB8], [0x81, 0x30],
    [0xFF], [0x80], [0x00], [0xEF, 0xBB, 0xBF], Array("\"\"".utf8), Array(",,,".utf8),
  ]

  static func mutate(_ input: [UInt8], _ rng: inout RandomSource) -> [UInt8] {
    var b = input
    for _ in 0..<rng.int(in: 1...4) {
      let pos = b.isEmpty ? 0 : rng.int(in: 0...b.count)
      switch rng.int(below: 7) {
      case 0 where !b.isEmpty && pos < b.count: b.remove(at: pos)
      case 1: b.insert(contentsOf: interesting[rng.int(below: interesting.count)], at: pos)
      case 2 where pos < b.count: b[pos] = UInt8(rng.int(in: 0...255))
      case 3: b.removeSubrange(pos...)  // truncate
      case 4 where !b.isEmpty:
        // Duplicate a random line.
        let lines = b.split(separator: 0x0A, omittingEmptySubsequences: false)
        let line = lines[rng.int(below: lines.count)]
        b.insert(contentsOf: Array(line) + [0x0A], at: pos)
      case 5 where pos < b.count:
        // Swap a field separator and a quote, or vice versa.
        b[pos] = b[pos] == 0x2C ? 0x22 : 0x2C
      default: b.insert(contentsOf: interesting[rng.int(below: interesting.count)], at: pos)
      }
    }
    return b
  }

  static let fileLevelMessages = [
    "required file is missing", "file is empty", "cannot read", "missing required key",
    "not valid YAML", "must be", "unknown key",
  ]

  @Test("a thousand mutated files each load or give located errors")
  func thousandMutations() throws {
    try fuzz(files: Self.files.mapValues { Array($0.utf8) }, iterations: 1000, seedOffset: 0)
  }

  @Test("mutated copies of generated files each load or give located errors")
  func generatedMutations() throws {
    let g = try GeneratedFolder(GeneratorSpec(shape: [2, 3, 2], periods: 2, seed: 99))
    defer { g.cleanUp() }
    var files: [String: [UInt8]] = [:]
    for name in Dataset.knownFiles {
      files[name] = try Array(Data(contentsOf: URL(fileURLWithPath: g.folder + "/" + name)))
    }
    try fuzz(files: files, iterations: 300, seedOffset: 1)
  }

  func fuzz(files: [String: [UInt8]], iterations: Int, seedOffset: UInt64) throws {
    let seed = (UInt64(ProcessInfo.processInfo.environment["CHUANDAO_FUZZ_SEED"] ?? "") ?? 20_261_130) &+ seedOffset
    var rng = RandomSource(seed: seed)
    let ds = try TempDataset([:], base: [:])
    defer { ds.cleanUp() }
    for (name, bytes) in files { try ds.write(name, bytes: bytes) }
    let names = files.keys.filter { $0.hasSuffix(".csv") }.sorted()
    var loaded = 0
    for iteration in 0..<iterations {
      let name = names[rng.int(below: names.count)]
      let original = files[name]!
      let mutated = Self.mutate(original, &rng)
      try ds.write(name, bytes: mutated)
      let (dataset, log) = Dataset.validate(folder: ds.folder)
      let lineCount = mutated.lazy.filter { $0 == 0x0A }.count + 1
      let context = "seed \(seed), iteration \(iteration), \(name)"
      if log.hasErrors {
        #expect(dataset == nil, "\(context)")
        for d in log.items where d.severity == .error {
          #expect(Dataset.knownFiles.contains(d.file), "\(context): \(d.formatted())")
          if let line = d.line {
            // A located error points at a physical line of the file it names.
            let limit = d.file == name ? lineCount : 100_000
            #expect(line >= 1 && line <= limit, "\(context): \(d.formatted())")
          } else {
            #expect(Self.fileLevelMessages.contains { d.message.en.contains($0) }, "\(context): \(d.formatted())")
          }
        }
      } else {
        #expect(dataset != nil, "\(context)")
        loaded += 1
      }
      try ds.write(name, bytes: original)
    }
    // The mutations must exercise both outcomes, or the test proves little.
    #expect(loaded > iterations / 100 && loaded < iterations * 99 / 100, "seed \(seed): \(loaded) of \(iterations) loaded")
  }
}
