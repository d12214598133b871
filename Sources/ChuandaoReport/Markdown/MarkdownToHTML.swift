/// A notebook's Markdown — analyst prose and the tables `MarkdownRenderer` writes — as an
/// HTML fragment for one self-contained page, in `HTMLRenderer`'s markup so that the
/// report's style sheet applies.
///
/// A pragmatic subset of CommonMark 0.31 with GitHub's pipe tables:
/// - ATX headings `#`…`######`. Levels 1–3 get an `id` slug of their text (letters and
///   digits lowercased, Chinese kept, white space and `-` as `-`, `_` kept, other
///   punctuation dropped; `-1`, `-2`… on repeats), unique within one `render` call.
/// - Paragraphs: consecutive lines, trimmed, joined by a newline. No hard line breaks, no
///   setext headings (a `---` under text is a thematic break) and no indented code (text
///   indented four spaces is paragraph text).
/// - Lists: `-`, `*`, `+` and `1.` / `1)` items; an ordered list not starting at 1 gets
///   `start`. Lines indented to an item's text continue it (a nested list, code or quote
///   included); an unindented line continues its paragraph lazily. A blank line ends the
///   list unless an item or indented content follows; the list is then loose (unless the
///   blank line was inside a fence or a nested list) and its items' paragraphs get `<p>`,
///   as in CommonMark.
/// - Block quotes: lines starting with `>`, their content rendered as Markdown; a line
///   without `>` continues the quote's last paragraph lazily, as in CommonMark.
/// - Fenced code: three or more backticks or tildes, closed by at least as many of the
///   same character, else open to the end of the document (or of its quote or item). The
///   info string's first word gives `class="language-…"`; the content is escaped verbatim.
/// - Pipe tables: a header row, a delimiter row (`---`, `:--`, `:-:`, `--:`) with as many
///   cells, then rows up to a blank line or another block. `\|` is a pipe inside a cell;
///   missing cells are empty, extra ones dropped. Right-aligned cells get `class="num"`
///   (the report's style for numbers), centred ones `style="text-align: center"`.
/// - Thematic breaks `---`, `***`, `___` as `<hr>`.
/// - HTML comments are dropped, as blocks or inline. One that opens a block and never
///   closes runs to the end of its container (as in CommonMark); an unclosed one inside
///   text is text. Every other piece of HTML is escaped and shows as written: no tag or
///   attribute of the output comes from the input.
/// - Inline: backslash escapes of ASCII punctuation; entity references (`&amp;`, `&#21644;`)
///   kept as written; code spans; `*` and `_` emphasis and strong by CommonMark's
///   delimiter rules, so `snake_case_name` stays literal; links `[text](url "title")` and
///   images `![alt](src)`. No reference links, autolinks or raw HTML.
///   One departure for Chinese: a CJK character beside a `*` run counts as punctuation
///   when deciding whether the run opens or closes, so `这是**“重点”**内容` is strong
///   (CommonMark leaves it literal).
/// - An image is the `image` closure's markup when it gives one, else an `<img>`. A
///   paragraph holding one image and nothing else becomes a `<figure>` with the alt text as
///   its `<figcaption>`, as the report shows its charts.
/// - Links whose scheme is not http, https, mailto or tel keep their text but lose the
///   link (`javascript:` never reaches an `href`); images take http, https and
///   `data:image/`, else show their alt text. Entity references in a destination are not
///   decoded.
///
/// Time is linear in the input: every scan for a closing delimiter either consumes what
/// it passes over or is bounded (CommonMark's "openers bottom" for emphasis, one cursor
/// per backtick-run length for code spans, link destinations nested at most 32 parentheses
/// deep), and quotes and lists nest at most 16 deep (deeper, `>` and markers are text).
public struct MarkdownToHTML: Sendable {
  private let image: @Sendable (_ source: String, _ alt: String) -> String?

  /// - Parameter image: the inline markup for an image source (the text of an SVG file
  ///   to inline, say), or nil to keep an `<img>`. Its markup is inserted as it is.
  public init(
    image: @escaping @Sendable (_ source: String, _ alt: String) -> String? = { _, _ in nil }
  ) {
    self.image = image
  }

  public func render(_ markdown: String) -> String {
    var renderer = BlockRenderer(Array(markdown.utf8), image: image)
    renderer.document()
    return String(decoding: renderer.out, as: UTF8.self)
  }
}
