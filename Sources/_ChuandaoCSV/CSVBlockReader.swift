import Glibc

/// A UTF-8 CSV file cut into blocks of whole records, so that blocks can be parsed on
/// several threads and their results put back in file order (docs/loader.md).
///
/// The file is read a window at a time (`windowSize` bytes). Each window's new bytes go to
/// the tap (the SHA-256), are checked as UTF-8 and are scanned for `"`; a block ends at
/// the first line feed after `blockSize` bytes that has an even number of quotes before it
/// since the block began (quotes are found with `memchr`: most files have none; line feeds
/// are counted by the blocks' parsers). In RFC 4180 text quotes only open, close or come
/// doubled, so that line feed is outside any quoted field: a record boundary. The
/// bytes after the last cut are carried into the next window. The file's first block ends
/// at the first such line feed, so that it holds the header alone (after blank lines).
///
/// Whatever the reader cannot decide the way `CSVReader` would, it leaves to `CSVReader`:
/// `next()` throws `CSVBlockReader.Unsupported` for a file that is not UTF-8 throughout
/// (GB18030, or damaged) and for a record longer than `maxRecordBytes`, and a block's
/// parse throws the first `CSVError` of its block (a misplaced quote breaks the parity of
/// every later cut). The caller then reads the file again with `CSVReader`, whose messages
/// are the reference; the tap has already seen a prefix of the file and takes the rest.
public final class CSVBlockReader {
  /// Why the blocks stop: read the file with `CSVReader` instead.
  public enum Unsupported: Error, Equatable {
    /// A byte sequence that is not UTF-8 (the file may be GB18030).
    case notUTF8
    /// No record boundary within `maxRecordBytes` (a very long record, or an unclosed quote).
    case recordTooLong
  }

  private let input: ByteInput
  private let blockSize: Int
  private let windowSize: Int
  private let maxRecordBytes: Int
  private var window: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  /// Bytes carried at the start of the window: the unparsed text after the last cut.
  private var tail = 0
  /// The last `pending` bytes of the tail are an incomplete UTF-8 sequence, not yet checked.
  private var pending = 0
  private var offset = 0
  private var atEnd = false
  private var first = true
  /// Whether the file starts with a UTF-8 BOM (known after the first `next()`).
  public private(set) var hasBOM = false
  /// Bytes of the file read so far: the file's size once `next()` has returned no blocks.
  public var byteCount: Int { offset }

  /// Whether the file is read as GB18030: its bytes are not checked as UTF-8, and each
  /// block is transcoded by its own parse (`CSVBlock.forEachRecord`) on the thread that
  /// parses it. The cuts are the same: a line feed (0x0A) and a quote (0x22) are single
  /// bytes in GB18030 and never part of a multibyte sequence, whose bytes after the first
  /// are 0x30...0x39 and 0x40...0xFE, so a cut never splits a character.
  public let gb18030: Bool

  public init(
    path: String, tap: ByteTap?, blockSize: Int, windowSize: Int,
    maxRecordBytes: Int = CSVReader.maxRecordBytes, gb18030: Bool = false
  ) throws(CSVError) {
    precondition(blockSize >= 1 && windowSize >= 1, "CSVBlockReader: sizes must be positive")
    self.gb18030 = gb18030
    input = try ByteInput(path: path)
    input.tap = tap
    self.blockSize = blockSize
    self.windowSize = windowSize
    self.maxRecordBytes = maxRecordBytes
    capacity = windowSize + 16
    window = .allocate(capacity: capacity)
  }

  deinit { window.deallocate() }

  /// The next blocks in file order (at least one), or none at the end of the file.
  public func next() throws -> [CSVBlock] {
    while true {
      if atEnd && tail == 0 { return [] }
      try fill()
      let blocks = try cut()
      if !blocks.isEmpty || (atEnd && tail == 0) { return blocks }
      if tail > maxRecordBytes { throw Unsupported.recordTooLong }
    }
  }

  /// Reads up to `windowSize` more bytes after the tail, tapping and checking them.
  private func fill() throws {
    if tail + windowSize + 16 > capacity {
      capacity = tail + windowSize + 16
      let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
      bigger.update(from: window, count: tail)
      window.deallocate()
      window = bigger
    }
    var end = tail
    while end < tail + windowSize {
      let n = try input.read(at: offset, into: window + end, count: tail + windowSize - end)
      if n == 0 {
        atEnd = true
        break
      }
      offset += n
      end += n
    }
    if !gb18030 {
      let from = tail - pending
      switch UTF8Validation.check(window + from, end - from) {
      case .invalid: throw Unsupported.notUTF8
      case .valid(let incompleteFrom): pending = end - from - incompleteFrom
      }
      if atEnd && pending > 0 { throw Unsupported.notUTF8 }
    }
    filled = end
  }

