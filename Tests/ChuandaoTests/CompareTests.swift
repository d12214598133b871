import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

@Suite("Compare two periods (docs/compare.md)")
struct CompareAnalysisTests {
  /// Two periods. U2 is renamed U2R in 2025 and its branch Z3 Z3R: both listed apart.
  /// Scores (one subject unless said; U1 has two, equal weights, so its score is their mean):
  ///   2024: B1 100; U1 80 (committee 80, secretary 80); U2 80; Z1 80, Z2 80; Z3 64
  ///   2025: B1 100; U1 90 (committee 100, secretary 80); U2R 90; Z1 90, Z2 90; Z3R 81
  /// tau bureau -> unit: 2024 sqrt(0.8 x 0.8) = 0.8, 2025 0.9; change 0.1.
  /// tau unit -> branch: parents U1 (h = 0) and U2 (ln 0.8): 2024 exp(ln 0.8 / 2) = sqrt 0.8,
  /// 2025 sqrt 0.9. End retention 0.8 sqrt 0.8 -> 0.9 sqrt 0.9.
  /// U1's subjects: 2024 gap 0, index 1; 2025 mean 90, gap 10 (a silo at the default
  /// silo_gap 10), population sd 10, index 1 - 10/90 = 8/9.
  /// Problems: 2024 P1 (Z1, done on time), P2 (Z3, no owner, no project): closure 1/2;
  /// 2025 P3 (Z1), P4 (Z2), both done on time: closure 1.
  static let files: [String: String] = [
    "dataset.yaml": """
      name: tiny
      periods: ["2024", "2025"]
      period_end: {"2024": 2024-12-31, "2025": 2025-12-31}

      """,
    "org.csv": """
      id,parent,level,name,members,valid_from,valid_to,successor
      B1,,bureau,市水务局,10,,,
      U1,B1,unit,水文总站,20,,,
      U2,B1,unit,堤防处,15,,2024,U2R
      U2R,B1,unit,堤防管理处,15,2025,,
      Z1,U1,branch,第一支部,8,,,
      Z2,U1,branch,第二支部,9,,,
      Z3,U2,branch,第三支部,7,,2024,Z3R
      Z3R,U2R,branch,第三支部（更名）,7,2025,,

      """,
    "scores.csv": """
      period,node,subject,score
      2024,B1,committee,100
      2024,U1,committee,80
      2024,U1,secretary,80
      2024,U2,committee,80
      2024,Z1,committee,80
      2024,Z2,committee,80
      2024,Z3,committee,64
      2025,B1,committee,100
      2025,U1,committee,100
      2025,U1,secretary,80
      2025,U2R,committee,90
      2025,Z1,committee,90
      2025,Z2,committee,90
      2025,Z3R,committee,81

      """,
    "problems.csv": """
      period,id,node,domain,source,description
      2024,P1,Z1,finance,self_check,第一个问题
      2024,P2,Z3,finance,self_check,第二个问题
      2025,P3,Z1,finance,self_check,第三个问题
      2025,P4,Z2,finance,self_check,第四个问题

      """,
    "responsibilities.csv": """
      problem,subject,person
      P1,committee,E1
      P3,committee,E1
      P4,committee,E2

      """,
    "projects.csv": """
      problem,id,goal,due,done,status
      P1,J1,整改,2024-10-31,2024-09-30,done
      P3,J3,整改,2025-10-31,2025-09-30,done
      P4,J4,整改,2025-10-31,2025-10-31,done

      """,
  ]

