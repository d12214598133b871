// MARK: - Blocks

/// Lines are byte ranges into the source; a container (quote, list item) passes its
/// content down as the same ranges with the prefix skipped, and renders it recursively.
struct BlockRenderer {
  struct Line {
    var start: Int
    var end: Int
  }

  struct Marker {
    var ordered: Bool
    /// `-`, `*`, `+`, or the ordered delimiter `.` / `)`.
    var char: UInt8
    var number: Int
    /// Where the item's text begins, and its column: lines indented this far continue it.
    var content: Int
    var width: Int
    var empty: Bool
  }

  /// A code fence's opening line: its character and length (a closing fence needs as
  /// many), its indent (taken off the content lines) and its info string.
  struct Fence {
    var char: UInt8
    var length: Int
    var indent: Int
    var info: Range<Int>
  }

  enum Alignment { case none, left, center, right }

  static let maxDepth = 16

  let s: [UInt8]
  let image: @Sendable (String, String) -> String?
  var out: [UInt8] = []
  var usedSlugs: Set<String> = []
  var slugCounts: [String: Int] = [:]

  init(_ s: [UInt8], image: @escaping @Sendable (String, String) -> String?) {
    self.s = s
    self.image = image
    out.reserveCapacity(s.count + s.count / 4 + 64)
  }

  mutating func document() {
    var lines: [Line] = []
    var start = 0
    var p = 0
    while p < s.count {
      if s[p] == Byte.lf {
        lines.append(Line(start: start, end: p))
        start = p + 1
      } else if s[p] == Byte.cr {
        lines.append(Line(start: start, end: p))
        if p + 1 < s.count, s[p + 1] == Byte.lf { p += 1 }
        start = p + 1
      }
      p += 1
    }
    if start < s.count { lines.append(Line(start: start, end: s.count)) }
    _ = blocks(lines, depth: 0, tight: false)
  }

  /// Renders `lines` as blocks. In a tight list item paragraphs go without `<p>`; the
  /// result says whether the first and the last block were such bare paragraphs.
  mutating func blocks(_ lines: [Line], depth: Int, tight: Bool) -> (first: Bool, last: Bool) {
    var first: Bool?
    var last = false
    var i = 0
    while i < lines.count {
      let line = lines[i]
      let (columns, text) = indent(line)
      if text == line.end {
        i += 1
        continue
      }
      var bare = false
      if columns >= 4 {
        (i, bare) = paragraph(lines, i, depth: depth, tight: tight)
      } else if let h = heading(line) {
        heading(h.level, h.text)
        i += 1
      } else if let f = fence(line) {
        i = code(lines, i, f)
      } else if depth < Self.maxDepth, quoted(line) != nil {
        i = blockquote(lines, i, depth: depth)
      } else if isThematicBreak(line) {
        out.put("<hr>\n")
        i += 1
      } else if depth < Self.maxDepth, let m = marker(line) {
        i = list(lines, i, m, depth: depth)
      } else if isCommentStart(line) {
        i = comment(lines, i)
        continue
      } else if i + 1 < lines.count, let alignments = tableStart(line, lines[i + 1]) {
        i = table(lines, i, alignments, depth: depth)
      } else {
        (i, bare) = paragraph(lines, i, depth: depth, tight: tight)
      }
      if first == nil { first = bare }
      last = bare
    }
    return (first ?? false, last)
  }

  // MARK: Line tests

  /// Columns of leading white space (a tab to the next multiple of 4) and where text begins.
  func indent(_ line: Line) -> (columns: Int, text: Int) {
    leadingSpace(line, upTo: .max)
  }

  /// `line` without up to `columns` columns of leading white space.
  func dedent(_ line: Line, _ columns: Int) -> Line {
    Line(start: leadingSpace(line, upTo: columns).text, end: line.end)
  }

  /// Leading spaces and tabs (a tab to the next multiple of 4) while fewer than `limit`
  /// columns are passed: the columns passed and where the walk stopped.
  private func leadingSpace(_ line: Line, upTo limit: Int) -> (columns: Int, text: Int) {
    var column = 0
    var p = line.start
    while p < line.end, column < limit {
      if s[p] == Byte.space {
        column += 1
      } else if s[p] == Byte.tab {
        column += 4 - column % 4
      } else {
        break
      }
      p += 1
    }
    return (column, p)
  }

  func trimmed(_ a: Int, _ b: Int) -> Range<Int> {
    var a = a
    var b = b
    while a < b, s[a] == Byte.space || s[a] == Byte.tab { a += 1 }
    while b > a, s[b - 1] == Byte.space || s[b - 1] == Byte.tab { b -= 1 }
    return a..<b
  }

  func isBlank(_ line: Line) -> Bool { indent(line).text == line.end }

  func heading(_ line: Line) -> (level: Int, text: Range<Int>)? {
    let (columns, start) = indent(line)
    guard columns < 4 else { return nil }
    var p = start
    while p < line.end, s[p] == Byte.hash { p += 1 }
    let level = p - start
    guard (1...6).contains(level), p == line.end || s[p] == Byte.space || s[p] == Byte.tab else {
      return nil
    }
    var text = trimmed(p, line.end)
    // A closing run of `#` goes when white space precedes it (or it is all there is).
    var q = text.upperBound
    while q > text.lowerBound, s[q - 1] == Byte.hash { q -= 1 }
    if q == text.lowerBound {
      text = q..<q
    } else if q < text.upperBound, s[q - 1] == Byte.space || s[q - 1] == Byte.tab {
      text = trimmed(text.lowerBound, q)
    }
    return (level, text)
  }

