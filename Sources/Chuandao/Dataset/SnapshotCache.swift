import Foundation
import _ChuandaoOutput
import _ChuandaoParallel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The folder where dataset snapshots are kept (docs/snapshot.md): one file per dataset
/// folder, `snapshots/HEX.cdsnap`, HEX the SHA-256 of the folder's resolved absolute path.
/// Nothing is ever written into the dataset folder.
public struct SnapshotCache: Sendable {
  public var folder: String

  public init(folder: String) { self.folder = folder }

  /// `$CHUANDAO_CACHE` when set, else `$XDG_CACHE_HOME/chuandao`, else `~/.cache/chuandao`;
  /// nil when none can be named (no home).
  public static func defaultFolder(environment: [String: String]) -> String? {
    if let dir = environment["CHUANDAO_CACHE"], !dir.isEmpty { return dir }
    // The XDG base directory specification ignores a relative XDG_CACHE_HOME.
    if let dir = environment["XDG_CACHE_HOME"], dir.hasPrefix("/") { return dir + "/chuandao" }
    if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/chuandao" }
    return nil
  }

  /// The snapshot file of the dataset folder `folder`.
  public func snapshotPath(forDataset folder: String) -> String {
    snapshotPath(resolved: SnapshotCache.resolved(folder))
  }

  func snapshotPath(resolved: String) -> String {
    folder + "/snapshots/" + FileDigest.sha256Hex(bytes: Array(resolved.utf8)) + ".cdsnap"
  }

  /// `folder` as an absolute path with links, `.` and `..` resolved (realpath(3)), or made
  /// absolute by hand when it does not exist.
  static func resolved(_ folder: String) -> String {
    if let p = realpath(folder, nil) {
      defer { free(p) }
      return String(cString: p)
    }
    let absolute = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
    return (absolute as NSString).standardizingPath
  }

  /// Makes the cache folder and its `snapshots/` (mode 0700: snapshots hold the data).
  func prepare() throws(SnapshotFault) {
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw SnapshotFault(folder + ": " + ((error as NSError).localizedFailureReason ?? "cannot be made"))
    }
    let dir = folder + "/snapshots"
    if mkdir(dir, 0o700) != 0 && errno != EEXIST {
      throw SnapshotFault(dir + ": " + String(cString: strerror(errno)))
    }
  }
}

/// How a snapshot is checked before it is used.
public enum SnapshotVerification: Sendable {
  /// Every input's size, modification time and inode as recorded (and the SHA-256 of a
  /// file modified just before the snapshot was made).
  case metadata
  /// That, and every input's SHA-256 computed again and equal to the recorded one
  /// (`--rehash`).
  case sha256
}

/// What a load is doing, for a progress display; the size in bytes.
public enum DatasetLoadStage: Sendable {
  case snapshot(bytes: Int)
  case files(bytes: Int)
  case writingSnapshot
}

/// A dataset loaded with its inputs' digests, and where it came from.
public struct DatasetLoad: Sendable {
  public enum Source: Sendable, Equatable { case snapshot, files }

  public var dataset: Result<Dataset, DatasetInvalid>
  public var digests: Result<InputDigests, any Error>
  public var source: Source
  /// Why the snapshot there was not used (nil when it was, or when there was none).
  public var rejection: SnapshotRejection?
  /// Why no snapshot could be written, when one should have been.
  public var writeFailure: LocalizedText?
  public var snapshotWritten = false

  /// The lines to print on standard error: none for a first load or a snapshot used.
  public var notes: [LocalizedText] { [rejection?.note, writeFailure].compactMap { $0 } }
}

