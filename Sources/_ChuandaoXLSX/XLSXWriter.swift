import Foundation
import ZIPFoundation
import _ChuandaoOutput

/// A cell of a table to write.
public enum XLSXValue: Sendable, Equatable {
  case empty
  case text(String)
  case number(Double)
  case bool(Bool)
}

/// A table for one sheet: a header row and rows of typed cells.
public struct XLSXTable: Sendable {
  public var name: String
  public var header: [String]
  public var rows: [[XLSXValue]]

  public init(name: String, header: [String], rows: [[XLSXValue]]) {
    self.name = name
    self.header = header
    self.rows = rows
  }

  /// The table of JSON rows with the columns `--format csv` gives them (`CSVTable`: nested
  /// keys as `parent.child`, arrays joined by `;`), but typed: JSON numbers stay numbers
  /// (rounded to `significantDigits`, as in CSV), booleans booleans, null empty.
  public init(name: String, objects: [JSONObject], significantDigits: Int? = 10) {
    var names: [String] = []
    var index: [String: Int] = [:]
    var rows: [[XLSXValue]] = []
    rows.reserveCapacity(objects.count)
    for object in objects {
      var row: [XLSXValue] = Array(repeating: .empty, count: names.count)
      func put(_ key: String, _ v: XLSXValue) {
        let k: Int
        if let found = index[key] {
          k = found
        } else {
          k = names.count
          names.append(key)
          index[key] = k
        }
        if k >= row.count {
          row.append(contentsOf: repeatElement(.empty, count: k - row.count + 1))
        }
        row[k] = v
      }
      func walk(_ prefix: String, _ value: JSON) {
        switch value {
        case .object(let o):
          for (key, v) in o { walk(prefix.isEmpty ? key : prefix + "." + key, v) }
        case .array:
          // The CSV's text for an array (`1.5;;2`, or JSON for nested ones).
          let flat = CSVTable(
            objects: [JSONObject([("v", value)])], significantDigits: significantDigits)
          put(prefix, .text(flat.rows.first?.first ?? ""))
        case .null:
          put(prefix, .empty)
        case .bool(let b):
          put(prefix, .bool(b))
        case .string(let s):
          put(prefix, .text(s))
        default:
          if let d = value.doubleValue {
            put(
              prefix,
              d.isFinite
                ? .number(significantDigits.map { CSVTable.rounded(d, significantDigits: $0) } ?? d)
                : .empty)
          } else {
            put(prefix, .empty)
          }
        }
      }
      for (key, v) in object { walk(key, v) }
      rows.append(row)
    }
    for k in rows.indices where rows[k].count < names.count {
      rows[k].append(contentsOf: repeatElement(.empty, count: names.count - rows[k].count))
    }
    self.init(name: name, header: names, rows: rows)
  }
}

/// Writes tables as an `.xlsx` workbook: one sheet per table, a bold header row frozen at
/// the top, numbers as numbers with a format chosen per column (whole numbers `0`, others
/// `0.0` to `0.0000` by the decimals they need after rounding, at most four shown; the
/// stored value is the whole number), column widths from the display width of their text
/// (a Chinese character counts two), strings inline. The XML parts are written here by
/// hand; ZIPFoundation deflates them into the container.
///
/// A table longer than Excel's 1,048,575 data rows continues on sheets `NAME (2)`, ...
public struct XLSXWriter {
  private var sheets: [(name: String, part: String)] = []
  private let archive: Archive
  private var usedNames = Set<String>()

  public init() throws(OutputError) {
    do {
      archive = try Archive(accessMode: .create)
    } catch {
      throw .cannotWrite(path: "", reason: "cannot make the workbook in memory: \(error)")
    }
  }

  /// Adds `table` as one sheet (or more, past Excel's row limit).
  public mutating func add(_ table: XLSXTable) throws(OutputError) {
    let limit = XLSXWorkbook.maxRows - 1
    var start = 0
    var piece = 1
    repeat {
      let end = min(table.rows.count, start + limit)
      let name = uniqueName(piece == 1 ? table.name : "\(table.name) (\(piece))")
      let part = "xl/worksheets/sheet\(sheets.count + 1).xml"
      let xml = XLSXWriter.sheetXML(header: table.header, rows: table.rows[start..<end])
      try addEntry(part, xml)
      sheets.append((name, part))
      start = end
      piece += 1
    } while start < table.rows.count
  }

