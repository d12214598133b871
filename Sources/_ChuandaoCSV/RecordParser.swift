import Glibc

/// The RFC 4180 state machine over a buffer of UTF-8 text.
///
/// The caller keeps the text in `p[from..<n]` with a line feed written at `p[n]` (a sentinel
/// that stops every scan without a bounds check) and 8 readable bytes after it (scans read
/// eight bytes at a time). `parse` delivers every complete record and returns where the
/// first incomplete one starts; the caller moves that tail to the front, appends more text
/// and calls again, and the record is parsed again from its start. At end of input (`eof`)
/// every record is complete.
///
/// Fields are `[start, end)` offsets into the buffer, two `Int`s per field in a reused
/// array. Doubled quotes are unescaped in place only once a record is complete, so a record
/// parsed again after a refill sees its original bytes.
final class RecordParser {
  let name: String
  /// The physical line of the next unconsumed byte.
  private(set) var line = 1
  private(set) var recordCount = 0
  private var fields: UnsafeMutablePointer<Int>
  private var fieldCapacity = 64  // in fields

  /// `line`: the physical line of the first byte parsed (a block of a file starts later).
  init(name: String, line: Int = 1) {
    self.name = name
    self.line = line
    fields = .allocate(capacity: 2 * fieldCapacity)
  }

  deinit { fields.deallocate() }

  private static let comma: UInt8 = 0x2C
  private static let quote: UInt8 = 0x22
  private static let lf: UInt8 = 0x0A
  private static let cr: UInt8 = 0x0D

  private static let ones: UInt64 = 0x0101_0101_0101_0101
  private static let highs: UInt64 = 0x8080_8080_8080_8080

  /// The high bit of each byte of `w` equal to `byte`, exact up to the first match (the
  /// borrow of `x - ones` can only set bits above a zero byte; Hacker's Delight, 6-1).
  @inline(__always)
  private static func matches(_ w: UInt64, _ byte: UInt8) -> UInt64 {
    let x = w ^ (ones &* UInt64(byte))
    return (x &- ones) & ~x & highs
  }

  /// The first `,` `"` or LF at or after `q`, eight bytes at a time (unaligned loads; the
  /// sentinel LF at n stops it, the slack after it keeps the loads in bounds).
  @inline(__always)
  private static func endOfUnquoted(_ p: UnsafeMutablePointer<UInt8>, _ q: Int) -> Int {
    let raw = UnsafeRawPointer(p)
    var q = q
    while true {
      let w = raw.loadUnaligned(fromByteOffset: q, as: UInt64.self)
      let m = matches(w, comma) | matches(w, lf) | matches(w, quote)
      if m != 0 { return q + m.trailingZeroBitCount >> 3 }
      q += 8
    }
  }

  /// The first `"` or LF at or after `q`, as above.
  @inline(__always)
  private static func endOfQuoted(_ p: UnsafeMutablePointer<UInt8>, _ q: Int) -> Int {
    let raw = UnsafeRawPointer(p)
    var q = q
    while true {
      let w = raw.loadUnaligned(fromByteOffset: q, as: UInt64.self)
      let m = matches(w, lf) | matches(w, quote)
      if m != 0 { return q + m.trailingZeroBitCount >> 3 }
      q += 8
    }
  }

  /// Whether an incomplete record `p[0..<count]` ends inside a quoted field: in a record
  /// parsed without error so far, quotes only open, close or come doubled, so an odd count.
  func isInsideQuotes(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
    var quotes = 0
    for k in 0..<count where p[k] == RecordParser.quote { quotes += 1 }
    return quotes & 1 == 1
  }

