import Foundation
import Testing

@testable import Chuandao
import _ChuandaoOutput

/// What a new analyst tripped over (issue 18), each checked end to end on the CLI.
@Suite("What a new analyst trips over")
struct AnalystFindingsTests {
  // MARK: - 1. Names

  @Test("to a pipe or a file, tables print whole names")
  func wholeNamesWhenNotATerminal() throws {
    // The sample's unit 水文总站（"四责协同"试点, 一岗双责） (21 characters) was cut to
    // 水文总站（"四责协同… in the Parent column whatever the output was.
    let whole = "水文总站（\"四责协同\"试点, 一岗双责）"
    let r = try CLI.run(["imbalance", CLI.sample, "--lang", "en"])
    #expect(r.status == 0)
    #expect(r.out.contains(whole))
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(try CLI.run(["imbalance", CLI.sample, "--out", dir + "/t.txt"]).status == 0)
    #expect(try String(contentsOfFile: dir + "/t.txt", encoding: .utf8).contains(whole))
  }

  // MARK: - 3. Settings

  @Test("every analysis table says which settings made it")
  func settingsLine() throws {
    for command in ["attenuation", "imbalance", "coordination", "trend", "assess"] {
      let r = try CLI.run([command, CLI.sample, "--lang", "en"])
      #expect(r.status == 0, "\(command): \(r.stderr)")
      #expect(r.out.hasSuffix("Settings: defaults (no --config)\n"), "\(command)")
    }
    let config = CLI.sample + "/assess.yaml"
    let digest = try CLI.sha256sum(config)
    let r = try CLI.run(["assess", CLI.sample, "--config", config, "--lang", "en"])
    #expect(r.out.hasSuffix("Settings: \(config) (sha256 \(digest.prefix(12)))\n"))
    let zh = try CLI.run(["closure", CLI.sample])
    #expect(zh.out.hasSuffix("设置：默认值（未给 --config）\n"))
    // summary does not depend on settings: no line.
    #expect(!(try CLI.run(["summary", CLI.sample, "--lang", "en"]).out.contains("Settings:")))
  }

  // MARK: - 4. Grades

  @Test("the assessment table states the grading rule with the cut-offs in use")
  func gradeRule() throws {
    let r = try CLI.run(["assess", CLI.sample, "--lang", "en"])
    #expect(r.out.contains("Grades follow the rank within the level, not the composite itself: q = (rank - 0.5) / ranked, q <= 0.15 excellent, <= 0.85 good, <= 0.95 fair, the rest poor"))
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "assess: {grades: {excellent: 0.2, good: 0.7, fair: 0.9}, uncertainty: {draws: 0}}\n"
      .write(toFile: dir + "/g.yaml", atomically: true, encoding: .utf8)
    let c = try CLI.run(["assess", CLI.sample, "--lang", "en", "--config", dir + "/g.yaml"])
    #expect(c.out.contains("q <= 0.20 excellent, <= 0.70 good, <= 0.90 fair, the rest poor"))
    let help = try CLI.run(["assess", "--help"])
    #expect(help.out.contains("(rank - 0.5)/n"))
  }

  // MARK: - 5. Chance

