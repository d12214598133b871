import Testing

@testable import ChuandaoReport

/// `MarkdownToHTML` construct by construct, each with its HTML written out by hand; then the
/// tables `MarkdownRenderer` writes, what must never pass through (scripts, comments,
/// `javascript:`), unclosed constructs, and seeded random input that must not trap and
/// must give well-nested HTML of the tags the renderer writes and no other.
@Suite struct MarkdownToHTMLTests {
  func html(_ markdown: String) -> String { MarkdownToHTML().render(markdown) }

  // MARK: - Blocks

  @Test func headings() {
    let markdown = """
      # Title *one*
      ## 概况 & 说明
      ### Title one
      #### Four ####
      ##### Five #not closing
      ####### seven
      #5 not
      """
    #expect(
      html(markdown) == """
        <h1 id="title-one">Title <em>one</em></h1>
        <h2 id="概况--说明">概况 &amp; 说明</h2>
        <h3 id="title-one-1">Title one</h3>
        <h4>Four</h4>
        <h5>Five #not closing</h5>
        <p>####### seven
        #5 not</p>

        """)
  }

  @Test func paragraphs() {
    #expect(
      html("Line one\n   line two   \n\n\nSecond\r\nthird\r\n")
        == "<p>Line one\nline two</p>\n<p>Second\nthird</p>\n")
    #expect(html("") == "")
    #expect(html("\n  \n") == "")
    #expect(html("a\u{0}b") == "<p>a\u{FFFD}b</p>\n")
  }

  @Test func chineseTextPassesThrough() {
    let text = "中文段落，包括“引号”和（括号）。\n第二行：冷热不均"
    #expect(html(text) == "<p>\(text)</p>\n")
  }

  @Test func tightLists() {
    let markdown = """
      - a
      - b
        continued
      lazy
      * other bullet, other list
      + plus

      1. one
      2. two
      3) other delimiter
      """
    #expect(
      html(markdown) == """
        <ul>
        <li>a</li>
        <li>b
        continued
        lazy</li>
        </ul>
        <ul>
        <li>other bullet, other list</li>
        </ul>
        <ul>
        <li>plus</li>
        </ul>
        <ol>
        <li>one</li>
        <li>two</li>
        </ol>
        <ol start="3">
        <li>other delimiter</li>
        </ol>

        """)
  }

  /// A blank line between items keeps the list and makes it loose (`<p>` in every item); a
  /// blank line before anything but an item or indented content ends it.
  @Test func looseListsAndTheirEnd() {
    #expect(
      html("3. x\n4. y\n\n5. z\n\nAfter") == """
        <ol start="3">
        <li>
        <p>x</p>
        </li>
        <li>
        <p>y</p>
        </li>
        <li>
        <p>z</p>
        </li>
        </ol>
        <p>After</p>

        """)
    #expect(html("- a\n\nText") == "<ul>\n<li>a</li>\n</ul>\n<p>Text</p>\n")
    #expect(html("- a\n# Heading") == "<ul>\n<li>a</li>\n</ul>\n<h1 id=\"heading\">Heading</h1>\n")
  }

  @Test func nestedListsAndCodeInItems() {
    #expect(
      html("- a\n  - b\n\n  - c\n- d") == """
        <ul>
        <li>a
        <ul>
        <li>
        <p>b</p>
        </li>
        <li>
        <p>c</p>
        </li>
        </ul>
        </li>
        <li>d</li>
        </ul>

        """)
    // The blank line inside the fence does not make the list loose.
    #expect(
      html("- run:\n  ```sh\n  a\n\n  b\n  ```\n- next") == """
        <ul>
        <li>run:
        <pre><code class="language-sh">a

        b
        </code></pre>
        </li>
        <li>next</li>
        </ul>

        """)
  }

  /// Quotes nest and hold any block; a line without `>` continues a paragraph lazily.
  @Test func blockquotes() {
    let markdown = """
      > quote **strong**
      continued lazily
      > > nested
      >
      > - item

      after
      """
    #expect(
      html(markdown) == """
        <blockquote>
        <p>quote <strong>strong</strong>
        continued lazily</p>
        <blockquote>
        <p>nested</p>
        </blockquote>
        <ul>
        <li>item</li>
        </ul>
        </blockquote>
        <p>after</p>

        """)
    #expect(html("> a\n# b") == "<blockquote>\n<p>a</p>\n</blockquote>\n<h1 id=\"b\">b</h1>\n")
  }

  @Test func fencedCode() {
    let markdown = """
      ```swift extra words
      let a = "<b>" && `x` // *not* <!-- a comment -->
      ````
      ~~~~
      code ~~~
      ```
      ~~~~~
        ```
        indented
       less
      none
        ```
      """
    #expect(
      html(markdown) == """
        <pre><code class="language-swift">let a = &quot;&lt;b&gt;&quot; &amp;&amp; `x` // *not* &lt;!-- a comment --&gt;
        </code></pre>
        <pre><code>code ~~~
        ```
        </code></pre>
        <pre><code>indented
        less
        none
        </code></pre>

        """)
    // A backtick in a backtick fence's info string makes it no fence.
    #expect(html("``` a`b") == "<p>``` a`b</p>\n")
  }

  @Test func unclosedFenceRunsToTheEnd() {
    #expect(
      html("text\n```\n# not a heading\n\n| a |\n|---|") == """
        <p>text</p>
        <pre><code># not a heading

        | a |
        |---|
        </code></pre>

        """)
    // Inside a quote, to the end of the quote.
    #expect(
      html("> ~~~\n> a\nb")
        == "<blockquote>\n<pre><code>a\n</code></pre>\n</blockquote>\n<p>b</p>\n")
  }

  @Test func tables() {
    let markdown = #"""
      Intro
      | a | b \| c | n |
      |---|:-:|--:|
      | 1 | `x\|y` | **3** |
      | 4 |
      | 5 | 6 | 7 | 8 |
      |

      after
      """#
    #expect(
      html(markdown) == """
        <p>Intro</p>
        <table>
        <thead><tr><th>a</th><th style="text-align: center">b | c</th><th class="num">n</th></tr></thead>
        <tbody>
        <tr><td>1</td><td style="text-align: center"><code>x|y</code></td><td class="num"><strong>3</strong></td></tr>
        <tr><td>4</td><td style="text-align: center"></td><td class="num"></td></tr>
        <tr><td>5</td><td style="text-align: center">6</td><td class="num">7</td></tr>
        <tr><td></td><td style="text-align: center"></td><td class="num"></td></tr>
        </tbody>
        </table>
        <p>after</p>

        """)
    // Header and delimiter rows must have as many cells.
    #expect(html("| a | b |\n|---|") == "<p>| a | b |\n|---|</p>\n")
    #expect(html("|") == "<p>|</p>\n")
  }

  /// A table as `MarkdownRenderer` writes it: escaped pipes, `&lt;`, `\_` and `\*` read
  /// back as the characters, right-aligned kinds as `class="num"`.
  @Test func tableFromMarkdownRenderer() {
    var table = Table([Column("名称", .name()), Column("n", .count), Column("率", .percent(1))])
    table.add([.text("市水务局|一"), .count(12), .number(0.4286)])
    table.add([.text("A<B&C_d*"), .count(nil), .number(1)])
    let document = Document([Section("冷 & 热", [.paragraph("a_b | c"), .table(table)])])
    let markdown = MarkdownRenderer(headingLevel: 4).render(document)
    #expect(markdown.contains(#"| 市水务局\|一 | 12 | 42.9% |"#))
    #expect(
      html(markdown) == """
        <h4>冷 &amp; 热</h4>
        <p>a_b | c</p>
        <table>
        <thead><tr><th>名称</th><th class="num">n</th><th class="num">率</th></tr></thead>
        <tbody>
        <tr><td>市水务局|一</td><td class="num">12</td><td class="num">42.9%</td></tr>
        <tr><td>A&lt;B&amp;C_d*</td><td class="num">-</td><td class="num">100.0%</td></tr>
        </tbody>
        </table>

        """)
  }

  @Test func thematicBreaks() {
    #expect(html("a\n---\n***\n_ _ _\n- - -") == "<p>a</p>\n<hr>\n<hr>\n<hr>\n<hr>\n")
  }

  @Test func commentsAreDropped() {
    let markdown = """
      before
      <!-- a
      # hidden
      -->
      after <!-- inline --> text <!-- unclosed inline

      `<!-- in code -->`

      <!-- unclosed block
      hidden
      """
    #expect(
      html(markdown) == """
        <p>before</p>
        <p>after  text &lt;!-- unclosed inline</p>
        <p><code>&lt;!-- in code --&gt;</code></p>

        """)
  }

  @Test func rawHTMLIsEscaped() {
    #expect(
      html("<script>alert(\"x\")</script>\n<div onclick=\"f()\">hi</div>")
        == "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\n&lt;div onclick=&quot;f()&quot;&gt;hi&lt;/div&gt;</p>\n"
    )
    #expect(html("<script>") == "<p>&lt;script&gt;</p>\n")
  }

  // MARK: - Inlines

  @Test func backslashEscapesAndEntities() {
    #expect(html(#"\*not em\* \_ \\ \a \|"#) == #"<p>*not em* _ \ \a |</p>"# + "\n")
    #expect(
      html("&amp; &lt; &copy; &#21644; &#x41; & done &bogus")
        == "<p>&amp; &lt; &copy; &#21644; &#x41; &amp; done &amp;bogus</p>\n")
  }

  @Test func codeSpans() {
    #expect(
      html("`` a ` b `` and `x` and `*no* [link](x)`")
        == "<p><code>a ` b</code> and <code>x</code> and <code>*no* [link](x)</code></p>\n")
    #expect(html("`<b>`") == "<p><code>&lt;b&gt;</code></p>\n")
    #expect(html("``unclosed `") == "<p>``unclosed `</p>\n")
  }

  @Test func emphasis() {
    #expect(
      html("*em* _em_ **strong** __strong__ ***both*** 2*3*4 **unbalanced *x")
        == "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong> <em><strong>both</strong></em> 2<em>3</em>4 **unbalanced *x</p>\n"
    )
  }

  /// Underscores inside words are literal, so identifiers and file names read as written.
  @Test func underscoresInIdentifiers() {
    #expect(
      html("snake_case_name, __init__ and a_b_c.csv")
        == "<p>snake_case_name, <strong>init</strong> and a_b_c.csv</p>\n")
    #expect(html("中文_下划线_。") == "<p>中文_下划线_。</p>\n")
  }

  @Test func strongBesideChinesePunctuation() {
    #expect(html("这是**“重点”**内容，") == "<p>这是<strong>“重点”</strong>内容，</p>\n")
    #expect(html("**粗体**。") == "<p><strong>粗体</strong>。</p>\n")
  }

  @Test func links() {
    #expect(
      html(#"[link](http://x.org/a_(b) "T") [q](/p?a=1&b="2") [<a b>](<x y>) [ref] [0.50, 1.25]"#)
        == #"<p><a href="http://x.org/a_(b)" title="T">link</a> <a href="/p?a=1&amp;b=&quot;2&quot;">q</a> "#
        + #"<a href="x y">&lt;a b&gt;</a> [ref] [0.50, 1.25]</p>"# + "\n")
    // No link in a link.
    #expect(html("[a [b](c) d](e)") == "<p>[a <a href=\"c\">b</a> d](e)</p>\n")
    #expect(html("*[a*](b)") == "<p>*<a href=\"b\">a*</a></p>\n")
  }

  @Test func unsafeLinksKeepTheirTextOnly() {
    #expect(
      html("[bad](javascript:alert(1)) [also](JavaScript:x) [ok](mailto:a@b.cn) [rel](a:b/c)")
        == "<p>bad also <a href=\"mailto:a@b.cn\">ok</a> rel</p>\n")
    #expect(
      html("[rel](./a:b) ![x](javascript:alert(1)) y") == "<p><a href=\"./a:b\">rel</a> x y</p>\n")
  }

  @Test func images() {
    #expect(
      html("See ![alt *x*](a.png \"t\") here")
        == "<p>See <img src=\"a.png\" alt=\"alt x\" title=\"t\"> here</p>\n")
    let inline = MarkdownToHTML(image: { source, alt in
      source.hasSuffix(".svg") ? "<svg data-source=\"\(source)\" data-alt=\"\(alt)\"></svg>" : nil
    })
    #expect(
      inline.render("A ![chart **1**](c.svg) and ![photo](p.jpg)")
        == "<p>A <svg data-source=\"c.svg\" data-alt=\"chart 1\"></svg> and <img src=\"p.jpg\" alt=\"photo\"></p>\n"
    )
    // An image alone in its paragraph is a figure with its caption.
    #expect(
      inline.render("![Funnel 漏斗](charts/funnel.svg)") == """
        <figure>
        <svg data-source="charts/funnel.svg" data-alt="Funnel 漏斗"></svg>
        <figcaption>Funnel 漏斗</figcaption>
        </figure>

        """)
    #expect(html("![](a.png)") == "<figure>\n<img src=\"a.png\" alt=\"\">\n</figure>\n")
    #expect(html("![unsafe](javascript:x)") == "<p>unsafe</p>\n")
  }

  @Test func unclosedInlines() {
    #expect(
      html("**bold *em `code [link](x ![img](") == "<p>**bold *em `code [link](x ![img](</p>\n")
    #expect(html("[a](b \"title)") == "<p>[a](b &quot;title)</p>\n")
    #expect(html("]]) [[ ![") == "<p>]]) [[ ![</p>\n")
  }

  // MARK: - Robustness

  /// Inputs that would take quadratic time in a naive parser; each must finish (they are
  /// not timed: a quadratic parser would not finish in any reasonable time on them).
  @Test(arguments: ["[](", "*a", "[", "`x``", "<!--", "![", "> ", "- ", "(", "[a](b \""])
  func pathologicalInputsFinish(unit: String) {
    let input = String(repeating: unit, count: 200_000 / unit.utf8.count)
    let out = html(input)
    #expect(!out.isEmpty || unit == "<!--")
    #expect(Self.problem(in: out) == nil)
  }

  @Test func deepNestingIsCapped() {
    let quotes = html(String(repeating: "> ", count: 10_000) + "a")
    #expect(quotes.components(separatedBy: "<blockquote>").count - 1 == 16)
    #expect(Self.problem(in: quotes) == nil)
    let lists = html(String(repeating: "- ", count: 10_000) + "a")
    #expect(lists.components(separatedBy: "<ul>").count - 1 == 16)
    #expect(Self.problem(in: lists) == nil)
  }

  /// 2,000 strings of Markdown's special characters: none traps, and every result is
  /// well-nested HTML of the renderer's own tags (so nothing of the input became a tag).
  @Test func randomInputNeverTrapsAndStaysBalanced() {
    let fragments = [
      "*", "**", "_", "__", "`", "``", "```", "~~~", "[", "]", "(", ")", "![", "](", "\\",
      "|", "|---|", ":-:", "--:", "-", "- ", "* ", "1. ", "2) ", "> ", "#", "## ", "---",
      "<!--", "-->", "<script>", "</p>", "&amp;", "&", "\"", "'", "javascript:", "a", "b c",
      "x_y", "中文", "“", "，", "\n", "\n", "\n", "\n\n", " ", "  ", "    ", "\t", "\r\n",
      "\u{0}",
    ]
    #expect(
      Self.problem(in: "<p><em>a</p></em>") != nil && Self.problem(in: "<p><script></p>") != nil)
    let seed: UInt64 = 0x5EED_2024
    var random = SplitMix64(seed: seed)
    for n in 0..<2_000 {
      var input = ""
      for _ in 0..<(1 + random.next(below: 60)) {
        input += fragments[random.next(below: fragments.count)]
      }
      let out = html(input)
      let problem = Self.problem(in: out)
      #expect(
        problem == nil,
        "seed \(seed), case \(n): \(input.debugDescription) gave \(problem ?? "") in \(out.debugDescription)"
      )
    }
  }

  /// The first thing wrong with `html` as this renderer's output: a tag it never writes, a
  /// closing tag that does not close the innermost open one, or a tag left open.
  static func problem(in html: String) -> String? {
    let void: Set<Substring> = ["hr", "img"]
    let paired: Set<Substring> = [
      "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
      "table", "thead", "tbody", "tr", "th", "td", "em", "strong", "a", "figure", "figcaption",
    ]
    var open: [Substring] = []
    var rest = html[...]
    while let lt = rest.firstIndex(of: "<") {
      guard let gt = rest[lt...].firstIndex(of: ">") else { return "unterminated tag" }
      let tag = rest[rest.index(after: lt)..<gt]
      rest = rest[rest.index(after: gt)...]
      let closing = tag.hasPrefix("/")
      let name = (closing ? tag.dropFirst() : tag).prefix { $0 != " " }
      if closing {
        guard open.last == name else {
          return "</\(name)> closes \(open.last.map { "<\($0)>" } ?? "nothing")"
        }
        open.removeLast()
      } else if paired.contains(name) {
        open.append(name)
      } else if !void.contains(name) {
        return "<\(tag)>"
      }
    }
    return open.isEmpty ? nil : "<\(open.last!)> left open"
  }
}

/// Steele, Lea and Flood's SplitMix64 (OOPSLA 2014): a fixed stream for a seed.
private struct SplitMix64 {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform enough in `0..<n` for picking fragments (n is tiny next to 2^64).
  mutating func next(below n: Int) -> Int { Int(next() % UInt64(n)) }
}
