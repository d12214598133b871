import Foundation
import _ChuandaoCSV

// MARK: - Per-period files

extension DatasetLoader {
  mutating func readMembers(into members: inout [[Int32]]) {
    let file = "members.csv"
    let n = nodeCount
    var seen = [Int32](repeating: 0, count: n * manifest.periods.count)  // first line per (t, node)
    readTable(file, required: ["period", "node", "members"]) { l, rec, c in
      guard let t = l.period(file, rec, c("period")!) else { return }
      guard let i = l.node(file, rec, c("node")!, period: t) else { return }
      guard let m = l.count(file, rec, c("members")!, column: "members") else { return }
      if case let first = seen[t * n + i], first > 0 {
        l.log.error(file, rec.line,
          zh: "节点 '\(l.nodeIDs[i])' 在 \(l.manifest.periods[t]) 期的人数重复（首次在第 \(first) 行）",
          en: "duplicate row for node '\(l.nodeIDs[i])' in period \(l.manifest.periods[t]) (first on line \(first))")
        return
      }
      seen[t * n + i] = Int32(rec.line)
      if m == 0 {
        l.log.warning(file, rec.line,
          zh: "节点 '\(l.nodeIDs[i])' 在 \(l.manifest.periods[t]) 期党员数为 0：不参与按人数计算的分析",
          en: "node '\(l.nodeIDs[i])' has zero members in period \(l.manifest.periods[t]): it is left out of rate analyses")
      }
      if !members.isEmpty { members[t][i] = m }
    }
  }

  mutating func readScores(n: Int, S: Int, T: Int, sum: inout [Double], count: inout [Int32]) -> Bool {
    let file = "scores.csv"
    guard hasTable(file) else { return false }
    let required: [StaticString] = ["period", "node", "subject", "score"]
    let optional: [StaticString] = ["dimension"]
    let digest = computesDigests ? FileHash() : nil
    sum = [Double](repeating: 0, count: T * n * S)
    count = [Int32](repeating: 0, count: T * n * S)
    if readsInBlocks(file) {
      let done = readTableInBlocks(file, required: required, optional: optional, digest: digest,
        row: { l, rec, c, rows in
          if let r = l.resolveScore(rec, c, n: n, S: S) { rows.append(r) }
        },
        reset: {
          sum = [Double](repeating: 0, count: T * n * S)
          count = [Int32](repeating: 0, count: T * n * S)
        },
        apply: { _, rows, _ in
          for r in rows {
            sum[r.cell] += r.value
            count[r.cell] += 1
          }
        })
      if done != nil { return true }
      sum = [Double](repeating: 0, count: T * n * S)
      count = [Int32](repeating: 0, count: T * n * S)
    }
    readTable(file, required: required, optional: optional, digest: digest) { l, rec, c in
      guard let r = l.resolveScore(rec, c, n: n, S: S) else { return }
      sum[r.cell] += r.value
      count[r.cell] += 1
    }
    return true
  }

  struct ScoreRow: ResolvedRow {
    var cell: Int
    var value: Double
    var line: Int32
  }

  /// A row of scores.csv checked field by field, or nil after reporting what is wrong.
  mutating func resolveScore(_ rec: CSVRecord, _ c: Columns, n: Int, S: Int) -> ScoreRow? {
    let file = "scores.csv"
    // c[0] period, c[1] node, c[2] subject, c[3] score
    guard let t = period(file, rec, c[0]) else { return nil }
    let i = node(file, rec, c[1], period: t)
    let s = member(file, rec, c[2], column: "subject", table: subjectTable,
      list: manifest.subjects, what: ("责任主体", "subject"))
    let v = number(file, rec, c[3], column: "score", range: 0...100)
    guard let i, let s, let v else { return nil }
    return ScoreRow(cell: (t * n + i) * S + s, value: v, line: Int32(rec.line))
  }

