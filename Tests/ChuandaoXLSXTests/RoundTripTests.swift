import Foundation
import Testing
import ZIPFoundation
import _ChuandaoCSV
import _ChuandaoOutput
import _ChuandaoXLSX

@testable import Chuandao

@Suite("Workbooks Chuandao writes")
struct RoundTripTests {
  static let names = ["attenuation", "summary", "assess"]

  /// The workbooks `chuandao CMD datasets/sample --format xlsx` wrote (roundtrip/*.xlsx) as
  /// openpyxl read them (roundtrip/*.openpyxl.json, make_fixtures.py): Chuandao's reader
  /// reads every cell the same; numbers carry the column's format, the header is bold and
  /// frozen, and the columns have widths.
  @Test("openpyxl and Chuandao read every cell alike", arguments: names)
  func openpyxlAgrees(name: String) throws {
    let folder = Fixtures.root + "/roundtrip/"
    let expected = try JSON.parse(contentsOfFile: folder + name + ".openpyxl.json")
    let book = try XLSXWorkbook(path: folder + name + ".xlsx")
    let sheets = expected["sheets"]?.arrayValue ?? []
    #expect(book.sheets.map(\.name) == sheets.compactMap { $0["name"]?.stringValue })
    var cells = 0
    for (sheet, want) in zip(book.sheets, sheets) {
      #expect(want["freeze"]?.stringValue == "A2", "\(sheet.name)")
      #expect(want["header_bold"]?.boolValue == true, "\(sheet.name)")
      #expect(
        (want["widths"]?.arrayValue ?? []).allSatisfy { ($0.doubleValue ?? 0) >= 6 },
        "\(sheet.name)")
      var got: [[String]] = []
      _ = try book.forEachRecord(sheet) { rec in got.append((0..<rec.count).map { rec.string($0) })
      }
      let rows = want["rows"]?.arrayValue ?? []
      #expect(got.count == rows.count, "\(sheet.name)")
      for (r, (g, w)) in zip(got, rows).enumerated() {
        for (c, cell) in (w.arrayValue ?? []).enumerated() {
          let text = c < g.count ? g[c] : ""
          guard let value = cell["value"] else {
            #expect(text.isEmpty, "\(sheet.name) row \(r + 1) column \(c + 1)")
            continue
          }
          cells += 1
          switch value {
          case .string(let s): #expect(text == s, "\(sheet.name) row \(r + 1) column \(c + 1)")
          case .bool(let b): #expect(text == (b ? "true" : "false"), "\(sheet.name) row \(r + 1)")
          default:
            // A number: the same double, with a number format (whole numbers "0", else decimals).
            #expect(
              Double(text) == value.doubleValue,
              "\(sheet.name) row \(r + 1) column \(c + 1): \(text)")
            let format = cell["format"]?.stringValue ?? ""
            #expect(
              ["0", "0.0", "0.00", "0.000", "0.0000"].contains(format),
              "\(sheet.name) row \(r + 1): \(format)")
          }
        }
      }
    }
    #expect(cells > 100)
  }

  /// Tables with what is hard to keep: CJK, escapes, control characters, spaces at the
  /// ends, numbers of every size, booleans, empties; written, then read back cell by cell.
  @Test("written and read back by Chuandao: every cell")
  func chuandaoReadsBack() throws {
    let texts = [
      "市水务局", "A&B <c> \"q\" 'a'", "  spaced  ", "line\nbreak", "tab\tx", "bell\u{7}gone", "",
      "=1+1", "-5", "2025",
    ]
    let numbers: [Double] = [
      0, -0.5, 1, 2.5, 1e-7, 123456789.125, -1e15, 3.14159265358979, 1e21, 0.1 + 0.2,
    ]
    var rows: [[XLSXValue]] = []
    for k in 0..<200 {
      rows.append([
        .text(texts[k % texts.count]), .number(numbers[k % numbers.count]),
        k % 3 == 0 ? .bool(k % 2 == 0) : .empty, .number(Double(k)),
      ])
    }
    var writer = try XLSXWriter()
    try writer.add(XLSXTable(name: "表/一:[x]", header: ["text", "number", "flag", "n"], rows: rows))
    try writer.add(XLSXTable(name: "表/一:[x]", header: ["only"], rows: [[.text("second")]]))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chuandao-rt-\(UUID().uuidString).xlsx"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try writer.write(to: path)
    let book = try XLSXWorkbook(path: path)
    #expect(book.sheets.map(\.name) == ["表_一__x_", "表_一__x_~2"])
    var got: [[String]] = []
    _ = try book.forEachRecord(book.sheets[0]) { rec in
      got.append((0..<rec.count).map { rec.string($0) })
    }
    #expect(got.first == ["text", "number", "flag", "n"])
    #expect(got.count == rows.count + 1)
    for (k, (g, w)) in zip(got.dropFirst(), rows).enumerated() {
      for (c, v) in w.enumerated() {
        switch v {
        case .text(let s):
          #expect(g[c] == s.replacingOccurrences(of: "\u{7}", with: ""), "row \(k) column \(c)")
        case .number(let x): #expect(Double(g[c]) == x, "row \(k) column \(c): \(g[c])")
        case .bool(let b): #expect(g[c] == (b ? "true" : "false"))
        case .empty: #expect(g[c] == "")
        }
      }
    }
  }

  /// The zip as ZIPFoundation reads it: the same entries, sizes and CRC-32 as this reader
  /// finds, and the same bytes.
  @Test("ZIPFoundation and the bounded reader agree on the entries", arguments: names)
  func zipAgrees(name: String) throws {
    let path = Fixtures.root + "/roundtrip/" + name + ".xlsx"
    let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    let book = try XLSXWorkbook(path: path)
    var entries = 0
    for entry in archive {
      entries += 1
      var data = Data()
      _ = try archive.extract(entry) { data.append($0) }
      #expect(data.count == Int(entry.uncompressedSize))
      if entry.path.hasPrefix("xl/worksheets/") {
        #expect(book.sheets.contains { $0.part == entry.path })
      }
    }
    #expect(entries == book.sheets.count + 5)
  }
}
