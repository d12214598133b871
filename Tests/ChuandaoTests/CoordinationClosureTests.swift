import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

@Suite("Coordination (METHODS.md section 4)")
struct CoordinationTests {
  /// Z1: 80, 90, 70, 60 -> mean 75, population sd sqrt(125) = 11.1803, C = 1 - 11.1803/75 =
  /// 0.850928801500014, weakest members (60), gap 15: a silo.
  /// Z2: committee 70, secretary 70, commission 80 -> mean 73.3333, sd 4.714045207910316,
  /// C = 0.9357175653466775; committee and secretary tie for weakest: committee (first in
  /// `subjects`), gap 3.3333.
  /// Z3: one subject only: not listed. U2: 90 and 70 -> mean 80, gap exactly 10: a silo.
  /// B1: 0 and 0 -> mean 0, index null, gap 0.
  static let files: [String: String] = [
    "dataset.yaml": "periods: [\"2025\"]\n",
    "org.csv": """
      id,parent,level,name,members,party_admin_split
      B1,,bureau,局,10,
      U1,B1,unit,单位一,10,true
      U2,B1,unit,单位二,10,false
      Z1,U1,branch,支部一,10,
      Z2,U1,branch,支部二,10,
      Z3,U2,branch,支部三,10,

      """,
    "scores.csv": """
      period,node,subject,score
      2025,Z1,committee,80
      2025,Z1,secretary,90
      2025,Z1,commission,70
      2025,Z1,members,60
      2025,Z2,committee,70
      2025,Z2,secretary,70
      2025,Z2,commission,80
      2025,Z3,committee,75
      2025,U2,committee,90
      2025,U2,members,70
      2025,U1,committee,88
      2025,U1,secretary,88
      2025,B1,committee,0
      2025,B1,secretary,0

      """,
  ]

  @Test("index, weakest, gap and silo by hand; ties; one subject; a zero mean; dual core")
  func handWorked() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = CoordinationAnalysis(siloGap: 10).run(d, period: 0)
    let row = Dictionary(uniqueKeysWithValues: r.nodes.map { (d.forest.ids[$0.node], $0) })
    #expect(Set(row.keys) == ["B1", "U1", "U2", "Z1", "Z2"])
    let z1 = try #require(row["Z1"])
    #expect(abs(z1.index! - 0.850928801500014) < 1e-12 && z1.weakest == 3 && abs(z1.gap - 15) < 1e-12 && z1.silo)
    let z2 = try #require(row["Z2"])
    #expect(abs(z2.index! - 0.9357175653466775) < 1e-12 && z2.weakest == 0 && !z2.silo)
    #expect(row["U2"]!.silo && abs(row["U2"]!.gap - 10) < 1e-12)
    #expect(row["B1"]!.index == nil && row["B1"]!.gap == 0)
    // U1 88, 88: sd 0, C = 1, gap 0.
    #expect(row["U1"]!.index == 1 && !row["U1"]!.silo)
    // Dual core: U1 (split) 1; U2 (not split) 90/70 -> sd 10, C = 1 - 10/80 = 0.875.
    #expect(r.splitMeanIndex == 1)
    #expect(abs(r.jointMeanIndex! - 0.875) < 1e-12)
    // Branch level mean index: (0.850928801500014 + 0.9357175653466775) / 2.
    #expect(abs(r.levels[2].meanIndex! - (0.850928801500014 + 0.9357175653466775) / 2) < 1e-12)
  }

  @Test("Pearson r by hand; null with fewer than 2 pairs or no variance")
  func correlation() {
    // x 1 2 3, y 2 4 7: sxy 5, sxx 2, syy 12.6667, r = 5 / sqrt(25.3333) = 0.9933992677987828.
    #expect(abs(pearson([1, 2, 3], [2, 4, 7])! - 0.9933992677987828) < 1e-12)
    #expect(pearson([1], [2]) == nil)
    #expect(pearson([1, 1, 1], [1, 2, 3]) == nil)
  }

  @Test("every planted silo of the city preset is found")
  func planted() throws {
    let (d, truth) = DatasetGenerator(.preset(.city, seed: 31)).makeDataset()
    let t = d.periods.count - 1
    let r = CoordinationAnalysis().run(d, period: t)
    let silos = Set(r.nodes.filter(\.silo).map { d.forest.ids[$0.node] })
    let planted = truth["coordination"]!["silo"]!.arrayValue!
    #expect(planted.count >= 10)
    for e in planted {
      let id = e["id"]!.stringValue!
      guard d.forest.exists(d.forest.index(of: id)!, in: t) else { continue }
      #expect(silos.contains(id), "\(id)")
      let row = r.nodes.first { d.forest.ids[$0.node] == id }!
      #expect(d.manifest.subjects[row.weakest] == e["subject"]!.stringValue!)
    }
  }
}