  private var filled = 0
  /// Whether no block has been made yet.
  private var noBlockYet = true

  /// True for the file's first block only (a cut may end before any block is made).
  private func takeFirstBlock() -> Bool {
    defer { noBlockYet = false }
    return noBlockYet
  }

  /// Cuts `window[0..<filled]` into blocks; keeps the rest as the tail.
  private func cut() throws -> [CSVBlock] {
    let p = window
    let end = filled
    if first && end < 3 && !atEnd {
      tail = end  // too few bytes to tell a BOM yet
      return []
    }
    var start = 0
    if first && !gb18030 && end >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
      hasBOM = true
      start = 3
    }
    var blocks: [CSVBlock] = []
    var blockStart = start
    var quotes = 0  // since blockStart
    var q = start
    var target = first ? start : start + blockSize
    first = false
    while q < end {
      // Quotes up to the target (few or none in most files: memchr skips the rest).
      let stop = min(target, end)
      while q < stop, let hit = memchr(p + q, 0x22, stop - q) {
        quotes += 1
        q = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - p + 1
      }
      q = max(q, stop)
      // Past the target: the next line feed with an even number of quotes before it.
      while q < end {
        let b = p[q]
        q += 1
        if b == 0x22 {
          quotes += 1
        } else if b == 0x0A && quotes & 1 == 0 {
          blocks.append(CSVBlock(p + blockStart, count: q - blockStart, gb18030: gb18030, first: takeFirstBlock()))
          blockStart = q
          quotes = 0
          target = q + blockSize
          break
        }
      }
    }
    if atEnd && blockStart < end {
      blocks.append(CSVBlock(p + blockStart, count: end - blockStart, gb18030: gb18030, first: takeFirstBlock()))
      blockStart = end
    }
    tail = end - blockStart
    if tail > 0 && blockStart > 0 { memmove(p, p + blockStart, tail) }
    return blocks
  }
}

/// Whole records of a CSV file in a buffer of their own (with the sentinel and slack the
/// parser needs). A block is parsed once, by one thread: parsing unescapes doubled quotes
/// in place. Its lines are counted from 1 at its first byte: blocks are parsed before the
/// lines before them are counted, so the caller adds the line feeds of the blocks before.
public final class CSVBlock: @unchecked Sendable {
  private var p: UnsafeMutablePointer<UInt8>
  /// Bytes of text (as stored, before a GB18030 block is transcoded).
  public private(set) var count: Int
  private let gb18030: Bool
  /// The file's first block: after transcoding, a leading U+FEFF is dropped, as
  /// `CSVReader` drops it from the text it decodes.
  private let first: Bool

  init(_ source: UnsafePointer<UInt8>, count: Int, gb18030: Bool = false, first: Bool = false) {
    p = .allocate(capacity: count + 16)
    p.update(from: source, count: count)
    p[count] = 0x0A  // sentinel
    (p + count + 1).initialize(repeating: 0, count: 15)
    self.count = count
    self.gb18030 = gb18030
    self.first = first
  }

  deinit { p.deallocate() }

  /// A GB18030 block was not GB18030 throughout (or ended inside a character): the file
  /// is read again by `CSVReader`, whose message names the byte and its line.
  public struct NotGB18030: Error {}

  /// Calls `body` for each record, as `CSVReader` would for these bytes if they were the
  /// whole file (lines from 1); returns the number of line feeds. `name` stands for the
  /// path in errors. A GB18030 block is transcoded to UTF-8 first (`NotGB18030` if it
  /// cannot be).
  @discardableResult
  public func forEachRecord(name: String, _ body: (borrowing CSVRecord) throws -> Void) throws
    -> Int
  {
    var start = 0
    if gb18030 {
      try transcode()
      if first && count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { start = 3 }
    }
    let parser = RecordParser(name: name)
    _ = try parser.parse(p, from: start, to: count, eof: true, body)
    return parser.line - 1
  }

  /// Replaces the GB18030 text by its UTF-8 (at most 3 bytes for every 2: a two-byte
  /// character becomes three, a four-byte one four at most, ASCII stays).
  private func transcode() throws {
    guard let cd = iconv_open("UTF-8", "GB18030"), Int(bitPattern: cd) != -1 else { throw NotGB18030() }
    defer { iconv_close(cd) }
    let capacity = count + count / 2 + 16
    let out = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 16)
    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(p).assumingMemoryBound(to: CChar.self)
    var inLeft = count
    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(out).assumingMemoryBound(to: CChar.self)
    var outLeft = capacity
    if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 || inLeft != 0 {
      out.deallocate()
      throw NotGB18030()
    }
    let produced = capacity - outLeft
    out[produced] = 0x0A  // sentinel
    (out + produced + 1).initialize(repeating: 0, count: 15)
    p.deallocate()
    p = out
    count = produced
  }
}
