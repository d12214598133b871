import Testing

@testable import _ChuandaoOutput

@Suite("CSV export")
struct CSVTableTests {
  @Test("flatten: nested keys, union of columns in first-seen order, arrays joined")
  func flatten() {
    let rows: [JSONObject] = [
      [
        "id": "a", "name": "市水务局", "score": 1.5,
        "glm": ["b": 2, "c": ["d": .null]],
        "values": [1, .null, 2.5], "flag": .null,
      ],
      ["id": "b", "extra": true, "score": 3.0, "glm": ["b": .number(-0.0)]],
    ]
    let flat = CSVTable.flatten(rows)
    #expect(flat.header == ["id", "name", "score", "glm.b", "glm.c.d", "values", "flag", "extra"])
    #expect(flat.rows[0] == ["a", "市水务局", "1.5", "2", "", "1;;2.5", "", ""])
    // 3.0 prints as 3 and -0.0 as 0, as in JSON; absent keys are empty.
    #expect(flat.rows[1] == ["b", "", "3", "0", "", "", "", "true"])
  }

  @Test("arrays holding containers are written as compact JSON")
  func nestedArrays() {
    let flat = CSVTable.flatten([["x": [[1, 2], ["a": "市"]], "e": [], "o": [:]]])
    // The empty object contributes no column; the empty array an empty field.
    #expect(flat.header == ["x", "e"])
    #expect(flat.rows == [[#"[[1,2],{"a":"市"}]"#, ""]])
  }

  @Test(
    "RFC 4180 quoting",
    arguments: [
      ("plain", "plain"),
      ("市水务局", "市水务局"),
      ("", ""),
      ("-1.5", "-1.5"),
      ("a,b", "\"a,b\""),
      ("say \"hi\"", "\"say \"\"hi\"\"\""),
      ("line\nbreak", "\"line\nbreak\""),
      ("cr\rx", "\"cr\rx\""),
      (" lead", "\" lead\""),
      ("trail ", "\"trail \""),
      ("in side", "in side"),
      ("a;b", "a;b"),
    ])
  func quoting(field: String, expected: String) {
    var out: [UInt8] = []
    CSVTable.appendField(field, into: &out)
    #expect(out == Array(expected.utf8))
  }

  @Test("bytes: BOM, CRLF after every record")
  func bytes() {
    let table = CSVTable(objects: [
      ["id": "n1", "name": "水文总站A", "z": 1.25], ["id": "n2", "note": "a,b"],
    ])
    let expected: [UInt8] =
      [0xEF, 0xBB, 0xBF]
      + Array("id,name,z,note\r\nn1,水文总站A,1.25,\r\nn2,,,\"a,b\"\r\n".utf8)
    #expect(table.bytes() == expected)
  }

  @Test("an empty table is the BOM and an empty header record")
  func empty() {
    #expect(CSVTable(objects: []).bytes() == [0xEF, 0xBB, 0xBF, 0x0D, 0x0A])
  }
}
