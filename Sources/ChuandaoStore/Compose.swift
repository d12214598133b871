import Chuandao
import Foundation
import _ChuandaoCSV
import _ChuandaoOutput

/// Composing a dataset folder from a store (docs/store.md, "Design in one paragraph"):
/// `dataset.yaml` with every period, `org.csv` from the history, each data file as the
/// chosen revisions' records period by period.
enum Composer {
  /// Bump when the files a store composes change for the same contents.
  static let format = 1

  static func files(
    state: StoreState, name: String, chosen: [RevisionInfo], slices: [Int64: [String: Slice]]
  ) -> [(name: String, bytes: [UInt8])] {
    guard let frame = state.frame else { return [] }
    let periods = chosen.map(\.period)
    let manifest = Manifest(
      name: name, levels: frame.levels, periods: periods,
      periodEnd: chosen.map { $0.periodEnd.flatMap(ISODate.parse) }, subjects: frame.subjects,
      domains: frame.domains, kinds: frame.kinds, subjectWeights: frame.subjectWeights,
      kindWeights: frame.kindWeights)
    var out: [(String, [UInt8])] = [("dataset.yaml", Array(manifest.yaml.utf8))]

    // org.csv: the required columns and every optional one some node states.
    let required: Set = ["id", "parent", "level", "name", "members"]
    let columns = orgColumns.filter { c in
      required.contains(c) || state.orgOrder.contains { state.org[$0]?[c] != nil }
    }
    var org = Array(CSVWriter.line(columns).utf8)
    for node in state.orgOrder {
      let f = state.org[node] ?? [:]
      org += Array(CSVWriter.line(columns.map { f[$0] ?? "" }).utf8)
    }
    out.append(("org.csv", org))

    for file in periodFiles {
      let parts = chosen.compactMap { r in slices[r.id]?[file] }
      guard !parts.isEmpty else { continue }
      let order = Dataset.columns(of: file)
      let header = order.filter { c in parts.contains { $0.columns.contains(c) } }
      var bytes = Array(CSVWriter.line(header).utf8)
      for part in parts {
        if part.columns == header {
          bytes += part.body
          continue
        }
        // Columns this period's delivery did not have are written empty.
        let map = header.map { part.columns.firstIndex(of: $0) }
        _ = try? CSVReader.forEachRecord(bytes: part.body, name: file) { rec in
          let fields = map.map { i in i.map { $0 < rec.count ? rec.string($0) : "" } ?? "" }
          bytes += Array(CSVWriter.line(fields).utf8)
        }
      }
      out.append((file, bytes))
    }
    return out
  }

