import Foundation
import Testing
import ZIPFoundation
import _ChuandaoCSV
import _ChuandaoOutput
import _ChuandaoXLSX

/// Records and outcome of reading every sheet of `path`, sequentially or in blocks, with
/// cells of the usual shapes read whole (`cellShapes`) or every tag by the general path.
func readAll(_ path: String, blocks: Int?, cellShapes: Bool = true) -> (
  rows: [[String]], lines: [Int], error: String?, summary: [XLSXSheetSummary]
) {
  var rows: [[String]] = []
  var lines: [Int] = []
  var summaries: [XLSXSheetSummary] = []
  do {
    let book = try XLSXWorkbook(path: path)
    for sheet in book.sheets {
      summaries.append(
        try book.forEachRecord(
          sheet, blockBytes: blocks ?? 1, minimumBytes: blocks == nil ? Int.max : 0,
          cellShapes: cellShapes
        ) { rec in
          rows.append((0..<rec.count).map { rec.string($0) })
          lines.append(rec.line)
        })
    }
  } catch {
    return (rows, lines, "\(error)", summaries)
  }
  return (rows, lines, nil, summaries)
}

/// A workbook of one sheet whose XML is `sheet`, zipped with ZIPFoundation.
func makeWorkbook(sheet: String, at path: String) throws {
  let parts: [(String, String)] = [
    (
      "[Content_Types].xml",
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
    ),
    (
      "_rels/.rels",
      "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    ),
    (
      "xl/workbook.xml",
      "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
    ),
    (
      "xl/_rels/workbook.xml.rels",
      "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
    ),
    ("xl/worksheets/sheet1.xml", sheet),
  ]
  let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
  for (name, text) in parts {
    let data = Data(text.utf8)
    try archive.addEntry(
      with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
    ) { pos, size in
      data.subdata(in: Int(pos)..<Int(pos) + size)
    }
  }
}

@Suite("Large sheets parsed in blocks read as the sequential read does")
struct BlockTests {
  static let files = [
    "features.xlsx", "features-1904.xlsx", "sample-book/dataset.xlsx", "sample-split/scores.xlsx",
    "city-book/dataset.xlsx", "roundtrip/assess.xlsx", "bad/sst-index.xlsx",
    "bad/merged-header.xlsx",
    "bad/entities.xlsx", "bad/bomb.xlsx", "libreoffice-book/dataset.xlsx",
    "libreoffice-split/supervision.xlsx", "wps-style/dataset.xlsx",
  ]

  /// The cells of the usual shapes are read whole (`SheetHandler.element`); what it makes
  /// of them must be what the general path's tag-by-tag reading makes.
  @Test("cells read whole give what the general path gives", arguments: files)
  func cellShapes(file: String) {
    let path = Fixtures.root + "/" + file
    let general = readAll(path, blocks: nil, cellShapes: false)
    let whole = readAll(path, blocks: nil)
    #expect(whole.rows == general.rows, "\(file)")
    #expect(whole.lines == general.lines, "\(file)")
    #expect(whole.error == general.error, "\(file)")
    #expect(whole.summary == general.summary, "\(file)")
  }

  @Test("the same records, rows, summary and error, blocks of 1 byte to 64 KiB", arguments: files)
  func same(file: String) {
    let path = Fixtures.root + "/" + file
    let sequential = readAll(path, blocks: nil)
    for size in [1, 300, 4096, 65536] {
      let blocks = readAll(path, blocks: size)
      let firstRow = (0..<min(blocks.rows.count, sequential.rows.count)).first {
        blocks.rows[$0] != sequential.rows[$0]
      }
      let firstLine = (0..<min(blocks.lines.count, sequential.lines.count)).first {
        blocks.lines[$0] != sequential.lines[$0]
      }
      // After a fault of the zip (a bomb, damage) the rows read before it may differ in
      // number: blocks already cut are delivered first. The error is the same.
      if blocks.error == sequential.error, let e = sequential.error, !e.contains("cell: Optional"),
        !e.contains("row: Optional")
      {
        continue
      }
      #expect(
        blocks.rows.count == sequential.rows.count && firstRow == nil,
        "\(file), blocks of \(size): \(blocks.rows.count) rows, \(sequential.rows.count) sequentially; first differing \(firstRow.map { "\($0): \(blocks.rows[$0]) \(sequential.rows[$0])" } ?? "-")"
      )
      #expect(
        blocks.lines.count == sequential.lines.count && firstLine == nil,
        "\(file), blocks of \(size): first differing line \(firstLine.map { "\($0): \(blocks.lines[$0]) \(sequential.lines[$0])" } ?? "-")"
      )
      #expect(blocks.error == sequential.error, "\(file), blocks of \(size)")
      #expect(blocks.summary.map(\.records) == sequential.summary.map(\.records))
      #expect(blocks.summary.map(\.merges) == sequential.summary.map(\.merges))
      #expect(
        blocks.summary.map(\.firstFormulaWithoutValue)
          == sequential.summary.map(\.firstFormulaWithoutValue))
    }
  }

  /// Rows without `r` (numbered after the row before, which may be in another block), a
  /// comment holding a literal `</row>` (the rest then read by one handler), a row number
  /// going back (an error at that row).
  @Test("rows without numbers, a comment holding </row>, a row out of order")
  func odd() throws {
    var rows =
      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c><c t=\"inlineStr\"><is><t>b</t></is></c></row>"
    for k in 2...400 {
      let numbered = k % 7 != 0
      rows +=
        (numbered ? "<row r=\"\(k)\">" : "<row>")
        + "<c t=\"inlineStr\"><is><t>x\(k)</t></is></c><c><v>\(k)</v></c></row>"
      if k == 250 { rows += "<!-- a comment </row> with markup -->" }
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chuandao-blocks-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let head =
      "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    try makeWorkbook(sheet: head + rows + "</sheetData></worksheet>", at: dir + "/a.xlsx")
    let sequential = readAll(dir + "/a.xlsx", blocks: nil)
    #expect(sequential.error == nil)
    #expect(sequential.lines == Array(1...400))
    #expect(sequential.rows.last == ["x400", "400"])
    for size in [1, 100, 1000, 5000] {
      let blocks = readAll(dir + "/a.xlsx", blocks: size)
      #expect(
        blocks.rows == sequential.rows && blocks.lines == sequential.lines && blocks.error == nil,
        "blocks of \(size)")
    }
    let back = rows.replacingOccurrences(of: "<row r=\"300\">", with: "<row r=\"12\">")
    try FileManager.default.removeItem(atPath: dir + "/a.xlsx")
    try makeWorkbook(sheet: head + back + "</sheetData></worksheet>", at: dir + "/a.xlsx")
    let bad = readAll(dir + "/a.xlsx", blocks: nil)
    #expect(bad.error != nil && bad.lines.last == 299)
    for size in [1, 100, 1000, 5000] {
      let blocks = readAll(dir + "/a.xlsx", blocks: size)
      #expect(blocks.lines == bad.lines, "blocks of \(size)")
      #expect(blocks.error != nil, "blocks of \(size)")
    }
  }
}
