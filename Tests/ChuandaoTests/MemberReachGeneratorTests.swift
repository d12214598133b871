import Foundation
import Testing
import _ChuandaoOutput

@testable import Chuandao

/// The generator's planted member step (member_reach.csv, docs/generator.md), found by
/// `AttenuationAnalysis` on datasets made in memory.
@Suite("Member reach: the generator's planted member step")
struct MemberReachGeneratorTests {
  @Test("the generator plants the member step, found within truth.json's tolerances", arguments: [
    GeneratorSpec(shape: [6, 6, 8], periods: 2, seed: 5),
    GeneratorSpec(shape: [4, 5, 4], periods: 3, seed: 1),
  ])
  func planted(_ spec: GeneratorSpec) throws {
    let (d, truth) = DatasetGenerator(spec).makeDataset()
    let t = d.manifest.periods.count - 1
    let m = try #require(AttenuationAnalysis().run(d, period: t).member, "seed \(spec.seed)")
    let planted = try #require(truth["member_reach"])
    let groups = try #require(planted["groups"]?.arrayValue)
    for (g, x) in zip(m.groups, groups) {
      #expect(d.forest.ids[g.node] == x["id"]!.stringValue!)
      let tau = x["tau"]!.doubleValue!
      let tolerance = x["tolerance"]!.doubleValue!
      #expect(abs(g.tau! - tau) <= tolerance, "seed \(spec.seed) \(x["id"]!): \(g.tau!) vs \(tau) +- \(tolerance)")
    }
    // The step over all branches: its interval holds the planted value, and it is far below 1.
    let tau = try #require(planted["tau"]?.doubleValue)
    #expect(m.step.ciLow! <= tau && tau <= m.step.ciHigh!, "seed \(spec.seed): [\(m.step.ciLow!), \(m.step.ciHigh!)] vs \(tau)")
    #expect(m.step.ciHigh! < 0.9, "seed \(spec.seed)")
    // The worst bureau is the one with the lowest member-step tau.
    let worst = groups.firstIndex { $0["worst"]!.boolValue == true }
    #expect(worst == m.groups.indices.min { m.groups[$0].tau! < m.groups[$1].tau! }, "seed \(spec.seed)")
  }

  @Test("--null plants no member step: the interval covers 1 in most datasets, flags near the nominal rate")
  func null() throws {
    var covered = 0
    var flagged = 0
    var tested = 0
    let seeds: [UInt64] = Array(1...20)
    for seed in seeds {
      let (d, truth) = DatasetGenerator(GeneratorSpec(shape: [5, 6, 8], periods: 1, seed: seed, null: true)).makeDataset()
      #expect(truth["member_reach"]?["tau"]?.doubleValue == 1, "seed \(seed)")
      let m = try #require(AttenuationAnalysis().run(d, period: 0).member, "seed \(seed)")
      if m.step.ciLow! <= 1 && 1 <= m.step.ciHigh! { covered += 1 }
      flagged += m.nodes.filter { $0.flag == .attenuated }.count
      tested += m.nodes.filter { $0.z != nil }.count
    }
    // 95% intervals: at least 16 of 20 (P(X <= 15) = 1.6% for Binomial(20, 0.95)).
    #expect(covered >= 16, "covered 1 in \(covered) of 20")
    // Attenuated flags at |z| >= 2: nominal 2.3% of the 4,800 branches (110); the upper
    // 99.9% point of Binomial(4800, 0.0228) is about 145.
    #expect(flagged <= 145, "\(flagged) of \(tested) flagged attenuated")
  }

  @Test("the member step draws from its own stream: the files of before are unchanged")
  func otherFilesUnchanged() throws {
    // The checked-in sample predates member_reach.csv (datasets/sample/README.md: seed 1);
    // every file it has must come out byte for byte the same.
    let made = FileManager.default.temporaryDirectory.appendingPathComponent("chuandao-reach-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: made) }
    try DatasetGenerator(.preset(.sample, seed: 1)).write(to: made)
    let sample = Fixtures.repository.appendingPathComponent("datasets/sample").path
    for name in Dataset.knownFiles where name != "member_reach.csv" {
      let expected = FileManager.default.contents(atPath: sample + "/" + name)
      #expect(expected != nil && FileManager.default.contents(atPath: made + "/" + name) == expected, "\(name)")
    }
    #expect(FileManager.default.fileExists(atPath: made + "/member_reach.csv"))
  }
}
