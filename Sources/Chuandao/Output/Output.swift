import Foundation
@_exported import _ChuandaoOutput

/// The toolkit's version, written into every provenance record.
public enum ChuandaoVersion {
  public static let string = "0.1.0"
}

/// `--format table|json|csv`.
public enum OutputFormat: String, Sendable, CaseIterable {
  case table, json, csv
}

/// A command's result, ready to render in the format asked for: only that one is made
/// (a province-sized node list costs seconds to render as JSON).
public struct CommandOutput {
  public var json: () -> JSONObject
  /// The rows of `--format csv` (the command's `nodes` array).
  public var csvRows: () -> [JSONObject]
  public var table: () -> String
  /// Tables beyond the document's own arrays for `--format csv --out DIR` (see `csvTables`).
  public var extraTables: () -> [(name: String, rows: [JSONObject])]

  public init(
    json: @escaping @autoclosure () -> JSONObject, csvRows: @escaping @autoclosure () -> [JSONObject],
    table: @escaping @autoclosure () -> String,
    extraTables: @escaping @autoclosure () -> [(name: String, rows: [JSONObject])] = []
  ) {
    self.json = json
    self.csvRows = csvRows
    self.table = table
    self.extraTables = extraTables
  }

  /// The files of `--format csv --out DIR`, each a name (without `.csv`) and its rows:
  /// `nodes` (what `--format csv` writes), one table per other array of objects in the
  /// JSON document (`steps`, `groups`, `domains`, `levels`, `leaders`, ...), `summary`
  /// with the document's remaining figures in one row (nested keys as `parent.child`,
  /// arrays of numbers joined by `;`), then `extraTables`. Provenance goes beside them.
  public func csvTables() -> [(name: String, rows: [JSONObject])] {
    let document = json()
    var tables: [(name: String, rows: [JSONObject])] = [("nodes", csvRows())]
    var summary = JSONObject()
    for (key, value) in document where key != "provenance" && key != "nodes" {
      if case .array(let items) = value, !items.isEmpty,
        items.allSatisfy({ if case .object = $0 { true } else { false } })
      {
        tables.append((key, items.compactMap(\.objectValue)))
      } else {
        summary[key] = value
      }
    }
    if !summary.isEmpty { tables.append(("summary", [summary])) }
    return tables + extraTables()
  }
}

/// The SHA-256 of a dataset's input files and of the settings file, for provenance.
public struct InputDigests: Sendable {
  /// `dataset.yaml` and every file of DATA.md present in the folder (empty ones included).
  public var inputs: [(file: String, sha256: String)]
  public var config: String?

  public static func compute(dataset folder: String, configPath: String?) throws -> InputDigests {
    var inputs: [(file: String, sha256: String)] = []
    for name in Dataset.knownFiles {
      let path = (folder as NSString).appendingPathComponent(name)
      if FileManager.default.fileExists(atPath: path) {
        inputs.append((name, try FileDigest.sha256Hex(path: path)))
      }
    }
    return InputDigests(inputs: inputs, config: try configPath.map { try FileDigest.sha256Hex(path: $0) })
  }
}

extension Dataset {
  /// Loads the dataset on this thread while hashing its files on another: both read the
  /// same bytes, and hashing need not wait for the load.
  public static func loadAndDigest(
    folder: String, configPath: String?
  ) -> (Result<Dataset, DatasetInvalid>, Result<InputDigests, any Error>) {
    inParallel(
      { Result { () throws(DatasetInvalid) in try Dataset.load(folder: folder) } },
      { Result { try InputDigests.compute(dataset: folder, configPath: configPath) } })
  }
}

extension Provenance {
  /// The provenance of a result: the inputs' digests, the version, the command line, the
  /// period and the time made.
  public init(digests: InputDigests, command: String, period: String?) {
    self.init(
      version: ChuandaoVersion.string, inputs: digests.inputs, configSHA256: digests.config,
      command: command, period: period, generatedAt: Provenance.now())
  }

  /// Hashes the inputs and makes the provenance in one step.
  public static func make(
    dataset folder: String, configPath: String?, command: String, period: String?
  ) throws -> Provenance {
    Provenance(digests: try InputDigests.compute(dataset: folder, configPath: configPath), command: command, period: period)
  }

  /// The paths a command must never write over: the dataset's files and the settings file.
  public static func protectedPaths(dataset folder: String, configPath: String?) -> Set<String> {
    var out = Set(Dataset.knownFiles.map { (folder as NSString).appendingPathComponent($0) })
    if let configPath { out.insert(configPath) }
    return out
  }
}

/// Quotes a command line for the provenance record (POSIX shell quoting where needed).
public func shellQuoted(_ args: [String]) -> String {
  args.map { a in
    let safe = a.unicodeScalars.allSatisfy {
      CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)
    }
    return safe && !a.isEmpty ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }.joined(separator: " ")
}
