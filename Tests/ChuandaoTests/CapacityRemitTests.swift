import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// The statsmodels fit of Tests/Fixtures-scripts/stats/statsmodels_cluster.py ("nodes"),
/// with each node's members, staff and joint office.
struct ClusterNodesFixture: Decodable {
  let y: [Double]
  let cluster: [Int]
  let members: [Int]
  let staff: [Int]
  let joint: [Int]
  let params: [Double]
  let conf_int: [[Double]]
}

@Suite("capacity and remit (issue 17)")
struct CapacityRemitTests {
  // MARK: Against statsmodels

  /// The fixture's nodes as a dataset (40 units, their branches with members, staff,
  /// joint office and a count each): `capacity` on the branch level without risks must give
  /// statsmodels' rate ratios exp(b) and intervals exp(conf_int) (cluster = parent, with
  /// its default small-sample factor) to 1e-7.
  @Test func matchesStatsmodels() throws {
    let url = Fixtures.root.appendingPathComponent("statsmodels_cluster_nodes.json")
    let f = try JSONDecoder().decode(ClusterNodesFixture.self, from: Data(contentsOf: url))
    var org = "id,parent,level,name,members,discipline_staff,joint_office\n"
    for g in Set(f.cluster).sorted() { org += "U\(g),,unit,单位\(g),10,,\n" }
    var supervision = "period,node,kind,domain,count\n"
    for i in f.y.indices {
      org += "Z\(i),U\(f.cluster[i]),branch,支部\(i),\(f.members[i]),\(f.staff[i]),\(f.joint[i] == 1 ? "true" : "false")\n"
      supervision += "2025,Z\(i),reminder,finance,\(Int(f.y[i]))\n"
    }
    let t = try TempDataset([
      "dataset.yaml": "periods: [\"2025\"]\nlevels: [unit, branch]\n", "org.csv": org, "supervision.csv": supervision,
    ], base: nil)
    defer { t.cleanUp() }
    let d = try Dataset.load(folder: t.folder)
    let result = try CapacityAnalysis(adjust: .none).run(d, period: 0)
    let branch = result.levels[1]
    #expect(branch.fitted == f.y.count)
    #expect(branch.clusters == 40)
    for (j, rr) in [(1, branch.staff), (2, branch.noStaff), (3, branch.joint)] {
      let r = try #require(rr)
      #expect(abs(log(r.estimate) - f.params[j]) <= 1e-7, "coefficient \(j)")
      #expect(abs(log(r.lower!) - f.conf_int[j][0]) <= 1e-7, "lower \(j)")
      #expect(abs(log(r.upper!) - f.conf_int[j][1]) <= 1e-7, "upper \(j)")
    }
  }

  // MARK: Worked by hand

