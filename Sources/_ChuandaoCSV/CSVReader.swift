import Glibc

/// Streams the records of a CSV file (DATA.md's format) in bounded memory.
///
/// - Encoding: a first pass checks that the whole file is UTF-8 (eight bytes at a time over
///   ASCII). If it is, records are parsed from the bytes as stored (a BOM is dropped);
///   otherwise the file is transcoded from GB18030 with glibc's iconv, chunk by chunk, and a
///   byte GB18030 rejects is `CSVError.notText` with its line.
/// - Damaged UTF-8: a file with a valid three- or four-byte UTF-8 sequence (any Chinese
///   character, or the BOM) before its first invalid one is evidently UTF-8. If GB18030
///   rejects it too (checked in a pass of its own), the error names that invalid sequence,
///   and the records before it are parsed as UTF-8; a GB18030 error would name a byte in
///   the good text above. Two-byte sequences are no evidence: about one GB2312 character in
///   six is one (某 is C4 B3, U+0133).
/// - Errors come in file order: every record ending before the offending byte has been
///   delivered when one is thrown, whatever the chunk size.
/// - Syntax: RFC 4180, strict. Fields are separated by `,`, records end with LF or CRLF (the
///   last may have no line end); a field starting with `"` is quoted and may hold `,`, `""`
///   (one quote), CR and LF. A `"` elsewhere in an unquoted field, or anything but `,` or a
///   line end after a closing quote, is `CSVError.badQuote`. A CR not before LF is data.
/// - Lines: physical lines, 1-based. Empty lines (also a bare CRLF) are skipped but counted;
///   a line holding only spaces or commas is a record.
/// - Memory: the file is read in chunks of `chunkSize` bytes; a record longer than
///   `maxRecordBytes` (64 MiB; an Excel cell holds at most 32,767 characters) is an error:
///   `unterminatedQuote` if it is inside a quoted field (an unbalanced quote), else `ioError`.
public enum CSVReader {
  /// Bytes read per chunk.
  public static let chunkSize = 1 << 20
  /// The longest record accepted, in bytes of UTF-8.
  public static let maxRecordBytes = 64 << 20

  /// Reads the file at `path` record by record, calling `body` for each (header included);
  /// returns what it learned once the whole file is read. Errors from `body` are rethrown.
  /// `tap`, when given, sees every byte of the file as stored, once and in order (a BOM
  /// included), from the passes that read it anyway: with a successful return it has seen
  /// the whole file.
  @discardableResult
  public static func forEachRecord(
    path: String, tap: ByteTap? = nil, _ body: (borrowing CSVRecord) throws -> Void
  ) throws -> CSVFileInfo {
    let input = try ByteInput(path: path)
    input.tap = tap
    return try read(input, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes, body)
  }

  /// The same over bytes in memory; `name` stands for the path in errors.
  @discardableResult
  public static func forEachRecord(
    bytes: [UInt8], name: String, tap: ByteTap? = nil,
    _ body: (borrowing CSVRecord) throws -> Void
  ) throws -> CSVFileInfo {
    let input = ByteInput(bytes: bytes, name: name)
    input.tap = tap
    return try read(input, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes, body)
  }

  /// The line and first byte of the first invalid UTF-8 sequence in `bytes` (a sequence cut
  /// by the end included), or nil if all of `bytes` is UTF-8. For UTF-8-only files such as
  /// `dataset.yaml`, whose errors name a line (DATA.md).
  public static func firstInvalidUTF8(bytes: [UInt8]) -> (line: Int, byte: UInt8)? {
    let input = ByteInput(bytes: bytes, name: "")
    // Reads from memory cannot fail.
    guard let bad = try? UTF8Validation.firstInvalid(input, chunkSize: max(bytes.count, 1)),
      let line = try? input.line(ofByteAt: bad)
    else { return nil }
    return (line, bytes[bad])
  }

