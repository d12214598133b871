import Testing

@testable import _ChuandaoCSV

/// Every input read with tiny chunks must give what one big chunk gives: splits land inside
/// multibyte characters, CRLF pairs, `""` escapes and quoted fields.
@Suite("Chunk boundaries")
struct ChunkBoundaryTests {
  static let texts: [String] = [
    "a,b\r\n1,2\r\n",
    "\"q\"\"\",\"x\r\ny\",\"\"\r\n\r\n\"\"\"\"\r\n",
    "名称,数量\r\n\"张三,李四\",12\r\n\"㐀\n𠀀\",3",
    "\r\n\n\r\n,\r\n\",\"\r",
    "h1,h2,h3\n\"a\"\"b\"\"c\",\"d\r\ne\r\nf\",g\n"
      + String(repeating: "龘𪚥,x,\"y,z\"\r\n", count: 20),
    "x,\"unterminated\r\n",
    "x\r\ny\"z\r\n",
    "x\r\n\"a\"b\r\n",
  ]

  @Test(arguments: texts.indices)
  func utf8(_ k: Int) {
    let bytes = Array(Self.texts[k].utf8)
    let whole = read(bytes)
    #expect(whole == referenceParse(bytes))
    for chunk in 1...17 {
      #expect(read(bytes, chunk: chunk) == whole, "chunk \(chunk)")
    }
  }

  @Test(arguments: texts.indices)
  func utf8WithBOM(_ k: Int) {
    let bytes = CSVWriter.utf8BOM + Array(Self.texts[k].utf8)
    let whole = read(bytes)
    #expect(whole.rows == referenceParse(Array(Self.texts[k].utf8)).rows)
    for chunk in 1...9 {
      #expect(read(bytes, chunk: chunk) == whole, "chunk \(chunk)")
    }
  }

  @Test(arguments: texts.indices)
  func gb18030Twin(_ k: Int) {
    // A lone 0x80 never reaches the parser in UTF-8, so force GB18030 with a non-UTF-8 first
    // line, then compare the rest with the UTF-8 reading.
    let text = Self.texts[k]
    let bytes = gb18030("张\r\n" + text)
    let utf8 = read(Array(("张\r\n" + text).utf8))
    let whole = read(bytes)
    #expect(whole.rows == utf8.rows)
    #expect(whole.error == utf8.error)
    #expect(whole.info?.encoding == (whole.error == nil ? .gb18030 : nil))
    for chunk in 1...9 {
      #expect(read(bytes, chunk: chunk) == whole, "chunk \(chunk)")
    }
  }
}
