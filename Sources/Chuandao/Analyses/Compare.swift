import ChuandaoStats
import Foundation

/// Year on year (同比): two periods side by side — each analysis's headline figures and
/// node flags in period P and in period Q, the change, and the nodes whose flag or grade
/// changed (docs/compare.md).
///
/// Runs the existing analyses for both periods with the same settings, so that every
/// figure equals what the analysis's own command gives for that period. Only nodes that
/// exist in both periods (under the same id) are compared; a node reorganised between them
/// is listed apart, paired with its successor, and not compared.
public struct CompareAnalysis: Sendable {
  public var settings: Settings

  public init(settings: Settings = .init()) { self.settings = settings }

  /// `flags`: section 3's flags of every period on the levels below the top (computed here
  /// when not given), as `AssessAnalysis.run` and `TrendAnalysis.run` take them, so that a
  /// caller running those too computes them once.
  public func run(_ d: Dataset, from p: Int, to q: Int, flags given: PeriodFlags? = nil) -> CompareResult {
    let f = d.forest
    let L = f.levelCount
    let both = (0..<f.count).filter { f.exists($0, in: p) && f.exists($0, in: q) }
    var notes: [LocalizedText] = []
    let (reorganised, onlyFrom, onlyTo) = Self.reorganisation(f, from: p, to: q)

    // Vertical drop: tau per level step, end retention, per top-level node.
    let attenuation = AttenuationAnalysis(metric: .score, flagZ: settings.attenuation.flagZ)
    let ap = attenuation.run(d, period: p)
    let aq = attenuation.run(d, period: q)
    let attenuationFlags = (from: Self.attenuationFlags(ap, count: f.count), to: Self.attenuationFlags(aq, count: f.count))
    let groupsQ = Dictionary(uniqueKeysWithValues: aq.groups.map { ($0.node, $0) })
    let attenuationSection = CompareResult.Attenuation(
      metric: .score,
      steps: zip(ap.steps, aq.steps).map { .init(level: $0.level, tau: .init($0.tau, $1.tau)) },
      endRetention: .init(ap.endRetention, aq.endRetention),
      groups: ap.groups.compactMap { g in
        groupsQ[g.node].map { .init(node: g.node, endRetention: .init(g.endRetention, $0.endRetention)) }
      },
      changed: both.compactMap { i in
        guard let a = attenuationFlags.from[i], let b = attenuationFlags.to[i], a != b else { return nil }
        return .init(node: i, from: a, to: b)
      })

    // Horizontal spread: the bottom level, default adjustment, the settings' dispersion.
    var imbalanceSection: CompareResult.Imbalance? = nil
    var imbalanceFlags = (from: [FunnelFlag?](repeating: nil, count: f.count), to: [FunnelFlag?](repeating: nil, count: f.count))
    if d.file("supervision.csv") == nil {
      notes.append(LocalizedText(
        zh: "数据集没有 supervision.csv：不比较温差", en: "the dataset has no supervision.csv: the horizontal spread is not compared"))
    } else {
      var imbalance = ImbalanceAnalysis(
        level: L - 1, adjust: ImbalanceAnalysis.defaultAdjustment(d), settings: settings.imbalance)
      imbalance.testsNodes = false
      imbalance.limitsForNodes = false
      do {
        let ip = try imbalance.run(d, period: p)
        let iq = try imbalance.run(d, period: q)
        for (r, i) in ip.nodes.enumerated() { imbalanceFlags.from[i] = ip.funnel.flags[r] }
        for (r, i) in iq.nodes.enumerated() { imbalanceFlags.to[i] = iq.funnel.flags[r] }
        let changed = both.compactMap { i -> CompareResult.FlagChange<FunnelFlag>? in
          guard let a = imbalanceFlags.from[i], let b = imbalanceFlags.to[i], a != b else { return nil }
          return .init(node: i, from: a, to: b)
        }
        imbalanceSection = .init(
          level: L - 1, adjust: imbalance.adjust, dispersion: settings.imbalance.dispersion,
          nodes: .init(ip.nodes.count, iq.nodes.count),
          counts: FunnelFlag.allCases.map { flag in
            .init(flag: flag, count: .init(
              ip.funnel.flags.filter { $0 == flag }.count, iq.funnel.flags.filter { $0 == flag }.count))
          },
          phi: .init(ip.funnel.phi, iq.funnel.phi), gini: .init(ip.inequality.gini, iq.inequality.gini),
          changed: changed.sorted { Self.imbalanceOrder($0) < Self.imbalanceOrder($1) })
      } catch {
        notes.append(LocalizedText(
          zh: "\(f.levelNames[L - 1]) 层的冷热模型在其中一期无法拟合（\(error)）：不比较温差",
          en: "level \(f.levelNames[L - 1]): the imbalance model could not be fitted in one of the periods (\(error)): the horizontal spread is not compared"))
      }
    }

    // Coordination: mean index per level, silos gained and lost.
    let coordination = CoordinationAnalysis(siloGap: settings.coordination.siloGap)
    let cp = coordination.run(d, period: p)
    let cq = coordination.run(d, period: q)
    var rowsP = [CoordinationResult.NodeRow?](repeating: nil, count: f.count)
    var rowsQ = rowsP
    for r in cp.nodes { rowsP[r.node] = r }
    for r in cq.nodes { rowsQ[r.node] = r }
    func siloChange(_ from: Bool, _ to: Bool) -> [CompareResult.SiloChange] {
      both.compactMap { i in
        guard let a = rowsP[i], let b = rowsQ[i], a.silo == from, b.silo == to else { return nil }
        return .init(node: i, gap: .init(a.gap, b.gap), weakest: .init(from: a.weakest, to: b.weakest))
      }
    }
    let coordinationSection = CompareResult.Coordination(
      levels: zip(cp.levels, cq.levels).map { .init(level: $0.level, meanIndex: .init($0.meanIndex, $1.meanIndex)) },
      becameSilo: siloChange(false, true), stoppedSilo: siloChange(true, false))

    // Closed loop: only with problems.csv and a period_end in both periods.
    var closureSection: CompareResult.Closure? = nil
    if d.file("problems.csv") == nil {
      notes.append(LocalizedText(
        zh: "数据集没有 problems.csv：不比较三张清单闭环", en: "the dataset has no problems.csv: the closed loop is not compared"))
    } else if let endP = ClosureAnalysis.defaultAsOf(d, period: p), let endQ = ClosureAnalysis.defaultAsOf(d, period: q) {
      let lp = ClosureAnalysis(asOf: endP).run(d, period: p)
      let lq = ClosureAnalysis(asOf: endQ).run(d, period: q)
      func tops(_ r: ClosureResult) -> [Int: ClosureResult.Counts] {
        var out: [Int: ClosureResult.Counts] = [:]
        for (row, i) in r.nodes.enumerated() where f.level[i] == 0 { out[i] = r.counts[row] }
        return out
      }
      let (tp, tq) = (tops(lp), tops(lq))
      func scope(_ a: ClosureResult.Counts, _ b: ClosureResult.Counts) -> CompareResult.ClosureScope {
        .init(problems: .init(a.problems, b.problems), onTime: .init(a.onTime, b.onTime), closureIndex: .init(a.closureIndex, b.closureIndex))
      }
      closureSection = .init(
        asOf: .init(from: endP, to: endQ),
        all: scope(tp.values.reduce(.zero, +), tq.values.reduce(.zero, +)),
        groups: both.filter { f.level[$0] == 0 }.map { i in
          .init(node: i, scope: scope(tp[i] ?? .zero, tq[i] ?? .zero))
        })
    } else {
      notes.append(LocalizedText(
        zh: "两期中有一期在 dataset.yaml 中没有 period_end：不比较三张清单闭环",
        en: "one of the two periods has no period_end in dataset.yaml: the closed loop is not compared"))
    }

    // Assessment: goalposts over all periods, so P and Q are on one scale. The grade comes
    // from the rank at the base weights: the weight draws are not needed.
    var assessSettings = settings.assess
    assessSettings.draws = 0
    let assess = AssessAnalysis(settings: assessSettings, siloGap: settings.coordination.siloGap)
    let flags = given ?? PeriodFlags.compute(d, levels: Array(1..<max(1, L)), settings: settings.imbalance)
    // The indicators of every period once, for both (they span all periods either way).
    let raw = assess.rawIndicators(d, flags: flags)
    let sp = assess.run(d, period: p, flags: flags, imbalance: settings.imbalance, raw: raw)
    let sq = assess.run(d, period: q, flags: flags, imbalance: settings.imbalance, raw: raw)
    notes += flags.notes
    var gradedP = [AssessResult.NodeRow?](repeating: nil, count: f.count)
    var gradedQ = gradedP
    for r in sp.nodes { gradedP[r.node] = r }
    for r in sq.nodes { gradedQ[r.node] = r }
    let G = AssessAnalysis.grades.count
    let assessSection = CompareResult.Assess(
      levels: (0..<L).map { k in
        func counts(_ rows: [AssessResult.NodeRow]) -> [Int] {
          (0..<G).map { g in rows.filter { Int(f.level[$0.node]) == k && $0.grade == g }.count }
        }
        let (a, b) = (counts(sp.nodes), counts(sq.nodes))
        return .init(
          level: k, ranked: .init(a.reduce(0, +), b.reduce(0, +)),
          grades: (0..<G).map { .init(a[$0], b[$0]) })
      },
      changed: both.compactMap { i -> CompareResult.GradeChange? in
        guard let a = gradedP[i], let b = gradedQ[i], let ga = a.grade, let gb = b.grade, ga != gb else { return nil }
        return .init(node: i, from: ga, to: gb, composite: .init(a.composite, b.composite))
      }.sorted { (f.level[$0.node], $0.from - $0.to, $0.node) < (f.level[$1.node], $1.from - $1.to, $1.node) })

    let nodes = both.map { i in
      CompareResult.NodeRow(
        node: i,
        attenuationFlag: .init(from: attenuationFlags.from[i], to: attenuationFlags.to[i]),
        imbalanceFlag: .init(from: imbalanceFlags.from[i], to: imbalanceFlags.to[i]),
        silo: .init(from: rowsP[i]?.silo, to: rowsQ[i]?.silo),
        grade: .init(from: gradedP[i]?.grade, to: gradedQ[i]?.grade),
        rank: .init(from: gradedP[i]?.rank, to: gradedQ[i]?.rank),
        composite: .init(gradedP[i]?.composite, gradedQ[i]?.composite))
    }
    return CompareResult(
      from: p, to: q, attenuation: attenuationSection, imbalance: imbalanceSection,
      coordination: coordinationSection, closure: closureSection, assess: assessSection,
      nodes: nodes, reorganised: reorganised, onlyFrom: onlyFrom, onlyTo: onlyTo, notes: notes)
  }

