import Dispatch
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
  mutating func leader(period: Int, person: String, name: String, node: String, role: LeaderRole, oversees: [String], domains: [Int])
  /// Sets the `joint_office` of a node whose org row was given in this bureau (it is drawn
  /// after the bureau's supervision: docs/generator.md).
  mutating func jointOffice(node: String, value: Bool)
  /// The bureau's rows are all given.
  mutating func endBureau()
  /// One member_reach.csv row (a lowest-level node, one measure of `GeneratorLists.reachMeasures`).
  mutating func memberReach(period: Int, node: String, measure: String, reached: Int, eligible: Int)
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
  var jointOffice: Bool?
}

// MARK: - CSV files

/// Writes the dataset's files into a folder as bytes, a few megabytes at a time.
///
/// Rows are appended to one byte buffer per file, numbers formatted by integer arithmetic
/// (no locale, no `String(format:)`, no `String` per field); a full buffer goes to a
/// writer thread (`OrderedFileWriter`) while generation goes on, so that generating and
/// the kernel's copying share the two cores. The bytes are those of the earlier
/// string-built writer (tests compare the sample with its checked-in files).
struct CSVFileSink: GeneratorSink {
  enum File: Int, CaseIterable {
    case org, members, scores, supervision, risks, problems, responsibilities, projects, leaders, memberReach

    var name: String {
      ["org.csv", "members.csv", "scores.csv", "supervision.csv", "risks.csv", "problems.csv",
       "responsibilities.csv", "projects.csv", "leaders.csv", "member_reach.csv"][rawValue]
    }

    var header: String {
      switch self {
      case .org: "id,parent,level,name,members,valid_from,valid_to,party_admin_split,discipline_staff,successor,joint_office"
      case .members: "period,node,members"
      case .scores: "period,node,subject,score"
      case .supervision: "period,node,kind,domain,count"
      case .risks: "period,node,domain,risk"
      case .problems: "period,id,node,domain,source,description"
      case .responsibilities: "problem,subject,person"
      case .projects: "problem,id,goal,due,done,status"
      case .leaders: "period,person,name,node,role,oversees,domains"
      case .memberReach: "period,node,measure,reached,eligible"
      }
    }
  }

  let folder: String
  /// Bytes handed to the writer once a buffer holds this many.
  static let bufferSize = 1 << 20
  private var writer: OrderedFileWriter?
  private var buffers: [[UInt8]] = []
  private(set) var error: Error?
  // The manifest's labels as UTF-8, for the large files.
  private var periods: [[UInt8]] = []
  private var levels: [[UInt8]] = []
  private var subjects: [[UInt8]] = []
  private var kinds: [[UInt8]] = []
  private var domains: [[UInt8]] = []

  /// The bureau's org rows, held back until its `joint_office` values are drawn.
  private var pendingOrg: [GeneratedOrgRow] = []
  private var pendingJoint: [String: Bool] = [:]

  init(folder: String) { self.folder = folder }

  mutating func begin(manifest: Manifest) {
    periods = manifest.periods.map { Array($0.utf8) }
    levels = manifest.levels.map { Array($0.utf8) }
    subjects = manifest.subjects.map { Array($0.utf8) }
    kinds = manifest.kinds.map { Array($0.utf8) }
    domains = manifest.domains.map { Array($0.utf8) }
    do {
      writer = try OrderedFileWriter(paths: File.allCases.map { (folder as NSString).appendingPathComponent($0.name) })
    } catch {
      self.error = error
      return
    }
    buffers = File.allCases.map { file in
      var b: [UInt8] = []
      b.reserveCapacity(Self.bufferSize + 4096)
      b.append(contentsOf: file.header.utf8)
      b.append(0x0A)
      return b
    }
  }

  /// Ends row of `file`: the line feed, and the buffer to the writer when full.
  @inline(__always)
  private mutating func endRow(_ file: File) {
    buffers[file.rawValue].append(0x0A)
    if buffers[file.rawValue].count >= Self.bufferSize { hand(file) }
  }

