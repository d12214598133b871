import Testing

@testable import _ChuandaoOutput

/// Large outputs are written on all cores; the contract is that the bytes are exactly the
/// sequential ones. Each test compares the default (parallel above the threshold) or a
/// forced-parallel path with the forced-sequential one (`parallelThreshold: .max`).
@Suite("Parallel CSV and JSON output")
struct ParallelOutputTests {
  /// Node-like rows exercising the flattening rules: nested objects, a literal dotted
  /// key sharing a nested column, arrays with null and containers, fields that need
  /// quotes, Chinese text, keys in varying order, and columns first seen deep into the
  /// rows (so that later chunks bring new header names and need remapping).
  static func rows(_ count: Int) -> [JSONObject] {
    (0..<count).map { r in
      let score: JSON = r % 11 == 0 ? .null : JSON(Double(r) / 7)
      let deep: JSON = r % 3 == 0 ? [:] : ["z": .string("市\(r)")]
      let reasons: JSON = r % 5 == 0 ? [] : ["score", .null, "closure;x"]
      let name = r % 13 == 0 ? "第\(r)党支部, \"分部\"" : "某某单位第\(r % 9)党支部"
      var o: JSONObject = [
        "id": .string("B\(r / 400)-U\(r / 20 % 20)-Z\(r % 20)"),
        "level": r % 7 == 0 ? "unit" : "branch",
        "indicators": [
          "score": score,
          "closure": JSON(Double(r % 100) - 50.5),
          "deep": ["x": .int(r), "y": deep],
        ],
        "composite": JSON(Double(r) * 1e-7),
        "rank": .int(r + 1),
        "reasons": reasons,
        "name": .string(name),
      ]
      if r % 17 == 0 { o["note"] = .string(r % 2 == 0 ? " 前导空格" : "line\nbreak\r") }
      if r % 29 == 0 { o["indicators.score"] = .number(-0.0) }  // shares `indicators.score`
      if r % 31 == 0 { o["mixed"] = [[1, 2], ["a": .null]] }
      if r % 37 == 0 { o["nan"] = .number(.nan) }
      // A new column every 1,000 rows, and one that first appears nested in a later row.
      if r >= 1_000 { o["late\(r / 1_000)"] = .bool(r % 2 == 0) }
      if r >= 4_000 && r % 3 == 0 { o["extra"] = ["p": .int(r), "q": ["r": "深"]] }
      // Reorder some rows, so that keys do not always sit at the usual positions.
      if r % 4 == 3 {
        let pairs = Array(zip(o.keys, o.values)).reversed().map { ($0.0, $0.1) }
        o = JSONObject(pairs)
      }
      return o
    }
  }

  /// Above the default threshold of 4,096: 8 chunks of 750 rows on 2 cores.
  static let large = rows(6_000)

  @Test("CSV: parallel flatten and bytes equal the sequential ones")
  func csvAboveThreshold() {
    let objects = Self.large
    let sequential = CSVTable.flatten(objects, parallelThreshold: .max)
    let parallel = CSVTable.flatten(objects)
    #expect(parallel.header == sequential.header)
    #expect(firstDifference(parallel.rows, sequential.rows) == nil)
    #expect(sequential.header.contains("late5") && sequential.header.contains("extra.q.r"))

    let table = CSVTable(header: sequential.header, rows: sequential.rows)
    let bytes = table.bytes(parallelThreshold: .max)
    #expect(firstDifference(table.bytes(), bytes) == nil)
    #expect(firstDifference(CSVTable(objects: objects).bytes(), bytes) == nil)
  }

