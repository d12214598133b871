import Foundation
import Testing

@testable import Chuandao

/// `chuandao compare`: its figures equal those of each analysis's own command for the two
/// periods (a check of the wiring), and its usage errors.
@Suite("compare: two periods side by side")
struct CompareCLITests {
  /// Runs a command that must succeed and parses its JSON.
  static func json(_ args: [String]) throws -> JSON {
    let r = try CLI.run(args + ["--format", "json"])
    #expect(r.status == 0, "\(args): \(r.stderr)")
    return try JSON.parse(r.out)
  }

  /// The sample compared 2024 -> 2025.
  static func sample() throws -> JSON { try json(["compare", CLI.sample, "--from", "2024", "--to", "2025"]) }

  @Test("tau and end retention equal attenuation --period for each period; the change is Q - P")
  func attenuation() throws {
    let doc = try Self.sample()
    #expect(doc["from"]?.stringValue == "2024")
    #expect(doc["to"]?.stringValue == "2025")
    let p = try Self.json(["attenuation", CLI.sample, "--period", "2024"])
    let q = try Self.json(["attenuation", CLI.sample, "--period", "2025"])
    let steps = try #require(doc["attenuation"]?["steps"]?.arrayValue)
    let stepsP = try #require(p["steps"]?.arrayValue)
    let stepsQ = try #require(q["steps"]?.arrayValue)
    #expect(steps.count == 2 && stepsP.count == 2)
    for (k, s) in steps.enumerated() {
      #expect(s["from"]?.stringValue == stepsP[k]["from"]?.stringValue)
      #expect(s["to"]?.stringValue == stepsP[k]["to"]?.stringValue)
      let (a, b) = (try #require(stepsP[k]["tau"]?.doubleValue), try #require(stepsQ[k]["tau"]?.doubleValue))
      #expect(s["tau"]?["from"]?.doubleValue == a)
      #expect(s["tau"]?["to"]?.doubleValue == b)
      #expect(s["tau"]?["change"]?.doubleValue == b - a)
    }
    let r = try #require(doc["attenuation"]?["end_retention"])
    let (ra, rb) = (try #require(p["end_retention"]?.doubleValue), try #require(q["end_retention"]?.doubleValue))
    #expect(r["from"]?.doubleValue == ra && r["to"]?.doubleValue == rb && r["change"]?.doubleValue == rb - ra)
    // Per bureau: the end retention of each.
    let groups = try #require(doc["attenuation"]?["groups"]?.arrayValue)
    #expect(groups.count == 4)
    func retention(_ d: JSON) -> [String: Double?] {
      Dictionary(uniqueKeysWithValues: (d["groups"]?.arrayValue ?? []).map { ($0["id"]!.stringValue!, $0["end_retention"]?.doubleValue) })
    }
    let (gp, gq) = (retention(p), retention(q))
    for g in groups {
      let id = try #require(g["id"]?.stringValue)
      #expect(g["end_retention"]?["from"]?.doubleValue == gp[id]!)
      #expect(g["end_retention"]?["to"]?.doubleValue == gq[id]!)
    }
  }

  @Test("the nodes that changed flag are exactly those whose imbalance --period flags differ")
  func imbalance() throws {
    let doc = try Self.sample()
    let p = try Self.json(["imbalance", CLI.sample, "--period", "2024"])
    let q = try Self.json(["imbalance", CLI.sample, "--period", "2025"])
    func flags(_ d: JSON) -> [String: String] {
      Dictionary(uniqueKeysWithValues: (d["nodes"]?.arrayValue ?? []).map { ($0["id"]!.stringValue!, $0["flag"]!.stringValue!) })
    }
    let (fp, fq) = (flags(p), flags(q))
    var expected: [String: (String, String)] = [:]
    for (id, a) in fp { if let b = fq[id], a != b { expected[id] = (a, b) } }
    let section = try #require(doc["imbalance"])
    let changed = try #require(section["changed"]?.arrayValue)
    #expect(Set(changed.map { $0["id"]!.stringValue! }) == Set(expected.keys))
    #expect(!expected.isEmpty, "the sample should have some flag changes between 2024 and 2025")
    for c in changed {
      let id = c["id"]!.stringValue!
      #expect(c["from"]?.stringValue == expected[id]?.0 && c["to"]?.stringValue == expected[id]?.1, "\(id)")
    }
    // The first listed change is to the most alarming flag present among the changes.
    let alarm = ["cold", "hot", "cool", "warm", "normal"]
    let firstTo = try #require(changed.first?["to"]?.stringValue)
    #expect(alarm.firstIndex(of: firstTo) == expected.values.map { alarm.firstIndex(of: $0.1)! }.min())
    // Counts, phi and Gini as the command gives them.
    #expect(section["level"]?.stringValue == p["level"]?.stringValue)
    #expect(section["adjust"]?.stringValue == p["adjust"]?.stringValue)
    for flag in ["cold", "cool", "warm", "hot"] {
      let (a, b) = (fp.values.filter { $0 == flag }.count, fq.values.filter { $0 == flag }.count)
      #expect(section["counts"]?[flag]?["from"]?.intValue == a)
      #expect(section["counts"]?[flag]?["to"]?.intValue == b)
      #expect(section["counts"]?[flag]?["change"]?.intValue == b - a)
    }
    for key in ["phi", "gini"] {
      let (a, b) = (try #require(p[key]?.doubleValue), try #require(q[key]?.doubleValue))
      #expect(section[key]?["from"]?.doubleValue == a && section[key]?["to"]?.doubleValue == b)
      #expect(section[key]?["change"]?.doubleValue == b - a)
    }
    // The node rows carry the same flags.
    for row in try #require(doc["nodes"]?.arrayValue) {
      let id = row["id"]!.stringValue!
      #expect(row["imbalance_flag"]?["from"]?.stringValue == fp[id], "\(id)")
      if fp[id] != nil { #expect(row["imbalance_flag"]?["to"]?.stringValue == fq[id], "\(id)") }
    }
  }

  @Test("the nodes that changed grade are exactly those whose assess --period grades differ")
  func assess() throws {
    let doc = try Self.sample()
    let p = try Self.json(["assess", CLI.sample, "--period", "2024"])
    let q = try Self.json(["assess", CLI.sample, "--period", "2025"])
    func rows(_ d: JSON) -> [String: JSON] {
      Dictionary(uniqueKeysWithValues: (d["nodes"]?.arrayValue ?? []).map { ($0["id"]!.stringValue!, $0) })
    }
    let (rp, rq) = (rows(p), rows(q))
    var expected: [String: (String, String)] = [:]
    for (id, a) in rp {
      if let ga = a["grade"]?.stringValue, let gb = rq[id]?["grade"]?.stringValue, ga != gb { expected[id] = (ga, gb) }
    }
    let changed = try #require(doc["assess"]?["changed"]?.arrayValue)
    #expect(Set(changed.map { $0["id"]!.stringValue! }) == Set(expected.keys))
    #expect(!expected.isEmpty, "the sample should have some grade changes between 2024 and 2025")
    for c in changed {
      let id = c["id"]!.stringValue!
      #expect(c["from"]?.stringValue == expected[id]?.0 && c["to"]?.stringValue == expected[id]?.1, "\(id)")
      let (a, b) = (try #require(rp[id]?["composite"]?.doubleValue), try #require(rq[id]?["composite"]?.doubleValue))
      #expect(c["composite"]?["from"]?.doubleValue == a && c["composite"]?["to"]?.doubleValue == b)
      #expect(c["composite"]?["change"]?.doubleValue == b - a)
    }
    // Grade counts per level.
    for level in try #require(doc["assess"]?["levels"]?.arrayValue) {
      let name = try #require(level["level"]?.stringValue)
      for grade in ["excellent", "good", "fair", "poor"] {
        let a = rp.values.filter { $0["level"]?.stringValue == name && $0["grade"]?.stringValue == grade }.count
        let b = rq.values.filter { $0["level"]?.stringValue == name && $0["grade"]?.stringValue == grade }.count
        #expect(level["grades"]?[grade]?["from"]?.intValue == a, "\(name) \(grade)")
        #expect(level["grades"]?[grade]?["to"]?.intValue == b, "\(name) \(grade)")
      }
    }
  }

  @Test("coordination and closure figures equal their commands'")
  func coordinationAndClosure() throws {
    let doc = try Self.sample()
    let p = try Self.json(["coordination", CLI.sample, "--period", "2024"])
    let q = try Self.json(["coordination", CLI.sample, "--period", "2025"])
    let levels = try #require(doc["coordination"]?["levels"]?.arrayValue)
    for (k, l) in levels.enumerated() {
      #expect(l["mean_index"]?["from"]?.doubleValue == p["levels"]?[k]?["mean_index"]?.doubleValue)
      #expect(l["mean_index"]?["to"]?.doubleValue == q["levels"]?[k]?["mean_index"]?.doubleValue)
    }
    func silos(_ d: JSON) -> [String: Bool] {
      Dictionary(uniqueKeysWithValues: (d["nodes"]?.arrayValue ?? []).map { ($0["id"]!.stringValue!, $0["silo"]!.boolValue!) })
    }
    let (sp, sq) = (silos(p), silos(q))
    let became = Set(sp.filter { !$0.value && sq[$0.key] == true }.keys)
    let stopped = Set(sp.filter { $0.value && sq[$0.key] == false }.keys)
    #expect(Set((doc["coordination"]?["became_silo"]?.arrayValue ?? []).map { $0["id"]!.stringValue! }) == became)
    #expect(Set((doc["coordination"]?["stopped_silo"]?.arrayValue ?? []).map { $0["id"]!.stringValue! }) == stopped)

    let cp = try Self.json(["closure", CLI.sample, "--period", "2024"])
    let cq = try Self.json(["closure", CLI.sample, "--period", "2025"])
    let closure = try #require(doc["closure"])
    #expect(closure["as_of"]?["from"]?.stringValue == "2024-12-31")
    #expect(closure["as_of"]?["to"]?.stringValue == "2025-12-31")
    func tops(_ d: JSON) -> [String: JSON] {
      Dictionary(uniqueKeysWithValues: (d["nodes"]?.arrayValue ?? []).filter { $0["level"]?.stringValue == "bureau" }
        .map { ($0["id"]!.stringValue!, $0) })
    }
    let (tp, tq) = (tops(cp), tops(cq))
    for g in try #require(closure["groups"]?.arrayValue) {
      let id = g["id"]!.stringValue!
      #expect(g["closure_index"]?["from"] == tp[id]?["closure_index"])
      #expect(g["closure_index"]?["to"] == tq[id]?["closure_index"])
      #expect(g["problems"]?["from"]?.intValue == tp[id]?["problems"]?.intValue)
    }
    let all = { (t: [String: JSON], key: String) in t.values.reduce(0) { $0 + ($1[key]?.intValue ?? 0) } }
    let (pa, qa) = (all(tp, "problems"), all(tq, "problems"))
    #expect(closure["all"]?["problems"]?["from"]?.intValue == pa)
    #expect(closure["all"]?["closure_index"]?["to"]?.doubleValue == Double(all(tq, "on_time")) / Double(qa))
  }

  @Test("a merge between the periods is listed apart as reorganised, not compared")
  func reorganised() throws {
    let doc = try Self.json(["compare", CLI.sample, "--from", "2022", "--to", "2023"])
    let pairs = try #require(doc["reorganised"]?.arrayValue).map { ($0["from"]!.stringValue!, $0["to"]!.stringValue!) }
    #expect(pairs.contains { $0 == ("B1-U4", "B1-U4M") })
    #expect(pairs.contains { $0 == ("B1-U5", "B1-U4M") })
    let ids = Set(try #require(doc["nodes"]?.arrayValue).map { $0["id"]!.stringValue! })
    #expect(!ids.contains("B1-U4") && !ids.contains("B1-U4M"))
    #expect(ids.contains("B1"))
  }

  @Test("csv: one row per compared node with its flags and grades in both periods")
  func csv() throws {
    let doc = try Self.sample()
    let r = try CLI.run(["compare", CLI.sample, "--from", "2024", "--to", "2025", "--format", "csv"])
    #expect(r.status == 0, "\(r.stderr)")
    // CRLF line ends (RFC 4180); no field of the sample holds a line break.
    let lines = r.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }
    #expect(lines.count == 1 + (doc["nodes"]?.arrayValue?.count ?? -1))
    for column in ["imbalance_flag.from", "imbalance_flag.to", "grade.from", "grade.to", "silo.from", "composite.change"] {
      #expect(lines.first?.contains(column) == true, "\(column)")
    }
  }

  @Test("csv into a folder: one file per list, the changed nodes among them")
  func csvFolder() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["compare", CLI.sample, "--from", "2024", "--to", "2025", "--format", "csv", "--out", dir + "/"])
    #expect(r.status == 0, "\(r.stderr)")
    let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
    for name in ["nodes.csv", "summary.csv", "provenance.json", "attenuation_steps.csv", "imbalance_changed.csv", "assess_changed.csv", "closure_groups.csv"] {
      #expect(files.contains(name), "\(name)")
    }
    let changed = try String(contentsOfFile: dir + "/imbalance_changed.csv", encoding: .utf8)
    #expect(changed.contains("id,name,level,parent,from,to"))
  }