  private mutating func hand(_ file: File) {
    var full: [UInt8] = []
    full.reserveCapacity(Self.bufferSize + 4096)
    swap(&full, &buffers[file.rawValue])
    writer?.write(full, to: file.rawValue)
  }

  /// Writes one row of text fields: the fields the generator makes itself (ids, labels,
  /// dates) are never quoted; free text (`text:` positions) is quoted when it needs to be.
  private mutating func line(_ file: File, _ fields: [String], text: [Int] = []) {
    guard writer != nil else { return }
    for i in 0..<fields.count {
      if i > 0 { buffers[file.rawValue].append(0x2C) }
      let f = fields[i]
      append(!text.isEmpty && text.contains(i) && CSVWriter.needsQuotes(f) ? CSVWriter.escape(f) : f, to: file)
    }
    endRow(file)
  }

  @inline(__always)
  private mutating func append(_ s: String, to file: File) {
    var s = s
    s.withUTF8 { buffers[file.rawValue].append(contentsOf: $0) }
  }

  @inline(__always)
  private mutating func append(_ bytes: [UInt8], to file: File) {
    buffers[file.rawValue].append(contentsOf: bytes)
  }

  @inline(__always)
  private mutating func comma(_ file: File) { buffers[file.rawValue].append(0x2C) }

  /// `PERIOD,NODE,`: the start of a row of the per-period files.
  @inline(__always)
  private mutating func periodAndNode(_ file: File, _ period: Int, _ node: String) {
    append(periods[period], to: file)
    comma(file)
    append(node, to: file)
    comma(file)
  }

  mutating func org(_ r: GeneratedOrgRow) { pendingOrg.append(r) }

  mutating func jointOffice(node: String, value: Bool) { pendingJoint[node] = value }

  mutating func endBureau() {
    let rows = pendingOrg
    pendingOrg = []
    for var r in rows {
      r.jointOffice = pendingJoint[r.id] ?? r.jointOffice
      writeOrg(r)
    }
    pendingJoint = [:]
  }

  private mutating func writeOrg(_ r: GeneratedOrgRow) {
    guard writer != nil else { return }
    let p = periods
    append(r.id, to: .org)
    comma(.org)
    append(r.parent, to: .org)
    comma(.org)
    append(levels[r.level], to: .org)
    comma(.org)
    append(CSVWriter.needsQuotes(r.name) ? CSVWriter.escape(r.name) : r.name, to: .org)
    comma(.org)
    appendDecimal(r.members, scale: 0, to: &buffers[File.org.rawValue])
    comma(.org)
    if let v = r.validFrom { append(p[v], to: .org) }
    comma(.org)
    if let v = r.validTo { append(p[v], to: .org) }
    comma(.org)
    if let s = r.partyAdminSplit { append(s ? "true" : "false", to: .org) }
    comma(.org)
    if let s = r.disciplineStaff { appendDecimal(s, scale: 0, to: &buffers[File.org.rawValue]) }
    comma(.org)
    if let s = r.successor { append(s, to: .org) }
    comma(.org)
    if let s = r.jointOffice { append(s ? "true" : "false", to: .org) }
    endRow(.org)
  }

  mutating func members(period: Int, node: String, members: Int) {
    guard writer != nil else { return }
    periodAndNode(.members, period, node)
    appendDecimal(members, scale: 0, to: &buffers[File.members.rawValue])
    endRow(.members)
  }

  mutating func score(period: Int, node: String, subject: Int, score: Double) {
    guard writer != nil else { return }
    periodAndNode(.scores, period, node)
    append(subjects[subject], to: .scores)
    comma(.scores)
    appendDecimal(Int((score * 10).rounded()), scale: 1, to: &buffers[File.scores.rawValue])
    endRow(.scores)
  }