  /// Each node's attenuation flag in a period: nil where it has no z (a top node, no
  /// ratio, no spread), `.notFlagged` where it has one and is not flagged.
  static func attenuationFlags(_ r: AttenuationResult, count: Int) -> [CompareResult.AttenuationFlag?] {
    var out = [CompareResult.AttenuationFlag?](repeating: nil, count: count)
    for row in r.nodes where row.z != nil {
      let flag: CompareResult.AttenuationFlag = switch row.flag {
      case .attenuated: .attenuated
      case .amplified: .amplified
      case nil: .notFlagged
      }
      out[row.node] = flag
    }
    return out
  }

  /// The order of the imbalance flag changes: by the new flag, the most alarming first
  /// (cold, hot, cool, warm, normal), then the longest jump (normal -> cold before
  /// cool -> cold), then the forest's order.
  static func imbalanceOrder(_ c: CompareResult.FlagChange<FunnelFlag>) -> (Int, Int, Int) {
    let alarm: [FunnelFlag] = [.cold, .hot, .cool, .warm, .normal]
    let scale: [FunnelFlag] = [.cold, .cool, .normal, .warm, .hot]
    let jump = abs(scale.firstIndex(of: c.to)! - scale.firstIndex(of: c.from)!)
    return (alarm.firstIndex(of: c.to)!, -jump, c.node)
  }

