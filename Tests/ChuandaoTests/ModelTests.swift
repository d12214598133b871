import Foundation
import Testing

@testable import Chuandao

@Suite("The data model")
struct ModelTests {
  /// A forest of `shape` (roots, then children per parent), rows in file order with each
  /// parent's children listed after all roots, interleaved to make BFS reordering matter.
  static func rows(shape: [Int], periods: Int = 1) -> OrgRows {
    var rows = OrgRows()
    var frontier: [Int32] = []
    for r in 0..<shape[0] {
      append(&rows, id: "N\(rows.ids.count)", parent: -1, level: 0, line: r, periods: periods)
      frontier.append(Int32(rows.ids.count - 1))
    }
    for k in 1..<shape.count {
      var next: [Int32] = []
      // Children are appended child-index-major, so a parent's children are not adjacent
      // in file order.
      for c in 0..<shape[k] {
        for p in frontier {
          append(&rows, id: "N\(rows.ids.count)", parent: p, level: UInt8(k), line: c, periods: periods)
          next.append(Int32(rows.ids.count - 1))
        }
      }
      frontier = next
    }
    return rows
  }

  static func append(_ rows: inout OrgRows, id: String, parent: Int32, level: UInt8, line: Int, periods: Int) {
    rows.ids.append(id)
    rows.names.append("名\(id)")
    rows.parent.append(parent)
    rows.level.append(level)
    rows.members.append(Int32(1 + rows.ids.count % 7))
    rows.validFrom.append(0)
    rows.validTo.append(Int32(periods - 1))
    rows.partyAdminSplit.append(-1)
    rows.disciplineStaff.append(-1)
    rows.successor.append(-1)
    rows.line.append(Int32(rows.ids.count + 1))
  }

  @Test("breadth-first order: levels contiguous, children contiguous, parent links intact")
  func breadthFirst() {
    let rows = Self.rows(shape: [2, 3, 2])
    let (f, position) = Forest.build(levelNames: ["a", "b", "c"], rows: rows)
    #expect(f.count == 2 + 6 + 12)
    #expect(f.levelRange(0) == 0..<2)
    #expect(f.levelRange(1) == 2..<8)
    #expect(f.levelRange(2) == 8..<20)
    for i in 0..<f.count {
      // Every file row maps to a node with the same id, parent and level.
      let r = Int(position.firstIndex(of: Int32(i))!)
      #expect(f.ids[i] == rows.ids[r])
      if rows.parent[r] >= 0 {
        #expect(f.ids[Int(f.parent[i])] == rows.ids[Int(rows.parent[r])])
      }
      for c in f.children(of: i) { #expect(Int(f.parent[c]) == i) }
    }
    // Children of the first root: file rows 2, 4, 6 (child-index-major interleaving), so
    // its children are N2, N4, N6 in that order.
    #expect(f.children(of: 0).map { f.ids[$0] } == ["N2", "N4", "N6"])
    #expect(f.index(of: " N4 ") == f.index(of: "N4"))
    #expect(f.index(of: "nope") == nil)
  }

  @Test("ancestors, descendants and subtree iteration")
  func subtrees() {
    let (f, _) = Forest.build(levelNames: ["a", "b", "c"], rows: Self.rows(shape: [2, 3, 2]))
    for i in f.levelRange(2) {
      let a = f.ancestor(of: i, atLevel: 0)
      #expect(f.level[a] == 0)
      #expect(f.descendants(of: a, atLevel: 2).contains(i))
      #expect(f.ancestor(of: i, atLevel: 1) == Int(f.parent[i]))
    }
    // Root 0 has 3 children with 2 children each: 1 + 3 + 6 = 10 nodes in its subtree.
    var seen: [Int] = []
    f.forEachInSubtree(of: 0) { seen.append($0) }
    #expect(seen.count == 10)
    #expect(seen.allSatisfy { f.ancestor(of: $0, atLevel: 0) == 0 })
    #expect(f.descendants(of: 1, atLevel: 2).count == 6)
  }

  @Test("roll-up sums a column over each subtree")
  func rollUp() {
    let (f, _) = Forest.build(levelNames: ["a", "b", "c"], rows: Self.rows(shape: [2, 3, 2]))
    let ones = [Int](repeating: 1, count: f.count)
    let sizes = f.rollUp(ones)
    // Subtree sizes by hand: a root 1 + 3 + 6 = 10, a middle node 1 + 2 = 3, a leaf 1.
    for i in 0..<f.count {
      #expect(sizes[i] == [10, 3, 1][Int(f.level[i])])
    }
  }

  @Test("a 6-level forest of 149,796 nodes builds and rolls up without recursion")
  func deepAndWide() {
    // Nothing here recurses, so depth and size cost no stack; the 5-million-node national
    // preset is loaded in the benchmarks (a debug build is too slow for it in a test).
    let shape = [4, 8, 8, 8, 8, 8]
    let (f, _) = Forest.build(levelNames: ["l0", "l1", "l2", "l3", "l4", "l5"], rows: Self.rows(shape: shape))
    #expect(f.count == 4 + 32 + 256 + 2_048 + 16_384 + 131_072)
    let sizes = f.rollUp([Int](repeating: 1, count: f.count))
    // Each root: 1 + 8 + 64 + 512 + 4096 + 32768 = 37,449.
    #expect(f.levelRange(0).allSatisfy { sizes[$0] == 37_449 })
    #expect(f.descendants(of: 3, atLevel: 5).count == 32_768)
    #expect(f.ancestor(of: f.count - 1, atLevel: 0) == 3)
  }

  @Test("ISO dates round-trip and impossible dates are rejected")
  func dates() {
    // 1970-01-01 is day 0; 2000-03-01 is day 11017 (30 years of 365 days + 7 leap days
    // 1972..1996 = 10957 to 2000-01-01, + 31 + 29 = 11017).
    #expect(ISODate.parse("1970-01-01") == 0)
    #expect(ISODate.parse("2000-03-01") == 11017)
    #expect(ISODate.parse("2024-02-29") != nil)
    #expect(ISODate.parse("2023-02-29") == nil)
    #expect(ISODate.parse("2025-13-01") == nil)
    #expect(ISODate.parse("2025-1-01") == nil)
    #expect(ISODate.format(11017) == "2000-03-01")
    for d in stride(from: Int32(-800_000), to: 800_000, by: 997) {
      #expect(ISODate.parse(ISODate.format(d)) == d || ISODate.format(d).hasPrefix("-"))
    }
  }
}

@Suite("Loading: metrics, encodings, the sample")
struct LoadingTests {
  @Test("section 1 metrics on a case worked by hand")
  func metrics() throws {
    let ds = try TempDataset([
      "dataset.yaml": """
        periods: ["2025"]
        subject_weights: {committee: 3, secretary: 1}
        kind_weights: {reminder: 1, interview: 2}

        """,
      "scores.csv": """
        period,node,subject,score,dimension
        2025,B1,committee,90,know
        2025,B1,committee,80,fulfil
        2025,B1,secretary,60,know
        2025,U1,committee,80,
        2025,U2,committee,85,
        2025,Z1,committee,70,
        2025,Z2,committee,75,
        2025,Z3,committee,72,

        """,
      "supervision.csv": """
        period,node,kind,domain,count
        2025,U1,reminder,finance,3
        2025,U1,interview,finance,1
        2025,U1,interview,assets,1
        2025,U1,reminder,finance,1

        """,
    ])
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let f = d.forest
    let p = d.periods[0]
    let b1 = f.index(of: "B1")!
    let u1 = f.index(of: "U1")!
    let u2 = f.index(of: "U2")!
    // B1: committee = mean(90, 80) = 85, secretary 60; score = (3*85 + 1*60)/4 = 78.75.
    #expect(p.scores[b1 * 4 + 0] == 85)
    #expect(p.scores[b1 * 4 + 1] == 60)
    #expect(p.metrics.score[b1] == 78.75)
    // U1 has committee only: score = 80.
    #expect(p.metrics.score[u1] == 80)
    // U1: reminders 3 + 1 = 4 (duplicate rows add), interviews 2 -> weighted 4*1 + 2*2 = 8,
    // members 20: intensity 100*8/20 = 40, smoothed 100*8.5/20 = 42.5; early 4/6.
    #expect(p.metrics.intensity[u1] == 40)
    #expect(p.metrics.intensitySmoothed[u1] == 42.5)
    #expect(p.metrics.earlyShare[u1] == 4.0 / 6.0)
    #expect(p.metrics.supervisionTotal[u1] == 6)
    // U2 has no rows: zero supervision (data, not missing), early share undefined.
    #expect(p.metrics.intensity[u2] == 0)
    #expect(p.metrics.intensitySmoothed[u2] == 100 * 0.5 / 15)
    #expect(p.metrics.earlyShare[u2].isNaN)
  }