  mutating func readSupervision(n: Int, K: Int, D: Int, T: Int, into out: inout [[Int32]]) -> Bool {
    let file = "supervision.csv"
    guard hasTable(file) else { return false }
    let required: [StaticString] = ["period", "node", "kind", "domain", "count"]
    let digest = computesDigests ? FileHash() : nil
    let fresh = { [[Int32]](repeating: [Int32](repeating: 0, count: n * K * D), count: T) }
    var counts = fresh()
    if readsInBlocks(file) {
      let done = readTableInBlocks(file, required: required, digest: digest,
        row: { l, rec, c, rows in
          if let r = l.resolveSupervision(rec, c, K: K, D: D) { rows.append(r) }
        },
        reset: { counts = fresh() },
        apply: { l, rows, lineOffset in
          for r in rows { l.addSupervision(r, line: Int(r.line) + lineOffset, to: &counts) }
        })
      if done != nil {
        out = counts
        return true
      }
      counts = fresh()
    }
    readTable(file, required: required, digest: digest) { l, rec, c in
      if let r = l.resolveSupervision(rec, c, K: K, D: D) { l.addSupervision(r, line: rec.line, to: &counts) }
    }
    out = counts
    return true
  }

  /// Adds a row to its cell's running total, which depends on the rows before: applied in
  /// file order.
  mutating func addSupervision(_ r: SupervisionRow, line: Int, to counts: inout [[Int32]]) {
    let (sum, overflow) = counts[Int(r.period)][r.cell].addingReportingOverflow(r.count)
    if overflow {
      log.error("supervision.csv", line, zh: "列 'count'：累计次数超过 2147483647",
        en: "column 'count': the running total exceeds 2147483647")
      return
    }
    counts[Int(r.period)][r.cell] = sum
  }

  struct SupervisionRow: ResolvedRow {
    var cell: Int
    var period: Int32
    var count: Int32
    var line: Int32
  }

  /// A row of supervision.csv checked field by field, or nil after reporting what is wrong.
  mutating func resolveSupervision(_ rec: CSVRecord, _ c: Columns, K: Int, D: Int) -> SupervisionRow? {
    let file = "supervision.csv"
    // c[0] period, c[1] node, c[2] kind, c[3] domain, c[4] count
    guard let t = period(file, rec, c[0]) else { return nil }
    let i = node(file, rec, c[1], period: t)
    let k = member(file, rec, c[2], column: "kind", table: kindTable,
      list: manifest.kinds, what: ("督查类型", "kind"))
    let d = member(file, rec, c[3], column: "domain", table: domainTable,
      list: manifest.domains, what: ("领域", "domain"))
    let v = count(file, rec, c[4], column: "count")
    guard let i, let k, let d, let v else { return nil }
    return SupervisionRow(cell: (i * K + k) * D + d, period: Int32(t), count: v, line: Int32(rec.line))
  }

  mutating func readRisks(n: Int, D: Int, T: Int, into out: inout [[Double]]) -> Bool {
    let file = "risks.csv"
    guard hasTable(file) else { return false }
    let required: [StaticString] = ["period", "node", "domain", "risk"]
    let digest = computesDigests ? FileHash() : nil
    // NaN marks "no row yet", so that a second row for the same cell is found; it becomes
    // the neutral risk 1 at the end.
    let fresh = { [[Double]](repeating: [Double](repeating: .nan, count: n * D), count: T) }
    var risk = fresh()
    var done: Bool? = nil
    if readsInBlocks(file) {
      done = readTableInBlocks(file, required: required, digest: digest,
        row: { l, rec, c, rows in
          if let r = l.resolveRisk(rec, c, D: D) { rows.append(r) }
        },
        reset: { risk = fresh() },
        apply: { l, rows, lineOffset in
          for r in rows { l.setRisk(r, line: Int(r.line) + lineOffset, in: &risk, D: D) }
        })
      if done == nil { risk = fresh() }
    }
    if done == nil {
      readTable(file, required: required, digest: digest) { l, rec, c in
        if let r = l.resolveRisk(rec, c, D: D) { l.setRisk(r, line: rec.line, in: &risk, D: D) }
      }
    }
    for t in 0..<T {
      for j in 0..<risk[t].count where risk[t][j].isNaN { risk[t][j] = 1 }
    }
    out = risk
    return true
  }