  /// The nodes that exist in only one of the two periods: pairs of a node of P and the node
  /// of Q that one of them leads to through `successor` links (whichever period is the
  /// earlier), and the rest of each side.
  static func reorganisation(
    _ f: Forest, from p: Int, to q: Int
  ) -> (pairs: [CompareResult.Reorganised], onlyFrom: [Int], onlyTo: [Int]) {
    let onlyP = (0..<f.count).filter { f.exists($0, in: p) && !f.exists($0, in: q) }
    let onlyQ = (0..<f.count).filter { f.exists($0, in: q) && !f.exists($0, in: p) }
    let inP = Set(onlyP)
    let inQ = Set(onlyQ)
    /// The first node along i's successor chain that is in `targets`.
    func reach(_ i: Int, _ targets: Set<Int>) -> Int? {
      var j = i
      var seen: Set<Int> = [i]
      while f.successor[j] >= 0 {
        j = Int(f.successor[j])
        guard seen.insert(j).inserted else { return nil }
        if targets.contains(j) { return j }
      }
      return nil
    }
    var pairs: [CompareResult.Reorganised] = []
    for a in onlyP { if let b = reach(a, inQ) { pairs.append(.init(from: a, to: b)) } }
    for b in onlyQ { if let a = reach(b, inP) { pairs.append(.init(from: a, to: b)) } }
    pairs.sort { ($0.from, $0.to) < ($1.from, $1.to) }
    let pairedP = Set(pairs.map(\.from))
    let pairedQ = Set(pairs.map(\.to))
    return (pairs, onlyP.filter { !pairedP.contains($0) }, onlyQ.filter { !pairedQ.contains($0) })
  }
}

