import Foundation
import _ChuandaoCSV

extension Dataset {
  /// Loads and validates the dataset folder; throws `DatasetInvalid` with every problem
  /// found when there is at least one error. Warnings are kept in `diagnostics`.
  public static func load(folder: String) throws(DatasetInvalid) -> Dataset {
    var loader = DatasetLoader(folder: folder)
    let dataset = loader.run()
    guard let dataset, !loader.log.hasErrors else { throw DatasetInvalid(loader.log) }
    return dataset
  }

  /// Validates the folder without failing: the dataset (nil when it has errors) and every
  /// problem found.
  public static func validate(folder: String) -> (Dataset?, DiagnosticLog) {
    var loader = DatasetLoader(folder: folder)
    let dataset = loader.run()
    return (loader.log.hasErrors ? nil : dataset, loader.log)
  }

  /// The files of DATA.md, in their documented order.
  public static let knownFiles = [
    "dataset.yaml", "org.csv", "members.csv", "scores.csv", "supervision.csv", "risks.csv",
    "problems.csv", "responsibilities.csv", "projects.csv", "leaders.csv",
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
  /// The loader copy that read each file (its log and files), keyed by file name.
  var logs: [String: DatasetLoader] = [:]
}

/// A result written by one thread and read by another after a `DispatchGroup.wait()`,
/// which orders the two accesses.
final class ResultSlot<T>: @unchecked Sendable {
  var value: T?
}

/// Runs `a` on this thread and `b` on another, and returns both results.
func inParallel<A: Sendable, B: Sendable>(_ a: () -> A, _ b: @escaping @Sendable () -> B) -> (A, B) {
  let slot = ResultSlot<B>()
  let group = DispatchGroup()
  DispatchQueue.global().async(group: group) { slot.value = b() }
  let ra = a()
  group.wait()
  return (ra, slot.value!)
}

/// `body(0) ..< body(count)` computed on all cores, in index order: for independent pieces
/// of work (periods, levels) whose results do not depend on which thread ran them.
func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
  ParallelChunks.perform(count, body)
}

/// `transform` applied to every index of `0 ..< count`, in order, by contiguous chunks on
/// all cores (directly below `ParallelChunks.threshold`): for building large output tables.
func parallelMapIndices<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
  if count <= ParallelChunks.threshold { return (0..<count).map(transform) }
  return ParallelChunks.map(count: count) { $0.map(transform) }.flatMap { $0 }
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

  init(folder: String) { self.folder = folder }

  /// A copy for reading one more file: the shared read-only state, an empty log.
  func part() -> DatasetLoader {
    var copy = self
    copy.log = DiagnosticLog()
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
    let yamlPath = path("dataset.yaml")
    guard let data = FileManager.default.contents(atPath: yamlPath) else {
      log.error("dataset.yaml", nil, zh: "缺少必需的文件", en: "required file is missing")
      if !FileManager.default.fileExists(atPath: path("org.csv")) {
        log.error("org.csv", nil, zh: "缺少必需的文件", en: "required file is missing")
      }
      return nil
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      log.error("dataset.yaml", nil, zh: "不是 UTF-8 编码（dataset.yaml 须为 UTF-8）",
        en: "not UTF-8 (dataset.yaml must be UTF-8)")
      return nil
    }
    files.append(DatasetFile(name: "dataset.yaml", path: yamlPath, bytes: data.count, records: 0, encoding: "utf8"))
    let folderName = (folder as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? folder
    let parsed = Manifest.parse(yaml: text, folderName: folderName, log: &log)
    guard FileManager.default.fileExists(atPath: path("org.csv")) else {
      log.error("org.csv", nil, zh: "缺少必需的文件", en: "required file is missing")
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

    // The other files are independent of each other: read them on two threads, each
    // reader with its own log, and merge the logs in DATA.md's file order.
    let baseMembers = forest?.baseMembers
    let reader = self
    // Balanced by measured cost: supervision and scores on one thread; risks, the lists,
    // members and leaders on the other.
    let (first, second) = inParallel(
      {
        var b = reader.part()
        var c = reader.part()
        var r = LoadedParts()
        r.hasSupervision = b.readSupervision(n: n, K: K, D: D, T: T, into: &r.supervision)
        r.hasScores = c.readScores(n: n, S: S, T: T, sum: &r.scoreSum, count: &r.scoreCount)
        r.logs = ["scores.csv": c, "supervision.csv": b]
        return r
      },
      {
        var a = reader.part()
        var b = reader.part()
        var m = reader.part()
        var d = reader.part()
        var r = LoadedParts()
        r.hasRisks = a.readRisks(n: n, D: D, T: T, into: &r.risk)
        b.readLists(&r.problems, &r.responsibilities, &r.projects)
        if let baseMembers { r.members = [[Int32]](repeating: baseMembers, count: T) }
        m.readMembers(into: &r.members)
        d.readLeaders(&r.leaders)
        r.logs = ["risks.csv": a, "problems.csv": b, "members.csv": m, "leaders.csv": d]
        return r
      })
    let logs = first.logs.merging(second.logs) { x, _ in x }
    for name in ["members.csv", "scores.csv", "supervision.csv", "risks.csv", "problems.csv", "leaders.csv"] {
      guard let part = logs[name] else { continue }
      log.append(contentsOf: part.log)
      files.append(contentsOf: part.files)
    }
    let members = second.members
    let (scoreSum, scoreCount, hasScores) = (first.scoreSum, first.scoreCount, first.hasScores)
    let (supervision, hasSupervision) = (first.supervision, first.hasSupervision)
    let (risk, hasRisks) = (second.risk, second.hasRisks)
    let (problems, responsibilities, projects) = (second.problems, second.responsibilities, second.projects)
    let leaders = second.leaders

    guard let forest, orgOK else { return nil }

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
      responsibilities: responsibilities, projects: projects, leaders: leaders, files: files,
      diagnostics: log)
  }
}

