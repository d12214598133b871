import Glibc
import _ChuandaoCSV
import _ChuandaoParallel

/// What reading a sheet learned besides its records.
public struct XLSXSheetSummary: Sendable, Equatable {
  /// Rows delivered as records (the header included), empty rows left out.
  public var records = 0
  /// Formula cells without a cached value, read as empty: how many and the first.
  public var formulasWithoutValue = 0
  public var firstFormulaWithoutValue: XLSXCell?
  /// Merged ranges (`A1:B1`), as the sheet lists them.
  public var merges: [XLSXRange] = []
  /// The uncompressed size of the sheet's XML.
  public var bytes = 0
}

/// A cell's place: 1-based row, 0-based column.
public struct XLSXCell: Sendable, Equatable {
  public var row: Int
  public var column: Int
  public init(row: Int, column: Int) {
    self.row = row
    self.column = column
  }
  /// `C17`.
  public var reference: String { XLSXCell.letters(column) + String(row) }

  /// The column letters of 0-based column `c`: A..Z, AA.., up to XFD.
  public static func letters(_ c: Int) -> String {
    var n = c + 1
    var out: [Character] = []
    while n > 0 {
      let r = (n - 1) % 26
      out.append(Character(Unicode.Scalar(UInt8(65 + r))))
      n = (n - 1) / 26
    }
    return String(out.reversed())
  }

  /// Parses `C17` (letters then digits); nil for anything else or outside Excel's grid.
  public static func parse<C: Collection<UInt8>>(_ b: C) -> (column: Int?, row: Int?)? {
    var column = 0
    var letters = 0
    var row = 0
    var digits = 0
    for x in b {
      switch x {
      case 0x41...0x5A where digits == 0: column = column * 26 + Int(x - 0x40); letters += 1
      case 0x61...0x7A where digits == 0: column = column * 26 + Int(x - 0x60); letters += 1
      case 0x24: continue  // $A$1
      case 0x30...0x39: row = row * 10 + Int(x - 0x30); digits += 1
      default: return nil
      }
      if letters > 3 || digits > 7 { return nil }
    }
    if letters > 0 && column > XLSXWorkbook.maxColumns { return nil }
    if digits > 0 && (row < 1 || row > XLSXWorkbook.maxRows) { return nil }
    return (letters > 0 ? column - 1 : nil, digits > 0 ? row : nil)
  }
}

/// A merged range.
public struct XLSXRange: Sendable, Equatable {
  public var first: XLSXCell
  public var last: XLSXCell
  public var reference: String { first.reference + ":" + last.reference }
}

/// A failure while reading a sheet, with the cell it happened at when known.
public struct XLSXSheetError: Error, Sendable, Equatable {
  public var error: XLSXError
  public var cell: XLSXCell?
  /// The row only (a bad row number, a row out of order).
  public var row: Int?
}

extension XLSXWorkbook {
  /// Excel's grid: 1,048,576 rows and 16,384 columns (XFD).
  public static let maxRows = 1_048_576
  public static let maxColumns = 16_384

  /// Streams the rows of `sheet` as CSV records, for the readers of CSV files: a record
  /// per row that has a non-empty cell (rows wholly empty are left out, as blank lines
  /// are), `line` its row number, its fields the cells' text from column A on, so that
  /// field `k` is column `k` (a cell Excel omits is an empty field). The first such row is
  /// the header: records are as wide as it is, or wider where a row has a non-empty cell
  /// beyond it (the loader reports such a row as for CSV).
  ///
  /// A cell's text: a string as written; a number as stored (the shortest decimal that
  /// reads back as the same double when the file has more digits); a number whose style is
  /// a date as `YYYY-MM-DD` (with ` HH:MM:SS` when it has a time); a boolean as
  /// `true`/`false`; an error as Excel shows it (`#DIV/0!`); a formula as its cached value,
  /// or empty (counted in the summary) when the file has none.
  public func forEachRecord(
    _ sheet: Sheet, _ body: (borrowing CSVRecord) throws -> Void
  ) throws -> XLSXSheetSummary {
    try forEachRecord(
      sheet, blockBytes: SheetBlocks.blockBytes, minimumBytes: SheetBlocks.minimumBytes, body)
  }

