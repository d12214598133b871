import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// Gaps in the trend tests (METHODS.md section 6): Mann-Kendall's exact and normal paths
/// against scipy, S = 0, p equal to alpha, the level steps period by period, and successor
/// chains of more than one link.
@Suite("Trend gaps (METHODS.md section 6)")
struct TrendGapTests {
  /// Fixture: Tests/Fixtures-scripts/analyses/mann_kendall.py. Exact p for n = 7 to 10 by
  /// brute-force enumeration of all n! orders (n <= 9) and scipy.stats.kendalltau's exact
  /// method (all n, agreeing to 1e-12); normal p for n = 11 to 20 from Var S = n(n-1)(2n+5)/18
  /// and z = (|S| - 1)/sqrt(Var S) with scipy.stats.norm.sf; p = 1 for S = 0.
  static let cases: [JSON] = {
    let url = Fixtures.root.appendingPathComponent("analyses/mann_kendall.json")
    return (try? JSON.parse(contentsOfFile: url.path))?["cases"]?.arrayValue ?? []
  }()

  static func values(_ c: JSON) -> [Double] { c["values"]!.arrayValue!.map { $0.doubleValue! } }

  static func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool {
    a.map { abs($0 - b) <= tol * max(1, abs(b)) } ?? false
  }

