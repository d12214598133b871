import Testing

@testable import _ChuandaoOutput

/// `JSON.rows` writes, reads and compares as the `.array` of the same objects made as
/// trees. Each row is described twice, independently: as a `JSONObject` literal and as
/// `JSONRowWriter` calls.
@Suite("JSON rows written from columns")
struct JSONRowsTests {
  /// Row `r` as a tree: strings that need escapes, Chinese, null, NaN, -0, integers,
  /// booleans, nested objects (one empty), an array of ids and an empty array.
  static func tree(_ r: Int) -> JSONObject {
    [
      "id": .string("B\(r / 400)-U\(r % 20)"),
      "name": .string(r % 13 == 0 ? "第\(r)党支部, \"分部\"\n" : "某某单位第\(r % 9)党支部"),
      "ratio": r % 11 == 0 ? .null : .number(Double(r) / 7),
      "z": r % 37 == 0 ? .null : .number(r % 29 == 0 ? -0.0 : -Double(r) * 1e-7),
      "rank": r % 5 == 0 ? .null : .int(r + 1),
      "silo": r % 3 == 0 ? .null : .bool(r % 2 == 0),
      "flag": r % 4 == 0 ? .null : .string("cold"),
      "indicators": .object(["score": .number(Double(r % 100) - 50.5), "closure": .int(r)]),
      "empty": .object([:]),
      "predecessors": r % 6 == 0 ? .array([]) : .array([.string("P\(r)"), .string("Q\(r)")]),
    ]
  }

  /// The same rows as `JSONRowWriter` calls (NaN where the tree has null, which the
  /// writer turns into null).
  static func rows(_ count: Int) -> JSONRows {
    JSONRows(count: count) { r, w in
      w.add("id", "B\(r / 400)-U\(r % 20)")
      w.add("name", r % 13 == 0 ? "第\(r)党支部, \"分部\"\n" : "某某单位第\(r % 9)党支部")
      w.add("ratio", r % 11 == 0 ? Double.nan : Double(r) / 7)
      w.add("z", r % 37 == 0 ? nil : (r % 29 == 0 ? -0.0 : -Double(r) * 1e-7))
      w.add("rank", r % 5 == 0 ? nil : r + 1)
      w.add("silo", r % 3 == 0 ? nil : r % 2 == 0)
      w.add("flag", r % 4 == 0 ? nil : "cold" as String?)
      w.object("indicators") { o in
        o.add("score", Double(r % 100) - 50.5)
        o.add("closure", r)
      }
      w.object("empty") { _ in }
      w.add("predecessors", r % 6 == 0 ? JSON.array([]) : [.string("P\(r)"), .string("Q\(r)")])
    }
  }

  static func document(_ nodes: JSON) -> JSON {
    ["nodes": nodes, "levels": [["name": "branch", "nodes": nodes]], "count": 3]
  }

  @Test("A worked example, compact")
  func worked() {
    // Written out by hand: the fields in order, NaN and nil as null, -0 as 0.
    let rows = JSONRows(count: 2) { r, w in
      w.add("id", r == 0 ? "a" : "b\"")
      w.add("x", r == 0 ? 1.5 : .nan)
      w.add("n", r == 0 ? nil : 2 as Int?)
      w.object("o") { o in if r == 1 { o.add("y", -0.0) } }
    }
    let text = JSONWriter(pretty: false).string(.rows(rows))
    #expect(text == #"[{"id":"a","x":1.5,"n":null,"o":{}},{"id":"b\"","x":null,"n":2,"o":{"y":0}}]"#)
    #expect(JSONWriter(pretty: false).string(.rows(JSONRows(count: 0) { _, _ in })) == "[]")
    let pretty = JSONWriter(pretty: true).string(.rows(JSONRows(count: 1) { _, w in w.object("o") { $0.add("k", 1) } }))
    #expect(pretty == "[\n  {\n    \"o\": {\n      \"k\": 1\n    }\n  }\n]")
  }

  @Test("Bytes equal the trees', pretty and compact, sequential and in chunks", arguments: [1, 2, 17, 300, 6_000])
  func bytes(count: Int) {
    let trees = JSON.array((0..<count).map { .object(Self.tree($0)) })
    for pretty in [true, false] {
      for threshold in [0, 4_096, Int.max] {
        var writer = JSONWriter(pretty: pretty)
        writer.parallelThreshold = threshold
        let expected = writer.data(Self.document(trees))
        let actual = writer.data(Self.document(.rows(Self.rows(count))))
        #expect(firstDifference(actual, expected) == nil, "pretty \(pretty), threshold \(threshold)")
      }
    }
  }

  @Test("Streamed in small pieces and rounds, the bytes are the same")
  func streamed() {
    let count = 5_000
    let trees = JSON.array((0..<count).map { .object(Self.tree($0)) })
    for pretty in [true, false] {
      var writer = JSONWriter(pretty: pretty)
      writer.streamedRound = 333
      writer.parallelThreshold = 100
      var out: [UInt8] = []
      var stream = JSONWriter.ObjectStream(writer: writer, pieceSize: 1_000) { out.append(contentsOf: $0) }
      stream.member("nodes", .rows(Self.rows(count)))
      stream.member("n", .int(count))
      stream.finish()
      let expected = writer.data(["nodes": trees, "n": .int(count)])
      #expect(firstDifference(out, expected) == nil, "pretty \(pretty)")
    }
  }

  @Test("Reads and compares as the array of its objects")
  func reading() {
    let rows = Self.rows(40)
    let trees = (0..<40).map { Self.tree($0) }
    #expect(rows.objects == trees)
    #expect(rows[7] == Self.tree(7))
    #expect(JSON.rows(rows) == .array(trees.map(JSON.object)))
    #expect(JSON.array(trees.map(JSON.object)) == .rows(rows))
    #expect(JSON.rows(rows) != .array(trees.dropLast().map(JSON.object)))
    #expect(JSON.rows(rows).arrayValue?.count == 40)
    #expect(JSON.rows(rows)[39] == .object(Self.tree(39)))
    #expect(JSON.rows(rows)[40] == nil)
  }
}

private func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> Int? {
  if a == b { return nil }
  let common = min(a.count, b.count)
  return (0..<common).first { a[$0] != b[$0] } ?? common
}
