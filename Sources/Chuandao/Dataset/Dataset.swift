/// A loaded and validated dataset: the manifest, the hierarchy, columnar per-period data,
/// the three lists and the leaders.
public struct Dataset: Sendable {
  /// The folder the dataset was read from.
  public let folder: String
  public let manifest: Manifest
  public let forest: Forest
  /// One entry per period of the manifest, oldest first.
  public let periods: [PeriodData]
  public let problems: ProblemList
  public let responsibilities: ResponsibilityList
  public let projects: ProjectList
  public let leaders: LeaderList
  /// member_reach.csv (empty without it).
  public let memberReach: MemberReachTable
  /// The files found in the folder, in the order of DATA.md.
  public let files: [DatasetFile]
  /// The warnings found while loading (errors make loading fail instead).
  public let diagnostics: DiagnosticLog

  public var hasScores: Bool { files.contains { $0.name == "scores.csv" } }
  public var hasSupervision: Bool { files.contains { $0.name == "supervision.csv" } }
  public var hasRisks: Bool { files.contains { $0.name == "risks.csv" && $0.records > 0 } }
  public var hasMemberReach: Bool { memberReach.count > 0 }

  public func file(_ name: String) -> DatasetFile? { files.first { $0.name == name } }

  /// The index of a period label, or nil.
  public func periodIndex(_ label: String) -> Int? { manifest.periodIndex(label) }
}

/// A file of the dataset as found on disk, or a table of it read from a workbook.
public struct DatasetFile: Sendable, Equatable {
  /// The name inside the folder (`org.csv`); for a table read from a workbook, the name
  /// of the CSV file it stands for.
  public var name: String
  /// The file read: the CSV file, or the workbook.
  public var path: String
  public var bytes: Int
  /// Data records (header excluded).
  public var records: Int
  /// `utf8`, `utf8-bom` or `gb18030` (`dataset.yaml` is always UTF-8); `xlsx` for a table
  /// read from a workbook.
  public var encoding: String
  /// The SHA-256 of the file as stored (lowercase hex), from the bytes the load read; nil
  /// when the load was not asked for digests (`validate`). For a workbook, the workbook's.
  public var sha256: String?
  /// The workbook the table was read from (`scores.xlsx`, `dataset.xlsx`), else nil.
  public var workbook: String? = nil
  /// The workbook's sheet the table was read from.
  public var sheet: String? = nil

  /// How messages and tables name it: `org.csv`, or `scores.xlsx[scores]`.
  public var displayName: String { workbook.map { "\($0)[\(sheet ?? "")]" } ?? name }
}

/// The columnar data of one period. Node-indexed arrays have `forest.count` rows; a node
/// that does not exist in the period holds NaN / 0 and is never read as data.
public struct PeriodData: Sendable {
  /// Direct members per node: org.csv's value, overridden by members.csv for this period.
  public let members: [Int32]
  /// Subject scores, node-major: `scores[node * S + s]`; NaN where the node has no rows for
  /// the subject. Each is the plain mean of its rows, whatever their dimension.
  public let scores: [Double]
  /// Supervision counts, `supervision[(node * K + kind) * D + domain]`; nil without
  /// supervision.csv. A node with no rows has zero supervision.
  public let supervision: [Int32]?
  /// Integrity-risk weights, `risk[node * D + domain]` (1 where no row); nil without risks.csv.
  public let risk: [Double]?
  /// The metrics of METHODS.md section 1, computed once.
  public let metrics: PeriodMetrics
}

/// The metric columns of METHODS.md section 1 for one period (NaN = undefined).
public struct PeriodMetrics: Sendable {
  /// `score`: the subject_weights-weighted mean of the subjects the node has.
  public let score: [Double]
  /// `intensity`: 100 x kind-weighted count / members (NaN when members = 0 or no supervision data).
  public let intensity: [Double]
  /// The smoothed intensity for ratios: 100 x (kind-weighted count + 0.5) / members.
  public let intensitySmoothed: [Double]
  /// The share of the node's actions of the first (mildest) kind; NaN with no actions.
  public let earlyShare: [Double]
  /// The node's total unweighted supervision count (0 without supervision data).
  public let supervisionTotal: [Int64]

