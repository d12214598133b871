import Foundation
import _ChuandaoCSV

/// The Chinese (and other) header names each column of DATA.md's files may be given
/// under, as documented in docs/header-aliases.md.
enum HeaderAliases {
  /// One column of one file and the names it may carry instead of its own.
  struct Entry: Sendable {
    let file: String
    let column: String
    let aliases: [String]
  }

  private static let period = ["期", "期间", "年度"]
  private static let node = ["节点", "节点编号", "组织", "组织编号", "单位编号"]
  private static let subject = ["主体", "责任主体"]
  private static let domain = ["领域"]
  private static let problem = ["问题", "问题编号"]

  /// Every file's columns, in DATA.md's order. No folded name may occur twice in one file
  /// (checked by the tests).
  static let table: [Entry] = [
    Entry(file: "org.csv", column: "id", aliases: ["编号", "ID", "代码", "组织编号"]),
    Entry(file: "org.csv", column: "parent", aliases: ["上级", "上级编号", "上级组织"]),
    Entry(file: "org.csv", column: "level", aliases: ["层级", "级别"]),
    Entry(file: "org.csv", column: "name", aliases: ["名称", "组织名称", "单位名称"]),
    Entry(file: "org.csv", column: "members", aliases: ["党员数", "党员人数"]),
    Entry(file: "org.csv", column: "valid_from", aliases: ["起始期", "开始期"]),
    Entry(file: "org.csv", column: "valid_to", aliases: ["终止期", "结束期"]),
    Entry(file: "org.csv", column: "party_admin_split", aliases: ["党政分设"]),
    Entry(file: "org.csv", column: "discipline_staff", aliases: ["纪检干部数", "专职纪检人员"]),
    Entry(file: "org.csv", column: "successor", aliases: ["承接", "后继", "承继"]),
    Entry(file: "org.csv", column: "joint_office", aliases: ["合署办公"]),

    Entry(file: "members.csv", column: "period", aliases: period),
    Entry(file: "members.csv", column: "node", aliases: node),
    Entry(file: "members.csv", column: "members", aliases: ["党员数", "党员人数"]),

    Entry(file: "scores.csv", column: "period", aliases: period),
    Entry(file: "scores.csv", column: "node", aliases: node),
    Entry(file: "scores.csv", column: "subject", aliases: subject),
    Entry(file: "scores.csv", column: "score", aliases: ["得分", "分数"]),
    Entry(file: "scores.csv", column: "dimension", aliases: ["维度"]),

    Entry(file: "supervision.csv", column: "period", aliases: period),
    Entry(file: "supervision.csv", column: "node", aliases: node),
    Entry(file: "supervision.csv", column: "kind", aliases: ["方式", "类型", "督查类型"]),
    Entry(file: "supervision.csv", column: "domain", aliases: domain),
    Entry(file: "supervision.csv", column: "count", aliases: ["次数", "数量"]),

    Entry(file: "risks.csv", column: "period", aliases: period),
    Entry(file: "risks.csv", column: "node", aliases: node),
    Entry(file: "risks.csv", column: "domain", aliases: domain),
    Entry(file: "risks.csv", column: "risk", aliases: ["风险", "风险值"]),

    Entry(file: "problems.csv", column: "period", aliases: period),
    Entry(file: "problems.csv", column: "id", aliases: ["编号", "ID", "问题编号"]),
    Entry(file: "problems.csv", column: "node", aliases: node),
    Entry(file: "problems.csv", column: "domain", aliases: domain),
    Entry(file: "problems.csv", column: "source", aliases: ["来源", "问题来源"]),
    Entry(file: "problems.csv", column: "description", aliases: ["描述", "问题描述"]),

    Entry(file: "responsibilities.csv", column: "problem", aliases: problem),
    Entry(file: "responsibilities.csv", column: "subject", aliases: subject),
    Entry(file: "responsibilities.csv", column: "person", aliases: ["责任人", "人员"]),

    Entry(file: "projects.csv", column: "problem", aliases: problem),
    Entry(file: "projects.csv", column: "id", aliases: ["编号", "ID", "项目编号"]),
    Entry(file: "projects.csv", column: "goal", aliases: ["目标"]),
    Entry(file: "projects.csv", column: "due", aliases: ["期限", "截止日期"]),
    Entry(file: "projects.csv", column: "done", aliases: ["完成日期"]),
    Entry(file: "projects.csv", column: "status", aliases: ["状态"]),

    Entry(file: "leaders.csv", column: "period", aliases: period),
    Entry(file: "leaders.csv", column: "person", aliases: ["人员", "人员编号"]),
    Entry(file: "leaders.csv", column: "name", aliases: ["姓名"]),
    Entry(file: "leaders.csv", column: "node", aliases: node),
    Entry(file: "leaders.csv", column: "role", aliases: ["职务", "角色"]),
    Entry(file: "leaders.csv", column: "oversees", aliases: ["分管", "联系单位", "分管单位"]),
    Entry(file: "leaders.csv", column: "domains", aliases: ["分管领域"]),

    Entry(file: "member_reach.csv", column: "period", aliases: period),
    Entry(file: "member_reach.csv", column: "node", aliases: node),
    Entry(file: "member_reach.csv", column: "measure", aliases: ["措施", "覆盖措施", "事项"]),
    Entry(file: "member_reach.csv", column: "reached", aliases: ["覆盖人数", "已覆盖人数", "实到人数"]),
    Entry(file: "member_reach.csv", column: "eligible", aliases: ["应覆盖人数", "应到人数"]),
  ]