// MARK: - Reading one table

/// The columns a reader wants, resolved against one file's header.
///
/// Readers name columns with string literals (`c("period")`); a lookup compares the
/// literal's bytes with the few wanted names, with no `String` or hashing per row.
struct Columns {
  private let wanted: [StaticString]
  private var index: [Int]

  init(wanted: [StaticString]) {
    self.wanted = wanted
    index = Array(repeating: -1, count: wanted.count)
  }

  /// The position of column `name` in the file, or nil when the file lacks it.
  func callAsFunction(_ name: StaticString) -> Int? {
    for k in 0..<wanted.count where Columns.same(wanted[k], name) {
      return index[k] >= 0 ? index[k] : nil
    }
    preconditionFailure("column '\(name)' was not declared by its reader")
  }

  /// Records that header field `position` is `header`; false when it is not a wanted column.
  mutating func resolve(_ header: String, at position: Int) -> Bool {
    for k in 0..<wanted.count where wanted[k].description == header {
      index[k] = position
      return true
    }
    return false
  }

  func has(_ name: StaticString) -> Bool { self(name) != nil }

  /// The position of the `k`-th wanted column (required ones first, in declared order),
  /// -1 when absent: for the readers of the large files, where a per-row lookup by name
  /// would cost more than the parsing.
  subscript(k: Int) -> Int { index[k] }

  @inline(__always)
  static func same(_ a: StaticString, _ b: StaticString) -> Bool {
    if a.utf8Start == b.utf8Start { return true }
    return a.utf8CodeUnitCount == b.utf8CodeUnitCount
      && memcmp(a.utf8Start, b.utf8Start, a.utf8CodeUnitCount) == 0
  }
}

extension DatasetLoader {
  /// Reads `name` if present: checks the header for `required` columns (errors) and unknown
  /// ones (warnings), then calls `row` for each data record. Returns false when the file is
  /// absent or unusable.
  @discardableResult
  mutating func readTable(
    _ name: String, required: [StaticString], optional: [StaticString] = [],
    row: (inout DatasetLoader, CSVRecord, Columns) -> Void
  ) -> Bool {
    let p = path(name)
    guard FileManager.default.fileExists(atPath: p) else { return false }
    var columns: Columns? = nil
    var headerFailed = false
    var headerCount = 0
    var records = 0
    let info: CSVFileInfo
    do {
      info = try CSVReader.forEachRecord(path: p) { rec in
        if columns == nil && !headerFailed {
          var c = Columns(wanted: required + optional)
          var ok = true
          var seen = Set<String>()
          for i in 0..<rec.count {
            let h = rec.trimmed(i)
            if !seen.insert(h).inserted {
              self.log.error(name, rec.line, zh: "表头中的列 '\(h)' 重复", en: "column '\(h)' appears twice in the header")
              ok = false
            } else if !c.resolve(h, at: i) && !h.isEmpty {
              self.log.warning(name, rec.line, zh: "未知的列 '\(h)'（已忽略）", en: "unknown column '\(h)' (ignored)")
            }
          }
          let expected = required.map(\.description).joined(separator: ",")
          for r in required where !c.has(r) {
            self.log.error(name, rec.line,
              zh: "缺少必需的列 '\(r)'（应有：\(expected)）",
              en: "missing required column '\(r)' (expected: \(expected))")
            ok = false
          }
          headerCount = rec.count
          if ok { columns = c } else { headerFailed = true }
          return
        }
        // A row of empty fields (Excel's trailing ",,,,") is a blank line.
        if (0..<rec.count).allSatisfy({ rec.isBlank($0) }) { return }
        records += 1
        guard let c = columns else { return }
        if rec.count != headerCount {
          self.log.error(name, rec.line,
            zh: "该行有 \(rec.count) 个字段，表头有 \(headerCount) 个",
            en: "row has \(rec.count) fields, the header has \(headerCount)")
          return
        }
        row(&self, rec, c)
      }
    } catch let error as CSVError {
      reportCSVError(name, error)
      return false
    } catch {
      log.error(name, nil, zh: "无法读取：\(error)", en: "cannot read: \(error)")
      return false
    }
    files.append(DatasetFile(name: name, path: p, bytes: info.byteCount, records: records, encoding: info.encoding.rawValue))
    if columns == nil && !headerFailed {
      if name == "org.csv" {
        let expected = required.map(\.description).joined(separator: ",")
        log.error(name, nil, zh: "文件为空（应有表头：\(expected)）",
          en: "file is empty (expected a header: \(expected))")
        return false
      }
      log.warning(name, nil, zh: "可选文件为空", en: "optional file is empty")
      return false
    }
    if records == 0 && !headerFailed && name != "org.csv" {
      log.warning(name, nil, zh: "可选文件只有表头，没有数据", en: "optional file has a header but no rows")
    }
    return columns != nil
  }

