import Foundation
import _ChuandaoCSV
import _ChuandaoOutput

/// Where generated rows go: CSV files on disk, or a `Dataset` built in memory.
///
/// Node ids are passed as text, as they appear in the files; rows arrive bureau by bureau
/// (a node's own rows after its org row), so a sink can stream them out.
protocol GeneratorSink {
  mutating func begin(manifest: Manifest)
  mutating func org(_ row: GeneratedOrgRow)
  mutating func members(period: Int, node: String, members: Int)
  mutating func score(period: Int, node: String, subject: Int, score: Double)
  mutating func supervision(period: Int, node: String, kind: Int, domain: Int, count: Int)
  mutating func risk(period: Int, node: String, domain: Int, risk: Double)
  mutating func problem(period: Int, id: String, node: String, domain: Int, source: String, description: String)
  mutating func responsibility(problem: String, subject: Int, person: String)
  mutating func project(problem: String, id: String, goal: String, due: Int32, done: Int32?, status: ProjectStatus)
  mutating func leader(period: Int, person: String, name: String, node: String, role: LeaderRole, oversees: [String])
}

/// One org.csv row as generated.
struct GeneratedOrgRow {
  var id: String
  var parent: String
  var level: Int
  var name: String
  var members: Int
  var validFrom: Int?
  var validTo: Int?
  var partyAdminSplit: Bool?
  var disciplineStaff: Int?
  var successor: String?
}

/// Formats a value with one decimal by integer arithmetic (no locale, no `String(format:)`).
func oneDecimal(_ x: Double) -> String {
  let tenths = Int((x * 10).rounded())
  let sign = tenths < 0 ? "-" : ""
  let a = abs(tenths)
  return "\(sign)\(a / 10).\(a % 10)"
}

/// Formats a value with two decimals.
func twoDecimals(_ x: Double) -> String {
  let hundredths = Int((x * 100).rounded())
  let sign = hundredths < 0 ? "-" : ""
  let a = abs(hundredths)
  let frac = a % 100
  return "\(sign)\(a / 100).\(frac < 10 ? "0" : "")\(frac)"
}

// MARK: - CSV files

/// Writes the dataset's files into a folder, streaming through a buffer per file.
struct CSVFileSink: GeneratorSink {
  let folder: String
  private var manifest: Manifest!
  private var writers: [String: BufferedFile] = [:]
  private(set) var error: Error?

  init(folder: String) { self.folder = folder }

  private static let headers: [(String, String)] = [
    ("org.csv", "id,parent,level,name,members,valid_from,valid_to,party_admin_split,discipline_staff,successor"),
    ("members.csv", "period,node,members"),
    ("scores.csv", "period,node,subject,score"),
    ("supervision.csv", "period,node,kind,domain,count"),
    ("risks.csv", "period,node,domain,risk"),
    ("problems.csv", "period,id,node,domain,source,description"),
    ("responsibilities.csv", "problem,subject,person"),
    ("projects.csv", "problem,id,goal,due,done,status"),
    ("leaders.csv", "period,person,name,node,role,oversees"),
  ]

  mutating func begin(manifest: Manifest) {
    self.manifest = manifest
    for (name, header) in CSVFileSink.headers {
      do {
        let w = try BufferedFile(path: (folder as NSString).appendingPathComponent(name))
        w.write(header)
        w.write("\n")
        writers[name] = w
      } catch {
        self.error = error
      }
    }
  }

  /// Writes one row: the fields the generator makes itself (ids, labels, numbers) are
  /// never quoted; free text (`text:` positions) is quoted when it needs to be.
  private func line(_ file: String, _ fields: String..., text: [Int] = []) {
    guard let w = writers[file] else { return }
    var row = ""
    for i in 0..<fields.count {
      if i > 0 { row += "," }
      let f = fields[i]
      row += !text.isEmpty && text.contains(i) && CSVWriter.needsQuotes(f) ? CSVWriter.escape(f) : f
    }
    row += "\n"
    w.write(row)
  }

  mutating func org(_ r: GeneratedOrgRow) {
    let p = manifest.periods
    line(
      "org.csv", r.id, r.parent, manifest.levels[r.level], r.name, String(r.members),
      r.validFrom.map { p[$0] } ?? "", r.validTo.map { p[$0] } ?? "",
      r.partyAdminSplit.map { $0 ? "true" : "false" } ?? "",
      r.disciplineStaff.map(String.init) ?? "", r.successor ?? "", text: [3])
  }

  mutating func members(period: Int, node: String, members: Int) {
    line("members.csv", manifest.periods[period], node, String(members))
  }

  mutating func score(period: Int, node: String, subject: Int, score: Double) {
    line("scores.csv", manifest.periods[period], node, manifest.subjects[subject], oneDecimal(score))
  }