  /// The aliases of `column` in `file` (empty for a column the table does not list).
  static func aliases(file: String, column: String) -> [String] {
    table.first { $0.file == file && $0.column == column }?.aliases ?? []
  }

  /// A header name as compared with the table: without surrounding spaces (ASCII, no-break,
  /// ideographic) and byte-order marks, full-width ASCII made ASCII, Latin letters lowercase.
  static func fold(_ header: String) -> String {
    var scalars = Array(header.unicodeScalars)
    func isPad(_ s: Unicode.Scalar) -> Bool {
      s == " " || s == "\t" || s == "\u{3000}" || s == "\u{00A0}" || s == "\u{FEFF}"
    }
    while let last = scalars.last, isPad(last) { scalars.removeLast() }
    let start = scalars.firstIndex { !isPad($0) } ?? scalars.endIndex
    var out = String.UnicodeScalarView()
    for var s in scalars[start...] {
      if (0xFF01...0xFF5E).contains(s.value) { s = Unicode.Scalar(s.value - 0xFEE0)! }
      if ("A"..."Z").contains(s) { s = Unicode.Scalar(s.value + 32)! }
      out.append(s)
    }
    return String(out)
  }

  /// Whether `header` (trimmed of ASCII spaces) names `column` of `file` other than by its
  /// exact name: by an alias, or by the name in another case or width.
  static func matches(_ header: String, file: String, column: String) -> Bool {
    let key = fold(header)
    if key == column { return true }
    return aliases(file: file, column: column).contains { fold($0) == key }
  }
}

extension Columns {
  /// Resolves one file's header row against the wanted columns. Exact English names are
  /// taken as they are; aliases are reported once in a note. Two headers naming the same
  /// column, and a repeated header, are errors; other names are unknown columns (warnings).
  /// Returns nil when the header has errors.
  static func resolveHeader(
    file: String, record rec: CSVRecord, required: [StaticString], optional: [StaticString],
    log: inout DiagnosticLog
  ) -> Columns? {
    let wanted = required + optional
    var c = Columns(wanted: wanted)
    var written = [String?](repeating: nil, count: wanted.count)
    var aliased: [(header: String, column: String)] = []
    var ok = true
    var seen = Set<String>()
    for i in 0..<rec.count {
      let h = rec.trimmed(i)
      // Empty header cells (Excel's trailing `,,`) name no column: ignored, however many.
      if !h.isEmpty && !seen.insert(h).inserted {
        log.error(file, rec.line, zh: "表头中的列 '\(h)' 重复", en: "column '\(h)' appears twice in the header")
        ok = false
        continue
      }
      if h.isEmpty { continue }
      var k = wanted.firstIndex { $0.description == h }
      let exact = k != nil
      if k == nil {
        k = wanted.firstIndex { HeaderAliases.matches(h, file: file, column: $0.description) }
      }
      guard let k else {
        log.warning(file, rec.line, zh: "未知的列 '\(h)'（已忽略）", en: "unknown column '\(h)' (ignored)")
        continue
      }
      let column = wanted[k].description
      if let first = written[k] {
        log.error(file, rec.line,
          zh: "列 '\(first)' 与 '\(h)' 都表示列 '\(column)'：请只保留一个",
          en: "columns '\(first)' and '\(h)' both name column '\(column)': keep one of them")
        ok = false
        continue
      }
      written[k] = h
      c.set(k, position: i)
      if !exact { aliased.append((h, column)) }
    }
    if !aliased.isEmpty {
      log.warning(file, rec.line,
        zh: "表头按别名读取：" + aliased.map { "'\($0.header)' 读作列 '\($0.column)'" }.joined(separator: "，"),
        en: "headers read by alias: " + aliased.map { "'\($0.header)' read as column '\($0.column)'" }.joined(separator: ", "))
    }
    let expected = required.map(\.description).joined(separator: ",")
    for r in required where !c.has(r) {
      log.error(file, rec.line,
        zh: "缺少必需的列 '\(r)'（应有：\(expected)）",
        en: "missing required column '\(r)' (expected: \(expected))")
      ok = false
    }
    return ok ? c : nil
  }
}