  func fence(_ line: Line) -> Fence? {
    let (columns, start) = indent(line)
    guard columns < 4, start < line.end, s[start] == Byte.backtick || s[start] == Byte.tilde else {
      return nil
    }
    let c = s[start]
    var p = start
    while p < line.end, s[p] == c { p += 1 }
    guard p - start >= 3 else { return nil }
    let info = trimmed(p, line.end)
    if c == Byte.backtick, s[info].contains(Byte.backtick) { return nil }
    return Fence(char: c, length: p - start, indent: columns, info: info)
  }

  func closes(_ f: Fence, _ line: Line) -> Bool {
    let (columns, start) = indent(line)
    guard columns < 4 else { return false }
    var p = start
    while p < line.end, s[p] == f.char { p += 1 }
    return p - start >= f.length && trimmed(p, line.end).isEmpty
  }

  func quoted(_ line: Line) -> Line? {
    let (columns, start) = indent(line)
    guard columns < 4, start < line.end, s[start] == Byte.gt else { return nil }
    var p = start + 1
    if p < line.end, s[p] == Byte.space || s[p] == Byte.tab { p += 1 }
    return Line(start: p, end: line.end)
  }

  func isThematicBreak(_ line: Line) -> Bool {
    let (columns, start) = indent(line)
    guard columns < 4, start < line.end else { return false }
    let c = s[start]
    guard c == Byte.dash || c == Byte.star || c == Byte.underscore else { return false }
    var count = 0
    for p in start..<line.end {
      if s[p] == c {
        count += 1
      } else if s[p] != Byte.space && s[p] != Byte.tab {
        return false
      }
    }
    return count >= 3
  }

  func marker(_ line: Line) -> Marker? {
    let (columns, start) = indent(line)
    guard columns < 4, start < line.end else { return nil }
    var p = start
    var ordered = false
    var number = 0
    let c: UInt8
    if s[p] == Byte.dash || s[p] == Byte.star || s[p] == Byte.plus {
      c = s[p]
      p += 1
    } else {
      while p < line.end, p - start < 9, Byte.isDigit(s[p]) {
        number = number * 10 + Int(s[p] - Byte.zero)
        p += 1
      }
      guard p > start, p < line.end, s[p] == Byte.dot || s[p] == Byte.rparen else { return nil }
      c = s[p]
      p += 1
      ordered = true
    }
    let markerEnd = columns + (p - start)
    guard p == line.end || s[p] == Byte.space || s[p] == Byte.tab else { return nil }
    var column = markerEnd
    var q = p
    while q < line.end, s[q] == Byte.space || s[q] == Byte.tab {
      column += s[q] == Byte.tab ? 4 - column % 4 : 1
      q += 1
    }
    if q == line.end {
      return Marker(
        ordered: ordered, char: c, number: number, content: q, width: markerEnd + 1, empty: true)
    }
    if column - markerEnd > 4 {
      // Text indented this far would be indented code in CommonMark; it starts one space in.
      return Marker(
        ordered: ordered, char: c, number: number, content: p + 1, width: markerEnd + 1,
        empty: false)
    }
    return Marker(
      ordered: ordered, char: c, number: number, content: q, width: column, empty: false)
  }

  /// Whether `line` ends in paragraph text, through nested markers and `>`, which a next
  /// line may continue lazily (CommonMark's lazy continuation lines). A thematic break
  /// read as markers (`- - -`) ends in an empty item, so it is no paragraph either way.
  func endsInParagraph(_ line: Line) -> Bool {
    var line = line
    for _ in 0..<Self.maxDepth {
      if let m = marker(line) {
        if m.empty { return false }
        line.start = m.content
      } else if let q = quoted(line) {
        line = q
      } else {
        break
      }
    }
    return !isBlank(line) && heading(line) == nil && fence(line) == nil && !isThematicBreak(line)
      && !isCommentStart(line)
  }

  func isCommentStart(_ line: Line) -> Bool {
    let (columns, start) = indent(line)
    return columns < 4 && start + 4 <= line.end && s[start] == Byte.lt && s[start + 1] == Byte.bang
      && s[start + 2] == Byte.dash && s[start + 3] == Byte.dash
  }

  /// Whether `lines[j]` starts a block that may interrupt a paragraph (or a table's rows).
  /// A list item may only when it has text, and an ordered one only from 1 (CommonMark).
  func interrupts(_ lines: [Line], _ j: Int, depth: Int) -> Bool {
    let line = lines[j]
    if indent(line).columns >= 4 { return false }
    if heading(line) != nil || fence(line) != nil || isThematicBreak(line) || isCommentStart(line) {
      return true
    }
    if depth < Self.maxDepth {
      if quoted(line) != nil { return true }
      if let m = marker(line), !m.empty, !m.ordered || m.number == 1 { return true }
    }
    return j + 1 < lines.count && tableStart(line, lines[j + 1]) != nil
  }

  /// Whether `lines[j]` starts a block of its own (any list item too), so that it cannot
  /// be a lazy continuation line.
  func startsBlock(_ lines: [Line], _ j: Int, depth: Int) -> Bool {
    interrupts(lines, j, depth: depth) || (depth < Self.maxDepth && marker(lines[j]) != nil)
  }
}
