import ChuandaoStats
import Foundation
import Testing
import Glibc
import _ChuandaoOutput

@testable import Chuandao

/// The block read of large files (docs/loader.md) against the sequential read: the same
/// Dataset, the same diagnostics in the same order, and each file's SHA-256 from the load.
@Suite("Loader blocks: parallel reads equal the sequential read")
struct LoaderBlockTests {
  /// Every file in blocks of about `blockSize` bytes, read `windowSize` bytes at a time.
  static func tiny(_ blockSize: Int = 1, window: Int = 64) -> BlockReading {
    BlockReading(minimumFileBytes: 0, blockSize: blockSize, windowSize: window)
  }

  /// Validates `folder` sequentially and in blocks and expects the same outcome.
  static func expectSame(
    _ folder: String, _ blocks: BlockReading, _ context: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let (a, logA) = Dataset.validate(folder: folder, blockReading: .never, digests: true)
    let (b, logB) = Dataset.validate(folder: folder, blockReading: blocks, digests: true)
    let linesA = logA.items.map { $0.formatted(.en) }
    let linesB = logB.items.map { $0.formatted(.en) }
    #expect(linesA == linesB, "\(context)\nsequential:\n\(linesA.joined(separator: "\n"))\nblocks:\n\(linesB.joined(separator: "\n"))", sourceLocation: sourceLocation)
    #expect(logA.items == logB.items, "\(context)", sourceLocation: sourceLocation)
    #expect((a == nil) == (b == nil), "\(context)", sourceLocation: sourceLocation)
    if let a, let b { expectSame(a, b, context, sourceLocation: sourceLocation) }
  }

