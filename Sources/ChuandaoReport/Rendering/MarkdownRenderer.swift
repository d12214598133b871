/// CommonMark with GitHub's pipe tables: a section's title as a level-`headingLevel`
/// heading, paragraphs apart by blank lines, tables with the alignment of their column
/// kinds and every name whole.
///
/// Text is escaped so that it reads as written: `\`, `|`, `*`, `_`, `` ` `` get a
/// backslash (brackets stay: `[0.50, 1.25]` is no link without a target); `&`, `<` and
/// `>` become `&amp;`, `&lt;` and `&gt;` (no inline HTML, no entity or block quote read by
/// accident). A cell's line breaks become spaces.
public struct MarkdownRenderer: DocumentRenderer {
  public var headingLevel: Int

  public init(headingLevel: Int = 3) {
    self.headingLevel = headingLevel
  }

  public func render(_ document: Document) -> String {
    var parts: [String] = []
    for section in document.sections {
      if let title = section.title {
        parts.append(String(repeating: "#", count: headingLevel) + " " + Self.escape(title))
      }
      for block in section.blocks {
        switch block {
        case .paragraph(let text): parts.append(Self.escape(text))
        case .table(let table): parts.append(Self.table(table))
        }
      }
    }
    return parts.map { $0 + "\n" }.joined(separator: "\n")
  }

  static func table(_ table: Table) -> String {
    func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }
    var out = line(table.columns.map { escape($0.title) })
    out += "|" + table.columns.map { $0.kind.alignment == .right ? "---:|" : "---|" }.joined() + "\n"
    for row in table.formattedRows { out += line(row.map(escape)) }
    return String(out.dropLast())
  }

  public static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s {
      switch c {
      case "\\", "|", "*", "_", "`": out += "\\" + String(c)
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\n", "\r", "\r\n", "\t": out += " "
      default: out.append(c)
      }
    }
    return out
  }
}
