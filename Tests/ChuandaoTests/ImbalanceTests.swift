import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

@Suite("Imbalance (METHODS.md section 3)")
struct ImbalanceTests {
  /// Three branches with 10, 20 and 30 members get 6, 6 and 18 actions (all reminders in
  /// finance except Z3's 18 inspections in assets). By hand, --adjust none: rate 30/60 =
  /// 0.5 per member, E = 5, 10, 15; ratios 1.2, 0.6, 1.2. Level early share: 12 reminders
  /// of 30 actions = 0.4. Finance holds 12/30 = 0.4 of supervision against a risk share of
  /// 1/6 (no risks.csv: risk 1 everywhere), coverage 2.4; assets 0.6 / (1/6) = 3.6; the
  /// four other domains 0 (coverage 0 < 0.5: blind spots).
  static let files: [String: String] = [
    "dataset.yaml": "periods: [\"2025\"]\n",
    "org.csv": """
      id,parent,level,name,members
      B1,,bureau,局,10
      U1,B1,unit,单位,10
      Z1,U1,branch,支部一,10
      Z2,U1,branch,支部二,20
      Z3,U1,branch,支部三,30

      """,
    "supervision.csv": """
      period,node,kind,domain,count
      2025,Z1,reminder,finance,6
      2025,Z2,reminder,finance,6
      2025,Z3,inspection,assets,18

      """,
  ]

  @Test("expected counts, ratios, shares and coverage worked by hand")
  func handWorked() throws {
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    #expect(ImbalanceAnalysis.defaultAdjustment(d) == .none)
    let r = try ImbalanceAnalysis(level: 2, adjust: .none).run(d, period: 0)
    #expect(r.observed == [6, 6, 18])
    #expect(zip(r.expected, [5.0, 10, 15]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(zip(r.funnel.ratio, [1.2, 0.6, 1.2]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(abs(r.levelEarlyShare! - 0.4) < 1e-12)
    #expect(r.earlyShare == [1, 1, 0])
    let finance = r.domains[0]
    #expect(abs(finance.supervisionShare - 0.4) < 1e-12 && abs(finance.riskShare - 1.0 / 6) < 1e-12)
    #expect(abs(finance.coverage - 2.4) < 1e-12 && !finance.blindSpot)
    #expect(abs(r.domains[3].coverage - 3.6) < 1e-12)
    #expect(r.domains.filter { $0.blindSpot }.map { d.manifest.domains[$0.domain] } == ["engineering", "personnel", "procurement", "other"])
    #expect(r.glm == nil)
    // --adjust risk needs risks.
    #expect(throws: ImbalanceError.self) { try ImbalanceAnalysis(level: 2, adjust: .risk).run(d, period: 0) }
  }

