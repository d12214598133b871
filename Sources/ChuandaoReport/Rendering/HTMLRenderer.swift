/// An HTML fragment for the report: one `<section>` per section with its title as an
/// `<hN>`, `<p>` paragraphs and `<table>`s whose cells carry their column's kind as a
/// class (`num` for right-aligned numbers), every name whole. Text is escaped (`&`, `<`,
/// `>`, `"`); no style, script or attribute comes from the data.
public struct HTMLRenderer: DocumentRenderer {
  public var headingLevel: Int

  public init(headingLevel: Int = 3) {
    self.headingLevel = headingLevel
  }

  public func render(_ document: Document) -> String {
    var out = ""
    for section in document.sections where section.title != nil || !section.blocks.isEmpty {
      out += "<section>\n"
      if let title = section.title {
        out += "<h\(headingLevel)>\(Self.escape(title))</h\(headingLevel)>\n"
      }
      for block in section.blocks {
        switch block {
        case .paragraph(let text): out += "<p>\(Self.escape(text))</p>\n"
        case .table(let table): out += Self.table(table)
        }
      }
      out += "</section>\n"
    }
    return out
  }

  static func table(_ table: Table) -> String {
    let classes = table.columns.map { Self.className($0.kind) }
    var out = "<table>\n<thead><tr>"
    for (n, column) in table.columns.enumerated() {
      out += "<th class=\"\(classes[n])\">\(escape(column.title))</th>"
    }
    out += "</tr></thead>\n<tbody>\n"
    for row in table.formattedRows {
      out += "<tr>"
      for (n, cell) in row.enumerated() { out += "<td class=\"\(classes[n])\">\(escape(cell))</td>" }
      out += "</tr>\n"
    }
    return out + "</tbody>\n</table>\n"
  }

  static func className(_ kind: ColumnKind) -> String {
    switch kind {
    case .text: "text"
    case .name: "name"
    case .count: "num count"
    case .number: "num"
    case .percent: "num percent"
    case .signed: "num signed"
    case .interval: "interval"
    case .flag: "flag"
    case .grade: "grade"
    }
  }

  public static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(c)
      }
    }
    return out
  }
}
