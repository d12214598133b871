import ChuandaoLinearAlgebra
import ChuandaoStats
import Foundation
import _ChuandaoParallel

/// The annual assessment feed (年度考核, METHODS.md section 7): five indicators per node,
/// normalised within level against goalposts fixed over all periods, a weighted composite,
/// rank and grade, the reasons that pull it down, the leaders' composites, and how much
/// the ranks move when the weights are uncertain.
public struct AssessAnalysis: Sendable {
  /// The indicators, in their fixed order (ties in reasons go by this order).
  public static let indicators = Settings.Assess.indicators
  public static let grades = ["excellent", "good", "fair", "poor"]

  public var settings: Settings.Assess
  public var siloGap: Double
  /// Bytes that every draw's exact ranks may take; a level whose exact ranks would not fit
  /// gets estimated rank bands instead (`RankUncertainty.exactRankBudget`, docs/assess-scale.md).
  public var exactRankBudget: Int
  /// Bins of each draw's histogram of an estimated level (`RankUncertainty.histogramBins`);
  /// tests lower it to estimate levels of a small generated dataset.
  var histogramBins = RankUncertainty.defaultHistogramBins

  public init(
    settings: Settings.Assess = .init(), siloGap: Double = 10,
    exactRankBudget: Int = RankUncertainty.defaultExactRankBudget
  ) {
    self.settings = settings
    self.siloGap = siloGap
    self.exactRankBudget = exactRankBudget
  }

  /// Level names in `assess.goalposts` that the dataset does not have (a usage error).
  public func unknownGoalpostLevels(_ d: Dataset) -> [String] {
    settings.goalposts.keys.filter { !d.forest.levelNames.contains($0) }.sorted()
  }

  /// About how many bytes the rank uncertainty needs for period t beyond the dataset
  /// (`RankUncertainty.memoryEstimate`): every draw's exact rank of every node of the levels
  /// that keep exact ranks within `exactRankBudget` (1 to 4 bytes each, by level size: 600
  /// MB for 200,000 branches and 1000 draws), each draw's histogram of the other levels
  /// (262 MB for 1000 draws), and working memory of 350 to 600 bytes a node.
  public func uncertaintyBytes(_ d: Dataset, period t: Int) -> Double {
    let f = d.forest
    let sizes = (0..<f.levelCount).map { k in
      f.levelRange(k).reduce(0) { $0 + (f.exists($1, in: t) ? 1 : 0) }
    }
    return uncertainty.memoryEstimate(sizes: sizes)
  }

  /// The rank uncertainty these settings ask for.
  var uncertainty: RankUncertainty {
    RankUncertainty(
      draws: settings.draws, concentration: settings.concentration, seed: settings.seed,
      gradeBounds: settings.grades, exactRankBudget: exactRankBudget,
      histogramBins: histogramBins)
  }

  /// The raw indicators of every node in period t, indicator-major: `values[j][i]`, NaN
  /// where undefined (the node does not exist, has no children, ...).
  public func indicators(_ d: Dataset, period t: Int, flags: PeriodFlags) -> [[Double]] {
    let f = d.forest
    let n = f.count
    let L = f.levelCount
    var score = [Double](repeating: .nan, count: n)
    var transmission = [Double](repeating: .nan, count: n)
    var balance = [Double](repeating: .nan, count: n)
    var closure = [Double](repeating: .nan, count: n)
    var coordination = [Double](repeating: .nan, count: n)
    let metrics = d.periods[t].metrics
    for i in 0..<n where f.exists(i, in: t) { score[i] = metrics.score[i] }

    // Transmission: exp(h_p - gbar_(k+1)) for a parent p at level k.
    let (steps, h) = AttenuationAnalysis(metric: .score).transmission(d, period: t)
    for k in 0..<(L - 1) {
      guard let gbar = steps[k].meanLogRatio else { continue }
      for i in f.levelRange(k) where f.exists(i, in: t) && !h[i].isNaN {
        transmission[i] = Foundation.exp(h[i] - gbar)
      }
    }

    // Balance: 1 - the share of flagged descendants that are cold or hot.
    var flagged = [Int32](repeating: 0, count: n)
    var coldOrHot = [Int32](repeating: 0, count: n)
    for i in 0..<n {
      guard let flag = flags.flags[t][i] else { continue }
      flagged[i] = 1
      if flag == .cold || flag == .hot { coldOrHot[i] = 1 }
    }
    let flaggedBelow = f.rollUp(flagged)
    let coldOrHotBelow = f.rollUp(coldOrHot)
    for i in 0..<n where f.exists(i, in: t) {
      let m = flaggedBelow[i] - flagged[i]
      if m > 0 { balance[i] = 1 - Double(coldOrHotBelow[i] - coldOrHot[i]) / Double(m) }
    }

    // Closure as of the period's end (none without one).
    if let asOf = ClosureAnalysis.defaultAsOf(d, period: t) {
      let r = ClosureAnalysis(asOf: asOf).run(d, period: t)
      for (row, i) in r.nodes.enumerated() { closure[i] = r.counts[row].closureIndex ?? .nan }
    }

    for row in CoordinationAnalysis(siloGap: siloGap).run(d, period: t).nodes {
      coordination[row.node] = row.index ?? .nan
    }
    return [score, transmission, balance, closure, coordination]
  }