  mutating func supervision(period: Int, node: String, kind: Int, domain: Int, count: Int) {
    line(
      "supervision.csv", manifest.periods[period], node, manifest.kinds[kind],
      manifest.domains[domain], String(count))
  }

  mutating func risk(period: Int, node: String, domain: Int, risk: Double) {
    line("risks.csv", manifest.periods[period], node, manifest.domains[domain], twoDecimals(risk))
  }

  mutating func problem(period: Int, id: String, node: String, domain: Int, source: String, description: String) {
    line(
      "problems.csv", manifest.periods[period], id, node, manifest.domains[domain], source,
      description, text: [4, 5])
  }

  mutating func responsibility(problem: String, subject: Int, person: String) {
    line("responsibilities.csv", problem, manifest.subjects[subject], person, text: [2])
  }

  mutating func project(problem: String, id: String, goal: String, due: Int32, done: Int32?, status: ProjectStatus) {
    let s = switch status {
    case .open: "open"
    case .done: "done"
    case .dropped: "dropped"
    }
    line("projects.csv", problem, id, goal, ISODate.format(due), done.map(ISODate.format) ?? "", s, text: [2])
  }

  mutating func leader(period: Int, person: String, name: String, node: String, role: LeaderRole, oversees: [String]) {
    line(
      "leaders.csv", manifest.periods[period], person, name, node, role.rawValue,
      oversees.joined(separator: ";"), text: [2])
  }

  /// Flushes and closes every file; the first error met, if any, is thrown.
  mutating func finish() throws {
    for (_, w) in writers.sorted(by: { $0.key < $1.key }) {
      do { try w.close() } catch { if self.error == nil { self.error = error } }
    }
    if let error { throw error }
  }
}

/// A file written through a 1 MiB buffer (raw memory and `memcpy`, so that even a debug
/// build writes quickly).
final class BufferedFile {
  let path: String
  private let handle: UnsafeMutablePointer<FILE>
  private let capacity = 1 << 20
  private let buffer: UnsafeMutablePointer<UInt8>
  private var used = 0
  private var failed: String?

  init(path: String) throws {
    self.path = path
    guard let h = fopen(path, "wx") else {
      throw OutputError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    handle = h
    buffer = .allocate(capacity: capacity)
  }

  deinit { buffer.deallocate() }

  func write(_ s: String) {
    var s = s
    s.withUTF8 { bytes in
      guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
      if used + bytes.count > capacity { flush() }
      if bytes.count > capacity {
        if fwrite(base, 1, bytes.count, handle) != bytes.count { failed = String(cString: strerror(errno)) }
        return
      }
      memcpy(buffer + used, base, bytes.count)
      used += bytes.count
    }
  }

  private func flush() {
    guard used > 0, failed == nil else { return }
    if fwrite(buffer, 1, used, handle) != used { failed = String(cString: strerror(errno)) }
    used = 0
  }

  func close() throws {
    flush()
    if fclose(handle) != 0 && failed == nil { failed = String(cString: strerror(errno)) }
    if let failed { throw OutputError.cannotWrite(path: path, reason: failed) }
  }
}

// MARK: - In memory

/// Builds a `Dataset` directly from generated rows, without writing or parsing CSV.
///
/// The rows are trusted (the generator writes valid data; the CSV path is checked by
/// validation), so no row is checked here.
struct MemorySink: GeneratorSink {
  private var manifest: Manifest!
  private var rows = OrgRows()
  private var rowOf: [String: Int32] = [:]
  private var parentIDs: [String] = []
  private var successorIDs: [String] = []
  private var membersOverride: [(Int, Int32, Int32)] = []
  private var scores: [(Int, Int32, Int, Double)] = []
  private var supervisionRows: [(Int, Int32, Int, Int, Int32)] = []
  private var riskRows: [(Int, Int32, Int, Double)] = []
  private var problems = ProblemList()
  private var problemRow: [String: Int32] = [:]
  private var responsibilities = ResponsibilityList()
  private var projects = ProjectList()
  private var leaderRows: [(Int, String, String, Int32, LeaderRole, [String])] = []

  mutating func begin(manifest: Manifest) { self.manifest = manifest }

  mutating func org(_ r: GeneratedOrgRow) {
    rowOf[r.id] = Int32(rows.ids.count)
    rows.ids.append(r.id)
    rows.names.append(r.name)
    rows.level.append(UInt8(r.level))
    rows.members.append(Int32(r.members))
    rows.validFrom.append(Int32(r.validFrom ?? 0))
    rows.validTo.append(Int32(r.validTo ?? manifest.periods.count - 1))
    rows.partyAdminSplit.append(r.partyAdminSplit.map { $0 ? 1 : 0 } ?? -1)
    rows.disciplineStaff.append(r.disciplineStaff.map(Int32.init) ?? -1)
    rows.line.append(Int32(rows.ids.count + 1))
    parentIDs.append(r.parent)
    successorIDs.append(r.successor ?? "")
  }

