import Foundation
import Testing

@testable import Chuandao

#if canImport(Glibc)
  import Glibc
#endif

/// The dataset snapshot (docs/snapshot.md): every column comes back as the loader made it,
/// and a snapshot that is stale, truncated, damaged or from another version is rebuilt,
/// never trusted. Each test has a cache folder of its own, given through the API.
@Suite("Dataset snapshots")
struct SnapshotTests {
  // MARK: - The checksum

  @Test("XXH64 gives the reference library's values (libxxhash 0.8), whole or in pieces")
  func xxh64() {
    // From libxxhash.so.0's XXH64(data, length, seed), called through Python's ctypes.
    let cases: [(bytes: [UInt8], seed0: UInt64, seedGolden: UInt64)] = [
      ([], 0xef46_db37_51d8_e999, 0xac75_fda2_929b_17ef),
      (Array("a".utf8), 0xd24e_c4f1_a98c_6e5b, 0x393d_a8b7_8992_279b),
      (Array("abc".utf8), 0x44bc_2cf5_ad77_0999, 0x1318_df30_094a_85fd),
      (Array("Nobody inspects the spammish repetition".utf8), 0xfbce_a83c_8a37_8bf1, 0x56db_22dd_5b05_1147),
      (Array((0..<4).flatMap { _ in (0...255).map { UInt8($0) } } + Array("xyz".utf8)), 0xe146_cb31_b65b_c21a, 0x8a66_b457_47ef_9df4),
    ]
    for c in cases {
      c.bytes.withUnsafeBytes { p in
        #expect(XXH64.hash(p) == c.seed0, "\(c.bytes.count) bytes")
        #expect(XXH64.hash(p, seed: 2_654_435_761) == c.seedGolden, "\(c.bytes.count) bytes, seed")
        // Fed in uneven pieces, the same.
        for step in [1, 3, 7, 31, 33] {
          var h = XXH64()
          var i = 0
          while i < p.count {
            let j = min(p.count, i + step)
            h.update(UnsafeRawBufferPointer(rebasing: p[i..<j]))
            i = j
          }
          #expect(h.finalize() == c.seed0, "\(c.bytes.count) bytes in pieces of \(step)")
        }
      }
    }
  }

  // MARK: - Round trips

