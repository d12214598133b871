/// Horizontal alignment of text within a fixed display width.
public enum TextAlignment: Sendable, Equatable {
  case left, right
}

/// The number of terminal columns `s` occupies.
///
/// Per grapheme cluster (what a terminal draws as one glyph): the widest of its
/// scalars, where
/// - 0: control characters (Cc), nonspacing and enclosing marks (Mn, Me: combining
///   diacritics, variation selectors FE00–FE0F and E0100–E01EF), format characters
///   (Cf: U+200B–U+200F, U+2060–U+2064, U+FEFF, soft hyphen) and Hangul medial and final
///   jamo U+1160–U+11FF and U+D7B0–U+D7FF;
/// - 2: East Asian Wide and Fullwidth (EastAsianWidth.txt `W`/`F`: Hangul initial jamo,
///   CJK radicals and symbols and punctuation 2E80–303E, Hiragana, Katakana, Bopomofo,
///   CJK Unified Ideographs with extension A and all of planes 2 and 3 (extensions B–H),
///   Hangul syllables, compatibility ideographs, fullwidth forms FF01–FF60 and
///   FFE0–FFE6, emoji with default emoji presentation), any scalar Swift reports as
///   `isEmojiPresentation` (emoji newer than the table), and a cluster holding U+FE0F
///   (emoji presentation selector) or a regional-indicator pair (a flag);
/// - 1: everything else, East Asian Ambiguous characters (`…`, `°`, `—`, `①`) included,
///   as in most terminals' default setting.
/// Widest-per-cluster rather than a sum means a base letter with combining marks is 1,
/// and an emoji ZWJ sequence is 2, as modern terminals draw them.
public func displayWidth(_ s: String) -> Int {
  var total = 0
  for character in s {
    total += clusterWidth(character)
  }
  return total
}

/// The display width of one grapheme cluster; see `displayWidth(_:)`.
func clusterWidth(_ c: Character) -> Int {
  if c.isASCII {
    // "\r\n" is one cluster; all other ASCII clusters are one scalar.
    guard let v = c.asciiValue, v >= 0x20, v != 0x7F else { return 0 }
    return 1
  }
  var width = 0
  var regionalIndicators = 0
  for scalar in c.unicodeScalars {
    if scalar.value == 0xFE0F { return 2 }
    if (0x1F1E6...0x1F1FF).contains(scalar.value) { regionalIndicators += 1 }
    width = max(width, scalarWidth(scalar))
  }
  return regionalIndicators >= 2 ? 2 : width
}

/// The display width of one scalar on its own: 0, 1 or 2.
func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
  let v = scalar.value
  if v < 0x7F { return v >= 0x20 ? 1 : 0 }
  if v < 0xA0 { return 0 }  // DEL and C1 controls
  switch scalar.properties.generalCategory {
  case .nonspacingMark, .enclosingMark, .format, .control: return 0
  default: break
  }
  if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }
  if v >= 0x1100 && isWide(v) { return 2 }
  if scalar.properties.isEmojiPresentation { return 2 }
  return 1
}

/// Binary search in `wideRanges`.
func isWide(_ v: UInt32) -> Bool {
  var lo = 0
  var hi = wideRanges.count - 1
  while lo <= hi {
    let mid = (lo + hi) / 2
    let (a, b) = wideRanges[mid]
    if v < a {
      hi = mid - 1
    } else if v > b {
      lo = mid + 1
    } else {
      return true
    }
  }
  return false
}

