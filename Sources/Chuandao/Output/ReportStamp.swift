import Foundation
import _ChuandaoOutput

/// What a report folder records about the run that wrote it (`DIR/.chuandao-report.json`),
/// so that running the same report again on unchanged inputs can leave the folder as it is
/// instead of repeating every analysis (docs/report.md, "Again on unchanged inputs").
///
/// `key` is the SHA-256 of everything the report's bytes depend on, as the command sees it
/// before any analysis: the program (version and this executable's size and modification
/// time, as for the dataset snapshot), each input file's SHA-256 (read or, with the
/// snapshot, recorded from the bytes when it was made), the settings file's, the command
/// line, the period, and the environment variables that change an output. `files` are the
/// files the run wrote, each with its size, modification time and inode once written: a
/// file edited, replaced or removed since makes the stamp stale. The stamp is written last
/// and removed before a new report begins, so that an interrupted run never leaves one.
public struct ReportStamp: Sendable, Equatable {
  /// The stamp's file name inside the report folder.
  public static let fileName = ".chuandao-report.json"
  /// Environment variables whose value changes a report's bytes.
  public static let environmentKeys = ["SOURCE_DATE_EPOCH", "CHUANDAO_EXACT_RANK_BUDGET"]

  public var key: String
  public var files: [(path: String, size: Int64, mtime: Int64, inode: UInt64)]

  public static func == (a: ReportStamp, b: ReportStamp) -> Bool {
    a.key == b.key && a.files.count == b.files.count
      && zip(a.files, b.files).allSatisfy { $0.path == $1.path && $0.size == $1.size && $0.mtime == $1.mtime && $0.inode == $1.inode }
  }

  /// The key of a run: `parts` (the command's own: inputs' digests, command line, period,
  /// ...) after the program's identity and `environment`'s values of `environmentKeys`.
  public static func key(parts: [String], environment: [String: String]) -> String {
    var lines = ["chuandao-report 1", ChuandaoVersion.string, SnapshotHeader.currentBuild]
    for name in environmentKeys { lines.append("\(name)=\(environment[name] ?? "")") }
    lines += parts
    // Length-prefixed, so that no two lists of parts give the same bytes.
    var bytes: [UInt8] = []
    for line in lines {
      bytes += Array("\(line.utf8.count):".utf8) + Array(line.utf8) + [10]
    }
    return FileDigest.sha256Hex(bytes: bytes)
  }

  /// The stamp of the files `paths` (relative to `folder`) as they are now; nil when one is
  /// missing.
  public static func make(key: String, folder: String, paths: [String]) -> ReportStamp? {
    var files: [(path: String, size: Int64, mtime: Int64, inode: UInt64)] = []
    for path in paths {
      guard let s = InputFileStat.status(of: folder + "/" + path) else { return nil }
      files.append((path, s.size, s.mtime, s.inode))
    }
    return ReportStamp(key: key, files: files)
  }

  /// The stamp in `folder`, or nil when there is none or it cannot be read as one.
  public static func read(folder: String) -> ReportStamp? {
    guard let json = try? JSON.parse(contentsOfFile: folder + "/" + fileName),
      let o = json.objectValue, o["format"]?.intValue == 1, let key = o["key"]?.stringValue,
      let list = o["files"]?.arrayValue
    else { return nil }
    var files: [(path: String, size: Int64, mtime: Int64, inode: UInt64)] = []
    for item in list {
      guard let f = item.objectValue, let path = f["path"]?.stringValue, let size = f["size"]?.intValue,
        let mtime = f["mtime_ns"]?.stringValue.flatMap({ Int64($0) }),
        let inode = f["inode"]?.stringValue.flatMap({ UInt64($0) })
      else { return nil }
      files.append((path, Int64(size), mtime, inode))
    }
    return ReportStamp(key: key, files: files)
  }

  /// Whether `folder` holds a report made by a run of `key` whose files are all as it
  /// left them.
  public static func isCurrent(folder: String, key: String) -> Bool {
    guard let stamp = read(folder: folder), stamp.key == key, !stamp.files.isEmpty,
      let now = make(key: key, folder: folder, paths: stamp.files.map(\.path))
    else { return false }
    return now == stamp
  }

  /// The stamp's file: compact JSON, the times and inodes as strings (they pass 2^53).
  public func bytes() -> [UInt8] {
    var o = JSONObject()
    o["format"] = .number(1)
    o["key"] = .string(key)
    o["files"] = .array(files.map { f in
      var e = JSONObject()
      e["path"] = .string(f.path)
      e["size"] = .number(Double(f.size))
      e["mtime_ns"] = .string(String(f.mtime))
      e["inode"] = .string(String(f.inode))
      return .object(e)
    })
    return JSONWriter(pretty: true).data(.object(o))
  }
}