  @Test("imbalance: cool and cold apart, each with what chance alone would give")
  func imbalanceChance() throws {
    let r = try CLI.run(["imbalance", CLI.sample, "--format", "json"])
    let doc = try JSON.parse(r.out)
    let n = Double(try #require(doc["nodes"]?.arrayValue).count)
    #expect(n == 76)
    // 76 nodes: cold and hot 76 x 0.001 = 0.076, cool and warm 76 x 0.024 = 1.824.
    for (flag, expected) in [("cold", 0.076), ("cool", 1.824), ("warm", 1.824), ("hot", 0.076)] {
      let chance = try #require(doc["chance"]?[flag]?["expected_by_chance"]?.doubleValue)
      #expect(abs(chance - expected) < 1e-12, "\(flag)")
      let found = try #require(doc["chance"]?[flag]?["found"]?.intValue)
      #expect(found == doc["nodes"]!.arrayValue!.filter { $0["flag"]?.stringValue == flag }.count)
    }
    let t = try CLI.run(["imbalance", CLI.sample, "--lang", "en"])
    #expect(t.out.contains("Cool: below the 95% lower limit, not the 99.8% one: 0 (chance alone: about 1.8 = 76 x 2.4%)"))
    #expect(t.out.contains("Cold: below the 99.8% lower limit (far less supervision than expected): 5 (chance alone: about 0.1 = 76 x 0.1%)"))
    #expect(!t.out.contains("Cold: supervised far less than expected"))
  }

  @Test("--fdr: findings are the nodes whose q-value is at most Q")
  func fdr() throws {
    let r = try CLI.run(["imbalance", CLI.sample, "--format", "json", "--fdr", "0.05"])
    #expect(r.status == 0)
    let doc = try JSON.parse(r.out)
    #expect(doc["fdr"]?.doubleValue == 0.05)
    let nodes = try #require(doc["nodes"]?.arrayValue)
    var findings = 0
    for node in nodes {
      let q = try #require(node["q"]?.doubleValue)
      #expect(node["finding"]?.boolValue == (q <= 0.05))
      if q <= 0.05 { findings += 1 }
    }
    #expect(findings >= 5, "the sample's five cold nodes have tiny q-values")
    let t = try CLI.run(["imbalance", CLI.sample, "--lang", "en", "--fdr", "0.05"])
    #expect(t.out.contains("Findings at a false-discovery rate of 0.05 (Benjamini-Hochberg, q <= 0.05): \(findings)"))
    // Without --fdr: q-values still in the JSON, no findings.
    let plain = try JSON.parse(try CLI.run(["imbalance", CLI.sample, "--format", "json"]).out)
    #expect(plain["fdr"] == .null && plain["nodes"]?[0]?["q"]?.doubleValue != nil)
    #expect(plain["nodes"]?[0]?["finding"] == .null)
    for bad in ["0", "1", "1.5", "-0.1"] {
      let b = try CLI.run(["imbalance", CLI.sample, "--fdr=\(bad)"])
      #expect(b.status == 1 && b.stderr.contains("--fdr must be between 0 and 1"), "\(bad)")
    }
  }

  @Test("attenuation and trend: flagged counts beside what chance alone would give")
  func attenuationAndTrendChance() throws {
    let a = try JSON.parse(try CLI.run(["attenuation", CLI.sample, "--format", "json"]).out)
    let tested = Double(try #require(a["nodes"]?.arrayValue).filter { $0["z"] != .null }.count)
    // Φ(-2) = 0.0227501319481792 (the standard normal tail beyond 2).
    let expected = tested * 0.0227501319481792
    #expect(abs((a["chance"]?["attenuated"]?["expected_by_chance"]?.doubleValue ?? .nan) - expected) < 1e-9)
    let at = try CLI.run(["attenuation", CLI.sample, "--lang", "en"])
    #expect(at.out.contains("of \(Int(tested)) edges; chance alone gives about \(String(format: "%.1f", expected)) of each = \(Int(tested)) x 2.3%"))
    // trend: at most tested x alpha/2 = tested x 0.05 in each direction.
    let t = try JSON.parse(try CLI.run(["trend", CLI.sample, "--format", "json"]).out)
    let withP = Double(try #require(t["nodes"]?.arrayValue).filter { $0["p"] != .null }.count)
    #expect(abs((t["chance"]?["falling"]?["at_most_by_chance"]?.doubleValue ?? .nan) - withP * 0.05) < 1e-9)
    let tt = try CLI.run(["trend", CLI.sample, "--lang", "en"])
    #expect(tt.out.contains("Falling (Mann-Kendall p < 0.10; chance alone gives at most about \(String(format: "%.1f", withP * 0.05))"))
  }

  @Test("trend: the persistently cold table shows where supervision is going")
  func persistentlyColdShowsSupervision() throws {
    let score = try JSON.parse(try CLI.run(["trend", CLI.sample, "--format", "json"]).out)
    let intensity = try JSON.parse(try CLI.run(["trend", CLI.sample, "--format", "json", "--metric", "intensity"]).out)
    var byID: [String: String] = [:]
    for node in intensity["nodes"]!.arrayValue! {
      byID[node["id"]!.stringValue!] = node["direction"]!.stringValue!
    }
    let persistent = score["nodes"]!.arrayValue!.filter { $0["persistent"] != .null }
    #expect(persistent.count >= 4)
    for node in persistent {
      let id = node["id"]!.stringValue!
      #expect(node["supervision_direction"]?.stringValue == byID[id], "\(id)")
    }
    let table = try CLI.run(["trend", CLI.sample, "--lang", "en"])
    #expect(table.out.contains("Supervision trend"))
  }

  // MARK: - Smaller

  @Test("a dataset argument that is not a folder is a usage error")
  func notAFolder() throws {
    let r = try CLI.run(["attenuation", "/no/such/folder", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr == "/no/such/folder: error: no such folder\n")
    let v = try CLI.run(["validate", CLI.sample + "/org.csv", "--lang", "en"])
    #expect(v.status == 1 && v.stderr.contains("error: not a folder"))
  }

  @Test("a write that fails says so once")
  func writeErrorOnce() throws {
    let r = try CLI.run(["summary", CLI.sample, "--out", "/no/such/dir/x.txt", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.components(separatedBy: "cannot write").count == 2, "\(r.stderr)")
  }

  @Test("English counts agree with their nouns")
  func plurals() throws {
    let r = try CLI.run(["summary", CLI.sample, "--lang", "en"])
    #expect(r.out.contains("1 node with zero members; 1 warning"))
    #expect(!r.out.contains("1 warnings") && !r.out.contains("1 nodes"))
  }

  @Test("help prose wraps evenly: no short line inside a paragraph")
  func helpWrapping() throws {
    for command in ["trend", "imbalance", "assess", "attenuation"] {
      let help = try CLI.run([command, "--help", "--lang", "en"]).out
      let prose = help.components(separatedBy: "Examples:")[0].components(separatedBy: "\n")
      for (i, line) in prose.enumerated().dropLast() where !line.isEmpty && !prose[i + 1].isEmpty {
        // A line followed by more of its paragraph was wrapped at the width (80 here).
        #expect(line.count >= 50, "\(command): '\(line)' is cut short")
      }
    }
  }

  // MARK: - 6. Headline tables in CSV

  @Test("--format csv --out DIR writes every table, not only the node rows")
  func csvFolder() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    func files(_ command: String) throws -> [String] {
      let r = try CLI.run([command, CLI.sample, "--format", "csv", "--out", "\(dir)/\(command)/"])
      #expect(r.status == 0, "\(command): \(r.stderr)")
      return try FileManager.default.contentsOfDirectory(atPath: "\(dir)/\(command)").sorted()
    }
    #expect(try files("attenuation") == ["groups.csv", "nodes.csv", "provenance.json", "steps.csv", "summary.csv"])
    #expect(try files("imbalance") == ["domains.csv", "nodes.csv", "provenance.json", "summary.csv"])
    #expect(try files("closure") == ["breaks.csv", "nodes.csv", "provenance.json", "summary.csv"])
    #expect(try files("assess").contains("leaders.csv"))
    // steps.csv holds the JSON's tau per step (to 10 significant digits).
    let doc = try JSON.parse(try CLI.run(["attenuation", CLI.sample, "--format", "json"]).out)
    let steps = try String(contentsOfFile: "\(dir)/attenuation/steps.csv", encoding: .utf8)
      .split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    #expect(steps.count == 2)
    for (k, fields) in steps.enumerated() {
      let tau = try #require(doc["steps"]?[k]?["tau"]?.doubleValue)
      #expect(abs(Double(fields[4])! - tau) <= 1e-9 * tau)
    }
    // breaks.csv: one row per broken problem, as many as the JSON's three lists hold.
    let closure = try JSON.parse(try CLI.run(["closure", CLI.sample, "--format", "json"]).out)
    let broken = ["unowned", "unplanned", "overdue"].map { closure["breaks"]?[$0]?.arrayValue?.count ?? 0 }.reduce(0, +)
    let breaks = try String(contentsOfFile: "\(dir)/closure/breaks.csv", encoding: .utf8).split(separator: "\r\n")
    #expect(breaks.first?.hasSuffix("break,problem,node,name,domain,description") == true)
    #expect(breaks.count == 1 + broken && broken > 0)
    // A folder whose parent does not exist: a usage error, nothing written.
    let bad = try CLI.run(["closure", CLI.sample, "--format", "csv", "--out", "\(dir)/no/such/", "--lang", "en"])
    #expect(bad.status == 1 && bad.stderr.contains("cannot create the folder"))
  }

  // MARK: - Smaller

  @Test("the closure index is defined under its table; intensity shows its unit")
  func definitionsAndUnits() throws {
    let c = try CLI.run(["closure", CLI.sample, "--lang", "en"])
    #expect(c.out.contains("Closure index = problems done on time / problems (subtree included)"))
    let a = try CLI.run(["attenuation", CLI.sample, "--metric", "intensity", "--lang", "en"])
    #expect(a.out.hasPrefix("Vertical drop: metric intensity (kind-weighted actions per 100 members)"))
  }

  // MARK: - 8. Chinese throughout

  @Test("--lang zh translates levels, subjects, domains and kinds in every table")
  func chinese() throws {
    let summary = try CLI.run(["summary", CLI.sample]).out
    #expect(summary.contains("层级：局 > 单位 > 支部"))
    #expect(summary.contains("节点：115  (局 4，单位 22，支部 89)"))
    #expect(summary.contains("责任主体：党委主体责任、书记第一责任、纪委监督责任、班子一岗双责"))
    #expect(summary.contains("领域：财务、工程、人事、资产、采购、其他"))
    #expect(summary.contains("督查类型（由轻到重）：提醒谈话、约谈、检查、信访、立案"))
    #expect(!summary.contains("bureau") && !summary.contains("finance"))
    let imbalance = try CLI.run(["imbalance", CLI.sample]).out
    #expect(imbalance.contains("工程") && !imbalance.contains("engineering"))
    let closure = try CLI.run(["closure", CLI.sample]).out
    #expect(!closure.contains("procurement") && !closure.contains("finance"))
    // JSON and CSV keep the English identifiers: they are data (docs/output.md).
    let json = try JSON.parse(try CLI.run(["summary", CLI.sample, "--format", "json"]).out)
    #expect(json["levels"]?.arrayValue?.compactMap(\.stringValue) == ["bureau", "unit", "branch"])
  }

  // MARK: - 10. Docs inside the repository

  @Test("help and README point to docs that a clone has")
  func docsInTheRepository() throws {
    var texts = [try CLI.run(["--help", "--lang", "en"]).out, try CLI.run(["--help", "--lang", "zh"]).out]
    for command in ["validate", "summary", "generate", "attenuation", "imbalance", "coordination", "closure", "trend", "assess", "compare"] {
      for lang in ["en", "zh"] { texts.append(try CLI.run([command, "--help", "--lang", lang]).out) }
    }
    let readme = try String(contentsOf: CLI.repository.appendingPathComponent("README.md"), encoding: .utf8)
    for text in texts {
      for outside in ["METHODS.md", "DATA.md", "OUTPUT.md", "../shared"] {
        #expect(!text.contains(outside), "help mentions \(outside)")
      }
    }
    #expect(!readme.contains("../shared") && !readme.contains("METHODS.md"))
    // Every docs/NAME.md named in help or the README exists.
    let pattern = try NSRegularExpression(pattern: "docs/[A-Za-z0-9_-]+\\.md")
    var named = Set<String>()
    for text in texts + [readme] {
      let range = NSRange(text.startIndex..., in: text)
      for m in pattern.matches(in: text, range: range) { named.insert(String(text[Range(m.range, in: text)!])) }
    }
    #expect(named.count >= 5, "\(named)")
    for path in named {
      #expect(FileManager.default.fileExists(atPath: CLI.repository.appendingPathComponent(path).path), "\(path)")
    }
  }

  @Test("help in Chinese and English, by --lang or the environment's LANG")
  func bilingualHelp() throws {
    let zh = try CLI.run(["imbalance", "--help", "--lang", "zh"]).out
    #expect(zh.contains("温差（冷热不均）：哪些单位受到的监督明显偏少或偏多。"))
    #expect(zh.contains("要分析的期（默认最近一期）。"))
    #expect(!zh.contains("Horizontal spread"))
    let en = try CLI.run(["imbalance", "--help", "--lang", "en"]).out
    #expect(en.contains("Horizontal spread") && en.contains("Period label to analyse"))
    #expect(!en.contains("哪些单位受到的监督"))
    let byEnvironment = try CLI.run(["assess", "--help"], environment: ["LANG": "zh_CN.UTF-8", "LC_ALL": ""]).out
    #expect(byEnvironment.contains("年度考核数据"))
    // Chinese prose is wrapped by display width: no line of a paragraph wider than 80 columns.
    for line in zh.components(separatedBy: "USAGE:")[0].components(separatedBy: "\n") {
      #expect(displayWidth(line) <= 80, "'\(line)'")
    }
  }
}
