import Foundation
import _ChuandaoOutput

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The dataset snapshot file (docs/snapshot.md): a loaded `Dataset` as columns, with the
/// identity and SHA-256 of every input it was made from.
///
/// ```
/// 0       "CDSNAP\r\n"
/// 8       format version (UInt32), 0 (UInt32)
/// 16      header length H (UInt64, a multiple of 8), XXH64 of the header (UInt64)
/// 32      header (SnapshotHeader)
/// 32 + H  columns (SnapshotColumns)
/// end-24  length of everything before this (UInt64), XXH64 of it (UInt64), "CDSNAPOK"
/// ```
/// Numbers are little-endian and every value starts on an 8-byte boundary, so the file can
/// be mapped and its columns copied out whole.
public enum DatasetSnapshot {
  /// Changes with every change to the header's or the columns' layout.
  public static let formatVersion: UInt32 = 4
  static let magic = Array("CDSNAP\r\n".utf8)
  static let endMagic = Array("CDSNAPOK".utf8)
  static let preambleSize = 32
  static let trailerSize = 24

  /// Writes the snapshot to `path` atomically: a temporary file in the same folder (mode
  /// 0600: it holds the dataset), renamed over `path` once whole. Not fsynced: a file torn
  /// by a crash fails its checksum and is rebuilt.
  /// - Throws: the reason, from the operating system.
  static func write(_ dataset: Dataset, header: SnapshotHeader, to path: String) throws(SnapshotFault) {
    var headerBytes: [UInt8] = []
    var hw = SnapshotWriter { headerBytes.append(contentsOf: $0) }
    header.write(into: &hw)
    _ = hw.finish()

    let out = try OutputFile(path: path)
    var w = SnapshotWriter { out.write($0) }
    magic.withUnsafeBytes { w.raw($0) }
    var preamble = [UInt8](repeating: 0, count: 24)
    preamble.withUnsafeMutableBytes { p in
      p.storeBytes(of: formatVersion.littleEndian, toByteOffset: 0, as: UInt32.self)
      p.storeBytes(of: UInt64(headerBytes.count).littleEndian, toByteOffset: 8, as: UInt64.self)
      headerBytes.withUnsafeBytes { h in
        p.storeBytes(of: XXH64.hash(h).littleEndian, toByteOffset: 16, as: UInt64.self)
      }
    }
    preamble.withUnsafeBytes { w.raw($0) }
    headerBytes.withUnsafeBytes { w.raw($0) }
    SnapshotColumns.write(dataset, into: &w)
    let length = UInt64(w.count)
    let checksum = w.finish()
    var trailer: [UInt8] = []
    withUnsafeBytes(of: length.littleEndian) { trailer.append(contentsOf: $0) }
    withUnsafeBytes(of: checksum.littleEndian) { trailer.append(contentsOf: $0) }
    trailer.append(contentsOf: endMagic)
    trailer.withUnsafeBytes { out.write($0) }
    try out.commit()
  }

