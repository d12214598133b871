import Foundation
import _ChuandaoCSV

// MARK: - org.csv

extension DatasetLoader {
  /// Reads and checks org.csv. Returns nil when it could not be read at all; otherwise the
  /// forest (nil when the structure has errors) and whether org.csv was error-free.
  mutating func readOrg() -> (Forest?, Bool)? {
    let file = "org.csv"
    let errorsBefore = log.errorCount
    var rows = OrgRows()
    var parentIDs: [String] = []
    var successorIDs: [String] = []
    let T = manifest.periods.count
    let levelTable = IDTable(manifest.levels)
    let ok = readTable(
      file, required: ["id", "parent", "level", "name", "members"],
      optional: ["valid_from", "valid_to", "party_admin_split", "discipline_staff", "successor", "joint_office"]
    ) { l, rec, c in
      let id = rec.trimmed(c("id")!)
      if id.isEmpty {
        l.log.error(file, rec.line, zh: "列 'id' 为空", en: "column 'id' is empty")
      }
      var level: UInt8 = 0
      if let k = levelTable.find(bytes: rec.bytes(c("level")!)) {
        level = UInt8(k)
      } else {
        l.log.error(file, rec.line,
          zh: "列 'level'：未知的层级 '\(rec.trimmed(c("level")!))'（应为 \(l.manifest.levels.joined(separator: ", "))）",
          en: "column 'level': unknown level '\(rec.trimmed(c("level")!))' (expected one of \(l.manifest.levels.joined(separator: ", ")))")
      }
      let members = l.count(file, rec, c("members")!, column: "members") ?? 0
      func periodOrOpen(_ column: StaticString, open: Int) -> Int {
        guard let col = c(column), !rec.isBlank(col) else { return open }
        return l.period(file, rec, col, column: column.description) ?? open
      }
      let from = periodOrOpen("valid_from", open: 0)
      let to = periodOrOpen("valid_to", open: T - 1)
      if from > to {
        l.log.error(file, rec.line,
          zh: "valid_from（\(l.manifest.periods[from])）晚于 valid_to（\(l.manifest.periods[to])）",
          en: "valid_from (\(l.manifest.periods[from])) is after valid_to (\(l.manifest.periods[to]))")
      }
      /// A true/false column: 1, 0, or -1 when blank or absent (an error when neither).
      func flag(_ column: StaticString) -> Int8 {
        guard let col = c(column), !rec.isBlank(col) else { return -1 }
        switch rec.trimmed(col).lowercased() {
        case "true", "1", "yes", "是": return 1
        case "false", "0", "no", "否": return 0
        default:
          l.log.error(file, rec.line,
            zh: "列 '\(column)'：'\(rec.string(col))' 应为 true 或 false",
            en: "column '\(column)': '\(rec.string(col))' is not true or false")
          return -1
        }
      }
      let split = flag("party_admin_split")
      if c("joint_office") != nil { rows.jointOffice.append(flag("joint_office")) }
      var staff: Int32 = -1
      if let col = c("discipline_staff"), !rec.isBlank(col) {
        staff = l.count(file, rec, col, column: "discipline_staff") ?? -1
      }
      rows.ids.append(id)
      rows.names.append(rec.string(c("name")!))
      rows.level.append(level)
      rows.members.append(members)
      rows.validFrom.append(Int32(from))
      rows.validTo.append(Int32(to))
      rows.partyAdminSplit.append(split)
      rows.disciplineStaff.append(staff)
      rows.line.append(Int32(rec.line))
      parentIDs.append(rec.trimmed(c("parent")!))
      successorIDs.append(c("successor").map { rec.trimmed($0) } ?? "")
    }
    guard ok else { return nil }
    let n = rows.ids.count
    let byRow = IDTable(rows.ids)
    // Duplicate ids.
    for r in 0..<n where !rows.ids[r].isEmpty {
      let first = byRow.find(rows.ids[r])!
      if first != r {
        log.error(file, Int(rows.line[r]),
          zh: "列 'id'：重复的 id '\(rows.ids[r])'（首次出现在第 \(rows.line[first]) 行）",
          en: "column 'id': duplicate id '\(rows.ids[r])' (first on line \(rows.line[first]))")
      }
    }
    // Parents and levels.
    rows.parent = [Int32](repeating: -1, count: n)
    for r in 0..<n {
      let pid = parentIDs[r]
      if pid.isEmpty {
        if rows.level[r] != 0 {
          log.error(file, Int(rows.line[r]),
            zh: "列 'parent' 为空，但层级为 '\(manifest.levels[Int(rows.level[r])])'：顶层节点须在第一层 '\(manifest.levels[0])'",
            en: "column 'parent' is empty but the level is '\(manifest.levels[Int(rows.level[r])])': a top-level node must be on the first level, '\(manifest.levels[0])'")
        }
        continue
      }
      guard let p = byRow.find(pid) else {
        log.error(file, Int(rows.line[r]), zh: "列 'parent'：未知的上级 '\(pid)'（\(tableName("org.csv")) 中没有）",
          en: "column 'parent': unknown parent '\(pid)' (not in \(tableName("org.csv")))")
        continue
      }
      rows.parent[r] = Int32(p)
      if Int(rows.level[r]) != Int(rows.level[p]) + 1 {
        let expected = Int(rows.level[p]) + 1 < manifest.levels.count ? "'\(manifest.levels[Int(rows.level[p]) + 1])'" : nil
        log.error(file, Int(rows.line[r]),
          zh: "列 'level'：'\(manifest.levels[Int(rows.level[r])])' 不比上级 '\(pid)' 的层级 '\(manifest.levels[Int(rows.level[p])])' 低一层（应为 \(expected ?? "无：上级已在最底层")）",
          en: "column 'level': '\(manifest.levels[Int(rows.level[r])])' is not one level below parent '\(pid)' at '\(manifest.levels[Int(rows.level[p])])' (expected \(expected ?? "none: the parent is on the bottom level"))")
      }
      if rows.validFrom[r] < rows.validFrom[p] || rows.validTo[r] > rows.validTo[p] {
        log.error(file, Int(rows.line[r]),
          zh: "节点 '\(rows.ids[r])' 在上级 '\(pid)' 不存在的期内有效（本节点 \(manifest.periods[Int(rows.validFrom[r])])..\(manifest.periods[Int(rows.validTo[r])])，上级 \(manifest.periods[Int(rows.validFrom[p])])..\(manifest.periods[Int(rows.validTo[p])])）",
          en: "node '\(rows.ids[r])' is valid in a period where its parent '\(pid)' is not (node \(manifest.periods[Int(rows.validFrom[r])])..\(manifest.periods[Int(rows.validTo[r])]), parent \(manifest.periods[Int(rows.validFrom[p])])..\(manifest.periods[Int(rows.validTo[p])]))")
      }
    }
    // Cycles among parent links: a functional graph, walked iteratively with colours.
    reportCycles(next: rows.parent, lines: rows.line, ids: rows.ids, column: "parent")
    // Successors.
    rows.successor = [Int32](repeating: -1, count: n)
    for r in 0..<n where !successorIDs[r].isEmpty {
      let sid = successorIDs[r]
      guard let s = byRow.find(sid) else {
        log.error(file, Int(rows.line[r]), zh: "列 'successor'：未知的节点 '\(sid)'（\(tableName("org.csv")) 中没有）",
          en: "column 'successor': unknown node '\(sid)' (not in \(tableName("org.csv")))")
        continue
      }
      rows.successor[r] = Int32(s)
      if rows.validTo[r] == Int32(T - 1) {
        log.error(file, Int(rows.line[r]),
          zh: "列 'successor'：节点 '\(rows.ids[r])' 有承继节点 '\(sid)'，但未以 valid_to 结束",
          en: "column 'successor': node '\(rows.ids[r])' names successor '\(sid)' but does not end (give valid_to)")
      } else if rows.validFrom[s] <= rows.validTo[r] {
        log.error(file, Int(rows.line[r]),
          zh: "列 'successor'：承继节点 '\(sid)' 始于 \(manifest.periods[Int(rows.validFrom[s])])，须晚于本节点的结束期 \(manifest.periods[Int(rows.validTo[r])])",
          en: "column 'successor': successor '\(sid)' starts in \(manifest.periods[Int(rows.validFrom[s])]); it must start after this node ends (\(manifest.periods[Int(rows.validTo[r])]))")
      }
    }
    reportCycles(next: rows.successor, lines: rows.line, ids: rows.ids, column: "successor")
    // Zero members (a warning: such nodes are left out of rate analyses).
    for r in 0..<n where rows.members[r] == 0 && log.errorCount == errorsBefore {
      log.warning(file, Int(rows.line[r]),
        zh: "节点 '\(rows.ids[r])'（\(rows.names[r])）党员数为 0：不参与按人数计算的分析",
        en: "node '\(rows.ids[r])' (\(rows.names[r])) has zero members: it is left out of rate analyses")
    }
    let orgOK = log.errorCount == errorsBefore
    if orgOK {
      let (forest, _) = Forest.build(levelNames: manifest.levels, rows: rows)
      nodeCount = forest.count
      nodes = forest.lookup
      validFrom = forest.validFrom
      validTo = forest.validTo
      nodeIDs = forest.ids
      return (forest, true)
    }
    // Keep checking the other files against org.csv's rows as read.
    nodeCount = n
    nodes = byRow
    validFrom = rows.validFrom
    validTo = rows.validTo
    nodeIDs = rows.ids
    return (nil, false)
  }

  /// Reports each cycle of a functional graph (`next[r]` or -1) once, at the line of the
  /// cycle's first node in file order.
  mutating func reportCycles(next: [Int32], lines: [Int32], ids: [String], column: String) {
    let n = next.count
    var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on the current walk, 2 done
    var walk: [Int] = []
    for start in 0..<n where state[start] == 0 {
      walk.removeAll(keepingCapacity: true)
      var r = start
      while r >= 0 && state[r] == 0 {
        state[r] = 1
        walk.append(r)
        r = Int(next[r])
      }
      if r >= 0 && state[r] == 1 {
        // r is on the current walk: the cycle is walk[pos...].
        let pos = walk.firstIndex(of: r)!
        let cycle = walk[pos...]
        let first = cycle.min()!
        let path = (cycle + [r]).map { ids[$0] }.joined(separator: " -> ")
        log.error("org.csv", Int(lines[first]), zh: "列 '\(column)' 形成循环：\(path)",
          en: "column '\(column)' forms a cycle: \(path)")
      }
      for w in walk { state[w] = 2 }
    }
  }
}