  mutating func supervision(period: Int, node: String, kind: Int, domain: Int, count: Int) {
    guard writer != nil else { return }
    periodAndNode(.supervision, period, node)
    append(kinds[kind], to: .supervision)
    comma(.supervision)
    append(domains[domain], to: .supervision)
    comma(.supervision)
    appendDecimal(count, scale: 0, to: &buffers[File.supervision.rawValue])
    endRow(.supervision)
  }

  mutating func risk(period: Int, node: String, domain: Int, risk: Double) {
    guard writer != nil else { return }
    periodAndNode(.risks, period, node)
    append(domains[domain], to: .risks)
    comma(.risks)
    appendDecimal(Int((risk * 100).rounded()), scale: 2, to: &buffers[File.risks.rawValue])
    endRow(.risks)
  }

  mutating func problem(period: Int, id: String, node: String, domain: Int, source: String, description: String) {
    line(
      .problems, [String(decoding: periods[period], as: UTF8.self), id, node, String(decoding: domains[domain], as: UTF8.self), source, description],
      text: [4, 5])
  }

  mutating func responsibility(problem: String, subject: Int, person: String) {
    line(.responsibilities, [problem, String(decoding: subjects[subject], as: UTF8.self), person], text: [2])
  }

  mutating func project(problem: String, id: String, goal: String, due: Int32, done: Int32?, status: ProjectStatus) {
    let s = switch status {
    case .open: "open"
    case .done: "done"
    case .dropped: "dropped"
    }
    line(.projects, [problem, id, goal, ISODate.format(due), done.map(ISODate.format) ?? "", s], text: [2])
  }

  mutating func leader(period: Int, person: String, name: String, node: String, role: LeaderRole, oversees: [String], domains: [Int]) {
    line(
      .leaders, [String(decoding: periods[period], as: UTF8.self), person, name, node, role.rawValue, oversees.joined(separator: ";"),
                 domains.map { String(decoding: self.domains[$0], as: UTF8.self) }.joined(separator: ";")],
      text: [2])
  }

  mutating func memberReach(period: Int, node: String, measure: String, reached: Int, eligible: Int) {
    guard writer != nil else { return }
    periodAndNode(.memberReach, period, node)
    append(measure, to: .memberReach)
    comma(.memberReach)
    appendDecimal(reached, scale: 0, to: &buffers[File.memberReach.rawValue])
    comma(.memberReach)
    appendDecimal(eligible, scale: 0, to: &buffers[File.memberReach.rawValue])
    endRow(.memberReach)
  }

  /// Hands over what is buffered, waits for the writer, closes every file; the first
  /// error met, if any, is thrown.
  mutating func finish() throws {
    endBureau()
    if let error { throw error }
    guard let writer else { return }
    for file in File.allCases where !buffers[file.rawValue].isEmpty { hand(file) }
    try writer.close()
  }
}

/// `scaled / 10^scale` in decimal with exactly `scale` digits after the point (`-12.5`
/// for -125 at scale 1, `0.07` for 7 at scale 2), appended as ASCII: the generator's
/// numbers, rounded to their scale by the caller.
func appendDecimal(_ scaled: Int, scale: Int, to out: inout [UInt8]) {
  if scaled < 0 { out.append(UInt8(ascii: "-")) }
  var a = scaled.magnitude
  withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
    // In reverse, at least scale + 1 of them (a zero before the point).
    var n = 0
    repeat {
      digits[n] = UInt8(ascii: "0") + UInt8(a % 10)
      a /= 10
      n += 1
    } while a > 0 || n <= scale
    for k in stride(from: n - 1, through: 0, by: -1) {
      if k == scale - 1 { out.append(UInt8(ascii: ".")) }
      out.append(digits[k])
    }
  }
}

/// Writes byte buffers to several files on a thread of its own, each file's buffers in
/// the order given. At most `inFlight` buffers wait at a time (the generator then waits),
/// so memory stays bounded however fast rows come.
final class OrderedFileWriter: @unchecked Sendable {
  private let queue = DispatchQueue(label: "chuandao.generate.write")
  private let slots: DispatchSemaphore
  private let paths: [String]
  private let handles: [UnsafeMutablePointer<FILE>]
  /// The first failure (path, reason), set on the queue and read after it drained.
  private var failure: (String, String)?