  /// A dataset with one bureau (90 in every period) and one unit U1 whose committee score
  /// is the series, one period per value (labels 2001, 2002, ...).
  static func seriesDataset(_ v: [Double]) throws -> TempDataset {
    let labels = v.indices.map { String(2001 + $0) }
    var scores = "period,node,subject,score\n"
    for (t, x) in v.enumerated() {
      scores += "\(labels[t]),B1,committee,90\n\(labels[t]),U1,committee,\(x)\n"
    }
    return try TempDataset([
      "dataset.yaml": "levels: [bureau, unit]\nperiods: [\(labels.map { "\"\($0)\"" }.joined(separator: ", "))]\n",
      "org.csv": "id,parent,level,name,members\nB1,,bureau,局,10\nU1,B1,unit,单位,10\n",
      "scores.csv": scores,
    ], base: nil)
  }

  @Test("the fixture has exact cases for n = 7 to 10 and normal cases for n > 10, S = 0 in each")
  func fixtureCoverage() {
    let exact = Self.cases.filter { $0["exact"]!.boolValue! }
    let normal = Self.cases.filter { !$0["exact"]!.boolValue! }
    #expect(Set(exact.map { $0["n"]!.intValue! }) == [7, 8, 9, 10])
    #expect(normal.count >= 4 && normal.allSatisfy { $0["n"]!.intValue! > 10 })
    #expect(exact.contains { $0["s"]!.intValue! == 0 } && normal.contains { $0["s"]!.intValue! == 0 })
  }

  @Test("MannKendall S, Var S and p against scipy / enumeration", arguments: cases.indices)
  func mannKendall(_ k: Int) {
    let c = Self.cases[k]
    let name = c["name"]!.stringValue!
    let mk = MannKendall(Self.values(c))
    #expect(mk.n == c["n"]!.intValue!, "\(name)")
    #expect(mk.s == c["s"]!.intValue!, "\(name): S \(mk.s)")
    #expect(mk.exact == c["exact"]!.boolValue!, "\(name)")
    #expect(Self.close(mk.variance, c["variance"]!.doubleValue!), "\(name): var \(mk.variance)")
    #expect(Self.close(mk.p, c["p"]!.doubleValue!), "\(name): p \(String(describing: mk.p)) vs \(c["p"]!)")
  }

  @Test("the trend analysis carries S, p and the direction of a series through the dataset", arguments: cases.indices)
  func throughDataset(_ k: Int) throws {
    let c = Self.cases[k]
    let name = c["name"]!.stringValue!
    let v = Self.values(c)
    let ds = try Self.seriesDataset(v)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = TrendAnalysis().run(d, through: v.count - 1)
    let u1 = try #require(r.series.first { d.forest.ids[$0.node] == "U1" })
    #expect(u1.values.map { $0 ?? .nan } == v, "\(name)")
    let mk = try #require(u1.mannKendall)
    let s = c["s"]!.intValue!
    let p = c["p"]!.doubleValue!
    #expect(mk.s == s && Self.close(mk.p, p), "\(name)")
    // METHODS.md: rising / falling when p < 0.10, by the sign of S; else flat.
    let want: TrendResult.Direction = p < 0.10 ? (s > 0 ? .rising : .falling) : .flat
    #expect(u1.direction == want, "\(name): p \(p), S \(s)")
    #expect(u1.delta == v[v.count - 1] - v[v.count - 2])
  }

  /// n7 rising: S = 15; its exact p = 152/5040 = 0.03015873015873016 (152 of the 7! orders
  /// have |S| >= 15, the script's enumeration). With alpha equal to p the trend is not
  /// "rising" (the rule is p < alpha), nor with alpha within 1e-9 of p (METHODS.md's tie
  /// rule); with alpha one part in a million above p it is.
  @Test("p exactly equal to alpha is flat; just above alpha it is rising", arguments: [
    (1.0, TrendResult.Direction.flat), (1 + 1e-12, .flat), (1 + 1e-6, .rising), (1 - 1e-6, .flat),
  ])
  func pEqualsAlpha(_ factor: Double, _ want: TrendResult.Direction) throws {
    let c = try #require(Self.cases.first { $0["name"]!.stringValue! == "n7 rising" })
    let p = c["p"]!.doubleValue!
    #expect(p == 152.0 / 5040)
    let v = Self.values(c)
    let ds = try Self.seriesDataset(v)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = TrendAnalysis(alpha: p * factor).run(d, through: v.count - 1)
    let u1 = try #require(r.series.first { d.forest.ids[$0.node] == "U1" })
    #expect(u1.mannKendall?.p == p)
    #expect(u1.direction == want, "alpha = p x \(factor)")
    // The falling mirror image (100 - v): S = -15, the same p.
    let mirrored = TrendAnalysis(alpha: p * factor).summarise(
      node: 0, predecessors: [], values: v.map { 100 - $0 }, flags: Array(repeating: nil, count: v.count))
    #expect(mirrored.mannKendall?.s == -15)
    #expect(mirrored.direction == (want == .rising ? .falling : .flat))
  }

  @Test("normal path: alpha equal to scipy's p (within 1e-9) is flat, a little above it is not")
  func pEqualsAlphaNormal() throws {
    // n11: scipy p = 0.04296014602842502 (normal approximation, S = 27).
    let c = try #require(Self.cases.first { $0["name"]!.stringValue!.hasPrefix("n11") })
    let p = c["p"]!.doubleValue!
    let v = Self.values(c)
    let flags = [FunnelFlag?](repeating: nil, count: v.count)
    #expect(TrendAnalysis(alpha: p).summarise(node: 0, predecessors: [], values: v, flags: flags).direction == .flat)
    #expect(TrendAnalysis(alpha: p * (1 + 1e-6)).summarise(node: 0, predecessors: [], values: v, flags: flags).direction == .rising)
  }

  // MARK: - Level steps per period

  /// Two periods, bureau B1 > units U1, U2 > branches Z1, Z2 (under U1), Z3 (under U2).
  ///   2024: B1 100; U1 90, U2 80; Z1 81, Z2 72 (0.9, 0.8 of U1), Z3 64 (0.8 of U2).
  ///   2025: B1 100; U1 100, U2 50; Z1 90, Z2 90 (0.9, 0.9), Z3 50 (1.0).
  /// By hand (scipy t(0.975, 1) = 12.706204736174694):
  ///   2024 step 1: one parent, tau = sqrt(0.9 x 0.8) = 0.848528137423857, no interval.
  ///   2024 step 2: h_U1 = ln sqrt(0.72), h_U2 = ln 0.8; tau = 0.8239068575628471,
  ///     interval [0.5667473679170073, 1.1977514998155057].
  ///   2025 step 1: tau = sqrt(1 x 0.5) = 0.7071067811865476, no interval.
  ///   2025 step 2: h_U1 = ln 0.9, h_U2 = 0; gbar = ln(0.9)/2, tau = sqrt(0.9) =
  ///     0.9486832980505138; s_h = |ln 0.9|/sqrt 2, half-width 12.7062 x s_h / sqrt 2;
  ///     interval [0.4857571849596745, 1.8527775354979343].
  @Test("tau and its interval per period and level step, by hand")
  func stepsPerPeriod() throws {
    let ds = try TempDataset([
      "dataset.yaml": "periods: [\"2024\", \"2025\"]\n",
      "org.csv": """
        id,parent,level,name,members
        B1,,bureau,局,10
        U1,B1,unit,单位一,10
        U2,B1,unit,单位二,10
        Z1,U1,branch,支部一,10
        Z2,U1,branch,支部二,10
        Z3,U2,branch,支部三,10

        """,
      "scores.csv": """
        period,node,subject,score
        2024,B1,committee,100
        2024,U1,committee,90
        2024,U2,committee,80
        2024,Z1,committee,81
        2024,Z2,committee,72
        2024,Z3,committee,64
        2025,B1,committee,100
        2025,U1,committee,100
        2025,U2,committee,50
        2025,Z1,committee,90
        2025,Z2,committee,90
        2025,Z3,committee,50

        """,
    ], base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = TrendAnalysis().run(d, through: 1)
    try #require(r.steps.count == 2 && r.steps.allSatisfy { $0.count == 2 })
    let s = r.steps
    #expect(Self.close(s[0][0].tau, 0.848528137423857) && s[0][0].ciLow == nil && s[0][0].ciHigh == nil)
    #expect(Self.close(s[0][1].tau, 0.8239068575628471))
    #expect(Self.close(s[0][1].ciLow, 0.5667473679170073, 1e-10) && Self.close(s[0][1].ciHigh, 1.1977514998155057, 1e-10))
    #expect(Self.close(s[1][0].tau, 0.7071067811865476) && s[1][0].ciLow == nil)
    #expect(Self.close(s[1][1].tau, 0.9486832980505138))
    #expect(Self.close(s[1][1].ciLow, 0.4857571849596745, 1e-10) && Self.close(s[1][1].ciHigh, 1.8527775354979343, 1e-10))
    #expect(s[1][1].parents == 2 && s[1][1].children == 3)
    // --period 2024: only the first period's steps.
    let first = TrendAnalysis().run(d, through: 0)
    #expect(first.steps.count == 1 && Self.close(first.steps[0][1].tau, 0.8239068575628471))
  }

  // MARK: - Successor chains of more than one link

  /// A (2021) -> B (2022) -> C (2023-2024), each naming the next as successor; a second
  /// chain D (2021-2022) -> E (2023) -> F (2024). Scores: A 50, B 60, C 70 then 80; D 40,
  /// 45, E 30, F 35.
  /// By hand: the series of C is [50, 60, 70, 80] (predecessors A and B, neither listed);
  /// S = 6, exact p = 2/24 = 0.0833 < 0.10: rising; Theil-Sen slope 10; delta 10.
  /// F: [40, 45, 30, 35] (predecessors D, E); pairs: +, -, -, -, -, + : S = -2.
  /// Through 2022 (index 1) the chain ends at B (C starts later): B's series [50, 60],
  /// A folded in; F's chain ends at D, [40, 45].
  static let chain: [String: String] = [
    "dataset.yaml": "levels: [bureau, unit]\nperiods: [\"2021\", \"2022\", \"2023\", \"2024\"]\n",
    "org.csv": """
      id,parent,level,name,members,valid_from,valid_to,successor
      B1,,bureau,局,10,,,
      A,B1,unit,甲,10,,2021,B
      B,B1,unit,乙,10,2022,2022,C
      C,B1,unit,丙,10,2023,,
      D,B1,unit,丁,10,,2022,E
      E,B1,unit,戊,10,2023,2023,F
      F,B1,unit,己,10,2024,,

      """,
    "scores.csv": """
      period,node,subject,score
      2021,B1,committee,90
      2022,B1,committee,90
      2023,B1,committee,90
      2024,B1,committee,90
      2021,A,committee,50
      2022,B,committee,60
      2023,C,committee,70
      2024,C,committee,80
      2021,D,committee,40
      2022,D,committee,45
      2023,E,committee,30
      2024,F,committee,35

      """,
  ]

  @Test("A -> B -> C: C's series carries A's and B's values; a window ending at B stops there")
  func longChain() throws {
    let ds = try TempDataset(Self.chain, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = TrendAnalysis().run(d, through: 3)
    let byID = Dictionary(uniqueKeysWithValues: r.series.map { (d.forest.ids[$0.node], $0) })
    #expect(Set(byID.keys) == ["B1", "C", "F"])
    let c = try #require(byID["C"])
    #expect(c.values == [50, 60, 70, 80])
    #expect(Set(c.predecessors.map { d.forest.ids[$0] }) == ["A", "B"])
    #expect(c.mannKendall?.s == 6)
    #expect(Self.close(c.mannKendall?.p, 2.0 / 24))
    #expect(c.direction == .rising)
    #expect(c.slope == 10 && c.delta == 10)
    let f = try #require(byID["F"])
    #expect(f.values == [40, 45, 30, 35])
    #expect(Set(f.predecessors.map { d.forest.ids[$0] }) == ["D", "E"])
    #expect(f.mannKendall?.s == -2)

    let early = TrendAnalysis().run(d, through: 1)
    let byEarly = Dictionary(uniqueKeysWithValues: early.series.map { (d.forest.ids[$0.node], $0) })
    #expect(Set(byEarly.keys) == ["B1", "B", "D"])
    #expect(byEarly["B"]?.values == [50, 60])
    #expect(byEarly["B"]?.predecessors.map { d.forest.ids[$0] } == ["A"])
    #expect(byEarly["D"]?.values == [40, 45])
  }
}