  mutating func reportCSVError(_ name: String, _ error: CSVError) {
    switch error {
    case .cannotOpen(_, let reason), .ioError(_, let reason):
      log.error(name, nil, zh: "无法读取：\(reason)", en: "cannot read: \(reason)")
    case .notText(_, let line, let byte):
      let hex = "0x" + String(byte, radix: 16, uppercase: true)
      log.error(name, line, zh: "既不是 UTF-8 也不是 GB18030 编码（字节 \(hex)）",
        en: "neither UTF-8 nor GB18030 text (byte \(hex))")
    case .unterminatedQuote(_, let line):
      log.error(name, line, zh: "引号未闭合：从此行开始的字段没有结束引号",
        en: "unterminated quote: the quoted field starting here never closes")
    case .badQuote(_, let line):
      log.error(name, line, zh: "引号位置不正确（字段中的引号须写作 \"\"，并用引号括住整个字段）",
        en: "misplaced quote (a quote inside a field must be doubled, and the field quoted)")
    }
  }

  // MARK: Field checks shared by every file

  /// The period of column `col`, or nil after reporting an unknown period.
  mutating func period(_ name: String, _ rec: CSVRecord, _ col: Int, column: String = "period") -> Int? {
    if let t = periodTable.find(bytes: rec.bytes(col)) { return t }
    log.error(name, rec.line,
      zh: "列 '\(column)'：未知的期 '\(rec.trimmed(col))'（应为 \(manifest.periods.joined(separator: ", "))）",
      en: "column '\(column)': unknown period '\(rec.trimmed(col))' (expected one of \(manifest.periods.joined(separator: ", ")))")
    return nil
  }

  /// The node of column `col`, checked to exist in period `t` when given.
  mutating func node(_ name: String, _ rec: CSVRecord, _ col: Int, column: String = "node", period t: Int?) -> Int? {
    // Tidy files list a node's rows together: try the previous row's node first.
    let key = rec.bytes(col)
    let found: Int?
    if lastNode >= 0 && key.count == lastNodeKey.count
      && lastNodeKey.withUnsafeBufferPointer({ key.isEmpty || memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 })
    {
      found = lastNode
    } else {
      found = nodes.find(bytes: key)
      if let found {
        lastNode = found
        lastNodeKey.removeAll(keepingCapacity: true)
        lastNodeKey.append(contentsOf: key)
      }
    }
    guard let i = found else {
      let v = rec.trimmed(col)
      if v.isEmpty {
        log.error(name, rec.line, zh: "列 '\(column)' 为空（应为 org.csv 中的节点 id）",
          en: "column '\(column)' is empty (expected a node id from org.csv)")
      } else {
        log.error(name, rec.line, zh: "列 '\(column)'：未知的节点 '\(v)'（org.csv 中没有）",
          en: "column '\(column)': unknown node '\(v)' (not in org.csv)")
      }
      return nil
    }
    if let t, !(Int(validFrom[i]) <= t && t <= Int(validTo[i])) {
      log.error(name, rec.line,
        zh: "列 '\(column)'：节点 '\(nodeIDs[i])' 在 \(manifest.periods[t]) 期不存在（有效期 \(validRange(i))）",
        en: "column '\(column)': node '\(nodeIDs[i])' does not exist in period \(manifest.periods[t]) (valid \(validRange(i)))")
      return nil
    }
    return i
  }

  func validRange(_ i: Int) -> String {
    "\(manifest.periods[Int(validFrom[i])])..\(manifest.periods[Int(validTo[i])])"
  }

  /// A name from a small list (subject, kind, domain) or nil after reporting it.
  mutating func member(
    _ name: String, _ rec: CSVRecord, _ col: Int, column: String, table: IDTable, list: [String],
    what: (zh: String, en: String)
  ) -> Int? {
    if let j = table.find(bytes: rec.bytes(col)) { return j }
    log.error(name, rec.line,
      zh: "列 '\(column)'：未知的\(what.zh) '\(rec.trimmed(col))'（应为 \(list.joined(separator: ", "))）",
      en: "column '\(column)': unknown \(what.en) '\(rec.trimmed(col))' (expected one of \(list.joined(separator: ", ")))")
    return nil
  }

  /// A non-negative integer (at most 2^31 - 1), or nil after reporting it.
  mutating func count(_ name: String, _ rec: CSVRecord, _ col: Int, column: String) -> Int32? {
    if let v = rec.int(col), v >= 0, v <= Int(Int32.max) { return Int32(v) }
    log.error(name, rec.line,
      zh: "列 '\(column)'：'\(rec.string(col))' 不是非负整数",
      en: "column '\(column)': '\(rec.string(col))' is not a whole number >= 0")
    return nil
  }

