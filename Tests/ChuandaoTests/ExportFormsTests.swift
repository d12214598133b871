import Foundation
import Testing

@testable import Chuandao

/// What Excel and WPS exports by Chinese analysts look like: Chinese headers, `2021/7/15`
/// dates, full-width digits and grouped numbers, and a workbook saved instead of a CSV
/// (docs/header-aliases.md, docs/data-decisions.md).
@Suite("Export forms: Chinese headers, Excel dates, full-width and grouped numbers, xlsx hints")
struct ExportFormsTests {
  /// One dataset with every file of DATA.md, its headers given per file so that the same
  /// rows can be written under English and under Chinese headers.
  static func dataset(headers h: [String: String]) -> [String: String] {
    [
      // 2 B1; 3 U1; 4 U2 (ends 2024, continued by U3); 5 U3; 6 Z1
      "org.csv": h["org.csv"]! + "\n" + """
        B1,,bureau,市水务局,10,,,true,2,
        U1,B1,unit,水文总站,20,,,false,1,
        U2,B1,unit,堤防处,15,,2024,,,U3
        U3,B1,unit,新堤防处,16,2025,,,,
        Z1,U1,branch,第一支部,8,,,,,

        """,
      "members.csv": h["members.csv"]! + "\n2025,Z1,9\n",
      "scores.csv": h["scores.csv"]! + "\n" + """
        2024,B1,committee,90,know
        2025,B1,committee,80,fulfil
        2025,B1,committee,70,account
        2024,U1,secretary,60,
        2025,U1,secretary,65,
        2024,U2,committee,50,
        2025,U3,commission,55,
        2024,Z1,members,40,
        2025,Z1,members,45,

        """,
      "supervision.csv": h["supervision.csv"]! + "\n2025,Z1,reminder,finance,3\n2025,Z1,reminder,finance,4\n2025,U1,interview,personnel,2\n",
      "risks.csv": h["risks.csv"]! + "\n2025,Z1,finance,2.5\n",
      "problems.csv": h["problems.csv"]! + "\n2025,P1,Z1,finance,audit,报销不规范\n",
      "responsibilities.csv": h["responsibilities.csv"]! + "\nP1,committee,E1\n",
      "projects.csv": h["projects.csv"]! + "\nP1,J1,整改,2025-06-30,2025-05-20,done\n",
      "leaders.csv": h["leaders.csv"]! + "\n2025,L1,张三,B1,secretary,U1;U3\n",
    ]
  }

  static let englishHeaders = [
    "org.csv": "id,parent,level,name,members,valid_from,valid_to,party_admin_split,discipline_staff,successor",
    "members.csv": "period,node,members",
    "scores.csv": "period,node,subject,score,dimension",
    "supervision.csv": "period,node,kind,domain,count",
    "risks.csv": "period,node,domain,risk",
    "problems.csv": "period,id,node,domain,source,description",
    "responsibilities.csv": "problem,subject,person",
    "projects.csv": "problem,id,goal,due,done,status",
    "leaders.csv": "period,person,name,node,role,oversees",
  ]

  /// Two sets of Chinese headers, together using most documented aliases.
  static let chineseHeaders: [[String: String]] = [
    [
      "org.csv": "编号,上级,层级,名称,党员数,起始期,终止期,党政分设,纪检干部数,承接",
      "members.csv": "期,节点,党员数",
      "scores.csv": "期,节点,主体,得分,维度",
      "supervision.csv": "期,节点,方式,领域,次数",
      "risks.csv": "期,节点,领域,风险",
      "problems.csv": "期,编号,节点,领域,来源,描述",
      "responsibilities.csv": "问题编号,责任主体,责任人",
      "projects.csv": "问题编号,项目编号,目标,期限,完成日期,状态",
      "leaders.csv": "期,人员,姓名,节点,职务,分管",
    ],
    [
      "org.csv": "ID,上级编号,层级,组织名称,党员人数,开始期,结束期,党政分设,专职纪检人员,后继",
      "members.csv": "期间,单位编号,党员人数",
      "scores.csv": "年度,单位编号,责任主体,分数,维度",
      "supervision.csv": "期间,组织,类型,领域,数量",
      "risks.csv": "年度,组织,领域,风险值",
      "problems.csv": "期间,问题编号,单位编号,领域,问题来源,问题描述",
      "responsibilities.csv": "问题,主体,人员",
      "projects.csv": "问题,编号,目标,截止日期,完成日期,状态",
      "leaders.csv": "年度,人员编号,姓名,单位编号,角色,联系单位",
    ],
  ]

