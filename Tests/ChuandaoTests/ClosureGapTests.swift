import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// Gaps in the closure tests (METHODS.md section 5): the planted late, on-time and
/// open-not-due problems land in the right counts (not only the breaks), and the date
/// boundaries (due = as-of is not overdue, done = due is on time, done = as-of is done).
@Suite("Closure gaps (METHODS.md section 5)")
struct ClosureGapTests {
  /// [problems, owned, planned, done, on_time, overdue]
  static func vector(_ c: ClosureResult.Counts) -> [Int] {
    [c.problems, c.owned, c.planned, c.done, c.onTime, c.overdue]
  }

  /// What each planted outcome of truth.json adds to its node's counts, by METHODS.md
  /// section 5's definitions ([problems, owned, planned, done, on_time, overdue]):
  /// - unowned: a problem only (the generator gives it no responsibility and no project);
  /// - unplanned: owned, no (live) project;
  /// - overdue: owned, planned, an open project past due;
  /// - late: owned, planned, done (after its due date, before period_end): not on time;
  /// - on_time: owned, planned, done, on time (dropped projects beside it are ignored);
  /// - open_not_due: owned, planned, open, due next year: neither done nor overdue.
  static let outcome: [String: [Int]] = [
    "unowned": [1, 0, 0, 0, 0, 0],
    "unplanned": [1, 1, 0, 0, 0, 0],
    "overdue": [1, 1, 1, 0, 0, 1],
    "late": [1, 1, 1, 1, 0, 0],
    "on_time": [1, 1, 1, 1, 1, 0],
    "open_not_due": [1, 1, 1, 0, 0, 0],
  ]

  @Test("planted outcomes give each node (and its ancestors) exactly the counts truth.json implies", arguments: [1, 2] as [UInt64])
  func plantedCounts(_ seed: UInt64) throws {
    let (d, truth) = DatasetGenerator(.preset(.sample, seed: seed)).makeDataset()
    let f = d.forest
    let row = Dictionary(uniqueKeysWithValues: d.problems.id.enumerated().map { ($1, $0) })
    var seen: [String: Int] = [:]
    var comparedNodes = 0
    for (t, label) in d.manifest.periods.enumerated() {
      let asOf = try #require(d.manifest.periodEnd[t], "seed \(seed): no period_end for \(label)")
      let lists = try #require(truth["lists"]?[label], "seed \(seed) \(label)")
      // Expected counts per node from the planted outcomes, rolled up by walking parents.
      var want = [[Int]](repeating: [0, 0, 0, 0, 0, 0], count: f.count)
      var planted = Set<String>()
      for (key, add) in Self.outcome {
        for id in lists[key]!.strings {
          let p = try #require(row[id], "seed \(seed): \(id) not in problems.csv")
          #expect(Int(d.problems.period[p]) == t)
          #expect(planted.insert(id).inserted, "seed \(seed): \(id) planted twice")
          var i = Int(d.problems.node[p])
          while i >= 0 {
            for c in 0..<6 { want[i][c] += add[c] }
            i = Int(f.parent[i])
          }
          seen[key, default: 0] += 1
        }
      }
      // Every problem of the period has exactly one planted outcome.
      let ofPeriod = Set(d.problems.id.indices.filter { Int(d.problems.period[$0]) == t }.map { d.problems.id[$0] })
      #expect(planted == ofPeriod, "seed \(seed) \(label)")

      let r = ClosureAnalysis(asOf: asOf).run(d, period: t)
      for (k, i) in r.nodes.enumerated() {
        #expect(Self.vector(r.counts[k]) == want[i], "seed \(seed) \(label) \(f.ids[i])")
        comparedNodes += 1
      }
    }
    #expect(comparedNodes > 0)
    // The outcomes this test is about were planted (so the counts were exercised).
    for key in ["late", "on_time", "open_not_due", "overdue"] {
      #expect((seen[key] ?? 0) >= 3, "seed \(seed): only \(seen[key] ?? 0) \(key) problems planted")
    }
  }

  /// One branch Z1 and five owned problems, each with one project:
  ///   P1 open, due 2025-12-31
  ///   P2 done 2025-06-30, due 2025-06-30   (done on its due date)
  ///   P3 done 2025-12-31, due 2025-12-31   (done on the as-of date, = due)
  ///   P4 open, due 2025-12-30
  ///   P5 done 2025-07-01, due 2025-06-30   (one day late)
  /// By hand, with "done as of D" = status done and done date <= D, "on time" = every
  /// done date <= due, "overdue" = some project not done with due < D:
  ///   as of 2025-12-31 (period_end): done P2, P3, P5; on time P2, P3; overdue P4 only (P1's
  ///     due = D is not past): [5, 5, 5, 3, 2, 1], closure index 2/5;
  ///   as of 2026-01-01: the same, and P1 is now past due: overdue P1, P4: [5, 5, 5, 3, 2, 2];
  ///   as of 2025-12-30: P3 is not done yet (done after D) but not overdue (due 12-31 is not
  ///     past); P4's due = D is not past: done P2, P5, on time P2: [5, 5, 5, 2, 1, 0].
  static let boundary: [String: String] = [
    "dataset.yaml": "periods: [\"2025\"]\nperiod_end: {\"2025\": 2025-12-31}\n",
    "org.csv": """
      id,parent,level,name,members
      B1,,bureau,局,10
      U1,B1,unit,单位,10
      Z1,U1,branch,支部,10

      """,
    "problems.csv": """
      period,id,node,domain
      2025,P1,Z1,finance
      2025,P2,Z1,finance
      2025,P3,Z1,assets
      2025,P4,Z1,assets
      2025,P5,Z1,other

      """,
    "responsibilities.csv": """
      problem,subject
      P1,committee
      P2,committee
      P3,secretary
      P4,commission
      P5,members

      """,
    "projects.csv": """
      problem,id,due,done,status
      P1,J1,2025-12-31,,open
      P2,J2,2025-06-30,2025-06-30,done
      P3,J3,2025-12-31,2025-12-31,done
      P4,J4,2025-12-30,,open
      P5,J5,2025-06-30,2025-07-01,done

      """,
  ]

  @Test("boundaries: due = as-of is not overdue, done = due is on time, done = as-of is done", arguments: [
    ("2025-12-31", [5, 5, 5, 3, 2, 1], ["P4"]),
    ("2026-01-01", [5, 5, 5, 3, 2, 2], ["P1", "P4"]),
    ("2025-12-30", [5, 5, 5, 2, 1, 0], []),
  ])
  func boundaries(_ asOf: String, _ want: [Int], _ overdue: [String]) throws {
    let ds = try TempDataset(Self.boundary, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let date = try #require(ISODate.parse(asOf))
    let r = ClosureAnalysis(asOf: date).run(d, period: 0)
    try #require(r.nodes.count == 3)
    // The same counts on Z1 and, rolled up, on U1 and B1.
    for (k, i) in r.nodes.enumerated() {
      #expect(Self.vector(r.counts[k]) == want, "\(d.forest.ids[i]) as of \(asOf)")
    }
    #expect(r.counts[0].closureIndex == Double(want[4]) / 5)
    #expect(r.breaks.overdue.map { d.problems.id[$0] } == overdue)
    #expect(r.breaks.unowned.isEmpty && r.breaks.unplanned.isEmpty)
    if asOf == "2025-12-31" {
      #expect(ClosureAnalysis.defaultAsOf(d, period: 0) == date)
    }
  }
}