  mutating func members(period: Int, node: String, members: Int) {
    membersOverride.append((period, rowOf[node]!, Int32(members)))
  }

  mutating func score(period: Int, node: String, subject: Int, score: Double) {
    // As written to CSV: rounded to one decimal.
    scores.append((period, rowOf[node]!, subject, (score * 10).rounded() / 10))
  }

  mutating func supervision(period: Int, node: String, kind: Int, domain: Int, count: Int) {
    supervisionRows.append((period, rowOf[node]!, kind, domain, Int32(count)))
  }

  mutating func risk(period: Int, node: String, domain: Int, risk: Double) {
    riskRows.append((period, rowOf[node]!, domain, (risk * 100).rounded() / 100))
  }

  mutating func problem(period: Int, id: String, node: String, domain: Int, source: String, description: String) {
    problemRow[id] = Int32(problems.count)
    problems.period.append(Int32(period))
    problems.id.append(id)
    problems.node.append(rowOf[node]!)
    problems.domain.append(Int32(domain))
    problems.source.append(source)
    problems.description.append(description)
    problems.line.append(Int32(problems.count + 1))
  }

  mutating func responsibility(problem: String, subject: Int, person: String) {
    responsibilities.problem.append(problemRow[problem]!)
    responsibilities.subject.append(Int32(subject))
    responsibilities.person.append(person)
    responsibilities.line.append(Int32(responsibilities.count + 2))
  }

  mutating func project(problem: String, id: String, goal: String, due: Int32, done: Int32?, status: ProjectStatus) {
    projects.problem.append(problemRow[problem]!)
    projects.id.append(id)
    projects.goal.append(goal)
    projects.due.append(due)
    projects.done.append(done)
    projects.status.append(status)
    projects.line.append(Int32(projects.count + 2))
  }

  mutating func leader(period: Int, person: String, name: String, node: String, role: LeaderRole, oversees: [String]) {
    leaderRows.append((period, person, name, rowOf[node]!, role, oversees))
  }

  /// Assembles the dataset: the forest, then each period's columns and metrics.
  func dataset(folder: String) -> Dataset {
    var rows = self.rows
    rows.parent = parentIDs.map { $0.isEmpty ? -1 : rowOf[$0]! }
    rows.successor = successorIDs.map { $0.isEmpty ? -1 : rowOf[$0]! }
    let (forest, position) = Forest.build(levelNames: manifest.levels, rows: rows)
    let n = forest.count
    let T = manifest.periods.count
    let S = manifest.subjects.count
    let K = manifest.kinds.count
    let D = manifest.domains.count
    var members = [[Int32]](repeating: forest.baseMembers, count: T)
    for (t, r, m) in membersOverride { members[t][Int(position[Int(r)])] = m }
    var sum = [[Double]](repeating: [Double](repeating: 0, count: n * S), count: T)
    var count = [[Int32]](repeating: [Int32](repeating: 0, count: n * S), count: T)
    for (t, r, s, v) in scores {
      let j = Int(position[Int(r)]) * S + s
      sum[t][j] += v
      count[t][j] += 1
    }
    var sup = [[Int32]](repeating: [Int32](repeating: 0, count: n * K * D), count: T)
    for (t, r, k, d, c) in supervisionRows { sup[t][(Int(position[Int(r)]) * K + k) * D + d] += c }
    var risk = [[Double]](repeating: [Double](repeating: 1, count: n * D), count: T)
    for (t, r, d, v) in riskRows { risk[t][Int(position[Int(r)]) * D + d] = v }
    var periods: [PeriodData] = []
    for t in 0..<T {
      var sc = [Double](repeating: .nan, count: n * S)
      for j in 0..<(n * S) where count[t][j] > 0 { sc[j] = sum[t][j] / Double(count[t][j]) }
      let metrics = PeriodMetrics.compute(
        manifest: manifest, forest: forest, period: t, members: members[t], scores: sc,
        supervision: sup[t])
      periods.append(PeriodData(members: members[t], scores: sc, supervision: sup[t], risk: risk[t], metrics: metrics))
    }
    var p = problems
    p.node = p.node.map { position[Int($0)] }
    var leaders = LeaderList()
    for (t, person, name, r, role, oversees) in leaderRows {
      leaders.period.append(Int32(t))
      leaders.person.append(person)
      leaders.name.append(name)
      leaders.node.append(position[Int(r)])
      leaders.role.append(role)
      leaders.oversees.append(contentsOf: oversees.map { position[Int(rowOf[$0]!)] })
      leaders.overseesStart.append(Int32(leaders.oversees.count))
      leaders.line.append(Int32(leaders.count + 1))
    }
    return Dataset(
      folder: folder, manifest: manifest, forest: forest, periods: periods, problems: p,
      responsibilities: responsibilities, projects: projects, leaders: leaders, files: [],
      diagnostics: DiagnosticLog())
  }
}