  @Test("the sample: every column, the warnings and the digests come back from the snapshot")
  func sampleRoundTrip() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    try Self.expectRoundTrip(dir, cache)
  }

  @Test("generated datasets of several shapes come back column for column", arguments: [
    GeneratorSpec(shape: [3, 4, 5], periods: 3, seed: 7),
    GeneratorSpec(shape: [2, 3, 2, 3], periods: 4, seed: 11),
    GeneratorSpec(shape: [4, 6], periods: 2, seed: 13, null: true),
    // 9,620 nodes: supervision columns of 1.2 MB a period, above the 1 MiB from which a
    // column's pages are given back to the system once copied out.
    GeneratorSpec(shape: [20, 30, 15], periods: 2, seed: 17),
  ])
  func generatedRoundTrip(_ spec: GeneratorSpec) throws {
    let (dir, cache) = try Self.setUp()
    defer { Self.remove(dir, cache) }
    _ = try DatasetGenerator(spec).write(to: dir)
    try Self.expectRoundTrip(dir, cache)
  }

  @Test("a dataset with warnings of every kind replays them: same text, same order")
  func warningsReplayed() throws {
    let (dir, cache) = try Self.setUp()
    defer { Self.remove(dir, cache) }
    let data = try TempDataset([
      "dataset.yaml": "periods: [\"2024\", \"2025\"]\ncolour: red\n",
      "members.csv": "period,node,members\n2025,Z1,0\n2025,Z2,１２\n",
      "risks.xls": "not really a workbook",
    ])
    defer { data.cleanUp() }
    try FileManager.default.copyItem(atPath: data.folder, toPath: dir + "/ds")
    let first = try Self.expectRoundTrip(dir + "/ds", cache)
    let warnings = first.diagnostics.items.map { $0.formatted(.en) }
    #expect(warnings.contains { $0.hasPrefix("dataset.yaml:2: warning: unknown key 'colour'") }, "\(warnings)")
    #expect(warnings.contains { $0.hasPrefix("risks.csv: warning: missing, so not read") }, "\(warnings)")
    #expect(warnings.contains { $0.hasPrefix("members.csv:3: warning: 1 cell written in export forms") }, "\(warnings)")
    #expect(first.diagnostics.warningCount >= 4)
  }

  @Test("a dataset of workbooks: the snapshot keys on the workbooks and replays the sheet places", arguments: ["sample-split", "sample-book"])
  func workbooks(_ fixture: String) throws {
    let source = Fixtures.repository.appendingPathComponent("Tests/ChuandaoXLSXTests/Fixtures/\(fixture)").path
    let (dir, cache) = try Self.setUp(copying: source)
    defer { Self.remove(dir, cache) }
    let loaded = try Self.expectRoundTrip(dir, cache)
    #expect(loaded.diagnostics.items.map(\.place) == [fixture == "sample-split" ? "org.xlsx[org]!90:90" : "dataset.xlsx[org]!90:90"])
    #expect(loaded.file("scores.csv")?.sheet == "scores")
    // The workbook rewritten: stale, named by the workbook.
    let book = dir + "/" + (fixture == "sample-split" ? "scores.xlsx" : "dataset.xlsx")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: book))
    try FileManager.default.removeItem(atPath: book)
    try bytes.write(to: URL(fileURLWithPath: book))
    let r = Self.load(dir, cache)
    let name = (book as NSString).lastPathComponent
    #expect(r.source == .files && r.rejection == .stale([LocalizedText(zh: "\(name) 已改变", en: "\(name) changed")]))
  }

  @Test("a manifest without a name takes the folder's name as given now, as the loader would")
  func nameFromFolder() throws {
    let (dir, cache) = try Self.setUp()
    defer { Self.remove(dir, cache) }
    let data = try TempDataset(["dataset.yaml": "periods: [\"2024\", \"2025\"]\n"])
    defer { data.cleanUp() }
    try FileManager.default.copyItem(atPath: data.folder, toPath: dir + "/first")
    try FileManager.default.createSymbolicLink(atPath: dir + "/second", withDestinationPath: dir + "/first")
    _ = try Self.expectRoundTrip(dir + "/first", cache)
    // The link resolves to the same folder, so to the same snapshot.
    let viaLink = Self.load(dir + "/second", cache)
    #expect(viaLink.source == .snapshot)
    Self.expectSame(try viaLink.dataset.get(), try Dataset.load(folder: dir + "/second", digests: true))
    // Read for a folder of another name, the name and the files' paths follow it.
    let mapped = try #require(try DatasetSnapshot.Mapped(path: cache.snapshotPath(forDataset: dir + "/first")))
    let header = try mapped.header()
    #expect(header.nameFromFolder)
    let moved = try mapped.dataset(folder: "/elsewhere/renamed", header: header)
    #expect(moved.manifest.name == "renamed")
    #expect(moved.files.allSatisfy { $0.path == "/elsewhere/renamed/" + $0.name })
    // A name given in dataset.yaml stays.
    let named = try TempDataset([:])
    defer { named.cleanUp() }
    #expect(!DatasetSnapshot.nameFromFolder(named.folder))
  }

  // MARK: - Validity

  @Test("a file touched, rewritten with the same size, added or removed makes the snapshot stale: rebuilt with a note")
  func staleInputs() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    Self.setTimes(dir, toSecond: 1_577_836_800)
    #expect(Self.load(dir, cache).snapshotWritten)

    // A new modification time.
    Self.setTimes(dir, toSecond: 1_577_836_900, only: "scores.csv")
    var r = Self.load(dir, cache)
    #expect(r.source == .files && r.snapshotWritten)
    #expect(r.rejection == .stale([LocalizedText(zh: "scores.csv 已改变", en: "scores.csv changed")]))
    #expect(r.notes.map { $0.text(.en) } == ["note: the dataset snapshot is stale (scores.csv changed); reading the CSV files"])
    #expect(r.notes.map { $0.text(.zh) } == ["注：数据集快照已过期（scores.csv 已改变），重新读取"])
    #expect(Self.load(dir, cache).source == .snapshot)

    // Rewritten with the same size (a new file, then renamed: another inode).
    let scores = dir + "/scores.csv"
    let changed = try Self.tweakScore(try Data(contentsOf: URL(fileURLWithPath: scores)))
    try changed.write(to: URL(fileURLWithPath: scores), options: .atomic)
    r = Self.load(dir, cache)
    #expect(r.source == .files && r.rejection != nil)
    Self.expectSame(try r.dataset.get(), try Dataset.load(folder: dir, digests: true))
    #expect(Self.load(dir, cache).source == .snapshot)

    // A file removed.
    try FileManager.default.removeItem(atPath: dir + "/leaders.csv")
    r = Self.load(dir, cache)
    #expect(r.rejection == .stale([LocalizedText(zh: "leaders.csv 已删除", en: "leaders.csv removed")]))
    #expect(try r.dataset.get().file("leaders.csv") == nil)

    // A workbook in the place of a missing file changes the loader's warnings.
    try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/leaders.xls"))
    r = Self.load(dir, cache)
    #expect(r.source == .files && r.rejection != nil)
    #expect(try r.dataset.get().diagnostics.items.contains { $0.file == "leaders.csv" })
    #expect(Self.load(dir, cache).source == .snapshot)
  }

  @Test("a file changed in place just after the snapshot, its size and time put back, is caught (racily clean)")
  func racyFile() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    let scores = dir + "/scores.csv"
    #expect(utimensat(AT_FDCWD, scores, nil, 0) == 0)  // modified now, as after an edit
    let before = try #require(InputFileStat.status(of: scores))
    #expect(Self.load(dir, cache).snapshotWritten)
    try Self.rewriteInPlace(scores, keepingTimeOf: before)
    #expect(InputFileStat.status(of: scores)?.mtime == before.mtime)
    let r = Self.load(dir, cache)
    #expect(r.source == .files)
    #expect(r.rejection == SnapshotRejection.contentChanged(["scores.csv"]))
  }

  @Test("--rehash finds a file whose content changed while its size, time and inode stayed")
  func rehash() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    Self.setTimes(dir, toSecond: 1_577_836_800)
    #expect(Self.load(dir, cache).snapshotWritten)
    let scores = dir + "/scores.csv"
    let before = try #require(InputFileStat.status(of: scores))
    try Self.rewriteInPlace(scores, keepingTimeOf: before)
    // Metadata alone cannot tell (the documented limit)...
    #expect(Self.load(dir, cache).source == .snapshot)
    // ...the SHA-256 can.
    let r = Self.load(dir, cache, verify: .sha256)
    #expect(r.source == .files)
    #expect(r.rejection == SnapshotRejection.contentChanged(["scores.csv"]))
    #expect(r.notes.first?.text(.en) == "note: the dataset snapshot is stale (the content of scores.csv changed: another SHA-256); reading the CSV files")
    let expected = try InputDigests.compute(dataset: dir, configPath: nil).inputs.map(\.sha256)
    #expect(try r.digests.get().inputs.map(\.sha256) == expected)
    // The rebuilt snapshot passes --rehash.
    #expect(Self.load(dir, cache, verify: .sha256).source == .snapshot)
  }

  @Test("a truncated snapshot is rebuilt, never trusted", arguments: [0, 5, 31, 100, -1, -24])
  func truncated(_ keep: Int) throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    #expect(Self.load(dir, cache).snapshotWritten)
    let path = cache.snapshotPath(forDataset: dir)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes = bytes.prefix(keep >= 0 ? keep : bytes.count + keep)
    try bytes.write(to: URL(fileURLWithPath: path))
    let r = Self.load(dir, cache)
    #expect(r.source == .files && r.snapshotWritten)
    #expect(r.rejection == .truncated, "\(String(describing: r.rejection))")
    #expect(Self.load(dir, cache).source == .snapshot)
  }

  @Test("pages given back after the checksum and the copies are read again from the file: the same checksum, the same dataset")
  func pagesGivenBack() throws {
    let (dir, cache) = try Self.setUp()
    defer { Self.remove(dir, cache) }
    _ = try DatasetGenerator(GeneratorSpec(shape: [20, 30, 15], periods: 2, seed: 17)).write(to: dir)
    #expect(Self.load(dir, cache).snapshotWritten)
    let path = cache.snapshotPath(forDataset: dir)
    let mapped = try #require(try DatasetSnapshot.Mapped(path: path))
    #expect(mapped.bytes.count > 3 * SnapshotReader.releaseMinimum)
    // In pieces of just over 1 MiB, each given back once hashed; then again, the pages
    // coming back from the file; then the columns, copied from pages given back.
    let piece = SnapshotReader.releaseMinimum + 8
    try mapped.verify(piece: piece)
    try mapped.verify(piece: piece)
    let header = try mapped.header()
    Self.expectSame(try mapped.dataset(folder: dir, header: header), try Dataset.load(folder: dir, digests: true))
    try mapped.verify(piece: piece)
    // A flipped byte in the last piece is still found.
    var bad = try Data(contentsOf: URL(fileURLWithPath: path))
    bad[bad.count - 40] ^= 0x01
    try bad.write(to: URL(fileURLWithPath: path + ".bad"))
    let damaged = try #require(try DatasetSnapshot.Mapped(path: path + ".bad"))
    #expect(throws: SnapshotRejection.self) { try damaged.verify(piece: piece) }
  }

  @Test("a snapshot with a flipped byte anywhere is rebuilt, never trusted")
  func flipped() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    #expect(Self.load(dir, cache).snapshotWritten)
    let path = cache.snapshotPath(forDataset: dir)
    let good = try Data(contentsOf: URL(fileURLWithPath: path))
    // The magic, the header's length, the header, columns early and late, the trailer.
    for at in [0, 17, 40, 200, good.count / 2, good.count - 30, good.count - 12, good.count - 1] {
      var bad = good
      bad[at] ^= 0x20
      try bad.write(to: URL(fileURLWithPath: path))
      let r = Self.load(dir, cache)
      #expect(r.source == .files, "byte \(at)")
      guard case .some(let rejection) = r.rejection else {
        Issue.record("byte \(at): no rejection")
        continue
      }
      switch rejection {
      case .damaged, .truncated: break
      default: Issue.record("byte \(at): \(rejection)")
      }
      #expect(r.notes.count == 1)
      Self.expectSame(try r.dataset.get(), try Dataset.load(folder: dir, digests: true))
      #expect(Self.load(dir, cache).source == .snapshot, "byte \(at): rebuilt")
    }
  }

  @Test("a snapshot of another format, version or build is rebuilt with a note")
  func otherVersion() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    #expect(Self.load(dir, cache).snapshotWritten)
    let path = cache.snapshotPath(forDataset: dir)

    // Another snapshot format.
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    bytes[8] = 99
    try bytes.write(to: URL(fileURLWithPath: path))
    var r = Self.load(dir, cache)
    #expect(r.rejection == .otherVersion(LocalizedText(zh: "快照格式 99", en: "snapshot format 99")))
    #expect(r.notes.first?.text(.en) == "note: the dataset snapshot was made by another version (snapshot format 99); reading the CSV files")

    // Another chuandao version, and another build of this one, in a well-formed snapshot.
    let dataset = try Dataset.load(folder: dir)
    let mapped = try #require(try DatasetSnapshot.Mapped(path: path))
    let header = try mapped.header()
    for (field, expected) in [("version", "chuandao 0.0.1"), ("build", "another build of chuandao \(ChuandaoVersion.string)")] {
      var other = header
      if field == "version" { other.version = "0.0.1" } else { other.build = "1-2" }
      try DatasetSnapshot.write(dataset, header: other, to: path)
      r = Self.load(dir, cache)
      #expect(r.source == .files)
      guard case .otherVersion(let which) = r.rejection else {
        Issue.record("\(field): \(String(describing: r.rejection))")
        continue
      }
      #expect(which.en == expected)
      #expect(Self.load(dir, cache).source == .snapshot)
    }
  }

  @Test("a cache folder that cannot be made costs one note, not the load")
  func unwritableCache() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    // A cache folder under a regular file: no one can make it, root included.
    try Data("x".utf8).write(to: URL(fileURLWithPath: cache.folder + "-file"))
    defer { try? FileManager.default.removeItem(atPath: cache.folder + "-file") }
    let blocked = SnapshotCache(folder: cache.folder + "-file/cache")
    for _ in 0..<2 {
      let r = Self.load(dir, blocked)
      #expect(r.source == .files && !r.snapshotWritten)
      #expect(r.notes.count == 1)
      #expect(r.notes.first?.text(.en).hasPrefix("note: cannot write the dataset snapshot (") == true)
      Self.expectSame(try r.dataset.get(), try Dataset.load(folder: dir, digests: true))
    }
  }

  @Test("an invalid dataset gets no snapshot, and loses the one it had")
  func invalidDataset() throws {
    let (dir, cache) = try Self.setUp(copying: Self.sample)
    defer { Self.remove(dir, cache) }
    #expect(Self.load(dir, cache).snapshotWritten)
    try Data("id,parent,level,name,members\nB1,B9,bureau,x,1\n".utf8).write(to: URL(fileURLWithPath: dir + "/org.csv"))
    let r = Self.load(dir, cache)
    #expect(r.source == .files && !r.snapshotWritten)
    #expect(throws: DatasetInvalid.self) { try r.dataset.get() }
    #expect(!FileManager.default.fileExists(atPath: cache.snapshotPath(forDataset: dir)))
    #expect(Self.load(dir, cache).notes.isEmpty)
  }

  @Test("the cache folder: CHUANDAO_CACHE, else XDG_CACHE_HOME/chuandao, else ~/.cache/chuandao")
  func defaultFolder() {
    #expect(SnapshotCache.defaultFolder(environment: ["CHUANDAO_CACHE": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/c")
    #expect(SnapshotCache.defaultFolder(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/chuandao")
    #expect(SnapshotCache.defaultFolder(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/chuandao")
    #expect(SnapshotCache.defaultFolder(environment: ["HOME": "/h"]) == "/h/.cache/chuandao")
    #expect(SnapshotCache.defaultFolder(environment: [:]) == nil)
    // One file per folder, however it is spelled.
    let c = SnapshotCache(folder: "/c")
    #expect(c.snapshotPath(forDataset: Self.sample) == c.snapshotPath(forDataset: Self.sample + "/../sample/."))
    #expect(c.snapshotPath(forDataset: Self.sample).hasPrefix("/c/snapshots/"))
    #expect(c.snapshotPath(forDataset: Self.sample).hasSuffix(".cdsnap"))
  }
}

