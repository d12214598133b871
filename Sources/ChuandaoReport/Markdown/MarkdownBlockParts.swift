// Tables, headings, paragraphs, code, comments, quotes and lists of `BlockRenderer`.

extension BlockRenderer {
  // MARK: Tables

  /// A row's cells, trimmed: one leading and one trailing `|` are optional, `\` keeps the
  /// next character (so `\|` is no separator).
  func cells(_ line: Line) -> [Range<Int>] {
    let row = trimmed(line.start, line.end)
    var a = row.lowerBound
    let b = row.upperBound
    if a < b, s[a] == Byte.pipe { a += 1 }
    var cells: [Range<Int>] = []
    var cellStart = a
    var lastSeparator = -1
    var p = a
    while p < b {
      if s[p] == Byte.backslash {
        p += 2
        continue
      }
      if s[p] == Byte.pipe {
        cells.append(trimmed(cellStart, p))
        cellStart = p + 1
        lastSeparator = p
      }
      p += 1
    }
    if lastSeparator != b - 1 || cells.isEmpty { cells.append(trimmed(cellStart, b)) }
    return cells
  }

  func alignments(_ line: Line) -> [Alignment]? {
    var pipe = false
    var dash = false
    for p in line.start..<line.end {
      switch s[p] {
      case Byte.pipe: pipe = true
      case Byte.dash: dash = true
      case Byte.colon, Byte.space, Byte.tab: break
      default: return nil
      }
    }
    guard pipe, dash else { return nil }
    var result: [Alignment] = []
    for cell in cells(line) {
      guard !cell.isEmpty else { return nil }
      let left = s[cell.lowerBound] == Byte.colon
      let right = s[cell.upperBound - 1] == Byte.colon
      let dashes = (cell.lowerBound + (left ? 1 : 0))..<(cell.upperBound - (right ? 1 : 0))
      guard !dashes.isEmpty, s[dashes].allSatisfy({ $0 == Byte.dash }) else { return nil }
      result.append(left && right ? .center : right ? .right : left ? .left : .none)
    }
    return result
  }

  func tableStart(_ header: Line, _ delimiter: Line) -> [Alignment]? {
    guard let result = alignments(delimiter), !isBlank(header), cells(header).count == result.count
    else {
      return nil
    }
    return result
  }

  mutating func table(_ lines: [Line], _ i: Int, _ alignments: [Alignment], depth: Int) -> Int {
    func attribute(_ a: Alignment) -> String {
      switch a {
      case .right: " class=\"num\""
      case .center: " style=\"text-align: center\""
      case .left, .none: ""
      }
    }
    let attributes = alignments.map(attribute)
    out.put("<table>\n<thead><tr>")
    for (n, cell) in cells(lines[i]).enumerated() {
      out.put("<th\(attributes[n])>")
      Inlines(cellText(cell)).html(into: &out, image: image)
      out.put("</th>")
    }
    out.put("</tr></thead>\n<tbody>\n")
    var j = i + 2
    while j < lines.count, !isBlank(lines[j]), !interrupts(lines, j, depth: depth) {
      let row = cells(lines[j])
      out.put("<tr>")
      for n in attributes.indices {
        out.put("<td\(attributes[n])>")
        if n < row.count { Inlines(cellText(row[n])).html(into: &out, image: image) }
        out.put("</td>")
      }
      out.put("</tr>\n")
      j += 1
    }
    out.put("</tbody>\n</table>\n")
    return j
  }

  /// A cell's text with `\|` as `|`, so that a pipe is one in code spans too (as GitHub).
  func cellText(_ r: Range<Int>) -> [UInt8] {
    var text: [UInt8] = []
    text.reserveCapacity(r.count)
    var p = r.lowerBound
    while p < r.upperBound {
      if s[p] == Byte.backslash, p + 1 < r.upperBound {
        if s[p + 1] != Byte.pipe { text.append(Byte.backslash) }
        text.append(s[p + 1])
        p += 2
      } else {
        text.append(s[p])
        p += 1
      }
    }
    return text
  }

  // MARK: Leaf blocks

  mutating func heading(_ level: Int, _ text: Range<Int>) {
    let inlines = Inlines(Array(s[text]))
    out.put("<h\(level)")
    if level <= 3 {
      let slug = uniqueSlug(inlines.plainText(0, inlines.pieces.count))
      if !slug.isEmpty { out.put(" id=\"\(slug)\"") }
    }
    out.put(">")
    inlines.html(into: &out, image: image)
    out.put("</h\(level)>\n")
  }

  /// GitHub's anchor: letters and digits lowercased, white space and `-` as `-`, `_` kept,
  /// everything else dropped (so the slug needs no escaping).
  mutating func uniqueSlug(_ text: String) -> String {
    var base = ""
    for c in text {
      if c.isLetter || c.isNumber {
        base += c.lowercased()
      } else if c.isWhitespace || c == "-" {
        base += "-"
      } else if c == "_" {
        base += "_"
      }
    }
    guard !base.isEmpty else { return "" }
    var slug = base
    var n = slugCounts[base] ?? 0
    while usedSlugs.contains(slug) {
      n += 1
      slug = "\(base)-\(n)"
    }
    slugCounts[base] = n
    usedSlugs.insert(slug)
    return slug
  }

  mutating func paragraph(_ lines: [Line], _ i: Int, depth: Int, tight: Bool) -> (
    next: Int, bare: Bool
  ) {
    var j = i + 1
    while j < lines.count, !isBlank(lines[j]), !interrupts(lines, j, depth: depth) { j += 1 }
    var text: [UInt8] = []
    for k in i..<j {
      if k > i { text.append(Byte.lf) }
      text.append(contentsOf: s[trimmed(lines[k].start, lines[k].end)])
    }
    let inlines = Inlines(text)
    if inlines.figure(into: &out, image: image) { return (j, false) }
    if !tight { out.put("<p>") }
    inlines.html(into: &out, image: image)
    out.put(tight ? "\n" : "</p>\n")
    return (j, tight)
  }

