// Links, images and writing out of `Inlines`.

extension Inlines {
  // MARK: Links and images

  mutating func pushBracket(image: Bool) {
    brackets.append(Bracket(image: image, bottom: tail))
    pieces.append(.open(brackets.count - 1))
    openBrackets.append(brackets.count - 1)
  }

  mutating func closeBracket(_ p: Int) -> Int {
    guard let b = openBrackets.last else {
      pieces.append(.char(Byte.rbracket))
      return p + 1
    }
    let active = brackets[b].image || openBrackets.count - 1 >= linkFloor
    openBrackets.removeLast()
    linkFloor = min(linkFloor, openBrackets.count)
    guard active, case let (destination, title, end)? = inlineLink(p + 1) else {
      pieces.append(.char(Byte.rbracket))
      return p + 1
    }
    let image = brackets[b].image
    brackets[b].link = Link(
      destination: destination, title: title, safe: Self.isSafe(destination, image: image),
      close: pieces.count)
    pieces.append(.close(b))
    processEmphasis(bottom: brackets[b].bottom)
    if !image { linkFloor = openBrackets.count }
    return end
  }

  /// `(destination "title")` at `q0`: the destination in `<…>` or bare with balanced
  /// parentheses (at most 32 deep), the title in `"`, `'` or `(`.
  func inlineLink(_ q0: Int) -> (String, String?, Int)? {
    let n = s.count
    guard q0 < n, s[q0] == Byte.lparen else { return nil }
    var q = skipSpace(q0 + 1)
    var destination: [UInt8] = []
    if q < n, s[q] == Byte.lt {
      q += 1
      while true {
        guard q < n, s[q] != Byte.lt, s[q] != Byte.lf else { return nil }
        if s[q] == Byte.gt { break }
        if s[q] == Byte.backslash, q + 1 < n, Byte.isPunctuation(s[q + 1]) { q += 1 }
        destination.append(s[q])
        q += 1
      }
      q += 1
    } else {
      var depth = 0
      while q < n, s[q] > Byte.space {
        if s[q] == Byte.backslash, q + 1 < n, Byte.isPunctuation(s[q + 1]) {
          q += 1
        } else if s[q] == Byte.lparen {
          depth += 1
          if depth > 32 { return nil }
        } else if s[q] == Byte.rparen {
          if depth == 0 { break }
          depth -= 1
        }
        destination.append(s[q])
        q += 1
      }
      guard depth == 0 else { return nil }
    }
    let afterDestination = q
    q = skipSpace(q)
    var title: [UInt8]?
    if q > afterDestination, q < n,
      s[q] == Byte.quote || s[q] == Byte.apostrophe || s[q] == Byte.lparen
    {
      let opening = s[q]
      let closing = opening == Byte.lparen ? Byte.rparen : opening
      var t: [UInt8] = []
      q += 1
      while true {
        guard q < n, !(opening == Byte.lparen && s[q] == Byte.lparen) else { return nil }
        if s[q] == closing { break }
        if s[q] == Byte.backslash, q + 1 < n, Byte.isPunctuation(s[q + 1]) { q += 1 }
        t.append(s[q])
        q += 1
      }
      title = t
      q = skipSpace(q + 1)
    }
    guard q < n, s[q] == Byte.rparen else { return nil }
    return (
      String(decoding: destination, as: UTF8.self),
      title.map { String(decoding: $0, as: UTF8.self) }, q + 1
    )
  }

  func skipSpace(_ q: Int) -> Int {
    var q = q
    while q < s.count, s[q] == Byte.space || s[q] == Byte.tab || s[q] == Byte.lf { q += 1 }
    return q
  }

  /// Whether a browser would follow `url` only to a page, a mail or a call: a relative
  /// reference, or the scheme http, https, mailto, tel (images: http, https, data:image/).
  /// The scheme is read as the WHATWG URL parser does: leading controls and spaces
  /// skipped, tabs and newlines removed, case ignored.
  static func isSafe(_ url: String, image: Bool) -> Bool {
    var bytes = url.utf8.filter { $0 != Byte.tab && $0 != Byte.lf && $0 != Byte.cr }[...]
    while let b = bytes.first, b <= Byte.space { bytes.removeFirst() }
    guard let b = bytes.first, Byte.isLetter(b) else { return true }
    var scheme = ""
    while let b = bytes.first,
      Byte.isAlphanumeric(b) || b == Byte.plus || b == Byte.dash || b == Byte.dot
    {
      scheme.append(Character(Unicode.Scalar(Byte.isLetter(b) ? b | 0x20 : b)))
      bytes.removeFirst()
    }
    guard bytes.first == Byte.colon else { return true }
    switch scheme {
    case "http", "https": return true
    case "mailto", "tel": return !image
    case "data":
      return image
        && String(decoding: bytes.dropFirst().prefix(6), as: UTF8.self).lowercased() == "image/"
    default: return false
    }
  }