  /// Sets a cell's risk; whether the cell already has a row depends on the rows before:
  /// applied in file order.
  mutating func setRisk(_ r: RiskRow, line: Int, in risk: inout [[Double]], D: Int) {
    let t = Int(r.period)
    if !risk[t][r.cell].isNaN {
      let i = r.cell / D
      let d = r.cell % D
      log.error("risks.csv", line,
        zh: "节点 '\(nodeIDs[i])' 在 \(manifest.periods[t]) 期 '\(manifest.domains[d])' 领域的风险有第二行",
        en: "a second risk row for node '\(nodeIDs[i])', period \(manifest.periods[t]), domain '\(manifest.domains[d])'")
      return
    }
    risk[t][r.cell] = r.value
  }

  struct RiskRow: ResolvedRow {
    var cell: Int
    var value: Double
    var period: Int32
    var line: Int32
  }

  /// A row of risks.csv checked field by field, or nil after reporting what is wrong.
  mutating func resolveRisk(_ rec: CSVRecord, _ c: Columns, D: Int) -> RiskRow? {
    let file = "risks.csv"
    // c[0] period, c[1] node, c[2] domain, c[3] risk
    guard let t = period(file, rec, c[0]) else { return nil }
    let i = node(file, rec, c[1], period: t)
    let d = member(file, rec, c[2], column: "domain", table: domainTable,
      list: manifest.domains, what: ("领域", "domain"))
    let v = number(file, rec, c[3], column: "risk", range: 0...Double.infinity)
    guard let i, let d, let v else { return nil }
    return RiskRow(cell: i * D + d, value: v, period: Int32(t), line: Int32(rec.line))
  }
}

// MARK: - The three lists and the leaders