  /// `forEachRecord` with the block reading's sizes given (tests use tiny ones): a sheet
  /// of at least `minimumBytes` of XML is parsed in blocks of about `blockBytes` on every
  /// core (`SheetBlocks`), a smaller one on this thread.
  public func forEachRecord(
    _ sheet: Sheet, blockBytes: Int, minimumBytes: Int, _ body: (borrowing CSVRecord) throws -> Void
  ) throws -> XLSXSheetSummary {
    try forEachRecord(
      sheet, blockBytes: blockBytes, minimumBytes: minimumBytes, cellShapes: true, body)
  }

  /// `forEachRecord` with the reading of cells in their usual shapes
  /// (`SheetHandler.element`) turned off when `cellShapes` is false: every tag then goes
  /// through the scanner's general path, which the tests compare it with.
  package func forEachRecord(
    _ sheet: Sheet, blockBytes: Int, minimumBytes: Int, cellShapes: Bool,
    _ body: (borrowing CSVRecord) throws -> Void
  ) throws -> XLSXSheetSummary {
    let zip: ZipReader
    do { zip = try ZipReader(path: path, limits: limits) } catch {
      throw XLSXSheetError(error: error)
    }
    var delivery = Delivery()
    if let entry = zip.entries[sheet.part], entry.uncompressedSize >= Int64(minimumBytes),
      Parallel.cores > 1
    {
      try SheetBlocks(
        workbook: self, zip: zip, part: sheet.part, blockBytes: blockBytes, cellShapes: cellShapes
      ).run(&delivery, body)
    } else {
      var handler = SheetHandler(
        workbook: self, part: sheet.part, relative: false, cellShapes: cellShapes)
      var scanner = XMLScanner(part: sheet.part)
      var failure: XLSXSheetError?
      var thrown: (any Error)?  // by the loader: rethrown as is
      do {
        try zip.stream(sheet.part) { (chunk) throws(XLSXError) in
          delivery.summary.bytes += chunk.count
          try scanner.feed(chunk, &handler)
          do {
            try delivery.deliver(&handler.batch, body)
          } catch {
            thrown = error
            throw .unreadable("stopped")
          }
        }
        try scanner.finish(&handler)
      } catch {
        failure = handler.failure(error)
      }
      if let thrown { throw thrown }
      try delivery.deliver(&handler.batch, body)
      delivery.add(handler.summary)
      if let failure { throw delivery.placed(failure) }
    }
    return delivery.summary
  }
}

/// Rows parsed but not yet handed to the loader: their cells' text back to back, per
/// cell its column and range, per row its number and where its cells end.
struct RowBatch: Sendable {
  var text: [UInt8] = []
  /// column, start, end, for each cell with text.
  var cells: [Int] = []
  /// Per row: its number (negative: that many rows after the previous row, for rows
  /// without `r` whose predecessor is in another block) and the end of its cells (in
  /// triples).
  var rows: [Int] = []
  var cellEnds: [Int] = []

  /// Empties it, keeping its buffers' capacity.
  mutating func removeAll() {
    text.removeAll(keepingCapacity: true)
    cells.removeAll(keepingCapacity: true)
    rows.removeAll(keepingCapacity: true)
    cellEnds.removeAll(keepingCapacity: true)
  }

