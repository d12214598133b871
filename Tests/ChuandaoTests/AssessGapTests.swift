import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// Gaps in the assessment tests (METHODS.md section 7): a case worked by hand in which the
/// closure indicator is defined (problems with projects and a period_end) and goes through
/// normalisation, the composite, ranks, grades and reasons.
@Suite("Assessment gaps (METHODS.md section 7)")
struct AssessGapTests {
  /// One period (2025, period_end 2025-12-31), bureau B1 over units U1 to U4, two subjects.
  /// No supervision.csv: no flags, so balance is null everywhere (a note says so).
  ///
  ///   node  committee secretary  score  C = 1 - popsd/mean
  ///   B1        90       90        90     1
  ///   U1        80       80        80     1
  ///   U2        90       64        77     1 - 13/77 = 64/77 = 0.8311688311688312
  ///   U3        60       60        60     1
  ///   U4        70       60        65     1 - 5/65 = 12/13 = 0.9230769230769231
  ///
  /// Problems (all owned), as of 2025-12-31:
  ///   U1: P1 done 03-01 <= due 06-30, P2 done 05-01 = due 05-01: both on time -> 2/2 = 1
  ///   U2: P3 done 09-01 <= due 09-30 (on time), P4 open, due 10-01 (overdue) -> 1/2 = 0.5
  ///   U3: P5 done 08-01 > due 06-30 (late) -> 0/1 = 0
  ///   U4: no problems -> closure null
  ///   B1 (subtree): 3 on time of 5 -> 0.6
  ///
  /// Unit goalposts (the only period): score [60, 80], closure [0, 1], coordination
  /// [64/77, 1]; transmission and balance null for units.
  ///   normalised score: U1 100, U2 (77-60)/20 = 85, U3 0, U4 25
  ///   closure:          U1 100, U2 50, U3 0, U4 -
  ///   coordination:     U1 100, U2 0, U3 100,
  ///                     U4 (12/13 - 64/77)/(1 - 64/77) = (92/1001)/(13/77) = 92/169 -> 54.43786982248521
  /// Composite = sum w x / sum w over the indicators present (score 0.4, closure 0.15,
  /// coordination 0.1):
  ///   U1 (40 + 15 + 10)/0.65 = 100
  ///   U2 (0.4 x 85 + 0.15 x 50 + 0)/0.65 = 41.5/0.65 = 63.84615384615385
  ///   U3 (0 + 0 + 10)/0.65 = 15.384615384615385
  ///   U4 (0.4 x 25 + 0.1 x 54.43786982248521)/0.5 = 30.887573964497042
  /// Ranks U1 1, U2 2, U4 3, U3 4 of n = 4; Hazen q = 0.125, 0.375, 0.625, 0.875:
  ///   excellent, good, good, fair.
  /// Reasons (largest w (100 - x) first, at most two, none at 0):
  ///   U1 none; U2 coordination 10, closure 7.5 (score 6); U3 score 40, closure 15;
  ///   U4 score 30, coordination 4.556.
  /// B1: score 90, transmission exp(h_B1 - gbar) = 1 (the only parent), closure 0.6,
  /// coordination 1; the only bureau, so every goalpost has max = min: all 100, composite
  /// 100, rank 1 of 1 (q = 0.5, good), no reasons.
  static let files: [String: String] = [
    "dataset.yaml": """
      levels: [bureau, unit]
      subjects: [committee, secretary]
      periods: ["2025"]
      period_end: {"2025": 2025-12-31}

      """,
    "org.csv": """
      id,parent,level,name,members
      B1,,bureau,局,10
      U1,B1,unit,单位一,10
      U2,B1,unit,单位二,10
      U3,B1,unit,单位三,10
      U4,B1,unit,单位四,10

      """,
    "scores.csv": """
      period,node,subject,score
      2025,B1,committee,90
      2025,B1,secretary,90
      2025,U1,committee,80
      2025,U1,secretary,80
      2025,U2,committee,90
      2025,U2,secretary,64
      2025,U3,committee,60
      2025,U3,secretary,60
      2025,U4,committee,70
      2025,U4,secretary,60

      """,
    "problems.csv": """
      period,id,node,domain
      2025,P1,U1,finance
      2025,P2,U1,assets
      2025,P3,U2,finance
      2025,P4,U2,personnel
      2025,P5,U3,other

      """,
    "responsibilities.csv": """
      problem,subject
      P1,committee
      P2,secretary
      P3,committee
      P4,secretary
      P5,committee

      """,
    "projects.csv": """
      problem,id,due,done,status
      P1,J1,2025-06-30,2025-03-01,done
      P2,J2,2025-05-01,2025-05-01,done
      P3,J3,2025-09-30,2025-09-01,done
      P4,J4,2025-10-01,,open
      P5,J5,2025-06-30,2025-08-01,done

      """,
  ]

