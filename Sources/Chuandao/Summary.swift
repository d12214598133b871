/// What a dataset holds: levels, node counts per level and period, periods, files, warnings.
public struct DatasetSummary: Sendable {
  public struct PeriodRow: Sendable {
    public var label: String
    public var end: String?
    /// Nodes existing in the period, per level (top first).
    public var nodesPerLevel: [Int]
    public var members: Int
    public var subjectScores: Int
    public var supervisionActions: Int
    public var problems: Int
    public var leaders: Int
  }

  /// member_reach.csv in one period: the lowest-level nodes with rows and the sums.
  public struct ReachRow: Sendable {
    public var label: String
    public var nodes: Int
    public var reached: Int64
    public var eligible: Int64
    public var rate: Double? { eligible > 0 ? Double(reached) / Double(eligible) : nil }
  }

  public var name: String
  public var folder: String
  public var levels: [String]
  /// All nodes ever present, per level.
  public var nodesPerLevel: [Int]
  public var nodeCount: Int
  public var subjects: [String]
  public var domains: [String]
  public var kinds: [String]
  public var periods: [PeriodRow]
  public var files: [DatasetFile]
  public var reorganised: Int
  public var zeroMemberNodes: Int
  public var warnings: Int
  public var problems: Int
  public var responsibilities: Int
  public var projects: Int
  public var leaderRows: Int
  /// Issue 17: nodes with `joint_office` true and with a value (nil without the column),
  /// and leaders.csv rows that name risk domains (nil without the `domains` column).
  public var jointOffices: (joint: Int, known: Int)?
  public var leaderRowsWithDomains: Int?
  /// member_reach.csv's measures and rows, and its sums per period; nil without the file.
  public var reachMeasures: [String]? = nil
  public var reachRows = 0
  public var reach: [ReachRow] = []

  public init(_ d: Dataset) {
    let f = d.forest
    let m = d.manifest
    name = m.name
    folder = d.folder
    levels = m.levels
    nodesPerLevel = (0..<f.levelCount).map { f.levelRange($0).count }
    nodeCount = f.count
    subjects = m.subjects
    domains = m.domains
    kinds = m.kinds
    files = d.files
    reorganised = f.successor.lazy.filter { $0 >= 0 }.count
    zeroMemberNodes = f.baseMembers.lazy.filter { $0 == 0 }.count
    warnings = d.diagnostics.warningCount
    problems = d.problems.count
    responsibilities = d.responsibilities.count
    projects = d.projects.count
    leaderRows = d.leaders.count
    jointOffices = f.jointOffice.isEmpty ? nil : (f.jointOffice.filter { $0 == 1 }.count, f.jointOffice.filter { $0 >= 0 }.count)
    leaderRowsWithDomains = d.leaders.hasDomains ? (0..<d.leaders.count).filter { !d.leaders.domains(byRow: $0).isEmpty }.count : nil
    if d.file("member_reach.csv") != nil {
      let r = d.memberReach
      reachMeasures = r.measures
      reachRows = r.count
      reach = m.periods.indices.map { t in
        let (reached, eligible) = r.totals(period: t, nodeCount: f.count)
        var nodes = Set<Int32>()
        for k in 0..<r.count where Int(r.period[k]) == t { nodes.insert(r.node[k]) }
        return ReachRow(
          label: m.periods[t], nodes: nodes.count, reached: reached.reduce(0, +), eligible: eligible.reduce(0, +))
      }
    }
    let S = m.subjects.count
    var problemsPer = [Int](repeating: 0, count: m.periods.count)
    for t in d.problems.period { problemsPer[Int(t)] += 1 }
    var leadersPer = [Int](repeating: 0, count: m.periods.count)
    for t in d.leaders.period { leadersPer[Int(t)] += 1 }
    periods = m.periods.indices.map { t in
      let p = d.periods[t]
      var members = 0
      var scored = 0
      var actions = 0
      for i in 0..<f.count where f.exists(i, in: t) {
        members += Int(p.members[i])
        actions += Int(p.metrics.supervisionTotal[i])
        for s in 0..<S where !p.scores[i * S + s].isNaN { scored += 1 }
      }
      return PeriodRow(
        label: m.periods[t], end: m.periodEnd[t].map(ISODate.format),
        nodesPerLevel: (0..<f.levelCount).map { k in f.levelRange(k).lazy.filter { f.exists($0, in: t) }.count },
        members: members, subjectScores: scored, supervisionActions: actions,
        problems: problemsPer[t], leaders: leadersPer[t])
    }
  }
}
