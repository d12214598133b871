import Foundation
import Testing
import _ChuandaoOutput

@testable import Chuandao

/// The member step end to end (issue 17 part 3): `chuandao generate` plants it,
/// `chuandao attenuation` finds it; on `--null` data it flags about the nominal rate.
@Suite("member_reach.csv through the command line")
struct MemberReachCLITests {
  static func attenuation(_ folder: String) throws -> JSON {
    let r = try CLI.run(["attenuation", folder, "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    return try JSON.parse(r.stdout)
  }

  @Test("generated data: the planted drop at the member step is found, per bureau within tolerance", arguments: [UInt64(2), 9])
  func planted(_ seed: UInt64) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let gen = try CLI.run(["generate", dir + "/ds", "--shape", "5x6x8", "--periods", "2", "--seed", "\(seed)"])
    #expect(gen.status == 0, "\(gen.stderr)")
    let truth = try JSON.parse(contentsOfFile: dir + "/ds/truth.json")
    let planted = try #require(truth["member_reach"])
    let json = try Self.attenuation(dir + "/ds")
    let step = try #require(json["member_step"])
    #expect(step["from"]?.stringValue == "branch" && step["to"]?.stringValue == "member")
    let low = try #require(step["ci_low"]?.doubleValue)
    let high = try #require(step["ci_high"]?.doubleValue)
    let tau = try #require(planted["tau"]?.doubleValue)
    #expect(low <= tau && tau <= high, "seed \(seed): [\(low), \(high)] vs planted \(tau)")
    #expect(high < 0.9, "seed \(seed): the drop is found (interval below 0.9)")
    // end_retention of the level steps is unchanged in meaning; the member one is below it.
    let levels = try #require(json["end_retention"]?.doubleValue)
    let toMember = try #require(step["end_retention"]?.doubleValue)
    #expect(abs(toMember - levels * step["tau"]!.doubleValue!) <= 1e-12)
    let groups = try #require(step["groups"]?.arrayValue)
    let truthGroups = try #require(planted["groups"]?.arrayValue)
    for (g, x) in zip(groups, truthGroups) {
      #expect(g["id"]?.stringValue == x["id"]?.stringValue)
      let (est, want, tol) = (g["tau"]!.doubleValue!, x["tau"]!.doubleValue!, x["tolerance"]!.doubleValue!)
      #expect(abs(est - want) <= tol, "seed \(seed) \(x["id"]!): \(est) vs \(want) +- \(tol)")
    }
    // The table names the step and the summary sentence of the report mentions it.
    let table = try CLI.run(["attenuation", dir + "/ds", "--lang", "en"])
    #expect(table.out.contains("branch → member") && table.out.contains("Reaching the members"), "\(table.out)")
    let zh = try CLI.run(["attenuation", dir + "/ds"])
    #expect(zh.out.contains("支部 → 党员") && zh.out.contains("党员覆盖"), "\(zh.out)")
    let report = try CLI.run(["report", dir + "/ds", "--out", dir + "/out", "--lang", "en"])
    #expect(report.status == 0, "\(report.stderr)")
    let md = try String(contentsOfFile: dir + "/out/report.md", encoding: .utf8)
    #expect(md.contains("the branch → member step keeps τ ="), "report summary")
    let svg = try String(contentsOfFile: dir + "/out/charts/ladder.svg", encoding: .utf8)
    #expect(svg.contains("branch → member") && svg.contains("Retention to the member"))
  }

  @Test("--null data: the member step's interval covers 1, and flags stay near the nominal rate")
  func null() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var covered = 0
    var flagged = 0
    var tested = 0
    for seed in 1...6 {
      let folder = dir + "/null\(seed)"
      let gen = try CLI.run(["generate", folder, "--shape", "6x8x10", "--periods", "1", "--seed", "\(seed)", "--null"])
      #expect(gen.status == 0, "\(gen.stderr)")
      let step = try #require(try Self.attenuation(folder)["member_step"])
      if step["ci_low"]!.doubleValue! <= 1 && 1 <= step["ci_high"]!.doubleValue! { covered += 1 }
      for node in step["nodes"]!.arrayValue! {
        if node["z"]?.doubleValue != nil { tested += 1 }
        if node["flag"]?.stringValue == "attenuated" { flagged += 1 }
      }
    }
    // 95% intervals: 6 of 6 cover 1 with probability 0.74; at least 5 with 0.97.
    #expect(covered >= 5, "covered 1 in \(covered) of 6")
    // |z| >= 2 attenuated: nominal 2.3% of 2,880 branches (66); 99.9% point about 92.
    #expect(tested == 2880 && flagged <= 92, "\(flagged) of \(tested) flagged attenuated")
  }

  @Test("without member_reach.csv nothing changes; with --metric intensity a note says why there is no member step")
  func absentAndIntensity() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // The sample without its member_reach.csv: no member_step key at all.
    try FileManager.default.copyItem(atPath: CLI.sample, toPath: dir + "/plain")
    try FileManager.default.removeItem(atPath: dir + "/plain/member_reach.csv")
    let plain = try Self.attenuation(dir + "/plain")
    #expect(plain["member_step"] == nil)
    #expect(try Self.attenuation(CLI.sample)["member_step"]?.objectValue != nil)
    let gen = try CLI.run(["generate", dir + "/ds", "--shape", "2x2x3", "--periods", "1", "--seed", "4"])
    #expect(gen.status == 0, "\(gen.stderr)")
    let r = try CLI.run(["attenuation", dir + "/ds", "--metric", "intensity", "--format", "json", "--lang", "en"])
    #expect(r.status == 0)
    #expect(try JSON.parse(r.stdout)["member_step"]?.isNull == true)
    #expect(r.stderr.contains("metric intensity has no step to the member"), "\(r.stderr)")
  }

  @Test("validate names a bad member_reach.csv row by line; a workbook of the same table too")
  func validate() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.copyItem(
      atPath: CLI.repository.appendingPathComponent("Tests/ChuandaoCLITests/Fixtures/reach").path, toPath: dir + "/ds")
    var text = try String(contentsOfFile: dir + "/ds/member_reach.csv", encoding: .utf8)
    text = text.replacingOccurrences(of: "2025,Z1,talk,22,31", with: "2025,Z1,talk,32,31")
    try text.write(toFile: dir + "/ds/member_reach.csv", atomically: true, encoding: .utf8)
    let r = try CLI.run(["validate", dir + "/ds", "--lang", "en"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("member_reach.csv:3: error: column 'reached': 32 exceeds eligible 31"), "\(r.stderr)")
  }
}