  @Test("usage errors exit 1: an unknown period, the same period twice, --period")
  func usageErrors() throws {
    let unknown = try CLI.run(["compare", CLI.sample, "--from", "2019", "--to", "2025", "--lang", "en"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("unknown period '2019'"))
    #expect(unknown.stderr.contains("2021, 2022, 2023, 2024, 2025"))
    #expect(unknown.stdout.isEmpty)
    let unknownTo = try CLI.run(["compare", CLI.sample, "--from", "2024", "--to", "2030", "--lang", "en"])
    #expect(unknownTo.status == 1 && unknownTo.stderr.contains("unknown period '2030'"))
    let same = try CLI.run(["compare", CLI.sample, "--from", "2025", "--to", "2025", "--lang", "en"])
    #expect(same.status == 1)
    #expect(same.stderr.contains("same period"))
    let period = try CLI.run(["compare", CLI.sample, "--from", "2024", "--to", "2025", "--period", "2024", "--lang", "en"])
    #expect(period.status == 1)
    #expect(period.stderr.contains("--period"))
    let missing = try CLI.run(["compare", CLI.sample, "--from", "2024"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("--to"))
  }

  @Test("the table has its sections in Chinese and in English")
  func tables() throws {
    let en = try CLI.run(["compare", CLI.sample, "--from", "2024", "--to", "2025", "--lang", "en"])
    #expect(en.status == 0, "\(en.stderr)")
    for heading in [
      "Year on year: period 2024 against period 2025", "Vertical drop: metric score", "End retention R",
      "Bureaus: end retention", "Horizontal spread: level branch", "Cold/hot flag changed (",
      "Four responsibilities together", "Closed loop of the three lists", "Annual assessment: grades by level",
      "Grade changed (", "Settings: defaults (no --config)",
    ] {
      #expect(en.out.contains(heading), "\(heading)")
    }
    let zh = try CLI.run(["compare", CLI.sample, "--from", "2024", "--to", "2025"])
    #expect(zh.status == 0, "\(zh.stderr)")
    for heading in [
      "同比：2024 期对 2025 期", "落差（层层传导）", "末端保留率 R", "各局末端保留率", "温差（冷热不均）：支部层",
      "冷热标记有变化（", "四责协同", "三张清单闭环", "年度考核：各层等级分布", "等级有变化（", "设置：默认值",
    ] {
      #expect(zh.out.contains(heading), "\(heading)")
    }
    let help = try CLI.run(["compare", "--help"])
    #expect(help.status == 0)
    #expect(help.out.contains("chuandao compare datasets/sample --from 2024 --to 2025"))
  }
}
