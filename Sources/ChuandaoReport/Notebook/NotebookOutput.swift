import Chuandao

/// What one notebook block printed, in order.
public enum NotebookItem: Sendable, Equatable {
  /// An analysis's tables (`--format markdown`, the default in a notebook).
  case document(Document)
  /// Text printed as it is (`--format table`, `json`, `csv`): a fenced block with `info`.
  case text(String, info: String)
  /// A chart written beside the notebook: its link (relative to the notebook) and caption.
  case chart(link: String, caption: String)
  /// Messages on standard error (warnings, notes, validate's findings).
  case messages(String)
}

public enum NotebookRendering {
  /// A block's output as Markdown lines: tables as Markdown tables (section titles as
  /// level-4 headings), text and messages in fences, charts as image links.
  public static func lines(_ items: [NotebookItem]) -> [String] {
    var parts: [String] = []
    for item in items {
      switch item {
      case .document(let document):
        parts.append(MarkdownRenderer(headingLevel: 4).render(document))
      case .text(let text, let info):
        parts.append(fenced(text, info: info))
      case .messages(let text):
        parts.append(fenced(text, info: "text"))
      case .chart(let link, let caption):
        parts.append("![\(MarkdownRenderer.escape(caption))](\(link))")
      }
    }
    let text = parts.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }.joined(separator: "\n\n")
    return text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  /// `text` in a backtick fence longer than any run of backticks inside it.
  static func fenced(_ text: String, info: String) -> String {
    var longest = 0
    var run = 0
    for c in text {
      run = c == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
    return "\(fence)\(info)\n\(body)\n\(fence)"
  }

  /// The notebook as one self-contained HTML page, styled as the report: inline CSS, the
  /// charts' SVG inlined (`svg` gives an image link's SVG text), no script, nothing
  /// fetched. Each block shows its command (not its `#|` options) and its output set apart
  /// from the prose.
  public static func html(
    parts: [NotebookSource.PagePart], title: String, lang: Language, svg: @escaping @Sendable (String) -> String?
  ) -> String {
    // A chart the run drew is inlined; any other image shows its alt text, so that the
    // page never fetches anything.
    let markdown = MarkdownToHTML(image: { source, alt in
      svg(source).map { ReportContent.inline($0) } ?? "<span class=\"image-alt\">[\(HTMLRenderer.escape(alt))]</span>"
    })
    var body = ""
    for part in parts {
      switch part {
      case .prose(let text): body += markdown.render(text)
      case .command(let command):
        body += "<pre class=\"command\"><code class=\"language-chuandao\">\(HTMLRenderer.escape(command))</code></pre>\n"
      case .output(let lines):
        if !lines.isEmpty { body += "<div class=\"output\">\n" + markdown.render(lines.joined(separator: "\n")) + "</div>\n" }
      }
    }
    return ReportContent.page(title: title, lang: lang, style: ReportContent.css + "\n" + notebookCSS, body: body)
  }

  /// What a notebook's page adds to the report's style: commands and their outputs set
  /// apart from the prose.
  static let notebookCSS = """
    pre { background: #f6f8fa; padding: .6em .8em; overflow-x: auto; font-size: .85em; line-height: 1.4; break-inside: avoid; }
    pre.command { background: #eef3f8; border-left: 3px solid #0072B2; margin-bottom: .4em; }
    code { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; }
    blockquote { margin: 1em 0; padding: 0 1em; color: #444; border-left: 3px solid #0072B2; }
    div.output { border-left: 3px solid #bbb; padding: .1em 0 .1em 1em; margin: 0 0 1.5em; }
    div.output h4 { font-size: .95em; color: #444; margin-top: .8em; }
    div.output pre { background: #fafafa; }
    """
}
