import Foundation
import _ChuandaoCSV
import _ChuandaoOutput

// MARK: - Reading one table

/// The columns a reader wants, resolved against one file's header.
///
/// Readers name columns with string literals (`c("period")`); a lookup compares the
/// literal's bytes with the few wanted names, with no `String` or hashing per row.
struct Columns: Sendable {
  private let wanted: [StaticString]
  private var index: [Int]

  init(wanted: [StaticString]) {
    self.wanted = wanted
    index = Array(repeating: -1, count: wanted.count)
  }

  /// The position of column `name` in the file, or nil when the file lacks it.
  func callAsFunction(_ name: StaticString) -> Int? {
    for k in 0..<wanted.count where Columns.same(wanted[k], name) {
      return index[k] >= 0 ? index[k] : nil
    }
    preconditionFailure("column '\(name)' was not declared by its reader")
  }

  /// Records that the `k`-th wanted column is header field `position`.
  mutating func set(_ k: Int, position: Int) { index[k] = position }

  func has(_ name: StaticString) -> Bool { self(name) != nil }

  /// The position of the `k`-th wanted column (required ones first, in declared order),
  /// -1 when absent: for the readers of the large files, where a per-row lookup by name
  /// would cost more than the parsing.
  subscript(k: Int) -> Int { index[k] }

  @inline(__always)
  static func same(_ a: StaticString, _ b: StaticString) -> Bool {
    if a.utf8Start == b.utf8Start { return true }
    return a.utf8CodeUnitCount == b.utf8CodeUnitCount
      && memcmp(a.utf8Start, b.utf8Start, a.utf8CodeUnitCount) == 0
  }
}

extension CSVRecord {
  /// A row of empty fields (Excel's trailing ",,,,"): read as a blank line.
  var isBlankRow: Bool { (0..<count).allSatisfy { isBlank($0) } }
}

extension DatasetLoader {
  /// Whether a data row has the header's `fields`; a row of another width is an error at
  /// its line.
  mutating func hasHeaderWidth(_ name: String, _ rec: borrowing CSVRecord, fields: Int) -> Bool {
    guard rec.count != fields else { return true }
    log.error(name, rec.line,
      zh: "该行有 \(rec.count) 个字段，表头有 \(fields) 个",
      en: "row has \(rec.count) fields, the header has \(fields)")
    return false
  }

  /// Reads `name` if present: checks the header for `required` columns (errors), given by
  /// name or alias (`Columns.resolveHeader`), and unknown ones (warnings), then calls `row`
  /// for each data record, and notes the number cells read from export forms. Returns false
  /// when the file is absent or unusable.
  @discardableResult
  mutating func readTable(
    _ name: String, required: [StaticString], optional: [StaticString] = [],
    digest: FileHash? = nil, row: (inout DatasetLoader, CSVRecord, Columns) -> Void
  ) -> Bool {
    switch sources[name] {
    case .csv?: break
    case .sheet(let table)?: return readSheet(name, table, required: required, optional: optional, row: row)
    case .failed?, nil: return false
    }
    let p = path(name)
    var walk = TableWalk(name: name, required: required, optional: optional)
    normalised = NormalisedCells()
    let info: CSVFileInfo
    let digest = digest ?? (computesDigests ? FileHash() : nil)
    do {
      info = try CSVReader.forEachRecord(path: p, tap: digest?.tap) { rec in walk.take(rec, &self, row) }
    } catch let error as CSVError {
      reportCSVError(name, error)
      return false
    } catch {
      log.error(name, nil, zh: "无法读取：\(error)", en: "cannot read: \(error)")
      return false
    }
    return finishTable(
      DatasetFile(
        name: name, path: p, bytes: info.byteCount, records: walk.records,
        encoding: info.encoding.rawValue, sha256: digest?.hex()),
      required: required, hasColumns: walk.columns != nil, headerFailed: walk.headerFailed)
  }

