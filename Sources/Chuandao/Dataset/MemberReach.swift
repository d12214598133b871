import Foundation
import _ChuandaoCSV

/// member_reach.csv (DATA.md, docs/data.md): how far each lowest-level organisation's work
/// reaches its members, one row per (period, node, measure): of `eligible` members,
/// `reached` were reached (signed a commitment, were talked with, attended integrity
/// education, ...). Measures are free labels, interned in order of first appearance.
public struct MemberReachTable: Sendable, Equatable {
  /// The measure labels, in order of first appearance in the file.
  public var measures: [String] = []
  public var period: [Int32] = []
  public var node: [Int32] = []
  /// Index into `measures`.
  public var measure: [Int32] = []
  public var reached: [Int32] = []
  public var eligible: [Int32] = []
  public var line: [Int32] = []
  public var count: Int { node.count }

  public init() {}

  /// Per node of a forest of `nodeCount` nodes, the sums of `reached` and `eligible` over
  /// the measures of period `t` (both 0 where the node has no row).
  public func totals(period t: Int, nodeCount: Int) -> (reached: [Int64], eligible: [Int64]) {
    var r = [Int64](repeating: 0, count: nodeCount)
    var e = [Int64](repeating: 0, count: nodeCount)
    for k in 0..<count where Int(period[k]) == t {
      r[Int(node[k])] += Int64(reached[k])
      e[Int(node[k])] += Int64(eligible[k])
    }
    return (r, e)
  }

  /// The periods that have at least one row.
  public var periodsWithRows: Set<Int> { Set(period.map(Int.init)) }
}

extension DatasetLoader {
  /// Reads member_reach.csv when present: each field checked as in the other per-period
  /// files, `reached <= eligible`, one row per (period, node, measure). The checks that
  /// need the forest and the period's members follow in `checkMemberReach`.
  mutating func readMemberReach(_ out: inout MemberReachTable) {
    let file = "member_reach.csv"
    var table = MemberReachTable()
    var measureIndex: [String: Int32] = [:]
    // "period\0node\0measure" -> first line.
    var seen: [String: Int] = [:]
    readTable(file, required: ["period", "node", "measure", "reached", "eligible"]) { l, rec, c in
      guard let t = l.period(file, rec, c("period")!) else { return }
      let i = l.node(file, rec, c("node")!, period: t)
      let measure = rec.trimmed(c("measure")!)
      var ok = true
      if measure.isEmpty {
        l.log.error(file, rec.line, column: c("measure")!,
          zh: "列 'measure' 为空（应为覆盖措施的名称，如 commitment、talk、education）",
          en: "column 'measure' is empty (expected the name of a measure, such as commitment, talk, education)")
        ok = false
      }
      let reached = l.count(file, rec, c("reached")!, column: "reached")
      let eligible = l.count(file, rec, c("eligible")!, column: "eligible")
      guard ok, let i, let reached, let eligible else { return }
      if reached > eligible {
        l.log.error(file, rec.line, column: c("reached")!,
          zh: "列 'reached'：\(reached) 大于 eligible \(eligible)（覆盖人数不能超过应覆盖人数）",
          en: "column 'reached': \(reached) exceeds eligible \(eligible) (no more members can be reached than are eligible)")
        return
      }
      let key = "\(t)\u{0}\(i)\u{0}\(measure)"
      if let first = seen[key] {
        l.log.error(file, rec.line,
          zh: "节点 '\(l.nodeIDs[i])' 在 \(l.manifest.periods[t]) 期措施 '\(measure)' 有第二行（首次在第 \(first) 行）",
          en: "a second row for node '\(l.nodeIDs[i])', period \(l.manifest.periods[t]), measure '\(measure)' (first on line \(first))")
        return
      }
      seen[key] = rec.line
      let m: Int32
      if let known = measureIndex[measure] {
        m = known
      } else {
        m = Int32(table.measures.count)
        measureIndex[measure] = m
        table.measures.append(measure)
      }
      table.period.append(Int32(t))
      table.node.append(Int32(i))
      table.measure.append(m)
      table.reached.append(reached)
      table.eligible.append(eligible)
      table.line.append(Int32(rec.line))
    }
    out = table
  }

  /// The checks of member_reach.csv that need the forest and each period's members: a row's
  /// node must be on the lowest level (an error: reach is the step from the lowest
  /// organisation to its members); `eligible` above the node's members in the period and
  /// `eligible` 0 are warnings (docs/data.md).
  mutating func checkMemberReach(_ table: MemberReachTable, forest: Forest, members: [[Int32]]) {
    let file = "member_reach.csv"
    let bottom = forest.levelCount - 1
    for k in 0..<table.count {
      let i = Int(table.node[k])
      let t = Int(table.period[k])
      let line = Int(table.line[k])
      let level = Int(forest.level[i])
      if level != bottom {
        log.error(file, line,
          zh: "列 'node'：节点 '\(forest.ids[i])' 属于\(forest.levelNames[level])层，党员覆盖只对最底层（\(forest.levelNames[bottom])）填报",
          en: "column 'node': node '\(forest.ids[i])' is a \(forest.levelNames[level]); member reach is given for the lowest level (\(forest.levelNames[bottom])) only")
        continue
      }
      let e = table.eligible[k]
      if e == 0 {
        log.warning(file, line,
          zh: "节点 '\(forest.ids[i])' 在 \(manifest.periods[t]) 期措施 '\(table.measures[Int(table.measure[k])])' 的 eligible 为 0：该行不计入覆盖率",
          en: "node '\(forest.ids[i])', period \(manifest.periods[t]), measure '\(table.measures[Int(table.measure[k])])' has eligible 0: the row adds nothing to the reach rate")
      } else if t < members.count, e > members[t][i] {
        log.warning(file, line,
          zh: "列 'eligible'：\(e) 多于节点 '\(forest.ids[i])' 在 \(manifest.periods[t]) 期的党员数 \(members[t][i])",
          en: "column 'eligible': \(e) is more than node '\(forest.ids[i])' has members in period \(manifest.periods[t]) (\(members[t][i]))")
      }
    }
  }
}
