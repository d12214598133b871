import Foundation
import _ChuandaoOutput

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An input file as the file system describes it: what decides, without reading it,
/// whether it is the file a snapshot was made from.
struct InputFileStat: Sendable, Equatable {
  var name: String
  var size: Int64
  /// Modification time, nanoseconds since 1970.
  var mtime: Int64
  var inode: UInt64

  /// The files of `Dataset.knownFiles` present in `folder` (the set `InputDigests.compute`
  /// hashes), in that order.
  static func scan(_ folder: String) -> [InputFileStat] {
    Dataset.inputCandidates.compactMap { name in
      status(of: (folder as NSString).appendingPathComponent(name)).map {
        InputFileStat(name: name, size: $0.size, mtime: $0.mtime, inode: $0.inode)
      }
    }
  }

  /// stat(2) of `path` (links followed), or nil when there is nothing there.
  static func status(of path: String) -> (size: Int64, mtime: Int64, inode: UInt64)? {
    var s = stat()
    guard stat(path, &s) == 0 else { return nil }
    #if canImport(Glibc)
      let t = s.st_mtim
    #else
      let t = s.st_mtimespec
    #endif
    return (Int64(s.st_size), Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec), UInt64(s.st_ino))
  }
}

/// What a snapshot records before its columns: who made it, from which folder, and each
/// input file's identity and SHA-256.
struct SnapshotHeader: Sendable, Equatable {
  /// `ChuandaoVersion.string` of the maker.
  var version: String
  /// The maker's executable (`SnapshotHeader.currentBuild`): the version string does not
  /// change between builds, and a snapshot made by an older loader must not be replayed.
  var build: String
  /// The dataset folder's resolved absolute path (the snapshot file is named by its hash).
  var folder: String
  /// Whether the manifest's name was the folder's name (no `name:` in dataset.yaml), so that
  /// it is taken from the folder as given now, as the loader would.
  var nameFromFolder: Bool
  var inputs: [SnapshotInput]
  /// The loader's hints for absent optional files that have a look-alike in the folder
  /// (`reportUnreadWorkbooks`): its warnings depend on files outside the inputs.
  var hints: [SnapshotHint]

  func write(into w: inout SnapshotWriter) {
    w.string(version)
    w.string(build)
    w.string(folder)
    w.flag(nameFromFolder)
    w.strings(inputs.map(\.file.name))
    w.column(inputs.map(\.file.size))
    w.column(inputs.map(\.file.mtime))
    w.column(inputs.map(\.file.inode))
    w.strings(inputs.map(\.sha256))
    w.column(inputs.map { $0.racy ? UInt8(1) : 0 })
    w.strings(hints.map(\.file))
    w.strings(hints.map(\.text.zh))
    w.strings(hints.map(\.text.en))
  }

  static func read(_ r: inout SnapshotReader) throws(SnapshotFault) -> SnapshotHeader {
    let version = try r.string("version")
    let build = try r.string("build")
    let folder = try r.string("folder")
    let nameFromFolder = try r.flag("name from folder")
    let names = try r.strings("input names")
    let n = names.count
    let sizes = try r.column("input sizes", Int64.self, count: n)
    let mtimes = try r.column("input times", Int64.self, count: n)
    let inodes = try r.column("input inodes", UInt64.self, count: n)
    let sha = try r.strings("input digests", count: n)
    let racy = try r.column("input racy flags", UInt8.self, count: n)
    let hintFiles = try r.strings("hint files")
    let zh = try r.strings("hints (zh)", count: hintFiles.count)
    let en = try r.strings("hints (en)", count: hintFiles.count)
    return SnapshotHeader(
      version: version, build: build, folder: folder, nameFromFolder: nameFromFolder,
      inputs: (0..<n).map {
        SnapshotInput(
          file: InputFileStat(name: names[$0], size: sizes[$0], mtime: mtimes[$0], inode: inodes[$0]),
          sha256: sha[$0], racy: racy[$0] != 0)
      },
      hints: hintFiles.indices.map { SnapshotHint(file: hintFiles[$0], text: LocalizedText(zh: zh[$0], en: en[$0])) })
  }

