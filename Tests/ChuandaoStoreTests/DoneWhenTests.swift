import Foundation
import Testing
import _ChuandaoOutput

/// Issue #15's "Done when", as a user would do it: the sample split into yearly folders
/// and imported one by one, `trend --store`, `assess --store --publish 2025`, an override
/// added and revoked, and every output equal to the folder's apart from provenance and the
/// override fields.
@Suite struct DoneWhenTests {
  @Test(arguments: Backend.allCases)
  func theIssuesWalkThrough(_ backend: Backend) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let deliveries = try Split.sample(into: dir + "/deliveries")
    let store = try backend.newStore(in: dir)
    #expect(try CLI.run(["store", "init", "--store", store]).status == 0)
    for d in deliveries {
      let r = try CLI.run(["store", "import", d, "--store", store, "--lang", "en"])
      #expect(r.status == 0, "\(r.stderr)")
    }
    func same(_ command: [String], stripOverrides: Bool = false) throws {
      let a = try CLI.run(command + ["--store", store, "--format", "json"])
      let b = try CLI.run(command + [CLI.sample, "--format", "json"])
      #expect(a.status == 0, "\(a.stderr)")
      if stripOverrides {
        #expect(try OverrideTests.withoutOverrides(a).0 == OverrideTests.withoutOverrides(b).0, "\(command)")
      } else {
        #expect(try CLI.jsonWithoutProvenance(a) == CLI.jsonWithoutProvenance(b), "\(command)")
      }
    }
    try same(["trend"])
    let published = try CLI.run(["assess", "--store", store, "--publish", "2025", "--format", "json"])
    let folder = try CLI.run(["assess", CLI.sample, "--format", "json"])
    #expect(published.status == 0, "\(published.stderr)")
    #expect(try CLI.jsonWithoutProvenance(published) == CLI.jsonWithoutProvenance(folder))
    let add = try CLI.run([
      "override", "add", "--store", store, "--period", "2025", "--node", "B1-U1-Z4", "--analysis", "imbalance",
      "--kind", "no-explicit-prohibition", "--reason", "新的线上督查方式尚无明确规定", "--by", "张三",
    ])
    #expect(add.status == 0, "\(add.stderr)")
    try same(["imbalance"], stripOverrides: true)
    try same(["assess"])
    #expect(try CLI.run(["override", "revoke", "1", "--store", store, "--reason", "复核", "--by", "李四"]).status == 0)
    try same(["imbalance"])
    try same(["trend"])
  }
}
