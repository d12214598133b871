import Foundation
import Testing
import _ChuandaoOutput

/// Tables of every top-level node stop at 30 rows (issue 14: a national dataset has 2,000
/// bureaus): the 30 that matter most, chosen by the figure the table is about, and a line
/// that says how many more there are and where they are.
@Suite("Long lists in tables")
struct LongListTests {
  /// 35 bureaus, two units each, two branches each, two periods.
  static let dataset: String = {
    let dir = (try? CLI.temporaryDirectory()) ?? NSTemporaryDirectory()
    let out = dir + "/g35"
    _ = try? CLI.run(["generate", out, "--shape", "35x2x2", "--periods", "2", "--seed", "3"])
    return out
  }()

  func rows(_ text: String, after title: String) -> [String] {
    let lines = text.components(separatedBy: "\n")
    guard let start = lines.firstIndex(where: { $0.hasPrefix(title) }) else { return [] }
    // Title, header, rule, then rows up to a blank line.
    return Array(lines[(start + 3)...].prefix { !$0.isEmpty })
  }

  @Test("attenuation: the 30 bureaus with the lowest end retention, and 5 more in the JSON")
  func attenuation() throws {
    let r = try CLI.run(["attenuation", Self.dataset, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    let shown = rows(r.out, after: "Bureaus, lowest end retention first")
    #expect(shown.count == 31, "\(shown)")  // 30 rows and the line
    #expect(shown.last == "... and 5 more: see --format json")
    let json = try JSON.parse(try CLI.run(["attenuation", Self.dataset, "--format", "json"]).out)
    let retention = json["groups"]!.arrayValue!.compactMap { $0["end_retention"]?.doubleValue }.sorted()
    #expect(retention.count == 35)
    // The last row shown is the 30th lowest retention (4 decimals in the table).
    let last = try #require(shown[29].split(separator: " ").last.flatMap { Double($0) })
    #expect(abs(last - retention[29]) < 5e-5)
  }

  @Test("closure: the 30 bureaus with the lowest closure index, said so, and the rest in the JSON")
  func closure() throws {
    let r = try CLI.run(["closure", Self.dataset, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.out.contains("Below, the 30 bureaus with the lowest closure index (of 35)."))
    #expect(r.out.contains("... and 5 more: see --format json"))
    let json = try JSON.parse(try CLI.run(["closure", Self.dataset, "--format", "json"]).out)
    let bureaus = json["nodes"]!.arrayValue!.filter { $0["level"]?.stringValue == "bureau" }
    let worst = bureaus.sorted { ($0["closure_index"]?.doubleValue ?? .infinity) < ($1["closure_index"]?.doubleValue ?? .infinity) }
    let table = rows(r.out, after: "Scope")
    // Row 0 of the body is "All"; the bureaus follow, none of the 5 best among them.
    for best in worst.suffix(5) {
      let name = best["name"]!.stringValue!
      let index = best["closure_index"]?.doubleValue ?? .infinity
      // A bureau tied with the 30th is allowed either way.
      if let cut = worst[29]["closure_index"]?.doubleValue, index == cut { continue }
      #expect(!table.contains { $0.hasPrefix(name + " ") }, "\(name) is not among the 30 lowest")
    }
  }

  @Test("compare: the 30 bureaus whose end retention and closure index fell most")
  func compare() throws {
    let r = try CLI.run(["compare", Self.dataset, "--from", "2024", "--to", "2025", "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.out.contains("Above, the 30 whose end retention fell most (of 35); the rest: see --format json"))
    #expect(r.out.contains("Above, the 30 whose closure index fell most (of 35); the rest: see --format json"))
  }
}
