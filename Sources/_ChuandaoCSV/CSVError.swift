/// The text encoding a CSV file was read in (DATA.md: valid UTF-8 is UTF-8, else GB18030).
public enum TextEncoding: String, Sendable {
  case utf8
  case utf8BOM = "utf8-bom"
  case gb18030
}

/// What `CSVReader` learned about a file it read to the end.
public struct CSVFileInfo: Sendable, Equatable {
  public var encoding: TextEncoding
  /// Bytes in the file as stored (before any transcoding, BOM included).
  public var byteCount: Int
  /// Records delivered, the header included; blank lines are not records.
  public var recordCount: Int
  /// Physical lines: line feeds, plus one if the text does not end with a line feed.
  public var lineCount: Int

  public init(encoding: TextEncoding, byteCount: Int, recordCount: Int, lineCount: Int) {
    self.encoding = encoding
    self.byteCount = byteCount
    self.recordCount = recordCount
    self.lineCount = lineCount
  }
}

/// Why a CSV file could not be read. `path` is the path (or name) exactly as passed;
/// `line` is a 1-based physical line of the file as stored.
///
/// Records before the error have already been delivered when one of these is thrown
/// (the reader streams; GB18030 errors are only found while transcoding).
public enum CSVError: Error, Equatable, CustomStringConvertible {
  case cannotOpen(path: String, reason: String)
  /// Neither valid UTF-8 nor valid GB18030: the first byte GB18030 decoding rejects, or,
  /// in a file that is evidently UTF-8 (see `CSVReader`), the first byte of its first
  /// invalid UTF-8 sequence. `line` is that byte's physical line, also inside a quoted field.
  case notText(path: String, line: Int, byte: UInt8)
  /// A quoted field opened in the record starting on `line` never closes (at end of file,
  /// or within `CSVReader.maxRecordBytes`).
  case unterminatedQuote(path: String, line: Int)
  /// RFC 4180 strict: a `"` inside an unquoted field, or anything but a comma or line end
  /// after a closing quote. `line` is the record's first line.
  case badQuote(path: String, line: Int)
  case ioError(path: String, reason: String)

  public var description: String {
    switch self {
    case .cannotOpen(let path, let reason):
      return "\(path): error: cannot open: \(reason)"
    case .notText(let path, let line, let byte):
      let hex = String(byte, radix: 16, uppercase: true)
      return "\(path):\(line): error: byte 0x\(hex.count == 1 ? "0" + hex : hex) is neither "
        + "UTF-8 nor GB18030 text (save the file as \"CSV UTF-8\")"
    case .unterminatedQuote(let path, let line):
      return "\(path):\(line): error: the quoted field starting in this record never closes"
    case .badQuote(let path, let line):
      return "\(path):\(line): error: misplaced quote: a field containing \" must be quoted "
        + "as a whole, with each \" inside it doubled"
    case .ioError(let path, let reason):
      return "\(path): error: cannot read: \(reason)"
    }
  }
}