  /// Computes the metrics of one period from its columns.
  static func compute(
    manifest: Manifest, forest: Forest, period t: Int, members: [Int32], scores: [Double],
    supervision: [Int32]?
  ) -> PeriodMetrics {
    let n = forest.count
    let s = manifest.subjects.count
    let k = manifest.kinds.count
    let d = manifest.domains.count
    let sw = manifest.subjectWeights
    let kw = manifest.kindWeights
    var score = [Double](repeating: .nan, count: n)
    var intensity = [Double](repeating: .nan, count: n)
    var smoothed = [Double](repeating: .nan, count: n)
    var early = [Double](repeating: .nan, count: n)
    var total = [Int64](repeating: 0, count: n)
    for i in 0..<n where forest.exists(i, in: t) {
      var num = 0.0
      var den = 0.0
      for j in 0..<s {
        let x = scores[i * s + j]
        if !x.isNaN {
          num += sw[j] * x
          den += sw[j]
        }
      }
      if den > 0 { score[i] = num / den }
      guard let supervision else { continue }
      var weighted = 0.0
      var all: Int64 = 0
      var first: Int64 = 0
      for kk in 0..<k {
        var c: Int64 = 0
        let base = (i * k + kk) * d
        for dd in 0..<d { c += Int64(supervision[base + dd]) }
        weighted += kw[kk] * Double(c)
        all += c
        if kk == 0 { first = c }
      }
      total[i] = all
      if all > 0 { early[i] = Double(first) / Double(all) }
      let m = Double(members[i])
      if m > 0 {
        intensity[i] = 100 * weighted / m
        smoothed[i] = 100 * (weighted + 0.5) / m
      }
    }
    return PeriodMetrics(
      score: score, intensity: intensity, intensitySmoothed: smoothed, earlyShare: early,
      supervisionTotal: total)
  }
}

/// The problem list (问题清单), one row per problem, in file order.
public struct ProblemList: Sendable {
  public var period: [Int32] = []
  public var id: [String] = []
  public var node: [Int32] = []
  public var domain: [Int32] = []
  public var source: [String] = []
  public var description: [String] = []
  public var line: [Int32] = []
  public var count: Int { id.count }
}

/// The responsibility list (责任清单): who leads solving each problem.
public struct ResponsibilityList: Sendable {
  /// Row index into `ProblemList`.
  public var problem: [Int32] = []
  public var subject: [Int32] = []
  public var person: [String] = []
  public var line: [Int32] = []
  public var count: Int { problem.count }
}

public enum ProjectStatus: UInt8, Sendable {
  case open, done, dropped
}

/// The project list (项目清单).
public struct ProjectList: Sendable {
  /// Row index into `ProblemList`.
  public var problem: [Int32] = []
  public var id: [String] = []
  public var goal: [String] = []
  /// Days since 1970-01-01.
  public var due: [Int32] = []
  /// Days since 1970-01-01, or nil when empty.
  public var done: [Int32?] = []
  public var status: [ProjectStatus] = []
  public var line: [Int32] = []
  public var count: Int { problem.count }
}

public enum LeaderRole: String, Sendable, CaseIterable {
  case secretary, commissionHead = "commission_head", member, adminHead = "admin_head"
}

/// Leading cadres and the units they oversee (分管/联系单位).
public struct LeaderList: Sendable {
  public var period: [Int32] = []
  public var person: [String] = []
  public var name: [String] = []
  public var node: [Int32] = []
  public var role: [LeaderRole] = []
  /// `oversees[overseesStart[r] ..< overseesStart[r + 1]]` are row r's overseen nodes.
  public var overseesStart: [Int32] = [0]
  public var oversees: [Int32] = []
  public var line: [Int32] = []
  /// Whether leaders.csv has a `domains` column (the risk domains each leader is in charge
  /// of); without it every row's list is empty and remits are unknown.
  public var hasDomains = false
  /// `domains[domainsStart[r] ..< domainsStart[r + 1]]` are row r's domains (indices into
  /// the manifest's `domains`, each once).
  public var domainsStart: [Int32] = [0]
  public var domains: [Int32] = []
  public var count: Int { person.count }

  public func domains(byRow r: Int) -> ArraySlice<Int32> {
    domains[Int(domainsStart[r])..<Int(domainsStart[r + 1])]
  }

  public func overseen(byRow r: Int) -> ArraySlice<Int32> {
    oversees[Int(overseesStart[r])..<Int(overseesStart[r + 1])]
  }
}
