import Foundation
import Testing

@testable import Chuandao

/// The outputs people read, pinned: every command in every format on `datasets/sample`,
/// compared byte for byte with `Tests/ChuandaoCLITests/Golden/`. The commands run from the
/// repository root on the relative path `datasets/sample`, with SOURCE_DATE_EPOCH fixed,
/// so that the provenance (command line, time made) is the same on every machine.
///
/// After an intended change, re-record and review the diff before committing
/// (docs/golden-files.md):
///
///     CHUANDAO_RECORD_GOLDEN=1 swift test --filter GoldenTests
@Suite("Golden outputs of every command on the sample")
struct GoldenTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let args: [String]
    /// validate writes its report on stderr.
    var stderr = false
    /// `report`: the file compared is this one in the `--out` folder, made in a temporary
    /// folder whose path is written `OUT` (it is part of the command line in provenance).
    var reportFile: String? = nil
    var testDescription: String { name }
  }

  static let analyses = ["attenuation", "imbalance", "coordination", "closure", "capacity", "trend", "assess"]
  /// A generated dataset with the issue 17 columns (joint_office, leaders' domains), which
  /// the sample predates: `capacity` and `remit` on it.
  static let issue17 = "Tests/ChuandaoCLITests/Fixtures/issue17"

  static let cases: [Case] = {
    var cases: [Case] = [
      Case(name: "validate.en.txt", args: ["validate", "datasets/sample", "--lang", "en"], stderr: true),
      Case(name: "validate.zh.txt", args: ["validate", "datasets/sample"], stderr: true),
    ]
    for command in ["summary"] + analyses {
      cases.append(Case(name: "\(command).en.txt", args: [command, "datasets/sample", "--lang", "en"]))
      cases.append(Case(name: "\(command).zh.txt", args: [command, "datasets/sample"]))
      cases.append(Case(name: "\(command).json", args: [command, "datasets/sample", "--format", "json"]))
      cases.append(Case(name: "\(command).csv", args: [command, "datasets/sample", "--format", "csv"]))
    }
    for command in ["capacity", "remit"] {
      cases.append(Case(name: "\(command)-issue17.en.txt", args: [command, issue17, "--lang", "en"]))
      cases.append(Case(name: "\(command)-issue17.zh.txt", args: [command, issue17]))
      cases.append(Case(name: "\(command)-issue17.json", args: [command, issue17, "--format", "json"]))
      cases.append(Case(name: "\(command)-issue17.csv", args: [command, issue17, "--format", "csv"]))
    }
    cases.append(Case(name: "report-issue17.en.md", args: ["report", issue17, "--out", "OUT", "--lang", "en"], reportFile: "report.md"))
    cases.append(Case(name: "report.zh.md", args: ["report", "datasets/sample", "--out", "OUT"], reportFile: "report.md"))
    cases.append(Case(name: "report.en.md", args: ["report", "datasets/sample", "--out", "OUT", "--lang", "en"], reportFile: "report.md"))
    // member_reach.csv (issue 17 part 3): the small dataset of
    // Tests/Fixtures-scripts/analyses/member_reach.py, whose numbers its fixture pins.
    let reach = "Tests/ChuandaoCLITests/Fixtures/reach"
    cases.append(Case(name: "reach-validate.en.txt", args: ["validate", reach, "--lang", "en"], stderr: true))
    for lang in ["en", "zh"] {
      cases.append(Case(name: "reach-attenuation.\(lang).txt", args: ["attenuation", reach, "--lang", lang]))
      cases.append(Case(name: "reach-summary.\(lang).txt", args: ["summary", reach, "--lang", lang]))
    }
    cases.append(Case(name: "reach-attenuation.json", args: ["attenuation", reach, "--format", "json"]))
    cases.append(Case(name: "reach-summary.json", args: ["summary", reach, "--format", "json"]))
    cases.append(Case(name: "reach-report.en.md", args: ["report", reach, "--out", "OUT", "--lang", "en"], reportFile: "report.md"))
    cases.append(Case(name: "reach-report.zh.md", args: ["report", reach, "--out", "OUT"], reportFile: "report.md"))
    return cases
  }()

  static var folder: URL {
    CLI.repository.appendingPathComponent("Tests/ChuandaoCLITests/Golden")
  }

  @Test("matches its golden file", arguments: cases)
  func golden(_ c: Case) throws {
    var args = c.args
    var out: String? = nil
    if c.reportFile != nil {
      let dir = try CLI.temporaryDirectory()
      out = dir + "/OUT"
      args = args.map { $0 == "OUT" ? out! : $0 }
    }
    defer { if let out { try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent) } }
    let r = try CLI.run(
      args, environment: ["SOURCE_DATE_EPOCH": "1767225600"], directory: CLI.repository)
    #expect(r.status == 0, "\(c.args): \(r.stderr)")
    var actual = c.stderr ? Array(r.stderr.utf8) : r.stdout
    if let file = c.reportFile, let out {
      let text = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
      // Markdown escapes `_` in the path.
      let masked = text.replacingOccurrences(of: out, with: "OUT")
        .replacingOccurrences(of: out.replacingOccurrences(of: "_", with: "\\_"), with: "OUT")
      actual = Array(masked.utf8)
    }
    let url = Self.folder.appendingPathComponent(c.name)
    if ProcessInfo.processInfo.environment["CHUANDAO_RECORD_GOLDEN"] == "1" {
      try Data(actual).write(to: url)
      return
    }
    let expected = try #require(
      try? Data(contentsOf: url),
      "no golden file \(c.name): record with CHUANDAO_RECORD_GOLDEN=1 swift test --filter GoldenTests")
    if c.name.hasSuffix(".json"), Array(expected) != actual {
      // JSON keeps full precision, whose last bits may differ between CPUs (OpenBLAS picks
      // its kernels by processor, and the summation order with them): numbers are compared
      // to 1e-9 relative, everything else exactly.
      let problems = Self.compare(try JSON.parse(String(decoding: actual, as: UTF8.self)),
                                  try JSON.parse(String(decoding: expected, as: UTF8.self)), path: "$")
      #expect(problems.isEmpty, "\(c.name): \(problems.prefix(5).joined(separator: "; "))")
      return
    }
    if Array(expected) != actual {
      // Name the first differing line, so that the failure says what changed.
      let a = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
      let e = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
      let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
      Issue.record(
        """
        \(c.name) differs from its golden file at line \(line + 1):
          expected: \(line < e.count ? e[line] : "(end)")
          actual:   \(line < a.count ? a[line] : "(end)")
        (re-record with CHUANDAO_RECORD_GOLDEN=1 swift test --filter GoldenTests and review the diff)
        """)
    }
  }

  /// Where two JSON values differ, numbers allowed 1e-9 relative.
  static func compare(_ a: JSON, _ e: JSON, path: String) -> [String] {
    switch (a, e) {
    case (.object(let x), .object(let y)):
      guard x.keys.map({ $0 }) == y.keys.map({ $0 }) else {
        return ["\(path): keys \(x.keys.map { $0 }) vs \(y.keys.map { $0 })"]
      }
      return x.keys.flatMap { compare(x[$0]!, y[$0]!, path: "\(path).\($0)") }
    case (.array(let x), .array(let y)):
      guard x.count == y.count else { return ["\(path): \(x.count) vs \(y.count) elements"] }
      return x.indices.flatMap { compare(x[$0], y[$0], path: "\(path)[\($0)]") }
    default:
      if let u = a.doubleValue, let v = e.doubleValue {
        return abs(u - v) <= 1e-9 * max(abs(v), 1e-300) || u == v ? [] : ["\(path): \(u) vs \(v)"]
      }
      return a == e ? [] : ["\(path): \(a) vs \(e)"]
    }
  }

  @Test("every golden file belongs to a case")
  func noStrayFiles() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { !$0.hasPrefix(".") }
    #expect(Set(files) == Set(Self.cases.map(\.name)))
  }
}
