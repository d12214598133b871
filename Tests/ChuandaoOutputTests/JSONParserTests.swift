import ChuandaoStats
import Testing

@testable import _ChuandaoOutput

@Suite("JSON parser")
struct JSONParserTests {
  @Test("integers become .int, other numbers .number")
  func numberKinds() throws {
    #expect(try JSON.parse("3") == .int(3))
    #expect(try JSON.parse("-0") == .int(0))
    #expect(try JSON.parse("3.0") == .number(3))
    #expect(try JSON.parse("1e2") == .number(100))
    #expect(try JSON.parse("1E-2") == .number(0.01))
    #expect(try JSON.parse("9223372036854775807") == .int(Int.max))
    // One past Int.max does not fit: a double.
    #expect(try JSON.parse("9223372036854775808") == .number(9_223_372_036_854_775_808.0))
    #expect(try JSON.parse("-9223372036854775808") == .int(Int.min))
  }

  @Test("strings: escapes, surrogate pairs, raw UTF-8")
  func strings() throws {
    #expect(try JSON.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
    #expect(try JSON.parse(#""\u5e02\u6C34""#) == .string("市水"))
    #expect(try JSON.parse(#""\ud83d\ude00""#) == .string("😀"))  // U+1F600
    #expect(try JSON.parse("\"市水务局\"") == .string("市水务局"))
  }

  @Test("structure, whitespace and key order")
  func structure() throws {
    let v = try JSON.parse(" {\"b\" : [1, 2.5, null, true, false, {}], \"a\":{\"x\":\"y\"}}\n")
    #expect(v.objectValue?.keys == ["b", "a"])
    #expect(v["b"] == [.int(1), .number(2.5), .null, .bool(true), .bool(false), .object([:])])
    #expect(v["a"]?["x"]?.stringValue == "y")
    #expect(v["b"]?[1]?.doubleValue == 2.5)
  }

  @Test(
    "rejects what RFC 8259 does not allow",
    arguments: [
      "", " ", "[1,]", "{\"a\":1,}", "01", "-", "+1", ".5", "1.", "1e", "1e+", "NaN",
      "Infinity", "[1 2]", "{\"a\" 1}", "{a:1}", "'a'", "\"abc", "\"a\u{1}b\"", "\"\\x\"",
      "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "tru", "nul",
      "[] []", "{\"a\":1,\"a\":2}", "1e400", "\u{FEFF}1", "// c\n1", "[1]x",
    ])
  func rejects(text: String) {
    #expect(throws: JSONParseError.self) { try JSON.parse(text) }
  }

  @Test("rejects invalid UTF-8 and deep nesting")
  func rejectsBytes() {
    #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
    #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xE5, 0xB8, 0x22]) }  // cut 市
    let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
    #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
    #expect(throws: Never.self) { try JSON.parse(ok) }
  }

  @Test("errors give line and column")
  func errorLocation() {
    do {
      _ = try JSON.parse("{\n  \"a\": 1,\n  \"b\" 2\n}")
      Issue.record("expected an error")
    } catch {
      #expect(error.line == 3)
      #expect(error.column == 7)
      #expect(error.description == "line 3, column 7: expected ':' after object key")
    }
  }

  @Test("parse(contentsOfFile:) names the file in errors")
  func fileErrors() throws {
    let dir = makeTemporaryDirectory()
    defer { removeTree(dir) }
    let path = dir + "/truth.json"
    try AtomicFile.write(Array("{\"a\": [1, 2,]}".utf8), to: path)
    do {
      _ = try JSON.parse(contentsOfFile: path)
      Issue.record("expected an error")
    } catch let error as JSONParseError {
      // `{"a": [1, 2,]}`: the `]` is the 13th byte.
      #expect(error.description == "\(path):1:13: unexpected ']', expected a value")
    }
    #expect(throws: OutputError.self) { try JSON.parse(contentsOfFile: dir + "/missing.json") }
    try AtomicFile.write(JSONWriter().data(["ok": true]), to: path)
    #expect(try JSON.parse(contentsOfFile: path) == ["ok": true])
  }

  // MARK: - Random round trips

  /// The value the writer's output parses back to: integral doubles within ±2^53 are
  /// printed as integers, so they come back as `.int`.
  static func normalised(_ v: JSON) -> JSON {
    switch v {
    case .number(let d) where d.rounded() == d && d.magnitude <= 9_007_199_254_740_992:
      return .int(Int(d))
    case .array(let a): return .array(a.map(normalised))
    case .object(let o): return .object(JSONObject(o.map { ($0.key, normalised($0.value)) }))
    default: return v
    }
  }

  static let alphabet: [Character] = [
    "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é",
    "市", "水", "务", "局", "\u{2028}", "\u{FEFF}", "😀", "👨‍👩‍👧", "e\u{301}",
  ]

  static func randomString(_ g: inout RandomSource) -> String {
    String((0..<g.int(in: 0...8)).map { _ in alphabet[g.int(below: alphabet.count)] })
  }

  static func randomDouble(_ g: inout RandomSource) -> Double {
    switch g.int(below: 4) {
    case 0:  // any finite bit pattern: subnormals, huge and tiny exponents
      while true {
        let d = Double(bitPattern: g.next())
        if d.isFinite { return d }
      }
    case 1: return Double(g.int(in: -1000...1000))  // integral
    case 2: return (-1 + (1 - (-1)) * g.uniform())
    default: return (-1e6 + (1e6 - (-1e6)) * g.uniform()).rounded() / 100
    }
  }

  static func randomJSON(_ g: inout RandomSource, depth: Int) -> JSON {
    let kinds = depth >= 4 ? 5 : 7
    switch g.int(below: kinds) {
    case 0: return .null
    case 1: return .bool(g.bernoulli(0.5))
    case 2: return .int(Int(truncatingIfNeeded: g.next()) >> g.int(below: 64))
    case 3: return .number(randomDouble(&g))
    case 4: return .string(randomString(&g))
    case 5:
      return .array(
        (0..<g.int(in: 0...5)).map { _ in randomJSON(&g, depth: depth + 1) })
    default:
      var o = JSONObject()
      for _ in 0..<g.int(in: 0...5) {
        o[randomString(&g)] = randomJSON(&g, depth: depth + 1)
      }
      return .object(o)
    }
  }

  @Test("parse(write(x)) == x for random trees", arguments: 0..<200)
  func roundTrip(seed: UInt64) throws {
    var g = RandomSource(seed: seed)
    let value = Self.randomJSON(&g, depth: 0)
    for pretty in [true, false] {
      let bytes = JSONWriter(pretty: pretty).data(value)
      let parsed = try JSON.parse(bytes)
      #expect(parsed == Self.normalised(value), "seed \(seed), pretty \(pretty)")
      // Writing the parsed value again gives the same bytes.
      #expect(JSONWriter(pretty: pretty).data(parsed) == bytes, "seed \(seed)")
    }
  }
}
