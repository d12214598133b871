import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

@Suite("Assessment feed (METHODS.md section 7)")
struct AssessTests {
  /// Two levels (bureau, unit), two periods, two subjects; a node's score is the mean of
  /// its subjects' scores, its coordination C = 1 - sd/mean (population sd).
  ///
  ///          2024 (committee, secretary)      2025
  ///   B1     100, 100 -> 100, C 1             100, 100 -> 100, C 1
  ///   U1      70,  70 ->  70, C 1              80,  80 ->  80, C 1
  ///   U2     100, 100 -> 100, C 1              90,  70 ->  80, C 1 - 10/80 = 0.875
  ///   U3      50,  50 ->  50, C 1              60,  60 ->  60, C 1
  ///   U4     no scores                         no scores
  ///
  /// Units have no children (transmission null), no descendants (balance null), and there
  /// are no problems (closure null): they are scored on score and coordination alone.
  /// Unit goalposts over both periods: score [50, 100], coordination [0.875, 1].
  /// 2025 normalised: U1 (60, 100), U2 (60, 0), U3 (20, 100). The weights 0.4 and 0.1
  /// renormalise to 0.8 and 0.2: U1 48 + 20 = 68, U2 48 + 0 = 48, U3 16 + 20 = 36.
  static let files: [String: String] = [
    "dataset.yaml": """
      levels: [bureau, unit]
      subjects: [committee, secretary]
      periods: ["2024", "2025"]
      period_end: {"2024": 2024-12-31, "2025": 2025-12-31}

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
      2024,B1,committee,100
      2024,B1,secretary,100
      2024,U1,committee,70
      2024,U1,secretary,70
      2024,U2,committee,100
      2024,U2,secretary,100
      2024,U3,committee,50
      2024,U3,secretary,50
      2025,B1,committee,100
      2025,B1,secretary,100
      2025,U1,committee,80
      2025,U1,secretary,80
      2025,U2,committee,90
      2025,U2,secretary,70
      2025,U3,committee,60
      2025,U3,secretary,60

      """,
    // L1: own U1 (68), oversees U2 and U3 (mean 42): 0.5 x 68 + 0.5 x 42 = 55.
    // L2: own B1, oversees nothing: B1 alone. L3: own U4 (no composite), oversees U1: 68.
    "leaders.csv": """
      period,person,name,node,role,oversees
      2025,L1,甲,U1,member,U2;U3
      2025,L2,乙,B1,secretary,
      2025,L3,丙,U4,member,U1

      """,
  ]

  /// Flags given by hand (section 3 itself is tested elsewhere): in 2025 U1 cold, U2
  /// normal, U3 hot, U4 none -> B1's balance 1 - 2/3 = 1/3; in 2024 all normal -> 1.
  static func flags(_ d: Dataset) -> PeriodFlags {
    var y2024 = [FunnelFlag?](repeating: nil, count: d.forest.count)
    var y2025 = y2024
    for id in ["U1", "U2", "U3"] { y2024[d.forest.index(of: id)!] = .normal }
    y2025[d.forest.index(of: "U1")!] = .cold
    y2025[d.forest.index(of: "U2")!] = .normal
    y2025[d.forest.index(of: "U3")!] = .hot
    return PeriodFlags(flags: [y2024, y2025], notes: [])
  }

  static func load() throws -> (Dataset, TempDataset) {
    let ds = try TempDataset(files, base: nil)
    return (try Dataset.load(folder: ds.folder), ds)
  }

  static func row(_ r: AssessResult, _ d: Dataset, _ id: String) -> AssessResult.NodeRow {
    r.nodes.first { d.forest.ids[$0.node] == id }!
  }

