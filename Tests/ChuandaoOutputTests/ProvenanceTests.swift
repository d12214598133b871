import Testing

@testable import _ChuandaoOutput

@Suite("Provenance")
struct ProvenanceTests {
  @Test("JSON keys in contract order, inputs sorted by file name")
  func json() {
    let p = Provenance(
      version: "0.1.0",
      inputs: [
        (file: "problems.csv", sha256: "bb"), (file: "dataset.yaml", sha256: "aa"),
        (file: "org.csv", sha256: "cc"),
      ],
      command: "chuandao assess sample",
      generatedAt: "2026-11-30T03:25:12Z")
    #expect(p.inputs.map(\.file) == ["dataset.yaml", "org.csv", "problems.csv"])
    let expected = """
      {
        "version": "0.1.0",
        "inputs": {
          "dataset.yaml": "aa",
          "org.csv": "cc",
          "problems.csv": "bb"
        },
        "config_sha256": null,
        "command": "chuandao assess sample",
        "period": null,
        "generated_at": "2026-11-30T03:25:12Z"
      }
      """
    #expect(JSONWriter().string(p.json) == expected)

    var q = p
    q.configSHA256 = "dd"
    q.period = "2025Q4"
    q.inputs.append((file: "budget.csv", sha256: "ee"))
    #expect(q.inputs.first?.file == "budget.csv")
    #expect(q.json["config_sha256"] == "dd")
    #expect(q.json["period"] == "2025Q4")
    #expect(
      q.json["inputs"]?.objectValue?.keys == [
        "budget.csv", "dataset.yaml", "org.csv", "problems.csv",
      ])
  }

  /// Reference times from `date -u -d @SECONDS +%FT%TZ` (GNU coreutils).
  @Test(
    "timestamps in ISO 8601 UTC",
    arguments: [
      (0, "1970-01-01T00:00:00Z"),
      (951_782_400, "2000-02-29T00:00:00Z"),
      (1_000_000_000, "2001-09-09T01:46:40Z"),
      (1_796_009_112, "2026-11-30T03:25:12Z"),
    ])
  func timestamps(seconds: Int, expected: String) {
    #expect(Provenance.timestamp(epochSeconds: seconds) == expected)
  }

  @Test("SOURCE_DATE_EPOCH overrides the clock; an invalid value is ignored")
  func sourceDateEpoch() throws {
    #expect(
      Provenance.now(environment: ["SOURCE_DATE_EPOCH": "1000000000"]) == "2001-09-09T01:46:40Z")
    let clock = Provenance.now(environment: ["SOURCE_DATE_EPOCH": "soon"])
    #expect(clock != "2001-09-09T01:46:40Z")
    #expect(clock.utf8.count == 20 && clock.hasSuffix("Z") && clock.hasPrefix("20"))
    #expect(Provenance.now(environment: [:]).utf8.count == 20)
  }

  @Test("digests(ofFiles:) keys by file name, sorted")
  func digests() throws {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    try AtomicFile.write(Array("abc".utf8), to: dir + "/org.csv")
    try AtomicFile.write([], to: dir + "/dataset.yaml")
    let d = try Provenance.digests(ofFiles: [dir + "/org.csv", dir + "/dataset.yaml"])
    #expect(d.map(\.file) == ["dataset.yaml", "org.csv"])
    #expect(d[0].sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(d[1].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }
}
