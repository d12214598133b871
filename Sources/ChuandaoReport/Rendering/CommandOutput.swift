import _ChuandaoOutput

/// `--format`: the text forms render a command's `Document` (`renderer`), JSON and CSV
/// write its data.
public enum OutputFormat: String, Sendable, CaseIterable {
  case table, json, csv, markdown, html

  /// The renderer of a text form; nil for JSON and CSV, which are data.
  public func renderer(wholeNames: Bool) -> (any DocumentRenderer)? {
    switch self {
    case .table: TerminalRenderer(wholeNames: wholeNames)
    case .markdown: MarkdownRenderer()
    case .html: HTMLRenderer()
    case .json, .csv: nil
    }
  }
}

/// A command's result, ready to render in the format asked for: only that one is made
/// (a province-sized node list costs seconds to render as JSON).
public struct CommandOutput {
  public var json: () -> JSONObject
  /// The rows of `--format csv` (the command's `nodes` array).
  public var csvRows: () -> [JSONObject]
  /// What the text forms (terminal, Markdown, HTML) render.
  public var document: () -> Document
  /// Tables beyond the document's own arrays for `--format csv --out DIR` (see `csvTables`).
  public var extraTables: () -> [(name: String, rows: [JSONObject])]

  public init(
    json: @escaping @autoclosure () -> JSONObject, csvRows: @escaping @autoclosure () -> [JSONObject],
    document: @escaping @autoclosure () -> Document,
    extraTables: @escaping @autoclosure () -> [(name: String, rows: [JSONObject])] = []
  ) {
    self.json = json
    self.csvRows = csvRows
    self.document = document
    self.extraTables = extraTables
  }

  /// The files of `--format csv --out DIR`, each a name (without `.csv`) and its rows:
  /// `nodes` (what `--format csv` writes), one table per other array of objects in the
  /// JSON document (`steps`, `groups`, `domains`, `levels`, `leaders`, ...), `summary`
  /// with the document's remaining figures in one row (nested keys as `parent.child`,
  /// arrays of numbers joined by `;`), then `extraTables`. Provenance goes beside them.
  public func csvTables() -> [(name: String, rows: [JSONObject])] {
    let document = json()
    var tables: [(name: String, rows: [JSONObject])] = [("nodes", csvRows())]
    var summary = JSONObject()
    for (key, value) in document where key != "provenance" && key != "nodes" {
      if let items = value.arrayValue, !items.isEmpty,
        items.allSatisfy({ if case .object = $0 { true } else { false } })
      {
        tables.append((key, items.compactMap(\.objectValue)))
      } else {
        summary[key] = value
      }
    }
    if !summary.isEmpty { tables.append(("summary", [summary])) }
    return tables + extraTables()
  }
}