  /// The workbook's bytes.
  public mutating func finish() throws(OutputError) -> [UInt8] {
    if sheets.isEmpty { try add(XLSXTable(name: "empty", header: [], rows: [])) }
    try addEntry("[Content_Types].xml", Array(contentTypes().utf8))
    try addEntry("_rels/.rels", Array(XLSXWriter.rootRels.utf8))
    try addEntry("xl/workbook.xml", Array(workbookXML().utf8))
    try addEntry("xl/_rels/workbook.xml.rels", Array(workbookRels().utf8))
    try addEntry("xl/styles.xml", Array(XLSXWriter.styles.utf8))
    guard let data = archive.data else {
      throw .cannotWrite(path: "", reason: "the workbook was not made")
    }
    return Array(data)
  }

  /// Writes the workbook to `path` atomically, never over a path in `protecting`.
  public mutating func write(to path: String, protecting: Set<String> = []) throws(OutputError) {
    let bytes: [UInt8]
    do { bytes = try finish() } catch { throw .cannotWrite(path: path, reason: "\(error)") }
    try AtomicFile.write(bytes, to: path, protecting: protecting)
  }

  /// The provenance record as a sheet `provenance` of two columns, `key` and `value`:
  /// nested keys as `parent.child`, each input file on a row of its own
  /// (`inputs.scores.csv`, its SHA-256).
  public static func provenanceTable(_ provenance: JSONObject) -> XLSXTable {
    var rows: [[XLSXValue]] = []
    func walk(_ prefix: String, _ value: JSON) {
      switch value {
      case .object(let o):
        for (k, v) in o { walk(prefix.isEmpty ? k : prefix + "." + k, v) }
      case .array(let items):
        for (i, item) in items.enumerated() {
          if let file = item["file"]?.stringValue, let sha = item["sha256"]?.stringValue {
            rows.append([.text(prefix + "." + file), .text(sha)])
          } else {
            walk(prefix + "." + String(i + 1), item)
          }
        }
      case .null: rows.append([.text(prefix), .empty])
      case .bool(let b): rows.append([.text(prefix), .bool(b)])
      case .string(let s): rows.append([.text(prefix), .text(s)])
      default: rows.append([.text(prefix), value.doubleValue.map { .number($0) } ?? .empty])
      }
    }
    for (k, v) in provenance { walk(k, v) }
    return XLSXTable(name: "provenance", header: ["key", "value"], rows: rows)
  }