  /// A finite number in `range`, or nil after reporting it.
  mutating func number(
    _ name: String, _ rec: CSVRecord, _ col: Int, column: String, range: ClosedRange<Double>?
  ) -> Double? {
    guard let v = rec.double(col) else {
      log.error(name, rec.line, zh: "列 '\(column)'：'\(rec.string(col))' 不是数值",
        en: "column '\(column)': '\(rec.string(col))' is not a number")
      return nil
    }
    if let range, !range.contains(v) {
      let expect = range.upperBound == .infinity ? ">= \(fmt(range.lowerBound))" : "from \(fmt(range.lowerBound)) to \(fmt(range.upperBound))"
      let expectZh = range.upperBound == .infinity ? "应 >= \(fmt(range.lowerBound))" : "应在 \(fmt(range.lowerBound)) 到 \(fmt(range.upperBound)) 之间"
      log.error(name, rec.line, zh: "列 '\(column)'：\(rec.trimmed(col)) 超出范围（\(expectZh)）",
        en: "column '\(column)': \(rec.trimmed(col)) is out of range (expected a number \(expect))")
      return nil
    }
    return v
  }

  private func fmt(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}

// MARK: - org.csv

extension DatasetLoader {
  /// Reads and checks org.csv. Returns nil when it could not be read at all; otherwise the
  /// forest (nil when the structure has errors) and whether org.csv was error-free.
  mutating func readOrg() -> (Forest?, Bool)? {
    let file = "org.csv"
    let errorsBefore = log.errorCount
    var rows = OrgRows()
    var parentIDs: [String] = []
    var successorIDs: [String] = []
    let T = manifest.periods.count
    let levelTable = IDTable(manifest.levels)
    let ok = readTable(
      file, required: ["id", "parent", "level", "name", "members"],
      optional: ["valid_from", "valid_to", "party_admin_split", "discipline_staff", "successor"]
    ) { l, rec, c in
      let id = rec.trimmed(c("id")!)
      if id.isEmpty {
        l.log.error(file, rec.line, zh: "列 'id' 为空", en: "column 'id' is empty")
      }
      var level: UInt8 = 0
      if let k = levelTable.find(bytes: rec.bytes(c("level")!)) {
        level = UInt8(k)
      } else {
        l.log.error(file, rec.line,
          zh: "列 'level'：未知的层级 '\(rec.trimmed(c("level")!))'（应为 \(l.manifest.levels.joined(separator: ", "))）",
          en: "column 'level': unknown level '\(rec.trimmed(c("level")!))' (expected one of \(l.manifest.levels.joined(separator: ", ")))")
      }
      let members = l.count(file, rec, c("members")!, column: "members") ?? 0
      func periodOrOpen(_ column: StaticString, open: Int) -> Int {
        guard let col = c(column), !rec.isBlank(col) else { return open }
        return l.period(file, rec, col, column: column.description) ?? open
      }
      let from = periodOrOpen("valid_from", open: 0)
      let to = periodOrOpen("valid_to", open: T - 1)
      if from > to {
        l.log.error(file, rec.line,
          zh: "valid_from（\(l.manifest.periods[from])）晚于 valid_to（\(l.manifest.periods[to])）",
          en: "valid_from (\(l.manifest.periods[from])) is after valid_to (\(l.manifest.periods[to]))")
      }
      var split: Int8 = -1
      if let col = c("party_admin_split"), !rec.isBlank(col) {
        switch rec.trimmed(col).lowercased() {
        case "true", "1", "yes", "是": split = 1
        case "false", "0", "no", "否": split = 0
        default:
          l.log.error(file, rec.line,
            zh: "列 'party_admin_split'：'\(rec.string(col))' 应为 true 或 false",
            en: "column 'party_admin_split': '\(rec.string(col))' is not true or false")
        }
      }
      var staff: Int32 = -1
      if let col = c("discipline_staff"), !rec.isBlank(col) {
        staff = l.count(file, rec, col, column: "discipline_staff") ?? -1
      }
      rows.ids.append(id)
      rows.names.append(rec.string(c("name")!))
      rows.level.append(level)
      rows.members.append(members)
      rows.validFrom.append(Int32(from))
      rows.validTo.append(Int32(to))
      rows.partyAdminSplit.append(split)
      rows.disciplineStaff.append(staff)
      rows.line.append(Int32(rec.line))
      parentIDs.append(rec.trimmed(c("parent")!))
      successorIDs.append(c("successor").map { rec.trimmed($0) } ?? "")
    }
    guard ok else { return nil }
    let n = rows.ids.count
    let byRow = IDTable(rows.ids)
    // Duplicate ids.
    for r in 0..<n where !rows.ids[r].isEmpty {
      let first = byRow.find(rows.ids[r])!
      if first != r {
        log.error(file, Int(rows.line[r]),
          zh: "列 'id'：重复的 id '\(rows.ids[r])'（首次出现在第 \(rows.line[first]) 行）",
          en: "column 'id': duplicate id '\(rows.ids[r])' (first on line \(rows.line[first]))")
      }
    }
    // Parents and levels.
    rows.parent = [Int32](repeating: -1, count: n)
    for r in 0..<n {
      let pid = parentIDs[r]
      if pid.isEmpty {
        if rows.level[r] != 0 {
          log.error(file, Int(rows.line[r]),
            zh: "列 'parent' 为空，但层级为 '\(manifest.levels[Int(rows.level[r])])'：顶层节点须在第一层 '\(manifest.levels[0])'",
            en: "column 'parent' is empty but the level is '\(manifest.levels[Int(rows.level[r])])': a top-level node must be on the first level, '\(manifest.levels[0])'")
        }
        continue
      }
      guard let p = byRow.find(pid) else {
        log.error(file, Int(rows.line[r]), zh: "列 'parent'：未知的上级 '\(pid)'（org.csv 中没有）",
          en: "column 'parent': unknown parent '\(pid)' (not in org.csv)")
        continue
      }
      rows.parent[r] = Int32(p)
      if Int(rows.level[r]) != Int(rows.level[p]) + 1 {
        let expected = Int(rows.level[p]) + 1 < manifest.levels.count ? "'\(manifest.levels[Int(rows.level[p]) + 1])'" : nil
        log.error(file, Int(rows.line[r]),
          zh: "列 'level'：'\(manifest.levels[Int(rows.level[r])])' 不比上级 '\(pid)' 的层级 '\(manifest.levels[Int(rows.level[p])])' 低一层（应为 \(expected ?? "无：上级已在最底层")）",
          en: "column 'level': '\(manifest.levels[Int(rows.level[r])])' is not one level below parent '\(pid)' at '\(manifest.levels[Int(rows.level[p])])' (expected \(expected ?? "none: the parent is on the bottom level"))")
      }
      if rows.validFrom[r] < rows.validFrom[p] || rows.validTo[r] > rows.validTo[p] {
        log.error(file, Int(rows.line[r]),
          zh: "节点 '\(rows.ids[r])' 在上级 '\(pid)' 不存在的期内有效（本节点 \(manifest.periods[Int(rows.validFrom[r])])..\(manifest.periods[Int(rows.validTo[r])])，上级 \(manifest.periods[Int(rows.validFrom[p])])..\(manifest.periods[Int(rows.validTo[p])])）",
          en: "node '\(rows.ids[r])' is valid in a period where its parent '\(pid)' is not (node \(manifest.periods[Int(rows.validFrom[r])])..\(manifest.periods[Int(rows.validTo[r])]), parent \(manifest.periods[Int(rows.validFrom[p])])..\(manifest.periods[Int(rows.validTo[p])]))")
      }
    }
    // Cycles among parent links: a functional graph, walked iteratively with colours.
    reportCycles(next: rows.parent, lines: rows.line, ids: rows.ids, column: "parent")
    // Successors.
    rows.successor = [Int32](repeating: -1, count: n)
    for r in 0..<n where !successorIDs[r].isEmpty {
      let sid = successorIDs[r]
      guard let s = byRow.find(sid) else {
        log.error(file, Int(rows.line[r]), zh: "列 'successor'：未知的节点 '\(sid)'（org.csv 中没有）",
          en: "column 'successor': unknown node '\(sid)' (not in org.csv)")
        continue
      }
      rows.successor[r] = Int32(s)
      if rows.validTo[r] == Int32(T - 1) {
        log.error(file, Int(rows.line[r]),
          zh: "列 'successor'：节点 '\(rows.ids[r])' 有承继节点 '\(sid)'，但未以 valid_to 结束",
          en: "column 'successor': node '\(rows.ids[r])' names successor '\(sid)' but does not end (give valid_to)")
      } else if rows.validFrom[s] <= rows.validTo[r] {
        log.error(file, Int(rows.line[r]),
          zh: "列 'successor'：承继节点 '\(sid)' 始于 \(manifest.periods[Int(rows.validFrom[s])])，须晚于本节点的结束期 \(manifest.periods[Int(rows.validTo[r])])",
          en: "column 'successor': successor '\(sid)' starts in \(manifest.periods[Int(rows.validFrom[s])]); it must start after this node ends (\(manifest.periods[Int(rows.validTo[r])]))")
      }
    }
    reportCycles(next: rows.successor, lines: rows.line, ids: rows.ids, column: "successor")
    // Zero members (a warning: such nodes are left out of rate analyses).
    for r in 0..<n where rows.members[r] == 0 && log.errorCount == errorsBefore {
      log.warning(file, Int(rows.line[r]),
        zh: "节点 '\(rows.ids[r])'（\(rows.names[r])）党员数为 0：不参与按人数计算的分析",
        en: "node '\(rows.ids[r])' (\(rows.names[r])) has zero members: it is left out of rate analyses")
    }
    let orgOK = log.errorCount == errorsBefore
    if orgOK {
      let (forest, _) = Forest.build(levelNames: manifest.levels, rows: rows)
      nodeCount = forest.count
      nodes = forest.lookup
      validFrom = forest.validFrom
      validTo = forest.validTo
      nodeIDs = forest.ids
      return (forest, true)
    }
    // Keep checking the other files against org.csv's rows as read.
    nodeCount = n
    nodes = byRow
    validFrom = rows.validFrom
    validTo = rows.validTo
    nodeIDs = rows.ids
    return (nil, false)
  }

