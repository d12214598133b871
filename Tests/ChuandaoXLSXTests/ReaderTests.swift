import Foundation
import Testing
import _ChuandaoCSV
import _ChuandaoOutput
import _ChuandaoXLSX

@testable import Chuandao

/// The fixtures of this target (`Fixtures/make_fixtures.py` made them) and the repository.
enum Fixtures {
  static var root: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
      .path
  }
  static var repository: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }
  static var sample: String { repository + "/datasets/sample" }
}

extension JSON {
  var strings: [String] { (arrayValue ?? []).compactMap(\.stringValue) }
}

/// Every record of a sheet, as strings.
func records(_ path: String, sheet: String? = nil) throws -> (
  rows: [[String]], lines: [Int], summary: XLSXSheetSummary
) {
  let book = try XLSXWorkbook(path: path)
  let s = try #require(sheet.map { book.sheet(named: $0) } ?? book.sheets.first)
  var rows: [[String]] = []
  var lines: [Int] = []
  let summary = try book.forEachRecord(s) { rec in
    rows.append((0..<rec.count).map { rec.string($0) })
    lines.append(rec.line)
  }
  return (rows, lines, summary)
}

@Suite("Reading workbooks")
struct ReaderTests {
  @Test("every kind of cell reads as features.json says (written part by part with zipfile)")
  func features() throws {
    let expected = try JSON.parse(contentsOfFile: Fixtures.root + "/features.json")
    let want = (expected["rows"]?.arrayValue ?? []).map { $0.strings }
    let got = try records(Fixtures.root + "/features.xlsx")
    #expect(got.rows.count == want.count)
    for (k, (g, w)) in zip(got.rows, want).enumerated() {
      // Trailing empty fields: the record is as wide as the header.
      #expect(g == w + Array(repeating: "", count: max(0, g.count - w.count)), "row \(k + 1)")
    }
    #expect(got.summary.formulasWithoutValue == expected["formulas_without_value"]?.intValue)
    #expect(
      got.summary.firstFormulaWithoutValue?.reference
        == expected["first_formula_without_value"]?.stringValue)
    let rows1904 = try records(Fixtures.root + "/features-1904.xlsx").rows
    #expect(rows1904 == (expected["rows1904"]?.arrayValue ?? []).map { $0.strings })
  }

  /// Serials worked by hand: 1 = 1900-01-01; 59 = 1900-02-28; 60 = the fictitious
  /// 1900-02-29; 61 = 1900-03-01; 45292 = 2024-01-01 (45292 - 1 = 45291 days after
  /// 1899-12-31 is 2024-01-01 less the fictitious day); 1904 system: 0 = 1904-01-01,
  /// 1 = 1904-01-02; 0.75 of a day is 18:00:00.
  @Test("date serials in both systems, with Excel's 1900-02-29")
  func dateSerials() {
    #expect(DateSerial.format(1, kind: .date, date1904: false) == "1900-01-01")
    #expect(DateSerial.format(59, kind: .date, date1904: false) == "1900-02-28")
    #expect(DateSerial.format(60, kind: .date, date1904: false) == "1900-02-29")
    #expect(DateSerial.format(61, kind: .date, date1904: false) == "1900-03-01")
    #expect(DateSerial.format(45292, kind: .date, date1904: false) == "2024-01-01")
    #expect(DateSerial.format(0, kind: .date, date1904: true) == "1904-01-01")
    #expect(DateSerial.format(1, kind: .date, date1904: true) == "1904-01-02")
    #expect(DateSerial.format(45292.75, kind: .dateTime, date1904: false) == "2024-01-01 18:00:00")
    #expect(DateSerial.format(0.75, kind: .time, date1904: false) == "18:00:00")
    #expect(DateSerial.format(-1, kind: .date, date1904: false) == nil)
  }

  /// Each hostile or damaged file, as `scores.xlsx` beside the sample's org.csv: the load
  /// fails with one error naming the workbook and saying what is wrong.
  @Test(
    "bad workbooks: a clear error, no crash",
    arguments: [
      ("truncated.xlsx", "scores.xlsx: error: the workbook is damaged or truncated"),
      ("text.xlsx", "scores.xlsx: error: not an .xlsx workbook (not a zip file)"),
      (
        "bomb.xlsx",
        "scores.xlsx[features]: error: refused: a suspected zip bomb (part xl/worksheets/sheet1.xml inflates more than 100 times"
      ),
      (
        "entities.xlsx",
        "scores.xlsx[features]: error: the workbook's part xl/worksheets/sheet1.xml holds a DOCTYPE declaration"
      ),
      (
        "sst-index.xlsx",
        "scores.xlsx[features]!B3: error: cell B3 refers to shared string 17, and the shared-string table has 4"
      ),
      ("merged-header.xlsx", "scores.xlsx[features]!A1: error: merged cells A1:B1 in the header"),
      ("password.xlsx", "scores.xlsx: error: the workbook is password-protected"),
      (
        "old-as.xlsx",
        "scores.xlsx: error: this is the old binary Excel format (.xls), which is not read: save it as .xlsx or CSV"
      ),
    ])
  func badWorkbooks(file: String, message: String) throws {
    let folder = try scratchDataset()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.copyItem(
      atPath: Fixtures.root + "/bad/" + file, toPath: folder + "/scores.xlsx")
    let (dataset, log) = Dataset.validate(folder: folder)
    #expect(dataset == nil)
    let lines = log.items.filter { $0.severity == .error }.map { $0.formatted(.en) }
    #expect(lines.contains { $0.hasPrefix(message) }, "\(lines)")
  }

  @Test("an .xls beside the dataset: named, with what to do")
  func legacyBeside() throws {
    let folder = try scratchDataset()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.copyItem(
      atPath: Fixtures.root + "/bad/old.xls", toPath: folder + "/scores.xls")
    let (_, log) = Dataset.validate(folder: folder)
    let lines = log.items.map { $0.formatted(.en) }
    #expect(
      lines.contains(
        "scores.csv: warning: missing, so not read; found scores.xls — the old binary Excel format is not read: save it as .xlsx or CSV"
      ), "\(lines)")
  }

  @Test("dataset.xlsx without a sheet 'org': the sheets it has are named")
  func missingSheet() throws {
    let folder = try scratchDataset(org: false)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.copyItem(
      atPath: Fixtures.root + "/features.xlsx", toPath: folder + "/dataset.xlsx")
    let (_, log) = Dataset.validate(folder: folder)
    let lines = log.items.map { $0.formatted(.en) }
    #expect(
      lines.contains(
        "dataset.xlsx: error: the workbook has no sheet named 'org' (it has 'features') (needed: a sheet 'org', or the file org.csv)"
      ), "\(lines)")
  }

  /// A folder with the sample's dataset.yaml and (unless `org` is false) org.csv.
  func scratchDataset(org: Bool = true) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chuandao-xlsx-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: Fixtures.sample + "/dataset.yaml", toPath: folder + "/dataset.yaml")
    if org {
      try FileManager.default.copyItem(
        atPath: Fixtures.sample + "/org.csv", toPath: folder + "/org.csv")
    }
    return folder
  }
}