  /// Drops the complete rows, keeping the cells of a row still being read (a chunk of
  /// the sheet may end inside a row).
  mutating func removeRows() {
    let keep = cellEnds.last ?? 0
    rows.removeAll(keepingCapacity: true)
    cellEnds.removeAll(keepingCapacity: true)
    guard keep < cells.count else {
      text.removeAll(keepingCapacity: true)
      cells.removeAll(keepingCapacity: true)
      return
    }
    let from = cells[keep + 1]
    text.removeSubrange(0..<from)
    cells.removeSubrange(0..<keep)
    for k in stride(from: 0, to: cells.count, by: 3) {
      cells[k + 1] -= from
      cells[k + 2] -= from
    }
  }
}

/// Hands rows to the loader in order as records, and gathers the summary.
struct Delivery {
  var summary = XLSXSheetSummary()
  var headerWidth = -1
  var lastRow = 0
  /// The last row before the batch being delivered: relative rows count from it.
  private var base = 0
  private var fields: [Int] = []

  /// The row number of a batch's row (relative ones made absolute).
  func absolute(_ r: Int) -> Int { r < 0 ? base - r : r }

  mutating func deliver(_ batch: inout RowBatch, _ body: (borrowing CSVRecord) throws -> Void)
    throws
  {
    base = lastRow
    guard !batch.rows.isEmpty else { return }
    batch.text.append(0)  // a valid base address when every field is empty
    defer {
      batch.text.removeLast()
      batch.removeRows()
    }
    var cellStart = 0
    for k in 0..<batch.rows.count {
      let row = absolute(batch.rows[k])
      let cellEnd = batch.cellEnds[k]
      defer { cellStart = cellEnd }
      guard row > lastRow, row <= XLSXWorkbook.maxRows else {
        throw XLSXSheetError(error: .badReference("row \(row) after row \(lastRow)"), row: row)
      }
      lastRow = row
      guard cellEnd > cellStart else { continue }  // a row of empty cells: a blank line
      let lastColumn = batch.cells[cellEnd - 3]
      if headerWidth < 0 { headerWidth = lastColumn + 1 }
      let width = max(headerWidth, lastColumn + 1)
      fields.removeAll(keepingCapacity: true)
      var j = cellStart
      for c in 0..<width {
        if j < cellEnd && batch.cells[j] == c {
          fields.append(batch.cells[j + 1])
          fields.append(batch.cells[j + 2])
          j += 3
        } else {
          fields.append(0)
          fields.append(0)
        }
      }
      summary.records += 1
      try batch.text.withUnsafeBufferPointer { r in
        try fields.withUnsafeBufferPointer { f in
          try body(CSVRecord(base: r.baseAddress!, fields: f.baseAddress!, count: width, line: row))
        }
      }
    }
  }

  /// A block's summary, in order.
  mutating func add(_ s: XLSXSheetSummary) {
    summary.formulasWithoutValue += s.formulasWithoutValue
    if summary.firstFormulaWithoutValue == nil, var first = s.firstFormulaWithoutValue {
      first.row = absolute(first.row)
      summary.firstFormulaWithoutValue = first
    }
    summary.merges += s.merges
  }

  /// A failure with its row made absolute.
  func placed(_ e: XLSXSheetError) -> XLSXSheetError {
    var e = e
    if let r = e.row { e.row = absolute(r) }
    if let c = e.cell { e.cell = XLSXCell(row: absolute(c.row), column: c.column) }
    if e.row == 0 { e.row = nil }
    return e
  }
}

/// The sheet's XML to records: `<row r>`, `<c r t s>`, `<v>`, `<f>`, `<is><t>`, and
/// `<mergeCell ref>`.
struct SheetHandler: XMLHandler {
  let workbook: XLSXWorkbook
  let part: String
  // The workbook's tables, held here: read per cell without going through the class.
  let strings: SharedStrings
  let styleKinds: [DateKind]
  let date1904: Bool
  var summary = XLSXSheetSummary()
  var failedCell: XLSXCell?
  /// Whether `element` reads cells of the usual shapes (else the general path does).
  let cellShapes: Bool
  /// The rows read, for `Delivery`.
  var batch = RowBatch()

