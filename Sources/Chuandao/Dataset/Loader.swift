import Foundation
import _ChuandaoCSV
import _ChuandaoOutput
import _ChuandaoParallel

extension Dataset {
  /// Loads and validates the dataset folder; throws `DatasetInvalid` with every problem
  /// found when there is at least one error. Warnings are kept in `diagnostics`.
  public static func load(folder: String) throws(DatasetInvalid) -> Dataset {
    try load(folder: folder, digests: false, blockReading: BlockReading())
  }

  /// `load`, with each file's SHA-256 computed from the bytes read when `digests`
  /// (`DatasetFile.sha256`), for provenance.
  public static func load(folder: String, digests: Bool) throws(DatasetInvalid) -> Dataset {
    try load(folder: folder, digests: digests, blockReading: BlockReading())
  }

  /// `load` with the loader's choice of files read in blocks given (tests compare them).
  static func load(folder: String, digests: Bool, blockReading: BlockReading) throws(DatasetInvalid) -> Dataset {
    var loader = DatasetLoader(folder: folder)
    loader.blockReading = blockReading
    loader.computesDigests = digests
    let dataset = loader.run()
    guard let dataset, !loader.log.hasErrors else { throw DatasetInvalid(loader.log) }
    return dataset
  }

  /// Validates the folder without failing: the dataset (nil when it has errors) and every
  /// problem found.
  public static func validate(folder: String) -> (Dataset?, DiagnosticLog) {
    validate(folder: folder, blockReading: BlockReading())
  }

  static func validate(
    folder: String, blockReading: BlockReading, digests: Bool = false
  ) -> (Dataset?, DiagnosticLog) {
    var loader = DatasetLoader(folder: folder)
    loader.blockReading = blockReading
    loader.computesDigests = digests
    let dataset = loader.run()
    return (loader.log.hasErrors ? nil : dataset, loader.log)
  }

  /// The files of DATA.md, in their documented order.
  public static let knownFiles = [
    "dataset.yaml", "org.csv", "members.csv", "scores.csv", "supervision.csv", "risks.csv",
    "problems.csv", "responsibilities.csv", "projects.csv", "leaders.csv", "member_reach.csv",
  ]
}

/// What the readers after org.csv produce; each thread fills its own.
struct LoadedParts: Sendable {
  var members: [[Int32]] = []
  var hasScores = false
  var scoreSum: [Double] = []
  var scoreCount: [Int32] = []
  var hasSupervision = false
  var supervision: [[Int32]] = []
  var hasRisks = false
  var risk: [[Double]] = []
  var problems = ProblemList()
  var responsibilities = ResponsibilityList()
  var projects = ProjectList()
  var leaders = LeaderList()
  var memberReach = MemberReachTable()
  /// The loader copy that read each file (its log and files), keyed by file name.
  var logs: [String: DatasetLoader] = [:]
}

/// Reads every file of a dataset folder, checking each row as it goes (DATA.md, "Bad input").
struct DatasetLoader: Sendable {
  let folder: String
  var log = DiagnosticLog()
  var files: [DatasetFile] = []

  // Set once org.csv has been read.
  var manifest: Manifest!
  var nodeCount = 0
  var nodes = IDTable([])
  var validFrom: [Int32] = []
  var validTo: [Int32] = []
  var nodeIDs: [String] = []
  var periodTable = IDTable([])
  var subjectTable = IDTable([])
  var kindTable = IDTable([])
  var domainTable = IDTable([])
  /// The last node looked up and its field bytes (see `node(_:_:_:column:period:)`).
  var lastNode = -1
  var lastNodeKey: [UInt8] = []
  /// The number cells of the file being read that were written in export forms.
  var normalised = NormalisedCells()
  /// Which files are read in blocks on every core.
  var blockReading = BlockReading()
  /// Whether each file's SHA-256 is computed as it is read (`DatasetFile.sha256`).
  var computesDigests = false
  /// Where each table present is read from (`resolveSources`), by its CSV name.
  var sources: [String: TableSource] = [:]

  init(folder: String) { self.folder = folder }

  /// A copy for reading one more file: the shared read-only state, an empty log.
  func part() -> DatasetLoader {
    var copy = self
    copy.log = DiagnosticLog()
    copy.log.sheets = log.sheets
    copy.files = []
    return copy
  }

  func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

