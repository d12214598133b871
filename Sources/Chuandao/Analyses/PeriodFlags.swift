import ChuandaoStats
import _ChuandaoParallel

/// Section 3's flag (cold, cool, normal, warm, hot) of every node in every period, each
/// node flagged on its own level with the default adjustment: what `trend` (cold and hot
/// periods, persistence) and `assess` (balance) read.
public struct PeriodFlags: Sendable {
  /// `flags[t][i]`: nil where the node has no flag in period t (it does not exist, has no
  /// members, or its level could not be analysed).
  public let flags: [[FunnelFlag?]]
  /// Why some level and period have no flags (no supervision.csv, no supervision at all).
  public let notes: [LocalizedText]

  /// Runs section 3 on `levels` in every period (in parallel: the runs are independent).
  public static func compute(_ d: Dataset, levels: [Int], settings: Settings.Imbalance = .init()) -> PeriodFlags {
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
    let runs = Parallel.perform(tasks.count) { j -> Result<(nodes: [Int], flags: [FunnelFlag]), any Error> in
      let (t, k) = tasks[j]
      var analysis = ImbalanceAnalysis(level: k, adjust: adjust, settings: settings)
      analysis.testsNodes = false
      analysis.limitsForNodes = false
      return Result { let r = try analysis.run(d, period: t); return (r.nodes, r.funnel.flags) }
    }
    var flags = Array(repeating: empty, count: T)
    var notes: [LocalizedText] = []
    for (j, run) in runs.enumerated() {
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