  /// What every table read ends with once the whole file was read: the file noted, the
  /// normalised cells and an empty file reported. Returns whether the rows were usable.
  mutating func finishTable(
    _ file: DatasetFile, required: [StaticString], hasColumns: Bool, headerFailed: Bool
  ) -> Bool {
    let name = file.name
    let records = file.records
    files.append(file)
    reportNormalised(name)
    if !hasColumns && !headerFailed {
      if name == "org.csv" {
        let expected = required.map(\.description).joined(separator: ",")
        log.error(name, nil, zh: "文件为空（应有表头：\(expected)）",
          en: "file is empty (expected a header: \(expected))")
        return false
      }
      log.warning(name, nil, zh: "可选文件为空", en: "optional file is empty")
      return false
    }
    if records == 0 && !headerFailed && name != "org.csv" {
      log.warning(name, nil, zh: "可选文件只有表头，没有数据", en: "optional file has a header but no rows")
    }
    return hasColumns
  }

  mutating func reportCSVError(_ name: String, _ error: CSVError) {
    switch error {
    case .cannotOpen(_, let reason), .ioError(_, let reason):
      log.error(name, nil, zh: "无法读取：\(reason)", en: "cannot read: \(reason)")
    case .notText(_, let line, let byte):
      let hex = "0x" + String(byte, radix: 16, uppercase: true)
      log.error(name, line, zh: "既不是 UTF-8 也不是 GB18030 编码（字节 \(hex)）",
        en: "neither UTF-8 nor GB18030 text (byte \(hex))")
    case .unterminatedQuote(_, let line):
      log.error(name, line, zh: "引号未闭合：从此行开始的字段没有结束引号",
        en: "unterminated quote: the quoted field starting here never closes")
    case .badQuote(_, let line):
      log.error(name, line, zh: "引号位置不正确（字段中的引号须写作 \"\"，并用引号括住整个字段）",
        en: "misplaced quote (a quote inside a field must be doubled, and the field quoted)")
    }
  }

  // MARK: Field checks shared by every file

  /// The period of column `col`, or nil after reporting an unknown period.
  mutating func period(_ name: String, _ rec: CSVRecord, _ col: Int, column: String = "period") -> Int? {
    if let t = periodTable.find(bytes: rec.bytes(col)) { return t }
    log.error(name, rec.line, column: col,
      zh: "列 '\(column)'：未知的期 '\(rec.trimmed(col))'（应为 \(manifest.periods.joined(separator: ", "))）",
      en: "column '\(column)': unknown period '\(rec.trimmed(col))' (expected one of \(manifest.periods.joined(separator: ", ")))")
    return nil
  }

  /// The node of column `col`, checked to exist in period `t` when given.
  mutating func node(_ name: String, _ rec: CSVRecord, _ col: Int, column: String = "node", period t: Int?) -> Int? {
    // Tidy files list a node's rows together: try the previous row's node first.
    let key = rec.bytes(col)
    let found: Int?
    if lastNode >= 0 && key.count == lastNodeKey.count
      && lastNodeKey.withUnsafeBufferPointer({ key.isEmpty || memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 })
    {
      found = lastNode
    } else {
      found = nodes.find(bytes: key)
      if let found {
        lastNode = found
        lastNodeKey.removeAll(keepingCapacity: true)
        lastNodeKey.append(contentsOf: key)
      }
    }
    guard let i = found else {
      let v = rec.trimmed(col)
      let org = tableName("org.csv")
      if v.isEmpty {
        log.error(name, rec.line, column: col, zh: "列 '\(column)' 为空（应为 \(org) 中的节点 id）",
          en: "column '\(column)' is empty (expected a node id from \(org))")
      } else {
        log.error(name, rec.line, column: col, zh: "列 '\(column)'：未知的节点 '\(v)'（\(org) 中没有）",
          en: "column '\(column)': unknown node '\(v)' (not in \(org))")
      }
      return nil
    }
    if let t, !(Int(validFrom[i]) <= t && t <= Int(validTo[i])) {
      log.error(name, rec.line, column: col,
        zh: "列 '\(column)'：节点 '\(nodeIDs[i])' 在 \(manifest.periods[t]) 期不存在（有效期 \(validRange(i))）",
        en: "column '\(column)': node '\(nodeIDs[i])' does not exist in period \(manifest.periods[t]) (valid \(validRange(i)))")
      return nil
    }
    return i
  }

  func validRange(_ i: Int) -> String {
    "\(manifest.periods[Int(validFrom[i])])..\(manifest.periods[Int(validTo[i])])"
  }

