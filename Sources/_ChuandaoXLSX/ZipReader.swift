import CZlibInflate
import Glibc

/// Bounds that stop a zip bomb before it fills memory or disk: what Apache POI's
/// `ZipSecureFile` checks, with POI's defaults.
///
/// - `maxEntryBytes`: the uncompressed size of one part, declared or inflated (POI's
///   `MAX_ENTRY_SIZE`, 4 GiB - 1: the largest a non-ZIP64 entry can declare).
/// - `maxTotalBytes`: all the parts one workbook read inflates, together (8 GiB; POI has no
///   total, the issue asks for one). A sheet at Excel's row limit is about 0.1-0.2 GB.
/// - `minInflateRatio`: compressed / uncompressed bytes of a part may not fall below this
///   once more than `graceBytes` have been inflated (POI's `MIN_INFLATE_RATIO` 0.01, i.e. at
///   most 100 : 1, and its 100 KiB grace). Real sheets compress 5-30 : 1.
public struct ZipLimits: Sendable, Equatable {
  public var maxEntryBytes: Int64 = 0xFFFF_FFFF
  public var maxTotalBytes: Int64 = 8 << 30
  public var minInflateRatio = 0.01
  public var graceBytes: Int64 = 100 * 1024
  /// Entries in the central directory (a workbook has tens).
  public var maxEntries = 100_000
  /// The text of the shared-string table, which is held in memory while sheets are read
  /// (a million distinct ids of 20 characters are 20 MB).
  public var maxSharedStringBytes = 1 << 30

  public init() {}
}

/// Reads the entries of a zip file with bounds checked at every step: the central
/// directory, each local header, the deflate stream with the limits of `ZipLimits`, the
/// CRC-32. A damaged or hostile file ends in an `XLSXError`, never in a trap or a loop.
///
/// Why not ZIPFoundation's reader: in 0.9.20 on Linux, `Archive.extract` inflates without
/// regard to the entry's compressed size and, when the stream is cut short (a truncated
/// file), keeps reading empty chunks at the end of the file forever; and it does not expose
/// an entry's data offset, so a caller cannot bound the read itself. ZIPFoundation writes
/// the workbooks (`XLSXWriter`), and the tests check that this reader and ZIPFoundation's
/// agree on every entry of the files it makes.
final class ZipReader {
  struct Entry: Sendable {
    var name: String
    var method: UInt16
    var flags: UInt16
    var crc: UInt32
    var compressedSize: Int64
    var uncompressedSize: Int64
    var headerOffset: Int64
  }

  let path: String
  let size: Int64
  let limits: ZipLimits
  private let fd: Int32
  private(set) var entries: [String: Entry] = [:]
  /// Bytes inflated so far by this reader, for `maxTotalBytes`.
  private(set) var inflatedTotal: Int64 = 0

