import Foundation
import Testing

@testable import _ChuandaoOutput

/// `chuandao report` on datasets of shapes the generator never makes (issue 13: "the report
/// of a dataset that you did not generate yourself also renders"): the hand-made
/// `Fixtures/odd-shape` (four levels of their own names, one top-level node, a division
/// with 1 section beside one with 9 and one with none, branches under 4 of the 10
/// sections, names from one character to 70, a branch of 0 members, one period, no
/// period_end, only org.csv, scores.csv and supervision.csv) and `Fixtures/odd-shape-noscores`
/// (the same organisation over two periods with org.csv and supervision.csv only), both
/// written by `Tests/Fixtures-scripts/cli/odd_shape.py`.
@Suite("chuandao report on odd shapes")
struct ReportShapeTests {
  enum Shape: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case odd = "odd-shape"
    case noScores = "odd-shape-noscores"

    var testDescription: String { rawValue }
    var folder: String { CLI.repository.appendingPathComponent("Tests/ChuandaoCLITests/Fixtures/\(rawValue)").path }
  }

  /// Nodes per level, counted by hand from org.csv (the same in both datasets): 局 1 (B),
  /// 处 3 (D1-D3), 科 10 (S11, S21-S29), 支部 7 (Z111, Z112, Z211, Z221-Z223, Z251).
  static let nodesPerLevel = ["bureau": 1, "division": 3, "section": 10, "branch": 7]

  /// The sentence a section prints in place of its analysis when its input is missing,
  /// by section number, as the report writes it.
  static func why(_ shape: Shape, _ lang: String) -> [Int: String] {
    let zh = lang == "zh"
    let noProblems =
      zh
      ? "数据集没有 problems.csv，无法分析三张清单闭环。"
      : "The dataset has no problems.csv, so the closed loop of the three lists cannot be analysed."
    switch shape {
    case .odd:
      return [
        5: noProblems,
        6: zh ? "数据集在 2025 之前没有其他期，无法分析逐期变化。" : "The dataset has no period before 2025, so there is nothing to follow over time.",
      ]
    case .noScores:
      return [
        2: zh ? "数据集没有 scores.csv，无法计算逐层传导（落差）。" : "The dataset has no scores.csv, so transmission down the levels (vertical drop) cannot be computed.",
        4: zh ? "数据集没有 scores.csv，无法分析四责协同。" : "The dataset has no scores.csv, so the coordination of the four responsibilities cannot be analysed.",
        5: noProblems,
        6: zh ? "数据集没有 scores.csv，无法分析得分的逐期变化。" : "The dataset has no scores.csv, so scores cannot be followed over time.",
        7: zh ? "数据集没有 scores.csv，无法计算年度考核。" : "The dataset has no scores.csv, so there is no assessment.",
      ]
    }
  }

  /// The text of section `n` of report.md: from its `## n ` heading to the next `## `.
  static func section(_ n: Int, of markdown: String) -> String? {
    guard let start = markdown.range(of: "\n## \(n) ") else { return nil }
    let rest = markdown[start.upperBound...]
    let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
    return String(rest[..<end])
  }

  @Test("validate exits 0", arguments: Shape.allCases)
  func validates(_ shape: Shape) throws {
    let r = try CLI.run(["validate", shape.folder, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("0 errors"))
  }

  @Test("the report renders: every section, its reason when its input is missing, no empty chart, no NaN",
        arguments: Shape.allCases, ["zh", "en"])
  func renders(_ shape: Shape, _ lang: String) throws {
    let w = try ReportTests.report(shape.folder, lang: lang)
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    #expect(FileManager.default.fileExists(atPath: w.folder + "/report.html"))
    #expect(FileManager.default.fileExists(atPath: w.folder + "/report.md"))

    let why = Self.why(shape, lang)
    for n in 1...8 {
      #expect(w.html.contains("<h2>\(n) "), "report.html has no section \(n)")
      let text = try #require(Self.section(n, of: w.markdown), "report.md has no section \(n)")
      if let sentence = why[n] {
        #expect(text.contains(sentence), "section \(n) does not say why: \(text.prefix(300))")
        #expect(!text.contains("](charts/"), "section \(n) has no input but draws a chart")
      }
    }

    // Every chart linked from report.md exists, every chart written is linked, and none is
    // empty.
    let linked = Set(w.markdown.components(separatedBy: "](charts/").dropFirst().map { String($0.prefix { $0 != ")" }) })
    #expect(linked == Set(w.charts))
    for chart in w.charts {
      let svg = try String(contentsOfFile: w.folder + "/charts/" + chart, encoding: .utf8)
      #expect(["<circle", "<rect", "<path"].contains { svg.contains($0) }, "\(chart) has no mark")
    }
    let expected: Set<String> =
      switch shape {
      case .odd:
        ["ladder.svg", "funnel-division.svg", "funnel-section.svg", "funnel-branch.svg", "domain-coverage.svg",
         "icicle.svg", "silo-subjects.svg", "rank-bands.svg"]
      case .noScores:
        ["funnel-division.svg", "funnel-section.svg", "funnel-branch.svg", "domain-coverage.svg", "icicle.svg"]
      }
    #expect(Set(w.charts) == expected)

    // No number failed to be one: "NaN", "nan", "inf", "Infinity" as words (not "finance").
    for (name, text) in [("report.html", w.html), ("report.md", w.markdown)] {
      let bad = text.ranges(of: /(?:^|[^A-Za-z])(?:NaN|nan|inf|Infinity)(?![A-Za-z])/)
      #expect(bad.isEmpty, "\(name): \(bad.prefix(3).map { text[$0].description })")
    }
  }

  @Test("hand-checked facts appear", arguments: Shape.allCases)
  func handChecked(_ shape: Shape) throws {
    let w = try ReportTests.report(shape.folder, lang: "en")
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    let perLevel = try #require(w.results["summary"]?["nodes_per_level"]?.objectValue)
    #expect(perLevel.keys == ["bureau", "division", "section", "branch"])
    for (level, n) in Self.nodesPerLevel { #expect(perLevel[level]?.intValue == n, "\(level)") }
    #expect(w.results["summary"]?["nodes"]?.intValue == 21)
    switch shape {
    case .odd:
      // Every node has its four subjects: coordination and assessment count every node.
      for (level, n) in Self.nodesPerLevel {
        #expect(w.markdown.contains("| \(level) | \(n) |"), "coordination row of \(level)")
      }
      #expect(w.markdown.contains("the dataset has no earlier period"))
      #expect(w.results["compare"] == nil && w.results["trend"] == nil && w.results["closure"] == nil)
    case .noScores:
      // Members: 90 (bureau and divisions) + 116 (sections) + 110 (branches) = 316.
      // Actions in 2025: 112, over 18 nodes' 29 rows; in 2024 each row one fewer: 83.
      let periods = try #require(w.results["summary"]?["periods"]?.arrayValue)
      #expect(periods.map { $0["members"]?.intValue } == [316, 316])
      #expect(periods.map { $0["supervision_actions"]?.intValue } == [83, 112])
      // The branch level without its member-less branch: 6 of 7.
      #expect(w.markdown.contains("level division, period 2025, 3 nodes"))
      #expect(w.markdown.contains("level section, period 2025, 10 nodes"))
      #expect(w.markdown.contains("level branch, period 2025, 6 nodes"))
      #expect(w.markdown.contains("the dataset has no scores.csv, so it is not compared with the previous period (2024)"))
      #expect(Set(w.results.objectValue?.keys ?? []) == ["summary", "imbalance"])
    }
  }

  @Test("coordination without party_admin_split says the dual-core comparison cannot be made")
  func noSplitColumn() throws {
    let r = try CLI.run(["coordination", Shape.odd.folder, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.out.contains("Dual core: org.csv gives no party_admin_split values, so nodes with split and joint heads cannot be compared"))
    #expect(!r.out.contains("split -"))
    // The sample has the column, with both kinds of node: both means are printed (their
    // values are pinned by the golden files and the reference tests, not here).
    let sample = try CLI.run(["coordination", CLI.sample, "--lang", "en"])
    #expect(sample.out.contains("Dual core: Party and administrative heads split 0."))
    #expect(!sample.out.contains("gives no party_admin_split values"))
  }

  @Test("results.json is JSONWriter's compact text of its own value", arguments: Shape.allCases)
  func resultsText(_ shape: Shape) throws {
    let w = try ReportTests.report(shape.folder, lang: "zh")
    defer { try? FileManager.default.removeItem(atPath: (w.folder as NSString).deletingLastPathComponent) }
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: w.folder + "/results.json")))
    #expect(JSONWriter(pretty: false).data(w.results) == bytes)
  }

  /// The report streams results.json member by member (`JSONWriter.ObjectStream`); the
  /// bytes must be `data(.object(...))`'s, whatever the piece size and however arrays are
  /// split into parallel rounds.
  @Test("a streamed object is data(.object)'s bytes", arguments: [1, 7, 100, 1 << 20])
  func streamed(pieceSize: Int) throws {
    let rows: [JSON] = (0..<300).map { (i: Int) -> JSON in
      var o = JSONObject()
      o["id"] = .string("N\(i)")
      o["名称"] = .string("支部\(i)\n\"x\"")
      o["ratio"] = JSON(Double(i) / 7)
      o["flag"] = i % 3 == 0 ? JSON.null : JSON.bool(i % 2 == 0)
      return .object(o)
    }
    let members: [(String, JSON)] = [("summary", .object(["nodes": .int(300)])), ("empty", .object(JSONObject())),
                                     ("list", .array([])), ("nodes", .object(["nodes": .array(rows)]))]
    for pretty in [true, false] {
      var writer = JSONWriter(pretty: pretty)
      let expected = writer.data(.object(JSONObject(members)))
      for (threshold, round) in [(Int.max, 1), (0, 1), (5, 7), (5, 1000)] {
        writer.parallelThreshold = threshold
        writer.streamedRound = round
        var out: [UInt8] = []
        var stream = JSONWriter.ObjectStream(writer: writer, pieceSize: pieceSize) { out.append(contentsOf: $0) }
        for (key, value) in members { stream.member(key, value) }
        stream.finish()
        #expect(out == expected, "pretty \(pretty), threshold \(threshold), round \(round), piece \(pieceSize)")
      }
      var out: [UInt8] = []
      var stream = JSONWriter.ObjectStream(writer: writer, pieceSize: pieceSize) { out.append(contentsOf: $0) }
      stream.finish()
      #expect(out == writer.data(.object(JSONObject())))
    }
  }
}