  /// Reports each cycle of a functional graph (`next[r]` or -1) once, at the line of the
  /// cycle's first node in file order.
  mutating func reportCycles(next: [Int32], lines: [Int32], ids: [String], column: String) {
    let n = next.count
    var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on the current walk, 2 done
    var walk: [Int] = []
    for start in 0..<n where state[start] == 0 {
      walk.removeAll(keepingCapacity: true)
      var r = start
      while r >= 0 && state[r] == 0 {
        state[r] = 1
        walk.append(r)
        r = Int(next[r])
      }
      if r >= 0 && state[r] == 1 {
        // r is on the current walk: the cycle is walk[pos...].
        let pos = walk.firstIndex(of: r)!
        let cycle = walk[pos...]
        let first = cycle.min()!
        let path = (cycle + [r]).map { ids[$0] }.joined(separator: " -> ")
        log.error("org.csv", Int(lines[first]), zh: "列 '\(column)' 形成循环：\(path)",
          en: "column '\(column)' forms a cycle: \(path)")
      }
      for w in walk { state[w] = 2 }
    }
  }
}

// MARK: - Per-period files

extension DatasetLoader {
  mutating func readMembers(into members: inout [[Int32]]) {
    let file = "members.csv"
    let n = nodeCount
    var seen = [Int32](repeating: 0, count: n * manifest.periods.count)  // first line per (t, node)
    readTable(file, required: ["period", "node", "members"]) { l, rec, c in
      guard let t = l.period(file, rec, c("period")!) else { return }
      guard let i = l.node(file, rec, c("node")!, period: t) else { return }
      guard let m = l.count(file, rec, c("members")!, column: "members") else { return }
      if case let first = seen[t * n + i], first > 0 {
        l.log.error(file, rec.line,
          zh: "节点 '\(l.nodeIDs[i])' 在 \(l.manifest.periods[t]) 期的人数重复（首次在第 \(first) 行）",
          en: "duplicate row for node '\(l.nodeIDs[i])' in period \(l.manifest.periods[t]) (first on line \(first))")
        return
      }
      seen[t * n + i] = Int32(rec.line)
      if m == 0 {
        l.log.warning(file, rec.line,
          zh: "节点 '\(l.nodeIDs[i])' 在 \(l.manifest.periods[t]) 期党员数为 0：不参与按人数计算的分析",
          en: "node '\(l.nodeIDs[i])' has zero members in period \(l.manifest.periods[t]): it is left out of rate analyses")
      }
      if !members.isEmpty { members[t][i] = m }
    }
  }

