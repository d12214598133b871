import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

@Suite("Trend (METHODS.md section 6)")
struct TrendAnalysisTests {
  /// Three periods. U1 (2023) is renamed U1R (2024-): series 60, 70, 80 under U1R.
  /// UA (10 members) and UB (30 members) merge into UM in 2025:
  ///   2023 (10 x 50 + 30 x 70) / 40 = 65, 2024 (10 x 60 + 30 x 80) / 40 = 75, 2025 UM 90.
  /// UC (0 members) and UD (0 members) merge into UE: weights sum to 0 before the merge -> null.
  /// Scores have one subject, so a node's score is that subject's score.
  static let files: [String: String] = [
    "dataset.yaml": "periods: [\"2023\", \"2024\", \"2025\"]\n",
    "org.csv": """
      id,parent,level,name,members,valid_from,valid_to,successor
      B1,,bureau,局,10,,,
      U1,B1,unit,单位一,10,,2023,U1R
      U1R,B1,unit,单位一（更名）,10,2024,,
      UA,B1,unit,甲,10,,2024,UM
      UB,B1,unit,乙,30,,2024,UM
      UM,B1,unit,甲乙合并,40,2025,,
      UC,B1,unit,丙,0,,2024,UE
      UD,B1,unit,丁,0,,2024,UE
      UE,B1,unit,丙丁合并,5,2025,,

      """,
    "scores.csv": """
      period,node,subject,score
      2023,B1,committee,90
      2024,B1,committee,90
      2025,B1,committee,90
      2023,U1,committee,60
      2024,U1R,committee,70
      2025,U1R,committee,80
      2023,UA,committee,50
      2024,UA,committee,60
      2023,UB,committee,70
      2024,UB,committee,80
      2025,UM,committee,90
      2023,UC,committee,50
      2023,UD,committee,50
      2025,UE,committee,40

      """,
  ]

  @Test("series continue through a rename and a members-weighted merge; delta, slope, S and p by hand")
  func successors() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = TrendAnalysis().run(d, through: 2)
    let byID = Dictionary(uniqueKeysWithValues: r.series.map { (d.forest.ids[$0.node], $0) })
    // Predecessors are not listed apart.
    #expect(Set(byID.keys) == ["B1", "U1R", "UM", "UE"])

    let renamed = try #require(byID["U1R"])
    #expect(renamed.values == [60, 70, 80])
    #expect(renamed.predecessors.map { d.forest.ids[$0] } == ["U1"])
    #expect(renamed.delta == 10)
    #expect(renamed.slope == 10)
    // S = 3 (all three pairs rise); exact p = P(|S| >= 3) = 2 of 3! orders = 1/3.
    #expect(renamed.mannKendall?.s == 3)
    #expect(abs(renamed.mannKendall!.p! - 1.0 / 3) < 1e-12)
    #expect(renamed.direction == .flat)

    let merged = try #require(byID["UM"])
    #expect(merged.values.map { $0! } == [65, 75, 90])
    #expect(Set(merged.predecessors.map { d.forest.ids[$0] }) == ["UA", "UB"])
    // Slopes 10, 12.5, 15: median 12.5. Delta 90 - 75.
    #expect(merged.slope == 12.5)
    #expect(merged.delta == 15)

    // Members sum to 0 before the merge: null; then UE's own 40. One value: S 0, p nil.
    let zero = try #require(byID["UE"])
    #expect(zero.values == [nil, nil, 40])
    #expect(zero.delta == nil)
    #expect(zero.slope == nil)
    #expect(zero.mannKendall == nil)
    #expect(zero.direction == .flat)