  /// Writes `files` into a new folder `folder` (atomically: a temporary sibling renamed
  /// into place; a folder already there is kept, being the same composition).
  static func materialize(_ files: [(name: String, bytes: [UInt8])], at folder: String) throws {
    let fm = FileManager.default
    if fm.fileExists(atPath: path(folder, "dataset.yaml")) { return }
    let parent = (folder as NSString).deletingLastPathComponent
    try fm.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let temporary = folder + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try fm.createDirectory(atPath: temporary, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    for (name, bytes) in files {
      guard writeFile(path(temporary, name), bytes) else {
        try? fm.removeItem(atPath: temporary)
        throw StoreError(.io, zh: "无法写入 \(path(temporary, name))", en: "cannot write \(path(temporary, name))")
      }
      // A composition is written once and never changed (its folder is named by its
      // content), so it is dated a minute back: the snapshot would otherwise find its files
      // "racily clean" (changed within 2 s of the load, docs/snapshot.md) and hash them
      // again on every later use.
      var times = [timespec(tv_sec: time(nil) - 60, tv_nsec: 0), timespec(tv_sec: time(nil) - 60, tv_nsec: 0)]
      _ = utimensat(AT_FDCWD, path(temporary, name), &times, 0)
    }
    if rename(temporary, folder) != 0 {
      // Another process made the same composition meanwhile: keep theirs.
      try? fm.removeItem(atPath: temporary)
      if !fm.fileExists(atPath: path(folder, "dataset.yaml")) {
        throw StoreError(.io, zh: "无法写入 \(folder)", en: "cannot write \(folder)")
      }
    }
  }
}

/// A dataset composed from a store, ready for the loader.
public struct StoreDataset: Sendable {
  /// The composed folder: in the cache, or a temporary one the caller removes (`temporary`).
  public var folder: String
  public var temporary: Bool
  /// `provenance.store` (docs/store.md, "Provenance").
  public var provenance: JSON
  /// The revisions used, in period order.
  public var revisions: [RevisionInfo]
}

extension Store {
  /// Composes the store's dataset: every period at its latest revision, or the revision
  /// `revisions[period]` names. The folder is kept in `cacheFolder/stores/` (made once per
  /// composition), or, without a cache, in a temporary folder.
  public func dataset(revisions wanted: [String: Int] = [:], cacheFolder: String?) throws -> StoreDataset {
    // The revisions chosen and the composition's key first: a composition made before is
    // used from the cache without reading the history or a slice.
    let (state, chosen) = try db.read { sql -> (StoreState, [RevisionInfo]) in
      let state = try StoreState.read(sql, org: false)
      guard !state.periods.isEmpty else {
        throw StoreError(.usage, zh: "\(location)：存储库还是空的；先用 `chuandao store import 文件夹` 导入一次交付",
          en: "\(location): the store is empty; import a delivery first with `chuandao store import FOLDER`")
      }
      for p in wanted.keys where state.revisions[p] == nil {
        throw StoreError(.usage, zh: "--revision：存储库没有期 '\(p)'（有：\(state.periods.joined(separator: ", "))）",
          en: "--revision: the store has no period '\(p)' (it has \(state.periods.joined(separator: ", ")))")
      }
      var chosen: [RevisionInfo] = []
      for p in state.periods {
        let all = state.revisions[p] ?? []
        if let n = wanted[p] {
          guard let r = all.first(where: { $0.number == n }) else {
            let have = all.map { "\(p)@\($0.number)" }.joined(separator: ", ")
            throw StoreError(.usage, zh: "--revision \(p)@\(n)：没有这个修订（有：\(have)）",
              en: "--revision \(p)@\(n): no such revision (there are \(have))")
          }
          chosen.append(r)
        } else if let r = all.last {
          chosen.append(r)
        }
      }
      return (state, chosen)
    }
    let name = state.deliveries.last?.manifestName ?? "store"
    let orgVersion = state.deliveries.last?.id ?? 0
    // What the composition depends on: the deliveries in order (their files' digests fix
    // the organisation history) and the revisions chosen, by content, so that two copies
    // of a store that went different ways never share a composition.
    let head = "chuandao-store-composition \(Composer.format)\n\(state.storeID)\n\(orgVersion)\n\(name)\n"
    let deliveries: String = state.deliveries.map(\.digest).joined(separator: ",")
    let revisions: String = chosen.map { (r: RevisionInfo) -> String in "\(r.period)@\(r.number):\(r.digest)" }.joined(separator: ",")
    let key = FileDigest.sha256Hex(bytes: Array((head + deliveries + "\n" + revisions + "\n").utf8))
    let files = {
      try self.db.read { sql -> [(name: String, bytes: [UInt8])] in
        let full = try StoreState.read(sql)
        var slices: [Int64: [String: Slice]] = [:]
        for r in chosen { slices[r.id] = try loadSlices(sql, revision: r.id) }
        return Composer.files(state: full, name: name, chosen: chosen, slices: slices)
      }
    }
    let folder: String
    let temporary: Bool
    if let cacheFolder {
      folder = path(path(cacheFolder, "stores"), key)
      temporary = false
      if !FileManager.default.fileExists(atPath: path(folder, "dataset.yaml")) {
        try Composer.materialize(files(), at: folder)
      }
    } else {
      folder = path(NSTemporaryDirectory(), "chuandao-store-\(key.prefix(16))-\(getpid())")
      temporary = true
      try? FileManager.default.removeItem(atPath: folder)
      try Composer.materialize(files(), at: folder)
    }
    return StoreDataset(folder: folder, temporary: temporary, provenance: try provenance(state: state, chosen: chosen), revisions: chosen)
  }

  func provenance(state: StoreState, chosen: [RevisionInfo]) throws -> JSON {
    let files = try db.read { sql in
      try sql.rows("SELECT delivery, name, sha256 FROM delivery_file ORDER BY delivery, name")
    }
    var byDelivery: [Int64: JSONObject] = [:]
    for r in files { byDelivery[r[0].int ?? 0, default: JSONObject()][r[1].text ?? ""] = .string(r[2].text ?? "") }
    return .object([
      "location": .string(location),
      "backend": .string(db.backend),
      "store_id": .string(state.storeID),
      "schema_version": .int(StoreSchema.version),
      "revisions": .array(chosen.map { r in
        let d = state.delivery(r.delivery)
        return .object([
          "period": .string(r.period), "revision": .int(r.number), "delivery": .string(d?.name ?? ""),
          "imported_at": .string(d?.importedAt ?? ""), "files": .object(byDelivery[r.delivery] ?? JSONObject()),
        ])
      }),
    ])
  }
}

/// Writes `bytes` to a new file of mode 0600 without copying them first.
func writeFile(_ path: String, _ bytes: [UInt8]) -> Bool {
  let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
  guard fd >= 0 else { return false }
  defer { close(fd) }
  return bytes.withUnsafeBytes { buffer in
    var offset = 0
    while offset < buffer.count {
      let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)  // non-empty: count > 0
      if n <= 0 { return false }
      offset += n
    }
    return true
  }
}