@Suite("Workbook datasets load as their CSV files do")
struct DatasetEquivalenceTests {
  /// Every column, and the diagnostics' texts and rows (their places differ by design).
  static func expectSame(
    _ a: Dataset, _ b: Dataset, _ context: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    func bits(_ x: [Double]?) -> [UInt64]? { x?.map(\.bitPattern) }
    #expect(
      a.files.map(\.name) == b.files.map(\.name), "\(context)", sourceLocation: sourceLocation)
    #expect(
      a.files.map(\.records) == b.files.map(\.records), "\(context)", sourceLocation: sourceLocation
    )
    #expect(
      a.diagnostics.items.map(\.message) == b.diagnostics.items.map(\.message), "\(context)",
      sourceLocation: sourceLocation)
    #expect(
      a.diagnostics.items.map(\.line) == b.diagnostics.items.map(\.line), "\(context)",
      sourceLocation: sourceLocation)
    #expect(a.manifest.periods == b.manifest.periods, sourceLocation: sourceLocation)
    #expect(
      a.forest.ids == b.forest.ids && a.forest.names == b.forest.names, "\(context)",
      sourceLocation: sourceLocation)
    #expect(
      a.forest.parent == b.forest.parent && a.forest.sourceLine == b.forest.sourceLine,
      "\(context)", sourceLocation: sourceLocation)
    #expect(a.periods.count == b.periods.count, sourceLocation: sourceLocation)
    #expect(a.memberReach == b.memberReach, "\(context)", sourceLocation: sourceLocation)
    for (x, y) in zip(a.periods, b.periods) {
      #expect(x.members == y.members, "\(context)", sourceLocation: sourceLocation)
      #expect(bits(x.scores) == bits(y.scores), "\(context)", sourceLocation: sourceLocation)
      #expect(x.supervision == y.supervision, "\(context)", sourceLocation: sourceLocation)
      #expect(bits(x.risk) == bits(y.risk), "\(context)", sourceLocation: sourceLocation)
      #expect(
        bits(x.metrics.score) == bits(y.metrics.score), "\(context)", sourceLocation: sourceLocation
      )
    }
    // Lines differ where a CSV field spans lines (a sheet row is one row).
    #expect(
      a.problems.id == b.problems.id && a.problems.description == b.problems.description,
      sourceLocation: sourceLocation)
    #expect(
      a.responsibilities.problem == b.responsibilities.problem
        && a.responsibilities.person == b.responsibilities.person, sourceLocation: sourceLocation)
    #expect(
      a.projects.id == b.projects.id && a.projects.due == b.projects.due
        && a.projects.done == b.projects.done, sourceLocation: sourceLocation)
    #expect(
      a.projects.status == b.projects.status && a.projects.goal == b.projects.goal,
      sourceLocation: sourceLocation)
    #expect(
      a.leaders.person == b.leaders.person && a.leaders.oversees == b.leaders.oversees,
      sourceLocation: sourceLocation)
  }

  @Test(
    "the sample saved by openpyxl, a workbook per table and one dataset.xlsx (1904 system); by LibreOffice Calc, from the CSV files and from openpyxl's dataset.xlsx; and in WPS-style parts",
    arguments: [
      "sample-split", "sample-book", "libreoffice-split", "libreoffice-book", "wps-style",
    ])
  func sample(folder: String) throws {
    let csv = try Dataset.load(folder: Fixtures.sample, digests: true)
    let xlsx = try Dataset.load(folder: Fixtures.root + "/" + folder, digests: true)
    Self.expectSame(xlsx, csv, folder)
    #expect(xlsx.files.allSatisfy { $0.name == "dataset.yaml" || $0.encoding == "xlsx" })
    // The warning names the sheet and the row, with the CSV's words.
    let place = folder.hasSuffix("-split") ? "org.xlsx[org]!90:90" : "dataset.xlsx[org]!90:90"
    #expect(
      xlsx.diagnostics.items.map { $0.formatted(.en) } == [
        "\(place): warning: node 'B3-U1-ZR0' (建设工程安全质量监督站离退休党支部) has zero members: it is left out of rate analyses"
      ])
  }

  @Test(
    "a city preset (seed 3) saved by openpyxl as one dataset.xlsx, supervision, risks and member reach left out")
  func city() throws {
    let book = Fixtures.root + "/city-book"
    guard FileManager.default.fileExists(atPath: book + "/dataset.xlsx") else {
      Issue.record("city-book/dataset.xlsx is missing: run make_fixtures.py with a city dataset")
      return
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chuandao-city-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try DatasetGenerator(GeneratorSpec.preset(.city, seed: 3)).write(to: folder)
    try FileManager.default.removeItem(atPath: folder + "/supervision.csv")
    try FileManager.default.removeItem(atPath: folder + "/risks.csv")
    // Left out of the workbook too, to keep the fixture small (make_fixtures.py).
    try FileManager.default.removeItem(atPath: folder + "/member_reach.csv")
    let csv = try Dataset.load(folder: folder)
    let xlsx = try Dataset.load(folder: book)
    Self.expectSame(xlsx, csv, "city")
  }

  /// A message about another table names it where it was read from: an unknown node in
  /// scores.csv is "not in org.xlsx[org]" when org is a workbook, "not in
  /// dataset.xlsx[org]" when it is a sheet of dataset.xlsx (and "not in org.csv" as before
  /// when it is a CSV file: the golden files).
  @Test(
    "messages about org name the workbook and sheet it was read from",
    arguments: [("sample-split", "org.xlsx[org]"), ("sample-book", "dataset.xlsx[org]")])
  func otherTable(fixture: String, org: String) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chuandao-other-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.copyItem(atPath: Fixtures.root + "/" + fixture, toPath: folder)
    try? FileManager.default.removeItem(atPath: folder + "/scores.xlsx")
    // scores.csv read in place of the workbook's scores, one node unknown (line 3) and one
    // empty (line 4).
    var lines = try String(contentsOfFile: Fixtures.sample + "/scores.csv", encoding: .utf8)
      .components(separatedBy: "\n")
    for (k, node) in [(2, "NOWHERE"), (3, "")] {
      var fields = lines[k].components(separatedBy: ",")
      fields[1] = node
      lines[k] = fields.joined(separator: ",")
    }
    try lines.joined(separator: "\n").write(
      toFile: folder + "/scores.csv", atomically: true, encoding: .utf8)
    let (_, log) = Dataset.validate(folder: folder)
    let errors = log.items.filter { $0.severity == .error }
    #expect(
      errors.map { $0.formatted(.en) } == [
        "scores.csv:3: error: column 'node': unknown node 'NOWHERE' (not in \(org))",
        "scores.csv:4: error: column 'node' is empty (expected a node id from \(org))",
      ])
    #expect(
      errors.map { $0.formatted(.zh) } == [
        "scores.csv:3: error: 列 'node'：未知的节点 'NOWHERE'（\(org) 中没有）",
        "scores.csv:4: error: 列 'node' 为空（应为 \(org) 中的节点 id）",
      ])
  }

  @Test("a bad cell is named by sheet and cell, in the CSV's words")
  func badCell() throws {
    // Row 17's score (column D) out of range, in the CSV.
    let csvFolder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chuandao-badcell-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: csvFolder) }
    try FileManager.default.copyItem(atPath: Fixtures.sample, toPath: csvFolder)
    var lines = try String(contentsOfFile: csvFolder + "/scores.csv", encoding: .utf8).components(
      separatedBy: "\n")
    var fields = lines[16].components(separatedBy: ",")
    fields[3] = "185"
    lines[16] = fields.joined(separator: ",")
    try lines.joined(separator: "\n").write(
      toFile: csvFolder + "/scores.csv", atomically: true, encoding: .utf8)
    let (_, csvLog) = Dataset.validate(folder: csvFolder)
    let csvError = try #require(csvLog.items.first { $0.severity == .error })
    #expect(
      csvError.formatted(.en).hasPrefix("scores.csv:17: error: column 'score': 185 is out of range")
    )
    // The same rows as a workbook (XLSXWriter; numbers as numbers), in place of scores.csv.
    try FileManager.default.removeItem(atPath: csvFolder + "/scores.csv")
    let table = lines.dropFirst().filter { !$0.isEmpty }.map { line -> [XLSXValue] in
      let f = line.components(separatedBy: ",")
      return [.number(Double(f[0])!), .text(f[1]), .text(f[2]), .number(Double(f[3])!)]
    }
    var writer = try XLSXWriter()
    try writer.add(
      XLSXTable(name: "scores", header: lines[0].components(separatedBy: ","), rows: table))
    try writer.write(to: csvFolder + "/scores.xlsx")
    let (_, log) = Dataset.validate(folder: csvFolder)
    let error = try #require(log.items.first { $0.severity == .error })
    #expect(
      error.formatted(.en)
        == csvError.formatted(.en).replacingOccurrences(
          of: "scores.csv:17:", with: "scores.xlsx[scores]!D17:"))
    #expect(
      error.formatted(.zh)
        == csvError.formatted(.zh).replacingOccurrences(
          of: "scores.csv:17:", with: "scores.xlsx[scores]!D17:"))
  }
}