  // MARK: Headers

  @Test("a dataset with Chinese headers loads to the same model as the English one", arguments: [0, 1])
  func chineseHeaders(_ variant: Int) throws {
    let en = try TempDataset(Self.dataset(headers: Self.englishHeaders))
    let zh = try TempDataset(Self.dataset(headers: Self.chineseHeaders[variant]))
    defer { en.cleanUp(); zh.cleanUp() }
    let (a, logA) = Dataset.validate(folder: en.folder)
    let (b, logB) = Dataset.validate(folder: zh.folder)
    let e = try #require(a, "\(logA.items.map { $0.formatted() })")
    let d = try #require(b, "\(logB.items.map { $0.formatted() })")

    // The values the rows above spell, node order breadth-first: B1 U1 U2 U3 Z1.
    #expect(d.forest.ids == ["B1", "U1", "U2", "U3", "Z1"])
    #expect(d.forest.parent == [-1, 0, 0, 0, 1])
    #expect(d.forest.names == ["市水务局", "水文总站", "堤防处", "新堤防处", "第一支部"])
    #expect(d.forest.baseMembers == [10, 20, 15, 16, 8])
    #expect(d.forest.validFrom == [0, 0, 0, 1, 0])
    #expect(d.forest.validTo == [1, 1, 0, 1, 1])
    #expect(d.forest.partyAdminSplit == [1, 0, -1, -1, -1])
    #expect(d.forest.disciplineStaff == [2, 1, -1, -1, -1])
    #expect(d.forest.successor == [-1, -1, 3, -1, -1])
    #expect(d.periods[0].members[4] == 8)
    #expect(d.periods[1].members[4] == 9)
    let S = 4
    #expect(d.periods[0].scores[0 * S + 0] == 90)
    #expect(d.periods[1].scores[0 * S + 0] == 75)  // (80 + 70) / 2
    #expect(d.periods[1].scores[1 * S + 1] == 65)
    #expect(d.periods[1].scores[3 * S + 2] == 55)
    #expect(d.periods[1].scores[4 * S + 3] == 45)
    let D = 6
    let sup = try #require(d.periods[1].supervision)
    #expect(sup[(4 * 5 + 0) * D + 0] == 7)  // Z1, reminder, finance: 3 + 4
    #expect(sup[(1 * 5 + 1) * D + 2] == 2)  // U1, interview, personnel
    #expect(d.periods[1].risk?[4 * D + 0] == 2.5)
    #expect(d.problems.id == ["P1"])
    #expect(d.problems.node == [4])
    #expect(d.problems.source == ["audit"])
    #expect(d.problems.description == ["报销不规范"])
    #expect(d.responsibilities.person == ["E1"])
    #expect(d.responsibilities.subject == [0])
    #expect(d.projects.id == ["J1"])
    #expect(d.projects.goal == ["整改"])
    #expect(d.projects.due == [20269])  // 2025-06-30
    #expect(d.projects.done == [20228])  // 2025-05-20
    #expect(d.projects.status == [.done])
    #expect(d.leaders.person == ["L1"])
    #expect(d.leaders.name == ["张三"])
    #expect(d.leaders.role == [.secretary])
    #expect(Array(d.leaders.overseen(byRow: 0)) == [1, 3])

    // And the same as the English dataset, field by field.
    #expect(d.forest.ids == e.forest.ids)
    #expect(d.forest.parent == e.forest.parent)
    #expect(d.forest.level == e.forest.level)
    #expect(d.forest.baseMembers == e.forest.baseMembers)
    #expect(d.forest.disciplineStaff == e.forest.disciplineStaff)
    for t in 0..<2 {
      #expect(d.periods[t].members == e.periods[t].members)
      #expect(d.periods[t].scores.map(\.bitPattern) == e.periods[t].scores.map(\.bitPattern))
      #expect(d.periods[t].supervision == e.periods[t].supervision)
      #expect(d.periods[t].risk == e.periods[t].risk)
    }
    #expect(d.projects.due == e.projects.due && d.leaders.oversees == e.leaders.oversees)

    // English headers give no note; each file with aliases gives one, at its header line.
    let enLines = logA.items.map { $0.formatted(.en) }
    #expect(!enLines.contains { $0.contains("read as column") }, "\(enLines)")
    let zhLines = logB.items.map { $0.formatted(.en) }
    for file in Self.englishHeaders.keys {
      let notes = zhLines.filter { $0.hasPrefix("\(file):1: warning:") && $0.contains("read as column") }
      #expect(notes.count == 1, "\(file): \(zhLines)")
    }
    let orgHeader = Self.chineseHeaders[variant]["org.csv"]!.split(separator: ",")
    let orgNote = try #require(zhLines.first { $0.hasPrefix("org.csv:1: warning:") })
    #expect(orgNote.contains("'\(orgHeader[0])' read as column 'id'"), "\(orgNote)")
    #expect(orgNote.contains("'\(orgHeader[4])' read as column 'members'"), "\(orgNote)")
    #expect(orgNote.contains("'\(orgHeader[9])' read as column 'successor'"), "\(orgNote)")
    // The note is in Chinese too.
    let zhNote = try #require(logB.items.first { $0.file == "org.csv" && $0.line == 1 })
    #expect(zhNote.formatted(.zh).contains("'\(orgHeader[0])' 读作列 'id'"), "\(zhNote.formatted(.zh))")
  }

