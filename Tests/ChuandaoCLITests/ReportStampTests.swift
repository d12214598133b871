import Foundation
import Testing
import _ChuandaoOutput

@testable import Chuandao

/// `chuandao report` again on unchanged inputs leaves the folder as it is (the stamp
/// `.chuandao-report.json`), and anything that could change a byte of the report makes it
/// again: an input, the command, a report file touched, `--force`, `--no-cache`, an
/// environment variable that changes an output.
@Suite("chuandao report: again on unchanged inputs")
struct ReportStampTests {
  static let upToDate = "the report is up to date"

  /// Each written file's modification time, by path relative to `folder`.
  static func times(_ folder: String) throws -> [String: Date] {
    var result: [String: Date] = [:]
    for path in ["report.html", "report.md", "results.json", "report.xlsx"] {
      let a = try FileManager.default.attributesOfItem(atPath: folder + "/" + path)
      result[path] = try #require(a[.modificationDate] as? Date)
    }
    return result
  }

  /// A copy of the sample in a temporary folder, and its report folder.
  static func setUp() throws -> (root: String, data: String, out: String) {
    let root = try CLI.temporaryDirectory()
    let data = root + "/data"
    try FileManager.default.copyItem(atPath: CLI.sample, toPath: data)
    return (root, data, root + "/report")
  }

  static func report(_ data: String, _ out: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CLI.Result {
    let r = try CLI.run(["report", data, "--out", out, "--lang", "en"] + extra, environment: environment)
    #expect(r.status == 0, "report: \(r.stderr)")
    #expect(r.out == out + "/report.html\n")
    return r
  }

  @Test("the same report again leaves every file as it was and says so")
  func again() throws {
    let (root, data, out) = try Self.setUp()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let first = try Self.report(data, out)
    #expect(!first.stderr.contains(Self.upToDate))
    let stamp = try #require(ReportStamp.read(folder: out))
    #expect(stamp.files.map(\.path).contains("report.html"))
    #expect(stamp.files.map(\.path).contains("results.json"))
    #expect(stamp.files.contains { $0.path.hasPrefix("charts/") })
    let before = try Self.times(out)
    let results = try Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))
    let second = try Self.report(data, out)
    #expect(second.stderr.contains(Self.upToDate))
    #expect(try Self.times(out) == before)
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/results.json")) == results)
  }

  @Test("a changed input, a touched report file, another period, --force and --no-cache make it again")
  func changes() throws {
    let (root, data, out) = try Self.setUp()
    defer { try? FileManager.default.removeItem(atPath: root) }
    _ = try Self.report(data, out)

    // A report file edited since: its size and time no longer match the stamp.
    try "edited\n".write(toFile: out + "/report.md", atomically: false, encoding: .utf8)
    #expect(!(try Self.report(data, out)).stderr.contains(Self.upToDate))
    #expect(try String(contentsOfFile: out + "/report.md", encoding: .utf8) != "edited\n")
    #expect((try Self.report(data, out)).stderr.contains(Self.upToDate))

    // A chart removed.
    let charts = try FileManager.default.contentsOfDirectory(atPath: out + "/charts")
    let chart = try #require(charts.first)
    try FileManager.default.removeItem(atPath: out + "/charts/" + chart)
    #expect(!(try Self.report(data, out)).stderr.contains(Self.upToDate))
    #expect(FileManager.default.fileExists(atPath: out + "/charts/" + chart))

    // Another command line, --force, --no-cache, SOURCE_DATE_EPOCH.
    #expect(!(try Self.report(data, out, ["--period", "2024"])).stderr.contains(Self.upToDate))
    #expect((try Self.report(data, out, ["--period", "2024"])).stderr.contains(Self.upToDate))
    #expect(!(try Self.report(data, out, ["--period", "2024", "--force"])).stderr.contains(Self.upToDate))
    #expect(!(try Self.report(data, out, ["--period", "2024", "--no-cache"])).stderr.contains(Self.upToDate))
    #expect(!(try Self.report(data, out, ["--period", "2024"], environment: ["SOURCE_DATE_EPOCH": "0"])).stderr.contains(Self.upToDate))
    #expect((try Self.report(data, out, ["--period", "2024"], environment: ["SOURCE_DATE_EPOCH": "0"])).stderr.contains(Self.upToDate))

    // An input whose bytes change (one score), with its size kept and its time restored:
    // the snapshot's cheap check may pass, but --rehash reads the bytes again.
    let env = ["SOURCE_DATE_EPOCH": "0"]
    _ = try Self.report(data, out, ["--period", "2024", "--rehash"], environment: env)
    #expect((try Self.report(data, out, ["--period", "2024", "--rehash"], environment: env)).stderr.contains(Self.upToDate))
    let scores = data + "/scores.csv"
    var text = try String(contentsOfFile: scores, encoding: .utf8)
    let time = try #require(try FileManager.default.attributesOfItem(atPath: scores)[.modificationDate] as? Date)
    let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().first)
    let last = try #require(line.last)
    let changed = String(line.dropLast()) + (last == "1" ? "2" : "1")
    text = text.replacingOccurrences(of: String(line) + "\n", with: changed + "\n")
    try text.write(toFile: scores, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.modificationDate: time], ofItemAtPath: scores)
    #expect(!(try Self.report(data, out, ["--period", "2024", "--rehash"], environment: env)).stderr.contains(Self.upToDate))
  }

  @Test("a stamp that is not one is ignored and replaced")
  func badStamp() throws {
    let (root, data, out) = try Self.setUp()
    defer { try? FileManager.default.removeItem(atPath: root) }
    _ = try Self.report(data, out)
    try "{\"format\": 1, \"key\": 3}".write(toFile: out + "/" + ReportStamp.fileName, atomically: false, encoding: .utf8)
    #expect(!(try Self.report(data, out)).stderr.contains(Self.upToDate))
    #expect(ReportStamp.read(folder: out) != nil)
  }

  @Test("keys differ with every part, and do not run parts together")
  func keys() {
    let a = ReportStamp.key(parts: ["ab", "c"], environment: [:])
    #expect(a == ReportStamp.key(parts: ["ab", "c"], environment: [:]))
    #expect(a != ReportStamp.key(parts: ["a", "bc"], environment: [:]))
    #expect(a != ReportStamp.key(parts: ["abc"], environment: [:]))
    #expect(a != ReportStamp.key(parts: ["ab", "c"], environment: ["SOURCE_DATE_EPOCH": "0"]))
    #expect(a == ReportStamp.key(parts: ["ab", "c"], environment: ["HOME": "/x"]))
  }
}