extension DatasetLoader {
  mutating func readLists(
    _ problems: inout ProblemList, _ responsibilities: inout ResponsibilityList,
    _ projects: inout ProjectList
  ) {
    var p = ProblemList()
    var firstLine: [String: Int] = [:]
    readTable("problems.csv", required: ["period", "id", "node", "domain"], optional: ["source", "description"]) { l, rec, c in
      let file = "problems.csv"
      let id = rec.trimmed(c("id")!)
      if id.isEmpty {
        l.log.error(file, rec.line, zh: "列 'id' 为空", en: "column 'id' is empty")
        return
      }
      if let first = firstLine[id] {
        l.log.error(file, rec.line,
          zh: "列 'id'：重复的问题 id '\(id)'（首次在第 \(first) 行）",
          en: "column 'id': duplicate problem id '\(id)' (first on line \(first))")
        return
      }
      firstLine[id] = rec.line
      guard let t = l.period(file, rec, c("period")!) else { return }
      let i = l.node(file, rec, c("node")!, period: t)
      let d = l.member(file, rec, c("domain")!, column: "domain", table: l.domainTable,
        list: l.manifest.domains, what: ("领域", "domain"))
      guard let i, let d else { return }
      p.period.append(Int32(t))
      p.id.append(id)
      p.node.append(Int32(i))
      p.domain.append(Int32(d))
      p.source.append(c("source").map { rec.trimmed($0) } ?? "")
      p.description.append(c("description").map { rec.string($0) } ?? "")
      p.line.append(Int32(rec.line))
    }
    problems = p
    let problemTable = IDTable(p.id)
    let hasProblemsFile = files.contains { $0.name == "problems.csv" }
    let problemsName = tableName("problems.csv")

    func problemRow(_ l: inout DatasetLoader, _ file: String, _ rec: CSVRecord, _ col: Int) -> Int? {
      if let r = problemTable.find(bytes: rec.bytes(col)) { return r }
      // A problem whose own row was rejected is already reported; do not report it twice.
      if firstLine[rec.trimmed(col)] != nil { return nil }
      l.log.error(file, rec.line,
        zh: "列 'problem'：未知的问题 '\(rec.trimmed(col))'（\(problemsName) 中没有）",
        en: "column 'problem': unknown problem '\(rec.trimmed(col))' (not in \(hasProblemsFile ? problemsName : "problems.csv, which is missing"))")
      return nil
    }

    var r = ResponsibilityList()
    readTable("responsibilities.csv", required: ["problem", "subject"], optional: ["person"]) { l, rec, c in
      let file = "responsibilities.csv"
      let pr = problemRow(&l, file, rec, c("problem")!)
      let s = l.member(file, rec, c("subject")!, column: "subject", table: l.subjectTable,
        list: l.manifest.subjects, what: ("责任主体", "subject"))
      guard let pr, let s else { return }
      r.problem.append(Int32(pr))
      r.subject.append(Int32(s))
      r.person.append(c("person").map { rec.trimmed($0) } ?? "")
      r.line.append(Int32(rec.line))
    }
    responsibilities = r

    var j = ProjectList()
    var projectLine: [String: Int] = [:]
    readTable("projects.csv", required: ["problem", "id", "due", "status"], optional: ["goal", "done"]) { l, rec, c in
      let file = "projects.csv"
      let pr = problemRow(&l, file, rec, c("problem")!)
      let id = rec.trimmed(c("id")!)
      var ok = true
      if id.isEmpty {
        l.log.error(file, rec.line, zh: "列 'id' 为空", en: "column 'id' is empty")
        ok = false
      } else if let first = projectLine[id] {
        l.log.error(file, rec.line,
          zh: "列 'id'：重复的项目 id '\(id)'（首次在第 \(first) 行）",
          en: "column 'id': duplicate project id '\(id)' (first on line \(first))")
        ok = false
      } else {
        projectLine[id] = rec.line
      }
      let due = ISODate.parseExport(rec.string(c("due")!))
      if due == nil {
        l.log.error(file, rec.line,
          zh: "列 'due'：'\(rec.string(c("due")!))' 不是日期 YYYY-MM-DD",
          en: "column 'due': '\(rec.string(c("due")!))' is not a date YYYY-MM-DD")
      }
      var done: Int32? = nil
      if let col = c("done"), !rec.isBlank(col) {
        done = ISODate.parseExport(rec.string(col))
        if done == nil {
          l.log.error(file, rec.line,
            zh: "列 'done'：'\(rec.string(col))' 不是日期 YYYY-MM-DD（未完成则留空）",
            en: "column 'done': '\(rec.string(col))' is not a date YYYY-MM-DD (leave it empty when not done)")
          ok = false
        }
      }
      let statusText = rec.trimmed(c("status")!)
      let status: ProjectStatus? = switch statusText {
      case "open": .open
      case "done": .done
      case "dropped": .dropped
      default: nil
      }
      if status == nil {
        l.log.error(file, rec.line,
          zh: "列 'status'：'\(statusText)' 应为 open、done 或 dropped",
          en: "column 'status': '\(statusText)' is not open, done or dropped")
      }
      guard ok, let pr, let due, let status else { return }
      if let done, let start = l.manifest.periodStart(Int(p.period[pr])), done < start {
        l.log.warning(file, rec.line,
          zh: "项目 '\(id)' 的完成日期 \(ISODate.format(done)) 早于其问题所在期 \(l.manifest.periods[Int(p.period[pr])]) 的开始（\(ISODate.format(start))）",
          en: "project '\(id)' was done on \(ISODate.format(done)), before its problem's period \(l.manifest.periods[Int(p.period[pr])]) begins (\(ISODate.format(start)))")
      }
      j.problem.append(Int32(pr))
      j.id.append(id)
      j.goal.append(c("goal").map { rec.string($0) } ?? "")
      j.due.append(due)
      j.done.append(done)
      j.status.append(status)
      j.line.append(Int32(rec.line))
    }
    projects = j
  }

