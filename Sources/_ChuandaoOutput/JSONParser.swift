/// Where and why JSON text failed to parse.
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
  /// The file parsed, when parsing one (`JSON.parse(contentsOfFile:)`).
  public var path: String?
  /// Byte offset from the start of the text.
  public var offset: Int
  /// 1-based line and column (column counted in bytes).
  public var line: Int
  public var column: Int
  public var message: String

  /// `PATH:LINE:COLUMN: message`, or `line L, column C: message` without a path.
  public var description: String {
    if let path { return "\(path):\(line):\(column): \(message)" }
    return "line \(line), column \(column): \(message)"
  }
}

extension JSON {
  /// The deepest nesting of arrays and objects the parser accepts.
  public static let maximumParseDepth = 512

  /// Parses RFC 8259 JSON text strictly.
  ///
  /// Rejected: a byte order mark, trailing commas, comments, single quotes, leading
  /// zeros (`01`), `+1`, `.5`, `1.`, NaN/Infinity, raw control characters in strings,
  /// invalid UTF-8, unpaired surrogate escapes, numbers whose magnitude overflows a
  /// Double, trailing text, nesting deeper than `maximumParseDepth`, and repeated keys in
  /// one object (RFC 8259 leaves their meaning open; our writer never produces them).
  /// A number without fraction or exponent that fits `Int` becomes `.int`, any other
  /// `.number` (correctly rounded by `Double(String)`).
  public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
    try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
      var parser = Parser(bytes: buffer)
      return try parser.parseDocument()
    }
  }

  /// Reads and parses the file at `path`.
  /// - Throws: `OutputError.cannotRead`, or `JSONParseError` with `path` set.
  public static func parse(contentsOfFile path: String) throws -> JSON {
    let bytes = try readFile(path)
    do {
      return try parse(bytes)
    } catch {
      var located = error
      located.path = path
      throw located
    }
  }

  /// Parses the UTF-8 of `text`.
  public static func parse(_ text: String) throws(JSONParseError) -> JSON {
    try parse(Array(text.utf8))
  }
}

