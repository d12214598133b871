import Testing

@testable import _ChuandaoOutput

@Suite("JSON writer")
struct JSONWriterTests {
  /// Expected texts: the shortest decimal that reads back as the same double (checked
  /// against Python's `repr`, which uses the same shortest round-trip rule), with
  /// `.0` dropped from integral values and Swift's exponent spelling kept.
  @Test(
    "number formatting",
    arguments: [
      (0.0, "0"),
      (-0.0, "0"),  // no negative zero in output
      (1.0, "1"),
      (-2.0, "-2"),
      (1.5, "1.5"),
      (0.1, "0.1"),  // nearest double is 0.1000000000000000055…; shortest is 0.1
      (0.0001, "0.0001"),
      (1e-5, "1e-05"),  // Swift switches to exponent form below 1e-4
      (2.5e-7, "2.5e-07"),
      (1e15, "1000000000000000"),
      (9_007_199_254_740_991.0, "9007199254740991"),  // 2^53 - 1
      (9_007_199_254_740_992.0, "9007199254740992"),  // 2^53: Swift prints "…992.0"
      (9_007_199_254_740_994.0, "9.007199254740994e+15"),  // next double above 2^53
      (1e16, "1e+16"),
      (1e21, "1e+21"),
      // The literal 123456789012345680000 is the double 123456789012345683968; its
      // shortest round-trip form has 17 significant digits.
      (123_456_789_012_345_680_000.0, "1.2345678901234568e+20"),
      (Double.pi, "3.141592653589793"),
      (-1234.5678, "-1234.5678"),
      (Double.leastNonzeroMagnitude, "5e-324"),  // smallest subnormal, 2^-1074
      (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
      (Double.nan, "null"),
      (Double.infinity, "null"),
      (-Double.infinity, "null"),
    ])
  func numberFormatting(value: Double, expected: String) throws {
    #expect(JSONWriter.numberText(value) == expected)
    #expect(JSONWriter(pretty: false).string(.number(value)) == expected)
    if value.isFinite {
      // Valid JSON and exact: parses back to the same double.
      let parsed = try JSON.parse(expected)
      #expect(parsed.doubleValue == value)
    }
  }

  @Test("JSON(Double?) maps nil and non-finite to null")
  func optionalDouble() {
    #expect(JSON(Double?.none) == .null)
    #expect(JSON(Double.nan) == .null)
    #expect(JSON(-Double.infinity) == .null)
    #expect(JSON(2.5) == .number(2.5))
    #expect(JSON([1.0, .nan, 2.5] as [Double]) == [.number(1), .null, .number(2.5)])
    #expect(JSON([1, nil] as [Double?]) == [.number(1), .null])
    #expect(JSON([3, 4]) == [.int(3), .int(4)])
    #expect(JSON(String?.none) == .null)
    #expect(JSON(Int?.none) == .null)
    #expect(JSON(["a", nil] as [String?]) == [.string("a"), .null])
  }

  @Test("convenience initialisers and literals resolve as intended")
  func convenience() {
    let n: Int? = 3
    let d: Double? = nil
    let o = JSONObject(["a": 1, "b": "x"])
    let pairs = JSONObject([("k", JSON(n)), ("v", JSON(d))])
    let value: JSON = ["o": .object(o), "list": [1, 2.5, "s", .null, true], "p": JSON(pairs)]
    #expect(JSON(3) == .int(3))
    #expect(JSON(2.0) == .number(2))
    #expect(JSON("s") == .string("s"))
    #expect(JSON(true) == .bool(true))
    #expect(pairs.keys == ["k", "v"] && pairs["v"] == .null)
    #expect(
      JSONWriter(pretty: false).string(value)
        == #"{"o":{"a":1,"b":"x"},"list":[1,2.5,"s",null,true],"p":{"k":3,"v":null}}"#)
  }

  @Test("integers print exactly, Int.min and Int.max included")
  func integers() {
    let w = JSONWriter(pretty: false)
    #expect(w.string(.int(0)) == "0")
    #expect(w.string(.int(-42)) == "-42")
    #expect(w.string(.int(Int.max)) == "9223372036854775807")
    #expect(w.string(.int(Int.min)) == "-9223372036854775808")
  }

  @Test(
    "string escaping",
    arguments: [
      ("plain", #""plain""#),
      ("say \"hi\"", #""say \"hi\"""#),
      ("back\\slash", #""back\\slash""#),
      ("a/b", #""a/b""#),  // solidus not escaped
      ("line\nnext\r\ttab", #""line\nnext\r\ttab""#),
      ("\u{8}\u{C}", #""\b\f""#),
      ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
      ("\u{7F}", "\"\u{7F}\""),  // DEL is not a control character in JSON
      ("市水务局", "\"市水务局\""),  // raw UTF-8, not \u escapes
      ("水文总站A😀", "\"水文总站A😀\""),
      ("\u{2028}\u{2029}", "\"\u{2028}\u{2029}\""),
    ])
  func escaping(input: String, expected: String) throws {
    let text = JSONWriter(pretty: false).string(.string(input))
    #expect(text == expected)
    #expect(try JSON.parse(text) == .string(input))
  }

  @Test("Chinese is written as raw UTF-8 bytes")
  func rawUTF8() {
    // 市 is U+5E02, UTF-8 E5 B8 82.
    #expect(
      JSONWriter(pretty: false).data(.string("市"), newline: false) == [
        0x22, 0xE5, 0xB8, 0x82, 0x22,
      ])
  }

  @Test("key order is insertion order, not sorted")
  func keyOrder() {
    var o: JSONObject = ["zeta": 1, "alpha": 2, "mid": 3]
    o["beta"] = 4  // appended
    o["alpha"] = 20  // replaced in place
    let text = JSONWriter(pretty: false).string(.object(o))
    #expect(text == #"{"zeta":1,"alpha":20,"mid":3,"beta":4}"#)
    #expect(o.keys == ["zeta", "alpha", "mid", "beta"])
    o["zeta"] = nil  // removes
    #expect(o.keys == ["alpha", "mid", "beta"])
    #expect(o["mid"] == .int(3))
    #expect(o["absent"] == nil)
  }

  @Test("large objects keep order and lookups through the index")
  func largeObject() {
    var o = JSONObject()
    for n in (0..<100).reversed() { o.append("k\(n)", .int(n)) }
    #expect(o.keys.first == "k99")
    #expect(o["k37"] == .int(37))
    o["k37"] = .string("x")
    #expect(o.keys[99 - 37] == "k37")
    #expect(o.removeValue(forKey: "k99") == .int(99))
    #expect(o["k98"] == .int(98))
    #expect(o.index(forKey: "k98") == 0)
    #expect(o.count == 99)
  }

  @Test("pretty layout: two-space indent, empty containers inline")
  func prettyLayout() {
    let value: JSON = [
      "period": "2025Q4",
      "n": 3,
      "steps": [["from": "bureau", "tau": 0.5], [:]],
      "empty": [],
      "none": .null,
      "ok": true,
    ]
    let expected = """
      {
        "period": "2025Q4",
        "n": 3,
        "steps": [
          {
            "from": "bureau",
            "tau": 0.5
          },
          {}
        ],
        "empty": [],
        "none": null,
        "ok": true
      }
      """
    #expect(JSONWriter().string(value) == expected)
    #expect(JSONWriter().data(value) == Array((expected + "\n").utf8))
    #expect(
      JSONWriter(pretty: false).string(value)
        == #"{"period":"2025Q4","n":3,"steps":[{"from":"bureau","tau":0.5},{}],"empty":[],"none":null,"ok":true}"#
    )
  }

  @Test("identical values give identical bytes")
  func deterministic() {
    func build() -> JSON {
      var o = JSONObject()
      for n in 0..<50 { o["node\(n)"] = JSON(Double(n) / 7) }
      return .object(o)
    }
    #expect(JSONWriter().data(build()) == JSONWriter().data(build()))
  }
}