  mutating func run() -> Dataset? {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
      log.error(folder, nil, zh: "不是数据集文件夹（不存在或不是文件夹）",
        en: "not a dataset folder (missing or not a directory)")
      return nil
    }
    // dataset.yaml: always UTF-8.
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    resolveSources(entries: entries)
    let yamlPath = path("dataset.yaml")
    guard let data = FileManager.default.contents(atPath: yamlPath) else {
      if FileManager.default.fileExists(atPath: yamlPath) {
        log.error("dataset.yaml", nil, zh: "无法读取（权限不足或不是普通文件）", en: "cannot read (no permission, or not a regular file)")
        return nil
      }
      reportMissingRequired("dataset.yaml", entries: entries)
      if sources["org.csv"] == nil {
        reportMissingRequired("org.csv", entries: entries)
      }
      return nil
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      // DATA.md: dataset.yaml is always UTF-8, and its errors name a line.
      let bad = CSVReader.firstInvalidUTF8(bytes: Array(data))
      let byte = bad.map { String(format: "0x%02X", $0.byte) } ?? "?"
      log.error("dataset.yaml", bad?.line, zh: "不是 UTF-8 编码（字节 \(byte)；dataset.yaml 须为 UTF-8）",
        en: "not UTF-8 (byte \(byte); dataset.yaml must be UTF-8)")
      return nil
    }
    files.append(DatasetFile(
      name: "dataset.yaml", path: yamlPath, bytes: data.count, records: 0, encoding: "utf8",
      sha256: computesDigests ? FileDigest.sha256Hex(bytes: Array(data)) : nil))
    let folderName = (folder as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? folder
    let parsed = Manifest.parse(yaml: text, folderName: folderName, log: &log)
    guard hasTable("org.csv") else {
      if sources["org.csv"] == nil { reportMissingRequired("org.csv", entries: entries) }
      return nil
    }
    guard let parsed else { return nil }
    manifest = parsed
    periodTable = IDTable(parsed.periods)
    subjectTable = IDTable(parsed.subjects)
    kindTable = IDTable(parsed.kinds)
    domainTable = IDTable(parsed.domains)

    guard let (forest, orgOK) = readOrg() else { return nil }
    let T = manifest.periods.count
    let n = nodeCount
    let S = manifest.subjects.count
    let K = manifest.kinds.count
    let D = manifest.domains.count

    // The other files are independent of each other. The large ones are read one after
    // another, each in blocks on every core; then the others on two threads. Each reader
    // has its own log, and the logs are merged in DATA.md's file order. (Reading the
    // others beside the blocks was slower: a block step waits for its slowest block, and
    // a third thread on two cores makes some block slow.)
    let inBlocks = Set(["supervision.csv", "scores.csv", "risks.csv"].filter(readsInBlocks))
    let large = readInBlocks(inBlocks, n: n, S: S, K: K, D: D, T: T)
    var (first, second) = readOthers(
      skipping: inBlocks, baseMembers: forest?.baseMembers, n: n, S: S, K: K, D: D, T: T)
    if inBlocks.contains("supervision.csv") { (first.supervision, first.hasSupervision) = (large.supervision, large.hasSupervision) }
    if inBlocks.contains("scores.csv") { (first.scoreSum, first.scoreCount, first.hasScores) = (large.scoreSum, large.scoreCount, large.hasScores) }
    if inBlocks.contains("risks.csv") { (second.risk, second.hasRisks) = (large.risk, large.hasRisks) }
    first.logs.merge(large.logs) { x, _ in x }
    let logs = first.logs.merging(second.logs) { x, _ in x }
    for name in ["members.csv", "scores.csv", "supervision.csv", "risks.csv", "problems.csv", "leaders.csv", "member_reach.csv"] {
      guard let part = logs[name] else { continue }
      log.append(contentsOf: part.log)
      files.append(contentsOf: part.files)
    }
    reportUnreadWorkbooks(entries: entries)
    let members = second.members
    let (scoreSum, scoreCount, hasScores) = (first.scoreSum, first.scoreCount, first.hasScores)
    let (supervision, hasSupervision) = (first.supervision, first.hasSupervision)
    let (risk, hasRisks) = (second.risk, second.hasRisks)
    let (problems, responsibilities, projects) = (second.problems, second.responsibilities, second.projects)
    let leaders = second.leaders

    guard let forest, orgOK else { return nil }
    checkMemberReach(second.memberReach, forest: forest, members: members)

    // Nodes with no scores in a period (warnings, at the node's org.csv line).
    if hasScores {
      for t in 0..<T {
        for i in 0..<n where forest.exists(i, in: t) {
          var any = false
          for s in 0..<S where scoreCount[(t * n + i) * S + s] > 0 { any = true; break }
          if !any {
            log.warning("org.csv", Int(forest.sourceLine[i]),
              zh: "节点 '\(forest.ids[i])'（\(forest.names[i])）在 \(manifest.periods[t]) 期没有评分",
              en: "node '\(forest.ids[i])' (\(forest.names[i])) has no scores in period \(manifest.periods[t])")
          }
        }
      }
    }
    if log.hasErrors { return nil }

    var periods: [PeriodData] = []
    periods.reserveCapacity(T)
    for t in 0..<T {
      var scores = [Double](repeating: .nan, count: n * S)
      if hasScores {
        let base = t * n * S
        for j in 0..<(n * S) where scoreCount[base + j] > 0 {
          scores[j] = scoreSum[base + j] / Double(scoreCount[base + j])
        }
      }
      let sup = hasSupervision ? supervision[t] : nil
      let metrics = PeriodMetrics.compute(
        manifest: manifest, forest: forest, period: t, members: members[t], scores: scores,
        supervision: sup)
      periods.append(
        PeriodData(
          members: members[t], scores: scores, supervision: sup,
          risk: hasRisks ? risk[t] : nil, metrics: metrics))
    }
    let order = Dataset.knownFiles
    files.sort { order.firstIndex(of: $0.name)! < order.firstIndex(of: $1.name)! }
    return Dataset(
      folder: folder, manifest: manifest, forest: forest, periods: periods, problems: problems,
      responsibilities: responsibilities, projects: projects, leaders: leaders,
      memberReach: second.memberReach, files: files, diagnostics: log)
  }
}