  @Test("members.csv overrides org.csv per period; roll-up of members")
  func membersOverride() throws {
    let ds = try TempDataset(["members.csv": "period,node,members\n2025,Z1,30\n"])
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let z1 = d.forest.index(of: "Z1")!
    #expect(d.periods[0].members[z1] == 8)
    #expect(d.periods[1].members[z1] == 30)
    // B1's subtree in 2025: 10 + 20 + 15 + 30 + 9 + 7 = 91.
    let total = d.forest.rollUp(d.periods[1].members.map(Int.init))
    #expect(total[d.forest.index(of: "B1")!] == 91)
  }

  @Test("GB18030 and BOM twins load to the same model as UTF-8", arguments: ["utf8-bom", "gb18030"])
  func encodings(_ twin: String) throws {
    let root = Fixtures.root.appendingPathComponent("encodings")
    let a = try Dataset.load(folder: root.appendingPathComponent("utf8").path)
    let b = try Dataset.load(folder: root.appendingPathComponent(twin).path)
    #expect(a.forest.ids == b.forest.ids)
    #expect(a.forest.names == b.forest.names)
    #expect(a.forest.names.contains("水文总站（\"试点\", 㐀𠀀）"))
    #expect(a.forest.names.contains("行政服务中心,联合支部"))
    #expect(a.periods[0].scores.elementsEqual(b.periods[0].scores) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    #expect(a.problems.description == b.problems.description)
    #expect(a.problems.description == ["报销不规范，\r\n需整改"])
    #expect(b.file("org.csv")?.encoding == twin)
    #expect(a.file("org.csv")?.encoding == "utf8")
  }

  @Test("the bundled sample loads without errors")
  func sample() throws {
    let folder = Fixtures.repository.appendingPathComponent("datasets/sample").path
    let (d, log) = Dataset.validate(folder: folder)
    #expect(!log.hasErrors, "\(log.items.map { $0.formatted(.en) })")
    let dataset = try #require(d)
    #expect(dataset.manifest.periods.count == 5)
    #expect(dataset.forest.levelRange(0).map { dataset.forest.names[$0] }.prefix(2) == ["市水务局", "市交通委"])
  }
}
