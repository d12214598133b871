/// An `.xlsx` workbook opened for reading: its sheets, date system, shared strings and the
/// styles that make a number a date. The sheets themselves are streamed on demand
/// (`forEachRecord`), never held whole.
///
/// Immutable once opened; each read of a sheet opens the file again, so that two threads
/// read two sheets of one workbook at once.
public final class XLSXWorkbook: Sendable {
  public struct Sheet: Sendable, Equatable {
    public var name: String
    /// The part inside the zip (`xl/worksheets/sheet1.xml`).
    public var part: String
  }

  public let path: String
  public let limits: ZipLimits
  /// In workbook order.
  public let sheets: [Sheet]
  /// The 1904 date system (`<workbookPr date1904="1"/>`), as Excel for Mac once wrote.
  public let date1904: Bool
  let strings: SharedStrings
  /// Per cell style (`s`): how its numbers read (`DateKind`).
  let styleKinds: [DateKind]

  /// Opens `path`: checks the container and reads the workbook, its relationships, shared
  /// strings and styles.
  public init(path: String, limits: ZipLimits = ZipLimits()) throws(XLSXError) {
    self.path = path
    self.limits = limits
    let zip = try ZipReader(path: path, limits: limits)
    var workbookPart = "xl/workbook.xml"
    if zip.entries["_rels/.rels"] != nil {
      let rels = try Relationships.read(zip, part: "_rels/.rels", base: "")
      if let target = rels.first(where: { $0.type.hasSuffix("/officeDocument") })?.target {
        workbookPart = target
      }
    }
    guard zip.entries[workbookPart] != nil else { throw .missingPart(workbookPart) }
    let folder = workbookPart.split(separator: "/").dropLast().joined(separator: "/")
    let relsPart =
      (folder.isEmpty ? "" : folder + "/") + "_rels/"
      + (workbookPart.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
    let rels =
      zip.entries[relsPart] != nil ? try Relationships.read(zip, part: relsPart, base: folder) : []
    var reader = WorkbookPart(part: workbookPart)
    try parse(zip, part: workbookPart, &reader)
    var sheets: [Sheet] = []
    for (name, id) in reader.sheets {
      guard let target = rels.first(where: { $0.id == id })?.target else {
        throw .badXML(part: workbookPart, reason: "sheet '\(name)' has no relationship '\(id)'")
      }
      sheets.append(Sheet(name: name, part: target))
    }
    self.sheets = sheets
    self.date1904 = reader.date1904
    let stringsPart = rels.first { $0.type.hasSuffix("/sharedStrings") }?.target
    if let stringsPart, zip.entries[stringsPart] != nil {
      var s = SharedStringsPart(part: stringsPart, limit: limits.maxSharedStringBytes)
      try parse(zip, part: stringsPart, &s)
      strings = s.table
    } else {
      strings = SharedStrings()
    }
    let stylesPart = rels.first { $0.type.hasSuffix("/styles") }?.target
    if let stylesPart, zip.entries[stylesPart] != nil {
      var s = StylesPart(part: stylesPart)
      try parse(zip, part: stylesPart, &s)
      styleKinds = s.kinds()
    } else {
      styleKinds = []
    }
  }

  /// The sheet named `name`, compared as Excel does (case-insensitively).
  public func sheet(named name: String) -> Sheet? {
    let key = name.lowercased()
    return sheets.first { $0.name.lowercased() == key }
  }
}

/// Streams part `part` of `zip` through a scanner to `handler`.
func parse<H: XMLHandler>(_ zip: ZipReader, part: String, _ handler: inout H) throws(XLSXError) {
  var scanner = XMLScanner(part: part)
  try zip.stream(part) { (chunk) throws(XLSXError) in try scanner.feed(chunk, &handler) }
  try scanner.finish(&handler)
}

// MARK: - Relationships

struct Relationship {
  var id: String
  var type: String
  /// The part named, resolved against the folder of the part that holds the relationship.
  var target: String
}

enum Relationships {
  static func read(_ zip: ZipReader, part: String, base: String) throws(XLSXError) -> [Relationship]
  {
    struct Handler: XMLHandler {
      let part: String
      let base: String
      var out: [Relationship] = []
      mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ a: XMLAttributes, empty: Bool)
        throws(XLSXError)
      {
        guard equals(name, "Relationship") else { return }
        if try a.string("TargetMode", part: part) == "External" { return }
        guard let id = try a.string("Id", part: part),
          let target = try a.string("Target", part: part)
        else { return }
        let type = try a.string("Type", part: part) ?? ""
        out.append(
          Relationship(id: id, type: type, target: Relationships.resolve(target, base: base)))
      }
      mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws(XLSXError) {}
      mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(XLSXError) {}
    }
    var h = Handler(part: part, base: base)
    try parse(zip, part: part, &h)
    return h.out
  }

  /// `target` as a part name: absolute (`/xl/...`) or relative to `base`, `..` resolved.
  static func resolve(_ target: String, base: String) -> String {
    var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
    for piece in target.split(separator: "/") {
      if piece == ".." {
        if !parts.isEmpty { parts.removeLast() }
      } else if piece != "." {
        parts.append(piece)
      }
    }
    return parts.joined(separator: "/")
  }
}

// MARK: - workbook.xml

struct WorkbookPart: XMLHandler {
  let part: String
  var sheets: [(name: String, id: String)] = []
  var date1904 = false

  init(part: String) { self.part = part }

  mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ a: XMLAttributes, empty: Bool)
    throws(XLSXError)
  {
    if equals(name, "sheet") {
      guard let sheet = try a.string("name", part: part), let id = try a.string("id", part: part)
      else {
        throw .badXML(part: part, reason: "a sheet without a name or relationship")
      }
      sheets.append((sheet, id))
    } else if equals(name, "workbookPr") {
      let v = try a.string("date1904", part: part)
      date1904 = v == "1" || v == "true"
    }
  }
  mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws(XLSXError) {}
  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(XLSXError) {}
}

// MARK: - Shared strings

/// The shared-string table: every string's UTF-8 in one buffer, and offsets.
struct SharedStrings: Sendable {
  var bytes: [UInt8] = []
  var starts: [Int] = [0]
  var count: Int { starts.count - 1 }

  func withString<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
    bytes.withUnsafeBufferPointer { p in
      body(UnsafeBufferPointer(rebasing: p[starts[i]..<starts[i + 1]]))
    }
  }
}

/// `<si>` items: the text of their `<t>` elements (rich-text runs joined), leaving out
/// phonetic runs (`<rPh>`).
struct SharedStringsPart: XMLHandler {
  let part: String
  let limit: Int
  var table = SharedStrings()
  private var inItem = false
  private var inText = false
  private var phonetic = 0

  init(part: String, limit: Int) {
    self.part = part
    self.limit = limit
  }

  mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ a: XMLAttributes, empty: Bool)
    throws(XLSXError)
  {
    if equals(name, "si") {
      inItem = true
      if empty { end(item: ()) }
    } else if equals(name, "t") {
      inText = !empty && inItem && phonetic == 0
    } else if equals(name, "rPh") && !empty {
      phonetic += 1
    }
  }
  mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws(XLSXError) {
    if equals(name, "si") {
      end(item: ())
    } else if equals(name, "t") {
      inText = false
    } else if equals(name, "rPh") {
      phonetic = max(0, phonetic - 1)
    }
  }
  private mutating func end(item: Void) {
    inItem = false
    table.starts.append(table.bytes.count)
  }
  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(XLSXError) {
    guard inText else { return }
    table.bytes.append(contentsOf: bytes)
    if table.bytes.count > limit {
      throw .bomb(
        what:
          "the shared strings hold more than \(limit >> 20) MiB of text, the bound for the table kept in memory"
      )
    }
  }
}

// MARK: - Styles: which cells hold dates

/// How the number of a cell reads, by its style's number format.
public enum DateKind: UInt8, Sendable {
  case number, date, dateTime, time
}

struct StylesPart: XMLHandler {
  let part: String
  private var custom: [Int: String] = [:]
  private var formats: [Int] = []
  private var inCellXfs = false

  init(part: String) { self.part = part }

  mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ a: XMLAttributes, empty: Bool)
    throws(XLSXError)
  {
    if equals(name, "numFmt") {
      if let id = try a.string("numFmtId", part: part).flatMap({ Int($0) }),
        let code = try a.string("formatCode", part: part)
      {
        custom[id] = code
      }
    } else if equals(name, "cellXfs") {
      inCellXfs = !empty
    } else if equals(name, "xf") && inCellXfs {
      formats.append(try a.string("numFmtId", part: part).flatMap { Int($0) } ?? 0)
    }
  }
  mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws(XLSXError) {
    if equals(name, "cellXfs") { inCellXfs = false }
  }
  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(XLSXError) {}

  func kinds() -> [DateKind] {
    formats.map { id in custom[id].map(StylesPart.kind(code:)) ?? StylesPart.builtin(id) }
  }

  /// The built-in formats (ECMA-376 part 1, 18.8.30, and the East Asian ids Excel uses in
  /// Chinese locales: 27-36 and 50-58 are dates).
  static func builtin(_ id: Int) -> DateKind {
    switch id {
    case 14...17, 27...31, 34...36, 50...58: .date
    case 22: .dateTime
    case 18...21, 32, 33, 45...47: .time
    default: .number
    }
  }

  /// A custom format code read as Excel does: quoted text, `\x` escapes, `[...]` sections
  /// (colours, locales, conditions; `[h]` elapsed hours aside) and `_x`/`*x` padding left
  /// out, then y or d make a date, h or s a time.
  static func kind(code: String) -> DateKind {
    // Only the first section (positive numbers) decides.
    var letters = Set<Character>()
    var chars = Array(code)
    var i = 0
    var out: [Character] = []
    while i < chars.count {
      let c = chars[i]
      switch c {
      case "\"":
        i += 1
        while i < chars.count && chars[i] != "\"" { i += 1 }
      case "\\", "_", "*":
        i += 1
      case "[":
        let start = i
        while i < chars.count && chars[i] != "]" { i += 1 }
        let inner = String(chars[(start + 1)..<min(i, chars.count)]).lowercased()
        if ["h", "hh", "m", "mm", "s", "ss"].contains(inner) { out.append("h") }
      case ";":
        i = chars.count
      default:
        out.append(c)
      }
      i += 1
    }
    chars = out
    for c in chars { letters.insert(Character(c.lowercased())) }
    let hasDate =
      letters.contains("y") || letters.contains("d")
      || (letters.contains("m") && !letters.contains("h") && !letters.contains("s"))
    let hasTime = letters.contains("h") || letters.contains("s")
    switch (hasDate, hasTime) {
    case (true, true): return .dateTime
    case (true, false): return .date
    case (false, true): return .time
    default: return .number
    }
  }
}
