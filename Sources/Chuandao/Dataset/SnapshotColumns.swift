import Foundation
import _ChuandaoParallel

/// The body of a snapshot: every column of a `Dataset`, in a fixed order, as
/// `SnapshotWriter` lays them out. What is not stored is rebuilt: the forest's id lookup
/// (hashed again from the ids), the folder and the files' paths (the folder given now), and
/// a manifest name that was the folder's name (see `SnapshotHeader.nameFromFolder`).
/// Any change here is a new `DatasetSnapshot.formatVersion`.
enum SnapshotColumns {
  static func write(_ d: Dataset, into w: inout SnapshotWriter) {
    let m = d.manifest
    w.string(m.name)
    w.strings(m.levels)
    w.strings(m.periods)
    w.column(m.periodEnd)
    w.strings(m.subjects)
    w.strings(m.domains)
    w.strings(m.kinds)
    w.column(m.subjectWeights)
    w.column(m.kindWeights)

    let f = d.forest
    w.strings(f.levelNames)
    w.strings(f.ids)
    w.strings(f.names)
    w.column(f.parent)
    w.column(f.level)
    w.column(f.childStart)
    w.column(f.levelStart.map { Int64($0) })
    w.column(f.validFrom)
    w.column(f.validTo)
    w.column(f.baseMembers)
    w.column(f.partyAdminSplit)
    w.column(f.disciplineStaff)
    w.column(f.successor)
    w.column(f.sourceLine)

    w.int(d.periods.count)
    for p in d.periods {
      w.column(p.members)
      w.column(p.scores)
      w.column(p.supervision)
      w.column(p.risk)
      w.column(p.metrics.score)
      w.column(p.metrics.intensity)
      w.column(p.metrics.intensitySmoothed)
      w.column(p.metrics.earlyShare)
      w.column(p.metrics.supervisionTotal)
    }

    let pr = d.problems
    w.column(pr.period)
    w.strings(pr.id)
    w.column(pr.node)
    w.column(pr.domain)
    w.strings(pr.source)
    w.strings(pr.description)
    w.column(pr.line)

    let r = d.responsibilities
    w.column(r.problem)
    w.column(r.subject)
    w.strings(r.person)
    w.column(r.line)

    let pj = d.projects
    w.column(pj.problem)
    w.strings(pj.id)
    w.strings(pj.goal)
    w.column(pj.due)
    w.column(pj.done)
    w.column(pj.status.map(\.rawValue))
    w.column(pj.line)

    let l = d.leaders
    w.column(l.period)
    w.strings(l.person)
    w.strings(l.name)
    w.column(l.node)
    w.column(l.role.map { UInt8(LeaderRole.allCases.firstIndex(of: $0)!) })
    w.column(l.overseesStart)
    w.column(l.oversees)
    w.column(l.line)
    // Issue 17: org.csv's joint_office and leaders.csv's domains.
    w.column(f.jointOffice)
    w.column([UInt8(l.hasDomains ? 1 : 0)])
    w.column(l.domainsStart)
    w.column(l.domains)

    let mr = d.memberReach
    w.strings(mr.measures)
    w.column(mr.period)
    w.column(mr.node)
    w.column(mr.measure)
    w.column(mr.reached)
    w.column(mr.eligible)
    w.column(mr.line)

    w.strings(d.files.map(\.name))
    w.column(d.files.map { Int64($0.bytes) })
    w.column(d.files.map { Int64($0.records) })
    w.strings(d.files.map(\.encoding))
    w.strings(d.files.map { $0.workbook ?? "" })
    w.strings(d.files.map { $0.sheet ?? "" })

    let items = d.diagnostics.items
    w.column(items.map { $0.severity == .error ? UInt8(1) : 0 })
    w.strings(items.map(\.file))
    w.column(items.map { Int64($0.line ?? 0) })
    w.column(items.map { $0.line == nil ? UInt8(0) : 1 })
    w.strings(items.map(\.message.zh))
    w.strings(items.map(\.message.en))
    w.column(items.map { Int64($0.column ?? -1) })
    w.strings(items.map { $0.sheet ?? "" })
  }