  /// The goalposts (min, max) per level and indicator: fixed ones from the settings, else
  /// the range over every period of the dataset; nil where no node of the level has a value.
  public func goalposts(_ d: Dataset, raw: [[[Double]]]) -> [[Settings.Goalpost?]] {
    let f = d.forest
    return (0..<f.levelCount).map { k in
      Self.indicators.indices.map { j -> Settings.Goalpost? in
        if let fixed = settings.goalposts[f.levelNames[k]]?[Self.indicators[j]] { return fixed }
        var lo = Double.infinity
        var hi = -Double.infinity
        for t in raw.indices {
          for i in f.levelRange(k) where raw[t][j][i].isFinite {
            lo = min(lo, raw[t][j][i])
            hi = max(hi, raw[t][j][i])
          }
        }
        return lo <= hi ? Settings.Goalpost(min: lo, max: hi) : nil
      }
    }
  }

  /// Min-max to [0, 100] against the goalposts; 100 when max = min; values beyond fixed
  /// goalposts are clamped to [0, 100].
  public static func normalise(_ x: Double, _ g: Settings.Goalpost?) -> Double {
    guard x.isFinite, let g else { return .nan }
    if Ties.equal(g.max, g.min) { return 100 }
    return min(100, max(0, 100 * (x - g.min) / (g.max - g.min)))
  }

  /// The stages of a run, for progress reports on long work.
  public enum Stage: Sendable {
    /// Section 3's flags on every level below the top, in every period.
    case flags
    /// The five indicators in every period.
    case indicators
    /// The composites and the rank uncertainty over `draws` weight draws.
    case uncertainty(draws: Int)
  }

  /// `raw`: every period's raw indicators (`rawIndicators` of the same flags) when the
  /// caller has them already (`compare` assesses two periods on the same ones).
  public func run(
    _ d: Dataset, period t: Int, flags given: PeriodFlags? = nil, imbalance: Settings.Imbalance = .init(),
    raw known: [[[Double]]]? = nil, progress: ((Stage) -> Void)? = nil
  ) -> AssessResult {
    let f = d.forest
    if given == nil { progress?(.flags) }
    let flags = given ?? PeriodFlags.compute(d, levels: Array(1..<max(1, f.levelCount)), settings: imbalance)
    // Every period's raw indicators: the goalposts span them all.
    progress?(.indicators)
    let raw = known ?? rawIndicators(d, flags: flags)
    let posts = goalposts(d, raw: raw)
    progress?(.uncertainty(draws: settings.draws))

    let nodes = (0..<f.count).filter { f.exists($0, in: t) }
    let J = Self.indicators.count
    var x = Matrix(rows: nodes.count, columns: J, repeating: .nan)
    for (r, i) in nodes.enumerated() {
      for j in 0..<J { x[r, j] = Self.normalise(raw[t][j][i], posts[Int(f.level[i])][j]) }
    }
    let groups = nodes.map { Int32(f.level[$0]) }
    let composite = CompositeIndicator(weights: settings.weights)
    let u = uncertainty.run(values: x, weights: settings.weights, groups: groups)

    var rows: [AssessResult.NodeRow] = []
    rows.reserveCapacity(nodes.count)
    for (r, i) in nodes.enumerated() {
      let normalised = (0..<J).map { x[r, $0] }
      let rank = u.rank[r]
      rows.append(.init(
        node: i, raw: (0..<J).map { raw[t][$0][i] }, normalised: normalised,
        composite: Self.defined(u.composite[r]), rank: rank,
        grade: rank.map { gradeBand(rank: $0, of: u.groupCount[r], bounds: settings.grades) },
        reasons: rank == nil ? [] : composite.shortfalls(normalised, count: 2),
        rankMedian: Self.defined(u.rankMedian[r]), rankP05: Self.defined(u.rankP05[r]),
        rankP95: Self.defined(u.rankP95[r]), gradeStability: Self.defined(u.gradeStability[r])))
    }
    var byNode = [Double?](repeating: nil, count: f.count)
    for row in rows { byNode[row.node] = row.composite }
    let total = settings.leaderOwn + settings.leaderOversees
    let shares = (own: settings.leaderOwn / total, oversees: settings.leaderOversees / total)
    return AssessResult(
      period: t, weights: composite.weights, goalposts: posts, nodes: rows,
      leaders: leaders(d, period: t, composites: byNode, shares: shares), leaderShares: shares,
      grades: settings.grades, draws: settings.draws,
      concentration: settings.concentration, seed: settings.seed,
      notes: flags.notes + u.estimated.map { estimateNote($0, levelName: f.levelNames[Int($0.group)]) })
  }

