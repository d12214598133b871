// MARK: - Bytes

enum Escape {
  /// `&`, `<`, `>`, `"` as `HTMLRenderer.escape` writes them; NUL as U+FFFD (CommonMark).
  static func html<C: Sequence<UInt8>>(_ bytes: C, into out: inout [UInt8]) {
    for b in bytes {
      switch b {
      case Byte.amp: out.put("&amp;")
      case Byte.lt: out.put("&lt;")
      case Byte.gt: out.put("&gt;")
      case Byte.quote: out.put("&quot;")
      case 0: out.put("\u{FFFD}")
      default: out.append(b)
      }
    }
  }

  /// An entity reference as text: numeric ones and the few names HTML needs most; any
  /// other name stays as written.
  static func decode(entity e: ArraySlice<UInt8>, into out: inout [UInt8]) {
    let body = e.dropFirst().dropLast()
    if body.first == Byte.hash {
      let hex = body.dropFirst().first.map { $0 | 0x20 == UInt8(ascii: "x") } ?? false
      let digits = String(decoding: body.dropFirst(hex ? 2 : 1), as: UTF8.self)
      let scalar =
        UInt32(digits, radix: hex ? 16 : 10).flatMap { $0 == 0 ? nil : Unicode.Scalar($0) }
        ?? "\u{FFFD}"
      out.put(String(Character(scalar)))
      return
    }
    switch String(decoding: body, as: UTF8.self) {
    case "amp": out.append(Byte.amp)
    case "lt": out.append(Byte.lt)
    case "gt": out.append(Byte.gt)
    case "quot": out.append(Byte.quote)
    case "apos": out.append(Byte.apostrophe)
    case "nbsp": out.put("\u{00A0}")
    default: out.append(contentsOf: e)
    }
  }
}

/// The ASCII bytes Markdown gives a meaning.
enum Byte {
  static let tab: UInt8 = 0x09
  static let lf: UInt8 = 0x0A
  static let cr: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let bang = UInt8(ascii: "!")
  static let quote = UInt8(ascii: "\"")
  static let hash = UInt8(ascii: "#")
  static let amp = UInt8(ascii: "&")
  static let apostrophe = UInt8(ascii: "'")
  static let lparen = UInt8(ascii: "(")
  static let rparen = UInt8(ascii: ")")
  static let star = UInt8(ascii: "*")
  static let plus = UInt8(ascii: "+")
  static let dash = UInt8(ascii: "-")
  static let dot = UInt8(ascii: ".")
  static let zero = UInt8(ascii: "0")
  static let colon = UInt8(ascii: ":")
  static let semicolon = UInt8(ascii: ";")
  static let lt = UInt8(ascii: "<")
  static let gt = UInt8(ascii: ">")
  static let lbracket = UInt8(ascii: "[")
  static let backslash = UInt8(ascii: "\\")
  static let rbracket = UInt8(ascii: "]")
  static let underscore = UInt8(ascii: "_")
  static let backtick = UInt8(ascii: "`")
  static let pipe = UInt8(ascii: "|")
  static let tilde = UInt8(ascii: "~")

  static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
  static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
  static func isAlphanumeric(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
  static func isHexDigit(_ b: UInt8) -> Bool {
    isDigit(b) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66)
  }
  /// ASCII punctuation: ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``.
  static func isPunctuation(_ b: UInt8) -> Bool {
    (b >= 0x21 && b <= 0x2F) || (b >= 0x3A && b <= 0x40) || (b >= 0x5B && b <= 0x60)
      || (b >= 0x7B && b <= 0x7E)
  }
}

extension [UInt8] {
  mutating func put(_ text: String) { append(contentsOf: text.utf8) }
}
