import Foundation
import Testing

@testable import Chuandao

/// Issue 19: every analysis end to end, its numbers against an independent reference.
///
/// `Tests/Fixtures-scripts/cli/analyses_reference.py` reads the CSV files of the small
/// generated dataset `Tests/ChuandaoCLITests/Fixtures/small` (3x3x4, 4 periods, seed 11: a
/// renamed unit, a merge, a zero-member branch) with pandas and computes, following
/// docs/methods.md with numpy, scipy and statsmodels, what `attenuation`, `coordination`,
/// `closure`, `trend` and `assess` (with `assess.uncertainty.draws: 0`) must write. The
/// fixture `Fixtures/analyses_reference.json` holds the same keys as the CLI's JSON; every
/// value in it is compared with the CLI's:
/// - numbers to 1e-6 relative, or 1e-9 absolute near zero: the reference runs the same
///   formulas in a different order of summation and through different libraries (scipy's t
///   quantile, statsmodels' IRLS), so agreement to the last bit is not to be expected, but
///   anything beyond rounding is an error;
/// - whole numbers (counts, n, ranks, Mann-Kendall S) exactly;
/// - strings (ids, flags, weakest subjects, directions, grades, reasons), booleans and
///   nulls exactly;
/// - arrays element by element, in order, with equal lengths; the main lists are checked
///   non-empty first, so that no comparison passes by comparing nothing.
struct AnalysesReference {
  static let dataset = CLI.repository.appendingPathComponent("Tests/ChuandaoCLITests/Fixtures/small").path

  static let fixture: JSON = {
    let path = CLI.repository.appendingPathComponent("Tests/ChuandaoCLITests/Fixtures/analyses_reference.json").path
    do {
      return try JSON.parse(contentsOfFile: path)
    } catch {
      fatalError("\(path): \(error)")
    }
  }()

  /// |actual - expected| <= max(1e-6 |expected|, 1e-9).
  static func close(_ actual: Double, _ expected: Double) -> Bool {
    abs(actual - expected) <= max(1e-6 * abs(expected), 1e-9)
  }

  /// Runs `chuandao ARGS --format json` and parses its one document, checking the
  /// provenance's input hashes against the fixture's (so that a regenerated dataset with an
  /// old fixture fails here, at once).
  static func run(_ args: [String]) throws -> JSON {
    let r = try CLI.run(args + ["--format", "json"])
    #expect(r.status == 0, "\(args): \(r.stderr)")
    let doc = try JSON.parse(r.out)
    #expect(doc["provenance"]?["inputs"] == fixture["inputs"], "the fixture was made from other input files")
    return doc
  }

  /// Compares every value of `expected` with the same place in `actual`; returns how many
  /// leaves were compared.
  @discardableResult
  static func compare(
    _ actual: JSON?, _ expected: JSON, at path: String, sourceLocation: SourceLocation = #_sourceLocation
  ) -> Int {
    guard let actual else {
      Issue.record("\(path): missing", sourceLocation: sourceLocation)
      return 1
    }
    switch expected {
    case .rows(let rows):
      return compare(actual, rows.array, at: path, sourceLocation: sourceLocation)
    case .object(let o):
      var n = 0
      for (key, value) in o { n += compare(actual[key], value, at: "\(path).\(key)", sourceLocation: sourceLocation) }
      return n
    case .array(let items):
      guard let a = actual.arrayValue, a.count == items.count else {
        Issue.record(
          "\(path): \(actual.arrayValue.map { "\($0.count) items" } ?? "\(actual)"), expected \(items.count)",
          sourceLocation: sourceLocation)
        return 1
      }
      var n = 0
      for (k, item) in items.enumerated() { n += compare(a[k], item, at: "\(path)[\(k)]", sourceLocation: sourceLocation) }
      return n
    case .int(let i):
      #expect(actual.doubleValue == Double(i), "\(path): \(actual), expected \(i)", sourceLocation: sourceLocation)
      return 1
    case .number(let x):
      let ok = actual.doubleValue.map { close($0, x) } ?? false
      #expect(ok, "\(path): \(actual), expected \(x)", sourceLocation: sourceLocation)
      return 1
    case .string, .bool, .null:
      #expect(actual == expected, "\(path): \(actual), expected \(expected)", sourceLocation: sourceLocation)
      return 1
    }
  }

  /// The fixture's array at `key` of `object`, required non-empty.
  static func nonEmpty(
    _ object: JSON?, _ key: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> [JSON] {
    let a = try #require(object?[key]?.arrayValue, "\(key)", sourceLocation: sourceLocation)
    #expect(!a.isEmpty, "the reference's \(key) is empty", sourceLocation: sourceLocation)
    return a
  }
}

@Suite("every analysis end to end against an independent pandas/scipy/statsmodels reference (issue 19)")
struct AnalysesReferenceTests {
  typealias R = AnalysesReference