  static func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool {
    a.map { abs($0 - b) <= tol * max(1, abs(b)) } ?? false
  }

  @Test("closure indicator through the whole composite, worked by hand")
  func closureThroughComposite() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AssessAnalysis().run(d, period: 0)
    let row = Dictionary(uniqueKeysWithValues: r.nodes.map { (d.forest.ids[$0.node], $0) })
    try #require(Set(row.keys) == ["B1", "U1", "U2", "U3", "U4"])
    // Indicator order: score, transmission, balance, closure, coordination.
    #expect(AssessAnalysis.indicators == ["score", "transmission", "balance", "closure", "coordination"])
    #expect(r.notes.map(\.en) == ["the dataset has no supervision.csv: no node is flagged cold or hot"])

    // Raw closure indices.
    #expect(row["U1"]!.raw[3] == 1 && row["U2"]!.raw[3] == 0.5 && row["U3"]!.raw[3] == 0)
    #expect(row["U4"]!.raw[3].isNaN)
    #expect(Self.close(row["B1"]!.raw[3], 0.6, 1e-15))
    // Raw coordination and the unit goalposts.
    #expect(Self.close(row["U2"]!.raw[4], 64.0 / 77, 1e-12) && Self.close(row["U4"]!.raw[4], 12.0 / 13, 1e-12))
    let unit = r.goalposts[1]
    #expect(unit[0]?.min == 60 && unit[0]?.max == 80)
    #expect(unit[3]?.min == 0 && unit[3]?.max == 1)
    #expect(unit[1] == nil && unit[2] == nil)

    // Normalised closure and coordination.
    #expect(row["U1"]!.normalised[3] == 100 && row["U2"]!.normalised[3] == 50 && row["U3"]!.normalised[3] == 0)
    #expect(row["U4"]!.normalised[3].isNaN)
    #expect(Self.close(row["U4"]!.normalised[4], 100.0 * 92 / 169))
    #expect(Self.close(row["U2"]!.normalised[0], 85))

    // Composites.
    #expect(Self.close(row["U1"]!.composite, 100))
    #expect(Self.close(row["U2"]!.composite, 63.84615384615385))
    #expect(Self.close(row["U3"]!.composite, 15.384615384615385))
    #expect(Self.close(row["U4"]!.composite, 30.887573964497042))
    #expect(Self.close(row["B1"]!.composite, 100))

    // Ranks, Hazen grades (0 excellent, 1 good, 2 fair, 3 poor) and reasons.
    #expect(["U1", "U2", "U4", "U3"].map { row[$0]!.rank } == [1, 2, 3, 4])
    #expect(["U1", "U2", "U4", "U3"].map { row[$0]!.grade } == [0, 1, 1, 2])
    #expect(row["B1"]!.rank == 1 && row["B1"]!.grade == 1)
    #expect(row["U1"]!.reasons == [])
    #expect(row["U2"]!.reasons == [4, 3])
    #expect(row["U3"]!.reasons == [0, 3])
    #expect(row["U4"]!.reasons == [0, 4])
    #expect(row["B1"]!.reasons == [])
  }

  @Test("without a period_end the closure indicator is null and drops out of the composite")
  func noPeriodEnd() throws {
    // The same data without period_end: closure null for all; composites over score and
    // coordination only (weights 0.4 and 0.1 -> 0.8 and 0.2):
    //   U1 100; U2 0.8 x 85 + 0 = 68; U3 0 + 0.2 x 100 = 20; U4 0.8 x 25 + 0.2 x 54.4379 =
    //   30.887573964497042 (unchanged: U4 had no closure anyway).
    var files = Self.files
    files["dataset.yaml"] = "levels: [bureau, unit]\nsubjects: [committee, secretary]\nperiods: [\"2025\"]\n"
    let ds = try TempDataset(files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = AssessAnalysis().run(d, period: 0)
    let row = Dictionary(uniqueKeysWithValues: r.nodes.map { (d.forest.ids[$0.node], $0) })
    #expect(r.nodes.allSatisfy { $0.raw[3].isNaN })
    #expect(Self.close(row["U2"]!.composite, 68))
    #expect(Self.close(row["U3"]!.composite, 20))
    #expect(Self.close(row["U4"]!.composite, 30.887573964497042))
  }
}