  mutating func readScores(n: Int, S: Int, T: Int, sum: inout [Double], count: inout [Int32]) -> Bool {
    let file = "scores.csv"
    guard FileManager.default.fileExists(atPath: path(file)) else { return false }
    sum = [Double](repeating: 0, count: T * n * S)
    count = [Int32](repeating: 0, count: T * n * S)
    readTable(file, required: ["period", "node", "subject", "score"], optional: ["dimension"]) { l, rec, c in
      // c[0] period, c[1] node, c[2] subject, c[3] score
      guard let t = l.period(file, rec, c[0]) else { return }
      let i = l.node(file, rec, c[1], period: t)
      let s = l.member(file, rec, c[2], column: "subject", table: l.subjectTable,
        list: l.manifest.subjects, what: ("责任主体", "subject"))
      let v = l.number(file, rec, c[3], column: "score", range: 0...100)
      guard let i, let s, let v else { return }
      let j = (t * n + i) * S + s
      sum[j] += v
      count[j] += 1
    }
    return true
  }

  mutating func readSupervision(n: Int, K: Int, D: Int, T: Int, into out: inout [[Int32]]) -> Bool {
    let file = "supervision.csv"
    guard FileManager.default.fileExists(atPath: path(file)) else { return false }
    var counts = [[Int32]](repeating: [Int32](repeating: 0, count: n * K * D), count: T)
    readTable(file, required: ["period", "node", "kind", "domain", "count"]) { l, rec, c in
      // c[0] period, c[1] node, c[2] kind, c[3] domain, c[4] count
      guard let t = l.period(file, rec, c[0]) else { return }
      let i = l.node(file, rec, c[1], period: t)
      let k = l.member(file, rec, c[2], column: "kind", table: l.kindTable,
        list: l.manifest.kinds, what: ("督查类型", "kind"))
      let d = l.member(file, rec, c[3], column: "domain", table: l.domainTable,
        list: l.manifest.domains, what: ("领域", "domain"))
      let v = l.count(file, rec, c[4], column: "count")
      guard let i, let k, let d, let v else { return }
      let j = (i * K + k) * D + d
      let (sum, overflow) = counts[t][j].addingReportingOverflow(v)
      if overflow {
        l.log.error(file, rec.line, zh: "列 'count'：累计次数超过 2147483647",
          en: "column 'count': the running total exceeds 2147483647")
        return
      }
      counts[t][j] = sum
    }
    out = counts
    return true
  }