  @Test("missing indicators renormalise the weights; ranks, Hazen grades and reasons by hand")
  func handWorked() throws {
    let (d, ds) = try Self.load()
    defer { ds.cleanUp() }
    let r = AssessAnalysis().run(d, period: 1, flags: Self.flags(d))
    let (u1, u2, u3, u4) = (Self.row(r, d, "U1"), Self.row(r, d, "U2"), Self.row(r, d, "U3"), Self.row(r, d, "U4"))
    #expect(u1.raw[0] == 80 && u1.raw[4] == 1 && u1.raw[1].isNaN && u1.raw[2].isNaN && u1.raw[3].isNaN)
    #expect(u2.raw[4] == 0.875)
    #expect(abs(u1.normalised[0] - 60) < 1e-12 && u1.normalised[4] == 100)
    #expect(u2.normalised[4] == 0 && abs(u3.normalised[0] - 20) < 1e-12)
    #expect(abs(u1.composite! - 68) < 1e-9)
    #expect(abs(u2.composite! - 48) < 1e-9)
    #expect(abs(u3.composite! - 36) < 1e-9)
    #expect(u4.composite == nil && u4.rank == nil && u4.grade == nil && u4.rankMedian == nil)
    // Ranks 1, 2, 3 of n = 3: Hazen q = (rank - 0.5)/3 = 1/6, 1/2, 5/6, all above 0.15
    // and at most 0.85: good, good, good.
    #expect([u1.rank, u2.rank, u3.rank] == [1, 2, 3])
    #expect([u1.grade, u2.grade, u3.grade] == [1, 1, 1])
    // Weighted shortfalls w (100 - x): U1 score 0.4 x 40 = 16, coordination 0 (no reason);
    // U2 16 and 0.1 x 100 = 10; U3 0.4 x 80 = 32, coordination 0.
    #expect(u1.reasons == [0])
    #expect(u2.reasons == [0, 4])
    #expect(u3.reasons == [0])

    // B1: score 100 in both years and transmission exp(h - gbar) = 1 (it is the only
    // parent): max = min normalises to 100. Balance 1/3 in 2025 against 1 in 2024:
    // goalposts [1/3, 1] -> 0. Composite (0.4 x 100 + 0.2 x 100 + 0.15 x 0 + 0.1 x 100) /
    // 0.85 = 70 / 0.85; the only bureau: rank 1 of 1, q = 0.5, good.
    let b1 = Self.row(r, d, "B1")
    #expect(abs(b1.raw[1] - 1) < 1e-12)
    #expect(abs(b1.raw[2] - 1.0 / 3) < 1e-12)
    #expect(b1.normalised[1] == 100 && b1.normalised[2] == 0)
    #expect(abs(b1.composite! - 70 / 0.85) < 1e-9)
    #expect(b1.rank == 1 && b1.grade == 1)
    #expect(b1.reasons == [2])
    // Weights as used: scaled to sum 1.
    #expect(abs(r.weights.reduce(0, +) - 1) < 1e-12)
  }

  @Test("leaders: half own, half overseen; one side missing counts the other alone")
  func leaders() throws {
    let (d, ds) = try Self.load()
    defer { ds.cleanUp() }
    let r = AssessAnalysis().run(d, period: 1, flags: Self.flags(d))
    let byPerson = Dictionary(uniqueKeysWithValues: r.leaders.map { (d.leaders.person[$0.row], $0) })
    #expect(abs(byPerson["L1"]!.composite! - 55) < 1e-9)
    #expect(abs(byPerson["L2"]!.composite! - 70 / 0.85) < 1e-9)
    #expect(byPerson["L3"]!.own == nil)
    #expect(abs(byPerson["L3"]!.composite! - 68) < 1e-9)
    // 82.35, 68, 55: ranks 1, 2, 3 of 3; q = 1/6, 1/2, 5/6: all good.
    #expect([byPerson["L2"]!.rank, byPerson["L3"]!.rank, byPerson["L1"]!.rank] == [1, 2, 3])
    #expect([byPerson["L2"]!.grade, byPerson["L3"]!.grade, byPerson["L1"]!.grade] == [1, 1, 1])
    // own 1, oversees 0: the own side alone (L3 has none: no composite).
    var s = Settings.Assess()
    s.leaderOwn = 1
    s.leaderOversees = 0
    let own = AssessAnalysis(settings: s).run(d, period: 1, flags: Self.flags(d))
    let l1 = own.leaders.first { d.leaders.person[$0.row] == "L1" }!
    #expect(abs(l1.composite! - 68) < 1e-9)
  }

