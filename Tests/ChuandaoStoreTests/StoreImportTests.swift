import ChuandaoStore
import Foundation
import Testing

/// The history store end to end through the executable (docs/store.md).
@Suite struct StoreImportTests {
  /// A store holding the sample's five years imported one by one, and the deliveries.
  static func yearlyStore(_ backend: Backend) throws -> (store: String, deliveries: [String], dir: String) {
    let dir = try CLI.temporaryDirectory()
    let deliveries = try Split.sample(into: dir + "/deliveries")
    let store = try backend.newStore(in: dir)
    let made = try CLI.run(["store", "init", "--store", store, "--lang", "en"])
    #expect(made.status == 0, "\(made.stderr)")
    #expect(made.out.contains("created the store"))
    for d in deliveries {
      let r = try CLI.run(["store", "import", d, "--store", store, "--lang", "en"])
      #expect(r.status == 0, "\(d): \(r.stderr)")
    }
    return (store, deliveries, dir)
  }

  @Test(arguments: Backend.allCases, [
    ["trend"], ["trend", "--metric", "intensity"], ["imbalance"], ["attenuation"], ["assess"],
    ["coordination"], ["closure", "--period", "2024"], ["compare", "--from", "2023", "--to", "2025"],
  ])
  func analysesFromYearlyDeliveriesEqualTheFolder(_ backend: Backend, _ command: [String]) throws {
    let (store, _, dir) = try Self.shared(backend)
    _ = dir
    let fromStore = try CLI.run(command + ["--store", store, "--format", "json"])
    let fromFolder = try CLI.run(command + [CLI.sample, "--format", "json"])
    #expect(fromStore.status == 0, "\(fromStore.stderr)")
    #expect(fromFolder.status == 0)
    #expect(try CLI.jsonWithoutProvenance(fromStore) == CLI.jsonWithoutProvenance(fromFolder))
  }

  /// One store per backend for the comparisons (made once per test process).
  nonisolated(unsafe) static var cached: [Backend: (String, [String], String)] = [:]  // guarded by `lock`
  static let lock = NSLock()
  static func shared(_ backend: Backend) throws -> (String, [String], String) {
    try lock.withLock {
      if let made = cached[backend] { return made }
      let made = try yearlyStore(backend)
      cached[backend] = (made.store, made.deliveries, made.dir)
      return cached[backend]!
    }
  }

  @Test(arguments: Backend.allCases)
  func provenanceNamesTheStoreAndTheRevisions(_ backend: Backend) throws {
    let (store, _, _) = try Self.shared(backend)
    let r = try CLI.run(["trend", "--store", store, "--format", "json"])
    let text = r.out
    #expect(text.contains("\"store\": {"))
    #expect(text.contains("\"location\": \"\(store)\""))
    #expect(text.contains("\"backend\": \"\(backend.rawValue)\""))
    for year in Split.periods {
      #expect(text.contains("\"period\": \"\(year)\",\n          \"revision\": 1,\n          \"delivery\": \"\(year)\""), "\(year)")
    }
  }