  init(path: String, limits: ZipLimits) throws(XLSXError) {
    self.path = path
    self.limits = limits
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw .unreadable(reason)
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      close(fd)
      throw .unreadable("not a regular file")
    }
    self.fd = fd
    self.size = Int64(st.st_size)
    try readSignature()
    try readDirectory()
  }

  deinit { close(fd) }

  // MARK: Reading bytes

  /// Exactly `count` bytes at `offset`, or an error naming `what` when the file ends first.
  func read(_ count: Int, at offset: Int64, what: String) throws(XLSXError) -> [UInt8] {
    guard count >= 0, offset >= 0, offset <= size, Int64(count) <= size - offset else {
      throw .corruptZip("\(what) lies past the end of the file")
    }
    var out = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let got = out.withUnsafeMutableBytes { p in
        pread(fd, p.baseAddress! + done, count - done, off_t(offset) + off_t(done))
      }
      if got < 0 {
        if errno == EINTR { continue }
        throw .unreadable(String(cString: strerror(errno)))
      }
      if got == 0 { throw .corruptZip("\(what) lies past the end of the file") }
      done += got
    }
    return out
  }

  private func readSignature() throws(XLSXError) {
    let head = try? read(min(8, Int(size)), at: 0, what: "the signature")
    guard let head, head.count >= 4 else { throw .notZip }
    if head.count == 8 && head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
      throw CompoundFile.isEncrypted(self) ? .passwordProtected : .legacyBinary
    }
    // A local file header, or the end record of an empty archive.
    guard head[0] == 0x50, head[1] == 0x4B,
      (head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)
    else { throw .notZip }
  }

  // MARK: The central directory

  private func readDirectory() throws(XLSXError) {
    // The end of central directory record: 22 bytes and a comment of up to 65,535.
    let tail = Int(min(size, 22 + 65_535))
    let bytes = try read(tail, at: size - Int64(tail), what: "the end of the central directory")
    var at = -1
    var k = tail - 22
    while k >= 0 {
      if bytes[k] == 0x50 && bytes[k + 1] == 0x4B && bytes[k + 2] == 5 && bytes[k + 3] == 6 {
        at = k; break
      }
      k -= 1
    }
    guard at >= 0 else {
      throw .corruptZip("no end of central directory record: the file is truncated")
    }
    let eocdOffset = size - Int64(tail) + Int64(at)
    var count = Int64(le16(bytes, at + 10))
    var cdSize = Int64(le32(bytes, at + 12))
    var cdOffset = Int64(le32(bytes, at + 16))
    if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
      // ZIP64: the locator sits just before the end record.
      guard eocdOffset >= 20 else { throw .corruptZip("a ZIP64 archive without its locator") }
      let loc = try read(20, at: eocdOffset - 20, what: "the ZIP64 locator")
      guard le32(loc, 0) == 0x0706_4B50 else {
        throw .corruptZip("a ZIP64 archive without its locator")
      }
      let recordOffset = Int64(bitPattern: le64(loc, 8))
      let rec = try read(56, at: recordOffset, what: "the ZIP64 end record")
      guard le32(rec, 0) == 0x0606_4B50 else { throw .corruptZip("a bad ZIP64 end record") }
      count = Int64(bitPattern: le64(rec, 32))
      cdSize = Int64(bitPattern: le64(rec, 40))
      cdOffset = Int64(bitPattern: le64(rec, 48))
    }
    guard count >= 0, count <= Int64(limits.maxEntries) else {
      throw .corruptZip("the directory declares \(count) entries")
    }
    guard cdOffset >= 0, cdSize >= 0, cdSize <= 256 << 20, cdOffset <= size,
      cdSize <= size - cdOffset
    else {
      throw .corruptZip("the central directory lies past the end of the file")
    }
    let cd = try read(Int(cdSize), at: cdOffset, what: "the central directory")
    var p = 0
    for _ in 0..<count {
      guard p + 46 <= cd.count, le32(cd, p) == 0x0201_4B50 else {
        throw .corruptZip("a damaged central directory entry")
      }
      let flags = le16(cd, p + 8)
      let method = le16(cd, p + 10)
      let crc = le32(cd, p + 16)
      var csize = Int64(le32(cd, p + 20))
      var usize = Int64(le32(cd, p + 24))
      let nameLength = Int(le16(cd, p + 28))
      let extraLength = Int(le16(cd, p + 30))
      let commentLength = Int(le16(cd, p + 32))
      var offset = Int64(le32(cd, p + 42))
      let end = p + 46 + nameLength + extraLength + commentLength
      guard end <= cd.count else { throw .corruptZip("a damaged central directory entry") }
      let name = String(decoding: cd[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
      // ZIP64 extended information: the 0xFFFFFFFF fields, in order.
      var e = p + 46 + nameLength
      let extraEnd = e + extraLength
      while e + 4 <= extraEnd {
        let id = le16(cd, e)
        let length = Int(le16(cd, e + 2))
        guard e + 4 + length <= extraEnd else { break }
        if id == 1 {
          var q = e + 4
          func next() -> Int64? {
            guard q + 8 <= e + 4 + length else { return nil }
            defer { q += 8 }
            return Int64(bitPattern: le64(cd, q))
          }
          if usize == 0xFFFF_FFFF { usize = next() ?? usize }
          if csize == 0xFFFF_FFFF { csize = next() ?? csize }
          if offset == 0xFFFF_FFFF { offset = next() ?? offset }
        }
        e += 4 + length
      }
      guard csize >= 0, usize >= 0, offset >= 0 else {
        throw .corruptZip("entry \(name) declares a negative size")
      }
      if entries[name] == nil {
        entries[name] = Entry(
          name: name, method: method, flags: flags, crc: crc, compressedSize: csize,
          uncompressedSize: usize, headerOffset: offset)
      }
      p = end
    }
  }

  // MARK: Inflating one entry

  /// Streams the uncompressed bytes of entry `name` to `body`, a chunk at a time, checking
  /// the bounds and the CRC-32. The chunk is valid only during the call.
  func stream(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) throws(XLSXError) -> Void)
    throws(XLSXError)
  {
    guard let entry = entries[name] else { throw .missingPart(name) }
    if entry.flags & 1 != 0 { throw .passwordProtected }
    guard entry.uncompressedSize <= limits.maxEntryBytes else {
      throw .bomb(
        what:
          "part \(name) declares \(entry.uncompressedSize) bytes uncompressed, above the bound of \(limits.maxEntryBytes) per part"
      )
    }
    let header = try read(30, at: entry.headerOffset, what: "the local header of \(name)")
    guard le32(header, 0) == 0x0403_4B50 else {
      throw .corruptZip("the local header of \(name) is damaged")
    }
    let dataStart = entry.headerOffset + 30 + Int64(le16(header, 26)) + Int64(le16(header, 28))
    guard dataStart <= size, entry.compressedSize <= size - dataStart else {
      throw .corruptZip("the data of \(name) lies past the end of the file")
    }
    var crc: UInt = crc32(0, nil, 0)
    var produced: Int64 = 0
    let chunk = 1 << 18
    func deliver(_ p: UnsafeBufferPointer<UInt8>, consumed: Int64) throws(XLSXError) {
      produced += Int64(p.count)
      inflatedTotal += Int64(p.count)
      if produced > entry.uncompressedSize {
        throw .corruptZip(
          "part \(name) inflates past its declared size of \(entry.uncompressedSize) bytes")
      }
      if inflatedTotal > limits.maxTotalBytes {
        throw .bomb(
          what: "the parts read inflate past the bound of \(limits.maxTotalBytes) bytes in all")
      }
      if produced > limits.graceBytes
        && Double(consumed) / Double(produced) < limits.minInflateRatio
      {
        throw .bomb(
          what:
            "part \(name) inflates more than \(Int(1 / limits.minInflateRatio)) times its compressed size, the bound (Apache POI's minimum inflate ratio \(limits.minInflateRatio))"
        )
      }
      crc = crc32(crc, p.baseAddress, uInt(p.count))
      try body(p)
    }
    switch entry.method {
    case 0:
      guard entry.compressedSize == entry.uncompressedSize else {
        throw .corruptZip("stored part \(name) has two sizes")
      }
      var at: Int64 = 0
      while at < entry.compressedSize {
        let n = Int(min(Int64(chunk), entry.compressedSize - at))
        let bytes = try read(n, at: dataStart + at, what: "the data of \(name)")
        at += Int64(n)
        try bytes.withUnsafeBufferPointer { (p) throws(XLSXError) in try deliver(p, consumed: at) }
      }
    case 8:
      try inflate(entry, from: dataStart, chunk: chunk, deliver)
    default:
      throw .corruptZip(
        "part \(name) uses compression method \(entry.method), which is not deflate")
    }
    guard produced == entry.uncompressedSize else {
      throw .corruptZip(
        "part \(name) inflates to \(produced) bytes, not the \(entry.uncompressedSize) declared")
    }
    guard UInt32(truncatingIfNeeded: crc) == entry.crc else {
      throw .corruptZip("the CRC-32 of part \(name) does not match")
    }
  }

  private func inflate(
    _ entry: Entry, from dataStart: Int64, chunk: Int,
    _ deliver: (UnsafeBufferPointer<UInt8>, Int64) throws(XLSXError) -> Void
  ) throws(XLSXError) {
    var z = z_stream()
    guard inflateInit2_(&z, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else {
      throw .unreadable("zlib cannot start")
    }
    defer { inflateEnd(&z) }
    let output = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
    defer { output.deallocate() }
    var consumed: Int64 = 0
    var input: [UInt8] = []
    var finished = false
    while !finished {
      if z.avail_in == 0 {
        guard consumed < entry.compressedSize else {
          throw .corruptZip("the compressed data of \(entry.name) ends before its stream does")
        }
        let n = Int(min(Int64(chunk), entry.compressedSize - consumed))
        input = try read(n, at: dataStart + consumed, what: "the data of \(entry.name)")
        consumed += Int64(n)
      }
      // `input` stays alive and unmoved until it is replaced above, after zlib used it all.
      let status: Int32 = input.withUnsafeMutableBufferPointer { p in
        if z.avail_in == 0 {
          z.next_in = p.baseAddress
          z.avail_in = uInt(p.count)
        }
        z.next_out = output
        z.avail_out = uInt(chunk)
        return CZlibInflate.inflate(&z, Z_NO_FLUSH)
      }
      switch status {
      case Z_OK, Z_BUF_ERROR: break
      case Z_STREAM_END: finished = true
      default: throw .corruptZip("the compressed data of \(entry.name) is damaged")
      }
      let got = chunk - Int(z.avail_out)
      if got > 0 { try deliver(UnsafeBufferPointer(start: output, count: got), consumed) }
      if status == Z_BUF_ERROR && got == 0 && z.avail_in > 0 {
        throw .corruptZip("the compressed data of \(entry.name) is damaged")
      }
    }
  }
}

