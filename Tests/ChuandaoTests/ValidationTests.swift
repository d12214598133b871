import Foundation
import Testing

@testable import Chuandao

/// One test per defect of DATA.md's "Bad input": each plants the defect in the tiny base
/// dataset and asserts the exact `FILE:LINE: severity:` and the words that name the
/// column and the value.
@Suite("Validation: DATA.md's bad input")
struct ValidationTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String]
    /// The expected diagnostic's prefix, e.g. `org.csv:4: error:`.
    var prefix: String
    /// Words the message must contain.
    var contains: [String]
    var testDescription: String { name }
  }

  static let org = TempDataset.base["org.csv"]!
  static let scores = TempDataset.base["scores.csv"]!

  /// `csv` with extra empty columns appended to the header and to every row.
  static func with(_ csv: String, columns: [String]) -> String {
    let lines = csv.split(separator: "\n")
    let empty = String(repeating: ",", count: columns.count)
    return ([lines[0] + "," + columns.joined(separator: ",")] + lines.dropFirst().map { $0 + empty })
      .joined(separator: "\n") + "\n"
  }

  static let errorCases: [Case] = [
    Case(name: "missing required column", files: ["scores.csv": "period,node,subject\n2025,B1,committee\n"],
         prefix: "scores.csv:1: error:", contains: ["missing required column 'score'"]),
    Case(name: "duplicate id",
         files: ["org.csv": org + "U1,B1,unit,again,3\n"],
         prefix: "org.csv:8: error:", contains: ["duplicate id 'U1'", "first on line 3"]),
    Case(name: "unknown parent",
         files: ["org.csv": org + "Z9,U9,branch,orphan,3\n"],
         prefix: "org.csv:8: error:", contains: ["column 'parent'", "unknown parent 'U9'"]),
    Case(name: "unknown node in scores",
         files: ["scores.csv": scores + "2025,X7,committee,50\n"],
         prefix: "scores.csv:14: error:", contains: ["column 'node'", "unknown node 'X7'"]),
    Case(name: "cycle (a cycle names the line of one of its nodes)",
         files: ["org.csv": org + "C1,C2,unit,c1,3\nC2,C1,unit,c2,3\n"],
         prefix: "org.csv:8: error:", contains: ["column 'parent' forms a cycle", "C1 -> C2 -> C1"]),
    Case(name: "child not exactly one level below its parent",
         files: ["org.csv": org + "Z8,B1,branch,skips a level,3\n"],
         prefix: "org.csv:8: error:", contains: ["column 'level'", "'branch' is not one level below parent 'B1'", "expected 'unit'"]),
    Case(name: "top-level node not on the first level",
         files: ["org.csv": org + "U8,,unit,floating unit,3\n"],
         prefix: "org.csv:8: error:", contains: ["top-level node must be on the first level, 'bureau'"]),
    Case(name: "score out of range",
         files: ["scores.csv": scores + "2025,Z1,secretary,105\n"],
         prefix: "scores.csv:14: error:", contains: ["column 'score'", "105 is out of range", "from 0 to 100"]),
    Case(name: "score not a number",
         files: ["scores.csv": scores + "2025,Z1,secretary,high\n"],
         prefix: "scores.csv:14: error:", contains: ["column 'score'", "'high' is not a number"]),
    Case(name: "negative members",
         files: ["org.csv": org + "Z8,U2,branch,negative,-4\n"],
         prefix: "org.csv:8: error:", contains: ["column 'members'", "'-4' is not a whole number >= 0"]),
    Case(name: "unknown period",
         files: ["scores.csv": scores + "2026,Z1,committee,60\n"],
         prefix: "scores.csv:14: error:", contains: ["column 'period'", "unknown period '2026'", "2024, 2025"]),
    Case(name: "unknown subject",
         files: ["scores.csv": scores + "2025,Z1,mayor,60\n"],
         prefix: "scores.csv:14: error:", contains: ["column 'subject'", "unknown subject 'mayor'"]),
    Case(name: "unknown kind",
         files: ["supervision.csv": "period,node,kind,domain,count\n2025,Z1,reminder,finance,2\n2025,Z1,lecture,finance,1\n"],
         prefix: "supervision.csv:3: error:", contains: ["column 'kind'", "unknown kind 'lecture'"]),
    Case(name: "unknown domain",
         files: ["risks.csv": "period,node,domain,risk\n2025,Z1,finance,2\n\n2025,Z1,weather,1\n"],
         prefix: "risks.csv:4: error:", contains: ["column 'domain'", "unknown domain 'weather'"]),
    Case(name: "row for a node in a period outside its validity",
         files: ["org.csv": with(org, columns: ["valid_from", "valid_to"]) + "Z4,U2,branch,new in 2025,5,2025,\n",
                 "scores.csv": scores + "2024,Z4,committee,60\n"],
         prefix: "scores.csv:14: error:", contains: ["node 'Z4' does not exist in period 2024", "valid 2025..2025"]),
    Case(name: "node valid in a period where its parent is not",
         files: ["org.csv": with(org, columns: ["valid_from", "valid_to"]) +
                   "U5,B1,unit,closed,4,,2024\nZ5,U5,branch,outlives parent,4,,\n"],
         prefix: "org.csv:9: error:", contains: ["node 'Z5' is valid in a period where its parent 'U5' is not"]),
    Case(name: "responsibility for a problem that does not exist",
         files: ["problems.csv": "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,x\n",
                 "responsibilities.csv": "problem,subject,person\nP1,committee,E1\nP2,secretary,E2\n"],
         prefix: "responsibilities.csv:3: error:", contains: ["column 'problem'", "unknown problem 'P2'"]),
    Case(name: "project for a problem that does not exist",
         files: ["problems.csv": "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,x\n",
                 "projects.csv": "problem,id,goal,due,done,status\nP1,J1,g,2025-06-30,,open\nP9,J2,g,2025-06-30,,open\n"],
         prefix: "projects.csv:3: error:", contains: ["column 'problem'", "unknown problem 'P9'"]),
    Case(name: "an error inside a multi-line quoted field names the record's first line",
         files: ["org.csv": org + "Z8,U2,branch,\"two\nline name\",x\n"],
         prefix: "org.csv:8: error:", contains: ["column 'members'", "'x' is not a whole number"]),
    Case(name: "blank lines count in line numbers",
         files: ["scores.csv": scores + "\n\n2025,Z1,committee,-1\n"],
         prefix: "scores.csv:16: error:", contains: ["-1 is out of range"]),
    Case(name: "successor that starts before its predecessor ends",
         files: ["org.csv": with(org, columns: ["valid_from", "valid_to", "successor"]) +
                   "Z6,U2,branch,old,4,,2024,Z7\nZ7,U2,branch,new,4,2024,,\n"],
         prefix: "org.csv:8: error:", contains: ["successor 'Z7' starts in 2024", "after this node ends (2024)"]),
    Case(name: "a second leader row for one person in one period",
         files: ["leaders.csv": "period,person,name,node,role,oversees\n2025,L1,甲,B1,secretary,U1;U2\n2025,L1,甲,B1,member,\n"],
         prefix: "leaders.csv:3: error:", contains: ["person 'L1' has a second row in period 2025", "first on line 2"]),
    Case(name: "leader overseeing an unknown node",
         files: ["leaders.csv": "period,person,name,node,role,oversees\n2025,L1,甲,B1,secretary,U1; U7\n"],
         prefix: "leaders.csv:2: error:", contains: ["column 'oversees'", "unknown node 'U7'"]),
    Case(name: "a date that is not a date",
         files: ["problems.csv": "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,x\n",
                 "projects.csv": "problem,id,goal,due,done,status\nP1,J1,g,2025-02-30,,open\n"],
         prefix: "projects.csv:2: error:", contains: ["column 'due'", "'2025-02-30' is not a date"]),
  ]

  @Test("each error is reported at its FILE:LINE", arguments: errorCases)
  func error(_ c: Case) throws {
    let ds = try TempDataset(c.files)
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    let hit = lines.first { $0.hasPrefix(c.prefix) && c.contains.allSatisfy($0.contains) }
    #expect(hit != nil, "expected \(c.prefix) \(c.contains) in:\n\(lines.joined(separator: "\n"))")
    #expect(Dataset.validate(folder: ds.folder).1.hasErrors)
    #expect(Dataset.validate(folder: ds.folder).0 == nil)
  }

  static let warningCases: [Case] = [
    Case(name: "unknown column", files: ["scores.csv": with(scores, columns: ["remark"])],
         prefix: "scores.csv:1: warning:", contains: ["unknown column 'remark'"]),
    Case(name: "zero members", files: ["org.csv": org + "Z8,U2,branch,empty branch,0\n",
                                        "scores.csv": scores + "2024,Z8,committee,50\n2025,Z8,committee,50\n"],
         prefix: "org.csv:8: warning:", contains: ["node 'Z8' (empty branch) has zero members"]),
    Case(name: "no scores in a period", files: ["scores.csv": scores.replacingOccurrences(of: "2024,Z3,committee,72\n", with: "")],
         prefix: "org.csv:7: warning:", contains: ["node 'Z3' (第三支部) has no scores in period 2024"]),
    Case(name: "empty optional file", files: ["risks.csv": ""],
         prefix: "risks.csv: warning:", contains: ["optional file is empty"]),
    Case(name: "optional file with a header only", files: ["members.csv": "period,node,members\n"],
         prefix: "members.csv: warning:", contains: ["header but no rows"]),
    Case(name: "project done before its problem's period begins",
         files: ["problems.csv": "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,x\n",
                 "projects.csv": "problem,id,goal,due,done,status\nP1,J1,g,2025-06-30,2024-11-02,done\n"],
         prefix: "projects.csv:2: warning:", contains: ["project 'J1' was done on 2024-11-02", "begins (2025-01-01)"]),
  ]

  @Test("each warning is reported at its FILE:LINE and the dataset still loads", arguments: warningCases)
  func warning(_ c: Case) throws {
    let ds = try TempDataset(c.files)
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let lines = log.items.map { $0.formatted(.en) }
    #expect(lines.contains { $0.hasPrefix(c.prefix) && c.contains.allSatisfy($0.contains) },
            "expected \(c.prefix) \(c.contains) in:\n\(lines.joined(separator: "\n"))")
    #expect(!log.hasErrors, "\(lines)")
    #expect(dataset != nil)
  }

  @Test("a missing required file is named alone")
  func missingFiles() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    try ds.remove("org.csv")
    #expect(ds.diagnostics().contains("org.csv: error: required file is missing"))
    try ds.remove("dataset.yaml")
    let lines = ds.diagnostics()
    #expect(lines.contains("dataset.yaml: error: required file is missing"))
    #expect(lines.contains("org.csv: error: required file is missing"))
  }

  @Test("every problem is reported, not only the first")
  func everyProblem() throws {
    let ds = try TempDataset(["scores.csv": Self.scores + "2026,Z1,committee,60\n2025,X7,committee,50\n2025,Z1,mayor,101\n"])
    defer { ds.cleanUp() }
    let errors = ds.diagnostics().filter { $0.contains(": error:") }
    // Line 14: unknown period; 15: unknown node; 16: unknown subject and score out of range.
    #expect(errors.map { $0.prefix(while: { $0 != " " }) } == ["scores.csv:14:", "scores.csv:15:", "scores.csv:16:", "scores.csv:16:"])
  }

  @Test("a file in neither UTF-8 nor GB18030 names the first bad byte's line")
  func undecodable() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    // 0x80 is a GB18030 lead byte nowhere and never starts a UTF-8 sequence.
    try ds.write("scores.csv", bytes: Array("period,node,subject,score\n2025,B1,committee,90\n2025,U1,".utf8) + [0x80] + Array("x,80\n".utf8))
    #expect(ds.diagnostics().contains { $0.hasPrefix("scores.csv:3: error:") && $0.contains("neither UTF-8 nor GB18030") })
  }

  @Test("a valid dataset has no diagnostics and the right shape")
  func valid() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    #expect(log.items.isEmpty, "\(log.items.map { $0.formatted(.en) })")
    let d = try #require(dataset)
    #expect(d.forest.count == 6)
    #expect(d.manifest.periods == ["2024", "2025"])
    #expect(d.manifest.levels == ["bureau", "unit", "branch"])
  }
}
