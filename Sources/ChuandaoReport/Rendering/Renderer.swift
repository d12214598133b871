import _ChuandaoOutput

/// Turns any `Document` into one output form. Renderers know kinds of columns, never a
/// particular result.
public protocol DocumentRenderer: Sendable {
  func render(_ document: Document) -> String
}

/// The terminal's text: each section's title on a line, its paragraphs one a line and its
/// tables as `TextTable`s aligned by display width, sections apart by a blank line.
public struct TerminalRenderer: DocumentRenderer {
  /// Print whole names, ignoring the columns' `maxWidth` (`--wide`, or not a terminal).
  public var wholeNames: Bool

  public init(wholeNames: Bool = true) {
    self.wholeNames = wholeNames
  }

  public func render(_ document: Document) -> String {
    TextTable.$wholeNames.withValue(wholeNames) {
      document.sections.map(render).joined(separator: "\n")
    }
  }

  private func render(_ section: Section) -> String {
    var out = section.title.map { $0 + "\n" } ?? ""
    for block in section.blocks {
      switch block {
      case .paragraph(let text): out += text + "\n"
      case .table(let table): out += Self.textTable(table).render()
      }
    }
    return out
  }

  static func textTable(_ table: Table) -> TextTable {
    var t = TextTable(columns: table.columns.map {
      TextTable.Column(title: $0.title, alignment: $0.kind.alignment, maxWidth: $0.kind.maxWidth)
    })
    for row in table.formattedRows { t.addRow(row) }
    return t
  }
}
