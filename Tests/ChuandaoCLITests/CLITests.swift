import Foundation
import Testing
import _ChuandaoOutput

@testable import Chuandao

/// Runs the built `chuandao` executable, as a user would.
struct CLI {
  static var binary: URL {
    // The test bundle sits in the build products folder, beside the executable.
    let products = Bundle.main.bundleURL.deletingLastPathComponent()
    let candidates = [
      products.appendingPathComponent("chuandao"),
      Bundle.main.bundleURL.appendingPathComponent("chuandao"),
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("chuandao"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
  }

  static var repository: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  static var sample: String { repository.appendingPathComponent("datasets/sample").path }

  /// The environment of every run of the CLI in the tests: this process's, with the dataset
  /// snapshots kept in a cache folder of this test process (removed at exit) instead of the
  /// user's (docs/snapshot.md).
  static let environment: [String: String] = {
    var env = ProcessInfo.processInfo.environment
    env["CHUANDAO_CACHE"] = cacheFolder
    return env
  }()

  static let cacheFolder: String = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chuandao-test-cache-\(UUID().uuidString)").path
    atexit { try? FileManager.default.removeItem(atPath: CLI.cacheFolder) }
    return dir
  }()

  struct Result {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
  }

  static func run(
    _ args: [String], environment: [String: String] = [:], directory: URL? = nil
  ) throws -> Result {
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    if let directory { p.currentDirectoryURL = directory }
    var env = CLI.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read both pipes before waiting, so that a large output cannot block the child.
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(status: p.terminationStatus, stdout: Array(o), stderr: String(decoding: e, as: UTF8.self))
  }

  static func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chuandao-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// `sha256sum FILE`'s hex digest, computed by the system tool.
  static func sha256sum(_ path: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
  }
}

@Suite("The chuandao command line")
struct CLITests {
  @Test("validate: exit 0 with warnings only, the count on stderr")
  func validateSample() throws {
    let r = try CLI.run(["validate", CLI.sample, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("0 errors, 1 warning"))
    // The one warning is the planted zero-member node of truth.json.
    let truth = try JSON.parse(contentsOfFile: CLI.sample + "/truth.json")
    let zero = try #require(truth["imbalance"]?["zero_members"]?[0]?.stringValue)
    #expect(r.stderr.contains("warning: node '\(zero)'"))
    #expect(r.stderr.contains("has zero members"))
  }

  @Test("validate: exit 2 with every error located")
  func validateBad() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "periods: [\"2025\"]\n".write(toFile: dir + "/dataset.yaml", atomically: true, encoding: .utf8)
    try "id,parent,level,name,members\nB1,,bureau,a,1\nU1,B9,unit,b,2\nU2,B1,unit,c,-1\n"
      .write(toFile: dir + "/org.csv", atomically: true, encoding: .utf8)
    let r = try CLI.run(["validate", dir, "--lang", "en"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("org.csv:3: error: column 'parent': unknown parent 'B9'"))
    #expect(r.stderr.contains("org.csv:4: error: column 'members': '-1' is not a whole number >= 0"))
    #expect(r.stderr.contains("2 errors, 0 warnings"))
    // Analysis commands load the same way and stop with the same messages.
    let s = try CLI.run(["summary", dir, "--lang", "en"])
    #expect(s.status == 2)
    #expect(s.stderr.contains("org.csv:3: error: column 'parent': unknown parent 'B9'"))
    #expect(s.stdout.isEmpty)
  }

  @Test("summary --format json is byte-identical across runs apart from the time made")
  func jsonStable() throws {
    let a = try CLI.run(["summary", CLI.sample, "--format", "json"])
    let b = try CLI.run(["summary", CLI.sample, "--format", "json"])
    #expect(a.status == 0 && b.status == 0)
    func strip(_ s: String) -> String {
      s.split(separator: "\n").filter { !$0.contains("\"generated_at\"") }.joined(separator: "\n")
    }
    #expect(strip(a.out) == strip(b.out))
    // With SOURCE_DATE_EPOCH the time made is fixed too, so whole documents are identical.
    let c = try CLI.run(["summary", CLI.sample, "--format", "json"], environment: ["SOURCE_DATE_EPOCH": "1767225600"])
    let d = try CLI.run(["summary", CLI.sample, "--format", "json"], environment: ["SOURCE_DATE_EPOCH": "1767225600"])
    #expect(c.stdout == d.stdout)
    #expect(c.out.contains("\"generated_at\": \"2026-01-01T00:00:00Z\""))
  }

  @Test("provenance hashes equal sha256sum of each input file")
  func provenance() throws {
    let r = try CLI.run(["summary", CLI.sample, "--format", "json"])
    let doc = try JSON.parse(r.out)
    let inputs = try #require(doc["provenance"]?["inputs"]?.objectValue)
    let files = try FileManager.default.contentsOfDirectory(atPath: CLI.sample)
      .filter { $0.hasSuffix(".csv") || $0 == "dataset.yaml" }
    #expect(Set(inputs.keys) == Set(files))
    for (name, hash) in inputs {
      #expect(hash.stringValue == (try CLI.sha256sum(CLI.sample + "/" + name)), "\(name)")
    }
    #expect(doc["provenance"]?["version"]?.stringValue == ChuandaoVersion.string)
    #expect(doc["provenance"]?["command"]?.stringValue == "chuandao summary \(CLI.sample) --format json")
    #expect(doc["provenance"]?["config_sha256"] == .null)
  }

  @Test("--config is hashed; a bad key is a usage error naming the key")
  func config() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "coordination: {silo_gap: 12}\n".write(toFile: dir + "/ok.yaml", atomically: true, encoding: .utf8)
    let r = try CLI.run(["summary", CLI.sample, "--format", "json", "--config", dir + "/ok.yaml"])
    #expect(r.status == 0)
    let doc = try JSON.parse(r.out)
    #expect(doc["provenance"]?["config_sha256"]?.stringValue == (try CLI.sha256sum(dir + "/ok.yaml")))

    try "imbalance: {blind_spots: 0.4}\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
    let bad = try CLI.run(["summary", CLI.sample, "--config", dir + "/bad.yaml", "--lang", "en"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("bad.yaml:1: error: unknown key 'imbalance.blind_spots'"))
  }

  @Test("--format csv: UTF-8 with BOM; --out writes atomically with provenance beside it")
  func csvOut() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try CLI.run(["summary", CLI.sample, "--format", "csv"])
    #expect(r.status == 0)
    #expect(Array(r.stdout.prefix(3)) == [0xEF, 0xBB, 0xBF])
    #expect(r.out.contains("period,end,nodes.bureau,nodes.unit,nodes.branch"))
    let out = dir + "/periods.csv"
    let w = try CLI.run(["summary", CLI.sample, "--format", "csv", "--out", out])
    #expect(w.status == 0)
    #expect(w.stdout.isEmpty)
    let written = try Array(Data(contentsOf: URL(fileURLWithPath: out)))
    #expect(written == r.stdout)
    let side = try JSON.parse(String(contentsOfFile: out + ".provenance.json", encoding: .utf8))
    #expect(side["inputs"]?["org.csv"]?.stringValue == (try CLI.sha256sum(CLI.sample + "/org.csv")))
    // Nothing but the two files: no temporary left behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["periods.csv", "periods.csv.provenance.json"])
  }

