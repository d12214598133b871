import Testing

@testable import _ChuandaoOutput

@Suite("Display width and tables")
struct DisplayWidthTests {
  /// Widths from EastAsianWidth.txt (W/F = 2) and the zero-width categories, worked per
  /// grapheme cluster.
  @Test(
    "display width",
    arguments: [
      ("", 0),
      ("abc", 3),
      ("市水务局", 8),  // four CJK Unified Ideographs
      ("水文总站A", 9),  // 4 × 2 + 1
      ("e\u{301}", 1),  // e + COMBINING ACUTE ACCENT: one cluster
      ("市\u{301}", 2),  // a mark on a wide base adds nothing
      ("\u{301}", 0),  // a lone combining mark
      ("a\u{200B}b", 2),  // ZERO WIDTH SPACE
      ("\u{200D}\u{200E}\u{FEFF}", 0),  // ZWJ, LRM, BOM
      ("\u{8}\u{1B}", 0),  // control characters
      ("葛\u{E0100}", 2),  // ideographic variation selector
      ("😀", 2),  // U+1F600, Emoji_Presentation
      ("👍🏽", 2),  // with skin-tone modifier: one cluster
      ("❤️", 2),  // U+2764 + VS16 emoji presentation
      ("❤", 1),  // U+2764 alone: text presentation, neutral width
      ("🇨🇳", 2),  // regional-indicator pair
      ("👨‍👩‍👧", 2),  // ZWJ sequence
      ("，。「」", 8),  // fullwidth comma FF0C, ideographic full stop 3002, brackets 300C/300D
      ("ＡＢ", 4),  // fullwidth Latin FF21, FF22
      ("ｱｲ", 2),  // halfwidth katakana FF71, FF72
      ("ひらカタ", 8),  // Hiragana, Katakana
      ("한국어", 6),  // Hangul syllables
      ("𠀀𪚥", 4),  // U+20000 (ext. B), U+2A6A5 (plane 2)
      ("\u{31350}", 2),  // ext. H, plane 3: newer than the generated table
      ("…°—", 3),  // East Asian Ambiguous counted as 1
      ("¥€", 2),
    ])
  func width(text: String, expected: Int) {
    #expect(displayWidth(text) == expected)
  }

  @Test("pad by display width")
  func padding() {
    #expect(pad("市水", toWidth: 6) == "市水  ")
    #expect(pad("市水", toWidth: 6, alignment: .right) == "  市水")
    #expect(pad("abc", toWidth: 2) == "abc")  // never cuts
    #expect(displayWidth(pad("水文总站A", toWidth: 12)) == 12)
  }

  @Test("truncate by display width with an ellipsis")
  func truncation() {
    #expect(truncate("abcdef", toWidth: 6) == "abcdef")
    #expect(truncate("abcdef", toWidth: 4) == "abc…")
    #expect(truncate("市水务局", toWidth: 8) == "市水务局")
    #expect(truncate("市水务局", toWidth: 7) == "市水务…")  // 6 + 1
    #expect(truncate("市水务局", toWidth: 6) == "市水…")  // 市水务 (6) + … > 6, so 市水 (4) + …: 5 columns
    #expect(truncate("市水务局", toWidth: 1) == "…")
    #expect(truncate("市水务局", toWidth: 0) == "")
    #expect(truncate("e\u{301}e\u{301}e\u{301}", toWidth: 2) == "e\u{301}…")
  }

  @Test("table aligns Chinese names by display width")
  func tableAlignment() {
    var t = TextTable(columns: [
      .init(title: "单位"), .init(title: "得分", alignment: .right),
    ])
    t.addRow(["市水务局", "3.5"])
    t.addRow(["水文总站A", "12.25"])
    t.addRow(["abc", "-1"])
    let text = t.render()
    // Column widths: max(4, 8, 9, 3) = 9 and max(4, 3, 5, 2) = 5; 9 + 2 + 5 = 16.
    let expected =
      "单位" + spaces(5) + "  " + spaces(1) + "得分\n"
      + "---------  -----\n"
      + "市水务局" + spaces(1) + "  " + spaces(2) + "3.5\n"
      + "水文总站A" + "  " + "12.25\n"
      + "abc" + spaces(6) + "  " + spaces(3) + "-1\n"
    #expect(text == expected)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 5)
    #expect(lines.allSatisfy { displayWidth($0) == 16 })
  }

  @Test("table shortens to maxWidth and flattens newlines")
  func tableTruncation() {
    var t = TextTable(columns: [
      .init(title: "名称", maxWidth: 6), .init(title: "n", alignment: .right),
    ])
    t.addRow(["市水务局水文总站", "1"])
    t.addRow(["a\nb", "22"])
    let lines = t.render().split(separator: "\n").map(String.init)
    // The middle goes: room 5, the tail 2 columns (站), the head 3 (市: 2).
    #expect(lines[2] == "市…站   1")  // 5 columns + 1 pad, 2 spaces, " 1"
    #expect(lines[3] == "a b    22")
    #expect(Set(lines.map(displayWidth)) == [9])
  }

  @Test("a table without rows renders the header and rule")
  func emptyTable() {
    let t = TextTable(columns: [.init(title: "id"), .init(title: "值", alignment: .right)])
    #expect(t.render() == "id  值\n--  --\n")
  }

  func spaces(_ n: Int) -> String { String(repeating: " ", count: n) }
}