  /// Two units under one bureau, domains finance and engineering, risks U1 (2, 1), U2
  /// (1, 3); members 20 and 15. Leader L1 oversees U1 and U2 with finance; L2 oversees U2
  /// with engineering. U1: engineering unowned, share 1 / (2 + 1) = 1/3; U2: none, 0.
  /// Supervision: U1 finance 6, engineering 1; U2 finance 3, engineering 10 (total 20).
  /// Inside pairs: U1 finance, U2 finance, U2 engineering: counts 19 of 20; risk weights
  /// 20x2 + 15x1 + 15x3 = 100 of 120 (U1 engineering 20x1): coverage inside
  /// (19/20) / (100/120) = 1.14, outside (1/20) / (20/120) = 0.3. L1: outside its finance,
  /// U1 engineering 20 + U2 engineering 45 = 65 of 120; L2 (U2 only): finance 15 of 60.
  @Test func workedByHand() throws {
    let t = try TempDataset([
      "dataset.yaml": "periods: [\"2025\"]\nlevels: [bureau, unit]\ndomains: [finance, engineering]\n",
      "org.csv": "id,parent,level,name,members\nB1,,bureau,局,10\nU1,B1,unit,甲,20\nU2,B1,unit,乙,15\n",
      "risks.csv": "period,node,domain,risk\n2025,U1,finance,2\n2025,U1,engineering,1\n2025,U2,finance,1\n2025,U2,engineering,3\n",
      "supervision.csv": "period,node,kind,domain,count\n2025,U1,reminder,finance,6\n2025,U1,case,engineering,1\n2025,U2,reminder,finance,3\n2025,U2,interview,engineering,10\n",
      "leaders.csv": "period,person,name,node,role,oversees,domains\n2025,L1,甲领导,B1,member,U1;U2,finance\n2025,L2,乙领导,B1,member,U2,engineering\n2025,L3,书记,B1,secretary,,\n",
    ], base: nil)
    defer { t.cleanUp() }
    let d = try Dataset.load(folder: t.folder)
    #expect(RemitAnalysis.defaultLevel(d, period: 0) == 1)
    let r = try RemitAnalysis().run(d, period: 0)
    #expect(r.units.map(\.unownedRiskShare) == [1.0 / 3, 0])
    #expect(r.units.map(\.leaders) == [1, 2])
    #expect(abs(r.inside.coverage! - (19.0 / 20) / (100.0 / 120)) < 1e-12)
    #expect(abs(r.outside.coverage! - (1.0 / 20) / (20.0 / 120)) < 1e-12)
    #expect(r.leaders.count == 2)
    #expect(abs(r.leaders[0].outsideRiskShare! - 65.0 / 120) < 1e-12)
    #expect(abs(r.leaders[1].outsideRiskShare! - 15.0 / 60) < 1e-12)
    #expect(r.domains[1].unitsOutside == 1)
  }

  // MARK: Bad input

  @Test func badValuesNameFileAndLine() throws {
    let t = try TempDataset([
      "org.csv": """
        id,parent,level,name,members,joint_office
        B1,,bureau,市水务局,10,true
        U1,B1,unit,水文总站,20,maybe
        U2,B1,unit,堤防处,15,否
        Z1,U1,branch,第一支部,8,
        Z2,U1,branch,第二支部,9,0
        Z3,U2,branch,第三支部,7,1

        """,
      "leaders.csv": """
        period,person,name,node,role,oversees,domains
        2025,L1,甲,B1,member,U1,finance;hr
        2025,L2,乙,B1,member,U2,assets;assets

        """,
    ])
    defer { t.cleanUp() }
    let messages = t.diagnostics()
    #expect(messages.contains("org.csv:3: error: column 'joint_office': 'maybe' is not true or false"), "\(messages)")
    #expect(messages.contains { $0.hasPrefix("leaders.csv:2: error: column 'domains': unknown domain 'hr'") }, "\(messages)")
    #expect(messages.contains("leaders.csv:3: warning: column 'domains': domain 'assets' is listed twice (counted once)"), "\(messages)")
  }

  @Test func valuesAreRead() throws {
    let t = try TempDataset([
      "org.csv": "id,parent,level,name,members,joint_office\nB1,,bureau,局,10,true\nU1,B1,unit,甲,20,否\nU2,B1,unit,乙,15,\nZ1,U1,branch,一,8,1\nZ2,U1,branch,二,9,no\nZ3,U2,branch,三,7,是\n",
      "leaders.csv": "period,person,name,node,role,oversees,domains\n2025,L1,甲,B1,member,U1,assets ; finance\n",
    ])
    defer { t.cleanUp() }
    let d = try Dataset.load(folder: t.folder)
    let f = d.forest
    #expect(["B1", "U1", "U2", "Z1", "Z2", "Z3"].map { f.isJointOffice(f.index(of: $0)!) } == [true, false, nil, true, false, true])
    #expect(d.leaders.hasDomains)
    #expect(d.leaders.domains(byRow: 0).map { d.manifest.domains[Int($0)] } == ["assets", "finance"])
    // Without the columns: nothing given.
    let plain = try TempDataset([:])
    defer { plain.cleanUp() }
    let e = try Dataset.load(folder: plain.folder)
    #expect(e.forest.jointOffice.isEmpty && e.forest.isJointOffice(0) == nil)
    #expect(!e.leaders.hasDomains)
  }

  // MARK: Planted truth and the null