  mutating func readRisks(n: Int, D: Int, T: Int, into out: inout [[Double]]) -> Bool {
    let file = "risks.csv"
    guard FileManager.default.fileExists(atPath: path(file)) else { return false }
    // NaN marks "no row yet", so that a second row for the same cell is found; it becomes
    // the neutral risk 1 at the end.
    var risk = [[Double]](repeating: [Double](repeating: .nan, count: n * D), count: T)
    readTable(file, required: ["period", "node", "domain", "risk"]) { l, rec, c in
      // c[0] period, c[1] node, c[2] domain, c[3] risk
      guard let t = l.period(file, rec, c[0]) else { return }
      let i = l.node(file, rec, c[1], period: t)
      let d = l.member(file, rec, c[2], column: "domain", table: l.domainTable,
        list: l.manifest.domains, what: ("领域", "domain"))
      let v = l.number(file, rec, c[3], column: "risk", range: 0...Double.infinity)
      guard let i, let d, let v else { return }
      if !risk[t][i * D + d].isNaN {
        l.log.error(file, rec.line,
          zh: "节点 '\(l.nodeIDs[i])' 在 \(l.manifest.periods[t]) 期 '\(l.manifest.domains[d])' 领域的风险有第二行",
          en: "a second risk row for node '\(l.nodeIDs[i])', period \(l.manifest.periods[t]), domain '\(l.manifest.domains[d])'")
        return
      }
      risk[t][i * D + d] = v
    }
    for t in 0..<T {
      for j in 0..<risk[t].count where risk[t][j].isNaN { risk[t][j] = 1 }
    }
    out = risk
    return true
  }
}

// MARK: - The three lists and the leaders

extension DatasetLoader {
  mutating func readLists(
    _ problems: inout ProblemList, _ responsibilities: inout ResponsibilityList,
    _ projects: inout ProjectList
  ) {
    var p = ProblemList()
    var firstLine: [String: Int] = [:]
    readTable("problems.csv", required: ["period", "id", "node", "domain"], optional: ["source", "description"]) { l, rec, c in
      let file = "problems.csv"
      let id = rec.trimmed(c("id")!)
      if id.isEmpty {
        l.log.error(file, rec.line, zh: "列 'id' 为空", en: "column 'id' is empty")
        return
      }
      if let first = firstLine[id] {
        l.log.error(file, rec.line,
          zh: "列 'id'：重复的问题 id '\(id)'（首次在第 \(first) 行）",
          en: "column 'id': duplicate problem id '\(id)' (first on line \(first))")
        return
      }
      firstLine[id] = rec.line
      guard let t = l.period(file, rec, c("period")!) else { return }
      let i = l.node(file, rec, c("node")!, period: t)
      let d = l.member(file, rec, c("domain")!, column: "domain", table: l.domainTable,
        list: l.manifest.domains, what: ("领域", "domain"))
      guard let i, let d else { return }
      p.period.append(Int32(t))
      p.id.append(id)
      p.node.append(Int32(i))
      p.domain.append(Int32(d))
      p.source.append(c("source").map { rec.trimmed($0) } ?? "")
      p.description.append(c("description").map { rec.string($0) } ?? "")
      p.line.append(Int32(rec.line))
    }
    problems = p
    let problemTable = IDTable(p.id)
    let hasProblemsFile = files.contains { $0.name == "problems.csv" }

    func problemRow(_ l: inout DatasetLoader, _ file: String, _ rec: CSVRecord, _ col: Int) -> Int? {
      if let r = problemTable.find(bytes: rec.bytes(col)) { return r }
      // A problem whose own row was rejected is already reported; do not report it twice.
      if firstLine[rec.trimmed(col)] != nil { return nil }
      l.log.error(file, rec.line,
        zh: "列 'problem'：未知的问题 '\(rec.trimmed(col))'（problems.csv 中没有）",
        en: "column 'problem': unknown problem '\(rec.trimmed(col))' (not in \(hasProblemsFile ? "problems.csv" : "problems.csv, which is missing"))")
      return nil
    }

    var r = ResponsibilityList()
    readTable("responsibilities.csv", required: ["problem", "subject"], optional: ["person"]) { l, rec, c in
      let file = "responsibilities.csv"
      let pr = problemRow(&l, file, rec, c("problem")!)
      let s = l.member(file, rec, c("subject")!, column: "subject", table: l.subjectTable,
        list: l.manifest.subjects, what: ("责任主体", "subject"))
      guard let pr, let s else { return }
      r.problem.append(Int32(pr))
      r.subject.append(Int32(s))
      r.person.append(c("person").map { rec.trimmed($0) } ?? "")
      r.line.append(Int32(rec.line))
    }
    responsibilities = r

    var j = ProjectList()
    var projectLine: [String: Int] = [:]
    readTable("projects.csv", required: ["problem", "id", "due", "status"], optional: ["goal", "done"]) { l, rec, c in
      let file = "projects.csv"
      let pr = problemRow(&l, file, rec, c("problem")!)
      let id = rec.trimmed(c("id")!)
      var ok = true
      if id.isEmpty {
        l.log.error(file, rec.line, zh: "列 'id' 为空", en: "column 'id' is empty")
        ok = false
      } else if let first = projectLine[id] {
        l.log.error(file, rec.line,
          zh: "列 'id'：重复的项目 id '\(id)'（首次在第 \(first) 行）",
          en: "column 'id': duplicate project id '\(id)' (first on line \(first))")
        ok = false
      } else {
        projectLine[id] = rec.line
      }
      let due = ISODate.parse(rec.string(c("due")!))
      if due == nil {
        l.log.error(file, rec.line,
          zh: "列 'due'：'\(rec.string(c("due")!))' 不是日期 YYYY-MM-DD",
          en: "column 'due': '\(rec.string(c("due")!))' is not a date YYYY-MM-DD")
      }
      var done: Int32? = nil
      if let col = c("done"), !rec.isBlank(col) {
        done = ISODate.parse(rec.string(col))
        if done == nil {
          l.log.error(file, rec.line,
            zh: "列 'done'：'\(rec.string(col))' 不是日期 YYYY-MM-DD（未完成则留空）",
            en: "column 'done': '\(rec.string(col))' is not a date YYYY-MM-DD (leave it empty when not done)")
          ok = false
        }
      }
      let statusText = rec.trimmed(c("status")!)
      let status: ProjectStatus? = switch statusText {
      case "open": .open
      case "done": .done
      case "dropped": .dropped
      default: nil
      }
      if status == nil {
        l.log.error(file, rec.line,
          zh: "列 'status'：'\(statusText)' 应为 open、done 或 dropped",
          en: "column 'status': '\(statusText)' is not open, done or dropped")
      }
      guard ok, let pr, let due, let status else { return }
      if let done, let start = l.manifest.periodStart(Int(p.period[pr])), done < start {
        l.log.warning(file, rec.line,
          zh: "项目 '\(id)' 的完成日期 \(ISODate.format(done)) 早于其问题所在期 \(l.manifest.periods[Int(p.period[pr])]) 的开始（\(ISODate.format(start))）",
          en: "project '\(id)' was done on \(ISODate.format(done)), before its problem's period \(l.manifest.periods[Int(p.period[pr])]) begins (\(ISODate.format(start)))")
      }
      j.problem.append(Int32(pr))
      j.id.append(id)
      j.goal.append(c("goal").map { rec.string($0) } ?? "")
      j.due.append(due)
      j.done.append(done)
      j.status.append(status)
      j.line.append(Int32(rec.line))
    }
    projects = j
  }

