import Foundation
import Testing
import _ChuandaoOutput

@testable import Chuandao

/// member_reach.csv and the member step of `attenuation` (issue 17 part 3,
/// docs/methods/member-reach.md).
@Suite("Member reach: the step from the branch to the member")
struct MemberReachTests {
  static func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return abs(x - y) <= tolerance * max(1, abs(y))
    default: return false
    }
  }

  static func fixture() throws -> JSON {
    try JSON.parse(contentsOfFile: Fixtures.root.appendingPathComponent("analyses/member_reach.json").path)
  }

  static func fixtureDataset(_ fx: JSON) throws -> TempDataset {
    try TempDataset([
      "dataset.yaml": try #require(fx["dataset_yaml"]?.stringValue),
      "org.csv": try #require(fx["org_csv"]?.stringValue),
      "scores.csv": try #require(fx["scores_csv"]?.stringValue),
      "member_reach.csv": try #require(fx["member_reach_csv"]?.stringValue),
    ], base: nil)
  }

  // MARK: - The numbers, against an independent computation

  @Test("tau, interval, end retention, flags, p and q, groups and measures equal numpy/scipy's", arguments: ["2024", "2025"])
  func reference(_ label: String) throws {
    // Fixture: Tests/Fixtures-scripts/analyses/member_reach.py (csv module, numpy, scipy.stats.t/norm).
    let fx = try Self.fixture()
    let ds = try Self.fixtureDataset(fx)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let t = try #require(d.periodIndex(label))
    let e = try #require(fx["periods"]?[label])
    let result = AttenuationAnalysis().run(d, period: t)
    let m = try #require(result.member)
    let f = d.forest
    #expect(m.step.children == e["n"]!.intValue! && m.step.parents == e["parents"]!.intValue!)
    for (value, key) in [(m.step.tau, "tau"), (m.step.ciLow, "ci_low"), (m.step.ciHigh, "ci_high"),
                         (m.step.attenuation, "attenuation"), (m.endRetention, "end_retention"),
                         (result.endRetention, "level_end_retention"), (m.tau2, "tau2")] {
      #expect(Self.close(value, e[key]!.doubleValue), "\(label) \(key): \(String(describing: value)) vs \(e[key]!)")
    }
    let nodes = try #require(e["nodes"]?.arrayValue)
    try #require(m.nodes.map { f.ids[$0.node] } == nodes.map { $0["id"]!.stringValue! })
    for (r, x) in zip(m.nodes, nodes) {
      let id = f.ids[r.node]
      #expect(Int(r.reached) == x["reached"]!.intValue! && Int(r.eligible) == x["eligible"]!.intValue!, "\(id)")
      for (value, key) in [(r.rate, "rate"), (r.ratio, "ratio"), (r.expectedRate, "expected_rate"), (r.z, "z"), (r.p, "p"), (r.q, "q")] {
        #expect(Self.close(value, x[key]!.doubleValue), "\(label) \(id) \(key): \(String(describing: value)) vs \(x[key]!)")
      }
      #expect(r.flag?.rawValue == x["flag"]!.stringValue, "\(label) \(id) flag")
    }
    #expect(m.excluded.map { f.ids[$0] } == e["excluded"]!.arrayValue!.map { $0.stringValue! })
    #expect(m.missing == e["missing"]!.intValue!)
    let groups = try #require(e["groups"]?.arrayValue)
    try #require(m.groups.count == groups.count)
    for (g, x) in zip(m.groups, groups) {
      #expect(f.ids[g.node] == x["id"]!.stringValue! && g.branches == x["n"]!.intValue!)
      #expect(Self.close(g.tau, x["tau"]!.doubleValue), "\(label) group \(f.ids[g.node])")
    }
    let measures = try #require(e["measures"]?.arrayValue)
    #expect(m.measures.map(\.measure) == measures.map { $0["measure"]!.stringValue! })
    for (a, x) in zip(m.measures, measures) {
      #expect(Int(a.reached) == x["reached"]!.intValue! && Int(a.eligible) == x["eligible"]!.intValue!)
      #expect(Self.close(a.rate, x["rate"]!.doubleValue), "\(a.measure)")
    }
  }

  @Test("a small case by hand: one branch's value is 100 (R + 1/2) / (E + 1/2) over its score")
  func byHand() throws {
    // Z1: score 70; reached 6 + 3 = 9 of eligible 8 + 4 = 12: v = 100 x 9.5 / 12.5 = 76,
    // ratio 76 / 70 = 1.0857142857. Z2: score 75, reached 0 of 9: v = 100 x 0.5 / 9.5 =
    // 5.2631578947, ratio 0.0701754386. Z3: score 72, 7 of 7: v = 100 x 7.5 / 7.5 = 100,
    // ratio 1.3888888889. tau = (1.0857142857 x 0.0701754386 x 1.3888888889)^(1/3)
    // = 0.1058270676^(1/3) = 0.4729...
    let ds = try TempDataset([
      "member_reach.csv": """
        period,node,measure,reached,eligible
        2025,Z1,commitment,6,8
        2025,Z1,talk,3,4
        2025,Z2,commitment,0,9
        2025,Z3,commitment,7,7

        """
    ])
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let m = try #require(AttenuationAnalysis().run(d, period: 1).member)
    let ratios = m.nodes.map { $0.ratio! }
    #expect(Self.close(ratios[0], 76.0 / 70))
    #expect(Self.close(ratios[1], 100 * 0.5 / 9.5 / 75))
    #expect(Self.close(ratios[2], 100.0 / 72))
    #expect(Self.close(m.step.tau, Foundation.pow(76.0 / 70 * (100 * 0.5 / 9.5 / 75) * (100.0 / 72), 1.0 / 3)))
    #expect(m.nodes.map { Int($0.reached) } == [9, 0, 7] && m.nodes.map { Int($0.eligible) } == [12, 9, 7])
    // 2024 has no rows: no member step then, and none without the file or for intensity.
    #expect(AttenuationAnalysis().run(d, period: 0).member == nil)
    #expect(AttenuationAnalysis(metric: .intensity).run(d, period: 1).member == nil)
    let plain = try TempDataset([:])
    defer { plain.cleanUp() }
    let without = try Dataset.load(folder: plain.folder)
    #expect(!without.hasMemberReach && AttenuationAnalysis().run(without, period: 1).member == nil)
  }

  // MARK: - Bad input: the same checks and FILE:LINE messages as the other files

  @Test("every bad row is named by file, line, column and value", arguments: [
    ("2025,Z1,talk,9,8", "member_reach.csv:2: error: column 'reached': 9 exceeds eligible 8"),
    ("2025,Z1,talk,-1,8", "member_reach.csv:2: error: column 'reached': '-1' is not a whole number >= 0"),
    ("2025,Z1,talk,3,8.5", "member_reach.csv:2: error: column 'eligible': '8.5' is not a whole number >= 0"),
    ("2025,Z9,talk,3,8", "member_reach.csv:2: error: column 'node': unknown node 'Z9' (not in org.csv)"),
    ("2026,Z1,talk,3,8", "member_reach.csv:2: error: column 'period': unknown period '2026'"),
    ("2025,U1,talk,3,8", "member_reach.csv:2: error: column 'node': node 'U1' is a unit; member reach is given for the lowest level (branch) only"),
    ("2025,Z1, ,3,8", "member_reach.csv:2: error: column 'measure' is empty"),
    ("2025,Z1,talk,3", "member_reach.csv:2: error: row has 4 fields, the header has 5"),
  ])
  func badRow(_ row: String, _ message: String) throws {
    let ds = try TempDataset(["member_reach.csv": "period,node,measure,reached,eligible\n\(row)\n"])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix(message) }, "\(lines)")
    #expect((try? Dataset.load(folder: ds.folder)) == nil)
  }

  @Test("a second row for a node, period and measure is an error naming the first line")
  func duplicate() throws {
    let ds = try TempDataset([
      "member_reach.csv": "period,node,measure,reached,eligible\n2025,Z1,talk,3,8\n2025,Z2,talk,3,8\n2025,Z1,talk,4,8\n2024,Z1,talk,4,8\n"
    ])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(lines.filter { $0.contains("error") } == [
      "member_reach.csv:4: error: a second row for node 'Z1', period 2025, measure 'talk' (first on line 2)"
    ], "\(lines)")
  }

  @Test("a node outside its valid periods, and a missing column, as in the other files")
  func validityAndHeader() throws {
    let org = "id,parent,level,name,members,valid_to\nB1,,bureau,局,10,\nU1,B1,unit,单位,20,\nZ1,U1,branch,支部,8,2024\n"
    let ds = try TempDataset([
      "org.csv": org, "scores.csv": "",
      "member_reach.csv": "period,node,measure,reached,eligible\n2025,Z1,talk,3,8\n",
    ])
    defer { ds.cleanUp() }
    #expect(ds.diagnostics().contains {
      $0.hasPrefix("member_reach.csv:2: error: column 'node': node 'Z1' does not exist in period 2025 (valid 2024..2024)")
    }, "\(ds.diagnostics())")
    let header = try TempDataset(["member_reach.csv": "period,node,measure,reached\n2025,Z1,talk,3\n"])
    defer { header.cleanUp() }
    #expect(header.diagnostics().contains {
      $0.hasPrefix("member_reach.csv:1: error: missing required column 'eligible' (expected: period,node,measure,reached,eligible)")
    }, "\(header.diagnostics())")
  }

  @Test("eligible 0 and eligible above the node's members are warnings; Chinese headers are read")
  func warnings() throws {
    // Z1 has 8 members in org.csv; members.csv gives Z2 12 in 2025.
    let ds = try TempDataset([
      "members.csv": "period,node,members\n2025,Z2,12\n",
      "member_reach.csv": "期,节点,措施,覆盖人数,应覆盖人数\n2025,Z1,talk,0,0\n2025,Z1,education,3,9\n2025,Z2,talk,10,11\n",
    ])
    defer { ds.cleanUp() }
    let lines = ds.diagnostics()
    #expect(lines.contains { $0.hasPrefix("member_reach.csv:2: warning: node 'Z1', period 2025, measure 'talk' has eligible 0") }, "\(lines)")
    #expect(lines.contains { $0.hasPrefix("member_reach.csv:3: warning: column 'eligible': 9 is more than node 'Z1' has members in period 2025 (8)") }, "\(lines)")
    #expect(!lines.contains { $0.hasPrefix("member_reach.csv:4:") }, "\(lines)")
    #expect(lines.contains { $0.hasPrefix("member_reach.csv:1: warning: headers read by alias") }, "\(lines)")
    let d = try Dataset.load(folder: ds.folder)
    #expect(d.memberReach.count == 3 && d.memberReach.measures == ["talk", "education"])
  }

  // MARK: - The snapshot

  @Test("results are identical from the CSV files and from the snapshot")
  func snapshotSameResults() throws {
    let fx = try Self.fixture()
    let source = try Self.fixtureDataset(fx)
    defer { source.cleanUp() }
    let (dir, cache) = try SnapshotTests.setUp(copying: source.folder)
    defer { SnapshotTests.remove(dir, cache) }
    let fromSnapshot = try SnapshotTests.expectRoundTrip(dir, cache)
    let plain = try Dataset.load(folder: dir, digests: true)
    #expect(fromSnapshot.memberReach == plain.memberReach && plain.memberReach.count > 0)
    for t in 0..<plain.manifest.periods.count {
      let a = try #require(AttenuationAnalysis().run(plain, period: t).member)
      let b = try #require(AttenuationAnalysis().run(fromSnapshot, period: t).member)
      #expect(a.step.tau?.bitPattern == b.step.tau?.bitPattern && a.endRetention?.bitPattern == b.endRetention?.bitPattern)
      #expect(a.nodes.map { $0.ratio?.bitPattern } == b.nodes.map { $0.ratio?.bitPattern })
      #expect(a.nodes.map { $0.flag } == b.nodes.map { $0.flag })
    }
  }
}
