import Testing
import _ChuandaoOutput

@testable import ChuandaoReport

/// The tables report.xlsx is made of: arrays of objects at any depth, each a sheet, the
/// scalars one row; arrays longer than the cap are left out and named, never made into
/// rows (a province's node lists).
@Suite struct WorkbookTablesTests {
  static func row(_ i: Int) -> JSON { .object(JSONObject(["id": .int(i)])) }

  @Test func longArraysAreNamedNotMade() {
    let nodes = JSON.rows(JSONRows(count: 3) { i, w in w.add("id", i) })
    let document = JSONObject([
      "level": .string("branch"),
      "nodes": nodes,
      "steps": .array([Self.row(1), Self.row(2)]),
      "groups": .object(JSONObject(["members": .array([Self.row(1), Self.row(2), Self.row(3)])])),
    ])
    var omitted: [(name: String, rows: Int)] = []
    let tables = CommandOutput.tables(of: document, prefix: "imbalance", maxRows: 2, omitted: &omitted)
    // Worked by hand: "nodes" (3 rows) and "groups.members" (3) exceed 2; "steps" (2) and
    // the scalar row stay.
    #expect(tables.map(\.name) == ["imbalance", "imbalance.steps"])
    #expect(tables.map(\.rows.count) == [1, 2])
    #expect(omitted.map(\.name) == ["imbalance.nodes", "imbalance.groups.members"])
    #expect(omitted.map(\.rows) == [3, 3])
    // Without a cap every array is a table.
    let all = CommandOutput.tables(of: document, prefix: "imbalance")
    #expect(all.map(\.name) == ["imbalance", "imbalance.nodes", "imbalance.steps", "imbalance.groups.members"])
  }
}
