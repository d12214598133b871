import Foundation
import Testing
import _ChuandaoOutput

@testable import Chuandao

/// The workbook datasets and outputs through the command line.
@Suite("Excel workbooks on the command line")
struct XLSXCLITests {
  static var fixtures: String {
    CLI.repository.appendingPathComponent("Tests/ChuandaoXLSXTests/Fixtures").path
  }

  /// A JSON document without its provenance (the inputs differ: workbooks, not CSV files).
  static func analysis(_ args: [String]) throws -> JSON {
    let r = try CLI.run(args + ["--format", "json", "--lang", "en"])
    #expect(r.status == 0, "\(args): \(r.stderr)")
    guard case .object(var doc) = try JSON.parse(r.out) else { return .null }
    _ = doc.removeValue(forKey: "provenance")
    return .object(doc)
  }

  @Test(
    "every analysis of the sample gives the same JSON from its workbooks as from its CSV files",
    arguments: [
      ["attenuation"], ["imbalance"], ["imbalance", "--level", "unit"], ["coordination"],
      ["closure"],
      ["trend"], ["assess"], ["compare", "--from", "2024", "--to", "2025"],
    ])
  func analyses(_ command: [String]) throws {
    let csv = try Self.analysis([command[0], CLI.sample] + command.dropFirst())
    for book in ["sample-split", "sample-book", "libreoffice-split", "libreoffice-book", "wps-style"] {
      let xlsx = try Self.analysis([command[0], Self.fixtures + "/" + book] + command.dropFirst())
      #expect(xlsx == csv, "\(command) on \(book)")
    }
  }

  @Test("validate and summary on a workbook dataset name sheets and cells")
  func validateSummary() throws {
    let v = try CLI.run(["validate", Self.fixtures + "/sample-book", "--lang", "en"])
    #expect(v.status == 0)
    #expect(v.stderr.contains("dataset.xlsx[org]!90:90: warning: node 'B3-U1-ZR0'"), "\(v.stderr)")
    let s = try CLI.run(["summary", Self.fixtures + "/sample-split", "--lang", "en"])
    #expect(s.status == 0)
    #expect(s.out.contains("scores.xlsx[scores]"), "\(s.out)")
  }

  @Test("--format xlsx needs --out; with it, a workbook that reads back")
  func formatXLSX() throws {
    let r = try CLI.run(["attenuation", CLI.sample, "--format", "xlsx", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("--format xlsx needs --out FILE.xlsx"))
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let w = try CLI.run(["attenuation", CLI.sample, "--format", "xlsx", "--out", dir + "/a.xlsx"])
    #expect(w.status == 0, "\(w.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir + "/a.xlsx"))
    // Never over an input.
    let over = try CLI.run([
      "attenuation", Self.fixtures + "/sample-split", "--format", "xlsx", "--out",
      Self.fixtures + "/sample-split/scores.xlsx", "--lang", "en",
    ])
    #expect(over.status == 1)
    #expect(over.stderr.contains("refusing to write"), "\(over.stderr)")
  }

  @Test("report writes report.xlsx with a sheet per table and the provenance")
  func report() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["report", CLI.sample, "--out", dir + "/r", "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/r/report.xlsx"))
    #expect(bytes.prefix(2) == Data([0x50, 0x4B]))
  }
}