  /// Sheet names: at most 31 characters, none of `[]:*?/\`, unique regardless of case.
  private mutating func uniqueName(_ wanted: String) -> String {
    var base = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 })
    if base.isEmpty { base = "sheet" }
    var name = String(base.prefix(31))
    var k = 2
    while usedNames.contains(name.lowercased()) {
      let suffix = "~\(k)"
      name = String(base.prefix(31 - suffix.count)) + suffix
      k += 1
    }
    usedNames.insert(name.lowercased())
    return name
  }

  private func addEntry(_ path: String, _ bytes: [UInt8]) throws(OutputError) {
    let data = Data(bytes)
    do {
      // A fixed time (1980-01-01, the zip epoch): the same tables make the same bytes.
      try archive.addEntry(
        with: path, type: .file, uncompressedSize: Int64(data.count),
        modificationDate: Date(timeIntervalSince1970: 315_532_800), compressionMethod: .deflate,
        bufferSize: 1 << 16
      ) { position, size in
        data.subdata(in: Int(position)..<Int(position) + size)
      }
    } catch {
      throw .cannotWrite(path: "", reason: "cannot add \(path) to the workbook: \(error)")
    }
  }

  // MARK: The parts

  /// Cell styles (`styles.xml`): 0 default, 1 bold header, 2 whole numbers, 3-6 one to
  /// four decimals.
  static let styles = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
    <numFmts count="4"><numFmt numFmtId="164" formatCode="0.0"/><numFmt numFmtId="165" formatCode="0.00"/>\
    <numFmt numFmtId="166" formatCode="0.000"/><numFmt numFmtId="167" formatCode="0.0000"/></numFmts>\
    <fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
    <font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
    <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
    <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
    <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
    <cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
    <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
    <xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
    <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
    <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
    <xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
    <xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
    <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
    """

  static let rootRels = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
    """

  private func contentTypes() -> String {
    var s = """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
      <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
      <Default Extension="xml" ContentType="application/xml"/>\
      <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
      <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
      """
    for sheet in sheets {
      s +=
        "<Override PartName=\"/\(sheet.part)\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
    }
    return s + "</Types>"
  }

  private func workbookXML() -> String {
    var s = """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
      xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets>
      """
    for (k, sheet) in sheets.enumerated() {
      s +=
        "<sheet name=\"\(XLSXWriter.escape(sheet.name))\" sheetId=\"\(k + 1)\" r:id=\"rId\(k + 1)\"/>"
    }
    return s + "</sheets></workbook>"
  }

  private func workbookRels() -> String {
    var s = """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
      """
    for (k, sheet) in sheets.enumerated() {
      let target = String(sheet.part.dropFirst(3))  // relative to xl/
      s +=
        "<Relationship Id=\"rId\(k + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"\(target)\"/>"
    }
    let n = sheets.count + 1
    s +=
      "<Relationship Id=\"rId\(n)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
    return s + "</Relationships>"
  }

  /// The decimals a column's numbers need at most (0 for whole numbers), up to 4.
  static func decimals(_ values: some Sequence<Double>) -> Int {
    var most = 0
    for v in values where most < 4 {
      var x = abs(v)
      var d = 0
      while d < 4 && abs(x - x.rounded()) > 1e-9 * max(1, x) {
        x *= 10
        d += 1
      }
      most = max(most, d)
    }
    return most
  }

  static func sheetXML(header: [String], rows: ArraySlice<[XLSXValue]>) -> [UInt8] {
    let width = max(header.count, rows.map(\.count).max() ?? 0)
    var styleOf = [Int](repeating: 0, count: width)
    var widths = [Int](repeating: 4, count: width)
    for (c, h) in header.enumerated() { widths[c] = max(widths[c], displayWidth(h)) }
    for c in 0..<width {
      var numbers: [Double] = []
      for row in rows where c < row.count {
        switch row[c] {
        case .number(let x): numbers.append(x)
        case .text(let s): widths[c] = max(widths[c], min(60, displayWidth(s)))
        case .bool: widths[c] = max(widths[c], 5)
        case .empty: break
        }
      }
      if !numbers.isEmpty {
        let d = decimals(numbers)
        styleOf[c] = d == 0 ? 2 : 2 + d
        let digits =
          numbers.map { x in String(Int64(min(9e17, abs(x).rounded()))).count + (x < 0 ? 1 : 0) }
          .max() ?? 1
        widths[c] = max(widths[c], digits + (d > 0 ? d + 1 : 0))
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(64 + rows.count * width * 24)
    func put(_ s: String) { out.append(contentsOf: s.utf8) }
    put("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
    put("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
    if width > 0 {
      put("<dimension ref=\"A1:\(XLSXCell.letters(width - 1))\(rows.count + 1)\"/>")
    }
    put(
      "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
    )
    put("<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>")
    put("<sheetFormatPr defaultRowHeight=\"15\"/>")
    if width > 0 {
      put("<cols>")
      for c in 0..<width {
        // Excel's width unit is one digit of the default font; two for a wide character.
        put("<col min=\"\(c + 1)\" max=\"\(c + 1)\" width=\"\(widths[c] + 2)\" customWidth=\"1\"/>")
      }
      put("</cols>")
    }
    put("<sheetData>")
    put("<row r=\"1\">")
    for (c, h) in header.enumerated() {
      put("<c r=\"\(XLSXCell.letters(c))1\" s=\"1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">")
      appendEscaped(h, to: &out)
      put("</t></is></c>")
    }
    put("</row>")
    var r = 1
    for row in rows {
      r += 1
      put("<row r=\"\(r)\">")
      for (c, v) in row.enumerated() {
        switch v {
        case .empty: continue
        case .text(let s):
          put("<c r=\"\(XLSXCell.letters(c))\(r)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">")
          appendEscaped(s, to: &out)
          put("</t></is></c>")
        case .number(let x):
          let text = x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : x.description
          put("<c r=\"\(XLSXCell.letters(c))\(r)\" s=\"\(styleOf[c])\"><v>\(text)</v></c>")
        case .bool(let b):
          put("<c r=\"\(XLSXCell.letters(c))\(r)\" t=\"b\"><v>\(b ? 1 : 0)</v></c>")
        }
      }
      put("</row>")
    }
    put("</sheetData></worksheet>")
    return out
  }

  /// XML text: `& < >` and quotes escaped; control characters XML 1.0 cannot hold
  /// dropped (Excel writes them as `_x0001_`, which other readers show as is).
  static func appendEscaped(_ s: String, to out: inout [UInt8]) {
    for b in s.utf8 {
      switch b {
      case 0x26: out.append(contentsOf: "&amp;".utf8)
      case 0x3C: out.append(contentsOf: "&lt;".utf8)
      case 0x3E: out.append(contentsOf: "&gt;".utf8)
      case 0x22: out.append(contentsOf: "&quot;".utf8)
      case 0x09, 0x0A, 0x0D: out.append(b)
      case 0..<0x20: continue
      default: out.append(b)
      }
    }
  }

  static func escape(_ s: String) -> String {
    var out: [UInt8] = []
    appendEscaped(s, to: &out)
    return String(decoding: out, as: UTF8.self)
  }
}