  /// Every column of two datasets, NaNs compared by bit pattern.
  static func expectSame(
    _ a: Dataset, _ b: Dataset, _ context: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    func bits(_ x: [Double]?) -> [UInt64]? { x?.map(\.bitPattern) }
    #expect(a.files == b.files, "\(context)", sourceLocation: sourceLocation)
    #expect(a.diagnostics.items == b.diagnostics.items, "\(context)", sourceLocation: sourceLocation)
    #expect(a.forest.ids == b.forest.ids, "\(context)", sourceLocation: sourceLocation)
    #expect(a.periods.count == b.periods.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a.periods, b.periods) {
      #expect(x.members == y.members, "\(context)", sourceLocation: sourceLocation)
      #expect(bits(x.scores) == bits(y.scores), "\(context)", sourceLocation: sourceLocation)
      #expect(x.supervision == y.supervision, "\(context)", sourceLocation: sourceLocation)
      #expect(bits(x.risk) == bits(y.risk), "\(context)", sourceLocation: sourceLocation)
    }
    #expect(a.problems.id == b.problems.id && a.problems.line == b.problems.line, sourceLocation: sourceLocation)
    #expect(a.responsibilities.line == b.responsibilities.line, sourceLocation: sourceLocation)
    #expect(a.projects.id == b.projects.id && a.projects.line == b.projects.line, sourceLocation: sourceLocation)
    #expect(a.leaders.person == b.leaders.person && a.leaders.line == b.leaders.line, sourceLocation: sourceLocation)
  }

  @Test("the sample dataset loads the same in blocks", arguments: [1, 100, 4096])
  func sample(blockSize: Int) {
    let folder = Fixtures.repository.appendingPathComponent("datasets/sample").path
    Self.expectSame(folder, Self.tiny(blockSize, window: 4 * blockSize + 50), "blockSize \(blockSize)")
  }

  @Test("a generated dataset loads the same in blocks")
  func generated() throws {
    let g = try GeneratedFolder(GeneratorSpec.preset(.city, seed: 3))
    defer { g.cleanUp() }
    Self.expectSame(g.folder, Self.tiny(10_000, window: 65_536))
    Self.expectSame(g.folder, Self.tiny(200, window: 8192))
  }

  // MARK: - Crafted files, cut at every record

  /// Supervision with quoted fields holding line feeds and commas, CRLF, blank lines and
  /// errors of every kind, including the ones that depend on earlier rows.
  static let supervision = """
    period,node,kind,domain,count\r
    2025,Z1,case,finance,3\r
    \r
    "2025","Z2","case","finance","4"
    2025,"Z3",case,"fin
    ance",5

    2025,Z1,case,finance,x1
    2025,NOPE,case,finance,1
    2025,Z1,"case",finance,2147483640
    ,,,,
    2025,Z2,interview,other,１,０２８
    2025,Z2,interview,other,"１,０２８"
    2024,Z1,case,finance,1
    2026,Z1,case,finance,1
    2025,Z1,case,finance,9
    2025,Z1,petition,finance,-1
    2025,U1,case,other,7
    """

  static let risks = """
    period,node,domain,risk
    2025,Z1,finance,1.5
    2025,Z1,finance,2.5
    "2025","Z2","other","0.25"

    2025,Z2,other,0.5
    2025,Z9,other,0.5
    2024,Z3,assets,-1
    2024,Z3,assets,abc
    2024,Z3,assets,3e0
    2025,Z1,finance,7
    """

  static let scoresWithText = """
    period,node,subject,score,dimension
    2025,Z1,committee,90,"a, b"
    2025,Z1,committee,80,"line one
    line two ""quoted"" end"
    2025,Z2,committee,101,x
    2025,Z2,committee,７０,y
    2025,Z3,secretary,55.5,z\r
    2025,Z3,secretary,60,"end"
    """

  static let craftedCases: [(String, [String: String])] = [
    ("supervision", ["supervision.csv": supervision]),
    ("supervision with a BOM", ["supervision.csv": "\u{FEFF}" + supervision]),
    ("risks", ["risks.csv": risks]),
    ("scores", ["scores.csv": scoresWithText]),
    ("all three", ["supervision.csv": supervision, "risks.csv": risks, "scores.csv": scoresWithText]),
    ("valid supervision", ["supervision.csv": "period,node,kind,domain,count\n2025,Z1,case,finance,3\n\"2025\",Z2,case,other,\"4\"\r\n\n2024,Z3,reminder,assets,1"]),
    ("blank lines before the header", ["risks.csv": "\n\r\n\nperiod,node,domain,risk\n2025,Z1,finance,1\n"]),
    ("header only", ["risks.csv": "period,node,domain,risk\n"]),
    ("empty", ["risks.csv": ""]),
    ("a bad header", ["risks.csv": "period,node,risk\n2025,Z1,1\n2025,Z1,1\n"]),
    ("a short row", ["risks.csv": "period,node,domain,risk\n2025,Z1,finance\n2025,Z2,finance,1\n"]),
    ("a misplaced quote", ["supervision.csv": "period,node,kind,domain,count\n2025,Z1,case,finance,3\n2025,Z1,ca\"se,finance,3\n2025,Z2,case,finance,3\n"]),
    ("an unclosed quote", ["supervision.csv": "period,node,kind,domain,count\n2025,Z1,case,finance,3\n2025,\"Z1,case,finance,3\n2025,Z2,case,finance,3\n"]),
  ]

  @Test("crafted files give the same diagnostics whatever the cuts", arguments: 0..<craftedCases.count)
  func crafted(_ index: Int) throws {
    let (name, files) = Self.craftedCases[index]
    let ds = try TempDataset(files)
    defer { ds.cleanUp() }
    for (block, window) in [(1, 1), (1, 7), (1, 64), (16, 33), (50, 4096), (1 << 20, 16 << 20)] {
      Self.expectSame(ds.folder, Self.tiny(block, window: window), "\(name), block \(block), window \(window)")
    }
  }

  @Test("a second risk row and an overflow found across a cut are reported on their line")
  func orderDependentAcrossCuts() throws {
    let ds = try TempDataset([
      "risks.csv": "period,node,domain,risk\n2025,Z1,finance,1\n2025,Z2,finance,1\n2025,Z1,finance,2\n",
      "supervision.csv": "period,node,kind,domain,count\n2025,Z1,case,finance,2147483000\n2025,Z2,case,finance,1\n2025,Z1,case,finance,1000\n",
    ])
    defer { ds.cleanUp() }
    let lines = Dataset.validate(folder: ds.folder, blockReading: Self.tiny(1, window: 1)).1.items.map { $0.formatted(.en) }
    #expect(lines.contains("supervision.csv:4: error: column 'count': the running total exceeds 2147483647"), "\(lines)")
    #expect(lines.contains("risks.csv:4: error: a second risk row for node 'Z1', period 2025, domain 'finance'"), "\(lines)")
  }

  @Test("GB18030 files in a block read are read sequentially, with the same result")
  func gb18030() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    // 整改 and 问题 in GB18030.
    let gb = Array("period,node,subject,score,dimension\n2025,Z1,committee,90,".utf8) + [0xD5, 0xFB, 0xB8, 0xC4]
      + Array("\n2025,Z2,committee,abc,".utf8) + [0xCE, 0xCA, 0xCC, 0xE2, 0x0A]
    try ds.write("scores.csv", bytes: gb)
    Self.expectSame(ds.folder, Self.tiny(1, window: 5))
    // Damaged UTF-8: a Chinese character, then a byte neither encoding accepts.
    try ds.write("scores.csv", bytes: Array("period,node,subject,score,dimension\n2025,Z1,committee,90,整改\n".utf8) + [0x32, 0x30, 0xFF, 0x0A])
    Self.expectSame(ds.folder, Self.tiny(1, window: 5))
  }

  /// `text` in GB18030, by glibc's iconv (an independent encoder: the loader only decodes).
  static func gb18030(_ text: String) throws -> [UInt8] {
    let cd = iconv_open("GB18030", "UTF-8")
    try #require(cd != nil && Int(bitPattern: cd) != -1)
    defer { iconv_close(cd) }
    var input = Array(text.utf8)
    var output = [UInt8](repeating: 0, count: 2 * input.count + 16)
    let produced = input.withUnsafeMutableBufferPointer { i in
      output.withUnsafeMutableBufferPointer { o in
        var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(i.baseAddress!).assumingMemoryBound(to: CChar.self)
        var inLeft = i.count
        var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(o.baseAddress!).assumingMemoryBound(to: CChar.self)
        var outLeft = o.count
        return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 ? -1 : o.count - outLeft
      }
    }
    try #require(produced >= 0)
    return Array(output[..<produced])
  }

  /// Chinese in quoted and plain fields (two-byte characters), a character outside the
  /// BMP (four bytes in GB18030), line feeds and quotes inside quotes, CRLF, blank lines and
  /// bad rows, as GB18030: read in blocks (transcoded block by block), the same as read
  /// sequentially, whatever the cuts.
  @Test("GB18030 files read in blocks give the sequential read's data and diagnostics")
  func gb18030Blocks() throws {
    let supervision = "period,node,kind,domain,count,note\n"
      + "2025,Z1,case,finance,3,整改\n"
      + "2025,Z2,case,other,4,\"问题，\"\"清单\"\"\n第二行\"\r\n"
      + "\n"
      + "2025,Z3,reminder,assets,x,責任\n"
      + "2024,Z1,case,finance,2,😀项目\n"
      + "2025,Q9,case,finance,1,未知\n"
      + "2025,Z1,case,finance,5,\"落实，到位\"\n"
    let risks = "period,node,domain,risk\n2025,Z1,finance,1.5\n2025,Z2,其他,2\n2025,Z3,assets,0.5\n"
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.write("supervision.csv", bytes: try Self.gb18030(supervision))
    try ds.write("risks.csv", bytes: try Self.gb18030(risks))
    for (block, window) in [(1, 1), (1, 7), (3, 64), (50, 4096), (1 << 20, 16 << 20)] {
      Self.expectSame(ds.folder, Self.tiny(block, window: window), "block \(block), window \(window)")
    }
    // A file without errors: loaded, and its encoding named.
    let valid = try TempDataset([:])
    defer { valid.cleanUp() }
    try valid.write("supervision.csv", bytes: try Self.gb18030("period,node,kind,domain,count,note\n2025,Z1,case,finance,3,整改\n"))
    let (dataset, _) = Dataset.validate(folder: valid.folder, blockReading: Self.tiny(1, window: 7), digests: true)
    #expect(dataset?.file("supervision.csv")?.encoding == "gb18030")
    // With the GB18030 byte-order mark (U+FEFF: 84 31 95 33) before the header.
    try ds.write("supervision.csv", bytes: try Self.gb18030("\u{FEFF}" + supervision))
    Self.expectSame(ds.folder, Self.tiny(1, window: 7), "BOM")
    // A byte GB18030 rejects (0xFF) late in the file: the blocks give way to the
    // sequential read, whose message names its line.
    try ds.write("supervision.csv", bytes: try Self.gb18030(supervision) + [0x32, 0x30, 0xFF, 0x0A])
    Self.expectSame(ds.folder, Self.tiny(1, window: 7), "bad byte")
    // A file cut inside a two-byte character.
    try ds.write("supervision.csv", bytes: try Self.gb18030(supervision + "2025,Z1,case,finance,1,整") .dropLast())
    Self.expectSame(ds.folder, Self.tiny(1, window: 7), "cut character")
  }

  /// Random rows: quoted or not, LF or CRLF, blank lines, a few bad cells and repeated cells.
  @Test("random supervision and risks files, random cuts")
  func random() throws {
    for seed in UInt64(1)...UInt64(12) {
      var rng = SplitMix64(seed: seed)
      let nodes = ["B1", "U1", "U2", "Z1", "Z2", "Z3", "Q9"]
      let kinds = ["case", "interview", "bad"]
      let domains = ["finance", "other"]
      func field(_ s: String) -> String {
        switch rng.next() % 4 {
        case 0: return "\"" + s + "\""
        case 1: return " " + s
        default: return s
        }
      }
      func end() -> String {
        switch rng.next() % 6 {
        case 0: return "\r\n"
        case 1: return "\n\n"
        default: return "\n"
        }
      }
      var sup = "period,node,kind,domain,count\n"
      var risk = "period,node,domain,risk\n"
      for _ in 0..<(20 + Int(rng.next() % 60)) {
        let t = rng.next() % 9 == 0 ? "2023" : (rng.next() % 2 == 0 ? "2024" : "2025")
        let count = rng.next() % 10 == 0 ? "2147483000" : rng.next() % 15 == 0 ? "x" : String(rng.next() % 100)
        sup += [t, nodes[Int(rng.next() % 7)], kinds[Int(rng.next() % 3)], domains[Int(rng.next() % 2)], count].map(field).joined(separator: ",") + end()
        let r = rng.next() % 15 == 0 ? "-2" : String(Double(rng.next() % 1000) / 100)
        risk += [t, nodes[Int(rng.next() % 7)], domains[Int(rng.next() % 2)], r].map(field).joined(separator: ",") + end()
      }
      let ds = try TempDataset(["supervision.csv": sup, "risks.csv": risk])
      defer { ds.cleanUp() }
      let block = 1 + Int(rng.next() % 200)
      let window = 1 + Int(rng.next() % 1000)
      Self.expectSame(ds.folder, Self.tiny(block, window: window), "seed \(seed), block \(block), window \(window)")
    }
  }

  // MARK: - Digests from the load

  /// sha256sum of the files written below (printf '...' | sha256sum):
  ///   supervision.csv, CRLF:  524a4332a3cf9992f4b87936544326a56e96647e0a0cc3c5efe99d6f3c5d3672
  ///   members.csv, with a BOM: 9d486279b9d6c5c4f47f94e5a7bf342a7c214dfa2b046e936c2ffed78bf5a2d5
  ///     (printf '\xef\xbb\xbfperiod,node,kind,domain,count\n2025,Z1,case,finance,3\n')
  ///   problems.csv, GB18030:  bf1cf40bd84cf275814faa2e3320592d7f1294e6efa3167865a2501bebd1bef5
  ///     (the UTF-8 text below | iconv -f UTF-8 -t GB18030)
  @Test("the load's digests equal sha256sum and FileDigest", arguments: [BlockReading.never, tiny(1, window: 3), tiny(4, window: 16)])
  func digests(_ blocks: BlockReading) throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    let supervision = Array("period,node,kind,domain,count\r\n2025,Z1,case,finance,3\r\n".utf8)
    try ds.write("supervision.csv", bytes: supervision)
    // A header of supervision's columns with a BOM: risks.csv then lacks its columns and is
    // reported, but still read to the end and hashed; use validate to see the files.
    let bomFile: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("period,node,kind,domain,count\n2025,Z1,case,finance,3\n".utf8)
    try ds.write("members.csv", bytes: bomFile)
    // "...,audit,整改问题\n" in GB18030.
    let gb = Array("period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,".utf8)
      + [0xD5, 0xFB, 0xB8, 0xC4, 0xCE, 0xCA, 0xCC, 0xE2, 0x0A]
    try ds.write("problems.csv", bytes: gb)
    var loader = DatasetLoader(folder: ds.folder)
    loader.blockReading = blocks
    loader.computesDigests = true
    _ = loader.run()
    let files = Dictionary(uniqueKeysWithValues: loader.files.map { ($0.name, $0) })
    #expect(files["supervision.csv"]?.sha256 == "524a4332a3cf9992f4b87936544326a56e96647e0a0cc3c5efe99d6f3c5d3672")
    #expect(files["members.csv"]?.sha256 == "9d486279b9d6c5c4f47f94e5a7bf342a7c214dfa2b046e936c2ffed78bf5a2d5")
    #expect(files["members.csv"]?.encoding == "utf8-bom")
    #expect(files["problems.csv"]?.sha256 == "bf1cf40bd84cf275814faa2e3320592d7f1294e6efa3167865a2501bebd1bef5")
    #expect(files["problems.csv"]?.encoding == "gb18030")
    for name in Dataset.knownFiles {
      let path = (ds.folder as NSString).appendingPathComponent(name)
      guard FileManager.default.fileExists(atPath: path) else { continue }
      #expect(files[name]?.sha256 == (try FileDigest.sha256Hex(path: path)), "\(name)")
    }
  }

  @Test("loadAndDigest gives what hashing every file gives")
  func loadAndDigest() throws {
    let folder = Fixtures.repository.appendingPathComponent("datasets/sample").path
    let (loaded, hashed) = Dataset.loadAndDigest(folder: folder, configPath: nil)
    _ = try loaded.get()
    let fromLoad = try hashed.get()
    let separate = try InputDigests.compute(dataset: folder, configPath: nil)
    #expect(fromLoad.inputs.map(\.file) == separate.inputs.map(\.file))
    #expect(fromLoad.inputs.map(\.sha256) == separate.inputs.map(\.sha256))
    #expect(fromLoad.config == separate.config)
  }
}