  /// A snapshot file mapped into memory, read in steps so that a stale one costs only its
  /// header: `header()`, then `verify()` (the checksum of every byte), then `dataset`.
  ///
  /// `@unchecked Sendable`: the mapping is read-only and lives, unchanged, as long as the
  /// object; two threads read it at once (the checksum and the columns).
  final class Mapped: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    /// Maps `path`; nil when there is no file there, or none this process may open (then
    /// writing one fails too, and says so once).
    init?(path: String) throws(SnapshotRejection) {
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { return nil }
      defer { close(fd) }
      var s = stat()
      guard fstat(fd, &s) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
      let size = Int(s.st_size)
      guard size > 0 else { throw .truncated }
      guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
        throw .unreadable(String(cString: strerror(errno)))
      }
      base = p
      bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
      if let base { munmap(base, bytes.count) }
    }

    /// The header, after checking the magic, the format, the length and the header's
    /// checksum.
    func header() throws(SnapshotRejection) -> SnapshotHeader {
      let size = bytes.count
      let head = min(size, 8)
      guard bytes.prefix(head).elementsEqual(DatasetSnapshot.magic.prefix(head)) else {
        throw .damaged("not a snapshot file")
      }
      guard size >= 12 else { throw .truncated }
      let format = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
      guard format == DatasetSnapshot.formatVersion else {
        throw .otherVersion(LocalizedText(zh: "快照格式 \(format)", en: "snapshot format \(format)"))
      }
      let minimum = DatasetSnapshot.preambleSize + DatasetSnapshot.trailerSize
      guard size >= minimum, bytes.suffix(8).elementsEqual(DatasetSnapshot.endMagic) else { throw .truncated }
      let length = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: size - 24, as: UInt64.self))
      guard length == UInt64(size - DatasetSnapshot.trailerSize) else {
        throw length > UInt64(size - DatasetSnapshot.trailerSize) ? .truncated : .damaged("wrong length")
      }
      let headerLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
      let headerHash = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
      guard headerLength <= UInt64(size - minimum) else { throw .damaged("header length") }
      let end = DatasetSnapshot.preambleSize + Int(headerLength)
      let region = UnsafeRawBufferPointer(rebasing: bytes[DatasetSnapshot.preambleSize..<end])
      guard XXH64.hash(region) == headerHash else { throw .damaged("header checksum mismatch") }
      var r = SnapshotReader(region)
      do throws(SnapshotFault) {
        let header = try SnapshotHeader.read(&r)
        guard r.remaining == 0 else { throw SnapshotFault("bytes after the header") }
        return header
      } catch {
        throw .damaged(error.what)
      }
    }

    /// Checks the checksum of the whole file, 64 MiB at a time, giving each piece's pages
    /// back once hashed (`SnapshotReader.releasePages`).
    func verify(piece: Int = Mapped.verifyPiece) throws(SnapshotRejection) {
      let end = bytes.count - DatasetSnapshot.trailerSize
      let recorded = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: end + 8, as: UInt64.self))
      var hash = XXH64()
      var start = 0
      while start < end {
        let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<min(end, start + piece)])
        hash.update(piece)
        SnapshotReader.releasePages(piece)
        start += piece.count
      }
      guard hash.finalize() == recorded else { throw .damaged("checksum mismatch") }
    }

    /// The bytes `verify` hashes before giving their pages back.
    static let verifyPiece = 64 << 20

    /// The dataset of a verified snapshot; `folder` is the folder as given now.
    func dataset(folder: String, header: SnapshotHeader) throws(SnapshotRejection) -> Dataset {
      let headerLength = Int(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
      let start = DatasetSnapshot.preambleSize + headerLength
      let end = bytes.count - DatasetSnapshot.trailerSize
      var r = SnapshotReader(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), releasesPages: true)
      do {
        return try SnapshotColumns.read(
          &r, folder: folder, folderName: header.nameFromFolder ? DatasetSnapshot.folderName(folder) : nil,
          digests: Dictionary(header.inputs.map { ($0.file.name, $0.sha256) }, uniquingKeysWith: { a, _ in a }))
      } catch {
        throw .damaged(error.what)
      }
    }
  }

  /// The manifest's default name, as the loader makes it (`DatasetLoader.run`).
  static func folderName(_ folder: String) -> String {
    (folder as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? folder
  }

  /// Whether `dataset.yaml` in `folder` leaves the name to the folder: parsed again with a
  /// folder name no manifest can spell.
  static func nameFromFolder(_ folder: String) -> Bool {
    let path = (folder as NSString).appendingPathComponent("dataset.yaml")
    guard let data = FileManager.default.contents(atPath: path), let text = String(validating: data, as: UTF8.self)
    else { return false }
    let sentinel = "\u{0}folder\u{0}"
    var log = DiagnosticLog()
    return Manifest.parse(yaml: text, folderName: sentinel, log: &log)?.name == sentinel
  }
}

/// The temporary file a snapshot is written to (`AtomicFile.Temporary`: beside the path,
/// renamed into place by `commit`, removed when dropped uncommitted), readable by its owner
/// only and without fsync: a snapshot is a cache, made again when lost.
private final class OutputFile {
  private let file: AtomicFile.Temporary

  init(path: String) throws(SnapshotFault) {
    do {
      file = try AtomicFile.Temporary(path: path, mode: 0o600)
    } catch {
      throw SnapshotFault(Self.reason(error))
    }
  }

  func write(_ bytes: UnsafeRawBufferPointer) { file.write(bytes) }

  /// The system's reason, as the snapshot's messages give it.
  static func reason(_ error: OutputError) -> String {
    switch error {
    case .cannotWrite(_, let reason), .cannotRead(_, let reason): return reason
    case .wouldOverwriteInput: return error.description
    }
  }

  func commit() throws(SnapshotFault) {
    do {
      try file.commit(durable: false)
    } catch {
      throw SnapshotFault(Self.reason(error))
    }
  }
}