  @Test(
    "CSV: small inputs in forced chunks equal the sequential result",
    arguments: [0, 1, 2, 3, 17, 100, 4_096])
  func csvForcedChunks(count: Int) {
    let objects = Self.rows(count).enumerated().map { n, object in
      // Keys new in almost every row, in different orders.
      var o = object
      o["k\(n % 5)"] = .int(n)
      if n % 3 == 1 { o["g"] = ["k\(n % 4)": .string("v\(n)")] }
      return o
    }
    let sequential = CSVTable.flatten(objects, parallelThreshold: .max)
    let parallel = CSVTable.flatten(objects, parallelThreshold: 0)
    #expect(parallel.header == sequential.header)
    #expect(firstDifference(parallel.rows, sequential.rows) == nil)
    // The default threshold leaves inputs up to 4,096 rows to the sequential path.
    #expect(firstDifference(CSVTable.flatten(objects).rows, sequential.rows) == nil)

    let table = CSVTable(header: sequential.header, rows: sequential.rows)
    #expect(
      firstDifference(table.bytes(parallelThreshold: 0), table.bytes(parallelThreshold: .max))
        == nil)
  }

  @Test("CSV: chunk headers merge into the first-seen order, columns remapped")
  func csvHeaderMerge() {
    // With threshold 0 each of these rows is its own chunk.
    let objects: [JSONObject] = [
      ["a": 1, "b": 2],
      ["c": 3, "a": 4],
      ["d": ["e": 5], "b": 6, "c": 7],
      ["d.e": 8, "f": [1, .null], "a": "x,y"],
    ]
    for threshold in [0, .max] {
      let flat = CSVTable.flatten(objects, parallelThreshold: threshold)
      #expect(flat.header == ["a", "b", "c", "d.e", "f"])
      #expect(
        flat.rows == [
          ["1", "2", "", "", ""],
          ["4", "", "3", "", ""],
          ["", "6", "7", "5", ""],
          ["x,y", "", "", "8", "1;"],
        ])
      let bytes = CSVTable(header: flat.header, rows: flat.rows)
        .bytes(parallelThreshold: threshold)
      let expected =
        [0xEF, 0xBB, 0xBF]
        + Array("a,b,c,d.e,f\r\n1,2,,,\r\n4,,3,,\r\n,6,7,5,\r\n\"x,y\",,,8,1;\r\n".utf8)
      #expect(bytes == expected)
    }
  }

  /// A document shaped like a command's JSON output: a long node list inside an object,
  /// next to short and empty arrays, and a long array of scalars nested deeper. With
  /// threshold 0, arrays inside a chunk's elements are written by its sequential writer.
  static func document(_ objects: [JSONObject]) -> JSON {
    let count = objects.count
    let nodes = objects.map { JSON.object($0) }
    let scalars = (0..<count).map { (n: Int) -> JSON in
      switch n % 3 {
      case 0: return .null
      case 1: return .number(Double(n) / 3)
      default: return .string("\"\\\u{1}\(n)")  // escapes
      }
    }
    return [
      "nodes": .array(nodes),
      "counts": [1, 2, 3],
      "empty": [],
      "nested": [["inner": .array(scalars)], .array(Array(nodes.prefix(3)))],
    ]
  }

  @Test("JSON: parallel arrays give the sequential bytes, pretty and compact")
  func jsonAboveThreshold() {
    let document = Self.document(Self.large)
    for pretty in [true, false] {
      var sequential = JSONWriter(pretty: pretty)
      sequential.parallelThreshold = .max
      let expected = sequential.data(document)
      #expect(firstDifference(JSONWriter(pretty: pretty).data(document), expected) == nil)
    }
  }

  @Test("JSON: small arrays in forced chunks give the sequential bytes", arguments: [1, 2, 5, 300])
  func jsonForcedChunks(count: Int) {
    let document = Self.document(Self.rows(count))
    for pretty in [true, false] {
      var sequential = JSONWriter(pretty: pretty)
      sequential.parallelThreshold = .max
      var parallel = JSONWriter(pretty: pretty)
      parallel.parallelThreshold = 0
      let expected = sequential.data(document)
      #expect(firstDifference(parallel.data(document), expected) == nil)
      // The array at the top level, its elements at depth 1.
      let nodes = document["nodes"]!
      #expect(
        firstDifference(Array(parallel.string(nodes).utf8), Array(sequential.string(nodes).utf8))
          == nil)
      #expect(firstDifference(JSONWriter(pretty: pretty).data(document), expected) == nil)
    }
  }
}

/// The first index at which `a` and `b` differ (the shorter one's length when one is a
/// prefix of the other), nil when they are equal: a short failure message for outputs
/// too large to print.
private func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> Int? {
  if a == b { return nil }
  let common = min(a.count, b.count)
  return (0..<common).first { a[$0] != b[$0] } ?? common
}
