import Glibc

/// UTF-8 well-formedness (Unicode 15, Table 3-7: no overlongs, surrogates or values above
/// U+10FFFF), checked a chunk at a time.
enum UTF8Validation {
  enum Result: Equatable {
    /// Every complete sequence is valid; `incompleteFrom` is where a sequence cut by the end
    /// of the chunk starts (the chunk's count if none). Carry those bytes into the next chunk.
    case valid(incompleteFrom: Int)
    /// The first ill-formed sequence starts at `at` (its lead byte, or a stray continuation
    /// byte); everything before it is well-formed.
    case invalid(at: Int)
  }

  /// Checks `p[0..<n]`. ASCII runs go eight bytes at a time; a multibyte sequence with four
  /// bytes readable is checked from one 32-bit load (shape by mask, then the scalar's range
  /// rules out overlongs, surrogates and values above U+10FFFF).
  static func check(_ p: UnsafePointer<UInt8>, _ n: Int) -> Result {
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i < n {
      let b = p[i]
      if b < 0x80 {
        if i + 8 <= n
          && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        {
          i += 8
        } else {
          i += 1
        }
        continue
      }
      guard i + 4 <= n else { return checkTail(p, from: i, n) }
      // Little-endian: the lead byte is the low byte of w.
      let w = raw.loadUnaligned(fromByteOffset: i, as: UInt32.self)
      if w & 0xC0E0 == 0x80C0 {
        guard b >= 0xC2 else { return .invalid(at: i) }
        i += 2
      } else if w & 0xC0_C0F0 == 0x80_80E0 {
        let scalar = (w & 0x0F) << 12 | (w >> 2) & 0xFC0 | (w >> 16) & 0x3F
        guard scalar >= 0x800 && scalar & 0xF800 != 0xD800 else { return .invalid(at: i) }
        i += 3
      } else if w & 0xC0C0_C0F8 == 0x8080_80F0 {
        let scalar = (w & 0x07) << 18 | (w << 4) & 0x3_F000 | (w >> 10) & 0xFC0 | (w >> 24) & 0x3F
        guard scalar >= 0x1_0000 && scalar <= 0x10_FFFF else { return .invalid(at: i) }
        i += 4
      } else {
        return .invalid(at: i)
      }
    }
    return .valid(incompleteFrom: n)
  }

  /// The last bytes, fewer than four from a non-ASCII byte at `i`: byte by byte (Table 3-7).
  private static func checkTail(_ p: UnsafePointer<UInt8>, from i0: Int, _ n: Int) -> Result {
    var i = i0
    while i < n {
      let b = p[i]
      if b < 0x80 {
        i += 1
        continue
      }
      // Sequence length and the allowed range of the first continuation byte.
      let len: Int
      var lo: UInt8 = 0x80
      var hi: UInt8 = 0xBF
      switch b {
      case 0xC2...0xDF: len = 2
      case 0xE0: len = 3; lo = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: len = 3
      case 0xED: len = 3; hi = 0x9F
      case 0xF0: len = 4; lo = 0x90
      case 0xF1...0xF3: len = 4
      case 0xF4: len = 4; hi = 0x8F
      default: return .invalid(at: i)
      }
      let avail = min(len, n - i)
      if avail >= 2 {
        let c = p[i + 1]
        if c < lo || c > hi { return .invalid(at: i) }
      }
      if avail >= 3, p[i + 2] & 0xC0 != 0x80 { return .invalid(at: i) }
      if avail >= 4, p[i + 3] & 0xC0 != 0x80 { return .invalid(at: i) }
      if avail < len { return .valid(incompleteFrom: i) }
      i += len
    }
    return .valid(incompleteFrom: n)
  }

  /// Where the first ill-formed sequence of `input` starts (a sequence cut by the end of the
  /// input included), as a file offset; nil if all of `input` is UTF-8. Read in chunks of
  /// `chunkSize` bytes.
  static func firstInvalid(_ input: ByteInput, chunkSize: Int) throws(CSVError) -> Int? {
    let cap = chunkSize + 4
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
    defer { p.deallocate() }
    var carry = 0
    var offset = 0  // file offset of the byte after p[carry - 1]
    while true {
      let n = try input.read(at: offset, into: p + carry, count: chunkSize)
      if n == 0 { return carry == 0 ? nil : offset - carry }
      let base = offset - carry  // file offset of p[0]
      offset += n
      let total = carry + n
      switch check(p, total) {
      case .invalid(let at):
        return base + at
      case .valid(let from):
        carry = total - from
        if carry > 0 { memmove(p, p + from, carry) }
      }
    }
  }

  /// Whether the well-formed UTF-8 `input[0..<end]` holds a sequence of three or four bytes
  /// (U+0800 and up: every Chinese character and Chinese punctuation, and the BOM). In
  /// well-formed UTF-8 a byte from 0xE0 up is always the lead of one.
  static func holdsLongSequence(_ input: ByteInput, before end: Int, chunkSize: Int)
    throws(CSVError) -> Bool
  {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    defer { p.deallocate() }
    var offset = 0
    while offset < end {
      let n = try input.read(at: offset, into: p, count: min(chunkSize, end - offset))
      if n == 0 { return false }
      for k in 0..<n where p[k] >= 0xE0 { return true }
      offset += n
    }
    return false
  }
}
