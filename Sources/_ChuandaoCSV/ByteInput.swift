import Glibc

/// Where the reader's bytes come from: a regular file read with `pread`, or an array.
/// Both are read by offset, because the reader reads twice (UTF-8 check, then records).
final class ByteInput {
  private enum Storage {
    case file(Int32)
    case memory([UInt8])
  }
  private let storage: Storage
  let name: String
  /// The size when opened (a hint: a file may grow, and /proc files report 0).
  let sizeHint: Int
  /// Sees every byte of the input once, in order, whichever pass reads it first.
  var tap: ByteTap?

  init(bytes: [UInt8], name: String) {
    storage = .memory(bytes)
    self.name = name
    sizeHint = bytes.count
  }

  init(path: String) throws(CSVError) {
    name = path
    var fd: Int32
    repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
    guard fd >= 0 else { throw .cannotOpen(path: path, reason: ByteInput.errnoText()) }
    var st = stat()
    if fstat(fd, &st) != 0 {
      let reason = ByteInput.errnoText()
      close(fd)
      throw .cannotOpen(path: path, reason: reason)
    }
    if (st.st_mode & S_IFMT) == S_IFDIR {
      close(fd)
      throw .cannotOpen(path: path, reason: "is a directory")
    }
    storage = .file(fd)
    sizeHint = Int(st.st_size)
  }

  deinit {
    if case .file(let fd) = storage { close(fd) }
  }

  /// Reads up to `count` bytes at `offset`; 0 means end of input.
  func read(at offset: Int, into p: UnsafeMutablePointer<UInt8>, count: Int) throws(CSVError) -> Int
  {
    switch storage {
    case .memory(let a):
      let n = min(count, a.count - offset)
      guard n > 0 else { return 0 }
      a.withUnsafeBufferPointer { p.update(from: $0.baseAddress! + offset, count: n) }
      tap?.offer(UnsafePointer(p), count: n, at: offset)
      return n
    case .file(let fd):
      while true {
        let n = pread(fd, p, count, off_t(offset))
        if n >= 0 {
          tap?.offer(UnsafePointer(p), count: n, at: offset)
          return n
        }
        if errno != EINTR { throw .ioError(path: name, reason: ByteInput.errnoText()) }
      }
    }
  }

  /// Reads what the tap has not seen yet, to the end (a no-op after a full pass).
  func tapRest() throws(CSVError) {
    guard let tap else { return }
    let size = 1 << 20
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
    defer { p.deallocate() }
    while try read(at: tap.count, into: p, count: size) > 0 {}
  }

  /// The byte at `offset`, which must exist.
  func byte(at offset: Int) throws(CSVError) -> UInt8 {
    var b: UInt8 = 0
    guard try read(at: offset, into: &b, count: 1) == 1 else {
      throw .ioError(path: name, reason: "the file shrank while being read")
    }
    return b
  }

  /// The 1-based line of byte `offset`: one plus the line feeds before it.
  func line(ofByteAt offset: Int) throws(CSVError) -> Int {
    let size = 1 << 16
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
    defer { p.deallocate() }
    var line = 1
    var at = 0
    while at < offset {
      let n = try read(at: at, into: p, count: min(size, offset - at))
      if n == 0 { break }
      for k in 0..<n where p[k] == 0x0A { line += 1 }
      at += n
    }
    return line
  }

  static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Hands every byte of a file to `consume` exactly once and in order, however many passes
/// read it (the UTF-8 check, GB18030 decoding, a parallel read's windows): a pass offers
/// what it read at its offset, and only bytes just past those already handed over are
/// taken. The reader reads every file to its end on success, so the consumer (a SHA-256)
/// has seen the whole file when the read returns.
public final class ByteTap {
  private let consume: (UnsafeRawBufferPointer) -> Void
  /// Bytes handed to `consume` so far: the file's first `count` bytes.
  public private(set) var count = 0

  public init(_ consume: @escaping (UnsafeRawBufferPointer) -> Void) { self.consume = consume }

  /// Offers `p[0..<n]`, the file's bytes at `offset`.
  func offer(_ p: UnsafePointer<UInt8>, count n: Int, at offset: Int) {
    guard offset <= count, offset + n > count else { return }
    let skip = count - offset
    consume(UnsafeRawBufferPointer(start: p + skip, count: n - skip))
    count = offset + n
  }
}
