import Foundation
import Testing
import _ChuandaoOutput

@testable import ChuandaoStore

/// Overrides: the computed value stands, the override is shown beside it, and the table
/// only grows (docs/store.md, "Overrides").
@Suite struct OverrideTests {
  static func store(_ backend: Backend) throws -> (String, String) {
    let dir = try CLI.temporaryDirectory()
    let store = try backend.newStore(in: dir)
    _ = try CLI.run(["store", "init", "--store", store])
    #expect(try CLI.run(["store", "import", CLI.sample, "--store", store]).status == 0)
    return (store, dir)
  }

  /// The JSON document without provenance and without the nodes' override objects.
  static func withoutOverrides(_ r: CLI.Result) throws -> (String, [String: JSON]) {
    guard case .object(var o) = try JSON.parse(r.stdout) else { return ("", [:]) }
    o["provenance"] = nil
    var found: [String: JSON] = [:]
    if let nodes = o["nodes"]?.arrayValue {
      o["nodes"] = .array(nodes.map { n in
        guard case .object(var x) = n else { return n }
        if let ov = x["override"] { found[x["id"]?.stringValue ?? ""] = ov }
        x["override"] = nil
        return .object(x)
      })
    }
    return (JSONWriter().string(.object(o)), found)
  }

  @Test(arguments: Backend.allCases)
  func anOverrideIsShownBesideTheComputedFlagWhichStands(_ backend: Backend) throws {
    let (store, dir) = try Self.store(backend)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let folder = try CLI.run(["imbalance", CLI.sample, "--format", "json"])
    // A node the sample plants as cold in 2025.
    let node = "B1-U1-Z4"
    #expect(folder.out.contains("\"id\": \"\(node)\""))
    let add = try CLI.run([
      "override", "add", "--store", store, "--period", "2025", "--node", node, "--analysis", "imbalance",
      "--kind", "exploratory-trial", "--reason", "试点期间督查改由巡察组进行", "--by", "张三", "--lang", "en",
    ])
    #expect(add.status == 0, "\(add.stderr)")
    #expect(add.out.contains("added override 1"))
    let r = try CLI.run(["imbalance", "--store", store, "--format", "json"])
    let (rest, overrides) = try Self.withoutOverrides(r)
    #expect(rest == (try Self.withoutOverrides(folder)).0, "everything but the override is the folder's")
    #expect(overrides.count == 1)
    let ov = try #require(overrides[node]?.objectValue)
    #expect(ov["kind"]?.stringValue == "exploratory-trial")
    #expect(ov["reason"]?.stringValue == "试点期间督查改由巡察组进行")
    #expect(ov["by"]?.stringValue == "张三")
    #expect(ov["at"]?.stringValue == "2027-01-15T08:00:00Z")  // SOURCE_DATE_EPOCH=1800000000
    // The table lists it with the computed flag beside it; other analyses and periods are untouched.
    let table = try CLI.run(["imbalance", "--store", store, "--lang", "en", "--wide"])
    #expect(table.out.contains("Overrides (period 2025, 1; the computed values stand)"))
    let line = table.out.split(separator: "\n").first { $0.hasPrefix(node) && $0.contains("张三") }
    #expect(line?.contains("cold") == true, "\(table.out)")
    let other = try CLI.run(["imbalance", "--store", store, "--period", "2024", "--format", "json"])
    #expect(!other.out.contains("\"override\""))
    let attenuation = try CLI.run(["attenuation", "--store", store, "--format", "json"])
    #expect(!attenuation.out.contains("\"override\""))
    // The report lists the period's overrides with their reasons.
    let out = dir + "/report"
    #expect(try CLI.run(["report", "--store", store, "--out", out, "--lang", "en"]).status == 0)
    let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
    #expect(md.contains("## Overrides (2025)"))
    #expect(md.contains("试点期间督查改由巡察组进行"))

    // Revoking adds a row; the override no longer shows; the list keeps both.
    let revoke = try CLI.run(["override", "revoke", "1", "--store", store, "--reason", "复核后不成立", "--by", "李四", "--lang", "en"])
    #expect(revoke.status == 0, "\(revoke.stderr)")
    let after = try CLI.run(["imbalance", "--store", store, "--format", "json"])
    #expect(!after.out.contains("\"override\""))
    let all = try CLI.run(["override", "list", "--store", store, "--all", "--format", "json"])
    #expect(all.out.contains("\"reason\": \"复核后不成立\""))
    #expect(try CLI.run(["override", "list", "--store", store, "--format", "json"]).out.contains("\"overrides\": []"))
    let twice = try CLI.run(["override", "revoke", "1", "--store", store, "--reason", "x", "--by", "y", "--lang", "en"])
    #expect(twice.status == 1)
    #expect(twice.stderr.contains("override 1 was revoked already"))
    let db = try Store.openDatabase(store, create: false)
    #expect(try db.read { try $0.value("SELECT count(*) FROM override_event") } == .int(2))
    for statement in ["UPDATE override_event SET reason = 'x'", "DELETE FROM override_event"] {
      #expect(throws: StoreError.self) { try db.write { sql in try sql.execute(statement) } }
    }
  }

  @Test(arguments: Backend.allCases)
  func anAssessOverrideIsShownBesideTheGrade(_ backend: Backend) throws {
    let (store, dir) = try Self.store(backend)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let add = try CLI.run([
      "override", "add", "--store", store, "--period", "2025", "--node", "B2", "--analysis", "assess",
      "--kind", "data-error", "--reason", "2025 年评分表漏报一项", "--by", "审计组",
    ])
    #expect(add.status == 0, "\(add.stderr)")
    let r = try CLI.run(["assess", "--store", store, "--format", "json"])
    let folder = try CLI.run(["assess", CLI.sample, "--format", "json"])
    let (rest, overrides) = try Self.withoutOverrides(r)
    #expect(rest == (try Self.withoutOverrides(folder)).0)
    #expect(overrides["B2"]?.objectValue?["kind"]?.stringValue == "data-error")
    let csv = try CLI.run(["assess", "--store", store, "--format", "csv"])
    #expect(csv.out.contains("override.kind"))
    #expect(csv.out.contains("2025 年评分表漏报一项"))
  }

  @Test(arguments: Backend.allCases)
  func badOverridesAreRefused(_ backend: Backend) throws {
    let (store, dir) = try Self.store(backend)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    func add(_ extra: [String]) throws -> CLI.Result {
      var args = ["override", "add", "--store", store, "--lang", "en"]
      var given = ["--period": "2025", "--node": "B1", "--analysis": "imbalance", "--kind": "honest-mistake", "--reason": "r", "--by": "b"]
      for k in stride(from: 0, to: extra.count, by: 2) { given[extra[k]] = extra[k + 1] }
      for (k, v) in given.sorted(by: { $0.key < $1.key }) { args += [k, v] }
      return try CLI.run(args)
    }
    let period = try add(["--period", "2019"])
    #expect(period.status == 1)
    #expect(period.stderr.contains("the store has no period '2019'"))
    let node = try add(["--node", "B9"])
    #expect(node.stderr.contains("the organisation history has no node 'B9'"))
    let kind = try add(["--kind", "knowing-violation"])
    #expect(kind.status == 1)
    #expect(kind.stderr.contains("knowing-violation"))
    let reason = try add(["--reason", "  "])
    #expect(reason.stderr.contains("--reason must not be empty"))
    // A node closed in 2022 does not exist in 2025.
    let closed = try add(["--node", "B1-U2"])
    #expect(closed.stderr.contains("node 'B1-U2' does not exist in period 2025"), "\(closed.stderr)")
  }
}