  /// The raw indicators of every period (`[period][indicator][node]`), on both cores.
  public func rawIndicators(_ d: Dataset, flags: PeriodFlags) -> [[[Double]]] {
    Parallel.perform(d.manifest.periods.count) { indicators(d, period: $0, flags: flags) }
  }

  /// What a note says of a level whose rank bands were estimated (docs/assess-scale.md).
  func estimateNote(_ e: RankUncertainty.Estimate, levelName level: String) -> LocalizedText {
    let gb = { (bytes: Int) in
      bytes < 1 << 30
        ? String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
        : String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
    let (need, limit) = (gb(e.exactBytes), gb(exactRankBudget))
    let draws = settings.draws
    guard let bound = e.rankErrorBound else {
      return LocalizedText(
        zh: "\(level) 层：\(e.size) 个节点 \(draws) 次抽样的精确排名区间约需 \(need) 内存，超过精确排名的上限 \(limit)；该层的排名中位数、5%-95% 区间和等级稳定性按每次抽样的综合得分直方图（\(e.bins) 格）估计，因几乎相等的综合得分挤在同一格中，无法给出误差上限",
        en: "level \(level): the exact rank bands of its \(e.size) nodes over \(draws) draws would need \(need), more than the \(limit) allowed for exact ranks; its rank median, 5-95% band and grade stability are estimated from each draw's histogram of \(e.bins) composite bins, with no bound on their error, because near-equal composites crowd a bin")
    }
    let share = String(format: "%.3f", 100 * Double(bound) / Double(e.size))
    return LocalizedText(
      zh: "\(level) 层：\(e.size) 个节点 \(draws) 次抽样的精确排名区间约需 \(need) 内存，超过精确排名的上限 \(limit)；该层的排名中位数和 5%-95% 区间按每次抽样的综合得分直方图（\(e.bins) 格）估计，与精确值相差至多 \(bound) 名（该层节点数的 \(share)%），等级稳定性按估计的排名计算",
      en: "level \(level): the exact rank bands of its \(e.size) nodes over \(draws) draws would need \(need), more than the \(limit) allowed for exact ranks; its rank median and 5-95% band are estimated from each draw's histogram of \(e.bins) composite bins, at most \(bound) ranks (\(share)% of the level) from the exact ones, and its grade stability comes from the estimated ranks")
  }

  /// nil for NaN (undefined: no rank, or no draws).
  static func defined(_ x: Double) -> Double? { x.isNaN ? nil : x }

  /// A leader's composite: own x own node's composite + oversees x the mean composite of
  /// the nodes they oversee (`shares`: the weights scaled to sum 1; with one side missing,
  /// the other alone); ranked and graded among the period's leaders that have one.
  /// `composites` is indexed by node.
  func leaders(
    _ d: Dataset, period t: Int, composites: [Double?], shares: (own: Double, oversees: Double)
  ) -> [AssessResult.LeaderRow] {
    let list = d.leaders
    var rows: [AssessResult.LeaderRow] = []
    for r in 0..<list.count where Int(list.period[r]) == t {
      let own = list.node[r] >= 0 ? composites[Int(list.node[r])] : nil
      let overseen = list.overseen(byRow: r).compactMap { composites[Int($0)] }
      let mean = overseen.isEmpty ? nil : overseen.reduce(0, +) / Double(overseen.count)
      let value: Double? = switch (own, mean) {
      case let (o?, m?): shares.own * o + shares.oversees * m
      case let (o?, nil): o
      case let (nil, m?): m
      default: nil
      }
      rows.append(.init(row: r, own: own, oversees: mean, composite: value, rank: nil, grade: nil))
    }
    let ranks = competitionRanks(rows.map { $0.composite ?? .nan })
    let n = rows.filter { $0.composite != nil }.count
    for k in rows.indices {
      rows[k].rank = ranks[k]
      rows[k].grade = ranks[k].map { gradeBand(rank: $0, of: n, bounds: settings.grades) }
    }
    return rows
  }
}

/// What `AssessAnalysis` found for one period.
public struct AssessResult: Sendable {
  /// One node's row. The indicators are stored inline, not as arrays of their own: a
  /// national level is 5 million rows, and three small arrays a row were about 1 GB of
  /// heap blocks (docs/performance.md).
  public struct NodeRow: Sendable {
    public var node: Int
    /// The raw indicators, in `AssessAnalysis.indicators` order (NaN where undefined).
    public var raw: InlineArray<5, Double>
    /// Normalised to [0, 100] within the node's level (NaN where undefined).
    public var normalised: InlineArray<5, Double>
    public var composite: Double?
    public var rank: Int?
    /// Index into `AssessAnalysis.grades`.
    public var grade: Int?
    /// The first two reasons (indicator indices), -1 where there is none.
    private var reason: (Int8, Int8)
    public var rankMedian: Double?
    public var rankP05: Double?
    public var rankP95: Double?
    public var gradeStability: Double?

