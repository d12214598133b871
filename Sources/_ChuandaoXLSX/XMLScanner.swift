import Glibc

/// What an `XMLScanner` reports, in document order. The byte buffers are valid only
/// during the call.
protocol XMLHandler {
  /// A start tag (`empty` for `<x/>`, which gets no `end`): its local name (any `p:`
  /// prefix dropped) and its attributes.
  mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ attributes: XMLAttributes, empty: Bool)
    throws(XLSXError)
  mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws(XLSXError)
  /// Character data with entities and character references decoded (CDATA as is); one
  /// run of text may come in several calls.
  mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(XLSXError)
  /// Reads, at the `<` at `i`, a whole element of a shape the handler knows (a sheet's
  /// cells) straight from the bytes, as the calls above would have reported it; returns
  /// the offset past it, or `i` to leave it to the general path (any other shape, an
  /// element cut by the chunk's end).
  mutating func element(_ b: UnsafeBufferPointer<UInt8>, at i: Int) throws(XLSXError) -> Int
}

extension XMLHandler {
  @inline(__always)
  mutating func element(_ b: UnsafeBufferPointer<UInt8>, at i: Int) throws(XLSXError) -> Int { i }
}

/// The attributes of one start tag, undecoded until asked for.
struct XMLAttributes {
  let raw: UnsafeBufferPointer<UInt8>

  /// The attribute at `i` (advanced past it): its local name and raw (undecoded) value,
  /// or nil after the last. For the hot path, without a closure.
  @inline(__always)
  func next(_ i: inout Int, part: String) throws(XLSXError) -> (
    name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
  )? {
    let b = raw
    let n = b.count
    while i < n && isSpace(b[i]) { i += 1 }
    if i >= n { return nil }
    let nameStart = i
    var local = i
    while i < n && b[i] != 0x3D && !isSpace(b[i]) {
      if b[i] == 0x3A { local = i + 1 }
      i += 1
    }
    let nameEnd = i
    while i < n && isSpace(b[i]) { i += 1 }
    guard i < n, b[i] == 0x3D else {
      throw .badXML(part: part, reason: "an attribute without a value")
    }
    i += 1
    while i < n && isSpace(b[i]) { i += 1 }
    guard i < n, b[i] == 0x22 || b[i] == 0x27 else {
      throw .badXML(part: part, reason: "an unquoted attribute value")
    }
    let quote = b[i]
    i += 1
    let valueStart = i
    while i < n && b[i] != quote { i += 1 }
    guard i < n else { throw .badXML(part: part, reason: "an unterminated attribute value") }
    let value = UnsafeBufferPointer(rebasing: b[valueStart..<i])
    i += 1
    _ = nameStart
    return (UnsafeBufferPointer(rebasing: b[local..<nameEnd]), value)
  }

  /// The decoded value of the attribute whose local name is `name` (ASCII), or nil.
  func value(_ name: StaticString, part: String) throws(XLSXError) -> [UInt8]? {
    var i = 0
    let b = raw
    let n = b.count
    while i < n {
      while i < n && isSpace(b[i]) { i += 1 }
      if i >= n { break }
      let nameStart = i
      while i < n && b[i] != 0x3D && !isSpace(b[i]) { i += 1 }
      let nameEnd = i
      while i < n && isSpace(b[i]) { i += 1 }
      guard i < n, b[i] == 0x3D else {
        throw .badXML(part: part, reason: "an attribute without a value")
      }
      i += 1
      while i < n && isSpace(b[i]) { i += 1 }
      guard i < n, b[i] == 0x22 || b[i] == 0x27 else {
        throw .badXML(part: part, reason: "an unquoted attribute value")
      }
      let quote = b[i]
      i += 1
      let valueStart = i
      while i < n && b[i] != quote { i += 1 }
      guard i < n else { throw .badXML(part: part, reason: "an unterminated attribute value") }
      let valueEnd = i
      i += 1
      var local = nameStart
      for k in nameStart..<nameEnd where b[k] == 0x3A { local = k + 1 }
      if equals(UnsafeBufferPointer(rebasing: b[local..<nameEnd]), name) {
        var out: [UInt8] = []
        try XMLScanner.decode(
          UnsafeBufferPointer(rebasing: b[valueStart..<valueEnd]), into: &out, part: part)
        return out
      }
    }
    return nil
  }