extension DatasetLoader {
  /// The large files `names` (of supervision, scores and risks), one after another, each
  /// read in blocks on every core.
  func readInBlocks(_ names: Set<String>, n: Int, S: Int, K: Int, D: Int, T: Int) -> LoadedParts {
    var large = LoadedParts()
    for name in ["supervision.csv", "scores.csv", "risks.csv"] where names.contains(name) {
      var l = part()
      switch name {
      case "supervision.csv":
        large.hasSupervision = l.readSupervision(n: n, K: K, D: D, T: T, into: &large.supervision)
      case "scores.csv":
        large.hasScores = l.readScores(n: n, S: S, T: T, sum: &large.scoreSum, count: &large.scoreCount)
      default:
        large.hasRisks = l.readRisks(n: n, D: D, T: T, into: &large.risk)
      }
      large.logs[name] = l
    }
    return large
  }

  /// The files after org.csv but those in `readInBlocks`, on two threads.
  func readOthers(
    skipping readInBlocks: Set<String>, baseMembers: [Int32]?, n: Int, S: Int, K: Int, D: Int,
    T: Int
  ) -> (LoadedParts, LoadedParts) {
    let reader = self
    // Balanced by measured cost: supervision and scores on one thread; risks, the lists,
    // members and leaders on the other.
    return Parallel.both(
      {
        var b = reader.part()
        var c = reader.part()
        var r = LoadedParts()
        if !readInBlocks.contains("supervision.csv") {
          r.hasSupervision = b.readSupervision(n: n, K: K, D: D, T: T, into: &r.supervision)
          r.logs["supervision.csv"] = b
        }
        if !readInBlocks.contains("scores.csv") {
          r.hasScores = c.readScores(n: n, S: S, T: T, sum: &r.scoreSum, count: &r.scoreCount)
          r.logs["scores.csv"] = c
        }
        return r
      },
      {
        var a = reader.part()
        var b = reader.part()
        var m = reader.part()
        var d = reader.part()
        var r = LoadedParts()
        if !readInBlocks.contains("risks.csv") {
          r.hasRisks = a.readRisks(n: n, D: D, T: T, into: &r.risk)
          r.logs["risks.csv"] = a
        }
        b.readLists(&r.problems, &r.responsibilities, &r.projects)
        if let baseMembers { r.members = [[Int32]](repeating: baseMembers, count: T) }
        m.readMembers(into: &r.members)
        d.readLeaders(&r.leaders)
        var e = reader.part()
        e.readMemberReach(&r.memberReach)
        r.logs["member_reach.csv"] = e
        r.logs["problems.csv"] = b
        r.logs["members.csv"] = m
        r.logs["leaders.csv"] = d
        return r
      })
  }
}