    /// Indicator indices, the largest weighted shortfall first (at most two).
    public var reasons: [Int] {
      get { [reason.0, reason.1].filter { $0 >= 0 }.map(Int.init) }
      set {
        precondition(newValue.count <= 2, "AssessResult.NodeRow: at most two reasons")
        reason = (newValue.count > 0 ? Int8(newValue[0]) : -1, newValue.count > 1 ? Int8(newValue[1]) : -1)
      }
    }

    /// `raw` and `normalised` hold one value per indicator (`AssessAnalysis.indicators`).
    public init(
      node: Int, raw: [Double], normalised: [Double], composite: Double?, rank: Int?, grade: Int?,
      reasons: [Int], rankMedian: Double?, rankP05: Double?, rankP95: Double?, gradeStability: Double?
    ) {
      precondition(raw.count == 5 && normalised.count == 5, "AssessResult.NodeRow: five indicators")
      self.node = node
      self.raw = InlineArray { raw[$0] }
      self.normalised = InlineArray { normalised[$0] }
      self.composite = composite
      self.rank = rank
      self.grade = grade
      self.reason = (-1, -1)
      self.rankMedian = rankMedian
      self.rankP05 = rankP05
      self.rankP95 = rankP95
      self.gradeStability = gradeStability
      self.reasons = reasons
    }
  }
  public struct LeaderRow: Sendable {
    /// Row of the dataset's leader list.
    public var row: Int
    public var own: Double?
    public var oversees: Double?
    public var composite: Double?
    public var rank: Int?
    public var grade: Int?
  }
  public let period: Int
  /// The weights scaled to sum 1.
  public let weights: [Double]
  /// Per level and indicator.
  public let goalposts: [[Settings.Goalpost?]]
  /// Every node that exists in the period.
  public let nodes: [NodeRow]
  public let leaders: [LeaderRow]
  /// The own and oversees weights of a leader's composite, scaled to sum 1.
  public let leaderShares: (own: Double, oversees: Double)
  /// The grade bounds on the Hazen percentile (excellent, good, fair), as configured.
  public let grades: [Double]
  public let draws: Int
  public let concentration: Double
  public let seed: UInt64
  public let notes: [LocalizedText]
}