  /// The running executable's size and modification time: a new build of the same version
  /// makes snapshots of its own.
  static let currentBuild: String = {
    #if os(Linux)
      let path = "/proc/self/exe"
    #else
      let path = Bundle.main.executablePath ?? CommandLine.arguments[0]
    #endif
    guard let s = InputFileStat.status(of: path) else { return "unknown" }
    return "\(s.size)-\(s.mtime)"
  }()

  /// The hints the loader would give for `folder` now.
  static func hints(_ folder: String) -> [SnapshotHint] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return Dataset.knownFiles.dropFirst(2).compactMap { name in
      guard !entries.contains(name), let hint = Dataset.missingFileHint(name, entries: entries) else { return nil }
      return SnapshotHint(file: name, text: hint)
    }
  }
}

/// One input as a snapshot recorded it.
struct SnapshotInput: Sendable, Equatable {
  var file: InputFileStat
  /// Lowercase hex, as `InputDigests` gives it.
  var sha256: String
  /// Modified less than `SnapshotInput.racyWindow` before the load began: a later change
  /// within the same clock tick could leave size and time as they are, so the file's
  /// SHA-256 is checked whenever the snapshot is used (git's "racily clean" entries).
  var racy: Bool

  /// Nanoseconds: coarse file-system clocks (FAT's 2 s, a kernel tick) and then some.
  static let racyWindow: Int64 = 2_000_000_000
}

/// A hint of the loader about a file that is absent while a look-alike is present.
struct SnapshotHint: Sendable, Equatable {
  var file: String
  var text: LocalizedText
}

/// Why a snapshot was not used; each says so in one note (`note`).
public enum SnapshotRejection: Error, Sendable, Equatable {
  /// Made by another version, build or snapshot format (the words say which).
  case otherVersion(LocalizedText)
  /// Shorter than it says it is.
  case truncated
  /// A checksum does not match, or a value is not where it should be.
  case damaged(String)
  /// The snapshot file is there but cannot be read.
  case unreadable(String)
  /// Inputs added, removed or changed since (the words name them).
  case stale([LocalizedText])

  /// The one line printed on standard error.
  public var note: LocalizedText {
    let again = LocalizedText(zh: "，重新读取", en: "; reading the CSV files")
    switch self {
    case .otherVersion(let which):
      return LocalizedText(
        zh: "注：数据集快照由另一版本生成（\(which.zh)）" + again.zh,
        en: "note: the dataset snapshot was made by another version (\(which.en))" + again.en)
    case .truncated:
      return LocalizedText(zh: "注：数据集快照不完整（已截断）" + again.zh, en: "note: the dataset snapshot is truncated" + again.en)
    case .damaged(let what):
      return LocalizedText(
        zh: "注：数据集快照已损坏（\(what)）" + again.zh, en: "note: the dataset snapshot is damaged (\(what))" + again.en)
    case .unreadable(let reason):
      return LocalizedText(
        zh: "注：无法读取数据集快照（\(reason)）" + again.zh, en: "note: cannot read the dataset snapshot (\(reason))" + again.en)
    case .stale(let changes):
      return LocalizedText(
        zh: "注：数据集快照已过期（\(changes.map(\.zh).joined(separator: "、"))）" + again.zh,
        en: "note: the dataset snapshot is stale (\(changes.map(\.en).joined(separator: ", ")))" + again.en)
    }
  }

  /// What changed between the inputs recorded and those found now, in DATA.md's file order.
  static func changes(recorded: [SnapshotInput], now: [InputFileStat]) -> [LocalizedText] {
    var out: [LocalizedText] = []
    for name in Dataset.inputCandidates {
      let before = recorded.first { $0.file.name == name }?.file
      let after = now.first { $0.name == name }
      switch (before, after) {
      case (nil, nil): continue
      case (nil, _): out.append(LocalizedText(zh: "新增 \(name)", en: "\(name) added"))
      case (_, nil): out.append(LocalizedText(zh: "\(name) 已删除", en: "\(name) removed"))
      case let (b?, a?) where b != a: out.append(LocalizedText(zh: "\(name) 已改变", en: "\(name) changed"))
      default: continue
      }
    }
    return out
  }

  static func contentChanged(_ names: [String]) -> SnapshotRejection {
    .stale(names.map {
      LocalizedText(zh: "\($0) 的内容已改变（SHA-256 不同）", en: "the content of \($0) changed: another SHA-256")
    })
  }
}