  @Test("an input file is never written over")
  func neverOverwriteInput() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for f in ["dataset.yaml", "org.csv"] {
      try FileManager.default.copyItem(atPath: CLI.sample + "/" + f, toPath: dir + "/" + f)
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/org.csv"))
    let r = try CLI.run(["summary", dir, "--format", "csv", "--out", dir + "/org.csv", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("error: refusing to write \(dir)/org.csv: it is an input file"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/org.csv")) == before)
  }

  @Test("usage errors exit 1: unknown option, unknown period, missing argument, bad format")
  func usageErrors() throws {
    #expect(try CLI.run(["summary"]).status == 1)
    #expect(try CLI.run(["summary", CLI.sample, "--format", "xml"]).status == 1)
    #expect(try CLI.run(["summary", CLI.sample, "--bogus"]).status == 1)
    let p = try CLI.run(["summary", CLI.sample, "--period", "1999", "--lang", "en"])
    #expect(p.status == 1)
    #expect(p.stderr.contains("unknown period '1999'"))
    #expect(try CLI.run(["nonsense"]).status == 1)
    #expect(try CLI.run(["summary", "/no/such/folder", "--lang", "en"]).status == 1)
  }

  @Test("report --help shows its examples")
  func reportHelp() throws {
    let help = try CLI.run(["report", "--help", "--lang", "en"])
    #expect(help.status == 0)
    #expect(help.out.contains("chuandao report datasets/sample --out /tmp/report"))
    #expect(help.out.contains("--out"))
  }

  @Test("generate: a valid dataset; never over an existing one; a bad shape is a usage error")
  func generate() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/deep"
    let r = try CLI.run(["generate", out, "--shape", "2x2x2x3", "--periods", "3", "--seed", "4", "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("truth.json"))
    let v = try CLI.run(["validate", out, "--lang", "en"])
    #expect(v.status == 0, "\(v.stderr)")
    #expect(v.stderr.contains("0 errors"))
    let before = try Data(contentsOf: URL(fileURLWithPath: out + "/org.csv"))
    let again = try CLI.run(["generate", out, "--lang", "en"])
    #expect(again.status == 1)
    #expect(again.stderr.contains("never writes over files"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/org.csv")) == before)
    #expect(try CLI.run(["generate", dir + "/x", "--shape", "20x0x3"]).status == 1)
    #expect(try CLI.run(["generate", dir + "/y", "--shape", "2x2x2x2x2x2x2"]).status == 1)
    #expect(try CLI.run(["generate", dir + "/z", "--preset", "galaxy"]).status == 1)
  }

  @Test("attenuation: OUTPUT.md's keys, CSV node rows, usage and data errors")
  func attenuation() throws {
    let r = try CLI.run(["attenuation", CLI.sample, "--format", "json", "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try JSON.parse(r.out)
    for key in ["period", "metric", "steps", "end_retention", "per_step_attenuation", "groups", "nodes", "variance", "provenance"] {
      #expect(doc[key] != nil, "missing \(key)")
    }
    #expect(doc["period"]?.stringValue == "2025")
    let step = try #require(doc["steps"]?[0]?.objectValue)
    #expect(step.keys.starts(with: ["from", "to", "n", "parents", "tau", "ci_low", "ci_high", "attenuation"]))
    #expect(doc["groups"]?.arrayValue?.count == 4)
    #expect(doc["variance"]?["components"]?.arrayValue?.map { $0["level"]?.stringValue } == ["bureau", "unit"])
    let flags = Set(doc["nodes"]!.arrayValue!.compactMap { $0["flag"]?.stringValue })
    #expect(flags.isSubset(of: ["attenuated", "amplified"]))
    // An earlier period and a subject's score.
    let p = try CLI.run(["attenuation", CLI.sample, "--period", "2023", "--metric", "score.commission", "--format", "json"])
    #expect(p.status == 0)
    #expect(try JSON.parse(p.out)["metric"]?.stringValue == "score.commission")
    // CSV: one row per non-top node.
    let c = try CLI.run(["attenuation", CLI.sample, "--format", "csv"])
    #expect(c.out.hasPrefix("\u{FEFF}id,level,ratio,z,flag"))
    #expect(c.out.split(separator: "\r\n").count == 1 + doc["nodes"]!.arrayValue!.count)
    // Usage and data errors.
    let m = try CLI.run(["attenuation", CLI.sample, "--metric", "happiness", "--lang", "en"])
    #expect(m.status == 1 && m.stderr.contains("unknown metric 'happiness'"))
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for f in ["dataset.yaml", "org.csv"] {
      try FileManager.default.copyItem(atPath: CLI.sample + "/" + f, toPath: dir + "/" + f)
    }
    let missing = try CLI.run(["attenuation", dir, "--lang", "en"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("scores.csv: error: this analysis needs the file"))
  }

  @Test("imbalance: OUTPUT.md's keys, the GLM with risks, usage errors")
  func imbalance() throws {
    let r = try CLI.run(["imbalance", CLI.sample, "--format", "json", "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try JSON.parse(r.out)
    for key in ["period", "level", "adjust", "phi", "tau2", "overdispersed", "gini", "theil",
                "theil_between", "theil_within", "cv", "early_share", "nodes", "domains", "glm", "provenance"] {
      #expect(doc[key] != nil, "missing \(key)")
    }
    #expect(doc["adjust"]?.stringValue == "risk")
    #expect(doc["level"]?.stringValue == "branch")
    let node = try #require(doc["nodes"]?[0]?.objectValue)
    #expect(node.keys.starts(with: ["id", "observed", "expected", "ratio", "z", "lower95", "upper95", "lower998", "upper998", "flag", "low_power", "early_share"]))
    #expect(doc["glm"]?["coefficients"]?["risk"] != nil)
    let none = try CLI.run(["imbalance", CLI.sample, "--adjust", "none", "--level", "unit", "--format", "json"])
    #expect(none.status == 0)
    let noneDoc = try JSON.parse(none.out)
    #expect(noneDoc["glm"] == nil && noneDoc["level"]?.stringValue == "unit")
    let bad = try CLI.run(["imbalance", CLI.sample, "--level", "team", "--lang", "en"])
    #expect(bad.status == 1 && bad.stderr.contains("unknown level 'team'"))
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for f in ["dataset.yaml", "org.csv", "supervision.csv"] {
      try FileManager.default.copyItem(atPath: CLI.sample + "/" + f, toPath: dir + "/" + f)
    }
    let norisk = try CLI.run(["imbalance", dir, "--adjust", "risk", "--lang", "en"])
    #expect(norisk.status == 1 && norisk.stderr.contains("needs a risks.csv"))
    #expect(try CLI.run(["imbalance", dir, "--format", "json"]).status == 0)
  }

  @Test("coordination and closure: OUTPUT.md's keys; no period_end and no --as-of is a usage error")
  func coordinationAndClosure() throws {
    let c = try CLI.run(["coordination", CLI.sample, "--format", "json"])
    #expect(c.status == 0, "\(c.stderr)")
    let cd = try JSON.parse(c.out)
    for key in ["period", "nodes", "levels", "dual_core", "provenance"] { #expect(cd[key] != nil, "missing \(key)") }
    let node = try #require(cd["nodes"]?[0]?.objectValue)
    #expect(node.keys.starts(with: ["id", "level", "mean", "sd", "index", "weakest", "gap", "silo"]))
    #expect(cd["levels"]?[0]?["correlation"]?.arrayValue?.count == 4)
    let k = try CLI.run(["closure", CLI.sample, "--format", "json", "--as-of", "2025-06-30"])
    #expect(k.status == 0, "\(k.stderr)")
    let kd = try JSON.parse(k.out)
    #expect(kd["as_of"]?.stringValue == "2025-06-30")
    for key in ["unowned", "unplanned", "overdue"] { #expect(kd["breaks"]?[key]?.arrayValue != nil) }
    let row = try #require(kd["nodes"]?[0]?.objectValue)
    #expect(row.keys.starts(with: ["id", "problems", "owned", "planned", "done", "on_time", "overdue", "closure_index"]))
    #expect(try CLI.run(["closure", CLI.sample, "--as-of", "2025-02-30"]).status == 1)
    // A dataset without period_end needs --as-of; the message names the period.
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "periods: [\"2021\", \"2022\", \"2023\", \"2024\", \"2025\"]\n".write(toFile: dir + "/dataset.yaml", atomically: true, encoding: .utf8)
    for f in ["org.csv", "problems.csv", "responsibilities.csv", "projects.csv"] {
      try FileManager.default.copyItem(atPath: CLI.sample + "/" + f, toPath: dir + "/" + f)
    }
    let none = try CLI.run(["closure", dir, "--lang", "en"])
    #expect(none.status == 1)
    #expect(none.stderr.contains("period 2025 has no period_end"))
    #expect(try CLI.run(["closure", dir, "--as-of", "2025-12-31"]).status == 0)
    // Without problems.csv closure has nothing to close: a usage error naming the file
    // (OUTPUT.md), as --adjust risk without risks.csv.
    try FileManager.default.removeItem(atPath: dir + "/problems.csv")
    try FileManager.default.removeItem(atPath: dir + "/responsibilities.csv")
    try FileManager.default.removeItem(atPath: dir + "/projects.csv")
    let noProblems = try CLI.run(["closure", dir, "--as-of", "2025-12-31", "--lang", "en"])
    #expect(noProblems.status == 1)
    #expect(noProblems.stderr.contains("problems.csv: error: this analysis needs the file"))
  }

  @Test("trend: OUTPUT.md's keys, one value per period, the window, the table's sections")
  func trend() throws {
    let r = try CLI.run(["trend", CLI.sample, "--format", "json", "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try JSON.parse(r.out)
    for key in ["metric", "periods", "nodes", "steps", "provenance"] { #expect(doc[key] != nil, "missing \(key)") }
    #expect(doc["periods"]?.arrayValue?.compactMap(\.stringValue) == ["2021", "2022", "2023", "2024", "2025"])
    let node = try #require(doc["nodes"]?[0]?.objectValue)
    #expect(node.keys.starts(with: ["id", "values", "delta", "slope", "mk_s", "p", "direction", "cold_periods", "hot_periods", "persistent"]))
    #expect(doc["nodes"]!.arrayValue!.allSatisfy { $0["values"]?.arrayValue?.count == 5 })
    let step = try #require(doc["steps"]?[0]?.objectValue)
    #expect(step.keys.starts(with: ["from", "to", "tau", "ci_low", "ci_high"]))
    #expect(step["tau"]?.arrayValue?.count == 5)
    // The merged unit of the sample is listed once, under its successor.
    let ids = doc["nodes"]!.arrayValue!.compactMap { $0["id"]?.stringValue }
    #expect(ids.contains("B1-U4M") && !ids.contains("B1-U4") && !ids.contains("B1-U5"))
    // --period ends the series.
    let w = try JSON.parse(try CLI.run(["trend", CLI.sample, "--period", "2023", "--format", "json"]).out)
    #expect(w["periods"]?.arrayValue?.count == 3)
    #expect(w["provenance"]?["period"]?.stringValue == "2023")
    let t = try CLI.run(["trend", CLI.sample, "--lang", "en"])
    #expect(t.status == 0)
    #expect(t.out.contains("Persistently cold") && t.out.contains("Falling") && t.out.contains("bureau → unit"))
    // CSV: one row per series and period (long), the period's value and flag first.
    let c = try CLI.run(["trend", CLI.sample, "--format", "csv"])
    #expect(c.out.hasPrefix("\u{FEFF}id,period,value,flag,delta,slope,mk_s,p,direction"))
    let records = c.out.split(separator: "\r\n")
    #expect(records.count == 1 + 5 * doc["nodes"]!.arrayValue!.count)
    // The first series' rows carry its five JSON values, one period a row, in order.
    let first = doc["nodes"]![0]!
    let firstID = first["id"]!.stringValue!
    let firstRows = records.dropFirst().filter { $0.hasPrefix(firstID + ",") }
    #expect(firstRows.count == 5)
    for (t, row) in firstRows.enumerated() {
      let fields = row.split(separator: ",", omittingEmptySubsequences: false)
      #expect(String(fields[1]) == ["2021", "2022", "2023", "2024", "2025"][t])
      if let v = first["values"]?[t]?.doubleValue { #expect(abs(Double(fields[2])! - v) <= 1e-9 * abs(v)) }
    }
    let m = try CLI.run(["trend", CLI.sample, "--metric", "happiness", "--lang", "en"])
    #expect(m.status == 1 && m.stderr.contains("unknown metric 'happiness'"))
  }

  @Test("assess: OUTPUT.md's keys; CSV with one column per indicator and provenance beside it; byte-identical runs; the example config")
  func assess() throws {
    let env = ["SOURCE_DATE_EPOCH": "1767225600"]
    let r = try CLI.run(["assess", CLI.sample, "--format", "json", "--lang", "en"], environment: env)
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try JSON.parse(r.out)
    for key in ["period", "weights", "nodes", "leaders", "provenance"] { #expect(doc[key] != nil, "missing \(key)") }
    #expect(doc["weights"]?.objectValue?.keys.map { $0 } == ["score", "transmission", "balance", "closure", "coordination"])
    let node = try #require(doc["nodes"]?[0]?.objectValue)
    #expect(node.keys.starts(with: [
      "id", "level", "indicators", "composite", "rank", "grade", "reasons", "rank_median", "rank_p05",
      "rank_p95", "grade_stability",
    ]))
    #expect(node["indicators"]?.objectValue?.keys.map { $0 } == ["score", "transmission", "balance", "closure", "coordination"])
    let grades = Set(doc["nodes"]!.arrayValue!.compactMap { $0["grade"]?.stringValue })
    #expect(grades.isSubset(of: ["excellent", "good", "fair", "poor"]) && !grades.isEmpty)
    let leader = try #require(doc["leaders"]?[0]?.objectValue)
    #expect(leader.keys.starts(with: ["person", "name", "composite", "rank", "grade"]))
    for key in ["version", "inputs", "config_sha256", "command", "period", "generated_at"] {
      #expect(doc["provenance"]?[key] != nil, "provenance.\(key)")
    }
    // The same seed gives the same bands: whole documents are byte-identical.
    let again = try CLI.run(["assess", CLI.sample, "--format", "json", "--lang", "en"], environment: env)
    #expect(again.stdout == r.stdout)

    // CSV for the assessment system: BOM, one column per indicator, provenance beside it.
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let out = dir + "/assess.csv"
    let c = try CLI.run(["assess", CLI.sample, "--format", "csv", "--out", out])
    #expect(c.status == 0, "\(c.stderr)")
    let csvBytes = try Data(contentsOf: URL(fileURLWithPath: out))
    #expect(csvBytes.starts(with: [0xEF, 0xBB, 0xBF]))
    let csv = String(decoding: csvBytes.dropFirst(3), as: UTF8.self)
    #expect(csv.hasPrefix("id,level,indicators.score,indicators.transmission,indicators.balance,indicators.closure,indicators.coordination,composite,rank,grade"))
    let side = try JSON.parse(String(contentsOfFile: out + ".provenance.json", encoding: .utf8))
    #expect(side["inputs"]?["org.csv"]?.stringValue == (try CLI.sha256sum(CLI.sample + "/org.csv")))

    // The documented example config runs, and its hash is in the provenance.
    let config = CLI.sample + "/assess.yaml"
    let e = try CLI.run(["assess", CLI.sample, "--config", config, "--format", "json"])
    #expect(e.status == 0, "\(e.stderr)")
    #expect(try JSON.parse(e.out)["provenance"]?["config_sha256"]?.stringValue == (try CLI.sha256sum(config)))
    // A goalpost level the dataset lacks is a usage error naming it.
    let bad = dir + "/bad.yaml"
    try "assess: {goalposts: {division: {score: [0, 100]}}}\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let b = try CLI.run(["assess", CLI.sample, "--config", bad, "--lang", "en"])
    #expect(b.status == 1 && b.stderr.contains("division"))
    let t = try CLI.run(["assess", CLI.sample])
    #expect(t.status == 0 && t.out.contains("各层等级分布"))
    // Draws whose ranks cannot fit in memory are refused before any work: 9 x 10^18 draws
    // of the sample's ~105 one-byte ranks (no overflow on the way) are beyond any machine.
    let huge = dir + "/huge.yaml"
    try "assess: {uncertainty: {draws: 9000000000000000000}}\n".write(toFile: huge, atomically: true, encoding: .utf8)
    let h = try CLI.run(["assess", CLI.sample, "--config", huge, "--lang", "en"])
    #expect(h.status == 1 && h.stderr.contains("set assess.uncertainty.draws in --config to at most"))
    #expect(h.stdout.isEmpty)
  }

  @Test("summary table aligns Chinese names by display width")
  func table() throws {
    let r = try CLI.run(["summary", CLI.sample])
    #expect(r.status == 0)
    let lines = r.out.split(separator: "\n").map(String.init)
    // The period table: its header, rule and five rows all have one display width.
    let start = try #require(lines.firstIndex { $0.hasPrefix("期") })
    let block = lines[start..<(start + 7)]
    #expect(Set(block.map { displayWidth($0) }).count == 1, "\(block)")
  }
}