  func string(_ name: StaticString, part: String) throws(XLSXError) -> String? {
    try value(name, part: part).map { String(decoding: $0, as: UTF8.self) }
  }
}

@inline(__always) func isSpace(_ c: UInt8) -> Bool {
  c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
}

@inline(__always) func equals(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
  b.count == s.utf8CodeUnitCount
    && (b.count == 0 || memcmp(b.baseAddress!, s.utf8Start, b.count) == 0)
}

/// A streaming XML scanner for the parts of a workbook: fed the bytes of a part in chunks
/// of any size, it reports tags and text to a handler and keeps only the unfinished token.
///
/// It reads the XML that spreadsheet programs write, and refuses rather than guesses
/// elsewhere: a document type declaration is refused outright (so no entity is ever
/// defined, let alone expanded, and nothing external is resolved: the billion-laughs and
/// external-entity attacks have nothing to work with), an entity other than the five
/// predefined ones is an error, and so is an unterminated tag. Nesting is not checked
/// beyond what the handlers need; namespaces are reduced to local names. Why by hand and
/// not Foundation's `XMLParser` (docs/xlsx.md): one call per tag with its attributes left
/// undecoded until asked for, no `String` or dictionary per event, and no DTD machinery at
/// all to configure safely (libxml2 under FoundationXML knows entities; this knows none).
struct XMLScanner {
  let part: String
  /// The longest token (a tag, or a run of text kept whole) held while waiting for its end.
  static let maxToken = 64 << 20
  private var pending: [UInt8] = []
  private var scratch: [UInt8] = []
  private var sawRoot = false

  init(part: String) { self.part = part }