  /// Reads the body back. `folder`: the folder as given now; `folderName`: the manifest's
  /// name when it was the folder's name, else nil; `digests`: the SHA-256 recorded for each
  /// input file, given to the files as a load from the CSV files gives them.
  static func read(
    _ r: inout SnapshotReader, folder: String, folderName: String?, digests: [String: String]
  ) throws(SnapshotFault) -> Dataset {
    let storedName = try r.string("manifest name")
    let levels = try r.strings("levels")
    let periodLabels = try r.strings("periods")
    let T = periodLabels.count
    let periodEnd = try r.optionalElements("period ends", count: T)
    let subjects = try r.strings("subjects")
    let domains = try r.strings("domains")
    let kinds = try r.strings("kinds")
    let manifest = Manifest(
      name: folderName ?? storedName, levels: levels, periods: periodLabels, periodEnd: periodEnd,
      subjects: subjects, domains: domains, kinds: kinds,
      subjectWeights: try r.column("subject weights", Double.self, count: subjects.count),
      kindWeights: try r.column("kind weights", Double.self, count: kinds.count))

    let levelNames = try r.strings("level names")
    let ids = try r.strings("node ids")
    // The id lookup is hashed on another thread while the other columns are copied out.
    let (rest, lookup) = Parallel.both(
      {
        Result { () throws(SnapshotFault) in
          try readAfterIDs(&r, folder: folder, manifest: manifest, levelNames: levelNames, ids: ids, digests: digests)
        }
      },
      { IDTable(ids) })
    return try rest.get().replacingLookup(lookup)
  }