  /// A delivery of 2020 (the first year's, relabelled) after 2021-2025 would be placed
  /// last, out of time order (trend would read it backwards): refused with the fix, the
  /// store left as it was.
  @Test(arguments: Backend.allCases)
  func anEarlierYearDeliveredLaterIsRefused(_ backend: Backend) throws {
    let (store, deliveries, dir) = try Self.yearlyStore(backend)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let earlier = dir + "/deliveries/2020"
    try FileManager.default.createDirectory(atPath: earlier, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: deliveries[0]) {
      let text = try String(contentsOfFile: deliveries[0] + "/" + name, encoding: .utf8)
      try text.replacingOccurrences(of: "2021", with: "2020").write(toFile: earlier + "/" + name, atomically: true, encoding: .utf8)
    }
    let before = try dump(store)
    let r = try CLI.run(["store", "import", earlier, "--store", store, "--lang", "en"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("period '2020' would come after '2025' but is earlier in time"), "\(r.stderr)")
    #expect(try dump(store) == before)
  }

  @Test(arguments: Backend.allCases)
  func theSameDeliveryAgainChangesNothingAndSaysSo(_ backend: Backend) throws {
    let (store, deliveries, dir) = try Self.yearlyStore(backend)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let before = try dump(store)
    let r = try CLI.run(["store", "import", deliveries[2], "--store", store, "--lang", "en"])
    #expect(r.status == 0)
    #expect(r.out.contains("nothing changed"), "\(r.out)")
    #expect(try dump(store) == before)
    let zh = try CLI.run(["store", "import", deliveries[2], "--store", store])
    #expect(zh.out.contains("没有改动"))
    // The last delivery again is recognised by its files' SHA-256 alone.
    let last = try CLI.run(["store", "import", deliveries[4], "--store", store, "--lang", "en"])
    #expect(last.out.contains("nothing changed: the store \(store) already holds the delivery '2025' (2025@1)"), "\(last.out)")
    #expect(try dump(store) == before)
  }

  @Test(arguments: Backend.allCases)
  func aChangedRedeliveryIsANewRevisionAndTheEarlierOneIsKept(_ backend: Backend) throws {
    let (store, deliveries, dir) = try Self.yearlyStore(backend)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let original = try CLI.run(["imbalance", "--store", store, "--level", "bureau", "--period", "2024", "--format", "json"])
    // 2024 re-delivered with one supervision count corrected.
    let path = deliveries[3] + "/supervision.csv"
    var rows = try Split.records(path)
    let k = rows.firstIndex { $0[1] == "B1" && $0[2] == "reminder" && $0[3] == "personnel" }!
    rows[k][4] = String(Int(rows[k][4])! + 40)
    try Split.write(rows, to: path)
    let r = try CLI.run(["store", "import", deliveries[3], "--store", store, "--lang", "en"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.out.contains("period 2024: changed, now revision 2 (revision 1 is kept: --revision 2024@1)"), "\(r.out)")
    let latest = try CLI.run(["imbalance", "--store", store, "--level", "bureau", "--period", "2024", "--format", "json"])
    let earlier = try CLI.run(["imbalance", "--store", store, "--level", "bureau", "--period", "2024", "--revision", "2024@1", "--format", "json"])
    #expect(try CLI.jsonWithoutProvenance(earlier) == CLI.jsonWithoutProvenance(original))
    #expect(try CLI.jsonWithoutProvenance(latest) != CLI.jsonWithoutProvenance(original))
    #expect(latest.out.contains("\"revision\": 2"))
    let missing = try CLI.run(["imbalance", "--store", store, "--revision", "2024@3", "--lang", "en"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("--revision 2024@3: no such revision (there are 2024@1, 2024@2)"), "\(missing.stderr)")
    let log = try CLI.run(["store", "log", "--store", store, "--lang", "en"])
    #expect(log.out.contains("2024: 2024@1 (delivery 4), 2024@2 (delivery 6)"), "\(log.out)")
  }

  /// The 2023 delivery closes nodes with a valid_to naming 2022, a period only an earlier
  /// delivery holds: alone it is invalid, against the store it is not.
  @Test(arguments: Backend.allCases)
  func orgHistoryMayNameEarlierDeliveriesPeriods(_ backend: Backend) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let deliveries = try Split.sample(into: dir + "/d")
    let store = try backend.newStore(in: dir)
    _ = try CLI.run(["store", "init", "--store", store])
    for d in deliveries.prefix(2) { #expect(try CLI.run(["store", "import", d, "--store", store]).status == 0) }
    let org = try String(contentsOfFile: deliveries[2] + "/org.csv", encoding: .utf8)
    #expect(org.contains(",2022,"), "the 2023 delivery closes a node in 2022")
    let alone = try CLI.run(["validate", deliveries[2], "--lang", "en"])
    #expect(alone.status == 2)
    #expect(alone.stderr.contains("2022"))
    let checked = try CLI.run(["validate", "--store", store, deliveries[2], "--lang", "en"])
    #expect(checked.status == 0, "\(checked.stderr)")
    #expect(checked.out.contains("period 2023: added (revision 1)"))
    #expect(checked.out.contains("organisation: 10 nodes added, 15 changed"), "\(checked.out)")
    // A period neither the delivery nor the store has is still an error.
    let bad = dir + "/bad"
    try FileManager.default.copyItem(atPath: deliveries[2], toPath: bad)
    try org.replacingOccurrences(of: ",2022,", with: ",2019,").write(toFile: bad + "/org.csv", atomically: true, encoding: .utf8)
    let unknown = try CLI.run(["validate", "--store", store, bad, "--lang", "en"])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("org.csv:"), "\(unknown.stderr)")
    #expect(unknown.stderr.contains("2019"))
    let imported = try CLI.run(["store", "import", deliveries[2], "--store", store, "--lang", "en"])
    #expect(imported.out.contains("B1-U2: valid_to, successor"), "\(imported.out)")
  }

  @Test(arguments: Backend.allCases)
  func aBadFileInADeliveryLeavesTheStoreAsItWas(_ backend: Backend) throws {
    let (store, deliveries, dir) = try Self.yearlyStore(backend)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let before = try dump(store)
    let path = deliveries[4] + "/scores.csv"
    var rows = try Split.records(path)
    rows[5][3] = "1O5"  // a letter O for a zero, on line 6
    try Split.write(rows, to: path)
    let r = try CLI.run(["store", "import", deliveries[4], "--store", store, "--lang", "en"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("scores.csv:6: error:"), "\(r.stderr)")
    #expect(r.stderr.contains("1O5"))
    #expect(try dump(store) == before)
  }

  @Test(arguments: Backend.allCases)
  func anImportKilledPartWayLeavesTheStoreAsItWas(_ backend: Backend) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let deliveries = try Split.sample(into: dir + "/d")
    let store = try backend.newStore(in: dir)
    _ = try CLI.run(["store", "init", "--store", store])
    #expect(try CLI.run(["store", "import", deliveries[0], "--store", store]).status == 0)
    let before = try dump(store)
    let (p, out, err) = CLI.process(
      ["store", "import", deliveries[1], "--store", store], environment: ["CHUANDAO_STORE_TEST_PAUSE_BEFORE_COMMIT": "60"])
    try p.run()
    // Wait until every row is written inside the open transaction, then kill.
    var seen = ""
    while !seen.contains("paused before commit") {
      let chunk = err.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen += String(decoding: chunk, as: UTF8.self)
    }
    #expect(seen.contains("paused before commit"), "\(seen)")
    // Meanwhile a second import is refused: the store is busy.
    let second = try CLI.run(["store", "import", deliveries[2], "--store", store, "--lang", "en"])
    #expect(second.status == 1)
    #expect(second.stderr.contains("the store is busy"), "\(second.stderr)")
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    _ = out.fileHandleForReading.readDataToEndOfFile()
    #expect(p.terminationReason == .uncaughtSignal)
    #expect(try dump(store) == before)
    // And the store works on: the same import, now to its end.
    let again = try CLI.run(["store", "import", deliveries[1], "--store", store, "--lang", "en"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.out.contains("period 2022: added"))
  }
}