@inline(__always) func le16(_ b: [UInt8], _ i: Int) -> UInt16 {
  UInt16(b[i]) | UInt16(b[i + 1]) << 8
}
@inline(__always) func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
  UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
}
@inline(__always) func le64(_ b: [UInt8], _ i: Int) -> UInt64 {
  UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32
}

/// The OLE compound file (CFB) in which Office stores both the old `.xls` and an encrypted
/// `.xlsx` (MS-OFFCRYPTO: streams `EncryptionInfo` and `EncryptedPackage`).
enum CompoundFile {
  /// Whether the file names an `EncryptionInfo` or `EncryptedPackage` stream: the
  /// directory's names are UTF-16LE, searched for in the whole file a megabyte at a time.
  static func isEncrypted(_ zip: ZipReader) -> Bool {
    let needles: [[UInt8]] = ["EncryptionInfo", "EncryptedPackage"].map { s in
      s.utf8.flatMap { [$0, 0] }
    }
    let step = 1 << 20
    let overlap = 64
    var at: Int64 = 0
    while at < zip.size {
      let n = Int(min(Int64(step + overlap), zip.size - at))
      guard let bytes = try? zip.read(n, at: at, what: "") else { return false }
      for needle in needles where contains(bytes, needle) { return true }
      at += Int64(step)
    }
    return false
  }

  private static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
    hay.withUnsafeBytes { h in
      needle.withUnsafeBufferPointer { n in
        findBytes(
          h.baseAddress!.assumingMemoryBound(to: UInt8.self), h.count, n.baseAddress!, n.count)
          != nil
      }
    }
  }
}