// MARK: - Helpers

extension SnapshotTests {
  static var sample: String { Fixtures.repository.appendingPathComponent("datasets/sample").path }

  /// A fresh folder (holding a copy of `source`'s files when given) and a fresh cache.
  static func setUp(copying source: String? = nil) throws -> (String, SnapshotCache) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("chuandao-snap-\(UUID().uuidString)").path
    let dir = base + "/data"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    if let source {
      for name in try FileManager.default.contentsOfDirectory(atPath: source) {
        try FileManager.default.copyItem(atPath: source + "/" + name, toPath: dir + "/" + name)
      }
    }
    return (dir, SnapshotCache(folder: base + "/cache"))
  }

  static func remove(_ dir: String, _ cache: SnapshotCache) {
    try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent)
  }

  static func load(_ dir: String, _ cache: SnapshotCache, verify: SnapshotVerification = .metadata) -> DatasetLoad {
    Dataset.loadAndDigest(folder: dir, configPath: nil, cache: cache, verify: verify)
  }

  /// Loads `dir` twice through `cache`, from the files then from the snapshot, and checks
  /// both against a plain load; returns the dataset.
  @discardableResult
  static func expectRoundTrip(
    _ dir: String, _ cache: SnapshotCache, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> Dataset {
    let plain = try Dataset.load(folder: dir, digests: true)
    let digests = try InputDigests.compute(dataset: dir, configPath: nil)
    let first = load(dir, cache)
    #expect(first.source == .files && first.snapshotWritten && first.notes.isEmpty, sourceLocation: sourceLocation)
    let second = load(dir, cache)
    #expect(second.source == .snapshot && !second.snapshotWritten && second.notes.isEmpty, sourceLocation: sourceLocation)
    for l in [first, second] {
      expectSame(try l.dataset.get(), plain, sourceLocation: sourceLocation)
      let d = try l.digests.get()
      #expect(d.inputs.map(\.file) == digests.inputs.map(\.file), sourceLocation: sourceLocation)
      #expect(d.inputs.map(\.sha256) == digests.inputs.map(\.sha256), sourceLocation: sourceLocation)
      #expect(d.config == nil, sourceLocation: sourceLocation)
    }
    return try second.dataset.get()
  }

  /// Every column of two datasets equal (floating point bit for bit, NaNs included).
  static func expectSame(_ a: Dataset, _ b: Dataset, sourceLocation: SourceLocation = #_sourceLocation) {
    func bits(_ x: [Double]?) -> [UInt64]? { x?.map(\.bitPattern) }
    func same<T: Equatable>(_ x: T, _ y: T, _ what: String) {
      #expect(x == y, "\(what) differs", sourceLocation: sourceLocation)
    }
    same(a.folder, b.folder, "folder")
    same(a.manifest, b.manifest, "manifest")
    same(a.files, b.files, "files")
    same(a.diagnostics.items, b.diagnostics.items, "diagnostics")
    same(a.diagnostics.warningCount, b.diagnostics.warningCount, "warning count")
    same(a.diagnostics.errorCount, b.diagnostics.errorCount, "error count")
    let (f, g) = (a.forest, b.forest)
    same(f.levelNames, g.levelNames, "level names")
    same(f.ids, g.ids, "ids")
    same(f.names, g.names, "names")
    same(f.parent, g.parent, "parent")
    same(f.level, g.level, "level")
    same(f.childStart, g.childStart, "childStart")
    same(f.levelStart, g.levelStart, "levelStart")
    same(f.validFrom, g.validFrom, "validFrom")
    same(f.validTo, g.validTo, "validTo")
    same(f.baseMembers, g.baseMembers, "baseMembers")
    same(f.partyAdminSplit, g.partyAdminSplit, "partyAdminSplit")
    same(f.disciplineStaff, g.disciplineStaff, "disciplineStaff")
    same(f.successor, g.successor, "successor")
    same(f.sourceLine, g.sourceLine, "sourceLine")
    same(f.jointOffice, g.jointOffice, "jointOffice")
    same(f.ids.indices.map { f.index(of: f.ids[$0]) }, g.ids.indices.map { g.index(of: g.ids[$0]) }, "id lookup")
    same(f.index(of: "no such id"), nil, "lookup of an unknown id")
    same(a.periods.count, b.periods.count, "periods")
    for (p, q) in zip(a.periods, b.periods) {
      same(p.members, q.members, "members")
      same(bits(p.scores), bits(q.scores), "scores")
      same(p.supervision, q.supervision, "supervision")
      same(bits(p.risk), bits(q.risk), "risk")
      same(bits(p.metrics.score), bits(q.metrics.score), "metric score")
      same(bits(p.metrics.intensity), bits(q.metrics.intensity), "metric intensity")
      same(bits(p.metrics.intensitySmoothed), bits(q.metrics.intensitySmoothed), "metric smoothed intensity")
      same(bits(p.metrics.earlyShare), bits(q.metrics.earlyShare), "metric early share")
      same(p.metrics.supervisionTotal, q.metrics.supervisionTotal, "supervision total")
    }
    let (pa, pb) = (a.problems, b.problems)
    same([pa.period, pa.node, pa.domain, pa.line], [pb.period, pb.node, pb.domain, pb.line], "problem numbers")
    same([pa.id, pa.source, pa.description], [pb.id, pb.source, pb.description], "problem texts")
    let (ra, rb) = (a.responsibilities, b.responsibilities)
    same([ra.problem, ra.subject, ra.line], [rb.problem, rb.subject, rb.line], "responsibility numbers")
    same(ra.person, rb.person, "responsibility persons")
    let (ja, jb) = (a.projects, b.projects)
    same([ja.problem, ja.due, ja.line], [jb.problem, jb.due, jb.line], "project numbers")
    same([ja.id, ja.goal], [jb.id, jb.goal], "project texts")
    same(ja.done, jb.done, "project done")
    same(ja.status, jb.status, "project status")
    let (la, lb) = (a.leaders, b.leaders)
    same([la.period, la.node, la.overseesStart, la.oversees, la.line], [lb.period, lb.node, lb.overseesStart, lb.oversees, lb.line], "leader numbers")
    same([la.person, la.name], [lb.person, lb.name], "leader texts")
    same(la.role, lb.role, "leader roles")
    same(la.hasDomains, lb.hasDomains, "leaders' domains given")
    same([la.domainsStart, la.domains], [lb.domainsStart, lb.domains], "leader domains")
    same(a.memberReach, b.memberReach, "member reach")
  }

  /// Sets the modification (and access) time of the dataset's files, or of one.
  static func setTimes(_ dir: String, toSecond second: Int, only: String? = nil) {
    for name in Dataset.knownFiles where only == nil || only == name {
      var times = [timespec(tv_sec: second, tv_nsec: 0), timespec(tv_sec: second, tv_nsec: 0)]
      _ = utimensat(AT_FDCWD, dir + "/" + name, &times, 0)
    }
  }

  /// One score's last digit lowered by one: the same size, another content, still valid.
  static func tweakScore(_ data: Data) throws -> Data {
    var bytes = Array(data)
    let lines = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }
    for end in lines.dropFirst() {
      var k = end - 1
      if bytes[k] == UInt8(ascii: "\r") { k -= 1 }
      if (UInt8(ascii: "1")...UInt8(ascii: "8")).contains(bytes[k]) {
        bytes[k] -= 1
        return Data(bytes)
      }
    }
    throw SnapshotFault("no score to change")
  }

  /// Changes a score in place (same file, same size) and puts the modification time back.
  static func rewriteInPlace(_ path: String, keepingTimeOf before: (size: Int64, mtime: Int64, inode: UInt64)) throws {
    let changed = try tweakScore(try Data(contentsOf: URL(fileURLWithPath: path)))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.seek(toOffset: 0)
    try handle.write(contentsOf: changed)
    try handle.close()
    let t = timespec(tv_sec: Int(before.mtime / 1_000_000_000), tv_nsec: Int(before.mtime % 1_000_000_000))
    var times = [t, t]
    _ = utimensat(AT_FDCWD, path, &times, 0)
    let after = try #require(InputFileStat.status(of: path))
    #expect(after.size == before.size && after.inode == before.inode && after.mtime == before.mtime)
  }
}
