#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// write(2); a free function because `AtomicFile.write` shadows the name inside the type.
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
  write(fd, p, n)
}

/// Writes files so that readers see either the old content or the new, never a part.
///
/// The bytes go to a new temporary file beside the destination (same directory, hence
/// same file system; name `.NAME.tmp-PID-RANDOM`, created with O_CREAT|O_EXCL, mode 0644
/// less the umask), are flushed with fsync, and the temporary is renamed over the
/// destination (rename(2) is atomic); the directory is then fsynced, best effort. On any
/// failure the temporary is removed and the destination is untouched. A symbolic link at
/// the destination is replaced by the file, not followed.
public enum AtomicFile {
  /// Writes `bytes` to `path` atomically.
  ///
  /// - Parameter protecting: paths that must never be written (the command's inputs).
  ///   Compared after resolving symbolic links, `.` and `..` (realpath(3) where the file
  ///   or its directory exists, lexically otherwise), so `./data/../data/org.csv` and a
  ///   link to `org.csv` are both refused.
  /// - Throws: `OutputError.wouldOverwriteInput` or `OutputError.cannotWrite`.
  public static func write(
    _ bytes: [UInt8], to path: String, protecting: Set<String> = []
  ) throws(OutputError) {
    let file = try Temporary(path: path, protecting: protecting)
    bytes.withUnsafeBytes { file.write($0) }
    try file.commit()
  }

  /// A file being written atomically, a piece at a time (`JSONWriter.ObjectFile` streams
  /// results.json through one): the temporary beside `path` is opened at once, `write`
  /// appends to it, and `commit` fsyncs it, renames it over `path` and fsyncs the
  /// directory, as `AtomicFile.write` does. Until `commit`, `path` is untouched; a file
  /// dropped without `commit`, or one that failed, removes its temporary.
  ///
  /// Used from one thread at a time: `@unchecked Sendable` for handing it over.
  public final class Temporary: @unchecked Sendable {
    public let path: String
    private let temporary: String
    private var fd: Int32
    private var failure: OutputError?

    /// Opens the temporary, with permission bits `mode` (before the umask). `protecting`:
    /// paths that must never be written, compared as `AtomicFile.write` describes.
    public init(path: String, protecting: Set<String> = [], mode: mode_t = 0o644) throws(OutputError) {
      if !protecting.isEmpty {
        let target = canonicalPath(path)
        if protecting.contains(where: { canonicalPath($0) == target }) {
          throw .wouldOverwriteInput(path)
        }
      }
      let (directory, name) = split(path)
      guard !name.isEmpty else { throw .cannotWrite(path: path, reason: systemReason(EISDIR)) }
      var fd: Int32 = -1
      var temporary = ""
      for _ in 0..<16 {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        temporary = directory + "/." + name + ".tmp-\(getpid())-" + suffix
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd >= 0 || errno != EEXIST { break }
      }
      guard fd >= 0 else { throw .cannotWrite(path: path, reason: systemReason(errno)) }
      self.path = path
      self.temporary = temporary
      self.fd = fd
    }

    deinit {
      if fd >= 0 {
        close(fd)
        unlink(temporary)
      }
    }

    /// Whether a write has failed (`commit` will throw it; later writes are skipped).
    public var failed: Bool { failure != nil }

    /// Appends `bytes`. A write that fails is kept for `commit` to throw.
    public func write(_ bytes: UnsafeRawBufferPointer) {
      guard failure == nil, let base = bytes.baseAddress else { return }
      var offset = 0
      while offset < bytes.count {
        let n = posixWrite(fd, base + offset, bytes.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          failure = .cannotWrite(path: path, reason: systemReason(errno))
          return
        }
        offset += n
      }
    }

    /// Puts the file in place; throws the first failure, if any (the temporary is then
    /// removed and `path` left as it was). `durable`: fsync the file before the rename and
    /// the directory after it, so that the new content survives a crash of the machine;
    /// a cache that can be made again (the dataset snapshot, gigabytes) skips both.
    public func commit(durable: Bool = true) throws(OutputError) {
      if durable, failure == nil, fsync(fd) != 0 { failure = .cannotWrite(path: path, reason: systemReason(errno)) }
      if let failure {
        close(fd)
        fd = -1
        unlink(temporary)
        throw failure
      }
      let closed = close(fd)
      fd = -1
      if closed != 0 || rename(temporary, path) != 0 {
        let reason = systemReason(errno)
        unlink(temporary)
        throw .cannotWrite(path: path, reason: reason)
      }
      guard durable else { return }
      let dirfd = open(split(path).directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      if dirfd >= 0 {
        _ = fsync(dirfd)
        close(dirfd)
      }
    }
  }

  /// The directory (`.` when none) and last component of `path`.
  static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }

  /// The absolute path of `path` with symbolic links, `.` and `..` resolved: realpath(3)
  /// of the file, else of its directory plus the name, else lexical normalisation
  /// against the working directory.
  static func canonicalPath(_ path: String) -> String {
    if let resolved = realPath(path) { return resolved }
    let (directory, name) = split(path)
    if let resolved = realPath(directory), name != "..", name != "." {
      return resolved == "/" ? "/" + name : resolved + "/" + name
    }
    return lexicallyNormalised(path)
  }

  private static func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }

  private static func lexicallyNormalised(_ path: String) -> String {
    var absolute = path
    if !path.hasPrefix("/") {
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      if getcwd(&buffer, buffer.count) != nil {
        let cwd = String(
          decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        absolute = cwd + "/" + path
      }
    }
    var parts: [Substring] = []
    for part in absolute.split(separator: "/", omittingEmptySubsequences: true) {
      if part == "." { continue }
      if part == ".." {
        _ = parts.popLast()
      } else {
        parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }
}