  /// A name from a small list (subject, kind, domain) or nil after reporting it.
  mutating func member(
    _ name: String, _ rec: CSVRecord, _ col: Int, column: String, table: IDTable, list: [String],
    what: (zh: String, en: String)
  ) -> Int? {
    if let j = table.find(bytes: rec.bytes(col)) { return j }
    log.error(name, rec.line, column: col,
      zh: "列 '\(column)'：未知的\(what.zh) '\(rec.trimmed(col))'（应为 \(list.joined(separator: ", "))）",
      en: "column '\(column)': unknown \(what.en) '\(rec.trimmed(col))' (expected one of \(list.joined(separator: ", ")))")
    return nil
  }

  /// A non-negative integer (at most 2^31 - 1), or nil after reporting it. Plain ASCII
  /// digits take the fast path; export forms (`１,０２８`) are normalised and noted.
  mutating func count(_ name: String, _ rec: CSVRecord, _ col: Int, column: String) -> Int32? {
    if let v = rec.int(col), v >= 0, v <= Int(Int32.max) { return Int32(v) }
    if let text = ExportNumber.normalise(rec.bytes(col)), let v = Int(text), v >= 0, v <= Int(Int32.max) {
      noteNormalised(rec, col, column: column, value: String(v))
      return Int32(v)
    }
    log.error(name, rec.line, column: col,
      zh: "列 '\(column)'：'\(rec.string(col))' 不是非负整数",
      en: "column '\(column)': '\(rec.string(col))' is not a whole number >= 0")
    return nil
  }

  /// A finite number in `range`, or nil after reporting it.
  mutating func number(
    _ name: String, _ rec: CSVRecord, _ col: Int, column: String, range: ClosedRange<Double>?
  ) -> Double? {
    var exportForm = false
    var parsed = rec.double(col)
    if parsed == nil, let text = ExportNumber.normalise(rec.bytes(col)) {
      parsed = Double(text).flatMap { $0.isFinite ? $0 : nil }
      exportForm = parsed != nil
    }
    guard let v = parsed else {
      log.error(name, rec.line, column: col, zh: "列 '\(column)'：'\(rec.string(col))' 不是数值",
        en: "column '\(column)': '\(rec.string(col))' is not a number")
      return nil
    }
    if let range, !range.contains(v) {
      let expect = range.upperBound == .infinity ? ">= \(fmt(range.lowerBound))" : "from \(fmt(range.lowerBound)) to \(fmt(range.upperBound))"
      let expectZh = range.upperBound == .infinity ? "应 >= \(fmt(range.lowerBound))" : "应在 \(fmt(range.lowerBound)) 到 \(fmt(range.upperBound)) 之间"
      log.error(name, rec.line, column: col, zh: "列 '\(column)'：\(rec.trimmed(col)) 超出范围（\(expectZh)）",
        en: "column '\(column)': \(rec.trimmed(col)) is out of range (expected a number \(expect))")
      return nil
    }
    if exportForm { noteNormalised(rec, col, column: column, value: fmt(v)) }
    return v
  }

  private func fmt(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
  }
}

/// The walk over one table's records that every sequential read shares (CSV files and
/// workbook sheets): the first record is the header, resolved once; after it, blank rows
/// are skipped, the others counted, checked for the header's width and handed to `row`.
struct TableWalk {
  let name: String
  let required: [StaticString]
  let optional: [StaticString]
  var columns: Columns? = nil
  var headerFailed = false
  var headerCount = 0
  /// The header's line (a sheet's row), 0 before it.
  var headerLine = 0
  var records = 0

  init(name: String, required: [StaticString], optional: [StaticString]) {
    self.name = name
    self.required = required
    self.optional = optional
  }

  mutating func take(
    _ rec: borrowing CSVRecord, _ l: inout DatasetLoader, _ row: (inout DatasetLoader, CSVRecord, Columns) -> Void
  ) {
    if columns == nil && !headerFailed {
      let c = Columns.resolveHeader(file: name, record: rec, required: required, optional: optional, log: &l.log)
      headerCount = rec.count
      headerLine = rec.line
      if let c { columns = c } else { headerFailed = true }
      return
    }
    if rec.isBlankRow { return }
    records += 1
    guard let c = columns, l.hasHeaderWidth(name, rec, fields: headerCount) else { return }
    row(&l, copy rec, c)
  }
}
