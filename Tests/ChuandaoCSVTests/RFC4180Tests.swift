import Testing

@testable import _ChuandaoCSV

@Suite("RFC 4180 parsing")
struct RFC4180Tests {
  @Test func plainRecordsWithLF() {
    #expect(rows("a,b,c\n1,2,3\n") == [Row(1, ["a", "b", "c"]), Row(2, ["1", "2", "3"])])
  }

  @Test func crlfLineEnds() {
    #expect(rows("a,b\r\n1,2\r\n") == [Row(1, ["a", "b"]), Row(2, ["1", "2"])])
  }

  @Test(arguments: ["a,b\n1,2", "a,b\r\n1,2", "a,b\n1,2\r", "a,b\n1,\"2\"", "a,b\n1,\"2\"\r"])
  func missingFinalNewline(_ text: String) {
    let o = read(text)
    #expect(o.rows == [Row(1, ["a", "b"]), Row(2, ["1", "2"])])
    #expect(o.info?.lineCount == 2)
    #expect(o.info?.recordCount == 2)
  }

  @Test func emptyFields() {
    #expect(
      rows("a,,c\n,\n,,\n\"\"\n") == [
        Row(1, ["a", "", "c"]), Row(2, ["", ""]), Row(3, ["", "", ""]), Row(4, [""]),
      ])
  }

  @Test func trailingCommaMakesEmptyLastField() {
    #expect(rows("a,b,\r\nc,d,") == [Row(1, ["a", "b", ""]), Row(2, ["c", "d", ""])])
  }

  @Test func quotedFieldsWithCommasEscapesAndNewlines() {
    let text = "\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\r\n\"x\ny\",\"\r\n\",z\r\n"
    #expect(
      rows(text) == [
        Row(1, ["a,b", "say \"hi\"", "\""]),
        Row(2, ["x\ny", "\r\n", "z"], fieldLines: [2, 3, 4]),
      ])
  }

  @Test func blankLinesAreSkippedButCounted() {
    let o = read("\n\r\na,b\n\n\r\n\nc,d\r\n\n")
    #expect(o.rows == [Row(3, ["a", "b"]), Row(7, ["c", "d"])])
    #expect(o.info == CSVFileInfo(encoding: .utf8, byteCount: 17, recordCount: 2, lineCount: 8))
  }

  @Test func recordSpanningLinesReportsItsFirstLine() {
    let text = "id,name,members\n1,\"多行\n名称\n第三行\",5\n2,b,6\n"
    let r = rows(text)
    #expect(
      r == [
        Row(1, ["id", "name", "members"]),
        Row(2, ["1", "多行\n名称\n第三行", "5"], fieldLines: [2, 2, 4]),
        Row(5, ["2", "b", "6"]),
      ])
  }

  @Test func fieldLineAfterEscapedQuotesAndCRLFInside() {
    let r = rows("x,\"a\"\"\r\nb\"\"\",\"c\nd\",e\r\nf\r\n")
    #expect(
      r == [Row(1, ["x", "a\"\r\nb\"", "c\nd", "e"], fieldLines: [1, 1, 2, 3]), Row(4, ["f"])])
  }

  @Test func spacesAreKeptAndTrimmedOnRequest() throws {
    var seen = 0
    try CSVReader.forEachRecord(bytes: Array(" a ,\t b\t,\" c \",  \n".utf8), name: "s") { r in
      seen += 1
      #expect(r.string(0) == " a ")
      #expect(r.trimmed(0) == "a")
      #expect(r.trimmed(1) == "b")
      #expect(Array(r.trimmedBytes(1)) == [0x62])
      #expect(r.string(2) == " c ")
      #expect(r.trimmed(2) == "c")
      #expect(r.isBlank(3))
      #expect(!r.isBlank(0))
    }
    #expect(seen == 1)
  }

  @Test func loneCarriageReturnIsData() {
    #expect(rows("a\rb,c\n") == [Row(1, ["a\rb", "c"])])
    #expect(rows("\rx\n") == [Row(1, ["\rx"])])
  }

  @Test func lineOfOnlyCommasOrSpacesIsARecord() {
    #expect(rows("a,b\n,\n  \n") == [Row(1, ["a", "b"]), Row(2, ["", ""]), Row(3, ["  "])])
  }

  @Test func emptyInputs() {
    for text in ["", "\n", "\r\n", "\n\n\r\n", "\r"] {
      let o = read(text)
      #expect(o.rows.isEmpty, "\(Array(text.utf8))")
      #expect(o.error == nil)
    }
    #expect(
      read("").info == CSVFileInfo(encoding: .utf8, byteCount: 0, recordCount: 0, lineCount: 0))
    #expect(read("\n\n").info?.lineCount == 2)
    #expect(
      read([0xEF, 0xBB, 0xBF]).info
        == CSVFileInfo(encoding: .utf8BOM, byteCount: 3, recordCount: 0, lineCount: 0))
  }

  @Test func unterminatedQuoteNamesTheRecordsFirstLine() {
    let o = read("a,b\n\n1,\"open\n2,x\n3,y\n")
    #expect(o.rows == [Row(1, ["a", "b"])])
    #expect(o.error == .unterminatedQuote(path: "t.csv", line: 3))
    #expect(read("\"").error == .unterminatedQuote(path: "t.csv", line: 1))
    #expect(read("a\n\"x\"\"").error == .unterminatedQuote(path: "t.csv", line: 2))
  }

  @Test(arguments: [
    ("ab\"c,d\n", 1),  // quote inside an unquoted field
    ("a\nb,c\"\n", 2),
    ("a\n\"ab\"c,d\n", 2),  // text after the closing quote
    ("a\n\"x\ny\" ,z\n", 2),  // a space after the closing quote, record spanning lines 2-3
    ("\"a\"\rb\n", 1),  // a CR not before LF after the closing quote
    ("x, \"a,b\"\n", 1),  // a space before the opening quote makes the field unquoted
  ])
  func badQuoteNamesTheRecordsFirstLine(_ text: String, _ line: Int) {
    #expect(read(text).error == .badQuote(path: "t.csv", line: line))
  }

  @Test func recordsBeforeAnErrorAreDelivered() {
    let o = read("h\n1\n2\n3,\"x\"y\n4\n")
    #expect(o.rows.map(\.line) == [1, 2, 3])
    #expect(o.error == .badQuote(path: "t.csv", line: 4))
  }

  @Test func manyFieldsGrowTheFieldArray() {
    let fields = (0..<1000).map { "f\($0)" }
    let text = fields.joined(separator: ",") + "\n" + fields.reversed().joined(separator: ",")
    let r = rows(text)
    #expect(r == [Row(1, fields), Row(2, fields.reversed())])
  }

  @Test func errorsFromTheCallbackPropagate() {
    struct Stop: Error {}
    var seen = 0
    #expect(throws: Stop.self) {
      try CSVReader.forEachRecord(bytes: Array("a\nb\nc\n".utf8), name: "t") { r in
        seen += 1
        if r.line == 2 { throw Stop() }
      }
    }
    #expect(seen == 2)
  }

  @Test func longRecordsAcrossManyChunks() {
    // Past 64 KiB an incomplete record is read in growing fills; the result must not change.
    let long = String(repeating: "长字段,\"引号\"\n第二行 ", count: 12_000)
    let text = "h\r\n" + CSVWriter.line([long, "x"]) + "end\r\n"
    for chunk in [1000, 4096, 70_000] {
      for (label, bytes) in [("UTF-8", Array(text.utf8)), ("GB18030", gb18030(text))] {
        let o = read(bytes, chunk: chunk)
        #expect(o.error == nil && o.rows.count == 3, "\(label), chunk \(chunk)")
        guard o.rows.count == 3 else { continue }
        #expect(o.rows[1].fields[0] == long, "\(label), chunk \(chunk)")
        #expect(o.rows.map(\.line) == [1, 2, 12_003], "\(label), chunk \(chunk)")
        #expect(o.rows[1].fieldLines == [2, 12_002], "\(label), chunk \(chunk)")
      }
    }
  }

  @Test func recordLongerThanTheLimit() {
    let long = String(repeating: "x", count: 300)
    #expect(
      read(Array("a\n\"\(long)\"\n".utf8), chunk: 16, maxRecord: 100).error
        == .unterminatedQuote(path: "t.csv", line: 2))
    #expect(
      read(Array("a\n\n\(long)\n".utf8), chunk: 16, maxRecord: 100).error
        == .ioError(path: "t.csv", reason: "the record starting on line 3 is longer than 100 bytes")
    )
    let ok = read(Array("a\n\"\(long)\"\n".utf8), chunk: 16, maxRecord: 400)
    #expect(ok.rows == [Row(1, ["a"]), Row(2, [long])])
  }
}
