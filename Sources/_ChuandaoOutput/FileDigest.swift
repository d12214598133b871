import Crypto

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// SHA-256 (FIPS 180-4) digests as lowercase hex, the form `sha256sum` prints.
public enum FileDigest {
  /// Files are read in chunks of this many bytes (1 MiB), so memory stays flat.
  public static let chunkSize = 1 << 20

  /// The SHA-256 of the file at `path`, streamed in `chunkSize` reads.
  /// - Throws: `OutputError.cannotRead` (missing file, a directory, no permission, I/O).
  public static func sha256Hex(path: String) throws(OutputError) -> String {
    var hasher = SHA256()
    try forEachChunk(ofFile: path) { hasher.update(bufferPointer: $0) }
    return hex(hasher.finalize())
  }

  /// A SHA-256 fed piece by piece: the loader hashes each file from the bytes it reads.
  public final class Stream {
    private var hasher = SHA256()

    public init() {}

    public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    /// The digest of everything fed so far, as lowercase hex.
    public func hex() -> String { FileDigest.hex(hasher.finalize()) }
  }

  public static func sha256Hex(bytes: [UInt8]) -> String {
    hex(SHA256.hash(data: bytes))
  }

  static func hex(_ digest: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for b in digest {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}

/// Calls `body` with successive chunks of the file at `path` (at most
/// `FileDigest.chunkSize` bytes each; none for an empty file).
func forEachChunk(
  ofFile path: String, _ body: (UnsafeRawBufferPointer) -> Void
) throws(OutputError) {
  let fd = open(path, O_RDONLY | O_CLOEXEC)
  guard fd >= 0 else { throw .cannotRead(path: path, reason: systemReason(errno)) }
  defer { close(fd) }
  let buffer = UnsafeMutableRawBufferPointer.allocate(
    byteCount: FileDigest.chunkSize, alignment: 16)
  defer { buffer.deallocate() }
  while true {
    let n = read(fd, buffer.baseAddress!, buffer.count)
    if n < 0 {
      if errno == EINTR { continue }
      throw .cannotRead(path: path, reason: systemReason(errno))
    }
    if n == 0 { return }
    body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
  }
}

/// The whole content of the file at `path`.
func readFile(_ path: String) throws(OutputError) -> [UInt8] {
  var bytes: [UInt8] = []
  try forEachChunk(ofFile: path) { bytes.append(contentsOf: $0) }
  return bytes
}