  @Test("aliases match after trimming wide spaces, case-insensitively for Latin letters")
  func aliasSpellings() throws {
    let ds = try TempDataset([
      "org.csv": "\u{3000}编号\u{3000}, 上级 ,Level,Name,id2,MEMBERS\nB1,,bureau,局,x,10\nU1,B1,unit,处,y,20\nU2,B1,unit,处2,z,15\nZ1,U1,branch,a,,8\nZ2,U1,branch,b,,9\nZ3,U2,branch,c,,7\n",
    ])
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let lines = log.items.map { $0.formatted(.en) }
    let d = try #require(dataset, "\(lines)")
    #expect(d.forest.ids == ["B1", "U1", "U2", "Z1", "Z2", "Z3"])
    #expect(d.forest.baseMembers == [10, 20, 15, 8, 9, 7])
    #expect(lines.contains { $0.hasPrefix("org.csv:1: warning:") && $0.contains("'MEMBERS' read as column 'members'") }, "\(lines)")
    #expect(lines.contains("org.csv:1: warning: unknown column 'id2' (ignored)"), "\(lines)")
  }

  @Test("a column given both by name and by alias is an error at line 1 naming both", arguments: [
    ("id,parent,level,name,members,编号", "'id'", "'编号'"),
    ("编号,parent,level,name,members,代码", "'编号'", "'代码'"),
    ("id,parent,level,名称,members,组织名称", "'名称'", "'组织名称'"),
  ])
  func aliasClash(_ header: String, _ first: String, _ second: String) throws {
    let rows = TempDataset.base["org.csv"]!.split(separator: "\n").dropFirst().map { String($0) + ",x" }
    let ds = try TempDataset(["org.csv": ([header] + rows).joined(separator: "\n") + "\n"])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("org.csv:1: error:") && $0.contains(first) && $0.contains(second) }, "\(lines)")
    #expect(Dataset.validate(folder: ds.folder).0 == nil)
  }

  @Test("a clash in another file is reported there too")
  func aliasClashScores() throws {
    let ds = try TempDataset(["scores.csv": "period,node,subject,score,得分\n2025,B1,committee,90,90\n"])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("scores.csv:1: error:") && $0.contains("'score'") && $0.contains("'得分'") }, "\(lines)")
  }

  @Test("the alias table is unambiguous and covers every file of DATA.md")
  func aliasTable() throws {
    let files = Set(HeaderAliases.table.map(\.file))
    #expect(files == Set(Dataset.knownFiles.filter { $0.hasSuffix(".csv") }))
    for file in files {
      var owner: [String: String] = [:]
      for entry in HeaderAliases.table where entry.file == file {
        for name in [entry.column] + entry.aliases {
          let key = HeaderAliases.fold(name)
          if let other = owner[key], other != entry.column {
            Issue.record("\(file): '\(name)' names both '\(other)' and '\(entry.column)'")
          }
          owner[key] = entry.column
        }
      }
    }
    #expect(HeaderAliases.aliases(file: "org.csv", column: "id") == ["编号", "ID", "代码", "组织编号"])
    #expect(HeaderAliases.fold("\u{FEFF}\u{3000} ＩＤ ") == "id")
  }

  // MARK: Dates

  static let julyFifteenth: Int32 = 18823  // 2021-07-15, days since 1970-01-01

  static func projects(_ rows: String) -> [String: String] {
    [
      "problems.csv": "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,x\n",
      "projects.csv": "problem,id,goal,due,done,status\n" + rows,
    ]
  }

  @Test("Excel's date forms are read as the same date", arguments: [
    "2021-07-15", "2021/7/15", "2021/07/15", "2021.7.15", "2021年7月15日", "2021-7-15", " 2021/7/15 ",
    "\u{3000}2021年07月15日",
  ])
  func dateForms(_ text: String) throws {
    let ds = try TempDataset(Self.projects("P1,J1,g,\(text),\(text),done\n"))
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let d = try #require(dataset, "\(log.items.map { $0.formatted() })")
    #expect(d.projects.due == [Self.julyFifteenth])
    #expect(d.projects.done == [Self.julyFifteenth])
  }

  @Test("a leap day in an Excel form is a date")
  func leapDay() throws {
    let ds = try TempDataset(Self.projects("P1,J1,g,2024/2/29,,open\nP1,J2,g,2020年2月29日,,open\n"))
    defer { ds.cleanUp() }
    let d = try #require(Dataset.validate(folder: ds.folder).0)
    #expect(d.projects.due == [19782, 18321])  // 2024-02-29, 2020-02-29
  }

  @Test("impossible or malformed dates are errors at their exact line")
  func badDates() throws {
    let bad = [
      "2021/2/30", "2021年2月29日", "2021.13.1", "2021-4-31", "2021/0/10", "2021/7/15/", "21/7/15",
      "2021/7-15", "2021年7月15", "2021/123/1", "2021/7/155",
    ]
    // Line 2 is valid; then one bad due date per line with a blank line before the last.
    var rows = "P1,J0,g,2021/7/15,,open\n"
    for (k, v) in bad.enumerated() {
      if k == bad.count - 1 { rows += "\n" }
      rows += "P1,J\(k + 1),g,\(v),,open\n"
    }
    rows += "P1,J99,g,2025-06-30,2021/2/30,done\n"
    let ds = try TempDataset(Self.projects(rows))
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    for (k, v) in bad.enumerated() {
      let line = k + 3 + (k == bad.count - 1 ? 1 : 0)
      #expect(lines.contains("projects.csv:\(line): error: column 'due': '\(v)' is not a date YYYY-MM-DD"), "\(v): \(lines)")
    }
    let doneLine = bad.count + 4
    #expect(lines.contains { $0.hasPrefix("projects.csv:\(doneLine): error: column 'done': '2021/2/30' is not a date") }, "\(lines)")
    #expect(!lines.contains { $0.hasPrefix("projects.csv:2:") }, "\(lines)")
  }

  // MARK: Numbers

  @Test("full-width, grouped and space-padded numbers load with their value and one note per file")
  func exportNumbers() throws {
    let ds = try TempDataset([
      "org.csv": """
        id,parent,level,name,members,discipline_staff
        B1,,bureau,市水务局,"1,028",２
        U1,B1,unit,水文总站,１，０２８,
        U2,B1,unit,堤防处,\u{3000}15\u{3000},
        Z1,U1,branch,第一支部,"１,２３４,５６７",
        Z2,U1,branch,第二支部,９,
        Z3,U2,branch,第三支部,7,

        """,
      "scores.csv": TempDataset.base["scores.csv"]! + "2025,Z1,secretary,８５．５\n2025,Z2,secretary, 99.25\u{3000}\n",
      "supervision.csv": "period,node,kind,domain,count\n2025,Z1,reminder,finance,\"１,２００\"\n2025,Z2,reminder,finance,3\n",
      "risks.csv": "period,node,domain,risk\n2025,Z1,finance,\"1,028.5\"\n2025,Z2,finance,１．５\n2025,Z3,finance,2\n",
      "members.csv": "period,node,members\n2025,Z3,\"2,000\"\n",
    ])
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let lines = log.items.map { $0.formatted(.en) }
    let d = try #require(dataset, "\(lines)")
    // B1 U1 U2 Z1 Z2 Z3
    #expect(d.forest.baseMembers == [1028, 1028, 15, 1_234_567, 9, 7])
    #expect(d.forest.disciplineStaff == [2, -1, -1, -1, -1, -1])
    #expect(d.periods[1].members[5] == 2000)
    #expect(d.periods[1].scores[3 * 4 + 1] == 85.5)
    #expect(d.periods[1].scores[4 * 4 + 1] == 99.25)
    #expect(d.periods[1].supervision?[(3 * 5 + 0) * 6 + 0] == 1200)
    #expect(d.periods[1].risk?[3 * 6 + 0] == 1028.5)
    #expect(d.periods[1].risk?[4 * 6 + 0] == 1.5)

    // One note per file: the count of cells and the first one, at its line.
    let expected = [
      "org.csv:2: warning:": ["6 cells", "column 'members'", "'1,028' read as 1028"],
      "scores.csv:14: warning:": ["2 cells", "column 'score'", "'８５．５' read as 85.5"],
      "supervision.csv:2: warning:": ["1 cell ", "column 'count'", "'１,２００' read as 1200"],
      "risks.csv:2: warning:": ["2 cells", "column 'risk'", "'1,028.5' read as 1028.5"],
      "members.csv:2: warning:": ["1 cell ", "column 'members'", "'2,000' read as 2000"],
    ]
    for (prefix, words) in expected {
      let hits = lines.filter { $0.hasPrefix(prefix) && words.allSatisfy($0.contains) }
      #expect(hits.count == 1, "\(prefix) \(words) in:\n\(lines.joined(separator: "\n"))")
    }
    #expect(lines.filter { $0.contains("export forms") }.count == 5, "\(lines)")
    let zh = try #require(log.items.first { $0.file == "org.csv" && $0.line == 2 })
    #expect(zh.formatted(.zh).contains("6 个单元格"), "\(zh.formatted(.zh))")
  }

  @Test("a bad grouping or other text is still not a number, next to a good one", arguments: [
    "1,02", "1,0280", ",028", "1,,028", "12,34,567", "1,028，000", "1 028", "１２ab", "1,028.", "0x10", "１e", "－４",
  ])
  func badNumbers(_ text: String) throws {
    let ds = try TempDataset(["org.csv": TempDataset.base["org.csv"]! + "Z8,U2,branch,good,\"1,028\"\nZ9,U2,branch,bad,\"\(text)\"\n"])
    defer { ds.cleanUp() }
    let errors = ds.diagnostics().filter { $0.contains(": error:") }
    #expect(errors == ["org.csv:9: error: column 'members': '\(text)' is not a whole number >= 0"])
  }

  @Test("a bad grouping in a score is still not a number, next to good ones")
  func badScore() throws {
    let ds = try TempDataset(["scores.csv": TempDataset.base["scores.csv"]! + "2025,Z1,secretary,８５．５\n2025,Z1,secretary,\"8,5\"\n2025,Z2,secretary,８５，５\n2025,Z2,secretary,\"1,00\"\n"])
    defer { ds.cleanUp() }
    let errors = ds.diagnostics().filter { $0.contains(": error:") }
    #expect(errors == [
      "scores.csv:15: error: column 'score': '8,5' is not a number",
      "scores.csv:16: error: column 'score': '８５，５' is not a number",
      "scores.csv:17: error: column 'score': '1,00' is not a number",
    ])
  }

  // MARK: Workbooks saved instead of CSV

  // An .xlsx is read in place of the CSV file since issue 16 (docs/xlsx.md); the other
  // workbook forms are named with what to do.
  @Test(
    "a missing org.csv next to a workbook that is not read says what to do",
    arguments: [
      ("org.xls", "found org.xls — the old binary Excel format is not read: save it as .xlsx or CSV"),
      ("org.et", "found org.et — save it as .xlsx or CSV (UTF-8)"),
      ("org.XLSX", "found org.XLSX — rename it org.xlsx (file names are case-sensitive)"),
    ])
  func workbookOrg(_ workbook: String, _ hint: String) throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.remove("org.csv")
    try ds.write(workbook, bytes: [0x50, 0x4B, 0x03, 0x04])
    let lines = ds.diagnostics()
    #expect(lines.contains("org.csv: error: required file is missing; \(hint)"), "\(lines)")
    let zh = Dataset.validate(folder: ds.folder).1.items.map { $0.formatted(.zh) }
    #expect(zh.contains { $0.hasPrefix("org.csv: error: 缺少必需的文件") && $0.contains(workbook) }, "\(zh)")
  }

  @Test("a damaged org.xlsx in place of org.csv is an error at the workbook")
  func damagedWorkbookOrg() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.remove("org.csv")
    try ds.write("org.xlsx", bytes: [0x50, 0x4B, 0x03, 0x04])
    #expect(ds.diagnostics() == ["org.xlsx: error: the workbook is damaged or truncated (no end of central directory record: the file is truncated): export or copy it again"])
  }

  @Test("a missing org.csv next to the name in another case says to rename it")
  func caseVariant() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.remove("org.csv")
    try ds.write("ORG.CSV", bytes: Array(TempDataset.base["org.csv"]!.utf8))
    let lines = ds.diagnostics()
    #expect(lines.contains("org.csv: error: required file is missing; found ORG.CSV — rename it org.csv (file names are case-sensitive)"), "\(lines)")
  }

  @Test("a missing dataset.yaml next to a look-alike names it")
  func lookAlikeManifest() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.remove("dataset.yaml")
    try ds.write("dataset.yaml.txt", bytes: Array("periods: [\"2025\"]\n".utf8))
    let lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("dataset.yaml: error: required file is missing; found dataset.yaml.txt") }, "\(lines)")
  }

  @Test("an optional file present only as a workbook is a warning")
  func workbookOptional() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.remove("scores.csv")
    try ds.write("scores.xls", bytes: [0xD0, 0xCF, 0x11, 0xE0])
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let lines = log.items.map { $0.formatted(.en) }
    #expect(dataset != nil)
    #expect(lines.contains { $0.hasPrefix("scores.csv: warning:") && $0.contains("found scores.xls") && $0.contains("save it as .xlsx or CSV") }, "\(lines)")
  }

  @Test("the hint for an analysis's missing file names the workbook in both languages")
  func workbookHint() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.write("supervision.XLSX", bytes: [0x50, 0x4B, 0x03, 0x04])
    let hint = try #require(Dataset.missingFileHint("supervision.csv", folder: ds.folder))
    #expect(hint.en == "found supervision.XLSX — rename it supervision.xlsx (file names are case-sensitive)")
    #expect(hint.zh.contains("supervision.XLSX") && hint.zh.contains("改名"))
    #expect(Dataset.missingFileHint("problems.csv", folder: ds.folder) == nil)
  }
}

@Suite("dataset.yaml that is not UTF-8")
struct ManifestEncodingTests {
  @Test("the error names the line and byte of the first bad byte")
  func namesTheLine() throws {
    // Line 1 `name: 市水务局` (valid UTF-8), line 2 the periods, line 3 a GBK-saved comment:
    // `# 备注` is B1 B8 D7 A2 in GBK, and 0xB1 cannot start a UTF-8 sequence.
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    var bytes = Array("name: 市水务局\nperiods: [\"2024\", \"2025\"]\n# ".utf8)
    bytes += [0xB1, 0xB8, 0xD7, 0xA2, 0x0A]
    try Data(bytes).write(to: URL(fileURLWithPath: ds.folder + "/dataset.yaml"))
    let (_, log) = Dataset.validate(folder: ds.folder)
    let lines = log.items.map { $0.formatted(.en) }
    #expect(lines.contains("dataset.yaml:3: error: not UTF-8 (byte 0xB1; dataset.yaml must be UTF-8)"), "\(lines)")
  }
}
