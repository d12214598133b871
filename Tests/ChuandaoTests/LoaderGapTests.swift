import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// Loader paths that ValidationTests and FuzzTests leave out. Every expected `FILE:LINE`
/// is counted by hand from the test's own input; the counting is in the comments.
///
/// Reference lines of `TempDataset.base` used throughout:
///   dataset.yaml  1 name; 2 periods; 3 period_end
///   org.csv       1 header; 2 B1; 3 U1; 4 U2; 5 Z1; 6 Z2; 7 Z3   (a row appended is line 8)
///   scores.csv    1 header; 2..13 twelve rows                     (a row appended is line 14)
@Suite("Loader gaps: located errors the other suites do not reach")
struct LoaderGapTests {
  static let org = TempDataset.base["org.csv"]!
  static let scores = TempDataset.base["scores.csv"]!
  static let problems = "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,x\n"

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var files: [String: String]
    /// The expected diagnostic's prefix, e.g. `org.csv:8: error:`.
    var prefix: String
    /// Words the message must contain.
    var contains: [String]
    var testDescription: String { name }
  }

  /// Every line as `FILE:LINE: severity: message`, for failure messages.
  static func show(_ lines: [String]) -> String { lines.joined(separator: "\n") }

  static func expectDiagnostic(_ c: Case, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let ds = try TempDataset(c.files)
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let lines = log.items.map { $0.formatted(.en) }
    #expect(lines.contains { $0.hasPrefix(c.prefix) && c.contains.allSatisfy($0.contains) },
            "expected \(c.prefix) \(c.contains) in:\n\(show(lines))", sourceLocation: sourceLocation)
    if c.prefix.contains(": error:") {
      #expect(log.hasErrors, sourceLocation: sourceLocation)
      #expect(dataset == nil, sourceLocation: sourceLocation)
    }
  }

  // MARK: - CSV structure: field counts, headers, quotes

  static let structureCases: [Case] = [
    // scores.csv: 13 lines, so the appended short row is line 14.
    Case(name: "a row with fewer fields than the header",
         files: ["scores.csv": scores + "2025,Z1,committee\n"],
         prefix: "scores.csv:14: error:", contains: ["row has 3 fields, the header has 4"]),
    // Line 14 is good; the long row is line 15.
    Case(name: "a row with more fields than the header",
         files: ["scores.csv": scores + "2025,Z1,secretary,70\n2025,Z2,secretary,71,extra\n"],
         prefix: "scores.csv:15: error:", contains: ["row has 5 fields, the header has 4"]),
    // org.csv: 7 lines; appended short row is line 8.
    Case(name: "a short row in org.csv",
         files: ["org.csv": org + "Z8,U2,branch,短行\n"],
         prefix: "org.csv:8: error:", contains: ["row has 4 fields, the header has 5"]),
    // A quoted field holding a comma is one field: line 14 is fine; line 15 has 5 fields.
    Case(name: "a field count after a quoted comma",
         files: ["scores.csv": scores + "2025,Z1,\"secretary\",70\n2025,Z2,secretary,\"7,1\",x\n"],
         prefix: "scores.csv:15: error:", contains: ["row has 5 fields"]),
    // The header is line 1.
    Case(name: "a column named twice in the header",
         files: ["scores.csv": "period,node,subject,score,node\n2025,B1,committee,90,B1\n"],
         prefix: "scores.csv:1: error:", contains: ["column 'node' appears twice in the header"]),
    Case(name: "a column named twice, once by its alias",
         files: ["org.csv": "id,parent,level,name,members,编号\nB1,,bureau,局,10,B1\n"],
         prefix: "org.csv:1: error:", contains: ["columns 'id' and '编号' both name column 'id'"]),
    // Line 14 opens a quote that never closes (the file ends).
    Case(name: "an unclosed quote names the line where the field opens",
         files: ["scores.csv": scores + "2025,Z1,\"committee,70\n2025,Z2,committee,75\n2025,Z3,committee,72\n"],
         prefix: "scores.csv:14: error:", contains: ["unterminated quote"]),
    // Line 8: a quote inside an unquoted field.
    Case(name: "a quote inside an unquoted field",
         files: ["org.csv": org + "Z8,U2,branch,水\"务,3\n"],
         prefix: "org.csv:8: error:", contains: ["misplaced quote"]),
    // The record starts on line 8 and its quoted name runs onto line 9, where text follows the
    // closing quote: the record's first line, 8, is named.
    Case(name: "text after a closing quote in a record spanning two lines",
         files: ["org.csv": org + "Z8,U2,branch,\"两行\n名称\"x,3\n"],
         prefix: "org.csv:8: error:", contains: ["misplaced quote"]),
    // problems.csv: 1 header; 2-3 one record (a quoted line break); 4 blank; 5 the bad quote.
    Case(name: "a misplaced quote after a multi-line record and a blank line",
         files: ["problems.csv": "period,id,node,domain,source,description\n2025,P1,Z1,finance,audit,\"第一行\n第二行\"\n\n2025,P2,Z2,finance,audit,a \"b\" c\n"],
         prefix: "problems.csv:5: error:", contains: ["misplaced quote"]),
  ]

  @Test("CSV structure errors are located", arguments: structureCases)
  func structure(_ c: Case) throws { try Self.expectDiagnostic(c) }

  /// Excel often saves a header with trailing empty cells (`a,b,c,,`), and one empty header
  /// cell is skipped silently; two of them are reported as a repeated column named ''.
  @Test("two empty header cells are not a repeated column")
  func emptyHeaderCells() throws {
    let one = try TempDataset(["scores.csv": "period,node,subject,score,\n" + Self.scores.split(separator: "\n").dropFirst().map { $0 + "," }.joined(separator: "\n") + "\n"])
    defer { one.cleanUp() }
    #expect(!Dataset.validate(folder: one.folder).1.hasErrors, "\(Self.show(one.diagnostics()))")
    let two = try TempDataset(["scores.csv": "period,node,subject,score,,\n" + Self.scores.split(separator: "\n").dropFirst().map { $0 + ",," }.joined(separator: "\n") + "\n"])
    defer { two.cleanUp() }
    let lines = two.diagnostics()
    #expect(!lines.contains { $0.contains("error") }, "\(Self.show(lines))")
  }

  // MARK: - dataset.yaml

  static let yamlCases: [Case] = [
    // Line 4 has a second `:` in a plain scalar.
    Case(name: "invalid YAML names the line",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: {\"2024\": 2024-12-31, \"2025\": 2025-12-31}\nlevels: bureau: unit\n"],
         prefix: "dataset.yaml:4: error:", contains: ["not valid YAML"]),
    // Line 2 opens a flow list that line 3 does not continue: libyaml finds it at line 3.
    Case(name: "an unclosed flow list is found on the next line",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"\nlevels: [bureau, unit, branch]\n"],
         prefix: "dataset.yaml:3: error:", contains: ["not valid YAML"]),
    // Line 2: a scalar where a list belongs.
    Case(name: "periods not a list",
         files: ["dataset.yaml": "name: tiny\nperiods: 2025\n"],
         prefix: "dataset.yaml:2: error:", contains: ["'periods' must be a list"]),
    // Line 4: a mapping where a list belongs.
    Case(name: "levels a mapping",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: {\"2024\": 2024-12-31, \"2025\": 2025-12-31}\nlevels: {top: bureau}\n"],
         prefix: "dataset.yaml:4: error:", contains: ["'levels' must be a list"]),
    // Line 3: a list where a mapping belongs.
    Case(name: "period_end a list",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: [2024-12-31, 2025-12-31]\n"],
         prefix: "dataset.yaml:3: error:", contains: ["'period_end' must be a mapping of period: date"]),
    // Lines 3-5: period_end in block style; line 5 holds the bad date.
    Case(name: "a period_end that is not a date",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end:\n  \"2024\": 2024-12-31\n  \"2025\": 2025-13-01\n"],
         prefix: "dataset.yaml:5: error:", contains: ["'period_end.2025' must be a date YYYY-MM-DD, found '2025-13-01'"]),
    // Line 4: a weight that is not a number.
    Case(name: "a weight of the wrong type",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: {\"2024\": 2024-12-31, \"2025\": 2025-12-31}\nsubject_weights: {committee: heavy}\n"],
         prefix: "dataset.yaml:4: error:", contains: ["'subject_weights.committee' must be a number >= 0, found 'heavy'"]),
    // Lines 4-6: kind_weights in block style; line 6 names a kind not in `kinds`.
    Case(name: "a weight for an unknown kind",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: {\"2024\": 2024-12-31, \"2025\": 2025-12-31}\nkind_weights:\n  case: 2\n  lecture: 3\n"],
         prefix: "dataset.yaml:6: error:", contains: ["'kind_weights' names 'lecture', which is not one of"]),
    // Line 4: seven levels.
    Case(name: "too many levels",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: {\"2024\": 2024-12-31, \"2025\": 2025-12-31}\nlevels: [a, b, c, d, e, f, g]\n"],
         prefix: "dataset.yaml:4: error:", contains: ["'levels' must have 2 to 6 items, found 7"]),
    // Line 3: period_end names a period not in periods.
    Case(name: "period_end for an unknown period",
         files: ["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: {\"2024\": 2024-12-31, \"2026\": 2026-12-31}\n"],
         prefix: "dataset.yaml:3: error:", contains: ["'period_end' names period '2026', which is not in periods"]),
    // periods in block style: 2 `periods:`; 3 "2024"; 4 "2025"; 5 "2024" again.
    Case(name: "a period label listed twice",
         files: ["dataset.yaml": "name: tiny\nperiods:\n  - \"2024\"\n  - \"2025\"\n  - \"2024\"\n"],
         prefix: "dataset.yaml:5: error:", contains: ["'periods' lists '2024' twice"]),
    // Line 1 misspells `periods`: a warning there, and the required key is missing.
    Case(name: "a misspelt required key",
         files: ["dataset.yaml": "periodz: [\"2024\", \"2025\"]\n"],
         prefix: "dataset.yaml:1: warning:", contains: ["unknown key 'periodz'"]),
    Case(name: "a misspelt required key is also a missing key",
         files: ["dataset.yaml": "periodz: [\"2024\", \"2025\"]\n"],
         prefix: "dataset.yaml: error:", contains: ["missing required key 'periods'"]),
  ]

  @Test("dataset.yaml errors are located", arguments: yamlCases)
  func yaml(_ c: Case) throws { try Self.expectDiagnostic(c) }

  @Test("a level name org.csv uses that dataset.yaml lacks is an error on each such row")
  func unknownLevelName() throws {
    // The manifest names levels bureau, unit, team; org.csv's three branches, Z1, Z2, Z3 on
    // lines 5, 6, 7, use 'branch'.
    let ds = try TempDataset(["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nlevels: [bureau, unit, team]\n"])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    let level = lines.filter { $0.contains("column 'level': unknown level 'branch' (expected one of bureau, unit, team)") }
    #expect(level.map { $0.prefix { $0 != " " } } == ["org.csv:5:", "org.csv:6:", "org.csv:7:"], "\(Self.show(lines))")
    #expect(Dataset.validate(folder: ds.folder).0 == nil)
  }

  @Test("a key given twice in dataset.yaml names the second one's line")
  func duplicateYAMLKey() throws {
    // 1 name; 2 periods; 3 period_end; 4 periods again.
    let ds = try TempDataset(["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end: {\"2024\": 2024-12-31, \"2025\": 2025-12-31}\nperiods: [\"2025\"]\n"])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(Dataset.validate(folder: ds.folder).1.hasErrors)
    #expect(lines.contains { $0.hasPrefix("dataset.yaml:4: error:") && $0.contains("periods") }, "\(Self.show(lines))")
    #expect(lines.allSatisfy { !$0.contains("\n") }, "\(Self.show(lines))")
  }

  @Test("a period label given twice in period_end names the second one's line")
  func duplicatePeriodEnd() throws {
    // 1 name; 2 periods; 3 period_end:; 4 "2024"; 5 "2025"; 6 "2024" again.
    let ds = try TempDataset(["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nperiod_end:\n  \"2024\": 2024-12-31\n  \"2025\": 2025-12-31\n  \"2024\": 2024-06-30\n"])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(Dataset.validate(folder: ds.folder).1.hasErrors)
    #expect(lines.contains { $0.hasPrefix("dataset.yaml:6: error:") }, "\(Self.show(lines))")
  }

  @Test("a YAML error is one line of output")
  func yamlErrorOneLine() throws {
    // Line 3 has a second `:` in a plain scalar.
    let ds = try TempDataset(["dataset.yaml": "name: tiny\nperiods: [\"2024\", \"2025\"]\nlevels: bureau: unit\n"])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("dataset.yaml:3: error: not valid YAML") }, "\(Self.show(lines))")
    #expect(lines.allSatisfy { !$0.contains("\n") }, "\(Self.show(lines))")
  }

  @Test("a name of the wrong type is reported")
  func nameWrongType() throws {
    // Line 1: `name` is a list, not text.
    let ds = try TempDataset(["dataset.yaml": "name: [a, b]\nperiods: [\"2024\", \"2025\"]\n"])
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    // An error, not the folder's name in its place.
    #expect(dataset == nil)
    #expect(log.items.contains { $0.file == "dataset.yaml" && $0.line == 1 }, "\(log.items.map { $0.formatted() })")
  }

  // MARK: dataset.yaml that is not UTF-8

  @Test("a dataset.yaml that is not UTF-8 names the line and byte")
  func yamlNotUTF8() throws {
    let ds = try TempDataset([:])
    defer { ds.cleanUp() }
    // Line 3 is a comment whose bytes B1 BE are GB18030; 0xB1 is a UTF-8 continuation byte
    // with no lead byte before it, so the first invalid byte is 0xB1 on line 3.
    try ds.write("dataset.yaml", bytes: Array("name: tiny\nperiods: [\"2024\", \"2025\"]\n# ".utf8) + [0xB1, 0xBE] + Array("\n".utf8))
    var lines = ds.diagnostics()
    #expect(lines.contains("dataset.yaml:3: error: not UTF-8 (byte 0xB1; dataset.yaml must be UTF-8)"), "\(Self.show(lines))")
    #expect(Dataset.validate(folder: ds.folder).0 == nil)

    // A name saved as GB18030 on line 1: 市水局 = CA D0 CB AE BE D6. 0xCA opens a two-byte
    // UTF-8 sequence, and 0xD0 cannot continue it: the bad byte is 0xCA on line 1.
    try ds.write("dataset.yaml", bytes: Array("name: ".utf8) + [0xCA, 0xD0, 0xCB, 0xAE, 0xBE, 0xD6] + Array("\nperiods: [\"2024\", \"2025\"]\n".utf8))
    lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("dataset.yaml:1: error: not UTF-8 (byte 0xCA;") }, "\(Self.show(lines))")

    // Good UTF-8 on lines 1-2 (市 = E5 B8 82), then line 3 ends in a sequence cut short
    // (E5 B8 without its third byte): the bad byte is its lead, 0xE5, on line 3.
    try ds.write("dataset.yaml", bytes: Array("name: 市\nperiods: [\"2024\", \"2025\"]\n# ".utf8) + [0xE5, 0xB8] + Array("\n".utf8))
    lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("dataset.yaml:3: error: not UTF-8 (byte 0xE5;") }, "\(Self.show(lines))")
  }

  // MARK: YAML alias bombs

  /// `depth` levels of nine-fold aliases (`a` .. `i`), one per line from line 2, then
  /// `tail`. Expanded, the last anchor is 9^depth scalars; as text it is a few hundred bytes.
  static func aliasBomb(depth: Int, tail: String) -> String {
    let names = "abcdefghi".map(String.init)
    var text = "periods: [\"2024\", \"2025\"]\n"  // line 1
    text += "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"  // line 2
    for k in 1..<depth {
      let p = names[k - 1]
      text += "\(names[k]): &\(names[k]) [" + Array(repeating: "*\(p)", count: 9).joined(separator: ", ") + "]\n"
    }
    return text + tail
  }

  static func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  @Test("a billion-laughs bomb as a value fails fast, without expanding")
  func aliasBombValue() throws {
    // Nine levels: 9^9 = 387,420,489 "lol"s expanded. Lines 1 periods, 2-10 anchors a-i,
    // 11 `levels: *i` (a list of nine lists where names belong).
    let ds = try TempDataset(["dataset.yaml": Self.aliasBomb(depth: 9, tail: "levels: *i\n")])
    defer { ds.cleanUp() }
    let before = Self.residentBytes()
    let start = ContinuousClock.now
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let elapsed = ContinuousClock.now - start
    let grown = Self.residentBytes() - before
    #expect(dataset == nil)
    let lines = log.items.map { $0.formatted() }
    // Anchors and aliases are refused before Yams sees the text: the first, `&a`, on line 2.
    #expect(lines == ["dataset.yaml:2: error: YAML anchors and aliases are not allowed (&a): write the value out"], "\(Self.show(lines))")
    #expect(elapsed < .seconds(2), "took \(elapsed)")
    #expect(grown < 200 << 20, "resident memory grew by \(grown) bytes")

    // Under unknown keys only (the anchors a-i are lines 2-10) the anchors are refused too.
    try ds.write("dataset.yaml", bytes: Array(Self.aliasBomb(depth: 9, tail: "").utf8))
    let start2 = ContinuousClock.now
    let (loaded, log2) = Dataset.validate(folder: ds.folder)
    #expect(ContinuousClock.now - start2 < .seconds(2))
    #expect(loaded == nil)
    #expect(log2.items.map { $0.formatted() }.contains { $0.hasPrefix("dataset.yaml:2: error: YAML anchors and aliases are not allowed") })
    // A `&` or `*` inside quotes or a comment is text, not an anchor.
    let fine = try TempDataset(["dataset.yaml": "name: \"A&B *C\"  # &x *y\nperiods: [\"2024\", \"2025\"]\n"])
    defer { fine.cleanUp() }
    let (ok, _) = Dataset.validate(folder: fine.folder)
    #expect(ok?.manifest.name == "A&B *C")
  }

  @Test("a billion-laughs bomb as a mapping key fails fast with an error")
  func aliasBombKey() throws {
    // Seven levels (9^7 = 4,782,969 scalars expanded; the text is under 500 bytes), used
    // as a mapping key on lines 9-10. Yams checks mapping keys for duplicates by hashing
    // them, which walks the expanded tree: each level costs about 8 times the one before
    // (about 3.5 s here in a debug build at seven levels, 26 s at eight, minutes at nine).
    let ds = try TempDataset(["dataset.yaml": Self.aliasBomb(depth: 7, tail: "? *g\n: x\n")])
    defer { ds.cleanUp() }
    let start = ContinuousClock.now
    let (_, log) = Dataset.validate(folder: ds.folder)
    let elapsed = ContinuousClock.now - start
    #expect(log.hasErrors, "\(log.items.map { $0.formatted() })")
    #expect(elapsed < .milliseconds(500), "took \(elapsed)")
  }

  // MARK: - Duplicate rows and ids

  @Test("a (period, node, subject) twice in scores.csv is averaged")
  func duplicateScores() throws {
    // Base Z1 committee 2025 = 70 (line 5); line 14 adds 80: the mean is 75.
    let ds = try TempDataset(["scores.csv": Self.scores + "2025,Z1,committee,80\n"])
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    #expect(log.items.isEmpty, "\(log.items.map { $0.formatted() })")
    let d = try #require(dataset)
    let z1 = try #require(d.forest.index(of: "Z1"))
    let S = d.manifest.subjects.count
    #expect(d.periods[1].scores[z1 * S + 0] == 75)
    // 2024 keeps its single row, 70.
    #expect(d.periods[0].scores[z1 * S + 0] == 70)
  }

  @Test("rows for the same (period, node, kind, domain) in supervision.csv add up")
  func duplicateSupervision() throws {
    // data-decisions.md: they are counts. 3 + 4 = 7 reminders on finance for Z1 in 2025.
    let ds = try TempDataset(["supervision.csv": "period,node,kind,domain,count\n2025,Z1,reminder,finance,3\n2025,Z1,reminder,finance,4\n"])
    defer { ds.cleanUp() }
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    #expect(!log.hasErrors, "\(log.items.map { $0.formatted() })")
    let d = try #require(dataset)
    let z1 = try #require(d.forest.index(of: "Z1"))
    let K = d.manifest.kinds.count, D = d.manifest.domains.count
    // reminder is kind 0, finance domain 0.
    #expect(d.periods[1].supervision?[(z1 * K + 0) * D + 0] == 7)
    #expect(d.periods[0].supervision?[(z1 * K + 0) * D + 0] == 0)
  }

  static let duplicateCases: [Case] = [
    // members.csv: 1 header; 2 Z1 2025; 3 Z2 2025; 4 Z1 2025 again.
    Case(name: "a second members.csv row for a node and period",
         files: ["members.csv": "period,node,members\n2025,Z1,12\n2025,Z2,3\n2025,Z1,13\n"],
         prefix: "members.csv:4: error:", contains: ["duplicate row for node 'Z1' in period 2025", "first on line 2"]),
    // risks.csv: 1 header; 2 Z1 finance; 3 Z1 assets; 4 Z1 finance again.
    Case(name: "a second risks.csv row for a node, period and domain",
         files: ["risks.csv": "period,node,domain,risk\n2025,Z1,finance,2\n2025,Z1,assets,1\n2025,Z1,finance,3\n"],
         prefix: "risks.csv:4: error:", contains: ["second risk row for node 'Z1', period 2025, domain 'finance'"]),
    // problems.csv: 1 header; 2 P1; 3 P2; 4 P1 again (another period: ids are unique across periods).
    Case(name: "a problem id used twice",
         files: ["problems.csv": problems + "2025,P2,Z2,finance,audit,y\n2024,P1,Z3,assets,audit,z\n"],
         prefix: "problems.csv:4: error:", contains: ["column 'id': duplicate problem id 'P1'", "first on line 2"]),
    // projects.csv: 1 header; 2 J1; 3 J1 again.
    Case(name: "a project id used twice",
         files: ["problems.csv": problems,
                 "projects.csv": "problem,id,goal,due,done,status\nP1,J1,g,2025-06-30,,open\nP1,J1,h,2025-07-30,,open\n"],
         prefix: "projects.csv:3: error:", contains: ["column 'id': duplicate project id 'J1'", "first on line 2"]),
    // org.csv: the id Z2 (line 6) again on line 8, under another parent.
    Case(name: "a node id used twice",
         files: ["org.csv": org + "Z2,U2,branch,again,3\n"],
         prefix: "org.csv:8: error:", contains: ["duplicate id 'Z2'", "first on line 6"]),
  ]

  @Test("duplicates that make a value ambiguous are errors", arguments: duplicateCases)
  func duplicates(_ c: Case) throws { try Self.expectDiagnostic(c) }

  // MARK: - Values

  static let valueCases: [Case] = [
    // projects.csv: 1 header; 2 open; 3 closed.
    Case(name: "a bad status",
         files: ["problems.csv": problems,
                 "projects.csv": "problem,id,goal,due,done,status\nP1,J1,g,2025-06-30,,open\nP1,J2,g,2025-06-30,,closed\n"],
         prefix: "projects.csv:3: error:", contains: ["column 'status': 'closed' is not open, done or dropped"]),
    // Line 2: statuses are identifiers, compared exactly: 'Done' is not 'done'.
    Case(name: "a status in the wrong case",
         files: ["problems.csv": problems,
                 "projects.csv": "problem,id,goal,due,done,status\nP1,J1,g,2025-06-30,2025-05-01,Done\n"],
         prefix: "projects.csv:2: error:", contains: ["column 'status': 'Done' is not open, done or dropped"]),
    // leaders.csv: 1 header; 2 good; 3 chairman.
    Case(name: "a bad role",
         files: ["leaders.csv": "period,person,name,node,role,oversees\n2025,L1,甲,B1,secretary,U1\n2025,L2,乙,U1,chairman,\n"],
         prefix: "leaders.csv:3: error:", contains: ["column 'role': 'chairman' is not secretary, commission_head, member or admin_head"]),
    // org.csv line 8: no id.
    Case(name: "an empty node id",
         files: ["org.csv": org + ",U2,branch,无编号,3\n"],
         prefix: "org.csv:8: error:", contains: ["column 'id' is empty"]),
    // org.csv line 8: an id of spaces only is empty after trimming.
    Case(name: "a node id of spaces",
         files: ["org.csv": org + "   ,U2,branch,空格,3\n"],
         prefix: "org.csv:8: error:", contains: ["column 'id' is empty"]),
    // problems.csv line 3.
    Case(name: "an empty problem id",
         files: ["problems.csv": problems + "2025,,Z2,finance,audit,y\n"],
         prefix: "problems.csv:3: error:", contains: ["column 'id' is empty"]),
    // projects.csv line 2.
    Case(name: "an empty project id",
         files: ["problems.csv": problems,
                 "projects.csv": "problem,id,goal,due,done,status\nP1,,g,2025-06-30,,open\n"],
         prefix: "projects.csv:2: error:", contains: ["column 'id' is empty"]),
    // leaders.csv line 2.
    Case(name: "an empty person",
         files: ["leaders.csv": "period,person,name,node,role,oversees\n2025,,甲,B1,secretary,\n"],
         prefix: "leaders.csv:2: error:", contains: ["column 'person' is empty"]),
    // org.csv with validity columns: 1 header; 2 B1 ... 7 Z3; 8 Z8 from 2025 to 2024.
    Case(name: "valid_from after valid_to",
         files: ["org.csv": "id,parent,level,name,members,valid_from,valid_to\nB1,,bureau,市水务局,10,,\nU1,B1,unit,水文总站,20,,\nU2,B1,unit,堤防处,15,,\nZ1,U1,branch,第一支部,8,,\nZ2,U1,branch,第二支部,9,,\nZ3,U2,branch,第三支部,7,,\nZ8,U2,branch,倒置,4,2025,2024\n"],
         prefix: "org.csv:8: error:", contains: ["valid_from (2025) is after valid_to (2024)"]),
    // supervision.csv line 2: twenty digits.
    Case(name: "a count beyond any integer",
         files: ["supervision.csv": "period,node,kind,domain,count\n2025,Z1,reminder,finance,99999999999999999999\n"],
         prefix: "supervision.csv:2: error:", contains: ["column 'count': '99999999999999999999' is not a whole number >= 0"]),
    // supervision.csv line 3: 2^31, one more than the largest count.
    Case(name: "a count one past 2^31 - 1",
         files: ["supervision.csv": "period,node,kind,domain,count\n2025,Z1,reminder,finance,2147483647\n2025,Z2,reminder,finance,2147483648\n"],
         prefix: "supervision.csv:3: error:", contains: ["'2147483648' is not a whole number >= 0"]),
    // supervision.csv: line 2 holds 2^31 - 1, line 3 adds 1 to the same cell.
    Case(name: "a running total that overflows",
         files: ["supervision.csv": "period,node,kind,domain,count\n2025,Z1,reminder,finance,2147483647\n2025,Z1,reminder,finance,1\n"],
         prefix: "supervision.csv:3: error:", contains: ["column 'count': the running total exceeds 2147483647"]),
    // org.csv line 8: members with twenty digits.
    Case(name: "members beyond any integer",
         files: ["org.csv": org + "Z8,U2,branch,大,99999999999999999999\n"],
         prefix: "org.csv:8: error:", contains: ["column 'members': '99999999999999999999' is not a whole number >= 0"]),
    // members.csv line 2.
    Case(name: "members.csv members beyond any integer",
         files: ["members.csv": "period,node,members\n2025,Z1,99999999999999999999\n"],
         prefix: "members.csv:2: error:", contains: ["column 'members': '99999999999999999999' is not a whole number >= 0"]),
  ]

  @Test("bad values are located", arguments: valueCases)
  func values(_ c: Case) throws { try Self.expectDiagnostic(c) }

  // MARK: - GB18030 files

  /// GB18030 bytes of the three characters these tests use (GB2312 is a subset).
  static let gb: [Character: [UInt8]] = ["市": [0xCA, 0xD0], "水": [0xCB, 0xAE], "局": [0xBE, 0xD6]]

  /// `text` as GB18030, for text whose only non-ASCII characters are 市, 水 and 局.
  static func gb18030(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for ch in text {
      if let b = gb[ch] { out += b } else {
        precondition(ch.isASCII, "no GB18030 bytes for \(ch)")
        out += Array(String(ch).utf8)
      }
    }
    return out
  }

  @Test("the hand-written GB18030 bytes are what iconv writes")
  func gbBytesMatchIconv() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/iconv") else {
      try Test.cancel("no /usr/bin/iconv to cross-check against")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
    p.arguments = ["-f", "UTF-8", "-t", "GB18030"]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(Data("市水局,x\n".utf8))
    try input.fileHandleForWriting.close()
    let bytes = Array(output.fileHandleForReading.readDataToEndOfFile())
    p.waitUntilExit()
    #expect(bytes == Self.gb18030("市水局,x\n"))
  }

  @Test("an error inside a GB18030 file names its line")
  func gb18030Line() throws {
    // 1 header; 2 B1; 3-4 U1 (its quoted name holds a line break); 5 U2; 6 Z1 with members
    // 'x'; 7 Z2; 8 Z3.
    let text = """
      id,parent,level,name,members
      B1,,bureau,市水局,10
      U1,B1,unit,"水
      局",20
      U2,B1,unit,市局,15
      Z1,U1,branch,水,x
      Z2,U1,branch,局,9
      Z3,U2,branch,市,7

      """
    let ds = try TempDataset([:], base: ["dataset.yaml": TempDataset.base["dataset.yaml"]!])
    defer { ds.cleanUp() }
    try ds.write("org.csv", bytes: Self.gb18030(text))
    let lines = ds.diagnostics()
    #expect(lines.contains("org.csv:6: error: column 'members': 'x' is not a whole number >= 0"), "\(Self.show(lines))")
    #expect(lines.filter { $0.contains("error") }.count == 1, "\(Self.show(lines))")

    // Fixed, it loads as GB18030 with the names decoded.
    try ds.write("org.csv", bytes: Self.gb18030(text.replacingOccurrences(of: "水,x", with: "水,8")))
    let (dataset, log) = Dataset.validate(folder: ds.folder)
    let d = try #require(dataset, "\(log.items.map { $0.formatted() })")
    #expect(d.file("org.csv")?.encoding == "gb18030")
    #expect(d.forest.names[try #require(d.forest.index(of: "B1"))] == "市水局")
    #expect(d.forest.names[try #require(d.forest.index(of: "U1"))] == "水\n局")
  }

  @Test("an error past the first 1 MiB chunk of a GB18030 file names its line")
  func gb18030FarLine() throws {
    // 1 header; 2 B1; 3 U1; then branch Zk on line 3 + k, k = 1 ... 60,000 (about 1.7 MB, so
    // the transcoder works in several 1 MiB chunks). Z50000, line 50,003, has members 'x'.
    var text = "id,parent,level,name,members\nB1,,bureau,市水局,10\nU1,B1,unit,水局,20\n"
    let names = ["市", "水局", "市水局", "局市水局", "水水水水局"]
    for k in 1...60_000 {
      text += "Z\(k),U1,branch,\(names[k % names.count]),\(k == 50_000 ? "x" : "5")\n"
    }
    let bytes = Self.gb18030(text)
    #expect(bytes.count > 1 << 20)
    let ds = try TempDataset([:], base: ["dataset.yaml": TempDataset.base["dataset.yaml"]!])
    defer { ds.cleanUp() }
    try ds.write("org.csv", bytes: bytes)
    let lines = ds.diagnostics()
    #expect(lines == ["org.csv:50003: error: column 'members': 'x' is not a whole number >= 0"], "\(Self.show(Array(lines.prefix(5))))")
  }

  @Test("a byte that is neither UTF-8 nor GB18030, after GB18030 text, names its line")
  func gb18030BadByte() throws {
    // 1 header; 2 B1 (GB18030 name); 3 U1; 4 U2, whose name ends in 0xFF, a byte no GB18030
    // sequence starts with.
    let ds = try TempDataset([:], base: ["dataset.yaml": TempDataset.base["dataset.yaml"]!])
    defer { ds.cleanUp() }
    try ds.write("org.csv", bytes: Self.gb18030("id,parent,level,name,members\nB1,,bureau,市水局,10\nU1,B1,unit,水局,20\nU2,B1,unit,市") + [0xFF] + Array(",15\n".utf8))
    let lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("org.csv:4: error: neither UTF-8 nor GB18030 text (byte 0xFF)") }, "\(Self.show(lines))")
  }

  // MARK: - Fuzzing dataset.yaml

  /// The manifest the fuzzer mutates, one line at a time. Line numbers in the comments.
  static let fuzzYAML: [String] = [
    "name: fuzz",  // 1
    "levels: [bureau, unit, branch]",  // 2
    "periods:",  // 3
    "  - \"2023\"",  // 4
    "  - \"2024\"",  // 5
    "  - \"2025\"",  // 6
    "period_end:",  // 7
    "  \"2023\": 2023-12-31",  // 8
    "  \"2024\": 2024-12-31",  // 9
    "  \"2025\": 2025-12-31",  // 10
    "subjects: [committee, secretary, commission, members]",  // 11
    "domains: [finance, engineering, personnel, assets, procurement, other]",  // 12
    "kinds: [reminder, interview, inspection, petition, case]",  // 13
    "subject_weights: {committee: 1, secretary: 1, commission: 1, members: 1}",  // 14
    "kind_weights:",  // 15
    "  reminder: 1",  // 16
    "  case: 2",  // 17
  ]

  /// One mutation: the new line, and what must be reported at it.
  struct Mutation {
    var line: Int  // 1-based
    var text: String
    var severity: Diagnostic.Severity
    var contains: String
    var what: String
    var kind = ""
  }

  /// Mutates one line of `fuzzYAML`: a key misspelt, a value of a wrong type, or a list item
  /// (a period label, a level, ...) duplicated. Each says what the loader must report at
  /// that line.
  static func mutate(_ rng: inout RandomSource) -> Mutation {
    let kind = rng.int(below: 3)
    var m = mutate(kind: kind, &rng)
    m.kind = ["misspelt key", "wrong type", "duplicate item"][kind]
    return m
  }

  static func mutate(kind: Int, _ rng: inout RandomSource) -> Mutation {
    let lines = fuzzYAML
    func pick<T>(_ a: [T]) -> T { a[rng.int(below: a.count)] }
    while true {
      let n = rng.int(below: lines.count)
      let line = lines[n]
      let indented = line.hasPrefix(" ")
      switch kind {
      case 0:
        guard !indented else { continue }
        // Misspell the key: change, drop or insert one letter, until it is no known key.
        let key = String(line.prefix { $0 != ":" })
        var chars = Array(key)
        let letters = Array("abcdefghijklmnopqrstuvwxyz_")
        switch rng.int(below: 3) {
        case 0: chars[rng.int(below: chars.count)] = pick(letters)
        case 1 where chars.count > 1: chars.remove(at: rng.int(below: chars.count))
        default: chars.insert(pick(letters), at: rng.int(below: chars.count + 1))
        }
        let bad = String(chars)
        guard !Manifest.knownKeys.contains(bad) else { continue }
        return Mutation(line: n + 1, text: bad + line.dropFirst(key.count), severity: .warning,
                        contains: "unknown key '\(bad)'", what: "key '\(key)' misspelt '\(bad)'")
      case 1:
        // A value of the wrong type.
        let key = String(line.drop { $0 == " " }.prefix { $0 != ":" })
        switch key {
        case "levels", "subjects", "domains", "kinds":
          let v = pick(["7", "{x: 1}", "text", "\"2025\""])
          return Mutation(line: n + 1, text: "\(key): \(v)", severity: .error,
                          contains: "'\(key)' must be a list", what: "\(key) given \(v)")
        case "subject_weights":
          let v = pick(["[1, 2]", "7", "heavy"])
          return Mutation(line: n + 1, text: "\(key): \(v)", severity: .error,
                          contains: "'subject_weights' must be a mapping", what: "\(key) given \(v)")
        case "- \"2023\"", "- \"2024\"", "- \"2025\"":
          let v = pick(["[a, b]", "{a: 1}", "\"\"", "\" \""])
          return Mutation(line: n + 1, text: "  - \(v)", severity: .error,
                          contains: "'periods' items must be non-empty text", what: "a period given \(v)")
        case "\"2023\"", "\"2024\"", "\"2025\"":
          let v = pick(["[1]", "yesterday", "2024-13-01", "2024-02-30", "{a: 1}", "20241231"])
          let label = key.filter { $0 != "\"" }
          return Mutation(line: n + 1, text: "  \(key): \(v)", severity: .error,
                          contains: "'period_end.\(label)' must be a date YYYY-MM-DD", what: "period_end.\(label) given \(v)")
        case "reminder", "case":
          let v = pick(["heavy", "-1", "[1]", ".nan", "{a: 1}"])
          return Mutation(line: n + 1, text: "  \(key): \(v)", severity: .error,
                          contains: "'kind_weights.\(key)' must be a number >= 0", what: "kind_weights.\(key) given \(v)")
        default: continue  // name (see nameWrongType), block-start lines
        }
      default:
        // Duplicate an item: a later item takes an earlier one's value, so that the repeat
        // is the mutated line (or item).
        if (4...6).contains(n + 1) {
          guard n + 1 > 4 else { continue }
          let earlier = lines[4 - 1 + rng.int(below: n + 1 - 4)]
          let label = earlier.filter { $0.isNumber }
          return Mutation(line: n + 1, text: earlier, severity: .error,
                          contains: "'periods' lists '\(label)' twice", what: "period \(label) repeated")
        }
        let key = String(line.prefix { $0 != ":" })
        guard ["levels", "subjects", "domains", "kinds"].contains(key),
          let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]")
        else { continue }
        var items = line[line.index(after: open)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let j = 1 + rng.int(below: items.count - 1)
        let i = rng.int(below: j)
        items[j] = items[i]
        return Mutation(line: n + 1, text: "\(key): [\(items.joined(separator: ", "))]", severity: .error,
                        contains: "'\(key)' lists '\(items[i])' twice", what: "\(key) item \(j) repeats item \(i)")
      }
    }
  }

  @Test("mutated dataset.yaml lines are each reported at the mutated line")
  func fuzzManifest() throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["CHUANDAO_FUZZ_SEED"] ?? "") ?? 20_261_207
    var rng = RandomSource(seed: seed)
    // org.csv alone: no scores.csv, so no "no scores in a period" warnings.
    let ds = try TempDataset([:], base: ["org.csv": Self.org])
    defer { ds.cleanUp() }
    try ds.write("dataset.yaml", bytes: Array((Self.fuzzYAML.joined(separator: "\n") + "\n").utf8))
    let clean = Dataset.validate(folder: ds.folder)
    #expect(clean.0 != nil && clean.1.items.isEmpty, "seed \(seed): the unmutated manifest: \(clean.1.items.map { $0.formatted() })")
    #expect(clean.0?.manifest.periods == ["2023", "2024", "2025"])
    var kinds: [String: Int] = [:]
    for iteration in 0..<300 {
      let m = Self.mutate(&rng)
      var lines = Self.fuzzYAML
      lines[m.line - 1] = m.text
      let text = lines.joined(separator: "\n") + "\n"
      try ds.write("dataset.yaml", bytes: Array(text.utf8))
      let (dataset, log) = Dataset.validate(folder: ds.folder)
      let context = "seed \(seed), iteration \(iteration): \(m.what) on line \(m.line):\n\(text)"
      let all = log.items.map { $0.formatted() }
      #expect(log.items.contains { $0.file == "dataset.yaml" && $0.line == m.line && $0.severity == m.severity && $0.message.en.contains(m.contains) },
              "\(context)\nexpected \(m.severity) '\(m.contains)' at line \(m.line), got:\n\(Self.show(all))")
      for d in log.items where d.file == "dataset.yaml" {
        if let line = d.line { #expect((1...lines.count).contains(line), "\(context)\n\(d.formatted())") }
      }
      if m.severity == .error {
        #expect(dataset == nil, "\(context)")
      }
      kinds[m.kind, default: 0] += 1
    }
    // Every kind of mutation was drawn.
    #expect(kinds.count == 3, "seed \(seed): \(kinds)")
  }
}