  mutating func code(_ lines: [Line], _ i: Int, _ f: Fence) -> Int {
    var j = i + 1
    while j < lines.count, !closes(f, lines[j]) { j += 1 }
    out.put("<pre><code")
    var word = f.info.lowerBound
    while word < f.info.upperBound, s[word] != Byte.space, s[word] != Byte.tab { word += 1 }
    if word > f.info.lowerBound {
      out.put(" class=\"language-")
      var language: [UInt8] = []
      var p = f.info.lowerBound
      while p < word {
        if s[p] == Byte.backslash, p + 1 < word, Byte.isPunctuation(s[p + 1]) { p += 1 }
        language.append(s[p])
        p += 1
      }
      Escape.html(language, into: &out)
      out.put("\"")
    }
    out.put(">")
    for k in (i + 1)..<j {
      let line = dedent(lines[k], f.indent)
      Escape.html(s[line.start..<line.end], into: &out)
      out.append(Byte.lf)
    }
    out.put("</code></pre>\n")
    return min(j + 1, lines.count)
  }

  mutating func comment(_ lines: [Line], _ i: Int) -> Int {
    let start = indent(lines[i]).text + 2
    var j = i
    while j < lines.count {
      let from = j == i ? start : lines[j].start
      if Inlines.find(commentEnd: s, from: from, to: lines[j].end) != nil { return j + 1 }
      j += 1
    }
    return j
  }

  // MARK: Containers

  mutating func blockquote(_ lines: [Line], _ i: Int, depth: Int) -> Int {
    var inner: [Line] = []
    // Whether a line without `>` may continue the last one lazily: not in a fence.
    var openFence: Fence?
    var lazy = false
    var j = i
    while j < lines.count {
      let line: Line
      if let q = quoted(lines[j]) {
        line = q
      } else if lazy, !isBlank(lines[j]), !startsBlock(lines, j, depth: depth) {
        line = Line(start: indent(lines[j]).text, end: lines[j].end)
      } else {
        break
      }
      inner.append(line)
      if let f = openFence {
        if closes(f, line) { openFence = nil }
        lazy = false
      } else if let f = fence(line) {
        openFence = f
        lazy = false
      } else {
        lazy = endsInParagraph(line)
      }
      j += 1
    }
    out.put("<blockquote>\n")
    _ = blocks(inner, depth: depth + 1, tight: false)
    out.put("</blockquote>\n")
    return j
  }

  mutating func list(_ lines: [Line], _ i: Int, _ first: Marker, depth: Int) -> Int {
    var items: [[Line]] = []
    var item = [Line(start: first.content, end: lines[i].end)]
    var width = first.width
    var loose = false
    // What the item's lines so far end in, read line by line rather than parsed: a fence
    // still open or a nested list (a blank line inside either does not make this list
    // loose), or paragraph text that an unindented line may continue lazily.
    var openFence: Fence?
    var nestedList = false
    var lazy = false
    func track(_ line: Line, afterBlank: Bool = false) {
      if let f = openFence {
        if closes(f, line) { openFence = nil }
        lazy = false
        return
      }
      if let f = fence(line) {
        openFence = f
        lazy = false
      } else {
        lazy = endsInParagraph(line)
      }
      if marker(line) != nil {
        nestedList = true
      } else if afterBlank, indent(line).columns == 0 {
        nestedList = false
      }
    }
    func same(_ m: Marker) -> Bool { m.ordered == first.ordered && m.char == first.char }
    track(item[0])
    var j = i + 1
    while j < lines.count {
      let line = lines[j]
      if isBlank(line) {
        var k = j + 1
        while k < lines.count, isBlank(lines[k]) { k += 1 }
        guard k < lines.count else { break }
        let columns = indent(lines[k]).columns
        if columns >= width {
          let next = dedent(lines[k], width)
          let inside =
            openFence != nil || (nestedList && (indent(next).columns > 0 || marker(next) != nil))
          if !inside { loose = true }
          for _ in j..<k { item.append(Line(start: line.start, end: line.start)) }
          item.append(next)
          track(next, afterBlank: true)
          j = k + 1
          continue
        }
        guard columns < 4, marker(lines[k]).map(same) ?? false else { break }
        loose = true
        j = k
        continue
      }
      let columns = indent(line).columns
      if columns >= width {
        let d = dedent(line, width)
        item.append(d)
        track(d)
      } else if columns < 4, let m = marker(line), !isThematicBreak(line) {
        guard same(m) else { break }
        items.append(item)
        item = [Line(start: m.content, end: line.end)]
        width = m.width
        openFence = nil
        nestedList = false
        track(item[0])
      } else if lazy, !startsBlock(lines, j, depth: depth) {
        let d = Line(start: indent(line).text, end: line.end)
        item.append(d)
        track(d)
      } else {
        break
      }
      j += 1
    }
    items.append(item)

    if !first.ordered {
      out.put("<ul>\n")
    } else if first.number != 1 {
      out.put("<ol start=\"\(first.number)\">\n")
    } else {
      out.put("<ol>\n")
    }
    for content in items {
      out.put("<li>")
      let mark = out.count
      let (bareFirst, bareLast) = blocks(content, depth: depth + 1, tight: !loose)
      if out.count > mark {
        if !bareFirst { out.insert(Byte.lf, at: mark) }
        if bareLast { out.removeLast() }
      }
      out.put("</li>\n")
    }
    out.put(first.ordered ? "</ol>\n" : "</ul>\n")
    return j
  }
}