  private func growFields() {
    let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 4 * fieldCapacity)
    bigger.update(from: fields, count: 2 * fieldCapacity)
    fields.deallocate()
    fields = bigger
    fieldCapacity *= 2
  }

  /// Parses records in `p[from..<n]`; returns the start of the first incomplete record
  /// (`n` when all were complete).
  func parse(
    _ p: UnsafeMutablePointer<UInt8>, from: Int, to n: Int, eof: Bool,
    _ body: (borrowing CSVRecord) throws -> Void
  ) throws -> Int {
    let comma = RecordParser.comma, quote = RecordParser.quote
    let lf = RecordParser.lf, cr = RecordParser.cr
    var s = from
    recordLoop: while s < n {
      // Blank lines: nothing before the line end (LF or CRLF).
      let b0 = p[s]
      if b0 == lf {
        line += 1
        s += 1
        continue
      }
      if b0 == cr {
        if s + 1 == n {
          if !eof { return s }
          return n  // a lone CR ending the file: a line end without a line feed
        }
        if p[s + 1] == lf {
          line += 1
          s += 2
          continue
        }
      }
      var q = s
      var count = 0
      var lastLine = line
      var escaped = false
      fieldLoop: while true {
        if count == fieldCapacity { growFields() }
        let f = fields + 2 * count
        count += 1
        if p[q] != quote {
          // Unquoted: up to `,` or the line end; `"` is an error (strict RFC 4180).
          let start = q
          q = RecordParser.endOfUnquoted(p, q)
          let c = p[q]
          if c == comma {
            f[0] = start
            f[1] = q
            q += 1
            continue fieldLoop
          }
          if c == quote { throw CSVError.badQuote(path: name, line: line) }
          // Line feed, or the sentinel at n.
          if q == n && !eof { return s }
          f[0] = start
          f[1] = q > start && p[q - 1] == cr ? q - 1 : q
          try deliver(p, count: count, lastLine: lastLine, escaped: escaped, body)
          if q == n {
            line = lastLine
            return n
          }
          line = lastLine + 1
          s = q + 1
          continue recordLoop
        }
        // Quoted: up to a `"` not followed by another; `""` is one quote.
        q += 1
        let start = q
        while true {
          q = RecordParser.endOfQuoted(p, q)
          if p[q] == lf {
            if q == n {
              if !eof { return s }
              throw CSVError.unterminatedQuote(path: name, line: line)
            }
            lastLine += 1
            q += 1
            continue
          }
          // A quote at q: escaped, closing, or garbage follows.
          if q + 1 == n {
            if !eof { return s }
            f[0] = start
            f[1] = q
            try deliver(p, count: count, lastLine: lastLine, escaped: escaped, body)
            line = lastLine
            return n
          }
          let d = p[q + 1]
          if d == quote {
            escaped = true
            q += 2
            continue
          }
          f[0] = start
          f[1] = q
          if d == comma {
            q += 2
            continue fieldLoop
          }
          if d == lf {
            try deliver(p, count: count, lastLine: lastLine, escaped: escaped, body)
            line = lastLine + 1
            s = q + 2
            continue recordLoop
          }
          if d == cr {
            if q + 2 == n {
              if !eof { return s }
              try deliver(p, count: count, lastLine: lastLine, escaped: escaped, body)
              line = lastLine
              return n
            }
            if p[q + 2] == lf {
              try deliver(p, count: count, lastLine: lastLine, escaped: escaped, body)
              line = lastLine + 1
              s = q + 3
              continue recordLoop
            }
          }
          throw CSVError.badQuote(path: name, line: line)
        }
      }
    }
    return s
  }

  @inline(__always)
  private func deliver(
    _ p: UnsafeMutablePointer<UInt8>, count: Int, lastLine: Int, escaped: Bool,
    _ body: (borrowing CSVRecord) throws -> Void
  ) throws {
    if escaped { unescape(p, count: count) }
    recordCount += 1
    try body(CSVRecord(base: p, fields: fields, count: count, line: line, lastLine: lastLine))
  }

  /// Replaces each `""` by `"` in place, in every field holding a quote (only quoted fields
  /// can: a quote in an unquoted field is an error).
  private func unescape(_ p: UnsafeMutablePointer<UInt8>, count: Int) {
    for k in 0..<count {
      let start = fields[2 * k]
      let end = fields[2 * k + 1]
      guard let hit = memchr(p + start, Int32(RecordParser.quote), end - start) else { continue }
      var r = hit.assumingMemoryBound(to: UInt8.self) - p
      var w = r
      while r < end {
        let b = p[r]
        p[w] = b
        w += 1
        r += b == RecordParser.quote ? 2 : 1
      }
      fields[2 * k + 1] = w
    }
  }
}