  mutating func readLeaders(_ leaders: inout LeaderList) {
    let file = "leaders.csv"
    var out = LeaderList()
    var seen: [String: Int] = [:]  // "period\u{0}person" -> line
    readTable(file, required: ["period", "person", "node", "role"], optional: ["name", "oversees", "domains"]) { l, rec, c in
      let person = rec.trimmed(c("person")!)
      guard let t = l.period(file, rec, c("period")!) else { return }
      if person.isEmpty {
        l.log.error(file, rec.line, zh: "列 'person' 为空", en: "column 'person' is empty")
        return
      }
      let key = "\(t)\u{0}\(person)"
      if let first = seen[key] {
        l.log.error(file, rec.line,
          zh: "人员 '\(person)' 在 \(l.manifest.periods[t]) 期有第二行（首次在第 \(first) 行；每人每期至多一行）",
          en: "person '\(person)' has a second row in period \(l.manifest.periods[t]) (first on line \(first); at most one per period)")
        return
      }
      seen[key] = rec.line
      let i = l.node(file, rec, c("node")!, period: t)
      let roleText = rec.trimmed(c("role")!)
      let role = LeaderRole(rawValue: roleText)
      if role == nil {
        l.log.error(file, rec.line,
          zh: "列 'role'：'\(roleText)' 应为 secretary、commission_head、member 或 admin_head",
          en: "column 'role': '\(roleText)' is not secretary, commission_head, member or admin_head")
      }
      var overseen: [Int32] = []
      var ok = true
      if let col = c("oversees") {
        for part in rec.string(col).split(separator: ";", omittingEmptySubsequences: true) {
          let id = part.trimmingCharacters(in: .whitespaces)
          if id.isEmpty { continue }
          guard let j = l.nodes.find(id) else {
            l.log.error(file, rec.line, zh: "列 'oversees'：未知的节点 '\(id)'（\(l.tableName("org.csv")) 中没有）",
              en: "column 'oversees': unknown node '\(id)' (not in \(l.tableName("org.csv")))")
            ok = false
            continue
          }
          if !(Int(l.validFrom[j]) <= t && t <= Int(l.validTo[j])) {
            l.log.error(file, rec.line,
              zh: "列 'oversees'：节点 '\(id)' 在 \(l.manifest.periods[t]) 期不存在（有效期 \(l.validRange(j))）",
              en: "column 'oversees': node '\(id)' does not exist in period \(l.manifest.periods[t]) (valid \(l.validRange(j)))")
            ok = false
            continue
          }
          overseen.append(Int32(j))
        }
      }
      var domains: [Int32] = []
      if let col = c("domains") {
        out.hasDomains = true
        for part in rec.string(col).split(separator: ";", omittingEmptySubsequences: true) {
          let name = part.trimmingCharacters(in: .whitespaces)
          if name.isEmpty { continue }
          guard let d = l.domainTable.find(name) else {
            l.log.error(file, rec.line,
              zh: "列 'domains'：未知的领域 '\(name)'（应为 \(l.manifest.domains.joined(separator: ", "))）",
              en: "column 'domains': unknown domain '\(name)' (expected one of \(l.manifest.domains.joined(separator: ", ")))")
            ok = false
            continue
          }
          if domains.contains(Int32(d)) {
            l.log.warning(file, rec.line,
              zh: "列 'domains'：领域 '\(name)' 重复列出（按一次计）",
              en: "column 'domains': domain '\(name)' is listed twice (counted once)")
            continue
          }
          domains.append(Int32(d))
        }
      }
      guard ok, let i, let role else { return }
      out.domains.append(contentsOf: domains)
      out.domainsStart.append(Int32(out.domains.count))
      out.period.append(Int32(t))
      out.person.append(person)
      out.name.append(c("name").map { rec.string($0) } ?? "")
      out.node.append(Int32(i))
      out.role.append(role)
      out.oversees.append(contentsOf: overseen)
      out.overseesStart.append(Int32(out.oversees.count))
      out.line.append(Int32(rec.line))
    }
    leaders = out
  }
}
