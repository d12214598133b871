// MARK: - Inlines

/// One paragraph's, heading's or cell's text as pieces: text ranges, escaped characters,
/// code spans, delimiter runs and brackets. Emphasis and links are resolved on the pieces
/// by CommonMark's delimiter-stack algorithm (spec appendix), then written out.
struct Inlines {
  enum Piece {
    /// Source bytes, escaped on output.
    case text(Int, Int)
    /// One character: a backslash escape, or a `]` that closed nothing.
    case char(UInt8)
    /// An entity reference, written as it is.
    case entity(Int, Int)
    /// A code span's content.
    case code(Int, Int)
    /// A run of `*` or `_`, by its index in `delimiters`.
    case delimiter(Int)
    /// `[` or `![`, and the `]` that made it a link, by the index in `brackets`.
    case open(Int)
    case close(Int)
  }

  /// A run of `*` or `_` on the delimiter stack: a doubly linked list over `delimiters`.
  struct Delimiter {
    let char: UInt8
    let length: Int
    let canOpen: Bool
    let canClose: Bool
    var count: Int
    var prev: Int
    var next: Int
    /// Tags matched at this run: `true` for strong. Openers' first match is innermost.
    var opens: [Bool] = []
    var closes: [Bool] = []
  }

  struct Bracket {
    let image: Bool
    /// The top of the delimiter stack when the bracket opened.
    let bottom: Int
    var link: Link?
  }

  struct Link {
    var destination: String
    var title: String?
    /// Whether the destination may become an `href` or `src` (`isSafe`).
    var safe: Bool
    /// The index of the `]` piece.
    var close: Int
  }

  let s: [UInt8]
  var pieces: [Piece] = []
  var delimiters: [Delimiter] = []
  var tail = -1
  var brackets: [Bracket] = []
  var openBrackets: [Int] = []
  /// `[` openers below this depth of `openBrackets` are inactive: a link holds no link.
  var linkFloor = 0
  /// Start positions of the maximal backtick runs by length, and a cursor into each.
  var backtickRuns: [Int: [Int]]?
  var backtickCursor: [Int: Int] = [:]
  /// No `-->` follows this position (once a search failed).
  var noCommentEndAfter = Int.max
  var textStart = 0

  init(_ s: [UInt8]) {
    self.s = s
    parse()
  }

  mutating func parse() {
    let n = s.count
    var p = 0
    while p < n {
      switch s[p] {
      case Byte.backslash:
        if p + 1 < n, Byte.isPunctuation(s[p + 1]) {
          flush(p)
          pieces.append(.char(s[p + 1]))
          p += 2
          textStart = p
        } else {
          p += 1
        }
      case Byte.backtick:
        flush(p)
        p = codeSpan(p)
        textStart = p
      case Byte.star, Byte.underscore:
        flush(p)
        p = delimiterRun(p)
        textStart = p
      case Byte.lbracket:
        flush(p)
        pushBracket(image: false)
        p += 1
        textStart = p
      case Byte.bang where p + 1 < n && s[p + 1] == Byte.lbracket:
        flush(p)
        pushBracket(image: true)
        p += 2
        textStart = p
      case Byte.rbracket:
        flush(p)
        p = closeBracket(p)
        textStart = p
      case Byte.amp:
        if let end = entityEnd(p) {
          flush(p)
          pieces.append(.entity(p, end))
          p = end
          textStart = p
        } else {
          p += 1
        }
      case Byte.lt:
        if let end = commentEnd(p) {
          flush(p)
          p = end
          textStart = p
        } else {
          p += 1
        }
      default:
        p += 1
      }
    }
    flush(n)
    processEmphasis(bottom: -1)
  }

  mutating func flush(_ p: Int) {
    if textStart < p { pieces.append(.text(textStart, p)) }
  }

  // MARK: Code spans, entities, comments

  /// A code span opened by the backtick run at `p`, closed by the next run of the same
  /// length; without one the run is text.
  mutating func codeSpan(_ p: Int) -> Int {
    var q = p
    while q < s.count, s[q] == Byte.backtick { q += 1 }
    let length = q - p
    guard let close = backtickRun(length, from: q) else {
      pieces.append(.text(p, q))
      return q
    }
    var a = q
    var b = close
    if b - a >= 2, s[a] == Byte.space || s[a] == Byte.lf,
      s[b - 1] == Byte.space || s[b - 1] == Byte.lf,
      s[a..<b].contains(where: { $0 != Byte.space && $0 != Byte.lf })
    {
      a += 1
      b -= 1
    }
    pieces.append(.code(a, b))
    return close + length
  }

