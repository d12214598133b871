import ChuandaoStats
import Foundation
import _ChuandaoParallel

/// Each node compared with itself over time (METHODS.md section 6): its series through
/// reorganisations, the trend test, the periods it was cold or hot, and the level-step
/// transmission period by period.
public struct TrendAnalysis: Sendable {
  public var metric: Metric
  /// p below which a trend is rising or falling (settings `trend.alpha`).
  public var alpha: Double
  /// A node is persistently cold (hot) when flagged in at least `persistentAtLeast` of the
  /// last `persistentOfLast` periods (settings `trend.persistent`).
  public var persistentOfLast: Int
  public var persistentAtLeast: Int
  /// The false-discovery rate of `--fdr` (nil without it).
  public var fdr: Double?

  public init(metric: Metric = .score, alpha: Double = 0.10, persistentOfLast: Int = 3, persistentAtLeast: Int = 2) {
    self.metric = metric
    self.alpha = alpha
    self.persistentOfLast = persistentOfLast
    self.persistentAtLeast = persistentAtLeast
  }

  public init(metric: Metric, settings: Settings.Trend) {
    self.init(
      metric: metric, alpha: settings.alpha, persistentOfLast: settings.persistentOfLast,
      persistentAtLeast: settings.persistentAtLeast)
  }

  /// The series over periods `0 ... last`, as if the dataset ended there: a successor that
  /// starts after `last` does not continue its predecessors yet. `flags` are section 3's
  /// flags (computed here when not given).
  public func run(_ d: Dataset, through last: Int, flags given: PeriodFlags? = nil) -> TrendResult {
    run(d, through: last, flags: given, only: nil)
  }

  /// `run`, with the series of the chains ending in `only` alone (all when nil), and then
  /// neither the level steps nor the supervision directions: what the supervision pass
  /// needs of the intensity series.
  func run(_ d: Dataset, through last: Int, flags given: PeriodFlags?, only: Set<Int>?) -> TrendResult {
    let f = d.forest
    let T = last + 1
    let window = 0..<T
    let flags = given ?? PeriodFlags.compute(d, levels: Array(0..<f.levelCount))

    // The chains: every node points at the last id of its successor chain.
    var terminal = [Int32](repeating: -1, count: f.count)
    func next(_ i: Int) -> Int? {
      let s = Int(f.successor[i])
      return s >= 0 && Int(f.validFrom[s]) <= last ? s : nil
    }
    for i in 0..<f.count {
      var j = i
      while let s = next(j) { j = s }
      terminal[i] = Int32(j)
    }
    var predecessors = [[Int]](repeating: [], count: f.count)
    for i in 0..<f.count where Int(terminal[i]) != i { predecessors[Int(terminal[i])].append(i) }

    let values = window.map { metric.values(d, period: $0) }
    var series: [TrendResult.Series] = []
    for i in 0..<f.count where Int(terminal[i]) == i && Int(f.validFrom[i]) <= last && (only?.contains(i) ?? true) {
      var v = [Double?](repeating: nil, count: T)
      var flag = [FunnelFlag?](repeating: nil, count: T)
      for t in window {
        // The node itself where it exists, else its predecessors that exist then.
        let present = f.exists(i, in: t) ? [i] : predecessors[i].filter { f.exists($0, in: t) }
        guard !present.isEmpty else { continue }
        if present.count == 1 {
          let x = values[t][present[0]]
          v[t] = x.isFinite ? x : nil
        } else {
          var sum = 0.0
          var weight = 0.0
          for j in present where values[t][j].isFinite {
            let m = Double(d.periods[t].members[j])
            sum += m * values[t][j]
            weight += m
          }
          v[t] = weight > 0 ? sum / weight : nil
        }
        let fs = present.compactMap { flags.flags[t][$0] }
        flag[t] = fs.contains(.cold) ? .cold : fs.contains(.hot) ? .hot : fs.first
      }
      series.append(summarise(node: i, predecessors: predecessors[i], values: v, flags: flag))
    }

    // Benjamini-Hochberg q-values of the Mann-Kendall p-values, per level.
    for k in 0..<f.levelCount {
      let rows = series.indices.filter { Int(f.level[series[$0].node]) == k && series[$0].mannKendall?.p != nil }
      let q = benjaminiHochberg(rows.map { series[$0].mannKendall!.p! })
      for (j, r) in rows.enumerated() { series[r].q = q[j] }
    }
    // Where supervision is going for the persistently cold and hot: the same test on
    // their intensity, since a node may be cold with a rising score.
    var supervision: [Int: TrendResult.Direction] = [:]
    let persistent = Set(series.filter { $0.persistent != nil }.map(\.node))
    if only == nil && metric == .intensity {
      // The series are the intensity already: its direction is supervision's.
      for s in series where persistent.contains(s.node) { supervision[s.node] = s.direction }
    } else if only == nil && !persistent.isEmpty && d.periods.contains(where: { $0.supervision != nil }) {
      var intensity = self
      intensity.metric = .intensity
      for s in intensity.run(d, through: last, flags: flags, only: persistent).series {
        supervision[s.node] = s.direction
      }
    }

    let steps = only != nil ? [] : Parallel.perform(T) { t in AttenuationAnalysis(metric: metric).transmission(d, period: t).steps }
    return TrendResult(
      metric: metric, periods: T, alpha: alpha, persistentOfLast: persistentOfLast,
      persistentAtLeast: persistentAtLeast, fdr: fdr, series: series, supervisionDirection: supervision,
      steps: steps, notes: flags.notes)
  }