  @Test(
    "attenuation: tau, interval, retention, per-bureau tau, every node's ratio, z and flag",
    arguments: [0, 1])
  func attenuation(case k: Int) throws {
    let expected = try #require(R.fixture["attenuation"]?[k])
    let period = try #require(expected["period"]?.stringValue)
    let doc = try R.run(["attenuation", R.dataset, "--period", period, "--metric", "score"])
    #expect(try R.nonEmpty(expected, "steps").count == 2)
    let groups = try R.nonEmpty(expected, "groups")
    for g in groups { _ = try R.nonEmpty(g, "steps") }
    let nodes = try R.nonEmpty(expected, "nodes")
    #expect(nodes.contains { $0["z"]?.doubleValue != nil }, "some node has a z")
    if k == 0 {
      // The last period has one attenuated and one amplified branch: both flag values are compared.
      #expect(Set(nodes.compactMap { $0["flag"]?.stringValue }) == ["attenuated", "amplified"])
    }
    let leaves = R.compare(doc, expected, at: "attenuation \(period)")
    #expect(leaves > 200, "\(leaves) values compared")
  }

  @Test("coordination: mean, sd, index, weakest, gap, silo; per level mean index and correlations; dual core")
  func coordination() throws {
    let expected = try #require(R.fixture["coordination"])
    let doc = try R.run(["coordination", R.dataset])
    let nodes = try R.nonEmpty(expected, "nodes")
    #expect(nodes.contains { $0["silo"]?.boolValue == true } && nodes.contains { $0["silo"]?.boolValue == false })
    #expect(Set(nodes.compactMap { $0["weakest"]?.stringValue }).count >= 2, "more than one weakest subject")
    let levels = try R.nonEmpty(expected, "levels")
    #expect(levels.count == 3)
    for level in levels {
      let rows = try R.nonEmpty(level, "correlation")
      #expect(rows.count == 4 && rows.allSatisfy { $0.arrayValue?.count == 4 })
    }
    let leaves = R.compare(doc, expected, at: "coordination")
    #expect(leaves > 300, "\(leaves) values compared")
  }

  @Test("closure: every node's rolled-up counts and closure index, and the breaks, as of period_end")
  func closure() throws {
    let expected = try #require(R.fixture["closure"])
    let doc = try R.run(["closure", R.dataset])
    let nodes = try R.nonEmpty(expected, "nodes")
    #expect(nodes.contains { $0["closure_index"] == .null } && nodes.contains { $0["closure_index"]?.doubleValue != nil })
    let breaks = try #require(expected["breaks"]?.objectValue)
    #expect(breaks.keys == ["unowned", "unplanned", "overdue"])
    #expect(breaks.values.reduce(0) { $0 + ($1.arrayValue?.count ?? 0) } > 0, "some break to compare")
    let leaves = R.compare(doc, expected, at: "closure")
    #expect(leaves > 300, "\(leaves) values compared")
  }

  @Test("trend: series through successors, delta, Theil-Sen, Mann-Kendall S and p, direction, cold/hot periods; tau per period")
  func trend() throws {
    let expected = try #require(R.fixture["trend"])
    let doc = try R.run(["trend", R.dataset, "--metric", "score"])
    let nodes = try R.nonEmpty(expected, "nodes")
    // The reference covers a merge (two predecessors), exact and tie-corrected p-values,
    // all three directions and a persistently cold node.
    #expect(nodes.contains { ($0["predecessors"]?.arrayValue?.count ?? 0) >= 2 })
    #expect(Set(nodes.compactMap { $0["direction"]?.stringValue }) == ["rising", "falling", "flat"])
    #expect(nodes.contains { $0["persistent"]?.stringValue == "cold" })
    for node in nodes { #expect(node["values"]?.arrayValue?.count == 4) }
    let steps = try R.nonEmpty(expected, "steps")
    for step in steps { #expect(try R.nonEmpty(step, "tau").count == 4) }
    let leaves = R.compare(doc, expected, at: "trend")
    #expect(leaves > 500, "\(leaves) values compared")
  }

  @Test("assess (draws 0): raw indicators, goalposts, normalised values, composite, rank, grade, reasons, leaders")
  func assess() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "assess:\n  uncertainty: {draws: 0}\n".write(toFile: dir + "/settings.yaml", atomically: true, encoding: .utf8)
    let expected = try #require(R.fixture["assess"])
    let doc = try R.run(["assess", R.dataset, "--config", dir + "/settings.yaml"])
    let nodes = try R.nonEmpty(expected, "nodes")
    #expect(Set(nodes.compactMap { $0["grade"]?.stringValue }) == ["excellent", "good", "fair", "poor"])
    #expect(nodes.contains { ($0["reasons"]?.arrayValue?.count ?? 0) == 2 })
    for indicator in ["score", "transmission", "balance", "closure", "coordination"] {
      #expect(
        nodes.contains { $0["indicators"]?[indicator]?.doubleValue != nil }, "some node has \(indicator)")
    }
    #expect(nodes.contains { node in
      node["indicators"]?["balance"]?.doubleValue.map { $0 < 1 } ?? false
    }, "some balance below 1: the cold and hot flags of section 3 matter")
    _ = try R.nonEmpty(expected, "leaders")
    // No draws: the uncertainty keys are null.
    for node in try #require(doc["nodes"]?.arrayValue) {
      for key in ["rank_median", "rank_p05", "rank_p95", "grade_stability"] { #expect(node[key] == .null) }
    }
    let leaves = R.compare(doc, expected, at: "assess")
    #expect(leaves > 500, "\(leaves) values compared")
  }
}