@Suite("member_reach as a workbook")
struct MemberReachWorkbookTests {
  /// Tests/ChuandaoCLITests/Fixtures/reach (Tests/Fixtures-scripts/analyses/member_reach.py),
  /// its member_reach.csv replaced by `member_reach.xlsx` or by the sheet `member_reach` of
  /// `dataset.xlsx` (XLSXWriter; counts as numbers): the same table through the same path.
  @Test("member_reach.xlsx and dataset.xlsx[member_reach] read as member_reach.csv", arguments: ["member_reach.xlsx", "dataset.xlsx"])
  func workbook(_ book: String) throws {
    let source = Fixtures.repository + "/Tests/ChuandaoCLITests/Fixtures/reach"
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chuandao-reach-xlsx-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.copyItem(atPath: source, toPath: folder)
    let csv = try Dataset.load(folder: folder)
    let lines = try String(contentsOfFile: folder + "/member_reach.csv", encoding: .utf8)
      .components(separatedBy: "\n").filter { !$0.isEmpty }
    let rows = lines.dropFirst().map { line -> [XLSXValue] in
      let f = line.components(separatedBy: ",")
      return [.number(Double(f[0])!), .text(f[1]), .text(f[2]), .number(Double(f[3])!), .number(Double(f[4])!)]
    }
    try FileManager.default.removeItem(atPath: folder + "/member_reach.csv")
    var writer = try XLSXWriter()
    try writer.add(XLSXTable(name: "member_reach", header: lines[0].components(separatedBy: ","), rows: rows))
    try writer.write(to: folder + "/" + book)
    let xlsx = try Dataset.load(folder: folder)
    #expect(xlsx.memberReach == csv.memberReach && csv.memberReach.count == rows.count)
    let file = try #require(xlsx.file("member_reach.csv"))
    #expect(file.workbook == book && file.sheet == "member_reach" && file.records == rows.count)
    // The warnings (eligible 0, eligible above members) name the sheet's cells' rows.
    let places = xlsx.diagnostics.items.filter { $0.sheet == "member_reach" }.map(\.place)
    #expect(places == csv.diagnostics.items.filter { $0.file == "member_reach.csv" }.map {
      "\(book)[member_reach]!\($0.line!):\($0.line!)"
    }, "\(places)")
    #expect(places.count == 5)
  }
}
