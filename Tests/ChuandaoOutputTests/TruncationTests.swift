import Foundation
import Testing

@testable import _ChuandaoOutput

@Suite("Names cut short stay apart")
struct TruncationTests {
  @Test func middleTruncation() {
    // Width 12 of 市交通运输委员会第3党支部 (13 characters, 26 columns): room 11, the tail gets
    // 11 x 2/5 = 4 columns (支部), the head 11 - 4 = 7 columns (市交通: 6).
    #expect(truncateMiddle("市交通运输委员会第3党支部", toWidth: 12) == "市交通…支部")
    #expect(truncateMiddle("abcdefghij", toWidth: 6) == "abc…ij")  // room 5: tail 2, head 3
    #expect(truncateMiddle("abc", toWidth: 3) == "abc")
    #expect(truncateMiddle("abcd", toWidth: 1) == "…")
    #expect(truncateMiddle("abcd", toWidth: 0) == "")
  }

  @Test("names that differ only at their end are not cut to the same text")
  func differentAtTheEnd() {
    // The review's case: long names that an end cut made identical on three rows.
    let names = (1...3).map { "市交通运输委员会行政审批服务中心机关第\($0)党支部" }
    var t = TextTable(columns: [.init(title: "名称", maxWidth: 30), .init(title: "标记")])
    for (i, name) in names.enumerated() { t.addRow([name, ["cold", "cool", "warm"][i]]) }
    let lines = t.render().split(separator: "\n").dropFirst(2).map { String($0.prefix { $0 != " " }) }
    #expect(lines.count == 3)
    #expect(Set(lines).count == 3, "\(lines)")
    for line in lines { #expect(displayWidth(line) <= 30 && line.contains("…")) }
  }

  @Test("names that differ only in the middle widen the column until they differ")
  func differentInTheMiddle() {
    // Same head (8 columns) and tail (12 columns), one different character at position 5:
    // at width 12 the cut hides it, so the column must grow until it shows.
    let a = "ABCDxEFGHIJKLMNOPQRSTUVW"
    let b = "ABCDyEFGHIJKLMNOPQRSTUVW"
    var t = TextTable(columns: [.init(title: "n", maxWidth: 12)])
    t.addRow([a])
    t.addRow([b])
    let rows = t.render().split(separator: "\n").dropFirst(2).map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(rows.count == 2 && rows[0] != rows[1], "\(rows)")
    // Identical cells are no clash: they stay cut at the maximum width.
    var same = TextTable(columns: [.init(title: "n", maxWidth: 12)])
    same.addRow([a])
    same.addRow([a])
    let cut = same.render().split(separator: "\n").dropFirst(2).map { $0.trimmingCharacters(in: .whitespaces) }
    #expect(cut.allSatisfy { displayWidth($0) == 12 })
  }

  @Test("wholeNames prints every cell whole")
  func wholeNames() {
    let long = "市交通运输委员会行政审批服务中心机关第1党支部"
    var t = TextTable(columns: [.init(title: "名称", maxWidth: 10)])
    t.addRow([long])
    #expect(!t.render().contains(long))
    let whole = TextTable.$wholeNames.withValue(true) { t.render() }
    #expect(whole.contains(long))
  }
}