  /// Delta, Theil-Sen, Mann-Kendall, direction and persistence of one series.
  func summarise(node: Int, predecessors: [Int], values v: [Double?], flags: [FunnelFlag?]) -> TrendResult.Series {
    let T = v.count
    let defined = v.indices.filter { v[$0] != nil }
    let y = defined.map { v[$0]! }
    let delta: Double? = T >= 2 ? v[T - 1].flatMap { a in v[T - 2].map { a - $0 } } : nil
    let slope = theilSenSlope(x: defined.map(Double.init), y: y)
    let mk = y.count >= 2 ? MannKendall(y) : nil
    var direction = TrendResult.Direction.flat
    if let mk, let p = mk.p, p < alpha && !Ties.equal(p, alpha) {
      direction = mk.s > 0 ? .rising : mk.s < 0 ? .falling : .flat
    }
    let recent = flags.suffix(min(persistentOfLast, T))
    let cold = recent.filter { $0 == .cold }.count
    let hot = recent.filter { $0 == .hot }.count
    let persistent: TrendResult.Persistent? =
      cold >= persistentAtLeast ? .cold : hot >= persistentAtLeast ? .hot : nil
    return TrendResult.Series(
      node: node, predecessors: predecessors, values: v, delta: delta, slope: slope,
      mannKendall: mk, direction: direction,
      coldPeriods: flags.indices.filter { flags[$0] == .cold },
      hotPeriods: flags.indices.filter { flags[$0] == .hot }, persistent: persistent)
  }
}

/// What `TrendAnalysis` found.
public struct TrendResult: Sendable {
  public enum Direction: String, Sendable { case rising, falling, flat }
  public enum Persistent: String, Sendable { case cold, hot }

  public struct Series: Sendable {
    /// The last id of the chain, under which the series is listed.
    public var node: Int
    /// The nodes it continues (through `successor`), listed no further.
    public var predecessors: [Int]
    /// One value per period, nil where undefined.
    public var values: [Double?]
    public var delta: Double?
    public var slope: Double?
    /// From two values on (p from three).
    public var mannKendall: MannKendall?
    public var direction: Direction
    /// Period indices in which the node (or, before a merge, any predecessor) was cold;
    /// hot ones where none was cold and one was hot.
    public var coldPeriods: [Int]
    public var hotPeriods: [Int]
    public var persistent: Persistent?
    /// The Benjamini-Hochberg q-value of the Mann-Kendall p over the series of the level.
    public var q: Double? = nil
  }

  public let metric: Metric
  /// The number of periods in the series (periods `0 ..< periods`).
  public let periods: Int
  public let alpha: Double
  public let persistentOfLast: Int
  public let persistentAtLeast: Int
  /// The false-discovery rate of `--fdr` (nil without it).
  public let fdr: Double?
  public let series: [Series]
  /// The direction of supervision intensity of the persistently cold or hot series (by
  /// node), when the metric is not intensity itself.
  public let supervisionDirection: [Int: Direction]
  /// `steps[t][k - 1]`: level step k in period t.
  public let steps: [[AttenuationResult.Step]]
  public let notes: [LocalizedText]
}