  @Test("fixed goalposts make a unit's normalised score comparable across years")
  func goalposts() throws {
    let (d, ds) = try Self.load()
    defer { ds.cleanUp() }
    var s = Settings.Assess()
    s.goalposts = ["unit": ["score": .init(min: 0, max: 100)]]
    let a = AssessAnalysis(settings: s)
    let y2024 = a.run(d, period: 0, flags: Self.flags(d))
    let y2025 = a.run(d, period: 1, flags: Self.flags(d))
    // Goalposts [0, 100]: the normalised score is the raw score in every year.
    #expect(Self.row(y2024, d, "U1").normalised[0] == 70)
    #expect(Self.row(y2025, d, "U1").normalised[0] == 80)
    // Without them, the goalposts span both periods, the same for each year's run:
    // [50, 100] -> 2024 U1 (70 - 50) / 50 = 40, 2025 60.
    let free = AssessAnalysis()
    #expect(abs(Self.row(free.run(d, period: 0, flags: Self.flags(d)), d, "U1").normalised[0] - 40) < 1e-12)
    #expect(abs(Self.row(free.run(d, period: 1, flags: Self.flags(d)), d, "U1").normalised[0] - 60) < 1e-12)
    // Beyond frozen goalposts a value is clamped; max = min normalises to 100.
    #expect(AssessAnalysis.normalise(120, .init(min: 0, max: 100)) == 100)
    #expect(AssessAnalysis.normalise(-5, .init(min: 0, max: 100)) == 0)
    #expect(AssessAnalysis.normalise(3, .init(min: 3, max: 3)) == 100)
    #expect(AssessAnalysis.normalise(.nan, .init(min: 0, max: 1)).isNaN)
    #expect(AssessAnalysis(settings: { var x = Settings.Assess(); x.goalposts = ["division": [:]]; return x }()).unknownGoalpostLevels(d) == ["division"])
  }

  @Test("uncertainty: U1 leads in every draw (it dominates U2 and U3 on every weighting); same seed, same bands")
  func uncertainty() throws {
    let (d, ds) = try Self.load()
    defer { ds.cleanUp() }
    let a = AssessAnalysis().run(d, period: 1, flags: Self.flags(d))
    let b = AssessAnalysis().run(d, period: 1, flags: Self.flags(d))
    // U1 (60, 100) >= U2 (60, 0) for every positive weight, and beats U3 (20, 100).
    let u1 = Self.row(a, d, "U1")
    #expect(u1.rankMedian == 1 && u1.rankP05 == 1 && u1.rankP95 == 1 && u1.gradeStability == 1)
    // U2 and U3 swap when the coordination weight b and the score weight a have b/a > 0.4,
    // so U3's band reaches rank 2 only if some draws do so; its median stays 3.
    #expect(Self.row(a, d, "U3").rankMedian == 3)
    for (x, y) in zip(a.nodes, b.nodes) {
      #expect(x.rankMedian == y.rankMedian && x.rankP05 == y.rankP05 && x.rankP95 == y.rankP95)
      #expect(x.gradeStability == y.gradeStability)
    }
    // draws: 0 turns the uncertainty off.
    var s = Settings.Assess()
    s.draws = 0
    let none = AssessAnalysis(settings: s).run(d, period: 1, flags: Self.flags(d))
    #expect(none.nodes.allSatisfy { $0.rankMedian == nil && $0.gradeStability == nil })
    #expect(Self.row(none, d, "U1").rank == 1)
  }

  @Test("the bureau planted as the weakest transmitter has the lowest transmission indicator, and it pulls its composite down", arguments: [GeneratorSpec.Preset.sample, .city])
  func planted(_ preset: GeneratorSpec.Preset) throws {
    let (d, truth) = DatasetGenerator(.preset(preset, seed: 3)).makeDataset()
    let t = d.periods.count - 1
    var s = Settings.Assess()
    s.draws = 50
    let r = AssessAnalysis(settings: s).run(d, period: t)
    let groups = truth["attenuation"]!["score"]!["groups"]!.arrayValue!
    let worst = try #require(groups.first { $0["worst"]?.boolValue == true }?["id"]?.stringValue)
    let bureaus = r.nodes.filter { d.forest.level[$0.node] == 0 }
    let lowest = try #require(bureaus.min { $0.raw[1] < $1.raw[1] })
    #expect(d.forest.ids[lowest.node] == worst)
    #expect(lowest.raw[1] < 1)
    #expect(lowest.reasons.contains(1))
    // Transmission x exp(gbar) is the bureau's own tau: within the planted tolerance.
    let step = try #require(AttenuationAnalysis().transmission(d, period: t).steps.first?.meanLogRatio)
    for g in groups {
      let node = try #require(d.forest.index(of: g["id"]!.stringValue!))
      let row = try #require(bureaus.first { $0.node == node })
      let planted = g["steps"]![0]!
      #expect(abs(row.raw[1] * Foundation.exp(step) - planted["tau"]!.doubleValue!) <= planted["tolerance"]!.doubleValue!)
    }
  }
}