  /// The columns after the node ids, into a dataset whose forest has no id lookup yet.
  private static func readAfterIDs(
    _ r: inout SnapshotReader, folder: String, manifest: Manifest, levelNames: [String], ids: [String],
    digests: [String: String]
  ) throws(SnapshotFault) -> Dataset {
    let T = manifest.periods.count
    let (S, K, D) = (manifest.subjects.count, manifest.kinds.count, manifest.domains.count)
    let n = ids.count
    let names = try r.strings("node names", count: n)
    let parent = try r.column("parents", Int32.self, count: n)
    let level = try r.column("node levels", UInt8.self, count: n)
    let childStart = try r.column("child offsets", Int32.self, count: n + 1)
    let levelStart = try r.column("level offsets", Int64.self, count: levelNames.count + 1).map { Int($0) }
    guard levelStart.allSatisfy({ (0...n).contains($0) }) else { throw SnapshotFault("level offsets beyond the nodes") }
    var forest = Forest(
      levelNames: levelNames, ids: ids, names: names, parent: parent, level: level,
      childStart: childStart, levelStart: levelStart,
      validFrom: try r.column("valid from", Int32.self, count: n),
      validTo: try r.column("valid to", Int32.self, count: n),
      baseMembers: try r.column("members", Int32.self, count: n),
      partyAdminSplit: try r.column("party/admin split", Int8.self, count: n),
      disciplineStaff: try r.column("discipline staff", Int32.self, count: n),
      successor: try r.column("successors", Int32.self, count: n),
      sourceLine: try r.column("org.csv lines", Int32.self, count: n),
      lookup: IDTable([]))

    guard try r.count("periods") == T else { throw SnapshotFault("period columns for another number of periods") }
    var periods: [PeriodData] = []
    periods.reserveCapacity(T)
    for t in 0..<T {
      let what = "period \(manifest.periods[t])"
      let members = try r.column("\(what) members", Int32.self, count: n)
      let scores = try r.column("\(what) scores", Double.self, count: n * S)
      let supervision = try r.column(optional: "\(what) supervision", Int32.self, count: n * K * D)
      let risk = try r.column(optional: "\(what) risks", Double.self, count: n * D)
      let metrics = PeriodMetrics(
        score: try r.column("\(what) score", Double.self, count: n),
        intensity: try r.column("\(what) intensity", Double.self, count: n),
        intensitySmoothed: try r.column("\(what) smoothed intensity", Double.self, count: n),
        earlyShare: try r.column("\(what) early share", Double.self, count: n),
        supervisionTotal: try r.column("\(what) supervision total", Int64.self, count: n))
      periods.append(PeriodData(members: members, scores: scores, supervision: supervision, risk: risk, metrics: metrics))
    }

    var problems = ProblemList()
    problems.period = try r.column("problem periods")
    let np = problems.period.count
    problems.id = try r.strings("problem ids", count: np)
    problems.node = try r.column("problem nodes", count: np)
    problems.domain = try r.column("problem domains", count: np)
    problems.source = try r.strings("problem sources", count: np)
    problems.description = try r.strings("problem descriptions", count: np)
    problems.line = try r.column("problem lines", count: np)

    var responsibilities = ResponsibilityList()
    responsibilities.problem = try r.column("responsibility problems")
    let nr = responsibilities.problem.count
    responsibilities.subject = try r.column("responsibility subjects", count: nr)
    responsibilities.person = try r.strings("responsibility persons", count: nr)
    responsibilities.line = try r.column("responsibility lines", count: nr)

    var projects = ProjectList()
    projects.problem = try r.column("project problems")
    let nj = projects.problem.count
    projects.id = try r.strings("project ids", count: nj)
    projects.goal = try r.strings("project goals", count: nj)
    projects.due = try r.column("project due dates", count: nj)
    projects.done = try r.optionalElements("project done dates", count: nj)
    projects.status = try r.column("project statuses", UInt8.self, count: nj).map { (v) throws(SnapshotFault) in
      guard let s = ProjectStatus(rawValue: v) else { throw SnapshotFault("project status \(v)") }
      return s
    }
    projects.line = try r.column("project lines", count: nj)

    var leaders = LeaderList()
    leaders.period = try r.column("leader periods")
    let nl = leaders.period.count
    leaders.person = try r.strings("leader persons", count: nl)
    leaders.name = try r.strings("leader names", count: nl)
    leaders.node = try r.column("leader nodes", count: nl)
    leaders.role = try r.column("leader roles", UInt8.self, count: nl).map { (v) throws(SnapshotFault) in
      guard Int(v) < LeaderRole.allCases.count else { throw SnapshotFault("leader role \(v)") }
      return LeaderRole.allCases[Int(v)]
    }
    leaders.overseesStart = try r.column("overseen offsets", count: nl + 1)
    leaders.oversees = try r.column("overseen nodes")
    guard leaders.overseesStart.first == 0, leaders.overseesStart.last.map(Int.init) == leaders.oversees.count,
      zip(leaders.overseesStart, leaders.overseesStart.dropFirst()).allSatisfy({ $0 <= $1 })
    else { throw SnapshotFault("overseen offsets out of order") }
    leaders.line = try r.column("leader lines", count: nl)
    let jointOffice = try r.column("joint office", Int8.self)
    guard jointOffice.isEmpty || jointOffice.count == n else { throw SnapshotFault("joint office for another number of nodes") }
    forest.jointOffice = jointOffice
    leaders.hasDomains = try r.column("leader domains given", UInt8.self, count: 1)[0] == 1
    leaders.domainsStart = try r.column("leader domain offsets", count: nl + 1)
    leaders.domains = try r.column("leader domains")
    guard leaders.domainsStart.first == 0, leaders.domainsStart.last.map(Int.init) == leaders.domains.count,
      zip(leaders.domainsStart, leaders.domainsStart.dropFirst()).allSatisfy({ $0 <= $1 }),
      leaders.domains.allSatisfy({ $0 >= 0 && Int($0) < D })
    else { throw SnapshotFault("leader domain offsets out of order") }

    var memberReach = MemberReachTable()
    memberReach.measures = try r.strings("member reach measures")
    memberReach.period = try r.column("member reach periods")
    let nm = memberReach.period.count
    memberReach.node = try r.column("member reach nodes", count: nm)
    memberReach.measure = try r.column("member reach measure indices", count: nm)
    memberReach.reached = try r.column("member reach reached", count: nm)
    memberReach.eligible = try r.column("member reach eligible", count: nm)
    memberReach.line = try r.column("member reach lines", count: nm)
    guard memberReach.node.allSatisfy({ (0..<n).contains(Int($0)) }),
      memberReach.period.allSatisfy({ (0..<T).contains(Int($0)) }),
      memberReach.measure.allSatisfy({ (0..<memberReach.measures.count).contains(Int($0)) })
    else { throw SnapshotFault("member reach rows out of range") }

    let fileNames = try r.strings("file names")
    let nf = fileNames.count
    let fileBytes = try r.column("file sizes", Int64.self, count: nf)
    let fileRecords = try r.column("file records", Int64.self, count: nf)
    let encodings = try r.strings("file encodings", count: nf)
    let workbooks = try r.strings("file workbooks", count: nf)
    let sheets = try r.strings("file sheets", count: nf)
    let files = (0..<nf).map { i in
      let stored = workbooks[i].isEmpty ? fileNames[i] : workbooks[i]
      return DatasetFile(
        name: fileNames[i], path: (folder as NSString).appendingPathComponent(stored),
        bytes: Int(fileBytes[i]), records: Int(fileRecords[i]), encoding: encodings[i],
        sha256: digests[stored], workbook: workbooks[i].isEmpty ? nil : workbooks[i],
        sheet: sheets[i].isEmpty ? nil : sheets[i])
    }

    let severity = try r.column("diagnostic severities", UInt8.self)
    let nd = severity.count
    let diagnosticFiles = try r.strings("diagnostic files", count: nd)
    let lines = try r.column("diagnostic lines", Int64.self, count: nd)
    let hasLine = try r.column("diagnostic line flags", UInt8.self, count: nd)
    let zh = try r.strings("diagnostic texts (zh)", count: nd)
    let en = try r.strings("diagnostic texts (en)", count: nd)
    let columns = try r.column("diagnostic columns", Int64.self, count: nd)
    let diagnosticSheets = try r.strings("diagnostic sheets", count: nd)
    var log = DiagnosticLog()
    for i in 0..<nd {
      let line = hasLine[i] == 0 ? nil : Int(lines[i])
      log.append(Diagnostic(
        severity[i] == 1 ? .error : .warning, file: diagnosticFiles[i], line: line,
        LocalizedText(zh: zh[i], en: en[i]), column: columns[i] < 0 ? nil : Int(columns[i]),
        sheet: diagnosticSheets[i].isEmpty ? nil : diagnosticSheets[i]))
    }
    guard r.remaining == 0 else { throw SnapshotFault("\(r.remaining) bytes after the last column") }

    return Dataset(
      folder: folder, manifest: manifest, forest: forest, periods: periods, problems: problems,
      responsibilities: responsibilities, projects: projects, leaders: leaders,
      memberReach: memberReach, files: files, diagnostics: log)
  }
}

extension Dataset {
  /// The same dataset with the forest's id lookup given.
  fileprivate func replacingLookup(_ lookup: IDTable) -> Dataset {
    let f = forest
    let forest = Forest(
      levelNames: f.levelNames, ids: f.ids, names: f.names, parent: f.parent, level: f.level,
      childStart: f.childStart, levelStart: f.levelStart, validFrom: f.validFrom, validTo: f.validTo,
      baseMembers: f.baseMembers, partyAdminSplit: f.partyAdminSplit, disciplineStaff: f.disciplineStaff,
      successor: f.successor, sourceLine: f.sourceLine, lookup: lookup, jointOffice: f.jointOffice)
    return Dataset(
      folder: folder, manifest: manifest, forest: forest, periods: periods, problems: problems,
      responsibilities: responsibilities, projects: projects, leaders: leaders,
      memberReach: memberReach, files: files, diagnostics: diagnostics)
  }
}