  static func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tol
  }

  @Test("tau, end retention, silos and closure: P, Q and the change by hand; the rename listed apart")
  func byHand() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let f = d.forest
    let r = CompareAnalysis().run(d, from: 0, to: 1)

    // Vertical drop.
    let steps = r.attenuation.steps
    #expect(steps.count == 2)
    #expect(Self.close(steps[0].tau.from, 0.8) && Self.close(steps[0].tau.to, 0.9))
    #expect(Self.close(steps[0].tau.change, 0.1))
    #expect(Self.close(steps[1].tau.from, 0.8.squareRoot()) && Self.close(steps[1].tau.to, 0.9.squareRoot()))
    #expect(Self.close(steps[1].tau.change, 0.9.squareRoot() - 0.8.squareRoot()))
    let (rp, rq) = (0.8 * 0.8.squareRoot(), 0.9 * 0.9.squareRoot())
    #expect(Self.close(r.attenuation.endRetention.from, rp) && Self.close(r.attenuation.endRetention.to, rq))
    #expect(Self.close(r.attenuation.endRetention.change, rq - rp))
    #expect(r.attenuation.groups.map { f.ids[$0.node] } == ["B1"])
    #expect(Self.close(r.attenuation.groups[0].endRetention.change, rq - rp))
    // Three branches cannot reach |z| >= 2: none flagged, so no change.
    #expect(r.attenuation.changed.isEmpty)

    // Only the nodes present in both periods are compared; the rename is listed apart.
    #expect(r.nodes.map { f.ids[$0.node] } == ["B1", "U1", "Z1", "Z2"])
    #expect(r.reorganised.map { "\(f.ids[$0.from])>\(f.ids[$0.to])" } == ["U2>U2R", "Z3>Z3R"])
    #expect(r.onlyFrom.isEmpty && r.onlyTo.isEmpty)

    // No supervision.csv: the horizontal spread is not compared, with a note.
    #expect(r.imbalance == nil)
    #expect(r.notes.contains { $0.en.contains("supervision.csv") })

    // Coordination: U1 became a silo; the unit level's mean index 1 -> 8/9.
    #expect(r.coordination.becameSilo.map { f.ids[$0.node] } == ["U1"])
    #expect(r.coordination.stoppedSilo.isEmpty)
    let silo = r.coordination.becameSilo[0]
    #expect(Self.close(silo.gap.from, 0) && Self.close(silo.gap.to, 10) && Self.close(silo.gap.change, 10))
    #expect(silo.weakest.to.map { d.manifest.subjects[$0] } == "secretary")
    let unit = r.coordination.levels[1]
    #expect(Self.close(unit.meanIndex.from, 1) && Self.close(unit.meanIndex.to, 8.0 / 9))
    #expect(Self.close(unit.meanIndex.change, 8.0 / 9 - 1))
    let u1 = try #require(r.nodes.first { f.ids[$0.node] == "U1" })
    #expect(u1.silo.from == false && u1.silo.to == true && u1.silo.changed)

    // Closure: 1/2 -> 1, for the whole and for B1.
    let closure = try #require(r.closure)
    #expect(closure.all.problems == .init(2, 2))
    #expect(closure.all.onTime == .init(1, 2))
    #expect(closure.all.closureIndex.from == 0.5 && closure.all.closureIndex.to == 1)
    #expect(closure.all.closureIndex.change == 0.5)
    #expect(closure.groups.map { f.ids[$0.node] } == ["B1"])
    #expect(closure.groups[0].scope.closureIndex.change == 0.5)
    #expect(closure.asOf.from.map(ISODate.format) == "2024-12-31")

    // Assessment: every level's nodes are graded in both periods; one or two nodes a level
    // (q = 0.25 .. 0.83) are all good, so no grade changes.
    #expect(r.assess.levels.map(\.ranked) == [.init(1, 1), .init(2, 2), .init(3, 3)])
    #expect(r.assess.levels.map { $0.grades[1] } == [.init(1, 1), .init(2, 2), .init(3, 3)])
    #expect(r.assess.changed.isEmpty)
  }

  @Test("backwards (Q before P): the changes change sign and the rename pairs P's node with Q's")
  func backwards() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let f = d.forest
    let r = CompareAnalysis().run(d, from: 1, to: 0)
    #expect(Self.close(r.attenuation.steps[0].tau.change, -0.1))
    #expect(r.reorganised.map { "\(f.ids[$0.from])>\(f.ids[$0.to])" } == ["U2R>U2", "Z3R>Z3"])
    #expect(r.coordination.stoppedSilo.map { f.ids[$0.node] } == ["U1"])
    #expect(r.closure?.all.closureIndex.change == -0.5)
  }

  @Test("without problems.csv or a period_end, the closed loop is not compared")
  func noClosure() throws {
    var files = Self.files
    files["dataset.yaml"] = "periods: [\"2024\", \"2025\"]\n"
    let ds = try TempDataset(files, base: nil)
    defer { ds.cleanUp() }
    let r = CompareAnalysis().run(try Dataset.load(folder: ds.folder), from: 0, to: 1)
    #expect(r.closure == nil)
    #expect(r.notes.contains { $0.en.contains("period_end") })
  }

  @Test("imbalance: the flag changes equal those of the two periods' own runs")
  func imbalanceFlags() throws {
    // The sample, which has supervision: the changes must be exactly the differences
    // between the bottom level's flags in the two periods.
    let d = try Dataset.load(folder: Fixtures.repository.appendingPathComponent("datasets/sample").path)
    let L = d.forest.levelCount
    let (p, q) = (2, 4)
    let r = CompareAnalysis().run(d, from: p, to: q)
    let m = try #require(r.imbalance)
    var analysis = ImbalanceAnalysis(level: L - 1, adjust: ImbalanceAnalysis.defaultAdjustment(d))
    analysis.testsNodes = false
    let (ip, iq) = (try analysis.run(d, period: p), try analysis.run(d, period: q))
    var fp: [Int: FunnelFlag] = [:]
    var fq: [Int: FunnelFlag] = [:]
    for (row, i) in ip.nodes.enumerated() { fp[i] = ip.funnel.flags[row] }
    for (row, i) in iq.nodes.enumerated() { fq[i] = iq.funnel.flags[row] }
    let expected = Set(fp.keys.filter { fq[$0] != nil && fq[$0] != fp[$0] })
    #expect(Set(m.changed.map(\.node)) == expected)
    for c in m.changed { #expect(c.from == fp[c.node] && c.to == fq[c.node]) }
    #expect(m.phi.from == ip.funnel.phi && m.phi.to == iq.funnel.phi)
    let cold = m.counts.first { $0.flag == .cold }!.count
    #expect(cold.from == ip.funnel.flags.filter { $0 == .cold }.count)
    #expect(cold.change == cold.to - cold.from)
  }
}