  // The row being read: its number, or while `relative` (a block whose previous row is in
  // another block, before the first row with `r`) minus the rows since that one.
  var row = 0
  var relative: Bool
  var inRow = false
  // The cell being read.
  var column = -1
  var type: UInt8 = 0  // first letter of t: n, s, b, e, i(nlineStr), d, (s)t(r)
  var style = 0
  var hasFormula = false
  var hasValue = false
  var value: [UInt8] = []
  var collect = Collect.none
  var phonetic = 0
  enum Collect { case none, value, inline }

  init(workbook: XLSXWorkbook, part: String, relative: Bool, cellShapes: Bool = true) {
    self.workbook = workbook
    self.part = part
    self.relative = relative
    self.cellShapes = cellShapes
    strings = workbook.strings
    styleKinds = workbook.styleKinds
    date1904 = workbook.date1904
  }

  /// The failure `e`, placed at the cell or row being read.
  func failure(_ e: XLSXError) -> XLSXSheetError {
    // A fault of the file as a whole (damage, a bomb, a DOCTYPE) has no place in it.
    switch e {
    case .badReference, .sharedStringIndex, .badXML:
      return XLSXSheetError(
        error: e, cell: failedCell, row: failedCell == nil && row != 0 ? row : nil)
    default:
      return XLSXSheetError(error: e)
    }
  }

  mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ a: XMLAttributes, empty: Bool)
    throws(XLSXError)
  {
    if name.count == 1 && name[0] == 0x76 {  // v, the most frequent
      collect = empty ? .none : .value
      hasValue = true
    } else if name.count == 1 && name[0] == 0x63 {  // c
      guard inRow else { throw .badXML(part: part, reason: "a cell outside a row") }
      // r, t and s in one pass over the raw attributes (they hold no entities).
      var hasRef = false
      var ref: (column: Int?, row: Int?)? = nil
      var badRef = ""
      type = 0x6E
      style = 0
      var at = 0
      while let (name, v) = try a.next(&at, part: part) {
        guard name.count == 1 else { continue }
        switch name[0] {
        case 0x72:
          hasRef = true
          ref = XLSXCell.parse(v)
          if ref == nil { badRef = String(decoding: v, as: UTF8.self) }
        case 0x74: type = v.count > 1 && v[0] == 0x73 && v[1] == 0x74 ? 0x74 : (v.first ?? 0x6E)
        case 0x73:
          var x = 0
          for d in v {
            guard d >= 0x30 && d <= 0x39, x < 1 << 40 else { x = 0; break }
            x = x * 10 + Int(d - 0x30)
          }
          style = x
        default: break
        }
      }
      if hasRef {
        // Cells in a row come left to right, each in the row it is in.
        guard let (c, rr) = ref, let c, rr == nil || rr == row || relative, c > column else {
          throw .badReference(
            badRef.isEmpty
              ? "\(ref?.column.map(XLSXCell.letters) ?? "")\(ref?.row.map(String.init) ?? "") in row \(row)"
              : badRef)
        }
        column = c
      } else {
        column += 1
        guard column < XLSXWorkbook.maxColumns else { throw .badReference("column \(column + 1)") }
      }
      hasFormula = false
      hasValue = false
      value.removeAll(keepingCapacity: true)
      if empty { try endCell(UnsafeBufferPointer(start: nil, count: 0)) }
    } else if equals(name, "v") {
      collect = empty ? .none : .value
      hasValue = true
    } else if equals(name, "f") {
      hasFormula = true
    } else if equals(name, "t") {
      if type == 0x69 && phonetic == 0 && !empty {
        collect = .inline
        hasValue = true
      }
    } else if equals(name, "rPh") {
      if !empty { phonetic += 1 }
    } else if equals(name, "row") {
      var next = relative ? row - 1 : row + 1
      var at = 0
      var r: UnsafeBufferPointer<UInt8>? = nil
      while let (attribute, v) = try a.next(&at, part: part) {
        if attribute.count == 1 && attribute[0] == 0x72 { r = v }
      }
      if let r {
        guard let (c, rr) = XLSXCell.parse(r), c == nil, let rr else {
          throw .badReference(String(decoding: r, as: UTF8.self))
        }
        guard relative || rr > row else { throw .badReference("row \(rr) after row \(row)") }
        next = rr
        relative = false
      }
      guard next <= XLSXWorkbook.maxRows else { throw .badReference("row \(next)") }
      row = next
      inRow = true
      column = -1
      if empty { try endRow() }
    } else if equals(name, "mergeCell") {
      if let ref = try a.value("ref", part: part) {
        let halves = ref.split(separator: 0x3A)
        if halves.count == 2, let (c1, r1) = XLSXCell.parse(halves[0]),
          let (c2, r2) = XLSXCell.parse(halves[1]),
          let c1, let r1, let c2, let r2
        {
          summary.merges.append(
            XLSXRange(
              first: XLSXCell(row: min(r1, r2), column: min(c1, c2)),
              last: XLSXCell(row: max(r1, r2), column: max(c1, c2))))
        }
      }
    }
  }

  static let preserve: StaticString = "<t xml:space=\"preserve\">"

  /// A cell in the shapes spreadsheet programs write, read whole: `<c ATTRS/>`,
  /// `<c ATTRS><v>TEXT</v></c>`, `<c ATTRS t="inlineStr"><is><t>TEXT</t></is></c>` (the `<t>`
  /// may have `xml:space`), where ATTRS are `r`, `s` and `t` in any order; `<row ...>`
  /// with double-quoted attributes; and `</row>`. The result is what `start`, `text` and
  /// `end` make of the same tags; anything else (a formula, an entity in the text, another
  /// attribute of a cell, a bad reference, a cell cut by the chunk's end) is left to them,
  /// which also word its errors.
  mutating func element(_ b: UnsafeBufferPointer<UInt8>, at i: Int) throws(XLSXError) -> Int {
    let n = b.count
    guard cellShapes, i + 6 < n else { return i }
    if b[i + 1] == 0x2F {  // </row>
      guard b[i + 2] == 0x72, b[i + 3] == 0x6F, b[i + 4] == 0x77, b[i + 5] == 0x3E else {
        return i
      }
      try endRow()
      return i + 6
    }
    if b[i + 1] == 0x72 { return try rowStart(b, at: i) }
    guard b[i + 2] == 0x20, inRow, collect == .none, phonetic == 0 else { return i }
    // The attributes r, s, t.
    var j = i + 3
    var refStart = -1
    var refEnd = -1
    var cellType: UInt8 = 0x6E
    var cellStyle = 0
    var empty = false
    while true {
      while j < n && b[j] == 0x20 { j += 1 }
      guard j + 3 < n else { return i }
      let x = b[j]
      if x == 0x3E {
        j += 1
        break
      }
      if x == 0x2F {
        guard b[j + 1] == 0x3E else { return i }
        j += 2
        empty = true
        break
      }
      guard b[j + 1] == 0x3D, b[j + 2] == 0x22 else { return i }
      let start = j + 3
      // Values are short: a loop, not memchr.
      var end = start
      while end < n && b[end] != 0x22 { end += 1 }
      guard end < n else { return i }
      switch x {
      case 0x72:  // r
        refStart = start
        refEnd = end
      case 0x74:  // t
        let count = end - start
        cellType =
          count > 1 && b[start] == 0x73 && b[start + 1] == 0x74
          ? 0x74 : (count > 0 ? b[start] : 0x6E)
      case 0x73:  // s
        var v = 0
        for k in start..<end {
          let d = b[k]
          guard d >= 0x30 && d <= 0x39, v < 1 << 40 else {
            v = 0
            break
          }
          v = v * 10 + Int(d - 0x30)
        }
        cellStyle = v
      default:
        return i
      }
      j = end + 1
    }
    // The content: nothing, <v>TEXT</v>, or <is><t>TEXT</t></is>; then </c>.
    var textStart = j
    var textEnd = j
    var hasText = false
    if !empty {
      guard j + 4 < n, b[j] == 0x3C else { return i }
      if b[j + 1] == 0x76 && b[j + 2] == 0x3E {  // <v>
        textStart = j + 3
        hasText = true
      } else if cellType == 0x69 && b[j + 1] == 0x69 && b[j + 2] == 0x73 && b[j + 3] == 0x3E {
        // <is><t> or <is><t xml:space="preserve">
        let t = j + 4
        if t + 3 <= n && b[t] == 0x3C && b[t + 1] == 0x74 && b[t + 2] == 0x3E {
          textStart = t + 3
        } else if matches(b, t, SheetHandler.preserve) {
          textStart = t + SheetHandler.preserve.utf8CodeUnitCount
        } else {
          return i
        }
        hasText = true
      } else if b[j + 1] == 0x2F && b[j + 2] == 0x63 && b[j + 3] == 0x3E {  // </c>
        textStart = j
      } else {
        return i
      }
      if hasText {
        // Up to the next tag; an entity is decoded by the general path.
        textEnd = textStart
        while textEnd < n && b[textEnd] != 0x3C {
          if b[textEnd] == 0x26 { return i }
          textEnd += 1
        }
        let close: StaticString =
          cellType == 0x69 && b[j + 1] == 0x69 ? "</t></is></c>" : "</v></c>"
        guard matches(b, textEnd, close) else { return i }
        j = textEnd + close.utf8CodeUnitCount
      } else {
        j += 4
      }
    }
    // The reference, checked as `start` checks it.
    if refStart >= 0 {
      // `B2`: capital letters then digits, read here; anything else by `XLSXCell.parse`.
      var k = refStart
      var c = 0
      while k < refEnd && b[k] &- 0x41 < 26 && k - refStart < 4 {
        c = c * 26 + Int(b[k] &- 0x40)
        k += 1
      }
      let letters = k - refStart
      var rr = 0
      while k < refEnd && b[k] &- 0x30 < 10 && k - refStart - letters < 7 {
        rr = rr * 10 + Int(b[k] &- 0x30)
        k += 1
      }
      if k == refEnd && letters >= 1 && letters <= 3 && k > refStart + letters
        && c <= XLSXWorkbook.maxColumns && rr >= 1 && rr <= XLSXWorkbook.maxRows
      {
        guard rr == row || relative, c - 1 > column else { return i }
        column = c - 1
      } else {
        guard let (c, rr) = XLSXCell.parse(UnsafeBufferPointer(rebasing: b[refStart..<refEnd])),
          let c, rr == nil || rr == row || relative, c > column
        else { return i }
        column = c
      }
    } else {
      guard column + 1 < XLSXWorkbook.maxColumns else { return i }
      column += 1
    }
    type = cellType
    style = cellStyle
    hasFormula = false
    hasValue = hasText
    try endCell(UnsafeBufferPointer(rebasing: b[textStart..<textEnd]))
    return j
  }

  /// `<row ATTRS>` or `<row ATTRS/>` for `element`: as `start` reads it (the local name
  /// `r` its number, the other attributes ignored), or `i` for another shape.
  private mutating func rowStart(_ b: UnsafeBufferPointer<UInt8>, at i: Int) throws(XLSXError)
    -> Int
  {
    let n = b.count
    guard b[i + 2] == 0x6F, b[i + 3] == 0x77, b[i + 4] == 0x20 else { return i }
    var j = i + 5
    var rStart = -1
    var rEnd = -1
    var empty = false
    while true {
      while j < n && b[j] == 0x20 { j += 1 }
      guard j + 1 < n else { return i }
      if b[j] == 0x3E {
        j += 1
        break
      }
      if b[j] == 0x2F {
        guard b[j + 1] == 0x3E else { return i }
        j += 2
        empty = true
        break
      }
      let nameStart = j
      var local = j
      while j < n && b[j] > 0x20 && b[j] != 0x3D && b[j] != 0x3E && b[j] != 0x2F && b[j] != 0x22
        && b[j] != 0x27
      {
        if b[j] == 0x3A { local = j + 1 }
        j += 1
      }
      guard j > nameStart, j + 1 < n, b[j] == 0x3D, b[j + 1] == 0x22 else { return i }
      let start = j + 2
      var end = start
      while end < n && b[end] != 0x22 { end += 1 }
      guard end < n else { return i }
      if j - local == 1 && b[local] == 0x72 {
        rStart = start
        rEnd = end
      }
      j = end + 1
    }
    var next = relative ? row - 1 : row + 1
    if rStart >= 0 {
      guard rEnd > rStart, rEnd - rStart <= 7 else { return i }
      var rr = 0
      for k in rStart..<rEnd {
        guard b[k] &- 0x30 < 10 else { return i }
        rr = rr * 10 + Int(b[k] &- 0x30)
      }
      guard rr >= 1, relative || rr > row else { return i }
      next = rr
    }
    guard next <= XLSXWorkbook.maxRows else { return i }
    if rStart >= 0 { relative = false }
    row = next
    inRow = true
    column = -1
    if empty { try endRow() }
    return j
  }

  mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws(XLSXError) {
    if name.count == 1 {
      switch name[0] {
      case 0x76, 0x74: collect = .none  // v, t
      case 0x63:  // c
        try value.withUnsafeBufferPointer { (v) throws(XLSXError) in try endCell(v) }
      default: break
      }
    } else if equals(name, "rPh") {
      phonetic = max(0, phonetic - 1)
    } else if equals(name, "row") {
      try endRow()
    }
  }

  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(XLSXError) {
    if collect != .none { value.append(contentsOf: bytes) }
  }

  /// The cell ends: its text (from `value`, the `<v>` or inline string read) to the batch.
  private mutating func endCell(_ value: UnsafeBufferPointer<UInt8>) throws(XLSXError) {
    collect = .none
    let start = batch.text.count
    let cell = XLSXCell(row: row, column: column)
    // A formula's cached value absent, or empty where only a string may be (openpyxl
    // writes `<v></v>` for a formula it did not calculate).
    if !hasValue || (hasFormula && value.isEmpty && type != 0x74 && type != 0x69) {
      if hasFormula {
        summary.formulasWithoutValue += 1
        if summary.firstFormulaWithoutValue == nil { summary.firstFormulaWithoutValue = cell }
      }
      return
    }
    switch type {
    case 0x73:  // s: shared string
      var index = value.isEmpty || value.count > 12 ? -1 : 0
      for d in value where index >= 0 {
        index = d >= 0x30 && d <= 0x39 ? index * 10 + Int(d - 0x30) : -1
      }
      guard index >= 0, index < strings.count, case let i = index else {
        failedCell = cell
        throw .sharedStringIndex(
          index: Int(String(decoding: value, as: UTF8.self)) ?? -1, count: strings.count,
          cell: cell.reference)
      }
      strings.withString(i) { batch.text.append(contentsOf: $0) }
    case 0x62:  // b
      let v = value.first
      if v == 0x31 {
        batch.text.append(contentsOf: "true".utf8)
      } else if v == 0x30 {
        batch.text.append(contentsOf: "false".utf8)
      } else {
        batch.text.append(contentsOf: value)
      }
    case 0x6E:  // n, or no type
      let kind = style < styleKinds.count ? styleKinds[style] : .number
      if kind != .number, let serial = SheetHandler.double(value),
        let formatted = DateSerial.format(serial, kind: kind, date1904: date1904)
      {
        batch.text.append(contentsOf: formatted.utf8)
      } else {
        appendNumber(value)
      }
    case 0x64:  // d: an ISO 8601 date (strict OOXML)
      let s = String(decoding: value, as: UTF8.self)
      batch.text.append(
        contentsOf: (s.hasSuffix("T00:00:00") || s.hasSuffix("T00:00:00Z")
          ? String(s.prefix(10)) : s).utf8)
    default:  // str, inlineStr, e
      batch.text.append(contentsOf: value)
    }
    if batch.text.count > start {
      batch.cells.append(column)
      batch.cells.append(start)
      batch.cells.append(batch.text.count)
    }
  }

  /// A number as stored, or the shortest decimal of its double when it has more than 15
  /// significant digits (`85.400000000000006` as Excel writes 85.4).
  private mutating func appendNumber(_ value: UnsafeBufferPointer<UInt8>) {
    var digits = 0
    for c in value where c >= 0x30 && c <= 0x39 { digits += 1 }
    if digits > 15, let d = SheetHandler.double(value), d.isFinite {
      // Both short enough for a String without an allocation.
      let s = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : d.description
      batch.text.append(contentsOf: s.utf8)
    } else {
      batch.text.append(contentsOf: value)
    }
  }

  /// The number in `b`, as `Double(String)` reads it: a decimal without making a String
  /// (correctly rounded, as strtod in the C locale is), anything else (`inf`, hex) through
  /// a String.
  static func double(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
    NumberParsing.double(b) ?? Double(String(decoding: b, as: UTF8.self))
  }

  private mutating func endRow() throws(XLSXError) {
    inRow = false
    batch.rows.append(row)
    batch.cellEnds.append(batch.cells.count)
  }
}