  mutating func readLeaders(_ leaders: inout LeaderList) {
    let file = "leaders.csv"
    var out = LeaderList()
    var seen: [String: Int] = [:]  // "period\u{0}person" -> line
    readTable(file, required: ["period", "person", "node", "role"], optional: ["name", "oversees"]) { l, rec, c in
      let person = rec.trimmed(c("person")!)
      guard let t = l.period(file, rec, c("period")!) else { return }
      if person.isEmpty {
        l.log.error(file, rec.line, zh: "列 'person' 为空", en: "column 'person' is empty")
        return
      }
      let key = "\(t)\u{0}\(person)"
      if let first = seen[key] {
        l.log.error(file, rec.line,
          zh: "人员 '\(person)' 在 \(l.manifest.periods[t]) 期有第二行（首次在第 \(first) 行；每人每期至多一行）",
          en: "person '\(person)' has a second row in period \(l.manifest.periods[t]) (first on line \(first); at most one per period)")
        return
      }
      seen[key] = rec.line
      let i = l.node(file, rec, c("node")!, period: t)
      let roleText = rec.trimmed(c("role")!)
      let role = LeaderRole(rawValue: roleText)
      if role == nil {
        l.log.error(file, rec.line,
          zh: "列 'role'：'\(roleText)' 应为 secretary、commission_head、member 或 admin_head",
          en: "column 'role': '\(roleText)' is not secretary, commission_head, member or admin_head")
      }
      var overseen: [Int32] = []
      var ok = true
      if let col = c("oversees") {
        for part in rec.string(col).split(separator: ";", omittingEmptySubsequences: true) {
          let id = part.trimmingCharacters(in: .whitespaces)
          if id.isEmpty { continue }
          guard let j = l.nodes.find(id) else {
            l.log.error(file, rec.line, zh: "列 'oversees'：未知的节点 '\(id)'（org.csv 中没有）",
              en: "column 'oversees': unknown node '\(id)' (not in org.csv)")
            ok = false
            continue
          }
          if !(Int(l.validFrom[j]) <= t && t <= Int(l.validTo[j])) {
            l.log.error(file, rec.line,
              zh: "列 'oversees'：节点 '\(id)' 在 \(l.manifest.periods[t]) 期不存在（有效期 \(l.validRange(j))）",
              en: "column 'oversees': node '\(id)' does not exist in period \(l.manifest.periods[t]) (valid \(l.validRange(j)))")
            ok = false
            continue
          }
          overseen.append(Int32(j))
        }
      }
      guard ok, let i, let role else { return }
      out.period.append(Int32(t))
      out.person.append(person)
      out.name.append(c("name").map { rec.string($0) } ?? "")
      out.node.append(Int32(i))
      out.role.append(role)
      out.oversees.append(contentsOf: overseen)
      out.overseesStart.append(Int32(out.oversees.count))
      out.line.append(Int32(rec.line))
    }
    leaders = out
  }
}