  /// Creates every file (`wx`: never over an existing one).
  init(paths: [String], inFlight: Int = 6) throws {
    var handles: [UnsafeMutablePointer<FILE>] = []
    for path in paths {
      guard let h = fopen(path, "wx") else {
        let reason = String(cString: strerror(errno))
        for h in handles { fclose(h) }
        throw OutputError.cannotWrite(path: path, reason: reason)
      }
      setvbuf(h, nil, _IONBF, 0)  // our buffers are large already
      handles.append(h)
    }
    self.paths = paths
    self.handles = handles
    slots = DispatchSemaphore(value: inFlight)
  }

  /// Queues `bytes` for file `index`.
  func write(_ bytes: [UInt8], to index: Int) {
    slots.wait()
    queue.async {
      defer { self.slots.signal() }
      guard self.failure == nil else { return }
      let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, self.handles[index]) }
      if written != bytes.count { self.failure = (self.paths[index], String(cString: strerror(errno))) }
    }
  }

  /// Waits for every queued buffer, closes the files, throws the first failure.
  func close() throws {
    queue.sync {}
    for (k, h) in handles.enumerated() where fclose(h) != 0 && failure == nil {
      failure = (paths[k], String(cString: strerror(errno)))
    }
    if let (path, reason) = failure { throw OutputError.cannotWrite(path: path, reason: reason) }
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
  private var leaderRows: [(Int, String, String, Int32, LeaderRole, [String], [Int])] = []
  private var reachRows: [(Int, Int32, String, Int32, Int32)] = []

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
    rows.jointOffice.append(r.jointOffice.map { $0 ? 1 : 0 } ?? -1)
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

  mutating func leader(period: Int, person: String, name: String, node: String, role: LeaderRole, oversees: [String], domains: [Int]) {
    leaderRows.append((period, person, name, rowOf[node]!, role, oversees, domains))
  }

  mutating func jointOffice(node: String, value: Bool) { rows.jointOffice[Int(rowOf[node]!)] = value ? 1 : 0 }

  mutating func endBureau() {}
  mutating func memberReach(period: Int, node: String, measure: String, reached: Int, eligible: Int) {
    reachRows.append((period, rowOf[node]!, measure, Int32(reached), Int32(eligible)))
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
    leaders.hasDomains = true
    for (t, person, name, r, role, oversees, domains) in leaderRows {
      leaders.domains.append(contentsOf: domains.map(Int32.init))
      leaders.domainsStart.append(Int32(leaders.domains.count))
      leaders.period.append(Int32(t))
      leaders.person.append(person)
      leaders.name.append(name)
      leaders.node.append(position[Int(r)])
      leaders.role.append(role)
      leaders.oversees.append(contentsOf: oversees.map { position[Int(rowOf[$0]!)] })
      leaders.overseesStart.append(Int32(leaders.oversees.count))
      leaders.line.append(Int32(leaders.count + 1))
    }
    var memberReach = MemberReachTable()
    var measureIndex: [String: Int32] = [:]
    for (t, r, measure, reached, eligible) in reachRows {
      let m = measureIndex[measure] ?? Int32(memberReach.measures.count)
      if measureIndex[measure] == nil {
        measureIndex[measure] = m
        memberReach.measures.append(measure)
      }
      memberReach.period.append(Int32(t))
      memberReach.node.append(position[Int(r)])
      memberReach.measure.append(m)
      memberReach.reached.append(reached)
      memberReach.eligible.append(eligible)
      memberReach.line.append(Int32(memberReach.count + 1))
    }
    return Dataset(
      folder: folder, manifest: manifest, forest: forest, periods: periods, problems: p,
      responsibilities: responsibilities, projects: projects, leaders: leaders,
      memberReach: memberReach, files: [], diagnostics: DiagnosticLog())
  }
}