/// East Asian Width `W` or `F` code point ranges, sorted and disjoint. Generated from
/// Unicode 14.0 (Python 3.11 `unicodedata`) over assigned code points, plus the blocks
/// whose unassigned code points default to `W` (3400–4DBF, 4E00–9FFF, F900–FAFF,
/// 20000–2FFFD, 30000–3FFFD):
///
///     python3 -c 'import unicodedata as u
///     def w(c): return (0x3400<=c<=0x4DBF or 0x4E00<=c<=0x9FFF or 0xF900<=c<=0xFAFF
///       or 0x20000<=c<=0x2FFFD or 0x30000<=c<=0x3FFFD) or (u.category(chr(c))!="Cn"
///       and u.east_asian_width(chr(c)) in "WF")
///     ...'  # then merge runs of consecutive code points
let wideRanges: [(UInt32, UInt32)] = [
  (0x1100, 0x115F), (0x231A, 0x231B), (0x2329, 0x232A), (0x23E9, 0x23EC),
  (0x23F0, 0x23F0), (0x23F3, 0x23F3), (0x25FD, 0x25FE), (0x2614, 0x2615),
  (0x2648, 0x2653), (0x267F, 0x267F), (0x2693, 0x2693), (0x26A1, 0x26A1),
  (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5), (0x26CE, 0x26CE),
  (0x26D4, 0x26D4), (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5),
  (0x26FA, 0x26FA), (0x26FD, 0x26FD), (0x2705, 0x2705), (0x270A, 0x270B),
  (0x2728, 0x2728), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
  (0x2757, 0x2757), (0x2795, 0x2797), (0x27B0, 0x27B0), (0x27BF, 0x27BF),
  (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55), (0x2E80, 0x2E99),
  (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5), (0x2FF0, 0x2FFB), (0x3000, 0x303E),
  (0x3041, 0x3096), (0x3099, 0x30FF), (0x3105, 0x312F), (0x3131, 0x318E),
  (0x3190, 0x31E3), (0x31F0, 0x321E), (0x3220, 0x3247), (0x3250, 0x4DBF),
  (0x4E00, 0xA48C), (0xA490, 0xA4C6), (0xA960, 0xA97C), (0xAC00, 0xD7A3),
  (0xF900, 0xFAFF), (0xFE10, 0xFE19), (0xFE30, 0xFE52), (0xFE54, 0xFE66),
  (0xFE68, 0xFE6B), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6), (0x16FE0, 0x16FE4),
  (0x16FF0, 0x16FF1), (0x17000, 0x187F7), (0x18800, 0x18CD5), (0x18D00, 0x18D08),
  (0x1AFF0, 0x1AFF3), (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE), (0x1B000, 0x1B122),
  (0x1B150, 0x1B152), (0x1B164, 0x1B167), (0x1B170, 0x1B2FB), (0x1F004, 0x1F004),
  (0x1F0CF, 0x1F0CF), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F200, 0x1F202),
  (0x1F210, 0x1F23B), (0x1F240, 0x1F248), (0x1F250, 0x1F251), (0x1F260, 0x1F265),
  (0x1F300, 0x1F320), (0x1F32D, 0x1F335), (0x1F337, 0x1F37C), (0x1F37E, 0x1F393),
  (0x1F3A0, 0x1F3CA), (0x1F3CF, 0x1F3D3), (0x1F3E0, 0x1F3F0), (0x1F3F4, 0x1F3F4),
  (0x1F3F8, 0x1F43E), (0x1F440, 0x1F440), (0x1F442, 0x1F4FC), (0x1F4FF, 0x1F53D),
  (0x1F54B, 0x1F54E), (0x1F550, 0x1F567), (0x1F57A, 0x1F57A), (0x1F595, 0x1F596),
  (0x1F5A4, 0x1F5A4), (0x1F5FB, 0x1F64F), (0x1F680, 0x1F6C5), (0x1F6CC, 0x1F6CC),
  (0x1F6D0, 0x1F6D2), (0x1F6D5, 0x1F6D7), (0x1F6DD, 0x1F6DF), (0x1F6EB, 0x1F6EC),
  (0x1F6F4, 0x1F6FC), (0x1F7E0, 0x1F7EB), (0x1F7F0, 0x1F7F0), (0x1F90C, 0x1F93A),
  (0x1F93C, 0x1F945), (0x1F947, 0x1F9FF), (0x1FA70, 0x1FA74), (0x1FA78, 0x1FA7C),
  (0x1FA80, 0x1FA86), (0x1FA90, 0x1FAAC), (0x1FAB0, 0x1FABA), (0x1FAC0, 0x1FAC5),
  (0x1FAD0, 0x1FAD9), (0x1FAE0, 0x1FAE7), (0x1FAF0, 0x1FAF6), (0x20000, 0x2FFFD),
  (0x30000, 0x3FFFD),
]

/// `s` padded with spaces to `width` display columns: on the right for `.left`, on the
/// left for `.right`. Returned unchanged when it is already as wide or wider.
public func pad(_ s: String, toWidth width: Int, alignment: TextAlignment = .left) -> String {
  let w = displayWidth(s)
  guard w < width else { return s }
  let spaces = String(repeating: " ", count: width - w)
  return alignment == .left ? s + spaces : spaces + s
}

/// `s` shortened to at most `width` display columns, ending in "…" (counted as one
/// column) when anything was cut. Whole grapheme clusters only, so the result may be one
/// column short of `width` when a wide character would not fit. Width ≤ 0 gives "".
public func truncate(_ s: String, toWidth width: Int) -> String {
  guard width > 0 else { return "" }
  if displayWidth(s) <= width { return s }
  var result = ""
  var used = 0
  for c in s {
    let w = clusterWidth(c)
    if used + w > width - 1 { break }
    result.append(c)
    used += w
  }
  return result + "…"
}

/// `s` cut to at most `width` display columns by taking out its middle: the head, "…", then
/// the tail, which gets about two fifths of the room. Names of sibling organisations
/// usually differ at their end (市…中心第3党支部, 市…中心第4党支部), which a cut at the end
/// would lose. Unchanged when it fits; "…" alone at width 1; "" at width 0.
public func truncateMiddle(_ s: String, toWidth width: Int) -> String {
  guard width > 0 else { return "" }
  if displayWidth(s) <= width { return s }
  let room = width - 1
  let tailRoom = room * 2 / 5
  var tail: [Character] = []
  var used = 0
  for c in s.reversed() {
    let w = clusterWidth(c)
    if used + w > tailRoom { break }
    tail.append(c)
    used += w
  }
  var head = ""
  var headUsed = 0
  for c in s {
    let w = clusterWidth(c)
    if headUsed + w > room - used { break }
    head.append(c)
    headUsed += w
  }
  return head + "…" + String(tail.reversed())
}
