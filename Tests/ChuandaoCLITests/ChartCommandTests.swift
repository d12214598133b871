import Foundation
import Testing

/// `chuandao chart KIND`: the report's own chart, byte for byte, with only its analyses
/// run; the report's sentence and exit 1 where the data give none.
@Suite("chuandao chart")
struct ChartCommandTests {
  @Test("each kind draws the report's chart of the same name, byte for byte", arguments: ["zh", "en"])
  func sameAsTheReport(_ lang: String) throws {
    let written = try ReportTests.report(CLI.sample, lang: lang)
    let kinds: [(kind: [String], file: String)] = [
      (["ladder"], "ladder.svg"), (["retention"], "retention-by-year.svg"), (["funnel"], "funnel-branch.svg"),
      (["funnel", "--level", "unit"], "funnel-unit.svg"), (["coverage"], "domain-coverage.svg"), (["icicle"], "icicle.svg"),
      (["subjects"], "silo-subjects.svg"), (["closure"], "closure-funnel.svg"), (["trends"], "trends.svg"),
      (["ranks"], "rank-bands.svg"),
    ]
    // Every chart of the report is one of the kinds.
    #expect(Set(kinds.map(\.file)) == Set(written.charts))
    for (kind, file) in kinds {
      let r = try CLI.run(["chart", kind[0], CLI.sample] + kind.dropFirst() + ["--lang", lang])
      #expect(r.status == 0, "\(kind): \(r.stderr)")
      let expected = try String(contentsOfFile: "\(written.folder)/charts/\(file)", encoding: .utf8)
      #expect(r.out == expected, "chart \(kind.joined(separator: " ")) differs from the report's \(file)")
    }
  }

  @Test("--out writes the file atomically; the period is the one asked for")
  func outAndPeriod() throws {
    let dir = try CLI.temporaryDirectory()
    let r = try CLI.run(["chart", "ladder", CLI.sample, "--period", "2023", "--out", dir + "/l.svg", "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.out.isEmpty)
    let svg = try String(contentsOfFile: dir + "/l.svg", encoding: .utf8)
    #expect(svg.contains("(2023)"))
    #expect(svg.hasSuffix("</svg>\n"))
  }

  @Test("no chart from data that cannot give one: the report's sentence, exit 1")
  func missing() throws {
    let dir = try CLI.temporaryDirectory() + "/noscores"
    try FileManager.default.copyItem(atPath: CLI.sample, toPath: dir)
    try FileManager.default.removeItem(atPath: dir + "/scores.csv")
    let r = try CLI.run(["chart", "ladder", dir, "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("error: no chart to draw: The dataset has no scores.csv, so transmission down the levels (vertical drop) cannot be computed."), "\(r.stderr)")
    #expect(r.out.isEmpty)
  }

  @Test("usage errors: an unknown kind or level, --level on another kind")
  func usage() throws {
    let kind = try CLI.run(["chart", "pie", CLI.sample])
    #expect(kind.status == 1)
    let level = try CLI.run(["chart", "funnel", CLI.sample, "--level", "nowhere", "--lang", "en"])
    #expect(level.status == 1)
    #expect(level.stderr.contains("unknown level 'nowhere'"))
    let misplaced = try CLI.run(["chart", "ladder", CLI.sample, "--level", "unit"])
    #expect(misplaced.status == 1)
    #expect(misplaced.stderr.contains("--level applies to the funnel chart only"))
  }
}