  /// The first maximal backtick run of exactly `length` starting at or after `from`.
  /// Openers come left to right, so each length's cursor only moves forward.
  mutating func backtickRun(_ length: Int, from: Int) -> Int? {
    if backtickRuns == nil {
      var runs: [Int: [Int]] = [:]
      var p = 0
      while p < s.count {
        guard s[p] == Byte.backtick else {
          p += 1
          continue
        }
        var q = p
        while q < s.count, s[q] == Byte.backtick { q += 1 }
        runs[q - p, default: []].append(p)
        p = q
      }
      backtickRuns = runs
    }
    guard let runs = backtickRuns?[length] else { return nil }
    var i = backtickCursor[length] ?? 0
    while i < runs.count, runs[i] < from { i += 1 }
    backtickCursor[length] = i
    return i < runs.count ? runs[i] : nil
  }

  /// The end of an entity reference at `p`: `&name;`, `&#123;` or `&#x1F;`.
  func entityEnd(_ p: Int) -> Int? {
    let n = s.count
    var q = p + 1
    guard q < n else { return nil }
    if s[q] == Byte.hash {
      q += 1
      let hex = q < n && (s[q] == UInt8(ascii: "x") || s[q] == UInt8(ascii: "X"))
      if hex { q += 1 }
      let start = q
      while q < n, q - start < (hex ? 6 : 7), hex ? Byte.isHexDigit(s[q]) : Byte.isDigit(s[q]) {
        q += 1
      }
      guard q > start, q < n, s[q] == Byte.semicolon else { return nil }
      return q + 1
    }
    let start = q
    while q < n, q - start < 32, Byte.isAlphanumeric(s[q]) { q += 1 }
    guard q > start, Byte.isLetter(s[start]), q < n, s[q] == Byte.semicolon else { return nil }
    return q + 1
  }

  mutating func commentEnd(_ p: Int) -> Int? {
    let n = s.count
    guard p + 3 < n, s[p + 1] == Byte.bang, s[p + 2] == Byte.dash, s[p + 3] == Byte.dash,
      p < noCommentEndAfter
    else {
      return nil
    }
    if let end = Self.find(commentEnd: s, from: p + 2, to: n) { return end }
    noCommentEndAfter = p
    return nil
  }

  /// The end of the first `-->` in `s[from..<to]`; `<!-->` and `<!--->` close themselves
  /// (CommonMark 0.31), so callers search from two past the `<`.
  static func find(commentEnd s: [UInt8], from: Int, to: Int) -> Int? {
    var q = from
    while q + 2 < to {
      if s[q + 2] == Byte.gt, s[q + 1] == Byte.dash, s[q] == Byte.dash { return q + 3 }
      q += 1
    }
    return nil
  }

  // MARK: Emphasis

  mutating func delimiterRun(_ p: Int) -> Int {
    let c = s[p]
    var q = p
    while q < s.count, s[q] == c { q += 1 }
    let before = scalar(before: p)
    let after = scalar(at: q)
    let beforeSpace = before.map(Self.isWhitespace) ?? true
    let afterSpace = after.map(Self.isWhitespace) ?? true
    let beforePunctuation = before.map(Self.isPunctuation) ?? false
    let afterPunctuation = after.map(Self.isPunctuation) ?? false
    // The CJK departure: a CJK neighbour satisfies "white space or punctuation".
    let beforeLoose =
      beforeSpace || beforePunctuation || (c == Byte.star && before.map(Self.isCJK) ?? false)
    let afterLoose =
      afterSpace || afterPunctuation || (c == Byte.star && after.map(Self.isCJK) ?? false)
    let leftFlanking = !afterSpace && (!afterPunctuation || beforeLoose)
    let rightFlanking = !beforeSpace && (!beforePunctuation || afterLoose)
    let canOpen: Bool
    let canClose: Bool
    if c == Byte.star {
      canOpen = leftFlanking
      canClose = rightFlanking
    } else {
      canOpen = leftFlanking && (!rightFlanking || beforePunctuation)
      canClose = rightFlanking && (!leftFlanking || afterPunctuation)
    }
    guard canOpen || canClose else {
      pieces.append(.text(p, q))
      return q
    }
    delimiters.append(
      Delimiter(
        char: c, length: q - p, canOpen: canOpen, canClose: canClose, count: q - p, prev: tail,
        next: -1))
    let index = delimiters.count - 1
    if tail >= 0 { delimiters[tail].next = index }
    tail = index
    pieces.append(.delimiter(index))
    return q
  }

