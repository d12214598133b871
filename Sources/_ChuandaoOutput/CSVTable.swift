/// A CSV document for spreadsheet users (Excel, WPS): RFC 4180 with a UTF-8 byte order
/// mark, so that Chinese names open correctly.
///
/// Output: BOM `EF BB BF`, a header record, then one record per row; CRLF after every
/// record, the last included. A field is quoted iff it contains `,` `"` CR or LF, or
/// begins or ends with a space or tab; a `"` inside is doubled. No spreadsheet-formula
/// escaping: fields starting with `=`, `+`, `-`, `@` are written as they are, since
/// negative numbers start with `-`.
public struct CSVTable: Sendable {
  public var header: [String]
  public var rows: [[String]]

  public init(header: [String], rows: [[String]] = []) {
    self.header = header
    self.rows = rows
  }

  /// The table of `objects` flattened by `flatten(_:)`.
  public init(objects: [JSONObject]) {
    let flat = Self.flatten(objects)
    self.init(header: flat.header, rows: flat.rows)
  }

  /// One row per object, one column per leaf key.
  ///
  /// - Nested objects become `parent.child` columns, recursively (`a.b.c`); an empty
  ///   nested object contributes no column. A literal key `"a.b"` and a nested `a`→`b`
  ///   share the column `a.b`.
  /// - Arrays of scalars are joined with `;` in one field (`[1.5, null, 2]` → `1.5;;2`,
  ///   `["x","y"]` → `x;y`); an array holding any array or object is written as compact
  ///   JSON text instead. A `;` inside a string element is not escaped.
  /// - Scalars: numbers as the JSON writer prints them, `true`/`false`, strings as they
  ///   are, `null` (and a key a row lacks) → empty field.
  /// - Columns: the union of the leaf keys in first-seen order (the first row's order,
  ///   then each key new in a later row appended at the end).
  public static func flatten(_ rows: [JSONObject]) -> (header: [String], rows: [[String]]) {
    var header: [String] = []
    var column: [String: Int] = [:]
    var flatRows: [[(Int, String)]] = []
    flatRows.reserveCapacity(rows.count)
    for object in rows {
      var cells: [(Int, String)] = []
      cells.reserveCapacity(object.count)
      func visit(_ object: JSONObject, prefix: String) {
        for (key, value) in object {
          let name = prefix.isEmpty ? key : prefix + "." + key
          if case .object(let child) = value {
            visit(child, prefix: name)
            continue
          }
          let n: Int
          if let existing = column[name] {
            n = existing
          } else {
            n = header.count
            header.append(name)
            column[name] = n
          }
          cells.append((n, fieldText(value)))
        }
      }
      visit(object, prefix: "")
      flatRows.append(cells)
    }
    let width = header.count
    let table = flatRows.map { cells in
      var row = [String](repeating: "", count: width)
      for (n, text) in cells { row[n] = text }
      return row
    }
    return (header, table)
  }

  /// The text of one leaf value; see `flatten(_:)`.
  static func fieldText(_ value: JSON) -> String {
    switch value {
    case .null: return ""
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .number(let d): return d.isFinite ? JSONWriter.numberText(d) : ""
    case .string(let s): return s
    case .array(let a):
      let nested = a.contains {
        switch $0 {
        case .array, .object: return true
        default: return false
        }
      }
      if nested { return JSONWriter(pretty: false).string(value) }
      return a.map(fieldText).joined(separator: ";")
    case .object:
      return JSONWriter(pretty: false).string(value)
    }
  }

  /// BOM, header record and rows, CRLF-terminated.
  public func bytes() -> [UInt8] {
    var out: [UInt8] = [0xEF, 0xBB, 0xBF]
    Self.appendRecord(header, into: &out)
    for row in rows { Self.appendRecord(row, into: &out) }
    return out
  }

  static func appendRecord(_ fields: [String], into out: inout [UInt8]) {
    for (n, field) in fields.enumerated() {
      if n > 0 { out.append(UInt8(ascii: ",")) }
      appendField(field, into: &out)
    }
    out.append(contentsOf: [0x0D, 0x0A])
  }

  static func appendField(_ field: String, into out: inout [UInt8]) {
    let utf8 = field.utf8
    let needsQuotes =
      utf8.contains {
        $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A
      }
      || utf8.first.map(isBlank) == true || utf8.last.map(isBlank) == true
    guard needsQuotes else {
      out.append(contentsOf: utf8)
      return
    }
    out.append(UInt8(ascii: "\""))
    for byte in utf8 {
      if byte == UInt8(ascii: "\"") { out.append(byte) }
      out.append(byte)
    }
    out.append(UInt8(ascii: "\""))
  }

  private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
}