  /// 40 bureaus of 12 units of 2 branches: at the unit level (40 parents) and the branch
  /// level (480), joint offices are supervised less (planted); staff is independent of
  /// supervision, so its interval should mostly cover 1.
  @Test(arguments: [21, 22, 23] as [UInt64])
  func findsPlantedCapacity(seed: UInt64) throws {
    let (d, truth) = DatasetGenerator(GeneratorSpec(shape: [40, 12, 2], periods: 3, seed: seed)).makeDataset()
    #expect(truth.objectValue?["capacity"]?.objectValue?["joint_office_effect"]?.stringValue == "lower")
    let r = try CapacityAnalysis(adjust: .risk).run(d, period: 2)
    for k in [1, 2] {
      let joint = try #require(r.levels[k].joint, "seed \(seed) level \(k)")
      #expect(joint.upper! < 1, "seed \(seed) level \(k): joint office RR \(joint)")
    }
    #expect(r.levels[2].staff == nil)  // the generator gives branches no staff figure
    #expect(r.levels[1].staff != nil)
  }

  @Test(arguments: [31, 32, 33] as [UInt64])
  func findsPlantedRemit(seed: UInt64) throws {
    let (d, truth) = DatasetGenerator(GeneratorSpec(shape: [40, 12, 2], periods: 3, seed: seed)).makeDataset()
    #expect(truth.objectValue?["remit"]?.objectValue?["outside_effect"]?.stringValue == "lower")
    let r = try RemitAnalysis().run(d, period: 2)
    #expect(r.level == 1)
    let ratio = try #require(r.outsideRateRatio)
    #expect(ratio.upper! < 1, "seed \(seed): outside RR \(ratio)")
    #expect(r.outside.coverage! < r.inside.coverage!)
  }

  /// Under `--null` every interval should cover 1 about 95% of the time: over 12 seeds,
  /// the capacity intervals (joint office at the unit and branch levels, staff at the unit
  /// level) and remit's, 48 intervals, of which Binomial(48, 0.05) gives more than 7 with
  /// probability 0.4%. The count found is printed.
  @Test func nullFlagsAtTheNominalRate() throws {
    var intervals = 0
    var excluding = 0
    for seed in 100..<112 as Range<UInt64> {
      let (d, _) = DatasetGenerator(GeneratorSpec(shape: [30, 10, 2], periods: 2, seed: seed, null: true)).makeDataset()
      let c = try CapacityAnalysis(adjust: .risk).run(d, period: 1)
      let r = try RemitAnalysis().run(d, period: 1)
      for rr in [c.levels[1].joint, c.levels[2].joint, c.levels[1].staff, r.outsideRateRatio] {
        let rr = try #require(rr, "seed \(seed)")
        intervals += 1
        if rr.excludesOne { excluding += 1 }
      }
    }
    print("null: \(excluding) of \(intervals) intervals exclude 1")
    #expect(intervals == 48)
    #expect(excluding <= 7, "\(excluding) of \(intervals) intervals exclude 1")
  }

  /// Cold nodes and staff: the sample-shaped dataset's cold units are counted, and "short"
  /// follows its definition (no staff, or below the level's median per 100 members).
  @Test func coldAndShort() throws {
    let (d, _) = DatasetGenerator(.preset(.sample, seed: 1)).makeDataset()
    let t = d.periods.count - 1
    let r = try CapacityAnalysis(adjust: .risk).run(d, period: t)
    let unit = r.levels[1]
    let f = d.forest
    let nodes = f.levelRange(1).filter { f.exists($0, in: t) && d.periods[t].members[$0] > 0 && f.disciplineStaff[$0] >= 0 }
    let per100 = nodes.map { 100 * Double(f.disciplineStaff[$0]) / Double(d.periods[t].members[$0]) }
    let m = median(per100)
    #expect(unit.medianStaffPer100 == m)
    for (i, v) in zip(nodes, per100) { #expect(unit.short.contains(i) == (v == 0 || v < m)) }
    let cold = try #require(unit.cold)
    #expect(Set(unit.coldShort).isSubset(of: Set(cold)))
    #expect(unit.coldShort.allSatisfy { unit.short.contains($0) })
  }
}