  // MARK: Output

  func html(into out: inout [UInt8], image: (String, String) -> String?) {
    var i = 0
    while i < pieces.count {
      switch pieces[i] {
      case .text(let a, let b):
        Escape.html(s[a..<b], into: &out)
      case .char(let c):
        Escape.html(CollectionOfOne(c), into: &out)
      case .entity(let a, let b):
        out.append(contentsOf: s[a..<b])
      case .code(let a, let b):
        out.put("<code>")
        Escape.html(s[a..<b].lazy.map { $0 == Byte.lf ? Byte.space : $0 }, into: &out)
        out.put("</code>")
      case .delimiter(let d):
        let run = delimiters[d]
        for strong in run.closes { out.put(strong ? "</strong>" : "</em>") }
        out.append(contentsOf: repeatElement(run.char, count: run.count))
        for strong in run.opens.reversed() { out.put(strong ? "<strong>" : "<em>") }
      case .open(let b):
        guard let link = brackets[b].link else {
          out.put(brackets[b].image ? "![" : "[")
          break
        }
        if brackets[b].image {
          let alt = plainText(i + 1, link.close)
          if let markup = imageMarkup(link, alt: alt, image: image) {
            out.append(contentsOf: markup)
          } else {
            Escape.html(alt.utf8, into: &out)
          }
          i = link.close
        } else if link.safe {
          out.put("<a href=\"")
          Escape.html(link.destination.utf8, into: &out)
          if let title = link.title {
            out.put("\" title=\"")
            Escape.html(title.utf8, into: &out)
          }
          out.put("\">")
        }
      case .close(let b):
        if brackets[b].link?.safe == true { out.put("</a>") }
      }
      i += 1
    }
  }

  func imageMarkup(_ link: Link, alt: String, image: (String, String) -> String?) -> [UInt8]? {
    if let markup = image(link.destination, alt) { return Array(markup.utf8) }
    guard link.safe else { return nil }
    var out: [UInt8] = []
    out.put("<img src=\"")
    Escape.html(link.destination.utf8, into: &out)
    out.put("\" alt=\"")
    Escape.html(alt.utf8, into: &out)
    if let title = link.title {
      out.put("\" title=\"")
      Escape.html(title.utf8, into: &out)
    }
    out.put("\">")
    return out
  }

  /// When the text is one image and nothing else, writes it as a `<figure>` captioned by
  /// its alt text (as the report shows a chart) and returns true.
  func figure(into out: inout [UInt8], image: (String, String) -> String?) -> Bool {
    guard case .open(let b)? = pieces.first, let link = brackets[b].link, brackets[b].image,
      link.close == pieces.count - 1
    else { return false }
    let alt = plainText(1, link.close)
    guard let markup = imageMarkup(link, alt: alt, image: image) else {
      out.put("<p>")
      Escape.html(alt.utf8, into: &out)
      out.put("</p>\n")
      return true
    }
    out.put("<figure>\n")
    out.append(contentsOf: markup)
    if !alt.isEmpty {
      out.put("\n<figcaption>")
      Escape.html(alt.utf8, into: &out)
      out.put("</figcaption>")
    }
    out.put("\n</figure>\n")
    return true
  }

  /// The text of `pieces[from..<to]` without markup: an image's alt, a heading's slug.
  func plainText(_ from: Int, _ to: Int) -> String {
    var text: [UInt8] = []
    for piece in pieces[from..<to] {
      switch piece {
      case .text(let a, let b): text.append(contentsOf: s[a..<b])
      case .char(let c): text.append(c)
      case .entity(let a, let b): Escape.decode(entity: s[a..<b], into: &text)
      case .code(let a, let b):
        text.append(contentsOf: s[a..<b].lazy.map { $0 == Byte.lf ? Byte.space : $0 })
      case .delimiter(let d):
        text.append(contentsOf: repeatElement(delimiters[d].char, count: delimiters[d].count))
      case .open(let b):
        if brackets[b].link == nil {
          text.append(contentsOf: brackets[b].image ? [Byte.bang, Byte.lbracket] : [Byte.lbracket])
        }
      case .close: break
      }
    }
    return String(decoding: text, as: UTF8.self)
  }
}
