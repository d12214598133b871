/// RFC 4180 writing that Excel and WPS open as intended, and `CSVReader` reads back exactly.
public enum CSVWriter {
  /// Write first so Excel opens UTF-8 CSV as UTF-8 (without it Excel assumes the ANSI code page).
  public static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// Whether `field` must be quoted: it holds `,` `"` CR or LF, or starts or ends with a
  /// space or tab (which readers that trim would otherwise drop).
  public static func needsQuotes(_ field: String) -> Bool {
    let u = field.utf8
    guard let first = u.first, let last = u.last else { return false }
    if first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 { return true }
    return u.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
  }

  /// `field` as it appears in a CSV line: as is, or in quotes with each `"` doubled.
  public static func escape(_ field: String) -> String {
    guard needsQuotes(field) else { return field }
    var s = "\""
    s.reserveCapacity(field.utf8.count + 2)
    for c in field.unicodeScalars {
      if c == "\"" { s += "\"\"" } else { s.unicodeScalars.append(c) }
    }
    s += "\""
    return s
  }

  /// One record, fields escaped and joined by commas, ending in CRLF. A record of one empty
  /// field is written `""`, since an empty line is not a record.
  public static func line(_ fields: [String]) -> String {
    if fields.count == 1 && fields[0].isEmpty { return "\"\"\r\n" }
    var s = ""
    for (k, f) in fields.enumerated() {
      if k > 0 { s += "," }
      s += escape(f)
    }
    s += "\r\n"
    return s
  }
}