/// Whether `b` holds `s` at `i`.
@inline(__always) private func matches(
  _ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: StaticString
) -> Bool {
  let m = s.utf8CodeUnitCount
  guard b.count - i >= m else { return false }
  let p = s.utf8Start
  for k in 0..<m where b[i + k] != p[k] { return false }
  return true
}

/// Excel's date serial numbers.
public enum DateSerial {
  /// The text of serial `x` in the 1900 or 1904 date system: `YYYY-MM-DD` for a date,
  /// `YYYY-MM-DD HH:MM:SS` for a date with a time of day, `HH:MM:SS` for a time; nil for a
  /// serial outside Excel's range (negative, or past 9999-12-31).
  ///
  /// In the 1900 system serial 1 is 1900-01-01 and serial 60 is 1900-02-29, a day that
  /// never was (Lotus 1-2-3 took 1900 for a leap year and Excel kept it): it is written
  /// `1900-02-29`, which the loader then rejects as no date, and serials from 61 on are
  /// one day less than a count from 1899-12-31. Serial 0 is Excel's `1900-01-00`. In the
  /// 1904 system serial 0 is 1904-01-01.
  public static func format(_ x: Double, kind: DateKind, date1904: Bool) -> String? {
    guard x.isFinite, x >= 0, x < 2_958_466 else { return nil }
    var day = Int(x.rounded(.down))
    var seconds = Int(((x - Double(day)) * 86_400).rounded())
    if seconds >= 86_400 {
      day += 1
      seconds -= 86_400
    }
    let time =
      String(format2(seconds / 3600)) + ":" + format2(seconds / 60 % 60) + ":"
      + format2(seconds % 60)
    if kind == .time { return time }
    let date: String
    if date1904 {
      date = civil(daysFromCivil(1904, 1, 1) + day)
    } else if day == 0 {
      date = "1900-01-00"
    } else if day == 60 {
      date = "1900-02-29"
    } else {
      date = civil(daysFromCivil(1899, 12, 31) + day - (day > 60 ? 1 : 0))
    }
    return kind == .dateTime || seconds != 0 ? date + " " + time : date
  }

  private static func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

  /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
  static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// `YYYY-MM-DD` of days since 1970-01-01.
  static func civil(_ z0: Int) -> String {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    return String(y) + "-" + format2(m) + "-" + format2(d)
  }
}
