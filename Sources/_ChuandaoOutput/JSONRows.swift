import _ChuandaoParallel

/// An array of objects of one shape, made from columns as it is written: `JSON.rows`.
///
/// A province's results hold a million node objects per analysis. As `JSON` trees they
/// cost a boxed value per field and an object per row, made only to be written once and
/// freed; as rows, `JSONWriter` calls `row` for each index with a writer that appends the
/// field's text to its buffer, so nothing but the text is made. The bytes are those of
/// `.array(objects.map(JSON.object))`: `row` reaches the same `JSONRowWriter` methods in
/// both cases, one writing text, one building the object.
public struct JSONRows: Sendable {
  public let count: Int
  let row: @Sendable (Int, inout JSONRowWriter) -> Void

  /// `row(i, &w)` adds the fields of row `i` to `w` in order (the same keys for every
  /// row is usual, not required).
  public init(count: Int, row: @escaping @Sendable (_ index: Int, _ fields: inout JSONRowWriter) -> Void) {
    precondition(count >= 0, "JSONRows: negative count \(count)")
    self.count = count
    self.row = row
  }

  /// Row `index` as an object.
  public subscript(index: Int) -> JSONObject {
    var w = JSONRowWriter(building: ())
    row(index, &w)
    return JSONObject(w.pairs)
  }

  /// Every row as an object (on all cores for a long list), for CSV and for readers of
  /// the tree.
  public var objects: [JSONObject] {
    count > Parallel.threshold ? Parallel.mapIndices(count) { self[$0] } : (0..<count).map { self[$0] }
  }

  /// `.array` of the rows' objects.
  public var array: JSON { .array(objects.map(JSON.object)) }
}

/// Receives the fields of one row of `JSONRows` (or of an object nested in one), in order,
/// either as JSON text or as an object.
public struct JSONRowWriter {
  /// Text: the writer's layout, and the depth of the object whose fields are being added.
  private let text: JSONWriter?
  private var depth: Int
  /// Fields added to the current object so far (text), or its pairs (object).
  private var fields = 0
  fileprivate(set) var pairs: [(String, JSON)] = []
  var bytes: [UInt8]

  init(text writer: JSONWriter, depth: Int, bytes: [UInt8]) {
    self.text = writer
    self.depth = depth
    self.bytes = bytes
  }

  fileprivate init(building: Void) {
    text = nil
    depth = 0
    bytes = []
  }

  /// Opens an object (`{`), its fields to follow at `depth + 1`.
  mutating func beginObject() {
    bytes.append(UInt8(ascii: "{"))
    fields = 0
  }

  /// Closes the object opened by `beginObject` (`{}` when it got no field).
  mutating func endObject() {
    if fields > 0 { text!.newline(depth, into: &bytes) }
    bytes.append(UInt8(ascii: "}"))
  }

  /// The separator, line break and key of the next field (text only).
  private mutating func key(_ key: String) {
    if fields > 0 { bytes.append(UInt8(ascii: ",")) }
    fields += 1
    text!.newline(depth + 1, into: &bytes)
    JSONWriter.appendString(key, into: &bytes)
    bytes.append(UInt8(ascii: ":"))
    if text!.pretty { bytes.append(UInt8(ascii: " ")) }
  }

  public mutating func add(_ key: String, _ value: String) {
    guard text != nil else { return pairs.append((key, .string(value))) }
    self.key(key)
    JSONWriter.appendString(value, into: &bytes)
  }

  /// `null` for nil.
  public mutating func add(_ key: String, _ value: String?) {
    guard let value else { return add(key, JSON.null) }
    add(key, value)
  }

  /// `null` for nil or a value that is not finite, as `JSON(_: Double?)`.
  public mutating func add(_ key: String, _ value: Double?) {
    guard text != nil else { return pairs.append((key, JSON(value))) }
    self.key(key)
    if let value { JSONWriter.appendNumber(value, into: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
  }

  public mutating func add(_ key: String, _ value: Int?) {
    guard text != nil else { return pairs.append((key, JSON(value))) }
    self.key(key)
    if let value { bytes.append(contentsOf: String(value).utf8) } else { bytes.append(contentsOf: "null".utf8) }
  }

  public mutating func add(_ key: String, _ value: Bool?) {
    guard text != nil else { return pairs.append((key, JSON(value))) }
    self.key(key)
    bytes.append(contentsOf: (value.map { $0 ? "true" : "false" } ?? "null").utf8)
  }

  /// Any value (an array of a few ids, for example), written as the writer writes it.
  public mutating func add(_ key: String, _ value: JSON) {
    guard let writer = text else { return pairs.append((key, value)) }
    self.key(key)
    writer.emit(value, depth: depth + 1, into: &bytes, spill: nil)
  }

  /// A nested object whose fields `body` adds.
  public mutating func object(_ key: String, _ body: (inout JSONRowWriter) -> Void) {
    guard text != nil else {
      var inner = JSONRowWriter(building: ())
      body(&inner)
      return pairs.append((key, .object(JSONObject(inner.pairs))))
    }
    self.key(key)
    let outer = fields
    depth += 1
    beginObject()
    body(&self)
    endObject()
    depth -= 1
    fields = outer
  }
}

extension JSONWriter {
  /// The rows `range` of `rows`, as elements at `depth` (see `emitElements`).
  func emitRows(_ rows: JSONRows, _ range: Range<Int>, depth: Int, into out: inout [UInt8], spill: Spill?) {
    var w = JSONRowWriter(text: self, depth: depth, bytes: [])
    swap(&w.bytes, &out)
    for n in range {
      if n > 0 { w.bytes.append(UInt8(ascii: ",")) }
      newline(depth, into: &w.bytes)
      w.beginObject()
      rows.row(n, &w)
      w.endObject()
      spill?.check(&w.bytes)
    }
    swap(&w.bytes, &out)
  }

  /// `emitRows` over all of `rows` in contiguous chunks on all cores (`emitInChunks`).
  func emitRowsParallel(_ rows: JSONRows, depth: Int, into out: inout [UInt8], spill: Spill?) {
    emitInChunks(count: rows.count, into: &out, spill: spill) { writer, range, buffer in
      writer.emitRows(rows, range, depth: depth, into: &buffer, spill: nil)
    }
  }

}