@Suite("Closure (METHODS.md section 5)")
struct ClosureTests {
  /// B1 > U1 > Z1, Z2; B1 > U2. Period 2025 ends 2025-12-31. By hand (as of 2025-12-31):
  /// P1 Z1 owned, J1 done 05-01 <= due 06-30: done, on time.
  /// P2 Z1 owned, J2 done 07-01 > due 06-30, J3 done 03-01 <= due 04-01: done, not on time.
  /// P3 Z2 owned, J4 dropped only: unplanned.
  /// P4 Z2 no owner, J5 open due 09-30 < D: unowned and overdue.
  /// P5 U2 owned, J6 'done' on 2026-01-15, after D, due 12-01: not done, overdue.
  /// P6 U1 owned, J7 open due 2026-03-01: neither done nor overdue.
  /// P7 B1 owned, J8 dropped, J9 done 02-01 <= due 03-01: planned, done, on time.
  /// Z1 2/2/2/2/1/0; Z2 2/1/1/0/0/1; U1 (subtree) 5/4/4/2/1/1; U2 1/1/1/0/0/1;
  /// B1 7/6/6/3/2/2, closure index 2/7.
  static let files: [String: String] = [
    "dataset.yaml": "periods: [\"2025\"]\nperiod_end: {\"2025\": 2025-12-31}\n",
    "org.csv": """
      id,parent,level,name,members
      B1,,bureau,局,10
      U1,B1,unit,单位一,10
      U2,B1,unit,单位二,10
      Z1,U1,branch,支部一,10
      Z2,U1,branch,支部二,10

      """,
    "problems.csv": """
      period,id,node,domain,source,description
      2025,P1,Z1,finance,audit,a
      2025,P2,Z1,finance,audit,b
      2025,P3,Z2,assets,audit,c
      2025,P4,Z2,assets,audit,d
      2025,P5,U2,personnel,audit,e
      2025,P6,U1,personnel,audit,f
      2025,P7,B1,other,audit,g

      """,
    "responsibilities.csv": """
      problem,subject,person
      P1,committee,E1
      P2,secretary,E2
      P3,commission,E3
      P5,members,E5
      P6,committee,E6
      P7,committee,E7

      """,
    "projects.csv": """
      problem,id,goal,due,done,status
      P1,J1,g,2025-06-30,2025-05-01,done
      P2,J2,g,2025-06-30,2025-07-01,done
      P2,J3,g,2025-04-01,2025-03-01,done
      P3,J4,g,2025-06-30,,dropped
      P4,J5,g,2025-09-30,,open
      P5,J6,g,2025-12-01,2026-01-15,done
      P6,J7,g,2026-03-01,,open
      P7,J8,g,2025-03-01,,dropped
      P7,J9,g,2025-03-01,2025-02-01,done

      """,
  ]

  func counts(_ r: ClosureResult, _ d: Dataset, _ id: String) -> [Int] {
    let c = r.counts[r.nodes.firstIndex(of: d.forest.index(of: id)!)!]
    return [c.problems, c.owned, c.planned, c.done, c.onTime, c.overdue]
  }

  @Test("counts, roll-up over three levels and breaks worked by hand")
  func handWorked() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = ClosureAnalysis(asOf: ClosureAnalysis.defaultAsOf(d, period: 0)!).run(d, period: 0)
    #expect(counts(r, d, "Z1") == [2, 2, 2, 2, 1, 0])
    #expect(counts(r, d, "Z2") == [2, 1, 1, 0, 0, 1])
    #expect(counts(r, d, "U1") == [5, 4, 4, 2, 1, 1])
    #expect(counts(r, d, "U2") == [1, 1, 1, 0, 0, 1])
    #expect(counts(r, d, "B1") == [7, 6, 6, 3, 2, 2])
    #expect(r.counts[r.nodes.firstIndex(of: d.forest.index(of: "B1")!)!].closureIndex == 2.0 / 7)
    let ids = d.problems.id
    #expect(r.breaks.unowned.map { ids[$0] } == ["P4"])
    #expect(r.breaks.unplanned.map { ids[$0] } == ["P3"])
    #expect(r.breaks.overdue.map { ids[$0] } == ["P4", "P5"])
    // As of 2026-02-01 J6 counts as done (late), and P6's J7 is not yet due.
    let later = ClosureAnalysis(asOf: ISODate.parse("2026-02-01")!).run(d, period: 0)
    #expect(counts(later, d, "U2") == [1, 1, 1, 1, 0, 0])
    #expect(later.breaks.overdue.map { ids[$0] } == ["P4"])
  }

  @Test("every planted break is found and nothing else is reported, in every period")
  func planted() throws {
    let (d, truth) = DatasetGenerator(.preset(.city, seed: 32)).makeDataset()
    for (t, label) in d.manifest.periods.enumerated() {
      let r = ClosureAnalysis(asOf: d.manifest.periodEnd[t]!).run(d, period: t)
      let ids = d.problems.id
      let lists = truth["lists"]![label]!
      #expect(Set(r.breaks.unowned.map { ids[$0] }) == Set(lists["unowned"]!.strings), "\(label) unowned")
      #expect(Set(r.breaks.unplanned.map { ids[$0] }) == Set(lists["unplanned"]!.strings), "\(label) unplanned")
      #expect(Set(r.breaks.overdue.map { ids[$0] }) == Set(lists["overdue"]!.strings), "\(label) overdue")
      #expect(!lists["unowned"]!.strings.isEmpty)
    }
  }
}
