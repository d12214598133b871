import Chuandao
import Foundation
import _ChuandaoCSV
import _ChuandaoOutput

/// The records of one data file in one period, as canonical CSV (docs/store.md, "Slice").
public struct Slice: Sendable, Equatable {
  /// Canonical column names (DATA.md), in the order of the fields of `body`.
  public var columns: [String]
  public var records: Int
  /// UTF-8 CSV records without a header, each ending in CRLF.
  public var body: [UInt8]
}

/// A node's row as one delivery's `org.csv` states it: a column the file does not have is
/// absent from `fields` (not stated), not empty.
public struct OrgRow: Sendable, Equatable {
  public var node: String
  public var fields: [String: String]
}

/// The files of DATA.md that hold rows per period, in DATA.md's order.
let periodFiles = [
  "members.csv", "scores.csv", "supervision.csv", "risks.csv", "problems.csv",
  "responsibilities.csv", "projects.csv", "leaders.csv", "member_reach.csv",
]
/// `org.csv`'s columns (DATA.md), `id` first.
let orgColumns = Dataset.columns(of: "org.csv")

/// A delivery folder read for a store: its manifest, its files' digests, its records
/// sliced by period and its organisation rows. Made only for a delivery that the loader
/// found valid (see `StoreImport`), so its CSV reads without errors.
struct Delivery {
  let folder: String
  let manifest: Manifest
  /// Every file of DATA.md present, with its SHA-256 (of the delivery's own bytes).
  let files: [DatasetFile]
  /// Period label -> file name -> slice.
  var slices: [String: [String: Slice]] = [:]
  var org: [OrgRow] = []

  /// SHA-256 over the files' names and digests: the same delivery imported again has the same.
  var digest: String { Self.digest(files.map { ($0.name, $0.sha256 ?? "") }) }

  static func digest(_ files: [(name: String, sha256: String)]) -> String {
    FileDigest.sha256Hex(bytes: Array(files.map { "\($0.name)\t\($0.sha256)\n" }.joined().utf8))
  }

  /// `digest` of a folder's files of DATA.md, hashed from disk.
  static func digest(folder: String) throws -> String {
    var files: [(String, String)] = []
    for name in Dataset.knownFiles where FileManager.default.fileExists(atPath: path(folder, name)) {
      files.append((name, try FileDigest.sha256Hex(path: path(folder, name))))
    }
    return digest(files)
  }

  init(folder: String, manifest: Manifest, files: [DatasetFile]) throws {
    self.folder = folder
    self.manifest = manifest
    self.files = files
    org = try Self.readOrg(path(folder, "org.csv"))
    var problemPeriod: [String: String] = [:]
    for name in periodFiles where files.contains(where: { $0.name == name }) {
      try slice(name, problemPeriod: &problemPeriod)
    }
  }

  /// The slice digest of one period: over each file's name, columns and records, and the
  /// period's end date, so that a changed period gets a new revision.
  func periodDigest(_ label: String, periodEnd: String?) -> String {
    var bytes = Array("period_end\t\(periodEnd ?? "")\n".utf8)
    for name in periodFiles {
      guard let s = slices[label]?[name] else { continue }
      bytes += Array("\(name)\t\(s.columns.joined(separator: ","))\t\(s.records)\n".utf8)
      bytes += s.body
    }
    return FileDigest.sha256Hex(bytes: bytes)
  }

  static func readOrg(_ path: String) throws -> [OrgRow] {
    var positions: [(index: Int, column: String)] = []
    var rows: [OrgRow] = []
    var header = true
    try CSVReader.forEachRecord(path: path) { rec in
      if header {
        header = false
        for i in 0..<rec.count {
          if let c = Dataset.canonicalColumn(file: "org.csv", header: rec.trimmed(i)) { positions.append((i, c)) }
        }
        return
      }
      if (0..<rec.count).allSatisfy({ rec.isBlank($0) }) { return }
      var fields: [String: String] = [:]
      for (i, c) in positions where i < rec.count { fields[c] = rec.trimmed(i) }
      rows.append(OrgRow(node: fields["id"] ?? "", fields: fields))
    }
    return rows
  }

  /// Splits one data file by period. `responsibilities.csv` and `projects.csv` follow the
  /// period of their problem (problems.csv is read before them). Fields are copied as bytes
  /// (quoted as `CSVWriter` quotes), so that a province's fifteen million records make no
  /// string each.
  mutating func slice(_ name: String, problemPeriod: inout [String: String]) throws {
    var positions: [(index: Int, column: String)] = []
    var key = -1
    var problemID = -1
    var header = true
    let labels = manifest.periods
    let labelBytes = labels.map { Array($0.utf8) }
    var bodies = [[UInt8]](repeating: [], count: labels.count)
    var counts = [Int](repeating: 0, count: labels.count)
    let byProblem = name == "responsibilities.csv" || name == "projects.csv"
    try CSVReader.forEachRecord(path: path(folder, name)) { rec in
      if header {
        header = false
        for i in 0..<rec.count {
          guard let c = Dataset.canonicalColumn(file: name, header: rec.trimmed(i)),
            !positions.contains(where: { $0.column == c })
          else { continue }
          positions.append((i, c))
        }
        let order = Dataset.columns(of: name)
        positions.sort { order.firstIndex(of: $0.column)! < order.firstIndex(of: $1.column)! }
        key = positions.first { $0.column == (byProblem ? "problem" : "period") }?.index ?? -1
        problemID = positions.first { $0.column == "id" }?.index ?? -1
        return
      }
      if (0..<rec.count).allSatisfy({ rec.isBlank($0) }) { return }
      guard key >= 0, key < rec.count else { return }
      let t: Int?
      if byProblem {
        t = problemPeriod[rec.trimmed(key)].flatMap { labels.firstIndex(of: $0) }
      } else {
        let b = rec.trimmedBytes(key)
        t = labelBytes.firstIndex { $0.elementsEqual(b) }
      }
      if name == "problems.csv", problemID >= 0, problemID < rec.count, let t {
        problemPeriod[rec.trimmed(problemID)] = labels[t]
      }
      // The loader found the delivery valid, so every row names one of its periods.
      guard let t else { return }
      for (k, p) in positions.enumerated() {
        if k > 0 { bodies[t].append(UInt8(ascii: ",")) }
        if p.index < rec.count { Self.appendField(rec.bytes(p.index), to: &bodies[t]) }
      }
      bodies[t].append(contentsOf: [0x0D, 0x0A])
      counts[t] += 1
    }
    let columns = positions.map(\.column)
    // Every period of the delivery has the file, rows or none: a file delivered without
    // rows for a period says that period has none (zero supervision, no problems).
    for (t, label) in labels.enumerated() {
      slices[label, default: [:]][name] = Slice(columns: columns, records: counts[t], body: bodies[t])
    }
  }

  /// One field as `CSVWriter.escape` writes it: as is, or quoted with `"` doubled when it
  /// holds `,` `"` CR or LF or starts or ends with a space or tab. A record of one empty
  /// field cannot occur here (blank rows are skipped).
  static func appendField(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
    guard let first = b.first, let last = b.last else { return }
    let quote = first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
      || b.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
    guard quote else { return out.append(contentsOf: b) }
    out.append(0x22)
    for c in b {
      if c == 0x22 { out.append(0x22) }
      out.append(c)
    }
    out.append(0x22)
  }
}

func path(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }
