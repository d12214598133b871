import Foundation
import Testing
import _ChuandaoCSV
import _ChuandaoOutput

@testable import ChuandaoStore

/// Runs the built `chuandao` executable, as a user would.
enum CLI {
  static var binary: URL {
    let products = Bundle.main.bundleURL.deletingLastPathComponent()
    let candidates = [
      products.appendingPathComponent("chuandao"),
      Bundle.main.bundleURL.appendingPathComponent("chuandao"),
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("chuandao"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
  }

  static var repository: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  static var sample: String { repository.appendingPathComponent("datasets/sample").path }

  static let cacheFolder: String = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chuandao-store-test-cache-\(UUID().uuidString)").path
    atexit { try? FileManager.default.removeItem(atPath: CLI.cacheFolder) }
    return dir
  }()

  struct Result {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }
  }

  static func process(_ args: [String], environment: [String: String] = [:]) -> (Process, Pipe, Pipe) {
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["CHUANDAO_CACHE"] = cacheFolder
    env["CHUANDAO_STORE"] = nil
    env["SOURCE_DATE_EPOCH"] = "1800000000"
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    return (p, out, err)
  }

  static func run(_ args: [String], environment: [String: String] = [:]) throws -> Result {
    let (p, out, err) = process(args, environment: environment)
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(status: p.terminationStatus, stdout: Array(o), stderr: String(decoding: e, as: UTF8.self))
  }

  static func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chuandao-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// A command's JSON document without its provenance, as canonical text.
  static func jsonWithoutProvenance(_ r: Result) throws -> String {
    guard case .object(var o) = try JSON.parse(r.stdout) else { return "" }
    o["provenance"] = nil
    return JSONWriter().string(.object(o))
  }
}

/// `datasets/sample` split into one delivery per year, as a data office would send them
/// (docs/store.md): each year's rows, and org.csv as known then — a node that ends in this
/// year or later is still open (no valid_to, no successor); the delivery after its end
/// closes it with a valid_to naming the earlier delivery's period and names its successor,
/// which starts in that delivery.
enum Split {
  static let periods = ["2021", "2022", "2023", "2024", "2025"]

  static func records(_ path: String) throws -> [[String]] {
    var rows: [[String]] = []
    try CSVReader.forEachRecord(path: path) { rec in rows.append((0..<rec.count).map { rec.string($0) }) }
    return rows
  }

  static func write(_ rows: [[String]], to path: String) throws {
    try Data(rows.map(CSVWriter.line).joined().utf8).write(to: URL(fileURLWithPath: path))
  }

  /// Writes `OUT/2021` ... `OUT/2025`; returns their paths.
  static func sample(into out: String) throws -> [String] {
    let src = CLI.sample
    let yaml = try String(contentsOfFile: src + "/dataset.yaml", encoding: .utf8)
    let head = yaml.components(separatedBy: "periods:")[0]
    let org = try records(src + "/org.csv")
    let problems = try records(src + "/problems.csv")
    var problemPeriod: [String: String] = [:]
    for r in problems.dropFirst() { problemPeriod[r[1]] = r[0] }
    var folders: [String] = []
    for (y, year) in periods.enumerated() {
      let d = out + "/" + year
      try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
      try (head + "periods: [\"\(year)\"]\nperiod_end:\n  \"\(year)\": \(year)-12-31\n").write(toFile: d + "/dataset.yaml", atomically: true, encoding: .utf8)
      var rows = [org[0]]
      for var r in org.dropFirst() {
        if !r[5].isEmpty, periods.firstIndex(of: r[5])! > y { continue }
        if !r[6].isEmpty, periods.firstIndex(of: r[6])! >= y {
          r[6] = ""
          r[9] = ""
        }
        rows.append(r)
      }
      try write(rows, to: d + "/org.csv")
      for name in ["members.csv", "scores.csv", "supervision.csv", "risks.csv", "problems.csv", "leaders.csv", "member_reach.csv"] {
        let all = try records(src + "/" + name)
        try write([all[0]] + all.dropFirst().filter { $0[0] == year }, to: d + "/" + name)
      }
      for name in ["responsibilities.csv", "projects.csv"] {
        let all = try records(src + "/" + name)
        try write([all[0]] + all.dropFirst().filter { problemPeriod[$0[0]] == year }, to: d + "/" + name)
      }
      folders.append(d)
    }
    return folders
  }
}

/// Every row of every table of a store, as text: two dumps are equal exactly when the
/// stores hold the same.
func dump(_ location: String) throws -> String {
  let db = try Store.openDatabase(location, create: false)
  return try db.read { sql in
    var out = ""
    for t in ["meta", "delivery", "delivery_file", "period", "revision", "slice", "org_row", "org_change", "publication", "publication_row", "override_event"] {
      out += "== \(t)\n"
      for r in try sql.rows("SELECT * FROM \(t) ORDER BY 1, 2") {
        out += r.map { v in
          switch v {
          case .null: "NULL"
          case .int(let i): "\(i)"
          case .real(let d): "\(d)"
          case .text(let s): s
          case .blob(let b): FileDigest.sha256Hex(bytes: b)
          }
        }.joined(separator: "|") + "\n"
      }
    }
    return out
  }
}