  /// The reader with its limits as parameters (tests use tiny chunks to split everything).
  static func read(
    _ input: ByteInput, chunkSize: Int, maxRecordBytes: Int,
    _ body: (borrowing CSVRecord) throws -> Void
  ) throws -> CSVFileInfo {
    precondition(chunkSize >= 1 && maxRecordBytes >= 1, "CSVReader: limits must be positive")
    let chunkSize = min(chunkSize, max(input.sizeHint + 1, 4096))  // small files, small buffers
    var decoder: GB18030Decoder?
    var stop = Int.max  // UTF-8 is read up to here
    var damage: CSVError?  // thrown on reaching `stop`
    if let bad = try UTF8Validation.firstInvalid(input, chunkSize: chunkSize) {
      if try UTF8Validation.holdsLongSequence(input, before: bad, chunkSize: chunkSize),
        try !GB18030Decoder.accepts(input, chunkSize: chunkSize)
      {
        stop = bad
        damage = .notText(
          path: input.name, line: try input.line(ofByteAt: bad), byte: try input.byte(at: bad))
      } else {
        decoder = try GB18030Decoder(input: input, chunkSize: chunkSize)
      }
    }
    // A fill writes at most `fill` bytes (a GB18030 fill at least one whole character).
    let fill = decoder == nil ? chunkSize : max(chunkSize, 8)
    let slack = 16  // the sentinel and the 8-byte reads past it
    var capacity = 2 * fill
    var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + slack)
    defer { buffer.deallocate() }
    let parser = RecordParser(name: input.name)

    var start = 0  // first unparsed byte
    var end = 0  // end of text in the buffer
    var offset = 0  // next byte of the file to read (UTF-8)
    var eof = false
    var bomChecked = false
    var bom = false
    var textBytes = 0
    var lastByte: UInt8 = 0
    while !eof {
      if start > 0 {
        memmove(buffer, buffer + start, end - start)
        end -= start
        start = 0
      }
      if end > maxRecordBytes {
        throw parser.isInsideQuotes(buffer, count: end)
          ? CSVError.unterminatedQuote(path: input.name, line: parser.line)
          : CSVError.ioError(
            path: input.name,
            reason: "the record starting on line \(parser.line) is longer than "
              + (maxRecordBytes % (1 << 20) == 0
                ? "\(maxRecordBytes >> 20) MiB" : "\(maxRecordBytes) bytes"))
      }
      // A long incomplete record is parsed again after each fill, so fills grow with it.
      let want = end >= max(fill, 1 << 16) ? end : fill
      if capacity - end < want {
        capacity = max(2 * capacity, end + want)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + slack)
        bigger.update(from: buffer, count: end)
        buffer.deallocate()
        buffer = bigger
      }
      let got: Int
      if let decoder {
        got = try decoder.decode(into: buffer + end, capacity: want)
      } else if offset < stop {
        got = try input.read(at: offset, into: buffer + end, count: min(want, stop - offset))
        offset += got
      } else {
        got = 0
      }
      if got == 0 {
        // Every record ending before `stop` was delivered by the last parse.
        if let damage { throw damage }
        eof = true
      } else {
        end += got
        textBytes += got
        lastByte = buffer[end - 1]
      }
      if !bomChecked {
        let bomBytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        let seen = min(end, 3)
        let prefix = (0..<seen).allSatisfy { buffer[$0] == bomBytes[$0] }
        if prefix && seen < 3 && !eof { continue }  // wait for three bytes
        bomChecked = true
        if prefix && seen == 3 {
          bom = true
          start = 3
          textBytes -= 3
        }
      }
      buffer[end] = 0x0A  // sentinel
      memset(buffer + end + 1, 0, slack - 1)
      start = try parser.parse(buffer, from: start, to: end, eof: eof, body)
    }
    try input.tapRest()
    let lineFeeds = parser.line - 1
    return CSVFileInfo(
      encoding: decoder != nil ? .gb18030 : bom ? .utf8BOM : .utf8,
      byteCount: decoder?.bytesRead ?? offset,
      recordCount: parser.recordCount,
      lineCount: lineFeeds + (textBytes > 0 && lastByte != 0x0A ? 1 : 0))
  }
}
