import Foundation
import Testing
import _ChuandaoOutput

@testable import ChuandaoStore

/// Published assessments: recorded whole, never rewritten, and their goalposts kept for
/// their cycle when later years arrive (docs/store.md).
@Suite struct PublishTests {
  static func nodes(_ text: [UInt8]) throws -> JSON? {
    try JSON.parse(text).objectValue?["nodes"]
  }

  @Test(arguments: Backend.allCases)
  func aPublishedYearKeepsItsGoalpostsWhenTheNextYearArrives(_ backend: Backend) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let deliveries = try Split.sample(into: dir + "/d")
    let store = try backend.newStore(in: dir)
    _ = try CLI.run(["store", "init", "--store", store])
    for d in deliveries.prefix(4) { #expect(try CLI.run(["store", "import", d, "--store", store]).status == 0) }
    let published = try CLI.run(["assess", "--store", store, "--publish", "2024", "--by", "审计组", "--format", "json", "--lang", "en"])
    #expect(published.status == 0, "\(published.stderr)")
    #expect(published.stderr.contains("published the assessment of period 2024 as '2024'"))
    // The publication holds the document exactly as printed, and a row per node.
    let shown = try CLI.run(["store", "published", "2024", "--store", store, "--format", "json"])
    #expect(shown.out == published.out)
    let list = try CLI.run(["store", "published", "--store", store, "--lang", "en"])
    #expect(list.out.contains("审计组"))
    let rows = try Self.nodes(published.stdout)?.arrayValue?.count ?? 0
    #expect(rows > 0)
    #expect(list.out.contains(" \(rows) "), "\(list.out)")

    // 2025 arrives: assessing 2024 again reuses the published goalposts, so its rows stay
    // as published; computed afresh over 2021-2025 they move.
    #expect(try CLI.run(["store", "import", deliveries[4], "--store", store]).status == 0)
    let later = try CLI.run(["assess", "--store", store, "--period", "2024", "--format", "json", "--lang", "en"])
    #expect(later.stderr.contains("uses the goalposts of the published assessment '2024'"))
    #expect(try Self.nodes(later.stdout) == Self.nodes(published.stdout))
    let fresh = try CLI.run(["assess", "--store", store, "--period", "2024", "--fresh-goalposts", "--format", "json"])
    #expect(try Self.nodes(fresh.stdout) != Self.nodes(published.stdout))
    // ... and the folder holding all five years agrees with the fresh one.
    let folder = try CLI.run(["assess", CLI.sample, "--period", "2024", "--format", "json"])
    #expect(try Self.nodes(fresh.stdout) == Self.nodes(folder.stdout))

    // A name is published once, and the rows cannot be rewritten even by SQL.
    let again = try CLI.run(["assess", "--store", store, "--publish", "2024", "--lang", "en"])
    #expect(again.status == 1)
    #expect(again.stderr.contains("'2024' was published on"))
    let db = try Store.openDatabase(store, create: false)
    for statement in ["UPDATE publication_row SET grade = 'excellent'", "DELETE FROM publication_row", "UPDATE publication SET period = '2025'"] {
      #expect(throws: StoreError.self) { try db.write { sql in try sql.execute(statement) } }
    }
    #expect(try CLI.run(["store", "published", "2024", "--store", store, "--format", "json"]).out == published.out)
  }

  @Test func publishingNeedsAStore() throws {
    let r = try CLI.run(["assess", CLI.sample, "--publish", "x", "--lang", "en"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("--publish and --fresh-goalposts need --store"))
  }
}