private struct Parser {
  let bytes: UnsafeBufferPointer<UInt8>
  var i = 0
  var depth = 0

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  mutating func parseDocument() throws(JSONParseError) -> JSON {
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
      throw error("byte order mark before JSON text", at: 0)
    }
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    if i < bytes.count { throw error("unexpected text after the JSON value") }
    return value
  }

  // MARK: Values

  mutating func parseValue() throws(JSONParseError) -> JSON {
    guard i < bytes.count else { throw error("unexpected end of input, expected a value") }
    switch bytes[i] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("unexpected \(describe(bytes[i])), expected a value")
    }
  }

  mutating func parseObject() throws(JSONParseError) -> JSON {
    try enter()
    i += 1  // {
    var object = JSONObject()
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      i += 1
      depth -= 1
      return .object(object)
    }
    while true {
      skipWhitespace()
      guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let keyOffset = i
      let key = try parseString()
      skipWhitespace()
      guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
      i += 1
      skipWhitespace()
      let value = try parseValue()
      guard object.appendIfAbsent(key, value) else {
        throw error("duplicate key \"\(key)\"", at: keyOffset)
      }
      skipWhitespace()
      switch peek() {
      case UInt8(ascii: ","): i += 1
      case UInt8(ascii: "}"):
        i += 1
        depth -= 1
        return .object(object)
      default: throw error("expected ',' or '}' in object")
      }
    }
  }

  mutating func parseArray() throws(JSONParseError) -> JSON {
    try enter()
    i += 1  // [
    var array: [JSON] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      i += 1
      depth -= 1
      return .array(array)
    }
    while true {
      skipWhitespace()
      array.append(try parseValue())
      skipWhitespace()
      switch peek() {
      case UInt8(ascii: ","): i += 1
      case UInt8(ascii: "]"):
        i += 1
        depth -= 1
        return .array(array)
      default: throw error("expected ',' or ']' in array")
      }
    }
  }

  mutating func enter() throws(JSONParseError) {
    depth += 1
    if depth > JSON.maximumParseDepth {
      throw error("nesting deeper than \(JSON.maximumParseDepth)")
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONParseError) {
    let start = i
    let n = word.utf8CodeUnitCount
    let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
    guard bytes.count - i >= n, (0..<n).allSatisfy({ bytes[i + $0] == w[$0] }) else {
      throw error("invalid literal, expected \(word)", at: start)
    }
    i += n
  }

  // MARK: Numbers

  mutating func parseNumber() throws(JSONParseError) -> JSON {
    let start = i
    var integral = true
    if peek() == UInt8(ascii: "-") { i += 1 }
    guard let first = peek(), isDigit(first) else { throw error("expected a digit") }
    if first == UInt8(ascii: "0") {
      i += 1
      if let next = peek(), isDigit(next) { throw error("leading zero in a number") }
    } else {
      while let c = peek(), isDigit(c) { i += 1 }
    }
    if peek() == UInt8(ascii: ".") {
      integral = false
      i += 1
      guard let c = peek(), isDigit(c) else { throw error("expected a digit after '.'") }
      while let c = peek(), isDigit(c) { i += 1 }
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      integral = false
      i += 1
      if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
      guard let c = peek(), isDigit(c) else { throw error("expected a digit in the exponent") }
      while let c = peek(), isDigit(c) { i += 1 }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    if integral, let n = Int(text) { return .int(n) }
    guard let d = Double(text), d.isFinite else {
      throw error("number \(text) is out of the range of a Double", at: start)
    }
    return .number(d)
  }

  func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

  // MARK: Strings

  mutating func parseString() throws(JSONParseError) -> String {
    i += 1  // opening quote
    let start = i
    // Fast path: no escapes.
    while i < bytes.count {
      let c = bytes[i]
      if c == UInt8(ascii: "\"") {
        let s = try validated(bytes[start..<i], at: start)
        i += 1
        return s
      }
      if c == UInt8(ascii: "\\") { break }
      if c < 0x20 { throw error("control character \(describe(c)) in a string") }
      i += 1
    }
    var buffer = Array(bytes[start..<i])
    while i < bytes.count {
      let c = bytes[i]
      switch c {
      case UInt8(ascii: "\""):
        let s = try validated(buffer[...], at: start)
        i += 1
        return s
      case UInt8(ascii: "\\"):
        i += 1
        guard let e = peek() else { break }
        i += 1
        switch e {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
          let scalar = try parseUnicodeEscape()
          buffer.append(contentsOf: UTF8.encode(scalar)!)
        default: throw error("invalid escape \\\(describe(e))", at: i - 2)
        }
      default:
        if c < 0x20 { throw error("control character \(describe(c)) in a string") }
        buffer.append(c)
        i += 1
      }
    }
    throw error("unterminated string", at: start - 1)
  }

  /// After `\u`: four hex digits, and a second `\uXXXX` for a surrogate pair.
  mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
    let escapeStart = i - 2
    let high = try hex4()
    if (0xD800...0xDBFF).contains(high) {
      guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
      else { throw error("unpaired surrogate escape", at: escapeStart) }
      i += 2
      let low = try hex4()
      guard (0xDC00...0xDFFF).contains(low) else {
        throw error("unpaired surrogate escape", at: escapeStart)
      }
      return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
    }
    guard let scalar = Unicode.Scalar(high) else {
      throw error("unpaired surrogate escape", at: escapeStart)
    }
    return scalar
  }

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard bytes.count - i >= 4 else { throw error("expected four hex digits after \\u") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[i]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw error("expected four hex digits after \\u")
      }
      v = v << 4 | d
      i += 1
    }
    return v
  }

  func validated(_ slice: some Collection<UInt8>, at offset: Int) throws(JSONParseError) -> String {
    guard let s = String(validating: slice, as: UTF8.self) else {
      throw error("invalid UTF-8 in a string", at: offset)
    }
    return s
  }

  // MARK: Helpers

  func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

  mutating func skipWhitespace() {
    while i < bytes.count {
      switch bytes[i] {
      case 0x20, 0x09, 0x0A, 0x0D: i += 1
      default: return
      }
    }
  }

  func describe(_ c: UInt8) -> String {
    if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
    return "byte 0x" + String(c, radix: 16, uppercase: true)
  }

  func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
    let offset = min(offset ?? i, bytes.count)
    var line = 1
    var lineStart = 0
    for k in 0..<offset where bytes[k] == 0x0A {
      line += 1
      lineStart = k + 1
    }
    return JSONParseError(
      path: nil, offset: offset, line: line, column: offset - lineStart + 1, message: message)
  }
}
