import ChuandaoStats
import _ChuandaoParallel

/// Section 3's flag (cold, cool, normal, warm, hot) of every node in every period, each
/// node flagged on its own level with the default adjustment: what `trend` (cold and hot
/// periods, persistence) and `assess` (balance) read.
public struct PeriodFlags: Sendable {
  /// Levels of this many nodes or more are fitted one at a time (see `compute`).
  public static let oneAtATime = 1_000_000

  /// `flags[t][i]`: nil where the node has no flag in period t (it does not exist, has no
  /// members, or its level could not be analysed).
  public let flags: [[FunnelFlag?]]
  /// Why some level and period have no flags (no supervision.csv, no supervision at all).
  public let notes: [LocalizedText]

  /// Runs section 3 on `levels` in every period (in parallel: the runs are independent).
  public static func compute(
    _ d: Dataset, levels: [Int], settings: Settings.Imbalance = .init(), oneAtATime: Int = PeriodFlags.oneAtATime
  ) -> PeriodFlags {
    let f = d.forest
    let T = d.manifest.periods.count
    let empty = [FunnelFlag?](repeating: nil, count: f.count)
    guard d.periods.contains(where: { $0.supervision != nil }) else {
      return PeriodFlags(
        flags: Array(repeating: empty, count: T),
        notes: [LocalizedText(
          zh: "数据集没有 supervision.csv：不判定冷热", en: "the dataset has no supervision.csv: no node is flagged cold or hot")])
    }
    let adjust = ImbalanceAnalysis.defaultAdjustment(d)
    let tasks = (0..<T).flatMap { t in levels.map { (t, $0) } }
    // Each run keeps only its flags: a whole result (counts, expected counts by domain,
    // the funnel's columns) of every level and period at once was gigabytes at 5 million
    // nodes, held until the last run ended.
    @Sendable func run(_ j: Int) -> Result<(nodes: [Int], flags: [FunnelFlag]), any Error> {
      let (t, k) = tasks[j]
      var analysis = ImbalanceAnalysis(level: k, adjust: adjust, settings: settings)
      analysis.testsNodes = false
      analysis.limitsForNodes = false
      return Result { let r = try analysis.run(d, period: t); return (r.nodes, r.funnel.flags) }
    }
    // Small levels side by side; a level of `oneAtATime` nodes or more alone, its fit on
    // every core: two fits of 5 million nodes at once (a GLM row per node and domain,
    // about 2 GB each) made the peak of a national `assess` or `trend` (10.5 GB against
    // 7.7 GB for the rest of the run). Each run's flags do not depend on which ran beside it.
    var size = [Int](repeating: 0, count: f.levelCount)
    for i in 0..<f.count { size[Int(f.level[i])] += 1 }
    let large = tasks.indices.filter { size[tasks[$0].1] >= oneAtATime }
    let small = tasks.indices.filter { size[tasks[$0].1] < oneAtATime }
    var runs = [Result<(nodes: [Int], flags: [FunnelFlag]), any Error>?](repeating: nil, count: tasks.count)
    for (r, j) in zip(Parallel.perform(small.count) { run(small[$0]) }, small) { runs[j] = r }
    for j in large { runs[j] = run(j) }
    var flags = Array(repeating: empty, count: T)
    var notes: [LocalizedText] = []
    for (j, run) in runs.enumerated() {
      guard let run else { continue }
      let (t, k) = tasks[j]
      switch run {
      case .success(let r):
        for (row, i) in r.nodes.enumerated() { flags[t][i] = r.flags[row] }
      case .failure(let e):
        let (level, period) = (f.levelNames[k], d.manifest.periods[t])
        switch e {
        case ImbalanceError.noNodes:
          notes.append(LocalizedText(
            zh: "\(level) 层在 \(period) 期没有党员数大于 0 的节点：不判定冷热",
            en: "level \(level) has no node with members > 0 in period \(period): none flagged"))
        case ImbalanceError.noSupervisionInLevel:
          notes.append(LocalizedText(
            zh: "\(level) 层在 \(period) 期没有任何督查记录：不判定冷热",
            en: "level \(level) has no supervision at all in period \(period): none flagged"))
        default:
          notes.append(LocalizedText(
            zh: "\(level) 层在 \(period) 期的冷热模型无法拟合（\(e)）：不判定冷热",
            en: "level \(level), period \(period): the imbalance model could not be fitted (\(e)): none flagged"))
        }
      }
    }
    return PeriodFlags(flags: flags, notes: notes)
  }
}
