import _ChuandaoOutput
import _ChuandaoXLSX

/// `--format`: the text forms render a command's `Document` (`renderer`), JSON, CSV and
/// xlsx write its data.
public enum OutputFormat: String, Sendable, CaseIterable {
  case table, json, csv, markdown, html, xlsx

  /// The renderer of a text form; nil for JSON and CSV, which are data.
  public func renderer(wholeNames: Bool) -> (any DocumentRenderer)? {
    switch self {
    case .table: TerminalRenderer(wholeNames: wholeNames)
    case .markdown: MarkdownRenderer()
    case .html: HTMLRenderer()
    case .json, .csv, .xlsx: nil
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
    csvTables(document: json())
  }

  /// The workbook of `--format xlsx --out FILE`: the tables of `--format csv --out DIR`,
  /// one sheet each, numbers as numbers, and the provenance on a sheet of its own.
  public func workbook(provenance: JSONObject) throws(OutputError) -> XLSXWriter {
    var w = try XLSXWriter()
    for (name, rows) in csvTables() { try w.add(XLSXTable(name: name, objects: rows)) }
    try w.add(XLSXWriter.provenanceTable(provenance))
    return w
  }

  /// The tables of a JSON document for a workbook, named from `prefix`: each array of
  /// objects, at any depth, is a table named by its path (`attenuation.nodes`), and the
  /// scalars beside them one row (`attenuation`). `provenance` is left out (it has a
  /// sheet of its own). An array of more than `maxRows` elements is not made into rows
  /// (a province's node lists would cost the report minutes and gigabytes): its name and
  /// length go to `omitted`.
  public static func tables(
    of document: JSONObject, prefix: String, maxRows: Int = .max, omitted: inout [(name: String, rows: Int)]
  ) -> [(name: String, rows: [JSONObject])] {
    var tables: [(name: String, rows: [JSONObject])] = []
    var summary = JSONObject()
    var nested: [(String, JSONObject)] = []
    for (key, value) in document where key != "provenance" {
      let length: Int? = switch value {
      case .rows(let r): r.count
      case .array(let a): a.count
      default: nil
      }
      if let length, length > maxRows {
        omitted.append((prefix + "." + key, length))
        continue
      }
      if let items = value.arrayValue, !items.isEmpty,
        items.allSatisfy({ if case .object = $0 { true } else { false } })
      {
        tables.append((prefix + "." + key, items.compactMap(\.objectValue)))
      } else if let object = value.objectValue, object.contains(where: { $0.value.arrayValue?.first?.objectValue != nil || $0.value.objectValue != nil }) {
        nested.append((key, object))
      } else {
        summary[key] = value
      }
    }
    if !summary.isEmpty { tables.insert((prefix, [summary]), at: 0) }
    for (key, object) in nested {
      tables += Self.tables(of: object, prefix: prefix + "." + key, maxRows: maxRows, omitted: &omitted)
    }
    return tables
  }

  /// `tables(of:prefix:maxRows:omitted:)` with every array made into rows.
  public static func tables(of document: JSONObject, prefix: String) -> [(name: String, rows: [JSONObject])] {
    var omitted: [(name: String, rows: Int)] = []
    return tables(of: document, prefix: prefix, omitted: &omitted)
  }

  func csvTables(document: JSONObject) -> [(name: String, rows: [JSONObject])] {
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