/// What `CompareAnalysis` found: period P (`from`) beside period Q (`to`).
public struct CompareResult: Sendable {
  /// A figure in P and in Q; `change` = Q - P, nil unless both are defined.
  public struct Change: Sendable, Equatable {
    public var from: Double?
    public var to: Double?
    public var change: Double? { from.flatMap { a in to.map { $0 - a } } }
    public init(_ from: Double?, _ to: Double?) {
      self.from = from
      self.to = to
    }
  }

  /// A count in P and in Q; `change` = Q - P.
  public struct CountChange: Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var change: Int { to - from }
    public init(_ from: Int, _ to: Int) {
      self.from = from
      self.to = to
    }
  }

  /// A node's value of something in P and in Q (nil where it has none).
  public struct Pair<Value: Sendable & Equatable>: Sendable, Equatable {
    public var from: Value?
    public var to: Value?
    /// Both defined and different.
    public var changed: Bool { from != nil && to != nil && from != to }
  }

  /// A node's attenuation flag; `notFlagged` ("none") where it has a z and is not flagged.
  public enum AttenuationFlag: String, Sendable, Equatable {
    case attenuated, amplified
    case notFlagged = "none"
  }

  /// A node whose flag is defined in both periods and differs.
  public struct FlagChange<Flag: Sendable & Equatable>: Sendable {
    public var node: Int
    public var from: Flag
    public var to: Flag
  }

  public struct StepChange: Sendable {
    /// Level step k: parents at level k - 1, children at level k.
    public var level: Int
    public var tau: Change
  }

  public struct GroupChange: Sendable {
    /// A top-level node that exists in both periods.
    public var node: Int
    public var endRetention: Change
  }

  public struct Attenuation: Sendable {
    public var metric: Metric
    public var steps: [StepChange]
    public var endRetention: Change
    public var groups: [GroupChange]
    /// Nodes with a z in both periods whose flag (attenuated, amplified, none) changed.
    public var changed: [FlagChange<AttenuationFlag>]
  }

  public struct FlagCount: Sendable {
    public var flag: FunnelFlag
    public var count: CountChange
  }

  public struct Imbalance: Sendable {
    public var level: Int
    public var adjust: ImbalanceAnalysis.Adjustment
    public var dispersion: FunnelPlot.Dispersion
    /// The level's nodes with members > 0 in each period.
    public var nodes: CountChange
    /// One per flag, in `FunnelFlag.allCases` order.
    public var counts: [FlagCount]
    public var phi: Change
    public var gini: Change
    /// Nodes flagged in both periods whose flag changed, the most alarming first.
    public var changed: [FlagChange<FunnelFlag>]
  }

  public struct LevelIndex: Sendable {
    public var level: Int
    public var meanIndex: Change
  }

  public struct SiloChange: Sendable {
    public var node: Int
    /// The subjects' mean less the weakest subject.
    public var gap: Change
    /// Index into the manifest's subjects.
    public var weakest: Pair<Int>
  }

  public struct Coordination: Sendable {
    public var levels: [LevelIndex]
    /// Nodes with a coordination row in both periods: not a silo in P, a silo in Q.
    public var becameSilo: [SiloChange]
    /// A silo in P, not in Q.
    public var stoppedSilo: [SiloChange]
  }

  public struct ClosureScope: Sendable {
    public var problems: CountChange
    public var onTime: CountChange
    public var closureIndex: Change
  }

  public struct ClosureGroup: Sendable {
    public var node: Int
    public var scope: ClosureScope
  }

  public struct Closure: Sendable {
    /// Each period's `period_end` (days since 1970-01-01).
    public var asOf: Pair<Int32>
    /// The whole dataset (every problem of the period).
    public var all: ClosureScope
    /// The top-level nodes that exist in both periods (their subtrees).
    public var groups: [ClosureGroup]
  }

  public struct LevelGrades: Sendable {
    public var level: Int
    /// Nodes of the level with a grade.
    public var ranked: CountChange
    /// One per grade, in `AssessAnalysis.grades` order.
    public var grades: [CountChange]
  }

  public struct GradeChange: Sendable {
    public var node: Int
    /// Indices into `AssessAnalysis.grades`.
    public var from: Int
    public var to: Int
    public var composite: Change
  }

  public struct Assess: Sendable {
    public var levels: [LevelGrades]
    /// Nodes graded in both periods whose grade changed: by level, the largest drop first.
    public var changed: [GradeChange]
  }

  /// One compared node (it exists in both periods) with its flags and grade in each.
  public struct NodeRow: Sendable {
    public var node: Int
    public var attenuationFlag: Pair<AttenuationFlag>
    /// Bottom level only, and only with members > 0.
    public var imbalanceFlag: Pair<FunnelFlag>
    public var silo: Pair<Bool>
    /// Index into `AssessAnalysis.grades`.
    public var grade: Pair<Int>
    public var rank: Pair<Int>
    public var composite: Change
  }

  /// A node of P that became a node of Q through `successor` (a rename, a merge).
  public struct Reorganised: Sendable, Equatable {
    public var from: Int
    public var to: Int
  }

  /// Period indices.
  public let from: Int
  public let to: Int
  public let attenuation: Attenuation
  /// nil without supervision.csv, or when a period's level cannot be analysed.
  public let imbalance: Imbalance?
  public let coordination: Coordination
  /// nil without problems.csv or without a `period_end` for both periods.
  public let closure: Closure?
  public let assess: Assess
  /// Every node that exists in both periods, in the forest's order.
  public let nodes: [NodeRow]
  /// Reorganised between the periods: listed apart, not compared.
  public let reorganised: [Reorganised]
  /// Nodes only in P (dissolved) and only in Q (new), not reorganised.
  public let onlyFrom: [Int]
  public let onlyTo: [Int]
  /// Sections left out and why (also printed on stderr).
  public let notes: [LocalizedText]
}