  /// CommonMark's "process emphasis" over the delimiters above `bottom`, which it then
  /// removes from the stack. `openersBottom` (by character, can-open and length mod 3)
  /// keeps failed searches from being repeated, so the whole is linear.
  mutating func processEmphasis(bottom: Int) {
    var current = -1
    var d = tail
    while d > bottom {
      current = d
      d = delimiters[d].prev
    }
    var openersBottom = [Int](repeating: bottom, count: 12)
    while current != -1 {
      let closer = delimiters[current]
      guard closer.canClose else {
        current = closer.next
        continue
      }
      let key = (closer.char == Byte.star ? 0 : 6) + (closer.canOpen ? 3 : 0) + closer.length % 3
      var o = closer.prev
      var found = false
      while o > openersBottom[key] {
        let opener = delimiters[o]
        if opener.char == closer.char, opener.canOpen {
          // The rule of three: no match when one side could do both and the lengths add
          // up to a multiple of 3, unless both are multiples of 3.
          let odd =
            (opener.canClose || closer.canOpen) && (opener.length + closer.length) % 3 == 0
            && !(opener.length % 3 == 0 && closer.length % 3 == 0)
          if !odd {
            found = true
            break
          }
        }
        o = opener.prev
      }
      if found {
        let strong = delimiters[o].count >= 2 && closer.count >= 2
        let used = strong ? 2 : 1
        delimiters[o].count -= used
        delimiters[current].count -= used
        delimiters[o].opens.append(strong)
        delimiters[current].closes.append(strong)
        delimiters[o].next = current
        delimiters[current].prev = o
        if delimiters[o].count == 0 { unlink(o) }
        if delimiters[current].count == 0 {
          let next = delimiters[current].next
          unlink(current)
          current = next
        }
      } else {
        openersBottom[key] = closer.prev
        let next = closer.next
        if !closer.canOpen { unlink(current) }
        current = next
      }
    }
    var t = tail
    while t > bottom { t = delimiters[t].prev }
    tail = t
    if t >= 0 { delimiters[t].next = -1 }
  }

  mutating func unlink(_ i: Int) {
    let prev = delimiters[i].prev
    let next = delimiters[i].next
    if prev >= 0 { delimiters[prev].next = next }
    if next >= 0 { delimiters[next].prev = prev } else { tail = prev }
  }

  func scalar(before p: Int) -> Unicode.Scalar? {
    guard p > 0 else { return nil }
    var a = p - 1
    while a > 0, p - a < 4, s[a] & 0xC0 == 0x80 { a -= 1 }
    return scalar(at: a)
  }

  func scalar(at p: Int) -> Unicode.Scalar? {
    guard p < s.count else { return nil }
    let b0 = UInt32(s[p])
    let (length, bits): (Int, UInt32) =
      b0 < 0x80
      ? (1, b0)
      : b0 & 0xE0 == 0xC0 ? (2, b0 & 0x1F) : b0 & 0xF0 == 0xE0 ? (3, b0 & 0x0F) : (4, b0 & 0x07)
    guard p + length <= s.count else { return nil }
    var value = bits
    for k in 1..<length { value = value << 6 | UInt32(s[p + k] & 0x3F) }
    return Unicode.Scalar(value)
  }

  static func isWhitespace(_ u: Unicode.Scalar) -> Bool {
    switch u {
    case " ", "\t", "\n", "\r", "\u{0C}": true
    default: !u.isASCII && u.properties.generalCategory == .spaceSeparator
    }
  }

  /// Unicode punctuation or symbol (P or S), as CommonMark 0.31 reads "punctuation".
  static func isPunctuation(_ u: Unicode.Scalar) -> Bool {
    if u.isASCII { return Byte.isPunctuation(UInt8(u.value)) }
    switch u.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
      .initialPunctuation,
      .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol,
      .otherSymbol:
      return true
    default:
      return false
    }
  }

  /// CJK ideographs, kana, hangul, CJK and full-width punctuation.
  static func isCJK(_ u: Unicode.Scalar) -> Bool {
    switch u.value {
    case 0x2E80...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFFEF,
      0x20000...0x3FFFF:
      true
    default: false
    }
  }
}