extension Dataset {
  /// Loads the dataset and its digests through the snapshot in `cache` (docs/snapshot.md):
  /// from the snapshot when it is valid for the folder's files as they are now, else from
  /// the CSV files, writing a new snapshot when the dataset is valid. Without a cache, as
  /// `loadAndDigest(folder:configPath:)`. Never fails because of the cache.
  public static func loadAndDigest(
    folder: String, configPath: String?, cache: SnapshotCache?,
    verify: SnapshotVerification = .metadata, progress: (DatasetLoadStage) -> Void = { _ in }
  ) -> DatasetLoad {
    let started = Int64(Date().timeIntervalSince1970 * 1e9)
    let inputs = InputFileStat.scan(folder)
    let bytes = inputs.reduce(0) { $0 + Int($1.size) }
    guard let cache else {
      progress(.files(bytes: bytes))
      let (loaded, hashed) = loadAndDigest(folder: folder, configPath: configPath)
      return DatasetLoad(dataset: loaded, digests: hashed, source: .files)
    }
    let resolved = SnapshotCache.resolved(folder)
    let path = cache.snapshotPath(resolved: resolved)
    let hints = SnapshotHeader.hints(folder)
    var rejection: SnapshotRejection?
    do {
      if let load = try readSnapshot(
        path, folder: folder, resolved: resolved, inputs: inputs, hints: hints, configPath: configPath,
        verify: verify, progress: progress)
      {
        return load
      }
    } catch {
      rejection = error
    }

    progress(.files(bytes: bytes))
    let (loaded, hashed) = loadAndDigest(folder: folder, configPath: configPath)
    var load = DatasetLoad(dataset: loaded, digests: hashed, source: .files, rejection: rejection)
    guard case .success(let dataset) = loaded, case .success(let digests) = hashed else {
      // No snapshot of an invalid dataset; nor is a rejected one kept.
      if rejection != nil { unlink(path) }
      return load
    }
    // The snapshot is written only when no file changed while they were read.
    guard InputFileStat.scan(folder) == inputs, SnapshotHeader.hints(folder) == hints,
      digests.inputs.map(\.file) == inputs.map(\.name)
    else { return load }
    let header = SnapshotHeader(
      version: ChuandaoVersion.string, build: SnapshotHeader.currentBuild, folder: resolved,
      nameFromFolder: DatasetSnapshot.nameFromFolder(folder),
      inputs: zip(inputs, digests.inputs).map { file, digest in
        SnapshotInput(file: file, sha256: digest.sha256, racy: file.mtime >= started - SnapshotInput.racyWindow)
      },
      hints: hints)
    progress(.writingSnapshot)
    do {
      try cache.prepare()
      try DatasetSnapshot.write(dataset, header: header, to: path)
      load.snapshotWritten = true
    } catch {
      load.writeFailure = LocalizedText(
        zh: "注：无法写入数据集快照（\(error.what)），本次不使用快照",
        en: "note: cannot write the dataset snapshot (\(error.what)); going on without it")
    }
    return load
  }

  /// The load from the snapshot at `path`, or nil when there is none; throws why one that
  /// is there cannot be used.
  private static func readSnapshot(
    _ path: String, folder: String, resolved: String, inputs: [InputFileStat], hints: [SnapshotHint],
    configPath: String?, verify: SnapshotVerification, progress: (DatasetLoadStage) -> Void
  ) throws(SnapshotRejection) -> DatasetLoad? {
    guard let mapped = try DatasetSnapshot.Mapped(path: path) else { return nil }
    let header = try mapped.header()
    let version = header.version
    guard version == ChuandaoVersion.string else {
      throw .otherVersion(LocalizedText(zh: "chuandao \(version)", en: "chuandao \(version)"))
    }
    guard header.build == SnapshotHeader.currentBuild else {
      throw .otherVersion(LocalizedText(zh: "chuandao \(version) 的另一个构建", en: "another build of chuandao \(version)"))
    }
    guard header.folder == resolved else {
      throw .stale([LocalizedText(zh: "快照属于另一个文件夹 \(header.folder)", en: "it belongs to another folder, \(header.folder)")])
    }
    let changes = SnapshotRejection.changes(recorded: header.inputs, now: inputs)
    if !changes.isEmpty { throw .stale(changes) }
    if header.hints != hints {
      throw .stale([LocalizedText(zh: "文件夹中的工作簿或同名文件有变化", en: "the workbooks or look-alike files in the folder changed")])
    }

    progress(.snapshot(bytes: mapped.bytes.count))
    // On another thread while the columns are copied out: the checksum of the whole file,
    // then the SHA-256 of the files that need it (all with --rehash) and of the settings.
    // A damaged file is only decoded in vain: every read is bounds-checked.
    let check = header.inputs.filter { verify == .sha256 || $0.racy }
    let (decoded, checked) = Parallel.both(
      { Result { () throws(SnapshotRejection) in try mapped.dataset(folder: folder, header: header) } },
      {
        Result { () throws(SnapshotRejection) in
          try mapped.verify()
          return rehash(check, folder: folder, configPath: configPath)
        }
      })
    let hashed = try checked.get()
    if !hashed.changed.isEmpty { throw SnapshotRejection.contentChanged(hashed.changed) }
    let dataset = try decoded.get()
    let digests = hashed.config.map { config in
      InputDigests(inputs: header.inputs.map { ($0.file.name, $0.sha256) }, config: config)
    }
    return DatasetLoad(dataset: .success(dataset), digests: digests, source: .snapshot)
  }

  /// The inputs whose SHA-256 is not the recorded one (or that cannot be read), and the
  /// settings file's SHA-256.
  private static func rehash(
    _ inputs: [SnapshotInput], folder: String, configPath: String?
  ) -> (changed: [String], config: Result<String?, any Error>) {
    let changed = inputs.filter { input in
      let path = (folder as NSString).appendingPathComponent(input.file.name)
      return (try? FileDigest.sha256Hex(path: path)) != input.sha256
    }
    return (changed.map(\.file.name), Result { try configPath.map { try FileDigest.sha256Hex(path: $0) } })
  }
}