  /// Scans `chunk`; the tokens it completes go to `handler`.
  mutating func feed<H: XMLHandler>(_ chunk: UnsafeBufferPointer<UInt8>, _ handler: inout H)
    throws(XLSXError)
  {
    if pending.isEmpty {
      let used = try scan(chunk, &handler, final: false)
      if used < chunk.count {
        pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[used...]))
      }
    } else {
      pending.append(contentsOf: chunk)
      let used = try pending.withUnsafeBufferPointer { (p) throws(XLSXError) in
        try scan(p, &handler, final: false)
      }
      pending.removeFirst(used)
    }
    if pending.count > XMLScanner.maxToken {
      throw .badXML(part: part, reason: "a tag longer than \(XMLScanner.maxToken >> 20) MiB")
    }
  }

  /// Ends the part (or, with `fragment`, a block of it that need not hold the root): what
  /// is left must be whitespace.
  mutating func finish<H: XMLHandler>(_ handler: inout H, fragment: Bool = false) throws(XLSXError)
  {
    let rest = pending
    pending = []
    let used = try rest.withUnsafeBufferPointer { (p) throws(XLSXError) in
      try scan(p, &handler, final: true)
    }
    if used < rest.count { throw .badXML(part: part, reason: "the part ends inside a tag") }
    if !sawRoot && !fragment { throw .badXML(part: part, reason: "no root element") }
  }

  /// Scans complete tokens of `b`; returns how many bytes were used.
  private mutating func scan<H: XMLHandler>(
    _ b: UnsafeBufferPointer<UInt8>, _ handler: inout H, final: Bool
  ) throws(XLSXError) -> Int {
    let n = b.count
    guard let base = b.baseAddress else { return 0 }
    var i = 0
    while i < n {
      if b[i] != 0x3C {
        // Text up to the next '<' (or the end, which may cut an entity: then keep it).
        var j = i
        if let lt = memchr(base + i, 0x3C, n - i) {
          j = UnsafePointer<UInt8>(lt.assumingMemoryBound(to: UInt8.self)) - base
        } else {
          j = n
          if !final {
            // Keep a possibly cut entity for the next chunk.
            if let amp = lastAmpersand(b, from: i, to: n), memchr(base + amp, 0x3B, n - amp) == nil
            {
              j = amp
            }
          }
        }
        if j > i { try emitText(UnsafeBufferPointer(rebasing: b[i..<j]), &handler) }
        i = j
        continue
      }
      // A markup token: find its end.
      guard i + 1 < n else { return i }
      let c = b[i + 1]
      if c == 0x21 {  // <!
        if hasPrefix(b, i, "<!--") {
          guard let e = find(b, from: i + 4, "-->") else { return i }
          i = e + 3
        } else if hasPrefix(b, i, "<![CDATA[") {
          guard let e = find(b, from: i + 9, "]]>") else { return i }
          try handler.text(UnsafeBufferPointer(rebasing: b[(i + 9)..<e]))
          i = e + 3
        } else if n - i < 9 && !final {
          return i
        } else if hasPrefix(b, i, "<!DOCTYPE") || hasPrefix(b, i, "<!ENTITY") {
          throw .doctype(part: part)
        } else {
          throw .badXML(part: part, reason: "an unknown declaration")
        }
        continue
      }
      if c == 0x3F {  // <? ... ?>
        guard let e = find(b, from: i + 2, "?>") else { return i }
        i = e + 2
        continue
      }
      // A sheet's rows and cells, read whole by the handler where they have the usual
      // shape.
      if c == 0x63 || c == 0x2F || c == 0x72 {
        let k = try handler.element(b, at: i)
        if k > i {
          if c != 0x2F { sawRoot = true }
          i = k
          continue
        }
      }
      // The most frequent tags of a sheet, `<v>`, `</v>`, `</c>`: a one-letter name
      // without attributes, passed on without the general path below.
      if i + 2 < n && b[i + 2] == 0x3E && isNameLetter(c) {
        sawRoot = true
        try handler.start(
          UnsafeBufferPointer(rebasing: b[(i + 1)..<(i + 2)]),
          XMLAttributes(raw: UnsafeBufferPointer(rebasing: b[(i + 2)..<(i + 2)])), empty: false)
        i += 3
        continue
      }
      if c == 0x2F && i + 3 < n && b[i + 3] == 0x3E && isNameLetter(b[i + 2]) {
        try handler.end(UnsafeBufferPointer(rebasing: b[(i + 2)..<(i + 3)]))
        i += 4
        continue
      }
      // A tag: up to the '>' outside quotes.
      var j = i + 1
      var quote: UInt8 = 0
      while j < n {
        let x = b[j]
        if quote != 0 {
          if x == quote { quote = 0 }
        } else if x == 0x22 || x == 0x27 {
          quote = x
        } else if x == 0x3E {
          break
        }
        j += 1
      }
      guard j < n else { return i }
      try tag(UnsafeBufferPointer(rebasing: b[(i + 1)..<j]), &handler)
      i = j + 1
    }
    return i
  }

  private func lastAmpersand(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
    var k = to - 1
    let stop = max(from, to - 12)
    while k >= stop {
      if b[k] == 0x26 { return k }
      k -= 1
    }
    return nil
  }

  private mutating func tag<H: XMLHandler>(_ t: UnsafeBufferPointer<UInt8>, _ handler: inout H)
    throws(XLSXError)
  {
    guard !t.isEmpty else { throw .badXML(part: part, reason: "an empty tag") }
    if t[0] == 0x2F {  // </name>
      var e = t.count
      while e > 1 && isSpace(t[e - 1]) { e -= 1 }
      try handler.end(localName(UnsafeBufferPointer(rebasing: t[1..<e])))
      return
    }
    var end = t.count
    let empty = t[end - 1] == 0x2F
    if empty { end -= 1 }
    var k = 0
    while k < end && !isSpace(t[k]) { k += 1 }
    guard k > 0 else { throw .badXML(part: part, reason: "a tag without a name") }
    sawRoot = true
    try handler.start(
      localName(UnsafeBufferPointer(rebasing: t[0..<k])),
      XMLAttributes(raw: UnsafeBufferPointer(rebasing: t[k..<end])),
      empty: empty)
  }

  private func localName(_ name: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var start = 0
    for k in 0..<name.count where name[k] == 0x3A { start = k + 1 }
    return UnsafeBufferPointer(rebasing: name[start...])
  }

  private mutating func emitText<H: XMLHandler>(_ t: UnsafeBufferPointer<UInt8>, _ handler: inout H)
    throws(XLSXError)
  {
    if memchr(t.baseAddress!, 0x26, t.count) == nil { return try handler.text(t) }
    scratch.removeAll(keepingCapacity: true)
    try XMLScanner.decode(t, into: &scratch, part: part)
    try scratch.withUnsafeBufferPointer { (p) throws(XLSXError) in try handler.text(p) }
  }

  /// Appends `t` to `out` with the five predefined entities and character references
  /// decoded; any other entity is an error (there is no DTD to define one).
  static func decode(_ t: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], part: String)
    throws(XLSXError)
  {
    var i = 0
    let n = t.count
    while i < n {
      let c = t[i]
      if c != 0x26 {
        out.append(c)
        i += 1
        continue
      }
      var j = i + 1
      while j < n && t[j] != 0x3B && j - i < 12 { j += 1 }
      guard j < n, t[j] == 0x3B else {
        throw .badXML(part: part, reason: "an unterminated entity reference")
      }
      let name = UnsafeBufferPointer(rebasing: t[(i + 1)..<j])
      if equals(name, "lt") {
        out.append(0x3C)
      } else if equals(name, "gt") {
        out.append(0x3E)
      } else if equals(name, "amp") {
        out.append(0x26)
      } else if equals(name, "quot") {
        out.append(0x22)
      } else if equals(name, "apos") {
        out.append(0x27)
      } else if name.count >= 2 && name[0] == 0x23 {
        var v: UInt32 = 0
        let hex = name[1] == 0x78 || name[1] == 0x58
        for k in (hex ? 2 : 1)..<name.count {
          let d = name[k]
          let digit: UInt32
          switch d {
          case 0x30...0x39: digit = UInt32(d - 0x30)
          case 0x61...0x66 where hex: digit = UInt32(d - 0x61 + 10)
          case 0x41...0x46 where hex: digit = UInt32(d - 0x41 + 10)
          default: throw .badXML(part: part, reason: "a bad character reference")
          }
          v = v * (hex ? 16 : 10) + digit
          if v > 0x10FFFF { throw .badXML(part: part, reason: "a bad character reference") }
        }
        guard let scalar = Unicode.Scalar(v), v != 0 else {
          throw .badXML(part: part, reason: "a bad character reference")
        }
        out.append(contentsOf: String(Character(scalar)).utf8)
      } else {
        throw .badXML(
          part: part, reason: "the undefined entity '&\(String(decoding: name, as: UTF8.self));'")
      }
      i = j + 1
    }
  }

  private func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ s: StaticString) -> Bool {
    let m = s.utf8CodeUnitCount
    return b.count - i >= m && memcmp(b.baseAddress! + i, s.utf8Start, m) == 0
  }

  private func find(_ b: UnsafeBufferPointer<UInt8>, from: Int, _ s: StaticString) -> Int? {
    guard from <= b.count,
      let k = findBytes(b.baseAddress! + from, b.count - from, s.utf8Start, s.utf8CodeUnitCount)
    else { return nil }
    return from + k
  }
}

/// The offset of the first occurrence of `needle` in `hay`, or nil (memmem(3) is a GNU
/// extension that Glibc's module does not show).
func findBytes(_ hay: UnsafePointer<UInt8>, _ count: Int, _ needle: UnsafePointer<UInt8>, _ m: Int)
  -> Int?
{
  guard m > 0 else { return 0 }
  var i = 0
  while count - i >= m {
    guard let p = memchr(hay + i, Int32(needle[0]), count - i - m + 1) else { return nil }
    let k = UnsafePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - hay
    if memcmp(hay + k, needle, m) == 0 { return k }
    i = k + 1
  }
  return nil
}

/// An ASCII letter (a one-letter tag name).
@inline(__always) func isNameLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