    // Without supervision.csv nothing is flagged, and the result says so.
    #expect(r.series.allSatisfy { $0.coldPeriods.isEmpty && $0.persistent == nil })
    #expect(r.notes.count == 1)
  }

  @Test("a window that ends before the merge lists the predecessors themselves")
  func window() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = TrendAnalysis().run(d, through: 1)
    let byID = Dictionary(uniqueKeysWithValues: r.series.map { (d.forest.ids[$0.node], $0) })
    #expect(Set(byID.keys) == ["B1", "U1R", "UA", "UB", "UC", "UD"])
    #expect(byID["U1R"]!.values == [60, 70])
    #expect(byID["UA"]!.values == [50, 60])
    // Two values: S = 1 from n = 2, p null (n < 3).
    #expect(byID["UA"]!.mannKendall?.s == 1 && byID["UA"]!.mannKendall?.p == nil)
    #expect(r.steps.count == 2)
  }

  @Test("persistence counts cold (not cool) and hot in the last min(3, T) periods; direction at p < alpha")
  func rules() {
    let a = TrendAnalysis()
    func persistent(_ flags: [FunnelFlag?]) -> TrendResult.Persistent? {
      a.summarise(node: 0, predecessors: [], values: flags.map { _ in 1 }, flags: flags).persistent
    }
    #expect(persistent([.cold, .normal, .cold]) == .cold)
    // Two cold periods, but only one among the last three.
    #expect(persistent([.cold, .cold, .normal, .normal, .cold]) == nil)
    #expect(persistent([.hot, .cold, .hot]) == .hot)
    #expect(persistent([.cool, .cold, .cool]) == nil)
    #expect(persistent([.warm, .warm, .hot]) == nil)
    // T = 2: the last two, both cold.
    #expect(persistent([.cold, .cold]) == .cold)
    #expect(persistent([nil, .cold, nil]) == nil)

    // Five rising values: exact p = 2/120 < 0.10, rising; four: 2/24 = 0.0833 < 0.10.
    let five = a.summarise(node: 0, predecessors: [], values: [1, 2, 3, 4, 5], flags: Array(repeating: nil, count: 5))
    #expect(five.direction == .rising)
    #expect(abs(five.mannKendall!.p! - 2.0 / 120) < 1e-15)
    let four = a.summarise(node: 0, predecessors: [], values: [4, 3, 2, 1], flags: Array(repeating: nil, count: 4))
    #expect(four.direction == .falling)
    // alpha 0.05: 2/24 is not below it.
    let strict = TrendAnalysis(alpha: 0.05)
    #expect(strict.summarise(node: 0, predecessors: [], values: [4, 3, 2, 1], flags: Array(repeating: nil, count: 4)).direction == .flat)
    // A gap: the test runs on the defined values, x = period index for the slope:
    // (0, 1), (2, 5), (3, 6): slopes 2, 5/3, 1 -> median 5/3.
    let gap = a.summarise(node: 0, predecessors: [], values: [1, nil, 5, 6], flags: Array(repeating: nil, count: 4))
    #expect(abs(gap.slope! - 5.0 / 3) < 1e-15)
    #expect(gap.mannKendall?.n == 3)
    #expect(gap.delta == 1)
  }

  @Test("planted persistent-cold units and trends are found (sample preset)")
  func planted() throws {
    let (d, truth) = DatasetGenerator(.preset(.sample, seed: 1)).makeDataset()
    let r = TrendAnalysis().run(d, through: d.periods.count - 1)
    let byID = Dictionary(uniqueKeysWithValues: r.series.map { (d.forest.ids[$0.node], $0) })
    let cold = truth["imbalance"]!["persistent_cold"]!.arrayValue!.map { $0.stringValue! }
    #expect(!cold.isEmpty)
    for id in cold { #expect(byID[id]?.persistent == .cold, "\(id)") }
    let trend = truth["trend"]!
    for id in trend["rising"]!.arrayValue!.map({ $0.stringValue! }) { #expect(byID[id]?.direction == .rising, "\(id)") }
    for id in trend["falling"]!.arrayValue!.map({ $0.stringValue! }) { #expect(byID[id]?.direction == .falling, "\(id)") }
    // Every reorganisation continues: predecessors are folded into their successor's series.
    for e in truth["reorganisations"]!.arrayValue! {
      let successor = try #require(byID[e["successor"]!.stringValue!])
      let listed = Set(successor.predecessors.map { d.forest.ids[$0] })
      for p in e["predecessors"]!.arrayValue! {
        #expect(listed.contains(p.stringValue!))
        #expect(byID[p.stringValue!] == nil)
      }
      #expect(successor.values.allSatisfy { $0 != nil })
    }
  }

  @Test("the supervision direction of a persistent node: its intensity's own direction when the metric is intensity")
  func supervisionDirection() throws {
    let (d, _) = DatasetGenerator(.preset(.sample, seed: 1)).makeDataset()
    let last = d.periods.count - 1
    let byScore = TrendAnalysis().run(d, through: last)
    let byIntensity = TrendAnalysis(metric: .intensity).run(d, through: last)
    let persistent = byIntensity.series.filter { $0.persistent != nil }
    #expect(!persistent.isEmpty)
    for s in persistent {
      // The intensity series' direction is the supervision direction, and it is the one
      // the score run found by testing the intensity of the same node.
      #expect(byIntensity.supervisionDirection[s.node] == s.direction)
      #expect(byScore.supervisionDirection[s.node] == s.direction)
    }
    #expect(byIntensity.supervisionDirection.count == persistent.count)
  }

  @Test("planted persistent-cold units are found on the city preset")
  func plantedCity() throws {
    let (d, truth) = DatasetGenerator(.preset(.city, seed: 5)).makeDataset()
    let r = TrendAnalysis().run(d, through: d.periods.count - 1)
    let byID = Dictionary(uniqueKeysWithValues: r.series.map { (d.forest.ids[$0.node], $0) })
    let cold = truth["imbalance"]!["persistent_cold"]!.arrayValue!.map { $0.stringValue! }
    #expect(cold.count >= 10)
    let found = cold.filter { byID[$0]?.persistent == .cold }.count
    #expect(Double(found) >= 0.9 * Double(cold.count), "\(found) of \(cold.count)")
    let trend = truth["trend"]!
    for id in trend["rising"]!.arrayValue!.map({ $0.stringValue! }) { #expect(byID[id]?.direction == .rising, "\(id)") }
    for id in trend["falling"]!.arrayValue!.map({ $0.stringValue! }) { #expect(byID[id]?.direction == .falling, "\(id)") }
  }
}
