import _ChuandaoParallel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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

  /// The table of `objects` flattened by `flatten(_:)`; with `significantDigits`, every
  /// number rounded to that many significant digits first (`rounded(_:significantDigits:)`).
  public init(objects: [JSONObject], significantDigits: Int? = nil) {
    let flat = Self.flatten(
      objects, parallelThreshold: Parallel.threshold, significantDigits: significantDigits)
    self.init(header: flat.header, rows: flat.rows)
  }

  /// `x` rounded to `digits` significant digits (1...15), printed by the JSON writer as the
  /// shortest decimal that reads back: 92.19999999999999 and 60.000000000000014 at 10 digits
  /// become 92.2 and 60. The rounded integer is scaled by an exact power of ten (one
  /// correctly rounded operation), so no new noise comes in. Values below 1e-12 in
  /// magnitude, where the power of ten would not be exact, are left as they are.
  public static func rounded(_ x: Double, significantDigits digits: Int) -> Double {
    precondition(digits >= 1 && digits <= 15, "rounded: digits must be 1...15, got \(digits)")
    guard x.isFinite, x != 0, abs(x) >= 1e-12 else { return x }
    let exponent = Int(log10(abs(x)).rounded(.down))
    let shift = digits - 1 - exponent
    if shift > 22 { return x }
    if shift >= 0 {
      let scale = powersOfTen[shift]
      return (x * scale).rounded() / scale
    }
    if -shift > 22 { return x }
    let scale = powersOfTen[-shift]
    return (x / scale).rounded() * scale
  }

  /// 10^0 ... 10^22, each exact in a Double.
  private static let powersOfTen: [Double] = (0...22).map { k in
    var p = 1.0
    for _ in 0..<k { p *= 10 }
    return p
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
    flatten(rows, parallelThreshold: Parallel.threshold, significantDigits: nil)
  }

  /// `flatten(_:)`, on all cores when there are more than `parallelThreshold` rows
  /// (`Int.max` forces the sequential path, which the tests compare against).
  ///
  /// Contiguous chunks of rows are flattened concurrently, each with its own header in
  /// first-seen order. The headers are merged in chunk order: chunk 0's, then each later
  /// chunk's new names in its own order, which is the global first-seen order. Rows of a
  /// chunk whose columns then sit elsewhere are remapped; short rows are padded.
  static func flatten(
    _ objects: [JSONObject], parallelThreshold: Int, significantDigits: Int? = nil
  ) -> (header: [String], rows: [[String]]) {
    let ranges =
      objects.count > parallelThreshold
      ? Parallel.ranges(count: objects.count) : [objects.indices]
    let parts = Parallel.perform(ranges.count) { c in
      var flattener = Flattener(significantDigits: significantDigits)
      let rows = ranges[c].map { flattener.row(objects[$0]) }
      return (flattener, rows)
    }

    var columns = parts[0].0.columns
    // For each chunk, the global column of each local one; nil when they coincide.
    var maps: [[Int]?] = [nil]
    for (flattener, _) in parts.dropFirst() {
      let map = flattener.columns.names.map { columns.column(of: $0) }
      maps.append(map.enumerated().allSatisfy { $0.offset == $0.element } ? nil : map)
    }

    let header = columns.names
    let width = header.count
    let finished = Parallel.perform(parts.count) { [maps] c in
      finish(parts[c].1, map: maps[c], width: width)
    }
    if finished.count == 1 { return (header, finished[0]) }
    var table: [[String]] = []
    table.reserveCapacity(objects.count)
    for rows in finished { table.append(contentsOf: rows) }
    return (header, table)
  }

  /// `rows` with cell j moved to column `map[j]` (kept where `map` is nil) and padded with
  /// empty fields to `width`.
  private static func finish(_ rows: [[String]], map: [Int]?, width: Int) -> [[String]] {
    guard let map else {
      if rows.allSatisfy({ $0.count == width }) { return rows }
      return rows.map { row in
        guard row.count < width else { return row }
        var padded = row
        padded.reserveCapacity(width)
        padded.append(contentsOf: repeatElement("", count: width - row.count))
        return padded
      }
    }
    return rows.map { row in
      var moved = [String](repeating: "", count: width)
      for (j, text) in row.enumerated() { moved[map[j]] = text }
      return moved
    }
  }

  /// Column names in first-seen order, and the column of each.
  private struct Columns {
    private(set) var names: [String] = []
    private var index: [String: Int] = [:]

    /// The column of `name`, appended at the end when it is new.
    mutating func column(of name: String) -> Int {
      if let n = index[name] { return n }
      names.append(name)
      index[name] = names.count - 1
      return names.count - 1
    }
  }

  /// Flattens rows one at a time, collecting the header in first-seen order.
  ///
  /// Key paths are resolved once, not per cell: an entry per (object path, key) holds
  /// the column name (`prefix.key`), its column once the path has held a leaf, and the
  /// node of its nested keys once it has held an object. The entry for each key position
  /// of a node is remembered too, so rows with the keys in the usual order cost one string
  /// comparison per cell instead of a hash lookup and a concatenation.
  private struct Flattener {
    /// The header; by names, not key paths, so that a literal key `"a.b"` and a nested
    /// `a`→`b` share the column.
    private(set) var columns = Columns()
    let significantDigits: Int?
    private var nodes = [Node(prefix: "")]  // node 0: the top level

    init(significantDigits: Int?) {
      self.significantDigits = significantDigits
    }
    private var entries: [Entry] = []

    private struct Node {
      var prefix: String
      var entryOfKey: [String: Int] = [:]
      /// The entry of the key last seen at each position.
      var entryAt: [Int] = []
    }

    private struct Entry {
      var key: String
      var name: String
      var column = -1
      var node = -1
    }

    /// The fields of `object`, as wide as the header is after it.
    mutating func row(_ object: JSONObject) -> [String] {
      var row = [String](repeating: "", count: columns.names.count)
      visit(object, node: 0, into: &row)
      return row
    }

    private mutating func visit(_ object: JSONObject, node: Int, into row: inout [String]) {
      let keys = object.keys
      let values = object.values
      for i in keys.indices {
        let e = entry(node: node, position: i, key: keys[i])
        if case .object(let child) = values[i] {
          visit(child, node: childNode(e), into: &row)
          continue
        }
        let n = leafColumn(e)
        if n >= row.count { row.append(contentsOf: repeatElement("", count: n + 1 - row.count)) }
        row[n] = CSVTable.fieldText(values[i], significantDigits: significantDigits)
      }
    }

    private mutating func entry(node: Int, position: Int, key: String) -> Int {
      if position < nodes[node].entryAt.count {
        let e = nodes[node].entryAt[position]
        if entries[e].key == key { return e }
      }
      let e: Int
      if let known = nodes[node].entryOfKey[key] {
        e = known
      } else {
        let prefix = nodes[node].prefix
        e = entries.count
        entries.append(Entry(key: key, name: prefix.isEmpty ? key : prefix + "." + key))
        nodes[node].entryOfKey[key] = e
      }
      // Positions are visited in order, so `position` is at most `entryAt.count`.
      if position < nodes[node].entryAt.count {
        nodes[node].entryAt[position] = e
      } else {
        nodes[node].entryAt.append(e)
      }
      return e
    }

    private mutating func leafColumn(_ e: Int) -> Int {
      if entries[e].column < 0 { entries[e].column = columns.column(of: entries[e].name) }
      return entries[e].column
    }

    private mutating func childNode(_ e: Int) -> Int {
      if entries[e].node >= 0 { return entries[e].node }
      let n = nodes.count
      nodes.append(Node(prefix: entries[e].name))
      entries[e].node = n
      return n
    }
  }

  /// The text of one leaf value; see `flatten(_:)`.
  static func fieldText(_ value: JSON, significantDigits: Int? = nil) -> String {
    switch value {
    case .null: return ""
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .number(let d):
      guard d.isFinite else { return "" }
      return JSONWriter.numberText(significantDigits.map { rounded(d, significantDigits: $0) } ?? d)
    case .string(let s): return s
    case .rows(let r): return fieldText(r.array, significantDigits: significantDigits)
    case .array(let a):
      let nested = a.contains {
        switch $0 {
        case .array, .object: return true
        default: return false
        }
      }
      if nested { return JSONWriter(pretty: false).string(value) }
      var text = ""
      for (n, element) in a.enumerated() {
        if n > 0 { text.append(";") }
        text.append(fieldText(element, significantDigits: significantDigits))
      }
      return text
    case .object:
      return JSONWriter(pretty: false).string(value)
    }
  }

  /// BOM, header record and rows, CRLF-terminated.
  public func bytes() -> [UInt8] {
    bytes(parallelThreshold: Parallel.threshold)
  }

  /// `bytes()`, with the records of more than `parallelThreshold` rows formatted in
  /// contiguous chunks on all cores into separate buffers, concatenated in order.
  func bytes(parallelThreshold: Int) -> [UInt8] {
    var out: [UInt8] = [0xEF, 0xBB, 0xBF]
    Self.appendRecord(header, into: &out)
    let rows = self.rows
    guard rows.count > parallelThreshold else {
      for row in rows { Self.appendRecord(row, into: &out) }
      return out
    }
    let parts = Parallel.map(count: rows.count) { range in
      var buffer: [UInt8] = []
      for n in range { Self.appendRecord(rows[n], into: &buffer) }
      return buffer
    }
    Parallel.concatenate(parts, onto: &out)
    return out
  }

  static func appendRecord(_ fields: [String], into out: inout [UInt8]) {
    for (n, field) in fields.enumerated() {
      if n > 0 { out.append(UInt8(ascii: ",")) }
      appendField(field, into: &out)
    }
    out.append(0x0D)
    out.append(0x0A)
  }

  static func appendField(_ field: String, into out: inout [UInt8]) {
    var field = field
    field.withUTF8 { utf8 in
      var needsQuotes = false
      if let first = utf8.first, let last = utf8.last, isBlank(first) || isBlank(last) {
        needsQuotes = true
      } else {
        for byte in utf8 where byte <= UInt8(ascii: ",") {
          // `,` is 0x2C, the largest of the four; most bytes are above it.
          if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0D
            || byte == 0x0A
          {
            needsQuotes = true
            break
          }
        }
      }
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
  }

  private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
}