  @Test("a level without any supervision is an error, not expected counts of 0")
  func noSupervisionInLevel() throws {
    // All 30 actions go to branches: the unit level has none.
    let ds = try TempDataset(Self.files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    #expect(throws: ImbalanceError.noSupervisionInLevel) { try ImbalanceAnalysis(level: 1, adjust: .none).run(d, period: 0) }
    // The flags of every level: the unit level flags nothing, and a note says why.
    let flags = PeriodFlags.compute(d, levels: [1, 2])
    #expect(flags.flags[0][d.forest.index(of: "U1")!] == nil)
    #expect(flags.flags[0][d.forest.index(of: "Z2")!] != nil)
    #expect(flags.notes.map(\.en) == ["level unit has no supervision at all in period 2025: none flagged"])
  }

  static let city = DatasetGenerator(.preset(.city, seed: 77)).makeDataset()

  @Test("the flags of every level and period are the same whether large levels are fitted side by side or one at a time")
  func flagsOneAtATime() throws {
    let (d, _) = Self.city
    let levels = Array(0..<d.forest.levelCount)
    // Default: the city's levels are all small, so every run is side by side; with a
    // threshold of 0 every level counts as large and runs alone.
    let together = PeriodFlags.compute(d, levels: levels)
    let alone = PeriodFlags.compute(d, levels: levels, oneAtATime: 0)
    let mixed = PeriodFlags.compute(d, levels: levels, oneAtATime: 1_000)
    #expect(together.flags == alone.flags)
    #expect(together.flags == mixed.flags)
    #expect(together.notes.map(\.en) == alone.notes.map(\.en))
    #expect(together.flags.joined().contains { $0 == .cold || $0 == .cool })
  }

  @Test("sum(O) = sum(E) overall and within each domain, both adjustments", arguments: ImbalanceAnalysis.Adjustment.allCases)
  func totals(_ adjust: ImbalanceAnalysis.Adjustment) throws {
    let (d, _) = Self.city
    let D = d.manifest.domains.count
    for level in 1...2 {
      let r = try ImbalanceAnalysis(level: level, adjust: adjust).run(d, period: d.periods.count - 1)
      let o = r.observed.reduce(0, +)
      let e = r.expected.reduce(0, +)
      #expect(abs(o - e) <= 1e-9 * o, "level \(level): \(o) vs \(e)")
      for dd in 0..<D {
        let od = r.nodes.indices.reduce(0.0) { $0 + r.countsByDomain[$1 * D + dd] }
        let ed = r.nodes.indices.reduce(0.0) { $0 + r.expectedByDomain[$1 * D + dd] }
        #expect(abs(od - ed) <= 1e-9 * max(od, 1), "level \(level), domain \(dd): \(od) vs \(ed)")
      }
      if adjust == .risk {
        let glm = try #require(r.glm)
        #expect(glm.converged && !glm.riskDropped)
        #expect(glm.coefficients.map(\.0) == d.manifest.domains + ["risk"])
      }
    }
  }

  @Test("planted cold and hot nodes are flagged (recall >= 0.9), the blind spot found")
  func planted() throws {
    let (d, truth) = Self.city
    let t = d.periods.count - 1
    let last = d.manifest.periods[t]
    let imbalance = truth["imbalance"]!
    for (key, flags) in [("cold", Set<FunnelFlag>([.cold, .cool])), ("hot", [.hot, .warm])] {
      var found = 0
      var planted = 0
      for level in ["unit", "branch"] {
        let k = d.manifest.levels.firstIndex(of: level)!
        let r = try ImbalanceAnalysis(level: k, adjust: ImbalanceAnalysis.defaultAdjustment(d)).run(d, period: t)
        let row = Dictionary(uniqueKeysWithValues: r.nodes.enumerated().map { (d.forest.ids[$1], $0) })
        for e in imbalance[key]!.arrayValue! where e["level"]!.stringValue! == level && e["periods"]!.strings.contains(last) {
          planted += 1
          if let i = row[e["id"]!.stringValue!], flags.contains(r.funnel.flags[i]) { found += 1 }
        }
        if level == "branch" {
          let spot = imbalance["blind_spot"]!["domain"]!.stringValue!
          #expect(r.domains.filter { $0.blindSpot }.map { d.manifest.domains[$0.domain] } == [spot])
        }
      }
      #expect(planted >= 10)
      #expect(Double(found) >= 0.9 * Double(planted), "\(key): \(found) of \(planted) flagged")
    }
  }

  @Test("null city datasets: 2% to 8% of nodes outside the 95% limits (5 seeds)")
  func nullRate() throws {
    var outside = 0.0
    for seed in 1...5 {
      var spec = GeneratorSpec.preset(.city, seed: UInt64(100 + seed), null: true)
      spec.periods = 1
      let (d, _) = DatasetGenerator(spec).makeDataset()
      let r = try ImbalanceAnalysis(level: 2, adjust: ImbalanceAnalysis.defaultAdjustment(d)).run(d, period: 0)
      let n = r.nodes.indices.filter { r.funnel.flags[$0] != .normal }.count
      outside += Double(n) / Double(r.nodes.count) / 5
    }
    #expect(outside >= 0.02 && outside <= 0.08, "\(outside)")
  }
}
