import Testing

@testable import ChuandaoReport

/// The renderers over one small document written out by hand: escaping, CJK text, each
/// column kind's rounding and alignment, and an empty table.
@Suite("Document renderers")
struct RendererTests {
  /// A titled section with a paragraph and a table of every numeric kind, then a section
  /// holding a table without rows.
  static let document: Document = {
    var t = Table([
      Column("Name", .name()),
      Column("Observed", .count),
      Column("Ratio", .number(2)),
      Column("Share", .percent(1)),
      Column("95%", .interval(2)),
      Column("Change", .signed(3)),
      Column("Flag", .flag),
    ])
    t.add([.text("市水务局|一"), .count(12), .number(0.8349), .number(0.4286), .interval(0.5, 1.25), .number(-0.0004), .text("冷")])
    t.add([.text("A<B&C"), .count(nil), .number(nil), .number(1), .interval(nil, nil), .number(2.5), .text("hot")])
    return Document([
      Section("冷 & <热> | 节点", [.paragraph("A | B < C & D"), .table(t)]),
      Section(nil, [.table(Table([Column("名称", .name()), Column("n", .count)]))]),
    ])
  }()

  @Test func markdown() {
    let expected = """
      ### 冷 &amp; &lt;热&gt; \\| 节点

      A \\| B &lt; C &amp; D

      | Name | Observed | Ratio | Share | 95% | Change | Flag |
      |---|---:|---:|---:|---|---:|---|
      | 市水务局\\|一 | 12 | 0.83 | 42.9% | [0.50, 1.25] | 0.000 | 冷 |
      | A&lt;B&amp;C | - | - | 100.0% | - | +2.500 | hot |

      | 名称 | n |
      |---|---:|

      """
    #expect(MarkdownRenderer().render(Self.document) == expected)
  }

  @Test func html() {
    let expected = """
      <section>
      <h3>冷 &amp; &lt;热&gt; | 节点</h3>
      <p>A | B &lt; C &amp; D</p>
      <table>
      <thead><tr><th class="name">Name</th><th class="num count">Observed</th><th class="num">Ratio</th>\
      <th class="num percent">Share</th><th class="interval">95%</th><th class="num signed">Change</th>\
      <th class="flag">Flag</th></tr></thead>
      <tbody>
      <tr><td class="name">市水务局|一</td><td class="num count">12</td><td class="num">0.83</td>\
      <td class="num percent">42.9%</td><td class="interval">[0.50, 1.25]</td><td class="num signed">0.000</td>\
      <td class="flag">冷</td></tr>
      <tr><td class="name">A&lt;B&amp;C</td><td class="num count">-</td><td class="num">-</td>\
      <td class="num percent">100.0%</td><td class="interval">-</td><td class="num signed">+2.500</td>\
      <td class="flag">hot</td></tr>
      </tbody>
      </table>
      </section>
      <section>
      <table>
      <thead><tr><th class="name">名称</th><th class="num count">n</th></tr></thead>
      <tbody>
      </tbody>
      </table>
      </section>

      """
    #expect(HTMLRenderer().render(Self.document) == expected)
  }

  /// The terminal aligns by display width (a CJK character is two columns), right-aligns
  /// counts, and sets sections apart by one blank line.
  @Test func terminal() {
    var t = Table([Column("名称", .name()), Column("n", .count)])
    t.add([.text("市水务局"), .count(3)])
    t.add([.text("A"), .count(12)])
    let document = Document([Section("T", [.table(t)]), Section(nil, [.paragraph("end")])])
    let expected = """
      T
      名称       n
      --------  --
      市水务局   3
      A         12

      end

      """
    #expect(TerminalRenderer().render(document) == expected)
  }

  /// A section with neither title nor blocks adds nothing to Markdown or HTML.
  @Test func emptySection() {
    let document = Document([Section(nil, [.paragraph("a")]), Section()])
    #expect(MarkdownRenderer().render(document) == "a\n")
    #expect(HTMLRenderer().render(document) == "<section>\n<p>a</p>\n</section>\n")
  }

  @Test(arguments: [
    (ColumnKind.number(0), Cell.number(2.4), "2"),
    (.number(3), .number(0.1234), "0.123"),
    (.number(3), .number(1.5, digits: 1), "1.5"),
    (.number(2), .number(.nan), "-"),
    (.percent(0), .number(0.125), "12%"),
    (.signed(2), .number(-1.5), "-1.50"),
    (.signed(2), .number(0.001), "0.00"),
    (.count, .change(3), "+3"),
    (.count, .change(-2), "-2"),
    (.interval(1), .interval(0.25, nil), "[0.2, -]"),
    (.text(), .empty, ""),
  ])
  func kindFormats(kind: ColumnKind, cell: Cell, expected: String) {
    #expect(kind.format(cell) == expected)
  }
}
