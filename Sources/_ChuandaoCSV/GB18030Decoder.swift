import Glibc

/// Streams GB18030 bytes from a `ByteInput` to UTF-8 with glibc's iconv.
///
/// Raw input is read `chunkSize` bytes at a time; a multibyte sequence cut by the end of a
/// chunk (iconv's EINVAL) is carried into the next read. A byte iconv rejects (EILSEQ), or a
/// sequence cut by the end of the file, is `CSVError.notText` naming the line of that byte in
/// the file as stored (line feeds are single bytes in GB18030 and never occur inside a
/// multibyte sequence, whose trail bytes are 0x30...0x39 and 0x40...0xFE). The text before
/// that byte is returned first and the error thrown by the next call, so the reader's
/// errors come in file order whatever the chunk size.
final class GB18030Decoder {
  private let input: ByteInput
  private let chunkSize: Int
  private let cd: iconv_t
  private let raw: UnsafeMutablePointer<UInt8>
  private var rawStart = 0  // next byte to convert
  private var rawEnd = 0  // end of bytes read
  private var rawOffset = 0  // file offset of raw[0]
  private var inputEOF = false
  /// Bytes read from the input so far.
  private(set) var bytesRead = 0
  /// An error found after text that was returned first.
  private var failure: CSVError?

  init(input: ByteInput, chunkSize: Int) throws(CSVError) {
    guard let cd = iconv_open("UTF-8", "GB18030"), Int(bitPattern: cd) != -1 else {
      throw .ioError(
        path: input.name, reason: "iconv cannot convert GB18030: \(ByteInput.errnoText())")
    }
    self.cd = cd
    self.input = input
    self.chunkSize = chunkSize
    raw = .allocate(capacity: chunkSize + 8)
  }

  deinit {
    iconv_close(cd)
    raw.deallocate()
  }

  /// Writes UTF-8 into `out[0..<capacity]` (capacity >= 4) until it is full or the input
  /// ends, and returns the count; 0 only at the end of the input.
  func decode(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws(CSVError) -> Int {
    precondition(capacity >= 4, "GB18030Decoder: output capacity below one character")
    if let failure { throw failure }
    var produced = 0
    while true {
      if rawStart < rawEnd {
        var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(raw + rawStart)
          .assumingMemoryBound(to: CChar.self)
        var inLeft = rawEnd - rawStart
        var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(out + produced)
          .assumingMemoryBound(to: CChar.self)
        var outLeft = capacity - produced
        let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
        let code = errno
        rawStart = rawEnd - inLeft
        produced = capacity - outLeft
        if r == -1 {
          switch code {
          case E2BIG:
            return produced
          case EILSEQ:
            return try fail(at: rawStart, produced: produced)
          case EINVAL:
            break  // a sequence cut by the end of the chunk: read more below
          default:
            throw .ioError(path: input.name, reason: "iconv: \(String(cString: strerror(code)))")
          }
        }
      }
      if inputEOF {
        if rawStart < rawEnd { return try fail(at: rawStart, produced: produced) }
        return produced
      }
      // Keep the cut sequence (at most 3 bytes) and read the next chunk after it.
      let keep = rawEnd - rawStart
      if keep > 0 { memmove(raw, raw + rawStart, keep) }
      rawOffset += rawStart
      rawStart = 0
      rawEnd = keep
      let n = try input.read(at: rawOffset + keep, into: raw + keep, count: chunkSize)
      if n == 0 { inputEOF = true }
      rawEnd += n
      bytesRead += n
    }
  }

  /// Whether all of `input` is GB18030: a decoding pass that discards the text.
  static func accepts(_ input: ByteInput, chunkSize: Int) throws(CSVError) -> Bool {
    let decoder = try GB18030Decoder(input: input, chunkSize: chunkSize)
    let capacity = 2 * chunkSize + 8
    let out = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    defer { out.deallocate() }
    do {
      while try decoder.decode(into: out, capacity: capacity) > 0 {}
      return true
    } catch {
      if case .notText = error { return false }
      throw error
    }
  }

  /// Throws `notText` for `raw[k]` now, or after returning the `produced` bytes before it.
  private func fail(at k: Int, produced: Int) throws(CSVError) -> Int {
    let line = try input.line(ofByteAt: rawOffset + k)
    let error = CSVError.notText(path: input.name, line: line, byte: raw[k])
    guard produced > 0 else { throw error }
    failure = error
    return produced
  }
}
